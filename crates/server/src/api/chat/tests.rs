//! End-to-end tests of `POST /api/chat`: the bundled sample (an Argo float, the Gulf of Maine buoy, the
//! Florida Keys CRW station) ingested into an in-memory store; answers checked against the store.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{TimeZone, Utc};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use store::{SqliteStore, Store};
use tower::ServiceExt;

use crate::{AppState, router};

async fn setup() -> (axum::Router, Arc<dyn Store>) {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(":memory:").await.unwrap());
    let dir = format!("{}/../../data/sample", env!("CARGO_MANIFEST_DIR"));
    let files: Vec<_> = [
        "argo/1902714_prof.nc",
        "buoy/ndbc_activestations_2024-08-27.xml",
        "buoy/44005h2012.txt",
        "crw/crw_vs_florida_keys.txt",
    ]
    .iter()
    .map(|f| std::path::PathBuf::from(format!("{dir}/{f}")))
    .collect();
    let s = ingest::ingest_files(store.clone(), files, |_| {}).await;
    assert!(s.skipped.is_empty(), "{:?}", s.skipped);
    (router(AppState::new(store.clone())), store)
}

async fn ask(app: &axum::Router, uri: &str, body: Value) -> (StatusCode, Vec<u8>) {
    let req = Request::post(uri).header("content-type", "application/json").body(Body::from(body.to_string())).unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    (status, resp.into_body().collect().await.unwrap().to_bytes().to_vec())
}

async fn chat(app: &axum::Router, body: Value) -> Value {
    let (s, bytes) = ask(app, "/api/chat", body).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn argo_question_returns_the_stored_profiles() {
    let (app, _) = setup().await;
    let a = chat(&app, json!({"question": "Argo temperature profiles in the equatorial Atlantic in October 2025", "now": "2026-06-15"})).await;
    assert_eq!(a["interpretation"]["agg"], "profile");
    assert_eq!(a["interpretation"]["platform"], "argo");
    assert_eq!(a["interpretation"]["time"], json!(["2025-10-01", "2025-10-31"]));
    assert!(
        a["interpretation"]["summary"].as_str().unwrap().starts_with("Profiles of water temperature from Argo floats")
    );
    assert_eq!(a["clarification"], Value::Null);
    assert_eq!(a["data_source"], "local_db");
    assert_eq!(a["view"], "profile");
    let r = &a["results"];
    assert_eq!(r["kind"], "argo_profiles");
    let ids: Vec<&str> = r["profiles"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1902714_027", "1902714_028", "1902714_029"]);
    assert_eq!(r["profiles"][0]["time"], "2025-10-04T19:48:00Z");
    assert_eq!(
        r["levels"][0],
        json!({"profile": "1902714_027", "pressure": 3.5, "variable": "temperature", "value": 26.481000900268555})
    );
    assert!(a["api_url"].as_str().unwrap().starts_with("/api/argo?box="));
}

#[tokio::test]
async fn mean_over_a_depth_range_and_a_follow_up() {
    let (app, store) = setup().await;
    let q = json!({"question": "mean temperature between 500 and 1000 m in the equatorial Atlantic in October 2025", "now": "2026-06-15", "session": "s1"});
    let a = chat(&app, q).await;
    let stat = &a["results"]["stats"][0];
    assert_eq!(stat["agg"], "mean");
    // the same mean computed here from the stored profiles
    let mut sum = 0.0;
    let mut n = 0;
    for id in ["1902714_027", "1902714_028", "1902714_029"] {
        let p = store.profile(&model::ProfileKey::parse(id).unwrap()).await.unwrap().unwrap();
        let (pres, temp) = (p.param("PRES").unwrap(), p.param("TEMP").unwrap());
        for i in 0..p.n_levels() {
            let (z, t) = (pres.best(i) as f64, temp.best(i) as f64);
            if (500.0..=1000.0).contains(&z) && !t.is_nan() {
                sum += t;
                n += 1;
            }
        }
    }
    assert!(n > 100);
    assert_eq!(stat["n"], n);
    assert!((stat["value"].as_f64().unwrap() - sum / n as f64).abs() < 1e-9);
    // "and at 1000 m?" keeps the variable, region, time and statistic
    let b = chat(&app, json!({"question": "and at 1000 m?", "now": "2026-06-15", "session": "s1"})).await;
    assert_eq!(b["interpretation"]["depth"], json!([1000.0, 1000.0]));
    assert_eq!(b["interpretation"]["agg"], "mean");
    assert_eq!(b["interpretation"]["time"], json!(["2025-10-01", "2025-10-31"]));
    let v = b["results"]["stats"][0]["value"].as_f64().unwrap();
    assert!((4.0..8.0).contains(&v), "mean temperature near 1000 dbar at the equator: {v}");
    // both questions are in the history, newest first
    let h = store.recent_queries(5).await.unwrap();
    assert_eq!(h[0].question, "and at 1000 m?");
    assert_eq!(h[1].session.as_deref(), Some("s1"));
    assert!(h[0].interpretation.contains("\"depth\":[1000.0,1000.0]"));
}

#[tokio::test]
async fn buoy_and_reef_questions_return_stored_series_and_heat_stress() {
    let (app, store) = setup().await;
    let a = chat(
        &app,
        json!({"question": "average SST from buoys in the Gulf of Maine in July 2012", "now": "2026-06-15"}),
    )
    .await;
    let r = &a["results"];
    assert_eq!(r["kind"], "buoy_series");
    assert_eq!(r["platforms"][0]["id"], "44005");
    let t = model::TimeRange::new(
        Utc.with_ymd_and_hms(2012, 7, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2012, 8, 1, 0, 0, 0).unwrap(),
    )
    .unwrap();
    let pts = store.series("44005", "sea_surface_temperature", t).await.unwrap();
    let mean = pts.iter().map(|p| p.value).sum::<f64>() / pts.len() as f64;
    assert_eq!(r["stats"][0]["n"], pts.len());
    assert!((r["stats"][0]["value"].as_f64().unwrap() - mean).abs() < 1e-9);
    assert_eq!(
        r["series"][0],
        json!({"platform": "44005", "variable": "sea_surface_temperature", "time": "2012-07-01T00:50:00Z", "depth": 0.0, "value": 17.8})
    );

    let b = chat(&app, json!({"question": "maximum DHW at the Florida Keys in 2023", "now": "2026-06-15"})).await;
    let s = &b["results"]["stats"][0];
    assert_eq!(b["results"]["kind"], "reef_heat_stress");
    // the CRW file's row for 2023-09-20: DHW 22.2986, the year's maximum
    assert_eq!(s["value"], 22.2986);
    assert_eq!(s["time"], "2023-09-20T00:00:00Z");
    assert_eq!(s["n"], 365);
    let c = chat(
        &app,
        json!({"question": "bleaching alert level at the Florida Keys on 1 August 2023", "now": "2026-06-15"}),
    )
    .await;
    assert_eq!(
        c["results"]["heat_stress"],
        json!([{"site": "florida_keys", "date": "2023-08-01", "sst": 31.55, "sst_anomaly": 2.0716, "hotspot": 1.9, "dhw": 13.3514, "baa": 4}])
    );
}

#[tokio::test]
async fn clarifications_streams_and_bad_requests() {
    let (app, _) = setup().await;
    let a = chat(&app, json!({"question": "temperature near Springfield"})).await;
    assert_eq!(a["interpretation"]["clarify"], true);
    assert_eq!(a["results"], Value::Null);
    assert!(a["clarification"]["message"].as_str().unwrap().contains("Springfield"));
    assert!(!a["clarification"]["choices"].as_array().unwrap().is_empty());
    // too large to run: asked back, not a 413
    let b = chat(&app, json!({"question": "salinity profiles in the Pacific", "now": "2025-06-15"})).await;
    assert_eq!(b["interpretation"]["clarify"], true);
    assert!(b["clarification"]["message"].as_str().unwrap().contains("too large"));

    let (s, bytes) =
        ask(&app, "/api/chat?stream=true", json!({"question": "maximum DHW at the Florida Keys in 2023"})).await;
    assert_eq!(s, StatusCode::OK);
    let text = String::from_utf8(bytes).unwrap();
    let events: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("event: ")).collect();
    assert_eq!(events, ["interpretation", "results", "done"]);
    assert!(text.contains("22.2986"));

    for (uri, body) in [
        ("/api/chat", json!({"question": ""})),
        ("/api/chat", json!({"question": "SST today", "now": "yesterday"})),
        ("/api/chat", json!({"q": "SST"})),
        ("/api/chat?stream=maybe", json!({"question": "SST"})),
        ("/api/chat?foo=1", json!({"question": "SST"})),
    ] {
        let (s, bytes) = ask(&app, uri, body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}");
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["code"], "bad_request");
    }
}

#[tokio::test]
async fn buoy_questions_with_live_refresh_first_and_say_where_the_data_came_from() {
    let (_, store) = setup().await;
    let r = replay::Replay::start().await;
    let sample = format!("{}/../../data/sample/buoy/TPLM2_realtime2_2022-08-13.txt", env!("CARGO_MANIFEST_DIR"));
    r.route("/data/realtime2/TPLM2.txt", replay::Recorded::file(200, "text/plain", sample));
    let mut c = ingest::sources::SourcesConfig {
        ndbc_files: vec!["TPLM2.txt".into()],
        live_deadline: std::time::Duration::from_secs(5),
        ..Default::default()
    };
    c.set_base_url("ndbc", &r.url()).unwrap();
    let app = router(AppState::new(store.clone()).with_live(Some(ingest::sources::Sources::new(c).unwrap())));
    let q = json!({"question": "latest buoy sea surface temperature in the Gulf of Maine", "now": "2026-06-15"});
    let (s, bytes) = ask(&app, "/api/chat?live=true", q.clone()).await;
    assert_eq!(s, StatusCode::OK);
    let a: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(a["interpretation"]["platform"], "buoy");
    assert_eq!(a["data_source"], "live_api", "{a}");
    assert_eq!(r.hits("/data/realtime2/TPLM2.txt"), 1);
    // Without live=true the store answers, and nothing is fetched.
    assert_eq!(chat(&app, q).await["data_source"], "local_db");
    assert_eq!(r.hits("/data/realtime2/TPLM2.txt"), 1);
}

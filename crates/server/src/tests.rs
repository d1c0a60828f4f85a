//! Router tests: real sample files ingested into an in-memory store, requests sent with `oneshot`.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use store::{SqliteStore, Store};
use tower::ServiceExt;

use crate::{AppState, router};

async fn app() -> axum::Router {
    app_with(&[
        "argo/D4900590_097.nc",
        "argo/1902714_prof.nc",
        "argo/erddap_ArgoFloats_6902746_cyc34.nc",
        "buoy/44005h2012.txt",
    ])
    .await
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, Value) {
    let resp = app.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn health_and_platforms() {
    let app = app().await;
    let (s, body) = get(&app, "/health").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["store_ready"], true);
    let (s, body) = get(&app, "/api/platforms").await;
    assert_eq!(s, StatusCode::OK);
    let ids: Vec<&str> = body.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1902714", "44005", "4900590", "6902746"]);
    let float = &body[0];
    assert_eq!(float["profiles"], 54);
    assert_eq!(float["kind"], "argo_float");
    assert_eq!(float["first_time"], "2025-01-22T00:37:00.000Z");
    let (s, body) = get(&app, "/api/platforms?kind=buoy").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body.as_array().unwrap().len(), 1);
    assert!(body[0]["variables"].as_array().unwrap().iter().any(|v| v == "sea_surface_temperature"));
    let (s, body) = get(&app, "/api/platforms?kind=submarine").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "bad_request");
}

#[tokio::test]
async fn profile_is_an_argovis_document() {
    let app = app().await;
    let (s, doc) = get(&app, "/api/profiles/4900590_097").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc["_id"], "4900590_097");
    assert_eq!(doc["geolocation"]["type"], "Point");
    assert_eq!(doc["timestamp"], "2007-08-02T11:27:55.000Z");
    assert_eq!(doc["data_info"][0][0], "pressure");
    assert_eq!(doc["data_info"][0][2], "temperature");
    assert_eq!(doc["data_info"][2][0], serde_json::json!(["decibar", "D"]));
    assert_eq!(doc["data"][0].as_array().unwrap().len(), 67);
    // Delayed mode: adjusted values are served.
    let (s, doc) = get(&app, "/api/profiles/6902746_034").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc["data"][0][0], 3.0);
    assert_eq!(doc["data"][2][0], 27.212);
    assert_eq!(doc["data"][4][0], 36.262);
    let (s, doc) = get(&app, "/api/profiles/1902714_001D").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc["profile_direction"], "D");
    let (s, body) = get(&app, "/api/profiles/4900590_999").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(body["message"], "no profile 4900590_999");
    let (s, _) = get(&app, "/api/profiles/garbage").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn series_by_platform_variable_and_time() {
    let app = app().await;
    let (s, body) = get(&app, "/api/series?platform=44005&variable=sea_surface_temperature&startDate=2012-01-01T00:00:00Z&endDate=2012-01-01T03:00:00Z").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["units"], "degree_Celsius");
    let times: Vec<&str> = body["data"].as_array().unwrap().iter().map(|p| p["time"].as_str().unwrap()).collect();
    assert_eq!(times, ["2012-01-01T00:50:00.000Z", "2012-01-01T01:50:00.000Z", "2012-01-01T02:50:00.000Z"]);
    assert_eq!(body["data"][0]["value"], 8.1);
    // Our name or the NDBC column both resolve; errors are clear.
    let (s, body) = get(&app, "/api/series?platform=44005").await;
    assert_eq!((s, body["message"].as_str().unwrap()), (StatusCode::BAD_REQUEST, "variable is required"));
    let (s, body) = get(&app, "/api/series?platform=44005&variable=WTMP&startDate=yesterday").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("startDate"));
    let (s, _) = get(
        &app,
        "/api/series?platform=44005&variable=sea_surface_temperature&startDate=2012-02-01&endDate=2012-01-01",
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, body) = get(&app, "/nowhere").await;
    assert_eq!((s, body["code"].as_str().unwrap()), (StatusCode::NOT_FOUND, "not_found"));
}

async fn app_with(files: &[&str]) -> axum::Router {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(":memory:").await.unwrap());
    let dir = format!("{}/../../data/sample", env!("CARGO_MANIFEST_DIR"));
    let files: Vec<_> = files.iter().map(|f| std::path::PathBuf::from(format!("{dir}/{f}"))).collect();
    let s = ingest::ingest_files(store.clone(), files, |_| {}).await;
    assert!(s.skipped.is_empty(), "{:?}", s.skipped);
    router(AppState::new(store))
}

#[tokio::test]
async fn argovis_box_query_returns_the_recorded_profiles() {
    let app = app_with(&["argo/argovis_argo_box_2012-01_presRange0-10.json"]).await;
    let recorded: Value = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{}/../../data/sample/argo/argovis_argo_box_2012-01_presRange0-10.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    let mut want: Vec<&str> = recorded.as_array().unwrap().iter().map(|d| d["_id"].as_str().unwrap()).collect();
    want.sort();
    assert_eq!(want.len(), 19);
    let uri = "/api/argo?data=pressure,temperature,salinity&box=[[-70,35],[-65,40]]&startDate=2012-01-01T00:00:00Z&endDate=2012-03-01T00:00:00Z&presRange=0,10";
    let (s, body) = get(&app, &uri.replace('[', "%5B").replace(']', "%5D")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let mut got: Vec<&str> = body.as_array().unwrap().iter().map(|d| d["_id"].as_str().unwrap()).collect();
    got.sort();
    assert_eq!(got, want);
    // Every returned level lies in presRange, and the data rows are the three asked for.
    for d in body.as_array().unwrap() {
        assert_eq!(d["data_info"][0], serde_json::json!(["pressure", "temperature", "salinity"]));
        assert!(d["data"][0].as_array().unwrap().iter().all(|p| (0.0..=10.0).contains(&p.as_f64().unwrap())));
    }
    // Minimal stubs.
    let (s, body) = get(&app, &format!("{}&compression=minimal", uri.replace('[', "%5B").replace(']', "%5D"))).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body.as_array().unwrap().len(), 19);
    assert_eq!(body[0].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn argo_parameter_errors_name_the_parameter() {
    let app = app_with(&["argo/D4900590_097.nc"]).await;
    for (uri, needle) in [
        ("/api/argo?box=%5B%5B0,0%5D%5D", "box"),
        ("/api/argo?polygon=%5B%5B0,0%5D,%5B1,0%5D,%5B1,1%5D%5D", "polygon"),
        ("/api/argo?center=0,0", "center needs radius"),
        ("/api/argo?center=0,0&radius=-5", "radius"),
        ("/api/argo?box=%5B%5B0,0%5D,%5B1,1%5D%5D&center=0,0&radius=5", "at most one region"),
        ("/api/argo?startDate=2020-13-01", "startDate"),
        ("/api/argo?platform=4900590&presRange=10", "presRange"),
        ("/api/argo?platform=4900590&data=temperature,12", "QC flag"),
        ("/api/argo?platform=4900590&mode=lazy", "mode"),
        ("/api/argo?platform=4900590&bogus=1", "bogus"),
        ("/api/argo", "give a region"),
    ] {
        let (s, body) = get(&app, uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert!(body["message"].as_str().unwrap().contains(needle), "{uri}: {body}");
    }
    // A missing id is a 404, an empty search a 200 with [].
    let (s, _) = get(&app, "/api/argo?id=4900590_098").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, body) = get(
        &app,
        "/api/argo?box=%5B%5B0,0%5D,%5B1,1%5D%5D&startDate=2020-01-01T00:00:00Z&endDate=2020-02-01T00:00:00Z",
    )
    .await;
    assert_eq!((s, body), (StatusCode::OK, serde_json::json!([])));
    // The whole ocean over 20 years is too big, with advice.
    let (s, body) = get(
        &app,
        "/api/argo?box=%5B%5B-180,-90%5D,%5B180,90%5D%5D&startDate=2000-01-01T00:00:00Z&endDate=2020-01-01T00:00:00Z",
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body["message"].as_str().unwrap().contains("split it into"), "{body}");
    let (s, body) = get(&app, "/api/argo?platform=4900590&data=temperature&mode=standard").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body[0]["data_info"][0], serde_json::json!(["pressure", "temperature"]));
    let (s, body) = get(&app, "/api/argo/vocabulary?parameter=platform").await;
    assert_eq!((s, body), (StatusCode::OK, serde_json::json!(["4900590"])));
    let (s, body) = get(&app, "/api/argo/meta?id=4900590_097").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body[0]["id"], "4900590");
    let (s, _) = get(&app, "/ready").await;
    assert_eq!(s, StatusCode::OK);
}

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, Value) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn buoys_reefs_and_the_seed_routes() {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(":memory:").await.unwrap());
    let dir = format!("{}/../../data/sample", env!("CARGO_MANIFEST_DIR"));
    let files: Vec<_> = [
        "buoy/ndbc_activestations_2024-08-27.xml",
        "buoy/44005h2012.txt",
        "buoy/TPLM2_realtime2_2022-08-13.txt",
        "crw/crw_vs_florida_keys.txt",
    ]
    .iter()
    .map(|f| std::path::PathBuf::from(format!("{dir}/{f}")))
    .collect();
    ingest::ingest_files(store.clone(), files, |_| {}).await;
    let app = router(AppState::new(store).with_ingest_key(Some("sekret".into())));

    // Gulf of Maine box: 44005 is inside, TPLM2 (Chesapeake) is not.
    let (s, body) =
        get(&app, "/api/buoys?box=%5B%5B-71,42%5D,%5B-66,45%5D%5D&startDate=2012-06-01&endDate=2012-07-01").await;
    assert_eq!(s, StatusCode::OK);
    let ids: Vec<&str> = body.as_array().unwrap().iter().map(|b| b["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["44005"]);
    let (s, body) =
        get(&app, "/api/buoys/44005/series?variable=WTMP&startDate=2012-01-01T00:00:00Z&endDate=2012-01-01T02:00:00Z")
            .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["count"], 2);
    let (s, _) = get(&app, "/api/buoys/NOPE1/series?variable=WTMP").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, body) = get(&app, "/api/reefs?center=-81.6,24.7&radius=50").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body[0]["id"], "florida_keys");

    // Latest: the newest point of each (platform, variable), with its age.
    let (s, body) = get(&app, "/data/latest").await;
    assert_eq!(s, StatusCode::OK);
    let tplm2_pres = body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["location_id"] == "TPLM2" && p["variable"] == "air_pressure")
        .unwrap();
    assert_eq!(tplm2_pres["timestamp"], "2022-08-13T18:00:00Z");
    assert_eq!(tplm2_pres["value"], 1020.8);
    assert!(tplm2_pres["age_seconds"].as_i64().unwrap() > 0);
    // Windows end at the newest stored observation.
    let (s, body) = get(&app, "/data/timeseries?days=2&variable=air_pressure").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["until"], "2022-08-13T18:00:01Z");
    assert!(body["data"].as_array().unwrap().iter().all(|d| d["location_id"] == "TPLM2"));
    let (s, _) = get(&app, "/data/timeseries?days=0").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // One z-score anomaly in the last week of TPLM2: a 14.4 m/s gust, 3.5 sd above the day's climatology.
    let (s, body) = get(&app, "/data/anomalies?days=7").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body.as_array().unwrap().len(), 1, "{body}");
    assert_eq!((body[0]["location_id"].as_str(), body[0]["variable"].as_str()), (Some("TPLM2"), Some("wind_gust")));
    assert_eq!((body[0]["kind"].as_str(), body[0]["value"].as_f64()), (Some("z_score"), Some(14.4)));
    assert!((body[0]["z"].as_f64().unwrap() - 3.4715).abs() < 1e-3);
    assert_eq!(
        body[0]["reason"],
        "value 14.40 is 3.5 standard deviations above the 2022 mean for 10 Aug (5.49 ± 2.57)"
    );
    let (s, body) = get(&app, "/stats").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["heat_stress_days"], 14461);
    assert!(body["variables"].as_array().unwrap().iter().any(|v| v["variable"] == "sea_surface_temperature"));
    let (s, body) = get(&app, "/api/locations/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.as_array().unwrap().len() > 1300);

    // Ingest behind the bearer key: all or nothing.
    let post = |auth: Option<&str>, body: &str| {
        let mut r = Request::post("/api/observations/ingest/").header("content-type", "application/json");
        if let Some(a) = auth {
            r = r.header("authorization", a);
        }
        r.body(Body::from(body.to_string())).unwrap()
    };
    let good = r#"[{"location_id":"REEF1","timestamp":"2024-01-01T00:00:00Z","value":28.5,"variable":"sea_surface_temperature","quality_flag":1,"source":"logger"}]"#;
    assert_eq!(send(&app, post(None, good)).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(send(&app, post(Some("Bearer wrong"), good)).await.0, StatusCode::UNAUTHORIZED);
    let (s, body) = send(&app, post(Some("Bearer sekret"), good)).await;
    assert_eq!((s, body["stored"].as_u64()), (StatusCode::OK, Some(1)));
    let mixed = r#"[{"location_id":"REEF1","timestamp":"2024-01-02T00:00:00Z","value":28.6,"variable":"sea_surface_temperature"},
                    {"location_id":"REEF1","timestamp":"yesterday","value":1,"variable":"sea_surface_temperature"}]"#;
    let (s, body) = send(&app, post(Some("Bearer sekret"), mixed)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().starts_with("item 1"), "{body}");
    let (s, body) = get(&app, "/api/observations/?location=REEF1&variable=sea_surface_temperature").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body.as_array().unwrap().len(), 1);
    assert_eq!(body[0]["quality_flag"], 1);
}

#[tokio::test]
async fn openapi_document_lists_every_route() {
    let app = app_with(&["argo/D4900590_097.nc"]).await;
    let (s, doc) = get(&app, "/api/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths: Vec<&str> = doc["paths"].as_object().unwrap().keys().map(String::as_str).collect();
    for route in [
        "/health",
        "/ready",
        "/api/platforms",
        "/api/profiles/{id}",
        "/api/series",
        "/api/reefs/{id}/heatstress",
        "/api/argo",
        "/api/argo/meta",
        "/api/argo/vocabulary",
        "/api/buoys",
        "/api/buoys/{id}/series",
        "/api/reefs",
        "/data/latest",
        "/data/timeseries",
        "/data/anomalies",
        "/stats",
        "/api/locations/",
        "/api/observations/",
        "/api/observations/ingest/",
    ] {
        assert!(paths.contains(&route), "{route} missing from {paths:?}");
    }
    let argo_params: Vec<&str> = doc["paths"]["/api/argo"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for p in [
        "id",
        "platform",
        "startDate",
        "endDate",
        "polygon",
        "multipolygon",
        "box",
        "center",
        "radius",
        "presRange",
        "data",
        "mode",
    ] {
        assert!(argo_params.contains(&p), "{p} missing from {argo_params:?}");
    }
    let resp = app.clone().oneshot(Request::get("/api/docs").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let html = String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(html.contains("GET /api/argo"));
}

#[tokio::test]
async fn dashboard_routes_floats_reef_status_and_profile_values() {
    let app = app().await;
    let (s, body) = get(&app, "/api/floats/latest").await;
    assert_eq!(s, StatusCode::OK);
    let f = body.as_array().unwrap().iter().find(|f| f["platform"] == "6902746").unwrap();
    assert_eq!(f["profile_id"], "6902746_034");
    assert_eq!(f["timestamp"], "2017-12-20T06:58:00.000Z");
    assert_eq!(f["geolocation"]["coordinates"][1], 18.983);
    assert_eq!(f["profiles"], 1);
    // Raw and adjusted values of a delayed-mode profile: salinity was not adjusted (null).
    let (s, raw) = get(&app, "/api/profiles/4900590_097?values=raw").await;
    assert_eq!(s, StatusCode::OK);
    let i = raw["data_info"][0].as_array().unwrap().iter().position(|n| n == "salinity").unwrap();
    assert_eq!(raw["data"][i][0], 36.157);
    let (_, adj) = get(&app, "/api/profiles/4900590_097?values=adjusted").await;
    assert_eq!(adj["data"][i][0], Value::Null);
    let (s, body) = get(&app, "/api/profiles/4900590_097?values=cooked").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(body["message"].as_str().unwrap().contains("raw"));

    let reefs = app_with(&["crw/crw_vs_florida_keys.txt"]).await;
    let (s, body) = get(&reefs, "/api/reefs/status").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body[0]["site"], "florida_keys");
    assert_eq!(body[0]["latest"]["date"], "2024-08-04");
    assert_eq!(body[0]["latest"]["dhw"], 6.2743);
    assert_eq!(body[0]["latest"]["baa_7day_max"], 3);
    assert_eq!(body[0]["days_at_level"], 11);
}

#[tokio::test]
async fn dashboard_files_are_served_with_types_and_cache_headers() {
    let app = app().await;
    let resp = app.clone().oneshot(Request::get("/").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(resp.headers()["cache-control"], "no-cache");
    let html = String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(html.contains("<title>halocline</title>"));
    // The entry script index.html names is embedded, hashed and cached for a year.
    let js = html.split("src=\"/").nth(1).unwrap().split('"').next().unwrap();
    assert!(js.starts_with("assets/") && js.ends_with(".js"), "{js}");
    let resp = app.clone().oneshot(Request::get(format!("/{js}")).body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(resp.headers()["cache-control"], "public, max-age=31536000, immutable");
    // Unknown paths, under /api or not, keep the JSON 404.
    for uri in ["/nope.js", "/api/nope"] {
        let (s, body) = get(&app, uri).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(body["code"], "not_found");
    }
}

#[tokio::test]
async fn events_announce_an_ingest_through_the_api() {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(":memory:").await.unwrap());
    let app = router(AppState::new(store).with_ingest_key(Some("k".into())));
    let resp = app.clone().oneshot(Request::get("/api/events").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let mut body = resp.into_body();
    let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
    assert_eq!(std::str::from_utf8(&first).unwrap(), "event: ready\ndata: {}\n\n");
    let req = Request::post("/api/observations/ingest/")
        .header("authorization", "Bearer k")
        .header("content-type", "application/json")
        .body(Body::from(
            r#"[{"location_id":"X1","timestamp":"2024-01-01T00:00:00Z","value":20.5,"variable":"sea_surface_temperature"}]"#,
        ))
        .unwrap();
    let (s, _) = send(&app, req).await;
    assert_eq!(s, StatusCode::OK);
    let ev = body.frame().await.unwrap().unwrap().into_data().unwrap();
    let text = std::str::from_utf8(&ev).unwrap();
    assert!(text.starts_with("event: ingest\ndata: {"), "{text}");
    assert!(text.contains(r#""platforms":["X1"],"series_points":1"#), "{text}");
}

/// Profile values travel as their f32: the JSON number is the shortest decimal that reads back as the same
/// f32, exactly what formatting the f32 and printing that decimal as an f64 gives (the old path).
#[test]
fn profile_cells_print_the_shortest_f32_decimal() {
    use crate::api::wire::Cell;
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut samples: Vec<f32> = vec![3.0, 25.997, 36.157, 1435.5, 4.18, 0.1, 1e-7, 123456.79, -2.5e-3, 9.999_999e9];
    for _ in 0..200_000 {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        let f = f32::from_bits((x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32) as u32);
        if f.is_finite() {
            samples.push(f);
        }
    }
    for f in samples {
        let old = serde_json::to_string(&format!("{f}").parse::<f64>().unwrap()).unwrap();
        let new = serde_json::to_string(&Cell::Value(f)).unwrap();
        // Reads back as the same f32, and is never longer than before. (Where two decimals are equally
        // short, e.g. -1298351.25 → …1.2 or …1.3, the two printers may pick differently; far outside ocean
        // values an f32 prints in exponent form, 1.5e+13.)
        assert_eq!(new.parse::<f32>().unwrap(), f, "{f:e}: {new}");
        let digits = |t: &str| {
            let mantissa: String = t.split(['e', 'E']).next().unwrap().chars().filter(char::is_ascii_digit).collect();
            mantissa.trim_matches('0').len()
        };
        assert!(digits(&new) <= digits(&old), "{f:e}: {new} longer than {old}");
        if (0.01..1e5).contains(&f.abs()) && new != old {
            assert_eq!(new.parse::<f32>().unwrap(), old.parse::<f32>().unwrap(), "{f:e}: {new} vs {old}");
        }
    }
    assert_eq!(serde_json::to_string(&Cell::Qc(1)).unwrap(), "1.0");
}

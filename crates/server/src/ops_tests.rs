//! Operations tests: `/metrics` over real sample files (ocean gauges, HELP text, route templates),
//! `/api/v1/metrics/performance`, the alert routes' validation, and a HighSST rule that fires once
//! through a local webhook receiver (axum on 127.0.0.1:0), de-duplicates and resolves.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use store::{SqliteStore, Store};
use tower::ServiceExt;

use crate::{AppState, router};

/// The gauges are process-wide: one test at a time computes and reads them.
static METRICS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn state_with(files: &[&str]) -> AppState {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(":memory:").await.unwrap());
    let dir = format!("{}/../../data/sample", env!("CARGO_MANIFEST_DIR"));
    let files: Vec<_> = files.iter().map(|f| std::path::PathBuf::from(format!("{dir}/{f}"))).collect();
    let s = ingest::ingest_files(store.clone(), files, |_| {}).await;
    assert!(s.skipped.is_empty(), "{:?}", s.skipped);
    // An admin key for the alert write routes (the route table requires admin_access for them).
    store
        .put_api_key(&store::ApiKeyRecord {
            id: "0p5te575".into(),
            name: "ops tests".into(),
            key_hash: crate::auth::credentials::key_hash(ADMIN_KEY),
            permissions: vec!["admin_access".into(), "read_data".into()],
            owner: None,
            created_at: chrono::Utc::now(),
            revoked_at: None,
        })
        .await
        .unwrap();
    AppState::new(store)
}

/// The key every request of these tests carries.
const ADMIN_KEY: &str = "hc_0p5te575_6f70732d74657374732d61646d696e2d6b65792d6f6e6c792d666f722d7465737473";

async fn call(app: &axum::Router, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Vec<u8>) {
    let mut req = Request::builder().method(method).uri(uri).header("x-api-key", ADMIN_KEY);
    let body = match body {
        Some(v) => {
            req = req.header("content-type", "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    let resp = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    (status, resp.into_body().collect().await.unwrap().to_bytes().to_vec())
}

async fn json_call(app: &axum::Router, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
    let (s, b) = call(app, method, uri, body).await;
    (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

/// The value of the sample line `name{labels} value` in Prometheus text.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok())
}

#[tokio::test]
async fn metrics_show_the_ocean_state_of_the_sample_and_requests_by_route_template() {
    let state = state_with(&["buoy/44005h2012.txt", "crw/crw_vs_florida_keys.txt", "argo/D4900590_097.nc"]).await;
    let app = router(state.clone());
    // The recorder is process-wide: HEAD requests (no other test sends them) keep these counts ours.
    for uri in ["/api/profiles/4900590_097", "/api/profiles/4900590_098", "/api/profiles/4900590_097"] {
        call(&app, "HEAD", uri, None).await;
    }
    let _one = METRICS.lock().await;
    let (s, body) = call(&app, "GET", "/metrics", None).await;
    assert_eq!(s, StatusCode::OK);
    let text = String::from_utf8(body).unwrap();
    let c = state.store.counts().await.unwrap();
    assert_eq!(
        sample(&text, "ocean_records_total"),
        Some((c.profiles + c.series_points + c.heat_stress_days) as f64),
        "{text}"
    );
    assert!(text.contains("# HELP ocean_records_total "));
    assert!(text.contains("# TYPE ocean_records_total counter"));
    // The only SST series is buoy 44005; its last row (2012-12-14 05:50) reads 9.6 °C.
    assert_eq!(sample(&text, "ocean_avg_sst_celsius"), Some(9.6));
    // Daily means of the last 7 days of 44005's SST (24 hourly rows a day, 6 on the last day).
    assert_eq!(
        sample(&text, "ocean_sst_last_day_celsius{day=\"2012-12-14\"}").map(|v| (v * 1e6).round() / 1e6),
        Some(9.683333)
    );
    assert_eq!(
        sample(&text, "ocean_sst_last_day_celsius{day=\"2012-12-08\"}").map(|v| (v * 1e6).round() / 1e6),
        Some(10.279167)
    );
    assert!(!text.contains("day=\"2012-12-07\""));
    // Florida Keys' last day (2024-08-04): DHW 6.2743, BAA 3, SSTA 1.4842 → 54.97.
    assert_eq!(sample(&text, "ocean_avg_health_score").map(|v| (v * 1e4).round() / 1e4), Some(54.9718));
    assert_eq!(sample(&text, "halocline_store_rows{table=\"profiles\"}"), Some(c.profiles as f64));
    assert!(sample(&text, "halocline_store_size_bytes").unwrap() > 0.0);
    assert!(sample(&text, "ocean_ingest_lag_seconds{source=\"crw\"}").unwrap() > 0.0);
    // Requests count under their route template, not the raw path.
    assert_eq!(
        sample(&text, "halocline_http_requests_total{route=\"/api/profiles/{id}\",method=\"HEAD\",status=\"200\"}"),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "halocline_http_requests_total{route=\"/api/profiles/{id}\",method=\"HEAD\",status=\"404\"}"),
        Some(1.0)
    );
    assert!(text.contains("halocline_http_request_duration_seconds_bucket{route=\"/api/profiles/{id}\",method=\"HEAD\",status=\"200\",le=\"0.5\"}"));
    assert!(!text.contains("4900590_097"), "no raw paths in labels");
    // Every metric has HELP text (promtool check metrics requires it).
    for line in text.lines().filter(|l| l.starts_with("# TYPE ")) {
        let name = line.split_whitespace().nth(2).unwrap();
        assert!(text.contains(&format!("# HELP {name} ")), "{name} has no HELP");
    }

    // The separate metrics router serves the same text.
    let (s, body) = call(&crate::metrics_router(state), "GET", "/metrics", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(String::from_utf8(body).unwrap().contains("ocean_records_total"));
}

#[tokio::test]
async fn performance_reports_percentiles_throughput_and_errors() {
    let state = state_with(&[]).await;
    let app = router(state.clone());
    let (s, p) = json_call(&app, "GET", "/api/v1/metrics/performance", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(p["total_requests"], 0);
    assert_eq!(p["latency_ms"], Value::Null);
    for _ in 0..9 {
        call(&app, "GET", "/health", None).await;
    }
    call(&app, "GET", "/api/platforms?kind=submarine", None).await;
    let (_, p) = json_call(&app, "GET", "/api/v1/metrics/performance", None).await;
    // 10 requests plus the first performance request; a 400 is not a server error.
    assert_eq!(p["total_requests"], 11);
    assert_eq!(p["window_requests"], 11);
    assert_eq!(p["total_errors"], 0);
    assert_eq!(p["error_rate"], 0.0);
    assert_eq!(p["window_seconds"], 60);
    let l = &p["latency_ms"];
    let (p50, p95, p99) = (l["p50"].as_f64().unwrap(), l["p95"].as_f64().unwrap(), l["p99"].as_f64().unwrap());
    assert!(0.0 < p50 && p50 <= p95 && p95 <= p99, "{p}");
    assert!(p["throughput_rps"].as_f64().unwrap() > 0.0);
    assert!(p["uptime_seconds"].as_f64().unwrap() >= 0.0);

    // The window's arithmetic on known latencies: 90 at 1 ms, 10 at 100 ms, 5 of them 5xx.
    let t = crate::telemetry::Telemetry::default();
    for i in 0..100 {
        t.record(Duration::from_millis(if i < 90 { 1 } else { 100 }), i % 20 == 0);
    }
    let perf = t.performance();
    assert_eq!((perf.total_requests, perf.total_errors, perf.window_requests), (100, 5, 100));
    assert_eq!(perf.error_rate, 0.05);
    let [p50, p95, p99] = perf.latency_ms.unwrap();
    assert!((p50 - 1.0).abs() < 0.03, "p50 {p50}");
    assert!((p95 - 100.0).abs() < 3.0, "p95 {p95}");
    assert!((p99 - 100.0).abs() < 3.0, "p99 {p99}");
}

#[tokio::test]
async fn alert_routes_validate_and_round_trip() {
    let app = router(state_with(&[]).await);
    let rule = json!({"name": "HighSST", "kind": "threshold", "variable": "sea_surface_temperature",
        "threshold": 29.0, "for_seconds": 600, "aggregate": "mean"});
    let (s, b) = json_call(&app, "PUT", "/api/alerts/rules/high-sst", Some(rule.clone())).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["comparison"], "above");
    assert_eq!(b["severity"], "warning");
    assert_eq!(b["enabled"], true);
    let (s, _) = json_call(&app, "PUT", "/api/alerts/rules/high-sst", Some(rule)).await;
    assert_eq!(s, StatusCode::OK);
    for (bad, why) in [
        (json!({"name": "x", "kind": "threshold", "variable": "nope", "threshold": 1}), "unknown variable"),
        (json!({"name": "x", "kind": "threshold", "variable": "ph"}), "needs a threshold"),
        (json!({"name": "x", "kind": "baa_level", "min_level": 9}), "BAA level 0-7"),
        (json!({"name": "x", "kind": "baa_level", "threshold": 3}), "does not apply"),
        (json!({"name": "x", "kind": "sometimes"}), "is not threshold"),
        (json!({"name": "x", "kind": "dhw_record", "severity": "loud"}), "severity"),
        (json!({"name": "x", "kind": "dhw_record", "colour": "red"}), "unknown field"),
    ] {
        let (s, b) = json_call(&app, "PUT", "/api/alerts/rules/bad", Some(bad)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
        assert!(b["message"].as_str().unwrap().contains(why), "{b} should say {why}");
    }
    let (s, _) =
        json_call(&app, "PUT", "/api/alerts/rules/Bad%20Id", Some(json!({"name": "x", "kind": "dhw_record"}))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (_, list) = json_call(&app, "GET", "/api/alerts/rules", None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);

    let (s, b) = json_call(
        &app,
        "PUT",
        "/api/alerts/subscriptions/mail",
        Some(json!({"receiver": "email", "target": "reef@example.org", "min_severity": "critical"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = json_call(
        &app,
        "PUT",
        "/api/alerts/subscriptions/slack",
        Some(json!({"receiver": "slack", "target": "ftp://hooks.example.org/x"})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(b["message"].as_str().unwrap().contains("must start with http:// or https://"), "{b}");
    let (s, _) =
        json_call(&app, "PUT", "/api/alerts/subscriptions/x", Some(json!({"receiver": "pigeon", "target": "roof"})))
            .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (_, subs) = json_call(&app, "GET", "/api/alerts/subscriptions", None).await;
    assert_eq!(
        subs,
        json!([{"id": "mail", "rule": null, "min_severity": "critical", "receiver": "email", "target": "reef@example.org"}])
    );
    assert_eq!(call(&app, "DELETE", "/api/alerts/subscriptions/mail", None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(call(&app, "DELETE", "/api/alerts/subscriptions/mail", None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(call(&app, "DELETE", "/api/alerts/rules/high-sst", None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(call(&app, "DELETE", "/api/alerts/rules/high-sst", None).await.0, StatusCode::NOT_FOUND);
    let (s, _) = json_call(&app, "GET", "/api/alerts?open=maybe", None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, b) = json_call(&app, "GET", "/api/alerts?open=true&limit=5", None).await;
    assert_eq!((s, b), (StatusCode::OK, json!([])));
}

/// A webhook receiver: an axum server on 127.0.0.1:0 that forwards every POSTed document.
async fn webhook_receiver() -> (String, tokio::sync::mpsc::UnboundedReceiver<Value>) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(v);
                StatusCode::NO_CONTENT
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await });
    (url, rx)
}

async fn next(rx: &mut tokio::sync::mpsc::UnboundedReceiver<Value>) -> Value {
    // Generous: the machine is shared; this bounds a hang, it does not measure speed.
    tokio::time::timeout(Duration::from_secs(60), rx.recv()).await.expect("no webhook call within 60 s").unwrap()
}

async fn ingest(app: &axum::Router, points: &[(&str, f64)]) {
    let items: Vec<Value> = points
        .iter()
        .map(
            |(t, v)| json!({"location_id": "TEST1", "timestamp": t, "variable": "sea_surface_temperature", "value": v}),
        )
        .collect();
    let req = Request::post("/api/observations/ingest/")
        .header("content-type", "application/json")
        .header("authorization", "Bearer k")
        .body(Body::from(Value::Array(items).to_string()))
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn high_sst_fires_once_through_a_webhook_deduplicates_and_resolves() {
    let state = state_with(&[]).await.with_ingest_key(Some("k".into()));
    let app = router(state.clone());
    let (url, mut rx) = webhook_receiver().await;
    let rule = json!({"name": "HighSST", "kind": "threshold", "variable": "sea_surface_temperature",
        "threshold": 29.0, "for_seconds": 600, "aggregate": "mean", "severity": "warning"});
    assert_eq!(call(&app, "PUT", "/api/alerts/rules/high-sst", Some(rule)).await.0, StatusCode::CREATED);
    let sub = json!({"receiver": "webhook", "target": url, "rule": "high-sst"});
    assert_eq!(call(&app, "PUT", "/api/alerts/subscriptions/ops", Some(sub)).await.0, StatusCode::CREATED);
    // Evaluations after every ingest; the timer's first tick is now, the next an hour away. Started after
    // the rule and its subscription exist: an evaluation that read the subscriptions before they existed
    // and the data after the ingest would fire without telling anyone (and later ones de-duplicate).
    let workers = crate::spawn_workers(&state, Duration::from_secs(3600));

    // 10 minutes of water above 29 °C.
    ingest(&app, &[("2024-08-01T12:00:00Z", 29.6), ("2024-08-01T12:05:00Z", 29.8), ("2024-08-01T12:10:00Z", 30.0)])
        .await;
    let fired = next(&mut rx).await;
    assert_eq!(fired["status"], "firing");
    assert_eq!(fired["rule"], "high-sst");
    assert_eq!(fired["subject"], "all");
    assert!((fired["value"].as_f64().unwrap() - 29.8).abs() < 1e-9, "{fired}");
    assert!(
        fired["message"].as_str().unwrap().contains("averaged 29.80 degree_Celsius over 1 platform in the last 10 min"),
        "{fired}"
    );

    // Evaluating again announces nothing new.
    let (s, r) = json_call(&app, "POST", "/api/alerts/evaluate", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (r["fired"].as_u64(), r["deduplicated"].as_u64(), r["notifications_sent"].as_u64()),
        (Some(0), Some(1), Some(0)),
        "{r}"
    );
    assert!(rx.try_recv().is_err(), "a duplicate was sent");
    let (_, open) = json_call(&app, "GET", "/api/alerts?open=true", None).await;
    assert_eq!(open.as_array().unwrap().len(), 1);

    // The water cools: the last 10 minutes of data average 27.1 °C.
    ingest(&app, &[("2024-08-01T12:15:00Z", 27.2), ("2024-08-01T12:20:00Z", 27.1), ("2024-08-01T12:25:00Z", 27.0)])
        .await;
    let resolved = next(&mut rx).await;
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["resolve_message"], "the condition no longer holds");
    assert_eq!(resolved["started_at"], fired["started_at"]);

    let (_, history) = json_call(&app, "GET", "/api/alerts", None).await;
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0]["status"], "resolved");
    let _one = METRICS.lock().await;
    let (_, text) = call(&app, "GET", "/metrics", None).await;
    assert_eq!(sample(&String::from_utf8(text).unwrap(), "halocline_alerts_firing{rule=\"high-sst\"}"), Some(0.0));
    workers.abort();
}

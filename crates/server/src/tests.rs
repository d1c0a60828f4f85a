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
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(":memory:").await.unwrap());
    let dir = format!("{}/../../data/sample", env!("CARGO_MANIFEST_DIR"));
    let files: Vec<_> = [
        "argo/D4900590_097.nc",
        "argo/1902714_prof.nc",
        "argo/erddap_ArgoFloats_6902746_cyc34.nc",
        "buoy/44005h2012.txt",
    ]
    .iter()
    .map(|f| std::path::PathBuf::from(format!("{dir}/{f}")))
    .collect();
    let s = ingest::ingest_files(store.clone(), files, |_| {}).await;
    assert!(s.skipped.is_empty(), "{:?}", s.skipped);
    router(AppState { store })
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

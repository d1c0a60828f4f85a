//! Operations routes: `/metrics` (Prometheus text from the process recorder, the ocean gauges refreshed
//! when older than 10 s) and `/api/v1/metrics/performance` (latency percentiles, throughput and error
//! rate over the last minute, totals and uptime).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::Serialize;

use crate::AppState;

/// How old the ocean gauges may be when `/metrics` is scraped.
pub const OCEAN_MAX_AGE: Duration = Duration::from_secs(10);

/// Prometheus exposition text of every metric of this process.
#[utoipa::path(get, path = "/metrics", tag = "service", responses((status = 200, description = "Prometheus text exposition format 0.0.4", content_type = "text/plain")))]
pub async fn prometheus(State(state): State<AppState>) -> impl IntoResponse {
    state.telemetry.refresh_ocean(&*state.store, OCEAN_MAX_AGE).await;
    metrics::gauge!("halocline_uptime_seconds").set(state.telemetry.uptime().as_secs_f64());
    let handle = crate::telemetry::handle();
    handle.run_upkeep();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render())
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LatencyOut {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

/// The performance summary. Latency and rates cover the last `window_seconds` (requests answered
/// there); errors are 5xx answers.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PerformanceOut {
    pub uptime_seconds: f64,
    pub total_requests: u64,
    pub total_errors: u64,
    pub window_seconds: u64,
    pub window_requests: u64,
    /// Requests per second over the window (over the uptime while it is shorter).
    pub throughput_rps: f64,
    /// 5xx answers / requests over the window, 0–1.
    pub error_rate: f64,
    /// Milliseconds; `null` when the window holds no request.
    pub latency_ms: Option<LatencyOut>,
}

#[utoipa::path(get, path = "/api/v1/metrics/performance", tag = "service", responses((status = 200, body = PerformanceOut)))]
pub async fn performance(State(state): State<AppState>) -> Json<PerformanceOut> {
    let p = state.telemetry.performance();
    let r = |v: f64| (v * 1000.0).round() / 1000.0;
    Json(PerformanceOut {
        uptime_seconds: r(p.uptime.as_secs_f64()),
        total_requests: p.total_requests,
        total_errors: p.total_errors,
        window_seconds: p.window_seconds,
        window_requests: p.window_requests,
        throughput_rps: r(p.throughput_rps),
        error_rate: (p.error_rate * 1e6).round() / 1e6,
        latency_ms: p.latency_ms.map(|[p50, p95, p99]| LatencyOut { p50: r(p50), p95: r(p95), p99: r(p99) }),
    })
}

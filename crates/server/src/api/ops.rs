//! Operations routes: `/metrics` (Prometheus text from the process recorder, the ocean gauges refreshed
//! when older than 10 s) and `/api/v1/metrics/performance` (latency percentiles, throughput and error
//! rate over the last minute, totals and uptime).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use super::wire::{LatencyOut, PerformanceOut};
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

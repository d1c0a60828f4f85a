//! Service routes: `/health`, `/api/v1/metrics/performance` and the `/api/events` ingest event.

use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
    pub store_ready: bool,
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

/// What `/api/events` announces after data was stored through this server.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IngestEvent {
    /// The batch's source (`api:<time>` for `POST /api/observations/ingest/`).
    pub source: String,
    pub platforms: Vec<String>,
    pub series_points: u64,
    pub profiles: u64,
    pub at: String,
}

//! Operational metrics: the Prometheus recorder (the `metrics` facade, rendered at `/metrics`), the
//! middleware that counts and times every request by route template and status, the ocean gauges
//! computed from the store (`query::ocean_summary`), and the sliding window behind
//! `/api/v1/metrics/performance`. Every metric is described here (HELP text), including the fetch
//! counters the sources record.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use metrics::{describe_counter, describe_gauge, describe_histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use metrics_util::MetricKindMask;

/// Request latency buckets, seconds.
const LATENCY_BUCKETS: &[f64] =
    &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// The process-wide recorder's handle (installed on first use; a process has one recorder).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        // Gauges not set for an hour disappear (a day that left the 7-day window, a deleted rule); the
        // ocean gauges are set on every scrape, alert gauges on every evaluation.
        let builder = PrometheusBuilder::new()
            .idle_timeout(MetricKindMask::GAUGE, Some(Duration::from_secs(3600)))
            .set_buckets_for_metric(Matcher::Full("halocline_http_request_duration_seconds".into()), LATENCY_BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed; /metrics shows only what reaches this one");
        }
        describe_all();
        handle
    })
}

fn describe_all() {
    describe_gauge!(
        "ocean_avg_sst_celsius",
        "Mean over platforms of each one's newest sea surface temperature (degC), platforms within 24 h of the newest SST stored"
    );
    describe_gauge!(
        "ocean_avg_ph",
        "Mean over platforms of each one's newest pH, platforms within 24 h of the newest pH stored"
    );
    describe_gauge!(
        "ocean_avg_health_score",
        "Mean over reef sites of the 0-100 health score (compute::health::score) of each site's newest heat-stress day"
    );
    describe_counter!("ocean_records_total", "Stored records: profiles + series points + heat-stress days");
    describe_gauge!(
        "ocean_sst_last_day_celsius",
        "Mean of all stored SST observations (degC) per UTC day, the 7 days ending with the newest SST day"
    );
    describe_gauge!(
        "ocean_anomalies_last_hour",
        "Series anomalies (z >= 3 against the daily climatology, or QC 3/4) in the hour ending at the newest series observation"
    );
    describe_gauge!("ocean_ingest_lag_seconds", "Seconds since the newest stored observation of each source family");
    describe_gauge!("halocline_store_rows", "Rows stored per table");
    describe_gauge!("halocline_store_size_bytes", "Bytes the store occupies");
    describe_gauge!("halocline_uptime_seconds", "Seconds since this server started");
    describe_counter!("halocline_http_requests_total", "HTTP requests answered, by route template, method and status");
    describe_histogram!(
        "halocline_http_request_duration_seconds",
        "HTTP request latency until the response head, by route template, method and status"
    );
    describe_gauge!("halocline_alerts_firing", "Open built-in alerts per rule");
    describe_counter!("halocline_alert_notifications_total", "Alert notifications sent or failed, by receiver kind");
    // Recorded by the live sources (ingest).
    describe_counter!("ai_pipeline_fetches_total", "Fetches from a live source");
    describe_counter!("ai_pipeline_fetch_retries_total", "Fetch retries from a live source, by reason");
    describe_counter!("ai_pipeline_fetch_failures_total", "Fetches from a live source that failed after every retry");
    describe_gauge!(
        "ai_pipeline_last_success_timestamp_seconds",
        "Unix time of the last successful fetch from a live source"
    );
}

/// Length of the performance window.
pub const WINDOW_SECONDS: u64 = 60;
/// Latency histogram resolution: bucket `i` holds latencies in `[R^i, R^(i+1))` microseconds.
const RATIO: f64 = 1.04;
const BUCKETS: usize = 460;

struct Slot {
    /// Seconds since start this slot counts; a stale slot is reset before use.
    second: u64,
    requests: u64,
    errors: u64,
    hist: Vec<u32>,
}

/// Request counts and latencies: totals since start and per-second histograms over the last minute.
pub struct Telemetry {
    started: Instant,
    total: AtomicU64,
    errors: AtomicU64,
    window: Mutex<Vec<Slot>>,
    /// When the ocean gauges were last computed.
    ocean_refreshed: tokio::sync::Mutex<Option<Instant>>,
}

impl Default for Telemetry {
    fn default() -> Self {
        Telemetry {
            started: Instant::now(),
            total: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            window: Mutex::new(
                (0..WINDOW_SECONDS)
                    .map(|_| Slot { second: u64::MAX, requests: 0, errors: 0, hist: vec![0; BUCKETS] })
                    .collect(),
            ),
            ocean_refreshed: tokio::sync::Mutex::new(None),
        }
    }
}

/// The performance summary (`/api/v1/metrics/performance`).
#[derive(Debug, Clone, PartialEq)]
pub struct Performance {
    pub uptime: Duration,
    pub total_requests: u64,
    pub total_errors: u64,
    pub window_seconds: u64,
    pub window_requests: u64,
    pub window_errors: u64,
    pub throughput_rps: f64,
    pub error_rate: f64,
    /// p50, p95, p99 in milliseconds over the window (`None` without requests).
    pub latency_ms: Option<[f64; 3]>,
}

fn bucket(latency: Duration) -> usize {
    let us = latency.as_secs_f64() * 1e6;
    if us < 1.0 {
        return 0;
    }
    ((us.ln() / RATIO.ln()) as usize).min(BUCKETS - 1)
}

impl Telemetry {
    /// Counts one answered request (5xx answers count as errors).
    pub fn record(&self, latency: Duration, server_error: bool) {
        self.total.fetch_add(1, Ordering::Relaxed);
        if server_error {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        let second = self.started.elapsed().as_secs();
        let b = bucket(latency);
        let mut w = self.window.lock().unwrap_or_else(|p| p.into_inner());
        let slot = &mut w[(second % WINDOW_SECONDS) as usize];
        if slot.second != second {
            slot.second = second;
            slot.requests = 0;
            slot.errors = 0;
            slot.hist.iter_mut().for_each(|c| *c = 0);
        }
        slot.requests += 1;
        slot.errors += u64::from(server_error);
        slot.hist[b] = slot.hist[b].saturating_add(1);
    }

    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    /// Totals and the last [`WINDOW_SECONDS`] seconds' throughput, error rate and latency percentiles
    /// (each within 2 % of the true value: the histogram's bucket ratio is 1.04).
    pub fn performance(&self) -> Performance {
        let uptime = self.uptime();
        let now = uptime.as_secs();
        let mut hist = vec![0u64; BUCKETS];
        let (mut requests, mut errors) = (0u64, 0u64);
        {
            let w = self.window.lock().unwrap_or_else(|p| p.into_inner());
            for s in w.iter().filter(|s| s.second != u64::MAX && s.second + WINDOW_SECONDS > now) {
                requests += s.requests;
                errors += s.errors;
                for (h, c) in hist.iter_mut().zip(&s.hist) {
                    *h += u64::from(*c);
                }
            }
        }
        let span = uptime.as_secs_f64().clamp(1.0, WINDOW_SECONDS as f64);
        let quantile = |q: f64| -> f64 {
            let rank = ((q * requests as f64).ceil() as u64).max(1);
            let mut seen = 0;
            for (i, c) in hist.iter().enumerate() {
                seen += c;
                if seen >= rank {
                    // The bucket's geometric middle, in ms.
                    return RATIO.powf(i as f64 + 0.5) / 1000.0;
                }
            }
            f64::NAN
        };
        Performance {
            uptime,
            total_requests: self.total.load(Ordering::Relaxed),
            total_errors: self.errors.load(Ordering::Relaxed),
            window_seconds: WINDOW_SECONDS,
            window_requests: requests,
            window_errors: errors,
            throughput_rps: requests as f64 / span,
            error_rate: if requests == 0 { 0.0 } else { errors as f64 / requests as f64 },
            latency_ms: (requests > 0).then(|| [quantile(0.50), quantile(0.95), quantile(0.99)]),
        }
    }

    /// Recomputes the ocean and store gauges when they are older than `max_age` (one computation at a
    /// time; a caller finding one under way goes on with the current values).
    pub async fn refresh_ocean(&self, store: &dyn store::Store, max_age: Duration) {
        let Ok(mut last) = self.ocean_refreshed.try_lock() else { return };
        if last.is_some_and(|t| t.elapsed() < max_age) {
            return;
        }
        match query::ocean_summary(store).await {
            Ok(s) => {
                set_ocean_gauges(&s);
                *last = Some(Instant::now());
            }
            Err(e) => tracing::warn!("ocean metrics: {e}"),
        }
    }
}

fn set_ocean_gauges(s: &query::OceanSummary) {
    let opt = |v: Option<f64>| v.unwrap_or(f64::NAN);
    metrics::gauge!("ocean_avg_sst_celsius").set(opt(s.avg_sst));
    metrics::gauge!("ocean_avg_ph").set(opt(s.avg_ph));
    metrics::gauge!("ocean_avg_health_score").set(opt(s.avg_health));
    metrics::counter!("ocean_records_total").absolute(s.records);
    metrics::gauge!("ocean_anomalies_last_hour").set(s.anomalies_last_hour as f64);
    for (day, v) in &s.sst_by_day {
        metrics::gauge!("ocean_sst_last_day_celsius", "day" => day.to_string()).set(*v);
    }
    let now = chrono::Utc::now();
    for (source, t) in &s.newest_by_source {
        metrics::gauge!("ocean_ingest_lag_seconds", "source" => *source)
            .set((now - *t).num_milliseconds() as f64 / 1e3);
    }
    let c = &s.counts;
    for (table, n) in [
        ("platforms", c.platforms),
        ("profiles", c.profiles),
        ("levels", c.levels),
        ("series", c.series_points),
        ("reef_sites", c.reef_sites),
        ("heat_stress", c.heat_stress_days),
        ("profile_index", c.index_rows),
        ("files", c.files),
    ] {
        metrics::gauge!("halocline_store_rows", "table" => table).set(n as f64);
    }
    metrics::gauge!("halocline_store_size_bytes").set(s.size_bytes as f64);
}

/// Middleware: counts and times every request under its route template (`/api/profiles/{id}`, not the
/// raw path; `unmatched` for the dashboard fallback), method and status. Server-sent event streams are
/// counted but not timed (they last as long as the client stays).
pub async fn track(State(t): State<std::sync::Arc<Telemetry>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", |m| m.as_str()).to_string();
    let method = req.method().as_str().to_string();
    let resp = next.run(req).await;
    let latency = start.elapsed();
    let status = resp.status();
    metrics::counter!("halocline_http_requests_total", "route" => route.clone(), "method" => method.clone(), "status" => status.as_str().to_string())
        .increment(1);
    if route != "/api/events" {
        metrics::histogram!("halocline_http_request_duration_seconds", "route" => route, "method" => method, "status" => status.as_str().to_string())
            .record(latency.as_secs_f64());
        t.record(latency, status.is_server_error());
    }
    resp
}

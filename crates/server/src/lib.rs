//! The HTTP face of halocline (axum): `router(state)` builds every route; handlers extract, call one
//! store or query function, and convert to wire types. Only this crate knows HTTP. The dashboard's built
//! files (`web/dist`) are embedded and served at `/` (`web.rs`).

pub mod api;
pub mod auth;
pub mod erddap_api;
mod error;
mod openapi;
pub mod telemetry;
mod web;

use std::sync::Arc;

pub use axum::Router;
use axum::routing::get;
use store::Store;

pub use api::wire::ErrorBody;
pub use error::ApiError;
pub use openapi::ApiDoc;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// Bearer key that `POST /api/observations/ingest/` requires; `None` disables that route.
    pub ingest_key: Option<String>,
    /// Ocean Chat conversations (`POST /api/chat` sessions), in memory.
    pub chat: api::chat::Sessions,
    /// Ingests announced to `/api/events` subscribers.
    pub events: tokio::sync::broadcast::Sender<api::wire::IngestEvent>,
    /// Request counts and latencies (`/metrics`, `/api/v1/metrics/performance`).
    pub telemetry: Arc<telemetry::Telemetry>,
    /// Built-in alerting over the store (evaluated by [`spawn_workers`] and `POST /api/alerts/evaluate`).
    pub alerts: Arc<alert::Engine>,
    /// Credentials, read protection, rate limits, CORS and body limits (`auth/`).
    pub auth: Arc<auth::AuthConfig>,
    /// Live sources asked by `?live=true` queries; `None` answers them from the store.
    pub live: Option<Arc<ingest::sources::Sources>>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>) -> AppState {
        AppState {
            alerts: Arc::new(alert::Engine::new(store.clone(), Default::default())),
            store,
            ingest_key: None,
            chat: Default::default(),
            events: tokio::sync::broadcast::channel(64).0,
            telemetry: Default::default(),
            auth: Arc::new(auth::AuthConfig::dev()),
            live: None,
        }
    }

    /// The same state with alert notifications sent as `notify` says (the SMTP relay, timeouts).
    pub fn with_notify(self, notify: alert::NotifyConfig) -> AppState {
        AppState { alerts: Arc::new(alert::Engine::new(self.store.clone(), notify)), ..self }
    }

    /// The same state with `POST /api/observations/ingest/` enabled under `key`.
    pub fn with_ingest_key(self, key: Option<String>) -> AppState {
        AppState { ingest_key: key, ..self }
    }

    /// The same state under these auth settings.
    pub fn with_auth(self, auth: auth::AuthConfig) -> AppState {
        AppState { auth: Arc::new(auth), ..self }
    }

    /// The same state with `?live=true` queries refreshed from `sources` first.
    pub fn with_live(self, sources: Option<Arc<ingest::sources::Sources>>) -> AppState {
        AppState { live: sources, ..self }
    }
}

/// All routes over `state`; tests call it with `oneshot`, `serve` binds it to a socket.
pub fn router(state: AppState) -> Router {
    // The metrics recorder must exist before the first request (and before sources record fetches).
    telemetry::handle();
    let auth = state.auth.clone();
    let router = Router::new()
        .route("/health", get(api::health))
        .route("/api/openapi.json", get(openapi::document))
        .route("/api/docs", get(openapi::docs_page))
        .route("/ready", get(api::ready))
        .route("/api/argo", get(api::argo::search))
        .route("/api/argo/meta", get(api::argo::meta))
        .route("/api/argo/vocabulary", get(api::argo::vocabulary))
        .route("/api/platforms", get(api::platforms))
        .route("/api/profiles/{id}", get(api::profile))
        .route("/api/series", get(api::series))
        .route("/api/reefs/{id}/heatstress", get(api::heat_stress))
        .route("/api/buoys", get(api::stations::buoys))
        .route("/api/buoys/{id}/series", get(api::stations::buoy_series))
        .route("/api/reefs", get(api::stations::reefs))
        .route("/api/buoys/{id}/anomalies", get(api::science::buoy_anomalies))
        .route("/api/reefs/{id}/health", get(api::science::reef_health))
        .route("/data/latest", get(api::seed::latest))
        .route("/data/timeseries", get(api::seed::timeseries))
        .route("/data/anomalies", get(api::seed::anomalies))
        .route("/stats", get(api::seed::stats))
        .route("/api/locations/", get(api::seed::locations))
        .route("/api/observations/", get(api::seed::observations))
        .route("/api/observations/ingest/", axum::routing::post(api::seed::ingest_observations))
        .route("/api/chat", axum::routing::post(api::chat::chat))
        .route("/api/floats/latest", get(api::dashboard::floats_latest))
        .route("/api/reefs/status", get(api::dashboard::reef_status))
        .route("/api/events", get(api::dashboard::events))
        .route("/metrics", get(api::ops::prometheus))
        .route("/api/v1/metrics/performance", get(api::ops::performance))
        .merge(api::alerts::read_routes())
        .merge(api::alerts::write_routes())
        .route("/api/grids", get(api::grids::list))
        .route("/api/grids/{dataset}/{variable}", get(api::grids::grid))
        .route("/api/grids/{dataset}/{variable}/image.png", get(api::grids::image))
        .route("/api/grids/{dataset}/{variable}/legend", get(api::grids::legend))
        .route("/", get(web::asset))
        .merge(erddap_api::routes())
        .merge(auth::handlers::routes())
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), auth::guard::guard))
        .fallback(web::asset)
        .layer(axum::middleware::from_fn_with_state(state.telemetry.clone(), telemetry::track))
        .with_state(state);
    auth::layers::wrap(router, &auth)
}

/// Only `/metrics`, for a separate metrics port (`--metrics-bind`).
pub fn metrics_router(state: AppState) -> Router {
    Router::new().route("/metrics", get(api::ops::prometheus)).with_state(state)
}

/// Starts the background work of a serving process: alert evaluation after every announced ingest and
/// every `alert_interval`, and the metrics recorder's upkeep. Stops when the runtime does.
pub fn spawn_workers(state: &AppState, alert_interval: std::time::Duration) -> tokio::task::JoinHandle<()> {
    telemetry::handle();
    let state = state.clone();
    let mut events = state.events.subscribe();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(alert_interval.max(std::time::Duration::from_secs(1)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                ev = events.recv() => {
                    if let Err(tokio::sync::broadcast::error::RecvError::Closed) = ev {
                        return;
                    }
                }
            }
            telemetry::handle().run_upkeep();
            match state.alerts.evaluate(chrono::Utc::now()).await {
                Ok(r) if r.fired + r.resolved > 0 || !r.errors.is_empty() => {
                    tracing::info!(fired = r.fired, resolved = r.resolved, errors = ?r.errors, "alerts evaluated")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("alert evaluation failed: {e}"),
            }
        }
    })
}

/// Sends one GET through `router` without a socket and returns the status and body (for benchmarks and
/// tools that must not speak HTTP themselves).
pub async fn get_in_process(router: &Router, uri: &str) -> Result<(u16, Vec<u8>), String> {
    use tower::ServiceExt;
    let req = axum::http::Request::get(uri).body(axum::body::Body::empty()).map_err(|e| e.to_string())?;
    let resp = router.clone().oneshot(req).await.map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX).await.map_err(|e| e.to_string())?;
    Ok((status, body.to_vec()))
}

/// Sends one GET through `router` and counts the body's bytes as they stream, without keeping them
/// (for benchmarks of large answers).
pub async fn get_in_process_streamed(router: &Router, uri: &str) -> Result<(u16, u64), String> {
    use futures_util::StreamExt;
    use tower::ServiceExt;
    let req = axum::http::Request::get(uri).body(axum::body::Body::empty()).map_err(|e| e.to_string())?;
    let resp = router.clone().oneshot(req).await.map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let mut stream = resp.into_body().into_data_stream();
    let mut n = 0u64;
    while let Some(chunk) = stream.next().await {
        n += chunk.map_err(|e| e.to_string())?.len() as u64;
    }
    Ok((status, n))
}

/// Serves `/metrics` alone on `listener` until Ctrl-C.
pub async fn serve_metrics(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    serve_metrics_until(listener, state, ctrl_c()).await
}

/// Serves `/metrics` alone on `listener` until `shutdown` resolves, then finishes the scrapes in flight.
pub async fn serve_metrics_until(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, metrics_router(state)).with_graceful_shutdown(shutdown).await
}

/// Serves `router` on `listener` until Ctrl-C.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    serve_until(listener, state, ctrl_c()).await
}

/// Serves `router` on `listener` until `shutdown` resolves, then drains: stops accepting, lets every
/// request in flight finish (an ingest completes its transaction), and ends the open event streams
/// (`text/event-stream`, which never end by themselves) so they do not hold the drain. Returns when the
/// last connection closed; the caller bounds that with its grace period.
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let app = router(state).layer(axum::middleware::map_response(move |resp: axum::response::Response| {
        let stop = stop_rx.clone();
        async move { end_event_stream_at(resp, stop) }
    }));
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        })
        .await
}

/// An event stream's body ends when `stop` turns true; other responses pass unchanged.
fn end_event_stream_at(
    resp: axum::response::Response,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> axum::response::Response {
    use futures_util::StreamExt;
    let is_stream = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    if !is_stream {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let stopped = async move {
        let _ = stop.wait_for(|s| *s).await;
    };
    axum::response::Response::from_parts(
        parts,
        axum::body::Body::from_stream(body.into_data_stream().take_until(stopped)),
    )
}

async fn ctrl_c() {
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod grid_tests;
#[cfg(test)]
mod ops_tests;
#[cfg(test)]
mod snapshot_tests;
#[cfg(test)]
mod tests;

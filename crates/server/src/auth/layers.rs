//! The outer layers of every response: a request id (`x-request-id`, taken from the request when it is
//! sane, else made) and a tracing span carrying it, so every log line of a request shares its id; one
//! `request` log line per request; security headers (CSP fitted to the dashboard, nosniff,
//! Referrer-Policy, frame-ancestors); CORS for a configured allow-list; and a body size limit.

use std::time::Instant;

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use super::RequestId;

fn sane_id(v: &HeaderValue) -> Option<String> {
    let s = v.to_str().ok()?;
    (!s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b)))
        .then(|| s.to_string())
}

/// Request id, span and access log.
pub async fn trace(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(sane_id)
        .unwrap_or_else(|| super::hex(&super::credentials::random_bytes(8)));
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path());
    let started = Instant::now();
    let mut resp = next.run(req).instrument(span.clone()).await;
    let status = resp.status().as_u16();
    span.in_scope(|| {
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        // Server errors and slow answers always; every request at debug (`HALOCLINE_LOG=server=debug`):
        // a line per request at info costs a quarter of the throughput of a fast route.
        if status >= 500 {
            tracing::warn!(status, ms, "request");
        } else if ms >= 1000.0 {
            tracing::info!(status, ms, "slow request");
        } else {
            tracing::debug!(status, ms, "request");
        }
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(HeaderName::from_static("x-request-id"), v);
    }
    resp
}

/// CSP of HTML pages: the dashboard (`web/`) loads its module script, stylesheet and the bundled land
/// from itself, draws on canvas/WebGL (MapLibre's workers are blob: URLs), sets inline styles from
/// script, and reads only our API; `/api/docs` has an inline `<style>`.
pub const CSP_HTML: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; \
     child-src blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// CSP of everything else (JSON, CSV, NetCDF): nothing may run or embed it.
pub const CSP_DATA: &str = "default-src 'none'; frame-ancestors 'none'";

/// Security headers on every response (a handler's own value wins).
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let h = resp.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set(header::CONTENT_SECURITY_POLICY, if html { CSP_HTML } else { CSP_DATA });
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "no-referrer");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
    resp
}

/// Refuses a body whose declared length is over `max` (413 with the API's error body); bodies without
/// a length are cut by axum's `DefaultBodyLimit` at the same size.
pub async fn body_limit(max: usize, req: Request, next: Next) -> Response {
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return crate::ApiError::too_large(format!("the request body is over the limit of {max} bytes"))
            .into_response();
    }
    next.run(req).await
}

/// CORS for exact origins (`https://example.org`); `None` when the list is empty (same origin only).
pub fn cors(origins: &[String]) -> Result<Option<tower_http::cors::CorsLayer>, String> {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    if origins.is_empty() {
        return Ok(None);
    }
    let mut list = Vec::new();
    for o in origins {
        if o == "*" {
            return Err("CORS origin '*' is not allowed: list the origins".into());
        }
        list.push(HeaderValue::from_str(o).map_err(|_| format!("CORS origin {o:?} is not a header value"))?);
    }
    Ok(Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(list))
            .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                HeaderName::from_static("x-api-key"),
                HeaderName::from_static("x-request-id"),
            ])
            .expose_headers([
                HeaderName::from_static("x-request-id"),
                HeaderName::from_static("x-total-count"),
                HeaderName::from_static("x-ratelimit-remaining"),
                header::RETRY_AFTER,
            ])
            .max_age(std::time::Duration::from_secs(3600)),
    ))
}

/// The outer layers around a routed app: body limit, CORS, security headers, then (outermost) the
/// request id and span.
pub fn wrap(router: axum::Router, cfg: &super::AuthConfig) -> axum::Router {
    let max = cfg.max_body_bytes;
    let mut r = router
        .layer(axum::extract::DefaultBodyLimit::max(max))
        .layer(axum::middleware::from_fn(move |req, next| body_limit(max, req, next)));
    match cors(&cfg.cors_origins) {
        Ok(Some(c)) => r = r.layer(c),
        Ok(None) => {}
        Err(e) => tracing::error!(error = %e, "CORS is off"),
    }
    r.layer(axum::middleware::from_fn(security_headers)).layer(axum::middleware::from_fn(trace))
}

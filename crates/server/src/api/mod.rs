//! The native REST API: thin handlers over the store; parameters parsed at the edge, wire types in `wire`.

pub mod alerts;
pub mod argo;
pub mod chat;
pub mod dashboard;
pub mod grids;
pub mod live;
pub mod ops;
mod params;
pub mod science;
pub mod seed;
pub mod stations;
pub mod wire;

use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::NaiveDate;
use model::{PlatformKind, ProfileKey};

use crate::{ApiError, AppState, ErrorBody};
use params::{PlatformsParams, SeriesParams};

#[utoipa::path(get, path = "/health", tag = "service", responses((status = 200, body = wire::Health)))]
pub async fn health(State(state): State<AppState>) -> Result<Json<wire::Health>, ApiError> {
    let ready = state.store.ready().await.unwrap_or(false);
    Ok(Json(wire::Health { status: "ok", version: env!("CARGO_PKG_VERSION"), store_ready: ready }))
}

/// 200 when the store answers and its migrations are applied, 503 otherwise.
#[utoipa::path(get, path = "/ready", tag = "service", responses((status = 200, description = "store reachable and migrated"), (status = 503, body = ErrorBody)))]
pub async fn ready(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    match state.store.ready().await {
        Ok(true) => Ok(Json(serde_json::json!({ "ready": true }))),
        Ok(false) => Err(ApiError::new(model::ErrorCode::Unavailable, "store migrations are not applied")),
        Err(e) => Err(ApiError::new(model::ErrorCode::Unavailable, format!("store unreachable: {e}"))),
    }
}

#[utoipa::path(get, path = "/api/platforms", tag = "platforms", params(PlatformsParams), responses((status = 200, body = Vec<wire::PlatformOut>), (status = 400, description = "a parameter is malformed", body = ErrorBody)))]
pub async fn platforms(
    State(state): State<AppState>,
    Query(q): Query<PlatformsParams>,
) -> Result<Json<Vec<wire::PlatformOut>>, ApiError> {
    let kind = match q.kind.as_deref() {
        None | Some("") => None,
        Some(k) => Some(PlatformKind::parse(k).ok_or_else(|| {
            ApiError::bad_request(format!(
                "unknown platform kind {k:?}: use argo_float, buoy, fixed_station, dart, reef_site or other"
            ))
        })?),
    };
    let list = state.store.platforms(kind).await?;
    Ok(Json(list.iter().map(wire::PlatformOut::from).collect()))
}

#[utoipa::path(get, path = "/api/profiles/{id}", tag = "argo", params(("id" = String, Path, description = "PLATFORM_CYCLE, D suffix for descending: 4900590_097"), params::ProfileParams), responses((status = 200, body = wire::ArgovisProfile), (status = 400, description = "a parameter is malformed", body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn profile(
    State(state): State<AppState>,
    Path(id): Path<String>,
    q: Result<Query<params::ProfileParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<wire::ArgovisProfile>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let values = q.values()?;
    let key = ProfileKey::parse(&id).ok_or_else(|| {
        ApiError::bad_request(format!("profile id {id:?} is not PLATFORM_CYCLE (e.g. 4900590_097, or 1902714_001D)"))
    })?;
    let p = state.store.profile(&key).await?.ok_or_else(|| ApiError::not_found(format!("no profile {}", key.id())))?;
    Ok(Json(wire::ArgovisProfile::with_values(&p, true, values)))
}

#[utoipa::path(get, path = "/api/series", tag = "series", params(SeriesParams), responses((status = 200, body = wire::SeriesOut), (status = 400, description = "a parameter is malformed", body = ErrorBody)))]
pub async fn series(
    State(state): State<AppState>,
    Query(q): Query<SeriesParams>,
) -> Result<Json<wire::SeriesOut>, ApiError> {
    let q = q.parse()?;
    let points = state.store.series(&q.platform, &q.variable, q.time).await?;
    Ok(Json(wire::SeriesOut::new(&q.platform, &q.variable, &points)))
}

#[utoipa::path(get, path = "/api/reefs/{id}/heatstress", tag = "reefs", params(("id" = String, Path, description = "reef site id, e.g. florida_keys"), params::DateRangeParams), responses((status = 200, body = wire::HeatStressOut), (status = 400, description = "a parameter is malformed", body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn heat_stress(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<params::DateRangeParams>,
) -> Result<Json<wire::HeatStressOut>, ApiError> {
    let (from, to) = q.parse()?;
    let site = state.store.reef_site(&id).await?.ok_or_else(|| ApiError::not_found(format!("no reef site {id:?}")))?;
    let days = state.store.heat_stress(&id, from.unwrap_or(NaiveDate::MIN), to.unwrap_or(NaiveDate::MAX)).await?;
    Ok(Json(wire::HeatStressOut::new(&site, &days)))
}

pub async fn not_found() -> ApiError {
    ApiError::not_found(
        "no such route: see /health, /api/platforms, /api/profiles/{id}, /api/series, /api/reefs/{id}/heatstress",
    )
}

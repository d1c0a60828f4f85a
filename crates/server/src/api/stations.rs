//! `/api/buoys`, `/api/buoys/{id}/series`, `/api/reefs`: fixed platforms found by the same region and
//! time parameters as `/api/argo`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use model::{PlatformKind, TimeRange};
use serde::Deserialize;

use super::argo::parse_region;
use super::params::{SeriesParams, parse_instant};
use super::{live, wire};
use crate::{ApiError, AppState, ErrorBody};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StationParams {
    pub polygon: Option<String>,
    pub multipolygon: Option<String>,
    #[serde(rename = "box")]
    pub bbox: Option<String>,
    pub center: Option<String>,
    pub radius: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

async fn find(state: &AppState, p: &StationParams, kinds: &[PlatformKind]) -> Result<Vec<wire::PlatformOut>, ApiError> {
    let region = parse_region(
        p.polygon.as_deref(),
        p.multipolygon.as_deref(),
        p.bbox.as_deref(),
        p.center.as_deref(),
        p.radius.as_deref(),
    )?;
    let start = p.start_date.as_deref().map(|s| parse_instant("startDate", s)).transpose()?;
    let end = p.end_date.as_deref().map(|s| parse_instant("endDate", s)).transpose()?;
    let time = match (start, end) {
        (None, None) => None,
        (a, b) => Some(
            TimeRange::new(
                a.unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC),
                b.unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC),
            )
            .map_err(|e| ApiError::bad_request(format!("startDate/endDate: {e}")))?,
        ),
    };
    let found = query::stations::platforms_in(&*state.store, kinds, region.as_ref(), time).await?;
    Ok(found.iter().map(wire::PlatformOut::from).collect())
}

#[utoipa::path(get, path = "/api/buoys", tag = "buoys", params(StationParams), responses((status = 200, body = Vec<wire::PlatformOut>), (status = 400, description = "a parameter is malformed", body = ErrorBody)))]
pub async fn buoys(
    State(state): State<AppState>,
    params: Result<Query<StationParams>, QueryRejection>,
) -> Result<Json<Vec<wire::PlatformOut>>, ApiError> {
    let Query(p) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    Ok(Json(
        find(&state, &p, &[PlatformKind::Buoy, PlatformKind::FixedStation, PlatformKind::Dart, PlatformKind::Other])
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/reefs", tag = "reefs", params(StationParams), responses((status = 200, body = Vec<wire::PlatformOut>), (status = 400, description = "a parameter is malformed", body = ErrorBody)))]
pub async fn reefs(
    State(state): State<AppState>,
    params: Result<Query<StationParams>, QueryRejection>,
) -> Result<Json<Vec<wire::PlatformOut>>, ApiError> {
    let Query(p) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    Ok(Json(find(&state, &p, &[PlatformKind::ReefSite]).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BuoySeriesParams {
    pub variable: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// Refresh from the live source (NDBC realtime2) within its deadline before answering.
    pub live: Option<bool>,
}

#[utoipa::path(get, path = "/api/buoys/{id}/series", tag = "buoys", params(("id" = String, Path, description = "NDBC station id"), BuoySeriesParams), responses((status = 200, body = wire::SeriesOut), (status = 400, description = "a parameter is malformed", body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn buoy_series(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Result<Query<BuoySeriesParams>, QueryRejection>,
) -> Result<Json<wire::SeriesOut>, ApiError> {
    let Query(p) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let q = SeriesParams { platform: Some(id), variable: p.variable, start_date: p.start_date, end_date: p.end_date }
        .parse()?;
    let fresh = live::refresh(&state, p.live.unwrap_or(false), live::LiveTarget::Buoy(&q.platform)).await;
    let points = state.store.series(&q.platform, &q.variable, q.time).await?;
    if points.is_empty() && !state.store.platforms(None).await?.iter().any(|s| s.platform.id == q.platform) {
        return Err(ApiError::not_found(format!("no matching results found: no buoy {}", q.platform)));
    }
    Ok(Json(wire::SeriesOut::new(&q.platform, &q.variable, &points).with_freshness(&fresh)))
}

//! `/api/buoys/{id}/anomalies` (z-scores against the daily climatology, or the isolation forest) and
//! `/api/reefs/{id}/health` (the 0–100 health score and the seed's legacy score).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, NaiveDate, Utc};
use model::TimeRange;
use serde::Deserialize;

use super::params::parse_instant;
use super::wire;
use crate::{ApiError, AppState, ErrorBody};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BuoyAnomalyParams {
    /// `zscore` (default: |z| ≥ 3 against the series' daily climatology, plus QC-flagged points) or
    /// `iforest` (isolation forest over the buoy's variables, one row per time).
    pub method: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// `iforest` only: the score from which a row is anomalous, in (0, 1); default 0.65.
    pub threshold: Option<f64>,
}

#[utoipa::path(get, path = "/api/buoys/{id}/anomalies", tag = "buoys", params(("id" = String, Path, description = "NDBC station id"), BuoyAnomalyParams), responses((status = 200, body = Vec<wire::BuoyAnomalyOut>), (status = 400, description = "a parameter is malformed", body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn buoy_anomalies(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Result<Query<BuoyAnomalyParams>, QueryRejection>,
) -> Result<Json<Vec<wire::BuoyAnomalyOut>>, ApiError> {
    let Query(p) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let start = p.start_date.as_deref().map(|s| parse_instant("startDate", s)).transpose()?;
    let end = p.end_date.as_deref().map(|s| parse_instant("endDate", s)).transpose()?;
    let window = TimeRange::new(start.unwrap_or(DateTime::<Utc>::MIN_UTC), end.unwrap_or(DateTime::<Utc>::MAX_UTC))
        .map_err(|e| ApiError::bad_request(format!("startDate/endDate: {e}")))?;
    let method = p.method.as_deref().unwrap_or("zscore");
    if method != "iforest" && p.threshold.is_some() {
        return Err(ApiError::bad_request("threshold applies to method=iforest only"));
    }
    let known = state.store.platforms(None).await?.iter().any(|s| s.platform.id == id && s.series_points > 0);
    if !known {
        return Err(ApiError::not_found(format!("no matching results found: no buoy series for {id}")));
    }
    let out = match method {
        "zscore" => query::series_anomalies(&*state.store, window, None, 10_000)
            .await?
            .into_iter()
            .filter(|a| a.platform == id)
            .map(wire::BuoyAnomalyOut::series)
            .collect(),
        "iforest" => query::buoy_forest_anomalies(&*state.store, &id, window, p.threshold)
            .await?
            .into_iter()
            .map(wire::BuoyAnomalyOut::forest)
            .collect(),
        other => return Err(ApiError::bad_request(format!("method={other}: use zscore or iforest"))),
    };
    Ok(Json(out))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReefHealthParams {
    /// `YYYY-MM-DD`; default: the newest stored day.
    pub date: Option<String>,
}

#[utoipa::path(get, path = "/api/reefs/{id}/health", tag = "reefs", params(("id" = String, Path, description = "reef site id"), ReefHealthParams), responses((status = 200, body = wire::ReefHealthOut), (status = 400, description = "a parameter is malformed", body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reef_health(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Result<Query<ReefHealthParams>, QueryRejection>,
) -> Result<Json<wire::ReefHealthOut>, ApiError> {
    let Query(p) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let date = p
        .date
        .as_deref()
        .map(|d| {
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| ApiError::bad_request(format!("date={d}: use YYYY-MM-DD")))
        })
        .transpose()?;
    match query::reef_health(&*state.store, &id, date).await? {
        Some(h) => Ok(Json(h.into())),
        None => Err(ApiError::not_found(format!("no matching results found: no heat stress for reef {id}"))),
    }
}

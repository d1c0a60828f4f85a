//! The seed services' short routes over stored data: `/data/latest`, `/data/timeseries`, `/data/anomalies`,
//! `/stats`, `/api/locations/`, `/api/observations/` and `POST /api/observations/ingest/`.
//!
//! "Latest" is the newest stored observation of each (platform, variable), whatever its age; every item
//! carries its time and its age in seconds, so a stale source shows as stale. Windows of `days` end at
//! the newest stored observation (the store may hold archives far older than today), and say so in
//! `until`.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use model::{PlatformKind, QcFlag, SeriesPoint, TimeRange, Variable};
use serde::Deserialize;
use store::{FileBatch, SeriesFilter};

use super::params::parse_instant;
use super::wire::{
    AnomalyOut, DailyOut, IngestOut, LatestOut, LocationOut, Observation, StatsOut, TimeseriesOut, VariableStatsOut,
};
use crate::{ApiError, AppState, ErrorBody};

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LiveParams {
    /// Refresh from the live sources (NDBC realtime2) within their deadline before answering.
    pub live: Option<bool>,
}

#[utoipa::path(get, path = "/data/latest", tag = "seed", params(LiveParams), responses((status = 200, body = Vec<LatestOut>), (status = 400, description = "a parameter is malformed", body = ErrorBody)))]
pub async fn latest(
    State(state): State<AppState>,
    params: Result<Query<LiveParams>, QueryRejection>,
) -> Result<Json<Vec<LatestOut>>, ApiError> {
    let Query(p) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let fresh = super::live::refresh(&state, p.live.unwrap_or(false), super::live::LiveTarget::Latest).await;
    let fetched_at = super::live::fetched_at(&fresh);
    let now = Utc::now();
    let pts = state.store.series_latest().await?;
    Ok(Json(
        pts.into_iter()
            .map(|p| LatestOut {
                location_id: p.platform,
                variable: p.variable,
                timestamp: iso(p.time),
                age_seconds: (now - p.time).num_seconds(),
                depth: p.depth,
                value: p.value,
                quality_flag: p.qc.digit(),
                data_source: fresh.data_source.as_str(),
                fetched_at: fetched_at.clone(),
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WindowParams {
    pub days: Option<String>,
    pub variable: Option<String>,
}

struct Window {
    time: TimeRange,
    variable: Option<&'static Variable>,
}

async fn window(state: &AppState, p: &WindowParams) -> Result<Option<Window>, ApiError> {
    let days: i64 = match &p.days {
        None => 7,
        Some(d) => d
            .parse()
            .ok()
            .filter(|d| (1..=366).contains(d))
            .ok_or_else(|| ApiError::bad_request(format!("days {d:?} is not an integer in 1..=366")))?,
    };
    let variable = match &p.variable {
        None => None,
        Some(v) => Some(Variable::lookup(v).ok_or_else(|| ApiError::bad_request(format!("unknown variable {v:?}")))?),
    };
    Ok(query::seed::latest_window(&*state.store, days).await?.map(|time| Window { time, variable }))
}

/// Daily mean, min and max per (platform, variable) over the window.
#[utoipa::path(get, path = "/data/timeseries", tag = "seed", params(WindowParams), responses((status = 200, body = TimeseriesOut), (status = 400, description = "a parameter is malformed", body = ErrorBody)))]
pub async fn timeseries(
    State(state): State<AppState>,
    params: Result<Query<WindowParams>, QueryRejection>,
) -> Result<Json<TimeseriesOut>, ApiError> {
    let Query(p) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let Some(w) = window(&state, &p).await? else {
        return Ok(Json(TimeseriesOut { since: None, until: None, data: Vec::new() }));
    };
    let variable = w.variable.map_or("sea_surface_temperature", |v| v.name);
    let data = query::seed::daily_stats(&*state.store, variable, w.time)
        .await?
        .into_iter()
        .map(|d| DailyOut {
            location_id: d.platform,
            variable: variable.to_string(),
            date: d.date.format("%Y-%m-%d").to_string(),
            mean: d.mean,
            min: d.min,
            max: d.max,
            count: d.count,
        })
        .collect();
    Ok(Json(TimeseriesOut { since: Some(iso(w.time.start())), until: Some(iso(w.time.end())), data }))
}

/// Anomalies in the window, each with its reason: values 3 or more standard deviations from the series'
/// daily climatology (all stored years), and points QC flagged 3 (suspect) or 4 (fail).
#[utoipa::path(get, path = "/data/anomalies", tag = "seed", params(WindowParams), responses((status = 200, body = Vec<AnomalyOut>), (status = 400, description = "a parameter is malformed", body = ErrorBody)))]
pub async fn anomalies(
    State(state): State<AppState>,
    params: Result<Query<WindowParams>, QueryRejection>,
) -> Result<Json<Vec<AnomalyOut>>, ApiError> {
    let Query(p) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let Some(w) = window(&state, &p).await? else { return Ok(Json(Vec::new())) };
    let found = query::series_anomalies(&*state.store, w.time, w.variable.map(|v| v.name), 10_000).await?;
    Ok(Json(
        found
            .into_iter()
            .map(|a| AnomalyOut {
                location_id: a.platform,
                variable: a.variable,
                timestamp: iso(a.time),
                value: a.value,
                quality_flag: a.qc.digit(),
                kind: a.kind,
                z: a.z,
                reason: a.reason,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/stats", tag = "seed", responses((status = 200, body = StatsOut)))]
pub async fn stats(State(state): State<AppState>) -> Result<Json<StatsOut>, ApiError> {
    let c = state.store.counts().await?;
    let vars = state.store.series_stats().await?;
    Ok(Json(StatsOut {
        files: c.files,
        platforms: c.platforms,
        profiles: c.profiles,
        levels: c.levels,
        series_points: c.series_points,
        reef_sites: c.reef_sites,
        heat_stress_days: c.heat_stress_days,
        variables: vars
            .into_iter()
            .map(|v| VariableStatsOut {
                units: Variable::lookup(&v.variable).map_or("", |x| x.units),
                variable: v.variable,
                platforms: v.platforms,
                count: v.count,
                min: v.min,
                max: v.max,
                mean: v.mean,
                first: v.first.map(iso),
                last: v.last.map(iso),
            })
            .collect(),
    }))
}

/// Platforms with a fixed position (stations, buoys, reef sites).
#[utoipa::path(get, path = "/api/locations/", tag = "seed", responses((status = 200, body = Vec<LocationOut>)))]
pub async fn locations(State(state): State<AppState>) -> Result<Json<Vec<LocationOut>>, ApiError> {
    let list = state.store.platforms(None).await?;
    Ok(Json(
        list.into_iter()
            .filter(|s| s.platform.kind != PlatformKind::ArgoFloat)
            .filter_map(|s| {
                let pos = s.platform.position?;
                Some(LocationOut {
                    id: s.platform.id,
                    name: s.platform.name,
                    kind: s.platform.kind.as_str(),
                    latitude: pos.lat,
                    longitude: pos.lon,
                })
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ObservationParams {
    pub location: Option<String>,
    pub variable: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub limit: Option<String>,
}

#[utoipa::path(get, path = "/api/observations/", tag = "seed", params(ObservationParams), responses((status = 200, body = Vec<Observation>), (status = 400, description = "a parameter is malformed", body = ErrorBody)))]
pub async fn observations(
    State(state): State<AppState>,
    params: Result<Query<ObservationParams>, QueryRejection>,
) -> Result<Json<Vec<Observation>>, ApiError> {
    let Query(p) = params.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let variable = match &p.variable {
        Some(v) => {
            Some(Variable::lookup(v).ok_or_else(|| ApiError::bad_request(format!("unknown variable {v:?}")))?.name)
        }
        None => None,
    };
    let start = p.start.as_deref().map(|s| parse_instant("start", s)).transpose()?;
    let end = p.end.as_deref().map(|s| parse_instant("end", s)).transpose()?;
    let time = match (start, end) {
        (None, None) => None,
        (a, b) => Some(
            TimeRange::new(a.unwrap_or(DateTime::<Utc>::MIN_UTC), b.unwrap_or(DateTime::<Utc>::MAX_UTC))
                .map_err(|e| ApiError::bad_request(format!("start/end: {e}")))?,
        ),
    };
    let limit = match &p.limit {
        None => 10_000,
        Some(l) => l
            .parse()
            .ok()
            .filter(|l| (1..=100_000).contains(l))
            .ok_or_else(|| ApiError::bad_request(format!("limit {l:?} is not an integer in 1..=100000")))?,
    };
    if p.location.is_none() && time.is_none() {
        return Err(ApiError::bad_request("give a location or a start/end time range"));
    }
    let filter = SeriesFilter {
        platform: p.location.clone(),
        variable: variable.map(str::to_string),
        time,
        limit: Some(limit),
        ..Default::default()
    };
    let pts = state.store.series_points(&filter).await?;
    Ok(Json(
        pts.into_iter()
            .map(|p| Observation {
                location_id: p.platform,
                timestamp: iso(p.time),
                value: p.value,
                variable: p.variable,
                quality_flag: p.qc.digit(),
                source: None,
                depth: Some(p.depth),
            })
            .collect(),
    ))
}

/// Stores JSON observations in one transaction; needs the `ingest` permission (an API key with it, an
/// admin's token, or the key in `HALOCLINE_INGEST_KEY`). The whole batch is validated first: one bad
/// item rejects it with a 400 naming the item, and nothing is stored.
#[utoipa::path(post, path = "/api/observations/ingest/", tag = "seed", request_body = Vec<Observation>, security(("bearer" = []), ("api_key" = [])), responses((status = 200, body = IngestOut), (status = 400, description = "a parameter is malformed", body = ErrorBody), (status = 401, description = "no or bad credential", body = ErrorBody), (status = 403, description = "needs the ingest permission", body = ErrorBody), (status = 413, description = "body too large", body = ErrorBody), (status = 429, description = "rate limited", body = ErrorBody)))]
pub async fn ingest_observations(
    State(state): State<AppState>,
    caller: crate::auth::accounts::Caller,
    body: Result<Json<Vec<Observation>>, JsonRejection>,
) -> Result<Json<IngestOut>, ApiError> {
    let Json(items) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let mut points = Vec::with_capacity(items.len());
    for (i, o) in items.iter().enumerate() {
        let bad = |m: String| ApiError::bad_request(format!("item {i}: {m}"));
        let var = Variable::lookup(&o.variable).ok_or_else(|| bad(format!("unknown variable {:?}", o.variable)))?;
        let time = parse_instant("timestamp", &o.timestamp).map_err(|e| bad(e.message))?;
        if !o.value.is_finite() {
            return Err(bad("value is not a finite number".into()));
        }
        if o.location_id.trim().is_empty() {
            return Err(bad("location_id is empty".into()));
        }
        let qc = match o.quality_flag {
            None => QcFlag::NO_QC,
            Some(q) => QcFlag::new(q).ok_or_else(|| bad(format!("quality_flag {q} is not 0-9")))?,
        };
        points.push(SeriesPoint {
            platform: o.location_id.trim().to_string(),
            variable: var.name.to_string(),
            time,
            depth: o.depth.unwrap_or(0.0),
            value: o.value,
            qc,
        });
    }
    let mut stubs: Vec<model::Platform> = Vec::new();
    for p in &points {
        if !stubs.iter().any(|s| s.id == p.platform) {
            stubs.push(model::Platform::new(p.platform.clone(), PlatformKind::Other));
        }
    }
    let batch = FileBatch {
        source: format!("api:{}", Utc::now().format("%Y-%m-%dT%H:%M:%S%.fZ")),
        kind: "api observations".into(),
        platform_stubs: stubs,
        series: points,
        ..Default::default()
    };
    let written = ingest::store_batch(&*state.store, &batch).await?;
    if written.series_points > 0 {
        // No subscriber is not an error.
        let _ = state.events.send(super::wire::IngestEvent {
            source: batch.source.clone(),
            platforms: batch.platform_stubs.iter().map(|p| p.id.clone()).collect(),
            series_points: written.series_points,
            profiles: 0,
            at: Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        });
    }
    crate::auth::accounts::audit(
        &*state.store,
        Some(&caller),
        "ingest",
        Some(&batch.source),
        "ok",
        format!("{} received, {} stored", items.len(), written.series_points),
    )
    .await;
    Ok(Json(IngestOut { received: items.len(), stored: written.series_points }))
}

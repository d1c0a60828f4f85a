//! The seed services' short routes: `/data/latest`, `/data/timeseries`, `/data/anomalies`, `/stats`,
//! `/api/locations/`, `/api/observations/` and the body of `POST /api/observations/ingest/`.

use serde::{Deserialize, Serialize};

#[derive(Serialize, utoipa::ToSchema)]
pub struct LatestOut {
    pub location_id: String,
    pub variable: String,
    pub timestamp: String,
    pub age_seconds: i64,
    pub depth: f64,
    pub value: f64,
    pub quality_flag: Option<u8>,
    /// `live_api` when `live=true` refreshed the data from the live source, else `local_db`.
    pub data_source: &'static str,
    /// When the data was fetched (from the live API or the store), ISO 8601.
    pub fetched_at: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DailyOut {
    pub location_id: String,
    pub variable: String,
    pub date: String,
    pub mean: f64,
    pub min: f64,
    pub max: f64,
    pub count: usize,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TimeseriesOut {
    pub since: Option<String>,
    pub until: Option<String>,
    pub data: Vec<DailyOut>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AnomalyOut {
    pub location_id: String,
    pub variable: String,
    pub timestamp: String,
    pub value: f64,
    pub quality_flag: Option<u8>,
    /// `z_score` or `qc_flag`.
    pub kind: &'static str,
    pub z: Option<f64>,
    pub reason: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct VariableStatsOut {
    pub variable: String,
    pub units: &'static str,
    pub platforms: u64,
    pub count: u64,
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub first: Option<String>,
    pub last: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct StatsOut {
    pub files: u64,
    pub platforms: u64,
    pub profiles: u64,
    pub levels: u64,
    pub series_points: u64,
    pub reef_sites: u64,
    pub heat_stress_days: u64,
    pub variables: Vec<VariableStatsOut>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LocationOut {
    pub id: String,
    pub name: Option<String>,
    pub kind: &'static str,
    pub latitude: f64,
    pub longitude: f64,
}

#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct Observation {
    pub location_id: String,
    pub timestamp: String,
    pub value: f64,
    pub variable: String,
    #[serde(default)]
    pub quality_flag: Option<u8>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub depth: Option<f64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct IngestOut {
    pub received: usize,
    pub stored: u64,
}

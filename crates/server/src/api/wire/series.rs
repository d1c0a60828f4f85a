//! A stored time series (`/api/series`, `/api/buoys/{id}/series`).

use model::{SeriesPoint, Variable};
use serde::Serialize;

use super::iso_millis as iso;

#[derive(Serialize, utoipa::ToSchema)]
pub struct SeriesPointOut {
    pub time: String,
    pub depth: f64,
    pub value: f64,
    pub qc: Option<u8>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SeriesOut {
    pub platform: String,
    pub variable: String,
    pub units: &'static str,
    pub cf_standard_name: &'static str,
    pub count: usize,
    pub data: Vec<SeriesPointOut>,
    /// `live_api` or `local_db` (answers that may ask for live data: `/api/buoys/{id}/series`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_source: Option<&'static str>,
    /// When the data was fetched (from the live API or the store), ISO 8601.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fetched_at: Option<String>,
}

impl SeriesOut {
    /// The same answer, saying where its data came from.
    pub fn with_freshness(self, o: &ingest::sources::LiveOutcome) -> SeriesOut {
        SeriesOut {
            data_source: Some(o.data_source.as_str()),
            fetched_at: Some(crate::api::live::fetched_at(o)),
            ..self
        }
    }

    pub fn new(platform: &str, variable: &str, points: &[SeriesPoint]) -> SeriesOut {
        let v = Variable::lookup(variable);
        SeriesOut {
            platform: platform.to_string(),
            variable: variable.to_string(),
            units: v.map_or("", |v| v.units),
            cf_standard_name: v.map_or("", |v| v.cf_standard_name),
            count: points.len(),
            data: points
                .iter()
                .map(|p| SeriesPointOut { time: iso(p.time), depth: p.depth, value: p.value, qc: p.qc.digit() })
                .collect(),
            data_source: None,
            fetched_at: None,
        }
    }
}

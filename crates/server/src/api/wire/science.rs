//! Anomalies of a buoy (`/api/buoys/{id}/anomalies`) and a reef's health score (`/api/reefs/{id}/health`).

use serde::Serialize;

use super::iso_millis as iso;

/// One anomaly of `/api/buoys/{id}/anomalies`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BuoyAnomalyOut {
    pub timestamp: String,
    pub variable: String,
    pub value: f64,
    /// `zscore`, `qc_flag` or `iforest`.
    pub method: &'static str,
    /// The z-score (`zscore`).
    pub z: Option<f64>,
    /// The isolation score in (0, 1) (`iforest`).
    pub score: Option<f64>,
    pub reason: String,
}

/// `/api/reefs/{id}/health`: the documented 0–100 score, the seed's legacy score and their inputs.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReefHealthOut {
    pub site: String,
    pub date: String,
    pub score: f64,
    pub anomalous: bool,
    pub legacy: Option<f64>,
    pub dhw: f64,
    pub baa: u8,
    pub ssta: Option<f64>,
    pub sst: Option<f64>,
}

impl BuoyAnomalyOut {
    pub fn forest(a: query::ForestAnomaly) -> BuoyAnomalyOut {
        BuoyAnomalyOut {
            timestamp: iso(a.time),
            variable: a.variable,
            value: a.value,
            method: "iforest",
            z: None,
            score: Some(a.score),
            reason: a.reason,
        }
    }

    pub fn series(a: query::SeriesAnomaly) -> BuoyAnomalyOut {
        BuoyAnomalyOut {
            timestamp: iso(a.time),
            variable: a.variable,
            value: a.value,
            method: if a.kind == "z_score" { "zscore" } else { "qc_flag" },
            z: a.z,
            score: None,
            reason: a.reason,
        }
    }
}

impl From<query::ReefHealth> for ReefHealthOut {
    fn from(h: query::ReefHealth) -> ReefHealthOut {
        ReefHealthOut {
            site: h.site,
            date: h.date.to_string(),
            score: h.score,
            anomalous: h.anomalous,
            legacy: h.legacy,
            dhw: h.dhw,
            baa: h.baa,
            ssta: h.ssta,
            sst: h.sst,
        }
    }
}

//! Anomalies of stored series over a time window: points whose value is 3 or more standard deviations from
//! the series' own daily climatology (`compute::anomaly`, all stored years, ±15-day smoothing), and points
//! that QC flagged suspect (3) or fail (4). Every item says why.

use chrono::{DateTime, Utc};
use compute::anomaly::{DEFAULT_Z_THRESHOLD, z_score_anomalies};
use compute::climatology::{DailyOptions, daily_climatology};
use model::{QcFlag, TimeRange};
use store::{SeriesFilter, Store};

use crate::QueryError;

/// One anomalous observation.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesAnomaly {
    pub platform: String,
    pub variable: String,
    pub time: DateTime<Utc>,
    pub value: f64,
    pub qc: QcFlag,
    /// `z_score` or `qc_flag`.
    pub kind: &'static str,
    /// The z-score, when `kind` is `z_score`.
    pub z: Option<f64>,
    pub reason: String,
}

/// Anomalies in `window`, optionally of one variable, at most `limit`, ordered by time.
pub async fn series_anomalies(
    store: &dyn Store,
    window: TimeRange,
    variable: Option<&str>,
    limit: usize,
) -> Result<Vec<SeriesAnomaly>, QueryError> {
    let filter = SeriesFilter { variable: variable.map(str::to_string), time: Some(window), ..Default::default() };
    let points = store.series_points(&filter).await?;
    let mut series: std::collections::BTreeSet<(String, String)> = Default::default();
    let mut out = Vec::new();
    for p in &points {
        series.insert((p.platform.clone(), p.variable.clone()));
        if p.qc == QcFlag::PROBABLY_BAD || p.qc == QcFlag::BAD {
            out.push(SeriesAnomaly {
                platform: p.platform.clone(),
                variable: p.variable.clone(),
                time: p.time,
                value: p.value,
                qc: p.qc,
                kind: "qc_flag",
                z: None,
                reason: format!(
                    "quality flag {} ({})",
                    p.qc.to_byte(),
                    if p.qc == QcFlag::BAD { "fail" } else { "suspect" }
                ),
            });
        }
    }
    for (platform, variable) in series {
        // The climatology comes from every stored year of the series; depths are pooled.
        let all = store.series(&platform, &variable, TimeRange::all()).await?;
        let times: Vec<i64> = all.iter().map(|p| p.time.timestamp()).collect();
        let values: Vec<f64> = all.iter().map(|p| p.value).collect();
        let clim = daily_climatology(&times, &values, DailyOptions::default());
        let in_window: Vec<usize> = (0..all.len()).filter(|&i| window.contains(all[i].time)).collect();
        let wt: Vec<i64> = in_window.iter().map(|&i| times[i]).collect();
        let wv: Vec<f64> = in_window.iter().map(|&i| values[i]).collect();
        for a in z_score_anomalies(&wt, &wv, &clim, DEFAULT_Z_THRESHOLD) {
            let p = &all[in_window[a.index]];
            let z = match &a.reason {
                compute::anomaly::Reason::ZScore { z, .. } => Some(*z),
                _ => None,
            };
            out.push(SeriesAnomaly {
                platform: platform.clone(),
                variable: variable.clone(),
                time: p.time,
                value: p.value,
                qc: p.qc,
                kind: "z_score",
                z,
                reason: a.describe(),
            });
        }
    }
    out.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.platform.cmp(&b.platform)));
    out.truncate(limit);
    Ok(out)
}

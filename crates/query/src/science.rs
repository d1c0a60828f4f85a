//! The science on routes: a buoy's multivariate anomalies by isolation forest (its variables pivoted into
//! one row per time) and a reef site's health score from its stored heat stress (`compute::health`).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use compute::anomaly::{ForestOptions, Reason, isolation_anomalies};
use model::TimeRange;
use store::{SeriesFilter, Store};

use crate::QueryError;

/// One row the isolation forest isolates, with the variable that contributed most.
#[derive(Debug, Clone, PartialEq)]
pub struct ForestAnomaly {
    pub time: DateTime<Utc>,
    /// The variable whose split isolated the row most often.
    pub variable: String,
    pub value: f64,
    /// Anomaly score in (0, 1); 0.5 is ordinary.
    pub score: f64,
    pub reason: String,
}

/// Isolation-forest anomalies of `platform`'s surface series in `window` (100 trees, subsample 256, the
/// fixed seed of `compute::anomaly`): each stored time is a row, each variable a column (NaN where it was
/// not observed); rows scoring `threshold` or more are returned, ordered by time. Fewer than 2 rows or no
/// variable give none. `threshold` defaults to `compute::anomaly::DEFAULT_SCORE_THRESHOLD` (0.65).
pub async fn buoy_forest_anomalies(
    store: &dyn Store,
    platform: &str,
    window: TimeRange,
    threshold: Option<f64>,
) -> Result<Vec<ForestAnomaly>, QueryError> {
    let threshold = threshold.unwrap_or(compute::anomaly::DEFAULT_SCORE_THRESHOLD);
    if !(threshold > 0.0 && threshold < 1.0) {
        return Err(QueryError::BadRequest(format!("threshold={threshold} must be between 0 and 1")));
    }
    let filter = SeriesFilter { platform: Some(platform.to_string()), time: Some(window), ..Default::default() };
    let points = store.series_points(&filter).await?;
    let mut names: Vec<String> = points.iter().map(|p| p.variable.clone()).collect();
    names.sort();
    names.dedup();
    let mut rows: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
    for p in points.iter().filter(|p| p.depth == 0.0 || p.depth.is_nan()) {
        let Ok(col) = names.binary_search(&p.variable) else { continue };
        rows.entry(p.time.timestamp()).or_insert_with(|| vec![f64::NAN; names.len()])[col] = p.value;
    }
    if rows.len() < 2 || names.is_empty() {
        return Ok(Vec::new());
    }
    let times: Vec<i64> = rows.keys().copied().collect();
    let columns: Vec<Vec<f64>> = (0..names.len()).map(|c| rows.values().map(|r| r[c]).collect()).collect();
    let cols: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let found = isolation_anomalies(&times, &refs, &cols, &ForestOptions::default(), threshold);
    Ok(found
        .into_iter()
        .filter_map(|a| {
            let reason = a.describe();
            let Reason::Isolation { score, feature_name, value, .. } = a.reason else { return None };
            Some(ForestAnomaly {
                time: DateTime::<Utc>::from_timestamp(a.time, 0)?,
                variable: feature_name,
                value,
                score,
                reason,
            })
        })
        .collect())
}

/// A reef site's health on one day.
#[derive(Debug, Clone, PartialEq)]
pub struct ReefHealth {
    pub site: String,
    pub date: NaiveDate,
    /// `compute::health::score`: 100 − 50·min(DHW,16)/16 − 6·BAA − 5·clamp(SSTA,0,3).
    pub score: f64,
    /// Below `compute::health::ANOMALOUS_BELOW` (70).
    pub anomalous: bool,
    /// The seed's `100 − (SST×1.5 + DHW×5)`, when the day has an SST.
    pub legacy: Option<f64>,
    pub dhw: f64,
    pub baa: u8,
    /// SST anomaly at the 90th-percentile HotSpot pixel; a missing one counts as 0 in the score.
    pub ssta: Option<f64>,
    pub sst: Option<f64>,
}

/// Health of `site` on `date` (or its newest stored day): `None` when the site or the day (with a DHW
/// and a BAA) is not stored.
pub async fn reef_health(
    store: &dyn Store,
    site: &str,
    date: Option<NaiveDate>,
) -> Result<Option<ReefHealth>, QueryError> {
    let (from, to) = match date {
        Some(d) => (d, d.succ_opt().unwrap_or(d)),
        None => (
            NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or_default(),
            NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default(),
        ),
    };
    let days = store.heat_stress(site, from, to).await?;
    let Some(day) =
        days.iter().rev().find(|d| d.dhw.is_some() && d.baa_7day_max.is_some() && date.is_none_or(|x| d.date == x))
    else {
        return Ok(None);
    };
    let (dhw, baa) = (day.dhw.unwrap_or(0.0), day.baa_7day_max.unwrap_or(0));
    let score = compute::health::score(dhw, baa, day.ssta_90th_hs.unwrap_or(0.0));
    Ok(Some(ReefHealth {
        site: site.to_string(),
        date: day.date,
        score,
        anomalous: compute::health::is_anomalous(score),
        legacy: day.sst_90th_hs.map(|sst| compute::health::legacy(compute::health::LEGACY_BASELINE, sst, dhw)),
        dhw,
        baa,
        ssta: day.ssta_90th_hs,
        sst: day.sst_90th_hs,
    }))
}

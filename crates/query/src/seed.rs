//! The seed services' views of stored series: windows of `days` that end at the newest stored
//! observation (the store may hold archives far older than today), and daily mean, min and max per
//! (platform, variable) over a window.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use model::TimeRange;
use store::{SeriesFilter, Store};

use crate::QueryError;

/// One platform's statistics of one UTC day.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyStats {
    pub platform: String,
    pub date: NaiveDate,
    pub mean: f64,
    pub min: f64,
    pub max: f64,
    pub count: usize,
}

/// The `days` ending one second after the newest stored observation; `None` when no series is stored.
pub async fn latest_window(store: &dyn Store, days: i64) -> Result<Option<TimeRange>, QueryError> {
    let Some(until) = store.series_stats().await?.iter().filter_map(|s| s.last).max() else {
        return Ok(None);
    };
    let until = until + Duration::seconds(1);
    let time =
        TimeRange::new(until - Duration::days(days), until).map_err(|e| QueryError::BadRequest(e.to_string()))?;
    Ok(Some(time))
}

/// Daily mean, min and max of `variable` per platform over `time`, by platform then date.
pub async fn daily_stats(store: &dyn Store, variable: &str, time: TimeRange) -> Result<Vec<DailyStats>, QueryError> {
    let filter = SeriesFilter { variable: Some(variable.to_string()), time: Some(time), ..Default::default() };
    let pts = store.series_points(&filter).await?;
    let mut days: BTreeMap<(String, NaiveDate), Vec<f64>> = BTreeMap::new();
    for p in &pts {
        days.entry((p.platform.clone(), p.time.date_naive())).or_default().push(p.value);
    }
    Ok(days
        .into_iter()
        .map(|((platform, date), v)| DailyStats {
            platform,
            date,
            mean: v.iter().sum::<f64>() / v.len() as f64,
            min: v.iter().copied().fold(f64::INFINITY, f64::min),
            max: v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            count: v.len(),
        })
        .collect())
}

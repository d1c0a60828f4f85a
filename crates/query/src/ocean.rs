//! The ocean-state numbers the seed exported to Prometheus, computed from the store (`/metrics`):
//!
//! - **average SST / pH**: the mean over platforms of each platform's newest `sea_surface_temperature`
//!   (°C) / `ph` observation, counting only platforms whose newest observation is within 24 h of the
//!   newest observation of that variable in the store (so archives give a value, and a buoy that stopped
//!   reporting long ago does not hold the average);
//! - **average health score**: the mean over reef sites of `compute::health::score` (0–100) of each
//!   site's newest heat-stress day (DHW, 7-day BAA, SST anomaly; a missing anomaly counts 0, a day
//!   without DHW or BAA is skipped);
//! - **SST by day**: the mean of every stored SST observation per UTC day, over the 7 days ending with the
//!   day of the newest SST observation;
//! - **anomalies in the last hour**: `series_anomalies` over the hour ending at the newest stored series
//!   observation (z ≥ 3 against the daily climatology, or QC 3/4);
//! - **records**: stored profiles + series points + heat-stress days;
//! - **newest observation per source family**: Argo floats (`argo`), NDBC buoys and stations (`ndbc`),
//!   reef sites (`crw`), anything else (`other`): ingest lag is now minus that.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use model::{PlatformKind, TimeRange};
use store::{SeriesFilter, Store, TableCounts};

use crate::QueryError;

/// See the module documentation for each number's definition.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OceanSummary {
    pub avg_sst: Option<f64>,
    pub avg_ph: Option<f64>,
    pub avg_health: Option<f64>,
    pub records: u64,
    /// `(day, mean SST °C)`, oldest first.
    pub sst_by_day: Vec<(NaiveDate, f64)>,
    pub anomalies_last_hour: u64,
    /// `(source family, newest observation time)`.
    pub newest_by_source: Vec<(&'static str, DateTime<Utc>)>,
    pub counts: TableCounts,
    pub size_bytes: u64,
}

/// How long before a variable's newest observation a platform's newest one still counts as current.
pub const CURRENT_WITHIN: Duration = Duration::hours(24);

/// The source family a platform kind's data comes from.
pub fn source_family(kind: PlatformKind) -> &'static str {
    match kind {
        PlatformKind::ArgoFloat => "argo",
        PlatformKind::Buoy | PlatformKind::FixedStation | PlatformKind::Dart => "ndbc",
        PlatformKind::ReefSite => "crw",
        PlatformKind::Other => "other",
    }
}

fn current_mean(latest: &[model::SeriesPoint], variable: &str) -> Option<f64> {
    let pts: Vec<&model::SeriesPoint> =
        latest.iter().filter(|p| p.variable == variable && p.value.is_finite()).collect();
    let newest = pts.iter().map(|p| p.time).max()?;
    let mut per_platform: std::collections::BTreeMap<&str, f64> = Default::default();
    for p in pts.iter().filter(|p| p.time >= newest - CURRENT_WITHIN) {
        // Several depths: the shallowest stands for the surface.
        per_platform.entry(p.platform.as_str()).or_insert(p.value);
    }
    (!per_platform.is_empty()).then(|| per_platform.values().sum::<f64>() / per_platform.len() as f64)
}

/// Computes every number of [`OceanSummary`].
pub async fn ocean_summary(store: &dyn Store) -> Result<OceanSummary, QueryError> {
    let counts = store.counts().await?;
    let size_bytes = store.size_bytes().await?;
    let mut latest = store.series_latest().await?;
    latest.sort_by(|a, b| a.platform.cmp(&b.platform).then(a.depth.total_cmp(&b.depth)));
    let avg_sst = current_mean(&latest, "sea_surface_temperature");
    let avg_ph = current_mean(&latest, "ph");

    let mut scores = Vec::new();
    for s in crate::reef_status(store).await? {
        let Some(d) = s.latest else { continue };
        let (Some(dhw), Some(baa)) = (d.dhw, d.baa_7day_max) else { continue };
        let score = compute::health::score(dhw, baa, d.ssta_90th_hs.unwrap_or(0.0));
        if score.is_finite() {
            scores.push(score);
        }
    }
    let avg_health = (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64);

    let mut sst_by_day = Vec::new();
    if let Some(newest) = latest.iter().filter(|p| p.variable == "sea_surface_temperature").map(|p| p.time).max() {
        let last_day = newest.date_naive();
        let start = (last_day - Duration::days(6)).and_hms_opt(0, 0, 0).map(|t| t.and_utc());
        let end = (last_day + Duration::days(1)).and_hms_opt(0, 0, 0).map(|t| t.and_utc());
        if let (Some(start), Some(end)) = (start, end) {
            let time = TimeRange::new(start, end).map_err(|e| QueryError::BadRequest(e.to_string()))?;
            let filter = SeriesFilter {
                variable: Some("sea_surface_temperature".into()),
                time: Some(time),
                ..Default::default()
            };
            let mut days: std::collections::BTreeMap<NaiveDate, (f64, u64)> = Default::default();
            for p in store.series_points(&filter).await? {
                if p.value.is_finite() {
                    let e = days.entry(p.time.date_naive()).or_default();
                    e.0 += p.value;
                    e.1 += 1;
                }
            }
            sst_by_day = days.into_iter().map(|(d, (sum, n))| (d, sum / n as f64)).collect();
        }
    }

    let mut anomalies_last_hour = 0;
    if let Some(newest) = latest.iter().map(|p| p.time).max() {
        let end = newest + Duration::seconds(1);
        let window =
            TimeRange::new(end - Duration::hours(1), end).map_err(|e| QueryError::BadRequest(e.to_string()))?;
        anomalies_last_hour = crate::series_anomalies(store, window, None, 100_000).await?.len() as u64;
    }

    let mut newest_by_source: Vec<(&'static str, DateTime<Utc>)> = Vec::new();
    for p in store.platforms(None).await? {
        let Some(t) = p.last_time else { continue };
        let fam = source_family(p.platform.kind);
        match newest_by_source.iter_mut().find(|(f, _)| *f == fam) {
            Some((_, old)) if *old < t => *old = t,
            Some(_) => {}
            None => newest_by_source.push((fam, t)),
        }
    }
    newest_by_source.sort();

    Ok(OceanSummary {
        avg_sst,
        avg_ph,
        avg_health,
        records: counts.profiles + counts.series_points + counts.heat_stress_days,
        sst_by_day,
        anomalies_last_hour,
        newest_by_source,
        counts,
        size_bytes,
    })
}

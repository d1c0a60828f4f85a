//! What one ingested file writes ([`FileBatch`], in one transaction) and the row counts of a write and of
//! the whole store.

use chrono::{DateTime, Utc};
use model::{HeatStressDay, Platform, Profile, ReefSite, SeriesPoint};

/// A row of the Argo GDAC profile index as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRow {
    pub file: String,
    pub time: Option<DateTime<Utc>>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub ocean: String,
    pub profiler_type: Option<i32>,
    pub institution: String,
    pub date_update: Option<DateTime<Utc>>,
}

/// Everything read from one file, written in one transaction.
#[derive(Debug, Clone, Default)]
pub struct FileBatch {
    /// Where the records came from (a path as given to `ingest`).
    pub source: String,
    /// The detected format label.
    pub kind: String,
    pub size_bytes: u64,
    /// Platforms this file describes with authority: inserted, or merged into the stored row.
    pub platforms: Vec<Platform>,
    /// Platforms this file only names (e.g. the station of an NDBC data file): inserted when unknown.
    pub platform_stubs: Vec<Platform>,
    pub profiles: Vec<Profile>,
    pub series: Vec<SeriesPoint>,
    pub reef_sites: Vec<ReefSite>,
    pub heat_stress: Vec<HeatStressDay>,
    pub index_rows: Vec<IndexRow>,
    /// Gridded fields, one per (dataset, variable, time step).
    pub grids: Vec<model::Grid>,
}

/// Rows a write added or changed (unchanged rows count zero).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteCounts {
    pub platforms: u64,
    pub profiles: u64,
    pub levels: u64,
    pub series_points: u64,
    pub reef_sites: u64,
    pub heat_stress_days: u64,
    pub index_rows: u64,
    pub grids: u64,
}

impl std::ops::AddAssign for WriteCounts {
    fn add_assign(&mut self, o: WriteCounts) {
        self.platforms += o.platforms;
        self.profiles += o.profiles;
        self.levels += o.levels;
        self.series_points += o.series_points;
        self.reef_sites += o.reef_sites;
        self.heat_stress_days += o.heat_stress_days;
        self.index_rows += o.index_rows;
        self.grids += o.grids;
    }
}

/// Total rows per table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableCounts {
    pub platforms: u64,
    pub profiles: u64,
    pub levels: u64,
    pub series_points: u64,
    pub reef_sites: u64,
    pub heat_stress_days: u64,
    pub index_rows: u64,
    pub files: u64,
}

/// The eight counts as a backend's statement returns them, in [`TableCounts`] order.
pub(crate) type CountsRow = (i64, i64, i64, i64, i64, i64, i64, i64);

impl From<CountsRow> for TableCounts {
    fn from((platforms, profiles, levels, series, reefs, days, index, files): CountsRow) -> TableCounts {
        let n = |x: i64| x.max(0) as u64;
        TableCounts {
            platforms: n(platforms),
            profiles: n(profiles),
            levels: n(levels),
            series_points: n(series),
            reef_sites: n(reefs),
            heat_stress_days: n(days),
            index_rows: n(index),
            files: n(files),
        }
    }
}

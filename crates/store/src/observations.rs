//! Reading observations back: platforms, profiles (by key, by search, by row id), series points, reef
//! sites and heat stress, the GDAC index. [`ObservationStore`] is one of the concerns of
//! the `Store` trait; each backend implements it in its `read.rs`.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use model::{HeatStressDay, Platform, PlatformKind, Profile, ProfileKey, ReefSite, Region, SeriesPoint, TimeRange};

use crate::error::StoreError;

/// A platform with how much is stored for it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformSummary {
    pub platform: Platform,
    pub profiles: u64,
    pub series_points: u64,
    pub heat_stress_days: u64,
    pub first_time: Option<DateTime<Utc>>,
    pub last_time: Option<DateTime<Utc>>,
    /// Series variables stored for the platform.
    pub variables: Vec<String>,
}

/// The newest positioned profile of one platform, with how many profiles it has: the map's float layer.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformLatest {
    pub platform: String,
    pub cycle: i32,
    pub time: DateTime<Utc>,
    pub position: model::Point,
    pub profiles: u64,
}

/// A profile's searchable facts without its levels: what a search filters and sorts before it loads
/// the few profiles a page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileStub {
    /// The store's row id (stable while the row exists), used to load the full profile.
    pub row_id: i64,
    pub key: ProfileKey,
    pub position: Option<model::Point>,
    pub time: Option<DateTime<Utc>>,
    pub data_mode: model::DataMode,
    /// Argo parameter names present (`PRES`, `TEMP`, `DOXY`, ...).
    pub params: Vec<String>,
    pub source_format: model::SourceFormat,
    pub position_qc: model::QcFlag,
}

/// Summary of one series variable over the whole store.
#[derive(Debug, Clone, PartialEq)]
pub struct VariableStats {
    pub variable: String,
    pub platforms: u64,
    pub count: u64,
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
}

/// What to look for among series points.
#[derive(Debug, Clone, Default)]
pub struct SeriesFilter {
    pub platform: Option<String>,
    pub variable: Option<String>,
    pub time: Option<TimeRange>,
    /// Only points whose QC flag is one of these.
    pub qc_in: Option<Vec<model::QcFlag>>,
    /// At most this many points (oldest first).
    pub limit: Option<usize>,
}

/// What to look for among profiles.
#[derive(Debug, Clone, Default)]
pub struct ProfileFilter {
    pub region: Option<Region>,
    pub time: Option<TimeRange>,
    pub platform: Option<String>,
    /// At most this many, newest first when set.
    pub limit: Option<usize>,
}

/// Reads of the observation tables (what `Store::write_file` wrote).
#[async_trait]
pub trait ObservationStore: Send + Sync {
    async fn platforms(&self, kind: Option<PlatformKind>) -> Result<Vec<PlatformSummary>, StoreError>;
    async fn profile(&self, key: &ProfileKey) -> Result<Option<Profile>, StoreError>;
    /// Profiles matching a filter: the stubs, the exact region test, newest first, the limit, then the
    /// full profiles of what is left.
    async fn profiles(&self, filter: &ProfileFilter) -> Result<Vec<Profile>, StoreError> {
        let mut stubs = self.profile_stubs(filter).await?;
        if let Some(region) = &filter.region {
            stubs.retain(|s| s.position.is_some_and(|p| region.contains(p)));
        }
        // Newest first.
        stubs.reverse();
        if let Some(l) = filter.limit {
            stubs.truncate(l);
        }
        let ids: Vec<i64> = stubs.iter().map(|s| s.row_id).collect();
        self.profiles_by_row_ids(&ids).await
    }
    /// Stubs of the profiles whose index entry may match: the region's index boxes, the time range and
    /// platform are applied; exact geometry is left to the caller. Ordered by time, platform, cycle.
    async fn profile_stubs(&self, filter: &ProfileFilter) -> Result<Vec<ProfileStub>, StoreError>;
    /// Full profiles by row id, in the order given (missing ids are skipped).
    async fn profiles_by_row_ids(&self, ids: &[i64]) -> Result<Vec<Profile>, StoreError>;
    async fn series(&self, platform: &str, variable: &str, time: TimeRange) -> Result<Vec<SeriesPoint>, StoreError>;
    /// Points matching a filter, ordered by time, platform, variable, depth.
    async fn series_points(&self, filter: &SeriesFilter) -> Result<Vec<SeriesPoint>, StoreError>;
    /// The newest point of every (platform, variable).
    async fn series_latest(&self) -> Result<Vec<SeriesPoint>, StoreError>;
    /// Count, range and mean of every series variable.
    async fn series_stats(&self) -> Result<Vec<VariableStats>, StoreError>;
    /// The newest positioned profile of every profiling platform (one row per float), ordered by platform.
    async fn profile_platforms_latest(&self) -> Result<Vec<PlatformLatest>, StoreError>;
    async fn reef_site(&self, id: &str) -> Result<Option<ReefSite>, StoreError>;
    async fn heat_stress(&self, site: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<HeatStressDay>, StoreError>;
    /// Every stored GDAC index row's file and `date_update` (what a live GDAC run diffs a new index
    /// against), ordered by file.
    async fn index_updates(&self) -> Result<Vec<(String, Option<DateTime<Utc>>)>, StoreError>;
}

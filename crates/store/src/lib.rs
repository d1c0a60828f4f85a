//! Storage of domain records behind the [`Store`] trait: the embedded SQLite backend (default) and
//! PostgreSQL + PostGIS, chosen by the URL. Writes are UPSERTs on natural keys, one transaction per ingested file, so
//! re-ingesting a file changes nothing and a crash loses at most the file in flight.

mod alerts;
pub mod archive;
pub mod auth;
pub mod backup;
mod codec;
mod grids;
mod jobs;
mod postgres;
mod sqlite;
mod sqlite_grids;
mod sqlite_read;
pub mod transfer;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use model::{HeatStressDay, Platform, PlatformKind, Profile, ProfileKey, ReefSite, Region, SeriesPoint, TimeRange};

pub use archive::{ArchiveTable, Cell, ColumnKind, MonthRows};
pub use auth::{ApiKeyRecord, AuditEntry, AuthStore, RefreshTokenRecord, UserRecord};
pub use codec::{decode_levels, encode_levels};
pub use jobs::{ArchiveRecord, JobRun, JobStatus};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// Errors of the store. Messages are lowercase.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database url {0:?}: use sqlite://PATH or postgres://USER@HOST:PORT/DB")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("migration {version} failed: {message}")]
    Migration { version: i64, message: String },
    #[error("backup: {0}")]
    Backup(String),
    #[error("database read error: {0}")]
    Read(String),
}

impl StoreError {
    pub fn code(&self) -> model::ErrorCode {
        match self {
            StoreError::UnsupportedUrl(_) => model::ErrorCode::BadRequest,
            StoreError::Database(sqlx::Error::PoolTimedOut | sqlx::Error::Io(_)) => model::ErrorCode::Unavailable,
            _ => model::ErrorCode::Internal,
        }
    }
}

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

/// One question asked through Ocean Chat, as kept in the query history.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryRecord {
    pub asked_at: DateTime<Utc>,
    /// The chat session it belonged to, if any.
    pub session: Option<String>,
    pub question: String,
    /// The interpretation as the chat rendered it (JSON text); the store keeps it verbatim.
    pub interpretation: String,
}

/// The storage interface in domain terms. Implementations: [`SqliteStore`], [`PgStore`].
#[async_trait]
pub trait Store: AuthStore + Send + Sync {
    /// Writes one file's records in one transaction (UPSERT on natural keys).
    async fn write_file(&self, batch: &FileBatch) -> Result<WriteCounts, StoreError>;
    /// Moves what the write-ahead log holds into the main file (called at the end of an ingest run).
    async fn checkpoint(&self) -> Result<(), StoreError>;
    async fn counts(&self) -> Result<TableCounts, StoreError>;
    /// Whether the store answers and its migrations are applied.
    async fn ready(&self) -> Result<bool, StoreError>;
    async fn platforms(&self, kind: Option<PlatformKind>) -> Result<Vec<PlatformSummary>, StoreError>;
    async fn profile(&self, key: &ProfileKey) -> Result<Option<Profile>, StoreError>;
    async fn profiles(&self, filter: &ProfileFilter) -> Result<Vec<Profile>, StoreError>;
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

    /// One summary per stored gridded variable (dataset, variable), ordered by dataset and variable.
    async fn grid_summaries(&self) -> Result<Vec<model::GridSummary>, StoreError>;
    /// The stored time steps of a gridded variable, oldest first (`None` for a grid without time).
    async fn grid_times(&self, dataset: &str, variable: &str) -> Result<Vec<Option<DateTime<Utc>>>, StoreError>;
    /// One stored grid, whole.
    async fn grid(
        &self,
        dataset: &str,
        variable: &str,
        time: Option<DateTime<Utc>>,
    ) -> Result<Option<model::Grid>, StoreError>;
    /// One stored grid cut to a latitude/longitude window with a stride; `Ok(None)` when no such grid,
    /// `Err(Corrupt)` never for a window outside the grid: that is `Ok(Some(Err(..)))`.
    async fn grid_window(
        &self,
        dataset: &str,
        variable: &str,
        time: Option<DateTime<Utc>>,
        window: &model::GridWindow,
    ) -> Result<Option<Result<model::Grid, model::GridError>>, StoreError> {
        Ok(self.grid(dataset, variable, time).await?.map(|g| g.subset(window)))
    }

    /// Appends a question and its interpretation to the query history (Ocean Chat). The default
    /// records nothing, so a backend without a history table still works; SQLite keeps a table.
    async fn record_query(&self, q: &QueryRecord) -> Result<(), StoreError> {
        let _ = q;
        Ok(())
    }

    /// The newest `limit` entries of the query history, newest first (empty by default).
    async fn recent_queries(&self, limit: usize) -> Result<Vec<QueryRecord>, StoreError> {
        let _ = limit;
        Ok(Vec::new())
    }

    /// Bytes the store occupies (SQLite: the database file's pages; PostgreSQL: the tables and indexes
    /// of its schema).
    async fn size_bytes(&self) -> Result<u64, StoreError>;

    // Built-in alerting (migration 7 in SQLite, 6 in PostgreSQL).

    /// Inserts or replaces a rule (natural key `id`); true when it was new.
    async fn put_alert_rule(&self, rule: &model::AlertRule) -> Result<bool, StoreError>;
    /// Every rule, ordered by id.
    async fn alert_rules(&self) -> Result<Vec<model::AlertRule>, StoreError>;
    /// Deletes a rule and the subscriptions to it (its fired alerts stay in the history); true when it existed.
    async fn delete_alert_rule(&self, id: &str) -> Result<bool, StoreError>;
    /// Inserts or replaces a subscription (natural key `id`); true when it was new.
    async fn put_alert_subscription(&self, sub: &model::Subscription) -> Result<bool, StoreError>;
    /// Every subscription, ordered by id.
    async fn alert_subscriptions(&self) -> Result<Vec<model::Subscription>, StoreError>;
    /// True when it existed.
    async fn delete_alert_subscription(&self, id: &str) -> Result<bool, StoreError>;
    /// Inserts or updates a fired alert (natural key `(rule, subject, started_at)`).
    async fn put_alert_event(&self, event: &model::FiredAlert) -> Result<(), StoreError>;
    /// Fired alerts, newest first: only open ones when `open_only`, at most `limit`.
    async fn alert_events(&self, open_only: bool, limit: usize) -> Result<Vec<model::FiredAlert>, StoreError>;

    // --- Retention (`archive.rs`) and the scheduler's run log (`jobs.rs`) ---

    /// Rows per calendar month (UTC) of a time-keyed table, oldest first (undated profiles are left out).
    async fn month_counts(&self, table: ArchiveTable) -> Result<Vec<MonthRows>, StoreError>;
    /// The canonical rows of `[from, to)` (heat stress by date), in key order.
    async fn archive_rows(
        &self,
        table: ArchiveTable,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Vec<Cell>>, StoreError>;
    /// Deletes the rows of `[from, to)` in one transaction; returns how many. Retention calls it only for
    /// rows a verified archive holds.
    async fn delete_rows(&self, table: ArchiveTable, from: DateTime<Utc>, to: DateTime<Utc>)
    -> Result<u64, StoreError>;
    /// Records (or refreshes) a verified archive of one table-month.
    async fn record_archive(&self, a: &ArchiveRecord) -> Result<(), StoreError>;
    async fn archive_records(&self) -> Result<Vec<ArchiveRecord>, StoreError>;
    /// Appends a run to the run log; returns its id.
    async fn insert_job_run(&self, r: &JobRun) -> Result<i64, StoreError>;
    /// Updates the end of a run (finished, status, rows added, error) by id.
    async fn update_job_run(&self, r: &JobRun) -> Result<(), StoreError>;
    /// The newest `limit` runs (of one job, or all), newest first.
    async fn job_runs(&self, job: Option<&str>, limit: usize) -> Result<Vec<JobRun>, StoreError>;
    /// Marks every run still `running` as `interrupted` (called when a scheduler starts); returns how many.
    async fn interrupt_job_runs(&self, at: DateTime<Utc>) -> Result<u64, StoreError>;
}

/// Opens the store a URL names: `sqlite://path.db`, `sqlite:path.db` or a plain file path, or
/// `postgres://user@host:port/db` (options: `sslmode`, `max_connections`, `schema`; see [`PgStore`]).
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if is_postgres(url) {
        return Ok(Arc::new(PgStore::open(url).await?));
    }
    Ok(Arc::new(SqliteStore::open(sqlite_path(url)?).await?))
}

/// The file a SQLite URL names (`sqlite://path.db`, `sqlite:path.db` or a plain path).
pub fn sqlite_path(url: &str) -> Result<&str, StoreError> {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    if path.contains("://") || path.is_empty() {
        return Err(StoreError::UnsupportedUrl(url.to_string()));
    }
    Ok(path)
}

/// Whether a store URL names PostgreSQL.
pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// `url` with a `schema` option naming a new schema of its own (for tests that share one database and
/// run in parallel): `tag`, the process id and a clock reading, at most 63 characters.
pub fn fresh_schema_url(url: &str, tag: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let tag: String = tag.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(36).collect();
    let name = format!("t_{}_{}_{}_{}", tag, std::process::id(), nanos, N.fetch_add(1, Ordering::Relaxed))
        .to_ascii_lowercase();
    let name: String = name.chars().take(63).collect();
    format!("{url}{}schema={name}", if url.contains('?') { '&' } else { '?' })
}

/// The PostgreSQL database the tests may use (`TEST_DATABASE_URL`), if any.
#[cfg(test)]
pub(crate) fn test_database_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())
}

#[cfg(test)]
mod tests;

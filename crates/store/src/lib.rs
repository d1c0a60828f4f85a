//! Storage of domain records behind the [`Store`] trait: the embedded SQLite backend (default) and
//! PostgreSQL + PostGIS, chosen by the URL. Writes are UPSERTs on natural keys, one transaction per ingested file, so
//! re-ingesting a file changes nothing and a crash loses at most the file in flight.
//!
//! Layout: the files at the top are backend-neutral (the traits and their types, the row mappings and
//! codecs, the canonical rows, and in `queries/` the SQL both backends run unchanged); `sqlite/` and
//! `postgres/` hold one backend each, with the same file names, so that each file can be read against its
//! twin. This file declares the modules, re-exports the public names, and picks a backend by URL.

mod alerts;
pub mod archive;
pub mod auth;
pub mod backup;
mod batch;
mod canonical;
mod codec;
mod error;
mod grids;
mod history;
mod interface;
mod jobs;
mod observations;
mod postgres;
mod queries;
mod rows;
mod sqlite;
pub mod transfer;

use std::sync::Arc;

pub use alerts::AlertStore;
pub use archive::{ArchiveStore, ArchiveTable, Cell, ColumnKind, MonthRows};
pub use auth::{ApiKeyRecord, AuditEntry, AuthStore, RefreshTokenRecord, UserRecord};
pub use batch::{FileBatch, IndexRow, TableCounts, WriteCounts};
pub use codec::{decode_levels, encode_levels};
pub use error::StoreError;
pub use grids::GridStore;
pub use history::{HistoryStore, QueryRecord};
pub use interface::Store;
pub use jobs::{ArchiveRecord, JobRun, JobStatus, JobStore};
pub use observations::{
    ObservationStore, PlatformLatest, PlatformSummary, ProfileFilter, ProfileStub, SeriesFilter, VariableStats,
};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// The store traits, for code that calls them on a concrete store (`SqliteStore`, `PgStore`) rather
/// than on `dyn Store`: `use store::prelude::*;`.
pub mod prelude {
    pub use crate::{AlertStore, ArchiveStore, AuthStore, GridStore, HistoryStore, JobStore, ObservationStore, Store};
}

/// The backend a store URL names.
enum Backend<'a> {
    /// The database file.
    Sqlite(&'a str),
    /// The whole URL.
    Postgres(&'a str),
}

impl Backend<'_> {
    fn of(url: &str) -> Result<Backend<'_>, StoreError> {
        if is_postgres(url) { Ok(Backend::Postgres(url)) } else { Ok(Backend::Sqlite(sqlite_path(url)?)) }
    }
}

/// Opens the store a URL names: `sqlite://path.db`, `sqlite:path.db` or a plain file path, or
/// `postgres://user@host:port/db` (options: `sslmode`, `max_connections`, `schema`; see [`PgStore`]).
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    Ok(match Backend::of(url)? {
        Backend::Sqlite(path) => Arc::new(SqliteStore::open(path).await?),
        Backend::Postgres(url) => Arc::new(PgStore::open(url).await?),
    })
}

/// A backup of the store at `url` written to `dest` by its backend (see `backup.rs`).
pub(crate) async fn backup_store(url: &str, dest: &str) -> Result<TableCounts, StoreError> {
    match Backend::of(url)? {
        Backend::Sqlite(path) => sqlite::backup::backup(path, dest).await,
        Backend::Postgres(url) => postgres::backup::backup(url, dest).await,
    }
}

/// The store at `url` replaced by the backup `src` by its backend (see `backup.rs`).
pub(crate) async fn restore_store(url: &str, src: &str, force: bool) -> Result<TableCounts, StoreError> {
    match Backend::of(url)? {
        Backend::Sqlite(path) => sqlite::backup::restore(url, path, src, force).await,
        Backend::Postgres(url) => postgres::backup::restore(url, src, force).await,
    }
}

/// The two ends of a migration (see `transfer.rs`): an existing SQLite file and a PostgreSQL database.
pub(crate) async fn migration_ends(
    from: &str,
    to: &str,
) -> Result<(Box<dyn canonical::MigrationSource>, Box<dyn canonical::MigrationTarget>), StoreError> {
    let src_path = sqlite_path(from)?;
    if !is_postgres(to) {
        return Err(StoreError::UnsupportedUrl(format!("{to}: the target of a migration must be postgres://")));
    }
    if src_path != ":memory:" && !std::path::Path::new(src_path).is_file() {
        return Err(StoreError::UnsupportedUrl(format!("{from}: no such SQLite file")));
    }
    let src = SqliteStore::open(src_path).await?;
    let dst = PgStore::open(to).await?;
    Ok((Box::new(src.migration_source()), Box::new(dst.migration_target())))
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

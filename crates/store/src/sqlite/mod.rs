//! The embedded SQLite backend: WAL mode, versioned migrations (`schema.rs`), an R*Tree and a clustered
//! copy of profile positions for search, UPSERTs that rewrite a row only when its content digest changed
//! (`write.rs`), reads over sqlx and, for the hot paths of a file database, over rusqlite (`read.rs`).
//! This file: the handle (its sqlx pools and direct readers) and the whole-store operations; each concern
//! trait is implemented in the file of its name.

mod alerts;
mod archive;
mod auth;
pub(crate) mod backup;
mod grids;
mod history;
mod jobs;
mod read;
mod schema;
pub(crate) mod transfer;
mod write;

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::batch::{FileBatch, WriteCounts};
use crate::error::StoreError;
use crate::queries::store::StoreSql;

/// The SQLite store.
pub struct SqliteStore {
    /// Readers (up to 4 connections; WAL lets them run beside the writer).
    pool: SqlitePool,
    /// The one writer connection: writes never contend for the lock, and its page cache stays warm
    /// from one file's transaction to the next.
    pub(crate) writer: SqlitePool,
    /// Direct readers for the hot read paths; `None` for an in-memory database.
    direct: Option<Arc<Readers>>,
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Read(e.to_string())
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub async fn open(path: &str) -> Result<SqliteStore, StoreError> {
        let memory = path == ":memory:";
        let opts = SqliteConnectOptions::from_str(if memory { "sqlite::memory:" } else { "sqlite://" })?
            .filename(if memory { ":memory:" } else { path })
            .create_if_missing(true)
            .journal_mode(if memory { SqliteJournalMode::Memory } else { SqliteJournalMode::Wal })
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .pragma("cache_size", "-65536")
            // Bulk ingest writes hundreds of MB: checkpoint the WAL rarely (every 256 MB) and once at the
            // end of an ingest run (`Store::checkpoint`), instead of every 4 MB.
            .pragma("wal_autocheckpoint", "65536")
            .foreign_keys(false);
        let pool_opts = |max: u32| {
            SqlitePoolOptions::new()
                .max_connections(max)
                .min_connections(if memory { 1 } else { 0 })
                .idle_timeout(if memory { None } else { Some(Duration::from_secs(600)) })
                .max_lifetime(if memory { None } else { Some(Duration::from_secs(3600)) })
        };
        let writer = pool_opts(1).connect_with(opts.clone()).await?;
        // An in-memory database lives in its one connection: readers share the writer's.
        let pool = if memory { writer.clone() } else { pool_opts(4).connect_with(opts).await? };
        let direct = (!memory).then(|| Readers::new(path));
        let store = SqliteStore { pool, writer, direct };
        schema::migrate(&store.writer).await?;
        Ok(store)
    }

    /// The reader pool (for backups, migration and checksums).
    pub(crate) fn reader(&self) -> &SqlitePool {
        &self.pool
    }

    /// Writes one file's batch on the writer.
    async fn write_batch(&self, batch: &FileBatch) -> Result<WriteCounts, StoreError> {
        write::write_file(&self.writer, batch).await
    }

    /// This store as the source of a migration.
    pub(crate) fn migration_source(&self) -> transfer::Source {
        transfer::Source(self.pool.clone())
    }
}

/// The whole-store operations (see `StoreSql`).
const SQL: StoreSql = StoreSql {
    checkpoint: "PRAGMA wal_checkpoint(TRUNCATE)",
    counts: "SELECT (SELECT count(*) FROM platforms), (SELECT count(*) FROM profiles),
            (SELECT coalesce(sum(n_levels), 0) FROM profiles), (SELECT count(*) FROM series),
            (SELECT count(*) FROM reef_sites), (SELECT count(*) FROM heat_stress),
            (SELECT count(*) FROM profile_index), (SELECT count(*) FROM ingested_files)",
    size_bytes: "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
};

crate::queries::store::store_impl!(SqliteStore, reads: pool, writes: writer, sql: SQL);

/// Idle connections kept for reuse; more may be open at once under load (they are closed when returned).
const MAX_IDLE: usize = 8;

/// Direct readers for the hot read paths (a profile by key, profiles by row id, the `profile_space`
/// search; the statements are `read.rs`), over rusqlite on the same bundled SQLite that sqlx links.
///
/// sqlx runs every SQLite connection on its own worker thread and hands each statement and each row
/// across a channel; for a point lookup that costs more than the lookup itself (two thread wake-ups per
/// query: about 40 % of the CPU of `GET /api/profiles/{id}` under load). These readers run the statement
/// on the calling thread instead:
/// - a point lookup (one primary-key probe of a memory-mapped file, tens of microseconds) runs inline on
///   the async worker;
/// - anything that reads many rows runs on the blocking pool (`spawn_blocking`).
///
/// The connections are read-only in effect (`query_only`), in WAL mode beside sqlx's writer. Point
/// lookups map the file (`mmap_size` 1 GiB: no copy per page). Bulk reads do not: they go through
/// SQLite's own page cache (8 MiB per connection), so an answer that streams 20 M rows keeps a bounded
/// resident set instead of mapping every page it touched. An in-memory database has no file to share, so
/// it keeps using sqlx.
///
///
/// A small pool of direct reader connections to one database file.
pub(super) struct Readers {
    path: PathBuf,
    /// Idle connections for point lookups (memory-mapped).
    point: Mutex<Vec<Connection>>,
    /// Idle connections for bulk reads (page cache only).
    bulk: Mutex<Vec<Connection>>,
}

impl Readers {
    fn new(path: impl Into<PathBuf>) -> Arc<Readers> {
        Arc::new(Readers { path: path.into(), point: Mutex::new(Vec::new()), bulk: Mutex::new(Vec::new()) })
    }

    fn open(&self, mmap: bool) -> Result<Connection, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(&self.path, flags)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        if mmap {
            conn.execute_batch("PRAGMA query_only = 1; PRAGMA cache_size = -65536; PRAGMA mmap_size = 1073741824;")?;
        } else {
            // Bulk reads walk leaf pages once: a small cache (8 MiB) keeps the B-tree's inner pages, and the
            // resident set stays the same for 1 M or 20 M rows.
            conn.execute_batch("PRAGMA query_only = 1; PRAGMA cache_size = -8192;")?;
        }
        conn.set_prepared_statement_cache_capacity(64);
        Ok(conn)
    }

    /// Runs `f` on an idle point-lookup connection (opening one when none is idle) on the calling thread.
    pub(super) fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
        self.with_in(&self.point, true, f)
    }

    fn with_in<T>(
        &self,
        pool: &Mutex<Vec<Connection>>,
        mmap: bool,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let taken = pool.lock().map_err(|_| StoreError::Read("reader pool poisoned".into()))?.pop();
        let conn = match taken {
            Some(c) => c,
            None => self.open(mmap)?,
        };
        let out = f(&conn);
        if let Ok(mut idle) = pool.lock()
            && idle.len() < MAX_IDLE
        {
            idle.push(conn);
        }
        out
    }

    /// Runs `f` on a bulk connection on the blocking pool: for statements that read many rows.
    pub(super) async fn with_blocking<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || this.with_in(&this.bulk, false, f))
            .await
            .map_err(|e| StoreError::Read(format!("reader task failed: {e}")))?
    }
}

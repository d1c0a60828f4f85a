//! Direct readers for the SQLite store's hot read paths (a profile by key, profiles by row id, the
//! `profile_space` search), over rusqlite on the same bundled SQLite that sqlx links.
//!
//! sqlx runs every SQLite connection on its own worker thread and hands each statement and each row
//! across a channel; for a point lookup that costs more than the lookup itself (two thread wake-ups per
//! query: about 40 % of the CPU of `GET /api/profiles/{id}` under load). These readers run the statement
//! on the calling thread instead:
//! - a point lookup (one primary-key probe of a memory-mapped file, tens of microseconds) runs inline on
//!   the async worker;
//! - anything that reads many rows runs on the blocking pool (`spawn_blocking`).
//!
//! The connections are read-only in effect (`query_only`), in WAL mode beside sqlx's writer. Point
//! lookups map the file (`mmap_size` 1 GiB: no copy per page). Bulk reads do not: they go through
//! SQLite's own page cache (8 MiB per connection), so an answer that streams 20 M rows keeps a bounded
//! resident set instead of mapping every page it touched. An in-memory database has no file to share, so
//! it keeps using sqlx.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags};

use crate::StoreError;

/// Idle connections kept for reuse; more may be open at once under load (they are closed when returned).
const MAX_IDLE: usize = 8;

/// A small pool of direct reader connections to one database file.
pub(crate) struct Readers {
    path: PathBuf,
    /// Idle connections for point lookups (memory-mapped).
    point: Mutex<Vec<Connection>>,
    /// Idle connections for bulk reads (page cache only).
    bulk: Mutex<Vec<Connection>>,
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Read(e.to_string())
    }
}

impl Readers {
    pub(crate) fn new(path: impl Into<PathBuf>) -> Arc<Readers> {
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
    pub(crate) fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T, StoreError>) -> Result<T, StoreError> {
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
    pub(crate) async fn with_blocking<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || this.with_in(&this.bulk, false, f))
            .await
            .map_err(|e| StoreError::Read(format!("reader task failed: {e}")))?
    }
}

//! Backup and restore of a SQLite store: a backup is `VACUUM INTO` (a consistent copy taken in one read
//! transaction, while the store serves); a restore checks the backup is a complete store and swaps it in
//! for the database file atomically.

use std::path::Path;

use super::SqliteStore;
use crate::batch::TableCounts;
use crate::error::StoreError;
use crate::interface::Store;

/// Writes a backup of the store at `path` to `dest` and returns the counts it holds.
pub(crate) async fn backup(path: &str, dest: &str) -> Result<TableCounts, StoreError> {
    let store = SqliteStore::open(path).await?;
    let counts = store.counts().await?;
    sqlx::query("VACUUM INTO ?").bind(dest).execute(store.reader()).await?;
    Ok(counts)
}

/// Replaces the database file at `path` (named by `url`) with the backup `src` and returns the counts it
/// now holds.
pub(crate) async fn restore(url: &str, path: &str, src: &str, force: bool) -> Result<TableCounts, StoreError> {
    // The backup must be a store this version can read.
    let counts = {
        let b = SqliteStore::open(src).await?;
        if !b.ready().await? {
            return Err(StoreError::backup(format!("{src} is not a complete halocline store")));
        }
        b.counts().await?
    };
    if Path::new(path).exists() && !force {
        let existing = SqliteStore::open(path).await?;
        if existing.counts().await?.files > 0 {
            return Err(StoreError::backup(format!("{url} holds data; pass --force to replace it")));
        }
    }
    let tmp = format!("{path}.restore-tmp");
    std::fs::copy(src, &tmp).map_err(|e| StoreError::backup(format!("cannot write {tmp}: {e}")))?;
    for ext in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{path}{ext}"));
    }
    std::fs::rename(&tmp, path).map_err(|e| StoreError::backup(format!("cannot replace {path}: {e}")))?;
    Ok(counts)
}

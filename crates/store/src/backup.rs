//! Backups of either backend while it serves, and restores of those files: SQLite through `VACUUM INTO`
//! (a consistent copy taken in one read transaction) and an atomic file swap, PostgreSQL through
//! `pg_dump --format=custom` of the store's schema and `pg_restore --clean` in one transaction. The
//! backends' halves are the `backup.rs` of each backend folder; this file holds what both check.

use std::path::Path;

use crate::batch::TableCounts;
use crate::error::StoreError;

/// Writes a backup of the store at `url` to `dest` (which must not exist) and returns the counts it holds.
pub async fn backup(url: &str, dest: &Path) -> Result<TableCounts, StoreError> {
    if dest.exists() {
        return Err(StoreError::backup(format!("{} already exists", dest.display())));
    }
    let dest = dest.to_str().ok_or_else(|| StoreError::backup("the backup path is not UTF-8"))?;
    crate::backup_store(url, dest).await
}

/// Replaces the store at `url` with a backup made by [`backup`] and returns the counts it now holds. A
/// store that holds data is replaced only with `force`.
pub async fn restore(url: &str, src: &Path, force: bool) -> Result<TableCounts, StoreError> {
    if !src.is_file() {
        return Err(StoreError::backup(format!("{}: no such backup file", src.display())));
    }
    let src = src.to_str().ok_or_else(|| StoreError::backup("the backup path is not UTF-8"))?;
    crate::restore_store(url, src, force).await
}

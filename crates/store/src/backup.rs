//! Backups of either backend while it serves: SQLite through `VACUUM INTO` (a consistent copy taken in
//! one read transaction), PostgreSQL through `pg_dump --format=custom` of the store's schema; and restores
//! of those files (`pg_restore --clean` in one transaction for PostgreSQL, an atomic file swap for SQLite).

use std::path::Path;
use std::process::Command;

use crate::postgres::PgUrl;
use crate::{PgStore, SqliteStore, Store, StoreError, TableCounts};

fn backup_err(msg: impl Into<String>) -> StoreError {
    StoreError::Backup(msg.into())
}

/// The libpq URL and schema of a PostgreSQL store URL (halocline's own options removed).
fn libpq(url: &str) -> Result<(String, String), StoreError> {
    let u = PgUrl::parse(url)?;
    Ok((u.sqlx_url, u.schema.unwrap_or_else(|| "public".into())))
}

async fn run(program: &'static str, args: Vec<String>) -> Result<(), StoreError> {
    let out = tokio::task::spawn_blocking(move || Command::new(program).args(&args).output())
        .await
        .map_err(|e| backup_err(e.to_string()))?
        .map_err(|e| backup_err(format!("cannot run {program} ({e}); install the PostgreSQL client tools")))?;
    if !out.status.success() {
        return Err(backup_err(format!("{program} failed: {}", String::from_utf8_lossy(&out.stderr).trim())));
    }
    Ok(())
}

/// Writes a backup of the store at `url` to `dest` (which must not exist) and returns the counts it holds.
pub async fn backup(url: &str, dest: &Path) -> Result<TableCounts, StoreError> {
    if dest.exists() {
        return Err(backup_err(format!("{} already exists", dest.display())));
    }
    let dest_str = dest.to_str().ok_or_else(|| backup_err("the backup path is not UTF-8"))?.to_string();
    if crate::is_postgres(url) {
        let store = PgStore::open(url).await?;
        let counts = store.counts().await?;
        let (conn, schema) = libpq(url)?;
        let args = ["--format=custom", "--no-owner", "--schema", &schema, "--file", &dest_str, "--dbname", &conn];
        run("pg_dump", args.iter().map(|s| s.to_string()).collect()).await?;
        Ok(counts)
    } else {
        let store = SqliteStore::open(crate::sqlite_path(url)?).await?;
        let counts = store.counts().await?;
        sqlx::query("VACUUM INTO ?").bind(&dest_str).execute(store.reader()).await?;
        Ok(counts)
    }
}

/// Replaces the store at `url` with a backup made by [`backup`] and returns the counts it now holds. A
/// store that holds data is replaced only with `force`.
pub async fn restore(url: &str, src: &Path, force: bool) -> Result<TableCounts, StoreError> {
    if !src.is_file() {
        return Err(backup_err(format!("{}: no such backup file", src.display())));
    }
    let src_str = src.to_str().ok_or_else(|| backup_err("the backup path is not UTF-8"))?.to_string();
    if crate::is_postgres(url) {
        {
            // Creates the schema (and PostGIS) when missing; refuses to overwrite data unless forced.
            let store = PgStore::open(url).await?;
            if store.counts().await?.files > 0 && !force {
                return Err(backup_err(format!("{url} holds data; pass --force to replace it")));
            }
            store.pool().close().await;
        }
        let (conn, schema) = libpq(url)?;
        let args = [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--schema",
            &schema,
            "--dbname",
            &conn,
            &src_str,
        ];
        run("pg_restore", args.iter().map(|s| s.to_string()).collect()).await?;
        Ok(PgStore::open(url).await?.counts().await?)
    } else {
        let path = crate::sqlite_path(url)?;
        // The backup must be a store this version can read.
        let counts = {
            let b = SqliteStore::open(&src_str).await?;
            if !b.ready().await? {
                return Err(backup_err(format!("{} is not a complete halocline store", src.display())));
            }
            b.counts().await?
        };
        if Path::new(path).exists() && !force {
            let existing = SqliteStore::open(path).await?;
            if existing.counts().await?.files > 0 {
                return Err(backup_err(format!("{url} holds data; pass --force to replace it")));
            }
        }
        let tmp = format!("{path}.restore-tmp");
        std::fs::copy(src, &tmp).map_err(|e| backup_err(format!("cannot write {tmp}: {e}")))?;
        for ext in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{ext}"));
        }
        std::fs::rename(&tmp, path).map_err(|e| backup_err(format!("cannot replace {path}: {e}")))?;
        Ok(counts)
    }
}

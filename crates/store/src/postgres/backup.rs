//! Backup and restore of a PostgreSQL store: `pg_dump --format=custom` of the store's schema while it
//! serves, and `pg_restore --clean` of such a file in one transaction.

use std::process::Command;

use super::{PgStore, PgUrl};
use crate::batch::TableCounts;
use crate::error::StoreError;
use crate::interface::Store;

/// The libpq URL and schema of a PostgreSQL store URL (halocline's own options removed).
fn libpq(url: &str) -> Result<(String, String), StoreError> {
    let u = PgUrl::parse(url)?;
    Ok((u.sqlx_url, u.schema.unwrap_or_else(|| "public".into())))
}

async fn run(program: &'static str, args: Vec<String>) -> Result<(), StoreError> {
    let out = tokio::task::spawn_blocking(move || Command::new(program).args(&args).output())
        .await
        .map_err(|e| StoreError::backup(e.to_string()))?
        .map_err(|e| StoreError::backup(format!("cannot run {program} ({e}); install the PostgreSQL client tools")))?;
    if !out.status.success() {
        return Err(StoreError::backup(format!("{program} failed: {}", String::from_utf8_lossy(&out.stderr).trim())));
    }
    Ok(())
}

/// Writes a backup of the store at `url` to `dest` and returns the counts it holds.
pub(crate) async fn backup(url: &str, dest: &str) -> Result<TableCounts, StoreError> {
    let store = PgStore::open(url).await?;
    let counts = store.counts().await?;
    let (conn, schema) = libpq(url)?;
    let args = ["--format=custom", "--no-owner", "--schema", &schema, "--file", dest, "--dbname", &conn];
    run("pg_dump", args.iter().map(|s| s.to_string()).collect()).await?;
    Ok(counts)
}

/// Replaces the store at `url` with the backup `src` and returns the counts it now holds.
pub(crate) async fn restore(url: &str, src: &str, force: bool) -> Result<TableCounts, StoreError> {
    {
        // Creates the schema (and PostGIS) when missing; refuses to overwrite data unless forced.
        let store = PgStore::open(url).await?;
        if store.counts().await?.files > 0 && !force {
            return Err(StoreError::backup(format!("{url} holds data; pass --force to replace it")));
        }
        store.pool.close().await;
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
        src,
    ];
    run("pg_restore", args.iter().map(|s| s.to_string()).collect()).await?;
    PgStore::open(url).await?.counts().await
}

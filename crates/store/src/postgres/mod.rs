//! The PostgreSQL + PostGIS backend: the same behaviour as the SQLite store (natural keys, digest and
//! source-rank UPSERTs, one transaction per file), with geography points under GiST indexes, profiles
//! range-partitioned by year (`schema.rs`), and region search pushed into SQL (`read.rs`). This file: the
//! handle (its pool and the partition cache), the URL options, and the whole-store operations; each
//! concern trait is implemented in the file of its name.
//!
//! URL: `postgres://user@host:port/db?sslmode=require&max_connections=16&schema=name`. `sslmode` and the
//! other libpq-style options are sqlx's; `max_connections` (pool size, default 10) and `schema` (created
//! when missing, then first on the search path) are read here.

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

use std::str::FromStr;
use std::time::Duration;

use sqlx::AssertSqlSafe;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::batch::{FileBatch, WriteCounts};
use crate::error::StoreError;
use crate::queries::store::StoreSql;
use crate::rows::ts;
use schema::Partitions;

/// The PostgreSQL store.
pub struct PgStore {
    pool: PgPool,
    /// Years whose profile partition is known to exist.
    partitions: Partitions,
}

/// A connection URL split into sqlx's options and ours.
pub(crate) struct PgUrl {
    pub(crate) sqlx_url: String,
    pub(crate) max_connections: u32,
    pub(crate) schema: Option<String>,
}

impl PgUrl {
    pub(crate) fn parse(url: &str) -> Result<PgUrl, StoreError> {
        let bad = |why: &str| StoreError::UnsupportedUrl(format!("{url}: {why}"));
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut kept = Vec::new();
        let (mut max_connections, mut schema) = (10, None);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "max_connections" | "pool_size" => {
                    max_connections = v.parse().ok().filter(|n| *n > 0).ok_or_else(|| bad("bad max_connections"))?
                }
                "schema" => {
                    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                        return Err(bad("schema must be letters, digits and _"));
                    }
                    schema = Some(v.to_ascii_lowercase());
                }
                _ => kept.push(pair),
            }
        }
        let sqlx_url = if kept.is_empty() { base.to_string() } else { format!("{base}?{}", kept.join("&")) };
        Ok(PgUrl { sqlx_url, max_connections, schema })
    }
}

impl PgStore {
    /// Connects (pool size from `max_connections`, TLS from `sslmode`), creates the schema named by
    /// `schema` when missing, and applies pending migrations.
    pub async fn open(url: &str) -> Result<PgStore, StoreError> {
        let parsed = PgUrl::parse(url)?;
        let mut opts = PgConnectOptions::from_str(&parsed.sqlx_url)?.application_name("halocline");
        // Short API queries: JIT compilation costs more than it saves.
        let mut settings = vec![("jit", "off".to_string())];
        if let Some(schema) = &parsed.schema {
            // Created on a single connection before the pool uses it as its search path.
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect_with(&opts).await?;
            sqlx::raw_sql(AssertSqlSafe(format!("CREATE SCHEMA IF NOT EXISTS {schema}"))).execute(&mut conn).await?;
            sqlx::Connection::close(conn).await?;
            settings.push(("search_path", format!("{schema},public")));
        }
        opts = opts.options(settings);
        let pool = PgPoolOptions::new()
            .max_connections(parsed.max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .idle_timeout(Some(Duration::from_secs(600)))
            .connect_with(opts)
            .await?;
        schema::migrate(&pool).await?;
        Ok(PgStore { pool, partitions: Partitions::default() })
    }

    /// Writes one file's batch, after creating the partitions its profiles need.
    async fn write_batch(&self, batch: &FileBatch) -> Result<WriteCounts, StoreError> {
        self.partitions.ensure(&self.pool, batch.profiles.iter().filter_map(|p| ts(p.time))).await?;
        write::write_file(&self.pool, batch).await
    }

    /// This store as the target of a migration.
    pub(crate) fn migration_target(&self) -> transfer::Target {
        transfer::Target { pool: self.pool.clone(), partitions: Partitions::default() }
    }
}

/// The whole-store operations (see `StoreSql`).
const SQL: StoreSql = StoreSql {
    // Fresh planner statistics after a bulk load (PostgreSQL has no WAL file to fold in).
    checkpoint: schema::ANALYZE,
    counts: "SELECT (SELECT count(*) FROM platforms), (SELECT count(*) FROM profile_keys),
            (SELECT coalesce(sum(n_levels), 0)::int8 FROM profiles), (SELECT count(*) FROM series),
            (SELECT count(*) FROM reef_sites), (SELECT count(*) FROM heat_stress),
            (SELECT count(*) FROM profile_index), (SELECT count(*) FROM ingested_files)",
    size_bytes: "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::int8 FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')",
};

crate::queries::store::store_impl!(PgStore, reads: pool, writes: pool, sql: SQL);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_options_are_split_from_sqlx_ones() {
        let u = PgUrl::parse("postgres://u@h:5/db?sslmode=require&max_connections=16&schema=T_1").unwrap();
        assert_eq!(u.sqlx_url, "postgres://u@h:5/db?sslmode=require");
        assert_eq!((u.max_connections, u.schema.as_deref()), (16, Some("t_1")));
        assert!(PgUrl::parse("postgres://h/db?schema=x;drop").is_err());
        assert!(PgUrl::parse("postgres://h/db?max_connections=0").is_err());
    }
}

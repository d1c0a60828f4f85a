//! The PostgreSQL + PostGIS backend: the same behaviour as the SQLite store (natural keys, digest and
//! source-rank UPSERTs, one transaction per file), with geography points under GiST indexes, profiles
//! range-partitioned by year, and region search pushed into SQL.
//!
//! URL: `postgres://user@host:port/db?sslmode=require&max_connections=16&schema=name`. `sslmode` and the
//! other libpq-style options are sqlx's; `max_connections` (pool size, default 10) and `schema` (created
//! when missing, then first on the search path) are read here.

mod auth;
mod grids;
mod schema;

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use model::{
    DataMode, Direction, DirectionKey, HeatStressDay, Platform, PlatformKind, Point, Profile, ProfileKey, QcFlag,
    ReefSite, Region, SeriesPoint, SourceFormat, TimeRange,
};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{AssertSqlSafe, Postgres, Row, Transaction};

use crate::codec::{decode_levels, encode_levels, fnv1a, profile_digest};
use crate::sqlite::{attrs_to_json, clamp_date, parse_attrs, source_rank};
use crate::{
    FileBatch, PlatformSummary, ProfileFilter, ProfileStub, SeriesFilter, StoreError, TableCounts, VariableStats,
    WriteCounts,
};

pub(crate) use schema::MIGRATIONS;

/// The PostgreSQL store.
pub struct PgStore {
    pool: PgPool,
    /// Years whose profile partition is known to exist.
    years: Mutex<HashSet<i32>>,
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

pub(crate) fn ts(t: Option<DateTime<Utc>>) -> Option<i64> {
    t.map(|t| t.timestamp())
}

fn from_ts(t: Option<i64>) -> Option<DateTime<Utc>> {
    t.and_then(|s| Utc.timestamp_opt(s, 0).single())
}

/// NaN is stored as NULL, as SQLite does.
fn finite(x: Option<f64>) -> Option<f64> {
    x.filter(|v| !v.is_nan())
}

/// Binds for SQL built at run time (`$1`, `$2`, ...).
#[derive(Default)]
struct Args {
    vals: Vec<Arg>,
}

enum Arg {
    F(f64),
    I(i64),
    T(String),
}

impl Args {
    fn push(&mut self, a: Arg) -> String {
        self.vals.push(a);
        format!("${}", self.vals.len())
    }
    fn bind<'q>(
        self,
        mut q: sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>,
    ) -> sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments> {
        for v in self.vals {
            q = match v {
                Arg::F(x) => q.bind(x),
                Arg::I(x) => q.bind(x),
                Arg::T(x) => q.bind(x),
            };
        }
        q
    }
}

/// Longitude shifts of an unwrapped ring that can hold points of [-180, 180] (see `Polygon::contains`).
fn ring_shifts(ring: &[(f64, f64)]) -> Vec<f64> {
    let (lo, hi) = ring.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &(x, _)| (lo.min(x), hi.max(x)));
    [0.0, 360.0, -360.0].into_iter().filter(|dx| lo + dx <= 180.0 && hi + dx >= -180.0).collect()
}

fn ring_wkt(ring: &[(f64, f64)], dx: f64) -> String {
    let pts: Vec<String> = ring.iter().map(|(x, y)| format!("{:?} {:?}", x + dx, y)).collect();
    format!("POLYGON(({}))", pts.join(","))
}

/// A SQL condition true for every profile position the region contains (and perhaps a few more at the
/// very edge: callers apply the exact test, as with the SQLite R*Tree).
fn region_sql(region: &Region, args: &mut Args) -> String {
    match region {
        Region::Box(b) => {
            let ors: Vec<String> = b
                .split()
                .iter()
                .map(|bx| {
                    let (w, s, e, n) = (
                        args.push(Arg::F(bx.west)),
                        args.push(Arg::F(bx.south)),
                        args.push(Arg::F(bx.east)),
                        args.push(Arg::F(bx.north)),
                    );
                    format!("p.geom && ST_MakeEnvelope({w}, {s}, {e}, {n}, 4326)")
                })
                .collect();
            format!("({})", ors.join(" OR "))
        }
        Region::Polygon(poly) => polygon_sql(poly.ring(), args),
        Region::MultiPolygon(polys) => {
            let ands: Vec<String> = polys.iter().map(|p| polygon_sql(p.ring(), args)).collect();
            format!("({})", ands.join(" AND "))
        }
        Region::Circle { center, radius_km } => {
            // PostGIS's sphere (mean radius 6371008.77 m) and the model's (6371008.8 m) differ by 5e-9:
            // a margin keeps every point of the exact haversine test.
            let (lon, lat) = (args.push(Arg::F(center.lon)), args.push(Arg::F(center.lat)));
            let m = args.push(Arg::F(radius_km * 1000.0 * (1.0 + 1e-6) + 1.0));
            format!("ST_DWithin(p.geog, ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326)::geography, {m}, false)")
        }
    }
}

fn polygon_sql(ring: &[(f64, f64)], args: &mut Args) -> String {
    let ors: Vec<String> = ring_shifts(ring)
        .into_iter()
        .map(|dx| {
            let wkt = args.push(Arg::T(ring_wkt(ring, dx)));
            // Planar, as the model's even-odd test; points on (or within 1e-9° of) an edge count.
            format!("ST_DWithin(p.geom, ST_GeomFromText({wkt}, 4326), 1e-9)")
        })
        .collect();
    if ors.is_empty() { "false".into() } else { format!("({})", ors.join(" OR ")) }
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
        let store = PgStore { pool, years: Mutex::new(HashSet::new()) };
        store.migrate().await?;
        Ok(store)
    }

    /// The pool, for backup, restore and migration.
    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        // One migrator at a time per schema (parallel tests, several processes starting together).
        sqlx::query("SELECT pg_advisory_lock(hashtext(current_schema() || '.halocline_migrate'))")
            .execute(&mut *conn)
            .await?;
        let result = async {
            let has_postgis: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'postgis')")
                    .fetch_one(&mut *conn)
                    .await?;
            if !has_postgis {
                sqlx::query("CREATE EXTENSION IF NOT EXISTS postgis").execute(&mut *conn).await.map_err(|e| {
                    StoreError::Migration {
                        version: 0,
                        message: format!(
                            "the postgis extension is missing and could not be created ({e}); \
                             install PostGIS (Debian: postgresql-15-postgis-3) or run CREATE EXTENSION postgis as a superuser"
                        ),
                    }
                })?;
            }
            sqlx::query(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint PRIMARY KEY, applied_at timestamptz NOT NULL)",
            )
            .execute(&mut *conn)
            .await?;
            for &(version, sql) in MIGRATIONS {
                let done: Option<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
                    .bind(version)
                    .fetch_optional(&mut *conn)
                    .await?;
                if done.is_some() {
                    continue;
                }
                let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                sqlx::raw_sql(AssertSqlSafe(sql))
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| StoreError::Migration { version, message: e.to_string() })?;
                sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())")
                    .bind(version)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
            Ok::<(), StoreError>(())
        }
        .await;
        sqlx::query("SELECT pg_advisory_unlock(hashtext(current_schema() || '.halocline_migrate'))")
            .execute(&mut *conn)
            .await?;
        result
    }

    /// Creates the yearly partitions these times fall in, each in its own short transaction (outside
    /// the file's transaction, so readers are not held up by its lock).
    pub(crate) async fn ensure_partitions(&self, times: impl Iterator<Item = i64>) -> Result<(), StoreError> {
        let mut need: Vec<i32> = {
            let known = self.years.lock().map_err(|_| StoreError::Corrupt("partition cache poisoned".into()))?;
            let mut v: Vec<i32> = times
                .filter_map(|t| Utc.timestamp_opt(t, 0).single().map(|d| d.year()))
                .filter(|y| !known.contains(y))
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        if need.is_empty() {
            return Ok(());
        }
        let existing: Vec<String> = sqlx::query_scalar(
            "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'profiles'::regclass",
        )
        .fetch_all(&self.pool)
        .await?;
        let existing: HashSet<String> = existing.into_iter().collect();
        for &year in &need {
            if existing.contains(&schema::partition_name(year)) {
                continue;
            }
            let mut tx = self.pool.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.halocline_partitions'))")
                .execute(&mut *tx)
                .await?;
            sqlx::raw_sql(AssertSqlSafe(schema::partition_ddl(year))).execute(&mut *tx).await?;
            tx.commit().await?;
        }
        let mut known = self.years.lock().map_err(|_| StoreError::Corrupt("partition cache poisoned".into()))?;
        known.extend(need.drain(..));
        Ok(())
    }

    async fn write_platforms(tx: &mut Transaction<'_, Postgres>, platforms: &[Platform]) -> Result<u64, StoreError> {
        let mut n = 0;
        for p in platforms {
            let (lon, lat) = (p.position.map(|pt| pt.lon), p.position.map(|pt| pt.lat));
            let attrs = attrs_to_json(&p.attributes);
            let inserted = sqlx::query(
                "INSERT INTO platforms (id, kind, name, lon, lat, attributes) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(&p.id)
            .bind(p.kind.as_str())
            .bind(&p.name)
            .bind(lon)
            .bind(lat)
            .bind(&attrs)
            .execute(&mut **tx)
            .await?
            .rows_affected();
            if inserted == 1 {
                n += 1;
                continue;
            }
            // Merge as the SQLite backend does: the new kind; a name or position the file lacks keeps the
            // stored one; attribute keys patched in place, new keys appended; unchanged rows untouched.
            let row = sqlx::query("SELECT kind, name, lon, lat, attributes FROM platforms WHERE id = $1 FOR UPDATE")
                .bind(&p.id)
                .fetch_one(&mut **tx)
                .await?;
            let (kind, name, old_lon, old_lat, old_attrs): (String, Option<String>, Option<f64>, Option<f64>, String) =
                (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?, row.try_get(4)?);
            let mut merged = parse_attrs(&old_attrs);
            for (k, v) in &p.attributes {
                match merged.iter_mut().find(|(mk, _)| mk == k) {
                    Some(slot) => slot.1 = v.clone(),
                    None => merged.push((k.clone(), v.clone())),
                }
            }
            let merged = attrs_to_json(&merged);
            let changed = kind != p.kind.as_str()
                || (p.name.is_some() && p.name != name)
                || (lon.is_some() && (lon != old_lon || lat != old_lat))
                || merged != old_attrs;
            if changed {
                sqlx::query(
                    "UPDATE platforms SET kind = $2, name = coalesce($3, name), lon = coalesce($4, lon),
                       lat = coalesce($5, lat), attributes = $6 WHERE id = $1",
                )
                .bind(&p.id)
                .bind(p.kind.as_str())
                .bind(&p.name)
                .bind(lon)
                .bind(lat)
                .bind(merged)
                .execute(&mut **tx)
                .await?;
                n += 1;
            }
        }
        Ok(n)
    }

    async fn write_profiles(
        tx: &mut Transaction<'_, Postgres>,
        profiles: &[Profile],
    ) -> Result<(u64, u64), StoreError> {
        const CHUNK: usize = 1000;
        // One key once per statement (ON CONFLICT cannot update a row twice): keep the first, as SQLite.
        let mut seen = HashSet::new();
        let unique: Vec<&Profile> = profiles.iter().filter(|p| seen.insert(p.key())).collect();
        let (mut n, mut levels) = (0, 0);
        for chunk in unique.chunks(CHUNK) {
            let blobs: Vec<Vec<u8>> = chunk.iter().map(|p| encode_levels(&p.params)).collect();
            let dirs: Vec<String> = chunk.iter().map(|p| p.direction.to_char().to_string()).collect();
            let rows = sqlx::query(
                "INSERT INTO profile_keys AS k (platform, cycle, direction, source_rank, source_file, digest)
                 SELECT * FROM UNNEST($1::text[], $2::int4[], $3::text[], $4::int4[], $5::text[], $6::int8[])
                 ON CONFLICT (platform, cycle, direction) DO UPDATE SET source_rank = excluded.source_rank,
                   source_file = excluded.source_file, digest = excluded.digest
                 WHERE k.digest <> excluded.digest AND (excluded.source_rank > k.source_rank
                   OR (excluded.source_rank = k.source_rank AND excluded.source_file = k.source_file))
                 RETURNING id, platform, cycle, direction, (xmax = 0) AS inserted",
            )
            .bind(chunk.iter().map(|p| p.platform.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|p| p.cycle).collect::<Vec<_>>())
            .bind(&dirs)
            .bind(chunk.iter().map(|p| source_rank(p) as i32).collect::<Vec<_>>())
            .bind(chunk.iter().map(|p| p.source_file.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().zip(&blobs).map(|(p, b)| profile_digest(p, b)).collect::<Vec<_>>())
            .fetch_all(&mut **tx)
            .await?;
            if rows.is_empty() {
                continue;
            }
            let index: HashMap<(&str, i32, &str), usize> =
                chunk.iter().enumerate().map(|(i, p)| ((p.platform.as_str(), p.cycle, dirs[i].as_str()), i)).collect();
            let mut ids = Vec::with_capacity(rows.len());
            let mut replaced = Vec::new();
            let mut picked = Vec::with_capacity(rows.len());
            for row in &rows {
                let (id, platform, cycle, dir, inserted): (i64, String, i32, String, bool) =
                    (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?, row.try_get(4)?);
                let Some(&k) = index.get(&(platform.as_str(), cycle, dir.as_str())) else { continue };
                ids.push(id);
                if !inserted {
                    replaced.push(id);
                }
                picked.push(k);
                n += 1;
                levels += chunk[k].n_levels() as u64;
            }
            if !replaced.is_empty() {
                // The old version may sit in another year's partition.
                sqlx::query("DELETE FROM profiles WHERE id = ANY($1)").bind(&replaced).execute(&mut **tx).await?;
            }
            let ps: Vec<&Profile> = picked.iter().map(|&k| chunk[k]).collect();
            let strs = |f: fn(&Profile) -> &str| ps.iter().map(|p| f(p).to_string()).collect::<Vec<String>>();
            sqlx::query(
                "WITH u AS (SELECT id, platform, cycle, direction, to_timestamp(t) AS time, time_qc, lon, lat,
                     position_qc, data_mode, data_centre, project_name, pi_name, platform_type, wmo_inst_type,
                     positioning_system, vertical_sampling_scheme, config_mission_number, source_format,
                     source_file, n_levels, params, levels
                   FROM UNNEST($1::int8[], $2::text[], $3::int4[], $4::text[], $5::int8[], $6::int4[],
                     $7::float8[], $8::float8[], $9::int4[], $10::text[], $11::text[], $12::text[], $13::text[],
                     $14::text[], $15::text[], $16::text[], $17::text[], $18::int4[], $19::text[], $20::text[],
                     $21::int4[], $22::text[], $23::bytea[])
                     AS u(id, platform, cycle, direction, t, time_qc, lon, lat, position_qc, data_mode, data_centre,
                       project_name, pi_name, platform_type, wmo_inst_type, positioning_system,
                       vertical_sampling_scheme, config_mission_number, source_format, source_file, n_levels,
                       params, levels)),
                 search AS (INSERT INTO profiles (id, platform, cycle, direction, time, time_qc, lon, lat,
                     position_qc, data_mode, data_centre, project_name, pi_name, platform_type, wmo_inst_type,
                     positioning_system, vertical_sampling_scheme, config_mission_number, source_format,
                     source_file, n_levels, params)
                   SELECT id, platform, cycle, direction, time, time_qc, lon, lat, position_qc, data_mode,
                     data_centre, project_name, pi_name, platform_type, wmo_inst_type, positioning_system,
                     vertical_sampling_scheme, config_mission_number, source_format, source_file, n_levels, params
                   FROM u)
                 INSERT INTO profile_docs (id, platform, cycle, direction, time, time_qc, lon, lat, position_qc,
                   data_mode, data_centre, project_name, pi_name, platform_type, wmo_inst_type, positioning_system,
                   vertical_sampling_scheme, config_mission_number, source_format, source_file, levels)
                 SELECT id, platform, cycle, direction, time, time_qc, lon, lat, position_qc, data_mode,
                   data_centre, project_name, pi_name, platform_type, wmo_inst_type, positioning_system,
                   vertical_sampling_scheme, config_mission_number, source_format, source_file, levels FROM u
                 ON CONFLICT (id) DO UPDATE SET platform = excluded.platform, cycle = excluded.cycle,
                   direction = excluded.direction, time = excluded.time, time_qc = excluded.time_qc,
                   lon = excluded.lon, lat = excluded.lat, position_qc = excluded.position_qc,
                   data_mode = excluded.data_mode, data_centre = excluded.data_centre,
                   project_name = excluded.project_name, pi_name = excluded.pi_name,
                   platform_type = excluded.platform_type, wmo_inst_type = excluded.wmo_inst_type,
                   positioning_system = excluded.positioning_system,
                   vertical_sampling_scheme = excluded.vertical_sampling_scheme,
                   config_mission_number = excluded.config_mission_number, source_format = excluded.source_format,
                   source_file = excluded.source_file, levels = excluded.levels",
            )
            .bind(&ids)
            .bind(strs(|p| &p.platform))
            .bind(ps.iter().map(|p| p.cycle).collect::<Vec<_>>())
            .bind(picked.iter().map(|&k| dirs[k].clone()).collect::<Vec<_>>())
            .bind(ps.iter().map(|p| ts(p.time)).collect::<Vec<_>>())
            .bind(ps.iter().map(|p| p.time_qc.to_byte() as i32).collect::<Vec<_>>())
            .bind(ps.iter().map(|p| p.position.map(|pt| pt.lon)).collect::<Vec<_>>())
            .bind(ps.iter().map(|p| p.position.map(|pt| pt.lat)).collect::<Vec<_>>())
            .bind(ps.iter().map(|p| p.position_qc.to_byte() as i32).collect::<Vec<_>>())
            .bind(ps.iter().map(|p| p.data_mode.to_char().to_string()).collect::<Vec<_>>())
            .bind(strs(|p| &p.data_centre))
            .bind(strs(|p| &p.project_name))
            .bind(strs(|p| &p.pi_name))
            .bind(strs(|p| &p.platform_type))
            .bind(strs(|p| &p.wmo_inst_type))
            .bind(strs(|p| &p.positioning_system))
            .bind(strs(|p| &p.vertical_sampling_scheme))
            .bind(ps.iter().map(|p| p.config_mission_number).collect::<Vec<_>>())
            .bind(strs(|p| p.source_format.as_str()))
            .bind(strs(|p| &p.source_file))
            .bind(ps.iter().map(|p| p.n_levels() as i32).collect::<Vec<_>>())
            .bind(
                ps.iter()
                    .map(|p| p.params.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(","))
                    .collect::<Vec<_>>(),
            )
            .bind(picked.iter().map(|&k| blobs[k].clone()).collect::<Vec<_>>())
            .execute(&mut **tx)
            .await?;
        }
        Ok((n, levels))
    }

    async fn write_series(tx: &mut Transaction<'_, Postgres>, points: &[SeriesPoint]) -> Result<u64, StoreError> {
        const CHUNK: usize = 5000;
        // A key twice in one file: the last value wins, as the SQLite statements leave it.
        let mut last: HashMap<(&str, &str, i64, u64), usize> = HashMap::with_capacity(points.len());
        for (i, p) in points.iter().enumerate() {
            last.insert((&p.platform, &p.variable, p.time.timestamp(), p.depth.to_bits()), i);
        }
        let keep: Vec<&SeriesPoint> = points
            .iter()
            .enumerate()
            .filter(|(i, p)| last.get(&(&p.platform, &p.variable, p.time.timestamp(), p.depth.to_bits())) == Some(i))
            .map(|(_, p)| p)
            .collect();
        let mut n = 0;
        for chunk in keep.chunks(CHUNK) {
            n += sqlx::query(
                "INSERT INTO series AS s (platform, variable, time, depth, value, qc)
                 SELECT platform, variable, to_timestamp(t), depth, value, qc
                 FROM UNNEST($1::text[], $2::text[], $3::int8[], $4::float8[], $5::float8[], $6::int4[])
                   AS u(platform, variable, t, depth, value, qc)
                 ON CONFLICT (platform, variable, time, depth) DO UPDATE SET value = excluded.value, qc = excluded.qc
                 WHERE s.value IS DISTINCT FROM excluded.value OR s.qc IS DISTINCT FROM excluded.qc",
            )
            .bind(chunk.iter().map(|p| p.platform.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|p| p.variable.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|p| p.time.timestamp()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|p| p.depth).collect::<Vec<_>>())
            .bind(chunk.iter().map(|p| p.value).collect::<Vec<_>>())
            .bind(chunk.iter().map(|p| p.qc.to_byte() as i32).collect::<Vec<_>>())
            .execute(&mut **tx)
            .await?
            .rows_affected();
        }
        Ok(n)
    }

    async fn write_reef(tx: &mut Transaction<'_, Postgres>, batch: &FileBatch) -> Result<(u64, u64), StoreError> {
        let mut sites = 0;
        for s in &batch.reef_sites {
            let means = s.monthly_means.map(|m| m.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" "));
            let polygon =
                s.polygon.as_ref().map(|p| p.iter().map(|(x, y)| format!("{x} {y}")).collect::<Vec<_>>().join(","));
            let dates = (s.first_valid_dhw.map(|d| d.to_string()), s.first_valid_baa.map(|d| d.to_string()));
            // The same digest as the SQLite backend.
            let digest = fnv1a(&[
                s.name.as_bytes(),
                &s.position.lon.to_le_bytes(),
                &s.position.lat.to_le_bytes(),
                format!("{:?}{:?}{:?}{:?}", s.mmm, means, dates, polygon).as_bytes(),
            ]);
            sites += sqlx::query(
                "INSERT INTO reef_sites AS r (id, name, lon, lat, mmm, monthly_means, first_valid_dhw, first_valid_baa,
                   polygon, digest)
                 VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8::date, $9, $10)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, lon = excluded.lon, lat = excluded.lat,
                   mmm = excluded.mmm, monthly_means = excluded.monthly_means, first_valid_dhw = excluded.first_valid_dhw,
                   first_valid_baa = excluded.first_valid_baa, polygon = excluded.polygon, digest = excluded.digest
                 WHERE r.digest <> excluded.digest",
            )
            .bind(&s.id)
            .bind(&s.name)
            .bind(s.position.lon)
            .bind(s.position.lat)
            .bind(finite(s.mmm))
            .bind(means)
            .bind(s.first_valid_dhw.map(clamp_date))
            .bind(s.first_valid_baa.map(clamp_date))
            .bind(polygon)
            .bind(digest)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        }
        const CHUNK: usize = 2000;
        let mut last: HashMap<(&str, NaiveDate), usize> = HashMap::new();
        for (i, d) in batch.heat_stress.iter().enumerate() {
            last.insert((&d.site, d.date), i);
        }
        let keep: Vec<&HeatStressDay> = batch
            .heat_stress
            .iter()
            .enumerate()
            .filter(|(i, d)| last.get(&(&d.site, d.date)) == Some(i))
            .map(|x| x.1)
            .collect();
        let mut days = 0;
        for chunk in keep.chunks(CHUNK) {
            let col = |f: fn(&HeatStressDay) -> Option<f64>| chunk.iter().map(|d| finite(f(d))).collect::<Vec<_>>();
            days += sqlx::query(
                "INSERT INTO heat_stress AS h (site, date, sst_min, sst_max, sst_90th_hs, ssta_90th_hs, hotspot, dhw,
                   baa_7day_max)
                 SELECT site, d::date, sst_min, sst_max, sst_90th_hs, ssta_90th_hs, hotspot, dhw, baa
                 FROM UNNEST($1::text[], $2::text[], $3::float8[], $4::float8[], $5::float8[], $6::float8[],
                   $7::float8[], $8::float8[], $9::int4[])
                   AS u(site, d, sst_min, sst_max, sst_90th_hs, ssta_90th_hs, hotspot, dhw, baa)
                 ON CONFLICT (site, date) DO UPDATE SET sst_min = excluded.sst_min, sst_max = excluded.sst_max,
                   sst_90th_hs = excluded.sst_90th_hs, ssta_90th_hs = excluded.ssta_90th_hs, hotspot = excluded.hotspot,
                   dhw = excluded.dhw, baa_7day_max = excluded.baa_7day_max
                 WHERE (h.sst_min, h.sst_max, h.sst_90th_hs, h.ssta_90th_hs, h.hotspot, h.dhw, h.baa_7day_max)
                   IS DISTINCT FROM (excluded.sst_min, excluded.sst_max, excluded.sst_90th_hs, excluded.ssta_90th_hs,
                   excluded.hotspot, excluded.dhw, excluded.baa_7day_max)",
            )
            .bind(chunk.iter().map(|d| d.site.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|d| clamp_date(d.date)).collect::<Vec<_>>())
            .bind(col(|d| d.sst_min))
            .bind(col(|d| d.sst_max))
            .bind(col(|d| d.sst_90th_hs))
            .bind(col(|d| d.ssta_90th_hs))
            .bind(col(|d| d.hotspot))
            .bind(col(|d| d.dhw))
            .bind(chunk.iter().map(|d| d.baa_7day_max.map(i32::from)).collect::<Vec<_>>())
            .execute(&mut **tx)
            .await?
            .rows_affected();
        }
        Ok((sites, days))
    }

    async fn write_index(tx: &mut Transaction<'_, Postgres>, rows: &[crate::IndexRow]) -> Result<u64, StoreError> {
        const CHUNK: usize = 5000;
        let mut last: HashMap<&str, usize> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            last.insert(&r.file, i);
        }
        let keep: Vec<&crate::IndexRow> =
            rows.iter().enumerate().filter(|(i, r)| last.get(r.file.as_str()) == Some(i)).map(|x| x.1).collect();
        let mut n = 0;
        for chunk in keep.chunks(CHUNK) {
            n += sqlx::query(
                "INSERT INTO profile_index AS x (file, time, lat, lon, ocean, profiler_type, institution, date_update)
                 SELECT file, to_timestamp(t), lat, lon, ocean, profiler_type, institution, to_timestamp(du)
                 FROM UNNEST($1::text[], $2::int8[], $3::float8[], $4::float8[], $5::text[], $6::int4[], $7::text[],
                   $8::int8[]) AS u(file, t, lat, lon, ocean, profiler_type, institution, du)
                 ON CONFLICT (file) DO UPDATE SET time = excluded.time, lat = excluded.lat, lon = excluded.lon,
                   ocean = excluded.ocean, profiler_type = excluded.profiler_type, institution = excluded.institution,
                   date_update = excluded.date_update
                 WHERE (x.date_update, x.time, x.lat, x.lon)
                   IS DISTINCT FROM (excluded.date_update, excluded.time, excluded.lat, excluded.lon)",
            )
            .bind(chunk.iter().map(|r| r.file.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|r| ts(r.time)).collect::<Vec<_>>())
            .bind(chunk.iter().map(|r| finite(r.lat)).collect::<Vec<_>>())
            .bind(chunk.iter().map(|r| finite(r.lon)).collect::<Vec<_>>())
            .bind(chunk.iter().map(|r| r.ocean.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|r| r.profiler_type).collect::<Vec<_>>())
            .bind(chunk.iter().map(|r| r.institution.clone()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|r| ts(r.date_update)).collect::<Vec<_>>())
            .execute(&mut **tx)
            .await?
            .rows_affected();
        }
        Ok(n)
    }
}

fn profile_from_row(row: &PgRow) -> Result<Profile, StoreError> {
    let dir: String = row.try_get("direction")?;
    let direction = Direction::from_char(dir.bytes().next().unwrap_or(b'A')).unwrap_or(Direction::Ascending);
    let mut p = Profile::empty(row.try_get::<String, _>("platform")?, row.try_get::<i32, _>("cycle")?, direction);
    p.time = from_ts(row.try_get("t")?);
    p.time_qc = QcFlag::from_byte(row.try_get::<i16, _>("time_qc")? as u8);
    let (lon, lat): (Option<f64>, Option<f64>) = (row.try_get("lon")?, row.try_get("lat")?);
    p.position = match (lon, lat) {
        (Some(lon), Some(lat)) => Point::new(lon, lat).ok(),
        _ => None,
    };
    p.position_qc = QcFlag::from_byte(row.try_get::<i16, _>("position_qc")? as u8);
    let mode: String = row.try_get("data_mode")?;
    p.data_mode = DataMode::from_char(mode.bytes().next().unwrap_or(b'R')).unwrap_or(DataMode::RealTime);
    p.data_centre = row.try_get("data_centre")?;
    p.project_name = row.try_get("project_name")?;
    p.pi_name = row.try_get("pi_name")?;
    p.platform_type = row.try_get("platform_type")?;
    p.wmo_inst_type = row.try_get("wmo_inst_type")?;
    p.positioning_system = row.try_get("positioning_system")?;
    p.vertical_sampling_scheme = row.try_get("vertical_sampling_scheme")?;
    p.config_mission_number = row.try_get("config_mission_number")?;
    let fmt: String = row.try_get("source_format")?;
    p.source_format = SourceFormat::parse(&fmt).unwrap_or(SourceFormat::ArgoNetcdf);
    p.source_file = row.try_get("source_file")?;
    let blob: Vec<u8> = row.try_get("levels")?;
    p.params = decode_levels(&blob).map_err(StoreError::Corrupt)?;
    Ok(p)
}

const PROFILE_COLUMNS: &str = "d.platform, d.cycle, d.direction, extract(epoch FROM d.time)::int8 AS t, d.time_qc,
    d.lon, d.lat, d.position_qc, d.data_mode, d.data_centre, d.project_name, d.pi_name, d.platform_type,
    d.wmo_inst_type, d.positioning_system, d.vertical_sampling_scheme, d.config_mission_number, d.source_format,
    d.source_file, d.levels";

fn point_of(r: &PgRow) -> Result<Option<SeriesPoint>, StoreError> {
    let t: i64 = r.try_get("t")?;
    Ok(Utc.timestamp_opt(t, 0).single().map(|time| SeriesPoint {
        platform: r.try_get("platform").unwrap_or_default(),
        variable: r.try_get("variable").unwrap_or_default(),
        time,
        depth: r.try_get("depth").unwrap_or_default(),
        value: r.try_get("value").unwrap_or_default(),
        qc: QcFlag::from_byte(r.try_get::<i16, _>("qc").unwrap_or_default() as u8),
    }))
}

#[async_trait]
impl crate::Store for PgStore {
    async fn write_file(&self, batch: &FileBatch) -> Result<WriteCounts, StoreError> {
        self.ensure_partitions(batch.profiles.iter().filter_map(|p| ts(p.time))).await?;
        let mut tx = self.pool.begin().await?;
        let mut c =
            WriteCounts { platforms: Self::write_platforms(&mut tx, &batch.platforms).await?, ..Default::default() };
        for p in &batch.platform_stubs {
            c.platforms += sqlx::query(
                "INSERT INTO platforms (id, kind, name, lon, lat) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
            )
            .bind(&p.id)
            .bind(p.kind.as_str())
            .bind(&p.name)
            .bind(p.position.map(|pt| pt.lon))
            .bind(p.position.map(|pt| pt.lat))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        (c.profiles, c.levels) = Self::write_profiles(&mut tx, &batch.profiles).await?;
        c.series_points = Self::write_series(&mut tx, &batch.series).await?;
        (c.reef_sites, c.heat_stress_days) = Self::write_reef(&mut tx, batch).await?;
        c.index_rows = Self::write_index(&mut tx, &batch.index_rows).await?;
        c.grids = Self::write_grids(&mut tx, &batch.grids).await?;
        sqlx::query(
            "INSERT INTO ingested_files (source, kind, size_bytes, ingested_at) VALUES ($1, $2, $3, to_timestamp($4))
             ON CONFLICT (source) DO UPDATE SET kind = excluded.kind, size_bytes = excluded.size_bytes,
               ingested_at = excluded.ingested_at",
        )
        .bind(&batch.source)
        .bind(&batch.kind)
        .bind(batch.size_bytes as i64)
        .bind(Utc::now().timestamp())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    async fn checkpoint(&self) -> Result<(), StoreError> {
        // Fresh planner statistics after a bulk load (PostgreSQL has no WAL file to fold in).
        sqlx::raw_sql("ANALYZE profiles; ANALYZE profile_keys; ANALYZE series").execute(&self.pool).await?;
        Ok(())
    }

    async fn counts(&self) -> Result<TableCounts, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT count(*) FROM platforms), (SELECT count(*) FROM profile_keys),
                    (SELECT coalesce(sum(n_levels), 0)::int8 FROM profiles), (SELECT count(*) FROM series),
                    (SELECT count(*) FROM reef_sites), (SELECT count(*) FROM heat_stress),
                    (SELECT count(*) FROM profile_index), (SELECT count(*) FROM ingested_files)",
        )
        .fetch_one(&self.pool)
        .await?;
        let g = |i: usize| -> Result<u64, StoreError> { Ok(row.try_get::<i64, _>(i)? as u64) };
        Ok(TableCounts {
            platforms: g(0)?,
            profiles: g(1)?,
            levels: g(2)?,
            series_points: g(3)?,
            reef_sites: g(4)?,
            heat_stress_days: g(5)?,
            index_rows: g(6)?,
            files: g(7)?,
        })
    }

    async fn ready(&self) -> Result<bool, StoreError> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT max(version) FROM schema_migrations").fetch_one(&self.pool).await?;
        Ok(v == MIGRATIONS.last().map(|m| m.0))
    }

    async fn platforms(&self, kind: Option<PlatformKind>) -> Result<Vec<PlatformSummary>, StoreError> {
        let rows = sqlx::query(
            // One grouped pass per table (correlated subqueries per platform cost a scan each when
            // few platforms hold most rows).
            "WITH pr AS (SELECT platform, count(*) AS n, extract(epoch FROM min(time))::int8 AS f,
                    extract(epoch FROM max(time))::int8 AS l FROM profiles GROUP BY platform),
                  se AS (SELECT platform, count(*) AS n, extract(epoch FROM min(time))::int8 AS f,
                    extract(epoch FROM max(time))::int8 AS l, string_agg(DISTINCT variable, ',' ORDER BY variable) AS vars
                    FROM series GROUP BY platform),
                  hs AS (SELECT site, count(*) AS n, extract(epoch FROM min(date))::int8 AS f,
                    extract(epoch FROM max(date))::int8 AS l FROM heat_stress GROUP BY site)
             SELECT pl.id, pl.kind, pl.name, pl.lon, pl.lat, pl.attributes,
               coalesce(pr.n, 0) AS n_profiles, pr.f AS p_first, pr.l AS p_last,
               coalesce(se.n, 0) AS n_series, se.f AS s_first, se.l AS s_last, se.vars,
               coalesce(hs.n, 0) AS n_days, hs.f AS h_first, hs.l AS h_last
             FROM platforms pl LEFT JOIN pr ON pr.platform = pl.id LEFT JOIN se ON se.platform = pl.id
               LEFT JOIN hs ON hs.site = pl.id
             WHERE ($1::text IS NULL OR pl.kind = $1) ORDER BY pl.id",
        )
        .bind(kind.map(|k| k.as_str()))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let mut p = Platform::new(
                r.try_get::<String, _>("id")?,
                PlatformKind::parse(&r.try_get::<String, _>("kind")?).unwrap_or(PlatformKind::Other),
            );
            p.name = r.try_get("name")?;
            let (lon, lat): (Option<f64>, Option<f64>) = (r.try_get("lon")?, r.try_get("lat")?);
            p.position = lon.zip(lat).and_then(|(lon, lat)| Point::new(lon, lat).ok());
            p.attributes = parse_attrs(&r.try_get::<String, _>("attributes")?);
            let firsts =
                [from_ts(r.try_get("p_first")?), from_ts(r.try_get("s_first")?), from_ts(r.try_get("h_first")?)];
            let lasts = [from_ts(r.try_get("p_last")?), from_ts(r.try_get("s_last")?), from_ts(r.try_get("h_last")?)];
            let vars: Option<String> = r.try_get("vars")?;
            out.push(PlatformSummary {
                platform: p,
                profiles: r.try_get::<i64, _>("n_profiles")? as u64,
                series_points: r.try_get::<i64, _>("n_series")? as u64,
                heat_stress_days: r.try_get::<i64, _>("n_days")? as u64,
                first_time: firsts.into_iter().flatten().min(),
                last_time: lasts.into_iter().flatten().max(),
                variables: vars.map(|v| v.split(',').map(str::to_string).collect()).unwrap_or_default(),
            });
        }
        Ok(out)
    }

    async fn profile(&self, key: &ProfileKey) -> Result<Option<Profile>, StoreError> {
        let dir = if key.direction == DirectionKey::D { "D" } else { "A" };
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {PROFILE_COLUMNS} FROM profile_keys k JOIN profile_docs d ON d.id = k.id
             WHERE k.platform = $1 AND k.cycle = $2 AND k.direction = $3"
        )))
        .bind(&key.platform)
        .bind(key.cycle)
        .bind(dir)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(profile_from_row).transpose()
    }

    async fn profiles(&self, f: &ProfileFilter) -> Result<Vec<Profile>, StoreError> {
        let mut stubs = self.profile_stubs(f).await?;
        if let Some(region) = &f.region {
            stubs.retain(|s| s.position.is_some_and(|p| region.contains(p)));
        }
        // Newest first.
        stubs.reverse();
        if let Some(l) = f.limit {
            stubs.truncate(l);
        }
        let ids: Vec<i64> = stubs.iter().map(|s| s.row_id).collect();
        self.profiles_by_row_ids(&ids).await
    }

    async fn profile_stubs(&self, f: &ProfileFilter) -> Result<Vec<ProfileStub>, StoreError> {
        let mut args = Args::default();
        let mut conds: Vec<String> = Vec::new();
        if let Some(region) = &f.region {
            conds.push(region_sql(region, &mut args));
        }
        if let Some(t) = &f.time {
            let (a, b) = (args.push(Arg::I(t.start().timestamp())), args.push(Arg::I(t.end().timestamp())));
            conds.push(format!("p.time >= to_timestamp({a}) AND p.time < to_timestamp({b})"));
        }
        if let Some(p) = &f.platform {
            conds.push(format!("p.platform = {}", args.push(Arg::T(p.clone()))));
        }
        let mut sql = String::from(
            "SELECT p.id, p.platform, p.cycle, p.direction, extract(epoch FROM p.time)::int8 AS t, p.lon, p.lat,
                    p.data_mode, p.params, p.source_format, p.position_qc FROM profiles p",
        );
        if !conds.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conds.join(" AND "));
        }
        sql.push_str(" ORDER BY p.time NULLS FIRST, p.platform, p.cycle, p.direction");
        let rows = args.bind(sqlx::query(AssertSqlSafe(sql))).fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let dir: String = r.try_get(3)?;
            let (lon, lat): (Option<f64>, Option<f64>) = (r.try_get(5)?, r.try_get(6)?);
            let mode: String = r.try_get(7)?;
            let params: String = r.try_get(8)?;
            let fmt: String = r.try_get(9)?;
            out.push(ProfileStub {
                row_id: r.try_get(0)?,
                key: ProfileKey {
                    platform: r.try_get(1)?,
                    cycle: r.try_get(2)?,
                    direction: if dir == "D" { DirectionKey::D } else { DirectionKey::A },
                },
                time: from_ts(r.try_get(4)?),
                position: lon.zip(lat).and_then(|(lon, lat)| Point::new(lon, lat).ok()),
                data_mode: DataMode::from_char(mode.bytes().next().unwrap_or(b'R')).unwrap_or(DataMode::RealTime),
                params: if params.is_empty() { Vec::new() } else { params.split(',').map(str::to_string).collect() },
                source_format: SourceFormat::parse(&fmt).unwrap_or(SourceFormat::ArgoNetcdf),
                position_qc: QcFlag::from_byte(r.try_get::<i16, _>(10)? as u8),
            });
        }
        Ok(out)
    }

    async fn profiles_by_row_ids(&self, ids: &[i64]) -> Result<Vec<Profile>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(1000) {
            let rows = sqlx::query(AssertSqlSafe(format!(
                "SELECT d.id AS row_id, {PROFILE_COLUMNS} FROM profile_docs d WHERE d.id = ANY($1)"
            )))
            .bind(chunk)
            .fetch_all(&self.pool)
            .await?;
            let mut by_id = HashMap::with_capacity(rows.len());
            for row in &rows {
                by_id.insert(row.try_get::<i64, _>("row_id")?, profile_from_row(row)?);
            }
            out.extend(chunk.iter().filter_map(|id| by_id.remove(id)));
        }
        Ok(out)
    }

    async fn series(&self, platform: &str, variable: &str, time: TimeRange) -> Result<Vec<SeriesPoint>, StoreError> {
        let rows = sqlx::query(
            "SELECT platform, variable, extract(epoch FROM time)::int8 AS t, depth, value, qc FROM series
             WHERE platform = $1 AND variable = $2 AND time >= to_timestamp($3) AND time < to_timestamp($4)
             ORDER BY time, depth",
        )
        .bind(platform)
        .bind(variable)
        .bind(time.start().timestamp())
        .bind(time.end().timestamp())
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.extend(point_of(r)?);
        }
        Ok(out)
    }

    async fn series_points(&self, f: &SeriesFilter) -> Result<Vec<SeriesPoint>, StoreError> {
        let mut args = Args::default();
        let mut conds: Vec<String> = Vec::new();
        if let Some(p) = &f.platform {
            conds.push(format!("platform = {}", args.push(Arg::T(p.clone()))));
        }
        if let Some(v) = &f.variable {
            conds.push(format!("variable = {}", args.push(Arg::T(v.clone()))));
        }
        if let Some(t) = &f.time {
            let (a, b) = (args.push(Arg::I(t.start().timestamp())), args.push(Arg::I(t.end().timestamp())));
            conds.push(format!("time >= to_timestamp({a}) AND time < to_timestamp({b})"));
        }
        if let Some(qc) = &f.qc_in {
            let list: Vec<String> = qc.iter().map(|q| q.to_byte().to_string()).collect();
            conds.push(if list.is_empty() { "false".into() } else { format!("qc IN ({})", list.join(", ")) });
        }
        let mut sql = String::from(
            "SELECT platform, variable, extract(epoch FROM time)::int8 AS t, depth, value, qc FROM series",
        );
        if !conds.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conds.join(" AND "));
        }
        sql.push_str(" ORDER BY time, platform, variable, depth");
        if let Some(l) = f.limit {
            sql.push_str(&format!(" LIMIT {l}"));
        }
        let rows = args.bind(sqlx::query(AssertSqlSafe(sql))).fetch_all(&self.pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.extend(point_of(r)?);
        }
        Ok(out)
    }

    async fn series_latest(&self) -> Result<Vec<SeriesPoint>, StoreError> {
        // The first row (smallest depth) at the newest time, as SQLite's bare-column max() picks it.
        let rows = sqlx::query(
            "SELECT DISTINCT ON (platform, variable) platform, variable, extract(epoch FROM time)::int8 AS t, depth,
               value, qc FROM series ORDER BY platform, variable, time DESC, depth",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.extend(point_of(r)?);
        }
        Ok(out)
    }

    async fn profile_platforms_latest(&self) -> Result<Vec<crate::PlatformLatest>, StoreError> {
        // The newest positioned, timed profile of every platform, with the platform's count of them.
        let rows: Vec<(String, i32, i64, f64, f64, i64)> = sqlx::query_as(
            "SELECT DISTINCT ON (platform) platform, cycle, extract(epoch FROM time)::int8, lon, lat,
                    count(*) OVER (PARTITION BY platform)
               FROM profiles WHERE time IS NOT NULL AND lon IS NOT NULL AND lat IS NOT NULL
              ORDER BY platform, time DESC, cycle DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(platform, cycle, t, lon, lat, n)| {
                Some(crate::PlatformLatest {
                    platform,
                    cycle,
                    time: chrono::DateTime::<chrono::Utc>::from_timestamp(t, 0)?,
                    position: model::Point::new(lon, lat).ok()?,
                    profiles: n as u64,
                })
            })
            .collect())
    }

    async fn size_bytes(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::int8 FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')",
        )
            .fetch_one(&self.pool)
            .await?;
        Ok(n.max(0) as u64)
    }

    async fn put_alert_rule(&self, rule: &model::AlertRule) -> Result<bool, StoreError> {
        let r = crate::alerts::rule_row(rule);
        let mut tx = self.pool.begin().await?;
        let existed: Option<String> =
            sqlx::query_scalar("SELECT id FROM alert_rules WHERE id = $1").bind(&r.0).fetch_optional(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO alert_rules (id, name, kind, variable, subject, comparison, threshold, for_seconds, aggregate,
               min_level, severity, enabled) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, variable = excluded.variable,
               subject = excluded.subject, comparison = excluded.comparison, threshold = excluded.threshold,
               for_seconds = excluded.for_seconds, aggregate = excluded.aggregate, min_level = excluded.min_level,
               severity = excluded.severity, enabled = excluded.enabled",
        )
        .bind(r.0)
        .bind(r.1)
        .bind(r.2)
        .bind(r.3)
        .bind(r.4)
        .bind(r.5)
        .bind(r.6)
        .bind(r.7)
        .bind(r.8)
        .bind(r.9)
        .bind(r.10)
        .bind(r.11)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(existed.is_none())
    }

    async fn alert_rules(&self) -> Result<Vec<model::AlertRule>, StoreError> {
        let rows: Vec<crate::alerts::RuleRow> = sqlx::query_as(
            "SELECT id, name, kind, variable, subject, comparison, threshold, for_seconds, aggregate, min_level,
               severity, enabled FROM alert_rules ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(crate::alerts::rule_from_row).collect()
    }

    async fn delete_alert_rule(&self, id: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM alert_subscriptions WHERE rule = $1").bind(id).execute(&mut *tx).await?;
        let n = sqlx::query("DELETE FROM alert_rules WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(n > 0)
    }

    async fn put_alert_subscription(&self, sub: &model::Subscription) -> Result<bool, StoreError> {
        let r = crate::alerts::subscription_row(sub);
        let mut tx = self.pool.begin().await?;
        let existed: Option<String> = sqlx::query_scalar("SELECT id FROM alert_subscriptions WHERE id = $1")
            .bind(&r.0)
            .fetch_optional(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO alert_subscriptions (id, rule, min_severity, receiver, target) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO UPDATE SET rule = excluded.rule, min_severity = excluded.min_severity,
               receiver = excluded.receiver, target = excluded.target",
        )
        .bind(r.0)
        .bind(r.1)
        .bind(r.2)
        .bind(r.3)
        .bind(r.4)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(existed.is_none())
    }

    async fn alert_subscriptions(&self) -> Result<Vec<model::Subscription>, StoreError> {
        let rows: Vec<crate::alerts::SubscriptionRow> =
            sqlx::query_as("SELECT id, rule, min_severity, receiver, target FROM alert_subscriptions ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(crate::alerts::subscription_from_row).collect()
    }

    async fn delete_alert_subscription(&self, id: &str) -> Result<bool, StoreError> {
        let n = sqlx::query("DELETE FROM alert_subscriptions WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n > 0)
    }

    async fn put_alert_event(&self, event: &model::FiredAlert) -> Result<(), StoreError> {
        let r = crate::alerts::event_row(event);
        sqlx::query(
            "INSERT INTO alert_events (rule, subject, started_at, fingerprint, severity, value, message, last_seen_at,
               resolved_at, resolve_message) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (rule, subject, started_at) DO UPDATE SET fingerprint = excluded.fingerprint,
               severity = excluded.severity, value = excluded.value, message = excluded.message,
               last_seen_at = excluded.last_seen_at, resolved_at = excluded.resolved_at,
               resolve_message = excluded.resolve_message",
        )
        .bind(r.0)
        .bind(r.1)
        .bind(r.2)
        .bind(r.3)
        .bind(r.4)
        .bind(r.5)
        .bind(r.6)
        .bind(r.7)
        .bind(r.8)
        .bind(r.9)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn alert_events(&self, open_only: bool, limit: usize) -> Result<Vec<model::FiredAlert>, StoreError> {
        let rows: Vec<crate::alerts::EventRow> = sqlx::query_as(
            "SELECT rule, subject, started_at, fingerprint, severity, value, message, last_seen_at, resolved_at,
               resolve_message FROM alert_events WHERE ($1::int8 = 0 OR resolved_at IS NULL)
             ORDER BY started_at DESC, rule, subject LIMIT $2",
        )
        .bind(i64::from(open_only))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(crate::alerts::event_from_row).collect()
    }

    async fn record_query(&self, q: &crate::QueryRecord) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO query_history (asked_at, session, question, interpretation) VALUES ($1, $2, $3, $4)")
            .bind(q.asked_at.timestamp())
            .bind(q.session.as_deref())
            .bind(&q.question)
            .bind(&q.interpretation)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn recent_queries(&self, limit: usize) -> Result<Vec<crate::QueryRecord>, StoreError> {
        let rows: Vec<(i64, Option<String>, String, String)> = sqlx::query_as(
            "SELECT asked_at, session, question, interpretation FROM query_history ORDER BY id DESC LIMIT $1",
        )
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(t, session, question, interpretation)| {
                Ok(crate::QueryRecord {
                    asked_at: chrono::DateTime::<chrono::Utc>::from_timestamp(t, 0)
                        .ok_or_else(|| StoreError::Corrupt(format!("query_history time {t}")))?,
                    session,
                    question,
                    interpretation,
                })
            })
            .collect()
    }

    async fn series_stats(&self) -> Result<Vec<VariableStats>, StoreError> {
        let rows = sqlx::query(
            "SELECT variable, count(DISTINCT platform), count(*), min(value), max(value), avg(value),
               extract(epoch FROM min(time))::int8, extract(epoch FROM max(time))::int8
             FROM series GROUP BY variable ORDER BY variable",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(VariableStats {
                variable: r.try_get(0)?,
                platforms: r.try_get::<i64, _>(1)? as u64,
                count: r.try_get::<i64, _>(2)? as u64,
                min: r.try_get(3)?,
                max: r.try_get(4)?,
                mean: r.try_get(5)?,
                first: from_ts(r.try_get(6)?),
                last: from_ts(r.try_get(7)?),
            });
        }
        Ok(out)
    }

    async fn index_updates(&self) -> Result<Vec<(String, Option<DateTime<Utc>>)>, StoreError> {
        let rows: Vec<(String, Option<i64>)> =
            sqlx::query_as("SELECT file, extract(epoch FROM date_update)::int8 FROM profile_index ORDER BY file")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(f, d)| (f, d.and_then(|s| DateTime::from_timestamp(s, 0)))).collect())
    }

    async fn reef_site(&self, id: &str) -> Result<Option<ReefSite>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, lon, lat, mmm, monthly_means, to_char(first_valid_dhw, 'YYYY-MM-DD') AS first_valid_dhw,
               to_char(first_valid_baa, 'YYYY-MM-DD') AS first_valid_baa, polygon FROM reef_sites WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let means: Option<String> = r.try_get("monthly_means")?;
        let monthly_means = means.and_then(|m| {
            let v: Vec<f64> = m.split(' ').filter_map(|x| x.parse().ok()).collect();
            <[f64; 12]>::try_from(v).ok()
        });
        let date = |s: Option<String>| s.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
        let polygon: Option<String> = r.try_get("polygon")?;
        Ok(Some(ReefSite {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            position: Point::new(r.try_get("lon")?, r.try_get("lat")?)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            mmm: r.try_get("mmm")?,
            monthly_means,
            first_valid_dhw: date(r.try_get("first_valid_dhw")?),
            first_valid_baa: date(r.try_get("first_valid_baa")?),
            polygon: polygon.map(|p| {
                p.split(',')
                    .filter_map(|xy| xy.split_once(' ').and_then(|(x, y)| Some((x.parse().ok()?, y.parse().ok()?))))
                    .collect()
            }),
        }))
    }

    async fn grid_summaries(&self) -> Result<Vec<model::GridSummary>, StoreError> {
        self.grid_summaries_impl().await
    }

    async fn grid_times(&self, dataset: &str, variable: &str) -> Result<Vec<Option<DateTime<Utc>>>, StoreError> {
        self.grid_times_impl(dataset, variable).await
    }

    async fn grid(
        &self,
        dataset: &str,
        variable: &str,
        time: Option<DateTime<Utc>>,
    ) -> Result<Option<model::Grid>, StoreError> {
        self.grid_impl(dataset, variable, time).await
    }

    async fn heat_stress(&self, site: &str, from: NaiveDate, to: NaiveDate) -> Result<Vec<HeatStressDay>, StoreError> {
        let rows = sqlx::query(
            "SELECT to_char(date, 'YYYY-MM-DD') AS date, sst_min, sst_max, sst_90th_hs, ssta_90th_hs, hotspot, dhw,
               baa_7day_max FROM heat_stress WHERE site = $1 AND date >= $2::date AND date < $3::date ORDER BY date",
        )
        .bind(site)
        .bind(clamp_date(from))
        .bind(clamp_date(to))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let date: String = r.try_get("date")?;
            out.push(HeatStressDay {
                site: site.to_string(),
                date: NaiveDate::parse_from_str(&date, "%Y-%m-%d").map_err(|e| StoreError::Corrupt(e.to_string()))?,
                sst_min: finite(r.try_get("sst_min")?),
                sst_max: finite(r.try_get("sst_max")?),
                sst_90th_hs: finite(r.try_get("sst_90th_hs")?),
                ssta_90th_hs: finite(r.try_get("ssta_90th_hs")?),
                hotspot: finite(r.try_get("hotspot")?),
                dhw: finite(r.try_get("dhw")?),
                baa_7day_max: r.try_get::<Option<i32>, _>("baa_7day_max")?.map(|b| b as u8),
            });
        }
        Ok(out)
    }

    // Retention and the scheduler (archive.rs, jobs.rs).
    async fn month_counts(&self, t: crate::ArchiveTable) -> Result<Vec<crate::MonthRows>, StoreError> {
        crate::archive::pg_months(self, t).await
    }
    async fn archive_rows(
        &self,
        t: crate::ArchiveTable,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Vec<crate::Cell>>, StoreError> {
        crate::archive::pg_rows(self, t, from, to).await
    }
    async fn delete_rows(
        &self,
        t: crate::ArchiveTable,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        crate::archive::pg_delete(self, t, from, to).await
    }
    async fn record_archive(&self, a: &crate::ArchiveRecord) -> Result<(), StoreError> {
        crate::jobs::pg_record_archive(self, a).await
    }
    async fn archive_records(&self) -> Result<Vec<crate::ArchiveRecord>, StoreError> {
        crate::jobs::pg_archives(self).await
    }
    async fn insert_job_run(&self, r: &crate::JobRun) -> Result<i64, StoreError> {
        crate::jobs::pg_insert_run(self, r).await
    }
    async fn update_job_run(&self, r: &crate::JobRun) -> Result<(), StoreError> {
        crate::jobs::pg_update_run(self, r).await
    }
    async fn job_runs(&self, job: Option<&str>, limit: usize) -> Result<Vec<crate::JobRun>, StoreError> {
        crate::jobs::pg_runs(self, job, limit).await
    }
    async fn interrupt_job_runs(&self, at: DateTime<Utc>) -> Result<u64, StoreError> {
        crate::jobs::pg_interrupt(self, at).await
    }
}

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

    #[test]
    fn polygons_are_tested_where_they_can_hold_points() {
        // A ring unwrapped past 180° is also tried shifted by -360°, as Polygon::contains does.
        assert_eq!(ring_shifts(&[(170.0, 0.0), (190.0, 0.0), (190.0, 5.0), (170.0, 0.0)]), [0.0, -360.0]);
        assert_eq!(ring_shifts(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]), [0.0]);
        assert_eq!(ring_wkt(&[(1.5, 2.0), (3.0, 4.25)], -360.0), "POLYGON((-358.5 2.0,-357.0 4.25))");
    }
}

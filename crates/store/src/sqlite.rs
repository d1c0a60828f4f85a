//! The embedded SQLite backend: WAL mode, versioned migrations, an R*Tree over profile positions and
//! times, UPSERTs that rewrite a row only when its content digest changed.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use model::{
    DataMode, Direction, DirectionKey, HeatStressDay, Platform, PlatformKind, Point, Profile, ProfileKey, QcFlag,
    ReefSite, SeriesPoint, SourceFormat, TimeRange,
};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{AssertSqlSafe, Row, Sqlite, Transaction};

mod auth;

use crate::codec::{decode_levels, encode_levels, fnv1a, profile_digest};
use crate::{
    FileBatch, PlatformSummary, ProfileFilter, ProfileStub, QueryRecord, SeriesFilter, StoreError, TableCounts,
    VariableStats, WriteCounts,
};

/// Schema migrations, applied in order, each once (recorded in `schema_migrations`).
const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        r#"
CREATE TABLE platforms (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT,
    lon REAL,
    lat REAL,
    -- A JSON object; new keys are merged in with json_patch.
    attributes TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE profiles (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    cycle INTEGER NOT NULL,
    direction TEXT NOT NULL,
    time INTEGER,
    time_qc INTEGER NOT NULL,
    lon REAL,
    lat REAL,
    position_qc INTEGER NOT NULL,
    data_mode TEXT NOT NULL,
    data_centre TEXT NOT NULL,
    project_name TEXT NOT NULL,
    pi_name TEXT NOT NULL,
    platform_type TEXT NOT NULL,
    wmo_inst_type TEXT NOT NULL,
    positioning_system TEXT NOT NULL,
    vertical_sampling_scheme TEXT NOT NULL,
    config_mission_number INTEGER,
    source_format TEXT NOT NULL,
    source_file TEXT NOT NULL,
    n_levels INTEGER NOT NULL,
    params TEXT NOT NULL,
    -- Which version wins when one profile arrives in several files (see source_rank in sqlite.rs).
    source_rank INTEGER NOT NULL,
    digest INTEGER NOT NULL,
    UNIQUE (platform, cycle, direction)
);
CREATE INDEX profiles_time ON profiles (time);
-- The levels live apart from the metadata, so that searches read compact rows.
CREATE TABLE profile_levels (
    id INTEGER PRIMARY KEY,
    levels BLOB NOT NULL
);
-- Positions and times (days since 1970) of profiles that have both; R*Tree bounds are conservative.
CREATE VIRTUAL TABLE profiles_rtree USING rtree (id, min_lon, max_lon, min_lat, max_lat, min_day, max_day);
CREATE TABLE series (
    platform TEXT NOT NULL,
    variable TEXT NOT NULL,
    time INTEGER NOT NULL,
    depth REAL NOT NULL,
    value REAL NOT NULL,
    qc INTEGER NOT NULL,
    PRIMARY KEY (platform, variable, time, depth)
) WITHOUT ROWID;
CREATE TABLE reef_sites (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    lon REAL NOT NULL,
    lat REAL NOT NULL,
    mmm REAL,
    monthly_means TEXT,
    first_valid_dhw TEXT,
    first_valid_baa TEXT,
    polygon TEXT,
    digest INTEGER NOT NULL
);
CREATE TABLE heat_stress (
    site TEXT NOT NULL,
    date TEXT NOT NULL,
    sst_min REAL,
    sst_max REAL,
    sst_90th_hs REAL,
    ssta_90th_hs REAL,
    hotspot REAL,
    dhw REAL,
    baa_7day_max INTEGER,
    PRIMARY KEY (site, date)
) WITHOUT ROWID;
CREATE TABLE profile_index (
    file TEXT PRIMARY KEY,
    time INTEGER,
    lat REAL,
    lon REAL,
    ocean TEXT NOT NULL,
    profiler_type INTEGER,
    institution TEXT NOT NULL,
    date_update INTEGER
);
CREATE TABLE ingested_files (
    source TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    ingested_at INTEGER NOT NULL
) WITHOUT ROWID;
"#,
    ),
    (
        2,
        r#"
-- Ocean Chat's query history: each question with its interpretation (JSON text, opaque to the store).
CREATE TABLE query_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    asked_at INTEGER NOT NULL,
    session TEXT,
    question TEXT NOT NULL,
    interpretation TEXT NOT NULL
);
CREATE INDEX query_history_asked_at ON query_history (asked_at);
"#,
    ),
    (
        3,
        r#"
-- A covering copy of each located, timed profile's search columns, clustered by calendar month
-- (months since year 0), 1° latitude band (lat + 90 truncated) and longitude: a region-and-time search
-- reads a few contiguous key ranges instead of one scattered `profiles` row per candidate.
CREATE TABLE profile_space (
    month INTEGER NOT NULL,
    band INTEGER NOT NULL,
    lon REAL NOT NULL,
    id INTEGER NOT NULL,
    lat REAL NOT NULL,
    time INTEGER NOT NULL,
    platform TEXT NOT NULL,
    cycle INTEGER NOT NULL,
    direction TEXT NOT NULL,
    data_mode TEXT NOT NULL,
    params TEXT NOT NULL,
    source_format TEXT NOT NULL,
    position_qc INTEGER NOT NULL,
    -- The IEEE-754 bits of lon and lat: searches return them as JSON integers, exact and cheap to print.
    lon_bits INTEGER NOT NULL,
    lat_bits INTEGER NOT NULL,
    PRIMARY KEY (month, band, lon, id)
) WITHOUT ROWID;
CREATE INDEX profile_space_id ON profile_space (id);
-- Filled from `profiles` by `fill_profile_space` in the same transaction.
"#,
    ),
    (
        4,
        r#"
-- Gridded fields, one row per (dataset, variable, time step); see store/src/grids.rs for the layout.
CREATE TABLE grids (
    id INTEGER PRIMARY KEY,
    dataset TEXT NOT NULL,
    variable TEXT NOT NULL,
    time INTEGER NOT NULL,
    z_name TEXT,
    z REAL,
    fill_bits INTEGER,
    units TEXT NOT NULL,
    long_name TEXT NOT NULL,
    standard_name TEXT NOT NULL,
    attributes TEXT NOT NULL,
    n_lat INTEGER NOT NULL,
    n_lon INTEGER NOT NULL,
    lat_min REAL,
    lat_max REAL,
    lon_min REAL,
    lon_max REAL,
    latitudes BLOB NOT NULL,
    longitudes BLOB NOT NULL,
    cells BLOB NOT NULL,
    digest INTEGER NOT NULL,
    UNIQUE (dataset, variable, time)
);
"#,
    ),
    // The scheduler's run log and retention's archive records (jobs.rs).
    (5, crate::jobs::SQLITE_MIGRATION),
    (
        6,
        r#"
-- Accounts (store/src/auth.rs): users with argon2 PHC hashes, API keys by SHA-256, refresh tokens by id,
-- and the audit log of auth events and writes.
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    permissions TEXT NOT NULL,
    owner TEXT,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE TABLE refresh_tokens (
    jti TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    actor TEXT,
    action TEXT NOT NULL,
    target TEXT,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    ip TEXT,
    request_id TEXT
);
"#,
    ),
    (
        7,
        r#"
-- Built-in alerting: rules on stored data, who is told, and every firing (open while resolved_at is NULL).
CREATE TABLE alert_rules (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    variable TEXT,
    subject TEXT,
    comparison TEXT,
    threshold REAL,
    for_seconds INTEGER,
    aggregate TEXT,
    min_level INTEGER,
    severity TEXT NOT NULL,
    enabled INTEGER NOT NULL
);
CREATE TABLE alert_subscriptions (
    id TEXT PRIMARY KEY,
    rule TEXT,
    min_severity TEXT NOT NULL,
    receiver TEXT NOT NULL,
    target TEXT NOT NULL
);
-- Times in Unix milliseconds.
CREATE TABLE alert_events (
    rule TEXT NOT NULL,
    subject TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    severity TEXT NOT NULL,
    value REAL NOT NULL,
    message TEXT NOT NULL,
    last_seen_at INTEGER NOT NULL,
    resolved_at INTEGER,
    resolve_message TEXT,
    PRIMARY KEY (rule, subject, started_at)
) WITHOUT ROWID;
CREATE INDEX alert_events_started ON alert_events (started_at);
CREATE INDEX alert_events_open ON alert_events (rule, subject) WHERE resolved_at IS NULL;
"#,
    ),
];

/// The SQLite store.
pub struct SqliteStore {
    /// Readers (up to 4 connections; WAL lets them run beside the writer).
    pool: SqlitePool,
    /// The one writer connection: writes never contend for the lock, and its page cache stays warm
    /// from one file's transaction to the next.
    pub(crate) writer: SqlitePool,
    /// Direct readers for the hot read paths (`sqlite_read`); `None` for an in-memory database.
    direct: Option<std::sync::Arc<crate::sqlite_read::Readers>>,
}

/// `profile_space.month`: calendar months since January of year 0.
fn space_month(t: DateTime<Utc>) -> i64 {
    use chrono::Datelike;
    t.year() as i64 * 12 + t.month0() as i64
}

/// `profile_space.band`: the 1° latitude band, 0 (−90…−89) to 180 (the North Pole itself). Computed as
/// the migration's SQL does (`CAST(lat + 90.0 AS INTEGER)`), so both agree to the last bit.
fn space_band(lat: f64) -> i64 {
    ((lat + 90.0) as i64).clamp(0, 180)
}

/// `INSERT INTO profile_space` with `rows` rows of parameters.
fn space_insert_sql(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO profile_space (month, band, lon, id, lat, time, platform, cycle, direction, data_mode,
           params, source_format, position_qc, lon_bits, lat_bits) VALUES ",
    );
    for i in 0..rows {
        sql.push_str(if i == 0 { "" } else { ", " });
        sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    }
    sql
}

/// Searches of at most this many (month × band) key ranges per index box read `profile_space`;
/// wider ones (decades over a hemisphere) use the R*Tree.
const SPACE_MAX_RANGES: i64 = 4096;

/// A longitude or latitude in a stubs aggregate: 17-digit text (R*Tree path), the f64's bits as an
/// integer (`profile_space` path) or null.
struct Coord(Option<f64>);

impl<'de> serde::Deserialize<'de> for Coord {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Coord, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Coord;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a coordinate as text, as f64 bits or null")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Coord, E> {
                Ok(Coord(Some(f64::from_bits(v as u64))))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Coord, E> {
                Ok(Coord(Some(f64::from_bits(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Coord, E> {
                Ok(Coord(v.parse().ok()))
            }
            fn visit_unit<E>(self) -> Result<Coord, E> {
                Ok(Coord(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// Decodes `profile_stubs`' JSON aggregate (one array per row).
/// A stored direction (`D` descending, anything else ascending).
fn dir_key(s: &str) -> DirectionKey {
    if s == "D" { DirectionKey::D } else { DirectionKey::A }
}

/// A stored data mode (`R`, `A`, `D`); real time when unreadable.
fn data_mode_of(s: &str) -> DataMode {
    DataMode::from_char(s.bytes().next().unwrap_or(b'R')).unwrap_or(DataMode::RealTime)
}

/// A stored parameter list (`PRES,TEMP,PSAL`).
fn param_list(s: &str) -> Vec<String> {
    if s.is_empty() { Vec::new() } else { s.split(',').map(str::to_string).collect() }
}

/// A stored source format; the GDAC NetCDF when unreadable.
fn source_format_of(s: &str) -> SourceFormat {
    SourceFormat::parse(s).unwrap_or(SourceFormat::ArgoNetcdf)
}

fn parse_stubs(json: &str) -> Result<Vec<ProfileStub>, StoreError> {
    type StubRow = (i64, String, i32, String, Option<i64>, Coord, Coord, String, String, String, i64);
    let rows: Vec<StubRow> =
        serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("profile stubs: {e}")))?;
    let mut out = Vec::with_capacity(rows.len());
    for (row_id, platform, cycle, dir, time, lon, lat, mode, params, fmt, position_qc) in rows {
        out.push(ProfileStub {
            row_id,
            key: ProfileKey { platform, cycle, direction: dir_key(&dir) },
            time: from_ts(time),
            position: lon.0.zip(lat.0).and_then(|(lon, lat)| Point::new(lon, lat).ok()),
            data_mode: data_mode_of(&mode),
            params: param_list(&params),
            source_format: source_format_of(&fmt),
            position_qc: QcFlag::from_byte(position_qc as u8),
        });
    }
    Ok(out)
}

/// Stubs from a `profile_space` statement (columns as in `space_stubs`) read directly, row by row.
fn space_rows(
    c: &rusqlite::Connection,
    sql: &str,
    binds: Vec<rusqlite::types::Value>,
) -> Result<Vec<ProfileStub>, StoreError> {
    let mut st = c.prepare_cached(sql)?;
    let mut rows = st.query(rusqlite::params_from_iter(binds))?;
    let mut out = Vec::new();
    // Parameter lists repeat from row to row: share one allocation per distinct list.
    let mut last_params: (String, Vec<String>) = (String::new(), Vec::new());
    while let Some(r) = rows.next()? {
        let dir = r.get_ref(3)?.as_str().unwrap_or("A");
        let bits = |i: usize| r.get::<_, i64>(i).map(|b| f64::from_bits(b as u64));
        let params = r.get_ref(8)?.as_str().unwrap_or("");
        if params != last_params.0 {
            last_params = (params.to_string(), param_list(params));
        }
        out.push(ProfileStub {
            row_id: r.get(0)?,
            key: ProfileKey { platform: r.get(1)?, cycle: r.get(2)?, direction: dir_key(dir) },
            time: from_ts(r.get(4)?),
            position: Point::new(bits(5)?, bits(6)?).ok(),
            data_mode: data_mode_of(r.get_ref(7)?.as_str().unwrap_or("R")),
            params: last_params.1.clone(),
            source_format: source_format_of(r.get_ref(9)?.as_str().unwrap_or("")),
            position_qc: QcFlag::from_byte(r.get::<_, i64>(10)? as u8),
        });
    }
    Ok(out)
}

fn ts(t: Option<DateTime<Utc>>) -> Option<i64> {
    t.map(|t| t.timestamp())
}

fn from_ts(t: Option<i64>) -> Option<DateTime<Utc>> {
    t.and_then(|s| Utc.timestamp_opt(s, 0).single())
}

/// Dates as stored (`YYYY-MM-DD`), clamped to years 1–9999 so that text order is date order.
pub(crate) fn clamp_date(d: NaiveDate) -> String {
    let lo = NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN);
    let hi = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX);
    d.clamp(lo, hi).format("%Y-%m-%d").to_string()
}

fn point_of((platform, variable, t, depth, value, qc): (String, String, i64, f64, f64, i64)) -> Option<SeriesPoint> {
    Some(SeriesPoint {
        platform,
        variable,
        time: Utc.timestamp_opt(t, 0).single()?,
        depth,
        value,
        qc: QcFlag::from_byte(qc as u8),
    })
}

fn nan_to_none(x: f64) -> Option<f64> {
    (!x.is_nan()).then_some(x)
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
        let direct = (!memory).then(|| crate::sqlite_read::Readers::new(path));
        let store = SqliteStore { pool, writer, direct };
        store.migrate().await?;
        Ok(store)
    }

    /// Stubs from `profile_space` when the filter has a region and a time range narrow enough (see
    /// [`SPACE_MAX_RANGES`]); `None` means the R*Tree path must answer. Unordered, possibly with
    /// duplicates where index boxes overlap.
    async fn space_stubs(&self, f: &ProfileFilter) -> Result<Option<Vec<ProfileStub>>, StoreError> {
        let (Some(region), Some(time)) = (&f.region, &f.time) else { return Ok(None) };
        let first = space_month(time.start());
        let last = space_month(time.end() - chrono::Duration::seconds(1));
        let boxes = region.index_boxes();
        let months = last - first + 1;
        let too_wide = |b: &model::BBox| (space_band(b.north) - space_band(b.south) + 1) * months > SPACE_MAX_RANGES;
        if boxes.is_empty() || months < 1 || boxes.iter().any(too_wide) {
            return Ok(None);
        }
        let month_list = (first..=last).map(|m| m.to_string()).collect::<Vec<_>>().join(",");
        let mut parts = Vec::with_capacity(boxes.len());
        for b in &boxes {
            let bands =
                (space_band(b.south)..=space_band(b.north)).map(|m| m.to_string()).collect::<Vec<_>>().join(",");
            parts.push(format!(
                "SELECT id, platform, cycle, direction, time, lon_bits, lat_bits, data_mode, params, source_format,
                        position_qc FROM profile_space WHERE month IN ({month_list}) AND band IN ({bands})
                   AND lon >= ? AND lon <= ? AND lat >= ? AND lat <= ? AND time >= ? AND time < ?{}",
                if f.platform.is_some() { " AND platform = ?" } else { "" }
            ));
        }
        if let Some(direct) = &self.direct {
            let sql = parts.join(" UNION ALL ");
            let mut binds: Vec<rusqlite::types::Value> = Vec::with_capacity(boxes.len() * 7);
            for b in &boxes {
                binds.extend([b.west, b.east, b.south, b.north].map(rusqlite::types::Value::Real));
                binds.push(time.start().timestamp().into());
                binds.push(time.end().timestamp().into());
                if let Some(p) = &f.platform {
                    binds.push(p.clone().into());
                }
            }
            return direct.with_blocking(move |c| space_rows(c, &sql, binds)).await.map(Some);
        }
        let sql = format!(
            "SELECT json_group_array(json_array(id, platform, cycle, direction, time, lon_bits, lat_bits, data_mode,
                    params, source_format, position_qc)) FROM ({})",
            parts.join(" UNION ALL ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for b in &boxes {
            q = q.bind(b.west).bind(b.east).bind(b.south).bind(b.north);
            q = q.bind(time.start().timestamp()).bind(time.end().timestamp());
            if let Some(p) = &f.platform {
                q = q.bind(p);
            }
        }
        let json: String = q.fetch_one(&self.pool).await?.try_get(0)?;
        parse_stubs(&json).map(Some)
    }

    /// The reader pool (for backups, migration and checksums).
    pub(crate) fn reader(&self) -> &SqlitePool {
        &self.pool
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.writer.acquire().await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
        )
        .execute(&mut *conn)
        .await?;
        for &(version, sql) in MIGRATIONS {
            let done: Option<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = ?")
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
            if version == 3 {
                Self::fill_profile_space(&mut tx).await?;
            }
            sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)")
                .bind(version)
                .bind(Utc::now().timestamp())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// One statement per platform: known keys take the new value, new keys are added (json_patch), a name
    /// or position the file lacks keeps the stored one, and an unchanged row is not rewritten.
    async fn write_platforms(tx: &mut Transaction<'_, Sqlite>, platforms: &[Platform]) -> Result<u64, StoreError> {
        let mut n = 0;
        for p in platforms {
            let r = sqlx::query(
                "INSERT INTO platforms (id, kind, name, lon, lat, attributes) VALUES (?, ?, ?, ?, ?, json(?))
                 ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = coalesce(excluded.name, platforms.name),
                   lon = coalesce(excluded.lon, platforms.lon), lat = coalesce(excluded.lat, platforms.lat),
                   attributes = json_patch(platforms.attributes, excluded.attributes)
                 WHERE platforms.kind IS NOT excluded.kind
                   OR (excluded.name IS NOT NULL AND excluded.name IS NOT platforms.name)
                   OR (excluded.lon IS NOT NULL AND (excluded.lon IS NOT platforms.lon OR excluded.lat IS NOT platforms.lat))
                   OR json_patch(platforms.attributes, excluded.attributes) IS NOT platforms.attributes",
            )
            .bind(&p.id)
            .bind(p.kind.as_str())
            .bind(&p.name)
            .bind(p.position.map(|pt| pt.lon))
            .bind(p.position.map(|pt| pt.lat))
            .bind(attrs_to_json(&p.attributes))
            .execute(&mut **tx)
            .await?;
            n += r.rows_affected();
        }
        Ok(n)
    }

    async fn write_profiles(tx: &mut Transaction<'_, Sqlite>, profiles: &[Profile]) -> Result<(u64, u64), StoreError> {
        const CHUNK: usize = 32;
        const COLS: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        // One key once per statement (SQLite cannot update a row twice in one UPSERT): keep the first.
        let mut seen = std::collections::HashSet::new();
        let unique: Vec<&Profile> = profiles.iter().filter(|p| seen.insert(p.key())).collect();
        let (mut n, mut levels) = (0, 0);
        for chunk in unique.chunks(CHUNK) {
            let mut sql = String::from(
                "INSERT INTO profiles (platform, cycle, direction, time, time_qc, lon, lat, position_qc, data_mode,
                   data_centre, project_name, pi_name, platform_type, wmo_inst_type, positioning_system,
                   vertical_sampling_scheme, config_mission_number, source_format, source_file, n_levels, params,
                   source_rank, digest) VALUES ",
            );
            for i in 0..chunk.len() {
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(COLS);
            }
            sql.push_str(
                " ON CONFLICT (platform, cycle, direction) DO UPDATE SET time = excluded.time,
                   time_qc = excluded.time_qc, lon = excluded.lon, lat = excluded.lat,
                   position_qc = excluded.position_qc, data_mode = excluded.data_mode,
                   data_centre = excluded.data_centre, project_name = excluded.project_name,
                   pi_name = excluded.pi_name, platform_type = excluded.platform_type,
                   wmo_inst_type = excluded.wmo_inst_type, positioning_system = excluded.positioning_system,
                   vertical_sampling_scheme = excluded.vertical_sampling_scheme,
                   config_mission_number = excluded.config_mission_number,
                   source_format = excluded.source_format, source_file = excluded.source_file,
                   n_levels = excluded.n_levels, params = excluded.params,
                   source_rank = excluded.source_rank, digest = excluded.digest
                 WHERE profiles.digest != excluded.digest AND (excluded.source_rank > profiles.source_rank
                   OR (excluded.source_rank = profiles.source_rank AND excluded.source_file = profiles.source_file))
                 RETURNING id, platform, cycle, direction",
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            let blobs: Vec<Vec<u8>> = chunk.iter().map(|p| encode_levels(&p.params)).collect();
            for (p, blob) in chunk.iter().zip(&blobs) {
                let params = p.params.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(",");
                let (lon, lat) = p.position.map_or((None, None), |pt| (Some(pt.lon), Some(pt.lat)));
                let digest = profile_digest(p, blob);
                q = q
                    .bind(p.platform.clone())
                    .bind(p.cycle)
                    .bind(p.direction.to_char().to_string())
                    .bind(ts(p.time))
                    .bind(p.time_qc.to_byte() as i64)
                    .bind(lon)
                    .bind(lat)
                    .bind(p.position_qc.to_byte() as i64)
                    .bind(p.data_mode.to_char().to_string())
                    .bind(p.data_centre.clone())
                    .bind(p.project_name.clone())
                    .bind(p.pi_name.clone())
                    .bind(p.platform_type.clone())
                    .bind(p.wmo_inst_type.clone())
                    .bind(p.positioning_system.clone())
                    .bind(p.vertical_sampling_scheme.clone())
                    .bind(p.config_mission_number)
                    .bind(p.source_format.as_str())
                    .bind(p.source_file.clone())
                    .bind(p.n_levels() as i64)
                    .bind(params)
                    .bind(source_rank(p))
                    .bind(digest);
            }
            let rows = q.fetch_all(&mut **tx).await?;
            if rows.is_empty() {
                continue;
            }
            // Index rows of what was written: R*Tree entries for profiles with a position and a time.
            let mut rtree: Vec<(i64, f64, f64, f64)> = Vec::new();
            let mut space: Vec<(i64, &Profile)> = Vec::new();
            let mut no_index: Vec<i64> = Vec::new();
            let mut level_rows: Vec<(i64, &[u8])> = Vec::new();
            for row in &rows {
                let (id, platform, cycle, dir): (i64, String, i32, String) =
                    (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?);
                let Some(k) = chunk.iter().position(|p| {
                    p.cycle == cycle && p.platform == platform && p.direction.to_char().to_string() == dir
                }) else {
                    continue;
                };
                let p = chunk[k];
                level_rows.push((id, &blobs[k]));
                n += 1;
                levels += p.n_levels() as u64;
                match (p.position, p.time) {
                    (Some(pt), Some(t)) => {
                        rtree.push((id, pt.lon, pt.lat, t.timestamp() as f64 / 86_400.0));
                        space.push((id, p));
                    }
                    _ => no_index.push(id),
                }
            }
            Self::write_space(tx, &space, &no_index).await?;
            let mut sql = String::from("INSERT OR REPLACE INTO profile_levels (id, levels) VALUES ");
            for i in 0..level_rows.len() {
                sql.push_str(if i == 0 { "(?, ?)" } else { ", (?, ?)" });
            }
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for (id, blob) in &level_rows {
                q = q.bind(*id).bind(*blob);
            }
            q.execute(&mut **tx).await?;
            if !rtree.is_empty() {
                let mut sql = String::from("INSERT OR REPLACE INTO profiles_rtree VALUES ");
                for i in 0..rtree.len() {
                    sql.push_str(if i == 0 { "(?, ?, ?, ?, ?, ?, ?)" } else { ", (?, ?, ?, ?, ?, ?, ?)" });
                }
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for (id, lon, lat, day) in rtree {
                    q = q.bind(id).bind(lon).bind(lon).bind(lat).bind(lat).bind(day).bind(day);
                }
                q.execute(&mut **tx).await?;
            }
            for id in no_index {
                sqlx::query("DELETE FROM profiles_rtree WHERE id = ?").bind(id).execute(&mut **tx).await?;
            }
        }
        Ok((n, levels))
    }

    /// Migration 3: copies the search columns of every located, timed profile into `profile_space`.
    async fn fill_profile_space(tx: &mut Transaction<'_, Sqlite>) -> Result<(), StoreError> {
        let mut after = i64::MIN;
        loop {
            type Row = (i64, f64, f64, i64, String, i32, String, String, String, String, i64);
            let rows: Vec<Row> = sqlx::query_as(
                "SELECT id, lon, lat, time, platform, cycle, direction, data_mode, params, source_format, position_qc
                   FROM profiles WHERE id > ? AND lon IS NOT NULL AND lat IS NOT NULL AND time IS NOT NULL
                  ORDER BY id LIMIT 2000",
            )
            .bind(after)
            .fetch_all(&mut **tx)
            .await?;
            let Some(last) = rows.last() else { return Ok(()) };
            after = last.0;
            for chunk in rows.chunks(64) {
                let mut q = sqlx::query(AssertSqlSafe(space_insert_sql(chunk.len())));
                for (id, lon, lat, time, platform, cycle, dir, mode, params, fmt, qc) in chunk {
                    let Some(t) = from_ts(Some(*time)) else { continue };
                    q = q
                        .bind(space_month(t))
                        .bind(space_band(*lat))
                        .bind(lon)
                        .bind(id)
                        .bind(lat)
                        .bind(time)
                        .bind(platform)
                        .bind(cycle)
                        .bind(dir)
                        .bind(mode)
                        .bind(params)
                        .bind(fmt)
                        .bind(qc)
                        .bind(lon.to_bits() as i64)
                        .bind(lat.to_bits() as i64);
                }
                q.execute(&mut **tx).await?;
            }
        }
    }

    /// Replaces the `profile_space` rows of the profiles just written (`located`) and removes those of
    /// profiles that lost their position or time (`unlocated`).
    async fn write_space(
        tx: &mut Transaction<'_, Sqlite>,
        located: &[(i64, &Profile)],
        unlocated: &[i64],
    ) -> Result<(), StoreError> {
        let ids: Vec<i64> = located.iter().map(|(id, _)| *id).chain(unlocated.iter().copied()).collect();
        if ids.is_empty() {
            return Ok(());
        }
        let marks = vec!["?"; ids.len()].join(", ");
        let mut q = sqlx::query(AssertSqlSafe(format!("DELETE FROM profile_space WHERE id IN ({marks})")));
        for id in &ids {
            q = q.bind(id);
        }
        q.execute(&mut **tx).await?;
        if located.is_empty() {
            return Ok(());
        }
        let mut q = sqlx::query(AssertSqlSafe(space_insert_sql(located.len())));
        for (id, p) in located {
            let (Some(pt), Some(t)) = (p.position, p.time) else { continue };
            q = q
                .bind(space_month(t))
                .bind(space_band(pt.lat))
                .bind(pt.lon)
                .bind(*id)
                .bind(pt.lat)
                .bind(t.timestamp())
                .bind(p.platform.clone())
                .bind(p.cycle)
                .bind(p.direction.to_char().to_string())
                .bind(p.data_mode.to_char().to_string())
                .bind(p.params.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(","))
                .bind(p.source_format.as_str())
                .bind(p.position_qc.to_byte() as i64)
                .bind(pt.lon.to_bits() as i64)
                .bind(pt.lat.to_bits() as i64);
        }
        q.execute(&mut **tx).await?;
        Ok(())
    }

    async fn write_series(tx: &mut Transaction<'_, Sqlite>, points: &[SeriesPoint]) -> Result<u64, StoreError> {
        const CHUNK: usize = 500;
        let mut n = 0;
        for chunk in points.chunks(CHUNK) {
            let mut sql = String::with_capacity(120 + chunk.len() * 20);
            sql.push_str("INSERT INTO series (platform, variable, time, depth, value, qc) VALUES ");
            for i in 0..chunk.len() {
                sql.push_str(if i == 0 { "(?, ?, ?, ?, ?, ?)" } else { ", (?, ?, ?, ?, ?, ?)" });
            }
            sql.push_str(
                " ON CONFLICT (platform, variable, time, depth) DO UPDATE SET value = excluded.value, qc = excluded.qc
                  WHERE series.value IS NOT excluded.value OR series.qc IS NOT excluded.qc",
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for p in chunk {
                q = q
                    .bind(&p.platform)
                    .bind(&p.variable)
                    .bind(p.time.timestamp())
                    .bind(p.depth)
                    .bind(p.value)
                    .bind(p.qc.to_byte() as i64);
            }
            n += q.execute(&mut **tx).await?.rows_affected();
        }
        Ok(n)
    }

    async fn write_reef(tx: &mut Transaction<'_, Sqlite>, batch: &FileBatch) -> Result<(u64, u64), StoreError> {
        let mut sites = 0;
        for s in &batch.reef_sites {
            let means = s.monthly_means.map(|m| m.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" "));
            let polygon =
                s.polygon.as_ref().map(|p| p.iter().map(|(x, y)| format!("{x} {y}")).collect::<Vec<_>>().join(","));
            let dates = (s.first_valid_dhw.map(|d| d.to_string()), s.first_valid_baa.map(|d| d.to_string()));
            let digest = fnv1a(&[
                s.name.as_bytes(),
                &s.position.lon.to_le_bytes(),
                &s.position.lat.to_le_bytes(),
                format!("{:?}{:?}{:?}{:?}", s.mmm, means, dates, polygon).as_bytes(),
            ]);
            sites += sqlx::query(
                "INSERT INTO reef_sites (id, name, lon, lat, mmm, monthly_means, first_valid_dhw, first_valid_baa, polygon, digest)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, lon = excluded.lon, lat = excluded.lat,
                   mmm = excluded.mmm, monthly_means = excluded.monthly_means, first_valid_dhw = excluded.first_valid_dhw,
                   first_valid_baa = excluded.first_valid_baa, polygon = excluded.polygon, digest = excluded.digest
                 WHERE reef_sites.digest != excluded.digest",
            )
            .bind(&s.id)
            .bind(&s.name)
            .bind(s.position.lon)
            .bind(s.position.lat)
            .bind(s.mmm)
            .bind(means)
            .bind(dates.0)
            .bind(dates.1)
            .bind(polygon)
            .bind(digest)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        }
        const CHUNK: usize = 300;
        let mut days = 0;
        for chunk in batch.heat_stress.chunks(CHUNK) {
            let mut sql = String::from(
                "INSERT INTO heat_stress (site, date, sst_min, sst_max, sst_90th_hs, ssta_90th_hs, hotspot, dhw, baa_7day_max) VALUES ",
            );
            for i in 0..chunk.len() {
                sql.push_str(if i == 0 { "(?, ?, ?, ?, ?, ?, ?, ?, ?)" } else { ", (?, ?, ?, ?, ?, ?, ?, ?, ?)" });
            }
            sql.push_str(
                " ON CONFLICT (site, date) DO UPDATE SET sst_min = excluded.sst_min, sst_max = excluded.sst_max,
                   sst_90th_hs = excluded.sst_90th_hs, ssta_90th_hs = excluded.ssta_90th_hs, hotspot = excluded.hotspot,
                   dhw = excluded.dhw, baa_7day_max = excluded.baa_7day_max
                  WHERE heat_stress.sst_min IS NOT excluded.sst_min OR heat_stress.sst_max IS NOT excluded.sst_max
                   OR heat_stress.sst_90th_hs IS NOT excluded.sst_90th_hs OR heat_stress.ssta_90th_hs IS NOT excluded.ssta_90th_hs
                   OR heat_stress.hotspot IS NOT excluded.hotspot OR heat_stress.dhw IS NOT excluded.dhw
                   OR heat_stress.baa_7day_max IS NOT excluded.baa_7day_max",
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for d in chunk {
                q = q
                    .bind(&d.site)
                    .bind(d.date.to_string())
                    .bind(d.sst_min)
                    .bind(d.sst_max)
                    .bind(d.sst_90th_hs)
                    .bind(d.ssta_90th_hs)
                    .bind(d.hotspot)
                    .bind(d.dhw)
                    .bind(d.baa_7day_max.map(i64::from));
            }
            days += q.execute(&mut **tx).await?.rows_affected();
        }
        Ok((sites, days))
    }

    async fn write_index(tx: &mut Transaction<'_, Sqlite>, rows: &[crate::IndexRow]) -> Result<u64, StoreError> {
        const CHUNK: usize = 400;
        let mut n = 0;
        for chunk in rows.chunks(CHUNK) {
            let mut sql = String::from(
                "INSERT INTO profile_index (file, time, lat, lon, ocean, profiler_type, institution, date_update) VALUES ",
            );
            for i in 0..chunk.len() {
                sql.push_str(if i == 0 { "(?, ?, ?, ?, ?, ?, ?, ?)" } else { ", (?, ?, ?, ?, ?, ?, ?, ?)" });
            }
            sql.push_str(
                " ON CONFLICT (file) DO UPDATE SET time = excluded.time, lat = excluded.lat, lon = excluded.lon,
                   ocean = excluded.ocean, profiler_type = excluded.profiler_type, institution = excluded.institution,
                   date_update = excluded.date_update
                  WHERE profile_index.date_update IS NOT excluded.date_update OR profile_index.time IS NOT excluded.time
                   OR profile_index.lat IS NOT excluded.lat OR profile_index.lon IS NOT excluded.lon",
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for r in chunk {
                q = q
                    .bind(&r.file)
                    .bind(ts(r.time))
                    .bind(r.lat)
                    .bind(r.lon)
                    .bind(&r.ocean)
                    .bind(r.profiler_type)
                    .bind(&r.institution)
                    .bind(ts(r.date_update));
            }
            n += q.execute(&mut **tx).await?.rows_affected();
        }
        Ok(n)
    }
}

/// Which version of a profile wins when it arrives from several files. GDAC files are the reference and
/// ERDDAP responses and Argovis documents derive from them; within a form, delayed mode beats adjusted
/// beats real time. A file of the same rank as the stored one replaces it only if it is the same file
/// (re-ingested with new content), so two equal copies never overwrite each other back and forth.
pub(crate) fn source_rank(p: &Profile) -> i64 {
    let form = match p.source_format {
        SourceFormat::ArgoNetcdf => 3,
        SourceFormat::ErddapNc => 2,
        SourceFormat::ArgovisJson => 1,
    };
    let mode = match p.data_mode {
        DataMode::RealTime => 0,
        DataMode::Adjusted => 1,
        DataMode::Delayed => 2,
    };
    form * 10 + mode
}

/// Attributes as a JSON object in their order (`{"owner":"NDBC","type":"buoy"}`).
pub(crate) fn attrs_to_json(attrs: &[(String, String)]) -> String {
    let mut s = String::from("{");
    for (i, (k, v)) in attrs.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        json_str(&mut s, k);
        s.push(':');
        json_str(&mut s, v);
    }
    s.push('}');
    s
}

fn json_str(out: &mut String, v: &str) {
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Reads a JSON object of string values back into ordered pairs (keys and values alternate).
pub(crate) fn parse_attrs(json: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut strings = Vec::new();
    let mut chars = json.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut s = String::new();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => match chars.next() {
                    Some('n') => s.push('\n'),
                    Some('r') => s.push('\r'),
                    Some('t') => s.push('\t'),
                    Some('u') => {
                        let hex: String = chars.by_ref().take(4).collect();
                        if let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                            s.push(ch);
                        }
                    }
                    Some(o) => s.push(o),
                    None => {}
                },
                c => s.push(c),
            }
        }
        strings.push(s);
        if strings.len() == 2 {
            let v = strings.pop().unwrap_or_default();
            let k = strings.pop().unwrap_or_default();
            out.push((k, v));
        }
    }
    out
}

/// A `profiles` ⋈ `profile_levels` row as stored, in [`PROFILE_COLUMNS`] order; read by sqlx or rusqlite.
struct RawProfile {
    platform: String,
    cycle: i32,
    direction: String,
    time: Option<i64>,
    time_qc: i64,
    lon: Option<f64>,
    lat: Option<f64>,
    position_qc: i64,
    data_mode: String,
    text: [String; 7],
    config_mission_number: Option<i32>,
    source_format: String,
    source_file: String,
    levels: Vec<u8>,
}

/// A [`RawProfile`] from a row whose profile columns start at `$off`, read with `$row.$get(index)` (sqlx's
/// `try_get` or rusqlite's `get`): one column list for both readers.
macro_rules! raw_profile {
    ($row:ident . $get:ident, $off:expr) => {{
        let off = $off;
        RawProfile {
            platform: $row.$get(off)?,
            cycle: $row.$get(off + 1)?,
            direction: $row.$get(off + 2)?,
            time: $row.$get(off + 3)?,
            time_qc: $row.$get(off + 4)?,
            lon: $row.$get(off + 5)?,
            lat: $row.$get(off + 6)?,
            position_qc: $row.$get(off + 7)?,
            data_mode: $row.$get(off + 8)?,
            text: [
                $row.$get(off + 9)?,
                $row.$get(off + 10)?,
                $row.$get(off + 11)?,
                $row.$get(off + 12)?,
                $row.$get(off + 13)?,
                $row.$get(off + 14)?,
                $row.$get(off + 15)?,
            ],
            config_mission_number: $row.$get(off + 16)?,
            source_format: $row.$get(off + 17)?,
            source_file: $row.$get(off + 18)?,
            levels: $row.$get(off + 19)?,
        }
    }};
}

impl RawProfile {
    /// `off` is the index of the first profile column (after any leading columns of the statement).
    fn from_sqlx(row: &sqlx::sqlite::SqliteRow, off: usize) -> Result<RawProfile, StoreError> {
        Ok(raw_profile!(row.try_get, off))
    }

    fn from_rusqlite(row: &rusqlite::Row, off: usize) -> rusqlite::Result<RawProfile> {
        Ok(raw_profile!(row.get, off))
    }

    fn into_profile(self) -> Result<Profile, StoreError> {
        let direction =
            Direction::from_char(self.direction.bytes().next().unwrap_or(b'A')).unwrap_or(Direction::Ascending);
        let mut p = Profile::empty(self.platform, self.cycle, direction);
        p.time = from_ts(self.time);
        p.time_qc = QcFlag::from_byte(self.time_qc as u8);
        p.position = match (self.lon, self.lat) {
            (Some(lon), Some(lat)) => Point::new(lon, lat).ok(),
            _ => None,
        };
        p.position_qc = QcFlag::from_byte(self.position_qc as u8);
        p.data_mode = data_mode_of(&self.data_mode);
        [
            p.data_centre,
            p.project_name,
            p.pi_name,
            p.platform_type,
            p.wmo_inst_type,
            p.positioning_system,
            p.vertical_sampling_scheme,
        ] = self.text;
        p.config_mission_number = self.config_mission_number;
        p.source_format = source_format_of(&self.source_format);
        p.source_file = self.source_file;
        p.params = decode_levels(&self.levels).map_err(StoreError::Corrupt)?;
        Ok(p)
    }
}

/// A profile from a sqlx row whose profile columns start at `off`.
fn profile_from_row(row: &sqlx::sqlite::SqliteRow, off: usize) -> Result<Profile, StoreError> {
    RawProfile::from_sqlx(row, off)?.into_profile()
}

const PROFILE_COLUMNS: &str =
    "p.platform, p.cycle, p.direction, p.time, p.time_qc, p.lon, p.lat, p.position_qc, p.data_mode,
    p.data_centre, p.project_name, p.pi_name, p.platform_type, p.wmo_inst_type, p.positioning_system,
    p.vertical_sampling_scheme, p.config_mission_number, p.source_format, p.source_file, l.levels";

#[async_trait]
impl crate::Store for SqliteStore {
    async fn write_file(&self, batch: &FileBatch) -> Result<WriteCounts, StoreError> {
        let mut tx = self.writer.begin().await?;
        let mut c =
            WriteCounts { platforms: Self::write_platforms(&mut tx, &batch.platforms).await?, ..Default::default() };
        for p in &batch.platform_stubs {
            c.platforms += sqlx::query(
                "INSERT INTO platforms (id, kind, name, lon, lat) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
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
            "INSERT INTO ingested_files (source, kind, size_bytes, ingested_at) VALUES (?, ?, ?, ?)
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
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&self.writer).await?;
        Ok(())
    }

    async fn counts(&self) -> Result<TableCounts, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT count(*) FROM platforms), (SELECT count(*) FROM profiles),
                    (SELECT coalesce(sum(n_levels), 0) FROM profiles), (SELECT count(*) FROM series),
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
            "SELECT pl.id, pl.kind, pl.name, pl.lon, pl.lat, pl.attributes,
               (SELECT count(*) FROM profiles p WHERE p.platform = pl.id) AS n_profiles,
               (SELECT min(time) FROM profiles p WHERE p.platform = pl.id) AS p_first,
               (SELECT max(time) FROM profiles p WHERE p.platform = pl.id) AS p_last,
               (SELECT count(*) FROM series s WHERE s.platform = pl.id) AS n_series,
               (SELECT min(time) FROM series s WHERE s.platform = pl.id) AS s_first,
               (SELECT max(time) FROM series s WHERE s.platform = pl.id) AS s_last,
               (SELECT group_concat(variable, ',') FROM (SELECT DISTINCT variable FROM series s WHERE s.platform = pl.id ORDER BY variable)) AS vars,
               (SELECT count(*) FROM heat_stress h WHERE h.site = pl.id) AS n_days,
               (SELECT min(date) FROM heat_stress h WHERE h.site = pl.id) AS h_first,
               (SELECT max(date) FROM heat_stress h WHERE h.site = pl.id) AS h_last
             FROM platforms pl WHERE (?1 IS NULL OR pl.kind = ?1) ORDER BY pl.id",
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
            let day = |s: Option<String>| {
                s.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
                    .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
            };
            let firsts = [from_ts(r.try_get("p_first")?), from_ts(r.try_get("s_first")?), day(r.try_get("h_first")?)];
            let lasts = [from_ts(r.try_get("p_last")?), from_ts(r.try_get("s_last")?), day(r.try_get("h_last")?)];
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
        if let Some(direct) = &self.direct {
            // One primary-key probe: run inline (see `sqlite_read`).
            let raw = direct.with(|c| {
                let mut st = c.prepare_cached(&format!(
                    "SELECT {PROFILE_COLUMNS} FROM profiles p JOIN profile_levels l ON l.id = p.id
                     WHERE p.platform = ?1 AND p.cycle = ?2 AND p.direction = ?3"
                ))?;
                let mut rows = st.query(rusqlite::params![key.platform, key.cycle, dir])?;
                Ok(match rows.next()? {
                    Some(r) => Some(RawProfile::from_rusqlite(r, 0)?),
                    None => None,
                })
            })?;
            return raw.map(RawProfile::into_profile).transpose();
        }
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {PROFILE_COLUMNS} FROM profiles p JOIN profile_levels l ON l.id = p.id
             WHERE p.platform = ? AND p.cycle = ? AND p.direction = ?"
        )))
        .bind(&key.platform)
        .bind(key.cycle)
        .bind(dir)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(|r| profile_from_row(r, 0)).transpose()
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
        if let Some(mut out) = self.space_stubs(f).await? {
            let dir = |d: DirectionKey| d == DirectionKey::D;
            out.sort_by(|a, b| {
                (a.time, &a.key.platform, a.key.cycle, dir(a.key.direction)).cmp(&(
                    b.time,
                    &b.key.platform,
                    b.key.cycle,
                    dir(b.key.direction),
                ))
            });
            out.dedup_by_key(|s| s.row_id);
            return Ok(out);
        }
        // The rows come back as one JSON array in one row: sqlx hands rows over one by one through a
        // channel, which costs more than SQLite's own work on a search of thousands of candidates.
        // Positions travel as 17-digit text, since JSON numbers from SQLite keep only 15 digits.
        let mut sql = String::from(
            "SELECT json_group_array(json_array(id, platform, cycle, direction, time,
                    CASE WHEN lon IS NULL THEN NULL ELSE printf('%!.17g', lon) END,
                    CASE WHEN lat IS NULL THEN NULL ELSE printf('%!.17g', lat) END, data_mode, params,
                    source_format, position_qc)) FROM (SELECT p.id, p.platform, p.cycle, p.direction, p.time, p.lon,
                    p.lat, p.data_mode, p.params, p.source_format, p.position_qc FROM profiles p",
        );
        let mut conds: Vec<String> = Vec::new();
        let boxes = f.region.as_ref().map(|r| r.index_boxes()).unwrap_or_default();
        if f.region.is_some() {
            sql.push_str(" JOIN profiles_rtree r ON r.id = p.id");
            let mut ors: Vec<&str> = boxes
                .iter()
                .map(|_| "(r.min_lon <= ? AND r.max_lon >= ? AND r.min_lat <= ? AND r.max_lat >= ?)")
                .collect();
            if ors.is_empty() {
                ors.push("0");
            }
            conds.push(format!("({})", ors.join(" OR ")));
            if f.time.is_some() {
                // Let the R*Tree prune by day too (bounds are conservative; the exact test follows).
                conds.push("r.max_day >= ? AND r.min_day <= ?".into());
            }
        }
        if f.time.is_some() {
            conds.push("p.time >= ? AND p.time < ?".into());
        }
        if f.platform.is_some() {
            conds.push("p.platform = ?".into());
        }
        if !conds.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conds.join(" AND "));
        }
        sql.push_str(" ORDER BY p.time, p.platform, p.cycle, p.direction)");
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for b in &boxes {
            q = q.bind(b.east).bind(b.west).bind(b.north).bind(b.south);
        }
        if let (Some(t), true) = (&f.time, f.region.is_some()) {
            let day = |t: DateTime<Utc>| t.timestamp() as f64 / 86_400.0;
            q = q.bind(day(t.start()) - 1.0).bind(day(t.end()) + 1.0);
        }
        if let Some(t) = &f.time {
            q = q.bind(t.start().timestamp()).bind(t.end().timestamp());
        }
        if let Some(p) = &f.platform {
            q = q.bind(p);
        }
        let json: String = q.fetch_one(&self.pool).await?.try_get(0)?;
        parse_stubs(&json)
    }

    async fn profiles_by_row_ids(&self, ids: &[i64]) -> Result<Vec<Profile>, StoreError> {
        if let Some(direct) = &self.direct {
            let ids = ids.to_vec();
            return direct
                .with_blocking(move |c| {
                    let mut st = c.prepare_cached(&format!(
                        "SELECT {PROFILE_COLUMNS} FROM profiles p JOIN profile_levels l ON l.id = p.id WHERE p.id = ?1"
                    ))?;
                    let mut out = Vec::with_capacity(ids.len());
                    for id in ids {
                        let mut rows = st.query([id])?;
                        if let Some(r) = rows.next()? {
                            out.push(RawProfile::from_rusqlite(r, 0)?.into_profile()?);
                        }
                    }
                    Ok(out)
                })
                .await;
        }
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let mut q = sqlx::query(AssertSqlSafe(format!(
                "SELECT p.id AS row_id, {PROFILE_COLUMNS} FROM profiles p JOIN profile_levels l ON l.id = p.id
                 WHERE p.id IN ({marks})"
            )));
            for id in chunk {
                q = q.bind(id);
            }
            let rows = q.fetch_all(&self.pool).await?;
            let mut by_id = std::collections::HashMap::with_capacity(rows.len());
            for row in &rows {
                by_id.insert(row.try_get::<i64, _>("row_id")?, profile_from_row(row, 1)?);
            }
            out.extend(chunk.iter().filter_map(|id| by_id.remove(id)));
        }
        Ok(out)
    }

    async fn series(&self, platform: &str, variable: &str, time: TimeRange) -> Result<Vec<SeriesPoint>, StoreError> {
        let rows: Vec<(i64, f64, f64, i64)> = sqlx::query_as(
            "SELECT time, depth, value, qc FROM series WHERE platform = ? AND variable = ? AND time >= ? AND time < ?
             ORDER BY time, depth",
        )
        .bind(platform)
        .bind(variable)
        .bind(time.start().timestamp())
        .bind(time.end().timestamp())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(t, depth, value, qc)| {
                Some(SeriesPoint {
                    platform: platform.to_string(),
                    variable: variable.to_string(),
                    time: Utc.timestamp_opt(t, 0).single()?,
                    depth,
                    value,
                    qc: QcFlag::from_byte(qc as u8),
                })
            })
            .collect())
    }

    async fn series_points(&self, f: &SeriesFilter) -> Result<Vec<SeriesPoint>, StoreError> {
        let mut sql = String::from("SELECT platform, variable, time, depth, value, qc FROM series");
        let mut conds: Vec<String> = Vec::new();
        if f.platform.is_some() {
            conds.push("platform = ?".into());
        }
        if f.variable.is_some() {
            conds.push("variable = ?".into());
        }
        if f.time.is_some() {
            conds.push("time >= ? AND time < ?".into());
        }
        if let Some(qc) = &f.qc_in {
            conds
                .push(format!("qc IN ({})", qc.iter().map(|q| q.to_byte().to_string()).collect::<Vec<_>>().join(", ")));
        }
        if !conds.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conds.join(" AND "));
        }
        sql.push_str(" ORDER BY time, platform, variable, depth");
        if let Some(l) = f.limit {
            sql.push_str(&format!(" LIMIT {l}"));
        }
        let mut q = sqlx::query_as::<_, (String, String, i64, f64, f64, i64)>(AssertSqlSafe(sql));
        if let Some(p) = &f.platform {
            q = q.bind(p.clone());
        }
        if let Some(v) = &f.variable {
            q = q.bind(v.clone());
        }
        if let Some(t) = &f.time {
            q = q.bind(t.start().timestamp()).bind(t.end().timestamp());
        }
        let rows = q.fetch_all(&self.pool).await?;
        Ok(rows.into_iter().filter_map(point_of).collect())
    }

    async fn series_latest(&self) -> Result<Vec<SeriesPoint>, StoreError> {
        // SQLite takes the bare columns from the row that holds max(time).
        let rows: Vec<(String, String, i64, f64, f64, i64)> = sqlx::query_as(
            "SELECT platform, variable, max(time), depth, value, qc FROM series GROUP BY platform, variable
             ORDER BY platform, variable",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().filter_map(point_of).collect())
    }

    async fn profile_platforms_latest(&self) -> Result<Vec<crate::PlatformLatest>, StoreError> {
        // SQLite takes the bare columns from the row that holds max(time); count(*) counts every
        // positioned, timed profile of the platform.
        let rows: Vec<(String, i64, i64, f64, f64, i64)> = sqlx::query_as(
            "SELECT platform, cycle, max(time), lon, lat, count(*) FROM profiles
             WHERE time IS NOT NULL AND lon IS NOT NULL AND lat IS NOT NULL GROUP BY platform ORDER BY platform",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(platform, cycle, t, lon, lat, n)| {
                Some(crate::PlatformLatest {
                    platform,
                    cycle: i32::try_from(cycle).ok()?,
                    time: Utc.timestamp_opt(t, 0).single()?,
                    position: model::Point::new(lon, lat).ok()?,
                    profiles: n as u64,
                })
            })
            .collect())
    }

    async fn series_stats(&self) -> Result<Vec<VariableStats>, StoreError> {
        let rows: Vec<(String, i64, i64, f64, f64, f64, i64, i64)> = sqlx::query_as(
            "SELECT variable, count(DISTINCT platform), count(*), min(value), max(value), avg(value), min(time), max(time)
             FROM series GROUP BY variable ORDER BY variable",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(variable, platforms, count, min, max, mean, first, last)| VariableStats {
                variable,
                platforms: platforms as u64,
                count: count as u64,
                min,
                max,
                mean,
                first: from_ts(Some(first)),
                last: from_ts(Some(last)),
            })
            .collect())
    }

    async fn index_updates(&self) -> Result<Vec<(String, Option<DateTime<Utc>>)>, StoreError> {
        let rows: Vec<(String, Option<i64>)> =
            sqlx::query_as("SELECT file, date_update FROM profile_index ORDER BY file").fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|(f, d)| (f, d.and_then(|s| DateTime::from_timestamp(s, 0)))).collect())
    }

    async fn reef_site(&self, id: &str) -> Result<Option<ReefSite>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, lon, lat, mmm, monthly_means, first_valid_dhw, first_valid_baa, polygon FROM reef_sites WHERE id = ?",
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

    async fn record_query(&self, q: &QueryRecord) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO query_history (asked_at, session, question, interpretation) VALUES (?, ?, ?, ?)")
            .bind(q.asked_at.timestamp())
            .bind(q.session.as_deref())
            .bind(&q.question)
            .bind(&q.interpretation)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn recent_queries(&self, limit: usize) -> Result<Vec<QueryRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT asked_at, session, question, interpretation FROM query_history ORDER BY id DESC LIMIT ?",
        )
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let t: i64 = r.try_get("asked_at")?;
            out.push(QueryRecord {
                asked_at: DateTime::<Utc>::from_timestamp(t, 0)
                    .ok_or_else(|| StoreError::Corrupt(format!("query_history time {t}")))?,
                session: r.try_get("session")?,
                question: r.try_get("question")?,
                interpretation: r.try_get("interpretation")?,
            });
        }
        Ok(out)
    }

    async fn size_bytes(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
            .fetch_one(&self.pool)
            .await?;
        Ok(n.max(0) as u64)
    }

    async fn put_alert_rule(&self, rule: &model::AlertRule) -> Result<bool, StoreError> {
        let r = crate::alerts::rule_row(rule);
        let mut tx = self.writer.begin().await?;
        let existed: Option<String> =
            sqlx::query_scalar("SELECT id FROM alert_rules WHERE id = ?").bind(&r.0).fetch_optional(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO alert_rules (id, name, kind, variable, subject, comparison, threshold, for_seconds, aggregate,
               min_level, severity, enabled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM alert_subscriptions WHERE rule = ?").bind(id).execute(&mut *tx).await?;
        let n = sqlx::query("DELETE FROM alert_rules WHERE id = ?").bind(id).execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(n > 0)
    }

    async fn put_alert_subscription(&self, sub: &model::Subscription) -> Result<bool, StoreError> {
        let r = crate::alerts::subscription_row(sub);
        let mut tx = self.writer.begin().await?;
        let existed: Option<String> = sqlx::query_scalar("SELECT id FROM alert_subscriptions WHERE id = ?")
            .bind(&r.0)
            .fetch_optional(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO alert_subscriptions (id, rule, min_severity, receiver, target) VALUES (?, ?, ?, ?, ?)
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
        let n = sqlx::query("DELETE FROM alert_subscriptions WHERE id = ?")
            .bind(id)
            .execute(&self.writer)
            .await?
            .rows_affected();
        Ok(n > 0)
    }

    async fn put_alert_event(&self, event: &model::FiredAlert) -> Result<(), StoreError> {
        let r = crate::alerts::event_row(event);
        sqlx::query(
            "INSERT INTO alert_events (rule, subject, started_at, fingerprint, severity, value, message, last_seen_at,
               resolved_at, resolve_message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn alert_events(&self, open_only: bool, limit: usize) -> Result<Vec<model::FiredAlert>, StoreError> {
        let rows: Vec<crate::alerts::EventRow> = sqlx::query_as(
            "SELECT rule, subject, started_at, fingerprint, severity, value, message, last_seen_at, resolved_at,
               resolve_message FROM alert_events WHERE (? = 0 OR resolved_at IS NULL)
             ORDER BY started_at DESC, rule, subject LIMIT ?",
        )
        .bind(i64::from(open_only))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(crate::alerts::event_from_row).collect()
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
            "SELECT date, sst_min, sst_max, sst_90th_hs, ssta_90th_hs, hotspot, dhw, baa_7day_max FROM heat_stress
             WHERE site = ? AND date >= ? AND date < ? ORDER BY date",
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
                sst_min: r.try_get::<Option<f64>, _>("sst_min")?.and_then(nan_to_none),
                sst_max: r.try_get::<Option<f64>, _>("sst_max")?.and_then(nan_to_none),
                sst_90th_hs: r.try_get::<Option<f64>, _>("sst_90th_hs")?.and_then(nan_to_none),
                ssta_90th_hs: r.try_get::<Option<f64>, _>("ssta_90th_hs")?.and_then(nan_to_none),
                hotspot: r.try_get::<Option<f64>, _>("hotspot")?.and_then(nan_to_none),
                dhw: r.try_get::<Option<f64>, _>("dhw")?.and_then(nan_to_none),
                baa_7day_max: r.try_get::<Option<i64>, _>("baa_7day_max")?.map(|b| b as u8),
            });
        }
        Ok(out)
    }

    // Retention and the scheduler (archive.rs, jobs.rs).
    async fn month_counts(&self, t: crate::ArchiveTable) -> Result<Vec<crate::MonthRows>, StoreError> {
        crate::archive::sqlite_months(self, t).await
    }
    async fn archive_rows(
        &self,
        t: crate::ArchiveTable,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Vec<crate::Cell>>, StoreError> {
        crate::archive::sqlite_rows(self, t, from, to).await
    }
    async fn delete_rows(
        &self,
        t: crate::ArchiveTable,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        crate::archive::sqlite_delete(self, t, from, to).await
    }
    async fn record_archive(&self, a: &crate::ArchiveRecord) -> Result<(), StoreError> {
        crate::jobs::sqlite_record_archive(self, a).await
    }
    async fn archive_records(&self) -> Result<Vec<crate::ArchiveRecord>, StoreError> {
        crate::jobs::sqlite_archives(self).await
    }
    async fn insert_job_run(&self, r: &crate::JobRun) -> Result<i64, StoreError> {
        crate::jobs::sqlite_insert_run(self, r).await
    }
    async fn update_job_run(&self, r: &crate::JobRun) -> Result<(), StoreError> {
        crate::jobs::sqlite_update_run(self, r).await
    }
    async fn job_runs(&self, job: Option<&str>, limit: usize) -> Result<Vec<crate::JobRun>, StoreError> {
        crate::jobs::sqlite_runs(self, job, limit).await
    }
    async fn interrupt_job_runs(&self, at: DateTime<Utc>) -> Result<u64, StoreError> {
        crate::jobs::sqlite_interrupt(self, at).await
    }
}

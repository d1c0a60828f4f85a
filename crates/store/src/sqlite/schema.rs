//! The SQLite schema as versioned migrations, applied in order, each once (recorded in
//! `schema_migrations`), and the key of `profile_space`, the clustered copy of profile search columns
//! that migration 3 creates and fills.

use chrono::{DateTime, Utc};
use sqlx::sqlite::SqlitePool;
use sqlx::{AssertSqlSafe, Sqlite, Transaction};

use crate::error::StoreError;
use crate::rows::from_ts;

/// Schema migrations, applied in order, each once (recorded in `schema_migrations`).
pub(super) const MIGRATIONS: &[(i64, &str)] = &[
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
    -- Which version wins when one profile arrives in several files (see source_rank in store/src/rows.rs).
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
    (
        5,
        r#"
-- The scheduler's run log; times are Unix milliseconds.
CREATE TABLE job_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job TEXT NOT NULL,
    started INTEGER NOT NULL,
    finished INTEGER,
    status TEXT NOT NULL,
    rows_added INTEGER NOT NULL DEFAULT 0,
    error TEXT
);
CREATE INDEX job_runs_job ON job_runs (job, started);
-- Verified retention archives of one table-month in a directory (its MANIFEST.json has the files).
CREATE TABLE archives (
    table_name TEXT NOT NULL,
    month TEXT NOT NULL,
    dir TEXT NOT NULL,
    rows INTEGER NOT NULL,
    checksum TEXT NOT NULL,
    verified_at INTEGER NOT NULL,
    PRIMARY KEY (table_name, month, dir)
) WITHOUT ROWID;
"#,
    ),
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

/// `profile_space.month`: calendar months since January of year 0.
pub(super) fn space_month(t: DateTime<Utc>) -> i64 {
    use chrono::Datelike;
    t.year() as i64 * 12 + t.month0() as i64
}

/// `profile_space.band`: the 1° latitude band, 0 (−90…−89) to 180 (the North Pole itself). Computed as
/// the migration's SQL does (`CAST(lat + 90.0 AS INTEGER)`), so both agree to the last bit.
pub(super) fn space_band(lat: f64) -> i64 {
    ((lat + 90.0) as i64).clamp(0, 180)
}

/// `INSERT INTO profile_space` with `rows` rows of parameters.
pub(super) fn space_insert_sql(rows: usize) -> String {
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

/// Applies the pending migrations on the writer, each in its own transaction.
pub(super) async fn migrate(writer: &SqlitePool) -> Result<(), StoreError> {
    let mut conn = writer.acquire().await?;
    crate::queries::schema::apply_migrations!(
        &mut *conn,
        MIGRATIONS,
        table: "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
        record: "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
        after(tx, version) {
            if version == 3 {
                fill_profile_space(tx).await?;
            }
        }
    );
    Ok(())
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

/// Whether every migration is applied.
pub(super) async fn ready(pool: &SqlitePool) -> Result<bool, StoreError> {
    let v: Option<i64> = sqlx::query_scalar("SELECT max(version) FROM schema_migrations").fetch_one(pool).await?;
    Ok(v == MIGRATIONS.last().map(|m| m.0))
}

//! Copying a SQLite store into PostgreSQL (`halocline migrate`), and per-table checksums that compare
//! two stores of either backend.
//!
//! Every table is read from SQLite in key order, a chunk at a time; each chunk is written to PostgreSQL
//! in one transaction together with the key it ended on (`migration_progress`), so a killed migration
//! resumes after the last chunk that committed, and a finished one copies nothing when run again. Rows are
//! written as stored (digests, source ranks, ingest times and profile row ids included), with UPSERTs on
//! the same keys. The checksum of a table is its row count and the wrapping sum of a 64-bit FNV-1a hash of
//! each row in a canonical form (times as Unix seconds, dates as `YYYY-MM-DD`, row ids left out), so it
//! does not depend on row order or on the backend.

use futures_util::TryStreamExt;
use sqlx::{AssertSqlSafe, Row};

use crate::{PgStore, SqliteStore, StoreError};

/// One value of a canonical row (also the cells of retention archives, `crate::archive`).
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    I(i64),
    F(f64),
    T(String),
    B(Vec<u8>),
}

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Kind {
    I,
    F,
    T,
    B,
}

/// A table as both backends read it, in the same canonical columns.
struct Table {
    name: &'static str,
    /// Canonical column kinds; the first `key` columns are the key (SQLite's order), for paging.
    kinds: &'static [Kind],
    key: usize,
    /// Leading columns that are copied but not hashed (the profile row id).
    unhashed: usize,
    /// `SELECT` list and `FROM` of the SQLite side, with the key columns named as in `sqlite_key`.
    sqlite_from: &'static str,
    sqlite_key: &'static str,
    /// A `SELECT` of all rows on the PostgreSQL side, same columns.
    pg_all: &'static str,
}

use Kind::{B, F, I, T};

const TABLES: &[Table] = &[
    Table {
        name: "platforms",
        kinds: &[T, T, T, F, F, T],
        key: 1,
        unhashed: 0,
        sqlite_from: "SELECT id, kind, name, lon, lat, attributes FROM platforms",
        sqlite_key: "id",
        pg_all: "SELECT id, kind, name, lon, lat, attributes FROM platforms",
    },
    Table {
        name: "profiles",
        kinds: &[I, T, I, T, I, I, F, F, I, T, T, T, T, T, T, T, T, I, T, T, I, T, I, I, B],
        key: 1,
        unhashed: 1,
        sqlite_from: "SELECT p.id, p.platform, p.cycle, p.direction, p.time, p.time_qc, p.lon, p.lat, p.position_qc,
              p.data_mode, p.data_centre, p.project_name, p.pi_name, p.platform_type, p.wmo_inst_type,
              p.positioning_system, p.vertical_sampling_scheme, p.config_mission_number, p.source_format,
              p.source_file, p.n_levels, p.params, p.source_rank, p.digest, l.levels
            FROM profiles p JOIN profile_levels l ON l.id = p.id",
        sqlite_key: "p.id",
        pg_all: "SELECT k.id, k.platform, k.cycle::int8, k.direction, extract(epoch FROM p.time)::int8,
              p.time_qc::int8, p.lon, p.lat, p.position_qc::int8, p.data_mode, p.data_centre, p.project_name,
              p.pi_name, p.platform_type, p.wmo_inst_type, p.positioning_system, p.vertical_sampling_scheme,
              p.config_mission_number::int8, p.source_format, p.source_file, p.n_levels::int8, p.params,
              k.source_rank::int8, k.digest, l.levels
            FROM profile_keys k JOIN profiles p ON p.id = k.id JOIN profile_docs l ON l.id = k.id",
    },
    Table {
        name: "series",
        kinds: &[T, T, I, F, F, I],
        key: 4,
        unhashed: 0,
        sqlite_from: "SELECT platform, variable, time, depth, value, qc FROM series",
        sqlite_key: "platform, variable, time, depth",
        pg_all: "SELECT platform, variable, extract(epoch FROM time)::int8, depth, value, qc::int8 FROM series",
    },
    Table {
        name: "reef_sites",
        kinds: &[T, T, F, F, F, T, T, T, T, I],
        key: 1,
        unhashed: 0,
        sqlite_from: "SELECT id, name, lon, lat, mmm, monthly_means, first_valid_dhw, first_valid_baa, polygon, digest
            FROM reef_sites",
        sqlite_key: "id",
        pg_all: "SELECT id, name, lon, lat, mmm, monthly_means, to_char(first_valid_dhw, 'YYYY-MM-DD'),
              to_char(first_valid_baa, 'YYYY-MM-DD'), polygon, digest FROM reef_sites",
    },
    Table {
        name: "heat_stress",
        kinds: &[T, T, F, F, F, F, F, F, I],
        key: 2,
        unhashed: 0,
        sqlite_from: "SELECT site, date, sst_min, sst_max, sst_90th_hs, ssta_90th_hs, hotspot, dhw, baa_7day_max
            FROM heat_stress",
        sqlite_key: "site, date",
        pg_all: "SELECT site, to_char(date, 'YYYY-MM-DD'), sst_min, sst_max, sst_90th_hs, ssta_90th_hs, hotspot, dhw,
              baa_7day_max::int8 FROM heat_stress",
    },
    Table {
        name: "profile_index",
        kinds: &[T, I, F, F, T, I, T, I],
        key: 1,
        unhashed: 0,
        sqlite_from: "SELECT file, time, lat, lon, ocean, profiler_type, institution, date_update FROM profile_index",
        sqlite_key: "file",
        pg_all: "SELECT file, extract(epoch FROM time)::int8, lat, lon, ocean, profiler_type::int8, institution,
              extract(epoch FROM date_update)::int8 FROM profile_index",
    },
    Table {
        name: "ingested_files",
        kinds: &[T, T, I, I],
        key: 1,
        unhashed: 0,
        sqlite_from: "SELECT source, kind, size_bytes, ingested_at FROM ingested_files",
        sqlite_key: "source",
        pg_all: "SELECT source, kind, size_bytes, extract(epoch FROM ingested_at)::int8 FROM ingested_files",
    },
    Table {
        name: "grids",
        kinds: &[T, T, I, T, F, I, T, T, T, T, I, I, F, F, F, F, B, B, B, I],
        key: 3,
        unhashed: 0,
        sqlite_from:
            "SELECT dataset, variable, time, z_name, z, fill_bits, units, long_name, standard_name, attributes,
              n_lat, n_lon, lat_min, lat_max, lon_min, lon_max, latitudes, longitudes, cells, digest FROM grids",
        sqlite_key: "dataset, variable, time",
        pg_all: "SELECT dataset, variable, time, z_name, z, fill_bits, units, long_name, standard_name, attributes,
              n_lat::int8, n_lon::int8, lat_min, lat_max, lon_min, lon_max, latitudes, longitudes, cells, digest
            FROM grids",
    },
];

/// Row count and checksum of one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableSum {
    pub table: &'static str,
    pub rows: u64,
    pub checksum: u64,
}

/// What a migration did, table by table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// Rows copied by this run, per table (zero when a finished migration is run again).
    pub copied: Vec<(&'static str, u64)>,
    /// Tables a previous, interrupted run had partly copied (resumed after their last chunk).
    pub resumed: Vec<&'static str>,
    /// The progress callback stopped the run.
    pub interrupted: bool,
    pub source: Vec<TableSum>,
    pub target: Vec<TableSum>,
}

impl MigrationReport {
    pub fn verified(&self) -> bool {
        !self.interrupted && self.source == self.target
    }
}

/// The 64-bit FNV-1a hash of a canonical row (a table's checksum is the wrapping sum over its rows).
pub fn row_hash(vals: &[Val]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for v in vals {
        match v {
            Val::Null => eat(b"N"),
            Val::I(x) => {
                eat(b"I");
                eat(&x.to_le_bytes());
            }
            Val::F(x) => {
                eat(b"F");
                eat(&x.to_bits().to_le_bytes());
            }
            Val::T(s) => {
                eat(b"T");
                eat(&(s.len() as u64).to_le_bytes());
                eat(s.as_bytes());
            }
            Val::B(b) => {
                eat(b"B");
                eat(&(b.len() as u64).to_le_bytes());
                eat(b);
            }
        }
    }
    h
}

pub(crate) fn read_sqlite(row: &sqlx::sqlite::SqliteRow, kinds: &[Kind]) -> Result<Vec<Val>, StoreError> {
    let mut out = Vec::with_capacity(kinds.len());
    for (i, k) in kinds.iter().enumerate() {
        out.push(match k {
            I => row.try_get::<Option<i64>, _>(i)?.map_or(Val::Null, Val::I),
            // NaN comes back from SQLite as NULL already; a REAL column may hold an integer-looking value.
            F => row.try_get::<Option<f64>, _>(i)?.map_or(Val::Null, Val::F),
            T => row.try_get::<Option<String>, _>(i)?.map_or(Val::Null, Val::T),
            B => row.try_get::<Option<Vec<u8>>, _>(i)?.map_or(Val::Null, Val::B),
        });
    }
    Ok(out)
}

pub(crate) fn read_pg(row: &sqlx::postgres::PgRow, kinds: &[Kind]) -> Result<Vec<Val>, StoreError> {
    let mut out = Vec::with_capacity(kinds.len());
    for (i, k) in kinds.iter().enumerate() {
        out.push(match k {
            I => row.try_get::<Option<i64>, _>(i)?.map_or(Val::Null, Val::I),
            F => row.try_get::<Option<f64>, _>(i)?.filter(|x| !x.is_nan()).map_or(Val::Null, Val::F),
            T => row.try_get::<Option<String>, _>(i)?.map_or(Val::Null, Val::T),
            B => row.try_get::<Option<Vec<u8>>, _>(i)?.map_or(Val::Null, Val::B),
        });
    }
    Ok(out)
}

/// Checksums of every table of a SQLite store.
pub async fn sqlite_checksums(s: &SqliteStore) -> Result<Vec<TableSum>, StoreError> {
    let mut out = Vec::new();
    for t in TABLES {
        let (mut rows, mut sum) = (0u64, 0u64);
        let mut stream = sqlx::query(AssertSqlSafe(t.sqlite_from)).fetch(s.reader());
        while let Some(row) = stream.try_next().await? {
            let vals = read_sqlite(&row, t.kinds)?;
            sum = sum.wrapping_add(row_hash(&vals[t.unhashed..]));
            rows += 1;
        }
        out.push(TableSum { table: t.name, rows, checksum: sum });
    }
    Ok(out)
}

/// Checksums of every table of a PostgreSQL store.
pub async fn pg_checksums(s: &PgStore) -> Result<Vec<TableSum>, StoreError> {
    let mut out = Vec::new();
    for t in TABLES {
        let (mut rows, mut sum) = (0u64, 0u64);
        let mut stream = sqlx::query(AssertSqlSafe(t.pg_all)).fetch(s.pool());
        while let Some(row) = stream.try_next().await? {
            let vals = read_pg(&row, t.kinds)?;
            sum = sum.wrapping_add(row_hash(&vals[t.unhashed..]));
            rows += 1;
        }
        out.push(TableSum { table: t.name, rows, checksum: sum });
    }
    Ok(out)
}

/// Checksums of the store a URL names (either backend).
pub async fn checksums(url: &str) -> Result<Vec<TableSum>, StoreError> {
    if crate::is_postgres(url) {
        pg_checksums(&PgStore::open(url).await?).await
    } else {
        sqlite_checksums(&SqliteStore::open(crate::sqlite_path(url)?).await?).await
    }
}

fn key_json(vals: &[Val]) -> String {
    let parts: Vec<String> = vals
        .iter()
        .map(|v| match v {
            Val::Null => "null".into(),
            Val::I(x) => format!("{{\"i\":{x}}}"),
            Val::F(x) => format!("{{\"f\":{}}}", x.to_bits()),
            Val::T(s) => serde_json::Value::String(s.clone()).to_string(),
            Val::B(_) => "null".into(),
        })
        .collect();
    format!("[{}]", parts.join(","))
}

fn key_from_json(s: &str) -> Result<Vec<Val>, StoreError> {
    let bad = || StoreError::Corrupt(format!("migration_progress key {s:?}"));
    let v: Vec<serde_json::Value> = serde_json::from_str(s).map_err(|_| bad())?;
    v.into_iter()
        .map(|x| match x {
            serde_json::Value::Null => Ok(Val::Null),
            serde_json::Value::String(s) => Ok(Val::T(s)),
            serde_json::Value::Object(o) => {
                if let Some(i) = o.get("i").and_then(|i| i.as_i64()) {
                    Ok(Val::I(i))
                } else if let Some(f) = o.get("f").and_then(|f| f.as_u64()) {
                    Ok(Val::F(f64::from_bits(f)))
                } else {
                    Err(bad())
                }
            }
            _ => Err(bad()),
        })
        .collect()
}

/// Column `i` of every row as an array bind of its kind.
fn bind_col<'q>(
    q: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    rows: &[Vec<Val>],
    i: usize,
    kind: Kind,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    match kind {
        I => q.bind(rows.iter().map(|r| if let Val::I(x) = r[i] { Some(x) } else { None }).collect::<Vec<_>>()),
        F => q.bind(rows.iter().map(|r| if let Val::F(x) = r[i] { Some(x) } else { None }).collect::<Vec<_>>()),
        T => {
            q.bind(rows.iter().map(|r| if let Val::T(x) = &r[i] { Some(x.clone()) } else { None }).collect::<Vec<_>>())
        }
        B => {
            q.bind(rows.iter().map(|r| if let Val::B(x) = &r[i] { Some(x.clone()) } else { None }).collect::<Vec<_>>())
        }
    }
}

/// The statements that write a chunk of canonical rows into PostgreSQL (UPSERTs on the same keys).
fn pg_inserts(table: &str) -> &'static [&'static str] {
    match table {
        "platforms" => &["INSERT INTO platforms AS x (id, kind, name, lon, lat, attributes)
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::text[])
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name, lon = excluded.lon,
               lat = excluded.lat, attributes = excluded.attributes
             WHERE (x.kind, x.name, x.lon, x.lat, x.attributes)
               IS DISTINCT FROM (excluded.kind, excluded.name, excluded.lon, excluded.lat, excluded.attributes)"],
        "profiles" => &[
            "INSERT INTO profile_keys AS k (id, platform, cycle, direction, source_rank, source_file, digest)
             SELECT id, platform, cycle, direction, source_rank, source_file, digest
             FROM UNNEST($1::int8[], $2::text[], $3::int8[], $4::text[], $5::int8[], $6::int8[], $7::float8[],
               $8::float8[], $9::int8[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
               $15::text[], $16::text[], $17::text[], $18::int8[], $19::text[], $20::text[], $21::int8[],
               $22::text[], $23::int8[], $24::int8[])
               AS u(id, platform, cycle, direction, t, time_qc, lon, lat, position_qc, data_mode, data_centre,
                 project_name, pi_name, platform_type, wmo_inst_type, positioning_system,
                 vertical_sampling_scheme, config_mission_number, source_format, source_file, n_levels, params,
                 source_rank, digest)
             ON CONFLICT (id) DO UPDATE SET source_rank = excluded.source_rank, source_file = excluded.source_file,
               digest = excluded.digest",
            "DELETE FROM profiles WHERE id = ANY($1::int8[])",
            "INSERT INTO profiles (id, platform, cycle, direction, time, time_qc, lon, lat, position_qc, data_mode,
               data_centre, project_name, pi_name, platform_type, wmo_inst_type, positioning_system,
               vertical_sampling_scheme, config_mission_number, source_format, source_file, n_levels, params)
             SELECT id, platform, cycle, direction, to_timestamp(t), time_qc, lon, lat, position_qc, data_mode,
               data_centre, project_name, pi_name, platform_type, wmo_inst_type, positioning_system,
               vertical_sampling_scheme, config_mission_number, source_format, source_file, n_levels, params
             FROM UNNEST($1::int8[], $2::text[], $3::int8[], $4::text[], $5::int8[], $6::int8[], $7::float8[],
               $8::float8[], $9::int8[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
               $15::text[], $16::text[], $17::text[], $18::int8[], $19::text[], $20::text[], $21::int8[],
               $22::text[])
               AS u(id, platform, cycle, direction, t, time_qc, lon, lat, position_qc, data_mode, data_centre,
                 project_name, pi_name, platform_type, wmo_inst_type, positioning_system,
                 vertical_sampling_scheme, config_mission_number, source_format, source_file, n_levels, params)",
            "INSERT INTO profile_docs (id, platform, cycle, direction, time, time_qc, lon, lat, position_qc, data_mode,
               data_centre, project_name, pi_name, platform_type, wmo_inst_type, positioning_system,
               vertical_sampling_scheme, config_mission_number, source_format, source_file, levels)
             SELECT id, platform, cycle, direction, to_timestamp(t), time_qc, lon, lat, position_qc, data_mode,
               data_centre, project_name, pi_name, platform_type, wmo_inst_type, positioning_system,
               vertical_sampling_scheme, config_mission_number, source_format, source_file, levels
             FROM UNNEST($1::int8[], $2::text[], $3::int8[], $4::text[], $5::int8[], $6::int8[], $7::float8[],
               $8::float8[], $9::int8[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
               $15::text[], $16::text[], $17::text[], $18::int8[], $19::text[], $20::text[], $21::int8[],
               $22::text[], $23::int8[], $24::int8[], $25::bytea[])
               AS u(id, platform, cycle, direction, t, time_qc, lon, lat, position_qc, data_mode, data_centre,
                 project_name, pi_name, platform_type, wmo_inst_type, positioning_system,
                 vertical_sampling_scheme, config_mission_number, source_format, source_file, n_levels, params,
                 source_rank, digest, levels)
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
        ],
        "series" => &["INSERT INTO series AS x (platform, variable, time, depth, value, qc)
             SELECT platform, variable, to_timestamp(t), depth, value, qc
             FROM UNNEST($1::text[], $2::text[], $3::int8[], $4::float8[], $5::float8[], $6::int8[])
               AS u(platform, variable, t, depth, value, qc)
             ON CONFLICT (platform, variable, time, depth) DO UPDATE SET value = excluded.value, qc = excluded.qc
             WHERE (x.value, x.qc) IS DISTINCT FROM (excluded.value, excluded.qc)"],
        "reef_sites" => &["INSERT INTO reef_sites AS x (id, name, lon, lat, mmm, monthly_means, first_valid_dhw,
               first_valid_baa, polygon, digest)
             SELECT id, name, lon, lat, mmm, monthly_means, dhw::date, baa::date, polygon, digest
             FROM UNNEST($1::text[], $2::text[], $3::float8[], $4::float8[], $5::float8[], $6::text[], $7::text[],
               $8::text[], $9::text[], $10::int8[])
               AS u(id, name, lon, lat, mmm, monthly_means, dhw, baa, polygon, digest)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, lon = excluded.lon, lat = excluded.lat,
               mmm = excluded.mmm, monthly_means = excluded.monthly_means, first_valid_dhw = excluded.first_valid_dhw,
               first_valid_baa = excluded.first_valid_baa, polygon = excluded.polygon, digest = excluded.digest
             WHERE x.digest <> excluded.digest"],
        "heat_stress" => &["INSERT INTO heat_stress AS x (site, date, sst_min, sst_max, sst_90th_hs, ssta_90th_hs,
               hotspot, dhw, baa_7day_max)
             SELECT site, d::date, a, b, c, e, f, g, h
             FROM UNNEST($1::text[], $2::text[], $3::float8[], $4::float8[], $5::float8[], $6::float8[],
               $7::float8[], $8::float8[], $9::int8[]) AS u(site, d, a, b, c, e, f, g, h)
             ON CONFLICT (site, date) DO UPDATE SET sst_min = excluded.sst_min, sst_max = excluded.sst_max,
               sst_90th_hs = excluded.sst_90th_hs, ssta_90th_hs = excluded.ssta_90th_hs, hotspot = excluded.hotspot,
               dhw = excluded.dhw, baa_7day_max = excluded.baa_7day_max
             WHERE (x.sst_min, x.sst_max, x.sst_90th_hs, x.ssta_90th_hs, x.hotspot, x.dhw, x.baa_7day_max)
               IS DISTINCT FROM (excluded.sst_min, excluded.sst_max, excluded.sst_90th_hs, excluded.ssta_90th_hs,
               excluded.hotspot, excluded.dhw, excluded.baa_7day_max)"],
        "profile_index" => &["INSERT INTO profile_index AS x (file, time, lat, lon, ocean, profiler_type, institution,
               date_update)
             SELECT file, to_timestamp(t), lat, lon, ocean, profiler_type, institution, to_timestamp(du)
             FROM UNNEST($1::text[], $2::int8[], $3::float8[], $4::float8[], $5::text[], $6::int8[], $7::text[],
               $8::int8[]) AS u(file, t, lat, lon, ocean, profiler_type, institution, du)
             ON CONFLICT (file) DO UPDATE SET time = excluded.time, lat = excluded.lat, lon = excluded.lon,
               ocean = excluded.ocean, profiler_type = excluded.profiler_type, institution = excluded.institution,
               date_update = excluded.date_update
             WHERE (x.time, x.lat, x.lon, x.ocean, x.profiler_type, x.institution, x.date_update)
               IS DISTINCT FROM (excluded.time, excluded.lat, excluded.lon, excluded.ocean, excluded.profiler_type,
               excluded.institution, excluded.date_update)"],
        "grids" => &["INSERT INTO grids AS x (dataset, variable, time, z_name, z, fill_bits, units, long_name,
               standard_name, attributes, n_lat, n_lon, lat_min, lat_max, lon_min, lon_max, latitudes, longitudes,
               cells, digest)
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::int8[], $4::text[], $5::float8[], $6::int8[],
               $7::text[], $8::text[], $9::text[], $10::text[], $11::int8[], $12::int8[], $13::float8[],
               $14::float8[], $15::float8[], $16::float8[], $17::bytea[], $18::bytea[], $19::bytea[], $20::int8[])
             ON CONFLICT (dataset, variable, time) DO UPDATE SET z_name = excluded.z_name, z = excluded.z,
               fill_bits = excluded.fill_bits, units = excluded.units, long_name = excluded.long_name,
               standard_name = excluded.standard_name, attributes = excluded.attributes, n_lat = excluded.n_lat,
               n_lon = excluded.n_lon, lat_min = excluded.lat_min, lat_max = excluded.lat_max,
               lon_min = excluded.lon_min, lon_max = excluded.lon_max, latitudes = excluded.latitudes,
               longitudes = excluded.longitudes, cells = excluded.cells, digest = excluded.digest
             WHERE x.digest <> excluded.digest"],
        _ => &["INSERT INTO ingested_files AS x (source, kind, size_bytes, ingested_at)
             SELECT source, kind, size_bytes, to_timestamp(t)
             FROM UNNEST($1::text[], $2::text[], $3::int8[], $4::int8[]) AS u(source, kind, size_bytes, t)
             ON CONFLICT (source) DO UPDATE SET kind = excluded.kind, size_bytes = excluded.size_bytes,
               ingested_at = excluded.ingested_at
             WHERE (x.kind, x.size_bytes, x.ingested_at)
               IS DISTINCT FROM (excluded.kind, excluded.size_bytes, excluded.ingested_at)"],
    }
}

/// The highest `$n` a statement uses: it is bound the first n canonical columns (each statement names
/// every one of them, so that PostgreSQL can type each parameter).
fn max_param(sql: &str) -> usize {
    let b = sql.as_bytes();
    let mut max = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let mut j = i + 1;
            let mut n = 0usize;
            while j < b.len() && b[j].is_ascii_digit() {
                n = n * 10 + (b[j] - b'0') as usize;
                j += 1;
            }
            max = max.max(n);
            i = j;
        } else {
            i += 1;
        }
    }
    max
}

/// Copies a SQLite store into a PostgreSQL one (see the module doc). `restart` forgets the progress of
/// earlier runs and copies every row again (rows already equal are left untouched). `progress` is
/// called after every committed chunk with the table and the rows copied so far; returning false stops
/// the run there (as a crash would), with `interrupted` set and no verification.
pub async fn migrate(
    from: &str,
    to: &str,
    restart: bool,
    chunk_rows: usize,
    mut progress: impl FnMut(&str, u64) -> bool,
) -> Result<MigrationReport, StoreError> {
    let src_path = crate::sqlite_path(from)?;
    if !crate::is_postgres(to) {
        return Err(StoreError::UnsupportedUrl(format!("{to}: the target of a migration must be postgres://")));
    }
    if src_path != ":memory:" && !std::path::Path::new(src_path).is_file() {
        return Err(StoreError::UnsupportedUrl(format!("{from}: no such SQLite file")));
    }
    let src = SqliteStore::open(src_path).await?;
    let dst = PgStore::open(to).await?;
    let source_id = from.to_string();
    if restart {
        sqlx::query("DELETE FROM migration_progress WHERE source = $1").bind(&source_id).execute(dst.pool()).await?;
    }
    // A target holding data that did not come from this source would mix two stores: refuse it.
    let known: i64 = sqlx::query_scalar("SELECT count(*) FROM migration_progress WHERE source = $1")
        .bind(&source_id)
        .fetch_one(dst.pool())
        .await?;
    let any_rows: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM profile_keys) OR EXISTS (SELECT 1 FROM platforms)
           OR EXISTS (SELECT 1 FROM ingested_files)",
    )
    .fetch_one(dst.pool())
    .await?;
    if known == 0 && any_rows && !restart {
        return Err(StoreError::UnsupportedUrl(format!(
            "{to} already holds data that was not migrated from {from}; use an empty database (or --restart to \
             merge into it)"
        )));
    }
    let chunk_rows = chunk_rows.max(1);
    let mut report = MigrationReport {
        copied: Vec::new(),
        resumed: Vec::new(),
        interrupted: false,
        source: Vec::new(),
        target: Vec::new(),
    };
    for t in TABLES {
        let state: Option<(Option<String>, bool)> =
            sqlx::query_as("SELECT last_key, done FROM migration_progress WHERE source = $1 AND table_name = $2")
                .bind(&source_id)
                .bind(t.name)
                .fetch_optional(dst.pool())
                .await?;
        let mut copied = 0u64;
        if let Some((_, true)) = state {
            report.copied.push((t.name, 0));
            continue;
        }
        let mut cursor: Option<Vec<Val>> = match &state {
            Some((Some(k), false)) => {
                report.resumed.push(t.name);
                Some(key_from_json(k)?)
            }
            _ => None,
        };
        loop {
            let mut sql = String::from(t.sqlite_from);
            if let Some(c) = &cursor {
                let marks = vec!["?"; c.len()].join(", ");
                sql.push_str(&format!(" WHERE ({}) > ({marks})", t.sqlite_key));
            }
            sql.push_str(&format!(" ORDER BY {} LIMIT {chunk_rows}", t.sqlite_key));
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for v in cursor.iter().flatten() {
                q = match v {
                    Val::I(x) => q.bind(*x),
                    Val::F(x) => q.bind(*x),
                    Val::T(x) => q.bind(x.clone()),
                    Val::Null | Val::B(_) => q.bind(None::<i64>),
                };
            }
            let rows = q.fetch_all(src.reader()).await?;
            let rows: Vec<Vec<Val>> = rows.iter().map(|r| read_sqlite(r, t.kinds)).collect::<Result<_, _>>()?;
            let Some(last) = rows.last() else { break };
            let next_key = last[..t.key].to_vec();
            if t.name == "profiles" {
                dst.ensure_partitions(rows.iter().filter_map(|r| if let Val::I(x) = r[4] { Some(x) } else { None }))
                    .await?;
            }
            let mut tx = dst.pool().begin().await?;
            for stmt in pg_inserts(t.name) {
                let mut q = sqlx::query(AssertSqlSafe(*stmt));
                for (i, &k) in t.kinds.iter().enumerate().take(max_param(stmt)) {
                    q = bind_col(q, &rows, i, k);
                }
                q.execute(&mut *tx).await?;
            }
            sqlx::query(
                "INSERT INTO migration_progress (source, table_name, last_key, done) VALUES ($1, $2, $3, false)
                 ON CONFLICT (source, table_name) DO UPDATE SET last_key = excluded.last_key",
            )
            .bind(&source_id)
            .bind(t.name)
            .bind(key_json(&next_key))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            copied += rows.len() as u64;
            if !progress(t.name, copied) {
                report.copied.push((t.name, copied));
                report.interrupted = true;
                return Ok(report);
            }
            cursor = Some(next_key);
            if rows.len() < chunk_rows {
                break;
            }
        }
        sqlx::query(
            "INSERT INTO migration_progress (source, table_name, last_key, done) VALUES ($1, $2, NULL, true)
             ON CONFLICT (source, table_name) DO UPDATE SET done = true",
        )
        .bind(&source_id)
        .bind(t.name)
        .execute(dst.pool())
        .await?;
        report.copied.push((t.name, copied));
    }
    // Row ids were copied as they are: new profiles continue after the largest.
    sqlx::query(
        "SELECT setval(pg_get_serial_sequence('profile_keys', 'id'), greatest((SELECT max(id) FROM profile_keys), 1))",
    )
    .execute(dst.pool())
    .await?;
    crate::Store::checkpoint(&dst).await?;
    report.source = sqlite_checksums(&src).await?;
    report.target = pg_checksums(&dst).await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_survive_the_progress_table() {
        let k = vec![Val::T("a\"b".into()), Val::I(-3), Val::F(0.1), Val::Null];
        assert_eq!(key_from_json(&key_json(&k)).unwrap(), k);
        assert_eq!(max_param("SELECT $1, $25::bytea[], $3"), 25);
    }

    #[test]
    fn row_hashes_see_types_and_boundaries() {
        assert_ne!(
            row_hash(&[Val::T("ab".into()), Val::T("c".into())]),
            row_hash(&[Val::T("a".into()), Val::T("bc".into())])
        );
        assert_ne!(row_hash(&[Val::I(1)]), row_hash(&[Val::F(f64::from_bits(1))]));
        assert_ne!(row_hash(&[Val::Null]), row_hash(&[Val::T(String::new())]));
    }
}

//! Rows of the time-keyed tables (profiles, series, heat stress) as retention archives hold them: canonical
//! cells in a fixed column order, read and deleted by time range on either backend, and turned back into
//! domain records so that a restore goes through the ordinary idempotent UPSERT.
//!
//! The canonical form is the one `transfer.rs` checksums (times as Unix seconds, dates as `YYYY-MM-DD`),
//! without the profile row id: an archive's checksum is the wrapping sum of [`row_hash`] over its rows,
//! whichever backend wrote it. A profile's levels travel as the stored BLOB (`codec.rs`), byte for byte.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use model::{DataMode, Direction, HeatStressDay, Point, Profile, QcFlag, SeriesPoint, SourceFormat};
use sqlx::AssertSqlSafe;

use crate::transfer::{Kind, read_pg, read_sqlite};
pub use crate::transfer::{Val as Cell, row_hash};
use crate::{FileBatch, PgStore, SqliteStore, StoreError};

/// A table that retention archives by month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ArchiveTable {
    Profiles,
    Series,
    HeatStress,
}

/// The type of an archive column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Int,
    Real,
    Text,
    Bytes,
}

use ColumnKind::{Bytes as B, Int as I, Real as F, Text as T};

const PROFILE_COLUMNS: &[(&str, ColumnKind)] = &[
    ("platform", T),
    ("cycle", I),
    ("direction", T),
    ("time", I),
    ("time_qc", I),
    ("lon", F),
    ("lat", F),
    ("position_qc", I),
    ("data_mode", T),
    ("data_centre", T),
    ("project_name", T),
    ("pi_name", T),
    ("platform_type", T),
    ("wmo_inst_type", T),
    ("positioning_system", T),
    ("vertical_sampling_scheme", T),
    ("config_mission_number", I),
    ("source_format", T),
    ("source_file", T),
    ("n_levels", I),
    ("params", T),
    ("source_rank", I),
    ("digest", I),
    ("levels", B),
];
const SERIES_COLUMNS: &[(&str, ColumnKind)] =
    &[("platform", T), ("variable", T), ("time", I), ("depth", F), ("value", F), ("qc", I)];
const HEAT_COLUMNS: &[(&str, ColumnKind)] = &[
    ("site", T),
    ("date", T),
    ("sst_min", F),
    ("sst_max", F),
    ("sst_90th_hs", F),
    ("ssta_90th_hs", F),
    ("hotspot", F),
    ("dhw", F),
    ("baa_7day_max", I),
];

impl ArchiveTable {
    pub const ALL: [ArchiveTable; 3] = [ArchiveTable::Profiles, ArchiveTable::Series, ArchiveTable::HeatStress];

    /// The table's name in the store, the manifest and file names.
    pub fn name(self) -> &'static str {
        match self {
            ArchiveTable::Profiles => "profiles",
            ArchiveTable::Series => "series",
            ArchiveTable::HeatStress => "heat_stress",
        }
    }

    pub fn parse(s: &str) -> Option<ArchiveTable> {
        ArchiveTable::ALL.into_iter().find(|t| t.name() == s)
    }

    /// Column names and kinds, in the order of the cells of a row.
    pub fn columns(self) -> &'static [(&'static str, ColumnKind)] {
        match self {
            ArchiveTable::Profiles => PROFILE_COLUMNS,
            ArchiveTable::Series => SERIES_COLUMNS,
            ArchiveTable::HeatStress => HEAT_COLUMNS,
        }
    }

    /// How many leading columns form the natural key.
    pub fn key_columns(self) -> usize {
        match self {
            ArchiveTable::Profiles => 3,
            ArchiveTable::Series => 4,
            ArchiveTable::HeatStress => 2,
        }
    }

    fn kinds(self) -> Vec<Kind> {
        self.columns()
            .iter()
            .map(|(_, k)| match k {
                I => Kind::I,
                F => Kind::F,
                T => Kind::T,
                B => Kind::B,
            })
            .collect()
    }
}

/// Rows of one table in one calendar month (UTC), `month` as `YYYY-MM`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthRows {
    pub table: ArchiveTable,
    pub month: String,
    pub rows: u64,
}

fn date_of(t: DateTime<Utc>) -> String {
    crate::sqlite::clamp_date(t.date_naive())
}

/// `SELECT` of the canonical columns (SQLite), to be followed by a time condition.
fn sqlite_select(t: ArchiveTable) -> &'static str {
    match t {
        ArchiveTable::Profiles => {
            "SELECT p.platform, p.cycle, p.direction, p.time, p.time_qc, p.lon, p.lat, p.position_qc,
              p.data_mode, p.data_centre, p.project_name, p.pi_name, p.platform_type, p.wmo_inst_type,
              p.positioning_system, p.vertical_sampling_scheme, p.config_mission_number, p.source_format,
              p.source_file, p.n_levels, p.params, p.source_rank, p.digest, l.levels
            FROM profiles p JOIN profile_levels l ON l.id = p.id WHERE p.time >= ? AND p.time < ?
            ORDER BY p.platform, p.cycle, p.direction"
        }
        ArchiveTable::Series => {
            "SELECT platform, variable, time, depth, value, qc FROM series WHERE time >= ? AND time < ?
             ORDER BY platform, variable, time, depth"
        }
        ArchiveTable::HeatStress => {
            "SELECT site, date, sst_min, sst_max, sst_90th_hs, ssta_90th_hs, hotspot, dhw, baa_7day_max
             FROM heat_stress WHERE date >= ? AND date < ? ORDER BY site, date"
        }
    }
}

fn pg_select(t: ArchiveTable) -> &'static str {
    match t {
        ArchiveTable::Profiles => {
            "SELECT k.platform, k.cycle::int8, k.direction, extract(epoch FROM p.time)::int8,
              p.time_qc::int8, p.lon, p.lat, p.position_qc::int8, p.data_mode, p.data_centre, p.project_name,
              p.pi_name, p.platform_type, p.wmo_inst_type, p.positioning_system, p.vertical_sampling_scheme,
              p.config_mission_number::int8, p.source_format, p.source_file, p.n_levels::int8, p.params,
              k.source_rank::int8, k.digest, l.levels
            FROM profile_keys k JOIN profiles p ON p.id = k.id JOIN profile_docs l ON l.id = k.id
            WHERE p.time >= to_timestamp($1) AND p.time < to_timestamp($2)
            ORDER BY k.platform, k.cycle, k.direction"
        }
        ArchiveTable::Series => {
            "SELECT platform, variable, extract(epoch FROM time)::int8, depth, value, qc::int8 FROM series
             WHERE time >= to_timestamp($1) AND time < to_timestamp($2) ORDER BY platform, variable, time, depth"
        }
        ArchiveTable::HeatStress => {
            "SELECT site, to_char(date, 'YYYY-MM-DD'), sst_min, sst_max, sst_90th_hs, ssta_90th_hs, hotspot, dhw,
              baa_7day_max::int8 FROM heat_stress WHERE date >= $1::date AND date < $2::date ORDER BY site, date"
        }
    }
}

pub(crate) async fn sqlite_rows(
    s: &SqliteStore,
    t: ArchiveTable,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Vec<Cell>>, StoreError> {
    let q = sqlx::query(AssertSqlSafe(sqlite_select(t)));
    let q = match t {
        ArchiveTable::HeatStress => q.bind(date_of(from)).bind(date_of(to)),
        _ => q.bind(from.timestamp()).bind(to.timestamp()),
    };
    let kinds = t.kinds();
    q.fetch_all(s.reader()).await?.iter().map(|r| read_sqlite(r, &kinds)).collect()
}

pub(crate) async fn pg_rows(
    s: &PgStore,
    t: ArchiveTable,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Vec<Cell>>, StoreError> {
    let q = sqlx::query(AssertSqlSafe(pg_select(t)));
    let q = match t {
        ArchiveTable::HeatStress => q.bind(date_of(from)).bind(date_of(to)),
        _ => q.bind(from.timestamp()).bind(to.timestamp()),
    };
    let kinds = t.kinds();
    q.fetch_all(s.pool()).await?.iter().map(|r| read_pg(r, &kinds)).collect()
}

pub(crate) async fn sqlite_months(s: &SqliteStore, t: ArchiveTable) -> Result<Vec<MonthRows>, StoreError> {
    let sql = match t {
        ArchiveTable::Profiles => {
            "SELECT strftime('%Y-%m', time, 'unixepoch') m, count(*) FROM profiles WHERE time IS NOT NULL
             GROUP BY m ORDER BY m"
        }
        ArchiveTable::Series => {
            "SELECT strftime('%Y-%m', time, 'unixepoch') m, count(*) FROM series GROUP BY m ORDER BY m"
        }
        ArchiveTable::HeatStress => "SELECT substr(date, 1, 7) m, count(*) FROM heat_stress GROUP BY m ORDER BY m",
    };
    let rows: Vec<(Option<String>, i64)> = sqlx::query_as(sql).fetch_all(s.reader()).await?;
    Ok(rows.into_iter().filter_map(|(m, n)| Some(MonthRows { table: t, month: m?, rows: n as u64 })).collect())
}

pub(crate) async fn pg_months(s: &PgStore, t: ArchiveTable) -> Result<Vec<MonthRows>, StoreError> {
    let sql = match t {
        ArchiveTable::Profiles => {
            "SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM') m, count(*) FROM profiles WHERE time IS NOT NULL
             GROUP BY m ORDER BY m"
        }
        ArchiveTable::Series => {
            "SELECT to_char(time AT TIME ZONE 'UTC', 'YYYY-MM') m, count(*) FROM series GROUP BY m ORDER BY m"
        }
        ArchiveTable::HeatStress => {
            "SELECT to_char(date, 'YYYY-MM') m, count(*) FROM heat_stress GROUP BY m ORDER BY m"
        }
    };
    let rows: Vec<(Option<String>, i64)> = sqlx::query_as(sql).fetch_all(s.pool()).await?;
    Ok(rows.into_iter().filter_map(|(m, n)| Some(MonthRows { table: t, month: m?, rows: n as u64 })).collect())
}

/// Deletes the rows of `[from, to)` in one transaction (profiles with their levels and index rows).
pub(crate) async fn sqlite_delete(
    s: &SqliteStore,
    t: ArchiveTable,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let mut tx = s.writer.begin().await?;
    let n = match t {
        ArchiveTable::Profiles => {
            let (a, b) = (from.timestamp(), to.timestamp());
            for table in ["profile_levels", "profiles_rtree", "profile_space"] {
                let sql =
                    format!("DELETE FROM {table} WHERE id IN (SELECT id FROM profiles WHERE time >= ? AND time < ?)");
                sqlx::query(AssertSqlSafe(sql)).bind(a).bind(b).execute(&mut *tx).await?;
            }
            sqlx::query("DELETE FROM profiles WHERE time >= ? AND time < ?").bind(a).bind(b).execute(&mut *tx).await?
        }
        ArchiveTable::Series => {
            sqlx::query("DELETE FROM series WHERE time >= ? AND time < ?")
                .bind(from.timestamp())
                .bind(to.timestamp())
                .execute(&mut *tx)
                .await?
        }
        ArchiveTable::HeatStress => {
            sqlx::query("DELETE FROM heat_stress WHERE date >= ? AND date < ?")
                .bind(date_of(from))
                .bind(date_of(to))
                .execute(&mut *tx)
                .await?
        }
    }
    .rows_affected();
    tx.commit().await?;
    Ok(n)
}

pub(crate) async fn pg_delete(
    s: &PgStore,
    t: ArchiveTable,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let mut tx = s.pool().begin().await?;
    let n = match t {
        ArchiveTable::Profiles => {
            let ids: Vec<i64> = sqlx::query_scalar(
                "SELECT id FROM profiles WHERE time >= to_timestamp($1) AND time < to_timestamp($2)",
            )
            .bind(from.timestamp())
            .bind(to.timestamp())
            .fetch_all(&mut *tx)
            .await?;
            for table in ["profile_docs", "profiles", "profile_keys"] {
                let sql = format!("DELETE FROM {table} WHERE id = ANY($1::int8[])");
                sqlx::query(AssertSqlSafe(sql)).bind(&ids).execute(&mut *tx).await?;
            }
            ids.len() as u64
        }
        ArchiveTable::Series => {
            sqlx::query("DELETE FROM series WHERE time >= to_timestamp($1) AND time < to_timestamp($2)")
                .bind(from.timestamp())
                .bind(to.timestamp())
                .execute(&mut *tx)
                .await?
                .rows_affected()
        }
        ArchiveTable::HeatStress => sqlx::query("DELETE FROM heat_stress WHERE date >= $1::date AND date < $2::date")
            .bind(date_of(from))
            .bind(date_of(to))
            .execute(&mut *tx)
            .await?
            .rows_affected(),
    };
    tx.commit().await?;
    Ok(n)
}

fn bad(t: ArchiveTable, what: &str) -> StoreError {
    StoreError::Corrupt(format!("archived {} row: {what}", t.name()))
}

fn text(t: ArchiveTable, c: &Cell, col: &str) -> Result<String, StoreError> {
    match c {
        Cell::T(s) => Ok(s.clone()),
        _ => Err(bad(t, &format!("{col} is not text"))),
    }
}

fn int(t: ArchiveTable, c: &Cell, col: &str) -> Result<Option<i64>, StoreError> {
    match c {
        Cell::I(x) => Ok(Some(*x)),
        Cell::Null => Ok(None),
        _ => Err(bad(t, &format!("{col} is not an integer"))),
    }
}

fn real(t: ArchiveTable, c: &Cell, col: &str) -> Result<Option<f64>, StoreError> {
    match c {
        Cell::F(x) => Ok(Some(*x)),
        Cell::Null => Ok(None),
        _ => Err(bad(t, &format!("{col} is not a number"))),
    }
}

fn time(t: ArchiveTable, secs: Option<i64>, col: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    secs.map(|s| Utc.timestamp_opt(s, 0).single().ok_or_else(|| bad(t, &format!("{col} {s} is out of range"))))
        .transpose()
}

fn one_char(t: ArchiveTable, s: &str, col: &str) -> Result<u8, StoreError> {
    s.bytes().next().ok_or_else(|| bad(t, &format!("{col} is empty")))
}

/// The domain records of archived rows, as one batch (`source`, kind `archive`): writing it with
/// [`crate::Store::write_file`] restores the rows through the UPSERT (unchanged rows count zero).
pub fn rows_to_batch(t: ArchiveTable, rows: &[Vec<Cell>], source: &str) -> Result<FileBatch, StoreError> {
    let mut batch = FileBatch { source: source.to_string(), kind: "archive".into(), ..Default::default() };
    let width = t.columns().len();
    for r in rows {
        if r.len() != width {
            return Err(bad(t, &format!("{} cells, expected {width}", r.len())));
        }
        match t {
            ArchiveTable::Profiles => {
                let dir = text(t, &r[2], "direction")?;
                let direction = Direction::from_char(one_char(t, &dir, "direction")?)
                    .ok_or_else(|| bad(t, &format!("direction {dir:?}")))?;
                let cycle = int(t, &r[1], "cycle")?.ok_or_else(|| bad(t, "cycle is missing"))?;
                let mut p = Profile::empty(text(t, &r[0], "platform")?, cycle as i32, direction);
                p.time = time(t, int(t, &r[3], "time")?, "time")?;
                p.time_qc = QcFlag::from_byte(int(t, &r[4], "time_qc")?.unwrap_or(0) as u8);
                p.position = match (real(t, &r[5], "lon")?, real(t, &r[6], "lat")?) {
                    (Some(lon), Some(lat)) => Some(Point::new(lon, lat).map_err(|e| bad(t, &e.to_string()))?),
                    _ => None,
                };
                p.position_qc = QcFlag::from_byte(int(t, &r[7], "position_qc")?.unwrap_or(0) as u8);
                let mode = text(t, &r[8], "data_mode")?;
                p.data_mode = DataMode::from_char(one_char(t, &mode, "data_mode")?)
                    .ok_or_else(|| bad(t, &format!("data_mode {mode:?}")))?;
                p.data_centre = text(t, &r[9], "data_centre")?;
                p.project_name = text(t, &r[10], "project_name")?;
                p.pi_name = text(t, &r[11], "pi_name")?;
                p.platform_type = text(t, &r[12], "platform_type")?;
                p.wmo_inst_type = text(t, &r[13], "wmo_inst_type")?;
                p.positioning_system = text(t, &r[14], "positioning_system")?;
                p.vertical_sampling_scheme = text(t, &r[15], "vertical_sampling_scheme")?;
                p.config_mission_number = int(t, &r[16], "config_mission_number")?.map(|x| x as i32);
                let fmt = text(t, &r[17], "source_format")?;
                p.source_format = SourceFormat::parse(&fmt).ok_or_else(|| bad(t, &format!("source_format {fmt:?}")))?;
                p.source_file = text(t, &r[18], "source_file")?;
                let Cell::B(blob) = &r[23] else { return Err(bad(t, "levels is not a blob")) };
                p.params = crate::codec::decode_levels(blob).map_err(|e| bad(t, &e))?;
                batch.profiles.push(p);
            }
            ArchiveTable::Series => {
                let secs = int(t, &r[2], "time")?.ok_or_else(|| bad(t, "time is missing"))?;
                batch.series.push(SeriesPoint {
                    platform: text(t, &r[0], "platform")?,
                    variable: text(t, &r[1], "variable")?,
                    time: time(t, Some(secs), "time")?.ok_or_else(|| bad(t, "time is missing"))?,
                    depth: real(t, &r[3], "depth")?.ok_or_else(|| bad(t, "depth is missing"))?,
                    value: real(t, &r[4], "value")?.unwrap_or(f64::NAN),
                    qc: QcFlag::from_byte(int(t, &r[5], "qc")?.unwrap_or(0) as u8),
                });
            }
            ArchiveTable::HeatStress => {
                let d = text(t, &r[1], "date")?;
                batch.heat_stress.push(HeatStressDay {
                    site: text(t, &r[0], "site")?,
                    date: NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| bad(t, &format!("date {d:?}")))?,
                    sst_min: real(t, &r[2], "sst_min")?,
                    sst_max: real(t, &r[3], "sst_max")?,
                    sst_90th_hs: real(t, &r[4], "sst_90th_hs")?,
                    ssta_90th_hs: real(t, &r[5], "ssta_90th_hs")?,
                    hotspot: real(t, &r[6], "hotspot")?,
                    dhw: real(t, &r[7], "dhw")?,
                    baa_7day_max: int(t, &r[8], "baa_7day_max")?.map(|x| x as u8),
                });
            }
        }
    }
    Ok(batch)
}

/// Whether a row read back has the table's shape (cell kinds match the columns, NULL allowed).
pub fn row_fits(t: ArchiveTable, row: &[Cell]) -> bool {
    row.len() == t.columns().len()
        && row.iter().zip(t.columns()).all(|(c, (_, k))| {
            matches!((c, k), (Cell::Null, _) | (Cell::I(_), I) | (Cell::F(_), F) | (Cell::T(_), T) | (Cell::B(_), B))
        })
}

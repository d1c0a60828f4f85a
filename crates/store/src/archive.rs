//! Rows of the time-keyed tables (profiles, series, heat stress) as retention archives hold them: canonical
//! cells in a fixed column order, read and deleted by time range on either backend ([`ArchiveStore`], in
//! each backend's `archive.rs`), and turned back into domain records so that a restore goes through the
//! ordinary idempotent UPSERT.
//!
//! The cells are the canonical rows of `canonical.rs` without the profile row id: an archive's checksum is
//! the wrapping sum of [`row_hash`] over its rows, whichever backend wrote it. A profile's levels travel as
//! the stored BLOB (`codec.rs`), byte for byte.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use model::{DataMode, Direction, HeatStressDay, Point, Profile, QcFlag, SeriesPoint, SourceFormat};

use crate::batch::FileBatch;
use crate::canonical::Table;
pub use crate::canonical::{Cell, ColumnKind, row_hash};
use crate::codec::decode_levels;
use crate::error::StoreError;
use crate::rows::date_of;

use ColumnKind::{Bytes as B, Int as I, Real as F, Text as T};

/// A table that retention archives by month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ArchiveTable {
    Profiles,
    Series,
    HeatStress,
}

impl ArchiveTable {
    pub const ALL: [ArchiveTable; 3] = [ArchiveTable::Profiles, ArchiveTable::Series, ArchiveTable::HeatStress];

    /// The table's name in the store, the manifest and file names.
    pub fn name(self) -> &'static str {
        self.canonical().name()
    }

    pub fn parse(s: &str) -> Option<ArchiveTable> {
        ArchiveTable::ALL.into_iter().find(|t| t.name() == s)
    }

    /// Column names and kinds, in the order of the cells of a row (the canonical columns without the
    /// profile row id).
    pub fn columns(self) -> &'static [(&'static str, ColumnKind)] {
        let t = self.canonical();
        &t.columns()[t.unhashed()..]
    }

    /// How many leading columns form the natural key.
    pub fn key_columns(self) -> usize {
        match self {
            ArchiveTable::Profiles => 3,
            ArchiveTable::Series => 4,
            ArchiveTable::HeatStress => 2,
        }
    }

    pub(crate) fn canonical(self) -> Table {
        match self {
            ArchiveTable::Profiles => Table::Profiles,
            ArchiveTable::Series => Table::Series,
            ArchiveTable::HeatStress => Table::HeatStress,
        }
    }
}

/// Rows of one table in one calendar month (UTC), `month` as `YYYY-MM`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthRows {
    pub table: ArchiveTable,
    pub month: String,
    pub rows: u64,
}

/// Binds the bounds of `[from, to)` as the table's time column holds them (`$1`, `$2`): Unix seconds, or
/// dates (`YYYY-MM-DD`) for heat stress.
pub(crate) fn bind_range<'q, DB: sqlx::Database>(
    q: sqlx::query::Query<'q, DB, DB::Arguments>,
    t: ArchiveTable,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::query::Query<'q, DB, DB::Arguments>
where
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    match t {
        ArchiveTable::HeatStress => q.bind(date_of(from)).bind(date_of(to)),
        _ => q.bind(from.timestamp()).bind(to.timestamp()),
    }
}

/// Month counts from `(month, rows)` pairs (an unknown month is left out).
pub(crate) fn month_rows(t: ArchiveTable, rows: Vec<(Option<String>, i64)>) -> Vec<MonthRows> {
    rows.into_iter().filter_map(|(m, n)| Some(MonthRows { table: t, month: m?, rows: n as u64 })).collect()
}

/// Retention's side of the store: rows by calendar month, read and deleted by time range.
#[async_trait]
pub trait ArchiveStore: Send + Sync {
    /// Rows per calendar month (UTC) of a time-keyed table, oldest first (undated profiles are left out).
    async fn month_counts(&self, table: ArchiveTable) -> Result<Vec<MonthRows>, StoreError>;
    /// The canonical rows of `[from, to)` (heat stress by date), in key order.
    async fn archive_rows(
        &self,
        table: ArchiveTable,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Vec<Cell>>, StoreError>;
    /// Deletes the rows of `[from, to)` in one transaction; returns how many. Retention calls it only for
    /// rows a verified archive holds.
    async fn delete_rows(&self, table: ArchiveTable, from: DateTime<Utc>, to: DateTime<Utc>)
    -> Result<u64, StoreError>;
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
/// `Store::write_file` restores the rows through the UPSERT (unchanged rows count zero).
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
                p.params = decode_levels(blob).map_err(|e| bad(t, &e))?;
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

//! The backend-independent form of stored rows: every table read as cells in one fixed column order
//! (times as Unix seconds, dates as `YYYY-MM-DD`, NaN as NULL), so that two stores of either backend can be
//! compared by checksum (`halocline checksum`), copied (`transfer`), and archived by retention (`archive`).
//!
//! The checksum of a table is its row count and the wrapping sum of [`row_hash`] over its rows (the
//! profile row id left out), so it depends neither on row order nor on the backend.

use async_trait::async_trait;
use futures_util::{Stream, TryStreamExt};

use crate::error::StoreError;

/// One value of a canonical row (also the cells of retention archives).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    I(i64),
    F(f64),
    T(String),
    B(Vec<u8>),
}

/// The type of a canonical column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Int,
    Real,
    Text,
    Bytes,
}

use ColumnKind::{Bytes as B, Int as I, Real as F, Text as T};

/// The tables a checksum covers and a migration copies (operational tables, such as accounts, alerts
/// and the run log, are neither).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    Platforms,
    Profiles,
    Series,
    ReefSites,
    HeatStress,
    ProfileIndex,
    IngestedFiles,
    Grids,
}

const PLATFORMS: &[(&str, ColumnKind)] =
    &[("id", T), ("kind", T), ("name", T), ("lon", F), ("lat", F), ("attributes", T)];
/// The profile row id first (copied, not hashed), then what retention archives.
const PROFILES: &[(&str, ColumnKind)] = &[
    ("id", I),
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
const SERIES: &[(&str, ColumnKind)] =
    &[("platform", T), ("variable", T), ("time", I), ("depth", F), ("value", F), ("qc", I)];
const REEF_SITES: &[(&str, ColumnKind)] = &[
    ("id", T),
    ("name", T),
    ("lon", F),
    ("lat", F),
    ("mmm", F),
    ("monthly_means", T),
    ("first_valid_dhw", T),
    ("first_valid_baa", T),
    ("polygon", T),
    ("digest", I),
];
const HEAT_STRESS: &[(&str, ColumnKind)] = &[
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
const PROFILE_INDEX: &[(&str, ColumnKind)] = &[
    ("file", T),
    ("time", I),
    ("lat", F),
    ("lon", F),
    ("ocean", T),
    ("profiler_type", I),
    ("institution", T),
    ("date_update", I),
];
const INGESTED_FILES: &[(&str, ColumnKind)] = &[("source", T), ("kind", T), ("size_bytes", I), ("ingested_at", I)];
const GRIDS: &[(&str, ColumnKind)] = &[
    ("dataset", T),
    ("variable", T),
    ("time", I),
    ("z_name", T),
    ("z", F),
    ("fill_bits", I),
    ("units", T),
    ("long_name", T),
    ("standard_name", T),
    ("attributes", T),
    ("n_lat", I),
    ("n_lon", I),
    ("lat_min", F),
    ("lat_max", F),
    ("lon_min", F),
    ("lon_max", F),
    ("latitudes", B),
    ("longitudes", B),
    ("cells", B),
    ("digest", I),
];

impl Table {
    /// In the order checksums are listed and a migration copies them.
    pub(crate) const ALL: [Table; 8] = [
        Table::Platforms,
        Table::Profiles,
        Table::Series,
        Table::ReefSites,
        Table::HeatStress,
        Table::ProfileIndex,
        Table::IngestedFiles,
        Table::Grids,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Table::Platforms => "platforms",
            Table::Profiles => "profiles",
            Table::Series => "series",
            Table::ReefSites => "reef_sites",
            Table::HeatStress => "heat_stress",
            Table::ProfileIndex => "profile_index",
            Table::IngestedFiles => "ingested_files",
            Table::Grids => "grids",
        }
    }

    /// Canonical column names and kinds, in the order of a row's cells.
    pub(crate) fn columns(self) -> &'static [(&'static str, ColumnKind)] {
        match self {
            Table::Platforms => PLATFORMS,
            Table::Profiles => PROFILES,
            Table::Series => SERIES,
            Table::ReefSites => REEF_SITES,
            Table::HeatStress => HEAT_STRESS,
            Table::ProfileIndex => PROFILE_INDEX,
            Table::IngestedFiles => INGESTED_FILES,
            Table::Grids => GRIDS,
        }
    }

    /// How many leading columns form the key a migration pages by (the profile row id for profiles).
    pub(crate) fn key(self) -> usize {
        match self {
            Table::Series => 4,
            Table::Grids => 3,
            Table::HeatStress => 2,
            _ => 1,
        }
    }

    /// Leading columns that are copied but not hashed (the profile row id).
    pub(crate) fn unhashed(self) -> usize {
        usize::from(self == Table::Profiles)
    }
}

/// Row count and checksum of one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableSum {
    pub table: &'static str,
    pub rows: u64,
    pub checksum: u64,
}

/// The 64-bit FNV-1a hash of a canonical row (a table's checksum is the wrapping sum over its rows).
pub fn row_hash(vals: &[Cell]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for v in vals {
        match v {
            Cell::Null => eat(b"N"),
            Cell::I(x) => {
                eat(b"I");
                eat(&x.to_le_bytes());
            }
            Cell::F(x) => {
                eat(b"F");
                eat(&x.to_bits().to_le_bytes());
            }
            Cell::T(s) => {
                eat(b"T");
                eat(&(s.len() as u64).to_le_bytes());
                eat(s.as_bytes());
            }
            Cell::B(b) => {
                eat(b"B");
                eat(&(b.len() as u64).to_le_bytes());
                eat(b);
            }
        }
    }
    h
}

/// A row of a backend's canonical `SELECT` (columns in canonical order) as cells. A NaN reads as NULL, as
/// SQLite stores it.
pub(crate) fn read_row<R>(row: &R, columns: &[(&str, ColumnKind)]) -> Result<Vec<Cell>, StoreError>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    f64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Vec<u8>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let mut out = Vec::with_capacity(columns.len());
    for (i, (_, k)) in columns.iter().enumerate() {
        out.push(match k {
            I => row.try_get::<Option<i64>, _>(i)?.map_or(Cell::Null, Cell::I),
            F => row.try_get::<Option<f64>, _>(i)?.filter(|x| !x.is_nan()).map_or(Cell::Null, Cell::F),
            T => row.try_get::<Option<String>, _>(i)?.map_or(Cell::Null, Cell::T),
            B => row.try_get::<Option<Vec<u8>>, _>(i)?.map_or(Cell::Null, Cell::B),
        });
    }
    Ok(out)
}

/// Rows of a backend's canonical `SELECT` as cells.
pub(crate) fn read_rows<R>(rows: &[R], columns: &[(&str, ColumnKind)]) -> Result<Vec<Vec<Cell>>, StoreError>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    f64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Vec<u8>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    rows.iter().map(|r| read_row(r, columns)).collect()
}

/// Checksums of every table, from a stream of each table's canonical rows.
pub(crate) async fn sums<S>(mut rows: impl FnMut(Table) -> S) -> Result<Vec<TableSum>, StoreError>
where
    S: Stream<Item = Result<Vec<Cell>, StoreError>>,
{
    let mut out = Vec::with_capacity(Table::ALL.len());
    for t in Table::ALL {
        let mut sum = TableSum { table: t.name(), rows: 0, checksum: 0 };
        let mut stream = std::pin::pin!(rows(t));
        while let Some(row) = stream.try_next().await? {
            sum.checksum = sum.checksum.wrapping_add(row_hash(&row[t.unhashed()..]));
            sum.rows += 1;
        }
        out.push(sum);
    }
    Ok(out)
}

/// Where a migration reads (`transfer::migrate`): canonical rows a chunk at a time, in key order.
#[async_trait]
pub(crate) trait MigrationSource: Send + Sync {
    /// At most `limit` rows of a table whose key (its first `Table::key` cells) is greater than `after`,
    /// in key order; from the first row when `after` is `None`.
    async fn chunk(&self, t: Table, after: Option<&[Cell]>, limit: usize) -> Result<Vec<Vec<Cell>>, StoreError>;
    async fn checksums(&self) -> Result<Vec<TableSum>, StoreError>;
}

/// Where a migration writes: canonical rows as stored (UPSERTs on the same keys), each chunk in one
/// transaction together with the key it ended on, so that an interrupted migration resumes.
#[async_trait]
pub(crate) trait MigrationTarget: Send + Sync {
    /// Forgets the progress of earlier migrations from `source`.
    async fn forget_progress(&self, source: &str) -> Result<(), StoreError>;
    /// Whether an earlier migration from `source` recorded any progress.
    async fn has_progress(&self, source: &str) -> Result<bool, StoreError>;
    /// Whether the target holds any data (platforms, profiles or ingested files).
    async fn has_data(&self) -> Result<bool, StoreError>;
    /// A table's recorded progress: the last key copied (as stored by `write_chunk`) and whether it is done.
    async fn progress(&self, source: &str, t: Table) -> Result<Option<(Option<String>, bool)>, StoreError>;
    /// Writes rows and records `last_key` in one transaction.
    async fn write_chunk(&self, source: &str, t: Table, rows: &[Vec<Cell>], last_key: &str) -> Result<(), StoreError>;
    /// Records that a table is copied completely.
    async fn table_done(&self, source: &str, t: Table) -> Result<(), StoreError>;
    /// After the last table: row ids continue after the largest copied, planner statistics are fresh.
    async fn finish(&self) -> Result<(), StoreError>;
    async fn checksums(&self) -> Result<Vec<TableSum>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_hashes_see_types_and_boundaries() {
        assert_ne!(
            row_hash(&[Cell::T("ab".into()), Cell::T("c".into())]),
            row_hash(&[Cell::T("a".into()), Cell::T("bc".into())])
        );
        assert_ne!(row_hash(&[Cell::I(1)]), row_hash(&[Cell::F(f64::from_bits(1))]));
        assert_ne!(row_hash(&[Cell::Null]), row_hash(&[Cell::T(String::new())]));
    }
}

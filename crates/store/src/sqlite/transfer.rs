//! The canonical rows of a SQLite store (see `canonical.rs`): what `halocline checksum` sums and what
//! `halocline migrate` reads, a chunk at a time in key order, when it copies this store into PostgreSQL.

use async_trait::async_trait;
use futures_util::StreamExt;
use sqlx::AssertSqlSafe;
use sqlx::sqlite::SqlitePool;

use crate::canonical::{Cell, MigrationSource, Table, TableSum, read_row};
use crate::error::StoreError;

/// A table's canonical `SELECT … FROM`, and its key columns (named as in the `SELECT`), for paging.
fn select(t: Table) -> (&'static str, &'static str) {
    match t {
        Table::Platforms => ("SELECT id, kind, name, lon, lat, attributes FROM platforms", "id"),
        Table::Profiles => (
            "SELECT p.id, p.platform, p.cycle, p.direction, p.time, p.time_qc, p.lon, p.lat, p.position_qc,
              p.data_mode, p.data_centre, p.project_name, p.pi_name, p.platform_type, p.wmo_inst_type,
              p.positioning_system, p.vertical_sampling_scheme, p.config_mission_number, p.source_format,
              p.source_file, p.n_levels, p.params, p.source_rank, p.digest, l.levels
            FROM profiles p JOIN profile_levels l ON l.id = p.id",
            "p.id",
        ),
        Table::Series => {
            ("SELECT platform, variable, time, depth, value, qc FROM series", "platform, variable, time, depth")
        }
        Table::ReefSites => (
            "SELECT id, name, lon, lat, mmm, monthly_means, first_valid_dhw, first_valid_baa, polygon, digest
            FROM reef_sites",
            "id",
        ),
        Table::HeatStress => (
            "SELECT site, date, sst_min, sst_max, sst_90th_hs, ssta_90th_hs, hotspot, dhw, baa_7day_max
            FROM heat_stress",
            "site, date",
        ),
        Table::ProfileIndex => {
            ("SELECT file, time, lat, lon, ocean, profiler_type, institution, date_update FROM profile_index", "file")
        }
        Table::IngestedFiles => ("SELECT source, kind, size_bytes, ingested_at FROM ingested_files", "source"),
        Table::Grids => (
            "SELECT dataset, variable, time, z_name, z, fill_bits, units, long_name, standard_name, attributes,
              n_lat, n_lon, lat_min, lat_max, lon_min, lon_max, latitudes, longitudes, cells, digest FROM grids",
            "dataset, variable, time",
        ),
    }
}

/// Checksums of every table, each read as one stream.
pub(super) async fn checksums(pool: &SqlitePool) -> Result<Vec<TableSum>, StoreError> {
    crate::canonical::sums(|t| {
        sqlx::query(AssertSqlSafe(select(t).0)).fetch(pool).map(move |r| read_row(&r?, t.columns()))
    })
    .await
}

/// A SQLite store as the source of a migration (its pool of readers).
pub(crate) struct Source(pub(super) SqlitePool);

#[async_trait]
impl MigrationSource for Source {
    async fn chunk(&self, t: Table, after: Option<&[Cell]>, limit: usize) -> Result<Vec<Vec<Cell>>, StoreError> {
        let (from, key) = select(t);
        let mut sql = String::from(from);
        if let Some(c) = after {
            let marks = vec!["?"; c.len()].join(", ");
            sql.push_str(&format!(" WHERE ({key}) > ({marks})"));
        }
        sql.push_str(&format!(" ORDER BY {key} LIMIT {limit}"));
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for v in after.into_iter().flatten() {
            q = match v {
                Cell::I(x) => q.bind(*x),
                Cell::F(x) => q.bind(*x),
                Cell::T(x) => q.bind(x.clone()),
                Cell::Null | Cell::B(_) => q.bind(None::<i64>),
            };
        }
        q.fetch_all(&self.0).await?.iter().map(|r| read_row(r, t.columns())).collect()
    }

    async fn checksums(&self) -> Result<Vec<TableSum>, StoreError> {
        checksums(&self.0).await
    }
}

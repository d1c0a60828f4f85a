//! PostgreSQL's side of `halocline migrate` and `halocline checksum`: the canonical rows of a PostgreSQL
//! store (see `canonical.rs`), and the migration target, which writes canonical chunks as stored (digests,
//! source ranks, ingest times and profile row ids included) with UPSERTs on the same keys, each chunk in
//! one transaction with the key it ended on (`migration_progress`).

use async_trait::async_trait;
use futures_util::StreamExt;
use sqlx::AssertSqlSafe;
use sqlx::postgres::PgPool;

use super::schema::{ANALYZE, Partitions};
use crate::canonical::{Cell, ColumnKind, MigrationTarget, Table, TableSum, read_row};
use crate::error::StoreError;

/// A table's canonical `SELECT` of every row.
fn select(t: Table) -> &'static str {
    match t {
        Table::Platforms => "SELECT id, kind, name, lon, lat, attributes FROM platforms",
        Table::Profiles => {
            "SELECT k.id, k.platform, k.cycle::int8, k.direction, extract(epoch FROM p.time)::int8,
              p.time_qc::int8, p.lon, p.lat, p.position_qc::int8, p.data_mode, p.data_centre, p.project_name,
              p.pi_name, p.platform_type, p.wmo_inst_type, p.positioning_system, p.vertical_sampling_scheme,
              p.config_mission_number::int8, p.source_format, p.source_file, p.n_levels::int8, p.params,
              k.source_rank::int8, k.digest, l.levels
            FROM profile_keys k JOIN profiles p ON p.id = k.id JOIN profile_docs l ON l.id = k.id"
        }
        Table::Series => {
            "SELECT platform, variable, extract(epoch FROM time)::int8, depth, value, qc::int8 FROM series"
        }
        Table::ReefSites => {
            "SELECT id, name, lon, lat, mmm, monthly_means, to_char(first_valid_dhw, 'YYYY-MM-DD'),
              to_char(first_valid_baa, 'YYYY-MM-DD'), polygon, digest FROM reef_sites"
        }
        Table::HeatStress => {
            "SELECT site, to_char(date, 'YYYY-MM-DD'), sst_min, sst_max, sst_90th_hs, ssta_90th_hs, hotspot, dhw,
              baa_7day_max::int8 FROM heat_stress"
        }
        Table::ProfileIndex => {
            "SELECT file, extract(epoch FROM time)::int8, lat, lon, ocean, profiler_type::int8, institution,
              extract(epoch FROM date_update)::int8 FROM profile_index"
        }
        Table::IngestedFiles => {
            "SELECT source, kind, size_bytes, extract(epoch FROM ingested_at)::int8 FROM ingested_files"
        }
        Table::Grids => {
            "SELECT dataset, variable, time, z_name, z, fill_bits, units, long_name, standard_name, attributes,
              n_lat::int8, n_lon::int8, lat_min, lat_max, lon_min, lon_max, latitudes, longitudes, cells, digest
            FROM grids"
        }
    }
}

/// Checksums of every table, each read as one stream.
pub(super) async fn checksums(pool: &PgPool) -> Result<Vec<TableSum>, StoreError> {
    crate::canonical::sums(|t| {
        sqlx::query(AssertSqlSafe(select(t))).fetch(pool).map(move |r| read_row(&r?, t.columns()))
    })
    .await
}

/// Column `i` of every row as an array bind of its kind.
fn bind_col<'q>(
    q: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    rows: &[Vec<Cell>],
    i: usize,
    kind: ColumnKind,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    match kind {
        ColumnKind::Int => {
            q.bind(rows.iter().map(|r| if let Cell::I(x) = r[i] { Some(x) } else { None }).collect::<Vec<_>>())
        }
        ColumnKind::Real => {
            q.bind(rows.iter().map(|r| if let Cell::F(x) = r[i] { Some(x) } else { None }).collect::<Vec<_>>())
        }
        ColumnKind::Text => {
            q.bind(rows.iter().map(|r| if let Cell::T(x) = &r[i] { Some(x.clone()) } else { None }).collect::<Vec<_>>())
        }
        ColumnKind::Bytes => {
            q.bind(rows.iter().map(|r| if let Cell::B(x) = &r[i] { Some(x.clone()) } else { None }).collect::<Vec<_>>())
        }
    }
}

/// The statements that write a chunk of canonical rows into PostgreSQL (UPSERTs on the same keys).
fn inserts(t: Table) -> &'static [&'static str] {
    match t {
        Table::Platforms => &["INSERT INTO platforms AS x (id, kind, name, lon, lat, attributes)
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::text[])
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name, lon = excluded.lon,
               lat = excluded.lat, attributes = excluded.attributes
             WHERE (x.kind, x.name, x.lon, x.lat, x.attributes)
               IS DISTINCT FROM (excluded.kind, excluded.name, excluded.lon, excluded.lat, excluded.attributes)"],
        Table::Profiles => &[
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
        Table::Series => &["INSERT INTO series AS x (platform, variable, time, depth, value, qc)
             SELECT platform, variable, to_timestamp(t), depth, value, qc
             FROM UNNEST($1::text[], $2::text[], $3::int8[], $4::float8[], $5::float8[], $6::int8[])
               AS u(platform, variable, t, depth, value, qc)
             ON CONFLICT (platform, variable, time, depth) DO UPDATE SET value = excluded.value, qc = excluded.qc
             WHERE (x.value, x.qc) IS DISTINCT FROM (excluded.value, excluded.qc)"],
        Table::ReefSites => &["INSERT INTO reef_sites AS x (id, name, lon, lat, mmm, monthly_means, first_valid_dhw,
               first_valid_baa, polygon, digest)
             SELECT id, name, lon, lat, mmm, monthly_means, dhw::date, baa::date, polygon, digest
             FROM UNNEST($1::text[], $2::text[], $3::float8[], $4::float8[], $5::float8[], $6::text[], $7::text[],
               $8::text[], $9::text[], $10::int8[])
               AS u(id, name, lon, lat, mmm, monthly_means, dhw, baa, polygon, digest)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, lon = excluded.lon, lat = excluded.lat,
               mmm = excluded.mmm, monthly_means = excluded.monthly_means, first_valid_dhw = excluded.first_valid_dhw,
               first_valid_baa = excluded.first_valid_baa, polygon = excluded.polygon, digest = excluded.digest
             WHERE x.digest <> excluded.digest"],
        Table::HeatStress => &["INSERT INTO heat_stress AS x (site, date, sst_min, sst_max, sst_90th_hs, ssta_90th_hs,
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
        Table::ProfileIndex => {
            &["INSERT INTO profile_index AS x (file, time, lat, lon, ocean, profiler_type, institution,
               date_update)
             SELECT file, to_timestamp(t), lat, lon, ocean, profiler_type, institution, to_timestamp(du)
             FROM UNNEST($1::text[], $2::int8[], $3::float8[], $4::float8[], $5::text[], $6::int8[], $7::text[],
               $8::int8[]) AS u(file, t, lat, lon, ocean, profiler_type, institution, du)
             ON CONFLICT (file) DO UPDATE SET time = excluded.time, lat = excluded.lat, lon = excluded.lon,
               ocean = excluded.ocean, profiler_type = excluded.profiler_type, institution = excluded.institution,
               date_update = excluded.date_update
             WHERE (x.time, x.lat, x.lon, x.ocean, x.profiler_type, x.institution, x.date_update)
               IS DISTINCT FROM (excluded.time, excluded.lat, excluded.lon, excluded.ocean, excluded.profiler_type,
               excluded.institution, excluded.date_update)"]
        }
        Table::Grids => &["INSERT INTO grids AS x (dataset, variable, time, z_name, z, fill_bits, units, long_name,
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
        Table::IngestedFiles => &["INSERT INTO ingested_files AS x (source, kind, size_bytes, ingested_at)
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

/// A PostgreSQL store as the target of a migration.
pub(crate) struct Target {
    pub(super) pool: PgPool,
    pub(super) partitions: Partitions,
}

#[async_trait]
impl MigrationTarget for Target {
    async fn forget_progress(&self, source: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM migration_progress WHERE source = $1").bind(source).execute(&self.pool).await?;
        Ok(())
    }

    async fn has_progress(&self, source: &str) -> Result<bool, StoreError> {
        let known: i64 = sqlx::query_scalar("SELECT count(*) FROM migration_progress WHERE source = $1")
            .bind(source)
            .fetch_one(&self.pool)
            .await?;
        Ok(known > 0)
    }

    async fn has_data(&self) -> Result<bool, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM profile_keys) OR EXISTS (SELECT 1 FROM platforms)
               OR EXISTS (SELECT 1 FROM ingested_files)",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    async fn progress(&self, source: &str, t: Table) -> Result<Option<(Option<String>, bool)>, StoreError> {
        Ok(sqlx::query_as("SELECT last_key, done FROM migration_progress WHERE source = $1 AND table_name = $2")
            .bind(source)
            .bind(t.name())
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn write_chunk(&self, source: &str, t: Table, rows: &[Vec<Cell>], last_key: &str) -> Result<(), StoreError> {
        if t == Table::Profiles {
            let times = rows.iter().filter_map(|r| if let Cell::I(x) = r[4] { Some(x) } else { None });
            self.partitions.ensure(&self.pool, times).await?;
        }
        let kinds: Vec<ColumnKind> = t.columns().iter().map(|c| c.1).collect();
        let mut tx = self.pool.begin().await?;
        for stmt in inserts(t) {
            let mut q = sqlx::query(AssertSqlSafe(*stmt));
            for (i, &k) in kinds.iter().enumerate().take(max_param(stmt)) {
                q = bind_col(q, rows, i, k);
            }
            q.execute(&mut *tx).await?;
        }
        sqlx::query(
            "INSERT INTO migration_progress (source, table_name, last_key, done) VALUES ($1, $2, $3, false)
             ON CONFLICT (source, table_name) DO UPDATE SET last_key = excluded.last_key",
        )
        .bind(source)
        .bind(t.name())
        .bind(last_key)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn table_done(&self, source: &str, t: Table) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO migration_progress (source, table_name, last_key, done) VALUES ($1, $2, NULL, true)
             ON CONFLICT (source, table_name) DO UPDATE SET done = true",
        )
        .bind(source)
        .bind(t.name())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn finish(&self) -> Result<(), StoreError> {
        // Row ids were copied as they are: new profiles continue after the largest.
        sqlx::query(
            "SELECT setval(pg_get_serial_sequence('profile_keys', 'id'), greatest((SELECT max(id) FROM profile_keys), 1))",
        )
        .execute(&self.pool)
        .await?;
        sqlx::raw_sql(ANALYZE).execute(&self.pool).await?;
        Ok(())
    }

    async fn checksums(&self) -> Result<Vec<TableSum>, StoreError> {
        checksums(&self.pool).await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn statements_are_bound_as_many_columns_as_they_name() {
        assert_eq!(super::max_param("SELECT $1, $25::bytea[], $3"), 25);
    }
}

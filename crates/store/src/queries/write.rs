//! The outline of `write_file` both backends share, and the statements of it that both run unchanged:
//! the platform stubs, the grids' UPSERT and the ingested file's row. The tables with dialect-specific
//! UPSERTs (platforms, profiles, series, reef sites and heat stress, the GDAC index) are written by the
//! backend's own functions in its `write.rs`.

/// Expands, for database `$db`, to `pub(super) async fn write_file(pool, batch)`, which writes one file's
/// tables in one transaction in this order, calling the backend's `write_platforms`, `write_profiles`,
/// `write_series`, `write_reef` and `write_index`, then its `ingested_files` row with `$ingested_at` as
/// the SQL of the time column (`$4` is bound the Unix time); and to the functions of the shared
/// statements.
macro_rules! write_file {
    ($db:ty, ingested_at: $ingested_at:literal) => {
        /// Writes one file's records in one transaction.
        pub(super) async fn write_file(
            pool: &sqlx::Pool<$db>,
            batch: &$crate::batch::FileBatch,
        ) -> Result<$crate::batch::WriteCounts, $crate::error::StoreError> {
            let mut tx = pool.begin().await?;
            let mut c = $crate::batch::WriteCounts {
                platforms: write_platforms(&mut tx, &batch.platforms).await?,
                ..Default::default()
            };
            c.platforms += write_platform_stubs(&mut tx, &batch.platform_stubs).await?;
            (c.profiles, c.levels) = write_profiles(&mut tx, &batch.profiles).await?;
            c.series_points = write_series(&mut tx, &batch.series).await?;
            (c.reef_sites, c.heat_stress_days) = write_reef(&mut tx, batch).await?;
            c.index_rows = write_index(&mut tx, &batch.index_rows).await?;
            c.grids = write_grids(&mut tx, &batch.grids).await?;
            sqlx::query(concat!(
                "INSERT INTO ingested_files (source, kind, size_bytes, ingested_at) VALUES ($1, $2, $3, ",
                $ingested_at,
                ") ON CONFLICT (source) DO UPDATE SET kind = excluded.kind, size_bytes = excluded.size_bytes,
                   ingested_at = excluded.ingested_at"
            ))
            .bind(&batch.source)
            .bind(&batch.kind)
            .bind(batch.size_bytes as i64)
            .bind(chrono::Utc::now().timestamp())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(c)
        }

        /// The platforms a file only names: inserted when unknown, otherwise left as they are.
        async fn write_platform_stubs(
            tx: &mut sqlx::Transaction<'_, $db>,
            stubs: &[model::Platform],
        ) -> Result<u64, $crate::error::StoreError> {
            let mut n = 0;
            for p in stubs {
                n += sqlx::query(
                    "INSERT INTO platforms (id, kind, name, lon, lat) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(&p.id)
                .bind(p.kind.as_str())
                .bind(&p.name)
                .bind(p.position.map(|pt| pt.lon))
                .bind(p.position.map(|pt| pt.lat))
                .execute(&mut **tx)
                .await?
                .rows_affected();
            }
            Ok(n)
        }

        /// Grids: UPSERT on (dataset, variable, time), rewriting a row only when its digest changed.
        /// Extents without a finite value are NULL.
        async fn write_grids(
            tx: &mut sqlx::Transaction<'_, $db>,
            grids: &[model::Grid],
        ) -> Result<u64, $crate::error::StoreError> {
            let finite = |x: f64| x.is_finite().then_some(x);
            let mut n = 0;
            for g in grids {
                let r = $crate::grids::encode(g)?;
                n += sqlx::query(
                    "INSERT INTO grids (dataset, variable, time, z_name, z, fill_bits, units, long_name, standard_name,
                       attributes, n_lat, n_lon, lat_min, lat_max, lon_min, lon_max, latitudes, longitudes, cells,
                       digest)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
                     ON CONFLICT (dataset, variable, time) DO UPDATE SET z_name = excluded.z_name, z = excluded.z,
                       fill_bits = excluded.fill_bits, units = excluded.units, long_name = excluded.long_name,
                       standard_name = excluded.standard_name, attributes = excluded.attributes,
                       n_lat = excluded.n_lat, n_lon = excluded.n_lon, lat_min = excluded.lat_min,
                       lat_max = excluded.lat_max, lon_min = excluded.lon_min, lon_max = excluded.lon_max,
                       latitudes = excluded.latitudes, longitudes = excluded.longitudes, cells = excluded.cells,
                       digest = excluded.digest
                     WHERE grids.digest <> excluded.digest",
                )
                .bind(&g.dataset)
                .bind(&g.variable)
                .bind(r.time)
                .bind(r.z_name)
                .bind(r.z)
                .bind(r.fill_bits)
                .bind(&g.units)
                .bind(&g.long_name)
                .bind(&g.standard_name)
                .bind(r.attributes)
                .bind(r.n_lat)
                .bind(r.n_lon)
                .bind(finite(r.lat_min))
                .bind(finite(r.lat_max))
                .bind(finite(r.lon_min))
                .bind(finite(r.lon_max))
                .bind(r.latitudes)
                .bind(r.longitudes)
                .bind(r.cells)
                .bind(r.digest)
                .execute(&mut **tx)
                .await?
                .rows_affected();
            }
            Ok(n)
        }
    };
}
pub(crate) use write_file;

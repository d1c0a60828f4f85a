//! Gridded fields' SQL for both backends (`GridStore`, and the UPSERT of `write_file`); the row layout is
//! the top-level `grids.rs`.

/// `impl GridStore for $store`, reading on `reads`.
macro_rules! grid_store {
    ($store:ty, reads: $reads:ident) => {
        #[async_trait::async_trait]
        impl $crate::grids::GridStore for $store {
            async fn grid_summaries(&self) -> Result<Vec<model::GridSummary>, $crate::error::StoreError> {
                let rows: Vec<$crate::grids::GridMetaRow> = sqlx::query_as(
                    "SELECT dataset, variable, time, units, long_name, standard_name, z_name, z, fill_bits,
                            CAST(n_lat AS BIGINT), CAST(n_lon AS BIGINT), lat_min, lat_max, lon_min, lon_max
                       FROM grids ORDER BY dataset, variable, time",
                )
                .fetch_all(&self.$reads)
                .await?;
                $crate::grids::summarise(rows.into_iter().map($crate::grids::GridMeta::from).collect())
            }

            async fn grid_times(
                &self,
                dataset: &str,
                variable: &str,
            ) -> Result<Vec<Option<chrono::DateTime<chrono::Utc>>>, $crate::error::StoreError> {
                let times: Vec<i64> =
                    sqlx::query_scalar("SELECT time FROM grids WHERE dataset = $1 AND variable = $2 ORDER BY time")
                        .bind(dataset)
                        .bind(variable)
                        .fetch_all(&self.$reads)
                        .await?;
                times.into_iter().map($crate::grids::time_of).collect()
            }

            async fn grid(
                &self,
                dataset: &str,
                variable: &str,
                time: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<Option<model::Grid>, $crate::error::StoreError> {
                let row: Option<$crate::grids::GridColumnsRow> = sqlx::query_as(
                    "SELECT dataset, variable, time, z_name, z, fill_bits, units, long_name, standard_name, attributes,
                            latitudes, longitudes, cells FROM grids WHERE dataset = $1 AND variable = $2 AND time = $3",
                )
                .bind(dataset)
                .bind(variable)
                .bind($crate::grids::time_key(time))
                .fetch_optional(&self.$reads)
                .await?;
                row.map(|r| $crate::grids::decode(r.into())).transpose()
            }
        }
    };
}
pub(crate) use grid_store;

/// `async fn write_grids(tx, grids) -> rows written` for a transaction of database `$db`: UPSERT on
/// (dataset, variable, time), rewriting a row only when its digest changed. Extents without a finite
/// value are NULL.
macro_rules! write_grids {
    ($db:ty) => {
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
pub(crate) use write_grids;

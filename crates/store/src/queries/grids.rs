//! Gridded fields' SQL for both backends (`GridStore`; their UPSERT is in `queries/write.rs`); the row
//! layout is the top-level `grids.rs`.

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
                row.map($crate::grids::decode).transpose()
            }
        }
    };
}
pub(crate) use grid_store;

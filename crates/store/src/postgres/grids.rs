//! The PostgreSQL side of gridded fields (table `grids`, migration 3): UPSERT on (dataset, variable, time)
//! rewriting a row only when its digest changed, summaries, time axes and single grids.

use chrono::{DateTime, Utc};
use model::{Grid, GridSummary};
use sqlx::{Postgres, Row, Transaction};

use super::PgStore;
use crate::StoreError;
use crate::grids::{GridColumns, GridMeta, decode, encode, summarise, time_key, time_of};

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

impl PgStore {
    pub(crate) async fn write_grids(tx: &mut Transaction<'_, Postgres>, grids: &[Grid]) -> Result<u64, StoreError> {
        let mut n = 0;
        for g in grids {
            let r = encode(g)?;
            n += sqlx::query(
                "INSERT INTO grids AS g (dataset, variable, time, z_name, z, fill_bits, units, long_name, standard_name,
                   attributes, n_lat, n_lon, lat_min, lat_max, lon_min, lon_max, latitudes, longitudes, cells, digest)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
                 ON CONFLICT (dataset, variable, time) DO UPDATE SET z_name = excluded.z_name, z = excluded.z,
                   fill_bits = excluded.fill_bits, units = excluded.units, long_name = excluded.long_name,
                   standard_name = excluded.standard_name, attributes = excluded.attributes, n_lat = excluded.n_lat,
                   n_lon = excluded.n_lon, lat_min = excluded.lat_min, lat_max = excluded.lat_max,
                   lon_min = excluded.lon_min, lon_max = excluded.lon_max, latitudes = excluded.latitudes,
                   longitudes = excluded.longitudes, cells = excluded.cells, digest = excluded.digest
                 WHERE g.digest <> excluded.digest",
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
            .bind(r.n_lat as i32)
            .bind(r.n_lon as i32)
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

    pub(crate) async fn grid_summaries_impl(&self) -> Result<Vec<GridSummary>, StoreError> {
        let rows = sqlx::query(
            "SELECT dataset, variable, time, units, long_name, standard_name, z_name, z, fill_bits, n_lat, n_lon,
                    lat_min, lat_max, lon_min, lon_max FROM grids ORDER BY dataset, variable, time",
        )
        .fetch_all(self.pool())
        .await?;
        let mut metas = Vec::with_capacity(rows.len());
        for r in rows {
            metas.push(GridMeta {
                dataset: r.try_get("dataset")?,
                variable: r.try_get("variable")?,
                time: r.try_get("time")?,
                units: r.try_get("units")?,
                long_name: r.try_get("long_name")?,
                standard_name: r.try_get("standard_name")?,
                z_name: r.try_get("z_name")?,
                z: r.try_get("z")?,
                fill_bits: r.try_get("fill_bits")?,
                n_lat: i64::from(r.try_get::<i32, _>("n_lat")?),
                n_lon: i64::from(r.try_get::<i32, _>("n_lon")?),
                lat: (
                    r.try_get::<Option<f64>, _>("lat_min")?.unwrap_or(f64::NAN),
                    r.try_get::<Option<f64>, _>("lat_max")?.unwrap_or(f64::NAN),
                ),
                lon: (
                    r.try_get::<Option<f64>, _>("lon_min")?.unwrap_or(f64::NAN),
                    r.try_get::<Option<f64>, _>("lon_max")?.unwrap_or(f64::NAN),
                ),
            });
        }
        summarise(metas)
    }

    pub(crate) async fn grid_times_impl(
        &self,
        dataset: &str,
        variable: &str,
    ) -> Result<Vec<Option<DateTime<Utc>>>, StoreError> {
        let times: Vec<i64> =
            sqlx::query_scalar("SELECT time FROM grids WHERE dataset = $1 AND variable = $2 ORDER BY time")
                .bind(dataset)
                .bind(variable)
                .fetch_all(self.pool())
                .await?;
        times.into_iter().map(time_of).collect()
    }

    pub(crate) async fn grid_impl(
        &self,
        dataset: &str,
        variable: &str,
        time: Option<DateTime<Utc>>,
    ) -> Result<Option<Grid>, StoreError> {
        let row = sqlx::query(
            "SELECT dataset, variable, time, z_name, z, fill_bits, units, long_name, standard_name, attributes,
                    latitudes, longitudes, cells FROM grids WHERE dataset = $1 AND variable = $2 AND time = $3",
        )
        .bind(dataset)
        .bind(variable)
        .bind(time_key(time))
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = row else { return Ok(None) };
        decode(GridColumns {
            dataset: r.try_get("dataset")?,
            variable: r.try_get("variable")?,
            time: r.try_get("time")?,
            z_name: r.try_get("z_name")?,
            z: r.try_get("z")?,
            fill_bits: r.try_get("fill_bits")?,
            units: r.try_get("units")?,
            long_name: r.try_get("long_name")?,
            standard_name: r.try_get("standard_name")?,
            attributes: r.try_get("attributes")?,
            latitudes: r.try_get("latitudes")?,
            longitudes: r.try_get("longitudes")?,
            cells: r.try_get("cells")?,
        })
        .map(Some)
    }
}

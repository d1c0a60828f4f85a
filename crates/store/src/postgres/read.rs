//! Reads of the PostgreSQL store (`ObservationStore`): region search in SQL (PostGIS boxes, polygons and
//! great circles, a hair wider than the model's exact test at the edges, which the caller applies after),
//! profiles loaded by row id from the unpartitioned `profile_docs`.

use std::collections::HashMap;

use model::{Profile, ProfileKey, Region};
use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, Row};

use super::PgStore;
use crate::error::StoreError;
use crate::observations::{ProfileFilter, ProfileStub};
use crate::queries::args::{Arg, Args};
use crate::queries::observations::ReadSql;
use crate::rows::{StubRow, dir_text, raw_profile, stub_of};

/// Longitude shifts of an unwrapped ring that can hold points of [-180, 180] (see `Polygon::contains`).
fn ring_shifts(ring: &[(f64, f64)]) -> Vec<f64> {
    let (lo, hi) = ring.iter().fold((f64::MAX, f64::MIN), |(lo, hi), &(x, _)| (lo.min(x), hi.max(x)));
    [0.0, 360.0, -360.0].into_iter().filter(|dx| lo + dx <= 180.0 && hi + dx >= -180.0).collect()
}

fn ring_wkt(ring: &[(f64, f64)], dx: f64) -> String {
    let pts: Vec<String> = ring.iter().map(|(x, y)| format!("{:?} {:?}", x + dx, y)).collect();
    format!("POLYGON(({}))", pts.join(","))
}

/// A SQL condition true for every profile position the region contains (and perhaps a few more at the
/// very edge: callers apply the exact test, as with the SQLite R*Tree).
fn region_sql(region: &Region, args: &mut Args) -> String {
    match region {
        Region::Box(b) => {
            let ors: Vec<String> = b
                .split()
                .iter()
                .map(|bx| {
                    let (w, s, e, n) = (
                        args.push(Arg::F(bx.west)),
                        args.push(Arg::F(bx.south)),
                        args.push(Arg::F(bx.east)),
                        args.push(Arg::F(bx.north)),
                    );
                    format!("p.geom && ST_MakeEnvelope({w}, {s}, {e}, {n}, 4326)")
                })
                .collect();
            format!("({})", ors.join(" OR "))
        }
        Region::Polygon(poly) => polygon_sql(poly.ring(), args),
        Region::MultiPolygon(polys) => {
            let ands: Vec<String> = polys.iter().map(|p| polygon_sql(p.ring(), args)).collect();
            format!("({})", ands.join(" AND "))
        }
        Region::Circle { center, radius_km } => {
            // PostGIS's sphere (mean radius 6371008.77 m) and the model's (6371008.8 m) differ by 5e-9:
            // a margin keeps every point of the exact haversine test.
            let (lon, lat) = (args.push(Arg::F(center.lon)), args.push(Arg::F(center.lat)));
            let m = args.push(Arg::F(radius_km * 1000.0 * (1.0 + 1e-6) + 1.0));
            format!("ST_DWithin(p.geog, ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326)::geography, {m}, false)")
        }
    }
}

fn polygon_sql(ring: &[(f64, f64)], args: &mut Args) -> String {
    let ors: Vec<String> = ring_shifts(ring)
        .into_iter()
        .map(|dx| {
            let wkt = args.push(Arg::T(ring_wkt(ring, dx)));
            // Planar, as the model's even-odd test; points on (or within 1e-9° of) an edge count.
            format!("ST_DWithin(p.geom, ST_GeomFromText({wkt}, 4326), 1e-9)")
        })
        .collect();
    if ors.is_empty() { "false".into() } else { format!("({})", ors.join(" OR ")) }
}

/// The columns of a profile in `profile_docs`, in the order `raw_profile!` reads them.
const PROFILE_COLUMNS: &str = "d.platform, d.cycle, d.direction, extract(epoch FROM d.time)::int8, d.time_qc::int8,
    d.lon, d.lat, d.position_qc::int8, d.data_mode, d.data_centre, d.project_name, d.pi_name, d.platform_type,
    d.wmo_inst_type, d.positioning_system, d.vertical_sampling_scheme, d.config_mission_number, d.source_format,
    d.source_file, d.levels";

/// A profile from a row whose profile columns start at `off`.
fn profile_from_row(row: &PgRow, off: usize) -> Result<Profile, StoreError> {
    raw_profile!(row.try_get, off).into_profile()
}

/// The plain reads (see `ReadSql` for what each returns and binds).
const SQL: ReadSql = ReadSql {
    // One grouped pass per table (correlated subqueries per platform cost a scan each when few
    // platforms hold most rows).
    platforms: "WITH pr AS (SELECT platform, count(*) AS n, extract(epoch FROM min(time))::int8 AS f,
                    extract(epoch FROM max(time))::int8 AS l FROM profiles GROUP BY platform),
                  se AS (SELECT platform, count(*) AS n, extract(epoch FROM min(time))::int8 AS f,
                    extract(epoch FROM max(time))::int8 AS l, string_agg(DISTINCT variable, ',' ORDER BY variable) AS vars
                    FROM series GROUP BY platform),
                  hs AS (SELECT site, count(*) AS n, extract(epoch FROM min(date))::int8 AS f,
                    extract(epoch FROM max(date))::int8 AS l FROM heat_stress GROUP BY site)
             SELECT pl.id, pl.kind, pl.name, pl.lon, pl.lat, pl.attributes,
               coalesce(pr.n, 0) AS n_profiles, pr.f AS p_first, pr.l AS p_last,
               coalesce(se.n, 0) AS n_series, se.f AS s_first, se.l AS s_last, se.vars,
               coalesce(hs.n, 0) AS n_days, hs.f AS h_first, hs.l AS h_last
             FROM platforms pl LEFT JOIN pr ON pr.platform = pl.id LEFT JOIN se ON se.platform = pl.id
               LEFT JOIN hs ON hs.site = pl.id
             WHERE ($1::text IS NULL OR pl.kind = $1) ORDER BY pl.id",
    series: "SELECT platform, variable, extract(epoch FROM time)::int8 AS t, depth, value, qc::int8 FROM series
             WHERE platform = $1 AND variable = $2 AND time >= to_timestamp($3) AND time < to_timestamp($4)
             ORDER BY time, depth",
    // The first row (smallest depth) at the newest time, as SQLite's bare-column max() picks it.
    series_latest: "SELECT DISTINCT ON (platform, variable) platform, variable, extract(epoch FROM time)::int8 AS t, depth,
               value, qc::int8 FROM series ORDER BY platform, variable, time DESC, depth",
    series_stats: "SELECT variable, count(DISTINCT platform), count(*), min(value), max(value), avg(value),
               extract(epoch FROM min(time))::int8, extract(epoch FROM max(time))::int8
             FROM series GROUP BY variable ORDER BY variable",
    // The newest positioned, timed profile of every platform, with the platform's count of them.
    platforms_latest: "SELECT DISTINCT ON (platform) platform, cycle::int8, extract(epoch FROM time)::int8, lon, lat,
                    count(*) OVER (PARTITION BY platform)
               FROM profiles WHERE time IS NOT NULL AND lon IS NOT NULL AND lat IS NOT NULL
              ORDER BY platform, time DESC, cycle DESC",
    index_updates: "SELECT file, extract(epoch FROM date_update)::int8 FROM profile_index ORDER BY file",
    reef_site: "SELECT id, name, lon, lat, mmm, monthly_means, to_char(first_valid_dhw, 'YYYY-MM-DD'),
               to_char(first_valid_baa, 'YYYY-MM-DD'), polygon FROM reef_sites WHERE id = $1",
    heat_stress: "SELECT to_char(date, 'YYYY-MM-DD'), sst_min, sst_max, sst_90th_hs, ssta_90th_hs, hotspot, dhw,
               baa_7day_max::int8 FROM heat_stress WHERE site = $1 AND date >= $2::date AND date < $3::date
             ORDER BY date",
    series_select: "SELECT platform, variable, extract(epoch FROM time)::int8 AS t, depth, value, qc::int8 FROM series",
    seconds: |p| format!("to_timestamp({p})"),
};

crate::queries::observations::observation_store!(PgStore, reads: pool, sql: SQL);

impl PgStore {
    async fn read_profile(&self, key: &ProfileKey) -> Result<Option<Profile>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {PROFILE_COLUMNS} FROM profile_keys k JOIN profile_docs d ON d.id = k.id
             WHERE k.platform = $1 AND k.cycle = $2 AND k.direction = $3"
        )))
        .bind(&key.platform)
        .bind(key.cycle)
        .bind(dir_text(key.direction))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(|r| profile_from_row(r, 0)).transpose()
    }

    async fn read_profile_stubs(&self, f: &ProfileFilter) -> Result<Vec<ProfileStub>, StoreError> {
        let mut args = Args::default();
        let mut conds: Vec<String> = Vec::new();
        if let Some(region) = &f.region {
            conds.push(region_sql(region, &mut args));
        }
        if let Some(t) = &f.time {
            let (a, b) = (args.push(Arg::I(t.start().timestamp())), args.push(Arg::I(t.end().timestamp())));
            conds.push(format!("p.time >= to_timestamp({a}) AND p.time < to_timestamp({b})"));
        }
        if let Some(p) = &f.platform {
            conds.push(format!("p.platform = {}", args.push(Arg::T(p.clone()))));
        }
        let mut sql = String::from(
            "SELECT p.id, p.platform, p.cycle, p.direction, extract(epoch FROM p.time)::int8 AS t, p.lon, p.lat,
                    p.data_mode, p.params, p.source_format, p.position_qc::int8 FROM profiles p",
        );
        if !conds.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conds.join(" AND "));
        }
        sql.push_str(" ORDER BY p.time NULLS FIRST, p.platform, p.cycle, p.direction");
        let rows: Vec<StubRow> = args.bind(sqlx::query_as(AssertSqlSafe(sql))).fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(stub_of).collect())
    }

    async fn read_profiles_by_row_ids(&self, ids: &[i64]) -> Result<Vec<Profile>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(1000) {
            let rows = sqlx::query(AssertSqlSafe(format!(
                "SELECT d.id AS row_id, {PROFILE_COLUMNS} FROM profile_docs d WHERE d.id = ANY($1)"
            )))
            .bind(chunk)
            .fetch_all(&self.pool)
            .await?;
            let mut by_id = HashMap::with_capacity(rows.len());
            for row in &rows {
                by_id.insert(row.try_get::<i64, _>("row_id")?, profile_from_row(row, 1)?);
            }
            out.extend(chunk.iter().filter_map(|id| by_id.remove(id)));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polygons_are_tested_where_they_can_hold_points() {
        // A ring unwrapped past 180° is also tried shifted by -360°, as Polygon::contains does.
        assert_eq!(ring_shifts(&[(170.0, 0.0), (190.0, 0.0), (190.0, 5.0), (170.0, 0.0)]), [0.0, -360.0]);
        assert_eq!(ring_shifts(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]), [0.0]);
        assert_eq!(ring_wkt(&[(1.5, 2.0), (3.0, 4.25)], -360.0), "POLYGON((-358.5 2.0,-357.0 4.25))");
    }
}

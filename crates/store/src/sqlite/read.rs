//! Reads of the SQLite store (`ObservationStore`). Reads run on the pool of readers through sqlx, except
//! the hot paths of a file database (a profile by key, profiles by row id, the `profile_space` search),
//! which run on the direct rusqlite readers (`Readers` in `mod.rs`): a point lookup inline, anything that
//! reads many rows on the blocking pool.

use chrono::{DateTime, Utc};
use model::{DirectionKey, Point, Profile, ProfileKey, QcFlag};
use sqlx::{AssertSqlSafe, Row};

use super::SqliteStore;
use super::schema::{space_band, space_month};
use crate::error::StoreError;
use crate::observations::{ProfileFilter, ProfileStub};
use crate::queries::observations::ReadSql;
use crate::rows::{RawProfile, data_mode_of, dir_key, dir_text, from_ts, param_list, raw_profile, source_format_of};

/// The columns of a profile (`profiles` ⋈ `profile_levels`), in the order `raw_profile!` reads them.
const PROFILE_COLUMNS: &str =
    "p.platform, p.cycle, p.direction, p.time, p.time_qc, p.lon, p.lat, p.position_qc, p.data_mode,
    p.data_centre, p.project_name, p.pi_name, p.platform_type, p.wmo_inst_type, p.positioning_system,
    p.vertical_sampling_scheme, p.config_mission_number, p.source_format, p.source_file, l.levels";

/// The plain reads (see `ReadSql` for what each returns and binds).
const SQL: ReadSql = ReadSql {
    platforms: "SELECT pl.id, pl.kind, pl.name, pl.lon, pl.lat, pl.attributes,
           (SELECT count(*) FROM profiles p WHERE p.platform = pl.id) AS n_profiles,
           (SELECT min(time) FROM profiles p WHERE p.platform = pl.id) AS p_first,
           (SELECT max(time) FROM profiles p WHERE p.platform = pl.id) AS p_last,
           (SELECT count(*) FROM series s WHERE s.platform = pl.id) AS n_series,
           (SELECT min(time) FROM series s WHERE s.platform = pl.id) AS s_first,
           (SELECT max(time) FROM series s WHERE s.platform = pl.id) AS s_last,
           (SELECT group_concat(variable, ',')
              FROM (SELECT DISTINCT variable FROM series s WHERE s.platform = pl.id ORDER BY variable)) AS vars,
           (SELECT count(*) FROM heat_stress h WHERE h.site = pl.id) AS n_days,
           (SELECT CAST(strftime('%s', min(date)) AS INTEGER) FROM heat_stress h WHERE h.site = pl.id) AS h_first,
           (SELECT CAST(strftime('%s', max(date)) AS INTEGER) FROM heat_stress h WHERE h.site = pl.id) AS h_last
         FROM platforms pl WHERE ($1 IS NULL OR pl.kind = $1) ORDER BY pl.id",
    series: "SELECT platform, variable, time, depth, value, qc FROM series
         WHERE platform = $1 AND variable = $2 AND time >= $3 AND time < $4 ORDER BY time, depth",
    // SQLite takes the bare columns from the row that holds max(time).
    series_latest: "SELECT platform, variable, max(time), depth, value, qc FROM series GROUP BY platform, variable
         ORDER BY platform, variable",
    series_stats: "SELECT variable, count(DISTINCT platform), count(*), min(value), max(value), avg(value), min(time),
           max(time) FROM series GROUP BY variable ORDER BY variable",
    // The bare columns come from the row that holds max(time); count(*) counts every positioned, timed
    // profile of the platform.
    platforms_latest: "SELECT platform, cycle, max(time), lon, lat, count(*) FROM profiles
         WHERE time IS NOT NULL AND lon IS NOT NULL AND lat IS NOT NULL GROUP BY platform ORDER BY platform",
    index_updates: "SELECT file, date_update FROM profile_index ORDER BY file",
    reef_site: "SELECT id, name, lon, lat, mmm, monthly_means, first_valid_dhw, first_valid_baa, polygon
         FROM reef_sites WHERE id = $1",
    heat_stress: "SELECT date, sst_min, sst_max, sst_90th_hs, ssta_90th_hs, hotspot, dhw, baa_7day_max
         FROM heat_stress WHERE site = $1 AND date >= $2 AND date < $3 ORDER BY date",
    series_select: "SELECT platform, variable, time, depth, value, qc FROM series",
    seconds: str::to_string,
};

crate::queries::observations::observation_store!(SqliteStore, reads: pool, sql: SQL);

/// Searches of at most this many (month × band) key ranges per index box read `profile_space`;
/// wider ones (decades over a hemisphere) use the R*Tree.
const SPACE_MAX_RANGES: i64 = 4096;

/// A longitude or latitude in a stubs aggregate: 17-digit text (R*Tree path), the f64's bits as an
/// integer (`profile_space` path) or null.
struct Coord(Option<f64>);

impl<'de> serde::Deserialize<'de> for Coord {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Coord, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Coord;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a coordinate as text, as f64 bits or null")
            }
            fn visit_i64<E>(self, v: i64) -> Result<Coord, E> {
                Ok(Coord(Some(f64::from_bits(v as u64))))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Coord, E> {
                Ok(Coord(Some(f64::from_bits(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Coord, E> {
                Ok(Coord(v.parse().ok()))
            }
            fn visit_unit<E>(self) -> Result<Coord, E> {
                Ok(Coord(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// Decodes `profile_stubs`' JSON aggregate (one array per row).
fn parse_stubs(json: &str) -> Result<Vec<ProfileStub>, StoreError> {
    type StubRow = (i64, String, i32, String, Option<i64>, Coord, Coord, String, String, String, i64);
    let rows: Vec<StubRow> =
        serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("profile stubs: {e}")))?;
    let mut out = Vec::with_capacity(rows.len());
    for (row_id, platform, cycle, dir, time, lon, lat, mode, params, fmt, position_qc) in rows {
        out.push(ProfileStub {
            row_id,
            key: ProfileKey { platform, cycle, direction: dir_key(&dir) },
            time: from_ts(time),
            position: lon.0.zip(lat.0).and_then(|(lon, lat)| Point::new(lon, lat).ok()),
            data_mode: data_mode_of(&mode),
            params: param_list(&params),
            source_format: source_format_of(&fmt),
            position_qc: QcFlag::from_byte(position_qc as u8),
        });
    }
    Ok(out)
}

/// Stubs from a `profile_space` statement (columns as in `space_stubs`) read directly, row by row.
fn space_rows(
    c: &rusqlite::Connection,
    sql: &str,
    binds: Vec<rusqlite::types::Value>,
) -> Result<Vec<ProfileStub>, StoreError> {
    let mut st = c.prepare_cached(sql)?;
    let mut rows = st.query(rusqlite::params_from_iter(binds))?;
    let mut out = Vec::new();
    // Parameter lists repeat from row to row: share one allocation per distinct list.
    let mut last_params: (String, Vec<String>) = (String::new(), Vec::new());
    while let Some(r) = rows.next()? {
        let dir = r.get_ref(3)?.as_str().unwrap_or("A");
        let bits = |i: usize| r.get::<_, i64>(i).map(|b| f64::from_bits(b as u64));
        let params = r.get_ref(8)?.as_str().unwrap_or("");
        if params != last_params.0 {
            last_params = (params.to_string(), param_list(params));
        }
        out.push(ProfileStub {
            row_id: r.get(0)?,
            key: ProfileKey { platform: r.get(1)?, cycle: r.get(2)?, direction: dir_key(dir) },
            time: from_ts(r.get(4)?),
            position: Point::new(bits(5)?, bits(6)?).ok(),
            data_mode: data_mode_of(r.get_ref(7)?.as_str().unwrap_or("R")),
            params: last_params.1.clone(),
            source_format: source_format_of(r.get_ref(9)?.as_str().unwrap_or("")),
            position_qc: QcFlag::from_byte(r.get::<_, i64>(10)? as u8),
        });
    }
    Ok(out)
}

impl SqliteStore {
    /// Stubs from `profile_space` when the filter has a region and a time range narrow enough (see
    /// [`SPACE_MAX_RANGES`]); `None` means the R*Tree path must answer. Unordered, possibly with
    /// duplicates where index boxes overlap.
    async fn space_stubs(&self, f: &ProfileFilter) -> Result<Option<Vec<ProfileStub>>, StoreError> {
        let (Some(region), Some(time)) = (&f.region, &f.time) else { return Ok(None) };
        let first = space_month(time.start());
        let last = space_month(time.end() - chrono::Duration::seconds(1));
        let boxes = region.index_boxes();
        let months = last - first + 1;
        let too_wide = |b: &model::BBox| (space_band(b.north) - space_band(b.south) + 1) * months > SPACE_MAX_RANGES;
        if boxes.is_empty() || months < 1 || boxes.iter().any(too_wide) {
            return Ok(None);
        }
        let month_list = (first..=last).map(|m| m.to_string()).collect::<Vec<_>>().join(",");
        let mut parts = Vec::with_capacity(boxes.len());
        for b in &boxes {
            let bands =
                (space_band(b.south)..=space_band(b.north)).map(|m| m.to_string()).collect::<Vec<_>>().join(",");
            parts.push(format!(
                "SELECT id, platform, cycle, direction, time, lon_bits, lat_bits, data_mode, params, source_format,
                        position_qc FROM profile_space WHERE month IN ({month_list}) AND band IN ({bands})
                   AND lon >= ? AND lon <= ? AND lat >= ? AND lat <= ? AND time >= ? AND time < ?{}",
                if f.platform.is_some() { " AND platform = ?" } else { "" }
            ));
        }
        if let Some(direct) = &self.direct {
            let sql = parts.join(" UNION ALL ");
            let mut binds: Vec<rusqlite::types::Value> = Vec::with_capacity(boxes.len() * 7);
            for b in &boxes {
                binds.extend([b.west, b.east, b.south, b.north].map(rusqlite::types::Value::Real));
                binds.push(time.start().timestamp().into());
                binds.push(time.end().timestamp().into());
                if let Some(p) = &f.platform {
                    binds.push(p.clone().into());
                }
            }
            return direct.with_blocking(move |c| space_rows(c, &sql, binds)).await.map(Some);
        }
        let sql = format!(
            "SELECT json_group_array(json_array(id, platform, cycle, direction, time, lon_bits, lat_bits, data_mode,
                    params, source_format, position_qc)) FROM ({})",
            parts.join(" UNION ALL ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for b in &boxes {
            q = q.bind(b.west).bind(b.east).bind(b.south).bind(b.north);
            q = q.bind(time.start().timestamp()).bind(time.end().timestamp());
            if let Some(p) = &f.platform {
                q = q.bind(p);
            }
        }
        let json: String = q.fetch_one(&self.pool).await?.try_get(0)?;
        parse_stubs(&json).map(Some)
    }

    async fn read_profile(&self, key: &ProfileKey) -> Result<Option<Profile>, StoreError> {
        let dir = dir_text(key.direction);
        if let Some(direct) = &self.direct {
            // One primary-key probe: run inline (see `Readers`).
            let raw = direct.with(|c| {
                let mut st = c.prepare_cached(&format!(
                    "SELECT {PROFILE_COLUMNS} FROM profiles p JOIN profile_levels l ON l.id = p.id
                     WHERE p.platform = ?1 AND p.cycle = ?2 AND p.direction = ?3"
                ))?;
                let mut rows = st.query(rusqlite::params![key.platform, key.cycle, dir])?;
                Ok(match rows.next()? {
                    Some(r) => Some(raw_profile!(r.get, 0)),
                    None => None,
                })
            })?;
            return raw.map(RawProfile::into_profile).transpose();
        }
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {PROFILE_COLUMNS} FROM profiles p JOIN profile_levels l ON l.id = p.id
             WHERE p.platform = ? AND p.cycle = ? AND p.direction = ?"
        )))
        .bind(&key.platform)
        .bind(key.cycle)
        .bind(dir)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(|r| -> Result<Profile, StoreError> { raw_profile!(r.try_get, 0).into_profile() }).transpose()
    }

    async fn read_profile_stubs(&self, f: &ProfileFilter) -> Result<Vec<ProfileStub>, StoreError> {
        if let Some(mut out) = self.space_stubs(f).await? {
            let dir = |d: DirectionKey| d == DirectionKey::D;
            out.sort_by(|a, b| {
                (a.time, &a.key.platform, a.key.cycle, dir(a.key.direction)).cmp(&(
                    b.time,
                    &b.key.platform,
                    b.key.cycle,
                    dir(b.key.direction),
                ))
            });
            out.dedup_by_key(|s| s.row_id);
            return Ok(out);
        }
        // The rows come back as one JSON array in one row: sqlx hands rows over one by one through a
        // channel, which costs more than SQLite's own work on a search of thousands of candidates.
        // Positions travel as 17-digit text, since JSON numbers from SQLite keep only 15 digits.
        let mut sql = String::from(
            "SELECT json_group_array(json_array(id, platform, cycle, direction, time,
                    CASE WHEN lon IS NULL THEN NULL ELSE printf('%!.17g', lon) END,
                    CASE WHEN lat IS NULL THEN NULL ELSE printf('%!.17g', lat) END, data_mode, params,
                    source_format, position_qc)) FROM (SELECT p.id, p.platform, p.cycle, p.direction, p.time, p.lon,
                    p.lat, p.data_mode, p.params, p.source_format, p.position_qc FROM profiles p",
        );
        let mut conds: Vec<String> = Vec::new();
        let boxes = f.region.as_ref().map(|r| r.index_boxes()).unwrap_or_default();
        if f.region.is_some() {
            sql.push_str(" JOIN profiles_rtree r ON r.id = p.id");
            let mut ors: Vec<&str> = boxes
                .iter()
                .map(|_| "(r.min_lon <= ? AND r.max_lon >= ? AND r.min_lat <= ? AND r.max_lat >= ?)")
                .collect();
            if ors.is_empty() {
                ors.push("0");
            }
            conds.push(format!("({})", ors.join(" OR ")));
            if f.time.is_some() {
                // Let the R*Tree prune by day too (bounds are conservative; the exact test follows).
                conds.push("r.max_day >= ? AND r.min_day <= ?".into());
            }
        }
        if f.time.is_some() {
            conds.push("p.time >= ? AND p.time < ?".into());
        }
        if f.platform.is_some() {
            conds.push("p.platform = ?".into());
        }
        if !conds.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conds.join(" AND "));
        }
        sql.push_str(" ORDER BY p.time, p.platform, p.cycle, p.direction)");
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for b in &boxes {
            q = q.bind(b.east).bind(b.west).bind(b.north).bind(b.south);
        }
        if let (Some(t), true) = (&f.time, f.region.is_some()) {
            let day = |t: DateTime<Utc>| t.timestamp() as f64 / 86_400.0;
            q = q.bind(day(t.start()) - 1.0).bind(day(t.end()) + 1.0);
        }
        if let Some(t) = &f.time {
            q = q.bind(t.start().timestamp()).bind(t.end().timestamp());
        }
        if let Some(p) = &f.platform {
            q = q.bind(p);
        }
        let json: String = q.fetch_one(&self.pool).await?.try_get(0)?;
        parse_stubs(&json)
    }

    async fn read_profiles_by_row_ids(&self, ids: &[i64]) -> Result<Vec<Profile>, StoreError> {
        if let Some(direct) = &self.direct {
            let ids = ids.to_vec();
            return direct
                .with_blocking(move |c| {
                    let mut st = c.prepare_cached(&format!(
                        "SELECT {PROFILE_COLUMNS} FROM profiles p JOIN profile_levels l ON l.id = p.id WHERE p.id = ?1"
                    ))?;
                    let mut out = Vec::with_capacity(ids.len());
                    for id in ids {
                        let mut rows = st.query([id])?;
                        if let Some(r) = rows.next()? {
                            out.push(raw_profile!(r.get, 0).into_profile()?);
                        }
                    }
                    Ok(out)
                })
                .await;
        }
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let mut q = sqlx::query(AssertSqlSafe(format!(
                "SELECT p.id AS row_id, {PROFILE_COLUMNS} FROM profiles p JOIN profile_levels l ON l.id = p.id
                 WHERE p.id IN ({marks})"
            )));
            for id in chunk {
                q = q.bind(id);
            }
            let rows = q.fetch_all(&self.pool).await?;
            let mut by_id = std::collections::HashMap::with_capacity(rows.len());
            for row in &rows {
                by_id.insert(row.try_get::<i64, _>("row_id")?, raw_profile!(row.try_get, 1).into_profile()?);
            }
            out.extend(chunk.iter().filter_map(|id| by_id.remove(id)));
        }
        Ok(out)
    }
}

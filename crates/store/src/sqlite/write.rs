//! Writes of the SQLite store: one file's batch in one transaction on the writer, each table an UPSERT
//! on its natural key that leaves an unchanged row alone (digests for profiles and reef sites, value
//! comparisons elsewhere); profiles keep their R*Tree entry and `profile_space` row in step.

use model::{Platform, Profile, SeriesPoint};
use sqlx::{AssertSqlSafe, Row, Sqlite, Transaction};

use super::schema::{space_band, space_insert_sql, space_month};
use crate::batch::{FileBatch, IndexRow};
use crate::codec::{encode_levels, profile_digest};
use crate::error::StoreError;
use crate::rows::{ReefColumns, attrs_to_json, params_text, source_rank, ts};

crate::queries::write::write_file!(Sqlite, ingested_at: "$4");

/// One statement per platform: known keys take the new value, new keys are added (json_patch), a name
/// or position the file lacks keeps the stored one, and an unchanged row is not rewritten.
async fn write_platforms(tx: &mut Transaction<'_, Sqlite>, platforms: &[Platform]) -> Result<u64, StoreError> {
    let mut n = 0;
    for p in platforms {
        let r = sqlx::query(
            "INSERT INTO platforms (id, kind, name, lon, lat, attributes) VALUES (?, ?, ?, ?, ?, json(?))
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = coalesce(excluded.name, platforms.name),
               lon = coalesce(excluded.lon, platforms.lon), lat = coalesce(excluded.lat, platforms.lat),
               attributes = json_patch(platforms.attributes, excluded.attributes)
             WHERE platforms.kind IS NOT excluded.kind
               OR (excluded.name IS NOT NULL AND excluded.name IS NOT platforms.name)
               OR (excluded.lon IS NOT NULL AND (excluded.lon IS NOT platforms.lon OR excluded.lat IS NOT platforms.lat))
               OR json_patch(platforms.attributes, excluded.attributes) IS NOT platforms.attributes",
        )
        .bind(&p.id)
        .bind(p.kind.as_str())
        .bind(&p.name)
        .bind(p.position.map(|pt| pt.lon))
        .bind(p.position.map(|pt| pt.lat))
        .bind(attrs_to_json(&p.attributes))
        .execute(&mut **tx)
        .await?;
        n += r.rows_affected();
    }
    Ok(n)
}

async fn write_profiles(tx: &mut Transaction<'_, Sqlite>, profiles: &[Profile]) -> Result<(u64, u64), StoreError> {
    const CHUNK: usize = 32;
    const COLS: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    // One key once per statement (SQLite cannot update a row twice in one UPSERT): keep the first.
    let mut seen = std::collections::HashSet::new();
    let unique: Vec<&Profile> = profiles.iter().filter(|p| seen.insert(p.key())).collect();
    let (mut n, mut levels) = (0, 0);
    for chunk in unique.chunks(CHUNK) {
        let mut sql = String::from(
            "INSERT INTO profiles (platform, cycle, direction, time, time_qc, lon, lat, position_qc, data_mode,
               data_centre, project_name, pi_name, platform_type, wmo_inst_type, positioning_system,
               vertical_sampling_scheme, config_mission_number, source_format, source_file, n_levels, params,
               source_rank, digest) VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(COLS);
        }
        sql.push_str(
            " ON CONFLICT (platform, cycle, direction) DO UPDATE SET time = excluded.time,
               time_qc = excluded.time_qc, lon = excluded.lon, lat = excluded.lat,
               position_qc = excluded.position_qc, data_mode = excluded.data_mode,
               data_centre = excluded.data_centre, project_name = excluded.project_name,
               pi_name = excluded.pi_name, platform_type = excluded.platform_type,
               wmo_inst_type = excluded.wmo_inst_type, positioning_system = excluded.positioning_system,
               vertical_sampling_scheme = excluded.vertical_sampling_scheme,
               config_mission_number = excluded.config_mission_number,
               source_format = excluded.source_format, source_file = excluded.source_file,
               n_levels = excluded.n_levels, params = excluded.params,
               source_rank = excluded.source_rank, digest = excluded.digest
             WHERE profiles.digest != excluded.digest AND (excluded.source_rank > profiles.source_rank
               OR (excluded.source_rank = profiles.source_rank AND excluded.source_file = profiles.source_file))
             RETURNING id, platform, cycle, direction",
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        let blobs: Vec<Vec<u8>> = chunk.iter().map(|p| encode_levels(&p.params)).collect();
        for (p, blob) in chunk.iter().zip(&blobs) {
            let (lon, lat) = p.position.map_or((None, None), |pt| (Some(pt.lon), Some(pt.lat)));
            let digest = profile_digest(p, blob);
            q = q
                .bind(p.platform.clone())
                .bind(p.cycle)
                .bind(p.direction.to_char().to_string())
                .bind(ts(p.time))
                .bind(p.time_qc.to_byte() as i64)
                .bind(lon)
                .bind(lat)
                .bind(p.position_qc.to_byte() as i64)
                .bind(p.data_mode.to_char().to_string())
                .bind(p.data_centre.clone())
                .bind(p.project_name.clone())
                .bind(p.pi_name.clone())
                .bind(p.platform_type.clone())
                .bind(p.wmo_inst_type.clone())
                .bind(p.positioning_system.clone())
                .bind(p.vertical_sampling_scheme.clone())
                .bind(p.config_mission_number)
                .bind(p.source_format.as_str())
                .bind(p.source_file.clone())
                .bind(p.n_levels() as i64)
                .bind(params_text(p))
                .bind(source_rank(p))
                .bind(digest);
        }
        let rows = q.fetch_all(&mut **tx).await?;
        if rows.is_empty() {
            continue;
        }
        // Index rows of what was written: R*Tree entries for profiles with a position and a time.
        let mut rtree: Vec<(i64, f64, f64, f64)> = Vec::new();
        let mut space: Vec<(i64, &Profile)> = Vec::new();
        let mut no_index: Vec<i64> = Vec::new();
        let mut level_rows: Vec<(i64, &[u8])> = Vec::new();
        for row in &rows {
            let (id, platform, cycle, dir): (i64, String, i32, String) =
                (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?);
            let Some(k) = chunk
                .iter()
                .position(|p| p.cycle == cycle && p.platform == platform && p.direction.to_char().to_string() == dir)
            else {
                continue;
            };
            let p = chunk[k];
            level_rows.push((id, &blobs[k]));
            n += 1;
            levels += p.n_levels() as u64;
            match (p.position, p.time) {
                (Some(pt), Some(t)) => {
                    rtree.push((id, pt.lon, pt.lat, t.timestamp() as f64 / 86_400.0));
                    space.push((id, p));
                }
                _ => no_index.push(id),
            }
        }
        write_space(tx, &space, &no_index).await?;
        let mut sql = String::from("INSERT OR REPLACE INTO profile_levels (id, levels) VALUES ");
        for i in 0..level_rows.len() {
            sql.push_str(if i == 0 { "(?, ?)" } else { ", (?, ?)" });
        }
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (id, blob) in &level_rows {
            q = q.bind(*id).bind(*blob);
        }
        q.execute(&mut **tx).await?;
        if !rtree.is_empty() {
            let mut sql = String::from("INSERT OR REPLACE INTO profiles_rtree VALUES ");
            for i in 0..rtree.len() {
                sql.push_str(if i == 0 { "(?, ?, ?, ?, ?, ?, ?)" } else { ", (?, ?, ?, ?, ?, ?, ?)" });
            }
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for (id, lon, lat, day) in rtree {
                q = q.bind(id).bind(lon).bind(lon).bind(lat).bind(lat).bind(day).bind(day);
            }
            q.execute(&mut **tx).await?;
        }
        for id in no_index {
            sqlx::query("DELETE FROM profiles_rtree WHERE id = ?").bind(id).execute(&mut **tx).await?;
        }
    }
    Ok((n, levels))
}

/// Replaces the `profile_space` rows of the profiles just written (`located`) and removes those of
/// profiles that lost their position or time (`unlocated`).
async fn write_space(
    tx: &mut Transaction<'_, Sqlite>,
    located: &[(i64, &Profile)],
    unlocated: &[i64],
) -> Result<(), StoreError> {
    let ids: Vec<i64> = located.iter().map(|(id, _)| *id).chain(unlocated.iter().copied()).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let mut q = sqlx::query(AssertSqlSafe(format!("DELETE FROM profile_space WHERE id IN ({marks})")));
    for id in &ids {
        q = q.bind(id);
    }
    q.execute(&mut **tx).await?;
    if located.is_empty() {
        return Ok(());
    }
    let mut q = sqlx::query(AssertSqlSafe(space_insert_sql(located.len())));
    for (id, p) in located {
        let (Some(pt), Some(t)) = (p.position, p.time) else { continue };
        q = q
            .bind(space_month(t))
            .bind(space_band(pt.lat))
            .bind(pt.lon)
            .bind(*id)
            .bind(pt.lat)
            .bind(t.timestamp())
            .bind(p.platform.clone())
            .bind(p.cycle)
            .bind(p.direction.to_char().to_string())
            .bind(p.data_mode.to_char().to_string())
            .bind(params_text(p))
            .bind(p.source_format.as_str())
            .bind(p.position_qc.to_byte() as i64)
            .bind(pt.lon.to_bits() as i64)
            .bind(pt.lat.to_bits() as i64);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

async fn write_series(tx: &mut Transaction<'_, Sqlite>, points: &[SeriesPoint]) -> Result<u64, StoreError> {
    const CHUNK: usize = 500;
    let mut n = 0;
    for chunk in points.chunks(CHUNK) {
        let mut sql = String::with_capacity(120 + chunk.len() * 20);
        sql.push_str("INSERT INTO series (platform, variable, time, depth, value, qc) VALUES ");
        for i in 0..chunk.len() {
            sql.push_str(if i == 0 { "(?, ?, ?, ?, ?, ?)" } else { ", (?, ?, ?, ?, ?, ?)" });
        }
        sql.push_str(
            " ON CONFLICT (platform, variable, time, depth) DO UPDATE SET value = excluded.value, qc = excluded.qc
              WHERE series.value IS NOT excluded.value OR series.qc IS NOT excluded.qc",
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for p in chunk {
            q = q
                .bind(&p.platform)
                .bind(&p.variable)
                .bind(p.time.timestamp())
                .bind(p.depth)
                .bind(p.value)
                .bind(p.qc.to_byte() as i64);
        }
        n += q.execute(&mut **tx).await?.rows_affected();
    }
    Ok(n)
}

async fn write_reef(tx: &mut Transaction<'_, Sqlite>, batch: &FileBatch) -> Result<(u64, u64), StoreError> {
    let mut sites = 0;
    for s in &batch.reef_sites {
        let c = ReefColumns::of(s);
        sites += sqlx::query(
            "INSERT INTO reef_sites (id, name, lon, lat, mmm, monthly_means, first_valid_dhw, first_valid_baa, polygon, digest)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, lon = excluded.lon, lat = excluded.lat,
               mmm = excluded.mmm, monthly_means = excluded.monthly_means, first_valid_dhw = excluded.first_valid_dhw,
               first_valid_baa = excluded.first_valid_baa, polygon = excluded.polygon, digest = excluded.digest
             WHERE reef_sites.digest != excluded.digest",
        )
        .bind(&s.id)
        .bind(&s.name)
        .bind(s.position.lon)
        .bind(s.position.lat)
        .bind(s.mmm)
        .bind(c.monthly_means)
        .bind(s.first_valid_dhw.map(|d| d.to_string()))
        .bind(s.first_valid_baa.map(|d| d.to_string()))
        .bind(c.polygon)
        .bind(c.digest)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    const CHUNK: usize = 300;
    let mut days = 0;
    for chunk in batch.heat_stress.chunks(CHUNK) {
        let mut sql = String::from(
            "INSERT INTO heat_stress (site, date, sst_min, sst_max, sst_90th_hs, ssta_90th_hs, hotspot, dhw, baa_7day_max) VALUES ",
        );
        for i in 0..chunk.len() {
            sql.push_str(if i == 0 { "(?, ?, ?, ?, ?, ?, ?, ?, ?)" } else { ", (?, ?, ?, ?, ?, ?, ?, ?, ?)" });
        }
        sql.push_str(
            " ON CONFLICT (site, date) DO UPDATE SET sst_min = excluded.sst_min, sst_max = excluded.sst_max,
               sst_90th_hs = excluded.sst_90th_hs, ssta_90th_hs = excluded.ssta_90th_hs, hotspot = excluded.hotspot,
               dhw = excluded.dhw, baa_7day_max = excluded.baa_7day_max
              WHERE heat_stress.sst_min IS NOT excluded.sst_min OR heat_stress.sst_max IS NOT excluded.sst_max
               OR heat_stress.sst_90th_hs IS NOT excluded.sst_90th_hs OR heat_stress.ssta_90th_hs IS NOT excluded.ssta_90th_hs
               OR heat_stress.hotspot IS NOT excluded.hotspot OR heat_stress.dhw IS NOT excluded.dhw
               OR heat_stress.baa_7day_max IS NOT excluded.baa_7day_max",
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for d in chunk {
            q = q
                .bind(&d.site)
                .bind(d.date.to_string())
                .bind(d.sst_min)
                .bind(d.sst_max)
                .bind(d.sst_90th_hs)
                .bind(d.ssta_90th_hs)
                .bind(d.hotspot)
                .bind(d.dhw)
                .bind(d.baa_7day_max.map(i64::from));
        }
        days += q.execute(&mut **tx).await?.rows_affected();
    }
    Ok((sites, days))
}

async fn write_index(tx: &mut Transaction<'_, Sqlite>, rows: &[IndexRow]) -> Result<u64, StoreError> {
    const CHUNK: usize = 400;
    let mut n = 0;
    for chunk in rows.chunks(CHUNK) {
        let mut sql = String::from(
            "INSERT INTO profile_index (file, time, lat, lon, ocean, profiler_type, institution, date_update) VALUES ",
        );
        for i in 0..chunk.len() {
            sql.push_str(if i == 0 { "(?, ?, ?, ?, ?, ?, ?, ?)" } else { ", (?, ?, ?, ?, ?, ?, ?, ?)" });
        }
        sql.push_str(
            " ON CONFLICT (file) DO UPDATE SET time = excluded.time, lat = excluded.lat, lon = excluded.lon,
               ocean = excluded.ocean, profiler_type = excluded.profiler_type, institution = excluded.institution,
               date_update = excluded.date_update
              WHERE profile_index.date_update IS NOT excluded.date_update OR profile_index.time IS NOT excluded.time
               OR profile_index.lat IS NOT excluded.lat OR profile_index.lon IS NOT excluded.lon",
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for r in chunk {
            q = q
                .bind(&r.file)
                .bind(ts(r.time))
                .bind(r.lat)
                .bind(r.lon)
                .bind(&r.ocean)
                .bind(r.profiler_type)
                .bind(&r.institution)
                .bind(ts(r.date_update));
        }
        n += q.execute(&mut **tx).await?.rows_affected();
    }
    Ok(n)
}

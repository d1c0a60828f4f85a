//! Writes of the PostgreSQL store: one file's batch in one transaction, array binds (`UNNEST`) for the
//! bulk tables, and the same UPSERT decisions as SQLite (digests, source ranks, values compared), so that
//! both backends store the same rows from the same files.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use model::{HeatStressDay, Platform, Profile, SeriesPoint};
use sqlx::{Postgres, Row, Transaction};

use crate::batch::{FileBatch, IndexRow};
use crate::codec::{encode_levels, profile_digest};
use crate::error::StoreError;
use crate::rows::{ReefColumns, attrs_to_json, clamp_date, nan_to_none, params_text, parse_attrs, source_rank, ts};

crate::queries::write::write_file!(Postgres, ingested_at: "to_timestamp($4)");

async fn write_platforms(tx: &mut Transaction<'_, Postgres>, platforms: &[Platform]) -> Result<u64, StoreError> {
    let mut n = 0;
    for p in platforms {
        let (lon, lat) = (p.position.map(|pt| pt.lon), p.position.map(|pt| pt.lat));
        let attrs = attrs_to_json(&p.attributes);
        let inserted = sqlx::query(
            "INSERT INTO platforms (id, kind, name, lon, lat, attributes) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&p.id)
        .bind(p.kind.as_str())
        .bind(&p.name)
        .bind(lon)
        .bind(lat)
        .bind(&attrs)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            n += 1;
            continue;
        }
        // Merge as the SQLite backend does: the new kind; a name or position the file lacks keeps the
        // stored one; attribute keys patched in place, new keys appended; unchanged rows untouched.
        let row = sqlx::query("SELECT kind, name, lon, lat, attributes FROM platforms WHERE id = $1 FOR UPDATE")
            .bind(&p.id)
            .fetch_one(&mut **tx)
            .await?;
        let (kind, name, old_lon, old_lat, old_attrs): (String, Option<String>, Option<f64>, Option<f64>, String) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?, row.try_get(4)?);
        let mut merged = parse_attrs(&old_attrs);
        for (k, v) in &p.attributes {
            match merged.iter_mut().find(|(mk, _)| mk == k) {
                Some(slot) => slot.1 = v.clone(),
                None => merged.push((k.clone(), v.clone())),
            }
        }
        let merged = attrs_to_json(&merged);
        let changed = kind != p.kind.as_str()
            || (p.name.is_some() && p.name != name)
            || (lon.is_some() && (lon != old_lon || lat != old_lat))
            || merged != old_attrs;
        if changed {
            sqlx::query(
                "UPDATE platforms SET kind = $2, name = coalesce($3, name), lon = coalesce($4, lon),
                   lat = coalesce($5, lat), attributes = $6 WHERE id = $1",
            )
            .bind(&p.id)
            .bind(p.kind.as_str())
            .bind(&p.name)
            .bind(lon)
            .bind(lat)
            .bind(merged)
            .execute(&mut **tx)
            .await?;
            n += 1;
        }
    }
    Ok(n)
}

async fn write_profiles(tx: &mut Transaction<'_, Postgres>, profiles: &[Profile]) -> Result<(u64, u64), StoreError> {
    const CHUNK: usize = 1000;
    // One key once per statement (ON CONFLICT cannot update a row twice): keep the first, as SQLite.
    let mut seen = HashSet::new();
    let unique: Vec<&Profile> = profiles.iter().filter(|p| seen.insert(p.key())).collect();
    let (mut n, mut levels) = (0, 0);
    for chunk in unique.chunks(CHUNK) {
        let blobs: Vec<Vec<u8>> = chunk.iter().map(|p| encode_levels(&p.params)).collect();
        let dirs: Vec<String> = chunk.iter().map(|p| p.direction.to_char().to_string()).collect();
        let rows = sqlx::query(
            "INSERT INTO profile_keys AS k (platform, cycle, direction, source_rank, source_file, digest)
             SELECT * FROM UNNEST($1::text[], $2::int4[], $3::text[], $4::int4[], $5::text[], $6::int8[])
             ON CONFLICT (platform, cycle, direction) DO UPDATE SET source_rank = excluded.source_rank,
               source_file = excluded.source_file, digest = excluded.digest
             WHERE k.digest <> excluded.digest AND (excluded.source_rank > k.source_rank
               OR (excluded.source_rank = k.source_rank AND excluded.source_file = k.source_file))
             RETURNING id, platform, cycle, direction, (xmax = 0) AS inserted",
        )
        .bind(chunk.iter().map(|p| p.platform.clone()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|p| p.cycle).collect::<Vec<_>>())
        .bind(&dirs)
        .bind(chunk.iter().map(|p| source_rank(p) as i32).collect::<Vec<_>>())
        .bind(chunk.iter().map(|p| p.source_file.clone()).collect::<Vec<_>>())
        .bind(chunk.iter().zip(&blobs).map(|(p, b)| profile_digest(p, b)).collect::<Vec<_>>())
        .fetch_all(&mut **tx)
        .await?;
        if rows.is_empty() {
            continue;
        }
        let index: HashMap<(&str, i32, &str), usize> =
            chunk.iter().enumerate().map(|(i, p)| ((p.platform.as_str(), p.cycle, dirs[i].as_str()), i)).collect();
        let mut ids = Vec::with_capacity(rows.len());
        let mut replaced = Vec::new();
        let mut picked = Vec::with_capacity(rows.len());
        for row in &rows {
            let (id, platform, cycle, dir, inserted): (i64, String, i32, String, bool) =
                (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?, row.try_get(4)?);
            let Some(&k) = index.get(&(platform.as_str(), cycle, dir.as_str())) else { continue };
            ids.push(id);
            if !inserted {
                replaced.push(id);
            }
            picked.push(k);
            n += 1;
            levels += chunk[k].n_levels() as u64;
        }
        if !replaced.is_empty() {
            // The old version may sit in another year's partition.
            sqlx::query("DELETE FROM profiles WHERE id = ANY($1)").bind(&replaced).execute(&mut **tx).await?;
        }
        let ps: Vec<&Profile> = picked.iter().map(|&k| chunk[k]).collect();
        let strs = |f: fn(&Profile) -> &str| ps.iter().map(|p| f(p).to_string()).collect::<Vec<String>>();
        sqlx::query(
            "WITH u AS (SELECT id, platform, cycle, direction, to_timestamp(t) AS time, time_qc, lon, lat,
                 position_qc, data_mode, data_centre, project_name, pi_name, platform_type, wmo_inst_type,
                 positioning_system, vertical_sampling_scheme, config_mission_number, source_format,
                 source_file, n_levels, params, levels
               FROM UNNEST($1::int8[], $2::text[], $3::int4[], $4::text[], $5::int8[], $6::int4[],
                 $7::float8[], $8::float8[], $9::int4[], $10::text[], $11::text[], $12::text[], $13::text[],
                 $14::text[], $15::text[], $16::text[], $17::text[], $18::int4[], $19::text[], $20::text[],
                 $21::int4[], $22::text[], $23::bytea[])
                 AS u(id, platform, cycle, direction, t, time_qc, lon, lat, position_qc, data_mode, data_centre,
                   project_name, pi_name, platform_type, wmo_inst_type, positioning_system,
                   vertical_sampling_scheme, config_mission_number, source_format, source_file, n_levels,
                   params, levels)),
             search AS (INSERT INTO profiles (id, platform, cycle, direction, time, time_qc, lon, lat,
                 position_qc, data_mode, data_centre, project_name, pi_name, platform_type, wmo_inst_type,
                 positioning_system, vertical_sampling_scheme, config_mission_number, source_format,
                 source_file, n_levels, params)
               SELECT id, platform, cycle, direction, time, time_qc, lon, lat, position_qc, data_mode,
                 data_centre, project_name, pi_name, platform_type, wmo_inst_type, positioning_system,
                 vertical_sampling_scheme, config_mission_number, source_format, source_file, n_levels, params
               FROM u)
             INSERT INTO profile_docs (id, platform, cycle, direction, time, time_qc, lon, lat, position_qc,
               data_mode, data_centre, project_name, pi_name, platform_type, wmo_inst_type, positioning_system,
               vertical_sampling_scheme, config_mission_number, source_format, source_file, levels)
             SELECT id, platform, cycle, direction, time, time_qc, lon, lat, position_qc, data_mode,
               data_centre, project_name, pi_name, platform_type, wmo_inst_type, positioning_system,
               vertical_sampling_scheme, config_mission_number, source_format, source_file, levels FROM u
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
        )
        .bind(&ids)
        .bind(strs(|p| &p.platform))
        .bind(ps.iter().map(|p| p.cycle).collect::<Vec<_>>())
        .bind(picked.iter().map(|&k| dirs[k].clone()).collect::<Vec<_>>())
        .bind(ps.iter().map(|p| ts(p.time)).collect::<Vec<_>>())
        .bind(ps.iter().map(|p| p.time_qc.to_byte() as i32).collect::<Vec<_>>())
        .bind(ps.iter().map(|p| p.position.map(|pt| pt.lon)).collect::<Vec<_>>())
        .bind(ps.iter().map(|p| p.position.map(|pt| pt.lat)).collect::<Vec<_>>())
        .bind(ps.iter().map(|p| p.position_qc.to_byte() as i32).collect::<Vec<_>>())
        .bind(ps.iter().map(|p| p.data_mode.to_char().to_string()).collect::<Vec<_>>())
        .bind(strs(|p| &p.data_centre))
        .bind(strs(|p| &p.project_name))
        .bind(strs(|p| &p.pi_name))
        .bind(strs(|p| &p.platform_type))
        .bind(strs(|p| &p.wmo_inst_type))
        .bind(strs(|p| &p.positioning_system))
        .bind(strs(|p| &p.vertical_sampling_scheme))
        .bind(ps.iter().map(|p| p.config_mission_number).collect::<Vec<_>>())
        .bind(strs(|p| p.source_format.as_str()))
        .bind(strs(|p| &p.source_file))
        .bind(ps.iter().map(|p| p.n_levels() as i32).collect::<Vec<_>>())
        .bind(ps.iter().map(|p| params_text(p)).collect::<Vec<_>>())
        .bind(picked.iter().map(|&k| blobs[k].clone()).collect::<Vec<_>>())
        .execute(&mut **tx)
        .await?;
    }
    Ok((n, levels))
}

async fn write_series(tx: &mut Transaction<'_, Postgres>, points: &[SeriesPoint]) -> Result<u64, StoreError> {
    const CHUNK: usize = 5000;
    // A key twice in one file: the last value wins, as the SQLite statements leave it.
    let mut last: HashMap<(&str, &str, i64, u64), usize> = HashMap::with_capacity(points.len());
    for (i, p) in points.iter().enumerate() {
        last.insert((&p.platform, &p.variable, p.time.timestamp(), p.depth.to_bits()), i);
    }
    let keep: Vec<&SeriesPoint> = points
        .iter()
        .enumerate()
        .filter(|(i, p)| last.get(&(&p.platform, &p.variable, p.time.timestamp(), p.depth.to_bits())) == Some(i))
        .map(|(_, p)| p)
        .collect();
    let mut n = 0;
    for chunk in keep.chunks(CHUNK) {
        n += sqlx::query(
            "INSERT INTO series AS s (platform, variable, time, depth, value, qc)
             SELECT platform, variable, to_timestamp(t), depth, value, qc
             FROM UNNEST($1::text[], $2::text[], $3::int8[], $4::float8[], $5::float8[], $6::int4[])
               AS u(platform, variable, t, depth, value, qc)
             ON CONFLICT (platform, variable, time, depth) DO UPDATE SET value = excluded.value, qc = excluded.qc
             WHERE s.value IS DISTINCT FROM excluded.value OR s.qc IS DISTINCT FROM excluded.qc",
        )
        .bind(chunk.iter().map(|p| p.platform.clone()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|p| p.variable.clone()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|p| p.time.timestamp()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|p| p.depth).collect::<Vec<_>>())
        .bind(chunk.iter().map(|p| p.value).collect::<Vec<_>>())
        .bind(chunk.iter().map(|p| p.qc.to_byte() as i32).collect::<Vec<_>>())
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    Ok(n)
}

async fn write_reef(tx: &mut Transaction<'_, Postgres>, batch: &FileBatch) -> Result<(u64, u64), StoreError> {
    let mut sites = 0;
    for s in &batch.reef_sites {
        // The same columns and digest as the SQLite backend.
        let c = ReefColumns::of(s);
        sites += sqlx::query(
            "INSERT INTO reef_sites AS r (id, name, lon, lat, mmm, monthly_means, first_valid_dhw, first_valid_baa,
               polygon, digest)
             VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8::date, $9, $10)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, lon = excluded.lon, lat = excluded.lat,
               mmm = excluded.mmm, monthly_means = excluded.monthly_means, first_valid_dhw = excluded.first_valid_dhw,
               first_valid_baa = excluded.first_valid_baa, polygon = excluded.polygon, digest = excluded.digest
             WHERE r.digest <> excluded.digest",
        )
        .bind(&s.id)
        .bind(&s.name)
        .bind(s.position.lon)
        .bind(s.position.lat)
        .bind(nan_to_none(s.mmm))
        .bind(c.monthly_means)
        .bind(s.first_valid_dhw.map(clamp_date))
        .bind(s.first_valid_baa.map(clamp_date))
        .bind(c.polygon)
        .bind(c.digest)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    const CHUNK: usize = 2000;
    let mut last: HashMap<(&str, NaiveDate), usize> = HashMap::new();
    for (i, d) in batch.heat_stress.iter().enumerate() {
        last.insert((&d.site, d.date), i);
    }
    let keep: Vec<&HeatStressDay> = batch
        .heat_stress
        .iter()
        .enumerate()
        .filter(|(i, d)| last.get(&(&d.site, d.date)) == Some(i))
        .map(|x| x.1)
        .collect();
    let mut days = 0;
    for chunk in keep.chunks(CHUNK) {
        let col = |f: fn(&HeatStressDay) -> Option<f64>| chunk.iter().map(|d| nan_to_none(f(d))).collect::<Vec<_>>();
        days += sqlx::query(
            "INSERT INTO heat_stress AS h (site, date, sst_min, sst_max, sst_90th_hs, ssta_90th_hs, hotspot, dhw,
               baa_7day_max)
             SELECT site, d::date, sst_min, sst_max, sst_90th_hs, ssta_90th_hs, hotspot, dhw, baa
             FROM UNNEST($1::text[], $2::text[], $3::float8[], $4::float8[], $5::float8[], $6::float8[],
               $7::float8[], $8::float8[], $9::int4[])
               AS u(site, d, sst_min, sst_max, sst_90th_hs, ssta_90th_hs, hotspot, dhw, baa)
             ON CONFLICT (site, date) DO UPDATE SET sst_min = excluded.sst_min, sst_max = excluded.sst_max,
               sst_90th_hs = excluded.sst_90th_hs, ssta_90th_hs = excluded.ssta_90th_hs, hotspot = excluded.hotspot,
               dhw = excluded.dhw, baa_7day_max = excluded.baa_7day_max
             WHERE (h.sst_min, h.sst_max, h.sst_90th_hs, h.ssta_90th_hs, h.hotspot, h.dhw, h.baa_7day_max)
               IS DISTINCT FROM (excluded.sst_min, excluded.sst_max, excluded.sst_90th_hs, excluded.ssta_90th_hs,
               excluded.hotspot, excluded.dhw, excluded.baa_7day_max)",
        )
        .bind(chunk.iter().map(|d| d.site.clone()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|d| clamp_date(d.date)).collect::<Vec<_>>())
        .bind(col(|d| d.sst_min))
        .bind(col(|d| d.sst_max))
        .bind(col(|d| d.sst_90th_hs))
        .bind(col(|d| d.ssta_90th_hs))
        .bind(col(|d| d.hotspot))
        .bind(col(|d| d.dhw))
        .bind(chunk.iter().map(|d| d.baa_7day_max.map(i32::from)).collect::<Vec<_>>())
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    Ok((sites, days))
}

async fn write_index(tx: &mut Transaction<'_, Postgres>, rows: &[IndexRow]) -> Result<u64, StoreError> {
    const CHUNK: usize = 5000;
    let mut last: HashMap<&str, usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        last.insert(&r.file, i);
    }
    let keep: Vec<&IndexRow> =
        rows.iter().enumerate().filter(|(i, r)| last.get(r.file.as_str()) == Some(i)).map(|x| x.1).collect();
    let mut n = 0;
    for chunk in keep.chunks(CHUNK) {
        n += sqlx::query(
            "INSERT INTO profile_index AS x (file, time, lat, lon, ocean, profiler_type, institution, date_update)
             SELECT file, to_timestamp(t), lat, lon, ocean, profiler_type, institution, to_timestamp(du)
             FROM UNNEST($1::text[], $2::int8[], $3::float8[], $4::float8[], $5::text[], $6::int4[], $7::text[],
               $8::int8[]) AS u(file, t, lat, lon, ocean, profiler_type, institution, du)
             ON CONFLICT (file) DO UPDATE SET time = excluded.time, lat = excluded.lat, lon = excluded.lon,
               ocean = excluded.ocean, profiler_type = excluded.profiler_type, institution = excluded.institution,
               date_update = excluded.date_update
             WHERE (x.date_update, x.time, x.lat, x.lon)
               IS DISTINCT FROM (excluded.date_update, excluded.time, excluded.lat, excluded.lon)",
        )
        .bind(chunk.iter().map(|r| r.file.clone()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| ts(r.time)).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| nan_to_none(r.lat)).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| nan_to_none(r.lon)).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| r.ocean.clone()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| r.profiler_type).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| r.institution.clone()).collect::<Vec<_>>())
        .bind(chunk.iter().map(|r| ts(r.date_update)).collect::<Vec<_>>())
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    Ok(n)
}

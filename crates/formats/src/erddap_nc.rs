//! ERDDAP tabledap `.nc` responses of the ArgoFloats datasets (core, synthetic-BGC, reference): one row per
//! level along a `row` dimension, grouped back into profiles by (platform, cycle, direction).
//!
//! Variable names are ERDDAP's lower-case Argo names (`pres`, `temp_adjusted`, `doxy_qc`); `time` is
//! seconds since 1970-01-01. A column absent from the response stays absent (or blank) in the profile.

use chrono::{TimeZone, Utc};
use model::{DataMode, Direction, ParamColumn, Platform, PlatformKind, Point, Profile, QcFlag, SourceFormat};

use crate::netcdf::{NcFile, NcType, Var};
use crate::{Dataset, Diagnostic, FormatError, Parsed};

/// Columns that describe the profile rather than a parameter.
const META: &[&str] = &[
    "platform_number",
    "cycle_number",
    "direction",
    "data_mode",
    "time",
    "time_qc",
    "latitude",
    "longitude",
    "position_qc",
    "vertical_sampling_scheme",
    "config_mission_number",
    "data_centre",
    "project_name",
    "pi_name",
    "platform_type",
    "wmo_inst_type",
    "positioning_system",
    "time_location",
    "row_size",
];

fn fill(v: &Var) -> f64 {
    v.attr("_FillValue").or_else(|| v.attr("missing_value")).and_then(|a| a.as_f64()).unwrap_or(99_999.0)
}

fn numbers(nc: &NcFile, name: &str) -> Result<Option<Vec<f64>>, FormatError> {
    let Some(v) = nc.var(name) else { return Ok(None) };
    let f = fill(v);
    Ok(Some(nc.f64s(v)?.into_iter().map(|x| if x == f || !x.is_finite() { f64::NAN } else { x }).collect()))
}

/// Per-row strings of a `[row, strlen]` char variable, or single chars of a `[row]` one.
fn row_strings(nc: &NcFile, name: &str, n: usize) -> Result<Option<Vec<String>>, FormatError> {
    let Some(v) = nc.var(name) else { return Ok(None) };
    if v.ty != NcType::Char {
        return Ok(None);
    }
    if v.shape.len() == 1 {
        let b = nc.chars(v)?;
        return Ok(Some(
            (0..n).map(|i| (b.get(i).copied().unwrap_or(b' ') as char).to_string().trim().to_string()).collect(),
        ));
    }
    Ok(Some(nc.strings(v)?))
}

pub fn read(bytes: &[u8], source_file: &str) -> Result<Parsed, FormatError> {
    read_nc(&NcFile::parse(bytes)?, source_file)
}

/// [`read`] over an already parsed file.
pub fn read_nc(nc: &NcFile, source_file: &str) -> Result<Parsed, FormatError> {
    let n = nc.dim("row").ok_or_else(|| FormatError::Layout("no row dimension".into()))?.len;
    if n == 0 {
        return Err(FormatError::NoRecords("the response has 0 rows".into()));
    }
    let platforms =
        row_strings(nc, "platform_number", n)?.ok_or_else(|| FormatError::MissingVariable("platform_number".into()))?;
    let cycles = numbers(nc, "cycle_number")?.ok_or_else(|| FormatError::MissingVariable("cycle_number".into()))?;
    let times = numbers(nc, "time")?.ok_or_else(|| FormatError::MissingVariable("time".into()))?;
    let lats = numbers(nc, "latitude")?.unwrap_or_else(|| vec![f64::NAN; n]);
    let lons = numbers(nc, "longitude")?.unwrap_or_else(|| vec![f64::NAN; n]);
    let s = |name| row_strings(nc, name, n).map(|o| o.unwrap_or_else(|| vec![String::new(); n]));
    let direction = s("direction")?;
    let data_mode = s("data_mode")?;
    let time_qc = s("time_qc")?;
    let position_qc = s("position_qc")?;
    let vss = s("vertical_sampling_scheme")?;
    let missions = numbers(nc, "config_mission_number")?.unwrap_or_else(|| vec![f64::NAN; n]);

    // Parameters: numeric columns that are not metadata nor a suffix of another parameter.
    let mut params: Vec<&str> = Vec::new();
    for v in &nc.vars {
        let name = v.name;
        if META.contains(&name)
            || v.ty == NcType::Char
            || name.ends_with("_adjusted")
            || name.ends_with("_adjusted_error")
        {
            continue;
        }
        params.push(name);
    }
    // Argo's order: PRES, TEMP, PSAL, then the others as the response lists them.
    let rank = |p: &str| ["pres", "temp", "psal"].iter().position(|&c| c == p).unwrap_or(3);
    params.sort_by_key(|p| rank(p));
    struct Col {
        name: String,
        values: Vec<f64>,
        qc: Option<Vec<String>>,
        adjusted: Option<Vec<f64>>,
        adjusted_qc: Option<Vec<String>>,
        adjusted_error: Option<Vec<f64>>,
    }
    let mut cols = Vec::new();
    for p in &params {
        cols.push(Col {
            name: p.to_uppercase(),
            values: numbers(nc, p)?.unwrap_or_default(),
            qc: row_strings(nc, &format!("{p}_qc"), n)?,
            adjusted: numbers(nc, &format!("{p}_adjusted"))?,
            adjusted_qc: row_strings(nc, &format!("{p}_adjusted_qc"), n)?,
            adjusted_error: numbers(nc, &format!("{p}_adjusted_error"))?,
        });
    }

    // Group rows by profile key, keeping first-seen order.
    let mut order: Vec<(String, i32, Direction)> = Vec::new();
    let mut rows_of: std::collections::HashMap<(String, i32, Direction), Vec<usize>> = Default::default();
    let mut diagnostics = Vec::new();
    for r in 0..n {
        if platforms[r].is_empty() || cycles[r].is_nan() {
            diagnostics.push(Diagnostic::new(format!("row {r}"), "no platform_number or cycle_number: skipped"));
            continue;
        }
        let dir = direction[r].bytes().next().and_then(Direction::from_char).unwrap_or(Direction::Ascending);
        let key = (platforms[r].clone(), cycles[r] as i32, dir);
        rows_of
            .entry(key.clone())
            .or_insert_with(|| {
                order.push(key.clone());
                Vec::new()
            })
            .push(r);
    }
    let qc_of = |v: &Option<Vec<String>>, rows: &[usize]| {
        v.as_ref()
            .map(|v| rows.iter().map(|&r| QcFlag::from_char(v[r].bytes().next().unwrap_or(b' '))).collect::<Vec<_>>())
    };
    let f32_of = |v: &[f64], rows: &[usize]| rows.iter().map(|&r| v[r] as f32).collect::<Vec<f32>>();
    let mut profiles = Vec::new();
    let mut platforms_out: Vec<Platform> = Vec::new();
    for key in order {
        let rows = &rows_of[&key];
        let r0 = rows[0];
        let mut prof = Profile::empty(key.0.clone(), key.1, key.2);
        prof.time = if times[r0].is_nan() { None } else { Utc.timestamp_opt(times[r0].round() as i64, 0).single() };
        prof.time_qc = QcFlag::from_char(time_qc[r0].bytes().next().unwrap_or(b' '));
        prof.position = if lats[r0].is_nan() || lons[r0].is_nan() { None } else { Point::new(lons[r0], lats[r0]).ok() };
        prof.position_qc = QcFlag::from_char(position_qc[r0].bytes().next().unwrap_or(b' '));
        let mode = data_mode[r0].bytes().next().and_then(DataMode::from_char);
        prof.data_mode = mode.unwrap_or(DataMode::RealTime);
        prof.vertical_sampling_scheme = vss[r0].clone();
        prof.config_mission_number = (!missions[r0].is_nan()).then(|| missions[r0] as i32);
        prof.source_format = SourceFormat::ErddapNc;
        prof.source_file = source_file.to_string();
        for c in &cols {
            let adjusted = c.adjusted.as_ref().map(|v| f32_of(v, rows));
            // Without a data_mode column, adjusted values present mean the parameter was adjusted.
            let pmode = mode.unwrap_or(if adjusted.as_ref().is_some_and(|a| a.iter().any(|x| !x.is_nan())) {
                DataMode::Adjusted
            } else {
                DataMode::RealTime
            });
            prof.params.push(ParamColumn {
                name: c.name.clone(),
                data_mode: pmode,
                values: f32_of(&c.values, rows),
                qc: qc_of(&c.qc, rows).unwrap_or_else(|| vec![QcFlag::BLANK; rows.len()]),
                adjusted,
                adjusted_qc: qc_of(&c.adjusted_qc, rows),
                adjusted_error: c.adjusted_error.as_ref().map(|v| f32_of(v, rows)),
            });
        }
        if mode.is_none() {
            prof.data_mode = prof.params.first().map_or(DataMode::RealTime, |c| c.data_mode);
        }
        if !platforms_out.iter().any(|p| p.id == prof.platform) {
            platforms_out.push(Platform::new(prof.platform.clone(), PlatformKind::ArgoFloat));
        }
        profiles.push(prof);
    }
    if profiles.is_empty() {
        return Err(FormatError::NoRecords("no row names a platform and cycle".into()));
    }
    Ok(Parsed { dataset: Dataset::Profiles { platforms: platforms_out, profiles }, diagnostics })
}

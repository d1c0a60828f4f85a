//! Argo GDAC NetCDF: single- and multi-profile files (core `R`/`D`, BGC synthetic `SR`/`SD`, `*_prof.nc`)
//! and float metadata (`*_meta.nc`), following the Argo user's manual (format 3.1).
//!
//! Rules: fill values (`_FillValue`, 99999 for levels, 999999 for JULD) become missing (`NaN` / `None`);
//! JULD (days since `REFERENCE_DATE_TIME`, 1950-01-01) becomes UTC rounded to the second; QC characters
//! become [`QcFlag`]s; padded strings are trimmed. A level is kept when its pressure (raw or adjusted) is
//! present; trailing padding levels go. Each parameter's data mode is `PARAMETER_DATA_MODE` when the file
//! has it, else the profile's `DATA_MODE`. BGC synthetic files have no `DATA_MODE`: the profile's mode is
//! the least processed of its parameters' (R, then A, then D).

use chrono::{DateTime, TimeZone, Utc};
use model::{DataMode, Direction, ParamColumn, Platform, PlatformKind, Point, Profile, QcFlag, SourceFormat};

use crate::netcdf::{NcFile, Var, trim_str};
use crate::{Dataset, Diagnostic, FormatError, Parsed};

/// Seconds from the Unix epoch to 1950-01-01T00:00:00Z, Argo's reference date.
const ARGO_EPOCH_S: i64 = -631_152_000;

/// Converts Argo JULD (days since 1950-01-01) to UTC, rounded to the second; `None` for fill or nonsense.
pub fn juld_to_utc(juld: f64) -> Option<DateTime<Utc>> {
    if !juld.is_finite() || !(-1.0e6..999_990.0).contains(&juld) {
        return None;
    }
    let secs = (juld * 86_400.0).round() as i64 + ARGO_EPOCH_S;
    Utc.timestamp_opt(secs, 0).single()
}

/// Parses `YYYYMMDDHHMISS` (Argo DATE_TIME) as UTC.
pub fn parse_argo_datetime(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.len() != 14 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    chrono::NaiveDateTime::parse_from_str(s, "%Y%m%d%H%M%S").ok().map(|t| t.and_utc())
}

/// Values as f64; a float32 variable is widened through its shortest decimal form (40.261f32 becomes
/// 40.261, not 40.26100158691406), so positions read as the file shows them.
fn decimal_f64s(nc: &NcFile, v: &Var) -> Result<Vec<f64>, FormatError> {
    if v.ty == crate::netcdf::NcType::Float {
        return Ok(nc.f32s(v)?.into_iter().map(|x| format!("{x}").parse().unwrap_or(f64::NAN)).collect());
    }
    nc.f64s(v)
}

fn fill_of(v: &Var, default: f64) -> f64 {
    v.attr("_FillValue").and_then(|a| a.as_f64()).unwrap_or(default)
}

/// Per-profile strings of a `[N_PROF, STRINGn]` variable (empty strings if absent).
fn prof_strings(nc: &NcFile, name: &str, n_prof: usize) -> Result<Vec<String>, FormatError> {
    match nc.var(name) {
        Some(v) if v.shape.first() == Some(&n_prof) => nc.strings(v),
        Some(v) if n_prof == 1 && v.shape.len() == 1 => nc.strings(v),
        _ => Ok(vec![String::new(); n_prof]),
    }
}

/// Per-profile single characters of a `[N_PROF]` char variable (spaces if absent).
fn prof_chars(nc: &NcFile, name: &str, n_prof: usize) -> Result<Vec<u8>, FormatError> {
    match nc.var(name) {
        Some(v) => {
            let b = nc.chars(v)?;
            Ok((0..n_prof).map(|i| b.get(i).copied().unwrap_or(b' ')).collect())
        }
        None => Ok(vec![b' '; n_prof]),
    }
}

/// A `[N_PROF, N_LEVELS]` float parameter with fill → NaN.
fn levels_f32(nc: &NcFile, name: &str) -> Result<Option<Vec<f32>>, FormatError> {
    let Some(v) = nc.var(name) else { return Ok(None) };
    let fill = fill_of(v, 99_999.0);
    let mut vals = nc.f32s(v)?;
    let fill32 = fill as f32;
    for x in vals.iter_mut() {
        if *x == fill32 || (fill >= 99_999.0 && *x >= 99_999.0) || !x.is_finite() {
            *x = f32::NAN;
        }
    }
    Ok(Some(vals))
}

fn levels_qc(nc: &NcFile, name: &str) -> Result<Option<Vec<u8>>, FormatError> {
    match nc.var(name) {
        Some(v) => Ok(Some(nc.chars(v)?.into_owned())),
        None => Ok(None),
    }
}

/// The arrays of one parameter over all profiles of the file.
struct ParamArrays {
    name: String,
    values: Option<Vec<f32>>,
    qc: Option<Vec<u8>>,
    adjusted: Option<Vec<f32>>,
    adjusted_qc: Option<Vec<u8>>,
    adjusted_error: Option<Vec<f32>>,
}

/// Reads every profile of a GDAC profile file (`N_PROF` ≥ 1).
pub fn read_profiles(bytes: &[u8], source_file: &str) -> Result<Parsed, FormatError> {
    read_profiles_nc(&NcFile::parse(bytes)?, source_file)
}

/// [`read_profiles`] over an already parsed file.
pub fn read_profiles_nc(nc: &NcFile, source_file: &str) -> Result<Parsed, FormatError> {
    let n_prof = nc.dim("N_PROF").ok_or_else(|| FormatError::Layout("no N_PROF dimension".into()))?.len;
    let n_levels = nc.dim("N_LEVELS").map_or(0, |d| d.len);
    let mut diagnostics = Vec::new();
    if n_prof == 0 {
        return Err(FormatError::NoRecords("N_PROF is 0".into()));
    }
    for required in ["PLATFORM_NUMBER", "CYCLE_NUMBER", "JULD", "LATITUDE", "LONGITUDE", "PRES"] {
        if nc.var(required).is_none() {
            return Err(FormatError::MissingVariable(required.into()));
        }
    }
    let platforms = prof_strings(nc, "PLATFORM_NUMBER", n_prof)?;
    let project = prof_strings(nc, "PROJECT_NAME", n_prof)?;
    let pi = prof_strings(nc, "PI_NAME", n_prof)?;
    let centre = prof_strings(nc, "DATA_CENTRE", n_prof)?;
    let ptype = prof_strings(nc, "PLATFORM_TYPE", n_prof)?;
    let wmo = prof_strings(nc, "WMO_INST_TYPE", n_prof)?;
    let possys = prof_strings(nc, "POSITIONING_SYSTEM", n_prof)?;
    let vss = prof_strings(nc, "VERTICAL_SAMPLING_SCHEME", n_prof)?;
    let serial = prof_strings(nc, "FLOAT_SERIAL_NO", n_prof)?;
    let firmware = prof_strings(nc, "FIRMWARE_VERSION", n_prof)?;
    let direction = prof_chars(nc, "DIRECTION", n_prof)?;
    let data_mode = prof_chars(nc, "DATA_MODE", n_prof)?;
    let juld_qc = prof_chars(nc, "JULD_QC", n_prof)?;
    let pos_qc = prof_chars(nc, "POSITION_QC", n_prof)?;
    let var = |n: &str| nc.var(n).ok_or_else(|| FormatError::MissingVariable(n.into()));
    let cycle_var = var("CYCLE_NUMBER")?;
    let cycle_fill = fill_of(cycle_var, 99_999.0) as i32;
    let cycles = nc.i32s(cycle_var)?;
    let juld = nc.f64s(var("JULD")?)?;
    let lat_v = var("LATITUDE")?;
    let lon_v = var("LONGITUDE")?;
    let (lat_fill, lon_fill) = (fill_of(lat_v, 99_999.0), fill_of(lon_v, 99_999.0));
    let lats = decimal_f64s(nc, lat_v)?;
    let lons = decimal_f64s(nc, lon_v)?;
    let missions = match nc.var("CONFIG_MISSION_NUMBER") {
        Some(v) => {
            let fill = fill_of(v, 99_999.0) as i32;
            nc.i32s(v)?.into_iter().map(|m| (m != fill).then_some(m)).collect()
        }
        None => vec![None; n_prof],
    };

    // STATION_PARAMETERS [N_PROF, N_PARAM, STRINGn] and PARAMETER_DATA_MODE [N_PROF, N_PARAM].
    let n_param = nc.dim("N_PARAM").map_or(0, |d| d.len);
    let station_params: Vec<Vec<String>> = match nc.var("STATION_PARAMETERS") {
        Some(v) => {
            let all = nc.strings(v)?;
            (0..n_prof)
                .map(|p| all.iter().skip(p * n_param).take(n_param).filter(|s| !s.is_empty()).cloned().collect())
                .collect()
        }
        None => vec![Vec::new(); n_prof],
    };
    let param_modes: Option<Vec<u8>> = match nc.var("PARAMETER_DATA_MODE") {
        Some(v) => Some(nc.chars(v)?.into_owned()),
        None => None,
    };

    // The union of parameters in file order, PRES first.
    let mut names: Vec<String> = vec!["PRES".to_string()];
    for list in &station_params {
        for p in list {
            if !names.contains(p) && nc.var(p).is_some() {
                names.push(p.clone());
            }
        }
    }
    if station_params.iter().all(|l| l.is_empty()) {
        for p in ["TEMP", "PSAL"] {
            if nc.var(p).is_some() {
                names.push(p.to_string());
            }
        }
    }
    let mut arrays = Vec::with_capacity(names.len());
    for name in &names {
        let a = ParamArrays {
            values: levels_f32(nc, name)?,
            qc: levels_qc(nc, &format!("{name}_QC"))?,
            adjusted: levels_f32(nc, &format!("{name}_ADJUSTED"))?,
            adjusted_qc: levels_qc(nc, &format!("{name}_ADJUSTED_QC"))?,
            adjusted_error: levels_f32(nc, &format!("{name}_ADJUSTED_ERROR"))?,
            name: name.clone(),
        };
        for (what, len) in [
            ("", a.values.as_ref().map(Vec::len)),
            ("_QC", a.qc.as_ref().map(Vec::len)),
            ("_ADJUSTED", a.adjusted.as_ref().map(Vec::len)),
        ] {
            if let Some(len) = len
                && len != n_prof * n_levels
            {
                return Err(FormatError::Layout(format!(
                    "{name}{what} has {len} values, expected N_PROF×N_LEVELS = {}",
                    n_prof * n_levels
                )));
            }
        }
        arrays.push(a);
    }

    let mut profiles: Vec<Profile> = Vec::with_capacity(n_prof);
    let mut seen = std::collections::HashSet::new();
    for p in 0..n_prof {
        let loc = || format!("profile {p}");
        let platform = platforms[p].clone();
        if platform.is_empty() {
            diagnostics.push(Diagnostic::new(loc(), "no PLATFORM_NUMBER: skipped"));
            continue;
        }
        if cycles[p] == cycle_fill || cycles[p] < 0 {
            diagnostics.push(Diagnostic::new(loc(), "no CYCLE_NUMBER: skipped"));
            continue;
        }
        let dir = Direction::from_char(direction[p]).unwrap_or(Direction::Ascending);
        let mut prof = Profile::empty(platform, cycles[p], dir);
        if !seen.insert(prof.key()) {
            diagnostics.push(Diagnostic::new(
                loc(),
                format!(
                    "same platform, cycle and direction as an earlier profile ({}), skipped: {}",
                    prof.key().id(),
                    if vss[p].is_empty() { "no sampling scheme given" } else { &vss[p] }
                ),
            ));
            continue;
        }
        prof.time = juld_to_utc(juld[p]);
        prof.time_qc = QcFlag::from_char(juld_qc[p]);
        let (lat, lon) = (lats[p], lons[p]);
        prof.position = if lat == lat_fill || lon == lon_fill { None } else { Point::new(lon, lat).ok() };
        if prof.position.is_none() && !(lat == lat_fill || lon == lon_fill) {
            diagnostics.push(Diagnostic::new(
                loc(),
                format!("position lat {lat} lon {lon} is invalid: kept without position"),
            ));
        }
        prof.position_qc = QcFlag::from_char(pos_qc[p]);
        prof.data_centre = centre[p].clone();
        prof.project_name = project[p].clone();
        prof.pi_name = pi[p].clone();
        prof.platform_type = ptype[p].clone();
        prof.wmo_inst_type = wmo[p].clone();
        prof.positioning_system = possys[p].clone();
        prof.vertical_sampling_scheme = vss[p].clone();
        prof.config_mission_number = missions[p];
        prof.source_format = SourceFormat::ArgoNetcdf;
        prof.source_file = source_file.to_string();
        let profile_mode = DataMode::from_char(data_mode[p]);

        // Which levels exist: pressure present (raw or adjusted).
        let base = p * n_levels;
        let pres = &arrays[0];
        let keep: Vec<usize> = (0..n_levels)
            .filter(|&l| {
                let raw = pres.values.as_ref().is_some_and(|v| !v[base + l].is_nan());
                let adj = pres.adjusted.as_ref().is_some_and(|v| !v[base + l].is_nan());
                raw || adj
            })
            .collect();
        let own_params = &station_params[p];
        let mut modes = Vec::new();
        for a in &arrays {
            let listed = own_params.iter().position(|s| s == &a.name);
            if !own_params.is_empty() && listed.is_none() {
                continue;
            }
            let mode = listed
                .and_then(|k| {
                    param_modes.as_ref().and_then(|m| m.get(p * n_param + k)).and_then(|&c| DataMode::from_char(c))
                })
                .or(profile_mode)
                .unwrap_or(DataMode::RealTime);
            modes.push(mode);
            let take_f =
                |v: &Option<Vec<f32>>| v.as_ref().map(|v| keep.iter().map(|&l| v[base + l]).collect::<Vec<f32>>());
            let take_q = |v: &Option<Vec<u8>>| {
                v.as_ref().map(|v| {
                    keep.iter()
                        .map(|&l| QcFlag::from_char(v.get(base + l).copied().unwrap_or(b' ')))
                        .collect::<Vec<_>>()
                })
            };
            let values = take_f(&a.values).unwrap_or_else(|| vec![f32::NAN; keep.len()]);
            let qc = take_q(&a.qc).unwrap_or_else(|| vec![QcFlag::BLANK; keep.len()]);
            prof.params.push(ParamColumn {
                name: a.name.clone(),
                data_mode: mode,
                values,
                qc,
                adjusted: take_f(&a.adjusted),
                adjusted_qc: take_q(&a.adjusted_qc),
                adjusted_error: take_f(&a.adjusted_error),
            });
        }
        prof.data_mode = profile_mode.unwrap_or_else(|| least_processed(&modes));
        if keep.is_empty() {
            diagnostics.push(Diagnostic::new(loc(), "no level has a pressure: kept with 0 levels"));
        }
        profiles.push(prof);
    }
    if profiles.is_empty() {
        return Err(FormatError::NoRecords(format!("none of the {n_prof} profiles could be read")));
    }
    let mut platforms_out: Vec<Platform> = Vec::new();
    for (p, prof) in profiles.iter().enumerate() {
        if platforms_out.iter().any(|x| x.id == prof.platform) {
            continue;
        }
        let mut pl = Platform::new(prof.platform.clone(), PlatformKind::ArgoFloat);
        let idx = platforms.iter().position(|x| x == &prof.platform).unwrap_or(p);
        for (k, v) in [
            ("project_name", &project[idx]),
            ("pi_name", &pi[idx]),
            ("data_centre", &centre[idx]),
            ("platform_type", &ptype[idx]),
            ("wmo_inst_type", &wmo[idx]),
            ("float_serial_no", &serial[idx]),
            ("firmware_version", &firmware[idx]),
        ] {
            if !v.is_empty() {
                pl.attributes.push((k.to_string(), v.clone()));
            }
        }
        platforms_out.push(pl);
    }
    Ok(Parsed { dataset: Dataset::Profiles { platforms: platforms_out, profiles }, diagnostics })
}

fn least_processed(modes: &[DataMode]) -> DataMode {
    if modes.is_empty() || modes.contains(&DataMode::RealTime) {
        DataMode::RealTime
    } else if modes.contains(&DataMode::Adjusted) {
        DataMode::Adjusted
    } else {
        DataMode::Delayed
    }
}

/// Reads a float metadata file (`*_meta.nc`) into a [`Platform`] with its attributes: every scalar text
/// variable (lower-cased name), sensor and parameter lists joined with `; `, launch position and dates.
pub fn read_meta(bytes: &[u8]) -> Result<Parsed, FormatError> {
    read_meta_nc(&NcFile::parse(bytes)?)
}

/// [`read_meta`] over an already parsed file.
pub fn read_meta_nc(nc: &NcFile) -> Result<Parsed, FormatError> {
    let id = nc.var("PLATFORM_NUMBER").ok_or_else(|| FormatError::MissingVariable("PLATFORM_NUMBER".into()))?;
    let id = trim_str(&nc.chars(id)?);
    if id.is_empty() {
        return Err(FormatError::NoRecords("PLATFORM_NUMBER is empty".into()));
    }
    let mut pl = Platform::new(id, PlatformKind::ArgoFloat);
    let list_dims = ["N_SENSOR", "N_PARAM", "N_POSITIONING_SYSTEM", "N_TRANS_SYSTEM"];
    let mut diagnostics = Vec::new();
    for v in &nc.vars {
        if v.name == "PLATFORM_NUMBER" {
            continue;
        }
        let dim_names: Vec<&str> = v.dim_ids.iter().map(|&d| nc.dims[d].name).collect();
        let key = v.name.to_lowercase();
        match v.ty {
            crate::netcdf::NcType::Char => {
                let value = if dim_names.len() <= 1 {
                    nc.strings(v)?.join("")
                } else if dim_names.len() == 2 && list_dims.contains(&dim_names[0]) {
                    nc.strings(v)?.into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join("; ")
                } else {
                    continue;
                };
                if value.is_empty() {
                    continue;
                }
                let value = if dim_names.last() == Some(&"DATE_TIME") {
                    match parse_argo_datetime(&value) {
                        Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        None => {
                            diagnostics.push(Diagnostic::new(
                                format!("variable {}", v.name),
                                format!("date {value:?} is not YYYYMMDDHHMISS"),
                            ));
                            value
                        }
                    }
                } else {
                    value
                };
                pl.attributes.push((key, value));
            }
            _ if dim_names.is_empty() => {
                let x = nc.f64s(v)?.first().copied().unwrap_or(f64::NAN);
                let fill = fill_of(v, 99_999.0);
                if x.is_finite() && x != fill {
                    pl.attributes.push((key, format!("{x}")));
                }
            }
            _ => {}
        }
    }
    let num = |k: &str| pl.attribute(k).and_then(|s| s.parse::<f64>().ok());
    if let (Some(lat), Some(lon)) = (num("launch_latitude"), num("launch_longitude")) {
        pl.position = Point::new(lon, lat).ok();
    }
    Ok(Parsed { dataset: Dataset::Platforms(vec![pl]), diagnostics })
}

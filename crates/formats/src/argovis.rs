//! Argovis (v2 API) profile documents: `[{"_id", "geolocation", "timestamp", "data_info", "data", ...}]`.
//!
//! Argovis serves the best value of each variable: adjusted where the data mode is A or D. We store those
//! values as `adjusted` for A/D variables and as raw `values` for R, so [`model::ParamColumn::best`] gives
//! back exactly what Argovis sent. `<var>_argoqc` rows become the QC flags of `<var>`.

use chrono::{DateTime, Utc};
use model::{DataMode, Direction, ParamColumn, Platform, PlatformKind, Point, Profile, QcFlag, SourceFormat};
use serde::Deserialize;

use crate::{Dataset, Diagnostic, FormatError, Parsed};

#[derive(Deserialize)]
struct Doc {
    #[serde(rename = "_id")]
    id: String,
    geolocation: Option<Geo>,
    timestamp: Option<String>,
    cycle_number: Option<i32>,
    profile_direction: Option<String>,
    geolocation_argoqc: Option<i64>,
    timestamp_argoqc: Option<i64>,
    vertical_sampling_scheme: Option<String>,
    #[serde(default)]
    source: Vec<SourceInfo>,
    data_info: Option<DataInfo>,
    data: Option<Vec<Vec<Option<f64>>>>,
}

/// `[[names], ["units", "data_keys_mode"], [[units, mode], ...]]`.
type DataInfo = (Vec<String>, Vec<String>, Vec<Vec<serde_json::Value>>);

#[derive(Deserialize)]
struct Geo {
    coordinates: (f64, f64),
}

#[derive(Deserialize)]
struct SourceInfo {
    url: Option<String>,
}

/// Argovis variable names → Argo parameter names.
fn argo_name(argovis: &str) -> String {
    match argovis {
        "pressure" => "PRES".into(),
        "temperature" => "TEMP".into(),
        "salinity" => "PSAL".into(),
        "doxy" => "DOXY".into(),
        other => other.to_uppercase(),
    }
}

pub fn read(bytes: &[u8], source_file: &str) -> Result<Parsed, FormatError> {
    let text = crate::text(bytes)?;
    let docs: Vec<Doc> = match serde_json::from_str::<Vec<Doc>>(text) {
        Ok(d) => d,
        Err(_) => vec![serde_json::from_str::<Doc>(text).map_err(|e| FormatError::Json(e.to_string()))?],
    };
    let mut profiles = Vec::new();
    let mut platforms: Vec<Platform> = Vec::new();
    let mut diagnostics = Vec::new();
    for (i, doc) in docs.into_iter().enumerate() {
        match profile_of(doc, source_file) {
            Ok(p) => {
                if !platforms.iter().any(|x| x.id == p.platform) {
                    platforms.push(Platform::new(p.platform.clone(), PlatformKind::ArgoFloat));
                }
                profiles.push(p);
            }
            Err(msg) => diagnostics.push(Diagnostic::new(format!("document {i}"), msg)),
        }
    }
    if profiles.is_empty() && !diagnostics.is_empty() {
        return Err(FormatError::NoRecords(diagnostics[0].to_string()));
    }
    Ok(Parsed { dataset: Dataset::Profiles { platforms, profiles }, diagnostics })
}

fn profile_of(doc: Doc, source_file: &str) -> Result<Profile, String> {
    let (platform, cycle_part) =
        doc.id.rsplit_once('_').ok_or_else(|| format!("_id {:?} is not platform_cycle", doc.id))?;
    let descending = cycle_part.ends_with('D');
    let cycle = match doc.cycle_number {
        Some(c) => c,
        None => {
            cycle_part.trim_end_matches('D').parse().map_err(|_| format!("_id {:?} has no cycle number", doc.id))?
        }
    };
    let direction = match doc.profile_direction.as_deref().and_then(|d| d.bytes().next()).and_then(Direction::from_char)
    {
        Some(d) => d,
        None if descending => Direction::Descending,
        None => Direction::Ascending,
    };
    let mut prof = Profile::empty(platform, cycle, direction);
    prof.time = match &doc.timestamp {
        Some(t) => {
            Some(DateTime::parse_from_rfc3339(t).map_err(|e| format!("timestamp {t:?}: {e}"))?.with_timezone(&Utc))
        }
        None => None,
    };
    prof.time_qc = doc.timestamp_argoqc.and_then(|q| QcFlag::new(q as u8)).unwrap_or(QcFlag::BLANK);
    prof.position = doc.geolocation.and_then(|g| Point::new(g.coordinates.0, g.coordinates.1).ok());
    prof.position_qc = doc.geolocation_argoqc.and_then(|q| QcFlag::new(q as u8)).unwrap_or(QcFlag::BLANK);
    prof.vertical_sampling_scheme = doc.vertical_sampling_scheme.unwrap_or_default();
    prof.source_format = SourceFormat::ArgovisJson;
    prof.source_file = doc
        .source
        .first()
        .and_then(|s| s.url.clone())
        .map_or_else(|| source_file.to_string(), |u| format!("{source_file} ({})", u.rsplit('/').next().unwrap_or(&u)));
    let (names, _keys, info) = doc.data_info.ok_or("no data_info")?;
    let data = doc.data.ok_or("no data")?;
    if data.len() != names.len() {
        return Err(format!("data has {} rows but data_info names {}", data.len(), names.len()));
    }
    let n = data.first().map_or(0, Vec::len);
    if data.iter().any(|row| row.len() != n) {
        return Err("data rows differ in length".into());
    }
    let mut modes = Vec::new();
    // Values first, then attach `_argoqc` rows.
    for (k, name) in names.iter().enumerate() {
        if name.ends_with("_argoqc") {
            continue;
        }
        let mode = info
            .get(k)
            .and_then(|row| row.get(1))
            .and_then(|m| m.as_str())
            .and_then(|m| m.bytes().next())
            .and_then(DataMode::from_char)
            .unwrap_or(DataMode::RealTime);
        modes.push(mode);
        let vals: Vec<f32> = data[k].iter().map(|v| v.map_or(f32::NAN, |x| x as f32)).collect();
        let qc_row = names.iter().position(|x| x == &format!("{name}_argoqc"));
        let qc: Vec<QcFlag> = match qc_row {
            Some(q) => data[q].iter().map(|v| v.and_then(|x| QcFlag::new(x as u8)).unwrap_or(QcFlag::BLANK)).collect(),
            None => vec![QcFlag::BLANK; n],
        };
        let col = if mode == DataMode::RealTime {
            ParamColumn { qc, ..ParamColumn::raw(argo_name(name), mode, vals) }
        } else {
            ParamColumn {
                name: argo_name(name),
                data_mode: mode,
                values: vec![f32::NAN; n],
                qc: vec![QcFlag::BLANK; n],
                adjusted: Some(vals),
                adjusted_qc: Some(qc),
                adjusted_error: None,
            }
        };
        prof.params.push(col);
    }
    if let Some(i) = prof.params.iter().position(|c| c.name == "PRES") {
        let c = prof.params.remove(i);
        prof.params.insert(0, c);
    }
    prof.data_mode = if modes.contains(&DataMode::RealTime) {
        DataMode::RealTime
    } else if modes.contains(&DataMode::Adjusted) {
        DataMode::Adjusted
    } else {
        DataMode::Delayed
    };
    Ok(prof)
}

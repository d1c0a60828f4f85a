//! An Argo profile in Argovis' document shape (`/api/profiles/{id}`, `/api/argo`), with the values
//! chosen (`best`, `raw`, `adjusted`), and the `compression=minimal` row.

use model::{Profile, Variable};
use serde::Serialize;

use super::GeoPoint;
use super::iso_millis as iso;

#[derive(Serialize, utoipa::ToSchema)]
pub struct SourceOut {
    pub source: Vec<&'static str>,
    pub file: String,
    pub format: &'static str,
}

/// A profile in Argovis' document shape: `data` is column-major, one row per `data_info` name, best
/// values (adjusted in modes A and D), `null` where missing; `<var>_argoqc` rows carry the QC flags.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ArgovisProfile {
    #[serde(rename = "_id")]
    pub id: String,
    pub geolocation: Option<GeoPoint>,
    pub timestamp: Option<String>,
    pub source: Vec<SourceOut>,
    pub cycle_number: i32,
    #[schema(value_type = String)]
    pub profile_direction: char,
    pub geolocation_argoqc: Option<u8>,
    pub timestamp_argoqc: Option<u8>,
    #[schema(value_type = String)]
    pub data_mode: char,
    pub data_centre: String,
    pub vertical_sampling_scheme: String,
    pub platform_number: String,
    /// `[[names], ["units", "data_keys_mode"], [[units, mode], ...]]`.
    #[schema(value_type = Vec<Object>)]
    pub data_info: (Vec<String>, [&'static str; 2], Vec<(String, char)>),
    #[schema(value_type = Vec<Vec<Option<f64>>>)]
    pub data: Vec<Vec<Option<Cell>>>,
}

/// One number of a profile document's `data`: a measurement as its f32, printed as the shortest decimal
/// that reads back as the same f32 (27.212999 stays, 3.0 → 3.0), or a QC digit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    Value(f32),
    Qc(u8),
}

impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Cell::Value(x) => s.serialize_f32(x),
            Cell::Qc(d) => s.serialize_f64(f64::from(d)),
        }
    }
}

/// Argovis' name for an Argo parameter (`TEMP` → `temperature`, `DOXY` → `doxy`).
pub fn argovis_name(argo: &str) -> String {
    match argo {
        "PRES" => "pressure".into(),
        "TEMP" => "temperature".into(),
        "PSAL" => "salinity".into(),
        other => other.to_lowercase(),
    }
}

/// A measurement cell; `None` (JSON null) for a missing value.
fn f32_json(x: f32) -> Option<Cell> {
    (!x.is_nan()).then_some(Cell::Value(x))
}

/// Which of a parameter's values a profile document carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Values {
    /// Adjusted in data modes A and D, raw in R (Argovis).
    Best,
    /// `<PARAM>` as measured.
    Raw,
    /// `<PARAM>_ADJUSTED`; `null` where the source has none.
    Adjusted,
}

impl Values {
    fn value(self, c: &model::ParamColumn, i: usize) -> f32 {
        match self {
            Values::Best => c.best(i),
            Values::Raw => c.values[i],
            Values::Adjusted => c.adjusted.as_ref().and_then(|a| a.get(i).copied()).unwrap_or(f32::NAN),
        }
    }

    fn qc(self, c: &model::ParamColumn, i: usize) -> Option<model::QcFlag> {
        match self {
            Values::Best => Some(c.best_qc(i)),
            Values::Raw => c.qc.get(i).copied(),
            Values::Adjusted => c.adjusted_qc.as_ref().and_then(|q| q.get(i).copied()),
        }
    }
}

impl From<&Profile> for ArgovisProfile {
    fn from(p: &Profile) -> ArgovisProfile {
        ArgovisProfile::new(p, true)
    }
}

/// `compression=minimal`: `[id, lon, lat, timestamp, sources]`.
pub fn minimal_stub(s: &store::ProfileStub) -> (String, Option<f64>, Option<f64>, Option<String>, Vec<&'static str>) {
    (s.key.id(), s.position.map(|p| p.lon), s.position.map(|p| p.lat), s.time.map(iso), query::sources_of(&s.params))
}

impl ArgovisProfile {
    /// A profile document; `with_qc` adds a `<var>_argoqc` row after each variable.
    pub fn new(p: &Profile, with_qc: bool) -> ArgovisProfile {
        ArgovisProfile::with_values(p, with_qc, Values::Best)
    }

    /// A profile document with the chosen values (`/api/profiles/{id}?values=raw|adjusted`).
    pub fn with_values(p: &Profile, with_qc: bool, values: Values) -> ArgovisProfile {
        let mut names = Vec::new();
        let mut info = Vec::new();
        let mut data = Vec::new();
        for c in &p.params {
            let name = argovis_name(&c.name);
            let units = Variable::for_argo(&c.name).map_or("", |v| v.units).to_string();
            data.push((0..c.len()).map(|i| f32_json(values.value(c, i))).collect());
            names.push(name.clone());
            info.push((units, c.data_mode.to_char()));
            if with_qc {
                data.push((0..c.len()).map(|i| values.qc(c, i).and_then(|q| q.digit()).map(Cell::Qc)).collect());
                names.push(format!("{name}_argoqc"));
                info.push((String::new(), c.data_mode.to_char()));
            }
        }
        let key = p.key();
        ArgovisProfile {
            id: key.id(),
            geolocation: p.position.map(|pt| GeoPoint { kind: "Point", coordinates: [pt.lon, pt.lat] }),
            timestamp: p.time.map(iso),
            source: vec![SourceOut {
                source: vec![if p.params.len() > 3
                    || p.params.iter().any(|c| !matches!(c.name.as_str(), "PRES" | "TEMP" | "PSAL" | "CNDC"))
                {
                    "argo_bgc"
                } else {
                    "argo_core"
                }],
                file: p.source_file.clone(),
                format: p.source_format.as_str(),
            }],
            cycle_number: p.cycle,
            profile_direction: p.direction.to_char(),
            geolocation_argoqc: p.position_qc.digit(),
            timestamp_argoqc: p.time_qc.digit(),
            data_mode: p.data_mode.to_char(),
            data_centre: p.data_centre.clone(),
            vertical_sampling_scheme: p.vertical_sampling_scheme.clone(),
            platform_number: p.platform.clone(),
            data_info: (names, ["units", "data_keys_mode"], info),
            data,
        }
    }
}

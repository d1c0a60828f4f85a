//! JSON shapes of the native API. Domain types never serialize themselves; these do.

use model::{HeatStressDay, Profile, ReefSite, SeriesPoint, Variable};
use serde::Serialize;
use store::PlatformSummary;

fn iso(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
    pub store_ready: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct GeoPoint {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub coordinates: [f64; 2],
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PlatformOut {
    pub id: String,
    pub kind: &'static str,
    pub name: Option<String>,
    pub geolocation: Option<GeoPoint>,
    pub profiles: u64,
    pub series_points: u64,
    pub heat_stress_days: u64,
    pub variables: Vec<String>,
    pub first_time: Option<String>,
    pub last_time: Option<String>,
    #[schema(value_type = Object)]
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

impl From<&PlatformSummary> for PlatformOut {
    fn from(s: &PlatformSummary) -> PlatformOut {
        let p = &s.platform;
        PlatformOut {
            id: p.id.clone(),
            kind: p.kind.as_str(),
            name: p.name.clone(),
            geolocation: p.position.map(|pt| GeoPoint { kind: "Point", coordinates: [pt.lon, pt.lat] }),
            profiles: s.profiles,
            series_points: s.series_points,
            heat_stress_days: s.heat_stress_days,
            variables: s.variables.clone(),
            first_time: s.first_time.map(iso),
            last_time: s.last_time.map(iso),
            attributes: p.attributes.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect(),
        }
    }
}

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

#[derive(Serialize, utoipa::ToSchema)]
pub struct SeriesPointOut {
    pub time: String,
    pub depth: f64,
    pub value: f64,
    pub qc: Option<u8>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SeriesOut {
    pub platform: String,
    pub variable: String,
    pub units: &'static str,
    pub cf_standard_name: &'static str,
    pub count: usize,
    pub data: Vec<SeriesPointOut>,
    /// `live_api` or `local_db` (answers that may ask for live data: `/api/buoys/{id}/series`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_source: Option<&'static str>,
    /// When the data was fetched (from the live API or the store), ISO 8601.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fetched_at: Option<String>,
}

impl SeriesOut {
    /// The same answer, saying where its data came from.
    pub fn with_freshness(self, o: &ingest::sources::LiveOutcome) -> SeriesOut {
        SeriesOut { data_source: Some(o.data_source.as_str()), fetched_at: Some(super::live::fetched_at(o)), ..self }
    }

    pub fn new(platform: &str, variable: &str, points: &[SeriesPoint]) -> SeriesOut {
        let v = Variable::lookup(variable);
        SeriesOut {
            platform: platform.to_string(),
            variable: variable.to_string(),
            units: v.map_or("", |v| v.units),
            cf_standard_name: v.map_or("", |v| v.cf_standard_name),
            count: points.len(),
            data: points
                .iter()
                .map(|p| SeriesPointOut { time: iso(p.time), depth: p.depth, value: p.value, qc: p.qc.digit() })
                .collect(),
            data_source: None,
            fetched_at: None,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct HeatStressDayOut {
    pub date: String,
    pub sst_min: Option<f64>,
    pub sst_max: Option<f64>,
    pub sst_90th_hs: Option<f64>,
    pub ssta_90th_hs: Option<f64>,
    pub hotspot: Option<f64>,
    pub dhw: Option<f64>,
    pub baa_7day_max: Option<u8>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct HeatStressOut {
    pub site: String,
    pub name: String,
    pub geolocation: GeoPoint,
    pub mmm: Option<f64>,
    #[schema(value_type = Option<Vec<f64>>)]
    pub monthly_means: Option<[f64; 12]>,
    pub count: usize,
    pub data: Vec<HeatStressDayOut>,
}

impl HeatStressOut {
    pub fn new(site: &ReefSite, days: &[HeatStressDay]) -> HeatStressOut {
        HeatStressOut {
            site: site.id.clone(),
            name: site.name.clone(),
            geolocation: GeoPoint { kind: "Point", coordinates: [site.position.lon, site.position.lat] },
            mmm: site.mmm,
            monthly_means: site.monthly_means,
            count: days.len(),
            data: days.iter().map(HeatStressDayOut::from).collect(),
        }
    }
}

impl From<&HeatStressDay> for HeatStressDayOut {
    fn from(d: &HeatStressDay) -> HeatStressDayOut {
        HeatStressDayOut {
            date: d.date.to_string(),
            sst_min: d.sst_min,
            sst_max: d.sst_max,
            sst_90th_hs: d.sst_90th_hs,
            ssta_90th_hs: d.ssta_90th_hs,
            hotspot: d.hotspot,
            dhw: d.dhw,
            baa_7day_max: d.baa_7day_max,
        }
    }
}

/// One anomaly of `/api/buoys/{id}/anomalies`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct BuoyAnomalyOut {
    pub timestamp: String,
    pub variable: String,
    pub value: f64,
    /// `zscore`, `qc_flag` or `iforest`.
    pub method: &'static str,
    /// The z-score (`zscore`).
    pub z: Option<f64>,
    /// The isolation score in (0, 1) (`iforest`).
    pub score: Option<f64>,
    pub reason: String,
}

/// `/api/reefs/{id}/health`: the documented 0–100 score, the seed's legacy score and their inputs.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReefHealthOut {
    pub site: String,
    pub date: String,
    pub score: f64,
    pub anomalous: bool,
    pub legacy: Option<f64>,
    pub dhw: f64,
    pub baa: u8,
    pub ssta: Option<f64>,
    pub sst: Option<f64>,
}

impl BuoyAnomalyOut {
    pub fn forest(a: query::ForestAnomaly) -> BuoyAnomalyOut {
        BuoyAnomalyOut {
            timestamp: iso(a.time),
            variable: a.variable,
            value: a.value,
            method: "iforest",
            z: None,
            score: Some(a.score),
            reason: a.reason,
        }
    }

    pub fn series(a: query::SeriesAnomaly) -> BuoyAnomalyOut {
        BuoyAnomalyOut {
            timestamp: iso(a.time),
            variable: a.variable,
            value: a.value,
            method: if a.kind == "z_score" { "zscore" } else { "qc_flag" },
            z: a.z,
            score: None,
            reason: a.reason,
        }
    }
}

impl From<query::ReefHealth> for ReefHealthOut {
    fn from(h: query::ReefHealth) -> ReefHealthOut {
        ReefHealthOut {
            site: h.site,
            date: h.date.to_string(),
            score: h.score,
            anomalous: h.anomalous,
            legacy: h.legacy,
            dhw: h.dhw,
            baa: h.baa,
            ssta: h.ssta,
            sst: h.sst,
        }
    }
}

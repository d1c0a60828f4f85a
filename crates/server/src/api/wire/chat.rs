//! Ocean Chat: the interpretation object of the NLQ contract (`shared/eval/nlq/README.md`: variables,
//! GeoJSON region, inclusive dates, depth, agg, platform, value filter, clarify), the request of
//! `POST /api/chat` and the answer around the interpretation.

use chrono::Utc;
use nlq::{Area, Interpretation};
use query::ask::{Answer, Source};
use serde::{Deserialize, Serialize};

use super::{GeoPoint, PlatformOut};

/// The interpretation exactly as `halocline nlq --json` prints it; the chat adds `summary`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct InterpretationOut {
    /// Canonical names: temperature, salinity, sst, sst_anomaly, dhw, baa, chlorophyll, oxygen, ph.
    pub variables: Vec<&'static str>,
    /// GeoJSON Polygon or MultiPolygon (split at ±180), or null for anywhere.
    #[schema(value_type = Option<Object>)]
    pub region: Option<serde_json::Value>,
    /// `[start, end]`, inclusive UTC dates.
    pub time: Option<[String; 2]>,
    /// `[min, max]` metres, positive down; null bounds are open.
    pub depth: Option<[Option<f64>; 2]>,
    pub agg: &'static str,
    pub platform: Option<&'static str>,
    /// `[op, value]`, op one of `>`, `>=`, `<`, `<=`.
    #[schema(value_type = Option<Vec<Object>>)]
    pub value_filter: Option<serde_json::Value>,
    pub clarify: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// A GeoJSON geometry: one part is a Polygon, several a MultiPolygon.
pub fn geojson(area: &Area) -> serde_json::Value {
    let ring = |r: &Vec<(f64, f64)>| -> serde_json::Value {
        serde_json::Value::Array(r.iter().map(|&(x, y)| serde_json::json!([round6(x), round6(y)])).collect())
    };
    if area.polygons.len() == 1 {
        serde_json::json!({"type": "Polygon", "coordinates": [ring(&area.polygons[0])]})
    } else {
        let polys: Vec<serde_json::Value> = area.polygons.iter().map(|r| serde_json::json!([ring(r)])).collect();
        serde_json::json!({"type": "MultiPolygon", "coordinates": polys})
    }
}

impl InterpretationOut {
    pub fn new(it: &Interpretation, with_summary: bool) -> InterpretationOut {
        InterpretationOut {
            variables: it.variables.iter().map(|v| v.name()).collect(),
            region: it.region.as_ref().map(geojson),
            time: it.time.map(|t| [t.start.to_string(), t.end.to_string()]),
            depth: it.depth.map(|d| [d.min, d.max]),
            agg: it.agg.name(),
            platform: it.platform.map(|p| p.name()),
            value_filter: it.value_filter.map(|(op, v)| serde_json::json!([op.symbol(), v])),
            clarify: it.clarify.is_some(),
            summary: with_summary.then(|| it.summary()),
        }
    }
}

/// The CLI's JSON line for a question (`halocline nlq --json`).
pub fn interpretation_json(it: &Interpretation) -> String {
    serde_json::to_string(&InterpretationOut::new(it, false)).unwrap_or_else(|_| "{}".to_string())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatRequest {
    /// The question, in plain language.
    pub question: String,
    /// Reference date for relative times, YYYY-MM-DD (default today, UTC).
    pub now: Option<String>,
    /// A conversation id: follow-up questions reuse its previous interpretation.
    pub session: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ClarificationOut {
    pub message: String,
    pub choices: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct StatOut {
    pub variable: &'static str,
    pub agg: &'static str,
    /// The value (for `trend`: the least-squares slope per decade).
    pub value: Option<f64>,
    pub n: usize,
    pub units: &'static str,
    /// For `compare`: the named area this value covers.
    pub area: Option<String>,
    /// Profile or platform id of the extreme or latest value.
    pub at: Option<String>,
    pub time: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProfileStubOut {
    pub id: String,
    pub platform: String,
    pub time: Option<String>,
    pub geolocation: Option<GeoPoint>,
    pub params: Vec<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LevelOut {
    pub profile: String,
    pub pressure: f64,
    pub variable: &'static str,
    pub value: f64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PointOut {
    pub platform: String,
    pub variable: String,
    pub time: String,
    pub depth: f64,
    pub value: f64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct HeatDayOut {
    pub site: String,
    pub date: String,
    pub sst: Option<f64>,
    pub sst_anomaly: Option<f64>,
    pub hotspot: Option<f64>,
    pub dhw: Option<f64>,
    pub baa: Option<u8>,
}

/// What the store holds for the question.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ResultsOut {
    /// `argo_profiles`, `buoy_series` or `reef_heat_stress`.
    pub kind: &'static str,
    /// Profiles, points or days that matched (platforms for `count` over buoys and reefs).
    pub matched: usize,
    pub stats: Vec<StatOut>,
    pub profiles: Vec<ProfileStubOut>,
    pub levels: Vec<LevelOut>,
    pub platforms: Vec<PlatformOut>,
    pub series: Vec<PointOut>,
    pub heat_stress: Vec<HeatDayOut>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ChatResponse {
    /// The NLQ contract's object plus a human-readable `summary`.
    pub interpretation: InterpretationOut,
    pub clarification: Option<ClarificationOut>,
    /// Null when the question needs clarification.
    pub results: Option<ResultsOut>,
    /// Always `local_db`: answers come from this server's store.
    pub data_source: &'static str,
    /// `map`, `timeseries`, `profile` or `table`.
    pub view: &'static str,
    pub suggestions: Vec<String>,
    /// The equivalent REST request.
    pub api_url: Option<String>,
}

/// The results stage of an answer.
pub fn results_out(a: &Answer) -> ResultsOut {
    let iso = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    ResultsOut {
        kind: match a.source {
            Some(Source::Buoy) => "buoy_series",
            Some(Source::Reef) => "reef_heat_stress",
            _ => "argo_profiles",
        },
        matched: a.matched,
        stats: a
            .stats
            .iter()
            .map(|s| StatOut {
                variable: s.variable.name(),
                agg: s.agg.name(),
                value: s.value.filter(|v| v.is_finite()),
                n: s.n,
                units: s.units,
                area: s.area.clone(),
                at: s.at.as_ref().map(|x| x.0.clone()),
                time: s.at.as_ref().and_then(|x| x.1).map(iso),
            })
            .collect(),
        profiles: a
            .profiles
            .iter()
            .map(|p| ProfileStubOut {
                id: p.key.id(),
                platform: p.key.platform.clone(),
                time: p.time.map(iso),
                geolocation: p.position.map(|pt| GeoPoint { kind: "Point", coordinates: [pt.lon, pt.lat] }),
                params: p.params.clone(),
            })
            .collect(),
        levels: a
            .levels
            .iter()
            .map(|l| LevelOut {
                profile: l.profile.clone(),
                pressure: l.pressure,
                variable: l.variable.name(),
                value: l.value,
            })
            .collect(),
        platforms: a.platforms.iter().map(PlatformOut::from).collect(),
        series: a
            .series
            .iter()
            .filter(|p| p.value.is_finite())
            .map(|p| PointOut {
                platform: p.platform.clone(),
                variable: p.variable.clone(),
                time: iso(p.time),
                depth: p.depth,
                value: p.value,
            })
            .collect(),
        heat_stress: a
            .heat_stress
            .iter()
            .map(|d| HeatDayOut {
                site: d.site.clone(),
                date: d.date.to_string(),
                sst: d.sst_90th_hs.or(d.sst_max),
                sst_anomaly: d.ssta_90th_hs,
                hotspot: d.hotspot,
                dhw: d.dhw,
                baa: d.baa_7day_max,
            })
            .collect(),
    }
}

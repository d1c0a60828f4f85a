//! JSON shapes of Ocean Chat: the interpretation object of the NLQ contract
//! (`shared/eval/nlq/README.md`: variables, GeoJSON region, inclusive dates, depth, agg, platform,
//! value filter, clarify) and the `POST /api/chat` answer around it.

use nlq::{Area, Interpretation};
use serde::Serialize;

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

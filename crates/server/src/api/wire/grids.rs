//! JSON shapes of `/api/grids`: the catalogue entries, one grid cut, and an image legend.

use model::Grid;
use query::grids::GridEntry;
use query::palette::Palette;
use serde::Serialize;

use super::iso_secs as iso;

/// A finite number, else null (JSON has no NaN).
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// One stored gridded variable.
#[derive(Serialize, utoipa::ToSchema)]
pub struct GridEntryOut {
    pub dataset: String,
    pub variable: String,
    pub units: String,
    pub long_name: String,
    pub standard_name: String,
    /// Number of stored time steps.
    pub count: u64,
    /// Stored time steps, oldest first (empty for grids without a time axis).
    pub times: Vec<String>,
    pub time_coverage: Option<[String; 2]>,
    /// `[min, max]` of the cell-centre latitudes and longitudes.
    pub lat_range: [Option<f64>; 2],
    pub lon_range: [Option<f64>; 2],
    /// `[west, south, east, north]` cell edges: where `image.png` of the whole grid lies.
    pub bounds: [Option<f64>; 4],
    /// `[latitudes, longitudes]` of the newest step.
    pub shape: [usize; 2],
    /// The vertical coordinate of a one-level grid: `{name, value}`.
    #[schema(value_type = Option<Object>)]
    pub z: Option<serde_json::Value>,
    pub fill_value: Option<f64>,
    /// URLs of the newest step.
    pub data_url: String,
    pub image_url: String,
    pub legend_url: String,
}

impl From<&GridEntry> for GridEntryOut {
    fn from(e: &GridEntry) -> GridEntryOut {
        let s = &e.summary;
        let base = format!("/api/grids/{}/{}", s.dataset, s.variable);
        GridEntryOut {
            dataset: s.dataset.clone(),
            variable: s.variable.clone(),
            units: s.units.clone(),
            long_name: s.long_name.clone(),
            standard_name: s.standard_name.clone(),
            count: s.count,
            times: e.times.iter().map(|t| iso(*t)).collect(),
            time_coverage: s.first_time.zip(s.last_time).map(|(a, b)| [iso(a), iso(b)]),
            lat_range: [finite(s.lat.0), finite(s.lat.1)],
            lon_range: [finite(s.lon.0), finite(s.lon.1)],
            bounds: e.bounds.map(finite),
            shape: [s.shape.0, s.shape.1],
            z: s.z.as_ref().map(|(n, v)| serde_json::json!({"name": n, "value": v})),
            fill_value: s.fill_value.and_then(finite),
            image_url: format!("{base}/image.png"),
            legend_url: format!("{base}/legend"),
            data_url: base,
        }
    }
}

/// One time step of a grid, cut.
#[derive(Serialize, utoipa::ToSchema)]
pub struct GridOut {
    pub dataset: String,
    pub variable: String,
    /// The step served (ISO-8601), null for a grid without time.
    pub time: Option<String>,
    pub units: String,
    pub long_name: String,
    pub latitudes: Vec<f64>,
    pub longitudes: Vec<f64>,
    /// Row-major `[latitude][longitude]`; null where the source held its fill value.
    pub values: Vec<Vec<Option<f32>>>,
    pub bounds: [Option<f64>; 4],
}

impl From<&Grid> for GridOut {
    fn from(g: &Grid) -> GridOut {
        let nx = g.longitudes.len().max(1);
        GridOut {
            dataset: g.dataset.clone(),
            variable: g.variable.clone(),
            time: g.time.map(iso),
            units: g.units.clone(),
            long_name: g.long_name.clone(),
            latitudes: g.latitudes.clone(),
            longitudes: g.longitudes.clone(),
            values: g.values.chunks(nx).map(|row| row.iter().map(|v| v.is_finite().then_some(*v)).collect()).collect(),
            bounds: query::grids::bounds(g).map(finite),
        }
    }
}

/// One colour stop.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LegendStopOut {
    pub value: f64,
    /// `#rrggbb`.
    pub color: String,
    /// The level's name (Bleaching Alert Area).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// The colour bar of an image.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LegendOut {
    pub dataset: String,
    pub variable: String,
    pub units: String,
    pub long_name: String,
    /// `crw_baa` (one colour per level), `viridis` or `inferno` (ramps).
    pub palette: &'static str,
    /// `levels` or `ramp`.
    pub kind: &'static str,
    /// Whether the ramp's stops are spaced on a log10 scale.
    pub log: bool,
    pub min: f64,
    pub max: f64,
    pub stops: Vec<LegendStopOut>,
    pub time: Option<String>,
}

impl LegendOut {
    pub fn new(g: &Grid, p: &Palette) -> LegendOut {
        let stops: Vec<LegendStopOut> =
            p.legend().into_iter().map(|s| LegendStopOut { value: s.value, color: s.colour, label: s.label }).collect();
        LegendOut {
            dataset: g.dataset.clone(),
            variable: g.variable.clone(),
            units: g.units.clone(),
            long_name: g.long_name.clone(),
            palette: p.name(),
            kind: if matches!(p, Palette::Levels { .. }) { "levels" } else { "ramp" },
            log: p.is_log(),
            min: stops.first().map_or(0.0, |s| s.value),
            max: stops.last().map_or(0.0, |s| s.value),
            stops,
            time: g.time.map(iso),
        }
    }
}

//! Colour palettes of grid images and their legends.
//!
//! - Bleaching Alert Area (`CRW_BAA*`, `bleaching_alert_area`): one colour per level, NOAA CRW's legend
//!   as the dashboard draws it (web/SOURCES.md): No Stress `#C6E5FA`, Watch `#FFF200`, Warning `#F8AB00`,
//!   Alert 1 `#EF0000`, Alert 2 `#940000`, Alert 3–5 `#6B0000`, `#4A0030`, `#2E0045`.
//! - Degree Heating Weeks (`CRW_DHW`, `degree_heating_week`, 0–20 °C-weeks) and HotSpot (`CRW_HOTSPOT`,
//!   0–5 °C): matplotlib's *inferno* (perceptually uniform; CC0), 9 stops.
//! - Everything else (SST, chlorophyll, ...): matplotlib's *viridis* (CC0), 10 stops, over the variable's
//!   `colorBarMinimum`..`colorBarMaximum` when it has them (logarithmic when `colorBarScale` is `Log`),
//!   else over the grid's own minimum..maximum.
//!
//! Values are clamped to the range; NaN (no data) is transparent.

use model::Grid;

/// `#RRGGBB` stops of matplotlib's viridis at 0, 1/9, ..., 1.
const VIRIDIS: [u32; 10] =
    [0x440154, 0x482878, 0x3E4A89, 0x31688E, 0x26828E, 0x1F9E89, 0x35B779, 0x6DCD59, 0xB4DE2C, 0xFDE725];
/// `#RRGGBB` stops of matplotlib's inferno at 0, 1/9, ..., 1.
const INFERNO: [u32; 10] =
    [0x000004, 0x1B0C41, 0x4A0C6B, 0x781C6D, 0xA52C60, 0xCF4446, 0xED6925, 0xFB9B06, 0xF7D13D, 0xFCFFA4];

/// CRW Bleaching Alert Area levels 0–7: label and colour.
pub const BAA_LEVELS: [(&str, u32); 8] = [
    ("No Stress", 0xC6E5FA),
    ("Watch", 0xFFF200),
    ("Warning", 0xF8AB00),
    ("Alert Level 1", 0xEF0000),
    ("Alert Level 2", 0x940000),
    ("Alert Level 3", 0x6B0000),
    ("Alert Level 4", 0x4A0030),
    ("Alert Level 5", 0x2E0045),
];

/// How values become colours.
#[derive(Debug, Clone, PartialEq)]
pub enum Palette {
    /// Integer levels, each its own colour (values rounded; outside 0..levels transparent).
    Levels { levels: Vec<(String, u32)> },
    /// A ramp over `min..max` (log10 scale when `log`), linear between equally spaced stops.
    Ramp { name: &'static str, min: f64, max: f64, log: bool, stops: Vec<u32> },
}

/// One stop of a legend: a value, its colour (`#rrggbb`) and, for levels, a label.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendStop {
    pub value: f64,
    pub colour: String,
    pub label: Option<String>,
}

fn hex(c: u32) -> String {
    format!("#{c:06x}")
}

fn rgb(c: u32) -> [u8; 3] {
    [(c >> 16) as u8, (c >> 8) as u8, c as u8]
}

fn is_baa(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("crw_baa") || n == "bleaching_alert_area"
}

impl Palette {
    /// The palette of a grid (see the module documentation).
    pub fn for_grid(g: &Grid) -> Palette {
        let v = g.variable.to_ascii_lowercase();
        if is_baa(&v) {
            return Palette::Levels { levels: BAA_LEVELS.iter().map(|(l, c)| (l.to_string(), *c)).collect() };
        }
        if v == "crw_dhw" || v == "degree_heating_week" {
            return Palette::Ramp { name: "inferno", min: 0.0, max: 20.0, log: false, stops: INFERNO.to_vec() };
        }
        if v == "crw_hotspot" {
            return Palette::Ramp { name: "inferno", min: 0.0, max: 5.0, log: false, stops: INFERNO.to_vec() };
        }
        let attr = |k: &str| g.attributes.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str());
        let num = |k: &str| attr(k).and_then(|v| v.trim().parse::<f64>().ok()).filter(|x| x.is_finite());
        let log = attr("colorBarScale").is_some_and(|s| s.eq_ignore_ascii_case("log"));
        let (min, max) = match (num("colorBarMinimum"), num("colorBarMaximum")) {
            (Some(a), Some(b)) if a < b && (!log || a > 0.0) => (a, b),
            _ => {
                let (a, b) =
                    g.values.iter().filter(|v| v.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                        (a.min(f64::from(v)), b.max(f64::from(v)))
                    });
                if a.is_finite() && a < b {
                    (a, b)
                } else if a.is_finite() {
                    (a - 1.0, a + 1.0)
                } else {
                    (0.0, 1.0)
                }
            }
        };
        let log = log && min > 0.0;
        Palette::Ramp { name: "viridis", min, max, log, stops: VIRIDIS.to_vec() }
    }

    /// RGBA of one value.
    pub fn colour(&self, v: f32) -> [u8; 4] {
        if v.is_nan() {
            return [0, 0, 0, 0];
        }
        match self {
            Palette::Levels { levels } => {
                let i = v.round();
                if i < 0.0 || i as usize >= levels.len() {
                    return [0, 0, 0, 0];
                }
                let [r, g, b] = rgb(levels[i as usize].1);
                [r, g, b, 255]
            }
            Palette::Ramp { min, max, log, stops, .. } => {
                let v = f64::from(v);
                let f = if *log {
                    (v.max(*min).log10() - min.log10()) / (max.log10() - min.log10())
                } else {
                    (v - min) / (max - min)
                };
                let f = f.clamp(0.0, 1.0) * (stops.len() - 1) as f64;
                let i = (f.floor() as usize).min(stops.len() - 2);
                let t = f - i as f64;
                let (a, b) = (rgb(stops[i]), rgb(stops[i + 1]));
                let mix = |k: usize| (f64::from(a[k]) + (f64::from(b[k]) - f64::from(a[k])) * t).round() as u8;
                [mix(0), mix(1), mix(2), 255]
            }
        }
    }

    /// The legend: for levels one stop per level; for a ramp its stops at their values.
    pub fn legend(&self) -> Vec<LegendStop> {
        match self {
            Palette::Levels { levels } => levels
                .iter()
                .enumerate()
                .map(|(i, (l, c))| LegendStop { value: i as f64, colour: hex(*c), label: Some(l.clone()) })
                .collect(),
            Palette::Ramp { min, max, log, stops, .. } => {
                let n = (stops.len() - 1) as f64;
                stops
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        let f = i as f64 / n;
                        let value = if *log {
                            10f64.powf(min.log10() + f * (max.log10() - min.log10()))
                        } else {
                            min + f * (max - min)
                        };
                        LegendStop { value, colour: hex(*c), label: None }
                    })
                    .collect()
            }
        }
    }

    /// `"levels"` or the ramp's name (`viridis`, `inferno`).
    pub fn name(&self) -> &'static str {
        match self {
            Palette::Levels { .. } => "crw_baa",
            Palette::Ramp { name, .. } => name,
        }
    }

    /// Whether the ramp is logarithmic.
    pub fn is_log(&self) -> bool {
        matches!(self, Palette::Ramp { log: true, .. })
    }
}

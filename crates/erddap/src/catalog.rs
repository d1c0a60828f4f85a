//! Our datasets as ERDDAP describes them: `ArgoFloats` (variables and attributes as IFREMER's ERDDAP
//! serves them, read from its recorded `/info/ArgoFloats/index.json`), `ArgoFloats-synthetic-BGC`,
//! `ArgoFloats-index`, the NDBC standard meteorological buoy observations and the CRW reef heat-stress
//! series. Ranges (`actual_range`, geospatial and time coverage) are those of each answer, not IFREMER's.

use std::sync::OnceLock;

use model::{VARIABLES, VariableKind};

use crate::dataset::{Attr, AttrValue, DataType, Dataset, TIME_UNITS, Var};

pub const ARGO_CORE: &str = "ArgoFloats";
pub const ARGO_SYNTHETIC_BGC: &str = "ArgoFloats-synthetic-BGC";
pub const ARGO_INDEX: &str = "ArgoFloats-index";
pub const NDBC_STDMET: &str = "ndbcStdMet";
pub const REEF_HEAT_STRESS: &str = "crwReefHeatStress";

/// IFREMER's `/erddap/info/ArgoFloats/index.json` (recorded 2025, see test-data/SOURCES.md).
const ARGO_INFO: &str = include_str!("../datasets/ArgoFloats_info.json");

/// Attributes that describe IFREMER's holdings rather than ours; the writers set them per answer.
const RANGE_ATTRS: &[&str] = &[
    "actual_range",
    "geospatial_lat_max",
    "geospatial_lat_min",
    "geospatial_lon_max",
    "geospatial_lon_min",
    "Easternmost_Easting",
    "Westernmost_Easting",
    "Northernmost_Northing",
    "Southernmost_Northing",
    "time_coverage_start",
    "time_coverage_end",
];

/// Every dataset we serve, built once.
pub fn catalog() -> &'static [Dataset] {
    static CATALOG: OnceLock<Vec<Dataset>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let core = argo_core();
        let bgc = argo_bgc(&core);
        vec![core, bgc, argo_index(), ndbc(), reef()]
    })
}

fn parse_value(ty: &str, value: &str) -> AttrValue {
    match DataType::parse(ty) {
        Some(t) if !t.is_text() => {
            AttrValue::Numbers(t, value.split(',').filter_map(|x| x.trim().parse::<f64>().ok()).collect())
        }
        _ => AttrValue::Text(value.to_string()),
    }
}

/// Reads an ERDDAP info table (`Row Type, Variable Name, Attribute Name, Data Type, Value`).
fn from_info(id: &str, json: &str) -> Dataset {
    let mut ds = Dataset { id: id.to_string(), globals: Vec::new(), vars: Vec::new() };
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    let rows = v["table"]["rows"].as_array().cloned().unwrap_or_default();
    for r in rows {
        let cell = |i: usize| r.get(i).and_then(|x| x.as_str()).unwrap_or("").to_string();
        let (kind, var, name, ty, value) = (cell(0), cell(1), cell(2), cell(3), cell(4));
        if RANGE_ATTRS.contains(&name.as_str()) {
            continue;
        }
        match kind.as_str() {
            "variable" => {
                ds.vars.push(Var { name: var, ty: DataType::parse(&ty).unwrap_or(DataType::String), attrs: Vec::new() })
            }
            "attribute" if var == "NC_GLOBAL" => ds.globals.push(Attr { name, value: parse_value(&ty, &value) }),
            "attribute" => {
                if let Some(v) = ds.vars.iter_mut().find(|v| v.name == var) {
                    v.attrs.push(Attr { name, value: parse_value(&ty, &value) });
                }
            }
            _ => {}
        }
    }
    set_global(&mut ds, "id", id);
    ds
}

fn set_global(ds: &mut Dataset, name: &str, value: &str) {
    match ds.globals.iter_mut().find(|a| a.name == name) {
        Some(a) => a.value = AttrValue::Text(value.to_string()),
        None => ds.globals.push(Attr::text(name, value)),
    }
    ds.globals.sort_by_key(|a| a.name.to_lowercase());
}

fn argo_core() -> Dataset {
    from_info(ARGO_CORE, ARGO_INFO)
}

/// Argo BGC parameters of the synthetic dataset.
const BGC_PARAMS: &[&str] = &[
    "doxy",
    "chla",
    "nitrate",
    "ph_in_situ_total",
    "bbp700",
    "bbp532",
    "cdom",
    "cndc",
    "downwelling_par",
    "down_irradiance380",
    "down_irradiance412",
    "down_irradiance490",
    "turbidity",
];

fn argo_bgc(core: &Dataset) -> Dataset {
    let mut ds = Dataset { id: ARGO_SYNTHETIC_BGC.into(), globals: core.globals.clone(), vars: Vec::new() };
    // Profile metadata as in the core dataset; then PRES, TEMP, PSAL and the BGC parameters, each with
    // its QC, adjusted, adjusted QC and adjusted error columns.
    for v in &core.vars {
        let base = v.name.split("_adjusted").next().unwrap_or(&v.name).trim_end_matches("_qc");
        if !BGC_PARAMS.contains(&base) && !v.name.starts_with("temp_doxy") && !v.name.starts_with("molar_doxy") {
            ds.vars.push(v.clone());
        }
    }
    for p in BGC_PARAMS {
        let Some(var) = VARIABLES.iter().find(|v| v.kind == VariableKind::Profile && v.name == *p) else { continue };
        let mut attrs = vec![
            Attr::nums("_FillValue", DataType::Float, &[99999.0]),
            Attr::text("ioos_category", "Other"),
            Attr::text("long_name", var.long_name),
            Attr::text("units", var.units),
        ];
        if !var.cf_standard_name.is_empty() {
            attrs.push(Attr::text("standard_name", var.cf_standard_name));
        }
        let qc = vec![
            Attr::text("conventions", "Argo reference table 2"),
            Attr::text("ioos_category", "Quality"),
            Attr::text("long_name", "quality flag"),
        ];
        let mut err = attrs.clone();
        err.retain(|a| a.name != "standard_name" && a.name != "long_name");
        err.push(Attr::text(
            "long_name",
            "Contains the error on the adjusted values as determined by the delayed mode QC process",
        ));
        ds.vars.push(Var { name: p.to_string(), ty: DataType::Float, attrs: attrs.clone() });
        ds.vars.push(Var { name: format!("{p}_qc"), ty: DataType::String, attrs: qc.clone() });
        ds.vars.push(Var { name: format!("{p}_adjusted"), ty: DataType::Float, attrs });
        ds.vars.push(Var { name: format!("{p}_adjusted_qc"), ty: DataType::String, attrs: qc });
        ds.vars.push(Var { name: format!("{p}_adjusted_error"), ty: DataType::Float, attrs: err });
    }
    for v in &mut ds.vars {
        v.attrs.sort_by_key(|a| a.name.to_lowercase());
    }
    set_global(&mut ds, "id", ARGO_SYNTHETIC_BGC);
    set_global(&mut ds, "title", "Argo float synthetic vertical profiles : BGC data");
    set_global(
        &mut ds,
        "summary",
        "Argo float synthetic (S) profiles: the core parameters and the biogeochemical (BGC) parameters of each\nprofile merged on one pressure axis, with QC flags, adjusted values and adjusted errors.",
    );
    ds
}

fn time_var(name: &str, long_name: &str) -> Var {
    Var {
        name: name.into(),
        ty: DataType::Double,
        attrs: vec![
            Attr::text("_CoordinateAxisType", "Time"),
            Attr::text("axis", "T"),
            Attr::text("ioos_category", "Time"),
            Attr::text("long_name", long_name),
            Attr::text("standard_name", "time"),
            Attr::text("time_origin", "01-JAN-1970 00:00:00"),
            Attr::text("units", TIME_UNITS),
        ],
    }
}

fn lat_lon(ty: DataType) -> [Var; 2] {
    let axis = |name: &str, axis: &str, t: &str, long: &str, units: &str, lo: f64, hi: f64| Var {
        name: name.into(),
        ty,
        attrs: vec![
            Attr::text("_CoordinateAxisType", t),
            Attr::text("axis", axis),
            Attr::nums("colorBarMaximum", DataType::Double, &[hi]),
            Attr::nums("colorBarMinimum", DataType::Double, &[lo]),
            Attr::text("ioos_category", "Location"),
            Attr::text("long_name", long),
            Attr::text("standard_name", name),
            Attr::text("units", units),
        ],
    };
    [
        axis("latitude", "Y", "Lat", "Latitude", "degrees_north", -90.0, 90.0),
        axis("longitude", "X", "Lon", "Longitude", "degrees_east", -180.0, 180.0),
    ]
}

fn globals(list: &[(&str, &str)]) -> Vec<Attr> {
    let mut g: Vec<Attr> = list.iter().map(|(n, v)| Attr::text(n, v)).collect();
    g.push(Attr::text("Conventions", "CF-1.6, COARDS, ACDD-1.3"));
    g.push(Attr::text("geospatial_lat_units", "degrees_north"));
    g.push(Attr::text("geospatial_lon_units", "degrees_east"));
    g.push(Attr::text("standard_name_vocabulary", "CF Standard Name Table v70"));
    g.sort_by_key(|a| a.name.to_lowercase());
    g
}

fn text_var(name: &str, long: &str, category: &str, cf_role: Option<&str>) -> Var {
    let mut attrs = vec![Attr::text("ioos_category", category), Attr::text("long_name", long)];
    if let Some(r) = cf_role {
        attrs.insert(0, Attr::text("cf_role", r));
    }
    Var { name: name.into(), ty: DataType::String, attrs }
}

fn argo_index() -> Dataset {
    let [lat, lon] = lat_lon(DataType::Double);
    let mut date_update = time_var("date_update", "Date of last update of the file");
    date_update.attrs.retain(|a| a.name != "_CoordinateAxisType" && a.name != "axis" && a.name != "standard_name");
    Dataset {
        id: ARGO_INDEX.into(),
        globals: globals(&[
            ("cdm_data_type", "Point"),
            ("id", ARGO_INDEX),
            ("infoUrl", "https://argo.ucsd.edu/"),
            ("institution", "Argo"),
            ("title", "Argo profile index"),
            (
                "summary",
                "One row per Argo profile stored in this server: file, date, position, profiler type and data centre\n(the content of the GDAC ar_index_global_prof.txt for the stored profiles).",
            ),
        ]),
        vars: vec![
            text_var("file", "Path of the profile file", "Identifier", None),
            time_var("date", "Date of the profile"),
            lat,
            lon,
            text_var("ocean", "Ocean code (A, I, P)", "Location", None),
            Var {
                name: "profiler_type".into(),
                ty: DataType::Int,
                attrs: vec![
                    Attr::nums("_FillValue", DataType::Int, &[99999.0]),
                    Attr::text("ioos_category", "Identifier"),
                    Attr::text("long_name", "Type of profiler (Argo reference table 8)"),
                ],
            },
            text_var("institution", "Data centre in charge of the float (Argo reference table 4)", "Identifier", None),
            date_update,
        ],
    }
}

fn series_var(col: &str, our: &str) -> Var {
    let v = VARIABLES.iter().find(|v| v.kind == VariableKind::Series && v.name == our);
    let mut attrs = vec![Attr::nums("_FillValue", DataType::Float, &[-9999999.0])];
    if let Some(v) = v {
        attrs.push(Attr::text("ioos_category", "Meteorology"));
        attrs.push(Attr::text("long_name", v.long_name));
        if !v.cf_standard_name.is_empty() {
            attrs.push(Attr::text("standard_name", v.cf_standard_name));
        }
        attrs.push(Attr::text("units", v.units));
    }
    Var { name: col.into(), ty: DataType::Float, attrs }
}

/// The NDBC stdmet columns of the buoy dataset and the series variable each one reads.
pub const NDBC_COLUMNS: &[(&str, &str)] = &[
    ("wd", "wind_direction"),
    ("wspd", "wind_speed"),
    ("gst", "wind_gust"),
    ("wvht", "wave_height"),
    ("dpd", "dominant_wave_period"),
    ("apd", "average_wave_period"),
    ("mwd", "mean_wave_direction"),
    ("bar", "air_pressure"),
    ("atmp", "air_temperature"),
    ("wtmp", "sea_surface_temperature"),
    ("dewp", "dewpoint_temperature"),
    ("vis", "visibility"),
    ("ptdy", "pressure_tendency"),
    ("tide", "tide"),
];

fn ndbc() -> Dataset {
    let [lat, lon] = lat_lon(DataType::Float);
    let mut vars = vec![text_var("station", "Station Identifier", "Identifier", Some("timeseries_id")), lon, lat];
    vars.push(time_var("time", "Time"));
    for (col, our) in NDBC_COLUMNS {
        vars.push(series_var(col, our));
    }
    Dataset {
        id: NDBC_STDMET.into(),
        globals: globals(&[
            ("cdm_data_type", "TimeSeries"),
            ("cdm_timeseries_variables", "station, longitude, latitude"),
            ("featureType", "TimeSeries"),
            ("id", NDBC_STDMET),
            ("infoUrl", "https://www.ndbc.noaa.gov/"),
            ("institution", "NOAA NDBC"),
            ("keywords", "air, atmosphere, buoy, ndbc, pressure, sea, surface, temperature, waves, wind"),
            ("license", "NOAA NDBC data are a work of the US Government, public domain."),
            ("title", "NDBC Standard Meteorological Buoy Data"),
            (
                "summary",
                "Standard meteorological observations (wind, waves, pressure, air and sea temperature) of the NOAA\nNational Data Buoy Center buoys stored in this server, with CF standard names.",
            ),
        ]),
        vars,
    }
}

fn reef() -> Dataset {
    let [lat, lon] = lat_lon(DataType::Double);
    let num = |name: &str, ty: DataType, long: &str, units: Option<&str>| {
        let mut attrs = vec![Attr::text("ioos_category", "Temperature"), Attr::text("long_name", long)];
        if let Some(u) = units {
            attrs.push(Attr::text("units", u));
        }
        if ty == DataType::Byte {
            attrs.insert(0, Attr::nums("_FillValue", DataType::Byte, &[-1.0]));
            attrs.push(Attr::text(
                "flag_meanings",
                "no_stress watch warning alert_level_1 alert_level_2 alert_level_3 alert_level_4 alert_level_5",
            ));
            attrs.push(Attr::nums("flag_values", DataType::Byte, &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]));
        }
        Var { name: name.into(), ty, attrs }
    };
    Dataset {
        id: REEF_HEAT_STRESS.into(),
        globals: globals(&[
            ("cdm_data_type", "TimeSeries"),
            ("cdm_timeseries_variables", "site, site_name, longitude, latitude"),
            ("featureType", "TimeSeries"),
            ("id", REEF_HEAT_STRESS),
            ("infoUrl", "https://coralreefwatch.noaa.gov/product/vs/"),
            ("institution", "NOAA Coral Reef Watch"),
            ("keywords", "bleaching, coral, degree heating week, dhw, hotspot, reef, sea surface temperature"),
            ("title", "Coral Reef Watch reef heat stress (daily)"),
            (
                "summary",
                "Daily heat stress at reef sites: SST, HotSpot, Degree Heating Week and the 7-day maximum Bleaching\nAlert Area (NOAA Coral Reef Watch v3.1 method), as stored or recomputed by this server.",
            ),
        ]),
        vars: vec![
            text_var("site", "Reef site identifier", "Identifier", Some("timeseries_id")),
            text_var("site_name", "Reef site name", "Identifier", None),
            lon,
            lat,
            time_var("time", "Time (the day, at 12:00 UTC)"),
            num("sst_min", DataType::Double, "Minimum sea surface temperature of the day", Some("degree_Celsius")),
            num("sst_max", DataType::Double, "Maximum sea surface temperature of the day", Some("degree_Celsius")),
            num("sst_90th_hs", DataType::Double, "90th percentile SST for HotSpot", Some("degree_Celsius")),
            num("ssta_90th_hs", DataType::Double, "90th percentile SST anomaly", Some("degree_Celsius")),
            num("hotspot", DataType::Double, "Coral bleaching HotSpot", Some("degree_Celsius")),
            num("dhw", DataType::Double, "Degree Heating Week", Some("degree_Celsius_weeks")),
            num("baa_7day_max", DataType::Byte, "Bleaching Alert Area, 7-day maximum", None),
        ],
    }
}

//! CF gridded variables from NetCDF classic files (e.g. ERDDAP griddap `.nc` responses of SST, DHW or
//! chlorophyll): the axes (time, optional z, latitude, longitude) found by their `axis` /
//! `standard_name` attributes or names, values unpacked with `scale_factor` / `add_offset`, and
//! `_FillValue` / `missing_value` turned into NaN. As xarray does by default, `valid_min` / `valid_max`
//! are reported but not applied.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};

use crate::FormatError;
use crate::netcdf::{NcFile, Var};

/// One gridded variable. `values` is row-major over `[time][z][latitude][longitude]`; `times` is empty
/// when the variable has no time axis (one time step), and `z` is `[0.0]` when it has no vertical axis.
#[derive(Debug, Clone, PartialEq)]
pub struct CfGrid {
    pub name: String,
    pub units: String,
    pub standard_name: String,
    pub long_name: String,
    pub times: Vec<DateTime<Utc>>,
    pub z: Vec<f64>,
    pub latitudes: Vec<f64>,
    pub longitudes: Vec<f64>,
    pub values: Vec<f32>,
    pub valid_range: Option<(f64, f64)>,
    /// The name of the vertical axis (`altitude`, `depth`, ...), when the variable has one.
    pub z_name: Option<String>,
    /// `_FillValue` (else `missing_value`), unpacked; NaN fill values are `Some(NaN)`.
    pub fill_value: Option<f64>,
    /// The variable's other attributes as text (not units, names, fills or packing).
    pub attributes: Vec<(String, String)>,
}

impl CfGrid {
    /// The value at (time, z, latitude, longitude) indices.
    pub fn at(&self, t: usize, z: usize, y: usize, x: usize) -> f32 {
        let (nz, ny, nx) = (self.z.len(), self.latitudes.len(), self.longitudes.len());
        self.values[((t * nz + z) * ny + y) * nx + x]
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Axis {
    T,
    Z,
    Y,
    X,
}

fn text(v: &Var, name: &str) -> String {
    v.attr(name).and_then(|a| a.as_text()).map(|s| s.into_owned()).unwrap_or_default()
}

fn axis_of(v: &Var) -> Option<Axis> {
    let axis = text(v, "axis");
    let standard = text(v, "standard_name");
    match (axis.as_str(), standard.as_str(), v.name) {
        ("T", ..) | (_, "time", _) | (_, _, "time") => Some(Axis::T),
        ("Y", ..) | (_, "latitude", _) | (_, _, "latitude" | "lat") => Some(Axis::Y),
        ("X", ..) | (_, "longitude", _) | (_, _, "longitude" | "lon") => Some(Axis::X),
        ("Z", ..) | (_, "altitude" | "depth" | "height", _) | (_, _, "altitude" | "depth" | "zlev") => Some(Axis::Z),
        _ => None,
    }
}

/// Parses CF time units `<unit> since <date>` and converts the axis values to UTC.
fn cf_times(units: &str, values: &[f64]) -> Result<Vec<DateTime<Utc>>, FormatError> {
    let bad = || FormatError::Layout(format!("time units {units:?} are not '<unit> since <date>'"));
    let (unit, since) = units.split_once(" since ").ok_or_else(bad)?;
    let seconds = match unit.trim().to_ascii_lowercase().as_str() {
        "seconds" | "second" | "s" | "sec" => 1.0,
        "minutes" | "minute" | "min" => 60.0,
        "hours" | "hour" | "h" => 3600.0,
        "days" | "day" | "d" => 86_400.0,
        _ => return Err(bad()),
    };
    let since = since.trim().trim_end_matches('Z').trim_end_matches(" UTC").replace('T', " ");
    let epoch = NaiveDateTime::parse_from_str(&since, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(&format!("{since} 00:00:00"), "%Y-%m-%d %H:%M:%S"))
        .map_err(|_| bad())?
        .and_utc();
    Ok(values.iter().map(|v| epoch + Duration::milliseconds((v * seconds * 1000.0).round() as i64)).collect())
}

/// Every gridded variable of a CF NetCDF classic file.
pub fn read_grids(bytes: &[u8]) -> Result<Vec<CfGrid>, FormatError> {
    read_grids_nc(&NcFile::parse(bytes)?)
}

/// Attributes [`CfGrid`] holds in fields (or applies), not copied into `attributes`.
const OWN_ATTRS: &[&str] =
    &["units", "long_name", "standard_name", "_FillValue", "missing_value", "scale_factor", "add_offset"];

/// Whether a parsed NetCDF file holds a CF gridded variable (a variable of two or more dimensions, all of
/// them coordinate variables, two of them latitude and longitude).
pub fn is_grid(nc: &NcFile) -> bool {
    let coord = |dim: usize| nc.vars.iter().find(|v| v.dim_ids == [dim] && v.name == nc.dims[dim].name);
    nc.vars.iter().any(|v| {
        v.dim_ids.len() >= 2 && axis_of(v).is_none() && {
            let axes: Vec<Axis> = v.dim_ids.iter().filter_map(|&d| coord(d).and_then(axis_of)).collect();
            axes.len() == v.dim_ids.len() && axes.contains(&Axis::Y) && axes.contains(&Axis::X)
        }
    })
}

/// Every gridded variable of a parsed CF NetCDF classic file.
pub fn read_grids_nc(nc: &NcFile) -> Result<Vec<CfGrid>, FormatError> {
    // Coordinate variables: one dimension, named like it.
    let coord = |dim: usize| nc.vars.iter().find(|v| v.dim_ids == [dim] && v.name == nc.dims[dim].name);
    let mut out = Vec::new();
    for v in &nc.vars {
        if v.dim_ids.len() < 2 || v.dim_ids.iter().any(|&d| coord(d).is_none()) || axis_of(v).is_some() {
            continue;
        }
        let axes: Vec<(Axis, &Var)> =
            v.dim_ids.iter().filter_map(|&d| coord(d).and_then(|c| axis_of(c).map(|a| (a, c)))).collect();
        if axes.len() != v.dim_ids.len() {
            continue;
        }
        let order: Vec<Axis> = axes.iter().map(|(a, _)| *a).collect();
        let find = |a: Axis| axes.iter().find(|(x, _)| *x == a).map(|(_, c)| *c);
        let (Some(y), Some(x)) = (find(Axis::Y), find(Axis::X)) else { continue };
        let expected: Vec<Axis> =
            [Axis::T, Axis::Z, Axis::Y, Axis::X].into_iter().filter(|a| order.contains(a)).collect();
        if order != expected {
            return Err(FormatError::Layout(format!(
                "{}: axes must be in (time, z, latitude, longitude) order",
                v.name
            )));
        }
        let times = match find(Axis::T) {
            Some(t) => cf_times(&text(t, "units"), &nc.f64s(t)?)?,
            None => Vec::new(),
        };
        let z = match find(Axis::Z) {
            Some(z) => nc.f64s(z)?,
            None => vec![0.0],
        };
        let z_name = find(Axis::Z).map(|z| z.name.to_string());
        let fills: Vec<f64> =
            ["_FillValue", "missing_value"].iter().filter_map(|a| v.attr(a).and_then(|x| x.as_f64())).collect();
        let scale = v.attr("scale_factor").and_then(|a| a.as_f64()).unwrap_or(1.0);
        let offset = v.attr("add_offset").and_then(|a| a.as_f64()).unwrap_or(0.0);
        let raw = nc.f64s(v)?;
        let values: Vec<f32> = raw
            .iter()
            .map(|&r| {
                // Fill values are compared at the variable's own precision (a float -999 is -999.0f32).
                let is_fill = fills.iter().any(|&f| r == f || r as f32 == f as f32);
                if !r.is_finite() || is_fill { f32::NAN } else { (r * scale + offset) as f32 }
            })
            .collect();
        let valid_range =
            match (v.attr("valid_min").and_then(|a| a.as_f64()), v.attr("valid_max").and_then(|a| a.as_f64())) {
                (Some(a), Some(b)) => Some((a * scale + offset, b * scale + offset)),
                _ => None,
            };
        out.push(CfGrid {
            name: v.name.to_string(),
            units: text(v, "units"),
            standard_name: text(v, "standard_name"),
            long_name: text(v, "long_name"),
            times,
            z,
            latitudes: nc.f64s(y)?,
            longitudes: nc.f64s(x)?,
            values,
            valid_range,
            z_name,
            fill_value: fills.first().map(|f| f * scale + offset),
            attributes: v
                .attrs
                .iter()
                .filter(|a| !OWN_ATTRS.contains(&a.name))
                .map(|a| (a.name.to_string(), a.to_text()))
                .collect(),
        });
    }
    if out.is_empty() {
        return Err(FormatError::NoRecords("no gridded variable with latitude and longitude axes".into()));
    }
    Ok(out)
}

/// Fill value of the written DHW grids (land, no data).
pub const DHW_FILL: f32 = -999.0;
/// Fill value of the written BAA grids.
pub const BAA_FILL: i8 = -1;

/// A CF-1.6 NetCDF classic file with one day of NOAA CRW heat stress on a lat/lon grid:
/// `degree_heating_week` (°C-weeks, float, fill −999) and `bleaching_alert_area` (0–7, byte, fill −1).
/// `dhw` and `baa` are row-major `[latitude][longitude]`; NaN DHW and `None` BAA become fills.
pub fn write_heat_stress_grid(
    time: DateTime<Utc>,
    latitudes: &[f64],
    longitudes: &[f64],
    dhw: &[f32],
    baa: &[Option<u8>],
) -> Result<Vec<u8>, FormatError> {
    use crate::netcdf_write::{NcAttr, NcData, NcOut, NcVarOut, write};
    let t = |s: &str| NcAttr::Text(s.to_string());
    let axis = |name: &str, dim: usize, data: Vec<f64>, std: &str, units: &str, ax: &str| NcVarOut {
        name: name.into(),
        dims: vec![dim],
        attrs: vec![("standard_name".into(), t(std)), ("units".into(), t(units)), ("axis".into(), t(ax))],
        data: NcData::Double(data),
    };
    let file = NcOut {
        dims: vec![("time".into(), 1), ("latitude".into(), latitudes.len()), ("longitude".into(), longitudes.len())],
        attrs: vec![
            ("Conventions".into(), t("CF-1.6")),
            ("title".into(), t("Degree Heating Week and Bleaching Alert Area (NOAA Coral Reef Watch v3.1 method)")),
            ("source".into(), t("halocline")),
        ],
        vars: vec![
            axis("time", 0, vec![time.timestamp() as f64], "time", "seconds since 1970-01-01T00:00:00Z", "T"),
            axis("latitude", 1, latitudes.to_vec(), "latitude", "degrees_north", "Y"),
            axis("longitude", 2, longitudes.to_vec(), "longitude", "degrees_east", "X"),
            NcVarOut {
                name: "degree_heating_week".into(),
                dims: vec![0, 1, 2],
                attrs: vec![
                    ("long_name".into(), t("degree heating week")),
                    ("units".into(), t("degree_Celsius_weeks")),
                    ("_FillValue".into(), NcAttr::Float(DHW_FILL)),
                ],
                data: NcData::Float(dhw.iter().map(|&x| if x.is_nan() { DHW_FILL } else { x }).collect()),
            },
            NcVarOut {
                name: "bleaching_alert_area".into(),
                dims: vec![0, 1, 2],
                attrs: vec![
                    ("long_name".into(), t("bleaching alert area (7-day maximum)")),
                    ("flag_values".into(), t("0 1 2 3 4 5 6 7")),
                    (
                        "flag_meanings".into(),
                        t(
                            "no_stress watch warning alert_level_1 alert_level_2 alert_level_3 alert_level_4 alert_level_5",
                        ),
                    ),
                    ("_FillValue".into(), NcAttr::Byte(BAA_FILL)),
                ],
                data: NcData::Byte(baa.iter().map(|b| b.map_or(BAA_FILL, |b| b as i8)).collect()),
            },
        ],
    };
    write(&file).map_err(FormatError::Layout)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    #[test]
    fn erddap_griddap_chlorophyll_reads_with_axes_units_and_fill() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/sample/grids/griddap_erdVHNchlamday_chla.nc"
        ))
        .unwrap();
        let grids = super::read_grids(&bytes).unwrap();
        assert_eq!(grids.len(), 1);
        let g = &grids[0];
        assert_eq!((g.name.as_str(), g.units.as_str()), ("chla", "mg m^-3"));
        assert_eq!(g.standard_name, "mass_concentration_chlorophyll_concentration_in_sea_water");
        assert_eq!(g.times, vec![Utc.timestamp_opt(1_429_142_400, 0).unwrap()]); // 2015-04-16
        assert_eq!(g.z, vec![0.0]);
        assert_eq!((g.latitudes.len(), g.longitudes.len()), (401, 134));
        assert_eq!((g.latitudes[0], g.latitudes[400]), (21.00375, 18.00375)); // north to south, as served
        assert_eq!((g.longitudes[0], g.longitudes[133]), (-119.99625, -118.99875));
        assert_eq!(g.values.len(), 401 * 134);
        // 901 cells hold the fill value -999 (ncdump's "_").
        assert_eq!(g.values.iter().filter(|v| v.is_nan()).count(), 901);
        assert!((g.at(0, 0, 0, 0) - 0.032_570_39).abs() < 1e-8);
        assert!((g.at(0, 0, 400, 133) - 0.067_129_36).abs() < 1e-8);
        let max = g.values.iter().copied().filter(|v| !v.is_nan()).fold(f32::MIN, f32::max);
        assert!((max - 0.204_074_3).abs() < 1e-6);
        assert_eq!(g.valid_range, Some((0.0010000000474974513, 100.0999984741211)));
    }

    #[test]
    fn heat_stress_grids_round_trip_through_netcdf() {
        // A 3 × 4 grid: HotSpot 2 °C for 14 days gives DHW 2 × 14 / 7 = 4 °C-weeks (Alert 1, level 3);
        // land (NaN) stays fill.
        let lats = [10.025, 10.075, 10.125];
        let lons = [-80.025, -79.975, -79.925, -79.875];
        let mut dhw = vec![4.0f32; 12];
        dhw[5] = f32::NAN;
        let mut baa = vec![Some(3u8); 12];
        baa[5] = None;
        let t = Utc.with_ymd_and_hms(2023, 9, 20, 12, 0, 0).unwrap();
        let bytes = super::write_heat_stress_grid(t, &lats, &lons, &dhw, &baa).unwrap();
        let grids = super::read_grids(&bytes).unwrap();
        assert_eq!(grids.len(), 2);
        let d = &grids[0];
        assert_eq!((d.name.as_str(), d.units.as_str()), ("degree_heating_week", "degree_Celsius_weeks"));
        assert_eq!(d.times, vec![t]);
        assert_eq!((d.latitudes.as_slice(), d.longitudes.as_slice()), (&lats[..], &lons[..]));
        assert_eq!(d.at(0, 0, 0, 0), 4.0);
        assert!(d.at(0, 0, 1, 1).is_nan());
        let b = &grids[1];
        assert_eq!(b.name, "bleaching_alert_area");
        assert_eq!((b.at(0, 0, 2, 3), b.values.iter().filter(|v| v.is_nan()).count()), (3.0, 1));
        let wrong = super::write_heat_stress_grid(t, &lats, &lons, &dhw[..5], &baa);
        assert!(wrong.is_err());
    }

    #[test]
    fn non_grid_files_are_errors() {
        let bytes =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample/argo/D4900590_097.nc")).unwrap();
        assert!(super::read_grids(&bytes).is_err());
    }
}

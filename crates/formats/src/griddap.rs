//! ERDDAP griddap `.nc` responses (and other CF gridded NetCDF classic files) as domain [`Grid`]s: one
//! grid per (variable, time step). The dataset id is the one in the request URL ERDDAP appends to the
//! global `history` attribute (`.../griddap/{datasetID}.nc?...`), else the global `id`, else the file
//! name without its extension.

use model::Grid;

use crate::cf_grid::{CfGrid, read_grids_nc};
use crate::netcdf::NcFile;
use crate::{Dataset, Diagnostic, FormatError, Parsed};

/// The dataset id of a gridded file (see the module documentation).
pub fn dataset_id(nc: &NcFile, name: &str) -> String {
    let text = |a: &str| nc.attr(a).and_then(|a| a.as_text()).map(|s| s.into_owned()).unwrap_or_default();
    let history = text("history");
    let from_history = history.lines().rev().find_map(|line| {
        let rest = &line[line.find("/griddap/")? + "/griddap/".len()..];
        let id: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-')).collect();
        (!id.is_empty()).then_some(id)
    });
    if let Some(id) = from_history {
        return id;
    }
    let id = text("id");
    if !id.trim().is_empty() {
        return id.trim().to_string();
    }
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.split('.').next().filter(|s| !s.is_empty()).unwrap_or("grid").to_string()
}

/// Reads every gridded variable of a parsed CF NetCDF file into one [`Grid`] per time step. A variable
/// whose vertical axis has more than one level is skipped with a diagnostic (grids are 2-D).
pub fn read_nc(nc: &NcFile, name: &str) -> Result<Parsed, FormatError> {
    let dataset = dataset_id(nc, name);
    let global = |a: &str| nc.attr(a).and_then(|x| x.as_text()).map(|s| s.into_owned());
    let mut grids = Vec::new();
    let mut diagnostics = Vec::new();
    for g in read_grids_nc(nc)? {
        if g.z.len() != 1 {
            diagnostics.push(Diagnostic::new(
                g.name.clone(),
                format!("{} vertical levels: only grids with one level are stored", g.z.len()),
            ));
            continue;
        }
        let mut attributes = g.attributes.clone();
        for key in ["title", "institution"] {
            if let Some(v) = global(key) {
                attributes.push((format!("NC_GLOBAL:{key}"), v));
            }
        }
        grids.extend(split(&dataset, &g, attributes));
    }
    if grids.is_empty() {
        return Err(FormatError::NoRecords("no two-dimensional gridded variable".into()));
    }
    Ok(Parsed { dataset: Dataset::Grids(grids), diagnostics })
}

/// Reads gridded bytes (a griddap `.nc` response) into grids.
pub fn read(bytes: &[u8], name: &str) -> Result<Parsed, FormatError> {
    read_nc(&NcFile::parse(bytes)?, name)
}

fn split(dataset: &str, g: &CfGrid, attributes: Vec<(String, String)>) -> Vec<Grid> {
    let cells = g.latitudes.len() * g.longitudes.len();
    let times: Vec<Option<chrono::DateTime<chrono::Utc>>> =
        if g.times.is_empty() { vec![None] } else { g.times.iter().copied().map(Some).collect() };
    times
        .into_iter()
        .enumerate()
        .map(|(t, time)| Grid {
            dataset: dataset.to_string(),
            variable: g.name.clone(),
            time,
            z: g.z_name.clone().map(|n| (n, g.z[0])),
            latitudes: g.latitudes.clone(),
            longitudes: g.longitudes.clone(),
            values: g.values[t * cells..(t + 1) * cells].to_vec(),
            fill_value: g.fill_value,
            units: g.units.clone(),
            long_name: g.long_name.clone(),
            standard_name: g.standard_name.clone(),
            attributes: attributes.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    //! Golden values checked independently with scipy.io.netcdf_file (python3) on the same files.

    use chrono::{TimeZone, Utc};
    use model::Grid;

    use crate::{Dataset, FileKind};

    fn grids(file: &str) -> (FileKind, Vec<Grid>) {
        let path = format!("{}/../../data/sample/grids/{file}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).unwrap();
        let (detected, parsed) = crate::read_file(file, &bytes).unwrap();
        let Dataset::Grids(g) = parsed.dataset else { panic!("{file}: not grids") };
        (detected.kind, g)
    }

    #[test]
    fn viirs_daily_chlorophyll_with_nan_fill() {
        let (kind, g) = grids("griddap_noaacwNPPVIIRSchlaDaily_chlor_a.nc");
        assert_eq!((kind.label(), g.len()), ("griddap grid", 1));
        let g = &g[0];
        assert_eq!((g.dataset.as_str(), g.variable.as_str()), ("noaacwNPPVIIRSchlaDaily", "chlor_a"));
        assert_eq!(g.time, Some(Utc.with_ymd_and_hms(2020, 7, 7, 12, 0, 0).unwrap()));
        assert_eq!(g.z, Some(("altitude".to_string(), 0.0)));
        assert_eq!((g.latitudes.len(), g.longitudes.len()), (27, 27));
        assert_eq!((g.latitudes[0], g.latitudes[26]), (30.99375, 30.01875));
        assert_eq!((g.longitudes[0], g.longitudes[26]), (-119.98125000000002, -119.00625000000001));
        assert_eq!(g.units, "mg m^-3");
        assert_eq!(g.standard_name, "mass_concentration_of_chlorophyll_in_sea_water");
        assert!(g.fill_value.unwrap().is_nan());
        assert_eq!(g.values.iter().filter(|v| v.is_nan()).count(), 644);
        assert_eq!(g.at(5, 0), 0.103_026_874);
        assert_eq!(g.at(7, 1), 0.097_589_05);
        let sum: f64 = g.values.iter().filter(|v| !v.is_nan()).map(|&v| f64::from(v)).sum();
        assert!((sum - 8.317_683_562_636_375).abs() < 1e-9);
        assert!(g.attributes.iter().any(|(k, v)| k == "colorBarScale" && v == "Log"));
        assert!(g.attributes.iter().any(|(k, v)| k == "colorBarMaximum" && v == "30"));
    }

    #[test]
    fn viirs_monthly_chlorophyll_with_minus_999_fill() {
        let (_, g) = grids("griddap_erdVHNchlamday_chla.nc");
        let g = &g[0];
        assert_eq!((g.dataset.as_str(), g.variable.as_str()), ("erdVHNchlamday", "chla"));
        assert_eq!((g.latitudes.len(), g.longitudes.len(), g.fill_value), (401, 134, Some(-999.0)));
        assert_eq!(g.values.iter().filter(|v| v.is_nan()).count(), 901);
        assert_eq!((g.at(0, 0), g.at(1, 2), g.at(400, 133)), (0.032_570_392, 0.052_188_907, 0.067_129_36));
        assert!(g.attributes.iter().any(|(k, v)| k == "valid_min" && v == "0.001"));
        assert!(g.attributes.iter().any(|(k, v)| k == "NC_GLOBAL:institution" && v == "NOAA NMFS SWFSC ERD"));
    }

    #[test]
    fn ekman_currents_three_variables_five_days_all_fill() {
        let (_, g) = grids("griddap_erdQMekm14day_mod_u_v_current.nc");
        assert_eq!(g.len(), 15);
        let names: Vec<&str> = g.iter().step_by(5).map(|g| g.variable.as_str()).collect();
        assert_eq!(names, ["mod_current", "u_current", "v_current"]);
        assert_eq!(g[0].dataset, "erdQMekm14day");
        assert_eq!(g[0].time, Some(Utc.timestamp_opt(1_451_260_800, 0).unwrap())); // 2015-12-28
        assert_eq!(g[4].time, Some(Utc.timestamp_opt(1_451_606_400, 0).unwrap())); // 2016-01-01
        assert_eq!((g[0].latitudes.clone(), g[0].longitudes.len()), (vec![23.0, 23.25, 23.5, 23.75, 24.0], 9));
        assert_eq!((g[0].units.as_str(), g[0].fill_value), ("m s-1", Some(-99999.0)));
        // Every cell of this response is the fill value (scipy: 0 cells differ from -99999).
        assert!(g.iter().all(|g| g.values.iter().all(|v| v.is_nan())));
    }

    #[test]
    fn gebco_elevation_has_no_time_axis() {
        let (_, g) = grids("griddap_GEBCO_2020_elevation_stride10.nc");
        let g = &g[0];
        assert_eq!(
            (g.dataset.as_str(), g.variable.as_str(), g.time, g.z.clone()),
            ("GEBCO_2020", "elevation", None, None)
        );
        assert_eq!((g.latitudes.len(), g.longitudes.len()), (313, 1009));
        assert_eq!((g.latitudes[0], g.latitudes[312]), (-66.99791666666667, -53.99791666666667));
        assert_eq!((g.longitudes[0], g.longitudes[1008]), (81.0020833333333, 123.0020833333333));
        assert_eq!((g.units.as_str(), g.fill_value), ("m", Some(32767.0)));
        assert_eq!((g.at(0, 0), g.at(0, 1), g.at(100, 500), g.at(312, 1008)), (-468.0, -427.0, -3099.0, -4357.0));
        assert_eq!(g.values.iter().filter(|v| v.is_nan()).count(), 0);
        let sum: f64 = g.values.iter().map(|&v| f64::from(v)).sum();
        assert_eq!(sum, -1_067_957_668.0);
    }

    #[test]
    fn dataset_id_falls_back_to_the_file_name() {
        let bytes = crate::cf_grid::write_heat_stress_grid(
            Utc.with_ymd_and_hms(2023, 9, 20, 12, 0, 0).unwrap(),
            &[10.0],
            &[20.0],
            &[1.0],
            &[Some(2)],
        )
        .unwrap();
        let (d, p) = crate::read_file("dir/my_dhw.nc", &bytes).unwrap();
        assert_eq!(d.kind, FileKind::Griddap);
        let Dataset::Grids(g) = p.dataset else { panic!() };
        assert_eq!((g[0].dataset.as_str(), g.len()), ("my_dhw", 2));
    }
}

//! Golden tests of the Argo readers on the real files in data/sample, and of detection and bad input.

use chrono::{TimeZone, Utc};
use model::{DataMode, Direction, Profile, QcFlag};

use crate::{Dataset, FileKind, FormatError, detect, read};

pub(crate) fn sample(rel: &str) -> Vec<u8> {
    let path = format!("{}/../../data/sample/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn profiles_of(rel: &str) -> Vec<Profile> {
    let name = rel.rsplit('/').next().unwrap();
    let bytes = sample(rel);
    let d = detect(name, &bytes).unwrap();
    match read(&d, &bytes).unwrap().dataset {
        Dataset::Profiles { profiles, .. } => profiles,
        other => panic!("{rel}: not profiles: {other:?}"),
    }
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() < 1e-4
}

#[test]
fn d4900590_097_levels_and_values() {
    let p = profiles_of("argo/D4900590_097.nc");
    assert_eq!(p.len(), 1);
    let p = &p[0];
    assert_eq!(p.key().id(), "4900590_097");
    assert_eq!(p.n_levels(), 67);
    assert_eq!(p.data_mode, DataMode::Delayed);
    assert_eq!(p.direction, Direction::Ascending);
    assert_eq!(p.time, Some(Utc.with_ymd_and_hms(2007, 8, 2, 11, 27, 55).unwrap()));
    let (pres, temp, psal) = (p.param("PRES").unwrap(), p.param("TEMP").unwrap(), p.param("PSAL").unwrap());
    assert_eq!(p.params.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["PRES", "TEMP", "PSAL", "CNDC"]);
    assert!(close(pres.values[0], 3.0) && close(pres.values[66], 1435.5));
    assert!(close(temp.values[0], 25.997) && close(temp.values[66], 4.180));
    assert!(close(psal.values[0], 36.157) && close(psal.values[66], 34.807));
    assert_eq!(temp.qc[0], QcFlag::GOOD);
    assert!(temp.adjusted.is_some() && temp.adjusted_error.is_some());
    let pos = p.position.unwrap();
    // The file stores doubles that were once floats: 40.261001586914062, -56.108001708984375.
    assert!((pos.lat - 40.261_001_586_914_06).abs() < 1e-12 && (pos.lon - -56.108_001_708_984_375).abs() < 1e-12);
}

#[test]
fn multi_profile_1902714_has_54_profiles_2025_to_2026() {
    let p = profiles_of("argo/1902714_prof.nc");
    assert_eq!(p.len(), 54);
    let first = p.iter().filter_map(|p| p.time).min().unwrap();
    let last = p.iter().filter_map(|p| p.time).max().unwrap();
    assert_eq!(first, Utc.with_ymd_and_hms(2025, 1, 22, 0, 37, 0).unwrap());
    assert_eq!(last, Utc.with_ymd_and_hms(2026, 6, 16, 9, 44, 0).unwrap());
    // Cycle 1 has a descending and an ascending profile.
    assert_eq!(p[0].key().id(), "1902714_001D");
    assert_eq!(p[1].key().id(), "1902714_001");
    assert_eq!(p.iter().filter(|p| p.data_mode == DataMode::Delayed).count(), 34);
    assert!(p.iter().all(|p| p.n_levels() <= 503 && p.n_levels() > 0));
}

#[test]
fn every_argo_netcdf_file_loads() {
    let dir = format!("{}/../../data/sample/argo", env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "nc") {
            let bytes = std::fs::read(&path).unwrap();
            let name = path.file_name().unwrap().to_str().unwrap();
            let d = detect(name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            let parsed = read(&d, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(parsed.diagnostics.is_empty(), "{name}: {:?}", parsed.diagnostics);
            n += 1;
        }
    }
    assert_eq!(n, 15);
}

#[test]
fn level_totals_match_the_netcdf4_baseline() {
    // shared/bench/argo_netcdf.py reads 83 profiles and 30,025 levels from the 10 GDAC profile files.
    let files = [
        "D4900590_097.nc",
        "D4900882_029.nc",
        "D13857_001.nc",
        "R13858_004.nc",
        "1901462_prof.nc",
        "1902714_prof.nc",
        "SD5904989_012.nc",
        "SD5903586_001.nc",
        "SR2902204_131.nc",
        "D4900785_048.nc",
    ];
    let (mut profiles, mut levels) = (0, 0);
    for f in files {
        for p in profiles_of(&format!("argo/{f}")) {
            profiles += 1;
            levels += p.n_levels();
        }
    }
    assert_eq!((profiles, levels), (83, 30_025));
}

#[test]
fn bgc_synthetic_profile_has_per_parameter_modes() {
    let p = &profiles_of("argo/SD5903586_001.nc")[0];
    let names: Vec<_> = p.params.iter().map(|c| (c.name.as_str(), c.data_mode.to_char())).collect();
    assert_eq!(
        names,
        [("PRES", 'D'), ("TEMP", 'D'), ("PSAL", 'D'), ("DOXY", 'D'), ("CHLA", 'A'), ("BBP700", 'R'), ("NITRATE", 'R')]
    );
    assert_eq!(p.data_mode, DataMode::RealTime);
    assert_eq!(p.n_levels(), 548);
    let pos = p.position.unwrap();
    assert!((pos.lat - 20.5).abs() < 0.1 && (pos.lon - 65.6).abs() < 0.1);
    // DOXY was adjusted (the argoFloats docs say by 16%): adjusted differs from raw where both exist.
    let doxy = p.param("DOXY").unwrap();
    let adj = doxy.adjusted.as_ref().unwrap();
    let i = (0..doxy.len()).find(|&i| !doxy.values[i].is_nan() && !adj[i].is_nan()).unwrap();
    assert!((adj[i] / doxy.values[i] - 1.0).abs() > 0.05, "{} vs {}", adj[i], doxy.values[i]);
}

#[test]
fn temperature_only_profile_has_no_salinity() {
    let p = &profiles_of("argo/D13857_001.nc")[0];
    assert!(p.param("PSAL").is_none());
    assert!(p.param("TEMP").is_some());
    assert_eq!(p.time.unwrap().format("%Y").to_string(), "1997");
}

#[test]
fn meta_file_gives_platform_attributes() {
    let bytes = sample("argo/13857_meta.nc");
    let d = detect("13857_meta.nc", &bytes).unwrap();
    assert_eq!(d.kind, FileKind::ArgoMeta);
    let Dataset::Platforms(p) = read(&d, &bytes).unwrap().dataset else { panic!() };
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].id, "13857");
    assert!(p[0].attribute("launch_date").unwrap().starts_with("1997-"));
    assert!(p[0].position.is_some());
    assert!(p[0].attribute("sensor").is_some());
}

#[test]
fn profile_6902746_034_is_the_same_in_erddap_nc_and_argovis_json() {
    let e = profiles_of("argo/erddap_ArgoFloats_6902746_cyc34.nc");
    let a = profiles_of("argo/argovis_argo_id_6902746_034.json");
    assert_eq!((e.len(), a.len()), (1, 1));
    let (e, a) = (&e[0], &a[0]);
    assert_eq!(e.key(), a.key());
    assert_eq!(e.key().id(), "6902746_034");
    assert_eq!((e.n_levels(), a.n_levels()), (109, 109));
    assert_eq!(e.time, a.time);
    let (pe, pa) = (e.position.unwrap(), a.position.unwrap());
    assert!((pe.lon - pa.lon).abs() < 1e-6 && (pe.lat - pa.lat).abs() < 1e-6);
    for name in ["PRES", "TEMP", "PSAL"] {
        let (ce, ca) = (e.param(name).unwrap(), a.param(name).unwrap());
        assert_eq!((ce.data_mode, ca.data_mode), (DataMode::Delayed, DataMode::Delayed));
        for i in 0..109 {
            assert!((ce.best(i) - ca.best(i)).abs() < 1e-3, "{name}[{i}]: {} vs {}", ce.best(i), ca.best(i));
        }
    }
    assert!(close(e.param("PSAL").unwrap().best(0), 36.262));
    assert!(close(a.param("TEMP").unwrap().best(108), 3.644));
}

#[test]
fn erddap_box_response_groups_rows_into_profiles() {
    let p = profiles_of("argo/erddap_ArgoFloats_box_2004-01.nc");
    assert_eq!(p.iter().map(|p| p.n_levels()).sum::<usize>(), 55);
    assert!(p.iter().all(|p| p.time.unwrap().format("%Y-%m").to_string() == "2004-01"));
}

#[test]
fn detection_uses_content_not_names() {
    let bytes = sample("argo/D4900590_097.nc");
    assert_eq!(detect("renamed.bin", &bytes).unwrap().kind, FileKind::ArgoProfiles);
    let bytes = sample("argo/argovis_argo_id_6902746_001.json");
    assert_eq!(detect("x.txt", &bytes).unwrap().kind, FileKind::ArgovisJson);
}

#[test]
fn bad_input_gives_one_clear_error() {
    let full = sample("argo/D4900590_097.nc");
    // Truncated inside the data.
    let err = crate::netcdf::NcFile::parse(&full[..full.len() / 2]).unwrap_err();
    assert!(matches!(err, FormatError::Truncated(_)), "{err}");
    // Truncated inside the header.
    let err = detect("x.nc", &full[..100]).unwrap_err();
    assert!(matches!(err, FormatError::Truncated(_)), "{err}");
    // Corrupt header tag.
    let mut bad = full.clone();
    bad[8..12].copy_from_slice(&[0, 0, 0, 0x77]);
    assert!(matches!(detect("x.nc", &bad).unwrap_err(), FormatError::NotNetcdf(_)));
    assert_eq!(detect("x", b"").unwrap_err(), FormatError::Empty);
    assert!(matches!(detect("x", &[0xff, 0xfe, 0x00, 0x41]).unwrap_err(), FormatError::NotUtf8(_)));
    assert!(matches!(detect("x.csv", b"a,b,c\n1,2,3\n").unwrap_err(), FormatError::Header(_)));
    assert!(matches!(detect("x.json", b"{\"hello\": 1}").unwrap_err(), FormatError::Json(_)));
    let d = crate::Detected { kind: FileKind::ArgovisJson, name: "x.json".into() };
    assert!(matches!(read(&d, b"[{\"_id\": \"1_1\", \"geolocation\": ").unwrap_err(), FormatError::Json(_)));
}

#[test]
fn juld_conversion() {
    assert_eq!(crate::argo::juld_to_utc(0.0), Some(Utc.with_ymd_and_hms(1950, 1, 1, 0, 0, 0).unwrap()));
    assert_eq!(crate::argo::juld_to_utc(999_999.0), None);
    assert_eq!(crate::argo::juld_to_utc(f64::NAN), None);
}

//! Golden tests of the NDBC readers on the real files in data/sample/buoy, and of bad input.

use std::collections::BTreeSet;

use chrono::{DateTime, TimeZone, Utc};
use model::{PlatformKind, QcFlag, SeriesPoint};

use super::{read_ocean, read_spec, read_stdmet, station_from_file_name};
use crate::{Dataset, Diagnostic, FormatError, Parsed};

const H44005_2012: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample/buoy/44005h2012.txt"));
const TPLM2_REALTIME2: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample/buoy/TPLM2_realtime2_2022-08-13.txt"));
const OCEAN_41024: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample/buoy/41024_realtime2_2022-08-13.ocean"));
const SPEC_41001: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample/buoy/41001_realtime2_2022-08-13.spec"));

fn series(parsed: Parsed) -> (model::Platform, Vec<SeriesPoint>) {
    match parsed.dataset {
        Dataset::Series { platform, points } => (platform, points),
        other => panic!("not a series: {other:?}"),
    }
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().expect("valid time")
}

/// Checks that the points at `time` are exactly `expected` (variable, value), each at `depth`.
fn check_row(points: &[SeriesPoint], station: &str, time: DateTime<Utc>, depth: f64, expected: &[(&str, f64)]) {
    let row: Vec<&SeriesPoint> = points.iter().filter(|p| p.time == time).collect();
    let got: Vec<(&str, f64)> = row.iter().map(|p| (p.variable.as_str(), p.value)).collect();
    let mut want = expected.to_vec();
    want.sort_by(|a, b| a.0.cmp(b.0));
    assert_eq!(got, want, "row at {time}");
    for p in row {
        assert_eq!((p.platform.as_str(), p.depth, p.qc), (station, depth, QcFlag::NO_QC), "{p:?}");
    }
}

fn assert_sorted(points: &[SeriesPoint]) {
    assert!(points.is_sorted_by(|a, b| (a.time, &a.variable) <= (b.time, &b.variable)), "points out of order");
}

fn distinct_times(points: &[SeriesPoint]) -> usize {
    points.iter().map(|p| p.time).collect::<BTreeSet<_>>().len()
}

#[test]
fn station_ids_from_file_names() {
    for (name, id) in [
        ("44005h2012.txt", Some("44005")),
        ("tplm2h2020.txt", Some("TPLM2")),
        ("data/buoy/tplm2h2021.txt", Some("TPLM2")),
        ("44005o2012.txt", Some("44005")),
        ("TPLM2_realtime2_2022-08-13.txt", Some("TPLM2")),
        ("41024_realtime2_2022-08-13.ocean", Some("41024")),
        ("41024.ocean", Some("41024")),
        ("41001.spec", Some("41001")),
        ("TPLM2.txt", Some("TPLM2")),
        ("0y2w3.txt", Some("0Y2W3")),
        ("0y2w3h2019.txt", Some("0Y2W3")),
        ("_x.txt", None),
        ("", None),
    ] {
        assert_eq!(station_from_file_name(name).as_deref(), id, "{name}");
    }
}

/// 8,348 lines: one header line (no units line) and 8,347 rows, one of them `2011 12 31 23 50`.
/// The point count comes from counting the cells that are neither `MM` nor an all-9 fill with awk.
#[test]
fn historical_44005_2012() {
    let parsed = read_stdmet(H44005_2012, "44005").expect("readable");
    assert_eq!(parsed.diagnostics, []);
    let (platform, points) = series(parsed);
    assert_eq!((platform.id.as_str(), platform.kind), ("44005", PlatformKind::Buoy));
    assert_eq!(distinct_times(&points), 8347);
    assert_eq!(points.len(), 82245);
    assert_sorted(&points);
    assert_eq!(points.first().map(|p| p.time), Some(utc(2011, 12, 31, 23, 50)));
    assert_eq!(points.last().map(|p| p.time), Some(utc(2012, 12, 14, 5, 50)));
    // MWD 999, VIS 99.0 and TIDE 99.00 are fills.
    check_row(
        &points,
        "44005",
        utc(2012, 1, 1, 0, 50),
        0.0,
        &[
            ("wind_direction", 296.0),
            ("wind_speed", 5.5),
            ("wind_gust", 6.3),
            ("wave_height", 0.89),
            ("dominant_wave_period", 5.56),
            ("average_wave_period", 4.60),
            ("air_pressure", 1007.8),
            ("air_temperature", 6.1),
            ("sea_surface_temperature", 8.1),
            ("dewpoint_temperature", 6.1),
        ],
    );
    // Real values made of 9s are not fills: WDIR 99, WSPD 9.9 (`2012 01 12 11 50`), PRES 999.9.
    let at = |time, var: &str| points.iter().find(|p| p.time == time && p.variable == var).map(|p| p.value);
    assert_eq!(at(utc(2012, 1, 12, 11, 50), "wind_direction"), Some(99.0));
    assert_eq!(at(utc(2012, 1, 11, 11, 50), "wind_direction"), Some(9.0));
    assert_eq!(at(utc(2012, 1, 13, 6, 50), "air_pressure"), Some(999.9));
    // `2012 01 30 13 50` has PRES 9999.0 and `2012 01 18 10 50` DEWP 999.0: fills.
    assert_eq!(at(utc(2012, 1, 30, 13, 50), "air_pressure"), None);
    assert_eq!(at(utc(2012, 1, 18, 10, 50), "dewpoint_temperature"), None);
    assert_eq!(at(utc(2012, 1, 18, 10, 50), "air_temperature"), Some(8.0));
    // Every MWD, VIS and TIDE cell of this file is a fill.
    assert!(!points.iter().any(|p| matches!(p.variable.as_str(), "mean_wave_direction" | "visibility" | "tide")));
}

/// 1,096 lines: `#YY` header, `#yr` units line, 1,094 rows from 2022-08-13 18:00 back to 2022-06-29 00:00.
#[test]
fn realtime2_tplm2_newest_first() {
    let parsed = read_stdmet(TPLM2_REALTIME2, "TPLM2").expect("readable");
    assert_eq!(parsed.diagnostics, []);
    let (platform, points) = series(parsed);
    assert_eq!((platform.id.as_str(), platform.kind), ("TPLM2", PlatformKind::FixedStation));
    assert_eq!(distinct_times(&points), 1094);
    assert_eq!(points.len(), 6907);
    assert_sorted(&points);
    // The last line of the file, the first in time.
    let first = utc(2022, 6, 29, 0, 0);
    assert_eq!(points.first().map(|p| p.time), Some(first));
    check_row(
        &points,
        "TPLM2",
        first,
        0.0,
        &[
            ("wind_direction", 170.0),
            ("wind_speed", 4.1),
            ("wind_gust", 4.6),
            ("air_pressure", 1023.2),
            ("air_temperature", 23.8),
            ("sea_surface_temperature", 24.0),
            ("pressure_tendency", 0.6),
        ],
    );
    // The first line of the file: WTMP is MM, PTDY negative.
    let last = utc(2022, 8, 13, 18, 0);
    assert_eq!(points.last().map(|p| p.time), Some(last));
    check_row(
        &points,
        "TPLM2",
        last,
        0.0,
        &[
            ("wind_direction", 10.0),
            ("wind_speed", 4.1),
            ("wind_gust", 5.1),
            ("air_pressure", 1020.8),
            ("air_temperature", 23.3),
            ("pressure_tendency", -1.0),
        ],
    );
}

/// 1,075 lines: header, units line and 1,073 rows, each with DEPTH 1.0, OTMP and SAL (the rest MM).
#[test]
fn ocean_41024() {
    let parsed = read_ocean(OCEAN_41024, "41024").expect("readable");
    assert_eq!(parsed.diagnostics, []);
    let (platform, points) = series(parsed);
    assert_eq!(platform.id, "41024");
    assert_eq!(distinct_times(&points), 1073);
    assert_eq!(points.len(), 2 * 1073);
    assert_sorted(&points);
    check_row(
        &points,
        "41024",
        utc(2022, 8, 13, 17, 30),
        1.0,
        &[("ocean_temperature", 17.5), ("sea_water_salinity", 35.1)],
    );
    assert_eq!(points.first().map(|p| p.time), Some(utc(2022, 6, 29, 0, 30)));
}

/// 1,072 lines: header, units line, 1,070 rows; 10,511 cells are neither `MM` nor `N/A`.
#[test]
fn spec_41001() {
    let parsed = read_spec(SPEC_41001, "41001").expect("readable");
    assert_eq!(parsed.diagnostics, []);
    let (platform, points) = series(parsed);
    assert_eq!(platform.id, "41001");
    assert_eq!(distinct_times(&points), 1070);
    assert_eq!(points.len(), 10511);
    assert_sorted(&points);
    // `2022 08 13 16 40  0.8  0.7  5.3  0.4  3.8 WNW  SW      STEEP  4.5 302`
    check_row(
        &points,
        "41001",
        utc(2022, 8, 13, 16, 40),
        0.0,
        &[
            ("wave_height", 0.8),
            ("swell_height", 0.7),
            ("swell_period", 5.3),
            ("wind_wave_height", 0.4),
            ("wind_wave_period", 3.8),
            ("swell_direction", 292.5),
            ("wind_wave_direction", 225.0),
            ("wave_steepness", 3.0),
            ("average_wave_period", 4.5),
            ("mean_wave_direction", 302.0),
        ],
    );
    // `2022 08 13 17 40  0.7  0.6  5.0  0.4  3.7  NW  SW        N/A  4.5 317`: no steepness.
    let row = utc(2022, 8, 13, 17, 40);
    assert!(!points.iter().any(|p| p.time == row && p.variable == "wave_steepness"));
    let steepness: BTreeSet<u64> =
        points.iter().filter(|p| p.variable == "wave_steepness").map(|p| p.value as u64).collect();
    assert_eq!(steepness, BTreeSet::from([1, 2, 3, 4]));
}

#[test]
fn older_historical_layout_reads_by_column_name() {
    let text = "YYYY MM DD hh  WD  WSPD GST  WVHT  DPD   APD  MWD  BAR    ATMP  WTMP  DEWP  VIS\n\
                1998 03 01 00 250  8.0  9.5  1.20  7.14  5.30 999 1012.3   2.1   4.0 999.0 99.0\n\
                97 12 31 23 999 99.0 99.0  0.90  6.00  4.80 999 9999.0   1.0   4.5   0.5 99.0\n";
    let (_, points) = series(read_stdmet(text.as_bytes(), "44005").expect("readable"));
    check_row(
        &points,
        "44005",
        utc(1997, 12, 31, 23, 0),
        0.0,
        &[
            ("wave_height", 0.9),
            ("dominant_wave_period", 6.0),
            ("average_wave_period", 4.8),
            ("air_temperature", 1.0),
            ("sea_surface_temperature", 4.5),
            ("dewpoint_temperature", 0.5),
        ],
    );
    let row = utc(1998, 3, 1, 0, 0);
    assert_eq!(points.iter().filter(|p| p.time == row).count(), 9);
    assert!(points.iter().any(|p| p.time == row && p.variable == "wind_direction" && p.value == 250.0));
    assert!(points.iter().any(|p| p.time == row && p.variable == "air_pressure" && p.value == 1012.3));
}

#[test]
fn unknown_columns_are_named_once() {
    let text = "#YY  MM DD hh mm WSPD  FOO BAR2\n#yr  mo dy hr mn m/s  - -\n2022 08 13 18 00  4.1 1 2\n";
    let parsed = read_stdmet(text.as_bytes(), "tplm2").expect("readable");
    assert_eq!(parsed.diagnostics, [Diagnostic::new("line 1", "unknown columns ignored: FOO BAR2")]);
    let (platform, points) = series(parsed);
    assert_eq!(platform.id, "TPLM2");
    check_row(&points, "TPLM2", utc(2022, 8, 13, 18, 0), 0.0, &[("wind_speed", 4.1)]);
}

#[test]
fn bad_rows_are_skipped_with_a_diagnostic() {
    // The realtime2 file with its third data row cut short and its fourth dated 31 June.
    let text = std::str::from_utf8(TPLM2_REALTIME2).expect("utf-8");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[4].truncate(30);
    lines[5] = lines[5].replacen("2022 08 13", "2022 06 31", 1);
    let parsed = read_stdmet(lines.join("\n").as_bytes(), "TPLM2").expect("readable");
    assert_eq!(
        parsed.diagnostics,
        [
            Diagnostic::new("line 5", "expected 19 fields, found 8; row skipped"),
            Diagnostic::new("line 6", "bad date or time; row skipped"),
        ]
    );
    let (_, points) = series(parsed);
    assert_eq!(distinct_times(&points), 1092);
    assert!(!points.iter().any(|p| p.time == utc(2022, 8, 13, 16, 0) || p.time == utc(2022, 8, 13, 15, 0)));
}

#[test]
fn bad_cells_are_skipped_with_a_diagnostic() {
    let text =
        "#YY MM DD hh mm SwD WWD STEEPNESS WVHT\n2022 08 13 17 40 XYZ SW CALM 0.7x\n2022 08 13 18 40 N MM N/A 0.8\n";
    let parsed = read_spec(text.as_bytes(), "41001").expect("readable");
    assert_eq!(
        parsed.diagnostics,
        [
            Diagnostic::new("line 2", "bad SwD value \"XYZ\""),
            Diagnostic::new("line 2", "bad WVHT value \"0.7x\""),
            Diagnostic::new("line 2", "bad STEEPNESS value \"CALM\""),
        ]
    );
    let (_, points) = series(parsed);
    check_row(&points, "41001", utc(2022, 8, 13, 17, 40), 0.0, &[("wind_wave_direction", 225.0)]);
    check_row(&points, "41001", utc(2022, 8, 13, 18, 40), 0.0, &[("swell_direction", 0.0), ("wave_height", 0.8)]);
}

#[test]
fn unreadable_inputs_are_errors() {
    assert_eq!(read_stdmet(b"", "44005"), Err(FormatError::Empty));
    assert_eq!(read_stdmet(b"\n \n", "44005"), Err(FormatError::Empty));
    assert_eq!(read_stdmet(b"YY MM DD hh WSPD\n\xff\xfe", "44005"), Err(FormatError::NotUtf8(17)));
    assert!(matches!(read_stdmet(b"time,lat,lon,sst\n1,2,3,4\n", "44005"), Err(FormatError::Header(_))));
    assert!(matches!(read_ocean(b"YY MM DD hh mm FOO BAZ\n2022 1 1 0 0 1 2\n", "41024"), Err(FormatError::Header(_))));
    assert!(matches!(
        read_stdmet(b"#YY MM DD hh mm WSPD\n#yr mo dy hr mn m/s\n", "44005"),
        Err(FormatError::NoRecords(_))
    ));
    assert!(matches!(
        read_stdmet(b"YY MM DD hh mm WSPD\n2022 13 01 00 00 5.0\n", "44005"),
        Err(FormatError::NoRecords(_))
    ));
}

#[test]
fn ocean_rows_at_several_depths_sort_by_time_variable_depth() {
    let text = "#YY MM DD hh mm DEPTH OTMP\n2022 08 13 17 30 10.0 15.0\n2022 08 13 17 30 1.0 17.5\n\
                2022 08 13 16 30 MM 17.4\n2022 08 13 16 30 1.0 17.4\n2022 08 13 16 30 1.0 17.9\n2022 08 13 16 30 2.0 99.0\n";
    let parsed = read_ocean(text.as_bytes(), "41024").expect("readable");
    assert_eq!(
        parsed.diagnostics,
        [
            Diagnostic::new("line 4", "missing DEPTH \"MM\"; row skipped"),
            Diagnostic::new("file", "1 repeated points (same time, variable and depth) dropped, the first kept"),
        ]
    );
    let (_, points) = series(parsed);
    let got: Vec<(u32, f64, f64)> =
        points.iter().map(|p| (chrono::Timelike::hour(&p.time), p.depth, p.value)).collect();
    assert_eq!(got, [(16, 1.0, 17.4), (17, 1.0, 17.5), (17, 10.0, 15.0)]);
}

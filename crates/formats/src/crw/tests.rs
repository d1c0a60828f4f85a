//! Golden tests of the CRW virtual-station reader on the real Florida Keys file in data/sample/crw, and of bad input.

use chrono::NaiveDate;
use model::{HeatStressDay, Point, ReefSite};

use super::{header_date, read, slug};
use crate::{Dataset, Diagnostic, FormatError, Parsed};

const FLORIDA_KEYS: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample/crw/crw_vs_florida_keys.txt"));

fn heat_stress(parsed: Parsed) -> (ReefSite, Vec<HeatStressDay>) {
    match parsed.dataset {
        Dataset::HeatStress { site, days } => (site, days),
        other => panic!("not heat stress: {other:?}"),
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// A day from (date, SST_MIN, SST_MAX, SST@90th_HS, SSTA@90th_HS, 90th_HS>0, DHW_from_90th_HS>1, BAA).
fn day(site: &str, date: NaiveDate, v: [f64; 6], baa: u8) -> HeatStressDay {
    HeatStressDay {
        site: site.into(),
        date,
        sst_min: Some(v[0]),
        sst_max: Some(v[1]),
        sst_90th_hs: Some(v[2]),
        ssta_90th_hs: Some(v[3]),
        hotspot: Some(v[4]),
        dhw: Some(v[5]),
        baa_7day_max: Some(baa),
    }
}

/// 14,483 lines: 22 header lines and 14,461 daily rows, every day from 1985-01-01 to 2024-08-04.
#[test]
fn florida_keys_1985_2024() {
    let parsed = read(FLORIDA_KEYS, "crw_vs_florida_keys.txt").expect("readable");
    assert_eq!(parsed.diagnostics, []);
    let (site, days) = heat_stress(parsed);
    assert_eq!(
        site,
        ReefSite {
            id: "florida_keys".into(),
            name: "Florida Keys".into(),
            position: Point::new(-81.625, 24.75).expect("valid"),
            mmm: Some(29.6264),
            monthly_means: Some([
                23.4166, 23.1889, 23.5492, 24.6089, 26.4747, 28.3325, 29.3254, 29.6264, 29.1674, 27.7384, 26.0846,
                24.4925,
            ]),
            first_valid_dhw: Some(date(1985, 3, 25)),
            first_valid_baa: Some(date(1985, 3, 31)),
            polygon: None,
        }
    );
    assert_eq!(days.len(), 14461);
    assert!(days.windows(2).all(|w| w[1].date == w[0].date + chrono::Days::new(1)), "a day is missing");
    assert_eq!(days[0], day("florida_keys", date(1985, 1, 1), [24.41, 25.15, 24.96, 0.5113, 0.0, 0.0], 0));
    assert_eq!(days[14460], day("florida_keys", date(2024, 8, 4), [30.22, 31.26, 31.05, 1.4842, 1.36, 6.2743], 3));
    // The 2023 marine heatwave: the largest DHW of the file, at Alert Level 2.
    let max = days.iter().max_by(|a, b| a.dhw.unwrap_or(0.0).total_cmp(&b.dhw.unwrap_or(0.0))).expect("days");
    assert_eq!((max.date, max.dhw, max.baa_7day_max), (date(2023, 9, 20), Some(22.2986), Some(4)));
    let baa_days = |level| days.iter().filter(|d| d.baa_7day_max == Some(level)).count();
    assert_eq!([0, 1, 2, 3, 4, 5].map(baa_days), [10767, 2368, 795, 370, 161, 0]);
}

#[test]
fn header_dates_are_year_day_month() {
    assert_eq!(header_date("1985 25 03"), Some(date(1985, 3, 25)));
    assert_eq!(header_date("1985 31 03"), Some(date(1985, 3, 31)));
    // When the day is last it is above 12 and cannot be a month.
    assert_eq!(header_date("1985 03 25"), Some(date(1985, 3, 25)));
    // Ambiguous: the files' year-day-month order.
    assert_eq!(header_date("1985 02 03"), Some(date(1985, 3, 2)));
    assert_eq!(header_date("1985 31 02"), None);
    assert_eq!(header_date("1985 25"), None);
}

#[test]
fn site_ids_are_slugs() {
    assert_eq!(slug("Florida Keys"), "florida_keys");
    assert_eq!(slug("Bahamas (Southeast)"), "bahamas_southeast");
    assert_eq!(slug("Hawaii - Main Islands"), "hawaii_main_islands");
}

fn header_only() -> String {
    let text = std::str::from_utf8(FLORIDA_KEYS).expect("utf-8");
    text.lines().take(22).collect::<Vec<_>>().join("\n")
}

#[test]
fn garbled_rows_and_missing_values() {
    let text = format!(
        "{}\n{}\n{}\n{}\n{}\n",
        header_only(),
        "1985 01 01 24.4100 25.1500 24.9600      0.5113       0.0000    0.0000            0",
        "1985 01 02 24.1200 25.1300 24.9500      0.4029",
        "1985 02 30 24.1200 25.1300 24.9500      0.4029       0.0000    0.0000            0",
        "1985 01 03 NaN -999.0000 24.9800 0.4281x 0.0000 0.0000 9",
    );
    let parsed = read(text.as_bytes(), "crw_vs_florida_keys.txt").expect("readable");
    assert_eq!(
        parsed.diagnostics,
        [
            Diagnostic::new("line 24", "expected 10 fields, found 7; row skipped"),
            Diagnostic::new("line 25", "bad date; row skipped"),
            Diagnostic::new("line 26", "bad SSTA@90th_HS value \"0.4281x\""),
            Diagnostic::new("line 26", "BAA 9 is not a level 0-7"),
        ]
    );
    let (_, days) = heat_stress(parsed);
    assert_eq!(days.len(), 2);
    assert_eq!(
        days[1],
        HeatStressDay {
            site: "florida_keys".into(),
            date: date(1985, 1, 3),
            sst_min: None,
            sst_max: None,
            sst_90th_hs: Some(24.98),
            ssta_90th_hs: None,
            hotspot: Some(0.0),
            dhw: Some(0.0),
            baa_7day_max: None,
        }
    );
}

#[test]
fn header_without_name_uses_the_file_name() {
    let text = "Polygon Middle Longitude: -81.6250\nPolygon Middle Latitude: 24.7500\n\
                YYYY MM DD SST_MIN SST_MAX\n1985 01 01 24.4100 25.1500\n";
    let parsed = read(text.as_bytes(), "crw_vs_florida_keys.txt").expect("readable");
    assert_eq!(
        parsed.diagnostics,
        [
            Diagnostic::new(
                "line 3",
                "columns missing, read as empty: SST@90th_HS SSTA@90th_HS 90th_HS>0 DHW_from_90th_HS>1 BAA_7day_max"
            ),
            Diagnostic::new("header", "no Name; the site is named \"florida_keys\" after the file"),
        ]
    );
    let (site, days) = heat_stress(parsed);
    assert_eq!((site.id.as_str(), site.mmm, site.monthly_means), ("florida_keys", None, None));
    assert_eq!((days[0].sst_max, days[0].dhw), (Some(25.15), None));
}

#[test]
fn unreadable_inputs_are_errors() {
    assert_eq!(read(b"", "x.txt"), Err(FormatError::Empty));
    assert_eq!(read(b"Name:\n\xff", "x.txt"), Err(FormatError::NotUtf8(6)));
    assert!(matches!(read(header_only().as_bytes(), "x.txt"), Err(FormatError::NoRecords(_))));
    let no_columns: String = header_only().lines().take(21).collect::<Vec<_>>().join("\n");
    assert!(matches!(read(no_columns.as_bytes(), "x.txt"), Err(FormatError::Header(_))));
    let no_position = "Name:\nFlorida Keys\nYYYY MM DD SST_MIN\n1985 01 01 24.41\n";
    assert!(matches!(read(no_position.as_bytes(), "x.txt"), Err(FormatError::Header(_))));
    let all_garbled = format!("{}\n1985 01\n", header_only());
    assert!(matches!(read(all_garbled.as_bytes(), "x.txt"), Err(FormatError::NoRecords(_))));
}

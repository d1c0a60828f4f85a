//! Golden tests of the GDAC profile-index reader on the real excerpt in data/sample/argo, and of bad input.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use model::{DataMode, Direction};

use super::{IndexEntry, parse_path, read};
use crate::{Dataset, Diagnostic, FormatError, Parsed};

const EXCERPT: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample/argo/ar_index_global_prof_excerpt.txt"));

fn entries(parsed: Parsed) -> Vec<IndexEntry> {
    match parsed.dataset {
        Dataset::ProfileIndex(e) => e,
        other => panic!("not an index: {other:?}"),
    }
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<DateTime<Utc>> {
    Some(Utc.with_ymd_and_hms(y, mo, d, h, mi, s).single().expect("valid time"))
}

fn count<K: Ord>(entries: &[IndexEntry], key: impl Fn(&IndexEntry) -> K) -> BTreeMap<K, usize> {
    let mut counts = BTreeMap::new();
    for e in entries {
        *counts.entry(key(e)).or_default() += 1;
    }
    counts
}

/// 2,711 lines: 8 `#` lines, the column line and 2,702 rows.
#[test]
fn excerpt_2702_rows() {
    let parsed = read(EXCERPT).expect("readable");
    assert_eq!(parsed.diagnostics, []);
    let entries = entries(parsed);
    assert_eq!(entries.len(), 2702);
    // The 7 rows without an ocean: 6 of float 4902252 (jma) with the position fills, and
    // aoml R5906072_121 with an empty position.
    assert_eq!(
        count(&entries, |e| e.ocean.clone()),
        BTreeMap::from([("".to_string(), 7), ("A".to_string(), 1463), ("I".to_string(), 382), ("P".to_string(), 850)])
    );
    let no_position: Vec<&str> = entries.iter().filter(|e| e.latitude.is_none()).map(|e| e.file.as_str()).collect();
    assert_eq!(
        no_position,
        [
            "aoml/5906072/profiles/R5906072_121.nc",
            "jma/4902252/profiles/D4902252_104.nc",
            "jma/4902252/profiles/D4902252_105.nc",
            "jma/4902252/profiles/D4902252_106.nc",
            "jma/4902252/profiles/D4902252_107.nc",
            "jma/4902252/profiles/D4902252_108.nc",
            "jma/4902252/profiles/D4902252_109.nc",
        ]
    );
    assert_eq!(entries.iter().filter(|e| e.longitude.is_none()).count(), 7);
    assert!(entries.iter().all(|e| e.ocean.is_empty() == e.latitude.is_none()));
    // 73 rows have no date, all of kma float 2901746.
    assert_eq!(entries.iter().filter(|e| e.date.is_none()).count(), 73);
    assert!(entries.iter().all(|e| e.date_update.is_some()));
    assert_eq!(count(&entries, |e| e.direction == Direction::Descending), BTreeMap::from([(false, 2327), (true, 375)]));
    assert_eq!(count(&entries, |e| e.data_mode.to_char()), BTreeMap::from([('D', 1410), ('R', 1292)]));
    assert_eq!(count(&entries, |e| e.dac.clone()).len(), 11);
    // Two rows write the profiler type with a leading zero: `0851`.
    assert_eq!(count(&entries, |e| e.profiler_type).get(&Some(851)), Some(&(213 + 2)));

    assert_eq!(
        entries[0],
        IndexEntry {
            file: "aoml/13857/profiles/R13857_001.nc".into(),
            platform: "13857".into(),
            dac: "aoml".into(),
            cycle: 1,
            direction: Direction::Ascending,
            data_mode: DataMode::RealTime,
            date: utc(1997, 7, 29, 20, 3, 0),
            latitude: Some(0.267),
            longitude: Some(-16.032),
            ocean: "A".into(),
            profiler_type: Some(845),
            institution: "AO".into(),
            date_update: utc(2018, 10, 11, 18, 5, 20),
        }
    );
    // `bodc/6901929/profiles/D6901929_001D.nc,20180212225800,53.685,-16.574,A,844,BO,20220302093529`
    let descending = entries.iter().find(|e| e.file == "bodc/6901929/profiles/D6901929_001D.nc").expect("row");
    assert_eq!(
        (descending.platform.as_str(), descending.cycle, descending.direction, descending.data_mode),
        ("6901929", 1, Direction::Descending, DataMode::Delayed)
    );
    assert_eq!(descending.date, utc(2018, 2, 12, 22, 58, 0));
}

#[test]
fn file_paths() {
    let check = |file: &str, expected: Option<(&str, &str, i32, Direction, DataMode)>| {
        let got = parse_path(file).map(|p| (p.dac, p.platform, p.cycle, p.direction, p.data_mode));
        assert_eq!(got, expected, "{file}");
    };
    use DataMode::{Delayed, RealTime};
    use Direction::{Ascending, Descending};
    check("aoml/13857/profiles/R13857_001.nc", Some(("aoml", "13857", 1, Ascending, RealTime)));
    check("coriolis/1900857/profiles/D1900857_000D.nc", Some(("coriolis", "1900857", 0, Descending, Delayed)));
    check("coriolis/5904989/profiles/SD5904989_012.nc", Some(("coriolis", "5904989", 12, Ascending, Delayed)));
    check("aoml/2902204/profiles/SR2902204_131D.nc", Some(("aoml", "2902204", 131, Descending, RealTime)));
    check("aoml/2902204/profiles/MR2902204_131.nc", Some(("aoml", "2902204", 131, Ascending, RealTime)));
    check("aoml/2902204/profiles/BD2902204_131.nc", Some(("aoml", "2902204", 131, Ascending, Delayed)));
    check("aoml/13857/profiles/X13857_001.nc", None);
    check("aoml/13857/profiles/R13858_001.nc", None);
    check("aoml/13857/profiles/R13857_0x1.nc", None);
    check("aoml/13857/profiles/R13857_001.txt", None);
    check("R13857_001.nc", None);
}

#[test]
fn bad_rows_and_cells() {
    let text = "# Title : Profile directory file of the Argo Global Data Assembly Center\n\
                file,date,latitude,longitude,ocean,profiler_type,institution,date_update\n\
                aoml/13857/profiles/R13857_001.nc,19970729200300,0.267,-16.032,A,845,AO,20181011180520\n\
                aoml/13857/profiles/R13857_002.nc,19970809192112,0.072,-17.659,A,845\n\
                aoml/13857/profiles/13857_003.nc,19970820184545,0.543,-19.622,A,845,AO,20181011180521\n\
                aoml/13857/profiles/R13857_004.nc,19971332000000,91.5,-19.6,A,x,AO,20181011180521\n";
    let parsed = read(text.as_bytes()).expect("readable");
    assert_eq!(
        parsed.diagnostics,
        [
            Diagnostic::new("line 4", "expected 8 fields, found 6; row skipped"),
            Diagnostic::new(
                "line 5",
                "cannot tell float, cycle and mode from \"aoml/13857/profiles/13857_003.nc\"; row skipped"
            ),
            Diagnostic::new("line 6", "bad date \"19971332000000\", read as empty"),
            Diagnostic::new("line 6", "bad latitude \"91.5\", read as empty"),
            Diagnostic::new("line 6", "bad profiler_type \"x\", read as empty"),
        ]
    );
    let entries = entries(parsed);
    assert_eq!(entries.iter().map(|e| e.cycle).collect::<Vec<_>>(), [1, 4]);
    assert_eq!((entries[1].date, entries[1].latitude, entries[1].longitude), (None, None, Some(-19.6)));
}

#[test]
fn unreadable_inputs_are_errors() {
    assert_eq!(read(b""), Err(FormatError::Empty));
    assert_eq!(read(b"# x\n\xc3"), Err(FormatError::NotUtf8(4)));
    assert!(matches!(read(b"# only comments\n"), Err(FormatError::Header(_))));
    assert!(matches!(read(b"a,b,c\n1,2,3\n"), Err(FormatError::Header(_))));
    let header = "file,date,latitude,longitude,ocean,profiler_type,institution,date_update\n";
    assert!(matches!(read(header.as_bytes()), Err(FormatError::NoRecords(_))));
    assert!(matches!(read(format!("{header}x,y\n").as_bytes()), Err(FormatError::NoRecords(_))));
}

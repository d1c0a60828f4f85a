//! Golden tests of the station-list reader on the real `activestations.xml` in data/sample/buoy, and of bad input.

use model::{Platform, PlatformKind, Point};

use super::read;
use crate::{Dataset, Diagnostic, FormatError, Parsed};

const ACTIVE_STATIONS: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample/buoy/ndbc_activestations_2024-08-27.xml"));

fn platforms(parsed: Parsed) -> Vec<Platform> {
    match parsed.dataset {
        Dataset::Platforms(p) => p,
        other => panic!("not platforms: {other:?}"),
    }
}

fn attrs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn point(lon: f64, lat: f64) -> Option<Point> {
    Some(Point::new(lon, lat).expect("valid position"))
}

/// 1,348 stations (the root's `count="1348"`): 380 buoy, 707 fixed, 54 oilrig, 74 dart, 48 tao, 84 other, 1 usv.
#[test]
fn active_stations_2024_08_27() {
    let parsed = read(ACTIVE_STATIONS).expect("readable");
    assert_eq!(parsed.diagnostics, []);
    let stations = platforms(parsed);
    assert_eq!(stations.len(), 1348);
    let count = |kind| stations.iter().filter(|p| p.kind == kind).count();
    assert_eq!(
        [PlatformKind::Buoy, PlatformKind::FixedStation, PlatformKind::Dart, PlatformKind::Other].map(count),
        [380, 707 + 54, 74, 48 + 84 + 1]
    );
    let by_id = |id: &str| stations.iter().find(|p| p.id == id).unwrap_or_else(|| panic!("no station {id}"));
    assert_eq!(
        *by_id("44005"),
        Platform {
            id: "44005".into(),
            kind: PlatformKind::Buoy,
            name: Some("GULF OF MAINE - 78 NM East of Portsmouth, NH".into()),
            position: point(-69.127, 43.201),
            attributes: attrs(&[
                ("elev", "0"),
                ("owner", "NDBC"),
                ("pgm", "NDBC Meteorological/Ocean"),
                ("type", "buoy"),
                ("met", "n"),
                ("currents", "n"),
                ("waterquality", "n"),
                ("dart", "n"),
            ]),
        }
    );
    // Lower case in the file; a fixed C-MAN station.
    let tplm2 = by_id("TPLM2");
    assert_eq!(
        (tplm2.kind, tplm2.name.as_deref(), tplm2.position),
        (PlatformKind::FixedStation, Some("Thomas Point, MD"), point(-76.436, 38.899))
    );
    // Escaped quotes in the name; an oil platform is a fixed station and keeps its raw type.
    let tartan = by_id("62114");
    assert_eq!(tartan.name.as_deref(), Some("Tartan \"A\" AWS"));
    assert_eq!((tartan.kind, tartan.attribute("type")), (PlatformKind::FixedStation, Some("oilrig")));
    // TAO buoys have `seq` and no met/currents flags.
    let tao = by_id("32303");
    assert_eq!(tao.kind, PlatformKind::Other);
    assert_eq!(
        tao.attributes,
        attrs(&[("elev", "0"), ("owner", "NDBC"), ("pgm", "TAO"), ("type", "tao"), ("seq", "6")])
    );
    assert_eq!(by_id("21413").kind, PlatformKind::Dart);
    assert_eq!(by_id("1801593").attribute("type"), Some("usv"));
    // `elev` is absent for 263 stations.
    assert_eq!(stations.iter().filter(|p| p.attribute("elev").is_none()).count(), 263);
}

#[test]
fn stations_with_bad_positions_are_skipped() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<stations created="2024-08-27T14:40:01UTC" count="4">
  <station id="a1" lat="95" lon="-70" name="north of the pole" type="buoy"/>
  <station id="a2" lat="" lon="-70" name="no latitude" type="buoy"/>
  <station id="a3" lat="43.2" lon="-69.1" name="good" type="usv"/>
</stations>"#;
    let parsed = read(xml.as_bytes()).expect("readable");
    assert_eq!(
        parsed.diagnostics,
        [
            Diagnostic::new("station 1", "id A1: latitude 95 is outside [-90, 90]; station skipped"),
            Diagnostic::new("station 2", "id A2: bad lat/lon \"\"/\"-70\"; station skipped"),
            Diagnostic::new("stations", "count says 4 stations, the file has 3"),
        ]
    );
    let stations = platforms(parsed);
    assert_eq!(stations.len(), 1);
    assert_eq!((stations[0].id.as_str(), stations[0].kind), ("A3", PlatformKind::Other));
}

#[test]
fn unreadable_inputs_are_errors() {
    assert_eq!(read(b""), Err(FormatError::Empty));
    assert_eq!(read(b"<stations>\xff</stations>"), Err(FormatError::NotUtf8(10)));
    assert!(matches!(read(b"<catalog><item/></catalog>"), Err(FormatError::Xml(_))));
    assert!(matches!(read(b"<stations><station id=\"x\"></stations>"), Err(FormatError::Xml(_))));
    assert!(matches!(read(b"<stations count=\"0\"></stations>"), Err(FormatError::NoRecords(_))));
}

//! Unit tests of the model: geography, antimeridian, keys, flags, vocabulary.

use super::*;

fn pt(lon: f64, lat: f64) -> Point {
    Point::new(lon, lat).unwrap()
}

#[test]
fn longitudes_normalise_into_half_open_range() {
    assert_eq!(normalize_lon(180.0), -180.0);
    assert_eq!(normalize_lon(-180.0), -180.0);
    assert_eq!(normalize_lon(190.0), -170.0);
    assert_eq!(normalize_lon(-190.0), 170.0);
    assert_eq!(normalize_lon(359.5), -0.5);
    assert_eq!(normalize_lon(-58.119), -58.119);
}

#[test]
fn haversine_matches_known_distances() {
    // One degree of longitude on the equator: 2πR/360.
    let d = haversine_km(pt(0.0, 0.0), pt(1.0, 0.0));
    assert!((d - 111.19508).abs() < 1e-4, "{d}");
    // Across the antimeridian is short, not 358 degrees.
    let d = haversine_km(pt(179.5, 0.0), pt(-179.5, 0.0));
    assert!((d - 111.19508).abs() < 1e-4, "{d}");
}

#[test]
fn box_crossing_the_antimeridian_contains_both_sides() {
    let b = BBox::new(170.0, -10.0, -170.0, 10.0).unwrap();
    assert!(b.crosses_antimeridian());
    assert!(b.contains(pt(175.0, 0.0)));
    assert!(b.contains(pt(-175.0, 0.0)));
    assert!(!b.contains(pt(0.0, 0.0)));
    assert_eq!(b.split().len(), 2);
    // Edges are inside.
    assert!(b.contains(pt(170.0, 10.0)));
}

#[test]
fn box_validation_rejects_bad_latitudes() {
    assert!(BBox::new(0.0, 10.0, 5.0, 5.0).is_err());
    assert!(BBox::new(0.0, -91.0, 5.0, 5.0).is_err());
    let all = BBox::new(-180.0, -90.0, 180.0, 90.0).unwrap();
    assert!(all.contains(pt(179.9, 0.0)) && all.contains(pt(-180.0, 0.0)));
}

#[test]
fn polygon_across_the_antimeridian() {
    let ring = [(170.0, -5.0), (-170.0, -5.0), (-170.0, 5.0), (170.0, 5.0), (170.0, -5.0)];
    let p = Polygon::new(&ring).unwrap();
    assert!(p.contains(pt(179.0, 0.0)));
    assert!(p.contains(pt(-179.0, 0.0)));
    assert!(!p.contains(pt(160.0, 0.0)));
    assert!(!p.contains(pt(0.0, 0.0)));
    assert!(p.bbox().crosses_antimeridian());
}

#[test]
fn polygon_must_be_closed() {
    assert!(matches!(
        Polygon::new(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]),
        Err(GeoError::RingNotClosed { .. })
    ));
    assert!(matches!(Polygon::new(&[(0.0, 0.0), (1.0, 0.0), (0.0, 0.0)]), Err(GeoError::RingTooShort(3))));
}

#[test]
fn circle_uses_great_circle_distance() {
    let c = Region::circle(pt(-157.8, 21.3), 200.0).unwrap();
    assert!(c.contains(pt(-157.8, 23.0))); // 189 km north
    assert!(!c.contains(pt(-157.8, 23.2))); // 211 km north
    // Near the antimeridian the index boxes split.
    let c = Region::circle(pt(179.0, 0.0), 500.0).unwrap();
    assert_eq!(c.index_boxes().len(), 2);
    assert!(c.contains(pt(-178.0, 0.0)));
}

#[test]
fn multipolygon_is_an_intersection() {
    let a = Polygon::new(&[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]).unwrap();
    let b = Polygon::new(&[(5.0, 5.0), (15.0, 5.0), (15.0, 15.0), (5.0, 15.0), (5.0, 5.0)]).unwrap();
    let r = Region::multipolygon(vec![a, b]).unwrap();
    assert!(r.contains(pt(7.0, 7.0)));
    assert!(!r.contains(pt(2.0, 2.0)));
}

#[test]
fn profile_keys_round_trip() {
    let k = ProfileKey::parse("4900590_097").unwrap();
    assert_eq!(k.platform, "4900590");
    assert_eq!(k.cycle, 97);
    assert_eq!(k.id(), "4900590_097");
    let k = ProfileKey::parse("1902714_001D").unwrap();
    assert_eq!(k.direction, DirectionKey::D);
    assert_eq!(k.id(), "1902714_001D");
    assert_eq!(ProfileKey::parse("6902746_1034").unwrap().id(), "6902746_1034");
    assert!(ProfileKey::parse("nope").is_none());
    assert!(ProfileKey::parse("123_x").is_none());
}

#[test]
fn qc_flags_decode_argo_characters() {
    assert_eq!(QcFlag::from_char(b'1'), QcFlag::GOOD);
    assert_eq!(QcFlag::from_char(b' '), QcFlag::BLANK);
    assert_eq!(QcFlag::BLANK.to_char(), b' ');
    assert_eq!(QcFlag::from_byte(QcFlag::BAD.to_byte()), QcFlag::BAD);
    assert_eq!(QcFlag::new(10), None);
}

#[test]
fn vocabulary_names_are_unique_and_resolve() {
    let mut names: Vec<_> = VARIABLES.iter().map(|v| v.name).collect();
    names.sort();
    let n = names.len();
    names.dedup();
    assert_eq!(names.len(), n);
    assert_eq!(Variable::lookup("TEMP").unwrap().name, "temperature");
    assert_eq!(Variable::for_ndbc("WTMP").unwrap().cf_standard_name, "sea_surface_temperature");
    assert_eq!(Variable::for_argo("PSAL").unwrap().units, "psu");
}

#[test]
fn time_ranges_are_half_open() {
    use chrono::TimeZone;
    let a = chrono::Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap();
    let b = chrono::Utc.with_ymd_and_hms(2020, 2, 1, 0, 0, 0).unwrap();
    let r = TimeRange::new(a, b).unwrap();
    assert!(r.contains(a));
    assert!(!r.contains(b));
    assert!(TimeRange::new(b, a).is_err());
    assert!(TimeRange::new(a, a).is_err());
}

mod grid_tests {
    use crate::{Grid, GridWindow};

    fn grid() -> Grid {
        Grid {
            dataset: "d".into(),
            variable: "v".into(),
            time: None,
            z: None,
            // North to south, as ERDDAP serves some datasets.
            latitudes: vec![3.0, 2.0, 1.0],
            longitudes: vec![10.0, 11.0, 12.0, 13.0],
            values: (0..12).map(|v| v as f32).collect(),
            fill_value: None,
            units: String::new(),
            long_name: String::new(),
            standard_name: String::new(),
            attributes: Vec::new(),
        }
    }

    #[test]
    fn subsets_keep_axis_order_and_stride() {
        let g = grid();
        let s = g.subset(&GridWindow { lat: Some((1.5, 3.0)), lon: Some((11.0, 13.0)), stride: 2 }).unwrap();
        assert_eq!(s.latitudes, vec![3.0]);
        assert_eq!(s.longitudes, vec![11.0, 13.0]);
        assert_eq!(s.values, vec![1.0, 3.0]);
        let all = g.subset(&GridWindow::default()).unwrap();
        assert_eq!(all, g);
        assert_eq!(g.at(2, 3), 11.0);
        let none = g.subset(&GridWindow { lat: Some((50.0, 60.0)), ..Default::default() });
        assert!(none.unwrap_err().to_string().contains("no latitude"));
        let mut bad = grid();
        bad.values.pop();
        assert!(bad.check().is_err());
        assert_eq!(Grid::extent(&g.latitudes), Some((1.0, 3.0)));
    }
}

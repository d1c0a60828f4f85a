//! Unit tests of the reef health scores: the seed's legacy formula and the table of the default score.

use super::*;

#[test]
fn legacy_is_the_seed_formula() {
    assert_eq!(legacy(LEGACY_BASELINE, 28.0, 0.0), 58.0);
    assert_eq!(legacy(100.0, 28.0, 2.0), 48.0);
    assert_eq!(legacy(100.0, 30.0, 12.0), -5.0); // not bounded
    assert_eq!(legacy(90.0, 0.0, 0.0), 90.0);
    assert_eq!(legacy(100.0, 26.4, 1.3), 100.0 - (26.4 * 1.5 + 1.3 * 5.0));
    assert!(legacy(100.0, f64::NAN, 0.0).is_nan());
    assert!(is_anomalous(legacy(100.0, 28.0, 0.0)));
    assert!(!is_anomalous(legacy(100.0, 20.0, 0.0)));
}

#[test]
fn default_score_table() {
    // (condition, DHW °C-weeks, BAA level, SSTA °C, score): the table in the doc comment of `score`.
    let table = [
        ("no stress", 0.0, 0, 0.0, 100.0),
        ("Watch", 0.0, 1, 0.5, 91.5),
        ("Warning", 2.0, 2, 1.0, 76.75),
        ("Alert 1", 4.0, 3, 1.0, 64.5),
        ("Alert 2", 8.0, 4, 1.5, 43.5),
        ("Alert 3", 12.0, 5, 2.0, 22.5),
        ("Alert 4", 16.0, 6, 2.0, 4.0),
        ("Alert 5", 20.0, 7, 2.5, 0.0),
    ];
    for (condition, dhw, baa, ssta, expected) in table {
        let s = score(dhw, baa, ssta);
        assert!((s - expected).abs() < 1e-12, "{condition}: {s}, expected {expected}");
        assert_eq!(is_anomalous(s), expected < 70.0, "{condition}");
    }
    // Alert 1 is anomalous even without an SST anomaly; Warning at DHW 2 is not, up to a warm anomaly of 2.35 °C.
    assert_eq!(score(4.0, 3, 0.0), 69.5);
    assert!(is_anomalous(score(4.0, 3, 0.0)));
    assert!(!is_anomalous(score(2.0, 2, 2.3)) && is_anomalous(score(2.0, 2, 2.4)));
}

#[test]
fn score_saturates_clamps_and_propagates_nan() {
    assert_eq!(score(16.0, 0, 0.0), score(40.0, 0, 0.0));
    assert_eq!(score(16.0, 0, 0.0), 50.0);
    assert_eq!(score(0.0, 0, 3.0), score(0.0, 0, 10.0));
    assert_eq!(score(0.0, 0, -2.0), 100.0); // cold anomalies are not charged
    assert_eq!(score(-5.0, 0, 0.0), 100.0);
    assert_eq!(score(0.0, 200, 0.0), score(0.0, 7, 0.0));
    assert_eq!(score(f64::INFINITY, 7, f64::INFINITY), 0.0);
    assert!(score(f64::NAN, 0, 0.0).is_nan() && score(0.0, 0, f64::NAN).is_nan());
    assert!(!is_anomalous(f64::NAN));
    assert!(!is_anomalous(70.0) && is_anomalous(69.99));
}

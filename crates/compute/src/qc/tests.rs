//! Unit tests of the QARTOD tests: hand-made series and rows pinned from the ioos_qc 3.0.0 dev cases.

use super::*;

const NAN: f64 = f64::NAN;

#[test]
fn gross_range_bounds_are_strict() {
    let f = gross_range(&[1.0, 2.0, 3.0, 4.0, 8.0], Span::new(0.0, 5.0), Some(Span::new(1.0, 4.0)));
    assert_eq!(f, [1, 1, 1, 1, 4]);
    let f = gross_range(
        &[-1.0, 0.0, 0.5, 4.5, 5.0, 5.1, NAN, f64::INFINITY],
        Span::new(5.0, 0.0),
        Some(Span::new(1.0, 4.0)),
    );
    assert_eq!(f, [4, 3, 3, 3, 3, 4, 9, 4]); // inf is masked yet compared: 4
    assert_eq!(gross_range(&[10.0, 31.0], Span::new(10.0, 30.0), None), [1, 4]);
}

#[test]
fn spike_average_and_differential() {
    let x = [1.0, 1.0, 5.0, 1.0, 1.0];
    assert_eq!(spike(&x, Some(1.0), Some(3.0), SpikeMethod::Average), [2, 3, 4, 3, 2]);
    assert_eq!(spike(&x, Some(1.0), Some(3.0), SpikeMethod::Differential), [2, 1, 4, 1, 2]);
    // A step is not a differential spike; it is an average one.
    let step = [0.0, 0.0, 0.0, 2.0, 2.0, 2.0];
    assert_eq!(spike(&step, Some(0.5), None, SpikeMethod::Differential), [2, 1, 1, 1, 1, 2]);
    assert_eq!(spike(&step, Some(0.5), None, SpikeMethod::Average), [2, 1, 3, 3, 1, 2]);
}

#[test]
fn spike_missing_values_and_their_neighbours() {
    // Same series as a probe of ioos_qc: [1,2,nan,3,4,10,4,nan,5,5,nan,1], thresholds 0.5 / 3.
    let x = [1.0, 2.0, NAN, 3.0, 4.0, 10.0, 4.0, NAN, 5.0, 5.0, NAN, 1.0];
    assert_eq!(spike(&x, Some(0.5), Some(3.0), SpikeMethod::Average), [2, 2, 9, 2, 3, 4, 2, 9, 2, 2, 9, 2]);
    assert_eq!(spike(&x, Some(0.5), Some(3.0), SpikeMethod::Differential), [2, 2, 9, 2, 1, 4, 2, 9, 2, 2, 9, 2]);
    // A zero threshold is not applied (ioos_qc tests its truthiness).
    assert_eq!(spike(&[0.0, 1.0, 0.0], Some(0.0), None, SpikeMethod::Average), [2, 1, 2]);
    assert_eq!(spike(&[NAN], Some(1.0), None, SpikeMethod::Average), [9]);
    assert!(spike(&[], Some(1.0), None, SpikeMethod::Average).is_empty());
}

#[test]
fn rate_of_change_per_second_with_duplicates() {
    assert_eq!(rate_of_change(&[1.0, 1.5, 3.5], &[0, 10, 20], 0.1, Some(0.15)), [1, 1, 4]);
    let x = [1.0, 2.0, NAN, 3.0, 4.0, 10.0];
    let t: Vec<i64> = (0..6).map(|i| i * 600).collect();
    assert_eq!(rate_of_change(&x, &t, 0.001, None), [1, 3, 9, 1, 3, 3]);
    // Equal times: a change is inf (flagged), no change is NaN (not flagged).
    // Repeated times: the plain difference is compared (ioos_qc probe: [1, 1, 3, 1, 9, 1]).
    let x = [1.0, 2.0, 3.0, 3.0, NAN, 4.0];
    assert_eq!(rate_of_change(&x, &[0, 60, 60, 120, 120, 180], 0.5, None), [1, 1, 3, 1, 9, 1]);
}

#[test]
fn flat_line_counts_observations_by_median_step() {
    let t = [0, 60, 120, 180, 240];
    assert_eq!(flat_line(&[1.0, 1.0, 1.0, 1.0, 2.0], &t, 120.0, 180.0, 0.01), [1, 1, 3, 4, 1]);
    // Tolerance 0 never flags; fewer than 3 values are all 1, even missing ones.
    assert_eq!(flat_line(&[1.0; 5], &t, 120.0, 180.0, 0.0), [1; 5]);
    assert_eq!(flat_line(&[NAN, 1.0], &[0, 60], 60.0, 120.0, 1.0), [1, 1]);
    // A gap does not break a run (the window counts rows); missing values inside it are skipped.
    let t = [0, 60, 120, 6 * 3600, 6 * 3600 + 60, 6 * 3600 + 120];
    assert_eq!(flat_line(&[5.0, 5.0, 5.0, NAN, 5.0, 5.0], &t, 120.0, 240.0, 0.01), [1, 1, 3, 9, 4, 4]);
}

#[test]
fn median_step_truncates_to_seconds() {
    assert_eq!(median_step_s(&[0, 1, 3]), Some(1)); // steps 1 and 2: 1.5 s → 1 s
    assert_eq!(median_step_s(&[0, 10, 20, 100]), Some(10));
    assert_eq!(median_step_s(&[5]), None);
}

/// A small deterministic generator (xorshift) for the randomized comparisons below.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn median_step_counts_equal_a_full_sort() {
    let mut st = 0x9e37_79b9_7f4a_7c15u64;
    for case in 0..400 {
        let n = 2 + (xorshift(&mut st) % 300) as usize;
        // Few distinct steps (the counting path) or many (the selection path), some negative.
        let distinct = if case % 2 == 0 { 1 + xorshift(&mut st) % 5 } else { 40 + xorshift(&mut st) % 100 };
        let mut t = vec![0i64; n];
        for i in 1..n {
            let step = (xorshift(&mut st) % distinct) as i64 - (distinct as i64 / 4);
            t[i] = t[i - 1] + step * 60;
        }
        let mut steps: Vec<i64> = t.windows(2).map(|w| w[1] - w[0]).collect();
        steps.sort_unstable();
        let m = steps.len();
        let want = if m % 2 == 1 { steps[m / 2] } else { (steps[m / 2 - 1] + steps[m / 2]).div_euclid(2) };
        assert_eq!(median_step_s(&t), Some(want), "case {case}: {t:?}");
    }
}

#[test]
fn flat_line_short_windows_equal_the_block_method() {
    let mut st = 0x2545_f491_4f6c_dd1du64;
    for case in 0..600 {
        let n = 1 + (xorshift(&mut st) % 9000) as usize;
        let w = 1 + (xorshift(&mut st) % 64) as usize;
        let values: Vec<f64> = (0..n)
            .map(|i| match xorshift(&mut st) % 50 {
                0 => f64::NAN,
                1 => f64::INFINITY,
                2..=20 => (i / 37) as f64, // flat runs
                _ => (xorshift(&mut st) % 1000) as f64 * 1e-4,
            })
            .collect();
        let tol = [0.0, 1e-3, 0.05, 1.0][case % 4];
        let (mut a, mut b) = (vec![1u8; n], vec![1u8; n]);
        flat_line::mark_flat_short_windows(&values, w, tol, 3, &mut a);
        flat_line::mark_flat_windows(&values, w, tol, 3, &mut b);
        assert_eq!(a, b, "case {case}: n {n} w {w} tol {tol}");
    }
}

#[test]
fn attenuated_signal_rolling_and_whole_series() {
    let t: Vec<i64> = (0..6).map(|i| i * 60).collect();
    let x = [1.0, 1.0, 1.0, 2.0, 2.0, 2.0];
    // Whole series: std 0.5.
    assert_eq!(attenuated_signal(&x, &t, 0.6, 0.1, None, CheckType::Std), [3; 6]);
    assert_eq!(attenuated_signal(&x, &t, 0.4, 0.1, None, CheckType::Std), [1; 6]);
    // 3-minute trailing window (3 rows), at least 2 values.
    let w = Some(AttenuatedWindow { period_s: 180.0, min_obs: Some(2) });
    assert_eq!(attenuated_signal(&x, &t, 0.45, 0.1, w, CheckType::Std), [2, 4, 4, 1, 1, 4]);
    // Range: a missing value inside the window gives 2; the first window of one value FAILs.
    let y = [1.0, 1.5, NAN, 3.0, 3.0, 3.0];
    let w = Some(AttenuatedWindow { period_s: 120.0, min_obs: None });
    assert_eq!(attenuated_signal(&y, &t, 0.4, 0.1, w, CheckType::Range), [4, 1, 9, 2, 4, 4]);
    assert_eq!(min_obs_for_period(&t, 150.0), Some(2));
}

#[test]
fn climatology_periods_and_depth_bins() {
    let day = 86_400;
    let t0 = 1_709_251_200; // 2024-03-01
    let t: Vec<i64> = (0..8).map(|i| t0 + i * day).collect();
    let x = [25.0, NAN, 25.0, 40.0, 12.0, 25.0, 25.0, NAN];
    let z = [5.0, 5.0, NAN, 5.0, 5.0, NAN, 50.0, NAN];
    let member = |tspan, zspan, fspan| ClimatologyMember { tspan, vspan: Span::new(20.0, 30.0), fspan, zspan };
    let week = TimeSpan::Period { period: Period::Week, span: Span::new(1.0, 20.0) };
    let month = TimeSpan::Period { period: Period::Month, span: Span::new(3.0, 3.0) };
    let dates = TimeSpan::Dates { start: t0 - 30 * day, end: t0 + 30 * day };
    let f = Some(Span::new(10.0, 35.0));
    let z20 = Some(Span::new(0.0, 20.0));
    // Flags from ioos_qc 3.0.0 for the same inputs.
    assert_eq!(climatology(&x, &t, &z, &[member(week, z20, f)]), [1, 1, 2, 4, 3, 2, 2, 9]);
    assert_eq!(climatology(&x, &t, &z, &[member(week, None, f)]), [1, 9, 1, 4, 3, 1, 1, 9]);
    assert_eq!(climatology(&x, &t, &z, &[member(dates, z20, f)]), [1, 1, 2, 4, 3, 2, 2, 9]);
    assert_eq!(climatology(&x, &t, &z, &[member(dates, None, None)]), [1, 9, 1, 3, 3, 1, 1, 9]);
    assert_eq!(climatology(&x, &t, &z, &[member(month, None, None)]), [1, 1, 1, 3, 3, 1, 1, 1]);
    assert_eq!(climatology(&x, &t, &[NAN; 8], &[member(week, z20, f)]), [2, 9, 2, 2, 2, 2, 2, 9]);
}

#[test]
fn calendar_fields_match_pandas() {
    let ts = |y, m, d| climatology::days_from_civil(y, m, d) * 86_400;
    assert_eq!(Period::Week.of(ts(2024, 12, 30)), 1);
    assert_eq!(Period::Week.of(ts(2021, 1, 3)), 53);
    assert_eq!(Period::DayOfYear.of(ts(2024, 12, 31)), 366);
    assert_eq!(Period::Quarter.of(ts(2024, 7, 1)), 3);
    assert_eq!(Period::DayOfWeek.of(ts(2024, 7, 1)), 0); // a Monday
    assert_eq!(Period::DaysInMonth.of(ts(2024, 2, 10)), 29);
    assert_eq!(climatology::civil_from_days(climatology::days_from_civil(1999, 12, 31)), (1999, 12, 31));
}

#[test]
fn location_missing_fixes_and_ranges() {
    // Same inputs as a probe of ioos_qc 3.0.0 (range_max 1000 m).
    let lat = [10.0, 10.001, NAN, 10.003, 10.004, NAN, 10.006, 10.5, 10.5, NAN, 10.6];
    let lon = [20.0, 20.0, 20.0, NAN, 20.0, NAN, 20.0, 20.0, 20.1, 20.1, NAN];
    assert_eq!(location(&lon, &lat, None, RangeMethod::Haversine), [1, 1, 4, 4, 1, 9, 1, 1, 1, 4, 4]);
    assert_eq!(location(&lon, &lat, Some(1000.0), RangeMethod::Haversine), [1, 1, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
    assert_eq!(location(&lon, &lat, Some(1000.0), RangeMethod::Wgs84), [1, 1, 4, 4, 1, 9, 1, 3, 3, 4, 4]);
    // Two rows: gsw's masked scalar distance reads as 0 (ioos_qc: [4, 4] for these, not [4, 3]).
    assert_eq!(location(&[181.0, -179.9], &[49.9, NAN], Some(100_000.0), RangeMethod::Haversine), [4, 4]);
    // 180 is a valid longitude and the antimeridian is not a jump.
    assert_eq!(
        location(&[179.9, 180.0, -179.9, 180.5], &[0.0; 4], Some(20_000.0), RangeMethod::Haversine),
        [1, 1, 1, 4]
    );
}

#[test]
fn geodesic_distances() {
    // One degree of longitude on the equator: π·a/180 on WGS84, π·6371 km/180 on gsw's sphere.
    let d = geodesic::wgs84_distance_m(0.0, 0.0, 0.0, 1.0);
    assert!((d - 111_319.490_793).abs() < 1e-3, "{d}");
    let d = geodesic::gsw_haversine_m(0.0, 179.5, 0.0, -179.5).unwrap();
    assert!((d - 111_194.926_645).abs() < 1e-3, "{d}");
    // Karney's geographiclib gives 4.43682322774165 m for this pair.
    let d = geodesic::wgs84_distance_m(-33.9, 151.4003, -33.89996, 151.4003);
    assert!((d - 4.436_823_227_741_65).abs() < 1e-9, "{d}");
}

#[test]
fn density_inversion_flags_both_rows() {
    let rho = [1.0, 2.0, 1.5, NAN, 1.0, 0.0, 3.0, 2.0, 1.0, NAN, 1.0, 0.0];
    let z: Vec<f64> = (1..=12).map(f64::from).collect();
    assert_eq!(density_inversion(&rho, &z, Some(-0.1), Some(-0.6)), [1, 3, 3, 9, 9, 4, 4, 4, 4, 9, 9, 4]);
    // Upcast: depth decreasing, density decreasing is stable; equal depths never flag.
    assert_eq!(density_inversion(&[27.0, 26.5, 26.5], &[100.0, 50.0, 50.0], Some(-0.01), None), [1, 1, 1]);
    assert_eq!(density_inversion(&[1.0], &[1.0], Some(-0.01), None), [2]);
}

#[test]
fn argo_pressure_increasing_and_speed() {
    assert_eq!(pressure_increasing(&[5.0, 10.0, 10.0, 8.0, 20.0]), [1, 1, 3, 3, 1]);
    assert_eq!(pressure_increasing(&[20.0, 10.0, 12.0, 5.0]), [1, 1, 3, 1]);
    // A missing value makes the mean NaN: an ascent is then read as increasing, all flagged.
    assert_eq!(pressure_increasing(&[20.0, 10.0, NAN, 5.0, 1.0]), [1, 3, 1, 1, 3]);
    assert_eq!(speed(&[0.0, 0.001, 0.1], &[0.0; 3], &[0, 60, 120], 1.0, 5.0), [2, 3, 4]);
    let lat = [10.0, 10.001, NAN, 10.003, 10.004, NAN, 10.006];
    let lon = [20.0, 20.0, 20.0, NAN, 20.0, NAN, 20.0];
    let t: Vec<i64> = (0..7).map(|i| i * 600).collect();
    assert_eq!(speed(&lon, &lat, &t, 1.0, 5.0), [2, 1, 9, 9, 9, 9, 9]);
}

#[test]
fn aggregate_precedence() {
    assert_eq!(aggregate(&[&[1, 2, 9, 0], &[3, 1, 9, 0]]), [3, 1, 9, 9]);
    assert_eq!(aggregate(&[&[2, 9, 4], &[9, 9, 1]]), [2, 9, 4]);
    assert_eq!(to_qc_flag(SUSPECT), model::QcFlag::PROBABLY_BAD);
    assert!(to_qc_flag(NOT_EVALUATED).is_blank());
}

#[test]
fn numpy_pairwise_sum_matches_blocks() {
    let a: Vec<f64> = (0..300).map(|i| f64::from(i) * 0.1).collect();
    assert!((numpy_sum(&a) - 4485.0).abs() < 1e-9);
    assert_eq!(numpy_sum(&[]), 0.0);
}

/// Rows 14–43 of the dev case `gappy_duplicates` (Unix seconds, a 6-hour gap, duplicated times) with
/// the flags ioos_qc 3.0.0 gave them in `expected/gappy_duplicates__cfg_gappy.csv`.
#[test]
fn dev_case_gappy_duplicates() {
    let rows: [(i64, f64); 30] = [
        (1739170800, 14.5),
        (1739172600, 14.3665),
        (1739174520, 14.2397),
        (1739176200, 14.25),
        (1739178000, 14.25),
        (1739179860, 14.25),
        (1739181600, 14.25),
        (1739203200, 14.25),
        (1739205120, 14.25),
        (1739206800, 14.25),
        (1739208600, 14.25),
        (1739210460, 14.1259),
        (1739212200, 14.2397),
        (1739214000, 14.3665),
        (1739215920, 14.5),
        (1739217600, 14.6335),
        (1739219400, 14.7603),
        (1739219400, 14.7603),
        (1739221140, 14.9691),
        (1739222940, 15.0406),
        (1739224860, 15.085),
        (1739226540, 15.1),
        (1739228340, 15.085),
        (1739230200, 15.0406),
        (1739231940, 14.9691),
        (1739233740, 14.8741),
        (1739235660, 14.7603),
        (1739235660, 15.5103),
        (1739235660, 14.7603),
        (1739237520, 14.3665),
    ];
    let t: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let x: Vec<f64> = rows.iter().map(|r| r.1).collect();
    // Rows 21–24: a flat run that straddles the 6-hour gap is still SUSPECT (the window counts rows).
    let flat = flat_line(&x, &t, 7200.0, 14400.0, 0.01);
    assert_eq!(flat[5..12], [1, 1, 3, 3, 3, 3, 1]); // rows 19–25
    // Rows 40–42: a jump of 0.75 at a repeated time is FAIL; the jump back too.
    let roc = rate_of_change(&x, &t, 0.0003, Some(0.001));
    assert_eq!(roc[25..], [1, 1, 4, 4, 1]); // rows 39–43
    let sp = spike(&x, Some(0.4), Some(1.5), SpikeMethod::Average);
    assert_eq!(sp[26..29], [3, 3, 1]); // rows 40–42 (row 43 is this slice's last: 2)
}

/// Rows 14–26 of the dev case `argo_ascent`: pressure decreasing (an ascent) with a glitch upward at
/// row 21 (502 dbar after 500), which ioos_qc flags as a density inversion on rows 20–21.
#[test]
fn dev_case_argo_ascent_density_inversion() {
    let pres = [800.0, 750.0, 700.0, 650.0, 600.0, 550.0, 500.0, 502.0, 400.0, 375.0, 350.0, 325.0, 300.0];
    let rho = [
        27.2992, 27.2556, 27.2083, 27.1569, 27.101, 27.0403, 26.9743, 26.9025, 26.8245, 26.783, 26.7397, 26.6946,
        26.7446,
    ];
    assert_eq!(density_inversion(&rho, &pres, None, Some(-0.03)), [1, 1, 1, 1, 1, 1, 4, 4, 1, 1, 1, 4, 4]);
    assert_eq!(pressure_increasing(&pres), [1, 1, 1, 1, 1, 1, 1, 3, 1, 1, 1, 1, 1]);
}

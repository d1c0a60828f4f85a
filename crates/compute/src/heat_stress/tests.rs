//! Unit tests of the CRW heat-stress computations, with the CRW Florida Keys virtual station as oracle.

use super::*;

/// One row of `data/sample/crw/crw_vs_florida_keys.txt`: (HS = `90th_HS>0`, DHW, BAA 7-day max).
fn florida_keys() -> (Vec<f64>, Vec<f64>, Vec<u8>) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample/crw/crw_vs_florida_keys.txt");
    let text = std::fs::read_to_string(path).expect("the CRW sample file is in data/sample/crw");
    let (mut hs, mut dhw, mut baa) = (Vec::new(), Vec::new(), Vec::new());
    for line in text.lines().skip(21) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() != 10 || f[0].parse::<u16>().is_err() {
            continue; // the column header line
        }
        hs.push(f[7].parse().unwrap());
        dhw.push(f[8].parse().unwrap());
        baa.push(f[9].parse().unwrap());
    }
    (hs, dhw, baa)
}

#[test]
fn dhw_and_baa_match_crw_florida_keys() {
    let (hs, expected_dhw, expected_baa) = florida_keys();
    assert_eq!(hs.len(), 14_461);
    let dhw = degree_heating_weeks(&hs);
    let worst = dhw.iter().zip(&expected_dhw).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    assert!(worst < 1e-3, "largest DHW difference {worst}");
    assert!(worst < 1e-4, "the file's DHW is rounded to 4 decimals: {worst}");
    let weekly = baa_seven_day_max(&baa_daily(&hs, &dhw, BaaScale::FiveLevel));
    let mismatches: Vec<usize> =
        (BAA_WINDOW_DAYS - 1..hs.len()).filter(|&i| weekly[i] != Some(expected_baa[i])).collect();
    assert_eq!(mismatches, Vec::<usize>::new());
    // The record: DHW peaks above 20 °C-weeks in 2023, Alert 5 on the eight-level scale.
    let peak = dhw.iter().copied().fold(0.0, f64::max);
    assert!(peak > 20.0, "{peak}");
    let levels = baa_daily(&hs, &dhw, BaaScale::EightLevel);
    assert_eq!(levels.iter().flatten().max(), Some(&7));
}

#[test]
fn mmm_is_the_warmest_monthly_mean() {
    let monthly =
        [23.4166, 23.1889, 23.5492, 24.6089, 26.4747, 28.3325, 29.3254, 29.6264, 29.1674, 27.7384, 26.0846, 24.4925];
    assert_eq!(maximum_monthly_mean(&monthly), 29.6264);
    assert!(maximum_monthly_mean(&[f64::NAN; 12]).is_nan());
    assert_eq!(hotspot(30.5, 29.6264), 30.5 - 29.6264);
    assert_eq!(hotspot(28.0, 29.6264), 0.0);
    assert!(hotspot(f64::NAN, 29.6264).is_nan());
}

#[test]
fn dhw_window_edges_and_missing_days() {
    // 12 days of HS 2 after a calm spell: +2/7 a day up to 24/7.
    let mut hs = vec![0.5; 10];
    hs.extend([2.0; 12]);
    let dhw = degree_heating_weeks(&hs);
    assert_eq!(dhw[9], 0.0);
    assert!((dhw[21] - 24.0 / 7.0).abs() < 1e-12);
    // A HotSpot below 1 never counts; one of exactly 1 does.
    assert_eq!(degree_heating_weeks(&[0.99, 1.0]), [0.0, 1.0 / 7.0]);
    // Day 84 after the first stress day, that day has left the window.
    let mut hs = vec![0.0; 100];
    hs[0] = 7.0;
    let dhw = degree_heating_weeks(&hs);
    assert_eq!((dhw[83], dhw[84]), (1.0, 0.0));
    // A missing day has no DHW of its own and adds nothing to later days.
    let dhw = degree_heating_weeks(&[3.5, f64::NAN, 0.0]);
    assert!(dhw[1].is_nan());
    assert_eq!((dhw[0], dhw[2]), (0.5, 0.5));
}

#[test]
fn baa_levels_on_both_scales() {
    let five = BaaScale::FiveLevel;
    let eight = BaaScale::EightLevel;
    assert_eq!(baa_level(0.0, 10.0, five), Some(0));
    assert_eq!(baa_level(0.5, 10.0, five), Some(1));
    assert_eq!(baa_level(1.0, 3.99, five), Some(2));
    assert_eq!(baa_level(1.0, 4.0, five), Some(3));
    assert_eq!(baa_level(1.2, 8.0, five), Some(4));
    assert_eq!(baa_level(1.2, 25.0, five), Some(4));
    assert_eq!(baa_level(1.2, 11.9, eight), Some(4));
    assert_eq!(baa_level(1.2, 12.0, eight), Some(5));
    assert_eq!(baa_level(1.2, 16.0, eight), Some(6));
    assert_eq!(baa_level(1.2, 20.0, eight), Some(7));
    assert_eq!(baa_level(f64::NAN, 20.0, eight), None);
    let weekly = baa_seven_day_max(&[Some(0), Some(2), None, Some(1), Some(0), Some(0), Some(0), Some(0), Some(0)]);
    assert_eq!(weekly, [Some(0), Some(2), Some(2), Some(2), Some(2), Some(2), Some(2), Some(2), Some(1)]);
    assert_eq!(baa_seven_day_max(&[None, None]), [None, None]);
}

#[test]
fn dhw_grid_matches_series_and_keeps_land() {
    let (hs, _, _) = florida_keys();
    let days = 2000;
    // Three pixels: the station, the station 0.5 °C cooler, and land.
    let mut grid = Vec::with_capacity(days * 3);
    for &h in &hs[hs.len() - days..] {
        grid.extend([h as f32, (h as f32 - 0.5).max(0.0), f32::NAN]);
    }
    let out = dhw_grid(&grid, 3);
    assert_eq!(out.len(), days * 3);
    let series = degree_heating_weeks(&hs[hs.len() - days..].iter().map(|&h| f64::from(h as f32)).collect::<Vec<_>>());
    for d in 0..days {
        assert!((f64::from(out[d * 3]) - series[d]).abs() < 1e-4, "day {d}");
        assert!(out[d * 3 + 1] <= out[d * 3]);
        assert!(out[d * 3 + 2].is_nan());
    }
    assert!(dhw_grid(&[1.0, 2.0], 0).is_empty());
}

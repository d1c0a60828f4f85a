//! Unit tests of the anomaly detectors: z-scores on the Gulf of Maine record, the isolation forest on buoy
//! 44005's 2012 hourly data, and the edge cases (empty, missing, constant).

use super::*;
use crate::climatology::tests::{close, gulf_of_maine, utc};
use crate::climatology::{DailyOptions, daily_climatology};

const NAMES: [&str; 4] = ["WTMP", "ATMP", "PRES", "WSPD"];

/// Buoy 44005 (Gulf of Maine), 2012 hourly standard meteorological data: (times, [WTMP, ATMP, PRES, WSPD]).
fn buoy_44005() -> (Vec<i64>, [Vec<f64>; 4]) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample/buoy/44005h2012.txt");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("the NDBC sample must be at {path}: {e}"));
    let mut times = Vec::new();
    let mut cols: [Vec<f64>; 4] = Default::default();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let n = |i: usize| f[i].parse::<i64>().unwrap();
        times.push(utc(n(0), n(1), n(2)) + n(3) * 3600 + n(4) * 60);
        // NDBC marks a missing value by filling the field with 9s.
        for (col, (i, missing)) in cols.iter_mut().zip([(14, 999.0), (13, 999.0), (12, 9999.0), (6, 99.0)]) {
            let x: f64 = f[i].parse().unwrap();
            col.push(if x == missing { f64::NAN } else { x });
        }
    }
    (times, cols)
}

/// Ten common years of one value a day: 10 + (year − 2001) on every day, so each calendar day has mean 14.5
/// and sd √(55/6) over a window of ±0 days.
fn ten_years() -> (Vec<i64>, Vec<f64>) {
    let (mut times, mut values) = (Vec::new(), Vec::new());
    for (k, year) in [2001, 2002, 2003, 2005, 2006, 2007, 2009, 2010, 2011, 2013].into_iter().enumerate() {
        for day in 0..365 {
            times.push(utc(year, 1, 1) + day * 86_400);
            values.push(10.0 + k as f64);
        }
    }
    (times, values)
}

#[test]
fn z_scores_against_a_daily_climatology() {
    let (times, values) = ten_years();
    let clim = daily_climatology(&times, &values, DailyOptions { half_window_days: 0, min_count: 10 });
    let sd = (55.0f64 / 6.0).sqrt();
    let probe = [utc(2020, 8, 1), utc(2020, 8, 2), utc(2020, 8, 3), utc(2020, 8, 4), utc(2020, 8, 5)];
    let x = [14.5, 14.5 + 3.01 * sd, 14.5 - 3.5 * sd, f64::NAN, 14.5 + 2.99 * sd];
    let z = z_scores(&probe, &x, &clim);
    assert_eq!(z[0], 0.0);
    assert!(close(z[1], 3.01, 1e-12) && close(z[2], -3.5, 1e-12) && z[3].is_nan() && close(z[4], 2.99, 1e-12));
    let anomalies = z_score_anomalies(&probe, &x, &clim, DEFAULT_Z_THRESHOLD);
    assert_eq!(anomalies.iter().map(|a| a.index).collect::<Vec<_>>(), [1, 2]);
    let Reason::ZScore { value, z, mean, sd: s, threshold, day, years } = anomalies[1].reason.clone() else {
        panic!("a z-score reason")
    };
    assert_eq!((value, mean, threshold, day, years), (x[2], 14.5, 3.0, 215, Some((2001, 2013))));
    assert!(close(z, -3.5, 1e-12) && close(s, sd, 1e-12));
    assert_eq!(anomalies[1].time, probe[2]);
    assert_eq!(
        anomalies[1].describe(),
        "value 3.90 is 3.5 standard deviations below the 2001–2013 mean for 3 Aug (14.50 ± 3.03)"
    );
    // The threshold is configurable; a NaN threshold finds nothing.
    assert_eq!(z_score_anomalies(&probe, &x, &clim, 2.5).len(), 3);
    assert!(z_score_anomalies(&probe, &x, &clim, f64::NAN).is_empty());
    // A day without a climatology gives no z-score.
    let sparse = daily_climatology(&times, &values, DailyOptions { half_window_days: 0, min_count: 11 });
    assert!(z_scores(&probe, &x, &sparse).iter().all(|z| z.is_nan()));
}

#[test]
fn z_scores_are_total() {
    let clim = daily_climatology(&[], &[], DailyOptions::default());
    assert!(z_scores(&[], &[], &clim).is_empty());
    assert!(z_score_anomalies(&[], &[], &clim, 3.0).is_empty());
    assert!(z_scores(&[0, 1], &[1.0, 2.0], &clim).iter().all(|z| z.is_nan()));
    // A constant series has sd 0: no z-score, no anomaly, even for a wild value.
    let (times, _) = ten_years();
    let constant = vec![20.0; times.len()];
    let clim = daily_climatology(&times, &constant, DailyOptions::default());
    assert_eq!(clim.day(100).unwrap().sd, 0.0);
    assert!(z_scores(&times[..5], &[20.0, 25.0, 1e9, f64::INFINITY, f64::NAN], &clim).iter().all(|z| z.is_nan()));
    assert!(z_score_anomalies(&[0], &[1e9], &clim, 3.0).is_empty());
    // All missing: no climatology at all.
    let clim = daily_climatology(&times, &vec![f64::NAN; times.len()], DailyOptions::default());
    assert!(z_score_anomalies(&times, &vec![1.0; times.len()], &clim, 3.0).is_empty());
    // Mismatched lengths: the shorter decides.
    assert_eq!(z_scores(&[0, 1, 2], &[1.0], &clim).len(), 1);
}

/// Gulf of Maine 1905–2012 against its own daily climatology (default ±15 days, 30 samples): 35 days with
/// |z| ≥ 3. Cross-checked with numpy (same folded calendar day, pooled window, `std(ddof=1)`).
#[test]
fn gulf_of_maine_z_score_anomalies() {
    let (times, values) = gulf_of_maine();
    let clim = daily_climatology(&times, &values, DailyOptions::default());
    let z = z_scores(&times, &values, &clim);
    assert_eq!(z.iter().filter(|z| z.is_finite()).count(), 38_410);
    let anomalies = z_score_anomalies(&times, &values, &clim, DEFAULT_Z_THRESHOLD);
    let above = anomalies.iter().filter(|a| matches!(a.reason, Reason::ZScore { z, .. } if z > 0.0)).count();
    assert_eq!((anomalies.len(), above), (35, 19));
    assert_eq!(z_score_anomalies(&times, &values, &clim, 3.5).len(), 7);
    assert_eq!(z_score_anomalies(&times, &values, &clim, 2.5).len(), 236);
    // The warmest departure: 21.39 °C on 20 Jun 2006; the coldest: 9.6 °C on 25 Jul 1984.
    let (hot, _) = z.iter().enumerate().filter(|(_, z)| z.is_finite()).max_by(|a, b| a.1.total_cmp(b.1)).unwrap();
    let (cold, _) = z.iter().enumerate().filter(|(_, z)| z.is_finite()).min_by(|a, b| a.1.total_cmp(b.1)).unwrap();
    assert_eq!((hot, times[hot], values[hot]), (36_979, utc(2006, 6, 20), 21.39));
    assert_eq!((cold, times[cold], values[cold]), (28_979, utc(1984, 7, 25), 9.6));
    assert!(close(z[hot], 3.758846330395137, 1e-9) && close(z[cold], -3.8565758465294135, 1e-9));
    let hot = anomalies.iter().find(|a| a.index == hot).unwrap();
    assert_eq!(
        hot.describe(),
        "value 21.39 is 3.8 standard deviations above the 1905–2012 mean for 20 Jun (13.36 ± 2.14)"
    );
}

#[test]
fn average_path_length_of_liu_et_al() {
    assert_eq!((average_path_length(0), average_path_length(1), average_path_length(2)), (0.0, 0.0, 1.0));
    assert!(close(average_path_length(3), 1.207392357589623, 1e-12));
    assert!(close(average_path_length(256), 10.244770920119917, 1e-12));
}

/// A deterministic standard-normal cloud (Box–Muller on the forest's own generator).
fn normal_cloud(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = XorShift64Star::new(seed);
    (0..n)
        .map(|_| {
            let r = (-2.0 * (1.0 - rng.unit()).ln()).sqrt();
            let angle = std::f64::consts::TAU * rng.unit();
            (r * angle.cos(), r * angle.sin())
        })
        .unzip()
}

#[test]
fn isolation_forest_isolates_a_far_point() {
    let (mut a, mut b) = normal_cloud(2000, 7);
    a.push(0.0);
    b.push(8.0);
    let forest = IsolationForest::fit(&[&a, &b], &ForestOptions::default());
    assert_eq!(forest.dims(), 2);
    let scores: Vec<f64> = forest.scores(&[&a, &b]).into_iter().map(Option::unwrap).collect();
    assert_eq!(scores[2000], forest.score(&[0.0, 8.0]).unwrap());
    assert!(scores[2000] >= DEFAULT_SCORE_THRESHOLD, "{}", scores[2000]);
    let mean = scores.iter().sum::<f64>() / scores.len() as f64;
    assert!((0.44..0.48).contains(&mean), "{mean}");
    // The second feature isolated it, in most trees; it sits 8 robust standard deviations out.
    let Explanation { feature, isolating_share: share, robust_z: z } = forest.explain(&[0.0, 8.0]).unwrap();
    assert_eq!(feature, 1);
    assert!(share > 0.6 && (7.5..8.5).contains(&z), "{share} {z}");
    // Same seed, same forest; another seed, another forest.
    assert_eq!(IsolationForest::fit(&[&a, &b], &ForestOptions::default()), forest);
    let other = IsolationForest::fit(&[&a, &b], &ForestOptions { seed: 1, ..ForestOptions::default() });
    assert_ne!(other, forest);
    assert!(other.score(&[0.0, 8.0]).unwrap() > 0.6);
}

#[test]
fn isolation_forest_is_total() {
    let opts = ForestOptions::default();
    // No columns, no rows, one complete row: an empty forest that scores nothing.
    for columns in [&[][..], &[&[][..], &[][..]][..], &[&[1.0, f64::NAN][..], &[2.0, 3.0][..]][..]] {
        let forest = IsolationForest::fit(columns, &opts);
        assert_eq!(forest.score(&[1.0, 2.0]), None);
        assert!(forest.scores(columns).iter().all(Option::is_none));
        assert!(isolation_anomalies(&[0, 1], &NAMES, columns, &opts, 0.0).is_empty());
    }
    // Constant data: every tree is one leaf holding ψ rows, so every row scores 2^−1.
    let constant = vec![4.0; 500];
    let forest = IsolationForest::fit(&[&constant, &constant], &opts);
    assert!(forest.scores(&[&constant, &constant]).iter().all(|s| close(s.unwrap(), 0.5, 1e-12)));
    assert!(close(forest.score(&[100.0, -100.0]).unwrap(), 0.5, 1e-12));
    // Incomplete rows get no score; wrong widths and zero trees score nothing.
    let (a, mut b) = normal_cloud(300, 3);
    b[10] = f64::NAN;
    b[11] = f64::INFINITY;
    let forest = IsolationForest::fit(&[&a, &b], &opts);
    let scores = forest.scores(&[&a, &b]);
    assert_eq!(scores.iter().flatten().count(), 298);
    assert!(scores[10].is_none() && scores[11].is_none() && scores[12].is_some());
    assert_eq!(forest.score(&[0.0]), None);
    assert!(forest.scores(&[&a]).iter().all(Option::is_none));
    assert_eq!(forest.explain(&[0.0, f64::NAN]), None);
    let bare = IsolationForest::fit(&[&a, &b], &ForestOptions { trees: 0, ..opts });
    assert_eq!(bare.score(&[0.0, 0.0]), None);
    // Columns of different lengths: the shortest decides; so do the times.
    assert_eq!(forest.scores(&[&a, &b[..5]]).len(), 5);
    let times: Vec<i64> = (0..300).collect();
    let all = isolation_anomalies(&times[..7], &[], &[&a, &b], &opts, 0.0);
    assert_eq!(all.len(), 7);
    // Without names the reason says "feature i".
    assert!(all[0].describe().contains("; feature "), "{}", all[0].describe());
}

/// Buoy 44005 (Gulf of Maine), every complete hour of 2012 (7,967 of 8,347): an ordinary year has no row at
/// the default 0.65; the most isolated hours are the storm of 25 Feb 2012 (987 hPa, 17 m/s). Oracle:
/// scikit-learn 1.x `IsolationForest(n_estimators=100, max_samples=256)` averaged over 20 seeds gives the
/// same mean score (0.4758 for both) and rows agree to 0.002 on average (correlation 0.998).
#[test]
fn buoy_44005_isolation_scores() {
    let (times, cols) = buoy_44005();
    let columns: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    let forest = IsolationForest::fit(&columns, &ForestOptions::default());
    let scores = forest.scores(&columns);
    let scored: Vec<(usize, f64)> = scores.iter().enumerate().filter_map(|(i, s)| s.map(|s| (i, s))).collect();
    assert_eq!((times.len(), scored.len()), (8347, 7967));
    let mean = scored.iter().map(|s| s.1).sum::<f64>() / scored.len() as f64;
    assert!(close(mean, 0.474090935761054, 1e-12), "{mean}");
    let (top, max) = scored.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
    assert_eq!((top, times[top]), (1330, utc(2012, 2, 25) + 13 * 3600 + 50 * 60));
    assert!(close(max, 0.646851386592645, 1e-12), "{max}");
    assert!(isolation_anomalies(&times, &NAMES, &columns, &ForestOptions::default(), 0.65).is_empty());
    let at_062 = isolation_anomalies(&times, &NAMES, &columns, &ForestOptions::default(), 0.62);
    let named = |name: &str| {
        at_062
            .iter()
            .filter(|a| matches!(&a.reason, Reason::Isolation { feature_name, .. } if feature_name == name))
            .count()
    };
    assert_eq!((at_062.len(), named("PRES"), named("ATMP"), named("WSPD"), named("WTMP")), (38, 25, 10, 3, 0));

    // A single-feature fault is named correctly (PRES 950 hPa, robust z −7.8) but stays below 0.65: with
    // four features only a quarter of the splits can isolate it. The z-score detector catches those.
    let mut faulty = cols.clone();
    faulty[2][100] = 950.0;
    let columns: Vec<&[f64]> = faulty.iter().map(Vec::as_slice).collect();
    let forest = IsolationForest::fit(&columns, &ForestOptions::default());
    let row: Vec<f64> = faulty.iter().map(|c| c[100]).collect();
    assert!(close(forest.score(&row).unwrap(), 0.589712274645821, 1e-12));
    let why = forest.explain(&row).unwrap();
    assert_eq!((why.feature, why.isolating_share), (2, 0.37));
    assert!(close(why.robust_z, -7.780732689676409, 1e-9));
    // A sensor package gone wrong on every channel at once is an isolation anomaly.
    faulty[0][100] = 30.0;
    faulty[1][100] = 35.0;
    faulty[3][100] = 40.0;
    let columns: Vec<&[f64]> = faulty.iter().map(Vec::as_slice).collect();
    let found = isolation_anomalies(&times, &NAMES, &columns, &ForestOptions::default(), DEFAULT_SCORE_THRESHOLD);
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].index, found[0].time), (100, times[100]));
    assert_eq!(
        found[0].describe(),
        "isolation score 0.72 reaches the 0.65 threshold; WSPD contributed most (isolating split in 28 % of \
         trees; value 40.00, robust z 10.0)"
    );
}

//! Unit tests of the daily and monthly climatologies, on hand-made series and the Gulf of Maine record.

use super::*;
use crate::qc::climatology::days_from_civil;

/// Path of the Gulf of Maine daily sea temperature record, 1905–2012 (a copy in compute/test-data).
const GULF_OF_MAINE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/test-data/gulf_of_maine_daily_temp_1905-2012.csv");

/// Midnight UTC of a date, in seconds.
pub(crate) fn utc(y: i64, m: i64, d: i64) -> i64 {
    days_from_civil(y, m, d) * 86_400
}

/// The Gulf of Maine record as (times at midnight UTC, °C with NaN for the 944 empty cells). `Date,Temp`
/// with dates as M/D/YYYY. Shared with the anomaly and trend tests.
pub(crate) fn gulf_of_maine() -> (Vec<i64>, Vec<f64>) {
    let text = std::fs::read_to_string(GULF_OF_MAINE)
        .unwrap_or_else(|e| panic!("the Gulf of Maine record must be at {GULF_OF_MAINE}: {e}"));
    let (mut times, mut values) = (Vec::new(), Vec::new());
    for line in text.lines().skip(1) {
        let (date, temp) = line.split_once(',').expect("two columns");
        let mdy: Vec<i64> = date.split('/').map(|p| p.parse().expect("a M/D/YYYY date")).collect();
        times.push(utc(mdy[2], mdy[0], mdy[1]));
        values.push(if temp.trim().is_empty() { f64::NAN } else { temp.trim().parse().expect("a temperature") });
    }
    assert_eq!(times.len(), 39_354);
    (times, values)
}

/// `|a − b| ≤ tol`.
pub(crate) fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn calendar_days_fold_the_leap_day() {
    assert_eq!(calendar_day(0), 1);
    assert_eq!(calendar_day(utc(2001, 8, 1)), 213);
    assert_eq!(calendar_day(utc(2000, 8, 1) + 86_399), 213);
    assert_eq!(calendar_day(utc(2000, 2, 28)), 59);
    assert_eq!(calendar_day(utc(2000, 2, 29)), 59);
    assert_eq!(calendar_day(utc(2000, 3, 1)), 60);
    assert_eq!(calendar_day(utc(2000, 12, 31)), 365);
    assert_eq!(calendar_day(-1), 365); // 1969-12-31T23:59:59Z
    assert!((1..=365).contains(&calendar_day(i64::MIN)));
    assert!((1..=365).contains(&calendar_day(i64::MAX)));
    assert_eq!(calendar_day_of(8, 1), Some(213));
    assert_eq!(calendar_day_of(2, 29), Some(59));
    assert_eq!(calendar_day_of(2, 30), None);
    assert_eq!(calendar_day_of(13, 1), None);
    assert_eq!(calendar_day_of(0, 1), None);
    assert_eq!(calendar_day_of(4, 31), None);
    assert_eq!(month_day(213), Some((8, 1)));
    assert_eq!(month_day(1), Some((1, 1)));
    assert_eq!(month_day(365), Some((12, 31)));
    assert_eq!(month_day(0), None);
    assert_eq!(month_day(366), None);
    assert_eq!(day_label(226), "14 Aug");
    assert_eq!(day_label(400), "");
    for day in 1..=365 {
        let (m, d) = month_day(day).unwrap();
        assert_eq!(calendar_day_of(m, d), Some(day));
    }
}

#[test]
fn window_is_circular_and_pooled() {
    // Calendar day d holds the value d, one sample a day over 10 common years: the ±1-day mean of 1 Jan
    // pools 31 Dec, 1 Jan and 2 Jan, i.e. 365, 1 and 2.
    let (mut times, mut values) = (Vec::new(), Vec::new());
    for year in [2001, 2002, 2003, 2005, 2006, 2007, 2009, 2010, 2011, 2013] {
        for day in 0..365 {
            let t = utc(year, 1, 1) + day * 86_400;
            times.push(t);
            values.push(f64::from(calendar_day(t)));
        }
    }
    let clim = daily_climatology(&times, &values, DailyOptions { half_window_days: 1, min_count: 30 });
    let jan1 = clim.day(1).unwrap();
    assert_eq!(jan1.count, 30);
    assert!(close(jan1.mean, (365.0 + 1.0 + 2.0) / 3.0, 1e-12), "{jan1:?}");
    // The sample sd of ten copies each of 365, 1 and 2.
    let sd =
        (10.0 * ((365.0 - jan1.mean).powi(2) + (1.0 - jan1.mean).powi(2) + (2.0 - jan1.mean).powi(2)) / 29.0).sqrt();
    assert!(close(jan1.sd, sd, 1e-9));
    assert_eq!(clim.day(200).unwrap().mean, 200.0);
    assert!(close(clim.day(200).unwrap().sd, (20.0 / 29.0f64).sqrt(), 1e-12));
    assert!(close(clim.on(12, 31).unwrap().mean, (364.0 + 365.0 + 1.0) / 3.0, 1e-12));
    assert_eq!(clim.at(utc(1999, 7, 19)), clim.day(200));
    assert_eq!(clim.years(), Some((2001, 2013)));
    // Below min_count there is no climatology, yet the count is reported.
    let strict = daily_climatology(&times, &values, DailyOptions { half_window_days: 1, min_count: 31 });
    assert_eq!(strict.day(1), None);
    assert_eq!(strict.count(1), 30);
    assert_eq!((strict.count(0), strict.count(366), strict.day(0), strict.day(366)), (0, 0, None, None));
    // No smoothing; a window wider than the year pools each day once.
    let raw = daily_climatology(&times, &values, DailyOptions { half_window_days: 0, min_count: 1 });
    assert_eq!(raw.day(59).unwrap(), Stats { mean: 59.0, sd: 0.0, count: 10 });
    let all = daily_climatology(&times, &values, DailyOptions { half_window_days: 1000, min_count: 1 });
    assert_eq!(all.day(1).unwrap().count, 3650);
    assert!(close(all.day(1).unwrap().mean, 183.0, 1e-9));
}

#[test]
fn leap_day_joins_28_february() {
    let times = [utc(2000, 2, 28), utc(2000, 2, 29), utc(2000, 3, 1)];
    let clim = daily_climatology(&times, &[1.0, 3.0, 10.0], DailyOptions { half_window_days: 0, min_count: 1 });
    assert_eq!(clim.on(2, 28), Some(Stats { mean: 2.0, sd: 2.0f64.sqrt(), count: 2 }));
    assert_eq!(clim.on(2, 29), clim.on(2, 28));
    assert_eq!(clim.on(3, 1).unwrap().mean, 10.0);
}

#[test]
fn empty_missing_and_far_from_zero() {
    for values in [&[][..], &[f64::NAN, f64::INFINITY, f64::NEG_INFINITY][..]] {
        let times = [0, 86_400, 172_800];
        let clim = daily_climatology(&times[..values.len()], values, DailyOptions::default());
        assert!((1..=365).all(|d| clim.day(d).is_none() && clim.count(d) == 0));
        assert_eq!(clim.years(), None);
        let monthly = monthly_climatology(&times[..values.len()], values, 1);
        assert!(monthly.means().iter().all(|m| m.is_nan()));
        assert_eq!(monthly.month(1), None);
    }
    // Mismatched lengths: the shorter decides. min_count 0 still needs a sample.
    let clim = daily_climatology(&[0, 86_400], &[5.0], DailyOptions { half_window_days: 0, min_count: 0 });
    assert_eq!(clim.day(1).unwrap().count, 1);
    assert_eq!(clim.day(2), None);
    // Pressure-like values keep their precision: sd of 1013.25 ± 0.01.
    let times: Vec<i64> = (0..1000).map(|i| i * 3600).collect();
    let values: Vec<f64> = (0..1000).map(|i| 1013.25 + if i % 2 == 0 { 0.01 } else { -0.01 }).collect();
    let s = daily_climatology(&times, &values, DailyOptions { half_window_days: 0, min_count: 1 }).day(1).unwrap();
    assert_eq!(s.count, 24);
    assert!(close(s.mean, 1013.25, 1e-9) && close(s.sd, 0.01 * (24.0f64 / 23.0).sqrt(), 1e-12), "{s:?}");
}

#[test]
fn monthly_climatology_pools_each_month() {
    let times = [utc(2001, 1, 5), utc(2002, 1, 20), utc(2001, 8, 1), utc(2001, 8, 31), utc(2001, 9, 1)];
    let monthly = monthly_climatology(&times, &[1.0, 3.0, 20.0, 22.0, f64::NAN], 2);
    assert_eq!(monthly.month(1), Some(Stats { mean: 2.0, sd: 2.0f64.sqrt(), count: 2 }));
    assert_eq!(monthly.month(8).unwrap().mean, 21.0);
    assert_eq!(monthly.month(9), None);
    assert_eq!((monthly.month(0), monthly.month(13)), (None, None));
    let means = monthly.means();
    assert_eq!((means[0], means[7]), (2.0, 21.0));
    assert!(means[8].is_nan());
    assert_eq!(crate::heat_stress::maximum_monthly_mean(&means), 21.0);
}

/// Gulf of Maine, 1905–2012, full record, default options. Cross-checked with numpy (pooled ±15-day
/// window on the folded calendar day, `std(ddof=1)`).
#[test]
fn gulf_of_maine_daily_and_monthly_climatology() {
    let (times, values) = gulf_of_maine();
    assert_eq!(values.iter().filter(|v| v.is_finite()).count(), 38_410);
    let clim = daily_climatology(&times, &values, DailyOptions::default());
    assert_eq!(clim.years(), Some((1905, 2012)));
    let aug1 = clim.on(8, 1).unwrap();
    assert_eq!(aug1.count, 3228);
    assert!(close(aug1.mean, 16.455322180916976, 1e-9), "{aug1:?}");
    assert!(close(aug1.sd, 1.687135007061383, 1e-9), "{aug1:?}");
    let jan1 = clim.on(1, 1).unwrap();
    assert_eq!(jan1.count, 3254);
    assert!(close(jan1.mean, 3.3714443761524278, 1e-9) && close(jan1.sd, 2.1288838081258654, 1e-9));
    let feb28 = clim.on(2, 28).unwrap();
    assert_eq!(feb28.count, 3294);
    assert!(close(feb28.mean, 1.5958682452944748, 1e-9));
    // Every day has a climatology; the warmest is 6 Aug, the coldest 18 Feb.
    let counts: Vec<usize> = (1..=365).map(|d| clim.count(d)).collect();
    assert_eq!((counts.iter().min(), counts.iter().max()), (Some(&3202), Some(&3313)));
    let mean = |d: &u16| clim.day(*d).unwrap().mean;
    let warmest = (1..=365).max_by(|a, b| mean(a).total_cmp(&mean(b))).unwrap();
    let coldest = (1..=365).min_by(|a, b| mean(a).total_cmp(&mean(b))).unwrap();
    assert_eq!((day_label(warmest), day_label(coldest)), ("6 Aug".to_owned(), "18 Feb".to_owned()));
    assert!(close(mean(&warmest), 16.492382873099597, 1e-9));
    assert!(close(mean(&coldest), 1.466947656725502, 1e-9));

    let monthly = monthly_climatology(&times, &values, DEFAULT_MIN_COUNT);
    let jan = monthly.month(1).unwrap();
    let aug = monthly.month(8).unwrap();
    assert_eq!((jan.count, aug.count), (3237, 3223));
    assert!(close(jan.mean, 2.4548439913500153, 1e-9) && close(jan.sd, 1.9701963100327429, 1e-9));
    assert!(close(aug.mean, 16.329813838039094, 1e-9) && close(aug.sd, 1.6771853443121014, 1e-9));
}

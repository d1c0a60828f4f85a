//! Unit tests of the trend: Student's t quantiles against table values, OLS and Sen's slope against scipy,
//! and the warming of the Gulf of Maine since 1906.

use super::*;
use crate::climatology::tests::{close, gulf_of_maine, utc};

/// One mean Gregorian year in whole seconds.
const YEAR: i64 = 31_556_952;

#[test]
fn t_quantiles_match_the_tables() {
    // Two-sided 95 % critical values, as printed in every table (3 decimals) and by scipy.stats.t.ppf.
    for (df, table, scipy) in [
        (1.0, 12.706, 12.706204736174694),
        (10.0, 2.228, 2.228138851986274),
        (30.0, 2.042, 2.0422724563012378),
        (1e6, 1.960, 1.959966356814107),
        (f64::INFINITY, 1.960, 1.959963984540054),
    ] {
        let t = student_t_quantile(0.975, df);
        assert!(close(t, table, 5e-4), "t(0.975, {df}) = {t}");
        assert!(close(t, scipy, 1e-9 * scipy), "t(0.975, {df}) = {t}, scipy {scipy}");
    }
    assert!(close(student_t_quantile(0.95, 5.0), 2.0150483733330233, 1e-10));
    assert!(close(student_t_quantile(0.995, 2.0), 9.924843200918287, 1e-9));
    assert!(close(student_t_quantile(0.9, 3.5), 1.5765766051364052, 1e-10));
    assert!(close(student_t_quantile(0.025, 10.0), -2.2281388519862753, 1e-10));
    assert!(close(normal_quantile(0.995), 2.5758293035489004, 1e-10));
    assert!(close(normal_quantile(1e-10), -6.361340902404056, 1e-9));
    assert!(close(student_t_tail(2.0, 7.0), 0.042809664281488025, 1e-13));
    assert_eq!(student_t_quantile(0.5, 3.0), 0.0);
    assert_eq!(student_t_quantile(1.0, 3.0), f64::INFINITY);
    assert_eq!(student_t_quantile(0.0, 3.0), f64::NEG_INFINITY);
    for (p, df) in [(f64::NAN, 3.0), (1.5, 3.0), (-0.1, 3.0), (0.9, 0.0), (0.9, -1.0), (0.9, f64::NAN)] {
        assert!(student_t_quantile(p, df).is_nan(), "({p}, {df})");
    }
    assert_eq!((student_t_tail(f64::INFINITY, 3.0), student_t_tail(f64::NEG_INFINITY, 3.0)), (0.0, 1.0));
    assert_eq!((normal_tail(f64::INFINITY), normal_tail(f64::NEG_INFINITY)), (0.0, 1.0));
    assert!(normal_tail(f64::NAN).is_nan() && student_t_tail(f64::NAN, 1.0).is_nan());
}

#[test]
fn ols_trend_of_a_small_series() {
    // scipy.stats.linregress: slope 0.16, r² 0.98462, stderr 0.014142, intercept 1.01.
    let times = [0, YEAR, 2 * YEAR, 3 * YEAR];
    let trend = linear_trend(&times, &[1.0, 1.2, 1.3, 1.5]).unwrap();
    assert_eq!(trend.n, 4);
    assert!(close(trend.slope_per_year, 0.16, 1e-12) && close(trend.slope_per_decade, 1.6, 1e-11));
    assert!(close(trend.intercept, 1.01, 1e-12));
    assert!(close(trend.r_squared, 0.9846153846153846, 1e-12));
    assert!(close(trend.slope_se_per_year, 0.014142135623730977, 1e-12));
    assert!(close(trend.t_critical, 4.302652729749464, 1e-9));
    assert!(close(trend.ci95_per_year.0, 0.09915130155406682, 1e-9));
    assert!(close(trend.ci95_per_year.1, 0.2208486984459332, 1e-9));
    assert!(close(trend.ci95_per_decade.1, 2.208486984459332, 1e-8));
    assert!(close(trend.value_at(2 * YEAR), 1.33, 1e-12));
    // Missing values are skipped.
    let with_gaps = linear_trend(&[0, YEAR, 5, 2 * YEAR, 3 * YEAR], &[1.0, 1.2, f64::NAN, 1.3, 1.5]).unwrap();
    assert_eq!(with_gaps, trend);
    // A perfect line has zero error; a constant series has slope 0 and r² 0.
    let line = linear_trend(&times, &[0.0, 2.0, 4.0, 6.0]).unwrap();
    assert!(close(line.slope_per_year, 2.0, 1e-12) && close(line.r_squared, 1.0, 1e-12));
    assert!(line.slope_se_per_year < 1e-12 && close(line.ci95_per_year.0, 2.0, 1e-9));
    let flat = linear_trend(&times, &[5.0; 4]).unwrap();
    assert_eq!((flat.slope_per_year, flat.r_squared, flat.slope_se_per_year), (0.0, 0.0, 0.0));
}

#[test]
fn too_few_points_or_one_time_give_no_trend() {
    assert_eq!(linear_trend(&[], &[]), None);
    assert_eq!(linear_trend(&[0, YEAR], &[1.0, 2.0]), None);
    assert_eq!(linear_trend(&[0, YEAR, 2 * YEAR], &[1.0, f64::NAN, 2.0]), None);
    assert_eq!(linear_trend(&[0, YEAR, 2 * YEAR], &[f64::INFINITY; 3]), None);
    assert_eq!(linear_trend(&[YEAR; 5], &[1.0, 2.0, 3.0, 4.0, 5.0]), None);
    assert!(linear_trend(&[0, YEAR, 2 * YEAR], &[1.0, 2.0]).is_none()); // the shorter slice decides
    assert_eq!(sens_slope(&[0, YEAR], &[1.0, 2.0]), None);
    assert_eq!(sens_slope(&[YEAR; 4], &[1.0, 2.0, 3.0, 4.0]), None);
    let many: Vec<i64> = (0..SEN_MAX_POINTS as i64 + 1).collect();
    assert_eq!(sens_slope(&many, &vec![1.0; many.len()]), None);
    // Extreme times do not panic.
    assert!(linear_trend(&[i64::MIN, 0, i64::MAX], &[1.0, 2.0, 3.0]).is_some());
}

#[test]
fn sens_slope_resists_an_outlier() {
    // scipy.stats.theilslopes: 0.2; linregress: 1.63.
    let times = [0, YEAR, 2 * YEAR, 3 * YEAR, 4 * YEAR];
    let values = [1.0, 1.2, 1.3, 1.5, 9.0];
    assert!(close(sens_slope(&times, &values).unwrap(), 0.2, 1e-12));
    assert!(close(linear_trend(&times, &values).unwrap().slope_per_year, 1.63, 1e-12));
    // An even number of pairwise slopes averages the middle two: 0.1, 0.15, 0.2, 2.67, 3.9, 7.7.
    assert!(close(sens_slope(&times[..4], &[1.0, 1.2, 1.3, 9.0]).unwrap(), (0.2 + 8.0 / 3.0) / 2.0, 1e-12));
}

/// Annual means of the years with at least 330 of their days observed (104 years, 1906–2012; 1905 starts
/// in March and 1948–1950 are mostly missing), each at 1 July, in °C.
fn gulf_of_maine_annual_means() -> (Vec<i64>, Vec<f64>) {
    let (times, values) = gulf_of_maine();
    let mut years: std::collections::BTreeMap<i64, (usize, f64)> = std::collections::BTreeMap::new();
    for (&t, &v) in times.iter().zip(&values) {
        if v.is_finite() {
            let (y, _, _) = crate::qc::climatology::civil_from_days(t.div_euclid(86_400));
            let e = years.entry(y).or_default();
            *e = (e.0 + 1, e.1 + v);
        }
    }
    years.into_iter().filter(|(_, (n, _))| *n >= 330).map(|(y, (n, sum))| (utc(y, 7, 1), sum / n as f64)).unzip()
}

/// The Gulf of Maine has warmed by 0.22 °C a decade since 1906 (95 % CI 0.17–0.27). Oracle:
/// `scipy.stats.linregress` and `scipy.stats.theilslopes` on the same annual means and times in years of
/// 365.2425 days; `scipy.stats.t.ppf(0.975, 102)`.
#[test]
fn gulf_of_maine_warming_trend() {
    let (times, means) = gulf_of_maine_annual_means();
    assert_eq!(means.len(), 104);
    let trend = linear_trend(&times, &means).unwrap();
    assert_eq!(trend.n, 104);
    assert!(close(trend.slope_per_decade, 0.2209972575411888, 1e-10), "{trend:?}");
    assert!(close(trend.intercept, 8.881966605910762, 1e-9));
    assert!(close(trend.r_squared, 0.40675170103349984, 1e-10));
    assert!(close(trend.slope_se_per_year, 0.0026426543362164934, 1e-12));
    assert!(close(trend.t_critical, 1.9834952585628793, 1e-9));
    assert!(close(trend.ci95_per_decade.0, 0.16858033408212833, 1e-9));
    assert!(close(trend.ci95_per_decade.1, 0.2734141810002493, 1e-9));
    let sen = sens_slope(&times, &means).unwrap();
    assert!(close(sen * 10.0, 0.22034036531373818, 1e-10), "{sen}");

    // Every daily value (38,410): nearly the same slope; the seasonal cycle leaves r² at 0.017, and the
    // interval ignores the autocorrelation of daily residuals, so it is too narrow to trust.
    let (times, values) = gulf_of_maine();
    let daily = linear_trend(&times, &values).unwrap();
    assert_eq!(daily.n, 38_410);
    assert!(close(daily.slope_per_decade, 0.2272346933776327, 1e-10), "{daily:?}");
    assert!(close(daily.intercept, 8.884390974405497, 1e-9));
    assert!(close(daily.r_squared, 0.0165575952108228, 1e-10));
    assert!(close(daily.slope_se_per_year, 0.0008935927301692674, 1e-12));
    assert!(close(daily.ci95_per_decade.0, 0.20972004575294095, 1e-9));
    assert!(close(daily.ci95_per_decade.1, 0.2447493410023244, 1e-9));
}

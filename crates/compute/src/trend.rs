//! Linear trend of a time series with its 95 % confidence interval (ordinary least squares, Student's t), and
//! Sen's slope as a robust alternative.
//!
//! Times are UTC seconds since the Unix epoch, converted to years of 365.2425 days (the mean Gregorian year,
//! [`SECONDS_PER_YEAR`]); values are in the series' units, so slopes are in units per year (and per decade).
//! A value is missing when it is not finite; missing values are skipped.
//!
//! OLS of `y` on `x` (years): with `Sxx = Σ(x − x̄)²`, `Sxy = Σ(x − x̄)(y − ȳ)`, `Syy = Σ(y − ȳ)²`:
//! slope `b = Sxy / Sxx`, intercept `a = ȳ − b·x̄` (the fitted value at 1970-01-01), `r² = Sxy² / (Sxx·Syy)`,
//! residual variance `s² = Σ(y − a − b·x)² / (n − 2)`, standard error `se(b) = √(s² / Sxx)` and the 95 %
//! interval `b ± t(0.975, n − 2)·se(b)` (e.g. Wilks 2011, *Statistical Methods in the Atmospheric
//! Sciences*, §7.2). The interval assumes independent residuals: for daily values, whose residuals are
//! strongly autocorrelated, it is far too narrow; fit annual means instead.
//!
//! The Student's t quantile is computed here, by bisection on the t distribution's tail
//! `½·I_{ν/(ν+t²)}(ν/2, ½)` (regularised incomplete beta, continued fraction as in Numerical Recipes §6.4,
//! log-gamma by the Lanczos approximation), to about 1e-12: `student_t_quantile(0.975, 10.0)` is 2.228139.
//! Infinite degrees of freedom give the normal quantile, by bisection on `½·erfc(x/√2)`.

/// Seconds in a mean Gregorian year (365.2425 days).
pub const SECONDS_PER_YEAR: f64 = 365.2425 * 86_400.0;
/// [`sens_slope`] answers `None` above this many points: it sorts all `n(n − 1)/2` pairwise slopes
/// (5,000 points are 12.5 million slopes, 100 MB).
pub const SEN_MAX_POINTS: usize = 5_000;

/// The least-squares line of a series, slopes in the series' units per year and per decade.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trend {
    /// Points used (finite values).
    pub n: usize,
    pub slope_per_year: f64,
    pub slope_per_decade: f64,
    /// Fitted value at 1970-01-01T00:00Z, in the series' units.
    pub intercept: f64,
    /// Coefficient of determination, 0–1; 0 when the values are constant.
    pub r_squared: f64,
    /// Standard error of the slope, per year.
    pub slope_se_per_year: f64,
    /// `t(0.975, n − 2)`, the multiplier of the standard error in the interval.
    pub t_critical: f64,
    /// 95 % confidence interval of the slope, (low, high), per year and per decade.
    pub ci95_per_year: (f64, f64),
    pub ci95_per_decade: (f64, f64),
}

impl Trend {
    /// The fitted value at a UTC time in seconds.
    pub fn value_at(&self, t: i64) -> f64 {
        self.intercept + self.slope_per_year * (t as f64 / SECONDS_PER_YEAR)
    }
}

/// The ordinary-least-squares trend of `values` on `times` (equal length; the shorter one decides) with its
/// 95 % confidence interval; see the module documentation for the formulas. `None` with fewer than 3 finite
/// values or when all their times are equal.
///
/// `linear_trend(&[0, y, 2 * y, 3 * y], &[1.0, 1.2, 1.3, 1.5])` with `y` one year in seconds has a slope of
/// 0.16 per year (1.6 per decade), r² 0.9846, standard error 0.01414 and interval (0.0992, 0.2208).
pub fn linear_trend(times: &[i64], values: &[f64]) -> Option<Trend> {
    let points = finite_points(times, values);
    let n = points.len();
    if n < 3 {
        return None;
    }
    let nf = n as f64;
    let x_mean = points.iter().map(|p| p.0).sum::<f64>() / nf;
    let y_mean = points.iter().map(|p| p.1).sum::<f64>() / nf;
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for &(x, y) in &points {
        let (dx, dy) = (x - x_mean, y - y_mean);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if sxx <= 0.0 || !sxx.is_finite() {
        return None;
    }
    let slope = sxy / sxx;
    let sse: f64 = points.iter().map(|&(x, y)| (y - y_mean - slope * (x - x_mean)).powi(2)).sum();
    let se = (sse / (nf - 2.0) / sxx).sqrt();
    let t_critical = student_t_quantile(0.975, nf - 2.0);
    let ci = (slope - t_critical * se, slope + t_critical * se);
    Some(Trend {
        n,
        slope_per_year: slope,
        slope_per_decade: slope * 10.0,
        intercept: y_mean - slope * x_mean,
        r_squared: if syy > 0.0 { (sxy * sxy / (sxx * syy)).min(1.0) } else { 0.0 },
        slope_se_per_year: se,
        t_critical,
        ci95_per_year: ci,
        ci95_per_decade: (ci.0 * 10.0, ci.1 * 10.0),
    })
}

/// The (years since 1970, value) pairs of the finite values.
fn finite_points(times: &[i64], values: &[f64]) -> Vec<(f64, f64)> {
    times.iter().zip(values).filter(|(_, y)| y.is_finite()).map(|(&t, &y)| (t as f64 / SECONDS_PER_YEAR, y)).collect()
}

/// Sen's slope (Sen 1968, the Theil–Sen estimator), in the series' units per year: the median of the
/// slopes `(y_j − y_i) / (x_j − x_i)` over all pairs of finite values with different times. Robust to
/// outliers (up to 29 % of the points). `None` with fewer than 3 finite values, no pair with different times,
/// or more than [`SEN_MAX_POINTS`] finite values (aggregate to annual or monthly means first).
///
/// `sens_slope(&[0, y, 2 * y, 3 * y, 4 * y], &[1.0, 1.2, 1.3, 1.5, 9.0])` is 0.2 per year; the OLS slope,
/// pulled by the last point, is 1.63.
pub fn sens_slope(times: &[i64], values: &[f64]) -> Option<f64> {
    let points = finite_points(times, values);
    if points.len() < 3 || points.len() > SEN_MAX_POINTS {
        return None;
    }
    let mut slopes = Vec::with_capacity(points.len() * (points.len() - 1) / 2);
    for (i, &(xi, yi)) in points.iter().enumerate() {
        for &(xj, yj) in &points[i + 1..] {
            if xj != xi {
                slopes.push((yj - yi) / (xj - xi));
            }
        }
    }
    let m = slopes.len();
    if m == 0 {
        return None;
    }
    let (below, &mut upper, _) = slopes.select_nth_unstable_by(m / 2, f64::total_cmp);
    Some(if m % 2 == 1 { upper } else { (below.iter().copied().fold(f64::NEG_INFINITY, f64::max) + upper) / 2.0 })
}

/// The `p` quantile of Student's t distribution with `df` degrees of freedom (`df` real, > 0; infinite gives
/// the normal quantile). NaN for `p` outside (0, 1) or a bad `df`, except `p` = 0 / 1 → ∓∞.
///
/// Bisection on the upper tail, accurate to about 1e-12 relative up to a million degrees of freedom (1e-9 at
/// 1e9, where the log-gamma differences lose digits). `student_t_quantile(0.975, 1.0)` is
/// 12.706205, `(0.975, 10.0)` 2.228139, `(0.975, 30.0)` 2.042272, `(0.975, f64::INFINITY)` 1.959964.
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    if df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if df.is_infinite() {
        return normal_quantile(p);
    }
    quantile_from_tail(p, |t| student_t_tail(t, df))
}

/// The `p` quantile of the standard normal distribution (probit), by bisection on `½·erfc(x/√2)`.
/// `normal_quantile(0.975)` is 1.959964; NaN outside [0, 1].
pub fn normal_quantile(p: f64) -> f64 {
    quantile_from_tail(p, normal_tail)
}

/// `P(T > t)` for Student's t with `df` degrees of freedom; 0.5 at 0, symmetric.
pub fn student_t_tail(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return if t > 0.0 { 0.0 } else { 1.0 };
    }
    let half = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
    if t >= 0.0 { half } else { 1.0 - half }
}

/// `P(Z > x)` for the standard normal distribution: `½·erfc(x/√2)`, with `erfc(z) = Q(½, z²)` (the
/// regularised upper incomplete gamma function) for `z ≥ 0`.
pub fn normal_tail(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let upper = 0.5 * upper_incomplete_gamma(0.5, x * x / 2.0);
    if x >= 0.0 { upper } else { 1.0 - upper }
}

/// The `x` with `tail(x) = 1 − p`, for a distribution symmetric about 0 whose upper tail is `tail`.
fn quantile_from_tail(p: f64, tail: impl Fn(f64) -> f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.5 {
        return 0.0;
    }
    if p == 0.0 || p == 1.0 {
        return if p == 1.0 { f64::INFINITY } else { f64::NEG_INFINITY };
    }
    // Solve for the positive quantile of the smaller tail probability, then mirror.
    let q = if p > 0.5 { 1.0 - p } else { p };
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while tail(hi) > q {
        lo = hi;
        hi *= 2.0;
        if hi > 1e300 {
            return if p > 0.5 { f64::INFINITY } else { f64::NEG_INFINITY };
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if tail(mid) > q {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let x = 0.5 * (lo + hi);
    if p > 0.5 { x } else { -x }
}

/// `ln Γ(x)` for `x > 0`: Lanczos approximation (g = 7, 9 coefficients), about 15 significant digits.
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1 − x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + G + 0.5;
    let sum = C[1..].iter().enumerate().fold(C[0], |acc, (i, c)| acc + c / (x + i as f64 + 1.0));
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The regularised incomplete beta function `I_x(a, b)` for `a, b > 0` and `0 ≤ x ≤ 1`.
fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    // The continued fraction converges fast below the mean; use the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) above.
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_continued_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_continued_fraction(b, a, 1.0 - x) / b
    }
}

/// The continued fraction of the incomplete beta function, by the modified Lentz method.
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPS: f64 = 1e-15;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=100_000 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        for aa in [m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))] {
            d = 1.0 + aa * d;
            if d.abs() < TINY {
                d = TINY;
            }
            c = 1.0 + aa / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            h *= d * c;
        }
        if (d * c - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// The regularised upper incomplete gamma function `Q(a, x)` for `a > 0`, `x ≥ 0`: a series for `P` below
/// `x = a + 1`, a continued fraction (modified Lentz) above (Numerical Recipes §6.2).
fn upper_incomplete_gamma(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    let front = (-x + a * x.ln() - ln_gamma(a)).exp();
    if x < a + 1.0 {
        let (mut term, mut sum, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..10_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        1.0 - sum * front
    } else {
        const TINY: f64 = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -f64::from(i) * (f64::from(i) - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-16 {
                break;
            }
        }
        front * h
    }
}

#[cfg(test)]
mod tests;

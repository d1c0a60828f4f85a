//! QARTOD attenuated signal test: too little variation (standard deviation or range) is SUSPECT or FAIL.

use std::collections::VecDeque;

use super::{FAIL, GOOD, MISSING, SUSPECT, UNKNOWN, median_step_s, missing, numpy_sum};

/// The statistic of variation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckType {
    /// Population standard deviation (ddof 0) of the values (`"std"`, the default).
    Std,
    /// Range `max − min` of the values (`"range"`).
    Range,
}

/// A trailing time window (`test_period` in ioos_qc).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttenuatedWindow {
    /// Window length in seconds: row `i` sees the rows `j ≤ i` with `t[i] − t[j] < period_s`
    /// (pandas `Series.rolling("<period>s")`, closed on the right).
    pub period_s: f64,
    /// Least number of non-missing values for a result (pandas `min_periods`; `None` means 1). See
    /// [`min_obs_for_period`] for ioos_qc's `min_period` in seconds.
    pub min_obs: Option<usize>,
}

/// ioos_qc's conversion of `min_period` (seconds) into a number of observations:
/// `trunc(min_period / median step)`. With fewer than two times the median step is NaT, which numpy
/// reads as −2⁶³ s, so the count is 0. `None` when the median step is 0 or the count is negative
/// (ioos_qc raises then).
pub fn min_obs_for_period(times: &[i64], min_period_s: f64) -> Option<usize> {
    let Some(dt) = median_step_s(times) else { return Some(0) };
    let count = (min_period_s / dt as f64).trunc();
    (dt != 0 && count >= 0.0).then_some(count as usize)
}

/// Flags values whose recent variation is below a threshold (observation units).
///
/// Rule (QARTOD waves manual, "flat line / attenuated signal"; `ioos_qc.qartod.attenuated_signal_test`):
/// the statistic `c` is computed per row over the trailing `window`, or once over the whole series
/// (missing values ignored) when `window` is `None`. Then `c` NaN (too few values) → 2, `c < fail` → 4,
/// `c < suspect` → 3 (strict), else 1; missing values are 9.
///
/// ioos_qc behaviour (pandas rolling): a window statistic needs `min_obs` non-missing values, 1 by
/// default, so the very first window holds one value, has range and deviation 0 and FAILs; with
/// `CheckType::Range` any missing value inside the window makes the range NaN (numpy `ptp`), so 2.
/// Duplicated timestamps: a row sees the earlier duplicates, not the later ones.
///
/// Cost: O(n) — running mean and sum of squared deviations (pandas' compensated Welford updates, in
/// pandas' order, so deviations that sit on a threshold compare as they do there), and monotonic
/// queues for the range.
///
/// `attenuated_signal(&[1.0, 1.0, 2.0, 4.0], &[0, 60, 120, 180], 0.6, 0.1, None, CheckType::Std)`
/// gives every row 1 (population std of the series 1.22).
pub fn attenuated_signal(
    values: &[f64],
    times: &[i64],
    suspect: f64,
    fail: f64,
    window: Option<AttenuatedWindow>,
    check: CheckType,
) -> Vec<u8> {
    let n = values.len().min(times.len());
    let values = &values[..n];
    let stats: Vec<f64> = match window {
        None => vec![whole_series(values, check); n],
        Some(w) => {
            let minp = w.min_obs.unwrap_or(1);
            match check {
                CheckType::Std => rolling_std(values, &times[..n], w.period_s, minp),
                CheckType::Range => rolling_range(values, &times[..n], w.period_s, minp),
            }
        }
    };
    values
        .iter()
        .zip(&stats)
        .map(|(&v, &c)| {
            if missing(v) {
                MISSING
            } else if c.is_nan() {
                UNKNOWN
            } else if c < fail {
                FAIL
            } else if c < suspect {
                SUSPECT
            } else {
                GOOD
            }
        })
        .collect()
}

/// Statistic of all non-missing values (`numpy.ma.std` / `numpy.ma.ptp`); NaN when there is none.
fn whole_series(values: &[f64], check: CheckType) -> f64 {
    match check {
        CheckType::Range => {
            let present = values.iter().copied().filter(|v| !missing(*v));
            let (mn, mx) = present.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
            if mn > mx { f64::NAN } else { mx - mn }
        }
        CheckType::Std => {
            // numpy.ma.std: sums of the whole array with masked slots as 0, numpy's pairwise order.
            let count = values.iter().filter(|v| !missing(**v)).count();
            if count == 0 {
                return f64::NAN;
            }
            let filled: Vec<f64> = values.iter().map(|&v| if missing(v) { 0.0 } else { v }).collect();
            let mean = numpy_sum(&filled) * 1.0 / count as f64;
            let squares: Vec<f64> =
                values.iter().map(|&v| if missing(v) { 0.0 } else { (v - mean) * (v - mean) }).collect();
            (numpy_sum(&squares) / count as f64).sqrt()
        }
    }
}

/// Start of the trailing window of row `i`, advanced from the previous row's start: the first `j` with
/// `t[i] − t[j] < period` (pandas' variable window bounds for a monotonic index; the window always ends
/// at row `i`).
fn advance_start(times: &[i64], i: usize, mut s: usize, period_s: f64) -> usize {
    while s < i && ((times[i] - times[s]) as f64) >= period_s {
        s += 1;
    }
    s
}

/// pandas' running variance (`pandas/_libs/window/aggregations.pyx`, `roll_var`, pandas 3): Welford's
/// update with Kahan-compensated means, separate compensations for adding and removing, and a full
/// recompute of the window when an update loses more than ~12 of 16 significant digits. Copying the
/// update order reproduces pandas bit for bit, which matters when a deviation sits on a threshold.
#[derive(Default)]
struct RunningVar {
    nobs: f64,
    mean: f64,
    ssqdm: f64,
    comp_add: f64,
    comp_remove: f64,
    unstable: bool,
}

/// An update is ill-conditioned when it leaves fewer than ~3 significant decimal digits.
const INV_COND_TOL: f64 = f64::EPSILON * 1e3;

impl RunningVar {
    fn add(&mut self, v: f64) {
        if v.is_nan() {
            return;
        }
        let prev_m2 = self.ssqdm;
        self.nobs += 1.0;
        let prev_mean = self.mean - self.comp_add;
        let y = v - self.comp_add;
        let t = y - self.mean;
        self.comp_add = t + self.mean - y;
        self.mean += t / self.nobs;
        self.ssqdm += (v - prev_mean) * (v - self.mean);
        if prev_m2 * INV_COND_TOL > self.ssqdm {
            self.unstable = true;
        }
    }

    fn remove(&mut self, v: f64) {
        if v.is_nan() {
            return;
        }
        let prev_m2 = self.ssqdm;
        self.nobs -= 1.0;
        if self.nobs != 0.0 {
            let prev_mean = self.mean - self.comp_remove;
            let y = v - self.comp_remove;
            let t = y - self.mean;
            self.comp_remove = t + self.mean - y;
            self.mean -= t / self.nobs;
            self.ssqdm -= (v - prev_mean) * (v - self.mean);
            if prev_m2 * INV_COND_TOL > self.ssqdm {
                self.unstable = true;
            }
        } else {
            self.mean = 0.0;
            self.ssqdm = 0.0;
            self.unstable = false;
        }
    }

    /// Population standard deviation (ddof 0), NaN below `minp` values; a negative variance is 0.
    fn std(&self, minp: usize) -> f64 {
        if self.nobs < minp.max(1) as f64 || self.nobs <= 0.0 {
            return f64::NAN;
        }
        let var = self.ssqdm / self.nobs;
        if var > 0.0 { var.sqrt() } else { 0.0 }
    }
}

fn rolling_std(values: &[f64], times: &[i64], period_s: f64, minp: usize) -> Vec<f64> {
    // Missing values (±inf too) are NaN to pandas' rolling, which skips them.
    let v = |i: usize| if missing(values[i]) { f64::NAN } else { values[i] };
    let mut out = Vec::with_capacity(values.len());
    let mut state = RunningVar::default();
    let mut prev_start = 0;
    for i in 0..values.len() {
        let s = advance_start(times, i, prev_start, period_s);
        // The first window, or one that no longer overlaps the previous: computed afresh.
        let recompute = i == 0 || s >= i;
        if !recompute {
            for j in prev_start..s {
                state.remove(v(j));
            }
            state.add(v(i));
        }
        if recompute || state.unstable {
            state = RunningVar::default();
            for j in s..=i {
                state.add(v(j));
            }
            state.unstable = false;
        }
        prev_start = s;
        out.push(state.std(minp));
    }
    out
}

fn rolling_range(values: &[f64], times: &[i64], period_s: f64, minp: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(values.len());
    // Monotonic queues of row indices: front of `mins` is the window minimum, of `maxs` the maximum.
    let mut mins: VecDeque<usize> = VecDeque::new();
    let mut maxs: VecDeque<usize> = VecDeque::new();
    let mut last_missing: Option<usize> = None;
    let mut present = 0usize;
    let mut prev_start = 0;
    for i in 0..values.len() {
        let s = advance_start(times, i, prev_start, period_s);
        for &x in &values[prev_start..s] {
            present -= usize::from(!missing(x));
        }
        prev_start = s;
        let x = values[i];
        if missing(x) {
            last_missing = Some(i);
        } else {
            present += 1;
            while mins.back().is_some_and(|&j| values[j] >= x) {
                mins.pop_back();
            }
            mins.push_back(i);
            while maxs.back().is_some_and(|&j| values[j] <= x) {
                maxs.pop_back();
            }
            maxs.push_back(i);
        }
        while mins.front().is_some_and(|&j| j < s) {
            mins.pop_front();
        }
        while maxs.front().is_some_and(|&j| j < s) {
            maxs.pop_front();
        }
        let has_missing = last_missing.is_some_and(|j| j >= s);
        out.push(if present == 0 || present < minp || has_missing {
            f64::NAN
        } else {
            values[maxs[0]] - values[mins[0]]
        });
    }
    out
}

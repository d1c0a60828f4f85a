//! IOOS QARTOD quality-control tests, flag for flag identical to the Python reference `ioos_qc` 3.0.0.
//!
//! One module per test, each a pure function over slices that returns one flag per input row:
//!
//! | test | module | QARTOD / Argo reference |
//! |---|---|---|
//! | gross range | [`gross_range`] | QARTOD T/S manual v2.1 test 9 |
//! | spike | [`spike`] | QARTOD T/S manual test 11 |
//! | rate of change | [`rate_of_change`] | QARTOD T/S manual test 12 |
//! | flat line | [`flat_line`] | QARTOD T/S manual test 13 |
//! | attenuated signal | [`attenuated_signal`] | QARTOD waves / currents manuals |
//! | climatology | [`climatology`] | QARTOD T/S manual test 10 |
//! | location | [`location`] | QARTOD T/S manual test 8 |
//! | density inversion | [`density_inversion`] | QARTOD T/S manual test 16 |
//! | pressure increasing, speed | [`argo`] | Argo QC manual tests 8 and 5 |
//! | aggregate | [`aggregate`] | ioos_qc `qartod_compare` |
//!
//! Flags are `u8`: [`GOOD`] 1, [`UNKNOWN`] 2, [`SUSPECT`] 3, [`FAIL`] 4, [`MISSING`] 9, and
//! [`NOT_EVALUATED`] 0 for a row a test did not see (outside its time window); they map one to one onto
//! [`model::QcFlag`] with [`to_qc_flag`]. Times are UTC seconds since the Unix epoch (`i64`; sub-second
//! parts are not used, as ioos_qc rounds time steps to whole seconds). A value is missing when it is not
//! finite (NaN or ±inf), as ioos_qc masks it with `numpy.ma.masked_invalid`.
//!
//! ioos_qc's numpy masked-array arithmetic makes a few rules look accidental (a location jump after a
//! missing fix, a missing value inside a climatology window coming out GOOD); each module documents the
//! rule it reproduces, under "ioos_qc behaviour".

pub mod aggregate;
pub mod argo;
pub mod attenuated_signal;
pub mod climatology;
pub mod density_inversion;
pub mod flat_line;
mod geodesic;
pub mod gross_range;
pub mod location;
pub mod rate_of_change;
pub mod spike;

pub use aggregate::aggregate;
pub use argo::{pressure_increasing, speed};
pub use attenuated_signal::{AttenuatedWindow, CheckType, attenuated_signal, min_obs_for_period};
pub use climatology::{ClimatologyMember, Period, TimeSpan, climatology};
pub use density_inversion::density_inversion;
pub use flat_line::flat_line;
pub use gross_range::gross_range;
pub use location::{RangeMethod, location};
pub use rate_of_change::rate_of_change;
pub use spike::{SpikeMethod, spike};

use model::QcFlag;

/// No flag: the row was outside every window in which the test is configured (a blank cell).
pub const NOT_EVALUATED: u8 = 0;
/// The value passed the test.
pub const GOOD: u8 = 1;
/// The test could not be evaluated for this value (QARTOD "not evaluated").
pub const UNKNOWN: u8 = 2;
/// The value is suspect (interesting or unusual).
pub const SUSPECT: u8 = 3;
/// The value failed the test.
pub const FAIL: u8 = 4;
/// The value is missing.
pub const MISSING: u8 = 9;

/// The shared flag type for a QARTOD flag byte; [`NOT_EVALUATED`] becomes [`QcFlag::BLANK`].
pub fn to_qc_flag(flag: u8) -> QcFlag {
    QcFlag::new(flag).filter(|_| flag != NOT_EVALUATED).unwrap_or(QcFlag::BLANK)
}

/// A closed value range `[min, max]`; the constructor sorts its ends, as ioos_qc does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub min: f64,
    pub max: f64,
}

impl Span {
    /// `Span::new(5.0, 1.0)` is `[1, 5]`.
    pub fn new(a: f64, b: f64) -> Span {
        if b < a { Span { min: b, max: a } } else { Span { min: a, max: b } }
    }

    /// True when `v` lies outside `[min, max]` (strict on both ends; NaN is never outside).
    pub fn excludes(self, v: f64) -> bool {
        v < self.min || v > self.max
    }

    /// True when `self` lies inside `outer` (ends may touch).
    pub fn within(self, outer: Span) -> bool {
        self.min >= outer.min && self.max <= outer.max
    }
}

/// Missing in ioos_qc's sense: NaN or infinite.
#[inline]
pub(crate) fn missing(v: f64) -> bool {
    !v.is_finite()
}

/// Median time step in whole seconds, as ioos_qc computes it: `numpy.median(numpy.diff(t))` in
/// nanoseconds (mean of the two middle steps for an even count), then truncated to seconds.
/// `None` for fewer than two times.
pub fn median_step_s(times: &[i64]) -> Option<i64> {
    if times.len() < 2 {
        return None;
    }
    let n = times.len() - 1;
    // A regular series has a handful of distinct steps: count them (one pass, no copy) and read the
    // middle of the counts; many distinct steps fall back to a selection over a copy.
    const MAX_DISTINCT: usize = 32;
    let mut counts: Vec<(i64, usize)> = Vec::with_capacity(MAX_DISTINCT);
    let mut at = 0usize;
    let mut few = true;
    for w in times.windows(2) {
        let d = w[1] - w[0];
        if counts.get(at).is_some_and(|c| c.0 == d) {
            counts[at].1 += 1;
            continue;
        }
        match counts.iter().position(|c| c.0 == d) {
            Some(j) => {
                counts[j].1 += 1;
                at = j;
            }
            None if counts.len() < MAX_DISTINCT => {
                counts.push((d, 1));
                at = counts.len() - 1;
            }
            None => {
                few = false;
                break;
            }
        }
    }
    let mid = n / 2;
    if few {
        counts.sort_unstable_by_key(|c| c.0);
        let kth = |k: usize| {
            let mut seen = 0;
            for &(d, c) in &counts {
                seen += c;
                if k < seen {
                    return d;
                }
            }
            counts.last().map_or(0, |c| c.0)
        };
        let upper = kth(mid);
        if n % 2 == 1 {
            return Some(upper);
        }
        return Some((kth(mid - 1) + upper).div_euclid(2));
    }
    let mut steps: Vec<i64> = times.windows(2).map(|w| w[1] - w[0]).collect();
    let (_, &mut upper, _) = steps.select_nth_unstable(mid);
    if n % 2 == 1 {
        return Some(upper);
    }
    let lower = *steps[..mid].iter().max().expect("mid >= 1 for an even count");
    // (lower + upper) / 2 is exact in nanoseconds; the cast to seconds floors.
    Some((lower + upper).div_euclid(2))
}

/// `delta / dt` as ioos_qc's rate and speed tests compute it with numpy masked arrays: a zero time step
/// is masked by the division's domain check and its slot keeps the numerator, so the result is `delta`
/// itself, not ±inf or NaN.
#[inline]
pub(crate) fn per_second(delta: f64, dt_s: i64) -> f64 {
    if dt_s == 0 { delta } else { delta / dt_s as f64 }
}

/// numpy's pairwise summation (`numpy.sum` of a contiguous float64 array), bit for bit: blocks of 128
/// values summed with eight accumulators, halves summed recursively. Used where only a sign is taken
/// from a sum that may be zero in exact arithmetic.
pub(crate) fn numpy_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        return a.iter().fold(0.0, |s, &x| s + x);
    }
    if n <= 128 {
        let mut r = [0.0; 8];
        r.copy_from_slice(&a[..8]);
        let mut i = 8;
        while i < n - n % 8 {
            for j in 0..8 {
                r[j] += a[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &x in &a[i..] {
            res += x;
        }
        return res;
    }
    let mut n2 = n / 2;
    n2 -= n2 % 8;
    numpy_sum(&a[..n2]) + numpy_sum(&a[n2..])
}

#[cfg(test)]
mod tests;

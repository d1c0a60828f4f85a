//! QARTOD rate of change test: a step from the previous value faster than a rate is SUSPECT or FAIL.

use super::{FAIL, GOOD, MISSING, SUSPECT, missing, per_second};

/// Flags values whose change from the previous row exceeds a rate, in observation units per second.
///
/// Rule (QARTOD T/S manual v2.1, test 12; `ioos_qc.qartod.rate_of_change_test`):
/// `r[i] = |x[i] − x[i−1]| / (t[i] − t[i−1])`; `r > suspect` → 3, `r > fail` → 4 (strict), else 1; the
/// first row is 1; a missing value is 9 and the value after it is 1 (no rate).
///
/// ioos_qc behaviour: for duplicated timestamps (a zero time step) the "rate" is the plain difference
/// `|x[i] − x[i−1]|`, compared with the per-second thresholds: numpy's masked division masks `x / 0`
/// and leaves the numerator in the masked slot, which the flag assignment then reads. So a step of 2
/// at a repeated time is flagged by a threshold of 0.5, a step of 0.001 is not. A value after ±inf
/// (masked, but its raw infinite step still compared) is flagged; a value after NaN is not.
///
/// `rate_of_change(&[1.0, 1.5, 3.5], &[0, 10, 20], 0.1, Some(0.15))` is `[1, 1, 4]`.
pub fn rate_of_change(values: &[f64], times: &[i64], suspect: f64, fail: Option<f64>) -> Vec<u8> {
    let n = values.len().min(times.len());
    let mut flags = vec![GOOD; n];
    for i in 0..n {
        let x = values[i];
        if missing(x) {
            flags[i] = MISSING;
            continue;
        }
        if i == 0 || values[i - 1].is_nan() {
            continue;
        }
        let rate = per_second(x - values[i - 1], times[i] - times[i - 1]).abs();
        if fail.is_some_and(|f| rate > f) {
            flags[i] = FAIL;
        } else if rate > suspect {
            flags[i] = SUSPECT;
        }
    }
    flags
}

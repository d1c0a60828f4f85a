//! QARTOD spike test: a value far from its two neighbours is SUSPECT or FAIL.

use super::{FAIL, GOOD, MISSING, SUSPECT, UNKNOWN, missing};

/// How the spike height of value `n` is measured from its neighbours `n-1` and `n+1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpikeMethod {
    /// `|x[n] − (x[n−1] + x[n+1]) / 2|` (ioos_qc's default, `"average"`).
    Average,
    /// `min(|x[n] − x[n−1]|, |x[n+1] − x[n]|)` when the two steps have opposite signs, else 0
    /// (`"differential"`): a step change is not a spike.
    Differential,
}

/// Flags spikes, thresholds in the units of the observation.
///
/// Rule (QARTOD T/S manual v2.1, test 11; `ioos_qc.qartod.spike_test`): the spike height `h` of each
/// inner value is computed by `method`; `h > suspect` → 3, `h > fail` → 4, else 1 (strict). The first
/// and last values are 2 (no two neighbours). A missing value is 9; a value next to a missing one is 2.
///
/// ioos_qc behaviour: a threshold of `None` **or 0** is not applied (it tests the threshold's
/// truthiness); a spike height that is not finite (overflow) makes the value 2.
///
/// `spike(&[1.0, 1.0, 5.0, 1.0, 1.0], Some(1.0), Some(3.0), SpikeMethod::Average)` is `[2, 3, 4, 3, 2]`:
/// the spike sits 4 above its neighbours' mean, and each neighbour sits 2 away from the mean of its own
/// neighbours (1 and 5). With `SpikeMethod::Differential` it is `[2, 1, 4, 1, 2]`.
pub fn spike(values: &[f64], suspect: Option<f64>, fail: Option<f64>, method: SpikeMethod) -> Vec<u8> {
    let n = values.len();
    let suspect = suspect.filter(|&t| t != 0.0);
    let fail = fail.filter(|&t| t != 0.0);
    let mut flags = vec![GOOD; n];
    for i in 0..n {
        let x = values[i];
        flags[i] = if missing(x) {
            MISSING
        } else if i == 0 || i == n - 1 {
            UNKNOWN
        } else {
            let (prev, next) = (values[i - 1], values[i + 1]);
            if missing(prev) || missing(next) {
                UNKNOWN
            } else {
                let h = match method {
                    SpikeMethod::Average => {
                        let reference = (prev + next) / 2.0;
                        if reference.is_finite() { (x - reference).abs() } else { f64::NAN }
                    }
                    SpikeMethod::Differential => {
                        let (d1, d2) = (x - prev, next - x);
                        let h = d1.abs().min(d2.abs());
                        if d1 * d2 >= 0.0 { 0.0 } else { h }
                    }
                };
                if h.is_nan() || (method == SpikeMethod::Differential && h.is_infinite()) {
                    UNKNOWN
                } else if fail.is_some_and(|t| h > t) {
                    FAIL
                } else if suspect.is_some_and(|t| h > t) {
                    SUSPECT
                } else {
                    GOOD
                }
            }
        };
    }
    flags
}

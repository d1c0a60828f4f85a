//! QARTOD density inversion test: density that decreases with depth flags both levels.

use super::{FAIL, GOOD, MISSING, SUSPECT, UNKNOWN, missing};

/// Flags pairs of consecutive levels whose density decreases downward. `density` is potential density
/// (or σθ, kg m⁻³); `z` is depth or pressure, positive down; thresholds are density changes (negative
/// numbers, kg m⁻³), e.g. `-0.03`.
///
/// Rule (QARTOD T/S manual v2.1, test 16; `ioos_qc.qartod.density_inversion_test`): for each pair
/// `(i, i+1)`, `δ = sign(z[i+1] − z[i]) · (ρ[i+1] − ρ[i])`; `δ < suspect` → both rows 3, then
/// `δ < fail` → both rows 4 (strict). A missing density or depth makes that row and the next one 9.
/// One row alone is 2. The test is given density; ioos_qc does not compute it (the data carries a
/// density column, e.g. from TEOS-10 σ0).
///
/// ioos_qc behaviour: the sign of the depth step makes ascents work like descents; equal depths give
/// `δ = 0`, never an inversion for a negative threshold.
///
/// `density_inversion(&[1025.0, 1024.9, 1025.2], &[1.0, 2.0, 3.0], Some(-0.03), Some(-0.5))` is
/// `[3, 3, 1]`.
pub fn density_inversion(density: &[f64], z: &[f64], suspect: Option<f64>, fail: Option<f64>) -> Vec<u8> {
    let n = density.len().min(z.len());
    if n == 1 {
        return vec![UNKNOWN];
    }
    let mut flags = vec![GOOD; n];
    let gone = |i: usize| missing(density[i]) || missing(z[i]);
    for (threshold, flag) in [(suspect, SUSPECT), (fail, FAIL)] {
        let Some(threshold) = threshold else { continue };
        for i in 0..n.saturating_sub(1) {
            if gone(i) || gone(i + 1) {
                continue;
            }
            let step = z[i + 1] - z[i];
            let sign = if step > 0.0 {
                1.0
            } else if step < 0.0 {
                -1.0
            } else {
                0.0
            };
            if sign * (density[i + 1] - density[i]) < threshold {
                flags[i] = flag;
                flags[i + 1] = flag;
            }
        }
    }
    for i in 0..n {
        if gone(i) {
            flags[i] = MISSING;
            if i + 1 < n {
                flags[i + 1] = MISSING;
            }
        }
    }
    flags
}

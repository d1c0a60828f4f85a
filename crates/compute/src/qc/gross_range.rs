//! QARTOD gross range test: values outside the sensor span FAIL, outside the user span SUSPECT.

use super::{FAIL, GOOD, MISSING, SUSPECT, Span};

/// Flags each value against a FAIL span (sensor limits) and an optional SUSPECT span (operator limits),
/// in the units of the observation.
///
/// Rule (QARTOD T/S manual v2.1, test 9; `ioos_qc.qartod.gross_range_test`): missing → 9;
/// `v < fail.min || v > fail.max` → 4; else `v < suspect.min || v > suspect.max` → 3; else 1. Bounds are
/// strict: a value exactly on a bound passes it. ioos_qc rejects a suspect span that is not inside the
/// fail span; the caller checks that (see [`Span::within`]), this function just applies both.
///
/// ioos_qc behaviour: ±inf is masked as missing, but numpy then compares the masked slot's raw value,
/// so an infinite value is 4, not 9; only NaN is 9.
///
/// `gross_range(&[1.0, 2.0, 3.0, 4.0, 8.0], Span::new(0.0, 5.0), Some(Span::new(1.0, 4.0)))` is
/// `[1, 1, 1, 1, 4]`.
pub fn gross_range(values: &[f64], fail: Span, suspect: Option<Span>) -> Vec<u8> {
    values
        .iter()
        .map(|&v| {
            if v.is_nan() {
                MISSING
            } else if fail.excludes(v) {
                FAIL
            } else if suspect.is_some_and(|s| s.excludes(v)) {
                SUSPECT
            } else {
                GOOD
            }
        })
        .collect()
}

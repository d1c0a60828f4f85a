//! The QARTOD aggregate flag of one stream: the most severe flag any of its tests gave each row.

use super::{FAIL, GOOD, MISSING, NOT_EVALUATED, SUSPECT, UNKNOWN};

/// Combines per-test flags row by row (`ioos_qc.qartod.qartod_compare`).
///
/// Precedence: FAIL 4 > SUSPECT 3 > GOOD 1 > UNKNOWN 2 > MISSING 9. A row is 9 only when every test
/// that saw it says 9, or no test saw it ([`NOT_EVALUATED`] cells are skipped). Rows beyond a shorter
/// input count as not evaluated.
///
/// `aggregate(&[&[1, 2, 9, 0], &[3, 1, 9, 0]])` is `[3, 1, 9, 9]`.
pub fn aggregate(results: &[&[u8]]) -> Vec<u8> {
    let n = results.iter().map(|r| r.len()).max().unwrap_or(0);
    let rank = |f: u8| match f {
        FAIL => 4,
        SUSPECT => 3,
        GOOD => 2,
        UNKNOWN => 1,
        _ => 0,
    };
    (0..n)
        .map(|i| {
            results
                .iter()
                .filter_map(|r| r.get(i).copied())
                .filter(|&f| f != NOT_EVALUATED)
                .max_by_key(|&f| rank(f))
                .filter(|&f| rank(f) > 0)
                .unwrap_or(MISSING)
        })
        .collect()
}

//! QARTOD flat line test: a run of values that stay within a tolerance for too long is SUSPECT or FAIL.

use super::{FAIL, GOOD, MISSING, SUSPECT, median_step_s, missing};

/// Flags values that end a flat run. Thresholds are durations in seconds, `tolerance` is in
/// observation units.
///
/// Rule (QARTOD T/S manual v2.1, test 13; `ioos_qc.qartod.flat_line_test`):
/// 1. Each duration becomes a number of observations with the **median** time step `dt` (whole
///    seconds): `k = trunc(trunc(threshold) / dt)`.
/// 2. Value `i` (for `i ≥ k`) is flagged when the range `max − min` of the `k + 1` values
///    `x[i−k ..= i]` is `< tolerance` (strict, so `tolerance = 0` never flags). Missing values inside
///    the window are skipped; a window with no value is not flagged.
/// 3. SUSPECT for the suspect duration, then FAIL for the fail duration; missing values are 9.
///
/// ioos_qc behaviour: because the window counts observations, not time, a flat run that straddles a
/// long gap is still flagged; with fewer than 3 values every flag is 1, even for missing values. A
/// duration shorter than `dt` gives `k = 0`: a window of one value, range 0, so with a positive
/// tolerance every present value is flagged. A zero median step makes ioos_qc raise; here it flags
/// nothing.
///
/// Cost: O(n log k) per threshold for the usual short windows (k < 64: minima and maxima by doubling
/// spans, in cache-sized chunks, in loops the compiler vectorises), O(n) for longer ones (van
/// Herk/Gil-Werman block minima and maxima).
///
/// `flat_line(&[1.0, 1.0, 1.0, 1.0, 2.0], &[0, 60, 120, 180, 240], 120.0, 180.0, 0.01)` is
/// `[1, 1, 3, 4, 1]`.
pub fn flat_line(values: &[f64], times: &[i64], suspect_s: f64, fail_s: f64, tolerance: f64) -> Vec<u8> {
    let n = values.len().min(times.len());
    let values = &values[..n];
    let mut flags = vec![GOOD; n];
    if n < 3 {
        return flags;
    }
    let Some(dt) = median_step_s(&times[..n]) else { return flags };
    if dt > 0 {
        let dt = dt as f64;
        for (threshold, flag) in [(suspect_s, SUSPECT), (fail_s, FAIL)] {
            let k = (threshold.trunc() / dt).trunc();
            if k >= 0.0 && k < n as f64 {
                let w = k as usize + 1;
                if w <= SHORT_WINDOW {
                    mark_flat_short_windows(values, w, tolerance, flag, &mut flags);
                } else {
                    mark_flat_windows(values, w, tolerance, flag, &mut flags);
                }
            }
        }
    }
    for (f, &v) in flags.iter_mut().zip(values) {
        if missing(v) {
            *f = MISSING;
        }
    }
    flags
}

/// Windows up to this many values take the doubling path.
const SHORT_WINDOW: usize = 64;
/// Outputs per chunk of the doubling path (its buffers stay in L1/L2).
const CHUNK: usize = 4096;

#[inline(always)]
fn fmin(a: f64, b: f64) -> f64 {
    if a < b { a } else { b }
}

#[inline(always)]
fn fmax(a: f64, b: f64) -> f64 {
    if a > b { a } else { b }
}

/// Same result as [`mark_flat_windows`], for short windows. A window of `w` values is the union of two
/// overlapping spans of `h` values (`h` the largest power of two ≤ `w`), so its minimum is the minimum of
/// two span minima; span minima come from `log2 h` in-place doubling passes over a chunk of the series
/// (plus the `w − 1` values before it). Missing values are +inf for the minimum and −inf for the
/// maximum, so no NaN reaches the comparisons and the loops vectorise.
pub(crate) fn mark_flat_short_windows(values: &[f64], w: usize, tolerance: f64, flag: u8, flags: &mut [u8]) {
    let n = values.len();
    if w == 0 || w > n {
        return;
    }
    let half = 1usize << (usize::BITS - 1 - w.leading_zeros());
    let mut lo = vec![0.0f64; CHUNK + w];
    let mut hi = vec![0.0f64; CHUNK + w];
    let mut start = w - 1;
    while start < n {
        let end = (start + CHUNK).min(n);
        let base = start + 1 - w;
        let len = end - base;
        for ((l, h), &v) in lo[..len].iter_mut().zip(hi[..len].iter_mut()).zip(&values[base..end]) {
            let present = v.is_finite();
            *l = if present { v } else { f64::INFINITY };
            *h = if present { v } else { f64::NEG_INFINITY };
        }
        let mut span = 1;
        while span < half {
            for k in 0..len - span {
                lo[k] = fmin(lo[k], lo[k + span]);
                hi[k] = fmax(hi[k], hi[k + span]);
            }
            span *= 2;
        }
        let shift = w - half;
        for (o, f) in flags[start..end].iter_mut().enumerate() {
            let mn = fmin(lo[o], lo[o + shift]);
            let mx = fmax(hi[o], hi[o + shift]);
            if mn < f64::INFINITY && mx - mn < tolerance {
                *f = flag;
            }
        }
        start = end;
    }
}

/// Sets `flag` at every `i ≥ w − 1` whose window `values[i+1−w ..= i]` has a range `< tolerance`.
///
/// van Herk/Gil-Werman: cut the series into blocks of `w`; a window starting at `s` in block `k` is a
/// suffix of block `k` plus a prefix of block `k + 1`, so its minimum is `min(suffix_k[s], prefix)`.
/// Three comparisons per row whatever `w`, and memory O(w). Missing values are +inf for the minimum and
/// −inf for the maximum; a window without any value keeps a minimum of +inf and is skipped.
pub(crate) fn mark_flat_windows(values: &[f64], w: usize, tolerance: f64, flag: u8, flags: &mut [u8]) {
    let n = values.len();
    let lo = |i: usize| if missing(values[i]) { f64::INFINITY } else { values[i] };
    let hi = |i: usize| if missing(values[i]) { f64::NEG_INFINITY } else { values[i] };
    let mut suffix_min = vec![0.0; w];
    let mut suffix_max = vec![0.0; w];
    let mut block = 0;
    while block < n {
        let end = (block + w).min(n);
        let (mut mn, mut mx) = (f64::INFINITY, f64::NEG_INFINITY);
        for j in (block..end).rev() {
            mn = mn.min(lo(j));
            mx = mx.max(hi(j));
            suffix_min[j - block] = mn;
            suffix_max[j - block] = mx;
        }
        let (mut prefix_min, mut prefix_max) = (f64::INFINITY, f64::NEG_INFINITY);
        for s in block..end {
            let i = s + w - 1;
            if i >= n {
                break;
            }
            if i >= end {
                prefix_min = prefix_min.min(lo(i));
                prefix_max = prefix_max.max(hi(i));
            }
            let window_min = suffix_min[s - block].min(prefix_min);
            let window_max = suffix_max[s - block].max(prefix_max);
            if window_min.is_finite() && window_max - window_min < tolerance {
                flags[i] = flag;
            }
        }
        block = end;
    }
}

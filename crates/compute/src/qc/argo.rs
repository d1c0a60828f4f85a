//! Argo real-time QC tests from ioos_qc's `argo` module: pressure increasing and impossible speed.

use super::geodesic::wgs84_distance_m;
use super::{FAIL, GOOD, MISSING, SUSPECT, UNKNOWN, missing, numpy_sum, per_second};

/// Flags levels where pressure (dbar) does not keep moving in the profile's direction.
///
/// Rule (Argo QC manual, test 8; `ioos_qc.argo.pressure_increasing_test`): the direction is the sign
/// of the mean pressure step; every row `i ≥ 1` whose step `p[i] − p[i−1]`, turned to that direction,
/// is `≤ 0` is 3; all others 1. Works on descents and ascents alike.
///
/// ioos_qc behaviour: values are not masked. A missing pressure makes the mean NaN, so the direction
/// is taken as "increasing" and every step of an ascent is flagged; steps touching a missing value are
/// NaN and never flagged. A yo that returns to its start pressure has a mean step of ±ε; the sign is
/// taken from numpy's pairwise sum, reproduced here bit for bit.
///
/// `pressure_increasing(&[5.0, 10.0, 10.0, 8.0, 20.0])` is `[1, 1, 3, 3, 1]`.
pub fn pressure_increasing(pressure: &[f64]) -> Vec<u8> {
    let n = pressure.len();
    let steps: Vec<f64> = pressure.windows(2).map(|w| w[1] - w[0]).collect();
    let mean = numpy_sum(&steps) / steps.len() as f64;
    let turn = if mean < 0.0 { -1.0 } else { 1.0 };
    let mut flags = vec![GOOD; n];
    for (i, step) in steps.iter().enumerate() {
        if turn * step <= 0.0 {
            flags[i + 1] = SUSPECT;
        }
    }
    flags
}

/// Flags fixes reached from the previous one faster than a speed, thresholds in m/s.
///
/// Rule (Argo QC manual, test 5; `ioos_qc.argo.speed_test`): `s[i] = d(i−1, i) / (t[i] − t[i−1])` with
/// `d` the WGS84 geodesic distance in metres; `s > suspect` → 3, `s > fail` → 4 (strict), else 1. The
/// first row is 2. Row `i ≥ 1` is 9 when row `i` or `i−1` lacks a coordinate.
///
/// ioos_qc behaviour: a row with both coordinates missing is 9, but the first row is always 2. For a
/// duplicated timestamp the "speed" is the distance itself in metres (numpy's masked division by a zero
/// step keeps the numerator), so a move of 11 m at the same time is 11 m/s.
///
/// `speed(&[0.0, 0.001, 0.1], &[0.0, 0.0, 0.0], &[0, 60, 120], 1.0, 5.0)`: the second fix moved 111 m in
/// 60 s (1.9 m/s), the third 11 021 m (184 m/s): `[2, 3, 4]`.
pub fn speed(lon: &[f64], lat: &[f64], times: &[i64], suspect: f64, fail: f64) -> Vec<u8> {
    let n = lon.len().min(lat.len()).min(times.len());
    let mut flags = vec![GOOD; n];
    for i in 1..n {
        if missing(lon[i]) || missing(lat[i]) || missing(lon[i - 1]) || missing(lat[i - 1]) {
            flags[i] = MISSING;
            continue;
        }
        let d = wgs84_distance_m(lat[i - 1], lon[i - 1], lat[i], lon[i]);
        let s = per_second(d, times[i] - times[i - 1]).abs();
        if s > fail {
            flags[i] = FAIL;
        } else if s > suspect {
            flags[i] = SUSPECT;
        }
    }
    if n > 0 {
        flags[0] = UNKNOWN;
    }
    flags
}

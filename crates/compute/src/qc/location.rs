//! QARTOD location test: impossible positions FAIL, jumps longer than a range SUSPECT.

use super::geodesic::{GSW_EARTH_RADIUS_M, gsw_haversine_m, wgs84_distance_m};
use super::{FAIL, GOOD, MISSING, SUSPECT, missing};

/// How the distance between consecutive fixes is measured for `range_max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeMethod {
    /// Sphere of radius 6 371 km, as `gsw.distance` (ioos_qc's default, `"haversine"`).
    Haversine,
    /// WGS84 ellipsoid geodesic (`"wgs84"`).
    Wgs84,
}

/// Flags positions (degrees) and, with `range_max` (metres), jumps between consecutive positions.
///
/// Rule (QARTOD T/S manual v2.1, test 8; `ioos_qc.qartod.location_test`): start at 1; lat or lon
/// missing → 9, exactly one of them missing → 4; with `range_max` and more than one row, a distance
/// from the previous fix `> range_max` → 3; finally `|lat| > 90` or `|lon| > 180` → 4 (so 180 is valid).
///
/// ioos_qc behaviour: with the haversine method a missing coordinate at row `i` or `i−1` gives the
/// distance of row `i` the value 6 371 000 m (ioos_qc passes masked arrays to gsw by keyword, so gsw
/// computes on them; numpy fills a masked product with its first factor, the Earth radius, and
/// `numpy.insert` then drops the mask), so the missing row and the row after it come out 3 whenever
/// `range_max` is below that — not 4 or 9. With exactly two rows gsw returns its single distance as a
/// scalar, and a masked scalar reads as 0: nothing is flagged. With `Wgs84` such distances are NaN and
/// flag nothing.
///
/// `location(&[151.0, 151.0, 200.0], &[-33.9, -33.9, -33.9], None, RangeMethod::Haversine)` is `[1, 1, 4]`.
pub fn location(lon: &[f64], lat: &[f64], range_max: Option<f64>, method: RangeMethod) -> Vec<u8> {
    let n = lon.len().min(lat.len());
    let mut flags: Vec<u8> = (0..n)
        .map(|i| match (missing(lon[i]), missing(lat[i])) {
            (true, true) => MISSING,
            (false, false) => GOOD,
            _ => FAIL,
        })
        .collect();
    if let Some(range_max) = range_max.filter(|_| n > 1) {
        for i in 1..n {
            let gap = missing(lon[i]) || missing(lat[i]) || missing(lon[i - 1]) || missing(lat[i - 1]);
            let masked_gsw = if n == 2 { 0.0 } else { GSW_EARTH_RADIUS_M };
            let d = match (method, gap) {
                (RangeMethod::Haversine, true) => masked_gsw,
                (RangeMethod::Haversine, false) => {
                    gsw_haversine_m(lat[i - 1], lon[i - 1], lat[i], lon[i]).unwrap_or(masked_gsw)
                }
                (RangeMethod::Wgs84, true) => f64::NAN,
                (RangeMethod::Wgs84, false) => wgs84_distance_m(lat[i - 1], lon[i - 1], lat[i], lon[i]),
            };
            if d > range_max {
                flags[i] = SUSPECT;
            }
        }
    }
    for i in 0..n {
        if lat[i].abs() > 90.0 || lon[i].abs() > 180.0 {
            flags[i] = FAIL;
        }
    }
    flags
}

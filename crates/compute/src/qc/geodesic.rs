//! Distances between consecutive fixes: gsw's spherical haversine and the WGS84 ellipsoid geodesic.

/// Earth radius used by `gsw.distance` (TEOS-10 toolbox), metres.
pub(crate) const GSW_EARTH_RADIUS_M: f64 = 6_371e3;

/// Great-circle distance in metres on a sphere of radius 6 371 000 m, in the form gsw uses:
/// `a = sin²(Δφ/2) + cos φ₁ cos φ₂ sin²(Δλ/2)`, `d = R · 2·atan2(√a, √(1−a))`.
/// Longitudes need no normalising: `sin²` is periodic, so 179.9 → −179.9 is 0.2° apart.
/// `None` where numpy's masked `sqrt` would mask the result (`a < 0` or `a > 1`, only possible for a
/// latitude beyond ±90°).
pub(crate) fn gsw_haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> Option<f64> {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dlat = p2 - p1;
    let dlon = lon2.to_radians() - lon1.to_radians();
    let a = (dlat / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dlon / 2.0).sin().powi(2);
    (a >= 0.0 && 1.0 - a >= 0.0).then(|| GSW_EARTH_RADIUS_M * (2.0 * a.sqrt().atan2((1.0 - a).sqrt())))
}

/// WGS84 semi-major axis (m) and flattening.
const WGS84_A: f64 = 6_378_137.0;
const WGS84_F: f64 = 1.0 / 298.257_223_563;

/// Geodesic distance in metres on the WGS84 ellipsoid (Vincenty's inverse formula, T. Vincenty 1975,
/// Survey Review 23(176)). ioos_qc uses Karney's algorithm (geographiclib); both agree to well under a
/// millimetre for any two points that are not nearly antipodal, which consecutive fixes never are. For
/// the rare nearly antipodal pair where Vincenty does not converge, the last iterate is used.
/// NaN when a latitude is not in [−90, 90] or any input is not finite (geographiclib gives NaN too).
pub(crate) fn wgs84_distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    if !(lat1.abs() <= 90.0 && lat2.abs() <= 90.0 && lon1.is_finite() && lon2.is_finite()) {
        return f64::NAN;
    }
    let b = WGS84_A * (1.0 - WGS84_F);
    let l = ((lon2 - lon1 + 180.0).rem_euclid(360.0) - 180.0).to_radians();
    let u1 = ((1.0 - WGS84_F) * lat1.to_radians().tan()).atan();
    let u2 = ((1.0 - WGS84_F) * lat2.to_radians().tan()).atan();
    let (sin_u1, cos_u1) = u1.sin_cos();
    let (sin_u2, cos_u2) = u2.sin_cos();
    let mut lambda = l;
    let (mut sin_sigma, mut cos_sigma, mut sigma, mut cos_sq_alpha, mut cos_2sm);
    let mut iterations = 0;
    loop {
        let (sin_l, cos_l) = lambda.sin_cos();
        let t1 = cos_u2 * sin_l;
        let t2 = cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_l;
        sin_sigma = (t1 * t1 + t2 * t2).sqrt();
        if sin_sigma == 0.0 {
            return 0.0;
        }
        cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_l;
        sigma = sin_sigma.atan2(cos_sigma);
        let sin_alpha = cos_u1 * cos_u2 * sin_l / sin_sigma;
        cos_sq_alpha = 1.0 - sin_alpha * sin_alpha;
        cos_2sm = if cos_sq_alpha != 0.0 { cos_sigma - 2.0 * sin_u1 * sin_u2 / cos_sq_alpha } else { 0.0 };
        let c = WGS84_F / 16.0 * cos_sq_alpha * (4.0 + WGS84_F * (4.0 - 3.0 * cos_sq_alpha));
        let previous = lambda;
        lambda = l
            + (1.0 - c)
                * WGS84_F
                * sin_alpha
                * (sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm)));
        iterations += 1;
        if (lambda - previous).abs() < 1e-12 || iterations >= 200 {
            break;
        }
    }
    let u_sq = cos_sq_alpha * (WGS84_A * WGS84_A - b * b) / (b * b);
    let a_coef = 1.0 + u_sq / 16_384.0 * (4096.0 + u_sq * (-768.0 + u_sq * (320.0 - 175.0 * u_sq)));
    let b_coef = u_sq / 1024.0 * (256.0 + u_sq * (-128.0 + u_sq * (74.0 - 47.0 * u_sq)));
    let delta_sigma = b_coef
        * sin_sigma
        * (cos_2sm
            + b_coef / 4.0
                * (cos_sigma * (-1.0 + 2.0 * cos_2sm * cos_2sm)
                    - b_coef / 6.0
                        * cos_2sm
                        * (-3.0 + 4.0 * sin_sigma * sin_sigma)
                        * (-3.0 + 4.0 * cos_2sm * cos_2sm)));
    b * a_coef * (sigma - delta_sigma)
}

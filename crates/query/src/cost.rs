//! The cost guard, after Argovis: a temporospatial request costs (area / 13,000 km²) × days and is
//! refused above 1,000,000 with the estimate and a suggested split into smaller time windows.

use chrono::{DateTime, Duration, TimeZone, Utc};
use model::{EARTH_RADIUS_KM, Region, TimeRange};

/// Argovis' limit on (area / 13,000 km²) × days.
pub const COST_LIMIT: f64 = 1_000_000.0;

/// Area of the sphere, km².
const EARTH_AREA_KM2: f64 = 4.0 * std::f64::consts::PI * EARTH_RADIUS_KM * EARTH_RADIUS_KM;

/// A request's estimated cost and its parts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cost {
    pub area_km2: f64,
    pub days: f64,
    pub value: f64,
}

/// Spherical area of a ring of lon/lat degrees (the "ring area" formula of Chamberlain & Duquette,
/// NASA JPL 2007, as geojson-area uses it): R² Σ (λ₂ − λ₁)(2 + sin φ₁ + sin φ₂) / 2.
fn ring_area_km2(ring: &[(f64, f64)]) -> f64 {
    let mut total = 0.0;
    for w in ring.windows(2) {
        let (l1, p1) = (w[0].0.to_radians(), w[0].1.to_radians());
        let (l2, p2) = (w[1].0.to_radians(), w[1].1.to_radians());
        total += (l2 - l1) * (2.0 + p1.sin() + p2.sin());
    }
    (total * EARTH_RADIUS_KM * EARTH_RADIUS_KM / 2.0).abs()
}

/// The area a region covers, km² (a multipolygon counts its smallest polygon, an upper bound of the
/// intersection).
pub fn region_area_km2(region: &Region) -> f64 {
    let r2 = EARTH_RADIUS_KM * EARTH_RADIUS_KM;
    match region {
        Region::Box(b) => {
            let width = if b.crosses_antimeridian() { b.east + 360.0 - b.west } else { b.east - b.west };
            r2 * width.to_radians() * (b.north.to_radians().sin() - b.south.to_radians().sin())
        }
        Region::Polygon(p) => ring_area_km2(p.ring()),
        Region::MultiPolygon(ps) => ps.iter().map(|p| ring_area_km2(p.ring())).fold(f64::INFINITY, f64::min),
        Region::Circle { radius_km, .. } => {
            2.0 * std::f64::consts::PI * r2 * (1.0 - (radius_km / EARTH_RADIUS_KM).min(std::f64::consts::PI).cos())
        }
    }
}

/// The first Argo profiles: the record starts in 1997.
pub fn record_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(1997, 1, 1, 0, 0, 0).single().unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Cost of a search over `region` (the globe when `None`) and `time` (1997 to `now` when `None`).
pub fn cost(region: Option<&Region>, time: Option<&TimeRange>, now: DateTime<Utc>) -> Cost {
    let area_km2 = region.map_or(EARTH_AREA_KM2, region_area_km2);
    let (start, end) = match time {
        Some(t) => (t.start().max(record_start()), t.end().min(now + Duration::days(1))),
        None => (record_start(), now),
    };
    let days = ((end - start).num_seconds() as f64 / 86_400.0).max(1.0 / 24.0);
    Cost { area_km2, days, value: area_km2 / 13_000.0 * days }
}

/// Time windows that each stay under the limit, covering `[start, end)` (whole days).
pub fn split(c: &Cost, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let per_day = c.area_km2 / 13_000.0;
    if per_day > COST_LIMIT {
        return Vec::new(); // even one day is too big: the region must shrink
    }
    let days_per_piece = ((COST_LIMIT / per_day).floor() as i64).max(1);
    let mut out = Vec::new();
    let mut t = start;
    while t < end {
        let next = (t + Duration::days(days_per_piece)).min(end);
        out.push((t, next));
        t = next;
    }
    out
}

//! Query regions as GeoJSON-ready polygons: boxes, great-circle buffers and named shapes, each split at
//! the antimeridian into parts whose longitudes stay in [-180, 180] (RFC 7946 §3.1.9), so a planar
//! point-in-polygon test on (lon, lat) is right everywhere. An [`Area`] is the *union* of its parts.

use model::{EARTH_RADIUS_KM, normalize_lon};

/// A union of simple polygons; each ring is closed, `(lon, lat)`, lon in [-180, 180].
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    pub polygons: Vec<Vec<(f64, f64)>>,
    /// What the user named ("Bering Sea", "within 150 km of 12°N 66°E").
    pub label: String,
    /// The named areas of a union and their polygons (`compare A and B` reports each).
    pub members: Vec<(String, std::ops::Range<usize>)>,
}

impl Area {
    /// A lon/lat box; `west > east` crosses the antimeridian (170E to 170W is 20° wide).
    pub fn bbox(west: f64, south: f64, east: f64, north: f64, label: String) -> Area {
        let (w, e) = (normalize_lon(west), if east == 180.0 { 180.0 } else { normalize_lon(east) });
        let e = if e <= w { e + 360.0 } else { e };
        // a vertex every 90° of longitude, so no edge spans more than 180°
        let steps = ((e - w) / 90.0).ceil().max(1.0) as usize;
        let xs: Vec<f64> = (0..=steps).map(|k| w + (e - w) * k as f64 / steps as f64).collect();
        let mut ring: Vec<(f64, f64)> = xs.iter().map(|&x| (x, south)).collect();
        ring.extend(xs.iter().rev().map(|&x| (x, north)));
        ring.push((w, south));
        Area::new(split_ring(&ring), label)
    }

    /// A great-circle buffer of `radius_km` around a point, as a 64-vertex polygon (split at ±180).
    pub fn circle(lat: f64, lon: f64, radius_km: f64, label: String) -> Area {
        let ang = radius_km / EARTH_RADIUS_KM;
        // a circle around a pole is a polar cap: every longitude above its lowest latitude
        let reach = ang.to_degrees();
        if reach >= 90.0 - lat.abs() {
            let edge = if lat >= 0.0 { (lat - reach).max(-90.0) } else { (lat + reach).min(90.0) };
            let (s, n) = if lat >= 0.0 { (edge, 90.0) } else { (-90.0, edge) };
            return Area::bbox(-180.0, s, 180.0, n, label);
        }
        let (la, lo) = (lat.to_radians(), lon.to_radians());
        let n = 64;
        let mut ring = Vec::with_capacity(n + 1);
        let mut prev: Option<f64> = None;
        for k in 0..n {
            let brg = (k as f64) * std::f64::consts::TAU / n as f64;
            let lat2 = (la.sin() * ang.cos() + la.cos() * ang.sin() * brg.cos()).asin();
            let lon2 = lo + (brg.sin() * ang.sin() * la.cos()).atan2(ang.cos() - la.sin() * lat2.sin());
            let mut x = lon2.to_degrees();
            // unwrap relative to the previous vertex so the ring is continuous
            if let Some(p) = prev {
                while x - p > 180.0 {
                    x -= 360.0;
                }
                while p - x > 180.0 {
                    x += 360.0;
                }
            } else {
                x = normalize_lon(x);
            }
            prev = Some(x);
            ring.push((x, lat2.to_degrees().clamp(-90.0, 90.0)));
        }
        ring.push(ring[0]);
        Area::new(split_ring(&ring), label)
    }

    /// Polygons already in [-180, 180] (Natural Earth parts).
    pub fn from_parts(polygons: Vec<Vec<(f64, f64)>>, label: String) -> Area {
        Area::new(polygons, label)
    }

    fn new(polygons: Vec<Vec<(f64, f64)>>, label: String) -> Area {
        let members = vec![(label.clone(), 0..polygons.len())];
        Area { polygons, label, members }
    }

    /// Whether a point is in the `k`-th member of a union.
    pub fn member_contains(&self, k: usize, lat: f64, lon: f64) -> bool {
        self.members.get(k).is_some_and(|(_, r)| self.polygons[r.clone()].iter().any(|p| in_ring(lon, lat, p)))
    }

    /// An unwrapped ring (longitudes continuous, may leave [-180, 180]), split at the antimeridian.
    pub fn from_ring(ring: &[(f64, f64)], label: String) -> Area {
        Area::new(split_ring(ring), label)
    }

    pub fn union(mut self, other: Area) -> Area {
        let off = self.polygons.len();
        self.members.extend(other.members.into_iter().map(|(l, r)| (l, r.start + off..r.end + off)));
        self.polygons.extend(other.polygons);
        self.label = format!("{} and {}", self.label, other.label);
        self
    }

    /// Keeps the part north of `lat` (`north = true`) or south of it.
    pub fn clip_lat(&self, lat: f64, north: bool, label: String) -> Area {
        let polygons = self
            .polygons
            .iter()
            .filter_map(|r| {
                let s = if north { 1.0 } else { -1.0 };
                let out = clip(
                    r,
                    |p| s * (p.1 - lat),
                    |a, b| {
                        let t = (lat - a.1) / (b.1 - a.1);
                        (a.0 + t * (b.0 - a.0), lat)
                    },
                );
                (out.len() >= 4).then_some(out)
            })
            .collect();
        Area::new(polygons, label)
    }

    /// Planar point-in-polygon on (lon, lat) over the union.
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        self.polygons.iter().any(|r| in_ring(lon, lat, r))
    }

    /// Middle latitude of the bounding box: which hemisphere the seasons follow.
    pub fn centroid_lat(&self) -> f64 {
        let (mut s, mut n) = (f64::MAX, f64::MIN);
        for r in &self.polygons {
            for p in r {
                s = s.min(p.1);
                n = n.max(p.1);
            }
        }
        if s > n { 0.0 } else { (s + n) / 2.0 }
    }

    /// Bounding box `(west, south, east, north)` of the union; west > east when it crosses ±180.
    pub fn bounds(&self) -> (f64, f64, f64, f64) {
        let (mut s, mut n) = (f64::MAX, f64::MIN);
        let mut lons: Vec<(f64, f64)> = Vec::new();
        for r in &self.polygons {
            let (mut w, mut e) = (f64::MAX, f64::MIN);
            for p in r {
                s = s.min(p.1);
                n = n.max(p.1);
                w = w.min(p.0);
                e = e.max(p.0);
            }
            lons.push((w, e));
        }
        let w = lons.iter().map(|l| l.0).fold(f64::MAX, f64::min);
        let e = lons.iter().map(|l| l.1).fold(f64::MIN, f64::max);
        // Parts touching both +180 and -180: report the crossing box.
        let touches_east = lons.iter().any(|l| l.1 >= 180.0);
        let touches_west = lons.iter().any(|l| l.0 <= -180.0);
        if touches_east && touches_west && e - w >= 359.0 {
            let west = lons.iter().filter(|l| l.0 > -180.0).map(|l| l.0).fold(f64::MAX, f64::min);
            let east = lons.iter().filter(|l| l.1 < 180.0).map(|l| l.1).fold(f64::MIN, f64::max);
            if west > east && west < 180.0 && east > -180.0 {
                return (west, s, east, n);
            }
        }
        (w, s, e, n)
    }

    /// The parts as `model` polygons, one region per part (a point is in the area when it is in any).
    pub fn to_model(&self) -> Vec<model::Region> {
        self.polygons.iter().filter_map(|r| model::Polygon::new(r).ok().map(model::Region::Polygon)).collect()
    }
}

fn in_ring(lon: f64, lat: f64, ring: &[(f64, f64)]) -> bool {
    let mut inside = false;
    let n = ring.len();
    let mut j = n - 1;
    for i in 0..n {
        let (xi, yi) = ring[i];
        let (xj, yj) = ring[j];
        if (yi > lat) != (yj > lat) && lon < xi + (lat - yi) * (xj - xi) / (yj - yi) {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// Sutherland–Hodgman clip of a closed ring by the half plane `side(p) >= 0`.
fn clip(
    ring: &[(f64, f64)],
    side: impl Fn((f64, f64)) -> f64,
    cut: impl Fn((f64, f64), (f64, f64)) -> (f64, f64),
) -> Vec<(f64, f64)> {
    let pts = &ring[..ring.len().saturating_sub(1)];
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(pts.len() + 4);
    for i in 0..pts.len() {
        let a = pts[i];
        let b = pts[(i + 1) % pts.len()];
        let (sa, sb) = (side(a), side(b));
        if sa >= 0.0 {
            out.push(a);
            if sb < 0.0 {
                out.push(cut(a, b));
            }
        } else if sb >= 0.0 {
            out.push(cut(a, b));
        }
    }
    out.dedup();
    if let (Some(&f), Some(&l)) = (out.first(), out.last())
        && f != l
    {
        out.push(f);
    }
    out
}

/// Splits an unwrapped ring into parts inside [-180, 180] (each shifted back by a multiple of 360°).
fn split_ring(ring: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    let min = ring.iter().map(|p| p.0).fold(f64::MAX, f64::min);
    let max = ring.iter().map(|p| p.0).fold(f64::MIN, f64::max);
    if min >= -180.0 && max <= 180.0 {
        return vec![ring.to_vec()];
    }
    let mut parts = Vec::new();
    let k_lo = ((min + 180.0) / 360.0).floor() as i64;
    let k_hi = ((max - 180.0) / 360.0).ceil() as i64;
    for k in k_lo..=k_hi {
        let lo = -180.0 + 360.0 * k as f64;
        let hi = lo + 360.0;
        let a = clip(ring, |p| p.0 - lo, |a, b| (lo, a.1 + (lo - a.0) * (b.1 - a.1) / (b.0 - a.0)));
        if a.len() < 4 {
            continue;
        }
        let c = clip(&a, |p| hi - p.0, |a, b| (hi, a.1 + (hi - a.0) * (b.1 - a.1) / (b.0 - a.0)));
        if c.len() < 4 {
            continue;
        }
        let shifted: Vec<(f64, f64)> =
            c.iter().map(|&(x, y)| ((x - 360.0 * k as f64).clamp(-180.0, 180.0), y)).collect();
        parts.push(shifted);
    }
    parts
}

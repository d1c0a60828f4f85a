//! Geography on WGS84 longitude/latitude: points, boxes, polygons, circles and the antimeridian.
//!
//! Longitudes are normalised to `[-180, 180)`. A box whose west edge is east of its east edge crosses the
//! antimeridian (`BBox { west: 170, east: -170, .. }` is 20° wide). Polygon edges are straight lines in
//! lon/lat (what a map shows); a polygon may cross the antimeridian, its ring is unwrapped before tests.
//! Distances are great-circle (haversine) on a sphere of the IUGG mean radius.

/// Mean Earth radius in km, as recommended by the IUGG (R1 = 6371.0088 km).
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Maps any finite longitude into `[-180, 180)`.
pub fn normalize_lon(lon: f64) -> f64 {
    let l = (lon + 180.0).rem_euclid(360.0) - 180.0;
    if l >= 180.0 { l - 360.0 } else { l }
}

/// Great-circle distance in km between two points (haversine formula, sphere of [`EARTH_RADIUS_KM`]).
///
/// `haversine_km(Point::new(0.0, 0.0)?, Point::new(1.0, 0.0)?)` is 111.195 km.
pub fn haversine_km(a: Point, b: Point) -> f64 {
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.lon - a.lon).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeoError {
    #[error("latitude {0} is outside [-90, 90]")]
    Latitude(f64),
    #[error("longitude {0} is not a finite number")]
    Longitude(f64),
    #[error("a polygon ring needs at least 4 positions (closed), got {0}")]
    RingTooShort(usize),
    #[error("a polygon ring must be closed: its first position {first:?} differs from its last {last:?}")]
    RingNotClosed { first: (f64, f64), last: (f64, f64) },
    #[error("box south edge {south} is north of its north edge {north}")]
    BoxLatitudes { south: f64, north: f64 },
    #[error("radius {0} km must be positive and finite")]
    Radius(f64),
    #[error("a multipolygon needs at least one polygon")]
    EmptyMultiPolygon,
}

/// A WGS84 position; `lon` in `[-180, 180)`, `lat` in `[-90, 90]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub lon: f64,
    pub lat: f64,
}

impl Point {
    /// Validates the latitude and normalises the longitude.
    pub fn new(lon: f64, lat: f64) -> Result<Point, GeoError> {
        if !lon.is_finite() {
            return Err(GeoError::Longitude(lon));
        }
        if !(-90.0..=90.0).contains(&lat) {
            return Err(GeoError::Latitude(lat));
        }
        Ok(Point { lon: normalize_lon(lon), lat })
    }
}

/// A lon/lat box. `west > east` means it crosses the antimeridian.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

impl BBox {
    /// A box from its lower-left and upper-right corners (Argovis `box=[[llLon,llLat],[urLon,urLat]]`).
    /// A box whose corners span 360° or more of longitude covers every longitude.
    pub fn new(west: f64, south: f64, east: f64, north: f64) -> Result<BBox, GeoError> {
        for lon in [west, east] {
            if !lon.is_finite() {
                return Err(GeoError::Longitude(lon));
            }
        }
        for lat in [south, north] {
            if !(-90.0..=90.0).contains(&lat) {
                return Err(GeoError::Latitude(lat));
            }
        }
        if south > north {
            return Err(GeoError::BoxLatitudes { south, north });
        }
        if east - west >= 360.0 {
            return Ok(BBox { west: -180.0, south, east: 180.0, north });
        }
        let (w, e) = (normalize_lon(west), normalize_lon(east));
        // east == 180 normalises to -180; keep a box ending at the antimeridian whole.
        let e = if e == -180.0 && east > west { 180.0 } else { e };
        Ok(BBox { west: w, south, east: e, north })
    }

    pub fn crosses_antimeridian(&self) -> bool {
        self.west > self.east
    }

    /// The same area as one or two boxes that do not cross the antimeridian (RFC 7946 §3.1.9).
    pub fn split(&self) -> Vec<BBox> {
        if self.crosses_antimeridian() {
            vec![
                BBox { west: self.west, south: self.south, east: 180.0, north: self.north },
                BBox { west: -180.0, south: self.south, east: self.east, north: self.north },
            ]
        } else {
            vec![*self]
        }
    }

    /// Edges included: a point on the boundary is inside.
    pub fn contains(&self, p: Point) -> bool {
        if p.lat < self.south || p.lat > self.north {
            return false;
        }
        if self.crosses_antimeridian() {
            p.lon >= self.west || p.lon <= self.east
        } else {
            p.lon >= self.west && p.lon <= self.east
        }
    }
}

/// A simple polygon: one closed exterior ring of lon/lat positions (no holes).
#[derive(Debug, Clone, PartialEq)]
pub struct Polygon {
    /// The ring unwrapped so that consecutive longitudes differ by at most 180°; may leave [-180, 180).
    ring: Vec<(f64, f64)>,
}

impl Polygon {
    /// A polygon from a closed ring `[[lon, lat], ...]` whose first and last positions are equal.
    pub fn new(ring: &[(f64, f64)]) -> Result<Polygon, GeoError> {
        if ring.len() < 4 {
            return Err(GeoError::RingTooShort(ring.len()));
        }
        for &(lon, lat) in ring {
            if !lon.is_finite() {
                return Err(GeoError::Longitude(lon));
            }
            if !(-90.0..=90.0).contains(&lat) {
                return Err(GeoError::Latitude(lat));
            }
        }
        let (first, last) = (ring[0], ring[ring.len() - 1]);
        if first != last {
            return Err(GeoError::RingNotClosed { first, last });
        }
        let mut out = Vec::with_capacity(ring.len());
        let mut prev = normalize_lon(ring[0].0);
        out.push((prev, ring[0].1));
        for &(lon, lat) in &ring[1..] {
            let mut l = normalize_lon(lon);
            while l - prev > 180.0 {
                l -= 360.0;
            }
            while prev - l > 180.0 {
                l += 360.0;
            }
            out.push((l, lat));
            prev = l;
        }
        Ok(Polygon { ring: out })
    }

    /// The unwrapped ring.
    pub fn ring(&self) -> &[(f64, f64)] {
        &self.ring
    }

    /// The lon/lat bounding box (may cross the antimeridian).
    pub fn bbox(&self) -> BBox {
        let (mut w, mut e, mut s, mut n) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(lon, lat) in &self.ring {
            w = w.min(lon);
            e = e.max(lon);
            s = s.min(lat);
            n = n.max(lat);
        }
        if e - w >= 360.0 {
            return BBox { west: -180.0, south: s, east: 180.0, north: n };
        }
        BBox { west: normalize_lon(w), south: s, east: normalize_lon(e), north: n }.fix_east(e)
    }

    /// Even-odd point-in-polygon test; a point exactly on an edge counts as inside.
    pub fn contains(&self, p: Point) -> bool {
        // The unwrapped ring may extend past ±180: try the point's longitude shifted by ±360 too.
        [p.lon, p.lon - 360.0, p.lon + 360.0].iter().any(|&lon| self.contains_xy(lon, p.lat))
    }

    fn contains_xy(&self, x: f64, y: f64) -> bool {
        let r = &self.ring;
        let mut inside = false;
        for i in 0..r.len() - 1 {
            let (x1, y1) = r[i];
            let (x2, y2) = r[i + 1];
            // on the segment?
            let cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1);
            if cross.abs() < 1e-12
                && x >= x1.min(x2) - 1e-12
                && x <= x1.max(x2) + 1e-12
                && y >= y1.min(y2) - 1e-12
                && y <= y1.max(y2) + 1e-12
            {
                return true;
            }
            if (y1 > y) != (y2 > y) {
                let xi = x1 + (y - y1) * (x2 - x1) / (y2 - y1);
                if x < xi {
                    inside = !inside;
                }
            }
        }
        inside
    }
}

impl BBox {
    fn fix_east(mut self, raw_east: f64) -> BBox {
        if self.east == -180.0 && raw_east > self.west {
            self.east = 180.0;
        }
        self
    }
}

/// A search region. `MultiPolygon` means the intersection of its polygons, as Argovis defines it.
#[derive(Debug, Clone, PartialEq)]
pub enum Region {
    Box(BBox),
    Polygon(Polygon),
    MultiPolygon(Vec<Polygon>),
    /// Every point within `radius_km` (great circle) of `center`.
    Circle {
        center: Point,
        radius_km: f64,
    },
}

impl Region {
    pub fn circle(center: Point, radius_km: f64) -> Result<Region, GeoError> {
        if !(radius_km.is_finite() && radius_km > 0.0) {
            return Err(GeoError::Radius(radius_km));
        }
        Ok(Region::Circle { center, radius_km })
    }

    pub fn multipolygon(polygons: Vec<Polygon>) -> Result<Region, GeoError> {
        if polygons.is_empty() {
            return Err(GeoError::EmptyMultiPolygon);
        }
        Ok(Region::MultiPolygon(polygons))
    }

    pub fn contains(&self, p: Point) -> bool {
        match self {
            Region::Box(b) => b.contains(p),
            Region::Polygon(poly) => poly.contains(p),
            Region::MultiPolygon(polys) => polys.iter().all(|poly| poly.contains(p)),
            Region::Circle { center, radius_km } => haversine_km(*center, p) <= *radius_km,
        }
    }

    /// Boxes that do not cross the antimeridian and together cover the region: what an index scans.
    pub fn index_boxes(&self) -> Vec<BBox> {
        match self {
            Region::Box(b) => b.split(),
            Region::Polygon(p) => p.bbox().split(),
            Region::MultiPolygon(polys) => polys[0].bbox().split(),
            Region::Circle { center, radius_km } => circle_bbox(*center, *radius_km).split(),
        }
    }
}

/// The lon/lat box around a great circle of `radius_km` about `c` (poles and the antimeridian handled).
fn circle_bbox(c: Point, radius_km: f64) -> BBox {
    let dlat = (radius_km / EARTH_RADIUS_KM).to_degrees();
    let (s, n) = (c.lat - dlat, c.lat + dlat);
    if s <= -90.0 || n >= 90.0 {
        return BBox { west: -180.0, south: s.max(-90.0), east: 180.0, north: n.min(90.0) };
    }
    // Widest longitude extent of a small circle (Bounding Coordinates, J. P. Matuschek).
    let ang = radius_km / EARTH_RADIUS_KM;
    let dlon = (ang.sin() / c.lat.to_radians().cos()).clamp(-1.0, 1.0).asin().to_degrees();
    if dlon >= 180.0 || ang.sin() >= c.lat.to_radians().cos() {
        return BBox { west: -180.0, south: s, east: 180.0, north: n };
    }
    let (w, e) = (c.lon - dlon, c.lon + dlon);
    BBox { west: normalize_lon(w), south: s, east: normalize_lon(e), north: n }.fix_east(e)
}

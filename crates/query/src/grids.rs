//! Stored grids as the REST API serves them: the catalogue of gridded variables with their times, one
//! time step cut to a box with a stride, and colour-mapped images with their legend.
//!
//! Time selection: no time → the newest step; `time=` an instant → the stored step nearest to it (the
//! answer says which); grids without a time axis ignore it. The box is `west,south,east,north` in the
//! grid's longitude convention. A cut may hold at most [`MAX_CELLS`] cells; past that the answer is
//! `TooLarge`, naming the smallest stride that fits.

use chrono::{DateTime, Utc};
use model::{Grid, GridSummary, GridWindow};

use crate::QueryError;
use crate::palette::Palette;

/// Largest number of cells one JSON answer carries.
pub const MAX_CELLS: usize = 1_000_000;
/// Largest image side, pixels.
pub const MAX_IMAGE_SIDE: u32 = 2048;

/// A gridded variable and its stored time steps.
#[derive(Debug, Clone, PartialEq)]
pub struct GridEntry {
    pub summary: GridSummary,
    pub times: Vec<DateTime<Utc>>,
    /// Outer edges of the grid cells: `[west, south, east, north]` (centres ± half a spacing).
    pub bounds: [f64; 4],
}

/// Which part of which grid to read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GridRequest {
    pub dataset: String,
    pub variable: String,
    /// `None`: the newest step.
    pub time: Option<DateTime<Utc>>,
    /// `[west, south, east, north]`.
    pub bbox: Option<[f64; 4]>,
    /// Every n-th cell (default 1).
    pub stride: Option<usize>,
}

/// Half the spacing of an axis (0 for a single value).
fn half_step(axis: &[f64]) -> f64 {
    if axis.len() < 2 { 0.0 } else { ((axis[axis.len() - 1] - axis[0]) / (axis.len() - 1) as f64).abs() / 2.0 }
}

/// Cell-edge bounds `[west, south, east, north]` of a grid.
pub fn bounds(g: &Grid) -> [f64; 4] {
    let (s, n) = Grid::extent(&g.latitudes).unwrap_or((0.0, 0.0));
    let (w, e) = Grid::extent(&g.longitudes).unwrap_or((0.0, 0.0));
    let (hy, hx) = (half_step(&g.latitudes), half_step(&g.longitudes));
    [w - hx, (s - hy).max(-90.0), e + hx, (n + hy).min(90.0)]
}

/// Every stored gridded variable with its times, ordered by dataset and variable.
pub async fn grid_catalogue(store: &dyn store::Store) -> Result<Vec<GridEntry>, QueryError> {
    let mut out = Vec::new();
    for s in store.grid_summaries().await? {
        let times: Vec<DateTime<Utc>> =
            store.grid_times(&s.dataset, &s.variable).await?.into_iter().flatten().collect();
        let hy = if s.shape.0 > 1 { (s.lat.1 - s.lat.0) / (s.shape.0 - 1) as f64 / 2.0 } else { 0.0 };
        let hx = if s.shape.1 > 1 { (s.lon.1 - s.lon.0) / (s.shape.1 - 1) as f64 / 2.0 } else { 0.0 };
        let bounds = [s.lon.0 - hx, (s.lat.0 - hy).max(-90.0), s.lon.1 + hx, (s.lat.1 + hy).min(90.0)];
        out.push(GridEntry { summary: s, times, bounds });
    }
    Ok(out)
}

/// The stored step nearest to `want` (the newest without one); `None` when the variable has no times.
fn pick_time(times: &[Option<DateTime<Utc>>], want: Option<DateTime<Utc>>) -> Option<Option<DateTime<Utc>>> {
    if times.iter().all(Option::is_none) {
        return times.first().copied();
    }
    let timed = times.iter().flatten();
    Some(match want {
        None => timed.max().copied(),
        // Ties go to the later step (a bare date finds that day's noon step, not the day before's).
        Some(w) => timed.min_by_key(|t| ((**t - w).num_seconds().unsigned_abs(), std::cmp::Reverse(**t))).copied(),
    })
}

/// One time step of a stored grid, cut to the request's box and stride.
pub async fn grid_slice(store: &dyn store::Store, r: &GridRequest) -> Result<Grid, QueryError> {
    let stride = r.stride.unwrap_or(1);
    if stride == 0 {
        return Err(QueryError::BadRequest("stride must be at least 1".into()));
    }
    if let Some([w, s, e, n]) = r.bbox {
        if [w, s, e, n].iter().any(|v| !v.is_finite()) || s > n {
            return Err(QueryError::BadRequest(format!(
                "bbox must be west,south,east,north with south <= north, got {w},{s},{e},{n}"
            )));
        }
        if w > e {
            return Err(QueryError::BadRequest(format!(
                "bbox west {w} is east of east {e}: a box across the antimeridian is not supported for grids, ask for two"
            )));
        }
    }
    let times = store.grid_times(&r.dataset, &r.variable).await?;
    let Some(time) = pick_time(&times, r.time) else {
        return Err(QueryError::NotFound(format!("no grid {}/{} is stored (see /api/grids)", r.dataset, r.variable)));
    };
    let window = GridWindow { lat: r.bbox.map(|b| (b[1], b[3])), lon: r.bbox.map(|b| (b[0], b[2])), stride };
    let Some(g) = store.grid(&r.dataset, &r.variable, time).await? else {
        return Err(QueryError::NotFound(format!("no grid {}/{} is stored", r.dataset, r.variable)));
    };
    // Size check before the copy: cells inside the window at stride 1.
    let inside = |axis: &[f64], range: Option<(f64, f64)>| {
        axis.iter().filter(|v| range.is_none_or(|(a, b)| **v >= a && **v <= b)).count()
    };
    let (ny, nx) = (inside(&g.latitudes, window.lat), inside(&g.longitudes, window.lon));
    let cells = ny.div_ceil(stride) * nx.div_ceil(stride);
    if cells > MAX_CELLS {
        let mut fit = stride;
        while ny.div_ceil(fit) * nx.div_ceil(fit) > MAX_CELLS {
            fit += 1;
        }
        return Err(QueryError::TooLarge(format!(
            "{cells} cells requested, at most {MAX_CELLS} per answer: use stride={fit} or a smaller bbox"
        )));
    }
    g.subset(&window).map_err(|e| QueryError::BadRequest(e.to_string()))
}

/// The palette and value range an image of this grid is drawn with.
pub fn palette_for(g: &Grid) -> Palette {
    Palette::for_grid(g)
}

/// A colour-mapped PNG of a grid cut: `width` pixels wide (default: one pixel a cell, at most
/// [`MAX_IMAGE_SIDE`]), the height from the box's aspect in degrees; north up, cells drawn by nearest
/// neighbour over their cell-edge bounds (see [`bounds`]); no-data cells transparent.
pub fn grid_png(g: &Grid, width: Option<u32>, palette: &Palette) -> Result<Vec<u8>, QueryError> {
    let [w, s, e, n] = bounds(g);
    let nx = g.longitudes.len().max(1) as u32;
    let width = width.unwrap_or(nx.min(MAX_IMAGE_SIDE));
    if width == 0 || width > MAX_IMAGE_SIDE {
        return Err(QueryError::BadRequest(format!("width must be 1 to {MAX_IMAGE_SIDE}, got {width}")));
    }
    let aspect = if e > w { (n - s) / (e - w) } else { g.latitudes.len() as f64 / nx as f64 };
    let height = ((f64::from(width) * aspect).round() as u32).clamp(1, MAX_IMAGE_SIDE);
    let index = |axis: &[f64], v: f64| -> usize {
        if axis.len() < 2 {
            return 0;
        }
        let f = (v - axis[0]) / (axis[axis.len() - 1] - axis[0]) * (axis.len() - 1) as f64;
        (f.round().max(0.0) as usize).min(axis.len() - 1)
    };
    let xs: Vec<usize> =
        (0..width).map(|px| index(&g.longitudes, w + (f64::from(px) + 0.5) / f64::from(width) * (e - w))).collect();
    let mut rgba = Vec::with_capacity((width * height * 4) as usize);
    for py in 0..height {
        let lat = n - (f64::from(py) + 0.5) / f64::from(height) * (n - s);
        let y = index(&g.latitudes, lat);
        for &x in &xs {
            rgba.extend_from_slice(&palette.colour(g.at(y, x)));
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(|e| QueryError::BadRequest(format!("png: {e}")))?;
        writer.write_image_data(&rgba).map_err(|e| QueryError::BadRequest(format!("png: {e}")))?;
    }
    Ok(out)
}

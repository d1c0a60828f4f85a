//! Gridded fields: one time step of one variable of one gridded dataset on a latitude × longitude grid
//! (SST, chlorophyll, currents, bathymetry, and the CRW HotSpot / DHW / BAA grids computed from SST).

use chrono::{DateTime, Utc};

/// One time step of a gridded variable. Natural key: `(dataset, variable, time)`.
///
/// `values` is row-major `[latitude][longitude]` (`values[y * lons.len() + x]`), f32, NaN where the
/// source held its fill value (or no data). Axes keep the order the source had (ERDDAP serves some
/// latitudes north to south).
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// The gridded dataset (an ERDDAP datasetID, e.g. `erdVHNchlamday`).
    pub dataset: String,
    /// The variable's name in that dataset (e.g. `chla`, `analysed_sst`, `CRW_DHW`).
    pub variable: String,
    /// The time step; `None` for grids without a time axis (bathymetry).
    pub time: Option<DateTime<Utc>>,
    /// A vertical axis of length one, when the source had one: `(name, value)`, e.g. `("altitude", 0.0)`.
    pub z: Option<(String, f64)>,
    pub latitudes: Vec<f64>,
    pub longitudes: Vec<f64>,
    pub values: Vec<f32>,
    /// The source's `_FillValue` (what NaN cells are written as), if it had one.
    pub fill_value: Option<f64>,
    pub units: String,
    pub long_name: String,
    pub standard_name: String,
    /// Other attributes of the variable worth keeping (`valid_min`, `colorBarMinimum`, ...), as text.
    pub attributes: Vec<(String, String)>,
}

/// Why a grid or a subset request is invalid.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GridError {
    #[error("grid has {values} values but {lats} latitudes × {lons} longitudes")]
    Shape { values: usize, lats: usize, lons: usize },
    #[error("{0}")]
    Window(String),
}

/// A latitude/longitude box and a stride: which cells of a grid to read. Bounds are inclusive and in the
/// grid's own longitude convention; `None` means the whole axis.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GridWindow {
    pub lat: Option<(f64, f64)>,
    pub lon: Option<(f64, f64)>,
    /// Every `stride`-th cell along both axes (1 = every cell); 0 is treated as 1.
    pub stride: usize,
}

impl Grid {
    /// Checks that `values` has `latitudes × longitudes` cells.
    pub fn check(&self) -> Result<(), GridError> {
        if self.values.len() != self.latitudes.len() * self.longitudes.len() {
            return Err(GridError::Shape {
                values: self.values.len(),
                lats: self.latitudes.len(),
                lons: self.longitudes.len(),
            });
        }
        Ok(())
    }

    /// The value at (latitude index, longitude index).
    pub fn at(&self, y: usize, x: usize) -> f32 {
        self.values[y * self.longitudes.len() + x]
    }

    /// `(min, max)` of an axis, NaN-free; `None` when empty.
    pub fn extent(axis: &[f64]) -> Option<(f64, f64)> {
        axis.iter().copied().filter(|v| v.is_finite()).fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((a, b)) => Some((a.min(v), b.max(v))),
        })
    }

    /// The cells inside a window, in the grid's axis order, every `stride`-th cell from the first one
    /// inside. A window that selects no latitude or no longitude is an error naming the axis.
    pub fn subset(&self, w: &GridWindow) -> Result<Grid, GridError> {
        self.check()?;
        let stride = w.stride.max(1);
        let pick = |axis: &[f64], range: Option<(f64, f64)>, name: &str| -> Result<Vec<usize>, GridError> {
            let idx: Vec<usize> = axis
                .iter()
                .enumerate()
                .filter(|(_, v)| range.is_none_or(|(a, b)| **v >= a.min(b) && **v <= a.max(b)))
                .map(|(i, _)| i)
                .step_by(stride)
                .collect();
            if idx.is_empty() {
                let (lo, hi) = Grid::extent(axis).unwrap_or((f64::NAN, f64::NAN));
                return Err(GridError::Window(format!("no {name} of the grid ({lo} to {hi}) is inside the request")));
            }
            Ok(idx)
        };
        let ys = pick(&self.latitudes, w.lat, "latitude")?;
        let xs = pick(&self.longitudes, w.lon, "longitude")?;
        let mut values = Vec::with_capacity(ys.len() * xs.len());
        for &y in &ys {
            let row = &self.values[y * self.longitudes.len()..(y + 1) * self.longitudes.len()];
            values.extend(xs.iter().map(|&x| row[x]));
        }
        Ok(Grid {
            latitudes: ys.iter().map(|&y| self.latitudes[y]).collect(),
            longitudes: xs.iter().map(|&x| self.longitudes[x]).collect(),
            values,
            ..self.clone_meta()
        })
    }

    /// A copy of everything but the axes and values (left empty).
    pub fn clone_meta(&self) -> Grid {
        Grid {
            dataset: self.dataset.clone(),
            variable: self.variable.clone(),
            time: self.time,
            z: self.z.clone(),
            latitudes: Vec::new(),
            longitudes: Vec::new(),
            values: Vec::new(),
            fill_value: self.fill_value,
            units: self.units.clone(),
            long_name: self.long_name.clone(),
            standard_name: self.standard_name.clone(),
            attributes: self.attributes.clone(),
        }
    }
}

/// What is stored of one gridded variable: extents over all its time steps.
#[derive(Debug, Clone, PartialEq)]
pub struct GridSummary {
    pub dataset: String,
    pub variable: String,
    pub units: String,
    pub long_name: String,
    pub standard_name: String,
    /// Number of stored time steps.
    pub count: u64,
    pub first_time: Option<DateTime<Utc>>,
    pub last_time: Option<DateTime<Utc>>,
    /// `(min, max)` latitude and longitude over the stored grids.
    pub lat: (f64, f64),
    pub lon: (f64, f64),
    /// Shape of the newest grid: (latitudes, longitudes).
    pub shape: (usize, usize),
    pub z: Option<(String, f64)>,
    pub fill_value: Option<f64>,
}

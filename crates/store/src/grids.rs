//! Gridded fields in the store: [`GridStore`], the row a [`Grid`] becomes (axes and cells as little-endian
//! BLOBs, a content digest), and the summaries built from the rows' metadata. Both backends run the same
//! SQL (`queries/grids.rs`).
//!
//! Table `grids` (SQLite migration 4, PostgreSQL migration 3): natural key `(dataset, variable, time)`,
//! `time` in seconds since 1970 with [`TIMELESS`] for grids without a time axis; `latitudes` and
//! `longitudes` are f64 LE, `cells` f32 LE row-major `[lat][lon]` with NaN for no data; `fill_bits` is
//! the f64 bits of the source `_FillValue` (a NaN fill survives, which a REAL column would turn into
//! NULL). A row is rewritten only when its digest changed.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use model::{Grid, GridSummary};

use crate::codec::fnv1a;
use crate::error::StoreError;
use crate::rows::{attrs_to_json, parse_attrs};

/// Stored gridded fields.
#[async_trait]
pub trait GridStore: Send + Sync {
    /// One summary per stored gridded variable (dataset, variable), ordered by dataset and variable.
    async fn grid_summaries(&self) -> Result<Vec<GridSummary>, StoreError>;
    /// The stored time steps of a gridded variable, oldest first (`None` for a grid without time).
    async fn grid_times(&self, dataset: &str, variable: &str) -> Result<Vec<Option<DateTime<Utc>>>, StoreError>;
    /// One stored grid, whole.
    async fn grid(
        &self,
        dataset: &str,
        variable: &str,
        time: Option<DateTime<Utc>>,
    ) -> Result<Option<Grid>, StoreError>;
    /// One stored grid cut to a latitude/longitude window with a stride; `Ok(None)` when no such grid,
    /// `Err(Corrupt)` never for a window outside the grid: that is `Ok(Some(Err(..)))`.
    async fn grid_window(
        &self,
        dataset: &str,
        variable: &str,
        time: Option<DateTime<Utc>>,
        window: &model::GridWindow,
    ) -> Result<Option<Result<Grid, model::GridError>>, StoreError> {
        Ok(self.grid(dataset, variable, time).await?.map(|g| g.subset(window)))
    }
}

/// `grids.time` of a grid without a time axis.
pub(crate) const TIMELESS: i64 = i64::MIN;

pub(crate) fn time_key(t: Option<DateTime<Utc>>) -> i64 {
    t.map_or(TIMELESS, |t| t.timestamp())
}

pub(crate) fn time_of(k: i64) -> Result<Option<DateTime<Utc>>, StoreError> {
    if k == TIMELESS {
        return Ok(None);
    }
    DateTime::<Utc>::from_timestamp(k, 0).map(Some).ok_or_else(|| StoreError::Corrupt(format!("grid time {k}")))
}

/// The encoded columns of one grid row.
pub(crate) struct GridRow {
    pub time: i64,
    pub z_name: Option<String>,
    pub z: Option<f64>,
    pub fill_bits: Option<i64>,
    pub attributes: String,
    pub n_lat: i64,
    pub n_lon: i64,
    pub lat_min: f64,
    pub lat_max: f64,
    pub lon_min: f64,
    pub lon_max: f64,
    pub latitudes: Vec<u8>,
    pub longitudes: Vec<u8>,
    pub cells: Vec<u8>,
    pub digest: i64,
}

fn f64s_le(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn f32s_le(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

pub(crate) fn f64s_from(b: &[u8]) -> Result<Vec<f64>, StoreError> {
    if !b.len().is_multiple_of(8) {
        return Err(StoreError::Corrupt(format!("grid axis of {} bytes", b.len())));
    }
    Ok(b.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap_or([0; 8]))).collect())
}

pub(crate) fn f32s_from(b: &[u8]) -> Result<Vec<f32>, StoreError> {
    if !b.len().is_multiple_of(4) {
        return Err(StoreError::Corrupt(format!("grid cells of {} bytes", b.len())));
    }
    Ok(b.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().unwrap_or([0; 4]))).collect())
}

/// Encodes a grid (checked: cells = latitudes × longitudes).
pub(crate) fn encode(g: &Grid) -> Result<GridRow, StoreError> {
    g.check().map_err(|e| StoreError::Corrupt(format!("grid {}/{}: {e}", g.dataset, g.variable)))?;
    let (lat_min, lat_max) = Grid::extent(&g.latitudes).unwrap_or((f64::NAN, f64::NAN));
    let (lon_min, lon_max) = Grid::extent(&g.longitudes).unwrap_or((f64::NAN, f64::NAN));
    let latitudes = f64s_le(&g.latitudes);
    let longitudes = f64s_le(&g.longitudes);
    // Every NaN is stored as the one quiet NaN, so equal grids have equal bytes.
    let cells = f32s_le(&g.values.iter().map(|v| if v.is_nan() { f32::NAN } else { *v }).collect::<Vec<_>>());
    let attributes = attrs_to_json(&g.attributes);
    let fill_bits = g.fill_value.map(|f| f.to_bits() as i64);
    let meta = format!(
        "{:?}|{:?}|{:?}|{}|{}|{}|{}",
        g.z, fill_bits, g.time, g.units, g.long_name, g.standard_name, attributes
    );
    let digest = fnv1a(&[meta.as_bytes(), &latitudes, &longitudes, &cells]);
    Ok(GridRow {
        time: time_key(g.time),
        z_name: g.z.as_ref().map(|z| z.0.clone()),
        z: g.z.as_ref().map(|z| z.1),
        fill_bits,
        attributes,
        n_lat: g.latitudes.len() as i64,
        n_lon: g.longitudes.len() as i64,
        lat_min,
        lat_max,
        lon_min,
        lon_max,
        latitudes,
        longitudes,
        cells,
        digest,
    })
}

/// The metadata of one stored grid (no cells), as both backends read it for summaries.
pub(crate) struct GridMeta {
    pub dataset: String,
    pub variable: String,
    pub time: i64,
    pub units: String,
    pub long_name: String,
    pub standard_name: String,
    pub z_name: Option<String>,
    pub z: Option<f64>,
    pub fill_bits: Option<i64>,
    pub n_lat: i64,
    pub n_lon: i64,
    pub lat: (f64, f64),
    pub lon: (f64, f64),
}

/// A [`GridMeta`] as a backend reads it: dataset, variable, time, units, long_name, standard_name, z_name,
/// z, fill_bits, n_lat, n_lon, lat_min, lat_max, lon_min, lon_max.
pub(crate) type GridMetaRow = (
    String,
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<f64>,
    Option<i64>,
    i64,
    i64,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
);

impl From<GridMetaRow> for GridMeta {
    fn from(r: GridMetaRow) -> GridMeta {
        let (
            dataset,
            variable,
            time,
            units,
            long_name,
            standard_name,
            z_name,
            z,
            fill_bits,
            n_lat,
            n_lon,
            lat_min,
            lat_max,
            lon_min,
            lon_max,
        ) = r;
        let nan = |x: Option<f64>| x.unwrap_or(f64::NAN);
        GridMeta {
            dataset,
            variable,
            time,
            units,
            long_name,
            standard_name,
            z_name,
            z,
            fill_bits,
            n_lat,
            n_lon,
            lat: (nan(lat_min), nan(lat_max)),
            lon: (nan(lon_min), nan(lon_max)),
        }
    }
}

/// One summary per (dataset, variable) from rows ordered by dataset, variable, time.
pub(crate) fn summarise(rows: Vec<GridMeta>) -> Result<Vec<GridSummary>, StoreError> {
    let mut out: Vec<GridSummary> = Vec::new();
    for r in rows {
        let t = time_of(r.time)?;
        let fill_value = r.fill_bits.map(|b| f64::from_bits(b as u64));
        let z = r.z_name.clone().zip(r.z);
        match out.last_mut() {
            Some(s) if s.dataset == r.dataset && s.variable == r.variable => {
                s.count += 1;
                s.first_time = match (s.first_time, t) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                s.last_time = s.last_time.max(t);
                s.lat = (s.lat.0.min(r.lat.0), s.lat.1.max(r.lat.1));
                s.lon = (s.lon.0.min(r.lon.0), s.lon.1.max(r.lon.1));
                // The newest grid's shape and metadata.
                s.shape = (r.n_lat as usize, r.n_lon as usize);
                s.units = r.units;
                s.long_name = r.long_name;
                s.standard_name = r.standard_name;
                s.z = z;
                s.fill_value = fill_value;
            }
            _ => out.push(GridSummary {
                dataset: r.dataset,
                variable: r.variable,
                units: r.units,
                long_name: r.long_name,
                standard_name: r.standard_name,
                count: 1,
                first_time: t,
                last_time: t,
                lat: r.lat,
                lon: r.lon,
                shape: (r.n_lat as usize, r.n_lon as usize),
                z,
                fill_value,
            }),
        }
    }
    Ok(out)
}

/// The stored columns of one grid, as a backend reads them: dataset, variable, time, z_name, z,
/// fill_bits, units, long_name, standard_name, attributes, latitudes, longitudes, cells.
pub(crate) type GridColumnsRow = (
    String,
    String,
    i64,
    Option<String>,
    Option<f64>,
    Option<i64>,
    String,
    String,
    String,
    String,
    Vec<u8>,
    Vec<u8>,
    Vec<u8>,
);

pub(crate) fn decode(row: GridColumnsRow) -> Result<Grid, StoreError> {
    let (
        dataset,
        variable,
        time,
        z_name,
        z,
        fill_bits,
        units,
        long_name,
        standard_name,
        attributes,
        latitudes,
        longitudes,
        cells,
    ) = row;
    let g = Grid {
        dataset,
        variable,
        time: time_of(time)?,
        z: z_name.zip(z),
        latitudes: f64s_from(&latitudes)?,
        longitudes: f64s_from(&longitudes)?,
        values: f32s_from(&cells)?,
        fill_value: fill_bits.map(|b| f64::from_bits(b as u64)),
        units,
        long_name,
        standard_name,
        attributes: parse_attrs(&attributes),
    };
    g.check().map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(g)
}

//! Which stored grids answer an ERDDAP griddap request: one griddap dataset per stored grid dataset id,
//! its variables the dataset's stored grid variables. Axes: `time` (the first variable's stored steps,
//! when timed), the vertical axis when the grids have one, `latitude` and `longitude` of the newest
//! grid. A request is parsed against those axes (the `erddap` crate's grammar), checked for size, and
//! its cells read step by step. Writing `.nc`, tables and lists is the server's.

use chrono::{DateTime, Utc};
use erddap::{Cell, ErddapError, GridAxis, GridNcVar, GridSelection};
use model::{Grid, GridSummary};
use store::Store;

/// Cells one answer may hold (per variable × variables); past it: 413.
pub const MAX_GRID_CELLS: usize = 5_000_000;

/// A stored grid dataset as griddap shows it.
pub struct GridDataset {
    pub id: String,
    pub vars: Vec<GridSummary>,
    pub axes: Vec<GridAxis>,
    /// The time step of each index of the time axis (`None` for untimed grids).
    pub times: Vec<Option<DateTime<Utc>>>,
}

fn internal(e: store::StoreError) -> ErddapError {
    ErddapError::Internal(e.to_string())
}

impl GridDataset {
    /// `(name, units, long_name)` of every variable.
    pub fn details(&self) -> Vec<(String, String, String)> {
        self.vars.iter().map(|v| (v.variable.clone(), v.units.clone(), v.long_name.clone())).collect()
    }

    pub fn names(&self) -> Vec<String> {
        self.vars.iter().map(|v| v.variable.clone()).collect()
    }

    /// The variables' long names (or names), comma-separated.
    pub fn title(&self) -> String {
        self.vars
            .iter()
            .map(|v| if v.long_name.is_empty() { v.variable.clone() } else { v.long_name.clone() })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn timed(&self) -> bool {
        self.axes.first().is_some_and(|a| a.is_time)
    }

    /// Parses a request against the dataset and checks its size.
    pub fn select(&self, raw: &str) -> Result<GridSelection, ErddapError> {
        let sel = erddap::parse_grid_query(raw, &self.axes, &self.names())?;
        let cells = sel.cells();
        if cells.saturating_mul(sel.vars.len()) > MAX_GRID_CELLS {
            return Err(ErddapError::TooLarge(format!(
                "{cells} grid cells × {} variables; at most {MAX_GRID_CELLS} per request (use a stride).",
                sel.vars.len()
            )));
        }
        if cells == 0 {
            return Err(ErddapError::NoRows);
        }
        Ok(sel)
    }

    /// The selection's time steps (one `None` step for untimed grids).
    fn steps(&self, sel: &GridSelection) -> Vec<Option<DateTime<Utc>>> {
        let idx: Vec<usize> = if self.timed() { sel.indices[0].clone() } else { vec![0] };
        idx.iter().map(|&t| self.times.get(t).copied().flatten()).collect()
    }

    fn yx<'s>(&self, sel: &'s GridSelection) -> (&'s [usize], &'s [usize]) {
        (&sel.indices[self.axes.len() - 2], &sel.indices[self.axes.len() - 1])
    }
}

/// A cell of a stored grid; NaN outside it or where no grid is stored.
fn cell(g: Option<&Grid>, y: usize, x: usize) -> f32 {
    g.filter(|g| y < g.latitudes.len() && x < g.longitudes.len()).map_or(f32::NAN, |g| g.at(y, x))
}

/// The stored grid dataset `id`; `UnknownDataset` when no grid of it is stored.
pub async fn grid_dataset(store: &dyn Store, id: &str) -> Result<GridDataset, ErddapError> {
    let vars: Vec<GridSummary> =
        store.grid_summaries().await.map_err(internal)?.into_iter().filter(|s| s.dataset == id).collect();
    let Some(first) = vars.first() else { return Err(ErddapError::UnknownDataset(id.to_string())) };
    let times = store.grid_times(id, &first.variable).await.map_err(internal)?;
    let newest = times.last().copied().flatten();
    let g = store
        .grid(id, &first.variable, newest)
        .await
        .map_err(internal)?
        .ok_or_else(|| ErddapError::UnknownDataset(id.to_string()))?;
    let mut axes = Vec::new();
    if times.iter().any(Option::is_some) {
        axes.push(GridAxis {
            name: "time".into(),
            values: times.iter().flatten().map(|t| t.timestamp() as f64).collect(),
            units: "seconds since 1970-01-01T00:00:00Z".into(),
            is_time: true,
        });
    }
    if let Some((name, v)) = &g.z {
        axes.push(GridAxis { name: name.clone(), values: vec![*v], units: "m".into(), is_time: false });
    }
    axes.push(GridAxis {
        name: "latitude".into(),
        values: g.latitudes.clone(),
        units: "degrees_north".into(),
        is_time: false,
    });
    axes.push(GridAxis {
        name: "longitude".into(),
        values: g.longitudes.clone(),
        units: "degrees_east".into(),
        is_time: false,
    });
    let times = if times.iter().any(Option::is_some) {
        times.into_iter().filter(Option::is_some).collect()
    } else {
        vec![None]
    };
    Ok(GridDataset { id: id.to_string(), vars, axes, times })
}

/// The selected cells of every selected variable, for `.nc` (time, then latitude, longitude fastest).
pub async fn nc_vars(store: &dyn Store, ds: &GridDataset, sel: &GridSelection) -> Result<Vec<GridNcVar>, ErddapError> {
    let (ys, xs) = ds.yx(sel);
    let mut vars = Vec::new();
    for v in &sel.vars {
        let s = ds.vars.iter().find(|s| &s.variable == v);
        let mut values = Vec::with_capacity(sel.cells());
        for time in ds.steps(sel) {
            let g = store.grid(&ds.id, v, time).await.map_err(internal)?;
            for &y in ys {
                for &x in xs {
                    values.push(cell(g.as_ref(), y, x));
                }
            }
        }
        vars.push(GridNcVar {
            name: v.clone(),
            units: s.map_or(String::new(), |s| s.units.clone()),
            long_name: s.map_or(String::new(), |s| s.long_name.clone()),
            values,
        });
    }
    Ok(vars)
}

/// The selection as flattened rows (time, vertical, latitude, longitude, then one cell per variable;
/// last axis fastest), read one time step at a time.
pub async fn rows(
    store: &dyn Store,
    ds: &GridDataset,
    sel: &GridSelection,
    emit: &mut impl FnMut(&[Cell]),
) -> Result<(), ErddapError> {
    let (ys, xs) = ds.yx(sel);
    let z = ds.axes.iter().find(|a| !a.is_time && a.name != "latitude" && a.name != "longitude");
    let (lat, lon) = (&ds.axes[ds.axes.len() - 2], &ds.axes[ds.axes.len() - 1]);
    let mut row = Vec::with_capacity(ds.axes.len() + sel.vars.len());
    for time in ds.steps(sel) {
        let mut grids = Vec::with_capacity(sel.vars.len());
        for v in &sel.vars {
            grids.push(store.grid(&ds.id, v, time).await.map_err(internal)?);
        }
        for &y in ys {
            for &x in xs {
                row.clear();
                if let Some(t) = time {
                    row.push(Cell::Num(t.timestamp() as f64));
                }
                if let Some(z) = z {
                    row.push(Cell::Num(z.values[0]));
                }
                row.push(Cell::Num(lat.values[y]));
                row.push(Cell::Num(lon.values[x]));
                for g in &grids {
                    row.push(Cell::Num(f64::from(cell(g.as_ref(), y, x))));
                }
                emit(&row);
            }
        }
    }
    Ok(())
}

/// Every stored grid dataset id with its variables' long names (or names), in the store's order.
pub async fn grid_dataset_titles(store: &dyn Store) -> Result<Vec<(String, Vec<String>)>, ErddapError> {
    let sums = store.grid_summaries().await.map_err(internal)?;
    let mut ids: Vec<&str> = sums.iter().map(|s| s.dataset.as_str()).collect();
    ids.dedup();
    Ok(ids
        .iter()
        .map(|id| {
            let title = sums
                .iter()
                .filter(|s| s.dataset == *id)
                .map(|s| if s.long_name.is_empty() { s.variable.clone() } else { s.long_name.clone() })
                .collect();
            (id.to_string(), title)
        })
        .collect())
}

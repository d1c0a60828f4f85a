//! `/erddap/griddap/...` over the stored grids: one griddap dataset per stored grid dataset id, its
//! variables the dataset's stored grid variables. Axes: `time` (the first variable's stored steps, when
//! timed), the vertical axis when the grids have one, `latitude` and `longitude` of the newest grid.
//! Answers: `.ncml` (erddapy's `griddap_initialize`), the text tables (`.csv`, `.csvp`, `.tsv`, `.json`,
//! `.htmlTable`, ... flattened, last axis fastest) and `index.{ext}` (the grid datasets). The grammar and
//! layouts are the `erddap` crate's; this file reads the store.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use erddap::{Cell, ErddapError, GridAxis, PlainTable, TextFormat, TextWriter};
use model::GridSummary;

use super::{base_url, error, ok, plain, text_format};
use crate::AppState;

/// Cells one answer may hold (per variable × variables); past it: 413.
const MAX_GRID_CELLS: usize = 5_000_000;

struct GridDataset {
    vars: Vec<GridSummary>,
    axes: Vec<GridAxis>,
    /// The time step of each index of the time axis (`None` for untimed grids).
    times: Vec<Option<chrono::DateTime<chrono::Utc>>>,
}

async fn load(state: &AppState, id: &str) -> Result<GridDataset, ErddapError> {
    let internal = |e: store::StoreError| ErddapError::Internal(e.to_string());
    let vars: Vec<GridSummary> =
        state.store.grid_summaries().await.map_err(internal)?.into_iter().filter(|s| s.dataset == id).collect();
    let Some(first) = vars.first() else { return Err(ErddapError::UnknownDataset(id.to_string())) };
    let times = state.store.grid_times(id, &first.variable).await.map_err(internal)?;
    let newest = times.last().copied().flatten();
    let g = state
        .store
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
    Ok(GridDataset { vars, axes, times })
}

/// `/erddap/griddap/index.{ext}`: the stored grid datasets, in the columns of every dataset list.
async fn index(state: &AppState, ext: &str, headers: &HeaderMap) -> Response {
    let base = base_url(headers);
    let rows = dataset_rows(state, &base, ext).await;
    if rows.is_empty() {
        return error(ErddapError::NotFound("This server has no griddap datasets (no grids are stored).".into()));
    }
    let columns = erddap::dataset_table(&[], &base, ext).columns;
    plain(Ok(PlainTable { columns, rows }), ext)
}

/// `/erddap/griddap/{id}.{ext}?{query}` and `/erddap/griddap/index.{ext}`.
pub async fn griddap(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let Some((id, ext)) = file.rsplit_once('.') else {
        return error(ErddapError::NotFound(format!("{file} needs a file type extension.")));
    };
    if id == "index" {
        return index(&state, ext, &headers).await;
    }
    let ds = match load(&state, id).await {
        Ok(d) => d,
        Err(e) => return error(e),
    };
    if ext == "ncml" {
        let vars: Vec<(String, String, String)> =
            ds.vars.iter().map(|v| (v.variable.clone(), v.units.clone(), v.long_name.clone())).collect();
        let title = ds.vars.first().map_or(String::new(), |v| v.long_name.clone());
        return ok("application/xml", erddap::ncml(&base_url(&headers), id, &title, &ds.axes, &vars));
    }
    let details = || -> Vec<(String, String, String)> {
        ds.vars.iter().map(|v| (v.variable.clone(), v.units.clone(), v.long_name.clone())).collect()
    };
    match ext {
        "dds" => {
            let names: Vec<String> = ds.vars.iter().map(|v| v.variable.clone()).collect();
            return ok("text/plain;charset=UTF-8", erddap::grid_dds(id, &ds.axes, &names));
        }
        "das" => return ok("text/plain;charset=UTF-8", erddap::grid_das(&title_of(&ds), &ds.axes, &details())),
        "nc" | "ncHeader" => {
            let url = format!("{}{}", base_url(&headers).trim_end_matches("/erddap"), uri);
            let now = chrono::Utc::now();
            let history = format!("{} {url}", erddap::iso_string(now.timestamp() as f64));
            let bytes = match nc(&state, id, &ds, raw.as_deref().unwrap_or(""), &history).await {
                Ok(b) => b,
                Err(e) => return error(e),
            };
            if ext == "nc" {
                return ok("application/x-netcdf", bytes);
            }
            return match erddap::nc_header_of(&bytes, &format!("{id}_{}.nc", now.timestamp_millis())) {
                Ok(h) => ok("text/plain;charset=UTF-8", h),
                Err(e) => error(e),
            };
        }
        _ => {}
    }
    let fmt = match text_format(ext) {
        Ok(TextFormat::GeoJson) | Err(_) => {
            return error(ErddapError::NotFound(format!("The file type=.{ext} isn't supported by this dataset.")));
        }
        Ok(f) => f,
    };
    match table(&state, id, &ds, raw.as_deref().unwrap_or(""), fmt).await {
        Ok(bytes) => ok(fmt.content_type(), bytes),
        Err(e) => error(e),
    }
}

/// Parses a request against the dataset and checks its size.
fn select(ds: &GridDataset, raw: &str) -> Result<erddap::GridSelection, ErddapError> {
    let names: Vec<String> = ds.vars.iter().map(|v| v.variable.clone()).collect();
    let sel = erddap::parse_grid_query(raw, &ds.axes, &names)?;
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

async fn nc(state: &AppState, id: &str, ds: &GridDataset, raw: &str, history: &str) -> Result<Vec<u8>, ErddapError> {
    let sel = select(ds, raw)?;
    let timed = ds.axes.first().is_some_and(|a| a.is_time);
    let steps: Vec<usize> = if timed { sel.indices[0].clone() } else { vec![0] };
    let (ys, xs) = (&sel.indices[ds.axes.len() - 2], &sel.indices[ds.axes.len() - 1]);
    let mut vars = Vec::new();
    for v in &sel.vars {
        let s = ds.vars.iter().find(|s| &s.variable == v);
        let mut values = Vec::with_capacity(sel.cells());
        for &t in &steps {
            let time = ds.times.get(t).copied().flatten();
            let g = state.store.grid(id, v, time).await.map_err(|e| ErddapError::Internal(e.to_string()))?;
            for &y in ys {
                for &x in xs {
                    values.push(
                        g.as_ref()
                            .filter(|g| y < g.latitudes.len() && x < g.longitudes.len())
                            .map_or(f32::NAN, |g| g.at(y, x)),
                    );
                }
            }
        }
        vars.push(erddap::GridNcVar {
            name: v.clone(),
            units: s.map_or(String::new(), |s| s.units.clone()),
            long_name: s.map_or(String::new(), |s| s.long_name.clone()),
            values,
        });
    }
    erddap::grid_nc(id, &ds.axes, &sel, &vars, history)
}

async fn table(
    state: &AppState,
    id: &str,
    ds: &GridDataset,
    raw: &str,
    fmt: TextFormat,
) -> Result<Vec<u8>, ErddapError> {
    let sel = select(ds, raw)?;
    let units: Vec<(String, String)> = sel
        .vars
        .iter()
        .map(|v| (v.clone(), ds.vars.iter().find(|s| &s.variable == v).map_or(String::new(), |s| s.units.clone())))
        .collect();
    let mut w = TextWriter::new(fmt, erddap::grid_columns(&ds.axes, &units), false)?.with_title(id);
    let mut out = Vec::new();
    w.begin(&mut out);
    let timed = ds.axes.first().is_some_and(|a| a.is_time);
    let steps: Vec<usize> = if timed { sel.indices[0].clone() } else { vec![0] };
    let (ys, xs) = (&sel.indices[ds.axes.len() - 2], &sel.indices[ds.axes.len() - 1]);
    let z = ds.axes.iter().find(|a| !a.is_time && a.name != "latitude" && a.name != "longitude");
    for t in steps {
        let time = ds.times.get(t).copied().flatten();
        let mut grids = Vec::with_capacity(sel.vars.len());
        for v in &sel.vars {
            grids.push(state.store.grid(id, v, time).await.map_err(|e| ErddapError::Internal(e.to_string()))?);
        }
        for &y in ys {
            for &x in xs {
                let mut row = Vec::with_capacity(ds.axes.len() + grids.len());
                if let Some(t) = time {
                    row.push(Cell::Num(t.timestamp() as f64));
                }
                if let Some(z) = z {
                    row.push(Cell::Num(z.values[0]));
                }
                row.push(Cell::Num(ds.axes[ds.axes.len() - 2].values[y]));
                row.push(Cell::Num(ds.axes[ds.axes.len() - 1].values[x]));
                for g in &grids {
                    let v = g
                        .as_ref()
                        .filter(|g| y < g.latitudes.len() && x < g.longitudes.len())
                        .map_or(f32::NAN, |g| g.at(y, x));
                    row.push(Cell::Num(f64::from(v)));
                }
                w.row(&row, &mut out);
            }
        }
    }
    w.end(&mut out);
    Ok(out)
}

fn title_of(ds: &GridDataset) -> String {
    ds.vars
        .iter()
        .map(|v| if v.long_name.is_empty() { v.variable.clone() } else { v.long_name.clone() })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `/info/{id}/index.{ext}` of a stored grid dataset; `None` when there is no such dataset.
pub(super) async fn info(state: &AppState, id: &str) -> Option<Result<PlainTable, ErddapError>> {
    let ds = match load(state, id).await {
        Ok(d) => d,
        Err(ErddapError::UnknownDataset(_)) => return None,
        Err(e) => return Some(Err(e)),
    };
    let vars: Vec<(String, String, String)> =
        ds.vars.iter().map(|v| (v.variable.clone(), v.units.clone(), v.long_name.clone())).collect();
    Some(Ok(erddap::grid_info_table(&title_of(&ds), "halocline", &ds.axes, &vars)))
}

/// Rows of the dataset list (`/info/index.{ext}`, same columns as `erddap::dataset_table`) for the stored
/// grid datasets, with their griddap URLs.
pub(super) async fn dataset_rows(state: &AppState, base: &str, ext: &str) -> Vec<Vec<String>> {
    let Ok(sums) = state.store.grid_summaries().await else { return Vec::new() };
    let mut ids: Vec<&str> = sums.iter().map(|s| s.dataset.as_str()).collect();
    ids.dedup();
    ids.iter()
        .map(|id| {
            let title: Vec<&str> = sums
                .iter()
                .filter(|s| s.dataset == *id)
                .map(|s| if s.long_name.is_empty() { s.variable.as_str() } else { s.long_name.as_str() })
                .collect();
            let mut r = vec![String::new(); 17];
            r[0] = format!("{base}/griddap/{id}");
            r[6] = "public".into();
            r[7] = title.join(", ");
            r[8] = format!("Gridded variables stored by halocline: {}", title.join(", "));
            r[11] = format!("{base}/info/{id}/index.{ext}");
            r[15] = "halocline".into();
            r[16] = (*id).to_string();
            r
        })
        .collect()
}

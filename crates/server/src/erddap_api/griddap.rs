//! `/erddap/griddap/...` over the stored grids: one griddap dataset per stored grid dataset id, its
//! variables the dataset's stored grid variables. Axes: `time` (the first variable's stored steps, when
//! timed), the vertical axis when the grids have one, `latitude` and `longitude` of the newest grid.
//! Answers: `.ncml` (erddapy's `griddap_initialize`), the text tables (`.csv`, `.csvp`, `.tsv`, `.json`,
//! `.htmlTable`, ... flattened, last axis fastest) and `index.{ext}` (the grid datasets). The grammar and
//! layouts are the `erddap` crate's, which grids answer `query::griddap`'s; this file writes the answers.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use erddap::{ErddapError, PlainTable, TextFormat, TextWriter};
use query::griddap::{GridDataset, grid_dataset};

use super::{base_url, error, ok, plain, text_format};
use crate::AppState;

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
    let ds = match grid_dataset(&*state.store, id).await {
        Ok(d) => d,
        Err(e) => return error(e),
    };
    if ext == "ncml" {
        let title = ds.vars.first().map_or(String::new(), |v| v.long_name.clone());
        return ok("application/xml", erddap::ncml(&base_url(&headers), id, &title, &ds.axes, &ds.details()));
    }
    match ext {
        "dds" => return ok("text/plain;charset=UTF-8", erddap::grid_dds(id, &ds.axes, &ds.names())),
        "das" => return ok("text/plain;charset=UTF-8", erddap::grid_das(&ds.title(), &ds.axes, &ds.details())),
        "nc" | "ncHeader" => {
            let url = format!("{}{}", base_url(&headers).trim_end_matches("/erddap"), uri);
            let now = chrono::Utc::now();
            let history = format!("{} {url}", erddap::iso_string(now.timestamp() as f64));
            let bytes = match nc(&state, &ds, raw.as_deref().unwrap_or(""), &history).await {
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
    match table(&state, &ds, raw.as_deref().unwrap_or(""), fmt).await {
        Ok(bytes) => ok(fmt.content_type(), bytes),
        Err(e) => error(e),
    }
}

async fn nc(state: &AppState, ds: &GridDataset, raw: &str, history: &str) -> Result<Vec<u8>, ErddapError> {
    let sel = ds.select(raw)?;
    let vars = query::griddap::nc_vars(&*state.store, ds, &sel).await?;
    erddap::grid_nc(&ds.id, &ds.axes, &sel, &vars, history)
}

async fn table(state: &AppState, ds: &GridDataset, raw: &str, fmt: TextFormat) -> Result<Vec<u8>, ErddapError> {
    let sel = ds.select(raw)?;
    let units: Vec<(String, String)> = sel
        .vars
        .iter()
        .map(|v| (v.clone(), ds.vars.iter().find(|s| &s.variable == v).map_or(String::new(), |s| s.units.clone())))
        .collect();
    let mut w = TextWriter::new(fmt, erddap::grid_columns(&ds.axes, &units), false)?.with_title(&ds.id);
    let mut out = Vec::new();
    w.begin(&mut out);
    query::griddap::rows(&*state.store, ds, &sel, &mut |row| w.row(row, &mut out)).await?;
    w.end(&mut out);
    Ok(out)
}

/// `/info/{id}/index.{ext}` of a stored grid dataset; `None` when there is no such dataset.
pub(super) async fn info(state: &AppState, id: &str) -> Option<Result<PlainTable, ErddapError>> {
    let ds = match grid_dataset(&*state.store, id).await {
        Ok(d) => d,
        Err(ErddapError::UnknownDataset(_)) => return None,
        Err(e) => return Some(Err(e)),
    };
    Some(Ok(erddap::grid_info_table(&ds.title(), "halocline", &ds.axes, &ds.details())))
}

/// Rows of the dataset list (`/info/index.{ext}`, same columns as `erddap::dataset_table`) for the stored
/// grid datasets, with their griddap URLs.
pub(super) async fn dataset_rows(state: &AppState, base: &str, ext: &str) -> Vec<Vec<String>> {
    let Ok(datasets) = query::griddap::grid_dataset_titles(&*state.store).await else { return Vec::new() };
    datasets
        .iter()
        .map(|(id, title)| {
            let mut r = vec![String::new(); 17];
            r[0] = format!("{base}/griddap/{id}");
            r[6] = "public".into();
            r[7] = title.join(", ");
            r[8] = format!("Gridded variables stored by halocline: {}", title.join(", "));
            r[11] = format!("{base}/info/{id}/index.{ext}");
            r[15] = "halocline".into();
            r[16] = id.clone();
            r
        })
        .collect()
}

//! `/api/grids`: the stored gridded variables, one grid cut as JSON, a colour-mapped PNG of it and the
//! legend of that PNG. Semantics (time choice, box, stride, size guard, palettes) live in `query::grids`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use query::grids::{GridRequest, bounds, grid_catalogue, grid_png, grid_slice, palette_for};
use serde::Deserialize;

use super::params::parse_instant;
use super::wire::{GridEntryOut, GridOut, LegendOut};
use crate::{ApiError, AppState, ErrorBody};

/// Which time step and part of a grid.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GridParams {
    /// ISO-8601 UTC time; the nearest stored step is served (default: the newest).
    pub time: Option<String>,
    /// `west,south,east,north` in degrees (default: the whole grid).
    pub bbox: Option<String>,
    /// Every n-th cell along both axes (default 1).
    pub stride: Option<String>,
    /// PNG width in pixels, 1 to 2048 (image only; default one pixel a cell).
    pub width: Option<String>,
}

impl GridParams {
    fn request(&self, dataset: String, variable: String) -> Result<GridRequest, ApiError> {
        let time = self.time.as_deref().filter(|t| !t.is_empty()).map(|t| parse_instant("time", t)).transpose()?;
        let bbox = match self.bbox.as_deref().filter(|b| !b.is_empty()) {
            None => None,
            Some(b) => {
                let v: Vec<f64> =
                    b.split(',').map(|x| x.trim().parse::<f64>()).collect::<Result<_, _>>().map_err(|_| {
                        ApiError::bad_request(format!("bbox {b:?} is not west,south,east,north numbers"))
                    })?;
                let arr: [f64; 4] = v.try_into().map_err(|_| {
                    ApiError::bad_request(format!("bbox {b:?} needs four numbers: west,south,east,north"))
                })?;
                Some(arr)
            }
        };
        let stride = self
            .stride
            .as_deref()
            .map(|s| {
                s.trim().parse::<usize>().map_err(|_| ApiError::bad_request(format!("stride {s:?} is not a count")))
            })
            .transpose()?;
        Ok(GridRequest { dataset, variable, time, bbox, stride })
    }

    fn width(&self) -> Result<Option<u32>, ApiError> {
        self.width
            .as_deref()
            .map(|w| w.trim().parse::<u32>().map_err(|_| ApiError::bad_request(format!("width {w:?} is not a count"))))
            .transpose()
    }
}

fn parse(params: Result<Query<GridParams>, QueryRejection>) -> Result<GridParams, ApiError> {
    params.map(|Query(p)| p).map_err(|e| ApiError::bad_request(e.body_text()))
}

/// Every stored gridded variable: units, extents, shape and its time steps.
#[utoipa::path(get, path = "/api/grids", tag = "grids", responses((status = 200, body = Vec<GridEntryOut>)))]
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<GridEntryOut>>, ApiError> {
    Ok(Json(grid_catalogue(&*state.store).await?.iter().map(GridEntryOut::from).collect()))
}

/// One time step of a grid as JSON: axes and row-major values (null where no data).
#[utoipa::path(get, path = "/api/grids/{dataset}/{variable}", tag = "grids",
    params(("dataset" = String, Path), ("variable" = String, Path), GridParams),
    responses((status = 200, body = GridOut), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, description = "too many cells: use a stride or a smaller bbox", body = ErrorBody)))]
pub async fn grid(
    State(state): State<AppState>,
    Path((dataset, variable)): Path<(String, String)>,
    params: Result<Query<GridParams>, QueryRejection>,
) -> Result<Json<GridOut>, ApiError> {
    let p = parse(params)?;
    let g = grid_slice(&*state.store, &p.request(dataset, variable)?).await?;
    Ok(Json(GridOut::from(&g)))
}

/// One time step of a grid as a colour-mapped PNG (north up, transparent where no data); the
/// `X-Grid-Bounds` header holds its `west,south,east,north` cell edges.
#[utoipa::path(get, path = "/api/grids/{dataset}/{variable}/image.png", tag = "grids",
    params(("dataset" = String, Path), ("variable" = String, Path), GridParams),
    responses((status = 200, content_type = "image/png", description = "the image"), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn image(
    State(state): State<AppState>,
    Path((dataset, variable)): Path<(String, String)>,
    params: Result<Query<GridParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let p = parse(params)?;
    let width = p.width()?;
    let g = grid_slice(&*state.store, &p.request(dataset, variable)?).await?;
    let palette = palette_for(&g);
    let png = grid_png(&g, width, &palette)?;
    let [w, s, e, n] = bounds(&g);
    Ok((
        [
            (header::CONTENT_TYPE, "image/png".to_string()),
            (header::HeaderName::from_static("x-grid-bounds"), format!("{w},{s},{e},{n}")),
            (header::CACHE_CONTROL, "no-cache".to_string()),
        ],
        png,
    )
        .into_response())
}

/// The colour bar of `image.png` for the same parameters: palette name, range and stops.
#[utoipa::path(get, path = "/api/grids/{dataset}/{variable}/legend", tag = "grids",
    params(("dataset" = String, Path), ("variable" = String, Path), GridParams),
    responses((status = 200, body = LegendOut), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody)))]
pub async fn legend(
    State(state): State<AppState>,
    Path((dataset, variable)): Path<(String, String)>,
    params: Result<Query<GridParams>, QueryRejection>,
) -> Result<Json<LegendOut>, ApiError> {
    let p = parse(params)?;
    let g = grid_slice(&*state.store, &p.request(dataset, variable)?).await?;
    Ok(Json(LegendOut::new(&g, &palette_for(&g))))
}

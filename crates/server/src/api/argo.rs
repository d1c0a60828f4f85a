//! `/api/argo`, `/api/argo/meta`, `/api/argo/vocabulary`: Argovis' parameters parsed into a typed
//! [`query::ArgoQuery`], run, and rendered as Argovis documents.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use model::{BBox, Point, Polygon, ProfileKey, Region, TimeRange, Variable};
use query::{ArgoQuery, DataSpec, Items, SourceFilter, UserMode, VarReq};
use serde::Deserialize;

use super::params::parse_instant;
use super::wire;
use crate::{ApiError, AppState, ErrorBody};

/// Documents per page unless `page_size` says otherwise (Argovis' Rust API uses 1,000).
pub const PAGE_SIZE: usize = 1000;

#[derive(Debug, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ArgoParams {
    pub id: Option<String>,
    pub platform: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub polygon: Option<String>,
    pub multipolygon: Option<String>,
    #[serde(rename = "box")]
    pub bbox: Option<String>,
    pub center: Option<String>,
    pub radius: Option<String>,
    pub pres_range: Option<String>,
    pub data: Option<String>,
    pub source: Option<String>,
    pub compression: Option<String>,
    pub mostrecent: Option<String>,
    pub batchmeta: Option<String>,
    pub mode: Option<String>,
    pub page: Option<String>,
    #[serde(rename = "page_size")]
    pub page_size: Option<String>,
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::bad_request(msg)
}

fn json_value<T: serde::de::DeserializeOwned>(name: &str, s: &str, shape: &str) -> Result<T, ApiError> {
    serde_json::from_str(s).map_err(|_| bad(format!("{name} {s:?} is not {shape}")))
}

fn ring(name: &str, pts: &[[f64; 2]]) -> Result<Polygon, ApiError> {
    let pts: Vec<(f64, f64)> = pts.iter().map(|p| (p[0], p[1])).collect();
    Polygon::new(&pts).map_err(|e| bad(format!("{name}: {e}")))
}

fn number(name: &str, s: &str) -> Result<f64, ApiError> {
    s.trim().parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| bad(format!("{name} {s:?} is not a number")))
}

/// Argo parameter name for an Argovis or Argo variable name.
fn argo_param(name: &str) -> Option<String> {
    match name {
        "pressure" => Some("PRES".into()),
        "temperature" => Some("TEMP".into()),
        "salinity" => Some("PSAL".into()),
        n if n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') && !n.is_empty() => {
            Variable::lookup(n).map(|v| v.source_name.to_string()).or_else(|| Some(n.to_uppercase()))
        }
        _ => None,
    }
}

/// At most one region among `polygon`, `multipolygon`, `box` and `center`+`radius`.
pub fn parse_region(
    polygon: Option<&str>,
    multipolygon: Option<&str>,
    bbox: Option<&str>,
    center: Option<&str>,
    radius: Option<&str>,
) -> Result<Option<Region>, ApiError> {
    let given = [polygon.is_some(), multipolygon.is_some(), bbox.is_some(), center.is_some() || radius.is_some()];
    if given.iter().filter(|&&r| r).count() > 1 {
        return Err(bad("give at most one region: polygon, multipolygon, box, or center with radius"));
    }
    if let Some(p) = polygon {
        let pts: Vec<[f64; 2]> = json_value("polygon", p, "a closed ring [[lon,lat],...]")?;
        return Ok(Some(Region::Polygon(ring("polygon", &pts)?)));
    }
    if let Some(p) = multipolygon {
        let polys: Vec<Vec<[f64; 2]>> = json_value("multipolygon", p, "a list of closed rings [[[lon,lat],...],...]")?;
        let polys = polys.iter().map(|r| ring("multipolygon", r)).collect::<Result<Vec<_>, _>>()?;
        return Ok(Some(Region::multipolygon(polys).map_err(|e| bad(format!("multipolygon: {e}")))?));
    }
    if let Some(b) = bbox {
        let c: [[f64; 2]; 2] = json_value("box", b, "[[llLon,llLat],[urLon,urLat]]")?;
        return Ok(Some(Region::Box(
            BBox::new(c[0][0], c[0][1], c[1][0], c[1][1]).map_err(|e| bad(format!("box: {e}")))?,
        )));
    }
    match (center, radius) {
        (Some(c), Some(r)) => {
            let parts: Vec<&str> = c.split(',').collect();
            if parts.len() != 2 {
                return Err(bad(format!("center {c:?} is not lon,lat")));
            }
            let pt = Point::new(number("center", parts[0])?, number("center", parts[1])?)
                .map_err(|e| bad(format!("center: {e}")))?;
            Ok(Some(Region::circle(pt, number("radius", r)?).map_err(|e| bad(format!("radius: {e}")))?))
        }
        (Some(_), None) => Err(bad("center needs radius (km)")),
        (None, Some(_)) => Err(bad("radius needs center (lon,lat)")),
        (None, None) => Ok(None),
    }
}

fn parse_data(s: &str) -> Result<(DataSpec, bool), ApiError> {
    let mut vars: Vec<VarReq> = Vec::new();
    let (mut all, mut except) = (false, false);
    for tok in s.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if tok == "all" {
            all = true;
        } else if tok == "except-data-values" {
            except = true;
        } else if let Ok(flag) = tok.parse::<u8>() {
            let last = vars
                .last_mut()
                .filter(|v| !v.negate)
                .ok_or_else(|| bad(format!("data: QC flag {flag} must follow a variable name")))?;
            if flag > 9 {
                return Err(bad(format!("data: QC flag {flag} is not 0-9")));
            }
            last.qc.get_or_insert_with(Vec::new).push(flag);
        } else {
            let (negate, name) = match tok.strip_prefix('~') {
                Some(n) => (true, n),
                None => (false, tok),
            };
            let param = argo_param(name).ok_or_else(|| bad(format!("data: {name:?} is not a variable name")))?;
            vars.push(VarReq { param, qc: None, negate });
        }
    }
    let spec = if all {
        if vars.iter().any(|v| !v.negate) {
            return Err(bad("data: use either all or a list of variables, not both"));
        }
        if vars.is_empty() { DataSpec::All } else { DataSpec::Vars(vars) }
    } else if vars.is_empty() {
        if except { DataSpec::All } else { DataSpec::None }
    } else {
        DataSpec::Vars(vars)
    };
    Ok((spec, except))
}

impl ArgoParams {
    pub fn parse(&self) -> Result<ArgoQuery, ApiError> {
        let mut q = ArgoQuery { page: 1, page_size: PAGE_SIZE, ..Default::default() };
        if let Some(id) = &self.id {
            q.id = Some(
                ProfileKey::parse(id)
                    .ok_or_else(|| bad(format!("id {id:?} is not PLATFORM_CYCLE (e.g. 4902911_000)")))?,
            );
        }
        q.platform = self.platform.clone().filter(|p| !p.is_empty());
        let start = self.start_date.as_deref().map(|s| parse_instant("startDate", s)).transpose()?;
        let end = self.end_date.as_deref().map(|s| parse_instant("endDate", s)).transpose()?;
        if start.is_some() || end.is_some() {
            let t = TimeRange::new(
                start.unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC),
                end.unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC),
            )
            .map_err(|e| bad(format!("startDate/endDate: {e}")))?;
            q.time = Some(t);
        }
        q.region = parse_region(
            self.polygon.as_deref(),
            self.multipolygon.as_deref(),
            self.bbox.as_deref(),
            self.center.as_deref(),
            self.radius.as_deref(),
        )?;
        if let Some(r) = &self.pres_range {
            let parts: Vec<&str> = r.split(',').collect();
            if parts.len() != 2 {
                return Err(bad(format!("presRange {r:?} is not min,max (dbar)")));
            }
            let (lo, hi) = (number("presRange", parts[0])?, number("presRange", parts[1])?);
            if lo > hi {
                return Err(bad(format!("presRange {r:?}: min is above max")));
            }
            q.pres_range = Some((lo, hi));
        }
        if let Some(d) = &self.data {
            (q.data, q.except_data_values) = parse_data(d)?;
        }
        if let Some(s) = &self.source {
            let mut f = SourceFilter::default();
            for tok in s.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                match tok.strip_prefix('~') {
                    Some(x) => f.exclude.push(x.to_string()),
                    None => f.include.push(tok.to_string()),
                }
            }
            q.source = f;
        }
        match self.compression.as_deref() {
            None | Some("") => {}
            Some("minimal") => q.minimal = true,
            Some(other) => return Err(bad(format!("compression {other:?}: only minimal is supported"))),
        }
        if let Some(n) = &self.mostrecent {
            q.mostrecent = Some(
                n.parse()
                    .ok()
                    .filter(|&n: &usize| n > 0)
                    .ok_or_else(|| bad(format!("mostrecent {n:?} is not a positive integer")))?,
            );
        }
        q.mode = match self.mode.as_deref() {
            None | Some("") | Some("expert") => UserMode::Expert,
            Some("standard") => UserMode::Standard,
            Some("research") => UserMode::Research,
            Some(m) => return Err(bad(format!("mode {m:?}: use expert, standard or research"))),
        };
        if let Some(p) = &self.page {
            q.page = p
                .parse()
                .ok()
                .filter(|&p: &usize| p >= 1)
                .ok_or_else(|| bad(format!("page {p:?} is not an integer >= 1")))?;
        }
        if let Some(p) = &self.page_size {
            q.page_size = p
                .parse()
                .ok()
                .filter(|&p: &usize| (1..=10_000).contains(&p))
                .ok_or_else(|| bad(format!("page_size {p:?} is not an integer in 1..=10000")))?;
        }
        let temporospatial = q.id.is_none() && q.platform.is_none();
        if temporospatial && q.region.is_none() && q.time.is_none() {
            return Err(bad(
                "give a region (polygon, multipolygon, box, center+radius), a time range, an id or a platform",
            ));
        }
        Ok(q)
    }
}

fn batchmeta(p: &ArgoParams) -> Result<bool, ApiError> {
    match p.batchmeta.as_deref() {
        None | Some("false") => Ok(false),
        Some("" | "true") => Ok(true),
        Some(o) => Err(bad(format!("batchmeta {o:?}: use true or false"))),
    }
}

#[utoipa::path(get, path = "/api/argo", tag = "argo", params(ArgoParams), responses((status = 200, description = "Argovis profile documents (or minimal stubs, or metadata with batchmeta)", body = Vec<wire::ArgovisProfile>), (status = 400, description = "a parameter is malformed", body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, description = "too large, with a suggested split", body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    params: Result<Query<ArgoParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(|e| bad(e.body_text()))?;
    let q = params.parse()?;
    let page = query::search(&*state.store, &q, chrono::Utc::now()).await?;
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&page.matched.to_string()) {
        headers.insert("x-total-count", v);
    }
    if page.page < page.pages
        && let Ok(v) = HeaderValue::from_str(&format!("page={}", page.page + 1))
    {
        headers.insert("x-next-page", v);
    }
    if batchmeta(&params)? {
        let ids: Vec<String> = match &page.items {
            Items::Minimal(s) => s.iter().map(|s| s.key.platform.clone()).collect(),
            Items::Full(ids) => query::load(&*state.store, &q, ids).await?.into_iter().map(|p| p.platform).collect(),
        };
        let metas = meta_docs(&state, &ids).await?;
        return Ok((headers, Json(metas)).into_response());
    }
    Ok(match page.items {
        Items::Minimal(stubs) => {
            (headers, Json(stubs.iter().map(wire::minimal_stub).collect::<Vec<_>>())).into_response()
        }
        Items::Full(ids) => {
            headers.insert(axum::http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            (headers, axum::body::Body::from_stream(stream_documents(state, q, ids))).into_response()
        }
    })
}

/// Documents per store read while streaming a page.
const STREAM_CHUNK: usize = 100;

/// A page as a JSON array, written as its profiles are read (`STREAM_CHUNK` at a time), so a big page is
/// never held whole in memory. A store error mid-stream ends the body early (the array stays unclosed,
/// which a client sees as an error) and is logged.
fn stream_documents(
    state: AppState,
    q: ArgoQuery,
    ids: Vec<i64>,
) -> impl futures_util::Stream<Item = Result<axum::body::Bytes, std::io::Error>> + Send {
    let chunks: Vec<Vec<i64>> = ids.chunks(STREAM_CHUNK).map(<[i64]>::to_vec).collect();
    let shared = std::sync::Arc::new((state, q, chunks));
    futures_util::stream::unfold((0usize, true, false), move |(i, first, done)| {
        let sq = shared.clone();
        async move {
            if done {
                return None;
            }
            let (state, q, chunks) = &*sq;
            if i >= chunks.len() {
                return Some((Ok(axum::body::Bytes::from_static(if first { b"[]" } else { b"]" })), (i, first, true)));
            }
            match query::load(&*state.store, q, &chunks[i]).await {
                Ok(profiles) => {
                    let mut buf = Vec::with_capacity(profiles.len() * 4096);
                    let mut first_doc = first;
                    for p in &profiles {
                        buf.push(if first_doc { b'[' } else { b',' });
                        first_doc = false;
                        if serde_json::to_writer(&mut buf, &wire::ArgovisProfile::new(p, false)).is_err() {
                            return None;
                        }
                    }
                    Some((Ok(axum::body::Bytes::from(buf)), (i + 1, first_doc, false)))
                }
                Err(e) => {
                    tracing::error!(error = %e, "argo search stream failed");
                    Some((Err(std::io::Error::other(e.to_string())), (i, first, true)))
                }
            }
        }
    })
}

async fn meta_docs(state: &AppState, platforms: &[String]) -> Result<Vec<wire::PlatformOut>, ApiError> {
    let all = state.store.platforms(Some(model::PlatformKind::ArgoFloat)).await?;
    let mut out = Vec::new();
    for id in platforms {
        if out.iter().any(|m: &wire::PlatformOut| &m.id == id) {
            continue;
        }
        if let Some(s) = all.iter().find(|s| &s.platform.id == id) {
            out.push(wire::PlatformOut::from(s));
        }
    }
    Ok(out)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MetaParams {
    pub id: Option<String>,
    pub platform: Option<String>,
}

#[utoipa::path(get, path = "/api/argo/meta", tag = "argo", params(MetaParams), responses((status = 200, body = Vec<wire::PlatformOut>), (status = 400, description = "a parameter is malformed", body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn meta(
    State(state): State<AppState>,
    params: Result<Query<MetaParams>, QueryRejection>,
) -> Result<Json<Vec<wire::PlatformOut>>, ApiError> {
    let Query(p) = params.map_err(|e| bad(e.body_text()))?;
    let id = match (&p.id, &p.platform) {
        (Some(id), _) => id.split('_').next().unwrap_or(id).to_string(),
        (None, Some(pl)) => pl.clone(),
        (None, None) => return Err(bad("give id or platform")),
    };
    let docs = meta_docs(&state, std::slice::from_ref(&id)).await?;
    if docs.is_empty() {
        return Err(ApiError::not_found(format!("no matching results found: no float {id}")));
    }
    Ok(Json(docs))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VocabularyParams {
    pub parameter: Option<String>,
}

#[utoipa::path(get, path = "/api/argo/vocabulary", tag = "argo", params(VocabularyParams), responses((status = 200, body = Vec<String>), (status = 400, description = "a parameter is malformed", body = ErrorBody)))]
pub async fn vocabulary(
    State(state): State<AppState>,
    params: Result<Query<VocabularyParams>, QueryRejection>,
) -> Result<Json<Vec<String>>, ApiError> {
    let Query(p) = params.map_err(|e| bad(e.body_text()))?;
    match p.parameter.as_deref() {
        Some("platform") => {
            let list = state.store.platforms(Some(model::PlatformKind::ArgoFloat)).await?;
            Ok(Json(list.into_iter().map(|s| s.platform.id).collect()))
        }
        Some("data") | None => Ok(Json(
            model::VARIABLES
                .iter()
                .filter(|v| v.kind == model::VariableKind::Profile)
                .map(|v| wire::argovis_name(v.source_name))
                .collect(),
        )),
        Some("source") => Ok(Json(vec!["argo_core".into(), "argo_bgc".into()])),
        Some(o) => Err(bad(format!("parameter {o:?}: use platform, data or source"))),
    }
}

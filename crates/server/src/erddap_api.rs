//! The ERDDAP facade under `/erddap/...` (GET and HEAD): thin handlers over the `erddap` crate, which
//! knows the protocol. A tabledap answer runs as two tasks: an async fetcher reads the store in batches
//! (profiles, series points, heat-stress days) and a blocking writer turns them into rows and bytes that
//! stream to the client, so a large answer never sits in memory.

use std::io;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use erddap::{
    Answer, ArgoRows, Cell, Dataset, ErddapError, FileType, Output, PlainTable, Scratch, SearchParams, TableQuery,
    TextFormat, catalog,
};
use model::{BBox, HeatStressDay, PlatformKind, Point, Profile, ReefSite, Region, SeriesPoint, TimeRange};
use store::{ProfileFilter, SeriesFilter, Store};
use tokio::sync::{mpsc, oneshot};

use crate::AppState;

mod griddap;

/// Rows held in memory at most for `distinct()`, `orderBy...()` and `.ncCF` (past it: 413).
const MAX_COLLECT_ROWS: usize = 5_000_000;
/// Profiles loaded from the store per batch.
const PROFILE_BATCH: usize = 256;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/erddap/version", get(version))
        .route("/erddap/version_string", get(version_string))
        .route("/erddap/info/{file}", get(info_list))
        .route("/erddap/info/{id}/{file}", get(info))
        .route("/erddap/tabledap/{file}", get(tabledap))
        .route("/erddap/griddap/{file}", get(griddap::griddap))
        .route("/erddap/search/{file}", get(search))
        .route("/erddap/categorize/{attr}/{file}", get(categorize))
        .route("/erddap/categorize/{attr}/{value}/{file}", get(categorize_value))
}

fn erddap_headers(resp: &mut Response) {
    let h = resp.headers_mut();
    h.insert("erddap-server", HeaderValue::from_static(erddap::ERDDAP_VERSION));
    h.insert("xdods-server", HeaderValue::from_static("dods/3.7"));
}

/// ERDDAP's error response: the status, `text/plain` and the `Error {...}` body.
fn error(e: ErddapError) -> Response {
    if e.status() == 500 {
        tracing::error!(error = %e, "erddap internal error");
    }
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = (status, e.body()).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain;charset=UTF-8"));
    h.insert("content-description", HeaderValue::from_static("dods-error"));
    h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("identity"));
    erddap_headers(&mut resp);
    resp
}

fn ok(content_type: &'static str, body: impl Into<Body>) -> Response {
    let mut resp = (StatusCode::OK, body.into()).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    erddap_headers(&mut resp);
    resp
}

/// `http://host/erddap`, for the links in lists.
fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    format!("http://{host}/erddap")
}

/// `index.json` → `json`; anything else named is a 404.
fn index_ext(file: &str) -> Result<&str, ErddapError> {
    file.strip_prefix("index.").ok_or_else(|| ErddapError::NotFound(format!("{file} isn't a known page.")))
}

fn text_format(ext: &str) -> Result<TextFormat, ErddapError> {
    TextFormat::parse(ext).ok_or_else(|| ErddapError::NotFound(format!("The file type=.{ext} isn't supported here.")))
}

fn plain(table: Result<PlainTable, ErddapError>, ext: &str) -> Response {
    let run = || {
        let fmt = text_format(ext)?;
        Ok::<_, ErddapError>((fmt, table?.write(fmt)?))
    };
    match run() {
        Ok((fmt, bytes)) => ok(fmt.content_type(), bytes),
        Err(e) => error(e),
    }
}

/// `page` (1-based) and `itemsPerPage` (default 1000) of a dataset list.
fn paged<'a>(list: Vec<&'a Dataset>, pairs: &[(String, String)]) -> Result<Vec<&'a Dataset>, ErddapError> {
    let num =
        |k: &str, d: usize| pairs.iter().find(|(n, _)| n == k).and_then(|(_, v)| v.parse::<usize>().ok()).unwrap_or(d);
    let (page, per) = (num("page", 1).max(1), num("itemsPerPage", 1000).max(1));
    let out: Vec<&Dataset> = list.into_iter().skip((page - 1).saturating_mul(per)).take(per).collect();
    if out.is_empty() {
        return Err(ErddapError::NoSearchResults);
    }
    Ok(out)
}

fn find(id: &str) -> Result<&'static Dataset, ErddapError> {
    catalog().iter().find(|d| d.id == id).ok_or_else(|| ErddapError::UnknownDataset(id.to_string()))
}

pub async fn version() -> Response {
    ok("text/plain;charset=UTF-8", format!("ERDDAP_version={}\n", erddap::ERDDAP_VERSION))
}

pub async fn version_string() -> Response {
    ok("text/plain;charset=UTF-8", format!("ERDDAP_version_string={}\n", erddap::ERDDAP_VERSION))
}

/// `/erddap/info/index.{ext}`: every dataset.
pub async fn info_list(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let ext = match index_ext(&file) {
        Ok(e) => e,
        Err(e) => return error(e),
    };
    let pairs = erddap::form_pairs(q.as_deref().unwrap_or(""));
    let all: Vec<&Dataset> = catalog().iter().collect();
    let base = base_url(&headers);
    let grids = griddap::dataset_rows(&state, &base, ext).await;
    plain(
        paged(all, &pairs).map(|l| {
            let mut t = erddap::dataset_table(&l, &base, ext);
            t.rows.extend(grids);
            t
        }),
        ext,
    )
}

/// `/erddap/info/{id}/index.{ext}` (tabledap datasets, then the stored grid datasets).
pub async fn info(State(state): State<AppState>, Path((id, file)): Path<(String, String)>) -> Response {
    let ext = match index_ext(&file) {
        Ok(e) => e,
        Err(e) => return error(e),
    };
    match find(&id) {
        Ok(d) => plain(Ok(erddap::info_table(d)), ext),
        Err(e) => match griddap::info(&state, &id).await {
            Some(t) => plain(t, ext),
            None => error(e),
        },
    }
}

/// `/erddap/search/index.{ext}` and `/erddap/search/advanced.{ext}`. The text and category filters are
/// the `erddap` crate's; advanced search's lon/lat/time bounds keep the datasets that have data inside
/// them, as the store answers.
pub async fn search(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let Some((_, ext)) = file.rsplit_once('.').filter(|(p, _)| *p == "index" || *p == "advanced") else {
        return error(ErddapError::NotFound(format!("{file} isn't a known page.")));
    };
    let pairs = erddap::form_pairs(q.as_deref().unwrap_or(""));
    let run = async {
        let p = SearchParams::from_pairs(&pairs, Utc::now())?;
        let mut hits = erddap::search_datasets(catalog(), &p)?;
        if p.has_extent() {
            let mut kept = Vec::new();
            for d in hits {
                if has_data_in(&*state.store, d, &p).await? {
                    kept.push(d);
                }
            }
            hits = kept;
            if hits.is_empty() {
                return Err(ErddapError::NoSearchResults);
            }
        }
        let hits = paged(hits, &pairs)?;
        Ok(erddap::dataset_table(&hits, &base_url(&headers), ext))
    };
    plain(run.await, ext)
}

/// Whether `ds` holds data inside the search's lon/lat box and time range.
async fn has_data_in(store: &dyn Store, ds: &Dataset, p: &SearchParams) -> Result<bool, ErddapError> {
    let region = match (p.lon, p.lat) {
        (None, None) => None,
        (lon, lat) => {
            let (w, e) = lon.unwrap_or((-180.0, 180.0));
            let (s, n) = lat.unwrap_or((-90.0, 90.0));
            let b = BBox::new(w, s.max(-90.0), if e - w >= 360.0 { w + 360.0 } else { e }, n.min(90.0))
                .map_err(|e| ErddapError::Query(format!("minLon/maxLon/minLat/maxLat: {e}")))?;
            Some(Region::Box(b))
        }
    };
    let time = match p.time {
        None => None,
        Some((lo, hi)) => {
            let at = |s: f64, d: DateTime<Utc>| {
                if s.is_finite() { DateTime::<Utc>::from_timestamp(s.floor() as i64, 0).unwrap_or(d) } else { d }
            };
            let (start, end) = (at(lo, DateTime::<Utc>::MIN_UTC), at(hi + 1.0, DateTime::<Utc>::MAX_UTC));
            match TimeRange::new(start, end) {
                Ok(t) => Some(t),
                Err(_) => return Ok(false),
            }
        }
    };
    let inside = |pos: Option<Point>| region.as_ref().is_none_or(|r| pos.is_some_and(|pt| r.contains(pt)));
    let overlaps = |first: Option<DateTime<Utc>>, last: Option<DateTime<Utc>>| {
        time.is_none_or(|t| first.zip(last).is_some_and(|(f, l)| f < t.end() && l >= t.start()))
    };
    match ds.id.as_str() {
        erddap::NDBC_STDMET | erddap::REEF_HEAT_STRESS => {
            let kind = if ds.id == erddap::NDBC_STDMET { PlatformKind::Buoy } else { PlatformKind::ReefSite };
            let list = store.platforms(Some(kind)).await.map_err(store_err)?;
            let has_rows = |s: &store::PlatformSummary| {
                if ds.id == erddap::NDBC_STDMET { s.series_points > 0 } else { s.heat_stress_days > 0 }
            };
            Ok(list.iter().any(|s| has_rows(s) && inside(s.platform.position) && overlaps(s.first_time, s.last_time)))
        }
        _ => {
            let bgc = ds.id == erddap::ARGO_SYNTHETIC_BGC;
            let filter = ProfileFilter { region, time, platform: None, limit: if bgc { None } else { Some(1) } };
            let stubs = store.profile_stubs(&filter).await.map_err(store_err)?;
            Ok(stubs.iter().any(|s| !bgc || is_bgc(s)))
        }
    }
}

fn is_bgc(s: &store::ProfileStub) -> bool {
    s.params.iter().any(|p| !matches!(p.as_str(), "PRES" | "TEMP" | "PSAL"))
}

/// The dataset-wide extremes `min(var)`/`max(var)` refer to, from the store: profile-level variables
/// of the Argo datasets (time, position, cycle), every column of the buoy and reef datasets. Others
/// (Argo level values) are left unknown, which the query reports as ERDDAP does.
async fn extremes(
    store: &dyn Store,
    ds: &Dataset,
    wanted: &[(usize, bool)],
) -> Result<std::collections::HashMap<usize, (f64, f64)>, ErddapError> {
    let mut out: std::collections::HashMap<usize, (f64, f64)> = Default::default();
    let mut see = |var: usize, v: f64| {
        if !v.is_nan() {
            let e = out.entry(var).or_insert((f64::INFINITY, f64::NEG_INFINITY));
            *e = (e.0.min(v), e.1.max(v));
        }
    };
    let name = |i: usize| ds.vars[i].name.as_str();
    let vars: Vec<usize> = wanted.iter().map(|w| w.0).collect();
    match ds.id.as_str() {
        erddap::NDBC_STDMET => {
            let stats = store.series_stats().await.map_err(store_err)?;
            let buoys = store.platforms(Some(PlatformKind::Buoy)).await.map_err(store_err)?;
            for &v in &vars {
                match name(v) {
                    "longitude" | "latitude" => {
                        for b in &buoys {
                            if let Some(p) = b.platform.position {
                                see(v, if name(v) == "longitude" { p.lon } else { p.lat });
                            }
                        }
                    }
                    "time" => {
                        for st in stats.iter().filter(|st| erddap::NDBC_COLUMNS.iter().any(|(_, s)| *s == st.variable))
                        {
                            for t in [st.first, st.last].into_iter().flatten() {
                                see(v, t.timestamp() as f64);
                            }
                        }
                    }
                    col => {
                        let series = erddap::NDBC_COLUMNS.iter().find(|(c, _)| *c == col).map(|(_, s)| *s);
                        for st in stats.iter().filter(|st| Some(st.variable.as_str()) == series) {
                            see(v, st.min);
                            see(v, st.max);
                        }
                    }
                }
            }
        }
        erddap::REEF_HEAT_STRESS => {
            let sites = store.platforms(Some(PlatformKind::ReefSite)).await.map_err(store_err)?;
            let (from, to) = (
                chrono::NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or_default(),
                chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default(),
            );
            for s in sites {
                let Some(site) = store.reef_site(&s.platform.id).await.map_err(store_err)? else { continue };
                let days = store.heat_stress(&site.id, from, to).await.map_err(store_err)?;
                erddap::reef_rows(ds, &vars, &site, &days, &mut |row: &[Cell]| {
                    for (k, c) in row.iter().enumerate() {
                        if let Cell::Num(x) = c {
                            see(vars[k], *x);
                        }
                    }
                });
            }
        }
        _ => {
            let stubs = store.profile_stubs(&ProfileFilter::default()).await.map_err(store_err)?;
            let bgc = ds.id == erddap::ARGO_SYNTHETIC_BGC;
            for s in stubs.iter().filter(|s| !bgc || is_bgc(s)) {
                for &v in &vars {
                    let x = match name(v) {
                        "time" | "date" => s.time.map(|t| t.timestamp() as f64),
                        "latitude" => s.position.map(|p| p.lat),
                        "longitude" => s.position.map(|p| p.lon),
                        "cycle_number" => Some(s.key.cycle as f64),
                        _ => None,
                    };
                    if let Some(x) = x {
                        see(v, x);
                    }
                }
            }
        }
    }
    Ok(out)
}

/// `/erddap/categorize/{attr}/index.{ext}`: the values of one category attribute.
pub async fn categorize(Path((attr, file)): Path<(String, String)>, headers: HeaderMap) -> Response {
    let ext = match index_ext(&file) {
        Ok(e) => e,
        Err(e) => return error(e),
    };
    plain(erddap::categorize_table(catalog(), &attr, &base_url(&headers), ext), ext)
}

/// `/erddap/categorize/{attr}/{value}/index.{ext}`: the datasets in one category.
pub async fn categorize_value(
    Path((attr, value, file)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let ext = match index_ext(&file) {
        Ok(e) => e,
        Err(e) => return error(e),
    };
    if !erddap::CATEGORY_ATTRIBUTES.contains(&attr.as_str()) {
        return plain(erddap::categorize_table(catalog(), &attr, "", ext), ext);
    }
    let hits: Vec<&Dataset> =
        catalog().iter().filter(|d| erddap::category_values(d, &attr).contains(&value.to_lowercase())).collect();
    if hits.is_empty() {
        return error(ErddapError::NoSearchResults);
    }
    plain(Ok(erddap::dataset_table(&hits, &base_url(&headers), ext)), ext)
}

/// `/erddap/tabledap/{id}.{fileType}?{query}` and `/erddap/tabledap/index.{ext}`.
pub async fn tabledap(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let Some((id, ext)) = file.rsplit_once('.') else {
        return error(
            find(&file).err().unwrap_or(ErddapError::NotFound(format!("{file} needs a file type extension."))),
        );
    };
    if id == "index" {
        let pairs = erddap::form_pairs(raw.as_deref().unwrap_or(""));
        let all: Vec<&Dataset> = catalog().iter().collect();
        return plain(paged(all, &pairs).map(|l| erddap::dataset_table(&l, &base_url(&headers), ext)), ext);
    }
    let ds = match find(id) {
        Ok(d) => d,
        Err(e) => return error(e),
    };
    let Some(ft) = FileType::parse(ext) else {
        return error(ErddapError::NotFound(format!("The file type=.{ext} isn't supported by this dataset.")));
    };
    let now = Utc::now();
    let mut query = match TableQuery::parse(raw.as_deref().unwrap_or(""), ds, now) {
        Ok(q) => q,
        Err(e) => return error(e),
    };
    if ft == FileType::NcCf
        && let Err(e) = query.add_cf_variables(ds)
    {
        return error(e);
    }
    let wanted = query.extremes();
    if !wanted.is_empty() {
        let known = match extremes(&*state.store, ds, &wanted).await {
            Ok(k) => k,
            Err(e) => return error(e),
        };
        let lookup = |v: usize, max: bool| known.get(&v).map(|&(lo, hi)| if max { hi } else { lo });
        if let Err(e) = query.resolve_extremes(ds, &lookup) {
            return error(e);
        }
    }
    let url = format!("{}{}", base_url(&headers).trim_end_matches("/erddap"), uri);
    let history_line = format!("{} {url}", erddap::iso_string(now.timestamp() as f64));
    let file_name = format!("{id}_{}.nc", now.timestamp_millis());
    answer(state.store.clone(), ds, query, ft, history_line, file_name).await
}

/// What the fetcher hands the writer.
enum Batch {
    Profiles(Vec<Profile>),
    Points { points: Vec<SeriesPoint>, position: Option<Point> },
    Reef { site: ReefSite, days: Vec<HeatStressDay> },
    Failed(ErddapError),
}

/// Sends chunks to the response body; `start` releases the 200 status.
struct ChannelOutput {
    status: Option<oneshot::Sender<Result<(), ErddapError>>>,
    tx: mpsc::Sender<Result<Bytes, io::Error>>,
}

impl Output for ChannelOutput {
    fn start(&mut self) -> Result<(), ErddapError> {
        if let Some(s) = self.status.take() {
            s.send(Ok(())).map_err(|_| ErddapError::Internal("the client went away".into()))?;
        }
        Ok(())
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.tx
            .blocking_send(Ok(Bytes::copy_from_slice(bytes)))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

fn scratch() -> io::Result<Box<dyn Scratch>> {
    Ok(Box::new(tempfile::tempfile()?))
}

async fn answer(
    store: std::sync::Arc<dyn Store>,
    ds: &'static Dataset,
    query: TableQuery,
    ft: FileType,
    history_line: String,
    file_name: String,
) -> Response {
    let needed = query.needed(ds);
    let ans =
        match Answer::new(ds, query.clone(), ft, history_line, file_name, MAX_COLLECT_ROWS, Some(Box::new(scratch))) {
            Ok(a) => a,
            Err(e) => return error(e),
        };
    let (status_tx, status_rx) = oneshot::channel();
    let (chunk_tx, mut chunk_rx) = mpsc::channel::<Result<Bytes, io::Error>>(8);
    let (batch_tx, batch_rx) = mpsc::channel::<Batch>(2);
    tokio::spawn(fetch(store, ds, query, batch_tx));
    let writer_needed = needed.clone();
    tokio::task::spawn_blocking(move || {
        let mut out = ChannelOutput { status: Some(status_tx), tx: chunk_tx };
        let result = write_rows(ds, &writer_needed, ans, batch_rx, &mut out);
        if let Err(e) = result {
            match out.status.take() {
                Some(s) => {
                    let _ = s.send(Err(e));
                }
                None => {
                    tracing::warn!(error = %e, "erddap answer cut short");
                    let _ = out.tx.blocking_send(Err(io::Error::other(e.to_string())));
                }
            }
        }
    });
    match status_rx.await {
        Ok(Ok(())) => {
            let stream = futures_util::stream::poll_fn(move |cx| chunk_rx.poll_recv(cx));
            let mut resp = ok(ft.content_type(), Body::from_stream(stream));
            if matches!(ft, FileType::Nc | FileType::NcCf) {
                let name =
                    format!("attachment;filename={}.{}", ds.id, if ft == FileType::Nc { "nc" } else { "ncCF.nc" });
                if let Ok(v) = HeaderValue::from_str(&name) {
                    resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
                }
            }
            resp
        }
        Ok(Err(e)) => error(e),
        Err(_) => error(ErddapError::Internal("the answer's writer stopped without a status".into())),
    }
}

/// The blocking half: batches → rows → the answer.
fn write_rows(
    ds: &Dataset,
    needed: &[usize],
    mut ans: Answer,
    mut batches: mpsc::Receiver<Batch>,
    out: &mut ChannelOutput,
) -> Result<(), ErddapError> {
    let argo = ArgoRows::new(ds, needed);
    let mut row: Vec<Cell> = Vec::with_capacity(needed.len());
    let mut failure: Option<ErddapError> = None;
    while let Some(batch) = batches.blocking_recv() {
        let mut emit = |r: &[Cell]| {
            if failure.is_none()
                && let Err(e) = ans.push(r, out)
            {
                failure = Some(e);
            }
        };
        match batch {
            Batch::Profiles(ps) => {
                for p in &ps {
                    argo.rows(p, &mut row, &mut emit);
                }
            }
            Batch::Points { points, position } => {
                erddap::ndbc_rows(ds, needed, &points, &|_| position, &mut emit);
            }
            Batch::Reef { site, days } => erddap::reef_rows(ds, needed, &site, &days, &mut emit),
            Batch::Failed(e) => return Err(e),
        }
        if let Some(e) = failure.take() {
            return Err(e);
        }
    }
    ans.finish(out)
}

fn store_err(e: store::StoreError) -> ErddapError {
    ErddapError::Internal(format!("store: {e}"))
}

/// The time range the constraints allow, `[lo, hi]` as a half-open range; `None` when it is empty.
fn time_range(q: &TableQuery, ds: &Dataset, var: &str) -> Option<Option<TimeRange>> {
    let Some(i) = ds.var_index(var) else { return Some(None) };
    let (lo, hi) = q.bounds(i);
    if lo == f64::NEG_INFINITY && hi == f64::INFINITY {
        return Some(None);
    }
    let at = |s: f64| DateTime::<Utc>::from_timestamp(s as i64, 0);
    let start =
        if lo.is_finite() { at(lo.floor()).unwrap_or(DateTime::<Utc>::MIN_UTC) } else { DateTime::<Utc>::MIN_UTC };
    let end = if hi.is_finite() {
        at(hi.floor() + 1.0).unwrap_or(DateTime::<Utc>::MAX_UTC)
    } else {
        DateTime::<Utc>::MAX_UTC
    };
    TimeRange::new(start, end).ok().map(Some)
}

/// The region the constraints allow (a box from the lon/lat bounds, or the polygon); `None` inside
/// when unconstrained, outer `None` when empty.
fn region(q: &TableQuery, ds: &Dataset) -> Option<Option<Region>> {
    if let Some(p) = &q.polygon {
        return Some(Some(Region::Polygon(p.clone())));
    }
    let (Some(lon), Some(lat)) = (ds.var_index("longitude"), ds.var_index("latitude")) else { return Some(None) };
    let ((w, e), (s, n)) = (q.bounds(lon), q.bounds(lat));
    if w == f64::NEG_INFINITY && e == f64::INFINITY && s == f64::NEG_INFINITY && n == f64::INFINITY {
        return Some(None);
    }
    let (w, e, s, n) = (w.max(-180.0), e.min(180.0), s.max(-90.0), n.min(90.0));
    if w > e || s > n {
        return None;
    }
    // A box whose east edge is 180 is the same as one up to just below it on [-180, 180).
    Some(BBox::new(w, s, if e >= 180.0 { 179.999_999_999 } else { e }, n).ok().map(Region::Box))
}

/// The async half: reads the store in batches for the dataset, pushing filters down where it can.
async fn fetch(store: std::sync::Arc<dyn Store>, ds: &'static Dataset, q: TableQuery, tx: mpsc::Sender<Batch>) {
    let result = match ds.id.as_str() {
        erddap::NDBC_STDMET => fetch_ndbc(&*store, ds, &q, &tx).await,
        erddap::REEF_HEAT_STRESS => fetch_reef(&*store, ds, &q, &tx).await,
        _ => fetch_argo(&*store, ds, &q, &tx).await,
    };
    if let Err(e) = result {
        let _ = tx.send(Batch::Failed(e)).await;
    }
}

async fn fetch_argo(
    store: &dyn Store,
    ds: &Dataset,
    q: &TableQuery,
    tx: &mpsc::Sender<Batch>,
) -> Result<(), ErddapError> {
    let time_var = if ds.id == erddap::ARGO_INDEX { "date" } else { "time" };
    let (Some(time), Some(region)) = (time_range(q, ds, time_var), region(q, ds)) else { return Ok(()) };
    let platform = ds.var_index("platform_number").and_then(|i| q.pinned_text(i));
    let filter = ProfileFilter { region, time, platform, limit: None };
    let stubs = store.profile_stubs(&filter).await.map_err(store_err)?;
    let (clo, chi) = ds.var_index("cycle_number").map_or((f64::NEG_INFINITY, f64::INFINITY), |i| q.bounds(i));
    let cycle_pin = ds.var_index("cycle_number").and_then(|i| q.pinned_text(i)).and_then(|s| s.parse::<i32>().ok());
    let bgc = ds.id == erddap::ARGO_SYNTHETIC_BGC;
    let ids: Vec<i64> = stubs
        .iter()
        .filter(|s| (clo..=chi).contains(&(s.key.cycle as f64)) && cycle_pin.is_none_or(|c| c == s.key.cycle))
        .filter(|s| !bgc || s.params.iter().any(|p| !matches!(p.as_str(), "PRES" | "TEMP" | "PSAL")))
        .map(|s| s.row_id)
        .collect();
    for chunk in ids.chunks(PROFILE_BATCH) {
        let profiles = store.profiles_by_row_ids(chunk).await.map_err(store_err)?;
        if tx.send(Batch::Profiles(profiles)).await.is_err() {
            return Ok(());
        }
    }
    Ok(())
}

async fn fetch_ndbc(
    store: &dyn Store,
    ds: &Dataset,
    q: &TableQuery,
    tx: &mpsc::Sender<Batch>,
) -> Result<(), ErddapError> {
    let (Some(time), Some(region)) = (time_range(q, ds, "time"), region(q, ds)) else { return Ok(()) };
    let station = ds.var_index("station").and_then(|i| q.pinned_text(i));
    let buoys = store.platforms(Some(PlatformKind::Buoy)).await.map_err(store_err)?;
    for b in buoys {
        let p = &b.platform;
        if station.as_ref().is_some_and(|s| *s != p.id) {
            continue;
        }
        if let (Some(r), Some(pos)) = (&region, p.position)
            && !r.contains(pos)
        {
            continue;
        }
        let filter = SeriesFilter { platform: Some(p.id.clone()), time, ..SeriesFilter::default() };
        let points = store.series_points(&filter).await.map_err(store_err)?;
        if tx.send(Batch::Points { points, position: p.position }).await.is_err() {
            return Ok(());
        }
    }
    Ok(())
}

async fn fetch_reef(
    store: &dyn Store,
    ds: &Dataset,
    q: &TableQuery,
    tx: &mpsc::Sender<Batch>,
) -> Result<(), ErddapError> {
    let (Some(time), Some(region)) = (time_range(q, ds, "time"), region(q, ds)) else { return Ok(()) };
    let site_pin = ds.var_index("site").and_then(|i| q.pinned_text(i));
    let (from, to) = match time {
        Some(t) => (t.start().date_naive(), t.end().date_naive()),
        None => (
            chrono::NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default(),
            chrono::NaiveDate::from_ymd_opt(2200, 1, 1).unwrap_or_default(),
        ),
    };
    let sites = store.platforms(Some(PlatformKind::ReefSite)).await.map_err(store_err)?;
    for s in sites {
        if site_pin.as_ref().is_some_and(|p| *p != s.platform.id) {
            continue;
        }
        let Some(site) = store.reef_site(&s.platform.id).await.map_err(store_err)? else { continue };
        if let Some(r) = &region
            && !r.contains(site.position)
        {
            continue;
        }
        let days = store.heat_stress(&site.id, from, to).await.map_err(store_err)?;
        if tx.send(Batch::Reef { site, days }).await.is_err() {
            return Ok(());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;

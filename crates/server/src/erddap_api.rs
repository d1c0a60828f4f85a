//! The ERDDAP facade under `/erddap/...` (GET and HEAD): thin handlers over the `erddap` crate, which
//! knows the protocol. A tabledap answer runs as two tasks: an async fetcher reads the store in batches
//! (profiles, series points, heat-stress days) and a blocking writer turns them into rows and bytes that
//! stream to the client, so a large answer never sits in memory.

use std::io;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use erddap::{
    Answer, ArgoRows, Cell, Dataset, ErddapError, FileType, Output, PlainTable, Scratch, SearchParams, TableQuery,
    TextFormat, catalog,
};
use query::tabledap::{self, Batch, Reader};
use store::Store;
use tokio::sync::{mpsc, oneshot};

use crate::AppState;

mod griddap;

/// Rows held in memory at most for `distinct()`, `orderBy...()` and `.ncCF` (past it: 413).
const MAX_COLLECT_ROWS: usize = 5_000_000;

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
                if tabledap::has_data_in(&*state.store, d, &p).await? {
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
        let known = match tabledap::extremes(&*state.store, ds, &wanted).await {
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

/// What the fetcher hands the writer: a batch of the store's reads, or why reading stopped.
type Fetched = Result<Batch, ErddapError>;

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
    store: Arc<dyn Store>,
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
    let (batch_tx, batch_rx) = mpsc::channel::<Fetched>(2);
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
    mut batches: mpsc::Receiver<Fetched>,
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
        match batch? {
            Batch::Profiles(ps) => {
                for p in &ps {
                    argo.rows(p, &mut row, &mut emit);
                }
            }
            Batch::Points { points, position } => {
                erddap::ndbc_rows(ds, needed, &points, &|_| position, &mut emit);
            }
            Batch::Reef { site, days } => erddap::reef_rows(ds, needed, &site, &days, &mut emit),
        }
        if let Some(e) = failure.take() {
            return Err(e);
        }
    }
    ans.finish(out)
}

/// The async half: the store's reads for the request (`query::tabledap`), batch by batch, until the
/// writer stops listening.
async fn fetch(store: Arc<dyn Store>, ds: &'static Dataset, q: TableQuery, tx: mpsc::Sender<Fetched>) {
    let mut reader = match Reader::open(store, ds, &q).await {
        Ok(r) => r,
        Err(e) => {
            let _ = tx.send(Err(e)).await;
            return;
        }
    };
    loop {
        let next = reader.next().await.transpose();
        let stop = !matches!(next, Some(Ok(_)));
        let Some(next) = next else { return };
        if tx.send(next).await.is_err() || stop {
            return;
        }
    }
}

#[cfg(test)]
mod tests;

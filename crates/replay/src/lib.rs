//! A replay HTTP server for tests (no network): serves recorded upstream responses on 127.0.0.1 with
//! injectable faults (500s, slow answers, 429/503 with `Retry-After`, truncated bodies, garbage bytes,
//! 413 for big requests), and logs every request it saw.
//!
//! Requests match routes on the path and the *decoded* query, so a client that percent-encodes once
//! matches the recorded URI whatever the encoding style, and one that encodes twice does not. Like a
//! recent Tomcat in front of ERDDAP, a raw `"`, `<`, `>`, `[`, `]`, `{`, `}`, `|`, `\`, `^` or space in the
//! query is answered with 400 before any route is looked at.
//!
//! `fixtures/manifest.json` maps the few recorded ERDDAP responses this repository keeps to their exact
//! request URIs, status and content type (see `fixtures/SOURCES.md`).

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::Response;

/// A recorded answer.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub status: u16,
    pub content_type: String,
    pub body: Bytes,
}

impl Recorded {
    pub fn ok(content_type: &str, body: impl Into<Bytes>) -> Recorded {
        Recorded { status: 200, content_type: content_type.to_string(), body: body.into() }
    }

    /// A file's bytes (panics with the path when it cannot be read: a test setup error).
    pub fn file(status: u16, content_type: &str, path: impl AsRef<Path>) -> Recorded {
        let path = path.as_ref();
        let body = std::fs::read(path).unwrap_or_else(|e| panic!("replay fixture {}: {e}", path.display()));
        Recorded { status, content_type: content_type.to_string(), body: body.into() }
    }
}

/// Something that goes wrong instead of (or with) the recorded answer.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer this status with a short text body.
    Status(u16),
    /// Answer `status` (429 or 503) with `Retry-After: seconds`.
    RetryAfter { status: u16, seconds: u64 },
    /// Wait this long before answering normally (a client with a shorter read timeout gives up).
    Delay(Duration),
    /// Send the recorded answer's headers with its full `Content-Length`, then only the first `n` bytes
    /// and drop the connection.
    Truncate(usize),
    /// Send only the first `n` bytes of the recorded answer, with a `Content-Length` that matches (a
    /// server that cut the file itself: the transfer is complete, the content is not).
    ShortFile(usize),
    /// Answer 200 with bytes that are not what the route records.
    Garbage,
    /// Answer ERDDAP's 413 `Payload Too Large` error body.
    TooLarge,
}

/// A rule that may inject a fault from what the request asks (path, decoded query).
pub type FaultRule = Box<dyn Fn(&str, &str) -> Option<Fault> + Send + Sync>;

#[derive(Default)]
struct Shared {
    routes: HashMap<String, Recorded>,
    /// Faults served one per request, before the route's answer, per route key.
    queued: HashMap<String, VecDeque<Fault>>,
    /// Faults served to every request of a path prefix.
    always: Vec<(String, Fault)>,
    rules: Vec<FaultRule>,
    /// Every request as received: path and raw query.
    log: Vec<String>,
}

/// Requests being answered now, and the most at once.
#[derive(Default)]
struct InFlight {
    now: AtomicUsize,
    max: AtomicUsize,
}

/// Counts one request in flight until dropped.
struct InFlightGuard(Arc<InFlight>);

impl InFlightGuard {
    fn new(f: Arc<InFlight>) -> InFlightGuard {
        let n = f.now.fetch_add(1, Ordering::SeqCst) + 1;
        f.max.fetch_max(n, Ordering::SeqCst);
        InFlightGuard(f)
    }
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A running replay server; it stops when dropped.
pub struct Replay {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    in_flight: Arc<InFlight>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Replay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Decodes `%XX` escapes (and nothing else: `+` stays `+`).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The route key of a path and raw query: the path and the decoded query.
fn key(path: &str, raw_query: Option<&str>) -> String {
    match raw_query {
        Some(q) if !q.is_empty() => format!("{}?{}", percent_decode(path), percent_decode(q)),
        _ => percent_decode(path),
    }
}

/// The key of a `path?query` string as a client would send it (or as a manifest records it).
fn key_of(path_and_query: &str) -> String {
    match path_and_query.split_once('?') {
        Some((p, q)) => key(p, Some(q)),
        None => key(path_and_query, None),
    }
}

/// `https://host/path?q` → `/path?q`.
fn strip_origin(uri: &str) -> &str {
    match uri.find("://") {
        Some(i) => {
            let rest = &uri[i + 3..];
            rest.find('/').map_or("/", |j| &rest[j..])
        }
        None => uri,
    }
}

const TOO_LARGE: &str = "Error {\n    code=413;\n    message=\"Payload Too Large: Your query produced too much data.  Try to request less data.\";\n}\n";

impl Replay {
    /// Starts an empty server on 127.0.0.1 with a free port.
    pub async fn start() -> Replay {
        Replay::start_with_upstream(None).await
    }

    /// Starts a server that hands requests no route records to `upstream` (e.g. halocline's own
    /// router over a store), still applying the fault rules first.
    pub async fn start_with_upstream(upstream: Option<Router>) -> Replay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let shared = Arc::new(Mutex::new(Shared::default()));
        let s = shared.clone();
        let in_flight = Arc::new(InFlight::default());
        let f = in_flight.clone();
        let app = Router::new().fallback(move |req: Request<Body>| {
            let s = s.clone();
            let upstream = upstream.clone();
            let guard = InFlightGuard::new(f.clone());
            async move {
                let r = answer(s, upstream, req).await;
                drop(guard);
                r
            }
        });
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Replay { addr, shared, in_flight, task }
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Serves `answer` at `path_and_query` (as a client sends it, or decoded).
    pub fn route(&self, path_and_query: &str, answer: Recorded) {
        self.lock().routes.insert(key_of(path_and_query), answer);
    }

    /// Loads a manifest (`[{file, uri, status, content_type}]`, files relative to `root`); each URI is
    /// served at its path (the origin is dropped). Returns how many routes it added.
    pub fn load_manifest(&self, manifest: &Path, root: &Path) -> usize {
        let text = std::fs::read_to_string(manifest).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
        let entries: Vec<serde_json::Value> = serde_json::from_str(&text).expect("manifest is a JSON list");
        for e in &entries {
            let s = |k: &str| e.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            let status = e.get("status").and_then(|v| v.as_u64()).unwrap_or(200) as u16;
            let file: PathBuf = root.join(s("file"));
            self.route(strip_origin(&s("uri")), Recorded::file(status, &s("content_type"), file));
        }
        entries.len()
    }

    /// Queues faults for the next requests of `path_and_query`, one fault per request; afterwards the
    /// route answers normally.
    pub fn fail_next(&self, path_and_query: &str, faults: impl IntoIterator<Item = Fault>) {
        self.lock().queued.entry(key_of(path_and_query)).or_default().extend(faults);
    }

    /// Answers every request whose path starts with `path_prefix` with `fault` (a dead upstream).
    pub fn always(&self, path_prefix: &str, fault: Fault) {
        self.lock().always.push((path_prefix.to_string(), fault));
    }

    /// Adds a rule that looks at every request (path, decoded query) and may inject a fault.
    pub fn rule(&self, rule: impl Fn(&str, &str) -> Option<Fault> + Send + Sync + 'static) {
        self.lock().rules.push(Box::new(rule));
    }

    /// Every request received so far, as `path?raw_query`.
    pub fn requests(&self) -> Vec<String> {
        self.lock().log.clone()
    }

    /// How many requests asked for `path_and_query` (compared decoded).
    pub fn hits(&self, path_and_query: &str) -> usize {
        let k = key_of(path_and_query);
        self.lock().log.iter().filter(|r| key_of(r) == k).count()
    }

    /// The most requests this server was answering at one time.
    pub fn max_in_flight(&self) -> usize {
        self.in_flight.max.load(Ordering::SeqCst)
    }

    /// How many requests had a path starting with `prefix`.
    pub fn hits_under(&self, prefix: &str) -> usize {
        self.lock().log.iter().filter(|r| r.starts_with(prefix)).count()
    }
}

fn text(status: u16, body: String) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain;charset=UTF-8"));
    r
}

fn recorded(rec: &Recorded) -> Response {
    let mut r = Response::new(Body::from(rec.body.clone()));
    *r.status_mut() = StatusCode::from_u16(rec.status).unwrap_or(StatusCode::OK);
    if let Ok(v) = HeaderValue::from_str(&rec.content_type) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r
}

async fn answer(shared: Arc<Mutex<Shared>>, upstream: Option<Router>, req: Request<Body>) -> Response {
    let path = req.uri().path().to_string();
    let raw_query = req.uri().query().map(str::to_string);
    let raw = match &raw_query {
        Some(q) => format!("{path}?{q}"),
        None => path.clone(),
    };
    let k = key(&path, raw_query.as_deref());
    let decoded_query = percent_decode(raw_query.as_deref().unwrap_or(""));
    let (fault, rec) = {
        let mut s = shared.lock().unwrap_or_else(|e| e.into_inner());
        s.log.push(raw.clone());
        if let Some(q) = &raw_query
            && let Some(c) = q.chars().find(|c| "\"<>[]{}|\\^ ".contains(*c))
        {
            return text(
                400,
                format!(
                    "HTTP Status 400 - Bad Request: invalid character {c:?} in the request target (Tomcat rejects it)"
                ),
            );
        }
        let fault = s
            .queued
            .get_mut(&k)
            .and_then(VecDeque::pop_front)
            .or_else(|| s.always.iter().find(|(p, _)| path.starts_with(p.as_str())).map(|(_, f)| f.clone()))
            .or_else(|| s.rules.iter().find_map(|r| r(&path, &decoded_query)));
        (fault, s.routes.get(&k).cloned())
    };
    let mut fault = fault;
    if let Some(Fault::Delay(d)) = fault {
        tokio::time::sleep(d).await;
        fault = None;
    }
    match fault {
        Some(Fault::Status(code)) => return text(code, format!("injected failure {code}")),
        Some(Fault::RetryAfter { status, seconds }) => {
            let mut r = text(status, format!("injected {status}, retry after {seconds} s"));
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            return r;
        }
        Some(Fault::TooLarge) => return text(413, TOO_LARGE.to_string()),
        Some(Fault::Garbage) => {
            let junk: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
            return recorded(&Recorded {
                status: 200,
                content_type: "application/octet-stream".into(),
                body: junk.into(),
            });
        }
        _ => {}
    }
    let rec = match rec {
        Some(rec) => rec,
        None => match upstream {
            Some(up) => {
                use tower::ServiceExt;
                let resp = match up.oneshot(req).await {
                    Ok(r) => r,
                    Err(e) => match e {},
                };
                let status = resp.status().as_u16();
                let ct = resp
                    .headers()
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("application/octet-stream")
                    .to_string();
                let body = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap_or_default();
                Recorded { status, content_type: ct, body }
            }
            None => return text(404, format!("replay: nothing recorded for {raw}")),
        },
    };
    match fault {
        Some(Fault::ShortFile(n)) => {
            let cut = rec.body.slice(..n.min(rec.body.len()));
            recorded(&Recorded { body: cut, ..rec })
        }
        Some(Fault::Truncate(n)) => {
            let full = rec.body.len();
            let head = rec.body.slice(..n.min(full));
            use futures_util::StreamExt;
            // The head goes out first; the connection drops a moment later.
            let stream = futures_util::stream::iter([Ok::<Bytes, std::io::Error>(head)]).chain(
                futures_util::stream::once(async {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Err(std::io::Error::other("replay: connection dropped mid-body"))
                }),
            );
            let mut r = Response::new(Body::from_stream(stream));
            *r.status_mut() = StatusCode::from_u16(rec.status).unwrap_or(StatusCode::OK);
            r.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(full));
            if let Ok(v) = HeaderValue::from_str(&rec.content_type) {
                r.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            r
        }
        _ => recorded(&rec),
    }
}

/// This crate's fixtures folder (`crates/replay/fixtures`).
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
}

/// The repository root (for manifest paths and `data/sample`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_compare_decoded_queries() {
        assert_eq!(key_of("/a.nc?time%3E=1&x=%22y%22"), key_of("/a.nc?time>=1&x=\"y\""));
        // Encoded twice is a different request.
        assert_ne!(key_of("/a.nc?time%253E=1"), key_of("/a.nc?time>=1"));
        assert_eq!(percent_decode("%5B(0)%5D"), "[(0)]");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(strip_origin("https://erddap.ifremer.fr/erddap/x?y"), "/erddap/x?y");
    }
}

//! Snapshot tests (`insta`): the OpenAPI document and one body per route family on the bundled sample
//! data, so any change of the API is a reviewed diff (`cargo insta review`, or `INSTA_UPDATE=always`).
//! The same snapshots are checked on SQLite and, when `TEST_DATABASE_URL` is set, on PostgreSQL.
//! JSON is re-indented without re-parsing numbers (the bytes of every value are the wire's); fields
//! that hold the wall clock (`fetched_at`, `age_seconds`, `created_at`, ERDDAP's `history`) are redacted.

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use store::{SqliteStore, Store};
use tower::ServiceExt;

use crate::auth::{AuthConfig, RateLimiter, RateSettings};
use crate::{AppState, router};

/// Fields whose value is the wall clock, not the data.
const REDACTED: &[&str] = &["fetched_at", "age_seconds", "created_at"];

const INGEST_KEY: &str = "snapshot-ingest-key";

/// Averages the database computes (`/stats`' per-variable `mean`: SQLite's and PostgreSQL's `avg` sum in
/// different orders), compared to 12 significant digits.
const DB_AVERAGES: &[&str] = &["mean"];

/// The sample files, ingested one at a time in this order (so row ids are the same on every backend).
const FILES: &[&str] = &[
    "argo/D4900590_097.nc",
    "argo/1902714_prof.nc",
    "argo/erddap_ArgoFloats_6902746_cyc34.nc",
    "argo/erddap_ArgoFloats-synthetic-BGC_5903248_cyc34.nc",
    "buoy/44005h2012.txt",
    "buoy/TPLM2_realtime2_2022-08-13.txt",
    "crw/crw_vs_florida_keys.txt",
    "grids/crw_like_mmm.nc",
    "grids/crw_like_griddap.nc",
];

async fn load(store: Arc<dyn Store>) {
    let dir = format!("{}/../../data/sample", env!("CARGO_MANIFEST_DIR"));
    for f in FILES {
        let s = ingest::ingest_files(store.clone(), vec![format!("{dir}/{f}").into()], |_| {}).await;
        assert!(s.skipped.is_empty(), "{f}: {:?}", s.skipped);
    }
}

// ---- a JSON re-indenter that keeps every scalar's bytes ----

enum Node {
    /// A number, string, `true`, `false` or `null`, as its bytes on the wire.
    Scalar(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn string(&mut self) -> String {
        let start = self.i;
        self.i += 1;
        while self.s[self.i] != b'"' {
            self.i += if self.s[self.i] == b'\\' { 2 } else { 1 };
        }
        self.i += 1;
        String::from_utf8(self.s[start..self.i].to_vec()).unwrap()
    }

    fn node(&mut self) -> Node {
        self.ws();
        match self.s[self.i] {
            b'{' => {
                self.i += 1;
                let mut fields = Vec::new();
                loop {
                    self.ws();
                    if self.s[self.i] == b'}' {
                        self.i += 1;
                        return Node::Object(fields);
                    }
                    let key = self.string();
                    self.ws();
                    assert_eq!(self.s[self.i], b':');
                    self.i += 1;
                    fields.push((key, self.node()));
                    self.ws();
                    if self.s[self.i] == b',' {
                        self.i += 1;
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.ws();
                    if self.s[self.i] == b']' {
                        self.i += 1;
                        return Node::Array(items);
                    }
                    items.push(self.node());
                    self.ws();
                    if self.s[self.i] == b',' {
                        self.i += 1;
                    }
                }
            }
            b'"' => Node::Scalar(self.string()),
            _ => {
                let start = self.i;
                while self.i < self.s.len() && !b",]} \n\r\t".contains(&self.s[self.i]) {
                    self.i += 1;
                }
                Node::Scalar(String::from_utf8(self.s[start..self.i].to_vec()).unwrap())
            }
        }
    }
}

/// `x` to 12 significant digits (as text).
fn significant(x: &str) -> String {
    match x.parse::<f64>() {
        Ok(v) => format!("{v:.11e}"),
        Err(_) => x.to_string(),
    }
}

fn write(n: &Node, indent: usize, rounded: &[&str], out: &mut String) {
    let pad = |k: usize| "  ".repeat(k);
    match n {
        Node::Scalar(s) => out.push_str(s),
        // Arrays of scalars (coordinates, a profile's column) stay on one line.
        Node::Array(items) if items.iter().all(|i| matches!(i, Node::Scalar(_))) => {
            out.push('[');
            for (k, i) in items.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                write(i, indent, rounded, out);
            }
            out.push(']');
        }
        Node::Array(items) => {
            out.push_str("[\n");
            for (k, i) in items.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                write(i, indent + 1, rounded, out);
                out.push_str(if k + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push(']');
        }
        Node::Object(fields) if fields.is_empty() => out.push_str("{}"),
        Node::Object(fields) => {
            out.push_str("{\n");
            for (k, (key, v)) in fields.iter().enumerate() {
                out.push_str(&pad(indent + 1));
                out.push_str(key);
                out.push_str(": ");
                let name = key.trim_matches('"');
                match v {
                    _ if REDACTED.contains(&name) => out.push_str("\"[redacted]\""),
                    Node::Scalar(x) if rounded.contains(&name) => out.push_str(&significant(x)),
                    v => write(v, indent + 1, rounded, out),
                }
                out.push_str(if k + 1 < fields.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(indent));
            out.push('}');
        }
    }
}

/// A JSON body, one field per line, wall-clock fields redacted, the `rounded` fields to 12 digits.
fn pretty_json(body: &[u8], rounded: &[&str]) -> String {
    let mut p = Parser { s: body, i: 0 };
    let node = p.node();
    p.ws();
    assert_eq!(p.i, body.len(), "trailing bytes after the JSON value");
    let mut out = String::new();
    write(&node, 0, rounded, &mut out);
    out
}

/// ERDDAP text with the request time taken out: `history` (`2026-...Z http://...`) and the file name
/// (`ArgoFloats_1760000000000.nc`) hold the wall clock.
fn redact_erddap(text: &str) -> String {
    text.lines()
        .map(|l| {
            let mut l = l.to_string();
            if let Some(at) = l.find(":history = \"") {
                let start = at + ":history = \"".len();
                if let Some(end) = l[start..].find(' ') {
                    l.replace_range(start..start + end, "[redacted]");
                }
            }
            if let Some(rest) = l.strip_prefix("netcdf ")
                && let Some((id, _)) = rest.rsplit_once('_')
            {
                l = format!("netcdf {id}_[redacted].nc {{");
            }
            l
        })
        .collect::<Vec<_>>()
        .join("\n")
}

// ---- requests ----

struct Call {
    name: &'static str,
    method: &'static str,
    uri: &'static str,
    /// A JSON body (POST).
    body: Option<&'static str>,
    headers: &'static [(&'static str, &'static str)],
}

const fn get(name: &'static str, uri: &'static str) -> Call {
    Call { name, method: "GET", uri, body: None, headers: &[] }
}

/// One body per route family of the native API and the ERDDAP facade.
const CALLS: &[Call] = &[
    get("openapi", "/api/openapi.json"),
    get("health", "/health"),
    get("platforms", "/api/platforms"),
    get("argo_search_minimal", "/api/argo?platform=1902714&compression=minimal"),
    get("argo_search_data", "/api/argo?platform=6902746&data=pressure,temperature"),
    get("argo_meta", "/api/argo/meta?platform=4900590"),
    get("argo_vocabulary", "/api/argo/vocabulary?parameter=platform"),
    get("profile", "/api/profiles/4900590_097"),
    get("profile_raw", "/api/profiles/6902746_034?values=raw"),
    get(
        "series",
        "/api/series?platform=44005&variable=sea_surface_temperature&startDate=2012-01-01T00:00:00Z&endDate=2012-01-01T06:00:00Z",
    ),
    get("buoys", "/api/buoys"),
    get(
        "buoy_series",
        "/api/buoys/44005/series?variable=WTMP&startDate=2012-01-01T00:00:00Z&endDate=2012-01-01T03:00:00Z",
    ),
    get("buoy_anomalies_zscore", "/api/buoys/TPLM2/anomalies?startDate=2022-07-01&endDate=2022-08-14"),
    get("buoy_anomalies_iforest", "/api/buoys/44005/anomalies?method=iforest&startDate=2012-01-01&endDate=2012-01-08"),
    get("reefs", "/api/reefs"),
    get("heat_stress", "/api/reefs/florida_keys/heatstress?startDate=2024-08-01&endDate=2024-08-08"),
    get("reef_status", "/api/reefs/status"),
    get("reef_health", "/api/reefs/florida_keys/health?date=2024-08-04"),
    get("floats_latest", "/api/floats/latest"),
    get("seed_latest", "/data/latest"),
    get("seed_timeseries", "/data/timeseries?days=2&variable=air_pressure"),
    get("seed_timeseries_default", "/data/timeseries?days=1"),
    get("seed_anomalies", "/data/anomalies?days=7"),
    get("seed_stats", "/stats"),
    get("seed_locations", "/api/locations/"),
    get("seed_observations", "/api/observations/?location=44005&start=2012-01-01&end=2012-01-01T03:00:00Z"),
    Call {
        name: "chat_buoy",
        method: "POST",
        uri: "/api/chat",
        body: Some(r#"{"question": "average water temperature at buoy 44005 in January 2012", "now": "2024-08-10"}"#),
        headers: &[],
    },
    Call {
        name: "chat_argo",
        method: "POST",
        uri: "/api/chat",
        body: Some(r#"{"question": "Argo temperature profiles in the North Atlantic in 2007", "now": "2024-08-10"}"#),
        headers: &[],
    },
    Call {
        name: "chat_clarify",
        method: "POST",
        uri: "/api/chat",
        body: Some(r#"{"question": "hello", "now": "2024-08-10"}"#),
        headers: &[],
    },
    get("grids", "/api/grids"),
    get("grid_cut", "/api/grids/crwLikeDaily/CRW_DHW?stride=3"),
    get("grid_legend", "/api/grids/crwLikeDaily/CRW_BAA_7D_MAX/legend"),
    get("alert_rules", "/api/alerts/rules"),
    get(
        "erddap_csv",
        "/erddap/tabledap/ArgoFloats.csv?platform_number,cycle_number,time,latitude,longitude,pres,temp&platform_number=%224900590%22&pres%3C30",
    ),
    get(
        "erddap_json",
        "/erddap/tabledap/ArgoFloats.json?platform_number,cycle_number,time,pres,psal&platform_number=%226902746%22&pres%3C20",
    ),
    get(
        "erddap_nc_header",
        "/erddap/tabledap/ArgoFloats.ncHeader?platform_number,cycle_number,time,latitude,longitude,pres,temp&platform_number=%224900590%22",
    ),
    get(
        "erddap_ndbc_csv",
        "/erddap/tabledap/ndbcStdMet.csv?station,time,latitude,longitude,wtmp,atmp&station=%2244005%22&time%3C=2012-01-01T03:00:00Z",
    ),
    get("erddap_ndbc_max_time", "/erddap/tabledap/ndbcStdMet.csv?station,time,wtmp&time%3E=max(time)-2hours"),
    get("erddap_ndbc_min_time", "/erddap/tabledap/ndbcStdMet.csv?station,time,wtmp&time%3C=min(time)%2B2hours"),
    get("erddap_reef_extremes", "/erddap/tabledap/crwReefHeatStress.csv?site,time,dhw&dhw%3E=max(dhw)-0.1"),
    get(
        "erddap_argo_extremes",
        "/erddap/tabledap/ArgoFloats.csv?platform_number,cycle_number,time&distinct()&time=max(time)",
    ),
    get(
        "erddap_reef_json",
        "/erddap/tabledap/crwReefHeatStress.json?site,time,dhw,baa&time%3E=2024-08-01&time%3C2024-08-05",
    ),
    get("erddap_info", "/erddap/info/ndbcStdMet/index.json"),
    get("erddap_info_grid", "/erddap/info/crwLikeDaily/index.csv"),
    get("erddap_info_list", "/erddap/info/index.csv"),
    get("erddap_search_extent", "/erddap/search/advanced.csv?searchFor=&minLon=-60&maxLon=-50&minLat=35&maxLat=45"),
    get(
        "erddap_search_time",
        "/erddap/search/advanced.csv?searchFor=&minTime=2012-01-01T00:00:00Z&maxTime=2012-02-01T00:00:00Z",
    ),
    get("erddap_tabledap_index", "/erddap/tabledap/index.csv"),
    get("erddap_griddap_index", "/erddap/griddap/index.csv"),
    get("erddap_griddap_csv", "/erddap/griddap/crwLikeDaily.csv?CRW_DHW%5Blast%5D%5B0:2:last%5D%5B0:2:last%5D"),
    get("erddap_griddap_das", "/erddap/griddap/crwLikeDaily.das"),
    get("erddap_error_unknown_dataset", "/erddap/tabledap/Nope.csv"),
    get("erddap_error_bad_query", "/erddap/tabledap/ArgoFloats.csv?nonsense"),
    get("erddap_error_no_rows", "/erddap/tabledap/ArgoFloats.csv?time&platform_number=%220000000%22"),
    get("error_400", "/api/platforms?kind=submarine"),
    get("error_404_profile", "/api/profiles/4900590_999"),
    get("error_404_route", "/nowhere"),
    get("error_413_cost", "/api/argo?startDate=2000-01-01T00:00:00Z&endDate=2010-01-01T00:00:00Z&data=temperature"),
    get("error_401_anonymous", "/api/admin/users"),
    Call {
        name: "error_401_unknown_key",
        method: "GET",
        uri: "/api/admin/users",
        body: None,
        headers: &[("x-api-key", "hc_00000000_unknown")],
    },
    Call {
        name: "error_403",
        method: "GET",
        uri: "/api/admin/users",
        body: None,
        headers: &[("x-api-key", INGEST_KEY)],
    },
    Call {
        name: "error_413_body",
        method: "POST",
        uri: "/api/observations/ingest/",
        body: Some("[]"),
        headers: &[("content-length", "99999999")],
    },
    // Last: it writes to the store.
    Call {
        name: "seed_ingest",
        method: "POST",
        uri: "/api/observations/ingest/",
        body: Some(
            r#"[{"location_id": "SNAP1", "timestamp": "2020-01-01T00:00:00Z", "value": 12.5, "variable": "sea_surface_temperature"}]"#,
        ),
        headers: &[("x-api-key", INGEST_KEY)],
    },
];

/// Status, the headers that are part of the contract, and the body as text.
async fn send(app: &axum::Router, c: &Call) -> String {
    let mut req = Request::builder().method(c.method).uri(c.uri).header("host", "example.org");
    if c.body.is_some() {
        req = req.header("content-type", "application/json");
    }
    for (k, v) in c.headers {
        req = req.header(*k, *v);
    }
    let req = req.body(c.body.map_or_else(Body::empty, Body::from)).unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let mut out = format!("{} {}\n{}\n", c.method, c.uri, resp.status());
    for h in ["content-type", "content-disposition", "www-authenticate", "retry-after"] {
        if let Some(v) = resp.headers().get(h) {
            out.push_str(&format!("{h}: {}\n", v.to_str().unwrap()));
        }
    }
    let json = resp.headers().get("content-type").is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    out.push('\n');
    if json {
        out.push_str(&pretty_json(&bytes, if c.name == "seed_stats" { DB_AVERAGES } else { &[] }));
    } else {
        out.push_str(&redact_erddap(std::str::from_utf8(&bytes).unwrap()));
    }
    out
}

/// Every call's answer over `store`, and a rate-limited 429.
async fn answers(store: Arc<dyn Store>) -> Vec<(&'static str, String)> {
    load(store.clone()).await;
    let app = router(AppState::new(store.clone()).with_ingest_key(Some(INGEST_KEY.into())));
    let mut out = Vec::new();
    for c in CALLS {
        out.push((c.name, send(&app, c).await));
    }
    // One token for anonymous callers and a frozen clock: the second request is refused.
    let rl = RateLimiter::memory(RateSettings::ARGOVIS, RateSettings { capacity: 1, refill_ms: 800 })
        .with_clock(Arc::new(|| 1_000_000));
    let limited = router(AppState::new(store).with_auth(AuthConfig { rate: Some(Arc::new(rl)), ..AuthConfig::dev() }));
    let c = get("error_429", "/api/platforms?kind=reef_site");
    send(&limited, &c).await;
    out.push((c.name, send(&limited, &c).await));
    out
}

fn check(answers: Vec<(&'static str, String)>) {
    for (name, body) in answers {
        insta::assert_snapshot!(name, body);
    }
}

#[tokio::test]
async fn bodies_on_sqlite() {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(":memory:").await.unwrap());
    check(answers(store).await);
}

#[tokio::test]
async fn bodies_on_postgres() {
    let Some(url) = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
        eprintln!("bodies_on_postgres: TEST_DATABASE_URL is not set; the PostgreSQL half is skipped");
        return;
    };
    let url = store::fresh_schema_url(&url, "server_snapshots") + "&max_connections=4";
    let store = store::open(&url).await.unwrap_or_else(|e| panic!("{url}: {e}"));
    check(answers(store).await);
}

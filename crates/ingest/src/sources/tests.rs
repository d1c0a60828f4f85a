//! Live-source tests against the replay server (no network): retries and their metrics, Retry-After,
//! timeouts, truncated and garbage answers, ERDDAP's empty 404 and 413, queries encoded once, the GDAC
//! index diff, griddap bytes, re-fetch idempotency and the live fallback's deadline.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use replay::{Fault, Recorded, Replay};
use store::{SqliteStore, Store};

use super::erddap::{ARGO_VARIABLES, AxisRange, GridRequest, TableRequest, fetch_split};
use super::{DataSource, HttpConfig, Sources, SourcesConfig};

fn sample(rel: &str) -> PathBuf {
    replay::repo_root().join("data/sample").join(rel)
}

async fn mem_store() -> Arc<dyn Store> {
    Arc::new(SqliteStore::open(":memory:").await.unwrap())
}

/// Tiny delays and timeouts so retries run fast; three attempts, as by default.
fn config(base: &str) -> SourcesConfig {
    let mut c = SourcesConfig {
        http: HttpConfig {
            connect_timeout: Duration::from_secs(2),
            read_timeout: Duration::from_millis(400),
            request_timeout: Duration::from_secs(10),
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(4),
            jitter: false,
            ..HttpConfig::default()
        },
        ndbc_files: vec!["TPLM2.txt".into()],
        live_deadline: Duration::from_millis(300),
        ..SourcesConfig::default()
    };
    c.set_base_url("all", base).unwrap();
    c
}

const TPLM2: &str = "/data/realtime2/TPLM2.txt";

async fn ndbc_replay() -> Replay {
    let r = Replay::start().await;
    r.route(TPLM2, Recorded::file(200, "text/plain", sample("buoy/TPLM2_realtime2_2022-08-13.txt")));
    r
}

#[tokio::test]
async fn flaky_upstream_is_fetched_in_three_attempts_and_refetch_adds_nothing() {
    let r = ndbc_replay().await;
    r.fail_next(TPLM2, [Fault::Status(500), Fault::Status(500)]);
    let store = mem_store().await;
    let sources = Sources::new(config(&r.url())).unwrap();
    let report = sources.run(&*store, "ndbc", None).await.unwrap();
    assert!(report.is_success(), "{report:?}");
    assert_eq!(r.hits(TPLM2), 3);
    let stats = sources.http.stats();
    assert_eq!((stats.fetches("ndbc"), stats.attempts("ndbc")), (1, 3));
    assert_eq!((stats.retries("ndbc", "http_5xx"), stats.retries_total("ndbc")), (2, 2));
    assert_eq!(stats.failures("ndbc"), 0);
    assert!(stats.last_success("ndbc").is_some());
    let stored = store.counts().await.unwrap().series_points;
    assert!(stored > 1000, "{stored}");
    assert_eq!(report.written.series_points, stored);
    assert_eq!(report.rows_written(), stored + 1);
    let pts = store.series("TPLM2", "air_temperature", model::TimeRange::all()).await.unwrap();
    assert!(!pts.is_empty());

    // The same data again: nothing new is written.
    let again = sources.run(&*store, "ndbc", None).await.unwrap();
    assert_eq!(again.written, store::WriteCounts::default());
    assert_eq!(again.rows_written(), 0);
    assert_eq!(store.counts().await.unwrap().series_points, stored);
}

#[tokio::test]
async fn retry_after_is_honoured_and_timeouts_are_retried() {
    let r = ndbc_replay().await;
    r.fail_next(TPLM2, [Fault::RetryAfter { status: 429, seconds: 1 }, Fault::Delay(Duration::from_secs(3))]);
    let store = mem_store().await;
    let sources = Sources::new(config(&r.url())).unwrap();
    let t0 = Instant::now();
    let report = sources.run(&*store, "ndbc", None).await.unwrap();
    assert!(report.is_success(), "{report:?}");
    // Backoff alone would wait 1 ms: the wait came from Retry-After.
    assert!(t0.elapsed() >= Duration::from_secs(1));
    let stats = sources.http.stats();
    assert_eq!(stats.retries("ndbc", "http_429"), 1);
    assert_eq!(stats.retries("ndbc", "timeout"), 1);
    assert_eq!(stats.attempts("ndbc"), 3);
}

#[tokio::test]
async fn dead_upstream_fails_after_its_attempts_and_stores_nothing() {
    let r = ndbc_replay().await;
    r.always("/data/realtime2/", Fault::Status(503));
    let store = mem_store().await;
    let sources = Sources::new(config(&r.url())).unwrap();
    let report = sources.run(&*store, "ndbc", None).await.unwrap();
    assert_eq!(report.failed.len(), 1);
    assert!(report.failed[0].1.contains("gave up after 3 attempts"), "{:?}", report.failed);
    assert_eq!(r.hits(TPLM2), 3);
    assert_eq!(sources.http.stats().failures("ndbc"), 1);
    assert_eq!(sources.http.stats().last_success("ndbc"), None);
    assert_eq!(store.counts().await.unwrap(), store::TableCounts::default());
}

#[tokio::test]
async fn truncated_and_garbage_answers_are_rejected_and_store_nothing() {
    let r = Replay::start().await;
    let profile = "/dac/aoml/4900590/profiles/D4900590_097.nc";
    r.route(profile, Recorded::file(200, "application/x-netcdf", sample("argo/D4900590_097.nc")));
    r.route(TPLM2, Recorded::file(200, "text/plain", sample("buoy/TPLM2_realtime2_2022-08-13.txt")));
    let mut c = config(&r.url());
    c.copernicus_files = vec!["aoml/4900590/profiles/D4900590_097.nc".into()];
    c.set_base_url("copernicus", &format!("{}/dac", r.url())).unwrap();
    let store = mem_store().await;
    let sources = Sources::new(c).unwrap();

    // The connection drops mid-body on every attempt: a failed request.
    r.always("/data/", Fault::Truncate(5000));
    let report = sources.run(&*store, "ndbc", None).await.unwrap();
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert_eq!(sources.http.stats().retries("ndbc", "body"), 2, "{report:?}");

    // A complete transfer of a cut file: rejected by the reader, with its reason.
    r.fail_next(profile, [Fault::ShortFile(10_000)]);
    let report = sources.run(&*store, "copernicus", None).await.unwrap();
    assert_eq!(report.rejected.len(), 1, "{report:?}");
    assert!(report.rejected[0].1.contains("truncated"), "{:?}", report.rejected);

    // Bytes that are no known format.
    r.fail_next(profile, [Fault::Garbage]);
    let report = sources.run(&*store, "copernicus", None).await.unwrap();
    assert_eq!(report.rejected.len(), 1, "{report:?}");
    assert_eq!(sources.http.stats().failures("copernicus"), 2);
    assert_eq!(store.counts().await.unwrap(), store::TableCounts::default());

    // The same file intact is stored (the NetCDF path is shared with every other NetCDF file).
    let report = sources.run(&*store, "copernicus", None).await.unwrap();
    assert!(report.is_success(), "{report:?}");
    assert!(store.profile(&model::ProfileKey::parse("4900590_097").unwrap()).await.unwrap().is_some());
}

fn argo_6902746_request(base: &str) -> TableRequest {
    TableRequest {
        base: format!("{base}/erddap"),
        dataset: "ArgoFloats".into(),
        variables: ARGO_VARIABLES.iter().map(|v| v.to_string()).collect(),
        constraints: ["platform_number=~\"6902746\"", "cycle_number=~\"34\"", "latitude!=NaN", "longitude!=NaN"]
            .map(String::from)
            .to_vec(),
        time: None,
        time_end_inclusive: true,
        bbox: None,
        bbox_end_inclusive: (true, true),
        functions: vec!["distinct()".into(), "orderBy(\"time,pres\")".into()],
        min_time_span: chrono::Duration::days(1),
    }
}

#[tokio::test]
async fn recorded_erddap_answers_replay_at_their_exact_uris() {
    let r = Replay::start().await;
    assert_eq!(r.load_manifest(&replay::fixtures_dir().join("manifest.json"), &replay::repo_root()), 4);
    let sources = Sources::new(config(&r.url())).unwrap();
    let http = &sources.http;

    // ArgoFloats .nc for one profile: the query is encoded once and matches the recorded URI.
    let parts = fetch_split(http, "argo-erddap", argo_6902746_request(&r.url()), 4).await.unwrap();
    assert_eq!(parts.len(), 1);
    assert_eq!(parts[0].1, std::fs::read(sample("argo/erddap_ArgoFloats_6902746_cyc34.nc")).unwrap());
    let raw = r.requests().pop().unwrap();
    assert!(raw.contains("platform_number=~%226902746%22") && !raw.contains('"'), "{raw}");

    // 404 "no matching results" is an empty answer, not an error.
    let mut empty = argo_6902746_request(&r.url());
    empty.constraints = [
        "longitude>=-60.0",
        "longitude<=-57.5",
        "latitude>=42.5",
        "latitude<=45.0",
        "pres>=0.0",
        "pres<=20.0",
        "time>=1185926400.0",
        "time<=1188604800.0",
        "latitude!=NaN",
        "longitude!=NaN",
    ]
    .map(String::from)
    .to_vec();
    assert_eq!(fetch_split(http, "argo-erddap", empty, 4).await.unwrap(), vec![]);
    assert_eq!(sources.http.stats().failures("argo-erddap"), 0);

    // A 413 that cannot be split (no time range, no box) is an error saying so.
    r.route(
        "/erddap/tabledap/ArgoFloats.nc?temp&platform_number=~\"6904240\"",
        Recorded::file(413, "text/plain;charset=UTF-8", replay::fixtures_dir().join("error_413_payload_too_large.txt")),
    );
    let mut big = argo_6902746_request(&r.url());
    big.variables = vec!["temp".into()];
    big.constraints = vec!["platform_number=~\"6904240\"".into()];
    big.functions = vec![];
    let err = fetch_split(http, "argo-erddap", big, 4).await.unwrap_err();
    assert!(matches!(err, super::FetchError::TooLarge { .. }), "{err}");

    // griddap bytes arrive intact, under their recorded URI.
    let grid = GridRequest {
        name: "viirs-chla".into(),
        base: format!("{}/erddap", r.url()),
        dataset: "noaacwNPPVIIRSchlaDaily".into(),
        variables: vec!["chlor_a".into()],
        axes: vec![
            AxisRange::new("2020-07-07T12:00:00Z", "2020-07-07T13:00:00Z"),
            AxisRange::new(0, 0),
            AxisRange::new(31, 30),
            AxisRange::new(-120, -119),
        ],
    };
    let parts = super::griddap::fetch_grid(http, "griddap", grid, 4).await.unwrap();
    let fixture = std::fs::read(replay::fixtures_dir().join("griddap_noaacwNPPVIIRSchlaDaily_chlor_a.nc")).unwrap();
    assert_eq!(parts.len(), 1);
    assert_eq!(parts[0].1, fixture);
}

/// A GDAC index naming the given (file, date_update) rows, with the real index's header.
fn gdac_index(rows: &[(&str, &str)]) -> String {
    let excerpt = std::fs::read_to_string(sample("argo/ar_index_global_prof_excerpt.txt")).unwrap();
    let mut out: String = excerpt.lines().take_while(|l| l.starts_with('#')).map(|l| format!("{l}\n")).collect();
    out.push_str("file,date,latitude,longitude,ocean,profiler_type,institution,date_update\n");
    for (file, du) in rows {
        out.push_str(&format!("{file},20070418120000,10.5,-30.25,A,846,AO,{du}\n"));
    }
    out
}

#[tokio::test]
async fn gdac_runs_fetch_only_new_and_changed_profile_files() {
    let r = Replay::start().await;
    let files = [
        ("aoml/4900590/profiles/D4900590_097.nc", "argo/D4900590_097.nc"),
        ("aoml/4900882/profiles/D4900882_029.nc", "argo/D4900882_029.nc"),
        ("aoml/13858/profiles/R13858_004.nc", "argo/R13858_004.nc"),
    ];
    for (path, local) in files {
        r.route(&format!("/dac/{path}"), Recorded::file(200, "application/x-netcdf", sample(local)));
    }
    let index = "/ar_index_global_prof.txt";
    r.route(
        index,
        Recorded::ok("text/plain", gdac_index(&[(files[0].0, "20190101000000"), (files[1].0, "20190101000000")])),
    );
    let store = mem_store().await;
    let sources = Sources::new(config(&r.url())).unwrap();
    let first = sources.run(&*store, "argo-gdac", None).await.unwrap();
    assert!(first.is_success(), "{first:?}");
    assert_eq!((first.written.profiles, first.written.index_rows), (2, 2));
    assert_eq!(r.hits_under("/dac/"), 2);

    // Nothing changed: only the index is read.
    let same = sources.run(&*store, "argo-gdac", None).await.unwrap();
    assert_eq!(same.written, store::WriteCounts::default());
    assert_eq!(r.hits_under("/dac/"), 2);

    // One file updated, one new: exactly those two are fetched.
    r.route(
        index,
        Recorded::ok(
            "text/plain",
            gdac_index(&[
                (files[0].0, "20190101000000"),
                (files[1].0, "20240301000000"),
                (files[2].0, "20240302000000"),
            ]),
        ),
    );
    // The new file fails once, then arrives.
    r.fail_next(&format!("/dac/{}", files[2].0), [Fault::Status(502)]);
    let next = sources.run(&*store, "argo-gdac", None).await.unwrap();
    assert!(next.is_success(), "{next:?}");
    assert_eq!(r.hits(&format!("/dac/{}", files[0].0)), 1);
    assert_eq!(r.hits(&format!("/dac/{}", files[1].0)), 2);
    assert_eq!(r.hits(&format!("/dac/{}", files[2].0)), 2);
    assert_eq!(next.written.index_rows, 2);
    for key in ["4900590_097", "4900882_029", "13858_004"] {
        assert!(store.profile(&model::ProfileKey::parse(key).unwrap()).await.unwrap().is_some(), "{key}");
    }
    assert_eq!(store.index_updates().await.unwrap().len(), 3);
}

#[tokio::test]
async fn requests_to_one_host_respect_the_per_host_limit() {
    let r = Replay::start().await;
    let mut rows = Vec::new();
    for local in ["argo/D4900590_097.nc", "argo/D4900882_029.nc", "argo/R13858_004.nc", "argo/D13857_001.nc"] {
        let file = local.trim_start_matches("argo/");
        let float = file[1..].split('_').next().unwrap();
        let path = format!("aoml/{float}/profiles/{file}");
        r.route(&format!("/dac/{path}"), Recorded::file(200, "application/x-netcdf", sample(local)));
        // Slow answers, so requests would overlap if the client let them.
        r.fail_next(&format!("/dac/{path}"), [Fault::Delay(Duration::from_millis(100))]);
        rows.push(path);
    }
    let index: Vec<(&str, &str)> = rows.iter().map(|p| (p.as_str(), "20190101000000")).collect();
    r.route("/ar_index_global_prof.txt", Recorded::ok("text/plain", gdac_index(&index)));
    let mut c = config(&r.url());
    c.http.per_host = 2;
    let store = mem_store().await;
    let sources = Sources::new(c).unwrap();
    let report = sources.run(&*store, "argo-gdac", None).await.unwrap();
    assert!(report.is_success(), "{report:?}");
    assert_eq!(report.written.profiles, 4);
    assert!(r.max_in_flight() <= 2, "{}", r.max_in_flight());
}

#[tokio::test]
async fn gdac_file_that_fails_is_fetched_again_next_run() {
    let r = Replay::start().await;
    let file = "aoml/4900590/profiles/D4900590_097.nc";
    r.route(&format!("/dac/{file}"), Recorded::file(200, "application/x-netcdf", sample("argo/D4900590_097.nc")));
    r.route("/ar_index_global_prof.txt", Recorded::ok("text/plain", gdac_index(&[(file, "20190101000000")])));
    r.fail_next(&format!("/dac/{file}"), [Fault::Garbage]);
    let store = mem_store().await;
    let sources = Sources::new(config(&r.url())).unwrap();
    let first = sources.run(&*store, "argo-gdac", None).await.unwrap();
    assert_eq!(first.rejected.len(), 1);
    assert!(store.index_updates().await.unwrap().is_empty());
    let second = sources.run(&*store, "argo-gdac", None).await.unwrap();
    assert!(second.is_success(), "{second:?}");
    assert_eq!(second.written.profiles, 1);
}

#[tokio::test]
async fn live_refresh_answers_live_or_falls_back_within_the_deadline() {
    let r = ndbc_replay().await;
    let store = mem_store().await;
    let sources = Sources::new(config(&r.url())).unwrap();
    let live = sources.live_buoy(&*store, "TPLM2").await;
    assert_eq!(live.data_source, DataSource::LiveApi, "{live:?}");
    assert!(store.counts().await.unwrap().series_points > 0);

    // The upstream hangs: the answer comes from the store when the deadline passes.
    r.always("/data/realtime2/", Fault::Delay(Duration::from_secs(20)));
    let t0 = Instant::now();
    let fallback = sources.live_buoy(&*store, "TPLM2").await;
    assert_eq!(fallback.data_source, DataSource::LocalDb);
    assert!(fallback.note.as_deref().unwrap_or("").contains("within 300 ms"), "{fallback:?}");
    assert!(t0.elapsed() < Duration::from_secs(20));
}

#[test]
fn unknown_sources_are_named_in_the_error() {
    let e = super::source("ftp").err().unwrap();
    assert!(e.to_string().contains("argo-gdac"), "{e}");
    assert!(SourcesConfig::default().set_base_url("nope", "http://x").is_err());
}

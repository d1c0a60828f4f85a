//! Live sources end to end against the replay server (no network): `halocline fetch` ingests an NDBC
//! realtime file, Argo profiles through the GDAC index diff and griddap grids, all visible in the API;
//! `?live=true` answers `live_api` or falls back to `local_db`; a 413 from an ERDDAP (halocline's own
//! facade behind the replay server) is split and the union equals the unsplit answer.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use ingest::sources::erddap::{ARGO_VARIABLES, BBox, TableRequest, fetch_split};
use ingest::sources::{HttpConfig, Sources, SourcesConfig};
use replay::{Fault, Recorded, Replay};

const BIN: &str = env!("CARGO_BIN_EXE_halocline");

fn sample(rel: &str) -> PathBuf {
    replay::repo_root().join("data/sample").join(rel)
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

fn fetch(db: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(BIN)
        .arg("fetch")
        .args(args)
        .args(["--db", db, "--retry-delay-ms", "1", "--read-timeout-secs", "5"])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    eprintln!("halocline fetch {}\n{text}", args.join(" "));
    (out.status.success(), text)
}

fn gdac_index(rows: &[(&str, &str)]) -> String {
    let excerpt = std::fs::read_to_string(sample("argo/ar_index_global_prof_excerpt.txt")).unwrap();
    let mut out: String = excerpt.lines().take_while(|l| l.starts_with('#')).map(|l| format!("{l}\n")).collect();
    out.push_str("file,date,latitude,longitude,ocean,profiler_type,institution,date_update\n");
    for (file, du) in rows {
        out.push_str(&format!("{file},20070418120000,10.5,-30.25,A,846,AO,{du}\n"));
    }
    out
}

async fn get_json(router: &server::Router, uri: &str) -> (u16, serde_json::Value) {
    let (status, body) = server::get_in_process(router, uri).await.unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null))
}

#[test]
fn halocline_fetch_ingests_ndbc_argo_and_grids_visible_in_the_api() {
    let rt = rt();
    let r = rt.block_on(Replay::start());
    r.route(
        "/data/realtime2/TPLM2.txt",
        Recorded::file(200, "text/plain", sample("buoy/TPLM2_realtime2_2022-08-13.txt")),
    );
    r.fail_next("/data/realtime2/TPLM2.txt", [Fault::Status(500)]);
    let profile = "aoml/4900590/profiles/D4900590_097.nc";
    r.route(&format!("/dac/{profile}"), Recorded::file(200, "application/x-netcdf", sample("argo/D4900590_097.nc")));
    r.route("/ar_index_global_prof.txt", Recorded::ok("text/plain", gdac_index(&[(profile, "20190101000000")])));
    // A CRW-like griddap grid at each default grid's URI (the grids helper's fixture when present, else a
    // real CoastWatch griddap answer).
    let crw_like = sample("grids/crw_like_griddap.nc");
    let gridded_reader = crw_like.is_file();
    let grid_file = if gridded_reader {
        crw_like
    } else {
        replay::fixtures_dir().join("griddap_noaacwNPPVIIRSchlaDaily_chlor_a.nc")
    };
    let mut grid_config = SourcesConfig::default();
    grid_config.set_base_url("griddap", &format!("{}/erddap", r.url())).unwrap();
    for g in &grid_config.grids {
        let path = g.url().split_once("/erddap").unwrap().1.to_string();
        r.route(&format!("/erddap{path}"), Recorded::file(200, "application/x-netcdf", &grid_file));
    }

    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("live.db").display());
    let base = r.url();
    let (ok, out) = fetch(&db, &["ndbc", "--base-url", &base, "--ndbc-files", "TPLM2.txt"]);
    assert!(ok, "{out}");
    assert!(out.contains("ndbc: 1 answers (0 empty), 0 rejected, 0 failed"), "{out}");
    assert_eq!(r.hits("/data/realtime2/TPLM2.txt"), 2);
    let (ok, out) = fetch(&db, &["argo-gdac", "--base-url", &base]);
    assert!(ok, "{out}");
    assert!(out.contains("1 profiles") && out.contains("1 index rows"), "{out}");
    // Re-fetching adds nothing.
    let (ok, out) = fetch(&db, &["ndbc", "--base-url", &base, "--ndbc-files", "TPLM2.txt"]);
    assert!(ok && out.contains("written: 0 platforms, 0 profiles, 0 levels, 0 series points"), "{out}");
    let (ok, out) = fetch(&db, &["griddap", "--base-url", &format!("{base}/erddap")]);
    // Every grid's bytes arrived; with the gridded reader (and its CRW-like fixture) they are stored.
    assert!(out.contains("griddap: 3 answers (0 empty)") && out.contains("0 failed"), "{out}");
    if gridded_reader {
        assert!(ok && out.contains("0 rejected"), "{out}");
    }

    // Visible in the API.
    rt.block_on(async {
        let store = store::open(&db).await.unwrap();
        let router = server::router(server::AppState::new(store.clone()));
        let (status, series) = get_json(&router, "/api/buoys/TPLM2/series?variable=air_temperature").await;
        assert_eq!(status, 200, "{series}");
        assert!(series["count"].as_u64().unwrap() > 100, "{series}");
        assert_eq!(series["data_source"], "local_db");
        let (status, p) = get_json(&router, "/api/profiles/4900590_097").await;
        assert_eq!(status, 200, "{p}");
        if gridded_reader {
            // The fetched CRW-like SST grid is in the grid catalogue.
            let (status, grids) = get_json(&router, "/api/grids").await;
            assert_eq!(status, 200, "{grids}");
            assert!(grids.to_string().contains("crwLikeDaily") && grids.to_string().contains("CRW_SST"), "{grids}");
        }
        assert_eq!(store.index_updates().await.unwrap().len(), 1);

        // ?live=true refreshes from the live source within the deadline.
        let mut c = SourcesConfig {
            http: HttpConfig { min_delay: Duration::from_millis(1), jitter: false, ..HttpConfig::default() },
            ndbc_files: vec!["TPLM2.txt".into()],
            live_deadline: Duration::from_millis(2000),
            ..SourcesConfig::default()
        };
        c.set_base_url("ndbc", &base).unwrap();
        let live = server::router(server::AppState::new(store.clone()).with_live(Some(Sources::new(c).unwrap())));
        let (status, series) = get_json(&live, "/api/buoys/TPLM2/series?variable=air_temperature&live=true").await;
        assert_eq!(status, 200, "{series}");
        assert_eq!(series["data_source"], "live_api", "{series}");
        assert!(DateTime::parse_from_rfc3339(series["fetched_at"].as_str().unwrap()).is_ok());
        let (_, latest) = get_json(&live, "/data/latest?live=true").await;
        assert_eq!(latest[0]["data_source"], "live_api", "{latest}");

        // A dead upstream: the answer comes from the store, and says so.
        r.always("/data/realtime2/", Fault::Delay(Duration::from_secs(30)));
        let mut c = SourcesConfig { live_deadline: Duration::from_millis(300), ..SourcesConfig::default() };
        c.set_base_url("ndbc", &base).unwrap();
        c.ndbc_files = vec!["TPLM2.txt".into()];
        let dead = server::router(server::AppState::new(store.clone()).with_live(Some(Sources::new(c).unwrap())));
        let t0 = std::time::Instant::now();
        let (status, latest) = get_json(&dead, "/data/latest?live=true").await;
        assert_eq!(status, 200);
        assert!(t0.elapsed() < Duration::from_secs(30));
        let tplm2 = latest.as_array().unwrap().iter().find(|x| x["location_id"] == "TPLM2").unwrap();
        assert_eq!(tplm2["data_source"], "local_db", "{tplm2}");
        let (status, _) = get_json(&dead, "/data/latest?live=maybe").await;
        assert_eq!(status, 400);
    });
}

/// The time range an ERDDAP query asks for, in days (`None` when it has no complete range).
fn days_asked(query: &str) -> Option<f64> {
    let bound = |prefix: &str| -> Option<DateTime<Utc>> {
        let i = query.find(prefix)? + prefix.len();
        let rest = query[i..].trim_start_matches('=');
        let v = rest.split('&').next()?;
        Some(DateTime::parse_from_rfc3339(v).ok()?.with_timezone(&Utc))
    };
    Some((bound("time<")? - bound("time>=")?).num_seconds() as f64 / 86400.0)
}

fn lon_width(query: &str) -> Option<f64> {
    let val = |prefix: &str| -> Option<f64> {
        let i = query.find(prefix)? + prefix.len();
        query[i..].trim_start_matches('=').split('&').next()?.parse().ok()
    };
    Some(val("longitude<")? - val("longitude>=")?)
}

async fn ingest_parts(store: &dyn store::Store, parts: Vec<(String, Vec<u8>)>) {
    for (_, bytes) in parts {
        let prepared = ingest::prepare_bytes(Path::new("ArgoFloats.nc"), &bytes);
        let outcome = ingest::write(store, prepared).await;
        assert!(outcome.error.is_none(), "{:?}", outcome.error);
    }
}

#[test]
fn a_413_is_split_and_the_union_equals_the_unsplit_answer() {
    rt().block_on(async {
        // The upstream: halocline's own ERDDAP facade over the sample Argo profiles.
        let upstream_store: Arc<dyn store::Store> = Arc::new(store::SqliteStore::open(":memory:").await.unwrap());
        let files = ingest::discover(&[sample("argo")]).unwrap();
        let s = ingest::ingest_files(upstream_store.clone(), files, |_| {}).await;
        assert!(s.skipped.is_empty(), "{:?}", s.skipped);
        let n_profiles = upstream_store.counts().await.unwrap().profiles;
        assert!(n_profiles > 4, "{n_profiles}");
        let upstream = server::router(server::AppState::new(upstream_store.clone()));
        let strict = Replay::start_with_upstream(Some(upstream.clone())).await;
        // Too large: more than 500,000 day-degrees (days × degrees of longitude).
        strict.rule(|path, query| {
            let big = days_asked(query).zip(lon_width(query)).is_some_and(|(d, w)| d * w > 500_000.0);
            (path.ends_with("/ArgoFloats.nc") && big).then_some(Fault::TooLarge)
        });
        let lenient = Replay::start_with_upstream(Some(upstream)).await;

        let req = |base: &str| TableRequest {
            base: format!("{base}/erddap"),
            dataset: "ArgoFloats".into(),
            variables: ARGO_VARIABLES.iter().map(|v| v.to_string()).collect(),
            constraints: vec!["latitude!=NaN".into(), "longitude!=NaN".into()],
            time: Some((
                Utc.with_ymd_and_hms(1997, 1, 1, 0, 0, 0).unwrap(),
                Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
            )),
            time_end_inclusive: true,
            bbox: Some(BBox { west: -180.0, east: 180.0, south: -90.0, north: 90.0 }),
            bbox_end_inclusive: (true, true),
            functions: vec!["distinct()".into(), "orderBy(\"time,pres\")".into()],
            // Time is halved down to ~2,500 days here, then the box.
            min_time_span: chrono::Duration::days(3000),
        };
        let config = HttpConfig { min_delay: Duration::from_millis(1), jitter: false, ..HttpConfig::default() };
        let http = ingest::sources::HttpClient::new(config).unwrap();
        let whole = fetch_split(&http, "argo-erddap", req(&lenient.url()), 10).await.unwrap();
        assert_eq!(whole.len(), 1);
        let split = fetch_split(&http, "argo-erddap", req(&strict.url()), 10).await.unwrap();
        assert!(split.len() > 2, "{} parts", split.len());
        eprintln!("413: {} requests, {} parts with data", strict.requests().len(), split.len());
        let asked = strict.requests();
        // Halved by time (two levels), then by longitude.
        assert!(asked.iter().any(|q| q.contains("longitude%3C0&")), "{asked:#?}");
        assert!(strict.requests().len() > split.len());

        let a: Arc<dyn store::Store> = Arc::new(store::SqliteStore::open(":memory:").await.unwrap());
        let b: Arc<dyn store::Store> = Arc::new(store::SqliteStore::open(":memory:").await.unwrap());
        ingest_parts(&*a, whole).await;
        ingest_parts(&*b, split).await;
        let all = store::ProfileFilter::default();
        let (pa, pb) = (a.profiles(&all).await.unwrap(), b.profiles(&all).await.unwrap());
        assert!(pa.len() > 100, "{} profiles", pa.len());
        assert_eq!(pa.len() as u64, a.counts().await.unwrap().profiles);
        let key = |p: &model::Profile| p.key().id();
        let mut ka: Vec<String> = pa.iter().map(key).collect();
        let mut kb: Vec<String> = pb.iter().map(key).collect();
        ka.sort();
        kb.sort();
        assert_eq!(ka, kb);
        assert_eq!(a.counts().await.unwrap().levels, b.counts().await.unwrap().levels);
        for p in &pa {
            let q = pb.iter().find(|q| q.key() == p.key()).unwrap();
            assert_eq!(p.time, q.time);
            assert_eq!(p.position, q.position);
            assert_eq!(p.params.len(), q.params.len());
            for (x, y) in p.params.iter().zip(&q.params) {
                assert_eq!(x.name, y.name);
                assert_eq!(
                    x.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    y.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
                );
            }
        }
    });
}

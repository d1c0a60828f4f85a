//! PostgreSQL end to end, when `TEST_DATABASE_URL` names a database with PostGIS (`.ci/run` sets it):
//! the demo data migrated from SQLite (interrupted, resumed, verified, re-run as a no-op) answers the same
//! JSON on both backends, and an ingest killed with SIGKILL recovers to the clean counts on a re-run.
//! Each test works in a schema of its own.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_halocline");

fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn pg_url(test: &str) -> Option<String> {
    let url = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty());
    if url.is_none() {
        eprintln!("{test}: TEST_DATABASE_URL is not set; the PostgreSQL half is skipped");
    }
    url.map(|u| store::fresh_schema_url(&u, test))
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

fn run(args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).env_remove("DATABASE_URL").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{args:?} failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

/// Requests whose answers must be byte-identical on both backends.
const QUERIES: &[&str] = &[
    "/api/platforms",
    "/api/platforms?kind=buoy",
    "/api/profiles/4900590_097",
    "/api/profiles/1902714_001D",
    "/api/profiles/6902746_034",
    "/api/profiles/4900590_999",
    "/api/argo?platform=4900590&data=all",
    "/api/argo?id=6902746_034&data=pressure,temperature",
    "/api/argo?box=%5B%5B-70,35%5D,%5B-65,40%5D%5D&startDate=2012-01-01T00:00:00Z&endDate=2012-03-01T00:00:00Z&data=pressure,temperature,salinity&presRange=0,10",
    "/api/argo?box=%5B%5B150,-60%5D,%5B-170,-50%5D%5D&startDate=2011-01-01T00:00:00Z&endDate=2011-02-01T00:00:00Z&data=all",
    "/api/argo?center=-22,-1&radius=500&startDate=2010-05-01T00:00:00Z&endDate=2010-12-01T00:00:00Z&data=all",
    "/api/argo?center=-18,38&radius=400&startDate=2018-02-01T00:00:00Z&endDate=2018-04-01T00:00:00Z&compression=minimal",
    "/api/argo?polygon=%5B%5B-25,36%5D,%5B-10,36%5D,%5B-10,40%5D,%5B-25,40%5D,%5B-25,36%5D%5D&startDate=2018-02-01T00:00:00Z&endDate=2018-05-01T00:00:00Z&data=temperature",
    "/api/argo?multipolygon=%5B%5B%5B-25,36%5D,%5B-10,36%5D,%5B-10,40%5D,%5B-25,40%5D,%5B-25,36%5D%5D,%5B%5B-20,30%5D,%5B0,30%5D,%5B0,45%5D,%5B-20,30%5D%5D%5D&startDate=2018-02-01T00:00:00Z&endDate=2018-05-01T00:00:00Z",
    "/api/argo/meta?id=4900590_097",
    "/api/argo/vocabulary?parameter=platform",
    "/api/series?platform=44005&variable=sea_surface_temperature&startDate=2012-01-01T00:00:00Z&endDate=2012-01-03T00:00:00Z",
    "/api/buoys",
    "/api/buoys?box=%5B%5B-71,42%5D,%5B-66,45%5D%5D&startDate=2012-06-01&endDate=2012-07-01",
    "/api/buoys/44005/series?variable=WTMP&startDate=2012-01-01T00:00:00Z&endDate=2012-01-02T00:00:00Z",
    "/api/reefs",
    "/api/reefs?center=-81.6,24.7&radius=50",
    "/api/reefs/florida_keys/heatstress?startDate=2023-07-01&endDate=2023-10-01",
    "/data/latest",
    "/api/locations/",
    "/api/observations/?location=44005&variable=sea_surface_temperature",
    "/api/grids",
    "/api/grids/crwLikeDaily/CRW_DHW?time=2023-07-04&stride=2",
    "/api/grids/GEBCO_2020/elevation/legend",
];

#[test]
fn demo_data_migrates_from_sqlite_verified_and_the_api_answers_alike() {
    let Some(pg) = pg_url("migrate") else { return };
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("demo.db").display());
    let t = Instant::now();
    run(&["demo", "--no-serve", "--db", &sqlite, "--data", repo().join("data/sample").to_str().unwrap()]);
    eprintln!("demo ingest {:?}", t.elapsed());
    rt().block_on(async {
        // Interrupted part-way through the series (as a crash would leave it), then resumed.
        let mut chunks = 0;
        let first = store::transfer::migrate(&sqlite, &pg, false, 20_000, |table, _| {
            chunks += usize::from(table == "series");
            chunks < 2
        })
        .await
        .unwrap();
        assert!(first.interrupted);
        assert_eq!(first.copied.last(), Some(&("series", 40_000)));
        let second = store::transfer::migrate(&sqlite, &pg, false, 20_000, |_, _| true).await.unwrap();
        assert_eq!(second.resumed, ["series"]);
        let copied: Vec<(&str, u64)> = second.copied.clone();
        assert_eq!(copied[0], ("platforms", 0));
        assert_eq!(copied[2], ("series", 101_809 - 40_000));
        assert!(second.verified(), "{second:?}");
        let rows: Vec<(&str, u64)> = second.target.iter().map(|t| (t.table, t.rows)).collect();
        assert_eq!(
            rows,
            [
                ("platforms", 1378),
                ("profiles", 212),
                ("series", 101_809),
                ("reef_sites", 1),
                ("heat_stress", 14_461),
                ("profile_index", 2702),
                ("ingested_files", 32),
                ("grids", 499)
            ]
        );
    });
    eprintln!("migrated {:?}", t.elapsed());
    // Run again through the command: nothing to copy, every table verified.
    let out = run(&["migrate", "--from", &sqlite, "--to", &pg]);
    assert!(out.contains("nothing to copy"), "{out}");
    assert_eq!(out.matches("| ok |").count(), 8, "{out}");

    rt().block_on(async {
        let a: Arc<dyn store::Store> = store::open(&sqlite).await.unwrap();
        let b: Arc<dyn store::Store> = store::open(&pg).await.unwrap();
        // Re-ingesting the sample into the migrated store changes nothing (the digests agree).
        let again = run(&["ingest", repo().join("data/sample/argo").to_str().unwrap(), "--db", &pg]);
        assert!(again.contains("profiles                  213 read          0 new or changed"), "{again}");
        assert_eq!(a.counts().await.unwrap(), b.counts().await.unwrap());
        let (ra, rb) = (server::router(server::AppState::new(a)), server::router(server::AppState::new(b)));
        let mut nonempty = 0;
        for uri in QUERIES {
            let t = Instant::now();
            let (sa, ba) = server::get_in_process(&ra, uri).await.unwrap();
            let ta = t.elapsed();
            let (sb, bb) = server::get_in_process(&rb, uri).await.unwrap();
            eprintln!("{uri}: {sa} {} bytes; sqlite {ta:?}, postgres {:?}", ba.len(), t.elapsed() - ta);
            assert_eq!(sa, sb, "{uri}");
            assert_eq!(without_fetch_time(&ba), without_fetch_time(&bb), "{uri}");
            nonempty += usize::from(sa == 200 && ba.len() > 2);
        }
        assert!(nonempty >= QUERIES.len() - 2, "only {nonempty} queries found something");
    });
}

/// The body with the values that depend on the moment of the request blanked: `fetched_at` (when the
/// store was read) and `age_seconds` (how old the newest value is now).
fn without_fetch_time(body: &[u8]) -> String {
    let mut text = String::from_utf8_lossy(body).into_owned();
    for key in ["\"fetched_at\":", "\"age_seconds\":"] {
        let mut from = 0;
        while let Some(i) = text[from..].find(key) {
            let start = from + i + key.len();
            let end = text[start..].find([',', '}']).map_or(text.len(), |j| start + j);
            text.replace_range(start..end, "_");
            from = start;
        }
    }
    text
}

fn many_argo_files(dir: &Path, n: usize) {
    let src = std::fs::read(repo().join("data/sample/argo/D4900590_097.nc")).unwrap();
    let nc = formats::netcdf::NcFile::parse(&src).unwrap();
    let v = nc.var("PLATFORM_NUMBER").unwrap();
    let (begin, width) = (v.begin, *v.shape.last().unwrap());
    for i in 0..n {
        let mut b = src.clone();
        let id = format!("{:<width$}", 7_000_000 + i);
        b[begin..begin + width].copy_from_slice(id.as_bytes());
        std::fs::write(dir.join(format!("D{}_097.nc", 7_000_000 + i)), b).unwrap();
    }
}

fn counts(url: &str) -> store::TableCounts {
    rt().block_on(async { store::open(url).await.unwrap().counts().await.unwrap() })
}

#[test]
fn sigkill_during_a_postgres_ingest_then_rerun_gives_the_clean_counts() {
    let Some(clean) = pg_url("crash_clean") else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    many_argo_files(&data, 400);
    std::fs::copy(repo().join("data/sample/buoy/44005h2012.txt"), data.join("44005h2012.txt")).unwrap();
    let folder = data.to_str().unwrap();

    let t = Instant::now();
    run(&["ingest", folder, "--db", &clean]);
    let clean_time = t.elapsed();
    let expected = counts(&clean);
    assert_eq!(expected.profiles, 400);

    let mut partial_seen = false;
    for (attempt, fraction) in [0.15, 0.3, 0.45, 0.6, 0.75].into_iter().enumerate() {
        let crashed = pg_url(&format!("crash{attempt}")).unwrap();
        // Schema and migrations first, so that the kill lands in the ingest itself.
        counts(&crashed);
        let mut child = Command::new(BIN)
            .args(["ingest", folder, "--db", &crashed])
            .env_remove("DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(clean_time.mul_f64(fraction).max(Duration::from_millis(20)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let partial = counts(&crashed);
        let was_partial = partial.files < expected.files;
        run(&["ingest", folder, "--db", &crashed]);
        assert_eq!(counts(&crashed), expected, "attempt {attempt} (killed at {fraction} of the clean time)");
        if was_partial && partial.profiles < expected.profiles {
            partial_seen = true;
            break;
        }
    }
    assert!(partial_seen, "no kill landed part-way through the folder; make the folder bigger");
}

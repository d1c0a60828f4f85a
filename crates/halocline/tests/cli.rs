//! End-to-end tests of the `halocline` binary: idempotent re-ingest of the real data folders and crash
//! safety (SIGKILL part-way through a folder, then a re-run gives exactly the counts of a clean run).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_halocline");

fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn counts(db: &Path) -> store::TableCounts {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let s = store::open(&format!("sqlite://{}", db.display())).await.unwrap();
        s.counts().await.unwrap()
    })
}

fn ingest(db: &Path, paths: &[PathBuf]) -> String {
    let out = Command::new(BIN)
        .arg("ingest")
        .args(paths)
        .arg("--db")
        .arg(format!("sqlite://{}", db.display()))
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "ingest failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

/// The folders the acceptance names: ../shared/data/{argo,buoy,crw} when present (CI), else data/sample.
fn data_folders() -> Vec<PathBuf> {
    let shared = repo().join("../shared/data");
    let base = if shared.join("argo").is_dir() { shared } else { repo().join("data/sample") };
    ["argo", "buoy", "crw"].iter().map(|d| base.join(d)).collect()
}

#[test]
fn second_ingest_of_the_data_folders_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let first = ingest(&db, &data_folders());
    let c1 = counts(&db);
    assert!(c1.profiles >= 212 && c1.series_points >= 101_809 && c1.index_rows == 2_702, "{c1:?}\n{first}");
    assert_eq!((c1.heat_stress_days, c1.reef_sites), (14_461, 1), "{first}");
    let second = ingest(&db, &data_folders());
    assert_eq!(counts(&db), c1);
    for line in second.lines().filter(|l| l.contains(" read ")) {
        assert!(line.trim_end().ends_with(" 0 new or changed"), "second run changed rows: {line}\n{second}");
    }
    // The only files skipped are the ones halocline does not read (ERDDAP info documents, a Euro-Argo
    // trajectory, a daily-temperature CSV), each with its reason.
    let skipped: Vec<&str> = second
        .lines()
        .skip_while(|l| !l.starts_with("skipped"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.trim().split(": ").next())
        .map(|p| p.rsplit('/').next().unwrap_or(p))
        .collect();
    let expected: &[&str] = if data_folders()[0].starts_with(repo().join("data/sample")) {
        &[]
    } else {
        &[
            "erddap_info_ArgoFloats_index.json",
            "erddap_info_index.json",
            "euroargo_trajectory_6902755.json",
            "gulf_of_maine_daily_temp_1905-2012.csv",
        ]
    };
    assert_eq!(skipped, expected, "{second}");
}

/// Writes `n` real Argo files that differ only in their platform number (patched in place).
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

#[test]
fn sigkill_part_way_then_rerun_gives_the_clean_counts() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    many_argo_files(&data, 400);
    std::fs::copy(repo().join("data/sample/buoy/44005h2012.txt"), data.join("44005h2012.txt")).unwrap();

    let clean = dir.path().join("clean.db");
    let t = Instant::now();
    ingest(&clean, std::slice::from_ref(&data));
    let clean_time = t.elapsed();
    let expected = counts(&clean);
    assert_eq!(expected.profiles, 400);

    // Kill at growing fractions of the clean run's time until one kill lands part-way (a loaded machine
    // makes any single delay unreliable); every attempt must recover to exactly the clean counts.
    let mut partial_seen = false;
    for (attempt, fraction) in [0.15, 0.3, 0.45, 0.6, 0.75].into_iter().enumerate() {
        let crashed = dir.path().join(format!("crashed{attempt}.db"));
        let mut child = Command::new(BIN)
            .arg("ingest")
            .arg(&data)
            .arg("--db")
            .arg(format!("sqlite://{}", crashed.display()))
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
        if was_partial {
            assert!(partial.profiles <= expected.profiles, "{partial:?}");
        }
        ingest(&crashed, std::slice::from_ref(&data));
        assert_eq!(counts(&crashed), expected, "attempt {attempt} (killed at {fraction} of the clean time)");
        if was_partial && partial.profiles < expected.profiles {
            partial_seen = true;
            break;
        }
    }
    assert!(partial_seen, "no kill landed part-way through the folder; make the folder bigger");
}

#[test]
fn demo_ingests_the_bundled_sample_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("demo.db").display());
    let run = || {
        let out = Command::new(BIN)
            .args(["demo", "--no-serve", "--db", &db])
            .current_dir(repo())
            .env_remove("DATABASE_URL")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let first = run();
    assert!(first.contains("ingesting the bundled sample"), "{first}");
    let second = run();
    assert!(second.contains("already holds"), "{second}");
}

/// `halocline nlq --now DATE --json QUESTION` prints exactly the NLQ contract's object on stdout.
#[test]
fn nlq_prints_the_contract_json() {
    let out = Command::new(BIN)
        .args(["nlq", "--now", "2025-06-15", "--json", "average SST in the Bering Sea for the last three months"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let keys = ["variables", "region", "time", "depth", "agg", "platform", "value_filter", "clarify"];
    let at: Vec<usize> = keys.iter().map(|k| text.find(&format!("\"{k}\":")).expect(k)).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "keys in the contract's order: {text}");
    assert_eq!(v.as_object().unwrap().len(), keys.len());
    assert_eq!(v["variables"], serde_json::json!(["sst"]));
    assert_eq!(v["region"]["type"], "MultiPolygon");
    assert_eq!(v["time"], serde_json::json!(["2025-03-15", "2025-06-15"]));
    assert_eq!(v["agg"], "mean");
    assert_eq!(v["clarify"], false);
    let bad = Command::new(BIN).args(["nlq", "--now", "June", "SST"]).output().unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a date"));
}

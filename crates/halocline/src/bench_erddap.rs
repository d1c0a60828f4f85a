//! `halocline bench erddap`: fills a SQLite store with synthetic Argo profiles (PRES, TEMP, PSAL with QC,
//! `levels` levels each) up to `rows` levels, then streams the whole of it as tabledap `.csv` and `.nc`
//! through the ERDDAP routes in process, counting bytes as they arrive. Prints rows/s, MB/s and the
//! peak resident memory of each answer (the peak is reset before each one through /proc/self/clear_refs).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use model::{DataMode, Direction, ParamColumn, Point, Profile, QcFlag};
use store::{FileBatch, Store};

fn profile(i: usize, levels: usize) -> Profile {
    let start = Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).single().unwrap_or_default();
    let mut p = Profile::empty(format!("{}", 3_000_000 + i / 200), (i % 200) as i32, Direction::Ascending);
    p.time = Some(start + Duration::hours(i as i64 * 7));
    p.time_qc = QcFlag::GOOD;
    p.position = Point::new(-179.0 + (i % 358) as f64, -60.0 + (i % 120) as f64).ok();
    p.position_qc = QcFlag::GOOD;
    p.data_mode = DataMode::RealTime;
    p.source_file = "synthetic".into();
    let pres: Vec<f32> = (0..levels).map(|k| 2.0 + k as f32 * 2.0).collect();
    let temp: Vec<f32> = pres.iter().map(|z| 28.0 - z / 100.0 + (i % 7) as f32 * 0.013).collect();
    let psal: Vec<f32> = pres.iter().map(|z| 34.5 + z / 4000.0).collect();
    p.params = [("PRES", pres), ("TEMP", temp), ("PSAL", psal)]
        .into_iter()
        .map(|(n, v)| ParamColumn { qc: vec![QcFlag::GOOD; levels], ..ParamColumn::raw(n, DataMode::RealTime, v) })
        .collect();
    p
}

/// Resets the process's peak resident set (VmHWM) so the next reading covers only what follows.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// `RssAnon` and `RssFile` of this process in MiB (heap and stacks; mapped files such as SQLite's
/// memory-mapped database).
fn rss_parts() -> (f64, f64) {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        s.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
            / 1024.0
    };
    (kb("RssAnon:"), kb("RssFile:"))
}

/// Samples `rss_parts` every 5 ms until dropped; `peaks` gives the largest of each seen.
struct RssSampler {
    stop: Arc<std::sync::atomic::AtomicBool>,
    handle: Option<std::thread::JoinHandle<(f64, f64)>>,
}

impl RssSampler {
    fn start() -> RssSampler {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let (mut anon, mut file) = (0.0f64, 0.0f64);
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                let (a, f) = rss_parts();
                anon = anon.max(a);
                file = file.max(f);
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            (anon, file)
        });
        RssSampler { stop, handle: Some(handle) }
    }

    fn peaks(mut self) -> (f64, f64) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.handle.take().and_then(|h| h.join().ok()).unwrap_or((f64::NAN, f64::NAN))
    }
}

pub async fn run(rows: usize, levels: usize, db: Option<PathBuf>) -> anyhow::Result<()> {
    anyhow::ensure!(levels > 0 && rows >= levels, "--rows must be at least --levels, and --levels positive");
    let n = rows / levels;
    let tmp = std::env::temp_dir().join(format!("halocline-bench-erddap-{}", std::process::id()));
    let path = match &db {
        Some(p) => p.clone(),
        None => {
            std::fs::create_dir_all(&tmp)?;
            tmp.join("erddap.db")
        }
    };
    let store: Arc<dyn Store> = store::open(&format!("sqlite://{}", path.display())).await?;
    let have = store.counts().await?.profiles as usize;
    if have < n {
        let t = Instant::now();
        let mut i = have;
        while i < n {
            let m = 200.min(n - i);
            let profiles: Vec<Profile> = (i..i + m).map(|k| profile(k, levels)).collect();
            store.write_file(&FileBatch { source: format!("synthetic#{i}"), profiles, ..Default::default() }).await?;
            i += m;
        }
        store.checkpoint().await?;
        println!("loaded {} synthetic profiles × {levels} levels in {:.1} s", n - have, t.elapsed().as_secs_f64());
    }
    let total = n * levels;
    let app = server::router(server::AppState::new(store.clone()));
    let vars = "platform_number,cycle_number,time,latitude,longitude,pres,pres_qc,temp,temp_qc,psal,psal_qc";
    println!(
        "| answer ({total} rows, {} columns, in process) | seconds | rows/s | MB/s | peak RSS MiB | peak anon / file MiB | anon before → growth MiB |",
        vars.split(',').count()
    );
    println!("|---|---|---|---|---|---|---|");
    for ext in ["csv", "nc"] {
        // What the process already holds (the loader's page cache, the runtime): the answer's own memory is
        // the growth over it.
        let (anon_before, _) = rss_parts();
        reset_peak();
        let sampler = RssSampler::start();
        let t = Instant::now();
        let uri = format!("/erddap/tabledap/ArgoFloats.{ext}?{vars}");
        let (status, bytes) = server::get_in_process_streamed(&app, &uri).await.map_err(anyhow::Error::msg)?;
        anyhow::ensure!(status == 200, "{uri}: status {status}");
        let s = t.elapsed().as_secs_f64();
        let (anon, file) = sampler.peaks();
        println!(
            "| .{ext} ({:.0} MB) | {s:.1} | {:.2} M | {:.0} | {:.0} | {anon:.0} / {file:.0} | {anon_before:.0} → +{:.0} |",
            bytes as f64 / 1e6,
            total as f64 / s / 1e6,
            bytes as f64 / s / 1e6,
            crate::bench::peak_rss_mib(),
            (anon - anon_before).max(0.0)
        );
    }
    if db.is_none() {
        drop(store);
        let _ = std::fs::remove_dir_all(&tmp);
    }
    Ok(())
}

//! `halocline bench ingest`: Argo parsing and SQLite ingest throughput on the real sample files, printed
//! as a table (compare with shared/bench/argo_netcdf.py run on the same machine in the same session).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use formats::{Dataset, FileKind};

#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// Ocean Chat's parser: p50 / p99 parse time over the NLQ dev set (or --cases FILE.jsonl).
    Nlq {
        /// JSONL cases with a "q" field (default: ../shared/eval/nlq/dev.jsonl, else the repo's extra cases).
        #[arg(long)]
        cases: Option<PathBuf>,
        /// Times each question is parsed.
        #[arg(long, default_value_t = 200)]
        rounds: usize,
    },
    /// Load N synthetic profiles (positions like the GDAC index, 20 levels) and time three API queries.
    Api {
        /// Profiles to load.
        #[arg(long, default_value_t = 1_000_000)]
        profiles: usize,
        /// Requests per query kind for the latency percentiles.
        #[arg(long, default_value_t = 200)]
        requests: usize,
        /// Keep the database here instead of a temporary file (re-used when it already holds the profiles):
        /// a path or sqlite:// URL, or postgres://USER@HOST:PORT/DB to measure PostgreSQL.
        #[arg(long)]
        db: Option<String>,
        /// Load the profiles at the ids, times and positions of this file (lines `id<TAB>ISO time<TAB>lon<TAB>lat`,
        /// as `scripts/bench-postgis.sh` writes the rows of ../shared/bench/postgis_profiles.py) and also time
        /// that script's queries (pg-box, pg-radius, pg-radius-month) on them.
        #[arg(long)]
        rows: Option<PathBuf>,
        /// Time only these query kinds (comma-separated among a, b, b-min, c, c-min, pg-box, pg-radius,
        /// pg-radius-month, wrk), e.g. for a profiler.
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
    },
    /// Streams tabledap `.csv` and `.nc` answers of N rows (synthetic Argo profiles in a SQLite store)
    /// through the ERDDAP routes; prints rows/s and peak memory per format.
    Erddap {
        /// Rows (levels) in the store and in each answer.
        #[arg(long, default_value_t = 10_000_000)]
        rows: usize,
        /// Levels per profile.
        #[arg(long, default_value_t = 1000)]
        levels: usize,
        /// Keep the database here instead of a temporary file (re-used when it already holds the rows).
        #[arg(long)]
        db: Option<PathBuf>,
    },
    /// DHW over a synthetic global grid (3600 × 7200 by default, 29 % land), one day at a time with a
    /// rolling sum; prints seconds per day and peak memory.
    DhwGrid {
        #[arg(long, default_value_t = 3600)]
        height: usize,
        #[arg(long, default_value_t = 7200)]
        width: usize,
        /// Days to run (the first 84 fill the window; the rest are timed with a day leaving).
        #[arg(long, default_value_t = 90)]
        days: usize,
    },
    /// QARTOD tests on the synthetic series of shared/bench/ioos_qc_tests.py (same shape and parameters);
    /// prints points/s per test and size.
    Qc {
        /// Series lengths, comma-separated (e.g. 1e5,1e6,1e7).
        #[arg(long, default_value = "1e5,1e6,1e7")]
        sizes: String,
        #[arg(long, default_value_t = 3)]
        repeats: usize,
    },
    /// Parse the GDAC profile files repeatedly, then ingest ≥ N profiles into a fresh SQLite file.
    Ingest {
        /// Profiles to ingest (files are re-used under new platform ids until this many are written).
        #[arg(long, default_value_t = 10_000)]
        profiles: usize,
        /// Folder with Argo GDAC NetCDF files (default: data/sample/argo).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Parse passes over the files (the median is reported).
        #[arg(long, default_value_t = 20)]
        repeats: usize,
        /// Write into this PostgreSQL database (postgres://...; must hold no profiles) instead of a fresh
        /// SQLite file.
        #[arg(long)]
        db: Option<String>,
    },
}

struct GdacFile {
    path: PathBuf,
    bytes: Vec<u8>,
    profiles: usize,
    levels: usize,
}

fn load(dir: &Path) -> anyhow::Result<Vec<GdacFile>> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let bytes = std::fs::read(&path)?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
        let Ok(d) = formats::detect(&name, &bytes) else { continue };
        if d.kind != FileKind::ArgoProfiles {
            continue;
        }
        let parsed = formats::read(&d, &bytes)?;
        let Dataset::Profiles { profiles, .. } = parsed.dataset else { continue };
        let levels = profiles.iter().map(|p| p.n_levels()).sum();
        out.push(GdacFile { path, bytes, profiles: profiles.len(), levels });
    }
    anyhow::ensure!(!out.is_empty(), "no Argo GDAC profile files in {}", dir.display());
    Ok(out)
}

fn parse_pass(files: &[&GdacFile]) -> anyhow::Result<(usize, usize)> {
    let (mut np, mut nl) = (0, 0);
    for f in files {
        let name = f.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if let Dataset::Profiles { profiles, .. } = formats::read_file(name, &f.bytes)?.1.dataset {
            np += profiles.len();
            nl += profiles.iter().map(|p| p.n_levels()).sum::<usize>();
        }
    }
    Ok((np, nl))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

pub async fn run(cmd: BenchCommand) -> anyhow::Result<()> {
    match cmd {
        BenchCommand::Ingest { profiles, data, repeats, db } => ingest(profiles, data, repeats, db).await,
        BenchCommand::Api { profiles, requests, db, rows, only } => {
            crate::bench_api::run(profiles, requests, db, rows, &only).await
        }
        BenchCommand::Erddap { rows, levels, db } => crate::bench_erddap::run(rows, levels, db).await,
        BenchCommand::DhwGrid { height, width, days } => dhw_grid(height, width, days),
        BenchCommand::Qc { sizes, repeats } => qc(&sizes, repeats),
        BenchCommand::Nlq { cases, rounds } => crate::bench_nlq::run(cases, rounds),
    }
}

async fn ingest(target: usize, data: Option<PathBuf>, repeats: usize, db: Option<String>) -> anyhow::Result<()> {
    let dir = match data {
        Some(d) => d,
        None => crate::checkout_sample()?.join("argo"),
    };
    let files = load(&dir)?;
    let total_p: usize = files.iter().map(|f| f.profiles).sum();
    let total_l: usize = files.iter().map(|f| f.levels).sum();
    println!(
        "halocline bench ingest: {} GDAC files ({} profiles, {} levels) from {}; load average {}",
        files.len(),
        total_p,
        total_l,
        dir.display(),
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().split(' ').take(3).collect::<Vec<_>>().join(" ")
    );
    println!();
    println!(
        "| {:<34} | {:>5} | {:>8} | {:>9} | {:>11} | {:>13} |",
        "what", "files", "profiles", "median ms", "profiles/s", "levels/s"
    );
    println!("|{:-<36}|{:-<7}|{:-<10}|{:-<11}|{:-<13}|{:-<15}|", "", "", "", "", "", "");
    let subsets: [(&str, Vec<&GdacFile>); 3] = [
        ("parse, all GDAC files", files.iter().collect()),
        ("parse, multi-profile files", files.iter().filter(|f| f.profiles > 1).collect()),
        ("parse, single-profile files", files.iter().filter(|f| f.profiles == 1).collect()),
    ];
    for (label, subset) in subsets {
        if subset.is_empty() {
            continue;
        }
        parse_pass(&subset)?; // warm-up
        let mut times = Vec::with_capacity(repeats);
        let mut counts = (0, 0);
        for _ in 0..repeats.max(1) {
            let t = Instant::now();
            counts = parse_pass(&subset)?;
            times.push(t.elapsed().as_secs_f64());
        }
        let m = median(times);
        println!(
            "| {:<34} | {:>5} | {:>8} | {:>9.3} | {:>11.0} | {:>13.0} |",
            label,
            subset.len(),
            counts.0,
            m * 1e3,
            counts.0 as f64 / m,
            counts.1 as f64 / m
        );
    }

    // Ingest: copies of every file under new platform ids until `target` profiles, one transaction per file.
    let tmp = std::env::temp_dir().join(format!("halocline-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let db_path = tmp.join("bench.db");
    let pg = db.filter(|u| store::is_postgres(u));
    let store = store::open(&pg.clone().unwrap_or_else(|| format!("sqlite://{}", db_path.display()))).await?;
    anyhow::ensure!(store.counts().await?.profiles == 0, "the benchmark database must hold no profiles");
    let backend = if pg.is_some() { "PostgreSQL" } else { "SQLite" };
    let copies = target.div_ceil(total_p);
    let jobs: Vec<(usize, usize)> = (0..copies).flat_map(|c| (0..files.len()).map(move |i| (c, i))).collect();
    let shared: std::sync::Arc<Vec<GdacFile>> = std::sync::Arc::new(files);
    let files2 = shared.clone();
    let prepared = jobs.into_iter().map(move |(copy, i)| {
        let f = &files2[i];
        let mut p = ingest::prepare_bytes(&f.path, &f.bytes);
        if let Ok((batch, ..)) = &mut p.batch {
            for pr in &mut batch.profiles {
                pr.platform = format!("{}{:05}", pr.platform, copy);
            }
            for pl in &mut batch.platforms {
                pl.id = format!("{}{:05}", pl.id, copy);
            }
            batch.source = format!("{}#{copy}", batch.source);
        }
        p
    });
    let t = Instant::now();
    let summary = ingest::ingest_prepared(store.clone(), prepared, |_| {}).await;
    let secs = t.elapsed().as_secs_f64();
    store.checkpoint().await?;
    let secs_checkpoint = t.elapsed().as_secs_f64();
    anyhow::ensure!(summary.skipped.is_empty(), "bench files were skipped: {:?}", summary.skipped);
    let c = store.counts().await?;
    println!(
        "| {:<34} | {:>5} | {:>8} | {:>9.1} | {:>11.0} | {:>13.0} |",
        format!("parse + {backend} write, committed"),
        summary.files_ingested,
        c.profiles,
        secs * 1e3,
        c.profiles as f64 / secs,
        c.levels as f64 / secs
    );
    println!(
        "| {:<34} | {:>5} | {:>8} | {:>9.1} | {:>11.0} | {:>13.0} |",
        if pg.is_some() { "  + ANALYZE" } else { "  + WAL checkpoint and fsync" },
        summary.files_ingested,
        c.profiles,
        secs_checkpoint * 1e3,
        c.profiles as f64 / secs_checkpoint,
        c.levels as f64 / secs_checkpoint
    );
    if pg.is_some() {
        println!();
        println!("stored {} profiles, {} levels in PostgreSQL", c.profiles, c.levels);
        let _ = std::fs::remove_dir_all(&tmp);
        return Ok(());
    }
    let size = std::fs::metadata(&db_path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(tmp.join("bench.db-wal")).map(|m| m.len()).unwrap_or(0);
    println!();
    println!(
        "stored {} profiles, {} levels in {:.1} MB ({:.1} bytes/level); peer figure: shared/bench/argo_netcdf.py",
        c.profiles,
        c.levels,
        size as f64 / 1e6,
        size as f64 / c.levels.max(1) as f64
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

/// A synthetic HotSpot grid for one day: warm water drifting east, 29 % of pixels land (NaN).
fn hotspot_day(day: usize, pixels: usize, out: &mut [f32]) {
    for (p, v) in out.iter_mut().enumerate().take(pixels) {
        let h = (p as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 57; // 0..127, fixed per pixel
        *v = if h < 37 {
            f32::NAN
        } else {
            let phase = (p % 7200) as f32 * 0.001 + day as f32 * 0.05;
            (2.0 * phase.sin() + (h as f32) * 0.01 - 0.5).max(0.0)
        };
    }
}

pub(crate) fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string())
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn dhw_grid(height: usize, width: usize, days: usize) -> anyhow::Result<()> {
    use compute::heat_stress::{DHW_WINDOW_DAYS, RollingDhw};
    let pixels = height * width;
    let mut rolling = RollingDhw::new(pixels);
    let (mut today, mut leaving) = (vec![0f32; pixels], vec![0f32; pixels]);
    let mut times = Vec::new();
    let mut checksum = 0f64;
    for day in 0..days {
        hotspot_day(day, pixels, &mut today);
        let has_leaving = day >= DHW_WINDOW_DAYS;
        if has_leaving {
            // Stands in for reading the stored HotSpot grid of day − 84 back from disk (not timed).
            hotspot_day(day - DHW_WINDOW_DAYS, pixels, &mut leaving);
        }
        let t = Instant::now();
        let dhw = rolling.advance(&today, has_leaving.then_some(&leaving[..]));
        let secs = t.elapsed().as_secs_f64();
        checksum += f64::from(dhw[pixels / 2]);
        if has_leaving {
            times.push(secs);
        }
    }
    anyhow::ensure!(!times.is_empty(), "run more than {DHW_WINDOW_DAYS} days to time days with a day leaving");
    let m = median(times.clone());
    let min = times.iter().copied().fold(f64::INFINITY, f64::min);
    println!("| grid | days timed | median s/day | min s/day | Mpx/s | peak RSS MiB |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| {height}×{width} ({:.1} Mpx) | {} | {m:.4} | {min:.4} | {:.0} | {:.0} |",
        pixels as f64 / 1e6,
        times.len(),
        pixels as f64 / m / 1e6,
        peak_rss_mib()
    );
    println!("(checksum {checksum:.3}; peak RSS includes the two input grids the generator fills)");
    Ok(())
}

/// The peer script's series: 15 + 5·sin(annual) + sin(diurnal) + N(0, 0.2), 0.1 % NaN, 0.01 % ±20 spikes,
/// a 24-sample flat segment every 10,000 samples; hourly, or 10-minute when hourly would pass 2262.
fn qc_series(n: usize) -> (Vec<i64>, Vec<f64>, i64) {
    let step: i64 = if n as f64 * 3600.0 > 8.0e9 { 600 } else { 3600 };
    let t0 = 946_684_800i64; // 2000-01-01
    let mut state = 42u64 | 1;
    let mut uniform = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        ((state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let times: Vec<i64> = (0..n as i64).map(|i| t0 + i * step).collect();
    let mut values: Vec<f64> = times
        .iter()
        .map(|&t| {
            let (s, d) = ((t - t0) as f64 / (365.25 * 86_400.0), (t - t0) as f64 / 86_400.0);
            let g = (-2.0 * uniform().ln()).sqrt() * (std::f64::consts::TAU * uniform()).cos();
            15.0 + 5.0 * (std::f64::consts::TAU * s).sin() + (std::f64::consts::TAU * d).sin() + 0.2 * g
        })
        .collect();
    for v in values.iter_mut() {
        let u = uniform();
        if u < 0.001 {
            *v = f64::NAN;
        } else if u < 0.0011 {
            *v += if uniform() < 0.5 { 20.0 } else { -20.0 };
        }
    }
    for start in (5_000..n).step_by(10_000) {
        let v = values[start];
        for x in values.iter_mut().skip(start).take(24) {
            *x = v;
        }
    }
    (times, values, step)
}

/// One timed QC test: runs it once and returns its flags.
type QcRun<'a> = Box<dyn Fn() -> Vec<u8> + 'a>;

fn qc(sizes: &str, repeats: usize) -> anyhow::Result<()> {
    use compute::qc::{self, ClimatologyMember, Period, Span, SpikeMethod, TimeSpan};
    println!("| test | n | median ms | points/s |");
    println!("|---|---|---|---|");
    for size in sizes.split(',') {
        let n = size.trim().parse::<f64>().with_context(|| format!("size {size:?}"))? as usize;
        let (times, values, step) = qc_series(n);
        let zs = vec![f64::NAN; n];
        let members: Vec<ClimatologyMember> = (1..=12)
            .map(|m| {
                let mean = 15.0 + 5.0 * (std::f64::consts::TAU * (m as f64 - 0.5) / 12.0).sin();
                (m, mean)
            })
            .map(|(m, mean)| ClimatologyMember {
                tspan: TimeSpan::Period { period: Period::Month, span: Span::new(m as f64, m as f64) },
                vspan: Span::new(mean - 6.0, mean + 6.0),
                fspan: Some(Span::new(-2.0, 40.0)),
                zspan: None,
            })
            .collect();
        let tests: [(&str, QcRun); 5] = [
            ("gross_range", Box::new(|| qc::gross_range(&values, Span::new(-2.0, 40.0), Some(Span::new(0.0, 35.0))))),
            ("spike", Box::new(|| qc::spike(&values, Some(1.0), Some(3.0), SpikeMethod::Average))),
            ("rate_of_change", Box::new(|| qc::rate_of_change(&values, &times, 3.6 / step as f64, None))),
            ("flat_line", Box::new(|| qc::flat_line(&values, &times, 3.0 * step as f64, 6.0 * step as f64, 0.001))),
            ("climatology", Box::new(|| qc::climatology(&values, &times, &zs, &members))),
        ];
        for (name, f) in &tests {
            let mut ms = Vec::new();
            let mut flagged = 0;
            for _ in 0..repeats.max(1) {
                let t = Instant::now();
                let flags = f();
                ms.push(t.elapsed().as_secs_f64() * 1e3);
                flagged = flags.iter().filter(|&&x| x == 3 || x == 4).count();
            }
            let m = median(ms);
            println!("| {name} | {n} | {m:.2} | {:.1} M (flagged {flagged}) |", n as f64 / m / 1e3);
        }
    }
    Ok(())
}

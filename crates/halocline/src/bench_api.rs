//! `halocline bench api`: loads synthetic profiles whose positions follow the real GDAC index (sample rows
//! jittered by up to 1°), 20 levels each, then times (a) a profile by id, (b) a 10°×10° box over one
//! month and (c) a 500 km radius over one year through the router, and (a) under wrk when it is installed.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use chrono::{Duration, TimeZone, Utc};
use formats::Dataset;
use model::{DataMode, Direction, ParamColumn, Point, Profile, QcFlag};
use store::{FileBatch, Store};

/// xorshift64*: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn index_positions() -> anyhow::Result<Vec<(f64, f64)>> {
    let path = crate::checkout_sample()?.join("argo/ar_index_global_prof_excerpt.txt");
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let Dataset::ProfileIndex(rows) = formats::read_file("ar_index_global_prof_excerpt.txt", &bytes)?.1.dataset else {
        anyhow::bail!("not a GDAC index");
    };
    Ok(rows.iter().filter_map(|r| Some((r.longitude?, r.latitude?))).collect())
}

fn synthetic(i: usize, rng: &mut Rng, positions: &[(f64, f64)]) -> Profile {
    let (lon, lat) = positions[(rng.next() * positions.len() as f64) as usize % positions.len()];
    let lon = lon + (rng.next() - 0.5) * 2.0;
    let lat = (lat + (rng.next() - 0.5) * 2.0).clamp(-89.9, 89.9);
    let start = Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).single().unwrap_or_default();
    let t = start + Duration::seconds((rng.next() * 25.0 * 365.25 * 86_400.0) as i64);
    let mut p = Profile::empty(format!("{}", 1_000_000 + i / 100), (i % 100) as i32, Direction::Ascending);
    p.time = Some(t);
    p.time_qc = QcFlag::GOOD;
    p.position = Point::new(lon, lat).ok();
    p.position_qc = QcFlag::GOOD;
    p.data_mode = DataMode::Delayed;
    p.source_file = "synthetic".into();
    let pres: Vec<f32> = (0..20).map(|k| 5.0 + k as f32 * 100.0).collect();
    let temp: Vec<f32> = pres.iter().map(|z| 25.0 - z / 100.0 + rng.next() as f32 * 0.1).collect();
    let psal: Vec<f32> = pres.iter().map(|z| 35.0 + z / 2000.0).collect();
    p.params = [("PRES", pres), ("TEMP", temp), ("PSAL", psal)]
        .into_iter()
        .map(|(n, v)| ParamColumn { qc: vec![QcFlag::GOOD; 20], ..ParamColumn::raw(n, DataMode::Delayed, v) })
        .collect();
    p
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}

async fn time_requests(app: &server::Router, uris: &[String]) -> anyhow::Result<(f64, f64, f64)> {
    let mut ms = Vec::with_capacity(uris.len());
    let mut docs = 0usize;
    for uri in uris {
        let t = Instant::now();
        let (status, body) = server::get_in_process(app, uri).await.map_err(anyhow::Error::msg)?;
        anyhow::ensure!((200..300).contains(&status), "{uri}: {status}");
        ms.push(t.elapsed().as_secs_f64() * 1e3);
        docs += bytecount_ids(&body);
    }
    ms.sort_by(f64::total_cmp);
    Ok((percentile(&ms, 0.5), percentile(&ms, 0.99), docs as f64 / uris.len() as f64))
}

/// Number of documents in a JSON array of Argovis documents (counts `"_id"` keys).
fn bytecount_ids(body: &[u8]) -> usize {
    body.windows(6).filter(|w| w == b"\"_id\":").count()
}

/// A row of ../shared/bench/postgis_profiles.py: id, time, lon, lat.
type PgRow = (i64, chrono::DateTime<Utc>, f64, f64);

/// The rows of ../shared/bench/postgis_profiles.py: `(id, time, lon, lat)`, one per line as
/// `id<TAB>2020-06-01T00:00:00<TAB>lon<TAB>lat`.
fn read_rows(path: &std::path::Path) -> anyhow::Result<Vec<PgRow>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.lines()
        .enumerate()
        .map(|(k, line)| {
            let bad = || format!("{}:{}: expected id, time, lon, lat separated by tabs", path.display(), k + 1);
            let mut f = line.split('\t');
            let (Some(id), Some(t), Some(lon), Some(lat)) = (f.next(), f.next(), f.next(), f.next()) else {
                anyhow::bail!(bad());
            };
            let t = chrono::NaiveDateTime::parse_from_str(t.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S")
                .with_context(bad)?
                .and_utc();
            Ok((id.parse().with_context(bad)?, t, lon.parse().with_context(bad)?, lat.parse().with_context(bad)?))
        })
        .collect()
}

/// Times the given search URIs and reports p50, p95, min and the rows of the last answer, as
/// postgis_profiles.py reports its queries.
async fn time_pg_query(app: &server::Router, label: &str, uri: &str, runs: usize) -> anyhow::Result<()> {
    let mut ms = Vec::with_capacity(runs);
    let mut rows = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let (status, body) = server::get_in_process(app, uri).await.map_err(anyhow::Error::msg)?;
        ms.push(t.elapsed().as_secs_f64() * 1e3);
        rows = match status {
            200 => serde_json::from_slice::<Vec<serde_json::Value>>(&body)?.len(),
            404 => 0,
            s => anyhow::bail!("{uri}: {s} {}", String::from_utf8_lossy(&body)),
        };
    }
    ms.sort_by(f64::total_cmp);
    println!(
        "{label:22} runs={runs:3}  p50={:8.3} ms  p95={:8.3} ms  min={:8.3} ms  rows={rows}",
        percentile(&ms, 0.5),
        percentile(&ms, 0.95),
        ms[0]
    );
    Ok(())
}

pub async fn run(
    n: usize,
    requests: usize,
    db: Option<String>,
    rows_file: Option<std::path::PathBuf>,
    only: &[String],
) -> anyhow::Result<()> {
    let wanted = |kind: &str| only.is_empty() || only.iter().any(|o| o == kind);
    let pg_rows = rows_file.as_deref().map(read_rows).transpose()?;
    let n = pg_rows.as_ref().map_or(n, Vec::len);
    let tmp = std::env::temp_dir().join(format!("halocline-bench-api-{}", std::process::id()));
    let url = match &db {
        Some(u) if store::is_postgres(u) || u.starts_with("sqlite:") => u.clone(),
        Some(p) => format!("sqlite://{p}"),
        None => {
            std::fs::create_dir_all(&tmp)?;
            format!("sqlite://{}", tmp.join("api.db").display())
        }
    };
    let backend = if store::is_postgres(&url) { "PostgreSQL" } else { "SQLite" };
    let store: Arc<dyn Store> = store::open(&url).await?;
    let have = store.counts().await?.profiles as usize;
    if have < n {
        let positions = index_positions()?;
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let t = Instant::now();
        const BATCH: usize = 2000;
        let mut i = have;
        while i < n {
            let m = BATCH.min(n - i);
            let profiles: Vec<Profile> = (i..i + m)
                .map(|k| {
                    let mut p = synthetic(k, &mut rng, &positions);
                    if let Some(rows) = &pg_rows {
                        // Profile k is row k of the PostGIS bench (its ids run 1..=n in order).
                        let (_, t, lon, lat) = rows[k];
                        p.time = Some(t);
                        p.position = Point::new(lon, lat).ok();
                    }
                    p
                })
                .collect();
            store.write_file(&FileBatch { source: format!("synthetic#{i}"), profiles, ..Default::default() }).await?;
            i += m;
        }
        store.checkpoint().await?;
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{backend}: loaded {} synthetic profiles (20 levels each, {BATCH} per transaction) in {secs:.1} s: {:.0} profiles/s",
            n - have,
            (n - have) as f64 / secs
        );
    }
    let app = server::router(server::AppState::new(store.clone()));
    let mut rng = Rng(42);
    let ids: Vec<String> = (0..requests)
        .map(|_| {
            let i = (rng.next() * n as f64) as usize;
            format!("/api/profiles/{}_{:03}", 1_000_000 + i / 100, i % 100)
        })
        .collect();
    let positions = index_positions()?;
    let pick = |rng: &mut Rng| positions[(rng.next() * positions.len() as f64) as usize % positions.len()];
    let boxes: Vec<String> = (0..requests)
        .map(|_| {
            let (lon, lat) = pick(&mut rng);
            let (w, s) = ((lon - 5.0).max(-180.0), (lat - 5.0).max(-90.0));
            let y = 2000 + (rng.next() * 25.0) as i32;
            let m = 1 + (rng.next() * 11.0) as u32;
            format!(
                "/api/argo?box=%5B%5B{w},{s}%5D,%5B{},{}%5D%5D&startDate={y}-{m:02}-01T00:00:00Z&endDate={y}-{:02}-01T00:00:00Z&data=all",
                (w + 10.0).min(180.0),
                (s + 10.0).min(90.0),
                m + 1
            )
        })
        .collect();
    let circles: Vec<String> = (0..requests)
        .map(|_| {
            let (lon, lat) = pick(&mut rng);
            let y = 2000 + (rng.next() * 24.0) as i32;
            format!("/api/argo?center={lon},{lat}&radius=500&startDate={y}-01-01T00:00:00Z&endDate={}-01-01T00:00:00Z&data=all", y + 1)
        })
        .collect();
    println!("{backend}, {n} profiles:");
    println!("| query ({requests} requests, in-process through the router) | p50 ms | p99 ms | docs/answer |");
    println!("|---|---|---|---|");
    let minimal =
        |v: &[String]| -> Vec<String> { v.iter().map(|u| u.replace("&data=all", "&compression=minimal")).collect() };
    let (boxes_min, circles_min) = (minimal(&boxes), minimal(&circles));
    for (kind, label, uris) in [
        ("a", "(a) profile by id", &ids),
        ("b", "(b) 10°×10° box, one month, data=all", &boxes),
        ("b-min", "(b) same, compression=minimal (search only)", &boxes_min),
        ("c", "(c) 500 km radius, one year, data=all", &circles),
        ("c-min", "(c) same, compression=minimal (search only)", &circles_min),
    ] {
        if !wanted(kind) {
            continue;
        }
        let (p50, p99, docs) = time_requests(&app, uris).await?;
        println!("| {label} | {p50:.3} | {p99:.3} | {docs:.1} |");
    }

    if pg_rows.is_some() {
        // postgis_profiles.py's queries on its own rows; search only (ids, times and positions, as it fetches).
        println!("\nthe queries of ../shared/bench/postgis_profiles.py on its rows (compression=minimal):");
        let runs = requests.clamp(1, 50);
        let (month, all) = (
            "startDate=2020-06-01T00:00:00Z&endDate=2020-07-01T00:00:00Z",
            "startDate=2000-01-01T00:00:00Z&endDate=2025-01-01T00:00:00Z",
        );
        for (kind, label, uri) in [
            (
                "pg-box",
                "box 10x10deg+1month",
                format!("/api/argo?box=[[-40,20],[-30,30]]&{month}&compression=minimal&page_size=10000"),
            ),
            (
                "pg-radius",
                "radius 500km",
                format!("/api/argo?center=-35,25&radius=500&{all}&compression=minimal&page_size=10000"),
            ),
            (
                "pg-radius-month",
                "radius 500km+1month",
                format!("/api/argo?center=-35,25&radius=500&{month}&compression=minimal&page_size=10000"),
            ),
        ] {
            if wanted(kind) {
                let uri = uri.replace('[', "%5B").replace(']', "%5D");
                time_pg_query(&app, label, &uri, runs).await?;
            }
        }
    }

    // (a) under load: serve on loopback and run wrk when it is installed.
    if !wanted("wrk") {
    } else if std::process::Command::new("wrk").arg("--version").output().is_ok() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = server::AppState::new(store.clone());
        let srv = tokio::spawn(async move { server::serve(listener, state).await });
        let script = tmp.join("ids.lua");
        std::fs::create_dir_all(&tmp)?;
        let list: Vec<String> = ids.iter().map(|u| format!("\"{u}\"")).collect();
        std::fs::write(
            &script,
            format!(
                "local ids = {{{}}}\nlocal i = 0\nrequest = function()\n  i = i % #ids + 1\n  return wrk.format(\"GET\", ids[i])\nend\n",
                list.join(",")
            ),
        )?;
        let url = format!("http://{addr}");
        let out = tokio::task::spawn_blocking(move || {
            std::process::Command::new("wrk").args(["-t1", "-c32", "-d10s", "-s"]).arg(&script).arg(url).output()
        })
        .await??;
        let text = String::from_utf8_lossy(&out.stdout);
        let rps = text.lines().find(|l| l.starts_with("Requests/sec")).unwrap_or("Requests/sec: ?");
        let lat = text.lines().find(|l| l.trim_start().starts_with("Latency")).unwrap_or("").trim();
        // Only 2xx answers count: wrk reports any other status on a line of its own.
        if let Some(bad) = text.lines().find(|l| l.contains("Non-2xx")) {
            println!("\n(a) under wrk: {}", bad.trim());
        }
        println!("\n(a) profile by id under wrk -t1 -c32 -d10s on loopback: {rps}; {lat}");
        srv.abort();
    } else {
        println!("\n(wrk not installed: apt-get install wrk for the req/s figure)");
    }
    if db.is_none() {
        drop(store);
        let _ = std::fs::remove_dir_all(&tmp);
    }
    Ok(())
}

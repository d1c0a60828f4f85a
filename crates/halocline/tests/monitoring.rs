//! A real Prometheus scrapes `halocline serve`: the demo data is ingested, the server listens on
//! 127.0.0.1 (API and a separate metrics port), Prometheus (Debian's `prometheus`, or `PROMETHEUS_BIN`)
//! starts on a free loopback port with a temporary directory and a 1 s scrape interval, and
//! `ocean_records_total` is read back through Prometheus' HTTP query API. The scrape also passes
//! `promtool check metrics` when promtool is there. Without the binary the test says so and passes,
//! unless `HALOCLINE_REQUIRE_PROMETHEUS=1` (set by .ci/run), where that is a failure.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_halocline");

fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// `name` on PATH.
fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| Path::new(d).join(name)).find(|p| p.is_file())
}

/// Kills the child when dropped (also when the test panics).
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One HTTP/1.1 GET over loopback: (status, body).
fn http_get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body =
        if head.to_ascii_lowercase().contains("transfer-encoding: chunked") { dechunk(body) } else { body.to_string() };
    Ok((status, body))
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn prometheus_scrapes_halocline_and_finds_ocean_records_total() {
    let prometheus = std::env::var_os("PROMETHEUS_BIN").map(PathBuf::from).or_else(|| on_path("prometheus"));
    let Some(prometheus) = prometheus else {
        assert!(
            std::env::var("HALOCLINE_REQUIRE_PROMETHEUS").as_deref() != Ok("1"),
            "HALOCLINE_REQUIRE_PROMETHEUS=1 but no prometheus binary (PATH or PROMETHEUS_BIN)"
        );
        eprintln!("no prometheus binary on PATH and PROMETHEUS_BIN unset: skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("demo.db").display());
    let out = Command::new(BIN)
        .args(["demo", "--no-serve", "--db", &db, "--data"])
        .arg(repo().join("data/sample"))
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(out.status.success(), "demo: {}", String::from_utf8_lossy(&out.stderr));
    let want = {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let c = rt.block_on(async { store::open(&db).await.unwrap().counts().await.unwrap() });
        c.profiles + c.series_points + c.heat_stress_days
    };
    assert!(want > 10_000, "the demo data holds {want} records");

    let mut server = Guard(
        Command::new(BIN)
            .args(["serve", "--db", &db, "--bind", "127.0.0.1:0", "--metrics-bind", "127.0.0.1:0"])
            .env_remove("DATABASE_URL")
            .env_remove("HALOCLINE_BIND")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let (mut api, mut metrics) = (String::new(), String::new());
    for line in BufReader::new(server.0.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("serving ").and_then(|l| l.split_once(" on http://")).map(|(_, r)| r) {
            api = rest.trim().to_string();
        }
        if let Some(rest) = line.trim().strip_prefix("metrics also on http://") {
            metrics = rest.trim_end_matches("/metrics").to_string();
        }
        if line.starts_with("press Ctrl-C") {
            break;
        }
    }
    assert!(!api.is_empty() && !metrics.is_empty(), "serve printed no addresses");
    let (status, scrape) = http_get(&metrics, "/metrics").unwrap();
    assert_eq!(status, 200);
    assert!(scrape.contains(&format!("ocean_records_total {want}")), "{scrape}");
    let required = std::env::var("HALOCLINE_REQUIRE_PROMETHEUS").as_deref() == Ok("1");
    let promtool = on_path("promtool");
    assert!(promtool.is_some() || !required, "HALOCLINE_REQUIRE_PROMETHEUS=1 but promtool is not on PATH");
    if let Some(promtool) = promtool {
        let (status, said) =
            Command::new(promtool).args(["check", "metrics"]).stdin(Stdio::piped()).output_with(&scrape);
        assert!(status.success(), "promtool check metrics: {said}");
    }

    let port = free_port();
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: halocline\n    static_configs:\n      - targets: [\"{metrics}\"]\n"
        ),
    )
    .unwrap();
    let prom_addr = format!("127.0.0.1:{port}");
    let _prom = Guard(
        Command::new(&prometheus)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", dir.path().join("tsdb").display()))
            .arg(format!("--web.listen-address={prom_addr}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // Bounds a hang on a loaded machine; not a speed measurement.
    let deadline = Instant::now() + Duration::from_secs(120);
    let found = loop {
        if let Ok((200, body)) = http_get(&prom_addr, "/api/v1/query?query=ocean_records_total") {
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            if let Some(r) = v["data"]["result"].as_array().and_then(|r| r.first()) {
                break r.clone();
            }
        }
        assert!(Instant::now() < deadline, "Prometheus did not report ocean_records_total within 120 s");
        std::thread::sleep(Duration::from_millis(500));
    };
    assert_eq!(found["metric"]["job"], "halocline");
    assert_eq!(found["metric"]["instance"], metrics.as_str());
    assert_eq!(found["value"][1].as_str().unwrap(), want.to_string());
    // The API port serves the same metrics.
    let (status, body) = http_get(&api, "/metrics").unwrap();
    assert_eq!(status, 200);
    assert!(body.contains("# TYPE ocean_records_total counter"));
}

trait OutputWith {
    fn output_with(&mut self, input: &str) -> (std::process::ExitStatus, String);
}

impl OutputWith for Command {
    /// Runs with `input` on stdin; (status, stdout + stderr).
    fn output_with(&mut self, input: &str) -> (std::process::ExitStatus, String) {
        let mut child = self.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        (out.status, format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    }
}

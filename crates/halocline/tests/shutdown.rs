//! SIGTERM under load: `halocline serve` (SQLite, a temporary store) takes concurrent readers and JSON
//! ingest writers, three writes whose bodies are still arriving, and an open `/api/events` stream; then it
//! gets SIGTERM. Every request it had accepted is answered in full without a 5xx, the event stream ends
//! (it does not hold the drain until the grace period), the process exits 0, and afterwards the store
//! holds every acknowledged write whole and no write in part.

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_halocline");
const KEY: &str = "sigterm-test-ingest-key";
/// Points per ingest request (one transaction each).
const ROWS: usize = 40;

/// Kills the child when dropped (also when the test panics).
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `ROWS` sea-surface temperatures of one new platform, as the seed's ingest route takes them.
fn body(platform: &str) -> String {
    let items: Vec<String> = (0..ROWS)
        .map(|i| {
            format!(
                r#"{{"location_id":"{platform}","variable":"sea_surface_temperature","timestamp":"2024-03-01T{:02}:{:02}:00Z","value":{}}}"#,
                i / 60,
                i % 60,
                20.0 + i as f64 / 10.0
            )
        })
        .collect();
    format!("[{}]", items.join(","))
}

fn post_head(addr: &str, len: usize) -> String {
    format!(
        "POST /api/observations/ingest/ HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {KEY}\r\nContent-Type: application/json\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
    )
}

/// Reads one whole response (the server closes: `Connection: close`): (status, body).
fn read_response(s: &mut TcpStream) -> std::io::Result<(u16, String)> {
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) =
        text.split_once("\r\n\r\n").ok_or_else(|| std::io::Error::other(format!("no head: {text:?}")))?;
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    Ok((status, body.to_string()))
}

fn request(addr: &str, raw: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    s.write_all(raw.as_bytes())?;
    read_response(&mut s)
}

fn get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    request(addr, &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"))
}

/// What one load thread saw: (what, status) of every answered request, and the failures.
#[derive(Default)]
struct Seen {
    answered: Vec<(String, u16)>,
    failed: Vec<String>,
    /// Platforms whose ingest was acknowledged (200).
    acknowledged: Vec<String>,
    /// Platforms whose ingest was sent but not acknowledged.
    unacknowledged: Vec<String>,
}

#[test]
fn sigterm_under_load_drains_and_exits_zero_with_no_partial_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("shutdown.db").display());
    let stderr = std::fs::File::create(dir.path().join("serve.log")).unwrap();
    let (child, addr) = common::spawn_serve(
        Command::new(BIN)
            .args(["serve", "--db", &db, "--bind", "127.0.0.1:0"])
            .current_dir(dir.path())
            .env_remove("DATABASE_URL")
            .env_remove("HALOCLINE_BIND")
            .env_remove("HALOCLINE_ENV")
            .env("HALOCLINE_INGEST_KEY", KEY)
            .env("HALOCLINE_RATE_LIMIT", "off")
            // Long, so a drain held open (by the event stream) shows as the warning, not as a pass.
            .env("HALOCLINE_SHUTDOWN_GRACE_SECONDS", "60")
            .env("HALOCLINE_LOG", "info")
            .stderr(stderr),
    );
    let mut server = Guard(child);
    assert_eq!(get(&addr, "/health").unwrap().0, 200);

    // An open event stream, as a dashboard keeps one.
    let mut events = TcpStream::connect(&addr).unwrap();
    events.set_read_timeout(Some(Duration::from_secs(90))).unwrap();
    write!(events, "GET /api/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n").unwrap();
    let mut first = [0u8; 512];
    let n = events.read(&mut first).unwrap();
    let head = String::from_utf8_lossy(&first[..n]).into_owned();
    assert!(head.starts_with("HTTP/1.1 200") && head.contains("text/event-stream"), "{head}");

    let stop = Arc::new(AtomicBool::new(false));
    let signalled = Arc::new(AtomicBool::new(false));
    let mut threads = Vec::new();
    // Readers and writers that loop until just before the signal.
    for t in 0..5 {
        let (addr, stop) = (addr.clone(), stop.clone());
        threads.push(std::thread::spawn(move || {
            let mut seen = Seen::default();
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) && n < 400 {
                n += 1;
                if t < 3 {
                    let path = if n % 2 == 0 { "/api/platforms" } else { "/data/latest" };
                    match get(&addr, path) {
                        Ok((status, _)) => seen.answered.push((path.to_string(), status)),
                        Err(e) => seen.failed.push(format!("GET {path}: {e}")),
                    }
                } else {
                    let platform = format!("sigterm-w{t}-{n}");
                    let b = body(&platform);
                    match request(&addr, &format!("{}{b}", post_head(&addr, b.len()))) {
                        Ok((200, _)) => {
                            seen.answered.push(("POST".into(), 200));
                            seen.acknowledged.push(platform);
                        }
                        Ok((status, text)) => {
                            seen.answered.push((format!("POST {text}"), status));
                            seen.unacknowledged.push(platform);
                        }
                        Err(e) => {
                            seen.failed.push(format!("POST {platform}: {e}"));
                            seen.unacknowledged.push(platform);
                        }
                    }
                }
            }
            seen
        }));
    }
    // Writes in flight at the signal: accepted, head and half the body sent, the rest only after SIGTERM.
    for h in 0..3 {
        let (addr, signalled) = (addr.clone(), signalled.clone());
        threads.push(std::thread::spawn(move || {
            let mut seen = Seen::default();
            let platform = format!("sigterm-held-{h}");
            let b = body(&platform);
            let mut s = TcpStream::connect(&addr).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
            let half = b.len() / 2;
            s.write_all(format!("{}{}", post_head(&addr, b.len()), &b[..half]).as_bytes()).unwrap();
            while !signalled.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(10));
            }
            std::thread::sleep(Duration::from_millis(300));
            let sent = s.write_all(&b.as_bytes()[half..]);
            match sent.and_then(|_| read_response(&mut s)) {
                Ok((status, text)) => {
                    seen.answered.push((format!("held POST {text}"), status));
                    if status == 200 { seen.acknowledged.push(platform) } else { seen.unacknowledged.push(platform) }
                }
                Err(e) => {
                    seen.failed.push(format!("held POST {platform}: {e}"));
                    seen.unacknowledged.push(platform);
                }
            }
            seen
        }));
    }

    // Let the load run, then stop the loops and send SIGTERM.
    std::thread::sleep(Duration::from_millis(1500));
    stop.store(true, Ordering::SeqCst);
    let pid = server.0.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success(), "kill -TERM {pid}");
    signalled.store(true, Ordering::SeqCst);

    let seen: Vec<Seen> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    // The event stream ends (EOF) once the drain starts.
    let mut rest = Vec::new();
    let ended = events.read_to_end(&mut rest);
    assert!(ended.is_ok(), "the event stream did not end cleanly: {ended:?}");

    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(s) = server.0.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "serve did not exit after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    let log = std::fs::read_to_string(dir.path().join("serve.log")).unwrap();
    assert_eq!(status.code(), Some(0), "serve exited with {status}; log:\n{log}");
    assert!(log.contains("shutting down: draining"), "{log}");
    assert!(!log.contains("grace period ended"), "the drain ran into the grace period:\n{log}");
    assert!(TcpStream::connect(&addr).is_err(), "the listener is still open after exit");

    let failed: Vec<&String> = seen.iter().flat_map(|s| &s.failed).collect();
    assert!(failed.is_empty(), "requests failed: {failed:?}");
    let bad: Vec<&(String, u16)> = seen.iter().flat_map(|s| &s.answered).filter(|(_, st)| *st != 200).collect();
    assert!(bad.is_empty(), "{} answers other than 200, e.g. {:?}", bad.len(), bad.first());
    let answered: usize = seen.iter().map(|s| s.answered.len()).sum();
    let acknowledged: Vec<&String> = seen.iter().flat_map(|s| &s.acknowledged).collect();
    let held = acknowledged.iter().filter(|p| p.starts_with("sigterm-held-")).count();
    assert_eq!(held, 3, "the three writes in flight at SIGTERM were not all acknowledged");
    eprintln!(
        "{answered} requests answered, {} writes acknowledged (3 of them in flight at SIGTERM)",
        acknowledged.len()
    );
    assert!(
        answered > 20 && acknowledged.len() > 5,
        "too little load: {answered} answers, {} writes",
        acknowledged.len()
    );

    // Every acknowledged write is stored whole; nothing is stored in part.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let points = rt.block_on(async {
        let store = store::open(&db).await.unwrap();
        let filter = store::SeriesFilter { variable: Some("sea_surface_temperature".into()), ..Default::default() };
        store.series_points(&filter).await.unwrap()
    });
    let mut per_platform: HashMap<&str, usize> = HashMap::new();
    for p in &points {
        *per_platform.entry(p.platform.as_str()).or_default() += 1;
    }
    for p in &acknowledged {
        assert_eq!(per_platform.get(p.as_str()).copied(), Some(ROWS), "acknowledged write {p} is not stored whole");
    }
    let partial: Vec<(&&str, &usize)> = per_platform.iter().filter(|(_, n)| **n != ROWS).collect();
    assert!(partial.is_empty(), "writes stored in part: {partial:?}");
    for p in seen.iter().flat_map(|s| &s.unacknowledged) {
        assert!(matches!(per_platform.get(p.as_str()), None | Some(&ROWS)), "{p} is stored in part");
    }
    assert_eq!(
        per_platform.len(),
        acknowledged.len()
            + seen.iter().flat_map(|s| &s.unacknowledged).filter(|p| per_platform.contains_key(p.as_str())).count()
    );
}

//! `halocline migrate` (SQLite → PostgreSQL, resumable, verified), `halocline backup` and
//! `halocline restore` for either backend.

use std::path::Path;

use store::transfer::{MigrationReport, TableSum};

/// Rows per copied chunk (one PostgreSQL transaction each).
const CHUNK_ROWS: usize = 5000;

pub async fn migrate(from: &str, to: &str, restart: bool) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let mut last_print = std::time::Instant::now();
    let report = store::transfer::migrate(from, to, restart, CHUNK_ROWS, |table, n| {
        if last_print.elapsed().as_secs_f64() > 2.0 {
            eprintln!("  {table}: {n} rows copied");
            last_print = std::time::Instant::now();
        }
        true
    })
    .await?;
    print_report(&report);
    println!("took {:.1} s", started.elapsed().as_secs_f64());
    anyhow::ensure!(report.verified(), "verification failed: the target differs from the source (see above)");
    Ok(())
}

pub fn print_report(r: &MigrationReport) {
    if !r.resumed.is_empty() {
        println!("resumed an interrupted migration in: {}", r.resumed.join(", "));
    }
    let copied: u64 = r.copied.iter().map(|c| c.1).sum();
    if copied == 0 {
        println!("nothing to copy: every table was already migrated");
    }
    println!("| table | copied now | source rows | target rows | source checksum | target checksum | verified |");
    println!("|---|---|---|---|---|---|---|");
    for (s, t) in r.source.iter().zip(&r.target) {
        let now = r.copied.iter().find(|c| c.0 == s.table).map_or(0, |c| c.1);
        println!(
            "| {} | {now} | {} | {} | {:016x} | {:016x} | {} |",
            s.table,
            s.rows,
            t.rows,
            s.checksum,
            t.checksum,
            if s == t { "ok" } else { "DIFFERS" }
        );
    }
}

pub fn print_sums(sums: &[TableSum]) {
    for s in sums {
        println!("  {:<16} {:>10} rows  checksum {:016x}", s.table, s.rows, s.checksum);
    }
}

pub async fn backup(url: &str, dest: &Path) -> anyhow::Result<()> {
    let t = std::time::Instant::now();
    let c = store::backup::backup(url, dest).await?;
    let size = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
    println!(
        "backed up {url} to {} ({:.1} MB, {:.1} s): {} files, {} profiles, {} series points, {} heat-stress days",
        dest.display(),
        size as f64 / 1e6,
        t.elapsed().as_secs_f64(),
        c.files,
        c.profiles,
        c.series_points,
        c.heat_stress_days
    );
    Ok(())
}

pub async fn restore(url: &str, src: &Path, force: bool) -> anyhow::Result<()> {
    let t = std::time::Instant::now();
    let c = store::backup::restore(url, src, force).await?;
    println!(
        "restored {} into {url} ({:.1} s): {} files, {} profiles, {} series points, {} heat-stress days",
        src.display(),
        t.elapsed().as_secs_f64(),
        c.files,
        c.profiles,
        c.series_points,
        c.heat_stress_days
    );
    Ok(())
}

/// Opens the store; a PostgreSQL server that is not up yet (refused or dropped connections, "the database
/// system is starting up", pool timeouts) is retried with backoff, 0.5 s doubling to 8 s, each attempt
/// bounded to 10 s, until `HALOCLINE_DB_WAIT_SECONDS` (default 30) have passed. Other errors (a bad
/// password, a missing database) fail at once.
pub async fn open_waiting(url: &str) -> anyhow::Result<std::sync::Arc<dyn store::Store>> {
    use std::time::Duration;
    use tokio::time::Instant;
    if !store::is_postgres(url) {
        return Ok(store::open(url).await?);
    }
    let wait = std::env::var("HALOCLINE_DB_WAIT_SECONDS").ok().and_then(|s| s.trim().parse::<u64>().ok()).unwrap_or(30);
    let deadline = Instant::now() + Duration::from_secs(wait);
    let mut pause = Duration::from_millis(500);
    loop {
        let attempt =
            deadline.saturating_duration_since(Instant::now()).clamp(Duration::from_secs(1), Duration::from_secs(10));
        let why = match tokio::time::timeout(attempt, store::open(url)).await {
            Ok(Ok(s)) => return Ok(s),
            Ok(Err(e)) if not_up_yet(&e) => e.to_string(),
            Ok(Err(e)) => return Err(anyhow::Error::new(e).context(format!("cannot open the store {}", redact(url)))),
            Err(_) => format!("no connection within {} s", attempt.as_secs()),
        };
        if Instant::now() + pause >= deadline {
            anyhow::bail!(
                "PostgreSQL at {} did not come up within {wait} s (HALOCLINE_DB_WAIT_SECONDS): {why}",
                redact(url)
            );
        }
        tracing::warn!(error = %why, retry_in_ms = pause.as_millis() as u64, "PostgreSQL is not reachable yet; retrying");
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(8));
    }
}

/// Errors of a server that is starting, stopping or not there yet: the store's "unavailable" errors
/// (refused or dropped connections, pool timeouts) and PostgreSQL's 57P03 "the database system is
/// starting up" (its message: the store error keeps only the text).
fn not_up_yet(e: &store::StoreError) -> bool {
    let text = e.to_string();
    e.code() == model::ErrorCode::Unavailable
        || text.contains("the database system is starting up")
        || text.contains("the database system is shutting down")
}

/// A store URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

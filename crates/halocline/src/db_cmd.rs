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

//! `halocline ingest`: discovery, a progress bar for folders, one line per skipped file, a summary.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use ingest::Summary;
use store::Store;

pub async fn run(store: Arc<dyn Store>, paths: &[PathBuf], verbose: bool) -> anyhow::Result<Summary> {
    let files = ingest::discover(paths)?;
    let show_bar = paths.iter().any(|p| p.is_dir()) && files.len() > 1;
    let bar = if show_bar { ProgressBar::new(files.len() as u64) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let start = Instant::now();
    let store_for_checkpoint = store.clone();
    let summary = ingest::ingest_files(store, files, |o| {
        bar.inc(1);
        if let Some(e) = &o.error {
            bar.println(format!("skipped {}: {e}", o.path.display()));
        }
        if verbose {
            for d in &o.diagnostics {
                bar.println(format!("note {}: {d}", o.path.display()));
            }
        }
    })
    .await;
    bar.finish_and_clear();
    finish(&*store_for_checkpoint, summary, start).await
}

/// Ingests files held in memory, `(name, bytes)` (the demo sample embedded in the binary): detection,
/// one transaction per file and the summary, as for files on disk.
pub async fn run_embedded(
    store: Arc<dyn Store>,
    files: &'static [(&'static str, &'static [u8])],
) -> anyhow::Result<Summary> {
    let start = Instant::now();
    let prepared = files.iter().map(|(name, bytes)| ingest::prepare_bytes(std::path::Path::new(name), bytes));
    let summary = ingest::ingest_prepared(store.clone(), prepared, |o| {
        if let Some(e) = &o.error {
            println!("skipped {}: {e}", o.path.display());
        }
    })
    .await;
    finish(&*store, summary, start).await
}

/// Folds the write-ahead log into the main file once, at the end of a run, and prints the summary.
async fn finish(store: &dyn Store, summary: Summary, start: Instant) -> anyhow::Result<Summary> {
    if let Err(e) = store.checkpoint().await {
        tracing::warn!(error = %e, "checkpoint after ingest failed; the write-ahead log still holds the data");
    }
    let secs = start.elapsed().as_secs_f64();
    let (r, w) = (summary.read, summary.written);
    println!("ingested {} of {} files in {secs:.2} s", summary.files_ingested, summary.files_seen);
    println!("  {:<18} {:>10} read {:>10} new or changed", "profiles", r.profiles, w.profiles);
    println!("  {:<18} {:>10} read {:>10} new or changed", "levels", r.levels, w.levels);
    println!("  {:<18} {:>10} read {:>10} new or changed", "series points", r.series_points, w.series_points);
    println!("  {:<18} {:>10} read {:>10} new or changed", "heat-stress days", r.heat_stress_days, w.heat_stress_days);
    println!("  {:<18} {:>10} read {:>10} new or changed", "platforms", r.platforms, w.platforms);
    println!("  {:<18} {:>10} read {:>10} new or changed", "index rows", r.index_rows, w.index_rows);
    if r.grids > 0 || w.grids > 0 {
        // Written can exceed read: heat-stress grids computed from SST are written too.
        println!("  {:<18} {:>10} read {:>10} new or changed", "grids", r.grids, w.grids);
    }
    if summary.diagnostics > 0 {
        println!(
            "  {} reader notes (rows or profiles skipped inside files; --verbose lists them)",
            summary.diagnostics
        );
    }
    if !summary.skipped.is_empty() {
        println!("skipped {} files:", summary.skipped.len());
        for (p, why) in &summary.skipped {
            println!("  {}: {why}", p.display());
        }
    }
    Ok(summary)
}

pub async fn print_totals(store: &dyn Store) -> anyhow::Result<()> {
    let c = store.counts().await?;
    println!(
        "store holds {} files: {} platforms, {} profiles ({} levels), {} series points, {} reef sites, {} heat-stress days, {} index rows",
        c.files, c.platforms, c.profiles, c.levels, c.series_points, c.reef_sites, c.heat_stress_days, c.index_rows
    );
    Ok(())
}

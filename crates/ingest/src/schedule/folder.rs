//! A drop folder: every run ingests the files that appeared or changed in a folder since the last
//! successful run (by modification time; the first run reads them all). Re-reading a file is harmless
//! (the UPSERT reports zero changes), so the window starts a minute before that run began.

use std::path::PathBuf;
use std::time::SystemTime;

use super::{Job, JobContext, JobError, RunFuture, RunOutcome};

/// Ingests new or changed files of a folder (walked recursively, formats detected from content).
pub struct DropFolderJob {
    pub dir: PathBuf,
}

impl DropFolderJob {
    pub fn new(dir: impl Into<PathBuf>) -> DropFolderJob {
        DropFolderJob { dir: dir.into() }
    }
}

impl Job for DropFolderJob {
    fn run(&self, ctx: JobContext) -> RunFuture {
        let dir = self.dir.clone();
        Box::pin(async move {
            if !dir.is_dir() {
                return Err(JobError(format!("{}: no such folder", dir.display())));
            }
            let since: Option<SystemTime> =
                ctx.last_success.map(|t| SystemTime::from(t - chrono::Duration::minutes(1)));
            let files = crate::discover(std::slice::from_ref(&dir))?;
            let files: Vec<PathBuf> = files
                .into_iter()
                .filter(|f| {
                    let modified = std::fs::metadata(f).and_then(|m| m.modified()).ok();
                    match (since, modified) {
                        (Some(s), Some(m)) => m >= s,
                        _ => true,
                    }
                })
                .collect();
            let seen = files.len();
            let summary = crate::ingest_files(ctx.store.clone(), files, |o| {
                if let Some(e) = &o.error {
                    tracing::warn!(file = %o.path.display(), error = %e, "drop folder: skipped");
                }
            })
            .await;
            ctx.store.checkpoint().await?;
            let w = summary.written;
            let rows = w.platforms + w.profiles + w.series_points + w.reef_sites + w.heat_stress_days + w.index_rows;
            if seen > 0 && summary.files_ingested == 0 {
                return Err(JobError(format!("none of the {seen} new files could be ingested")));
            }
            Ok(RunOutcome {
                rows_added: rows,
                note: Some(format!("{} of {seen} new or changed files ingested", summary.files_ingested)),
            })
        })
    }
}

//! The scheduler's run log (`job_runs`) and retention's record of verified archives (`archives`), tables
//! of SQLite migration 5 and PostgreSQL migration 4. Times are Unix milliseconds in both, so a run's
//! duration survives a backend change. The SQL, the same for both backends, is `queries/jobs.rs`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::StoreError;

/// How a scheduled run ended (or that it has not yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    /// Started and not finished: still going, or the process died (marked `Interrupted` at the next start).
    Running,
    Ok,
    Failed,
    /// Not started because the previous run of the same job was still going at this tick.
    Skipped,
    /// Was running when the process stopped.
    Interrupted,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Running => "running",
            JobStatus::Ok => "ok",
            JobStatus::Failed => "failed",
            JobStatus::Skipped => "skipped",
            JobStatus::Interrupted => "interrupted",
        }
    }

    pub fn parse(s: &str) -> Option<JobStatus> {
        [JobStatus::Running, JobStatus::Ok, JobStatus::Failed, JobStatus::Skipped, JobStatus::Interrupted]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// One row of the run log.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRun {
    /// The store's id (0 before the row is inserted).
    pub id: i64,
    pub job: String,
    pub started: DateTime<Utc>,
    pub finished: Option<DateTime<Utc>>,
    pub status: JobStatus,
    pub rows_added: u64,
    pub error: Option<String>,
}

/// A verified archive of one table-month in a directory (the directory's `MANIFEST.json` has the detail).
#[derive(Debug, Clone, PartialEq)]
pub struct ArchiveRecord {
    pub table: String,
    /// `YYYY-MM`.
    pub month: String,
    pub dir: String,
    pub rows: u64,
    /// The archive checksum as 16 hex digits.
    pub checksum: String,
    pub verified_at: DateTime<Utc>,
}

/// The scheduler's run log and the record of verified archives.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Appends a run to the run log; returns its id.
    async fn insert_job_run(&self, r: &JobRun) -> Result<i64, StoreError>;
    /// Updates the end of a run (finished, status, rows added, error) by id.
    async fn update_job_run(&self, r: &JobRun) -> Result<(), StoreError>;
    /// The newest `limit` runs (of one job, or all), newest first.
    async fn job_runs(&self, job: Option<&str>, limit: usize) -> Result<Vec<JobRun>, StoreError>;
    /// Marks every run still `running` as `interrupted` (called when a scheduler starts); returns how many.
    async fn interrupt_job_runs(&self, at: DateTime<Utc>) -> Result<u64, StoreError>;
    /// Records (or refreshes) a verified archive of one table-month.
    async fn record_archive(&self, a: &ArchiveRecord) -> Result<(), StoreError>;
    async fn archive_records(&self) -> Result<Vec<ArchiveRecord>, StoreError>;
}

//! The scheduler's run log (`job_runs`) and retention's record of verified archives (`archives`), for
//! both backends. Times are Unix milliseconds in both, so a run's duration survives a backend change.

use chrono::{DateTime, TimeZone, Utc};

use crate::{PgStore, SqliteStore, StoreError};

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

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn from_ms(x: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(x).single().unwrap_or(DateTime::<Utc>::MIN_UTC)
}

type RunRow = (i64, String, i64, Option<i64>, String, i64, Option<String>);

fn run_of((id, job, started, finished, status, rows, error): RunRow) -> Result<JobRun, StoreError> {
    Ok(JobRun {
        id,
        job,
        started: from_ms(started),
        finished: finished.map(from_ms),
        status: JobStatus::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("job run status {status:?}")))?,
        rows_added: rows.max(0) as u64,
        error,
    })
}

type ArchiveRow = (String, String, String, i64, String, i64);

fn archive_of((table, month, dir, rows, checksum, at): ArchiveRow) -> ArchiveRecord {
    ArchiveRecord { table, month, dir, rows: rows.max(0) as u64, checksum, verified_at: from_ms(at) }
}

pub(crate) async fn sqlite_insert_run(s: &SqliteStore, r: &JobRun) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO job_runs (job, started, finished, status, rows_added, error) VALUES (?, ?, ?, ?, ?, ?)
         RETURNING id",
    )
    .bind(&r.job)
    .bind(ms(r.started))
    .bind(r.finished.map(ms))
    .bind(r.status.as_str())
    .bind(r.rows_added as i64)
    .bind(&r.error)
    .fetch_one(&s.writer)
    .await?)
}

pub(crate) async fn sqlite_update_run(s: &SqliteStore, r: &JobRun) -> Result<(), StoreError> {
    sqlx::query("UPDATE job_runs SET finished = ?, status = ?, rows_added = ?, error = ? WHERE id = ?")
        .bind(r.finished.map(ms))
        .bind(r.status.as_str())
        .bind(r.rows_added as i64)
        .bind(&r.error)
        .bind(r.id)
        .execute(&s.writer)
        .await?;
    Ok(())
}

pub(crate) async fn sqlite_runs(s: &SqliteStore, job: Option<&str>, limit: usize) -> Result<Vec<JobRun>, StoreError> {
    let rows: Vec<RunRow> = sqlx::query_as(
        "SELECT id, job, started, finished, status, rows_added, error FROM job_runs
         WHERE ? IS NULL OR job = ? ORDER BY started DESC, id DESC LIMIT ?",
    )
    .bind(job)
    .bind(job)
    .bind(limit.min(i64::MAX as usize) as i64)
    .fetch_all(s.reader())
    .await?;
    rows.into_iter().map(run_of).collect()
}

pub(crate) async fn sqlite_interrupt(s: &SqliteStore, at: DateTime<Utc>) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "UPDATE job_runs SET status = 'interrupted', finished = ?,
           error = 'the process stopped while the run was going' WHERE status = 'running'",
    )
    .bind(ms(at))
    .execute(&s.writer)
    .await?
    .rows_affected())
}

pub(crate) async fn sqlite_record_archive(s: &SqliteStore, a: &ArchiveRecord) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO archives (table_name, month, dir, rows, checksum, verified_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (table_name, month, dir) DO UPDATE SET rows = excluded.rows, checksum = excluded.checksum,
           verified_at = excluded.verified_at",
    )
    .bind(&a.table)
    .bind(&a.month)
    .bind(&a.dir)
    .bind(a.rows as i64)
    .bind(&a.checksum)
    .bind(ms(a.verified_at))
    .execute(&s.writer)
    .await?;
    Ok(())
}

pub(crate) async fn sqlite_archives(s: &SqliteStore) -> Result<Vec<ArchiveRecord>, StoreError> {
    let rows: Vec<ArchiveRow> = sqlx::query_as(
        "SELECT table_name, month, dir, rows, checksum, verified_at FROM archives ORDER BY table_name, month, dir",
    )
    .fetch_all(s.reader())
    .await?;
    Ok(rows.into_iter().map(archive_of).collect())
}

pub(crate) async fn pg_insert_run(s: &PgStore, r: &JobRun) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO job_runs (job, started, finished, status, rows_added, error) VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id",
    )
    .bind(&r.job)
    .bind(ms(r.started))
    .bind(r.finished.map(ms))
    .bind(r.status.as_str())
    .bind(r.rows_added as i64)
    .bind(&r.error)
    .fetch_one(s.pool())
    .await?)
}

pub(crate) async fn pg_update_run(s: &PgStore, r: &JobRun) -> Result<(), StoreError> {
    sqlx::query("UPDATE job_runs SET finished = $1, status = $2, rows_added = $3, error = $4 WHERE id = $5")
        .bind(r.finished.map(ms))
        .bind(r.status.as_str())
        .bind(r.rows_added as i64)
        .bind(&r.error)
        .bind(r.id)
        .execute(s.pool())
        .await?;
    Ok(())
}

pub(crate) async fn pg_runs(s: &PgStore, job: Option<&str>, limit: usize) -> Result<Vec<JobRun>, StoreError> {
    let rows: Vec<RunRow> = sqlx::query_as(
        "SELECT id, job, started, finished, status, rows_added, error FROM job_runs
         WHERE $1::text IS NULL OR job = $1 ORDER BY started DESC, id DESC LIMIT $2",
    )
    .bind(job)
    .bind(limit.min(i64::MAX as usize) as i64)
    .fetch_all(s.pool())
    .await?;
    rows.into_iter().map(run_of).collect()
}

pub(crate) async fn pg_interrupt(s: &PgStore, at: DateTime<Utc>) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "UPDATE job_runs SET status = 'interrupted', finished = $1,
           error = 'the process stopped while the run was going' WHERE status = 'running'",
    )
    .bind(ms(at))
    .execute(s.pool())
    .await?
    .rows_affected())
}

pub(crate) async fn pg_record_archive(s: &PgStore, a: &ArchiveRecord) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO archives (table_name, month, dir, rows, checksum, verified_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (table_name, month, dir) DO UPDATE SET rows = excluded.rows, checksum = excluded.checksum,
           verified_at = excluded.verified_at",
    )
    .bind(&a.table)
    .bind(&a.month)
    .bind(&a.dir)
    .bind(a.rows as i64)
    .bind(&a.checksum)
    .bind(ms(a.verified_at))
    .execute(s.pool())
    .await?;
    Ok(())
}

pub(crate) async fn pg_archives(s: &PgStore) -> Result<Vec<ArchiveRecord>, StoreError> {
    let rows: Vec<ArchiveRow> = sqlx::query_as(
        "SELECT table_name, month, dir, rows, checksum, verified_at FROM archives ORDER BY table_name, month, dir",
    )
    .fetch_all(s.pool())
    .await?;
    Ok(rows.into_iter().map(archive_of).collect())
}

/// Migration SQL (SQLite 5, PostgreSQL 4).
pub(crate) const SQLITE_MIGRATION: &str = r#"
-- The scheduler's run log; times are Unix milliseconds.
CREATE TABLE job_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job TEXT NOT NULL,
    started INTEGER NOT NULL,
    finished INTEGER,
    status TEXT NOT NULL,
    rows_added INTEGER NOT NULL DEFAULT 0,
    error TEXT
);
CREATE INDEX job_runs_job ON job_runs (job, started);
-- Verified retention archives of one table-month in a directory (its MANIFEST.json has the files).
CREATE TABLE archives (
    table_name TEXT NOT NULL,
    month TEXT NOT NULL,
    dir TEXT NOT NULL,
    rows INTEGER NOT NULL,
    checksum TEXT NOT NULL,
    verified_at INTEGER NOT NULL,
    PRIMARY KEY (table_name, month, dir)
) WITHOUT ROWID;
"#;

pub(crate) const PG_MIGRATION: &str = r#"
-- The scheduler's run log; times are Unix milliseconds.
CREATE TABLE job_runs (
    id bigserial PRIMARY KEY,
    job text COLLATE "C" NOT NULL,
    started bigint NOT NULL,
    finished bigint,
    status text NOT NULL,
    rows_added bigint NOT NULL DEFAULT 0,
    error text
);
CREATE INDEX job_runs_job ON job_runs (job, started);
-- Verified retention archives of one table-month in a directory (its MANIFEST.json has the files).
CREATE TABLE archives (
    table_name text COLLATE "C" NOT NULL,
    month text COLLATE "C" NOT NULL,
    dir text COLLATE "C" NOT NULL,
    rows bigint NOT NULL,
    checksum text NOT NULL,
    verified_at bigint NOT NULL,
    PRIMARY KEY (table_name, month, dir)
);
"#;

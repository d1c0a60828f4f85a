//! The run log's and the archive records' SQL for both backends (`JobStore`).

use chrono::{DateTime, TimeZone, Utc};

use crate::error::StoreError;
use crate::jobs::{ArchiveRecord, JobRun, JobStatus};

pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn from_ms(x: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(x).single().unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// `job_runs`: id, job, started, finished, status, rows_added, error.
pub(crate) type RunRow = (i64, String, i64, Option<i64>, String, i64, Option<String>);

pub(crate) fn run_of((id, job, started, finished, status, rows, error): RunRow) -> Result<JobRun, StoreError> {
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

/// `archives`: table_name, month, dir, rows, checksum, verified_at.
pub(crate) type ArchiveRow = (String, String, String, i64, String, i64);

pub(crate) fn archive_of((table, month, dir, rows, checksum, at): ArchiveRow) -> ArchiveRecord {
    ArchiveRecord { table, month, dir, rows: rows.max(0) as u64, checksum, verified_at: from_ms(at) }
}

/// `impl JobStore for $store`: `reads` serves the lists, `writes` every write.
macro_rules! job_store {
    ($store:ty, reads: $reads:ident, writes: $writes:ident) => {
        #[async_trait::async_trait]
        impl $crate::jobs::JobStore for $store {
            async fn insert_job_run(&self, r: &$crate::jobs::JobRun) -> Result<i64, $crate::error::StoreError> {
                Ok(sqlx::query_scalar(
                    "INSERT INTO job_runs (job, started, finished, status, rows_added, error)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(&r.job)
                .bind($crate::queries::jobs::ms(r.started))
                .bind(r.finished.map($crate::queries::jobs::ms))
                .bind(r.status.as_str())
                .bind(r.rows_added as i64)
                .bind(&r.error)
                .fetch_one(&self.$writes)
                .await?)
            }

            async fn update_job_run(&self, r: &$crate::jobs::JobRun) -> Result<(), $crate::error::StoreError> {
                sqlx::query(
                    "UPDATE job_runs SET finished = $1, status = $2, rows_added = $3, error = $4 WHERE id = $5",
                )
                .bind(r.finished.map($crate::queries::jobs::ms))
                .bind(r.status.as_str())
                .bind(r.rows_added as i64)
                .bind(&r.error)
                .bind(r.id)
                .execute(&self.$writes)
                .await?;
                Ok(())
            }

            async fn job_runs(
                &self,
                job: Option<&str>,
                limit: usize,
            ) -> Result<Vec<$crate::jobs::JobRun>, $crate::error::StoreError> {
                let rows: Vec<$crate::queries::jobs::RunRow> = sqlx::query_as(
                    "SELECT id, job, started, finished, status, rows_added, error FROM job_runs
                     WHERE $1 IS NULL OR job = $1 ORDER BY started DESC, id DESC LIMIT $2",
                )
                .bind(job)
                .bind(limit.min(i64::MAX as usize) as i64)
                .fetch_all(&self.$reads)
                .await?;
                rows.into_iter().map($crate::queries::jobs::run_of).collect()
            }

            async fn interrupt_job_runs(
                &self,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<u64, $crate::error::StoreError> {
                Ok(sqlx::query(
                    "UPDATE job_runs SET status = 'interrupted', finished = $1,
                       error = 'the process stopped while the run was going' WHERE status = 'running'",
                )
                .bind($crate::queries::jobs::ms(at))
                .execute(&self.$writes)
                .await?
                .rows_affected())
            }

            async fn record_archive(&self, a: &$crate::jobs::ArchiveRecord) -> Result<(), $crate::error::StoreError> {
                sqlx::query(
                    "INSERT INTO archives (table_name, month, dir, rows, checksum, verified_at)
                     VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (table_name, month, dir) DO UPDATE SET rows = excluded.rows,
                       checksum = excluded.checksum, verified_at = excluded.verified_at",
                )
                .bind(&a.table)
                .bind(&a.month)
                .bind(&a.dir)
                .bind(a.rows as i64)
                .bind(&a.checksum)
                .bind($crate::queries::jobs::ms(a.verified_at))
                .execute(&self.$writes)
                .await?;
                Ok(())
            }

            async fn archive_records(&self) -> Result<Vec<$crate::jobs::ArchiveRecord>, $crate::error::StoreError> {
                let rows: Vec<$crate::queries::jobs::ArchiveRow> = sqlx::query_as(
                    "SELECT table_name, month, dir, rows, checksum, verified_at FROM archives
                     ORDER BY table_name, month, dir",
                )
                .fetch_all(&self.$reads)
                .await?;
                Ok(rows.into_iter().map($crate::queries::jobs::archive_of).collect())
            }
        }
    };
}
pub(crate) use job_store;

//! The job scheduler (`halocline schedule`, and inside `halocline serve --schedule`).
//!
//! A job is anything implementing [`Job`] (or an async closure through [`job_fn`]) registered under a
//! name with a [`Cadence`]. Runs of one job never overlap: a tick that comes while the previous run is
//! still going is recorded as `skipped`. Every run is logged in the store (`job_runs`: job, started,
//! finished, status, rows added, error) and, when a log directory is set, as JSON lines in
//! `DIR/scheduler.jsonl`. Jobs survive a restart: at start-up runs left `running` by a process that died
//! are marked `interrupted`, and each job's next run follows its last recorded run (a missed tick runs
//! once, straight away; a job never run before waits for its first tick).
//!
//! Time comes from a [`Clock`]: [`SystemClock`] in production, [`TokioClock`] under tokio's paused test
//! clock, so that a simulated day passes in milliseconds. Run-log writes go through a blocking task so
//! that the paused clock does not jump while they are in flight.

mod cadence;
mod clock;
mod folder;

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use store::{JobRun, JobStatus, Store, StoreError};

pub use cadence::{Cadence, CadenceError, Cron};
pub use clock::{Clock, SystemClock, TokioClock};
pub use folder::DropFolderJob;

/// What a finished run reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunOutcome {
    /// Rows the run added or changed in the store.
    pub rows_added: u64,
    /// A short human summary for the log (e.g. "3 files, 1 skipped").
    pub note: Option<String>,
}

/// Why a run failed (its text goes to the run log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobError(pub String);

impl std::fmt::Display for JobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<E: std::error::Error> From<E> for JobError {
    fn from(e: E) -> JobError {
        JobError(e.to_string())
    }
}

/// What a run is given.
#[derive(Clone)]
pub struct JobContext {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    /// The job's registered name.
    pub job: String,
    /// The tick this run belongs to.
    pub scheduled_for: DateTime<Utc>,
    /// When the last successful run of this job started (for incremental fetches: `--since`).
    pub last_success: Option<DateTime<Utc>>,
}

/// Boxed future of a run.
pub type RunFuture = Pin<Box<dyn Future<Output = Result<RunOutcome, JobError>> + Send>>;

/// A scheduled job. `run` is called at most once at a time per registered name.
pub trait Job: Send + Sync {
    fn run(&self, ctx: JobContext) -> RunFuture;
}

struct FnJob<F>(F);

impl<F, Fut> Job for FnJob<F>
where
    F: Fn(JobContext) -> Fut + Send + Sync,
    Fut: Future<Output = Result<RunOutcome, JobError>> + Send + 'static,
{
    fn run(&self, ctx: JobContext) -> RunFuture {
        Box::pin((self.0)(ctx))
    }
}

/// A job from an async closure: `job_fn(|ctx| async move { ... Ok(RunOutcome::default()) })`.
pub fn job_fn<F, Fut>(f: F) -> Arc<dyn Job>
where
    F: Fn(JobContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<RunOutcome, JobError>> + Send + 'static,
{
    Arc::new(FnJob(f))
}

/// Errors of the scheduler itself (runs fail softly into the run log).
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("a job named {0:?} is already registered")]
    Duplicate(String),
    #[error("job names are letters, digits, '-', '_', '.' and ':' ({0:?})")]
    BadName(String),
    #[error("no jobs to schedule")]
    Empty,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {source}")]
    Log { path: String, source: std::io::Error },
}

struct Entry {
    name: String,
    cadence: Cadence,
    job: Arc<dyn Job>,
}

/// Jobs, a store for the run log, a clock, and optionally a JSON-lines log directory.
pub struct Scheduler {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    jobs: Vec<Entry>,
    log: Option<Arc<JsonLog>>,
}

/// Counts of what a scheduler run did (the run log has the detail).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScheduleSummary {
    pub started: u64,
    pub ok: u64,
    pub failed: u64,
    pub skipped: u64,
    /// Runs of an earlier process found `running` at start-up and marked `interrupted`.
    pub interrupted_at_start: u64,
}

/// `DIR/scheduler.jsonl`, one JSON object per event.
struct JsonLog {
    path: PathBuf,
    file: Mutex<std::fs::File>,
}

impl JsonLog {
    fn open(dir: &std::path::Path) -> Result<JsonLog, ScheduleError> {
        let err = |source| ScheduleError::Log { path: dir.display().to_string(), source };
        std::fs::create_dir_all(dir).map_err(err)?;
        let path = dir.join("scheduler.jsonl");
        let file = std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(err)?;
        Ok(JsonLog { path, file: Mutex::new(file) })
    }

    fn write(&self, v: serde_json::Value) {
        use std::io::Write;
        let mut line = v.to_string();
        line.push('\n');
        let res = match self.file.lock() {
            Ok(mut f) => f.write_all(line.as_bytes()),
            Err(_) => Ok(()),
        };
        if let Err(e) = res {
            tracing::warn!(path = %self.path.display(), error = %e, "cannot write the scheduler log");
        }
    }
}

fn event(run: &JobRun, event: &str, note: Option<&str>) -> serde_json::Value {
    serde_json::json!({
        "ts": run.finished.unwrap_or(run.started).to_rfc3339(),
        "event": event,
        "job": run.job,
        "run_id": run.id,
        "status": run.status.as_str(),
        "started": run.started.to_rfc3339(),
        "finished": run.finished.map(|t| t.to_rfc3339()),
        "rows_added": run.rows_added,
        "error": run.error,
        "note": note,
    })
}

/// Runs a store call on a blocking thread (see the module doc: the paused test clock does not advance
/// while a blocking task runs, so log writes take no virtual time).
async fn db<T: Send + 'static>(
    f: impl FnOnce() -> Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send>> + Send + 'static,
) -> Result<T, StoreError> {
    let handle = tokio::runtime::Handle::current();
    match tokio::task::spawn_blocking(move || handle.block_on(f())).await {
        Ok(r) => r,
        Err(e) => Err(StoreError::Corrupt(format!("run-log task failed: {e}"))),
    }
}

impl Scheduler {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Scheduler {
        Scheduler { store, clock, jobs: Vec::new(), log: None }
    }

    /// Also log every event as JSON lines in `dir/scheduler.jsonl` (created if needed).
    pub fn with_log_dir(mut self, dir: &std::path::Path) -> Result<Scheduler, ScheduleError> {
        self.log = Some(Arc::new(JsonLog::open(dir)?));
        Ok(self)
    }

    /// Registers a job under a unique name.
    pub fn add(&mut self, name: &str, cadence: Cadence, job: Arc<dyn Job>) -> Result<(), ScheduleError> {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c)) {
            return Err(ScheduleError::BadName(name.into()));
        }
        if self.jobs.iter().any(|j| j.name == name) {
            return Err(ScheduleError::Duplicate(name.into()));
        }
        self.jobs.push(Entry { name: name.into(), cadence, job });
        Ok(())
    }

    /// Registered jobs and their cadences.
    pub fn jobs(&self) -> Vec<(String, String)> {
        self.jobs.iter().map(|j| (j.name.clone(), j.cadence.describe())).collect()
    }

    /// When each job would next run, given the run log (what [`Scheduler::run`] starts from).
    pub async fn next_runs(&self) -> Result<Vec<(String, Option<DateTime<Utc>>)>, ScheduleError> {
        let now = self.clock.now();
        let mut out = Vec::new();
        for j in &self.jobs {
            let (store, name) = (self.store.clone(), j.name.clone());
            let last = db(move || Box::pin(async move { store.job_runs(Some(&name), 1).await })).await?;
            let next = match last.first() {
                Some(r) => j.cadence.next_after(r.started).map(|t| t.max(now)),
                None => j.cadence.next_after(now),
            };
            out.push((j.name.clone(), next));
        }
        Ok(out)
    }

    /// Runs the jobs until `until` (inclusive; `None`: forever) or until `shutdown` resolves. At `until`
    /// the runs in flight are awaited; at shutdown they are stopped and marked `interrupted`.
    pub async fn run(
        &self,
        until: Option<DateTime<Utc>>,
        shutdown: impl Future<Output = ()>,
    ) -> Result<ScheduleSummary, ScheduleError> {
        if self.jobs.is_empty() {
            return Err(ScheduleError::Empty);
        }
        let mut summary = ScheduleSummary::default();
        let now = self.clock.now();
        let store = self.store.clone();
        summary.interrupted_at_start = db(move || Box::pin(async move { store.interrupt_job_runs(now).await })).await?;
        if summary.interrupted_at_start > 0 {
            tracing::warn!(runs = summary.interrupted_at_start, "runs of an earlier process were interrupted");
        }
        let mut next: Vec<Option<DateTime<Utc>>> = self.next_runs().await?.into_iter().map(|(_, t)| t).collect();
        let running: Vec<Arc<AtomicBool>> = self.jobs.iter().map(|_| Arc::new(AtomicBool::new(false))).collect();
        for (j, t) in self.jobs.iter().zip(&next) {
            tracing::info!(job = %j.name, cadence = %j.cadence.describe(), next = ?t, "scheduled");
        }
        let mut tasks = tokio::task::JoinSet::new();
        let outcomes = Arc::new(Mutex::new((0u64, 0u64)));
        tokio::pin!(shutdown);
        let mut stopped = false;
        while let Some(tick) = next.iter().flatten().min().copied() {
            if until.is_some_and(|u| tick > u) {
                break;
            }
            tokio::select! {
                _ = self.clock.sleep_until(tick) => {}
                _ = &mut shutdown => { stopped = true; break; }
            }
            while tasks.try_join_next().is_some() {}
            for (i, j) in self.jobs.iter().enumerate() {
                if next[i].is_none_or(|t| t > tick) {
                    continue;
                }
                next[i] = j.cadence.next_after(tick.max(self.clock.now()));
                if running[i].load(Ordering::SeqCst) {
                    summary.skipped += 1;
                    let mut run = JobRun {
                        id: 0,
                        job: j.name.clone(),
                        started: tick,
                        finished: Some(tick),
                        status: JobStatus::Skipped,
                        rows_added: 0,
                        error: Some("the previous run was still going".into()),
                    };
                    let (store, r) = (self.store.clone(), run.clone());
                    run.id = db(move || Box::pin(async move { store.insert_job_run(&r).await })).await?;
                    tracing::info!(job = %j.name, tick = %tick, "skipped: the previous run is still going");
                    if let Some(log) = &self.log {
                        log.write(event(&run, "skipped", None));
                    }
                    continue;
                }
                running[i].store(true, Ordering::SeqCst);
                summary.started += 1;
                let run = self.start_run(j, tick).await?;
                let (job, flag, log, out) = (j.job.clone(), running[i].clone(), self.log.clone(), outcomes.clone());
                let (store, clock) = (self.store.clone(), self.clock.clone());
                tasks.spawn(finish_run(job, run, store, clock, flag, log, out));
            }
        }
        if stopped {
            tasks.abort_all();
            while tasks.join_next().await.is_some() {}
            let (store, at) = (self.store.clone(), self.clock.now());
            db(move || Box::pin(async move { store.interrupt_job_runs(at).await })).await?;
        } else {
            while tasks.join_next().await.is_some() {}
        }
        let (ok, failed) = *outcomes.lock().unwrap_or_else(|e| e.into_inner());
        (summary.ok, summary.failed) = (ok, failed);
        Ok(summary)
    }

    /// Inserts the `running` row and builds the context.
    async fn start_run(&self, j: &Entry, tick: DateTime<Utc>) -> Result<(JobRun, JobContext), ScheduleError> {
        let mut run = JobRun {
            id: 0,
            job: j.name.clone(),
            started: self.clock.now(),
            finished: None,
            status: JobStatus::Running,
            rows_added: 0,
            error: None,
        };
        let (store, r, name) = (self.store.clone(), run.clone(), j.name.clone());
        let (id, recent) = db(move || {
            Box::pin(async move {
                let recent = store.job_runs(Some(&name), 200).await?;
                Ok((store.insert_job_run(&r).await?, recent))
            })
        })
        .await?;
        run.id = id;
        let last_success = recent.iter().find(|r| r.status == JobStatus::Ok).map(|r| r.started);
        tracing::info!(job = %j.name, run = id, "started");
        if let Some(log) = &self.log {
            log.write(event(&run, "started", None));
        }
        let ctx = JobContext {
            store: self.store.clone(),
            clock: self.clock.clone(),
            job: j.name.clone(),
            scheduled_for: tick,
            last_success,
        };
        Ok((run, ctx))
    }
}

/// Runs the job (a panic is a failed run), records the end, clears the running flag.
async fn finish_run(
    job: Arc<dyn Job>,
    (mut run, ctx): (JobRun, JobContext),
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    running: Arc<AtomicBool>,
    log: Option<Arc<JsonLog>>,
    outcomes: Arc<Mutex<(u64, u64)>>,
) {
    use futures_util::FutureExt;
    let result = match std::panic::AssertUnwindSafe(job.run(ctx)).catch_unwind().await {
        Ok(r) => r,
        Err(_) => Err(JobError("the job panicked".into())),
    };
    run.finished = Some(clock.now());
    let note = match result {
        Ok(o) => {
            run.status = JobStatus::Ok;
            run.rows_added = o.rows_added;
            o.note
        }
        Err(e) => {
            run.status = JobStatus::Failed;
            run.error = Some(e.0);
            None
        }
    };
    let r = run.clone();
    if let Err(e) = db(move || Box::pin(async move { store.update_job_run(&r).await })).await {
        tracing::error!(job = %run.job, error = %e, "cannot record the end of a run");
    }
    match run.status {
        JobStatus::Ok => tracing::info!(job = %run.job, rows_added = run.rows_added, note = ?note, "finished"),
        _ => tracing::warn!(job = %run.job, error = ?run.error, "failed"),
    }
    if let Some(log) = &log {
        log.write(event(&run, "finished", note.as_deref()));
    }
    if let Ok(mut o) = outcomes.lock() {
        if run.status == JobStatus::Ok {
            o.0 += 1;
        } else {
            o.1 += 1;
        }
    }
    running.store(false, Ordering::SeqCst);
}

#[cfg(test)]
mod tests;

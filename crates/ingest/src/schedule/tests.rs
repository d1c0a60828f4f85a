//! Scheduler tests on tokio's paused clock: a simulated day of an hourly job, a slow job that overruns
//! its slot, a restart that resumes from the run log, failures and panics, and a real drop folder. The
//! clock is paused after the store opens (with nothing else to do, paused time would jump past the
//! pool's connect timeout) and resumed before the test reads the run log.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, TimeZone, Utc};
use store::{JobRun, JobStatus, SqliteStore, Store};

use super::*;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()
}

/// A job that takes `minutes` of clock time and records how many of its runs overlap.
#[derive(Default)]
struct Probe {
    runs: AtomicU64,
    active: AtomicU64,
    max_active: AtomicU64,
}

fn slow_job(probe: Arc<Probe>, minutes: i64) -> Arc<dyn Job> {
    job_fn(move |ctx: JobContext| {
        let probe = probe.clone();
        async move {
            probe.runs.fetch_add(1, Ordering::SeqCst);
            let now = probe.active.fetch_add(1, Ordering::SeqCst) + 1;
            probe.max_active.fetch_max(now, Ordering::SeqCst);
            ctx.clock.sleep(Duration::minutes(minutes)).await;
            probe.active.fetch_sub(1, Ordering::SeqCst);
            Ok(RunOutcome { rows_added: 7, note: None })
        }
    })
}

async fn runs(store: &dyn Store, job: &str) -> Vec<JobRun> {
    let mut v = store.job_runs(Some(job), 1000).await.unwrap();
    v.reverse();
    v
}

#[tokio::test]
async fn an_hourly_job_runs_24_times_in_a_simulated_day_without_overlap() {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(":memory:").await.unwrap());
    tokio::time::pause();
    let clock = Arc::new(TokioClock::starting_at(t0()));
    let probe = Arc::new(Probe::default());
    let log_dir = tempfile::tempdir().unwrap();
    let mut s = Scheduler::new(store.clone(), clock.clone()).with_log_dir(log_dir.path()).unwrap();
    s.add("live", Cadence::parse("hourly").unwrap(), slow_job(probe.clone(), 20)).unwrap();
    let summary = s.run(Some(t0() + Duration::days(1)), std::future::pending()).await.unwrap();
    tokio::time::resume();
    assert_eq!(summary, ScheduleSummary { started: 24, ok: 24, ..Default::default() });
    assert_eq!(probe.runs.load(Ordering::SeqCst), 24);
    assert_eq!(probe.max_active.load(Ordering::SeqCst), 1);
    let log = runs(&*store, "live").await;
    assert_eq!(log.len(), 24);
    for (k, r) in log.iter().enumerate() {
        assert_eq!(r.started, t0() + Duration::hours(k as i64 + 1));
        assert_eq!(r.finished, Some(r.started + Duration::minutes(20)));
        assert_eq!((r.status, r.rows_added), (JobStatus::Ok, 7));
    }
    // The JSON-lines log has a start and an end per run.
    let text = std::fs::read_to_string(log_dir.path().join("scheduler.jsonl")).unwrap();
    let events: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(events.len(), 48);
    assert_eq!(events[0]["event"], "started");
    assert_eq!(events[1]["event"], "finished");
    assert_eq!(events[1]["rows_added"], 7);
    assert_eq!(events[1]["started"], "2025-01-01T01:00:00+00:00");
}

#[tokio::test]
async fn a_run_that_overruns_its_slot_makes_the_next_tick_skip_not_overlap() {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(":memory:").await.unwrap());
    tokio::time::pause();
    let clock = Arc::new(TokioClock::starting_at(t0()));
    let probe = Arc::new(Probe::default());
    let mut s = Scheduler::new(store.clone(), clock);
    s.add("slow", Cadence::parse("hourly").unwrap(), slow_job(probe.clone(), 90)).unwrap();
    let quick = Arc::new(Probe::default());
    s.add("quick", Cadence::parse("every 30m").unwrap(), slow_job(quick.clone(), 1)).unwrap();
    let summary = s.run(Some(t0() + Duration::days(1)), std::future::pending()).await.unwrap();
    tokio::time::resume();
    // Ticks at 01:00 … 24:00: a 90-minute run covers the next tick, so every other one is skipped.
    assert_eq!(probe.runs.load(Ordering::SeqCst), 12);
    assert_eq!(probe.max_active.load(Ordering::SeqCst), 1);
    assert_eq!(quick.runs.load(Ordering::SeqCst), 48, "another job keeps its own cadence");
    assert_eq!(summary.skipped, 12);
    let log = runs(&*store, "slow").await;
    let statuses: Vec<&str> = log.iter().take(4).map(|r| r.status.as_str()).collect();
    assert_eq!(statuses, ["ok", "skipped", "ok", "skipped"]);
    assert_eq!(log[1].started, t0() + Duration::hours(2));
    assert_eq!(log[1].error.as_deref(), Some("the previous run was still going"));
    assert_eq!(log[2].started, t0() + Duration::hours(3));
}

#[tokio::test]
async fn jobs_resume_after_a_restart_from_the_run_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let probe = Arc::new(Probe::default());
    {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(path.to_str().unwrap()).await.unwrap());
        tokio::time::pause();
        let mut s = Scheduler::new(store.clone(), Arc::new(TokioClock::starting_at(t0())));
        s.add("live", Cadence::parse("hourly").unwrap(), slow_job(probe.clone(), 5)).unwrap();
        s.run(Some(t0() + Duration::hours(3)), std::future::pending()).await.unwrap();
        tokio::time::resume();
        // The process then dies in the middle of the 03:30 run (a row left `running`).
        let crashed = JobRun {
            id: 0,
            job: "live".into(),
            started: t0() + Duration::minutes(210),
            finished: None,
            status: JobStatus::Running,
            rows_added: 0,
            error: None,
        };
        store.insert_job_run(&crashed).await.unwrap();
    }
    // Restarted at 05:30 on the same store.
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(path.to_str().unwrap()).await.unwrap());
    tokio::time::pause();
    let restart = t0() + Duration::minutes(330);
    let mut s = Scheduler::new(store.clone(), Arc::new(TokioClock::starting_at(restart)));
    s.add("live", Cadence::parse("hourly").unwrap(), slow_job(probe.clone(), 5)).unwrap();
    assert_eq!(s.next_runs().await.unwrap(), vec![("live".to_string(), Some(restart))], "04:00 was missed: run now");
    let summary = s.run(Some(t0() + Duration::hours(8)), std::future::pending()).await.unwrap();
    tokio::time::resume();
    assert_eq!(summary.interrupted_at_start, 1);
    assert_eq!(summary.started, 4);
    let log = runs(&*store, "live").await;
    let got: Vec<(String, &str)> =
        log.iter().map(|r| (r.started.format("%H:%M").to_string(), r.status.as_str())).collect();
    let want = [
        ("01:00", "ok"),
        ("02:00", "ok"),
        ("03:00", "ok"),
        ("03:30", "interrupted"),
        ("05:30", "ok"),
        ("06:00", "ok"),
        ("07:00", "ok"),
        ("08:00", "ok"),
    ];
    assert_eq!(got, want.map(|(a, b)| (a.to_string(), b)));
    assert_eq!(log[3].finished, Some(restart));
}

#[tokio::test]
async fn failures_and_panics_are_logged_and_the_schedule_goes_on() {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(":memory:").await.unwrap());
    tokio::time::pause();
    let mut s = Scheduler::new(store.clone(), Arc::new(TokioClock::starting_at(t0())));
    let n = Arc::new(AtomicU64::new(0));
    let n2 = n.clone();
    s.add(
        "flaky",
        Cadence::parse("0 */6 * * *").unwrap(),
        job_fn(move |_ctx| {
            let k = n2.fetch_add(1, Ordering::SeqCst);
            async move {
                match k {
                    0 => Err(JobError("upstream answered 503".into())),
                    1 => panic!("bug"),
                    _ => Ok(RunOutcome::default()),
                }
            }
        }),
    )
    .unwrap();
    assert!(matches!(
        s.add("flaky", Cadence::parse("daily").unwrap(), job_fn(|_| async { Ok(RunOutcome::default()) })),
        Err(ScheduleError::Duplicate(_))
    ));
    assert!(matches!(
        s.add("bad name", Cadence::parse("daily").unwrap(), job_fn(|_| async { Ok(RunOutcome::default()) })),
        Err(ScheduleError::BadName(_))
    ));
    let summary = s.run(Some(t0() + Duration::days(1)), std::future::pending()).await.unwrap();
    tokio::time::resume();
    assert_eq!((summary.started, summary.ok, summary.failed), (4, 2, 2));
    let log = runs(&*store, "flaky").await;
    assert_eq!(log[0].error.as_deref(), Some("upstream answered 503"));
    assert_eq!(log[1].error.as_deref(), Some("the job panicked"));
    assert_eq!(log[2].status, JobStatus::Ok);
}

#[tokio::test]
async fn shutdown_marks_the_run_in_flight_interrupted() {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(":memory:").await.unwrap());
    tokio::time::pause();
    let clock = Arc::new(TokioClock::starting_at(t0()));
    let mut s = Scheduler::new(store.clone(), clock.clone());
    s.add("long", Cadence::parse("hourly").unwrap(), slow_job(Arc::new(Probe::default()), 600)).unwrap();
    let stop = async {
        clock.sleep_until(t0() + Duration::minutes(90)).await;
    };
    s.run(None, stop).await.unwrap();
    tokio::time::resume();
    let log = runs(&*store, "long").await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].status, JobStatus::Interrupted);
    assert_eq!(log[0].finished, Some(t0() + Duration::minutes(90)));
}

fn sample(rel: &str) -> PathBuf {
    PathBuf::from(format!("{}/../../data/sample/{rel}", env!("CARGO_MANIFEST_DIR")))
}

#[tokio::test]
async fn a_drop_folder_job_ingests_new_files_and_then_only_changes() {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(":memory:").await.unwrap());
    let drop = tempfile::tempdir().unwrap();
    std::fs::copy(sample("argo/D4900590_097.nc"), drop.path().join("D4900590_097.nc")).unwrap();
    let job = DropFolderJob::new(drop.path());
    let ctx = |last_success| JobContext {
        store: store.clone(),
        clock: Arc::new(SystemClock),
        job: "drop".into(),
        scheduled_for: Utc::now(),
        last_success,
    };
    let first = job.run(ctx(None)).await.unwrap();
    assert_eq!(first.note.as_deref(), Some("1 of 1 new or changed files ingested"));
    // one platform + one profile
    assert_eq!(first.rows_added, 2);
    assert_eq!(store.counts().await.unwrap().profiles, 1);
    // Nothing new since a later successful run.
    let later = Utc::now() + Duration::hours(1);
    let again = job.run(ctx(Some(later))).await.unwrap();
    assert_eq!((again.rows_added, again.note.as_deref()), (0, Some("0 of 0 new or changed files ingested")));
    // A missing folder is a failed run with the reason.
    let gone = DropFolderJob::new(drop.path().join("nope")).run(ctx(None)).await.unwrap_err();
    assert!(gone.0.ends_with("no such folder"), "{gone}");
}

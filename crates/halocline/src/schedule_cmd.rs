//! `halocline schedule` (and `halocline serve --schedule`): jobs from `--job` flags and a jobs file, run
//! by `ingest::schedule::Scheduler` on the system clock, the run log in the store and `logs/`.
//!
//! A job is one line `NAME | CADENCE | KIND ARGS` (in `halocline.jobs`, or a `--job` flag), `#` starts a
//! comment. Kinds: `ingest DIR` (a drop folder), `retention KEEP_DAYS ARCHIVE_DIR` (the rolling window:
//! archive then delete rows older than KEEP_DAYS), `fetch SOURCE [ARGS]` (a live source: see
//! [`source_job`]). Cadences: `hourly`, `daily`, `weekly`, `every 15m`, or cron `0 */6 * * *` (UTC).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use ingest::schedule::{Cadence, DropFolderJob, Job, RunOutcome, Scheduler, SystemClock, job_fn};
use store::Store;

/// Where jobs come from (shared by `schedule` and `serve`).
#[derive(clap::Args, Clone, Default)]
pub struct JobsArg {
    /// A job "NAME | CADENCE | KIND ARGS", e.g. "drop | hourly | ingest /data/drop" (repeatable).
    #[arg(long = "job")]
    pub jobs: Vec<String>,
    /// A file of job lines (default: ./halocline.jobs when it exists).
    #[arg(long)]
    pub jobs_file: Option<PathBuf>,
    /// Directory of the JSON-lines run log (scheduler.jsonl).
    #[arg(long, default_value = "logs")]
    pub log_dir: PathBuf,
}

/// One parsed job line.
#[derive(Debug)]
pub struct JobLine {
    pub name: String,
    pub cadence: Cadence,
    pub kind: String,
    pub args: Vec<String>,
}

pub fn parse_line(line: &str) -> anyhow::Result<Option<JobLine>> {
    let line = line.split('#').next().unwrap_or("").trim();
    if line.is_empty() {
        return Ok(None);
    }
    let parts: Vec<&str> = line.split('|').map(str::trim).collect();
    let [name, cadence, what] = parts[..] else {
        anyhow::bail!("{line:?}: a job is NAME | CADENCE | KIND ARGS, e.g. \"drop | hourly | ingest /data/drop\"");
    };
    let mut words = what.split_whitespace().map(str::to_string);
    let kind = words.next().with_context(|| format!("{line:?}: the job kind is missing"))?;
    Ok(Some(JobLine { name: name.into(), cadence: Cadence::parse(cadence)?, kind, args: words.collect() }))
}

/// The job lines of the flags and the jobs file.
pub fn job_lines(arg: &JobsArg) -> anyhow::Result<Vec<JobLine>> {
    let mut out = Vec::new();
    let file = match &arg.jobs_file {
        Some(f) => Some(f.clone()),
        None => Some(PathBuf::from("halocline.jobs")).filter(|p| p.is_file()),
    };
    if let Some(f) = file {
        let text = std::fs::read_to_string(&f).with_context(|| format!("cannot read the jobs file {}", f.display()))?;
        for (n, l) in text.lines().enumerate() {
            if let Some(j) = parse_line(l).with_context(|| format!("{}:{}", f.display(), n + 1))? {
                out.push(j);
            }
        }
    }
    for l in &arg.jobs {
        out.extend(parse_line(l)?);
    }
    Ok(out)
}

/// The job a line describes.
pub fn make_job(j: &JobLine) -> anyhow::Result<Arc<dyn Job>> {
    match (j.kind.as_str(), &j.args[..]) {
        ("ingest", [dir]) => Ok(Arc::new(DropFolderJob::new(dir))),
        ("retention", [days, dir]) => {
            let keep: u32 =
                days.parse().with_context(|| format!("job {}: KEEP_DAYS {days:?} is not a number of days", j.name))?;
            Ok(retention_job(keep, PathBuf::from(dir)))
        }
        ("fetch", [source, rest @ ..]) => source_job(source, rest),
        (kind, _) => anyhow::bail!(
            "job {}: {kind:?} with {} arguments; kinds are `ingest DIR`, `retention KEEP_DAYS ARCHIVE_DIR`, `fetch SOURCE`",
            j.name,
            j.args.len()
        ),
    }
}

/// The rolling window as a job: archive (CSV.gz + Parquet, verified) and delete rows older than `keep` days.
pub fn retention_job(keep: u32, dir: PathBuf) -> Arc<dyn Job> {
    job_fn(move |ctx| {
        let dir = dir.clone();
        async move {
            let (a, d) = retention::rolling(&*ctx.store, &dir, keep, ctx.clock.now()).await?;
            let written = a.months.iter().filter(|m| m.3).count();
            let deleted: u64 = d.months.iter().map(|m| m.2).sum();
            Ok(RunOutcome {
                rows_added: 0,
                note: Some(format!("{written} month archives written, {deleted} rows older than {keep} days deleted")),
            })
        }
    })
}

/// The live sources every `fetch` job shares (one client: per-host limits and fetch counters), configured
/// like `halocline fetch`: default servers, overridden by `HALOCLINE_NDBC_URL`, `HALOCLINE_GDAC_URL`, ...
fn shared_sources() -> anyhow::Result<Arc<ingest::sources::Sources>> {
    static SOURCES: std::sync::OnceLock<Arc<ingest::sources::Sources>> = std::sync::OnceLock::new();
    if let Some(s) = SOURCES.get() {
        return Ok(s.clone());
    }
    /// `fetch`'s source options read from the environment alone.
    #[derive(clap::Parser)]
    struct FromEnv {
        #[command(flatten)]
        sources: crate::fetch_cmd::SourceArgs,
    }
    let config = <FromEnv as clap::Parser>::try_parse_from(["halocline"])?.sources.config()?;
    let sources = ingest::sources::Sources::new(config)?;
    Ok(SOURCES.get_or_init(|| sources).clone())
}

/// A `fetch SOURCE` job line: one run of the live source per tick, fetching what is new since the start of
/// the job's last successful run (everything the source offers on the first run). A run in which some
/// request failed or some answer was unreadable is recorded as failed, with what was stored still kept.
/// Cadence, overlap, run log and restart are the scheduler's business; the job only fetches.
pub fn source_job(source: &str, args: &[String]) -> anyhow::Result<Arc<dyn Job>> {
    anyhow::ensure!(args.is_empty(), "fetch {source}: takes no arguments (configure sources with HALOCLINE_*_URL)");
    anyhow::ensure!(
        ingest::sources::SOURCE_NAMES.contains(&source),
        "fetch {source:?}: unknown source; one of {}",
        ingest::sources::SOURCE_NAMES.join(", ")
    );
    let sources = shared_sources()?;
    let source = source.to_string();
    Ok(job_fn(move |ctx| {
        let (sources, source) = (sources.clone(), source.clone());
        async move {
            let report = sources.run(&*ctx.store, &source, ctx.last_success).await?;
            let note = format!(
                "{} answers, {} empty, {} rejected, {} failed",
                report.answers,
                report.empty,
                report.rejected.len(),
                report.failed.len()
            );
            if !report.is_success() {
                return Err(ingest::schedule::JobError(format!("{source}: {note}")));
            }
            Ok(RunOutcome { rows_added: report.rows_written(), note: Some(note) })
        }
    }))
}

/// A scheduler with every configured job (an error if none is).
pub fn build(store: Arc<dyn Store>, arg: &JobsArg) -> anyhow::Result<Scheduler> {
    let lines = job_lines(arg)?;
    anyhow::ensure!(
        !lines.is_empty(),
        "no jobs: pass --job \"NAME | CADENCE | KIND ARGS\" or write them in ./halocline.jobs (see README, Scheduler)"
    );
    let mut s = Scheduler::new(store, Arc::new(SystemClock)).with_log_dir(&arg.log_dir)?;
    for l in &lines {
        s.add(&l.name, l.cadence.clone(), make_job(l)?)?;
    }
    Ok(s)
}

/// `halocline schedule`: prints the jobs and their next runs, then runs them until Ctrl-C.
pub async fn run(store: Arc<dyn Store>, arg: &JobsArg, list_only: bool) -> anyhow::Result<()> {
    let s = build(store.clone(), arg)?;
    let next = s.next_runs().await?;
    println!("| job | cadence | next run (UTC) |");
    println!("|---|---|---|");
    for ((name, cadence), (_, t)) in s.jobs().iter().zip(&next) {
        let t = t.map_or("never".to_string(), |t| t.format("%Y-%m-%d %H:%M:%S").to_string());
        println!("| {name} | {cadence} | {t} |");
    }
    if list_only {
        print_runs(&*store, 20).await?;
        return Ok(());
    }
    println!("run log: the store's job_runs table and {}", arg.log_dir.join("scheduler.jsonl").display());
    println!("press Ctrl-C to stop");
    // SIGTERM or SIGINT stops it: runs in flight are stopped (their transaction rolls back) and marked
    // interrupted, to run again at the next start.
    let summary = s.run(None, crate::shutdown::Shutdown::install()?.requested()).await?;
    println!(
        "stopped: {} runs started, {} ok, {} failed, {} skipped (previous run still going)",
        summary.started, summary.ok, summary.failed, summary.skipped
    );
    Ok(())
}

/// The newest runs of the run log.
pub async fn print_runs(store: &dyn Store, n: usize) -> anyhow::Result<()> {
    let runs = store.job_runs(None, n).await?;
    println!("\nlast {} runs:", runs.len());
    println!("| job | started (UTC) | took | status | rows added | error |");
    println!("|---|---|---|---|---|---|");
    for r in runs {
        let took =
            r.finished.map_or("-".to_string(), |f| format!("{:.1} s", (f - r.started).num_milliseconds() as f64 / 1e3));
        println!(
            "| {} | {} | {took} | {} | {} | {} |",
            r.job,
            r.started.format("%Y-%m-%d %H:%M:%S"),
            r.status.as_str(),
            r.rows_added,
            r.error.unwrap_or_default()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_lines_parse_and_bad_ones_say_why() {
        let j = parse_line("drop | */30 * * * * | ingest /data/drop  # a comment").unwrap().unwrap();
        assert_eq!(
            (j.name.as_str(), j.kind.as_str(), j.args.clone()),
            ("drop", "ingest", vec!["/data/drop".to_string()])
        );
        assert_eq!(j.cadence.describe(), "*/30 * * * *");
        assert!(parse_line("   # only a comment").unwrap().is_none());
        assert!(parse_line("drop | hourly").unwrap_err().to_string().contains("NAME | CADENCE | KIND ARGS"));
        assert!(parse_line("drop | often | ingest x").is_err());
        let r = parse_line("window | daily | retention 30 /a").unwrap().unwrap();
        assert!(make_job(&r).is_ok());
        let bad = parse_line("window | daily | retention thirty /a").unwrap().unwrap();
        assert!(make_job(&bad).is_err());
        let live = parse_line("ndbc | hourly | fetch ndbc").unwrap().unwrap();
        assert!(make_job(&live).is_ok());
        let unknown = parse_line("x | hourly | fetch noaa").unwrap().unwrap();
        assert!(make_job(&unknown).err().unwrap().to_string().contains("unknown source"));
        let extra = parse_line("x | hourly | fetch ndbc 44005").unwrap().unwrap();
        assert!(make_job(&extra).err().unwrap().to_string().contains("takes no arguments"));
    }
}

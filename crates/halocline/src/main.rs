//! The `halocline` binary: ingest, serve, demo, qc and bench subcommands over one store. This is the only
//! crate that reads environment variables and prints to the terminal.

mod auth_cmd;
mod bench;
mod bench_api;
mod bench_erddap;
mod bench_nlq;
mod db_cmd;
mod fetch_cmd;
mod health_cmd;
mod ingest_cmd;
mod ops_cmd;
mod qc_cmd;
mod retention_cmd;
mod schedule_cmd;
mod shutdown;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

/// `halocline --version`: the crate version and the git revision it was built from (build.rs).
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("HALOCLINE_GIT_REV"), ")");

/// The demo sample embedded at build time (build.rs): (path under data/sample, bytes).
mod embedded {
    include!(concat!(env!("OUT_DIR"), "/sample.rs"));
}

#[derive(Parser)]
#[command(name = "halocline", version = VERSION, about = "Ocean observations: ingest, store, compute and serve")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Log format on stderr: text or json (one JSON object per line, with the request id).
    #[arg(long, global = true, env = "HALOCLINE_LOG_FORMAT", default_value = "text")]
    log_format: String,
}

/// Where the store lives: `--db URL`, else `DATABASE_URL`, else a file in the working directory.
#[derive(clap::Args, Clone)]
struct DbArg {
    /// Store URL: sqlite://PATH.db or postgres://USER@HOST:PORT/DB (default ./halocline.db; DATABASE_URL when set).
    #[arg(long, env = "DATABASE_URL")]
    db: Option<String>,
}

impl DbArg {
    fn url(&self, default_file: &str) -> String {
        self.db.clone().unwrap_or_else(|| format!("sqlite://{default_file}"))
    }
}

#[derive(Subcommand)]
enum Command {
    /// Ingest files or folders (format detected from content); prints a summary.
    Ingest {
        /// Files or folders (folders are walked recursively).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        db: DbArg,
        /// Print every reader diagnostic (skipped rows, duplicate profiles).
        #[arg(long)]
        verbose: bool,
    },
    /// Serve the REST API over the store.
    Serve {
        #[command(flatten)]
        db: DbArg,
        /// Address to listen on.
        #[arg(long, env = "HALOCLINE_BIND", default_value = "127.0.0.1:8000")]
        bind: String,
        #[command(flatten)]
        ops: ops_cmd::OpsArgs,
        #[command(flatten)]
        auth: auth_cmd::AuthArgs,
        /// Also run the scheduled jobs (from --job / --jobs-file / ./halocline.jobs) inside the server.
        #[arg(long)]
        schedule: bool,
        #[command(flatten)]
        jobs: schedule_cmd::JobsArg,
        /// Let `?live=true` queries refresh from the live sources first (within the live deadline).
        #[arg(long, env = "HALOCLINE_LIVE")]
        live: bool,
        #[command(flatten)]
        sources: fetch_cmd::SourceArgs,
    },
    /// One run of a live source (ndbc, ndbc-stations, argo-gdac, argo-erddap, griddap, crw-vs, copernicus):
    /// fetch with retries, read, and store idempotently; prints what it did.
    Fetch {
        /// The source to run.
        source: String,
        /// Only data from then on: YYYY-MM-DD, an ISO time, or an age (36h, 7d).
        #[arg(long)]
        since: Option<String>,
        /// The source's server (replaces its default base URL).
        #[arg(long)]
        base_url: Option<String>,
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        sources: fetch_cmd::SourceArgs,
    },
    /// Ask a running server's /health (the container's HEALTHCHECK: the image has no curl); exit 0 on 200.
    Health {
        /// The server's address (0.0.0.0 and [::] are asked on loopback).
        #[arg(long, env = "HALOCLINE_BIND", default_value = "127.0.0.1:8000")]
        bind: String,
        /// Seconds to wait for the answer.
        #[arg(long, default_value_t = 5)]
        timeout: u64,
    },
    /// Ingest the bundled sample data into ./halocline-demo.db (if empty) and serve it.
    Demo {
        #[command(flatten)]
        db: DbArg,
        #[arg(long, env = "HALOCLINE_BIND", default_value = "127.0.0.1:8000")]
        bind: String,
        /// The sample folder (default: ./data/sample when present, else the copy embedded in the binary).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Ingest and print the summary, then exit without serving.
        #[arg(long)]
        no_serve: bool,
        #[command(flatten)]
        ops: ops_cmd::OpsArgs,
        #[command(flatten)]
        auth: auth_cmd::AuthArgs,
    },
    /// User accounts (argon2 passwords, roles guest/educator/researcher/admin).
    Users {
        #[command(subcommand)]
        what: auth_cmd::UsersCommand,
    },
    /// API keys (shown once, stored as SHA-256).
    Keys {
        #[command(subcommand)]
        what: auth_cmd::KeysCommand,
    },
    /// IOOS QARTOD quality control of a CSV with an ioos_qc config; prints the flags as CSV.
    Qc {
        /// ioos_qc config JSON (plain, streams or contexts form).
        #[arg(long)]
        config: PathBuf,
        /// CSV with a `time` column and the streams the config names.
        data: PathBuf,
        /// Write the CSV here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Ocean Chat's parser: prints how a plain-language question is understood (the NLQ contract).
    Nlq {
        /// Reference date for relative times (YYYY-MM-DD; default today, UTC).
        #[arg(long)]
        now: Option<String>,
        /// Print only the JSON object (the contract of shared/eval/nlq).
        #[arg(long)]
        json: bool,
        /// The question (may start with "-").
        #[arg(allow_hyphen_values = true)]
        question: String,
    },
    /// Copy a SQLite store into PostgreSQL: resumable, verified by row counts and a checksum per table;
    /// running it again copies nothing.
    Migrate {
        /// The SQLite store (sqlite://PATH.db).
        #[arg(long)]
        from: String,
        /// The PostgreSQL store (postgres://USER@HOST:PORT/DB).
        #[arg(long)]
        to: String,
        /// Forget the progress of earlier runs and compare every row again.
        #[arg(long)]
        restart: bool,
    },
    /// Row counts and checksums of every table of a store (to compare two stores).
    Checksum {
        #[command(flatten)]
        db: DbArg,
    },
    /// Back the store up while it serves: SQLite with VACUUM INTO, PostgreSQL with pg_dump.
    Backup {
        #[command(flatten)]
        db: DbArg,
        /// The backup file to write (must not exist).
        out: PathBuf,
    },
    /// Replace the store with a backup made by `halocline backup`.
    Restore {
        #[command(flatten)]
        db: DbArg,
        /// The backup file.
        file: PathBuf,
        /// Replace a store that holds data.
        #[arg(long)]
        force: bool,
    },
    /// Run scheduled jobs in the foreground (drop folders, the retention window, live sources); jobs are
    /// "NAME | CADENCE | KIND ARGS" lines from --job flags or ./halocline.jobs. Runs are logged in the store
    /// (job_runs) and logs/scheduler.jsonl.
    Schedule {
        #[command(flatten)]
        db: DbArg,
        #[command(flatten)]
        jobs: schedule_cmd::JobsArg,
        /// Print the jobs, their next runs and the recent run log, then exit.
        #[arg(long)]
        list: bool,
    },
    /// Archives and the rolling window: --status, --archive-days N --archive-dir DIR, --delete-days N,
    /// --keep-days N --archive-dir DIR. Archives are CSV.gz + Parquet per table and month, verified
    /// before any row is deleted; rows no verified archive holds are never deleted.
    Retention {
        #[command(flatten)]
        db: DbArg,
        /// Rows per table and month, and which archives hold them (the default).
        #[arg(long)]
        status: bool,
        /// Archive every month with rows older than N days (needs --archive-dir).
        #[arg(long, value_name = "N")]
        archive_days: Option<u32>,
        /// The archive directory (MANIFEST.json, TABLE/YYYY-MM.csv.gz and .parquet).
        #[arg(long, value_name = "DIR")]
        archive_dir: Option<PathBuf>,
        /// Delete rows older than N days, if verified archives hold every one of them.
        #[arg(long, value_name = "N")]
        delete_days: Option<u32>,
        /// The rolling window: archive, then delete, everything older than N days (needs --archive-dir).
        #[arg(long, value_name = "N")]
        keep_days: Option<u32>,
    },
    /// Load an archive directory (made by `halocline retention`) back into the store, verified first;
    /// rows already stored are left as they are.
    RestoreArchive {
        #[command(flatten)]
        db: DbArg,
        /// The archive directory.
        dir: PathBuf,
    },
    /// Benchmarks that print a table.
    Bench {
        #[command(subcommand)]
        what: bench::BenchCommand,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_env("HALOCLINE_LOG")
            .unwrap_or_else(|_| "warn,sqlx=error,halocline=info,server=info,ingest::schedule=info".into())
    };
    match cli.log_format.as_str() {
        "json" => tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .with_env_filter(filter())
            .with_writer(std::io::stderr)
            .init(),
        "text" => tracing_subscriber::fmt().with_env_filter(filter()).with_writer(std::io::stderr).init(),
        other => anyhow::bail!("--log-format {other:?}: use text or json"),
    }
    match cli.command {
        Command::Qc { config, data, out } => {
            let mut sink: Box<dyn std::io::Write> = match out {
                Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p)?)),
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            qc_cmd::run(&config, &data, &mut *sink)?;
            sink.flush()?;
            Ok(())
        }
        Command::Ingest { paths, db, verbose } => runtime()?.block_on(async {
            let store = db_cmd::open_waiting(&db.url("halocline.db")).await?;
            let summary = ingest_cmd::run(store.clone(), &paths, verbose).await?;
            ingest_cmd::print_totals(&*store).await?;
            if summary.files_ingested == 0 && summary.files_seen > 0 {
                anyhow::bail!("no file could be ingested");
            }
            Ok(())
        }),
        Command::Serve { db, bind, auth, schedule, jobs, ops, live, sources } => runtime()?.block_on(async {
            let url = db.url("halocline.db");
            let auth = auth.config()?;
            let store = db_cmd::open_waiting(&url).await?;
            let live = if live { Some(ingest::sources::Sources::new(sources.config()?)?) } else { None };
            let stop = shutdown::Shutdown::install()?;
            let scheduler = if schedule {
                let scheduler = schedule_cmd::build(store.clone(), &jobs)?;
                for (name, cadence) in scheduler.jobs() {
                    println!("scheduled job {name}: {cadence}");
                }
                let requested = stop.requested();
                Some(tokio::spawn(async move {
                    if let Err(e) = scheduler.run(None, requested).await {
                        tracing::error!(error = %e, "the scheduler stopped");
                    }
                }))
            } else {
                None
            };
            serve(store, &bind, &url, &ops, auth, live, &stop, scheduler).await
        }),
        Command::Fetch { source, since, base_url, db, sources } => runtime()?.block_on(async {
            let mut config = sources.config()?;
            if let Some(u) = &base_url {
                config.set_base_url(&source, u)?;
            }
            let since = since.map(|s| fetch_cmd::parse_since(&s, chrono::Utc::now())).transpose()?;
            let store = db_cmd::open_waiting(&db.url("halocline.db")).await?;
            let report = ingest::sources::run_source(&*store, &source, &config, since).await?;
            fetch_cmd::print_report(&report);
            store.checkpoint().await?;
            if !report.is_success() {
                anyhow::bail!("{source}: {} rejected, {} failed", report.rejected.len(), report.failed.len());
            }
            Ok(())
        }),
        Command::Users { what } => runtime()?.block_on(auth_cmd::users(what)),
        Command::Keys { what } => runtime()?.block_on(auth_cmd::keys(what)),
        Command::Health { bind, timeout } => health_cmd::run(&bind, std::time::Duration::from_secs(timeout.max(1))),
        Command::Demo { db, bind, data, no_serve, auth, ops } => runtime()?.block_on(async {
            let auth = auth.config()?;
            let url = db.url("halocline-demo.db");
            let store = db_cmd::open_waiting(&url).await?;
            let counts = store.counts().await?;
            if counts.files == 0 {
                match sample_dir(data)? {
                    Some(dir) => {
                        println!("ingesting the bundled sample {} into {url}", dir.display());
                        // The data folders only: the sample's SOURCES.md is documentation, not data.
                        let parts: Vec<PathBuf> = ["argo", "buoy", "crw", "grids"]
                            .iter()
                            .map(|d| dir.join(d))
                            .filter(|d| d.is_dir())
                            .collect();
                        ingest_cmd::run(
                            store.clone(),
                            if parts.is_empty() { std::slice::from_ref(&dir) } else { &parts },
                            false,
                        )
                        .await?;
                    }
                    None => {
                        println!(
                            "ingesting the bundled sample (embedded in this binary, {} files) into {url}",
                            embedded::SAMPLE.len()
                        );
                        ingest_cmd::run_embedded(store.clone(), embedded::SAMPLE).await?;
                    }
                }
            } else {
                println!("{url} already holds {} files; not ingesting again", counts.files);
            }
            ingest_cmd::print_totals(&*store).await?;
            if no_serve {
                return Ok(());
            }
            let stop = shutdown::Shutdown::install()?;
            serve(store, &bind, &url, &ops, auth, None, &stop, None).await
        }),
        Command::Nlq { now, json, question } => {
            let now = match now {
                Some(s) => chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                    .with_context(|| format!("--now {s:?} is not a date YYYY-MM-DD"))?,
                None => chrono::Utc::now().date_naive(),
            };
            let it = nlq::parse(&question, now);
            let mut out = std::io::stdout().lock();
            let text = if json {
                format!("{}\n", server::api::wire::interpretation_json(&it))
            } else {
                format!("{}\n{}\n", it.summary(), server::api::wire::interpretation_json(&it))
            };
            // a closed pipe (`| head`) is not an error
            match std::io::Write::write_all(&mut out, text.as_bytes()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
                _ => Ok(()),
            }
        }
        Command::Migrate { from, to, restart } => runtime()?.block_on(db_cmd::migrate(&from, &to, restart)),
        Command::Checksum { db } => runtime()?.block_on(async {
            let url = db.url("halocline.db");
            println!("{url}");
            db_cmd::print_sums(&store::transfer::checksums(&url).await?);
            Ok(())
        }),
        Command::Backup { db, out } => runtime()?.block_on(db_cmd::backup(&db.url("halocline.db"), &out)),
        Command::Restore { db, file, force } => {
            runtime()?.block_on(db_cmd::restore(&db.url("halocline.db"), &file, force))
        }
        Command::Schedule { db, jobs, list } => runtime()?.block_on(async {
            let store = db_cmd::open_waiting(&db.url("halocline.db")).await?;
            schedule_cmd::run(store, &jobs, list).await
        }),
        Command::Retention { db, status, archive_days, archive_dir, delete_days, keep_days } => {
            runtime()?.block_on(async {
                let store = db_cmd::open_waiting(&db.url("halocline.db")).await?;
                let req = retention_cmd::Request { status, archive_days, archive_dir, delete_days, keep_days };
                retention_cmd::run(&*store, req).await
            })
        }
        Command::RestoreArchive { db, dir } => runtime()?.block_on(async {
            let store = store::open(&db.url("halocline.db")).await?;
            retention_cmd::restore(&*store, &dir).await
        }),
        Command::Bench { what } => runtime()?.block_on(bench::run(what)),
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

/// Serves until SIGTERM or SIGINT, then drains within the grace period (`shutdown`): the listener stops
/// accepting, requests in flight finish, the scheduler (when running) stops its runs, and the process
/// exits 0.
#[allow(clippy::too_many_arguments)]
async fn serve(
    store: std::sync::Arc<dyn store::Store>,
    bind: &str,
    url: &str,
    ops: &ops_cmd::OpsArgs,
    auth: server::auth::AuthConfig,
    live: Option<std::sync::Arc<ingest::sources::Sources>>,
    stop: &shutdown::Shutdown,
    scheduler: Option<tokio::task::JoinHandle<()>>,
) -> anyhow::Result<()> {
    ingest::sources::http::describe_metrics();
    // Bad notification settings stop the server before it listens.
    let notify = ops_cmd::notify_config()?;
    let listener = tokio::net::TcpListener::bind(bind).await.with_context(|| format!("cannot listen on {bind}"))?;
    let addr = listener.local_addr()?;
    println!("serving {url} on http://{addr}");
    println!("  open http://{addr}/health");
    println!("       http://{addr}/api/platforms");
    println!("       http://{addr}/api/profiles/4900590_097");
    println!(
        "       http://{addr}/api/series?platform=44005&variable=sea_surface_temperature&startDate=2012-07-01&endDate=2012-07-08"
    );
    println!("       http://{addr}/api/reefs/florida_keys/heatstress?startDate=2023-07-01&endDate=2023-10-01");
    let ingest_key = std::env::var("HALOCLINE_INGEST_KEY").ok().filter(|k| !k.is_empty());
    let state =
        server::AppState::new(store).with_ingest_key(ingest_key).with_auth(auth).with_notify(notify).with_live(live);
    ops_cmd::start(&state, ops, stop).await?;
    println!("press Ctrl-C to stop");
    let mut server = tokio::spawn(server::serve_until(listener, state, stop.requested()));
    tokio::select! {
        r = &mut server => {
            // The server ended without a signal: an accept error.
            r.context("the server task failed")??;
            return Ok(());
        }
        _ = stop.requested() => {}
    }
    let deadline = tokio::time::Instant::now() + shutdown::grace();
    if let Some(r) = shutdown::drain("the server", server, deadline).await {
        r.context("the server failed while draining")?;
    }
    if let Some(s) = scheduler {
        shutdown::drain("the scheduler", s, deadline).await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// The sample folder to ingest: `--data` (which must exist), else `data/sample` under the working
/// directory when there is one; `None`: the copy embedded in the binary.
fn sample_dir(data: Option<PathBuf>) -> anyhow::Result<Option<PathBuf>> {
    if let Some(d) = data {
        anyhow::ensure!(d.is_dir(), "--data {}: no such folder", d.display());
        return Ok(Some(d));
    }
    Ok(Some(PathBuf::from("data/sample")).filter(|p| p.is_dir()))
}

/// The sample as files, for the benchmarks: `data/sample` under the working directory, else the
/// checkout this binary was built from.
fn checkout_sample() -> anyhow::Result<PathBuf> {
    let candidates =
        [PathBuf::from("data/sample"), PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sample"))];
    candidates
        .into_iter()
        .find(|p| p.is_dir())
        .context("cannot find the sample data (data/sample): run the benchmarks from the checkout or pass --data DIR")
}

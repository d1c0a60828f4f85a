//! Transparent fallback for queries that ask for live data: refresh the store from the live source
//! within a deadline, then the caller answers from the store either way. The outcome says whether the
//! answer is fresh from the live API (`live_api`) or what was already stored (`local_db`), and when the
//! data was fetched.

use chrono::{DateTime, Utc};
use store::Store;

use super::{RunContext, SourceReport, Sources, fetch_and_ingest, ndbc};

/// Where an answer's data comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataSource {
    /// Fetched from the upstream API for this request (and stored).
    LiveApi,
    /// Read from the store (the live source was not asked, failed, or missed the deadline).
    LocalDb,
}

impl DataSource {
    pub fn as_str(self) -> &'static str {
        match self {
            DataSource::LiveApi => "live_api",
            DataSource::LocalDb => "local_db",
        }
    }
}

/// What a live refresh achieved.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveOutcome {
    pub data_source: DataSource,
    /// When the answer's data was fetched: the live fetch's end, or the store read.
    pub fetched_at: DateTime<Utc>,
    /// Why the answer is not live (deadline, failure, live sources off).
    pub note: Option<String>,
}

impl LiveOutcome {
    /// An answer from the store.
    pub fn local(note: impl Into<Option<String>>) -> LiveOutcome {
        LiveOutcome { data_source: DataSource::LocalDb, fetched_at: Utc::now(), note: note.into() }
    }
}

impl Sources {
    /// Refreshes the realtime2 files of NDBC `station` (`41001` or `41001.txt`) within the deadline.
    pub async fn live_buoy(&self, store: &dyn Store, station: &str) -> LiveOutcome {
        self.live_ndbc(store, &[ndbc::realtime_file(station)]).await
    }

    /// Refreshes every configured NDBC realtime2 file within the deadline (the "latest" views).
    pub async fn live_latest(&self, store: &dyn Store) -> LiveOutcome {
        let files: Vec<String> = self.config.ndbc_files.iter().map(|f| ndbc::realtime_file(f)).collect();
        self.live_ndbc(store, &files).await
    }

    async fn live_ndbc(&self, store: &dyn Store, files: &[String]) -> LiveOutcome {
        let deadline = self.config.live_deadline;
        let ctx = RunContext { store, http: &self.http, config: &self.config, since: None };
        let work = async {
            let mut report = SourceReport::new("ndbc");
            for file in files {
                let url = ndbc::realtime_url(&self.config.ndbc_base, file);
                fetch_and_ingest(&ctx, "ndbc", file, &url, &mut report).await?;
            }
            Ok::<_, super::SourceError>(report)
        };
        match tokio::time::timeout(deadline, work).await {
            Ok(Ok(report)) if report.is_success() && report.answers > 0 => {
                self.http.stats().success("ndbc", Utc::now());
                LiveOutcome { data_source: DataSource::LiveApi, fetched_at: Utc::now(), note: None }
            }
            Ok(Ok(report)) => {
                let why = report.failed.iter().chain(&report.rejected).map(|(_, r)| r.as_str()).next().unwrap_or("");
                LiveOutcome::local(format!("live source failed: {why}"))
            }
            Ok(Err(e)) => LiveOutcome::local(format!("live source failed: {e}")),
            Err(_) => {
                tracing::warn!(deadline_ms = deadline.as_millis() as u64, "live source missed its deadline");
                LiveOutcome::local(format!("live source did not answer within {} ms", deadline.as_millis()))
            }
        }
    }
}

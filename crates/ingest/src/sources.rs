//! Live sources: each module fetches one kind of upstream data over HTTP (`http`: retries, timeouts,
//! per-host limit, metrics), reads the answers with `formats` and writes them with the same idempotent
//! store writes as a local ingest ([`crate::store_batch`]). All sit behind [`Source`]; [`run_source`] is
//! one run by name (what `halocline fetch` and the scheduler call). A truncated or unreadable answer is
//! rejected with its reason in the log and stores nothing.
//!
//! Sources by name: `ndbc` (realtime2 `{station}.txt` files), `ndbc-stations` (`activestations.xml`),
//! `argo-gdac` (GDAC index diff → new and changed profile files), `argo-erddap` (IFREMER `ArgoFloats`
//! tabledap `.nc`), `griddap` (CoastWatch CRW SST/DHW and VIIRS chlorophyll grids), `crw-vs` (Coral Reef
//! Watch virtual stations), `copernicus` (Copernicus Marine in-situ NetCDF files).

pub mod argo_erddap;
pub mod copernicus;
pub mod crw;
pub mod erddap;
pub mod gdac;
pub mod griddap;
pub mod http;
pub mod live;
pub mod ndbc;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use store::{Store, StoreError, WriteCounts};

pub use http::{Body, FetchError, FetchStats, HttpClient, HttpConfig};
pub use live::{DataSource, LiveOutcome};

use crate::ReadCounts;

/// The names [`run_source`] knows.
pub const SOURCE_NAMES: &[&str] =
    &["ndbc", "ndbc-stations", "argo-gdac", "argo-erddap", "griddap", "crw-vs", "copernicus"];

/// Where each source lives and what it asks for. Defaults are the real servers; tests and `--base-url`
/// point them elsewhere.
#[derive(Debug, Clone)]
pub struct SourcesConfig {
    pub http: HttpConfig,
    /// NDBC (`{ndbc_base}/data/realtime2/{file}`, `{ndbc_base}/activestations.xml`).
    pub ndbc_base: String,
    /// realtime2 files to fetch: `41001.txt` (standard meteorological), `41024.ocean`, ...
    pub ndbc_files: Vec<String>,
    /// Argo GDAC over HTTPS (`{gdac_base}/ar_index_global_prof.txt`, `{gdac_base}/dac/{file}`).
    pub gdac_base: String,
    /// At most this many profile files per run (newest `date_update` first); the rest come next run.
    pub gdac_max_files: usize,
    /// Only these floats' files (all when empty).
    pub gdac_platforms: Vec<String>,
    /// IFREMER ERDDAP (`{erddap_base}/tabledap/ArgoFloats.nc?...`).
    pub erddap_base: String,
    pub argo_dataset: String,
    /// Floats to ask for (`platform_number=~"a|b"`); all floats when empty.
    pub argo_floats: Vec<String>,
    /// The region asked for (whole globe when `None`).
    pub argo_bbox: Option<erddap::BBox>,
    /// How far back a run without `--since` reaches.
    pub default_window: chrono::Duration,
    /// How many times a 413 may halve a request.
    pub max_split_depth: u32,
    /// Grids to fetch through griddap (each names its own server).
    pub grids: Vec<erddap::GridRequest>,
    /// Coral Reef Watch (`{crw_base}/product/vs/data/{station}.txt`).
    pub crw_base: String,
    pub crw_stations: Vec<String>,
    /// Copernicus Marine in-situ (`{copernicus_base}/{path}` for each path).
    pub copernicus_base: String,
    pub copernicus_files: Vec<String>,
    /// How long a `live=true` query waits for the live source before answering from the store.
    pub live_deadline: Duration,
}

/// The CoastWatch West Coast ERDDAP (CRW `NOAA_DHW`).
pub const COASTWATCH_WEST: &str = "https://coastwatch.pfeg.noaa.gov/erddap";
/// The NOAA CoastWatch central ERDDAP (VIIRS chlorophyll).
pub const COASTWATCH_CENTRAL: &str = "https://coastwatch.noaa.gov/erddap";

/// Today's CRW SST and DHW and VIIRS chlorophyll over the Florida Keys (the demo's reef site).
pub fn default_grids() -> Vec<erddap::GridRequest> {
    use erddap::{AxisRange, GridRequest};
    let last = || AxisRange::new("last", "last");
    vec![
        GridRequest {
            name: "crw-sst".into(),
            base: COASTWATCH_WEST.into(),
            dataset: "NOAA_DHW".into(),
            variables: vec!["CRW_SST".into()],
            axes: vec![last(), AxisRange::new(24.3, 25.3), AxisRange::new(-81.9, -80.1)],
        },
        GridRequest {
            name: "crw-dhw".into(),
            base: COASTWATCH_WEST.into(),
            dataset: "NOAA_DHW".into(),
            variables: vec!["CRW_DHW".into()],
            axes: vec![last(), AxisRange::new(24.3, 25.3), AxisRange::new(-81.9, -80.1)],
        },
        GridRequest {
            name: "viirs-chla".into(),
            base: COASTWATCH_CENTRAL.into(),
            dataset: "noaacwNPPVIIRSchlaDaily".into(),
            variables: vec!["chlor_a".into()],
            axes: vec![last(), AxisRange::new(0, 0), AxisRange::new(25.3, 24.3), AxisRange::new(-81.9, -80.1)],
        },
    ]
}

impl Default for SourcesConfig {
    fn default() -> SourcesConfig {
        SourcesConfig {
            http: HttpConfig::default(),
            ndbc_base: "https://www.ndbc.noaa.gov".into(),
            ndbc_files: ["41001.txt", "41024.ocean", "44005.txt", "TPLM2.txt"].map(String::from).to_vec(),
            gdac_base: "https://data-argo.ifremer.fr".into(),
            gdac_max_files: 500,
            gdac_platforms: Vec::new(),
            erddap_base: "https://erddap.ifremer.fr/erddap".into(),
            argo_dataset: "ArgoFloats".into(),
            argo_floats: Vec::new(),
            argo_bbox: None,
            default_window: chrono::Duration::days(2),
            max_split_depth: 10,
            grids: default_grids(),
            crw_base: "https://coralreefwatch.noaa.gov".into(),
            crw_stations: vec!["florida_keys".into()],
            copernicus_base: "https://data-marineinsitu.ifremer.fr".into(),
            copernicus_files: Vec::new(),
            live_deadline: Duration::from_secs(3),
        }
    }
}

impl SourcesConfig {
    /// Points one source (or every source, for `all`) at another server: the base URL replaces the
    /// origin and any path prefix the source had (`http://127.0.0.1:8080` or `.../erddap`).
    pub fn set_base_url(&mut self, source: &str, url: &str) -> Result<(), SourceError> {
        let url = url.trim_end_matches('/').to_string();
        let all = source == "all";
        if !all && !SOURCE_NAMES.contains(&source) {
            return Err(SourceError::UnknownSource(source.to_string()));
        }
        if all || matches!(source, "ndbc" | "ndbc-stations") {
            self.ndbc_base = url.clone();
        }
        if all || source == "argo-gdac" {
            self.gdac_base = url.clone();
        }
        if all || source == "argo-erddap" {
            self.erddap_base = url.clone();
        }
        if all || source == "griddap" {
            for g in &mut self.grids {
                g.base = url.clone();
            }
        }
        if all || source == "crw-vs" {
            self.crw_base = url.clone();
        }
        if all || source == "copernicus" {
            self.copernicus_base = url;
        }
        Ok(())
    }
}

/// Why a run could not be done at all (single files failing are in [`SourceReport`]).
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("unknown source {0:?}: one of {names}", names = SOURCE_NAMES.join(", "))]
    UnknownSource(String),
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{url}: rejected: {reason}")]
    Rejected { url: String, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What one run did.
#[derive(Debug, Clone, Default)]
pub struct SourceReport {
    pub source: String,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Answers read (each a file or one part of a split request).
    pub answers: u64,
    /// Requests that matched nothing (ERDDAP 404 "no matching results").
    pub empty: u64,
    /// (url, reason) of answers that could not be read: nothing of them was stored.
    pub rejected: Vec<(String, String)>,
    /// (url, reason) of requests that failed after their retries.
    pub failed: Vec<(String, String)>,
    pub read: ReadCounts,
    pub written: WriteCounts,
}

impl SourceReport {
    fn new(source: &str) -> SourceReport {
        SourceReport { source: source.to_string(), started_at: Some(Utc::now()), ..Default::default() }
    }

    /// Rows added or changed in every table (what a scheduler logs as the run's yield).
    pub fn rows_written(&self) -> u64 {
        let w = &self.written;
        w.platforms + w.profiles + w.series_points + w.reef_sites + w.heat_stress_days + w.index_rows
    }

    /// Whether every request was answered and read.
    pub fn is_success(&self) -> bool {
        self.rejected.is_empty() && self.failed.is_empty()
    }

    /// Records a failed request.
    fn fail(&mut self, url: &str, e: &FetchError) {
        self.failed.push((url.to_string(), e.to_string()));
    }
}

/// What a source needs for one run.
pub struct RunContext<'a> {
    pub store: &'a dyn Store,
    pub http: &'a HttpClient,
    pub config: &'a SourcesConfig,
    /// Only data from this time on (each source applies it as it can).
    pub since: Option<DateTime<Utc>>,
}

/// One live source.
#[async_trait]
pub trait Source: Send + Sync {
    /// The name it runs under (`ndbc`, `argo-gdac`, ...).
    fn name(&self) -> &'static str;
    /// Fetches, reads and stores; failures of single requests go into the report.
    async fn run(&self, ctx: &RunContext<'_>, report: &mut SourceReport) -> Result<(), SourceError>;
}

/// The source of a name.
pub fn source(name: &str) -> Result<Box<dyn Source>, SourceError> {
    Ok(match name {
        "ndbc" => Box::new(ndbc::Realtime),
        "ndbc-stations" => Box::new(ndbc::ActiveStations),
        "argo-gdac" => Box::new(gdac::Gdac),
        "argo-erddap" => Box::new(argo_erddap::ArgoTabledap),
        "griddap" => Box::new(griddap::Grids),
        "crw-vs" => Box::new(crw::VirtualStations),
        "copernicus" => Box::new(copernicus::InSitu),
        _ => return Err(SourceError::UnknownSource(name.to_string())),
    })
}

/// The HTTP client and configuration every run shares (one per process: the per-host limits and the
/// counters live here).
pub struct Sources {
    pub config: SourcesConfig,
    pub http: HttpClient,
}

impl Sources {
    pub fn new(config: SourcesConfig) -> Result<Arc<Sources>, SourceError> {
        let http = HttpClient::new(config.http.clone())?;
        Ok(Arc::new(Sources { config, http }))
    }

    /// One run of the source `name`.
    pub async fn run(
        &self,
        store: &dyn Store,
        name: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<SourceReport, SourceError> {
        let src = source(name)?;
        let ctx = RunContext { store, http: &self.http, config: &self.config, since };
        let mut report = SourceReport::new(name);
        let result = src.run(&ctx, &mut report).await;
        report.finished_at = Some(Utc::now());
        match &result {
            Ok(()) if report.is_success() => self.http.stats().success(name, Utc::now()),
            Ok(()) => {}
            Err(e) => tracing::warn!(source = name, error = %e, "run failed"),
        }
        tracing::info!(
            source = name,
            answers = report.answers,
            empty = report.empty,
            rejected = report.rejected.len(),
            failed = report.failed.len(),
            series_points = report.written.series_points,
            profiles = report.written.profiles,
            "run done"
        );
        result.map(|()| report)
    }
}

/// One run of the source `name` with a client of its own (for a caller without a [`Sources`]).
pub async fn run_source(
    store: &dyn Store,
    name: &str,
    config: &SourcesConfig,
    since: Option<DateTime<Utc>>,
) -> Result<SourceReport, SourceError> {
    let sources = Sources::new(config.clone())?;
    sources.run(store, name, since).await
}

/// Reads one answer as the file `name` and stores it as coming from `url` (one transaction). A body
/// that cannot be read is logged with its reason, counted as a failure, and stores nothing; `keep`
/// may drop records before writing (e.g. points before `since`).
pub(crate) async fn ingest_answer(
    ctx: &RunContext<'_>,
    source: &str,
    name: &str,
    url: &str,
    bytes: Vec<u8>,
    report: &mut SourceReport,
) -> Result<bool, SourceError> {
    report.answers += 1;
    let prepared = tokio::task::spawn_blocking({
        let name = name.to_string();
        move || crate::prepare_bytes(Path::new(&name), &bytes)
    })
    .await
    .map_err(|e| SourceError::Rejected { url: url.to_string(), reason: format!("reader task failed: {e}") })?;
    let (mut batch, read, diagnostics) = match prepared.batch {
        Ok(b) => b,
        Err(reason) => {
            tracing::warn!(source, url, reason = %reason, "rejected answer: nothing stored");
            ctx.http.stats().failure(source);
            report.rejected.push((url.to_string(), reason));
            return Ok(false);
        }
    };
    for d in diagnostics.iter().take(5) {
        tracing::debug!(source, url, diagnostic = %d, "reader diagnostic");
    }
    batch.source = url.to_string();
    if let Some(since) = ctx.since {
        batch.series.retain(|p| p.time >= since);
        batch.heat_stress.retain(|d| d.date >= since.date_naive());
    }
    let written = crate::store_batch(ctx.store, &batch).await?;
    report.read += read;
    report.written += written;
    Ok(true)
}

/// GETs `url` and ingests the answer as `name`; a failed request goes into the report.
pub(crate) async fn fetch_and_ingest(
    ctx: &RunContext<'_>,
    source: &str,
    name: &str,
    url: &str,
    report: &mut SourceReport,
) -> Result<bool, SourceError> {
    match ctx.http.get(source, url).await {
        Ok(Body::Data(bytes)) => ingest_answer(ctx, source, name, url, bytes, report).await,
        Ok(Body::NoMatch) => {
            report.empty += 1;
            Ok(false)
        }
        Err(e) => {
            report.fail(url, &e);
            Ok(false)
        }
    }
}

#[cfg(test)]
mod tests;

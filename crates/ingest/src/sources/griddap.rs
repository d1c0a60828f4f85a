//! Gridded products through griddap (`.nc`): CoastWatch CRW SST and DHW (`NOAA_DHW`) and VIIRS
//! chlorophyll (`noaacwNPPVIIRSchlaDaily`) by default. Each answer's bytes go, with a file name, to the
//! ingest path for bytes ([`crate::prepare_bytes`]), which reads gridded NetCDF once `formats` knows the
//! layout; until then a grid is rejected with the reader's reason and nothing is stored.

use async_trait::async_trait;
use chrono::SecondsFormat;

use super::erddap::{GridRequest, fetch_split};
use super::http::{FetchError, HttpClient};
use super::{RunContext, Source, SourceError, SourceReport, ingest_answer};

pub struct Grids;

/// The grid's bytes (one entry per part when a 413 split it): URL and body, unchanged.
pub async fn fetch_grid(
    http: &HttpClient,
    source: &str,
    req: GridRequest,
    max_depth: u32,
) -> Result<Vec<(String, Vec<u8>)>, FetchError> {
    fetch_split(http, source, req, max_depth).await
}

/// The request with its time axis starting at `since` (when the axis is `(last)`).
fn with_since(mut g: GridRequest, since: Option<chrono::DateTime<chrono::Utc>>) -> GridRequest {
    if let (Some(t), Some(a)) = (since, g.axes.first_mut())
        && a.start == "last"
    {
        a.start = t.to_rfc3339_opts(SecondsFormat::Secs, true);
    }
    g
}

#[async_trait]
impl Source for Grids {
    fn name(&self) -> &'static str {
        "griddap"
    }

    async fn run(&self, ctx: &RunContext<'_>, report: &mut SourceReport) -> Result<(), SourceError> {
        for g in &ctx.config.grids {
            let req = with_since(g.clone(), ctx.since);
            let (url, name) = (req.url(), req.file_name());
            match fetch_grid(ctx.http, self.name(), req, ctx.config.max_split_depth).await {
                Ok(parts) => {
                    if parts.is_empty() {
                        report.empty += 1;
                    }
                    for (url, bytes) in parts {
                        ingest_answer(ctx, self.name(), &name, &url, bytes, report).await?;
                    }
                }
                Err(e) => report.fail(&url, &e),
            }
        }
        Ok(())
    }
}

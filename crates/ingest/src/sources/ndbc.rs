//! NDBC: realtime2 files (`/data/realtime2/{station}.txt` standard meteorological, `.ocean`, `.spec`;
//! the last 45 days, updated hourly) and the active-station list (`/activestations.xml`).

use async_trait::async_trait;

use super::{RunContext, Source, SourceError, SourceReport, fetch_and_ingest};

/// The realtime2 files of the configured stations.
pub struct Realtime;

/// The URL of one realtime2 file (`41001.txt`, `41024.ocean`).
pub fn realtime_url(base: &str, file: &str) -> String {
    format!("{}/data/realtime2/{file}", base.trim_end_matches('/'))
}

/// The realtime2 file name of a station id or file name (`41001` → `41001.txt`).
pub fn realtime_file(station_or_file: &str) -> String {
    if station_or_file.contains('.') { station_or_file.to_string() } else { format!("{station_or_file}.txt") }
}

#[async_trait]
impl Source for Realtime {
    fn name(&self) -> &'static str {
        "ndbc"
    }

    async fn run(&self, ctx: &RunContext<'_>, report: &mut SourceReport) -> Result<(), SourceError> {
        for f in &ctx.config.ndbc_files {
            let file = realtime_file(f);
            let url = realtime_url(&ctx.config.ndbc_base, &file);
            fetch_and_ingest(ctx, self.name(), &file, &url, report).await?;
        }
        Ok(())
    }
}

/// `activestations.xml`: every active NDBC station with its position, owner and type.
pub struct ActiveStations;

#[async_trait]
impl Source for ActiveStations {
    fn name(&self) -> &'static str {
        "ndbc-stations"
    }

    async fn run(&self, ctx: &RunContext<'_>, report: &mut SourceReport) -> Result<(), SourceError> {
        let url = format!("{}/activestations.xml", ctx.config.ndbc_base.trim_end_matches('/'));
        fetch_and_ingest(ctx, self.name(), "activestations.xml", &url, report).await?;
        Ok(())
    }
}

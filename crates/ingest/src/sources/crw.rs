//! NOAA Coral Reef Watch 5 km virtual stations (`/product/vs/data/{station}.txt`: daily SST, HotSpot,
//! DHW and alert level since 1985, updated daily), read by `formats::crw`; heat stress is recomputed
//! from the SST as for a local file.

use async_trait::async_trait;

use super::{RunContext, Source, SourceError, SourceReport, fetch_and_ingest};

pub struct VirtualStations;

#[async_trait]
impl Source for VirtualStations {
    fn name(&self) -> &'static str {
        "crw-vs"
    }

    async fn run(&self, ctx: &RunContext<'_>, report: &mut SourceReport) -> Result<(), SourceError> {
        for station in &ctx.config.crw_stations {
            let file = format!("{station}.txt");
            let url = format!("{}/product/vs/data/{file}", ctx.config.crw_base.trim_end_matches('/'));
            fetch_and_ingest(ctx, self.name(), &file, &url, report).await?;
        }
        Ok(())
    }
}

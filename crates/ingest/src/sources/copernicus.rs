//! Copernicus Marine in-situ NetCDF files (`{base}/{path}` for each configured path, e.g. the
//! `glo_multiparameter_nrt` latest files): fetched and read through the same NetCDF path as every
//! other file (`formats::read_file` detects the layout; a layout it does not know is rejected with
//! its reason).

use async_trait::async_trait;

use super::{RunContext, Source, SourceError, SourceReport, fetch_and_ingest};

pub struct InSitu;

#[async_trait]
impl Source for InSitu {
    fn name(&self) -> &'static str {
        "copernicus"
    }

    async fn run(&self, ctx: &RunContext<'_>, report: &mut SourceReport) -> Result<(), SourceError> {
        for path in &ctx.config.copernicus_files {
            let path = path.trim_start_matches('/');
            let name = path.rsplit('/').next().unwrap_or(path);
            let url = format!("{}/{path}", ctx.config.copernicus_base.trim_end_matches('/'));
            fetch_and_ingest(ctx, self.name(), name, &url, report).await?;
        }
        Ok(())
    }
}

//! Argo profiles from an ERDDAP `ArgoFloats` dataset (IFREMER by default) as tabledap `.nc`, read by
//! `formats::erddap_nc`. The request asks for the variables argopy asks for, over `[since, now]`, the
//! configured floats and box; a 413 halves it by time, then by space.

use async_trait::async_trait;
use chrono::Utc;

use super::erddap::{ARGO_VARIABLES, TableRequest, fetch_split};
use super::{RunContext, Source, SourceError, SourceReport, ingest_answer};

pub struct ArgoTabledap;

/// The request a run makes.
pub fn request(ctx: &RunContext<'_>) -> TableRequest {
    let c = ctx.config;
    let now = Utc::now();
    let since = ctx.since.unwrap_or(now - c.default_window);
    let mut constraints = Vec::new();
    if !c.argo_floats.is_empty() {
        constraints.push(format!("platform_number=~\"{}\"", c.argo_floats.join("|")));
    }
    constraints.push("latitude!=NaN".into());
    constraints.push("longitude!=NaN".into());
    TableRequest {
        base: c.erddap_base.clone(),
        dataset: c.argo_dataset.clone(),
        variables: ARGO_VARIABLES.iter().map(|v| v.to_string()).collect(),
        constraints,
        time: Some((since, now)),
        time_end_inclusive: true,
        bbox: Some(c.argo_bbox.unwrap_or(super::erddap::BBox { west: -180.0, east: 180.0, south: -90.0, north: 90.0 })),
        bbox_end_inclusive: (true, true),
        functions: vec!["distinct()".into(), "orderBy(\"time,pres\")".into()],
        min_time_span: chrono::Duration::days(1),
    }
}

#[async_trait]
impl Source for ArgoTabledap {
    fn name(&self) -> &'static str {
        "argo-erddap"
    }

    async fn run(&self, ctx: &RunContext<'_>, report: &mut SourceReport) -> Result<(), SourceError> {
        let req = request(ctx);
        let url = req.url();
        match fetch_split(ctx.http, self.name(), req, ctx.config.max_split_depth).await {
            Ok(parts) => {
                if parts.is_empty() {
                    report.empty += 1;
                }
                let name = format!("{}.nc", ctx.config.argo_dataset);
                for (url, bytes) in parts {
                    ingest_answer(ctx, self.name(), &name, &url, bytes, report).await?;
                }
            }
            Err(e) => report.fail(&url, &e),
        }
        Ok(())
    }
}

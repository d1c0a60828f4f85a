//! Argo GDAC over HTTPS: fetch `ar_index_global_prof.txt`, diff it against the stored index (file and
//! `date_update`), fetch only new and changed profile files (`/dac/{file}`, a few at a time), then store
//! the index rows of the files that were stored, so a file that failed is tried again next run.

use std::collections::HashMap;

use async_trait::async_trait;
use futures_util::StreamExt;
use store::FileBatch;

use super::http::Body;
use super::{RunContext, Source, SourceError, SourceReport, ingest_answer};
use formats::gdac_index::IndexEntry;

pub struct Gdac;

/// Entries of `index` that are new or whose `date_update` changed against `stored`, updated since
/// `since` when given, of `platforms` when not empty; newest update first, at most `max`.
pub fn changed<'a>(
    index: &'a [IndexEntry],
    stored: &HashMap<String, Option<chrono::DateTime<chrono::Utc>>>,
    since: Option<chrono::DateTime<chrono::Utc>>,
    platforms: &[String],
    max: usize,
) -> Vec<&'a IndexEntry> {
    let mut out: Vec<&IndexEntry> = index
        .iter()
        .filter(|e| stored.get(&e.file) != Some(&e.date_update))
        .filter(|e| since.is_none_or(|s| e.date_update.is_none_or(|d| d >= s)))
        .filter(|e| platforms.is_empty() || platforms.contains(&e.platform))
        .collect();
    out.sort_by(|a, b| b.date_update.cmp(&a.date_update).then_with(|| a.file.cmp(&b.file)));
    out.truncate(max);
    out
}

#[async_trait]
impl Source for Gdac {
    fn name(&self) -> &'static str {
        "argo-gdac"
    }

    async fn run(&self, ctx: &RunContext<'_>, report: &mut SourceReport) -> Result<(), SourceError> {
        let base = ctx.config.gdac_base.trim_end_matches('/');
        let index_url = format!("{base}/ar_index_global_prof.txt");
        let bytes = match ctx.http.get(self.name(), &index_url).await {
            Ok(Body::Data(b)) => b,
            Ok(Body::NoMatch) => {
                report.empty += 1;
                return Ok(());
            }
            Err(e) => {
                report.fail(&index_url, &e);
                return Ok(());
            }
        };
        report.answers += 1;
        let parsed = tokio::task::spawn_blocking(move || formats::gdac_index::read(&bytes)).await.map_err(|e| {
            SourceError::Rejected { url: index_url.clone(), reason: format!("reader task failed: {e}") }
        })?;
        let entries = match parsed.map(|p| p.dataset) {
            Ok(formats::Dataset::ProfileIndex(rows)) => rows,
            Ok(_) => Vec::new(),
            Err(e) => {
                tracing::warn!(source = self.name(), url = index_url, reason = %e, "rejected index: nothing fetched");
                ctx.http.stats().failure(self.name());
                report.rejected.push((index_url, e.to_string()));
                return Ok(());
            }
        };
        let stored: HashMap<_, _> = ctx.store.index_updates().await?.into_iter().collect();
        let todo: Vec<IndexEntry> =
            changed(&entries, &stored, ctx.since, &ctx.config.gdac_platforms, ctx.config.gdac_max_files)
                .into_iter()
                .cloned()
                .collect();
        tracing::info!(source = self.name(), index_rows = entries.len(), to_fetch = todo.len(), "index diff");
        let http = ctx.http;
        let name = self.name();
        let jobs: Vec<_> = todo
            .into_iter()
            .map(|e| {
                let url = format!("{base}/dac/{}", e.file);
                Box::pin(async move {
                    let result = http.get(name, &url).await;
                    (e, url, result)
                })
            })
            .collect();
        let mut fetches = futures_util::stream::iter(jobs).buffer_unordered(ctx.config.http.per_host.max(1));
        let mut stored_rows = Vec::new();
        while let Some((e, url, result)) = fetches.next().await {
            let file_name = e.file.rsplit('/').next().unwrap_or(&e.file).to_string();
            let ok = match result {
                Ok(Body::Data(bytes)) => ingest_answer(ctx, name, &file_name, &url, bytes, report).await?,
                Ok(Body::NoMatch) => false,
                Err(err) => {
                    report.fail(&url, &err);
                    false
                }
            };
            if ok {
                stored_rows.push(crate::index_row(e));
            }
        }
        if !stored_rows.is_empty() {
            stored_rows.sort_by(|a, b| a.file.cmp(&b.file));
            let batch = FileBatch {
                source: format!("{base}/ar_index_global_prof.txt"),
                kind: "gdac profile index".into(),
                index_rows: stored_rows,
                ..Default::default()
            };
            report.written += crate::store_batch(ctx.store, &batch).await?;
        }
        Ok(())
    }
}

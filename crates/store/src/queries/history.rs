//! The query history's SQL for both backends (`HistoryStore`).

use crate::error::StoreError;
use crate::history::QueryRecord;

/// `query_history`: asked_at, session, question, interpretation.
pub(crate) type QueryRow = (i64, Option<String>, String, String);

pub(crate) fn query_of((t, session, question, interpretation): QueryRow) -> Result<QueryRecord, StoreError> {
    Ok(QueryRecord {
        asked_at: chrono::DateTime::from_timestamp(t, 0)
            .ok_or_else(|| StoreError::Corrupt(format!("query_history time {t}")))?,
        session,
        question,
        interpretation,
    })
}

/// `impl HistoryStore for $store`: `reads` serves the history, `writes` appends to it.
macro_rules! history_store {
    ($store:ty, reads: $reads:ident, writes: $writes:ident) => {
        #[async_trait::async_trait]
        impl $crate::history::HistoryStore for $store {
            async fn record_query(&self, q: &$crate::history::QueryRecord) -> Result<(), $crate::error::StoreError> {
                sqlx::query(
                    "INSERT INTO query_history (asked_at, session, question, interpretation) VALUES ($1, $2, $3, $4)",
                )
                .bind(q.asked_at.timestamp())
                .bind(q.session.as_deref())
                .bind(&q.question)
                .bind(&q.interpretation)
                .execute(&self.$writes)
                .await?;
                Ok(())
            }

            async fn recent_queries(
                &self,
                limit: usize,
            ) -> Result<Vec<$crate::history::QueryRecord>, $crate::error::StoreError> {
                let rows: Vec<$crate::queries::history::QueryRow> = sqlx::query_as(
                    "SELECT asked_at, session, question, interpretation FROM query_history ORDER BY id DESC LIMIT $1",
                )
                .bind(i64::try_from(limit).unwrap_or(i64::MAX))
                .fetch_all(&self.$reads)
                .await?;
                rows.into_iter().map($crate::queries::history::query_of).collect()
            }
        }
    };
}
pub(crate) use history_store;

//! Ocean Chat's query history: each question with its interpretation, kept by both backends (table
//! `query_history`, SQLite migration 2, PostgreSQL migration 2). The SQL is `queries/history.rs`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::StoreError;

/// One question asked through Ocean Chat, as kept in the query history.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryRecord {
    pub asked_at: DateTime<Utc>,
    /// The chat session it belonged to, if any.
    pub session: Option<String>,
    pub question: String,
    /// The interpretation as the chat rendered it (JSON text); the store keeps it verbatim.
    pub interpretation: String,
}

/// The query history.
#[async_trait]
pub trait HistoryStore: Send + Sync {
    /// Appends a question and its interpretation to the query history.
    async fn record_query(&self, q: &QueryRecord) -> Result<(), StoreError>;
    /// The newest `limit` entries of the query history, newest first.
    async fn recent_queries(&self, limit: usize) -> Result<Vec<QueryRecord>, StoreError>;
}

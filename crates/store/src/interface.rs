//! The storage interface in domain terms: [`Store`], the whole store, combining one trait per concern
//! (observations, grids, accounts, alerts, the run log, retention, the query history). Each backend
//! implements `Store` in its `mod.rs` and each concern trait in the file of the same name.

use async_trait::async_trait;

use crate::alerts::AlertStore;
use crate::archive::ArchiveStore;
use crate::auth::AuthStore;
use crate::batch::{FileBatch, TableCounts, WriteCounts};
use crate::canonical::TableSum;
use crate::error::StoreError;
use crate::grids::GridStore;
use crate::history::HistoryStore;
use crate::jobs::JobStore;
use crate::observations::ObservationStore;

/// A store: every concern, and what concerns the store as a whole. Implementations: `SqliteStore`,
/// `PgStore`; used as `Arc<dyn Store>`.
#[async_trait]
pub trait Store:
    ObservationStore + GridStore + AuthStore + AlertStore + JobStore + ArchiveStore + HistoryStore + Send + Sync
{
    /// Writes one file's records in one transaction (UPSERT on natural keys).
    async fn write_file(&self, batch: &FileBatch) -> Result<WriteCounts, StoreError>;
    /// Moves what the write-ahead log holds into the main file (called at the end of an ingest run).
    async fn checkpoint(&self) -> Result<(), StoreError>;
    async fn counts(&self) -> Result<TableCounts, StoreError>;
    /// Whether the store answers and its migrations are applied.
    async fn ready(&self) -> Result<bool, StoreError>;
    /// Bytes the store occupies (SQLite: the database file's pages; PostgreSQL: the tables and indexes
    /// of its schema).
    async fn size_bytes(&self) -> Result<u64, StoreError>;
    /// Row count and checksum of every table of observations (see `canonical.rs`): equal for two stores
    /// holding the same rows, whatever their backends.
    async fn checksums(&self) -> Result<Vec<TableSum>, StoreError>;
}

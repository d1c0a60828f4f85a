//! `HistoryStore` on SQLite (table `query_history`, migration 2): the statements of `queries/history.rs`.

crate::queries::history::history_store!(super::SqliteStore, reads: pool, writes: writer);

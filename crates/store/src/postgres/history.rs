//! `HistoryStore` on PostgreSQL (table `query_history`, migration 2): the statements of
//! `queries/history.rs`.

crate::queries::history::history_store!(super::PgStore, reads: pool, writes: pool);

//! `AlertStore` on SQLite (tables of migration 7): the statements of `queries/alerts.rs`.

crate::queries::alerts::alert_store!(super::SqliteStore, reads: pool, writes: writer);

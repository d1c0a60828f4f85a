//! `AlertStore` on PostgreSQL (tables of migration 6): the statements of `queries/alerts.rs`.

crate::queries::alerts::alert_store!(super::PgStore, reads: pool, writes: pool);

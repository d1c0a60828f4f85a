//! `GridStore` on PostgreSQL (table `grids`, migration 3): the statements of `queries/grids.rs`. The
//! UPSERT runs in `write.rs`, inside the file's transaction.

crate::queries::grids::grid_store!(super::PgStore, reads: pool);

//! `GridStore` on SQLite (table `grids`, migration 4): the statements of `queries/grids.rs`, read on the
//! pool of readers. The UPSERT runs in `write.rs`, inside the file's transaction.

crate::queries::grids::grid_store!(super::SqliteStore, reads: pool);

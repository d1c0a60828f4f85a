//! `JobStore` on SQLite (tables `job_runs` and `archives`, migration 5): the statements of
//! `queries/jobs.rs`.

crate::queries::jobs::job_store!(super::SqliteStore, reads: pool, writes: writer);

//! `JobStore` on PostgreSQL (tables `job_runs` and `archives`, migration 4): the statements of
//! `queries/jobs.rs`.

crate::queries::jobs::job_store!(super::PgStore, reads: pool, writes: pool);

//! `AuthStore` on PostgreSQL (tables of migration 5): the statements of `queries/auth.rs`, all on the pool.

crate::queries::auth::auth_store!(super::PgStore, reads: pool, writes: pool);

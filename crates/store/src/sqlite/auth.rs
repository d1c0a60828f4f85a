//! `AuthStore` on SQLite (tables of migration 6): the statements of `queries/auth.rs`; a login's and a
//! token rotation's lookups run on the writer, so that they see the write just made.

crate::queries::auth::auth_store!(super::SqliteStore, reads: pool, writes: writer);

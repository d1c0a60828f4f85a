//! What both backends share around their SQL: the plain CRUD of accounts, alerts, the run log, the query
//! history and gridded fields, which SQLite and PostgreSQL accept unchanged, and the Rust of the reads
//! and writes whose SQL each backend names.
//!
//! Placeholders are `$N`: PostgreSQL's own, and SQLite's `$AAAA` parameters, which sqlx binds by the
//! number after the `$` (so `$1` may stand twice). Types are spelled so that both agree: `false` for a
//! boolean (SQLite stores 0), `CAST(x AS BIGINT)` where PostgreSQL's column is narrower than the 64-bit
//! value read.
//!
//! The code is macros, since sqlx's generic bounds over two databases would outweigh the statements:
//! most expand to one concern trait's implementation for a backend, given the backend's type and the
//! pools its reads and writes use (SQLite reads on a pool of readers and writes on its one writer, which
//! also serves the reads that must see the latest write), and the backend's file of the same name
//! invokes it in one line; `ReadSql` and `StoreSql` carry the statements a backend writes in its own
//! dialect into the shared code (`observations.rs`, `store.rs`); `write.rs` and `schema.rs` expand to the
//! outline of `write_file` and the migration loop. UPSERTs with dialect-specific conditions, partitions
//! and PostGIS stay in the backends' own files. `args.rs` numbers the binds of SQL built at run time.

pub(crate) mod alerts;
pub(crate) mod archive;
pub(crate) mod args;
pub(crate) mod auth;
pub(crate) mod grids;
pub(crate) mod history;
pub(crate) mod jobs;
pub(crate) mod observations;
pub(crate) mod schema;
pub(crate) mod store;
pub(crate) mod write;

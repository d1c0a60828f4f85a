//! Copying a SQLite store into PostgreSQL (`halocline migrate`), and per-table checksums that compare
//! two stores of either backend.
//!
//! Every table is read from the source in key order, a chunk at a time; each chunk is written to the
//! target in one transaction together with the key it ended on, so a killed migration resumes after the
//! last chunk that committed, and a finished one copies nothing when run again. Rows are written as stored
//! (digests, source ranks, ingest times and profile row ids included), with UPSERTs on the same keys. The
//! checksum of a table is its row count and the wrapping sum of a 64-bit FNV-1a hash of each row in a
//! canonical form (`canonical.rs`), so it does not depend on row order or on the backend. The backends'
//! halves are the `transfer.rs` of each backend folder.

use crate::canonical::{Cell, Table};
use crate::error::StoreError;

/// The cells of a canonical row, by their earlier name.
pub use crate::canonical::Cell as Val;
pub use crate::canonical::TableSum;

/// What a migration did, table by table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// Rows copied by this run, per table (zero when a finished migration is run again).
    pub copied: Vec<(&'static str, u64)>,
    /// Tables a previous, interrupted run had partly copied (resumed after their last chunk).
    pub resumed: Vec<&'static str>,
    /// The progress callback stopped the run.
    pub interrupted: bool,
    pub source: Vec<TableSum>,
    pub target: Vec<TableSum>,
}

impl MigrationReport {
    pub fn verified(&self) -> bool {
        !self.interrupted && self.source == self.target
    }
}

/// Checksums of the store a URL names (either backend).
pub async fn checksums(url: &str) -> Result<Vec<TableSum>, StoreError> {
    crate::open(url).await?.checksums().await
}

/// A key as `migration_progress` keeps it (JSON; numbers by their bits, so that they survive exactly).
fn key_json(vals: &[Cell]) -> String {
    let parts: Vec<String> = vals
        .iter()
        .map(|v| match v {
            Cell::Null => "null".into(),
            Cell::I(x) => format!("{{\"i\":{x}}}"),
            Cell::F(x) => format!("{{\"f\":{}}}", x.to_bits()),
            Cell::T(s) => serde_json::Value::String(s.clone()).to_string(),
            Cell::B(_) => "null".into(),
        })
        .collect();
    format!("[{}]", parts.join(","))
}

fn key_from_json(s: &str) -> Result<Vec<Cell>, StoreError> {
    let bad = || StoreError::Corrupt(format!("migration_progress key {s:?}"));
    let v: Vec<serde_json::Value> = serde_json::from_str(s).map_err(|_| bad())?;
    v.into_iter()
        .map(|x| match x {
            serde_json::Value::Null => Ok(Cell::Null),
            serde_json::Value::String(s) => Ok(Cell::T(s)),
            serde_json::Value::Object(o) => {
                if let Some(i) = o.get("i").and_then(|i| i.as_i64()) {
                    Ok(Cell::I(i))
                } else if let Some(f) = o.get("f").and_then(|f| f.as_u64()) {
                    Ok(Cell::F(f64::from_bits(f)))
                } else {
                    Err(bad())
                }
            }
            _ => Err(bad()),
        })
        .collect()
}

/// Copies a SQLite store into a PostgreSQL one (see the module doc). `restart` forgets the progress of
/// earlier runs and copies every row again (rows already equal are left untouched). `progress` is
/// called after every committed chunk with the table and the rows copied so far; returning false stops
/// the run there (as a crash would), with `interrupted` set and no verification.
pub async fn migrate(
    from: &str,
    to: &str,
    restart: bool,
    chunk_rows: usize,
    mut progress: impl FnMut(&str, u64) -> bool,
) -> Result<MigrationReport, StoreError> {
    let (src, dst) = crate::migration_ends(from, to).await?;
    let source_id = from.to_string();
    if restart {
        dst.forget_progress(&source_id).await?;
    }
    // A target holding data that did not come from this source would mix two stores: refuse it.
    if !restart && !dst.has_progress(&source_id).await? && dst.has_data().await? {
        return Err(StoreError::UnsupportedUrl(format!(
            "{to} already holds data that was not migrated from {from}; use an empty database (or --restart to \
             merge into it)"
        )));
    }
    let chunk_rows = chunk_rows.max(1);
    let mut report = MigrationReport {
        copied: Vec::new(),
        resumed: Vec::new(),
        interrupted: false,
        source: Vec::new(),
        target: Vec::new(),
    };
    for t in Table::ALL {
        let state = dst.progress(&source_id, t).await?;
        let mut copied = 0u64;
        if let Some((_, true)) = state {
            report.copied.push((t.name(), 0));
            continue;
        }
        let mut cursor: Option<Vec<Cell>> = match &state {
            Some((Some(k), false)) => {
                report.resumed.push(t.name());
                Some(key_from_json(k)?)
            }
            _ => None,
        };
        loop {
            let rows = src.chunk(t, cursor.as_deref(), chunk_rows).await?;
            let Some(last) = rows.last() else { break };
            let next_key = last[..t.key()].to_vec();
            dst.write_chunk(&source_id, t, &rows, &key_json(&next_key)).await?;
            copied += rows.len() as u64;
            if !progress(t.name(), copied) {
                report.copied.push((t.name(), copied));
                report.interrupted = true;
                return Ok(report);
            }
            cursor = Some(next_key);
            if rows.len() < chunk_rows {
                break;
            }
        }
        dst.table_done(&source_id, t).await?;
        report.copied.push((t.name(), copied));
    }
    dst.finish().await?;
    report.source = src.checksums().await?;
    report.target = dst.checksums().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_survive_the_progress_table() {
        let k = vec![Cell::T("a\"b".into()), Cell::I(-3), Cell::F(0.1), Cell::Null];
        assert_eq!(key_from_json(&key_json(&k)).unwrap(), k);
    }
}

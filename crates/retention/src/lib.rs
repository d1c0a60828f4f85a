//! Retention: monthly archives of the time-keyed tables (profiles, series, heat stress) as CSV.gz and
//! Parquet, verified by re-reading before anything is deleted, and restored through the idempotent UPSERT.
//!
//! An archive directory holds `MANIFEST.json` and `TABLE/YYYY-MM.csv.gz` + `TABLE/YYYY-MM.parquet`. Each
//! manifest entry records the row count and checksum (the wrapping sum of [`store::archive::row_hash`]
//! over the canonical rows, the same hash `halocline checksum` uses) of one table-month; both files must
//! read back to exactly that before the entry is written, and again before rows are deleted. Archiving a
//! month that already has an entry merges: the old archive's rows, replaced by the stored row of the same
//! key, plus rows that arrived since. Deleting is refused for any row that no verified archive holds
//! (every stored row's hash must be among the archive's); nothing is deleted unless every month checks.
//! Deletion goes by whole rows older than a cutoff; archives go by whole months.

mod csv;
mod parquet_io;

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use store::{ArchiveRecord, ArchiveTable, Cell, Store, StoreError, archive::row_hash};

/// Errors of retention. Messages are lowercase and say what to do.
#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("archive failed verification: {0}")]
    Corrupt(String),
    #[error("refused: {0}")]
    Refused(String),
    #[error("{0}")]
    BadInput(String),
}

impl RetentionError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> RetentionError {
        RetentionError::Io { path: path.display().to_string(), source }
    }
}

/// The manifest's format tag.
pub const MANIFEST_FORMAT: &str = "halocline-archive/1";
pub const MANIFEST_FILE: &str = "MANIFEST.json";

/// What an archive directory holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub entries: Vec<ManifestEntry>,
}

/// One table-month: its files (relative to the directory), row count and checksum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub table: String,
    pub month: String,
    pub rows: u64,
    /// 16 hex digits.
    pub checksum: String,
    pub columns: Vec<String>,
    pub csv_gz: String,
    pub parquet: String,
    /// When the files were written and verified (RFC 3339).
    pub written: String,
}

/// The first instant of a `YYYY-MM` month and of the next.
pub fn month_range(month: &str) -> Result<(DateTime<Utc>, DateTime<Utc>), RetentionError> {
    let bad = || RetentionError::BadInput(format!("month {month:?} is not YYYY-MM"));
    let (y, m) = month.split_once('-').ok_or_else(bad)?;
    let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    let start = NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)?;
    let next = if m == 12 { NaiveDate::from_ymd_opt(y + 1, 1, 1) } else { NaiveDate::from_ymd_opt(y, m + 1, 1) };
    let at = |d: NaiveDate| Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default());
    Ok((at(start), at(next.ok_or_else(bad)?)))
}

fn month_of(t: DateTime<Utc>) -> String {
    format!("{:04}-{:02}", t.year(), t.month())
}

/// Row count and checksum of rows.
pub fn checksum(rows: &[Vec<Cell>]) -> (u64, String) {
    let sum = rows.iter().fold(0u64, |acc, r| acc.wrapping_add(row_hash(r)));
    (rows.len() as u64, format!("{sum:016x}"))
}

fn cmp_cell(a: &Cell, b: &Cell) -> Ordering {
    match (a, b) {
        (Cell::I(x), Cell::I(y)) => x.cmp(y),
        (Cell::F(x), Cell::F(y)) => x.total_cmp(y),
        (Cell::T(x), Cell::T(y)) => x.cmp(y),
        (Cell::B(x), Cell::B(y)) => x.cmp(y),
        (Cell::Null, Cell::Null) => Ordering::Equal,
        (Cell::Null, _) => Ordering::Less,
        (_, Cell::Null) => Ordering::Greater,
        _ => format!("{a:?}").cmp(&format!("{b:?}")),
    }
}

fn cmp_key(k: usize) -> impl Fn(&Vec<Cell>, &Vec<Cell>) -> Ordering {
    move |a, b| a[..k].iter().zip(&b[..k]).map(|(x, y)| cmp_cell(x, y)).find(|o| o.is_ne()).unwrap_or(Ordering::Equal)
}

fn key_string(t: ArchiveTable, r: &[Cell]) -> String {
    format!("{:?}", &r[..t.key_columns()])
}

/// Reads a manifest (an absent one is empty).
pub fn read_manifest(dir: &Path) -> Result<Manifest, RetentionError> {
    let path = dir.join(MANIFEST_FILE);
    if !path.exists() {
        return Ok(Manifest { format: MANIFEST_FORMAT.into(), entries: Vec::new() });
    }
    let text = std::fs::read_to_string(&path).map_err(|e| RetentionError::io(&path, e))?;
    let m: Manifest =
        serde_json::from_str(&text).map_err(|e| RetentionError::Corrupt(format!("{}: {e}", path.display())))?;
    if m.format != MANIFEST_FORMAT {
        return Err(RetentionError::Corrupt(format!("{}: unknown format {:?}", path.display(), m.format)));
    }
    Ok(m)
}

fn write_manifest(dir: &Path, m: &Manifest) -> Result<(), RetentionError> {
    let path = dir.join(MANIFEST_FILE);
    let tmp = dir.join(format!("{MANIFEST_FILE}.tmp"));
    let text = serde_json::to_string_pretty(m).map_err(|e| RetentionError::BadInput(e.to_string()))?;
    std::fs::write(&tmp, text + "\n").map_err(|e| RetentionError::io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| RetentionError::io(&path, e))
}

/// Reads both files of an entry and checks each against the manifest's count and checksum; returns the
/// rows (from the CSV copy).
pub fn verify_entry(dir: &Path, e: &ManifestEntry) -> Result<Vec<Vec<Cell>>, RetentionError> {
    let t = ArchiveTable::parse(&e.table)
        .ok_or_else(|| RetentionError::Corrupt(format!("manifest names an unknown table {:?}", e.table)))?;
    let csv_rows = csv::read(&dir.join(&e.csv_gz), t)?;
    let pq_rows = parquet_io::read(&dir.join(&e.parquet), t)?;
    for (what, rows) in [(&e.csv_gz, &csv_rows), (&e.parquet, &pq_rows)] {
        let (n, sum) = checksum(rows);
        if (n, sum.as_str()) != (e.rows, e.checksum.as_str()) {
            return Err(RetentionError::Corrupt(format!(
                "{}: {n} rows, checksum {sum}; the manifest says {} rows, checksum {}",
                dir.join(what).display(),
                e.rows,
                e.checksum
            )));
        }
    }
    Ok(csv_rows)
}

/// Writes both files of a table-month (through temporary names), re-reads them and only then moves
/// them into place; returns the manifest entry.
fn write_verified(
    dir: &Path,
    t: ArchiveTable,
    month: &str,
    rows: &[Vec<Cell>],
) -> Result<ManifestEntry, RetentionError> {
    let sub = dir.join(t.name());
    std::fs::create_dir_all(&sub).map_err(|e| RetentionError::io(&sub, e))?;
    let (n, sum) = checksum(rows);
    let entry = ManifestEntry {
        table: t.name().into(),
        month: month.into(),
        rows: n,
        checksum: sum,
        columns: t.columns().iter().map(|(c, _)| c.to_string()).collect(),
        csv_gz: format!("{}/{month}.csv.gz", t.name()),
        parquet: format!("{}/{month}.parquet", t.name()),
        written: Utc::now().to_rfc3339(),
    };
    let tmp = |rel: &str| dir.join(format!("{rel}.tmp"));
    csv::write(&tmp(&entry.csv_gz), t, rows)?;
    parquet_io::write(&tmp(&entry.parquet), t, rows)?;
    let probe = ManifestEntry {
        csv_gz: format!("{}.tmp", entry.csv_gz),
        parquet: format!("{}.tmp", entry.parquet),
        ..entry.clone()
    };
    verify_entry(dir, &probe)?;
    for rel in [&entry.csv_gz, &entry.parquet] {
        std::fs::rename(tmp(rel), dir.join(rel)).map_err(|e| RetentionError::io(&dir.join(rel), e))?;
    }
    Ok(entry)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, RetentionError> + Send + 'static,
) -> Result<T, RetentionError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| RetentionError::BadInput(format!("archive task failed: {e}")))?
}

/// One table-month of the store, with what archives hold of it.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthStatus {
    pub table: ArchiveTable,
    pub month: String,
    pub rows: u64,
    /// Verified archives recorded for this table-month: directory and rows.
    pub archives: Vec<(String, u64)>,
}

/// Rows per table-month and the archives recorded for each.
pub async fn status(store: &dyn Store) -> Result<Vec<MonthStatus>, RetentionError> {
    let records = store.archive_records().await?;
    let mut out = Vec::new();
    for t in ArchiveTable::ALL {
        for m in store.month_counts(t).await? {
            let archives = records
                .iter()
                .filter(|r| r.table == t.name() && r.month == m.month)
                .map(|r| (r.dir.clone(), r.rows))
                .collect();
            out.push(MonthStatus { table: t, month: m.month, rows: m.rows, archives });
        }
    }
    // Months only an archive still holds.
    for r in records {
        let Some(t) = ArchiveTable::parse(&r.table) else { continue };
        if !out.iter().any(|s| s.table == t && s.month == r.month) {
            out.push(MonthStatus { table: t, month: r.month.clone(), rows: 0, archives: vec![(r.dir, r.rows)] });
        }
    }
    out.sort_by(|a, b| (a.table, &a.month).cmp(&(b.table, &b.month)));
    Ok(out)
}

/// What one archive run wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArchiveReport {
    /// (table, month, rows in the archive, written: false when the archive already held them all).
    pub months: Vec<(ArchiveTable, String, u64, bool)>,
}

/// At most this many stored rows are read with one query (months are grouped up to it).
const GROUP_ROWS: u64 = 200_000;

/// The months of a table with rows before `before`, grouped so that one query reads each group.
async fn month_groups(
    store: &dyn Store,
    t: ArchiveTable,
    before: DateTime<Utc>,
) -> Result<Vec<Vec<String>>, RetentionError> {
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut in_group = 0u64;
    for m in store.month_counts(t).await? {
        if month_range(&m.month)?.0 >= before {
            continue;
        }
        match groups.last_mut() {
            Some(g) if in_group + m.rows <= GROUP_ROWS => g.push(m.month),
            _ => {
                groups.push(vec![m.month]);
                in_group = 0;
            }
        }
        in_group += m.rows;
    }
    Ok(groups)
}

/// The month (`YYYY-MM`) a canonical row belongs to, from its time or date column.
fn row_month(t: ArchiveTable, r: &[Cell]) -> Option<String> {
    match (t, r) {
        (ArchiveTable::Profiles, [_, _, _, Cell::I(secs), ..]) | (ArchiveTable::Series, [_, _, Cell::I(secs), ..]) => {
            Utc.timestamp_opt(*secs, 0).single().map(month_of)
        }
        (ArchiveTable::HeatStress, [_, Cell::T(d), ..]) => d.get(..7).map(str::to_string),
        _ => None,
    }
}

/// Stored rows of a group of months, up to `before`, split by month.
async fn group_rows(
    store: &dyn Store,
    t: ArchiveTable,
    group: &[String],
    before: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>, BTreeMap<String, Vec<Vec<Cell>>>), RetentionError> {
    let from = month_range(&group[0])?.0;
    let to = month_range(&group[group.len() - 1])?.1.min(before);
    let mut by_month: BTreeMap<String, Vec<Vec<Cell>>> = group.iter().map(|m| (m.clone(), Vec::new())).collect();
    for r in store.archive_rows(t, from, to).await? {
        let m = row_month(t, &r)
            .ok_or_else(|| RetentionError::Corrupt(format!("a stored {} row has no time", t.name())))?;
        by_month.entry(m).or_default().push(r);
    }
    Ok((from, to, by_month))
}

/// Archives every month of every table that has rows older than `before` into `dir` (whole months).
pub async fn archive(store: &dyn Store, dir: &Path, before: DateTime<Utc>) -> Result<ArchiveReport, RetentionError> {
    std::fs::create_dir_all(dir).map_err(|e| RetentionError::io(dir, e))?;
    let dir = std::fs::canonicalize(dir).map_err(|e| RetentionError::io(dir, e))?;
    let mut manifest = read_manifest(&dir)?;
    let mut report = ArchiveReport::default();
    for t in ArchiveTable::ALL {
        for group in month_groups(store, t, before).await? {
            let far_future = Utc.with_ymd_and_hms(9999, 1, 1, 0, 0, 0).single().unwrap_or(before);
            let (_, _, by_month) = group_rows(store, t, &group, far_future).await?;
            let mut done = Vec::new();
            for (month, mut rows) in by_month {
                let existing = manifest.entries.iter().position(|e| e.table == t.name() && e.month == month);
                let mut unchanged = false;
                if let Some(i) = existing {
                    let (d, e) = (dir.clone(), manifest.entries[i].clone());
                    let old = blocking(move || verify_entry(&d, &e)).await?;
                    let old_hashes: HashSet<u64> = old.iter().map(|r| row_hash(r)).collect();
                    unchanged = rows.iter().all(|r| old_hashes.contains(&row_hash(r)));
                    if unchanged {
                        rows = old;
                    } else {
                        let mut by_key: BTreeMap<String, Vec<Cell>> =
                            old.into_iter().map(|r| (key_string(t, &r), r)).collect();
                        for r in rows {
                            by_key.insert(key_string(t, &r), r);
                        }
                        rows = by_key.into_values().collect();
                    }
                }
                let entry = match existing {
                    Some(i) if unchanged => manifest.entries[i].clone(),
                    _ => {
                        rows.sort_by(cmp_key(t.key_columns()));
                        let (d, m, r) = (dir.clone(), month.clone(), rows);
                        let entry = blocking(move || write_verified(&d, t, &m, &r)).await?;
                        match existing {
                            Some(i) => manifest.entries[i] = entry.clone(),
                            None => manifest.entries.push(entry.clone()),
                        }
                        entry
                    }
                };
                tracing::info!(table = t.name(), %month, rows = entry.rows, written = !unchanged, "archived");
                report.months.push((t, month, entry.rows, !unchanged));
                done.push(entry);
            }
            // The manifest names the group's files before the store records them as archived.
            manifest.entries.sort_by(|a, b| (&a.table, &a.month).cmp(&(&b.table, &b.month)));
            write_manifest(&dir, &manifest)?;
            for e in done {
                store
                    .record_archive(&ArchiveRecord {
                        table: e.table,
                        month: e.month,
                        dir: dir.display().to_string(),
                        rows: e.rows,
                        checksum: e.checksum,
                        verified_at: Utc::now(),
                    })
                    .await?;
            }
        }
    }
    Ok(report)
}

/// What one delete run removed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeleteReport {
    /// (table, month, rows deleted, the archive directory that holds them).
    pub months: Vec<(ArchiveTable, String, u64, String)>,
}

/// The directory (of `candidates`) whose verified archive of a table-month holds every row, or why none does.
async fn held_by(
    t: ArchiveTable,
    month: &str,
    rows: &[Vec<Cell>],
    candidates: Vec<PathBuf>,
) -> Result<String, Vec<String>> {
    let mut why = Vec::new();
    for d in candidates {
        let manifest = match read_manifest(&d) {
            Ok(x) => x,
            Err(e) => {
                why.push(e.to_string());
                continue;
            }
        };
        let Some(e) = manifest.entries.into_iter().find(|e| e.table == t.name() && e.month == month) else {
            continue;
        };
        let dd = d.clone();
        match blocking(move || verify_entry(&dd, &e)).await {
            Ok(archived) => {
                let hashes: HashSet<u64> = archived.iter().map(|r| row_hash(r)).collect();
                let missing = rows.iter().filter(|r| !hashes.contains(&row_hash(r))).count();
                if missing == 0 {
                    return Ok(d.display().to_string());
                }
                why.push(format!("{}: {missing} of the rows are not in its archive", d.display()));
            }
            Err(e) => why.push(e.to_string()),
        }
    }
    Err(why)
}

/// One message for every table-month no verified archive holds: per table the rows, months and range,
/// then the distinct reasons archives were turned down (at most five).
fn refusal(problems: &[(ArchiveTable, String, u64, Vec<String>)], before: DateTime<Utc>) -> String {
    let mut parts = Vec::new();
    for t in ArchiveTable::ALL {
        let p: Vec<_> = problems.iter().filter(|p| p.0 == t).collect();
        if let (Some(first), Some(last)) = (p.first(), p.last()) {
            let rows: u64 = p.iter().map(|p| p.2).sum();
            let range = if p.len() == 1 { first.1.clone() } else { format!("{} to {}", first.1, last.1) };
            parts.push(format!("{rows} {} rows in {} months ({range})", t.name(), p.len()));
        }
    }
    let mut why: Vec<&String> = problems.iter().flat_map(|p| &p.3).collect();
    why.sort();
    why.dedup();
    let more = why.len().saturating_sub(5);
    let why: Vec<&str> = why.into_iter().take(5).map(String::as_str).collect();
    format!(
        "nothing was deleted: {} older than {} are in no verified archive{}; archive them first \
         (halocline retention --archive-days N --archive-dir DIR)",
        parts.join(", "),
        before.format("%Y-%m-%d"),
        if why.is_empty() {
            String::new()
        } else {
            format!(" ({}{})", why.join("; "), if more > 0 { format!("; and {more} more") } else { String::new() })
        }
    )
}

/// Deletes every row older than `before`, after checking that a verified archive (recorded in the store,
/// or in one of `dirs`) holds each of them. If any row is not held, or an archive fails verification,
/// nothing at all is deleted.
pub async fn delete(
    store: &dyn Store,
    before: DateTime<Utc>,
    dirs: &[PathBuf],
) -> Result<DeleteReport, RetentionError> {
    let records = store.archive_records().await?;
    let mut plan = Vec::new();
    let mut problems = Vec::new();
    for t in ArchiveTable::ALL {
        for group in month_groups(store, t, before).await? {
            let (from, to, by_month) = group_rows(store, t, &group, before).await?;
            let mut months = Vec::new();
            for (month, rows) in by_month {
                if rows.is_empty() {
                    continue;
                }
                let mut candidates: Vec<PathBuf> = records
                    .iter()
                    .filter(|r| r.table == t.name() && r.month == month)
                    .map(|r| PathBuf::from(&r.dir))
                    .collect();
                candidates.extend(dirs.iter().cloned());
                match held_by(t, &month, &rows, candidates).await {
                    Ok(d) => months.push((month, rows.len() as u64, d)),
                    Err(why) => problems.push((t, month, rows.len() as u64, why)),
                }
            }
            plan.push((t, from, to, months));
        }
    }
    if !problems.is_empty() {
        return Err(RetentionError::Refused(refusal(&problems, before)));
    }
    let mut report = DeleteReport::default();
    for (t, from, to, months) in plan {
        let planned: u64 = months.iter().map(|m| m.1).sum();
        let n = store.delete_rows(t, from, to).await?;
        if n != planned {
            tracing::warn!(table = t.name(), planned, deleted = n, "rows changed between the check and the delete");
        }
        for (month, rows, dir) in months {
            tracing::info!(table = t.name(), %month, deleted = rows, archive = %dir, "deleted");
            report.months.push((t, month, rows, dir));
        }
    }
    store.checkpoint().await?;
    Ok(report)
}

/// The rolling window: archive every month with rows older than `keep_days` into `dir`, then delete
/// those rows (the seed's dashboard keeps 30 days).
pub async fn rolling(
    store: &dyn Store,
    dir: &Path,
    keep_days: u32,
    now: DateTime<Utc>,
) -> Result<(ArchiveReport, DeleteReport), RetentionError> {
    let before = now - chrono::Duration::days(keep_days as i64);
    let a = archive(store, dir, before).await?;
    let d = delete(store, before, &[dir.to_path_buf()]).await?;
    Ok((a, d))
}

/// What a restore loaded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RestoreReport {
    /// (table, month, rows in the archive, rows the UPSERT added or changed).
    pub months: Vec<(ArchiveTable, String, u64, u64)>,
}

/// Loads every archive of a directory back into the store through the UPSERT (rows already stored and
/// equal count zero). Every entry is verified first; a damaged one stops the restore before it writes.
pub async fn restore(store: &dyn Store, dir: &Path) -> Result<RestoreReport, RetentionError> {
    let manifest = read_manifest(dir)?;
    if manifest.entries.is_empty() {
        return Err(RetentionError::BadInput(format!("{}: no {MANIFEST_FILE} with archives", dir.display())));
    }
    let mut loaded = Vec::new();
    for e in manifest.entries {
        let d = dir.to_path_buf();
        let e2 = e.clone();
        let rows = blocking(move || verify_entry(&d, &e2)).await?;
        loaded.push((e, rows));
    }
    let mut report = RestoreReport::default();
    for (e, rows) in loaded {
        let t = ArchiveTable::parse(&e.table).unwrap_or(ArchiveTable::Series);
        let mut changed = 0;
        for chunk in rows.chunks(2_000) {
            let batch = store::archive::rows_to_batch(t, chunk, &format!("archive:{}", dir.display()))?;
            let c = store.write_file(&batch).await?;
            changed += c.profiles + c.series_points + c.heat_stress_days;
        }
        report.months.push((t, e.month.clone(), e.rows, changed));
    }
    store.checkpoint().await?;
    Ok(report)
}

/// The month of an instant, `YYYY-MM` (for messages).
pub fn month_label(t: DateTime<Utc>) -> String {
    month_of(t)
}

#[cfg(test)]
mod tests;

//! `halocline retention` (status, archive, delete, rolling window) and `halocline restore-archive`.

use std::path::{Path, PathBuf};

use chrono::{Duration, Utc};
use store::Store;

/// What `halocline retention` was asked to do.
pub struct Request {
    pub status: bool,
    pub archive_days: Option<u32>,
    pub archive_dir: Option<PathBuf>,
    pub delete_days: Option<u32>,
    pub keep_days: Option<u32>,
}

pub async fn run(store: &dyn Store, r: Request) -> anyhow::Result<()> {
    let now = Utc::now();
    let before = |days: u32| now - Duration::days(days as i64);
    let nothing = !r.status && r.archive_days.is_none() && r.delete_days.is_none() && r.keep_days.is_none();
    if let Some(keep) = r.keep_days {
        anyhow::ensure!(
            r.archive_days.is_none() && r.delete_days.is_none(),
            "--keep-days is the rolling window (archive, then delete): use it without --archive-days and --delete-days"
        );
        let dir = r.archive_dir.as_deref().ok_or_else(|| anyhow::anyhow!("--keep-days needs --archive-dir DIR"))?;
        let (a, d) = retention::rolling(store, dir, keep, now).await?;
        print_archive(&a, dir);
        print_delete(&d, before(keep));
    }
    if let Some(days) = r.archive_days {
        let dir = r.archive_dir.as_deref().ok_or_else(|| anyhow::anyhow!("--archive-days needs --archive-dir DIR"))?;
        let a = retention::archive(store, dir, before(days)).await?;
        print_archive(&a, dir);
    }
    if let Some(days) = r.delete_days {
        let dirs: Vec<PathBuf> = r.archive_dir.iter().cloned().collect();
        let d = retention::delete(store, before(days), &dirs).await?;
        print_delete(&d, before(days));
    }
    if r.status || nothing {
        print_status(store).await?;
    }
    Ok(())
}

fn print_archive(a: &retention::ArchiveReport, dir: &Path) {
    let written = a.months.iter().filter(|m| m.3).count();
    let rows: u64 = a.months.iter().map(|m| m.2).sum();
    println!(
        "archived {} table-months ({rows} rows) in {}: {written} written and verified, {} already held",
        a.months.len(),
        dir.display(),
        a.months.len() - written
    );
}

fn print_delete(d: &retention::DeleteReport, before: chrono::DateTime<Utc>) {
    let rows: u64 = d.months.iter().map(|m| m.2).sum();
    println!(
        "deleted {rows} rows older than {} from {} table-months, each held by a verified archive",
        before.format("%Y-%m-%d %H:%M"),
        d.months.len()
    );
}

async fn print_status(store: &dyn Store) -> anyhow::Result<()> {
    let st = retention::status(store).await?;
    println!("| table | month | stored rows | archived rows | archive |");
    println!("|---|---|---|---|---|");
    for m in &st {
        let (rows, dirs) = match m.archives.first() {
            Some((d, n)) => (
                n.to_string(),
                if m.archives.len() > 1 { format!("{d} (+{})", m.archives.len() - 1) } else { d.clone() },
            ),
            None => ("-".into(), "-".into()),
        };
        println!("| {} | {} | {} | {rows} | {dirs} |", m.table.name(), m.month, m.rows);
    }
    let unarchived: u64 = st.iter().filter(|m| m.archives.is_empty()).map(|m| m.rows).sum();
    println!("{} table-months; {unarchived} stored rows are in no archive", st.len());
    Ok(())
}

pub async fn restore(store: &dyn Store, dir: &Path) -> anyhow::Result<()> {
    let r = retention::restore(store, dir).await?;
    let rows: u64 = r.months.iter().map(|m| m.2).sum();
    let changed: u64 = r.months.iter().map(|m| m.3).sum();
    println!(
        "restored {} table-months ({rows} archived rows, verified) from {}: {changed} rows written, the rest were already stored",
        r.months.len(),
        dir.display()
    );
    Ok(())
}

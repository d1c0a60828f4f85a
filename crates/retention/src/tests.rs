//! Retention on the bundled sample (data/sample, real Argo, NDBC and CRW files): archive then delete, a
//! restore equal to the original by the store checksum, refusals without an archive or with a damaged one.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use store::{ArchiveTable, SqliteStore, Store};

use crate::*;

fn sample() -> PathBuf {
    PathBuf::from(format!("{}/../../data/sample", env!("CARGO_MANIFEST_DIR")))
}

/// A SQLite store file holding the sample's argo, buoy and crw folders (without the year-long 44005
/// history unless `full`: 87 k series points that only slow the debug build down).
async fn demo_store(dir: &Path, full: bool) -> (String, Arc<dyn Store>) {
    let path = dir.join("demo.db");
    let url = format!("sqlite://{}", path.display());
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(path.to_str().unwrap()).await.unwrap());
    let parts: Vec<PathBuf> = ["argo", "buoy", "crw"].iter().map(|d| sample().join(d)).collect();
    let mut files = ingest::discover(&parts).unwrap();
    files.retain(|f| full || !f.ends_with("44005h2012.txt"));
    let s = ingest::ingest_files(store.clone(), files, |_| {}).await;
    assert!(s.files_ingested > 20, "{s:?}");
    (url, store)
}

/// Row count and checksum of the archived tables, by the store's own checksum.
async fn sums(url: &str) -> Vec<(&'static str, u64, u64)> {
    store::transfer::checksums(url)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| ArchiveTable::parse(t.table).is_some())
        .map(|t| (t.table, t.rows, t.checksum))
        .collect()
}

async fn rows_before(store: &dyn Store, before: chrono::DateTime<Utc>) -> u64 {
    let mut n = 0;
    for t in ArchiveTable::ALL {
        let from = Utc.with_ymd_and_hms(1900, 1, 1, 0, 0, 0).unwrap();
        n += store.archive_rows(t, from, before).await.unwrap().len() as u64;
    }
    n
}

fn cutoff() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap()
}

#[tokio::test]
async fn archive_then_delete_then_restore_gives_identical_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let (url, store) = demo_store(tmp.path(), true).await;
    let original = sums(&url).await;
    assert_eq!(original.iter().map(|t| t.1).collect::<Vec<_>>(), [212, 101_809, 14_461]);
    let old = rows_before(&*store, cutoff()).await;
    let total: u64 = original.iter().map(|t| t.1).sum();
    assert!(old > 0 && old < total, "the sample has rows on both sides of the cutoff: {old} of {total}");

    let dir = tmp.path().join("archive");
    let a = archive(&*store, &dir, cutoff()).await.unwrap();
    // 1985-01 … 2019-12 of heat stress, 2011-12 … 2012-12 of series, and the profile months.
    assert_eq!(a.months.len(), 464);
    assert!(a.months.iter().all(|m| m.3), "{a:?}");
    let manifest = read_manifest(&dir).unwrap();
    assert_eq!(manifest.entries.len(), a.months.len());
    for e in &manifest.entries {
        assert!(dir.join(&e.csv_gz).is_file() && dir.join(&e.parquet).is_file());
        assert_eq!(verify_entry(&dir, e).unwrap().len() as u64, e.rows);
    }
    // Archiving again writes nothing new.
    let again = archive(&*store, &dir, cutoff()).await.unwrap();
    assert!(again.months.iter().all(|m| !m.3), "{again:?}");

    let d = delete(&*store, cutoff(), &[]).await.unwrap();
    let deleted: u64 = d.months.iter().map(|m| m.2).sum();
    assert_eq!(deleted, old);
    assert_eq!(rows_before(&*store, cutoff()).await, 0);
    let after = sums(&url).await;
    assert_eq!(after.iter().map(|t| t.1).sum::<u64>(), total - old);

    // The status shows months held only by the archive.
    let st = status(&*store).await.unwrap();
    assert!(st.iter().any(|m| m.rows == 0 && !m.archives.is_empty()));

    let r = restore(&*store, &dir).await.unwrap();
    assert_eq!(r.months.iter().map(|m| m.3).sum::<u64>(), old, "every archived row is written back once");
    assert_eq!(sums(&url).await, original, "restored rows are identical (row counts and checksums)");
    // A second restore changes nothing.
    let r2 = restore(&*store, &dir).await.unwrap();
    assert_eq!(r2.months.iter().map(|m| m.3).sum::<u64>(), 0);
}

#[tokio::test]
async fn deleting_without_an_archive_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (url, store) = demo_store(tmp.path(), false).await;
    let before = sums(&url).await;
    let err = delete(&*store, cutoff(), &[]).await.unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("refused: nothing was deleted:"), "{msg}");
    assert!(msg.contains("are in no verified archive"), "{msg}");
    assert_eq!(sums(&url).await, before);

    // An archive of only part of the old rows is not enough either.
    let dir = tmp.path().join("partial");
    archive(&*store, &dir, Utc.with_ymd_and_hms(2010, 1, 1, 0, 0, 0).unwrap()).await.unwrap();
    assert!(matches!(delete(&*store, cutoff(), &[dir]).await, Err(RetentionError::Refused(_))));
    assert_eq!(sums(&url).await, before);
}

#[tokio::test]
async fn a_corrupted_archive_fails_verification_and_nothing_is_deleted() {
    let tmp = tempfile::tempdir().unwrap();
    let (url, store) = demo_store(tmp.path(), false).await;
    let before = sums(&url).await;
    let dir = tmp.path().join("archive");
    archive(&*store, &dir, cutoff()).await.unwrap();
    let manifest = read_manifest(&dir).unwrap();

    // One byte flipped in the middle of a gzip stream.
    let victim = dir.join(&manifest.entries[0].csv_gz);
    let mut bytes = std::fs::read(&victim).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&victim, &bytes).unwrap();
    let err = verify_entry(&dir, &manifest.entries[0]).unwrap_err();
    assert!(matches!(err, RetentionError::Corrupt(_)), "{err}");
    let err = delete(&*store, cutoff(), &[]).await.unwrap_err().to_string();
    assert!(err.contains("refused: nothing was deleted") && err.contains("failed verification"), "{err}");
    assert_eq!(sums(&url).await, before);
    // A damaged archive is not restored either.
    assert!(restore(&*store, &dir).await.is_err());

    // Rows edited in a well-formed CSV: the checksum differs from the manifest's.
    archive(&*store, &tmp.path().join("b"), cutoff()).await.ok();
    let dir_b = tmp.path().join("b");
    let mb = read_manifest(&dir_b).unwrap();
    let e = mb.entries.iter().find(|e| e.table == "heat_stress").unwrap();
    let rows = crate::csv::read(&dir_b.join(&e.csv_gz), ArchiveTable::HeatStress).unwrap();
    let mut edited = rows.clone();
    edited[0][2] = store::Cell::F(99.0);
    crate::csv::write(&dir_b.join(&e.csv_gz), ArchiveTable::HeatStress, &edited).unwrap();
    let err = verify_entry(&dir_b, e).unwrap_err().to_string();
    assert!(err.contains("the manifest says"), "{err}");

    // A truncated Parquet file.
    let pq = dir_b.join(&mb.entries[0].parquet);
    let len = std::fs::metadata(&pq).unwrap().len();
    std::fs::OpenOptions::new().write(true).open(&pq).unwrap().set_len(len / 2).unwrap();
    assert!(verify_entry(&dir_b, &mb.entries[0]).is_err());
    assert!(delete(&*store, cutoff(), &[]).await.is_err());
    assert_eq!(sums(&url).await, before);
}

#[tokio::test]
async fn late_rows_merge_into_an_existing_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let (url, store) = demo_store(tmp.path(), false).await;
    let dir = tmp.path().join("archive");
    rolling(&*store, &dir, 30, Utc.with_ymd_and_hms(2020, 1, 31, 0, 0, 0).unwrap()).await.unwrap();
    assert_eq!(rows_before(&*store, cutoff()).await, 0);
    // A late point for an archived and deleted month.
    let st = status(&*store).await.unwrap();
    let month = st.iter().find(|m| m.table == ArchiveTable::HeatStress && m.rows == 0).unwrap().month.clone();
    let (start, _) = month_range(&month).unwrap();
    let late = store::FileBatch {
        source: "late".into(),
        heat_stress: vec![late_day(start.date_naive())],
        ..Default::default()
    };
    store.write_file(&late).await.unwrap();
    assert!(delete(&*store, cutoff(), &[]).await.is_err(), "the late row is in no archive yet");
    let a = archive(&*store, &dir, cutoff()).await.unwrap();
    let m = a.months.iter().find(|m| m.0 == ArchiveTable::HeatStress && m.1 == month).unwrap();
    assert!(m.3, "rewritten with the late row");
    let e = read_manifest(&dir)
        .unwrap()
        .entries
        .into_iter()
        .find(|e| e.table == "heat_stress" && e.month == month)
        .unwrap();
    let held = verify_entry(&dir, &e).unwrap();
    assert!(held.len() > 1, "the earlier rows stay in the archive next to the late one");
    delete(&*store, cutoff(), &[]).await.unwrap();
    assert_eq!(rows_before(&*store, cutoff()).await, 0);
    let _ = url;
}

fn late_day(date: chrono::NaiveDate) -> model::HeatStressDay {
    model::HeatStressDay {
        site: "late_reef".into(),
        date,
        sst_min: Some(26.5),
        sst_max: Some(27.25),
        sst_90th_hs: None,
        ssta_90th_hs: None,
        hotspot: Some(0.0),
        dhw: Some(0.0),
        baa_7day_max: Some(0),
    }
}

#[test]
fn months_and_checksums() {
    let (a, b) = month_range("2019-12").unwrap();
    assert_eq!(
        (a.to_rfc3339(), b.to_rfc3339()),
        ("2019-12-01T00:00:00+00:00".into(), "2020-01-01T00:00:00+00:00".into())
    );
    assert!(month_range("2019-13").is_err());
    assert!(month_range("x").is_err());
    assert_eq!(checksum(&[]), (0, "0000000000000000".into()));
}

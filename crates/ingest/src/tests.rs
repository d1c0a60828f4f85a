//! Ingest tests: the sample folders, idempotency, and a folder of bad files next to good ones.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use store::{SqliteStore, Store};

fn sample(rel: &str) -> PathBuf {
    PathBuf::from(format!("{}/../../data/sample/{rel}", env!("CARGO_MANIFEST_DIR")))
}

async fn mem_store() -> Arc<dyn Store> {
    Arc::new(SqliteStore::open(":memory:").await.unwrap())
}

#[tokio::test]
async fn sample_argo_folder_ingests_and_reingests_to_no_change() {
    let store = mem_store().await;
    let files = crate::discover(&[sample("argo")]).unwrap();
    assert_eq!(files.len(), 19);
    let first = crate::ingest_files(store.clone(), files.clone(), |_| {}).await;
    assert!(first.skipped.is_empty(), "{:?}", first.skipped);
    let counts = store.counts().await.unwrap();
    assert_eq!(counts.files, 19);
    // 6902746_034 arrives as Argovis JSON, then as an ERDDAP .nc that outranks it: written twice, stored once.
    assert_eq!((first.written.profiles, counts.profiles), (213, 212));
    assert_eq!(counts.index_rows, 2702);
    let second = crate::ingest_files(store.clone(), files, |_| {}).await;
    assert_eq!(second.files_ingested, 19);
    assert_eq!(second.written, store::WriteCounts::default());
    assert_eq!(store.counts().await.unwrap(), counts);
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

#[tokio::test]
async fn bad_files_are_skipped_with_reasons_and_leave_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = std::fs::read(sample("argo/D4900590_097.nc")).unwrap();
    write(d, "a_good.nc", &good);
    write(d, "b_truncated.nc", &good[..good.len() - 4000]);
    let mut corrupt = std::fs::read(sample("argo/D4900882_029.nc")).unwrap();
    corrupt[4..8].copy_from_slice(&[0, 0, 0, 0]); // record count fine; break the dimension tag
    corrupt[8..12].copy_from_slice(&[0x12, 0x34, 0x56, 0x78]);
    write(d, "c_corrupt.nc", &corrupt);
    write(d, "d_empty.txt", b"");
    write(d, "e_latin1.txt", b"YY MM DD hh mm WDIR\n2012 01 01 00 50 caf\xe9\n");
    write(d, "f_wrong_columns.txt", b"station,when,temp\n44005,2012-01-01,8.1\n");
    write(d, "g_unknown.bin", &[0u8, 1, 2, 3, 4, 5]);
    std::fs::create_dir(d.join("sub")).unwrap();
    write(&d.join("sub"), "44005h2012.txt", &std::fs::read(sample("buoy/44005h2012.txt")).unwrap());

    let store = mem_store().await;
    let files = crate::discover(&[d.to_path_buf()]).unwrap();
    assert_eq!(files.len(), 8);
    let s = crate::ingest_files(store.clone(), files, |_| {}).await;
    let reasons: Vec<(String, String)> =
        s.skipped.iter().map(|(p, r)| (p.file_name().unwrap().to_str().unwrap().to_string(), r.clone())).collect();
    let names: Vec<&str> = reasons.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["b_truncated.nc", "c_corrupt.nc", "d_empty.txt", "e_latin1.txt", "f_wrong_columns.txt", "g_unknown.bin"]
    );
    assert!(reasons[0].1.contains("truncated"), "{}", reasons[0].1);
    assert!(reasons[1].1.contains("not a NetCDF classic file"), "{}", reasons[1].1);
    assert_eq!(reasons[2].1, "empty file");
    assert!(reasons[3].1.contains("UTF-8"), "{}", reasons[3].1);
    assert!(reasons[4].1.contains("unrecognised format"), "{}", reasons[4].1);
    assert!(reasons[5].1.contains("UTF-8") || reasons[5].1.contains("unrecognised"), "{}", reasons[5].1);
    assert_eq!(s.files_ingested, 2);
    let c = store.counts().await.unwrap();
    assert_eq!(c.files, 2);
    assert_eq!(c.profiles, 1);
    assert_eq!(c.levels, 67);
    assert_eq!(c.series_points, 82_245);
}

//! Ingest: discover files → detect and parse them (`formats`) → write each file in one transaction
//! (`store`). A file that cannot be read is reported with its reason and leaves nothing in the store;
//! the rest of the folder is still ingested.

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub mod heat;
pub mod heat_grid;
pub mod qc;
pub mod schedule;
pub mod sources;

use formats::{Dataset, Detected, Diagnostic};
use store::{FileBatch, IndexRow, Store, StoreError, WriteCounts};

/// What went wrong with one ingest run as a whole (single files fail softly, see [`FileOutcome`]).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Records read from one file, before writing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadCounts {
    pub platforms: u64,
    pub profiles: u64,
    pub levels: u64,
    pub series_points: u64,
    pub heat_stress_days: u64,
    pub index_rows: u64,
    pub grids: u64,
}

impl std::ops::AddAssign for ReadCounts {
    fn add_assign(&mut self, o: ReadCounts) {
        self.platforms += o.platforms;
        self.profiles += o.profiles;
        self.levels += o.levels;
        self.series_points += o.series_points;
        self.heat_stress_days += o.heat_stress_days;
        self.index_rows += o.index_rows;
        self.grids += o.grids;
    }
}

/// The result for one file.
#[derive(Debug, Clone)]
pub struct FileOutcome {
    pub path: PathBuf,
    /// The detected kind label, when detection succeeded.
    pub kind: Option<&'static str>,
    /// Why the file was skipped; `None` when it was ingested.
    pub error: Option<String>,
    pub read: ReadCounts,
    pub written: WriteCounts,
    pub diagnostics: Vec<Diagnostic>,
}

/// Totals over a run.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub files_seen: u64,
    pub files_ingested: u64,
    pub read: ReadCounts,
    pub written: WriteCounts,
    /// (path, reason) of every skipped file.
    pub skipped: Vec<(PathBuf, String)>,
    pub diagnostics: u64,
}

impl Summary {
    pub fn add(&mut self, o: &FileOutcome) {
        self.files_seen += 1;
        self.diagnostics += o.diagnostics.len() as u64;
        match &o.error {
            Some(e) => self.skipped.push((o.path.clone(), e.clone())),
            None => {
                self.files_ingested += 1;
                self.read += o.read;
                self.written += o.written;
            }
        }
    }
}

/// Expands files and folders (recursively, sorted, hidden entries skipped) into a list of files.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, IngestError> {
    let mut out = Vec::new();
    for p in paths {
        walk(p, &mut out)?;
    }
    Ok(out)
}

fn walk(p: &Path, out: &mut Vec<PathBuf>) -> Result<(), IngestError> {
    let io = |e| IngestError::Io { path: p.display().to_string(), source: e };
    let meta = std::fs::metadata(p).map_err(io)?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|e| !e.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')))
            .collect();
        entries.sort();
        for e in entries {
            walk(&e, out)?;
        }
    } else {
        out.push(p.to_path_buf());
    }
    Ok(())
}

/// A parsed file ready to write, or the reason it cannot be.
pub struct Prepared {
    pub path: PathBuf,
    pub kind: Option<&'static str>,
    pub batch: Result<(FileBatch, ReadCounts, Vec<Diagnostic>), String>,
}

/// Reads, detects and parses one file (CPU and disk only; run it off the async runtime).
pub fn prepare(path: &Path) -> Prepared {
    match std::fs::read(path) {
        Ok(bytes) => prepare_bytes(path, &bytes),
        Err(e) => Prepared { path: path.to_path_buf(), kind: None, batch: Err(format!("cannot read: {e}")) },
    }
}

/// Detects and parses the bytes of one file.
pub fn prepare_bytes(path: &Path, bytes: &[u8]) -> Prepared {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    match formats::read_file(name, bytes) {
        Ok((detected, parsed)) => Prepared {
            path: path.to_path_buf(),
            kind: Some(detected.kind.label()),
            batch: Ok(to_batch(path, &detected, bytes.len() as u64, parsed.dataset, parsed.diagnostics)),
        },
        Err(e) => {
            let kind = formats::detect(name, bytes).ok().map(|d| d.kind.label());
            Prepared { path: path.to_path_buf(), kind, batch: Err(e.to_string()) }
        }
    }
}

/// Turns what a reader returned into one store transaction.
pub fn to_batch(
    path: &Path,
    detected: &Detected,
    size_bytes: u64,
    dataset: Dataset,
    diagnostics: Vec<Diagnostic>,
) -> (FileBatch, ReadCounts, Vec<Diagnostic>) {
    let mut b = FileBatch {
        source: path.display().to_string(),
        kind: detected.kind.label().to_string(),
        size_bytes,
        ..Default::default()
    };
    let mut c = ReadCounts::default();
    match dataset {
        Dataset::Profiles { platforms, profiles } => {
            c.platforms = platforms.len() as u64;
            c.profiles = profiles.len() as u64;
            c.levels = profiles.iter().map(|p| p.n_levels() as u64).sum();
            b.platforms = platforms;
            b.profiles = profiles;
        }
        Dataset::Platforms(p) => {
            c.platforms = p.len() as u64;
            b.platforms = p;
        }
        Dataset::Series { platform, mut points } => {
            qc::flag_series(&mut points);
            c.platforms = 1;
            c.series_points = points.len() as u64;
            b.platform_stubs = vec![platform];
            b.series = points;
        }
        Dataset::HeatStress { site, days } => {
            c.platforms = 1;
            c.heat_stress_days = days.len() as u64;
            let mut pl = model::Platform::new(site.id.clone(), model::PlatformKind::ReefSite);
            pl.name = Some(site.name.clone());
            pl.position = Some(site.position);
            b.platforms = vec![pl];
            b.reef_sites = vec![site];
            b.heat_stress = days;
        }
        Dataset::ProfileIndex(rows) => {
            c.index_rows = rows.len() as u64;
            b.index_rows = rows.into_iter().map(index_row).collect();
        }
        Dataset::Grids(grids) => {
            c.grids = grids.len() as u64;
            b.grids = grids;
        }
    }
    (b, c, diagnostics)
}

/// A GDAC index entry as the store keeps it.
pub fn index_row(r: formats::gdac_index::IndexEntry) -> IndexRow {
    IndexRow {
        file: r.file,
        time: r.date,
        lat: r.latitude,
        lon: r.longitude,
        ocean: r.ocean,
        profiler_type: r.profiler_type,
        institution: r.institution,
        date_update: r.date_update,
    }
}

/// Writes one batch (one transaction), then recomputes the heat stress of reef sites that received SST.
pub async fn store_batch(store: &dyn Store, batch: &FileBatch) -> Result<WriteCounts, StoreError> {
    let mut written = store.write_file(batch).await?;
    if batch.series.iter().any(|p| p.variable == "sea_surface_temperature") {
        written.heat_stress_days += heat::recompute(store, &batch.series).await?;
    }
    if batch.grids.iter().any(|g| heat_grid::is_sst(g) || heat_grid::is_mmm(g)) {
        written.grids += heat_grid::recompute(store, &batch.grids).await?;
    }
    Ok(written)
}

/// Ingests one file given as bytes (e.g. a griddap `.nc` response fetched over HTTP): detects and
/// parses it as [`prepare_bytes`] does, writes it in one transaction and runs the derived computations
/// ([`store_batch`]: heat stress for SST series and SST grids). `name` is the source recorded in the
/// store and the file name detection may use (e.g. `erddap/griddap/crwLike.nc`).
pub async fn ingest_bytes(store: &dyn Store, name: &str, bytes: &[u8]) -> FileOutcome {
    write(store, prepare_bytes(Path::new(name), bytes)).await
}

/// Writes a prepared file (one transaction) and reports the outcome.
pub async fn write(store: &dyn Store, p: Prepared) -> FileOutcome {
    match p.batch {
        Err(e) => FileOutcome {
            path: p.path,
            kind: p.kind,
            error: Some(e),
            read: ReadCounts::default(),
            written: WriteCounts::default(),
            diagnostics: Vec::new(),
        },
        Ok((batch, read, diagnostics)) => match store_batch(store, &batch).await {
            Ok(written) => FileOutcome { path: p.path, kind: p.kind, error: None, read, written, diagnostics },
            Err(e) => FileOutcome {
                path: p.path,
                kind: p.kind,
                error: Some(format!("not stored: {e}")),
                read: ReadCounts::default(),
                written: WriteCounts::default(),
                diagnostics,
            },
        },
    }
}

/// Ingests files in order: parsing runs on a blocking thread ahead of the writer (a bounded queue of
/// 64 files), so reading and writing overlap. `on_file` sees each outcome as it lands.
pub async fn ingest_files(
    store: Arc<dyn Store>,
    files: Vec<PathBuf>,
    on_file: impl FnMut(&FileOutcome) + Send,
) -> Summary {
    ingest_prepared(store, files.into_iter().map(|f| prepare(&f)), on_file).await
}

/// Writes prepared files as a blocking producer yields them (the producer runs on its own thread).
pub async fn ingest_prepared(
    store: Arc<dyn Store>,
    prepared: impl Iterator<Item = Prepared> + Send + 'static,
    mut on_file: impl FnMut(&FileOutcome) + Send,
) -> Summary {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Prepared>(64);
    let producer = tokio::task::spawn_blocking(move || {
        for p in prepared {
            if tx.blocking_send(p).is_err() {
                break;
            }
        }
    });
    let mut summary = Summary::default();
    while let Some(p) = rx.recv().await {
        let outcome = write(&*store, p).await;
        on_file(&outcome);
        summary.add(&outcome);
    }
    if let Err(e) = producer.await {
        tracing::error!(error = %e, "file reader task failed");
    }
    summary
}

#[cfg(test)]
mod grid_tests;
#[cfg(test)]
mod tests;

//! File and wire formats, read into domain records: Argo GDAC NetCDF (core, BGC synthetic, multi-profile,
//! meta), ERDDAP tabledap `.nc`, Argovis JSON, the GDAC profile index, NDBC text and station XML, and the
//! NOAA Coral Reef Watch virtual-station text.
//!
//! Every reader works on bytes it is given (no file system, no network) and returns what it could read
//! plus [`Diagnostic`]s for the parts it skipped, or a [`FormatError`] when the input is unreadable as a whole.

pub mod argo;
pub mod argovis;
pub mod cf_grid;
pub mod crw;
mod detect;
pub mod erddap_nc;
pub mod gdac_index;
pub mod griddap;
pub mod ndbc;
pub mod netcdf;
pub mod netcdf_write;
pub mod stations;

pub use detect::{Detected, FileKind, detect, netcdf_kind};

use model::{Grid, HeatStressDay, Platform, Profile, ReefSite, SeriesPoint};

/// Something a reader skipped or repaired, with where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where in the input: `line 17`, `profile 3`, `variable DOXY`.
    pub location: String,
    pub message: String,
}

impl Diagnostic {
    pub fn new(location: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { location: location.into(), message: message.into() }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Why an input could not be read at all. Messages are lowercase, without a trailing period.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FormatError {
    #[error("empty file")]
    Empty,
    #[error("not valid UTF-8 text (first bad byte at offset {0})")]
    NotUtf8(usize),
    #[error("not a NetCDF classic file: {0}")]
    NotNetcdf(String),
    #[error("truncated NetCDF file: {0}")]
    Truncated(String),
    #[error("missing variable {0}")]
    MissingVariable(String),
    #[error("unexpected layout: {0}")]
    Layout(String),
    #[error("bad header: {0}")]
    Header(String),
    #[error("bad JSON: {0}")]
    Json(String),
    #[error("bad XML: {0}")]
    Xml(String),
    #[error("no records could be read ({0})")]
    NoRecords(String),
}

impl FormatError {
    pub fn code(&self) -> model::ErrorCode {
        model::ErrorCode::BadRequest
    }
}

/// What one file holds, in domain terms.
#[derive(Debug, Clone, PartialEq)]
pub enum Dataset {
    /// Argo profiles (GDAC NetCDF, ERDDAP `.nc`, Argovis JSON), with the float when the file names it.
    Profiles { platforms: Vec<Platform>, profiles: Vec<Profile> },
    /// Float metadata (`*_meta.nc`), station catalogues.
    Platforms(Vec<Platform>),
    /// Time series of one platform (NDBC files).
    Series { platform: Platform, points: Vec<SeriesPoint> },
    /// A reef site and its daily heat stress (CRW virtual station).
    HeatStress { site: ReefSite, days: Vec<HeatStressDay> },
    /// Rows of the GDAC profile index.
    ProfileIndex(Vec<gdac_index::IndexEntry>),
    /// Gridded fields, one per (variable, time step) (griddap `.nc`).
    Grids(Vec<Grid>),
}

/// A reader's result: records plus what was skipped.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub dataset: Dataset,
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks that `bytes` is non-empty UTF-8 text and returns it.
pub fn text(bytes: &[u8]) -> Result<&str, FormatError> {
    if bytes.is_empty() {
        return Err(FormatError::Empty);
    }
    std::str::from_utf8(bytes).map_err(|e| FormatError::NotUtf8(e.valid_up_to()))
}

/// Reads a file of a detected kind.
pub fn read(detected: &Detected, bytes: &[u8]) -> Result<Parsed, FormatError> {
    match &detected.kind {
        FileKind::ArgoProfiles => argo::read_profiles(bytes, &detected.name),
        FileKind::ArgoMeta => argo::read_meta(bytes),
        FileKind::ErddapArgoNc => erddap_nc::read(bytes, &detected.name),
        FileKind::ArgovisJson => argovis::read(bytes, &detected.name),
        FileKind::GdacIndex => gdac_index::read(bytes),
        FileKind::NdbcStdmet { station } => ndbc::read_stdmet(bytes, station),
        FileKind::NdbcOcean { station } => ndbc::read_ocean(bytes, station),
        FileKind::NdbcSpec { station } => ndbc::read_spec(bytes, station),
        FileKind::NdbcStations => stations::read(bytes),
        FileKind::CrwVirtualStation => crw::read(bytes, &detected.name),
        FileKind::Griddap => griddap::read(bytes, &detected.name),
    }
}

/// Detects and reads a file in one go; a NetCDF header is parsed once, not twice.
pub fn read_file(name: &str, bytes: &[u8]) -> Result<(Detected, Parsed), FormatError> {
    if bytes.starts_with(b"CDF") {
        let nc = netcdf::NcFile::parse(bytes)?;
        let kind = netcdf_kind(&nc)?;
        let parsed = match kind {
            FileKind::ArgoProfiles => argo::read_profiles_nc(&nc, name)?,
            FileKind::ArgoMeta => argo::read_meta_nc(&nc)?,
            FileKind::Griddap => griddap::read_nc(&nc, name)?,
            _ => erddap_nc::read_nc(&nc, name)?,
        };
        return Ok((Detected { kind, name: name.to_string() }, parsed));
    }
    let detected = detect(name, bytes)?;
    let parsed = read(&detected, bytes)?;
    Ok((detected, parsed))
}

#[cfg(test)]
mod tests;

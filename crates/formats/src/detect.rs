//! Tells what a file is from its content; the name only supplies what content cannot (an NDBC station id).

use crate::{FormatError, ndbc, netcdf};

/// The formats halocline reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// GDAC profile file: single or multi-profile, core or BGC (has an `N_PROF` dimension).
    ArgoProfiles,
    /// GDAC float metadata file (`*_meta.nc`).
    ArgoMeta,
    /// ERDDAP tabledap `.nc` response from an ArgoFloats dataset (a `row` dimension).
    ErddapArgoNc,
    /// Argovis API JSON: a list of profile documents.
    ArgovisJson,
    /// GDAC profile index (`ar_index_global_prof.txt`).
    GdacIndex,
    /// NDBC standard meteorological text (historical or realtime2).
    NdbcStdmet { station: String },
    /// NDBC realtime2 oceanographic text (`.ocean`).
    NdbcOcean { station: String },
    /// NDBC realtime2 spectral wave summary (`.spec`).
    NdbcSpec { station: String },
    /// NDBC `activestations.xml`.
    NdbcStations,
    /// NOAA Coral Reef Watch virtual-station time series text.
    CrwVirtualStation,
    /// CF gridded NetCDF (an ERDDAP griddap `.nc` response: SST, chlorophyll, DHW, bathymetry, ...).
    Griddap,
}

impl FileKind {
    pub fn label(&self) -> &'static str {
        match self {
            FileKind::ArgoProfiles => "argo profiles",
            FileKind::ArgoMeta => "argo meta",
            FileKind::ErddapArgoNc => "erddap argo .nc",
            FileKind::ArgovisJson => "argovis json",
            FileKind::GdacIndex => "gdac profile index",
            FileKind::NdbcStdmet { .. } => "ndbc stdmet",
            FileKind::NdbcOcean { .. } => "ndbc ocean",
            FileKind::NdbcSpec { .. } => "ndbc spec",
            FileKind::NdbcStations => "ndbc station list",
            FileKind::CrwVirtualStation => "crw virtual station",
            FileKind::Griddap => "griddap grid",
        }
    }
}

/// A detected file: its kind and the name it is known by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub kind: FileKind,
    /// File name (no directories), recorded as the source of what is read.
    pub name: String,
}

/// Sniffs `bytes` (the whole file) and returns its kind, or an error saying why it is not one we read.
pub fn detect(name: &str, bytes: &[u8]) -> Result<Detected, FormatError> {
    let d = |kind| Ok(Detected { kind, name: name.to_string() });
    if bytes.is_empty() {
        return Err(FormatError::Empty);
    }
    if bytes.starts_with(b"CDF") {
        let nc = netcdf::NcFile::parse(bytes)?;
        return d(netcdf_kind(&nc)?);
    }
    if bytes.starts_with(b"\x89HDF") {
        return Err(FormatError::NotNetcdf("NetCDF-4/HDF5 files are not supported yet, only classic".into()));
    }
    let head_len = bytes.len().min(4096);
    // A head cut inside a multi-byte character is still fine to sniff.
    let head = match std::str::from_utf8(&bytes[..head_len]) {
        Ok(s) => s,
        Err(e) if e.valid_up_to() > 0 && e.error_len().is_none() => {
            std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(e) => return Err(FormatError::NotUtf8(e.valid_up_to())),
    };
    let trimmed = head.trim_start();
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        if head.contains("\"geolocation\"") || head.contains("\"data_info\"") || trimmed.starts_with("[]") {
            return d(FileKind::ArgovisJson);
        }
        return Err(FormatError::Json("a JSON document, but not Argovis profiles".into()));
    }
    if trimmed.starts_with("<?xml") || trimmed.starts_with("<stations") {
        if head.contains("<stations") {
            return d(FileKind::NdbcStations);
        }
        return Err(FormatError::Xml("an XML document, but not an NDBC station list".into()));
    }
    if head.contains("Profile directory file of the Argo") || head.contains("file,date,latitude,longitude,ocean") {
        return d(FileKind::GdacIndex);
    }
    if head.contains("Polygon Middle Longitude") || head.contains("Maximum Monthly Mean") {
        return d(FileKind::CrwVirtualStation);
    }
    let first = trimmed.lines().next().unwrap_or("");
    let cols: Vec<&str> = first.trim_start_matches('#').split_whitespace().collect();
    if cols.len() >= 5 && matches!(cols[0], "YY" | "YYYY") && cols[1] == "MM" && cols[2] == "DD" {
        let station = || {
            ndbc::station_from_file_name(name).ok_or_else(|| {
                FormatError::Header(format!("an NDBC file, but the station id cannot be told from its name {name:?}"))
            })
        };
        if cols.contains(&"OTMP") || cols.contains(&"DEPTH") {
            return d(FileKind::NdbcOcean { station: station()? });
        }
        if cols.contains(&"SwH") {
            return d(FileKind::NdbcSpec { station: station()? });
        }
        if cols.contains(&"WDIR") || cols.contains(&"WD") || cols.contains(&"WSPD") {
            return d(FileKind::NdbcStdmet { station: station()? });
        }
        return Err(FormatError::Header(format!("an NDBC-like header with unknown columns: {first}")));
    }
    Err(FormatError::Header("unrecognised format (not Argo NetCDF, Argovis JSON, NDBC, CRW or a GDAC index)".into()))
}

/// The kind of a parsed NetCDF file.
pub fn netcdf_kind(nc: &netcdf::NcFile) -> Result<FileKind, FormatError> {
    if nc.dim("N_PROF").is_some() {
        return Ok(FileKind::ArgoProfiles);
    }
    if nc.var("LAUNCH_DATE").is_some() && nc.var("PLATFORM_NUMBER").is_some() {
        return Ok(FileKind::ArgoMeta);
    }
    if nc.dim("row").is_some() && nc.var("platform_number").is_some() && nc.var("pres").is_some() {
        return Ok(FileKind::ErddapArgoNc);
    }
    if crate::cf_grid::is_grid(nc) {
        return Ok(FileKind::Griddap);
    }
    Err(FormatError::NotNetcdf(
        "a NetCDF file, but neither an Argo profile, meta, ERDDAP ArgoFloats file nor a CF grid".into(),
    ))
}

//! NDBC text files: standard meteorological (historical and realtime2), oceanographic and spectral summaries.

use crate::{FormatError, Parsed};

/// The station id an NDBC file name carries: `44005h2012.txt` → `44005`, `TPLM2_realtime2_x.txt` → `TPLM2`,
/// `41024.ocean` → `41024`. Upper case.
pub fn station_from_file_name(name: &str) -> Option<String> {
    let _ = name;
    None
}

pub fn read_stdmet(bytes: &[u8], station: &str) -> Result<Parsed, FormatError> {
    let _ = (bytes, station);
    Err(FormatError::Layout("not implemented".into()))
}

pub fn read_ocean(bytes: &[u8], station: &str) -> Result<Parsed, FormatError> {
    let _ = (bytes, station);
    Err(FormatError::Layout("not implemented".into()))
}

pub fn read_spec(bytes: &[u8], station: &str) -> Result<Parsed, FormatError> {
    let _ = (bytes, station);
    Err(FormatError::Layout("not implemented".into()))
}

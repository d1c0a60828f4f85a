//! The Argo GDAC profile index (`ar_index_global_prof.txt`): one row per profile file.

use crate::{FormatError, Parsed};

/// One row of the index.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexEntry {
    /// Path under `dac/`, e.g. `aoml/13857/profiles/R13857_001.nc`.
    pub file: String,
}

pub fn read(bytes: &[u8]) -> Result<Parsed, FormatError> {
    let _ = bytes;
    Err(FormatError::Layout("not implemented".into()))
}

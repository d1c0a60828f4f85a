//! NDBC `activestations.xml`: the station catalogue.

use crate::{FormatError, Parsed};

pub fn read(bytes: &[u8]) -> Result<Parsed, FormatError> {
    let _ = bytes;
    Err(FormatError::Layout("not implemented".into()))
}

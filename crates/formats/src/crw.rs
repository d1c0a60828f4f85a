//! NOAA Coral Reef Watch virtual-station text: header (MMM, monthly means, first valid dates), daily rows.

use crate::{FormatError, Parsed};

pub fn read(bytes: &[u8], name: &str) -> Result<Parsed, FormatError> {
    let _ = (bytes, name);
    Err(FormatError::Layout("not implemented".into()))
}

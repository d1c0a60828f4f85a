//! Pure science over slices: IOOS QARTOD quality control ([`qc`]) and NOAA Coral Reef Watch heat stress
//! ([`heat_stress`]). No IO, no async; every function is total on bad values (NaN in, flag or NaN out).

pub mod heat_stress;
pub mod qc;

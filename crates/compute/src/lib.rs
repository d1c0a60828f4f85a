//! Pure science over slices: IOOS QARTOD quality control ([`qc`]) and NOAA Coral Reef Watch heat stress
//! ([`heat_stress`]), daily and monthly climatologies ([`climatology`]), anomalies by z-score and isolation
//! forest ([`anomaly`]), the reef health score ([`health`]) and linear trends ([`trend`]). No IO, no async;
//! every function is total on bad values (NaN in, flag or NaN out).

pub mod anomaly;
pub mod climatology;
pub mod health;
pub mod heat_stress;
pub mod qc;
pub mod trend;

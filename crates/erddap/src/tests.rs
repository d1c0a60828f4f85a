//! Unit tests of the erddap crate.

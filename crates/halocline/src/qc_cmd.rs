//! `halocline qc --config CFG.json DATA.csv`: IOOS QARTOD flags for a CSV, identical to ioos_qc.

use std::io::Write;
use std::path::Path;

/// Runs the configured tests over the CSV and writes the flag table to `out`.
pub fn run(config: &Path, data: &Path, out: &mut dyn Write) -> anyhow::Result<()> {
    let _ = (config, data, out);
    anyhow::bail!("qc is not implemented yet")
}

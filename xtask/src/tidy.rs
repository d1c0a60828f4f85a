//! Tidy checks: every Rust file opens with a `//!` line, no test is marked ignored, and crate dependencies
//! point one way (model → compute/formats/store → ingest → server → halocline).

use std::path::{Path, PathBuf};

pub fn workspace_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// The crates each crate may depend on (workspace crates only).
const ALLOWED: &[(&str, &[&str])] = &[
    ("model", &[]),
    ("replay", &[]),
    ("compute", &["model"]),
    ("formats", &["model"]),
    ("store", &["model"]),
    ("ingest", &["model", "compute", "formats", "store"]),
    ("query", &["model", "compute", "store", "erddap"]),
    ("erddap", &["model", "formats"]),
    ("alert", &["model", "compute", "store", "query"]),
    ("retention", &["store"]),
    ("server", &["model", "compute", "formats", "store", "ingest", "query", "erddap", "alert"]),
    (
        "halocline",
        &["model", "compute", "formats", "store", "ingest", "query", "erddap", "server", "alert", "retention"],
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            rust_files(&p, out)?;
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    Ok(())
}

pub fn check(root: &Path) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files)?;
    rust_files(&root.join("xtask"), &mut files)?;
    let ignore_attr = format!("#[{}]", "ignore");
    for f in &files {
        let text = std::fs::read_to_string(f)?;
        if !text.starts_with("//!") {
            problems.push(format!("{}: the first line must be a //! comment saying what the file is for", f.display()));
        }
        if text.contains(&ignore_attr) {
            problems.push(format!("{}: no ignored tests; make it fast or move it to a benchmark", f.display()));
        }
    }
    for (krate, allowed) in ALLOWED {
        let manifest = root.join("crates").join(krate).join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest)?;
        let mut section = String::new();
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                section = line.to_string();
                continue;
            }
            if section != "[dependencies]" {
                continue;
            }
            let dep = line.split(['.', '=', ' ']).next().unwrap_or("");
            let is_ours = ALLOWED.iter().any(|(k, _)| *k == dep);
            if is_ours && !allowed.contains(&dep) {
                problems.push(format!("{}: {krate} must not depend on {dep}", manifest.display()));
            }
        }
    }
    for (krate, what) in [
        ("model", "tokio"),
        ("compute", "tokio"),
        ("formats", "tokio"),
        ("model", "sqlx"),
        ("formats", "sqlx"),
        ("server", "sqlx"),
    ] {
        let text = std::fs::read_to_string(root.join("crates").join(krate).join("Cargo.toml"))?;
        if text.lines().any(|l| l.trim_start().starts_with(what)) {
            problems.push(format!("crates/{krate}: must not depend on {what}"));
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    #[test]
    fn workspace_is_tidy() {
        let problems = super::check(&super::workspace_root()).unwrap();
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

//! Tidy checks: every Rust file opens with a `//!` line, no test is marked ignored, crate dependencies
//! point one way (model → compute/formats/store/nlq → ingest/query → server → halocline), and no two files
//! of a crate import each other, directly or around a loop (`cycles.rs`; `CYCLES_ALLOWED` lists the
//! crates not yet there).

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
    ("nlq", &["model"]),
    ("query", &["model", "compute", "store", "erddap", "nlq"]),
    ("erddap", &["model", "formats"]),
    ("alert", &["model", "compute", "store", "query"]),
    ("retention", &["store"]),
    ("ml", &["model", "compute", "store"]),
    ("server", &["model", "compute", "formats", "store", "ingest", "query", "nlq", "erddap", "alert", "ml"]),
    (
        "halocline",
        &[
            "model",
            "compute",
            "formats",
            "store",
            "ingest",
            "query",
            "nlq",
            "erddap",
            "server",
            "alert",
            "retention",
            "ml",
        ],
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

/// Crates whose files still import each other in a cycle (see `cycles.rs` for the rule; `cargo run -p
/// xtask -- cycles` prints them with the lines that close each loop). Every other crate must stay
/// acyclic; a crate listed here that has become acyclic must be taken off the list.
const CYCLES_ALLOWED: &[(&str, &str)] = &[
    ("server", "lib.rs: AppState used by every handler, the router names them; auth/mod.rs ↔ credentials.rs"),
    ("formats", "lib.rs defines Dataset, Diagnostic, FormatError for every reader, and read() calls them"),
    ("halocline", "main.rs defines DbArg and runtime() for the command modules and names their argument types"),
    ("ingest", "lib.rs ↔ heat.rs (store_batch), sources.rs ↔ sources/* (RunContext in the parent)"),
    ("retention", "lib.rs defines RetentionError, used by csv.rs and parquet_io.rs, and calls them"),
];

/// Each crate (and xtask) with the import cycles among its `src/` files.
pub fn crate_cycles(root: &Path) -> anyhow::Result<Vec<(String, Vec<crate::cycles::Cycle>)>> {
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(root.join("crates"))?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    dirs.retain(|d| d.join("src").is_dir());
    dirs.sort();
    dirs.push(root.join("xtask"));
    let mut out = Vec::new();
    for dir in dirs {
        let src = dir.join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files)?;
        let mut sources = std::collections::BTreeMap::new();
        for f in files {
            let rel = f.strip_prefix(&src)?.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>();
            sources.insert(rel.join("/"), std::fs::read_to_string(&f)?);
        }
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        out.push((name, crate::cycles::cycles(&sources)));
    }
    Ok(out)
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
        ("nlq", "tokio"),
        ("model", "sqlx"),
        ("formats", "sqlx"),
        ("nlq", "sqlx"),
        ("server", "sqlx"),
    ] {
        let text = std::fs::read_to_string(root.join("crates").join(krate).join("Cargo.toml"))?;
        if text.lines().any(|l| l.trim_start().starts_with(what)) {
            problems.push(format!("crates/{krate}: must not depend on {what}"));
        }
    }
    let crates = crate_cycles(root)?;
    for (listed, _) in CYCLES_ALLOWED {
        if !crates.iter().any(|(k, _)| k == listed) {
            problems.push(format!("CYCLES_ALLOWED names {listed}, which is not a crate of the workspace"));
        }
    }
    for (krate, cycles) in crates {
        let allowed = CYCLES_ALLOWED.iter().any(|(k, _)| *k == krate);
        if allowed && cycles.is_empty() {
            problems.push(format!("{krate}: has no import cycle any more; take it off tidy's CYCLES_ALLOWED"));
        }
        if !allowed {
            for c in cycles {
                problems.push(format!(
                    "{krate}: import cycle between {} files ({}):\n    {}",
                    c.files.len(),
                    c.files.join(", "),
                    c.walk.join("\n    ")
                ));
            }
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

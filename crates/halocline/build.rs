//! Build facts of the `halocline` binary: the git revision for `--version` (`HALOCLINE_GIT_REV` when set,
//! as in a Docker build without `.git`; else `git rev-parse`; else "unknown"), and the demo sample
//! (`data/sample/{argo,buoy,crw,grids}`) embedded as `$OUT_DIR/sample.rs`, so `halocline demo` runs from
//! an empty directory.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().ok()?;
    let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !s.is_empty()).then_some(s)
}

/// The revision, and reruns of this script when HEAD moves (a commit, a checkout).
fn revision(manifest: &Path) -> String {
    println!("cargo::rerun-if-env-changed=HALOCLINE_GIT_REV");
    if let Some(rev) = std::env::var("HALOCLINE_GIT_REV").ok().filter(|r| !r.trim().is_empty()) {
        return rev.trim().chars().take(40).collect();
    }
    let Some(rev) = git(manifest, &["rev-parse", "--short=12", "HEAD"]) else {
        return "unknown".into();
    };
    // HEAD lives in the worktree's git dir; the branch it names in the common dir, as a loose ref file
    // (else its folder, where the next commit writes one) or in packed-refs. Only paths that exist are
    // watched: cargo reruns a build script at every build for a watched path that is missing.
    let mut watch = Vec::new();
    if let Some(dir) = git(manifest, &["rev-parse", "--absolute-git-dir"]) {
        watch.push(PathBuf::from(dir).join("HEAD"));
    }
    if let (Some(common), Some(head)) =
        (git(manifest, &["rev-parse", "--git-common-dir"]), git(manifest, &["symbolic-ref", "-q", "HEAD"]))
    {
        let common = manifest.join(common);
        let loose = common.join(&head);
        watch.push(if loose.is_file() { loose } else { loose.parent().map_or(common.clone(), Path::to_path_buf) });
        watch.push(common.join("packed-refs"));
    }
    for p in watch.iter().filter(|p| p.exists()) {
        println!("cargo::rerun-if-changed={}", p.display());
    }
    rev
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')) {
            continue; // as `ingest::discover` skips them
        } else if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    println!("cargo::rustc-env=HALOCLINE_GIT_REV={}", revision(&manifest));

    let sample = manifest.join("../../data/sample");
    println!("cargo::rerun-if-changed={}", sample.display());
    let mut files = Vec::new();
    for part in ["argo", "buoy", "crw", "grids"] {
        walk(&sample.join(part), &mut files);
    }
    files.sort();
    let mut code = String::from(
        "/// The demo sample: (path under data/sample, bytes), in path order.\npub static SAMPLE: &[(&str, &[u8])] = &[\n",
    );
    for f in &files {
        let rel = f.strip_prefix(&sample).expect("walked under the sample").to_string_lossy().replace('\\', "/");
        let abs = f.canonicalize().unwrap_or_else(|_| f.clone());
        code.push_str(&format!("    ({rel:?}, include_bytes!({:?})),\n", abs.to_string_lossy()));
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("sample.rs");
    std::fs::write(out, code).expect("write sample.rs");
}

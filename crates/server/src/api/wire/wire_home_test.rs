//! The rule of this folder, checked: every JSON shape of the server lives in `api/wire/`. A
//! `Serialize`/`Deserialize` derive (or a hand-written `impl Serialize`) anywhere else in `src` fails
//! this test, except query-parameter structs (derived together with `utoipa::IntoParams`, parsed beside
//! their handler) and the JWT claims in `auth/credentials.rs` (a token's content, not an HTTP body).

use std::path::{Path, PathBuf};

/// Files allowed to derive serde traits for something that is not an HTTP body.
const ALLOWED_FILES: &[&str] = &["auth/credentials.rs"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `derive(...)` attributes, each joined onto one line (rustfmt may split a long one).
fn derives(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("#[derive(") {
        let tail = &rest[at..];
        let end = tail.find(")]").map_or(tail.len(), |e| e + 2);
        out.push(tail[..end].split_whitespace().collect::<Vec<_>>().join(" "));
        rest = &tail[end..];
    }
    out
}

#[test]
fn json_shapes_live_in_api_wire() {
    let src = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"));
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut problems = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        let is_test = rel.ends_with("tests.rs") || rel.ends_with("_test.rs");
        if rel.starts_with("api/wire/") || is_test || ALLOWED_FILES.contains(&rel.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        for d in derives(&text) {
            let serde = d.contains("Serialize") || d.contains("Deserialize");
            let query_params = d.contains("IntoParams") && !d.contains("Serialize");
            if serde && !query_params {
                problems.push(format!("{rel}: {d}: JSON shapes live in api/wire/"));
            }
        }
        if text.contains("impl Serialize for") || text.contains("impl serde::Serialize for") {
            problems.push(format!("{rel}: a hand-written Serialize impl: JSON shapes live in api/wire/"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The check sees the derives it is about.
    assert!(derives("#[derive(Debug,\n    Serialize)]\nstruct A;").iter().any(|d| d.contains("Serialize")));
}

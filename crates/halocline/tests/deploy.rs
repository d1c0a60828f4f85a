//! What a deployment relies on, through the binary: `--version` names the git revision, the demo runs
//! from an empty directory on the sample embedded in the binary (the same store as from the checkout's
//! `data/sample`), missing secrets and an absent PostgreSQL stop start-up with a message naming the
//! variable, and `halocline health` answers for a running server.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_halocline");

fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The binary with none of the caller's deployment settings.
fn halocline() -> Command {
    let mut c = Command::new(BIN);
    for v in ["DATABASE_URL", "HALOCLINE_BIND", "HALOCLINE_ENV", "HALOCLINE_JWT_SECRET", "HALOCLINE_DB_WAIT_SECONDS"] {
        c.env_remove(v);
    }
    c
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn counts(db: &str) -> store::TableCounts {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async { store::open(db).await.unwrap().counts().await.unwrap() })
}

#[test]
fn version_names_the_crate_version_and_a_revision() {
    let out = halocline().arg("--version").output().unwrap();
    assert!(out.status.success());
    let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let rev = v.strip_prefix(concat!("halocline ", env!("CARGO_PKG_VERSION"), " (")).and_then(|r| r.strip_suffix(')'));
    let rev = rev.unwrap_or_else(|| panic!("--version printed {v:?}"));
    assert!(rev == "unknown" || (rev.len() >= 7 && rev.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')), "{v}");
}

#[test]
fn demo_from_an_empty_directory_stores_what_the_checkout_sample_gives() {
    let empty = tempfile::tempdir().unwrap();
    let out = halocline().args(["demo", "--no-serve"]).current_dir(empty.path()).output().unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("embedded in this binary, 31 files"), "{said}");
    let embedded = counts(&format!("sqlite://{}", empty.path().join("halocline-demo.db").display()));

    let other = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", other.path().join("checkout.db").display());
    let out = halocline()
        .args(["demo", "--no-serve", "--db", &db, "--data"])
        .arg(repo().join("data/sample"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let from_files = counts(&db);
    assert_eq!(embedded.profiles, 212);
    assert_eq!(embedded.series_points, 101_809);
    assert_eq!(
        (embedded.platforms, embedded.profiles, embedded.levels, embedded.series_points, embedded.heat_stress_days),
        (
            from_files.platforms,
            from_files.profiles,
            from_files.levels,
            from_files.series_points,
            from_files.heat_stress_days
        )
    );
    assert_eq!((embedded.index_rows, embedded.reef_sites), (from_files.index_rows, from_files.reef_sites));
}

#[test]
fn production_without_the_jwt_secret_names_it_and_does_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let out = halocline()
        .args(["serve", "--bind", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env("HALOCLINE_ENV", "production")
        .output()
        .unwrap();
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("production mode needs HALOCLINE_JWT_SECRET"), "{said}");
    assert!(!said.contains("panicked"), "{said}");
}

#[test]
fn an_absent_postgresql_is_waited_for_then_named_with_the_setting() {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    let out = halocline()
        .args(["schedule", "--list", "--job", "x | daily | fetch ndbc", "--db", "postgres://postgres:pw@127.0.0.1:1/x"])
        .env("HALOCLINE_DB_WAIT_SECONDS", "2")
        .output()
        .unwrap();
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("did not come up within 2 s (HALOCLINE_DB_WAIT_SECONDS)"), "{said}");
    assert!(said.contains("postgres://postgres:***@127.0.0.1:1/x"), "the password is shown: {said}");
}

#[test]
fn health_answers_for_a_running_server_and_fails_without_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("h.db").display());
    let (mut child, addr) =
        common::spawn_serve(halocline().args(["serve", "--db", &db, "--bind", "127.0.0.1:0"]).stderr(Stdio::null()));
    let out = halocline().args(["health", "--bind", &addr]).output().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains(r#""store_ready":true"#), "{}", text(&out));
    // The server is gone now.
    let out = halocline().args(["health", "--bind", &addr, "--timeout", "2"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("cannot connect to"), "{}", text(&out));
}

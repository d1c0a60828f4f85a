//! Shared by the binary's integration tests: starting `halocline serve` and finding its address.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Spawns `cmd` (a `serve` on `--bind 127.0.0.1:0`) with stdout piped, reads its start-up lines up to
/// "press Ctrl-C", and returns the child and the address it serves on. The rest of stdout is read on a
/// thread, so the server never writes to a closed pipe.
pub fn spawn_serve(cmd: &mut Command) -> (Child, String) {
    let mut child = cmd.stdout(Stdio::piped()).spawn().unwrap();
    let mut addr = String::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some((_, rest)) = line.strip_prefix("serving ").and_then(|l| l.split_once(" on http://")) {
            addr = rest.trim().to_string();
        }
        if line.starts_with("press Ctrl-C") {
            break;
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    assert!(!addr.is_empty(), "serve printed no address");
    (child, addr)
}

//! Repository automation: `cargo run -p xtask -- tidy` checks the workspace rules (also run by `cargo test`).

mod cycles;
mod tidy;

fn main() -> anyhow::Result<()> {
    match std::env::args().nth(1).as_deref() {
        Some("tidy") => {
            let problems = tidy::check(&tidy::workspace_root())?;
            for p in &problems {
                eprintln!("{p}");
            }
            anyhow::ensure!(problems.is_empty(), "{} tidy problems", problems.len());
            println!("tidy: ok");
            Ok(())
        }
        Some("cycles") => {
            for (krate, cycles) in tidy::crate_cycles(&tidy::workspace_root())? {
                for c in cycles {
                    println!("{krate}: {} files: {}\n    {}", c.files.len(), c.files.join(", "), c.walk.join("\n    "));
                }
            }
            Ok(())
        }
        _ => anyhow::bail!("usage: cargo run -p xtask -- tidy | cycles"),
    }
}

//! The `halocline` binary: ingest, serve, demo, qc and bench subcommands over one store.

mod qc_cmd;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "halocline", version, about = "Ocean observations: ingest, store, compute and serve")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// IOOS QARTOD quality control of a CSV with an ioos_qc config; prints the flags as CSV.
    Qc {
        /// ioos_qc config JSON (plain, streams or contexts form).
        #[arg(long)]
        config: PathBuf,
        /// CSV with a `time` column and the streams the config names.
        data: PathBuf,
        /// Write the CSV here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Qc { config, data, out } => {
            let mut sink: Box<dyn std::io::Write> = match out {
                Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p)?)),
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            qc_cmd::run(&config, &data, &mut *sink)?;
            sink.flush()?;
            Ok(())
        }
    }
}

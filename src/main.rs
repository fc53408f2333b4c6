//! The `leakgate` binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use leakgate::{cli::Cli, run, Exit};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let exit = match run(cli) {
        Ok(exit) => exit,
        Err(err) => {
            // `{:#}` prints the whole context chain on one line: file, line, field.
            eprintln!("leakgate: error: {err:#}");
            Exit::Error
        }
    };
    ExitCode::from(exit as u8)
}

//! `leakgate completions SHELL` and `leakgate man`: generated from the same
//! clap definition the parser uses, so they never drift from the commands.

use std::io::Write;
use std::path::Path;

use anyhow::{Context as _, Result};
use clap::CommandFactory;

use crate::cli::Cli;
use crate::output::Exit;

pub fn completions(shell: clap_complete::Shell) -> Result<Exit> {
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut Cli::command(), "leakgate", &mut out);
    out.flush().context("writing the completion script")?;
    Ok(Exit::Clean)
}

pub fn man(dir: Option<&Path>) -> Result<Exit> {
    let cmd = Cli::command();
    match dir {
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(cmd)
                .render(&mut out)
                .context("writing the manual page")?;
            out.flush().context("writing the manual page")?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            clap_mangen::generate_to(cmd, dir)
                .with_context(|| format!("writing manual pages into {}", dir.display()))?;
            println!("leakgate: manual pages written to {}", dir.display());
        }
    }
    Ok(Exit::Clean)
}

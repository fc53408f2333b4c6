//! One module per command. Each resolves what it needs into a
//! [`Context`](crate::context::Context) once, runs its source and prints
//! through an [`Output`](crate::output::Output).

pub mod allow;
pub mod baseline;
pub mod ci;
pub mod completions;
pub mod explain;
pub mod hook;
pub mod receive;
pub mod rules;
pub mod scan;
// Issue 14: rollout for a whole team.
pub mod doctor;
pub mod install;
// Issue 14: migration from other scanners.
pub mod import;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::output::Exit;

pub fn run(cli: Cli) -> Result<Exit> {
    // libgit2 re-hashes every object it reads (SHA-1 with collision
    // detection); git does not on reads, and leakgate never writes. On a
    // history scan this alone was a tenth of the time.
    git2::opts::strict_hash_verification(false);
    let color = cli.color;
    let config = cli.config.or_else(|| {
        std::env::var_os("LEAKGATE_CONFIG")
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from)
    });
    if let Some(path) = config {
        crate::config::set_override(path);
    }
    match cli.command {
        Command::Scan(args) => scan::run(&args, color),
        Command::Ci(args) => ci::run(&args, color),
        Command::Baseline { reason, quiet } => baseline::run(reason, quiet),
        Command::Hook { hook } => hook::run(hook, color),
        Command::Allow(args) => allow::run(args),
        Command::Explain { rule } => explain::run(&rule),
        Command::Rules { command } => rules::run(command),
        Command::Completions { shell } => completions::completions(shell),
        Command::Man { dir } => completions::man(dir.as_deref()),
        Command::Install(args) => install::run_install(&args),
        Command::Uninstall(args) => install::run_uninstall(&args),
        Command::Doctor { repo } => doctor::run(repo.as_deref()),
        Command::Import { from } => import::run(from),
    }
}

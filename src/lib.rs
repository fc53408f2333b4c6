//! leakgate: stop API keys from leaving a developer's laptop.
//!
//! The flow is sources -> engine -> allowlist -> reports: [`sources`] turn
//! the staged change, a push, history or files into bytes with provenance;
//! [`engine`] finds secrets in them using [`rules`] and returns findings
//! that are already redacted and fingerprinted (no whole secret leaves it);
//! [`allow`] drops what the team allowed; [`report`] prints. One module per
//! command (`commands`) resolves what it needs into a `context::Context`
//! once and prints through an `output::Output`; this file only wires modules.
//! Nothing in this crate writes to the index, the working tree, refs or the
//! object database; the only file it ever writes is the allowlist, and only
//! when asked to by `leakgate allow` or `leakgate baseline` (setting up
//! aside: `leakgate install` writes hook files, `--global` the global
//! `core.hooksPath`).

pub mod allow;
pub mod ci;
pub mod cli;
mod commands;
pub mod config;
mod context;
pub mod engine;
pub mod fingerprint;
mod output;
pub mod paths;
pub mod report;
pub mod rules;
pub mod sources;
pub mod summary;
mod toml_error;
/// `--verify`: whether a found key still works, asked of its provider.
pub mod verify;

pub use commands::run;
pub use output::Exit;

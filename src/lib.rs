//! leakgate: stop API keys from leaving a developer's laptop.
//!
//! The flow is sources -> engine -> findings -> allowlist -> reports:
//! [`sources`] turn the staged change, a push, history or files into blobs
//! with provenance, [`engine`] finds secrets in text using [`rules`],
//! [`finding`] redacts and fingerprints them, [`allow`] drops what the team
//! allowed, and [`report`] prints. [`commands`] hold one module per command;
//! each resolves what it needs into a [`context::Context`] once and prints
//! through an [`output::Output`]. Nothing in this crate writes to the index,
//! the working tree, refs or the object database; the only file it ever
//! writes is the allowlist, and only when asked to by `leakgate allow` or
//! `leakgate baseline`.

pub mod allow;
pub mod cli;
pub mod commands;
pub mod config;
pub mod context;
pub mod engine;
pub mod finding;
pub mod fingerprint;
pub mod output;
pub mod report;
pub mod rules;
pub mod sources;
pub mod summary;

pub use commands::run;
pub use output::Exit;

//! leakgate's integration tests, as one test binary (one link, one place for
//! the shared sandbox). Hook behaviour is tested by driving the real `git`
//! through the installed hooks in temporary repositories; every run is
//! audited for whole secrets (see `common`).
//!
//! `cargo test --locked` runs them all; `cargo test --locked pre_push::`
//! runs one module.

mod common;
#[path = "../../fuzz/harness.rs"]
mod harness;

// Issue 14: [scan] exclude, [[allow]] value and stopwords.
mod allow_expressive;
mod architecture;
mod archives;
mod ci;
mod ci_recipes;
mod ci_world;
// Issue 14: completions, manual pages, --version.
mod cli_conventions;
// Issue 14: --config, LEAKGATE_CONFIG, extends.
mod config_sources;
mod context_engine;
mod context_settings;
mod corpus;
mod credential_files;
mod decoding;
// Issue 13: where a finding's commit already is.
mod exposure;
mod fuzz_regressions;
mod golden;
mod history;
// Issue 14: the pre-commit framework, husky and lefthook, for real.
mod hook_managers;
mod image_world;
mod images;
mod import;
mod install;
mod json_contract;
// Issue 16: long lines.
mod long_lines;
// Issue 14: other scanners' inline markers.
mod migration;
// Objects missing from the store (issue 16).
mod missing_objects;
mod platforms;
mod pre_commit;
mod pre_push;
mod reports;
// Issue 14: rollout for a whole team.
mod rollout;
mod rules_cli;
mod server;
mod trust_allow;
mod trust_engine;
mod trust_messages;
mod trust_output;
mod trust_push;
mod trust_review;
// Issue 13: --verify against a fake provider server.
mod verify;

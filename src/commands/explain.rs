//! `leakgate explain <rule-id>`: the playbook for a leaked credential
//! (see [`crate::report::playbook`]).

use anyhow::{anyhow, Result};

use crate::cli::{ColorChoice, Format};
use crate::context::Context;
use crate::output::{Exit, Output};
use crate::report::playbook;

/// Prints the playbook of `rule` (built-in, or the project's own).
pub fn run(rule: &str) -> Result<Exit> {
    let ctx = Context::discover(None)?;
    let r = ctx
        .settings
        .catalog
        .get(rule)
        .ok_or_else(|| anyhow!("no rule `{rule}` (see `leakgate rules list` for the ids)"))?;
    Output::stdout(Format::Human, ColorChoice::Never).text(&playbook::text(r))?;
    Ok(Exit::Clean)
}

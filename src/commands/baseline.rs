//! `leakgate baseline`: record every secret already in history in the
//! allowlist, so that from now on only new ones block.

use anyhow::Result;

use crate::allow::{self, Day};
use crate::context::Context;
use crate::engine::finding::escape;
use crate::fingerprint;
use crate::output::{Exit, Output};
use crate::sources::history::{self, Outcome, Walk};

/// Every ref's history under the context's settings, for the commands that
/// act on all of it (`baseline`, `allow --list`). An archive limit reached
/// fails it: a list of a history whose archives could not all be read
/// would leave their secrets out without saying so.
pub fn every_ref(ctx: &mut Context, quiet: bool) -> Result<Outcome> {
    let git_dir = history::git_dir(ctx.repo()?);
    let s = &mut ctx.settings;
    s.catalog.tune_for_throughput()?;
    let outcome = history::scan(
        &git_dir,
        &s.catalog,
        s.config.max_file_size,
        s.config.archives,
        &Walk::All,
        history::progress_wanted(quiet),
    )?;
    outcome.summary.check_limits()?;
    Ok(outcome)
}

pub fn run(reason: Option<String>, quiet: bool) -> Result<Exit> {
    let mut ctx = Context::repository(None)?;
    let file = allow::location(ctx.root("run `leakgate baseline` in a checkout")?);
    let outcome = every_ref(&mut ctx, quiet)?;
    let reason = reason.unwrap_or_else(|| format!("baseline {}", Day::today()));
    fingerprint::compute_all(outcome.findings.iter().map(|f| &f.fingerprint));
    let entries: Vec<allow::NewEntry> = outcome
        .findings
        .iter()
        .map(|f| allow::NewEntry {
            fingerprint: Some(f.fingerprint.as_str()),
            rule: Some(&f.rule_id),
            path: None,
            value: None,
            stopwords: None,
            reason: &reason,
            expires: None,
        })
        .collect();
    let skipped: Vec<usize> = allow::append_many(&file, &entries)?
        .into_iter()
        .flatten()
        .collect();
    let recorded = entries.len() - skipped.len();
    let mut out = String::new();
    // The list is what a team needs to plan rotation: where each secret
    // entered history, redacted.
    for f in &outcome.findings {
        let at = match &f.commit {
            Some(c) if !c.id.is_empty() => format!(" (commit {})", &c.id[..10]),
            _ => String::new(),
        };
        out.push_str(&format!(
            "  {}:{}  {}  {}{at}\n",
            escape(&f.path),
            f.line,
            f.rule_id,
            f.redacted
        ));
    }
    out.push_str(&format!(
        "leakgate: recorded {recorded} secret{} from history ({} commits, {:.1}s) in {}{}; commit that file.\nFrom now on only new secrets block. Rotate the recorded ones when you can{}.\n",
        if recorded == 1 { "" } else { "s" },
        outcome.summary.commits,
        outcome.elapsed.as_secs_f64(),
        allow::ALLOW_FILE,
        if skipped.is_empty() {
            String::new()
        } else {
            format!(" ({} already there)", skipped.len())
        },
        if outcome.findings.is_empty() {
            ""
        } else {
            ": they are listed above, where each first entered history"
        }
    ));
    Output::stdout(crate::cli::Format::Human, crate::cli::ColorChoice::Never).text(&out)?;
    Ok(Exit::Clean)
}

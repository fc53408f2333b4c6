//! `leakgate allow`: add a reviewed entry to the allowlist, or migrate old
//! (v1) fingerprints to the current format.

use std::collections::{HashMap, HashSet};

use anyhow::{bail, Context as _, Result};

use crate::allow::{self, Day};
use crate::cli::{AllowArgs, ColorChoice, Format};
use crate::context::Context;
use crate::fingerprint;
use crate::output::{Exit, Output};
use crate::sources::history::{self, Walk};
use crate::sources::{files, staged};

pub fn run(args: AllowArgs) -> Result<Exit> {
    if args.migrate {
        return migrate(args.quiet);
    }
    let (Some(fingerprint), Some(reason)) = (args.fingerprint, args.reason) else {
        bail!("say which fingerprint to allow and why (--reason), or use --migrate");
    };
    let expires = args
        .expires
        .as_deref()
        .map(Day::parse)
        .transpose()
        .context("--expires")?;
    if let Some(day) = expires {
        // An entry that has already lapsed would never apply: surely a typo.
        if day < Day::today() {
            bail!(
                "--expires: {day} is in the past (today is {}); the entry would never apply",
                Day::today()
            );
        }
    }
    let ctx = Context::discover(None)?;
    let root = ctx.root("run `leakgate allow` in a checkout")?;
    if let Some(rule) = &args.rule {
        let s = &ctx.settings;
        if s.catalog.get(rule).is_none() && !s.config.rules.disable.contains(rule) {
            bail!("--rule: there is no rule `{rule}` (see `leakgate rules list` for the ids)");
        }
    }
    allow::append(
        &allow::location(root),
        allow::NewEntry {
            fingerprint: &fingerprint,
            rule: args.rule.as_deref(),
            reason: &reason,
            expires,
        },
    )?;
    stdout().text(&format!(
        "leakgate: added {fingerprint} to {}; commit that file so the team reviews it.\n",
        allow::ALLOW_FILE
    ))?;
    Ok(Exit::Clean)
}

fn stdout() -> Output {
    Output::stdout(Format::Human, ColorChoice::Never)
}

/// `leakgate allow --migrate`: old (v1) fingerprints cannot be converted by
/// themselves (v2 needs the secret's digest), so every secret leakgate can
/// find here (history, the index, the work tree) is fingerprinted both ways,
/// and the entries whose v1 matches are rewritten.
fn migrate(quiet: bool) -> Result<Exit> {
    let mut ctx = Context::repository(None)?;
    let root = ctx
        .root("run `leakgate allow --migrate` in a checkout")?
        .to_path_buf();
    let wanted: HashSet<String> = ctx
        .settings
        .allow
        .entries
        .iter()
        .filter_map(|e| e.fingerprint.as_deref())
        .filter(|f| fingerprint::format_of(f) == Some(fingerprint::Format::V1))
        .map(str::to_string)
        .collect();
    if wanted.is_empty() {
        stdout().text(&format!(
            "leakgate: {} has no old-format fingerprints; nothing to migrate.\n",
            allow::ALLOW_FILE
        ))?;
        return Ok(Exit::Clean);
    }
    ctx.settings.catalog.tune_for_throughput()?;
    let repo = ctx.repo()?;
    let s = &ctx.settings;
    let mut found = history::scan(
        &history::git_dir(repo),
        &s.catalog,
        s.config.max_file_size,
        &Walk::All,
        history::progress_wanted(quiet),
    )?
    .findings;
    found.extend(
        files::scan(
            std::slice::from_ref(&root),
            &s.catalog,
            s.config.max_file_size,
        )?
        .0,
    );
    found.extend(staged::index_findings(
        repo,
        &s.catalog,
        s.config.max_file_size,
    )?);
    let mut map = HashMap::new();
    for f in &found {
        let v1 = f.fingerprint.v1();
        if wanted.contains(v1.as_str()) && !map.contains_key(&v1) {
            map.insert(v1, f.fingerprint.as_str().to_string());
        }
    }
    let m = allow::migrate(&allow::location(&root), &map)?;
    let mut out = format!(
        "leakgate: migrated {} entr{} in {} to the new fingerprint format",
        m.migrated,
        if m.migrated == 1 { "y" } else { "ies" },
        allow::ALLOW_FILE
    );
    if m.unmapped.is_empty() {
        out.push_str("; commit that file.\n");
    } else {
        let one = m.unmapped.len() == 1;
        let lines: Vec<String> = m.unmapped.iter().map(ToString::to_string).collect();
        out.push_str(&format!(
            "; {} old entr{} left as {} (line{} {}): {} secret is not in history, the index or the work tree any more; delete {} if {} no longer needed.\n",
            m.unmapped.len(),
            if one { "y" } else { "ies" },
            if one { "it was" } else { "they were" },
            if one { "" } else { "s" },
            lines.join(", "),
            if one { "its" } else { "their" },
            if one { "it" } else { "them" },
            if one { "it is" } else { "they are" },
        ));
    }
    stdout().text(&out)?;
    Ok(Exit::Clean)
}

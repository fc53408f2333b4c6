//! `leakgate allow`: add a reviewed entry to the allowlist, or migrate old
//! (v1) fingerprints to the current format.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{bail, Context as _, Result};

use crate::allow::{self, Day};
use crate::cli::{AllowArgs, ColorChoice, Format};
use crate::context::Context;
use crate::engine::finding::{escape, Finding};
use crate::fingerprint;
use crate::output::{Exit, Output};
use crate::sources::history::{self, Walk};
use crate::sources::{files, staged};

pub fn run(args: AllowArgs) -> Result<Exit> {
    if args.migrate {
        return migrate(args.quiet);
    }
    if args.list {
        return list(args.quiet);
    }
    let (Some(target), Some(reason)) = (args.fingerprint, args.reason) else {
        bail!("say which finding to allow (its fingerprint, or PATH:LINE) and why (--reason), or use --migrate");
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
    let file = allow::location(root);
    let Some(at) = Location::parse(&target) else {
        allow::append(
            &file,
            allow::NewEntry {
                fingerprint: Some(&target),
                rule: args.rule.as_deref(),
                path: None,
                value: None,
                stopwords: None,
                reason: &reason,
                expires,
            },
        )?;
        stdout().text(&format!(
            "leakgate: added {target} to {}; commit that file so the team reviews it.\n",
            allow::ALLOW_FILE
        ))?;
        return Ok(Exit::Clean);
    };
    let mut found = at.findings(&ctx, root, args.rule.as_deref())?;
    fingerprint::compute_all(found.iter().map(|f| &f.fingerprint));
    // The same secret twice on one line is one entry.
    let mut distinct = HashSet::new();
    found.retain(|f| distinct.insert(f.fingerprint.as_str().to_string()));
    let entries: Vec<allow::NewEntry> = found
        .iter()
        .map(|f| allow::NewEntry {
            fingerprint: Some(f.fingerprint.as_str()),
            rule: Some(&f.rule_id),
            path: None,
            value: None,
            stopwords: None,
            reason: &reason,
            expires,
        })
        .collect();
    let present = allow::append_many(&file, &entries)?;
    let shown = allow::ALLOW_FILE;
    if present.iter().all(Option::is_some) {
        let lines: Vec<String> = present.iter().flatten().map(ToString::to_string).collect();
        bail!(
            "{shown}:{}: already allows what is found at {} (by its fingerprint); nothing was added",
            lines.join(","),
            escape(&target)
        );
    }
    let mut out = String::new();
    for (f, there) in found.iter().zip(&present) {
        let what = format!(
            "{} ({}, {} at {}:{}:{})",
            f.fingerprint,
            f.rule_id,
            f.redacted,
            escape(&f.path),
            f.line,
            f.column,
        );
        match there {
            None => out.push_str(&format!("leakgate: added {what} to {shown}\n")),
            Some(line) => out.push_str(&format!(
                "leakgate: {shown}:{line} already allows {what}; left as it was\n"
            )),
        }
    }
    out.push_str("leakgate: commit that file so the team reviews it.\n");
    stdout().text(&out)?;
    Ok(Exit::Clean)
}

/// `PATH:LINE` or `PATH:LINE:COLUMN`, as a report prints a finding: the
/// secrets found there are allowed by their fingerprints, so nobody copies a
/// hash and the slow fingerprint is computed only when it is wanted.
struct Location {
    path: String,
    line: usize,
    column: Option<usize>,
}

impl Location {
    /// `None` for anything that is not a location (a fingerprint, a typo),
    /// which then goes to the fingerprint parser and its error.
    fn parse(s: &str) -> Option<Location> {
        if fingerprint::format_of(s).is_some() {
            return None;
        }
        // Digits only (`parse` would also take `+3`), and lines count from 1.
        let number = |t: &str| {
            t.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| t.parse::<usize>().ok().filter(|&n| n > 0))
                .flatten()
        };
        let (rest, last) = s.rsplit_once(':')?;
        let last = number(last)?;
        match rest.rsplit_once(':').map(|(p, l)| (p, number(l))) {
            Some((path, Some(line))) if !path.is_empty() => Some(Location {
                path: path.to_string(),
                line,
                column: Some(last),
            }),
            _ if !rest.is_empty() => Some(Location {
                path: rest.to_string(),
                line: last,
                column: None,
            }),
            _ => None,
        }
    }

    /// The findings at this place in the file as it is staged (what the
    /// pre-commit hook reported), or, when the index has no such file, as it
    /// is on disk; `rule` narrows them to one rule.
    fn findings(&self, ctx: &Context, root: &Path, rule: Option<&str>) -> Result<Vec<Finding>> {
        let s = &ctx.settings;
        let path = self.path.trim_start_matches("./");
        let shown = escape(path);
        let staged_at = |p: &str| -> Result<Option<Vec<Finding>>> {
            match ctx.repo() {
                Ok(repo) => staged::path_findings(
                    repo,
                    &s.catalog,
                    s.config.max_file_size,
                    s.config.archives,
                    p,
                ),
                Err(_) => Ok(None),
            }
        };
        // An archive's entry (`bundle.zip!config/app.env`) is found by
        // scanning the archive, when no file has that whole name.
        let mut file_path = path;
        let mut staged = staged_at(path)?;
        if staged.is_none() && !root.join(path).is_file() {
            if let Some((outer, _)) = path.split_once('!') {
                file_path = outer;
                staged = staged_at(outer)?;
            }
        }
        let (found, from) = match staged {
            Some(found) => (found, "as staged"),
            None => {
                let file = root.join(file_path);
                if !file.is_file() {
                    bail!(
                        "{shown}: no such file in the index or under {} (give the path as the report prints it, from the repository root)",
                        root.display()
                    );
                }
                let scanned = file.display().to_string();
                // Named explicitly: read even where `[scan] exclude` says not.
                let mut found = files::scan(
                    &[file],
                    None,
                    &s.catalog,
                    s.config.max_file_size,
                    s.config.archives,
                )?
                .0;
                for f in &mut found {
                    // Keep an archive entry's `!inner` part.
                    let inner = f.path.strip_prefix(&scanned).unwrap_or("").to_string();
                    f.path = format!("{file_path}{inner}");
                }
                (found, "on disk")
            }
        };
        let here: Vec<Finding> = found
            .into_iter()
            .filter(|f| f.path == path)
            .filter(|f| f.line == self.line && self.column.is_none_or(|c| c == f.column))
            .filter(|f| rule.is_none_or(|r| r == f.rule_id))
            .collect();
        if here.is_empty() {
            let column = self.column.map(|c| format!(":{c}")).unwrap_or_default();
            let rule = rule.map(|r| format!(" by rule `{r}`")).unwrap_or_default();
            bail!(
                "{shown}:{}{column}: nothing is found there{rule} in the file {from}; run `leakgate scan --staged` (or `leakgate scan {}`) to see where its findings are",
                self.line,
                crate::report::human::shell_quote(path)
            );
        }
        Ok(here)
    }
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
    // Every secret, excluded paths too: an old entry may name one there.
    ctx.settings.catalog.excludes = Default::default();
    let repo = ctx.repo()?;
    let s = &ctx.settings;
    let mut found = history::scan(
        &history::git_dir(repo),
        &s.catalog,
        s.config.max_file_size,
        s.config.archives,
        &Walk::All,
        history::progress_wanted(quiet),
    )?
    .findings;
    found.extend(
        files::scan(
            std::slice::from_ref(&root),
            None,
            &s.catalog,
            s.config.max_file_size,
            s.config.archives,
        )?
        .0,
    );
    found.extend(staged::index_findings(
        repo,
        &s.catalog,
        s.config.max_file_size,
        s.config.archives,
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

/// `leakgate allow --list`: each entry, what it hides now (found by a
/// history scan of every ref, or outside a repository by a scan of the files
/// here), and which have lapsed or match nothing (candidates to remove).
fn list(quiet: bool) -> Result<Exit> {
    let mut ctx = Context::discover(None)?;
    let (findings, summary) = match &ctx.repo {
        Some(_) => {
            let o = super::baseline::every_ref(&mut ctx, quiet)?;
            (o.findings, o.summary)
        }
        None => {
            let s = &ctx.settings;
            let (found, summary) = files::scan(
                &[std::path::PathBuf::from(".")],
                ctx.root.as_deref(),
                &s.catalog,
                s.config.max_file_size,
                s.config.archives,
            )?;
            summary.check_limits()?;
            (found, summary)
        }
    };
    let allow = &ctx.settings.allow;
    let where_ = if ctx.repo.is_some() {
        "in history (every ref)"
    } else {
        "in the files here"
    };
    let mut out = String::new();
    let excludes = &ctx.settings.catalog.excludes;
    for e in &excludes.items {
        let _ = writeln!(
            out,
            "{}  [scan] exclude {}  reason: {}",
            escape(&e.origin),
            escape(&format!("{:?}", e.pattern)),
            escape(&e.reason)
        );
        let n = summary
            .excluded
            .iter()
            .find(|(p, _)| *p == e.pattern)
            .map_or(0, |(_, n)| *n);
        let lapsed = summary
            .excludes_lapsed
            .iter()
            .find(|(p, _, _)| *p == e.pattern)
            .map_or(0, |(_, _, n)| *n);
        let expires = e.expires.as_deref().unwrap_or("");
        let state = match (e.lapsed, n, lapsed) {
            (true, _, 0) => format!("expired {expires}; matches no file {where_}: remove it"),
            (true, _, m) => format!(
                "EXPIRED {expires}: the {m} file{} it matches {where_} are scanned again",
                plural(m)
            ),
            (false, 0, _) => format!("excludes no file {where_}: remove it"),
            (false, n, _) => {
                let until = match &e.expires {
                    Some(day) => format!(" until {day}"),
                    None => String::new(),
                };
                format!("excludes {n} file{} {where_}{until} (not read)", plural(n))
            }
        };
        let _ = writeln!(out, "    {state}");
    }
    if allow.entries.is_empty() {
        let _ = writeln!(out, "leakgate: {} has no entries.", allow.file);
        stdout().text(&out)?;
        return Ok(Exit::Clean);
    }
    allow.prepare(&findings);
    let today = Day::today();
    let (mut expired, mut unused) = (0, 0);
    for e in &allow.entries {
        let hides: Vec<&Finding> = findings.iter().filter(|f| e.covers(f)).collect();
        let mut what = Vec::new();
        if let Some(fp) = &e.fingerprint {
            what.push(format!("fingerprint {}", short_fingerprint(fp)));
        }
        if let Some(r) = &e.rule {
            what.push(format!("rule {r}"));
        }
        if let Some((p, _)) = &e.path {
            what.push(format!("path {}", escape(p)));
        }
        if let Some(v) = &e.value {
            what.push(escape(&v.test.describe()));
        }
        let _ = writeln!(
            out,
            "{}:{}  {}  reason: {}",
            allow.file,
            e.line,
            what.join(", "),
            escape(&e.reason)
        );
        let lapsed = e.expires.filter(|day| *day < today);
        let state = match (lapsed, hides.len()) {
            (Some(day), 0) => {
                expired += 1;
                unused += 1;
                format!("expired {day}; matches nothing {where_}: remove it")
            }
            (Some(day), n) => {
                expired += 1;
                format!(
                    "EXPIRED {day}: the {n} finding{} it matches block again",
                    plural(n)
                )
            }
            (None, 0) => {
                unused += 1;
                format!("matches nothing {where_}: remove it, or it may hide a future secret")
            }
            (None, n) => match e.expires {
                Some(day) => format!("hides {n} finding{} until {day}", plural(n)),
                None => format!("hides {n} finding{}", plural(n)),
            },
        };
        let _ = writeln!(out, "    {state}");
        const SHOWN: usize = 5;
        for f in hides.iter().take(SHOWN) {
            let at = match &f.commit {
                Some(c) if !c.id.is_empty() => format!(" (commit {})", &c.id[..10]),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "      {}:{}  {}  {}{at}",
                escape(&f.path),
                f.line,
                f.rule_id,
                f.redacted
            );
        }
        if hides.len() > SHOWN {
            let _ = writeln!(out, "      and {} more", hides.len() - SHOWN);
        }
    }
    let n = allow.entries.len();
    let _ = writeln!(
        out,
        "leakgate: {n} entr{} in {}: {expired} expired, {unused} matching nothing {where_}.",
        if n == 1 { "y" } else { "ies" },
        allow.file
    );
    stdout().text(&out)?;
    Ok(Exit::Clean)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A fingerprint as a list shows it: the format and the first characters
/// (the whole one is in the file, beside this line).
fn short_fingerprint(fp: &str) -> String {
    match fp.char_indices().nth(14) {
        Some((i, _)) => format!("{}…", &fp[..i]),
        None => fp.to_string(),
    }
}

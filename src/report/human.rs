//! The report a person reads when a commit or push is refused: where, what
//! (redacted), why, and the exact commands that fix it.
//!
//! Colour is decided once by the caller (`colored`'s global switch); this module
//! only styles. Every field that comes from outside (paths, commit summaries,
//! rule names, notices, allowlist reasons) goes through [`esc`], so a file
//! name cannot forge a report line or send escape sequences to the terminal.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use colored::Colorize;

use super::{Active, Report, Scope};
use crate::engine::finding::escape as esc;
use crate::engine::finding::Exposure;
use crate::rules::Catalog;
use crate::summary::human_bytes;
use crate::summary::{SkipReason, Summary};

/// Findings shown in full per file; the rest are counted. A minified file
/// can hold thousands, and a report nobody can scroll hides the first one.
pub const SHOWN_PER_FILE: usize = 20;

pub fn render(report: &Report, catalog: &Catalog) -> String {
    let mut out = String::new();
    let blocking = report.blocking();
    let warnings = report.active.len() - blocking;
    if report.active.is_empty() {
        // Hooks stay silent on a clean change; every other scan ends with
        // its summary line.
        let hook = matches!(
            report.scope,
            Scope::Staged { hook: true } | Scope::Push { .. } | Scope::Receive { .. }
        );
        let quiet = hook
            && report.summary.skipped.is_empty()
            && report.summary.windowed == 0
            && report.summary.binary_searched == 0
            && report.allowlisted == 0
            && report.summary.inline_allowed == 0
            && report.summary.foreign_allowed == 0
            && report.summary.excluded.is_empty()
            && report.summary.excludes_lapsed.is_empty()
            && report.summary.missing.is_empty()
            && report.notices.is_empty();
        if !quiet {
            let s = &report.summary;
            let line = summary_line(s, report.allowlisted, false);
            match skipped_parts(s) {
                // "No secrets" would be a claim about files nobody read.
                Some(parts) => {
                    let n = s.skipped.len();
                    let _ = writeln!(
                        out,
                        "leakgate: no secrets found in what was scanned; {n} {} not scanned ({parts}); {line}",
                        if n == 1 { "file was" } else { "files were" },
                    );
                }
                None if !report.summary.missing.is_empty() => {
                    let _ = writeln!(
                        out,
                        "leakgate: no secrets found in the objects that could be read; {line}"
                    );
                }
                None => {
                    let _ = writeln!(out, "leakgate: no secrets found; {line}");
                }
            }
        }
        missing(&mut out, report);
        notices(&mut out, report);
        return out;
    }

    let what = match (&report.scope, blocking > 0) {
        (Scope::Staged { hook: true }, true) => "commit blocked".to_string(),
        (Scope::Push { remote, .. }, true) => format!("push to {} blocked", esc(remote)),
        (Scope::Receive { .. }, true) => "push refused by the server".to_string(),
        (_, true) => "found".to_string(),
        (_, false) => "warning".to_string(),
    };
    let where_ = match &report.scope {
        Scope::Staged { .. } => "in the staged changes".to_string(),
        Scope::Push { .. } => "in the commits being pushed".to_string(),
        Scope::Receive { refs, .. } => format!("in the commits pushed to {}", esc(refs)),
        Scope::History { what } => format!("in history ({})", esc(what)),
        Scope::Ci { what, .. } => format!("in the commits this pipeline checks ({})", esc(what)),
        Scope::Files => "in the files".to_string(),
        Scope::Image { image } => format!("in the image {}", esc(image)),
        Scope::Stdin => "in standard input".to_string(),
    };
    let count = if blocking > 0 { blocking } else { warnings };
    let _ = writeln!(
        out,
        "{} {} secret{} {where_}",
        format!("leakgate: {what}:").red().bold(),
        count,
        if count == 1 { "" } else { "s" },
    );

    // The staged change names its findings by place: `leakgate allow
    // PATH:LINE` fingerprints them when asked, so a blocked commit never
    // waits for the slow hash. Elsewhere (history, pushes, files) a place
    // is not one secret, and the fingerprint is shown.
    let by_location = matches!(report.scope, Scope::Staged { .. });
    let mut per_file: HashMap<Cow<str>, usize> = HashMap::new();
    for a in &report.active {
        *per_file.entry(a.finding.location()).or_default() += 1;
    }
    let mut shown: HashMap<Cow<str>, usize> = HashMap::new();
    for a in &report.active {
        let f = &a.finding;
        let place = f.location();
        let n = shown.entry(place.clone()).or_default();
        *n += 1;
        if *n > SHOWN_PER_FILE {
            continue;
        }
        let _ = writeln!(out);
        let label = if f.blocking {
            ""
        } else {
            " (warning, does not block)"
        };
        let _ = writeln!(
            out,
            "  {}  {}  [{}, {}]{label}",
            format!("{}:{}:{}", esc(&place), f.line, f.column).bold(),
            esc(&f.rule_name).yellow(),
            esc(&f.rule_id),
            f.severity
        );
        // `--verify`: what the provider said (live keys come first).
        if let Some(v) = &f.verification {
            verification_line(&mut out, v);
        }
        // A finding in a message already shows that line, redacted.
        if let Some(c) = f.commit.as_ref().filter(|_| !f.path.ends_with(" message")) {
            let _ = writeln!(
                out,
                "      commit {}  {}",
                short(&c.id).cyan(),
                esc(&c.summary)
            );
        }
        if let Some(w) = f
            .exposure
            .as_deref()
            .filter(|_| f.commit.is_some())
            .and_then(|e| where_line(e, &report.scope))
        {
            let _ = writeln!(out, "      where: {w}");
        }
        if f.other_places > 0 && f.image.is_some() {
            let _ = writeln!(
                out,
                "      {} other file{} in the image hold{} the same bytes",
                f.other_places,
                if f.other_places == 1 { "" } else { "s" },
                if f.other_places == 1 { "s" } else { "" }
            );
        } else if f.other_places > 0 {
            let _ = writeln!(
                out,
                "      first added here; {} other place{} in history add{} the same secret",
                f.other_places,
                if f.other_places == 1 { "" } else { "s" },
                if f.other_places == 1 { "s" } else { "" }
            );
        }
        if let Some(note) = f.image.as_deref().and_then(hidden_note) {
            let _ = writeln!(out, "      {} {note}", "note:".yellow().bold());
        }
        let _ = writeln!(out, "      {}", esc(&f.excerpt).dimmed());
        let _ = writeln!(out, "      why: {}", esc(&f.why));
        // A whole file's stand-in is its digest, not a key.
        let label = if f.whole_file { "sha256" } else { "key" };
        if by_location {
            let _ = writeln!(out, "      {label}: {}", esc(&f.redacted));
        } else {
            let _ = writeln!(
                out,
                "      {label}: {}   fingerprint: {}",
                esc(&f.redacted),
                f.fingerprint
            );
        }
        if let Some(e) = &a.expired {
            let _ = writeln!(
                out,
                "      {} {}:{} allowed this until {} (\"{}\"); that entry has expired, so it blocks again",
                "note:".yellow().bold(),
                esc(&e.file),
                e.line,
                e.expires,
                esc(&e.reason)
            );
        }
        let total = per_file[&place];
        if *n == SHOWN_PER_FILE && total > SHOWN_PER_FILE {
            let more = total - SHOWN_PER_FILE;
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "  ... and {more} more finding{} in {} (use --format json for all)",
                if more == 1 { "" } else { "s" },
                esc(&place)
            );
        }
    }

    if blocking > 0 {
        advice(&mut out, report, catalog);
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  {}",
        summary_line(&report.summary, report.allowlisted, true).dimmed()
    );
    missing(&mut out, report);
    notices(&mut out, report);
    out
}

/// `--verify`'s answer for one finding: LIVE stands out, a revoked key is
/// still to be taken out of the code, and unknown says why.
fn verification_line(out: &mut String, v: &crate::verify::Verification) {
    use crate::verify::Status;
    let (word, meaning) = match v.status {
        Status::Live => (
            "LIVE".red().bold().to_string(),
            "the provider accepts this key: rotate it now",
        ),
        Status::Revoked => (
            "revoked".green().to_string(),
            "the provider refuses this key; it still belongs out of the code",
        ),
        Status::Unknown => (
            "unknown".yellow().to_string(),
            "could not tell whether it works",
        ),
    };
    let _ = writeln!(
        out,
        "      verified: {word}: {meaning} ({}, {})",
        esc(&v.detail),
        v.checked_at
    );
}

/// Objects the scan needed that the object store does not have: counted,
/// each named (id, path, commit), with how to get them back. Without
/// `--allow-missing` the scan is incomplete (exit 2) and a hook blocks.
fn missing(out: &mut String, report: &Report) {
    let s = &report.summary;
    let n = s.missing.len();
    if n == 0 {
        return;
    }
    let counted = format!(
        "{n} object{} missing from the object store",
        if n == 1 { "" } else { "s" }
    );
    let what = match (&report.scope, report.allow_missing) {
        (_, true) => format!(
            "{} {counted}, not scanned (--allow-missing)",
            "note:".yellow()
        ),
        (Scope::Staged { hook: true }, false) => {
            format!("{} {counted}", "commit blocked:".red().bold())
        }
        (Scope::Push { remote, .. }, false) => format!(
            "{} {counted}",
            format!("push to {} blocked:", esc(remote)).red().bold()
        ),
        (Scope::Receive { .. }, false) => {
            format!("{} {counted}", "push refused by the server:".red().bold())
        }
        (_, false) => format!("{} {counted}", "scan incomplete:".red().bold()),
    };
    let _ = writeln!(out, "leakgate: {what}");
    for m in &s.missing {
        let mut line = format!("  {}", m.object.as_str().bold());
        if let Some(p) = &m.path {
            let _ = write!(line, "  {}", esc(p));
        }
        if let Some(c) = &m.commit {
            let _ = write!(line, "  commit {}", short(c).cyan());
        }
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "  How to get them:");
    match (&report.scope, &s.partial_clone) {
        (Scope::Receive { .. }, _) => {
            let _ = writeln!(
                out,
                "    the server's repository is damaged or incomplete: its administrator can list what\n    is missing with `git fsck --full` there and restore it from a complete copy (a backup, a full clone)."
            );
        }
        (_, Some(remote)) => {
            let remote = shell_quote(remote);
            let _ = writeln!(
                out,
                "    this is a partial clone, which leaves objects out until git needs them. Fetch every object\n    (the filter the clone was made with dropped):\n      {}",
                format!(
                    "git config --unset-all remote.{remote}.partialclonefilter; git fetch --refetch {remote}"
                )
                .cyan()
            );
        }
        (_, None) => {
            let _ = writeln!(
                out,
                "    the object store is damaged or incomplete (a deleted object, an interrupted copy):\n      {}       lists every missing object\n      {}   fetches every object again from the remote (a fresh clone does too)",
                "git fsck --full".cyan(),
                "git fetch --refetch".cyan()
            );
        }
    }
    if report.allow_missing {
        return;
    }
    match &report.scope {
        Scope::History { .. } | Scope::Ci { .. } => {
            let _ = writeln!(
                out,
                "  To scan without them (listed as a notice; the exit code is then the findings'): {}",
                "--allow-missing".cyan()
            );
        }
        Scope::Staged { hook: true } => {
            let _ = writeln!(
                out,
                "  To skip this check once (not recommended): {}",
                "git commit --no-verify".cyan()
            );
        }
        Scope::Push { .. } => {
            let _ = writeln!(
                out,
                "  To skip this check once (not recommended): {}",
                "git push --no-verify".cyan()
            );
        }
        _ => {}
    }
}

/// Why a key a container never sees is still a leak: the layer that holds
/// it ships with the image.
fn hidden_note(p: &crate::engine::finding::ImagePlace) -> Option<String> {
    let layer = p.layer.as_ref()?.index;
    let (what, later) = match (p.deleted_in, p.replaced_in) {
        (Some(d), _) => ("deleted", d),
        (None, Some(r)) => ("replaced", r),
        (None, None) => return None,
    };
    Some(format!(
        "{what} in layer {later}, still shipped in layer {layer} (anyone who pulls the image can read it)"
    ))
}

fn advice(out: &mut String, report: &Report, catalog: &Catalog) {
    let blocking: Vec<_> = report
        .active
        .iter()
        .filter(|a| a.finding.blocking)
        .collect();
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", "How to fix it:".bold());
    // Issue 13: where the commits already are decides the order. A key that
    // is pushed is rotated first; one nobody else has is rewritten away.
    let pushed = pushed_places(&blocking);
    let known = blocking.iter().any(|a| a.finding.exposure.is_some());
    let mut fix = String::new();
    let whole_out = out;
    let out = &mut fix;
    match &report.scope {
        Scope::Staged { .. } => {
            // `git restore --staged` needs a HEAD to restore from; a file the
            // commit adds is unstaged with `git rm --cached` (the file stays).
            let mut added = BTreeSet::new();
            let mut changed = BTreeSet::new();
            let mut whole = BTreeSet::new();
            let mut keyed = false;
            for a in &blocking {
                // A key in an archive's entry is taken out with the archive.
                let file = staged_file(&a.finding.path);
                if a.finding.whole_file {
                    whole.insert(file);
                } else {
                    keyed = true;
                }
                let set = if a.finding.file_added {
                    &mut added
                } else {
                    &mut changed
                };
                set.insert(shell_quote(file));
            }
            let _ = writeln!(out, "  1. Take the key out of this commit:");
            if !changed.is_empty() {
                let cmd = format!(
                    "git restore --staged -- {}",
                    changed.into_iter().collect::<Vec<_>>().join(" ")
                );
                let _ = writeln!(out, "       {}", cmd.cyan());
            }
            if !added.is_empty() {
                let cmd = format!(
                    "git rm --cached -- {}",
                    added.into_iter().collect::<Vec<_>>().join(" ")
                );
                let _ = writeln!(
                    out,
                    "       {}   (unstages the new file; your copy stays)",
                    cmd.cyan()
                );
            }
            if !whole.is_empty() {
                // A keystore is not edited: it stays out of the repository.
                let lines: Vec<String> = whole.iter().map(|p| gitignore_line(p)).collect();
                let cmd = format!(
                    "printf '%s\\n' {} >> .gitignore",
                    lines
                        .iter()
                        .map(|l| shell_quote(l))
                        .collect::<Vec<_>>()
                        .join(" ")
                );
                let _ = writeln!(
                    out,
                    "     {} the credential itself; keep {} out of the repository:",
                    if whole.len() == 1 {
                        "That file is"
                    } else {
                        "Those files are"
                    },
                    if whole.len() == 1 { "it" } else { "them" }
                );
                let _ = writeln!(out, "       {}", cmd.cyan());
            }
            if keyed && whole.is_empty() {
                let _ = writeln!(
                    out,
                    "     then delete it from the file, read it from an environment variable or a secret\n     manager (AWS Secrets Manager, Vault, Conjur) instead, and `git add` the file again."
                );
            } else if keyed {
                let _ = writeln!(
                    out,
                    "     For the other keys: delete each from its file, read it from an environment\n     variable or a secret manager instead, and `git add` the file again."
                );
            }
        }
        Scope::Push { tips, .. } | Scope::Receive { tips, .. } => {
            let _ = writeln!(out, "  1. Remove the key from the commits before pushing (it is not enough to delete it in a new commit):");
            rewrite(out, &blocking, tips);
            let _ = writeln!(
                out,
                "     and read the key from an environment variable or a secret manager instead."
            );
        }
        // Exposure known: each commit gets the commands that rewrite it.
        Scope::History { .. } if known => {
            let _ = writeln!(
                out,
                "  1. Remove the key from the commits that add it (deleting it in a new commit is not enough):"
            );
            rewrite(out, &blocking, &[]);
            let _ = writeln!(
                out,
                "     and read the key from an environment variable or a secret manager instead.\n     To adopt the hook with old leaks in place, record them once: {}",
                "leakgate baseline".cyan()
            );
        }
        Scope::History { .. } => {
            let _ = writeln!(
                out,
                "  1. These keys are already in history: anyone with a clone has them. Rotate them (step 2)\n     first; rewriting history (git filter-repo) does not take them back from existing clones.\n     To adopt the hook with old leaks in place, record them once: {}",
                "leakgate baseline".cyan()
            );
        }
        Scope::Ci { base, .. } => {
            // The commits are on the server already; the branch can still
            // be cleaned before it merges.
            let rebase = match base {
                Some(b) => format!("git rebase -i {}", &b[..b.len().min(10)]),
                None => "git rebase -i <the target branch>".into(),
            };
            let first = if pushed.is_some() {
                "Take the key out of the branch before it merges"
            } else {
                "These commits are already pushed: rotate the key first (step 2). Then take it out of\n     the branch before it merges"
            };
            let _ = writeln!(
                out,
                "  1. {first}: {} (edit the commit that adds it),\n     then {}.",
                rebase.cyan(),
                "git push --force-with-lease".cyan()
            );
        }
        Scope::Image { .. } => {
            let _ = writeln!(
                out,
                "  1. A key in any layer ships with the image, even where a later layer deletes it. Take it\n     out of the build: pass it as a build secret ({}), not ARG, ENV or\n     COPY; rebuild, push the new image and delete the old tags from the registry.",
                "RUN --mount=type=secret".cyan()
            );
        }
        Scope::Files | Scope::Stdin => {
            let _ = writeln!(
                out,
                "  1. Delete the key from the file and read it from an environment variable or a secret\n     manager instead. This scanned the files as they are, not history: {} checks every commit.",
                "leakgate scan --all".cyan()
            );
        }
    }
    let out = whole_out;
    let rules: BTreeSet<&str> = blocking
        .iter()
        .map(|a| a.finding.rule_id.as_str())
        .collect();
    match &pushed {
        // Pushed: rotate first, then rewrite (step 2).
        Some(places) => {
            let _ = writeln!(
                out,
                "  1. Rotate the key now: it is already pushed ({places}), so anyone who can read there\n     may have it; rewriting history afterwards does not take it back:"
            );
            rotate(out, &rules, catalog);
            out.push_str(&fix.replacen("  1. ", "  2. ", 1));
        }
        None => {
            out.push_str(&fix);
            let _ = writeln!(out, "  2. If the key was ever pushed or shared, rotate it:");
            rotate(out, &rules, catalog);
        }
    }
    let _ = writeln!(
        out,
        "  3. If it is meant to be there (a revoked key in a test fixture, documentation), allow it:"
    );
    if matches!(report.scope, Scope::Staged { .. }) {
        allow_by_location(out, &blocking);
    } else {
        allow_by_fingerprint(out, &blocking);
    }
    if report.allow_file.is_empty() {
        // Outside a repository there is no allowlist yet, and `leakgate
        // allow` writes one where it is run.
        let _ = writeln!(
            out,
            "     Run it in the root of the repository these files belong to: it creates\n     .leakgate-allow.toml there; commit that file with the change."
        );
    } else if matches!(report.scope, Scope::Ci { .. }) {
        // CI reads the target branch's allowlist, never the change's.
        let _ = writeln!(
            out,
            "     and commit {} to the target branch (reviewed there): this check reads the\n     allowlist as the target branch has it, not as the change brings it.",
            esc(&report.allow_file)
        );
    } else if matches!(report.scope, Scope::Receive { .. }) {
        // The server trusts the allowlist it already has, never one arriving
        // with the key.
        let _ = writeln!(
            out,
            "     commit {} and push it on its own first: the server judges a push by the allowlist\n     already on the branch (or by the file its owner set with `git config leakgate.allowlist`).",
            esc(&report.allow_file)
        );
    } else {
        let _ = writeln!(
            out,
            "     and commit {} with the change.",
            esc(&report.allow_file)
        );
    }
    let skip = match report.scope {
        Scope::Staged { hook: true } => Some("git commit --no-verify"),
        Scope::Push { .. } => Some("git push --no-verify"),
        _ => None,
    };
    if let Some(skip) = skip {
        let _ = writeln!(
            out,
            "  To skip this check once (not recommended): {}",
            skip.cyan()
        );
    }
}

/// The commands that take the key out of each commit with a blocking
/// finding, oldest advice first: `git rebase -i <commit>^` (`--root` for a
/// first commit), `git commit --amend` for the last one (a pushed tip, or
/// HEAD), `git stash drop` for a commit only a stash holds, `git tag -d`
/// for a tag's message; a commit already pushed also needs a force-push.
fn rewrite(out: &mut String, blocking: &[&Active], tips: &[String]) {
    struct Commit<'a> {
        root: bool,
        tip: bool,
        in_file: bool,
        in_message: bool,
        exposure: Option<&'a Exposure>,
    }
    let mut commits: BTreeMap<&str, Commit> = BTreeMap::new();
    let mut tags: BTreeSet<&str> = BTreeSet::new();
    for a in blocking {
        let f = &a.finding;
        if let Some(name) = f
            .path
            .strip_prefix("tag ")
            .and_then(|p| p.strip_suffix(" message"))
        {
            tags.insert(name);
        }
        if let Some(c) = &f.commit {
            let e = commits.entry(short(&c.id)).or_insert(Commit {
                root: c.root,
                tip: tips.contains(&c.id) || f.exposure.as_ref().is_some_and(|e| e.head),
                in_file: false,
                in_message: false,
                exposure: f.exposure.as_deref(),
            });
            if f.path.ends_with(" message") {
                e.in_message = true;
            } else {
                e.in_file = true;
            }
        }
    }
    let total = commits.len();
    for (c, k) in commits.into_iter().take(SHOWN_PER_FILE) {
        if let Some(e) = k.exposure.filter(|e| only_in_stash(e)) {
            let s = &e.stashes[0];
            let more = e.stashes.len() - 1;
            let _ = writeln!(
                out,
                "       in commit {c}, only in {}{}:    {}  (see what it holds first: {})",
                esc(s),
                if more > 0 {
                    format!(
                        " and {more} older stash entr{}",
                        if more == 1 { "y" } else { "ies" }
                    )
                } else {
                    String::new()
                },
                format!("git stash drop {s}").cyan(),
                format!("git stash show -p {s}").cyan()
            );
            continue;
        }
        // `<root>^` names nothing: a first commit is edited with --root.
        let rebase = if k.root {
            "git rebase -i --root".to_string()
        } else {
            format!("git rebase -i {c}^")
        };
        if k.in_file {
            let _ = writeln!(
                out,
                "       in commit {c}:    {}  (mark {c} `edit`, remove the key, `git commit --amend`, `git rebase --continue`)",
                rebase.cyan()
            );
        }
        if k.in_message {
            let _ = writeln!(
                out,
                "       in the message of {c}:    {}  (mark {c} `reword` and take the key out of the message)",
                rebase.cyan()
            );
        }
        if k.tip {
            let _ = writeln!(
                out,
                "       {c} is the last commit{}: with it checked out, {}, then {}",
                if tips.is_empty() { "" } else { " pushed" },
                if k.in_file {
                    "delete the key from the file, `git add` it"
                } else {
                    "edit the message"
                },
                "git commit --amend".cyan()
            );
        }
        let Some(e) = k.exposure else { continue };
        let places = published(e);
        if !e.local_only {
            let _ = writeln!(
                out,
                "       {c} is already {}: after the rewrite, {} where the remote allows it\n       (a rewrite does not take the key back from anyone who fetched it)",
                if places.is_empty() {
                    "pushed".to_string()
                } else {
                    format!("on {}", names(&places))
                },
                "git push --force-with-lease".cyan()
            );
        } else if !e.tags.is_empty() {
            let _ = writeln!(
                out,
                "       tag{} {} hold{} {c} too: after the rewrite, {} and tag the new commit again",
                if e.tags.len() == 1 { "" } else { "s" },
                names(&e.tags),
                if e.tags.len() == 1 { "s" } else { "" },
                if e.tags.len() > SHOWN_PLACES {
                    format!("git tag --contains {c} | xargs git tag -d")
                } else {
                    format!(
                        "git tag -d {}",
                        e.tags
                            .iter()
                            .map(|t| shell_quote(t))
                            .collect::<Vec<_>>()
                            .join(" ")
                    )
                }
                .cyan()
            );
        }
    }
    if total > SHOWN_PER_FILE {
        let _ = writeln!(
            out,
            "       ... and {} more commits (use --format json for every commit and where it is)",
            total - SHOWN_PER_FILE
        );
    }
    for t in tags {
        let name = shell_quote(t);
        let _ = writeln!(
            out,
            "       in the message of tag {}:    {}, then tag again with a clean message ({})",
            esc(t),
            format!("git tag -d {name}").cyan(),
            format!("git tag -a {name} <commit>").cyan()
        );
    }
}

/// Places shown in a list before the rest are counted ("and 12 more"): an
/// old commit is in every release tag. JSON lists them all.
const SHOWN_PLACES: usize = 5;

/// `a, b, c and 4 more`, escaped.
fn names(list: &[String]) -> String {
    let shown: Vec<String> = list.iter().take(SHOWN_PLACES).map(|n| esc(n)).collect();
    let mut s = shown.join(", ");
    if list.len() > SHOWN_PLACES {
        let _ = write!(s, " and {} more", list.len() - SHOWN_PLACES);
    }
    s
}

/// A commit that only a stash holds: dropping the stash removes it.
fn only_in_stash(e: &Exposure) -> bool {
    !e.stashes.is_empty() && e.remotes.is_empty() && e.branches.is_empty() && e.tags.is_empty()
}

/// Where others can have fetched a commit from: remote-tracking refs in a
/// clone; a bare repository's own branches and tags. Empty for a CI run's
/// commits that its clone's refs do not show.
fn published(e: &Exposure) -> Vec<String> {
    if e.local_only {
        Vec::new()
    } else if !e.remotes.is_empty() {
        e.remotes.clone()
    } else if !e.bare {
        Vec::new()
    } else {
        e.branches
            .iter()
            .cloned()
            .chain(e.tags.iter().map(|t| format!("tag {t}")))
            .collect()
    }
}

/// The places the blocking findings' pushed commits are, for "rotate now";
/// `None` when none is known to be pushed.
fn pushed_places(blocking: &[&Active]) -> Option<String> {
    let mut all = BTreeSet::new();
    let mut any = false;
    for a in blocking {
        if let Some(e) = a.finding.exposure.as_deref().filter(|e| !e.local_only) {
            any = true;
            all.extend(published(e));
        }
    }
    if !any {
        return None;
    }
    let all: Vec<String> = all.into_iter().collect();
    Some(if all.is_empty() {
        "to the server this pipeline runs for".to_string()
    } else {
        format!("on {}", names(&all))
    })
}

/// Where a finding's commit is, in words (issue 13): nothing for a staged
/// change, which is local by definition.
fn where_line(e: &Exposure, scope: &Scope) -> Option<String> {
    let tags = |s: &mut String| {
        if !e.tags.is_empty() {
            let _ = write!(
                s,
                "; tag{} {}",
                if e.tags.len() == 1 { "" } else { "s" },
                names(&e.tags)
            );
        }
    };
    match scope {
        Scope::Staged { .. } => None,
        Scope::Receive { .. } if e.local_only => {
            Some("not on any branch or tag of this server yet".into())
        }
        Scope::Receive { .. } => Some(format!("already on this server: {}", names(&published(e)))),
        _ if e.local_only => {
            let mut s = if only_in_stash(e) {
                format!("only in this clone, in {} (not pushed)", names(&e.stashes))
            } else {
                "only in this clone (not pushed)".to_string()
            };
            tags(&mut s);
            Some(s)
        }
        _ if !e.remotes.is_empty() => {
            let mut s = format!("pushed: {}", names(&e.remotes));
            tags(&mut s);
            Some(s)
        }
        _ if e.bare => Some(format!("published: {}", names(&published(e)))),
        _ => Some("pushed (this pipeline runs on it)".into()),
    }
}

/// The rotation playbook of each rule, as the rules give it.
fn rotate(out: &mut String, rules: &BTreeSet<&str>, catalog: &Catalog) {
    for id in rules {
        if let Some(rule) = catalog.get(id) {
            if let Some(rotate) = &rule.rotate {
                let _ = writeln!(out, "     {}:", esc(&rule.name));
                for l in rotate.trim().lines() {
                    let _ = writeln!(out, "       {}", esc(l.trim()));
                }
            }
            let _ = writeln!(
                out,
                "       full playbook: {}",
                format!("leakgate explain {}", shell_quote(id)).cyan()
            );
        }
    }
}

/// `leakgate allow PATH:LINE` for each place a blocking finding is, in the
/// order reported: the command fingerprints what it finds there.
fn allow_by_location(out: &mut String, blocking: &[&Active]) {
    let mut seen = BTreeSet::new();
    let places: Vec<(&str, usize)> = blocking
        .iter()
        .map(|a| (a.finding.path.as_str(), a.finding.line))
        .filter(|p| seen.insert(*p))
        .collect();
    for (path, line) in places.iter().take(SHOWN_PER_FILE) {
        let _ = writeln!(
            out,
            "       {}",
            format!(
                "leakgate allow {} --reason \"<why it is safe>\"",
                shell_quote(&format!("{path}:{line}"))
            )
            .cyan()
        );
    }
    if places.len() > SHOWN_PER_FILE {
        let _ = writeln!(
            out,
            "       ... and {} more places (use --format json for every finding and its fingerprint)",
            places.len() - SHOWN_PER_FILE
        );
    }
}

/// `leakgate allow FINGERPRINT` for each distinct secret (by its in-memory
/// digest): only the ones shown pay for a slow fingerprint (a minified line
/// can hold thousands).
fn allow_by_fingerprint(out: &mut String, blocking: &[&Active]) {
    let mut distinct = std::collections::HashSet::new();
    let unique: Vec<&crate::fingerprint::Fingerprint> = blocking
        .iter()
        .map(|a| &a.finding.fingerprint)
        .filter(|fp| distinct.insert(*fp))
        .collect();
    let total = unique.len();
    let shown = &unique[..total.min(SHOWN_PER_FILE)];
    crate::fingerprint::compute_all(shown.iter().copied());
    let fps: BTreeSet<&str> = shown.iter().map(|fp| fp.as_str()).collect();
    for fp in fps {
        let _ = writeln!(
            out,
            "       {}",
            format!("leakgate allow {fp} --reason \"<why it is safe>\"").cyan()
        );
    }
    if total > SHOWN_PER_FILE {
        let _ = writeln!(
            out,
            "       ... and {} more (use --format json for every fingerprint)",
            total - SHOWN_PER_FILE
        );
    }
}

fn notices(out: &mut String, report: &Report) {
    for n in &report.notices {
        let _ = writeln!(out, "leakgate: {} {}", "note:".yellow(), esc(n));
    }
    if report.summary.windowed > 0 {
        let limit = match report.summary.max_file_size {
            Some(max) => format!("the size limit of {}", human_bytes(max)),
            None => "the size limit".to_string(),
        };
        let n = report.summary.windowed;
        let _ = writeln!(
            out,
            "leakgate: {} {n} file{} over {limit} {} scanned in overlapping windows of that size (`[scan] max_file_size` in .leakgate.toml or --max-file-size sets it)",
            "note:".yellow(),
            if n == 1 { "" } else { "s" },
            if n == 1 { "was" } else { "were" },
        );
    }
    // Like an expired allowlist entry: the exclude stopped applying, and
    // the report says so rather than quietly reading those files again.
    for (pattern, expires, n) in &report.summary.excludes_lapsed {
        let _ = writeln!(
            out,
            "leakgate: {} the `[scan] exclude` pattern {} expired on {}: the {n} file{} it matches {} scanned again (renew its `expires` or remove it)",
            "note:".yellow(),
            esc(&format!("{pattern:?}")),
            esc(expires),
            if *n == 1 { "" } else { "s" },
            if *n == 1 { "was" } else { "were" },
        );
    }
}

/// The staged file a finding's path names: an archive for a finding in one
/// of its entries (`bundle.zip!config/app.env`). A staged file whose own
/// name holds a `!` is named up to it: git commands cannot name an entry.
fn staged_file(path: &str) -> &str {
    path.split_once('!').map_or(path, |(file, _)| file)
}

/// The first 10 characters of a commit id (all of it if shorter).
fn short(id: &str) -> &str {
    id.get(..10).unwrap_or(id)
}

/// "2 binary files, 1 symlink", or `None` when nothing was skipped.
fn skipped_parts(s: &Summary) -> Option<String> {
    let parts: Vec<String> = [
        SkipReason::Submodule,
        SkipReason::Symlink,
        SkipReason::CorruptArchive,
        SkipReason::Encrypted,
        SkipReason::UnsupportedArchive,
    ]
    .iter()
    .filter_map(|&r| {
        let n = s.skipped_count(r);
        let what = match r {
            SkipReason::Submodule if n == 1 => "submodule",
            SkipReason::Submodule => "submodules",
            SkipReason::Symlink if n == 1 => "symlink",
            SkipReason::Symlink => "symlinks",
            SkipReason::CorruptArchive if n == 1 => "corrupt archive",
            SkipReason::CorruptArchive => "corrupt archives",
            SkipReason::Encrypted if n == 1 => "encrypted archive entry",
            SkipReason::Encrypted => "encrypted archive entries",
            SkipReason::UnsupportedArchive if n == 1 => {
                "archive entry in an unsupported compression"
            }
            SkipReason::UnsupportedArchive => "archive entries in an unsupported compression",
        };
        (n > 0).then(|| format!("{n} {what}"))
    })
    .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// What was scanned; `with_skipped` adds what was not (left out where the
/// caller already said it).
pub fn summary_line(s: &Summary, allowlisted: usize, with_skipped: bool) -> String {
    let mut line = String::new();
    if s.commits > 0 {
        let _ = write!(
            line,
            "{} commit{}, ",
            s.commits,
            if s.commits == 1 { "" } else { "s" }
        );
    }
    if let Some(t) = s.elapsed {
        let _ = write!(line, "{:.2}s, ", t.as_secs_f64());
    }
    let _ = write!(
        line,
        "{} file{} scanned ({})",
        s.blobs,
        if s.blobs == 1 { "" } else { "s" },
        human_bytes(s.bytes)
    );
    if s.focused > 0 {
        let _ = write!(
            line,
            "; {} new version{} of files searched where {} changed",
            s.focused,
            if s.focused == 1 { "" } else { "s" },
            if s.focused == 1 { "it" } else { "they" }
        );
    }
    if s.windowed > 0 {
        let _ = write!(
            line,
            "; {} large file{} scanned in windows",
            s.windowed,
            if s.windowed == 1 { "" } else { "s" }
        );
    }
    if s.binary_searched > 0 {
        let _ = write!(
            line,
            "; {} binary file{} searched for prefixed keys",
            s.binary_searched,
            if s.binary_searched == 1 { "" } else { "s" }
        );
    }
    if s.archives > 0 {
        let _ = write!(
            line,
            "; {} archive{} opened ({} entr{})",
            s.archives,
            if s.archives == 1 { "" } else { "s" },
            s.archive_entries,
            if s.archive_entries == 1 { "y" } else { "ies" }
        );
    }
    if with_skipped {
        if let Some(parts) = skipped_parts(s) {
            let _ = write!(line, "; skipped {parts}");
        }
    }
    let excluded = s.excluded_files();
    if excluded > 0 {
        let by: Vec<String> = s
            .excluded
            .iter()
            .map(|(p, n)| format!("{}: {n}", esc(&format!("{p:?}"))))
            .collect();
        let _ = write!(
            line,
            "; {excluded} file{} excluded by [scan] exclude ({})",
            if excluded == 1 { "" } else { "s" },
            by.join(", ")
        );
    }
    if allowlisted > 0 {
        let _ = write!(line, "; {allowlisted} allowed by the allowlist");
    }
    if s.inline_allowed > 0 {
        let _ = write!(line, "; {} allowed inline", s.inline_allowed);
    }
    if s.foreign_allowed > 0 {
        let _ = write!(
            line,
            "; {} allowed by gitleaks:allow or pragma: allowlist markers",
            s.foreign_allowed
        );
    }
    line
}

/// A `.gitignore` line that ignores exactly `path` (from the repository's
/// root): a leading `/` anchors it, and the characters a pattern treats
/// specially are escaped.
fn gitignore_line(path: &str) -> String {
    let mut line = String::from("/");
    for c in path.chars() {
        if matches!(c, '*' | '?' | '[' | '\\' | '!' | '#') {
            line.push('\\');
        }
        line.push(c);
    }
    if line.ends_with(' ') {
        line.insert(line.len() - 1, '\\');
    }
    line
}

/// Quotes a path for a POSIX shell command the user will copy. A name with
/// control or bidi characters is written as `$'...'` with escapes (bash, zsh
/// and ksh read it back to the same bytes), so the command stays correct and
/// the terminal sees no raw control character.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./@%+=:,".contains(&b))
    {
        return s.to_string();
    }
    if esc(s) == s {
        return format!("'{}'", s.replace('\'', r"'\''"));
    }
    let mut out = String::from("$'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '\'' => out.push_str(r"\'"),
            '\n' => out.push_str(r"\n"),
            '\t' => out.push_str(r"\t"),
            '\r' => out.push_str(r"\r"),
            c if c.is_ascii_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if esc(c.encode_utf8(&mut [0; 4])) != c.to_string() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitignore_lines_match_exactly_the_path() {
        assert_eq!(
            gitignore_line("signing/release.jks"),
            "/signing/release.jks"
        );
        assert_eq!(gitignore_line("a/[x]*?.p12"), "/a/\\[x]\\*\\?.p12");
        assert_eq!(gitignore_line("#k!.kdbx"), "/\\#k\\!.kdbx");
        assert_eq!(gitignore_line("ends with "), "/ends with\\ ");
    }

    #[test]
    fn shell_quote_keeps_commands_correct_and_terminals_safe() {
        assert_eq!(shell_quote("config/app.env"), "config/app.env");
        assert_eq!(shell_quote("my file"), "'my file'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("a\nb"), r"$'a\nb'");
        assert_eq!(shell_quote("x\u{1b}[31m'y"), r"$'x\x1b[31m\'y'");
        assert_eq!(shell_quote("r\u{202E}l"), r"$'r\u202el'");
    }

    #[test]
    fn skipped_files_are_counted_in_words() {
        let mut s = Summary::default();
        s.skip("a", SkipReason::Symlink, None);
        s.skip("b", SkipReason::Symlink, None);
        s.skip("c", SkipReason::Submodule, None);
        assert_eq!(skipped_parts(&s).unwrap(), "1 submodule, 2 symlinks");
        s.skip("d", SkipReason::Submodule, None);
        assert_eq!(skipped_parts(&s).unwrap(), "2 submodules, 2 symlinks");
    }
}

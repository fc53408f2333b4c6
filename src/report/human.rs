//! The report a person reads when a commit or push is refused: where, what
//! (redacted), why, and the exact commands that fix it.
//!
//! Colour is decided once by the caller (`colored`'s global switch); this module
//! only styles. Everything echoed from a file was escaped when the finding was
//! built.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use colored::Colorize;

use super::{Report, Scope};
use crate::rules::Catalog;
use crate::sources::{SkipReason, Summary};

pub fn render(report: &Report, catalog: &Catalog) -> String {
    let mut out = String::new();
    let blocking = report.blocking();
    let warnings = report.active.len() - blocking;
    if report.active.is_empty() {
        let line = summary_line(&report.summary, report.allowlisted);
        // Hooks stay silent on a clean change; every other scan ends with
        // its summary line.
        let hook = matches!(
            report.scope,
            Scope::Staged | Scope::Push { .. } | Scope::Receive { .. }
        );
        let quiet = hook
            && report.summary.skipped.is_empty()
            && report.summary.windowed == 0
            && report.summary.binary_searched == 0
            && report.allowlisted == 0
            && report.summary.inline_allowed == 0
            && report.notices.is_empty();
        if !quiet {
            let _ = writeln!(out, "leakgate: no secrets found; {line}");
        }
        notices(&mut out, report);
        return out;
    }

    let what = match (&report.scope, blocking > 0) {
        (Scope::Staged, true) => "commit blocked".to_string(),
        (Scope::Push { remote }, true) => format!("push to {remote} blocked"),
        (Scope::Receive { .. }, true) => "push refused by the server".to_string(),
        (_, true) => "found".to_string(),
        (_, false) => "warning".to_string(),
    };
    let where_ = match &report.scope {
        Scope::Staged => "in the staged changes".to_string(),
        Scope::Push { .. } => "in the commits being pushed".to_string(),
        Scope::Receive { refs } => format!("in the commits pushed to {refs}"),
        Scope::History { what } => format!("in history ({what})"),
        Scope::Files => "in the files".to_string(),
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

    for a in &report.active {
        let f = &a.finding;
        let _ = writeln!(out);
        let label = if f.blocking {
            ""
        } else {
            " (warning, does not block)"
        };
        let _ = writeln!(
            out,
            "  {}  {}  [{}, {}]{label}",
            format!("{}:{}:{}", f.path, f.line, f.column).bold(),
            f.rule_name.yellow(),
            f.rule_id,
            f.severity
        );
        if let Some(c) = &f.commit {
            let _ = writeln!(out, "      commit {}  {}", c.id[..10].cyan(), c.summary);
        }
        if f.other_places > 0 {
            let _ = writeln!(
                out,
                "      first added here; {} other place{} in history add{} the same secret",
                f.other_places,
                if f.other_places == 1 { "" } else { "s" },
                if f.other_places == 1 { "s" } else { "" }
            );
        }
        let _ = writeln!(out, "      {}", f.excerpt.dimmed());
        let _ = writeln!(out, "      why: {}", f.why);
        let _ = writeln!(
            out,
            "      key: {}   fingerprint: {}",
            f.redacted, f.fingerprint
        );
        if let Some(e) = &a.expired {
            let _ = writeln!(
                out,
                "      {} {}:{} allowed this until {} (\"{}\"); that entry has expired, so it blocks again",
                "note:".yellow().bold(),
                e.file,
                e.line,
                e.expires,
                e.reason
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
        summary_line(&report.summary, report.allowlisted).dimmed()
    );
    notices(&mut out, report);
    out
}

fn advice(out: &mut String, report: &Report, catalog: &Catalog) {
    let blocking: Vec<_> = report
        .active
        .iter()
        .filter(|a| a.finding.blocking)
        .collect();
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", "How to fix it:".bold());
    match &report.scope {
        Scope::Staged => {
            // `git restore --staged` needs a HEAD to restore from; a file the
            // commit adds is unstaged with `git rm --cached` (the file stays).
            let mut added = BTreeSet::new();
            let mut changed = BTreeSet::new();
            for a in &blocking {
                let set = if a.finding.file_added {
                    &mut added
                } else {
                    &mut changed
                };
                set.insert(shell_quote(&a.finding.path));
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
            let _ = writeln!(
                out,
                "     then delete it from the file, read it from an environment variable or a secret\n     manager (AWS Secrets Manager, Vault, Conjur) instead, and `git add` the file again."
            );
        }
        Scope::Push { .. } | Scope::Receive { .. } => {
            let commits: BTreeSet<&str> = blocking
                .iter()
                .filter_map(|a| a.finding.commit.as_ref().map(|c| &c.id[..10]))
                .collect();
            let _ = writeln!(out, "  1. Remove the key from the commits before pushing (it is not enough to delete it in a new commit):");
            let _ = writeln!(
                out,
                "       in the last commit:  delete it from the file, `git add` it, then {}",
                "git commit --amend".cyan()
            );
            for c in commits {
                let _ = writeln!(
                    out,
                    "       in commit {c}:    {}  (mark it `edit`, remove the key, `git commit --amend`, `git rebase --continue`)",
                    format!("git rebase -i {c}^").cyan()
                );
            }
            let _ = writeln!(
                out,
                "     and read the key from an environment variable or a secret manager instead."
            );
        }
        Scope::History { .. } => {
            let _ = writeln!(
                out,
                "  1. These keys are already in history: anyone with a clone has them. Rotate them (step 2)\n     first; rewriting history (git filter-repo) does not take them back from existing clones.\n     To adopt the hook with old leaks in place, record them once: {}",
                "leakgate baseline".cyan()
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
    let rules: BTreeSet<&str> = blocking
        .iter()
        .map(|a| a.finding.rule_id.as_str())
        .collect();
    let _ = writeln!(out, "  2. If the key was ever pushed or shared, rotate it:");
    for id in &rules {
        if let Some(rule) = catalog.get(id) {
            if let Some(rotate) = &rule.rotate {
                let _ = writeln!(out, "     {}:", rule.name);
                for l in rotate.trim().lines() {
                    let _ = writeln!(out, "       {}", l.trim());
                }
            }
            let _ = writeln!(
                out,
                "       full playbook: {}",
                format!("leakgate explain {id}").cyan()
            );
        }
    }
    let _ = writeln!(
        out,
        "  3. If it is meant to be there (a revoked key in a test fixture, documentation), allow it:"
    );
    let fps: BTreeSet<&str> = blocking
        .iter()
        .map(|a| a.finding.fingerprint.as_str())
        .collect();
    for fp in fps {
        let _ = writeln!(
            out,
            "       {}",
            format!("leakgate allow {fp} --reason \"<why it is safe>\"").cyan()
        );
    }
    let _ = writeln!(
        out,
        "     and commit {} with the change.",
        report.allow_file
    );
    let skip = match report.scope {
        Scope::Staged => Some("git commit --no-verify"),
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

fn notices(out: &mut String, report: &Report) {
    for n in &report.notices {
        let _ = writeln!(out, "leakgate: {} {n}", "note:".yellow());
    }
}

pub fn summary_line(s: &Summary, allowlisted: usize) -> String {
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
    let parts: Vec<String> = [SkipReason::Submodule, SkipReason::Symlink]
        .iter()
        .filter_map(|&r| {
            let n = s.skipped_count(r);
            (n > 0).then(|| format!("{n} {}", r.as_str()))
        })
        .collect();
    if !parts.is_empty() {
        let _ = write!(line, "; skipped {}", parts.join(", "));
    }
    if allowlisted > 0 {
        let _ = write!(line, "; {allowlisted} allowed by the allowlist");
    }
    if s.inline_allowed > 0 {
        let _ = write!(line, "; {} allowed inline", s.inline_allowed);
    }
    line
}

pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Quotes a path for a POSIX shell command the user will copy.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./@%+=:,".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

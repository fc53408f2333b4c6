//! GitHub Actions: workflow-command annotations (an `::error` or
//! `::warning` line per finding, drawn on the pull request's diff) and the
//! Markdown section a job appends to `$GITHUB_STEP_SUMMARY`. Pure functions
//! of a report, for the `ci` command to print.
//!
//! Workflow commands are parsed from the log line by line: a value holding
//! a line break, or a property holding `:` or `,`, would end the command or
//! start another, so both are percent-escaped as GitHub's runner expects.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::{Active, Report, Scope};
use crate::engine::finding::escape as esc;
use crate::rules::Catalog;

/// Escapes a workflow command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value (`file=`, `title=`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Whether a finding's path is a file in the repository (not a commit or
/// tag message, not standard input), so an annotation can point at it.
fn in_a_file(path: &str) -> bool {
    !path.ends_with(" message") && path != "<stdin>"
}

/// One workflow command per finding: `::error` for one that blocks,
/// `::warning` for one that does not.
pub fn annotations(report: &Report) -> String {
    let mut out = String::new();
    for a in &report.active {
        let f = &a.finding;
        let command = if f.blocking { "error" } else { "warning" };
        let mut props = Vec::new();
        if in_a_file(&f.path) {
            props.push(format!("file={}", escape_property(&f.path)));
            props.push(format!("line={}", f.line));
            props.push(format!("col={}", f.column));
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("leakgate: {} ({})", f.rule_name, f.rule_id))
        ));
        let label = if f.whole_file { "sha256" } else { "key" };
        let mut message = format!(
            "{}:{}:{}: {label} {}; why: {}",
            f.path, f.line, f.column, f.redacted, f.why
        );
        if let Some(c) = &f.commit {
            let _ = write!(message, "; commit {}", c.id);
        }
        let _ = write!(message, "; playbook: leakgate explain {}", f.rule_id);
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            props.join(","),
            escape_data(&esc(&message))
        );
    }
    out
}

/// Escapes text for a Markdown table cell: no markup, no cell break, one line.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in esc(&s.replace(['\n', '\r'], " ")).chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A Markdown section for `$GITHUB_STEP_SUMMARY`: a headline, a table of
/// the findings (place, rule, severity, redacted key) and the commands that
/// fix them.
pub fn step_summary(report: &Report, catalog: &Catalog) -> String {
    let mut out = String::new();
    let blocking = report.blocking();
    let warnings = report.active.len() - blocking;
    let s = |n: usize| if n == 1 { "" } else { "s" };
    if report.active.is_empty() {
        let _ = writeln!(
            out,
            "### leakgate: no secrets found\n\n{}\n",
            md(&super::human::summary_line(
                &report.summary,
                report.allowlisted,
                true
            ))
        );
        return out;
    }
    let _ = writeln!(
        out,
        "### leakgate: {blocking} blocking secret{}, {warnings} warning{}\n",
        s(blocking),
        s(warnings)
    );
    let _ = writeln!(out, "| Where | Rule | Severity | Key | Fingerprint |");
    let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
    crate::fingerprint::compute_all(report.active.iter().map(|a| &a.finding.fingerprint));
    for a in &report.active {
        let f = &a.finding;
        let mut place = format!("{}:{}", f.path, f.line);
        if let Some(c) = f.commit.as_ref().filter(|_| in_a_file(&f.path)) {
            let _ = write!(place, " (commit {})", c.id.get(..10).unwrap_or(&c.id));
        }
        let _ = writeln!(
            out,
            "| {} | {} ({}) | {}{} | {} | {} |",
            md(&place),
            md(&f.rule_name),
            md(&f.rule_id),
            f.severity,
            if f.blocking { ", blocks" } else { ", warning" },
            md(&f.redacted),
            md(f.fingerprint.as_str())
        );
    }
    let _ = writeln!(out);
    fixes(&mut out, report, catalog);
    let _ = writeln!(
        out,
        "\n{}\n",
        md(&super::human::summary_line(
            &report.summary,
            report.allowlisted,
            true
        ))
    );
    out
}

fn fixes(out: &mut String, report: &Report, catalog: &Catalog) {
    let blocking: Vec<&Active> = report
        .active
        .iter()
        .filter(|a| a.finding.blocking)
        .collect();
    if blocking.is_empty() {
        return;
    }
    let _ = writeln!(out, "#### How to fix it\n");
    let commits: BTreeSet<(&str, bool)> = blocking
        .iter()
        .filter_map(|a| a.finding.commit.as_ref())
        .map(|c| (c.id.as_str(), c.root))
        .collect();
    let _ = writeln!(out, "1. Take the key out of the code and read it from an environment variable or a secret manager instead.");
    if !commits.is_empty() && !matches!(report.scope, Scope::History { .. }) {
        let _ = writeln!(
            out,
            "   It is in commits not merged yet: rewrite them before they land (mark each `edit`, remove the key, `git commit --amend`, `git rebase --continue`):\n"
        );
        let _ = writeln!(out, "   ```sh");
        for (id, root) in &commits {
            if *root {
                let _ = writeln!(out, "   git rebase -i --root");
            } else {
                let _ = writeln!(out, "   git rebase -i {}^", id.get(..10).unwrap_or(id));
            }
        }
        let _ = writeln!(out, "   ```");
    } else if !commits.is_empty() {
        let _ = writeln!(
            out,
            "   These keys are already in history: anyone with a clone has them, so rotate them first."
        );
    }
    let _ = writeln!(out, "2. If a key was ever pushed or shared, rotate it:");
    let rules: BTreeSet<&str> = blocking
        .iter()
        .map(|a| a.finding.rule_id.as_str())
        .collect();
    for id in rules {
        let Some(rule) = catalog.get(id) else {
            continue;
        };
        let rotate = rule
            .rotate
            .as_deref()
            .map(|r| md(&r.split_whitespace().collect::<Vec<_>>().join(" ")))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "   - **{}**: {rotate} Full playbook: `leakgate explain {id}`",
            md(&rule.name)
        );
    }
    let _ = writeln!(
        out,
        "3. If it is meant to be there (a revoked key in a test fixture), allow it and commit {}:\n",
        md(&report.allow_file)
    );
    let fps: BTreeSet<&str> = blocking
        .iter()
        .map(|a| a.finding.fingerprint.as_str())
        .collect();
    let _ = writeln!(out, "   ```sh");
    for fp in fps {
        let _ = writeln!(out, "   leakgate allow {fp} --reason \"<why it is safe>\"");
    }
    let _ = writeln!(out, "   ```");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allow::{Allowlist, Day};
    use crate::engine::finding::{fingerprint, Finding};
    use crate::rules::Severity;
    use crate::summary::Summary;

    #[test]
    fn workflow_command_values_cannot_break_the_line() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_data("a:b,c"), "a:b,c");
        assert_eq!(
            escape_property("dir,x/a:b%\n.env"),
            "dir%2Cx/a%3Ab%25%0A.env"
        );
    }

    #[test]
    fn table_cells_hold_no_markup() {
        assert_eq!(md("a|b"), "a\\|b");
        assert_eq!(md("AbCd****"), "AbCd\\*\\*\\*\\*");
        assert_eq!(md("<img src=x>"), "\\<img src=x\\>");
        assert_eq!(md("two\nlines"), "two lines");
        assert_eq!(md("bell\u{7}"), r"bell\\u{7}");
    }

    fn finding(path: &str, line: usize, blocking: bool) -> Finding {
        Finding {
            rule_id: "demo-token".into(),
            rule_name: "Demo token".into(),
            provider: "Demo".into(),
            severity: Severity::High,
            blocking,
            path: path.into(),
            line,
            column: 7,
            commit: None,
            exposure: None,
            file_added: true,
            whole_file: false,
            fingerprint: fingerprint("demo-token", "not a real key"),
            redacted: "not ********".into(),
            why: "50% sure,\nsays: the test".into(),
            excerpt: String::new(),
            other_places: 0,
            image: None,
            verification: None,
            value_hits: Default::default(),
        }
    }

    fn report(findings: Vec<Finding>) -> Report {
        Report::new(
            Scope::Files,
            findings,
            &Allowlist::default(),
            Day::today(),
            Summary::default(),
        )
    }

    #[test]
    fn one_annotation_per_finding_escaped() {
        let r = report(vec![
            finding("dir,x/a:b.env", 3, true),
            finding("notes.md", 9, false),
            finding("commit 0123456789 message", 2, true),
        ]);
        let text = annotations(&r);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(
            lines[0].starts_with(
                "::error file=dir%2Cx/a%3Ab.env,line=3,col=7,title=leakgate%3A Demo token (demo-token)::dir,x/a:b.env:3:7: key not ********; why: 50%25 sure,"
            ),
            "{}",
            lines[0]
        );
        assert!(!lines[0].contains("sure,\nsays"), "{}", lines[0]);
        assert!(
            lines[1].starts_with("::warning file=notes.md,line=9,col=7,"),
            "{}",
            lines[1]
        );
        // A message is no file: the annotation has no place but its text.
        assert!(
            lines[2].starts_with(
                "::error title=leakgate%3A Demo token (demo-token)::commit 0123456789 message:2:7:"
            ),
            "{}",
            lines[2]
        );
        assert_eq!(annotations(&report(Vec::new())), "");
    }

    #[test]
    fn the_step_summary_tables_findings_and_fixes() {
        let catalog = Catalog::builtin().unwrap();
        let r = report(vec![
            finding("a|b.env", 3, true),
            finding("c.env", 1, false),
        ]);
        let md = step_summary(&r, &catalog);
        assert!(
            md.starts_with("### leakgate: 1 blocking secret, 1 warning\n"),
            "{md}"
        );
        assert!(md.contains("| a\\|b.env:3 | Demo token (demo-token) | high, blocks | not \\*\\*\\*\\*\\*\\*\\*\\* |"), "{md}");
        assert!(
            md.contains("| c.env:1 | Demo token (demo-token) | high, warning |"),
            "{md}"
        );
        let fp = r.active[0].finding.fingerprint.as_str();
        assert!(
            md.contains(&format!("leakgate allow {fp} --reason")),
            "{md}"
        );
        assert!(md.contains("#### How to fix it"), "{md}");
        let clean = step_summary(&report(Vec::new()), &catalog);
        assert!(
            clean.starts_with("### leakgate: no secrets found"),
            "{clean}"
        );
    }
}

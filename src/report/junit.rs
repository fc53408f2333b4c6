//! JUnit XML, for the test-report views of Jenkins, GitLab and CircleCI:
//! one testcase per finding (a failure when it blocks), named for its rule
//! and line, its class the path; a clean scan is one passing testcase, so
//! a report is never empty and a CI that expects tests does not fail on
//! none.
//!
//! Every text is XML-escaped by [`xml`]; paths also pass through the
//! report's control-character escape, so no file name can end an attribute
//! or put a character XML 1.0 forbids into the document.

use std::fmt::Write as _;

use super::{Active, Report, Scope};
use crate::engine::finding::escape as esc;

/// Escapes `s` for XML text and attribute values; characters XML 1.0 does
/// not allow at all become U+FFFD.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}' => {
                out.push(c)
            }
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

fn suite_name(scope: &Scope) -> String {
    match scope {
        Scope::Staged { .. } => "leakgate: staged changes".into(),
        Scope::Push { remote, .. } => format!("leakgate: push to {remote}"),
        Scope::Receive { refs, .. } => format!("leakgate: push to {refs}"),
        Scope::History { what } => format!("leakgate: history ({what})"),
        Scope::Ci { what, .. } => format!("leakgate: ci ({what})"),
        Scope::Files => "leakgate: files".into(),
        Scope::Image { image } => format!("leakgate: image {image}"),
        Scope::Stdin => "leakgate: standard input".into(),
    }
}

pub fn render(report: &Report) -> String {
    crate::fingerprint::compute_all(report.active.iter().map(|a| &a.finding.fingerprint));
    let failures = report.blocking();
    let tests = report.active.len().max(1);
    let seconds = report.summary.elapsed.map_or(0.0, |d| d.as_secs_f64());
    let name = xml(&esc(&suite_name(&report.scope)));
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"leakgate\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"{seconds:.3}\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{name}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"{seconds:.3}\">"
    );
    if report.active.is_empty() {
        let line = super::human::summary_line(&report.summary, report.allowlisted, true);
        let _ = writeln!(
            out,
            "    <testcase classname=\"leakgate\" name=\"no secrets found\" time=\"0\">\n      <system-out>{}</system-out>\n    </testcase>",
            xml(&esc(&line))
        );
    }
    for a in &report.active {
        testcase(&mut out, a);
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn testcase(out: &mut String, a: &Active) {
    let f = &a.finding;
    let path = esc(&f.location());
    let mut name = format!("{} at line {}", f.rule_id, f.line);
    // History reports one secret at the commit that added it: two commits
    // may add one at the same line of the same path.
    if let Some(c) = f.commit.as_ref().filter(|_| !f.path.ends_with(" message")) {
        let _ = write!(name, " (commit {})", c.id.get(..10).unwrap_or(&c.id));
    }
    let label = if f.whole_file { "sha256" } else { "key" };
    let mut details = format!(
        "{path}:{}:{}  {} [{}, {}]\nwhy: {}\n{label}: {}   fingerprint: {}\n",
        f.line, f.column, f.rule_name, f.rule_id, f.severity, f.why, f.redacted, f.fingerprint
    );
    if let Some(c) = &f.commit {
        let _ = writeln!(details, "commit: {}  {}", c.id, c.summary);
    }
    if let Some(e) = &a.expired {
        let _ = writeln!(
            details,
            "{}:{} allowed this until {} (\"{}\"); that entry has expired",
            e.file, e.line, e.expires, e.reason
        );
    }
    let _ = writeln!(details, "playbook: leakgate explain {}", f.rule_id);
    let _ = writeln!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\" time=\"0\">",
        xml(&path),
        xml(&esc(&name)),
        xml(&path),
        f.line
    );
    let message = format!("{}: {label} {}", f.rule_name, f.redacted);
    if f.blocking {
        let _ = writeln!(
            out,
            "      <failure type=\"{}\" message=\"{}\">{}</failure>",
            xml(&f.rule_id),
            xml(&esc(&message)),
            xml(&details)
        );
    } else {
        // A warning passes: it does not block, but the log says why.
        let _ = writeln!(
            out,
            "      <system-out>warning, does not block: {}</system-out>",
            xml(&details)
        );
    }
    out.push_str("    </testcase>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_forbidden_characters_are_escaped() {
        assert_eq!(xml(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(xml("tab\tok\nline"), "tab\tok\nline");
        assert_eq!(xml("nul\u{0}bell\u{7}"), "nul\u{FFFD}bell\u{FFFD}");
        assert_eq!(xml("\u{FFFE}"), "\u{FFFD}");
        assert_eq!(xml("ünï 🔑"), "ünï 🔑");
    }
}

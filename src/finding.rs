//! A finding: one secret at one place, ready to report, holding no whole secret.
//!
//! Everything that leaves this module for a terminal, a JSON document or a file
//! carries the secret only as a redaction and a fingerprint. The raw value
//! exists in the engine's text and nowhere else.

use crate::engine::{escape, Scanned};
pub use crate::fingerprint::Fingerprint;
use crate::rules::{Rule, Severity};

#[derive(Debug, Clone)]
pub struct CommitInfo {
    pub id: String,
    pub summary: String,
    /// A root commit has no parent: rewriting it takes `git rebase -i --root`.
    pub root: bool,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule_id: String,
    pub rule_name: String,
    pub provider: String,
    pub severity: Severity,
    pub blocking: bool,
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub commit: Option<CommitInfo>,
    /// The change adds the whole file (no earlier version of it).
    pub file_added: bool,
    /// Cheap to hold; the slow, printable v2 string is computed on first use
    /// (see [`crate::fingerprint`]). Its Debug never shows the digest.
    pub fingerprint: Fingerprint,
    pub redacted: String,
    pub why: String,
    /// The line, with every secret on it redacted and control characters escaped.
    pub excerpt: String,
    /// History scans: how many other places (commit, path) brought the same
    /// secret in. Zero elsewhere.
    pub other_places: usize,
}

/// Location-free identity of a secret: see [`crate::fingerprint`] for the
/// scheme and what it protects.
pub fn fingerprint(rule_id: &str, secret: &str) -> Fingerprint {
    Fingerprint::new(rule_id, secret)
}

/// The first few characters and a mask: enough to recognise which key it is,
/// never enough to use it.
pub fn redact(secret: &str) -> String {
    let n = secret.chars().count();
    let shown = (n / 6).clamp(1, 6);
    let head: String = secret.chars().take(shown).collect();
    format!("{head}{}", "*".repeat((n - shown).min(20)))
}

const EXCERPT_MAX: usize = 160;

/// Builds the finding for match `index` of `scanned`.
pub fn build(
    rule: &Rule,
    scanned: &Scanned,
    index: usize,
    path: &str,
    commit: Option<&CommitInfo>,
    file_added: bool,
) -> Finding {
    let m = &scanned.matches[index];
    let text = &scanned.text;
    let secret = m.secret(text);
    let line = scanned.lines.line_of(m.span.start);
    Finding {
        rule_id: rule.id.clone(),
        rule_name: rule.name.clone(),
        provider: rule.provider.clone(),
        severity: rule.severity,
        blocking: rule.block,
        path: path.to_string(),
        line,
        column: scanned.lines.column_of(text, m.span.start),
        commit: commit.cloned(),
        file_added,
        fingerprint: fingerprint(&rule.id, secret),
        redacted: redact(secret),
        why: m.why.clone(),
        excerpt: excerpt(scanned, line, m.span.start),
        other_places: 0,
    }
}

/// The line around `focus`, every match on it redacted, at most
/// [`EXCERPT_MAX`] characters.
fn excerpt(scanned: &Scanned, line: usize, focus: usize) -> String {
    let text = &scanned.text;
    let (start, end) = scanned.lines.span(text, line);
    let mut spans: Vec<_> = scanned
        .matches
        .iter()
        .filter(|m| m.span.start < end && m.span.end > start)
        .map(|m| m.span.clone())
        .collect();
    spans.sort_by_key(|s| s.start);
    let mut out = String::new();
    let mut at = start;
    let mut focus_out = 0;
    for s in spans {
        if s.start < at {
            continue;
        }
        out.push_str(&escape(&text[at..s.start]));
        if s.start == focus {
            focus_out = out.chars().count();
        }
        let secret = scanned
            .matches
            .iter()
            .find(|m| m.span == s)
            .map_or(&text[s.clone()], |m| m.secret(text));
        out.push_str(&redact(secret));
        at = s.end;
    }
    if at < end {
        out.push_str(&escape(&text[at..end]));
    }
    let chars: Vec<char> = out.trim_end().chars().collect();
    let lead = chars.iter().take_while(|c| c.is_whitespace()).count();
    let body = &chars[lead..];
    let focus_out = focus_out.saturating_sub(lead);
    if body.len() <= EXCERPT_MAX {
        return body.iter().collect();
    }
    let from = focus_out.saturating_sub(EXCERPT_MAX / 3);
    let to = (from + EXCERPT_MAX).min(body.len());
    let mut s: String = body[from..to].iter().collect();
    if from > 0 {
        s.insert(0, '…');
    }
    if to < body.len() {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_most_of_the_secret() {
        let r = redact("AbCdEfGhIjKlMnOpQrStUvWxY");
        assert_eq!(r, "AbCd********************");
        assert!(!r.contains("EfGh"));
        assert_eq!(redact("ab"), "a*");
    }

    #[test]
    fn fingerprints_depend_on_rule_and_secret_only() {
        let a = fingerprint("r1", "s");
        assert_eq!(a, fingerprint("r1", "s"));
        assert_ne!(a, fingerprint("r2", "s"));
        assert_ne!(a, fingerprint("r1", "t"));
    }
}

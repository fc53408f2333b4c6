//! What each fuzz target does with one input. Shared, through `#[path]`, by the
//! cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`, nightly) and the regression
//! test (`tests/suite/fuzz_regressions.rs`, stable), so a saved crash replays through
//! exactly the code that found it. Every function must return normally for any
//! input: a panic is the bug.

use std::sync::OnceLock;

use leakgate::allow::{Allowlist, Day};
use leakgate::config::Config;
use leakgate::engine::finding::{self, Finding};
use leakgate::engine::{self, decode, text};
use leakgate::report::{self, Report, Scope};
use leakgate::rules::{Catalog, Severity};
use leakgate::sources::push;
use leakgate::summary::Summary;

/// The targets, as named under `fuzz/fuzz_targets/`, `fuzz/corpus/` and
/// `fuzz/regressions/`.
pub type Harness = fn(&[u8]);

pub const TARGETS: &[(&str, Harness)] = &[
    ("engine", engine),
    ("allowlist", allowlist),
    ("config", config),
    ("hook_lines", hook_lines),
    ("decode", decode_bytes),
    ("archive", archive),
];

fn builtin() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::builtin().expect("the built-in catalog loads"))
}

fn day() -> Day {
    Day {
        year: 2026,
        month: 6,
        day: 1,
    }
}

/// The engine on arbitrary text, then everything a report does with its
/// matches: findings (redaction, fingerprint, excerpt), the allowlist verdict,
/// the human and JSON renderings.
pub fn engine(data: &[u8]) {
    let catalog = builtin();
    let text = String::from_utf8_lossy(data).into_owned();
    let scanned = engine::scan(catalog, text);
    report_on(catalog, &scanned, &Allowlist::default());
}

fn report_on(catalog: &Catalog, scanned: &engine::Scanned, allow: &Allowlist) {
    let text = &scanned.text;
    let mut findings = Vec::new();
    for (i, m) in scanned.matches.iter().enumerate() {
        assert!(
            text.get(m.span.clone()).is_some(),
            "match span {:?} is not on char boundaries of the text",
            m.span
        );
        let rule = &catalog.rules[m.rule];
        let f = finding::build(rule, scanned, i, "fuzz/input.txt", None, true);
        assert!(f.line >= 1 && f.line <= scanned.lines.count());
        // No whole secret in what leaves the engine: when the secret occurs on
        // its line only where it was matched, the excerpt must not show it.
        let secret = m.secret(text);
        let (s, e) = scanned.lines.span(text, f.line);
        let line = &text[s..e];
        if secret.chars().count() >= 8
            && !secret.contains('*')
            && line.matches(secret).count() <= usize::from(m.decoded.is_none())
            && !scanned
                .matches
                .iter()
                .any(|o| o.span != m.span && o.span.start < m.span.end && m.span.start < o.span.end)
        {
            assert!(
                !f.excerpt.contains(secret),
                "excerpt shows the secret of rule {}",
                rule.id
            );
            assert!(!f.redacted.contains(secret));
        }
        findings.push(f);
    }
    let report = Report::new(Scope::Stdin, findings, allow, day(), Summary::default());
    let _ = report.blocking();
    let _ = report::human::render(&report, catalog);
    let _ = report::json::render(&report);
}

/// The allowlist parser; what parses is checked against a few findings and
/// goes through a report (expired entries are reported).
pub fn allowlist(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(allow) = Allowlist::parse(text, ".leakgate-allow.toml") else {
        return;
    };
    let catalog = builtin();
    let mut findings = Vec::new();
    for e in &allow.entries {
        let rule = e
            .rule
            .as_deref()
            .and_then(|id| catalog.get(id))
            .unwrap_or(&catalog.rules[0]);
        findings.push(Finding {
            rule_id: e.rule.clone().unwrap_or_else(|| rule.id.clone()),
            rule_name: rule.name.clone(),
            provider: rule.provider.clone(),
            severity: Severity::High,
            blocking: true,
            path: e
                .path
                .as_ref()
                .map_or_else(|| "src/a.rs".to_string(), |(p, _)| p.clone()),
            line: e.line,
            column: 1,
            commit: None,
            exposure: None,
            file_added: false,
            whole_file: false,
            // The secret is unknown: the entry's own text stands in, so the
            // rule/path/fingerprint checks all run.
            fingerprint: finding::fingerprint(
                &rule.id,
                e.fingerprint.as_deref().unwrap_or("placeholder"),
            ),
            redacted: finding::redact("placeholder"),
            why: "fuzz".to_string(),
            excerpt: String::new(),
            other_places: 0,
            image: None,
            verification: None,
            // The value tests run as the engine runs them, on the stand-in.
            value_hits: allow.value_tests().hits(&rule.id, "placeholder"),
        });
    }
    let report = Report::new(
        Scope::Staged { hook: true },
        findings,
        &allow,
        day(),
        Summary::default(),
    );
    let _ = report::human::render(&report, catalog);
    let _ = report::json::render(&report);
}

/// The config parser, then the project's catalog (disable, override, its own
/// rules compiled) and a scan of the input and the rules' examples with it,
/// which compiles the project's regexes.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(config) = Config::parse(text, ".leakgate.toml") else {
        return;
    };
    let r = &config.rules;
    if r.disable.is_empty() && r.overrides.is_empty() && r.rules.is_empty() {
        return;
    }
    let Ok(catalog) = Catalog::for_project(r) else {
        return;
    };
    let mut texts = vec![text.to_string()];
    for spec in &r.rules {
        texts.extend(spec.examples.matching.iter().cloned());
        texts.extend(spec.examples.no_match.iter().cloned());
    }
    for t in texts {
        let scanned = engine::scan(&catalog, t);
        report_on(&catalog, &scanned, &Allowlist::default());
    }
}

/// The pre-push and pre-receive stdin parsers.
pub fn hook_lines(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let parsed = [push::parse_lines(&text), push::parse_receive_lines(&text)];
    for l in parsed.into_iter().flatten().flatten() {
        assert!(text.contains(&l.local_ref) && text.contains(&l.remote_ref));
        let _ = (l.local.to_string(), l.remote.to_string());
    }
}

/// Blob bytes to text (binary, UTF-16, BOM, lossy UTF-8), the line index, and
/// the encoded views (Kubernetes Secret data, percent-encoded URLs).
pub fn decode_bytes(data: &[u8]) {
    let text = match text::decode(data) {
        text::Decoded::Text(t) => t,
        text::Decoded::Binary => return,
    };
    let lines = text::Lines::new(&text);
    assert!(lines.count() >= 1);
    for l in 1..=lines.count() {
        let (s, e) = lines.span(&text, l);
        assert!(s <= e && text.get(s..e).is_some(), "line {l} span {s}..{e}");
    }
    for (offset, _) in text.char_indices().step_by(7) {
        let l = lines.line_of(offset);
        assert!(l >= 1 && l <= lines.count());
        let _ = lines.column_of(&text, offset);
    }
    let views = decode::views(&text, &lines);
    assert!(views.is_empty() || decode::might_have_views(&text));
    for v in &views {
        assert!(
            text.get(v.span.clone()).is_some(),
            "view span {:?} ({}) is not on char boundaries",
            v.span,
            v.encoding
        );
    }
    let _ = engine::worth_scanning(builtin(), &text);
}

/// Bytes as a file in a folder scan: archives (zip, tar, gzip, zstd, nested)
/// are opened, under limits small enough that a bomb reaches them. Every
/// finding is placed in the file or one of its entries, and a limit's
/// message names the file.
pub fn archive(data: &[u8]) {
    let catalog = builtin();
    let limits = engine::archive::Limits {
        max_expanded: 4 << 20,
        max_entries: 200,
        ..engine::archive::Limits::default()
    };
    let scanner = engine::blob::Scanner::new(catalog, 64 << 10).with_archives(limits);
    let mut summary = Summary::default();
    let at = engine::blob::Provenance::File { path: "fuzz.zip" };
    for f in scanner.scan_blob(data, &at, &mut summary) {
        assert!(
            f.path == "fuzz.zip" || f.path.starts_with("fuzz.zip!"),
            "{}",
            f.path
        );
    }
    for breach in &summary.limit_breaches {
        assert!(breach.starts_with("fuzz.zip"), "{breach}");
    }
}

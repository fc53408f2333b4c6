//! SARIF 2.1.0, the format GitHub code scanning and other analysis viewers
//! read: one result per finding, and for each rule that has results its
//! playbook as the rule's help.
//!
//! Like every report it sees only findings (a redaction and a fingerprint,
//! never a secret) and the catalog's rule texts. Every result has a
//! physical location, since GitHub refuses a whole upload over one result
//! without an artifact URI: a finding in a commit or tag message, or in
//! standard input, is placed at the same name the other reports give it
//! (`commit <id> message`, `<stdin>`), which is no file in the repository.
//! Checked by Microsoft's SARIF Multitool with its GitHub ingestion rules
//! (`tests/suite/reports.rs`).

use std::collections::HashMap;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Value};

use super::{playbook, Active, Report};
use crate::rules::{Catalog, Rule, Severity};

pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The key of a result's `partialFingerprints`: leakgate's v2 fingerprint,
/// location-free, so an alert follows its secret when code moves.
pub const FINGERPRINT_KEY: &str = "leakgate/v2";

/// Everything but letters, digits and `-._~/` is percent-encoded: a path
/// becomes a relative URI reference (a `:` in it cannot pass for a scheme,
/// a `#` or `?` for a fragment or query).
const URI_PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// A repository-relative path as a SARIF `artifactLocation.uri`.
pub fn uri(path: &str) -> String {
    utf8_percent_encode(path, URI_PATH).to_string()
}

/// GitHub reads `security-severity` (a number as a string) to rank alerts:
/// 9.0 and above is critical, 7.0 high, 4.0 medium, below that low.
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

fn level(blocking: bool) -> &'static str {
    if blocking {
        "error"
    } else {
        "warning"
    }
}

/// SARIF's authoring rules ask for messages that end with a full stop.
fn sentence(s: &str) -> String {
    let s = s.trim_end();
    if s.ends_with(['.', '!', '?']) {
        s.to_string()
    } else {
        format!("{s}.")
    }
}

/// `MessageBird live access key` -> `MessageBirdLiveAccessKey`: SARIF's
/// rule `name` is an identifier; the words go in `shortDescription`.
fn pascal(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            let first = cs.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(cs).collect::<String>()
        })
        .collect()
}

pub fn render(report: &Report, catalog: &Catalog) -> String {
    crate::fingerprint::compute_all(report.active.iter().map(|a| &a.finding.fingerprint));
    let mut rule_index: HashMap<&str, usize> = HashMap::new();
    let mut rules: Vec<Value> = Vec::new();
    let mut results = Vec::new();
    for a in &report.active {
        let f = &a.finding;
        let index = *rule_index.entry(f.rule_id.as_str()).or_insert_with(|| {
            rules.push(match catalog.get(&f.rule_id) {
                Some(rule) => rule_descriptor(rule),
                None => json!({
                    "id": f.rule_id,
                    "name": pascal(&f.rule_name),
                    "shortDescription": { "text": sentence(&f.rule_name) },
                }),
            });
            rules.len() - 1
        });
        results.push(result(a, index));
    }
    let notifications: Vec<Value> = report
        .notices
        .iter()
        .map(|n| json!({ "level": "note", "message": { "text": sentence(n) } }))
        .collect();
    let mut driver = json!({
        "name": "leakgate",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    // The package's homepage, once Cargo.toml names one.
    let home = env!("CARGO_PKG_HOMEPAGE");
    if !home.is_empty() {
        driver["informationUri"] = json!(home);
    }
    let doc = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            // Finding columns count characters, not UTF-16 units.
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&doc).expect("SARIF values always serialize");
    out.push('\n');
    out
}

fn rule_descriptor(rule: &Rule) -> Value {
    let impact = rule.impact.as_deref().unwrap_or(
        "Whatever the account or token's scopes allow, as the owner, until it is revoked.",
    );
    let mut tags = vec![
        "security".to_string(),
        "secret".to_string(),
        // CWE-798: use of hard-coded credentials.
        "external/cwe/cwe-798".to_string(),
    ];
    if !rule.provider.is_empty() {
        tags.push(rule.provider.clone());
    }
    let mut d = json!({
        "id": rule.id,
        "name": pascal(&rule.name),
        "shortDescription": { "text": sentence(&rule.name) },
        "fullDescription": {
            "text": sentence(&format!("{} ({}). {}", rule.name, rule.provider, impact.trim())),
        },
        "help": {
            "text": playbook::text(rule),
            "markdown": playbook::markdown(rule),
        },
        "defaultConfiguration": { "level": level(rule.block) },
        "properties": {
            "tags": tags,
            "precision": "high",
            "security-severity": security_severity(rule.severity),
        },
    });
    if let Some(docs) = &rule.docs {
        d["helpUri"] = json!(docs);
    }
    d
}

fn result(a: &Active, rule_index: usize) -> Value {
    let f = &a.finding;
    let what = if f.whole_file {
        format!("the whole file is the credential (sha256 {})", f.redacted)
    } else {
        format!("key {}", f.redacted)
    };
    let mut message = format!("{}: {what}; why: {}", f.rule_name, f.why);
    if let Some(e) = &a.expired {
        message.push_str(&format!(
            "; {}:{} allowed this until {}, and that entry has expired",
            e.file, e.line, e.expires
        ));
    }
    let place = if f.path.ends_with(" message") {
        "message"
    } else if f.path == "<stdin>" {
        "stdin"
    } else {
        "file"
    };
    let mut properties = json!({
        "severity": f.severity.to_string(),
        "blocking": f.blocking,
        "redacted": f.redacted,
        "whole_file": f.whole_file,
        "other_places": f.other_places,
        "place": place,
    });
    if let Some(c) = &f.commit {
        properties["commit"] = json!(c.id);
    }
    // Where the commit already is (issue 13), as in the JSON report.
    if let Some(e) = f.exposure.as_deref() {
        properties["exposure"] = json!({
            "remotes": e.remotes,
            "branches": e.branches,
            "tags": e.tags,
            "stashes": e.stashes,
            "local_only": e.local_only,
        });
    }
    // `--verify`: the provider's answer, as in the JSON report.
    if let Some(v) = &f.verification {
        properties["verification"] = json!({
            "status": v.status.as_str(),
            "checked_at": v.checked_at,
            "detail": v.detail,
        });
    }
    // An image's file: its path inside the image (relative, as SARIF's
    // consumers need), the image and layer as a logical location.
    let (artifact, logical) = match f.image.as_deref() {
        Some(p) => {
            properties["place"] = json!(if p.layer.is_some() {
                "image layer"
            } else {
                "image config"
            });
            properties["image"] = json!(p.image);
            if let Some(l) = &p.layer {
                properties["layer"] = json!({"digest": l.digest, "index": l.index});
            }
            let inside = f.path.trim_start_matches('/');
            (
                uri(inside),
                Some(json!([{
                    "fullyQualifiedName": f.location(),
                    "kind": "module",
                }])),
            )
        }
        None => (uri(&f.path), None),
    };
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": artifact },
            "region": {
                "startLine": f.line.max(1),
                "startColumn": f.column.max(1),
            },
        },
    });
    if let Some(l) = logical {
        location["logicalLocations"] = l;
    }
    json!({
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": level(f.blocking),
        "message": { "text": sentence(&message) },
        "locations": [location],
        "partialFingerprints": { FINGERPRINT_KEY: f.fingerprint.as_str() },
        "properties": properties,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_relative_uri_references() {
        assert_eq!(uri("config/app.env"), "config/app.env");
        assert_eq!(uri("my dir/a b.yml"), "my%20dir/a%20b.yml");
        assert_eq!(uri("c:weird#name?.txt"), "c%3Aweird%23name%3F.txt");
        assert_eq!(
            uri("commit 0123abcd message"),
            "commit%200123abcd%20message"
        );
        assert_eq!(uri("<stdin>"), "%3Cstdin%3E");
        assert_eq!(uri("100%.txt"), "100%25.txt");
        assert_eq!(uri("é.txt"), "%C3%A9.txt");
    }

    #[test]
    fn rule_names_are_identifiers_and_messages_sentences() {
        assert_eq!(
            pascal("MessageBird live access key"),
            "MessageBirdLiveAccessKey"
        );
        assert_eq!(pascal("PKCS #12 bundle (.p12)"), "PKCS12BundleP12");
        assert_eq!(sentence("found"), "found.");
        assert_eq!(sentence("found. "), "found.");
    }

    #[test]
    fn github_reads_each_severity_into_its_own_band() {
        let band = |s| security_severity(s).parse::<f64>().unwrap();
        assert!(band(Severity::Critical) >= 9.0);
        assert!((7.0..9.0).contains(&band(Severity::High)));
        assert!((4.0..7.0).contains(&band(Severity::Medium)));
        assert!((0.1..4.0).contains(&band(Severity::Low)));
    }
}

//! GitLab: the secret-detection report (`gl-secret-detection-report.json`,
//! security report schema 15.x) that a job declares under
//! `artifacts:reports:secret_detection`, and the collapsible log sections
//! GitLab CI draws around a block of job output.
//!
//! The report never carries `raw_source_code_extract` (GitLab's own analyzer
//! puts the secret there): a vulnerability names its place, rule, redacted
//! key and fingerprint, like every other report.

use std::fmt::Write as _;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::Report;
use crate::rules::{Catalog, Severity};

pub const SCHEMA_VERSION: &str = "15.0.0";
pub const SCHEMA: &str = "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v15.0.0/dist/secret-detection-report-format.json";

/// What `location.commit.sha` holds for a finding outside any commit (the
/// index, files on disk, stdin); the schema requires one, and GitLab's own
/// analyzer writes this for a scan outside git history.
pub const NO_COMMIT: &str = "0000000";

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
    }
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC, the schema's pattern for scan times.
fn timestamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A stable id for one finding at one place: the same secret at the same
/// place gets the same id in every pipeline, so GitLab tracks it.
fn vulnerability_id(fingerprint: &str, path: &str, line: usize, commit: &str) -> String {
    let digest = Sha256::digest(format!("{fingerprint}\0{path}\0{line}\0{commit}").as_bytes());
    let h: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

pub fn render(report: &Report, catalog: &Catalog) -> String {
    render_at(report, catalog, OffsetDateTime::now_utc())
}

/// The report as if the scan ended at `end`.
pub fn render_at(report: &Report, catalog: &Catalog, end: OffsetDateTime) -> String {
    crate::fingerprint::compute_all(report.active.iter().map(|a| &a.finding.fingerprint));
    let start = end - report.summary.elapsed.unwrap_or_default();
    let tool = json!({
        "id": "leakgate",
        "name": "leakgate",
        "version": env!("CARGO_PKG_VERSION"),
        "vendor": { "name": "leakgate" },
    });
    let vulnerabilities: Vec<Value> = report
        .active
        .iter()
        .map(|a| {
            let f = &a.finding;
            let sha = f.commit.as_ref().map_or(NO_COMMIT, |c| c.id.as_str());
            let label = if f.whole_file { "sha256" } else { "key" };
            let mut description = format!(
                "{} ({}) at {}:{}:{}; {label} {}; why: {}; fingerprint {}.",
                f.rule_name,
                f.provider,
                f.location(),
                f.line,
                f.column,
                f.redacted,
                f.why,
                f.fingerprint
            );
            if !f.blocking {
                description.push_str(" A warning: it does not block.");
            }
            let mut v = json!({
                "id": vulnerability_id(f.fingerprint.as_str(), &f.location(), f.line, sha),
                "category": "secret_detection",
                "name": f.rule_name,
                "description": description,
                "severity": severity(f.severity),
                "location": {
                    "file": f.location(),
                    "start_line": f.line.max(1),
                    "end_line": f.line.max(1),
                    "commit": { "sha": sha },
                },
                "identifiers": [{
                    "type": "leakgate_rule_id",
                    "name": format!("leakgate rule {}", f.rule_id),
                    "value": f.rule_id,
                }],
            });
            let mut solution = String::new();
            if let Some(rotate) = catalog.get(&f.rule_id).and_then(|r| r.rotate.as_deref()) {
                let _ = write!(solution, "Rotate it: {} ", rotate.trim());
            }
            let _ = write!(
                solution,
                "Full playbook: leakgate explain {}. If it is meant to be there, allow it: leakgate allow {} --reason \"<why it is safe>\".",
                f.rule_id, f.fingerprint
            );
            v["solution"] = json!(solution);
            v
        })
        .collect();
    let doc = json!({
        "version": SCHEMA_VERSION,
        "schema": SCHEMA,
        "scan": {
            "analyzer": tool.clone(),
            "scanner": tool,
            "type": "secret_detection",
            "start_time": timestamp(start),
            "end_time": timestamp(end),
            "status": "success",
            "messages": report
                .notices
                .iter()
                .map(|n| json!({ "level": "info", "value": n }))
                .collect::<Vec<_>>(),
        },
        "vulnerabilities": vulnerabilities,
    });
    let mut out = serde_json::to_string_pretty(&doc).expect("report values always serialize");
    out.push('\n');
    out
}

/// A collapsible section of a GitLab CI job log: `header` is the line shown
/// (folded by default), `body` what unfolds. `name` keeps only the
/// characters GitLab allows in a section name.
pub fn collapsible_section(name: &str, header: &str, body: &str) -> String {
    let now = OffsetDateTime::now_utc().unix_timestamp();
    collapsible_section_at(name, header, body, now)
}

/// [`collapsible_section`] at a given unix time.
pub fn collapsible_section_at(name: &str, header: &str, body: &str, unix: i64) -> String {
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // The header is one line: a line break or an escape sequence in it would
    // end the section marker early.
    let header: String = header
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut out = format!("\x1b[0Ksection_start:{unix}:{name}[collapsed=true]\r\x1b[0K{header}\n");
    out.push_str(body);
    if !body.is_empty() && !body.ends_with('\n') {
        out.push('\n');
    }
    let _ = writeln!(out, "\x1b[0Ksection_end:{unix}:{name}\r\x1b[0K");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_follow_the_schema_pattern() {
        let t = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        assert_eq!(timestamp(t), "2023-11-14T22:13:20");
    }

    #[test]
    fn ids_are_uuid_shaped_and_depend_on_the_place() {
        let a = vulnerability_id("v2:00", "a.env", 3, NO_COMMIT);
        assert_eq!(a.len(), 36);
        assert_eq!(a.matches('-').count(), 4);
        assert_eq!(a, vulnerability_id("v2:00", "a.env", 3, NO_COMMIT));
        assert_ne!(a, vulnerability_id("v2:00", "a.env", 4, NO_COMMIT));
        assert_ne!(a, vulnerability_id("v2:00", "b.env", 3, NO_COMMIT));
    }

    #[test]
    fn sections_fold_and_keep_their_markers_whole() {
        let s = collapsible_section_at("leakgate scan/1", "3 secrets\nfound\x1b[31m", "a\nb", 1700);
        assert_eq!(
            s,
            "\x1b[0Ksection_start:1700:leakgate_scan_1[collapsed=true]\r\x1b[0K3 secrets found [31m\na\nb\n\x1b[0Ksection_end:1700:leakgate_scan_1\r\x1b[0K\n"
        );
        // Now: start and end carry the same time.
        let now = collapsible_section("x", "h", "");
        let t = now
            .strip_prefix("\x1b[0Ksection_start:")
            .and_then(|r| r.split(':').next())
            .unwrap();
        assert!(t.parse::<i64>().unwrap() > 1_700_000_000, "{now:?}");
        assert!(
            now.ends_with(&format!("section_end:{t}:x\r\x1b[0K\n")),
            "{now:?}"
        );
    }
}

//! The JSON report is a contract: parse it back into our own typed structs
//! (deny_unknown_fields, so an added or renamed field is a deliberate change
//! here too).

use crate::common::*;
use serde::Deserialize;

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Document {
    version: u32,
    findings: Vec<Finding>,
    summary: Summary,
    notices: Vec<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Finding {
    rule_id: String,
    rule_name: String,
    provider: String,
    severity: String,
    blocking: bool,
    path: String,
    line: usize,
    column: usize,
    commit: Option<String>,
    exposure: Option<Exposure>,
    other_places: usize,
    whole_file: bool,
    fingerprint: String,
    redacted: String,
    why: String,
    allowlist_expired: Option<Expired>,
    image: Option<String>,
    layer: Option<Layer>,
    /// `--verify` only (tests/suite/verify.rs); absent otherwise.
    #[serde(default)]
    #[allow(dead_code)]
    verification: Option<Verification>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Verification {
    status: String,
    checked_at: String,
    detail: String,
}

/// Where the finding's commit already is (issue 13).
#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct Exposure {
    remotes: Vec<String>,
    branches: Vec<String>,
    tags: Vec<String>,
    stashes: Vec<String>,
    local_only: bool,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Layer {
    digest: String,
    index: usize,
    deleted_in: Option<usize>,
    replaced_in: Option<usize>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Expired {
    file: String,
    line: usize,
    reason: String,
    expires: String,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Summary {
    commits: usize,
    seconds: Option<f64>,
    files_scanned: usize,
    bytes_scanned: u64,
    findings: usize,
    blocking: usize,
    allowlisted: usize,
    inline_allowed: usize,
    foreign_markers_allowed: usize,
    windowed: usize,
    binary_searched: usize,
    archives: usize,
    archive_entries: usize,
    excluded: usize,
    excluded_by: Vec<Excluded>,
    excludes_lapsed: Vec<LapsedExclude>,
    skipped: Skipped,
    skipped_files: Vec<SkippedFile>,
    missing: Vec<MissingObject>,
}

/// Files a `[scan] exclude` pattern kept from being read.
#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct Excluded {
    pattern: String,
    files: usize,
}

/// An exclude past its date, and the files it matched (read again).
#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct LapsedExclude {
    pattern: String,
    expires: String,
    files: usize,
}

/// An object the scan needed that the store does not have.
#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct MissingObject {
    object: String,
    path: Option<String>,
    commit: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Skipped {
    binary: usize,
    too_large: usize,
    submodule: usize,
    symlink: usize,
    corrupt_archive: usize,
    encrypted: usize,
    unsupported_compression: usize,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct SkippedFile {
    path: String,
    reason: String,
    size: Option<u64>,
}

#[test]
fn scan_staged_json_parses_back_and_holds_no_secret() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let live = key(1);
    let test_key = format!("test_{}", key(2));
    write(
        &repo,
        "a.env",
        &format!("DEBUG=1\nMESSAGEBIRD_ACCESS_KEY={live}\n"),
    );
    write(
        &repo,
        "b.py",
        &format!("client = messagebird.Client('{test_key}')\n"),
    );
    write_bytes(&repo, "c.bin", b"\0\x01\x02");
    std::os::unix::fs::symlink("a.env", repo.join("d.link")).unwrap();
    sb.git(&repo, &["add", "."]).expect_ok("add");

    let run = sb.leakgate(&repo, &["scan", "--staged", "--format", "json"]);
    assert_eq!(run.code, Some(1), "{}", run.all());
    run.assert_hides(&live);
    run.assert_hides(&test_key);
    let doc: Document =
        serde_json::from_str(&run.stdout).expect("valid JSON of the documented shape");

    assert_eq!(doc.version, 1);
    assert!(doc.notices.is_empty());
    assert_eq!(doc.findings.len(), 2);
    let a = &doc.findings[0];
    assert_eq!((a.path.as_str(), a.line, a.column), ("a.env", 2, 24));
    assert_eq!(a.rule_id, "messagebird-access-key");
    assert_eq!(a.rule_name, "MessageBird live access key");
    assert_eq!(a.provider, "MessageBird");
    assert_eq!(a.severity, "high");
    assert!(a.blocking);
    assert_eq!(a.commit, None);
    // A staged change is in this clone only.
    assert_eq!(
        a.exposure,
        Some(Exposure {
            remotes: vec![],
            branches: vec![],
            tags: vec![],
            stashes: vec![],
            local_only: true,
        })
    );
    assert_eq!(a.other_places, 0);
    assert!(!a.whole_file);
    assert!(
        a.fingerprint.starts_with("v2:") && a.fingerprint.len() == 23,
        "{}",
        a.fingerprint
    );
    assert!(a.redacted.starts_with(&live[..4]) && a.redacted.ends_with('*'));
    assert!(a.why.contains("MESSAGEBIRD_ACCESS_KEY"));
    assert!(a.allowlist_expired.is_none());
    assert!(a.image.is_none() && a.layer.is_none());
    let b = &doc.findings[1];
    assert_eq!(b.rule_id, "messagebird-test-key");
    assert_eq!(b.severity, "medium");
    assert!(b.why.contains("Python SDK"));

    let s = &doc.summary;
    assert_eq!(
        (s.commits, s.files_scanned, s.findings, s.blocking),
        (0, 2, 2, 2)
    );
    assert!(s.bytes_scanned > 0);
    assert_eq!(s.seconds, None);
    assert_eq!(
        (s.allowlisted, s.inline_allowed, s.foreign_markers_allowed),
        (0, 0, 0)
    );
    // A binary file is searched for prefixed keys, not skipped.
    assert_eq!((s.windowed, s.binary_searched), (0, 1));
    assert_eq!((s.archives, s.archive_entries), (0, 0));
    // Nothing excluded here (allow_expressive.rs covers the counts).
    assert_eq!(
        (s.excluded, &s.excluded_by, &s.excludes_lapsed),
        (0, &vec![], &vec![])
    );
    assert_eq!(
        (
            s.skipped.corrupt_archive,
            s.skipped.encrypted,
            s.skipped.unsupported_compression
        ),
        (0, 0, 0)
    );
    assert_eq!(
        (
            s.skipped.binary,
            s.skipped.too_large,
            s.skipped.submodule,
            s.skipped.symlink
        ),
        (0, 0, 0, 1)
    );
    assert_eq!(s.skipped_files.len(), 1);
    assert_eq!(s.skipped_files[0].path, "d.link");
    assert_eq!(s.skipped_files[0].reason, "symlink");
    assert_eq!(s.skipped_files[0].size, None);
}

#[test]
fn expired_entries_show_in_json_and_clean_runs_exit_0() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(
        &repo,
        "a.env",
        &format!("MESSAGEBIRD_ACCESS_KEY={}\n", key(3)),
    );
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let first: Document = serde_json::from_str(
        &sb.leakgate(&repo, &["scan", "--staged", "--format", "json"])
            .stdout,
    )
    .unwrap();
    let fp = &first.findings[0].fingerprint;
    sb.leakgate(
        &repo,
        &[
            "allow",
            fp,
            "--reason",
            "old fixture",
            "--expires",
            "2999-12-31",
        ],
    )
    .expect_ok("allow");
    // `allow` refuses a past date; one already in the file is how entries expire.
    let file = repo.join(".leakgate-allow.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let entry = entry_line(&text, fp);
    std::fs::write(&file, text.replace("2999-12-31", "2021-06-30")).unwrap();
    let run = sb.leakgate(&repo, &["scan", "--staged", "--format", "json"]);
    assert_eq!(run.code, Some(1));
    let doc: Document = serde_json::from_str(&run.stdout).unwrap();
    let e = doc.findings[0]
        .allowlist_expired
        .as_ref()
        .expect("expired entry reported");
    assert_eq!(
        (
            e.file.as_str(),
            e.line,
            e.reason.as_str(),
            e.expires.as_str()
        ),
        (".leakgate-allow.toml", entry, "old fixture", "2021-06-30")
    );

    std::fs::remove_file(repo.join(".leakgate-allow.toml")).unwrap();
    sb.leakgate(&repo, &["allow", fp, "--reason", "fixture"])
        .expect_ok("allow");
    let run = sb.leakgate(&repo, &["scan", "--staged", "--format", "json"]);
    assert_eq!(run.code, Some(0));
    let doc: Document = serde_json::from_str(&run.stdout).unwrap();
    assert!(doc.findings.is_empty());
    assert_eq!(doc.summary.allowlisted, 1);
}

/// Objects missing from the store are listed in the summary: id, path,
/// commit (issue 16), and the scan exits 2.
#[test]
fn missing_objects_are_listed_in_the_summary() {
    let sb = Sandbox::new();
    let (repo, blob, commit) = crate::missing_objects::repo_missing_a_blob(&sb, &key(1603));
    let run = sb
        .leakgate(&repo, &["scan", "HEAD~2..HEAD", "--format", "json"])
        .expect_code(2, "an incomplete scan");
    let doc: Document = serde_json::from_str(&run.stdout).expect("the documented shape");
    assert_eq!(
        doc.summary.missing,
        [MissingObject {
            object: blob,
            path: Some("docs/notes.txt".into()),
            commit: Some(commit),
        }]
    );
    // What could be read was scanned: the key is reported too.
    assert_eq!(doc.findings.len(), 1, "{}", run.stdout);
    assert_eq!(doc.findings[0].path, "app.env");
}

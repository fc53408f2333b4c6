//! The JSON report: a stable, documented contract (README "JSON output").
//!
//! These types exist only to be serialized; `tests/json_contract.rs` parses the
//! output back into its own typed structs, so a change here that breaks readers
//! breaks a test first.

use serde::Serialize;

use super::Report;
use crate::rules::Severity;
use crate::summary::SkipReason;

pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    summary: JsonSummary<'a>,
    notices: &'a [String],
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule_id: &'a str,
    rule_name: &'a str,
    provider: &'a str,
    severity: Severity,
    blocking: bool,
    path: &'a str,
    line: usize,
    column: usize,
    commit: Option<&'a str>,
    /// Where the commit already is (issue 13); null without a commit.
    exposure: Option<JsonExposure<'a>>,
    other_places: usize,
    whole_file: bool,
    fingerprint: &'a str,
    redacted: &'a str,
    why: &'a str,
    allowlist_expired: Option<JsonExpired<'a>>,
    /// `scan --image`: the image as named (then `path` is inside it).
    image: Option<&'a str>,
    /// `scan --image`: the layer holding the file (null for the config).
    layer: Option<JsonLayer<'a>>,
    /// `--verify`: present only when the key was checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    verification: Option<JsonVerification<'a>>,
}

#[derive(Serialize)]
struct JsonVerification<'a> {
    /// `live`, `revoked` or `unknown`.
    status: &'a str,
    checked_at: &'a str,
    detail: &'a str,
}

#[derive(Serialize)]
struct JsonExposure<'a> {
    /// Remote-tracking refs holding the commit (`origin/main`).
    remotes: &'a [String],
    /// Branches holding it: local ones in a clone; a server's or mirror's own.
    branches: &'a [String],
    tags: &'a [String],
    stashes: &'a [String],
    /// Nobody else can have it (not pushed; on a server: only the pusher).
    local_only: bool,
}

#[derive(Serialize)]
struct JsonLayer<'a> {
    digest: &'a str,
    /// 1-based, bottom layer first.
    index: usize,
    /// A later layer that deletes the file, or writes another at its path:
    /// the file still ships in this one.
    deleted_in: Option<usize>,
    replaced_in: Option<usize>,
}

#[derive(Serialize)]
struct JsonExpired<'a> {
    file: &'a str,
    line: usize,
    reason: &'a str,
    expires: String,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    commits: usize,
    seconds: Option<f64>,
    files_scanned: usize,
    bytes_scanned: u64,
    findings: usize,
    blocking: usize,
    allowlisted: usize,
    inline_allowed: usize,
    /// Let through by another scanner's inline marker (`gitleaks:allow`,
    /// `pragma: allowlist secret`; `[compat] markers = false` turns it off).
    foreign_markers_allowed: usize,
    /// Text files over the size limit, scanned in overlapping windows.
    windowed: usize,
    /// Binary files searched for keys with a fixed prefix or a checksum.
    binary_searched: usize,
    /// Archives opened (nested ones too) and the entries scanned in them.
    archives: usize,
    archive_entries: usize,
    /// Files not read because a `[scan] exclude` pattern matches them, and
    /// how many each pattern kept out.
    excluded: usize,
    excluded_by: Vec<JsonExcluded<'a>>,
    /// Excludes past their date that matched files, which were read.
    excludes_lapsed: Vec<JsonLapsedExclude<'a>>,
    skipped: JsonSkipped,
    skipped_files: Vec<JsonSkippedFile<'a>>,
    /// Objects the scan needed that the object store does not have.
    missing: Vec<JsonMissing<'a>>,
}

#[derive(Serialize)]
struct JsonExcluded<'a> {
    pattern: &'a str,
    files: usize,
}

#[derive(Serialize)]
struct JsonLapsedExclude<'a> {
    pattern: &'a str,
    expires: &'a str,
    files: usize,
}

#[derive(Serialize)]
struct JsonMissing<'a> {
    object: &'a str,
    path: Option<&'a str>,
    commit: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonSkipped {
    binary: usize,
    too_large: usize,
    submodule: usize,
    symlink: usize,
    /// Archives (or entries) that do not read as archives.
    corrupt_archive: usize,
    /// Encrypted archive entries.
    encrypted: usize,
    /// Archive entries in a compression leakgate does not read.
    unsupported_compression: usize,
}

#[derive(Serialize)]
struct JsonSkippedFile<'a> {
    path: &'a str,
    reason: &'a str,
    size: Option<u64>,
}

pub fn render(report: &Report) -> String {
    let s = &report.summary;
    crate::fingerprint::compute_all(report.active.iter().map(|a| &a.finding.fingerprint));
    let doc = Document {
        version: FORMAT_VERSION,
        findings: report
            .active
            .iter()
            .map(|a| {
                let f = &a.finding;
                JsonFinding {
                    rule_id: &f.rule_id,
                    rule_name: &f.rule_name,
                    provider: &f.provider,
                    severity: f.severity,
                    blocking: f.blocking,
                    path: &f.path,
                    line: f.line,
                    column: f.column,
                    commit: f.commit.as_ref().map(|c| c.id.as_str()),
                    exposure: f.exposure.as_deref().map(|e| JsonExposure {
                        remotes: &e.remotes,
                        branches: &e.branches,
                        tags: &e.tags,
                        stashes: &e.stashes,
                        local_only: e.local_only,
                    }),
                    other_places: f.other_places,
                    whole_file: f.whole_file,
                    fingerprint: f.fingerprint.as_str(),
                    redacted: &f.redacted,
                    why: &f.why,
                    allowlist_expired: a.expired.as_ref().map(|e| JsonExpired {
                        file: &e.file,
                        line: e.line,
                        reason: &e.reason,
                        expires: e.expires.to_string(),
                    }),
                    image: f.image.as_deref().map(|p| p.image.as_str()),
                    layer: f.image.as_deref().and_then(|p| {
                        p.layer.as_ref().map(|l| JsonLayer {
                            digest: &l.digest,
                            index: l.index,
                            deleted_in: p.deleted_in,
                            replaced_in: p.replaced_in,
                        })
                    }),
                    verification: f.verification.as_ref().map(|v| JsonVerification {
                        status: v.status.as_str(),
                        checked_at: &v.checked_at,
                        detail: &v.detail,
                    }),
                }
            })
            .collect(),
        summary: JsonSummary {
            commits: s.commits,
            seconds: s.elapsed.map(|d| d.as_secs_f64()),
            files_scanned: s.blobs,
            bytes_scanned: s.bytes,
            findings: report.active.len(),
            blocking: report.blocking(),
            allowlisted: report.allowlisted,
            inline_allowed: s.inline_allowed,
            foreign_markers_allowed: s.foreign_allowed,
            windowed: s.windowed,
            binary_searched: s.binary_searched,
            archives: s.archives,
            archive_entries: s.archive_entries,
            excluded: s.excluded_files(),
            excluded_by: s
                .excluded
                .iter()
                .map(|(pattern, files)| JsonExcluded {
                    pattern,
                    files: *files,
                })
                .collect(),
            excludes_lapsed: s
                .excludes_lapsed
                .iter()
                .map(|(pattern, expires, files)| JsonLapsedExclude {
                    pattern,
                    expires,
                    files: *files,
                })
                .collect(),
            skipped: JsonSkipped {
                // Kept for version-1 readers: binary and large files are now
                // searched (counted above), never skipped.
                binary: 0,
                too_large: 0,
                submodule: s.skipped_count(SkipReason::Submodule),
                symlink: s.skipped_count(SkipReason::Symlink),
                corrupt_archive: s.skipped_count(SkipReason::CorruptArchive),
                encrypted: s.skipped_count(SkipReason::Encrypted),
                unsupported_compression: s.skipped_count(SkipReason::UnsupportedArchive),
            },
            skipped_files: s
                .skipped
                .iter()
                .map(|k| JsonSkippedFile {
                    path: &k.path,
                    reason: k.reason.as_str(),
                    size: k.size,
                })
                .collect(),
            missing: s
                .missing
                .iter()
                .map(|m| JsonMissing {
                    object: &m.object,
                    path: m.path.as_deref(),
                    commit: m.commit.as_deref(),
                })
                .collect(),
        },
        notices: &report.notices,
    };
    let mut out = serde_json::to_string_pretty(&doc).expect("report types always serialize");
    out.push('\n');
    out
}

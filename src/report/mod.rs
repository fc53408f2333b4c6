//! Reports consume findings and nothing else: the human report for terminals
//! and hooks, JSON for machines. Neither ever sees a raw secret, only the
//! redaction and fingerprint a [`Finding`] carries.

pub mod human;
pub mod json;
// Report formats for CI (issue 10): SARIF, JUnit, GitLab, GitHub Actions,
// and the playbook that SARIF and `leakgate explain` share.
pub mod github;
pub mod gitlab;
pub mod junit;
pub mod playbook;
pub mod sarif;

use crate::allow::{Allowlist, Day, Verdict};
use crate::engine::finding::Finding;
use crate::summary::Summary;

/// What was scanned, for the wording of the report.
#[derive(Debug, Clone)]
pub enum Scope {
    /// The index. `hook`: run by the pre-commit hook, so a finding blocks a
    /// commit; by hand (`scan --staged`) it only reports.
    Staged {
        hook: bool,
    },
    Push {
        remote: String,
        /// Full ids of the commits at the tips being pushed: only a finding
        /// in one of them can be fixed with `git commit --amend`. Empty when
        /// unknown, and then the report claims no commit is the last one.
        tips: Vec<String>,
    },
    /// Commits: `what` says which ("all refs", "main..feature").
    History {
        what: String,
    },
    /// A CI run's commits (`leakgate ci`): `what` names the trigger and
    /// the range; `base` is where the change left its target, when known.
    Ci {
        what: String,
        base: Option<String>,
    },
    Files,
    /// A container image (`scan --image`), by the name it was given.
    Image {
        image: String,
    },
    Stdin,
    /// A server's pre-receive check of the pushed `refs`.
    Receive {
        refs: String,
        /// As for [`Scope::Push`].
        tips: Vec<String>,
    },
}

/// A finding that stands, and the expired allowlist entry that no longer
/// covers it, if any.
#[derive(Debug, Clone)]
pub struct Active {
    pub finding: Finding,
    pub expired: Option<Expired>,
}

#[derive(Debug, Clone)]
pub struct Expired {
    pub file: String,
    pub line: usize,
    pub reason: String,
    pub expires: Day,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub scope: Scope,
    pub active: Vec<Active>,
    pub allowlisted: usize,
    pub summary: Summary,
    pub notices: Vec<String>,
    /// Where the allowlist lives, relative to the repository root.
    pub allow_file: String,
    /// `--allow-missing`: objects missing from the store are a notice, and
    /// the exit code is the findings' alone.
    pub allow_missing: bool,
}

impl Report {
    pub fn new(
        scope: Scope,
        findings: Vec<Finding>,
        allow: &Allowlist,
        today: Day,
        summary: Summary,
    ) -> Report {
        let mut active = Vec::new();
        let mut allowlisted = 0;
        allow.prepare(&findings);
        for f in findings {
            match allow.check(&f, today) {
                Verdict::Allowed(_) => allowlisted += 1,
                Verdict::Expired(e) => active.push(Active {
                    finding: f,
                    expired: Some(Expired {
                        file: allow.file.clone(),
                        line: e.line,
                        reason: e.reason.clone(),
                        expires: e.expires.expect("only dated entries expire"),
                    }),
                }),
                Verdict::None => active.push(Active {
                    finding: f,
                    expired: None,
                }),
            }
        }
        Report {
            scope,
            active,
            allowlisted,
            summary,
            notices: allow.legacy_notice().into_iter().collect(),
            allow_file: allow.file.clone(),
            allow_missing: false,
        }
    }

    /// Adds another part of the same check (a ref judged by its own policy)
    /// to this report.
    /// A commit two refs share is reported once.
    pub fn absorb(&mut self, other: Report) {
        type Key = (String, String, usize, usize, Option<String>);
        let key = |a: &Active| -> Key {
            let f = &a.finding;
            (
                f.rule_id.clone(),
                f.path.clone(),
                f.line,
                f.column,
                f.commit.as_ref().map(|c| c.id.clone()),
            )
        };
        let mut seen: std::collections::HashSet<Key> = self.active.iter().map(key).collect();
        for a in other.active {
            if seen.insert(key(&a)) {
                self.active.push(a);
            }
        }
        self.allowlisted += other.allowlisted;
        self.summary.absorb(other.summary);
        self.notices.extend(other.notices);
    }

    /// Whether objects missing from the store leave the scan incomplete
    /// (exit 2): some are, and `--allow-missing` was not given.
    pub fn incomplete(&self) -> bool {
        !self.summary.missing.is_empty() && !self.allow_missing
    }

    pub fn blocking(&self) -> usize {
        self.active.iter().filter(|a| a.finding.blocking).count()
    }
}

// `--verify` (issue 13).
impl Report {
    /// The report with each finding's verification filled in and live keys
    /// first (otherwise in the scan's order); this report itself when
    /// verification is not armed. The exit code does not change: a revoked
    /// key still belongs out of the code.
    pub fn verified(&self) -> std::borrow::Cow<'_, Report> {
        if !crate::verify::armed() {
            return std::borrow::Cow::Borrowed(self);
        }
        let results =
            crate::verify::check_reported(self.active.iter().map(|a| &a.finding.fingerprint));
        let mut out = self.clone();
        for a in &mut out.active {
            a.finding.verification = results.get(&a.finding.fingerprint).cloned();
        }
        out.active.sort_by_key(|a| {
            a.finding
                .verification
                .as_ref()
                .is_none_or(|v| v.status != crate::verify::Status::Live)
        });
        std::borrow::Cow::Owned(out)
    }
}

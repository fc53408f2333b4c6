//! Commit and tag messages: text that a push carries like any file.
//!
//! A key pasted into a commit message ("temporarily use key …") travels with
//! every clone just as a key in a file does, so pushes, the server hook and
//! history scans read each message they send or walk. A finding in a message
//! is located as `commit <id> message:<line>` (or `tag <name> message:<line>`),
//! so the report and JSON need no new field. Only reads objects.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context as _, Result};
use git2::{Oid, Repository};

use crate::engine;
use crate::engine::finding::{self, CommitInfo, Finding};
use crate::rules::Catalog;
use crate::summary::Summary;

/// The path a finding in the message of `commit` is reported at.
pub fn commit_label(id: &str) -> String {
    format!("commit {} message", &id[..id.len().min(10)])
}

/// Scans one message. `label` is what the report shows as its path.
pub fn scan(
    catalog: &Catalog,
    message: &str,
    label: &str,
    commit: Option<&CommitInfo>,
    summary: &mut Summary,
) -> Vec<Finding> {
    if !engine::worth_scanning(catalog, message) {
        return Vec::new();
    }
    let scanned = engine::scan(catalog, message.to_string());
    summary.inline_allowed += scanned.inline_allowed;
    summary.foreign_allowed += scanned.foreign_allowed;
    (0..scanned.matches.len())
        .map(|i| finding::build_with(catalog, &scanned, i, label, commit, false))
        .collect()
}

/// Masks, in every finding's commit summary, what the engine finds in that
/// summary itself: a finding in a file shows its commit's subject, which may
/// hold a secret (a database URL with a short password) that neither the
/// file's secrets nor the random-token mask would hide. Once per commit.
pub fn mask_summaries(catalog: &Catalog, findings: &mut [Finding]) {
    let mut done: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for f in findings.iter_mut() {
        let Some(c) = f.commit.as_mut() else {
            continue;
        };
        let summary = c.summary.clone();
        let masked = done.entry(c.id.clone()).or_insert_with(|| {
            if !engine::worth_scanning(catalog, &summary) {
                return summary.clone();
            }
            let scanned = engine::scan(catalog, summary.clone());
            let secrets: Vec<&str> = scanned
                .matches
                .iter()
                .map(|m| m.secret(&scanned.text))
                .collect();
            finding::mask_text(&summary, &secrets)
        });
        c.summary.clone_from(masked);
    }
}

/// The message of commit `id`, read through libgit2.
pub fn of_commit(repo: &Repository, id: Oid) -> Result<String> {
    let commit = repo
        .find_commit(id)
        .with_context(|| format!("reading commit {id}"))?;
    Ok(String::from_utf8_lossy(commit.message_raw_bytes()).into_owned())
}

/// The message of annotated tag `id`.
pub fn of_tag(repo: &Repository, id: Oid) -> Result<String> {
    let tag = repo
        .find_tag(id)
        .with_context(|| format!("reading tag {id}"))?;
    Ok(String::from_utf8_lossy(tag.message_bytes().unwrap_or(b"")).into_owned())
}

/// Every commit message in `revs` (git's revision arguments, e.g. `--all` or
/// `main..feature`), streamed from one `git log`, with the commit's id and
/// subject. `each` sees the full message.
pub fn each_commit_message(
    git_dir: &Path,
    revs: &[String],
    mut each: impl FnMut(&CommitInfo, &str),
) -> Result<()> {
    let mut child = Command::new("git")
        .arg("--git-dir")
        .arg(git_dir)
        .args(["log", "--reverse", "-z", "--format=%H %P%n%B"])
        .args(revs)
        .arg("--")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running `git log` for commit messages")?;
    let mut reader = BufReader::with_capacity(1 << 16, child.stdout.take().expect("piped"));
    let mut record = Vec::new();
    loop {
        record.clear();
        if reader.read_until(0, &mut record)? == 0 {
            break;
        }
        if record.last() == Some(&0) {
            record.pop();
        }
        let text = String::from_utf8_lossy(&record);
        let (head, body) = text.split_once('\n').unwrap_or((&text, ""));
        let (id, parents) = head.split_once(' ').unwrap_or((head, ""));
        let info = CommitInfo {
            id: id.to_string(),
            summary: body.lines().next().unwrap_or("").to_string(),
            root: parents.trim().is_empty(),
        };
        each(&info, body);
    }
    super::finish_git(child, "git log")
}

/// Annotated tags reachable as refs (`refs/tags/*`): name and tag object id.
pub fn annotated_tags(repo: &Repository) -> Result<Vec<(String, Oid)>> {
    let mut out = Vec::new();
    for r in repo.references_glob("refs/*")? {
        let r = r?;
        let (Ok(name), Some(target)) = (r.name(), r.target()) else {
            continue;
        };
        if let Ok(obj) = repo.find_object(target, None) {
            if obj.kind() == Some(git2::ObjectType::Tag) {
                out.push((name.to_string(), target));
            }
        }
    }
    Ok(out)
}

/// Every commit message of a history walk (`revs` as git takes them), and,
/// with `tags`, the messages of the repository's annotated tags. One finding
/// per secret: the oldest message that holds it.
pub fn scan_history(
    git_dir: &Path,
    catalog: &Catalog,
    revs: &[String],
    tags: bool,
    summary: &mut Summary,
) -> Result<Vec<Finding>> {
    let mut out: Vec<Finding> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut keep = |found: Vec<Finding>, out: &mut Vec<Finding>| {
        for f in found {
            if seen.insert((f.rule_id.clone(), f.fingerprint.clone())) {
                out.push(f);
            }
        }
    };
    each_commit_message(git_dir, revs, |info, body| {
        let found = scan(catalog, body, &commit_label(&info.id), Some(info), summary);
        keep(found, &mut out);
    })?;
    if tags {
        let repo = Repository::open(git_dir).context("opening the repository")?;
        for (name, id) in annotated_tags(&repo)? {
            let text = of_tag(&repo, id)?;
            let found = scan(catalog, &text, &tag_label(&name), None, summary);
            keep(found, &mut out);
        }
    }
    Ok(out)
}

/// The path a finding in the message of the annotated tag `refname` is
/// reported at.
pub fn tag_label(refname: &str) -> String {
    format!(
        "tag {} message",
        refname.strip_prefix("refs/tags/").unwrap_or(refname)
    )
}

//! The commits of a push, from the lines git gives a pre-push hook on stdin:
//! `<local ref> <local id> <remote ref> <remote id>`.
//!
//! Every commit that will reach the remote is scanned, each against its first
//! parent: a key added in one commit and deleted in the next is still pushed
//! (both commits go), so it still blocks. A merge is read against its first
//! parent, and a file it takes unchanged from another parent, or a secret that
//! already sat in another parent's version, is not reported again.

use std::collections::HashSet;

use anyhow::{bail, Context as _, Result};
use git2::{Commit, Delta, FileMode, ObjectType, Oid, Repository, Sort};

use super::{messages, Item, Pipeline};
use crate::engine::finding::CommitInfo;
use crate::rules::Catalog;
use crate::summary::{SkipReason, Summary};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushLine {
    pub local_ref: String,
    pub local: Oid,
    pub remote_ref: String,
    pub remote: Oid,
}

/// Parses git's pre-push input. A malformed line is an error that quotes it.
pub fn parse_lines(input: &str) -> Result<Vec<PushLine>> {
    let what = "pre-push";
    hook_lines(
        input,
        what,
        "<local ref> <local sha> <remote ref> <remote sha>",
    )?
    .into_iter()
    .map(|(n, [local_ref, local, remote_ref, remote])| {
        Ok(PushLine {
            local_ref: local_ref.to_string(),
            local: full_oid(local, n, "local sha", what)?,
            remote_ref: remote_ref.to_string(),
            remote: full_oid(remote, n, "remote sha", what)?,
        })
    })
    .collect()
}

/// Parses a pre-receive hook's input: `<old id> <new id> <ref>` per line,
/// into the same shape as a push (the ref's new tip is the "local" side).
pub fn parse_receive_lines(input: &str) -> Result<Vec<PushLine>> {
    let what = "pre-receive";
    hook_lines(input, what, "<old sha> <new sha> <ref>")?
        .into_iter()
        .map(|(n, [old, new, refname])| {
            Ok(PushLine {
                local_ref: refname.to_string(),
                local: full_oid(new, n, "new sha", what)?,
                remote_ref: refname.to_string(),
                remote: full_oid(old, n, "old sha", what)?,
            })
        })
        .collect()
}

/// The non-blank lines of a hook's stdin, each split into exactly `N`
/// fields (with its 0-based line number); any other line is an error quoting it.
fn hook_lines<'a, const N: usize>(
    input: &'a str,
    what: &str,
    shape: &str,
) -> Result<Vec<(usize, [&'a str; N])>> {
    let mut out = Vec::new();
    for (n, line) in input.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        let Ok(fields) = <[&str; N]>::try_from(f) else {
            bail!(
                "{what} input line {}: expected `{shape}`, got {line:?}",
                n + 1
            );
        };
        out.push((n, fields));
    }
    Ok(out)
}

fn full_oid(s: &str, n: usize, field: &str, what: &str) -> Result<Oid> {
    // Oid::from_str pads short hex; git always sends full ids.
    let full = (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit());
    full.then(|| Oid::from_str(s).ok())
        .flatten()
        .with_context(|| {
            format!(
                "{what} input line {}: field `{field}`: {s:?} is not a full object id",
                n + 1
            )
        })
}

/// What could not be scanned and why, or other facts the report should
/// mention.
pub type Notices = Vec<String>;

/// What a push sends: the new commits (oldest first, each once), the
/// annotated tags among the pushed refs (their messages are text too), and
/// the files of refs that point straight at a tree or a blob.
#[derive(Debug, Default)]
pub struct Sent {
    pub commits: Vec<Oid>,
    /// (ref name, tag object id), for every tag object on the way from a
    /// pushed ref to what it points at.
    pub tags: Vec<(String, Oid)>,
    /// Blobs a ref reaches without a commit (`git tag t <blob>`, or a tree).
    pub items: Vec<Item>,
    /// The tip commit of each pushed ref, for advice (`--amend` only fits
    /// the tip).
    pub tips: Vec<Oid>,
}

/// Which commits the destination already has. On the client, what the
/// remote-tracking refs of the remote being pushed to reach
/// (`refs/remotes/<remote>/*`): a commit fetched from another remote (an
/// internal mirror) may still be new to this one. On the server, every ref
/// the repository has before the push when one policy governs them all;
/// otherwise only the given commits (the default branch's tip): a commit
/// another branch accepted under its own, perhaps looser, policy is judged
/// again by this ref's.
#[derive(Debug, Clone)]
pub enum Known {
    Remote(Option<String>),
    AllRefs,
    Commits(Vec<Oid>),
}

/// The objects a push sends for `lines`.
pub fn sent(
    repo: &Repository,
    lines: &[PushLine],
    known: &Known,
    notices: &mut Notices,
) -> Result<Sent> {
    let mut seen = HashSet::new();
    let mut out = Sent::default();
    for l in lines {
        if l.local.is_zero() {
            continue; // deleting a remote ref sends no commits
        }
        let mut object = repo.find_object(l.local, None).with_context(|| {
            format!(
                "{}: object {} is not in this repository",
                l.local_ref, l.local
            )
        })?;
        // Peel tags one at a time: each tag's message is pushed too.
        while let Some(tag) = object.as_tag() {
            out.tags.push((l.local_ref.clone(), tag.id()));
            let target = tag.target_id();
            object = repo
                .find_object(target, None)
                .with_context(|| format!("{}: tag target {target} is missing", l.local_ref))?;
        }
        match object.kind() {
            Some(ObjectType::Commit) => {}
            Some(ObjectType::Tree) => {
                let tree = object.peel_to_tree()?;
                notices.push(format!(
                    "{} points to a tree ({}), not a commit: its files were scanned",
                    l.local_ref,
                    short(tree.id())
                ));
                tree_items(&tree, &l.local_ref, &mut out.items)?;
                continue;
            }
            Some(ObjectType::Blob) => {
                notices.push(format!(
                    "{} points to a blob ({}), not a commit: it was scanned as a file",
                    l.local_ref,
                    short(object.id())
                ));
                out.items.push(Item {
                    path: format!("{} (blob {})", l.local_ref, short(object.id())),
                    new: object.id(),
                    olds: Vec::new(),
                    commit: None,
                });
                continue;
            }
            _ => bail!(
                "{}: {} is not a commit, tag, tree or blob",
                l.local_ref,
                l.local
            ),
        }
        let commit = object.id();
        out.tips.push(commit);
        let mut walk = repo.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
        walk.push(commit)?;
        // Commits the destination already has are not sent: those below its
        // tip when we know it, and those its refs reach. A remote tip we
        // never fetched can't be hidden by id.
        if !l.remote.is_zero() && repo.find_commit(l.remote).is_ok() {
            walk.hide(l.remote)?;
        }
        match known {
            Known::Remote(Some(name)) => walk.hide_glob(&format!("refs/remotes/{name}/*"))?,
            Known::Remote(None) => {}
            Known::AllRefs => walk.hide_glob("refs/*")?,
            Known::Commits(ids) => {
                for &id in ids {
                    walk.hide(id)?;
                }
            }
        }
        for id in walk {
            let id = id?;
            if seen.insert(id) {
                out.commits.push(id);
            }
        }
    }
    Ok(out)
}

/// Every file of `tree`, as items located at `<ref>:<path>`.
fn tree_items(tree: &git2::Tree, refname: &str, out: &mut Vec<Item>) -> Result<()> {
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if entry.kind() == Some(ObjectType::Blob) && matches!(entry.filemode(), 0o100644 | 0o100755)
        {
            let name = String::from_utf8_lossy(entry.name_bytes());
            out.push(Item {
                path: format!("{refname}:{dir}{name}"),
                new: entry.id(),
                olds: Vec::new(),
                commit: None,
            });
        }
        git2::TreeWalkResult::Ok
    })
    .context("listing the files of a pushed tree")
}

/// The changed files of one commit, against its first parent.
pub fn items(repo: &Repository, id: Oid, summary: &mut Summary) -> Result<Vec<Item>> {
    let commit = repo.find_commit(id)?;
    summary.commits += 1;
    let info = CommitInfo {
        id: id.to_string(),
        summary: String::from_utf8_lossy(commit.summary_bytes().unwrap_or(b"")).into_owned(),
        root: commit.parent_count() == 0,
    };
    let tree = commit.tree()?;
    let parents: Vec<Commit> = commit.parents().collect();
    let base = match parents.first() {
        Some(p) => Some(p.tree()?),
        None => None,
    };
    let mut opts = git2::DiffOptions::new();
    opts.ignore_submodules(false);
    let mut diff = repo.diff_tree_to_tree(base.as_ref(), Some(&tree), Some(&mut opts))?;
    let mut find = git2::DiffFindOptions::new();
    find.renames(true).copies(false);
    diff.find_similar(Some(&mut find))?;
    let other_trees = parents
        .iter()
        .skip(1)
        .map(|p| p.tree())
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::new();
    'delta: for delta in diff.deltas() {
        if !matches!(
            delta.status(),
            Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied | Delta::Typechange
        ) {
            continue;
        }
        let new = delta.new_file();
        let path = new
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        match new.mode() {
            FileMode::Commit => {
                summary.skip(&path, SkipReason::Submodule, None);
                continue;
            }
            FileMode::Link => {
                summary.skip(&path, SkipReason::Symlink, None);
                continue;
            }
            _ => {}
        }
        let mut olds = Vec::new();
        let old = delta.old_file();
        if !old.id().is_zero() && matches!(old.mode(), FileMode::Blob | FileMode::BlobExecutable) {
            olds.push(old.id());
        }
        for t in &other_trees {
            if let Ok(entry) = t.get_path(std::path::Path::new(&path)) {
                if entry.id() == new.id() {
                    continue 'delta; // taken as-is from another parent
                }
                if entry.kind() == Some(ObjectType::Blob) {
                    olds.push(entry.id());
                }
            }
        }
        out.push(Item {
            path,
            new: new.id(),
            olds,
            commit: Some(info.clone()),
        });
    }
    Ok(out)
}

/// Scans everything a push sends: each new commit's changed files (against
/// its first parent) and message, the messages of pushed annotated tags,
/// and the files of refs that point at a tree or a blob.
pub fn scan_sent(
    repo: &Repository,
    catalog: &Catalog,
    max_file_size: u64,
    archives: crate::engine::archive::Limits,
    sent: &Sent,
) -> Result<(Vec<crate::engine::finding::Finding>, Summary)> {
    let mut pipeline = Pipeline::new(repo, catalog, max_file_size);
    pipeline.scanner = pipeline.scanner.with_archives(archives);
    let mut findings = Vec::new();
    for &id in &sent.commits {
        match items(repo, id, &mut pipeline.summary) {
            Ok(items) => {
                for item in items {
                    findings.extend(pipeline.scan(&item)?);
                }
            }
            // A commit, or one of its trees, the store does not have: listed
            // (the push then fails closed), and the rest is still scanned.
            Err(e) => match missing_object(repo, &e) {
                Some(object) => {
                    pipeline
                        .summary
                        .missing(object, None, Some(&id.to_string()));
                    pipeline.summary.partial_clone = super::partial_clone(repo);
                    if repo.find_commit(id).is_err() {
                        continue;
                    }
                }
                None => return Err(e),
            },
        }
        let commit = repo.find_commit(id)?;
        let info = CommitInfo {
            id: id.to_string(),
            summary: String::from_utf8_lossy(commit.summary_bytes().unwrap_or(b"")).into_owned(),
            root: commit.parent_count() == 0,
        };
        let message = messages::of_commit(repo, id)?;
        findings.extend(messages::scan(
            catalog,
            &message,
            &messages::commit_label(&info.id),
            Some(&info),
            &mut pipeline.summary,
        ));
    }
    for (name, id) in &sent.tags {
        let message = messages::of_tag(repo, *id)?;
        findings.extend(messages::scan(
            catalog,
            &message,
            &messages::tag_label(name),
            None,
            &mut pipeline.summary,
        ));
    }
    for item in &sent.items {
        findings.extend(pipeline.scan(item)?);
    }
    messages::mask_summaries(catalog, &mut findings);
    Ok((findings, pipeline.summary))
}

/// The object a libgit2 "not found" error names (`no match for id
/// (<id>)`), when the object store really does not have it.
fn missing_object(repo: &Repository, e: &anyhow::Error) -> Option<Oid> {
    let git = e.downcast_ref::<git2::Error>()?;
    let msg = git.message();
    let hex = msg.rsplit_once('(')?.1.trim_end_matches(')');
    let oid = Oid::from_str(hex).ok()?;
    super::is_missing(repo, oid, git).then_some(oid)
}

fn short(id: Oid) -> String {
    id.to_string()[..10].to_string()
}

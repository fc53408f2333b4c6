//! Sources: what to scan, and what counts as new in it.
//!
//! A source turns "the staged change" or "the commits of this push" into
//! [`Item`]s: a new blob at a path, the blobs it replaces, and the commit that
//! carries it. [`Pipeline`] reads each blob once, hands its text to the engine
//! and keeps only matches on lines the change adds whose secret was not already
//! in a replaced blob. Sources read the object database; none of them touches
//! the index, the working tree or any ref.

pub mod files;
pub mod history;
pub mod messages;
pub mod push;
pub mod staged;

use std::collections::HashSet;
use std::ops::Range;

use anyhow::{Context as _, Result};
use git2::{Oid, Repository};

use crate::engine::{self, text::Decoded};
use crate::finding::{self, CommitInfo, Finding};
use crate::rules::Catalog;

/// One changed file in one commit (or in the index).
#[derive(Debug, Clone)]
pub struct Item {
    pub path: String,
    pub new: Oid,
    /// Blobs this one replaces: the first parent's (or HEAD's) version, then,
    /// for merges, the other parents'. Empty for an added file.
    pub olds: Vec<Oid>,
    pub commit: Option<CommitInfo>,
}

/// Counts of what was and was not read. Nothing is skipped silently.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub commits: usize,
    pub blobs: usize,
    pub bytes: u64,
    pub inline_allowed: usize,
    pub skipped: Vec<Skipped>,
    /// Wall time, for whole-history and folder scans.
    pub elapsed: Option<std::time::Duration>,
    /// The size cap in force, so a report can say what it was.
    pub max_file_size: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    Binary,
    TooLarge,
    Submodule,
    Symlink,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Binary => "binary",
            SkipReason::TooLarge => "too large",
            SkipReason::Submodule => "submodule",
            SkipReason::Symlink => "symlink",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Skipped {
    pub path: String,
    pub reason: SkipReason,
    pub size: Option<u64>,
}

impl Summary {
    pub fn skip(&mut self, path: &str, reason: SkipReason, size: Option<u64>) {
        self.skipped.push(Skipped {
            path: path.to_string(),
            reason,
            size,
        });
    }

    /// Adds the counts of another scan of the same run.
    pub fn absorb(&mut self, other: Summary) {
        self.commits += other.commits;
        self.blobs += other.blobs;
        self.bytes += other.bytes;
        self.inline_allowed += other.inline_allowed;
        self.skipped.extend(other.skipped);
    }

    pub fn skipped_count(&self, reason: SkipReason) -> usize {
        self.skipped.iter().filter(|s| s.reason == reason).count()
    }
}

pub struct Pipeline<'a> {
    pub repo: &'a Repository,
    pub catalog: &'a Catalog,
    pub max_size: u64,
    pub summary: Summary,
}

impl<'a> Pipeline<'a> {
    pub fn new(repo: &'a Repository, catalog: &'a Catalog, max_size: u64) -> Pipeline<'a> {
        Pipeline {
            repo,
            catalog,
            max_size,
            summary: Summary {
                max_file_size: Some(max_size),
                ..Summary::default()
            },
        }
    }

    /// Scans one item and returns the findings it adds.
    pub fn scan(&mut self, item: &Item) -> Result<Vec<Finding>> {
        let Some(new_text) = self.read_text(item.new, &item.path)? else {
            return Ok(Vec::new());
        };
        let scanned = engine::scan(self.catalog, new_text);
        self.summary.inline_allowed += scanned.inline_allowed;
        if scanned.matches.is_empty() {
            return Ok(Vec::new());
        }
        let mut olds = Vec::with_capacity(item.olds.len());
        for &oid in &item.olds {
            // A replaced blob too large or binary to read gives no context:
            // treat everything as added rather than miss a secret.
            if let Some(t) = self.read_old(oid)? {
                olds.push(t);
            }
        }
        let added = match olds.first() {
            Some(first) => Some(added_lines(first, &scanned.text)?),
            None => None,
        };
        let known = present_in(
            &olds,
            scanned
                .matches
                .iter()
                .map(|m| &scanned.text[m.span.clone()]),
        );
        let mut out = Vec::new();
        for (i, m) in scanned.matches.iter().enumerate() {
            let secret = &scanned.text[m.span.clone()];
            if known.contains(secret) {
                continue;
            }
            if let Some(added) = &added {
                let line = scanned.lines.line_of(m.span.start);
                if !added.iter().any(|r| r.contains(&line)) {
                    continue;
                }
            }
            let rule = &self.catalog.rules[m.rule];
            out.push(finding::build(
                rule,
                &scanned,
                i,
                &item.path,
                item.commit.as_ref(),
                item.olds.is_empty(),
            ));
        }
        Ok(out)
    }

    /// The blob's text, or `None` (counted) when it is binary or too large.
    fn read_text(&mut self, oid: Oid, path: &str) -> Result<Option<String>> {
        let odb = self.repo.odb().context("opening the object database")?;
        let (size, _) = odb
            .read_header(oid)
            .with_context(|| format!("reading object {oid} ({path})"))?;
        let size = size as u64;
        if size > self.max_size {
            self.summary.skip(path, SkipReason::TooLarge, Some(size));
            return Ok(None);
        }
        let blob = self
            .repo
            .find_blob(oid)
            .with_context(|| format!("reading blob {oid} ({path})"))?;
        match engine::text::decode(blob.content()) {
            Decoded::Binary => {
                self.summary.skip(path, SkipReason::Binary, Some(size));
                Ok(None)
            }
            Decoded::Text(t) => {
                self.summary.blobs += 1;
                self.summary.bytes += size;
                Ok(Some(t.into_owned()))
            }
        }
    }

    fn read_old(&self, oid: Oid) -> Result<Option<String>> {
        let odb = self.repo.odb()?;
        let (size, _) = odb.read_header(oid)?;
        if size as u64 > self.max_size {
            return Ok(None);
        }
        let blob = self.repo.find_blob(oid)?;
        Ok(match engine::text::decode(blob.content()) {
            Decoded::Text(t) => Some(t.into_owned()),
            Decoded::Binary => None,
        })
    }
}

/// Which of `secrets` occur in any of `olds`, in one pass over each old
/// text: a `contains` per secret was quadratic on a line of thousands.
fn present_in<'t>(olds: &[String], secrets: impl Iterator<Item = &'t str>) -> HashSet<&'t str> {
    let mut found = HashSet::new();
    if olds.is_empty() {
        return found;
    }
    let patterns: Vec<&str> = secrets
        .filter(|s| !s.is_empty())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    match aho_corasick::AhoCorasick::new(&patterns) {
        // Overlapping, so a secret inside another one is seen too.
        Ok(ac) => {
            for old in olds {
                for m in ac.find_overlapping_iter(old.as_str()) {
                    found.insert(patterns[m.pattern().as_usize()]);
                }
            }
        }
        Err(_) => found.extend(
            patterns
                .into_iter()
                .filter(|p| olds.iter().any(|o| o.contains(p))),
        ),
    }
    found
}

/// 1-based line ranges of `new` that are not in `old`.
fn added_lines(old: &str, new: &str) -> Result<Vec<Range<usize>>> {
    let mut opts = git2::DiffOptions::new();
    opts.context_lines(0).force_text(true);
    let patch =
        git2::Patch::from_buffers(old.as_bytes(), None, new.as_bytes(), None, Some(&mut opts))
            .context("diffing a changed file")?;
    let mut out = Vec::with_capacity(patch.num_hunks());
    for h in 0..patch.num_hunks() {
        let (hunk, _) = patch.hunk(h)?;
        let start = hunk.new_start() as usize;
        out.push(start..start + hunk.new_lines() as usize);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_lines_are_the_new_side_of_each_hunk() {
        let old = "a\nb\nc\n";
        let new = "a\nB\nc\nd\n";
        let r = added_lines(old, new).unwrap();
        assert!(r.iter().any(|r| r.contains(&2)));
        assert!(r.iter().any(|r| r.contains(&4)));
        assert!(!r.iter().any(|r| r.contains(&1) || r.contains(&3)));
    }

    #[test]
    fn secrets_already_in_a_replaced_blob_are_found_in_one_pass() {
        let olds = vec!["x = abcd\ny = wxyz-and-more\n".to_string()];
        let found = present_in(&olds, ["abcd", "bc", "wxyz-and", "nope"].into_iter());
        let mut found: Vec<_> = found.into_iter().collect();
        found.sort();
        assert_eq!(found, ["abcd", "bc", "wxyz-and"]);
    }
}

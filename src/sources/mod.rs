//! Sources: what to scan, and what counts as new in it.
//!
//! A source turns "the staged change" or "the commits of this push" into
//! [`Item`]s: a new blob at a path, the blobs it replaces, and the commit that
//! carries it. [`Pipeline`] reads each blob once, hands it to the engine's one
//! blob scanner and keeps only matches on lines the change adds whose secret
//! was not already in a replaced blob. Sources read the object database; none of them touches
//! the index, the working tree or any ref.

// Where a finding's commit already is (issue 13): remotes, tags, stashes.
pub mod exposure;
pub mod files;
pub mod history;
// scan --image (issue 11): docker save tarballs and OCI layouts.
pub mod image;
pub mod messages;
pub mod push;
pub mod staged;

use std::collections::HashSet;
use std::ops::Range;

use anyhow::{Context as _, Result};
use git2::{Oid, Repository};

use crate::engine::blob::{self, Provenance, Scanner};
use crate::engine::finding::{CommitInfo, Finding};
use crate::rules::Catalog;
use crate::summary::Summary;

/// Whether `[scan] exclude` keeps the file at `path` (repository-relative)
/// from being read: counted either way, as not read, or as read although a
/// lapsed exclude matches it. Every source asks this before it reads a blob.
pub fn excluded(catalog: &Catalog, path: &str, summary: &mut Summary) -> bool {
    let ex = &catalog.excludes;
    if ex.is_empty() {
        return false;
    }
    match ex.check(path) {
        crate::paths::Excluded::Yes(i) => {
            summary.exclude(&ex.items[i].pattern, 1);
            true
        }
        crate::paths::Excluded::Lapsed(i) => {
            let e = &ex.items[i];
            summary.exclude_lapsed(&e.pattern, e.expires.as_deref().unwrap_or(""), 1);
            false
        }
        crate::paths::Excluded::No => false,
    }
}

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

pub struct Pipeline<'a> {
    pub repo: &'a Repository,
    pub scanner: Scanner<'a>,
    pub summary: Summary,
}

impl<'a> Pipeline<'a> {
    pub fn new(repo: &'a Repository, catalog: &'a Catalog, max_size: u64) -> Pipeline<'a> {
        Pipeline {
            repo,
            scanner: Scanner::new(catalog, max_size),
            summary: Summary::with_max_size(max_size),
        }
    }

    /// Scans one item and returns the findings it adds. The blob is read
    /// whatever its size: a large text is scanned in windows, a binary
    /// through its printable runs.
    pub fn scan(&mut self, item: &Item) -> Result<Vec<Finding>> {
        if excluded(self.scanner.catalog, &item.path, &mut self.summary) {
            return Ok(Vec::new());
        }
        let blob = match self.repo.find_blob(item.new) {
            Ok(b) => b,
            Err(e) if is_missing(self.repo, item.new, &e) => {
                self.note_missing(item.new, item);
                return Ok(Vec::new());
            }
            Err(e) => {
                return Err(e).with_context(|| format!("reading blob {} ({})", item.new, item.path))
            }
        };
        if let Some(kind) = self.scanner.archive_kind(blob.content()) {
            return self.scan_archive(item, blob.content(), kind);
        }
        let scan = self
            .scanner
            .scan(blob.content(), &item.path, &mut self.summary);
        if scan.reported().next().is_none() {
            return Ok(Vec::new());
        }
        let mut olds = Vec::with_capacity(item.olds.len());
        for &oid in &item.olds {
            // A replaced version that is missing cannot say what is new:
            // it is listed, and the change is judged without it.
            match self.read_old(oid)? {
                Some(text) => olds.push(text),
                None => self.note_missing(oid, item),
            }
        }
        let added = match olds.first() {
            Some(first) => Some(added_lines(first, &scan.text)?),
            None => None,
        };
        let known = present_in(
            &olds,
            scan.reported()
                .map(|(p, i)| &p.text[p.matches[i].span.clone()]),
        );
        let at = Provenance::Blob {
            path: &item.path,
            commit: item.commit.as_ref(),
            added: item.olds.is_empty(),
        };
        let mut out = Vec::new();
        for (part, i) in scan.reported() {
            let m = &part.matches[i];
            let secret = &part.text[m.span.clone()];
            if known.contains(secret) {
                continue;
            }
            if let Some(added) = &added {
                let (line, _) = part.position(m.span.start);
                if !added.iter().any(|r| r.contains(&line)) {
                    continue;
                }
            }
            out.push(self.scanner.finding(part, i, &at));
        }
        Ok(out)
    }

    /// A changed archive: every line of its entries is new (no diff inside
    /// archives), but a secret already in a replaced blob (its text, or any
    /// of its entries' when it is an archive too) is not.
    fn scan_archive(
        &mut self,
        item: &Item,
        bytes: &[u8],
        kind: crate::engine::archive::Kind,
    ) -> Result<Vec<Finding>> {
        let own = self.scanner.scan(bytes, &item.path, &mut self.summary);
        let entries = self
            .scanner
            .scan_entries(bytes, kind, &item.path, &mut self.summary);
        let reported = || {
            own.reported()
                .chain(entries.iter().flat_map(|e| {
                    e.parts
                        .iter()
                        .flat_map(|p| p.reported().map(move |i| (p, i)))
                }))
                .map(|(p, i)| &p.text[p.matches[i].span.clone()])
        };
        if reported().next().is_none() {
            return Ok(Vec::new());
        }
        let mut olds = Vec::new();
        for &oid in &item.olds {
            match self.repo.find_blob(oid) {
                Ok(blob) => olds.extend(self.scanner.texts(blob.content())),
                Err(e) if is_missing(self.repo, oid, &e) => self.note_missing(oid, item),
                Err(e) => return Err(e).with_context(|| format!("reading blob {oid}")),
            }
        }
        let known = present_in(&olds, reported());
        let at = Provenance::Blob {
            path: &item.path,
            commit: item.commit.as_ref(),
            added: item.olds.is_empty(),
        };
        Ok(self
            .scanner
            .archive_findings(&own.parts, &entries, &at, |s| !known.contains(s)))
    }

    /// A replaced blob's text, read the same way as the new one (whatever its
    /// size, and a binary's printable runs), so "already there" and "added
    /// lines" compare like with like.
    /// `None` when the object store does not have it.
    fn read_old(&self, oid: Oid) -> Result<Option<String>> {
        let blob = match self.repo.find_blob(oid) {
            Ok(b) => b,
            Err(e) if is_missing(self.repo, oid, &e) => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("reading blob {oid}")),
        };
        Ok(Some(blob::read(blob.content()).text.into_owned()))
    }

    /// Lists `oid` as missing, at the item's path and commit.
    fn note_missing(&mut self, oid: Oid, item: &Item) {
        let commit = item.commit.as_ref().map(|c| c.id.as_str());
        self.summary.missing(oid, Some(&item.path), commit);
        if self.summary.partial_clone.is_none() {
            self.summary.partial_clone = partial_clone(self.repo);
        }
    }
}

/// Whether `e`, from reading `oid`, means the object store does not have
/// it (not that it is corrupt, or of another type: those stay errors).
pub(crate) fn is_missing(repo: &Repository, oid: Oid, e: &git2::Error) -> bool {
    e.code() == git2::ErrorCode::NotFound && repo.odb().is_ok_and(|odb| !odb.exists(oid))
}

/// The promisor remote of a partial clone, which leaves objects out on
/// purpose: `remote.<name>.promisor = true` (what `git clone --filter`
/// writes), or the older `extensions.partialClone = <name>`.
pub(crate) fn partial_clone(repo: &Repository) -> Option<String> {
    let config = repo.config().ok()?.snapshot().ok()?;
    if let Ok(name) = config.get_string("extensions.partialclone") {
        return Some(name).filter(|n| !n.is_empty());
    }
    let remotes = repo.remotes().ok()?;
    // Each name is a `Result<Option<&str>>` (it may not be UTF-8).
    remotes
        .iter()
        .flatten()
        .flatten()
        .find(|r| {
            config
                .get_bool(&format!("remote.{r}.promisor"))
                .unwrap_or(false)
        })
        .map(str::to_string)
}

/// An object `git` named as unreadable in its error output (`fatal: unable
/// to read tree (<id>)`, `error: Could not read <id>`, `fatal: bad object
/// <id>`), and the commit it was reading when git names one ("Failed to
/// traverse parents of commit <id>"). `None` for any other failure.
pub(crate) fn missing_named_by_git(stderr: &str) -> Option<(String, Option<String>)> {
    fn id_after<'a>(text: &'a str, marker: &str) -> Option<&'a str> {
        let at = text.find(marker)? + marker.len();
        let rest = text[at..].trim_start_matches(['(', ' ']);
        let end = rest
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(rest.len());
        matches!(end, 40 | 64).then(|| &rest[..end])
    }
    let object = [
        "unable to read tree",
        "unable to read",
        "Could not read",
        "bad object",
    ]
    .iter()
    .find_map(|m| stderr.lines().find_map(|l| id_after(l, m)))?;
    let commit = stderr
        .lines()
        .find_map(|l| id_after(l, "traverse parents of commit"));
    Some((object.to_string(), commit.map(str::to_string)))
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

/// A one-line progress display on stderr, from one second in (or
/// `LEAKGATE_PROGRESS_DELAY_MS`) until `done`, redrawn five times a second
/// with `line(seconds since started)`, and erased at the end.
pub(crate) fn show_progress(
    done: &std::sync::atomic::AtomicBool,
    started: std::time::Instant,
    line: impl Fn(f64) -> String,
) {
    use std::io::Write as _;
    use std::sync::atomic::Ordering;
    use std::time::Duration;
    let delay = std::env::var("LEAKGATE_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_secs(1), Duration::from_millis);
    let mut shown = false;
    loop {
        let finished = done.load(Ordering::Relaxed);
        if started.elapsed() < delay {
            if finished {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
            continue;
        }
        let text = line(started.elapsed().as_secs_f64());
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{text}");
        let _ = err.flush();
        shown = true;
        if finished {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    if shown {
        let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
    }
}

/// Waits for a git child process whose output was read; its failure is an
/// error quoting git's own message (being killed after an early stop is not).
pub(crate) fn finish_git(child: std::process::Child, what: &str) -> Result<()> {
    let out = child.wait_with_output()?;
    if !out.status.success() && out.status.code().is_some() {
        anyhow::bail!(
            "`{what}` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
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
    fn objects_git_cannot_read_are_told_from_other_failures() {
        let tree = "3db3aa529af33f55f038ad50d70c686d6757af32";
        let commit = "7e087281f73ed275007d70723200a47ef6928423";
        let parent = "b212e566e08fd6b3bbe618824bca1c64ecf2d99f";
        assert_eq!(
            missing_named_by_git(&format!("fatal: unable to read tree ({tree})\n")),
            Some((tree.to_string(), None))
        );
        assert_eq!(
            missing_named_by_git(&format!(
                "error: Could not read {parent}\nfatal: Failed to traverse parents of commit {commit}\n"
            )),
            Some((parent.to_string(), Some(commit.to_string())))
        );
        assert_eq!(
            missing_named_by_git(&format!("fatal: bad object {parent}\n")),
            Some((parent.to_string(), None))
        );
        // Not an object id, or another failure altogether.
        assert_eq!(missing_named_by_git("fatal: bad object HEAD\n"), None);
        assert_eq!(
            missing_named_by_git("fatal: ambiguous argument 'x': unknown revision\n"),
            None
        );
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

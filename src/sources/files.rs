//! Files and folders on disk, as they are now (no git needed), and stdin.
//!
//! Walks with ripgrep's `ignore` crate: .gitignore and .ignore files are
//! honoured, hidden files such as `.env` are not skipped (that is where keys
//! live), `.git` itself is. Files are scanned in parallel. This is not a
//! history scan, and the report says so.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use anyhow::{Context as _, Result};
use ignore::{ParallelVisitor, ParallelVisitorBuilder, WalkState};

use crate::engine::archive::Limits;
use crate::engine::blob::{Provenance, Scanner};
use crate::engine::finding::Finding;
use crate::rules::Catalog;
use crate::summary::{SkipReason, Summary};

/// Scans `paths`. `root` is where the settings came from (the work tree's
/// root, or the current directory): `[scan] exclude` patterns match paths
/// relative to it.
pub fn scan(
    paths: &[PathBuf],
    root: Option<&Path>,
    catalog: &Catalog,
    max_size: u64,
    archives: Limits,
) -> Result<(Vec<Finding>, Summary)> {
    for p in paths {
        if !p.exists() {
            anyhow::bail!("{}: no such file or folder", p.display());
        }
    }
    let mut builder = ignore::WalkBuilder::new(&paths[0]);
    for p in &paths[1..] {
        builder.add(p);
    }
    builder
        .hidden(false)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git");
    // Each walker thread keeps its own findings and counts and sends them
    // when it ends; they are added up here.
    let (tx, rx) = mpsc::channel();
    let root = match catalog.excludes.is_empty() {
        true => None,
        false => root.and_then(|r| r.canonicalize().ok()),
    };
    builder.build_parallel().visit(&mut Workers {
        scanner: Scanner::new(catalog, max_size).with_archives(archives),
        root: root.as_deref(),
        done: tx,
    });
    let mut findings = Vec::new();
    let mut summary = Summary::with_max_size(max_size);
    let mut error = None;
    for w in rx {
        findings.extend(w.findings);
        summary.absorb(w.summary);
        if error.is_none() {
            error = w.error;
        }
    }
    if let Some(e) = error {
        return Err(e);
    }
    findings.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    Ok((findings, summary))
}

/// Makes one [`Worker`] per walker thread.
struct Workers<'c> {
    scanner: Scanner<'c>,
    /// The settings' root, canonical, when there are excludes to match.
    root: Option<&'c Path>,
    done: mpsc::Sender<Found>,
}

impl<'c> ParallelVisitorBuilder<'c> for Workers<'c> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 'c> {
        Box::new(Worker {
            scanner: self.scanner,
            root: self.root,
            found: Found::default(),
            done: self.done.clone(),
        })
    }
}

/// What one walker thread found and read, and its first error.
#[derive(Default)]
struct Found {
    findings: Vec<Finding>,
    summary: Summary,
    error: Option<anyhow::Error>,
}

/// One walker thread: its own scanner and [`Found`], sent back when the
/// thread is done with it.
struct Worker<'c> {
    scanner: Scanner<'c>,
    root: Option<&'c Path>,
    found: Found,
    done: mpsc::Sender<Found>,
}

impl ParallelVisitor for Worker<'_> {
    fn visit(&mut self, entry: Result<ignore::DirEntry, ignore::Error>) -> WalkState {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                self.found.error.get_or_insert(e.into());
                return WalkState::Quit;
            }
        };
        let ft = entry.file_type();
        if ft.is_some_and(|t| t.is_symlink()) {
            self.found.summary.skip(
                &entry.path().display().to_string(),
                SkipReason::Symlink,
                None,
            );
            return WalkState::Continue;
        }
        if !ft.is_some_and(|t| t.is_file()) {
            return WalkState::Continue;
        }
        let path = entry.path();
        let shown = display(path);
        if let Some(root) = self.root {
            // A file outside the root has no repository-relative path for
            // an exclude to match.
            let rel = path.canonicalize().ok().and_then(|p| {
                p.strip_prefix(root)
                    .ok()
                    .map(|r| r.to_string_lossy().replace('\\', "/"))
            });
            if rel.is_some_and(|rel| {
                crate::sources::excluded(self.scanner.catalog, &rel, &mut self.found.summary)
            }) {
                return WalkState::Continue;
            }
        }
        match std::fs::read(path).with_context(|| format!("reading {shown}")) {
            Ok(bytes) => {
                let at = Provenance::File { path: &shown };
                let found = self.scanner.scan_blob(&bytes, &at, &mut self.found.summary);
                self.found.findings.extend(found);
                WalkState::Continue
            }
            Err(e) => {
                self.found.error.get_or_insert(e);
                WalkState::Quit
            }
        }
    }
}

impl Drop for Worker<'_> {
    fn drop(&mut self) {
        // The receiver outlives every worker: the walk ends first.
        let _ = self.done.send(std::mem::take(&mut self.found));
    }
}

/// Standard input, reported as `<stdin>`.
/// Windows are the default size: the size limit shapes windows only, and
/// nothing is skipped for it.
pub fn scan_stdin(
    catalog: &Catalog,
    max_size: u64,
    archives: Limits,
) -> Result<(Vec<Finding>, Summary)> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .context("reading stdin")?;
    let mut summary = Summary::with_max_size(max_size);
    let at = Provenance::File {
        path: crate::engine::blob::STDIN,
    };
    let findings = Scanner::new(catalog, max_size)
        .with_archives(archives)
        .scan_blob(&bytes, &at, &mut summary);
    Ok((findings, summary))
}

fn display(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

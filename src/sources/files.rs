//! Files and folders on disk, as they are now (no git needed), and stdin.
//!
//! Walks with ripgrep's `ignore` crate: .gitignore and .ignore files are
//! honoured, hidden files such as `.env` are not skipped (that is where keys
//! live), `.git` itself is. Files are scanned in parallel. This is not a
//! history scan, and the report says so.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context as _, Result};

use super::build_finding;
use crate::engine::blob;
use crate::finding::Finding;
use crate::rules::Catalog;
use crate::summary::{SkipReason, Summary};

pub fn scan(
    paths: &[PathBuf],
    catalog: &Catalog,
    max_size: u64,
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
    let findings = Mutex::new(Vec::new());
    let summary = Mutex::new(Summary {
        max_file_size: Some(max_size),
        ..Summary::default()
    });
    let error: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    builder.build_parallel().run(|| {
        Box::new(|entry| {
            use ignore::WalkState;
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    error.lock().expect("error").get_or_insert(e.into());
                    return WalkState::Quit;
                }
            };
            let ft = entry.file_type();
            if ft.is_some_and(|t| t.is_symlink()) {
                summary.lock().expect("summary").skip(
                    &entry.path().display().to_string(),
                    SkipReason::Symlink,
                    None,
                );
                return WalkState::Continue;
            }
            if !ft.is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            match scan_file(entry.path(), catalog, max_size, &summary) {
                Ok(mut f) => findings.lock().expect("findings").append(&mut f),
                Err(e) => {
                    error.lock().expect("error").get_or_insert(e);
                    return WalkState::Quit;
                }
            }
            WalkState::Continue
        })
    });
    if let Some(e) = error.into_inner().expect("error") {
        return Err(e);
    }
    let mut findings = findings.into_inner().expect("findings");
    findings.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    Ok((findings, summary.into_inner().expect("summary")))
}

fn scan_file(
    path: &Path,
    catalog: &Catalog,
    max_size: u64,
    summary: &Mutex<Summary>,
) -> Result<Vec<Finding>> {
    let shown = display(path);
    let bytes = std::fs::read(path).with_context(|| format!("reading {shown}"))?;
    Ok(scan_bytes(&bytes, &shown, catalog, max_size, summary))
}

/// Standard input, reported as `<stdin>`.
/// Windows are the default size: the size limit shapes windows only, and
/// nothing is skipped for it.
pub fn scan_stdin(catalog: &Catalog, max_size: u64) -> Result<(Vec<Finding>, Summary)> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .context("reading stdin")?;
    let summary = Mutex::new(Summary {
        max_file_size: Some(max_size),
        ..Summary::default()
    });
    let findings = scan_bytes(&bytes, "<stdin>", catalog, max_size, &summary);
    Ok((findings, summary.into_inner().expect("summary")))
}

fn scan_bytes(
    bytes: &[u8],
    shown: &str,
    catalog: &Catalog,
    max_size: u64,
    summary: &Mutex<Summary>,
) -> Vec<Finding> {
    let read = blob::read(bytes);
    summary.lock().expect("summary").count_read(
        read.mode,
        read.text.len(),
        bytes.len() as u64,
        max_size,
    );
    let parts = blob::scan(catalog, read.text, read.mode, max_size);
    let allowed: usize = parts.iter().map(|p| p.inline_allowed).sum();
    if allowed > 0 {
        summary.lock().expect("summary").inline_allowed += allowed;
    }
    parts
        .iter()
        .flat_map(|p| p.reported().map(move |i| (p, i)))
        .map(|(p, i)| build_finding(catalog, p, i, shown, None, false))
        .collect()
}

fn display(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

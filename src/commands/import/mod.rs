//! `leakgate import gitleaks|detect-secrets` (issue 14): another scanner's
//! allowlists and baselines carried over into `.leakgate-allow.toml` (and
//! `[scan] exclude`), with a report of every item, carried or not, and why.
//!
//! The other tools name what they allowed by place (gitleaks:
//! commit, path, rule, line) or by a plain hash of the secret
//! (detect-secrets: SHA-1). Neither is something leakgate should keep, so
//! each is found again by rescanning that place with leakgate's own rules,
//! and leakgate's findings there are allowed by fingerprint. A hash is only
//! ever compared inside [`crate::fingerprint`]; no raw value leaves the
//! engine. Nothing here writes but the allowlist (through its locked,
//! atomic writer) and, for excludes, `.leakgate.toml`; `--dry-run` writes
//! nothing.

mod detect_secrets;
mod gitleaks;
mod path_regex;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};

use crate::allow;
use crate::cli::{ColorChoice, Format, ImportFrom};
use crate::context::Context;
use crate::engine::blob::{Provenance, Scanner};
use crate::engine::finding::{escape, Finding};
use crate::fingerprint;
use crate::output::{Exit, Output};
use crate::summary::Summary;

pub fn run(from: ImportFrom) -> Result<Exit> {
    let ctx = Context::discover(None)?;
    let root = ctx
        .root("run `leakgate import` in a checkout")?
        .to_path_buf();
    let (title, items, dry_run) = match from {
        ImportFrom::Gitleaks { files, dry_run } => {
            let (title, items) = gitleaks::import(&ctx, &root, &files)?;
            (title, items, dry_run)
        }
        ImportFrom::DetectSecrets { baseline, dry_run } => {
            let (title, items) = detect_secrets::import(&ctx, &root, baseline.as_deref())?;
            (title, items, dry_run)
        }
    };
    let mut items = items;
    // In file order: each file's items by line.
    items.sort_by_key(|i| {
        let (file, line) = i.at.rsplit_once(':').unwrap_or((&i.at, "0"));
        (file.to_string(), line.parse::<usize>().unwrap_or(0))
    });
    let text = apply(&root, &title, &items, dry_run)?;
    Output::stdout(Format::Human, ColorChoice::Never).text(&text)?;
    Ok(Exit::Clean)
}

/// One item of the other tool's files: where it is, what it says, and what
/// became of it.
pub struct Item {
    /// `file:line`, as a person finds it.
    pub at: String,
    /// The item itself, escaped for a terminal (never a secret: the other
    /// tools' files hold places, hashes and patterns).
    pub what: String,
    pub outcome: Outcome,
}

pub enum Outcome {
    /// What it becomes in leakgate's files (several entries for a place with
    /// several findings, or a regex that takes two globs).
    Carried(Vec<Addition>),
    /// Why it was not carried, and what to do instead.
    NotCarried(String),
}

/// An `[[allow]]` entry to add.
pub struct Addition {
    pub fingerprint: Option<String>,
    pub rule: Option<String>,
    pub path: Option<String>,
    /// A regex searched in the secret's value.
    pub value: Option<String>,
    /// Case-insensitive substrings of the secret's value.
    pub stopwords: Option<Vec<String>>,
    /// Not an allowlist entry: a `[scan] exclude` glob for .leakgate.toml
    /// (the file is not read at all).
    pub exclude: Option<String>,
    pub reason: String,
    /// What the entry covers, for the report: the finding it allows
    /// (redacted) or the pattern.
    pub shown: String,
}

impl Item {
    pub fn carried(at: String, what: String, additions: Vec<Addition>) -> Item {
        Item {
            at,
            what,
            outcome: Outcome::Carried(additions),
        }
    }

    pub fn not_carried(at: String, what: String, why: impl Into<String>) -> Item {
        Item {
            at,
            what,
            outcome: Outcome::NotCarried(why.into()),
        }
    }
}

/// The fingerprint entry allowing `f`, narrowed to its rule and its path.
pub fn fingerprint_entry(f: &Finding, reason: String, found: &str) -> Addition {
    Addition {
        fingerprint: Some(f.fingerprint.as_str().to_string()),
        rule: Some(f.rule_id.clone()),
        path: Some(literal_path(&f.path)),
        value: None,
        stopwords: None,
        exclude: None,
        reason,
        shown: format!(
            "fingerprint {} ({}, {} at {}:{}, {found})",
            f.fingerprint,
            f.rule_id,
            f.redacted,
            escape(&f.path),
            f.line
        ),
    }
}

/// Whether `[[allow]]` would refuse `text` as a `value` because it holds a
/// key: such a pattern or word must not be written, nor shown.
pub fn holds_a_key(text: &str) -> bool {
    matches!(check_value(Some(text), None), Err((true, _)))
}

const HOLDS_A_KEY: &str = "it is itself a key leakgate detects, and the allowlist must never hold a secret: allow that key by fingerprint instead (`leakgate allow PATH:LINE --reason ...` where it is found)";

/// Checks a `value` or `stopwords` entry exactly as the allowlist's parser
/// will: `Err((holds a key, why))` for one it would refuse.
fn check_value(value: Option<&str>, stopwords: Option<&[String]>) -> Result<(), (bool, String)> {
    let entry = allow::NewEntry {
        fingerprint: None,
        rule: None,
        path: None,
        value,
        stopwords,
        reason: "check",
        expires: None,
    };
    let text = match allow::preview_text(&entry) {
        Ok(t) => t,
        Err(e) => return Err((false, e.to_string())),
    };
    match allow::Allowlist::parse(&text, "") {
        Ok(_) => Ok(()),
        Err(e) => {
            let e = e.to_string();
            let why = e
                .split_once("`: ")
                .map_or(e.as_str(), |(_, w)| w)
                .to_string();
            // A regex error spans lines (the pattern, a caret): keep the
            // first and the last, which say what is wrong.
            let why = match (why.lines().next(), why.lines().last()) {
                (Some(first), Some(last)) if first != last => {
                    format!("{} {}", first.trim(), last.trim())
                }
                _ => why,
            };
            Err((why.contains("looks like a secret"), why))
        }
    }
}

/// An `[[allow]] value` entry for `regex` (searched in the secret's value),
/// or why not.
pub fn value_item(at: String, what: String, regex: &str, reason: &str) -> Item {
    match check_value(Some(regex), None) {
        Err((true, _)) => Item::not_carried(
            at,
            "a regex (not shown: it holds a key)".into(),
            HOLDS_A_KEY,
        ),
        Err((false, why)) => Item::not_carried(
            at,
            what,
            format!("leakgate refuses it as an `[[allow]] value`: {why}"),
        ),
        Ok(()) => Item::carried(
            at,
            what,
            vec![Addition {
                fingerprint: None,
                rule: None,
                path: None,
                value: Some(regex.to_string()),
                stopwords: None,
                exclude: None,
                reason: reason.to_string(),
                shown: format!("value '{}'", escape(regex)),
            }],
        ),
    }
}

/// An `[[allow]] stopwords` entry for `words`, or why not.
pub fn stopwords_item(at: String, what: String, words: Vec<String>, reason: &str) -> Item {
    match check_value(None, Some(&words)) {
        Err((true, _)) => Item::not_carried(
            at,
            "stopwords (not shown: one holds a key)".into(),
            HOLDS_A_KEY,
        ),
        Err((false, why)) => Item::not_carried(
            at,
            what,
            format!("leakgate refuses them as `[[allow]] stopwords`: {why}"),
        ),
        Ok(()) => {
            let shown = format!("stopwords {}", escape(&format!("{words:?}")));
            Item::carried(
                at,
                what,
                vec![Addition {
                    fingerprint: None,
                    rule: None,
                    path: None,
                    value: None,
                    stopwords: Some(words),
                    exclude: None,
                    reason: reason.to_string(),
                    shown,
                }],
            )
        }
    }
}

/// A `path` glob matching exactly `path` (from the root, glob characters
/// escaped).
pub fn literal_path(path: &str) -> String {
    let mut out = String::from("/");
    for c in path.chars() {
        if "*?[]{}\\!".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Writes (or, dry, previews) every addition and renders the report.
fn apply(root: &Path, title: &str, items: &[Item], dry_run: bool) -> Result<String> {
    let additions: Vec<&Addition> = items
        .iter()
        .flat_map(|i| match &i.outcome {
            Outcome::Carried(a) => a.iter().collect(),
            Outcome::NotCarried(_) => Vec::new(),
        })
        .collect();
    // The same entry from two items is written once; the second says so.
    let key = |a: &Addition| {
        (
            a.fingerprint.clone(),
            a.rule.clone(),
            a.path.clone(),
            a.value.clone(),
            a.stopwords.clone(),
            a.exclude.clone(),
        )
    };
    let mut unique: Vec<&Addition> = Vec::new();
    let mut slot = Vec::with_capacity(additions.len());
    for a in &additions {
        match unique.iter().position(|u| key(u) == key(a)) {
            Some(i) => slot.push((i, true)),
            None => {
                slot.push((unique.len(), false));
                unique.push(a);
            }
        }
    }
    type Numbered<'a> = Vec<(usize, &'a Addition)>;
    let (excludes, allows): (Numbered, Numbered) = unique
        .iter()
        .copied()
        .enumerate()
        .partition(|(_, a)| a.exclude.is_some());
    let entries: Vec<allow::NewEntry> = allows
        .iter()
        .map(|(_, a)| allow::NewEntry {
            fingerprint: a.fingerprint.as_deref(),
            rule: a.rule.as_deref(),
            path: a.path.as_deref(),
            value: a.value.as_deref(),
            stopwords: a.stopwords.as_deref(),
            reason: &a.reason,
            expires: None,
        })
        .collect();
    let allow_file = allow::location(root);
    let (allow_preview, allow_there) = if dry_run {
        allow::preview(&allow_file, &entries)?
    } else {
        (String::new(), allow::append_many(&allow_file, &entries)?)
    };
    let wanted: Vec<(&str, &str)> = excludes
        .iter()
        .map(|(_, a)| (a.exclude.as_deref().unwrap_or_default(), a.reason.as_str()))
        .collect();
    let (config_preview, exclude_there) = add_excludes(root, &wanted, dry_run)?;
    // Where each unique addition already was: (file, line).
    let mut there: Vec<Option<(&str, usize)>> = vec![None; unique.len()];
    for ((i, _), t) in allows.iter().zip(&allow_there) {
        there[*i] = t.map(|l| (allow::ALLOW_FILE, l));
    }
    for ((i, _), t) in excludes.iter().zip(&exclude_there) {
        there[*i] = t.map(|l| (crate::config::CONFIG_FILE, l));
    }

    let mut out = format!("leakgate import {title}\n");
    let (mut added, mut present, mut not_carried) = (0, 0, 0);
    let mut next = 0;
    for item in items {
        match &item.outcome {
            Outcome::Carried(list) => {
                let _ = writeln!(out, "{}  carried: {}", item.at, item.what);
                for a in list {
                    let (index, repeated) = slot[next];
                    next += 1;
                    if repeated {
                        let _ = writeln!(out, "    the same entry as above: {}", a.shown);
                        continue;
                    }
                    match there[index] {
                        Some((file, line)) => {
                            present += 1;
                            let _ = writeln!(out, "    already in {file}:{line}: {}", a.shown);
                        }
                        None => {
                            added += 1;
                            let verb = if dry_run { "would add" } else { "added" };
                            let _ = writeln!(out, "    {verb}: {}", a.shown);
                        }
                    }
                }
            }
            Outcome::NotCarried(why) => {
                not_carried += 1;
                let _ = writeln!(out, "{}  NOT carried: {}", item.at, item.what);
                let _ = writeln!(out, "    {why}");
            }
        }
    }
    let entries_word = |n: usize| if n == 1 { "entry" } else { "entries" };
    let items_word = |n: usize| if n == 1 { "item" } else { "items" };
    if dry_run {
        let _ = writeln!(
            out,
            "leakgate: --dry-run: {added} {} would be added ({present} already there), {not_carried} {} not carried; nothing was written.",
            entries_word(added),
            items_word(not_carried),
        );
        if !allow_preview.is_empty() {
            let _ = write!(
                out,
                "leakgate: {} would get:\n{allow_preview}",
                allow::ALLOW_FILE
            );
        }
        if !config_preview.is_empty() {
            let _ = write!(
                out,
                "leakgate: {} would become:\n{config_preview}",
                crate::config::CONFIG_FILE
            );
        }
    } else {
        let _ = writeln!(
            out,
            "leakgate: {added} {} added ({present} already there), {not_carried} {} not carried (see above).",
            entries_word(added),
            items_word(not_carried),
        );
        if added > 0 {
            out.push_str("leakgate: commit the changed files so the team reviews them.\n");
        }
    }
    Ok(out)
}

/// Adds each `(glob, reason)` to `[scan] exclude` in the project's
/// `.leakgate.toml` (as `{ path, reason }`), keeping the rest of the file as
/// it is, unless an item with that glob is there; returns the new file (when
/// `dry_run`, else empty) and, for each, the line of the one already there.
fn add_excludes(
    root: &Path,
    wanted: &[(&str, &str)],
    dry_run: bool,
) -> Result<(String, Vec<Option<usize>>)> {
    if wanted.is_empty() {
        return Ok((String::new(), Vec::new()));
    }
    let file = root.join(crate::config::CONFIG_FILE);
    let shown = crate::config::CONFIG_FILE;
    let mut there = Vec::new();
    let edit = |current: Option<&str>, there: &mut Vec<Option<usize>>| -> Result<Option<String>> {
        let text = current.unwrap_or("");
        let mut doc: toml_edit::DocumentMut = text
            .parse()
            .map_err(|e: toml_edit::TomlError| anyhow::anyhow!("{shown}: {}", e.message()))?;
        let scan = doc
            .entry("scan")
            .or_insert_with(|| toml_edit::Item::Table(toml_edit::Table::new()))
            .as_table_like_mut()
            .ok_or_else(|| anyhow::anyhow!("{shown}: field `scan`: expected a table"))?;
        let list = scan
            .entry("exclude")
            .or_insert(toml_edit::value(toml_edit::Array::new()))
            .as_array_mut()
            .ok_or_else(|| anyhow::anyhow!("{shown}: [scan] field `exclude`: expected an array"))?;
        there.clear();
        let mut changed = false;
        for (glob, reason) in wanted {
            let found = list.iter().find(|v| {
                v.as_str() == Some(glob)
                    || v.as_inline_table()
                        .and_then(|t| t.get("path"))
                        .and_then(|p| p.as_str())
                        == Some(glob)
            });
            match found {
                Some(v) => {
                    let line = v.span().map_or(0, |s| {
                        text[..s.start.min(text.len())].matches('\n').count() + 1
                    });
                    there.push(Some(line));
                }
                None => {
                    let mut t = toml_edit::InlineTable::new();
                    t.insert("path", (*glob).into());
                    t.insert("reason", (*reason).into());
                    let mut v = toml_edit::Value::InlineTable(t);
                    v.decor_mut().set_prefix("\n    ");
                    list.push_formatted(v);
                    list.set_trailing("\n");
                    list.set_trailing_comma(true);
                    there.push(None);
                    changed = true;
                }
            }
        }
        Ok(changed.then(|| doc.to_string()))
    };
    let check = |text: &str| crate::config::Config::parse(text, shown).map(drop);
    if dry_run {
        let current = read_input(&file, false)?;
        let new = edit(current.as_deref().filter(|t| !t.is_empty()), &mut there)?;
        if let Some(t) = &new {
            check(t)?;
        }
        return Ok((new.unwrap_or_default(), there));
    }
    allow::rewrite_file_locked(&file, check, |current| edit(current, &mut there))?;
    Ok((String::new(), there))
}

/// Finds things again with leakgate's own rules, in a commit, the index or
/// the work tree.
pub struct Rescan<'a> {
    ctx: &'a Context,
    root: &'a Path,
    scanner: Scanner<'a>,
}

impl<'a> Rescan<'a> {
    pub fn new(ctx: &'a Context, root: &'a Path) -> Rescan<'a> {
        let s = &ctx.settings;
        Rescan {
            ctx,
            root,
            scanner: Scanner::new(&s.catalog, s.config.max_file_size)
                .with_archives(s.config.archives),
        }
    }

    fn scan(&self, bytes: &[u8], path: &str) -> Vec<Finding> {
        let at = Provenance::Blob {
            path,
            commit: None,
            added: false,
        };
        // What the rescan read is reported by no summary: it only finds.
        let found = self.scanner.scan_blob(bytes, &at, &mut Summary::default());
        found.into_iter().filter(|f| f.path == path).collect()
    }

    /// The findings in `path` as committed in `commit`; `Err` says why there
    /// is nothing to scan (not carried).
    pub fn at_commit(&self, commit: &str, path: &str) -> Result<Result<Vec<Finding>, String>> {
        let Ok(repo) = self.ctx.repo() else {
            return Ok(Err(
                "not inside a git repository, so commits cannot be read".into(),
            ));
        };
        let Ok(c) = repo
            .revparse_single(commit)
            .and_then(|o| o.peel_to_commit())
        else {
            return Ok(Err(format!(
                "commit {commit} is not in this repository (fetch it; or history was rewritten and the secret is gone)"
            )));
        };
        let tree = c.tree().context("reading a commit's tree")?;
        let Ok(entry) = tree.get_path(Path::new(path)) else {
            return Ok(Err(format!(
                "commit {} has no file {}",
                short(&c.id().to_string()),
                escape(path)
            )));
        };
        let Ok(blob) = entry.to_object(repo).and_then(|o| o.peel_to_blob()) else {
            return Ok(Err(format!("{} is not a file there", escape(path))));
        };
        Ok(Ok(self.scan(blob.content(), path)))
    }

    /// The findings in `path` now: its staged version when the index has
    /// the file and `staged_first`, else the file on disk, else the staged
    /// one; with which was read.
    pub fn current(
        &self,
        path: &str,
        staged_first: bool,
    ) -> Result<Result<(Vec<Finding>, &'static str), String>> {
        let staged = || -> Result<Option<Vec<Finding>>> {
            let Ok(repo) = self.ctx.repo() else {
                return Ok(None);
            };
            let index = repo.index().context("reading the index")?;
            let Some(entry) = index.get_path(Path::new(path), 0) else {
                return Ok(None);
            };
            if matches!(entry.mode, 0o160000 | 0o120000) {
                return Ok(None);
            }
            let blob = repo
                .find_blob(entry.id)
                .with_context(|| format!("reading the staged {}", escape(path)))?;
            Ok(Some(self.scan(blob.content(), path)))
        };
        let disk = || -> Result<Option<Vec<Finding>>> {
            let file: PathBuf = self.root.join(path);
            if !file.is_file() {
                return Ok(None);
            }
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            Ok(Some(self.scan(&bytes, path)))
        };
        if staged_first {
            if let Some(f) = staged()? {
                return Ok(Ok((f, "as staged")));
            }
        }
        if let Some(f) = disk()? {
            return Ok(Ok((f, "on disk")));
        }
        if let Some(f) = staged()? {
            return Ok(Ok((f, "as staged")));
        }
        Ok(Err(format!(
            "{} is neither in the index nor on disk",
            escape(path)
        )))
    }
}

/// Computes every fingerprint the entries will need at once (all cores).
pub fn fingerprints<'f>(found: impl IntoIterator<Item = &'f Finding>) {
    fingerprint::compute_all(found.into_iter().map(|f| &f.fingerprint));
}

pub fn short(id: &str) -> &str {
    &id[..id.len().min(10)]
}

/// A path the other tool recorded, relative to the root: `./` dropped, an
/// absolute path inside the work tree made relative.
pub fn relative(root: &Path, recorded: &str) -> Result<String, String> {
    let p = recorded.trim_start_matches("./");
    let path = Path::new(p);
    if path.is_absolute() {
        let canon_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        for base in [root, canon_root.as_path()] {
            if let Ok(rel) = path.strip_prefix(base) {
                return Ok(rel.to_string_lossy().replace('\\', "/"));
            }
        }
        return Err(format!(
            "{} is outside this repository ({})",
            escape(p),
            root.display()
        ));
    }
    if p.is_empty() {
        return Err("the path is empty".into());
    }
    Ok(p.to_string())
}

/// Reads a file the user named (or a default one), or `None` when a default
/// is missing.
pub fn read_input(path: &Path, required: bool) -> Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => Ok(Some(t)),
            Err(_) => bail!("{}: not UTF-8 text", path.display()),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

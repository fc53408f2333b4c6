//! The allowlist: `.leakgate-allow.toml` at the repository root.
//!
//! It is reviewed like code, so it must never hold a secret: entries name a
//! secret by fingerprint (see [`crate::fingerprint`]), by rule id, by path
//! glob, or by a test of its value (`value` regex, `stopwords`: run by the
//! engine, see [`crate::rules::values`]; a test whose text is itself a key is
//! refused), and each says why. An entry with an `expires` date stops applying
//! after that day, and leakgate says so rather than silently blocking again. A
//! malformed file, or a `rule` that names no rule, is an error naming the
//! file, line and field; it is never skipped.
//!
//! `path` globs follow .gitignore, over paths relative to the repository root
//! (as reports print them), `/` as the separator:
//!
//! - `*`, `?` and `[abc]` never match `/`: `docs/*` matches `docs/a.md`, not
//!   `docs/deep/a.md`;
//! - `**` crosses directories: `docs/**` and `docs/**/*.md` match at any depth
//!   under `docs`, `**/fixtures/*` in any `fixtures` folder;
//! - a pattern with no `/` (other than a trailing one) matches at any depth:
//!   `*.md` matches `a.md` and `a/b.md`;
//! - a pattern with a `/` at the start or in the middle is anchored at the
//!   repository root: `/config.yml` matches only the top-level file, and
//!   `docs/*.md` only under the top-level `docs`;
//! - a trailing `/` names a directory and everything under it: `fixtures/`
//!   matches `fixtures/a` and `test/fixtures/b/c` (no other `/`, so any
//!   depth), `/docs/` only the top-level `docs`.
//!
//! Writes are never lost: every change is made under an exclusive lock on the
//! file, re-reading it under the lock, and lands as a complete file (written
//! to a temporary file beside it, synced, renamed over it), so concurrent
//! `leakgate allow` runs all land and a reader never sees half a file.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _, Result};
use globset::GlobMatcher;
use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use std::sync::atomic::{AtomicU64, Ordering};
use toml::value::Datetime;

use crate::engine::finding::Finding;
use crate::fingerprint::{self, Format};
use crate::rules::values::{ValueTest, ValueTests};
use crate::rules::Catalog;

pub const ALLOW_FILE: &str = ".leakgate-allow.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    #[serde(default)]
    allow: Vec<toml::Spanned<EntrySpec>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntrySpec {
    fingerprint: Option<toml::Spanned<String>>,
    rule: Option<String>,
    path: Option<String>,
    /// A regex searched in the secret's value.
    value: Option<String>,
    /// Case-insensitive substrings of the secret's value.
    stopwords: Option<Vec<String>>,
    reason: String,
    expires: Option<toml::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Day {
    pub fn today() -> Day {
        let now = time::OffsetDateTime::now_utc();
        Day {
            year: now.year() as u16,
            month: now.month() as u8,
            day: now.day(),
        }
    }

    /// `YYYY-MM-DD`, checked by TOML's own date grammar.
    pub fn parse(s: &str) -> Result<Day> {
        let dt: Datetime = s
            .parse()
            .map_err(|_| anyhow!("{s:?} is not a date (expected YYYY-MM-DD)"))?;
        Day::from_datetime(&dt).ok_or_else(|| anyhow!("{s:?} is not a date (expected YYYY-MM-DD)"))
    }

    /// An `expires` value: a TOML date (`2027-01-31`) or a string holding one.
    pub fn of_value(v: &toml::Value) -> Result<Day> {
        day_of(v)
    }

    fn from_datetime(dt: &Datetime) -> Option<Day> {
        match (dt.date, dt.time) {
            (Some(d), None) => Some(Day {
                year: d.year,
                month: d.month,
                day: d.day,
            }),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub struct Entry {
    pub line: usize,
    pub fingerprint: Option<String>,
    pub rule: Option<String>,
    pub path: Option<(String, GlobMatcher)>,
    /// A test of the secret's value (`value` or `stopwords`).
    pub value: Option<ValueEntry>,
    pub reason: String,
    pub expires: Option<Day>,
}

/// An entry's test of the secret's value. The engine runs it (it alone sees
/// the value) and records on each finding whether it passed: see
/// [`crate::rules::values`].
#[derive(Debug)]
pub struct ValueEntry {
    pub test: ValueSpec,
    /// The allowlist's number for its value tests, and this test's index
    /// among them.
    set: u64,
    index: usize,
}

/// A value test as written.
#[derive(Debug, Clone)]
pub enum ValueSpec {
    Pattern(String),
    Stopwords(Vec<String>),
}

impl ValueSpec {
    /// As `allow --list` shows it.
    pub fn describe(&self) -> String {
        match self {
            ValueSpec::Pattern(p) => format!("value {}", toml_string(p)),
            ValueSpec::Stopwords(w) => format!(
                "stopwords [{}]",
                w.iter()
                    .map(|w| toml_string(w))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

impl Entry {
    /// Whether deciding this entry may cost an Argon2 evaluation (a v2
    /// fingerprint); such entries are tried last.
    fn is_slow(&self) -> bool {
        self.fingerprint
            .as_deref()
            .is_some_and(|f| fingerprint::format_of(f) == Some(Format::V2))
    }

    /// Whether this entry (expired or not) matches `finding`.
    pub fn covers(&self, finding: &Finding) -> bool {
        // Rule and path first: they are cheap and usually decide, so the
        // fingerprint (maybe an Argon2 evaluation) is computed only for a
        // finding they let through.
        self.rule.as_ref().is_none_or(|r| *r == finding.rule_id)
            && self
                .path
                .as_ref()
                .is_none_or(|(_, g)| path_matches(g, &finding.path))
            && self
                .value
                .as_ref()
                .is_none_or(|v| finding.value_hits.passed(v.set, v.index))
            && self
                .fingerprint
                .as_ref()
                .is_none_or(|f| finding.fingerprint.matches(f))
    }
}

#[derive(Debug, Default)]
pub struct Allowlist {
    /// Where it was read from, as shown in messages.
    pub file: String,
    pub entries: Vec<Entry>,
    /// This allowlist's number for its value tests (0: it has none), so a
    /// finding's record of passed tests is never read against another
    /// allowlist's entries.
    pub value_set: u64,
}

pub enum Verdict<'a> {
    Allowed(&'a Entry),
    /// Only expired entries match: the finding stands, and the report says
    /// which entry lapsed.
    Expired(&'a Entry),
    None,
}

/// A `path` pattern compiled with .gitignore's meaning (module doc).
pub use crate::paths::compile_path;
use crate::paths::path_matches;

impl Allowlist {
    /// Reads `file`; a missing file is an empty allowlist.
    pub fn load(file: &Path, shown_as: &str) -> Result<Allowlist> {
        match fs::read_to_string(file) {
            Ok(text) => Allowlist::parse(&text, shown_as),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Allowlist {
                file: shown_as.to_string(),
                ..Allowlist::default()
            }),
            Err(e) => Err(e).with_context(|| format!("reading {}", file.display())),
        }
    }

    pub fn parse(text: &str, file: &str) -> Result<Allowlist> {
        let entries: Vec<Entry> = parse_entries(text, file)?
            .into_iter()
            .map(|(e, _)| e)
            .collect();
        let value_set = entries
            .iter()
            .find_map(|e| e.value.as_ref().map(|v| v.set))
            .unwrap_or(0);
        Ok(Allowlist {
            file: file.to_string(),
            entries,
            value_set,
        })
    }

    /// The value tests the engine runs for this allowlist's `value` and
    /// `stopwords` entries (see [`crate::rules::values`]), numbered as the
    /// entries refer to them.
    pub fn value_tests(&self) -> ValueTests {
        let mut tests = Vec::new();
        for e in &self.entries {
            let Some(v) = &e.value else { continue };
            debug_assert_eq!(v.index, tests.len());
            let test = match &v.test {
                ValueSpec::Pattern(p) => {
                    ValueTest::Pattern(value_regex(p).expect("checked when parsed"))
                }
                ValueSpec::Stopwords(w) => {
                    ValueTest::Stopwords(w.iter().map(|w| w.to_lowercase()).collect())
                }
            };
            tests.push((e.rule.clone(), test));
        }
        ValueTests {
            set: self.value_set,
            tests,
        }
    }

    /// Every `rule` must name a rule of `catalog` or a built-in rule the
    /// project disabled (`disabled`): a typo would otherwise make the entry
    /// silently match nothing. Called once the catalog is built.
    pub fn check_rules(&self, catalog: &Catalog, disabled: &[String]) -> Result<()> {
        for e in &self.entries {
            if let Some(r) = &e.rule {
                if catalog.get(r).is_none() && !disabled.contains(r) {
                    bail!(
                        "{}:{}: [[allow]] entry, field `rule`: there is no rule `{r}` (see `leakgate rules list`)",
                        self.file,
                        e.line
                    );
                }
            }
        }
        Ok(())
    }

    /// Entries whose fingerprint uses the old, guessable v1 format.
    pub fn legacy_entries(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| {
                e.fingerprint
                    .as_deref()
                    .is_some_and(|f| fingerprint::format_of(f) == Some(Format::V1))
            })
            .count()
    }

    /// The report's notice about v1 entries, if there are any.
    pub fn legacy_notice(&self) -> Option<String> {
        match self.legacy_entries() {
            0 => None,
            n => Some(format!(
                "{} {} in {} use{} the old fingerprint format, which can be reversed for a weak password by guessing; `leakgate allow --migrate` rewrites {}",
                n,
                if n == 1 { "entry" } else { "entries" },
                self.file,
                if n == 1 { "s" } else { "" },
                if n == 1 { "it" } else { "them" }
            )),
        }
    }

    /// Computes, on every core, the slow fingerprints that checking
    /// `findings` will need: those of findings whose rule and path some v2
    /// entry covers. Checking them one by one afterwards costs nothing more.
    pub fn prepare(&self, findings: &[Finding]) {
        let slow: Vec<&Entry> = self.entries.iter().filter(|e| e.is_slow()).collect();
        if slow.is_empty() {
            return;
        }
        let wanted = findings.iter().filter(|f| {
            slow.iter().any(|e| {
                e.rule.as_ref().is_none_or(|r| *r == f.rule_id)
                    && e.path
                        .as_ref()
                        .is_none_or(|(_, g)| path_matches(g, &f.path))
            })
        });
        fingerprint::compute_all(wanted.map(|f| &f.fingerprint));
    }

    pub fn check(&self, finding: &Finding, today: Day) -> Verdict<'_> {
        let mut expired: Option<&Entry> = None;
        // Entries that cost no Argon2 evaluation first: if one allows the
        // finding, its fingerprint is never computed.
        for slow in [false, true] {
            for e in self.entries.iter().filter(|e| e.is_slow() == slow) {
                if !e.covers(finding) {
                    continue;
                }
                match e.expires {
                    Some(day) if day < today => {
                        // The first in the file is the one the report names.
                        if expired.is_none_or(|x| e.line < x.line) {
                            expired = Some(e);
                        }
                    }
                    _ => return Verdict::Allowed(e),
                }
            }
        }
        expired.map_or(Verdict::None, Verdict::Expired)
    }
}

/// The entries of `text`, each with the span of its fingerprint value (for
/// `--migrate`, which rewrites it in place).
fn parse_entries(text: &str, file: &str) -> Result<Vec<(Entry, Option<std::ops::Range<usize>>)>> {
    let spec: FileSpec =
        toml::from_str(text).map_err(|e| crate::toml_error::located(file, text, &e))?;
    let mut entries = Vec::with_capacity(spec.allow.len());
    let value_set = next_value_set();
    let mut value_tests = 0;
    for spanned in spec.allow {
        let line = text[..spanned.span().start].matches('\n').count() + 1;
        let e = spanned.into_inner();
        let at = |field: &str| format!("{file}:{line}: [[allow]] entry, field `{field}`");
        if e.reason.trim().is_empty() {
            bail!("{}: must say why the secret is allowed", at("reason"));
        }
        if e.fingerprint.is_none()
            && e.rule.is_none()
            && e.path.is_none()
            && e.value.is_none()
            && e.stopwords.is_none()
        {
            bail!(
                "{file}:{line}: [[allow]] entry: needs at least one of `fingerprint`, `rule`, `path`, `value` or `stopwords`"
            );
        }
        let value = match (e.value, e.stopwords) {
            (None, None) => None,
            (Some(_), Some(_)) => bail!(
                "{}: an entry holds one of `value` or `stopwords`; write two entries",
                at("stopwords")
            ),
            (Some(_), _) | (_, Some(_)) if e.fingerprint.is_some() => bail!(
                "{}: a fingerprint names one secret already; `value` and `stopwords` go in an entry without one",
                at("fingerprint")
            ),
            (Some(p), None) => {
                let field = at("value");
                let re = value_regex(&p).map_err(|err| anyhow!("{field}: {err}"))?;
                if re.is_match("") {
                    bail!(
                        "{field}: the pattern matches an empty value, so it would allow every secret; make it require something"
                    );
                }
                refuse_secret(&p, &field)?;
                Some(ValueSpec::Pattern(p))
            }
            (None, Some(words)) => {
                let field = at("stopwords");
                if words.is_empty() {
                    bail!("{field}: the list is empty");
                }
                for (i, w) in words.iter().enumerate() {
                    if w.trim().is_empty() {
                        bail!("{field}: item {} is empty, which every value holds", i + 1);
                    }
                    refuse_secret(w, &field)?;
                }
                Some(ValueSpec::Stopwords(words))
            }
        };
        let value = value.map(|test| {
            value_tests += 1;
            ValueEntry {
                test,
                set: value_set,
                index: value_tests - 1,
            }
        });
        let fp_span = e.fingerprint.as_ref().map(toml::Spanned::span);
        let fp = e.fingerprint.map(toml::Spanned::into_inner);
        if let Some(fp) = &fp {
            if fingerprint::format_of(fp).is_none() {
                // Whatever was pasted there (maybe the key itself) is shown
                // redacted: this error is printed on every commit.
                bail!(
                    "{}: `{}` is not a leakgate fingerprint ({})",
                    at("fingerprint"),
                    crate::engine::finding::redact(fp),
                    fingerprint::DESCRIPTION
                );
            }
        }
        let path = match e.path {
            Some(p) => {
                let g = compile_path(&p)
                    .map_err(|err| anyhow!("{}: invalid glob {p:?}: {err}", at("path")))?;
                Some((p, g))
            }
            None => None,
        };
        let expires = match &e.expires {
            None => None,
            Some(v) => Some(day_of(v).map_err(|err| anyhow!("{}: {err}", at("expires")))?),
        };
        entries.push((
            Entry {
                line,
                fingerprint: fp,
                rule: e.rule,
                path,
                value,
                reason: e.reason,
                expires,
            },
            fp_span,
        ));
    }
    Ok(entries)
}

fn day_of(v: &toml::Value) -> Result<Day> {
    match v {
        toml::Value::Datetime(dt) => Day::from_datetime(dt)
            .ok_or_else(|| anyhow!("use a date without a time, like 2027-01-31")),
        toml::Value::String(s) => Day::parse(s),
        other => bail!(
            "expected a date like 2027-01-31, found a {}",
            other.type_str()
        ),
    }
}

/// A `value` pattern: Rust `regex` syntax, searched (unanchored) in the
/// secret's value.
fn value_regex(p: &str) -> Result<Regex> {
    RegexBuilder::new(p)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| anyhow!("invalid regex: {e}"))
}

/// Every allowlist gets its own number for its value tests (see
/// [`crate::rules::values::ValueHits`]); 0 is no allowlist's.
fn next_value_set() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Refuses a `value` or stopword that is itself a key the built-in catalog
/// finds: the allowlist is reviewed like code and must never hold one. The
/// message names the rule, never the text. The built-in catalog is built
/// once per process, however many allowlists are read (a server reads one
/// per pushed ref).
fn refuse_secret(text: &str, field: &str) -> Result<()> {
    static BUILTIN: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    let catalog = match BUILTIN.get() {
        Some(c) => c,
        None => {
            let c = Catalog::builtin()?;
            BUILTIN.get_or_init(|| c)
        }
    };
    // As written, and with a regex's escapes taken out (`sk\_live…`).
    for t in [text.to_string(), text.replace('\\', "")] {
        let scanned = crate::engine::scan(catalog, t);
        if let Some(m) = scanned.matches.first() {
            bail!(
                "{field}: holds what looks like a secret ({}); the allowlist must never hold a key: allow that key by its fingerprint instead (`leakgate allow PATH:LINE`)",
                catalog.rules[m.rule].name
            );
        }
    }
    Ok(())
}

/// Whether `s` is a fingerprint in either format.
pub fn is_fingerprint(s: &str) -> bool {
    fingerprint::format_of(s).is_some()
}

const HEADER: &str = "\
# leakgate allowlist: secrets that are meant to be in this repository.
# Review changes to it like code. Entries never hold a secret: they match a
# finding by `fingerprint` (a slow hash of rule + secret, which `leakgate allow
# PATH:LINE` writes), by `rule` id and/or by `path` glob (.gitignore syntax),
# or by a `value` regex / `stopwords` searched in the secret's value.
# Entries need a `reason`; an optional `expires = YYYY-MM-DD` ends one.
";

/// One entry to add to the allowlist.
pub struct NewEntry<'a> {
    /// A v2 fingerprint; `None` for an entry by `rule` and/or `path` alone.
    pub fingerprint: Option<&'a str>,
    pub rule: Option<&'a str>,
    /// Narrows the entry to these paths (a `path` glob, module doc).
    pub path: Option<&'a str>,
    /// A regex searched in the secret's value.
    pub value: Option<&'a str>,
    /// Case-insensitive substrings of the secret's value.
    pub stopwords: Option<&'a [String]>,
    pub reason: &'a str,
    pub expires: Option<Day>,
}

impl NewEntry<'_> {
    /// Whether `present` already allows all this entry would: the same
    /// fingerprint (or, for an entry without one, none) and value test,
    /// narrowed by no more than this one (its path, and without a
    /// fingerprint its rule, unset or the same).
    fn is_in(&self, present: &Entry) -> bool {
        let value = match &present.value {
            None => (None, None),
            Some(v) => match &v.test {
                ValueSpec::Pattern(p) => (Some(p.as_str()), None),
                ValueSpec::Stopwords(w) => (None, Some(w.as_slice())),
            },
        };
        // A fingerprint is of rule and secret together: a `rule` beside one
        // narrows nothing.
        present.fingerprint.as_deref() == self.fingerprint
            && value == (self.value, self.stopwords)
            && (self.fingerprint.is_some()
                || present.rule.as_deref().is_none_or(|r| Some(r) == self.rule))
            && present
                .path
                .as_ref()
                .is_none_or(|(p, _)| Some(p.as_str()) == self.path)
            && (self.fingerprint.is_some()
                || self.value.is_some()
                || self.stopwords.is_some()
                || present.rule.is_some()
                || present.path.is_some())
    }
}

/// Appends an entry for `fingerprint` to `file` (creating it), after checking
/// that the file as it stands is valid and has no entry for it yet.
pub fn append(file: &Path, entry: NewEntry<'_>) -> Result<()> {
    let shown = file.display().to_string();
    if let Some(Some(line)) = append_many(file, std::slice::from_ref(&entry))?.first() {
        bail!(
            "{shown}:{line}: already has an entry for {}",
            entry
                .fingerprint
                .or(entry.path)
                .or(entry.rule)
                .unwrap_or("it")
        );
    }
    Ok(())
}

/// Appends every entry the file does not have yet (see [`NewEntry`]);
/// returns, for each entry, the line of the one already there (so it was
/// skipped).
pub fn append_many(file: &Path, entries: &[NewEntry<'_>]) -> Result<Vec<Option<usize>>> {
    check_new(entries)?;
    let shown = file.display().to_string();
    let mut skipped = Vec::new();
    rewrite_locked(file, |existing| {
        let (added, there) = additions(existing, &shown, entries)?;
        skipped = there;
        if added.is_empty() {
            return Ok(None);
        }
        Ok(Some(match existing {
            Some(t) => format!("{t}{added}"),
            None => format!("{HEADER}{added}"),
        }))
    })?;
    Ok(skipped)
}

/// What [`append_many`] would append to `file` as it is now (nothing is
/// written or locked): the text, and for each entry the line of the one
/// already there.
pub fn preview(file: &Path, entries: &[NewEntry<'_>]) -> Result<(String, Vec<Option<usize>>)> {
    check_new(entries)?;
    let shown = file.display().to_string();
    let current = match fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("reading {shown}")),
    };
    let existing = (!current.is_empty()).then_some(current.as_str());
    let (added, there) = additions(existing, &shown, entries)?;
    // What would be written must read back, as append_many checks.
    let whole = match existing {
        Some(t) => format!("{t}{added}"),
        None => format!("{HEADER}{added}"),
    };
    Allowlist::parse(&whole, &shown)?;
    Ok((added, there))
}

fn check_new(entries: &[NewEntry<'_>]) -> Result<()> {
    for e in entries {
        match e.fingerprint.map(fingerprint::format_of) {
            None | Some(Some(Format::V2)) => {}
            Some(Some(Format::V1)) => bail!(
                "{:?} is an old-format fingerprint, which a weak password can be guessed from; scan again for its new one ({})",
                e.fingerprint.unwrap_or_default(),
                fingerprint::DESCRIPTION
            ),
            Some(None) => bail!(
                "`{}` is not a leakgate fingerprint ({})",
                crate::engine::finding::redact(e.fingerprint.unwrap_or_default()),
                fingerprint::DESCRIPTION
            ),
        }
        if e.reason.trim().is_empty() {
            bail!("--reason must say why the secret is allowed");
        }
    }
    Ok(())
}

/// The text appending `entries` to `existing` adds (empty when every one is
/// there already), and for each entry the line of the one already there.
fn additions(
    existing: Option<&str>,
    shown: &str,
    entries: &[NewEntry<'_>],
) -> Result<(String, Vec<Option<usize>>)> {
    let present = match existing {
        Some(text) => Allowlist::parse(text, shown)?.entries,
        None => Vec::new(),
    };
    let mut added = String::new();
    let mut there_lines = Vec::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        // An earlier entry of this same batch counts as there too.
        let there = present.iter().find(|p| e.is_in(p)).map(|p| p.line);
        let earlier = entries[..i].iter().any(|o| {
            (o.fingerprint, o.rule, o.path, o.value, o.stopwords)
                == (e.fingerprint, e.rule, e.path, e.value, e.stopwords)
        });
        there_lines.push(there);
        if there.is_some() || earlier {
            continue;
        }
        render(&mut added, e);
    }
    if !added.is_empty() && existing.is_some_and(|t| !t.ends_with('\n')) {
        added.insert(0, '\n');
    }
    Ok((added, there_lines))
}

/// One entry as the file holds it, after a blank line.
fn render(added: &mut String, e: &NewEntry<'_>) {
    added.push_str("\n[[allow]]\n");
    if let Some(fp) = e.fingerprint {
        let _ = writeln!(added, "fingerprint = {}", toml_string(fp));
    }
    if let Some(rule) = e.rule {
        let _ = writeln!(added, "rule = {}", toml_string(rule));
    }
    if let Some(path) = e.path {
        let _ = writeln!(added, "path = {}", toml_string(path));
    }
    if let Some(value) = e.value {
        let _ = writeln!(added, "value = {}", toml_string(value));
    }
    if let Some(words) = e.stopwords {
        let words: Vec<String> = words.iter().map(|w| toml_string(w)).collect();
        let _ = writeln!(added, "stopwords = [{}]", words.join(", "));
    }
    let _ = writeln!(added, "reason = {}", toml_string(e.reason));
    if let Some(day) = e.expires {
        let _ = writeln!(added, "expires = {day}");
    }
}

/// `entry` as [`append_many`] would write it (unchecked against any file;
/// [`Allowlist::parse`] of it says whether the file would take it).
pub fn preview_text(entry: &NewEntry<'_>) -> Result<String> {
    check_new(std::slice::from_ref(entry))?;
    let mut text = String::new();
    render(&mut text, entry);
    Ok(text)
}

/// What `leakgate allow --migrate` did.
#[derive(Debug, Default)]
pub struct Migration {
    /// v1 entries rewritten to v2.
    pub migrated: usize,
    /// Lines of v1 entries whose secret was not found (left as they were).
    pub unmapped: Vec<usize>,
}

/// Rewrites, in place, every v1 fingerprint that `v1_to_v2` maps; the rest of
/// the file (other fields, comments, layout) is kept byte for byte.
pub fn migrate(file: &Path, v1_to_v2: &HashMap<String, String>) -> Result<Migration> {
    let shown = file.display().to_string();
    let mut outcome = Migration::default();
    rewrite_locked(file, |existing| {
        outcome = Migration::default();
        let Some(text) = existing else {
            return Ok(None);
        };
        let mut edits = Vec::new();
        for (e, span) in parse_entries(text, &shown)? {
            let (Some(fp), Some(span)) = (&e.fingerprint, span) else {
                continue;
            };
            if fingerprint::format_of(fp) != Some(Format::V1) {
                continue;
            }
            match v1_to_v2.get(fp) {
                Some(v2) => edits.push((span, toml_string(v2))),
                None => outcome.unmapped.push(e.line),
            }
        }
        outcome.migrated = edits.len();
        if edits.is_empty() {
            return Ok(None);
        }
        let mut out = text.to_string();
        edits.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
        for (span, value) in edits {
            out.replace_range(span, &value);
        }
        Ok(Some(out))
    })?;
    Ok(outcome)
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Changes `file` under an exclusive lock: `change` gets the current text
/// (`None` when there is no file or it is empty) and returns the new text, or
/// `None` to leave the file alone. The new text must parse, lands whole (a
/// temporary file beside it, synced, renamed over it), and no concurrent
/// writer's change is lost, since each re-reads under the lock.
fn rewrite_locked(
    file: &Path,
    change: impl FnMut(Option<&str>) -> Result<Option<String>>,
) -> Result<()> {
    let shown = file.display().to_string();
    rewrite_file_locked(
        file,
        |text| Allowlist::parse(text, &shown).map(drop),
        change,
    )
}

/// [`rewrite_locked`] for another file leakgate writes (`leakgate import`
/// adds `[scan] exclude` items to `.leakgate.toml`): `check` must accept
/// the new text before it is written.
pub(crate) fn rewrite_file_locked(
    file: &Path,
    check: impl Fn(&str) -> Result<()>,
    mut change: impl FnMut(Option<&str>) -> Result<Option<String>>,
) -> Result<()> {
    let shown = file.display().to_string();
    let (_lock, existed) = lock(file)?;
    let current = fs::read_to_string(file).with_context(|| format!("reading {shown}"))?;
    let current = (!current.is_empty()).then_some(current.as_str());
    let result = change(current).and_then(|new| match new {
        Some(text) => {
            // Never write a file we could not read back.
            check(&text)?;
            replace(file, &text).with_context(|| format!("writing {shown}"))
        }
        None => Ok(()),
    });
    if !existed && fs::metadata(file).is_ok_and(|m| m.len() == 0) {
        // Opening for the lock created it; leave no empty file behind.
        let _ = fs::remove_file(file);
    }
    result
}

/// Opens (creating if needed) and exclusively locks `file`. A writer renames
/// a new file over the path, so the lock may be won on a file that is no
/// longer there: then it locks again, on the one that is.
fn lock(file: &Path) -> Result<(File, bool)> {
    let shown = file.display().to_string();
    let existed = file.exists();
    loop {
        let f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(file)
            .with_context(|| format!("opening {shown}"))?;
        f.lock().with_context(|| format!("locking {shown}"))?;
        if same_file(&f, file)? {
            return Ok((f, existed));
        }
    }
}

#[cfg(unix)]
fn same_file(f: &File, path: &Path) -> Result<bool> {
    use std::os::unix::fs::MetadataExt as _;
    let held = f.metadata()?;
    Ok(match fs::metadata(path) {
        Ok(now) => now.dev() == held.dev() && now.ino() == held.ino(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(e.into()),
    })
}

/// Elsewhere a file cannot be renamed over while open, so the file locked is
/// the one at the path.
#[cfg(not(unix))]
fn same_file(_: &File, _: &Path) -> Result<bool> {
    Ok(true)
}

/// Writes `text` to a temporary file in `file`'s directory, syncs it and
/// renames it over `file`: a crash leaves the old file or the new, never half.
fn replace(file: &Path, text: &str) -> Result<()> {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = file
        .file_name()
        .map_or_else(|| ALLOW_FILE.into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| -> Result<()> {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        fs::rename(&tmp, file)?;
        Ok(())
    })();
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written?;
    // The rename itself is durable once the directory is synced.
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Where the allowlist lives for a repository: its work tree's root.
pub fn location(root: &Path) -> PathBuf {
    root.join(ALLOW_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_file_line_and_field() {
        let text = "[[allow]]\nfingerprint = \"0123456789abcdef\"\nreason = \"x\"\n\n[[allow]]\npath = \"[\"\nreason = \"y\"\n";
        let err = Allowlist::parse(text, "a.toml").unwrap_err().to_string();
        assert!(err.contains("a.toml:5") && err.contains("`path`"), "{err}");

        let err = Allowlist::parse("[[allow]]\nfingerprint = \"0123456789abcdef\"\n", "a.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("a.toml") && err.contains("reason"), "{err}");

        let err = Allowlist::parse(
            "[[allow]]\nrule = \"r\"\nreason = \"x\"\nexpire = 2020-01-01\n",
            "a.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("a.toml:4:1") && err.contains("expire"),
            "{err}"
        );

        let err = Allowlist::parse(
            "[[allow]]\nrule = \"r\"\nreason = \"x\"\nexpires = \"soon\"\n",
            "a.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("a.toml:1") && err.contains("`expires`"),
            "{err}"
        );
    }

    #[test]
    fn dates_compare_and_parse_both_ways() {
        let l = Allowlist::parse(
            "[[allow]]\nrule = \"r\"\nreason = \"x\"\nexpires = 2020-01-02\n[[allow]]\nrule = \"s\"\nreason = \"x\"\nexpires = \"2999-12-31\"\n",
            "a",
        )
        .unwrap();
        assert!(l.entries[0].expires.unwrap() < Day::today());
        assert!(l.entries[1].expires.unwrap() > Day::today());
    }

    #[test]
    fn path_globs_follow_gitignore() {
        let m = |pattern: &str, path: &str| compile_path(pattern).unwrap().is_match(path);
        // `*` stays within a directory.
        assert!(m("docs/*", "docs/x"));
        assert!(!m("docs/*", "docs/deep/x"));
        // A leading `/` anchors at the root; `**` crosses directories.
        assert!(m("/docs/**", "docs/x") && m("/docs/**", "docs/deep/x"));
        assert!(!m("/docs/**", "a/docs/x"));
        // A middle `/` anchors too.
        assert!(!m("docs/*", "a/docs/x"));
        // No slash: any depth.
        assert!(m("*.md", "a.md") && m("*.md", "a/b.md") && m("*.md", "a/b/c.md"));
        assert!(!m("/*.md", "a/b.md"));
        assert!(m("secrets.env", "deep/er/secrets.env"));
        // A trailing `/`: the directory and everything under it.
        assert!(m("fixtures/", "fixtures/a") && m("fixtures/", "t/fixtures/b/c"));
        assert!(!m("fixtures/", "fixtures"));
        assert!(m("/docs/", "docs/a/b") && !m("/docs/", "x/docs/a"));
        assert!(m("**/fixtures/*", "a/b/fixtures/x") && m("**/fixtures/*", "fixtures/x"));
        assert!(compile_path("/").is_err() && compile_path("").is_err());
    }

    fn finding(rule: &str, path: &str, secret: &str) -> Finding {
        Finding {
            rule_id: rule.into(),
            rule_name: String::new(),
            provider: String::new(),
            severity: crate::rules::Severity::High,
            blocking: true,
            path: path.into(),
            line: 1,
            column: 1,
            commit: None,
            exposure: None,
            file_added: true,
            whole_file: false,
            fingerprint: crate::engine::finding::fingerprint(rule, secret),
            redacted: String::new(),
            why: String::new(),
            excerpt: String::new(),
            other_places: 0,
            image: None,
            verification: None,
            value_hits: Default::default(),
        }
    }

    /// The slow hash is paid only when rule and path let a finding through
    /// to a v2 entry, and never when a cheap entry already allows it.
    #[test]
    fn a_path_entry_for_an_archive_covers_its_entries() {
        let l = Allowlist::parse(
            "[[allow]]\npath = \"vendor/legacy.jar\"\nreason = \"x\"\n",
            "a",
        )
        .unwrap();
        for (path, allowed) in [
            ("vendor/legacy.jar", true),
            ("vendor/legacy.jar!config/app.properties", true),
            ("vendor/legacy.jar!lib/b.zip!x.env", true),
            ("vendor/other.jar!config/app.properties", false),
            ("vendor/legacy.jar.bak", false),
        ] {
            let f = finding("r", path, "s");
            assert_eq!(
                matches!(l.check(&f, Day::today()), Verdict::Allowed(_)),
                allowed,
                "{path}"
            );
        }
    }

    #[test]
    fn matching_computes_fingerprints_only_when_needed() {
        let wanted = crate::engine::finding::fingerprint("r", "s")
            .as_str()
            .to_string();
        let text = format!(
            "[[allow]]\nfingerprint = \"{wanted}\"\nrule = \"r\"\npath = \"docs/\"\nreason = \"x\"\n"
        );
        let l = Allowlist::parse(&text, "a").unwrap();
        let other_rule = finding("q", "docs/a", "s");
        assert!(matches!(l.check(&other_rule, Day::today()), Verdict::None));
        assert!(!other_rule.fingerprint.is_computed());
        let other_path = finding("r", "src/a", "s");
        assert!(matches!(l.check(&other_path, Day::today()), Verdict::None));
        assert!(!other_path.fingerprint.is_computed());
        let hit = finding("r", "docs/a", "s");
        assert!(matches!(l.check(&hit, Day::today()), Verdict::Allowed(_)));
        assert!(hit.fingerprint.is_computed());

        // A cheap entry later in the file allows first.
        let text = format!(
            "[[allow]]\nfingerprint = \"{wanted}\"\nreason = \"x\"\n[[allow]]\npath = \"*.md\"\nreason = \"y\"\n"
        );
        let l = Allowlist::parse(&text, "a").unwrap();
        let md = finding("r", "a/b.md", "t");
        assert!(matches!(l.check(&md, Day::today()), Verdict::Allowed(e) if e.line == 4));
        assert!(!md.fingerprint.is_computed());
        // A v1 entry matches through the digest, without Argon2.
        let v1 = crate::engine::finding::fingerprint("r", "u").v1();
        let l = Allowlist::parse(
            &format!("[[allow]]\nfingerprint = \"{v1}\"\nreason = \"x\"\n"),
            "a",
        )
        .unwrap();
        let old = finding("r", "x", "u");
        assert!(matches!(l.check(&old, Day::today()), Verdict::Allowed(_)));
        assert!(!old.fingerprint.is_computed());
        assert_eq!(l.legacy_entries(), 1);
        assert!(l.legacy_notice().unwrap().contains("allow --migrate"));
    }

    /// `value` and `stopwords`: parsed, checked, and decided through the
    /// record the engine makes (here made by hand, as the engine would).
    #[test]
    fn value_and_stopword_entries() {
        let l = Allowlist::parse(
            "[[allow]]\nvalue = \"^ab\"\nrule = \"r\"\nreason = \"x\"\n\
             [[allow]]\nstopwords = [\"Example\"]\nreason = \"y\"\nexpires = 2001-01-01\n",
            "a",
        )
        .unwrap();
        let tests = l.value_tests();
        assert_eq!(tests.tests.len(), 2);
        let mut f = finding("r", "x", "abc");
        f.value_hits = tests.hits("r", "abc");
        assert!(matches!(l.check(&f, Day::today()), Verdict::Allowed(e) if e.line == 1));
        let mut f = finding("q", "x", "abc");
        f.value_hits = tests.hits("q", "abc");
        assert!(
            matches!(l.check(&f, Day::today()), Verdict::None),
            "rule narrows"
        );
        let mut f = finding("q", "x", "anEXAMPLEkey");
        f.value_hits = tests.hits("q", "anEXAMPLEkey");
        assert!(matches!(l.check(&f, Day::today()), Verdict::Expired(e) if e.line == 5));
        // Another allowlist's record decides nothing here.
        let other = Allowlist::parse("[[allow]]\nvalue = \"^ab\"\nreason = \"x\"\n", "b").unwrap();
        let mut f = finding("r", "x", "abc");
        f.value_hits = other.value_tests().hits("r", "abc");
        assert!(matches!(l.check(&f, Day::today()), Verdict::None));
        assert_ne!(l.value_set, other.value_set);
    }

    #[test]
    fn value_entries_that_would_allow_everything_or_hold_a_key_are_refused() {
        let err = |text: &str| Allowlist::parse(text, "a.toml").unwrap_err().to_string();
        for (text, field) in [
            ("[[allow]]\nvalue = \".*\"\nreason = \"x\"\n", "`value`"),
            ("[[allow]]\nvalue = \"x?\"\nreason = \"x\"\n", "`value`"),
            ("[[allow]]\nvalue = \"(\"\nreason = \"x\"\n", "`value`"),
            (
                "[[allow]]\nstopwords = [\"a\", \"\"]\nreason = \"x\"\n",
                "`stopwords`",
            ),
            ("[[allow]]\nstopwords = []\nreason = \"x\"\n", "`stopwords`"),
            (
                "[[allow]]\nvalue = \"a\"\nstopwords = [\"b\"]\nreason = \"x\"\n",
                "`stopwords`",
            ),
            (
                "[[allow]]\nfingerprint = \"0123456789abcdef\"\nvalue = \"a\"\nreason = \"x\"\n",
                "`fingerprint`",
            ),
        ] {
            let e = err(text);
            assert!(e.contains("a.toml:1") && e.contains(field), "{text}: {e}");
        }
        let token = format!("ghp_{}", crate::rules::testgen::token("crc32", 30, 41));
        for text in [
            format!("[[allow]]\nvalue = \"^{token}$\"\nreason = \"x\"\n"),
            format!("[[allow]]\nstopwords = [\"ok\", \"{token}\"]\nreason = \"x\"\n"),
        ] {
            let e = err(&text);
            assert!(
                e.contains("looks like a secret") && e.contains("leakgate allow"),
                "{e}"
            );
            assert!(!e.contains(&token[4..]), "the key is not shown: {e}");
        }
    }

    #[test]
    fn migrate_rewrites_in_place_and_append_refuses_v1() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(ALLOW_FILE);
        let text = "# top\n[[allow]]\nfingerprint = \"00112233445566aa\"  # why\nrule = \"r\"\nreason = \"x\"\n\n[[allow]]\nfingerprint = \"ffeeddccbbaa9988\"\nreason = \"y\"\n";
        fs::write(&file, text).unwrap();
        let map = HashMap::from([(
            "00112233445566aa".to_string(),
            "v2:0123456789abcdef0123".to_string(),
        )]);
        let m = migrate(&file, &map).unwrap();
        assert_eq!((m.migrated, m.unmapped.clone()), (1, vec![7]));
        let after = fs::read_to_string(&file).unwrap();
        assert_eq!(
            after,
            text.replace("\"00112233445566aa\"", "\"v2:0123456789abcdef0123\"")
        );
        let e = NewEntry {
            fingerprint: Some("00112233445566aa"),
            rule: None,
            path: None,
            value: None,
            stopwords: None,
            reason: "x",
            expires: None,
        };
        assert!(append(&file, e).is_err());
    }
}

//! The allowlist: `.leakgate-allow.toml` at the repository root.
//!
//! It is reviewed like code, so it must never hold a secret: entries name a
//! secret by fingerprint (a hash of rule + secret), by rule id, or by path glob,
//! and each says why. An entry with an `expires` date stops applying after that
//! day, and leakgate says so rather than silently blocking again. A malformed
//! file is an error naming the file, line and field; it is never skipped.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _, Result};
use globset::{Glob, GlobMatcher};
use serde::Deserialize;
use toml::value::Datetime;

use crate::finding::Finding;

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
    fingerprint: Option<String>,
    rule: Option<String>,
    path: Option<String>,
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
    pub reason: String,
    pub expires: Option<Day>,
}

#[derive(Debug, Default)]
pub struct Allowlist {
    /// Where it was read from, as shown in messages.
    pub file: String,
    pub entries: Vec<Entry>,
}

pub enum Verdict<'a> {
    Allowed(&'a Entry),
    /// Only expired entries match: the finding stands, and the report says
    /// which entry lapsed.
    Expired(&'a Entry),
    None,
}

impl Allowlist {
    /// Reads `file`; a missing file is an empty allowlist.
    pub fn load(file: &Path, shown_as: &str) -> Result<Allowlist> {
        match fs::read_to_string(file) {
            Ok(text) => Allowlist::parse(&text, shown_as),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Allowlist {
                file: shown_as.to_string(),
                entries: Vec::new(),
            }),
            Err(e) => Err(e).with_context(|| format!("reading {}", file.display())),
        }
    }

    pub fn parse(text: &str, file: &str) -> Result<Allowlist> {
        let spec: FileSpec = toml::from_str(text).map_err(|e| anyhow!("{file}: {e}"))?;
        let mut entries = Vec::with_capacity(spec.allow.len());
        for spanned in spec.allow {
            let line = text[..spanned.span().start].matches('\n').count() + 1;
            let e = spanned.into_inner();
            let at = |field: &str| format!("{file}:{line}: [[allow]] entry, field `{field}`");
            if e.reason.trim().is_empty() {
                bail!("{}: must say why the secret is allowed", at("reason"));
            }
            if e.fingerprint.is_none() && e.rule.is_none() && e.path.is_none() {
                bail!(
                    "{file}:{line}: [[allow]] entry: needs at least one of `fingerprint`, `rule` or `path`"
                );
            }
            if let Some(fp) = &e.fingerprint {
                if !is_fingerprint(fp) {
                    bail!(
                        "{}: {fp:?} is not a leakgate fingerprint (16 lowercase hex characters, as printed with each finding)",
                        at("fingerprint")
                    );
                }
            }
            let path = match e.path {
                Some(p) => {
                    let g = Glob::new(&p)
                        .map_err(|err| anyhow!("{}: invalid glob {p:?}: {err}", at("path")))?;
                    Some((p, g.compile_matcher()))
                }
                None => None,
            };
            let expires = match &e.expires {
                None => None,
                Some(toml::Value::Datetime(dt)) => {
                    Some(Day::from_datetime(dt).ok_or_else(|| {
                        anyhow!(
                            "{}: use a date without a time, like 2027-01-31",
                            at("expires")
                        )
                    })?)
                }
                Some(toml::Value::String(s)) => {
                    Some(Day::parse(s).map_err(|err| anyhow!("{}: {err}", at("expires")))?)
                }
                Some(other) => bail!(
                    "{}: expected a date like 2027-01-31, found a {}",
                    at("expires"),
                    other.type_str()
                ),
            };
            entries.push(Entry {
                line,
                fingerprint: e.fingerprint,
                rule: e.rule,
                path,
                reason: e.reason,
                expires,
            });
        }
        Ok(Allowlist {
            file: file.to_string(),
            entries,
        })
    }

    pub fn check(&self, finding: &Finding, today: Day) -> Verdict<'_> {
        let mut expired = None;
        for e in &self.entries {
            let hit = e
                .fingerprint
                .as_ref()
                .is_none_or(|f| finding.fingerprint.matches(f))
                && e.rule.as_ref().is_none_or(|r| *r == finding.rule_id)
                && e.path
                    .as_ref()
                    .is_none_or(|(_, g)| g.is_match(&finding.path));
            if !hit {
                continue;
            }
            match e.expires {
                Some(day) if day < today => expired = expired.or(Some(e)),
                _ => return Verdict::Allowed(e),
            }
        }
        expired.map_or(Verdict::None, Verdict::Expired)
    }
}

pub fn is_fingerprint(s: &str) -> bool {
    crate::fingerprint::format_of(s).is_some()
}

const HEADER: &str = "\
# leakgate allowlist: secrets that are meant to be in this repository.
# Review changes to it like code. Entries never hold a secret: they match a
# finding by `fingerprint` (a hash of rule + secret, printed with each finding),
# by `rule` id and/or by `path` glob. Every entry needs a `reason`; an optional
# `expires = YYYY-MM-DD` makes it stop applying after that day.
";

/// One entry to add to the allowlist.
pub struct NewEntry<'a> {
    pub fingerprint: &'a str,
    pub rule: Option<&'a str>,
    pub reason: &'a str,
    pub expires: Option<Day>,
}

/// Appends an entry for `fingerprint` to `file` (creating it), after checking
/// that the file as it stands is valid and has no entry for it yet.
pub fn append(file: &Path, entry: NewEntry<'_>) -> Result<()> {
    let shown = file.display().to_string();
    if let Some(line) = append_many(file, std::slice::from_ref(&entry))?.first() {
        bail!(
            "{shown}:{line}: already has an entry for {}",
            entry.fingerprint
        );
    }
    Ok(())
}

/// Appends every entry whose fingerprint the file does not have yet; returns
/// the lines of the entries that were already there (and were skipped).
pub fn append_many(file: &Path, entries: &[NewEntry<'_>]) -> Result<Vec<usize>> {
    for e in entries {
        if !is_fingerprint(e.fingerprint) {
            bail!(
                "{:?} is not a leakgate fingerprint (16 lowercase hex characters, as printed with each finding)",
                e.fingerprint
            );
        }
        if e.reason.trim().is_empty() {
            bail!("--reason must say why the secret is allowed");
        }
    }
    let shown = file.display().to_string();
    let existing = match fs::read_to_string(file) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("reading {shown}")),
    };
    let present = match &existing {
        Some(text) => Allowlist::parse(text, &shown)?.entries,
        None => Vec::new(),
    };
    let mut skipped = Vec::new();
    let mut added = String::new();
    if existing
        .as_ref()
        .is_some_and(|t| !t.is_empty() && !t.ends_with('\n'))
    {
        added.push('\n');
    }
    let mut new = 0;
    for e in entries {
        if let Some(p) = present
            .iter()
            .find(|p| p.fingerprint.as_deref() == Some(e.fingerprint))
        {
            skipped.push(p.line);
            continue;
        }
        new += 1;
        added.push_str("\n[[allow]]\n");
        let _ = writeln!(added, "fingerprint = {}", toml_string(e.fingerprint));
        if let Some(rule) = e.rule {
            let _ = writeln!(added, "rule = {}", toml_string(rule));
        }
        let _ = writeln!(added, "reason = {}", toml_string(e.reason));
        if let Some(day) = e.expires {
            let _ = writeln!(added, "expires = {day}");
        }
    }
    if new == 0 {
        return Ok(skipped);
    }
    let text = match existing {
        Some(mut t) => {
            t.push_str(&added);
            t
        }
        None => format!("{HEADER}{added}"),
    };
    // Never write a file we could not read back.
    Allowlist::parse(&text, &shown)?;
    fs::write(file, text).with_context(|| format!("writing {shown}"))?;
    Ok(skipped)
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
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
        assert!(err.contains("line 4") && err.contains("expire"), "{err}");

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
}

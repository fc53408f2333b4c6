//! gitleaks: `.gitleaksignore` (findings by place) and the allowlists of
//! `.gitleaks.toml` (`[allowlist]`, `[[allowlists]]`).
//!
//! An ignore line is `COMMIT:PATH:RULE:LINE` (a git scan) or
//! `PATH:RULE:LINE` (a folder scan); the place is read again (the blob at
//! that commit, or the file on disk, else staged) and leakgate's findings on
//! that line are allowed by fingerprint, rule and path. Gitleaks' rule ids
//! are not leakgate's, so the rule named there only goes into the reason.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use serde::Deserialize;
use toml::Spanned;

use super::{path_regex, Addition, Item, Rescan};
use crate::context::Context;
use crate::engine::finding::escape;

pub const CONFIG: &str = ".gitleaks.toml";
pub const IGNORE: &str = ".gitleaksignore";

/// Reads the files named (or the defaults at `root`) and turns each item
/// into an [`Item`].
pub fn import(ctx: &Context, root: &Path, files: &[PathBuf]) -> Result<(String, Vec<Item>)> {
    let mut config: Option<(PathBuf, bool)> = None;
    let mut ignore: Option<(PathBuf, bool)> = None;
    for f in files {
        let slot = if f.extension().is_some_and(|e| e == "toml") {
            &mut config
        } else {
            &mut ignore
        };
        if slot.is_some() {
            bail!(
                "{}: name at most one config (*.toml) and one ignore file",
                f.display()
            );
        }
        *slot = Some((f.clone(), true));
    }
    if files.is_empty() {
        config = Some((root.join(CONFIG), false));
        ignore = Some((root.join(IGNORE), false));
    }
    let mut read = Vec::new();
    for (path, required) in [&config, &ignore].into_iter().flatten() {
        read.push(super::read_input(path, *required)?.map(|t| (path.clone(), t)));
    }
    if read.iter().all(Option::is_none) {
        bail!(
            "found neither {CONFIG} nor {IGNORE} at {}; name the files to import",
            root.display()
        );
    }
    let shown = |p: &Path| -> String { p.strip_prefix(root).unwrap_or(p).display().to_string() };
    let mut items = Vec::new();
    let mut names = Vec::new();
    for (path, text) in read.into_iter().flatten() {
        let name = shown(&path);
        names.push(name.clone());
        if config.as_ref().is_some_and(|(c, _)| *c == path) {
            items.extend(config_items(&text, &name)?);
        } else {
            items.extend(ignore_items(ctx, root, &text, &name)?);
        }
    }
    Ok((format!("gitleaks: {}", names.join(", ")), items))
}

/// One `.gitleaksignore` line, understood.
#[derive(Debug, PartialEq)]
struct IgnoreLine<'a> {
    commit: Option<&'a str>,
    path: &'a str,
    rule: &'a str,
    line: usize,
}

/// `COMMIT:PATH:RULE:LINE` or `PATH:RULE:LINE`; a path may hold `:`, so the
/// line and rule are taken from the right and a commit only when the first
/// field is 7 to 40 hex digits and more follows.
fn parse_ignore_line(s: &str) -> Result<IgnoreLine<'_>, String> {
    let mut right = s.rsplitn(3, ':');
    let (Some(line), Some(rule), Some(rest)) = (right.next(), right.next(), right.next()) else {
        return Err("expected COMMIT:PATH:RULE:LINE or PATH:RULE:LINE".into());
    };
    let line = line
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| line.parse::<usize>().ok())
        .flatten()
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("`{}` is not a line number", escape(line)))?;
    if rule.is_empty() {
        return Err("the rule id is empty".into());
    }
    let (commit, path) = match rest.split_once(':') {
        Some((c, p))
            if (7..=40).contains(&c.len())
                && c.bytes().all(|b| b.is_ascii_hexdigit())
                && !p.is_empty() =>
        {
            (Some(c), p)
        }
        _ => (None, rest),
    };
    if path.is_empty() {
        return Err("the path is empty".into());
    }
    Ok(IgnoreLine {
        commit,
        path,
        rule,
        line,
    })
}

fn ignore_items(ctx: &Context, root: &Path, text: &str, file: &str) -> Result<Vec<Item>> {
    let rescan = Rescan::new(ctx, root);
    let mut items = Vec::new();
    let mut pending = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let n = n + 1;
        let s = raw.trim();
        if s.is_empty() || s.starts_with('#') {
            continue;
        }
        let at = format!("{file}:{n}");
        let what = escape(s);
        let parsed = match parse_ignore_line(s) {
            Ok(p) => p,
            Err(why) => {
                items.push(Item::not_carried(
                    at,
                    what,
                    format!("cannot read this line: {why}"),
                ));
                continue;
            }
        };
        let path = match super::relative(root, parsed.path) {
            Ok(p) => p,
            Err(why) => {
                items.push(Item::not_carried(at, what, why));
                continue;
            }
        };
        let (found, place) = match parsed.commit {
            Some(c) => match rescan.at_commit(c, &path)? {
                Ok(f) => (f, format!("in commit {}", super::short(c))),
                Err(why) => {
                    items.push(Item::not_carried(at, what, why));
                    continue;
                }
            },
            None => match rescan.current(&path, false)? {
                Ok((f, from)) => (f, from.to_string()),
                Err(why) => {
                    items.push(Item::not_carried(at, what, why));
                    continue;
                }
            },
        };
        let mut seen = HashSet::new();
        let here: Vec<_> = found
            .into_iter()
            .filter(|f| f.line == parsed.line)
            .filter(|f| seen.insert(f.fingerprint.clone()))
            .collect();
        if here.is_empty() {
            items.push(Item::not_carried(
                at,
                what,
                format!(
                    "leakgate finds no secret on line {} of {} {place}: nothing to allow",
                    parsed.line,
                    escape(&path)
                ),
            ));
            continue;
        }
        pending.push((at, what, parsed.rule.to_string(), n, here, place));
    }
    super::fingerprints(pending.iter().flat_map(|p| p.4.iter()));
    for (at, what, rule, n, here, place) in pending {
        let additions = here
            .iter()
            .map(|f| {
                super::fingerprint_entry(
                    f,
                    format!("imported from {file} line {n} (gitleaks rule {rule})"),
                    &place,
                )
            })
            .collect();
        items.push(Item::carried(at, what, additions));
    }
    Ok(items)
}

#[derive(Deserialize)]
struct ConfigSpec {
    #[serde(default)]
    allowlist: Option<Spanned<AllowlistSpec>>,
    #[serde(default)]
    allowlists: Vec<Spanned<AllowlistSpec>>,
    #[serde(default)]
    rules: Vec<Spanned<RuleSpec>>,
    #[serde(default)]
    extend: Option<Spanned<toml::Table>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AllowlistSpec {
    description: Option<String>,
    condition: Option<String>,
    #[serde(default)]
    commits: Vec<Spanned<String>>,
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    regex_target: Option<String>,
    #[serde(default)]
    regexes: Vec<Spanned<String>>,
    #[serde(default)]
    stopwords: Vec<Spanned<String>>,
    #[serde(default)]
    target_rules: Vec<String>,
}

const ALLOWLIST_FIELDS: &[&str] = &[
    "description",
    "condition",
    "commits",
    "paths",
    "regexTarget",
    "regexes",
    "stopwords",
    "targetRules",
];

#[derive(Deserialize)]
struct RuleSpec {
    id: Option<String>,
    #[serde(default)]
    allowlist: Option<toml::Value>,
    #[serde(default)]
    allowlists: Option<toml::Value>,
}

fn config_items(text: &str, file: &str) -> Result<Vec<Item>> {
    let spec: ConfigSpec =
        toml::from_str(text).map_err(|e| crate::toml_error::located(file, text, &e))?;
    // The same file as plain tables, for the keys the spec does not know.
    let table: toml::Table =
        toml::from_str(text).map_err(|e| crate::toml_error::located(file, text, &e))?;
    let line = |span: std::ops::Range<usize>| text[..span.start].matches('\n').count() + 1;
    let mut items = Vec::new();
    if let Some(ext) = &spec.extend {
        items.push(Item::not_carried(
            format!("{file}:{}", line(ext.span())),
            "[extend]".into(),
            "extends gitleaks' own rules or another gitleaks config; leakgate's rules are its own catalog (`leakgate rules list`), and `.leakgate.toml` can `extends` another leakgate config",
        ));
    }
    let mut lists: Vec<(String, &Spanned<AllowlistSpec>, Option<&toml::Value>)> = Vec::new();
    if let Some(a) = &spec.allowlist {
        lists.push(("[allowlist]".into(), a, table.get("allowlist")));
    }
    let raw_lists = table.get("allowlists").and_then(toml::Value::as_array);
    for (i, a) in spec.allowlists.iter().enumerate() {
        lists.push((
            format!("[[allowlists]] #{}", i + 1),
            a,
            raw_lists.and_then(|l| l.get(i)),
        ));
    }
    for (name, spanned, raw) in lists {
        let a = spanned.get_ref();
        let at = |span: std::ops::Range<usize>| format!("{file}:{}", line(span));
        let head = at(spanned.span());
        let reason = a
            .description
            .clone()
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| format!("imported from {file}"));
        if let Some(t) = raw.and_then(toml::Value::as_table) {
            for key in t.keys().filter(|k| !ALLOWLIST_FIELDS.contains(&k.as_str())) {
                items.push(Item::not_carried(
                    head.clone(),
                    format!("{name} {}", escape(key)),
                    "not a gitleaks allowlist field this importer knows; nothing was made of it",
                ));
            }
        }
        if !a.target_rules.is_empty() {
            items.push(Item::not_carried(
                head.clone(),
                format!("{name} (targetRules = {:?})", a.target_rules),
                "it applies to some gitleaks rules only, and gitleaks' rule ids are not leakgate's: write the entries yourself with `rule = \"<leakgate rule id>\"` (`leakgate rules list`)",
            ));
            continue;
        }
        let kinds = [
            !a.commits.is_empty(),
            !a.paths.is_empty(),
            !a.regexes.is_empty(),
            !a.stopwords.is_empty(),
        ]
        .iter()
        .filter(|k| **k)
        .count();
        if a.condition
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case("AND"))
            && kinds > 1
        {
            items.push(Item::not_carried(
                head.clone(),
                format!("{name} (condition = \"AND\")"),
                "its items apply only together; leakgate's entries apply each on its own, so carrying them over would allow more: narrow `[[allow]]` entries by `path` and `value` together yourself",
            ));
            continue;
        }
        for c in &a.commits {
            items.push(Item::not_carried(
                at(c.span()),
                format!("{name} commit {}", escape(c.get_ref())),
                format!(
                    "leakgate allows secrets, not commits: `leakgate scan {}^!` lists that commit's findings with their fingerprints; allow each with `leakgate allow FINGERPRINT --reason ...`",
                    escape(c.get_ref())
                ),
            ));
        }
        for p in &a.paths {
            let what = format!("{name} path '{}'", escape(p.get_ref()));
            match path_regex::to_globs(p.get_ref()) {
                Ok(globs) => items.push(Item::carried(
                    at(p.span()),
                    what,
                    globs
                        .into_iter()
                        .map(|g| Addition {
                            shown: format!("path {}", escape(&g)),
                            fingerprint: None,
                            rule: None,
                            path: Some(g),
                            reason: reason.clone(),
                            value: None,
                            stopwords: None,
                            exclude: None,
                        })
                        .collect(),
                )),
                Err(why) => items.push(Item::not_carried(
                    at(p.span()),
                    what,
                    format!("no glob matches exactly what this regex does ({why}); write the `path` glob yourself (.gitignore syntax)"),
                )),
            }
        }
        let target = a.regex_target.as_deref().unwrap_or("secret");
        for r in &a.regexes {
            let what = format!("{name} regex '{}'", escape(r.get_ref()));
            let item = match target {
                _ if super::holds_a_key(r.get_ref()) => {
                    super::value_item(at(r.span()), what, r.get_ref(), &reason)
                }
                "secret" => super::value_item(at(r.span()), what, r.get_ref(), &reason),
                other => Item::not_carried(
                    at(r.span()),
                    what,
                    format!(
                        "regexTarget = \"{}\": it is tested against the whole {}, and leakgate's `value` patterns see the secret only; allow those findings by fingerprint instead (`leakgate allow PATH:LINE`)",
                        escape(other),
                        if other == "line" { "line" } else { "match" }
                    ),
                ),
            };
            items.push(item);
        }
        if !a.stopwords.is_empty() {
            let mut words = Vec::new();
            for w in &a.stopwords {
                if w.get_ref().is_empty() {
                    items.push(Item::not_carried(
                        at(w.span()),
                        format!("{name} stopword \"\""),
                        "an empty stopword would allow every secret",
                    ));
                } else {
                    words.push(w.get_ref().clone());
                }
            }
            if !words.is_empty() {
                let first = a.stopwords[0].span();
                items.push(super::stopwords_item(
                    at(first),
                    format!("{name} stopwords {}", escape(&format!("{words:?}"))),
                    words,
                    &reason,
                ));
            }
        }
    }
    for r in &spec.rules {
        let rule = r.get_ref();
        let id = rule.id.as_deref().unwrap_or("(no id)");
        let at = format!("{file}:{}", line(r.span()));
        items.push(Item::not_carried(
            at.clone(),
            format!("[[rules]] {}", escape(id)),
            "a gitleaks rule: leakgate uses its own catalog (`leakgate rules list`); if it finds something no built-in rule does, write it as a project `[[rule]]` in .leakgate.toml",
        ));
        if rule.allowlist.is_some() || rule.allowlists.is_some() {
            items.push(Item::not_carried(
                at,
                format!("[[rules]] {} allowlist", escape(id)),
                "a per-rule allowlist, and gitleaks' rule ids are not leakgate's: write `[[allow]]` entries with `rule = \"<leakgate rule id>\"` yourself (`leakgate rules list`)",
            ));
        }
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_lines_in_both_forms() {
        let c = "0123456789abcdef0123456789abcdef01234567";
        let git = format!("{c}:config/app.env:generic-api-key:12");
        assert_eq!(
            parse_ignore_line(&git).unwrap(),
            IgnoreLine {
                commit: Some(c),
                path: "config/app.env",
                rule: "generic-api-key",
                line: 12
            }
        );
        assert_eq!(
            parse_ignore_line("docs/a:b.md:aws-access-token:3").unwrap(),
            IgnoreLine {
                commit: None,
                path: "docs/a:b.md",
                rule: "aws-access-token",
                line: 3
            }
        );
        // A path named like a short hex word stays a path when nothing follows.
        assert_eq!(parse_ignore_line("cafebabe:r:1").unwrap().commit, None);
        for bad in [
            "just-a-fingerprint",
            "a.env:rule:x",
            "a.env:rule:0",
            ":r:1",
            "a::1",
        ] {
            assert!(parse_ignore_line(bad).is_err(), "{bad}");
        }
    }
}

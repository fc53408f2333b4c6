//! detect-secrets: a `.secrets.baseline` (JSON: `results` per file, each
//! with the SHA-1 of the secret as `hashed_secret`, and `filters_used`).
//!
//! A result is found again by rescanning its file and comparing hashes
//! ([`crate::fingerprint::Fingerprint::value_sha1_is`]), on the recorded
//! line first, then anywhere in the file (line numbers drift). The file is
//! read as staged when the index has it: that is what the pre-commit hook
//! and the next commit see (the same as HEAD unless it has staged changes),
//! whereas an unstaged edit is checked by nobody yet; a file not in the
//! index is read from disk. A result audited as a real secret
//! (`is_secret: true`) is never allowed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Result};
use serde::Deserialize;

use super::{path_regex, Addition, Item, Rescan};
use crate::context::Context;
use crate::engine::finding::escape;

pub const BASELINE: &str = ".secrets.baseline";

const EXCLUDE_FILE: &str = "detect_secrets.filters.regex.should_exclude_file";
const EXCLUDE_LINE: &str = "detect_secrets.filters.regex.should_exclude_line";
const EXCLUDE_SECRET: &str = "detect_secrets.filters.regex.should_exclude_secret";

#[derive(Deserialize)]
struct BaselineSpec {
    #[serde(default)]
    filters_used: Vec<FilterSpec>,
    results: BTreeMap<String, Vec<ResultSpec>>,
}

#[derive(Deserialize)]
struct FilterSpec {
    path: String,
    #[serde(default)]
    pattern: Option<Patterns>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Patterns {
    One(String),
    Many(Vec<String>),
}

impl Patterns {
    fn list(&self) -> Vec<&str> {
        match self {
            Patterns::One(p) => vec![p.as_str()],
            Patterns::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Deserialize)]
struct ResultSpec {
    #[serde(rename = "type")]
    kind: String,
    hashed_secret: String,
    line_number: Option<usize>,
    #[serde(default)]
    is_secret: Option<bool>,
}

/// A JSON error as `file:line:column: message`, naming the field the
/// position is in where the text shows one.
fn located(file: &str, text: &str, e: &serde_json::Error) -> anyhow::Error {
    let message = e.to_string();
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m);
    let (line, column) = (e.line(), e.column());
    // The nearest `"name":` before the position, on its line or above.
    let offset: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>()
        + column.saturating_sub(1);
    let before = &text[..offset.min(text.len())];
    let field = before
        .rmatch_indices("\":")
        .next()
        .and_then(|(end, _)| {
            before[..end]
                .rfind('"')
                .map(|start| &before[start + 1..end])
        })
        .filter(|f| !f.is_empty() && f.len() < 80);
    match field {
        Some(f) if line > 0 => anyhow!("{file}:{line}:{column}: field `{}`: {message}", escape(f)),
        _ if line > 0 => anyhow!("{file}:{line}:{column}: {message}"),
        _ => anyhow!("{file}: {message}"),
    }
}

pub fn import(ctx: &Context, root: &Path, baseline: Option<&Path>) -> Result<(String, Vec<Item>)> {
    let path: PathBuf = baseline.map_or_else(|| root.join(BASELINE), Path::to_path_buf);
    let file = path
        .strip_prefix(root)
        .unwrap_or(&path)
        .display()
        .to_string();
    let text = super::read_input(&path, true)?.unwrap_or_default();
    let spec: BaselineSpec = serde_json::from_str(&text).map_err(|e| located(&file, &text, &e))?;
    let line_of = |offset: usize| text[..offset].matches('\n').count() + 1;
    // Where each hash is written, in order, for the report's `file:line`.
    let mut hash_lines: HashMap<&str, Vec<usize>> = HashMap::new();
    for (offset, _) in text.match_indices("\"hashed_secret\"") {
        let rest = &text[offset..];
        if let Some(h) = rest.split('"').nth(3) {
            hash_lines.entry(h).or_default().push(line_of(offset));
        }
    }
    let mut used: HashMap<String, usize> = HashMap::new();
    let mut at_hash = |h: &str| -> String {
        let n = used.entry(h.to_string()).or_default();
        let line = hash_lines.get(h).and_then(|l| l.get(*n)).copied();
        *n += 1;
        match line {
            Some(l) => format!("{file}:{l}"),
            None => file.clone(),
        }
    };
    let filters_line = text
        .find("\"filters_used\"")
        .map_or(file.clone(), |o| format!("{file}:{}", line_of(o)));

    let mut items = Vec::new();
    let mut builtin = Vec::new();
    for f in &spec.filters_used {
        let patterns = f.pattern.as_ref().map(Patterns::list).unwrap_or_default();
        match f.path.as_str() {
            EXCLUDE_FILE => {
                for p in patterns {
                    let what = format!("--exclude-files '{}'", escape(p));
                    match path_regex::to_globs(p) {
                        Ok(globs) => items.push(Item::carried(
                            filters_line.clone(),
                            what,
                            globs
                                .into_iter()
                                .map(|g| Addition {
                                    shown: format!("[scan] exclude {}", escape(&g)),
                                    fingerprint: None,
                                    rule: None,
                                    path: None,
                                    value: None,
                                    stopwords: None,
                                    exclude: Some(g),
                                    reason: format!("imported from {file} (detect-secrets --exclude-files '{p}')"),
                                })
                                .collect(),
                        )),
                        Err(why) => items.push(Item::not_carried(
                            filters_line.clone(),
                            what,
                            format!("no glob matches exactly what this regex does ({why}); write the `[scan] exclude` glob yourself (.gitignore syntax)"),
                        )),
                    }
                }
            }
            EXCLUDE_SECRET => {
                for p in patterns {
                    items.push(super::value_item(
                        filters_line.clone(),
                        format!("--exclude-secrets '{}'", escape(p)),
                        p,
                        &format!("imported from {file} (detect-secrets --exclude-secrets)"),
                    ));
                }
            }
            EXCLUDE_LINE => {
                for p in patterns {
                    items.push(Item::not_carried(
                        filters_line.clone(),
                        format!("--exclude-lines '{}'", escape(p)),
                        "it is tested against the whole line, and leakgate's `value` patterns see the secret only: allow those findings by fingerprint (`leakgate allow PATH:LINE`), or mark the lines with `leakgate:allow` (detect-secrets' `pragma: allowlist secret` is honoured as it is)",
                    ));
                }
            }
            other if patterns.is_empty() && other.starts_with("detect_secrets.filters.") => {
                builtin.push(other.to_string());
            }
            other => items.push(Item::not_carried(
                filters_line.clone(),
                format!("filter {}", escape(other)),
                "a filter with settings leakgate has no counterpart for; nothing was made of it",
            )),
        }
    }
    if !builtin.is_empty() {
        items.push(Item::not_carried(
            filters_line.clone(),
            format!("{} built-in filters ({})", builtin.len(), builtin.join(", ")),
            "detect-secrets' own heuristics; leakgate has its own (placeholders, entropy, context): nothing to carry",
        ));
    }

    let rescan = Rescan::new(ctx, root);
    let mut pending = Vec::new();
    for (recorded, results) in &spec.results {
        for r in results {
            let at = at_hash(&r.hashed_secret);
            let line = r.line_number.map_or(String::new(), |l| format!(":{l}"));
            let what = format!("{} at {}{line}", escape(&r.kind), escape(recorded));
            if r.is_secret == Some(true) {
                items.push(Item::not_carried(
                    at,
                    what,
                    "audited as a real secret: rotate it (it is not allowed, so leakgate keeps reporting it)",
                ));
                continue;
            }
            if r.hashed_secret.len() != 40
                || !r.hashed_secret.bytes().all(|b| b.is_ascii_hexdigit())
            {
                items.push(Item::not_carried(
                    at,
                    what,
                    "hashed_secret is not a SHA-1 (40 hex digits), so nothing can be matched to it",
                ));
                continue;
            }
            let path = match super::relative(root, recorded) {
                Ok(p) => p,
                Err(why) => {
                    items.push(Item::not_carried(at, what, why));
                    continue;
                }
            };
            let (found, from) = match rescan.current(&path, true)? {
                Ok(x) => x,
                Err(why) => {
                    items.push(Item::not_carried(at, what, why));
                    continue;
                }
            };
            let same: Vec<_> = found
                .into_iter()
                .filter(|f| f.fingerprint.value_sha1_is(&r.hashed_secret))
                .collect();
            let on_line: Vec<_> = same
                .iter()
                .filter(|f| Some(f.line) == r.line_number)
                .cloned()
                .collect();
            let chosen = if on_line.is_empty() { same } else { on_line };
            let mut seen = HashSet::new();
            let chosen: Vec<_> = chosen
                .into_iter()
                .filter(|f| seen.insert(f.fingerprint.clone()))
                .collect();
            if chosen.is_empty() {
                items.push(Item::not_carried(
                    at,
                    what,
                    format!(
                        "leakgate does not flag this secret in {} ({from}): nothing to allow",
                        escape(&path)
                    ),
                ));
                continue;
            }
            let moved = chosen
                .iter()
                .all(|f| r.line_number.is_some_and(|l| l != f.line));
            let place = if moved {
                format!(
                    "{from}; the baseline said line {}",
                    r.line_number.unwrap_or(0)
                )
            } else {
                from.to_string()
            };
            pending.push((at, what, r.kind.clone(), recorded.clone(), chosen, place));
        }
    }
    super::fingerprints(pending.iter().flat_map(|p| p.4.iter()));
    for (at, what, kind, recorded, chosen, place) in pending {
        let additions = chosen
            .iter()
            .map(|f| {
                super::fingerprint_entry(
                    f,
                    format!("imported from {file} (detect-secrets {kind} in {recorded})"),
                    &place,
                )
            })
            .collect();
        items.push(Item::carried(at, what, additions));
    }
    Ok((format!("detect-secrets: {file}"), items))
}

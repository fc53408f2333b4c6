//! lefthook's configuration as `leakgate doctor` reads it: which of its
//! files are in a repository and whether one of them runs
//! `leakgate hook <name>` under that hook. Read-only, like all of doctor.
//!
//! lefthook writes the same small script into `.git/hooks/<name>` whatever
//! it is configured to do (`lefthook run "<name>"`), and reads its
//! configuration at each run: the hook alone says nothing about leakgate,
//! the configuration does. TOML and JSON files are parsed (the crate has
//! both parsers); a YAML file is read as text, because no YAML parser is a
//! dependency and one would be for this check alone: the top-level key
//! `<name>:` opens the hook's block, which runs until the next line that
//! starts in the first column, and a command in it must mention
//! `leakgate hook <name>` outside a comment. What the text cannot see (a
//! `skip:` on that command, anchors, `extends`, `remotes`) is left to the
//! fix message.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

/// lefthook's main configuration files, in the order it looks for them; and
/// `lefthook-local.*` (or `.lefthook-local.*` beside a dotted main file),
/// which it merges on top.
const MAIN: &[&str] = &[
    "lefthook.yml",
    ".lefthook.yml",
    ".config/lefthook.yml",
    "lefthook.yaml",
    ".lefthook.yaml",
    ".config/lefthook.yaml",
    "lefthook.toml",
    ".lefthook.toml",
    ".config/lefthook.toml",
    "lefthook.json",
    ".lefthook.json",
    ".config/lefthook.json",
];

const LOCAL: &[&str] = &[
    "lefthook-local.yml",
    ".lefthook-local.yml",
    "lefthook-local.yaml",
    ".lefthook-local.yaml",
    "lefthook-local.toml",
    ".lefthook-local.toml",
    "lefthook-local.json",
    ".lefthook-local.json",
];

/// A hook script lefthook wrote: it calls `lefthook run`.
pub fn wrote(hook_text: &str) -> bool {
    hook_text.contains("lefthook")
}

/// The configuration files present under `top`, main files first, as paths
/// relative to it.
pub fn files(top: &Path) -> Vec<PathBuf> {
    MAIN.iter()
        .chain(LOCAL)
        .map(PathBuf::from)
        .filter(|rel| top.join(rel).is_file())
        .collect()
}

/// The first file (relative to `top`) whose `name` hook runs leakgate.
pub fn runner(top: &Path, files: &[PathBuf], name: &str) -> Result<Option<PathBuf>> {
    for rel in files {
        if runs_leakgate(&top.join(rel), name)? {
            return Ok(Some(rel.clone()));
        }
    }
    Ok(None)
}

/// What to add, and where: the main file present, else `lefthook.yml`.
pub fn fix(files: &[PathBuf], name: &str) -> String {
    let file = files
        .iter()
        .find(|f| MAIN.iter().any(|m| Path::new(m) == f.as_path()))
        .map(|f| f.display().to_string())
        .unwrap_or_else(|| "lefthook.yml".to_string());
    let push = if name == "pre-push" {
        " \"{1}\" \"{2}\", use_stdin: true"
    } else {
        ""
    };
    format!(
        "in {file}, under {name}: commands: leakgate: run: leakgate hook {name}{push}   (lefthook reads it at the next run; a leakgate command there must not be skipped)"
    )
}

fn runs_leakgate(path: &Path, name: &str) -> Result<bool> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    Ok(match ext {
        "toml" => {
            let doc: toml::Table = toml::from_str(&text)
                .with_context(|| format!("{}: not valid TOML", path.display()))?;
            let doc = serde_json::to_value(doc)?;
            doc.get(name).is_some_and(|v| value_runs(v, name))
        }
        "json" => {
            let doc: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("{}: not valid JSON", path.display()))?;
            doc.get(name).is_some_and(|v| value_runs(v, name))
        }
        _ => yaml_runs(&text, name),
    })
}

/// Any string under a parsed hook's table mentions `leakgate hook <name>`.
fn value_runs(v: &serde_json::Value, name: &str) -> bool {
    match v {
        serde_json::Value::String(s) => mentions(s, name),
        serde_json::Value::Array(a) => a.iter().any(|v| value_runs(v, name)),
        serde_json::Value::Object(o) => o.values().any(|v| value_runs(v, name)),
        _ => false,
    }
}

/// The YAML text's top-level `<name>:` block (module doc) mentions
/// `leakgate hook <name>` outside comments.
fn yaml_runs(text: &str, name: &str) -> bool {
    let mut inside = false;
    for line in text.lines() {
        let code = uncommented(line);
        if code.trim().is_empty() {
            continue;
        }
        if !line.starts_with([' ', '\t']) {
            let Some((key, rest)) = code.split_once(':') else {
                inside = false;
                continue;
            };
            inside = key.trim().trim_matches(['"', '\'']) == name;
            // A flow mapping on the key's own line: `pre-commit: {...}`.
            if inside && mentions(rest, name) {
                return true;
            }
        } else if inside && mentions(code, name) {
            return true;
        }
    }
    false
}

/// `line` less a YAML comment: from a `#` at its start or after a blank.
fn uncommented(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    match line.find(" #").or_else(|| line.find("\t#")) {
        Some(i) => &line[..i],
        None => line,
    }
}

/// `text` holds `leakgate hook <name>` as words (not `pre-pushed`).
pub fn mentions(text: &str, name: &str) -> bool {
    let needle = format!("leakgate hook {name}");
    text.match_indices(&needle).any(|(i, _)| {
        text[i + needle.len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_yaml_hook_block_is_read_to_the_next_top_level_key() {
        let yml = "pre-commit:\n  commands:\n    lint:\n      run: echo lint   # leakgate hook pre-push\npre-push:\n  commands:\n    leakgate:\n      run: leakgate hook pre-push \"{1}\" \"{2}\"\n";
        assert!(yaml_runs(yml, "pre-push"));
        assert!(!yaml_runs(yml, "pre-commit"));
        let commented = "pre-commit:\n  commands:\n    leakgate:\n#      run: leakgate hook pre-commit\n      run: echo off\n";
        assert!(!yaml_runs(commented, "pre-commit"));
        let flow = "\"pre-commit\": {commands: {leakgate: {run: leakgate hook pre-commit}}}\n";
        assert!(yaml_runs(flow, "pre-commit"));
        let jobs =
            "pre-commit:\n  jobs:\n    - name: secrets\n      run: leakgate hook pre-commit\n";
        assert!(yaml_runs(jobs, "pre-commit"));
        assert!(!yaml_runs(jobs, "pre-push"));
    }

    #[test]
    fn a_hook_name_is_matched_as_a_word() {
        assert!(mentions("leakgate hook pre-push {1} {2}", "pre-push"));
        assert!(mentions("/opt/bin/leakgate hook pre-commit", "pre-commit"));
        assert!(!mentions("leakgate hook pre-pushed", "pre-push"));
        assert!(!mentions("leakgate hook pre-commit-msg", "pre-commit"));
    }
}

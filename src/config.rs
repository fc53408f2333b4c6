//! Project settings: `.leakgate.toml` at the repository root.
//!
//! Scan limits, which built-in rules to disable or re-grade, and the
//! project's own rules in the same schema as the built-in ones. Unknown keys
//! are errors, so a typo cannot quietly turn a setting off.

use std::fs;
use std::path::Path;

use anyhow::{anyhow, bail, Context as _, Result};
use serde::Deserialize;

use crate::engine::archive;
use crate::rules::{Override, ProjectRules, RuleSpec};

pub const CONFIG_FILE: &str = ".leakgate.toml";

/// Blobs larger than this are scanned in overlapping windows of this size
/// (and counted as such): one scan's line index, assignment list and regex
/// state stay bounded, and nothing is skipped for its size.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Config {
    pub max_file_size: u64,
    /// `[scan.archives]`: which archives are opened, within what limits.
    pub archives: archive::Limits,
    pub rules: ProjectRules,
    /// `verify = true`: ask providers whether found keys work, in `scan`,
    /// `ci` (from the target branch's file) and the pre-commit hook.
    pub verify: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            verify: false,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            archives: archive::Limits::default(),
            rules: ProjectRules {
                origin: CONFIG_FILE.to_string(),
                ..ProjectRules::default()
            },
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    #[serde(default)]
    verify: bool,
    #[serde(default)]
    scan: ScanSpec,
    #[serde(default)]
    rules: RulesSpec,
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RulesSpec {
    #[serde(default)]
    disable: Vec<String>,
    #[serde(default, rename = "override")]
    overrides: std::collections::BTreeMap<String, Override>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ScanSpec {
    max_file_size: Option<toml::Value>,
    archives: Option<ArchivesSpec>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ArchivesSpec {
    enabled: Option<bool>,
    max_expanded: Option<toml::Value>,
    max_entries: Option<i64>,
    max_ratio: Option<i64>,
    max_depth: Option<i64>,
}

impl Config {
    pub fn load(root: &Path) -> Result<Config> {
        let path = root.join(CONFIG_FILE);
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        Config::parse(&text, CONFIG_FILE)
    }

    pub fn parse(text: &str, file: &str) -> Result<Config> {
        let spec: FileSpec =
            toml::from_str(text).map_err(|e| crate::toml_error::located(file, text, &e))?;
        let mut c = Config {
            rules: ProjectRules {
                origin: file.to_string(),
                disable: spec.rules.disable,
                overrides: spec.rules.overrides.into_iter().collect(),
                rules: spec.rule,
            },
            verify: spec.verify,
            ..Config::default()
        };
        if let Some(v) = spec.scan.max_file_size {
            let size = match &v {
                toml::Value::Integer(n) if *n > 0 => *n as u64,
                toml::Value::String(s) => parse_size(s)
                    .map_err(|e| anyhow!("{file}: [scan] field `max_file_size`: {e}"))?,
                _ => bail!("{file}: [scan] field `max_file_size`: expected a positive byte count or a size like \"10 MiB\""),
            };
            c.max_file_size = size;
        }
        if let Some(a) = spec.scan.archives {
            c.archives = archives(a, file)?;
        }
        Ok(c)
    }
}

/// `[scan.archives]`, each field checked with its name in the error.
fn archives(a: ArchivesSpec, file: &str) -> Result<archive::Limits> {
    let mut l = archive::Limits::default();
    let field = |name: &str, v: Option<i64>, min: i64| -> Result<Option<u64>> {
        match v {
            None => Ok(None),
            Some(n) if n >= min => Ok(Some(n as u64)),
            Some(n) => bail!("{file}: [scan.archives] field `{name}`: {n} is below {min}"),
        }
    };
    if let Some(on) = a.enabled {
        l.enabled = on;
    }
    if let Some(v) = a.max_expanded {
        l.max_expanded = match &v {
            toml::Value::Integer(n) if *n > 0 => *n as u64,
            toml::Value::String(s) => parse_size(s)
                .map_err(|e| anyhow!("{file}: [scan.archives] field `max_expanded`: {e}"))?,
            _ => bail!("{file}: [scan.archives] field `max_expanded`: expected a positive byte count or a size like \"256 MiB\""),
        };
    }
    if let Some(n) = field("max_entries", a.max_entries, 1)? {
        l.max_entries = n as usize;
    }
    if let Some(n) = field("max_ratio", a.max_ratio, 1)? {
        l.max_ratio = n;
    }
    // Depth 0 would open nothing: that is `enabled = false`.
    if let Some(n) = field("max_depth", a.max_depth, 1)? {
        l.max_depth = n as usize;
    }
    Ok(l)
}

/// `1048576`, `512 KiB`, `10MiB`, `1 GiB` (also KB/MB/GB, read as powers of 1024).
pub fn parse_size(s: &str) -> Result<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| anyhow!("{s:?} is not a size (try \"10 MiB\")"))?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1024,
        "m" | "mb" | "mib" => 1024 * 1024,
        "g" | "gb" | "gib" => 1024 * 1024 * 1024,
        other => bail!("unknown size unit {other:?} in {s:?} (use KiB, MiB or GiB)"),
    };
    if n == 0 {
        bail!("a size of zero would skip every file");
    }
    Ok(n * mult)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_errors() {
        assert_eq!(parse_size("10 MiB").unwrap(), 10 << 20);
        assert_eq!(parse_size("512kb").unwrap(), 512 << 10);
        assert_eq!(parse_size("100").unwrap(), 100);
        assert!(parse_size("ten").is_err());
        let c = Config::parse("[scan]\nmax_file_size = \"1 KiB\"\n", "x").unwrap();
        assert_eq!(c.max_file_size, 1024);
        let e = Config::parse("[scan]\nmax_size = 3\n", ".leakgate.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(".leakgate.toml") && e.contains("max_size"),
            "{e}"
        );
    }

    #[test]
    fn archive_settings_and_their_errors() {
        let c = Config::parse(
            "[scan.archives]\nmax_expanded = \"1 MiB\"\nmax_entries = 5\nmax_ratio = 10\nmax_depth = 2\n",
            "x",
        )
        .unwrap();
        assert_eq!(
            (c.archives.max_expanded, c.archives.max_entries),
            (1 << 20, 5)
        );
        assert_eq!((c.archives.max_ratio, c.archives.max_depth), (10, 2));
        assert!(c.archives.enabled);
        let off = Config::parse("[scan.archives]\nenabled = false\n", "x").unwrap();
        assert!(!off.archives.enabled);
        for (text, field) in [
            ("[scan.archives]\nmax_size = 3\n", "max_size"),
            ("[scan.archives]\nmax_depth = 0\n", "max_depth"),
            ("[scan.archives]\nmax_expanded = \"lots\"\n", "max_expanded"),
        ] {
            let e = Config::parse(text, ".leakgate.toml")
                .unwrap_err()
                .to_string();
            assert!(e.contains(".leakgate.toml") && e.contains(field), "{e}");
        }
    }
}

//! Project settings: `.leakgate.toml` at the repository root, or the file
//! `--config PATH` / `LEAKGATE_CONFIG` names.
//!
//! Scan limits, which built-in rules to disable or re-grade, and the
//! project's own rules in the same schema as the built-in ones. Unknown keys
//! are errors, so a typo cannot quietly turn a setting off.
//!
//! `extends = "path"` builds on another file (an organisation's base kept in
//! a shared checkout): the base is read first and this file's settings go on
//! top (see [`Config::parse_in`]).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{anyhow, bail, Context as _, Result};
use serde::Deserialize;

use crate::allow::Day;
use crate::engine::archive;
use crate::paths::{self, Exclude, Excludes};
use crate::rules::{Override, ProjectRules, RuleSpec};

pub const CONFIG_FILE: &str = ".leakgate.toml";

/// How deep `extends` may chain (a base that extends a base …).
const MAX_EXTENDS: usize = 8;

/// `--config PATH` or `LEAKGATE_CONFIG`: the file used instead of every
/// `.leakgate.toml` this process would read. Whoever runs the command sets
/// it (a developer, a pipeline's owner, a server's hook), never the change
/// being checked, so it wins over committed settings too. Set once, by
/// the command dispatcher (`commands::run`), before any settings load.
static CONFIG_OVERRIDE: OnceLock<PathBuf> = OnceLock::new();

pub fn set_override(path: PathBuf) {
    let _ = CONFIG_OVERRIDE.set(path);
}

/// The file `--config` / `LEAKGATE_CONFIG` names, if any.
pub fn override_path() -> Option<&'static Path> {
    CONFIG_OVERRIDE.get().map(PathBuf::as_path)
}

/// The config file named by `--config` / `LEAKGATE_CONFIG`, when one was
/// named: read and parsed once per process (a server asks for it for every
/// pushed ref, `files_at` for every commit whose policy it reads).
pub fn overridden() -> Result<Option<Config>> {
    static PARSED: OnceLock<Config> = OnceLock::new();
    let Some(path) = CONFIG_OVERRIDE.get() else {
        return Ok(None);
    };
    if let Some(c) = PARSED.get() {
        return Ok(Some(c.clone()));
    }
    let c = Config::load_file(path)?;
    Ok(Some(PARSED.get_or_init(|| c).clone()))
}

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
    /// `[scan] exclude`: paths not read at all, each with its reason (a
    /// base's first, then this file's).
    pub exclude: Vec<ExcludeRule>,
}

/// One `[scan] exclude` pattern as the config states it.
#[derive(Debug, Clone)]
pub struct ExcludeRule {
    pub pattern: String,
    pub reason: String,
    pub expires: Option<Day>,
    /// `FILE:LINE`.
    pub origin: String,
    glob: globset::GlobMatcher,
}

impl Config {
    /// The exclude list in force on `today` (a pattern past its date is
    /// kept, marked lapsed, so reports can say so).
    pub fn excludes(&self, today: Day) -> Excludes {
        Excludes {
            items: self
                .exclude
                .iter()
                .map(|e| Exclude {
                    pattern: e.pattern.clone(),
                    reason: e.reason.clone(),
                    expires: e.expires.map(|d| d.to_string()),
                    lapsed: e.expires.is_some_and(|d| d < today),
                    origin: e.origin.clone(),
                    glob: e.glob.clone(),
                })
                .collect(),
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            verify: false,
            exclude: Vec::new(),
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
    /// A base file, relative to this one's folder.
    extends: Option<String>,
    /// `verify = true` (unset: the base's, or off).
    verify: Option<bool>,
    #[serde(default)]
    scan: ScanSpec,
    #[serde(default)]
    rules: RulesSpec,
    #[serde(default)]
    rule: Vec<RuleSpec>,
    #[serde(default)]
    compat: CompatSpec,
}

/// `[compat]`: what leakgate honours of other scanners.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CompatSpec {
    /// `gitleaks:allow` and detect-secrets' `pragma: allowlist secret`
    /// (on by default).
    markers: Option<bool>,
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
    /// Globs (strings, or inline tables with their own reason and date).
    exclude: Option<Vec<toml::Spanned<toml::Value>>>,
    exclude_reason: Option<String>,
    exclude_expires: Option<toml::Spanned<toml::Value>>,
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
    /// `.leakgate.toml` in `root` (the defaults when there is none), or the
    /// file `--config` names.
    pub fn load(root: &Path) -> Result<Config> {
        if let Some(c) = overridden()? {
            return Ok(c);
        }
        let path = root.join(CONFIG_FILE);
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        Config::parse_in(&text, CONFIG_FILE, Some(root))
    }

    /// A config file named by path (`--config`, a server's `git config
    /// leakgate.config`): it must exist.
    pub fn load_file(path: &Path) -> Result<Config> {
        let text = fs::read_to_string(path)
            .with_context(|| format!("reading the config file {}", path.display()))?;
        let dir = path.parent().map(|d| match d.as_os_str().is_empty() {
            true => Path::new("."),
            false => d,
        });
        Config::parse_in(&text, &path.display().to_string(), dir)
    }

    /// A config with no folder to resolve `extends` in (one read from a
    /// commit has none: `extends` there is an error).
    pub fn parse(text: &str, file: &str) -> Result<Config> {
        Config::parse_in(text, file, None)
    }

    /// `text`, read from `file` in `dir`: its `extends` base (relative to
    /// `dir`) first, then its own settings on top: scalars replace the
    /// base's, `[rules] disable` adds to it, a `[rules.override.ID]` replaces
    /// the base's for that rule, and `[[rule]]`s are added (an id defined in
    /// both is an error when the catalog is built).
    pub fn parse_in(text: &str, file: &str, dir: Option<&Path>) -> Result<Config> {
        Config::parse_chain(text, file, dir, &mut Vec::new())
    }

    fn parse_chain(
        text: &str,
        file: &str,
        dir: Option<&Path>,
        seen: &mut Vec<PathBuf>,
    ) -> Result<Config> {
        let spec: FileSpec =
            toml::from_str(text).map_err(|e| crate::toml_error::located(file, text, &e))?;
        let mut c = match &spec.extends {
            None => Config::default(),
            Some(base) => {
                let Some(dir) = dir else {
                    bail!(
                        "{file}: field `extends`: a config read from a commit cannot extend a file \
                         (there is no checkout to find {base:?} in); name the full config with \
                         --config PATH (or LEAKGATE_CONFIG, or on a server `git config leakgate.config PATH`)"
                    );
                };
                let path = dir.join(base);
                let real = path.canonicalize().with_context(|| {
                    format!("{file}: field `extends`: cannot read {}", path.display())
                })?;
                if seen.contains(&real) {
                    bail!(
                        "{file}: field `extends`: {} extends itself (a cycle)",
                        path.display()
                    );
                }
                if seen.len() >= MAX_EXTENDS {
                    bail!("{file}: field `extends`: more than {MAX_EXTENDS} files deep");
                }
                seen.push(real.clone());
                let base_text = fs::read_to_string(&real).with_context(|| {
                    format!("{file}: field `extends`: cannot read {}", path.display())
                })?;
                let shown = path.display().to_string();
                Config::parse_chain(&base_text, &shown, real.parent(), seen)?
            }
        };
        let base_rules = !c.rules.rules.is_empty();
        c.rules.origin = match base_rules {
            true => format!("{file} (or a file it extends)"),
            false => file.to_string(),
        };
        c.rules.disable.extend(spec.rules.disable);
        for (id, o) in spec.rules.overrides {
            c.rules.overrides.retain(|(have, _)| *have != id);
            c.rules.overrides.push((id, o));
        }
        c.rules.rules.extend(spec.rule);
        if let Some(on) = spec.compat.markers {
            c.rules.no_foreign_markers = !on;
        }
        if let Some(on) = spec.verify {
            c.verify = on;
        }
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
            c.archives = archives(a, c.archives, file)?;
        }
        let shared = Shared {
            reason: spec.scan.exclude_reason,
            expires: match spec.scan.exclude_expires {
                None => None,
                Some(v) => {
                    let line = line_of(text, v.span().start);
                    Some(Day::of_value(v.get_ref()).map_err(|e| {
                        anyhow!("{file}:{line}: [scan] field `exclude_expires`: {e}")
                    })?)
                }
            },
        };
        if spec.scan.exclude.is_none() && (shared.reason.is_some() || shared.expires.is_some()) {
            // Not an error: a base may hold the list. Still, a reason for
            // nothing is worth nothing, and silence would hide a typo.
            bail!(
                "{file}: [scan] field `{}`: set without an `exclude` list in this file",
                if shared.reason.is_some() {
                    "exclude_reason"
                } else {
                    "exclude_expires"
                }
            );
        }
        for item in spec.scan.exclude.unwrap_or_default() {
            let line = line_of(text, item.span().start);
            c.exclude
                .push(exclude_item(item.into_inner(), &shared, file, line)?);
        }
        Ok(c)
    }
}

/// 1-based line of byte `at` of `text`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

/// What string items of `[scan] exclude` take: `exclude_reason` and
/// `exclude_expires`.
struct Shared {
    reason: Option<String>,
    expires: Option<Day>,
}

/// One item of `[scan] exclude`: a glob (with the shared reason and date),
/// or `{ path = "...", reason = "...", expires = ... }` (each field not given
/// taken from the shared ones).
fn exclude_item(
    item: toml::Value,
    shared: &Shared,
    file: &str,
    line: usize,
) -> Result<ExcludeRule> {
    let at = |field: &str| format!("{file}:{line}: [scan] field `{field}`");
    let (pattern, reason, expires) = match item {
        toml::Value::String(p) => (p, None, None),
        toml::Value::Table(t) => {
            let mut path = None;
            let mut reason = None;
            let mut expires = None;
            for (k, v) in t {
                match (k.as_str(), v) {
                    ("path", toml::Value::String(p)) => path = Some(p),
                    ("reason", toml::Value::String(r)) => reason = Some(r),
                    ("expires", v) => {
                        expires = Some(
                            Day::of_value(&v)
                                .map_err(|e| anyhow!("{}: {e}", at("exclude.expires")))?,
                        )
                    }
                    ("path" | "reason", v) => bail!(
                        "{}: expected a string, found a {}",
                        at(&format!("exclude.{k}")),
                        v.type_str()
                    ),
                    (other, _) => bail!(
                        "{}: unknown field `{other}` (an item holds `path`, `reason` and `expires`)",
                        at("exclude")
                    ),
                }
            }
            let Some(path) = path else {
                bail!(
                    "{}: an item written as a table needs `path`",
                    at("exclude.path")
                );
            };
            (path, reason, expires)
        }
        other => bail!(
            "{}: expected a glob or {{ path = \"...\", reason = \"...\" }}, found a {}",
            at("exclude"),
            other.type_str()
        ),
    };
    let glob = paths::compile_path(&pattern)
        .map_err(|e| anyhow!("{}: invalid glob {pattern:?}: {e}", at("exclude")))?;
    let reason = match reason.or_else(|| shared.reason.clone()) {
        Some(r) if !r.trim().is_empty() => r,
        _ => bail!(
            "{}: must say why the files of {pattern:?} need no scan (every excluded pattern needs a reason: \
             `exclude_reason` for the string items, or `reason` in an item's table)",
            at("exclude_reason")
        ),
    };
    Ok(ExcludeRule {
        pattern,
        reason,
        expires: expires.or(shared.expires),
        origin: format!("{file}:{line}"),
        glob,
    })
}

/// `[scan.archives]`, each field checked with its name in the error.
fn archives(a: ArchivesSpec, base: archive::Limits, file: &str) -> Result<archive::Limits> {
    let mut l = base;
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

    /// The project's settings go on top of the base's: scalars and single
    /// archive limits replace, `disable` adds, an override replaces the
    /// base's for its rule.
    #[test]
    fn extends_merges_field_by_field() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("base.toml"),
            "[scan]\nmax_file_size = \"2 MiB\"\n[scan.archives]\nmax_depth = 2\nmax_entries = 7\n\
             [rules]\ndisable = [\"a\"]\n[rules.override.x]\nblock = false\n",
        )
        .unwrap();
        let c = Config::parse_in(
            "extends = \"base.toml\"\n[scan.archives]\nmax_entries = 9\n\
             [rules]\ndisable = [\"b\"]\n[rules.override.x]\nblock = true\n",
            "child.toml",
            Some(dir.path()),
        )
        .unwrap();
        assert_eq!(c.max_file_size, 2 << 20, "kept from the base");
        assert_eq!((c.archives.max_depth, c.archives.max_entries), (2, 9));
        assert_eq!(c.rules.disable, ["a", "b"]);
        assert_eq!(c.rules.overrides.len(), 1);
        assert_eq!(c.rules.overrides[0].1.block, Some(true));
        let e = Config::parse("extends = \"base.toml\"\n", "x (in abc)")
            .unwrap_err()
            .to_string();
        assert!(e.contains("x (in abc): field `extends`"), "{e}");
    }

    #[test]
    fn excludes_parse_with_reasons_dates_and_errors() {
        let c = Config::parse(
            "[scan]\nexclude = [\"vendor/**\",\n  { path = \"t/**\", reason = \"own\", expires = 2001-01-01 }]\n\
             exclude_reason = \"shared\"\nexclude_expires = \"2999-01-01\"\n",
            ".leakgate.toml",
        )
        .unwrap();
        let ex = c.excludes(Day::today());
        assert_eq!(ex.items.len(), 2);
        assert_eq!(
            (ex.items[0].reason.as_str(), ex.items[0].lapsed),
            ("shared", false)
        );
        assert_eq!(
            (ex.items[1].reason.as_str(), ex.items[1].lapsed),
            ("own", true)
        );
        assert_eq!(ex.items[1].origin, ".leakgate.toml:3");
        assert_eq!(ex.check("vendor/a/b.js"), crate::paths::Excluded::Yes(0));
        assert_eq!(ex.check("t/x"), crate::paths::Excluded::Lapsed(1));
        for (text, want) in [
            (
                "[scan]\nexclude = [\"vendor/**\"]\n",
                ".leakgate.toml:2: [scan] field `exclude_reason`",
            ),
            (
                "[scan]\nexclude = [\"[\"]\nexclude_reason = \"r\"\n",
                ".leakgate.toml:2: [scan] field `exclude`",
            ),
            (
                "[scan]\nexclude = [\"a\"]\nexclude_reason = \"r\"\nexclude_expires = \"soon\"\n",
                ".leakgate.toml:4: [scan] field `exclude_expires`",
            ),
            (
                "[scan]\nexclude = [{ path = \"a\", reason = \"r\", until = 1 }]\n",
                "unknown field `until`",
            ),
            (
                "[scan]\nexclude = [{ path = \"a\", reason = \"r\", expires = \"x\" }]\n",
                "field `exclude.expires`",
            ),
            (
                "[scan]\nexclude = [{ reason = \"r\" }]\n",
                "field `exclude.path`",
            ),
        ] {
            let e = Config::parse(text, ".leakgate.toml")
                .unwrap_err()
                .to_string();
            assert!(e.contains(want), "{text}: {e}");
        }
    }

    /// A base's excludes are kept and this file's added after them.
    #[test]
    fn extends_adds_excludes_to_the_bases() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("base.toml"),
            "[scan]\nexclude = [\"*.lock\"]\nexclude_reason = \"hashes\"\n",
        )
        .unwrap();
        let c = Config::parse_in(
            "extends = \"base.toml\"\n[scan]\nexclude = [{ path = \"vendor/\", reason = \"third party\" }]\n",
            "child.toml",
            Some(dir.path()),
        )
        .unwrap();
        let ex = c.excludes(Day::today());
        let pats: Vec<&str> = ex.items.iter().map(|e| e.pattern.as_str()).collect();
        assert_eq!(pats, ["*.lock", "vendor/"]);
        assert!(
            ex.items[0].origin.ends_with("base.toml:2"),
            "{}",
            ex.items[0].origin
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

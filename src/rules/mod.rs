//! Rules are data: TOML files embedded in the binary (and, later, a user's own
//! `.leakgate.toml`), each rule carrying the shape of its secret, the contexts that
//! tie a token to a provider, and its own examples and negative examples.
//!
//! Loading is cheap on purpose: parsing the TOML and building the keyword
//! prefilter happens at start-up, but no regex is compiled until a blob's
//! keywords say the rule could apply. A hook that scans ten small files must not
//! pay for the whole catalog.

pub mod check;
pub mod testgen;

use std::fmt;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use anyhow::{anyhow, bail, Context as _, Result};
use regex::Regex;
use serde::{Deserialize, Serialize};

/// The built-in catalog, one file per provider family.
const BUILTIN: &[(&str, &str)] = &[(
    "rules/messagebird.toml",
    include_str!("../../rules/messagebird.toml"),
)];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

/// A rule as written in TOML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    /// Take `keywords` and `context` from another rule when this one has none
    /// (a provider's test-mode key appears wherever its live key does).
    #[serde(default)]
    pub inherit: Option<String>,
    pub provider: String,
    pub name: String,
    pub severity: Severity,
    /// Whether a finding blocks a commit or push (default: yes).
    #[serde(default)]
    pub block: Option<bool>,
    /// The shape of the secret itself, without anchors or capture groups.
    pub secret: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Exact substrings that must all occur for the rule to run (a fixed
    /// prefix of the secret, like `test_`): checked after the keywords,
    /// before any regex is compiled.
    #[serde(default)]
    pub requires: Vec<String>,
    /// Minimum Shannon entropy, in bits per character.
    #[serde(default)]
    pub entropy: Option<f64>,
    #[serde(default)]
    pub docs: Option<String>,
    #[serde(default)]
    pub rotate: Option<String>,
    /// SHA-256 (hex) of example keys the provider publishes in its docs.
    #[serde(default)]
    pub known_examples_sha256: Vec<String>,
    #[serde(default)]
    pub context: Vec<ContextSpec>,
    #[serde(default)]
    pub examples: Examples,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default, rename = "match")]
    pub matching: Vec<String>,
    #[serde(default)]
    pub no_match: Vec<String>,
}

/// One way a secret is tied to its provider.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextSpec {
    /// `assignment` (a value assigned to a name, or under a parent key, that
    /// matches `name`) or `pattern` (a regex with `{secret}` in it).
    pub kind: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub pattern: Option<String>,
    /// A regex that must match somewhere in the same file.
    #[serde(default)]
    pub file: Option<String>,
    pub why: String,
}

pub enum ContextKind {
    Assignment { name: Lazy },
    Pattern { pattern: Lazy },
}

pub struct Context {
    pub kind: ContextKind,
    pub file: Option<Lazy>,
    pub why: String,
}

/// A regex compiled on first use. The source was syntax-checked when the rule
/// was loaded, so a failure here is a bug in validation, not in user input.
pub struct Lazy {
    source: String,
    cell: OnceLock<Regex>,
}

impl Lazy {
    fn new(source: String) -> Lazy {
        Lazy {
            source,
            cell: OnceLock::new(),
        }
    }

    pub fn get(&self) -> &Regex {
        self.cell.get_or_init(|| {
            Regex::new(&self.source).expect("rule regexes are validated at load time")
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }
}

pub struct Rule {
    pub id: String,
    pub provider: String,
    pub name: String,
    pub severity: Severity,
    pub block: bool,
    pub keywords: Vec<String>,
    pub requires: Vec<String>,
    pub entropy: Option<f64>,
    pub docs: Option<String>,
    pub rotate: Option<String>,
    pub known_examples_sha256: Vec<String>,
    /// `^(?:secret)$`: does a whole value have the secret's shape?
    pub secret_whole: Lazy,
    pub contexts: Vec<Context>,
    pub examples: Examples,
}

pub struct Catalog {
    pub rules: Vec<Rule>,
    prefilter: Option<AhoCorasick>,
    /// For each prefilter pattern, the rules it wakes up.
    keyword_rules: Vec<Vec<usize>>,
    /// Rules with no keyword run on every blob.
    always: Vec<usize>,
}

/// The quote token usable in patterns: a quote, possibly escaped (JSON strings
/// inside notebooks escape theirs).
const QUOTE: &str = r#"\\{0,3}["'`]"#;

impl Catalog {
    /// The built-in rules.
    pub fn builtin() -> Result<Catalog> {
        let mut specs = Vec::new();
        for (file, text) in BUILTIN {
            specs.extend(parse_rule_file(file, text)?);
        }
        Catalog::from_specs(specs, "built-in rules")
    }

    pub fn from_specs(specs: Vec<RuleSpec>, origin: &str) -> Result<Catalog> {
        let resolved = resolve_inheritance(specs, origin)?;
        let mut rules = Vec::with_capacity(resolved.len());
        for spec in resolved {
            rules.push(compile_spec(spec, origin)?);
        }
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            if rule.keywords.is_empty() {
                always.push(i);
            }
            for kw in &rule.keywords {
                let kw = kw.to_ascii_lowercase();
                match keywords.iter().position(|k| *k == kw) {
                    Some(p) => keyword_rules[p].push(i),
                    None => {
                        keywords.push(kw);
                        keyword_rules.push(vec![i]);
                    }
                }
            }
        }
        let prefilter = if keywords.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&keywords)
                    .context("building the keyword prefilter")?,
            )
        };
        Ok(Catalog {
            rules,
            prefilter,
            keyword_rules,
            always,
        })
    }

    /// Indices of the rules whose keywords occur in `text` (plus keyword-less
    /// rules), in catalog order.
    pub fn candidates(&self, text: &str) -> Vec<usize> {
        let mut hit = vec![false; self.rules.len()];
        for &i in &self.always {
            hit[i] = true;
        }
        if let Some(ac) = &self.prefilter {
            let mut remaining = self.keyword_rules.len();
            let mut seen = vec![false; self.keyword_rules.len()];
            for m in ac.find_overlapping_iter(text) {
                let p = m.pattern().as_usize();
                if !seen[p] {
                    seen[p] = true;
                    for &r in &self.keyword_rules[p] {
                        hit[r] = true;
                    }
                    remaining -= 1;
                    if remaining == 0 {
                        break;
                    }
                }
            }
        }
        hit.iter()
            .enumerate()
            .filter(|&(i, &h)| {
                h && self.rules[i]
                    .requires
                    .iter()
                    .all(|r| text.contains(r.as_str()))
            })
            .map(|(i, _)| i)
            .collect()
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

fn parse_rule_file(file: &str, text: &str) -> Result<Vec<RuleSpec>> {
    let parsed: RuleFile = toml::from_str(text).map_err(|e| anyhow!("{file}: {e}"))?;
    Ok(parsed.rule)
}

fn resolve_inheritance(specs: Vec<RuleSpec>, origin: &str) -> Result<Vec<RuleSpec>> {
    let mut out: Vec<RuleSpec> = Vec::with_capacity(specs.len());
    for mut spec in specs {
        if out.iter().any(|r| r.id == spec.id) {
            bail!("{origin}: rule `{}` is defined twice", spec.id);
        }
        if let Some(parent_id) = &spec.inherit {
            let parent = out.iter().find(|r| &r.id == parent_id).ok_or_else(|| {
                anyhow!(
                    "{origin}: rule `{}`, field `inherit`: no earlier rule is called `{parent_id}`",
                    spec.id
                )
            })?;
            if spec.keywords.is_empty() {
                spec.keywords = parent.keywords.clone();
            }
            if spec.context.is_empty() {
                spec.context = parent.context.clone();
            }
        }
        out.push(spec);
    }
    Ok(out)
}

/// Syntax-checks a regex without compiling it: compilation is the expensive
/// part, and it waits until a blob needs the rule.
fn check_regex(origin: &str, id: &str, field: &str, source: &str) -> Result<()> {
    regex_syntax::Parser::new()
        .parse(source)
        .map(drop)
        .map_err(|e| anyhow!("{origin}: rule `{id}`, field `{field}`: invalid regex: {e}"))
}

fn compile_spec(spec: RuleSpec, origin: &str) -> Result<Rule> {
    let id = spec.id.clone();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        bail!("{origin}: rule `{id}`, field `id`: use lowercase letters, digits and dashes");
    }
    let secret_whole = format!("^(?:{})$", spec.secret);
    check_regex(origin, &id, "secret", &secret_whole)?;
    if spec.context.is_empty() {
        bail!("{origin}: rule `{id}`, field `context`: a rule needs at least one context");
    }
    for h in &spec.known_examples_sha256 {
        if h.len() != 64 || !h.chars().all(|c| c.is_ascii_hexdigit()) {
            bail!("{origin}: rule `{id}`, field `known_examples_sha256`: `{h}` is not a SHA-256 hex digest");
        }
    }
    let mut contexts = Vec::with_capacity(spec.context.len());
    for (n, c) in spec.context.iter().enumerate() {
        let field = |f: &str| format!("context[{n}].{f}");
        let kind = match c.kind.as_str() {
            "assignment" => {
                let name = c.name.clone().ok_or_else(|| {
                    anyhow!("{origin}: rule `{id}`, field `{}`: required for kind = \"assignment\"", field("name"))
                })?;
                check_regex(origin, &id, &field("name"), &name)?;
                if c.pattern.is_some() {
                    bail!("{origin}: rule `{id}`, field `{}`: only for kind = \"pattern\"", field("pattern"));
                }
                ContextKind::Assignment {
                    name: Lazy::new(name),
                }
            }
            "pattern" => {
                let p = c.pattern.clone().ok_or_else(|| {
                    anyhow!("{origin}: rule `{id}`, field `{}`: required for kind = \"pattern\"", field("pattern"))
                })?;
                if !p.contains("{secret}") {
                    bail!("{origin}: rule `{id}`, field `{}`: must contain {{secret}}", field("pattern"));
                }
                let full = p
                    .replace("{secret}", &format!("(?P<secret>{})", spec.secret))
                    .replace("{q}", QUOTE);
                check_regex(origin, &id, &field("pattern"), &full)?;
                ContextKind::Pattern {
                    pattern: Lazy::new(full),
                }
            }
            other => bail!(
                "{origin}: rule `{id}`, field `{}`: unknown kind `{other}` (expected \"assignment\" or \"pattern\")",
                field("kind")
            ),
        };
        let file = match &c.file {
            Some(f) => {
                check_regex(origin, &id, &field("file"), f)?;
                Some(Lazy::new(f.clone()))
            }
            None => None,
        };
        contexts.push(Context {
            kind,
            file,
            why: c.why.clone(),
        });
    }
    Ok(Rule {
        id,
        provider: spec.provider,
        name: spec.name,
        severity: spec.severity,
        block: spec.block.unwrap_or(true),
        keywords: spec.keywords,
        requires: spec.requires,
        entropy: spec.entropy,
        docs: spec.docs,
        rotate: spec.rotate,
        known_examples_sha256: spec.known_examples_sha256,
        secret_whole: Lazy::new(secret_whole),
        contexts,
        examples: spec.examples,
    })
}

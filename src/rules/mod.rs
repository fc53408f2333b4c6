//! Rules are data: TOML files embedded in the binary (and, later, a user's own
//! `.leakgate.toml`), each rule carrying the shape of its secret, the contexts that
//! tie a token to a provider, and its own examples and negative examples.
//!
//! Loading is cheap on purpose: parsing the TOML and building the keyword
//! prefilter happens at start-up, but no regex is compiled until a blob's
//! keywords say the rule could apply. A hook that scans ten small files must not
//! pay for the whole catalog.

pub mod testgen;

use std::fmt;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use anyhow::{anyhow, bail, Context as _, Result};
use regex::Regex;
use serde::{Deserialize, Serialize};

/// The built-in catalog, one file per provider family.
const BUILTIN: &[(&str, &str)] = &[
    (
        "rules/messagebird.toml",
        include_str!("../../rules/messagebird.toml"),
    ),
    (
        "rules/cloud-and-code.toml",
        include_str!("../../rules/cloud-and-code.toml"),
    ),
    (
        "rules/payments-and-messaging.toml",
        include_str!("../../rules/payments-and-messaging.toml"),
    ),
    (
        "rules/ai-and-saas.toml",
        include_str!("../../rules/ai-and-saas.toml"),
    ),
];

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
    /// Report only where no other rule matched the same text (for generic
    /// rules such as a high-entropy `password = …`).
    #[serde(default)]
    pub fallback: bool,
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
    /// An offline check of the secret's own structure (see [`Validator`]).
    #[serde(default)]
    pub validator: Option<String>,
    /// The provider's documentation for this credential.
    #[serde(default)]
    pub docs: Option<String>,
    /// How to rotate and revoke it: where in the provider's dashboard.
    #[serde(default)]
    pub rotate: Option<String>,
    /// What someone holding the key can do.
    #[serde(default)]
    pub impact: Option<String>,
    /// How to check whether it was misused.
    #[serde(default)]
    pub misuse: Option<String>,
    /// How to find the services that will break when it is rotated.
    #[serde(default)]
    pub dependents: Option<String>,
    /// The environment variable the code should read it from instead.
    #[serde(default)]
    pub env_var: Option<String>,
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
    /// Literal, case-insensitive substrings of which one must occur in the
    /// file for this context to be tried (and its regex compiled).
    #[serde(default)]
    pub keywords: Vec<String>,
    pub why: String,
}

pub enum ContextKind {
    Assignment { name: Lazy },
    Pattern { pattern: Lazy },
}

pub struct Context {
    pub kind: ContextKind,
    pub file: Option<Lazy>,
    /// Lower-case; empty means always tried.
    pub keywords: Vec<String>,
    pub why: String,
}

/// A regex compiled on first use. A project's own regexes are compiled when
/// the rule is loaded (see [`check_regex`]), and the test suite compiles every
/// built-in one, so a failure here is a bug in the catalog, not in user input.
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

    /// Already compiled (a project's rule, checked at load).
    fn compiled(source: String, re: Regex) -> Lazy {
        let cell = OnceLock::new();
        let _ = cell.set(re);
        Lazy { source, cell }
    }

    pub fn get(&self) -> &Regex {
        self.cell.get_or_init(|| {
            Regex::new(&self.source).expect("rule regexes are validated at load time")
        })
    }
}

pub struct Rule {
    pub id: String,
    pub provider: String,
    pub name: String,
    pub severity: Severity,
    pub block: bool,
    pub fallback: bool,
    pub keywords: Vec<String>,
    pub requires: Vec<String>,
    pub entropy: Option<f64>,
    pub validator: Option<Validator>,
    pub docs: Option<String>,
    pub rotate: Option<String>,
    pub impact: Option<String>,
    pub misuse: Option<String>,
    pub dependents: Option<String>,
    pub env_var: Option<String>,
    pub known_examples_sha256: Vec<String>,
    /// `^(?:secret)$`: does a whole value have the secret's shape?
    pub secret_whole: Lazy,
    pub contexts: Vec<Context>,
    pub examples: Examples,
}

impl Rule {
    /// Whether the rule is worth running over the printable runs of a binary
    /// file: its secret starts with a fixed literal of 3 or more characters
    /// (`ghp_`, `AKIA`, `-----BEGIN`) or carries a checksum. Rules that need a
    /// provider's context (a bare 25-character token) would only find noise
    /// in the strings of a binary.
    pub fn searches_binaries(&self) -> bool {
        if self.validator.is_some() {
            return true;
        }
        use regex_syntax::hir::literal::{ExtractKind, Extractor};
        let Ok(hir) = regex_syntax::Parser::new().parse(&self.secret_whole.source) else {
            return false;
        };
        let seq = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
        // Every match starts with one of a handful of fixed 3-character
        // heads: `xox` (the extractor also spells out the classes after
        // `xoxb-`), `hvs`/`hvb`/`hvr`, `sk_`/`rk_`, `---` for PEM headers.
        // `[12]/[0-9]…` spells out twenty: a shape, not a prefix.
        let (Some(min), Some(literals)) = (seq.min_literal_len(), seq.literals()) else {
            return false;
        };
        let mut heads: Vec<&[u8]> = literals
            .iter()
            .map(|l| &l.as_bytes()[..3.min(min)])
            .collect();
        heads.sort_unstable();
        heads.dedup();
        min >= 3 && heads.len() <= 4
    }
}

pub struct Catalog {
    pub rules: Vec<Rule>,
    /// [`Rule::searches_binaries`] per rule, worked out the first time a
    /// binary file turns up (a regex parse per rule: not for every hook run).
    binary_rules: OnceLock<Vec<bool>>,
    prefilter: Option<AhoCorasick>,
    keywords: Vec<String>,
    /// For each prefilter pattern, the rules it wakes up.
    keyword_rules: Vec<Vec<usize>>,
    /// Rules with no keyword run on every blob.
    always: Vec<usize>,
}

/// Offline checks of a secret's own structure, which reject look-alikes that
/// a regex cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validator {
    /// GitHub's and npm's token format: the part after the last `_` ends in six
    /// base62 characters that encode the CRC32 of the rest of that part.
    Crc32Base62,
}

impl Validator {
    pub const NAMES: &'static [&'static str] = &["crc32-base62"];

    fn from_name(name: &str) -> Option<Validator> {
        match name {
            "crc32-base62" => Some(Validator::Crc32Base62),
            _ => None,
        }
    }

    pub fn accepts(self, secret: &str) -> bool {
        match self {
            Validator::Crc32Base62 => {
                let body = secret.rsplit('_').next().unwrap_or(secret);
                if body.len() <= 6 || !body.is_ascii() {
                    return false;
                }
                let (payload, check) = body.split_at(body.len() - 6);
                base62_decode(check) == Some(u64::from(crc32fast::hash(payload.as_bytes())))
            }
        }
    }
}

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn base62_decode(s: &str) -> Option<u64> {
    s.bytes().try_fold(0u64, |n, b| {
        let d = BASE62.iter().position(|&c| c == b)? as u64;
        n.checked_mul(62)?.checked_add(d)
    })
}

/// Six base62 digits of `n`, zero-padded: the checksum GitHub and npm append.
pub fn base62_checksum(n: u32) -> String {
    let mut n = u64::from(n);
    let mut out = vec![b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8(out).expect("ascii")
}

/// The quote token usable in patterns: a quote, possibly escaped (JSON strings
/// inside notebooks escape theirs).
const QUOTE: &str = r#"\\{0,3}["'`]"#;

impl Catalog {
    /// The built-in rules.
    pub fn builtin() -> Result<Catalog> {
        Catalog::build(resolve_inheritance(builtin_specs()?)?)
    }

    /// The built-in rules as a project configures them: some disabled, some
    /// with another severity or blocking choice, plus the project's own rules
    /// (which may `inherit` a built-in one).
    pub fn for_project(project: &ProjectRules) -> Result<Catalog> {
        let origin = &project.origin;
        let mut specs = builtin_specs()?;
        for id in &project.disable {
            if !specs.iter().any(|(s, _)| &s.id == id) {
                bail!("{origin}: [rules] field `disable`: there is no built-in rule `{id}` (see `leakgate rules list`)");
            }
        }
        for (id, o) in &project.overrides {
            let Some((spec, _)) = specs.iter_mut().find(|(s, _)| &s.id == id) else {
                bail!("{origin}: [rules.override.{id}]: there is no built-in rule `{id}` (see `leakgate rules list`)");
            };
            if let Some(sev) = o.severity {
                spec.severity = sev;
            }
            if let Some(b) = o.block {
                spec.block = Some(b);
            }
        }
        // Inheritance resolves before disabling, so a project's rule can reuse
        // the contexts of a built-in one it turned off.
        for spec in &project.rules {
            specs.push((spec.clone(), origin.clone()));
        }
        let mut resolved = resolve_inheritance(specs)?;
        resolved.retain(|(s, _)| !project.disable.contains(&s.id));
        Catalog::build(resolved)
    }

    fn build(resolved: Vec<(RuleSpec, String)>) -> Result<Catalog> {
        let mut rules = Vec::with_capacity(resolved.len());
        for (spec, origin) in resolved {
            rules.push(compile_spec(spec, &origin)?);
        }
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            // A rule with no keywords but required literals is woken by those
            // (case-insensitively here; exactly in `candidates`).
            let wake = if rule.keywords.is_empty() {
                &rule.requires
            } else {
                &rule.keywords
            };
            if wake.is_empty() {
                always.push(i);
            }
            for kw in wake {
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
        let prefilter = build_prefilter(&keywords, AhoCorasickKind::ContiguousNFA)?;
        Ok(Catalog {
            rules,
            binary_rules: OnceLock::new(),
            prefilter,
            keywords,
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

    /// Rebuilds the keyword prefilter as a full DFA: a few milliseconds more
    /// to build (which a hook scanning ten files would feel), several times
    /// faster per byte (which a scan of a whole history needs).
    pub fn tune_for_throughput(&mut self) -> Result<()> {
        self.prefilter = build_prefilter(&self.keywords, AhoCorasickKind::DFA)?;
        Ok(())
    }

    /// Whether any rule could apply to `text`: [`Catalog::candidates`] without
    /// collecting them, stopping at the first.
    pub fn any_candidate(&self, text: &str) -> bool {
        let requires_ok = |i: usize| {
            self.rules[i]
                .requires
                .iter()
                .all(|r| text.contains(r.as_str()))
        };
        if self.always.iter().any(|&i| requires_ok(i)) {
            return true;
        }
        let Some(ac) = &self.prefilter else {
            return false;
        };
        ac.find_overlapping_iter(text).any(|m| {
            self.keyword_rules[m.pattern().as_usize()]
                .iter()
                .any(|&i| requires_ok(i))
        })
    }

    /// Whether rule `i` runs over binary files (see [`Rule::searches_binaries`]).
    pub fn searches_binaries(&self, i: usize) -> bool {
        self.binary_rules
            .get_or_init(|| self.rules.iter().map(Rule::searches_binaries).collect())[i]
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

fn build_prefilter(keywords: &[String], kind: AhoCorasickKind) -> Result<Option<AhoCorasick>> {
    if keywords.is_empty() {
        return Ok(None);
    }
    let ac = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .kind(Some(kind))
        .build(keywords)
        .context("building the keyword prefilter")?;
    Ok(Some(ac))
}

fn builtin_specs() -> Result<Vec<(RuleSpec, String)>> {
    let mut specs = Vec::new();
    for (file, text) in BUILTIN {
        let parsed: RuleFile =
            toml::from_str(text).map_err(|e| crate::config::toml_error(file, text, &e))?;
        specs.extend(parsed.rule.into_iter().map(|r| (r, file.to_string())));
    }
    Ok(specs)
}

/// What a project's `.leakgate.toml` says about rules.
#[derive(Debug, Clone, Default)]
pub struct ProjectRules {
    /// The file, as named in error messages.
    pub origin: String,
    pub disable: Vec<String>,
    pub overrides: Vec<(String, Override)>,
    pub rules: Vec<RuleSpec>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub severity: Option<Severity>,
    pub block: Option<bool>,
}

/// Resolves `inherit` (a rule may inherit only from one defined before it)
/// and rejects duplicate ids.
fn resolve_inheritance(specs: Vec<(RuleSpec, String)>) -> Result<Vec<(RuleSpec, String)>> {
    let mut out: Vec<(RuleSpec, String)> = Vec::with_capacity(specs.len());
    for (mut spec, origin) in specs {
        if let Some((_, first)) = out.iter().find(|(r, _)| r.id == spec.id) {
            bail!("{origin}: rule `{}` is already defined in {first}", spec.id);
        }
        if let Some(parent_id) = &spec.inherit {
            let (parent, _) = out
                .iter()
                .find(|(r, _)| &r.id == parent_id)
                .ok_or_else(|| {
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
            // Inherited once: resolving again must not look for the parent.
            spec.inherit = None;
        }
        out.push((spec, origin));
    }
    Ok(out)
}

/// A project's regex, compiled now: a rule that does not parse, or parses but
/// is too big to compile (`\w{1000}\w{1000}` blows the size limit), is an
/// error naming the file, rule and field, not a crash on the first blob that
/// wakes it. Built-in rules stay lazy (`None`): the test suite compiles every
/// one, and at some 40 µs a pattern compiling them on every hook run would
/// cost more than the scan.
fn check_regex(origin: &str, id: &str, field: &str, source: &str) -> Result<Lazy> {
    if is_builtin(origin) {
        return Ok(Lazy::new(source.to_string()));
    }
    let re = Regex::new(source)
        .map_err(|e| anyhow!("{origin}: rule `{id}`, field `{field}`: invalid regex: {e}"))?;
    Ok(Lazy::compiled(source.to_string(), re))
}

fn is_builtin(origin: &str) -> bool {
    BUILTIN.iter().any(|(file, _)| *file == origin)
}

fn compile_spec(spec: RuleSpec, origin: &str) -> Result<Rule> {
    let id = spec.id.clone();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        bail!("{origin}: rule `{id}`, field `id`: use lowercase letters, digits and dashes");
    }
    // The secret is pasted into larger regexes: on its own it must be a
    // whole regex, or `a)|(b` would splice an alternation into each of them.
    if !is_builtin(origin) {
        regex_syntax::Parser::new()
            .parse(&spec.secret)
            .map_err(|e| anyhow!("{origin}: rule `{id}`, field `secret`: invalid regex: {e}"))?;
    }
    let secret_whole = check_regex(origin, &id, "secret", &format!("^(?:{})$", spec.secret))?;
    if spec.context.is_empty() {
        bail!("{origin}: rule `{id}`, field `context`: a rule needs at least one context");
    }
    for h in &spec.known_examples_sha256 {
        if h.len() != 64 || !h.chars().all(|c| c.is_ascii_hexdigit()) {
            bail!("{origin}: rule `{id}`, field `known_examples_sha256`: `{h}` is not a SHA-256 hex digest");
        }
    }
    let validator = match spec.validator.as_deref() {
        None => None,
        Some(name) => Some(Validator::from_name(name).ok_or_else(|| {
            anyhow!(
                "{origin}: rule `{id}`, field `validator`: unknown validator `{name}` (known: {})",
                Validator::NAMES.join(", ")
            )
        })?),
    };
    let mut contexts = Vec::with_capacity(spec.context.len());
    for (n, c) in spec.context.iter().enumerate() {
        let field = |f: &str| format!("context[{n}].{f}");
        let kind = match c.kind.as_str() {
            "assignment" => {
                let name = c.name.clone().ok_or_else(|| {
                    anyhow!("{origin}: rule `{id}`, field `{}`: required for kind = \"assignment\"", field("name"))
                })?;
                let name = check_regex(origin, &id, &field("name"), &name)?;
                if c.pattern.is_some() {
                    bail!("{origin}: rule `{id}`, field `{}`: only for kind = \"pattern\"", field("pattern"));
                }
                ContextKind::Assignment { name }
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
                ContextKind::Pattern {
                    pattern: check_regex(origin, &id, &field("pattern"), &full)?,
                }
            }
            other => bail!(
                "{origin}: rule `{id}`, field `{}`: unknown kind `{other}` (expected \"assignment\" or \"pattern\")",
                field("kind")
            ),
        };
        let file = match &c.file {
            Some(f) => Some(check_regex(origin, &id, &field("file"), f)?),
            None => None,
        };
        contexts.push(Context {
            kind,
            file,
            keywords: c.keywords.iter().map(|k| k.to_ascii_lowercase()).collect(),
            why: c.why.clone(),
        });
    }
    Ok(Rule {
        id,
        provider: spec.provider,
        name: spec.name,
        severity: spec.severity,
        block: spec.block.unwrap_or(true),
        fallback: spec.fallback,
        keywords: spec.keywords,
        requires: spec.requires,
        entropy: spec.entropy,
        validator,
        docs: spec.docs,
        rotate: spec.rotate,
        impact: spec.impact,
        misuse: spec.misuse,
        dependents: spec.dependents,
        env_var: spec.env_var,
        known_examples_sha256: spec.known_examples_sha256,
        secret_whole,
        contexts,
        examples: spec.examples,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binaries_are_searched_with_prefixed_and_checksummed_rules_only() {
        let catalog = Catalog::builtin().unwrap();
        let binary = |id: &str| {
            let i = catalog.rules.iter().position(|r| r.id == id).unwrap();
            catalog.searches_binaries(i)
        };
        for id in [
            "github-classic-pat",
            "aws-access-key-id",
            "stripe-live-secret-key",
            "gitlab-personal-access-token",
            "npm-access-token",
            "pem-rsa-private-key",
            "pem-pkcs8-private-key",
            "pem-encrypted-private-key",
            "slack-bot-token",
            "hashicorp-vault-token",
            "stripe-test-secret-key",
        ] {
            assert!(binary(id), "{id} should run on binaries");
        }
        for id in [
            "messagebird-access-key",
            "aws-secret-access-key",
            "asana-personal-access-token",
            "generic-secret-assignment",
        ] {
            assert!(!binary(id), "{id} needs its context, not for binaries");
        }
    }

    #[test]
    fn project_regexes_are_compiled_when_loaded() {
        let rule = |secret: &str, pattern: &str| {
            let spec: RuleSpec = toml::from_str(&format!(
                "id = \"x\"\nprovider = \"X\"\nname = \"X\"\nseverity = \"high\"\nsecret = '{secret}'\n[[context]]\nkind = \"pattern\"\npattern = '{pattern}'\nwhy = \"w\"\n"
            ))
            .unwrap();
            let project = ProjectRules {
                origin: ".leakgate.toml".into(),
                rules: vec![spec],
                ..ProjectRules::default()
            };
            Catalog::for_project(&project)
                .map(drop)
                .map_err(|e| e.to_string())
        };
        assert!(rule("acme_[a-z]{8}", "{secret}").is_ok());
        let big = rule(r"\w{1000}\w{1000}", "{secret}").unwrap_err();
        assert!(
            big.contains(".leakgate.toml") && big.contains("rule `x`") && big.contains("`secret`"),
            "{big}"
        );
        let spliced = rule("a)|(b", "{secret}").unwrap_err();
        assert!(spliced.contains("field `secret`"), "{spliced}");
        let look = rule("(?=a)b", "{secret}").unwrap_err();
        assert!(look.contains("field `secret`"), "{look}");
        let twice = rule("ab", "{secret}{secret}").unwrap_err();
        assert!(twice.contains("context[0].pattern"), "{twice}");
    }
}

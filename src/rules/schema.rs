//! The rule schema: what a rule file (built-in, or a project's
//! `.leakgate.toml`) may say, as typed values.
//!
//! Everything that has a fixed set of values is an enum that serde reads, so
//! a misspelt `kind` or `validator` is a load error naming the file, the rule
//! and the field, never a string compared at run time.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

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

/// Where a rule was defined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A file of the built-in catalog (`rules/*.toml`, embedded at build
    /// time). Its regexes are compiled on first use; the test suite compiles
    /// every one.
    Builtin(&'static str),
    /// A project's own file (`.leakgate.toml`): everything in it is compiled
    /// and checked when it is loaded.
    Project(String),
}

impl Origin {
    pub fn is_builtin(&self) -> bool {
        matches!(self, Origin::Builtin(_))
    }

    /// The file, as named in error messages.
    pub fn file(&self) -> &str {
        match self {
            Origin::Builtin(f) => f,
            Origin::Project(f) => f,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file())
    }
}

/// Offline checks of a secret's own structure, which reject look-alikes that
/// a regex cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Validator {
    /// GitHub's and npm's token format: the part after the last `_` ends in six
    /// base62 characters that encode the CRC32 of the rest of that part.
    #[serde(rename = "crc32-base62")]
    Crc32Base62,
    /// A signed JSON Web Token (header and payload decode as JSON, `alg` is
    /// not `none`), not expired, not issued by Kubernetes (checked by the
    /// engine, which decodes it: `engine::jwt`).
    #[serde(rename = "jwt")]
    Jwt,
    /// The same, past its `exp`.
    #[serde(rename = "jwt-expired")]
    JwtExpired,
    /// A Kubernetes service-account token, expired or not.
    #[serde(rename = "jwt-kubernetes")]
    JwtKubernetes,
}

/// How a context ties a secret to its provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContextType {
    /// A value assigned to a name, or under a parent key, that matches `name`.
    Assignment,
    /// A regex with `{secret}` in it.
    Pattern,
    /// The whole file is the credential (a keystore, a password database),
    /// known by its `path`: reported once, at its start, its fingerprint
    /// taken over its contents.
    File,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RuleFile {
    #[serde(default)]
    pub rule: Vec<RuleSpec>,
}

/// A rule as written in TOML.
#[derive(Debug, Clone, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    /// Take `keywords`, `reject` and `context` from another rule when this one
    /// has none (a provider's test-mode key appears wherever its live key
    /// does).
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
    /// Requirements on the secret's value that a regex states badly (a digit
    /// somewhere, a minimum length not counting separators), checked in code
    /// after `secret` matched.
    #[serde(default)]
    pub value: Option<ValueSpec>,
    /// Case-insensitive words of which one must occur in a text for the rule
    /// to run (the prefilter).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Words that mark a value as an identifier, not a key, when they occur
    /// in its random part (`MessagebirdLiveKey`). Absent: the rule's
    /// keywords, as before the two were separate.
    #[serde(default)]
    pub reject: Option<Vec<String>>,
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
    pub validator: Option<Validator>,
    /// The provider's documentation for this credential.
    #[serde(default)]
    pub docs: Option<String>,
    /// Further documentation of the key's format (URLs).
    #[serde(default)]
    pub references: Vec<String>,
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
    /// For a credential a tool writes into its own file (`.pgpass`, a
    /// FileZilla site list): the tool, and how to keep that file out of the
    /// repository (`.gitignore` lines, the tool's setting to store
    /// credentials elsewhere). Shown by `leakgate explain`.
    #[serde(default)]
    pub prevent: Option<String>,
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
    /// How to ask the provider whether a found key works (`--verify`).
    #[serde(default)]
    pub verify: Option<VerifySpec>,
}

/// Reads a rule so that an error names it and its field: `rule `acme-key`,
/// field `context[1].kind`: unknown variant …`. The TOML reader adds the file
/// and line.
impl<'de> Deserialize<'de> for RuleSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RuleSpec, D::Error> {
        use serde::de::Error as _;
        let mut table = toml::Table::deserialize(d)?;
        let id = match table.get("id") {
            Some(toml::Value::String(id)) => format!("rule `{id}`"),
            _ => "a rule".to_string(),
        };
        let contexts = table.remove("context");
        let mut spec = RuleSpec::deserialize(toml::Value::Table(table))
            .map_err(|e| D::Error::custom(with_field(&id, "", &e)))?;
        match contexts {
            None => {}
            Some(toml::Value::Array(items)) => {
                for (n, item) in items.into_iter().enumerate() {
                    let c = ContextSpec::deserialize(item).map_err(|e| {
                        D::Error::custom(with_field(&id, &format!("context[{n}]"), &e))
                    })?;
                    spec.context.push(c);
                }
            }
            Some(_) => {
                return Err(D::Error::custom(format!(
                    "{id}, field `context`: expected [[rule.context]] tables"
                )))
            }
        }
        Ok(spec)
    }
}

/// `rule `x`, field `context[0].kind`: message`, from a TOML value error
/// (whose display ends with the key path, `in `kind``).
fn with_field(id: &str, prefix: &str, e: &toml::de::Error) -> String {
    let shown = e.to_string();
    let key = shown
        .lines()
        .last()
        .and_then(|l| l.strip_prefix("in `"))
        .and_then(|l| l.strip_suffix('`'));
    let field = match (prefix, key) {
        ("", Some(k)) => k.to_string(),
        (p, Some(k)) => format!("{p}.{k}"),
        (p, None) => p.to_string(),
    };
    let message = e.message().trim_end();
    if field.is_empty() {
        // `missing field `name`` names its field itself.
        format!("{message} in {id}")
    } else {
        format!("{id}, field `{field}`: {message}")
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default, rename = "match")]
    pub matching: Vec<String>,
    #[serde(default)]
    pub no_match: Vec<String>,
    /// The path every example is read at, for a rule whose contexts need
    /// one (`config/master.key`); none: examples have no path.
    #[serde(default)]
    pub path: Option<String>,
    /// How each example is written, after its templates are expanded:
    /// `"text"` (the default) or `"hex"`, the file's bytes in hex, for a
    /// binary file (`feedfeed<<hex:64>>` is a JKS keystore's signature and
    /// 32 random bytes).
    #[serde(default)]
    pub encoding: ExampleEncoding,
}

/// How a rule's examples are written (see [`Examples::encoding`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExampleEncoding {
    #[default]
    Text,
    Hex,
}

/// How many bytes at the start of a file a `magic` regex sees: every
/// signature sits in a file's first few bytes, and a bounded window keeps a
/// careless regex from reading a whole large file.
pub const MAGIC_WINDOW: usize = 512;

/// One way a secret is tied to its provider.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextSpec {
    pub kind: ContextType,
    /// For `assignment`: a regex the name (or a parent key) must match.
    #[serde(default)]
    pub name: Option<String>,
    /// For `pattern`: a regex with `{secret}` (and optionally `{q}`, a quote).
    #[serde(default)]
    pub pattern: Option<String>,
    /// A regex that must match somewhere in the same file.
    #[serde(default)]
    pub file: Option<String>,
    /// A regex the file's path must match (repository-relative, `/`
    /// between folders), for a format known by its file name: `.pgpass`
    /// lines are `host:port:db:user:password` and look like nothing else
    /// only there. A text without a path (standard input) never matches.
    #[serde(default)]
    pub path: Option<String>,
    /// For `file`: a byte regex (Unicode off, `\xFE` is one byte) the
    /// file's first [`MAGIC_WINDOW`] bytes must match, anchored with `\A`
    /// where the format puts its signature: a keystore is known by its name
    /// and then confirmed by its bytes, so a text file or an empty
    /// placeholder with that name is not reported.
    #[serde(default)]
    pub magic: Option<String>,
    /// Literal, case-insensitive substrings of which one must occur in the
    /// file for this context to be tried (and its regex compiled).
    #[serde(default)]
    pub keywords: Vec<String>,
    pub why: String,
}

/// `[rule.value]`: the value must meet at least one of `any_of`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueSpec {
    pub any_of: Vec<ValueRequirements>,
}

/// One set of requirements on a secret's value; all must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueRequirements {
    /// Characters allowed besides ASCII letters and digits (`"+/=_-"`).
    #[serde(default)]
    pub extra_chars: String,
    /// A character that may stand alone between two others (not first, not
    /// last, never doubled), and that does not count towards the length.
    #[serde(default)]
    pub separator: Option<char>,
    /// Fewest characters, separators not counted.
    #[serde(default)]
    pub min_length: usize,
    /// Most characters, separators not counted.
    #[serde(default)]
    pub max_length: Option<usize>,
    /// At least one ASCII digit.
    #[serde(default)]
    pub digits: bool,
    /// At least one upper-case ASCII letter.
    #[serde(default)]
    pub upper: bool,
    /// At least one lower-case ASCII letter.
    #[serde(default)]
    pub lower: bool,
    /// At least one of `extra_chars`.
    #[serde(default)]
    pub symbols: bool,
}

impl ValueRequirements {
    /// Why these requirements can never be met, or make no sense.
    pub(super) fn problem(&self) -> Option<String> {
        if let Some(c) = self.extra_chars.chars().find(|c| !c.is_ascii_punctuation()) {
            return Some(format!(
                "`extra_chars` holds `{}`: only ASCII punctuation (letters and digits are always allowed)",
                c.escape_debug()
            ));
        }
        if let Some(s) = self.separator {
            if !s.is_ascii_punctuation() {
                return Some(format!(
                    "`separator` `{}` is not ASCII punctuation",
                    s.escape_debug()
                ));
            }
            if self.extra_chars.contains(s) {
                return Some(format!(
                    "`separator` `{s}` is also in `extra_chars`: it is one or the other"
                ));
            }
        }
        if self.max_length.is_some_and(|max| max < self.min_length) {
            return Some("`max_length` is below `min_length`".to_string());
        }
        if self.symbols && self.extra_chars.is_empty() {
            return Some("`symbols = true` needs `extra_chars`".to_string());
        }
        None
    }

    /// Whether `value` meets every requirement.
    pub fn accepts(&self, value: &str) -> bool {
        let (mut len, mut digits, mut upper, mut lower, mut symbols) =
            (0, false, false, false, false);
        let mut after_separator = true;
        for c in value.chars() {
            if Some(c) == self.separator {
                // Not first, not doubled.
                if after_separator {
                    return false;
                }
                after_separator = true;
                continue;
            }
            after_separator = false;
            len += 1;
            match c {
                '0'..='9' => digits = true,
                'A'..='Z' => upper = true,
                'a'..='z' => lower = true,
                c if self.extra_chars.contains(c) => symbols = true,
                _ => return false,
            }
        }
        // Not last.
        !self.separator.is_some_and(|s| value.ends_with(s))
            && len >= self.min_length
            && self.max_length.is_none_or(|max| len <= max)
            && (digits || !self.digits)
            && (upper || !self.upper)
            && (lower || !self.lower)
            && (symbols || !self.symbols)
    }
}

/// `[rule.verify]`: one request to the provider's own API that tells a
/// working key from a dead one, as data, so a provider is a data change.
/// `{secret}` is the key found; `{pair}` the value `pair` finds beside it
/// (Twilio's account SID, AWS's access key id). Neither can ever be in the
/// URL's scheme or host: [`VerifySpec::problem`] holds every rule file to
/// that, at build time for the built-in ones.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifySpec {
    pub method: HttpMethod,
    /// `https://` and the provider's documented host, fixed; the path and
    /// query may hold `{secret}` / `{pair}` (percent-encoded when sent).
    pub url: String,
    /// Header name to value template (`Authorization = "Bearer {secret}"`).
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, String>,
    /// HTTP basic authentication: user and password templates.
    #[serde(default)]
    pub basic: Option<BasicAuth>,
    /// A request body template, sent with `content_type`.
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub content_type: Option<String>,
    /// Statuses that mean the key works.
    pub live: Vec<u16>,
    /// Statuses that mean the provider refused the key.
    #[serde(default)]
    pub revoked: Vec<u16>,
    /// A live answer must also contain one of these in its body (Slack
    /// answers 200 to a dead token, with `"ok":false`).
    #[serde(default)]
    pub live_body: Vec<String>,
    /// When set, an answer means revoked only when its body contains one of
    /// these (a live or revoked status alike): AWS's `InvalidClientTokenId`
    /// is a dead key, its `SignatureDoesNotMatch` a wrong pairing.
    #[serde(default)]
    pub revoked_body: Vec<String>,
    /// The second half of a credential that only works as a pair, looked
    /// for in the same text, nearest the key first.
    #[serde(default)]
    pub pair: Option<PairSpec>,
    /// A request signature computed from the key (`aws-sigv4`).
    #[serde(default)]
    pub sign: Option<SignSpec>,
    /// The one part of the host taken from the scanned text: a single DNS
    /// label (Shopify's shop name) under a fixed parent domain. The URL's
    /// host is then exactly `{subdomain}.<parent>`.
    #[serde(default)]
    pub subdomain: Option<SubdomainSpec>,
}

/// `[rule.verify.subdomain]`: a provider whose API host is the customer's
/// own subdomain of the provider's domain (`acme.myshopify.com`). Only one
/// label is ever taken from the text, and only as [`dns_label`] accepts it,
/// so the host can be nothing but a subdomain of `parent`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubdomainSpec {
    /// What it is, for reports ("shop domain").
    pub name: String,
    /// A regex; its first capture group (or the whole match), nearest the
    /// key, is the label.
    pub pattern: String,
    /// The provider's fixed domain (`myshopify.com`): at least two labels.
    pub parent: String,
}

impl SubdomainSpec {
    /// The host a check is sent to for `label` (as found in the text), or
    /// `None` when the label is not one DNS label or the host would not be
    /// a subdomain of the parent.
    pub fn host(&self, label: &str) -> Option<String> {
        let label = dns_label(label)?;
        let host = format!("{label}.{}", self.parent);
        (host.ends_with(&format!(".{}", self.parent))
            && host.len() == label.len() + 1 + self.parent.len())
        .then_some(host)
    }
}

/// `raw` as one DNS label, lower-cased (DNS does not tell cases apart):
/// `[a-z0-9][a-z0-9-]{0,62}`, nothing else. No dot (another level), no
/// `@`, `:` or `/` (a user part, a port, a path), nothing longer than a
/// label may be.
pub fn dns_label(raw: &str) -> Option<String> {
    let label = raw.to_ascii_lowercase();
    let mut chars = label.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    (first_ok && rest_ok && label.len() <= 63).then_some(label)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum HttpMethod {
    #[serde(rename = "GET")]
    Get,
    #[serde(rename = "POST")]
    Post,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    pub user: String,
    #[serde(default)]
    pub password: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairSpec {
    /// What it is, for reports ("account SID").
    pub name: String,
    /// A regex; its first capture group (or the whole match) is `{pair}`.
    pub pattern: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignSpec {
    /// `aws-sigv4`: `{pair}` is the access key id, `{secret}` the secret key.
    pub scheme: SignScheme,
    pub region: String,
    pub service: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum SignScheme {
    #[serde(rename = "aws-sigv4")]
    AwsSigV4,
}

impl VerifySpec {
    /// What is wrong with this check, if anything: the field and why.
    pub fn problem(&self) -> Option<String> {
        let Some(rest) = self.url.strip_prefix("https://") else {
            return Some("`url` must start with https://: a key is never sent in the clear".into());
        };
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        if let Some(sub) = &self.subdomain {
            // The only templated host: one label under a fixed parent.
            let parent_ok = sub.parent.split('.').count() >= 2
                && sub
                    .parent
                    .split('.')
                    .all(|l| dns_label(l).as_deref() == Some(l));
            if !parent_ok {
                return Some(format!(
                    "`subdomain.parent`: `{}` must be a fixed domain of at least two labels (lower-case letters, digits, `-`)",
                    sub.parent
                ));
            }
            if host != format!("{{subdomain}}.{}", sub.parent) {
                return Some(format!(
                    "`url`: with `subdomain`, the host must be exactly `{{subdomain}}.{}`",
                    sub.parent
                ));
            }
            if rest[host.len()..].contains("{subdomain}") {
                return Some("`url`: `{subdomain}` goes in the host only".into());
            }
        } else if host.is_empty()
            || !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        {
            return Some(format!(
                "`url`: the host `{host}` must be a fixed host name (letters, digits, `-`, `.`; no port, user, or template)"
            ));
        }
        // `{word}` is a template, and only two exist; any other brace (a
        // JSON or GraphQL body) is text.
        let placeholders = |field: &str, t: &str| -> Option<String> {
            // `{subdomain}` only in the URL, and only with `subdomain`.
            let known = |name: &str| {
                matches!(name, "secret" | "pair")
                    || (name == "subdomain" && field == "url" && self.subdomain.is_some())
            };
            let mut rest = t;
            while let Some(i) = rest.find('{') {
                let after = &rest[i + 1..];
                let word = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                let (name, next) = after.split_at(word);
                if !name.is_empty() && next.starts_with('}') && !known(name) {
                    return Some(format!(
                        "`{field}`: unknown template `{{{name}}}` (only {{secret}} and {{pair}}, and {{subdomain}} in the host of a check with `subdomain`)"
                    ));
                }
                rest = next;
            }
            None
        };
        let mut fields: Vec<(String, &str)> = vec![("url".into(), &self.url)];
        for (k, v) in &self.headers {
            if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Some(format!("`headers`: `{k}` is not a header name"));
            }
            if v.contains(['\r', '\n']) {
                return Some(format!("`headers.{k}`: a line break in a header value"));
            }
            fields.push((format!("headers.{k}"), v));
        }
        if let Some(b) = &self.basic {
            fields.push(("basic.user".into(), &b.user));
            fields.push(("basic.password".into(), &b.password));
        }
        if let Some(b) = &self.body {
            fields.push(("body".into(), b));
        }
        for (f, t) in &fields {
            if let Some(p) = placeholders(f, t) {
                return Some(p);
            }
        }
        let uses = |name: &str| fields.iter().any(|(_, t)| t.contains(name));
        if !uses("{secret}") && self.sign.is_none() {
            return Some(
                "the check never sends `{secret}` (url, headers, basic, body or sign)".into(),
            );
        }
        if (uses("{pair}") || self.sign.is_some()) && self.pair.is_none() {
            return Some(
                "`{pair}` or `sign` needs `pair` (what to look for beside the key)".into(),
            );
        }
        if self.body.is_some() != self.content_type.is_some() {
            return Some("`body` and `content_type` go together".into());
        }
        if self.body.is_some() && self.method == HttpMethod::Get {
            return Some("`body`: a GET request has none".into());
        }
        if self.live.is_empty() {
            return Some("`live`: at least one status".into());
        }
        for s in self.live.iter().chain(&self.revoked) {
            if !(200..300).contains(s) && !(400..500).contains(s) {
                return Some(format!(
                    "status {s}: only 2xx and 4xx answers say something about a key (a redirect is never followed, a 5xx is the provider's problem)"
                ));
            }
        }
        if self.live.iter().any(|s| self.revoked.contains(s)) {
            return Some("a status is both `live` and `revoked`".into());
        }
        // No `revoked` at all is allowed: where a refusal at this host does
        // not prove the key dead (a provider with regional hosts), only
        // `live` is read and anything else is unknown.
        if !self.revoked_body.is_empty() && self.revoked.is_empty() && self.live.is_empty() {
            return Some("`revoked_body` needs a `revoked` or `live` status to read it on".into());
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_requirements_count_classes_and_separators() {
        let base = ValueRequirements {
            extra_chars: "+/".into(),
            min_length: 4,
            ..ValueRequirements::default()
        };
        assert!(base.accepts("ab+/"));
        assert!(!base.accepts("ab+"), "too short");
        assert!(!base.accepts("ab+_"), "`_` is not allowed");
        assert!(!base.accepts("ab.c"), "no separator given");
        let dotted = ValueRequirements {
            separator: Some('.'),
            max_length: Some(5),
            digits: true,
            upper: true,
            lower: true,
            ..base.clone()
        };
        assert!(dotted.accepts("aB.3c"));
        assert!(dotted.accepts("a.B.3.c.d"), "dots do not count");
        assert!(!dotted.accepts("a.B.3.c.d.e"), "six characters");
        assert!(!dotted.accepts(".aB3c") && !dotted.accepts("aB3c.") && !dotted.accepts("aB..3c"));
        assert!(!dotted.accepts("ab.3c"), "no upper case");
        assert!(!dotted.accepts("AB.3C"), "no lower case");
        assert!(!dotted.accepts("aB.cd"), "no digit");
        let symbols = ValueRequirements {
            symbols: true,
            ..base
        };
        assert!(symbols.accepts("abc+") && !symbols.accepts("abcd"));
        assert!(!symbols.accepts(""));
    }

    #[test]
    fn a_host_label_from_the_text_is_one_dns_label_or_nothing() {
        assert_eq!(dns_label("acme").as_deref(), Some("acme"));
        assert_eq!(dns_label("my-shop-2").as_deref(), Some("my-shop-2"));
        assert_eq!(dns_label("0shop").as_deref(), Some("0shop"));
        // DNS does not tell cases apart: the same host, lower-cased.
        assert_eq!(dns_label("AcMe").as_deref(), Some("acme"));
        let longest = "a".repeat(63);
        assert_eq!(dns_label(&longest), Some(longest.clone()));
        for bad in [
            "",
            "a.b",
            "evil.com",
            "acme.myshopify.com",
            "user@acme",
            "acme/x",
            "acme:443",
            "-acme",
            "ac me",
            "ac_me",
            "acme\n",
            "ac%2eme",
            "\u{e9}cole",
            "\u{212a}elvin",
        ] {
            assert_eq!(dns_label(bad), None, "{bad:?}");
        }
        assert_eq!(dns_label(&"a".repeat(64)), None, "longer than a label");

        let sub = SubdomainSpec {
            name: "shop domain".into(),
            pattern: String::new(),
            parent: "myshopify.com".into(),
        };
        assert_eq!(sub.host("Acme").as_deref(), Some("acme.myshopify.com"));
        for bad in ["evil.com", "evil.com/", "x@evil.com", "evil.com#", ""] {
            assert_eq!(sub.host(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_host_from_the_text_is_only_ever_a_label_under_the_fixed_parent() {
        let spec = |url: &str, parent: &str| -> VerifySpec {
            toml::from_str(&format!(
                "method = 'GET'\nurl = '{url}'\nheaders = {{ X-Token = '{{secret}}' }}\n\
                 live = [200]\n[subdomain]\nname = 'shop'\npattern = 'x'\nparent = '{parent}'"
            ))
            .expect("a verify spec")
        };
        let good = "https://{subdomain}.myshopify.com/admin/api/2025-10/shop.json";
        assert_eq!(spec(good, "myshopify.com").problem(), None);
        for (url, parent) in [
            // The parent must be a fixed domain, not a top-level one.
            ("https://{subdomain}.com/x", "com"),
            ("https://{subdomain}.my_shop.com/x", "my_shop.com"),
            ("https://{subdomain}.MyShopify.com/x", "MyShopify.com"),
            // The host is exactly `{subdomain}.<parent>`.
            (
                "https://{subdomain}.myshopify.com.evil.com/x",
                "myshopify.com",
            ),
            ("https://{subdomain}.evil.com/x", "myshopify.com"),
            (
                "https://{subdomain}{subdomain}.myshopify.com/x",
                "myshopify.com",
            ),
            ("https://a.{subdomain}.myshopify.com/x", "myshopify.com"),
            ("https://{subdomain}.myshopify.com:8443/x", "myshopify.com"),
            ("http://{subdomain}.myshopify.com/x", "myshopify.com"),
            // And only the host.
            (
                "https://{subdomain}.myshopify.com/{subdomain}",
                "myshopify.com",
            ),
        ] {
            assert!(
                spec(url, parent).problem().is_some(),
                "{url} under {parent}"
            );
        }
        // Without `subdomain`, `{subdomain}` is an unknown template.
        let plain: VerifySpec = toml::from_str(
            "method = 'GET'\nurl = 'https://api.example.com/{subdomain}'\n\
             headers = { X-Token = '{secret}' }\nlive = [200]",
        )
        .unwrap();
        assert!(plain.problem().is_some());
    }
}

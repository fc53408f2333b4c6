//! Rules are data: TOML files embedded in the binary (and, later, a user's own
//! `.leakgate.toml`), each rule carrying the shape of its secret, the contexts that
//! tie a token to a provider, and its own examples and negative examples.
//!
//! Loading is cheap on purpose: build.rs reads every built-in file with the
//! schema (a schema error fails the build) and lists each rule's id, keywords
//! and required literals as Rust data. At start-up only the keyword prefilter
//! is built; a built-in rule's own TOML is parsed, and its regexes compiled,
//! the first time a blob's keywords say the rule could apply. A hook that
//! scans ten small files must not pay for the whole catalog.

mod keywords;
mod literals;
pub mod schema;
pub mod testgen;
pub mod values;

use std::collections::HashMap;
use std::ops::{ControlFlow, Index, Range};
use std::sync::OnceLock;

use anyhow::{anyhow, bail, Result};
use keywords::Keywords;
use regex::Regex;
use regex_automata::meta;
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::util::syntax;
use regex_automata::Input;
use serde::Deserialize;

use schema::RuleFile;
pub use schema::{
    ContextSpec, ContextType, ExampleEncoding, Examples, Origin, RuleSpec, Severity, Validator,
    ValueRequirements, ValueSpec, MAGIC_WINDOW,
};

// The built-in catalog: every `rules/*.toml`, sorted by file name, embedded
// at build time (see build.rs), and `BUILTIN_RULES`, its rules in order. A new
// provider file is a data-only change.
include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// A built-in rule as build.rs lists it: what the prefilter needs, and where
/// the rest is.
struct BuiltinRule {
    /// Index into `BUILTIN`.
    file: usize,
    /// The rule's own text in its file, from its `[[rule]]` line to the next.
    text: Range<usize>,
    id: &'static str,
    /// The rule it inherits from (`inherit`), by index in `BUILTIN_RULES`.
    parent: Option<usize>,
    /// Its keywords, inherited ones included, as written.
    keywords: &'static [&'static str],
    requires: &'static [&'static str],
    /// The `path` regexes of its contexts (inherited ones included).
    paths: &'static [&'static str],
    /// Its contexts' keywords (lower case) and the words their assignment
    /// names cannot match without ([`literals::required`]), as
    /// [`Catalog::context_words`] reads them from a parsed rule: a history
    /// scan needs every rule's, and parsing every rule costs more than the
    /// scan of a small history.
    context_words: &'static [&'static str],
}

pub enum ContextKind {
    Assignment {
        name: Lazy<ShortRegex>,
    },
    Pattern {
        pattern: Lazy,
    },
    /// The whole file (see [`ContextType::File`]), confirmed by its first
    /// bytes when the rule says how ([`ContextSpec::magic`]).
    File {
        magic: Option<Lazy<BytesRegex>>,
    },
}

pub struct Context {
    pub kind: ContextKind,
    pub file: Option<Lazy>,
    /// The path the text must be at (see [`ContextSpec::path`]).
    pub path: Option<Lazy<ShortRegex>>,
    /// Lower-case; empty means always tried.
    pub keywords: Vec<String>,
    /// For an assignment context: sets of lower-case words from its `name`
    /// regex, each of which the text must hold one of for the context to
    /// find anything ([`literals::required`]).
    pub words: Vec<Vec<String>>,
    pub why: String,
    /// See [`Context::line_local`]; worked out on first need.
    line_local: OnceLock<bool>,
    /// See [`Context::file_line_local`].
    file_local: OnceLock<bool>,
    /// See [`Context::file_words`].
    file_words: OnceLock<Vec<Vec<String>>>,
}

impl Context {
    /// Whether every match of this context lies within one line and
    /// depends only on that line and what the engine reads from the whole
    /// text anyway (keywords, enclosing keys, the answer of its `file`
    /// test, which the engine carries from version to version and compares):
    /// a pattern that can match no line break and does not anchor at the
    /// text's start or end. Such a context can be searched on some lines of
    /// a text only (the engine's focused scans of a new version).
    pub fn line_local(&self) -> bool {
        *self.line_local.get_or_init(|| match &self.kind {
            ContextKind::Assignment { .. } => true,
            ContextKind::Pattern { pattern } => line_local_regex(&pattern.source),
            ContextKind::File { .. } => false,
        })
    }

    /// Whether the context's `file` test is a regex no match of which can
    /// hold a line break or depend on the text's ends (see
    /// [`Context::line_local`]): its answer for a new version of a text
    /// changes only if it matches a changed line.
    pub fn file_line_local(&self) -> bool {
        *self.file_local.get_or_init(|| {
            self.file
                .as_ref()
                .is_some_and(|f| line_local_regex(&f.source))
        })
    }

    /// Sets of lower-case words the `file` test cannot match without, one
    /// word of each set ([`literals::required`]): a text lacking them fails
    /// the test without a search, and a line-local test needs searching on
    /// the lines that hold them only.
    pub fn file_words(&self) -> &[Vec<String>] {
        self.file_words.get_or_init(|| {
            self.file
                .as_ref()
                .map(|f| literals::required(&f.source))
                .unwrap_or_default()
        })
    }
}

/// Whether no match of the regex `source` can hold a line break or depend
/// on the start or end of the whole text (`^`, `$` and `\A`, `\z` without
/// the multi-line flag).
fn line_local_regex(source: &str) -> bool {
    use regex_syntax::hir::{Class, Hir, HirKind, Look};
    fn local(h: &Hir) -> bool {
        match h.kind() {
            HirKind::Empty => true,
            HirKind::Literal(l) => !l.0.contains(&b'\n'),
            HirKind::Class(Class::Unicode(c)) => !c
                .ranges()
                .iter()
                .any(|r| r.start() <= '\n' && '\n' <= r.end()),
            HirKind::Class(Class::Bytes(c)) => !c
                .ranges()
                .iter()
                .any(|r| r.start() <= b'\n' && b'\n' <= r.end()),
            HirKind::Look(l) => !matches!(l, Look::Start | Look::End),
            HirKind::Repetition(r) => local(&r.sub),
            HirKind::Capture(c) => local(&c.sub),
            HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().all(local),
        }
    }
    regex_syntax::Parser::new()
        .parse(source)
        .is_ok_and(|hir| local(&hir))
}

/// A regex compiled on first use. A project's own regexes are compiled when
/// the rule is loaded (see [`check_regex`]), and the test suite compiles every
/// built-in one, so a failure here is a bug in the catalog, not in user input.
/// `R` is [`Regex`] for the regexes searched over whole texts and
/// [`ShortRegex`] for those matched against a name or a value.
pub struct Lazy<R = Regex> {
    source: String,
    cell: OnceLock<R>,
    min_len: OnceLock<usize>,
}

/// A regex matched against short strings (an assignment's name, a whole
/// value). Built for a cheap start: ASCII semantics when its pattern allows
/// (`(?i)`, `\s`, `\w`, `\b` over ASCII; keys and the names they are
/// assigned to are ASCII), no prefilter (a name is a few bytes: a literal
/// searcher would never pay back building it) and no capture groups. A
/// pattern that needs Unicode (a project's `\p{L}`) is compiled with it.
/// Regexes searched over whole texts stay [`Regex`], with prefilters and
/// Unicode: as byte regexes, measured on real histories, some sent the lazy
/// DFA into giving up and a history scan took twice as long. Compiling the
/// rules a MessageBird key wakes took 12.5 of the 21.8 million instructions
/// of a blocked commit (callgrind) before this.
pub struct ShortRegex(meta::Regex);

impl ShortRegex {
    pub fn is_match(&self, haystack: &str) -> bool {
        self.0.is_match(haystack.as_bytes())
    }

    /// The first match at or after byte `start`, as a byte range.
    pub fn find_at(&self, haystack: &str, start: usize) -> Option<std::ops::Range<usize>> {
        let input = Input::new(haystack.as_bytes()).range(start..);
        self.0.search(&input).map(|m| m.range())
    }
}

/// How each kind of rule regex is built; the error is the regex's own
/// message.
pub trait Compile: Sized {
    fn compile(source: &str) -> Result<Self, String>;
}

impl Compile for Regex {
    fn compile(source: &str) -> Result<Self, String> {
        Regex::new(&ascii_word_boundaries(source)).map_err(|e| e.to_string())
    }
}

/// `source` with each word boundary (`\b`, `\B`, `\b{start}`, ...) made an
/// ASCII one (`(?-u:\b)`). A Unicode word boundary stops the lazy DFA at the
/// first non-ASCII byte of a text, and the regex finishes the search in the
/// PikeVM, several times slower: an 8 MB HTML page with a few accented
/// letters took seconds. Keys are ASCII, so where they start and end reads
/// the same either way; only a letter such as `é` glued to a key now counts
/// as a boundary.
fn ascii_word_boundaries(source: &str) -> std::borrow::Cow<'_, str> {
    if !source.contains("\\b") && !source.contains("\\B") {
        return std::borrow::Cow::Borrowed(source);
    }
    let mut out = String::with_capacity(source.len() + 16);
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(b @ ('b' | 'B')) => {
                out.push_str("(?-u:\\");
                out.push(b);
                // `\b{start}`, `\b{end}`, `\b{start-half}`, `\b{end-half}`.
                if b == 'b' && chars.peek() == Some(&'{') {
                    for c in chars.by_ref() {
                        out.push(c);
                        if c == '}' {
                            break;
                        }
                    }
                }
                out.push(')');
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A regex over bytes, Unicode off: a binary file's signature.
pub type BytesRegex = regex::bytes::Regex;

impl Compile for BytesRegex {
    fn compile(source: &str) -> Result<Self, String> {
        regex::bytes::RegexBuilder::new(source)
            .unicode(false)
            .build()
            .map_err(|e| e.to_string())
    }
}

impl Compile for ShortRegex {
    fn compile(source: &str) -> Result<Self, String> {
        let build = |unicode: bool| {
            meta::Builder::new()
                .configure(
                    meta::Config::new()
                        .auto_prefilter(false)
                        .which_captures(WhichCaptures::Implicit)
                        .onepass(false)
                        .dfa(false),
                )
                .syntax(syntax::Config::new().unicode(unicode).utf8(false))
                .build(source)
                .map_err(|e| match e.syntax_error() {
                    Some(syntax) => syntax.to_string(),
                    None => e.to_string(),
                })
        };
        build(false).or_else(|_| build(true)).map(ShortRegex)
    }
}

impl<R: Compile> Lazy<R> {
    fn new(source: String) -> Lazy<R> {
        Lazy {
            source,
            cell: OnceLock::new(),
            min_len: OnceLock::new(),
        }
    }

    /// Already compiled (a project's rule, checked at load).
    fn compiled(source: String, re: R) -> Lazy<R> {
        let cell = OnceLock::new();
        let _ = cell.set(re);
        Lazy {
            source,
            cell,
            min_len: OnceLock::new(),
        }
    }

    /// The fewest bytes a match can have (read from the regex's syntax,
    /// without compiling it).
    pub fn min_len(&self) -> usize {
        *self.min_len.get_or_init(|| {
            regex_syntax::Parser::new()
                .parse(&self.source)
                .ok()
                .and_then(|hir| hir.properties().minimum_len())
                .unwrap_or(0)
        })
    }

    pub fn get(&self) -> &R {
        self.cell.get_or_init(|| {
            R::compile(&self.source).expect("rule regexes are validated at load time")
        })
    }
}

pub struct Rule {
    pub id: String,
    /// The file that defined it.
    pub origin: Origin,
    pub provider: String,
    pub name: String,
    pub severity: Severity,
    pub block: bool,
    pub fallback: bool,
    /// The prefilter: one must occur for the rule to run.
    pub keywords: Vec<String>,
    /// Lower-case words (4 characters or more) that, inside a value's random
    /// part, mark it as an identifier (see [`RuleSpec::reject`]).
    pub reject: Vec<String>,
    pub requires: Vec<String>,
    pub entropy: Option<f64>,
    pub validator: Option<Validator>,
    /// Any one of these the value must meet, besides the `secret` regex
    /// (empty: no requirement).
    pub value: Vec<ValueRequirements>,
    pub docs: Option<String>,
    /// Documentation of the key's format (URLs).
    pub references: Vec<String>,
    pub rotate: Option<String>,
    pub impact: Option<String>,
    pub misuse: Option<String>,
    pub dependents: Option<String>,
    pub prevent: Option<String>,
    pub env_var: Option<String>,
    pub known_examples_sha256: Vec<String>,
    /// `^(?:secret)$`: does a whole value have the secret's shape?
    pub secret_whole: Lazy<ShortRegex>,
    /// `(?:secret)`: could a text hold a value of the secret's shape at all?
    /// (A value that is one holds a match; compiled only when asked.)
    pub secret_anywhere: Lazy,
    pub contexts: Vec<Context>,
    pub examples: Examples,
    /// `[rule.verify]`: how `--verify` asks the provider (built-in rules
    /// only; the `verify` module sends it).
    pub verify: Option<std::sync::Arc<crate::rules::schema::VerifySpec>>,
}

impl Rule {
    /// Whether a whole value has the secret's shape: its regex and its value
    /// requirements.
    pub fn shape_matches(&self, value: &str) -> bool {
        self.secret_whole.get().is_match(value) && self.value_ok(value)
    }

    /// The fewest bytes a value of the secret's shape has.
    pub fn min_value_len(&self) -> usize {
        self.secret_whole.min_len()
    }

    /// The value requirements alone (for a secret a context's regex found).
    pub fn value_ok(&self, value: &str) -> bool {
        self.value.is_empty() || self.value.iter().any(|r| r.accepts(value))
    }

    /// Whether the rule reports whole files (a keystore), not a key
    /// written in one: every context is a `file` one.
    pub fn is_whole_file(&self) -> bool {
        !self.contexts.is_empty()
            && self
                .contexts
                .iter()
                .all(|c| matches!(c.kind, ContextKind::File { .. }))
    }

    /// Whether the rule is worth running over the printable runs of a binary
    /// file: its secret starts with a fixed literal of 3 or more characters
    /// (`ghp_`, `AKIA`, `-----BEGIN`) or carries a checksum. Rules that need a
    /// provider's context (a bare 25-character token) would only find noise
    /// in the strings of a binary.
    pub fn searches_binaries(&self) -> bool {
        // A keystore or a password database is binary by nature.
        if self.validator.is_some()
            || self
                .contexts
                .iter()
                .any(|c| matches!(c.kind, ContextKind::File { .. }))
        {
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

/// The rules of a catalog, in order. A built-in rule is parsed and compiled
/// the first time it is looked at (by index, or by iterating), so a run pays
/// only for the rules its text wakes up; a project's rules are compiled when
/// the project's file is loaded.
pub struct Rules {
    entries: Vec<Entry>,
}

struct Entry {
    source: Source,
    rule: OnceLock<Rule>,
    /// [`Rule::searches_binaries`], worked out the first time a binary file
    /// wakes the rule (a regex parse: not for every hook run).
    binary: OnceLock<bool>,
}

enum Source {
    /// `BUILTIN_RULES[index]`, with a project's overrides.
    Builtin {
        index: usize,
        severity: Option<Severity>,
        block: Option<bool>,
    },
    /// A project's rule, compiled when its file was loaded.
    Project,
}

impl Entry {
    fn builtin(index: usize) -> Entry {
        Entry {
            source: Source::Builtin {
                index,
                severity: None,
                block: None,
            },
            rule: OnceLock::new(),
            binary: OnceLock::new(),
        }
    }

    fn project(rule: Rule) -> Entry {
        Entry {
            source: Source::Project,
            rule: OnceLock::from(rule),
            binary: OnceLock::new(),
        }
    }

    fn get(&self) -> &Rule {
        self.rule.get_or_init(|| {
            self.load().unwrap_or_else(|e| {
                panic!("{e:#} (a bug in the built-in catalog, which `cargo test` loads whole)")
            })
        })
    }

    fn try_get(&self) -> Result<&Rule> {
        if let Some(rule) = self.rule.get() {
            return Ok(rule);
        }
        let rule = self.load()?;
        Ok(self.rule.get_or_init(|| rule))
    }

    fn load(&self) -> Result<Rule> {
        match self.source {
            Source::Builtin {
                index,
                severity,
                block,
            } => {
                let (mut spec, origin) = builtin_spec(index)?;
                if let Some(sev) = severity {
                    spec.severity = sev;
                }
                if let Some(b) = block {
                    spec.block = Some(b);
                }
                compile_spec(spec, &origin)
            }
            Source::Project => unreachable!("a project's rule is compiled when loaded"),
        }
    }

    fn id(&self) -> &str {
        match self.source {
            Source::Builtin { index, .. } => BUILTIN_RULES[index].id,
            Source::Project => &self.get().id,
        }
    }

    /// The words that wake the rule: its keywords, or without any its
    /// required literals (matched case-insensitively by the prefilter).
    fn wake(&self) -> Vec<&str> {
        match self.source {
            Source::Builtin { index, .. } => {
                let b = &BUILTIN_RULES[index];
                if b.keywords.is_empty() {
                    b.requires.to_vec()
                } else {
                    b.keywords.to_vec()
                }
            }
            Source::Project => {
                let rule = self.get();
                let words = if rule.keywords.is_empty() {
                    &rule.requires
                } else {
                    &rule.keywords
                };
                words.iter().map(String::as_str).collect()
            }
        }
    }

    /// The `path` regexes of the rule's contexts, known without parsing it.
    fn paths(&self) -> Vec<&str> {
        match self.source {
            Source::Builtin { index, .. } => BUILTIN_RULES[index].paths.to_vec(),
            Source::Project => self
                .get()
                .contexts
                .iter()
                .filter_map(|c| c.path.as_ref().map(|p| p.source.as_str()))
                .collect(),
        }
    }

    /// Whether every required literal of the rule occurs in `text`.
    fn requires_met(&self, text: &str) -> bool {
        match self.source {
            Source::Builtin { index, .. } => BUILTIN_RULES[index]
                .requires
                .iter()
                .all(|r| text.contains(r)),
            Source::Project => self
                .get()
                .requires
                .iter()
                .all(|r| text.contains(r.as_str())),
        }
    }
}

/// The rules of a [`Rules`], in order.
pub struct RuleIter<'a>(std::slice::Iter<'a, Entry>);

impl<'a> Iterator for RuleIter<'a> {
    type Item = &'a Rule;

    fn next(&mut self) -> Option<&'a Rule> {
        self.0.next().map(Entry::get)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for RuleIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(Entry::get)
    }
}

impl ExactSizeIterator for RuleIter<'_> {}

impl Rules {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every rule, in order (each built-in one parsed now if not yet).
    pub fn iter(&self) -> RuleIter<'_> {
        RuleIter(self.entries.iter())
    }

    pub fn first(&self) -> Option<&Rule> {
        self.entries.first().map(Entry::get)
    }

    pub fn last(&self) -> Option<&Rule> {
        self.entries.last().map(Entry::get)
    }
}

impl Index<usize> for Rules {
    type Output = Rule;

    fn index(&self, i: usize) -> &Rule {
        self.entries[i].get()
    }
}

impl<'a> IntoIterator for &'a Rules {
    type Item = &'a Rule;
    type IntoIter = RuleIter<'a>;

    fn into_iter(self) -> RuleIter<'a> {
        self.iter()
    }
}

/// A `path` regex and its literal gate (see [`literals::required`]).
struct PathRegex {
    words: Vec<Vec<String>>,
    re: Lazy<ShortRegex>,
}

impl PathRegex {
    fn new(source: &str) -> PathRegex {
        PathRegex {
            words: literals::required(source),
            re: Lazy::new(source.to_string()),
        }
    }

    /// `lower` is `path` in ASCII lower case.
    fn matches(&self, path: &str, lower: &str) -> bool {
        self.words
            .iter()
            .all(|set| set.iter().any(|w| lower.contains(w.as_str())))
            && self.re.get().is_match(path)
    }
}

pub struct Catalog {
    pub rules: Rules,
    /// The prefilter over every rule's keywords and required literals.
    keywords: Keywords,
    /// For each prefilter pattern, the rules it wakes up.
    keyword_rules: Vec<Vec<usize>>,
    /// Rules with no keyword run on every blob.
    always: Vec<usize>,
    /// Every distinct `path` regex of the catalog's contexts, each behind
    /// the words its matches cannot do without, compiled only when a path
    /// holds them: a hook classifying `src/main.rs` compiles none.
    paths: Vec<PathRegex>,
    /// Rules without keywords that have a `path`: woken by the path (a
    /// `config/master.key` holds nothing but the key), with the indices of
    /// their regexes in `paths`.
    by_path: Vec<(usize, Vec<usize>)>,
    /// Every word a test of a whole text looks for (see
    /// [`Catalog::same_words`]), built on first need.
    context_words: OnceLock<ContextWords>,
    /// Other scanners' inline markers (`gitleaks:allow`, `pragma: allowlist
    /// secret`) let a line through; `[compat] markers = false` turns it off.
    pub foreign_markers: bool,
    /// `[scan] exclude`: paths no source reads (set with the config, see
    /// `context::Settings`). Carried here because the catalog goes wherever
    /// a scan goes.
    pub excludes: crate::paths::Excludes,
    /// The allowlist's value tests, run by the engine on each secret it
    /// finds (see [`values`]).
    pub values: values::ValueTests,
}

/// The words the engine's whole-text tests look for: rules' keywords and
/// required literals, contexts' keywords and the words of their names
/// (lower-case, found in any case), and required literals as written (found
/// as written, as [`Entry::requires_met`] does).
struct ContextWords {
    words: Vec<String>,
    automaton: Option<aho_corasick::AhoCorasick>,
    /// Required literals, matched as written, each with its searcher.
    exact: Vec<memchr::memmem::Finder<'static>>,
}

/// The words a parsed rule's contexts look for: their keywords and the
/// words their assignment names cannot match without.
fn rule_context_words(rule: &Rule) -> impl Iterator<Item = String> + '_ {
    rule.contexts
        .iter()
        .flat_map(|c| c.keywords.iter().chain(c.words.iter().flatten()).cloned())
}

/// GitHub's and npm's token checksum: the last six base62 characters of the
/// part after the last `_` are the CRC32 of the rest of that part. (The
/// engine checks each validator; this is the offline half of
/// `validator = "crc32-base62"`.)
pub fn crc32_base62_ok(secret: &str) -> bool {
    let body = secret.rsplit('_').next().unwrap_or(secret);
    if body.len() <= 6 || !body.is_ascii() {
        return false;
    }
    let (payload, check) = body.split_at(body.len() - 6);
    base62_decode(check) == Some(u64::from(crc32fast::hash(payload.as_bytes())))
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
        Catalog::build((0..BUILTIN_RULES.len()).map(Entry::builtin).collect())
    }

    /// The built-in rules as a project configures them: some disabled, some
    /// with another severity or blocking choice, plus the project's own rules
    /// (which may `inherit` a built-in one).
    pub fn for_project(project: &ProjectRules) -> Result<Catalog> {
        let origin = &project.origin;
        let project_origin = Origin::Project(origin.clone());
        let builtin_index: HashMap<&str, usize> = BUILTIN_RULES
            .iter()
            .enumerate()
            .map(|(i, b)| (b.id, i))
            .collect();
        for id in &project.disable {
            if !builtin_index.contains_key(id.as_str()) {
                bail!("{origin}: [rules] field `disable`: there is no built-in rule `{id}` (see `leakgate rules list`)");
            }
        }
        let mut entries: Vec<Entry> = (0..BUILTIN_RULES.len()).map(Entry::builtin).collect();
        for (id, o) in &project.overrides {
            let Some(&i) = builtin_index.get(id.as_str()) else {
                bail!("{origin}: [rules.override.{id}]: there is no built-in rule `{id}` (see `leakgate rules list`)");
            };
            if let Source::Builtin {
                severity, block, ..
            } = &mut entries[i].source
            {
                if let Some(sev) = o.severity {
                    *severity = Some(sev);
                }
                if let Some(b) = o.block {
                    *block = Some(b);
                }
            }
        }
        // Inheritance resolves before disabling, so a project's rule can reuse
        // the contexts of a built-in one it turned off.
        let mut own: Vec<RuleSpec> = Vec::with_capacity(project.rules.len());
        for spec in &project.rules {
            let mut spec = spec.clone();
            if let Some(&i) = builtin_index.get(spec.id.as_str()) {
                let first = BUILTIN[BUILTIN_RULES[i].file].0;
                bail!(
                    "{project_origin}: rule `{}` is already defined in {first}",
                    spec.id
                );
            }
            if own.iter().any(|r| r.id == spec.id) {
                bail!(
                    "{project_origin}: rule `{}` is already defined in {project_origin}",
                    spec.id
                );
            }
            if let Some(parent_id) = &spec.inherit {
                let parent = match builtin_index.get(parent_id.as_str()) {
                    Some(&i) => builtin_spec(i)?.0,
                    None => own
                        .iter()
                        .find(|r| &r.id == parent_id)
                        .cloned()
                        .ok_or_else(|| {
                            anyhow!(
                    "{project_origin}: rule `{}`, field `inherit`: no earlier rule is called `{parent_id}`",
                    spec.id
                )
                        })?,
                };
                inherit(&mut spec, &parent);
            }
            own.push(spec);
        }
        entries.retain(|e| !project.disable.iter().any(|d| d == e.id()));
        for spec in own {
            entries.push(Entry::project(compile_spec(spec, &project_origin)?));
        }
        let mut catalog = Catalog::build(entries)?;
        catalog.foreign_markers = !project.no_foreign_markers;
        Ok(catalog)
    }

    fn build(entries: Vec<Entry>) -> Result<Catalog> {
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut position: HashMap<String, usize> = HashMap::new();
        let mut always = Vec::new();
        let mut paths: Vec<PathRegex> = Vec::new();
        let mut sources: Vec<String> = Vec::new();
        let mut by_path = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            let mut mine = Vec::new();
            for p in entry.paths() {
                let at = match sources.iter().position(|q| q == p) {
                    Some(at) => at,
                    None => {
                        sources.push(p.to_string());
                        paths.push(PathRegex::new(p));
                        paths.len() - 1
                    }
                };
                mine.push(at);
            }
            // A rule with no keywords but required literals is woken by those
            // (case-insensitively here; exactly in `candidates`); one with
            // neither, by its path if it has one, or else by every text.
            let wake = entry.wake();
            if wake.is_empty() {
                if mine.is_empty() {
                    always.push(i);
                } else {
                    by_path.push((i, mine));
                }
            }
            for kw in wake {
                let kw = kw.to_ascii_lowercase();
                match position.get(&kw) {
                    Some(&p) => keyword_rules[p].push(i),
                    None => {
                        position.insert(kw.clone(), keywords.len());
                        keywords.push(kw);
                        keyword_rules.push(vec![i]);
                    }
                }
            }
        }
        Ok(Catalog {
            rules: Rules { entries },
            keywords: Keywords::new(keywords),
            keyword_rules,
            always,
            paths,
            by_path,
            context_words: OnceLock::new(),
            foreign_markers: true,
            excludes: Default::default(),
            values: Default::default(),
        })
    }

    fn context_words(&self) -> &ContextWords {
        self.context_words.get_or_init(|| {
            let mut words: Vec<String> = Vec::new();
            let mut exact: Vec<String> = Vec::new();
            for entry in &self.rules.entries {
                // Built in: what build.rs read, without parsing the rule.
                let (keywords, requires, of_contexts): (Vec<&str>, Vec<&str>, Vec<String>) =
                    match entry.source {
                        Source::Builtin { index, .. } => {
                            let b = &BUILTIN_RULES[index];
                            let cw = b.context_words.iter().map(|w| w.to_string()).collect();
                            (b.keywords.to_vec(), b.requires.to_vec(), cw)
                        }
                        Source::Project => {
                            let rule = entry.get();
                            (
                                rule.keywords.iter().map(String::as_str).collect(),
                                rule.requires.iter().map(String::as_str).collect(),
                                rule_context_words(rule).collect(),
                            )
                        }
                    };
                words.extend(keywords.iter().map(|k| k.to_ascii_lowercase()));
                words.extend(requires.iter().map(|k| k.to_ascii_lowercase()));
                exact.extend(requires.iter().map(|r| r.to_string()));
                words.extend(of_contexts);
            }
            words.retain(|w| !w.is_empty());
            words.sort_unstable();
            words.dedup();
            exact.sort_unstable();
            exact.dedup();
            let automaton = (!words.is_empty()).then(|| {
                // Only history scans ask (for each new version's changed
                // lines): a DFA's build pays for itself there.
                aho_corasick::AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                    .build(&words)
                    .expect("the catalog's words build an automaton")
            });
            ContextWords {
                words,
                automaton,
                exact: exact
                    .iter()
                    .map(|r| memchr::memmem::Finder::new(r.as_bytes()).into_owned())
                    .collect(),
            }
        })
    }

    /// Whether a text and an earlier version of it hold the same words of
    /// those the catalog's whole-text tests look for, so that both wake the
    /// same rules and contexts. A word on both an added line (`added_text`)
    /// and a removed one (`removed_text`) is in both versions; any other
    /// word on either must also be on a line of `text` both have (those for
    /// which `added` is false, by byte offset).
    pub fn same_words(
        &self,
        added_text: &str,
        removed_text: &str,
        text: &str,
        added: impl Fn(usize) -> bool,
    ) -> bool {
        let cw = self.context_words();
        let mut wanted: Vec<&str> = Vec::new();
        if let Some(ac) = &cw.automaton {
            let on = |t: &str| {
                let mut hit = vec![false; cw.words.len()];
                for m in ac.find_overlapping_iter(t) {
                    hit[m.pattern().as_usize()] = true;
                }
                hit
            };
            let (plus, minus) = (on(added_text), on(removed_text));
            wanted.extend(
                (0..cw.words.len())
                    .filter(|&i| plus[i] != minus[i])
                    .map(|i| cw.words[i].as_str()),
            );
        }
        let kept = |start: usize, end: usize| !added(start) && !added(end - 1);
        if !wanted.is_empty() {
            // Each word in the text's lower case, until one of its places
            // is on a kept line: a memmem pass at most per word (an
            // automaton over words of one byte would step byte by byte).
            let lower = text.to_ascii_lowercase();
            let kept_somewhere = |w: &str| {
                memchr::memmem::find_iter(lower.as_bytes(), w.as_bytes())
                    .any(|at| kept(at, at + w.len()))
            };
            if !wanted.iter().all(|w| kept_somewhere(w)) {
                return false;
            }
        }
        let on = |f: &memchr::memmem::Finder, t: &str| f.find(t.as_bytes()).is_some();
        cw.exact
            .iter()
            .filter(|f| on(f, added_text) != on(f, removed_text))
            .all(|f| {
                let n = f.needle().len();
                f.find_iter(text.as_bytes()).any(|at| kept(at, at + n))
            })
    }

    /// The keyword-less rules that a text at `path` wakes (see `by_path`).
    pub fn path_candidates(&self, path: &str) -> Vec<usize> {
        if self.by_path.is_empty() {
            return Vec::new();
        }
        let class = self.path_class(path);
        self.by_path
            .iter()
            .filter(|(_, mine)| mine.iter().any(|p| class.contains(p)))
            .map(|(i, _)| *i)
            .collect()
    }

    /// Which of the catalog's `path` regexes `path` matches (by index; empty
    /// for almost every file). Two places of one blob with the same class
    /// scan alike, so a history scan reads a blob once per class, not once
    /// per path.
    pub fn path_class(&self, path: &str) -> Vec<usize> {
        if self.paths.is_empty() {
            return Vec::new();
        }
        let lower = path.to_ascii_lowercase();
        (0..self.paths.len())
            .filter(|&i| self.paths[i].matches(path, &lower))
            .collect()
    }

    /// Whether any rule depends on where a text is (a `path` context).
    pub fn knows_paths(&self) -> bool {
        !self.paths.is_empty()
    }

    /// Parses and compiles every rule not yet compiled: the first error names
    /// the file and the rule (for `leakgate rules`, and the test suite).
    pub fn load_all(&self) -> Result<()> {
        for e in &self.rules.entries {
            e.try_get()?;
        }
        Ok(())
    }

    /// Indices of the rules whose keywords occur in `text` (plus keyword-less
    /// rules), in catalog order.
    pub fn candidates(&self, text: &str) -> Vec<usize> {
        let mut hit = vec![false; self.rules.len()];
        for &i in &self.always {
            hit[i] = true;
        }
        let mut remaining = self.keyword_rules.len();
        let mut seen = vec![false; self.keyword_rules.len()];
        self.keywords.each(text.as_bytes(), |p| {
            if !seen[p] {
                seen[p] = true;
                for &r in &self.keyword_rules[p] {
                    hit[r] = true;
                }
                remaining -= 1;
                if remaining == 0 {
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        });
        hit.iter()
            .enumerate()
            .filter(|&(i, &h)| h && self.rules.entries[i].requires_met(text))
            .map(|(i, _)| i)
            .collect()
    }

    /// Rebuilds the keyword prefilter as a full DFA: a few milliseconds more
    /// to build (which a hook scanning ten files would feel), several times
    /// faster per byte (which a scan of a whole history needs).
    pub fn tune_for_throughput(&mut self) -> Result<()> {
        self.keywords.tune_for_throughput()
    }

    /// Whether any rule could apply to `text`: [`Catalog::candidates`] without
    /// collecting them, stopping at the first.
    pub fn any_candidate(&self, text: &str) -> bool {
        let requires_ok = |i: usize| self.rules.entries[i].requires_met(text);
        if self.always.iter().any(|&i| requires_ok(i)) {
            return true;
        }
        let mut any = false;
        self.keywords.each(text.as_bytes(), |p| {
            if self.keyword_rules[p].iter().any(|&i| requires_ok(i)) {
                any = true;
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        });
        any
    }

    /// Whether rule `i` runs over binary files (see [`Rule::searches_binaries`]).
    pub fn searches_binaries(&self, i: usize) -> bool {
        let entry = &self.rules.entries[i];
        *entry.binary.get_or_init(|| entry.get().searches_binaries())
    }

    /// Whether rule `i` is a built-in one (without parsing it).
    pub fn is_builtin(&self, i: usize) -> bool {
        matches!(self.rules.entries[i].source, Source::Builtin { .. })
    }

    /// The rule called `id` (parsing that one rule only).
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules
            .entries
            .iter()
            .find(|e| e.id() == id)
            .map(Entry::get)
    }
}

/// Built-in rule `index` as written, its inheritance resolved. Its text was
/// read with the schema at build time, so an error here is a bug.
fn builtin_spec(index: usize) -> Result<(RuleSpec, Origin)> {
    let b = &BUILTIN_RULES[index];
    let (file, whole) = BUILTIN[b.file];
    let text = &whole[b.text.clone()];
    let parsed: RuleFile = toml::from_str(text).map_err(|_| {
        // Read again where its lines are the file's, for the error's line.
        let mut padded = "\n".repeat(whole[..b.text.start].matches('\n').count());
        padded.push_str(text);
        match toml::from_str::<RuleFile>(&padded) {
            Err(e) => crate::toml_error::located(file, &padded, &e),
            Ok(_) => anyhow!("{file}: rule `{}` does not read on its own", b.id),
        }
    })?;
    let mut spec = parsed
        .rule
        .into_iter()
        .next()
        .ok_or_else(|| anyhow!("{file}: rule `{}` has no text", b.id))?;
    if let Some(p) = b.parent {
        let (parent, _) = builtin_spec(p)?;
        inherit(&mut spec, &parent);
    }
    Ok((spec, Origin::Builtin(file)))
}

/// What a project's `.leakgate.toml` says about rules.
#[derive(Debug, Clone, Default)]
pub struct ProjectRules {
    /// The file, as named in error messages.
    pub origin: String,
    /// `[compat] markers = false`: other scanners' inline markers are not
    /// honoured.
    pub no_foreign_markers: bool,
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

/// Takes `keywords`, `reject` and `context` from `parent` where `spec` has
/// none (`inherit`; build.rs resolves built-in rules the same way).
fn inherit(spec: &mut RuleSpec, parent: &RuleSpec) {
    if spec.keywords.is_empty() {
        spec.keywords = parent.keywords.clone();
        // The words that reject a value go with the keywords they
        // default to.
        if spec.reject.is_none() {
            spec.reject = parent.reject.clone();
        }
    }
    if spec.context.is_empty() {
        spec.context = parent.context.clone();
    }
    // Inherited once: resolving again must not look for the parent.
    spec.inherit = None;
}

/// A project's regex, compiled now: a rule that does not parse, or parses but
/// is too big to compile (`\w{1000}\w{1000}` blows the size limit), is an
/// error naming the file, rule and field, not a crash on the first blob that
/// wakes it. Built-in rules stay lazy: the test suite compiles every one, and
/// at some 40 µs a pattern compiling them on every hook run would cost more
/// than the scan.
fn check_regex<R: Compile>(
    origin: &Origin,
    id: &str,
    field: &str,
    source: &str,
) -> Result<Lazy<R>> {
    if origin.is_builtin() {
        return Ok(Lazy::new(source.to_string()));
    }
    let re = R::compile(source)
        .map_err(|e| anyhow!("{origin}: rule `{id}`, field `{field}`: invalid regex: {e}"))?;
    Ok(Lazy::compiled(source.to_string(), re))
}

/// Fewest characters a reject word may have: shorter ones turn up by chance
/// in random keys.
const MIN_REJECT_LEN: usize = 4;

/// A reject word as compared: lower case, without a trailing separator
/// (`messagebird_` rejects `…messagebird…`).
fn reject_word(word: &str) -> String {
    word.to_ascii_lowercase()
        .trim_end_matches(['_', '-', '.'])
        .to_string()
}

fn compile_spec(spec: RuleSpec, origin: &Origin) -> Result<Rule> {
    let id = spec.id.clone();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        bail!("{origin}: rule `{id}`, field `id`: use lowercase letters, digits and dashes");
    }
    let field_error = |field: &str, problem: &str| -> anyhow::Error {
        anyhow!("{origin}: rule `{id}`, field `{field}`: {problem}")
    };
    // The secret is pasted into larger regexes: on its own it must be a
    // whole regex, or `a)|(b` would splice an alternation into each of them.
    if !origin.is_builtin() {
        regex_syntax::Parser::new()
            .parse(&spec.secret)
            .map_err(|e| field_error("secret", &format!("invalid regex: {e}")))?;
    }
    let secret_whole = check_regex(origin, &id, "secret", &format!("^(?:{})$", spec.secret))?;
    let secret_anywhere = check_regex(origin, &id, "secret", &format!("(?:{})", spec.secret))?;
    if spec.context.is_empty() {
        return Err(field_error("context", "a rule needs at least one context"));
    }
    // A check decides where a found key is sent: a repository's own file
    // (which a clone brings along) must never choose that.
    if spec.verify.is_some() && !origin.is_builtin() {
        return Err(field_error(
            "verify",
            "only built-in rules verify keys: a project's file cannot choose where a key is sent",
        ));
    }
    for (field, words) in [("keywords", &spec.keywords), ("requires", &spec.requires)] {
        if words.iter().any(|w| w.is_empty()) {
            return Err(field_error(field, "an empty string would match every text"));
        }
    }
    // Absent, the words that reject a value are the rule's keywords (too
    // short ones left out); written out, each must be long enough to mean it.
    let reject: Vec<String> = match &spec.reject {
        None => spec
            .keywords
            .iter()
            .map(|k| reject_word(k))
            .filter(|k| k.len() >= MIN_REJECT_LEN)
            .collect(),
        Some(words) => {
            let mut out = Vec::with_capacity(words.len());
            for w in words {
                let word = reject_word(w);
                if word.len() < MIN_REJECT_LEN {
                    return Err(field_error(
                        "reject",
                        &format!("`{w}` is shorter than {MIN_REJECT_LEN} characters: it would turn up by chance in random keys"),
                    ));
                }
                out.push(word);
            }
            out
        }
    };
    if let Some(e) = spec.entropy {
        if !(0.0..=8.0).contains(&e) {
            return Err(field_error("entropy", "bits per character run from 0 to 8"));
        }
    }
    let value = match &spec.value {
        None => Vec::new(),
        Some(v) => {
            if v.any_of.is_empty() {
                return Err(field_error(
                    "value.any_of",
                    "list at least one set of requirements",
                ));
            }
            for (n, r) in v.any_of.iter().enumerate() {
                if let Some(problem) = r.problem() {
                    return Err(field_error(&format!("value.any_of[{n}]"), &problem));
                }
            }
            v.any_of.clone()
        }
    };
    for r in &spec.references {
        if !(r.starts_with("https://") || r.starts_with("http://"))
            || r.contains(char::is_whitespace)
        {
            return Err(field_error("references", &format!("`{r}` is not a URL")));
        }
    }
    for h in &spec.known_examples_sha256 {
        if h.len() != 64 || !h.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(field_error(
                "known_examples_sha256",
                &format!("`{h}` is not a SHA-256 hex digest"),
            ));
        }
    }
    let mut contexts = Vec::with_capacity(spec.context.len());
    for (n, c) in spec.context.iter().enumerate() {
        let field = |f: &str| format!("context[{n}].{f}");
        let mut words = Vec::new();
        let kind = match c.kind {
            ContextType::Assignment => {
                let name = c.name.clone().ok_or_else(|| {
                    field_error(&field("name"), "required for kind = \"assignment\"")
                })?;
                words = literals::required(&name);
                let name = check_regex(origin, &id, &field("name"), &name)?;
                if c.pattern.is_some() {
                    return Err(field_error(
                        &field("pattern"),
                        "only for kind = \"pattern\"",
                    ));
                }
                ContextKind::Assignment { name }
            }
            ContextType::Pattern => {
                let p = c.pattern.clone().ok_or_else(|| {
                    field_error(&field("pattern"), "required for kind = \"pattern\"")
                })?;
                if !p.contains("{secret}") {
                    return Err(field_error(&field("pattern"), "must contain {secret}"));
                }
                if c.name.is_some() {
                    return Err(field_error(
                        &field("name"),
                        "only for kind = \"assignment\"",
                    ));
                }
                let full = p
                    .replace("{secret}", &format!("(?P<secret>{})", spec.secret))
                    .replace("{q}", QUOTE);
                ContextKind::Pattern {
                    pattern: check_regex(origin, &id, &field("pattern"), &full)?,
                }
            }
            ContextType::File => {
                if c.path.is_none() {
                    return Err(field_error(
                        &field("path"),
                        "required for kind = \"file\" (the file is known by its name)",
                    ));
                }
                if c.name.is_some() || c.pattern.is_some() {
                    return Err(field_error(
                        &field(if c.name.is_some() { "name" } else { "pattern" }),
                        "not for kind = \"file\" (the whole file is the credential)",
                    ));
                }
                ContextKind::File {
                    magic: match &c.magic {
                        Some(m) => Some(check_regex(origin, &id, &field("magic"), m)?),
                        None => None,
                    },
                }
            }
        };
        if c.magic.is_some() && !matches!(c.kind, ContextType::File) {
            return Err(field_error(
                &field("magic"),
                "only for kind = \"file\" (a binary file's signature)",
            ));
        }
        let file = match &c.file {
            Some(f) => Some(check_regex(origin, &id, &field("file"), f)?),
            None => None,
        };
        let path = match &c.path {
            Some(p) => Some(check_regex(origin, &id, &field("path"), p)?),
            None => None,
        };
        if c.keywords.iter().any(|k| k.is_empty()) {
            return Err(field_error(
                &field("keywords"),
                "an empty string would match every text",
            ));
        }
        contexts.push(Context {
            kind,
            file,
            path,
            keywords: c.keywords.iter().map(|k| k.to_ascii_lowercase()).collect(),
            words,
            why: c.why.clone(),
            line_local: OnceLock::new(),
            file_local: OnceLock::new(),
            file_words: OnceLock::new(),
        });
    }
    Ok(Rule {
        id,
        origin: origin.clone(),
        provider: spec.provider,
        name: spec.name,
        severity: spec.severity,
        block: spec.block.unwrap_or(true),
        fallback: spec.fallback,
        keywords: spec.keywords,
        reject,
        requires: spec.requires,
        entropy: spec.entropy,
        validator: spec.validator,
        value,
        docs: spec.docs,
        references: spec.references,
        rotate: spec.rotate,
        impact: spec.impact,
        misuse: spec.misuse,
        dependents: spec.dependents,
        prevent: spec.prevent,
        env_var: spec.env_var,
        known_examples_sha256: spec.known_examples_sha256,
        secret_whole,
        secret_anywhere,
        contexts,
        examples: spec.examples,
        verify: spec.verify.map(std::sync::Arc::new),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The context words build.rs writes for each built-in rule are the
    /// ones its parsed contexts look for: a missing one would let a history
    /// scan search a new version only where it changed when a word on a
    /// changed line woke a context.
    #[test]
    fn build_time_context_words_are_the_parsed_rules_words() {
        let catalog = Catalog::builtin().unwrap();
        for (i, b) in BUILTIN_RULES.iter().enumerate() {
            let rule = &catalog.rules[i];
            assert_eq!(rule.id, b.id);
            let set = |v: Vec<String>| -> std::collections::BTreeSet<String> {
                v.into_iter().filter(|w| !w.is_empty()).collect()
            };
            let built = set(b.context_words.iter().map(|w| w.to_string()).collect());
            let parsed = set(rule_context_words(rule).collect());
            assert_eq!(built, parsed, "rule `{}`", b.id);
        }
    }

    #[test]
    fn word_boundaries_become_ascii_and_escapes_stay() {
        assert_eq!(
            ascii_word_boundaries(r"\bsk_[a-z]{4}\B\\b\b{start}x"),
            r"(?-u:\b)sk_[a-z]{4}(?-u:\B)\\b(?-u:\b{start})x"
        );
        assert_eq!(ascii_word_boundaries(r"plain\d"), r"plain\d");
        let re = <Regex as Compile>::compile(r"\bkey_[a-z0-9]{8}\b").unwrap();
        let text = "é key_abcd1234 ".repeat(1000) + "xkey_abcd1234";
        assert_eq!(re.find_iter(&text).count(), 1000);
    }

    /// The words gate in front of each `path` regex never turns away a
    /// path the regex matches: checked on every rule's example path, in
    /// other cases and folders, and on look-alikes.
    #[test]
    fn path_gates_agree_with_their_regexes() {
        let catalog = Catalog::builtin().unwrap();
        catalog.load_all().unwrap();
        let mut paths: Vec<String> = Vec::new();
        for rule in catalog.rules.iter() {
            if let Some(p) = &rule.examples.path {
                for v in [
                    p.clone(),
                    p.to_ascii_uppercase(),
                    format!("deep/er/{p}"),
                    format!("{p}.bak"),
                    format!("x{p}"),
                ] {
                    paths.push(v);
                }
            }
        }
        paths.extend(
            [
                "src/main.rs",
                "ops/Team.KDBX",
                "home/dev/.PGPASS",
                "config/master.key",
                "General/.dbeaver/credentials-config.json",
                "android/app/debug.keystore",
                "Default/Login Data For Account",
            ]
            .map(String::from),
        );
        let mut gated = 0;
        for p in &catalog.paths {
            let plain = Regex::new(&p.re.source).unwrap();
            for path in &paths {
                let lower = path.to_ascii_lowercase();
                assert_eq!(
                    p.matches(path, &lower),
                    plain.is_match(path),
                    "{} on {path}",
                    p.re.source
                );
            }
            gated += usize::from(!p.words.is_empty());
        }
        // Most path regexes name a file: a gate keeps them uncompiled.
        assert!(
            gated * 2 > catalog.paths.len(),
            "{gated} of {}",
            catalog.paths.len()
        );
    }

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

    /// A project's `.leakgate.toml` loaded as the tool loads it.
    fn project(toml_text: &str) -> Result<Catalog, String> {
        let config =
            crate::config::Config::parse(toml_text, ".leakgate.toml").map_err(|e| e.to_string())?;
        Catalog::for_project(&config.rules).map_err(|e| e.to_string())
    }

    const ACME: &str = "[[rule]]\nid = \"acme-key\"\nprovider = \"Acme\"\nname = \"Acme key\"\nseverity = \"high\"\nsecret = 'acme_[a-z0-9]{12}'\n";

    fn acme(extra: &str, context: &str) -> Result<Catalog, String> {
        project(&format!(
            "{ACME}{extra}\n[[rule.context]]\n{context}\nwhy = \"w\"\n"
        ))
    }

    #[test]
    fn wrong_enum_values_name_the_file_rule_and_field() {
        let kind = acme("", "kind = \"patern\"\npattern = '{secret}'")
            .err()
            .expect("a load error");
        assert!(
            kind.starts_with(".leakgate.toml:")
                && kind.contains("rule `acme-key`, field `context[0].kind`")
                && kind.contains("patern"),
            "{kind}"
        );
        let validator = acme(
            "validator = \"crc33\"",
            "kind = \"pattern\"\npattern = '{secret}'",
        )
        .err()
        .expect("a load error");
        assert!(
            validator.contains("rule `acme-key`, field `validator`")
                && validator.contains("crc32-base62"),
            "{validator}"
        );
        let severity = project(&ACME.replace("\"high\"", "\"hihg\""))
            .err()
            .expect("a load error");
        assert!(
            severity.contains("rule `acme-key`, field `severity`"),
            "{severity}"
        );
        let unknown = acme(
            "keyword = [\"acme\"]",
            "kind = \"pattern\"\npattern = '{secret}'",
        )
        .err()
        .expect("a load error");
        assert!(
            unknown.contains("rule `acme-key`") && unknown.contains("keyword"),
            "{unknown}"
        );
        let ok = acme(
            "validator = \"crc32-base62\"",
            "kind = \"pattern\"\npattern = '{secret}'",
        )
        .unwrap();
        assert_eq!(
            ok.get("acme-key").unwrap().validator,
            Some(Validator::Crc32Base62)
        );
        assert_eq!(
            ok.get("acme-key").unwrap().origin,
            Origin::Project(".leakgate.toml".into())
        );
        assert!(ok.get("aws-access-key-id").unwrap().origin.is_builtin());
    }

    #[test]
    fn every_regex_of_a_project_rule_is_checked_at_load() {
        let pattern = "kind = \"pattern\"\npattern = '{secret}'";
        for (extra, context, field) in [
            (
                "",
                "kind = \"assignment\"\nname = '(acme'",
                "context[0].name",
            ),
            (
                "",
                "kind = \"pattern\"\npattern = '({secret}'",
                "context[0].pattern",
            ),
            (
                "",
                "kind = \"pattern\"\npattern = '{secret}'\nfile = '[a-'",
                "context[0].file",
            ),
            (
                "",
                "kind = \"pattern\"\npattern = 'no secret'",
                "context[0].pattern",
            ),
            ("", "kind = \"assignment\"", "context[0].name"),
            (
                "",
                "kind = \"pattern\"\nname = 'x'\npattern = '{secret}'",
                "context[0].name",
            ),
            (
                "",
                "kind = \"pattern\"\npattern = '{secret}'\nkeywords = [\"\"]",
                "context[0].keywords",
            ),
            ("keywords = [\"\"]", pattern, "keywords"),
            ("requires = [\"\"]", pattern, "requires"),
            ("reject = [\"acm\"]", pattern, "reject"),
            ("entropy = 9.5", pattern, "entropy"),
            ("references = [\"see the wiki\"]", pattern, "references"),
            (
                "known_examples_sha256 = [\"abc\"]",
                pattern,
                "known_examples_sha256",
            ),
            ("inherit = \"no-such-rule\"", pattern, "inherit"),
            ("id = \"x\"", pattern, ""),
        ] {
            let err = if extra.starts_with("id =") {
                // A duplicate key is the TOML reader's error, with a line.
                acme(extra, context).err().expect("a load error")
            } else {
                let err = acme(extra, context).err().expect("a load error");
                assert!(
                    err.contains(".leakgate.toml")
                        && err.contains("rule `acme-key`")
                        && err.contains(&format!("field `{field}`")),
                    "{field}: {err}"
                );
                err
            };
            assert!(err.contains(".leakgate.toml"), "{err}");
        }
        let ok = acme(
            "keywords = [\"acme\"]\nreferences = [\"https://docs.acme.test/keys\"]",
            pattern,
        )
        .unwrap();
        let rule = ok.get("acme-key").unwrap();
        assert_eq!(rule.references, vec!["https://docs.acme.test/keys"]);
        assert_eq!(rule.reject, vec!["acme"], "reject defaults to the keywords");
    }

    #[test]
    fn value_requirements_are_checked_at_load() {
        let pattern = "kind = \"pattern\"\npattern = '{secret}'";
        for (value, field) in [
            ("[rule.value]\nany_of = []", "value.any_of"),
            (
                "[rule.value]\nany_of = [{ extra_chars = \"a\" }]",
                "value.any_of[0]",
            ),
            (
                "[rule.value]\nany_of = [{ separator = \".\", extra_chars = \".\" }]",
                "value.any_of[0]",
            ),
            (
                "[rule.value]\nany_of = [{ min_length = 9, max_length = 8 }]",
                "value.any_of[0]",
            ),
            (
                "[rule.value]\nany_of = [{ symbols = true }]",
                "value.any_of[0]",
            ),
        ] {
            let err = project(&format!(
                "{ACME}{value}\n[[rule.context]]\n{pattern}\nwhy = \"w\"\n"
            ))
            .err()
            .expect("a load error");
            assert!(
                err.contains("rule `acme-key`") && err.contains(&format!("field `{field}`")),
                "{value}: {err}"
            );
        }
        let typo = project(&format!(
            "{ACME}[rule.value]\nany_of = [{{ min_lenght = 3 }}]\n[[rule.context]]\n{pattern}\nwhy = \"w\"\n"
        ))
        .err().expect("a load error");
        assert!(
            typo.contains("rule `acme-key`, field `value.any_of") && typo.contains("min_lenght"),
            "{typo}"
        );
    }

    /// The generic rule's old secret regex: fifteen alternatives that said
    /// "16+ base64 characters, or with single dots and a digit".
    const GENERIC_OLD: &str = r"(?x)
    [A-Za-z0-9+/=_\-]{16,}
  | [0-9](?:\.?[A-Za-z0-9+=_\-]){15,}
  | [A-Za-z0-9+=_\-]\.?[0-9](?:\.?[A-Za-z0-9+=_\-]){14,}
  | [A-Za-z0-9+=_\-](?:\.?[A-Za-z0-9+=_\-])\.?[0-9](?:\.?[A-Za-z0-9+=_\-]){13,}
  | [A-Za-z0-9+=_\-](?:\.?[A-Za-z0-9+=_\-]){2}\.?[0-9](?:\.?[A-Za-z0-9+=_\-]){12,}
  | [A-Za-z0-9+=_\-](?:\.?[A-Za-z0-9+=_\-]){3}\.?[0-9](?:\.?[A-Za-z0-9+=_\-]){11,}
  | [A-Za-z0-9+=_\-](?:\.?[A-Za-z0-9+=_\-]){4}\.?[0-9](?:\.?[A-Za-z0-9+=_\-]){10,}
  | [A-Za-z0-9+=_\-](?:\.?[A-Za-z0-9+=_\-]){5}\.?[0-9](?:\.?[A-Za-z0-9+=_\-]){9,}
  | [A-Za-z0-9+=_\-](?:\.?[A-Za-z0-9+=_\-]){6}\.?[0-9](?:\.?[A-Za-z0-9+=_\-]){8,}
  | [A-Za-z0-9+=_\-](?:\.?[A-Za-z0-9+=_\-]){7}\.?[0-9](?:\.?[A-Za-z0-9+=_\-]){7,}
  | [A-Za-z0-9+=_\-](?:\.?[A-Za-z0-9+=_\-]){8}\.?[0-9](?:\.?[A-Za-z0-9+=_\-]){6,}
  | [A-Za-z0-9+=_\-](?:\.?[A-Za-z0-9+=_\-]){9}\.?[0-9](?:\.?[A-Za-z0-9+=_\-]){5,}
  | [A-Za-z0-9+=_\-](?:\.?[A-Za-z0-9+=_\-]){10}\.?[0-9](?:\.?[A-Za-z0-9+=_\-]){4,}
  | [A-Za-z0-9+=_\-](?:\.?[A-Za-z0-9+=_\-]){11}\.?[0-9](?:\.?[A-Za-z0-9+=_\-]){3,}
  | [A-Za-z0-9+=_\-](?:\.?[A-Za-z0-9+=_\-]){12}\.?[0-9](?:\.?[A-Za-z0-9+=_\-]){2,}
  | [A-Za-z0-9+=_\-](?:\.?[A-Za-z0-9+=_\-]){13}\.?[0-9](?:\.?[A-Za-z0-9+=_\-]){1,}
  | [A-Za-z0-9+=_\-](?:\.?[A-Za-z0-9+=_\-]){14,}\.?[0-9](?:\.?[A-Za-z0-9+=_\-])*
";

    #[test]
    fn the_generic_rules_value_requirements_equal_its_old_regex() {
        let catalog = Catalog::builtin().unwrap();
        let rule = catalog.get("generic-secret-assignment").unwrap();
        assert_eq!(rule.value.len(), 2);
        let old = Regex::new(&format!("^(?:{GENERIC_OLD})$")).unwrap();
        // Every string over a small alphabet holding each kind of character
        // (letters, a digit, `/`, other symbols, the dot, an outsider), at the
        // lengths where the requirements change, plus random longer ones.
        let alphabet: Vec<char> = "aZ7/+=_-.#".chars().collect();
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut agree, mut matched) = (0, 0);
        for _ in 0..200_000 {
            let len = 12 + (next() % 14) as usize;
            // Mostly letters, so the rare characters land everywhere.
            let v: String = (0..len)
                .map(|_| {
                    let r = next() % 40;
                    if r < alphabet.len() as u64 {
                        alphabet[r as usize]
                    } else if r % 2 == 0 {
                        'k'
                    } else {
                        'Q'
                    }
                })
                .collect();
            let want = old.is_match(&v);
            assert_eq!(rule.shape_matches(&v), want, "{v:?}");
            agree += 1;
            matched += usize::from(want);
        }
        assert!(
            matched > 1000 && agree - matched > 1000,
            "{matched}/{agree}"
        );
        for (v, want) in [
            ("abcdefghijklmnop", true),
            ("abcdefghijklmno", false),
            ("a.bcdefghijklmno1", true),
            ("a.bcdefghijklmnop", false),
            ("a.b/cdefghijklmno1", false),
            (".abcdefghijklmno1", false),
            ("abcdefghijklmno1.", false),
            ("abcdefg..hijklmno1", false),
            ("1.2.3.4.5.6.7.8.9.0.1.2.3.4.5.6", true),
        ] {
            assert_eq!(old.is_match(v), want, "{v}");
            assert_eq!(rule.shape_matches(v), want, "{v}");
        }
    }

    #[test]
    fn builtin_files_are_every_toml_in_rules_sorted_by_name() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".toml"))
            .map(|n| format!("rules/{n}"))
            .collect();
        on_disk.sort();
        let embedded: Vec<&str> = BUILTIN.iter().map(|(f, _)| *f).collect();
        assert_eq!(embedded, on_disk);
        // The order rules had when the files were listed by hand: MessageBird
        // first, the generic rule last.
        let catalog = Catalog::builtin().unwrap();
        assert_eq!(catalog.rules[0].id, "messagebird-access-key");
        assert_eq!(
            catalog.rules.last().unwrap().id,
            "generic-secret-assignment"
        );
        assert_eq!(
            catalog.rules[0].origin,
            Origin::Builtin("rules/10-messagebird.toml")
        );
    }

    #[test]
    fn every_builtin_rule_loads_and_the_catalog_parses_only_what_it_uses() {
        let catalog = Catalog::builtin().unwrap();
        let loaded = |c: &Catalog| {
            c.rules
                .entries
                .iter()
                .filter(|e| e.rule.get().is_some())
                .count()
        };
        assert_eq!(loaded(&catalog), 0, "nothing is parsed at start-up");
        assert!(!catalog.candidates("messagebird_key = 1").is_empty());
        assert!(catalog.get("messagebird-test-key").is_some());
        assert!(loaded(&catalog) <= 2, "only the rules looked at");
        // The semantic checks of `compile_spec` on every built-in rule: an
        // error names the file and the rule.
        catalog.load_all().unwrap();
        assert_eq!(loaded(&catalog), BUILTIN_RULES.len());
        // A rule that inherits reads as if its parent's fields were written.
        let test = catalog.get("messagebird-test-key").unwrap();
        let live = catalog.get("messagebird-access-key").unwrap();
        assert_eq!(test.keywords, live.keywords);
        assert_eq!(test.contexts.len(), live.contexts.len());
    }

    #[test]
    fn builtin_rules_keep_keywords_and_reject_words_apart() {
        // A built-in rule with keywords writes out its reject words (possibly
        // none), so the prefilter can change without changing what rejects.
        for (spec, origin) in (0..BUILTIN_RULES.len()).map(|i| builtin_spec(i).unwrap()) {
            assert!(
                spec.keywords.is_empty() || spec.reject.is_some(),
                "{origin}: rule `{}` has keywords but no `reject` list",
                spec.id
            );
        }
    }
}

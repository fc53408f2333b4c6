//! Finding "name = value" in any common syntax, and the keys a value sits under.
//!
//! A key with no prefix is only a key because of where it sits: assigned to
//! `MESSAGEBIRD_KEY`, or to `access_key` inside a `messagebird:` block. This
//! module knows the syntaxes (shell, .env, Dockerfile, YAML, JSON, TOML, INI,
//! properties, HCL, XML, and the assignment and literal forms of the common
//! languages) so that rules only have to say which names matter. It knows nothing
//! of any provider.

use std::ops::Range;
use std::sync::OnceLock;

use regex::bytes::Regex;

use super::text::Lines;

/// One value assigned to one name.
#[derive(Debug, Clone)]
pub struct Assignment {
    pub name: Range<usize>,
    pub value: Range<usize>,
}

/// The syntaxes, each compiled the first time a text could hold it (most
/// texts hold no XML, Go or shell default, and a hook reads a few files).
struct Patterns {
    for_key: Pattern,
    piped_secret: Pattern,
    bare: Pattern,
    wrapped: Pattern,
    quoted: Pattern,
    line_pair: Pattern,
    xml_pair: Pattern,
    xml_element: Pattern,
    xml_keyed: Pattern,
    go_typed: Pattern,
    go_block: Pattern,
    go_block_line: Pattern,
    env_or: Pattern,
    shell_default: Pattern,
    define: Pattern,
    flag: Pattern,
    name_value: Pattern,
    shell_set: Pattern,
    cmake_set: Pattern,
    gradle_field: Pattern,
    plist: Pattern,
    lisp_def: Pattern,
    edn_key: Pattern,
    prose: Pattern,
    table_row: Pattern,
    attribute: Pattern,
    block_scalar: Pattern,
    cli_secret: Pattern,
}

struct Pattern {
    source: String,
    /// Byte strings one of which every match contains: a text without any
    /// skips the pattern (and its compilation). Empty: always run.
    needs: &'static [&'static [u8]],
    /// One search for all of `needs` at once (SIMD, where the machine has
    /// it): a text holding none of them is read once, not once per word.
    needs_searcher: OnceLock<Option<aho_corasick::packed::Searcher>>,
    /// Whether a text may hold a match, where `needs` cannot say it.
    gate: Option<fn(&[u8]) -> bool>,
    re: OnceLock<Regex>,
}

impl Pattern {
    fn new(source: String, needs: &'static [&'static [u8]]) -> Pattern {
        Pattern {
            source,
            needs,
            needs_searcher: OnceLock::new(),
            gate: None,
            re: OnceLock::new(),
        }
    }

    /// See [`Pattern::gate`].
    fn gated(mut self, gate: fn(&[u8]) -> bool) -> Pattern {
        self.gate = Some(gate);
        self
    }

    /// The regex, or `None` when `text` cannot hold a match.
    fn for_text(&self, text: &str) -> Option<&Regex> {
        let b = text.as_bytes();
        let possible = match self.gate {
            Some(gate) => gate(b),
            None => match self.needs {
                [] => true,
                [one] => memchr::memmem::find(b, one).is_some(),
                many => match self
                    .needs_searcher
                    .get_or_init(|| aho_corasick::packed::Searcher::new(many.iter()))
                {
                    Some(searcher) => searcher.find(b).is_some(),
                    None => many.iter().any(|n| memchr::memmem::find(b, n).is_some()),
                },
            },
        };
        possible.then(|| self.get())
    }

    fn get(&self) -> &Regex {
        self.re.get_or_init(|| {
            regex::bytes::RegexBuilder::new(&self.source)
                .unicode(false)
                .build()
                .expect("assignment patterns are valid")
        })
    }
}

/// Whether `b` holds a string literal as the first argument of a call
/// whose name ends like one of the `wrapped` pattern's wrappers (`from`,
/// `new`, `Some`, `str`, `byte`, ...): that pattern's gate.
fn holds_wrapped_literal(b: &[u8]) -> bool {
    static OPENINGS: OnceLock<Option<aho_corasick::packed::Searcher>> = OnceLock::new();
    const OPEN: [&str; 12] = [
        "(\"", "('", "(`", "(@\"", "(b\"", "(r\"", "(f\"", "(u\"", "(b'", "(r'", "(f'", "(u'",
    ];
    // Suffixes: `of` stands for `valueOf`, `string` for `wstring`,
    // `String` for `QString`, `Str` for `SecretStr`.
    const ENDS: [&[u8]; 13] = [
        b"from",
        b"new",
        b"of",
        b"string",
        b"String",
        b"Some",
        b"Ok",
        b"str",
        b"Str",
        b"bytes",
        b"byte",
        b"Sensitive",
        b"Literal",
    ];
    let wrapped_at = |at: usize| ENDS.iter().any(|e| b[..at].ends_with(e));
    match OPENINGS.get_or_init(|| aho_corasick::packed::Searcher::new(OPEN.iter())) {
        Some(searcher) => searcher.find_iter(b).any(|m| wrapped_at(m.start())),
        None => memchr::memchr_iter(b'(', b).any(wrapped_at),
    }
}

/// Whether a line of `b` starts (after blanks) with CMake's `set(`, written
/// in lower, upper or title case.
fn starts_a_line_with_set(b: &[u8]) -> bool {
    [&b"set("[..], b"SET(", b"Set("].iter().any(|word| {
        memchr::memmem::find_iter(b, word).any(|at| {
            let line = memchr::memrchr(b'\n', &b[..at]).map_or(&b[..at], |i| &b[i + 1..at]);
            line.iter().all(|&c| c == b' ' || c == b'\t')
        })
    })
}

/// The value lengths the patterns are compiled for: a caller asking for
/// values of at least `n` bytes gets the patterns of the largest floor that
/// is not above `n` (a superset of what it asked for). Real code is full of
/// `name = value` with short values (`x: u32`, `let n = 0`); a floor lets
/// the regex engine pass over them without resolving a single capture,
/// which is most of what finding assignments used to cost.
const FLOORS: [usize; 4] = [1, 8, 16, 20];

/// The patterns are byte regexes with Unicode off: every byte they exclude or
/// require is ASCII, so a match starts and ends on a character boundary of
/// the `&str` it runs on (checked in [`collect`] all the same), and they
/// compile and run without the UTF-8 automata a Unicode class needs.
fn patterns(floor: usize) -> &'static Patterns {
    static P: [OnceLock<Patterns>; FLOORS.len()] = [const { OnceLock::new() }; FLOORS.len()];
    let i = bucket(floor);
    P[i].get_or_init(|| compile(FLOORS[i]))
}

/// Which of [`FLOORS`] serves a request for values of `min_value` bytes.
fn bucket(min_value: usize) -> usize {
    FLOORS.iter().rposition(|&f| f <= min_value).unwrap_or(0)
}

fn compile(floor: usize) -> Patterns {
    let re = |source: &str, needs| Pattern::new(source.to_string(), needs);
    // A value: quoted (the quote possibly escaped, as in notebooks) or bare,
    // of at least `floor` bytes.
    let more = floor - 1;
    // A quote may follow a string prefix: Objective-C's and C#'s `@"v"`,
    // Python's and Rust's `b"v"`, `r"v"`, `f"v"`, `u"v"`; or be tripled (`"""v"""`).
    let quoted_value = format!(
        r#"(?:@|[bruf])?\\{{0,3}}(?:"""|'''|["'`])(?P<qv>[^"'`\\\r\n]{{{floor},}})\\{{0,3}}["'`]"#
    );
    let value = format!(r#"(?:{quoted_value}|(?P<uv>[^\s"'`,;<>(){{}}\[\]\\]{{{floor},}}))"#);
    // Longest operators first: Make's `:::=`, `::=`, `?=` and `+=`, Go's
    // `:=`, PHP's `.=`, Ruby's `||=`, JavaScript's and C#'s `??=`, R's
    // `<-` and `<<-`.
    let op = r"(?::::=|::=|\|\|=|&&=|\?\?=|:=|\?=|\+=|\.=|=>|==|<<-|<-|=|:)";
    // A type after the name: `key: string = v` (TypeScript, Python, Kotlin),
    // `KEY: &str = v` and `KEY: &'static str = v` (Rust); a C array's
    // brackets: `char KEY[] = "v"`; PowerShell's `$env:KEY = "v"`; C#'s
    // property initializer `Key { get; set; } = "v"`; Visual Basic's
    // `Dim Key As String = "v"`.
    let head = format!(
        r#"(?:(?i:\$env):)?(?P<name>[A-Za-z_$@][A-Za-z0-9_.\-$@]*)(?:\[[0-9]*\]|[ \t]*\{{[ \t]*get;[^}}\r\n]{{0,40}}\}}|[ \t]+As[ \t]+[A-Za-z_][A-Za-z0-9_.]*)?(?:\\{{0,3}}["'`])?\]?(?:[ \t]*:[ \t]*(?:&(?:'[A-Za-z_][A-Za-z0-9_]*[ \t]+)?(?:mut[ \t]+)?)?[A-Za-z_][A-Za-z0-9_.<>\[\]&']*)?[ \t]*{op}[ \t]*"#
    );
    let bare = format!("{head}{value}");
    // A quoted value inside a call that only wraps it, up to two deep:
    // Rust's `String::from("v")`, `Some("v")`, `SecretString::new("v".into())`,
    // Go's `[]byte("v")`, Java's `new String("v")`, Python's `str("v")` and
    // pydantic's `SecretStr("v")`, JavaScript's `Buffer.from("v")`. A pattern
    // of its own, searched in the texts that hold such a call (see
    // `holds_wrapped_literal`): in `bare` it cost every text.
    let wrapper = r"(?:(?:Secret(?:String|Box)?|String)::(?:from|new)|String\.valueOf|Buffer\.from|Optional\.of|std::(?:w?string)|new[ \t]+String|Some|Ok|str|String|bytes|SecretStr|Sensitive|QString(?:Literal)?|\[\]byte)\(";
    let wrapped = format!(
        r#"{head}(?:{wrapper}){{1,2}}[@bruf]?(?:"""|'''|["'`])(?P<qv>[^"'`\\\r\n]{{{floor},}})["'`]"#
    );
    // `"name": v`, `'name' => v`, and a call's first two string arguments:
    // `define('X', 'v')`, `os.getenv("X", "v")`, `ENV.fetch("X", "v")`,
    // `getOrDefault("X", "v")`, python-decouple's `config("X", default="v")`,
    // Dart's `fromEnvironment("X", defaultValue: "v")`: a default is
    // committed like any value.
    let quoted = format!(
        r#"\\{{0,3}}["'](?P<name>[^"'\\\r\n]+)\\{{0,3}}["']\]?[ \t]*(?::=|=>|=|:|,[ \t]*(?:(?:defaultValue|default|fallback)[ \t]*[:=])?)[ \t]*{value}"#
    );
    // Whole lines of two words: Dockerfile's `ENV NAME value`, and a
    // .properties key with dots and a space for separator
    // (`messagebird.access.key value`).
    let line_pair = format!(
        r"(?mR)^[ \t]*(?:ENV[ \t]+(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)|(?P<name2>[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]+)+))[ \t]+(?P<uv>[^\s=:]\S{{{more},}})[ \t]*$"
    );
    // Go's typed declarations: `var x string = "v"`, and `x string = "v"`
    // inside a `var (` or `const (` block (found first, see below).
    let go_typed = format!(
        r"(?:var|const)[ \t]+(?P<name>[A-Za-z_][A-Za-z0-9_]*)[ \t]+[*\[\]]*[A-Za-z_][A-Za-z0-9_.]*[ \t]*=[ \t]*{value}"
    );
    let go_block_line = format!(
        r"(?m)^[ \t]*(?P<name>[A-Za-z_][A-Za-z0-9_]*)[ \t]+[*\[\]]*[A-Za-z_][A-Za-z0-9_.]*[ \t]*=[ \t]*{value}"
    );
    // A default after an environment read: `process.env.X || 'v'`,
    // `process.env.X ?? 'v'`, `ENV["X"] || "v"`, `os.getenv("X") or "v"`,
    // and Ruby's block default `ENV.fetch("X") { "v" }`.
    let env_or = format!(
        r#"(?:\.env\.|\[["']|\(["'])(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:["']\]|["']\))?[ \t]*(?:\|\||\?\?|\bor\b|\{{)[ \t]*{value}"#
    );
    Patterns {
        bare: re(&bare, &[]),
        wrapped: re(&wrapped, &[]).gated(holds_wrapped_literal),
        quoted: re(&quoted, &[b"\"", b"'"]),
        line_pair: re(&line_pair, &[]),
        xml_pair: re(
            &format!(
                r#"(?i)\b(?:key|name)\s*=\s*"(?P<name>[^"\r\n]+)"\s+value\s*=\s*"(?P<qv>[^"\r\n]{{{floor},}})""#
            ),
            &[b"\""],
        ),
        // `<accessKey>v</accessKey>`, the value possibly on a line of its
        // own; the closing tag must be the opening one (checked below).
        xml_element: re(
            &format!(
                r#"<(?P<name>[A-Za-z_][A-Za-z0-9_.:\-]*)(?:\s[^<>]*)?>[ \t]*(?:\r?\n[ \t]*)?(?P<uv>[^<>\s]{{{floor},}})[ \t]*(?:\r?\n[ \t]*)?</(?P<close>[A-Za-z_][A-Za-z0-9_.:\-]*)"#
            ),
            &[b"</"],
        ),
        // `<entry key="x">v</entry>`, `<property name="x">v</property>`.
        xml_keyed: re(
            &format!(
                r#"<(?P<tag>[A-Za-z_][A-Za-z0-9_.:\-]*)\s(?:[^<>]*\s)?(?i:key|name)\s*=\s*"(?P<name>[^"<>\r\n]+)"[^<>]*>[ \t]*(?:\r?\n[ \t]*)?(?P<uv>[^<>\s]{{{floor},}})[ \t]*(?:\r?\n[ \t]*)?</(?P<close>[A-Za-z_][A-Za-z0-9_.:\-]*)"#
            ),
            &[b"</"],
        ),
        go_typed: re(&go_typed, &[b"var", b"const"]),
        // Most texts hold no Go: the opener's words are looked for first.
        go_block: re(
            r"(?m)^[ \t]*(?:var|const)[ \t]*\([ \t]*\r?$",
            &[b"var (", b"const (", b"var(", b"const("],
        ),
        go_block_line: re(&go_block_line, &[]),
        env_or: re(&env_or, &[b"||", b"??", b"or", b"{"]),
        // C's and Objective-C's `#define NAME "v"`.
        define: re(
            &format!(
                r"(?m)^[ \t]*#[ \t]*define[ \t]+(?P<name>[A-Za-z_][A-Za-z0-9_]*)[ \t]+{value}"
            ),
            &[b"define"],
        ),
        // A long flag and its value: `--access-key v` (`--access-key=v`
        // is a plain assignment); a value that starts with a dash is the
        // next flag.
        flag: re(
            &format!(
                r#"(?m)(?:^|[ \t])--(?P<name>[A-Za-z][A-Za-z0-9_.\-]*)[ \t]+(?:{quoted_value}|(?P<uv>[^\s"'`,;<>(){{}}\[\]\\\-][^\s"'`,;<>(){{}}\[\]\\]{{{more},}}))"#
            ),
            &[b"--"],
        ),
        // fish's `set -gx KEY v`, csh's `setenv KEY v`.
        shell_set: re(
            &format!(
                r"(?m)^[ \t]*(?:set(?:[ \t]+-[-A-Za-z]+)+|setenv)[ \t]+(?P<name>[A-Za-z_][A-Za-z0-9_]*)[ \t]+{value}"
            ),
            &[b"set -", b"setenv"],
        ),
        // A name and its value as two keys: Kubernetes' `- name: KEY` with
        // `value: v` on the next line, ECS's `{"name": "KEY", "value": "v"}`,
        // a Postman environment's `{"key": "KEY", "value": "v"}`, an HCL
        // block's `name = "/prod/key"` and `value = "v"` (a `type = …`
        // line between them too).
        name_value: re(
            &format!(
                r#"["']?\b(?:name|key)["']?[ \t]*[:=][ \t]*["']?(?P<name>[A-Za-z_/][A-Za-z0-9_./\-]*)["']?[ \t]*,?[ \t]*(?:\r?\n[ \t]*(?:[A-Za-z_][A-Za-z0-9_]*[ \t]*=[^\r\n]*\r?\n[ \t]*)?)?["']?value["']?[ \t]*[:=][ \t]*{value}"#
            ),
            &[b"value"],
        ),
        // A name of words written for people, ending in what it names:
        // `MessageBird API key: v`, `- **Access token:** v`, `messagebird
        // access key = v`, at the start of a line (after a comment or list
        // marker).
        prose: re(
            &format!(
                r#"(?m)^[ \t]*(?:(?:[#*>\-]+|//|--|;|[0-9]+[.)])[ \t]*){{0,3}}(?P<name>[A-Za-z][A-Za-z0-9_\-]*(?:[ \t]+[A-Za-z][A-Za-z0-9_\-]*){{0,3}}[ \t]+(?i:key|token|secret|password|passwd|credentials?))[ \t]*(?:\*\*)?[ \t]*(?::|=)[ \t]*(?:\*\*)?[ \t]*{value}"#
            ),
            // Searched only on lines of that shape (see `by_line`).
            &[],
        ),
        // A Markdown table row of a name and its value:
        // `| MESSAGEBIRD_ACCESS_KEY | v |`, in a text with a table's
        // delimiter row (`|---|`, `| :-- |`).
        table_row: re(
            &format!(
                r"(?m)^[ \t]*\|[ \t]*`?(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)`?[ \t]*\|[ \t]*(?:`(?P<qv>[^`|\r\n]{{{floor},}})`|(?P<uv>[^\s|`]{{{floor},}}))[ \t]*\|"
            ),
            &[b"|-", b"| -", b"|:", b"| :"],
        ),
        // CMake's `set(KEY "v")` and `set(ENV{KEY} v)`, a command of its
        // own line (`set(` elsewhere is some language's call).
        cmake_set: re(
            &format!(
                r"(?m)^[ \t]*(?:set|SET|Set)\([ \t]*(?:ENV\{{)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)\}}?[ \t]+{value}"
            ),
            &[],
        )
        .gated(starts_a_line_with_set),
        // Android's Gradle fields, whose value is a Java literal in a
        // string: `buildConfigField "String", "KEY", "\"v\""` and
        // `resValue("string", "key", "v")`.
        gradle_field: re(
            &format!(
                r#"(?:buildConfigField|resValue)[ \t(]+["'][^"'\r\n]*["'][ \t]*,[ \t]*["'](?P<name>[^"'\r\n]+)["'][ \t]*,[ \t]*["'](?:\\["'])?(?P<qv>[^"'\\\r\n]{{{floor},}})(?:\\["'])?["']"#
            ),
            &[b"buildConfigField", b"resValue"],
        ),
        // A property list's `<key>K</key>` and the `<string>v</string>`
        // after it (an iOS app's Info.plist).
        plist: re(
            &format!(
                r"<key>[ \t]*(?P<name>[^<\r\n]+?)[ \t]*</key>\s*<string>[ \t]*(?P<uv>[^<\s]{{{floor},}})[ \t]*</string>"
            ),
            &[b"<key>"],
        ),
        // Lisp definitions: Clojure's `(def key "v")`, Emacs Lisp's
        // `(setq key "v")`, Scheme's `(define key "v")`.
        lisp_def: re(
            &format!(
                r"\((?:def|defonce|defconst|defvar|defparameter|setq|setq-default|setf|define|set!)[ \t]+(?P<name>[A-Za-z_*][A-Za-z0-9_\-*!?.]*)[ \t]+{quoted_value}"
            ),
            &[
                b"(def ", b"(defonce ", b"(defconst ", b"(defvar ", b"(defparameter ", b"(setq ",
                b"(setq-default ", b"(setf ", b"(define ", b"(set! ", b"(def\t", b"(setq\t",
                b"(define\t",
            ],
        ),
        // A keyword key in Clojure's and EDN's maps: `{:access-key "v"}`.
        edn_key: re(
            &format!(r"(?:^|[\s{{(\[,]):(?P<name>[A-Za-z_][A-Za-z0-9_\-.]*)[ \t]+{quoted_value}"),
            // A map's first key follows its brace (Rust's and Python's
            // `{:?}` and `{:>8}` do not name a key).
            &[
                b"{:a", b"{:b", b"{:c", b"{:d", b"{:e", b"{:f", b"{:g", b"{:h", b"{:i", b"{:j",
                b"{:k", b"{:l", b"{:m", b"{:n", b"{:o", b"{:p", b"{:q", b"{:r", b"{:s", b"{:t",
                b"{:u", b"{:v", b"{:w", b"{:x", b"{:y", b"{:z",
            ],
        ),
        // Elixir's module attribute `@api_key "v"`: a quoted value only
        // (`@doc`, `@moduledoc` and `@spec` take other forms).
        attribute: re(
            &format!(r"(?m)^[ \t]*@(?P<name>[a-z_][A-Za-z0-9_]*)[ \t]+{quoted_value}"),
            // Attributes live in modules.
            &[b"defmodule"],
        ),
        // A YAML block scalar whose first line is the value:
        // `key: >-` or `key: |` and the value indented on the next line.
        block_scalar: re(
            &format!(
                r#"(?m)^[ \t]*(?:-[ \t]+)?["']?(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)["']?[ \t]*:[ \t]*[|>][-+1-9]{{0,2}}[ \t]*\r?\n[ \t]+(?P<uv>[^\s#][^\s]{{{more},}})[ \t]*\r?$"#
            ),
            &[b": |", b": >", b":|", b":>"],
        ),
        // A secret named by one argument of a command line and given by
        // another, over backslash-continued lines too: `gh secret set X
        // --body v`, `aws ssm put-parameter --name X --value v`, `aws
        // secretsmanager create-secret --name X --secret-string v`, `az
        // keyvault secret set --name X --value v`.
        cli_secret: re(
            &format!(
                r#"(?:(?:secret|variable) set[ \t]+(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?:[ \t]|\\\r?\n)+[^\s\\]+)*?(?:[ \t]|\\\r?\n)+(?:--body|-b)|--name(?:[ \t]+|=)["']?(?P<name2>[A-Za-z0-9_./:\-]+)["']?(?:(?:[ \t]|\\\r?\n)+[^\s\\]+)*?(?:[ \t]|\\\r?\n)+(?:--value|--secret-string|--body))(?:(?:[ \t]|\\\r?\n)+|=){value}"#
            ),
            // `-b` is gh's alone (and `git checkout -b` is everywhere).
            &[b"secret set", b"variable set", b"--value", b"--secret-string", b"--body"],
        ),
        // A value stored under a name given after it: Swift's
        // `defaults.set("v", forKey: "k")`, Objective-C's
        // `[defaults setObject:@"v" forKey:@"k"]`.
        for_key: re(
            &format!(
                r#"{quoted_value}[ \t]*,?[ \t]*forKey:[ \t]*@?["'](?P<name>[^"'\r\n]+)["']"#
            ),
            &[b"forKey:"],
        ),
        // A value piped into a command that stores it as a secret:
        // `echo "v" | gh secret set K`, `printf '%s' v | docker secret
        // create k -`, `echo v | wrangler secret put K`.
        piped_secret: re(
            &format!(
                r#"(?:echo|printf)(?:[ \t]+-[neE]+)?(?:[ \t]+["']%s["'])?[ \t]+{value}[ \t]*\|[ \t]*(?:gh[ \t]+secret[ \t]+set|docker[ \t]+secret[ \t]+create|wrangler[ \t]+secret[ \t]+put|vercel[ \t]+env[ \t]+add)[ \t]+(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)"#
            ),
            &[b"secret set", b"secret create", b"secret put", b"env add"],
        ),
        // `${X:-v}`, `${X-v}`, `${X:=v}` in shell and compose files.
        shell_default: re(
            &format!(
                r#"\$\{{(?P<name>[A-Za-z_][A-Za-z0-9_]*):?[-=](?:["'](?P<qv>[^"'\r\n}}]{{{floor},}})["']|(?P<uv>[^\s"'`}}$]{{{floor},}}))\}}"#
            ),
            &[b"${"],
        ),
    }
}

/// Every assignment in `text` whose value is at least `min_value` bytes
/// long (and some shorter ones: see [`FLOORS`]), in no particular order.
pub fn assignments(text: &str, min_value: usize) -> Vec<Assignment> {
    let p = patterns(min_value);
    let mut out = Vec::new();
    for re in [
        &p.bare,
        &p.wrapped,
        &p.for_key,
        &p.piped_secret,
        &p.quoted,
        &p.xml_pair,
        &p.xml_element,
        &p.xml_keyed,
        &p.go_typed,
        &p.env_or,
        &p.shell_default,
        &p.define,
        &p.flag,
        &p.name_value,
        &p.shell_set,
        &p.cmake_set,
        &p.gradle_field,
        &p.plist,
        &p.lisp_def,
        &p.edn_key,
        &p.table_row,
        &p.attribute,
        &p.block_scalar,
        &p.cli_secret,
    ] {
        if let Some(re) = re.for_text(text) {
            collect(re, text, 0, &mut out);
        }
    }
    // A line of two words, and a name of words: searched only on the lines
    // that have the shape (most lines of prose and code have more words,
    // and the two-word pattern's search of a whole text cost more than all
    // the others but one).
    by_line(p, text, &mut out);
    // Go's `var (` / `const (` blocks: typed lines inside them only (a line
    // of two words and `=` anywhere else is some other language's).
    // Blocks never overlap, so each byte is searched once.
    let mut done = 0;
    if let Some(go_block) = p.go_block.for_text(text) {
        let go_block_line = p.go_block_line.get();
        for open in go_block.find_iter(text.as_bytes()) {
            let from = open.end().max(done);
            let body = &text[from..];
            let end = close_of_block(body);
            collect(go_block_line, &body[..end], from, &mut out);
            done = from + end;
        }
    }
    out
}

/// What [`collect`] finds of the `line_pair` and `prose` patterns in
/// `text`, read line by line.
fn by_line(p: &Patterns, text: &str, out: &mut Vec<Assignment>) {
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()).chain([text.len()]) {
        let line = &text[start..end];
        if may_pair(line.as_bytes()) {
            collect(p.line_pair.get(), line, start, out);
        }
        if may_be_prose(line.as_bytes()) {
            collect(p.prose.get(), line, start, out);
        }
        start = end + 1;
    }
}

/// Whether `line` may hold a match of the `prose` pattern: before its first
/// `:` or `=`, two to eight words (markers included), the last a secret's noun (`key`,
/// `token`, ...).
fn may_be_prose(line: &[u8]) -> bool {
    let Some(op) = memchr::memchr2(b':', b'=', line) else {
        return false;
    };
    let head = &line[..op];
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    // Most lines fail here: the word before the operator is no noun.
    let mut end = head.len();
    while end > 0 && (blank(&head[end - 1]) || head[end - 1] == b'*') {
        end -= 1;
    }
    const NOUNS: [&[u8]; 7] = [
        b"key",
        b"token",
        b"secret",
        b"password",
        b"passwd",
        b"credential",
        b"credentials",
    ];
    let before = &head[..end];
    if !NOUNS.iter().any(|n| {
        before.len() > n.len()
            && before[before.len() - n.len()..].eq_ignore_ascii_case(n)
            && blank(&before[before.len() - n.len() - 1])
    }) {
        return false;
    }
    let count = head
        .split(blank)
        .filter(|w| !w.is_empty() && *w != b"**")
        .count();
    // Up to three more words for leading comment or list markers.
    (2..=8).contains(&count)
}

/// Whether `line` (without its `\n`) may hold a match of the `line_pair`
/// pattern: apart from blanks (spaces and tabs) at either end, two words,
/// the first dotted (`a.b.c value`), or three, the first `ENV`. A `\r`
/// before the end may end a line for that pattern (`(?R)`): such a line is
/// left to the pattern.
fn may_pair(line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if memchr::memchr(b'\r', line).is_some() {
        return true;
    }
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    let mut words = line.split(blank).filter(|w| !w.is_empty());
    // Most lines fail on their first word, read alone.
    let first = words.next().unwrap_or_default();
    let (dotted, env) = (first.contains(&b'.'), first == b"ENV");
    if !dotted && !env {
        return false;
    }
    match (words.next(), words.next(), words.next()) {
        (Some(_), None, _) => dotted,
        (Some(_), Some(_), None) => env,
        _ => false,
    }
}

fn collect(re: &Regex, text: &str, base: usize, out: &mut Vec<Assignment>) {
    // Every byte the patterns stop at is ASCII, so spans fall on character
    // boundaries; one that did not would be skipped rather than panic.
    let at = |m: regex::bytes::Match<'_>| -> Option<(Range<usize>, &str)> {
        let r = m.range();
        text.get(r.clone()).map(|s| (r, s))
    };
    for c in re.captures_iter(text.as_bytes()) {
        let Some((name, name_text)) = c.name("name").or_else(|| c.name("name2")).and_then(at)
        else {
            continue;
        };
        // An element's value counts only between its own tags.
        if let Some(close) = c.name("close") {
            let open = c.name("tag").map_or(name.clone(), |t| t.range());
            if close.as_bytes() != &text.as_bytes()[open] {
                continue;
            }
        }
        let value = c.name("qv").or_else(|| c.name("uv")).and_then(at);
        // Names and values past these lengths are data, not settings.
        let Some((value, _)) = value.filter(|(v, _)| v.len() <= 512 && name.len() <= 120) else {
            continue;
        };
        // `$x.= 'v'`: the operator's dot is not the name's.
        let trimmed = name_text.trim_end_matches(['.', '-']).len();
        if trimmed == 0 {
            continue;
        }
        let start = name.start + system_property_flag(text, name.start, &name_text[..trimmed]);
        out.push(Assignment {
            name: base + start..base + name.start + trimmed,
            value: base + value.start..base + value.end,
        });
        if let Some(inner) = inner_assignment(&text[value.clone()]) {
            out.push(Assignment {
                name: base + value.start + inner.name.start..base + value.start + inner.name.end,
                value: base + value.start + inner.value.start..base + value.start + inner.value.end,
            });
        }
    }
}

/// A value that is itself `NAME=v`: `--from-literal=KEY=v`, `--env=KEY=v`,
/// systemd's `Environment=KEY=v` and `Environment="KEY=v"`, `"--token=v"`.
/// The inner name and value, as ranges of `value`.
fn inner_assignment(value: &str) -> Option<Assignment> {
    let eq = value.find('=')?;
    let dashes = value[..eq].len() - value[..eq].trim_start_matches('-').len();
    let name = &value[dashes.min(2)..eq];
    let mut bytes = name.bytes();
    let first = bytes.next()?;
    let named = (first.is_ascii_alphabetic() || first == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    (named && eq + 1 < value.len()).then(|| Assignment {
        name: dashes.min(2)..eq,
        value: eq + 1..value.len(),
    })
}

/// `-Dgradle.publish.key=v` (Java) and `-Pgradle.publish.key=v` (Gradle):
/// the flag's letter is not part of the property's name. Only dotted names
/// after a single dash count, so `--Password=v` keeps its `P`. Returns how
/// many bytes of `name` (at `start` of `text`) to skip.
fn system_property_flag(text: &str, start: usize, name: &str) -> usize {
    let b = text.as_bytes();
    let dash = start > 0 && b[start - 1] == b'-';
    let single =
        start < 2 || !matches!(b[start - 2], b'-' | b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_');
    let n = name.as_bytes();
    if dash
        && single
        && n.len() > 2
        && matches!(n[0], b'D' | b'P')
        && n[1].is_ascii_lowercase()
        && name.contains('.')
    {
        1
    } else {
        0
    }
}

/// Declaration blocks are short; one never closed must not reach across a
/// whole file.
pub const BLOCK_LINES: usize = 200;

/// Where a Go `(` block that starts `body` closes: the first line that is
/// only `)`, or [`BLOCK_LINES`] on.
fn close_of_block(body: &str) -> usize {
    let mut at = 0;
    for line in body.split_inclusive('\n').take(BLOCK_LINES) {
        if line.trim() == ")" {
            return at;
        }
        at += line.len();
    }
    at
}

/// Whether `text` may hold a Go `var (` or `const (` block (the needles of
/// the block opener's pattern).
pub fn may_hold_go_blocks(text: &str) -> bool {
    [&b"var ("[..], b"const (", b"var(", b"const("]
        .iter()
        .any(|n| memchr::memmem::find(text.as_bytes(), n).is_some())
}

/// How far an added or removed line (`changed`, without its line break) can
/// change what encloses the lines after it, given that the lines from `from`
/// on are kept: the index of the first line (of `n`, read by `line`) whose
/// [`parents`] it cannot be among, or `from` when it encloses nothing.
/// A section header encloses up to the next one; a line that opens a block
/// at some indentation, up to the next opener at that indentation or less
/// (the walk up from a line below stops there, see [`ParentFinder`]); a
/// line that is only `)` ends a Go declaration block, so removing it extends
/// the block. Bounded by how far [`parents`] and Go blocks look.
pub fn reach<'t>(changed: &str, from: usize, n: usize, line: impl Fn(usize) -> &'t str) -> usize {
    let trimmed = changed.trim();
    let limit = n.min(from + LOOKBACK_LINES);
    if trimmed == ")" {
        return n.min(from + BLOCK_LINES);
    }
    let header = is_section_header(trimmed);
    if trimmed.is_empty() || is_comment(trimmed) || !(header || opens_block(trimmed)) {
        return from;
    }
    let level = indentation(changed);
    for i in from..limit {
        let raw = line(i);
        let t = raw.trim();
        if t.is_empty() || is_comment(t) {
            continue;
        }
        let stops = if header {
            is_section_header(t)
        } else {
            is_section_header(t) || (opens_block(t) && indentation(raw) <= level)
        };
        if stops {
            return i + 1;
        }
    }
    limit
}

/// A key that encloses a value: the text of an opening line (`messagebird:`,
/// `"messagebird": {`, `[messagebird]`, `provider "messagebird" {`, `<messagebird>`)
/// or of an unclosed opener earlier on the value's own line.
#[derive(Debug)]
pub struct Parent<'t> {
    pub text: &'t str,
    pub line: usize,
}

/// The values of the provider selectors beside the key at `at`
/// (`provider: messagebird` next to `access_key: v`, Laravel's `'driver' =>
/// 'messagebird'`), each with its line: on the key's own line near it, and
/// on the lines of its block next to it, at most [`SELECTOR_LINES`]
/// non-blank lines away, which the margin of a focused scan covers.
pub fn selectors<'t>(text: &'t str, lines: &Lines, at: usize) -> Vec<Parent<'t>> {
    static SELECTOR: OnceLock<Regex> = OnceLock::new();
    let re = SELECTOR.get_or_init(|| {
        Regex::new(
            r#"(?i-u)(?:^|[^A-Za-z0-9_])["']?(?:provider|driver|service|gateway|vendor|adapter|backend|transport)["']?[ \t]*(?::|=>|=)[ \t]*["']?(?P<value>[A-Za-z][A-Za-z0-9_.\-]*)"#,
        )
        .expect("the selector pattern is valid")
    });
    let mut out = Vec::new();
    let line = lines.line_of(at);
    let (start, end) = lines.span(text, line);
    // On the key's own line, near it: a minified line holds many blocks.
    let mut from = at.saturating_sub(200).max(start);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (at + 200).min(end).max(from);
    while !text.is_char_boundary(to) {
        to += 1;
    }
    let mut push = |base: usize, hay: &'t str, line: usize| {
        for c in re.captures_iter(hay.as_bytes()) {
            if let Some(v) = c
                .name("value")
                .and_then(|v| text.get(base + v.start()..base + v.end()))
            {
                out.push(Parent { text: v, line });
            }
        }
    };
    push(from, &text[from..to], line);
    let indent = |l: &str| l.len() - l.trim_start_matches([' ', '\t', '-']).len();
    let own = indent(&text[start..end]);
    for step in [-1isize, 1] {
        let mut n = line as isize;
        let mut left = SELECTOR_LINES;
        while left > 0 {
            n += step;
            if n < 1 || n as usize > lines.count() {
                break;
            }
            let (s, e) = lines.span(text, n as usize);
            let l = &text[s..e];
            if l.trim().is_empty() || indent(l) != own {
                break;
            }
            left -= 1;
            push(s, l, n as usize);
        }
    }
    out
}

/// How many lines above and below a key its block's selectors are looked
/// for: within the margin a focused scan searches around a change.
const SELECTOR_LINES: usize = 2;

/// How far back to look for enclosing keys. Config blocks are short; this bounds
/// the cost on huge generated files.
const LOOKBACK_LINES: usize = 400;

/// The keys that enclose the byte at `at`, innermost first.
pub fn parents<'t>(text: &'t str, lines: &Lines, at: usize) -> Vec<Parent<'t>> {
    ParentFinder::new(text, lines).parents(at)
}

/// [`parents`] for many offsets of one text. Asked in increasing order
/// within a line, it carries its scan of the line forward instead of
/// rescanning from the line's start: per call, a minified line with
/// thousands of assignments cost quadratic time.
pub struct ParentFinder<'t, 'l> {
    text: &'t str,
    lines: &'l Lines,
    /// Line, line start and how far the opener scan has got.
    line: usize,
    start: usize,
    at: usize,
    openers: Openers,
    above: Above<'t>,
}

impl<'t, 'l> ParentFinder<'t, 'l> {
    pub fn new(text: &'t str, lines: &'l Lines) -> Self {
        ParentFinder {
            text,
            lines,
            line: 0,
            start: 0,
            at: 0,
            openers: Openers::default(),
            above: Above::default(),
        }
    }

    pub fn parents(&mut self, at: usize) -> Vec<Parent<'t>> {
        let text = self.text;
        let lines = self.lines;
        let mut out = Vec::new();
        let line = lines.line_of(at);
        if line != self.line || at < self.at {
            let (start, _) = lines.span(text, line);
            self.line = line;
            self.start = start;
            self.at = start;
            self.openers = Openers::default();
        }
        let start = self.start;
        self.openers
            .scan(&text.as_bytes()[self.at..at], self.at - start);
        self.at = at;
        same_line_openers(&text[start..at], &self.openers.stack, line, &mut out);

        let indent = indentation(&text[start..]);
        self.above.enclosing(text, lines, line, indent, &mut out);
        out
    }
}

/// The lines that enclose a line from above, as walking up from it finds
/// them (at most [`LOOKBACK_LINES`] up): each line that opens a block at
/// less indentation than the last one found, up to and with the first
/// section header. Kept as the lines are read downwards: a stack of the
/// openers that a line below can still find (each pushed opener drops those
/// at its indentation or more, which a walk up from below it never takes),
/// cleared at a section header; the stack's top and the header are noted
/// per line. A walk up cost up to 400 lines per value: a generated page
/// with thousands of values paid that for each.
#[derive(Default)]
struct Above<'t> {
    /// The first line read: what lies above it was not read, as if the
    /// text started there.
    from: usize,
    /// The next line to read.
    next: usize,
    /// Per line read (index: line - `from`): the stack's top and the
    /// section header in force above it.
    at_line: Vec<(u32, u32)>,
    /// Openers and headers; `below` links each opener to the one under it.
    nodes: Vec<Opener<'t>>,
    top: u32,
    header: u32,
}

struct Opener<'t> {
    text: &'t str,
    line: usize,
    indent: usize,
    below: u32,
}

const NONE: u32 = u32::MAX;

impl<'t> Above<'t> {
    /// Appends the enclosing lines of `line` (indented `indent`) to `out`,
    /// innermost first.
    fn enclosing(
        &mut self,
        text: &'t str,
        lines: &Lines,
        line: usize,
        indent: usize,
        out: &mut Vec<Parent<'t>>,
    ) {
        let first = line.saturating_sub(LOOKBACK_LINES).max(1);
        // Read on from where it got to when that is near; else start
        // afresh from the first line the walk would read.
        let near = self.next > 0 && self.from <= first && line <= self.next + 2 * LOOKBACK_LINES;
        if !near {
            *self = Above {
                from: first,
                next: first,
                top: NONE,
                header: NONE,
                ..Above::default()
            };
        }
        while self.next <= line {
            self.read(text, lines);
        }
        let (mut n, header) = self.at_line[line - self.from];
        let mut indent = indent;
        while n != NONE {
            let o = &self.nodes[n as usize];
            if o.line < first {
                break;
            }
            if o.indent < indent {
                out.push(Parent {
                    text: o.text,
                    line: o.line,
                });
                indent = o.indent;
            }
            n = o.below;
        }
        if let Some(h) = self.nodes.get(header as usize).filter(|h| h.line >= first) {
            out.push(Parent {
                text: h.text,
                line: h.line,
            });
        }
    }

    /// Reads line `next`: notes what is above it, then takes it in.
    fn read(&mut self, text: &'t str, lines: &Lines) {
        let l = self.next;
        self.next += 1;
        self.at_line.push((self.top, self.header));
        let (s, e) = lines.span(text, l);
        let raw = &text[s..e];
        let trimmed = raw.trim();
        if trimmed.is_empty() || is_comment(trimmed) {
            return;
        }
        let header = is_section_header(trimmed);
        if !header && !opens_block(trimmed) {
            return;
        }
        let indent = indentation(raw);
        // A header ends every block above it; an opener those at its
        // indentation or more.
        let mut below = if header { NONE } else { self.top };
        while let Some(o) = self
            .nodes
            .get(below as usize)
            .filter(|o| o.indent >= indent)
        {
            below = o.below;
        }
        // A text has fewer lines than u32 counts.
        let id = self.nodes.len() as u32;
        self.nodes.push(Opener {
            text: trimmed,
            line: l,
            indent,
            below,
        });
        if header {
            (self.header, self.top) = (id, NONE);
        } else {
            self.top = id;
        }
    }
}

/// The walk up that [`Above`] stands for, line by line: the reference its
/// test compares it with.
#[cfg(test)]
fn walk_up<'t>(text: &'t str, lines: &Lines, line: usize, mut indent: usize) -> Vec<Parent<'t>> {
    let mut out = Vec::new();
    let first = line.saturating_sub(LOOKBACK_LINES).max(1);
    for l in (first..line).rev() {
        let (s, e) = lines.span(text, l);
        let raw = &text[s..e];
        let trimmed = raw.trim();
        if trimmed.is_empty() || is_comment(trimmed) {
            continue;
        }
        if is_section_header(trimmed) {
            out.push(Parent {
                text: trimmed,
                line: l,
            });
            break;
        }
        let ind = indentation(raw);
        if ind < indent && opens_block(trimmed) {
            out.push(Parent {
                text: trimmed,
                line: l,
            });
            indent = ind;
        }
    }
    out
}

/// Unclosed `{`, `(`, `[` and `<` (offsets in the line) so far, quotes skipped.
#[derive(Default)]
struct Openers {
    stack: Vec<(usize, u8)>,
    in_quote: Option<u8>,
}

impl Openers {
    /// Takes in `bytes`, which start at offset `base` of the line.
    fn scan(&mut self, bytes: &[u8], base: usize) {
        for (i, &b) in bytes.iter().enumerate() {
            if let Some(q) = self.in_quote {
                if b == q {
                    self.in_quote = None;
                }
                continue;
            }
            match b {
                b'"' | b'\'' => self.in_quote = Some(b),
                b'{' | b'(' | b'[' | b'<' => self.stack.push((base + i, b)),
                b'}' | b')' | b']' | b'>' => {
                    self.stack.pop();
                }
                _ => {}
            }
        }
    }
}

/// Unclosed `{`, `(`, `[` and `<tag` earlier on the line: `{"messagebird": {"key": …`
/// or `<messagebird accessKey="…">`.
///
/// Bounded, so a minified line costs the same per value as short lines do:
/// only the innermost [`MAX_LINE_OPENERS`] openers are read (a `<` that is a
/// comparison never closes, so minified code piles them up), an opener's key
/// starts after the last `;` before it (a statement that ended is not the
/// key of the next one: the same text split into lines gives the same key)
/// and holds at most [`MAX_KEY_BYTES`] (longer is data, not a name).
fn same_line_openers<'t>(
    prefix: &'t str,
    stack: &[(usize, u8)],
    line: usize,
    out: &mut Vec<Parent<'t>>,
) {
    let inner = &stack[stack.len().saturating_sub(MAX_LINE_OPENERS)..];
    let mut prev_end = match stack.len() - inner.len() {
        0 => 0,
        n => stack[n - 1].0 + 1,
    };
    let mut found = Vec::new();
    for &(pos, kind) in inner {
        let text = if kind == b'<' {
            let after = &prefix[pos + 1..];
            let after = &after[..floor_boundary(after, MAX_KEY_BYTES)];
            let end = after
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(after.len());
            &after[..end]
        } else {
            let key = &prefix[prev_end..pos];
            let key = &key[ceil_boundary(key, key.len().saturating_sub(MAX_KEY_BYTES))..];
            key.rfind(';').map_or(key, |i| &key[i + 1..]).trim()
        };
        prev_end = pos + 1;
        if !text.is_empty() {
            found.push(Parent { text, line });
        }
    }
    out.extend(found.into_iter().rev());
}

/// Openers of one line read for a value's enclosing keys (innermost).
const MAX_LINE_OPENERS: usize = 32;

/// The longest key an opener on a value's line is read with.
const MAX_KEY_BYTES: usize = 256;

/// The largest character boundary of `s` at or before `i`.
fn floor_boundary(s: &str, i: usize) -> usize {
    (0..=i.min(s.len()))
        .rev()
        .find(|&j| s.is_char_boundary(j))
        .unwrap_or(0)
}

/// The smallest character boundary of `s` at or after `i`.
fn ceil_boundary(s: &str, i: usize) -> usize {
    (i.min(s.len())..=s.len())
        .find(|&j| s.is_char_boundary(j))
        .unwrap_or(s.len())
}

fn indentation(line: &str) -> usize {
    line.bytes()
        .take_while(|&b| b == b' ' || b == b'\t')
        .count()
}

fn is_comment(trimmed: &str) -> bool {
    trimmed.starts_with('#') || trimmed.starts_with("//") || trimmed.starts_with(';')
}

fn is_section_header(trimmed: &str) -> bool {
    trimmed.starts_with('[')
        && trimmed.ends_with(']')
        && trimmed.len() > 2
        && !trimmed[1..].starts_with(']')
        && !trimmed.contains(',')
        && !trimmed.contains('"')
}

fn opens_block(trimmed: &str) -> bool {
    let t = trimmed
        .trim_end_matches(|c: char| c == ',' || c.is_whitespace())
        .as_bytes();
    match t.last() {
        Some(b':' | b'{' | b'[' | b'(') => true,
        Some(b'>') => {
            trimmed.starts_with('<') && !trimmed.ends_with("/>") && !trimmed.contains("</")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        let mut v: Vec<_> = assignments(text, 1)
            .into_iter()
            .map(|a| (text[a.name].to_string(), text[a.value].to_string()))
            .collect();
        v.sort();
        v
    }

    /// A floor drops short values and keeps long ones, in every syntax.
    #[test]
    fn a_floor_keeps_only_values_at_least_that_long() {
        let long = "A".repeat(16);
        let text = format!(
            "short = abc\nlong = {long}\n<tag>{long}</tag>\n<tag>abc</tag>\nENV SHORT abc\nENV LONG {long}\n\"q\": \"{long}\"\n"
        );
        let names = |floor| {
            let mut v: Vec<String> = assignments(&text, floor)
                .into_iter()
                .map(|a| text[a.name].to_string())
                .collect();
            v.sort();
            v.dedup();
            v
        };
        assert_eq!(names(16), ["LONG", "long", "q", "tag"]);
        assert_eq!(names(1), ["LONG", "SHORT", "long", "q", "short", "tag"]);
        let floor = |n| FLOORS[bucket(n)];
        assert_eq!(floor(25), 20);
        assert_eq!(floor(16), 16);
        assert_eq!(floor(9), 8);
        assert_eq!(floor(0), 1);
    }

    /// A value with characters past ASCII keeps them whole.
    #[test]
    fn values_past_ascii_stay_whole() {
        assert!(has(
            "pass = \"pässwörd-ünïcode-1\"",
            "pass",
            "pässwörd-ünïcode-1"
        ));
        assert!(has("pass=ключ-ключ-ключ", "pass", "ключ-ключ-ключ"));
    }

    fn has(text: &str, name: &str, value: &str) -> bool {
        pairs(text).iter().any(|(n, v)| n == name && v == value)
    }

    #[test]
    fn finds_assignments_across_syntaxes() {
        assert!(has("export API_KEY=\"v1\"", "API_KEY", "v1"));
        assert!(has("ENV API_KEY v1", "API_KEY", "v1"));
        assert!(has("  api_key: 'v1'", "api_key", "v1"));
        assert!(has("{\"a.b:c\": \"v1\"}", "a.b:c", "v1"));
        assert!(has("api.key=v1", "api.key", "v1"));
        assert!(has("key: str = \"v1\"", "key", "v1"));
        assert!(has("const K: &str = \"v1\";", "K", "v1"));
        assert!(has("pub static K: &'static str = \"v1\";", "K", "v1"));
        assert!(has("let k: Option<&str> = \"v1\";", "k", "v1"));
        assert!(has("static const char K[] = \"v1\";", "K", "v1"));
        assert!(has("char k[33] = \"v1\";", "k", "v1"));
        assert!(has("#define K \"v1\"", "K", "v1"));
        assert!(has("  #  define K v1", "K", "v1"));
        assert!(has("NSString *const kK = @\"v1\";", "kK", "v1"));
        assert!(has("var k = @\"v1\";", "k", "v1"));
        assert!(has("K = b\"v1\"", "K", "v1"));
        assert!(has("$env:K = \"v1\"", "K", "v1"));
        assert!(has("set -gx K v1", "K", "v1"));
        assert!(has("ENV[\"K\"] ||= \"v1\"", "K", "v1"));
        assert!(has("k ??= \"v1\";", "k", "v1"));
        assert!(has("cli --access-key v1 send", "access-key", "v1"));
        assert!(has("cli --access-key \"v1\"", "access-key", "v1"));
        assert!(!has(
            "cli --access-key --verbose",
            "access-key",
            "--verbose"
        ));
        assert!(has(
            "kubectl create secret generic s --from-literal=K=v1",
            "K",
            "v1"
        ));
        assert!(has("args = \"--token=v1\"", "token", "v1"));
        assert!(!has("u = \"https://h/?a=v1\"", "https://h/?a", "v1"));
        assert!(has("set --export K 'v1'", "K", "v1"));
        assert!(has("setenv K v1", "K", "v1"));
        assert!(has("$Env:K='v1'", "K", "v1"));
        assert!(has("Environment=K=v1", "K", "v1"));
        assert!(has("Environment=\"K=v1\"", "K", "v1"));
        assert!(has("env:\n  - name: K\n    value: \"v1\"", "K", "v1"));
        assert!(has("[{\"name\": \"K\", \"value\": \"v1\"}]", "K", "v1"));
        assert!(has("'k' => 'v1',", "k", "v1"));
        assert!(has("k := \"v1\"", "k", "v1"));
        assert!(has("<add key=\"K\" value=\"v1\" />", "K", "v1"));
        assert!(has("<K>v1</K>", "K", "v1"));
        assert!(has(r#"    "k = \"v1\"\n","#, "k", "v1"));
        assert!(has("os.environ.setdefault(\"K\", \"v1\")", "K", "v1"));
    }

    #[test]
    fn finds_go_php_and_make_forms() {
        assert!(has("var k string = \"v1\"", "k", "v1"));
        assert!(has("const k = \"v1\"", "k", "v1"));
        assert!(has("const (\n\tK string = \"v1\"\n)\n", "K", "v1"));
        assert!(!has("const (\n)\nK string = \"v1\"\n", "K", "v1"));
        assert!(has("$k .= 'v1';", "$k", "v1"));
        assert!(has("$k.='v1';", "$k", "v1"));
        assert!(has("define('K', 'v1');", "K", "v1"));
        for op in ["=", ":=", "::=", ":::=", "?=", "+="] {
            assert!(has(&format!("K {op} v1"), "K", "v1"), "{op}");
        }
        assert!(has("export K = v1", "K", "v1"));
        assert!(has("java -Dapp.key=v1 -jar x", "app.key", "v1"));
        assert!(has("-Pgradle.publish.key=v1", "gradle.publish.key", "v1"));
        assert!(has("--Password=v1", "Password", "v1"));
    }

    #[test]
    fn finds_xml_properties_and_environment_defaults() {
        assert!(has("<K>\n   v1\n</K>", "K", "v1"));
        assert!(!has("<K>\n   v1\n</J>", "K", "v1"));
        assert!(has("<entry key=\"K\">v1</entry>", "K", "v1"));
        assert!(has("<property name=\"K\">\n v1\n</property>", "K", "v1"));
        assert!(has("a.b.k v1\n", "a.b.k", "v1"));
        assert!(!has("see a.b.k for v1\n", "a.b.k", "v1"));
        assert!(has("env('K', 'v1')", "K", "v1"));
        assert!(has("process.env.K || 'v1'", "K", "v1"));
        assert!(has("process.env.K ?? \"v1\"", "K", "v1"));
        assert!(has("ENV[\"K\"] || \"v1\"", "K", "v1"));
        assert!(has("os.getenv('K') or 'v1'", "K", "v1"));
        assert!(has("${K:-v1}", "K", "v1"));
        assert!(has("${K-v1}", "K", "v1"));
        assert!(has("${K:=\"v1\"}", "K", "v1"));
        assert!(!pairs("${K}").iter().any(|(n, _)| n == "K"));
        assert!(!pairs("env('K')").iter().any(|(n, _)| n == "K"));
    }

    /// Draws below `n`, from a xorshift generator seeded with `state`.
    fn draws(mut state: u64) -> impl FnMut(usize) -> usize {
        move |n| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as usize % n
        }
    }

    #[test]
    fn patterns_read_by_line_find_what_they_find_in_the_whole_text() {
        let words = [
            "ENV",
            "a.b",
            "app.secret.key",
            "x",
            "name",
            "value1234567890",
            "ab.cd",
            "=v.x",
            ":colon",
            "# c.d",
            "é.x",
            "v\x0bw.z",
            "tokentokentoken",
            "ENVX",
            "MessageBird",
            "API",
            "key:",
            "Key",
            "token",
            "=",
            ":",
            "- **Access",
            "secret:**",
            "# Live",
            "PASSWORD=",
            "credentials",
        ];
        let blanks = ["", " ", "\t", "  "];
        let ends = ["\n", "\r\n", "\r", "", "\r\r\n"];
        let mut next = draws(0x9e37_79b9_7f4a_7c15u64);
        let mut found = [0usize; 2];
        for floor in FLOORS {
            let p = patterns(floor);
            for _ in 0..3000 {
                let mut text = String::new();
                for _ in 0..1 + next(5) {
                    text.push_str(blanks[next(blanks.len())]);
                    for w in 0..1 + next(4) {
                        if w > 0 {
                            text.push_str(blanks[1 + next(blanks.len() - 1)]);
                        }
                        text.push_str(words[next(words.len())]);
                    }
                    text.push_str(blanks[next(blanks.len())]);
                    text.push_str(ends[next(ends.len())]);
                }
                let spans = |found: Vec<Assignment>| {
                    let mut v: Vec<_> = found.into_iter().map(|a| (a.name, a.value)).collect();
                    v.sort_by_key(|(n, v)| (n.start, n.end, v.start, v.end));
                    v
                };
                let (mut whole, mut lines) = (Vec::new(), Vec::new());
                collect(p.line_pair.get(), &text, 0, &mut whole);
                found[0] += whole.len();
                let pairs = whole.len();
                collect(p.prose.get(), &text, 0, &mut whole);
                found[1] += whole.len() - pairs;
                by_line(p, &text, &mut lines);
                assert_eq!(spans(lines), spans(whole), "floor {floor}, text {text:?}");
            }
        }
        // Both patterns found something, many times over.
        assert!(found.iter().all(|&n| n > 100), "{found:?}");
    }

    /// A gate that says no for a text the pattern matches would lose a
    /// key: on generated texts, every match is in a text its gate passes.
    #[test]
    fn gates_pass_every_text_their_pattern_matches() {
        let parts = [
            "key = ",
            "messagebird_key := ",
            "String::from(",
            "Some(",
            "SecretString::new(",
            "[]byte(",
            "new String(",
            "str(",
            "b\"",
            "\"",
            "'",
            "abcdefghijklmnopqrstuvwxyz0123",
            "\")",
            "\n",
            "  ",
            "\t",
            "set(",
            "SET(",
            "X ",
            "  set(KEY ",
            "foo.set(",
            "(",
        ];
        let mut next = draws(0x2545_f491_4f6c_dd1d);
        let mut matched = [0usize; 2];
        for _ in 0..20_000 {
            let text: String = (0..1 + next(12))
                .map(|_| parts[next(parts.len())])
                .collect();
            let p = patterns(1);
            for (i, (pattern, gate)) in [
                (&p.wrapped, holds_wrapped_literal as fn(&[u8]) -> bool),
                (&p.cmake_set, starts_a_line_with_set),
            ]
            .into_iter()
            .enumerate()
            {
                if pattern.get().is_match(text.as_bytes()) {
                    matched[i] += 1;
                    assert!(gate(text.as_bytes()), "gate {i} refuses {text:?}");
                }
            }
        }
        assert!(matched.iter().all(|&n| n > 50), "{matched:?}");
    }

    #[test]
    fn finds_enclosing_keys() {
        let text = "sms:\n  messagebird:\n    originator: x\n    access_key: v\nother: 1\n";
        let lines = Lines::new(text);
        let at = text.find("v\n").unwrap();
        let p: Vec<_> = parents(text, &lines, at).iter().map(|p| p.text).collect();
        assert_eq!(p, vec!["messagebird:", "sms:"]);

        let ini = "[messagebird]\nkey = v\n";
        let p = parents(ini, &Lines::new(ini), ini.find("v\n").unwrap());
        assert_eq!(p[0].text, "[messagebird]");

        let json = "{\"messagebird\": {\"key\": \"v\"}}";
        let p = parents(json, &Lines::new(json), json.find("v\"").unwrap());
        assert_eq!(p[0].text, "\"messagebird\":");

        let xml = "<messagebird accessKey=\"v\"/>";
        let p = parents(xml, &Lines::new(xml), xml.find("v\"").unwrap());
        assert_eq!(p[0].text, "messagebird");
    }

    #[test]
    fn the_finder_agrees_with_one_call_per_offset() {
        let json = "{\"messagebird\": {\"key\": \"v\", \"sub\": {\"k2\": \"w\"}}, \"x\": \"y\"}";
        let lines = Lines::new(json);
        let mut finder = ParentFinder::new(json, &lines);
        for needle in ["v\"", "w\"", "y\"", "v\""] {
            let at = json.find(needle).unwrap();
            let one: Vec<_> = parents(json, &lines, at).iter().map(|p| p.text).collect();
            let many: Vec<_> = finder.parents(at).iter().map(|p| p.text).collect();
            assert_eq!(one, many, "at {needle}");
        }
    }

    /// Read forward and kept, the enclosing lines are what a walk up from
    /// each line finds, asked in any order, in texts longer than the walk
    /// reaches.
    #[test]
    fn enclosing_lines_kept_are_those_a_walk_up_finds() {
        let shapes = [
            "a:",
            "b: {",
            "[section]",
            "<tag>",
            "<br/>",
            "# c:",
            "",
            "k: v",
            "x = 1",
            "list = [",
            "}",
            "]",
            "[a, b]",
            "fn f() {",
            "// d {",
            "  ",
            "key: value,",
        ];
        let mut next = draws(0x2545_f491_4f6c_dd1du64);
        let mut found = 0;
        for n_lines in [3, 40, 450, 1300] {
            // Openers and headers on most lines, or a few hundred lines
            // apart (past the walk's reach).
            for sparse in [1, 1, 1, 150, 300, 600] {
                let text: String = (0..n_lines)
                    .map(|_| {
                        let indent = [" ", "\t"][next(2)].repeat(next(7));
                        let shape = match next(sparse) {
                            0 => shapes[next(shapes.len())],
                            _ => "k: v",
                        };
                        format!("{indent}{shape}\n")
                    })
                    .collect();
                let lines = Lines::new(&text);
                let mut above = Above::default();
                for _ in 0..n_lines * 2 {
                    // Mostly onwards, now and then back or far ahead.
                    let line = 1 + next(lines.count());
                    let indent = next(9);
                    let mut got = Vec::new();
                    above.enclosing(&text, &lines, line, indent, &mut got);
                    let want = walk_up(&text, &lines, line, indent);
                    let key = |v: &[Parent<'_>]| {
                        v.iter()
                            .map(|p| (p.line, p.text.to_string()))
                            .collect::<Vec<_>>()
                    };
                    assert_eq!(key(&got), key(&want), "line {line}, indent {indent}");
                    found += want.len();
                }
                let mut above = Above::default();
                for line in 1..=lines.count() {
                    let mut got = Vec::new();
                    above.enclosing(&text, &lines, line, 8, &mut got);
                    assert_eq!(
                        got.len(),
                        walk_up(&text, &lines, line, 8).len(),
                        "line {line}"
                    );
                }
            }
        }
        assert!(found > 1000, "{found}");
        // A header or opener past the walk's reach encloses nothing.
        for far in ["[old]", "old:"] {
            let text = format!(
                "{far}\n{}  near:\n    k: v\n",
                "k: v\n".repeat(LOOKBACK_LINES)
            );
            let lines = Lines::new(&text);
            let last = lines.count() - 1;
            // Asked line by line, as values come, so the far line was read.
            let mut above = Above::default();
            let mut got = Vec::new();
            for line in 1..=last {
                got.clear();
                above.enclosing(&text, &lines, line, 4, &mut got);
            }
            let texts: Vec<_> = got.iter().map(|p| p.text).collect();
            assert_eq!(texts, ["near:"], "{far}");
            assert_eq!(walk_up(&text, &lines, last, 4).len(), 1);
        }
    }

    #[test]
    fn siblings_are_not_parents() {
        let text = "messagebird: true\napi_key: v\n";
        let lines = Lines::new(text);
        assert!(parents(text, &lines, text.find("v\n").unwrap()).is_empty());
        let json = "{\"provider\": \"messagebird\", \"key\": \"v\"}";
        let p = parents(json, &Lines::new(json), json.rfind('v').unwrap());
        assert!(p.iter().all(|p| !p.text.contains("messagebird")), "{p:?}");
    }
}

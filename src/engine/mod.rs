//! The engine: text in, matches out.
//!
//! It knows rules and text, and nothing of git, files on disk, terminals or
//! allowlists. A *match* is one span of one text that a rule says is a secret;
//! sources decide which matches are new, and reports decide how to show them.

// Archives in every scan (issue 11).
pub mod archive;
pub mod assign;
pub mod blob;
pub mod decode;
pub mod examples;
pub mod filters;
pub mod finding;
pub mod focus;
pub mod jwt;
pub mod text;

use std::collections::HashSet;
use std::ops::Range;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::rules::{Catalog, Context, ContextKind, Rule, Validator};
use assign::Assignment;
use finding::escape;
use focus::Focus;
use text::Lines;

/// One secret found at one place in one text.
#[derive(Debug, Clone)]
pub struct Match {
    pub rule: usize,
    /// Byte range of the secret in the scanned text.
    pub span: Range<usize>,
    /// Why the engine believes this is the rule's secret.
    pub why: String,
    /// The secret itself when `span` covers its encoded form (base64 in a
    /// Kubernetes Secret, a percent-encoded URL).
    pub decoded: Option<String>,
}

impl Match {
    /// The secret's value (decoded, where it was encoded).
    pub fn secret<'a>(&'a self, text: &'a str) -> &'a str {
        self.decoded.as_deref().unwrap_or(&text[self.span.clone()])
    }
}

/// The marker that lets a single line through: on the line itself, or on the
/// line before it when that line is nothing but a comment holding it (see
/// [`inline_allowed`]).
pub const INLINE_ALLOW: &str = "leakgate:allow";

/// Other scanners' markers, honoured so a team arriving from them keeps
/// what it marked (off with `[compat] markers = false`): gitleaks'
/// `gitleaks:allow` on the line, detect-secrets' `pragma: allowlist secret`
/// on the line and `pragma: allowlist nextline secret` on the line before.
/// Each is counted apart from leakgate's own.
pub const FOREIGN_MARKERS: [&str; 2] = ["gitleaks:allow", "pragma: allowlist"];

/// How a text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A text file: every rule, every encoded view.
    Text,
    /// The printable runs of a binary file: only the rules whose secret has a
    /// fixed prefix or a checksum (see `Rule::searches_binaries`).
    Binary,
}

/// Where a scanned text starts in the blob it came from: a window of a large
/// file starts some lines (and possibly some characters) in.
#[derive(Debug, Clone, Copy, Default)]
pub struct Origin {
    /// Lines of the blob before the text's first line.
    pub lines_before: usize,
    /// Characters of the text's first line that precede the text (non-zero
    /// only when a window had to cut a line longer than itself).
    pub columns_before: usize,
}

/// A scanned text with its line index, shared by everything that reports on it.
pub struct Scanned {
    pub text: String,
    pub lines: Lines,
    pub matches: Vec<Match>,
    /// Matches dropped by an inline `leakgate:allow` marker.
    pub inline_allowed: usize,
    /// Matches dropped by another scanner's marker ([`FOREIGN_MARKERS`]).
    pub foreign_allowed: usize,
    /// Where those were.
    foreign_at: Vec<usize>,
    /// Masked lines shared by the findings built from this text.
    pub memo: crate::engine::finding::ExcerptMemo,
    /// Where those were (span starts), so overlapping windows count each once.
    allowed_at: Vec<usize>,
    pub origin: Origin,
    /// Matches starting at or after this offset belong to the next window of
    /// the same file, which reports them. They stay in `matches` so that an
    /// excerpt of a line holding several secrets still redacts all of them.
    pub owned_end: usize,
}

impl Scanned {
    /// 1-based line and column of `offset` in the whole blob.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.lines.line_of(offset);
        let mut column = self.lines.column_of(&self.text, offset);
        if line == 1 {
            column += self.origin.columns_before;
        }
        (line + self.origin.lines_before, column)
    }

    /// Indices of the matches this text reports (see [`Scanned::owned_end`]).
    pub fn reported(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.matches.len()).filter(|&i| self.matches[i].span.start < self.owned_end)
    }

    /// Counts only what this window owns, once the window's end is known.
    fn own_until(&mut self, end: usize) {
        self.owned_end = end;
        self.inline_allowed = self.allowed_at.iter().filter(|&&o| o < end).count();
        self.foreign_allowed = self.foreign_at.iter().filter(|&&o| o < end).count();
    }
}

/// Whether `text` could hold anything: a rule's keyword, or an encoded view.
/// Cheap (one prefilter pass), so callers can skip the rest, including
/// copying the text, for the great majority of blobs.
pub fn worth_scanning(catalog: &Catalog, text: &str) -> bool {
    catalog.any_candidate(text) || decode::might_have_views(text)
}

/// [`worth_scanning`] for a text at `path`: a rule known by the file's name
/// needs no keyword.
pub fn worth_scanning_at(catalog: &Catalog, text: &str, path: Option<&str>) -> bool {
    worth_scanning(catalog, text) || path.is_some_and(|p| !catalog.path_candidates(p).is_empty())
}

/// A text with no path (standard input, a commit message).
pub fn scan(catalog: &Catalog, text: String) -> Scanned {
    scan_as(catalog, text, Mode::Text)
}

pub fn scan_as(catalog: &Catalog, text: String, mode: Mode) -> Scanned {
    scan_at(catalog, text, mode, None, None)
}

/// Scans `text`, found at `path` (repository-relative) when it has one:
/// contexts with a `path` run only where it matches. `file` is the bytes of
/// the whole file `text` was read from when `text` starts it (all of it, or
/// its first window): a whole-file context reports there only, once,
/// confirms the file by its first bytes and fingerprints all of them.
pub fn scan_at(
    catalog: &Catalog,
    text: String,
    mode: Mode,
    path: Option<&str>,
    file: Option<&[u8]>,
) -> Scanned {
    scan_within(catalog, text, mode, path, file, Within::default())
}

/// What a caller already knows of a text it has [`scan_within`] scan.
#[derive(Default)]
pub struct Within<'a> {
    /// Search only these lines (see [`focus`]).
    pub focus: Option<&'a Focus>,
    /// What the whole text wakes (see [`Wake`]).
    pub wake: Option<&'a Wake>,
    /// The text's line index.
    pub lines: Option<Lines>,
}

/// [`scan_at`] searching only `focus` where that gives the same findings on
/// those lines as a search of the whole text (see [`focus`]): everything a
/// match there depends on is still read from the whole text.
pub fn scan_within(
    catalog: &Catalog,
    text: String,
    mode: Mode,
    path: Option<&str>,
    file: Option<&[u8]>,
    Within { focus, wake, lines }: Within,
) -> Scanned {
    let lines = lines.unwrap_or_else(|| Lines::new(&text));
    // Spans a specific rule recognised, kept or not: a look-alike it rejected
    // (a wrong checksum, a placeholder) is not the generic rule's to report.
    let mut claimed = Vec::new();
    let read;
    let wake = match wake {
        Some(w) => w,
        None => {
            read = Wake::of(catalog, &text, mode, path);
            &read
        }
    };
    let at = Place {
        path,
        file,
        focus,
        wake,
    };
    let mut matches = find(catalog, &text, &lines, &mut claimed, mode, at);
    // The strings of a binary are not a document: no Kubernetes manifest or
    // URL to decode there.
    let views = match mode {
        Mode::Text => decode::views(&text, &lines, focus.map(|f| f.ranges.as_slice())),
        Mode::Binary => Vec::new(),
    };
    for view in views {
        let view_lines = Lines::new(&view.text);
        let view_wake = Wake::of(catalog, &view.text, view.mode, path);
        let mut view_claimed = Vec::new();
        for m in find(
            catalog,
            &view.text,
            &view_lines,
            &mut view_claimed,
            view.mode,
            // A decoded view is not a file of its own, and is searched
            // whole.
            Place {
                path,
                file: None,
                focus: None,
                wake: &view_wake,
            },
        ) {
            // A secret read as written is reported once, by the rule that
            // read it there (a kubeconfig's `client-key-data` is its own
            // rule's, not also the PEM rule's through the decoded view).
            let overlaps_plain = matches.iter().any(|p| {
                (p.rule == m.rule || !catalog.rules[p.rule].fallback)
                    && p.span.start < view.span.end
                    && view.span.start < p.span.end
            });
            if !overlaps_plain {
                matches.push(Match {
                    rule: m.rule,
                    span: view.span.clone(),
                    why: format!("{} (decoded from {})", m.why, view.encoding),
                    decoded: Some(view.text[m.span.clone()].to_string()),
                });
            }
        }
    }
    // A fallback rule (the generic "password = …" one) speaks only where no
    // specific rule did.
    let specific: Vec<Range<usize>> = matches
        .iter()
        .filter(|m| !catalog.rules[m.rule].fallback)
        .map(|m| m.span.clone())
        .chain(claimed)
        .collect();
    matches.retain(|m| {
        !catalog.rules[m.rule].fallback
            || !specific
                .iter()
                .any(|s| s.start < m.span.end && m.span.start < s.end)
    });
    // Of two fallback rules on one value (a tool's password field and the
    // generic `password = …` warning), the one that blocks speaks.
    let blocking_fallback: Vec<Range<usize>> = matches
        .iter()
        .filter(|m| catalog.rules[m.rule].fallback && catalog.rules[m.rule].block)
        .map(|m| m.span.clone())
        .collect();
    if !blocking_fallback.is_empty() {
        matches.retain(|m| {
            let r = &catalog.rules[m.rule];
            !r.fallback
                || r.block
                || !blocking_fallback
                    .iter()
                    .any(|s| s.start < m.span.end && m.span.start < s.end)
        });
    }
    matches.sort_by_key(|m| (m.span.start, m.rule));
    // A token the engine decoded as a JWT is reported by its JWT rule alone,
    // which says what it is (a kubeconfig's `token:` that is a
    // service-account JWT is not also the generic kubeconfig token).
    let is_jwt = |m: &Match| {
        matches!(
            catalog.rules[m.rule].validator,
            Some(Validator::Jwt | Validator::JwtExpired | Validator::JwtKubernetes)
        )
    };
    let decoded: HashSet<(usize, usize)> = matches
        .iter()
        .filter(|m| is_jwt(m))
        .map(|m| (m.span.start, m.span.end))
        .collect();
    if !decoded.is_empty() {
        matches.retain(|m| is_jwt(m) || !decoded.contains(&(m.span.start, m.span.end)));
    }
    // A focused scan reports what touches its focus: a match of a
    // whole-text context (a PEM block, a decoded view) on kept lines alone
    // is the version before's, which read it with the same context. Kept
    // here, it could be one that the line-local contexts, searched in the
    // focus only, would have claimed in a whole scan.
    if let Some(f) = focus {
        matches.retain(|m| {
            f.ranges
                .iter()
                .any(|r| r.start < m.span.end.max(m.span.start + 1) && m.span.start < r.end)
        });
    }
    // Sorted, so a line's marker is looked up once however many matches it
    // holds (a minified line can hold thousands). Where the allowed ones
    // were is kept, so overlapping windows count each once.
    let mut allowed_at = Vec::new();
    let mut foreign_at = Vec::new();
    let mut last: Option<(usize, Marked)> = None;
    let foreign = catalog.foreign_markers;
    matches.retain(|m| {
        let line = lines.line_of(m.span.start);
        let marked = match last {
            Some((l, marked)) if l == line => marked,
            _ => {
                let marked = marked(&text, &lines, m.span.start, foreign);
                last = Some((line, marked));
                marked
            }
        };
        match marked {
            Marked::No => return true,
            Marked::Own => allowed_at.push(m.span.start),
            Marked::Foreign => foreign_at.push(m.span.start),
        }
        false
    });
    Scanned {
        owned_end: usize::MAX,
        text,
        lines,
        matches,
        inline_allowed: allowed_at.len(),
        allowed_at,
        foreign_allowed: foreign_at.len(),
        foreign_at,
        origin: Origin::default(),
        memo: Default::default(),
    }
}

/// Every rule's matches in one text. Spans that a non-fallback rule's context
/// recognised, accepted or not, go to `claimed`.
/// Where a text was read (see [`scan_at`]).
#[derive(Clone, Copy)]
struct Place<'a> {
    path: Option<&'a str>,
    file: Option<&'a [u8]>,
    /// The lines to search, where not the whole text (see [`scan_within`]).
    focus: Option<&'a Focus>,
    /// What the text wakes (see [`Wake`]).
    wake: &'a Wake,
}

fn find(
    catalog: &Catalog,
    text: &str,
    lines: &Lines,
    claimed: &mut Vec<Range<usize>>,
    mode: Mode,
    Place {
        path,
        file,
        focus,
        wake,
    }: Place,
) -> Vec<Match> {
    let mut matches = Vec::new();
    let mut seen = HashSet::new();
    let candidates = &wake.rules;
    if candidates.is_empty() {
        return matches;
    }
    // The whole text, or the focus for the contexts whose matches depend on
    // their own line alone (see `Context::line_local`).
    let full = 0..text.len();
    let whole = std::slice::from_ref(&full);
    // Which of the two scopes (0: whole, 1: focus) a context searches.
    let focused = |ctx: &Context| focus.is_some() && ctx.line_local();
    let scope = |ctx: &Context| -> &[Range<usize>] {
        match focus {
            Some(f) if ctx.line_local() => &f.ranges,
            _ => whole,
        }
    };
    // Assignments read once per scope: [whole text, focus].
    let mut assignments: [Option<Vec<Assignment>>; 2] = [None, None];
    let mut shape_searches = 0;
    let mut parents = assign::ParentFinder::new(text, lines);
    let mut words = text::WordsIn::new(text);
    for (k, &ri) in candidates.iter().enumerate() {
        let rule = &catalog.rules[ri];
        'context: for (ci, ctx) in rule.contexts.iter().enumerate() {
            if !wake.present(k, ci) {
                continue;
            }
            if !path_allows(ctx, path) {
                continue;
            }
            // The `file` test is asked once per text (see `Wake::file_ok`):
            // here, before the context searches, when its answer costs less
            // than a search (no word it needs, or a test within lines, which
            // reads only the lines holding its words); else when the context
            // has found something the answer decides, before anything is
            // claimed.
            if ctx.file.is_some() {
                let asked = wake.file_asked(k, ci);
                if asked == Some(false)
                    || asked.is_none()
                        && (ctx.file_line_local() || lacks_file_words(ctx, &mut words))
                        && !wake.file_ok(k, ci, ctx, text, &mut words)
                {
                    continue;
                }
            }
            let mut file_ok = || ctx.file.is_none() || wake.file_ok(k, ci, ctx, text, &mut words);
            match &ctx.kind {
                ContextKind::Pattern { pattern } => {
                    for r in scope(ctx) {
                        for c in pattern.get().captures_iter(&text[r.clone()]) {
                            // A project's pattern may match without its
                            // secret group (`x|{secret}`): that match found
                            // nothing.
                            let Some(m) = c.name("secret") else {
                                continue;
                            };
                            // A value the rule's requirements refuse is not
                            // its secret's shape: not claimed either.
                            if !rule.value_ok(m.as_str()) {
                                continue;
                            }
                            if !file_ok() {
                                continue 'context;
                            }
                            let span = r.start + m.start()..r.start + m.end();
                            if !rule.fallback {
                                claimed.push(span.clone());
                            }
                            if accept(rule, text, span.clone()) {
                                push(&mut matches, &mut seen, ri, span, ctx.why.clone());
                            }
                        }
                    }
                }
                ContextKind::File { magic } => {
                    // The file's name said what it is (`path`, checked
                    // above); its first bytes confirm it where the format
                    // has a signature. Its fingerprint is the digest of its
                    // bytes: the same keystore anywhere is one secret,
                    // another is not. Only the text that starts the file
                    // reports it; an empty text file holds nothing.
                    let Some(bytes) = file else {
                        continue;
                    };
                    if !file_ok() {
                        continue;
                    }
                    if let Some(magic) = magic {
                        let head = &bytes[..bytes.len().min(crate::rules::MAGIC_WINDOW)];
                        if !magic.get().is_match(head) {
                            continue;
                        }
                    } else if text.trim().is_empty() && mode == Mode::Text {
                        continue;
                    }
                    let (start, end) = lines.span(text, 1);
                    let span = start..end.max(start);
                    if seen.insert((ri, span.start, span.end)) {
                        let digest = Sha256::digest(bytes);
                        matches.push(Match {
                            rule: ri,
                            span,
                            why: ctx.why.clone(),
                            decoded: Some(crate::fingerprint::hex(&digest)),
                        });
                    }
                }
                ContextKind::Assignment { name } => {
                    // No value of the secret's shape, no assignment of one:
                    // worth a search while reading assignments is still
                    // ahead, and for a few rules (a text naming many
                    // providers, such as a scanner's own rules, would pay a
                    // search per rule for nothing).
                    let ranges = scope(ctx);
                    let slot = usize::from(focused(ctx));
                    if assignments[slot].is_none() && shape_searches < MAX_SHAPE_SEARCHES {
                        shape_searches += 1;
                        let shape = rule.secret_anywhere.get();
                        if !ranges.iter().any(|r| shape.is_match(&text[r.clone()])) {
                            continue;
                        }
                    }
                    if assignments[slot].is_none() {
                        // One pass for every rule the text woke: read at
                        // the shortest value any of them can have.
                        let mut floor = rule.min_value_len();
                        for (k, &i) in candidates.iter().enumerate() {
                            let r = &catalog.rules[i];
                            let reads = r.contexts.iter().enumerate().any(|(ci, c)| {
                                matches!(c.kind, ContextKind::Assignment { .. })
                                    && wake.present(k, ci)
                            });
                            if reads {
                                floor = floor.min(r.min_value_len());
                            }
                        }
                        let mut found = Vec::new();
                        for r in ranges {
                            found.extend(
                                assign::assignments(&text[r.clone()], floor)
                                    .into_iter()
                                    .map(|a| Assignment {
                                        name: r.start + a.name.start..r.start + a.name.end,
                                        value: r.start + a.value.start..r.start + a.value.end,
                                    }),
                            );
                        }
                        assignments[slot] = Some(found);
                    }
                    let all = assignments[slot].as_ref().expect("just read");
                    let name_re = name.get();
                    for a in all.iter() {
                        let value = &text[a.value.clone()];
                        if !rule.shape_matches(value) {
                            continue;
                        }
                        let key = &text[a.name.clone()];
                        // A name of words (`MessageBird API key`) is read
                        // as one identifier (`MessageBird_API_key`).
                        let joined;
                        let as_name = if key.contains([' ', '\t']) {
                            joined = key.split_whitespace().collect::<Vec<_>>().join("_");
                            joined.as_str()
                        } else {
                            key
                        };
                        let why = if name_matches(name_re, as_name) {
                            format!("{} (`{}`)", ctx.why, escape(key))
                        } else if let Some(p) = parents
                            .parents(a.name.start)
                            .into_iter()
                            .find(|p| name_matches(name_re, p.text))
                        {
                            format!(
                                "{}: `{}` sits under `{}` (line {})",
                                ctx.why,
                                escape(key),
                                escape(p.text),
                                p.line
                            )
                        } else if let Some(p) = assign::selectors(text, lines, a.name.start)
                            .into_iter()
                            .find(|p| name_matches(name_re, p.text))
                        {
                            format!(
                                "{}: `{}` sits beside `{}` (line {})",
                                ctx.why,
                                escape(key),
                                escape(p.text),
                                p.line
                            )
                        } else {
                            continue;
                        };
                        if !file_ok() {
                            continue 'context;
                        }
                        if !rule.fallback {
                            claimed.push(a.value.clone());
                        }
                        if accept(rule, text, a.value.clone()) {
                            push(&mut matches, &mut seen, ri, a.value.clone(), why);
                        }
                    }
                }
            }
        }
    }
    // A JWT rule's `why` says what the token is (never its signature).
    for m in &mut matches {
        if let Some(d) = jwt::why(catalog.rules[m.rule].validator, &text[m.span.clone()]) {
            m.why = format!("{}: {d}", m.why);
        }
    }
    matches
}

/// What a whole text wakes: the rules its keywords (and path) wake, and for
/// each of their contexts whether the text holds the words it needs. Read
/// from the whole text once; a new version of a file that holds the same
/// words (see [`focus`]) wakes the same, so a history scan hands it on
/// instead of reading it again.
///
/// A context's `file` test is answered when [`find`] first needs it (a
/// match it would decide), once per text, and recorded here. So an answer
/// not asked means that no line of the text had such a match; one asked is
/// kept valid from version to version ([`Wake::for_version`],
/// [`Wake::same_as`]), which is what a focused search of the next version
/// relies on.
#[derive(Debug, Clone, Default)]
pub struct Wake {
    rules: Vec<usize>,
    /// Per rule in `rules`, per context: what it reads of the whole text.
    contexts: Vec<Vec<Reads>>,
}

/// What one context reads of a whole text.
#[derive(Debug, Clone)]
struct Reads {
    /// Its keywords and name's words are present.
    words: bool,
    /// Its `file` test's answer, once asked.
    file: OnceLock<Answer>,
}

/// A `file` test's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Yes,
    No,
    /// No, without a search: the text lacks every word of a set the test
    /// cannot match without. A new version that adds none of them lacks
    /// them too.
    Lacks,
}

impl Answer {
    fn ok(self) -> bool {
        self == Answer::Yes
    }
}

impl Wake {
    /// What `text` (at `path`, read as `mode`) wakes.
    pub fn of(catalog: &Catalog, text: &str, mode: Mode, path: Option<&str>) -> Wake {
        let mut rules = catalog.candidates(text);
        if let Some(p) = path {
            let woken = catalog.path_candidates(p);
            if !woken.is_empty() {
                rules.extend(woken);
                rules.sort_unstable();
                rules.dedup();
            }
        }
        if mode == Mode::Binary {
            rules.retain(|&i| catalog.searches_binaries(i));
        }
        let mut words = text::WordsIn::new(text);
        let contexts = rules
            .iter()
            .map(|&ri| {
                catalog.rules[ri]
                    .contexts
                    .iter()
                    .map(|ctx| Reads {
                        words: words_present(ctx, &mut words),
                        file: OnceLock::new(),
                    })
                    .collect()
            })
            .collect();
        Wake { rules, contexts }
    }

    /// Whether `self`, just read from a new version of a text (`after`),
    /// wakes what `before`, the wake of the version it replaces, woke: the
    /// same rules, the same words present, and the same answer to every
    /// `file` test `before` asked (asked here of `after` too). A test
    /// `before` never asked had nothing to decide on any line of it.
    pub fn same_as(&self, before: &Wake, catalog: &Catalog, after: &str) -> bool {
        if self.rules != before.rules {
            return false;
        }
        let mut words = text::WordsIn::new(after);
        for (k, &ri) in self.rules.iter().enumerate() {
            for (ci, ctx) in catalog.rules[ri].contexts.iter().enumerate() {
                let (mine, theirs) = (&self.contexts[k][ci], &before.contexts[k][ci]);
                if mine.words != theirs.words {
                    return false;
                }
                if let Some(&asked) = theirs.file.get() {
                    let now = *mine.file.get_or_init(|| file_test(ctx, after, &mut words));
                    if now.ok() != asked.ok() {
                        return false;
                    }
                }
            }
        }
        true
    }

    /// This wake for a new version of its text, `after`, that added the
    /// lines `added` and removed `removed` and holds the same words (see
    /// [`focus::Changes::same_words`]), and whether it is the same: each
    /// `file` test asked of the version before keeps its answer if the
    /// version before lacked a set of the test's words and the added lines
    /// hold none of them either, or if its regex cannot match across lines
    /// and matches no changed line; it is asked again otherwise. A
    /// different answer is a different wake: the
    /// context may now report (or no longer report) what its kept lines
    /// hold.
    pub fn for_version(
        &self,
        catalog: &Catalog,
        after: &str,
        added: &str,
        removed: &str,
    ) -> (Wake, bool) {
        let mut w = self.clone();
        let mut same = true;
        let mut words = text::WordsIn::new(after);
        let mut added_words = text::WordsIn::new(added);
        for (k, &ri) in self.rules.iter().enumerate() {
            for (ci, ctx) in catalog.rules[ri].contexts.iter().enumerate() {
                let (Some(&asked), Some(file)) = (w.contexts[k][ci].file.get(), &ctx.file) else {
                    continue;
                };
                let kept = if asked == Answer::Lacks {
                    lacks_file_words(ctx, &mut added_words)
                } else {
                    let re = file.get();
                    ctx.file_line_local() && !re.is_match(added) && !re.is_match(removed)
                };
                if !kept {
                    let now = file_test(ctx, after, &mut words);
                    same &= now.ok() == asked.ok();
                    w.contexts[k][ci].file = OnceLock::from(now);
                }
            }
        }
        (w, same)
    }

    fn present(&self, rule: usize, context: usize) -> bool {
        self.contexts[rule][context].words
    }

    /// The answer of a context's `file` test, if it was asked.
    fn file_asked(&self, rule: usize, context: usize) -> Option<bool> {
        self.contexts[rule][context].file.get().map(|a| a.ok())
    }

    /// The answer of the `file` test of context `context` of the wake's
    /// rule `rule` (`ctx`) for `text`, asked on first need.
    fn file_ok<'t>(
        &self,
        rule: usize,
        context: usize,
        ctx: &'t Context,
        text: &str,
        words: &mut text::WordsIn<'t>,
    ) -> bool {
        self.contexts[rule][context]
            .file
            .get_or_init(|| file_test(ctx, text, words))
            .ok()
    }
}

/// The shortest text whose `file` tests [`file_test`] narrows to lines.
const NARROW_MIN: usize = 16 * 1024;

/// The answer of `ctx`'s `file` test for `text` (whose words `words`
/// reads), with the search narrowed by the words the test cannot match
/// without ([`Context::file_words`]): none of a set in the text is a `false`
/// without a search ([`Answer::Lacks`]); for a test that matches within one
/// line ([`Context::file_line_local`]), only the lines holding a word of its
/// rarest-looking set (longest shortest word) are searched, unless they are
/// most of the text. Same answer as searching the whole text.
fn file_test<'t>(ctx: &'t Context, text: &str, words: &mut text::WordsIn<'t>) -> Answer {
    let Some(file) = &ctx.file else {
        return Answer::No;
    };
    if lacks_file_words(ctx, words) {
        Answer::Lacks
    } else if file_search(ctx, file.get(), text, words) {
        Answer::Yes
    } else {
        Answer::No
    }
}

/// The search behind [`file_test`], for a text holding a word of each set.
fn file_search<'t>(
    ctx: &'t Context,
    re: &regex::Regex,
    text: &str,
    words: &mut text::WordsIn<'t>,
) -> bool {
    let sets = ctx.file_words();
    // A short text is searched whole sooner than its lines are found.
    if text.len() < NARROW_MIN {
        return re.is_match(text);
    }
    let best = sets
        .iter()
        .max_by_key(|set| set.iter().map(String::len).min().unwrap_or(0));
    let (Some(set), true) = (best, ctx.file_line_local()) else {
        return re.is_match(text);
    };
    let lower = words.lower().as_bytes();
    let mut starts: Vec<usize> = Vec::new();
    for w in set {
        // Each line start is looked for back to the previous place only,
        // so a long line holding the word many times is read once.
        let (mut from, mut start) = (0, 0);
        for at in memchr::memmem::find_iter(lower, w.as_bytes()) {
            if let Some(i) = memchr::memrchr(b'\n', &lower[from..at]) {
                start = from + i + 1;
            }
            from = at;
            if starts.last() != Some(&start) {
                starts.push(start);
            }
        }
    }
    starts.sort_unstable();
    starts.dedup();
    let bytes = text.as_bytes();
    let ends: Vec<usize> = starts
        .iter()
        .map(|&s| memchr::memchr(b'\n', &bytes[s..]).map_or(bytes.len(), |i| s + i))
        .collect();
    // A search per line costs a start-up of its own: past about half the
    // text, one search of all of it is cheaper.
    let read: usize = starts.iter().zip(&ends).map(|(s, e)| e - s + 64).sum();
    if read > text.len() / 2 {
        return re.is_match(text);
    }
    starts
        .iter()
        .zip(&ends)
        .any(|(&s, &e)| re.is_match(&text[s..e]))
}

/// Whether the text lacks every word of a set `ctx`'s `file` test cannot
/// match without ([`Context::file_words`]).
fn lacks_file_words<'t>(ctx: &'t Context, words: &mut text::WordsIn<'t>) -> bool {
    ctx.file_words()
        .iter()
        .any(|set| !set.iter().any(|w| words.has(w)))
}

/// Whether `ctx` reads a text at `path` (a context with a `path` reads
/// only texts at a path it matches).
fn path_allows(ctx: &Context, path: Option<&str>) -> bool {
    match &ctx.path {
        Some(want) => path.is_some_and(|p| want.get().is_match(p)),
        None => true,
    }
}

/// How many rules' secrets [`find`] looks for in one text before it reads
/// the text's assignments regardless.
const MAX_SHAPE_SEARCHES: usize = 4;

/// Whether the text holds what `ctx` needs before it can find anything: one
/// of its keywords, and a word of each of its name's word sets.
fn words_present<'t>(ctx: &'t Context, words: &mut text::WordsIn<'t>) -> bool {
    (ctx.keywords.is_empty() || ctx.keywords.iter().any(|k| words.has(k)))
        && ctx.words.iter().all(|set| set.iter().any(|w| words.has(w)))
}

/// Whether an assignment context's `name` regex matches `name` on whole
/// word parts: the match must start and end where a part does (at the ends,
/// next to a character that is not a letter or digit, or at a camelCase
/// step), so `(?i)okta` finds `oktaDomain` and `OKTA_TOKEN` but not
/// `rookTable`, and `(?i)message[_\-.]?bird` finds `messageBirdKey`,
/// `MESSAGE_BIRD_KEY`, `message-bird.key` and `messagebird_access_key`.
/// Case is the regex's business (rules write `(?i)`).
pub fn name_matches(re: &crate::rules::ShortRegex, name: &str) -> bool {
    // Most names fail here, at the price of one search.
    let Some(mut m) = re.find_at(name, 0) else {
        return false;
    };
    let b = name.as_bytes();
    loop {
        if is_part_boundary(b, m.start) && is_part_boundary(b, m.end) {
            return true;
        }
        // Try again from the next part boundary after this match's start.
        let Some(next) = (m.start + 1..=b.len()).find(|&i| is_part_boundary(b, i)) else {
            return false;
        };
        match re.find_at(name, next) {
            Some(n) => m = n,
            None => return false,
        }
    }
}

/// Whether a word part of `b` starts or ends at byte `i`. Bytes past ASCII
/// count as letters, so a boundary is always a character boundary.
pub fn is_part_boundary(b: &[u8], i: usize) -> bool {
    if i == 0 || i >= b.len() {
        return true;
    }
    let part = |c: u8| c.is_ascii_alphanumeric() || c >= 0x80;
    let (prev, cur) = (b[i - 1], b[i]);
    if !part(prev) || !part(cur) {
        return true;
    }
    // `messageBird`, `s3Key`
    if (prev.is_ascii_lowercase() || prev.is_ascii_digit()) && cur.is_ascii_uppercase() {
        return true;
    }
    // `HTTPServer`: the last capital of a run starts the next part.
    prev.is_ascii_uppercase()
        && cur.is_ascii_uppercase()
        && b.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())
}

fn push(
    matches: &mut Vec<Match>,
    seen: &mut HashSet<(usize, usize, usize)>,
    rule: usize,
    span: Range<usize>,
    why: String,
) {
    // The same span found by two contexts of one rule is one match; keep the
    // first (most specific contexts come first in a rule). A set, not a scan
    // of the matches so far: that was quadratic on a line of thousands.
    if seen.insert((rule, span.start, span.end)) {
        matches.push(Match {
            rule,
            span,
            why,
            decoded: None,
        });
    }
}

/// The checks every candidate passes: a whole token, not a placeholder, not a
/// published example.
fn accept(rule: &Rule, text: &str, span: Range<usize>) -> bool {
    let b = text.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    if span.start > 0 && word(b[span.start - 1]) {
        return false;
    }
    if span.end < b.len() && word(b[span.end]) {
        return false;
    }
    let value = &text[span];
    // A specific rule's floor never refuses a key for the bad luck of a
    // random draw; the generic rule's floor is what separates secrets there.
    let floor = match rule.entropy {
        Some(f) if !rule.fallback => Some(filters::calibrated_floor(value, f)),
        f => f,
    };
    if filters::not_a_secret(value, &rule.reject, floor).is_some() {
        return false;
    }
    // Every validator is checked here, in one place: a checksum offline, a
    // JWT by decoding it.
    let valid = match rule.validator {
        None => true,
        Some(Validator::Crc32Base62) => crate::rules::crc32_base62_ok(value),
        Some(v @ (Validator::Jwt | Validator::JwtExpired | Validator::JwtKubernetes)) => {
            jwt::validates(v, value)
        }
    };
    if !valid {
        return false;
    }
    if !rule.known_examples_sha256.is_empty() {
        let digest = crate::fingerprint::hex(&Sha256::digest(value.as_bytes()));
        if rule
            .known_examples_sha256
            .iter()
            .any(|h| h.eq_ignore_ascii_case(&digest))
        {
            return false;
        }
    }
    true
}

/// Which marker lets a match through, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marked {
    No,
    Own,
    Foreign,
}

/// A match is allowed inline when its own line holds the marker, or when the
/// line above is nothing but a comment holding it (`# leakgate:allow`,
/// `// leakgate:allow reason`, `<!-- leakgate:allow -->`). A marker at the
/// end of a line of code (`FOO=1 # leakgate:allow`) allows that line only:
/// it must not wave through whatever is added below it. With `foreign`,
/// other scanners' markers count too, each as that scanner reads it.
fn marked(text: &str, lines: &Lines, offset: usize, foreign: bool) -> Marked {
    let line = lines.line_of(offset);
    let (s, e) = lines.span(text, line);
    let here = &text[s..e];
    if has_marker(here) {
        return Marked::Own;
    }
    let above = (line > 1).then(|| {
        let (s, e) = lines.span(text, line - 1);
        &text[s..e]
    });
    if above.is_some_and(comment_only_marker) {
        return Marked::Own;
    }
    if foreign && (foreign_marker_here(here) || above.is_some_and(foreign_marker_above)) {
        return Marked::Foreign;
    }
    Marked::No
}

/// `gitleaks:allow` anywhere on the line (as gitleaks reads it), or
/// detect-secrets' `pragma: allowlist secret`.
fn foreign_marker_here(line: &str) -> bool {
    line.contains("gitleaks:allow") || line.contains("pragma: allowlist secret")
}

/// detect-secrets' `pragma: allowlist nextline secret`, which allows the
/// line below it.
fn foreign_marker_above(line: &str) -> bool {
    line.contains("pragma: allowlist nextline secret")
}

/// The marker as a word: not `no-leakgate:allowed`, not `xleakgate:allow`.
pub fn has_marker(line: &str) -> bool {
    line.match_indices(INLINE_ALLOW).any(|(i, _)| {
        let before = line[..i].chars().next_back();
        let after = line[i + INLINE_ALLOW.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ':' | '.'))
            && !after.is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '-'))
    })
}

/// A line that is only a comment (or, for JSON, which has no comments, only a
/// `"key": "leakgate:allow …"` member) and holds the marker.
pub fn comment_only_marker(line: &str) -> bool {
    let t = line.trim();
    if !has_marker(t) {
        return false;
    }
    // Block comments must close on the line with nothing after them.
    for (open, close) in [
        ("/*", "*/"),
        ("<!--", "-->"),
        ("{#", "#}"),
        ("{{/*", "*/}}"),
    ] {
        if let Some(body) = t.strip_prefix(open) {
            return match body.find(close) {
                Some(at) => body[at + close.len()..].trim().is_empty(),
                None => true,
            };
        }
    }
    const LINE_COMMENTS: &[&str] = &["#", "//", "--", ";", "%", "*", "REM ", "rem "];
    if LINE_COMMENTS.iter().any(|c| t.starts_with(c)) {
        return true;
    }
    json_marker_member(t)
}

/// `"//": "leakgate:allow reason",`: a JSON member whose string value starts
/// with the marker, alone on its line.
fn json_marker_member(t: &str) -> bool {
    let Some(rest) = t.strip_prefix('"') else {
        return false;
    };
    let Some(key_end) = rest.find('"') else {
        return false;
    };
    let Some(rest) = rest[key_end + 1..].trim_start().strip_prefix(':') else {
        return false;
    };
    let Some(rest) = rest.trim_start().strip_prefix('"') else {
        return false;
    };
    let Some(value_end) = rest.find('"') else {
        return false;
    };
    let value = &rest[..value_end];
    let after = rest[value_end + 1..].trim();
    (after.is_empty() || after == ",")
        && value.trim_start().starts_with(INLINE_ALLOW)
        && has_marker(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testgen::token;

    fn rule_ids(text: &str) -> Vec<String> {
        let catalog = Catalog::builtin().unwrap();
        scan(&catalog, text.to_string())
            .matches
            .iter()
            .map(|m| catalog.rules[m.rule].id.clone())
            .collect()
    }

    #[test]
    fn messagebirds_published_example_key_is_not_reported() {
        // The test key in MessageBird's curl examples, assembled here so the
        // repository never holds it whole.
        let doc = ["test_gshu", "PaZoeEG6ov", "bc8M79w0QyM"].concat();
        let header = format!(
            "curl https://rest.messagebird.com/balance -H 'Authorization: AccessKey {doc}'"
        );
        assert!(rule_ids(&header).is_empty());
        // ...while any other test key in the same place is.
        let other = header.replace(&doc[5..], &token("alnum", 25, 1));
        assert_eq!(rule_ids(&other), vec!["messagebird-test-key"]);
    }

    #[test]
    fn a_key_is_reported_once_with_where_and_why() {
        let k = token("alnum", 25, 2);
        let text = format!("# settings\nmessagebird:\n  access_key: \"{k}\"\n");
        let catalog = Catalog::builtin().unwrap();
        let s = scan(&catalog, text);
        assert_eq!(s.matches.len(), 1);
        let m = &s.matches[0];
        assert_eq!(&s.text[m.span.clone()], k);
        assert_eq!(s.lines.line_of(m.span.start), 3);
        assert!(
            m.why.contains("sits under `messagebird:` (line 2)"),
            "{}",
            m.why
        );
    }

    #[test]
    fn kubernetes_secret_values_are_decoded_and_reported_where_encoded() {
        use base64::Engine as _;
        let k = token("alnum", 25, 3);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&k);
        let text =
            format!("apiVersion: v1\nkind: Secret\ndata:\n  MESSAGEBIRD_ACCESS_KEY: {b64}\n");
        let catalog = Catalog::builtin().unwrap();
        let s = scan(&catalog, text);
        assert_eq!(s.matches.len(), 1);
        let m = &s.matches[0];
        assert_eq!(&s.text[m.span.clone()], b64, "reported at the encoded text");
        assert_eq!(m.secret(&s.text), k);
        assert!(m.why.contains("Kubernetes Secret"), "{}", m.why);
        assert_eq!(s.lines.line_of(m.span.start), 4);
    }

    #[test]
    fn percent_encoded_urls_are_decoded_and_reported_where_encoded() {
        let k = token("alnum", 25, 4);
        let url =
            format!("https://rest.messagebird.com/messages?access%5Fkey={k}%26originator%3DAcme");
        let text = format!("curl '{url}'\n");
        let catalog = Catalog::builtin().unwrap();
        let s = scan(&catalog, text);
        assert_eq!(s.matches.len(), 1, "{:?}", s.matches);
        let m = &s.matches[0];
        assert_eq!(&s.text[m.span.clone()], url);
        assert_eq!(m.secret(&s.text), k);
        assert!(m.why.contains("percent-encoding"), "{}", m.why);
    }

    #[test]
    fn the_marker_is_a_word_and_reaches_down_only_from_a_comment_line() {
        for yes in [
            "# leakgate:allow",
            "  // leakgate:allow revoked",
            "<!-- leakgate:allow -->",
            "/* leakgate:allow */",
            "-- leakgate:allow",
            "  \"//\": \"leakgate:allow fixture\",",
            "\"_comment\": \"leakgate:allow\"",
        ] {
            assert!(comment_only_marker(yes), "{yes}");
        }
        for no in [
            "FOO=1 # leakgate:allow",
            "/* leakgate:allow */ int x;",
            "# no-leakgate:allowed",
            "# xleakgate:allow",
            "# leakgate:allowance",
            "\"a\": 1, \"//\": \"leakgate:allow\"",
            "\"//\": \"see leakgate:allow\"",
            "",
        ] {
            assert!(!comment_only_marker(no), "{no}");
        }
        assert!(has_marker("KEY=v # leakgate:allow"));
        assert!(has_marker("KEY=v //leakgate:allow: reason"));
        assert!(!has_marker("KEY=v # no-leakgate:allow"));
        assert!(!has_marker("KEY=v # éleakgate:allow"));
    }

    fn short(re: &str) -> crate::rules::ShortRegex {
        <crate::rules::ShortRegex as crate::rules::Compile>::compile(re).unwrap()
    }

    #[test]
    fn names_match_on_whole_word_parts() {
        let re = short("(?i)message[_\\-.]?bird");
        for yes in [
            "messageBirdKey",
            "MESSAGE_BIRD_KEY",
            "message-bird.key",
            "messagebird_access_key",
            "$messagebird",
            "provider \"messagebird\" {",
            "[services.messagebird]",
            "SMS_MessageBird",
        ] {
            assert!(name_matches(&re, yes), "{yes}");
        }
        for no in [
            "notmessagebird",
            "messagebirds",
            "messagebirdkey",
            "xMessageBirdy",
        ] {
            assert!(!name_matches(&re, no), "{no}");
        }
        let okta = short("(?i)okta");
        assert!(name_matches(&okta, "oktaDomain"));
        assert!(name_matches(&okta, "MY_OKTA"));
        assert!(
            name_matches(&okta, "rook_okta"),
            "a later match on a boundary counts"
        );
        assert!(!name_matches(&okta, "rookTable"));
        assert!(!name_matches(&okta, "brooktail"));
        let http = short("(?i)server");
        assert!(name_matches(&http, "HTTPServerKey"));
        assert!(name_matches(&short("(?i)key$"), "s3Key"));
        assert!(!name_matches(&short("(?i)k"), "日本k語"));
    }

    #[test]
    fn escape_neutralises_terminal_control() {
        assert_eq!(escape("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(escape("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(escape("tab\tok"), "tab\tok");
    }
}

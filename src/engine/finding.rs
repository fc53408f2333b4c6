//! A finding: one secret at one place, ready to report, holding no whole secret.
//!
//! Everything that leaves this module for a terminal, a JSON document or a file
//! carries the secret only as a redaction and a fingerprint. The raw value
//! exists in the engine's text and nowhere else.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::Scanned;
pub use crate::fingerprint::Fingerprint;
use crate::rules::values::ValueHits;
use crate::rules::{Catalog, Rule, Severity};

#[derive(Debug, Clone)]
pub struct CommitInfo {
    pub id: String,
    /// The subject line, masked like an excerpt once a finding carries it.
    pub summary: String,
    /// A root commit has no parent: rewriting it takes `git rebase -i --root`.
    pub root: bool,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule_id: String,
    pub rule_name: String,
    pub provider: String,
    pub severity: Severity,
    pub blocking: bool,
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub commit: Option<CommitInfo>,
    /// Where the commit holding the secret already is (issue 13); set after
    /// a scan for findings with a commit, and for staged ones (local).
    pub exposure: Option<Arc<Exposure>>,
    /// The change adds the whole file (no earlier version of it).
    pub file_added: bool,
    /// The file itself is the credential (a keystore): `redacted` stands
    /// for the SHA-256 of its bytes and there is no line to show.
    pub whole_file: bool,
    /// Cheap to hold; the slow, printable v2 string is computed on first use
    /// (see [`crate::fingerprint`]). Its Debug never shows the digest.
    pub fingerprint: Fingerprint,
    pub redacted: String,
    pub why: String,
    /// The line, with every secret on it redacted and control characters escaped.
    pub excerpt: String,
    /// History scans: how many other places (commit, path) brought the same
    /// secret in. Zero elsewhere.
    pub other_places: usize,
    /// `scan --image`: the image and layer `path` is in (then `path` is the
    /// file's path inside the image, or `config:Env[2]`, `history[5]`).
    pub image: Option<Box<ImagePlace>>,
    /// `--verify`: what the provider said about the key (none when
    /// verification did not run, or the rule has no check).
    pub verification: Option<crate::verify::Verification>,
    /// Which of the allowlist's value tests (`value`, `stopwords`) the
    /// secret passed, run where the raw value is (see
    /// [`crate::rules::values`]): the allowlist decides from this record.
    pub value_hits: ValueHits,
}

/// Which refs already hold a finding's commit: who could have seen the key.
/// Names only (`origin/main`, `v1.2`, `stash@{0}`), sorted; computed by
/// `sources::exposure`, which says what each list means where.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exposure {
    /// Remote-tracking refs (`origin/main`) whose history holds the commit.
    pub remotes: Vec<String>,
    /// Branches of this repository holding it (`main`): local work in a
    /// clone; what others fetch in a bare repository (a server, a mirror).
    pub branches: Vec<String>,
    pub tags: Vec<String>,
    /// Stash entries holding it (`stash@{0}`).
    pub stashes: Vec<String>,
    /// Nobody else can have it: in a clone, no remote-tracking ref holds
    /// the commit; in a bare repository, no ref does either.
    pub local_only: bool,
    /// The commit is HEAD here, so `git commit --amend` rewrites it. Not in
    /// JSON: it is advice, not exposure.
    pub head: bool,
    /// Found in a bare repository (a server, a mirror), whose branches and
    /// tags are what others fetch. Not in JSON either.
    pub bare: bool,
}

impl Exposure {
    /// A staged change is in this clone only, by definition.
    pub fn staged() -> Exposure {
        Exposure {
            local_only: true,
            ..Exposure::default()
        }
    }
}

/// Where in a container image a finding is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePlace {
    /// The image as the user named it: `app.tar`, `docker:app:1.2`.
    pub image: String,
    /// The layer holding the file; none for the config and history.
    pub layer: Option<LayerPlace>,
    /// The first later layer that deletes the file (it still ships).
    pub deleted_in: Option<usize>,
    /// The first later layer that writes another file at this path (this
    /// one still ships, hidden from containers, not from a `docker save`).
    pub replaced_in: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerPlace {
    /// `sha256:…`, the layer's digest as the manifest names it.
    pub digest: String,
    /// 1-based, bottom layer first.
    pub index: usize,
}

impl Finding {
    /// The place as a person reads it: the path, or for an image
    /// `IMAGE@sha256:0123456789ab:/etc/app.env` and `IMAGE:config:Env[2]`.
    pub fn location(&self) -> std::borrow::Cow<'_, str> {
        match &self.image {
            None => std::borrow::Cow::Borrowed(&self.path),
            Some(p) => std::borrow::Cow::Owned(p.locate(&self.path)),
        }
    }
}

impl ImagePlace {
    /// `path` in this image and layer, as [`Finding::location`] shows it.
    pub fn locate(&self, path: &str) -> String {
        match &self.layer {
            Some(l) => format!("{}@{}:{path}", self.image, short_digest(&l.digest)),
            None => format!("{}:{path}", self.image),
        }
    }
}

/// `sha256:` and the first 12 hex digits, as `docker images` shows ids.
pub fn short_digest(digest: &str) -> String {
    match digest.split_once(':') {
        Some((alg, hex)) => format!("{alg}:{}", &hex[..hex.len().min(12)]),
        None => digest[..digest.len().min(12)].to_string(),
    }
}

/// Location-free identity of a secret: see [`crate::fingerprint`] for the
/// scheme and what it protects.
pub fn fingerprint(rule_id: &str, secret: &str) -> Fingerprint {
    Fingerprint::new(rule_id, secret)
}

/// The first few characters and a mask: enough to recognise which key it is,
/// never enough to use it.
pub fn redact(secret: &str) -> String {
    let n = secret.chars().count();
    let shown = (n / 6).clamp(1, 6);
    let head: String = secret.chars().take(shown).collect();
    format!("{head}{}", "*".repeat((n - shown).min(20)))
}

const EXCERPT_MAX: usize = 160;

/// What the findings of one scanned text share, computed once: without it
/// every finding on a line of thousands re-masked the whole line (cubic time
/// on minified files).
#[derive(Default)]
pub struct ExcerptMemo {
    /// Every secret found anywhere in the text, to mask wherever it recurs.
    secrets: OnceLock<Option<AhoCorasick>>,
    /// The last line masked: findings come in text order, so one entry is
    /// enough to mask each line once.
    line: Mutex<Option<Arc<MaskedLine>>>,
    /// The last commit whose summary was masked.
    commit: Mutex<Option<(String, CommitInfo)>>,
    /// Matches that span a line break (PEM keys): the only ones that can
    /// reach into a line they do not start on. Kept apart so masking a line
    /// never walks every earlier match.
    multiline: OnceLock<Vec<usize>>,
}

struct MaskedLine {
    line: usize,
    /// Masked and escaped, surrounding whitespace trimmed.
    body: Vec<char>,
    /// Masked byte ranges of the text and where each starts in `body`.
    marks: Vec<(Range<usize>, usize)>,
    /// Column (in characters, 1-based) of each match start on the line.
    columns: Vec<(usize, usize)>,
}

/// What a whole-file finding shows for its line.
pub const WHOLE_FILE_EXCERPT: &str = "(the whole file is the credential)";

/// [`build`], and the record of which of the catalog's value tests (the
/// allowlist's `value` and `stopwords` entries: see
/// [`crate::rules::values`]) the secret passes, run here while the raw value
/// is at hand; only the record leaves. A whole file's "value" is its digest,
/// no text a pattern or a word was written for. Every finding is built here.
pub fn build_with(
    catalog: &Catalog,
    scanned: &Scanned,
    index: usize,
    path: &str,
    commit: Option<&CommitInfo>,
    file_added: bool,
) -> Finding {
    let m = &scanned.matches[index];
    let rule = &catalog.rules[m.rule];
    let mut f = build(rule, scanned, index, path, commit, file_added);
    if !f.whole_file && !catalog.values.tests.is_empty() {
        f.value_hits = catalog.values.hits(&rule.id, m.secret(&scanned.text));
    }
    f
}

/// Builds the finding for match `index` of `scanned` (no value tests: see
/// [`build_with`]).
pub fn build(
    rule: &Rule,
    scanned: &Scanned,
    index: usize,
    path: &str,
    commit: Option<&CommitInfo>,
    file_added: bool,
) -> Finding {
    let m = &scanned.matches[index];
    let text = &scanned.text;
    let secret = m.secret(text);
    let line = scanned.lines.line_of(m.span.start);
    let masked = masked_line(scanned, line);
    let whole_file = rule.is_whole_file();
    let fingerprint = fingerprint(&rule.id, secret);
    // The one moment a raw key is at hand: armed, `--verify` keeps it to
    // ask the provider (a whole file's bytes are no key to send).
    if !whole_file {
        crate::verify::offer(rule, &fingerprint, secret, text, m.span.start);
    }
    let column = masked
        .columns
        .binary_search_by_key(&m.span.start, |c| c.0)
        .map_or_else(
            |_| scanned.lines.column_of(text, m.span.start),
            |i| masked.columns[i].1,
        );
    Finding {
        rule_id: rule.id.clone(),
        rule_name: rule.name.clone(),
        provider: rule.provider.clone(),
        severity: rule.severity,
        blocking: rule.block,
        path: path.to_string(),
        line,
        column,
        commit: commit.map(|c| masked_commit(scanned, c)),
        exposure: None,
        file_added,
        whole_file,
        fingerprint,
        redacted: redact(secret),
        // The why quotes names and enclosing lines, which can hold another
        // secret: masked like the excerpt.
        why: mask(&m.why, 0, &[], blob_secrets(scanned))
            .0
            .into_iter()
            .collect(),
        // A binary file's first printable run means nothing.
        excerpt: if whole_file {
            WHOLE_FILE_EXCERPT.to_string()
        } else {
            window(&masked, m.span.start)
        },
        other_places: 0,
        image: None,
        verification: None,
        value_hits: ValueHits::default(),
    }
}

/// Masks a line of free text (a commit summary, a message) for display:
/// every occurrence of each of `secrets`, and any token that looks random,
/// redacted; control and bidi characters escaped.
pub fn mask_text(line: &str, secrets: &[&str]) -> String {
    let ac = automaton(secrets.iter().copied());
    let (out, _) = mask(line, 0, &[], ac.as_ref());
    out.into_iter().collect()
}

fn automaton<'a>(secrets: impl Iterator<Item = &'a str>) -> Option<AhoCorasick> {
    let set: HashSet<&str> = secrets.filter(|s| !s.is_empty()).collect();
    if set.is_empty() {
        return None;
    }
    // Leftmost-longest: where one secret contains another, the whole of the
    // longer one is masked.
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build(set)
        .ok()
}

fn blob_secrets(scanned: &Scanned) -> Option<&AhoCorasick> {
    scanned
        .memo
        .secrets
        .get_or_init(|| {
            let text = &scanned.text;
            automaton(
                scanned
                    .matches
                    .iter()
                    .flat_map(|m| [m.secret(text), &text[m.span.clone()]]),
            )
        })
        .as_ref()
}

fn masked_commit(scanned: &Scanned, c: &CommitInfo) -> CommitInfo {
    let mut memo = scanned.memo.commit.lock().expect("commit memo");
    if let Some((id, done)) = memo.as_ref() {
        if *id == c.id {
            return done.clone();
        }
    }
    let (summary, _) = mask(&c.summary, 0, &[], blob_secrets(scanned));
    let done = CommitInfo {
        summary: summary.into_iter().collect(),
        ..c.clone()
    };
    *memo = Some((c.id.clone(), done.clone()));
    done
}

fn masked_line(scanned: &Scanned, line: usize) -> Arc<MaskedLine> {
    let mut memo = scanned.memo.line.lock().expect("line memo");
    if let Some(m) = memo.as_ref() {
        if m.line == line {
            return m.clone();
        }
    }
    let text = &scanned.text;
    let (start, end) = scanned.lines.span(text, line);
    let matches = &scanned.matches;
    // Matches are sorted by start: those starting on the line are one run;
    // a match starting earlier reaches into it only if it spans lines.
    let lo = matches.partition_point(|m| m.span.start < start);
    let hi = matches.partition_point(|m| m.span.start < end);
    let multiline = scanned.memo.multiline.get_or_init(|| {
        (0..matches.len())
            .filter(|&i| text[matches[i].span.clone()].contains('\n'))
            .collect()
    });
    let earlier = multiline
        .iter()
        .map(|&i| &matches[i])
        .filter(|m| m.span.start < start && m.span.end > start);
    let fixed: Vec<(Range<usize>, String)> = earlier
        .chain(&matches[lo..hi])
        .map(|m| {
            let s = m.span.start.max(start);
            let e = m.span.end.min(end);
            let whole = s == m.span.start && e == m.span.end;
            let shown = if whole {
                redact(m.secret(text))
            } else {
                redact(&text[s..e])
            };
            (s..e, shown)
        })
        .filter(|(r, _)| r.start < r.end)
        .collect();
    let (out, marks) = mask(&text[start..end], start, &fixed, blob_secrets(scanned));
    let lead = out.iter().take_while(|c| c.is_whitespace()).count();
    let trail = out[lead..]
        .iter()
        .rev()
        .take_while(|c| c.is_whitespace())
        .count();
    let body = out[lead..out.len() - trail].to_vec();
    let marks = marks
        .into_iter()
        .map(|(r, o)| (r, o.saturating_sub(lead)))
        .collect();
    // Columns in one pass over the line, not one pass per match.
    let mut columns: Vec<(usize, usize)> = Vec::with_capacity(hi - lo);
    let mut col = 1;
    let mut at = start;
    for m in &matches[lo..hi] {
        let to = m.span.start;
        if to > at {
            col += text[at..to].chars().count();
            at = to;
        }
        if columns.last().is_none_or(|c| c.0 != to) {
            columns.push((to, col));
        }
    }
    let done = Arc::new(MaskedLine {
        line,
        body,
        marks,
        columns,
    });
    *memo = Some(done.clone());
    done
}

/// The masked line around `focus`, at most [`EXCERPT_MAX`] characters.
fn window(masked: &MaskedLine, focus: usize) -> String {
    let body = &masked.body;
    if body.len() <= EXCERPT_MAX {
        return body.iter().collect();
    }
    let i = masked.marks.partition_point(|(r, _)| r.start <= focus);
    let focus_out = i
        .checked_sub(1)
        .map_or(0, |i| masked.marks[i].1)
        .min(body.len());
    let from = focus_out.saturating_sub(EXCERPT_MAX / 3);
    let to = (from + EXCERPT_MAX).min(body.len());
    let mut s: String = body[from..to].iter().collect();
    if from > 0 {
        s.insert(0, '…');
    }
    if to < body.len() {
        s.push('…');
    }
    s
}

/// `raw` (which starts at byte `base` of its text) with the `fixed` ranges
/// replaced by their redactions, every match of `secrets` and every
/// random-looking token redacted, the rest escaped. Returns the characters
/// and, for each masked range, where it starts in them.
fn mask(
    raw: &str,
    base: usize,
    fixed: &[(Range<usize>, String)],
    secrets: Option<&AhoCorasick>,
) -> (Vec<char>, Vec<(Range<usize>, usize)>) {
    // (range, redaction when it is exactly one match's span)
    let mut spans: Vec<(Range<usize>, Option<&str>)> = fixed
        .iter()
        .map(|(r, shown)| (r.clone(), Some(shown.as_str())))
        .collect();
    if let Some(ac) = secrets {
        spans.extend(
            ac.find_iter(raw)
                .map(|m| (base + m.start()..base + m.end(), None)),
        );
    }
    spans.extend(random_tokens(raw).map(|r| (base + r.start..base + r.end, None)));
    spans.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));

    let mut out: Vec<char> = Vec::with_capacity(raw.len());
    let mut marks = Vec::new();
    let mut at = base;
    let mut i = 0;
    while i < spans.len() {
        // Spans sort longest first at each start, so the first of a group
        // of overlapping spans is the widest at its start.
        let (first, shown) = spans[i].clone();
        let mut end = first.end;
        i += 1;
        while i < spans.len() && spans[i].0.start < end {
            end = end.max(spans[i].0.end);
            i += 1;
        }
        out.extend(escape(&raw[at - base..first.start - base]).chars());
        marks.push((first.start..end, out.len()));
        // A match's redaction is of its (decoded) secret, as long as nothing
        // reaches past it; anything else is redacted as the text it covers.
        match shown {
            Some(r) if end == first.end => out.extend(r.chars()),
            _ => out.extend(redact(&raw[first.start - base..end - base]).chars()),
        }
        at = end;
    }
    out.extend(escape(&raw[at - base..]).chars());
    (out, marks)
}

/// Byte ranges of tokens that look like keys rather than words: long runs
/// of base64/base64url characters mixing letters with digits, or upper with
/// lower case throughout. Names such as `MESSAGEBIRD_ACCESS_KEY`,
/// `AccountKey` or `provisionDeviceKey` and paths stay readable.
fn random_tokens(raw: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let b = raw.as_bytes();
    let token = |c: u8| c.is_ascii_alphanumeric() || b"+/_-".contains(&c);
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            if !token(b[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && token(b[i]) {
                i += 1;
            }
            let core = start..i;
            // base64 padding belongs to the token it ends.
            while i < b.len() && b[i] == b'=' {
                i += 1;
            }
            if looks_random(&b[core]) {
                return Some(start..i);
            }
        }
        None
    })
}

fn looks_random(t: &[u8]) -> bool {
    const MIN: usize = 16;
    if t.len() < MIN {
        return false;
    }
    // Words joined by separators (a path, a target triple, a constant's
    // name) have short parts; keys have at least one long random run.
    let longest = t
        .split(|c| b"/_-".contains(c))
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0);
    if longest < 12 {
        return false;
    }
    let upper = t.iter().filter(|c| c.is_ascii_uppercase()).count();
    let lower = t.iter().filter(|c| c.is_ascii_lowercase()).count();
    let digits = t.iter().filter(|c| c.is_ascii_digit()).count();
    let letters = upper + lower;
    let with_digits = digits >= 2 && letters >= 2;
    // camelCase has a capital now and then; random text is about half each.
    let mixed_case = upper.min(lower) * 5 >= letters && upper.min(lower) >= 3;
    with_digits || mixed_case
}

/// Control and bidi characters escaped, so file content echoed to a terminal
/// cannot move the cursor or reorder what the user reads.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}');
        if (c.is_control() && c != '\t') || bidi {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_most_of_the_secret() {
        let r = redact("AbCdEfGhIjKlMnOpQrStUvWxY");
        assert_eq!(r, "AbCd********************");
        assert!(!r.contains("EfGh"));
        assert_eq!(redact("ab"), "a*");
    }

    #[test]
    fn fingerprints_depend_on_rule_and_secret_only() {
        let a = fingerprint("r1", "s");
        assert_eq!(a, fingerprint("r1", "s"));
        assert_ne!(a, fingerprint("r2", "s"));
        assert_ne!(a, fingerprint("r1", "t"));
    }

    use crate::rules::testgen::token;

    #[test]
    fn mask_text_hides_secrets_and_random_tokens_but_keeps_names() {
        let k = token("alnum", 25, 1);
        let b64 = token("base64", 86, 2);
        let line = format!(
            "MESSAGEBIRD_ACCESS_KEY={k} provisionDeviceKey AccountKey={b64}== x\u{1b}[2J path/to/x86_64-unknown-linux-gnu"
        );
        let out = mask_text(&line, &[&k]);
        assert!(!out.contains(&k), "{out}");
        assert!(!out.contains(&b64[..40]), "{out}");
        for kept in [
            "MESSAGEBIRD_ACCESS_KEY=",
            "provisionDeviceKey",
            "AccountKey=",
            "path/to/x86_64-unknown-linux-gnu",
            "x\\u{1b}[2J",
        ] {
            assert!(out.contains(kept), "{kept} lost: {out}");
        }
        assert!(!out.contains('\u{1b}'));
    }

    #[test]
    fn a_found_secret_is_masked_wherever_it_recurs_even_if_it_looks_plain() {
        // A secret with no digits and one case passes the shape test; only
        // knowing it was found masks it.
        let secret = "correcthorsebatterystaple";
        let out = mask_text(&format!("pw={secret} # again: {secret}!"), &[secret]);
        assert!(!out.contains(secret), "{out}");
        assert_eq!(out.matches(&redact(secret)).count(), 2, "{out}");
    }

    #[test]
    fn excerpts_mask_every_occurrence_and_stay_short() {
        let catalog = crate::rules::Catalog::builtin().unwrap();
        let k = token("alnum", 25, 3);
        let filler = "word ".repeat(60);
        let text = format!("MESSAGEBIRD_ACCESS_KEY={k} # {filler} was {k}\n");
        let scanned = crate::engine::scan(&catalog, text);
        assert_eq!(scanned.matches.len(), 1);
        let rule = &catalog.rules[scanned.matches[0].rule];
        let f = build(rule, &scanned, 0, "x.env", None, false);
        assert!(!f.excerpt.contains(&k), "{}", f.excerpt);
        assert!(
            f.excerpt.starts_with("MESSAGEBIRD_ACCESS_KEY="),
            "{}",
            f.excerpt
        );
        assert!(
            f.excerpt.chars().count() <= EXCERPT_MAX + 2,
            "{}",
            f.excerpt
        );
        assert_eq!(f.column, 24);
    }
}

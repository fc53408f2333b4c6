//! Scanning a new version of a file where it changed, not all of it again.
//!
//! A history holds most files in many versions, each nearly the last: the
//! full-history scan of rust-lang/cargo reads 1.7 GB of distinct blobs whose
//! added lines come to about 230 MB. A secret on a line that a version kept
//! from the version it replaces was found in that earlier version, and a
//! history scan reports each secret once, where it entered. So a new version
//! is searched only on the lines it added (its [`Focus`]), with the whole
//! text still there for everything that reads context: the keywords that
//! wake a rule, the keys a value sits under, the line before a value.
//!
//! That is exact only when the lines the version kept would be read the same
//! way in both versions:
//! - both versions wake the same rules and contexts (the same
//!   [`super::Wake`]). [`Changes::same_words`] says when that is sure
//!   without reading the new version whole: every word a rule or context
//!   needs (a keyword, a word of an assignment's name, a required literal)
//!   that is on an added or removed line is also on a kept one. Otherwise
//!   the caller reads what the new version wakes and compares;
//! - an inline allow marker (`leakgate:allow`, or another scanner's where
//!   those count) governs its own line and the line below it only, and
//!   the margin below puts both in the focus when a marker is added,
//!   removed or moved, so a kept match keeps its verdict.
//!
//! And the focus widens where the structure around kept lines changed:
//! - a few lines either side of every change (the syntaxes whose value may
//!   sit on the next line: XML elements, attribute pairs);
//! - below an added or removed line that opens a block or a section, every
//!   line whose enclosing keys it can be (see `assign::reach`);
//! - inside Go `var (` blocks, the lines up to the block's opener.
//!
//! A rule's pattern that can match across lines or anchors at the text's
//! start or end still searches the whole text (see
//! [`crate::rules::Context::line_local`]), as do decoded views. A context's
//! `file` test reads the whole text, and its answer is part of the wake:
//! a new answer is a different wake (see [`super::Wake::for_version`]).

use std::ops::Range;

use imara_diff::{Algorithm, Diff, InternedInput};

use super::assign;
use super::text::Lines;
use crate::rules::Catalog;

/// Lines either side of a change that are searched with it: a value on the
/// line after its XML tag, an attribute pair over two lines, a match below
/// an allow marker that came or went.
const MARGIN: usize = 2;

/// The byte ranges of a text that a focused scan searches: whole lines,
/// sorted, not touching.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Focus {
    pub ranges: Vec<Range<usize>>,
}

/// What changed between two versions of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Where the new version must be searched.
    pub focus: Focus,
    /// Whether every word the catalog's whole-text tests look for that is
    /// on a changed line is also on a kept one: then both versions wake the
    /// same rules. When not, they may still (most such words wake nothing
    /// new): the caller compares what each wakes.
    pub same_words: bool,
    /// The lines the new version added, and those it removed, each ending
    /// in a line break.
    pub added: String,
    pub removed: String,
}

/// Where `after`, a new version of `before`, must be searched, or `None`
/// when only a search of all of it gives the same findings (see the module
/// documentation).
/// `lines` indexes `after`.
pub fn between(catalog: &Catalog, before: &str, after: &str, lines: &Lines) -> Option<Changes> {
    // Most versions change a few lines: the lines both start and end with
    // are set aside before the diff.
    let (head, tail) = common_ends(before.as_bytes(), after.as_bytes());
    let head_lines = memchr::memchr_iter(b'\n', &after.as_bytes()[..head]).count();
    let before = &before[head..before.len() - tail];
    let input = InternedInput::new(before, &after[head..after.len() - tail]);
    let diff = Diff::compute(Algorithm::Histogram, &input);
    let n = lines.count();
    let line = |i: usize| -> &str {
        let (s, e) = lines.span(after, i + 1);
        &after[s..e]
    };
    // The diff's own tokens are the old version's lines, with their line
    // breaks (as `Lines::span` reads them without).
    let removed_line = |j: usize| -> &str {
        let Some(&token) = input.before.get(j) else {
            return "";
        };
        let l = input.interner[token];
        let l = l.strip_suffix('\n').unwrap_or(l);
        l.strip_suffix('\r').unwrap_or(l)
    };
    let mut added = vec![false; n];
    // Every line added or removed, for the check that the versions wake the
    // same rules.
    let (mut added_text, mut removed_text) = (String::new(), String::new());
    let mut marks: Vec<Range<usize>> = Vec::new();
    for hunk in diff.hunks() {
        let (a, b) = (
            head_lines + hunk.after.start as usize,
            head_lines + hunk.after.end as usize,
        );
        let mut reach = b;
        for (i, flag) in added.iter_mut().enumerate().take(b.min(n)).skip(a) {
            *flag = true;
            added_text.push_str(line(i));
            added_text.push('\n');
            reach = reach.max(assign::reach(line(i), b, n, line));
        }
        for j in hunk.before.start as usize..hunk.before.end as usize {
            let removed = removed_line(j);
            removed_text.push_str(removed);
            removed_text.push('\n');
            reach = reach.max(assign::reach(removed, b, n, line));
        }
        let blank = |i: usize| line(i).trim().is_empty();
        let mut lo = a.min(n);
        let mut margin = MARGIN;
        while lo > 0 && (margin > 0 || blank(lo - 1)) {
            if !blank(lo - 1) {
                margin -= 1;
            }
            lo -= 1;
        }
        let mut hi = b.min(n);
        let mut margin = MARGIN;
        while hi < n && (margin > 0 || blank(hi)) {
            if !blank(hi) {
                margin -= 1;
            }
            hi += 1;
        }
        marks.push(lo..hi.max(reach));
    }
    let same_words = catalog.same_words(&added_text, &removed_text, after, |offset| {
        added[lines.line_of(offset) - 1]
    });
    // A line inside a Go `var (` block is read as one only with its opener:
    // search back to where an opener can be.
    if assign::may_hold_go_blocks(after) {
        for m in &mut marks {
            m.start = m.start.saturating_sub(assign::BLOCK_LINES);
        }
    }
    marks.sort_by_key(|m| m.start);
    let mut ranges: Vec<Range<usize>> = Vec::new();
    for m in marks.into_iter().filter(|m| !m.is_empty()) {
        let start = lines.span(after, m.start + 1).0;
        let end = if m.end >= n {
            after.len()
        } else {
            lines.span(after, m.end + 1).0
        };
        match ranges.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ => ranges.push(start..end),
        }
    }
    Some(Changes {
        focus: Focus { ranges },
        same_words,
        added: added_text,
        removed: removed_text,
    })
}

/// Bytes of whole lines that `a` and `b` both start with, and both end with
/// (not overlapping the start).
fn common_ends(a: &[u8], b: &[u8]) -> (usize, usize) {
    // Blocks first (a memcmp each), then the bytes of the one that
    // differs.
    const BLOCK: usize = 64;
    let same = |x: &[u8], y: &[u8]| -> usize {
        let mut n = 0;
        while n + BLOCK <= x.len().min(y.len()) && x[n..n + BLOCK] == y[n..n + BLOCK] {
            n += BLOCK;
        }
        n + x[n..]
            .iter()
            .zip(&y[n..])
            .take_while(|(p, q)| p == q)
            .count()
    };
    let mut head = same(a, b);
    if head < a.len().min(b.len()) || a.len() != b.len() {
        head = memchr::memrchr(b'\n', &b[..head]).map_or(0, |i| i + 1);
    }
    let room = a.len().min(b.len()) - head;
    let (x, y) = (&a[a.len() - room..], &b[b.len() - room..]);
    let mut tail = 0;
    while tail + BLOCK <= room
        && x[room - tail - BLOCK..room - tail] == y[room - tail - BLOCK..room - tail]
    {
        tail += BLOCK;
    }
    while tail < room && x[room - tail - 1] == y[room - tail - 1] {
        tail += 1;
    }
    // The kept end starts a line in both.
    let start = b.len() - tail;
    if tail > 0 && start > 0 && b[start - 1] != b'\n' {
        tail = match memchr::memchr(b'\n', &b[start..]) {
            Some(i) => tail - (i + 1),
            None => 0,
        };
    }
    (head, tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_ends_are_whole_lines() {
        assert_eq!(common_ends(b"a\nb\nc\n", b"a\nx\nc\n"), (2, 2));
        assert_eq!(common_ends(b"ab\n", b"ac\n"), (0, 0));
        assert_eq!(common_ends(b"a\n", b"a\nb\n"), (2, 0));
        assert_eq!(common_ends(b"b\n", b"a\nb\n"), (0, 2));
        assert_eq!(common_ends(b"x\n", b"x\n"), (2, 0));
    }

    fn catalog() -> Catalog {
        Catalog::builtin().expect("the built-in catalog loads")
    }

    fn focused<'a>(after: &'a str, f: &Focus) -> Vec<&'a str> {
        f.ranges.iter().map(|r| &after[r.clone()]).collect()
    }

    #[test]
    fn only_the_lines_around_a_change_are_searched() {
        let before: String = (0..40).map(|i| format!("let v{i} = {i};\n")).collect();
        let after = before.replace("let v20 = 20;\n", "let v20 = 21;\n");
        let f = between(&catalog(), &before, &after, &Lines::new(&after))
            .expect("no marker")
            .focus;
        assert_eq!(
            focused(&after, &f),
            ["let v18 = 18;\nlet v19 = 19;\nlet v20 = 21;\nlet v21 = 21;\nlet v22 = 22;\n"]
        );
    }

    #[test]
    fn a_new_word_or_a_renamed_opener_widens_what_is_read() {
        let before = "a:\n  x: 1\nother:\n  url: u\n  key: k\nz: 2\n";
        let after = "a:\n  x: 1\nmessagebird:\n  url: u\n  key: k\nz: 2\n";
        let c = between(&catalog(), before, after, &Lines::new(after)).expect("no marker");
        // `messagebird` is a word only the added line has: the versions may
        // wake different rules.
        assert!(!c.same_words);
        let before = "a:\n  x: 1\nother:\n  url: u\n  key: k\nzz: 2\nyy: 3\nww: 4\n";
        let after = "a:\n  x: 1\nother2:\n  url: u\n  key: k\nzz: 2\nyy: 3\nww: 4\n";
        let c = between(&catalog(), before, after, &Lines::new(after)).expect("no marker");
        assert!(c.same_words);
        let f = c.focus;
        // The new opener reaches down to the next opener at its level (none
        // here: `zz: 2` holds a value), so every line below it is searched.
        assert!(focused(after, &f)
            .concat()
            .contains("  key: k\nzz: 2\nyy: 3\nww: 4\n"));
    }

    /// A marker governs its own line and the one below: one that comes or
    /// goes puts the line below it in the focus, so that line's match gets
    /// its new verdict.
    #[test]
    fn the_line_below_an_allow_marker_that_came_or_went_is_searched() {
        let filler = |p: &str| -> String { (0..10).map(|i| format!("{p}{i} = {i}\n")).collect() };
        let marked = format!("{}# leakgate:allow\nkey = 1\n{}", filler("x"), filler("y"));
        let plain = format!("{}key = 1\n{}", filler("x"), filler("y"));
        for (before, after) in [(&marked, &plain), (&plain, &marked)] {
            let lines = Lines::new(after);
            let c = between(&catalog(), before, after, &lines).expect("a focus");
            let at = after.find("key = 1").unwrap();
            assert!(
                c.focus.ranges.iter().any(|r| r.contains(&at)),
                "{:?} misses the line below the marker",
                c.focus.ranges
            );
            assert!(c.focus.ranges.iter().map(|r| r.len()).sum::<usize>() < after.len());
        }
    }
}

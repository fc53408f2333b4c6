//! A whole blob, whatever it holds: text of any size, or a binary file.
//!
//! Nothing is silently left unscanned. Text up to the size limit is scanned
//! in one piece; a larger text in overlapping windows of that size, so the
//! cost of one scan (line index, assignments, regex state) stays bounded while
//! every byte is still read. A binary file is searched through its printable
//! runs, with the rules whose keys announce themselves (a fixed prefix or a
//! checksum), since no provider context survives in the strings of a binary.

use std::borrow::Cow;

use super::text::{self, Decoded};
use super::{scan_as, worth_scanning, Mode, Origin, Scanned};
use crate::rules::Catalog;

/// Overlap between consecutive windows: 4 KiB, enough for a 4096-bit RSA
/// private key in PEM (about 3.3 KB) and the block of config lines that
/// usually surrounds a key, plus 1 KiB for the longest name (120 bytes) and
/// value (512 bytes) the assignment extractor accepts. A window ends on a line
/// break where it can and the next one starts on a line start, so lines are
/// cut only when a single line is longer than half a window.
pub const OVERLAP: usize = 5 * 1024;

/// Smallest window, whatever the configured size: tiny windows would be all
/// overlap.
const MIN_WINDOW: usize = 1024;

/// A blob's readable text: decoded text, or the printable runs of a binary.
pub struct Blob<'a> {
    pub mode: Mode,
    pub text: Cow<'a, str>,
}

pub fn read(bytes: &[u8]) -> Blob<'_> {
    match text::decode(bytes) {
        Decoded::Text(t) => Blob {
            mode: Mode::Text,
            text: t,
        },
        Decoded::Binary => Blob {
            mode: Mode::Binary,
            text: Cow::Owned(text::printable_runs(bytes)),
        },
    }
}

/// Whether `len` bytes of text are scanned in windows of `max_size`.
pub fn windowed(len: usize, max_size: u64) -> bool {
    len as u64 > max_size
}

/// Scans a blob's text in one piece, or in windows when it is over
/// `max_size`. Returns the parts that found or inline-allowed something; each
/// match is reported by exactly one part (see [`Scanned::reported`]) at its
/// line and column in the whole blob (see [`Scanned::position`]).
pub fn scan(catalog: &Catalog, text: Cow<'_, str>, mode: Mode, max_size: u64) -> Vec<Scanned> {
    let keep = |s: &Scanned| s.reported().next().is_some() || s.inline_allowed > 0;
    if !windowed(text.len(), max_size) {
        if !worth_scanning(catalog, &text) {
            return Vec::new();
        }
        let s = scan_as(catalog, text.into_owned(), mode);
        return if keep(&s) { vec![s] } else { Vec::new() };
    }
    let size = usize::try_from(max_size).unwrap_or(usize::MAX);
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut origin = Origin::default();
    let mut counted = 0;
    for (start, end, own_end) in windows(&text, size) {
        // Lines and characters before this window, counted on from the last.
        origin.lines_before += memchr::memchr_iter(b'\n', &bytes[counted..start]).count();
        counted = start;
        let line_start = memchr::memrchr(b'\n', &bytes[..start]).map_or(0, |i| i + 1);
        origin.columns_before = text[line_start..start].chars().count();
        let slice = &text[start..end];
        if !worth_scanning(catalog, slice) {
            continue;
        }
        let mut s = scan_as(catalog, slice.to_string(), mode);
        s.origin = origin;
        s.own_until(own_end - start);
        if keep(&s) {
            out.push(s);
        }
    }
    out
}

/// `(start, end, owned_end)` byte offsets of the windows over `text`: each
/// window is at most `size` bytes, the next starts at least [`OVERLAP`] (or a
/// quarter window) before it ends, and each owns the matches that start
/// between its start and the next window's.
fn windows(text: &str, size: usize) -> Vec<(usize, usize, usize)> {
    let b = text.as_bytes();
    let len = b.len();
    let size = size.max(MIN_WINDOW);
    let overlap = OVERLAP.min(size / 4);
    let mut out = Vec::new();
    let mut start = 0;
    loop {
        if len - start <= size {
            out.push((start, len, len + 1));
            return out;
        }
        let half = start + size / 2;
        let hard = start + size;
        let end = match memchr::memrchr(b'\n', &b[half..hard]) {
            Some(i) => half + i + 1,
            None => floor_boundary(text, hard),
        };
        // The next window starts on the line holding `end - overlap` when
        // that line starts close enough, else mid-line.
        let back = end - overlap;
        let next = match memchr::memrchr(b'\n', &b[end - 2 * overlap..back]) {
            Some(i) => end - 2 * overlap + i + 1,
            None => floor_boundary(text, back),
        };
        out.push((start, end, next));
        start = next;
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cover_everything_with_overlap() {
        let line = "abcdefghé\n";
        let text = line.repeat(5000) + &"x".repeat(30_000) + "é\n";
        for size in [1, 1024, 4096, 10_000, 50_000] {
            let w = windows(&text, size);
            assert_eq!(w[0].0, 0);
            assert_eq!(w.last().unwrap().1, text.len());
            for pair in w.windows(2) {
                let ((s1, e1, o1), (s2, _, _)) = (pair[0], pair[1]);
                assert!(s1 < s2 && s2 == o1 && s2 < e1, "{pair:?}");
                assert!(e1 - s2 >= OVERLAP.min(size.max(MIN_WINDOW) / 4));
                assert!(e1 - s1 <= size.max(MIN_WINDOW));
            }
        }
    }

    #[test]
    fn a_key_is_reported_once_at_its_line_from_any_window() {
        let catalog = Catalog::builtin().unwrap();
        let k = crate::rules::testgen::token("alnum", 25, 77);
        for at in [10usize, 95, 96, 97, 150, 299] {
            let mut text = String::new();
            for i in 1..=300 {
                if i == at {
                    text.push_str(&format!("MESSAGEBIRD_ACCESS_KEY={k}\n"));
                } else {
                    text.push_str("# filler line of some length\n");
                }
            }
            let parts = scan(&catalog, Cow::Borrowed(&text), Mode::Text, 2048);
            let found: Vec<(usize, usize)> = parts
                .iter()
                .flat_map(|p| {
                    p.reported()
                        .map(move |i| p.position(p.matches[i].span.start))
                })
                .collect();
            assert_eq!(found, vec![(at, 24)], "key on line {at}");
        }
    }
}

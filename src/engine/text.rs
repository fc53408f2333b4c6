//! Turning blob bytes into text the rules can read, and offsets back into
//! line:column positions.
//!
//! Git's own rule decides what is binary (a NUL byte in the first 8000 bytes),
//! except that UTF-16 text, which is full of NULs, is recognised and decoded
//! first. Invalid UTF-8 is replaced rather than refused: a key in a Latin-1 file
//! is still a key.

use std::borrow::Cow;
use std::collections::HashMap;

/// What a blob turned out to be. Valid UTF-8 is borrowed: most blobs of a
/// history scan hold no keyword at all and are never copied.
pub enum Decoded<'a> {
    Text(Cow<'a, str>),
    Binary,
}

const BINARY_PROBE: usize = 8000;

pub fn decode(bytes: &[u8]) -> Decoded<'_> {
    // Before UTF-16: a UTF-32LE byte-order mark starts with UTF-16LE's.
    if let Some(text) = decode_utf32(bytes) {
        return Decoded::Text(Cow::Owned(text));
    }
    if let Some(text) = decode_utf16(bytes) {
        return Decoded::Text(Cow::Owned(text));
    }
    // A byte-order mark whose body did not decode (above) is dropped like
    // UTF-8's: its own NULs must not turn the text behind it into a binary.
    let bytes = [
        &b"\xEF\xBB\xBF"[..],
        b"\xFF\xFE\0\0",
        b"\0\0\xFE\xFF",
        b"\xFF\xFE",
        b"\xFE\xFF",
    ]
    .iter()
    .find_map(|m| bytes.strip_prefix(*m))
    .unwrap_or(bytes);
    let probe = &bytes[..bytes.len().min(BINARY_PROBE)];
    if probe.contains(&0) {
        return Decoded::Binary;
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Decoded::Text(Cow::Borrowed(s)),
        Err(_) => Decoded::Text(String::from_utf8_lossy(bytes)),
    }
}

/// UTF-32 with a byte-order mark (`FF FE 00 00` little-endian, `00 00 FE FF`
/// big-endian). Without one it is not guessed: UTF-32 files in the wild carry
/// their mark. A code unit that is not a character becomes U+FFFD, as invalid
/// UTF-8 does.
fn decode_utf32(bytes: &[u8]) -> Option<String> {
    let (body, little) = if let Some(b) = bytes.strip_prefix(b"\xFF\xFE\0\0") {
        (b, true)
    } else if let Some(b) = bytes.strip_prefix(b"\0\0\xFE\xFF") {
        (b, false)
    } else {
        return None;
    };
    // A mark is two or four bytes anyone can type: the body must look like
    // UTF-32 too (every code point's top byte is zero), or a UTF-8 key behind
    // a fake mark would decode to garbage and pass.
    let probe = &body[..body.len().min(BINARY_PROBE) & !3];
    let top = if little { 3 } else { 0 };
    if probe.chunks_exact(4).any(|u| u[top] != 0) {
        return None;
    }
    let mut out = String::with_capacity(body.len() / 4);
    for c in body.chunks(4) {
        let unit = match <[u8; 4]>::try_from(c) {
            Ok(b) if little => u32::from_le_bytes(b),
            Ok(b) => u32::from_be_bytes(b),
            // A truncated last unit.
            Err(_) => 0xFFFD,
        };
        out.push(char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER));
    }
    Some(out)
}

/// The text a binary file shows the rules: its runs of at least
/// [`MIN_RUN`] printable ASCII characters (tabs and line breaks included, so
/// a PEM block stays whole), like `strings`, each at its own byte offset.
/// Everything else becomes a space, except `\n`, which stays, so a match's
/// line number is the count of newlines before it plus one, as in the file.
pub fn printable_runs(bytes: &[u8]) -> String {
    let mut out: Vec<u8> = bytes
        .iter()
        .map(|&b| if b == b'\n' { b'\n' } else { b' ' })
        .collect();
    // 64 bytes at a time, as bit masks (bit j: byte j of the chunk): which
    // bytes are printable, which start a run of MIN_RUN (reading into the
    // next chunk), and so which lie in such a run (reading the previous
    // chunk's starts). Machine code has short printable runs everywhere; a
    // byte-by-byte walk paid a mispredicted branch at each of them.
    let chunks = bytes.len().div_ceil(64);
    let mask = |c: usize| {
        let start = c * 64;
        if c < chunks {
            printable_mask(&bytes[start..bytes.len().min(start + 64)])
        } else {
            0
        }
    };
    let mut printable = mask(0);
    let mut starts_before = 0u64;
    for c in 0..chunks {
        let next = mask(c + 1);
        let both = u128::from(printable) | (u128::from(next) << 64);
        let starts = (1..MIN_RUN).fold(both, |r, k| r & (both >> k)) as u64;
        let around = u128::from(starts_before) | (u128::from(starts) << 64);
        let keep = ((1..MIN_RUN).fold(around, |k, s| k | (around << s)) >> 64) as u64;
        if keep != 0 {
            let base = c * 64;
            let end = bytes.len().min(base + 64);
            if keep == u64::MAX {
                out[base..end].copy_from_slice(&bytes[base..end]);
            } else {
                for j in (0..end - base).filter(|j| keep >> j & 1 == 1) {
                    out[base + j] = bytes[base + j];
                }
            }
        }
        starts_before = starts;
        printable = next;
    }
    String::from_utf8(out).expect("only ASCII bytes were kept")
}

/// Bit j set: byte j of `chunk` (at most 64 bytes) is printable ASCII, a
/// tab or a line break.
fn printable_mask(chunk: &[u8]) -> u64 {
    let mut words = chunk.chunks_exact(8);
    let mut m = 0;
    for (k, w) in words.by_ref().enumerate() {
        let w = u64::from_le_bytes(w.try_into().expect("8 bytes"));
        m |= printable_bytes(w) << (8 * k);
    }
    let done = chunk.len() - words.remainder().len();
    for (j, &b) in words.remainder().iter().enumerate() {
        m |= u64::from(is_printable(b)) << (done + j);
    }
    m
}

/// Printable ASCII, a tab or a line break: what a binary's strings and a
/// decoded value are made of.
pub fn is_printable(b: u8) -> bool {
    (0x20..0x7f).contains(&b) || matches!(b, b'\t' | b'\r' | b'\n')
}

/// The printable bytes of the 8 in `w` (little-endian), as 8 bits, found
/// with word arithmetic: per byte, `0x20..0x7f` (the 7 low bits at least
/// 0x20, not 0x7f, the top bit clear) or one of `\t`, `\n`, `\r` (equal:
/// the XOR is zero). No byte's sum carries into the next.
fn printable_bytes(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const TOPS: u64 = 0x8080_8080_8080_8080;
    let low = w & !TOPS;
    let at_least_space = (low + 0x60 * ONES) & TOPS;
    let all_seven = (low + ONES) & TOPS;
    let range = at_least_space & !all_seven & !(w & TOPS);
    let equal = |c: u8| {
        let x = w ^ (u64::from(c) * ONES);
        !(((x & !TOPS) + !TOPS) | x) & TOPS
    };
    let tops = range | equal(b'\t') | equal(b'\n') | equal(b'\r');
    // Gather the 8 top bits into the top byte: each lands on its own bit.
    (tops >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// The shortest printable run [`printable_runs`] keeps: shorter ones are
/// mostly bytes of machine code or pixels that happen to be printable.
pub const MIN_RUN: usize = 8;

/// UTF-16 with a byte-order mark, or without one when the NUL pattern of
/// ASCII-range text says which byte order it is.
fn decode_utf16(bytes: &[u8]) -> Option<String> {
    let marked = if let Some(b) = bytes.strip_prefix(b"\xFF\xFE") {
        Some((b, true))
    } else {
        bytes.strip_prefix(b"\xFE\xFF").map(|b| (b, false))
    };
    // Behind a mark, the body must look like UTF-16 too: text with any ASCII
    // in it has NUL high bytes. A UTF-8 key behind a typed `FF FE` has none,
    // and is read as the UTF-8 it is (a few stray NULs make it a binary,
    // searched for prefixed keys), not decoded into garbage that passes.
    if let Some((body, little)) = marked {
        let probe = &body[..body.len().min(BINARY_PROBE) & !1];
        let high = usize::from(little);
        let nul_high = probe
            .iter()
            .skip(high)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count();
        if probe.len() >= 2 && nul_high * 4 < probe.len() / 2 {
            return None;
        }
    }
    let (body, little) = if let Some(found) = marked {
        found
    } else {
        let probe = &bytes[..bytes.len().min(BINARY_PROBE) & !1];
        // Most texts: no NUL at all, one memchr pass.
        if probe.len() < 8 || !probe.contains(&0) {
            return None;
        }
        let pairs = probe.len() / 2;
        let odd_nul = probe.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
        let even_nul = probe.iter().step_by(2).filter(|&&b| b == 0).count();
        // ASCII-range text: one byte of every pair is NUL, the other never is.
        if odd_nul * 10 >= pairs * 9 && even_nul == 0 {
            (bytes, true)
        } else if even_nul * 10 >= pairs * 9 && odd_nul == 0 {
            (bytes, false)
        } else {
            return None;
        }
    };
    let units: Vec<u16> = body
        .chunks_exact(2)
        .map(|c| {
            if little {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        })
        .collect();
    Some(String::from_utf16_lossy(&units))
}

/// Byte offsets of line starts, for offset -> (line, column) lookups.
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(text: &str) -> Lines {
        let mut starts = Vec::with_capacity(text.len() / 40 + 1);
        starts.push(0);
        starts.extend(newline_offsets(text).map(|i| i + 1));
        Lines { starts }
    }

    /// 1-based line number of the byte at `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// Byte range of 1-based line `line`, without its line terminator.
    pub fn span(&self, text: &str, line: usize) -> (usize, usize) {
        let start = self.starts[line - 1];
        let mut end = self.starts.get(line).map_or(text.len(), |&s| s - 1);
        if end > start && text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        (start, end)
    }

    /// 1-based column, counted in characters, of the byte at `offset`.
    pub fn column_of(&self, text: &str, offset: usize) -> usize {
        let start = self.starts[self.line_of(offset) - 1];
        text[start..offset].chars().count() + 1
    }

    pub fn count(&self) -> usize {
        self.starts.len()
    }
}

fn newline_offsets(text: &str) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(b'\n', text.as_bytes())
}

/// Which lower-case words a text holds, ASCII case-insensitively, each
/// looked for once per text however many contexts ask (dozens of rules ask
/// for `key`, `secret` or `token`: a pass over the text each, before).
pub struct WordsIn<'t> {
    text: &'t str,
    /// The text in ASCII lower case, made on first need.
    lower: Option<String>,
    known: HashMap<&'t str, bool>,
}

impl<'t> WordsIn<'t> {
    pub fn new(text: &'t str) -> Self {
        WordsIn {
            text,
            lower: None,
            known: HashMap::new(),
        }
    }

    /// Whether the text holds `word` (lower case) in any ASCII case.
    pub fn has(&mut self, word: &'t str) -> bool {
        if let Some(&found) = self.known.get(word) {
            return found;
        }
        let found = memchr::memmem::find(self.lower().as_bytes(), word.as_bytes()).is_some();
        self.known.insert(word, found);
        found
    }

    /// The text in ASCII lower case (same byte offsets).
    pub fn lower(&mut self) -> &str {
        let text = self.text;
        self.lower.get_or_insert_with(|| text.to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_with_and_without_bom_is_text() {
        let s = "KEY=value\r\n";
        let le: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let mut bom = vec![0xFF, 0xFE];
        bom.extend(&le);
        for bytes in [le, bom] {
            match decode(&bytes) {
                Decoded::Text(t) => assert_eq!(t, s),
                Decoded::Binary => panic!("utf-16 taken for binary"),
            }
        }
        let be: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert!(matches!(decode(&be), Decoded::Text(t) if t == s));
    }

    #[test]
    fn utf32_with_a_bom_is_text() {
        let s = "KEY=välue \u{1F600}\r\n";
        let mut le = vec![0xFF, 0xFE, 0, 0];
        le.extend(s.chars().flat_map(|c| (c as u32).to_le_bytes()));
        let mut be = vec![0, 0, 0xFE, 0xFF];
        be.extend(s.chars().flat_map(|c| (c as u32).to_be_bytes()));
        for bytes in [le, be] {
            assert!(matches!(decode(&bytes), Decoded::Text(t) if t == s));
        }
        // A code unit that is no character, and a cut-off last unit.
        let bad = [0xFF, 0xFE, 0, 0, 0, 0xD8, 0, 0, b'a', 0];
        assert!(matches!(decode(&bad), Decoded::Text(t) if t == "\u{FFFD}\u{FFFD}"));
    }

    /// `printable_runs` against the rule read plainly: a
    /// byte shows when it is printable in a run of at least `MIN_RUN`, a
    /// line break always, anything else is a blank.
    #[test]
    fn printable_runs_match_the_plain_rule_on_mixed_bytes() {
        let printable = |b: u8| (0x20..0x7f).contains(&b) || matches!(b, b'\t' | b'\r' | b'\n');
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for len in [0usize, 1, 7, 8, 9, 300, 4096] {
            for density in [2u64, 8, 40] {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        if state.is_multiple_of(density) {
                            // Any byte: controls, DEL, past ASCII, and
                            // printable ones now and then.
                            (state >> 8) as u8
                        } else {
                            b"ab\n\t= x"[(state >> 16) as usize % 7]
                        }
                    })
                    .collect();
                let want: String = (0..bytes.len())
                    .map(|i| {
                        let (mut s, mut e) = (i, i);
                        while s > 0 && printable(bytes[s - 1]) {
                            s -= 1;
                        }
                        while e < bytes.len() && printable(bytes[e]) {
                            e += 1;
                        }
                        match bytes[i] {
                            b'\n' => '\n',
                            b if printable(b) && e - s >= MIN_RUN => b as char,
                            _ => ' ',
                        }
                    })
                    .collect();
                assert_eq!(printable_runs(&bytes), want, "len {len}, density {density}");
            }
        }
    }

    #[test]
    fn printable_mask_reads_every_byte_value_at_every_position() {
        let printable = |b: u8| (0x20..0x7f).contains(&b) || matches!(b, b'\t' | b'\r' | b'\n');
        for len in [64, 61, 8, 5] {
            for b in 0..=255u8 {
                for filler in [0u8, b'a', 0x7f, 0xff] {
                    for j in 0..len {
                        let mut chunk = vec![filler; len];
                        chunk[j] = b;
                        let want = chunk
                            .iter()
                            .enumerate()
                            .filter(|&(_, &c)| printable(c))
                            .fold(0u64, |m, (i, _)| m | 1 << i);
                        assert_eq!(printable_mask(&chunk), want, "byte {b:#x} at {j} of {len}");
                    }
                }
            }
        }
    }

    #[test]
    fn printable_runs_keep_offsets_and_newlines() {
        let bytes = b"\0\x01ab\ncd\0\xffsk_live_0123456789\n\x02\x03xyzxyzxyz";
        let t = printable_runs(bytes);
        assert_eq!(t.len(), bytes.len());
        assert_eq!(t.find("sk_live_"), Some(9));
        assert!(!t.contains("ab") && !t.contains("cd"), "short runs dropped");
        assert_eq!(t.matches('\n').count(), 2);
        assert!(t.ends_with("xyzxyzxyz"));
    }

    #[test]
    fn nul_bytes_mean_binary() {
        assert!(matches!(
            decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Decoded::Binary
        ));
    }

    #[test]
    fn lines_and_columns_handle_crlf() {
        let t = "a\r\nbcd\r\nxy";
        let l = Lines::new(t);
        assert_eq!(l.line_of(0), 1);
        assert_eq!(l.line_of(4), 2);
        assert_eq!(l.column_of(t, 5), 3);
        assert_eq!(&t[l.span(t, 2).0..l.span(t, 2).1], "bcd");
        assert_eq!(&t[l.span(t, 3).0..l.span(t, 3).1], "xy");
    }
}

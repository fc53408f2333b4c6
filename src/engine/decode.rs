//! Encoded views of a text: secrets hidden behind an encoding.
//!
//! Kubernetes Secret manifests carry values base64-encoded under `data:`, and
//! URLs carry percent-encoded characters. Each view is decoded text plus the
//! span of the encoded original, so a secret found in the view is reported
//! where the user can see it: at the encoded text.

use std::ops::Range;
use std::sync::OnceLock;

use base64::Engine as _;
use regex::Regex;

use super::text::Lines;
use super::Mode;

pub struct View {
    /// Where the encoded original sits in the scanned text.
    pub span: Range<usize>,
    pub text: String,
    /// How it was encoded, for the report's "why".
    pub encoding: &'static str,
    /// Which rules read it: every rule ([`Mode::Text`]), or only those whose
    /// secret announces itself ([`Mode::Binary`]: a fixed prefix or a
    /// checksum), for views that no provider context survives into.
    pub mode: Mode,
}

/// The views of `text`; with `focus` (a new version searched where it
/// changed), only those whose encoded original touches a focus range: one
/// that lies wholly on kept lines is the version before's, already read.
pub fn views(text: &str, lines: &Lines, focus: Option<&[Range<usize>]>) -> Vec<View> {
    let mut out = Vec::new();
    if might_be_secret_manifest(text) {
        kubernetes_secret_data(text, lines, &mut out);
    }
    if might_have_encoded_url(text) {
        percent_encoded_urls(text, &mut out);
    }
    // Every base64 view starts with a run this finds (see
    // [`base64_runs`]); most texts have none, and this finds that fast.
    let bytes = text.as_bytes();
    let base64 = match focus {
        None => has_base64_run(bytes),
        Some(ranges) => ranges
            .iter()
            .any(|r| has_base64_run(&bytes[wrap_start(bytes, r.start)..line_end(bytes, r.end)])),
    };
    if base64 {
        base64_runs(text, &mut out);
    }
    if might_have_concatenated_pem(text) {
        concatenated_pem(text, lines, &mut out);
    }
    if let Some(ranges) = focus {
        out.retain(|v| {
            ranges
                .iter()
                .any(|r| r.start < v.span.end.max(v.span.start + 1) && v.span.start < r.end)
        });
    }
    out
}

/// The start of the line holding `at`, moved up over the whole-line base64
/// runs of a wrapped block above it: a view that reaches `at`'s line starts
/// with such a block's first line (see [`base64_runs`]), which
/// [`has_base64_run`] must see.
fn wrap_start(bytes: &[u8], at: usize) -> usize {
    let at = at.min(bytes.len());
    let mut start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
    while start > 0 {
        let prev = memchr::memrchr(b'\n', &bytes[..start - 1]).map_or(0, |i| i + 1);
        let line = bytes[prev..start - 1].trim_ascii();
        let body = &line[..line.len() - line.iter().rev().take_while(|&&c| c == b'=').count()];
        if body.len() < MIN_WRAP || !body.iter().all(|&b| base64_byte(b)) {
            break;
        }
        start = prev;
    }
    start
}

/// The end of the line holding the byte before `at` (its line break
/// included), or the text's end.
fn line_end(bytes: &[u8], at: usize) -> usize {
    let at = at.clamp(1, bytes.len().max(1)) - 1;
    memchr::memchr(b'\n', &bytes[at.min(bytes.len())..]).map_or(bytes.len(), |i| at + i + 1)
}

/// Whether [`views`] could find anything (substring checks, and one pass
/// for a long enough base64 run).
pub fn might_have_views(text: &str) -> bool {
    might_be_secret_manifest(text)
        || might_have_encoded_url(text)
        || might_have_concatenated_pem(text)
        || has_base64_run(text.as_bytes())
}

fn might_be_secret_manifest(text: &str) -> bool {
    text.contains("Secret") && text.contains("data:")
}

fn might_have_encoded_url(text: &str) -> bool {
    memchr::memchr(b'%', text.as_bytes()).is_some() && text.contains("://")
}

fn kubernetes_secret_data(text: &str, lines: &Lines, out: &mut Vec<View>) {
    static KIND: OnceLock<Regex> = OnceLock::new();
    let kind =
        KIND.get_or_init(|| Regex::new(r"(?m)^\s*kind:\s*[\x22']?Secret[\x22']?\s*$").unwrap());
    if !kind.is_match(text) {
        return;
    }
    let mut data_indent: Option<usize> = None;
    for l in 1..=lines.count() {
        let (s, e) = lines.span(text, l);
        let line = &text[s..e];
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        match data_indent {
            Some(d) if indent > d => {
                let Some((key, value)) = trimmed.split_once(':') else {
                    continue;
                };
                let value = value.trim().trim_matches(['"', '\'']);
                if value.len() < 8 {
                    continue;
                }
                let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(value) else {
                    continue;
                };
                let Ok(decoded) = String::from_utf8(bytes) else {
                    continue;
                };
                let at = s + indent + line[indent..].find(value).unwrap_or(0);
                // A decoded file is scanned as a file; a single value keeps
                // its key, which is often the only context it has.
                let text = if decoded.contains('\n') {
                    decoded
                } else {
                    format!("{}: {decoded}\n", key.trim())
                };
                out.push(View {
                    span: at..at + value.len(),
                    text,
                    encoding: "base64 in a Kubernetes Secret",
                    mode: Mode::Text,
                });
            }
            _ => {
                data_indent = (trimmed.trim_end() == "data:").then_some(indent);
            }
        }
    }
}

fn percent_encoded_urls(text: &str, out: &mut Vec<View>) {
    static URL: OnceLock<Regex> = OnceLock::new();
    let url = URL.get_or_init(|| {
        Regex::new(r#"[A-Za-z][A-Za-z0-9+.\-]*://[^\s"'<>`]*%[0-9A-Fa-f]{2}[^\s"'<>`]*"#).unwrap()
    });
    for m in url.find_iter(text) {
        let decoded = percent_encoding::percent_decode_str(m.as_str()).decode_utf8_lossy();
        if decoded != m.as_str() {
            out.push(View {
                span: m.range(),
                text: decoded.into_owned(),
                encoding: "percent-encoding in a URL",
                mode: Mode::Text,
            });
        }
    }
}

/// Shortest base64 run worth decoding: 24 characters are 18 bytes, enough
/// for the shortest prefixed key (an AWS access key id is 20).
const MIN_BASE64: usize = 24;

/// Lines of a wrapped base64 block (`base64` wraps at 76, PEM at 64) are at
/// least this long; shorter whole-line runs are decoded alone.
const MIN_WRAP: usize = 40;

fn base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_')
}

/// Whether `text` holds a run that [`looks_encoded`]. A run that does is
/// [`MIN_BASE64`] bytes or longer, so the search looks at every
/// [`MIN_BASE64`]th byte and only reads around the ones that could be in
/// such a run: text without long runs (most code) costs a fraction of a pass.
fn has_base64_run(text: &[u8]) -> bool {
    let mut probe = MIN_BASE64 - 1;
    while probe < text.len() {
        if !base64_byte(text[probe]) {
            probe += MIN_BASE64;
            continue;
        }
        // The maximal run through `probe`.
        let start = text[..probe]
            .iter()
            .rposition(|&b| !base64_byte(b))
            .map_or(0, |i| i + 1);
        let end = text[probe..]
            .iter()
            .position(|&b| !base64_byte(b))
            .map_or(text.len(), |i| probe + i);
        if looks_encoded(&text[start..end]) {
            return true;
        }
        // The next run that could be long enough ends at least
        // MIN_BASE64 bytes past this one's end.
        probe = end + MIN_BASE64;
    }
    false
}

/// Whether a run of base64 characters (no padding) could encode text: at
/// least [`MIN_BASE64`] long, not all hex (a hash), and the first character
/// of each group of four, which holds the top six bits of a byte, is one a
/// printable ASCII byte or a line break gives (`C`, `I`-`Z`, `a`-`f`) in all
/// but one of the first sixteen groups. Identifiers and paths rarely are:
/// this spares decoding them.
fn looks_encoded(run: &[u8]) -> bool {
    if run.len() < MIN_BASE64 || run.iter().all(u8::is_ascii_hexdigit) {
        return false;
    }
    let misses = run
        .iter()
        .step_by(4)
        .take(16)
        .filter(|&&c| !matches!(c, b'C' | b'I'..=b'Z' | b'a'..=b'f'))
        .count();
    misses <= 1
}

/// Maximal base64 runs (with up to two `=` of padding): `(start, end,
/// whole_line)`, where `whole_line` means the run is all its line holds
/// besides indentation. One pass.
fn runs(text: &[u8]) -> Vec<(usize, usize, bool)> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut line_start = 0;
    // Whether a run on this line was seen: only the first can be the
    // whole line, so each line's bytes are looked at a bounded number of
    // times, however many runs it holds.
    let mut seen_on_line = false;
    while i < text.len() {
        let b = text[i];
        if b == b'\n' {
            line_start = i + 1;
            seen_on_line = false;
            i += 1;
            continue;
        }
        if !base64_byte(b) {
            i += 1;
            continue;
        }
        let start = i;
        while i < text.len() && base64_byte(text[i]) {
            i += 1;
        }
        let mut end = i;
        while end < text.len() && end - i < 2 && text[end] == b'=' {
            end += 1;
        }
        i = end;
        let whole = !seen_on_line
            && text[line_start..start]
                .iter()
                .all(|c| matches!(c, b' ' | b'\t'))
            && text[end..]
                .iter()
                .take_while(|&&c| c != b'\n')
                .all(|c| matches!(c, b' ' | b'\t' | b'\r'));
        seen_on_line = true;
        // A short whole line may end a wrapped block.
        if whole || end - start >= MIN_BASE64 {
            out.push((start, end, whole));
        }
    }
    out
}

/// Base64 (or base64url) anywhere in a text: each run of [`MIN_BASE64`]
/// characters or more, and each block of equally long whole-line runs
/// (wrapped base64), is decoded once; where the bytes are mostly printable
/// text, that text is a view for the rules whose secret announces itself
/// (a prefixed or checksummed key, a PEM private key). Linear in the text:
/// every byte is in at most one run, and every run is decoded at most once.
fn base64_runs(text: &str, out: &mut Vec<View>) {
    let bytes = text.as_bytes();
    let runs = runs(bytes);
    let mut k = 0;
    while k < runs.len() {
        let (start, mut end, whole) = runs[k];
        let width = end - start;
        let mut parts = vec![(start, end)];
        k += 1;
        // A wrapped block: whole lines of one width, on consecutive lines,
        // the last one possibly shorter.
        if whole && width >= MIN_WRAP {
            while k < runs.len() {
                // Only a full-width line is followed by more.
                let (ps, pe) = parts[parts.len() - 1];
                let (s, e, w) = runs[k];
                let gap = &bytes[end..s];
                let next_line = memchr::memchr_iter(b'\n', gap).count() == 1
                    && gap.iter().all(|c| c.is_ascii_whitespace());
                if pe - ps != width || !(w && next_line && e - s <= width) {
                    break;
                }
                parts.push((s, e));
                end = e;
                k += 1;
            }
        }
        // Its first run must be one [`has_base64_run`] finds, so that
        // [`might_have_views`] stays true wherever a view is.
        let first = &bytes[parts[0].0..parts[0].1];
        if !looks_encoded(
            &first[..first.len() - first.iter().rev().take_while(|&&c| c == b'=').count()],
        ) {
            continue;
        }
        let encoded: String = parts.iter().map(|&(s, e)| &text[s..e]).collect();
        if let Some(decoded) = decode_base64_text(&encoded) {
            out.push(View {
                span: start..end,
                text: decoded,
                encoding: "base64",
                mode: Mode::Binary,
            });
        }
    }
}

/// The text a base64 or base64url string encodes, when it is mostly
/// printable (95% or more of its bytes printable ASCII or white space).
fn decode_base64_text(encoded: &str) -> Option<String> {
    use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
    use base64::engine::DecodePaddingMode;
    const CONFIG: GeneralPurposeConfig =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, CONFIG);
    const URL: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, CONFIG);
    let b = encoded.as_bytes();
    let url = b.iter().any(|&c| c == b'-' || c == b'_');
    let standard = b.iter().any(|&c| c == b'+' || c == b'/');
    let bytes = match (url, standard) {
        (true, true) => return None,
        (true, false) => URL.decode(encoded).ok()?,
        _ => STANDARD.decode(encoded).ok()?,
    };
    if bytes.len() < 16 {
        return None;
    }
    let printable = bytes
        .iter()
        .filter(|&&c| super::text::is_printable(c))
        .count();
    (printable * 100 >= bytes.len() * 95).then(|| String::from_utf8_lossy(&bytes).into_owned())
}

fn might_have_concatenated_pem(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), b"PRIVATE KEY").is_some()
}

/// Most lines a concatenated PEM key is followed over (a 4096-bit RSA key is
/// about 50 lines of 64 characters).
const MAX_PEM_LINES: usize = 120;

/// A PEM private key written as string literals joined across lines:
/// `"-----BEGIN RSA PRIVATE KEY-----\n" + "MIIE…" + …` (Java, JS, Go, C#),
/// adjacent literals (Python, C), `.` (PHP) or `&` (VB). From a literal that
/// opens with the BEGIN line, the literals of each following line are
/// joined as long as a line holds nothing but literals and joining
/// operators, up to the END line or [`MAX_PEM_LINES`]. The view is reported
/// at the BEGIN header.
fn concatenated_pem(text: &str, lines: &Lines, out: &mut Vec<View>) {
    static BEGIN: OnceLock<Regex> = OnceLock::new();
    let begin = BEGIN.get_or_init(|| {
        Regex::new(r#"["'`](-----BEGIN [A-Z0-9 ]{0,24}PRIVATE KEY(?: BLOCK)?-----)"#).unwrap()
    });
    for c in begin.captures_iter(text) {
        let header = c.get(1).unwrap();
        let quote = c.get(0).unwrap().start();
        let first = lines.line_of(quote);
        let (_, first_end) = lines.span(text, first);
        let Some((mut joined, mut count, closed)) = literals(&text[quote..first_end], true) else {
            continue;
        };
        let mut line = first;
        let mut total_lines = 1;
        let mut done = joined.contains("-----END") || !closed;
        while !done && line < lines.count() && total_lines < MAX_PEM_LINES {
            line += 1;
            let (s, e) = lines.span(text, line);
            let Some((more, n, _)) = literals(&text[s..e], false) else {
                break;
            };
            if n == 0 {
                break;
            }
            joined.push_str(&more);
            count += n;
            total_lines += 1;
            done = joined.contains("-----END");
        }
        // One literal holding it all is the plain text's to find.
        if count >= 2 && joined.contains("-----END") {
            out.push(View {
                span: header.range(),
                text: joined,
                encoding: "string literals joined across lines",
                mode: Mode::Binary,
            });
        }
    }
}

/// The contents of the string literals on a line that holds nothing else
/// but white space and joining operators (`+ . & , ( ) ; \`), and how many
/// there were; `None` when anything else is on it. `first`: the line starts
/// at the BEGIN literal and may go on with code after its literals (the
/// third value then says whether the literals ran to the end of the line).
fn literals(line: &str, first: bool) -> Option<(String, usize, bool)> {
    let b = line.as_bytes();
    let mut out = String::new();
    let mut count = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\r' | b'+' | b'.' | b'&' | b',' | b'(' | b')' | b';' | b'\\' => i += 1,
            // Python's string prefixes.
            b'r' | b'b' | b'u' | b'f' | b'R' | b'B' | b'U' | b'F'
                if b.get(i + 1).is_some_and(|&q| matches!(q, b'"' | b'\'')) =>
            {
                i += 1
            }
            q @ (b'"' | b'\'' | b'`') => {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && b[j] != q {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                if j >= b.len() {
                    return None;
                }
                out.push_str(&line[start..j]);
                count += 1;
                i = j + 1;
            }
            _ if first && count > 0 => return Some((out, count, false)),
            _ => return None,
        }
    }
    Some((out, count, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sampling search finds a run exactly when reading every run does.
    #[test]
    fn sampling_for_base64_runs_misses_none() {
        let every_run = |text: &[u8]| text.split(|&b| !base64_byte(b)).any(looks_encoded);
        // Runs of random lengths from a few alphabets, between separators.
        let mut seed = 0x2545_f491_u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let alphabets: [&[u8]; 3] = [
            b"IJKLMNOPQRSTUVWXYZabcdefC",
            b"0123456789abcdef",
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_",
        ];
        let (mut found, mut cases) = (0, 0);
        for _ in 0..4000 {
            let mut text = Vec::new();
            for _ in 0..next(6) {
                let alphabet = alphabets[next(3) as usize];
                for _ in 0..next(60) {
                    text.push(alphabet[next(alphabet.len() as u64) as usize]);
                }
                text.push(b" \n.=\""[next(5) as usize]);
            }
            let want = every_run(&text);
            assert_eq!(
                has_base64_run(&text),
                want,
                "{:?}",
                String::from_utf8_lossy(&text)
            );
            found += usize::from(want);
            cases += 1;
        }
        // Both answers were exercised.
        assert!(found > 100 && found < cases - 100, "{found} of {cases}");
    }

    #[test]
    fn decodes_secret_data_and_urls() {
        let b64 = base64::engine::general_purpose::STANDARD.encode("s3cr3t-value");
        let text = format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\ndata:\n  API_KEY: {b64}\n  short: YQ==\ntype: Opaque\n"
        );
        let lines = Lines::new(&text);
        let v = views(&text, &lines, None);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].text, "API_KEY: s3cr3t-value\n");
        assert_eq!(&text[v[0].span.clone()], b64);

        let url = "see https://host/x?key=a%2Bb%40c for details";
        let v = views(url, &Lines::new(url), None);
        assert_eq!(v[0].text, "https://host/x?key=a+b@c");
        assert_eq!(&url[v[0].span.clone()], "https://host/x?key=a%2Bb%40c");
    }

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn base64_anywhere_is_decoded_when_it_is_text() {
        let inner = format!("token={}", crate::rules::testgen::token("alnum", 36, 1));
        let inner = inner.as_str();
        let enc = b64(inner);
        let text = format!("config: {{ \"blob\": \"{enc}\" }}\n");
        let v = views(&text, &Lines::new(&text), None);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].text, inner);
        assert_eq!(&text[v[0].span.clone()], enc);
        assert_eq!(v[0].mode, Mode::Binary);
        // base64url too.
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("a>b?c>d?".repeat(4));
        assert!(url.contains('-') || url.contains('_'), "{url}");
        let text = format!("x={url}\n");
        assert_eq!(
            views(&text, &Lines::new(&text), None)[0].text,
            "a>b?c>d?".repeat(4)
        );
        // Bytes that are not text, hex hashes and short runs are left alone.
        let bin: Vec<u8> = (0..=255u8).collect();
        let enc = base64::engine::general_purpose::STANDARD.encode(&bin);
        let text = format!(
            "img = \"data:image/png;base64,{enc}\"\nsha = {}\nid = {}\n",
            "ab12".repeat(16),
            b64("short")
        );
        assert!(views(&text, &Lines::new(&text), None).is_empty());
    }

    #[test]
    fn wrapped_base64_is_decoded_as_one_block() {
        let inner = "-----BEGIN SOMETHING-----\n".to_string() + &"line of text ".repeat(20);
        let enc = b64(&inner);
        let wrapped: Vec<&str> = enc
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let text = format!("payload: |\n  {}\nnext: 1\n", wrapped.join("\n  "));
        let v = views(&text, &Lines::new(&text), None);
        assert_eq!(
            v.len(),
            1,
            "{:?}",
            v.iter().map(|v| &v.text).collect::<Vec<_>>()
        );
        assert_eq!(v[0].text, inner);
        assert!(text[v[0].span.clone()].starts_with(wrapped[0]));
        assert!(text[v[0].span.clone()].ends_with(wrapped[wrapped.len() - 1]));
    }

    #[test]
    fn a_focused_search_reads_the_views_that_touch_its_focus() {
        // 384 + 4 characters: the last line is too short to find alone.
        let inner = "-----BEGIN SOMETHING-----\n".to_string() + &"line of text ".repeat(20) + "abc";
        let enc = b64(&inner);
        let wrapped: Vec<&str> = enc
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let other = b64("another line of plain text, long enough");
        let text = format!(
            "a: {other}\npayload: |\n  {}\nnext: 1\n",
            wrapped.join("\n  ")
        );
        let lines = Lines::new(&text);
        let line = |n: usize| {
            let (s, e) = lines.span(&text, n);
            s..e + 1
        };
        assert_eq!(views(&text, &lines, None).len(), 2);
        // The block's short last line alone changed: the whole block is
        // read again, from its first line (far above the focus).
        let last = lines.line_of(text.find("next:").unwrap()) - 1;
        let v = views(&text, &lines, Some(&[line(last)]));
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].text, inner);
        // Only the first line changed: the block is not read.
        let v = views(&text, &lines, Some(&[line(1)]));
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].text, "another line of plain text, long enough");
        // A line with no view.
        let next = lines.line_of(text.find("next:").unwrap());
        assert!(views(&text, &lines, Some(&[line(next)])).is_empty());
    }

    #[test]
    fn a_large_base64_blob_is_decoded_in_linear_time() {
        // 10 MB each: one run of random bytes (not text), one of text, and
        // a long line of many short runs.
        let bytes: Vec<u8> = (0..7_500_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let random = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let text = b64(&"plain text, ".repeat(625_000));
        let line = "abcdefghijklmnopqrstuvwxyz0123. ".repeat(300_000);
        let started = std::time::Instant::now();
        assert!(views(&random, &Lines::new(&random), None).is_empty());
        assert_eq!(views(&text, &Lines::new(&text), None).len(), 1);
        assert!(views(&line, &Lines::new(&line), None).is_empty());
        let elapsed = started.elapsed();
        // Linear work is well under a second optimised; a quadratic pass
        // over 10 MB would take hours, whatever the build.
        let limit = if cfg!(debug_assertions) { 60 } else { 3 };
        assert!(elapsed.as_secs() < limit, "{elapsed:?}");
    }

    #[test]
    fn pem_keys_in_string_literals_across_lines_are_joined() {
        let body = ["MIIEowIBAAKCAQEA", "q1w2e3r4t5y6u7i8o9p0"];
        for (text, joined) in [
            (
                format!("String k = \"-----BEGIN RSA PRIVATE KEY-----\\n\" +\n    \"{}\\n\" +\n    \"{}\\n\" +\n    \"-----END RSA PRIVATE KEY-----\";\n", body[0], body[1]),
                format!("-----BEGIN RSA PRIVATE KEY-----\\n{}\\n{}\\n-----END RSA PRIVATE KEY-----", body[0], body[1]),
            ),
            (
                format!("KEY = (\n    \"-----BEGIN PRIVATE KEY-----\"\n    \"{}\"\n    \"{}\"\n    \"-----END PRIVATE KEY-----\"\n)\n", body[0], body[1]),
                format!("-----BEGIN PRIVATE KEY-----{}{}-----END PRIVATE KEY-----", body[0], body[1]),
            ),
        ] {
            let v = views(&text, &Lines::new(&text), None);
            let pem: Vec<&View> = v.iter().filter(|v| v.encoding.contains("literals")).collect();
            assert_eq!(pem.len(), 1, "{text}");
            assert_eq!(pem[0].text, joined);
            assert!(text[pem[0].span.clone()].starts_with("-----BEGIN"));
        }
        // Code between the literals ends the key: nothing to join.
        let env = "key = '-----BEGIN RSA PRIVATE KEY-----\\n' + os.environ['BODY'] + '\\n-----END RSA PRIVATE KEY-----'\n";
        assert!(views(env, &Lines::new(env), None)
            .iter()
            .all(|v| !v.encoding.contains("literals")));
    }

    #[test]
    fn only_secrets_are_decoded() {
        let b64 = base64::engine::general_purpose::STANDARD.encode("value-value");
        let text = format!("kind: ConfigMap\ndata:\n  A: {b64}\n");
        assert!(views(&text, &Lines::new(&text), None).is_empty());
    }
}

//! A whole blob, whatever it holds: text of any size, or a binary file.
//!
//! Nothing is silently left unscanned. Text up to the size limit is scanned
//! in one piece; a larger text in overlapping windows of that size, so the
//! cost of one scan (line index, assignments, regex state) stays bounded while
//! every byte is still read. A binary file is searched through its printable
//! runs, with the rules whose keys announce themselves (a fixed prefix or a
//! checksum), since no provider context survives in the strings of a binary.
//!
//! [`Scanner`] is the one path from a blob's bytes to findings that every
//! source takes: read, count, prefilter, scan, and build each finding at the
//! blob's [`Provenance`]. Which findings a source keeps (only lines a change
//! adds, say) is the source's concern, on top of it.

use std::borrow::Cow;
use std::collections::HashSet;

use super::archive::{self, Limits};
use super::text::{self, Decoded};
use super::{scan_at, worth_scanning_at, Mode, Origin, Scanned, Wake};
use crate::engine::finding::{self, CommitInfo, Finding};
use crate::rules::Catalog;
use crate::summary::Summary;

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
pub fn scan(
    catalog: &Catalog,
    text: Cow<'_, str>,
    mode: Mode,
    max_size: u64,
    path: Option<&str>,
    file: &[u8],
) -> Vec<Scanned> {
    let keep = |s: &Scanned| {
        s.reported().next().is_some() || s.inline_allowed > 0 || s.foreign_allowed > 0
    };
    if mode == Mode::Binary {
        return scan_strings(catalog, &text, max_size, path, file)
            .into_iter()
            .filter(keep)
            .collect();
    }
    if !windowed(text.len(), max_size) {
        if !worth_scanning_at(catalog, &text, path) {
            return Vec::new();
        }
        let s = scan_at(catalog, text.into_owned(), mode, path, Some(file));
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
        if !worth_scanning_at(catalog, slice, path) {
            continue;
        }
        // Only the first window starts the file.
        let whole = (start == 0).then_some(file);
        let mut s = scan_at(catalog, slice.to_string(), mode, path, whole);
        s.origin = origin;
        s.own_until(own_end - start);
        if keep(&s) {
            out.push(s);
        }
    }
    out
}

/// Blanks (spaces and line breaks) between two stretches of a binary's
/// strings that put them in separate parts: a key never spans that much
/// blank space, and a stretch of it is most of what a binary's text is.
const STRINGS_GAP: usize = 1024;

/// A binary's text (its printable runs at their offsets, everything else
/// blank: see [`super::text::printable_runs`]) scanned where its strings
/// are: clusters of runs closer than [`STRINGS_GAP`], each at most
/// `max_size` unless one run is longer, each at its own line and column.
/// A shared library is mostly blank here, so this reads a fraction of it.
/// The first part starts at the file's start, so rules that know a file by
/// its path and first bytes (a keystore) see them.
fn scan_strings(
    catalog: &Catalog,
    text: &str,
    max_size: u64,
    path: Option<&str>,
    file: &[u8],
) -> Vec<Scanned> {
    let size = usize::try_from(max_size)
        .unwrap_or(usize::MAX)
        .max(MIN_WINDOW);
    let mut out = Vec::new();
    let mut origin = Origin::default();
    let mut counted = 0;
    for (start, end) in strings_parts(text.as_bytes(), size) {
        let bytes = text.as_bytes();
        origin.lines_before += memchr::memchr_iter(b'\n', &bytes[counted..start]).count();
        counted = start;
        let line_start = memchr::memrchr(b'\n', &bytes[..start]).map_or(0, |i| i + 1);
        // All ASCII: bytes are characters.
        origin.columns_before = start - line_start;
        let slice = &text[start..end];
        let whole = (start == 0).then_some(file);
        if start != 0 && !worth_scanning_at(catalog, slice, path) {
            continue;
        }
        let mut s = scan_at(catalog, slice.to_string(), Mode::Binary, path, whole);
        s.origin = origin;
        out.push(s);
    }
    out
}

/// `(start, end)` of the parts [`scan_strings`] scans: the first from 0;
/// each ends at a run's end; a part ends where [`STRINGS_GAP`] blanks follow
/// or where the next run would take it past `size`.
fn strings_parts(b: &[u8], size: usize) -> Vec<(usize, usize)> {
    let blank = |c: u8| c == b' ' || c == b'\n';
    let mut parts = Vec::new();
    let mut part = (0, 0);
    let mut i = 0;
    while i < b.len() {
        if blank(b[i]) {
            i += 1;
            continue;
        }
        let run = i;
        while i < b.len() && !blank(b[i]) {
            i += 1;
        }
        let (start, end) = part;
        part = if run - end < STRINGS_GAP && i - start <= size {
            (start, i)
        } else {
            parts.push(part);
            (run, i)
        };
    }
    parts.push(part);
    parts
}

/// The place standard input is reported at; it has no path.
pub const STDIN: &str = "<stdin>";

/// Where scanned bytes come from: the place a finding reports. A new kind
/// of source (an image layer, an archive member) is a new variant here.
#[derive(Debug, Clone, Copy)]
pub enum Provenance<'a> {
    /// A file on disk, or standard input: a path (or label) only.
    File { path: &'a str },
    /// A git blob at `path`, brought in by `commit` (none for an index entry
    /// or a pushed ref that points at a tree or a blob); `added` when that
    /// change adds the file rather than replacing a blob.
    Blob {
        path: &'a str,
        commit: Option<&'a CommitInfo>,
        added: bool,
    },
}

impl<'a> Provenance<'a> {
    /// What a finding shows as its path.
    pub fn path(&self) -> &'a str {
        match *self {
            Provenance::File { path } | Provenance::Blob { path, .. } => path,
        }
    }

    pub fn commit(&self) -> Option<&'a CommitInfo> {
        match *self {
            Provenance::File { .. } => None,
            Provenance::Blob { commit, .. } => commit,
        }
    }

    /// The same place at another path: an archive's entry, `outer!inner`.
    pub fn at<'b>(&self, path: &'b str) -> Provenance<'b>
    where
        'a: 'b,
    {
        match *self {
            Provenance::File { .. } => Provenance::File { path },
            Provenance::Blob { commit, added, .. } => Provenance::Blob {
                path,
                commit,
                added,
            },
        }
    }

    /// Whether the blob is a file its change adds.
    pub fn added(&self) -> bool {
        match *self {
            Provenance::File { .. } => false,
            Provenance::Blob { added, .. } => added,
        }
    }
}

/// A blob read and scanned: its text as the rules read it, and the parts
/// (the whole text, or windows of it) that found or inline-allowed
/// something.
pub struct Scan<'b> {
    pub mode: Mode,
    pub text: Cow<'b, str>,
    pub parts: Vec<Scanned>,
}

impl Scan<'_> {
    /// Every match the blob reports, each once: `(part, index)`.
    pub fn reported(&self) -> impl Iterator<Item = (&Scanned, usize)> + '_ {
        self.parts
            .iter()
            .flat_map(|p| p.reported().map(move |i| (p, i)))
    }
}

/// One text inside an archive blob, scanned: an entry, or a nested
/// archive's own bytes, at its place (`outer!inner`).
pub struct Placed {
    pub place: String,
    /// An entry that is not itself an archive.
    pub leaf: bool,
    pub parts: Vec<Scanned>,
}

/// The one blob scanner: bytes in, findings (or a [`Scan`] to filter) out,
/// what was read counted in the caller's [`Summary`]. Cheap to copy; each
/// worker thread uses it with a summary of its own.
#[derive(Clone, Copy)]
pub struct Scanner<'c> {
    pub catalog: &'c Catalog,
    /// Texts over this many bytes are scanned in windows of it.
    pub max_size: u64,
    /// How archives are opened (see [`archive`]); the defaults unless
    /// [`Scanner::with_archives`] says otherwise.
    pub archives: Limits,
}

impl<'c> Scanner<'c> {
    pub fn new(catalog: &'c Catalog, max_size: u64) -> Scanner<'c> {
        Scanner {
            catalog,
            max_size,
            archives: Limits::default(),
        }
    }

    /// The same scanner with the configured archive limits.
    pub fn with_archives(self, archives: Limits) -> Scanner<'c> {
        Scanner { archives, ..self }
    }

    /// The kind of archive `bytes` are, when archives are opened.
    pub fn archive_kind(&self, bytes: &[u8]) -> Option<archive::Kind> {
        if self.archives.enabled {
            archive::kind(bytes)
        } else {
            None
        }
    }

    /// Scans a blob and builds a finding for every match it reports, at
    /// `at`.
    pub fn scan_blob(&self, bytes: &[u8], at: &Provenance, summary: &mut Summary) -> Vec<Finding> {
        let path = Some(at.path()).filter(|p| *p != STDIN);
        self.scan_blob_at(bytes, at, path, summary)
    }

    /// [`Scanner::scan_blob`] with the path the `path` contexts see given
    /// apart from the place reported: `None` where the place is not a path
    /// (a history scan of the object store reads blobs before it knows
    /// where they are).
    pub fn scan_blob_at(
        &self,
        bytes: &[u8],
        at: &Provenance,
        path: Option<&str>,
        summary: &mut Summary,
    ) -> Vec<Finding> {
        let read = read(bytes);
        let (mode, len) = (read.mode, read.text.len());
        // The text moves into the scan: nothing keeps it.
        let parts = self.scan_text(read.text, mode, len, bytes, path, summary);
        if let Some(kind) = self.archive_kind(bytes) {
            let entries = self.scan_entries(bytes, kind, at.path(), summary);
            return self.archive_findings(&parts, &entries, at, |_| true);
        }
        parts
            .iter()
            .flat_map(|p| p.reported().map(move |i| (p, i)))
            .map(|(p, i)| self.finding(p, i, at))
            .collect()
    }

    /// [`Scanner::scan_blob_at`] for a version of a file in a history, with
    /// what it woke (see [`Wake`]) for the version after it. With the
    /// version it replaces (`before`, and what that woke), it is searched
    /// only where it changed when that finds the same (see
    /// [`super::focus`]), whole otherwise: the secrets on the lines it kept
    /// are the earlier version's, reported there.
    pub fn scan_version(
        &self,
        bytes: &[u8],
        before: Option<(&[u8], &Wake)>,
        at: &Provenance,
        path: Option<&str>,
        summary: &mut Summary,
    ) -> (Vec<Finding>, Option<Wake>) {
        let plain = self.archive_kind(bytes).is_none() && !windowed(bytes.len(), self.max_size);
        let after = match text::decode(bytes) {
            Decoded::Text(t) if plain => t,
            _ => return (self.scan_blob_at(bytes, at, path, summary), None),
        };
        summary.blobs += 1;
        summary.bytes += bytes.len() as u64;
        if !worth_scanning_at(self.catalog, &after, path) {
            return (Vec::new(), Some(Wake::default()));
        }
        let lines = text::Lines::new(&after);
        let changes = before.and_then(|(prev, wake)| match text::decode(prev) {
            Decoded::Text(prev) => {
                super::focus::between(self.catalog, &prev, &after, &lines).map(|c| (c, wake))
            }
            Decoded::Binary => None,
        });
        // What this version wakes: the version before's when it surely wakes
        // the same, else read here (a prefilter pass, a fraction of a
        // search) and compared.
        let (focus, wake) = match changes {
            Some((c, wake)) if c.same_words => {
                let (mine, same) = wake.for_version(self.catalog, &after, &c.added, &c.removed);
                (same.then_some(c.focus), mine)
            }
            Some((c, wake)) => {
                let mine = Wake::of(self.catalog, &after, Mode::Text, path);
                let same = mine.same_as(wake, self.catalog, &after);
                (same.then_some(c.focus), mine)
            }
            None => (None, Wake::of(self.catalog, &after, Mode::Text, path)),
        };
        if focus.is_some() {
            summary.focused += 1;
        }
        let s = super::scan_within(
            self.catalog,
            after.into_owned(),
            Mode::Text,
            path,
            Some(bytes),
            super::Within {
                focus: focus.as_ref(),
                wake: Some(&wake),
                lines: Some(lines),
            },
        );
        summary.inline_allowed += s.inline_allowed;
        summary.foreign_allowed += s.foreign_allowed;
        let findings = s.reported().map(|i| self.finding(&s, i, at)).collect();
        (findings, Some(wake))
    }

    /// Scans the entries of the archive `bytes` reported at `place`, and of
    /// the archives among them, each at `place!inner` with its own line
    /// numbers (the `path` rules see the entry's own path). The archive's
    /// own bytes are not scanned here. Only texts that found something are
    /// returned; every entry is counted.
    pub fn scan_entries(
        &self,
        bytes: &[u8],
        kind: archive::Kind,
        place: &str,
        summary: &mut Summary,
    ) -> Vec<Placed> {
        let mut out = Vec::new();
        archive::walk(
            bytes,
            kind,
            place,
            &self.archives,
            summary,
            &mut |e, summary| {
                let read = read(e.bytes);
                let (mode, len) = (read.mode, read.text.len());
                let parts = self.scan_text(read.text, mode, len, e.bytes, Some(e.inner), summary);
                if !parts.is_empty() {
                    out.push(Placed {
                        place: e.place.to_string(),
                        leaf: !e.archive,
                        parts,
                    });
                }
            },
        );
        out
    }

    /// The findings of an archive blob whose own bytes scanned as `own` and
    /// whose entries as `entries`, keeping the secrets `keep` accepts. A
    /// secret an entry reports is reported there only, not again in the
    /// printable runs of the archive that holds it (a stored zip entry or a
    /// tar member is plain in its archive's bytes).
    pub fn archive_findings(
        &self,
        own: &[Scanned],
        entries: &[Placed],
        at: &Provenance,
        keep: impl Fn(&str) -> bool,
    ) -> Vec<Finding> {
        let secret =
            |p: &Scanned, i: usize| -> String { p.text[p.matches[i].span.clone()].to_string() };
        let in_entries: HashSet<String> = entries
            .iter()
            .filter(|e| e.leaf)
            .flat_map(|e| e.parts.iter())
            .flat_map(|p| p.reported().map(move |i| secret(p, i)))
            .collect();
        let mut out = Vec::new();
        let mut add = |parts: &[Scanned], leaf: bool, at: &Provenance| {
            for p in parts {
                for i in p.reported() {
                    let s = secret(p, i);
                    if (leaf || !in_entries.contains(&s)) && keep(&s) {
                        out.push(self.finding(p, i, at));
                    }
                }
            }
        };
        add(own, false, at);
        for e in entries {
            add(&e.parts, e.leaf, &at.at(&e.place));
        }
        out
    }

    /// A blob's readable texts, as [`Scanner::scan`] reads them, and when it
    /// is an archive every entry's too: what a replaced blob held, for "was
    /// this secret already there". Nothing is counted.
    pub fn texts(&self, bytes: &[u8]) -> Vec<String> {
        let mut out = vec![read(bytes).text.into_owned()];
        if let Some(kind) = self.archive_kind(bytes) {
            let mut uncounted = Summary::default();
            archive::walk(
                bytes,
                kind,
                "",
                &self.archives,
                &mut uncounted,
                &mut |e, _| out.push(read(e.bytes).text.into_owned()),
            );
        }
        out
    }

    /// Scans a blob and keeps its text, for a source that filters the
    /// matches against other blobs before building findings with
    /// [`Scanner::finding`].
    pub fn scan<'b>(&self, bytes: &'b [u8], path: &str, summary: &mut Summary) -> Scan<'b> {
        let read = read(bytes);
        let (mode, len) = (read.mode, read.text.len());
        let parts = self.scan_text(
            Cow::Borrowed(&read.text),
            mode,
            len,
            bytes,
            Some(path),
            summary,
        );
        Scan {
            mode,
            text: read.text,
            parts,
        }
    }

    /// Counts a blob (text, in windows when over the cap, or binary) and
    /// its inline-allowed matches, and scans it.
    fn scan_text(
        &self,
        text: Cow<'_, str>,
        mode: Mode,
        len: usize,
        bytes: &[u8],
        path: Option<&str>,
        summary: &mut Summary,
    ) -> Vec<Scanned> {
        match mode {
            Mode::Binary => summary.binary_searched += 1,
            Mode::Text => {
                summary.blobs += 1;
                summary.bytes += bytes.len() as u64;
                if windowed(len, self.max_size) {
                    summary.windowed += 1;
                }
            }
        }
        let parts = scan(self.catalog, text, mode, self.max_size, path, bytes);
        summary.inline_allowed += parts.iter().map(|p| p.inline_allowed).sum::<usize>();
        summary.foreign_allowed += parts.iter().map(|p| p.foreign_allowed).sum::<usize>();
        parts
    }

    /// The finding for match `index` of `part`, at its line and column in
    /// the whole blob (a window of a large file starts some lines in). Every
    /// finding in a blob is built here.
    pub fn finding(&self, part: &Scanned, index: usize, at: &Provenance) -> Finding {
        let m = &part.matches[index];
        let mut f = finding::build_with(
            self.catalog,
            part,
            index,
            at.path(),
            at.commit(),
            at.added(),
        );
        (f.line, f.column) = part.position(m.span.start);
        f
    }
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
    fn a_binarys_strings_are_scanned_in_parts_that_skip_long_blanks() {
        let gap = " ".repeat(STRINGS_GAP);
        let text = format!("  abcdefgh {gap}\n{gap}ijklmnop qrstuvwx{gap}yz012345");
        let b = text.as_bytes();
        let parts = strings_parts(b, 1 << 20);
        let shown: Vec<&str> = parts.iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(shown, ["  abcdefgh", "ijklmnop qrstuvwx", "yz012345"]);
        // A size cap splits between runs, never inside one.
        let parts = strings_parts(b"aaaaaaaa bbbbbbbb cccccccc", 17);
        assert_eq!(parts, [(0, 17), (18, 26)]);
        // Nothing printable: one empty part at the start, for rules that
        // know a file by its name and first bytes.
        assert_eq!(strings_parts(&[b' '; 5000], 1 << 20), [(0, 0)]);
    }

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

    fn github_token(seed: u64) -> String {
        format!("ghp_{}", crate::rules::testgen::token("crc32", 30, seed))
    }

    #[test]
    fn the_scanner_counts_what_it_reads_and_builds_findings_at_their_provenance() {
        let catalog = Catalog::builtin().unwrap();
        let scanner = Scanner::new(&catalog, 2048);
        let mut summary = Summary::default();
        let commit = CommitInfo {
            id: "c0ffee".repeat(6) + "c0ff",
            summary: "adds a key".into(),
            root: false,
        };
        let tok = github_token(11);

        // Small text: counted, its finding placed at the blob's path and commit.
        let small = format!("# config\nGITHUB_TOKEN={tok}\n");
        let at = Provenance::Blob {
            path: "app.env",
            commit: Some(&commit),
            added: true,
        };
        let f = scanner.scan_blob(small.as_bytes(), &at, &mut summary);
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].path.as_str(), f[0].line, f[0].column),
            ("app.env", 2, 14)
        );
        assert_eq!(
            f[0].commit.as_ref().map(|c| c.id.as_str()),
            Some(&*commit.id)
        );
        assert!(f[0].file_added);
        assert!(!f[0].redacted.contains(&tok), "never the whole secret");

        // Large text: windowed, the key at its line in the whole blob.
        let mut large = "# filler line of some length\n".repeat(300);
        large.push_str(&format!("GITHUB_TOKEN={tok}\n"));
        let at = Provenance::File { path: "big.txt" };
        let f = scanner.scan_blob(large.as_bytes(), &at, &mut summary);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].line, f[0].column), (301, 14));
        assert!(f[0].commit.is_none() && !f[0].file_added);

        // Binary: searched for prefixed keys, not counted as a text.
        let mut bin = b"\x7fELF\0\0\x01\x02 GITHUB_TOKEN=".to_vec();
        bin.extend_from_slice(tok.as_bytes());
        bin.extend((0u8..=255).cycle().take(600));
        let f = scanner.scan_blob(&bin, &Provenance::File { path: "t.bin" }, &mut summary);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].path, "t.bin");

        // An inline-allowed key is counted, not reported.
        let allowed = format!("GITHUB_TOKEN={tok} # leakgate:allow\n");
        let at = Provenance::File { path: "ok.env" };
        assert!(scanner
            .scan_blob(allowed.as_bytes(), &at, &mut summary)
            .is_empty());

        assert_eq!(summary.blobs, 3);
        assert_eq!(
            summary.bytes,
            (small.len() + large.len() + allowed.len()) as u64
        );
        assert_eq!(summary.windowed, 1);
        assert_eq!(summary.binary_searched, 1);
        assert_eq!(summary.inline_allowed, 1);
    }

    #[test]
    fn a_kept_scan_reports_the_same_matches_and_keeps_the_text() {
        let catalog = Catalog::builtin().unwrap();
        let scanner = Scanner::new(&catalog, 2048);
        let tok = github_token(12);
        let mut text = "# filler line of some length\n".repeat(200);
        text.push_str(&format!("GITHUB_TOKEN={tok}\n"));
        let (mut a, mut b) = (Summary::default(), Summary::default());
        let at = Provenance::File { path: "x" };
        let direct = scanner.scan_blob(text.as_bytes(), &at, &mut a);
        let kept = scanner.scan(text.as_bytes(), "t.env", &mut b);
        assert_eq!(kept.text, text);
        assert_eq!(kept.mode, Mode::Text);
        let built: Vec<_> = kept
            .reported()
            .map(|(p, i)| scanner.finding(p, i, &at))
            .collect();
        assert_eq!(built.len(), direct.len());
        for (x, y) in built.iter().zip(&direct) {
            assert_eq!(
                (x.line, x.column, &x.fingerprint),
                (y.line, y.column, &y.fingerprint)
            );
        }
        assert_eq!(
            (a.blobs, a.bytes, a.windowed),
            (b.blobs, b.bytes, b.windowed)
        );
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
            let parts = scan(
                &catalog,
                Cow::Borrowed(&text),
                Mode::Text,
                2048,
                None,
                text.as_bytes(),
            );
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

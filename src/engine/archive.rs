//! Archives inside scanned blobs: zip (and jar, war, ear, whl, apk, nupkg,
//! which are zips), tar, gzip (a tar.gz, or one compressed file), zstd (a
//! tar.zst, or one file), nested up to a depth.
//!
//! An archive is known by its bytes, never by its name: a `.jar` that is not
//! a zip is a plain file, and a zip named `data.bin` is an archive. Entries
//! are expanded in memory, as `(inner path, bytes)`, under hard limits that
//! are checked while the bytes are read, so a bomb stops at the limit instead
//! of filling memory: the bytes expanded per top-level archive (every level
//! counts), the entries, the ratio of an entry past 1 MiB to its compressed
//! size, and the depth. A limit reached is a [`Summary::limit_breaches`]
//! message naming the archive and the limit: the command fails closed on it.
//! A corrupt archive, an encrypted entry or one in a compression this build
//! does not read is counted as skipped, with its reason.
//!
//! This module never writes anything to disk and never decides what is a
//! secret: it hands bytes to [`super::blob::Scanner`].

use std::io::{self, BufRead, Cursor, Read};

use crate::summary::{SkipReason, Summary};

/// Past this many bytes, an entry is held to [`Limits::max_ratio`]: small
/// entries of repeated text compress far better than 100:1 and are no
/// threat.
pub const RATIO_FLOOR: u64 = 1024 * 1024;

/// `[scan.archives]` in `.leakgate.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Off: archives are read as binary files, as before.
    pub enabled: bool,
    /// Bytes expanded per top-level archive, counted at every level.
    pub max_expanded: u64,
    /// Entries (files) per top-level archive, counted at every level.
    pub max_entries: usize,
    /// Expanded to compressed size, for an entry past [`RATIO_FLOOR`].
    pub max_ratio: u64,
    /// Archives in archives: 3 is an archive in an archive in an archive.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            enabled: true,
            max_expanded: 256 * 1024 * 1024,
            max_entries: 10_000,
            max_ratio: 100,
            max_depth: 3,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Zip,
    Gzip,
    Zstd,
    Tar,
}

/// What kind of archive `bytes` are, by their first bytes (a tar by
/// "ustar" at offset 257). A few comparisons: free for every other blob.
pub fn kind(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(b"PK\x03\x04") || (bytes.starts_with(b"PK\x05\x06") && bytes.len() >= 22) {
        Some(Kind::Zip)
    } else if bytes.starts_with(&[0x1f, 0x8b, 0x08]) {
        Some(Kind::Gzip)
    } else if bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some(Kind::Zstd)
    } else if is_tar(bytes) {
        Some(Kind::Tar)
    } else {
        None
    }
}

fn is_tar(bytes: &[u8]) -> bool {
    bytes.len() >= 512 && &bytes[257..262] == b"ustar"
}

/// One entry handed to the caller: `place` is where a finding in it is
/// reported (`bundle.zip!config/app.env`), `inner` its path inside its own
/// archive (what `path` rules see), `archive` whether it is itself an
/// archive (its entries follow it).
pub struct Entry<'a> {
    pub place: &'a str,
    pub inner: &'a str,
    pub bytes: &'a [u8],
    pub archive: bool,
}

/// Why expansion stopped.
enum Stop {
    /// A limit: the whole scan fails closed with this message.
    Limit(String),
    /// This archive (or entry) cannot be read: skipped and counted.
    Skip(SkipReason),
}

/// Counts against the limits of one top-level archive.
struct Budget<'s> {
    limits: Limits,
    expanded: u64,
    entries: usize,
    depth: usize,
    summary: &'s mut Summary,
}

/// Expands the archive `bytes` of kind `kind` reported at `place`, and the
/// archives among its entries, depth first, calling `each` for every entry.
/// What cannot be read is counted as skipped in `summary`; a limit reached
/// is recorded in [`Summary::limit_breaches`] and ends the expansion.
pub fn walk(
    bytes: &[u8],
    kind: Kind,
    place: &str,
    limits: &Limits,
    summary: &mut Summary,
    each: &mut dyn FnMut(&Entry, &mut Summary),
) {
    let mut budget = Budget {
        limits: *limits,
        expanded: 0,
        entries: 0,
        depth: 0,
        summary,
    };
    if let Err(Stop::Limit(msg)) = open(bytes, kind, place, &mut budget, each) {
        budget.summary.limit_breaches.push(msg);
    }
}

/// One archive: checks the depth, counts it, expands it. An unreadable
/// archive is counted as skipped here; a limit goes up to [`walk`].
fn open(
    bytes: &[u8],
    kind: Kind,
    place: &str,
    budget: &mut Budget,
    each: &mut dyn FnMut(&Entry, &mut Summary),
) -> Result<(), Stop> {
    if budget.depth >= budget.limits.max_depth {
        return Err(Stop::Limit(format!(
            "{place}: archives nested deeper than {} (the [scan.archives] max_depth limit); {FIX}",
            budget.limits.max_depth
        )));
    }
    budget.depth += 1;
    budget.summary.archives += 1;
    let result = match kind {
        Kind::Zip => zip_entries(bytes, place, budget, each),
        Kind::Tar => tar_entries(bytes, place, budget, each),
        Kind::Gzip => {
            let decoder = flate2::read::MultiGzDecoder::new(bytes);
            let name = gzip_name(bytes, place);
            stream(decoder, bytes.len() as u64, place, &name, budget, each)
        }
        Kind::Zstd => {
            let name = strip_suffix(place, &[".zst", ".zstd"]);
            stream(
                ZstdFrames::new(bytes),
                bytes.len() as u64,
                place,
                &name,
                budget,
                each,
            )
        }
    };
    budget.depth -= 1;
    match result {
        Err(Stop::Skip(reason)) => {
            budget.summary.skip(place, reason, Some(bytes.len() as u64));
            Ok(())
        }
        other => other,
    }
}

/// A zstd stream of one or more frames, as `zstd` writes them when asked
/// to and image tools do (ruzstd's decoder reads one frame).
pub struct ZstdFrames<R: BufRead> {
    frame: Option<ruzstd::decoding::StreamingDecoder<R, ruzstd::decoding::FrameDecoder>>,
    source: Option<R>,
}

impl<R: BufRead> ZstdFrames<R> {
    pub fn new(source: R) -> ZstdFrames<R> {
        ZstdFrames {
            frame: None,
            source: Some(source),
        }
    }
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if let Some(frame) = &mut self.frame {
                let n = frame.read(buf)?;
                if n > 0 || buf.is_empty() {
                    return Ok(n);
                }
                self.source = self.frame.take().map(|f| f.into_inner());
            }
            let Some(mut source) = self.source.take() else {
                return Ok(0);
            };
            if source.fill_buf()?.is_empty() {
                return Ok(0);
            }
            let frame = ruzstd::decoding::StreamingDecoder::new(source)
                .map_err(|e| std::io::Error::other(format!("zstd: {e}")))?;
            self.frame = Some(frame);
        }
    }
}

const FIX: &str = "raise it in .leakgate.toml or remove the file";

/// Hands one expanded entry to `each`, then opens it if it is an archive.
fn visit(
    place: &str,
    inner: &str,
    data: &[u8],
    budget: &mut Budget,
    each: &mut dyn FnMut(&Entry, &mut Summary),
) -> Result<(), Stop> {
    let nested = kind(data);
    budget.summary.archive_entries += 1;
    each(
        &Entry {
            place,
            inner,
            bytes: data,
            archive: nested.is_some(),
        },
        budget.summary,
    );
    match nested {
        Some(k) => open(data, k, place, budget, each),
        None => Ok(()),
    }
}

impl Budget<'_> {
    /// One more entry, if the limit allows.
    fn entry(&mut self, archive: &str) -> Result<(), Stop> {
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(Stop::Limit(format!(
                "{archive}: holds more than {} entries (the [scan.archives] max_entries limit); {FIX}",
                self.limits.max_entries
            )));
        }
        Ok(())
    }

    fn too_large(&self, place: &str) -> Stop {
        Stop::Limit(format!(
            "{place}: expands past {} (the [scan.archives] max_expanded limit); {FIX}",
            size(self.limits.max_expanded)
        ))
    }

    fn too_compressed(&self, place: &str) -> Stop {
        Stop::Limit(format!(
            "{place}: expands more than {}:1 (the [scan.archives] max_ratio limit); {FIX}",
            self.limits.max_ratio
        ))
    }

    /// Reads one entry whole, counting its bytes against the budget and its
    /// ratio to `compressed` while reading: a bomb stops one chunk past the
    /// limit.
    fn read(&mut self, mut from: impl Read, compressed: u64, place: &str) -> Result<Vec<u8>, Stop> {
        let mut out = Vec::new();
        let mut chunk = vec![0u8; 64 * 1024];
        loop {
            let n = match from.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(stop_of(e)),
            };
            self.expanded += n as u64;
            if self.expanded > self.limits.max_expanded {
                return Err(self.too_large(place));
            }
            out.extend_from_slice(&chunk[..n]);
            let len = out.len() as u64;
            if len > RATIO_FLOOR && len > self.limits.max_ratio.saturating_mul(compressed.max(1)) {
                return Err(self.too_compressed(place));
            }
        }
        Ok(out)
    }
}

/// A limit met inside a decompressing stream travels as an I/O error.
#[derive(Debug)]
struct LimitError(String);

impl std::fmt::Display for LimitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LimitError {}

fn stop_of(e: io::Error) -> Stop {
    match e.get_ref().and_then(|i| i.downcast_ref::<LimitError>()) {
        Some(LimitError(msg)) => Stop::Limit(msg.clone()),
        None => Stop::Skip(SkipReason::CorruptArchive),
    }
}

/// A decompressing stream held to the ratio and to the expanded-bytes
/// limit while it is read (its entries are counted again as they are read).
struct Meter<R> {
    inner: R,
    read: u64,
    compressed: u64,
    limits: Limits,
    place: String,
}

impl<R: Read> Read for Meter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        let l = &self.limits;
        if self.read > l.max_expanded {
            return Err(io::Error::other(LimitError(format!(
                "{}: expands past {} (the [scan.archives] max_expanded limit); {FIX}",
                self.place,
                size(l.max_expanded)
            ))));
        }
        if self.read > RATIO_FLOOR && self.read > l.max_ratio.saturating_mul(self.compressed.max(1))
        {
            return Err(io::Error::other(LimitError(format!(
                "{}: expands more than {}:1 (the [scan.archives] max_ratio limit); {FIX}",
                self.place, l.max_ratio
            ))));
        }
        Ok(n)
    }
}

/// A compressed stream: a tar inside (a tar.gz or tar.zst, one level), or
/// one file named `name`.
fn stream(
    decoder: impl Read,
    compressed: u64,
    place: &str,
    name: &str,
    budget: &mut Budget,
    each: &mut dyn FnMut(&Entry, &mut Summary),
) -> Result<(), Stop> {
    let mut meter = Meter {
        inner: decoder,
        read: 0,
        compressed,
        limits: budget.limits,
        place: place.to_string(),
    };
    let mut head = Vec::with_capacity(512);
    (&mut meter)
        .take(512)
        .read_to_end(&mut head)
        .map_err(stop_of)?;
    let tar = is_tar(&head);
    let rest = Cursor::new(head).chain(meter);
    if tar {
        return tar_stream(rest, place, budget, each);
    }
    budget.entry(place)?;
    let inner_place = format!("{place}!{name}");
    let data = budget.read(rest, compressed, &inner_place)?;
    visit(&inner_place, name, &data, budget, each)
}

fn tar_entries(
    bytes: &[u8],
    place: &str,
    budget: &mut Budget,
    each: &mut dyn FnMut(&Entry, &mut Summary),
) -> Result<(), Stop> {
    tar_stream(Cursor::new(bytes), place, budget, each)
}

/// Every regular file of a tar stream.
fn tar_stream(
    from: impl Read,
    place: &str,
    budget: &mut Budget,
    each: &mut dyn FnMut(&Entry, &mut Summary),
) -> Result<(), Stop> {
    let mut archive = tar::Archive::new(from);
    let entries = archive.entries().map_err(stop_of)?;
    for entry in entries {
        let entry = entry.map_err(stop_of)?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let inner = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        budget.entry(place)?;
        let inner_place = format!("{place}!{inner}");
        let len = entry.size();
        // Not compressed: the ratio of a tar member is 1.
        let data = budget.read(entry, len, &inner_place)?;
        visit(&inner_place, &inner, &data, budget, each)?;
    }
    Ok(())
}

/// Every file of a zip. An encrypted entry, or one in a compression this
/// build does not read, is skipped and counted; the others are read.
fn zip_entries(
    bytes: &[u8],
    place: &str,
    budget: &mut Budget,
    each: &mut dyn FnMut(&Entry, &mut Summary),
) -> Result<(), Stop> {
    use zip::result::ZipError;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| Stop::Skip(SkipReason::CorruptArchive))?;
    for i in 0..archive.len() {
        let name = archive
            .name_for_index(i)
            .and_then(Result::ok)
            .map_or_else(|| format!("entry {i}"), |n| n.into_owned());
        let file = match archive.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                let reason = match e {
                    ZipError::UnsupportedArchive(m) if m == ZipError::PASSWORD_REQUIRED => {
                        SkipReason::Encrypted
                    }
                    ZipError::UnsupportedArchive(_)
                    | ZipError::CompressionMethodNotSupported(_) => SkipReason::UnsupportedArchive,
                    _ => return Err(Stop::Skip(SkipReason::CorruptArchive)),
                };
                budget
                    .summary
                    .skip(&format!("{place}!{name}"), reason, None);
                continue;
            }
        };
        if !file.is_file() {
            continue;
        }
        let inner = name;
        budget.entry(place)?;
        let inner_place = format!("{place}!{inner}");
        let compressed = file.compressed_size();
        let data = match budget.read(file, compressed, &inner_place) {
            Ok(d) => d,
            // A bad checksum or broken deflate stream in one entry.
            Err(Stop::Skip(reason)) => {
                budget.summary.skip(&inner_place, reason, Some(compressed));
                continue;
            }
            Err(limit) => return Err(limit),
        };
        visit(&inner_place, &inner, &data, budget, each)?;
    }
    Ok(())
}

/// The one file inside a plain gzip: the outer name without `.gz`, else the
/// name the gzip header keeps, else the outer name.
fn gzip_name(bytes: &[u8], place: &str) -> String {
    let stripped = strip_suffix(place, &[".gz", ".gzip"]);
    if stripped != last_name(place) {
        return stripped;
    }
    let header = flate2::read::GzDecoder::new(bytes);
    match header.header().and_then(|h| h.filename()) {
        Some(n) if !n.is_empty() => String::from_utf8_lossy(n).into_owned(),
        _ => stripped,
    }
}

/// The last name of a place (`a.zip!lib/x.gz` -> `x.gz`) without the first
/// of `suffixes` it ends with.
fn strip_suffix(place: &str, suffixes: &[&str]) -> String {
    let name = last_name(place);
    for s in suffixes {
        if let Some(stem) = name.strip_suffix(s).filter(|s| !s.is_empty()) {
            return stem.to_string();
        }
    }
    name.to_string()
}

fn last_name(place: &str) -> &str {
    let tail = place.rsplit('!').next().unwrap_or(place);
    tail.rsplit('/').next().unwrap_or(tail)
}

/// `256 MiB`, `64 KiB`, `1000 bytes`: a limit as it was probably written.
fn size(n: u64) -> String {
    for (unit, name) in [(1u64 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")] {
        if n >= unit && n.is_multiple_of(unit) {
            return format!("{} {name}", n / unit);
        }
    }
    format!("{n} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archives_are_known_by_their_bytes() {
        assert_eq!(kind(b"PK\x03\x04rest"), Some(Kind::Zip));
        assert_eq!(kind(&[0x1f, 0x8b, 0x08, 0]), Some(Kind::Gzip));
        assert_eq!(kind(&[0x28, 0xb5, 0x2f, 0xfd, 0]), Some(Kind::Zstd));
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(kind(&tar), Some(Kind::Tar));
        assert_eq!(kind(b"PK not a zip"), None);
        assert_eq!(kind(b"plain text"), None);
    }

    #[test]
    fn names_and_sizes() {
        assert_eq!(strip_suffix("logs/app.env.gz", &[".gz"]), "app.env");
        assert_eq!(strip_suffix("a.zip!x/b.tar.zst", &[".zst"]), "b.tar");
        assert_eq!(strip_suffix("data", &[".gz"]), "data");
        assert_eq!(size(256 << 20), "256 MiB");
        assert_eq!(size(1000), "1000 bytes");
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_limit_while_reading() {
        use std::io::Write as _;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            gz.write_all(&zeros).unwrap();
        }
        let bomb = gz.finish().unwrap();
        let mut summary = Summary::default();
        let mut seen = 0;
        walk(
            &bomb,
            Kind::Gzip,
            "z.gz",
            &Limits::default(),
            &mut summary,
            &mut |_, _| seen += 1,
        );
        assert_eq!(seen, 0, "nothing of a bomb is handed on");
        assert_eq!(summary.limit_breaches.len(), 1);
        assert!(
            summary.limit_breaches[0].starts_with("z.gz: expands more than 100:1"),
            "{:?}",
            summary.limit_breaches
        );
    }

    #[test]
    fn a_zst_of_several_frames_is_read_to_its_end() {
        use ruzstd::encoding::{compress_to_vec, CompressionLevel};
        let mut two = compress_to_vec(&b"first = 1\n"[..], CompressionLevel::Fastest);
        two.extend(compress_to_vec(
            &b"second = 2\n"[..],
            CompressionLevel::Fastest,
        ));
        let mut summary = Summary::default();
        let mut got = Vec::new();
        walk(
            &two,
            Kind::Zstd,
            "app.env.zst",
            &Limits::default(),
            &mut summary,
            &mut |e, _| got.push((e.place.to_string(), e.bytes.to_vec())),
        );
        assert_eq!(
            got,
            [(
                "app.env.zst!app.env".to_string(),
                b"first = 1\nsecond = 2\n".to_vec()
            )]
        );
    }
}

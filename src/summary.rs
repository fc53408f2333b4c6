//! What a scan read and did not read: counts shared by sources (which fill
//! them) and reports (which show them). Nothing is skipped silently.
//!
//! A module of its own, depending on nothing in the crate, so that sources
//! and reports both use it without one depending on the other.

/// Counts of what was and was not read. Nothing is skipped silently.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub commits: usize,
    pub blobs: usize,
    pub bytes: u64,
    pub inline_allowed: usize,
    /// Findings let through by another scanner's inline marker
    /// (`gitleaks:allow`, `pragma: allowlist secret`), counted apart.
    pub foreign_allowed: usize,
    /// Text files over the size limit, scanned in overlapping windows.
    pub windowed: usize,
    /// Binary files, searched (their printable runs) for keys with a fixed
    /// prefix or a checksum.
    pub binary_searched: usize,
    /// New versions of files searched only where they changed (history
    /// scans: see `engine::focus`).
    pub focused: usize,
    pub skipped: Vec<Skipped>,
    /// Archives opened (zip, tar, gzip, zstd; nested ones too) and the
    /// entries in them scanned.
    pub archives: usize,
    pub archive_entries: usize,
    /// Archive limits reached (`[scan.archives]`), each a message naming the
    /// archive and the limit: the scan did not read everything, so the
    /// command fails (exit 2) instead of reporting.
    pub limit_breaches: Vec<String>,
    /// Wall time, for whole-history and folder scans.
    pub elapsed: Option<std::time::Duration>,
    /// The size cap in force, so a report can say what it was.
    pub max_file_size: Option<u64>,
    /// Objects a scan needed and the object store does not have (a partial
    /// clone, a damaged or incomplete copy): the scan is incomplete, so the
    /// command fails (exit 2) unless `--allow-missing`. Each object once.
    pub missing: Vec<Missing>,
    /// The promisor remote when the repository is a partial clone (which
    /// leaves objects out on purpose), for the advice on fetching them.
    pub partial_clone: Option<String>,
    /// Files not read at all because a `[scan] exclude` pattern matches
    /// their path: how many, by pattern (in the order first met).
    pub excluded: Vec<(String, usize)>,
    /// Excludes past their `expires` date that matched files which were
    /// therefore read: pattern, date, how many files.
    pub excludes_lapsed: Vec<(String, String, usize)>,
}

/// An object the scan needed and could not read because the object store
/// does not have it: its id, and where it sits when that is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub object: String,
    /// The file it is at (a blob), when known.
    pub path: Option<String>,
    /// The full id of the commit that needs it, when known.
    pub commit: Option<String>,
}

/// What is not read at all. Binary and oversized files are no longer here:
/// both are searched (see [`Summary::binary_searched`], [`Summary::windowed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    Submodule,
    Symlink,
    /// An archive (or one of its entries) that does not read as one.
    CorruptArchive,
    /// An encrypted archive entry.
    Encrypted,
    /// An archive entry in a compression this build does not read.
    UnsupportedArchive,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Submodule => "submodule",
            SkipReason::Symlink => "symlink",
            SkipReason::CorruptArchive => "corrupt archive",
            SkipReason::Encrypted => "encrypted",
            SkipReason::UnsupportedArchive => "unsupported compression",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Skipped {
    pub path: String,
    pub reason: SkipReason,
    pub size: Option<u64>,
}

impl Summary {
    /// An empty summary of a scan under the size cap `max_size`.
    pub fn with_max_size(max_size: u64) -> Summary {
        Summary {
            max_file_size: Some(max_size),
            ..Summary::default()
        }
    }

    /// Records a missing object; one already recorded keeps its first place.
    pub fn missing(&mut self, object: impl ToString, path: Option<&str>, commit: Option<&str>) {
        let object = object.to_string();
        if self.missing.iter().any(|m| m.object == object) {
            return;
        }
        self.missing.push(Missing {
            object,
            path: path.map(str::to_string),
            commit: commit.map(str::to_string),
        });
    }

    /// Counts `n` files not read because of the exclude `pattern`.
    pub fn exclude(&mut self, pattern: &str, n: usize) {
        match self.excluded.iter_mut().find(|(p, _)| p == pattern) {
            Some((_, count)) => *count += n,
            None => self.excluded.push((pattern.to_string(), n)),
        }
    }

    /// Counts `n` files read although the lapsed exclude `pattern` matches.
    pub fn exclude_lapsed(&mut self, pattern: &str, expires: &str, n: usize) {
        match self
            .excludes_lapsed
            .iter_mut()
            .find(|(p, _, _)| p == pattern)
        {
            Some((_, _, count)) => *count += n,
            None => self
                .excludes_lapsed
                .push((pattern.to_string(), expires.to_string(), n)),
        }
    }

    /// Files no pattern of `[scan] exclude` let the scan read.
    pub fn excluded_files(&self) -> usize {
        self.excluded.iter().map(|(_, n)| n).sum()
    }

    pub fn skip(&mut self, path: &str, reason: SkipReason, size: Option<u64>) {
        self.skipped.push(Skipped {
            path: path.to_string(),
            reason,
            size,
        });
    }

    /// Adds the counts of another scan of the same run.
    pub fn absorb(&mut self, other: Summary) {
        self.commits += other.commits;
        self.blobs += other.blobs;
        self.bytes += other.bytes;
        self.inline_allowed += other.inline_allowed;
        self.foreign_allowed += other.foreign_allowed;
        self.windowed += other.windowed;
        self.binary_searched += other.binary_searched;
        self.focused += other.focused;
        self.skipped.extend(other.skipped);
        self.archives += other.archives;
        self.archive_entries += other.archive_entries;
        self.limit_breaches.extend(other.limit_breaches);
        for m in other.missing {
            self.missing(m.object, m.path.as_deref(), m.commit.as_deref());
        }
        self.partial_clone = self.partial_clone.take().or(other.partial_clone);
        for (p, n) in other.excluded {
            self.exclude(&p, n);
        }
        for (p, d, n) in other.excludes_lapsed {
            self.exclude_lapsed(&p, &d, n);
        }
    }

    /// An error naming every archive limit reached: a scan that could not
    /// read everything fails closed (exit 2) instead of reporting.
    pub fn check_limits(&self) -> anyhow::Result<()> {
        match self.limit_breaches.as_slice() {
            [] => Ok(()),
            [one] => anyhow::bail!("{one}"),
            [first, rest @ ..] => anyhow::bail!(
                "{first} (and {} more archive limit{} reached)",
                rest.len(),
                if rest.len() == 1 { "" } else { "s" }
            ),
        }
    }

    pub fn skipped_count(&self, reason: SkipReason) -> usize {
        self.skipped.iter().filter(|s| s.reason == reason).count()
    }
}

/// A byte count as people read it: `512 B`, `1.5 MiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absorb_adds_counts_and_keeps_every_skip() {
        let mut a = Summary::with_max_size(10);
        a.blobs = 2;
        a.bytes = 5;
        a.skip("x", SkipReason::Symlink, None);
        let mut b = Summary {
            commits: 1,
            blobs: 1,
            bytes: 7,
            windowed: 1,
            binary_searched: 3,
            inline_allowed: 4,
            ..Summary::default()
        };
        b.skip("y", SkipReason::Submodule, None);
        a.absorb(b);
        assert_eq!((a.commits, a.blobs, a.bytes), (1, 3, 12));
        assert_eq!((a.windowed, a.binary_searched, a.inline_allowed), (1, 3, 4));
        assert_eq!(a.skipped_count(SkipReason::Symlink), 1);
        assert_eq!(a.skipped_count(SkipReason::Submodule), 1);
        assert_eq!(a.max_file_size, Some(10), "the cap is the receiver's");
    }

    #[test]
    fn a_missing_object_is_listed_once_at_its_first_place() {
        let mut a = Summary::default();
        a.missing("f719efd4", Some("d/b.txt"), Some("c1"));
        let mut b = Summary::default();
        b.missing("f719efd4", Some("e/b.txt"), Some("c2"));
        b.missing("3db3aa52", None, None);
        a.absorb(b);
        let places: Vec<_> = a
            .missing
            .iter()
            .map(|m| (m.object.as_str(), m.path.as_deref(), m.commit.as_deref()))
            .collect();
        assert_eq!(
            places,
            [
                ("f719efd4", Some("d/b.txt"), Some("c1")),
                ("3db3aa52", None, None)
            ]
        );
    }
}

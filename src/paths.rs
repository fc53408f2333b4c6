//! Path patterns: .gitignore-style globs over repository-relative paths, and
//! the `[scan] exclude` list compiled from them.
//!
//! One compiler for every glob the project writes (`[[allow]] path`,
//! `[scan] exclude`), so the two never disagree on what a pattern means (the
//! syntax is described in the allowlist module and README). A module of its
//! own, depending on nothing in the crate: the catalog carries the exclude
//! list to every source, and the allowlist and the config both compile globs
//! here.

use anyhow::{bail, Result};
use globset::{GlobBuilder, GlobMatcher};

/// A pattern compiled with .gitignore's meaning (the allowlist module
/// documents it).
pub fn compile_path(pattern: &str) -> Result<GlobMatcher> {
    let (body, dir) = match pattern.strip_suffix('/') {
        Some(b) => (b, true),
        None => (pattern, false),
    };
    let (body, anchored) = match body.strip_prefix('/') {
        Some(b) => (b, true),
        None => (body, body.contains('/')),
    };
    if body.is_empty() {
        bail!("an empty pattern matches nothing");
    }
    let mut glob = String::new();
    if !anchored && !body.starts_with("**/") {
        glob.push_str("**/");
    }
    glob.push_str(body);
    if dir {
        glob.push_str("/**");
    }
    Ok(GlobBuilder::new(&glob)
        .literal_separator(true)
        .backslash_escape(true)
        .build()?
        .compile_matcher())
}

/// Whether `glob` names `path`, or an archive that holds it: an entry
/// `vendor/legacy.jar` covers `vendor/legacy.jar!config/app.properties`, as a
/// folder pattern covers its files.
pub fn path_matches(glob: &GlobMatcher, path: &str) -> bool {
    glob.is_match(path)
        || path
            .match_indices('!')
            .any(|(i, _)| glob.is_match(&path[..i]))
}

/// One `[scan] exclude` pattern: files it matches are not read at all.
#[derive(Debug, Clone)]
pub struct Exclude {
    /// As written.
    pub pattern: String,
    pub reason: String,
    /// `YYYY-MM-DD`, when it has an end.
    pub expires: Option<String>,
    /// Past its `expires` day (when the settings were loaded): it no
    /// longer applies, and what it matches is scanned and reported so.
    pub lapsed: bool,
    /// `FILE:LINE` of the pattern, for messages and `allow --list`.
    pub origin: String,
    pub glob: GlobMatcher,
}

/// The `[scan] exclude` patterns in force, in the order the config (its
/// bases first) lists them.
#[derive(Debug, Clone, Default)]
pub struct Excludes {
    pub items: Vec<Exclude>,
}

/// What the exclude list says of one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Excluded {
    /// Not read: the first live pattern that matches.
    Yes(usize),
    /// Read, though a pattern whose date has passed matches it (the first
    /// such one): the report says that exclude lapsed.
    Lapsed(usize),
    No,
}

impl Excludes {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The verdict for `path` (repository-relative, `/`-separated).
    pub fn check(&self, path: &str) -> Excluded {
        let mut lapsed = None;
        for (i, e) in self.items.iter().enumerate() {
            if !e.glob.is_match(path) {
                continue;
            }
            if !e.lapsed {
                return Excluded::Yes(i);
            }
            lapsed.get_or_insert(i);
        }
        lapsed.map_or(Excluded::No, Excluded::Lapsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(pattern: &str, lapsed: bool) -> Exclude {
        Exclude {
            pattern: pattern.into(),
            reason: "r".into(),
            expires: None,
            lapsed,
            origin: "x:1".into(),
            glob: compile_path(pattern).unwrap(),
        }
    }

    #[test]
    fn a_live_pattern_wins_over_a_lapsed_one() {
        let ex = Excludes {
            items: vec![item("vendor/**", true), item("*.js", false)],
        };
        assert_eq!(ex.check("vendor/a.js"), Excluded::Yes(1));
        assert_eq!(ex.check("vendor/a.rs"), Excluded::Lapsed(0));
        assert_eq!(ex.check("src/a.rs"), Excluded::No);
    }
}

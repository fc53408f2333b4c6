//! Words a regex cannot match without: a cheap test before an expensive one.
//!
//! An assignment context finds a value only where its `name` regex matches a
//! name or an enclosing key, so a text that lacks the words every such match
//! spells out (`stream` and `secret` for `stream…secret`) can skip reading
//! assignments for that rule. The rule's own keywords say when any of its
//! contexts may apply (`api-` for a LaunchDarkly key), which says little
//! about names; these words are read from the name regex itself, so they
//! need no upkeep and never drop a finding.
//!
//! Words are lower-case ASCII and are looked for in the ASCII-lower-cased
//! text. Case-insensitive letters count as their letter: the regex is parsed
//! with ASCII case folding, so `(?i)k` is `[Kk]`, not also the Kelvin sign.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Shortest word worth a search: shorter ones are in almost every text.
const MIN_WORD: usize = 3;

/// Sets of words, all of which a match needs one word of (`[["stream"],
/// ["secret"]]`). Empty when nothing is certain (or the regex does not
/// parse, which the rule's own checks report).
pub fn required(regex: &str) -> Vec<Vec<String>> {
    let Ok(hir) = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(regex)
    else {
        return Vec::new();
    };
    let mut sets = all_of(&hir);
    sets.retain(|s| s.iter().all(|w| w.len() >= MIN_WORD));
    for s in &mut sets {
        s.sort();
        s.dedup();
    }
    sets
}

/// The fixed lower-case text `hir` always matches, when it is one.
fn fixed(hir: &Hir) -> Option<String> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(String::new()),
        HirKind::Literal(l) => std::str::from_utf8(&l.0)
            .ok()
            .map(|s| s.to_ascii_lowercase()),
        HirKind::Class(c) => letter(c).map(String::from),
        HirKind::Capture(c) => fixed(&c.sub),
        HirKind::Concat(parts) => parts.iter().map(fixed).collect(),
        HirKind::Repetition(r) if r.min == 1 && r.max == Some(1) => fixed(&r.sub),
        _ => None,
    }
}

/// The letter a class stands for when it is one letter in either case
/// (`[Kk]`), or a single byte.
fn letter(class: &Class) -> Option<char> {
    let bytes: Vec<u8> = match class {
        Class::Bytes(b) => b
            .ranges()
            .iter()
            .flat_map(|r| r.start()..=r.end())
            .take(3)
            .collect(),
        Class::Unicode(u) => u
            .ranges()
            .iter()
            .flat_map(|r| r.start()..=r.end())
            .take(3)
            .map(|c| u8::try_from(u32::from(c)).unwrap_or(0x80))
            .collect(),
    };
    match bytes[..] {
        [b] if b.is_ascii() => Some(char::from(b.to_ascii_lowercase())),
        [a, b] if a.is_ascii_alphabetic() && a.eq_ignore_ascii_case(&b) => {
            Some(char::from(a.to_ascii_lowercase()))
        }
        _ => None,
    }
}

/// Every set of words a match of `hir` needs one of.
fn all_of(hir: &Hir) -> Vec<Vec<String>> {
    if let Some(word) = fixed(hir) {
        return if word.is_empty() {
            Vec::new()
        } else {
            vec![vec![word]]
        };
    }
    match hir.kind() {
        HirKind::Capture(c) => all_of(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => all_of(&r.sub),
        HirKind::Concat(parts) => {
            // Runs of fixed parts are one word (`stream` from six letters);
            // the other parts bring their own sets.
            let mut sets = Vec::new();
            let mut run = String::new();
            for part in parts {
                match fixed(part) {
                    Some(w) => run.push_str(&w),
                    None => {
                        if !run.is_empty() {
                            sets.push(vec![std::mem::take(&mut run)]);
                        }
                        sets.extend(all_of(part));
                    }
                }
            }
            if !run.is_empty() {
                sets.push(vec![run]);
            }
            sets
        }
        HirKind::Alternation(branches) => {
            // One word from each branch's best set; a branch with none
            // leaves nothing certain.
            let mut union = Vec::new();
            for b in branches {
                let best = all_of(b)
                    .into_iter()
                    .filter(|s| s.iter().all(|w| w.len() >= MIN_WORD))
                    .max_by_key(|s| s.iter().map(String::len).min().unwrap_or(0));
                match best {
                    Some(s) => union.extend(s),
                    None => return Vec::new(),
                }
            }
            vec![union]
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::required;

    fn words(re: &str) -> Vec<Vec<&'static str>> {
        required(re)
            .into_iter()
            .map(|s| {
                s.into_iter()
                    .map(|w| &*Box::leak(w.into_boxed_str()))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn fixed_runs_and_alternations_become_words() {
        assert_eq!(words("(?i)message[_\\-.]?bird"), [["message"], ["bird"]]);
        assert_eq!(
            words(
                "(?i)(?:^|[^a-z])(?:get[_.\\-]?)?stream(?:[_.\\-]|api)[A-Za-z0-9_.\\-]*(?:secret$)"
            ),
            [["stream"], ["secret"]]
        );
        assert_eq!(words("(?i)okta|auth0"), [["auth0", "okta"]]);
        assert_eq!(words("BoxDeveloperTokenAuth"), [["boxdevelopertokenauth"]]);
    }

    #[test]
    fn nothing_certain_means_no_words() {
        // A branch with no word of three letters or more.
        assert!(words("(?i)okta|ab").is_empty());
        assert!(words("(?i)[a-z]+_key").iter().all(|s| s == &["_key"]));
        assert!(words("(?i)k|x").is_empty());
        assert!(words("(").is_empty());
    }

    /// The words are a necessary condition: every name the regex matches
    /// holds one word of each set, in any case.
    #[test]
    fn every_match_holds_the_words() {
        let re = "(?i)(?:intuit|quick[_.\\-]?books|(?:^|[^a-z])qbo)[A-Za-z0-9_.\\-]*(?:secret)";
        let sets = required(re);
        assert!(!sets.is_empty());
        let compiled = regex::Regex::new(re).unwrap();
        for name in [
            "INTUIT_CLIENT_SECRET",
            "quickBooksSecret",
            "qbo.secret",
            "QUICK-BOOKS_SECRET",
        ] {
            assert!(compiled.is_match(name), "{name}");
            let lower = name.to_ascii_lowercase();
            for s in &sets {
                assert!(s.iter().any(|w| lower.contains(w.as_str())), "{name} {s:?}");
            }
        }
    }
}

//! The keyword prefilter: which of the catalog's keywords occur in a text.
//!
//! An Aho-Corasick automaton over the catalog's two thousand keywords takes
//! about 2 ms to build, which is most of what a pre-commit hook with a ten
//! file change pays for the prefilter. So short texts are searched first with
//! a table of keywords by their first two bytes (built in microseconds): each
//! position whose two bytes start some keyword compares those keywords there.
//! Once the texts searched that way add up to [`TABLE_BUDGET`] bytes, the
//! automaton is built and takes over. Both find every occurrence of every
//! keyword, ASCII case-insensitively, so which one ran never changes a result.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use anyhow::{Context as _, Result};

/// Bytes searched with the table before the automaton is built. A hook's
/// change is well under it; a folder or history scan soon passes it.
const TABLE_BUDGET: usize = 1 << 20;

pub struct Keywords {
    /// Lower-case, distinct.
    words: Vec<String>,
    /// Keywords by their first two bytes, lower-cased.
    by_pair: HashMap<[u8; 2], Vec<u32>>,
    /// One bit per two-byte pair that starts a keyword.
    pairs: Box<[u64; 1024]>,
    /// Keywords of one byte, by that byte.
    single: [Vec<u32>; 256],
    searched: AtomicUsize,
    automaton: OnceLock<AhoCorasick>,
}

impl Keywords {
    pub fn new(words: Vec<String>) -> Keywords {
        let mut by_pair: HashMap<[u8; 2], Vec<u32>> = HashMap::new();
        let mut pairs = Box::new([0u64; 1024]);
        let mut single: [Vec<u32>; 256] = std::array::from_fn(|_| Vec::new());
        for (i, w) in words.iter().enumerate() {
            let i = u32::try_from(i).expect("fewer than 2^32 keywords");
            match *w.as_bytes() {
                [] => {}
                [b] => single[usize::from(b.to_ascii_lowercase())].push(i),
                [a, b, ..] => {
                    let pair = [a.to_ascii_lowercase(), b.to_ascii_lowercase()];
                    let bit = pair_bit(pair);
                    pairs[bit / 64] |= 1 << (bit % 64);
                    by_pair.entry(pair).or_default().push(i);
                }
            }
        }
        Keywords {
            words,
            by_pair,
            pairs,
            single,
            searched: AtomicUsize::new(0),
            automaton: OnceLock::new(),
        }
    }

    /// Builds the automaton now, as a full DFA: slower to build, faster per
    /// byte (for a scan of a whole history).
    pub fn tune_for_throughput(&mut self) -> Result<()> {
        if !self.words.is_empty() {
            let dfa = build(&self.words, AhoCorasickKind::DFA)?;
            self.automaton = OnceLock::from(dfa);
        }
        Ok(())
    }

    /// Calls `found` with the index of each keyword occurrence in `text` (a
    /// keyword as often as it occurs, in no promised order) until it breaks.
    pub fn each(&self, text: &[u8], mut found: impl FnMut(usize) -> ControlFlow<()>) {
        if self.words.is_empty() {
            return;
        }
        let automaton = match self.automaton.get() {
            Some(a) => Some(a),
            None if self.searched.fetch_add(text.len(), Ordering::Relaxed) + text.len()
                > TABLE_BUDGET =>
            {
                Some(self.automaton.get_or_init(|| {
                    build(&self.words, AhoCorasickKind::ContiguousNFA)
                        .expect("the keywords built a table, so they build an automaton")
                }))
            }
            None => None,
        };
        if let Some(ac) = automaton {
            for m in ac.find_overlapping_iter(text) {
                if found(m.pattern().as_usize()).is_break() {
                    return;
                }
            }
            return;
        }
        for (at, &b) in text.iter().enumerate() {
            let lower = b.to_ascii_lowercase();
            for &i in &self.single[usize::from(lower)] {
                if found(i as usize).is_break() {
                    return;
                }
            }
            let Some(&next) = text.get(at + 1) else {
                break;
            };
            let pair = [lower, next.to_ascii_lowercase()];
            let bit = pair_bit(pair);
            if self.pairs[bit / 64] & (1 << (bit % 64)) == 0 {
                continue;
            }
            for &i in &self.by_pair[&pair] {
                let w = self.words[i as usize].as_bytes();
                if text[at..].len() >= w.len()
                    && text[at..at + w.len()].eq_ignore_ascii_case(w)
                    && found(i as usize).is_break()
                {
                    return;
                }
            }
        }
    }
}

fn pair_bit([a, b]: [u8; 2]) -> usize {
    usize::from(a) << 8 | usize::from(b)
}

fn build(words: &[String], kind: AhoCorasickKind) -> Result<AhoCorasick> {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .kind(Some(kind))
        .build(words)
        .context("building the keyword prefilter")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(k: &Keywords, text: &str) -> Vec<usize> {
        let mut v = Vec::new();
        k.each(text.as_bytes(), |i| {
            v.push(i);
            ControlFlow::Continue(())
        });
        v.sort();
        v
    }

    /// The table and the automaton find the same occurrences, overlapping
    /// and in any case, one-byte keywords included.
    #[test]
    fn the_table_and_the_automaton_agree() {
        let words: Vec<String> = ["secret", "client_secret", "api-", "b2", "|", "sec", "cret"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let table = Keywords::new(words.clone());
        let mut tuned = Keywords::new(words);
        tuned.tune_for_throughput().unwrap();
        for text in [
            "CLIENT_SECRET=x | b2 api-",
            "secretsecret",
            "nothing here",
            "s",
            "",
            "B2|",
            "api",
        ] {
            assert_eq!(found(&table, text), found(&tuned, text), "{text:?}");
        }
        assert_eq!(found(&table, "Client_Secret"), [0, 1, 5, 6]);
    }

    /// Past the budget the automaton takes over, with the same answers.
    #[test]
    fn past_the_budget_the_automaton_is_built() {
        let k = Keywords::new(vec!["token".to_string()]);
        let big = "x".repeat(TABLE_BUDGET) + "TOKEN";
        assert_eq!(found(&k, &big), [0]);
        assert!(k.automaton.get().is_some());
        assert_eq!(found(&k, "a token"), [0]);
    }
}

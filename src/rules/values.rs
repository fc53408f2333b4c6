//! Tests of a found secret's value that a project's allowlist asks for
//! (`[[allow]] value = "regex"`, `[[allow]] stopwords = [...]`).
//!
//! The allowlist never sees a raw secret: findings carry a redaction and a
//! fingerprint only. So the catalog carries these tests to the engine, which
//! runs them at the one moment the raw value is at hand (when it builds a
//! finding) and records on the finding which of them matched ([`ValueHits`]).
//! The allowlist's verdict reads that record; the value itself never leaves
//! the engine.

use regex::Regex;

/// One test: a regex searched in the value, or words any of which the value
/// holds (case-insensitive).
#[derive(Debug, Clone)]
pub enum ValueTest {
    Pattern(Regex),
    /// Lower-case.
    Stopwords(Vec<String>),
}

impl ValueTest {
    pub fn matches(&self, value: &str) -> bool {
        match self {
            ValueTest::Pattern(re) => re.is_match(value),
            ValueTest::Stopwords(words) => {
                let lower = value.to_lowercase();
                words.iter().any(|w| lower.contains(w.as_str()))
            }
        }
    }
}

/// The value tests of one allowlist, numbered as it numbers them, each only
/// for findings of its `rule` when it names one.
#[derive(Debug, Clone, Default)]
pub struct ValueTests {
    /// Which allowlist these are (see [`ValueHits`]).
    pub set: u64,
    pub tests: Vec<(Option<String>, ValueTest)>,
}

impl ValueTests {
    /// Which tests `value`, found by rule `rule_id`, passes.
    pub fn hits(&self, rule_id: &str, value: &str) -> ValueHits {
        let hits = self
            .tests
            .iter()
            .enumerate()
            .filter(|(_, (rule, _))| rule.as_deref().is_none_or(|r| r == rule_id))
            .filter(|(_, (_, t))| t.matches(value))
            .map(|(i, _)| i as u32)
            .collect();
        ValueHits {
            set: self.set,
            hits,
        }
    }
}

/// Which value tests a finding's secret passed, and of which allowlist's
/// tests. A finding built with another allowlist's tests (or none) passes
/// none of this one's: its value entries then allow nothing, and the finding
/// stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValueHits {
    set: u64,
    hits: Vec<u32>,
}

impl ValueHits {
    pub fn passed(&self, set: u64, test: usize) -> bool {
        set != 0 && self.set == set && self.hits.iter().any(|&h| h as usize == test)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_are_per_rule_and_per_allowlist() {
        let tests = ValueTests {
            set: 7,
            tests: vec![
                (None, ValueTest::Stopwords(vec!["example".into()])),
                (
                    Some("r".into()),
                    ValueTest::Pattern(Regex::new("^ab").unwrap()),
                ),
            ],
        };
        let h = tests.hits("r", "abEXAMPLEcd");
        assert!(h.passed(7, 0) && h.passed(7, 1));
        assert!(!h.passed(8, 0), "another allowlist's entry 0");
        let h = tests.hits("q", "abc");
        assert!(!h.passed(7, 0) && !h.passed(7, 1));
    }
}

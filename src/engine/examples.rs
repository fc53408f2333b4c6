//! Rules against their own examples: `leakgate rules check` runs every
//! rule's, and a project's rules run theirs when they are loaded.
//!
//! A rule must find a secret in each of its `match` examples and nothing in
//! each of its `no_match` examples, with no other rule of the catalog weighing
//! in. Examples are templates (see [`crate::rules::testgen`]), expanded with
//! the same seed wherever they run, so both checks see the same tokens.

use anyhow::{bail, Result};

use crate::rules::{testgen, Catalog, ExampleEncoding};

/// One example that did not behave.
#[derive(Debug)]
pub struct Failure {
    pub rule: String,
    /// The example's template, which holds no key (never the expanded text).
    pub example: String,
    /// Where it is in the rule: `examples.match[0]`.
    pub field: String,
    pub problem: String,
}

/// Runs every example of every rule; returns the failures and the number of
/// examples run.
pub fn run(catalog: &Catalog) -> (Vec<Failure>, usize) {
    check(catalog, |_| true)
}

/// A project's rules are checked completely when loaded: the first example
/// that misbehaves is an error naming the file, the rule and the example's
/// index, never its text, which could hold a real key.
pub fn check_project(catalog: &Catalog) -> Result<()> {
    let (failures, _) = check(catalog, |ri| !catalog.is_builtin(ri));
    if let Some(f) = failures.first() {
        let rule = catalog.get(&f.rule).expect("a failure names a rule");
        bail!(
            "{}: rule `{}`, field `{}`: {}",
            rule.origin,
            f.rule,
            f.field,
            f.problem
        );
    }
    Ok(())
}

fn check(catalog: &Catalog, wanted: impl Fn(usize) -> bool) -> (Vec<Failure>, usize) {
    let mut failures = Vec::new();
    let mut count = 0;
    for ri in 0..catalog.rules.len() {
        if !wanted(ri) {
            continue;
        }
        // Only now: a built-in rule is parsed when first looked at.
        let rule = &catalog.rules[ri];
        let cases = rule
            .examples
            .matching
            .iter()
            .enumerate()
            .map(|(k, e)| (e, true, format!("examples.match[{k}]")))
            .chain(
                rule.examples
                    .no_match
                    .iter()
                    .enumerate()
                    .map(|(k, e)| (e, false, format!("examples.no_match[{k}]"))),
            );
        for (n, (template, should_match, field)) in cases.enumerate() {
            count += 1;
            let text = testgen::expand(template, (ri * 1000 + n) as u64);
            let path = rule.examples.path.as_deref();
            let scanned = match rule.examples.encoding {
                ExampleEncoding::Text => {
                    let bytes = text.as_bytes().to_vec();
                    super::scan_at(catalog, text, super::Mode::Text, path, Some(&bytes))
                }
                // A binary file's bytes, read as any file is.
                ExampleEncoding::Hex => {
                    let Some(bytes) = unhex(&text) else {
                        failures.push(Failure {
                            rule: rule.id.clone(),
                            example: template.clone(),
                            field,
                            problem: "not an even number of hex digits once expanded".into(),
                        });
                        continue;
                    };
                    let read = super::blob::read(&bytes);
                    let (text, mode) = (read.text.into_owned(), read.mode);
                    super::scan_at(catalog, text, mode, path, Some(&bytes))
                }
            };
            let hits = scanned.matches.iter().filter(|m| m.rule == ri).count();
            let problem = match (should_match, hits) {
                (true, 0) => "expected a match, found none".to_string(),
                (true, 1) | (false, 0) => continue,
                (true, k) => format!("expected one match, found {k}"),
                (false, k) => format!("expected no match, found {k}"),
            };
            failures.push(Failure {
                rule: rule.id.clone(),
                example: template.clone(),
                field,
                problem,
            });
        }
    }
    (failures, count)
}

/// The bytes a hex example stands for (white space between digits is
/// ignored, for examples laid out in groups).
fn unhex(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| (b as char).to_digit(16).map(|d| d as u8))
        .collect::<Option<_>>()?;
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    Some(digits.chunks(2).map(|p| p[0] << 4 | p[1]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_rule_passes_its_examples() {
        let catalog = Catalog::builtin().unwrap();
        let (failures, count) = run(&catalog);
        assert!(count > 50, "only {count} examples");
        let listing: Vec<String> = failures
            .iter()
            .map(|f| format!("{}: {:?}: {}", f.rule, f.example, f.problem))
            .collect();
        assert!(failures.is_empty(), "{}", listing.join("\n"));
    }

    #[test]
    fn every_builtin_regex_compiles_and_has_a_secret_group() {
        let catalog = Catalog::builtin().unwrap();
        // The path set too (every `path` regex, as history scans build it):
        // a built-in rule knows config/master.key by its name alone.
        assert!(catalog.knows_paths());
        assert!(!catalog.path_candidates("app/config/master.key").is_empty());
        assert!(catalog
            .path_candidates("app/config/master.key.txt")
            .is_empty());
        for rule in &catalog.rules {
            rule.secret_whole.get();
            for c in &rule.contexts {
                match &c.kind {
                    crate::rules::ContextKind::Pattern { pattern } => {
                        let re = pattern.get();
                        assert!(
                            re.capture_names().any(|n| n == Some("secret")),
                            "{}",
                            rule.id
                        );
                    }
                    crate::rules::ContextKind::Assignment { name } => {
                        name.get();
                    }
                    crate::rules::ContextKind::File { magic } => {
                        if let Some(m) = magic {
                            m.get();
                        }
                    }
                }
                if let Some(f) = &c.file {
                    f.get();
                }
                if let Some(p) = &c.path {
                    p.get();
                }
            }
        }
    }
}

//! `leakgate rules check`: every rule against its own examples.
//!
//! A rule must find a secret in each of its `match` examples and nothing in
//! each of its `no_match` examples, with no other rule of the catalog weighing
//! in. Examples are templates (see [`crate::rules::testgen`]).

use crate::engine;
use crate::rules::{testgen, Catalog};

/// One example that did not behave.
#[derive(Debug)]
pub struct Failure {
    pub rule: String,
    pub example: String,
    pub problem: String,
}

/// Runs every example of every rule; returns the failures and the number of
/// examples run.
pub fn run(catalog: &Catalog) -> (Vec<Failure>, usize) {
    let mut failures = Vec::new();
    let mut count = 0;
    for (ri, rule) in catalog.rules.iter().enumerate() {
        let cases = rule
            .examples
            .matching
            .iter()
            .map(|e| (e, true))
            .chain(rule.examples.no_match.iter().map(|e| (e, false)));
        for (n, (template, should_match)) in cases.enumerate() {
            count += 1;
            let text = testgen::expand(template, (ri * 1000 + n) as u64);
            let scanned = engine::scan(catalog, text.clone());
            let hits = scanned.matches.iter().filter(|m| m.rule == ri).count();
            let problem = match (should_match, hits) {
                (true, 0) => Some("expected a match, found none".to_string()),
                (true, 1) => None,
                (true, k) => Some(format!("expected one match, found {k}")),
                (false, 0) => None,
                (false, k) => Some(format!("expected no match, found {k}")),
            };
            if let Some(problem) = problem {
                failures.push(Failure {
                    rule: rule.id.clone(),
                    // Examples are generated from templates: show the template,
                    // which holds no key.
                    example: template.clone(),
                    problem,
                });
            }
        }
    }
    (failures, count)
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
                }
                if let Some(f) = &c.file {
                    f.get();
                }
            }
        }
    }
}

//! The module graph that ARCHITECTURE.md draws, checked: the crate's
//! top-level modules depend on each other one way only, and the engine and
//! the rules know nothing of git, terminals, allowlists or reports.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use crate::common::project_root;

/// Top-level module -> the top-level modules its non-test code names
/// (`crate::x`, or `super::x` from a file one level down).
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = project_root().join("src");
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut files = Vec::new();
    collect(&src, &mut files);
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "lib" || top == "main" {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        // Unit tests may reach anywhere; the shipped code may not.
        let code = text.split("#[cfg(test)]").next().unwrap();
        let entry = g.entry(top.clone()).or_default();
        for (i, _) in code.match_indices("crate::") {
            let name: String = code[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !name.is_empty() && name != top {
                entry.insert(name);
            }
        }
    }
    g
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn top_level_modules_form_no_cycle() {
    let g = graph();
    assert!(g.len() > 8, "modules found: {:?}", g.keys());
    // Depth-first search for a back edge.
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if done.contains(n) {
            return;
        }
        if let Some(at) = stack.iter().position(|s| s == n) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(n.to_string());
            panic!("module cycle: {}", cycle.join(" -> "));
        }
        stack.push(n.to_string());
        for m in g.get(n).into_iter().flatten() {
            visit(m, g, stack, done);
        }
        stack.pop();
        done.insert(n.to_string());
    }
    let mut done = BTreeSet::new();
    for n in g.keys() {
        visit(n, &g, &mut Vec::new(), &mut done);
    }
}

#[test]
fn the_engine_and_the_rules_know_nothing_of_git_terminals_allowlists_or_reports() {
    let g = graph();
    for module in ["engine", "rules"] {
        let deps = &g[module];
        for banned in [
            "sources", "report", "allow", "commands", "context", "output", "cli",
        ] {
            assert!(
                !deps.contains(banned),
                "{module} depends on {banned}: {deps:?}"
            );
        }
    }
    let mut files = Vec::new();
    collect(&project_root().join("src/engine"), &mut files);
    collect(&project_root().join("src/rules"), &mut files);
    for f in files {
        let text = fs::read_to_string(&f).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        for banned in ["git2::", "colored::", "std::io::stdout", "std::io::stderr"] {
            assert!(!code.contains(banned), "{} uses {banned}", f.display());
        }
    }
}

#[test]
fn sources_do_not_depend_on_reports() {
    let g = graph();
    assert!(!g["sources"].contains("report"), "{:?}", g["sources"]);
    assert!(!g["report"].contains("sources"), "{:?}", g["report"]);
}

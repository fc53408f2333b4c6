//! `leakgate rules eval <corpus>`: precision and recall of the catalog on a
//! labelled corpus (see `bench/corpus.py`, which generates one).
//!
//! A case is one file. A secret case names the provider and the line of the
//! secret: a blocking finding of that provider on that line is a true positive
//! (counted once); its absence is a false negative. Every other blocking
//! finding, in any case, is a false positive for the provider that made it.
//! Warnings (non-blocking rules) are counted apart.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::{anyhow, Context as _, Result};
use serde::Deserialize;

use crate::engine;
use crate::rules::Catalog;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    file: String,
    provider: Option<String>,
    line: Option<usize>,
}

#[derive(Default, Clone, Copy)]
pub struct Counts {
    pub cases: usize,
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }

    pub fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
}

pub struct Evaluation {
    pub by_provider: BTreeMap<String, Counts>,
    pub overall: Counts,
    pub decoys: usize,
    pub decoys_flagged: usize,
    pub warnings: usize,
    /// Decoys on which a non-blocking rule warned.
    pub decoys_warned: usize,
    /// Cases that went wrong, for the report: (file, what happened).
    pub misses: Vec<(String, String)>,
}

pub fn run(catalog: &Catalog, dir: &Path) -> Result<Evaluation> {
    let manifest = dir.join("manifest.jsonl");
    let text =
        fs::read_to_string(&manifest).with_context(|| format!("reading {}", manifest.display()))?;
    let mut ev = Evaluation {
        by_provider: BTreeMap::new(),
        overall: Counts::default(),
        decoys: 0,
        decoys_flagged: 0,
        warnings: 0,
        decoys_warned: 0,
        misses: Vec::new(),
    };
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: Case = serde_json::from_str(line)
            .map_err(|e| anyhow!("{}:{}: {e}", manifest.display(), n + 1))?;
        let body = fs::read(dir.join(&case.file))
            .with_context(|| format!("reading case {}", case.file))?;
        // Read as any file is (a keystore case is binary), at its path:
        // rules that know a tool's file by name see it.
        let read = engine::blob::read(&body);
        let (text, mode) = (read.text.into_owned(), read.mode);
        let scanned = engine::scan_at(catalog, text, mode, Some(&case.file), Some(&body));
        let mut found_expected = false;
        let mut flagged = false;
        let mut warned = false;
        for m in &scanned.matches {
            let rule = &catalog.rules[m.rule];
            if !rule.block {
                ev.warnings += 1;
                warned = true;
                continue;
            }
            let line_no = scanned.lines.line_of(m.span.start);
            let expected = case
                .provider
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case(&rule.provider))
                && case.line == Some(line_no);
            if expected && !found_expected {
                found_expected = true;
                continue;
            }
            flagged = true;
            ev.by_provider.entry(rule.provider.clone()).or_default().fp += 1;
            ev.misses.push((
                case.file.clone(),
                format!("false positive: {} at line {line_no}", rule.id),
            ));
        }
        match &case.provider {
            Some(p) => {
                let c = ev.by_provider.entry(p.clone()).or_default();
                c.cases += 1;
                if found_expected {
                    c.tp += 1;
                } else {
                    c.fn_ += 1;
                    ev.misses.push((
                        case.file.clone(),
                        format!("missed: {p} at line {}", case.line.unwrap_or(0)),
                    ));
                }
            }
            None => {
                ev.decoys += 1;
                ev.decoys_flagged += usize::from(flagged);
                ev.decoys_warned += usize::from(warned);
            }
        }
    }
    for c in ev.by_provider.values() {
        ev.overall.cases += c.cases;
        ev.overall.tp += c.tp;
        ev.overall.fp += c.fp;
        ev.overall.fn_ += c.fn_;
    }
    Ok(ev)
}

pub fn render(ev: &Evaluation) -> String {
    let mut out = format!(
        "{:<22} {:>6} {:>5} {:>4} {:>4} {:>10} {:>7}\n",
        "provider", "cases", "TP", "FP", "FN", "precision", "recall"
    );
    let row = |out: &mut String, name: &str, c: &Counts| {
        let _ = writeln!(
            out,
            "{:<22} {:>6} {:>5} {:>4} {:>4} {:>10.3} {:>7.3}",
            name,
            c.cases,
            c.tp,
            c.fp,
            c.fn_,
            c.precision(),
            c.recall()
        );
    };
    for (p, c) in &ev.by_provider {
        row(&mut out, p, c);
    }
    row(&mut out, "overall", &ev.overall);
    let _ = writeln!(
        out,
        "decoys: {} files, {} with a blocking finding, {} with a warning; {} warnings in all cases (non-blocking rules)",
        ev.decoys, ev.decoys_flagged, ev.decoys_warned, ev.warnings
    );
    for (file, what) in &ev.misses {
        let _ = writeln!(out, "  {file}: {what}");
    }
    out
}

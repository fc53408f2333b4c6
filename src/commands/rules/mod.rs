//! `leakgate rules list | check | eval`: the catalog in force here (built-in
//! rules and the project's own), each rule against its own examples, and the
//! whole catalog against a labelled corpus.

pub mod eval;

use anyhow::Result;

use crate::cli::{ColorChoice, Format, ListFormat, RulesCommand};
use crate::context::Context;
use crate::engine::examples;
use crate::output::{Exit, Output};
use crate::rules::Catalog;

pub fn run(command: RulesCommand) -> Result<Exit> {
    let ctx = Context::discover(None)?;
    let catalog = &ctx.settings.catalog;
    // Every subcommand reads every rule: a broken one is an error here, not
    // a panic half-way through.
    catalog.load_all()?;
    let out = Output::stdout(Format::Human, ColorChoice::Never);
    match command {
        RulesCommand::List { format } => {
            out.text(&match format {
                ListFormat::Human => list(catalog),
                ListFormat::Json => list_json(catalog),
            })?;
            Ok(Exit::Clean)
        }
        RulesCommand::Check => {
            let (failures, count) = examples::run(catalog);
            let mut text = String::new();
            for f in &failures {
                text.push_str(&format!(
                    "FAIL {}: {}: {:?}\n",
                    f.rule, f.problem, f.example
                ));
            }
            text.push_str(&format!(
                "{} rules, {} examples: {} passed, {} failed\n",
                catalog.rules.len(),
                count,
                count - failures.len(),
                failures.len()
            ));
            out.text(&text)?;
            Ok(if failures.is_empty() {
                Exit::Clean
            } else {
                Exit::Found
            })
        }
        RulesCommand::Eval {
            corpus,
            min_precision,
            min_recall,
        } => {
            let ev = eval::run(catalog, &corpus)?;
            out.text(&eval::render(&ev))?;
            let ok = ev.overall.precision() >= min_precision && ev.overall.recall() >= min_recall;
            Ok(if ok { Exit::Clean } else { Exit::Found })
        }
    }
}

/// One line per rule: id, provider, severity, whether it blocks, whether
/// `--verify` checks it.
fn list(catalog: &Catalog) -> String {
    let width = |f: fn(&crate::rules::Rule) -> usize, min: usize| {
        catalog.rules.iter().map(f).max().unwrap_or(min).max(min)
    };
    let idw = width(|r| r.id.len(), 2);
    let pw = width(|r| r.provider.len(), 8);
    let mut out = format!(
        "{:<idw$}  {:<pw$}  {:<8}  blocks  verifiable\n",
        "ID", "PROVIDER", "SEVERITY"
    );
    for r in &catalog.rules {
        out.push_str(&format!(
            "{:<idw$}  {:<pw$}  {:<8}  {:<6}  {}\n",
            r.id,
            r.provider,
            r.severity.to_string(),
            if r.block { "yes" } else { "no" },
            if r.verify.is_some() { "yes" } else { "no" }
        ));
    }
    out.push_str(&format!("{} rules\n", catalog.rules.len()));
    out
}

/// `rules list --format json`: every rule, with whether `--verify` can
/// check its keys and, if so, at which host.
fn list_json(catalog: &Catalog) -> String {
    let rules: Vec<serde_json::Value> = catalog
        .rules
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.id,
                "provider": r.provider,
                "name": r.name,
                "severity": r.severity,
                "blocks": r.block,
                "verifiable": r.verify.is_some(),
                "verify_host": r.verify.as_ref().map(|v| crate::verify::host_of(&v.url)),
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&rules).expect("plain values serialize");
    out.push('\n');
    out
}

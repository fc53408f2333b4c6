//! `leakgate ci`: the commits a CI run brings, found from the CI's own
//! environment ([`crate::ci`]), scanned like a history range, under the
//! policy committed on the target branch.

use std::fmt::Write as _;
use std::io::Write as _;

use anyhow::{Context as _, Result};

use crate::allow::Day;
use crate::ci::{self, Ci, Detected, Plan};
use crate::cli::{CiArgs, ColorChoice, Format};
use crate::context::{Context, Settings};
use crate::output::{Exit, Output};
use crate::report::{self, Report, Scope};
use crate::sources::exposure;
use crate::sources::history::{self, Walk};
use crate::summary::Summary;

pub fn run(args: &CiArgs, color: ColorChoice) -> Result<Exit> {
    // An --output path that cannot be written fails before anything is read.
    let mut out =
        Output::stdout(args.common.format, color).with_file(args.common.output.as_deref())?;
    let opts = ci::Options {
        base: args.base.clone(),
        since: args.since.clone(),
    };
    let detected = ci::detect(&|k| std::env::var(k).ok(), &opts)?;
    let repo = Context::open_repository()?;
    let plan = ci::resolve(&repo, &detected)?;
    if detected.ci == Ci::GitLab {
        out = out.in_log_section("leakgate");
    }
    if args.explain_range {
        out.text(&explain(&detected, &plan))?;
        return Ok(Exit::Clean);
    }
    let mut settings = match plan.policy {
        Some(id) => Settings::at_commit(&repo, &repo.find_commit(id)?)
            .context("reading the target branch's policy")?,
        None => Settings::defaults()?,
    };
    settings.override_max_file_size(args.common.max_file_size.as_deref())?;
    // `--verify`, or `verify = true` in the policy the run is judged by
    // (the target branch's, never the change's).
    if args.verify || settings.config.verify {
        crate::verify::arm();
    }
    settings.catalog.tune_for_throughput()?;
    let what = format!("{}: {}", detected.event, plan.what);
    let (findings, mut summary, notices) = if plan.revs.is_empty() {
        (Vec::new(), Summary::default(), Vec::new())
    } else {
        let progress = history::progress_wanted(args.quiet) && !out.is_json();
        let outcome = history::scan(
            &history::git_dir(&repo),
            &settings.catalog,
            settings.config.max_file_size,
            settings.config.archives,
            &Walk::Revs(plan.revs.clone()),
            progress,
        )?;
        let mut summary = outcome.summary;
        summary.elapsed = Some(outcome.elapsed);
        (outcome.findings, summary, outcome.notices)
    };
    summary.commits = summary.commits.max(plan.commits);
    let mut report = Report::new(
        Scope::Ci {
            what,
            base: plan.base.map(|b| b.to_string()),
        },
        findings,
        &settings.allow,
        Day::today(),
        summary,
    );
    report.notices.extend(notices);
    report.allow_missing = args.allow_missing;
    // A pipeline runs on pushed commits, whatever refs its clone has.
    let active = report.active.iter_mut().map(|a| &mut a.finding);
    report
        .notices
        .extend(exposure::annotate(&repo, active, true));
    report.notices.push(format!(
        "{} ({}): {}; policy: {}",
        detected.ci, detected.event, detected.why, plan.policy_why
    ));
    if detected.ci == Ci::GitHub {
        github_extras(&report, &settings, &out)?;
    }
    out.report(&report, &settings.catalog)
}

/// In GitHub Actions: an annotation per finding on the pull request's files
/// (workflow commands, read from the log: only where the log is not a
/// machine format), and the findings as a table in the job's summary page.
fn github_extras(report: &Report, settings: &Settings, out: &Output) -> Result<()> {
    if out.format == Format::Human || out.writes_file() {
        out.text(&report::github::annotations(report))?;
    }
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        let summary = report::github::step_summary(report, &settings.catalog);
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(summary.as_bytes()))
            .with_context(|| {
                format!(
                    "appending the summary to GITHUB_STEP_SUMMARY={}",
                    std::path::Path::new(&path).display()
                )
            })?;
    }
    Ok(())
}

/// `--explain-range`: what was detected and what would be scanned.
fn explain(d: &Detected, plan: &Plan) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "CI:      {}", d.ci);
    let _ = writeln!(s, "trigger: {}", d.event);
    let _ = writeln!(
        s,
        "scans:   {} ({} commit{})",
        plan.what,
        plan.commits,
        if plan.commits == 1 { "" } else { "s" }
    );
    if !plan.revs.is_empty() {
        let _ = writeln!(s, "         git log {}", plan.revs.join(" "));
    }
    let _ = writeln!(s, "why:     {}", d.why);
    let _ = writeln!(s, "policy:  {}", plan.policy_why);
    if let Some(path) = crate::config::override_path() {
        let _ = writeln!(
            s,
            "config:  {} (--config / LEAKGATE_CONFIG, instead of the committed .leakgate.toml)",
            path.display()
        );
    }
    s
}

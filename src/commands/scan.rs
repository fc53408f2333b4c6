//! `leakgate scan`: the staged change, history (all refs or revisions),
//! files and folders as they are now, or standard input.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use git2::Repository;

use crate::allow::Day;
use crate::cli::{ColorChoice, ScanArgs};
use crate::context::Context;
use crate::output::{Exit, Output};
use crate::report::{Report, Scope};
use crate::sources::files;
use crate::sources::history::{self, Walk};

pub fn run(args: &ScanArgs, color: ColorChoice) -> Result<Exit> {
    // An --output path that cannot be written fails before any scanning.
    let out = Output::stdout(args.common.format, color).with_file(args.common.output.as_deref())?;
    let max_size = args.common.max_file_size.as_deref();
    if args.staged {
        return super::hook::staged(max_size, out);
    }
    if args.all {
        return history_scan(Walk::All, "all refs".into(), args, out);
    }
    if args.targets.is_empty() {
        bail!("say what to scan: --staged, --all, a revision range (main..feature), files or folders, or - for stdin");
    }
    if args.targets.iter().any(|t| t == "-") {
        if args.targets.len() > 1 {
            bail!("`-` (stdin) cannot be combined with other targets");
        }
        let ctx = Context::discover(max_size)?;
        let s = &ctx.settings;
        let (findings, summary) = files::scan_stdin(&s.catalog, s.config.max_file_size)?;
        let report = Report::new(Scope::Stdin, findings, &s.allow, Day::today(), summary);
        return out.report(&report, &s.catalog);
    }
    // Like git: an existing path is a path, anything else a revision.
    let (paths, revs): (Vec<&String>, Vec<&String>) = args
        .targets
        .iter()
        .partition(|t| Path::new(t.as_str()).exists());
    if !paths.is_empty() && !revs.is_empty() {
        bail!(
            "{:?} is not a file or folder here, and files cannot be mixed with revisions in one scan",
            revs[0]
        );
    }
    if paths.is_empty() {
        check_revisions(&args.targets)?;
        let what = args.targets.join(" ");
        return history_scan(Walk::Revs(args.targets.clone()), what, args, out);
    }
    let mut ctx = Context::discover(max_size)?;
    let s = &mut ctx.settings;
    s.catalog.tune_for_throughput()?;
    let started = std::time::Instant::now();
    let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    let (findings, mut summary) = files::scan(&paths, &s.catalog, s.config.max_file_size)?;
    summary.elapsed = Some(started.elapsed());
    let mut report = Report::new(Scope::Files, findings, &s.allow, Day::today(), summary);
    report.notices.push(
        "this scanned files as they are now, not history; `leakgate scan --all` scans every commit"
            .into(),
    );
    out.report(&report, &s.catalog)
}

/// A mistyped path would otherwise surface as git's "bad revision".
fn check_revisions(targets: &[String]) -> Result<()> {
    let Ok(repo) = Repository::open_from_env() else {
        bail!(
            "{:?} is not a file or folder here (and this is not a git repository, so it cannot be a revision)",
            targets[0]
        );
    };
    for t in targets.iter().filter(|t| !t.starts_with('-')) {
        if repo.revparse(t).is_err() {
            bail!(
                "{t:?} is neither a file or folder here nor a revision (a branch, tag, commit, or a range such as main..feature)"
            );
        }
    }
    Ok(())
}

fn history_scan(walk: Walk, what: String, args: &ScanArgs, out: Output) -> Result<Exit> {
    let mut ctx = Context::repository(args.common.max_file_size.as_deref())?;
    let repo = ctx.repo()?;
    let git_dir = history::git_dir(repo);
    let s = &mut ctx.settings;
    s.catalog.tune_for_throughput()?;
    let progress = history::progress_wanted(args.quiet) && !out.is_json();
    let outcome = history::scan(
        &git_dir,
        &s.catalog,
        s.config.max_file_size,
        &walk,
        progress,
    )?;
    let mut summary = outcome.summary;
    summary.elapsed = Some(outcome.elapsed);
    let mut report = Report::new(
        Scope::History { what },
        outcome.findings,
        &s.allow,
        Day::today(),
        summary,
    );
    report.notices.extend(outcome.notices);
    out.report(&report, &s.catalog)
}

//! `leakgate scan`: the staged change, history (all refs or revisions, here
//! or of a remote), files and folders as they are now, or standard input.

mod remote;
mod temp;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use git2::Repository;

use crate::allow::Day;
use crate::cli::{ColorChoice, ScanArgs};
use crate::context::Context;
use crate::output::{Exit, Output};
use crate::report::{Report, Scope};
use crate::sources::exposure;
use crate::sources::files;
use crate::sources::history::{self, Walk};
use crate::sources::image;

pub fn run(args: &ScanArgs, color: ColorChoice) -> Result<Exit> {
    // An --output path that cannot be written fails before any scanning.
    let out = Output::stdout(args.common.format, color).with_file(args.common.output.as_deref())?;
    let max_size = args.common.max_file_size.as_deref();
    // `--verify` before anything is scanned: findings are offered to the
    // verifier as they are built (`verify = true` is armed below, once the
    // settings are read; a --remote repository's own file never arms it).
    if args.verify {
        crate::verify::arm();
    }
    if args.staged {
        return super::hook::staged(max_size, out);
    }
    if let Some(url) = &args.remote {
        return remote_scan(url, args, out);
    }
    if let Some(image) = &args.image {
        return image_scan(image, max_size, args.quiet, out);
    }
    if args.all {
        let ctx = Context::repository(max_size)?;
        arm_by_config(&ctx);
        return history_scan(ctx, Walk::All, "all refs".into(), args, out, Vec::new());
    }
    if args.targets.is_empty() {
        bail!("say what to scan: --staged, --all, a revision range (main..feature), files or folders, or - for stdin");
    }
    if args.targets.iter().any(|t| t == "-") {
        if args.targets.len() > 1 {
            bail!("`-` (stdin) cannot be combined with other targets");
        }
        let ctx = Context::discover(max_size)?;
        arm_by_config(&ctx);
        let s = &ctx.settings;
        let (findings, summary) =
            files::scan_stdin(&s.catalog, s.config.max_file_size, s.config.archives)?;
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
        let Ok(repo) = Repository::open_from_env() else {
            bail!(
                "{:?} is not a file or folder here (and this is not a git repository, so it cannot be a revision)",
                args.targets[0]
            );
        };
        check_revisions(&repo, &args.targets)?;
        let ctx = Context::of_repository(repo, max_size)?;
        arm_by_config(&ctx);
        let what = args.targets.join(" ");
        let walk = Walk::Revs(args.targets.clone());
        return history_scan(ctx, walk, what, args, out, Vec::new());
    }
    let mut ctx = Context::discover(max_size)?;
    arm_by_config(&ctx);
    let s = &mut ctx.settings;
    s.catalog.tune_for_throughput()?;
    let started = std::time::Instant::now();
    let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    let (findings, mut summary) = files::scan(
        &paths,
        ctx.root.as_deref(),
        &s.catalog,
        s.config.max_file_size,
        s.config.archives,
    )?;
    summary.elapsed = Some(started.elapsed());
    let mut report = Report::new(Scope::Files, findings, &s.allow, Day::today(), summary);
    report.notices.push(
        "this scanned files as they are now, not history; `leakgate scan --all` scans every commit"
            .into(),
    );
    out.report(&report, &s.catalog)
}

/// `verify = true` in the settings this scan runs under (this checkout's
/// `.leakgate.toml`) turns verification on, like `--verify`.
fn arm_by_config(ctx: &Context) {
    if ctx.settings.config.verify {
        crate::verify::arm();
    }
}

/// A mistyped path would otherwise surface as git's "bad revision".
fn check_revisions(repo: &Repository, targets: &[String]) -> Result<()> {
    for t in targets.iter().filter(|t| !t.starts_with('-')) {
        if repo.revparse(t).is_err() {
            bail!(
                "{t:?} is neither a file or folder here nor a revision (a branch, tag, commit, or a range such as main..feature)"
            );
        }
    }
    Ok(())
}

/// `--remote URL`: a mirror clone in a temporary directory, scanned like a
/// bare repository (settings from its HEAD), deleted when this returns.
fn remote_scan(url: &str, args: &ScanArgs, out: Output) -> Result<Exit> {
    let shown = remote::display_url(url);
    let mirror = remote::clone(url)?;
    let repo = Repository::open_bare(&mirror.git_dir)
        .map_err(|e| anyhow::anyhow!("opening the mirror of {shown}: {}", e.message()))?;
    let (walk, what) = if args.targets.is_empty() {
        (Walk::All, format!("all refs of {shown}"))
    } else {
        if let Some(t) = args.targets.iter().find(|t| t.as_str() == "-") {
            bail!("{t:?}: with --remote, targets are revisions of the remote repository");
        }
        for t in args.targets.iter().filter(|t| !t.starts_with('-')) {
            if repo.revparse(t).is_err() {
                bail!("{t:?} is not a revision of {shown} (a branch, tag, commit, or a range such as main..feature)");
            }
        }
        let what = format!("{} of {shown}", args.targets.join(" "));
        (Walk::Revs(args.targets.clone()), what)
    };
    let ctx = Context::bare(repo, args.common.max_file_size.as_deref())
        .with_context(|| format!("the settings at HEAD of {shown}"))?;
    // The report's advice (`leakgate allow`, `baseline`) is for a checkout.
    let notice = format!(
        "this scanned a temporary mirror of {shown}, deleted afterwards; run `leakgate allow` or `leakgate baseline` in a clone of it"
    );
    history_scan(ctx, walk, what, args, out, vec![notice])
}

fn history_scan(
    mut ctx: Context,
    walk: Walk,
    what: String,
    args: &ScanArgs,
    out: Output,
    notices: Vec<String>,
) -> Result<Exit> {
    ctx.settings.catalog.tune_for_throughput()?;
    let repo = ctx.repo()?;
    let git_dir = history::git_dir(repo);
    let s = &ctx.settings;
    let progress = history::progress_wanted(args.quiet) && !out.is_json();
    let versions = if args.whole_versions {
        history::Versions::Whole
    } else {
        history::Versions::Changes
    };
    let outcome = history::scan_with(
        &git_dir,
        &s.catalog,
        s.config.max_file_size,
        s.config.archives,
        &walk,
        progress,
        versions,
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
    report.notices.extend(notices);
    report.allow_missing = args.allow_missing;
    let active = report.active.iter_mut().map(|a| &mut a.finding);
    report
        .notices
        .extend(exposure::annotate(repo, active, false));
    out.report(&report, &s.catalog)
}

/// `--image PATH`: a docker save tarball, an OCI layout or an OCI archive,
/// with the settings of the current directory (no repository needed);
/// `docker:NAME` and `podman:NAME` are saved from that engine first.
fn image_scan(image: &str, max_size: Option<&str>, quiet: bool, out: Output) -> Result<Exit> {
    let saved;
    let path = match image.split_once(':') {
        Some((cli @ ("docker" | "podman"), name)) if !name.is_empty() => {
            saved = save_image(cli, name)?;
            saved.path().join("image.tar")
        }
        _ => PathBuf::from(image),
    };
    let path = path.as_path();
    if !path.exists() {
        bail!("{image}: no such file or folder");
    }
    let mut ctx = Context::discover(max_size)?;
    arm_by_config(&ctx);
    let s = &mut ctx.settings;
    s.catalog.tune_for_throughput()?;
    let started = std::time::Instant::now();
    let label = image.to_string();
    let progress = history::progress_wanted(quiet) && !out.is_json();
    let scan = image::scan(
        path,
        &label,
        &s.catalog,
        s.config.max_file_size,
        s.config.archives,
        progress,
    )?;
    let mut summary = scan.summary;
    summary.elapsed = Some(started.elapsed());
    let mut report = Report::new(
        Scope::Image {
            image: label.clone(),
        },
        scan.findings,
        &s.allow,
        Day::today(),
        summary,
    );
    report.notices.push(format!(
        "this scanned the image {label}: {} layer{}, its config and build history",
        scan.layers,
        if scan.layers == 1 { "" } else { "s" }
    ));
    if scan.duplicates > 0 {
        report.notices.push(format!(
            "{} file{} held the same bytes as one already scanned, and {} read once (a finding there counts them as other places)",
            scan.duplicates,
            if scan.duplicates == 1 { "" } else { "s" },
            if scan.duplicates == 1 { "was" } else { "were" }
        ));
    }
    out.report(&report, &s.catalog)
}

/// `docker save` (or `podman save`) of the image `name` into a private
/// temporary directory, deleted when the scan ends or is interrupted.
fn save_image(cli: &str, name: &str) -> Result<temp::Private> {
    let on_path = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(cli).is_file()));
    if !on_path {
        bail!(
            "{cli}:{name}: `{cli}` is not on PATH; install it, or save the image where it is \
             (`{cli} save -o image.tar {name}`) and run `leakgate scan --image image.tar`"
        );
    }
    let dir = temp::Private::new("leakgate-image-", "the saved image")?;
    let mut cmd = std::process::Command::new(cli);
    cmd.args(["save", "-o"])
        .arg(dir.path().join("image.tar"))
        .arg(name);
    let (status, said) = temp::run(cmd, &format!("{cli} save"))?;
    if !status.success() {
        let said = said.trim();
        bail!(
            "{cli}:{name}: `{cli} save {name}` failed ({status}){}",
            if said.is_empty() {
                String::new()
            } else {
                format!(": {said}")
            }
        );
    }
    Ok(dir)
}

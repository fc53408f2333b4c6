//! `leakgate hook pre-commit | pre-push | pre-receive`: what the hook shims
//! run. A hook reports to the person at the terminal on stderr.

use std::io::{IsTerminal, Read};

use anyhow::{bail, Context as _, Result};
use git2::Repository;

use crate::allow::Day;
use crate::cli::{ColorChoice, CommonArgs, HookCommand};
use crate::context::Context;
use crate::engine::finding::Exposure;
use crate::output::{Exit, Output};
use crate::report::{Report, Scope};
use crate::sources::{exposure, push, staged};

pub fn run(hook: HookCommand, color: ColorChoice) -> Result<Exit> {
    match hook {
        HookCommand::PreCommit { common } => staged(
            common.max_file_size.as_deref(),
            Output::hook(common.format, color).with_file(common.output.as_deref())?,
        ),
        HookCommand::PreReceive { format, output } => {
            // Servers print no colour: git relays it as raw escapes.
            let out = Output::hook(format, ColorChoice::Never).with_file(output.as_deref())?;
            let mut input = String::new();
            std::io::stdin()
                .read_to_string(&mut input)
                .context("reading the pre-receive lines from stdin")?;
            super::receive::run(&input, out)
        }
        HookCommand::PrePush {
            remote,
            url,
            common,
        } => {
            let mut input = String::new();
            // Run by hand or by the pre-commit framework, stdin may be a
            // terminal with nothing to say: don't wait on it.
            if !std::io::stdin().is_terminal() {
                std::io::stdin()
                    .read_to_string(&mut input)
                    .context("reading the pre-push lines from stdin")?;
            }
            let remote = remote
                .or(url)
                .or_else(|| std::env::var("PRE_COMMIT_REMOTE_NAME").ok());
            pre_push(&input, remote, &common, color)
        }
    }
}

/// The staged change: what `git commit` is about to record (the pre-commit
/// hook, and `leakgate scan --staged`).
pub fn staged(max_file_size: Option<&str>, out: Output) -> Result<Exit> {
    let repo = Context::open_repository()?;
    if repo.workdir().is_none() {
        bail!("this repository has no work tree (bare); there is nothing staged to scan");
    }
    // Git lists the staged paths while the settings and rules load.
    let pending = staged::start(&repo)?;
    let ctx = Context::of_repository(repo, max_file_size)?;
    // The pre-commit hook verifies only when the project's settings ask
    // (`verify = true`); `scan --staged --verify` armed it already.
    if ctx.settings.config.verify {
        crate::verify::arm();
    }
    let s = &ctx.settings;
    let (mut findings, summary) = staged::scan(
        ctx.repo()?,
        &s.catalog,
        s.config.max_file_size,
        s.config.archives,
        pending,
    )?;
    let local = std::sync::Arc::new(Exposure::staged());
    for f in &mut findings {
        f.exposure = Some(local.clone());
    }
    let report = Report::new(
        Scope::Staged {
            hook: out.is_hook(),
        },
        findings,
        &s.allow,
        Day::today(),
        summary,
    );
    let exit = out.report(&report, &s.catalog);
    // The process ends next: freeing the catalog (thousands of rules,
    // regexes and strings) one by one is a twentieth of a commit's wait.
    // The operating system takes the memory back at once.
    std::mem::forget(ctx);
    exit
}

fn pre_push(
    input: &str,
    remote: Option<String>,
    common: &CommonArgs,
    color: ColorChoice,
) -> Result<Exit> {
    let out = Output::hook(common.format, color).with_file(common.output.as_deref())?;
    let ctx = Context::repository(common.max_file_size.as_deref())?;
    let repo = ctx.repo()?;
    let s = &ctx.settings;
    let mut notices = Vec::new();
    let mut lines = push::parse_lines(input)?;
    let mut framework_note = None;
    if lines.is_empty() {
        (lines, framework_note) = pre_commit_framework_lines(repo)?;
    }
    // Only what the destination already has is skipped: git passes the
    // remote's name, or its URL when pushing to one directly (then nothing
    // is known to be there but the remote tip of each line).
    let named = remote
        .as_deref()
        .filter(|r| repo.find_remote(r).is_ok())
        .map(str::to_string);
    let sent = push::sent(repo, &lines, &push::Known::Remote(named), &mut notices)?;
    let (findings, summary) = push::scan_sent(
        repo,
        &s.catalog,
        s.config.max_file_size,
        s.config.archives,
        &sent,
    )?;
    if !findings.is_empty() {
        notices.extend(framework_note);
    }
    let remote = remote.map_or_else(|| "the remote".to_string(), |r| without_credentials(&r));
    let tips = sent.tips.iter().map(|t| t.to_string()).collect();
    let mut report = Report::new(
        Scope::Push { remote, tips },
        findings,
        &s.allow,
        Day::today(),
        summary,
    );
    report.notices.extend(notices);
    let active = report.active.iter_mut().map(|a| &mut a.finding);
    report
        .notices
        .extend(exposure::annotate(repo, active, false));
    out.report(&report, &s.catalog)
}

/// A remote as shown in a report: git passes the URL when pushing to one
/// directly, and CI often puts a token in it (`https://x:TOKEN@host/...`).
pub fn without_credentials(remote: &str) -> String {
    if let Some((scheme, rest)) = remote.split_once("://") {
        let host_end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest[..host_end].rfind('@') {
            return format!("{scheme}://***@{}", &rest[at + 1..]);
        }
    }
    remote.to_string()
}

/// The pre-commit framework runs pre-push hooks without git's stdin lines.
/// It passes the range of the first pushed ref only, in PRE_COMMIT_FROM_REF /
/// PRE_COMMIT_TO_REF, and no range at all when the push includes a root
/// commit. So besides that range, every local branch and tag is checked for
/// commits the remote lacks (hidden by the remote's tracking refs): more
/// than the push may send, never less. The second value is the note that
/// says so, for a report with findings.
fn pre_commit_framework_lines(repo: &Repository) -> Result<(Vec<push::PushLine>, Option<String>)> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let framework = [
        "PRE_COMMIT_TO_REF",
        "PRE_COMMIT_REMOTE_NAME",
        "PRE_COMMIT_LOCAL_BRANCH",
    ]
    .iter()
    .any(|k| var(k).is_some());
    if !framework {
        return Ok((Vec::new(), None));
    }
    let resolve = |spec: &str| -> Result<git2::Oid> {
        Ok(repo
            .revparse_single(spec)
            .with_context(|| format!("PRE_COMMIT_*_REF: cannot resolve {spec:?}"))?
            .id())
    };
    let mut lines = Vec::new();
    if let Some(to) = var("PRE_COMMIT_TO_REF") {
        let local = resolve(&to)?;
        let remote = match var("PRE_COMMIT_FROM_REF") {
            Some(from) if from.bytes().any(|b| b != b'0') => resolve(&from)?,
            _ => git2::Oid::ZERO_SHA1,
        };
        lines.push(push::PushLine {
            local_ref: var("PRE_COMMIT_LOCAL_BRANCH").unwrap_or(to),
            local,
            remote_ref: var("PRE_COMMIT_REMOTE_BRANCH").unwrap_or_default(),
            remote,
        });
    }
    for glob in ["refs/heads/*", "refs/tags/*"] {
        for r in repo.references_glob(glob)? {
            let r = r?;
            if let (Ok(name), Some(target)) = (r.name(), r.target()) {
                lines.push(push::PushLine {
                    local_ref: name.to_string(),
                    local: target,
                    remote_ref: String::new(),
                    remote: git2::Oid::ZERO_SHA1,
                });
            }
        }
    }
    let remote = var("PRE_COMMIT_REMOTE_NAME").unwrap_or_else(|| "the remote".into());
    let note = format!(
        "run by the pre-commit framework, which tells a hook only the first pushed ref: every local branch and tag was checked for commits {remote} does not have yet"
    );
    Ok((lines, Some(note)))
}

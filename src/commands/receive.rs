//! `leakgate hook pre-receive`: the server's check of a push.

use std::path::PathBuf;

use anyhow::{anyhow, Context as _, Result};
use git2::Repository;

use crate::allow::{self, Allowlist, Day};
use crate::config::{self, Config};
use crate::context::{files_at, Settings};
use crate::output::{Exit, Output};
use crate::report::{Report, Scope};
use crate::rules::Catalog;
use crate::sources::{exposure, push};
use crate::summary::Summary;

/// Server side: the pushed commits, read inside git's quarantine (the new
/// objects are not in the main object store until every hook accepts them).
///
/// Policy comes from the server, never from the push: `git config
/// leakgate.config` / `leakgate.allowlist` (files on the server) when set,
/// otherwise `.leakgate.toml` and `.leakgate-allow.toml` as they are on the
/// updated ref before this push (for a new ref, on the default branch). So an
/// allowlist entry, a disabled rule or a size limit pushed together with a
/// key never lets that key in, and each ref is judged by its own policy.
pub fn run(input: &str, out: Output) -> Result<Exit> {
    let repo = Repository::open_from_env()
        .map_err(|e| anyhow!("not inside a git repository: {}", e.message()))?;
    if let Some(dir) = std::env::var_os("GIT_OBJECT_DIRECTORY") {
        repo.odb()?
            .add_disk_alternate(&dir.to_string_lossy())
            .context("reading the push's quarantined objects")?;
    }
    let lines = push::parse_receive_lines(input)?;
    let mut combined: Option<Report> = None;
    let mut tips = Vec::new();
    let mut first_catalog = None;
    for line in &lines {
        if line.local.is_zero() {
            continue;
        }
        let policy = server_policy(&repo, line)?;
        let s = policy.settings;
        let mut notices = Vec::new();
        let sent = push::sent(
            &repo,
            std::slice::from_ref(line),
            &policy.known,
            &mut notices,
        )?;
        let (findings, summary) = push::scan_sent(
            &repo,
            &s.catalog,
            s.config.max_file_size,
            s.config.archives,
            &sent,
        )?;
        tips.extend(sent.tips.iter().map(|t| t.to_string()));
        if !findings.is_empty() {
            notices.push(format!("{}: policy from {}", line.local_ref, policy.origin));
        }
        let mut part = Report::new(
            Scope::Receive {
                refs: line.local_ref.clone(),
                tips: Vec::new(),
            },
            findings,
            &s.allow,
            Day::today(),
            summary,
        );
        part.notices.extend(notices);
        match &mut combined {
            None => combined = Some(part),
            Some(all) => all.absorb(part),
        }
        first_catalog.get_or_insert(s.catalog);
    }
    let what = lines
        .iter()
        .filter(|l| !l.local.is_zero())
        .map(|l| l.local_ref.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut report = match combined {
        Some(r) => r,
        None => Report::new(
            Scope::Receive {
                refs: what.clone(),
                tips: Vec::new(),
            },
            Vec::new(),
            &Allowlist::default(),
            Day::today(),
            Summary::default(),
        ),
    };
    report.scope = Scope::Receive { refs: what, tips };
    // Which of this server's branches and tags already hold the commits.
    let active = report.active.iter_mut().map(|a| &mut a.finding);
    report
        .notices
        .extend(exposure::annotate(&repo, active, false));
    let catalog = match first_catalog {
        Some(c) => c,
        None => Catalog::builtin()?,
    };
    out.report(&report, &catalog)
}

/// A server's policy for one pushed ref, where it came from, and which
/// commits count as already judged by it.
struct Policy {
    settings: Settings,
    origin: String,
    known: push::Known,
}

fn server_policy(repo: &Repository, line: &push::PushLine) -> Result<Policy> {
    let settings = repo
        .config()
        .context("reading the repository's git config")?;
    let configured = |key: &str| -> Result<Option<PathBuf>> {
        match settings.get_path(key) {
            Ok(p) => Ok(Some(p)),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(anyhow!("git config {key}: {}", e.message())),
        }
    };
    // The committed settings of the ref as it is before the push: its old
    // tip, or for a new ref the default branch.
    let base = if !line.remote.is_zero() {
        repo.find_commit(line.remote).ok()
    } else {
        repo.head().and_then(|h| h.peel_to_commit()).ok()
    };
    let (committed_config, committed_allow) = match &base {
        Some(c) => files_at(repo, c)?,
        None => (Config::default(), Allowlist::default()),
    };
    let base_name = match &base {
        Some(c) if !line.remote.is_zero() => format!(
            "{} before this push ({})",
            line.local_ref,
            &c.id().to_string()[..10]
        ),
        Some(c) => format!("the default branch ({})", &c.id().to_string()[..10]),
        None => "nowhere (built-in defaults)".to_string(),
    };
    // A file the server's owner named in git config: its text and how
    // messages show it.
    let server_file = |key: &str| -> Result<Option<(String, String)>> {
        let Some(p) = configured(key)? else {
            return Ok(None);
        };
        let text = std::fs::read_to_string(&p)
            .with_context(|| format!("git config {key}: cannot read {}", p.display()))?;
        Ok(Some((text, p.display().to_string())))
    };
    // The owner's: `--config` / LEAKGATE_CONFIG in the hook, then `git
    // config leakgate.config`, then the committed file.
    let (config, config_from) = match (config::overridden()?, configured("leakgate.config")?) {
        (Some(c), _) => (
            c,
            format!(
                "{} (--config)",
                config::override_path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ),
        ),
        (None, Some(p)) => (
            Config::load_file(&p).context("git config leakgate.config")?,
            p.display().to_string(),
        ),
        (None, None) => (
            committed_config,
            format!("{} on {base_name}", config::CONFIG_FILE),
        ),
    };
    let (allow, allow_from) = match server_file("leakgate.allowlist")? {
        Some((text, shown)) => (Allowlist::parse(&text, &shown)?, shown),
        None => (
            committed_allow,
            format!("{} on {base_name}", allow::ALLOW_FILE),
        ),
    };
    // One owner-set policy for every ref: whatever any ref reaches was
    // judged by it. Per-ref committed policies differ, so only the ref's own
    // old tip (hidden by `push::sent`) and the default branch count as
    // judged: fast-forwarding `main` to a branch that allowed a key under
    // its own allowlist is judged again by main's.
    let uniform = (config::override_path().is_some() || configured("leakgate.config")?.is_some())
        && configured("leakgate.allowlist")?.is_some();
    let known = if uniform {
        push::Known::AllRefs
    } else {
        push::Known::Commits(
            repo.head()
                .and_then(|h| h.peel_to_commit())
                .map(|c| vec![c.id()])
                .unwrap_or_default(),
        )
    };
    Ok(Policy {
        settings: Settings::new(config, allow)?,
        origin: format!("{config_from} and {allow_from}"),
        known,
    })
}

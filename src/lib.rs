//! leakgate: stop API keys from leaving a developer's laptop.
//!
//! The flow is sources -> engine -> findings -> allowlist -> reports:
//! [`sources`] turn the staged change or a push into blobs with provenance,
//! [`engine`] finds secrets in text using [`rules`], [`finding`] redacts and
//! fingerprints them, [`allow`] drops what the team allowed, and [`report`]
//! prints. Nothing in this crate writes to the index, the working tree, refs or
//! the object database; the only file it ever writes is the allowlist, and only
//! when asked to by `leakgate allow`.

pub mod allow;
pub mod cli;
pub mod config;
pub mod engine;
pub mod explain;
pub mod finding;
pub mod fingerprint;
pub mod report;
pub mod rules;
pub mod sources;
pub mod summary;

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _, Result};
use git2::Repository;

use allow::{Allowlist, Day};
use cli::{
    AllowArgs, Cli, ColorChoice, Command, CommonArgs, Format, HookCommand, RulesCommand, ScanArgs,
};
use config::Config;
use report::{Report, Scope};
use rules::Catalog;
use sources::history::{self, Walk};
use sources::{push, staged};

/// Exit codes, documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Nothing that blocks.
    Clean = 0,
    /// At least one blocking secret.
    Found = 1,
    /// Bad input, configuration or repository: nothing was decided.
    Error = 2,
}

/// Where a command's report goes: hooks talk to the person at the terminal
/// through stderr (git passes it through); `scan` writes its report to stdout.
#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

pub fn run(cli: Cli) -> Result<Exit> {
    let color = cli.color;
    // libgit2 re-hashes every object it reads (SHA-1 with collision
    // detection); git does not on reads, and leakgate never writes. On a
    // history scan this alone was a tenth of the time.
    git2::opts::strict_hash_verification(false);
    match cli.command {
        Command::Scan(args) => scan_command(&args, color),
        Command::Baseline { reason, quiet } => baseline_command(reason, quiet),
        Command::Hook { hook } => match hook {
            HookCommand::PreCommit { common } => staged_command(&common, Stream::Stderr, color),
            HookCommand::PreReceive => {
                let mut input = String::new();
                std::io::stdin()
                    .read_to_string(&mut input)
                    .context("reading the pre-receive lines from stdin")?;
                receive_command(&input)
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
                push_command(&input, remote, &common, color)
            }
        },
        Command::Allow(args) => allow_command(args),
        Command::Explain { rule } => {
            let catalog = project_catalog()?;
            let r = catalog.get(&rule).ok_or_else(|| {
                anyhow!("no rule `{rule}` (see `leakgate rules list` for the ids)")
            })?;
            emit(Stream::Stdout, &explain::render(r))?;
            Ok(Exit::Clean)
        }
        Command::Rules { command } => {
            let catalog = project_catalog()?;
            match command {
                RulesCommand::List => {
                    let idw = catalog
                        .rules
                        .iter()
                        .map(|r| r.id.len())
                        .max()
                        .unwrap_or(2)
                        .max(2);
                    let pw = catalog
                        .rules
                        .iter()
                        .map(|r| r.provider.len())
                        .max()
                        .unwrap_or(8)
                        .max(8);
                    let mut out = format!(
                        "{:<idw$}  {:<pw$}  {:<8}  blocks\n",
                        "ID", "PROVIDER", "SEVERITY"
                    );
                    for r in &catalog.rules {
                        out.push_str(&format!(
                            "{:<idw$}  {:<pw$}  {:<8}  {}\n",
                            r.id,
                            r.provider,
                            r.severity.to_string(),
                            if r.block { "yes" } else { "no" }
                        ));
                    }
                    out.push_str(&format!("{} rules\n", catalog.rules.len()));
                    emit(Stream::Stdout, &out)?;
                    Ok(Exit::Clean)
                }
                RulesCommand::Check => {
                    let (failures, count) = rules::check::run(&catalog);
                    let mut out = String::new();
                    for f in &failures {
                        out.push_str(&format!(
                            "FAIL {}: {}: {:?}\n",
                            f.rule, f.problem, f.example
                        ));
                    }
                    out.push_str(&format!(
                        "{} rules, {} examples: {} passed, {} failed\n",
                        catalog.rules.len(),
                        count,
                        count - failures.len(),
                        failures.len()
                    ));
                    emit(Stream::Stdout, &out)?;
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
                    let ev = rules::eval::run(&catalog, &corpus)?;
                    emit(Stream::Stdout, &rules::eval::render(&ev))?;
                    let ok = ev.overall.precision() >= min_precision
                        && ev.overall.recall() >= min_recall;
                    Ok(if ok { Exit::Clean } else { Exit::Found })
                }
            }
        }
    }
}

fn allow_command(args: AllowArgs) -> Result<Exit> {
    if args.migrate {
        return migrate_command(args.quiet);
    }
    let (Some(fingerprint), Some(reason)) = (args.fingerprint, args.reason) else {
        bail!("say which fingerprint to allow and why (--reason), or use --migrate");
    };
    let root = repo_root_or_cwd()?;
    let expires = args
        .expires
        .as_deref()
        .map(Day::parse)
        .transpose()
        .context("--expires")?;
    if let Some(day) = expires {
        // An entry that has already lapsed would never apply: surely a typo.
        if day < Day::today() {
            bail!(
                "--expires: {day} is in the past (today is {}); the entry would never apply",
                Day::today()
            );
        }
    }
    if let Some(rule) = &args.rule {
        let config = Config::load(&root)?;
        let catalog = Catalog::for_project(&config.rules)?;
        if catalog.get(rule).is_none() && !config.rules.disable.contains(rule) {
            bail!("--rule: there is no rule `{rule}` (see `leakgate rules list` for the ids)");
        }
    }
    let file = allow::location(&root);
    allow::append(
        &file,
        allow::NewEntry {
            fingerprint: &fingerprint,
            rule: args.rule.as_deref(),
            reason: &reason,
            expires,
        },
    )?;
    emit(
        Stream::Stdout,
        &format!(
            "leakgate: added {fingerprint} to {}; commit that file so the team reviews it.\n",
            allow::ALLOW_FILE
        ),
    )?;
    Ok(Exit::Clean)
}

/// `leakgate allow --migrate`: old (v1) fingerprints cannot be converted by
/// themselves (v2 needs the secret's digest), so every secret leakgate can
/// find here (history, the index, the work tree) is fingerprinted both ways,
/// and the entries whose v1 matches are rewritten.
fn migrate_command(quiet: bool) -> Result<Exit> {
    let common = CommonArgs {
        format: Format::Human,
        max_file_size: None,
    };
    let mut s = setup(&common)?;
    let root = work_tree(&s, "run `leakgate allow --migrate` in a checkout")?;
    let wanted: std::collections::HashSet<&str> = s
        .allow
        .entries
        .iter()
        .filter_map(|e| e.fingerprint.as_deref())
        .filter(|f| fingerprint::format_of(f) == Some(fingerprint::Format::V1))
        .collect();
    if wanted.is_empty() {
        emit(
            Stream::Stdout,
            &format!(
                "leakgate: {} has no old-format fingerprints; nothing to migrate.\n",
                allow::ALLOW_FILE
            ),
        )?;
        return Ok(Exit::Clean);
    }
    s.catalog.tune_for_throughput()?;
    let mut found = history::scan(
        &history::git_dir(&s.repo),
        &s.catalog,
        s.config.max_file_size,
        &Walk::All,
        history::progress_wanted(quiet),
    )?
    .findings;
    found.extend(
        sources::files::scan(
            std::slice::from_ref(&root),
            &s.catalog,
            s.config.max_file_size,
        )?
        .0,
    );
    found.extend(staged::index_findings(
        &s.repo,
        &s.catalog,
        s.config.max_file_size,
    )?);
    let mut map = std::collections::HashMap::new();
    for f in &found {
        let v1 = f.fingerprint.v1();
        if wanted.contains(v1.as_str()) && !map.contains_key(&v1) {
            map.insert(v1, f.fingerprint.as_str().to_string());
        }
    }
    let m = allow::migrate(&allow::location(&root), &map)?;
    let mut out = format!(
        "leakgate: migrated {} entr{} in {} to the new fingerprint format",
        m.migrated,
        if m.migrated == 1 { "y" } else { "ies" },
        allow::ALLOW_FILE
    );
    if m.unmapped.is_empty() {
        out.push_str("; commit that file.\n");
    } else {
        let lines: Vec<String> = m.unmapped.iter().map(ToString::to_string).collect();
        out.push_str(&format!(
            "; {} old entr{} left as {} (line{} {}): {} secret is not in history, the index or the work tree any more; delete {} if {} no longer needed.\n",
            m.unmapped.len(),
            if m.unmapped.len() == 1 { "y" } else { "ies" },
            if m.unmapped.len() == 1 { "it was" } else { "they were" },
            if m.unmapped.len() == 1 { "" } else { "s" },
            lines.join(", "),
            if m.unmapped.len() == 1 { "its" } else { "their" },
            if m.unmapped.len() == 1 { "it" } else { "them" },
            if m.unmapped.len() == 1 { "it is" } else { "they are" },
        ));
    }
    emit(Stream::Stdout, &out)?;
    Ok(Exit::Clean)
}

fn scan_command(args: &ScanArgs, color: ColorChoice) -> Result<Exit> {
    if args.staged {
        return staged_command(&args.common, Stream::Stdout, color);
    }
    if args.all {
        return history_command(Walk::All, "all refs".into(), args, color);
    }
    if args.targets.is_empty() {
        bail!("say what to scan: --staged, --all, a revision range (main..feature), files or folders, or - for stdin");
    }
    if args.targets.iter().any(|t| t == "-") {
        if args.targets.len() > 1 {
            bail!("`-` (stdin) cannot be combined with other targets");
        }
        let (config, allow) = optional_project(&args.common)?;
        let catalog = Catalog::for_project(&config.rules)?;
        allow.check_rules(&catalog, &config.rules.disable)?;
        let (findings, summary) = sources::files::scan_stdin(&catalog, config.max_file_size)?;
        let report = Report::new(Scope::Stdin, findings, &allow, Day::today(), summary);
        return finish(&report, &catalog, args.common.format, Stream::Stdout, color);
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
        // A mistyped path would otherwise surface as git's "bad revision".
        if let Ok(repo) = Repository::open_from_env() {
            for t in args.targets.iter().filter(|t| !t.starts_with('-')) {
                if repo.revparse(t).is_err() {
                    bail!(
                        "{t:?} is neither a file or folder here nor a revision (a branch, tag, commit, or a range such as main..feature)"
                    );
                }
            }
        } else {
            bail!(
                "{:?} is not a file or folder here (and this is not a git repository, so it cannot be a revision)",
                args.targets[0]
            );
        }
        let what = args.targets.join(" ");
        return history_command(Walk::Revs(args.targets.clone()), what, args, color);
    }
    let (config, allow) = optional_project(&args.common)?;
    let mut catalog = Catalog::for_project(&config.rules)?;
    allow.check_rules(&catalog, &config.rules.disable)?;
    catalog.tune_for_throughput()?;
    let started = std::time::Instant::now();
    let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    let (findings, mut summary) = sources::files::scan(&paths, &catalog, config.max_file_size)?;
    summary.elapsed = Some(started.elapsed());
    let mut report = Report::new(Scope::Files, findings, &allow, Day::today(), summary);
    report.notices.push(
        "this scanned files as they are now, not history; `leakgate scan --all` scans every commit"
            .into(),
    );
    finish(&report, &catalog, args.common.format, Stream::Stdout, color)
}

/// Config and allowlist of the repository we are in, or defaults outside one
/// (file and stdin scans need no git).
fn optional_project(common: &CommonArgs) -> Result<(Config, Allowlist)> {
    let (mut config, allow) = match project_root() {
        Some(root) => (
            Config::load(&root)?,
            Allowlist::load(&allow::location(&root), allow::ALLOW_FILE)?,
        ),
        None => (Config::default(), Allowlist::default()),
    };
    if let Some(size) = &common.max_file_size {
        config.max_file_size = config::parse_size(size).context("--max-file-size")?;
    }
    Ok((config, allow))
}

fn history_command(walk: Walk, what: String, args: &ScanArgs, color: ColorChoice) -> Result<Exit> {
    let mut s = setup(&args.common)?;
    s.catalog.tune_for_throughput()?;
    let progress = history::progress_wanted(args.quiet) && args.common.format == Format::Human;
    let outcome = history::scan(
        &history::git_dir(&s.repo),
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
    finish(
        &report,
        &s.catalog,
        args.common.format,
        Stream::Stdout,
        color,
    )
}

fn baseline_command(reason: Option<String>, quiet: bool) -> Result<Exit> {
    let common = CommonArgs {
        format: Format::Human,
        max_file_size: None,
    };
    let mut s = setup(&common)?;
    s.catalog.tune_for_throughput()?;
    let outcome = history::scan(
        &history::git_dir(&s.repo),
        &s.catalog,
        s.config.max_file_size,
        &Walk::All,
        history::progress_wanted(quiet),
    )?;
    let reason = reason.unwrap_or_else(|| format!("baseline {}", Day::today()));
    fingerprint::compute_all(outcome.findings.iter().map(|f| &f.fingerprint));
    let entries: Vec<allow::NewEntry> = outcome
        .findings
        .iter()
        .map(|f| allow::NewEntry {
            fingerprint: f.fingerprint.as_str(),
            rule: Some(&f.rule_id),
            reason: &reason,
            expires: None,
        })
        .collect();
    let file = allow::location(&work_tree(&s, "run `leakgate baseline` in a checkout")?);
    let skipped = allow::append_many(&file, &entries)?;
    let recorded = entries.len() - skipped.len();
    let mut out = String::new();
    // The list is what a team needs to plan rotation: where each secret
    // entered history, redacted.
    for f in &outcome.findings {
        let at = match &f.commit {
            Some(c) if !c.id.is_empty() => format!(" (commit {})", &c.id[..10]),
            _ => String::new(),
        };
        out.push_str(&format!(
            "  {}:{}  {}  {}{at}\n",
            engine::escape(&f.path),
            f.line,
            f.rule_id,
            f.redacted
        ));
    }
    out.push_str(&format!(
        "leakgate: recorded {recorded} secret{} from history ({} commits, {:.1}s) in {}{}; commit that file.\nFrom now on only new secrets block. Rotate the recorded ones when you can{}.\n",
        if recorded == 1 { "" } else { "s" },
        outcome.summary.commits,
        outcome.elapsed.as_secs_f64(),
        allow::ALLOW_FILE,
        if skipped.is_empty() {
            String::new()
        } else {
            format!(" ({} already there)", skipped.len())
        },
        if outcome.findings.is_empty() {
            ""
        } else {
            ": they are listed above, where each first entered history"
        }
    ));
    emit(Stream::Stdout, &out)?;
    Ok(Exit::Clean)
}

/// Everything a scan of one repository needs, loaded once.
struct Setup {
    repo: Repository,
    root: Option<PathBuf>,
    config: Config,
    allow: Allowlist,
    catalog: Catalog,
}

fn setup(common: &CommonArgs) -> Result<Setup> {
    let repo = Repository::open_from_env()
        .map_err(|e| anyhow!("not inside a git repository: {}", e.message()))?;
    let root = repo.workdir().map(Path::to_path_buf);
    // A bare repository (a server, a mirror) has no working tree: its settings
    // are the ones committed at HEAD.
    let (mut config, allow) = match &root {
        Some(root) => (
            Config::load(root)?,
            Allowlist::load(&allow::location(root), allow::ALLOW_FILE)?,
        ),
        None => match repo.head().and_then(|h| h.peel_to_commit()) {
            Ok(head) => settings_at(&repo, &head)?,
            Err(_) => (Config::default(), Allowlist::default()),
        },
    };
    if let Some(size) = &common.max_file_size {
        config.max_file_size = config::parse_size(size).context("--max-file-size")?;
    }
    let catalog = Catalog::for_project(&config.rules)?;
    allow.check_rules(&catalog, &config.rules.disable)?;
    Ok(Setup {
        repo,
        root,
        config,
        allow,
        catalog,
    })
}

/// The work tree's root, for commands that need one.
fn work_tree(s: &Setup, what: &str) -> Result<PathBuf> {
    s.root
        .clone()
        .ok_or_else(|| anyhow!("this repository has no work tree (bare); {what}"))
}

fn staged_command(common: &CommonArgs, stream: Stream, color: ColorChoice) -> Result<Exit> {
    let s = setup(common)?;
    work_tree(&s, "there is nothing staged to scan")?;
    let (findings, summary) = staged::scan(&s.repo, &s.catalog, s.config.max_file_size)?;
    let report = Report::new(
        Scope::Staged {
            hook: matches!(stream, Stream::Stderr),
        },
        findings,
        &s.allow,
        Day::today(),
        summary,
    );
    finish(&report, &s.catalog, common.format, stream, color)
}

fn push_command(
    input: &str,
    remote: Option<String>,
    common: &CommonArgs,
    color: ColorChoice,
) -> Result<Exit> {
    let s = setup(common)?;
    let mut notices = Vec::new();
    let mut lines = push::parse_lines(input)?;
    let mut framework_note = None;
    if lines.is_empty() {
        (lines, framework_note) = pre_commit_framework_lines(&s.repo)?;
    }
    // Only what the destination already has is skipped: git passes the
    // remote's name, or its URL when pushing to one directly (then nothing
    // is known to be there but the remote tip of each line).
    let named = remote
        .as_deref()
        .filter(|r| s.repo.find_remote(r).is_ok())
        .map(str::to_string);
    let sent = push::sent(&s.repo, &lines, &push::Known::Remote(named), &mut notices)?;
    let (findings, summary) = push::scan_sent(&s.repo, &s.catalog, s.config.max_file_size, &sent)?;
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
    finish(&report, &s.catalog, common.format, Stream::Stderr, color)
}

/// A remote as shown in a report: git passes the URL when pushing to one
/// directly, and CI often puts a token in it (`https://x:TOKEN@host/...`).
fn without_credentials(remote: &str) -> String {
    if let Some((scheme, rest)) = remote.split_once("://") {
        let host_end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest[..host_end].rfind('@') {
            return format!("{scheme}://***@{}", &rest[at + 1..]);
        }
    }
    remote.to_string()
}

/// Server side: the pushed commits, read inside git's quarantine (the new
/// objects are not in the main object store until every hook accepts them).
///
/// Policy comes from the server, never from the push: `git config
/// leakgate.config` / `leakgate.allowlist` (files on the server) when set,
/// otherwise `.leakgate.toml` and `.leakgate-allow.toml` as they are on the
/// updated ref before this push (for a new ref, on the default branch). So an
/// allowlist entry, a disabled rule or a size limit pushed together with a
/// key never lets that key in, and each ref is judged by its own policy.
fn receive_command(input: &str) -> Result<Exit> {
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
        let catalog = Catalog::for_project(&policy.config.rules)?;
        policy
            .allow
            .check_rules(&catalog, &policy.config.rules.disable)?;
        let mut notices = Vec::new();
        let sent = push::sent(
            &repo,
            std::slice::from_ref(line),
            &policy.known,
            &mut notices,
        )?;
        let (findings, summary) =
            push::scan_sent(&repo, &catalog, policy.config.max_file_size, &sent)?;
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
            &policy.allow,
            Day::today(),
            summary,
        );
        part.notices.extend(notices);
        match &mut combined {
            None => combined = Some(part),
            Some(all) => all.absorb(part),
        }
        first_catalog.get_or_insert(catalog);
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
            summary::Summary::default(),
        ),
    };
    report.scope = Scope::Receive { refs: what, tips };
    let catalog = match first_catalog {
        Some(c) => c,
        None => Catalog::builtin()?,
    };
    finish(
        &report,
        &catalog,
        Format::Human,
        Stream::Stderr,
        ColorChoice::Never,
    )
}

/// A server's policy for one pushed ref, where it came from, and which
/// commits count as already judged by it.
struct Policy {
    config: Config,
    allow: Allowlist,
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
        Some(c) => settings_at(repo, c)?,
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
    let (config, config_from) = match configured("leakgate.config")? {
        Some(p) => {
            let text = std::fs::read_to_string(&p).with_context(|| {
                format!("git config leakgate.config: cannot read {}", p.display())
            })?;
            (
                Config::parse(&text, &p.display().to_string())?,
                format!("{}", p.display()),
            )
        }
        None => (
            committed_config,
            format!("{} on {base_name}", config::CONFIG_FILE),
        ),
    };
    let (allow, allow_from) = match configured("leakgate.allowlist")? {
        Some(p) => {
            let text = std::fs::read_to_string(&p).with_context(|| {
                format!("git config leakgate.allowlist: cannot read {}", p.display())
            })?;
            (
                Allowlist::parse(&text, &p.display().to_string())?,
                format!("{}", p.display()),
            )
        }
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
    let uniform =
        configured("leakgate.config")?.is_some() && configured("leakgate.allowlist")?.is_some();
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
        config,
        allow,
        origin: format!("{config_from} and {allow_from}"),
        known,
    })
}

/// `.leakgate.toml` and `.leakgate-allow.toml` as committed in `commit`.
fn settings_at(repo: &Repository, commit: &git2::Commit) -> Result<(Config, Allowlist)> {
    let tree = commit.tree()?;
    let short = &commit.id().to_string()[..10];
    let read = |name: &str| -> Result<Option<String>> {
        match tree.get_path(Path::new(name)) {
            Ok(entry) => {
                let blob = repo.find_blob(entry.id())?;
                Ok(Some(String::from_utf8_lossy(blob.content()).into_owned()))
            }
            Err(_) => Ok(None),
        }
    };
    let config = match read(config::CONFIG_FILE)? {
        Some(t) => Config::parse(&t, &format!("{} (in {short})", config::CONFIG_FILE))?,
        None => Config::default(),
    };
    let allow = match read(allow::ALLOW_FILE)? {
        Some(t) => Allowlist::parse(&t, &format!("{} (in {short})", allow::ALLOW_FILE))?,
        None => Allowlist {
            file: allow::ALLOW_FILE.to_string(),
            entries: Vec::new(),
        },
    };
    Ok((config, allow))
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

fn finish(
    report: &Report,
    catalog: &Catalog,
    format: Format,
    stream: Stream,
    color: ColorChoice,
) -> Result<Exit> {
    let text = match format {
        Format::Json => report::json::render(report),
        Format::Human => {
            set_color(color, stream);
            report::human::render(report, catalog)
        }
    };
    let stream = if format == Format::Json {
        Stream::Stdout
    } else {
        stream
    };
    emit(stream, &text)?;
    Ok(if report.blocking() > 0 {
        Exit::Found
    } else {
        Exit::Clean
    })
}

fn set_color(choice: ColorChoice, stream: Stream) {
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let tty = match stream {
                Stream::Stdout => std::io::stdout().is_terminal(),
                Stream::Stderr => std::io::stderr().is_terminal(),
            };
            tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    colored::control::set_override(on);
}

/// Writes `text`; a reader that went away (`| head`) is not an error.
fn emit(stream: Stream, text: &str) -> Result<()> {
    let r = match stream {
        Stream::Stdout => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|_| out.flush())
        }
        Stream::Stderr => std::io::stderr().lock().write_all(text.as_bytes()),
    };
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing the report"),
    }
}

/// In a repository, its .leakgate.toml counts (custom rules are listed,
/// checked and explained like built-in ones).
fn project_catalog() -> Result<Catalog> {
    match project_root() {
        Some(root) => Catalog::for_project(&Config::load(&root)?.rules),
        None => Catalog::builtin(),
    }
}

fn project_root() -> Option<PathBuf> {
    Repository::open_from_env()
        .ok()
        .and_then(|r| r.workdir().map(Path::to_path_buf))
}

fn repo_root_or_cwd() -> Result<PathBuf> {
    match Repository::open_from_env() {
        Ok(repo) => match repo.workdir() {
            Some(w) => Ok(w.to_path_buf()),
            None => {
                bail!("this repository has no work tree (bare); run `leakgate allow` in a checkout")
            }
        },
        Err(_) => std::env::current_dir().context("finding the current directory"),
    }
}

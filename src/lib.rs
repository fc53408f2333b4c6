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
pub mod report;
pub mod rules;
pub mod sources;

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context as _, Result};
use git2::Repository;

use allow::{Allowlist, Day};
use cli::{Cli, ColorChoice, Command, CommonArgs, Format, HookCommand, RulesCommand, ScanArgs};
use config::Config;
use report::{Report, Scope};
use rules::Catalog;
use sources::history::{self, Walk};
use sources::{push, staged, Pipeline};

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
        Command::Allow(args) => {
            let root = repo_root_or_cwd()?;
            let expires = args
                .expires
                .as_deref()
                .map(Day::parse)
                .transpose()
                .context("--expires")?;
            let file = allow::location(&root);
            allow::append(
                &file,
                allow::NewEntry {
                    fingerprint: &args.fingerprint,
                    rule: args.rule.as_deref(),
                    reason: &args.reason,
                    expires,
                },
            )?;
            emit(
                Stream::Stdout,
                &format!(
                    "leakgate: added {} to {}; commit that file so the team reviews it.\n",
                    args.fingerprint,
                    allow::ALLOW_FILE
                ),
            )?;
            Ok(Exit::Clean)
        }
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
        let (findings, summary) = sources::files::scan_stdin(&catalog)?;
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
        let what = args.targets.join(" ");
        return history_command(Walk::Revs(args.targets.clone()), what, args, color);
    }
    let (config, allow) = optional_project(&args.common)?;
    let mut catalog = Catalog::for_project(&config.rules)?;
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
    report.notices = outcome.notices;
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
    let entries: Vec<allow::NewEntry> = outcome
        .findings
        .iter()
        .map(|f| allow::NewEntry {
            fingerprint: &f.fingerprint,
            rule: Some(&f.rule_id),
            reason: &reason,
            expires: None,
        })
        .collect();
    let file = allow::location(&work_tree(&s, "run `leakgate baseline` in a checkout")?);
    let skipped = allow::append_many(&file, &entries)?;
    emit(
        Stream::Stdout,
        &format!(
            "leakgate: recorded {} secret{} from history ({} commits, {:.1}s) in {}{}; commit that file.\nFrom now on only new secrets block. Rotate the recorded ones when you can: `leakgate scan --all` lists them.\n",
            entries.len() - skipped.len(),
            if entries.len() - skipped.len() == 1 { "" } else { "s" },
            outcome.summary.commits,
            outcome.elapsed.as_secs_f64(),
            allow::ALLOW_FILE,
            if skipped.is_empty() {
                String::new()
            } else {
                format!(" ({} already there)", skipped.len())
            }
        ),
    )?;
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
    let mut pipeline = Pipeline::new(&s.repo, &s.catalog, s.config.max_file_size);
    let items = staged::items(&s.repo, &mut pipeline.summary)?;
    let mut findings = Vec::new();
    for item in &items {
        findings.extend(pipeline.scan(item)?);
    }
    let report = Report::new(
        Scope::Staged {
            hook: matches!(stream, Stream::Stderr),
        },
        findings,
        &s.allow,
        Day::today(),
        pipeline.summary,
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
    let mut lines = push::parse_lines(input)?;
    if lines.is_empty() {
        lines = pre_commit_framework_lines(&s.repo)?;
    }
    let mut notices = Vec::new();
    let commits = push::commits(&s.repo, &lines, "refs/remotes/*", &mut notices)?;
    let mut pipeline = Pipeline::new(&s.repo, &s.catalog, s.config.max_file_size);
    let mut findings = Vec::new();
    for id in commits {
        for item in push::items(&s.repo, id, &mut pipeline.summary)? {
            findings.extend(pipeline.scan(&item)?);
        }
    }
    let remote = remote.unwrap_or_else(|| "the remote".to_string());
    let tips = lines.iter().map(|l| l.local.to_string()).collect();
    let mut report = Report::new(
        Scope::Push { remote, tips },
        findings,
        &s.allow,
        Day::today(),
        pipeline.summary,
    );
    report.notices = notices;
    finish(&report, &s.catalog, common.format, Stream::Stderr, color)
}

/// Server side: the pushed commits, read inside git's quarantine (the new
/// objects are not in the main object store until every hook accepts them).
/// Settings and allowlist come from each pushed tip, since a server has no
/// working tree.
fn receive_command(input: &str) -> Result<Exit> {
    let repo = Repository::open_from_env()
        .map_err(|e| anyhow!("not inside a git repository: {}", e.message()))?;
    if let Some(dir) = std::env::var_os("GIT_OBJECT_DIRECTORY") {
        repo.odb()?
            .add_disk_alternate(&dir.to_string_lossy())
            .context("reading the push's quarantined objects")?;
    }
    let lines = push::parse_receive_lines(input)?;
    let mut notices = Vec::new();
    let mut findings = Vec::new();
    let mut summary = sources::Summary::default();
    let mut allow_all = Allowlist::default();
    let mut catalog = None;
    let mut seen = std::collections::HashSet::new();
    for line in &lines {
        if line.local.is_zero() {
            continue;
        }
        let tip = repo.find_object(line.local, None)?;
        let (config, allow) = match tip.peel_to_commit() {
            Ok(c) => settings_at(&repo, &c)?,
            Err(_) => (Config::default(), Allowlist::default()),
        };
        let cat = Catalog::for_project(&config.rules)?;
        let commits = push::commits(&repo, std::slice::from_ref(line), "refs/*", &mut notices)?;
        let mut pipeline = Pipeline::new(&repo, &cat, config.max_file_size);
        pipeline.summary = std::mem::take(&mut summary);
        for id in commits {
            if !seen.insert(id) {
                continue;
            }
            for item in push::items(&repo, id, &mut pipeline.summary)? {
                findings.extend(pipeline.scan(&item)?);
            }
        }
        summary = pipeline.summary;
        allow_all.file.clone_from(&allow.file);
        allow_all.entries.extend(allow.entries);
        catalog.get_or_insert(cat);
    }
    let catalog = match catalog {
        Some(c) => c,
        None => Catalog::builtin()?,
    };
    let what = lines
        .iter()
        .map(|l| l.local_ref.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut report = Report::new(
        Scope::Receive {
            refs: what,
            tips: lines.iter().map(|l| l.local.to_string()).collect(),
        },
        findings,
        &allow_all,
        Day::today(),
        summary,
    );
    report.notices = notices;
    finish(
        &report,
        &catalog,
        Format::Human,
        Stream::Stderr,
        ColorChoice::Never,
    )
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

/// The pre-commit framework runs pre-push hooks without git's stdin lines and
/// passes the range in PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF instead.
fn pre_commit_framework_lines(repo: &Repository) -> Result<Vec<push::PushLine>> {
    let Ok(to) = std::env::var("PRE_COMMIT_TO_REF") else {
        return Ok(Vec::new());
    };
    let resolve = |spec: &str| -> Result<git2::Oid> {
        Ok(repo
            .revparse_single(spec)
            .with_context(|| format!("PRE_COMMIT_*_REF: cannot resolve {spec:?}"))?
            .id())
    };
    let local = resolve(&to)?;
    let remote = match std::env::var("PRE_COMMIT_FROM_REF") {
        Ok(from) if !from.is_empty() && from.bytes().any(|b| b != b'0') => resolve(&from)?,
        _ => git2::Oid::ZERO_SHA1,
    };
    Ok(vec![push::PushLine {
        local_ref: to,
        local,
        remote_ref: std::env::var("PRE_COMMIT_REMOTE_BRANCH").unwrap_or_default(),
        remote,
    }])
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

//! The command line. Names here are a contract with the hook shims and with
//! users' muscle memory: later work extends them, never renames them.

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "leakgate",
    version = concat!(
        env!("CARGO_PKG_VERSION"),
        " (commit ",
        env!("LEAKGATE_COMMIT"),
        ", build ",
        env!("LEAKGATE_BUILD_ID"),
        ")"
    ),
    about = "Stop API keys from leaving your laptop: git hooks and a fast secret scanner.",
    after_help = "Exit codes: 0 no blocking secret, 1 secrets found, 2 error (bad input, config or repository)."
)]
pub struct Cli {
    /// When to colour output: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Use this settings file instead of `.leakgate.toml` (also
    /// LEAKGATE_CONFIG). It wins over committed settings too: whoever runs
    /// the command chooses it, never the change being checked.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<std::path::PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan the staged change, history (a range or --all), files and folders, or stdin.
    Scan(ScanArgs),
    /// In a CI pipeline: scan exactly the commits this run brings (the pull
    /// request's, the push's), read from the CI's environment.
    Ci(CiArgs),
    /// Record every secret in history now into the allowlist, so only new ones block.
    Baseline {
        /// The reason written into each entry (default: "baseline YYYY-MM-DD").
        #[arg(long)]
        reason: Option<String>,
        /// No progress display.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Entry points for the git hook shims.
    Hook {
        #[command(subcommand)]
        hook: HookCommand,
    },
    /// Add an entry to the allowlist (.leakgate-allow.toml at the repository root).
    Allow(AllowArgs),
    /// What a leaked key can do, how to rotate it, and how to keep it out of code.
    Explain {
        /// A rule id, as printed with each finding (`leakgate rules list`).
        rule: String,
    },
    /// List or check the rules.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Print a shell completion script.
    ///
    /// `leakgate completions bash >
    /// ~/.local/share/bash-completion/completions/leakgate`.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the manual page, or write one per command into a folder.
    ///
    /// `leakgate man | man -l -`, `leakgate man --dir ~/.local/share/man/man1`.
    Man {
        /// Write leakgate.1 and a page per command (leakgate-scan.1, …) here.
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
    },
    // Issue 14: rollout for a whole team.
    /// Install leakgate's hooks: pre-commit and pre-push in a repository
    /// (pre-receive in a bare one), or for every repository of this user
    /// with --global.
    Install(InstallArgs),
    /// Remove leakgate's hooks and put back what was there before.
    Uninstall(UninstallArgs),
    /// Check that leakgate guards this repository (outside one: this binary,
    /// the global install and the environment), and explain each problem
    /// with the command that fixes it (exit 0 healthy, 1 otherwise).
    Doctor {
        /// The repository (default: the current one; a folder that is not
        /// one is an error, exit 2).
        repo: Option<std::path::PathBuf>,
    },
    /// Carry gitleaks' or detect-secrets' allowlists and baselines over into
    /// .leakgate-allow.toml (and `[scan] exclude`), with a report of every
    /// item and whether it was carried.
    Import {
        #[command(subcommand)]
        from: ImportFrom,
    },
}

// Issue 14: migration from other scanners.
#[derive(Subcommand, Debug)]
pub enum ImportFrom {
    /// .gitleaks.toml's allowlists and .gitleaksignore's findings.
    #[command(
        after_help = "Each .gitleaksignore line (COMMIT:PATH:RULE:LINE or PATH:RULE:LINE) is rescanned there and leakgate's findings on that line are allowed by fingerprint. The config's allowlist stopwords, regexes (on the secret) and paths become [[allow]] entries; commits, per-rule allowlists and custom rules are reported with what to do instead.\n\nExamples:\n  leakgate import gitleaks                   .gitleaks.toml and .gitleaksignore at the root\n  leakgate import gitleaks --dry-run         print what would be written\n  leakgate import gitleaks ci/gitleaks.toml  that config (no ignore file)"
    )]
    Gitleaks {
        /// The files to read: a name ending in .toml is the config, anything
        /// else the ignore file (default: .gitleaks.toml and .gitleaksignore
        /// at the repository root; either may be missing, not both).
        #[arg(value_name = "FILE", num_args = 0..=2)]
        files: Vec<std::path::PathBuf>,
        /// Print what would be written; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// A .secrets.baseline: its results (by SHA-1) and its exclude filters.
    #[command(
        after_help = "Each result is found again by rescanning its file (the staged version if the file is in the index, else the file on disk) and comparing SHA-1s, on the recorded line first; results audited as real secrets (is_secret: true) are never allowed.\n\nExamples:\n  leakgate import detect-secrets\n  leakgate import detect-secrets --dry-run config/.secrets.baseline"
    )]
    DetectSecrets {
        /// The baseline (default: .secrets.baseline at the repository root).
        #[arg(value_name = "FILE")]
        baseline: Option<std::path::PathBuf>,
        /// Print what would be written; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

// Issue 14: rollout for a whole team.
#[derive(Args, Debug)]
#[command(
    after_help = "A hook that is not leakgate's is kept as <hook>.leakgate-chained and runs after leakgate's passes; core.hooksPath and worktrees are honoured.\n--global writes the hooks into ~/.config/leakgate/hooks ($XDG_CONFIG_HOME/leakgate/hooks) and makes it the global core.hooksPath; they run leakgate, then the repository's own .git/hooks/<name>.\n\nExamples:\n  leakgate install                 the current repository\n  leakgate install /srv/git/app.git   a server: pre-receive\n  leakgate install --global        every repository of this user, new and existing"
)]
pub struct InstallArgs {
    /// The repository (default: the current one).
    #[arg(conflicts_with = "global")]
    pub repo: Option<std::path::PathBuf>,
    /// Guard every repository of this user: a hooks directory leakgate
    /// manages, set as the global core.hooksPath (the previous value is
    /// remembered for `uninstall --global`).
    #[arg(long)]
    pub global: bool,
    /// The leakgate binary the hooks run (default: this one).
    #[arg(long, value_name = "PATH")]
    pub bin: Option<std::path::PathBuf>,
}

#[derive(Args, Debug)]
pub struct UninstallArgs {
    /// The repository (default: the current one).
    #[arg(conflicts_with = "global")]
    pub repo: Option<std::path::PathBuf>,
    /// Undo `install --global`: restore the previous global core.hooksPath
    /// (or unset it) and remove leakgate's global hooks.
    #[arg(long)]
    pub global: bool,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  leakgate scan --staged         what the pre-commit hook checks\n  leakgate scan --all            every commit reachable from any ref\n  leakgate scan main..feature    the commits of a range\n  leakgate scan src/ config/     files as they are now (honours .gitignore)\n  cat x.env | leakgate scan -    standard input\n  leakgate scan --remote https://host/org/app.git\n                                 every ref of a repository elsewhere"
)]
pub struct ScanArgs {
    /// Scan what is staged for the next commit (HEAD against the index).
    #[arg(long, conflicts_with_all = ["all", "targets"])]
    pub staged: bool,

    /// Scan every commit reachable from any ref.
    #[arg(long, conflicts_with = "targets")]
    pub all: bool,

    /// A revision range (main..feature) or revisions; or files and folders;
    /// or `-` for standard input.
    pub targets: Vec<String>,

    /// Scan the history of the repository at this URL (cloned into a
    /// temporary mirror, deleted afterwards): every ref (the default, or
    /// --all), or the given revisions. Credentials in the URL are never shown.
    #[arg(long, value_name = "URL", conflicts_with = "staged")]
    pub remote: Option<String>,

    /// Scan a container image: a `docker save` tarball, an OCI image layout
    /// folder or an OCI archive, or docker:NAME / podman:NAME (saved with
    /// that CLI first). Every layer (also files a later layer deletes), the
    /// config's Env, Labels, Cmd, Entrypoint and history.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["staged", "all", "targets", "remote"])]
    pub image: Option<String>,

    /// No progress display.
    #[arg(long, short)]
    pub quiet: bool,

    /// Objects missing from the object store (a partial clone, a damaged
    /// copy) are listed as a notice instead of failing the scan (exit 2);
    /// the exit code is then the findings' alone.
    #[arg(long)]
    pub allow_missing: bool,

    /// History scans: search every version of every file whole, instead of
    /// a new version where it changed. The same findings, slower; for
    /// comparing.
    #[arg(long)]
    pub whole_versions: bool,

    /// Ask each found key's provider whether it still works (HTTPS to the
    /// provider's own API; README "Is it live?"). Off unless given, or
    /// `verify = true` in .leakgate.toml.
    #[arg(long)]
    pub verify: bool,

    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Knows GitHub Actions (pull_request, pull_request_target, push, merge_group, workflow_dispatch, schedule), GitLab CI, CircleCI, Jenkins, Travis CI, Bitbucket Pipelines, Azure Pipelines and Buildkite; anything else with --base.\nThe policy (.leakgate.toml, .leakgate-allow.toml) is read as committed on the target branch, not as the change has it.\n\nExamples:\n  leakgate ci                      what the pipeline's trigger brings\n  leakgate ci --explain-range      which CI, which commits, and why\n  leakgate ci --base origin/main   the commits since this branch left main"
)]
pub struct CiArgs {
    /// Scan the commits since HEAD left this revision (merge base), whatever
    /// the CI says; also LEAKGATE_BASE.
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,

    /// For a scheduled or manual run (which scans every ref): only commits
    /// since this date (anything `git log --since` takes).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,

    /// Print the CI detected, the commits it brings and why, and the
    /// policy's source; scan nothing.
    #[arg(long)]
    pub explain_range: bool,

    /// No progress display.
    #[arg(long, short)]
    pub quiet: bool,

    /// Objects missing from the object store (a partial clone, a damaged
    /// copy) are listed as a notice instead of failing the scan (exit 2);
    /// the exit code is then the findings' alone.
    #[arg(long)]
    pub allow_missing: bool,

    /// Ask each found key's provider whether it still works (also
    /// `verify = true` in the target branch's .leakgate.toml).
    #[arg(long)]
    pub verify: bool,

    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Args, Debug, Clone)]
pub struct CommonArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Skip blobs larger than this (e.g. "10 MiB"); overrides .leakgate.toml.
    #[arg(long, value_name = "SIZE")]
    pub max_file_size: Option<String>,

    /// Write the report in --format to FILE (created or replaced); the
    /// human report still goes to the terminal. With --format human, the
    /// file gets the report and the terminal one summary line.
    #[arg(long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum HookCommand {
    /// Scan the staged change; what hooks/pre-commit runs.
    PreCommit {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Server side: scan pushed commits; reads git's pre-receive lines on stdin.
    PreReceive {
        /// Output format (what the pusher reads is always the human report).
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Also write the report in --format to this file (a server's log of
        /// refused pushes); checked before reading anything.
        #[arg(long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
    /// Scan the commits of a push; reads git's pre-push lines on stdin.
    PrePush {
        /// The remote's name, as git passes it.
        remote: Option<String>,
        /// The remote's URL, as git passes it.
        url: Option<String>,
        #[command(flatten)]
        common: CommonArgs,
    },
}

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  leakgate allow tests/fixture.env:3 --reason \"revoked test key\"\n                                what is found on line 3 of the staged file\n  leakgate allow v2:0123456789abcdef0123 --reason \"revoked test key\"\n  leakgate allow --migrate      rewrite old 16-hex fingerprints in the new format"
)]
pub struct AllowArgs {
    /// What to allow: PATH:LINE (or PATH:LINE:COLUMN) as a blocked commit
    /// prints it, from the repository root: the secrets found there in the
    /// staged file (or the file on disk, if it is not staged) are recorded by
    /// fingerprint and rule. Or a fingerprint (`v2:...`) printed by a scan.
    #[arg(
        required_unless_present_any = ["migrate", "list"],
        value_name = "PATH:LINE|FINGERPRINT"
    )]
    pub fingerprint: Option<String>,
    /// Why this secret may stay (reviewed with the allowlist).
    #[arg(long, required_unless_present_any = ["migrate", "list"])]
    pub reason: Option<String>,
    /// Stop allowing it after this day (YYYY-MM-DD, today or later).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub expires: Option<String>,
    /// Record the rule id too (a known rule id; `leakgate rules list`).
    #[arg(long)]
    pub rule: Option<String>,
    /// Rewrite the allowlist's old-format (16 hex) fingerprints in the new
    /// format, finding their secrets in history, the index and the work tree.
    #[arg(long, conflicts_with_all = ["fingerprint", "reason", "expires", "rule"])]
    pub migrate: bool,
    /// Show every entry, what it hides now in history (or, outside a
    /// repository, in the files here), and which are expired or match
    /// nothing.
    #[arg(long, conflicts_with_all = ["fingerprint", "reason", "expires", "rule", "migrate"])]
    pub list: bool,
    /// With --migrate or --list: no progress display.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// Print every rule: id, provider, severity, whether it blocks, whether
    /// `--verify` can check its keys.
    List {
        /// human (a table) or json (an array of rules).
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Run every rule against its examples and negative examples.
    Check,
    /// Precision and recall on a labelled corpus (bench/corpus.py makes one).
    Eval {
        /// A folder with manifest.jsonl and the case files.
        corpus: std::path::PathBuf,
        /// Exit 1 when overall precision is below this.
        #[arg(long, default_value_t = 0.0)]
        min_precision: f64,
        /// Exit 1 when overall recall is below this.
        #[arg(long, default_value_t = 0.0)]
        min_recall: f64,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF readers.
    Sarif,
    /// JUnit XML, for CI test-report views (Jenkins, GitLab, CircleCI).
    Junit,
    /// GitLab's secret-detection report (gl-secret-detection-report.json).
    Gitlab,
}

/// `rules list --format`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFormat {
    Human,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

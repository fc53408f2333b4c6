//! Everything a command needs, resolved once: the repository, its root, and
//! the settings in force (config, allowlist, and the rule catalog they make).
//!
//! Settings are found one way for every command, by where it runs:
//!
//! - in a work tree: `.leakgate.toml` and `.leakgate-allow.toml` at its root,
//!   as they are on disk (the team's reviewed files, plus what the developer
//!   is editing);
//! - in a bare repository (a server, a mirror): the files as committed at
//!   HEAD;
//! - outside any repository: the files in the current directory, where
//!   `leakgate allow` writes, so a file scan there honours what was allowed;
//! - for a given commit (the server judging a pushed ref): the files as
//!   committed there ([`Settings::at_commit`]).
//!
//! The catalog is built from the config, and every allowlist entry that names
//! a rule is checked against it, before any scanning starts: a typo fails
//! closed with the file and line. The catalog then carries what the engine
//! and the sources apply as they read: the allowlist's value tests and the
//! config's `[scan] exclude` patterns, both from the same policy files.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context as _, Result};
use git2::Repository;

use crate::allow::{self, Allowlist};
use crate::config::{self, Config};
use crate::engine::examples;
use crate::rules::Catalog;

/// The policy in force: config, allowlist, and the catalog built from them.
pub struct Settings {
    pub config: Config,
    pub allow: Allowlist,
    pub catalog: Catalog,
}

impl Settings {
    /// Builds the catalog from `config` (a project's own rules compiled and
    /// run against their examples) and checks `allow` against it.
    pub fn new(config: Config, allow: Allowlist) -> Result<Settings> {
        let mut catalog = Catalog::for_project(&config.rules)?;
        examples::check_project(&catalog)?;
        allow.check_rules(&catalog, &config.rules.disable)?;
        // Policy the engine and the sources apply as they go: the value
        // tests of this allowlist, and the config's excludes.
        catalog.values = allow.value_tests();
        catalog.excludes = config.excludes(allow::Day::today());
        Ok(Settings {
            config,
            allow,
            catalog,
        })
    }

    /// The settings files in `dir` (missing files are the defaults).
    pub fn in_dir(dir: &Path) -> Result<Settings> {
        Settings::new(
            Config::load(dir)?,
            Allowlist::load(&allow::location(dir), allow::ALLOW_FILE)?,
        )
    }

    /// `.leakgate.toml` and `.leakgate-allow.toml` as committed in `commit`.
    pub fn at_commit(repo: &Repository, commit: &git2::Commit) -> Result<Settings> {
        let (config, allow) = files_at(repo, commit)?;
        Settings::new(config, allow)
    }

    /// The built-in rules (or the `--config` file's settings), nothing
    /// allowed.
    pub fn defaults() -> Result<Settings> {
        let config = config::overridden()?.unwrap_or_default();
        Settings::new(config, Allowlist::default())
    }

    /// `--max-file-size`, which wins over the config.
    pub fn override_max_file_size(&mut self, size: Option<&str>) -> Result<()> {
        if let Some(size) = size {
            self.config.max_file_size = config::parse_size(size).context("--max-file-size")?;
        }
        Ok(())
    }
}

/// The config and allowlist files as committed in `commit`, parsed but not
/// yet turned into a catalog (the server mixes them with its own files).
pub fn files_at(repo: &Repository, commit: &git2::Commit) -> Result<(Config, Allowlist)> {
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
    let config = match config::overridden()? {
        Some(c) => c,
        None => match read(config::CONFIG_FILE)? {
            Some(t) => Config::parse(&t, &format!("{} (in {short})", config::CONFIG_FILE))?,
            None => Config::default(),
        },
    };
    let allow = match read(allow::ALLOW_FILE)? {
        Some(t) => Allowlist::parse(&t, &format!("{} (in {short})", allow::ALLOW_FILE))?,
        None => Allowlist {
            file: allow::ALLOW_FILE.to_string(),
            ..Allowlist::default()
        },
    };
    Ok((config, allow))
}

/// A command's repository (if any), root, and settings.
pub struct Context {
    pub repo: Option<Repository>,
    /// The work tree's root; outside a repository, the current directory;
    /// `None` in a bare repository.
    pub root: Option<PathBuf>,
    pub settings: Settings,
}

impl Context {
    /// The repository git would use here (`GIT_DIR` and friends honoured), or
    /// the current directory when there is none.
    pub fn discover(max_file_size: Option<&str>) -> Result<Context> {
        match Repository::open_from_env() {
            Ok(repo) => Context::of_repository(repo, max_file_size),
            Err(_) => {
                let dir = std::env::current_dir().context("finding the current directory")?;
                Context::no_repository(&dir, max_file_size)
            }
        }
    }

    /// Like [`Context::discover`], for commands that need a repository.
    pub fn repository(max_file_size: Option<&str>) -> Result<Context> {
        Context::of_repository(Context::open_repository()?, max_file_size)
    }

    /// The repository git would use here, for a command that starts work in
    /// it before its settings load ([`Context::of_repository`] then).
    pub fn open_repository() -> Result<Repository> {
        Repository::open_from_env()
            .map_err(|e| anyhow!("not inside a git repository: {}", e.message()))
    }

    /// The context of a repository already open: its work tree's settings,
    /// or HEAD's when it is bare.
    pub fn of_repository(repo: Repository, max_file_size: Option<&str>) -> Result<Context> {
        match repo.workdir().map(Path::to_path_buf) {
            Some(root) => Context::work_tree(repo, root, max_file_size),
            None => Context::bare(repo, max_file_size),
        }
    }

    /// A checkout: the settings files at the root of its work tree.
    pub fn work_tree(
        repo: Repository,
        root: PathBuf,
        max_file_size: Option<&str>,
    ) -> Result<Context> {
        let mut settings = Settings::in_dir(&root)?;
        settings.override_max_file_size(max_file_size)?;
        Ok(Context {
            repo: Some(repo),
            root: Some(root),
            settings,
        })
    }

    /// A bare repository (a server, a mirror) has no work tree: its settings
    /// are the ones committed at HEAD (the defaults when HEAD is unborn).
    pub fn bare(repo: Repository, max_file_size: Option<&str>) -> Result<Context> {
        let mut settings = match repo.head().and_then(|h| h.peel_to_commit()) {
            Ok(head) => Settings::at_commit(&repo, &head)?,
            Err(_) => Settings::defaults()?,
        };
        settings.override_max_file_size(max_file_size)?;
        Ok(Context {
            repo: Some(repo),
            root: None,
            settings,
        })
    }

    /// No repository: the settings files in `dir`. Without an allowlist
    /// there, none is in force (a report then says where `leakgate allow`
    /// would create one).
    pub fn no_repository(dir: &Path, max_file_size: Option<&str>) -> Result<Context> {
        let allow = match allow::location(dir).exists() {
            true => Allowlist::load(&allow::location(dir), allow::ALLOW_FILE)?,
            false => Allowlist::default(),
        };
        let mut settings = Settings::new(Config::load(dir)?, allow)?;
        settings.override_max_file_size(max_file_size)?;
        Ok(Context {
            repo: None,
            root: Some(dir.to_path_buf()),
            settings,
        })
    }

    /// The repository, for commands that read git objects.
    pub fn repo(&self) -> Result<&Repository> {
        self.repo
            .as_ref()
            .ok_or_else(|| anyhow!("not inside a git repository"))
    }

    /// Where the settings files live (the work tree's root, or the current
    /// directory outside a repository), for commands that write or read
    /// files there; `what` says what to do instead in a bare repository.
    pub fn root(&self, what: &str) -> Result<&Path> {
        self.root
            .as_deref()
            .ok_or_else(|| anyhow!("this repository has no work tree (bare); {what}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A project's `.leakgate.toml` loaded as every command loads it.
    fn project(toml_text: &str) -> Result<Settings, String> {
        let config = Config::parse(toml_text, ".leakgate.toml").map_err(|e| e.to_string())?;
        Settings::new(config, Allowlist::default()).map_err(|e| e.to_string())
    }

    const ACME: &str = "[[rule]]\nid = \"acme-key\"\nprovider = \"Acme\"\nname = \"Acme key\"\nseverity = \"high\"\nsecret = 'acme_[a-z0-9]{12}'\n";

    #[test]
    fn a_project_rules_examples_are_run_at_load() {
        let context = "kind = \"assignment\"\nname = '(?i)acme'";
        let good = "[rule.examples]\nmatch = ['ACME_KEY=acme_<<lower:6>><<digits:6>>']\nno_match = ['ACME_KEY=acme_short']";
        // Tables after the context: put the examples last.
        let with = |examples: &str| {
            project(&format!(
                "{ACME}\n[[rule.context]]\n{context}\nwhy = \"w\"\n\n{examples}\n"
            ))
        };
        assert!(with(good).is_ok(), "{:?}", with(good).err());
        let missed = with("[rule.examples]\nmatch = ['OTHER=acme_<<lower:6>><<digits:6>>']")
            .err()
            .expect("a load error");
        assert!(
            missed.contains(
                ".leakgate.toml: rule `acme-key`, field `examples.match[0]`: expected a match"
            ),
            "{missed}"
        );
        let found = with("[rule.examples]\nno_match = ['ACME_KEY=acme_<<lower:6>><<digits:6>>']")
            .err()
            .expect("a load error");
        assert!(
            found.contains("field `examples.no_match[0]`: expected no match"),
            "{found}"
        );
    }
}

//! `leakgate doctor`: is this repository really guarded, and if not, why and
//! what fixes it. Exit 0 when healthy, 1 when anything needs fixing (2 only
//! when it cannot tell: a named folder that is not a repository, git
//! missing). Run outside any repository, it checks what does not need one
//! (this binary, the global install, `LEAKGATE_BIN`, `LEAKGATE_CONFIG`) and
//! says that the rest needs a repository.
//!
//! Every check looks where git itself will look (the hooks directory
//! `git rev-parse --git-path hooks` names, which a later `core.hooksPath`
//! quietly moves), and every problem is printed with the command that fixes
//! it. Doctor only reads: it never writes a hook, a setting or a file.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;
use git2::Repository;

use crate::allow::{self, Allowlist, Day};
use crate::config::{self, Config};
use crate::context::{self, Settings};
use crate::output::Exit;

use super::install::{self, is_executable, is_ours, Target, CLIENT_HOOKS};

mod lefthook;

/// The version line the hooks' binary must print: this build's, exactly as
/// `--version` prints it (taken from the CLI definition, so the two agree).
fn this_version() -> String {
    let cmd = <crate::cli::Cli as clap::CommandFactory>::command();
    format!(
        "{} {}",
        cmd.get_name(),
        cmd.get_version().unwrap_or(env!("CARGO_PKG_VERSION"))
    )
}

#[derive(Default)]
struct Findings {
    problems: usize,
}

impl Findings {
    /// The closing line and the exit code.
    fn verdict(&self, healthy: &str) -> Exit {
        if self.problems == 0 {
            println!("leakgate doctor: {healthy}");
            Exit::Clean
        } else {
            println!(
                "leakgate doctor: {} problem{} (each with its fix above)",
                self.problems,
                if self.problems == 1 { "" } else { "s" }
            );
            Exit::Found
        }
    }

    fn ok(&self, msg: impl std::fmt::Display) {
        println!("  ok       {msg}");
    }

    fn note(&self, msg: impl std::fmt::Display) {
        println!("  note     {msg}");
    }

    fn problem(&mut self, msg: impl std::fmt::Display, fix: impl std::fmt::Display) {
        self.problems += 1;
        println!("  PROBLEM  {msg}");
        println!("           fix: {fix}");
    }
}

/// `s` as a shell word: bare when it is plainly safe, else single-quoted.
fn word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+,:@".contains(c))
    {
        s.to_string()
    } else {
        install::sh_quote(s)
    }
}

fn shown(p: &Path) -> String {
    word(&p.to_string_lossy())
}

/// husky (v9) sets `core.hooksPath` to `.husky/_`, whose generated hooks run
/// the user's `.husky/<name>`: leakgate belongs in that file.
fn husky_owns(hooks: &Path) -> bool {
    hooks.components().any(|c| c.as_os_str() == ".husky")
}

/// husky's script for `name` runs leakgate: a line that is not a comment
/// calls `leakgate hook <name>`.
fn husky_runs_leakgate(script: &Path, name: &str) -> bool {
    fs::read_to_string(script).is_ok_and(|t| {
        t.lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .any(|l| lefthook::mentions(l, name))
    })
}

fn husky_fix(top: &Path, name: &str) -> String {
    format!(
        "husky owns the hooks here; add leakgate to its {name} script: echo 'leakgate hook {name}{}' >> {}",
        if name == "pre-push" { " \"$@\"" } else { "" },
        shown(&top.join(".husky").join(name))
    )
}

/// What `bin --version` prints, or `None` when it does not run.
fn version_of(bin: &Path) -> Option<String> {
    let out = Command::new(bin).arg("--version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The value after `key=` on a line of a hook written from the template.
fn setting(text: &str, key: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .map(install::sh_unquote)
}

/// A global install's pass-through shim: leakgate's, but it runs no check.
fn is_passthrough(path: &Path) -> bool {
    let text = fs::read_to_string(path).unwrap_or_default();
    setting(&text, "installed_bin").is_none()
}

/// `leakgate` on PATH, as a hook with no recorded binary finds it.
fn on_path() -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join("leakgate"))
        .find(|p| is_executable(p))
}

pub fn run(repo: Option<&Path>) -> Result<Exit> {
    let here = repo.unwrap_or(Path::new("."));
    // A folder named on the command line must be a repository (resolve
    // says so); the current one need not be.
    if repo.is_none() && install::git(here, &["rev-parse", "--git-dir"])?.is_none() {
        return outside_a_repository(here);
    }
    let target = install::resolve(here)?;
    let mut f = Findings::default();
    println!("leakgate doctor: {}", target.top.display());
    let install_cmd = format!("leakgate install {}", shown(&target.top));

    let override_bin = check_override(&mut f);
    let bins = check_hooks(&mut f, &target, &install_cmd)?;
    if override_bin.is_none() {
        check_binaries(&mut f, &bins, &install_cmd);
    }
    check_policy(&mut f, &target)?;

    println!();
    Ok(f.verdict("healthy: commits and pushes here are checked"))
}

/// Outside any repository: this binary, the global install and the
/// environment, and a word that the rest needs a repository.
fn outside_a_repository(here: &Path) -> Result<Exit> {
    let mut f = Findings::default();
    let here = here.canonicalize().unwrap_or_else(|_| here.to_path_buf());
    println!(
        "leakgate doctor: not in a git repository ({}): checking what needs none",
        here.display()
    );
    let exe = std::env::current_exe().ok();
    match &exe {
        Some(exe) => f.ok(format!(
            "this leakgate: {} ({})",
            exe.display(),
            this_version()
        )),
        None => f.ok(format!("this leakgate: {}", this_version())),
    }
    match on_path() {
        Some(p) if exe.as_ref().is_some_and(|e| install::same_dir(e, &p)) => {
            f.ok(format!("`leakgate` on PATH is this one ({})", p.display()))
        }
        Some(p) => {
            let want = this_version();
            match version_of(&p) {
                Some(v) if v == want => {
                    f.ok(format!("`leakgate` on PATH is {} ({v})", p.display()))
                }
                have => f.note(format!(
                    "`leakgate` on PATH is {}, which is {}, not this {want}: husky, lefthook, the pre-commit framework's `language: system` and hooks installed without a binary run it",
                    p.display(),
                    have.as_deref().unwrap_or("not a working leakgate")
                )),
            }
        }
        None => f.note(
            "no `leakgate` on PATH: leakgate's own hooks run the binary they were installed with, but husky, lefthook and the pre-commit framework's `language: system` call `leakgate` by name",
        ),
    }
    let override_bin = check_override(&mut f);

    let global_dir = install::global_dir()?;
    let fix = "leakgate install --global";
    match install::global_hooks_path()? {
        Some(g) if install::same_dir(&g.expanded, &global_dir) => {
            f.ok(format!(
                "the global core.hooksPath is {} (leakgate's global install): every repository without its own core.hooksPath runs it",
                word(&g.raw)
            ));
            let bins = check_global_hooks(&mut f, &global_dir, fix);
            if override_bin.is_none() {
                check_binaries(&mut f, &bins, fix);
            }
        }
        Some(g) => f.note(format!(
            "the global core.hooksPath is {}, not leakgate's: repositories without their own hooks setting run hooks from there, so leakgate runs only where it is installed in the repository or a hook manager calls it; `{fix}` takes the setting over and runs those hooks after its own",
            word(&g.raw)
        )),
        None => f.note(format!(
            "no global install: only repositories where leakgate is installed (`leakgate install`, or a hook manager that runs it) are checked; `{fix}` guards every repository of this user"
        )),
    }

    let source = match config::override_path() {
        Some(p) => format!("{} (--config / LEAKGATE_CONFIG)", p.display()),
        None => "the built-in settings".to_string(),
    };
    match Settings::defaults().and_then(|s| s.catalog.load_all().map(|()| s)) {
        Ok(s) => f.ok(format!(
            "{source} read; {} rules load",
            s.catalog.rules.len()
        )),
        Err(e) => f.problem(
            format!("{e:#}"),
            "fix the file and line named, or unset LEAKGATE_CONFIG",
        ),
    }

    println!();
    println!(
        "leakgate doctor: the repository checks need a repository (the hooks git runs there, .leakgate.toml, the allowlist): run `leakgate doctor` in one, or `leakgate doctor PATH`"
    );
    Ok(f.verdict("healthy, as far as it can tell without a repository"))
}

/// The global install's pre-commit and pre-push hooks are there, leakgate's
/// and executable. Returns the binaries they call.
fn check_global_hooks(f: &mut Findings, dir: &Path, fix: &str) -> Vec<PathBuf> {
    let mut bins = Vec::new();
    for &name in CLIENT_HOOKS {
        let path = dir.join(name);
        if !is_ours(&path, name) {
            f.problem(
                format!(
                    "{name}: leakgate's global hooks folder {} has no leakgate {name} hook: nothing is checked",
                    dir.display()
                ),
                fix,
            );
            continue;
        }
        if is_executable(&path) {
            f.ok(format!("{name}: leakgate's global hook {}", path.display()));
        } else {
            f.problem(
                format!(
                    "{name}: leakgate's global hook {} is not executable, so git skips it",
                    path.display()
                ),
                format!("chmod +x {}", shown(&path)),
            );
        }
        let text = fs::read_to_string(&path).unwrap_or_default();
        match setting(&text, "installed_bin").filter(|b| !b.is_empty()) {
            Some(b) => bins.push(PathBuf::from(b)),
            None => bins.extend(on_path()),
        }
    }
    bins
}

/// `LEAKGATE_BIN` replaces the binary every hook runs.
fn check_override(f: &mut Findings) -> Option<PathBuf> {
    let bin = std::env::var_os("LEAKGATE_BIN").filter(|b| !b.is_empty())?;
    let bin = PathBuf::from(bin);
    if !is_executable(&bin) {
        f.problem(
            format!(
                "LEAKGATE_BIN is set to {}, which is not an executable file: every hook runs it instead of the installed leakgate, and blocks",
                bin.display()
            ),
            "unset LEAKGATE_BIN   (or point it at a leakgate binary)",
        );
        return Some(bin);
    }
    let want = this_version();
    match version_of(&bin) {
        Some(v) if v == want => f.note(format!(
            "LEAKGATE_BIN is set: the hooks run {} ({v}) instead of the installed leakgate",
            bin.display()
        )),
        have => f.problem(
            format!(
                "LEAKGATE_BIN is set to {}, which is {}, not {want}: the hooks run it instead of the installed leakgate",
                bin.display(),
                have.as_deref().unwrap_or("not a working leakgate")
            ),
            "unset LEAKGATE_BIN   (or point it at this leakgate)",
        ),
    }
    Some(bin)
}

/// Where `core.hooksPath` comes from here: its scope (local, global, ...)
/// and value, when it is set.
fn hooks_path_origin(top: &Path) -> Result<Option<(String, String)>> {
    let shown = install::git(top, &["config", "--show-scope", "--get", "core.hooksPath"])?;
    Ok(shown.and_then(|l| {
        let (scope, value) = l.split_once('\t')?;
        Some((scope.to_string(), value.to_string()))
    }))
}

/// The hooks, in the directory git will run them from. Returns the
/// binaries leakgate's hooks there call.
fn check_hooks(f: &mut Findings, target: &Target, install_cmd: &str) -> Result<Vec<PathBuf>> {
    let hooks = &target.hooks;
    let origin = hooks_path_origin(&target.top)?;
    let global_dir = install::global_dir()?;
    let global_active =
        install::global_hooks_path()?.is_some_and(|g| install::same_dir(&g.expanded, &global_dir));
    let default_dir = install::git(&target.top, &["rev-parse", "--git-common-dir"])?
        .map(|d| target.top.join(d).join("hooks"));
    let framework = {
        let cfg = target.top.join(".pre-commit-config.yaml");
        fs::read_to_string(&cfg)
            .ok()
            .filter(|t| t.contains("leakgate"))
    };
    let is_global = install::same_dir(hooks, &global_dir);
    match &origin {
        Some((scope, value)) if is_global => f.ok(format!(
            "git runs hooks from {} (core.hooksPath, {scope}: leakgate's global install)",
            word(value)
        )),
        Some((scope, value)) => f.ok(format!(
            "git runs hooks from {} (core.hooksPath = {}, {scope} setting)",
            hooks.display(),
            word(value)
        )),
        None => f.ok(format!("git runs hooks from {}", hooks.display())),
    }
    if global_active && !is_global {
        if let Some((scope, value)) = &origin {
            f.note(format!(
                "leakgate's global hooks ({}) do not run here: this repository's {scope} core.hooksPath ({}) overrides the global one",
                global_dir.display(),
                word(value)
            ));
        }
    }

    // `pre-commit install` refuses to write hooks while any core.hooksPath
    // is set, the global one included; the global hooks run what it writes.
    if is_global && target.top.join(".pre-commit-config.yaml").is_file() {
        if let Some(own) = &default_dir {
            if !own.join("pre-commit").exists() {
                f.note(format!(
                    "this repository uses the pre-commit framework, whose hooks are not installed; `pre-commit install` refuses while a global core.hooksPath is set: cd {} && GIT_CONFIG_GLOBAL=/dev/null pre-commit install   (leakgate's global hooks run it after theirs)",
                    shown(&target.top)
                ));
            }
        }
    }

    let mut bins = Vec::new();
    for &name in target.names() {
        let mut path = hooks.join(name);
        // The global install's pre-receive only passes a push on to the
        // repository's own hook: that one must be leakgate's.
        if is_ours(&path, name) && is_passthrough(&path) {
            let own = default_dir
                .as_ref()
                .map(|d| d.join(name))
                .filter(|o| is_ours(o, name));
            match own {
                Some(own) => {
                    f.ok(format!(
                        "{name}: leakgate's global hooks pass it on to this repository's own {}",
                        own.display()
                    ));
                    path = own;
                }
                None => {
                    f.problem(
                        format!(
                            "{name}: git runs leakgate's global hooks here, whose {name} checks nothing (it runs the repository's own hook, and there is no leakgate one)",
                        ),
                        install_cmd,
                    );
                    continue;
                }
            }
        }
        if fs::symlink_metadata(&path).is_err() {
            missing_hook(
                f,
                target,
                name,
                &origin,
                &[default_dir.as_deref(), Some(global_dir.as_path())],
                framework.is_some(),
                install_cmd,
            );
            continue;
        }
        if is_ours(&path, name) {
            let text = fs::read_to_string(&path).unwrap_or_default();
            let global = setting(&text, "global").as_deref() == Some("1");
            if !is_executable(&path) {
                f.problem(
                    format!(
                        "{name}: leakgate's hook {} is not executable, so git skips it",
                        path.display()
                    ),
                    format!("chmod +x {}", shown(&path)),
                );
            } else {
                f.ok(format!(
                    "{name}: leakgate's {}hook {}",
                    if global { "global " } else { "" },
                    path.display()
                ));
            }
            match setting(&text, "installed_bin").filter(|b| !b.is_empty()) {
                Some(b) => bins.push(PathBuf::from(b)),
                None => bins.extend(on_path()),
            }
            if global {
                check_global_chain(f, &text, name, target, default_dir.as_deref());
            } else {
                let chained = path.with_file_name(format!("{name}.leakgate-chained"));
                if fs::symlink_metadata(&chained).is_ok() {
                    if is_executable(&chained) {
                        f.ok(format!(
                            "{name}: then runs your own hook {}",
                            chained.display()
                        ));
                    } else {
                        f.problem(
                            format!(
                                "{name}: your own hook {} (kept by leakgate, run after it) is not executable, so it does not run",
                                chained.display()
                            ),
                            format!("chmod +x {}", shown(&chained)),
                        );
                    }
                }
            }
            continue;
        }
        foreign_hook(f, target, name, &path, framework.is_some(), install_cmd);
    }
    Ok(bins)
}

/// A global hook runs the repository's own hook (or the previous global
/// directory's) after leakgate passes: say which, if any.
fn check_global_chain(
    f: &Findings,
    text: &str,
    name: &str,
    target: &Target,
    default_dir: Option<&Path>,
) {
    let own = match setting(text, "previous_hooks").filter(|p| !p.is_empty()) {
        Some(p) => Some(target.top.join(p).join(name)),
        None => default_dir.map(|d| d.join(name)),
    };
    if let Some(own) = own.filter(|o| fs::symlink_metadata(o).is_ok()) {
        if is_executable(&own) {
            f.ok(format!(
                "{name}: then runs this repository's own hook {}",
                own.display()
            ));
        } else {
            f.note(format!(
                "{name}: {} is not executable, so it does not run (git would not run it either)",
                own.display()
            ));
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn missing_hook(
    f: &mut Findings,
    target: &Target,
    name: &str,
    origin: &Option<(String, String)>,
    elsewhere: &[Option<&Path>],
    framework: bool,
    install_cmd: &str,
) {
    let hooks = &target.hooks;
    if framework {
        let fix = if name == "pre-commit" {
            format!("cd {} && pre-commit install", shown(&target.top))
        } else {
            format!(
                "cd {} && pre-commit install --hook-type {name}",
                shown(&target.top)
            )
        };
        f.problem(
            format!(
                "{name}: .pre-commit-config.yaml runs leakgate, but the pre-commit framework's {name} hook is not installed in {}",
                hooks.display()
            ),
            fix,
        );
        return;
    }
    // lefthook runs leakgate, but its hooks are not installed.
    let lefthook_files = lefthook::files(&target.top);
    if let Ok(Some(file)) = lefthook::runner(&target.top, &lefthook_files, name) {
        f.problem(
            format!(
                "{name}: {} runs `leakgate hook {name}`, but lefthook's {name} hook is not installed in {}",
                file.display(),
                hooks.display()
            ),
            format!("cd {} && lefthook install", shown(&target.top)),
        );
        return;
    }
    // Installed, but where git no longer looks: core.hooksPath set later.
    let bypassed = elsewhere
        .iter()
        .flatten()
        .map(|d| d.join(name))
        .find(|p| !install::same_dir(p.parent().unwrap(), hooks) && is_ours(p, name));
    if let (Some(ours), Some((scope, value))) = (bypassed, origin) {
        let unset = match scope.as_str() {
            "local" | "global" | "system" | "worktree" => {
                format!("git config --{scope} --unset core.hooksPath")
            }
            _ => "git config --unset core.hooksPath".to_string(),
        };
        let fix = if husky_owns(hooks) {
            husky_fix(&target.top, name)
        } else {
            format!(
                "{install_cmd}   (writes the hook into {}), or {unset}   (back to {})",
                hooks.display(),
                ours.parent().unwrap().display()
            )
        };
        f.problem(
            format!(
                "{name}: leakgate's hook is in {}, but core.hooksPath ({scope} setting: {}) makes git run hooks from {}: leakgate is bypassed",
                ours.parent().unwrap().display(),
                word(value),
                hooks.display()
            ),
            fix,
        );
        return;
    }
    let global = install::global_dir()
        .ok()
        .filter(|g| install::same_dir(hooks, g));
    f.problem(
        format!(
            "{name}: no hook in {}, the hooks directory git uses here: nothing is checked",
            hooks.display()
        ),
        if husky_owns(hooks) {
            husky_fix(&target.top, name)
        } else if global.is_some() {
            // The global core.hooksPath names leakgate's folder, which lacks it.
            "leakgate install --global".to_string()
        } else {
            install_cmd.to_string()
        },
    );
}

/// A hook leakgate did not write: the framework's, one that calls leakgate
/// itself (husky, lefthook), or one that leaves leakgate out.
fn foreign_hook(
    f: &mut Findings,
    target: &Target,
    name: &str,
    path: &Path,
    framework: bool,
    install_cmd: &str,
) {
    let text = String::from_utf8_lossy(&fs::read(path).unwrap_or_default()).into_owned();
    if !is_executable(path) {
        f.problem(
            format!(
                "{name}: {} is not executable, so git skips it",
                path.display()
            ),
            format!("chmod +x {}", shown(path)),
        );
        return;
    }
    if husky_owns(&target.hooks) {
        let script = target.top.join(".husky").join(name);
        if husky_runs_leakgate(&script, name) {
            f.ok(format!(
                "{name}: husky's hook runs {}, which runs leakgate",
                script.display()
            ));
        } else {
            f.problem(
                format!(
                    "{name}: husky's hook {} does not run leakgate",
                    path.display()
                ),
                husky_fix(&target.top, name),
            );
        }
        return;
    }
    let by_framework = text.contains("pre-commit.com") || text.contains("generated by pre-commit");
    if by_framework && framework {
        f.ok(format!(
            "{name}: the pre-commit framework's hook {}, and .pre-commit-config.yaml runs leakgate",
            path.display()
        ));
    } else if !by_framework && lefthook::wrote(&text) {
        lefthook_hook(f, target, name, path);
    } else if text.contains("leakgate") && !by_framework {
        f.note(format!(
            "{name}: {} is not leakgate's hook but calls leakgate (your own script): make sure it runs `leakgate hook {name}`",
            path.display()
        ));
    } else {
        f.problem(
            format!(
                "{name}: {} is not leakgate's hook and does not run leakgate",
                path.display()
            ),
            format!("{install_cmd}   (keeps your hook; it runs after leakgate's passes)"),
        );
    }
}

/// A hook lefthook wrote: whether its configuration runs leakgate.
fn lefthook_hook(f: &mut Findings, target: &Target, name: &str, path: &Path) {
    let files = lefthook::files(&target.top);
    match lefthook::runner(&target.top, &files, name) {
        Ok(Some(file)) => f.ok(format!(
            "{name}: lefthook's hook {}, and {} runs `leakgate hook {name}`",
            path.display(),
            file.display()
        )),
        Ok(None) => f.problem(
            format!(
                "{name}: lefthook's hook {} does not run leakgate ({})",
                path.display(),
                if files.is_empty() {
                    "no lefthook configuration here".to_string()
                } else {
                    format!(
                        "no `leakgate hook {name}` under {name} in {}",
                        files
                            .iter()
                            .map(|f| f.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ),
            lefthook::fix(&files, name),
        ),
        Err(e) => f.problem(
            format!(
                "{name}: lefthook's hook {}, whose configuration cannot be read: {e:#}",
                path.display()
            ),
            "fix the file named, then run `leakgate doctor` again",
        ),
    }
}

/// The binaries leakgate's hooks call exist and are this version.
fn check_binaries(f: &mut Findings, bins: &[PathBuf], install_cmd: &str) {
    let want = this_version();
    let mut seen: Vec<&PathBuf> = Vec::new();
    for bin in bins {
        if seen.contains(&bin) {
            continue;
        }
        seen.push(bin);
        if !is_executable(bin) {
            let fallback = on_path()
                .map(|p| format!("they fall back to {} on PATH", p.display()))
                .unwrap_or_else(|| "none is on PATH either, so every commit is blocked".into());
            f.problem(
                format!(
                    "the binary the hooks call, {}, is missing or not executable ({fallback})",
                    bin.display()
                ),
                format!("{install_cmd}   (records this leakgate's path in the hooks)"),
            );
            continue;
        }
        match version_of(bin) {
            Some(v) if v == want => f.ok(format!("the hooks call {} ({v})", bin.display())),
            have => f.problem(
                format!(
                    "the hooks call {}, which is {}, not this {want}",
                    bin.display(),
                    have.as_deref().unwrap_or("not a working leakgate")
                ),
                format!("{install_cmd}   (run with the leakgate the hooks should use)"),
            ),
        }
    }
}

/// `.leakgate.toml` and `.leakgate-allow.toml` parse, the rules load, and no
/// allowlist entry has expired.
fn check_policy(f: &mut Findings, target: &Target) -> Result<()> {
    let edit = |file: &str| format!("edit {file} there, then run `leakgate doctor` again");
    let (config, allow) = if target.bare {
        let repo = Repository::open(&target.top)?;
        let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) else {
            f.ok("no commit yet: the built-in rules apply");
            return Ok(());
        };
        match context::files_at(&repo, &head) {
            Ok((c, a)) => (Some(c), Some(a)),
            Err(e) => {
                f.problem(
                    format!("{e:#}"),
                    "fix the file on the default branch and push it",
                );
                return Ok(());
            }
        }
    } else {
        let config = match Config::load(&target.top) {
            Ok(c) => Some(c),
            Err(e) => {
                f.problem(format!("{e:#}"), edit(config::CONFIG_FILE));
                None
            }
        };
        let allow = match Allowlist::load(&allow::location(&target.top), allow::ALLOW_FILE) {
            Ok(a) => Some(a),
            Err(e) => {
                f.problem(format!("{e:#}"), edit(allow::ALLOW_FILE));
                None
            }
        };
        (config, allow)
    };
    if let Some(allow) = &allow {
        expired(f, allow);
    }
    let (Some(config), Some(allow)) = (config, allow) else {
        return Ok(());
    };
    let file = allow.file.clone();
    let entries = allow.entries.len();
    match Settings::new(config, allow) {
        Ok(settings) => match settings.catalog.load_all() {
            Ok(()) => {
                f.ok(format!(
                    "{} and {file} ({entries} entr{}) read; {} rules load",
                    config::CONFIG_FILE,
                    if entries == 1 { "y" } else { "ies" },
                    settings.catalog.rules.len()
                ));
            }
            Err(e) => f.problem(format!("{e:#}"), edit(config::CONFIG_FILE)),
        },
        Err(e) => f.problem(
            format!("{e:#}"),
            "fix the file and line named, then run `leakgate doctor` again",
        ),
    }
    Ok(())
}

/// Entries past their `expires`: the secret each allowed blocks again.
fn expired(f: &mut Findings, allow: &Allowlist) {
    let today = Day::today();
    for e in &allow.entries {
        if let Some(day) = e.expires.filter(|d| *d < today) {
            f.problem(
                format!(
                    "{}:{}: the allowlist entry expired on {day}: the secret it allowed blocks again",
                    allow.file, e.line
                ),
                format!(
                    "edit {} line {}: delete the entry (and rotate the key), or, once reviewed, give it a later `expires`",
                    allow.file, e.line
                ),
            );
        }
    }
}

//! `leakgate install` and `leakgate uninstall`: put leakgate's hook shims
//! where git will run them, for one repository or (`--global`) for every
//! repository of the user, and take them out again.
//!
//! A hook is leakgate's only if its second line is the marker exactly as the
//! templates write it. A hook that is not leakgate's is never overwritten or
//! deleted: it is kept beside ours as `<hook>.leakgate-chained`, runs after
//! ours passes, and is put back by `uninstall`. The hooks directory is the one
//! git itself resolves (`git rev-parse --git-path hooks`: `core.hooksPath`,
//! worktrees), so what is written is what runs. Nothing here touches the
//! index, the working tree, refs or objects; the only git setting written is
//! the global `core.hooksPath`, and only by `--global`, which remembers the
//! value it replaced so that `uninstall --global` restores it.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, bail, Context as _, Result};

use crate::cli::{InstallArgs, UninstallArgs};
use crate::output::Exit;

pub const MARKER: &str = "leakgate-managed-hook";

/// The shim for the hooks leakgate checks (pre-commit, pre-push, pre-receive).
const HOOK_TEMPLATE: &str = include_str!("../../hooks/hook.sh.in");
/// The global install's shim for every other hook: runs the repository's own.
const PASSTHROUGH_TEMPLATE: &str = include_str!("../../hooks/passthrough.sh.in");

/// What a work tree gets, and what a bare (server) repository gets.
pub const CLIENT_HOOKS: &[&str] = &["pre-commit", "pre-push"];
pub const SERVER_HOOKS: &[&str] = &["pre-receive"];

/// The hooks a global `core.hooksPath` would otherwise switch off in every
/// repository, each given a pass-through shim. Left out: `push-to-checkout`
/// (its mere presence replaces git's own `updateInstead` logic) and
/// `fsmonitor-watchman` (configured by `core.fsmonitor`, not run from here).
const PASSTHROUGH_HOOKS: &[&str] = &[
    "applypatch-msg",
    "pre-applypatch",
    "post-applypatch",
    "pre-merge-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "pre-rebase",
    "post-checkout",
    "post-merge",
    "pre-receive",
    "update",
    "proc-receive",
    "post-receive",
    "post-update",
    "reference-transaction",
    "pre-auto-gc",
    "post-rewrite",
    "sendemail-validate",
    "post-index-change",
    "p4-changelist",
    "p4-prepare-changelist",
    "p4-post-changelist",
    "p4-pre-submit",
];

/// Where the global install remembers the `core.hooksPath` it replaced.
const PREVIOUS_FILE: &str = "previous-hooks-path";

pub fn run_install(args: &InstallArgs) -> Result<Exit> {
    let bin = match &args.bin {
        Some(b) => {
            let b = absolute(b)?;
            if !is_executable(&b) {
                bail!("--bin: not an executable file: {}", b.display());
            }
            b
        }
        None => std::env::current_exe().context("finding this leakgate binary's path")?,
    };
    if args.global {
        install_global(&bin)
    } else {
        install_repo(args.repo.as_deref().unwrap_or(Path::new(".")), &bin)
    }?;
    Ok(Exit::Clean)
}

pub fn run_uninstall(args: &UninstallArgs) -> Result<Exit> {
    if args.global {
        uninstall_global()
    } else {
        uninstall_repo(args.repo.as_deref().unwrap_or(Path::new(".")))
    }?;
    Ok(Exit::Clean)
}

fn say(msg: impl std::fmt::Display) {
    println!("leakgate: {msg}");
}

/// A repository as git sees it: its top (the work tree's root, or the git
/// directory of a bare one) and the hooks directory git runs hooks from.
pub struct Target {
    pub top: PathBuf,
    pub hooks: PathBuf,
    pub bare: bool,
}

impl Target {
    pub fn names(&self) -> &'static [&'static str] {
        if self.bare {
            SERVER_HOOKS
        } else {
            CLIENT_HOOKS
        }
    }
}

/// Runs git in `dir`; `Ok(None)` when git says no (exit 1: an unset key,
/// not a repository), an error when git cannot be run at all.
pub fn git(dir: &Path, args: &[&str]) -> Result<Option<String>> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .context("running git (is it installed and on PATH?)")?;
    if !out.status.success() {
        return Ok(None);
    }
    let text = String::from_utf8(out.stdout)
        .map_err(|_| anyhow!("git {} printed a path that is not UTF-8", args.join(" ")))?;
    Ok(Some(text.trim_end_matches('\n').to_string()))
}

/// The repository at `repo` and the hooks directory git uses for it.
pub fn resolve(repo: &Path) -> Result<Target> {
    if !repo.is_dir() {
        bail!("no such directory: {}", repo.display());
    }
    let bare = git(repo, &["rev-parse", "--is-bare-repository"])?.as_deref() == Some("true");
    let top = if bare {
        git(repo, &["rev-parse", "--absolute-git-dir"])?
    } else {
        git(repo, &["rev-parse", "--show-toplevel"])?
    }
    .filter(|t| !t.is_empty())
    .ok_or_else(|| anyhow!("not a git repository: {}", repo.display()))?;
    let top = PathBuf::from(top);
    let hooks = git(&top, &["rev-parse", "--git-path", "hooks"])?
        .ok_or_else(|| anyhow!("git cannot say where the hooks of {} are", top.display()))?;
    Ok(Target {
        hooks: top.join(hooks),
        top,
        bare,
    })
}

/// Whether the file at `path` is leakgate's `name` hook: its second line is
/// the marker exactly. A hook that merely mentions leakgate is someone else's.
pub fn is_ours(path: &Path, name: &str) -> bool {
    let Ok(bytes) = fs::read(path) else {
        return false;
    };
    let text = String::from_utf8_lossy(&bytes);
    text.lines().nth(1) == Some(marker_line(name).as_str())
}

fn marker_line(name: &str) -> String {
    format!("# {MARKER} ({name})")
}

/// A file or a symbolic link (even a dangling one) is at `path`.
fn occupied(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

pub fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn absolute(path: &Path) -> Result<PathBuf> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    Ok(std::env::current_dir()
        .context("reading the current directory")?
        .join(path))
}

/// `s` quoted for sh: in single quotes, each `'` written as `'\''`.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The inverse of [`sh_quote`], for reading back what a hook records.
pub fn sh_unquote(s: &str) -> String {
    let s = s.strip_prefix('\'').unwrap_or(s);
    let s = s.strip_suffix('\'').unwrap_or(s);
    s.replace(r"'\''", "'")
}

fn utf8(path: &Path) -> Result<&str> {
    path.to_str()
        .ok_or_else(|| anyhow!("this path is not UTF-8, so no hook can name it: {path:?}"))
}

/// How a shim is filled in beyond its name.
struct Fill<'a> {
    bin: Option<&'a str>,
    global: bool,
    previous: Option<&'a str>,
}

/// A shim from `template`: its name, and each setting line (`installed_bin=`,
/// `global=`, `previous_hooks=`) written with its value, so the installed file
/// stands alone (a server's pre-receive needs nothing beside it).
fn render(template: &str, name: &str, fill: &Fill<'_>) -> Result<String> {
    let mut out = String::with_capacity(template.len() + 128);
    for line in template.lines() {
        match line {
            "installed_bin=" => {
                if let Some(bin) = fill.bin {
                    out.push_str(&format!("installed_bin={}", sh_quote(bin)));
                } else {
                    out.push_str(line);
                }
            }
            "global=" if fill.global => out.push_str("global=1"),
            "previous_hooks=" => match fill.previous {
                Some(p) => out.push_str(&format!("previous_hooks={}", sh_quote(p))),
                None => out.push_str(line),
            },
            _ => out.push_str(&line.replace("@HOOK@", name)),
        }
        out.push('\n');
    }
    if out.lines().nth(1) != Some(marker_line(name).as_str()) {
        bail!("{name}: the hook template lacks the marker line");
    }
    Ok(out)
}

/// Writes `text` at `target` whole (a temporary file renamed over it), mode 755.
fn write_hook(target: &Path, text: &str) -> Result<()> {
    let dir = target.parent().expect("a hook path has a folder");
    let name = target.file_name().expect("a hook path has a name");
    let tmp = dir.join(format!(
        "{}.leakgate-tmp.{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let write = || -> std::io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.set_permissions(fs::Permissions::from_mode(0o755))?;
        f.sync_all()?;
        fs::rename(&tmp, target)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        anyhow!("writing {}: {e}", target.display())
    })
}

/// The hooks directory a global install manages:
/// `$XDG_CONFIG_HOME/leakgate/hooks`, else `~/.config/leakgate/hooks`.
pub fn global_dir() -> Result<PathBuf> {
    let base = match std::env::var_os("XDG_CONFIG_HOME") {
        Some(x) if Path::new(&x).is_absolute() => PathBuf::from(x),
        _ => match std::env::var_os("HOME") {
            Some(h) if !h.is_empty() => PathBuf::from(h).join(".config"),
            _ => bail!("neither XDG_CONFIG_HOME nor HOME is set: no place for the global hooks"),
        },
    };
    Ok(base.join("leakgate").join("hooks"))
}

/// Whether `a` and `b` name the same folder (either may not exist).
pub fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Under a global install git runs leakgate's global hooks, which run the
/// repository's own (`$GIT_COMMON_DIR/hooks/<name>`): a repository's own
/// install goes there, never into the folder the global install manages.
/// A bare repository needs it (the global pre-receive only passes through);
/// a work tree keeps its hooks if the global install goes away.
fn beside_global(mut target: Target) -> Result<Target> {
    let global = global_dir()?;
    if !same_dir(&target.hooks, &global) {
        return Ok(target);
    }
    let own = own_hooks(&target)?;
    say(format!(
        "git runs leakgate's global hooks here ({}), which run this repository's own hooks: using {}",
        global.display(),
        own.display()
    ));
    target.hooks = own;
    Ok(target)
}

/// The repository's own hooks folder, whatever `core.hooksPath` says.
pub fn own_hooks(target: &Target) -> Result<PathBuf> {
    let common = git(&target.top, &["rev-parse", "--git-common-dir"])?.ok_or_else(|| {
        anyhow!(
            "git cannot say where {} keeps its files",
            target.top.display()
        )
    })?;
    Ok(target.top.join(common).join("hooks"))
}

fn install_repo(repo: &Path, bin: &Path) -> Result<()> {
    let target = beside_global(resolve(repo)?)?;
    let bin = utf8(bin)?;
    fs::create_dir_all(&target.hooks)
        .with_context(|| format!("creating {}", target.hooks.display()))?;
    for &name in target.names() {
        let hook = target.hooks.join(name);
        let saved = target.hooks.join(format!("{name}.leakgate-chained"));
        if occupied(&hook) && !is_ours(&hook, name) {
            if occupied(&saved) {
                bail!(
                    "{name}: both {} and {} exist and neither is leakgate's hook; move one away and run again",
                    hook.display(),
                    saved.display()
                );
            }
            fs::rename(&hook, &saved)
                .with_context(|| format!("moving {} aside", hook.display()))?;
            say(format!(
                "{name}: kept your existing hook; it now runs after leakgate's ({})",
                saved.display()
            ));
        }
        let text = render(
            HOOK_TEMPLATE,
            name,
            &Fill {
                bin: Some(bin),
                global: false,
                previous: None,
            },
        )?;
        write_hook(&hook, &text)?;
        say(format!("{name}: installed ({})", hook.display()));
    }
    if target.bare {
        say(format!(
            "done: pushes to {} are now checked for API keys",
            target.top.display()
        ));
    } else {
        say(format!(
            "done: commits and pushes in {} are now checked for API keys",
            target.top.display()
        ));
    }
    Ok(())
}

fn uninstall_repo(repo: &Path) -> Result<()> {
    let target = beside_global(resolve(repo)?)?;
    for &name in target.names() {
        let hook = target.hooks.join(name);
        let saved = target.hooks.join(format!("{name}.leakgate-chained"));
        if is_ours(&hook, name) {
            fs::remove_file(&hook).with_context(|| format!("removing {}", hook.display()))?;
            if occupied(&saved) {
                fs::rename(&saved, &hook)
                    .with_context(|| format!("putting back {}", saved.display()))?;
                say(format!(
                    "{name}: removed leakgate's hook, restored the one that was there before"
                ));
            } else {
                say(format!("{name}: removed leakgate's hook"));
            }
        } else if occupied(&hook) {
            say(format!("{name}: left alone (not leakgate's hook)"));
        }
    }
    Ok(())
}

/// The global `core.hooksPath` as written (`raw`) and as git expands it
/// (`~/` resolved), or `None` when it is not set.
pub struct GlobalHooksPath {
    pub raw: String,
    pub expanded: PathBuf,
}

pub fn global_hooks_path() -> Result<Option<GlobalHooksPath>> {
    let here = std::env::temp_dir();
    let Some(raw) = git(&here, &["config", "--global", "--get", "core.hooksPath"])? else {
        return Ok(None);
    };
    let expanded = git(
        &here,
        &[
            "config",
            "--global",
            "--type=path",
            "--get",
            "core.hooksPath",
        ],
    )?
    .unwrap_or_else(|| raw.clone());
    Ok(Some(GlobalHooksPath {
        raw,
        expanded: PathBuf::from(expanded),
    }))
}

/// `~/x` as git reads a path setting: `$HOME/x`.
fn expand_tilde(p: &str) -> String {
    match (p.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => p.to_string(),
    }
}

/// The `core.hooksPath` the global install replaced, as it remembered it.
pub fn remembered_previous(dir: &Path) -> Result<Option<String>> {
    match fs::read_to_string(dir.join(PREVIOUS_FILE)) {
        Ok(t) => Ok(Some(t.trim_end_matches('\n').to_string()).filter(|t| !t.is_empty())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", dir.join(PREVIOUS_FILE).display())),
    }
}

fn set_global_hooks_path(value: Option<&str>) -> Result<()> {
    let here = std::env::temp_dir();
    let ok = match value {
        Some(v) => git(&here, &["config", "--global", "core.hooksPath", v])?,
        None => git(&here, &["config", "--global", "--unset", "core.hooksPath"])?,
    };
    ok.map(|_| ())
        .ok_or_else(|| anyhow!("git could not write the global core.hooksPath"))
}

fn install_global(bin: &Path) -> Result<()> {
    let dir = global_dir()?;
    let dir_text = utf8(&dir)?.to_string();
    let bin = utf8(bin)?;
    let current = global_hooks_path()?;
    let already = current
        .as_ref()
        .is_some_and(|c| same_dir(&c.expanded, &dir));
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    // Remembered once, when the global value is replaced; a second install
    // keeps what the first one found.
    let previous = if already {
        remembered_previous(&dir)?
    } else {
        let previous = current.as_ref().map(|c| c.raw.clone());
        let file = dir.join(PREVIOUS_FILE);
        match &previous {
            Some(p) => fs::write(&file, format!("{p}\n"))
                .with_context(|| format!("writing {}", file.display()))?,
            None => match fs::remove_file(&file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("removing {}", file.display()))
                }
                _ => {}
            },
        }
        previous
    };
    // Chaining runs the previous directory's hooks as git would have: with
    // `~/` expanded (a relative one stays relative to where hooks run).
    let previous_expanded = previous.as_deref().map(expand_tilde);
    for &name in CLIENT_HOOKS.iter().chain(PASSTHROUGH_HOOKS) {
        let hook = dir.join(name);
        if occupied(&hook) && !is_ours(&hook, name) {
            bail!(
                "{} is not leakgate's hook, in the folder leakgate manages for the global install; move it away and run again",
                hook.display()
            );
        }
        let (template, bin) = if CLIENT_HOOKS.contains(&name) {
            (HOOK_TEMPLATE, Some(bin))
        } else {
            (PASSTHROUGH_TEMPLATE, None)
        };
        let text = render(
            template,
            name,
            &Fill {
                bin,
                global: true,
                previous: previous_expanded.as_deref(),
            },
        )?;
        write_hook(&hook, &text)?;
    }
    if !already {
        set_global_hooks_path(Some(&dir_text))?;
    }
    say(format!(
        "pre-commit, pre-push: installed in {dir_text}, now the global core.hooksPath"
    ));
    match &previous {
        Some(p) => say(format!(
            "the global core.hooksPath was {p}: its hooks run after leakgate's passes, and `leakgate uninstall --global` sets it back"
        )),
        None => say(
            "each repository's own hooks (.git/hooks) still run: pre-commit and pre-push after leakgate's passes, the others as before",
        ),
    }
    say("a repository that sets its own core.hooksPath (husky does) overrides this; `leakgate doctor` there says what to do");
    say("done: commits and pushes in every repository of this user are now checked for API keys");
    Ok(())
}

fn uninstall_global() -> Result<()> {
    let dir = global_dir()?;
    let current = global_hooks_path()?;
    let previous = remembered_previous(&dir)?;
    match &current {
        Some(c) if same_dir(&c.expanded, &dir) => match &previous {
            Some(p) => {
                set_global_hooks_path(Some(p))?;
                say(format!("global core.hooksPath set back to {p}"));
            }
            None => {
                set_global_hooks_path(None)?;
                say("global core.hooksPath unset (it was not set before the install)");
            }
        },
        Some(c) => say(format!(
            "the global core.hooksPath is {}, not leakgate's: left as it is",
            c.raw
        )),
        None => say("the global core.hooksPath is not set: nothing to restore"),
    }
    if !dir.is_dir() {
        return Ok(());
    }
    let mut removed = 0;
    for &name in CLIENT_HOOKS.iter().chain(PASSTHROUGH_HOOKS) {
        let hook = dir.join(name);
        if is_ours(&hook, name) {
            fs::remove_file(&hook).with_context(|| format!("removing {}", hook.display()))?;
            removed += 1;
        }
    }
    let file = dir.join(PREVIOUS_FILE);
    if occupied(&file) {
        fs::remove_file(&file).with_context(|| format!("removing {}", file.display()))?;
    }
    // Only an empty folder goes: anything else in it is not ours to delete.
    let _ = fs::remove_dir(&dir);
    if removed > 0 {
        say(format!(
            "removed leakgate's global hooks from {}",
            dir.display()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_round_trips() {
        for s in ["/usr/bin/leakgate", "/a b/it's/x", "''", ""] {
            assert_eq!(sh_unquote(&sh_quote(s)), s);
        }
    }

    #[test]
    fn templates_carry_the_marker_on_line_two() {
        let fill = Fill {
            bin: Some("/x"),
            global: true,
            previous: None,
        };
        for name in CLIENT_HOOKS.iter().chain(SERVER_HOOKS) {
            assert!(render(HOOK_TEMPLATE, name, &fill).is_ok());
        }
        for name in PASSTHROUGH_HOOKS {
            assert!(render(PASSTHROUGH_TEMPLATE, name, &fill).is_ok());
        }
    }
}

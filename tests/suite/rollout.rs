//! Issue 14, rollout for a whole team: `leakgate install` / `uninstall` as
//! commands (per repository and `--global`) and `leakgate doctor`, driven
//! through the real `git`. Global installs run with the sandbox's own HOME
//! and XDG_CONFIG_HOME (and no system config), never the user's.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

/// leakgate with the sandbox's XDG_CONFIG_HOME, where `--global` keeps its
/// hooks directory.
fn lg_command(sb: &Sandbox, cwd: &Path, args: &[&str]) -> Command {
    let mut c = sb.command(BIN, cwd);
    c.args(args).env("XDG_CONFIG_HOME", sb.path("xdg"));
    c
}

fn lg(sb: &Sandbox, cwd: &Path, args: &[&str]) -> Run {
    sb.output(&mut lg_command(sb, cwd, args))
}

fn global_hooks(sb: &Sandbox) -> PathBuf {
    sb.path("xdg/leakgate/hooks")
}

fn global_hooks_path(sb: &Sandbox) -> Option<String> {
    let run = sb.git(sb.dir.path(), &["config", "--global", "core.hooksPath"]);
    run.ok().then(|| run.stdout.trim().to_string())
}

fn executable(path: &Path, body: &str) {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).unwrap();
    }
    fs::write(path, body).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

/// A hook of the user's own that appends `what` to `log`.
fn logging_hook(path: &Path, log: &Path, what: &str) -> String {
    let body = format!("#!/bin/sh\necho {what} >> '{}'\n", log.display());
    executable(path, &body);
    body
}

fn read(p: &Path) -> String {
    fs::read_to_string(p).unwrap_or_default()
}

/// Stages a MessageBird key in `repo` and shows that a commit is refused.
fn commit_with_a_key_is_blocked(sb: &Sandbox, repo: &Path, seed: u64, what: &str) {
    write(repo, "app.env", &env_line(&key(seed)));
    sb.git(repo, &["add", "app.env"]).expect_ok("add");
    let run = sb.commit(repo, "key").expect_blocked(what);
    assert!(run.stderr.contains("app.env:1:24"), "{}", run.stderr);
    sb.git(repo, &["rm", "-q", "--cached", "app.env"])
        .expect_ok("unstage");
    fs::remove_file(repo.join("app.env")).unwrap();
}

fn clean_commit(sb: &Sandbox, repo: &Path, name: &str) {
    write(repo, name, "hello\n");
    sb.git(repo, &["add", name]).expect_ok("add");
    sb.commit(repo, name).expect_ok("a clean commit");
}

#[test]
fn install_and_uninstall_commands_in_a_repository() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    let hooks = repo.join(".git/hooks");
    let before: Vec<_> = fs::read_dir(&hooks).unwrap().collect();
    let run = lg(&sb, &repo, &["install"]).expect_ok("leakgate install");
    assert!(
        run.stdout.contains("pre-commit: installed"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("pre-push: installed"), "{}", run.stdout);
    let hook = read(&hooks.join("pre-commit"));
    assert_eq!(
        hook.lines().nth(1),
        Some("# leakgate-managed-hook (pre-commit)")
    );
    // Without --bin, the hooks run the binary that installed them.
    assert!(
        hook.contains(&format!("\ninstalled_bin='{BIN}'\n")),
        "{hook}"
    );
    commit_with_a_key_is_blocked(&sb, &repo, 140, "blocked after leakgate install");
    clean_commit(&sb, &repo, "a.txt");

    // A push is checked too.
    sb.remote(&repo, "origin.git");
    write(&repo, "b.env", &env_line(&key(141)));
    sb.git(&repo, &["add", "b.env"]).expect_ok("add");
    sb.commit_unchecked(&repo, "key past the commit hook");
    sb.git(&repo, &["push", "-q", "origin", "main"])
        .expect_blocked("pre-push blocks");

    // From a subfolder, naming the repository by a relative path.
    fs::create_dir_all(repo.join("sub")).unwrap();
    lg(&sb, &repo.join("sub"), &["install", ".."]).expect_ok("install again, from a subfolder");
    assert!(!hooks.join("pre-commit.leakgate-chained").exists());

    let run = lg(&sb, &repo, &["uninstall"]).expect_ok("leakgate uninstall");
    assert!(
        run.stdout.contains("pre-commit: removed leakgate's hook"),
        "{}",
        run.stdout
    );
    assert!(!hooks.join("pre-commit").exists());
    assert!(!hooks.join("pre-push").exists());
    assert_eq!(fs::read_dir(&hooks).unwrap().count(), before.len());
    clean_commit(&sb, &repo, "c.txt");
}

#[test]
fn install_command_keeps_a_foreign_hook_chained_and_uninstall_restores_it() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    let hooks = repo.join(".git/hooks");
    let log = sb.path("ran.log");
    let body = logging_hook(&hooks.join("pre-commit"), &log, "own-pre-commit");
    fs::set_permissions(hooks.join("pre-commit"), fs::Permissions::from_mode(0o750)).unwrap();

    let run = lg(&sb, &repo, &["install"]).expect_ok("install");
    assert!(
        run.stdout.contains("kept your existing hook"),
        "{}",
        run.stdout
    );
    assert_eq!(read(&hooks.join("pre-commit.leakgate-chained")), body);
    commit_with_a_key_is_blocked(&sb, &repo, 142, "leakgate first");
    assert_eq!(read(&log), "", "the own hook ran although leakgate blocked");
    clean_commit(&sb, &repo, "a.txt");
    assert_eq!(read(&log), "own-pre-commit\n");

    lg(&sb, &repo, &["uninstall"]).expect_ok("uninstall");
    assert_eq!(read(&hooks.join("pre-commit")), body);
    let mode = fs::metadata(hooks.join("pre-commit"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o750);
    assert!(!hooks.join("pre-commit.leakgate-chained").exists());
}

#[test]
fn install_command_on_a_bare_repository_guards_pushes() {
    let sb = Sandbox::new();
    let server = sb.bare("server.git");
    let run = lg(&sb, &server, &["install"]).expect_ok("install on a server");
    assert!(
        run.stdout.contains("pre-receive: installed"),
        "{}",
        run.stdout
    );
    assert!(server.join("hooks/pre-receive").exists());
    assert!(!server.join("hooks/pre-commit").exists());

    let client = sb.bare_init("client");
    sb.git(
        &client,
        &["remote", "add", "origin", server.to_str().unwrap()],
    )
    .expect_ok("remote");
    write(&client, "app.env", &env_line(&key(143)));
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "key").expect_ok("no client hook");
    let run = sb
        .git(&client, &["push", "origin", "main"])
        .expect_blocked("the server refuses");
    assert!(run.stderr.contains("app.env:1:24"), "{}", run.stderr);

    lg(&sb, &server, &["uninstall"]).expect_ok("uninstall");
    assert!(!server.join("hooks/pre-receive").exists());
}

#[test]
fn install_command_from_a_worktree_guards_every_worktree() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    clean_commit(&sb, &repo, "a.txt");
    let wt = sb.path("wt");
    sb.git(
        &repo,
        &["worktree", "add", "-q", wt.to_str().unwrap(), "-b", "wt"],
    )
    .expect_ok("worktree");
    lg(&sb, &wt, &["install"]).expect_ok("install from the worktree");
    assert!(repo.join(".git/hooks/pre-commit").exists());
    commit_with_a_key_is_blocked(&sb, &wt, 144, "blocked in the worktree");
    commit_with_a_key_is_blocked(&sb, &repo, 145, "blocked in the main work tree");
}

#[test]
fn install_command_honours_core_hooks_path() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    sb.git(&repo, &["config", "core.hooksPath", "tools/git hooks"])
        .expect_ok("config");
    lg(&sb, &repo, &["install"]).expect_ok("install");
    assert!(repo.join("tools/git hooks/pre-commit").exists());
    assert!(!repo.join(".git/hooks/pre-commit").exists());
    commit_with_a_key_is_blocked(&sb, &repo, 146, "the hook in core.hooksPath runs");
}

#[test]
fn install_sh_bootstraps_and_hands_over_to_leakgate_install() {
    // install.sh with a binary given: it says nothing of building and what
    // follows is `leakgate install`'s (--global included).
    let sb = Sandbox::new();
    let script = project_root().join("install.sh");
    let run = sb
        .output(
            sb.command("sh", sb.dir.path())
                .args([script.to_str().unwrap(), "--bin", BIN, "--global"])
                .env("XDG_CONFIG_HOME", sb.path("xdg")),
        )
        .expect_ok("install.sh --global");
    assert!(!run.stdout.contains("building"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("leakgate: done: commits and pushes in every repository"),
        "{}",
        run.stdout
    );
    assert_eq!(
        global_hooks_path(&sb).as_deref(),
        global_hooks(&sb).to_str()
    );
    sb.output(
        sb.command("sh", sb.dir.path())
            .args([
                script.to_str().unwrap(),
                "--uninstall",
                "--bin",
                BIN,
                "--global",
            ])
            .env("XDG_CONFIG_HOME", sb.path("xdg")),
    )
    .expect_ok("install.sh --uninstall --global");
    assert_eq!(global_hooks_path(&sb), None);
}

#[test]
fn global_install_guards_a_new_repository() {
    let sb = Sandbox::new();
    let run = lg(&sb, sb.dir.path(), &["install", "--global"]).expect_ok("install --global");
    assert!(
        run.stdout.contains("global core.hooksPath"),
        "{}",
        run.stdout
    );
    let dir = global_hooks(&sb);
    assert_eq!(global_hooks_path(&sb).as_deref(), dir.to_str());
    // The real user's config is untouched: git wrote the sandbox's HOME.
    assert!(read(&sb.path("home/.gitconfig")).contains("hooksPath"));

    // A repository made after the install, with no hooks of its own.
    let repo = sb.bare_init("new");
    assert!(!repo.join(".git/hooks/pre-commit").exists());
    commit_with_a_key_is_blocked(&sb, &repo, 147, "the global hook blocks");
    clean_commit(&sb, &repo, "a.txt");
    // ...and its pushes.
    sb.remote(&repo, "origin.git");
    write(&repo, "b.env", &env_line(&key(148)));
    sb.git(&repo, &["add", "b.env"]).expect_ok("add");
    sb.commit_unchecked(&repo, "key past the commit hook");
    sb.git(&repo, &["push", "-q", "origin", "main"])
        .expect_blocked("the global pre-push hook blocks");

    // Installing again changes nothing.
    let first = fs::read(dir.join("pre-commit")).unwrap();
    lg(&sb, sb.dir.path(), &["install", "--global"]).expect_ok("install --global again");
    assert_eq!(fs::read(dir.join("pre-commit")).unwrap(), first);
    assert_eq!(global_hooks_path(&sb).as_deref(), dir.to_str());

    // The folder the global install manages is never a repository's.
    let run = lg(&sb, &repo, &["install"]).expect_ok("install in a covered repository");
    assert!(run.stdout.contains("own hooks"), "{}", run.stdout);
    assert!(repo.join(".git/hooks/pre-commit").exists());
    lg(&sb, &repo, &["uninstall"]).expect_ok("uninstall in a covered repository");
    assert!(!repo.join(".git/hooks/pre-commit").exists());
    assert_eq!(fs::read(dir.join("pre-commit")).unwrap(), first);

    // A managed hook gone missing: doctor's fix puts it back.
    fs::remove_file(dir.join("pre-push")).unwrap();
    let out = doctor(&sb, &repo, 1);
    assert_eq!(
        fix_for(&out, "pre-push: no hook"),
        "fix: leakgate install --global"
    );
    lg(&sb, &repo, &["install", "--global"]).expect_ok("the fix");
    doctor(&sb, &repo, 0);

    let run = lg(&sb, sb.dir.path(), &["uninstall", "--global"]).expect_ok("uninstall --global");
    assert!(run.stdout.contains("unset"), "{}", run.stdout);
    assert_eq!(global_hooks_path(&sb), None);
    assert!(!dir.exists(), "the managed folder is left behind");
    write(&repo, "c.env", &env_line(&key(149)));
    sb.git(&repo, &["add", "c.env"]).expect_ok("add");
    sb.commit(&repo, "unguarded")
        .expect_ok("no hook after uninstall --global");
}

#[test]
fn global_install_keeps_a_repositorys_own_hooks_running() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    let log = sb.path("ran.log");
    let hooks = repo.join(".git/hooks");
    logging_hook(&hooks.join("pre-commit"), &log, "own-pre-commit");
    logging_hook(&hooks.join("commit-msg"), &log, "own-commit-msg");
    lg(&sb, sb.dir.path(), &["install", "--global"]).expect_ok("install --global");

    commit_with_a_key_is_blocked(&sb, &repo, 150, "the global hook blocks first");
    assert_eq!(read(&log), "", "the own hook ran although leakgate blocked");
    clean_commit(&sb, &repo, "a.txt");
    assert_eq!(read(&log), "own-pre-commit\nown-commit-msg\n");

    // A repository installed on its own keeps its leakgate hook and the
    // hook that hook chains; the global hook hands over to it.
    let other = sb.bare_init("other");
    let other_log = sb.path("other.log");
    logging_hook(&other.join(".git/hooks/pre-commit"), &other_log, "kept");
    let run = lg(&sb, &other, &["install"]).expect_ok("per-repository install");
    assert!(
        run.stdout.contains("run this repository's own hooks"),
        "{}",
        run.stdout
    );
    assert!(other
        .join(".git/hooks/pre-commit.leakgate-chained")
        .exists());
    write(&other, "app.env", &env_line(&key(151)));
    sb.git(&other, &["add", "app.env"]).expect_ok("add");
    let run = sb.commit(&other, "key").expect_blocked("blocked");
    assert_eq!(
        run.stderr.matches("commit blocked").count(),
        1,
        "checked twice:\n{}",
        run.stderr
    );
    sb.git(&other, &["rm", "-q", "--cached", "app.env"])
        .expect_ok("unstage");
    clean_commit(&sb, &other, "a.txt");
    assert_eq!(read(&other_log), "kept\n");
}

#[test]
fn a_server_under_a_global_install_gets_its_own_pre_receive() {
    // The global hooks pass a push on to the repository's own pre-receive;
    // doctor says nothing checks it until leakgate's is installed there.
    let sb = Sandbox::new();
    lg(&sb, sb.dir.path(), &["install", "--global"]).expect_ok("install --global");
    let server = sb.bare("server.git");
    let out = doctor(&sb, &server, 1);
    let fix = fix_for(&out, "pre-receive: git runs leakgate's global hooks");
    assert!(fix.contains("leakgate install"), "{fix}");

    lg(&sb, &server, &["install"]).expect_ok("install on the server");
    assert!(server.join("hooks/pre-receive").exists());
    let out = doctor(&sb, &server, 0);
    assert!(out.contains("pass it on"), "{out}");
    let client = sb.bare_init("client");
    sb.git(
        &client,
        &["remote", "add", "origin", server.to_str().unwrap()],
    )
    .expect_ok("remote");
    write(&client, "app.env", &env_line(&key(154)));
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&client, "key");
    sb.git(&client, &["push", "origin", "main"])
        .expect_blocked("the server's own pre-receive runs");
}

#[test]
fn uninstall_global_restores_the_previous_hooks_path() {
    let sb = Sandbox::new();
    let company = sb.path("company hooks");
    let log = sb.path("ran.log");
    logging_hook(&company.join("pre-commit"), &log, "company-pre-commit");
    sb.git(
        sb.dir.path(),
        &[
            "config",
            "--global",
            "core.hooksPath",
            company.to_str().unwrap(),
        ],
    )
    .expect_ok("a global core.hooksPath before leakgate");

    let run = lg(&sb, sb.dir.path(), &["install", "--global"]).expect_ok("install --global");
    assert!(run.stdout.contains("was "), "{}", run.stdout);
    assert_eq!(
        global_hooks_path(&sb).as_deref(),
        global_hooks(&sb).to_str()
    );
    // What was global before still runs, after leakgate passes.
    let repo = sb.bare_init("r");
    commit_with_a_key_is_blocked(&sb, &repo, 152, "blocked");
    assert_eq!(read(&log), "");
    clean_commit(&sb, &repo, "a.txt");
    assert_eq!(read(&log), "company-pre-commit\n");

    let run = lg(&sb, sb.dir.path(), &["uninstall", "--global"]).expect_ok("uninstall --global");
    assert!(run.stdout.contains("set back"), "{}", run.stdout);
    assert_eq!(global_hooks_path(&sb).as_deref(), company.to_str());
    assert!(!global_hooks(&sb).exists());
    lg(&sb, sb.dir.path(), &["uninstall", "--global"]).expect_ok("uninstall --global twice");
    assert_eq!(global_hooks_path(&sb).as_deref(), company.to_str());
}

/// leakgate doctor in `repo`; asserts the exit code.
fn doctor(sb: &Sandbox, repo: &Path, code: i32) -> String {
    lg(sb, repo, &["doctor"])
        .expect_code(code, "leakgate doctor")
        .stdout
}

/// The `fix:` line printed under the problem line that contains `problem`.
fn fix_for(out: &str, problem: &str) -> String {
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("PROBLEM") && l.contains(problem))
        .unwrap_or_else(|| panic!("no problem mentioning {problem:?}:\n{out}"));
    let fix = lines.get(at + 1).copied().unwrap_or_default().trim();
    assert!(fix.starts_with("fix: "), "no fix under the problem:\n{out}");
    fix.to_string()
}

#[test]
fn doctor_says_healthy_when_it_is() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let out = doctor(&sb, &repo, 0);
    assert!(out.contains("healthy"), "{out}");
    assert!(out.contains("pre-commit: leakgate's hook"), "{out}");
    assert!(out.contains(&format!("the hooks call {BIN}")), "{out}");
    assert!(!out.contains("PROBLEM"), "{out}");
}

#[test]
fn doctor_names_missing_hooks_and_the_install_command() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    let out = doctor(&sb, &repo, 1);
    let fix = fix_for(&out, "pre-commit: no hook");
    assert!(fix.contains("leakgate install "), "{out}");
    // The fix, run as printed by a shell with leakgate on PATH, makes it
    // healthy.
    let bindir = sb.path("bin");
    fs::create_dir_all(&bindir).unwrap();
    std::os::unix::fs::symlink(BIN, bindir.join("leakgate")).unwrap();
    sb.output(
        sb.command("sh", sb.dir.path())
            .args(["-c", fix.trim_start_matches("fix: ")])
            .env("PATH", path_with(&bindir))
            .env("XDG_CONFIG_HOME", sb.path("xdg")),
    )
    .expect_ok("the printed fix");
    doctor(&sb, &repo, 0);
}

#[test]
fn doctor_explains_hooks_bypassed_by_a_later_core_hooks_path() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    sb.git(&repo, &["config", "core.hooksPath", "other-hooks"])
        .expect_ok("config");
    // The hooks are indeed bypassed: git commits a key.
    write(&repo, "a.env", &env_line(&key(153)));
    sb.git(&repo, &["add", "a.env"]).expect_ok("add");
    sb.commit(&repo, "bypassed")
        .expect_ok("git no longer runs leakgate");

    let out = doctor(&sb, &repo, 1);
    let fix = fix_for(&out, "bypassed");
    assert!(
        out.contains("core.hooksPath (local setting: other-hooks)"),
        "{out}"
    );
    assert!(
        fix.contains("git config --local --unset core.hooksPath"),
        "{fix}"
    );
    assert!(fix.contains("leakgate install"), "{fix}");
}

#[test]
fn doctor_explains_a_husky_repository_under_a_global_install() {
    let sb = Sandbox::new();
    lg(&sb, sb.dir.path(), &["install", "--global"]).expect_ok("install --global");
    let repo = sb.bare_init("r");
    // husky v9: core.hooksPath .husky/_, whose hooks run .husky/<name>.
    executable(
        &repo.join(".husky/_/pre-commit"),
        "#!/usr/bin/env sh\n. \"$(dirname \"$0\")/h\"\n",
    );
    executable(
        &repo.join(".husky/_/pre-push"),
        "#!/usr/bin/env sh\n. \"$(dirname \"$0\")/h\"\n",
    );
    sb.git(&repo, &["config", "core.hooksPath", ".husky/_"])
        .expect_ok("husky's setting");
    let out = doctor(&sb, &repo, 1);
    assert!(out.contains("overrides the global one"), "{out}");
    let fix = fix_for(&out, "pre-commit: husky's hook");
    assert!(fix.contains("echo 'leakgate hook pre-commit' >> "), "{fix}");
    // Done as the fix says, doctor is content.
    write(&repo, ".husky/pre-commit", "leakgate hook pre-commit\n");
    write(&repo, ".husky/pre-push", "leakgate hook pre-push \"$@\"\n");
    let out = doctor(&sb, &repo, 0);
    assert!(out.contains("husky's hook runs"), "{out}");
}

#[test]
fn doctor_names_a_broken_config_by_file_and_line() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(
        &repo,
        ".leakgate.toml",
        "[scan]\nmax_file_size = \"2 MiB\"\nbogus = [\n",
    );
    let out = doctor(&sb, &repo, 1);
    let fix = fix_for(&out, ".leakgate.toml:");
    assert!(out.contains("PROBLEM  .leakgate.toml:3:"), "{out}");
    assert!(fix.contains("edit .leakgate.toml"), "{fix}");
}

#[test]
fn doctor_reports_an_expired_allowlist_entry() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let allowlist = "[[allow]]\nrule = \"messagebird-access-key\"\npath = \"docs/\"\nreason = \"current\"\nexpires = 2999-01-01\n\n[[allow]]\nrule = \"messagebird-access-key\"\npath = \"fixtures/\"\nreason = \"old fixture\"\nexpires = 2001-01-01\n";
    write(&repo, ".leakgate-allow.toml", allowlist);
    let out = doctor(&sb, &repo, 1);
    let line = entry_line(allowlist, "old fixture");
    let place = format!(".leakgate-allow.toml:{line}: the allowlist entry expired on 2001-01-01");
    assert!(out.contains(&place), "{out}");
    assert_eq!(out.matches("expired").count(), 1, "{out}");
    let fix = fix_for(&out, "expired");
    assert!(
        fix.contains(&format!("edit .leakgate-allow.toml line {line}")),
        "{fix}"
    );
}

#[test]
fn doctor_reports_a_leakgate_bin_that_is_missing() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let missing = sb.path("gone/leakgate");
    let run = sb
        .output(lg_command(&sb, &repo, &["doctor"]).env("LEAKGATE_BIN", &missing))
        .expect_code(1, "doctor with LEAKGATE_BIN missing");
    let fix = fix_for(&run.stdout, "LEAKGATE_BIN");
    assert!(
        run.stdout.contains(missing.to_str().unwrap()),
        "{}",
        run.stdout
    );
    assert!(fix.contains("unset LEAKGATE_BIN"), "{fix}");
}

#[test]
fn doctor_reports_a_hook_binary_that_is_gone() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    let copy = sb.path("bin/leakgate");
    fs::create_dir_all(copy.parent().unwrap()).unwrap();
    fs::copy(BIN, &copy).unwrap();
    lg(&sb, &repo, &["install", "--bin", copy.to_str().unwrap()]).expect_ok("install");
    doctor(&sb, &repo, 0);
    fs::remove_file(&copy).unwrap();
    let out = doctor(&sb, &repo, 1);
    let fix = fix_for(&out, "missing or not executable");
    assert!(out.contains(copy.to_str().unwrap()), "{out}");
    assert!(fix.contains("leakgate install"), "{fix}");
}

#[test]
fn doctor_knows_hooks_installed_by_the_pre_commit_framework() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    write(
        &repo,
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n- repo: local\n  hooks:\n  - id: leakgate\n    name: leakgate\n    entry: \"'{BIN}' hook pre-commit\"\n    language: system\n    pass_filenames: false\n    always_run: true\n    stages: [pre-commit]\n  - id: leakgate-pre-push\n    name: leakgate\n    entry: \"'{BIN}' hook pre-push\"\n    language: system\n    pass_filenames: false\n    always_run: true\n    stages: [pre-push]\n"
        ),
    );
    let out = doctor(&sb, &repo, 1);
    assert!(
        fix_for(&out, "pre-commit:").contains("pre-commit install"),
        "{out}"
    );
    assert!(
        fix_for(&out, "pre-push:").contains("pre-commit install --hook-type pre-push"),
        "{out}"
    );
    let python = which("python3");
    for args in [
        &["-m", "pre_commit", "install"][..],
        &["-m", "pre_commit", "install", "--hook-type", "pre-push"][..],
    ] {
        sb.run(&repo, python.to_str().unwrap(), args)
            .expect_ok("pre-commit install (pip install pre-commit)");
    }
    let out = doctor(&sb, &repo, 0);
    assert!(
        out.contains("pre-commit: the pre-commit framework's hook"),
        "{out}"
    );
    // And the framework's hook does block.
    commit_with_a_key_is_blocked(&sb, &repo, 155, "blocked through the framework");
}

#[test]
fn doctor_reports_a_chained_hook_that_cannot_run() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    let log = sb.path("ran.log");
    logging_hook(&repo.join(".git/hooks/pre-commit"), &log, "own");
    lg(&sb, &repo, &["install"]).expect_ok("install");
    let chained = repo.join(".git/hooks/pre-commit.leakgate-chained");
    let out = doctor(&sb, &repo, 0);
    assert!(out.contains("then runs your own hook"), "{out}");

    fs::set_permissions(&chained, fs::Permissions::from_mode(0o644)).unwrap();
    // Indeed it no longer runs.
    clean_commit(&sb, &repo, "a.txt");
    assert_eq!(read(&log), "");
    let out = doctor(&sb, &repo, 1);
    let fix = fix_for(&out, "is not executable");
    assert!(fix.starts_with("fix: chmod +x "), "{fix}");
    sb.run(&repo, "sh", &["-c", fix.trim_start_matches("fix: ")])
        .expect_ok("the printed fix");
    doctor(&sb, &repo, 0);
    clean_commit(&sb, &repo, "b.txt");
    assert_eq!(read(&log), "own\n");
}

//! Issue 14, hook managers: leakgate run by the pre-commit framework (built
//! from source with `language: rust`, or the installed binary with `repo:
//! local` / `language: system`), by husky and by lefthook, each set up by
//! the real tool and driven through the real `git`; and `leakgate doctor`
//! on each of those set-ups, and outside any repository.
//!
//! The pre-commit framework is a Python package every run needs (a missing
//! one fails the test). husky and lefthook come from npm: `.ci/run`
//! installs them and names them in `LEAKGATE_HUSKY` and `LEAKGATE_LEFTHOOK`;
//! without those, a test fails in CI and is skipped elsewhere, with a
//! notice ([`ci_tool`]).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::common::*;

/// A folder holding only `leakgate` (a link to the binary under test), to
/// put on PATH: the set-ups below call `leakgate` by name, as users do.
fn leakgate_on_path(sb: &Sandbox) -> std::ffi::OsString {
    let dir = sb.path("bin");
    if !dir.join("leakgate").exists() {
        fs::create_dir_all(&dir).unwrap();
        std::os::unix::fs::symlink(BIN, dir.join("leakgate")).unwrap();
    }
    path_with(&dir)
}

/// A command with `leakgate` on PATH.
fn with_leakgate(sb: &Sandbox, program: &str, cwd: &Path) -> Command {
    let mut c = sb.command(program, cwd);
    c.env("PATH", leakgate_on_path(sb));
    c
}

fn git_lg(sb: &Sandbox, repo: &Path, args: &[&str]) -> Run {
    sb.output(with_leakgate(sb, "git", repo).args(args))
}

fn doctor(sb: &Sandbox, repo: &Path, code: i32) -> String {
    let run = sb
        .output(with_leakgate(sb, BIN, repo).arg("doctor"))
        .expect_code(code, "leakgate doctor");
    run.stdout
}

/// The `fix:` line printed under the first problem whose line holds `problem`.
fn fix_for(out: &str, problem: &str) -> String {
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("PROBLEM") && l.contains(problem))
        .unwrap_or_else(|| panic!("no problem about {problem:?}:\n{out}"));
    lines[at + 1].trim().to_string()
}

/// Stages a key in `app.env` and shows the commit is refused with
/// leakgate's report; then unstages and deletes it.
fn key_commit_blocked(sb: &Sandbox, repo: &Path, seed: u64, what: &str) {
    write(repo, "app.env", &env_line(&key(seed)));
    git_lg(sb, repo, &["add", "app.env"]).expect_ok("add");
    let run = git_lg(sb, repo, &["commit", "-q", "-m", "key"]).expect_blocked(what);
    assert!(run.all().contains("app.env:1:24"), "{}", run.all());
    git_lg(sb, repo, &["rm", "-q", "--cached", "app.env"]).expect_ok("unstage");
    fs::remove_file(repo.join("app.env")).unwrap();
}

fn clean_commit(sb: &Sandbox, repo: &Path, name: &str) {
    write(repo, name, "hello\n");
    git_lg(sb, repo, &["add", name]).expect_ok("add");
    git_lg(sb, repo, &["commit", "-q", "-m", name]).expect_ok("a clean commit");
}

/// Commits a key past the hooks and shows that pushing it is refused, and
/// that the commit is still there (the hook never rewrites history).
fn key_push_blocked(sb: &Sandbox, repo: &Path, seed: u64, what: &str) {
    write(repo, "push.env", &env_line(&key(seed)));
    git_lg(sb, repo, &["add", "push.env"]).expect_ok("add");
    git_lg(
        sb,
        repo,
        &["commit", "-q", "--no-verify", "-m", "key, unchecked"],
    )
    .expect_ok("commit --no-verify");
    let head = sb.head(repo);
    let run = git_lg(sb, repo, &["push", "origin", "main"]).expect_blocked(what);
    assert!(run.all().contains("push.env:1:24"), "{}", run.all());
    assert_eq!(sb.head(repo), head, "the push hook moved HEAD");
    let remote = sb.git(repo, &["ls-remote", "origin", "refs/heads/main"]);
    assert!(
        !remote.stdout.contains(&head),
        "the commit reached the remote: {}",
        remote.stdout
    );
}

// ---------------------------------------------------------------------
// The pre-commit framework.

/// The `language: rust` hooks of `.pre-commit-hooks.yaml`, built by the
/// framework from a repository holding this checkout's current sources.
#[test]
fn the_pre_commit_framework_builds_and_runs_leakgate_with_language_rust() {
    let python = framework_python();
    let sb = Sandbox::new();
    let (source, rev) = source_repo(&sb);
    let repo = sb.bare_init("app");
    sb.remote(&repo, "origin.git");
    // The README's configuration, pointed at that repository and commit.
    let config: String = readme_block("repo: <leakgate's git URL>")
        .lines()
        .map(|l| match l.trim_start() {
            t if t.starts_with("- repo:") => format!("- repo: {}\n", source.display()),
            t if t.starts_with("rev:") => format!("  rev: {rev}\n"),
            _ => format!("{l}\n"),
        })
        .collect();
    assert!(config.contains("- id: leakgate-pre-push"), "{config}");
    write(&repo, ".pre-commit-config.yaml", &config);
    let fw = |args: &[&str]| {
        let mut c = framework_command(&sb, &python, &repo);
        c.args(["-m", "pre_commit"]).args(args);
        sb.output(&mut c)
    };
    fw(&[
        "install",
        "--hook-type",
        "pre-commit",
        "--hook-type",
        "pre-push",
    ])
    .expect_ok("pre-commit install");
    // The framework clones the source at `rev` and runs `cargo install`
    // there: one release build, which the shared target folder keeps.
    let started = Instant::now();
    fw(&["install-hooks"]).expect_ok("pre-commit install-hooks (cargo install)");
    eprintln!(
        "pre-commit install-hooks (language: rust) took {:.0?}",
        started.elapsed()
    );

    let git = |args: &[&str]| sb.output(framework_command(&sb, "git", &repo).args(args));
    write(&repo, "README.md", "# app\n");
    git(&["add", "."]).expect_ok("add");
    git(&["commit", "-q", "-m", "init"]).expect_ok("a clean commit passes");
    git(&["push", "-q", "origin", "main"]).expect_ok("a clean push passes");

    let k = key(301);
    write(&repo, "app.env", &env_line(&k));
    git(&["add", "app.env"]).expect_ok("add");
    let run = git(&["commit", "-q", "-m", "key"]).expect_blocked("a key, through language: rust");
    assert!(run.all().contains("app.env:1:24"), "{}", run.all());
    assert!(
        run.all()
            .contains("leakgate (API keys in the staged change)"),
        "the framework names the hook from .pre-commit-hooks.yaml:\n{}",
        run.all()
    );
    git(&["rm", "-q", "--cached", "app.env"]).expect_ok("unstage");

    write(&repo, "push.env", &env_line(&k));
    git(&["add", "push.env"]).expect_ok("add");
    git(&["commit", "-q", "--no-verify", "-m", "key, unchecked"]).expect_ok("--no-verify");
    let run =
        git(&["push", "origin", "main"]).expect_blocked("a pushed key, through language: rust");
    assert!(run.all().contains("push.env:1:24"), "{}", run.all());
    assert!(
        run.all()
            .contains("leakgate (API keys in the pushed commits)"),
        "{}",
        run.all()
    );
}

/// `repo: local` / `language: system`: the framework runs the `leakgate`
/// on PATH, exactly as the README's configuration says.
#[test]
fn the_pre_commit_framework_runs_the_installed_leakgate_with_language_system() {
    let python = framework_python();
    let sb = Sandbox::new();
    let repo = sb.bare_init("app");
    sb.remote(&repo, "origin.git");
    write(
        &repo,
        ".pre-commit-config.yaml",
        &readme_block("repo: local"),
    );
    let fw = |args: &[&str]| {
        let mut c = with_leakgate(&sb, &python, &repo);
        c.env("PRE_COMMIT_HOME", sb.path("pre-commit-home"))
            .args(["-m", "pre_commit"])
            .args(args);
        sb.output(&mut c)
    };
    fw(&[
        "install",
        "--hook-type",
        "pre-commit",
        "--hook-type",
        "pre-push",
    ])
    .expect_ok("pre-commit install");
    let out = doctor(&sb, &repo, 0);
    assert!(
        out.contains("pre-commit: the pre-commit framework's hook"),
        "{out}"
    );
    assert!(
        out.contains("pre-push: the pre-commit framework's hook"),
        "{out}"
    );

    let git = |args: &[&str]| {
        let mut c = with_leakgate(&sb, "git", &repo);
        c.env("PRE_COMMIT_HOME", sb.path("pre-commit-home"))
            .args(args);
        sb.output(&mut c)
    };
    write(&repo, "README.md", "# app\n");
    git(&["add", "."]).expect_ok("add");
    git(&["commit", "-q", "-m", "init"]).expect_ok("a clean commit passes");
    git(&["push", "-q", "origin", "main"]).expect_ok("a clean push passes");
    write(&repo, "app.env", &env_line(&key(302)));
    git(&["add", "app.env"]).expect_ok("add");
    let run = git(&["commit", "-q", "-m", "key"]).expect_blocked("a key, through language: system");
    assert!(run.all().contains("app.env:1:24"), "{}", run.all());
    git(&["commit", "-q", "--no-verify", "-m", "key, unchecked"]).expect_ok("--no-verify");
    let run =
        git(&["push", "origin", "main"]).expect_blocked("a pushed key, through language: system");
    assert!(run.all().contains("app.env:1:24"), "{}", run.all());
}

/// The README's `.pre-commit-config.yaml` block whose first entry is
/// `- {first}`: from its `repos:` line to the blank line after it, less the
/// README's indentation.
fn readme_block(first: &str) -> String {
    let readme = fs::read_to_string(project_root().join("README.md")).unwrap();
    let lines: Vec<&str> = readme.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim() == format!("- {first}"))
        .unwrap_or_else(|| panic!("no `- {first}` line in README.md"));
    let start = (0..at)
        .rev()
        .find(|&i| lines[i].trim() == "repos:")
        .unwrap_or_else(|| panic!("no `repos:` above `- {first}` in README.md"));
    lines[start..]
        .iter()
        .take_while(|l| !l.trim().is_empty())
        .map(|l| format!("{}\n", l.strip_prefix("    ").unwrap_or(l)))
        .collect()
}

/// The environment the framework builds in: its own home in the sandbox,
/// and the developer's Rust toolchain and crate cache (the sandbox's HOME
/// has neither), with a target folder kept beside the tests' own so the
/// release build is made once, not on every run.
fn framework_command(sb: &Sandbox, program: &str, cwd: &Path) -> Command {
    let mut c = sb.command(program, cwd);
    c.env("PRE_COMMIT_HOME", sb.path("pre-commit-home"))
        .env("CARGO_TARGET_DIR", framework_target_dir());
    let home = std::env::var_os("HOME").map(PathBuf::from);
    for (var, default) in [("CARGO_HOME", ".cargo"), ("RUSTUP_HOME", ".rustup")] {
        let value = std::env::var_os(var)
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(default)));
        if let Some(v) = value.filter(|v| v.is_dir()) {
            c.env(var, v);
        }
    }
    if let Some(t) = std::env::var_os("RUSTUP_TOOLCHAIN") {
        c.env("RUSTUP_TOOLCHAIN", t);
    }
    c
}

/// `<target>/pre-commit-framework`, beside the build of the tests.
fn framework_target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // <target>/<profile>/deps/suite-<hash>
    let target = exe
        .ancestors()
        .nth(3)
        .expect("the test binary is in a target folder");
    target.join("pre-commit-framework")
}

/// A git repository holding this checkout's sources as they are now (every
/// tracked or new, not ignored, file from the working tree, so uncommitted
/// edits are built too), committed; returns it and the commit.
fn source_repo(sb: &Sandbox) -> (PathBuf, String) {
    let root = project_root();
    let listed = Command::new("git")
        .current_dir(&root)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .output()
        .expect("git ls-files");
    assert!(
        listed.status.success(),
        "this test builds leakgate from its git checkout, and {} is not one: {}",
        root.display(),
        String::from_utf8_lossy(&listed.stderr)
    );
    let dest = sb.path("leakgate-source");
    let mut copied = 0;
    for rel in listed.stdout.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let rel = Path::new(std::str::from_utf8(rel).expect("a UTF-8 path"));
        let from = root.join(rel);
        if !from.is_file() {
            continue; // deleted in the working tree
        }
        let to = dest.join(rel);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(&from, &to).unwrap();
        copied += 1;
    }
    assert!(
        copied > 100,
        "only {copied} files copied from {}",
        root.display()
    );
    sb.git(&dest, &["init", "-q", "-b", "main"])
        .expect_ok("init");
    sb.git(&dest, &["add", "-A"]).expect_ok("add");
    sb.git(
        &dest,
        &["commit", "-q", "--no-verify", "-m", "leakgate sources"],
    )
    .expect_ok("commit the sources");
    let rev = sb.head(&dest);
    (dest, rev)
}

// ---------------------------------------------------------------------
// husky

#[test]
fn husky_runs_leakgate_and_doctor_checks_its_scripts() {
    let Some(husky) = ci_tool("LEAKGATE_HUSKY", "husky 9 from npm") else {
        return;
    };
    let sb = Sandbox::new();
    let repo = sb.bare_init("app");
    sb.remote(&repo, "origin.git");
    write(
        &repo,
        "package.json",
        "{\"name\": \"app\", \"version\": \"1.0.0\"}\n",
    );
    // `husky init`, by husky itself: core.hooksPath = .husky/_, the
    // generated hooks there, a sample .husky/pre-commit.
    sb.output(with_leakgate(&sb, husky.to_str().unwrap(), &repo).arg("init"))
        .expect_ok("husky init");
    let hooks_path = sb.git(&repo, &["config", "core.hooksPath"]);
    assert_eq!(hooks_path.stdout.trim(), ".husky/_", "husky's setting");
    assert!(
        fs::read_to_string(repo.join("package.json"))
            .unwrap()
            .contains("\"prepare\": \"husky\""),
        "husky init adds its prepare script"
    );
    // The README's two lines.
    write(&repo, ".husky/pre-commit", "leakgate hook pre-commit\n");
    write(&repo, ".husky/pre-push", "leakgate hook pre-push \"$@\"\n");

    clean_commit(&sb, &repo, "README.md");
    git_lg(&sb, &repo, &["push", "-q", "origin", "main"]).expect_ok("a clean push passes");
    key_commit_blocked(&sb, &repo, 311, "a key, through husky");
    let out = doctor(&sb, &repo, 0);
    assert!(out.contains("pre-commit: husky's hook runs"), "{out}");
    assert!(out.contains("pre-push: husky's hook runs"), "{out}");

    // leakgate taken out of the pre-commit script: doctor says so, and
    // its fix puts it back.
    write(&repo, ".husky/pre-commit", "echo linting\n");
    clean_commit(&sb, &repo, "unguarded.txt");
    let out = doctor(&sb, &repo, 1);
    let fix = fix_for(&out, "pre-commit: husky's hook");
    let at = fix
        .find("echo 'leakgate hook pre-commit' >> ")
        .unwrap_or_else(|| panic!("{fix}"));
    let cmd = &fix[at..];
    assert!(cmd.ends_with(".husky/pre-commit'"), "{fix}");
    sb.run(&repo, "sh", &["-c", cmd])
        .expect_ok("the printed fix");
    doctor(&sb, &repo, 0);
    key_commit_blocked(&sb, &repo, 312, "a key, through husky, after the fix");

    key_push_blocked(&sb, &repo, 313, "a pushed key, through husky");
}

// ---------------------------------------------------------------------
// lefthook

const LEFTHOOK_YML: &str = "pre-commit:\n  commands:\n    leakgate:\n      run: leakgate hook pre-commit\npre-push:\n  commands:\n    leakgate:\n      run: leakgate hook pre-push \"{1}\" \"{2}\"\n      use_stdin: true\n";

fn lefthook(sb: &Sandbox, tool: &Path, repo: &Path, args: &[&str]) -> Run {
    sb.output(with_leakgate(sb, tool.to_str().unwrap(), repo).args(args))
}

#[test]
fn lefthook_runs_leakgate_and_doctor_checks_its_config() {
    let Some(tool) = ci_tool("LEAKGATE_LEFTHOOK", "lefthook from npm") else {
        return;
    };
    let sb = Sandbox::new();
    let repo = sb.bare_init("app");
    sb.remote(&repo, "origin.git");
    // The README's lefthook.yml, installed by lefthook itself.
    assert!(
        fs::read_to_string(project_root().join("README.md"))
            .unwrap()
            .contains(&indent(LEFTHOOK_YML)),
        "README.md shows this lefthook.yml"
    );
    write(&repo, "lefthook.yml", LEFTHOOK_YML);
    lefthook(&sb, &tool, &repo, &["install"]).expect_ok("lefthook install");
    let hook = fs::read_to_string(repo.join(".git/hooks/pre-commit")).unwrap();
    assert!(
        hook.contains("lefthook"),
        "lefthook wrote the hook:\n{hook}"
    );

    clean_commit(&sb, &repo, "README.md");
    git_lg(&sb, &repo, &["push", "-q", "origin", "main"]).expect_ok("a clean push passes");
    key_commit_blocked(&sb, &repo, 321, "a key, through lefthook");
    let out = doctor(&sb, &repo, 0);
    assert!(out.contains("pre-commit: lefthook's hook"), "{out}");
    assert!(out.contains("pre-push: lefthook's hook"), "{out}");
    assert!(
        out.contains("lefthook.yml runs `leakgate hook pre-push`"),
        "{out}"
    );

    key_push_blocked(&sb, &repo, 322, "a pushed key, through lefthook");
}

#[test]
fn doctor_finds_a_lefthook_config_that_leaves_leakgate_out() {
    let Some(tool) = ci_tool("LEAKGATE_LEFTHOOK", "lefthook from npm") else {
        return;
    };
    let sb = Sandbox::new();
    let repo = sb.bare_init("app");
    let lint_only = "pre-commit:\n  commands:\n    lint:\n      run: echo lint\n# leakgate hook pre-push: not yet\npre-push:\n  commands:\n    test:\n      run: echo test\n";
    write(&repo, "lefthook.yml", lint_only);
    lefthook(&sb, &tool, &repo, &["install"]).expect_ok("lefthook install");
    let out = doctor(&sb, &repo, 1);
    let fix = fix_for(&out, "pre-commit: lefthook's hook");
    assert!(
        fix.contains("lefthook.yml") && fix.contains("run: leakgate hook pre-commit"),
        "{fix}"
    );
    let fix = fix_for(&out, "pre-push: lefthook's hook");
    assert!(
        fix.contains("run: leakgate hook pre-push \"{1}\" \"{2}\"")
            && fix.contains("use_stdin: true"),
        "{fix}"
    );
    // And indeed nothing is checked.
    write(&repo, "app.env", &env_line(&key(331)));
    git_lg(&sb, &repo, &["add", "app.env"]).expect_ok("add");
    git_lg(&sb, &repo, &["commit", "-q", "-m", "unguarded"]).expect_ok("lefthook lets it through");

    // leakgate in lefthook-local.yml, which lefthook merges in: doctor reads
    // it too, and lefthook does run it.
    write(&repo, "lefthook-local.yml", LEFTHOOK_YML);
    let out = doctor(&sb, &repo, 0);
    assert!(
        out.contains("lefthook-local.yml runs `leakgate hook pre-commit`"),
        "{out}"
    );
    key_commit_blocked(&sb, &repo, 332, "a key, through lefthook-local.yml");

    // The hooks gone (lefthook uninstall): doctor's fix is `lefthook install`.
    lefthook(&sb, &tool, &repo, &["uninstall"]).expect_ok("lefthook uninstall");
    let out = doctor(&sb, &repo, 1);
    assert!(
        fix_for(&out, "pre-commit:").contains("lefthook install"),
        "{out}"
    );
}

/// `text` as the README shows a block: each line indented by four spaces.
fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}\n"))
        .collect::<String>()
}

// ---------------------------------------------------------------------
// doctor outside a repository

#[test]
fn doctor_outside_a_repository_checks_what_it_can() {
    let sb = Sandbox::new();
    let nowhere = sb.path("not-a-repo");
    fs::create_dir_all(&nowhere).unwrap();
    let xdg = sb.path("xdg");
    let lg = |args: &[&str], env: &[(&str, &Path)]| {
        let mut c = sb.command(BIN, &nowhere);
        c.args(args)
            .env("XDG_CONFIG_HOME", &xdg)
            .env("GIT_CEILING_DIRECTORIES", sb.dir.path());
        for (k, v) in env {
            c.env(k, v);
        }
        sb.output(&mut c)
    };

    // No global install: nothing wrong, but nothing guards a repository
    // that has no hooks of its own.
    let run = lg(&["doctor"], &[]).expect_code(0, "doctor outside a repository");
    let out = run.stdout;
    assert!(out.contains("not in a git repository"), "{out}");
    assert!(out.contains(&format!("this leakgate: {BIN}")), "{out}");
    assert!(out.contains("no global install"), "{out}");
    assert!(out.contains("leakgate install --global"), "{out}");
    assert!(
        out.contains("the repository checks need a repository"),
        "{out}"
    );

    // A global install: its hooks and their binary are checked.
    lg(&["install", "--global"], &[]).expect_ok("install --global");
    let out = lg(&["doctor"], &[])
        .expect_code(0, "doctor, global install")
        .stdout;
    assert!(out.contains("global core.hooksPath"), "{out}");
    assert!(out.contains("pre-commit: leakgate's global hook"), "{out}");
    assert!(out.contains("pre-push: leakgate's global hook"), "{out}");
    assert!(out.contains(&format!("the hooks call {BIN}")), "{out}");

    // A global hook that cannot run, a LEAKGATE_BIN that is not there, a
    // LEAKGATE_CONFIG that does not parse: three problems, exit 1.
    let hook = xdg.join("leakgate/hooks/pre-commit");
    fs::set_permissions(&hook, fs::Permissions::from_mode(0o644)).unwrap();
    let bad_config = sb.path("policy.toml");
    fs::write(&bad_config, "[scan]\nmax_file_sise = \"1 MiB\"\n").unwrap();
    let missing = sb.path("gone/leakgate");
    let out = lg(
        &["doctor"],
        &[
            ("LEAKGATE_BIN", missing.as_path()),
            ("LEAKGATE_CONFIG", bad_config.as_path()),
        ],
    )
    .expect_code(1, "doctor with problems")
    .stdout;
    assert!(out.contains("3 problems"), "{out}");
    assert!(
        fix_for(&out, "pre-commit: leakgate's global hook").contains("chmod +x"),
        "{out}"
    );
    assert!(
        fix_for(&out, "LEAKGATE_BIN").contains("unset LEAKGATE_BIN"),
        "{out}"
    );
    let config_problem = out
        .lines()
        .find(|l| l.contains("PROBLEM") && l.contains("policy.toml"))
        .unwrap_or_else(|| panic!("no problem naming the config file:\n{out}"));
    assert!(config_problem.contains("max_file_sise"), "{out}");

    // A global core.hooksPath that is not leakgate's.
    fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).unwrap();
    lg(&["uninstall", "--global"], &[]).expect_ok("uninstall --global");
    sb.git(
        &nowhere,
        &["config", "--global", "core.hooksPath", "/elsewhere/hooks"],
    )
    .expect_ok("someone else's global hooks");
    let out = lg(&["doctor"], &[])
        .expect_code(0, "doctor, foreign global hooks")
        .stdout;
    assert!(
        out.contains("global core.hooksPath is /elsewhere/hooks, not leakgate's"),
        "{out}"
    );

    // A path that is not a repository is still an error: the question was
    // about that repository.
    let run = lg(&["doctor", nowhere.to_str().unwrap()], &[]);
    let run = run.expect_code(2, "doctor PATH, not a repository");
    assert!(
        run.stderr.contains("not a git repository"),
        "{}",
        run.stderr
    );
}

//! install.sh: idempotent, never overwrites a foreign hook (chains to it), and
//! --uninstall restores exactly what was there.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::common::*;

const MARKER: &str = "leakgate-managed-hook";

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn foreign_hooks_are_kept_chained_and_restored() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    let hooks = repo.join(".git/hooks");
    let log = sb.path("chained.log");
    let pre_commit = format!("#!/bin/sh\necho pre-commit ran >> '{}'\n", log.display());
    let pre_push = format!(
        "#!/bin/sh\necho \"pre-push $1\" >> '{0}'\ncat >> '{0}'\n",
        log.display()
    );
    fs::write(hooks.join("pre-commit"), &pre_commit).unwrap();
    fs::write(hooks.join("pre-push"), &pre_push).unwrap();
    fs::set_permissions(hooks.join("pre-commit"), fs::Permissions::from_mode(0o750)).unwrap();
    fs::set_permissions(hooks.join("pre-push"), fs::Permissions::from_mode(0o755)).unwrap();

    let run = sb.install(&repo).expect_ok("install");
    assert!(
        run.stdout.contains("kept your existing hook"),
        "{}",
        run.stdout
    );
    assert!(fs::read_to_string(hooks.join("pre-commit"))
        .unwrap()
        .contains(MARKER));
    assert_eq!(
        fs::read_to_string(hooks.join("pre-commit.leakgate-chained")).unwrap(),
        pre_commit
    );

    // leakgate runs first; the foreign hook runs after it passes.
    write(&repo, "a.txt", "a\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "a").expect_ok("clean commit");
    assert_eq!(fs::read_to_string(&log).unwrap(), "pre-commit ran\n");

    // ...and not when leakgate blocks.
    write(
        &repo,
        "b.env",
        &format!("MESSAGEBIRD_ACCESS_KEY={}\n", key(1)),
    );
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "b").expect_blocked("blocked");
    assert_eq!(fs::read_to_string(&log).unwrap(), "pre-commit ran\n");
    sb.git(&repo, &["rm", "-q", "--cached", "b.env"])
        .expect_ok("unstage");
    fs::remove_file(repo.join("b.env")).unwrap();

    // The chained pre-push hook gets git's stdin lines and arguments.
    sb.remote(&repo, "origin.git");
    sb.git(&repo, &["push", "-q", "origin", "main"])
        .expect_ok("push");
    let logged = fs::read_to_string(&log).unwrap();
    let head = sb.head(&repo);
    assert!(logged.contains("pre-push origin\n"), "{logged}");
    assert!(
        logged.contains(&format!("refs/heads/main {head} refs/heads/main ")),
        "stdin not passed through: {logged}"
    );

    sb.uninstall(&repo).expect_ok("uninstall");
    assert_eq!(
        fs::read_to_string(hooks.join("pre-commit")).unwrap(),
        pre_commit
    );
    assert_eq!(
        fs::read_to_string(hooks.join("pre-push")).unwrap(),
        pre_push
    );
    assert_eq!(mode(&hooks.join("pre-commit")), 0o750);
    assert_eq!(mode(&hooks.join("pre-push")), 0o755);
    assert!(!hooks.join("pre-commit.leakgate-chained").exists());
    assert!(!hooks.join("pre-push.leakgate-chained").exists());
}

#[test]
fn install_twice_then_uninstall_leaves_nothing() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    let hooks = repo.join(".git/hooks");
    let listing = |d: &Path| {
        let mut v: Vec<String> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let before = listing(&hooks);
    sb.install(&repo).expect_ok("install");
    let first = fs::read(hooks.join("pre-commit")).unwrap();
    sb.install(&repo).expect_ok("install again");
    assert_eq!(
        fs::read(hooks.join("pre-commit")).unwrap(),
        first,
        "not idempotent"
    );
    assert!(
        !hooks.join("pre-commit.leakgate-chained").exists(),
        "chained to itself"
    );
    sb.uninstall(&repo).expect_ok("uninstall");
    assert_eq!(listing(&hooks), before);
    sb.uninstall(&repo).expect_ok("uninstall twice is fine");
}

#[test]
fn core_hooks_path_is_honoured() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    sb.git(&repo, &["config", "core.hooksPath", "tools/git hooks"])
        .expect_ok("config");
    sb.install(&repo).expect_ok("install");
    assert!(repo.join("tools/git hooks/pre-commit").exists());
    assert!(!repo.join(".git/hooks/pre-commit").exists());
    write(
        &repo,
        "a.env",
        &format!("MESSAGEBIRD_ACCESS_KEY={}\n", key(2)),
    );
    sb.git(&repo, &["add", "a.env"]).expect_ok("add");
    sb.commit(&repo, "a")
        .expect_blocked("the hook in core.hooksPath runs");
}

#[test]
fn worktrees_share_the_hooks() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let wt = sb.path("wt");
    sb.git(
        &repo,
        &["worktree", "add", "-q", wt.to_str().unwrap(), "-b", "wt"],
    )
    .expect_ok("worktree");
    let k = key(3);
    write(&wt, "w.env", &format!("MESSAGEBIRD_ACCESS_KEY={k}\n"));
    sb.git(&wt, &["add", "w.env"]).expect_ok("add");
    let run = sb.commit(&wt, "w").expect_blocked("blocked in a worktree");
    assert!(run.stderr.contains("w.env:1:24"), "{}", run.stderr);
    // Installing from inside the worktree targets the same hooks.
    sb.install(&wt).expect_ok("install from the worktree");
    assert!(!repo.join(".git/hooks/pre-commit.leakgate-chained").exists());
}

#[test]
fn a_foreign_hook_and_a_leftover_chained_one_is_refused_clearly() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    let hooks = repo.join(".git/hooks");
    fs::write(hooks.join("pre-commit"), "#!/bin/sh\nexit 0\n").unwrap();
    fs::write(
        hooks.join("pre-commit.leakgate-chained"),
        "#!/bin/sh\nexit 0\n",
    )
    .unwrap();
    let run = sb.install(&repo);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("move one away"), "{}", run.stderr);
    assert_eq!(
        fs::read_to_string(hooks.join("pre-commit")).unwrap(),
        "#!/bin/sh\nexit 0\n"
    );
}

#[test]
fn an_installed_binary_of_the_same_version_is_reused() {
    // No --bin: install.sh looks for leakgate on PATH (or in ~/.cargo/bin),
    // and builds only when none of this version is found.
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    let bindir = sb.path("bin dir");
    fs::create_dir_all(&bindir).unwrap();
    std::os::unix::fs::symlink(BIN, bindir.join("leakgate")).unwrap();
    let script = project_root().join("install.sh");
    let run = sb
        .output(
            sb.command("sh", &repo)
                .args([script.to_str().unwrap(), "."])
                .env("PATH", path_with(&bindir)),
        )
        .expect_ok("install.sh");
    let out = &run.stdout;
    assert!(out.contains("using installed leakgate"), "{out}");
    assert!(!out.contains("building"), "{out}");
    let hook = fs::read_to_string(repo.join(".git/hooks/pre-commit")).unwrap();
    assert!(
        hook.contains(&format!(
            "installed_bin='{}'",
            bindir.join("leakgate").display()
        )),
        "{hook}"
    );
}

#[test]
fn an_installed_binary_of_another_build_is_not_reused() {
    // Same version string, other sources (a pulled update): install.sh must
    // build, not reuse. Without cargo on PATH it says so and stops.
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    let bindir = sb.path("bin");
    fs::create_dir_all(&bindir).unwrap();
    let stale = bindir.join("leakgate");
    let version = env!("CARGO_PKG_VERSION");
    fs::write(
        &stale,
        format!("#!/bin/sh\necho 'leakgate {version} (build 000000000000)'\n"),
    )
    .unwrap();
    fs::set_permissions(&stale, fs::Permissions::from_mode(0o755)).unwrap();
    // A PATH of only the stale binary and the tools install.sh needs, so
    // that no cargo is found wherever the machine keeps it.
    for tool in [
        "sh",
        "git",
        "sed",
        "head",
        "dirname",
        "find",
        "sort",
        "sha256sum",
        "cut",
    ] {
        std::os::unix::fs::symlink(which(tool), bindir.join(tool)).unwrap();
    }
    let script = project_root().join("install.sh");
    let run = sb
        .output(
            sb.command(&which("sh").to_string_lossy(), &repo)
                .args([script.to_str().unwrap(), "."])
                .env("PATH", &bindir),
        )
        .expect_code(2, "install.sh without cargo");
    let out = run.all();
    assert!(out.contains("not reusing"), "{out}");
    assert!(out.contains("build 000000000000"), "{out}");
    assert!(!repo.join(".git/hooks/pre-commit").exists(), "{out}");
}

#[test]
fn leakgate_bin_override_is_announced() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(&repo, "a.txt", "hello\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb
        .output(
            sb.command("git", &repo)
                .args(["commit", "-q", "-m", "x"])
                .env("LEAKGATE_BIN", BIN),
        )
        .expect_ok("commit with LEAKGATE_BIN");
    let err = &run.stderr;
    assert!(
        err.contains("LEAKGATE_BIN is set") && err.contains(BIN),
        "{err}"
    );
}

/// Foreign hooks that mention leakgate, or even carry the marker text
/// somewhere other than where install.sh writes it (line 2, exactly), are
/// someone else's: kept and chained on install, put back on uninstall, and
/// left alone by an uninstall that finds no leakgate hook.
#[test]
fn a_foreign_hook_that_mentions_leakgate_is_kept_and_chained() {
    let foreign = [
        // A husky-style hook whose comment holds the marker text.
        format!("#!/bin/sh\n# runs {MARKER} checks\nif command -v leakgate >/dev/null; then leakgate scan --staged; fi\n"),
        // The marker line exactly, but not on line 2.
        "#!/bin/sh\nset -e\n# leakgate-managed-hook (pre-commit)\n".to_string(),
        // The marker on line 2, but another hook's.
        "#!/bin/sh\n# leakgate-managed-hook (pre-push)\n".to_string(),
    ];
    for (i, body) in foreign.iter().enumerate() {
        let sb = Sandbox::new();
        let repo = sb.bare_init("r");
        let hook = repo.join(".git/hooks/pre-commit");
        let chained = repo.join(".git/hooks/pre-commit.leakgate-chained");
        let log = sb.path("ran.log");
        let body = format!("{body}echo foreign ran >> '{}'\n", log.display());
        fs::write(&hook, &body).unwrap();
        fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).unwrap();

        // An uninstall with no leakgate hook leaves it as it is.
        let run = sb.uninstall(&repo).expect_ok("uninstall");
        assert!(
            run.stdout.contains("pre-commit: left alone"),
            "case {i}: {}",
            run.stdout
        );
        assert_eq!(fs::read_to_string(&hook).unwrap(), body, "case {i}");

        let run = sb.install(&repo).expect_ok("install");
        assert!(
            run.stdout.contains("kept your existing hook"),
            "case {i}: {}",
            run.stdout
        );
        assert_eq!(fs::read_to_string(&chained).unwrap(), body, "case {i}");
        let ours = fs::read_to_string(&hook).unwrap();
        assert_eq!(
            ours.lines().nth(1),
            Some("# leakgate-managed-hook (pre-commit)"),
            "case {i}"
        );
        // Installing again recognises its own hook and keeps the chained one.
        sb.install(&repo).expect_ok("install again");
        assert_eq!(fs::read_to_string(&chained).unwrap(), body, "case {i}");

        // The kept hook runs after leakgate's passes.
        write(&repo, "a.txt", "a\n");
        sb.git(&repo, &["add", "."]).expect_ok("add");
        sb.commit(&repo, "a").expect_ok("clean commit");
        assert_eq!(
            fs::read_to_string(&log).unwrap(),
            "foreign ran\n",
            "case {i}"
        );

        sb.uninstall(&repo).expect_ok("uninstall");
        assert_eq!(fs::read_to_string(&hook).unwrap(), body, "case {i}");
        assert!(!chained.exists(), "case {i}");
    }
}

/// Each installed hook is written from the one template and stands alone:
/// its name and the binary are filled in, nothing is left to substitute,
/// and nothing beside it is read.
#[test]
fn installed_hooks_are_generated_whole_from_the_template() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    sb.install(&repo).expect_ok("install");
    let server = sb.server("server.git");
    for (path, name) in [
        (repo.join(".git/hooks/pre-commit"), "pre-commit"),
        (repo.join(".git/hooks/pre-push"), "pre-push"),
        (server.join("hooks/pre-receive"), "pre-receive"),
    ] {
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(
            text.lines().nth(1),
            Some(format!("# {MARKER} ({name})").as_str())
        );
        assert!(text.contains(&format!("\nhook={name}\n")), "{text}");
        assert!(
            text.contains(&format!("\ninstalled_bin='{BIN}'\n")),
            "{text}"
        );
        assert!(!text.contains("@HOOK@"), "{text}");
        assert_eq!(mode(&path), 0o755);
    }
    // pre-receive on a server works with only the hook file copied there.
    let other = sb.bare("copied.git");
    fs::copy(
        server.join("hooks/pre-receive"),
        other.join("hooks/pre-receive"),
    )
    .unwrap();
    let client = sb.bare_init("client");
    sb.git(
        &client,
        &["remote", "add", "copied", other.to_str().unwrap()],
    )
    .expect_ok("remote");
    write(&client, "app.env", &env_line(&key(31)));
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "key")
        .expect_ok("commit (no client hook)");
    let run = sb
        .git(&client, &["push", "copied", "main"])
        .expect_blocked("a copied pre-receive hook works alone");
    assert!(run.stderr.contains("app.env:1:24"), "{}", run.stderr);
}

//! leakgate on code-hosting platforms (server/, docs/server.md), and
//! `scan --remote`.
//!
//! Each platform test lays out a bare repository the way that platform does
//! and pushes into it with the real `git` (over `file://`, which runs the
//! same receive-pack as SSH). What the platform itself does (Gitaly running
//! GitLab's server hooks, Gitea's generated dispatcher and its own hook,
//! Bitbucket's hook-script runner) is played by small stand-in scripts
//! written here, each marked as the platform's part; the script under test
//! is the shipped `server/leakgate-pre-receive`, installed as docs/server.md
//! says.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::common::*;

fn executable(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

/// The shipped script installed at `dest` as the docs say: the line naming
/// the binary edited to where leakgate is.
fn install_script(dest: &Path, binary: &str) {
    let text = fs::read_to_string(project_root().join("server/leakgate-pre-receive")).unwrap();
    let line = "leakgate=/usr/local/bin/leakgate\n";
    assert!(
        text.contains(line),
        "the script names its binary on one line"
    );
    executable(dest, &text.replace(line, &format!("leakgate='{binary}'\n")));
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A client whose remote `origin` is `server` over `file://`, with one clean
/// commit on `main` not pushed yet.
fn client_of(sb: &Sandbox, server: &Path) -> PathBuf {
    let client = sb.bare_init("client");
    write(&client, "README.md", "# app\n");
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "init").expect_ok("commit");
    sb.git(&client, &["remote", "add", "origin", &file_url(server)])
        .expect_ok("remote");
    client
}

/// Commits a MessageBird key in `app.env` (no client hook) and returns it.
fn commit_key(sb: &Sandbox, client: &Path, seed: u64) -> String {
    let k = key(seed);
    write(client, "app.env", &env_line(&k));
    sb.git(client, &["add", "app.env"]).expect_ok("add");
    sb.commit(client, "add key").expect_ok("commit");
    k
}

fn rev(sb: &Sandbox, repo: &Path, spec: &str) -> String {
    sb.git(repo, &["rev-parse", spec]).stdout.trim().to_string()
}

/// The push was refused by leakgate's report on the pusher's terminal,
/// the ref did not move and the pushed commit stayed in quarantine.
fn assert_refused(sb: &Sandbox, server: &Path, client: &Path, run: Run) -> Run {
    let run = run.expect_blocked("push refused by the server");
    let err = &run.stderr;
    assert!(
        err.contains("remote: leakgate: push refused by the server"),
        "{err}"
    );
    assert!(err.contains("remote:   app.env:1:24"), "{err}");
    assert!(err.contains("pre-receive hook declined"), "{err}");
    assert_ne!(rev(sb, server, "main"), rev(sb, client, "main"));
    sb.git(server, &["cat-file", "-e", &rev(sb, client, "main")])
        .expect_code(1, "the refused commit reached the object store");
    run
}

/// GitLab's part, not leakgate's: a stand-in for Gitaly's hook runner, as
/// GitLab's server-hooks documentation describes it. It runs the project's
/// `custom_hooks/pre-receive`, then every executable file of
/// `custom_hooks/pre-receive.d/`, then of the global
/// `<custom_hooks_dir>/pre-receive.d/`, each folder in alphabetical order,
/// skipping editor backups (`*~`), each with the push's lines on stdin and
/// GL_ID, GL_USERNAME, GL_PROTOCOL and GL_REPOSITORY set; the first that
/// fails refuses the push.
fn gitlab_runner(server: &Path, global: &Path) {
    let script = format!(
        r#"#!/bin/sh
export GL_ID=user-7 GL_USERNAME=alice GL_PROTOCOL=${{GL_PROTOCOL:-ssh}} GL_REPOSITORY=project-7
input=$(cat)
run() {{
    [ -f "$1" ] && [ -x "$1" ] || return 0
    printf '%s\n' "$input" | "$1" || exit 1
}}
run custom_hooks/pre-receive
for h in custom_hooks/pre-receive.d/* '{global}'/pre-receive.d/*; do
    case $h in *~) continue ;; esac
    run "$h"
done
exit 0
"#,
        global = global.display()
    );
    executable(&server.join("hooks/pre-receive"), &script);
}

#[test]
fn gitlab_project_server_hook_refuses_a_key_and_shows_the_report() {
    let sb = Sandbox::new();
    let server = sb.bare("group/app.git");
    gitlab_runner(&server, &sb.path("gitaly/custom_hooks"));
    // Another project hook runs before leakgate's (alphabetical order).
    executable(
        &server.join("custom_hooks/pre-receive.d/00-audit"),
        "#!/bin/sh\ncat >> audit.log\n",
    );
    install_script(&server.join("custom_hooks/pre-receive.d/leakgate"), BIN);
    let client = client_of(&sb, &server);
    sb.git(&client, &["push", "-q", "origin", "main"])
        .expect_ok("a clean push passes through the project hooks");
    assert_eq!(rev(&sb, &server, "main"), rev(&sb, &client, "main"));

    let k = commit_key(&sb, &client, 1);
    let run = sb.git(&client, &["push", "--no-verify", "origin", "main"]);
    let run = assert_refused(&sb, &server, &client, run);
    run.assert_hides(&k);
    assert!(
        !run.stderr.contains("GL-HOOK-ERR"),
        "a git push gets the report, not the web UI line:\n{}",
        run.stderr
    );
    let audit = fs::read_to_string(server.join("audit.log")).unwrap();
    assert_eq!(audit.lines().count(), 2, "the other hook saw both pushes");

    // An edit in GitLab's web UI has no terminal: one GL-HOOK-ERR line is
    // what GitLab shows there.
    let run = sb.output(
        sb.command("git", &client)
            .args(["push", "origin", "main"])
            .env("GL_PROTOCOL", "web"),
    );
    let run = assert_refused(&sb, &server, &client, run);
    assert!(
        run.stderr
            .contains("remote: GL-HOOK-ERR: leakgate: push refused: it adds a secret"),
        "{}",
        run.stderr
    );
}

#[test]
fn gitlab_global_server_hook_takes_policy_from_the_servers_git_config() {
    let sb = Sandbox::new();
    let global = sb.path("gitaly/custom_hooks");
    let server = sb.bare("group/app.git");
    gitlab_runner(&server, &global);
    install_script(&global.join("pre-receive.d/leakgate"), BIN);
    let client = client_of(&sb, &server);
    sb.git(&client, &["push", "-q", "origin", "main"])
        .expect_ok("clean push");

    let k = commit_key(&sb, &client, 2);
    let run = sb.git(&client, &["push", "origin", "main"]);
    let run = assert_refused(&sb, &server, &client, run);
    run.assert_hides(&k);
    let err = run.stderr;
    let fp = fingerprint_in(&err);

    // An allowlist pushed with the key is the pusher's, and does not count.
    write(
        &client,
        ".leakgate-allow.toml",
        &format!("[[allow]]\nfingerprint = \"{fp}\"\nreason = \"says the pusher\"\n"),
    );
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "allow it").expect_ok("commit");
    let run = sb.git(&client, &["push", "origin", "main"]);
    assert_refused(&sb, &server, &client, run);

    // The service user's global git config (the `git` user on GitLab) names
    // the owner's allowlist for every repository.
    let owner = sb.path("etc/leakgate-allow.toml");
    write(
        &sb.path("etc"),
        "leakgate-allow.toml",
        &format!("[[allow]]\nfingerprint = \"{fp}\"\nreason = \"revoked, owner reviewed\"\n"),
    );
    sb.git(
        sb.dir.path(),
        &[
            "config",
            "--global",
            "leakgate.allowlist",
            owner.to_str().unwrap(),
        ],
    )
    .expect_ok("git config --global");
    sb.git(&client, &["push", "-q", "origin", "main"])
        .expect_ok("allowed by the owner's allowlist");
    assert_eq!(rev(&sb, &server, "main"), rev(&sb, &client, "main"));
}

/// Gitea's part, not leakgate's: a stand-in for the `hooks/pre-receive`
/// Gitea generates in every repository. It runs each executable file of
/// `hooks/pre-receive.d/` with the push's lines on stdin, all of them, and
/// fails if any failed. Gitea's own hook there (`gitea`, which calls
/// `gitea hooks pre-receive`) is played by one that records what it read.
fn gitea_layout(server: &Path) {
    executable(
        &server.join("hooks/pre-receive"),
        r#"#!/bin/sh
data=$(cat)
failed=0
for hook in "${GIT_DIR:-.}"/hooks/pre-receive.d/*; do
    [ -f "$hook" ] && [ -x "$hook" ] || continue
    printf '%s\n' "$data" | "$hook" || failed=1
done
exit $failed
"#,
    );
    executable(
        &server.join("hooks/pre-receive.d/gitea"),
        "#!/bin/sh\ncat >> gitea-saw.log\n",
    );
}

#[test]
fn gitea_hook_beside_giteas_own_refuses_a_key_and_the_admin_can_bypass() {
    let sb = Sandbox::new();
    let server = sb.bare("gitea-repositories/alice/app.git");
    gitea_layout(&server);
    install_script(&server.join("hooks/pre-receive.d/leakgate"), BIN);
    let client = client_of(&sb, &server);
    sb.git(&client, &["push", "-q", "origin", "main"])
        .expect_ok("clean push");
    let saw = fs::read_to_string(server.join("gitea-saw.log")).unwrap();
    assert!(saw.ends_with(" refs/heads/main\n"), "gitea's hook: {saw}");

    let k = commit_key(&sb, &client, 3);
    let run = sb.git(&client, &["push", "origin", "main"]);
    assert_refused(&sb, &server, &client, run).assert_hides(&k);
    let saw = fs::read_to_string(server.join("gitea-saw.log")).unwrap();
    assert_eq!(saw.lines().count(), 2, "gitea's own hook still runs: {saw}");

    // The admin's emergency bypass, in the server's git config: the push
    // passes, and says so.
    sb.git(
        &server,
        &["config", "leakgate.bypass", "INC-42 vendor outage"],
    )
    .expect_ok("config");
    let run = sb
        .git(&client, &["push", "origin", "main"])
        .expect_ok("bypassed by the admin");
    assert!(
        run.stderr.contains(
            "remote: leakgate: note: the secret check is OFF for this repository (git config leakgate.bypass: INC-42 vendor outage)"
        ),
        "{}",
        run.stderr
    );
    sb.git(&server, &["config", "--unset", "leakgate.bypass"])
        .expect_ok("unset");
    commit_key(&sb, &client, 4);
    let run = sb.git(&client, &["push", "origin", "main"]);
    assert_refused(&sb, &server, &client, run);

    // A binary that is not where the script says refuses every push.
    install_script(
        &server.join("hooks/pre-receive.d/leakgate"),
        "/nonexistent/leakgate",
    );
    sb.git(&client, &["reset", "-q", "--hard", "HEAD~1"])
        .expect_ok("drop the key");
    write(&client, "notes.txt", "clean\n");
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "clean").expect_ok("commit");
    let run = sb
        .git(&client, &["push", "origin", "main"])
        .expect_code(1, "fails closed");
    assert!(
        run.stderr
            .contains("remote: leakgate: push refused: the server's secret check is installed but its binary is missing"),
        "{}",
        run.stderr
    );
}

/// Bitbucket's part, not leakgate's: a stand-in for Bitbucket Data Center
/// running a registered PRE hook script on a push. The script gets the ref
/// changes on stdin, runs in the repository's directory (no GIT_DIR), and
/// has the BB_* variables of Bitbucket's hook-script documentation.
fn bitbucket_runner(server: &Path, script: &Path) {
    let runner = format!(
        r#"#!/bin/sh
unset GIT_DIR
export BB_HOOK_TRIGGER_ID=push BB_HOOK_TYPE=PRE BB_IS_DRY_RUN=false
export BB_PROJECT_KEY=APP BB_REPO_SLUG=app BB_USER_NAME=alice BB_REPO_IS_FORK=false
exec '{script}'
"#,
        script = script.display()
    );
    executable(&server.join("hooks/pre-receive"), &runner);
}

#[test]
fn bitbucket_hook_script_refuses_a_key_and_passes_a_clean_push() {
    let sb = Sandbox::new();
    // Bitbucket keeps repositories by id under its home folder.
    let server = sb.bare("bitbucket-home/shared/data/repositories/1");
    let script = sb.path("bitbucket-home/shared/config/hook-scripts/leakgate");
    install_script(&script, BIN);
    bitbucket_runner(&server, &script);
    let client = client_of(&sb, &server);
    sb.git(&client, &["push", "-q", "origin", "main"])
        .expect_ok("clean push");
    let k = commit_key(&sb, &client, 5);
    let run = sb.git(&client, &["push", "origin", "main"]);
    assert_refused(&sb, &server, &client, run).assert_hides(&k);
    // A new branch is judged too.
    let run = sb.git(&client, &["push", "origin", "main:feature"]);
    let run = run.expect_blocked("new branch");
    assert!(
        run.stderr
            .contains("in the commits pushed to refs/heads/feature"),
        "{}",
        run.stderr
    );
}

#[test]
fn plain_git_server_over_a_url_refuses_a_key_and_the_admin_can_switch_it_off() {
    let sb = Sandbox::new();
    // install.sh on a bare repository writes hooks/pre-receive.
    let server = sb.server("srv/git/app.git");
    let client = client_of(&sb, &server);
    sb.git(&client, &["push", "-q", "origin", "main"])
        .expect_ok("clean push");
    let k = commit_key(&sb, &client, 6);
    let run = sb.git(&client, &["push", "--no-verify", "origin", "main"]);
    assert_refused(&sb, &server, &client, run).assert_hides(&k);

    // The admin's bypass on a plain server: the hook made not executable
    // (git then skips it), and executable again afterwards.
    let hook = server.join("hooks/pre-receive");
    fs::set_permissions(&hook, fs::Permissions::from_mode(0o644)).unwrap();
    sb.git(&client, &["push", "-q", "origin", "main"])
        .expect_ok("hook switched off by the admin");
    fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).unwrap();
    commit_key(&sb, &client, 7);
    let run = sb.git(&client, &["push", "origin", "main"]);
    assert_refused(&sb, &server, &client, run);
}

/// `leakgate scan --remote` with the system's temporary directory at `tmp`.
fn scan_remote(sb: &Sandbox, tmp: &Path, args: &[&str]) -> Run {
    fs::create_dir_all(tmp).unwrap();
    sb.output(
        sb.command(BIN, sb.dir.path())
            .env("TMPDIR", tmp)
            .arg("scan")
            .args(args),
    )
}

fn empty(dir: &Path) -> bool {
    fs::read_dir(dir).unwrap().next().is_none()
}

/// A repository whose key is on a branch that is not HEAD's.
fn repo_with_key_on_a_branch(sb: &Sandbox) -> (PathBuf, String) {
    let repo = sb.bare_init("origin-repo");
    write(&repo, "README.md", "# app\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "init").expect_ok("commit");
    sb.git(&repo, &["checkout", "-q", "-b", "feature"])
        .expect_ok("branch");
    let k = commit_key(sb, &repo, 8);
    sb.git(&repo, &["checkout", "-q", "main"])
        .expect_ok("back to main");
    (repo, k)
}

#[test]
fn scan_remote_finds_a_key_on_any_ref_and_deletes_its_mirror() {
    let sb = Sandbox::new();
    let (repo, k) = repo_with_key_on_a_branch(&sb);
    let password = secret(leakgate::rules::testgen::token("alnum", 16, 77));
    let url = format!("file://me:{password}@localhost{}", repo.display());
    let shown = format!("file://me:***@localhost{}", repo.display());
    let tmp = sb.path("tmp");

    let run = scan_remote(&sb, &tmp, &["--remote", &url]).expect_found("scan --remote");
    run.assert_hides(&k);
    assert!(run.stdout.contains("app.env:1:24"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains(&format!("1 secret in history (all refs of {shown})")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("this scanned a temporary mirror of file://me:***@"),
        "{}",
        run.stdout
    );
    assert!(empty(&tmp), "the mirror is left behind");

    // --all says the same; a revision of the remote narrows it.
    scan_remote(&sb, &tmp, &["--remote", &url, "--all"]).expect_found("--all");
    let run = scan_remote(&sb, &tmp, &["--remote", &url, "main"]).expect_ok("main is clean");
    assert!(run.stdout.contains("no secrets found"), "{}", run.stdout);
    scan_remote(&sb, &tmp, &["--remote", &url, "main..feature"]).expect_found("the range");
    let run = scan_remote(&sb, &tmp, &["--remote", &url, "no-such-branch"])
        .expect_code(2, "a revision the remote lacks");
    assert!(run.stderr.contains("\"no-such-branch\""), "{}", run.stderr);
    assert!(run.stderr.contains(&shown), "{}", run.stderr);

    // JSON too names the remote without its password (the audit checks
    // every output for it).
    scan_remote(&sb, &tmp, &["--remote", &url, "--format", "json"]).expect_found("json");
    assert!(empty(&tmp), "the mirror is left behind");
}

#[test]
fn scan_remote_clone_failures_are_errors_that_hide_the_password() {
    let sb = Sandbox::new();
    let password = secret(leakgate::rules::testgen::token("alnum", 16, 78));
    let tmp = sb.path("tmp");
    let missing = sb.path("no-such-repo.git");
    for url in [
        format!("file://me:{password}@localhost{}", missing.display()),
        // A refused connection: git's HTTP transport, nothing listening.
        format!("https://me:{password}@127.0.0.1:1/org/app.git"),
        // A token as the user name.
        format!("https://{password}@127.0.0.1:1/org/app.git"),
    ] {
        let run = scan_remote(&sb, &tmp, &["--remote", &url]).expect_code(2, "clone fails");
        assert!(
            run.stderr.starts_with("leakgate: error: could not clone "),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("***@"), "{}", run.stderr);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
        assert!(empty(&tmp), "the mirror is left behind");
    }
}

#[test]
fn scan_remote_interrupted_stops_the_clone_and_deletes_the_mirror() {
    let sb = Sandbox::new();
    let tmp = sb.path("tmp");
    fs::create_dir_all(&tmp).unwrap();
    // git's `ext::` transport runs a command as the remote end: one that
    // never answers keeps the clone waiting until it is stopped.
    let child = sb
        .command(BIN, sb.dir.path())
        .env("TMPDIR", &tmp)
        .env("GIT_CONFIG_COUNT", "1")
        .env("GIT_CONFIG_KEY_0", "protocol.ext.allow")
        .env("GIT_CONFIG_VALUE_0", "always")
        .args(["scan", "--remote", "ext::sleep 20"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while empty(&tmp) {
        assert!(
            started.elapsed().as_secs() < 30,
            "no mirror directory appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Let git start writing into it.
    std::thread::sleep(std::time::Duration::from_millis(300));
    sb.run(sb.dir.path(), "kill", &["-INT", &child.id().to_string()])
        .expect_ok("kill -INT");
    let out = child.wait_with_output().unwrap();
    let run = Run::from(out);
    assert_eq!(run.code, Some(130), "{}", run.all());
    assert!(
        run.stderr
            .contains("leakgate: interrupted; the temporary mirror was deleted"),
        "{}",
        run.stderr
    );
    assert!(empty(&tmp), "the mirror is left behind");
    assert!(
        started.elapsed().as_secs() < 30,
        "the clone was not stopped"
    );
}

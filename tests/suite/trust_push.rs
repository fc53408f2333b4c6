//! Issue 7, "no way past the server": pushes and the server hook, driven
//! through the real `git push` with installed hooks. Each test is named
//! after what an attacker or a careless user tried.

use std::path::Path;

use crate::common::*;

fn rev(sb: &Sandbox, repo: &Path, spec: &str) -> String {
    sb.git(repo, &["rev-parse", "--verify", "-q", spec])
        .stdout
        .trim()
        .to_string()
}

/// The fingerprint of `k` as the messagebird rule reports it, read from a
/// scan of stdin (which needs no repository).
fn fingerprint_of_line(sb: &Sandbox, line: &str) -> String {
    let out = sb.leakgate_stdin(sb.dir.path(), &["scan", "-"], line);
    fingerprint_in(&out.stdout)
}

#[test]
fn server_ignores_policy_pushed_with_the_key() {
    let sb = Sandbox::new();
    let (server, client) = sb.server_and_client();
    let k = key(1);
    let fp = fingerprint_of_line(&sb, &env_line(&k));
    // Everything a pusher could put in the pushed tree to wave the key
    // through: a catch-all allowlist, a disabled rule, warn-only, a 1-byte
    // size cap.
    write(&client, "app.env", &env_line(&k));
    write(
        &client,
        ".leakgate-allow.toml",
        &format!(
            "[[allow]]\npath = \"**\"\nreason = \"x\"\n\n[[allow]]\nfingerprint = \"{fp}\"\nreason = \"x\"\n"
        ),
    );
    write(
        &client,
        ".leakgate.toml",
        "[scan]\nmax_file_size = \"1 B\"\n\n[rules]\ndisable = [\"messagebird-access-key\"]\n\n[rules.override.messagebird-access-key]\nblock = false\n",
    );
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "key with a permissive policy")
        .expect_ok("commit");
    let before = rev(&sb, &server, "main");
    let run = sb
        .git(&client, &["push", "origin", "main"])
        .expect_blocked("the server ignores the pushed policy");
    run.assert_hides(&k);
    assert!(run.stderr.contains("app.env:1:24"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("policy from .leakgate.toml on refs/heads/main before this push"),
        "{}",
        run.stderr
    );
    assert_eq!(rev(&sb, &server, "main"), before, "ref moved");
    assert!(
        run.stderr.contains("push it on its own first"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_allowlist_entry_lands_before_the_key_it_allows() {
    let sb = Sandbox::new();
    let (server, client) = sb.server_and_client();
    let k = key(2);
    let fp = fingerprint_of_line(&sb, &env_line(&k));
    // First the allowlist alone, reviewed and accepted...
    sb.leakgate(&client, &["allow", &fp, "--reason", "revoked test key"])
        .expect_ok("allow");
    sb.git(&client, &["add", ".leakgate-allow.toml"])
        .expect_ok("add");
    sb.commit(&client, "allow a revoked fixture key")
        .expect_ok("commit");
    sb.git(&client, &["push", "-q", "origin", "main"])
        .expect_ok("the allowlist alone is accepted");
    // ...then the key it allows.
    write(&client, "fixture.env", &env_line(&k));
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "fixture").expect_ok("commit");
    sb.git(&client, &["push", "-q", "origin", "main"])
        .expect_ok("allowed by the allowlist already on the server");
    assert_eq!(rev(&sb, &server, "main"), rev(&sb, &client, "main"));
}

#[test]
fn server_policy_from_git_config_wins() {
    let sb = Sandbox::new();
    let (server, client) = sb.server_and_client();
    let k = key(3);
    let fp = fingerprint_of_line(&sb, &env_line(&k));
    // The owner's allowlist, outside the repository's content.
    let admin = sb.path("admin-allow.toml");
    std::fs::write(
        &admin,
        format!("[[allow]]\nfingerprint = \"{fp}\"\nreason = \"owner allowed it\"\n"),
    )
    .unwrap();
    sb.git(
        &server,
        &["config", "leakgate.allowlist", admin.to_str().unwrap()],
    )
    .expect_ok("config");
    write(&client, "app.env", &env_line(&k));
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "key").expect_ok("commit");
    sb.git(&client, &["push", "-q", "origin", "main"])
        .expect_ok("allowed by the server's own allowlist");

    // A configured file that is missing fails closed, naming the setting.
    sb.git(
        &server,
        &["config", "leakgate.config", "/nonexistent/leakgate.toml"],
    )
    .expect_ok("config");
    write(&client, "b.txt", "clean\n");
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "clean").expect_ok("commit");
    let run = sb
        .git(&client, &["push", "origin", "main"])
        .expect_unchecked(2, "unreadable server config refuses");
    assert!(
        run.stderr.contains("git config leakgate.config"),
        "{}",
        run.stderr
    );
}

#[test]
fn each_ref_is_judged_by_its_own_allowlist() {
    let sb = Sandbox::new();
    let (server, client) = sb.server_and_client();
    let k = key(4);
    let fp = fingerprint_of_line(&sb, &env_line(&k));
    // `fixtures` allows the key on the server; `main` does not.
    sb.git(&client, &["checkout", "-q", "-b", "fixtures"])
        .expect_ok("branch");
    sb.leakgate(&client, &["allow", &fp, "--reason", "fixture"])
        .expect_ok("allow");
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "allow on fixtures").expect_ok("commit");
    sb.git(&client, &["push", "-q", "origin", "fixtures"])
        .expect_ok("push fixtures");
    write(&client, "f.env", &env_line(&k));
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "fixture key").expect_ok("commit");
    // A second branch, from main, adds the same key.
    sb.git(&client, &["checkout", "-q", "-b", "feature", "main"])
        .expect_ok("branch");
    write(&client, "app.env", &env_line(&k));
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "key on feature").expect_ok("commit");
    let run = sb
        .git(
            &client,
            &["push", "--atomic", "origin", "fixtures", "feature"],
        )
        .expect_blocked("feature has no allowlist entry");
    assert!(run.stderr.contains("app.env:1:24"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("f.env:1:24"),
        "fixtures is allowed by its own allowlist: {}",
        run.stderr
    );
    assert!(rev(&sb, &server, "feature").is_empty());
    sb.git(&client, &["push", "-q", "origin", "fixtures"])
        .expect_ok("fixtures alone is accepted");
}

#[test]
fn refs_to_blobs_and_trees_are_scanned() {
    let sb = Sandbox::new();
    let (server, client) = sb.server_and_client();
    let k = key(5);
    write(&client, "loose.env", &env_line(&k));
    let blob = sb
        .git(&client, &["hash-object", "-w", "loose.env"])
        .expect_ok("hash-object")
        .stdout
        .trim()
        .to_string();
    sb.git(&client, &["tag", "b", &blob])
        .expect_ok("tag a blob");
    let run = sb
        .git(&client, &["push", "origin", "b"])
        .expect_blocked("the server scans a blob ref");
    run.assert_hides(&k);
    assert!(run.stderr.contains("refs/tags/b (blob"), "{}", run.stderr);
    assert!(rev(&sb, &server, "b").is_empty());

    sb.git(&client, &["add", "loose.env"]).expect_ok("add");
    let tree = sb
        .git(&client, &["write-tree"])
        .expect_ok("write-tree")
        .stdout
        .trim()
        .to_string();
    sb.git(&client, &["tag", "t", &tree])
        .expect_ok("tag a tree");
    let run = sb
        .git(&client, &["push", "origin", "t"])
        .expect_blocked("the server scans a tree ref");
    assert!(
        run.stderr.contains("refs/tags/t:loose.env:1:24"),
        "{}",
        run.stderr
    );

    // The client hook too.
    sb.install(&client).expect_ok("client hooks");
    let run = sb
        .git(&client, &["push", "--dry-run", "origin", "b"])
        .expect_blocked("pre-push scans a blob ref");
    assert!(
        run.stderr.contains("push to origin blocked"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_key_already_on_another_remote_is_still_new_to_this_one() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let mirror = sb.remote(&repo, "mirror.git");
    sb.git(&repo, &["remote", "rename", "origin", "mirror"])
        .expect_ok("rename");
    sb.remote_named(&repo, "public", "public.git");
    let k = key(6);
    write(&repo, "app.env", &env_line(&k));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "key");
    // The internal mirror takes it (past the hook)...
    sb.git(&repo, &["push", "-q", "--no-verify", "mirror", "main"])
        .expect_ok("push to the mirror");
    assert!(mirror.exists());
    // ...the public remote has never seen it.
    let run = sb
        .git(&repo, &["push", "public", "main"])
        .expect_blocked("new to the public remote");
    run.assert_hides(&k);
    assert!(run.stderr.contains("app.env:1:24"), "{}", run.stderr);
    // And to the mirror itself nothing is new.
    sb.git(&repo, &["push", "-q", "mirror", "main"])
        .expect_ok("nothing new for the mirror");
}

#[test]
fn keys_in_commit_and_tag_messages_are_caught_and_never_printed() {
    let sb = Sandbox::new();
    let (server, client) = sb.server_and_client();
    let k = key(7);
    write(&client, "a.txt", "a\n");
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.git(
        &client,
        &[
            "commit",
            "-q",
            "-m",
            &format!("temporary MESSAGEBIRD_ACCESS_KEY={k}"),
            "-m",
            &format!("second paragraph messagebird access_key: {k}"),
        ],
    )
    .expect_ok("commit");
    let id = rev(&sb, &client, "HEAD");
    let run = sb
        .git(&client, &["push", "origin", "main"])
        .expect_blocked("the server reads commit messages");
    run.assert_hides(&k);
    let at = format!("commit {} message:1", &id[..10]);
    assert!(run.stderr.contains(&at), "{}", run.stderr);
    assert!(rev(&sb, &server, "main") != id);
    // The fix for a message is a reword, not an edit of a file.
    assert!(
        run.stderr.contains(&format!("mark {} `reword`", &id[..10])),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("edit the message, then git commit --amend"),
        "{}",
        run.stderr
    );

    // The client hook, and a history scan, see it too.
    sb.install(&client).expect_ok("client hooks");
    let run = sb
        .git(&client, &["push", "--dry-run", "origin", "main"])
        .expect_blocked("pre-push reads commit messages");
    run.assert_hides(&k);
    assert!(run.stderr.contains(&at), "{}", run.stderr);
    let run = sb
        .leakgate(&client, &["scan", "--all"])
        .expect_found("history");
    run.assert_hides(&k);
    assert!(run.stdout.contains(&at), "{}", run.stdout);
    let run = sb
        .leakgate(&client, &["scan", "--format", "json", "main"])
        .expect_found("range");
    run.assert_hides(&k);
    assert!(
        run.stdout
            .contains(&format!("\"path\": \"commit {} message\"", &id[..10])),
        "{}",
        run.stdout
    );

    // Annotated tag messages.
    sb.git(&client, &["reset", "-q", "--hard", "HEAD~1"])
        .expect_ok("drop the commit");
    sb.git(
        &client,
        &[
            "tag",
            "-a",
            "v1",
            "-m",
            &format!("release; MESSAGEBIRD_ACCESS_KEY={k}"),
        ],
    )
    .expect_ok("tag");
    let run = sb
        .git(&client, &["push", "--no-verify", "origin", "v1"])
        .expect_blocked("the server reads tag messages");
    run.assert_hides(&k);
    assert!(run.stderr.contains("tag v1 message:1"), "{}", run.stderr);
    let run = sb
        .git(&client, &["push", "origin", "v1"])
        .expect_blocked("pre-push reads tag messages");
    assert!(run.stderr.contains("tag v1 message:1"), "{}", run.stderr);
    assert!(run.stderr.contains("git tag -d v1"), "{}", run.stderr);
    let run = sb
        .leakgate(&client, &["scan", "--all"])
        .expect_found("history");
    run.assert_hides(&k);
    assert!(run.stdout.contains("tag v1 message:1"), "{}", run.stdout);
}

/// The pre-commit framework gives a pre-push hook no stdin; it names the
/// first pushed ref's range in the environment, or nothing at all when the
/// push includes a root commit.
fn framework_push(sb: &Sandbox, repo: &Path, env: &[(&str, &str)]) -> Run {
    let mut c = sb.command(BIN, repo);
    c.args(["hook", "pre-push"]);
    for (k, v) in env {
        c.env(k, v);
    }
    sb.output(&mut c)
}

#[test]
fn pre_commit_framework_push_with_a_root_commit_or_several_refs() {
    let sb = Sandbox::new();
    // A new repository whose root commit holds the key: the framework sets
    // no PRE_COMMIT_TO_REF at all.
    let repo = sb.bare_init("fresh");
    sb.remote(&repo, "origin.git");
    let k = key(8);
    write(&repo, "app.env", &env_line(&k));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "root");
    let run = framework_push(
        &sb,
        &repo,
        &[
            ("PRE_COMMIT_REMOTE_NAME", "origin"),
            ("PRE_COMMIT_REMOTE_URL", "x"),
            ("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/main"),
            ("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/main"),
        ],
    );
    assert_eq!(run.code, Some(1), "{}", run.all());
    run.assert_hides(&k);
    assert!(run.stderr.contains("app.env:1:24"), "{}", run.stderr);
    assert!(
        run.stderr.contains("pre-commit framework"),
        "{}",
        run.stderr
    );

    // Two refs pushed: the framework names only the first (clean) one.
    let repo = sb.repo("two");
    sb.remote(&repo, "origin.git2");
    sb.git(&repo, &["push", "-q", "origin", "main"])
        .expect_ok("push main");
    sb.git(&repo, &["fetch", "-q", "origin"]).expect_ok("fetch");
    let from = sb.head(&repo);
    sb.git(&repo, &["checkout", "-q", "-b", "second"])
        .expect_ok("branch");
    write(&repo, "b.env", &env_line(&k));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "key on second");
    sb.git(&repo, &["checkout", "-q", "main"])
        .expect_ok("checkout");
    write(&repo, "ok.txt", "fine\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "clean").expect_ok("commit");
    let to = sb.head(&repo);
    let run = framework_push(
        &sb,
        &repo,
        &[
            ("PRE_COMMIT_FROM_REF", &from),
            ("PRE_COMMIT_TO_REF", &to),
            ("PRE_COMMIT_REMOTE_NAME", "origin"),
            ("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/main"),
        ],
    );
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(run.stderr.contains("b.env:1:24"), "{}", run.stderr);
}

#[test]
fn the_real_pre_commit_framework_push_hook_sees_root_commits_and_every_ref() {
    let python = framework_python();
    let sb = Sandbox::new();
    let repo = sb.bare_init("fw");
    sb.remote(&repo, "origin.git");
    write(
        &repo,
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n- repo: local\n  hooks:\n  - id: leakgate-pre-push\n    name: leakgate\n    entry: \"'{BIN}' hook pre-push\"\n    language: system\n    pass_filenames: false\n    always_run: true\n    stages: [pre-push]\n"
        ),
    );
    sb.run(
        &repo,
        &python,
        &["-m", "pre_commit", "install", "--hook-type", "pre-push"],
    )
    .expect_ok("pre-commit install");
    // The first push holds the root commit, with the key in it.
    let k = key(10);
    write(&repo, "app.env", &env_line(&k));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "root with a key");
    let run = sb
        .git(&repo, &["push", "origin", "main"])
        .expect_blocked("a root commit's key is caught through the framework");
    assert!(run.all().contains("app.env:1:24"), "{}", run.all());

    // Clean main pushed; then two refs at once, the key on the second.
    sb.git(&repo, &["rm", "-q", "--cached", "app.env"])
        .expect_ok("rm");
    std::fs::remove_file(repo.join("app.env")).unwrap();
    sb.git(
        &repo,
        &["commit", "-q", "--amend", "--no-verify", "-m", "root"],
    )
    .expect_ok("amend");
    sb.git(&repo, &["push", "-q", "origin", "main"])
        .expect_ok("clean push through the framework");
    sb.git(&repo, &["checkout", "-q", "-b", "second"])
        .expect_ok("branch");
    write(&repo, "b.env", &env_line(&k));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "key on second");
    sb.git(&repo, &["checkout", "-q", "main"])
        .expect_ok("checkout");
    write(&repo, "ok.txt", "fine\n");
    sb.git(&repo, &["add", "ok.txt"]).expect_ok("add");
    sb.commit_unchecked(&repo, "clean");
    let run = sb
        .git(&repo, &["push", "origin", "main", "second"])
        .expect_blocked("the second ref's key is caught through the framework");
    assert!(run.all().contains("b.env:1:24"), "{}", run.all());
}

//! The pre-push hook, driven through the real `git push` to bare remotes.

use std::path::{Path, PathBuf};

use crate::common::*;

/// A repository with hooks, a bare `origin`, and `main` pushed to it.
fn pushed_repo(sb: &Sandbox) -> (PathBuf, PathBuf) {
    let repo = sb.repo("r");
    let remote = sb.remote(&repo, "origin.git");
    sb.git(&repo, &["push", "-q", "-u", "origin", "main"])
        .expect_ok("first push");
    (repo, remote)
}

fn remote_head(sb: &Sandbox, remote: &Path, branch: &str) -> String {
    sb.git(remote, &["rev-parse", "--verify", "-q", branch])
        .stdout
        .trim()
        .to_string()
}

#[test]
fn push_of_an_existing_branch_blocks_a_key_and_names_the_commit() {
    let sb = Sandbox::new();
    let (repo, remote) = pushed_repo(&sb);
    let before = remote_head(&sb, &remote, "main");

    write(&repo, "notes.txt", "clean\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "clean change").expect_ok("commit");
    let k = key(1);
    write(&repo, "sms.env", &env_line(&k));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "add sms settings");
    let bad = sb.head(&repo);

    let run = sb
        .git(&repo, &["push", "origin", "main"])
        .expect_blocked("push with a key");
    run.assert_hides(&k);
    let err = &run.stderr;
    assert!(err.contains("push to origin blocked"), "{err}");
    assert!(err.contains("sms.env:1:24"), "{err}");
    assert!(
        err.contains(&format!("commit {}  add sms settings", &bad[..10])),
        "{err}"
    );
    assert!(
        err.contains(&format!("git rebase -i {}^", &bad[..10])),
        "{err}"
    );
    assert!(err.contains("git commit --amend"), "{err}");
    assert!(err.contains("git push --no-verify"), "{err}");
    assert_eq!(
        remote_head(&sb, &remote, "main"),
        before,
        "nothing reached the remote"
    );

    // Rewriting the commit without the key lets the push through.
    write(&repo, "sms.env", "MESSAGEBIRD_ACCESS_KEY=\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.git(&repo, &["commit", "-q", "--amend", "--no-edit"])
        .expect_ok("amend");
    sb.git(&repo, &["push", "-q", "origin", "main"])
        .expect_ok("clean push");
    assert_eq!(remote_head(&sb, &remote, "main"), sb.head(&repo));
}

#[test]
fn new_branch_push_scans_only_commits_not_on_the_remote() {
    let sb = Sandbox::new();
    let (repo, _remote) = pushed_repo(&sb);
    // A key already on the remote (pushed before leakgate, say) is not this
    // push's doing.
    write(&repo, "old.env", &env_line(&key(2)));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "old key");
    sb.git(&repo, &["push", "-q", "--no-verify", "origin", "main"])
        .expect_ok("push past the hook");

    sb.git(&repo, &["checkout", "-q", "-b", "feature"])
        .expect_ok("branch");
    write(&repo, "feature.txt", "work\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "feature work").expect_ok("commit");
    sb.git(&repo, &["push", "-q", "origin", "feature"])
        .expect_ok("new branch, clean commits");

    sb.git(&repo, &["checkout", "-q", "-b", "feature2"])
        .expect_ok("branch");
    let k = key(3);
    write(&repo, "f2.env", &env_line(&k));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "f2 key");
    let run = sb
        .git(&repo, &["push", "origin", "feature2"])
        .expect_blocked("new branch with a key");
    assert!(run.stderr.contains("f2.env:1:24"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("old.env"),
        "re-reported a pushed commit: {}",
        run.stderr
    );
    assert_eq!(
        run.stderr.matches("fingerprint:").count(),
        1,
        "{}",
        run.stderr
    );
}

#[test]
fn a_key_added_then_removed_in_two_pushed_commits_still_blocks() {
    let sb = Sandbox::new();
    let (repo, _remote) = pushed_repo(&sb);
    let k = key(4);
    write(&repo, "app.env", &env_line(&k));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "add key");
    write(&repo, "app.env", "MESSAGEBIRD_ACCESS_KEY=\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "remove key")
        .expect_ok("removing is clean");
    let run = sb
        .git(&repo, &["push", "origin", "main"])
        .expect_blocked("the key is in history");
    assert!(run.stderr.contains("add key"), "{}", run.stderr);
}

#[test]
fn merges_do_not_report_again_what_a_parent_brought() {
    let sb = Sandbox::new();
    let (repo, _remote) = pushed_repo(&sb);
    let k = key(5);
    sb.git(&repo, &["checkout", "-q", "-b", "side"])
        .expect_ok("branch");
    write(&repo, "side.env", &env_line(&k));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "side key");
    sb.git(&repo, &["checkout", "-q", "main"])
        .expect_ok("checkout");
    write(&repo, "main.txt", "main work\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "main work").expect_ok("commit");
    sb.git(&repo, &["merge", "-q", "--no-edit", "side"])
        .expect_ok("merge");

    // The side commit is pushed too (it is new to the remote): reported once,
    // at that commit, not again at the merge.
    let run = sb
        .git(&repo, &["push", "origin", "main"])
        .expect_blocked("side commit has a key");
    assert_eq!(
        run.stderr.matches("fingerprint:").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("side key"), "{}", run.stderr);

    // Once the side branch is on the remote, the merge brings nothing new.
    sb.git(&repo, &["push", "-q", "--no-verify", "origin", "side"])
        .expect_ok("push side past the hook");
    sb.git(&repo, &["push", "-q", "origin", "main"])
        .expect_ok("merge of a pushed branch");

    // A key written in the merge resolution itself is the merge's own.
    sb.git(&repo, &["checkout", "-q", "-b", "side2", "HEAD~1"])
        .expect_ok("branch");
    write(&repo, "conf.yml", "a: 1\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "side2").expect_ok("commit");
    sb.git(&repo, &["push", "-q", "origin", "side2"])
        .expect_ok("push side2");
    sb.git(&repo, &["checkout", "-q", "main"])
        .expect_ok("checkout");
    sb.git(&repo, &["merge", "-q", "--no-commit", "side2"])
        .expect_ok("merge");
    let k2 = key(6);
    write(&repo, "conf.yml", &format!("a: 1\nmessagebird_key: {k2}\n"));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.git(&repo, &["commit", "-q", "--no-verify", "--no-edit"])
        .expect_ok("merge commit");
    let run = sb
        .git(&repo, &["push", "origin", "main"])
        .expect_blocked("key in the merge resolution");
    assert!(run.stderr.contains("conf.yml:2:"), "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("fingerprint:").count(),
        1,
        "{}",
        run.stderr
    );
}

#[test]
fn tags_and_deletions() {
    let sb = Sandbox::new();
    let (repo, _remote) = pushed_repo(&sb);
    sb.git(&repo, &["checkout", "-q", "-b", "tmp"])
        .expect_ok("branch");
    let k = key(7);
    write(&repo, "t.env", &env_line(&k));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "tagged key");
    sb.git(&repo, &["tag", "-a", "-m", "release", "v1"])
        .expect_ok("annotated tag");
    let run = sb
        .git(&repo, &["push", "origin", "v1"])
        .expect_blocked("tag of a commit with a key");
    assert!(run.stderr.contains("t.env:1:24"), "{}", run.stderr);

    // Deleting a remote branch sends no commits.
    sb.git(&repo, &["checkout", "-q", "main"])
        .expect_ok("checkout");
    sb.git(&repo, &["push", "-q", "origin", "main:gone"])
        .expect_ok("push a branch");
    sb.git(&repo, &["push", "-q", "origin", ":gone"])
        .expect_ok("delete it");
}

#[test]
fn allowlisted_key_pushes() {
    let sb = Sandbox::new();
    let (repo, _remote) = pushed_repo(&sb);
    write(&repo, "fixture.env", &env_line(&key(8)));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let place = allow_place_in(&sb.commit(&repo, "fixture").expect_blocked("blocked").stderr);
    sb.leakgate(&repo, &["allow", &place, "--reason", "revoked"])
        .expect_ok("allow");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "fixture").expect_ok("allowed commit");
    sb.git(&repo, &["push", "-q", "origin", "main"])
        .expect_ok("allowed push");
}

#[test]
fn malformed_push_input_is_an_error_naming_the_line() {
    let sb = Sandbox::new();
    let (repo, _remote) = pushed_repo(&sb);
    let run = sb
        .leakgate_stdin(
            &repo,
            &["hook", "pre-push", "origin", "url"],
            "refs/heads/main abc refs/heads/main def\n",
        )
        .expect_code(2, "malformed pre-push input");
    let err = &run.stderr;
    assert!(
        err.contains("pre-push input line 1") && err.contains("local sha"),
        "{err}"
    );
}

#[test]
fn pre_commit_framework_ranges_from_the_environment() {
    // The pre-commit framework runs pre-push hooks with no stdin lines and
    // passes the range as PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF.
    let sb = Sandbox::new();
    let (repo, _remote) = pushed_repo(&sb);
    let from = sb.head(&repo);
    write(&repo, "app.env", &env_line(&key(9)));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "key");
    let to = sb.head(&repo);
    let out = sb.output(
        sb.command(BIN, &repo)
            .args(["hook", "pre-push"])
            .env("PRE_COMMIT_FROM_REF", &from)
            .env("PRE_COMMIT_TO_REF", &to)
            .env("PRE_COMMIT_REMOTE_NAME", "origin"),
    );
    let err = &out.stderr;
    assert_eq!(out.code, Some(1), "{err}");
    assert!(
        err.contains("push to origin blocked") && err.contains("app.env:1:24"),
        "{err}"
    );

    sb.git(&repo, &["push", "-q", "--no-verify", "origin", "main"])
        .expect_ok("push past the hook");
    let out = sb.output(
        sb.command(BIN, &repo)
            .args(["hook", "pre-push"])
            .env("PRE_COMMIT_FROM_REF", &to)
            .env("PRE_COMMIT_TO_REF", &to)
            .env("PRE_COMMIT_REMOTE_NAME", "origin"),
    );
    assert_eq!(out.code, Some(0), "an empty range is clean");
}

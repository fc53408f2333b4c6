//! Exposure (issue 13): where the commit holding a key already is (remote
//! branches, tags, stashes) and the advice that follows from it, driven
//! through real `git` with bare remotes in temporary directories.

use std::path::{Path, PathBuf};

use crate::common::*;
use serde_json::{json, Value};

fn doc(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.all()))
}

/// The one finding's exposure in a JSON report.
fn exposure(run: &Run) -> Value {
    let d = doc(run);
    let findings = d["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{d}");
    findings[0]["exposure"].clone()
}

/// A repository with hooks whose `main` is on `origin` (and `origin/main`
/// tracks it), then a commit adding key `seed` past the hook. Returns the
/// repository, the key and the commit.
fn key_committed(sb: &Sandbox, seed: u64) -> (PathBuf, String, String) {
    let repo = sb.repo("r");
    sb.remote(&repo, "origin.git");
    sb.git(&repo, &["push", "-q", "-u", "origin", "main"])
        .expect_ok("first push");
    let k = key(seed);
    write(&repo, "sms.env", &env_line(&k));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "sms settings");
    let c = sb.head(&repo);
    (repo, k, c)
}

fn position(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in:\n{text}"))
}

#[test]
fn a_key_not_pushed_is_local_only_and_the_advice_rewrites_it() {
    let sb = Sandbox::new();
    let (repo, k, c) = key_committed(&sb, 1301);
    let run = sb
        .leakgate(&repo, &["scan", "--all", "--format", "json"])
        .expect_found("a key in history");
    assert_eq!(
        exposure(&run),
        json!({"remotes": [], "branches": ["main"], "tags": [], "stashes": [], "local_only": true})
    );

    let run = sb
        .leakgate(&repo, &["scan", "--all"])
        .expect_found("a key in history");
    run.assert_hides(&k);
    let out = &run.stdout;
    assert!(
        out.contains("where: only in this clone (not pushed)"),
        "{out}"
    );
    // The commit is HEAD: amend it; or edit it in a rebase.
    assert!(
        out.contains(&format!("git rebase -i {}^", &c[..10])),
        "{out}"
    );
    assert!(
        out.contains(&format!("{} is the last commit: ", &c[..10])),
        "{out}"
    );
    assert!(out.contains("git commit --amend"), "{out}");
    // Rewriting comes first; rotating is for a key shared some other way.
    assert!(!out.contains("Rotate the key now"), "{out}");
    assert!(
        position(out, "1. Remove the key from the commits")
            < position(out, "2. If the key was ever pushed or shared, rotate it")
    );
    assert!(!out.contains("--force-with-lease"), "{out}");

    // A range scan says the same.
    let range = sb
        .leakgate(&repo, &["scan", "origin/main..main", "--format", "json"])
        .expect_found("a key in the range");
    assert_eq!(exposure(&range)["local_only"], json!(true));
}

#[test]
fn a_root_commit_not_pushed_is_rewritten_with_root() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    let k = key(1302);
    write(&repo, "sms.env", &env_line(&k));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "first");
    write(&repo, "README.md", "later\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "second");
    let run = sb
        .leakgate(&repo, &["scan", "--all"])
        .expect_found("a key in the root commit");
    let out = &run.stdout;
    assert!(out.contains("git rebase -i --root"), "{out}");
    // Not the last commit: no amend.
    assert!(!out.contains("is the last commit"), "{out}");
}

#[test]
fn a_pushed_key_lists_the_remote_branch_and_says_rotate_first() {
    let sb = Sandbox::new();
    let (repo, k, c) = key_committed(&sb, 1303);
    sb.git(&repo, &["push", "-q", "--no-verify", "origin", "main"])
        .expect_ok("push past the hook");
    sb.git(&repo, &["fetch", "-q", "origin"]).expect_ok("fetch");
    // origin/HEAD is symbolic: it names origin/main, and is not a place.
    sb.git(
        &repo,
        &[
            "symbolic-ref",
            "refs/remotes/origin/HEAD",
            "refs/remotes/origin/main",
        ],
    )
    .expect_ok("origin/HEAD");
    let run = sb
        .leakgate(&repo, &["scan", "--all", "--format", "json"])
        .expect_found("a pushed key");
    assert_eq!(
        exposure(&run),
        json!({"remotes": ["origin/main"], "branches": ["main"], "tags": [], "stashes": [], "local_only": false})
    );

    let run = sb
        .leakgate(&repo, &["scan", "--all"])
        .expect_found("a pushed key");
    run.assert_hides(&k);
    let out = &run.stdout;
    assert!(out.contains("where: pushed: origin/main"), "{out}");
    let rotate = position(
        out,
        "1. Rotate the key now: it is already pushed (on origin/main)",
    );
    // The playbook comes with it, then the rewrite as step 2.
    let playbook = position(out, "leakgate explain messagebird-access-key");
    let rewrite = position(out, "2. Remove the key from the commits");
    assert!(rotate < playbook && playbook < rewrite, "{out}");
    assert!(
        out.contains(&format!("git rebase -i {}^", &c[..10])),
        "{out}"
    );
    assert!(
        out.contains(&format!("{} is already on origin/main", &c[..10])),
        "{out}"
    );
    assert!(out.contains("git push --force-with-lease"), "{out}");
    assert!(
        out.contains("does not take the key back from anyone who fetched it"),
        "{out}"
    );
    assert!(
        !out.contains("If the key was ever pushed or shared"),
        "{out}"
    );

    // SARIF carries it in the result's properties.
    let run = sb
        .leakgate(&repo, &["scan", "--all", "--format", "sarif"])
        .expect_found("a pushed key");
    let results = crate::reports::check_sarif(&run.stdout);
    assert_eq!(results.len(), 1);
    assert_eq!(
        results[0]["properties"]["exposure"],
        json!({"remotes": ["origin/main"], "branches": ["main"], "tags": [], "stashes": [], "local_only": false})
    );
}

/// A CI pipeline runs on pushed commits: never local only, even in a
/// clone whose refs do not show the branch.
#[test]
fn ci_findings_are_pushed_by_definition() {
    use crate::ci_world::{github, world};
    let w = world();
    let pr = w.pull_request();
    let env = github("pull_request", &pr, &w.feature);
    let run = w.run(&env, &["--format", "json"]);
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert_eq!(doc(&run)["findings"][0]["path"], json!("config/sms.env"));
    run.assert_hides(&w.new_key);
    assert_eq!(
        exposure(&run),
        json!({"remotes": ["origin/feature"], "branches": ["feature"], "tags": [], "stashes": [], "local_only": false})
    );
    let out = w.run(&env, &[]).stdout;
    assert!(out.contains("where: pushed: origin/feature"), "{out}");
    assert!(
        position(
            &out,
            "1. Rotate the key now: it is already pushed (on origin/feature)"
        ) < position(&out, "2. Take the key out of"),
        "{out}"
    );

    // A checkout with no remote-tracking ref for the branch.
    w.sb.git(&w.ci, &["update-ref", "-d", "refs/remotes/origin/feature"])
        .expect_ok("drop origin/feature");
    let run = w.run(&env, &["--format", "json"]);
    assert_eq!(exposure(&run)["local_only"], json!(false));
    assert_eq!(exposure(&run)["remotes"], json!([]));
    let out = w.run(&env, &[]).stdout;
    assert!(
        out.contains("where: pushed (this pipeline runs on it)"),
        "{out}"
    );
    assert!(
        out.contains(
            "1. Rotate the key now: it is already pushed (to the server this pipeline runs for)"
        ),
        "{out}"
    );
}

#[test]
fn tags_holding_the_commit_are_listed_and_counted_past_five() {
    let sb = Sandbox::new();
    let (repo, _k, c) = key_committed(&sb, 1304);
    // A tag before the key does not hold it.
    sb.git(&repo, &["tag", "v0.9", "HEAD~1"]).expect_ok("tag");
    sb.git(&repo, &["tag", "v1.0"]).expect_ok("tag");
    sb.git(&repo, &["tag", "-a", "v1.1", "-m", "release"])
        .expect_ok("annotated tag");
    let run = sb
        .leakgate(&repo, &["scan", "--all", "--format", "json"])
        .expect_found("a key in history");
    let e = exposure(&run);
    assert_eq!(e["tags"], json!(["v1.0", "v1.1"]), "{e}");
    assert_eq!(e["local_only"], json!(true), "{e}");
    let out = sb
        .leakgate(&repo, &["scan", "--all"])
        .expect_found("a key in history")
        .stdout;
    assert!(
        out.contains("where: only in this clone (not pushed); tags v1.0, v1.1"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "tags v1.0, v1.1 hold {} too: after the rewrite, git tag -d v1.0 v1.1",
            &c[..10]
        )),
        "{out}"
    );

    // A commit in many tags: the report shows five and counts the rest;
    // JSON lists them all.
    for t in ["v1.2", "v1.3", "v1.4", "v1.5", "v1.6"] {
        sb.git(&repo, &["tag", t]).expect_ok("tag");
    }
    let e = exposure(&sb.leakgate(&repo, &["scan", "--all", "--format", "json"]));
    assert_eq!(e["tags"].as_array().unwrap().len(), 7, "{e}");
    let out = sb.leakgate(&repo, &["scan", "--all"]).stdout;
    assert!(
        out.contains("tags v1.0, v1.1, v1.2, v1.3, v1.4 and 2 more"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "git tag --contains {} | xargs git tag -d",
            &c[..10]
        )),
        "{out}"
    );
}

#[test]
fn a_key_only_in_a_stash_is_dropped_with_the_stash() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    sb.remote(&repo, "origin.git");
    sb.git(&repo, &["push", "-q", "-u", "origin", "main"])
        .expect_ok("first push");
    let k = key(1305);
    write(&repo, "sms.env", &env_line(&k));
    sb.git(&repo, &["add", "sms.env"]).expect_ok("add");
    sb.git(&repo, &["stash", "-q"]).expect_ok("stash");
    let before = snapshot(&repo);
    // `scan --all` walks refs/stash (git log --all does).
    let run = sb
        .leakgate(&repo, &["scan", "--all", "--format", "json"])
        .expect_found("a key in the stash");
    assert_eq!(
        exposure(&run),
        json!({"remotes": [], "branches": [], "tags": [], "stashes": ["stash@{0}"], "local_only": true})
    );
    let run = sb
        .leakgate(&repo, &["scan", "--all"])
        .expect_found("a key in the stash");
    run.assert_hides(&k);
    let out = &run.stdout;
    assert!(
        out.contains("where: only in this clone, in stash@{0} (not pushed)"),
        "{out}"
    );
    assert!(out.contains("git stash drop stash@{0}"), "{out}");
    assert!(out.contains("git stash show -p stash@{0}"), "{out}");
    assert!(!out.contains("git rebase -i"), "{out}");
    // Nothing was touched: the stash is still there.
    assert_eq!(snapshot(&repo), before);
    assert_eq!(sb.git(&repo, &["stash", "list"]).stdout.lines().count(), 1);
}

/// The hook's report for a push to `origin` of a commit another remote
/// already has: rotate first.
#[test]
fn pre_push_names_another_remote_that_already_has_the_commit() {
    let sb = Sandbox::new();
    let (repo, k, c) = key_committed(&sb, 1306);
    sb.remote_named(&repo, "mirror", "mirror.git");
    sb.git(&repo, &["push", "-q", "--no-verify", "mirror", "main"])
        .expect_ok("push to the mirror past the hook");

    let run = sb
        .git(&repo, &["push", "origin", "main"])
        .expect_blocked("push with a key");
    run.assert_hides(&k);
    let err = &run.stderr;
    assert!(err.contains("push to origin blocked"), "{err}");
    assert!(err.contains("where: pushed: mirror/main"), "{err}");
    assert!(
        position(
            err,
            "1. Rotate the key now: it is already pushed (on mirror/main)"
        ) < position(err, "2. Remove the key from the commits before pushing"),
        "{err}"
    );
    assert!(
        err.contains(&format!("{} is already on mirror/main", &c[..10])),
        "{err}"
    );

    // The same push as JSON, through the hook command git runs.
    let origin = sb.path("origin.git");
    let base = sb.git(&repo, &["rev-parse", "origin/main"]).stdout;
    let line = format!("refs/heads/main {c} refs/heads/main {}\n", base.trim());
    let run = sb.leakgate_stdin(
        &repo,
        &[
            "hook",
            "pre-push",
            "origin",
            origin.to_str().unwrap(),
            "--format",
            "json",
        ],
        line,
    );
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert_eq!(
        exposure(&run),
        json!({"remotes": ["mirror/main"], "branches": ["main"], "tags": [], "stashes": [], "local_only": false})
    );
}

#[test]
fn pre_push_of_a_commit_nowhere_else_rewrites_without_rotating_first() {
    let sb = Sandbox::new();
    let (repo, _k, _c) = key_committed(&sb, 1307);
    let err = sb
        .git(&repo, &["push", "origin", "main"])
        .expect_blocked("push with a key")
        .stderr;
    assert!(
        err.contains("where: only in this clone (not pushed)"),
        "{err}"
    );
    assert!(!err.contains("Rotate the key now"), "{err}");
    assert!(
        err.contains("1. Remove the key from the commits before pushing"),
        "{err}"
    );
}

#[test]
fn a_staged_finding_is_local_by_definition() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    sb.remote(&repo, "origin.git");
    sb.git(&repo, &["push", "-q", "-u", "origin", "main"])
        .expect_ok("first push");
    write(&repo, "sms.env", &env_line(&key(1308)));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb
        .leakgate(&repo, &["scan", "--staged", "--format", "json"])
        .expect_found("a staged key");
    assert_eq!(
        exposure(&run),
        json!({"remotes": [], "branches": [], "tags": [], "stashes": [], "local_only": true})
    );
    // The human report of a blocked commit needs no "where" line.
    let err = sb
        .git(&repo, &["commit", "-m", "sms"])
        .expect_blocked("commit with a key")
        .stderr;
    assert!(!err.contains("where:"), "{err}");
}

/// On the server, the pushed commit is on no branch of it yet: local to
/// the pusher.
#[test]
fn pre_receive_says_the_commit_is_not_on_the_server_yet() {
    let sb = Sandbox::new();
    let (server, client) = sb.server_and_client();
    let k = key(1309);
    write(&client, "sms.env", &env_line(&k));
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "sms")
        .expect_ok("commit (no hooks on the client)");
    let run = sb
        .git(&client, &["push", "origin", "main"])
        .expect_blocked("a push with a key");
    run.assert_hides(&k);
    let err = &run.stderr;
    assert!(err.contains("push refused by the server"), "{err}");
    assert!(
        err.contains("where: not on any branch or tag of this server yet"),
        "{err}"
    );
    assert!(!err.contains("Rotate the key now"), "{err}");
    assert_ne!(
        sb.git(&server, &["rev-parse", "main"]).stdout.trim(),
        sb.head(&client),
        "the push was refused"
    );
}

/// A history scan of the server's own repository: its branches are what
/// others fetch, so a commit on one is published.
#[test]
fn in_a_bare_repository_branches_are_published() {
    let sb = Sandbox::new();
    let (repo, _k, _c) = key_committed(&sb, 1310);
    sb.git(&repo, &["push", "-q", "--no-verify", "origin", "main"])
        .expect_ok("push past the hook");
    let origin: &Path = &sb.path("origin.git");
    let run = sb
        .leakgate(origin, &["scan", "--all", "--format", "json"])
        .expect_found("a key on the server");
    assert_eq!(
        exposure(&run),
        json!({"remotes": [], "branches": ["main"], "tags": [], "stashes": [], "local_only": false})
    );
    let out = sb.leakgate(origin, &["scan", "--all"]).stdout;
    assert!(out.contains("where: published: main"), "{out}");
    assert!(
        out.contains("1. Rotate the key now: it is already pushed (on main)"),
        "{out}"
    );
}

/// A commit another branch of the server already holds (fetched there by
/// its admin, say) is exposed: rotate first.
#[test]
fn pre_receive_names_the_server_branch_that_already_holds_the_commit() {
    let sb = Sandbox::new();
    let (server, client) = sb.server_and_client();
    let k = key(1311);
    write(&client, "sms.env", &env_line(&k));
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "sms")
        .expect_ok("commit (no hooks on the client)");
    // A fetch into the server runs no hook.
    sb.git(
        &server,
        &["fetch", "-q", client.to_str().unwrap(), "main:feature"],
    )
    .expect_ok("fetch into the server");
    let run = sb
        .git(&client, &["push", "origin", "main"])
        .expect_blocked("a push with a key");
    run.assert_hides(&k);
    let err = &run.stderr;
    assert!(
        err.contains("where: already on this server: feature"),
        "{err}"
    );
    assert!(
        position(
            err,
            "1. Rotate the key now: it is already pushed (on feature)"
        ) < position(err, "2. Remove the key from the commits before pushing"),
        "{err}"
    );
}

//! A missing object is never silent (issue 16): a blob, tree or commit the
//! object store does not have (a loose object file deleted after `git
//! commit`, before any gc) is listed by id, path and commit; history scans
//! exit 2 unless `--allow-missing`, and the pre-push and pre-receive hooks
//! block. A corrupt object is still an error naming it.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::*;

/// The loose object file of `id` in the repository (or bare repository)
/// at `repo`, which must exist: the tests delete objects before any gc.
fn loose(sb: &Sandbox, repo: &Path, id: &str) -> PathBuf {
    let objects = sb.git(repo, &["rev-parse", "--git-path", "objects"]).stdout;
    let objects = repo.join(objects.trim());
    let file = objects.join(&id[..2]).join(&id[2..]);
    assert!(file.is_file(), "{id} is not a loose object at {file:?}");
    file
}

fn rev(sb: &Sandbox, repo: &Path, spec: &str) -> String {
    sb.git(repo, &["rev-parse", spec])
        .expect_ok("rev-parse")
        .stdout
        .trim()
        .to_string()
}

/// A repository (no hooks) of three commits: `init`, one adding
/// `docs/notes.txt` (clean) and one adding `app.env` with a key; the blob of
/// `docs/notes.txt` is then deleted from the object store. Returns the
/// repository, the deleted blob's id and the commit that added it.
pub fn repo_missing_a_blob(sb: &Sandbox, k: &str) -> (PathBuf, String, String) {
    let repo = sb.bare_init("r");
    write(&repo, "README.md", "# demo\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "init").expect_ok("commit");
    write(&repo, "docs/notes.txt", "meeting notes, nothing secret\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "notes").expect_ok("commit");
    let notes_commit = sb.head(&repo);
    write(&repo, "app.env", &env_line(k));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "settings").expect_ok("commit");
    let blob = rev(sb, &repo, "HEAD:docs/notes.txt");
    fs::remove_file(loose(sb, &repo, &blob)).unwrap();
    (repo, blob, notes_commit)
}

fn assert_lists(output: &str, object: &str, path: &str, commit: &str) {
    assert!(
        output.contains("1 object missing from the object store"),
        "{output}"
    );
    let line = output
        .lines()
        .find(|l| l.contains(object))
        .unwrap_or_else(|| panic!("{object} is not listed:\n{output}"));
    assert!(line.contains(path), "no path on {line:?}:\n{output}");
    assert!(
        line.contains(&format!("commit {}", &commit[..10])),
        "no commit on {line:?}:\n{output}"
    );
}

#[test]
fn scan_all_and_a_range_list_a_deleted_blob_and_exit_2() {
    let sb = Sandbox::new();
    let k = key(1601);
    let (repo, blob, commit) = repo_missing_a_blob(&sb, &k);

    for args in [&["scan", "--all"][..], &["scan", "HEAD~2..HEAD"][..]] {
        let run = sb
            .leakgate(&repo, args)
            .expect_code(2, "an incomplete scan");
        let out = run.all();
        assert_lists(&out, &blob, "docs/notes.txt", &commit);
        assert!(out.contains("scan incomplete"), "{args:?}: {out}");
        assert!(out.contains("git fsck --full"), "{args:?}: {out}");
        assert!(out.contains("git fetch --refetch"), "{args:?}: {out}");
        assert!(out.contains("--allow-missing"), "{args:?}: {out}");
        // What could be read was still scanned and reported.
        assert!(out.contains("app.env:1:24"), "{args:?}: {out}");

        // --allow-missing: a notice, and the exit code is the findings'.
        let mut with = args.to_vec();
        with.push("--allow-missing");
        let run = sb
            .leakgate(&repo, &with)
            .expect_found("the key still blocks");
        let out = run.all();
        assert_lists(&out, &blob, "docs/notes.txt", &commit);
        assert!(
            out.contains("not scanned (--allow-missing)"),
            "{with:?}: {out}"
        );
    }

    // With nothing found, --allow-missing ends clean; without it, 2.
    sb.leakgate(&repo, &["scan", "HEAD~2..HEAD~1"])
        .expect_code(2, "incomplete, no findings");
    let run = sb
        .leakgate(&repo, &["scan", "HEAD~2..HEAD~1", "--allow-missing"])
        .expect_ok("a clean scan with a notice");
    assert_lists(&run.all(), &blob, "docs/notes.txt", &commit);
}

#[test]
fn a_missing_tree_ends_gits_walk_and_is_listed_with_its_commit() {
    let sb = Sandbox::new();
    let (repo, _, commit) = repo_missing_a_blob(&sb, &key(1602));
    let tree = rev(&sb, &repo, "HEAD~1:docs");
    fs::remove_file(loose(&sb, &repo, &tree)).unwrap();
    for args in [&["scan", "main"][..], &["scan", "--all"][..]] {
        let run = sb.leakgate(&repo, args).expect_code(2, "git cannot walk");
        let out = run.all();
        assert!(
            out.contains("1 object missing from the object store"),
            "{args:?}: {out}"
        );
        let line = out.lines().find(|l| l.contains(&tree));
        assert!(
            line.is_some_and(|l| l.contains(&commit[..10])),
            "{args:?}: the tree and its commit:\n{out}"
        );
        assert!(out.contains("`git log` stopped at"), "{args:?}: {out}");
    }
}

#[test]
fn a_corrupt_object_is_an_error_naming_it_not_a_missing_one() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    write(&repo, "README.md", "# demo\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "init").expect_ok("commit");
    let blob = rev(&sb, &repo, "HEAD:README.md");
    let file = loose(&sb, &repo, &blob);
    fs::remove_file(&file).unwrap();
    fs::write(&file, b"not zlib at all").unwrap();
    let run = sb
        .leakgate(&repo, &["scan", "main", "--allow-missing"])
        .expect_code(2, "a corrupt object");
    let out = run.all();
    assert!(out.contains(&format!("reading blob {blob}")), "{out}");
    assert!(!out.contains("missing from the object store"), "{out}");
}

#[test]
fn pre_push_blocks_on_a_missing_blob_and_says_how_to_fetch_it() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let remote = sb.remote(&repo, "origin.git");
    sb.git(&repo, &["push", "-q", "-u", "origin", "main"])
        .expect_ok("first push");
    let before = rev(&sb, &remote, "main");
    write(&repo, "data/report.csv", "quarter,total\nq1,12\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "report").expect_ok("commit");
    let commit = sb.head(&repo);
    let blob = rev(&sb, &repo, "HEAD:data/report.csv");
    fs::remove_file(loose(&sb, &repo, &blob)).unwrap();

    let run = sb
        .git(&repo, &["push", "origin", "main"])
        .expect_unchecked(2, "the hook blocks");
    let err = &run.stderr;
    assert!(
        err.contains("push to origin blocked: 1 object missing"),
        "{err}"
    );
    assert_lists(err, &blob, "data/report.csv", &commit);
    assert!(err.contains("git fsck --full"), "{err}");
    assert!(err.contains("git push --no-verify"), "{err}");
    assert_eq!(rev(&sb, &remote, "main"), before, "the push went through");
}

#[test]
fn pre_receive_refuses_a_push_needing_a_blob_the_server_lost() {
    let sb = Sandbox::new();
    let (server, client) = sb.server_and_client();
    let text = "shared terms, version 1\n";
    write(&client, "terms.txt", text);
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "terms").expect_ok("commit");
    sb.git(&client, &["push", "-q", "origin", "main"])
        .expect_ok("a clean push");
    // The server lost the blob (a small push is stored as loose objects).
    let blob = rev(&sb, &client, "HEAD:terms.txt");
    fs::remove_file(loose(&sb, &server, &blob)).unwrap();
    let before = rev(&sb, &server, "main");

    // The same content at another path: the client does not send a blob
    // the server's main already has.
    write(&client, "copy/terms.txt", text);
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "copy the terms").expect_ok("commit");
    let commit = sb.head(&client);
    let run = sb
        .git(&client, &["push", "origin", "main"])
        .expect_code(1, "the server refuses");
    let err = &run.stderr;
    assert!(
        err.contains("remote: leakgate: push refused by the server: 1 object missing"),
        "{err}"
    );
    assert_lists(err, &blob, "copy/terms.txt", &commit);
    assert!(err.contains("git fsck --full"), "{err}");
    assert_eq!(rev(&sb, &server, "main"), before, "the ref moved");
}

#[test]
fn a_partial_clone_is_told_how_to_fetch_what_its_filter_left_out() {
    let sb = Sandbox::new();
    let src = sb.bare_init("src");
    sb.git(&src, &["config", "uploadpack.allowfilter", "true"])
        .expect_ok("config");
    write(&src, "a.txt", "one\n");
    sb.git(&src, &["add", "."]).expect_ok("add");
    sb.commit(&src, "one").expect_ok("commit");
    let url = format!("file://{}", src.display());
    let clone = sb.path("clone");
    sb.git(
        sb.dir.path(),
        &[
            "clone",
            "-q",
            "--no-checkout",
            "--filter=blob:none",
            &url,
            clone.to_str().unwrap(),
        ],
    )
    .expect_ok("a blobless clone");
    let blob = rev(&sb, &src, "HEAD:a.txt");
    let run = sb
        .leakgate(&clone, &["scan", "--all"])
        .expect_code(2, "a partial clone lacks its blobs");
    let out = run.all();
    assert_lists(&out, &blob, "a.txt", &sb.head(&src));
    let advice =
        "git config --unset-all remote.origin.partialclonefilter; git fetch --refetch origin";
    assert!(out.contains("this is a partial clone"), "{out}");
    assert!(out.contains(advice), "{out}");
    // The advice works: after it, the scan is complete.
    sb.git(
        &clone,
        &["config", "--unset-all", "remote.origin.partialclonefilter"],
    )
    .expect_ok("drop the filter");
    sb.git(&clone, &["fetch", "-q", "--refetch", "origin"])
        .expect_ok("refetch");
    sb.leakgate(&clone, &["scan", "--all"])
        .expect_ok("complete now");
}

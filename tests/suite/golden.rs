//! Golden snapshots: the proof that a restructuring changes no finding.
//!
//! Two outputs are compared, whole, to files committed under `tests/golden/`:
//!
//! - `rules-eval.txt`: `leakgate rules eval` on the detection corpus that
//!   bench/corpus.py generates at run time (seeded, so the same every run);
//! - `history-all.json`: `leakgate scan --all --format json` on a git
//!   repository built at run time from that corpus with fixed names and
//!   dates (so its commit ids are the same every run): several commits, one
//!   that deletes and edits files, a merge, and a commit message holding a
//!   key. Only the elapsed time is normalized; fingerprints stay, as they are
//!   what proves the findings identical.
//!
//! After a change that is *meant* to change findings, rewrite the snapshots
//! and review their diff like code:
//!
//! ```text
//! LEAKGATE_BLESS=1 cargo test --locked golden
//! ```
//!
//! A mismatch prints the first differing lines of each side.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::*;

/// Where the snapshots live.
fn golden(name: &str) -> PathBuf {
    project_root().join("tests/golden").join(name)
}

/// Compares `actual` with the committed snapshot `name`, or rewrites the
/// snapshot when `LEAKGATE_BLESS=1`.
fn assert_golden(name: &str, actual: &str) {
    let path = golden(name);
    if std::env::var_os("LEAKGATE_BLESS").is_some_and(|v| v == "1") {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, actual).unwrap();
        eprintln!("blessed {}", path.display());
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; write it with LEAKGATE_BLESS=1 cargo test --locked golden",
            path.display()
        )
    });
    if expected == actual {
        return;
    }
    panic!(
        "{name} differs from the snapshot {} (LEAKGATE_BLESS=1 rewrites it, if the change is meant):\n{}",
        path.display(),
        first_difference(&expected, actual)
    );
}

/// The first differing line of two texts, with a few lines of context from
/// each side and both line counts.
fn first_difference(expected: &str, actual: &str) -> String {
    let want: Vec<&str> = expected.lines().collect();
    let got: Vec<&str> = actual.lines().collect();
    let at = want
        .iter()
        .zip(&got)
        .position(|(a, b)| a != b)
        .unwrap_or(want.len().min(got.len()));
    let from = at.saturating_sub(2);
    let side = |lines: &[&str]| {
        lines
            .iter()
            .enumerate()
            .skip(from)
            .take(8)
            .map(|(i, l)| format!("{:>6}{} {l}\n", i + 1, if i == at { ">" } else { ":" }))
            .collect::<String>()
    };
    format!(
        "first difference at line {} (snapshot {} lines, now {} lines)\n--- snapshot\n{}+++ now\n{}",
        at + 1,
        want.len(),
        got.len(),
        side(&want),
        side(&got)
    )
}

/// `leakgate rules eval` on the corpus, whole.
#[test]
fn rules_eval_on_the_corpus_matches_the_snapshot() {
    let sb = Sandbox::new();
    let out = sb.path("corpus");
    corpus(&sb, &out);
    let eval = |sb: &Sandbox| {
        let run = sb.leakgate(&sb.path("home"), &["rules", "eval", out.to_str().unwrap()]);
        assert_eq!(run.code, Some(0), "rules eval: {}", run.all());
        run.stdout.replace(out.to_str().unwrap(), "<corpus>")
    };
    let first = eval(&sb);
    assert_eq!(first, eval(&sb), "rules eval is not deterministic");
    assert_golden("rules-eval.txt", &first);
}

/// Fixed dates, so the same tree gives the same commit id on every run.
fn at(sb: &Sandbox, repo: &Path, when: &str, args: &[&str]) {
    sb.output(
        sb.command("git", repo)
            .args(args)
            .env("GIT_AUTHOR_DATE", when)
            .env("GIT_COMMITTER_DATE", when),
    )
    .expect_ok(&format!("git {}", args.join(" ")));
}

/// The corpus's case files, in name order.
fn cases(corpus: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![corpus.join("cases")];
    while let Some(d) = dirs.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else {
                files.push(p.strip_prefix(corpus).unwrap().to_path_buf());
            }
        }
    }
    files.sort();
    files
}

/// Copies the `files` of the corpus into the repository.
fn copy_in(corpus: &Path, repo: &Path, files: &[PathBuf]) {
    for f in files {
        let to = repo.join(f);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(corpus.join(f), to).unwrap();
    }
}

/// A repository whose history holds the whole corpus: three commits on main,
/// one that deletes a tenth of the cases and edits another tenth, a side
/// branch merged back, and a commit whose message holds a key.
fn history_repo(sb: &Sandbox) -> PathBuf {
    let corpus_dir = sb.path("corpus");
    corpus(sb, &corpus_dir);
    let all = cases(&corpus_dir);
    assert!(all.len() >= 600, "{} cases", all.len());
    let n = all.len();
    let repo = sb.bare_init("history");
    let add_commit = |when: &str, msg: &str| {
        sb.git(&repo, &["add", "-A"]).expect_ok("add");
        at(sb, &repo, when, &["commit", "-q", "--no-verify", "-m", msg]);
    };

    copy_in(&corpus_dir, &repo, &all[..n / 3]);
    add_commit("2024-01-01T10:00:00+00:00", "first third of the corpus");
    copy_in(&corpus_dir, &repo, &all[n / 3..2 * n / 3]);
    add_commit("2024-01-02T10:00:00+00:00", "second third of the corpus");

    sb.git(&repo, &["checkout", "-q", "-b", "side"])
        .expect_ok("branch");
    copy_in(&corpus_dir, &repo, &all[2 * n / 3..]);
    add_commit("2024-01-03T10:00:00+00:00", "last third of the corpus");
    write(&repo, "NOTES.md", "rotated\n");
    add_commit(
        "2024-01-04T10:00:00+00:00",
        &format!("rotate the sms key, was {}", env_line(&key(4242)).trim()),
    );

    sb.git(&repo, &["checkout", "-q", "main"])
        .expect_ok("checkout");
    for f in all[..n / 10].iter() {
        fs::remove_file(repo.join(f)).unwrap();
    }
    for f in &all[n / 10..n / 5] {
        let p = repo.join(f);
        let mut text = fs::read_to_string(&p).unwrap();
        text.push_str("# edited\n");
        fs::write(p, text).unwrap();
    }
    add_commit(
        "2024-01-05T10:00:00+00:00",
        "delete a tenth of the cases, edit another tenth",
    );
    at(
        sb,
        &repo,
        "2024-01-06T10:00:00+00:00",
        &[
            "merge",
            "-q",
            "--no-ff",
            "--no-verify",
            "-m",
            "merge side",
            "side",
        ],
    );
    repo
}

/// The report as printed, with the elapsed time (the one value that varies
/// from run to run) replaced by 0.
fn normalize_scan(stdout: &str) -> String {
    let doc: Value = serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert!(
        doc["summary"]["seconds"].is_number(),
        "no summary.seconds: {stdout}"
    );
    let mut replaced = 0;
    let text: String = stdout
        .lines()
        .map(|line| {
            let value = line.trim_start().strip_prefix("\"seconds\": ");
            match value {
                Some(v) => {
                    replaced += 1;
                    let comma = if v.ends_with(',') { "," } else { "" };
                    let indent = &line[..line.len() - line.trim_start().len()];
                    format!("{indent}\"seconds\": 0{comma}\n")
                }
                None => format!("{line}\n"),
            }
        })
        .collect();
    assert_eq!(replaced, 1, "one seconds field: {stdout}");
    text
}

/// `leakgate scan --all --format json` over the corpus's history, whole.
#[test]
fn history_scan_of_the_corpus_matches_the_snapshot() {
    let sb = Sandbox::new();
    let repo = history_repo(&sb);
    let scan = || {
        let run = sb.leakgate(&repo, &["scan", "--all", "--format", "json"]);
        assert_eq!(
            run.code,
            Some(1),
            "scan --all finds the corpus: {}",
            run.stderr
        );
        normalize_scan(&run.stdout)
    };
    let first = scan();
    assert_eq!(first, scan(), "scan --all is not deterministic");
    let doc: Value = serde_json::from_str(&first).unwrap();
    assert!(
        doc["findings"].as_array().unwrap().len() >= 300,
        "too few findings"
    );
    // The snapshot is committed: it must hold no generated secret whole.
    audit("history snapshot", &first);
    assert_golden("history-all.json", &first);
}

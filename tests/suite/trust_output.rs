//! What the report shows a person: no secret whole (not even one no rule
//! matched), no control characters from file names or commit summaries,
//! bounded output on minified files, and advice that is true for the case at
//! hand. Driven through the real binary and real git.

use crate::common::*;
use leakgate::rules::testgen::token;

/// Runs leakgate with `input` on stdin (the sandbox's commands get none).
/// An Azure storage connection string whose account key (88 base64
/// characters) no built-in rule has to match, and that key.
fn azure_connection_string(seed: u64) -> (String, String) {
    let account_key = secret(format!("{}==", token("base64", 86, seed)));
    (
        format!("DefaultEndpointsProtocol=https;AccountName=x;AccountKey={account_key};"),
        account_key,
    )
}

/// A minified-style line of `n` distinct MessageBird keys.
fn line_of_keys(n: u64) -> String {
    let mut line = String::new();
    for i in 0..n {
        line.push_str(&format!("messagebird_key=\"{}\" ", key(1000 + i)));
    }
    line.push('\n');
    line
}

fn json_findings(run: &Run) -> usize {
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON report");
    doc["findings"].as_array().expect("findings").len()
}

#[test]
fn a_key_repeated_on_its_line_is_masked_every_time_on_stdin() {
    let sb = Sandbox::new();
    let k = key(1);
    let run = sb.leakgate_stdin(
        sb.dir.path(),
        &["scan", "-"],
        format!("MESSAGEBIRD_ACCESS_KEY={k} # was {k}\n"),
    );
    assert_eq!(run.code, Some(1), "{}", run.all());
    run.assert_hides(&k);
    assert!(
        run.stdout.contains(&format!("# was {}****", &k[..4])),
        "the repeat is shown redacted: {}",
        run.stdout
    );
}

#[test]
fn a_key_repeated_on_its_line_is_masked_every_time_in_a_blocked_commit() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let k = key(2);
    write(
        &repo,
        "app.env",
        &format!("MESSAGEBIRD_ACCESS_KEY={k} # was {k}\n"),
    );
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb.commit(&repo, "env").expect_blocked("commit with a key");
    run.assert_hides(&k);
    assert!(run.stderr.contains("commit blocked"), "{}", run.stderr);
}

#[test]
fn an_unmatched_account_key_next_to_a_found_key_is_never_printed_whole() {
    let sb = Sandbox::new();
    let k = key(3);
    let (conn, account_key) = azure_connection_string(4);
    let line = format!("MESSAGEBIRD_ACCESS_KEY={k} STORAGE=\"{conn}\"\n");

    for format in ["human", "json"] {
        let run = sb.leakgate_stdin(sb.dir.path(), &["scan", "--format", format, "-"], &line);
        assert_eq!(run.code, Some(1), "{}", run.all());
        run.assert_hides(&k);
        run.assert_hides(&account_key);
        // Masked, not dropped: the names around it stay readable.
        if format == "human" {
            assert!(
                run.stdout
                    .contains("DefaultEndpointsProtocol=https;AccountName=x;AccountKey="),
                "{}",
                run.stdout
            );
        }
    }

    let repo = sb.repo("r");
    write(&repo, "settings.env", &line);
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb
        .commit(&repo, "settings")
        .expect_blocked("commit with a key");
    run.assert_hides(&k);
    run.assert_hides(&account_key);
}

#[test]
fn file_names_cannot_forge_report_lines_or_reach_the_terminal() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let forged = "a\nleakgate: fake line.env";
    let coloured = "b\u{1b}[31mred.env";
    write(
        &repo,
        forged,
        &format!("MESSAGEBIRD_ACCESS_KEY={}\n", key(5)),
    );
    write(
        &repo,
        coloured,
        &format!("MESSAGEBIRD_ACCESS_KEY={}\n", key(6)),
    );
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb.commit(&repo, "names").expect_blocked("commit with keys");
    let err = &run.stderr;
    assert!(
        !err.lines().any(|l| l.starts_with("leakgate: fake line")),
        "a file name forged a report line:\n{err}"
    );
    assert!(
        !err.contains('\u{1b}'),
        "an escape sequence got through:\n{err}"
    );
    assert!(err.contains(r"a\u{a}leakgate: fake line.env:1:24"), "{err}");
    assert!(err.contains(r"b\u{1b}[31mred.env:1:24"), "{err}");
    // The fix command still names the real files.
    assert!(
        err.contains(r"$'a\nleakgate: fake line.env'") && err.contains(r"$'b\x1b[31mred.env'"),
        "{err}"
    );
}

#[test]
fn a_commit_summary_is_shown_masked_and_escaped() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    sb.remote(&repo, "origin.git");
    sb.git(&repo, &["push", "-q", "-u", "origin", "main"])
        .expect_ok("first push");
    let k = key(7);
    let (_, account_key) = azure_connection_string(8);
    write(&repo, "sms.env", &format!("MESSAGEBIRD_ACCESS_KEY={k}\n"));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(
        &repo,
        &format!("use key {k} and {account_key} \u{1b}[2J for now"),
    );
    let run = sb
        .git(&repo, &["push", "origin", "main"])
        .expect_blocked("push with a key");
    run.assert_hides(&k);
    run.assert_hides(&account_key);
    assert!(!run.stderr.contains('\u{1b}'), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("use key {}****", &k[..4])),
        "{}",
        run.stderr
    );
}

#[test]
fn a_line_of_hundreds_of_keys_prints_twenty_and_counts_the_rest() {
    let sb = Sandbox::new();
    let line = line_of_keys(300);
    let json = sb.leakgate_stdin(sb.dir.path(), &["scan", "--format", "json", "-"], &line);
    let total = json_findings(&json);
    assert!(total > 250, "the keys are found: {total}");

    let run = sb.leakgate_stdin(sb.dir.path(), &["scan", "-"], &line);
    assert_eq!(run.code, Some(1));
    let out = &run.stdout;
    assert!(
        out.starts_with(&format!(
            "leakgate: found: {total} secrets in standard input"
        )),
        "the count is of all of them: {out}"
    );
    let shown = out
        .lines()
        .filter(|l| l.starts_with("  <stdin>:1:"))
        .count();
    assert_eq!(shown, 20, "{out}");
    assert!(
        out.contains(&format!(
            "... and {} more findings in <stdin> (use --format json for all)",
            total - 20
        )),
        "{out}"
    );
    assert!(out.lines().count() < 200, "{} lines", out.lines().count());
}

#[test]
fn ten_thousand_findings_on_one_line_complete() {
    // Was cubic: 8,000 findings on a line took minutes. No timing here,
    // only that it finishes with a bounded report (the README states the
    // measured figure).
    let sb = Sandbox::new();
    let line = line_of_keys(10_000);
    let run = sb.leakgate_stdin(sb.dir.path(), &["scan", "-"], &line);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let first = run.stdout.lines().next().unwrap_or_default().to_string();
    let n: usize = first
        .strip_prefix("leakgate: found: ")
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("unexpected headline {first:?}"));
    assert!(n > 9_900, "{first}");
    assert!(run.stdout.len() < 64 * 1024, "{} bytes", run.stdout.len());
}

#[test]
fn a_push_does_not_offer_amend_for_a_key_in_an_older_commit() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    sb.remote(&repo, "origin.git");
    sb.git(&repo, &["push", "-q", "-u", "origin", "main"])
        .expect_ok("first push");
    write(
        &repo,
        "sms.env",
        &format!("MESSAGEBIRD_ACCESS_KEY={}\n", key(9)),
    );
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "key");
    let bad = sb.head(&repo);
    write(&repo, "notes.txt", "later\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "later work").expect_ok("clean commit");

    let run = sb
        .git(&repo, &["push", "origin", "main"])
        .expect_blocked("push with a key");
    let err = &run.stderr;
    assert!(
        err.contains(&format!("git rebase -i {}^", &bad[..10])),
        "{err}"
    );
    assert!(
        !err.contains("last commit"),
        "the key is not in the last commit: {err}"
    );
}

#[test]
fn a_push_offers_amend_when_the_key_is_in_the_pushed_tip() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    sb.remote(&repo, "origin.git");
    sb.git(&repo, &["push", "-q", "-u", "origin", "main"])
        .expect_ok("first push");
    write(
        &repo,
        "sms.env",
        &format!("MESSAGEBIRD_ACCESS_KEY={}\n", key(10)),
    );
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "key");
    let bad = sb.head(&repo);
    let run = sb
        .git(&repo, &["push", "origin", "main"])
        .expect_blocked("push with a key");
    assert!(
        run.stderr
            .contains(&format!("{} is the last commit pushed", &bad[..10])),
        "{}",
        run.stderr
    );
}

#[test]
fn a_key_in_the_root_commit_gets_rebase_root() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    sb.install(&repo).expect_ok("install.sh");
    write(
        &repo,
        "sms.env",
        &format!("MESSAGEBIRD_ACCESS_KEY={}\n", key(11)),
    );
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "first");
    let root = sb.head(&repo);
    write(&repo, "notes.txt", "more\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "second").expect_ok("clean commit");
    sb.remote(&repo, "origin.git");

    let run = sb
        .git(&repo, &["push", "origin", "main"])
        .expect_blocked("push with a key");
    let err = &run.stderr;
    assert!(err.contains("git rebase -i --root"), "{err}");
    assert!(
        !err.contains(&format!("{}^", &root[..10])),
        "`<root>^` does not exist: {err}"
    );
}

#[test]
fn a_manual_staged_scan_reports_without_claiming_to_block_a_commit() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(
        &repo,
        "app.env",
        &format!("MESSAGEBIRD_ACCESS_KEY={}\n", key(12)),
    );
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb.leakgate(&repo, &["scan", "--staged"]);
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(
        run.stdout
            .starts_with("leakgate: found: 1 secret in the staged changes"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("commit blocked"), "{}", run.stdout);
    assert!(!run.stdout.contains("--no-verify"), "{}", run.stdout);
}

#[test]
fn a_clean_scan_with_skipped_files_says_what_it_did_not_read() {
    let sb = Sandbox::new();
    let dir = sb.path("files");
    write(&dir, "ok.txt", "nothing here\n");
    let mut bin = b"\x89PNG\0\0\0".to_vec();
    bin.extend_from_slice(format!("MESSAGEBIRD_ACCESS_KEY={}\n", key(13)).as_bytes());
    write_bytes(&dir, "logo.png", &bin);
    std::os::unix::fs::symlink("ok.txt", dir.join("one")).unwrap();
    std::os::unix::fs::symlink("ok.txt", dir.join("two")).unwrap();
    let run = sb
        .leakgate(sb.dir.path(), &["scan", "files"])
        .expect_ok("clean scan");
    let out = &run.stdout;
    assert!(
        out.contains(
            "leakgate: no secrets found in what was scanned; 2 files were not scanned (2 symlinks)"
        ),
        "{out}"
    );
    assert!(
        out.contains("1 binary file searched for prefixed keys"),
        "{out}"
    );
    assert!(!out.contains("no secrets found;"), "{out}");
}

#[test]
fn the_size_note_states_the_limit_and_how_to_change_it() {
    let sb = Sandbox::new();
    let dir = sb.path("files");
    write(&dir, "big.txt", &"filler line\n".repeat(200));
    let run = sb
        .leakgate(
            sb.dir.path(),
            &["scan", "--max-file-size", "1 KiB", "files"],
        )
        .expect_ok("clean scan");
    let out = &run.stdout;
    assert!(
        out.contains("1 file over the size limit of 1.0 KiB was scanned in overlapping windows"),
        "{out}"
    );
    assert!(
        out.contains("`[scan] max_file_size` in .leakgate.toml or --max-file-size sets it"),
        "{out}"
    );
}

#[test]
fn allow_advice_outside_a_repository_names_the_file() {
    let sb = Sandbox::new();
    let dir = sb.path("files");
    write(
        &dir,
        "app.env",
        &format!("MESSAGEBIRD_ACCESS_KEY={}\n", key(14)),
    );
    let run = sb.leakgate(sb.dir.path(), &["scan", "files"]);
    assert_eq!(run.code, Some(1), "{}", run.all());
    let out = &run.stdout;
    assert!(!out.contains("commit  with"), "{out}");
    assert!(
        out.contains("it creates\n     .leakgate-allow.toml there; commit that file"),
        "{out}"
    );
}

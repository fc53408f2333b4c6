//! Issue 14, the allowlist's new forms: `[scan] exclude` in the config
//! (paths not read at all, counted), and `[[allow]] value` / `stopwords`
//! (tests of the secret's value, run inside the engine). Hooks are driven
//! through the real `git`; every run is audited for whole secrets.

use std::path::Path;

use crate::common::*;

/// A GitHub classic token: found anywhere by its prefix and checksum.
fn gh(seed: u64) -> String {
    secret(format!(
        "ghp_{}",
        leakgate::rules::testgen::token("crc32", 30, 6400 + seed)
    ))
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.all()))
}

const EXCLUDE_VENDOR: &str =
    "[scan]\nexclude = [\"vendor/**\"]\nexclude_reason = \"third-party code\"\n";

#[test]
fn pre_commit_does_not_read_an_excluded_path_and_says_how_many_files_it_left_out() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(&repo, ".leakgate.toml", EXCLUDE_VENDOR);
    let k = key(1);
    write(&repo, "vendor/x.js", &env_line(&k));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb
        .commit(&repo, "vendored code")
        .expect_ok("an excluded path is not read");
    let all = run.all();
    assert!(
        all.contains("1 file excluded by [scan] exclude (\"vendor/**\": 1)"),
        "{all}"
    );

    // The same key outside the excluded folder blocks.
    write(&repo, "src/x.js", &env_line(&k));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb
        .commit(&repo, "the key again")
        .expect_blocked("not excluded");
    assert!(run.stderr.contains("src/x.js:1"), "{}", run.stderr);
}

#[test]
fn an_exclude_without_a_reason_fails_the_hook_closed_naming_file_line_and_field() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(
        &repo,
        ".leakgate.toml",
        "[scan]\nexclude = [\"vendor/**\"]\n",
    );
    write(&repo, "vendor/x.js", &env_line(&key(2)));
    sb.git(&repo, &["add", "vendor"]).expect_ok("add");
    let run = sb
        .commit(&repo, "vendored code")
        .expect_unchecked(2, "a config error");
    assert!(
        run.stderr
            .contains(".leakgate.toml:2: [scan] field `exclude_reason`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--no-verify"), "{}", run.stderr);
}

#[test]
fn an_expired_exclude_blocks_again_and_the_report_says_it_lapsed() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(
        &repo,
        ".leakgate.toml",
        &format!("{EXCLUDE_VENDOR}exclude_expires = 2020-01-31\n"),
    );
    let k = key(3);
    write(&repo, "vendor/x.js", &env_line(&k));
    sb.git(&repo, &["add", "vendor"]).expect_ok("add");
    let run = sb
        .commit(&repo, "vendored code")
        .expect_blocked("the exclude has lapsed");
    let err = &run.stderr;
    assert!(err.contains("vendor/x.js:1"), "{err}");
    assert!(
        err.contains(
            "the `[scan] exclude` pattern \"vendor/**\" expired on 2020-01-31: the 1 file it matches was scanned again"
        ),
        "{err}"
    );
}

#[test]
fn a_history_scan_counts_excluded_blobs_in_its_json_summary() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    write(&repo, "vendor/a.js", &env_line(&key(4)));
    write(&repo, "vendor/b.js", "module.exports = 1;\n");
    write(&repo, "src/main.rs", "fn main() {}\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "one").expect_ok("commit");
    // A second version of a vendored file, in a second commit.
    write(&repo, "vendor/b.js", "module.exports = 2;\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "two").expect_ok("commit");

    sb.leakgate(&repo, &["scan", "--all"])
        .expect_found("without the exclude the key is found");
    write(&repo, ".leakgate.toml", EXCLUDE_VENDOR);
    let run = sb
        .leakgate(&repo, &["scan", "--all", "--format", "json"])
        .expect_ok("vendor/ is not read");
    let s = &json(&run)["summary"];
    assert_eq!(s["excluded"], 3, "three vendored blobs: {}", run.stdout);
    assert_eq!(
        s["excluded_by"],
        serde_json::json!([{"pattern": "vendor/**", "files": 3}])
    );
    assert_eq!(s["files_scanned"], 1, "only src/main.rs: {}", run.stdout);
    assert_eq!(s["excludes_lapsed"], serde_json::json!([]));
}

/// `scan .` in a folder holding `files` and an allowlist of `entries`.
fn scan_with_allowlist(sb: &Sandbox, dir: &str, entries: &str, files: &[(&str, &str)]) -> Run {
    let d = sb.path(dir);
    std::fs::create_dir_all(&d).unwrap();
    write(&d, ".leakgate-allow.toml", entries);
    for (name, text) in files {
        write(&d, name, text);
    }
    scan_here(sb, &d)
}

fn scan_here(sb: &Sandbox, d: &Path) -> Run {
    sb.leakgate(d, &["scan", ".", "--color", "never"])
}

#[test]
fn a_value_pattern_allows_the_keys_it_matches_for_its_rule_until_it_expires() {
    let sb = Sandbox::new();
    let (a, b) = (gh(1), gh(2));
    assert_ne!(a[4..12], b[4..12]);
    let files = [
        ("a.txt", &*format!("token: {a}\n")),
        ("b.txt", &*format!("token: {b}\n")),
    ];
    let pattern = format!("^ghp_{}", &a[4..12]);

    let run = scan_with_allowlist(
        &sb,
        "matching",
        &format!("[[allow]]\nvalue = \"{pattern}\"\nreason = \"a documented token\"\n"),
        &files,
    )
    .expect_found("b is not matched");
    assert!(run.stdout.contains("b.txt:1"), "{}", run.stdout);
    assert!(!run.stdout.contains("a.txt"), "{}", run.stdout);
    assert!(
        run.stdout.contains("1 allowed by the allowlist"),
        "{}",
        run.stdout
    );

    // Narrowed to another rule, it allows nothing of this one.
    let run = scan_with_allowlist(
        &sb,
        "other-rule",
        &format!(
            "[[allow]]\nvalue = \"{pattern}\"\nrule = \"messagebird-access-key\"\nreason = \"x\"\n"
        ),
        &files,
    )
    .expect_found("rule narrows");
    assert!(
        run.stdout.contains("a.txt:1") && run.stdout.contains("b.txt:1"),
        "{}",
        run.stdout
    );
    let run = scan_with_allowlist(
        &sb,
        "same-rule",
        &format!(
            "[[allow]]\nvalue = \"{pattern}\"\nrule = \"github-classic-pat\"\nreason = \"x\"\n"
        ),
        &files,
    )
    .expect_found("b still");
    assert!(!run.stdout.contains("a.txt"), "{}", run.stdout);

    let run = scan_with_allowlist(
        &sb,
        "expired",
        &format!("[[allow]]\nvalue = \"{pattern}\"\nreason = \"was fine\"\nexpires = 2020-02-01\n"),
        &files,
    )
    .expect_found("lapsed");
    assert!(run.stdout.contains("a.txt:1"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains(".leakgate-allow.toml:1 allowed this until 2020-02-01"),
        "{}",
        run.stdout
    );
}

#[test]
fn value_patterns_that_allow_everything_or_hold_a_key_are_refused_without_showing_it() {
    let sb = Sandbox::new();
    let a = gh(3);
    let files = [("a.txt", &*format!("token: {a}\n"))];
    let run = scan_with_allowlist(
        &sb,
        "everything",
        "[[allow]]\nvalue = \".*\"\nreason = \"quiet please\"\n",
        &files,
    )
    .expect_code(2, "refused");
    assert!(
        run.stderr
            .contains(".leakgate-allow.toml:1: [[allow]] entry, field `value`")
            && run.stderr.contains("would allow every secret"),
        "{}",
        run.stderr
    );

    // The key itself as the pattern: refused, and never echoed (the run
    // is audited for it too). Its first letter is a TOML escape, so the
    // file the test writes does not hold it whole; the parsed value does.
    let run = scan_with_allowlist(
        &sb,
        "holds-a-key",
        &format!(
            "\n[[allow]]\nvalue = \"^\\u0067{}$\"\nreason = \"x\"\n",
            &a[1..]
        ),
        &files,
    )
    .expect_code(2, "refused");
    assert!(
        run.stderr
            .contains(".leakgate-allow.toml:2: [[allow]] entry, field `value`: holds what looks like a secret"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("leakgate allow PATH:LINE"),
        "{}",
        run.stderr
    );
    run.assert_hides(&a);
    assert!(!run.stderr.contains(&a[4..20]), "{}", run.stderr);
}

/// `s` with the case of each letter swapped.
fn swap_case(s: &str) -> String {
    s.chars()
        .map(|c| match c.is_ascii_lowercase() {
            true => c.to_ascii_uppercase(),
            false => c.to_ascii_lowercase(),
        })
        .collect()
}

#[test]
fn stopwords_match_in_any_case_expire_and_cannot_be_empty() {
    let sb = Sandbox::new();
    let (a, b) = (gh(5), gh(6));
    let word = &a[6..13];
    assert!(!b.to_lowercase().contains(&word.to_lowercase()));
    assert_ne!(swap_case(word), word, "the test needs letters");
    let files = [
        ("a.txt", &*format!("token: {a}\n")),
        ("b.txt", &*format!("token: {b}\n")),
    ];
    let run = scan_with_allowlist(
        &sb,
        "any-case",
        &format!(
            "[[allow]]\nstopwords = [\"placeholder\", \"{}\"]\nreason = \"docs\"\n",
            swap_case(word)
        ),
        &files,
    )
    .expect_found("b holds no stopword");
    assert!(!run.stdout.contains("a.txt"), "{}", run.stdout);
    assert!(run.stdout.contains("b.txt:1"), "{}", run.stdout);

    let run = scan_with_allowlist(
        &sb,
        "expired",
        &format!("[[allow]]\nstopwords = [\"{word}\"]\nreason = \"docs\"\nexpires = 2021-03-01\n"),
        &files,
    )
    .expect_found("lapsed");
    assert!(
        run.stdout.contains("a.txt:1")
            && run
                .stdout
                .contains(".leakgate-allow.toml:1 allowed this until 2021-03-01"),
        "{}",
        run.stdout
    );

    let run = scan_with_allowlist(
        &sb,
        "empty",
        "[[allow]]\nstopwords = [\"example\", \"\"]\nreason = \"docs\"\n",
        &files,
    )
    .expect_code(2, "an empty stopword");
    assert!(
        run.stderr.contains(
            ".leakgate-allow.toml:1: [[allow]] entry, field `stopwords`: item 2 is empty"
        ),
        "{}",
        run.stderr
    );
}

/// A pull request that adds a key together with an exclude for its file and
/// a value entry for the key: `ci` judges it by the target branch's policy,
/// so neither applies; the change's own policy would have hidden it.
#[test]
fn ci_ignores_excludes_and_value_entries_that_the_change_itself_adds() {
    let sb = Sandbox::new();
    let origin = sb.bare("origin.git");
    let dev = sb.bare_init("dev");
    write(&dev, "README.md", "# app\n");
    sb.git(&dev, &["add", "."]).expect_ok("add");
    sb.commit(&dev, "init").expect_ok("commit");
    sb.git(&dev, &["remote", "add", "origin", origin.to_str().unwrap()])
        .expect_ok("remote");
    sb.git(&dev, &["push", "-q", "origin", "main"])
        .expect_ok("push main");
    let main = sb.head(&dev);
    sb.git(&dev, &["checkout", "-q", "-b", "feature"])
        .expect_ok("branch");
    let k = gh(7);
    write(&dev, "config/token.txt", &format!("token: {k}\n"));
    write(
        &dev,
        ".leakgate.toml",
        "[scan]\nexclude = [{ path = \"config/\", reason = \"trust me\" }]\n",
    );
    write(
        &dev,
        ".leakgate-allow.toml",
        &format!(
            "[[allow]]\nvalue = \"^ghp_{}\"\nreason = \"trust me\"\n",
            &k[4..10]
        ),
    );
    sb.git(&dev, &["add", "."]).expect_ok("add");
    sb.commit(&dev, "a token, hidden by the change itself")
        .expect_ok("commit");
    sb.git(&dev, &["push", "-q", "origin", "feature"])
        .expect_ok("push feature");
    let feature = sb.head(&dev);

    let ci = sb.path("ci");
    sb.git(
        sb.dir.path(),
        &[
            "clone",
            "-q",
            origin.to_str().unwrap(),
            ci.to_str().unwrap(),
        ],
    )
    .expect_ok("clone");
    sb.git(&ci, &["checkout", "-q", "feature"])
        .expect_ok("checkout");
    // Under its own policy (the work tree's files) the change hides it.
    sb.leakgate(&ci, &["scan", &format!("{main}..{feature}")])
        .expect_ok("the change's own exclude and entry hide its key");

    let event = sb.path("pr.json");
    std::fs::write(
        &event,
        format!(
            r#"{{"action": "synchronize", "number": 7,
                "pull_request": {{"base": {{"ref": "main", "sha": "{main}"}},
                                  "head": {{"ref": "feature", "sha": "{feature}"}}}}}}"#
        ),
    )
    .unwrap();
    let mut cmd = sb.command(BIN, &ci);
    cmd.arg("ci")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_SHA", &feature);
    let run = sb
        .output(&mut cmd)
        .expect_found("the target branch's policy");
    assert!(run.stdout.contains("config/token.txt:1"), "{}", run.stdout);
    assert!(!run.stdout.contains("excluded"), "{}", run.stdout);
}

#[test]
fn allow_list_shows_value_entries_stopwords_and_excludes_with_what_they_hide() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    let (a, b) = (gh(8), gh(9));
    write(&repo, "docs/a.md", &format!("token: {a}\n"));
    write(&repo, "vendor/b.js", &format!("token: {b}\n"));
    write(&repo, "vendor/c.js", "1\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "docs and vendored code")
        .expect_ok("commit");
    write(&repo, ".leakgate.toml", EXCLUDE_VENDOR);
    write(
        &repo,
        ".leakgate-allow.toml",
        &format!(
            "[[allow]]\nvalue = \"^ghp_{}\"\nreason = \"documented\"\n\n\
             [[allow]]\nstopwords = [\"changeme\"]\nreason = \"placeholders\"\n",
            &a[4..10]
        ),
    );
    let run = sb.leakgate(&repo, &["allow", "--list"]).expect_ok("list");
    let out = &run.stdout;
    assert!(
        out.contains(".leakgate.toml:2  [scan] exclude \"vendor/**\"  reason: third-party code"),
        "{out}"
    );
    assert!(
        out.contains("excludes 2 files in history (every ref) (not read)"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            ".leakgate-allow.toml:1  value \"^ghp_{}\"  reason: documented",
            &a[4..10]
        )),
        "{out}"
    );
    assert!(
        out.contains("hides 1 finding\n      docs/a.md:1  github-classic-pat"),
        "{out}"
    );
    assert!(
        out.contains(".leakgate-allow.toml:5  stopwords [\"changeme\"]  reason: placeholders\n    matches nothing in history"),
        "{out}"
    );
    assert!(!out.contains("vendor/b.js"), "{out}");
}

/// The server judges a push by the policy it already has: an exclude pushed
/// with the key does not hide it; landed first, it keeps the path unread.
#[test]
fn pre_receive_ignores_an_exclude_pushed_with_the_key_and_honours_one_already_there() {
    let sb = Sandbox::new();
    let (_server, client) = sb.server_and_client();
    let k = key(6);
    write(&client, "vendor/sms.env", &env_line(&k));
    write(&client, ".leakgate.toml", EXCLUDE_VENDOR);
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "vendored sms, excluded by the push itself")
        .expect_ok("commit (no client hook)");
    let run = sb
        .git(&client, &["push", "-q", "origin", "main"])
        .expect_blocked("the push's own exclude is not trusted");
    assert!(run.stderr.contains("vendor/sms.env:1"), "{}", run.stderr);

    // The exclude lands first, on its own; then the key under it passes,
    // and the server says it left a file unread.
    sb.git(&client, &["reset", "-q", "--hard", "origin/main"])
        .expect_ok("reset");
    write(&client, ".leakgate.toml", EXCLUDE_VENDOR);
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "exclude vendor/").expect_ok("commit");
    sb.git(&client, &["push", "-q", "origin", "main"])
        .expect_ok("a clean push");
    write(&client, "vendor/sms.env", &env_line(&k));
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "vendored sms").expect_ok("commit");
    let run = sb
        .git(&client, &["push", "origin", "main"])
        .expect_ok("excluded by the server's policy");
    assert!(
        run.stderr
            .contains("1 file excluded by [scan] exclude (\"vendor/**\": 1)"),
        "{}",
        run.stderr
    );
}

/// A key in a commit message is built by the same engine step as one in a
/// file: a value entry allows it there too.
#[test]
fn a_value_entry_covers_a_key_in_a_commit_message() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    let k = gh(10);
    write(&repo, "a.txt", "1\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, &format!("deploy with {k}"))
        .expect_ok("commit");
    sb.leakgate(&repo, &["scan", "--all"])
        .expect_found("the message holds a key");
    write(
        &repo,
        ".leakgate-allow.toml",
        &format!(
            "[[allow]]\nvalue = \"^ghp_{}\"\nreason = \"revoked\"\n",
            &k[4..10]
        ),
    );
    let run = sb
        .leakgate(&repo, &["scan", "--all", "--color", "never"])
        .expect_ok("allowed by value");
    assert!(
        run.stdout.contains("1 allowed by the allowlist"),
        "{}",
        run.stdout
    );
}

//! History, range, file and stdin scans; baseline; and every mode reporting
//! the same secret the same way.

use crate::common::*;
use serde_json::Value;

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.all()))
}

fn identity(f: &Value) -> (String, String, String) {
    (
        f["rule_id"].as_str().unwrap().to_string(),
        f["fingerprint"].as_str().unwrap().to_string(),
        f["redacted"].as_str().unwrap().to_string(),
    )
}

#[test]
fn every_mode_reports_the_same_secret_the_same_way() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    sb.remote(&repo, "origin.git");
    sb.git(&repo, &["push", "-q", "origin", "main"])
        .expect_ok("push");
    let k = key(1);
    write(
        &repo,
        "conf/sms.yml",
        &format!("messagebird:\n  access_key: {k}\n"),
    );
    sb.git(&repo, &["add", "."]).expect_ok("add");

    let staged = json(&sb.leakgate(&repo, &["scan", "--staged", "--format", "json"]));
    let want = identity(&staged["findings"][0]);
    sb.commit_unchecked(&repo, "sms");

    let range = json(&sb.leakgate(&repo, &["scan", "HEAD~1..HEAD", "--format", "json"]));
    let all = json(&sb.leakgate(&repo, &["scan", "--all", "--format", "json"]));
    let files = json(&sb.leakgate(&repo, &["scan", "conf", "--format", "json"]));
    let stdin = {
        let out = sb.output(
            sb.command(BIN, &repo)
                .args(["scan", "-", "--format", "json"])
                .stdin(std::fs::File::open(repo.join("conf/sms.yml")).unwrap()),
        );
        serde_json::from_str::<Value>(&out.stdout).unwrap()
    };
    for (mode, doc) in [
        ("range", &range),
        ("all", &all),
        ("files", &files),
        ("stdin", &stdin),
    ] {
        assert_eq!(
            doc["findings"].as_array().unwrap().len(),
            1,
            "{mode}: {doc}"
        );
        assert_eq!(identity(&doc["findings"][0]), want, "{mode}");
        assert_eq!(doc["findings"][0]["line"], 2, "{mode}");
    }
    assert_eq!(range["findings"][0]["commit"], sb.head(&repo));
    assert_eq!(files["findings"][0]["path"], "conf/sms.yml");
    assert_eq!(stdin["findings"][0]["path"], "<stdin>");

    let push = sb
        .git(&repo, &["push", "origin", "main"])
        .expect_blocked("pre-push");
    assert!(
        push.stderr.contains(&format!("fingerprint: {}", want.1)),
        "{}",
        push.stderr
    );
    assert!(push.stderr.contains(&want.2), "{}", push.stderr);
    assert!(push.stderr.contains(&want.0), "{}", push.stderr);
}

#[test]
fn history_reports_where_a_secret_entered_once_with_its_other_places() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let k = key(2);
    let body = format!("MESSAGEBIRD_ACCESS_KEY={k}\n");
    write(&repo, "a.env", &body);
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "add key");
    let entered = sb.head(&repo);
    write(&repo, "a.env", &format!("{body}DEBUG=1\n"));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "edit");
    write(&repo, "copy/b.env", &body);
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "copy");
    std::fs::remove_file(repo.join("a.env")).unwrap();
    std::fs::remove_dir_all(repo.join("copy")).unwrap();
    sb.git(&repo, &["add", "-A"]).expect_ok("add");
    sb.commit(&repo, "remove the key")
        .expect_ok("deleting is clean");

    // Not in HEAD any more, still in history.
    let files = sb.leakgate(&repo, &["scan", "."]);
    assert_eq!(files.code, Some(0), "{}", files.all());
    assert!(files.stdout.contains("not history"), "{}", files.stdout);

    let run = sb.leakgate(&repo, &["scan", "--all", "--format", "json"]);
    assert_eq!(run.code, Some(1));
    run.assert_hides(&k);
    let doc = json(&run);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "one secret, one finding: {doc}");
    assert_eq!(findings[0]["commit"], entered.as_str());
    assert_eq!(findings[0]["path"], "a.env");
    // The identical copy/b.env brought it in again; the edited a.env kept
    // the line from the version before, which added it.
    assert_eq!(findings[0]["other_places"], 1, "{doc}");
    assert_eq!(doc["summary"]["commits"], 5);
    // Each unique blob once: README, key, edited, (copy = same blob as key).
    assert_eq!(doc["summary"]["files_scanned"], 3, "{doc}");

    let human = sb.leakgate(&repo, &["scan", "--all"]);
    assert!(
        human
            .stdout
            .contains("1 other place in history adds the same secret"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("5 commits"), "{}", human.stdout);
    assert!(
        human.stderr.is_empty(),
        "no progress when piped: {}",
        human.stderr
    );
}

#[test]
fn baseline_records_history_so_only_new_secrets_block() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let old = key(3);
    write(
        &repo,
        "legacy.env",
        &format!("MESSAGEBIRD_ACCESS_KEY={old}\n"),
    );
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "legacy");

    let run = sb.leakgate(&repo, &["baseline"]).expect_ok("baseline");
    assert!(run.stdout.contains("recorded 1 secret"), "{}", run.stdout);
    let allow = std::fs::read_to_string(repo.join(".leakgate-allow.toml")).unwrap();
    assert!(!allow.contains(&old), "baseline holds the secret");
    assert!(
        allow.contains("rule = \"messagebird-access-key\""),
        "{allow}"
    );
    assert!(allow.contains("reason = \"baseline 20"), "{allow}");
    assert!(
        !allow.contains("line =") && !allow.contains(":1"),
        "baseline holds locations: {allow}"
    );

    // Running it again adds nothing.
    let again = sb
        .leakgate(&repo, &["baseline"])
        .expect_ok("baseline again");
    assert!(
        again.stdout.contains("recorded 0 secrets") && again.stdout.contains("1 already there"),
        "{}",
        again.stdout
    );
    assert_eq!(
        std::fs::read_to_string(repo.join(".leakgate-allow.toml")).unwrap(),
        allow
    );

    sb.leakgate(&repo, &["scan", "--all"])
        .expect_ok("history is baselined");
    sb.git(&repo, &["add", ".leakgate-allow.toml"])
        .expect_ok("add");
    sb.commit(&repo, "baseline")
        .expect_ok("commit the baseline");
    write(
        &repo,
        "new.env",
        &format!("MESSAGEBIRD_ACCESS_KEY={}\n", key(4)),
    );
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "new key")
        .expect_blocked("a new secret still blocks");
}

#[test]
fn scan_needs_a_target_and_rejects_unknown_ones() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let run = sb.leakgate(&repo, &["scan"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("--staged, --all"), "{}", run.stderr);
    let run = sb.leakgate(&repo, &["scan", "no-such-branch..main"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("no-such-branch"), "{}", run.stderr);
}

#[test]
fn folder_scans_honour_gitignore_and_read_hidden_files_without_git() {
    let sb = Sandbox::new();
    let dir = sb.path("plain folder");
    write(&dir, ".gitignore", "build/\n");
    write(
        &dir,
        ".env",
        &format!("MESSAGEBIRD_ACCESS_KEY={}\n", key(5)),
    );
    write(
        &dir,
        "build/out.env",
        &format!("MESSAGEBIRD_ACCESS_KEY={}\n", key(6)),
    );
    write(&dir, "src/app.py", "print('hello')\n");
    let run = sb.leakgate(&dir, &["scan", ".", "--format", "json"]);
    assert_eq!(run.code, Some(1), "{}", run.all());
    let doc = json(&run);
    let paths: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, vec![".env"], "{doc}");
    assert_eq!(doc["summary"]["files_scanned"], 3, "{doc}");
}

#[test]
fn progress_shows_on_a_terminal_only() {
    let script = which("script");
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let tty = |args: &str| {
        sb.output(
            sb.command(script.to_str().unwrap(), &repo)
                .args(["-qec", &format!("'{BIN}' {args}"), "/dev/null"])
                .env("LEAKGATE_PROGRESS_DELAY_MS", "0"),
        )
        .stdout
    };
    let shown = tty("scan --all");
    assert!(shown.contains("scanning: commits 1/1"), "{shown}");
    assert!(shown.contains("1 commit, "), "summary line: {shown}");
    let range = tty("scan HEAD");
    assert!(range.contains("scanning: commits 1/1"), "{range}");
    let quiet = tty("scan --all --quiet");
    assert!(!quiet.contains("scanning:"), "{quiet}");
    let piped = sb.output(
        sb.command(BIN, &repo)
            .args(["scan", "--all"])
            .env("LEAKGATE_PROGRESS_DELAY_MS", "0"),
    );
    assert!(piped.stderr.is_empty(), "{}", piped.stderr);
}

#[test]
fn all_reads_only_what_the_refs_reach() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    // Staged once, then unstaged: the blob stays in the object store, but no
    // commit reaches it.
    write(
        &repo,
        "tmp.env",
        &format!("MESSAGEBIRD_ACCESS_KEY={}\n", key(7)),
    );
    sb.git(&repo, &["add", "tmp.env"]).expect_ok("add");
    sb.git(&repo, &["rm", "-q", "--cached", "tmp.env"])
        .expect_ok("unstage");
    let run = sb.leakgate(&repo, &["scan", "--all", "--format", "json"]);
    assert_eq!(run.code, Some(0), "{}", run.all());
    let doc = json(&run);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 0, "{doc}");
    // The commit's README only: the unreachable blob is never read.
    assert_eq!(doc["summary"]["files_scanned"], 1, "{doc}");
}

/// Commits `files` (path, content) as one commit.
fn commit_files(sb: &Sandbox, repo: &std::path::Path, msg: &str, files: &[(&str, String)]) {
    for (path, body) in files {
        write(repo, path, body);
    }
    sb.git(repo, &["add", "-A"]).expect_ok("add");
    sb.commit_unchecked(repo, msg);
}

/// Findings as (rule, fingerprint, path, line, commit): what a history scan
/// says, less the count of other places.
fn places(doc: &Value) -> Vec<(String, String, String, u64, String)> {
    let mut v: Vec<_> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["fingerprint"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["commit"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

/// A history scan searches a new version of a file where it changed, and
/// finds what a search of every version whole finds: keys added under kept
/// keys, keys a change of context elsewhere in the file makes visible,
/// lines moved under another key, an allow marker taken away, a line added
/// inside a Go `var (` block, a key in a version whose words changed.
#[test]
fn new_versions_searched_where_they_changed_find_what_whole_versions_find() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let filler = |n: usize| -> String { (0..n).map(|i| format!("setting_{i}: {i}\n")).collect() };
    let (k1, k2, k3, k4, k5, k6) = (key(11), key(12), key(13), key(14), key(15), key(16));
    let k7 = key(17);
    let block = |opener: &str| {
        format!(
            "# messagebird\n{}{opener}:\n  a: 1\n  b: 2\n  c: 3\n  d: 4\n  access_key: {k7}\n{}",
            filler(5),
            filler(5)
        )
    };
    commit_files(
        &sb,
        &repo,
        "base",
        &[
            (
                "a.yml",
                format!("messagebird:\n  url: https://rest.example\n{}", filler(30)),
            ),
            (
                "b.yml",
                format!(
                    "{}other:\n  access_key: {k2}\nmessagebird:\n  url: u\n",
                    filler(30)
                ),
            ),
            (
                "c.txt",
                format!("{}access_key = {k3}\n{}", filler(20), filler(20)),
            ),
            (
                "d.env",
                format!(
                    "# leakgate:allow\nMESSAGEBIRD_ACCESS_KEY={k4}\n{}",
                    filler(10)
                ),
            ),
            (
                "e.go",
                format!(
                    "package x\n\nvar (\n\tname string = \"a\"\n{})\n",
                    "\tn int = 1\n".repeat(10)
                ),
            ),
            ("f.yml", block("other")),
        ],
    );
    commit_files(
        &sb,
        &repo,
        "edits",
        &[
            // A key line added under a kept `messagebird:`.
            ("a.yml", format!("messagebird:\n  url: https://rest.example\n  access_key: {k1}\n{}", filler(30))),
            // The kept key line moves under `messagebird:`.
            ("b.yml", format!("{}other:\nmessagebird:\n  url: u\n  access_key: {k2}\n", filler(30))),
            // A word far from a kept key makes it MessageBird's.
            ("c.txt", format!("# messagebird settings\n{}access_key = {k3}\n{}", filler(20), filler(20))),
            // The allow marker taken away.
            ("d.env", format!("MESSAGEBIRD_ACCESS_KEY={k4}\n{}", filler(10))),
            // A key added inside a kept Go declaration block.
            ("e.go", format!("package x\n\nvar (\n\tname string = \"a\"\n{}\tmessagebirdKey string = \"{k5}\"\n{})\n", "\tn int = 1\n".repeat(5), "\tn int = 1\n".repeat(5))),
            // A kept key line five lines under a key renamed `messagebird`.
            ("f.yml", block("messagebird")),
        ],
    );
    commit_files(
        &sb,
        &repo,
        "more",
        &[("a.yml", format!("messagebird:\n  url: https://rest.example\n  access_key: {k1}\n  signing_key: {k6}\n{}", filler(31)))],
    );
    let changes = sb.leakgate(&repo, &["scan", "--all", "--format", "json"]);
    let whole = sb.leakgate(
        &repo,
        &["scan", "--all", "--whole-versions", "--format", "json"],
    );
    assert_eq!(changes.code, Some(1), "{}", changes.all());
    changes.assert_hides(&k1);
    let (changes, whole) = (json(&changes), json(&whole));
    assert_eq!(places(&changes), places(&whole));
    let others = |doc: &Value| -> Vec<u64> {
        let mut v: Vec<u64> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["other_places"].as_u64().unwrap())
            .collect();
        v.sort();
        v
    };
    assert_eq!(others(&changes), others(&whole));
    let found: Vec<(String, u64)> = places(&changes).into_iter().map(|p| (p.2, p.3)).collect();
    for want in [
        ("a.yml", 3),
        ("a.yml", 4),
        ("b.yml", 34),
        ("d.env", 1),
        ("e.go", 10),
        ("f.yml", 12),
    ] {
        assert!(
            found.contains(&(want.0.to_string(), want.1)),
            "{want:?} not in {found:?}"
        );
    }
    // And the new versions were searched where they changed.
    let human = sb.leakgate(&repo, &["scan", "--all"]);
    assert!(
        human
            .stdout
            .contains("new versions of files searched where they changed"),
        "{}",
        human.stdout
    );
}

/// A `file` test whose answer a change elsewhere in the file turns: a key
/// kept from the version before is reported in the version that makes it
/// the provider's, in a search of changes as in a search of whole versions.
#[test]
fn a_kept_key_that_a_file_test_turns_into_a_finding_is_reported_where_it_turned() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let filler = |n: usize| -> String { (0..n).map(|i| format!("setting_{i}: {i}\n")).collect() };
    let hex = secret(leakgate::rules::testgen::token("hex", 32, 9100));
    let before = format!(
        "# datadog notes\n{}api_key: {hex}\n{}",
        filler(10),
        filler(10)
    );
    commit_files(&sb, &repo, "base", &[("g.yml", before.clone())]);
    // Ten lines below the key, past any margin: the site line says the
    // file is Datadog's configuration.
    let after = format!("{before}site: datadoghq.com\n");
    commit_files(&sb, &repo, "site", &[("g.yml", after)]);
    let changes = sb.leakgate(&repo, &["scan", "--all", "--format", "json"]);
    let whole = sb.leakgate(
        &repo,
        &["scan", "--all", "--whole-versions", "--format", "json"],
    );
    changes.assert_hides(&hex);
    let (changes, whole) = (json(&changes), json(&whole));
    assert_eq!(places(&changes), places(&whole));
    let site = sb
        .git(&repo, &["rev-parse", "HEAD"])
        .stdout
        .trim()
        .to_string();
    assert!(
        places(&changes)
            .iter()
            .any(|p| p.0 == "datadog-api-key" && p.2 == "g.yml" && p.3 == 12 && p.4 == site),
        "{:?}",
        places(&changes)
    );
}

//! Issue 10, "Reports": SARIF, JUnit and GitLab reports from real scans,
//! and `--output FILE` for scans and hooks.
//!
//! SARIF is checked by its structure here and, when
//! `LEAKGATE_SARIF_MULTITOOL` names Microsoft's SARIF Multitool (`.ci/run`
//! installs it), by that validator with GitHub's ingestion rules. Report
//! files have arbitrary names, so each is audited for whole secrets
//! explicitly ([`read_report`]).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::*;

/// Reads a report file leakgate wrote and fails if it holds a whole secret.
fn read_report(path: &Path) -> String {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("no report at {}: {e}", path.display()));
    audit(&format!("report file {}", path.display()), &text);
    text
}

/// A repository whose history holds a key in a file, a test key in a file
/// under an awkward path, and a key in a commit message; returns it, the
/// id of the message's commit and the keys.
fn leaky_history(sb: &Sandbox) -> (PathBuf, String, Vec<String>) {
    let repo = sb.repo("r");
    let live = key(1);
    let other = key(2);
    let in_message = key(3);
    write(&repo, "config/app.env", &env_line(&live));
    write(
        &repo,
        "odd dir/b#1.py",
        &format!("client = messagebird.Client('test_{other}')\n"),
    );
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "config");
    write(&repo, "notes.txt", "nothing here\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.git(
        &repo,
        &[
            "commit",
            "-q",
            "--no-verify",
            "-m",
            &format!("temporary MESSAGEBIRD_ACCESS_KEY={in_message}"),
        ],
    )
    .expect_ok("commit with a key in its message");
    let id = sb.head(&repo);
    (repo, id, vec![live, other, in_message])
}

/// Checks what GitHub code scanning needs of a SARIF document, and that
/// `--format sarif` keeps its promises; returns the results.
pub fn check_sarif(text: &str) -> Vec<Value> {
    let doc: Value = serde_json::from_str(text).expect("SARIF is JSON");
    assert_eq!(doc["version"], "2.1.0");
    assert!(doc["$schema"]
        .as_str()
        .unwrap()
        .contains("sarif-schema-2.1.0"));
    let run = &doc["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "leakgate");
    assert!(driver["version"].as_str().is_some_and(|v| !v.is_empty()));
    let rules = driver["rules"].as_array().expect("rules");
    let results = run["results"].as_array().expect("results").clone();
    for r in &results {
        let id = r["ruleId"].as_str().expect("ruleId");
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], id, "ruleIndex points at its rule");
        assert!(matches!(r["level"].as_str(), Some("error" | "warning")));
        let message = r["message"]["text"].as_str().unwrap();
        assert!(message.ends_with('.'), "{message}");
        assert!(
            message.contains(r["properties"]["redacted"].as_str().unwrap()),
            "the message names the redacted key: {message}"
        );
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().expect("a uri");
        assert!(
            !uri.contains([' ', '#', ':', '?']),
            "URI-escaped path: {uri}"
        );
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(loc["region"]["startColumn"].as_u64().unwrap() >= 1);
        let fp = r["partialFingerprints"]["leakgate/v2"].as_str().unwrap();
        assert!(fp.starts_with("v2:") && fp.len() == 23, "{fp}");
    }
    // Exactly the rules that have results, each with its playbook.
    let used: std::collections::BTreeSet<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(rules.len(), used.len());
    for rule in rules {
        assert!(used.contains(rule["id"].as_str().unwrap()));
        let name = rule["name"].as_str().unwrap();
        assert!(name.chars().all(|c| c.is_ascii_alphanumeric()), "{name}");
        assert!(rule["shortDescription"]["text"]
            .as_str()
            .unwrap()
            .ends_with('.'));
        assert!(rule["fullDescription"]["text"].as_str().is_some());
        let help = rule["help"]["text"].as_str().unwrap();
        assert!(help.contains("Rotate and revoke it"), "{help}");
        let md = rule["help"]["markdown"].as_str().unwrap();
        assert!(md.contains("### Rotate and revoke it"), "{md}");
        assert!(md.contains("### Keep it out of code next time"), "{md}");
        let severity: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.1..=10.0).contains(&severity));
        let tags = rule["properties"]["tags"].as_array().unwrap();
        assert!(tags.iter().any(|t| t == "security"), "{tags:?}");
        assert!(matches!(
            rule["defaultConfiguration"]["level"].as_str(),
            Some("error" | "warning")
        ));
    }
    results
}

/// Runs Microsoft's SARIF Multitool (`LEAKGATE_SARIF_MULTITOOL`) on `file`
/// with the SARIF and GitHub-ingestion rules; fails on any error or
/// warning it reports. Without the variable it fails in CI, and elsewhere
/// says the validator was skipped (the structure was checked by
/// [`check_sarif`]).
pub fn validate_sarif(file: &Path) {
    let Some(tool) = ci_tool("LEAKGATE_SARIF_MULTITOOL", "Microsoft's SARIF Multitool") else {
        eprintln!(
            "SARIF validator skipped for {}; the structure was checked",
            file.display()
        );
        return;
    };
    let log = file.with_extension("validation.sarif");
    let out = Command::new(&tool)
        .args([
            "validate",
            "--rule-kind",
            "Sarif;Ghas",
            "--log",
            "ForceOverwrite",
            "--output",
        ])
        .arg(&log)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", tool.to_string_lossy()));
    let console = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "the validator failed:\n{console}");
    let doc: Value = serde_json::from_str(&fs::read_to_string(&log).unwrap()).unwrap();
    let mut problems = Vec::new();
    for r in doc["runs"][0]["results"].as_array().unwrap() {
        let level = r["level"].as_str().unwrap_or("warning");
        let id = r["ruleId"].as_str().unwrap_or("?");
        // The tool's homepage is read from Cargo.toml's `homepage`; until
        // the package names one there is no URI to give.
        let no_homepage = id == "SARIF2005" && env!("CARGO_PKG_HOMEPAGE").is_empty();
        if matches!(level, "error" | "warning") && !no_homepage {
            problems.push(format!("{level} {id}: {}", r["message"]));
        }
    }
    assert!(
        problems.is_empty(),
        "the SARIF Multitool found problems in {}:\n{}\n{console}",
        file.display(),
        problems.join("\n")
    );
}

#[test]
fn sarif_of_history_staged_files_and_stdin_is_valid_and_hides_every_secret() {
    let sb = Sandbox::new();
    let (repo, message_commit, keys) = leaky_history(&sb);

    // History, into a file, with the human report still on the terminal.
    let all = sb.path("all.sarif");
    let run = sb
        .leakgate(
            &repo,
            &[
                "scan",
                "--all",
                "--format",
                "sarif",
                "--output",
                all.to_str().unwrap(),
            ],
        )
        .expect_found("scan --all");
    assert!(
        run.stdout.contains("leakgate: found: 3 secrets in history"),
        "{}",
        run.stdout
    );
    let text = read_report(&all);
    for k in &keys {
        assert!(!text.contains(k.as_str()));
    }
    let results = check_sarif(&text);
    assert_eq!(results.len(), 3, "{text}");
    let by_uri = |uri: &str| {
        results
            .iter()
            .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri)
            .unwrap_or_else(|| panic!("no result at {uri}: {text}"))
    };
    let app = by_uri("config/app.env");
    assert_eq!(app["ruleId"], "messagebird-access-key");
    assert_eq!(app["level"], "error");
    assert_eq!(
        app["locations"][0]["physicalLocation"]["region"]["startLine"],
        1
    );
    assert_eq!(
        app["locations"][0]["physicalLocation"]["region"]["startColumn"],
        24
    );
    assert_eq!(app["properties"]["commit"].as_str().unwrap().len(), 40);
    assert!(app["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("MessageBird live access key: key "));
    let odd = by_uri("odd%20dir/b%231.py");
    assert_eq!(odd["ruleId"], "messagebird-test-key");
    let message = by_uri(&format!("commit%20{}%20message", &message_commit[..10]));
    assert_eq!(message["properties"]["place"], "message");
    assert_eq!(message["properties"]["commit"], message_commit.as_str());
    // The allowlist key is the partial fingerprint: the one the human
    // report prints for the same secret.
    let fp = fingerprint_in(&run.stdout);
    assert!(
        results
            .iter()
            .any(|r| r["partialFingerprints"]["leakgate/v2"] == fp.as_str()),
        "{fp} not in {text}"
    );
    validate_sarif(&all);

    // The staged change, on stdout.
    let staged_key = key(4);
    write(&repo, "new.env", &env_line(&staged_key));
    sb.git(&repo, &["add", "new.env"]).expect_ok("add");
    let run = sb
        .leakgate(&repo, &["scan", "--staged", "--format", "sarif"])
        .expect_found("scan --staged");
    let results = check_sarif(&run.stdout);
    assert_eq!(results.len(), 1);
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "new.env"
    );
    assert!(results[0]["properties"].get("commit").is_none());
    let staged = sb.path("staged.sarif");
    fs::write(&staged, &run.stdout).unwrap();
    validate_sarif(&staged);

    // Files as they are, and standard input.
    let files = sb.path("files.sarif");
    sb.leakgate(
        &repo,
        &[
            "scan",
            "config",
            "--format",
            "sarif",
            "--output",
            files.to_str().unwrap(),
        ],
    )
    .expect_found("scan config");
    assert_eq!(check_sarif(&read_report(&files)).len(), 1);
    validate_sarif(&files);
    let run = sb
        .leakgate_stdin(
            &repo,
            &["scan", "-", "--format", "sarif"],
            env_line(&keys[0]),
        )
        .expect_found("scan -");
    let results = check_sarif(&run.stdout);
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "%3Cstdin%3E"
    );
    assert_eq!(results[0]["properties"]["place"], "stdin");

    // A clean scan is a valid document with no results.
    let clean = sb.path("clean.sarif");
    sb.leakgate(
        &repo,
        &[
            "scan",
            "notes.txt",
            "--format",
            "sarif",
            "--output",
            clean.to_str().unwrap(),
        ],
    )
    .expect_ok("a clean file");
    assert!(check_sarif(&read_report(&clean)).is_empty());
    validate_sarif(&clean);
}

#[test]
fn junit_has_a_testcase_per_finding_and_escapes_paths() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let k = key(11);
    let name = "a<&\"b'.env";
    write(&repo, name, &env_line(&k));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "leak");

    let run = sb
        .leakgate(&repo, &["scan", "HEAD~1..HEAD", "--format", "junit"])
        .expect_found("a range");
    let xml = &run.stdout;
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
        "{xml}"
    );
    assert!(
        xml.contains("<testsuites name=\"leakgate\" tests=\"1\" failures=\"1\""),
        "{xml}"
    );
    assert!(
        xml.contains("<testcase classname=\"a&lt;&amp;&quot;b&apos;.env\" name=\"messagebird-access-key at line 1 (commit "),
        "{xml}"
    );
    assert!(
        xml.contains(
            "<failure type=\"messagebird-access-key\" message=\"MessageBird live access key: key "
        ),
        "{xml}"
    );
    assert!(!xml.contains(name), "the raw path is escaped: {xml}");
    assert_eq!(
        xml.matches("<testcase ").count(),
        xml.matches("</testcase>").count()
    );

    // --all, to a file; the terminal still shows the finding.
    let out = sb.path("junit.xml");
    let run = sb
        .leakgate(
            &repo,
            &[
                "scan",
                "--all",
                "--format",
                "junit",
                "--output",
                out.to_str().unwrap(),
            ],
        )
        .expect_found("--all");
    assert!(
        run.stdout.contains("MessageBird live access key"),
        "{}",
        run.stdout
    );
    let xml = read_report(&out);
    assert_eq!(xml.matches("<failure ").count(), 1, "{xml}");

    // A clean scan is one passing testcase.
    let run = sb
        .leakgate(&repo, &["scan", "README.md", "--format", "junit"])
        .expect_ok("clean");
    assert!(
        run.stdout.contains("tests=\"1\" failures=\"0\""),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("<testcase classname=\"leakgate\" name=\"no secrets found\""),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("<failure"), "{}", run.stdout);
}

#[test]
fn gitlab_secret_detection_report_follows_the_schema() {
    let sb = Sandbox::new();
    let (repo, message_commit, keys) = leaky_history(&sb);
    let out = sb.path("gl-secret-detection-report.json");
    sb.leakgate(
        &repo,
        &[
            "scan",
            "--all",
            "--format",
            "gitlab",
            "--output",
            out.to_str().unwrap(),
        ],
    )
    .expect_found("scan --all");
    let text = read_report(&out);
    for k in &keys {
        assert!(!text.contains(k.as_str()));
    }
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert!(doc["version"].as_str().unwrap().starts_with("15."));
    let scan = &doc["scan"];
    assert_eq!(scan["type"], "secret_detection");
    assert_eq!(scan["status"], "success");
    for part in ["analyzer", "scanner"] {
        assert_eq!(scan[part]["id"], "leakgate");
        assert_eq!(scan[part]["vendor"]["name"], "leakgate");
        assert!(scan[part]["version"].as_str().is_some());
    }
    for t in ["start_time", "end_time"] {
        let v = scan[t].as_str().unwrap();
        assert_eq!(v.len(), 19, "{v}");
        assert_eq!(&v[10..11], "T", "{v}");
    }
    let vulns = doc["vulnerabilities"].as_array().unwrap();
    assert_eq!(vulns.len(), 3);
    let mut ids = std::collections::BTreeSet::new();
    for v in vulns {
        assert!(ids.insert(v["id"].as_str().unwrap().to_string()));
        assert_eq!(v["category"], "secret_detection");
        assert!(v.get("raw_source_code_extract").is_none());
        assert_eq!(v["location"]["commit"]["sha"].as_str().unwrap().len(), 40);
        assert!(v["location"]["start_line"].as_u64().unwrap() >= 1);
        assert_eq!(v["identifiers"][0]["type"], "leakgate_rule_id");
    }
    let app = vulns
        .iter()
        .find(|v| v["location"]["file"] == "config/app.env")
        .unwrap();
    assert_eq!(app["severity"], "High");
    assert_eq!(app["name"], "MessageBird live access key");
    assert_eq!(app["identifiers"][0]["value"], "messagebird-access-key");
    assert!(app["solution"]
        .as_str()
        .unwrap()
        .contains("leakgate explain messagebird-access-key"));
    let test_key = vulns
        .iter()
        .find(|v| v["location"]["file"] == "odd dir/b#1.py")
        .unwrap();
    assert_eq!(test_key["severity"], "Medium");
    let message = vulns
        .iter()
        .find(|v| {
            v["location"]["commit"]["sha"] == message_commit.as_str()
                && v["location"]["file"]
                    .as_str()
                    .unwrap()
                    .ends_with(" message")
        })
        .unwrap();
    assert_eq!(message["location"]["start_line"], 1);

    // Outside history there is no commit: the schema still wants a sha.
    write(&repo, "new.env", &env_line(&key(12)));
    sb.git(&repo, &["add", "new.env"]).expect_ok("add");
    let run = sb
        .leakgate(&repo, &["scan", "--staged", "--format", "gitlab"])
        .expect_found("staged");
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        doc["vulnerabilities"][0]["location"]["commit"]["sha"],
        "0000000"
    );
}

#[test]
fn output_sends_the_report_to_a_file_and_the_human_report_to_the_terminal() {
    let sb = Sandbox::new();
    let (repo, _, _) = leaky_history(&sb);

    // JSON to a file: the same document as on stdout, while the terminal
    // shows what a person reads.
    let json = sb.path("out/report.json");
    fs::create_dir_all(json.parent().unwrap()).unwrap();
    fs::write(&json, "old contents").unwrap();
    let run = sb
        .leakgate(
            &repo,
            &[
                "scan",
                "--all",
                "--format",
                "json",
                "--output",
                json.to_str().unwrap(),
            ],
        )
        .expect_found("json to a file");
    assert!(
        run.stdout.contains("leakgate: found: 3 secrets in history"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("How to fix it:"), "{}", run.stdout);
    let doc: Value =
        serde_json::from_str(&read_report(&json)).expect("the file is the JSON report");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 3);
    // Nothing left beside it.
    let left: Vec<_> = fs::read_dir(json.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("report.json")]);

    // The human report to a file: no colour in it, one line on the terminal.
    let human = sb.path("report.txt");
    let run = sb
        .leakgate(
            &repo,
            &[
                "--color",
                "always",
                "scan",
                "--all",
                "--output",
                human.to_str().unwrap(),
            ],
        )
        .expect_found("human to a file");
    assert_eq!(
        run.stdout,
        format!(
            "leakgate: 3 blocking secrets found; report written to {}\n",
            human.display()
        )
    );
    let text = read_report(&human);
    assert!(
        text.starts_with("leakgate: found: 3 secrets in history"),
        "{text}"
    );
    assert!(text.contains("How to fix it:"), "{text}");
    assert!(!text.contains('\u{1b}'), "colour codes in the file: {text}");
}

#[test]
fn an_output_path_that_cannot_be_written_fails_before_scanning() {
    let sb = Sandbox::new();
    let outside = sb.path("not-a-repo");
    fs::create_dir_all(&outside).unwrap();
    // Outside a repository `scan --all` would fail on that; the output path
    // is checked first.
    let bad = sb.path("no/such/dir/report.sarif");
    let run = sb
        .leakgate(
            &outside,
            &[
                "scan",
                "--all",
                "--format",
                "sarif",
                "--output",
                bad.to_str().unwrap(),
            ],
        )
        .expect_code(2, "an unwritable output");
    assert!(
        run.stderr.contains(&format!(
            "leakgate: error: --output {}: cannot write the report there",
            bad.display()
        )),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("repository"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);

    let run = sb
        .leakgate(
            &outside,
            &["scan", "-", "--output", outside.to_str().unwrap()],
        )
        .expect_code(2, "a directory");
    assert!(
        run.stderr
            .contains(&format!("--output {}: is a directory", outside.display())),
        "{}",
        run.stderr
    );
    assert_eq!(
        fs::read_dir(&outside).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn the_pre_commit_hook_writes_its_report_file_through_git_commit() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let k = key(21);
    write(&repo, "sms.env", &env_line(&k));
    sb.git(&repo, &["add", "sms.env"]).expect_ok("add");

    // The installed hook runs `$LEAKGATE_BIN hook pre-commit`: a wrapper
    // adds the options a CI job would.
    let report = sb.path("hook.sarif");
    let wrapper = sb.path("leakgate-with-output");
    fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\nexec '{}' \"$@\" --format sarif --output '{}'\n",
            BIN,
            report.display()
        ),
    )
    .unwrap();
    let mut perms = fs::metadata(&wrapper).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    fs::set_permissions(&wrapper, perms).unwrap();
    let snap = sb.settled_snapshot(&repo);
    let run = sb
        .output(
            sb.command("git", &repo)
                .env("LEAKGATE_BIN", &wrapper)
                .args(["commit", "-q", "-m", "sms"]),
        )
        .expect_blocked("the hook with --output");
    // The person committing still reads the report.
    assert!(run.stderr.contains("sms.env:1:24"), "{}", run.stderr);
    assert_eq!(
        snapshot(&repo),
        snap,
        "the hook changed the index or work tree"
    );
    let results = check_sarif(&read_report(&report));
    assert_eq!(results.len(), 1);
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "sms.env"
    );
    validate_sarif(&report);

    // Run by hand, JUnit, and the human report on stderr as a hook does.
    let junit = sb.path("hook.xml");
    let run = sb
        .leakgate(
            &repo,
            &[
                "hook",
                "pre-commit",
                "--format",
                "junit",
                "--output",
                junit.to_str().unwrap(),
            ],
        )
        .expect_found("hook pre-commit --output");
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains("leakgate: commit blocked"),
        "{}",
        run.stderr
    );
    assert!(read_report(&junit).contains("<failure type=\"messagebird-access-key\""));
}

//! Credentials in the files tools write (issue 15): a context can require
//! the file's path, so a format that looks like nothing else only under its
//! own name (a `.pgpass` line) is found there, in every kind of scan, and
//! nowhere else.

use crate::common::*;

/// A project rule for an invented tool whose credentials file, `.acmepass`,
/// holds `user:secret` lines: plain text that means something only there.
const CONFIG: &str = r#"
[[rule]]
id = "acme-pass"
provider = "Acme"
name = "Acme password file entry"
severity = "high"
secret = '[A-Za-z0-9]{16}'
keywords = [":"]
[[rule.context]]
kind = "pattern"
pattern = '(?m)^[a-z]+:{secret}$'
path = '(^|/)\.acmepass$'
why = "a password in an .acmepass file"
[rule.examples]
match = []
no_match = []
"#;

fn entry(seed: u64) -> (String, String) {
    let k = secret(leakgate::rules::testgen::token("alnum", 16, 7700 + seed));
    let line = format!("deploy:{k}\n");
    (k, line)
}

fn repo_with_rule(sb: &Sandbox) -> std::path::PathBuf {
    let repo = sb.repo("r");
    write(&repo, ".leakgate.toml", CONFIG);
    sb.git(&repo, &["add", ".leakgate.toml"]).expect_ok("add");
    sb.commit(&repo, "config").expect_ok("config commit");
    repo
}

#[test]
fn a_path_context_blocks_only_at_its_file_name() {
    let sb = Sandbox::new();
    let repo = repo_with_rule(&sb);
    let (k, line) = entry(1);

    write(&repo, "notes.txt", &line);
    sb.git(&repo, &["add", "notes.txt"]).expect_ok("add");
    sb.commit(&repo, "notes")
        .expect_ok("the same line elsewhere is nothing");

    write(&repo, "home/.acmepass", &line);
    sb.git(&repo, &["add", "home/.acmepass"]).expect_ok("add");
    let run = sb
        .commit(&repo, "creds")
        .expect_blocked("blocked at its name");
    assert!(run.stderr.contains("home/.acmepass:1:"), "{}", run.stderr);
    assert!(
        run.stderr.contains("a password in an .acmepass file"),
        "{}",
        run.stderr
    );
    run.assert_hides(&k);

    // Standard input has no path: nothing there either.
    let stdin = sb.leakgate_stdin(&repo, &["scan", "-"], line.as_bytes());
    assert_eq!(stdin.code, Some(0), "{}", stdin.all());
}

/// History scans find it where the blob sits at that name, even when the
/// same content entered history first under another name (the blob is read
/// once per kind of path, not once).
#[test]
fn history_scans_find_it_at_its_name_even_when_the_blob_came_first_elsewhere() {
    let sb = Sandbox::new();
    let repo = repo_with_rule(&sb);
    let (k, line) = entry(2);
    write(&repo, "notes.txt", &line);
    sb.git(&repo, &["add", "notes.txt"]).expect_ok("add");
    sb.commit_unchecked(&repo, "notes");
    write(&repo, ".acmepass", &line);
    sb.git(&repo, &["add", ".acmepass"]).expect_ok("add");
    sb.commit_unchecked(&repo, "the same content under the tool's name");

    for args in [
        &["scan", "--all", "--format", "json"][..],
        &["scan", "HEAD~2..HEAD", "--format", "json"][..],
    ] {
        let run = sb.leakgate(&repo, args);
        assert_eq!(run.code, Some(1), "{args:?}: {}", run.all());
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
        let found: Vec<(String, String)> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule_id"].as_str().unwrap().to_string(),
                    f["path"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            found,
            vec![("acme-pass".to_string(), ".acmepass".to_string())],
            "{args:?}: {}",
            run.stdout
        );
        run.assert_hides(&k);
    }
}

/// A `path` that is not a regex is a config error naming file, rule and
/// field, like every other field.
#[test]
fn a_bad_path_regex_is_an_error_naming_the_field() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(
        &repo,
        ".leakgate.toml",
        &CONFIG.replace(r"(^|/)\.acmepass$", r"(^|/)\.acmepass($"),
    );
    let run = sb.leakgate_stdin(&repo, &["scan", "-"], b"x\n");
    assert_eq!(run.code, Some(2), "{}", run.all());
    assert!(run.stderr.contains(".leakgate.toml"), "{}", run.stderr);
    assert!(run.stderr.contains("acme-pass"), "{}", run.stderr);
    assert!(run.stderr.contains("context[0].path"), "{}", run.stderr);
}

//! Issue 14, migration: `leakgate import gitleaks` and `leakgate import
//! detect-secrets` carry the other tool's allowlists over, by rescanning
//! the places they name (fingerprints, never their locations or hashes),
//! and report every item they could not carry, with why.

use std::fs;
use std::path::Path;

use sha1::{Digest, Sha1};

use crate::common::*;

fn read(repo: &Path, rel: &str) -> String {
    fs::read_to_string(repo.join(rel)).unwrap_or_default()
}

/// The report's block for the item at `at` (`file:line`): its line and the
/// reason under it.
fn item<'a>(report: &'a str, at: &str) -> Vec<&'a str> {
    let lines: Vec<&str> = report.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with(&format!("{at}  ")) {
            out.push(*l);
            out.extend(
                lines[i + 1..]
                    .iter()
                    .take_while(|n| n.starts_with("    "))
                    .copied(),
            );
        }
    }
    out
}

fn assert_item(report: &str, at: &str, needles: &[&str]) {
    let block = item(report, at).join("\n");
    for n in needles {
        assert!(
            block.contains(n),
            "{at}: expected {n:?} in\n{block}\n--- whole report:\n{report}"
        );
    }
}

/// A `.gitleaksignore` in both forms (a commit's blob, a file on disk) and a
/// `.gitleaks.toml` with paths, regexes, stopwords, commits, a line-target
/// allowlist and a custom rule: what maps is written, what does not is
/// reported by line with its reason; the imported keys pass the hook and a
/// scan of history while another key still blocks; `--dry-run` writes
/// nothing and a second run adds nothing.
#[test]
fn gitleaks_ignore_and_config_are_carried_with_a_report() {
    let sb = Sandbox::new();
    let repo = sb.repo("app");
    let (k1, k2, k3, k4) = (key(401), key(402), key(403), key(404));
    write(
        &repo,
        "config/app.env",
        &format!("DEBUG=1\n{}", env_line(&k1)),
    );
    write(&repo, "other.env", &env_line(&k4));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "keys before leakgate");
    let c1 = sb.head(&repo);
    // Only in history now: the work tree no longer has it.
    write(&repo, "config/app.env", "DEBUG=1\n");
    sb.git(&repo, &["commit", "-qam", "drop the key"])
        .expect_ok("commit");
    // A folder scan's finding: a file on disk, not committed.
    write(&repo, "local.env", &env_line(&k2));

    let pat = secret(leakgate::rules::testgen::expand("ghp_<<crc32:30>>", 405));
    write(
        &repo,
        ".gitleaksignore",
        &format!(
            "# gitleaks detect findings\n\
             {c1}:config/app.env:generic-api-key:2\n\
             local.env:generic-api-key:1\n\
             {c1}:config/app.env:generic-api-key:1\n\
             deadbeefdeadbeef:config/app.env:generic-api-key:2\n\
             just some words\n"
        ),
    );
    write(
        &repo,
        ".gitleaks.toml",
        &format!(
            "title = \"ours\"\n\
             [allowlist]\n\
             description = \"placeholders in our docs\"\n\
             paths = ['''\\.lock$''', '''(.*?)(jpg|gif)$''']\n\
             regexes = ['''^EXAMPLE[0-9]+$''', '''(?=lookahead)''']\n\
             stopwords = [\"example\", \"dummy\"]\n\
             commits = [\"{c1}\"]\n\
             \n\
             [[allowlists]]\n\
             regexTarget = \"line\"\n\
             regexes = ['''TODO''']\n\
             \n\
             [[allowlists]]\n\
             stopwords = [\"{pat}\"]\n\
             \n\
             [[rules]]\n\
             id = \"custom-rule\"\n\
             regex = '''custom_[a-z]{{8}}'''\n"
        ),
    );

    let dry = sb
        .leakgate(&repo, &["import", "gitleaks", "--dry-run"])
        .expect_ok("dry run");
    assert!(
        !repo.join(".leakgate-allow.toml").exists(),
        "--dry-run wrote the allowlist"
    );
    assert!(dry.stdout.contains("nothing was written"), "{}", dry.stdout);
    assert!(
        dry.stdout.contains("would add: value '^EXAMPLE[0-9]+$'"),
        "{}",
        dry.stdout
    );

    let run = sb
        .leakgate(&repo, &["import", "gitleaks"])
        .expect_ok("import");
    let r = &run.stdout;
    // .gitleaksignore, item by item.
    assert_item(
        r,
        ".gitleaksignore:2",
        &["carried", "messagebird-access-key", "in commit"],
    );
    assert_item(r, ".gitleaksignore:3", &["carried", "on disk"]);
    assert_item(
        r,
        ".gitleaksignore:4",
        &[
            "NOT carried",
            "leakgate finds no secret on line 1 of config/app.env",
        ],
    );
    assert_item(
        r,
        ".gitleaksignore:5",
        &[
            "NOT carried",
            "commit deadbeefdeadbeef is not in this repository",
        ],
    );
    assert_item(
        r,
        ".gitleaksignore:6",
        &["NOT carried", "cannot read this line"],
    );
    // .gitleaks.toml, item by item.
    assert_item(r, ".gitleaks.toml:4", &["path '\\.lock$'", "path *.lock"]);
    assert_item(
        r,
        ".gitleaks.toml:4",
        &[
            "NOT carried: [allowlist] path '(.*?)(jpg|gif)$'",
            "no glob matches exactly",
        ],
    );
    assert_item(
        r,
        ".gitleaks.toml:5",
        &[
            "value '^EXAMPLE[0-9]+$'",
            "regex '(?=lookahead)'",
            "look-around",
        ],
    );
    assert_item(
        r,
        ".gitleaks.toml:6",
        &["stopwords [\"example\", \"dummy\"]"],
    );
    assert_item(
        r,
        ".gitleaks.toml:7",
        &["NOT carried", "leakgate allows secrets, not commits"],
    );
    assert_item(
        r,
        ".gitleaks.toml:11",
        &[
            "regex 'TODO'",
            "regexTarget = \"line\"",
            "see the secret only",
        ],
    );
    assert_item(
        r,
        ".gitleaks.toml:14",
        &[
            "NOT carried: stopwords (not shown: one holds a key)",
            "allow that key by fingerprint",
        ],
    );
    assert_item(
        r,
        ".gitleaks.toml:16",
        &["NOT carried: [[rules]] custom-rule", "its own catalog"],
    );
    assert!(
        r.contains("leakgate: 5 entries added (0 already there), 9 items not carried"),
        "{r}"
    );

    let allow = read(&repo, ".leakgate-allow.toml");
    for k in [&k1, &k2, &k3, &k4, &pat] {
        assert!(
            !allow.contains(k.as_str()),
            "a raw key in the allowlist:\n{allow}"
        );
    }
    for expected in [
        "path = \"*.lock\"\nreason = \"placeholders in our docs\"",
        "value = \"^EXAMPLE[0-9]+$\"",
        "stopwords = [\"example\", \"dummy\"]",
        "path = \"/config/app.env\"\nreason = \"imported from .gitleaksignore line 2 (gitleaks rule generic-api-key)\"",
        "path = \"/local.env\"",
    ] {
        assert!(allow.contains(expected), "{expected:?} missing:\n{allow}");
    }

    // The key gitleaks ignored in history passes; the other still blocks.
    let scan = sb
        .leakgate(&repo, &["scan", "--all", "-q"])
        .expect_found("the un-imported key");
    assert!(scan.stdout.contains("other.env"), "{}", scan.stdout);
    assert!(!scan.stdout.contains("config/app.env"), "{}", scan.stdout);
    // The folder-scan finding passes the hook; a new key does not.
    sb.git(&repo, &["add", "local.env"]).expect_ok("add");
    sb.commit(&repo, "the imported key")
        .expect_ok("allowed by the import");
    write(&repo, "new.env", &env_line(&k3));
    sb.git(&repo, &["add", "new.env"]).expect_ok("add");
    sb.commit(&repo, "a new key").expect_blocked("not imported");
    sb.git(&repo, &["reset", "-q", "HEAD", "new.env"])
        .expect_ok("unstage");

    // Idempotent: nothing is added twice.
    let again = sb
        .leakgate(&repo, &["import", "gitleaks"])
        .expect_ok("second import");
    assert!(
        again.stdout.contains("0 entries added (5 already there)"),
        "{}",
        again.stdout
    );
    assert_eq!(read(&repo, ".leakgate-allow.toml"), allow);
}

fn sha1_hex(s: &str) -> String {
    Sha1::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A `.secrets.baseline`: results are found again by SHA-1 (a drifted line
/// number too, and a staged file), a result audited as real is not allowed,
/// one leakgate does not flag is reported, and the exclude filters become
/// `[scan] exclude` and `[[allow]] value` where they convert.
#[test]
fn detect_secrets_baseline_is_carried_by_hash() {
    let sb = Sandbox::new();
    let repo = sb.repo("app");
    let (k1, k2, k3) = (key(411), key(412), key(413));
    write(
        &repo,
        "settings.py",
        &format!("import os\n\nMESSAGEBIRD_ACCESS_KEY = \"{k1}\"\n"),
    );
    write(&repo, "real.env", &env_line(&k3));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "keys before leakgate");
    // Staged, not committed yet.
    write(&repo, "staged.env", &env_line(&k2));
    sb.git(&repo, &["add", "staged.env"]).expect_ok("add");
    let config = "# project settings\n[scan]\nmax_file_size = \"5 MiB\"  # ours\n";
    write(&repo, ".leakgate.toml", config);

    let result = |kind: &str, hash: &str, line: usize, extra: &str| {
        format!(
            "{{\"type\": \"{kind}\", \"hashed_secret\": \"{hash}\", \"is_verified\": false, \"line_number\": {line}{extra}}}"
        )
    };
    let baseline = format!(
        "{{\n\
         \"version\": \"1.5.0\",\n\
         \"plugins_used\": [{{\"name\": \"KeywordDetector\"}}],\n\
         \"filters_used\": [\n\
         {{\"path\": \"detect_secrets.filters.heuristic.is_likely_id_string\"}},\n\
         {{\"path\": \"detect_secrets.filters.regex.should_exclude_file\", \"pattern\": [\"\\\\.lock$\", \"go.sum\"]}},\n\
         {{\"path\": \"detect_secrets.filters.regex.should_exclude_secret\", \"pattern\": [\"^EXAMPLE\"]}},\n\
         {{\"path\": \"detect_secrets.filters.regex.should_exclude_line\", \"pattern\": [\"password\"]}}\n\
         ],\n\
         \"results\": {{\n\
         \"real.env\": [\n{}\n],\n\
         \"settings.py\": [\n{},\n{}\n],\n\
         \"staged.env\": [\n{}\n]\n\
         }},\n\
         \"generated_at\": \"2026-01-01T00:00:00Z\"\n\
         }}\n",
        result("Secret Keyword", &sha1_hex(&k3), 1, ", \"is_secret\": true"),
        // Line 1 is out of date: the key is on line 3 now.
        result("Secret Keyword", &sha1_hex(&k1), 1, ", \"is_secret\": false"),
        result("Secret Keyword", &sha1_hex("hunter2"), 2, ""),
        result("Secret Keyword", &sha1_hex(&k2), 1, ""),
    );
    write(&repo, ".secrets.baseline", &baseline);

    let dry = sb
        .leakgate(&repo, &["import", "detect-secrets", "--dry-run"])
        .expect_ok("dry run");
    assert!(!repo.join(".leakgate-allow.toml").exists());
    assert_eq!(
        read(&repo, ".leakgate.toml"),
        config,
        "--dry-run changed it"
    );
    assert!(
        dry.stdout.contains(".leakgate.toml would become:"),
        "{}",
        dry.stdout
    );

    let run = sb
        .leakgate(&repo, &["import", "detect-secrets"])
        .expect_ok("import");
    let r = &run.stdout;
    assert_item(
        r,
        ".secrets.baseline:12",
        &[
            "NOT carried: Secret Keyword at real.env:1",
            "audited as a real secret: rotate it",
        ],
    );
    assert_item(
        r,
        ".secrets.baseline:15",
        &[
            "carried: Secret Keyword at settings.py:1",
            "at settings.py:3",
            "the baseline said line 1",
        ],
    );
    assert_item(
        r,
        ".secrets.baseline:16",
        &[
            "NOT carried",
            "leakgate does not flag this secret in settings.py",
        ],
    );
    assert_item(r, ".secrets.baseline:19", &["carried", "as staged"]);
    assert_item(
        r,
        ".secrets.baseline:4",
        &[
            "[scan] exclude *.lock",
            "NOT carried: --exclude-files 'go.sum'",
            "value '^EXAMPLE'",
            "NOT carried: --exclude-lines 'password'",
            "built-in filters",
        ],
    );
    assert!(
        r.contains("4 entries added (0 already there), 5 items not carried"),
        "{r}"
    );

    let allow = read(&repo, ".leakgate-allow.toml");
    for k in [&k1, &k2, &k3] {
        assert!(!allow.contains(k.as_str()), "a raw key:\n{allow}");
        assert!(!allow.contains(&sha1_hex(k)), "a baseline hash:\n{allow}");
    }
    assert_eq!(allow.matches("fingerprint = ").count(), 2, "{allow}");
    assert!(allow.contains("value = \"^EXAMPLE\""), "{allow}");
    let toml = read(&repo, ".leakgate.toml");
    assert!(
        toml.starts_with(config)
            && toml.contains("exclude = [\n    { path = \"*.lock\", reason = "),
        "the user's file is kept and the item added:\n{toml}"
    );

    // The staged key passes the hook; the key audited as real still blocks
    // in history, and the drifted one does not.
    sb.commit(&repo, "staged key")
        .expect_ok("allowed by the import");
    let scan = sb
        .leakgate(&repo, &["scan", "--all", "-q"])
        .expect_found("the real secret");
    assert!(scan.stdout.contains("real.env"), "{}", scan.stdout);
    assert!(!scan.stdout.contains("settings.py"), "{}", scan.stdout);

    let again = sb
        .leakgate(&repo, &["import", "detect-secrets"])
        .expect_ok("second import");
    assert!(
        again.stdout.contains("0 entries added (4 already there)"),
        "{}",
        again.stdout
    );
    assert_eq!(read(&repo, ".leakgate-allow.toml"), allow);
    assert_eq!(read(&repo, ".leakgate.toml"), toml);
}

/// Input leakgate cannot read is an error naming file, line and field (exit
/// 2), and nothing is written.
#[test]
fn malformed_input_exits_2_naming_file_and_line() {
    let sb = Sandbox::new();
    let repo = sb.repo("app");
    sb.leakgate(&repo, &["import", "gitleaks"])
        .expect_code(2, "neither file");

    write(
        &repo,
        ".secrets.baseline",
        "{\n  \"results\": {\n    \"a.env\": [\n      {\"type\": \"Secret Keyword\", \"hashed_secret\": \"00\", \"line_number\": \"three\"}\n    ]\n  }\n}\n",
    );
    let bad = sb
        .leakgate(&repo, &["import", "detect-secrets"])
        .expect_code(2, "a string line number");
    assert!(
        bad.stderr.contains(".secrets.baseline:4:") && bad.stderr.contains("`line_number`"),
        "{}",
        bad.stderr
    );

    write(
        &repo,
        "ci/gitleaks.toml",
        "[allowlist]\ndescription = \"x\"\nstopwords = [\"a\", 3]\n",
    );
    let bad = sb
        .leakgate(&repo, &["import", "gitleaks", "ci/gitleaks.toml"])
        .expect_code(2, "a number among the stopwords");
    assert!(bad.stderr.contains("ci/gitleaks.toml:3:"), "{}", bad.stderr);
    assert!(!repo.join(".leakgate-allow.toml").exists());
}

//! Issue 14, migration: other scanners' inline markers are honoured, so a
//! team arriving from gitleaks or detect-secrets keeps what it marked, and
//! they are counted apart from leakgate's own.

use crate::common::*;

fn summary(json: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(json).expect("JSON output");
    v["summary"].clone()
}

/// `gitleaks:allow` and `pragma: allowlist secret` on the line, and
/// `pragma: allowlist nextline secret` on the line above, let the key
/// through, counted as foreign markers; a marker two lines up does not.
#[test]
fn gitleaks_and_detect_secrets_markers_are_honoured_and_counted() {
    let sb = Sandbox::new();
    let dir = sb.path("files");
    write(
        &dir,
        "app.py",
        &format!(
            "MESSAGEBIRD_ACCESS_KEY = \"{}\"  # gitleaks:allow\n\
             messagebird_key = \"{}\"  # pragma: allowlist secret\n\
             # pragma: allowlist nextline secret\n\
             MESSAGEBIRD_KEY = \"{}\"\n",
            key(1),
            key(2),
            key(3)
        ),
    );
    let out = sb
        .leakgate(&dir, &["scan", "--format", "json", "app.py"])
        .expect_ok("every key is marked");
    let s = summary(&out.stdout);
    assert_eq!(s["foreign_markers_allowed"], 3, "{}", out.stdout);
    assert_eq!(s["inline_allowed"], 0, "leakgate's own count apart");
    let human = sb
        .leakgate(&dir, &["scan", "app.py"])
        .expect_ok("human report");
    assert!(
        human
            .stdout
            .contains("3 allowed by gitleaks:allow or pragma: allowlist markers"),
        "{}",
        human.stdout
    );

    write(
        &dir,
        "far.py",
        &format!(
            "# pragma: allowlist nextline secret\n\nMESSAGEBIRD_ACCESS_KEY = \"{}\"\n",
            key(4)
        ),
    );
    sb.leakgate(&dir, &["scan", "far.py"])
        .expect_found("a nextline marker two lines up allows nothing");
}

/// `[compat] markers = false` turns them off: the marked key blocks.
#[test]
fn compat_markers_false_turns_them_off() {
    let sb = Sandbox::new();
    let dir = sb.path("files");
    write(
        &dir,
        "app.env",
        &format!("MESSAGEBIRD_ACCESS_KEY={} # gitleaks:allow\n", key(5)),
    );
    sb.leakgate(&dir, &["scan", "app.env"])
        .expect_ok("on by default");
    write(&dir, ".leakgate.toml", "[compat]\nmarkers = false\n");
    sb.leakgate(&dir, &["scan", "app.env"])
        .expect_found("off: the marker means nothing");
    write(&dir, ".leakgate.toml", "[compat]\nmarker = false\n");
    let typo = sb
        .leakgate(&dir, &["scan", "app.env"])
        .expect_code(2, "a misspelt field");
    assert!(
        typo.stderr.contains(".leakgate.toml") && typo.stderr.contains("marker"),
        "{}",
        typo.stderr
    );
}

/// Through the installed pre-commit hook and a history scan: the marked
/// line is committed, the unmarked one is refused, and a later version of
/// the file keeps its marker's effect.
#[test]
fn markers_in_the_hook_and_in_history() {
    let sb = Sandbox::new();
    let repo = sb.repo("work");
    sb.install(&repo).expect_ok("install");
    write(
        &repo,
        "config.py",
        &format!(
            "MESSAGEBIRD_ACCESS_KEY = \"{}\"  # gitleaks:allow\n",
            key(6)
        ),
    );
    sb.git(&repo, &["add", "-A"]).expect_ok("add");
    sb.commit(&repo, "a marked fixture")
        .expect_ok("the hook honours gitleaks:allow");
    write(
        &repo,
        "config.py",
        &format!(
            "MESSAGEBIRD_ACCESS_KEY = \"{}\"  # gitleaks:allow\nDEBUG = True\n",
            key(6)
        ),
    );
    sb.git(&repo, &["add", "-A"]).expect_ok("add");
    sb.commit(&repo, "a later version")
        .expect_ok("a later version");
    write(&repo, "other.env", &env_line(&key(7)));
    sb.git(&repo, &["add", "-A"]).expect_ok("add");
    let refused = sb.commit(&repo, "an unmarked key");
    assert_eq!(refused.code, Some(1), "{}", refused.all());
    sb.git(&repo, &["reset", "-q"]).expect_ok("unstage");
    let history = sb
        .leakgate(&repo, &["scan", "--all", "--format", "json"])
        .expect_ok("history: both versions are marked");
    assert!(
        summary(&history.stdout)["foreign_markers_allowed"]
            .as_u64()
            .unwrap()
            >= 1,
        "{}",
        history.stdout
    );
}

/// `leakgate allow --list`: each entry with what it hides in history now,
/// the lapsed one named as blocking again, the one that matches nothing
/// named for removal; keys shown redacted.
#[test]
fn allow_list_shows_what_each_entry_hides() {
    let sb = Sandbox::new();
    let repo = sb.repo("work");
    let (kept, lapsed) = (key(8), key(9));
    write(&repo, "fixtures/a.env", &env_line(&kept));
    write(&repo, "old/b.env", &env_line(&lapsed));
    sb.git(&repo, &["add", "-A"]).expect_ok("add");
    sb.commit_unchecked(&repo, "two keys");
    let json = sb
        .leakgate(&repo, &["scan", "--all", "--format", "json"])
        .expect_found("both keys");
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let fp_of = |path: &str| -> String {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap()["fingerprint"]
            .as_str()
            .unwrap()
            .to_string()
    };
    write(
        &repo,
        ".leakgate-allow.toml",
        &format!(
            "[[allow]]\nfingerprint = \"{}\"\nreason = \"revoked fixture\"\n\n\
             [[allow]]\nfingerprint = \"{}\"\nreason = \"until the migration\"\nexpires = 2020-01-31\n\n\
             [[allow]]\npath = \"vendor/**\"\nreason = \"third-party code\"\n",
            fp_of("fixtures/a.env"),
            fp_of("old/b.env")
        ),
    );
    let out = sb
        .leakgate(&repo, &["allow", "--list", "--quiet"])
        .expect_ok("allow --list");
    let text = &out.stdout;
    assert!(
        text.contains(".leakgate-allow.toml:1") && text.contains("hides 1 finding"),
        "{text}"
    );
    assert!(text.contains("fixtures/a.env:1"), "{text}");
    assert!(
        text.contains(".leakgate-allow.toml:5")
            && text.contains("EXPIRED 2020-01-31: the 1 finding it matches block again"),
        "{text}"
    );
    assert!(
        text.contains(".leakgate-allow.toml:10") && text.contains("matches nothing"),
        "{text}"
    );
    assert!(
        text.contains("3 entries in .leakgate-allow.toml: 1 expired, 1 matching nothing"),
        "{text}"
    );
    let conflict = sb
        .leakgate(&repo, &["allow", "--list", "--reason", "x"])
        .expect_code(2, "--list takes no entry");
    assert!(conflict.stderr.contains("--list"), "{}", conflict.stderr);
}

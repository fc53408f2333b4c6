//! Trust in the allowlist (issue 7): fingerprints that cost an Argon2
//! evaluation per guess, old entries that keep working and migrate, globs with
//! .gitignore's meaning, entries that cannot name a missing rule or a past
//! day, and writes that are never lost when several run at once.

use std::process::Stdio;

use crate::common::*;
use leakgate::allow::Allowlist;
use leakgate::fingerprint::Fingerprint;

const RULE: &str = "messagebird-access-key";
const ALLOW: &str = ".leakgate-allow.toml";

/// The fingerprints of a JSON report, in order.
fn json_fingerprints(stdout: &str) -> Vec<String> {
    let doc: serde_json::Value = serde_json::from_str(stdout).expect("JSON report");
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["fingerprint"].as_str().expect("fingerprint").to_string())
        .collect()
}

fn json_paths(stdout: &str) -> Vec<String> {
    let doc: serde_json::Value = serde_json::from_str(stdout).expect("JSON report");
    let mut v: Vec<String> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["path"].as_str().expect("path").to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn same_secret_same_fingerprint_in_a_file_a_commit_the_index_and_stdin() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let k = key(701);
    write(&repo, "a.env", &env_line(&k));
    sb.git(&repo, &["add", "a.env"]).expect_ok("add");

    sb.commit(&repo, "k").expect_blocked("blocked");
    let index = sb.leakgate(&repo, &["scan", "--staged", "--format", "json"]);
    let staged = json_fingerprints(&index.stdout).remove(0);
    assert!(staged.starts_with("v2:") && staged.len() == 23, "{staged}");
    sb.commit_unchecked(&repo, "k");
    // Elsewhere in the tree, under another name: still the same secret.
    write(&repo, "deep/other.env", &format!("# x\n{}", env_line(&k)));

    let history = sb.leakgate(&repo, &["scan", "--all", "--format", "json"]);
    let files = sb.leakgate(&repo, &["scan", "deep", "--format", "json"]);
    let stdin = sb
        .output_with_stdin(
            sb.command(BIN, &repo)
                .args(["scan", "-", "--format", "json"]),
            env_line(&k).as_bytes(),
        )
        .stdout;

    for (what, out) in [
        ("history", &history.stdout),
        ("files", &files.stdout),
        ("stdin", &stdin),
    ] {
        assert!(!out.contains(&k), "{what} shows the key");
        assert_eq!(
            json_fingerprints(out),
            vec![staged.clone()],
            "{what}: {out}"
        );
    }
    // Not the old fast hash, nor anything containing it.
    let v1 = Fingerprint::new(RULE, &k).v1();
    assert!(!staged.contains(&v1));
}

/// An allowlist written before v2 keeps allowing, the report says how to
/// upgrade, and `allow --migrate` rewrites what it can find (in history, the
/// index and the work tree), keeping the rest of each entry and the comments.
#[test]
fn v1_entries_still_allow_with_a_notice_and_migrate_rewrites_them() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let (committed, staged, untracked) = (key(711), key(712), key(713));
    let v1 = |k: &str| Fingerprint::new(RULE, k).v1();
    let old = format!(
        "# kept by hand\n\n\
         [[allow]]\n\
         fingerprint = \"{}\"   # the committed fixture\n\
         rule = \"{RULE}\"\n\
         reason = \"revoked fixture\"\n\
         expires = 2999-01-31\n\n\
         [[allow]]\n\
         fingerprint = \"{}\"\n\
         reason = \"staged fixture\"\n\n\
         [[allow]]\n\
         fingerprint = \"{}\"\n\
         reason = \"local file\"\n\n\
         [[allow]]\n\
         fingerprint = \"0123456789abcdef\"\n\
         reason = \"a secret long gone\"\n",
        v1(&committed),
        v1(&staged),
        v1(&untracked)
    );
    let gone_at = entry_line(&old, "0123456789abcdef");
    write(&repo, ALLOW, &old);
    write(&repo, "tests/fixture.env", &env_line(&committed));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb
        .commit(&repo, "fixture")
        .expect_ok("a v1 entry still allows");
    assert!(
        run.stderr.contains("1 allowed by the allowlist"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("4 entries in .leakgate-allow.toml use the old fingerprint format")
            && run.stderr.contains("leakgate allow --migrate"),
        "{}",
        run.stderr
    );
    // The JSON report carries the same notice.
    let json = sb.leakgate(&repo, &["scan", "--all", "--format", "json"]);
    assert!(json.stdout.contains("allow --migrate"), "{}", json.stdout);

    write(&repo, "staged.env", &env_line(&staged));
    sb.git(&repo, &["add", "staged.env"]).expect_ok("add");
    write(&repo, "local.env", &env_line(&untracked));

    let run = sb
        .leakgate(&repo, &["allow", "--migrate"])
        .expect_ok("migrate");
    run.assert_hides(&committed);
    assert!(run.stdout.contains("migrated 3 entries"), "{}", run.stdout);
    assert!(
        run.stdout.contains("1 old entry left") && run.stdout.contains(&format!("line {gone_at}")),
        "{}",
        run.stdout
    );
    let new = std::fs::read_to_string(repo.join(ALLOW)).unwrap();
    for k in [&committed, &staged, &untracked] {
        assert!(!new.contains(&v1(k)), "{new}");
        assert!(new.contains(Fingerprint::new(RULE, k).as_str()), "{new}");
        assert!(!new.contains(k.as_str()));
    }
    for kept in [
        "# kept by hand",
        "# the committed fixture",
        "expires = 2999-01-31",
        "reason = \"local file\"",
        "0123456789abcdef",
    ] {
        assert!(new.contains(kept), "{kept} lost:\n{new}");
    }
    assert_eq!(new.lines().count(), old.lines().count());

    // The migrated entries allow, the unmapped one is still counted.
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb.commit(&repo, "more").expect_ok("migrated entries allow");
    assert!(
        run.stderr.contains("2 allowed by the allowlist"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("1 entry in .leakgate-allow.toml uses the old"),
        "{}",
        run.stderr
    );
    // Again: nothing more to map.
    let run = sb
        .leakgate(&repo, &["allow", "--migrate"])
        .expect_ok("migrate again");
    assert!(run.stdout.contains("migrated 0 entries"), "{}", run.stdout);
}

#[test]
fn allow_rejects_an_unknown_rule_and_a_past_date() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let fp = "v2:00112233445566778899";
    let run = sb.leakgate(
        &repo,
        &["allow", fp, "--reason", "x", "--rule", "no-such-rule"],
    );
    assert_eq!(run.code, Some(2), "{}", run.all());
    assert!(
        run.stderr.contains("--rule") && run.stderr.contains("no-such-rule"),
        "{}",
        run.stderr
    );
    let run = sb.leakgate(
        &repo,
        &["allow", fp, "--reason", "x", "--expires", "2001-01-01"],
    );
    assert_eq!(run.code, Some(2), "{}", run.all());
    assert!(
        run.stderr.contains("--expires") && run.stderr.contains("in the past"),
        "{}",
        run.stderr
    );
    assert!(!repo.join(ALLOW).exists(), "nothing written on an error");
    // An old v1 string is not accepted for a new entry.
    let run = sb.leakgate(&repo, &["allow", "0123456789abcdef", "--reason", "x"]);
    assert_eq!(run.code, Some(2), "{}", run.all());
    // A known rule (built-in or the project's own) and a future date are fine.
    write(
        &repo,
        ".leakgate.toml",
        "[[rule]]\nid = \"acme-internal-token\"\nprovider = \"Acme\"\nname = \"Acme token\"\nseverity = \"high\"\nsecret = 'acme_[a-z0-9]{32}'\nkeywords = [\"acme_\"]\nrotate = \"revoke it\"\ndocs = \"https://acme.invalid/\"\n[[rule.context]]\nkind = \"pattern\"\npattern = '{secret}'\nwhy = \"prefix\"\n",
    );
    sb.leakgate(
        &repo,
        &[
            "allow",
            fp,
            "--reason",
            "x",
            "--rule",
            RULE,
            "--expires",
            "2999-01-01",
        ],
    )
    .expect_ok("known rule, future date");
    sb.leakgate(
        &repo,
        &[
            "allow",
            "v2:99887766554433221100",
            "--reason",
            "x",
            "--rule",
            "acme-internal-token",
        ],
    )
    .expect_ok("a project rule");
}

#[test]
fn an_allowlist_entry_naming_no_rule_is_an_error_with_file_line_and_field() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let allowlist = "[[allow]]\nrule = \"messagebird-access-key\"\npath = \"docs/\"\nreason = \"ok\"\nexpires = 2001-01-01\n\n[[allow]]\nrule = \"messagebrid-access-key\"\nreason = \"typo\"\n";
    write(&repo, ALLOW, allowlist);
    let at = format!(
        ".leakgate-allow.toml:{}",
        entry_line(allowlist, "messagebrid")
    );
    write(&repo, "x.txt", "nothing\n");
    sb.git(&repo, &["add", "x.txt"]).expect_ok("add");
    let run = sb
        .commit(&repo, "x")
        .expect_unchecked(2, "a bad allowlist blocks");
    assert!(
        run.stderr.contains(&at)
            && run.stderr.contains("`rule`")
            && run.stderr.contains("messagebrid-access-key"),
        "{}",
        run.stderr
    );
    for args in [
        &["scan", "--staged"][..],
        &["scan", "--all"][..],
        &["scan", "x.txt"][..],
    ] {
        let run = sb.leakgate(&repo, args);
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.all());
        assert!(run.stderr.contains(&at), "{}", run.stderr);
    }
    // Fixed: the past `expires` of the first entry is legal (it has expired).
    write(
        &repo,
        ALLOW,
        "[[allow]]\nrule = \"messagebird-access-key\"\npath = \"docs/\"\nreason = \"ok\"\nexpires = 2001-01-01\n",
    );
    sb.commit(&repo, "x").expect_ok("valid allowlist");
}

/// `path` globs, each case of the documented .gitignore-like semantics,
/// through a real scan of the staged files.
#[test]
fn path_globs_follow_gitignore() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let files = [
        "a.md",
        "docs/x.md",
        "docs/deep/y.md",
        "sub/docs/z.md",
        "fixtures/f.env",
        "test/fixtures/g.env",
    ];
    for (i, f) in files.iter().enumerate() {
        write(&repo, f, &env_line(&key(720 + i as u64)));
    }
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let reported = |pattern: &str| -> Vec<String> {
        write(
            &repo,
            ALLOW,
            &format!("[[allow]]\npath = \"{pattern}\"\nreason = \"test\"\n"),
        );
        let run = sb.leakgate(&repo, &["scan", "--staged", "--format", "json"]);
        assert!(run.code == Some(0) || run.code == Some(1), "{}", run.all());
        let left = json_paths(&run.stdout);
        let mut allowed: Vec<String> = files
            .iter()
            .map(|f| f.to_string())
            .filter(|f| !left.contains(f))
            .collect();
        allowed.sort();
        allowed
    };
    let v = |s: &[&str]| -> Vec<String> { s.iter().map(|x| x.to_string()).collect() };
    // `*` stays within a directory.
    assert_eq!(reported("docs/*"), v(&["docs/x.md"]));
    // A leading `/` anchors at the root; `**` crosses directories.
    assert_eq!(reported("/docs/**"), v(&["docs/deep/y.md", "docs/x.md"]));
    // A middle `/` anchors too.
    assert_eq!(reported("docs/*.md"), v(&["docs/x.md"]));
    // No slash: any depth.
    assert_eq!(
        reported("*.md"),
        v(&["a.md", "docs/deep/y.md", "docs/x.md", "sub/docs/z.md"])
    );
    assert_eq!(reported("/*.md"), v(&["a.md"]));
    // A trailing `/`: the directory and everything under it, at any depth
    // unless anchored.
    assert_eq!(
        reported("docs/"),
        v(&["docs/deep/y.md", "docs/x.md", "sub/docs/z.md"])
    );
    assert_eq!(reported("/docs/"), v(&["docs/deep/y.md", "docs/x.md"]));
    assert_eq!(
        reported("fixtures/"),
        v(&["fixtures/f.env", "test/fixtures/g.env"])
    );
    assert_eq!(
        reported("**/fixtures/*.env"),
        v(&["fixtures/f.env", "test/fixtures/g.env"])
    );
}

/// Sixteen `leakgate allow` at once, three rounds: every entry lands and the
/// file always parses.
#[test]
fn concurrent_allows_lose_nothing() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let per_round = 16;
    for round in 0..3 {
        let children: Vec<_> = (0..per_round)
            .map(|i| {
                let fp = format!("v2:{:020x}", round * 1000 + i + 1);
                sb.command(BIN, &repo)
                    .args(["allow", &fp, "--reason", &format!("entry {round}/{i}")])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let text = std::fs::read_to_string(repo.join(ALLOW)).unwrap();
        let list = Allowlist::parse(&text, ALLOW).expect("the file parses");
        assert_eq!(list.entries.len(), per_round * (round + 1), "{text}");
        for i in 0..per_round {
            let fp = format!("v2:{:020x}", round * 1000 + i + 1);
            assert_eq!(text.matches(&fp).count(), 1, "{fp} in\n{text}");
        }
    }
    // No temporary or lock file left beside it.
    let names: Vec<_> = std::fs::read_dir(&repo)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("leakgate-allow"))
        .collect();
    assert_eq!(names, vec![ALLOW.to_string()]);
}

/// A blocked commit names each finding's place; `leakgate allow PATH:LINE`
/// records what is found there in the staged file, one entry per secret,
/// with its rule: `--rule` or a column picks one of several on a line, and a
/// place with nothing found is an error that writes nothing.
#[test]
fn allow_by_place_records_each_secret_found_there() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let k = key(731);
    let pat = secret(leakgate::rules::testgen::expand("ghp_<<crc32:30>>", 732));
    let line = format!("{{\"messagebird_access_key\": \"{k}\", \"github_token\": \"{pat}\"}}\n");
    write(&repo, "my config/app.json", &format!("{{}}\n{line}"));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let blocked = sb.commit(&repo, "k").expect_blocked("blocked");
    // One command for the one place, quoted for the shell.
    assert!(
        blocked
            .stderr
            .contains("leakgate allow 'my config/app.json:2' --reason"),
        "{}",
        blocked.stderr
    );
    let json = sb.leakgate(&repo, &["scan", "--staged", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON report");
    let by_rule = |rule: &str| {
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule_id"] == rule)
            .map(|f| {
                (
                    f["fingerprint"].as_str().unwrap().to_string(),
                    f["column"].as_u64().unwrap(),
                )
            })
            .unwrap_or_else(|| panic!("no {rule} finding: {}", json.stdout))
    };
    let (mb_fp, mb_col) = by_rule(RULE);
    let (gh_fp, _) = by_rule("github-classic-pat");

    // Nothing there: an error naming the place, and no file written.
    let nothing = sb.leakgate(&repo, &["allow", "my config/app.json:1", "--reason", "x"]);
    assert_eq!(nothing.code, Some(2), "{}", nothing.all());
    assert!(
        nothing
            .stderr
            .contains("my config/app.json:1: nothing is found there"),
        "{}",
        nothing.stderr
    );
    let missing = sb.leakgate(&repo, &["allow", "nope/app.json:2", "--reason", "x"]);
    assert_eq!(missing.code, Some(2), "{}", missing.all());
    assert!(
        missing.stderr.contains("nope/app.json: no such file"),
        "{}",
        missing.stderr
    );
    assert!(!repo.join(ALLOW).exists());

    // By column: only the MessageBird key.
    sb.leakgate(
        &repo,
        &[
            "allow",
            &format!("my config/app.json:2:{mb_col}"),
            "--reason",
            "fixture",
        ],
    )
    .expect_ok("allow by column");
    let text = std::fs::read_to_string(repo.join(ALLOW)).unwrap();
    assert!(text.contains(&mb_fp) && !text.contains(&gh_fp), "{text}");
    sb.commit(&repo, "k").expect_blocked("the PAT still blocks");

    // The whole line from a subdirectory (places are from the root): the
    // MessageBird entry is already there and is left alone; the PAT is added.
    let sub = repo.join("my config");
    let both = sb
        .leakgate(
            &sub,
            &["allow", "my config/app.json:2", "--reason", "fixture"],
        )
        .expect_ok("allow the line");
    assert!(
        both.stdout
            .contains(&format!("added {gh_fp} (github-classic-pat")),
        "{}",
        both.stdout
    );
    assert!(both.stdout.contains("already allows"), "{}", both.stdout);
    let text = std::fs::read_to_string(repo.join(ALLOW)).unwrap();
    assert_eq!(text.matches("[[allow]]").count(), 2, "{text}");
    assert!(text.contains("rule = \"github-classic-pat\""), "{text}");
    assert!(!text.contains(&k) && !text.contains(&pat));
    sb.git(&repo, &["add", ALLOW]).expect_ok("add allowlist");
    sb.commit(&repo, "k").expect_ok("both allowed");
}

/// A file that is not staged is read as it is on disk.
#[test]
fn allow_by_place_reads_an_unstaged_file_from_disk() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(&repo, "notes.env", &format!("# x\n{}", env_line(&key(733))));
    let out = sb
        .leakgate(&repo, &["allow", "notes.env:2", "--reason", "demo"])
        .expect_ok("allow from disk");
    assert!(out.stdout.contains("at notes.env:2:"), "{}", out.stdout);
    let scan = sb.leakgate(&repo, &["scan", "notes.env"]);
    assert_eq!(scan.code, Some(0), "{}", scan.all());
}

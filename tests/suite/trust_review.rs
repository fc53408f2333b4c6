//! Issue 7, second pass: what a review of the trust work found, each as the
//! user or attacker would meet it.

use crate::common::*;

#[test]
fn the_why_line_never_quotes_another_secret_whole() {
    let sb = Sandbox::new();
    let (k1, k2) = (key(1), key(2));
    let input = format!("def messagebird_setup(key=\"{k1}\"):\n    backup = \"{k2}\"\n");
    for format in ["human", "json"] {
        // The audit fails the run if either key shows anywhere.
        let run = sb.output_with_stdin(
            sb.command(BIN, sb.dir.path())
                .args(["scan", "--format", format, "-"]),
            input.as_bytes(),
        );
        assert_eq!(run.code, Some(1), "{}", run.all());
        assert!(
            run.stdout.contains("sits under `def messagebird_setup("),
            "{}",
            run.stdout
        );
    }
}

#[test]
fn a_typed_byte_order_mark_does_not_hide_a_utf8_key() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let k = key(3);
    for (name, mark) in [
        ("le.env", &b"\xFF\xFE"[..]),
        ("be.env", &b"\xFE\xFF"[..]),
        ("u32.env", &b"\xFF\xFE\0\0"[..]),
    ] {
        let mut bytes = mark.to_vec();
        bytes.extend_from_slice(format!("DEBUG=1\n{}", env_line(&k)).as_bytes());
        write_bytes(&repo, name, &bytes);
    }
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb.commit(&repo, "marks").expect_blocked("blocked");
    for name in ["le.env", "be.env", "u32.env"] {
        assert!(
            run.stderr.contains(&format!("{name}:2:24")),
            "{name}: {}",
            run.stderr
        );
    }
}

#[test]
fn a_branch_that_allowed_its_own_key_cannot_carry_it_into_main() {
    let sb = Sandbox::new();
    let (_server, client) = sb.server_and_client();
    // A branch whose first push only adds a catch-all allowlist (judged by
    // main's policy, which has nothing against it)...
    sb.git(&client, &["checkout", "-q", "-b", "x"])
        .expect_ok("branch");
    write(
        &client,
        ".leakgate-allow.toml",
        "[[allow]]\npath = \"**\"\nreason = \"mine\"\n",
    );
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "allow everything").expect_ok("commit");
    sb.git(&client, &["push", "-q", "origin", "x"])
        .expect_ok("the allowlist alone");
    // ...then the key, judged by the branch's own allowlist...
    let k = key(4);
    write(&client, "app.env", &env_line(&k));
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "key").expect_ok("commit");
    sb.git(&client, &["push", "-q", "origin", "x"])
        .expect_ok("the branch's own policy allows it");
    // ...but main judges what it takes by main's policy.
    let run = sb
        .git(&client, &["push", "origin", "x:main"])
        .expect_blocked("main is not fooled by a branch's allowlist");
    assert!(run.stderr.contains("app.env:1:24"), "{}", run.stderr);
}

#[test]
fn a_push_url_with_a_token_is_not_printed() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let token = secret(leakgate::rules::testgen::token("alnum", 36, 5));
    let url = format!("https://ci:{token}@example.invalid/app.git");
    write(&repo, "app.env", &env_line(&key(6)));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "key");
    let head = sb.head(&repo);
    let zero = "0".repeat(40);
    let line = format!("refs/heads/main {head} refs/heads/main {zero}\n");
    let run = sb.output_with_stdin(
        sb.command(BIN, &repo)
            .args(["hook", "pre-push", &url, &url]),
        line.as_bytes(),
    );
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(
        run.stderr
            .contains("push to https://***@example.invalid/app.git blocked"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_key_pasted_into_the_allowlist_is_not_echoed_by_its_error() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let k = key(7);
    write(
        &repo,
        ".leakgate-allow.toml",
        &format!("[[allow]]\nfingerprint = \"{k}\"\nreason = \"oops\"\n"),
    );
    // The file is the user's own mistake, so only the output is audited.
    let scan = || {
        Run::from(
            sb.command(BIN, &repo)
                .args(["scan", "--staged"])
                .output()
                .unwrap(),
        )
    };
    let run = scan();
    assert_eq!(run.code, Some(2), "{}", run.all());
    assert!(
        run.stderr.contains("is not a leakgate fingerprint"),
        "{}",
        run.stderr
    );
    // A syntax error on the key's line: toml would quote the line.
    write(
        &repo,
        ".leakgate-allow.toml",
        &format!("[[allow]]\nfingerprint = \"{k}\" x\nreason = \"oops\"\n"),
    );
    let run = scan();
    assert_eq!(run.code, Some(2), "{}", run.all());
    assert!(
        run.stderr.contains(".leakgate-allow.toml:2:"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_password_in_the_subject_is_masked_where_a_file_finding_shows_it() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    sb.remote(&repo, "origin.git");
    sb.git(&repo, &["push", "-q", "origin", "main"])
        .expect_ok("push");
    // Short and word-like: the random-token mask alone would not hide it.
    let password = secret("Winter2024Blue".to_string());
    write(&repo, "app.env", &env_line(&key(8)));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(
        &repo,
        &format!("use postgres://app:{password}@db.internal:5432/app"),
    );
    let run = sb
        .git(&repo, &["push", "origin", "main"])
        .expect_blocked("blocked");
    assert!(run.stderr.contains("app.env:1:24"), "{}", run.stderr);
    let run = sb
        .leakgate(&repo, &["scan", "--all"])
        .expect_found("history");
    assert!(run.stdout.contains("app.env:1:24"), "{}", run.stdout);
}

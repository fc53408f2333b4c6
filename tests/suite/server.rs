//! Server side: a bare repository with the pre-receive hook installed refuses
//! pushes that add a key, even with --no-verify on the client, and reads the
//! pushed objects inside git's quarantine.

use crate::common::*;

#[test]
fn pre_receive_refuses_a_key_and_accepts_clean_and_allowlisted_pushes() {
    let sb = Sandbox::new();
    // The server has only the pre-receive hook; the client has no hook.
    let (server, client) = sb.server_and_client();

    let k = key(1);
    write(&client, "app.env", &format!("MESSAGEBIRD_ACCESS_KEY={k}\n"));
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "add key")
        .expect_ok("commit (no client hook)");
    let before = sb.git(&server, &["rev-parse", "main"]).stdout;
    let run = sb
        .git(&client, &["push", "--no-verify", "origin", "main"])
        .expect_blocked("server refuses");
    run.assert_hides(&k);
    let err = &run.stderr;
    assert!(
        err.contains("remote: leakgate: push refused by the server"),
        "{err}"
    );
    assert!(err.contains("remote:   app.env:1:24"), "{err}");
    assert!(err.contains("add key"), "{err}");
    assert!(
        !err.contains("--no-verify"),
        "the server check cannot be skipped: {err}"
    );
    assert_eq!(
        sb.git(&server, &["rev-parse", "main"]).stdout,
        before,
        "ref moved"
    );
    // The refused objects stayed in quarantine.
    sb.git(&server, &["cat-file", "-e", &sb.head(&client)])
        .expect_code(1, "the refused commit reached the object store");

    // An allowlist entry pushed together with the key does not let it in:
    // the server judges by the allowlist it already has.
    let fp = fingerprint_in(err);
    sb.leakgate(&client, &["allow", &fp, "--reason", "revoked test key"])
        .expect_ok("allow");
    sb.git(&client, &["add", ".leakgate-allow.toml"])
        .expect_ok("add");
    sb.commit(&client, "allow it").expect_ok("commit");
    sb.git(&client, &["push", "-q", "origin", "main"])
        .expect_blocked("allowlist in the same push is not trusted");
    // Landed first, on its own, it applies.
    sb.git(
        &client,
        &["checkout", "-q", "-b", "allow-first", "origin/main"],
    )
    .expect_ok("branch");
    sb.git(
        &client,
        &["checkout", "-q", "main", "--", ".leakgate-allow.toml"],
    )
    .expect_ok("take the allowlist");
    sb.commit(&client, "allow it").expect_ok("commit");
    sb.git(&client, &["push", "-q", "origin", "allow-first:main"])
        .expect_ok("the allowlist alone is accepted");
    sb.git(&client, &["rebase", "-q", "allow-first", "main"])
        .expect_ok("rebase the key on top");
    sb.git(&client, &["push", "-q", "origin", "main"])
        .expect_ok("allowlisted push accepted");
    assert_eq!(
        sb.git(&server, &["rev-parse", "main"]).stdout,
        sb.git(&client, &["rev-parse", "main"]).stdout
    );

    // Deleting a branch is not checked.
    sb.git(&client, &["push", "-q", "origin", "main:tmp"])
        .expect_ok("push branch");
    sb.git(&client, &["push", "-q", "origin", ":tmp"])
        .expect_ok("delete branch");
}

/// A server can keep a report of what it refused: the pre-receive hook's
/// `--format` / `--output` write the report to a file the owner names,
/// while the pusher still reads the human report.
#[test]
fn pre_receive_writes_a_report_file_the_owner_names() {
    let sb = Sandbox::new();
    let (server, client) = sb.server_and_client();
    let report = sb.path("refused.json");
    let hook = server.join("hooks/pre-receive");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\nexec '{BIN}' hook pre-receive --format json --output '{}'\n",
            report.display()
        ),
    )
    .unwrap();
    let k = key(41);
    write(&client, "app.env", &env_line(&k));
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "add key").expect_ok("commit");
    let run = sb
        .git(&client, &["push", "origin", "main"])
        .expect_blocked("server refuses");
    assert!(
        run.stderr.contains("remote:   app.env:1:24"),
        "{}",
        run.stderr
    );
    let text = std::fs::read_to_string(&report).expect("the report file");
    audit("pre-receive report file", &text);
    let doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(doc["findings"][0]["path"], "app.env", "{text}");
    assert_eq!(doc["findings"][0]["blocking"], true, "{text}");
}

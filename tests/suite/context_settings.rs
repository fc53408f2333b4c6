//! Settings are found one way for every command (src/context.rs): the work
//! tree's files, HEAD's in a bare repository, the current directory's outside
//! any repository.

use crate::common::*;

/// Outside a repository `leakgate allow` writes the allowlist in the current
/// directory; a scan run there honours it (it used to ignore it).
#[test]
fn an_allowlist_written_outside_a_repository_is_honoured_there() {
    let sb = Sandbox::new();
    let dir = sb.path("files");
    write(&dir, "app.env", &env_line(&key(41)));
    let first = sb.leakgate(&dir, &["scan", "app.env"]);
    assert_eq!(first.code, Some(1), "{}", first.all());
    let fp = fingerprint_in(&first.stdout);
    sb.leakgate(&dir, &["allow", &fp, "--reason", "a revoked demo key"])
        .expect_ok("allow outside a repository");
    assert!(dir.join(".leakgate-allow.toml").exists());
    let second = sb.leakgate(&dir, &["scan", "app.env"]);
    assert_eq!(second.code, Some(0), "{}", second.all());
    assert!(second.stdout.contains("1 allowed"), "{}", second.stdout);
}

/// A bare repository (a mirror) reads its settings as committed at HEAD for
/// every command: `rules list` shows the project's own rule there, as the
/// history scan uses it.
#[test]
fn a_bare_repository_uses_the_rules_committed_at_head_for_every_command() {
    let sb = Sandbox::new();
    let repo = sb.repo("work");
    write(
        &repo,
        ".leakgate.toml",
        "[[rule]]\nid = \"acme-token\"\nprovider = \"Acme\"\nname = \"Acme token\"\nseverity = \"high\"\nsecret = 'acme_[a-z0-9]{32}'\nkeywords = [\"acme_\"]\n\n[[rule.context]]\nkind = \"pattern\"\npattern = '{secret}'\nwhy = \"an Acme token\"\n",
    );
    sb.git(&repo, &["add", "-A"]);
    sb.commit_unchecked(&repo, "settings");
    let bare = sb.path("mirror.git");
    sb.git(
        sb.dir.path(),
        &[
            "clone",
            "-q",
            "--bare",
            repo.to_str().unwrap(),
            bare.to_str().unwrap(),
        ],
    )
    .expect_ok("clone --bare");
    let list = sb
        .leakgate(&bare, &["rules", "list"])
        .expect_ok("rules list");
    assert!(list.stdout.contains("acme-token"), "{}", list.stdout);
    let explain = sb.leakgate(&bare, &["explain", "acme-token"]);
    assert_eq!(explain.code, Some(0), "{}", explain.all());
}

//! Issue 14: `--config PATH` / `LEAKGATE_CONFIG` and `extends = "path"`
//! (an organisation's base settings kept in a shared checkout).

use crate::common::*;

const DISABLE_MESSAGEBIRD: &str = "[rules]\ndisable = [\"messagebird-access-key\"]\n";

/// A project rule for Acme tokens, as an organisation's base would add one.
const ACME_RULE: &str = "[[rule]]\nid = \"acme-token\"\nprovider = \"Acme\"\nname = \"Acme token\"\nseverity = \"high\"\nsecret = 'acme_[a-z0-9]{32}'\nkeywords = [\"acme_\"]\n\n[[rule.context]]\nkind = \"pattern\"\npattern = '{secret}'\nwhy = \"an Acme token\"\n";

fn acme(seed: u64) -> String {
    secret(format!(
        "acme_{}",
        leakgate::rules::testgen::token("lower", 32, 7100 + seed)
    ))
}

/// `--config` and `LEAKGATE_CONFIG` replace the work tree's `.leakgate.toml`:
/// a project file that disables the MessageBird rule no longer hides the key.
#[test]
fn config_flag_and_environment_replace_the_project_file() {
    let sb = Sandbox::new();
    let repo = sb.repo("work");
    write(&repo, ".leakgate.toml", DISABLE_MESSAGEBIRD);
    write(&repo, "app.env", &env_line(&key(1)));
    sb.leakgate(&repo, &["scan", "app.env"])
        .expect_ok("the project's file disables the rule");
    write(
        &sb.path("org"),
        "strict.toml",
        "[scan]\nmax_file_size = \"5 MiB\"\n",
    );
    let strict = sb.path("org/strict.toml");
    let flagged = sb
        .leakgate(
            &repo,
            &["--config", strict.to_str().unwrap(), "scan", "app.env"],
        )
        .expect_found("--config replaces .leakgate.toml");
    assert!(flagged.stdout.contains("MessageBird"), "{}", flagged.stdout);
    let via_env = sb.output(
        sb.command(BIN, &repo)
            .env("LEAKGATE_CONFIG", &strict)
            .args(["scan", "app.env"]),
    );
    assert_eq!(via_env.code, Some(1), "LEAKGATE_CONFIG: {}", via_env.all());
    // After the subcommand too (a global flag).
    sb.leakgate(
        &repo,
        &["scan", "--config", strict.to_str().unwrap(), "app.env"],
    )
    .expect_found("--config after the subcommand");
    let missing = sb
        .leakgate(&repo, &["--config", "nowhere.toml", "scan", "app.env"])
        .expect_code(2, "a --config file that does not exist");
    assert!(
        missing.stderr.contains("nowhere.toml"),
        "names the file: {}",
        missing.stderr
    );
}

/// `extends` reads the base first and puts the project's settings on top:
/// the base's rule is in force, the project's own `disable` too, and the
/// base's scalar is replaced where the project sets it.
#[test]
fn extends_builds_on_a_shared_base() {
    let sb = Sandbox::new();
    let repo = sb.repo("work");
    write(&sb.path("org-policy"), "leakgate.toml", ACME_RULE);
    write(
        &repo,
        ".leakgate.toml",
        &format!("extends = \"../org-policy/leakgate.toml\"\n{DISABLE_MESSAGEBIRD}"),
    );
    write(
        &repo,
        "app.env",
        &format!("{}ACME={}\n", env_line(&key(2)), acme(1)),
    );
    let out = sb
        .leakgate(&repo, &["scan", "--format", "json", "app.env"])
        .expect_found("the base's rule finds the Acme token");
    assert!(out.stdout.contains("acme-token"), "{}", out.stdout);
    assert!(
        !out.stdout.contains("messagebird-access-key"),
        "the project's own disable holds: {}",
        out.stdout
    );
    let list = sb
        .leakgate(&repo, &["rules", "list"])
        .expect_ok("rules list");
    assert!(list.stdout.contains("acme-token"), "{}", list.stdout);
}

/// A base that cannot be read, or a chain that comes back to itself, is an
/// error naming the file and the field.
#[test]
fn extends_errors_name_the_file_and_field() {
    let sb = Sandbox::new();
    let repo = sb.repo("work");
    write(&repo, "app.env", "nothing here\n");
    write(&repo, ".leakgate.toml", "extends = \"../nowhere.toml\"\n");
    let missing = sb
        .leakgate(&repo, &["scan", "app.env"])
        .expect_code(2, "a missing base");
    assert!(
        missing.stderr.contains(".leakgate.toml")
            && missing.stderr.contains("extends")
            && missing.stderr.contains("nowhere.toml"),
        "{}",
        missing.stderr
    );
    write(&sb.path("org"), "a.toml", "extends = \"b.toml\"\n");
    write(&sb.path("org"), "b.toml", "extends = \"a.toml\"\n");
    write(&repo, ".leakgate.toml", "extends = \"../org/a.toml\"\n");
    let cycle = sb
        .leakgate(&repo, &["scan", "app.env"])
        .expect_code(2, "a cycle");
    assert!(
        cycle.stderr.contains("cycle") && cycle.stderr.contains("a.toml"),
        "{}",
        cycle.stderr
    );
}

/// A config read from a commit (a bare mirror, a server, CI's target
/// branch) has no checkout to find a base in: `extends` there is an error
/// that says to name the whole file with `--config`, which then works.
#[test]
fn a_committed_config_that_extends_needs_config_in_a_bare_repository() {
    let sb = Sandbox::new();
    let repo = sb.repo("work");
    write(&repo, ".leakgate.toml", "extends = \"../org/base.toml\"\n");
    write(&repo, "app.env", &env_line(&key(3)));
    sb.git(&repo, &["add", "-A"]);
    sb.commit_unchecked(&repo, "settings and a key");
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
    let refused = sb
        .leakgate(&bare, &["scan", "--all"])
        .expect_code(2, "extends in a committed config");
    assert!(
        refused.stderr.contains("extends") && refused.stderr.contains("--config"),
        "{}",
        refused.stderr
    );
    write(&sb.path("org"), "base.toml", "");
    let base = sb.path("org/base.toml");
    sb.leakgate(
        &bare,
        &["--config", base.to_str().unwrap(), "scan", "--all"],
    )
    .expect_found("--config names the whole policy");
}

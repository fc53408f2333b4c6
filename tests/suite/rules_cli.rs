//! `rules list`, `rules check`, `explain`, and a project's own rules in
//! `.leakgate.toml`, through the binary and the installed hook.

use crate::common::*;

const CUSTOM: &str = r#"
[rules]
disable = ["messagebird-test-key"]

[rules.override.messagebird-access-key]
severity = "critical"

[[rule]]
id = "acme-internal-token"
provider = "Acme"
name = "Acme internal API token"
severity = "high"
secret = 'acme_[a-z0-9]{32}'
keywords = ["acme_"]
rotate = "Acme admin -> Tokens: revoke, then issue a new one."
docs = "https://acme.invalid/docs/tokens"

[[rule.context]]
kind = "pattern"
pattern = '{secret}'
why = "Acme token prefix"

[rule.examples]
match = ['ACME=acme_<<lower:16>><<digits:16>>']
no_match = ['ACME=acme_short']
"#;

#[test]
fn project_rules_are_listed_checked_enforced_and_explained() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(&repo, ".leakgate.toml", CUSTOM);

    let list = sb
        .leakgate(&repo, &["rules", "list"])
        .expect_ok("rules list");
    assert!(
        list.stdout.contains("acme-internal-token"),
        "{}",
        list.stdout
    );
    assert!(
        !list.stdout.contains("messagebird-test-key"),
        "disabled rule listed: {}",
        list.stdout
    );
    assert!(list
        .stdout
        .lines()
        .any(|l| l.starts_with("messagebird-access-key") && l.contains("critical")));

    let check = sb
        .leakgate(&repo, &["rules", "check"])
        .expect_ok("rules check");
    assert!(check.stdout.contains("0 failed"), "{}", check.stdout);

    let token = secret(format!(
        "acme_{}",
        leakgate::rules::testgen::token("lower", 32, 1)
    ));
    write(
        &repo,
        "svc.env",
        &format!("ACME_TOKEN={token}\nMESSAGEBIRD_TEST_KEY=test_{}\n", key(1)),
    );
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb.commit(&repo, "svc").expect_blocked("custom rule blocks");
    assert!(run.stderr.contains("acme-internal-token"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("messagebird-test-key"),
        "disabled rule fired: {}",
        run.stderr
    );
    run.assert_hides(&token);

    let explain = sb
        .leakgate(&repo, &["explain", "acme-internal-token"])
        .expect_ok("explain");
    assert!(
        explain.stdout.contains("Acme admin -> Tokens"),
        "{}",
        explain.stdout
    );
    assert!(
        explain.stdout.contains("ACME_API_KEY"),
        "{}",
        explain.stdout
    );
}

#[test]
fn a_bad_project_rule_names_file_rule_and_field() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(
        &repo,
        ".leakgate.toml",
        &CUSTOM.replace("acme_[a-z0-9]{32}", "acme_[a-z0-9{32}"),
    );
    let run = sb.leakgate(&repo, &["rules", "check"]);
    assert_eq!(run.code, Some(2));
    for needle in [".leakgate.toml", "acme-internal-token", "`secret`"] {
        assert!(
            run.stderr.contains(needle),
            "missing {needle}: {}",
            run.stderr
        );
    }

    write(
        &repo,
        ".leakgate.toml",
        &CUSTOM.replace("kind = \"pattern\"", "kind = \"patern\""),
    );
    write(&repo, "a.txt", "a\n");
    sb.git(&repo, &["add", "a.txt"]).expect_ok("add");
    let run = sb
        .commit(&repo, "a")
        .expect_unchecked(2, "a broken config blocks the commit");
    assert!(
        run.stderr.contains("context[0].kind") && run.stderr.contains("patern"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("git commit --no-verify"),
        "{}",
        run.stderr
    );

    write(
        &repo,
        ".leakgate.toml",
        "[rules]\ndisable = [\"no-such-rule\"]\n",
    );
    let run = sb.leakgate(&repo, &["rules", "list"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("`disable`") && run.stderr.contains("no-such-rule"),
        "{}",
        run.stderr
    );

    write(
        &repo,
        ".leakgate.toml",
        "[[rule]]\nid = \"x\"\nprovider = \"X\"\n",
    );
    let run = sb.leakgate(&repo, &["rules", "list"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .contains(".leakgate.toml:1:1: missing field `name`"),
        "{}",
        run.stderr
    );
}

#[test]
fn builtin_rules_check_and_unknown_explain() {
    let sb = Sandbox::new();
    let home = sb.path("home");
    let check = sb
        .leakgate(&home, &["rules", "check"])
        .expect_ok("rules check outside a repo");
    assert!(check.stdout.contains(" 0 failed"), "{}", check.stdout);
    let run = sb.leakgate(&home, &["explain", "nope"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("leakgate rules list"), "{}", run.stderr);
}

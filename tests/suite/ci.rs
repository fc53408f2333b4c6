//! `leakgate ci` (issue 10): the commits a CI run brings, read from the CI's
//! real environment variables, scanned in a real clone of a real remote,
//! with the policy of the target branch.

use crate::ci_world::*;
use crate::common::audit;

#[test]
fn a_github_pull_request_scans_its_own_commits_under_the_base_branch_policy() {
    let w = world();
    let pr = w.pull_request();
    let env = github("pull_request", &pr, &w.feature);
    let run = w.run(&env, &[]);
    w.assert_new_key_only(&run);
    assert!(
        run.stdout.contains("GitHub Actions (pull_request)"),
        "{}",
        run.stdout
    );
    // What to do: the commits are pushed already, so rotate, then clean
    // the branch from where it left main; an allowlist entry belongs on
    // the target branch.
    assert!(
        run.stdout
            .contains("in the commits this pipeline checks (pull_request: "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains(&format!("git rebase -i {}", &w.main[..10])),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("git push --force-with-lease"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("commit .leakgate-allow.toml to the target branch"),
        "{}",
        run.stdout
    );

    // The same commits under the change's own policy (a plain range scan
    // in the work tree reads the allowlist on disk) are let through: the
    // entry the pull request added is real, and `ci` ignored it.
    w.sb.leakgate(&w.ci, &["scan", &format!("{}..{}", w.main, w.feature)])
        .expect_ok("the change's own allowlist allows its key");

    let explained = w.run(&env, &["--explain-range"]).expect_ok("explain");
    let out = &explained.stdout;
    assert!(out.contains("CI:      GitHub Actions"), "{out}");
    assert!(out.contains("trigger: pull_request"), "{out}");
    assert!(out.contains("(2 commits)"), "{out}");
    assert!(
        out.contains(&format!("git log {}..{}", w.main, w.feature)),
        "{out}"
    );
    assert!(
        out.contains(&format!("as committed at {}", &w.main[..10])),
        "{out}"
    );

    // pull_request_target reads the same payload.
    let env = github("pull_request_target", &pr, &w.main);
    w.assert_new_key_only(&w.run(&env, &[]));
}

#[test]
fn github_pushes_normal_new_branch_forced_and_deleted() {
    let w = world();
    let push = |name: &str, before: &str, after: &str, forced: bool| {
        w.event(
            name,
            &format!(
                r#"{{"ref": "refs/heads/feature", "before": "{before}", "after": "{after}",
                    "forced": {forced}, "repository": {{"default_branch": "main"}}}}"#
            ),
        )
    };
    let zero = "0".repeat(40);
    let run_push = |event: &str| {
        let mut env = github("push", event, &w.feature);
        env.push(("GITHUB_REF", "refs/heads/feature"));
        w.run(&env, &[])
    };

    // before..after
    w.assert_new_key_only(&run_push(&push("p1.json", &w.main, &w.feature, false)));

    // A new branch: what no other branch of the remote has.
    let e = push("p2.json", &zero, &w.feature, false);
    let run = run_push(&e);
    w.assert_new_key_only(&run);
    let mut env = github("push", &e, &w.feature);
    env.push(("GITHUB_REF", "refs/heads/feature"));
    let explained = w.run(&env, &["--explain-range"]).expect_ok("explain");
    assert!(
        explained.stdout.contains("not on origin/main"),
        "{}",
        explained.stdout
    );
    assert!(
        explained.stdout.contains("(2 commits)"),
        "{}",
        explained.stdout
    );

    // A forced push whose replaced tip this clone never fetched.
    let gone = "5".repeat(40);
    w.assert_new_key_only(&run_push(&push("p3.json", &gone, &w.feature, true)));

    // A deleted branch brings nothing.
    run_push(&push("p4.json", &w.feature, &zero, false)).expect_ok("a deletion scans nothing");

    // A `before` that is not there, on a push that says it is not forced.
    let run = run_push(&push("p5.json", &gone, &w.feature, false));
    assert_eq!(run.code, Some(2), "{}", run.all());
    assert!(
        run.stderr.contains(&gone) && run.stderr.contains("not a commit of this repository"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_scheduled_run_scans_every_ref_and_the_merge_queue_its_group() {
    let w = world();
    let sched = w.event("s.json", "{}");
    let run = w.run(&github("schedule", &sched, &w.feature), &[]);
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(run.stdout.contains("legacy.env"), "{}", run.stdout);
    assert!(run.stdout.contains("config/sms.env"), "{}", run.stdout);

    let mq = w.event(
        "mq.json",
        &format!(
            r#"{{"merge_group": {{"base_sha": "{}", "head_sha": "{}"}}}}"#,
            w.main, w.feature
        ),
    );
    w.assert_new_key_only(&w.run(&github("merge_group", &mq, &w.feature), &[]));
}

#[test]
fn a_shallow_clone_is_an_error_naming_the_setting_never_a_partial_scan() {
    let w = world();
    let origin = w.sb.path("origin.git");
    let shallow = w.sb.path("shallow");
    w.sb.git(
        w.sb.dir.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            &format!("file://{}", origin.display()),
            shallow.to_str().unwrap(),
        ],
    )
    .expect_ok("shallow clone");
    let pr = w.pull_request();
    let run = w.run_in(&shallow, &github("pull_request", &pr, &w.feature), &[]);
    assert_eq!(run.code, Some(2), "{}", run.all());
    assert!(run.stderr.contains("shallow"), "{}", run.stderr);
    assert!(run.stderr.contains("fetch-depth: 0"), "{}", run.stderr);

    let run = w.run_in(
        &shallow,
        &[
            ("GITLAB_CI", "true"),
            ("CI_COMMIT_SHA", &w.feature),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", &w.main),
        ],
        &[],
    );
    assert_eq!(run.code, Some(2), "{}", run.all());
    assert!(run.stderr.contains("GIT_DEPTH: 0"), "{}", run.stderr);
}

#[test]
fn bad_environments_are_clear_errors() {
    let w = world();
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![("GITHUB_ACTIONS", "true"), ("GITHUB_EVENT_NAME", "push")],
            "GITHUB_EVENT_PATH",
        ),
        (
            github("push", "/nonexistent/event.json", &w.feature),
            "/nonexistent/event.json",
        ),
        (
            github("release", "/nonexistent/event.json", &w.feature),
            "GITHUB_EVENT_NAME=release",
        ),
        (vec![], "--base"),
    ];
    for (env, needle) in cases {
        let run = w.run(&env, &[]);
        assert_eq!(run.code, Some(2), "{needle}: {}", run.all());
        assert!(run.stderr.contains(needle), "{needle}: {}", run.stderr);
    }
    // pull_request_target checks out the base: the head was never fetched.
    let unfetched = "6".repeat(40);
    let pr = w.event(
        "prt.json",
        &format!(
            r#"{{"pull_request": {{"base": {{"ref": "main", "sha": "{}"}}, "head": {{"sha": "{unfetched}"}}}}}}"#,
            w.main
        ),
    );
    let run = w.run(&github("pull_request_target", &pr, &w.main), &[]);
    assert_eq!(run.code, Some(2), "{}", run.all());
    assert!(
        run.stderr.contains(&unfetched)
            && run
                .stderr
                .contains("ref: ${{ github.event.pull_request.head.sha }}"),
        "{}",
        run.stderr
    );
    let bad = w.event("bad.json", "{ not json");
    let run = w.run(&github("pull_request", &bad, &w.feature), &[]);
    assert_eq!(run.code, Some(2), "{}", run.all());
    assert!(
        run.stderr.contains("not a JSON event payload"),
        "{}",
        run.stderr
    );
}

/// Every other CI, by the variables it really sets.
#[test]
fn other_cis_find_the_change_from_their_own_variables() {
    let w = world();
    let range = format!("{}...{}", w.main, w.feature);
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "GitLab CI (merge request pipeline)",
            vec![
                ("GITLAB_CI", "true"),
                ("CI_COMMIT_SHA", &w.feature),
                ("CI_MERGE_REQUEST_DIFF_BASE_SHA", &w.main),
                ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main"),
            ],
        ),
        (
            "GitLab CI (branch pipeline)",
            vec![
                ("GITLAB_CI", "true"),
                ("CI_COMMIT_SHA", &w.feature),
                ("CI_COMMIT_BEFORE_SHA", &w.main),
                ("CI_COMMIT_BRANCH", "feature"),
            ],
        ),
        (
            "GitLab CI (branch pipeline)",
            vec![
                ("GITLAB_CI", "true"),
                ("CI_COMMIT_SHA", &w.feature),
                (
                    "CI_COMMIT_BEFORE_SHA",
                    "0000000000000000000000000000000000000000",
                ),
                ("CI_COMMIT_BRANCH", "feature"),
                ("CI_DEFAULT_BRANCH", "main"),
            ],
        ),
        (
            "Travis CI (pull request)",
            vec![
                ("TRAVIS", "true"),
                ("TRAVIS_COMMIT", &w.feature),
                ("TRAVIS_COMMIT_RANGE", &range),
                ("TRAVIS_PULL_REQUEST", "7"),
            ],
        ),
        (
            "Jenkins (pull request)",
            vec![
                ("JENKINS_URL", "https://jenkins.example.invalid/"),
                ("GIT_COMMIT", &w.feature),
                ("CHANGE_ID", "7"),
                ("CHANGE_TARGET", "main"),
            ],
        ),
        (
            "Jenkins (branch build)",
            vec![
                ("JENKINS_URL", "https://jenkins.example.invalid/"),
                ("GIT_COMMIT", &w.feature),
                ("GIT_PREVIOUS_SUCCESSFUL_COMMIT", &w.main),
            ],
        ),
        (
            "CircleCI (branch build)",
            vec![
                ("CIRCLECI", "true"),
                ("CIRCLE_SHA1", &w.feature),
                ("CIRCLE_BRANCH", "feature"),
            ],
        ),
        (
            "Bitbucket Pipelines (pull request)",
            vec![
                ("BITBUCKET_BUILD_NUMBER", "12"),
                ("BITBUCKET_COMMIT", &w.feature),
                ("BITBUCKET_BRANCH", "feature"),
                ("BITBUCKET_PR_ID", "7"),
                ("BITBUCKET_PR_DESTINATION_BRANCH", "main"),
            ],
        ),
        (
            "Azure Pipelines (pull request)",
            vec![
                ("TF_BUILD", "True"),
                ("BUILD_SOURCEVERSION", &w.feature),
                ("SYSTEM_PULLREQUEST_TARGETBRANCH", "refs/heads/main"),
            ],
        ),
        (
            "Buildkite (pull request)",
            vec![
                ("BUILDKITE", "true"),
                ("BUILDKITE_COMMIT", &w.feature),
                ("BUILDKITE_BRANCH", "feature"),
                ("BUILDKITE_PULL_REQUEST", "7"),
                ("BUILDKITE_PULL_REQUEST_BASE_BRANCH", "main"),
            ],
        ),
        (
            "Buildkite (branch build)",
            vec![
                ("BUILDKITE", "true"),
                ("BUILDKITE_COMMIT", &w.feature),
                ("BUILDKITE_BRANCH", "feature"),
                ("BUILDKITE_PULL_REQUEST", "false"),
            ],
        ),
        (
            "no known CI (--base)",
            vec![("LEAKGATE_BASE", "origin/main")],
        ),
    ];
    for (label, env) in cases {
        let run = w.run(&env, &[]);
        assert!(run.stdout.contains(label), "{label}: {}", run.stdout);
        w.assert_new_key_only(&run);
    }
    // --base on the command line, with no CI at all.
    w.assert_new_key_only(&w.run(&[], &["--base", "origin/main"]));
}

/// The CI's own surfaces: in GitHub Actions an annotation per finding and
/// the findings table in the job summary; in GitLab the report folded into
/// a log section under its headline.
#[test]
fn github_annotates_and_summarises_and_gitlab_folds_the_report() {
    let w = world();
    let pr = w.pull_request();
    let summary = w.sb.path("step-summary.md");
    let mut env = github("pull_request", &pr, &w.feature);
    env.push(("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()));
    let run = w.run(&env, &[]);
    w.assert_new_key_only(&run);
    let first = run.stdout.lines().next().unwrap_or("");
    assert!(
        first.starts_with("::error file=config/sms.env,line=1,col=24,title=leakgate%3A "),
        "{}",
        run.stdout
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("### leakgate: 1 blocking secret"), "{md}");
    assert!(md.contains("| config/sms.env:1 "), "{md}");
    audit("step summary", &md);

    // JSON on stdout stays JSON: no workflow commands mixed in.
    let json = w.run(&env, &["--format", "json"]);
    assert_eq!(json.code, Some(1), "{}", json.all());
    serde_json::from_str::<serde_json::Value>(&json.stdout).expect("only JSON on stdout");

    let run = w.run(
        &[
            ("GITLAB_CI", "true"),
            ("CI_COMMIT_SHA", &w.feature),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", &w.main),
        ],
        &[],
    );
    w.assert_new_key_only(&run);
    assert!(
        run.stdout.starts_with("\x1b[0Ksection_start:")
            && run
                .stdout
                .contains("[collapsed=true]\r\x1b[0Kleakgate: found: 1 secret"),
        "{:?}",
        run.stdout
    );
    assert!(
        run.stdout.contains("\x1b[0Ksection_end:"),
        "{:?}",
        run.stdout
    );
}

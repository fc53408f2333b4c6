//! The CI recipes (`action.yml`, `ci/*`), run as written (issue 10).
//!
//! Each test reads its recipe file, takes the scan command from it (the
//! lines holding `leakgate ci`; for the GitHub Action the whole script of
//! the step `id: scan`), replaces the CI's own template syntax
//! (`${{ inputs.x }}`, `<< pipeline.git.base_revision >>`, `$(Macro.Name)`)
//! with what that CI would, and runs it with `sh -c` (`bash` for the
//! action, as GitHub does) in a real clone, with the environment the CI
//! sets for a pull request and for a branch build. So a recipe and its test
//! cannot drift apart: an edited flag, file name or variable is what runs.
//!
//! The recipes name report files (`--format sarif|junit|gitlab --output
//! FILE`); a binary without those options fails here with a message saying
//! so, never a skip.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::ci_world::*;
use crate::common::*;

/// A small YAML reader for the recipes: block mappings and sequences,
/// `|` and `>` block scalars (kept line for line), quoted and plain
/// scalars, `&anchor` marks dropped and `*alias` kept as text. Enough to
/// walk a CI file by its keys; anything else in a recipe is a test failure.
#[derive(Debug, Clone, PartialEq)]
enum Yaml {
    Str(String),
    List(Vec<Yaml>),
    Map(Vec<(String, Yaml)>),
}

impl Yaml {
    fn parse(text: &str) -> Yaml {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mut i = 0;
        let doc = block(&mut lines, &mut i, 0);
        skip_blank(&lines, &mut i);
        assert!(
            i >= lines.len(),
            "YAML: line {} not read (bad indentation?): {}",
            i + 1,
            lines[i]
        );
        doc
    }

    fn get(&self, key: &str) -> &Yaml {
        match self {
            Yaml::Map(m) => m
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
                .unwrap_or_else(|| panic!("no `{key}` in {self:?}")),
            _ => panic!("`{key}` asked of a non-mapping: {self:?}"),
        }
    }

    /// `a.b.0.c`: keys, and indexes into sequences.
    fn at(&self, path: &str) -> &Yaml {
        path.split('.').fold(self, |node, part| match node {
            Yaml::List(items) => &items[part.parse::<usize>().unwrap()],
            _ => node.get(part),
        })
    }

    fn str(&self) -> &str {
        match self {
            Yaml::Str(s) => s,
            _ => panic!("not a scalar: {self:?}"),
        }
    }

    fn list(&self) -> &[Yaml] {
        match self {
            Yaml::List(l) => l,
            _ => panic!("not a sequence: {self:?}"),
        }
    }

    /// A scalar or a sequence of scalars, as script lines (a block scalar
    /// is one line per line).
    fn script_lines(&self) -> Vec<String> {
        match self {
            Yaml::Str(s) => s.lines().map(str::to_string).collect(),
            Yaml::List(items) => items.iter().flat_map(Yaml::script_lines).collect(),
            Yaml::Map(_) => panic!("a mapping where a script was expected: {self:?}"),
        }
    }
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_blank(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

fn skip_blank(lines: &[String], i: &mut usize) {
    while *i < lines.len() && is_blank(&lines[*i]) {
        *i += 1;
    }
}

/// The node whose lines start at `*i`, indented at least `min`.
fn block(lines: &mut Vec<String>, i: &mut usize, min: usize) -> Yaml {
    skip_blank(lines, i);
    if *i >= lines.len() || indent_of(&lines[*i]) < min {
        return Yaml::Str(String::new());
    }
    let n = indent_of(&lines[*i]);
    let t = lines[*i].trim_start();
    if t == "-" || t.starts_with("- ") {
        let mut items = Vec::new();
        loop {
            skip_blank(lines, i);
            if *i >= lines.len() || indent_of(&lines[*i]) != n {
                break;
            }
            let t = lines[*i].trim_start().to_string();
            if !(t == "-" || t.starts_with("- ")) {
                break;
            }
            let rest = t[1..].trim_start();
            if rest.is_empty() {
                *i += 1;
                items.push(block(lines, i, n + 1));
            } else if key_value(rest).is_some() {
                // `- key: value`: a mapping whose first line is this one.
                let inner = n + (t.len() - rest.len());
                lines[*i] = format!("{}{rest}", " ".repeat(inner));
                items.push(block(lines, i, inner));
            } else {
                items.push(Yaml::Str(scalar(rest)));
                *i += 1;
            }
        }
        return Yaml::List(items);
    }
    let mut map = Vec::new();
    loop {
        skip_blank(lines, i);
        if *i >= lines.len() || indent_of(&lines[*i]) != n {
            break;
        }
        let line = lines[*i].clone();
        let t = line.trim_start();
        if t.starts_with("- ") {
            break;
        }
        let (key, value) =
            key_value(t).unwrap_or_else(|| panic!("YAML line {}: not `key: value`: {t}", *i + 1));
        *i += 1;
        let value = value.strip_prefix('&').map_or(value.as_str(), |v| {
            v.split_once(' ').map_or("", |(_, rest)| rest.trim())
        });
        let node = if value.is_empty() {
            // A sequence may sit at its key's own indentation.
            skip_blank(lines, i);
            if *i < lines.len()
                && indent_of(&lines[*i]) == n
                && lines[*i].trim_start().starts_with("- ")
            {
                block(lines, i, n)
            } else {
                block(lines, i, n + 1)
            }
        } else if value.starts_with('|') || value.starts_with('>') {
            let mut body = Vec::new();
            let mut strip = None;
            while *i < lines.len() && (lines[*i].trim().is_empty() || indent_of(&lines[*i]) > n) {
                let l = &lines[*i];
                if !l.trim().is_empty() {
                    let s = *strip.get_or_insert(indent_of(l));
                    body.push(l.get(s..).unwrap_or("").to_string());
                } else {
                    body.push(String::new());
                }
                *i += 1;
            }
            while body.last().is_some_and(String::is_empty) {
                body.pop();
            }
            Yaml::Str(body.join("\n") + "\n")
        } else {
            Yaml::Str(scalar(value))
        };
        map.push((key, node));
    }
    Yaml::Map(map)
}

/// `key: value` (the value may be empty); `None` for a plain scalar.
fn key_value(t: &str) -> Option<(String, String)> {
    let (key, rest) = if let Some(q) = t.strip_prefix('"').or_else(|| t.strip_prefix('\'')) {
        let end = q.find(&t[..1])?;
        let rest = q[end + 1..].strip_prefix(':')?;
        (q[..end].to_string(), rest)
    } else {
        let at = t
            .find(": ")
            .or_else(|| t.ends_with(':').then(|| t.len() - 1))?;
        let key = &t[..at];
        if key.contains(' ') && !key.starts_with('$') {
            return None;
        }
        (key.to_string(), &t[at + 1..])
    };
    Some((key, strip_comment(rest.trim()).to_string()))
}

/// A trailing ` # comment` outside quotes goes.
fn strip_comment(v: &str) -> &str {
    let mut quote = None;
    let bytes = v.as_bytes();
    for (k, &b) in bytes.iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'#') if k == 0 || bytes[k - 1] == b' ' => return v[..k].trim_end(),
            _ => {}
        }
    }
    v
}

fn scalar(v: &str) -> String {
    let v = strip_comment(v.trim());
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return v[1..v.len() - 1].to_string();
        }
    }
    v.to_string()
}

fn recipe(rel: &str) -> String {
    let p = project_root().join(rel);
    fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The scan lines of a script: every line holding `leakgate ci` that is
/// not a comment.
fn scan_lines(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| l.contains("leakgate ci") && !l.starts_with('#') && !l.starts_with("//"))
        .map(str::to_string)
        .collect()
}

/// Replaces each `from` with its `to`, and fails on any template syntax
/// left over (a variable the test does not know is a drift to fix here).
fn substitute(line: &str, subs: &[(&str, &str)]) -> String {
    let mut out = line.to_string();
    for (from, to) in subs {
        out = out.replace(from, to);
    }
    for left in ["${{", "<<", "$(", "{{"] {
        assert!(
            !out.contains(left),
            "the recipe line uses template syntax this test does not fill in: {out}"
        );
    }
    out
}

/// A scan of a recipe: the world, the CI's variables for one event, and
/// the report files the recipe names.
struct Case<'a> {
    w: &'a World,
    /// `PATH` with the leakgate under test in front.
    path: std::ffi::OsString,
}

impl<'a> Case<'a> {
    fn new(w: &'a World) -> Case<'a> {
        let dir = Path::new(BIN).parent().unwrap().to_path_buf();
        Case {
            w,
            path: path_with(&dir),
        }
    }

    /// Runs `script` with `shell` in the clone checked out at `head`, with
    /// `env`; what it printed is audited.
    fn run(&self, shell: &[&str], script: &str, head: &str, env: &[(&str, &str)]) -> Run {
        self.w
            .sb
            .git(&self.w.ci, &["checkout", "-q", "--detach", head])
            .expect_ok("checkout");
        let mut cmd = self.w.sb.command(shell[0], &self.w.ci);
        cmd.args(&shell[1..]).arg(script).env("PATH", &self.path);
        for (k, v) in env {
            cmd.env(k, v);
        }
        self.w.sb.output(&mut cmd)
    }
}

/// Fails with what is missing when the binary does not know the report
/// options the recipes use (they come with the `reports` work).
fn needs_report_options(run: &Run, line: &str) {
    let all = run.all();
    if run.code == Some(2)
        && (all.contains("unexpected argument '--output'")
            || all.contains("invalid value 'sarif'")
            || all.contains("invalid value 'junit'")
            || all.contains("invalid value 'gitlab'"))
    {
        panic!(
            "this recipe needs `leakgate ci --format sarif|junit|gitlab --output FILE` \
             (the report formats and report files of branch `reports`), which this binary \
             does not have yet; the recipe line was:\n  {line}\n{all}"
        );
    }
}

/// The report file `rel` (in the clone) exists, holds the finding at its
/// file redacted when `found`, and never a whole key.
fn assert_report(w: &World, rel: &str, found: bool, what: &str) {
    let p = w.ci.join(rel);
    let text = fs::read_to_string(&p)
        .unwrap_or_else(|e| panic!("{what}: the recipe's report {rel} was not written: {e}"));
    audit(&format!("{what}: {rel}"), &text);
    let redacted = leakgate::engine::finding::redact(&w.new_key);
    if found {
        assert!(
            text.contains("config/sms.env") && text.contains(&redacted),
            "{what}: {rel} does not name config/sms.env with its redacted key {redacted}:\n{text}"
        );
    } else {
        assert!(
            !text.contains("config/sms.env"),
            "{what}: a clean change's {rel} names a finding:\n{text}"
        );
    }
    assert!(
        !text.contains("legacy.env"),
        "{what}: {rel} names main's old key, not this change's:\n{text}"
    );
}

/// One event of a line-based recipe: each scan line in turn, for the key
/// (`feature`) and the clean change; the first line decides the job, the
/// others (reports written after it) must not fail it.
struct Event<'a> {
    name: &'a str,
    /// The CI's variables, given the head commit built.
    env: &'a dyn Fn(&str) -> Vec<(String, String)>,
    /// The CI's template syntax, given the head commit built.
    subs: &'a dyn Fn(&str) -> Vec<(String, String)>,
}

fn run_lines(w: &World, lines: &[String], reports: &[&str], events: &[Event<'_>]) {
    assert!(!lines.is_empty(), "no `leakgate ci` line in the recipe");
    let case = Case::new(w);
    for ev in events {
        for (head, want) in [(&w.feature, 1), (&w.clean, 0)] {
            let what = format!(
                "{} ({})",
                ev.name,
                if want == 1 {
                    "a new key"
                } else {
                    "a clean change"
                }
            );
            for r in reports {
                let _ = fs::remove_file(w.ci.join(r));
            }
            let env = (ev.env)(head);
            let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (&k[..], &v[..])).collect();
            let subs = (ev.subs)(head);
            let subs: Vec<(&str, &str)> = subs.iter().map(|(k, v)| (&k[..], &v[..])).collect();
            for (n, line) in lines.iter().enumerate() {
                let script = substitute(line, &subs);
                let run = case.run(&["sh", "-c"], &script, head, &env);
                needs_report_options(&run, &script);
                let expect = if n == 0 { want } else { 0 };
                assert_eq!(
                    run.code,
                    Some(expect),
                    "{what}: `{script}` exited {:?}, expected {expect}:\n{}",
                    run.code,
                    run.all()
                );
                if n == 0 && want == 1 {
                    assert!(
                        run.all().contains("config/sms.env:1"),
                        "{what}: {}",
                        run.all()
                    );
                }
            }
            for r in reports {
                assert_report(w, r, want == 1, &what);
            }
        }
    }
}

fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn gitlab_template_scans_merge_requests_and_branches_and_writes_its_reports() {
    let doc = Yaml::parse(&recipe("ci/gitlab-ci.yml"));
    let job = doc.get("leakgate");
    assert_eq!(job.at("variables.GIT_DEPTH").str(), "0");
    let rules: Vec<&str> = job
        .get("rules")
        .list()
        .iter()
        .map(|r| r.get("if").str())
        .collect();
    assert!(
        rules.iter().any(|r| r.contains("merge_request_event"))
            && rules.iter().any(|r| r.trim() == "$CI_COMMIT_BRANCH"),
        "{rules:?}"
    );
    let reports = job.at("artifacts.reports");
    assert_eq!(job.at("artifacts.when").str(), "always");
    let sd = reports.get("secret_detection").str().to_string();
    let junit = reports.get("junit").str().to_string();
    assert_eq!(sd, "gl-secret-detection-report.json");

    let mut lines = scan_lines(&job.get("script").script_lines());
    lines.extend(scan_lines(&job.get("after_script").script_lines()));
    assert_eq!(lines.len(), 2, "{lines:?}");
    let w = world();
    let no_subs = |_: &str| Vec::new();
    let mr = |head: &str| {
        vars(&[
            ("CI", "true"),
            ("GITLAB_CI", "true"),
            ("CI_PIPELINE_SOURCE", "merge_request_event"),
            ("CI_COMMIT_SHA", head),
            ("CI_COMMIT_REF_NAME", "feature"),
            ("CI_DEFAULT_BRANCH", "main"),
            ("CI_MERGE_REQUEST_IID", "7"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", &w.main),
            ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main"),
            ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "feature"),
        ])
    };
    let zero = "0".repeat(40);
    let branch = |before: &str| {
        let before = before.to_string();
        move |head: &str| {
            vars(&[
                ("CI", "true"),
                ("GITLAB_CI", "true"),
                ("CI_PIPELINE_SOURCE", "push"),
                ("CI_COMMIT_SHA", head),
                ("CI_COMMIT_BEFORE_SHA", &before),
                ("CI_COMMIT_BRANCH", "feature"),
                ("CI_COMMIT_REF_NAME", "feature"),
                ("CI_DEFAULT_BRANCH", "main"),
            ])
        }
    };
    let pushed = branch(&w.main);
    let new_branch = branch(&zero);
    run_lines(
        &w,
        &lines,
        &[&sd, &junit],
        &[
            Event {
                name: "GitLab merge request pipeline",
                env: &mr,
                subs: &no_subs,
            },
            Event {
                name: "GitLab branch pipeline",
                env: &pushed,
                subs: &no_subs,
            },
            Event {
                name: "GitLab pipeline of a new branch",
                env: &new_branch,
                subs: &no_subs,
            },
        ],
    );
}

#[test]
fn circleci_job_passes_the_previous_pipelines_revision_as_the_base() {
    let doc = Yaml::parse(&recipe("ci/circleci.yml"));
    let steps = doc.at("jobs.leakgate.steps").list();
    assert!(steps.contains(&Yaml::Str("checkout".into())), "{steps:?}");
    let mut script = Vec::new();
    let mut results = None;
    for s in steps {
        if let Yaml::Map(m) = s {
            match m[0].0.as_str() {
                "run" => script.extend(s.at("run.command").script_lines()),
                "store_test_results" => {
                    results = Some(s.at("store_test_results.path").str().to_string())
                }
                _ => {}
            }
        }
    }
    let lines = scan_lines(&script);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let report = lines[0]
        .split_whitespace()
        .skip_while(|a| *a != "--output")
        .nth(1)
        .expect("an --output file")
        .to_string();
    let results = results.expect("a store_test_results step");
    assert!(report.starts_with(&format!("{results}/")), "{report}");

    let w = world();
    let env = |pr: bool| {
        move |head: &str| {
            let mut v = vars(&[
                ("CI", "true"),
                ("CIRCLECI", "true"),
                ("CIRCLE_SHA1", head),
                ("CIRCLE_BRANCH", "feature"),
                ("CIRCLE_BUILD_NUM", "12"),
            ]);
            if pr {
                v.extend(vars(&[(
                    "CIRCLE_PULL_REQUEST",
                    "https://github.com/acme/app/pull/7",
                )]));
            }
            v
        }
    };
    let (pr, branch) = (env(true), env(false));
    // A pull request's first pipeline: no previous revision.
    let first = |_: &str| vars(&[("<< pipeline.git.base_revision >>", "")]);
    // A later pipeline of the branch: the one before built main's tip.
    let later = |_: &str| vars(&[("<< pipeline.git.base_revision >>", &w.main)]);
    run_lines(
        &w,
        &lines,
        &[&report],
        &[
            Event {
                name: "CircleCI pull request, first pipeline",
                env: &pr,
                subs: &first,
            },
            Event {
                name: "CircleCI branch build after main's",
                env: &branch,
                subs: &later,
            },
        ],
    );
}

#[test]
fn jenkins_stage_scans_pull_requests_and_branch_builds() {
    let text = recipe("ci/Jenkinsfile");
    // The `sh '...'` steps holding `leakgate ci`, their shell text.
    let lines: Vec<String> = scan_lines(&text.lines().map(str::to_string).collect::<Vec<_>>())
        .iter()
        .map(|l| {
            let inner = l
                .strip_prefix("sh '")
                .and_then(|r| r.strip_suffix('\''))
                .unwrap_or_else(|| panic!("not a one-line `sh '...'` step: {l}"));
            assert!(!inner.contains('\''), "a quote inside the sh step: {l}");
            inner.to_string()
        })
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        text.contains("junit testResults: 'leakgate-junit.xml'"),
        "the junit step reads another file than the scan writes"
    );
    let w = world();
    let no_subs = |_: &str| Vec::new();
    let pr = |head: &str| {
        vars(&[
            ("JENKINS_URL", "https://jenkins.example.invalid/"),
            ("BUILD_NUMBER", "12"),
            ("GIT_COMMIT", head),
            ("BRANCH_NAME", "PR-7"),
            ("CHANGE_ID", "7"),
            ("CHANGE_TARGET", "main"),
            ("CHANGE_BRANCH", "feature"),
        ])
    };
    let branch = |head: &str| {
        vars(&[
            ("JENKINS_URL", "https://jenkins.example.invalid/"),
            ("BUILD_NUMBER", "13"),
            ("GIT_COMMIT", head),
            ("BRANCH_NAME", "feature"),
            ("GIT_BRANCH", "origin/feature"),
            ("GIT_PREVIOUS_SUCCESSFUL_COMMIT", &w.main),
        ])
    };
    let first_build = |head: &str| {
        vars(&[
            ("JENKINS_URL", "https://jenkins.example.invalid/"),
            ("BUILD_NUMBER", "1"),
            ("GIT_COMMIT", head),
            ("BRANCH_NAME", "feature"),
        ])
    };
    run_lines(
        &w,
        &lines,
        &["leakgate-junit.xml"],
        &[
            Event {
                name: "Jenkins pull request",
                env: &pr,
                subs: &no_subs,
            },
            Event {
                name: "Jenkins branch build",
                env: &branch,
                subs: &no_subs,
            },
            Event {
                name: "Jenkins first build of a branch",
                env: &first_build,
                subs: &no_subs,
            },
        ],
    );
}

#[test]
fn bitbucket_step_scans_pull_requests_and_branches_with_a_full_clone() {
    let doc = Yaml::parse(&recipe("ci/bitbucket-pipelines.yml"));
    assert_eq!(doc.at("clone.depth").str(), "full");
    assert_eq!(
        doc.at("pipelines.pull-requests.**.0.step").str(),
        "*leakgate"
    );
    assert_eq!(doc.at("pipelines.branches.**.0.step").str(), "*leakgate");
    let lines = scan_lines(&doc.at("definitions.steps.0.step.script").script_lines());
    assert_eq!(lines.len(), 1, "{lines:?}");
    let w = world();
    let no_subs = |_: &str| Vec::new();
    let env = |pr: bool| {
        move |head: &str| {
            let mut v = vars(&[
                ("CI", "true"),
                ("BITBUCKET_BUILD_NUMBER", "12"),
                ("BITBUCKET_COMMIT", head),
                ("BITBUCKET_BRANCH", "feature"),
                ("BITBUCKET_REPO_FULL_NAME", "acme/app"),
            ]);
            if pr {
                v.extend(vars(&[
                    ("BITBUCKET_PR_ID", "7"),
                    ("BITBUCKET_PR_DESTINATION_BRANCH", "main"),
                ]));
            }
            v
        }
    };
    let (pr, branch) = (env(true), env(false));
    run_lines(
        &w,
        &lines,
        &["test-results/leakgate.xml"],
        &[
            Event {
                name: "Bitbucket pull request",
                env: &pr,
                subs: &no_subs,
            },
            Event {
                name: "Bitbucket branch build",
                env: &branch,
                subs: &no_subs,
            },
        ],
    );
}

#[test]
fn azure_pipeline_scans_pull_requests_and_pushes_with_a_full_fetch() {
    let doc = Yaml::parse(&recipe("ci/azure-pipelines.yml"));
    let steps = doc.get("steps").list();
    let checkout = steps
        .iter()
        .find(|s| matches!(s, Yaml::Map(m) if m[0].0 == "checkout"))
        .expect("a checkout step");
    assert_eq!(checkout.get("checkout").str(), "self");
    assert_eq!(checkout.get("fetchDepth").str(), "0");
    let mut script = Vec::new();
    let mut published = None;
    for s in steps {
        if let Yaml::Map(m) = s {
            match m[0].0.as_str() {
                "script" => script.extend(s.get("script").script_lines()),
                "task" if s.get("task").str().starts_with("PublishTestResults@") => {
                    published = Some(s.at("inputs.testResultsFiles").str().to_string());
                    assert_eq!(s.get("condition").str(), "succeededOrFailed()");
                }
                _ => {}
            }
        }
    }
    let lines = scan_lines(&script);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let w = world();
    let results = w.sb.path("TestResults");
    fs::create_dir_all(&results).unwrap();
    let results = results.to_str().unwrap().to_string();
    let macros = |_: &str| vars(&[("$(Common.TestResultsDirectory)", &results)]);
    let published = published.expect("a PublishTestResults step");
    let report = published.replace("$(Common.TestResultsDirectory)", &results);
    assert!(
        lines[0].contains(&published),
        "the scan writes another file than the one published ({published}): {}",
        lines[0]
    );
    let pr = |head: &str| {
        vars(&[
            ("TF_BUILD", "True"),
            ("BUILD_REASON", "PullRequest"),
            ("BUILD_SOURCEVERSION", head),
            ("BUILD_SOURCEBRANCH", "refs/pull/7/merge"),
            ("SYSTEM_PULLREQUEST_PULLREQUESTID", "7"),
            ("SYSTEM_PULLREQUEST_SOURCEBRANCH", "refs/heads/feature"),
            ("SYSTEM_PULLREQUEST_TARGETBRANCH", "refs/heads/main"),
        ])
    };
    let push = |head: &str| {
        vars(&[
            ("TF_BUILD", "True"),
            ("BUILD_REASON", "IndividualCI"),
            ("BUILD_SOURCEVERSION", head),
            ("BUILD_SOURCEBRANCH", "refs/heads/feature"),
            ("BUILD_SOURCEBRANCHNAME", "feature"),
        ])
    };
    run_lines(
        &w,
        &lines,
        &[&report],
        &[
            Event {
                name: "Azure pull request",
                env: &pr,
                subs: &macros,
            },
            Event {
                name: "Azure push",
                env: &push,
                subs: &macros,
            },
        ],
    );
}

#[test]
fn buildkite_step_scans_pull_requests_and_branch_builds() {
    let doc = Yaml::parse(&recipe("ci/buildkite.yml"));
    let step = doc.at("steps.0");
    let lines = scan_lines(&step.get("command").script_lines());
    assert_eq!(lines.len(), 1, "{lines:?}");
    let artifacts = step.get("artifact_paths").script_lines();
    let w = world();
    let no_subs = |_: &str| Vec::new();
    let env = |pr: bool| {
        move |head: &str| {
            let mut v = vars(&[
                ("CI", "true"),
                ("BUILDKITE", "true"),
                ("BUILDKITE_COMMIT", head),
                ("BUILDKITE_BRANCH", "feature"),
                ("BUILDKITE_PIPELINE_DEFAULT_BRANCH", "main"),
            ]);
            v.extend(if pr {
                vars(&[
                    ("BUILDKITE_PULL_REQUEST", "7"),
                    ("BUILDKITE_PULL_REQUEST_BASE_BRANCH", "main"),
                ])
            } else {
                vars(&[("BUILDKITE_PULL_REQUEST", "false")])
            });
            v
        }
    };
    let (pr, branch) = (env(true), env(false));
    let artifacts: Vec<&str> = artifacts.iter().map(String::as_str).collect();
    run_lines(
        &w,
        &lines,
        &artifacts,
        &[
            Event {
                name: "Buildkite pull request",
                env: &pr,
                subs: &no_subs,
            },
            Event {
                name: "Buildkite branch build",
                env: &branch,
                subs: &no_subs,
            },
        ],
    );
}

#[test]
fn travis_job_scans_the_commit_range_of_pull_requests_and_pushes() {
    let doc = Yaml::parse(&recipe("ci/travis.yml"));
    assert_eq!(doc.at("git.depth").str(), "false");
    let lines = scan_lines(&doc.get("script").script_lines());
    assert_eq!(lines.len(), 1, "{lines:?}");
    let w = world();
    let no_subs = |_: &str| Vec::new();
    let env = |pr: bool| {
        let main = w.main.clone();
        move |head: &str| {
            let range = format!("{main}...{head}");
            let mut v = vars(&[
                ("CI", "true"),
                ("TRAVIS", "true"),
                ("TRAVIS_COMMIT", head),
                ("TRAVIS_COMMIT_RANGE", &range),
            ]);
            v.extend(if pr {
                vars(&[
                    ("TRAVIS_EVENT_TYPE", "pull_request"),
                    ("TRAVIS_PULL_REQUEST", "7"),
                    ("TRAVIS_BRANCH", "main"),
                    ("TRAVIS_PULL_REQUEST_BRANCH", "feature"),
                ])
            } else {
                vars(&[
                    ("TRAVIS_EVENT_TYPE", "push"),
                    ("TRAVIS_PULL_REQUEST", "false"),
                    ("TRAVIS_BRANCH", "feature"),
                ])
            });
            v
        }
    };
    let (pr, push) = (env(true), env(false));
    run_lines(
        &w,
        &lines,
        &[],
        &[
            Event {
                name: "Travis pull request",
                env: &pr,
                subs: &no_subs,
            },
            Event {
                name: "Travis push",
                env: &push,
                subs: &no_subs,
            },
        ],
    );
}

/// The action: its steps, and its inputs with their defaults.
struct Action {
    doc: Yaml,
}

impl Action {
    fn load() -> Action {
        let doc = Yaml::parse(&recipe("action.yml"));
        assert_eq!(doc.at("runs.using").str(), "composite");
        Action { doc }
    }

    fn step(&self, id: &str) -> &Yaml {
        self.doc
            .at("runs.steps")
            .list()
            .iter()
            .find(|s| matches!(s, Yaml::Map(m) if m.iter().any(|(k, v)| k == "id" && *v == Yaml::Str(id.into()))))
            .unwrap_or_else(|| panic!("no step with id {id} in action.yml"))
    }

    /// The step's `env:` with `${{ inputs.x }}` filled from `inputs` or
    /// the input's default, and its `run:` script.
    fn script(&self, id: &str, inputs: &[(&str, &str)]) -> (Vec<(String, String)>, String) {
        let step = self.step(id);
        assert_eq!(step.get("shell").str(), "bash");
        let declared = self.doc.get("inputs");
        let mut subs = Vec::new();
        if let Yaml::Map(m) = declared {
            for (name, spec) in m {
                let value = inputs
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.to_string())
                    .unwrap_or_else(|| spec.get("default").str().to_string());
                subs.push((format!("${{{{ inputs.{name} }}}}"), value));
            }
        }
        for (k, _) in inputs {
            assert!(
                subs.iter()
                    .any(|(s, _)| s.contains(&format!(" inputs.{k} "))),
                "action.yml declares no input {k}"
            );
        }
        let subs: Vec<(&str, &str)> = subs.iter().map(|(a, b)| (&a[..], &b[..])).collect();
        let mut env = Vec::new();
        if let Yaml::Map(m) = step.get("env") {
            for (k, v) in m {
                env.push((k.clone(), substitute(v.str(), &subs)));
            }
        }
        let script = step.get("run").str().to_string();
        assert!(
            !script.contains("${{"),
            "step {id} puts an expression into its script (inject it through env instead):\n{script}"
        );
        (env, script)
    }
}

/// GitHub's variables for a run (the runner's files in `dir`).
fn github_env(
    w: &World,
    event: &str,
    payload: &str,
    sha: &str,
    files: &Path,
) -> Vec<(String, String)> {
    let f = |n: &str| files.join(n).to_str().unwrap().to_string();
    vars(&[
        ("CI", "true"),
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", event),
        ("GITHUB_EVENT_PATH", payload),
        ("GITHUB_SHA", sha),
        ("GITHUB_REF", "refs/heads/feature"),
        ("GITHUB_WORKSPACE", w.ci.to_str().unwrap()),
        ("GITHUB_OUTPUT", &f("output")),
        ("GITHUB_STEP_SUMMARY", &f("summary")),
        ("GITHUB_PATH", &f("path")),
        ("RUNNER_TEMP", &f("tmp")),
    ])
}

/// bash as GitHub runs a `shell: bash` step.
const GITHUB_BASH: &[&str] = &["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"];

#[test]
fn github_action_scans_pull_requests_and_pushes_and_writes_sarif() {
    let action = Action::load();
    assert_eq!(
        action.doc.at("outputs.sarif-file.value").str(),
        "${{ steps.scan.outputs.sarif-file }}"
    );
    let w = world();
    let files = w.sb.path("runner");
    fs::create_dir_all(files.join("tmp")).unwrap();
    let mut case = Case::new(&w);

    // `bin`: the binary under test, put on the job's PATH by the action.
    let (env, script) = action.script("bin", &[("bin", BIN)]);
    let mut all = github_env(&w, "push", "", &w.main, &files);
    all.extend(env);
    let run = |case: &Case, all: &[(String, String)], script: &str, head: &str| {
        let env: Vec<(&str, &str)> = all.iter().map(|(k, v)| (&k[..], &v[..])).collect();
        case.run(GITHUB_BASH, script, head, &env)
    };
    run(&case, &all, &script, &w.main).expect_ok("the bin step");
    let added = fs::read_to_string(files.join("path")).unwrap();
    let dir = PathBuf::from(added.trim());
    assert!(dir.join("leakgate").exists(), "GITHUB_PATH: {added}");
    // From here on, only the leakgate the action put on PATH.
    case.path =
        std::env::join_paths(std::iter::once(dir).chain(std::env::split_paths(sandbox_path())))
            .unwrap();

    let pr = |head: &str| {
        w.event(
            "pr.json",
            &format!(
                r#"{{"number": 7, "pull_request": {{"base": {{"ref": "main", "sha": "{}"}},
                     "head": {{"ref": "feature", "sha": "{head}"}}}}}}"#,
                w.main
            ),
        )
    };
    let push = |head: &str| {
        w.event(
            "push.json",
            &format!(
                r#"{{"ref": "refs/heads/feature", "before": "{}", "after": "{head}",
                     "forced": false, "repository": {{"default_branch": "main"}}}}"#,
                w.main
            ),
        )
    };
    let outputs = || {
        let text = fs::read_to_string(files.join("output")).unwrap_or_default();
        let _ = fs::remove_file(files.join("output"));
        text.lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<HashMap<_, _>>()
    };
    let summary = || {
        let text = fs::read_to_string(files.join("summary")).unwrap_or_default();
        let _ = fs::remove_file(files.join("summary"));
        audit("GITHUB_STEP_SUMMARY", &text);
        text
    };

    for (event, payload) in [
        ("pull_request", &pr as &dyn Fn(&str) -> String),
        ("push", &push),
    ] {
        for (head, want) in [(&w.feature, 1), (&w.clean, 0)] {
            let what = format!("action, {event}, head {}", &head[..10]);
            let _ = fs::remove_file(w.ci.join("leakgate.sarif"));
            let _ = fs::remove_file(w.ci.join("leakgate-report.xml"));
            let payload = payload(head);
            let mut all = github_env(&w, event, &payload, head, &files);
            let (env, script) = action.script("scan", &[("sarif", "true"), ("format", "junit")]);
            all.extend(env);
            let r = run(&case, &all, &script, head);
            needs_report_options(&r, "action.yml, step scan");
            assert_eq!(r.code, Some(want), "{what}:\n{}", r.all());
            let out = outputs();
            assert_eq!(
                out.get("exit-code").map(String::as_str),
                Some(&*want.to_string()),
                "{what}: {out:?}"
            );
            assert_eq!(
                out.get("sarif-file").map(String::as_str),
                Some("leakgate.sarif"),
                "{what}: {out:?}"
            );
            assert_eq!(
                out.get("report-file").map(String::as_str),
                Some("leakgate-report.xml"),
                "{what}: {out:?}"
            );
            assert_report(&w, "leakgate.sarif", want == 1, &what);
            assert_report(&w, "leakgate-report.xml", want == 1, &what);
            // leakgate ci's own summary, once, whichever reports were asked.
            let s = summary();
            let expected = if want == 1 {
                "### leakgate: 1 blocking secret"
            } else {
                "### leakgate: no secrets found"
            };
            assert!(s.contains(expected), "{what}: step summary: {s}");
            assert_eq!(s.matches("### leakgate:").count(), 1, "{what}: {s}");
            if want == 1 {
                assert!(s.contains("| config/sms.env:1"), "{what}: {s}");
                // An annotation on the file, for the pull request's diff.
                assert_eq!(
                    r.stdout
                        .matches("::error file=config/sms.env,line=1")
                        .count(),
                    1,
                    "{what}: {}",
                    r.stdout
                );
                // The human report in the log, once (its place line).
                assert_eq!(
                    r.stdout.matches("\n  config/sms.env:1:").count(),
                    1,
                    "{what}: {}",
                    r.stdout
                );
            }
        }
    }

    // Defaults (no report file), and `base` for an event leakgate does not
    // know by itself.
    let payload = w.event("release.json", "{}");
    let mut all = github_env(&w, "release", &payload, &w.feature, &files);
    let (env, script) = action.script("scan", &[("base", "origin/main")]);
    all.extend(env);
    let r = run(&case, &all, &script, &w.feature);
    assert_eq!(r.code, Some(1), "base input:\n{}", r.all());
    assert!(r.stdout.contains("config/sms.env:1"), "{}", r.stdout);
    assert!(!r.stdout.contains("legacy.env"), "{}", r.stdout);
    let out = outputs();
    assert!(
        !out.contains_key("sarif-file") && !out.contains_key("report-file"),
        "{out:?}"
    );
    summary();

    // A scheduled run scans every ref (main's old key too); `since` narrows it.
    let sched = w.event("schedule.json", "{}");
    let mut all = github_env(&w, "schedule", &sched, &w.main, &files);
    let (env, script) = action.script("scan", &[]);
    all.extend(env);
    let r = run(&case, &all, &script, &w.main);
    assert_eq!(r.code, Some(1), "schedule:\n{}", r.all());
    assert!(r.stdout.contains("legacy.env"), "{}", r.stdout);
    let mut all = github_env(&w, "schedule", &sched, &w.main, &files);
    let (env, script) = action.script("scan", &[("since", "2099-01-01")]);
    all.extend(env);
    run(&case, &all, &script, &w.main).expect_ok("schedule since a date after every commit");
    outputs();
    summary();

    // A bad input is an error naming it, exit 2.
    let payload = pr(&w.feature);
    let mut all = github_env(&w, "pull_request", &payload, &w.feature, &files);
    let (env, script) = action.script("scan", &[("format", "xml")]);
    all.extend(env);
    let r = run(&case, &all, &script, &w.feature);
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(r.stdout.contains("format: 'xml'"), "{}", r.all());
    assert_eq!(outputs().get("exit-code").map(String::as_str), Some("2"));
}

/// The report file every recipe names is checked before anything is
/// scanned: a path that cannot be written is an error naming it (exit 2),
/// not a job that passes with no report for the CI to show.
#[test]
fn a_report_path_that_cannot_be_written_fails_the_job_naming_it() {
    let w = world();
    let pr = w.pull_request();
    let env = github("pull_request", &pr, &w.feature);
    let missing = w.sb.path("no such folder/leakgate.sarif");
    let run = w.run(
        &env,
        &["--format", "sarif", "--output", missing.to_str().unwrap()],
    );
    needs_report_options(&run, "leakgate ci --format sarif --output <missing folder>");
    assert_eq!(run.code, Some(2), "{}", run.all());
    assert!(
        run.stderr.contains("no such folder/leakgate.sarif"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("config/sms.env"), "{}", run.stdout);
}

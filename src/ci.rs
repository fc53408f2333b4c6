//! Which commits a CI run should scan, read from the CI's own environment.
//!
//! Each CI says what triggered it in its own variables: GitHub Actions in an
//! event file, GitLab in `CI_MERGE_REQUEST_DIFF_BASE_SHA` /
//! `CI_COMMIT_BEFORE_SHA`, Travis in `TRAVIS_COMMIT_RANGE`, the others by a
//! target branch name or nothing at all. [`detect`] turns that into a
//! [`Want`] without touching the repository (so it is tested on plain
//! variables); [`resolve`] turns a want into `git log` arguments against the
//! repository, and refuses, naming the CI's setting, when a shallow clone
//! lacks the commits the range needs: a partial scan that looks complete is
//! the failure this module exists to prevent.
//!
//! The policy (`.leakgate.toml`, `.leakgate-allow.toml`) is read as committed
//! on the target branch, never as the change under test has it: a pull
//! request that adds an allowlist entry next to its key does not let itself
//! in.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use anyhow::{anyhow, bail, Context as _, Result};
use git2::{Oid, Repository};
use serde_json::Value;

/// The CI systems told apart by their environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ci {
    GitHub,
    GitLab,
    CircleCi,
    Jenkins,
    Travis,
    Bitbucket,
    Azure,
    Buildkite,
    /// None detected: `--base` or `LEAKGATE_BASE` says where to start.
    Generic,
}

impl fmt::Display for Ci {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ci::GitHub => "GitHub Actions",
            Ci::GitLab => "GitLab CI",
            Ci::CircleCi => "CircleCI",
            Ci::Jenkins => "Jenkins",
            Ci::Travis => "Travis CI",
            Ci::Bitbucket => "Bitbucket Pipelines",
            Ci::Azure => "Azure Pipelines",
            Ci::Buildkite => "Buildkite",
            Ci::Generic => "no known CI",
        })
    }
}

impl Ci {
    /// The setting that makes this CI clone the whole history.
    pub fn full_clone_setting(self) -> &'static str {
        match self {
            Ci::GitHub => "`fetch-depth: 0` on the actions/checkout step",
            Ci::GitLab => "`GIT_DEPTH: 0` in the job's (or the project's) variables",
            Ci::CircleCi => {
                "a full `checkout` (not `checkout: method: blobless` or a shallow `git clone --depth`)"
            }
            Ci::Jenkins => "no `shallow: true` / `depth` in the Git SCM step's CloneOption",
            Ci::Travis => "`git: depth: false` in .travis.yml",
            Ci::Bitbucket => "`clone: depth: full` in bitbucket-pipelines.yml",
            Ci::Azure => "`fetchDepth: 0` on the `checkout: self` step",
            Ci::Buildkite => "no `--depth` in BUILDKITE_GIT_CLONE_FLAGS",
            Ci::Generic => "a clone without `--depth` (or `git fetch --unshallow`)",
        }
    }
}

/// What a CI run asks to have scanned, before the repository is consulted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    /// The commits of `head` that are not in `base`. With `merge_base`,
    /// `base` names the target branch (or its tip) and the range starts at
    /// the merge base of the two: a pull request's own commits.
    Range {
        base: String,
        head: String,
        merge_base: bool,
    },
    /// A ref seen for the first time, or rewritten (`before`: the tip it
    /// replaced, if the CI says): the commits of `head` that no other
    /// branch of the remote has.
    NewRef {
        head: String,
        branch: Option<String>,
        before: Option<String>,
    },
    /// Every commit of every ref, or those since a date.
    Everything { since: Option<String> },
    /// The event sends no commits (a deleted branch).
    Nothing,
}

/// Where the policy comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Policy {
    /// As committed at this revision (the target branch, the tip before a push).
    At(String),
    /// The remote's default branch, or HEAD when none can be found.
    DefaultBranch(Option<String>),
}

/// What [`detect`] read from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub ci: Ci,
    /// The trigger, in the CI's words (`pull_request`, `merge request pipeline`).
    pub event: String,
    pub want: Want,
    pub policy: Policy,
    /// Why this range, for `--explain-range`.
    pub why: String,
}

impl Detected {
    /// The commits of `head` after `base` (from their merge base when
    /// `merge_base`), under the policy committed at `base`: the common
    /// shape of a pull request's or a push's range.
    fn range(
        ci: Ci,
        event: String,
        why: String,
        base: String,
        head: String,
        merge_base: bool,
    ) -> Detected {
        Detected {
            ci,
            event,
            why,
            want: Want::Range {
                base: base.clone(),
                head,
                merge_base,
            },
            policy: Policy::At(base),
        }
    }
}

/// Options of `leakgate ci` that bear on the range.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--base` (or `LEAKGATE_BASE`): start from here, whatever the CI says.
    pub base: Option<String>,
    /// `--since`: for a scheduled or manual full scan, only commits since.
    pub since: Option<String>,
}

const ZERO: &str = "0000000000000000000000000000000000000000";

fn is_zero(sha: &str) -> bool {
    !sha.is_empty() && sha.bytes().all(|b| b == b'0')
}

/// Reads the CI's environment (`var` looks a variable up; empty counts as
/// unset). An inconsistent or unknown trigger is an error naming the
/// variable or field.
pub fn detect(var: &dyn Fn(&str) -> Option<String>, opts: &Options) -> Result<Detected> {
    let get = |name: &str| var(name).filter(|v| !v.is_empty());
    let ci = if get("GITHUB_ACTIONS").as_deref() == Some("true") {
        Ci::GitHub
    } else if get("GITLAB_CI").is_some() {
        Ci::GitLab
    } else if get("CIRCLECI").is_some() {
        Ci::CircleCi
    } else if get("TRAVIS").as_deref() == Some("true") {
        Ci::Travis
    } else if get("BITBUCKET_BUILD_NUMBER").is_some() {
        Ci::Bitbucket
    } else if get("TF_BUILD").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        Ci::Azure
    } else if get("BUILDKITE").as_deref() == Some("true") {
        Ci::Buildkite
    } else if get("JENKINS_URL").is_some() {
        Ci::Jenkins
    } else {
        Ci::Generic
    };
    let base = opts.base.clone().or_else(|| get("LEAKGATE_BASE"));
    if let Some(base) = base {
        let head = head_of(ci, &get).unwrap_or_else(|| "HEAD".into());
        return Ok(Detected::range(
            ci,
            "--base".into(),
            format!(
                "the commits of {head} since it left {base} (merge base), as --base / LEAKGATE_BASE asks"
            ),
            base,
            head,
            true,
        ));
    }
    match ci {
        Ci::GitHub => github(&get, opts),
        Ci::GitLab => gitlab(&get),
        Ci::Travis => travis(&get),
        Ci::Jenkins => by_target(
            ci,
            &get,
            get("CHANGE_TARGET"),
            "multibranch pull request (CHANGE_TARGET)",
            get("GIT_PREVIOUS_SUCCESSFUL_COMMIT").or_else(|| get("GIT_PREVIOUS_COMMIT")),
            "GIT_PREVIOUS_SUCCESSFUL_COMMIT",
            get("BRANCH_NAME").or_else(|| get("GIT_BRANCH")),
        ),
        Ci::CircleCi => by_target(ci, &get, None, "", None, "", get("CIRCLE_BRANCH")),
        Ci::Bitbucket => by_target(
            ci,
            &get,
            get("BITBUCKET_PR_DESTINATION_BRANCH"),
            "pull request (BITBUCKET_PR_DESTINATION_BRANCH)",
            None,
            "",
            get("BITBUCKET_BRANCH"),
        ),
        Ci::Azure => by_target(
            ci,
            &get,
            get("SYSTEM_PULLREQUEST_TARGETBRANCH")
                .map(|b| b.trim_start_matches("refs/heads/").to_string()),
            "pull request (SYSTEM_PULLREQUEST_TARGETBRANCH)",
            None,
            "",
            get("BUILD_SOURCEBRANCH").map(|b| b.trim_start_matches("refs/heads/").to_string()),
        ),
        Ci::Buildkite => by_target(
            ci,
            &get,
            get("BUILDKITE_PULL_REQUEST_BASE_BRANCH")
                .filter(|_| get("BUILDKITE_PULL_REQUEST").is_some_and(|p| p != "false")),
            "pull request (BUILDKITE_PULL_REQUEST_BASE_BRANCH)",
            None,
            "",
            get("BUILDKITE_BRANCH"),
        ),
        Ci::Generic => bail!(
            "no CI detected (none of GITHUB_ACTIONS, GITLAB_CI, CIRCLECI, JENKINS_URL, TRAVIS, \
             BITBUCKET_BUILD_NUMBER, TF_BUILD, BUILDKITE is set): say where the new commits start \
             with `leakgate ci --base <target branch or commit>` or LEAKGATE_BASE"
        ),
    }
}

/// The commit a CI built, by its own variable.
fn head_of(ci: Ci, get: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let name = match ci {
        Ci::GitHub => "GITHUB_SHA",
        Ci::GitLab => "CI_COMMIT_SHA",
        Ci::CircleCi => "CIRCLE_SHA1",
        Ci::Jenkins => "GIT_COMMIT",
        Ci::Travis => "TRAVIS_COMMIT",
        Ci::Bitbucket => "BITBUCKET_COMMIT",
        Ci::Azure => "BUILD_SOURCEVERSION",
        Ci::Buildkite => "BUILDKITE_COMMIT",
        Ci::Generic => return None,
    };
    get(name)
}

fn github(get: &dyn Fn(&str) -> Option<String>, opts: &Options) -> Result<Detected> {
    let event = get("GITHUB_EVENT_NAME")
        .ok_or_else(|| anyhow!("GITHUB_ACTIONS is set but GITHUB_EVENT_NAME is not"))?;
    let doc = || -> Result<Value> {
        let path = get("GITHUB_EVENT_PATH")
            .ok_or_else(|| anyhow!("GITHUB_EVENT_PATH is not set: the {event} event's payload is needed to know its commits"))?;
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading the event payload GITHUB_EVENT_PATH={path}"))?;
        serde_json::from_str(&text)
            .with_context(|| format!("GITHUB_EVENT_PATH={path}: not a JSON event payload"))
    };
    let field = |v: &Value, pointer: &str| -> Result<String> {
        v.pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                anyhow!(
                    "GITHUB_EVENT_PATH: the {event} payload has no `{}`",
                    pointer.trim_start_matches('/').replace('/', ".")
                )
            })
    };
    match event.as_str() {
        "pull_request" | "pull_request_target" => {
            let v = doc()?;
            let base = field(&v, "/pull_request/base/sha")?;
            let head = field(&v, "/pull_request/head/sha")?;
            let base_ref = field(&v, "/pull_request/base/ref").unwrap_or_default();
            Ok(Detected::range(
                Ci::GitHub,
                event,
                format!(
                    "the pull request's commits: from where its head {} left the base branch {base_ref} ({}) to the head",
                    short(&head),
                    short(&base)
                ),
                base,
                head,
                true,
            ))
        }
        "merge_group" => {
            let v = doc()?;
            let base = field(&v, "/merge_group/base_sha")?;
            let head = field(&v, "/merge_group/head_sha")?;
            Ok(Detected::range(
                Ci::GitHub,
                event,
                format!(
                    "the merge queue group's commits: {}..{}",
                    short(&base),
                    short(&head)
                ),
                base,
                head,
                false,
            ))
        }
        "push" => {
            let v = doc()?;
            let before = field(&v, "/before")?;
            let after = field(&v, "/after")?;
            let branch = get("GITHUB_REF")
                .or_else(|| field(&v, "/ref").ok())
                .and_then(|r| r.strip_prefix("refs/heads/").map(str::to_string));
            let default = v
                .pointer("/repository/default_branch")
                .and_then(Value::as_str)
                .map(str::to_string);
            let forced = v.pointer("/forced").and_then(Value::as_bool) == Some(true);
            if is_zero(&after) {
                return Ok(Detected {
                    ci: Ci::GitHub,
                    why: "the push deleted a ref: no commits to scan".into(),
                    event,
                    want: Want::Nothing,
                    policy: Policy::DefaultBranch(default),
                });
            }
            if is_zero(&before) {
                return Ok(Detected {
                    ci: Ci::GitHub,
                    why: format!(
                        "a new ref (before is {}): the commits of {} on no other branch of the remote",
                        &ZERO[..7],
                        short(&after)
                    ),
                    event,
                    want: Want::NewRef {
                        head: after,
                        branch,
                        before: None,
                    },
                    policy: Policy::DefaultBranch(default),
                });
            }
            if forced {
                return Ok(Detected {
                    ci: Ci::GitHub,
                    why: format!(
                        "a forced push replacing {}: the commits of {} on no other branch of the remote and not in the replaced tip",
                        short(&before),
                        short(&after)
                    ),
                    event,
                    want: Want::NewRef {
                        head: after,
                        branch,
                        before: Some(before),
                    },
                    // The replaced tip is usually not fetched any more.
                    policy: Policy::DefaultBranch(default),
                });
            }
            Ok(Detected::range(
                Ci::GitHub,
                event,
                format!(
                    "the pushed commits: before..after ({}..{})",
                    short(&before),
                    short(&after)
                ),
                before,
                after,
                false,
            ))
        }
        "workflow_dispatch" | "schedule" => {
            // The owner's policy: the default branch's, whichever
            // branch a manual run was started on.
            let default = doc().ok().and_then(|v| {
                v.pointer("/repository/default_branch")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            });
            Ok(Detected {
                ci: Ci::GitHub,
                why: match &opts.since {
                    Some(s) => format!("a {event} run: every ref's commits since {s} (--since)"),
                    None => format!("a {event} run: the whole history of every ref"),
                },
                event,
                want: Want::Everything {
                    since: opts.since.clone(),
                },
                policy: Policy::DefaultBranch(default),
            })
        }
        other => bail!(
            "GITHUB_EVENT_NAME={other}: leakgate ci knows pull_request, pull_request_target, push, \
             merge_group, workflow_dispatch and schedule; for another trigger pass --base <rev>"
        ),
    }
}

fn gitlab(get: &dyn Fn(&str) -> Option<String>) -> Result<Detected> {
    let head =
        get("CI_COMMIT_SHA").ok_or_else(|| anyhow!("GITLAB_CI is set but CI_COMMIT_SHA is not"))?;
    let branch = get("CI_COMMIT_BRANCH").or_else(|| get("CI_COMMIT_REF_NAME"));
    let default = get("CI_DEFAULT_BRANCH");
    if let Some(base) = get("CI_MERGE_REQUEST_DIFF_BASE_SHA") {
        let target = get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME").unwrap_or_default();
        return Ok(Detected::range(
            Ci::GitLab,
            "merge request pipeline".into(),
            format!(
                "the merge request's commits: CI_MERGE_REQUEST_DIFF_BASE_SHA..CI_COMMIT_SHA ({}..{}), the diff base on {target}",
                short(&base),
                short(&head)
            ),
            base,
            head,
            true,
        ));
    }
    match get("CI_COMMIT_BEFORE_SHA") {
        Some(before) if !is_zero(&before) => Ok(Detected::range(
            Ci::GitLab,
            "branch pipeline".into(),
            format!(
                "the pushed commits: CI_COMMIT_BEFORE_SHA..CI_COMMIT_SHA ({}..{})",
                short(&before),
                short(&head)
            ),
            before,
            head,
            false,
        )),
        _ => Ok(Detected {
            ci: Ci::GitLab,
            event: if get("CI_COMMIT_TAG").is_some() {
                "tag pipeline".into()
            } else {
                "branch pipeline".into()
            },
            why: format!(
                "a new ref or a pipeline run by hand (CI_COMMIT_BEFORE_SHA is all zeros): the commits of {} on no other branch of the remote",
                short(&head)
            ),
            want: Want::NewRef {
                head,
                branch,
                before: None,
            },
            policy: Policy::DefaultBranch(default),
        }),
    }
}

fn travis(get: &dyn Fn(&str) -> Option<String>) -> Result<Detected> {
    let head = get("TRAVIS_COMMIT").unwrap_or_else(|| "HEAD".into());
    let pr = get("TRAVIS_PULL_REQUEST").filter(|p| p != "false");
    if let Some(range) = get("TRAVIS_COMMIT_RANGE") {
        let (base, rest) = range
            .split_once("...")
            .or_else(|| range.split_once(".."))
            .ok_or_else(|| anyhow!("TRAVIS_COMMIT_RANGE={range}: expected `<first>...<last>`"))?;
        let rest = rest.trim_start_matches('.');
        return Ok(Detected::range(
            Ci::Travis,
            if pr.is_some() { "pull request" } else { "push" }.into(),
            format!(
                "TRAVIS_COMMIT_RANGE ({range}): from the merge base of its ends to its last commit"
            ),
            base.to_string(),
            rest.to_string(),
            true,
        ));
    }
    Ok(Detected {
        ci: Ci::Travis,
        event: "push".into(),
        why: format!(
            "no TRAVIS_COMMIT_RANGE (a new branch): the commits of {} on no other branch of the remote",
            short(&head)
        ),
        want: Want::NewRef {
            head,
            branch: get("TRAVIS_BRANCH"),
            before: None,
        },
        policy: Policy::DefaultBranch(None),
    })
}

/// CIs that name a pull request's target branch but give no "before" for a
/// branch build (Jenkins may give its last built commit).
fn by_target(
    ci: Ci,
    get: &dyn Fn(&str) -> Option<String>,
    target: Option<String>,
    target_what: &str,
    previous: Option<String>,
    previous_var: &str,
    branch: Option<String>,
) -> Result<Detected> {
    let head = head_of(ci, get).unwrap_or_else(|| "HEAD".into());
    if let Some(target) = target {
        let base = format!("origin/{target}");
        return Ok(Detected::range(
            ci,
            "pull request".into(),
            format!(
                "a {target_what}: the commits of {} since it left {base} (merge base)",
                short(&head)
            ),
            base,
            head,
            true,
        ));
    }
    if let Some(prev) = previous.filter(|p| !is_zero(p)) {
        return Ok(Detected::range(
            ci,
            "branch build".into(),
            format!(
                "the commits since the last built one: {previous_var}..HEAD ({}..{})",
                short(&prev),
                short(&head)
            ),
            prev,
            head,
            false,
        ));
    }
    Ok(Detected {
        ci,
        event: "branch build".into(),
        why: format!(
            "{ci} gives no previous commit for a branch build: the commits of {} on no other branch of the remote \
             (pass --base <last scanned commit> to narrow it)",
            short(&head)
        ),
        want: Want::NewRef {
            head,
            branch: branch.map(|b| b.trim_start_matches("origin/").to_string()),
            before: None,
        },
        policy: Policy::DefaultBranch(None),
    })
}

fn short(sha: &str) -> &str {
    if sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        &sha[..10]
    } else {
        sha
    }
}

/// A want resolved against the repository.
#[derive(Debug)]
pub struct Plan {
    /// `git log` revision arguments; empty: nothing to scan.
    pub revs: Vec<String>,
    /// What the report calls the scan ("the pull request's commits (a..b)").
    pub what: String,
    /// The commit whose committed policy files apply (none: the built-in
    /// rules and an empty allowlist).
    pub policy: Option<Oid>,
    pub policy_why: String,
    /// How many commits the range holds (for `--explain-range`).
    pub commits: usize,
    /// Where the change starts (the merge base, `before`), when a range has one.
    pub base: Option<Oid>,
}

/// Turns `d` into revisions of `repo`. A commit the range needs that is
/// missing (a shallow clone, a `before` the clone never fetched) is an error
/// naming the CI's setting.
pub fn resolve(repo: &Repository, d: &Detected) -> Result<Plan> {
    let shallow = shallow_boundary(repo);
    let missing = |what: &str, rev: &str| -> anyhow::Error {
        if repo.is_shallow() {
            anyhow!(
                "{what} {rev} is not in this clone: it is shallow, so the commits to scan are not all here. \
                 Clone the whole history: {}",
                d.ci.full_clone_setting()
            )
        } else {
            // pull_request_target checks out the base branch: the pull
            // request's own commits are not fetched unless asked for.
            let hint = if d.ci == Ci::GitHub && d.event == "pull_request_target" {
                " For pull_request_target, check out the pull request's head: actions/checkout with \
                 `ref: ${{ github.event.pull_request.head.sha }}` and `fetch-depth: 0`."
            } else {
                ""
            };
            anyhow!(
                "{what} {rev} is not a commit of this repository (was it fetched? for a branch, is \
                 origin/<branch> there?){hint}"
            )
        }
    };
    let commit = |what: &str, rev: &str| -> Result<Oid> {
        repo.revparse_single(rev)
            .and_then(|o| o.peel_to_commit())
            .map(|c| c.id())
            .map_err(|_| missing(what, rev))
    };
    let mut start = None;
    let (revs, what) = match &d.want {
        Want::Nothing => (Vec::new(), d.why.clone()),
        Want::Range {
            base,
            head,
            merge_base,
        } => {
            let head_id = commit("the head commit", head)?;
            let base_id = commit("the base", base)?;
            let from = if *merge_base {
                repo.merge_base(base_id, head_id).map_err(|_| {
                    missing("a common ancestor of the base and the head, below", base)
                })?
            } else {
                base_id
            };
            start = Some(from);
            let what = format!(
                "{}..{}",
                &from.to_string()[..10],
                &head_id.to_string()[..10]
            );
            (vec![format!("{from}..{head_id}")], what)
        }
        Want::NewRef {
            head,
            branch,
            before,
        } => {
            let head_id = commit("the head commit", head)?;
            let mut revs = vec![head_id.to_string()];
            let others = other_branches(repo, branch.as_deref())?;
            if !others.is_empty() || before.is_some() {
                revs.push("--not".into());
            }
            revs.extend(others.iter().cloned());
            if let Some(b) = before {
                // A force-pushed-away tip is usually not fetched: without
                // it, the other branches still bound the range.
                if let Ok(id) = commit("the replaced tip", b) {
                    revs.push(id.to_string());
                }
            }
            let what = if others.is_empty() {
                format!(
                    "all of {} (no other branch to compare with)",
                    &head_id.to_string()[..10]
                )
            } else {
                format!(
                    "{} not on {}",
                    &head_id.to_string()[..10],
                    others
                        .iter()
                        .map(|r| r.trim_start_matches("refs/remotes/"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            (revs, what)
        }
        Want::Everything { since } => {
            let mut revs = vec!["--all".to_string()];
            if let Some(s) = since {
                revs.push(format!("--since={s}"));
            }
            let what = match since {
                Some(s) => format!("every ref since {s}"),
                None => "all refs".into(),
            };
            (revs, what)
        }
    };
    let commits = if revs.is_empty() {
        Vec::new()
    } else {
        rev_list(repo, &revs)?
    };
    if let Some(cut) = commits.iter().find(|c| shallow.contains(*c)) {
        bail!(
            "this clone is shallow and its history is cut at {} inside the range to scan ({what}): \
             the scan would be partial. Clone the whole history: {}",
            &cut.to_string()[..10],
            d.ci.full_clone_setting()
        );
    }
    let (policy, policy_why) = match &d.policy {
        Policy::At(rev) => {
            let id = commit("the policy's commit", rev)?;
            (
                Some(id),
                format!(
                    ".leakgate.toml and .leakgate-allow.toml as committed at {} (the target, not the change)",
                    &id.to_string()[..10]
                ),
            )
        }
        Policy::DefaultBranch(name) => match default_branch(repo, name.as_deref()) {
            Some((name, id)) => (
                Some(id),
                format!(".leakgate.toml and .leakgate-allow.toml as committed on the default branch {name}"),
            ),
            None => (
                None,
                "no default branch found (no origin/HEAD): the built-in rules and no allowlist".into(),
            ),
        },
    };
    Ok(Plan {
        what,
        revs,
        policy,
        policy_why,
        commits: commits.len(),
        base: start,
    })
}

/// Remote-tracking branches other than `branch` (and the remotes' HEADs).
fn other_branches(repo: &Repository, branch: Option<&str>) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for r in repo.references_glob("refs/remotes/*")? {
        let r = r?;
        let Ok(name) = r.name() else { continue };
        let rest = name.trim_start_matches("refs/remotes/");
        let short_name = rest.split_once('/').map_or(rest, |(_, b)| b);
        if short_name == "HEAD" || Some(short_name) == branch {
            continue;
        }
        if r.peel_to_commit().is_ok() {
            out.push(name.to_string());
        }
    }
    out.sort();
    Ok(out)
}

/// The remote's default branch: `name` if given, else what origin/HEAD
/// points at; its tip.
fn default_branch(repo: &Repository, name: Option<&str>) -> Option<(String, Oid)> {
    let name = match name {
        Some(n) => format!("origin/{n}"),
        None => {
            let head = repo.find_reference("refs/remotes/origin/HEAD").ok()?;
            head.symbolic_target()
                .ok()??
                .trim_start_matches("refs/remotes/")
                .to_string()
        }
    };
    let id = repo
        .revparse_single(&name)
        .ok()?
        .peel_to_commit()
        .ok()?
        .id();
    Some((name, id))
}

/// The commits a `git log` of `revs` visits.
fn rev_list(repo: &Repository, revs: &[String]) -> Result<Vec<Oid>> {
    let out = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(repo.path())
        .arg("rev-list")
        .args(revs)
        .arg("--")
        .output()
        .context("running `git rev-list` (is git installed and on PATH?)")?;
    if !out.status.success() {
        bail!(
            "git rev-list {}: {}",
            revs.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| Oid::from_str(l.trim()).map_err(Into::into))
        .collect()
}

/// The commits whose parents a shallow clone cut off (`.git/shallow`).
fn shallow_boundary(repo: &Repository) -> HashSet<Oid> {
    let file = repo.path().join("shallow");
    read_oids(&file)
}

fn read_oids(file: &Path) -> HashSet<Oid> {
    std::fs::read_to_string(file)
        .map(|t| {
            t.lines()
                .filter_map(|l| Oid::from_str(l.trim()).ok())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with(vars: &[(&str, &str)], opts: &Options) -> Result<Detected> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        detect(&|k| map.get(k).cloned(), opts)
    }

    fn event(json: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), json).unwrap();
        f
    }

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";

    #[test]
    fn github_pull_requests_start_at_the_merge_base_and_take_policy_from_the_base() {
        let f = event(&format!(
            r#"{{"pull_request": {{"base": {{"sha": "{A}", "ref": "main"}}, "head": {{"sha": "{B}"}}}}}}"#
        ));
        for name in ["pull_request", "pull_request_target"] {
            let d = with(
                &[
                    ("GITHUB_ACTIONS", "true"),
                    ("GITHUB_EVENT_NAME", name),
                    ("GITHUB_EVENT_PATH", f.path().to_str().unwrap()),
                    ("GITHUB_SHA", "3333333333333333333333333333333333333333"),
                ],
                &Options::default(),
            )
            .unwrap();
            assert_eq!(d.ci, Ci::GitHub);
            assert_eq!(
                d.want,
                Want::Range {
                    base: A.into(),
                    head: B.into(),
                    merge_base: true
                }
            );
            assert_eq!(d.policy, Policy::At(A.into()));
        }
    }

    #[test]
    fn github_pushes_new_forced_and_deleted() {
        let push = |before: &str, after: &str, forced: bool| {
            event(&format!(
                r#"{{"before": "{before}", "after": "{after}", "forced": {forced}, "ref": "refs/heads/feat", "repository": {{"default_branch": "main"}}}}"#
            ))
        };
        let run = |f: &tempfile::NamedTempFile| {
            with(
                &[
                    ("GITHUB_ACTIONS", "true"),
                    ("GITHUB_EVENT_NAME", "push"),
                    ("GITHUB_EVENT_PATH", f.path().to_str().unwrap()),
                    ("GITHUB_REF", "refs/heads/feat"),
                ],
                &Options::default(),
            )
            .unwrap()
        };
        let d = run(&push(A, B, false));
        assert_eq!(
            d.want,
            Want::Range {
                base: A.into(),
                head: B.into(),
                merge_base: false
            }
        );
        let d = run(&push(ZERO, B, false));
        assert_eq!(
            d.want,
            Want::NewRef {
                head: B.into(),
                branch: Some("feat".into()),
                before: None
            }
        );
        assert_eq!(d.policy, Policy::DefaultBranch(Some("main".into())));
        let d = run(&push(A, B, true));
        assert_eq!(
            d.want,
            Want::NewRef {
                head: B.into(),
                branch: Some("feat".into()),
                before: Some(A.into())
            }
        );
        assert_eq!(run(&push(A, ZERO, false)).want, Want::Nothing);
    }

    #[test]
    fn bad_github_environments_are_errors_naming_what_is_wrong() {
        let opts = Options::default();
        let e = with(
            &[("GITHUB_ACTIONS", "true"), ("GITHUB_EVENT_NAME", "push")],
            &opts,
        )
        .unwrap_err();
        assert!(e.to_string().contains("GITHUB_EVENT_PATH"), "{e}");
        let e = with(
            &[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_EVENT_NAME", "push"),
                ("GITHUB_EVENT_PATH", "/nonexistent/event.json"),
            ],
            &opts,
        )
        .unwrap_err();
        assert!(
            format!("{e:#}").contains("/nonexistent/event.json"),
            "{e:#}"
        );
        let f = event(r#"{"after": "x"}"#);
        let e = with(
            &[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_EVENT_NAME", "push"),
                ("GITHUB_EVENT_PATH", f.path().to_str().unwrap()),
            ],
            &opts,
        )
        .unwrap_err();
        assert!(e.to_string().contains("`before`"), "{e}");
        let e = with(
            &[("GITHUB_ACTIONS", "true"), ("GITHUB_EVENT_NAME", "release")],
            &opts,
        )
        .unwrap_err();
        assert!(e.to_string().contains("GITHUB_EVENT_NAME=release"), "{e}");
    }

    #[test]
    fn scheduled_runs_scan_everything_or_since() {
        let opts = Options {
            base: None,
            since: Some("2026-01-01".into()),
        };
        let d = with(
            &[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_EVENT_NAME", "schedule"),
            ],
            &opts,
        )
        .unwrap();
        assert_eq!(
            d.want,
            Want::Everything {
                since: Some("2026-01-01".into())
            }
        );
    }

    #[test]
    fn each_ci_is_told_apart_and_reads_its_own_variables() {
        let o = Options::default();
        let d = with(
            &[
                ("GITLAB_CI", "true"),
                ("CI_COMMIT_SHA", B),
                ("CI_MERGE_REQUEST_DIFF_BASE_SHA", A),
            ],
            &o,
        )
        .unwrap();
        assert_eq!((d.ci, d.policy), (Ci::GitLab, Policy::At(A.into())));
        let d = with(
            &[
                ("GITLAB_CI", "true"),
                ("CI_COMMIT_SHA", B),
                ("CI_COMMIT_BEFORE_SHA", ZERO),
                ("CI_COMMIT_BRANCH", "feat"),
            ],
            &o,
        )
        .unwrap();
        assert!(matches!(d.want, Want::NewRef { .. }), "{d:?}");
        let d = with(
            &[
                ("TRAVIS", "true"),
                ("TRAVIS_COMMIT", B),
                ("TRAVIS_COMMIT_RANGE", &format!("{A}...{B}")),
            ],
            &o,
        )
        .unwrap();
        assert_eq!(
            d.want,
            Want::Range {
                base: A.into(),
                head: B.into(),
                merge_base: true
            }
        );
        let d = with(
            &[
                ("JENKINS_URL", "https://ci.example/"),
                ("GIT_COMMIT", B),
                ("CHANGE_TARGET", "main"),
            ],
            &o,
        )
        .unwrap();
        assert_eq!(d.policy, Policy::At("origin/main".into()));
        let d = with(
            &[
                ("JENKINS_URL", "https://ci.example/"),
                ("GIT_COMMIT", B),
                ("GIT_PREVIOUS_SUCCESSFUL_COMMIT", A),
            ],
            &o,
        )
        .unwrap();
        assert_eq!(
            d.want,
            Want::Range {
                base: A.into(),
                head: B.into(),
                merge_base: false
            }
        );
        for (vars, ci) in [
            (vec![("CIRCLECI", "true"), ("CIRCLE_SHA1", B)], Ci::CircleCi),
            (
                vec![
                    ("BITBUCKET_BUILD_NUMBER", "7"),
                    ("BITBUCKET_COMMIT", B),
                    ("BITBUCKET_PR_DESTINATION_BRANCH", "main"),
                ],
                Ci::Bitbucket,
            ),
            (
                vec![
                    ("TF_BUILD", "True"),
                    ("BUILD_SOURCEVERSION", B),
                    ("SYSTEM_PULLREQUEST_TARGETBRANCH", "refs/heads/main"),
                ],
                Ci::Azure,
            ),
            (
                vec![
                    ("BUILDKITE", "true"),
                    ("BUILDKITE_COMMIT", B),
                    ("BUILDKITE_PULL_REQUEST", "12"),
                    ("BUILDKITE_PULL_REQUEST_BASE_BRANCH", "main"),
                ],
                Ci::Buildkite,
            ),
        ] {
            let d = with(&vars, &o).unwrap();
            assert_eq!(d.ci, ci);
            if ci != Ci::CircleCi {
                assert_eq!(
                    d.want,
                    Want::Range {
                        base: "origin/main".into(),
                        head: B.into(),
                        merge_base: true
                    },
                    "{ci}"
                );
            }
        }
    }

    #[test]
    fn a_base_wins_and_no_ci_without_one_is_an_error() {
        let d = with(&[("LEAKGATE_BASE", "origin/main")], &Options::default()).unwrap();
        assert_eq!(d.ci, Ci::Generic);
        assert_eq!(d.policy, Policy::At("origin/main".into()));
        let e = with(&[], &Options::default()).unwrap_err();
        assert!(e.to_string().contains("--base"), "{e}");
    }
}

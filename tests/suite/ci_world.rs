//! The world `leakgate ci` runs in, shared by the `ci` tests and the
//! recipe tests (`ci_recipes`): a real bare remote, a developer's pushes to
//! it, and a CI's full clone.

use std::path::{Path, PathBuf};

use crate::common::*;

/// A remote whose `main` already holds an old key, and a `feature` branch
/// of two commits: a clean one, then one adding a new key together with an
/// allowlist entry for it (a pull request trying to let itself in). `ci` is
/// a full clone of the remote with `feature` checked out, as a CI has it.
pub struct World {
    pub sb: Sandbox,
    pub ci: PathBuf,
    pub main: String,
    /// The first commit of `feature`: a clean change (a README).
    pub clean: String,
    pub feature: String,
    pub old_key: String,
    pub new_key: String,
}

pub fn world() -> World {
    let sb = Sandbox::new();
    let origin = sb.bare("origin.git");
    let dev = sb.bare_init("dev");
    let old_key = key(501);
    write(&dev, "legacy.env", &env_line(&old_key));
    sb.git(&dev, &["add", "."]).expect_ok("add");
    sb.commit(&dev, "legacy key").expect_ok("commit");
    sb.git(&dev, &["remote", "add", "origin", origin.to_str().unwrap()])
        .expect_ok("remote");
    sb.git(&dev, &["push", "-q", "origin", "main"])
        .expect_ok("push main");
    let main = sb.head(&dev);

    sb.git(&dev, &["checkout", "-q", "-b", "feature"])
        .expect_ok("branch");
    write(&dev, "README.md", "# app\n");
    sb.git(&dev, &["add", "."]).expect_ok("add");
    sb.commit(&dev, "docs").expect_ok("commit");
    let clean = sb.head(&dev);
    let new_key = key(502);
    write(&dev, "config/sms.env", &env_line(&new_key));
    sb.leakgate(&dev, &["allow", "config/sms.env:1", "--reason", "trust me"])
        .expect_ok("allow by place");
    sb.git(&dev, &["add", "."]).expect_ok("add");
    sb.commit(&dev, "sms key, allowed by the change itself")
        .expect_ok("commit");
    sb.git(&dev, &["push", "-q", "origin", "feature"])
        .expect_ok("push feature");
    let feature = sb.head(&dev);

    let ci = sb.path("ci");
    sb.git(
        sb.dir.path(),
        &[
            "clone",
            "-q",
            origin.to_str().unwrap(),
            ci.to_str().unwrap(),
        ],
    )
    .expect_ok("clone");
    sb.git(&ci, &["checkout", "-q", "feature"])
        .expect_ok("checkout");
    World {
        sb,
        ci,
        main,
        clean,
        feature,
        old_key,
        new_key,
    }
}

impl World {
    /// `leakgate ci ARGS` in the clone with exactly `env` (plus the
    /// sandbox's PATH and HOME).
    pub fn run(&self, env: &[(&str, &str)], args: &[&str]) -> Run {
        self.run_in(&self.ci, env, args)
    }

    pub fn run_in(&self, dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
        let mut cmd = self.sb.command(BIN, dir);
        cmd.arg("ci").args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        self.sb.output(&mut cmd)
    }

    pub fn event(&self, name: &str, json: &str) -> String {
        let p = self.sb.path(name);
        std::fs::write(&p, json).unwrap();
        p.to_str().unwrap().to_string()
    }

    pub fn pull_request(&self) -> String {
        self.event(
            "pr.json",
            &format!(
                r#"{{"action": "synchronize", "number": 7,
                    "pull_request": {{"base": {{"ref": "main", "sha": "{}"}},
                                      "head": {{"ref": "feature", "sha": "{}"}}}}}}"#,
                self.main, self.feature
            ),
        )
    }

    /// The new key is found, at its file; the old one on `main` is not
    /// this change's; the change's own allowlist entry did not apply.
    pub fn assert_new_key_only(&self, run: &Run) {
        assert_eq!(run.code, Some(1), "{}", run.all());
        assert!(run.stdout.contains("config/sms.env:1"), "{}", run.stdout);
        assert!(!run.stdout.contains("legacy.env"), "{}", run.stdout);
        run.assert_hides(&self.new_key);
        run.assert_hides(&self.old_key);
    }
}

pub fn github<'a>(event: &'a str, path: &'a str, sha: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", event),
        ("GITHUB_EVENT_PATH", path),
        ("GITHUB_SHA", sha),
    ]
}

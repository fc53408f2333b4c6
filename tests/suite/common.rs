//! A sandbox for driving the real `git` through installed hooks.
//!
//! Every command runs with a cleared environment (its own HOME, no system git
//! config, a fixed identity), so the developer's own git setup cannot change a
//! result. Keys are generated at run time: no test source holds a literal that
//! looks like a live key.
//!
//! The output audit: every secret a test generates goes through [`secret`]
//! (or [`key`]), and every run through this module, leakgate's or git's (whose
//! hooks are leakgate), has its stdout and stderr searched for all of them,
//! as has every `.leakgate*` file in the sandbox that leakgate may have
//! written. A whole secret anywhere fails the test, whatever it asserted.
//!
//! A refusal is asserted by its exact exit code and message
//! ([`Run::expect_blocked`], [`Run::expect_found`], [`Run::expect_code`]),
//! never by "did not succeed": a crash (a panic exits 101) must not pass for
//! a block.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_leakgate");

pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `PATH` every sandboxed command gets: the test process's own, so the
/// same `git`, `python3` and `sh` the developer or CI has, less any folder
/// holding a `leakgate` executable, so an installed leakgate can never stand
/// in for the binary under test (the hooks and install.sh fall back to PATH).
pub fn sandbox_path() -> &'static OsString {
    static PATH: OnceLock<OsString> = OnceLock::new();
    PATH.get_or_init(|| {
        let own = std::env::var_os("PATH").expect("the test process has a PATH");
        let dirs: Vec<PathBuf> = std::env::split_paths(&own)
            .filter(|d| !d.join("leakgate").is_file())
            .collect();
        let path = std::env::join_paths(dirs).unwrap();
        let git = std::env::split_paths(&path).any(|d| d.join("git").is_file());
        assert!(git, "no git on PATH: {}", path.to_string_lossy());
        path
    })
}

/// Where `tool` is on the sandbox's PATH; a missing tool fails the test
/// with what to install, never skips it.
pub fn which(tool: &str) -> PathBuf {
    std::env::split_paths(sandbox_path())
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "`{tool}` is not on PATH; this test needs it ({})",
                needs(tool)
            )
        })
}

fn needs(tool: &str) -> &'static str {
    match tool {
        "script" => "util-linux's `script`, for a real terminal",
        "python3" => "python3, which generates the detection corpus",
        _ => "see .ci/run for what CI installs",
    }
}

/// An external tool that `.ci/run` installs and names in the environment
/// variable `var` (husky, lefthook, the SARIF Multitool). Without it a test
/// fails in CI (`CI=true`), and elsewhere is skipped with a notice saying
/// so: `None`.
pub fn ci_tool(var: &str, what: &str) -> Option<PathBuf> {
    let Some(path) = std::env::var_os(var).filter(|v| !v.is_empty()) else {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(
            !ci,
            "{var} is not set: this test needs {what}, which .ci/run installs and names in {var}"
        );
        eprintln!("SKIPPED: {var} is not set, so the test of {what} did not run (.ci/run installs it and sets {var})");
        return None;
    };
    let path = PathBuf::from(path);
    assert!(
        path.is_file(),
        "{var} names {}, which is not a file ({what})",
        path.display()
    );
    Some(path)
}

/// The interpreter that has the pre-commit framework. CI installs it
/// (`.ci/run`); anywhere, its absence fails the test rather than skipping it.
pub fn framework_python() -> String {
    let python3 = which("python3");
    let out = Command::new(&python3)
        .args(["-c", "import sys, pre_commit; print(sys.executable)"])
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", python3.display()));
    assert!(
        out.status.success(),
        "this test needs the pre-commit framework for {} (pip install pre-commit): {}",
        python3.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// `PATH` with `dir` in front: for tests that put a binary of their own on it.
pub fn path_with(dir: &Path) -> OsString {
    let mut dirs = vec![dir.to_path_buf()];
    dirs.extend(std::env::split_paths(sandbox_path()));
    std::env::join_paths(dirs).unwrap()
}

thread_local! {
    /// The secrets this test (thread) generated.
    static GENERATED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Registers a secret the test built, for the output audit, and returns it.
pub fn secret(s: String) -> String {
    GENERATED.with(|g| g.borrow_mut().push(s.clone()));
    s
}

/// A fresh MessageBird-shaped live key.
pub fn key(seed: u64) -> String {
    secret(leakgate::rules::testgen::token("alnum", 25, 9000 + seed))
}

/// The line most tests commit: a MessageBird key assigned to its own name.
pub fn env_line(k: &str) -> String {
    format!("MESSAGEBIRD_ACCESS_KEY={k}\n")
}

/// Fails the test if `text` holds any generated secret whole. The message
/// shows where, with the secret itself replaced.
pub fn audit(what: &str, text: &str) {
    GENERATED.with(|g| {
        for s in g.borrow().iter() {
            if text.contains(s.as_str()) {
                panic!(
                    "output audit: {what} shows a whole generated secret ({} chars) at <SECRET>:\n{}",
                    s.len(),
                    text.replace(s.as_str(), "<SECRET>")
                );
            }
        }
    });
}

/// Audits every `.leakgate*` file under `dir` (outside `.git` folders): the
/// allowlist, its lock and temporary files, anything leakgate writes.
pub fn audit_written(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let p = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if p.is_dir() {
            if name != ".git" && !name.ends_with(".git") {
                audit_written(&p);
            }
        } else if name.starts_with(".leakgate") {
            let text = String::from_utf8_lossy(&fs::read(&p).unwrap_or_default()).into_owned();
            audit(&format!("file {}", p.display()), &text);
        }
    }
}

pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The outcome of a command, audited.
    pub fn from(o: Output) -> Run {
        let run = Run::unaudited(o);
        audit("stdout", &run.stdout);
        audit("stderr", &run.stderr);
        run
    }

    /// For the few commands whose output legitimately holds the secret
    /// (`git show` of the file a test wrote).
    pub fn unaudited(o: Output) -> Run {
        Run {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }

    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// The run succeeded; panics with its output otherwise.
    pub fn expect_ok(self, what: &str) -> Run {
        assert!(
            self.ok(),
            "{what} failed ({:?}):\n{}",
            self.code,
            self.all()
        );
        self
    }

    /// The run exited with exactly `code`; panics with its output otherwise.
    pub fn expect_code(self, code: i32, what: &str) -> Run {
        assert_eq!(
            self.code,
            Some(code),
            "{what}: expected exit {code}, got {:?}:\n{}",
            self.code,
            self.all()
        );
        self
    }

    /// leakgate itself ran and found a blocking secret: exit 1, not an error
    /// (2) or a crash (101).
    pub fn expect_found(self, what: &str) -> Run {
        self.expect_code(1, what)
    }

    /// git refused because a leakgate hook found a secret: git exits 1 and
    /// stderr carries leakgate's report headline (`leakgate: commit blocked:
    /// 1 secret in the staged changes`, `... push to origin blocked ...`,
    /// `remote: leakgate: push refused by the server ...`), not the hook's
    /// "could not check it" (a config error or a crash) or "not found".
    pub fn expect_blocked(self, what: &str) -> Run {
        let run = self.expect_code(1, what);
        // Through the pre-commit framework the report is on stdout.
        let all = run.all();
        let headline = all.lines().any(|l| {
            let l = l.strip_prefix("remote: ").unwrap_or(l);
            l.starts_with("leakgate: ")
                && [
                    " in the staged changes",
                    " in the commits being pushed",
                    " in the commits pushed to ",
                ]
                .iter()
                .any(|w| l.contains(w))
        });
        assert!(
            headline && !all.contains("could not check it"),
            "{what}: not blocked by a finding:\n{}",
            run.all()
        );
        run
    }

    /// git refused because a leakgate hook could not check (leakgate exited
    /// with `code`, e.g. 2 for a bad configuration); a crash would say 101.
    pub fn expect_unchecked(self, code: i32, what: &str) -> Run {
        let run = self.expect_code(1, what);
        assert!(
            run.stderr.contains("could not check it")
                && run.stderr.contains(&format!("(exit {code};")),
            "{what}: expected the hook to report leakgate's exit {code}:\n{}",
            run.all()
        );
        run
    }

    /// No whole secret in anything the run printed.
    pub fn assert_hides(&self, secret: &str) {
        assert!(
            !self.all().contains(secret),
            "output shows the whole secret:\n{}",
            self.all()
        );
    }
}

pub struct Sandbox {
    pub dir: TempDir,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::Builder::new()
            .prefix("leakgate test ")
            .tempdir()
            .unwrap();
        fs::create_dir_all(dir.path().join("home")).unwrap();
        Sandbox { dir }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn command(&self, program: &str, cwd: &Path) -> Command {
        let mut c = Command::new(program);
        c.current_dir(cwd)
            .env_clear()
            .env("PATH", sandbox_path())
            .env("HOME", self.path("home"))
            .env("LANG", "C")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.invalid")
            .stdin(Stdio::null());
        c
    }

    pub fn run(&self, cwd: &Path, program: &str, args: &[&str]) -> Run {
        self.output(self.command(program, cwd).args(args))
    }

    /// Runs a prepared command with `input` on its stdin, audited. The input
    /// is written from a thread (a report can outgrow a pipe buffer), and a
    /// command that exits before reading it all has simply answered.
    pub fn output_with_stdin(&self, cmd: &mut Command, input: &[u8]) -> Run {
        use std::io::Write as _;
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let input = input.to_vec();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap();
        let run = Run::from(out);
        audit_written(self.dir.path());
        run
    }

    /// Runs a prepared command; its output and what it wrote are audited.
    pub fn output(&self, cmd: &mut Command) -> Run {
        let run = Run::from(cmd.output().unwrap());
        audit_written(self.dir.path());
        run
    }

    pub fn git(&self, cwd: &Path, args: &[&str]) -> Run {
        self.run(cwd, "git", args)
    }

    pub fn leakgate(&self, cwd: &Path, args: &[&str]) -> Run {
        self.run(cwd, BIN, args)
    }

    /// leakgate with `input` on its stdin.
    pub fn leakgate_stdin(&self, cwd: &Path, args: &[&str], input: impl AsRef<[u8]>) -> Run {
        self.output_with_stdin(self.command(BIN, cwd).args(args), input.as_ref())
    }

    /// `git init` a repository at `rel` with one clean commit, hooks not yet
    /// installed.
    pub fn bare_init(&self, rel: &str) -> PathBuf {
        let p = self.path(rel);
        fs::create_dir_all(&p).unwrap();
        self.git(&p, &["init", "-q", "-b", "main"])
            .expect_ok("git init");
        self.git(&p, &["config", "commit.gpgsign", "false"])
            .expect_ok("config");
        p
    }

    /// A repository with hooks installed and a first, clean commit.
    pub fn repo(&self, rel: &str) -> PathBuf {
        let p = self.bare_init(rel);
        self.install(&p).expect_ok("install.sh");
        write(&p, "README.md", "# demo\n");
        self.git(&p, &["add", "README.md"]).expect_ok("add");
        self.git(&p, &["commit", "-q", "-m", "init"])
            .expect_ok("first commit");
        p
    }

    pub fn install(&self, repo: &Path) -> Run {
        let script = project_root().join("install.sh");
        self.run(repo, "sh", &[script.to_str().unwrap(), "--bin", BIN, "."])
    }

    pub fn uninstall(&self, repo: &Path) -> Run {
        let script = project_root().join("install.sh");
        // install.sh hands over to `leakgate uninstall`, so it needs a binary
        // too (without --bin it would find or build one).
        self.run(
            repo,
            "sh",
            &[script.to_str().unwrap(), "--uninstall", "--bin", BIN, "."],
        )
    }

    /// An empty bare repository at `rel`.
    pub fn bare(&self, rel: &str) -> PathBuf {
        let p = self.path(rel);
        self.git(
            self.dir.path(),
            &["init", "-q", "--bare", "-b", "main", p.to_str().unwrap()],
        )
        .expect_ok("init bare");
        p
    }

    /// A bare repository at `rel` with leakgate's pre-receive hook installed
    /// (and only that hook).
    pub fn server(&self, rel: &str) -> PathBuf {
        let p = self.bare(rel);
        let run = self.install(&p).expect_ok("install on a bare repository");
        assert!(
            run.stdout.contains("pre-receive: installed"),
            "{}",
            run.stdout
        );
        assert!(p.join("hooks/pre-receive").exists());
        assert!(!p.join("hooks/pre-commit").exists());
        p
    }

    /// A bare server with the pre-receive hook, and a client without hooks whose
    /// `main` (one clean commit) is already on the server.
    pub fn server_and_client(&self) -> (PathBuf, PathBuf) {
        let server = self.server("server.git");
        let client = self.bare_init("client");
        write(&client, "README.md", "# app\n");
        self.git(&client, &["add", "."]).expect_ok("add");
        self.commit(&client, "init").expect_ok("commit");
        self.git(
            &client,
            &["remote", "add", "origin", server.to_str().unwrap()],
        )
        .expect_ok("remote");
        self.git(&client, &["push", "-q", "origin", "main"])
            .expect_ok("clean push");
        (server, client)
    }

    /// A bare remote named `origin` for `repo`.
    pub fn remote(&self, repo: &Path, rel: &str) -> PathBuf {
        self.remote_named(repo, "origin", rel)
    }

    /// A bare remote called `name` for `repo`, at `rel`.
    pub fn remote_named(&self, repo: &Path, name: &str, rel: &str) -> PathBuf {
        let p = self.bare(rel);
        self.git(repo, &["remote", "add", name, p.to_str().unwrap()])
            .expect_ok("remote add");
        p
    }

    pub fn commit(&self, repo: &Path, msg: &str) -> Run {
        self.git(repo, &["commit", "-q", "-m", msg])
    }

    /// Commit past the hook, as someone without leakgate would.
    pub fn commit_unchecked(&self, repo: &Path, msg: &str) {
        self.git(repo, &["commit", "-q", "--no-verify", "-m", msg])
            .expect_ok("commit --no-verify");
    }

    /// A snapshot taken after `git write-tree`. `git commit` itself writes the
    /// index's cache-tree before it runs the pre-commit hook; priming it first
    /// means any remaining difference is the hook's doing.
    pub fn settled_snapshot(&self, repo: &Path) -> Snapshot {
        self.git(repo, &["write-tree"]).expect_ok("git write-tree");
        snapshot(repo)
    }

    pub fn head(&self, repo: &Path) -> String {
        self.git(repo, &["rev-parse", "HEAD"])
            .stdout
            .trim()
            .to_string()
    }
}

pub fn write(repo: &Path, rel: &str, content: &str) {
    let p = repo.join(rel);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(p, content).unwrap();
}

pub fn write_bytes(repo: &Path, rel: &str, content: &[u8]) {
    let p = repo.join(rel);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(p, content).unwrap();
}

/// The index file and every working-tree file, byte for byte.
#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub index: Vec<u8>,
    pub files: BTreeMap<PathBuf, Vec<u8>>,
}

pub fn snapshot(repo: &Path) -> Snapshot {
    let mut files = BTreeMap::new();
    collect(repo, repo, &mut files);
    Snapshot {
        index: fs::read(repo.join(".git/index")).unwrap_or_default(),
        files,
    }
}

fn collect(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let p = entry.path();
        if p.file_name().is_some_and(|n| n == ".git") {
            continue;
        }
        if p.is_dir() {
            collect(root, &p, out);
        } else {
            out.insert(
                p.strip_prefix(root).unwrap().to_path_buf(),
                fs::read(&p).unwrap(),
            );
        }
    }
}

/// The 1-based line of the `[[allow]]` header of the allowlist entry whose
/// text holds `needle`: where leakgate points for that entry. Counted from
/// the text a test wrote, so no assertion hard-codes a position in it.
pub fn entry_line(allowlist: &str, needle: &str) -> usize {
    let lines: Vec<&str> = allowlist.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not in:\n{allowlist}"));
    1 + lines[..=at]
        .iter()
        .rposition(|l| l.trim() == "[[allow]]")
        .unwrap_or_else(|| panic!("no [[allow]] above {needle}:\n{allowlist}"))
}

/// Generates the detection corpus (bench/corpus.py) into `out`, registering
/// every secret in it for the output audit. The manifest says which line of
/// a case holds a secret; every key-shaped word of that line (long, with a
/// digit) counts. Returns the generator's summary line.
pub fn corpus(sb: &Sandbox, out: &Path) -> String {
    let gen = sb.output(
        sb.command(which("python3").to_str().unwrap(), sb.dir.path())
            .arg(project_root().join("bench/corpus.py"))
            .arg(out),
    );
    assert_eq!(gen.code, Some(0), "bench/corpus.py: {}", gen.all());
    let manifest = fs::read_to_string(out.join("manifest.jsonl")).unwrap();
    let mut registered = 0;
    for line in manifest.lines() {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let (Some(file), Some(at)) = (case["file"].as_str(), case["line"].as_u64()) else {
            continue;
        };
        // A binary case (a keystore) has no line of text holding a key.
        let Ok(text) = String::from_utf8(fs::read(out.join(file)).unwrap()) else {
            continue;
        };
        let Some(secret_line) = text.lines().nth(at as usize - 1) else {
            continue;
        };
        for word in secret_line.split(|c: char| !(c.is_ascii_alphanumeric() || "_-+/".contains(c)))
        {
            if word.len() >= 16 && word.bytes().any(|b| b.is_ascii_digit()) && !name_like(word) {
                secret(word.to_string());
                registered += 1;
            }
        }
    }
    assert!(registered >= 300, "only {registered} corpus secrets found");
    gen.stdout
}

/// A variable name such as `B2_APPLICATION_KEY` or `b2ApplicationKey`
/// (reports quote names in their `why`): split at `_`, `-` and where an
/// upper-case letter follows a lower-case one or a digit, and
/// every part is letters (maybe ending in one or two digits, `AUTH0`) or at
/// most two characters. A
/// random key of 16 characters or more with a digit practically never is.
fn name_like(word: &str) -> bool {
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut prev_lower = false;
    for c in word.chars() {
        if c == '_' || c == '-' || (c.is_ascii_uppercase() && prev_lower) {
            parts.push(std::mem::take(&mut part));
        }
        if c != '_' && c != '-' {
            part.push(c);
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    parts.push(part);
    // A word part, maybe with a version digit or two: `AUTH0`, `OAUTH2`, `V2`.
    parts.iter().all(|p| {
        let letters = p.trim_end_matches(|c: char| c.is_ascii_digit());
        p.len() <= 2
            || (p.len() - letters.len() <= 2 && letters.chars().all(|c| c.is_ascii_alphabetic()))
    })
}

/// What a blocked commit says to allow: the `PATH:LINE` of its first
/// `leakgate allow PATH:LINE --reason ...` command.
pub fn allow_place_in(output: &str) -> String {
    let at = output
        .find("leakgate allow ")
        .expect("an allow command in the report");
    let place = output[at + 15..]
        .split_whitespace()
        .next()
        .expect("a place after the command")
        .to_string();
    assert!(
        place.contains(':') && !place.starts_with("v2:"),
        "not a PATH:LINE: {place}"
    );
    place
}

/// The fingerprint the human report printed.
pub fn fingerprint_in(output: &str) -> String {
    let at = output
        .find("fingerprint: ")
        .expect("a fingerprint in the report");
    output[at + 13..]
        .split_whitespace()
        .next()
        .expect("a fingerprint after the label")
        .to_string()
}

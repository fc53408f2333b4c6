//! Whole histories: every blob a set of commits introduced, each read once.
//!
//! `git log --raw` (git's own tree diffs, the fastest way to list what each
//! commit changed) streams, oldest commit first, the blobs every commit
//! introduces. The first sighting of a blob id is where that content entered
//! history; later sightings only add to its count of places. Each new blob goes
//! to a pool of workers (one libgit2 handle each) that hand it to the engine's
//! blob scanner; each worker keeps its own findings and counts, added up at
//! the end. The channel between them is bounded, so memory stays flat however
//! long the history: what grows is one id and one counter per distinct blob.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _, Result};
use git2::{Oid, Repository};

use crate::engine::blob::{Provenance, Scanner};
use crate::engine::finding::{self, CommitInfo, Finding};
use crate::engine::Wake;
use crate::rules::Catalog;
use crate::summary::{Missing, Summary};

/// What to walk: `--all`, or revision arguments as git takes them.
#[derive(Debug, Clone)]
pub enum Walk {
    All,
    Revs(Vec<String>),
}

impl Walk {
    fn args(&self) -> Vec<String> {
        match self {
            Walk::All => vec!["--all".into()],
            Walk::Revs(r) => r.clone(),
        }
    }
}

pub struct Outcome {
    pub findings: Vec<Finding>,
    pub summary: Summary,
    pub elapsed: Duration,
    /// Things the report should mention (secrets only in unreachable objects).
    pub notices: Vec<String>,
}

const BATCH: usize = 32;

struct Job {
    oid: Oid,
    /// The version of the file this one replaces, when this walk read it.
    replaces: Option<Oid>,
    /// The version of the file this one replaces, already read by this
    /// walk: only what changed is searched (see [`Versions`]).
    base: Option<Oid>,
    path: String,
    commit: Arc<CommitInfo>,
    /// Position in oldest-first order: smaller entered earlier.
    order: u64,
}

/// A finding with where it sits in history, before duplicates are merged.
struct Hit {
    finding: finding::Finding,
    order: u64,
    blob: Oid,
    /// The version the blob replaces (see [`Job::replaces`]).
    replaces: Option<Oid>,
}

/// What the progress display reads while the scan runs. The counts the
/// report shows are each worker's own [`Summary`], added up at the end.
#[derive(Default)]
struct Counters {
    commits: AtomicU64,
    /// Blobs handled, scanned or skipped.
    seen: AtomicU64,
    /// Bytes of text read.
    bytes: AtomicU64,
}

/// What every worker shares: where to read, how to scan, the job queue, the
/// progress counters and the first error.
struct Context<'a> {
    git_dir: &'a Path,
    scanner: Scanner<'a>,
    jobs: Mutex<mpsc::Receiver<Vec<Job>>>,
    counters: &'a Counters,
    failed: Mutex<Option<anyhow::Error>>,
    /// What each version read so far woke, for the version after it.
    wakes: Mutex<HashMap<Oid, Arc<Wake>>>,
}

impl Context<'_> {
    fn failed(&self) -> bool {
        self.failed.lock().expect("error slot").is_some()
    }

    fn record(&self, e: anyhow::Error) {
        self.failed.lock().expect("error slot").get_or_insert(e);
    }
}

/// One worker's own findings and counts.
#[derive(Default)]
struct Found {
    hits: Vec<Hit>,
    summary: Summary,
}

pub fn scan(
    git_dir: &Path,
    catalog: &Catalog,
    max_size: u64,
    archives: crate::engine::archive::Limits,
    walk: &Walk,
    progress: bool,
) -> Result<Outcome> {
    scan_with(
        git_dir,
        catalog,
        max_size,
        archives,
        walk,
        progress,
        Versions::Changes,
    )
}

/// How a new version of a file is read (see [`crate::engine::focus`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versions {
    /// Where it changed, with the whole version for context.
    Changes,
    /// Whole, every version (`scan --whole-versions`): the same findings,
    /// for comparison (1.2x to 1.5x the time on the histories measured in
    /// README).
    Whole,
}

pub fn scan_with(
    git_dir: &Path,
    catalog: &Catalog,
    max_size: u64,
    archives: crate::engine::archive::Limits,
    walk: &Walk,
    progress: bool,
    versions: Versions,
) -> Result<Outcome> {
    let started = Instant::now();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    // Jobs travel in batches: one lock per batch, not per blob.
    let (job_tx, job_rx) = mpsc::sync_channel::<Vec<Job>>(workers * 4);
    let counters: Arc<Counters> = Arc::default();
    let ctx = Context {
        git_dir,
        scanner: Scanner::new(catalog, max_size).with_archives(archives),
        jobs: Mutex::new(job_rx),
        counters: &counters,
        failed: Mutex::new(None),
        wakes: Mutex::new(HashMap::new()),
    };

    let done = Arc::new(AtomicBool::new(false));
    let total = if progress {
        count_commits(git_dir, walk).ok()
    } else {
        None
    };
    let reporter = progress.then(|| {
        let (counters, done) = (counters.clone(), done.clone());
        std::thread::spawn(move || report_progress(&counters, &done, total, started))
    });

    let mut occurrences: HashMap<Oid, u32> = HashMap::new();
    // What `[scan] exclude` kept out (or a lapsed one let in).
    let mut excludes = Summary::default();
    // An object `git log` could not read, which ended its walk.
    let mut stopped: Option<Missing> = None;
    let found = std::thread::scope(|scope| -> Result<Vec<Found>> {
        let ctx = &ctx;
        let handles: Vec<_> = (0..workers)
            .map(|_| scope.spawn(move || work(ctx)))
            .collect();
        // Jobs go out in batches; a failed worker stops the producer.
        let mut batch = Vec::with_capacity(BATCH);
        let mut dispatch = |job: Job| -> bool {
            batch.push(job);
            if batch.len() == BATCH {
                if ctx.failed() {
                    return false;
                }
                let _ = job_tx.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
            }
            true
        };
        // A blob is read once per path class (see `Catalog::path_class`):
        // once, unless rules know some of its paths by name. Paths recur in
        // every commit that touches them: each is classified once.
        let mut classes = Classes::default();
        let mut read: HashSet<(Oid, u32)> = HashSet::new();
        // `[scan] exclude`: each blob counted once, however many commits
        // bring it to an excluded path.
        let mut excluded_once: HashSet<Oid> = HashSet::new();
        let sent = stream_changes(git_dir, walk, &counters, |change| {
            *occurrences.entry(change.new).or_insert(0) += 1;
            if !catalog.excludes.is_empty() {
                let mut counted = Summary::default();
                let out = super::excluded(catalog, change.path, &mut counted);
                if excluded_once.insert(change.new) {
                    excludes.absorb(counted);
                }
                if out {
                    return true;
                }
            }
            let class = classes.of(catalog, change.path);
            if !read.insert((change.new, class)) {
                return true;
            }
            // The version it replaces, when this walk read it at a path of
            // the same class: every line of it was searched there or in a
            // version before it, so only what changed is new here.
            let replaces = change.old.filter(|old| read.contains(&(*old, class)));
            let base = replaces.filter(|_| versions == Versions::Changes);
            dispatch(Job {
                oid: change.new,
                replaces,
                base,
                path: change.path.to_string(),
                commit: change.commit.clone(),
                order: change.order,
            })
        })
        .map(|stop| stopped = stop);
        if !batch.is_empty() {
            let _ = job_tx.send(batch);
        }
        drop(job_tx);
        let found = handles
            .into_iter()
            .map(|h| h.join().expect("a scan worker panicked"))
            .collect();
        sent.map(|()| found)
    })?;
    done.store(true, Ordering::Relaxed);
    if let Some(r) = reporter {
        let _ = r.join();
    }
    if let Some(e) = ctx.failed.into_inner().expect("error slot") {
        return Err(e);
    }

    let mut hits = Vec::new();
    let mut summary = excludes;
    for f in found {
        hits.extend(f.hits);
        summary.absorb(f.summary);
    }
    // Each worker listed its own missing blobs: one order whatever the timing.
    summary
        .missing
        .sort_by(|a, b| (&a.path, &a.object).cmp(&(&b.path, &b.object)));
    let mut notices = Vec::new();
    // One finding per secret: where it entered first, and how many other
    // places (commit, path) brought the same content in.
    hits.sort_by_key(|h| h.order);
    let mut by_fp: HashMap<finding::Fingerprint, usize> = HashMap::new();
    let mut findings: Vec<Finding> = Vec::new();
    // A blob read once per path class finds its other secrets again: its
    // places count once per finding. A version that kept the secret from
    // the version it replaces did not add it (however much of it was
    // searched), whether read where it changed or whole.
    let mut counted: HashSet<(usize, Oid)> = HashSet::new();
    let held: HashSet<(&finding::Fingerprint, Oid)> = hits
        .iter()
        .map(|h| (&h.finding.fingerprint, h.blob))
        .collect();
    let kept: Vec<bool> = hits
        .iter()
        .map(|h| {
            h.replaces
                .is_some_and(|r| held.contains(&(&h.finding.fingerprint, r)))
        })
        .collect();
    for (h, kept) in hits.into_iter().zip(kept) {
        let places = occurrences.get(&h.blob).copied().unwrap_or(1) as usize;
        match by_fp.get(&h.finding.fingerprint) {
            Some(_) if kept => {}
            Some(&i) if !counted.insert((i, h.blob)) => {}
            Some(&i) => findings[i].other_places += places,
            None => {
                counted.insert((findings.len(), h.blob));
                by_fp.insert(h.finding.fingerprint.clone(), findings.len());
                let mut f = h.finding;
                f.other_places = places - 1;
                findings.push(f);
            }
        }
    }
    // Messages are text that every clone carries too. A walk that git
    // ended at a missing commit ends this one too: that is already listed.
    match super::messages::scan_history(
        git_dir,
        catalog,
        &walk.args(),
        matches!(walk, Walk::All),
        &mut summary,
    ) {
        Ok(found) => findings.extend(found),
        Err(e) if stopped.is_some() && super::missing_named_by_git(&format!("{e:#}")).is_some() => {
        }
        Err(e) => return Err(e),
    }
    if let Some(m) = stopped {
        notices.push(format!(
            "`git log` stopped at the missing object {}: the commits it had not reached were not scanned",
            m.object
        ));
        if !summary.missing.iter().any(|k| k.object == m.object) {
            summary.missing.push(m);
        }
    }
    if !summary.missing.is_empty() {
        summary.partial_clone = Repository::open(git_dir)
            .ok()
            .and_then(|r| super::partial_clone(&r));
    }
    super::messages::mask_summaries(catalog, &mut findings);
    summary.commits = counters.commits.load(Ordering::Relaxed) as usize;
    summary.max_file_size = Some(max_size);
    Ok(Outcome {
        findings,
        summary,
        elapsed: started.elapsed(),
        notices,
    })
}

/// Paths by the class of `path` regexes they match (see
/// `Catalog::path_class`), each path classified once.
#[derive(Default)]
struct Classes {
    by_path: HashMap<String, u32>,
    ids: HashMap<Vec<usize>, u32>,
}

impl Classes {
    fn of(&mut self, catalog: &Catalog, path: &str) -> u32 {
        if let Some(&c) = self.by_path.get(path) {
            return c;
        }
        let next = u32::try_from(self.ids.len()).expect("fewer than 2^32 path classes");
        let c = *self.ids.entry(catalog.path_class(path)).or_insert(next);
        self.by_path.insert(path.to_string(), c);
        c
    }
}

/// One worker: its own libgit2 handle, findings and counts, over batches of
/// jobs until the queue closes. On an error it records it and keeps draining
/// the queue, so the producer never blocks on a full channel.
fn work(ctx: &Context) -> Found {
    let mut found = Found::default();
    let repo = match Repository::open(ctx.git_dir).context("opening the repository") {
        Ok(r) => Some(r),
        Err(e) => {
            ctx.record(e);
            None
        }
    };
    loop {
        let Ok(batch) = ctx.jobs.lock().expect("job queue").recv() else {
            return found;
        };
        let Some(repo) = &repo else { continue };
        for job in &batch {
            if ctx.failed() {
                break;
            }
            if let Err(e) = scan_job(repo, ctx, job, &mut found) {
                ctx.record(e);
            }
        }
    }
}

/// Reads one blob, whatever its size (a large one is scanned in windows, a
/// binary one through its printable runs), and scans it.
fn scan_job(repo: &Repository, ctx: &Context, job: &Job, found: &mut Found) -> Result<()> {
    ctx.counters.seen.fetch_add(1, Ordering::Relaxed);
    let bytes_before = found.summary.bytes;
    read_job(repo, ctx, job, found)?;
    ctx.counters
        .bytes
        .fetch_add(found.summary.bytes - bytes_before, Ordering::Relaxed);
    Ok(())
}

/// Reads and scans one job's blob into `found`: where it changed when the
/// version it replaces was read with what it woke (see [`Versions`]).
fn read_job(repo: &Repository, ctx: &Context, job: &Job, found: &mut Found) -> Result<()> {
    let blob = match repo.find_blob(job.oid) {
        Ok(b) => b,
        Err(e) if super::is_missing(repo, job.oid, &e) => {
            let commit = Some(job.commit.id.as_str()).filter(|c| !c.is_empty());
            found
                .summary
                .missing(job.oid, Some(job.path.as_str()), commit);
            return Ok(());
        }
        Err(e) => {
            return Err(e).with_context(|| format!("reading blob {} ({})", job.oid, job.path))
        }
    };
    let at = Provenance::Blob {
        path: &job.path,
        commit: Some(&job.commit),
        added: false,
    };
    let path = Some(job.path.as_str());
    // Another worker may still be reading the version before: then this
    // one is read whole.
    let base = job
        .base
        .and_then(|b| Some((b, ctx.wakes.lock().expect("wakes").get(&b)?.clone())));
    // The version before was read by its own job, which reports it if it
    // cannot be read: this one is then read whole.
    let before = match &base {
        Some((b, _)) => repo.find_blob(*b).ok(),
        None => None,
    };
    let given = before
        .as_ref()
        .zip(base.as_ref())
        .map(|(blob, (_, wake))| (blob.content(), &**wake));
    let (findings, wake) =
        ctx.scanner
            .scan_version(blob.content(), given, &at, path, &mut found.summary);
    if let Some(wake) = wake {
        ctx.wakes
            .lock()
            .expect("wakes")
            .insert(job.oid, Arc::new(wake));
    }
    found.hits.extend(findings.into_iter().map(|finding| Hit {
        finding,
        order: job.order,
        blob: job.oid,
        replaces: job.replaces,
    }));
    Ok(())
}

/// One file a commit added or changed.
struct Change<'a> {
    new: Oid,
    /// The regular file it replaces at the same path, if any.
    old: Option<Oid>,
    path: &'a str,
    commit: &'a Arc<CommitInfo>,
    order: u64,
}

/// Runs `git log --raw` over `walk`, oldest first, calling `each` for every
/// blob a commit adds or changes (merges against their first parent). `each`
/// returns false to stop early. A tree or commit git cannot read ends git's
/// walk: that object is returned (with the commit that needs it, when
/// known), any other failure is an error.
fn stream_changes(
    git_dir: &Path,
    walk: &Walk,
    counters: &Counters,
    mut each: impl FnMut(Change) -> bool,
) -> Result<Option<Missing>> {
    let mut cmd = Command::new("git");
    cmd.arg("--git-dir")
        .arg(git_dir)
        .args([
            "log",
            "--reverse",
            "--raw",
            "--no-abbrev",
            "-z",
            "--no-renames",
            "--diff-merges=first-parent",
            "--no-ext-diff",
            "--no-textconv",
            "--format=%x01%H %P%x02%s",
        ])
        .args(walk.args())
        .arg("--")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .context("running `git log` (is git installed and on PATH?)")?;
    let stdout = child.stdout.take().expect("piped");
    let mut reader = BufReader::with_capacity(1 << 20, stdout);
    let mut commit: Option<Arc<CommitInfo>> = None;
    let mut order = 0u64;
    let mut token = Vec::new();
    let mut pending: Option<(Oid, Option<Oid>, bool)> = None;
    loop {
        token.clear();
        if reader.read_until(0, &mut token)? == 0 {
            break;
        }
        if token.last() == Some(&0) {
            token.pop();
        }
        let t = token.strip_prefix(b"\n").unwrap_or(&token);
        if let Some((new, old, keep)) = pending.take() {
            if keep {
                let path = String::from_utf8_lossy(t);
                let c = commit
                    .as_ref()
                    .ok_or_else(|| anyhow!("`git log` printed a change before any commit"))?;
                order += 1;
                let change = Change {
                    new,
                    old,
                    path: &path,
                    commit: c,
                    order,
                };
                if !each(change) {
                    let _ = child.kill();
                    break;
                }
            }
            continue;
        }
        if let Some(head) = t.strip_prefix(b"\x01") {
            let head = String::from_utf8_lossy(head);
            let (ids, summary) = head.split_once('\x02').unwrap_or((&head, ""));
            let (id, parents) = ids.split_once(' ').unwrap_or((ids, ""));
            commit = Some(Arc::new(CommitInfo {
                id: id.to_string(),
                summary: summary.trim_end().to_string(),
                root: parents.trim().is_empty(),
            }));
            counters.commits.fetch_add(1, Ordering::Relaxed);
        } else if t.first() == Some(&b':') {
            let head =
                std::str::from_utf8(t).context("`git log --raw` printed a non-UTF-8 header")?;
            let f: Vec<&str> = head[1..].split(' ').collect();
            let [old_mode, new_mode, old_id, new_id, status] = f[..] else {
                bail!("unexpected `git log --raw` entry: {head:?}");
            };
            // Regular and executable files only: no deletions, symlink
            // targets or submodule commits.
            let regular = |mode: &str| mode == "100644" || mode == "100755";
            let keep = status != "D" && regular(new_mode);
            let old = (status == "M" && regular(old_mode))
                .then(|| Oid::from_str(old_id))
                .transpose()?;
            pending = Some((Oid::from_str(new_id)?, old, keep));
        }
    }
    let out = child.wait_with_output()?;
    if out.status.success() || out.status.code().is_none() {
        return Ok(None);
    }
    let said = String::from_utf8_lossy(&out.stderr);
    match super::missing_named_by_git(&said) {
        Some((object, named)) => Ok(Some(Missing {
            object,
            path: None,
            // git names the commit whose parent it could not read. A commit's
            // header is printed with its changes, so a tree belongs to the
            // commit after the last one printed.
            commit: named.or_else(|| commit_after(git_dir, walk, commit.as_deref())),
        })),
        None => bail!("`git log` failed: {}", said.trim()),
    }
}

/// The commit `git log --reverse` walks after `after` (the first without
/// it): `rev-list` walks the same commits and reads no tree.
fn commit_after(git_dir: &Path, walk: &Walk, after: Option<&CommitInfo>) -> Option<String> {
    let out = Command::new("git")
        .arg("--git-dir")
        .arg(git_dir)
        .args(["rev-list", "--reverse"])
        .args(walk.args())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut ids = text.lines();
    if let Some(after) = after {
        ids.find(|id| *id == after.id)?;
    }
    ids.next().map(str::to_string)
}

fn count_commits(git_dir: &Path, walk: &Walk) -> Result<u64> {
    let out = Command::new("git")
        .arg("--git-dir")
        .arg(git_dir)
        .args(["rev-list", "--count"])
        .args(walk.args())
        .output()?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().parse()?)
}

/// The history scan's progress line (see [`super::show_progress`]).
fn report_progress(c: &Counters, done: &AtomicBool, total: Option<u64>, started: Instant) {
    super::show_progress(done, started, |t| {
        let bytes = c.bytes.load(Ordering::Relaxed);
        let rate = bytes as f64 / t / 1e6;
        let commits = c.commits.load(Ordering::Relaxed);
        let blobs = c.seen.load(Ordering::Relaxed);
        // Commits are counted as `git log` lists them, ahead of the scan:
        // the ETA is an estimate.
        let eta = match total {
            Some(of) if commits > 0 && of >= commits => {
                format!("  ETA {:.0}s", t * (of - commits) as f64 / commits as f64)
            }
            _ => String::new(),
        };
        let of = total.map(|t| format!("/{t}")).unwrap_or_default();
        format!(
            "scanning: commits {commits}{of}  blobs {blobs}  {} read  {rate:.0} MB/s{eta}",
            crate::summary::human_bytes(bytes),
        )
    });
}

/// Whether a progress display belongs on stderr.
pub fn progress_wanted(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// The repository's git directory (what `git --git-dir` takes).
pub fn git_dir(repo: &Repository) -> PathBuf {
    repo.path().to_path_buf()
}

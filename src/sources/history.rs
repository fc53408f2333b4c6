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
    /// Where the blob is, or (`placed` false) a stand-in for the report
    /// until that is known.
    path: String,
    placed: bool,
    commit: Arc<CommitInfo>,
    /// Position in oldest-first order: smaller entered earlier.
    order: u64,
}

/// A finding with where it sits in history, before duplicates are merged.
struct Hit {
    finding: finding::Finding,
    order: u64,
    blob: Oid,
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
    };

    let done = Arc::new(AtomicBool::new(false));
    // `--all` reads the object store blob by blob (see `list_blobs`); a
    // range walks its commits.
    let blob_first = matches!(walk, Walk::All);
    let total = match (progress, blob_first) {
        (false, _) => None,
        (true, true) => count_blobs(git_dir).ok().map(Total::Blobs),
        (true, false) => count_commits(git_dir, walk).ok().map(Total::Commits),
    };
    let reporter = progress.then(|| {
        let (counters, done) = (counters.clone(), done.clone());
        std::thread::spawn(move || report_progress(&counters, &done, total, started))
    });

    let mut occurrences: HashMap<Oid, u32> = HashMap::new();
    // `--all`: the blobs the store has, so the walk can tell which of the
    // blobs commits name it does not (`cat-file` lists only what exists).
    let mut listed: HashSet<Oid> = HashSet::new();
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
        let sent = if blob_first {
            let unknown = Arc::new(CommitInfo {
                id: String::new(),
                summary: String::new(),
                root: false,
            });
            list_blobs(git_dir, |oid, order, _| {
                listed.insert(oid);
                dispatch(Job {
                    oid,
                    path: format!("blob {oid}"),
                    placed: false,
                    commit: unknown.clone(),
                    order,
                })
            })
        } else {
            // A blob is read once per path class (see `Catalog::path_class`):
            // once, unless rules know some of its paths by name.
            let mut classes: HashSet<(Oid, Vec<usize>)> = HashSet::new();
            stream_changes(git_dir, walk, &counters, |oid, path, commit, order| {
                *occurrences.entry(oid).or_insert(0) += 1;
                !classes.insert((oid, catalog.path_class(path)))
                    || dispatch(Job {
                        oid,
                        path: path.to_string(),
                        placed: true,
                        commit: commit.clone(),
                        order,
                    })
            })
            .map(|stop| stopped = stop)
        };
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
    let scanner = ctx.scanner;
    if let Some(e) = ctx.failed.into_inner().expect("error slot") {
        return Err(e);
    }

    let mut hits = Vec::new();
    let mut summary = Summary::default();
    for f in found {
        hits.extend(f.hits);
        summary.absorb(f.summary);
    }
    // Each worker listed its own missing blobs: one order whatever the timing.
    summary
        .missing
        .sort_by(|a, b| (&a.path, &a.object).cmp(&(&b.path, &b.object)));
    let mut notices = Vec::new();
    if blob_first {
        // Only blobs with findings need to know where they entered history:
        // walk the commits once for those, and only when there are any.
        let mut wanted: HashSet<Oid> = hits.iter().map(|h| h.blob).collect();
        // An archive limit reached in a blob, or an archive skipped, is
        // named where it entered too.
        let named: Vec<Oid> = summary
            .limit_breaches
            .iter()
            .chain(summary.skipped.iter().map(|k| &k.path))
            .filter_map(|m| stand_in_oid(m))
            .collect();
        wanted.extend(named);
        let mut entered: HashMap<Oid, (u64, String, Arc<CommitInfo>)> = HashMap::new();
        // The object store has no paths: blobs at a path some rule knows by
        // name are read again there, found by the same walk.
        let mut placed: Vec<Job> = Vec::new();
        // The walk always runs: only it finds the blobs commits name that
        // the object store does not have.
        {
            let mut classes: HashSet<(Oid, Vec<usize>)> = HashSet::new();
            let missing = &mut summary.missing;
            let mut absent: HashSet<Oid> = HashSet::new();
            stopped = stream_changes(git_dir, walk, &counters, |oid, path, commit, order| {
                if !listed.contains(&oid) {
                    if absent.insert(oid) {
                        missing.push(Missing {
                            object: oid.to_string(),
                            path: Some(path.to_string()),
                            commit: Some(commit.id.clone()),
                        });
                    }
                    return true;
                }
                // Every blob's places: one read again at its path may find
                // what the first pass did not.
                *occurrences.entry(oid).or_insert(0) += 1;
                if wanted.contains(&oid) {
                    entered
                        .entry(oid)
                        .or_insert_with(|| (order, path.to_string(), commit.clone()));
                }
                let class = catalog.path_class(path);
                if !class.is_empty() && classes.insert((oid, class)) {
                    placed.push(Job {
                        oid,
                        path: path.to_string(),
                        placed: true,
                        commit: commit.clone(),
                        order,
                    });
                }
                true
            })?;
        }
        let places = summary
            .limit_breaches
            .iter_mut()
            .chain(summary.skipped.iter_mut().map(|k| &mut k.path));
        for m in places {
            let Some(oid) = stand_in_oid(m) else { continue };
            if let Some((_, path, _)) = entered.get(&oid) {
                if let Some(rest) = m.strip_prefix(&format!("blob {oid}")) {
                    *m = format!("{path}{rest}");
                }
            }
        }
        let before = hits.len();
        hits.retain_mut(|h| match entered.get(&h.blob) {
            Some((order, path, commit)) => {
                h.order = *order;
                // An archive's entry keeps its `!inner` part.
                let inner = h
                    .finding
                    .path
                    .strip_prefix(&format!("blob {}", h.blob))
                    .unwrap_or("");
                h.finding.path = format!("{path}{inner}");
                h.finding.commit = Some((**commit).clone());
                true
            }
            // Unplaced because git's walk stopped at a missing object (listed
            // already): shown at the blob, never dropped as unreachable.
            None => stopped.is_some(),
        });
        let dropped = before - hits.len();
        if !placed.is_empty() {
            let repo = Repository::open(git_dir).context("opening the repository")?;
            // Counted already, by the pass that read every blob.
            let mut uncounted = Found::default();
            for job in &placed {
                read_job(&repo, scanner, job, &mut uncounted)?;
            }
            hits.extend(uncounted.hits);
        }
        if dropped > 0 {
            notices.push(format!(
                "{dropped} finding{} in objects no ref reaches (dropped commits, old stashes) not reported; `git gc --prune=now` removes them",
                if dropped == 1 { "" } else { "s" }
            ));
        }
    }
    // One finding per secret: where it entered first, and how many other
    // places (commit, path) brought the same content in.
    hits.sort_by_key(|h| h.order);
    let mut by_fp: HashMap<finding::Fingerprint, usize> = HashMap::new();
    let mut findings: Vec<Finding> = Vec::new();
    // A blob read once per path class finds its other secrets again: its
    // places count once per finding.
    let mut counted: HashSet<(usize, Oid)> = HashSet::new();
    for h in hits {
        let places = occurrences.get(&h.blob).copied().unwrap_or(1) as usize;
        match by_fp.get(&h.finding.fingerprint) {
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
        &mut summary.inline_allowed,
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

/// The blob a `blob <id>` stand-in place (`--all`, before blobs are placed)
/// names, at the start of `text`.
fn stand_in_oid(text: &str) -> Option<Oid> {
    let rest = text.strip_prefix("blob ")?;
    let hex: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
    Oid::from_str(&hex).ok()
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
    read_job(repo, ctx.scanner, job, found)?;
    ctx.counters
        .bytes
        .fetch_add(found.summary.bytes - bytes_before, Ordering::Relaxed);
    Ok(())
}

/// Reads and scans one job's blob into `found`.
fn read_job(repo: &Repository, scanner: Scanner, job: &Job, found: &mut Found) -> Result<()> {
    let blob = match repo.find_blob(job.oid) {
        Ok(b) => b,
        Err(e) if super::is_missing(repo, job.oid, &e) => {
            let commit = Some(job.commit.id.as_str()).filter(|c| !c.is_empty());
            let path = job.placed.then_some(job.path.as_str());
            found.summary.missing(job.oid, path, commit);
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
    let path = job.placed.then_some(job.path.as_str());
    let findings = scanner.scan_blob_at(blob.content(), &at, path, &mut found.summary);
    found.hits.extend(findings.into_iter().map(|finding| Hit {
        finding,
        order: job.order,
        blob: job.oid,
    }));
    Ok(())
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
    mut each: impl FnMut(Oid, &str, &Arc<CommitInfo>, u64) -> bool,
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
    let mut pending: Option<(Oid, bool)> = None;
    loop {
        token.clear();
        if reader.read_until(0, &mut token)? == 0 {
            break;
        }
        if token.last() == Some(&0) {
            token.pop();
        }
        let t = token.strip_prefix(b"\n").unwrap_or(&token);
        if let Some((oid, keep)) = pending.take() {
            if keep {
                let path = String::from_utf8_lossy(t);
                let c = commit
                    .as_ref()
                    .ok_or_else(|| anyhow!("`git log` printed a change before any commit"))?;
                order += 1;
                if !each(oid, &path, c, order) {
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
            let [_, new_mode, _, new_id, status] = f[..] else {
                bail!("unexpected `git log --raw` entry: {head:?}");
            };
            // Regular and executable files only: no deletions, symlink
            // targets or submodule commits.
            let keep = status != "D" && (new_mode == "100644" || new_mode == "100755");
            pending = Some((Oid::from_str(new_id)?, keep));
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

/// Every blob in the object store, in pack order (`--unordered`: the order
/// that reads fastest), each once. No tree is diffed: for `--all` the set of
/// blobs is the object store's, and attribution waits for findings.
fn list_blobs(git_dir: &Path, mut each: impl FnMut(Oid, u64, u64) -> bool) -> Result<()> {
    let mut child = Command::new("git")
        .arg("--git-dir")
        .arg(git_dir)
        .args([
            "cat-file",
            "--batch-all-objects",
            "--unordered",
            "--batch-check=%(objecttype) %(objectname) %(objectsize)",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running `git cat-file --batch-all-objects` (is git installed and on PATH?)")?;
    let reader = BufReader::with_capacity(1 << 16, child.stdout.take().expect("piped"));
    let mut order = 0;
    for line in reader.lines() {
        let line = line?;
        if let Some(rest) = line.strip_prefix("blob ") {
            let (id, size) = rest.split_once(' ').unwrap_or((rest, "0"));
            order += 1;
            if !each(Oid::from_str(id)?, order, size.parse().unwrap_or(0)) {
                let _ = child.kill();
                break;
            }
        }
    }
    super::finish_git(child, "git cat-file --batch-all-objects")
}

/// Blobs in the store, for the progress display (a listing without reading
/// any object: a small fraction of the scan).
fn count_blobs(git_dir: &Path) -> Result<u64> {
    let mut n = 0;
    list_blobs(git_dir, |_, _, _| {
        n += 1;
        true
    })?;
    Ok(n)
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

/// What the progress display counts towards.
#[derive(Clone, Copy)]
enum Total {
    Commits(u64),
    /// Objects in the store: blobs are most of them, so it is an upper bound.
    Blobs(u64),
}

/// The history scan's progress line (see [`super::show_progress`]).
fn report_progress(c: &Counters, done: &AtomicBool, total: Option<Total>, started: Instant) {
    super::show_progress(done, started, |t| {
        let bytes = c.bytes.load(Ordering::Relaxed);
        let rate = bytes as f64 / t / 1e6;
        let commits = c.commits.load(Ordering::Relaxed);
        let blobs = c.seen.load(Ordering::Relaxed);
        let (label, n, of) = match total {
            Some(Total::Commits(of)) => ("commits", commits, Some(of)),
            Some(Total::Blobs(of)) => ("blobs", blobs, Some(of)),
            None => ("commits", commits, None),
        };
        let eta = match of {
            Some(of) if n > 0 && of >= n => format!("  ETA {:.0}s", t * (of - n) as f64 / n as f64),
            _ => String::new(),
        };
        let of = of.map(|t| format!("/{t}")).unwrap_or_default();
        // The counted unit first (it has the total), then the other.
        let other = if label == "commits" {
            format!("blobs {blobs}")
        } else {
            format!("commits {commits}")
        };
        format!(
            "scanning: {label} {n}{of}  {other}  {} read  {rate:.0} MB/s{eta}",
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

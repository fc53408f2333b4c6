//! Temporary work that must not outlive an interrupted scan: a private
//! directory (a `--remote` mirror, a `docker save` of an `--image`) and the
//! child process filling it. Both are removed on success, on an error, and
//! on Ctrl-C, SIGTERM or SIGHUP (the child is stopped first, so it cannot
//! write into the directory being removed). Only `kill -9` leaves the
//! directory behind, in the system's temporary directory, readable by its
//! owner only.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use tempfile::TempDir;

/// A private temporary directory, deleted when dropped or on an interrupt.
pub struct Private {
    dir: TempDir,
}

impl Private {
    /// `prefix` names it in the temporary directory (`leakgate-remote-`).
    pub fn new(prefix: &str, what: &'static str) -> Result<Private> {
        let dir = tempfile::Builder::new()
            .prefix(prefix)
            .tempdir()
            .with_context(|| format!("creating a temporary directory for {what}"))?;
        arm_interrupt(dir.path(), what);
        Ok(Private { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Private {
    fn drop(&mut self) {
        // The directory goes with `dir`; the interrupt handler must not
        // reach for it any more.
        cleanup().dir = None;
    }
}

/// What the interrupt handler removes: the running child and the directory.
struct Cleanup {
    dir: Option<PathBuf>,
    what: &'static str,
    child: Option<Child>,
}

static CLEANUP: Mutex<Cleanup> = Mutex::new(Cleanup {
    dir: None,
    what: "",
    child: None,
});

fn cleanup() -> std::sync::MutexGuard<'static, Cleanup> {
    CLEANUP.lock().unwrap_or_else(|e| e.into_inner())
}

/// On Ctrl-C (and SIGTERM, SIGHUP): stop the child, delete the directory,
/// exit 130 as a shell does for an interrupted command.
fn arm_interrupt(dir: &Path, what: &'static str) {
    {
        let mut c = cleanup();
        c.dir = Some(dir.to_path_buf());
        c.what = what;
    }
    // Set once per process; a second scan in one process keeps the first.
    let _ = ctrlc::set_handler(|| {
        let mut c = cleanup();
        if let Some(mut child) = c.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(dir) = c.dir.take() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        eprintln!("leakgate: interrupted; {} was deleted", c.what);
        std::process::exit(130);
    });
}

/// Runs `cmd` (stdin and stdout closed) where the interrupt handler can stop
/// it, and returns its status and what it wrote on stderr. `what` names it
/// in errors: `git clone`, `docker save`.
pub fn run(mut cmd: Command, what: &str) -> Result<(ExitStatus, String)> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("running {what}"))?;
    let mut stderr = child.stderr.take().expect("piped stderr");
    let reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stderr.read_to_end(&mut text);
        text
    });
    cleanup().child = Some(child);
    // The child stays where the interrupt handler can stop it; poll it.
    let status = loop {
        let mut c = cleanup();
        let Some(child) = c.child.as_mut() else {
            // Only the handler takes it, and it exits the process.
            bail!("{what} was stopped");
        };
        if let Some(status) = child
            .try_wait()
            .with_context(|| format!("waiting for {what}"))?
        {
            c.child = None;
            break status;
        }
        drop(c);
        std::thread::sleep(Duration::from_millis(20));
    };
    let text = String::from_utf8_lossy(&reader.join().unwrap_or_default()).into_owned();
    Ok((status, text))
}

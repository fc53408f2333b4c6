//! Where a command's words go, and the exit code they end in.
//!
//! One type for every command: the format (human or JSON), the stream (a
//! hook talks to the person at the terminal through stderr, which git passes
//! through; `scan` writes to stdout), and colour (`--color`, `NO_COLOR`, and
//! whether the stream is a terminal).
//!
//! With `--output FILE` the report in the chosen format goes to the file,
//! written whole or not at all (a temporary file beside it, renamed over
//! it), and the person still reads the human report: CI logs show the
//! findings whatever file a pipeline collects. The file is opened before
//! anything is scanned, so a path that cannot be written fails at once.

use std::fs::{self, File, OpenOptions};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};

use crate::cli::{ColorChoice, Format};
use crate::engine::finding::escape as esc;
use crate::report::{self, Report};
use crate::rules::Catalog;

/// Exit codes, documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Nothing that blocks.
    Clean = 0,
    /// At least one blocking secret.
    Found = 1,
    /// Bad input, configuration or repository: nothing was decided.
    Error = 2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

#[derive(Debug)]
pub struct Output {
    pub format: Format,
    pub stream: Stream,
    pub color: ColorChoice,
    /// `--output FILE`: where the report in `format` goes.
    file: Option<ReportFile>,
    /// In a GitLab CI job log, the human report is one collapsible
    /// section of this name, its headline the section's title.
    section: Option<String>,
}

impl Output {
    /// A command's output: its report on stdout.
    pub fn stdout(format: Format, color: ColorChoice) -> Output {
        Output {
            format,
            stream: Stream::Stdout,
            color,
            file: None,
            section: None,
        }
    }

    /// A hook's output: what the person pushing or committing reads, on
    /// stderr. JSON, which a program reads, still goes to stdout.
    pub fn hook(format: Format, color: ColorChoice) -> Output {
        Output {
            format,
            stream: Stream::Stderr,
            color,
            file: None,
            section: None,
        }
    }

    /// Sends the report to `path` (`--output`), checking now that it can be
    /// written there.
    pub fn with_file(mut self, path: Option<&Path>) -> Result<Output> {
        if let Some(p) = path {
            self.file = Some(ReportFile::open(p)?);
        }
        Ok(self)
    }

    /// Folds the human report on the terminal into a GitLab CI log section.
    pub fn in_log_section(mut self, name: &str) -> Output {
        self.section = Some(name.to_string());
        self
    }

    /// The human report as the terminal shows it: whole, or folded under
    /// its headline in a log section.
    fn terminal_text(&self, human: String) -> String {
        match &self.section {
            Some(name) => {
                let (head, body) = human.split_once('\n').unwrap_or((human.as_str(), ""));
                report::gitlab::collapsible_section(name, head, body)
            }
            None => human,
        }
    }

    /// Whether the report goes to an `--output` file (the terminal then
    /// gets the human report, whatever the format).
    pub fn writes_file(&self) -> bool {
        self.file.is_some()
    }

    pub fn is_json(&self) -> bool {
        self.format == Format::Json
    }

    pub fn is_hook(&self) -> bool {
        self.stream == Stream::Stderr
    }

    /// Prints a report in this output's format (to the `--output` file, with
    /// the human report on the terminal); the exit code says whether
    /// anything blocks.
    pub fn report(mut self, report: &Report, catalog: &Catalog) -> Result<Exit> {
        // An archive limit reached (a zip bomb): what was not read cannot be
        // called clean, so every command fails closed here (exit 2).
        report.summary.check_limits()?;
        // `--verify`: the reported keys checked with their providers, live
        // ones first; the report as it is when verification is off.
        let report = &*report.verified();
        match self.file.take() {
            None => {
                let (text, stream) = match self.format {
                    Format::Human => {
                        self.set_color();
                        let human = report::human::render(report, catalog);
                        (self.terminal_text(human), self.stream)
                    }
                    // What a program reads goes to stdout, from hooks too.
                    _ => (render(self.format, report, catalog), Stream::Stdout),
                };
                emit(stream, &text)?;
            }
            Some(file) => {
                // The file never holds colour codes.
                colored::control::set_override(false);
                let text = render(self.format, report, catalog);
                let shown = esc(&file.dest.display().to_string());
                file.commit(&text)?;
                self.set_color();
                let terminal = match self.format {
                    Format::Human => format!(
                        "leakgate: {}; report written to {shown}\n",
                        headline(report)
                    ),
                    _ => self.terminal_text(report::human::render(report, catalog)),
                };
                emit(self.stream, &terminal)?;
            }
        }
        // Objects missing from the store: the report lists them, and the
        // scan is not called complete (hooks block on it).
        Ok(if report.incomplete() {
            Exit::Error
        } else if report.blocking() > 0 {
            Exit::Found
        } else {
            Exit::Clean
        })
    }

    /// Prints plain text (a list, a playbook, a confirmation).
    pub fn text(&self, text: &str) -> Result<()> {
        emit(self.stream, text)
    }

    fn set_color(&self) {
        let on = match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                let tty = match self.stream {
                    Stream::Stdout => std::io::stdout().is_terminal(),
                    Stream::Stderr => std::io::stderr().is_terminal(),
                };
                tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        colored::control::set_override(on);
    }
}

/// The report in `format`, as a file or a program reads it.
fn render(format: Format, report: &Report, catalog: &Catalog) -> String {
    match format {
        Format::Human => report::human::render(report, catalog),
        Format::Json => report::json::render(report),
        Format::Sarif => report::sarif::render(report, catalog),
        Format::Junit => report::junit::render(report),
        Format::Gitlab => report::gitlab::render(report, catalog),
    }
}

/// What the terminal says when the human report went to a file.
fn headline(report: &Report) -> String {
    let blocking = report.blocking();
    let warnings = report.active.len() - blocking;
    let s = |n: usize| if n == 1 { "" } else { "s" };
    match (blocking, warnings) {
        (0, 0) => "no secrets found".to_string(),
        (b, 0) => format!("{b} blocking secret{} found", s(b)),
        (0, w) => format!("{w} warning{}, nothing blocks", s(w)),
        (b, w) => format!("{b} blocking secret{} and {w} warning{} found", s(b), s(w)),
    }
}

/// The `--output` file: opened before the scan, written whole at the end.
/// A regular file (or a new one) is written as a temporary file beside it
/// and renamed over it, so a reader never sees half a report and a failed
/// run leaves the old one; a device or a pipe (`/dev/stdout`) is written
/// in place.
#[derive(Debug)]
struct ReportFile {
    dest: PathBuf,
    /// The temporary file, until it is renamed over `dest`.
    tmp: Option<PathBuf>,
    file: File,
}

impl ReportFile {
    fn open(dest: &Path) -> Result<ReportFile> {
        let shown = dest.display();
        let cannot = || format!("--output {shown}: cannot write the report there");
        match fs::metadata(dest) {
            Ok(m) if m.is_dir() => bail!("--output {shown}: is a directory"),
            Ok(m) if !m.is_file() => {
                let file = OpenOptions::new()
                    .write(true)
                    .open(dest)
                    .with_context(cannot)?;
                return Ok(ReportFile {
                    dest: dest.to_path_buf(),
                    tmp: None,
                    file,
                });
            }
            // An existing file must be writable by this user, as it would
            // be if it were overwritten in place.
            Ok(_) => {
                OpenOptions::new()
                    .write(true)
                    .open(dest)
                    .with_context(cannot)?;
            }
            Err(_) => {}
        }
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(
            ".leakgate-output.{}.{name}.tmp",
            std::process::id()
        ));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .with_context(cannot)?;
        Ok(ReportFile {
            dest: dest.to_path_buf(),
            tmp: Some(tmp),
            file,
        })
    }

    fn commit(mut self, text: &str) -> Result<()> {
        let shown = self.dest.display().to_string();
        self.file
            .write_all(text.as_bytes())
            .and_then(|_| self.file.flush())
            .with_context(|| format!("--output {shown}: writing the report"))?;
        if let Some(tmp) = &self.tmp {
            self.file
                .sync_all()
                .with_context(|| format!("--output {shown}: writing the report"))?;
            fs::rename(tmp, &self.dest)
                .with_context(|| format!("--output {shown}: writing the report"))?;
            self.tmp = None;
        }
        Ok(())
    }
}

impl Drop for ReportFile {
    /// A run that ends before its report leaves no temporary file behind.
    fn drop(&mut self) {
        if let Some(tmp) = &self.tmp {
            let _ = fs::remove_file(tmp);
        }
    }
}

/// Writes `text`; a reader that went away (`| head`) is not an error.
fn emit(stream: Stream, text: &str) -> Result<()> {
    let r = match stream {
        Stream::Stdout => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|_| out.flush())
        }
        Stream::Stderr => std::io::stderr().lock().write_all(text.as_bytes()),
    };
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing the report"),
    }
}

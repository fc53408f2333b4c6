//! Where a command's words go, and the exit code they end in.
//!
//! One type for every command: the format (human or JSON), the stream (a
//! hook talks to the person at the terminal through stderr, which git passes
//! through; `scan` writes to stdout), and colour (`--color`, `NO_COLOR`, and
//! whether the stream is a terminal).

use std::io::{IsTerminal, Write};

use anyhow::{Context as _, Result};

use crate::cli::{ColorChoice, Format};
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

#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub format: Format,
    pub stream: Stream,
    pub color: ColorChoice,
}

impl Output {
    /// A command's output: its report on stdout.
    pub fn stdout(format: Format, color: ColorChoice) -> Output {
        Output {
            format,
            stream: Stream::Stdout,
            color,
        }
    }

    /// A hook's output: what the person pushing or committing reads, on
    /// stderr. JSON, which a program reads, still goes to stdout.
    pub fn hook(format: Format, color: ColorChoice) -> Output {
        Output {
            format,
            stream: Stream::Stderr,
            color,
        }
    }

    pub fn is_json(&self) -> bool {
        self.format == Format::Json
    }

    pub fn is_hook(&self) -> bool {
        self.stream == Stream::Stderr
    }

    /// Prints a report in this output's format; the exit code says whether
    /// anything blocks.
    pub fn report(&self, report: &Report, catalog: &Catalog) -> Result<Exit> {
        let (text, stream) = match self.format {
            Format::Json => (report::json::render(report), Stream::Stdout),
            Format::Human => {
                self.set_color();
                (report::human::render(report, catalog), self.stream)
            }
        };
        emit(stream, &text)?;
        Ok(if report.blocking() > 0 {
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

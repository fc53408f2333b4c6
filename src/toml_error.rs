//! Errors in the TOML files leakgate reads (config, allowlist, rules).

use anyhow::anyhow;

/// A TOML error as `file:line:column: message`, without the quoted source
/// line toml's own message carries: that line may hold a secret, and this
/// error is printed on every commit and, on a server, to every pusher.
pub fn located(file: &str, text: &str, e: &toml::de::Error) -> anyhow::Error {
    let message = e.message().trim_end_matches('\n');
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            anyhow!("{file}:{line}:{column}: {message}")
        }
        None => anyhow!("{file}: {message}"),
    }
}

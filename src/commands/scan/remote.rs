//! `leakgate scan --remote URL`: the history of a repository that is not
//! here. It is cloned as a mirror (objects and refs, no work tree) into a
//! private temporary directory, scanned like any bare repository (settings
//! from its HEAD), and deleted afterwards: on success, on an error, and on
//! Ctrl-C, SIGTERM or SIGHUP (the clone is stopped first, so it cannot write
//! into the directory being removed; see [`super::temp`]).
//!
//! A URL may carry credentials (`https://user:token@host/x`). They must
//! never be printed: everything leakgate says names the URL as
//! [`display_url`] shows it, and git's own messages (git echoes URLs) are
//! passed on only after the URL and its secret parts are replaced.

use super::temp::{self, Private};
use anyhow::{bail, Result};
use std::path::PathBuf;
use std::process::Command;

/// A mirror clone in a temporary directory, deleted when dropped.
pub struct Mirror {
    /// The mirror's git directory.
    pub git_dir: PathBuf,
    /// Held for its `Drop`: deletes the directory.
    _dir: Private,
}

/// `git clone --mirror` of `url` into a fresh temporary directory.
pub fn clone(url: &str) -> Result<Mirror> {
    let shown = display_url(url);
    let dir = Private::new("leakgate-remote-", "the temporary mirror")?;
    let git_dir = dir.path().join("mirror.git");
    let mut cmd = Command::new("git");
    cmd.args(["clone", "--mirror", "--quiet", "--"])
        .arg(url)
        .arg(&git_dir)
        // A password prompt would hang a CI job; credential helpers still work.
        .env("GIT_TERMINAL_PROMPT", "0");
    let (status, text) = temp::run(cmd, "git clone (is git installed?)")?;
    if !status.success() {
        let said = mask_in(&text, url);
        let said: Vec<&str> = said
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        bail!(
            "could not clone {shown}: git clone failed ({status}){}",
            if said.is_empty() {
                String::new()
            } else {
                format!(": {}", said.join(" "))
            }
        );
    }
    Ok(Mirror { git_dir, _dir: dir })
}

/// The parts of `url` that are secret: a password, and a user name where
/// it is likely a token (HTTP and FTP, alone or long).
fn secret_parts(url: &str) -> Vec<String> {
    let Some((scheme, userinfo)) = userinfo(url) else {
        return Vec::new();
    };
    let mut parts = Vec::new();
    match userinfo.split_once(':') {
        Some((user, password)) => {
            parts.push(password.to_string());
            if token_like_user(scheme, user, true) {
                parts.push(user.to_string());
            }
        }
        None => {
            if token_like_user(scheme, userinfo, false) {
                parts.push(userinfo.to_string());
            }
        }
    }
    if let Some(q) = url.find('?') {
        parts.push(url[q + 1..].to_string());
    }
    parts.retain(|p| !p.is_empty());
    // Also as git may print them: percent-decoded.
    let decoded: Vec<String> = parts
        .iter()
        .map(|p| {
            percent_encoding::percent_decode_str(p)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    parts.extend(decoded);
    parts
}

/// A user name that is probably a token: over HTTP(S)/FTP(S) a lone user
/// name (`https://TOKEN@host`) or a long one (`https://TOKEN:x-oauth-basic@`).
fn token_like_user(scheme: &str, user: &str, has_password: bool) -> bool {
    let web = ["http", "https", "ftp", "ftps"]
        .iter()
        .any(|s| scheme.eq_ignore_ascii_case(s));
    web && (!has_password || user.len() >= 20)
}

/// The scheme and user information of a `scheme://userinfo@host/...` URL.
fn userinfo(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let at = authority.rfind('@')?;
    Some((scheme, &authority[..at]))
}

/// `url` as leakgate prints it: a password, a token-like user name and a
/// query string are replaced by `***` (`https://user:***@host/x`).
/// scp-like addresses (`git@host:org/x`) carry a login name, not a secret.
pub fn display_url(url: &str) -> String {
    let mut shown = url.to_string();
    if let Some((scheme, info)) = userinfo(url) {
        let masked = match info.split_once(':') {
            Some((user, _)) if token_like_user(scheme, user, true) => "***:***".to_string(),
            Some((user, _)) => format!("{user}:***"),
            None if token_like_user(scheme, info, false) => "***".to_string(),
            None => info.to_string(),
        };
        let start = scheme.len() + 3;
        shown.replace_range(start..start + info.len(), &masked);
    }
    if let Some(q) = shown.find('?') {
        shown.replace_range(q + 1.., "***");
    }
    shown
}

/// `text` (what git printed) with `url` and every secret part of it masked.
fn mask_in(text: &str, url: &str) -> String {
    let mut text = text.replace(url, &display_url(url));
    let mut parts = secret_parts(url);
    // Longest first, so a part inside another is not masked into a fragment.
    parts.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for p in parts {
        text = text.replace(&p, "***");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_masked_and_logins_kept() {
        let pw = ["s3", "cr3t", "pw"].concat();
        let cases = [
            (
                format!("https://user:{pw}@host/x.git"),
                "https://user:***@host/x.git",
            ),
            (format!("https://{pw}@host/x"), "https://***@host/x"),
            (
                format!("https://{pw}{pw}{pw}{pw}:x-oauth-basic@host/x"),
                "https://***:***@host/x",
            ),
            (
                format!("https://host/x?private_token={pw}"),
                "https://host/x?***",
            ),
            ("ssh://git@host/x.git".to_string(), "ssh://git@host/x.git"),
            ("git@host:org/x.git".to_string(), "git@host:org/x.git"),
            (
                format!("file://me:{pw}@localhost/srv/x.git"),
                "file://me:***@localhost/srv/x.git",
            ),
        ];
        for (url, want) in cases {
            assert_eq!(display_url(&url), want, "{url}");
            // git may echo the URL, or a secret part of it on its own.
            for part in secret_parts(&url) {
                let said = mask_in(&format!("fatal: {url} and {part} again"), &url);
                assert!(!said.contains(&part), "{said}");
                assert!(said.contains(want), "{said}");
            }
        }
        // Every case but the logins has a secret part to mask.
        assert_eq!(secret_parts("ssh://git@host/x.git"), Vec::<String>::new());
        assert_eq!(
            secret_parts(&format!("https://{pw}@host/x")),
            [pw.clone(), pw]
        );
    }

    #[test]
    fn percent_encoded_passwords_are_masked_decoded_too() {
        let url = "https://u:p%40ss%2Fw0rd@host/x";
        let said = mask_in("could not log in as u with p@ss/w0rd", url);
        assert!(!said.contains("p@ss/w0rd"), "{said}");
    }
}

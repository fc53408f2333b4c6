//! Encoded views of a text: secrets hidden behind an encoding.
//!
//! Kubernetes Secret manifests carry values base64-encoded under `data:`, and
//! URLs carry percent-encoded characters. Each view is decoded text plus the
//! span of the encoded original, so a secret found in the view is reported
//! where the user can see it: at the encoded text.

use std::ops::Range;
use std::sync::OnceLock;

use base64::Engine as _;
use regex::Regex;

use super::text::Lines;

pub struct View {
    /// Where the encoded original sits in the scanned text.
    pub span: Range<usize>,
    pub text: String,
    /// How it was encoded, for the report's "why".
    pub encoding: &'static str,
}

pub fn views(text: &str, lines: &Lines) -> Vec<View> {
    let mut out = Vec::new();
    if might_be_secret_manifest(text) {
        kubernetes_secret_data(text, lines, &mut out);
    }
    if might_have_encoded_url(text) {
        percent_encoded_urls(text, &mut out);
    }
    out
}

/// Whether [`views`] could find anything (substring checks only).
pub fn might_have_views(text: &str) -> bool {
    might_be_secret_manifest(text) || might_have_encoded_url(text)
}

fn might_be_secret_manifest(text: &str) -> bool {
    text.contains("Secret") && text.contains("data:")
}

fn might_have_encoded_url(text: &str) -> bool {
    memchr::memchr(b'%', text.as_bytes()).is_some() && text.contains("://")
}

fn kubernetes_secret_data(text: &str, lines: &Lines, out: &mut Vec<View>) {
    static KIND: OnceLock<Regex> = OnceLock::new();
    let kind =
        KIND.get_or_init(|| Regex::new(r"(?m)^\s*kind:\s*[\x22']?Secret[\x22']?\s*$").unwrap());
    if !kind.is_match(text) {
        return;
    }
    let mut data_indent: Option<usize> = None;
    for l in 1..=lines.count() {
        let (s, e) = lines.span(text, l);
        let line = &text[s..e];
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        match data_indent {
            Some(d) if indent > d => {
                let Some((key, value)) = trimmed.split_once(':') else {
                    continue;
                };
                let value = value.trim().trim_matches(['"', '\'']);
                if value.len() < 8 {
                    continue;
                }
                let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(value) else {
                    continue;
                };
                let Ok(decoded) = String::from_utf8(bytes) else {
                    continue;
                };
                let at = s + indent + line[indent..].find(value).unwrap_or(0);
                // A decoded file is scanned as a file; a single value keeps
                // its key, which is often the only context it has.
                let text = if decoded.contains('\n') {
                    decoded
                } else {
                    format!("{}: {decoded}\n", key.trim())
                };
                out.push(View {
                    span: at..at + value.len(),
                    text,
                    encoding: "base64 in a Kubernetes Secret",
                });
            }
            _ => {
                data_indent = (trimmed.trim_end() == "data:").then_some(indent);
            }
        }
    }
}

fn percent_encoded_urls(text: &str, out: &mut Vec<View>) {
    static URL: OnceLock<Regex> = OnceLock::new();
    let url = URL.get_or_init(|| {
        Regex::new(r#"[A-Za-z][A-Za-z0-9+.\-]*://[^\s"'<>`]*%[0-9A-Fa-f]{2}[^\s"'<>`]*"#).unwrap()
    });
    for m in url.find_iter(text) {
        let decoded = percent_encoding::percent_decode_str(m.as_str()).decode_utf8_lossy();
        if decoded != m.as_str() {
            out.push(View {
                span: m.range(),
                text: decoded.into_owned(),
                encoding: "percent-encoding in a URL",
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_secret_data_and_urls() {
        let b64 = base64::engine::general_purpose::STANDARD.encode("s3cr3t-value");
        let text = format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\ndata:\n  API_KEY: {b64}\n  short: YQ==\ntype: Opaque\n"
        );
        let lines = Lines::new(&text);
        let v = views(&text, &lines);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].text, "API_KEY: s3cr3t-value\n");
        assert_eq!(&text[v[0].span.clone()], b64);

        let url = "see https://host/x?key=a%2Bb%40c for details";
        let v = views(url, &Lines::new(url));
        assert_eq!(v[0].text, "https://host/x?key=a+b@c");
        assert_eq!(&url[v[0].span.clone()], "https://host/x?key=a%2Bb%40c");
    }

    #[test]
    fn only_secrets_are_decoded() {
        let b64 = base64::engine::general_purpose::STANDARD.encode("value-value");
        let text = format!("kind: ConfigMap\ndata:\n  A: {b64}\n");
        assert!(views(&text, &Lines::new(&text)).is_empty());
    }
}

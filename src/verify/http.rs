//! One verification request: built from the rule's data, sent over HTTPS
//! with ureq (rustls), and read into a status and a bounded body.
//!
//! Must never: send to a host other than the rule's (the host is fixed at
//! build time and never templated, but for a rule's `subdomain`: one DNS
//! label from the text under its fixed parent, checked again here;
//! redirects are not followed), go through
//! a proxy, or word an error with anything the client says (its errors can
//! quote the URL, which can hold the key).

use std::collections::HashMap;
use std::io::Read as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine as _;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::{judge, sigv4, Secret, Status};
use crate::rules::schema::{HttpMethod, VerifySpec};

/// The tests' fake provider server: `http://127.0.0.1:PORT` (loopback
/// only) in place of every `https://HOST`. Read only in builds with the
/// `test-endpoints` feature, which `cargo test` turns on and a release
/// (`cargo install`, install.sh) never has.
pub const BASE_URL_VAR: &str = "LEAKGATE_VERIFY_BASE_URL";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const TOTAL_TIMEOUT: Duration = Duration::from_secs(5);
/// The most of an answer read: enough for any status document.
const BODY_LIMIT: u64 = 64 * 1024;
/// Between two requests to one host, at least this long.
const PER_HOST_INTERVAL: Duration = Duration::from_millis(250);

/// What is percent-encoded where a key goes into a URL: everything but
/// unreserved characters and `:` (Telegram's `123:ABC` bot tokens), so a
/// key can never add a path segment, a query or a fragment.
const IN_URL: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b':');

/// The host of a checked `https://HOST/...` URL.
pub fn host_of(url: &str) -> &str {
    let rest = url.strip_prefix("https://").unwrap_or(url);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

/// At most one request per [`PER_HOST_INTERVAL`] to each host, whatever the
/// number of workers.
#[derive(Default)]
pub struct Pacer {
    next: Mutex<HashMap<String, Instant>>,
}

impl Pacer {
    pub fn wait(&self, host: &str) {
        let slot = {
            let mut next = self.next.lock().expect("pacer");
            let now = Instant::now();
            let slot = next.get(host).copied().filter(|t| *t > now).unwrap_or(now);
            next.insert(host.to_string(), slot + PER_HOST_INTERVAL);
            slot
        };
        let now = Instant::now();
        if slot > now {
            std::thread::sleep(slot - now);
        }
    }
}

pub struct Client {
    agent: ureq::Agent,
    /// The test server's base URL (see [`BASE_URL_VAR`]), or why the one
    /// given cannot be used.
    base: Option<Result<String, String>>,
}

impl Client {
    pub fn new() -> Client {
        let base = test_base();
        let agent = ureq::Agent::config_builder()
            .https_only(base.is_none())
            .http_status_as_error(false)
            .max_redirects(0)
            .proxy(None)
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(TOTAL_TIMEOUT))
            .user_agent(concat!("leakgate/", env!("CARGO_PKG_VERSION"), " (verify)"))
            .build()
            .new_agent();
        Client { agent, base }
    }

    /// Sends the check and says what the answer means, with a detail that
    /// names the host and the status, never the key.
    pub fn check(
        &self,
        spec: &VerifySpec,
        secret: &Secret,
        pair: Option<&Secret>,
        subdomain: Option<&str>,
    ) -> (Status, String) {
        let fill = |t: &str, encode: bool| fill(t, secret, pair, encode);
        // The host: the rule's, fixed; or, for a check with `subdomain`,
        // one label from the text under the rule's fixed parent, checked
        // again here, before anything is sent.
        let template = match (&spec.subdomain, subdomain) {
            (None, _) => spec.url.clone(),
            (Some(s), Some(label)) => match s.host(label) {
                Some(host) => spec
                    .url
                    .replacen(&format!("{{subdomain}}.{}", s.parent), &host, 1),
                None => return (Status::Unknown, refused_host(&s.parent)),
            },
            (Some(s), None) => return (Status::Unknown, refused_host(&s.parent)),
        };
        let mut url = fill(&template, true);
        let host = host_of(&url).to_string();
        let host = host.as_str();
        if let Some(s) = &spec.subdomain {
            let suffix = format!(".{}", s.parent);
            let label = host.strip_suffix(&suffix).unwrap_or("");
            if crate::rules::schema::dns_label(label).as_deref() != Some(label) {
                return (Status::Unknown, refused_host(&s.parent));
            }
        }
        match &self.base {
            None => {}
            Some(Ok(base)) => url = format!("{base}{}", &url["https://".len() + host.len()..]),
            Some(Err(e)) => return (Status::Unknown, e.clone()),
        }
        let mut headers: Vec<(String, String)> = spec
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), fill(v, false)))
            .collect();
        if let Some(b) = &spec.basic {
            let pair = format!("{}:{}", fill(&b.user, false), fill(&b.password, false));
            let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
            headers.push(("Authorization".into(), format!("Basic {encoded}")));
        }
        let body = spec.body.as_deref().map(|b| fill(b, false));
        if let Some(ct) = &spec.content_type {
            headers.push(("Content-Type".into(), ct.clone()));
        }
        if let (Some(sign), Some(pair)) = (&spec.sign, pair) {
            headers.extend(sigv4::sign(
                sign,
                host,
                path_and_query(&template),
                body.as_deref().unwrap_or(""),
                &headers,
                pair.expose(),
                secret.expose(),
                time::OffsetDateTime::now_utc(),
            ));
        }
        let sent = match spec.method {
            HttpMethod::Get => {
                let mut r = self.agent.get(&url);
                for (k, v) in &headers {
                    r = r.header(k, v);
                }
                r.call()
            }
            HttpMethod::Post => {
                let mut r = self.agent.post(&url);
                for (k, v) in &headers {
                    r = r.header(k, v);
                }
                r.send(body.unwrap_or_default().as_bytes())
            }
        };
        let mut answer = match sent {
            Ok(a) => a,
            // The client's own words can quote the URL: say what happened.
            Err(e) => return (Status::Unknown, failure(&e, host)),
        };
        let code = answer.status().as_u16();
        let mut text = String::new();
        let read = answer
            .body_mut()
            .as_reader()
            .take(BODY_LIMIT)
            .read_to_string(&mut text);
        if read.is_err() {
            // An unreadable (or non-UTF-8) body says nothing a rule checks
            // for; the status still may.
            text.clear();
        }
        let status = judge(spec, code, &text);
        // A pair's answer is about the pair: say which half came from where.
        let paired = spec
            .pair
            .as_ref()
            .map(|p| format!(" (with the {} found nearest the key)", p.name))
            .unwrap_or_default();
        let detail = match (status, code) {
            (Status::Unknown, 300..=399) => {
                format!("HTTP {code} from {host}: a redirect, not followed")
            }
            (Status::Unknown, _) => {
                format!("HTTP {code} from {host}{paired}: not an answer this check knows")
            }
            _ => format!("HTTP {code} from {host}{paired}"),
        };
        (status, detail)
    }
}

/// Why a check with a host from the text was not sent.
fn refused_host(parent: &str) -> String {
    format!("not checked: the host found is not one name under {parent}")
}

/// The URL's path and query as a signature covers them (`/` for none).
fn path_and_query(url: &str) -> &str {
    let rest = url.strip_prefix("https://").unwrap_or(url);
    match rest.find(['/', '?']) {
        Some(i) if rest[i..].starts_with('/') => &rest[i..],
        _ => "/",
    }
}

/// A template with `{secret}` and `{pair}` filled in; percent-encoded for a
/// URL.
fn fill(template: &str, secret: &Secret, pair: Option<&Secret>, encode: bool) -> String {
    let put = |s: &str| -> String {
        if encode {
            utf8_percent_encode(s, IN_URL).to_string()
        } else {
            s.to_string()
        }
    };
    let mut out = template.replace("{secret}", &put(secret.expose()));
    if let Some(p) = pair {
        out = out.replace("{pair}", &put(p.expose()));
    }
    out
}

/// A failed request in words that hold no URL.
fn failure(e: &ureq::Error, host: &str) -> String {
    use ureq::Error as E;
    match e {
        E::Timeout(_) => format!("no answer from {host} within {} s", TOTAL_TIMEOUT.as_secs()),
        E::HostNotFound => format!("{host} could not be resolved (DNS)"),
        E::ConnectionFailed => format!("could not connect to {host}"),
        E::Io(io) => format!("network error talking to {host}: {}", io.kind()),
        E::Tls(_) | E::Rustls(_) => format!("TLS failed with {host}"),
        E::RequireHttpsOnly(_) => format!("refused to send to {host} without HTTPS"),
        E::TooManyRedirects => format!("{host} redirected: not followed"),
        _ => format!("the request to {host} failed"),
    }
}

/// The override for the tests' fake server, only in builds made for tests.
#[cfg(feature = "test-endpoints")]
fn test_base() -> Option<Result<String, String>> {
    let v = std::env::var(BASE_URL_VAR).ok().filter(|v| !v.is_empty())?;
    let loopback = ["http://127.0.0.1:", "http://[::1]:"].iter().any(|p| {
        v.strip_prefix(p)
            .is_some_and(|port| port.parse::<u16>().is_ok())
    });
    Some(if loopback {
        Ok(v)
    } else {
        Err(format!(
            "{BASE_URL_VAR} must be http://127.0.0.1:PORT (a test server on this machine)"
        ))
    })
}

#[cfg(not(feature = "test-endpoints"))]
fn test_base() -> Option<Result<String, String>> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_in_a_url_stays_one_path_segment_or_query_value() {
        let secret = Secret::new("12:ab/../x?y#z&w");
        let url = fill(
            "https://api.example.com/bot{secret}/getMe",
            &secret,
            None,
            true,
        );
        assert_eq!(
            url,
            "https://api.example.com/bot12:ab%2F..%2Fx%3Fy%23z%26w/getMe"
        );
        assert_eq!(host_of(&url), "api.example.com");
        assert_eq!(path_and_query("https://sts.amazonaws.com"), "/");
        assert_eq!(path_and_query("https://sts.amazonaws.com/a?b"), "/a?b");
    }
}

//! `--verify`: asks each key's provider whether the key still works.
//!
//! Opt-in and off by default: until a command calls [`arm`] (on `--verify`,
//! or `verify = true` in the policy it was given), [`offer`] returns at once
//! and nothing here opens a connection. Armed, the engine offers each
//! verifiable secret as it builds the finding (the only moment the raw
//! value exists outside the scanned text); it is kept here in a private
//! [`Secret`] (no `Debug`, `Display`, `Clone` or serialisation), keyed by
//! fingerprint, and checked once per distinct secret when the report asks
//! ([`check_reported`]), after the allowlist has dropped what the team
//! allowed.
//!
//! Each check is one request, described by the rule's `[rule.verify]` data:
//! HTTPS to the rule's fixed host only, no redirect followed, no proxy,
//! short timeouts, a few requests at a time and at most a few a second per
//! host. Anything that does not clearly say "live" or "revoked" (no
//! network, DNS, a timeout, a 5xx, a redirect, an answer the rule does not
//! describe) is `unknown`, never `revoked`. Errors are worded here, never
//! taken from the HTTP client, whose messages can hold the URL (and a URL
//! can hold the key).
//!
//! Verification never changes the exit code: a revoked key still belongs
//! out of the code. It only orders live keys first and says so.

mod http;
mod sigv4;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::fingerprint::Fingerprint;
use crate::rules::schema::VerifySpec;
use crate::rules::Rule;

pub use http::{host_of, BASE_URL_VAR};

/// What a provider said about a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Live,
    Revoked,
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Live => "live",
            Status::Revoked => "revoked",
            Status::Unknown => "unknown",
        }
    }
}

/// The outcome of one check, as reports show it. `detail` never holds the
/// key: it is worded here from the status code and the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub status: Status,
    /// RFC 3339, UTC, to the second.
    pub checked_at: String,
    /// `HTTP 401 from rest.messagebird.com`, `no answer from … in 5 s`.
    pub detail: String,
}

/// A raw key (or the other half of a pair). Deliberately without `Debug`,
/// `Display`, `Clone` or `Serialize`: it can be read only by the request
/// builder, and it is overwritten when dropped.
pub(crate) struct Secret(String);

impl Secret {
    fn new(s: &str) -> Secret {
        Secret(s.to_string())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        // Best effort: the bytes this value owned do not outlive it.
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        bytes.iter_mut().for_each(|b| *b = 0);
        std::hint::black_box(&bytes);
    }
}

/// One secret to check: the rule's check and what it needs.
struct Candidate {
    spec: Arc<VerifySpec>,
    secret: Secret,
    /// The other half, when the check needs one: found beside the key, or
    /// not (then the check is `unknown` without a request).
    pair: Option<Secret>,
    /// The host's one label taken from the text (a Shopify shop name),
    /// already checked by [`dns_label`](crate::rules::schema::dns_label),
    /// when the check needs one: not a secret, but never sent without a key
    /// either.
    subdomain: Option<String>,
}

static ARMED: AtomicBool = AtomicBool::new(false);

fn stash() -> &'static Mutex<HashMap<Fingerprint, Candidate>> {
    static STASH: OnceLock<Mutex<HashMap<Fingerprint, Candidate>>> = OnceLock::new();
    STASH.get_or_init(Default::default)
}

/// Turns verification on for this process: from now on the engine offers
/// verifiable secrets, and [`check_reported`] checks the reported ones.
/// Called by `scan` and `ci` (on `--verify` or `verify = true`) and by the
/// pre-commit hook only when its `.leakgate.toml` says `verify = true`.
pub fn arm() {
    ARMED.store(true, Ordering::SeqCst);
}

pub fn armed() -> bool {
    ARMED.load(Ordering::Relaxed)
}

/// The engine offers a secret it found, at byte `at` of `text`. Nothing is
/// kept unless verification is armed and the rule has a check.
pub(crate) fn offer(rule: &Rule, fingerprint: &Fingerprint, secret: &str, text: &str, at: usize) {
    if !armed() {
        return;
    }
    let Some(spec) = &rule.verify else {
        return;
    };
    let mut stash = stash().lock().expect("verify stash");
    if stash.contains_key(fingerprint) {
        return;
    }
    let pair = spec
        .pair
        .as_ref()
        .and_then(|p| nearest(&p.pattern, text, at))
        .map(Secret::new);
    let subdomain = spec
        .subdomain
        .as_ref()
        .and_then(|s| nearest(&s.pattern, text, at))
        .and_then(crate::rules::schema::dns_label);
    stash.insert(
        fingerprint.clone(),
        Candidate {
            spec: Arc::clone(spec),
            secret: Secret::new(secret),
            pair,
            subdomain,
        },
    );
}

/// The match of `pattern` (its first group, or the whole match) nearest to
/// byte `at` of `text`.
fn nearest<'t>(pattern: &str, text: &'t str, at: usize) -> Option<&'t str> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<regex::Regex>>>> = OnceLock::new();
    let re = CACHE
        .get_or_init(Default::default)
        .lock()
        .expect("pair regexes")
        .entry(pattern.to_string())
        .or_insert_with(|| regex::Regex::new(pattern).ok())
        .clone()?;
    re.captures_iter(text)
        .filter_map(|c| c.get(1).or_else(|| c.get(0)))
        .min_by_key(|m| m.start().abs_diff(at))
        .map(|m| m.as_str())
}

/// How many checks run at once.
const WORKERS: usize = 4;

/// Checks each of `reported` (the fingerprints a report still holds after
/// the allowlist: an allowlisted key is never sent anywhere) whose secret
/// was offered, once per distinct secret, and forgets every other secret
/// it was offered. Empty when verification is not armed.
pub fn check_reported<'a>(
    reported: impl IntoIterator<Item = &'a Fingerprint>,
) -> HashMap<Fingerprint, Verification> {
    if !armed() {
        return HashMap::new();
    }
    let mut todo: Vec<(Fingerprint, Candidate)> = Vec::new();
    {
        let mut stash = stash().lock().expect("verify stash");
        for fp in reported {
            if let Some(c) = stash.remove(fp) {
                todo.push((fp.clone(), c));
            }
        }
        // What was not reported is forgotten, not checked.
        stash.clear();
    }
    check_all(todo)
}

/// Runs the checks on up to [`WORKERS`] threads, each host paced by
/// [`http::Pacer`].
fn check_all(todo: Vec<(Fingerprint, Candidate)>) -> HashMap<Fingerprint, Verification> {
    if todo.is_empty() {
        return HashMap::new();
    }
    let queue = Mutex::new(todo);
    let results = Mutex::new(HashMap::new());
    let pacer = http::Pacer::default();
    let client = http::Client::new();
    std::thread::scope(|s| {
        let workers = WORKERS.min(queue.lock().expect("queue").len());
        for _ in 0..workers {
            s.spawn(|| loop {
                let Some((fp, c)) = queue.lock().expect("queue").pop() else {
                    return;
                };
                let v = check(&client, &pacer, &c);
                results.lock().expect("results").insert(fp, v);
            });
        }
    });
    results.into_inner().expect("results")
}

fn check(client: &http::Client, pacer: &http::Pacer, c: &Candidate) -> Verification {
    let host = match &c.spec.subdomain {
        None => Some(http::host_of(&c.spec.url).to_string()),
        Some(s) => c.subdomain.as_deref().and_then(|label| s.host(label)),
    };
    let (status, detail) = if let (Some(s), None) = (&c.spec.subdomain, &host) {
        (
            Status::Unknown,
            format!(
                "not checked: no {} (…{}) found beside the key to check it at",
                s.name, s.parent
            ),
        )
    } else if c.spec.pair.is_some() && c.pair.is_none() {
        let name = c.spec.pair.as_ref().map_or("", |p| p.name.as_str());
        (
            Status::Unknown,
            format!("not checked: no {name} found beside the key to check it with"),
        )
    } else {
        let host = host.unwrap_or_default();
        pacer.wait(&host);
        client.check(&c.spec, &c.secret, c.pair.as_ref(), c.subdomain.as_deref())
    };
    Verification {
        status,
        checked_at: now_rfc3339(),
        detail,
    }
}

fn now_rfc3339() -> String {
    let t = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// What the answer to a check means, by the rule's data: see
/// [`VerifySpec`]'s fields. Anything not described is unknown.
pub(crate) fn judge(spec: &VerifySpec, status: u16, body: &str) -> Status {
    let said = |words: &[String]| words.iter().any(|w| body.contains(w.as_str()));
    let revoked = if spec.revoked_body.is_empty() {
        spec.revoked.contains(&status)
    } else {
        (spec.revoked.contains(&status) || spec.live.contains(&status)) && said(&spec.revoked_body)
    };
    if revoked {
        Status::Revoked
    } else if spec.live.contains(&status) && (spec.live_body.is_empty() || said(&spec.live_body)) {
        Status::Live
    } else {
        Status::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(toml_text: &str) -> VerifySpec {
        toml::from_str(toml_text).expect("a verify spec")
    }

    #[test]
    fn answers_mean_what_the_rule_says_and_nothing_else() {
        let mb = spec(
            "method = 'GET'\nurl = 'https://rest.messagebird.com/balance'\n\
             headers = { Authorization = 'AccessKey {secret}' }\nlive = [200]\nrevoked = [401]",
        );
        assert_eq!(mb.problem(), None);
        assert_eq!(judge(&mb, 200, ""), Status::Live);
        assert_eq!(judge(&mb, 401, ""), Status::Revoked);
        for other in [301, 403, 429, 500, 503] {
            assert_eq!(judge(&mb, other, ""), Status::Unknown, "{other}");
        }
        let slack = spec(
            "method = 'POST'\nurl = 'https://slack.com/api/auth.test'\n\
             headers = { Authorization = 'Bearer {secret}' }\nlive = [200]\n\
             live_body = ['\"ok\":true']\nrevoked_body = ['\"invalid_auth\"']",
        );
        assert_eq!(slack.problem(), None);
        assert_eq!(judge(&slack, 200, r#"{"ok":true}"#), Status::Live);
        assert_eq!(
            judge(&slack, 200, r#"{"ok":false,"error":"invalid_auth"}"#),
            Status::Revoked
        );
        assert_eq!(
            judge(&slack, 200, r#"{"ok":false,"error":"ratelimited"}"#),
            Status::Unknown
        );
    }

    #[test]
    fn a_check_cannot_send_a_key_in_the_clear_or_to_a_host_of_its_choosing() {
        let base = "method = 'GET'\nlive = [200]\nrevoked = [401]\n";
        let with = |url: &str| spec(&format!("{base}url = '{url}'"));
        assert!(with("http://api.example.com/{secret}").problem().is_some());
        assert!(with("https://{secret}.example.com/").problem().is_some());
        assert!(with("https://api.example.com@{secret}/x")
            .problem()
            .is_some());
        assert!(with("https://api.example.com:8443/{secret}")
            .problem()
            .is_some());
        assert!(with("https://api.example.com/x?k={key}")
            .problem()
            .is_some());
        assert!(
            with("https://api.example.com/x").problem().is_some(),
            "never sends the key"
        );
        assert_eq!(
            with("https://api.example.com/bot{secret}/getMe").problem(),
            None
        );
        let redirect = spec(
            "method = 'GET'\nurl = 'https://a.example.com/{secret}'\nlive = [302]\nrevoked = [401]",
        );
        assert!(redirect.problem().is_some(), "a redirect means nothing");
    }

    #[test]
    fn every_built_in_check_is_sound_and_twenty_providers_have_one() {
        let catalog = crate::rules::Catalog::builtin().unwrap();
        catalog.load_all().unwrap();
        let mut providers = std::collections::BTreeSet::new();
        for r in catalog.rules.iter() {
            let Some(v) = &r.verify else { continue };
            assert_eq!(v.problem(), None, "{}", r.id);
            if let Some(p) = &v.pair {
                regex::Regex::new(&p.pattern).unwrap_or_else(|e| panic!("{}: {e}", r.id));
            }
            if let Some(s) = &v.subdomain {
                regex::Regex::new(&s.pattern).unwrap_or_else(|e| panic!("{}: {e}", r.id));
            }
            providers.insert(r.provider.clone());
        }
        assert!(providers.len() >= 20, "{providers:?}");
        assert!(providers.contains("MessageBird") && providers.contains("AWS"));
        assert!(providers.contains("Shopify"));
    }

    #[test]
    fn the_pair_is_the_match_nearest_the_key() {
        let text = format!("sid=AC01\n{}token=x\nsid=AC02\n", "\n".repeat(20));
        let text = text.as_str();
        let at = text.find("token").unwrap();
        assert_eq!(nearest(r"\bAC(\d\d)\b", text, at), Some("02"));
        assert_eq!(nearest(r"\bXX\b", text, at), None);
    }
}

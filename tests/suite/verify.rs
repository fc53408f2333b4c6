//! `--verify` (issue 13): each found key checked with its provider, against
//! a fake provider server on 127.0.0.1 that imitates the providers'
//! answers. The binary reaches it through `LEAKGATE_VERIFY_BASE_URL`, which
//! only builds with the `test-endpoints` feature honour (`cargo test` turns
//! it on; `cargo install` never does). The server records every connection
//! and request, so a test can prove that none was made.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::*;
use leakgate::rules::testgen::token;

/// One request the fake server read.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    target: String,
    /// Lower-cased names.
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

enum Reply {
    Status(u16, String),
    Redirect(String),
    /// Read the request, answer nothing for longer than any timeout.
    Hang,
}

type Answer = dyn Fn(&Seen) -> Reply + Send + Sync;

/// A fake provider: answers every request with `answer`, counts
/// connections, keeps what it read. Stops when dropped.
struct Fake {
    port: u16,
    connections: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
}

impl Fake {
    fn start(answer: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding the fake server");
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let answer: Arc<Answer> = Arc::new(answer);
        let (c, s, st) = (connections.clone(), seen.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                c.fetch_add(1, Ordering::SeqCst);
                let (s, answer) = (s.clone(), answer.clone());
                std::thread::spawn(move || serve(stream, &s, &*answer));
            }
        });
        Fake {
            port,
            connections,
            seen,
            stop,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// leakgate in `dir` with the override pointing here.
    fn leakgate(&self, sb: &Sandbox, dir: &Path, args: &[&str]) -> Run {
        sb.output(
            sb.command(BIN, dir)
                .env("LEAKGATE_VERIFY_BASE_URL", self.url())
                .args(args),
        )
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(stream: TcpStream, seen: &Mutex<Vec<Seen>>, answer: &Answer) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len.min(1 << 16)];
    let _ = reader.read_exact(&mut body);
    let request = Seen {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    seen.lock().unwrap().push(request.clone());
    let mut stream = stream;
    let text = match answer(&request) {
        Reply::Status(code, body) => format!(
            "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
        Reply::Redirect(to) => format!(
            "HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
        Reply::Hang => {
            std::thread::sleep(Duration::from_secs(8));
            return;
        }
    };
    let _ = stream.write_all(text.as_bytes());
}

fn ok(body: &str) -> Reply {
    Reply::Status(200, body.to_string())
}

/// A folder with `files` written in it.
fn folder(sb: &Sandbox, files: &[(&str, String)]) -> std::path::PathBuf {
    let dir = sb.path("work");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in files {
        write(&dir, name, text);
    }
    dir
}

fn mb_file(k: &str) -> String {
    format!("messagebird:\n  access_key: {k}\n")
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}:\n{}", run.all()))
}

/// `(rule_id, verification)` of each finding, in report order.
fn verdicts(doc: &serde_json::Value) -> Vec<(String, serde_json::Value)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["verification"].clone(),
            )
        })
        .collect()
}

#[test]
fn messagebird_live_and_revoked_keys_are_told_apart_and_live_comes_first() {
    let sb = Sandbox::new();
    let (revoked, live) = (key(1), key(2));
    let live_header = format!("AccessKey {live}");
    let expected = live_header.clone();
    let fake = Fake::start(move |r| {
        if r.method == "GET"
            && r.target == "/balance"
            && r.header("authorization") == Some(&expected)
        {
            ok(r#"{"payment":"prepaid","type":"credits","amount":10}"#)
        } else {
            Reply::Status(401, r#"{"errors":[{"code":2}]}"#.into())
        }
    });
    // The revoked key's file is scanned first.
    let dir = folder(
        &sb,
        &[("a.yml", mb_file(&revoked)), ("b.yml", mb_file(&live))],
    );

    let run = fake
        .leakgate(
            &sb,
            &dir,
            &["scan", "--verify", "--format", "json", "a.yml", "b.yml"],
        )
        .expect_found("a verified scan still blocks");
    let doc = json(&run);
    let v = verdicts(&doc);
    assert_eq!(v.len(), 2, "{}", run.stdout);
    assert_eq!(v[0].1["status"], "live", "live first: {}", run.stdout);
    assert_eq!(doc["findings"][0]["path"], "b.yml");
    assert_eq!(v[0].1["detail"], "HTTP 200 from rest.messagebird.com");
    assert_eq!(v[1].1["status"], "revoked", "{}", run.stdout);
    assert_eq!(v[1].1["detail"], "HTTP 401 from rest.messagebird.com");
    let at = v[0].1["checked_at"].as_str().unwrap();
    assert!(
        at.len() == 20 && at.ends_with('Z') && at.as_bytes()[10] == b'T',
        "{at}"
    );

    // Exactly one request per key, each with exactly the documented header.
    let seen = fake.seen();
    assert_eq!(seen.len(), 2);
    let mut auth: Vec<&str> = seen
        .iter()
        .filter_map(|s| s.header("authorization"))
        .collect();
    auth.sort();
    let mut want = [format!("AccessKey {revoked}"), live_header.clone()];
    want.sort();
    assert!(auth == want, "the server saw other Authorization headers");
    assert!(seen
        .iter()
        .all(|s| s.method == "GET" && s.target == "/balance"));

    // The human report says LIVE, on the live key, shown first.
    let human = fake
        .leakgate(&sb, &dir, &["scan", "--verify", "a.yml", "b.yml"])
        .expect_found("human report");
    let out = &human.stdout;
    let live_at = out
        .find("verified: LIVE")
        .unwrap_or_else(|| panic!("{out}"));
    let revoked_at = out
        .find("verified: revoked")
        .unwrap_or_else(|| panic!("{out}"));
    assert!(live_at < revoked_at, "{out}");
    assert!(
        out.find("b.yml:2").unwrap() < out.find("a.yml:2").unwrap(),
        "{out}"
    );
    assert!(out.contains("HTTP 200 from rest.messagebird.com"), "{out}");

    // SARIF carries it in each result's properties.
    let sarif = fake
        .leakgate(
            &sb,
            &dir,
            &["scan", "--verify", "--format", "sarif", "a.yml", "b.yml"],
        )
        .expect_found("sarif");
    let doc: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["properties"]["verification"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["live", "revoked"], "{}", sarif.stdout);
}

#[test]
fn errors_timeouts_and_a_server_that_is_not_there_are_unknown_never_revoked() {
    let sb = Sandbox::new();
    let k = key(3);
    let dir = folder(&sb, &[("sms.yml", mb_file(&k))]);
    let cases: Vec<(Reply, &str)> = vec![
        (
            Reply::Status(500, "oops".into()),
            "HTTP 500 from rest.messagebird.com",
        ),
        (
            Reply::Status(403, String::new()),
            "HTTP 403 from rest.messagebird.com",
        ),
        (Reply::Hang, "no answer from rest.messagebird.com"),
    ];
    for (reply, detail) in cases {
        let reply = Mutex::new(Some(reply));
        let fake = Fake::start(move |_| reply.lock().unwrap().take().unwrap_or(Reply::Hang));
        let run = fake
            .leakgate(
                &sb,
                &dir,
                &["scan", "--verify", "--format", "json", "sms.yml"],
            )
            .expect_found("an unknown key still blocks");
        let v = &verdicts(&json(&run))[0].1;
        assert_eq!(v["status"], "unknown", "{}", run.stdout);
        assert!(
            v["detail"].as_str().unwrap().starts_with(detail),
            "{}",
            run.stdout
        );
        assert_eq!(fake.seen().len(), 1);
    }

    // Nothing listens on the port at all.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let run = sb
        .output(
            sb.command(BIN, &dir)
                .env(
                    "LEAKGATE_VERIFY_BASE_URL",
                    format!("http://127.0.0.1:{port}"),
                )
                .args(["scan", "--verify", "--format", "json", "sms.yml"]),
        )
        .expect_found("no server");
    let v = &verdicts(&json(&run))[0].1;
    assert_eq!(v["status"], "unknown", "{}", run.stdout);
    assert!(
        v["detail"]
            .as_str()
            .unwrap()
            .contains("rest.messagebird.com"),
        "{}",
        run.stdout
    );
}

#[test]
fn without_verify_no_connection_is_made_and_nothing_says_verification() {
    let sb = Sandbox::new();
    let fake = Fake::start(|_| ok("{}"));
    let k = key(4);
    // A MessageBird test key has no check: --verify sends nothing for it.
    let test_key = secret(format!("test_{}", token("alnum", 25, 9104)));
    let dir = folder(
        &sb,
        &[
            ("sms.yml", mb_file(&k)),
            ("test.env", format!("MESSAGEBIRD_ACCESS_KEY={test_key}\n")),
        ],
    );
    for format in ["json", "human", "sarif"] {
        let run = fake
            .leakgate(
                &sb,
                &dir,
                &["scan", "--format", format, "sms.yml", "test.env"],
            )
            .expect_found("a plain scan");
        assert!(!run.stdout.contains("verif"), "{}", run.stdout);
    }
    let stdin = sb.output_with_stdin(
        sb.command(BIN, &dir)
            .env("LEAKGATE_VERIFY_BASE_URL", fake.url())
            .args(["scan", "-"]),
        mb_file(&k).as_bytes(),
    );
    assert_eq!(stdin.code, Some(1), "{}", stdin.all());
    let run = fake
        .leakgate(
            &sb,
            &dir,
            &["scan", "--verify", "--format", "json", "test.env"],
        )
        .expect_found("a key with no check");
    assert_eq!(verdicts(&json(&run))[0].0, "messagebird-test-key");
    assert!(verdicts(&json(&run))[0].1.is_null(), "{}", run.stdout);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(fake.connections(), 0, "a scan without --verify connected");
}

#[test]
fn a_redirect_is_not_followed() {
    let sb = Sandbox::new();
    let k = key(5);
    let dir = folder(&sb, &[("sms.yml", mb_file(&k))]);
    let port = Arc::new(Mutex::new(0u16));
    let p = port.clone();
    let fake = Fake::start(move |r| {
        if r.target == "/balance" {
            Reply::Redirect(format!("http://127.0.0.1:{}/elsewhere", p.lock().unwrap()))
        } else {
            ok("{}")
        }
    });
    *port.lock().unwrap() = fake.port;
    let run = fake
        .leakgate(
            &sb,
            &dir,
            &["scan", "--verify", "--format", "json", "sms.yml"],
        )
        .expect_found("redirected");
    let v = &verdicts(&json(&run))[0].1;
    assert_eq!(v["status"], "unknown");
    assert_eq!(
        v["detail"],
        "HTTP 302 from rest.messagebird.com: a redirect, not followed"
    );
    let seen = fake.seen();
    assert_eq!(seen.len(), 1, "followed the redirect");
    assert_eq!(seen[0].target, "/balance");
}

#[test]
fn rules_list_says_which_rules_are_verifiable() {
    let sb = Sandbox::new();
    let dir = folder(&sb, &[]);
    let run = sb
        .leakgate(&dir, &["rules", "list", "--format", "json"])
        .expect_ok("rules list --format json");
    let rules: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert!(rules.iter().all(|r| r["verifiable"].is_boolean()));
    let mb = rules
        .iter()
        .find(|r| r["id"] == "messagebird-access-key")
        .unwrap();
    assert_eq!(mb["verifiable"], true);
    assert_eq!(mb["verify_host"], "rest.messagebird.com");
    let test = rules
        .iter()
        .find(|r| r["id"] == "messagebird-test-key")
        .unwrap();
    assert_eq!(test["verifiable"], false);
    let human = sb
        .leakgate(&dir, &["rules", "list"])
        .expect_ok("rules list");
    assert!(human
        .stdout
        .lines()
        .next()
        .unwrap()
        .ends_with("blocks  verifiable"));
    let line = human
        .stdout
        .lines()
        .find(|l| l.starts_with("messagebird-access-key "))
        .unwrap();
    assert!(line.ends_with("yes     yes"), "{line}");
}

#[test]
fn verify_true_in_the_settings_verifies_scans_and_the_hook_only_when_asked() {
    let sb = Sandbox::new();
    let k = key(6);
    let fake = Fake::start(|_| ok("{}"));
    let repo = sb.repo("r");
    sb.install(&repo).expect_ok("install");
    write(&repo, "sms.yml", &mb_file(&k));
    sb.git(&repo, &["add", "sms.yml"]).expect_ok("add");

    // The hook, with no setting: no connection.
    let commit = sb.output(
        sb.command("git", &repo)
            .env("LEAKGATE_VERIFY_BASE_URL", fake.url())
            .args(["commit", "-q", "-m", "sms"]),
    );
    let commit = commit.expect_blocked("the hook blocks");
    assert!(!commit.stderr.contains("verified"), "{}", commit.stderr);
    assert_eq!(
        fake.connections(),
        0,
        "the pre-commit hook verified unasked"
    );

    // The setting asks: the hook and a plain scan verify.
    write(&repo, ".leakgate.toml", "verify = true\n");
    let commit = sb
        .output(
            sb.command("git", &repo)
                .env("LEAKGATE_VERIFY_BASE_URL", fake.url())
                .args(["commit", "-q", "-m", "sms"]),
        )
        .expect_blocked("a live key still blocks");
    assert!(
        commit.stderr.contains("verified: LIVE"),
        "{}",
        commit.stderr
    );
    assert_eq!(fake.seen().len(), 1);
    let run = fake
        .leakgate(&sb, &repo, &["scan", "--format", "json", "sms.yml"])
        .expect_found("scan");
    assert_eq!(verdicts(&json(&run))[0].1["status"], "live");
    assert_eq!(fake.seen().len(), 2);
}

#[test]
fn ci_verifies_by_the_target_branchs_policy_never_the_changes() {
    let sb = Sandbox::new();
    let k = key(7);
    let fake = Fake::start(|_| Reply::Status(401, String::new()));
    let repo = sb.repo("r");
    sb.git(&repo, &["checkout", "-q", "-b", "feature"])
        .expect_ok("branch");
    write(&repo, ".leakgate.toml", "verify = true\n");
    write(&repo, "sms.yml", &mb_file(&k));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "sms");
    let base = sb
        .git(&repo, &["rev-parse", "HEAD~1"])
        .stdout
        .trim()
        .to_string();

    let run = fake
        .leakgate(&sb, &repo, &["ci", "--base", &base, "--format", "json"])
        .expect_found("ci");
    assert!(verdicts(&json(&run))[0].1.is_null(), "{}", run.stdout);
    assert_eq!(
        fake.connections(),
        0,
        "the change's own verify = true was obeyed"
    );

    let run = fake
        .leakgate(
            &sb,
            &repo,
            &["ci", "--base", &base, "--verify", "--format", "json"],
        )
        .expect_found("ci --verify");
    assert_eq!(
        verdicts(&json(&run))[0].1["status"],
        "revoked",
        "{}",
        run.stdout
    );
}

/// A provider's check as the fake server sees it: the key in the right
/// place, and the answer read as the rule says.
fn provider_case(
    sb: &Sandbox,
    file: &str,
    text: &str,
    rule: &str,
    live: impl Fn(&Seen) -> bool + Send + Sync + 'static,
) -> Seen {
    let dir = folder(sb, &[(file, text.to_string())]);
    let fake = Fake::start(move |r| {
        // What each provider's live answer has that its check reads.
        if live(r) {
            ok(r#"{"ok":true,"code":"TokenValid","valid":true}"#)
        } else {
            Reply::Status(401, r#"{"ok":false}"#.into())
        }
    });
    let run = fake
        .leakgate(sb, &dir, &["scan", "--verify", "--format", "json", file])
        .expect_found(rule);
    let doc = json(&run);
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == rule)
        .unwrap_or_else(|| panic!("{rule} not found: {}", run.stdout));
    assert_eq!(
        f["verification"]["status"], "live",
        "{rule}: {}",
        run.stdout
    );
    let seen = fake.seen();
    assert_eq!(seen.len(), 1, "{rule}");
    seen[0].clone()
}

#[test]
fn a_telegram_token_goes_in_the_path_and_nowhere_else() {
    let sb = Sandbox::new();
    // The token is the bot's id, a colon and the secret part the rule finds.
    let id = token("digits", 10, 9201);
    let part = secret(format!("AA{}", token("alnum", 33, 9202)));
    let t = format!("{id}:{part}");
    let want = format!("/bot{t}/getMe");
    let seen = provider_case(
        &sb,
        "bot.env",
        &format!("TELEGRAM_BOT_TOKEN={t}\n"),
        "telegram-bot-token",
        move |r| r.method == "GET" && r.target == want,
    );
    assert!(seen.header("authorization").is_none() && seen.body.is_empty());
}

/// A registered key of `template`'s shape (`<<kind:len>>` parts).
fn made(template: &str, seed: u64) -> String {
    secret(leakgate::rules::testgen::expand(template, seed))
}

#[test]
fn bearer_and_body_answers_slack_style() {
    let sb = Sandbox::new();
    let t = made("xoxb-<<digits:12>>-<<digits:13>>-<<alnum:24>>", 9301);
    let want = format!("Bearer {t}");
    let seen = provider_case(
        &sb,
        "slack.env",
        &format!("SLACK_BOT_TOKEN={t}\n"),
        "slack-bot-token",
        move |r| {
            r.method == "POST"
                && r.target == "/api/auth.test"
                && r.header("authorization") == Some(&want)
        },
    );
    assert!(seen.body.is_empty());

    // Slack answers 200 to a dead token too; the body says so.
    let dir = folder(&sb, &[("slack.env", format!("SLACK_BOT_TOKEN={t}\n"))]);
    let fake = Fake::start(|_| ok(r#"{"ok":false,"error":"invalid_auth"}"#));
    let run = fake
        .leakgate(
            &sb,
            &dir,
            &["scan", "--verify", "--format", "json", "slack.env"],
        )
        .expect_found("slack");
    assert_eq!(
        verdicts(&json(&run))[0].1["status"],
        "revoked",
        "{}",
        run.stdout
    );
}

#[test]
fn basic_auth_with_the_key_as_user_stripe_style() {
    use base64::Engine as _;
    let sb = Sandbox::new();
    let k = made("sk_live_<<alnum:24>>", 9302);
    let want = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{k}:"))
    );
    provider_case(
        &sb,
        "pay.env",
        &format!("STRIPE_SECRET_KEY={k}\n"),
        "stripe-live-secret-key",
        move |r| r.target == "/v1/balance" && r.header("authorization") == Some(&want),
    );
}

#[test]
fn a_pair_found_beside_the_key_twilio_style() {
    use base64::Engine as _;
    let sb = Sandbox::new();
    let sid = format!("AC{}", token("hex", 32, 9303));
    let auth = made("<<hex:32>>", 9304);
    let want_auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{sid}:{auth}"))
    );
    let want_path = format!("/2010-04-01/Accounts/{sid}.json");
    let text = format!("twilio:\n  account_sid: {sid}\n  auth_token: {auth}\n");
    provider_case(&sb, "twilio.yml", &text, "twilio-auth-token", move |r| {
        r.target == want_path && r.header("authorization") == Some(&want_auth)
    });

    // No SID anywhere near: nothing is sent, and the report says why.
    let dir = folder(&sb, &[("t.env", format!("TWILIO_AUTH_TOKEN={auth}\n"))]);
    let fake = Fake::start(|_| ok("{}"));
    let run = fake
        .leakgate(
            &sb,
            &dir,
            &["scan", "--verify", "--format", "json", "t.env"],
        )
        .expect_found("twilio without a SID");
    let v = &verdicts(&json(&run))[0].1;
    assert_eq!(v["status"], "unknown");
    assert_eq!(
        v["detail"],
        "not checked: no account SID found beside the key to check it with"
    );
    assert_eq!(fake.connections(), 0);
}

#[test]
fn a_key_in_the_query_string_mapbox_style() {
    let sb = Sandbox::new();
    let t = made(
        "sk.eyJ1IjoiZXhhbXBsZSIsImEiOiJ<<alnum:20>>.<<alnum:22>>",
        9305,
    );
    let want = format!("/tokens/v2?access_token={t}");
    provider_case(
        &sb,
        "map.env",
        &format!("MAPBOX_SECRET_TOKEN={t}\n"),
        "mapbox-secret-token",
        move |r| r.target == want,
    );
}

#[test]
fn aws_keys_are_checked_with_a_sigv4_signed_get_caller_identity() {
    let sb = Sandbox::new();
    let id = made("AKIA<<upper:16>>", 9306);
    let key = made("<<base64:40>>", 9307);
    let text = format!("[default]\naws_access_key_id = {id}\naws_secret_access_key = {key}\n");
    let prefix = format!("AWS4-HMAC-SHA256 Credential={id}/");
    let seen = provider_case(
        &sb,
        "credentials",
        &text,
        "aws-secret-access-key",
        move |r| {
            r.method == "POST"
            && r.target == "/"
            && r.header("authorization")
                .is_some_and(|a| a.starts_with(&prefix) && a.contains("/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="))
            && r.header("x-amz-date").is_some()
        },
    );
    assert_eq!(seen.body, "Action=GetCallerIdentity&Version=2011-06-15");
    assert!(
        !seen.headers.iter().any(|(_, v)| v.contains(key.as_str())),
        "the secret key itself was sent"
    );

    // A key id AWS does not know is revoked; a signature mismatch is not.
    let dir = folder(&sb, &[("credentials", text.clone())]);
    for (body, status) in [
        ("<Code>InvalidClientTokenId</Code>", "revoked"),
        ("<Code>SignatureDoesNotMatch</Code>", "unknown"),
    ] {
        let fake = Fake::start(move |_| Reply::Status(403, body.to_string()));
        let run = fake
            .leakgate(
                &sb,
                &dir,
                &["scan", "--verify", "--format", "json", "credentials"],
            )
            .expect_found("aws");
        let doc = json(&run);
        let f = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule_id"] == "aws-secret-access-key")
            .unwrap();
        assert_eq!(f["verification"]["status"], status, "{}", run.stdout);
    }
}

#[test]
fn a_json_body_and_a_live_only_check_linear_style() {
    let sb = Sandbox::new();
    let k = made("lin_api_<<alnum:40>>", 9308);
    let want = k.clone();
    let dir = folder(&sb, &[("linear.env", format!("LINEAR_API_KEY={k}\n"))]);
    let fake = Fake::start(move |r| {
        if r.header("authorization") == Some(&want) && r.body.contains("viewer") {
            ok(r#"{"data":{"viewer":{"id":"x"}}}"#)
        } else {
            Reply::Status(400, String::new())
        }
    });
    let run = fake
        .leakgate(
            &sb,
            &dir,
            &["scan", "--verify", "--format", "json", "linear.env"],
        )
        .expect_found("linear");
    assert_eq!(
        verdicts(&json(&run))[0].1["status"],
        "live",
        "{}",
        run.stdout
    );
    let seen = fake.seen();
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    assert_eq!(seen[0].body, r#"{"query":"{ viewer { id } }"}"#);
}

#[test]
fn a_projects_own_rule_cannot_choose_where_keys_are_sent() {
    let sb = Sandbox::new();
    let fake = Fake::start(|_| ok("{}"));
    let dir = folder(
        &sb,
        &[
            (
                ".leakgate.toml",
                r#"
[[rule]]
id = "acme-token"
provider = "Acme"
name = "Acme token"
severity = "high"
secret = 'acme_[a-z0-9]{32}'
keywords = ["acme_"]
[[rule.context]]
kind = "pattern"
pattern = '{secret}'
why = "Acme prefix"
[rule.verify]
method = "GET"
url = "https://collector.acme.invalid/{secret}"
live = [200]
"#
                .to_string(),
            ),
            (
                "a.env",
                format!("ACME={}\n", made("acme_<<lower:16>><<digits:16>>", 9309)),
            ),
        ],
    );
    let run = fake
        .leakgate(&sb, &dir, &["scan", "--verify", "a.env"])
        .expect_code(2, "a project rule with a check");
    assert!(
        run.stderr.contains(
            ".leakgate.toml: rule `acme-token`, field `verify`: only built-in rules verify keys"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(fake.connections(), 0);
}

#[test]
fn a_history_scan_checks_each_distinct_key_once() {
    let sb = Sandbox::new();
    let k = key(8);
    let fake = Fake::start(|_| ok("{}"));
    let repo = sb.repo("r");
    // The same key added in two commits at two paths: one secret, one check.
    write(&repo, "sms.yml", &mb_file(&k));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "sms");
    write(&repo, "copy/sms.yml", &mb_file(&k));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "copy");
    let run = fake
        .leakgate(
            &sb,
            &repo,
            &["scan", "--all", "--verify", "--format", "json"],
        )
        .expect_found("history");
    let v = verdicts(&json(&run));
    assert!(
        !v.is_empty() && v.iter().all(|(_, x)| x["status"] == "live"),
        "{}",
        run.stdout
    );
    assert_eq!(fake.seen().len(), 1, "one check per distinct key");
}

/// A Shopify token of `prefix` (`shpat_`, `shpca_`, `shppa_`).
fn shopify_token(prefix: &str, seed: u64) -> String {
    made(&format!("{prefix}<<hex:32>>"), seed)
}

/// Shopify's live answer to the token `want`, at the shop `shop`'s host:
/// the override replaces scheme and host, so the fake sees the path and
/// header; the host is checked in each verdict's detail.
fn shopify_fake(want: String) -> Fake {
    Fake::start(move |r| {
        if r.method == "GET"
            && r.target == "/admin/api/2025-10/shop.json"
            && r.header("x-shopify-access-token") == Some(want.as_str())
        {
            ok(r#"{"shop":{"id":1,"name":"Acme"}}"#)
        } else {
            Reply::Status(
                401,
                r#"{"errors":"[API] Invalid API key or access token"}"#.into(),
            )
        }
    })
}

#[test]
fn shopify_tokens_are_checked_at_the_shop_named_nearest_them() {
    let sb = Sandbox::new();
    for (n, (prefix, rule)) in [
        ("shpat_", "shopify-access-token"),
        ("shpca_", "shopify-custom-app-token"),
        ("shppa_", "shopify-private-app-password"),
    ]
    .into_iter()
    .enumerate()
    {
        let t = shopify_token(prefix, 9400 + n as u64);
        // Two stores in the file: the one nearest the token is its host,
        // written in capitals here (DNS does not tell cases apart).
        let text = format!(
            "# staging: other-shop.myshopify.com\n{}\nshopify:\n  store: Acme-Store.myshopify.com\n  token: {t}\n",
            "\n".repeat(10)
        );
        let dir = folder(&sb, &[("shopify.yml", text)]);
        let fake = shopify_fake(t.clone());
        let run = fake
            .leakgate(
                &sb,
                &dir,
                &["scan", "--verify", "--format", "json", "shopify.yml"],
            )
            .expect_found(rule);
        let v = verdicts(&json(&run));
        assert_eq!(v.len(), 1, "{}", run.stdout);
        assert_eq!(v[0].0, rule);
        assert_eq!(v[0].1["status"], "live", "{rule}: {}", run.stdout);
        assert_eq!(
            v[0].1["detail"], "HTTP 200 from acme-store.myshopify.com",
            "{}",
            run.stdout
        );
        let seen = fake.seen();
        assert_eq!(seen.len(), 1, "{rule}");
        assert_eq!(seen[0].header("authorization"), None);
        assert!(seen[0].body.is_empty());
        assert!(!run.stdout.contains(&t) && !run.stderr.contains(&t));
    }

    // A refusal is not read as revoked: the nearest store need not be the
    // token's.
    let t = shopify_token("shpat_", 9410);
    let dir = folder(
        &sb,
        &[(
            "shopify.env",
            format!("SHOPIFY_SHOP=acme.myshopify.com\nSHOPIFY_ACCESS_TOKEN={t}\n"),
        )],
    );
    let fake = shopify_fake("another token".into());
    let run = fake
        .leakgate(
            &sb,
            &dir,
            &["scan", "--verify", "--format", "json", "shopify.env"],
        )
        .expect_found("shopify refused");
    let v = &verdicts(&json(&run))[0].1;
    assert_eq!(v["status"], "unknown", "{}", run.stdout);
    assert_eq!(
        v["detail"],
        "HTTP 401 from acme.myshopify.com: not an answer this check knows"
    );
    assert_eq!(fake.seen().len(), 1);
}

#[test]
fn a_shopify_token_with_no_store_named_beside_it_is_not_sent_anywhere() {
    let sb = Sandbox::new();
    let t = shopify_token("shpat_", 9420);
    // No `<shop>.myshopify.com` at all: a bare name, other domains, and a
    // name that is not one DNS label are not one.
    let text = format!(
        "SHOPIFY_STORE=acme\nSHOP_URL=https://acme-myshopify.com/\nOTHER=acme.myshopify.org\nLAST=x_y.myshopify.com\nSHOPIFY_ACCESS_TOKEN={t}\n"
    );
    let dir = folder(&sb, &[("shopify.env", text)]);
    let fake = shopify_fake(t.clone());
    let run = fake
        .leakgate(
            &sb,
            &dir,
            &["scan", "--verify", "--format", "json", "shopify.env"],
        )
        .expect_found("shopify without a store");
    let v = &verdicts(&json(&run))[0].1;
    assert_eq!(v["status"], "unknown", "{}", run.stdout);
    assert_eq!(
        v["detail"],
        "not checked: no shop domain (…myshopify.com) found beside the key to check it at"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(fake.connections(), 0, "sent without a store to send it to");
}

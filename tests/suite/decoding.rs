//! Secrets behind an encoding or spread over code: base64 anywhere, PEM
//! private keys built from string literals, signed JWTs in credential
//! contexts, and a MessageBird client far below its import. Driven through
//! the real binary; every token is generated at run time and registered
//! for the output audit.

use base64::Engine as _;
use serde_json::Value;

use crate::common::*;
use leakgate::rules::testgen::{expand, token};

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn b64url(s: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

/// Writes `files` into a fresh folder and scans them: the JSON findings.
fn scan_files(files: &[(&str, &str)]) -> (Run, Vec<Value>) {
    let sb = Sandbox::new();
    let dir = sb.path("w");
    for (name, text) in files {
        write(&dir, name, text);
    }
    let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    let mut args = vec!["scan", "--format", "json"];
    args.extend(names);
    let run = sb.leakgate(&dir, &args);
    assert!(matches!(run.code, Some(0 | 1)), "{}", run.all());
    let doc: Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.all()));
    let findings = doc["findings"].as_array().unwrap().clone();
    (run, findings)
}

fn ids(findings: &[Value]) -> Vec<&str> {
    findings
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect()
}

/// An RSA private key in PEM, its body generated.
fn pem_key(seed: u64) -> (String, Vec<String>) {
    let body: Vec<String> = (0..4)
        .map(|i| secret(token("base64", 64, seed * 10 + i)))
        .collect();
    let pem = format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
        body.join("\n")
    );
    (pem, body)
}

// ---------------------------------------------------------------------------
// 1. Base64 anywhere.
// ---------------------------------------------------------------------------

#[test]
fn a_prefixed_key_base64_encoded_anywhere_is_reported_at_the_encoded_text() {
    let k = secret(expand("ghp_<<crc32:30>>", 71));
    let enc = secret(b64(&format!("GITHUB_TOKEN={k}\n")));
    let json = format!("{{\n  \"name\": \"ci\",\n  \"env\": \"{enc}\"\n}}\n");
    let (run, f) = scan_files(&[("settings.json", &json)]);
    assert_eq!(ids(&f), ["github-classic-pat"], "{}", run.all());
    assert_eq!(f[0]["line"], 3);
    let why = f[0]["why"].as_str().unwrap();
    assert!(why.contains("decoded from base64"), "{why}");
    run.assert_hides(&k);
    run.assert_hides(&enc);
}

#[test]
fn a_base64_encoded_pem_private_key_in_a_kubeconfig_is_reported() {
    let (pem, _) = pem_key(1);
    let key_data = secret(b64(&pem));
    let cert = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n{}\n-----END CERTIFICATE-----\n",
        token("base64", 64, 5),
        token("base64", 64, 6)
    );
    let kubeconfig = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: {}\n    server: https://10.0.0.1:6443\n  name: prod\nusers:\n- name: admin\n  user:\n    client-certificate-data: {}\n    client-key-data: {key_data}\n",
        b64(&cert),
        b64(&cert)
    );
    let (run, f) = scan_files(&[("kubeconfig", &kubeconfig)]);
    // The kubeconfig's own rule reads `client-key-data` as written; the PEM
    // rule, which would read it through the decoded view, gives way.
    assert_eq!(ids(&f), ["kubernetes-client-key-data"], "{}", run.all());
    assert_eq!(f[0]["line"], 12);
    assert!(f[0]["why"].as_str().unwrap().contains("base64"));
    // Wrapped at 76 columns, as `base64` writes it.
    let wrapped: Vec<String> = key_data
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    let text = format!("# key backup\n{}\n", wrapped.join("\n"));
    let (run, f) = scan_files(&[("key.b64", &text)]);
    assert_eq!(ids(&f), ["pem-rsa-private-key"], "{}", run.all());
    assert_eq!(f[0]["line"], 2);
}

#[test]
fn random_base64_public_keys_and_certificates_stay_unreported() {
    let bytes: Vec<u8> = (0..3000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    let image = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let public = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n{}\n-----END PUBLIC KEY-----\n",
        token("base64", 64, 7),
        token("base64", 64, 8)
    );
    let cert = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n{}\n-----END CERTIFICATE-----\n",
        token("base64", 64, 9),
        token("base64", 64, 10)
    );
    let html = format!(
        "<img src=\"data:image/png;base64,{image}\">\n<script src=\"app.js\" integrity=\"sha384-{}\"></script>\n<meta name=\"pub\" content=\"{}\">\n<meta name=\"ca\" content=\"{}\">\n",
        token("base64", 64, 11),
        b64(&public),
        b64(&cert)
    );
    let minified = format!(
        "!function(e){{var t={{}};function n(r){{return t[r]}}e.exports={{a:\"{}\",b:\"{}\"}}}}({{}});\n",
        token("alnum", 40, 12),
        b64("just some harmless text inside a bundle")
    );
    let (run, f) = scan_files(&[("index.html", &html), ("app.min.js", &minified)]);
    assert!(f.is_empty(), "{}", run.all());
    assert_eq!(run.code, Some(0));
}

// ---------------------------------------------------------------------------
// 2. PEM keys built from string literals.
// ---------------------------------------------------------------------------

#[test]
fn pem_keys_concatenated_across_lines_are_reported_at_the_begin_line() {
    let (_, body) = pem_key(2);
    let java = format!(
        "class Keys {{\n  static final String KEY =\n      \"-----BEGIN RSA PRIVATE KEY-----\\n\" +\n{}      \"-----END RSA PRIVATE KEY-----\\n\";\n}}\n",
        body.iter().map(|l| format!("      \"{l}\\n\" +\n")).collect::<String>()
    );
    let python = format!(
        "KEY = (\n    \"-----BEGIN RSA PRIVATE KEY-----\\n\"\n{}    \"-----END RSA PRIVATE KEY-----\\n\"\n)\n",
        body.iter().map(|l| format!("    \"{l}\\n\"\n")).collect::<String>()
    );
    let js = format!(
        "const key = '-----BEGIN RSA PRIVATE KEY-----\\n' +\n{}  '-----END RSA PRIVATE KEY-----';\n",
        body.iter().map(|l| format!("  '{l}\\n' +\n")).collect::<String>()
    );
    for (name, text, line) in [
        ("Keys.java", &java, 3),
        ("keys.py", &python, 2),
        ("keys.js", &js, 1),
    ] {
        let (run, f) = scan_files(&[(name, text)]);
        assert_eq!(ids(&f), ["pem-rsa-private-key"], "{name}: {}", run.all());
        assert_eq!(f[0]["line"], line, "{name}");
        let why = f[0]["why"].as_str().unwrap();
        assert!(why.contains("string literals joined"), "{why}");
        for l in &body {
            run.assert_hides(l);
        }
    }
    // The key body read from elsewhere: nothing to report.
    let env = "key = '-----BEGIN RSA PRIVATE KEY-----\\n' + os.environ['KEY_BODY'] + '\\n-----END RSA PRIVATE KEY-----'\n";
    let (run, f) = scan_files(&[("env.py", env)]);
    assert!(f.is_empty(), "{}", run.all());
}

// ---------------------------------------------------------------------------
// 3. Signed JWTs.
// ---------------------------------------------------------------------------

/// A signed JWT: header and payload JSON, a generated signature.
fn jwt(header: &str, payload: &str, seed: u64) -> (String, String) {
    let sig = secret(token("base64url", 342, seed));
    let t = secret(format!("{}.{}.{sig}", b64url(header), b64url(payload)));
    (t, sig)
}

const RS256: &str = r#"{"alg":"RS256","typ":"JWT"}"#;

#[test]
fn a_jwt_in_a_credential_context_is_reported_with_what_it_is() {
    let (t, sig) = jwt(
        RS256,
        r#"{"iss":"https://auth.acme.test","sub":"svc-deploy","exp":4102444800}"#,
        1,
    );
    let sh = format!("curl -H \"Authorization: Bearer {t}\" https://api.acme.test/v1/me\n");
    let env = format!("# app\nACCESS_TOKEN={t}\n");
    for (name, text, line) in [("call.sh", &sh, 1), ("app.env", &env, 2)] {
        let (run, f) = scan_files(&[(name, text)]);
        assert_eq!(ids(&f), ["jwt-credential"], "{}", run.all());
        assert_eq!(run.code, Some(1));
        assert_eq!(f[0]["line"], line);
        assert_eq!(f[0]["severity"], "high");
        let why = f[0]["why"].as_str().unwrap();
        for part in [
            "alg RS256",
            "iss `https://auth.acme.test`",
            "sub `svc-deploy`",
            "expires 2100-01-01",
        ] {
            assert!(why.contains(part), "{why}");
        }
        run.assert_hides(&sig);
        run.assert_hides(&t);
    }
}

#[test]
fn an_expired_jwt_is_reported_low_and_not_blocking() {
    let (t, sig) = jwt(
        RS256,
        r#"{"iss":"https://auth.acme.test","sub":"u1","exp":1600000000}"#,
        2,
    );
    let (run, f) = scan_files(&[("app.env", &format!("SESSION_TOKEN={t}\n"))]);
    assert_eq!(ids(&f), ["jwt-credential-expired"], "{}", run.all());
    assert_eq!(f[0]["severity"], "low");
    assert_eq!(f[0]["blocking"], false);
    assert!(f[0]["why"].as_str().unwrap().contains("expired 2020-09-13"));
    assert_eq!(run.code, Some(0), "not blocking");
    run.assert_hides(&sig);
}

#[test]
fn kubernetes_service_account_tokens_have_their_own_rule() {
    let legacy = r#"{"iss":"kubernetes/serviceaccount","kubernetes.io/serviceaccount/namespace":"ci","sub":"system:serviceaccount:ci:deployer"}"#;
    let bound = r#"{"aud":["https://kubernetes.default.svc.cluster.local"],"exp":4102444800,"iss":"https://kubernetes.default.svc.cluster.local","sub":"system:serviceaccount:ci:deployer"}"#;
    let (t1, _) = jwt(r#"{"alg":"RS256","kid":"k1"}"#, legacy, 3);
    let (t2, _) = jwt(r#"{"alg":"RS256","kid":"k1"}"#, bound, 4);
    let kubeconfig = format!(
        "apiVersion: v1\nkind: Config\nusers:\n- name: deployer\n  user:\n    token: {t1}\n"
    );
    let secret_manifest = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: deployer-token\n  annotations:\n    kubernetes.io/service-account.name: deployer\ntype: kubernetes.io/service-account-token\ndata:\n  namespace: {}\n  token: {}\n",
        b64("ci"),
        secret(b64(&t1))
    );
    for (name, text, line) in [
        ("kubeconfig", kubeconfig.as_str(), 6),
        ("token", &format!("{t2}\n"), 1),
        ("sa-secret.yaml", &secret_manifest, 10),
    ] {
        let (run, f) = scan_files(&[(name, text)]);
        assert_eq!(
            ids(&f),
            ["kubernetes-service-account-token"],
            "{name}: {}",
            run.all()
        );
        assert_eq!(f[0]["line"], line, "{name}");
        let why = f[0]["why"].as_str().unwrap();
        assert!(
            why.contains("sub `system:serviceaccount:ci:deployer`"),
            "{why}"
        );
    }
}

#[test]
fn unsigned_undecodable_example_and_unrelated_jwts_stay_unreported() {
    let live = r#"{"iss":"https://auth.acme.test","sub":"svc","exp":4102444800}"#;
    let (t, _) = jwt(RS256, live, 5);
    let none = format!(
        "{}.{}.{}",
        b64url(r#"{"alg":"none"}"#),
        b64url(live),
        token("base64url", 43, 6)
    );
    let junk = format!(
        "eyJ{}.eyJ{}.{}",
        token("base64url", 30, 7),
        token("base64url", 60, 8),
        token("base64url", 43, 9)
    );
    // jwt.io's example payload, with any signature.
    let example = format!(
        "{}.{}.{}",
        b64url(r#"{"alg":"HS256","typ":"JWT"}"#),
        b64url(r#"{"sub":"1234567890","name":"John Doe","iat":1516239022}"#),
        token("base64url", 43, 10)
    );
    let text = format!(
        "AUTH_TOKEN={none}\nAUTH_TOKEN={junk}\nAUTH_TOKEN={example}\nINFO request {t} took 35 ms\n{{\"state\": \"{t}\"}}\nhttps://acme.test/cb?state={t}\n"
    );
    let (run, f) = scan_files(&[("notes.txt", &text)]);
    assert!(f.is_empty(), "{}", run.all());
}

// ---------------------------------------------------------------------------
// 4. A MessageBird client far below its import.
// ---------------------------------------------------------------------------

#[test]
fn a_messagebird_client_far_below_its_import_is_found() {
    let filler: String = (0..300).map(|i| format!("x{i} = compute({i})\n")).collect();
    let k = [key(1), key(2), key(3), key(4)];
    let py = format!(
        "import messagebird as mb\n{filler}client = mb.Client('{}')\n",
        k[0]
    );
    let js = format!(
        "const messagebird = require('messagebird');\n{filler}const client = messagebird('{}');\n",
        k[1]
    );
    let go = format!(
        "package main\n\nimport (\n\tmb \"github.com/messagebird/go-rest-api/v9\"\n)\n{filler}func main() {{\n\tclient := mb.New(\"{}\")\n}}\n",
        k[2]
    );
    let php = format!(
        "<?php\nuse MessageBird\\Client as Bird;\n{filler}$client = new Bird('{}');\n",
        k[3]
    );
    for (name, text) in [
        ("send.py", &py),
        ("send.js", &js),
        ("main.go", &go),
        ("send.php", &php),
    ] {
        let (run, f) = scan_files(&[(name, text)]);
        assert_eq!(ids(&f), ["messagebird-access-key"], "{name}: {}", run.all());
        assert!(f[0]["line"].as_u64().unwrap() > 300, "{name}");
    }
    // The same call with no MessageBird import is not MessageBird's.
    let other = format!(
        "import twilio as mb\n{filler}client = mb.Client('{}')\n",
        key(5)
    );
    let (run, f) = scan_files(&[("other.py", &other)]);
    assert!(f.is_empty(), "{}", run.all());
}

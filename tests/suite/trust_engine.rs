//! Issue 7, "Trust": the engine never crashes on a rule the loader accepts,
//! the inline marker allows only what it says, and nothing is silently left
//! unscanned (UTF-32 text, files over the size limit, binary files).
//! Driven through the real binary and real git; keys are generated at run time.

use crate::common::*;
use leakgate::config::Config;
use leakgate::engine::{self, blob, Mode};
use leakgate::rules::testgen::token;
use leakgate::rules::Catalog;

/// `leakgate <args>` with `input` on stdin.
fn assert_contract(run: &Run, what: &str) {
    assert!(
        matches!(run.code, Some(0..=2)),
        "{what}: exit {:?} is outside the 0/1/2 contract:\n{}",
        run.code,
        run.all()
    );
}

/// A project rule with one pattern context.
fn project_rule(id: &str, secret: &str, pattern: &str, keywords: &str) -> String {
    format!(
        "[[rule]]\nid = \"{id}\"\nprovider = \"Acme\"\nname = \"Acme token\"\nseverity = \"high\"\nsecret = '''{secret}'''\nkeywords = [{keywords}]\n[[rule.context]]\nkind = \"pattern\"\npattern = '''{pattern}'''\nwhy = \"acme\"\n"
    )
}

// ---------------------------------------------------------------------------
// 1. Project rules cannot crash the binary.
// ---------------------------------------------------------------------------

#[test]
fn pattern_that_matches_without_its_secret_group_does_not_crash() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    write(
        &repo,
        ".leakgate.toml",
        &project_rule("acme-alt", "acme_[a-z]{12}", "x|{secret}", "\"x\""),
    );
    let run = sb.leakgate_stdin(&repo, &["scan", "-"], b"x marks the spot\n");
    assert_contract(&run, "x|{secret}");
    assert_eq!(run.code, Some(0), "{}", run.all());
    let k = secret(format!("acme_{}", token("lower", 12, 1)));
    let run = sb.leakgate_stdin(&repo, &["scan", "-"], format!("x {k}\n").as_bytes());
    assert_eq!(
        run.code,
        Some(1),
        "the secret branch still reports:\n{}",
        run.all()
    );
    run.assert_hides(&k);
}

#[test]
fn a_regex_too_big_to_compile_is_a_config_error_naming_rule_and_field() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(
        &repo,
        ".leakgate.toml",
        &project_rule("acme-huge", r"\w{1000}\w{1000}", "{secret}", "\"acme\""),
    );
    let run = sb.leakgate_stdin(&repo, &["scan", "-"], b"acme\n");
    assert_eq!(run.code, Some(2), "{}", run.all());
    let err = &run.stderr;
    assert!(err.contains(".leakgate.toml"), "{err}");
    assert!(err.contains("acme-huge"), "{err}");
    assert!(err.contains("field `secret`"), "{err}");

    // The hook blocks on it the same way, naming the way past.
    write(&repo, "notes.txt", "acme\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb
        .commit(&repo, "huge rule")
        .expect_unchecked(2, "bad config blocks");
    assert!(run.stderr.contains("acme-huge"), "{}", run.stderr);
    assert!(run.stderr.contains("--no-verify"), "{}", run.stderr);
}

#[test]
fn a_value_starting_with_a_non_ascii_letter_does_not_crash_the_filters() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    write(
        &repo,
        ".leakgate.toml",
        &project_rule("acme-word", r"\w{6,40}", "acme={secret}", "\"acme\""),
    );
    for value in ["éxyzQrstu", "Ωmega_Token", "日本語テキスト", "ŁódźWarsawQ"] {
        let run = sb.leakgate_stdin(&repo, &["scan", "-"], format!("acme={value}\n").as_bytes());
        assert_contract(&run, value);
    }
}

/// Regex shapes a project might write, good and bad. The loader must reject
/// what it cannot run, and the engine must survive everything it accepts.
const SHAPES: &[&str] = &[
    "acme_[a-z0-9]{8}",
    "x|acme_[a-z]{4}",
    "(?:acme)?[A-Za-z]{0,6}",
    "",
    "a*",
    "^acme_.+$",
    r"\bacme\b",
    "(?m)^acme_[^\\n]*$",
    "(?s).{0,12}",
    "(?i)ÄCME_[[:alpha:]]{3,}",
    r"\p{L}{3,20}",
    r"\p{Han}+",
    "[^\\x00-\\x7F]{2,}",
    "é+|ß{2}",
    r"acme_(\d+)?",
    "(a|b|)+c?",
    "a{0}",
    r"\S+",
    r"[\s\S]{1,80}",
    r"(?-u:\w)+",
    "(?=acme)acme",
    "(?<!x)acme",
    r"acme\1",
    "a)|(b",
    "(?P<secret>acme)",
    "[z-a]",
    r"\w{1000}\w{1000}",
    "acme_[a-z]{10}\r?\n?",
    "\u{FEFF}acme",
    "acme|",
    "|",
];

const PATTERNS: &[&str] = &[
    "{secret}",
    "x|{secret}",
    "(?:key=)?{secret}",
    "acme={q}{secret}{q}",
    "^{secret}$",
    "(?m)^{secret}$",
    "({secret})?z",
    "{secret}|{q}",
];

/// Texts that have broken scanners: non-ASCII, empty, a huge line, CRLF,
/// byte-order marks, NUL bytes, lone surrogates in UTF-16, a cut UTF-32 unit.
fn tricky_texts() -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"\n".to_vec(),
        b"acme".to_vec(),
        "acme=éxyzQrstu\nÄCME_ÖÖÖ\n日本語 acme_ü\n"
            .as_bytes()
            .to_vec(),
        "acme_abcdefgh\r\nkey=acme_12345678\r\n\r\n"
            .as_bytes()
            .to_vec(),
        b"\xEF\xBB\xBFacme_abcdefgh\n".to_vec(),
        b"\xFF\xFEa\0c\0m\0e\0_\0\0\xD8".to_vec(),
        b"\xFF\xFE\0\0a\0\0\0c\0\0".to_vec(),
        b"\0\0\xFE\xFF\0\0\0a\xFF\xFF\xFF\xFF".to_vec(),
        b"\x7fELF\0\0\0acme_abcdefgh\0acme=\xC3\xA9xyzQrstu\0".to_vec(),
        b"acme=\xFF\xFE\xC3(\n".to_vec(),
        "x".repeat(3000).into_bytes(),
    ];
    let mut long = "acme=".to_string();
    long.push_str(&"éa".repeat(6_000));
    long.push_str("acme_abcdefgh x acme_");
    v.push(long.into_bytes());
    v
}

#[test]
fn generated_project_rules_never_panic_the_engine() {
    let texts = tricky_texts();
    // The built-in rules are the test suite's business elsewhere; with them
    // off, each generated rule runs alone and the test stays quick.
    let builtin: Vec<String> = Catalog::builtin()
        .unwrap()
        .rules
        .iter()
        .map(|r| format!("{:?}", r.id))
        .collect();
    let disable = format!("[rules]\ndisable = [{}]\n", builtin.join(", "));
    let mut accepted = 0;
    for (si, secret) in SHAPES.iter().enumerate() {
        'patterns: for (pi, pattern) in PATTERNS.iter().enumerate() {
            // Half the rules run on every blob, half wait for their keyword.
            let keywords = if pi % 2 == 0 { "" } else { "\"acme\"" };
            let toml =
                disable.clone() + &project_rule(&format!("r{si}-{pi}"), secret, pattern, keywords);
            let Ok(config) = Config::parse(&toml, ".leakgate.toml") else {
                continue;
            };
            let catalog = match Catalog::for_project(&config.rules) {
                Ok(c) => c,
                Err(e) => {
                    let e = e.to_string();
                    assert!(
                        e.contains(".leakgate.toml") && e.contains(&format!("r{si}-{pi}")),
                        "an error names file and rule: {e}"
                    );
                    if e.contains("field `secret`") {
                        // No pattern can rescue a bad secret.
                        break 'patterns;
                    }
                    continue;
                }
            };
            accepted += 1;
            for text in &texts {
                let read = blob::read(text);
                // Whole, and in windows as small as they come.
                for max in [u64::MAX, 1] {
                    for part in blob::scan(&catalog, read.text.clone(), read.mode, max, None, text)
                    {
                        for i in part.reported() {
                            let _ = part.position(part.matches[i].span.start);
                        }
                    }
                }
                let as_text = String::from_utf8_lossy(text).into_owned();
                let _ = engine::scan_as(&catalog, as_text.clone(), Mode::Binary);
                let _ = engine::scan(&catalog, as_text);
            }
        }
    }
    assert!(
        accepted > 100,
        "only {accepted} generated rules were accepted"
    );
}

#[test]
fn every_generated_rule_exits_within_the_contract_through_the_binary() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    // Two inputs: the texts together, and the binary-looking ones together
    // (a NUL anywhere in the first 8000 bytes makes the whole input binary,
    // which would hide the text cases).
    let (mut text, mut binary) = (Vec::new(), Vec::new());
    for t in tricky_texts() {
        let to = if t.contains(&0) {
            &mut binary
        } else {
            &mut text
        };
        to.extend(t);
        to.push(b'\n');
    }
    // Each shape alone in the project file (with every third pattern), so a
    // rejected one is an exit 2 of its own and cannot hide the others.
    for (si, secret) in SHAPES.iter().enumerate() {
        for (pi, pattern) in PATTERNS.iter().enumerate().step_by(3) {
            write(
                &repo,
                ".leakgate.toml",
                &project_rule(&format!("r{si}-{pi}"), secret, pattern, "\"acme\""),
            );
            for input in [&text, &binary] {
                let run = sb.leakgate_stdin(&repo, &["scan", "-"], input);
                assert_contract(&run, &format!("secret {secret:?}, pattern {pattern:?}"));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// 2. The inline marker allows only its own line, or the next one from a
//    comment-only line.
// ---------------------------------------------------------------------------

#[test]
fn a_marker_after_code_does_not_allow_the_next_line() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let k = key(701);
    write(
        &repo,
        "app.env",
        &format!("DEBUG=1 # leakgate:allow\n{}", env_line(&k)),
    );
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb
        .commit(&repo, "marker after code")
        .expect_blocked("the key line is not allowed");
    assert!(run.stderr.contains("app.env:2:"), "{}", run.stderr);
    run.assert_hides(&k);
}

#[test]
fn only_the_word_leakgate_allow_counts() {
    for (n, (file, body)) in [
        ("a.env", "# no-leakgate:allowed\n{line}"),
        ("b.env", "# xleakgate:allow\n{line}"),
        ("c.env", "# leakgate:allowance\n{line}"),
        ("d.env", "{key_line} # no-leakgate:allow"),
        ("e.env", "{key_line} # leakgate:allowed"),
    ]
    .into_iter()
    .enumerate()
    {
        let sb = Sandbox::new();
        let repo = sb.repo("r");
        let k = key(710 + n as u64);
        let line = env_line(&k);
        let body = body
            .replace("{line}", &line)
            .replace("{key_line}", line.trim_end());
        write(&repo, file, &format!("{body}\n"));
        sb.git(&repo, &["add", "."]).expect_ok("add");
        let run = sb
            .commit(&repo, "near-miss marker")
            .expect_blocked(&format!("{file}: not the marker"));
        assert!(run.stderr.contains(file), "{}", run.stderr);
        run.assert_hides(&k);
    }
}

#[test]
fn comment_only_marker_lines_allow_the_next_line() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let cases = [
        ("a.env", "# leakgate:allow\n{line}"),
        ("b.js", "  // leakgate:allow revoked in 2024\n{line}"),
        ("c.html", "<!-- leakgate:allow -->\n{line}"),
        ("d.c", "/* leakgate:allow */\n{line}"),
        ("e.sql", "-- leakgate:allow fixture\n{line}"),
        ("f.ini", "; leakgate:allow\n{line}"),
        ("g.env", "{line_no_nl} # leakgate:allow same line"),
        (
            "h.json",
            "{\n  \"//\": \"leakgate:allow test fixture\",\n  \"messagebird_access_key\": \"{key}\"\n}",
        ),
    ];
    for (n, (file, body)) in cases.iter().enumerate() {
        let k = key(720 + n as u64);
        let line = env_line(&k);
        let body = body
            .replace("{line_no_nl}", line.trim_end())
            .replace("{line}", &line)
            .replace("{key}", &k);
        write(&repo, file, &format!("{body}\n"));
    }
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb
        .commit(&repo, "allowed fixtures")
        .expect_ok("every key is allowed by its marker");
    assert!(
        run.stderr
            .contains(&format!("{} allowed inline", cases.len())),
        "{}",
        run.stderr
    );
}

#[test]
fn a_block_comment_followed_by_code_is_not_comment_only() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let k = key(740);
    write(
        &repo,
        "a.js",
        &format!("/* leakgate:allow */ const debug = 1;\n{}", env_line(&k)),
    );
    write(
        &repo,
        "b.json",
        &format!(
            "{{\n  \"debug\": true, \"//\": \"leakgate:allow\",\n  \"messagebird_access_key\": \"{}\"\n}}\n",
            key(741)
        ),
    );
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb
        .commit(&repo, "markers after code")
        .expect_blocked("neither marker line is comment-only");
    assert!(run.stderr.contains("a.js:2:"), "{}", run.stderr);
    assert!(run.stderr.contains("b.json:3:"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------
// 3. UTF-32 text is decoded and scanned.
// ---------------------------------------------------------------------------

fn utf32(s: &str, little: bool) -> Vec<u8> {
    let mut out = if little {
        vec![0xFF, 0xFE, 0, 0]
    } else {
        vec![0, 0, 0xFE, 0xFF]
    };
    for c in s.chars() {
        let u = c as u32;
        out.extend(if little {
            u.to_le_bytes()
        } else {
            u.to_be_bytes()
        });
    }
    out
}

#[test]
fn utf32_files_with_a_messagebird_key_are_blocked() {
    for (n, little) in [true, false].into_iter().enumerate() {
        let sb = Sandbox::new();
        let repo = sb.repo("r");
        let k = key(750 + n as u64);
        let file = if little { "le.env" } else { "be.env" };
        write_bytes(
            &repo,
            file,
            &utf32(&format!("# sms\r\n{}", env_line(&k)), little),
        );
        sb.git(&repo, &["add", "."]).expect_ok("add");
        let run = sb
            .commit(&repo, "utf-32")
            .expect_blocked("a key in UTF-32 is a key");
        assert!(
            run.stderr.contains(&format!("{file}:2:24")),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("messagebird-access-key"),
            "{}",
            run.stderr
        );
        run.assert_hides(&k);
    }
}

// ---------------------------------------------------------------------------
// 4. Nothing silently unscanned: large files in windows, binaries by their
//    printable runs.
// ---------------------------------------------------------------------------

/// A GitHub classic token with a valid checksum.
fn github_token(seed: u64) -> String {
    secret(format!("ghp_{}", token("crc32", 30, seed)))
}

fn binary_with(tok: &str) -> Vec<u8> {
    let mut b = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0".to_vec();
    b.extend_from_slice(b"\n\x01\x02GITHUB_TOKEN=");
    b.extend_from_slice(tok.as_bytes());
    b.extend_from_slice(b"\0\0\x90\x90\xff\xfe\n");
    b.extend((0u8..=255).cycle().take(600));
    b
}

#[test]
fn a_binary_file_with_a_github_token_is_blocked() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let tok = github_token(760);
    write_bytes(&repo, "tool.bin", &binary_with(&tok));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb
        .commit(&repo, "a binary")
        .expect_blocked("a prefixed key in a binary blocks");
    assert!(run.stderr.contains("tool.bin:2:16"), "{}", run.stderr);
    assert!(run.stderr.contains("github-classic-pat"), "{}", run.stderr);
    run.assert_hides(&tok);

    // The same binary through a history scan and a folder scan.
    sb.commit_unchecked(&repo, "a binary");
    let run = sb.leakgate(&repo, &["scan", "--all"]);
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(run.stdout.contains("tool.bin:2:16"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("1 binary file searched for prefixed keys"),
        "{}",
        run.stdout
    );
    run.assert_hides(&tok);
    let run = sb.leakgate(&repo, &["scan", "tool.bin"]);
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(run.stdout.contains("tool.bin:2:16"), "{}", run.stdout);
    run.assert_hides(&tok);
}

#[test]
fn a_binary_with_only_a_context_key_passes_and_is_counted() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    // A MessageBird key has no prefix: in a binary's strings it is noise.
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(env_line(&key(770)).as_bytes());
    write_bytes(&repo, "logo.png", &png);
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb.commit(&repo, "logo").expect_ok("nothing prefixed");
    assert!(
        run.stderr
            .contains("1 binary file searched for prefixed keys"),
        "{}",
        run.stderr
    );
}

/// About 12 KiB of filler lines with `key_line` as line `at`.
fn large_file(key_line: &str, at: usize) -> String {
    let mut s = String::new();
    for i in 1..=400 {
        if i == at {
            s.push_str(key_line);
            s.push('\n');
        } else {
            s.push_str(&format!("filler line {i:04} with some text\n"));
        }
    }
    s
}

#[test]
fn a_file_over_the_size_limit_is_scanned_in_windows_at_the_right_line() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(
        &repo,
        ".leakgate.toml",
        "[scan]\nmax_file_size = \"1 KiB\"\n",
    );
    let near_end = key(780);
    write(
        &repo,
        "near_end.env",
        &large_file(env_line(&near_end).trim_end(), 398),
    );
    // The key on this line runs across byte 1024, where the first window
    // would end if it did not end on a line break.
    let straddle = key(781);
    let filler = large_file("", 0);
    let at_1024 = filler[..1004].matches('\n').count() + 1;
    write(
        &repo,
        "straddle.env",
        &large_file(env_line(&straddle).trim_end(), at_1024),
    );
    // One line far longer than a window: the key sits across a cut inside it.
    let long_key = key(782);
    // The key runs from byte 1009 to 1034, across the first window's cut.
    let pad = "z ".repeat(490);
    let long = format!(
        "{pad}MESSAGEBIRD_ACCESS_KEY={long_key} {}\n",
        "y ".repeat(2000)
    );
    write(&repo, "long.env", &format!("first\n{long}last\n"));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb
        .commit(&repo, "large files")
        .expect_blocked("keys in large files block");
    let err = &run.stderr;
    assert!(err.contains("near_end.env:398:24"), "{err}");
    assert!(err.contains(&format!("straddle.env:{at_1024}:24")), "{err}");
    let col = pad.chars().count() + "MESSAGEBIRD_ACCESS_KEY=".len() + 1;
    assert!(err.contains(&format!("long.env:2:{col}")), "{err}");
    assert_eq!(err.matches("[messagebird-access-key,").count(), 3, "{err}");
    assert!(err.contains("3 large files scanned in windows"), "{err}");
    for k in [&near_end, &straddle, &long_key] {
        run.assert_hides(k);
    }

    // History and folder scans window the same way, with the same lines.
    sb.commit_unchecked(&repo, "large files");
    let run = sb.leakgate(&repo, &["scan", "HEAD"]);
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(run.stdout.contains("near_end.env:398:24"), "{}", run.stdout);
    assert!(
        run.stdout.contains(&format!("long.env:2:{col}")),
        "{}",
        run.stdout
    );
    let run = sb.leakgate(&repo, &["scan", "--max-file-size", "1KiB", "."]);
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(
        run.stdout.contains(&format!("straddle.env:{at_1024}:24")),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout.matches("[messagebird-access-key,").count(),
        3,
        "each key once: {}",
        run.stdout
    );
}

#[test]
fn json_summary_counts_windowed_and_binary_files() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(&repo, "big.txt", &large_file("", 0));
    write_bytes(&repo, "blob.bin", &binary_with("nothing here"));
    let run = sb.leakgate(
        &repo,
        &["scan", "--format", "json", "--max-file-size", "1KiB", "."],
    );
    assert_eq!(run.code, Some(0), "{}", run.all());
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let s = &doc["summary"];
    assert_eq!(s["windowed"], 1, "{s}");
    assert_eq!(s["binary_searched"], 1, "{s}");
    assert_eq!(s["skipped"]["too_large"], 0, "{s}");
    assert_eq!(s["skipped"]["binary"], 0, "{s}");
}

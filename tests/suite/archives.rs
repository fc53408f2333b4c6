//! Archives in every scan (issue 11): zip and its cousins, tar, tar.gz, a
//! plain gz, tar.zst, nested archives; their limits (a bomb fails closed,
//! exit 2, naming the archive and the limit); corrupt and encrypted ones
//! counted as skipped. Archives are built here with the `zip`, `tar`, `flate2`
//! and `ruzstd` crates, around keys from the test generator.

use std::io::Write as _;

use crate::common::*;
use serde_json::Value;

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.all()))
}

/// `(path, line)` of every finding in a JSON report.
fn places(doc: &Value) -> Vec<(String, u64)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// A config file with the key on line 2.
pub fn app_env(k: &str) -> Vec<u8> {
    format!("# app settings\n{}LOG_LEVEL=info\n", env_line(k)).into_bytes()
}

/// A zip of `(name, bytes)`, deflated.
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    zip_with(entries, zip::CompressionMethod::Deflated)
}

fn zip_with(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .large_file(true);
    for (name, bytes) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, bytes) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, *bytes).unwrap();
    }
    b.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn folder(sb: &Sandbox) -> std::path::PathBuf {
    let dir = sb.path("files");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_key_in_a_zip_is_reported_at_its_entry_and_line_whatever_the_zip_is_called() {
    let sb = Sandbox::new();
    let dir = folder(&sb);
    let k = key(1);
    let bundle = zip(&[
        ("README.txt", b"nothing here\n"),
        ("config/app.env", &app_env(&k)),
    ]);
    write_bytes(&dir, "bundle.zip", &bundle);
    // Known by its bytes: a zip called data.bin is an archive ...
    write_bytes(&dir, "data.bin", &bundle);
    // ... and a .jar that is not a zip is a plain file.
    write_bytes(&dir, "plain.jar", &app_env(&k));

    let run = sb
        .leakgate(&dir, &["scan", ".", "--color", "never"])
        .expect_found("scan");
    run.assert_hides(&k);
    for place in ["bundle.zip!config/app.env:2:", "data.bin!config/app.env:2:"] {
        assert!(run.stdout.contains(place), "{place}:\n{}", run.stdout);
    }
    assert!(run.stdout.contains("plain.jar:2:"), "{}", run.stdout);
    assert!(
        run.stdout.contains("2 archives opened (4 entries)"),
        "{}",
        run.stdout
    );

    let doc = json(&sb.leakgate(&dir, &["scan", ".", "--format", "json"]));
    let mut got = places(&doc);
    got.sort();
    assert_eq!(
        got,
        [
            ("bundle.zip!config/app.env".to_string(), 2),
            ("data.bin!config/app.env".to_string(), 2),
            ("plain.jar".to_string(), 2),
        ]
    );
    assert_eq!(doc["summary"]["archives"], 2);
    assert_eq!(doc["summary"]["archive_entries"], 4);

    // stdin is a blob like any other.
    let run = sb
        .leakgate_stdin(&dir, &["scan", "-", "--format", "json"], &bundle)
        .expect_found("stdin");
    assert_eq!(places(&json(&run)), [("<stdin>!config/app.env".into(), 2)]);

    // Switched off, a zip is a binary file again: a bare MessageBird key in
    // its compressed bytes is not found.
    write(&dir, ".leakgate.toml", "[scan.archives]\nenabled = false\n");
    std::fs::remove_file(dir.join("plain.jar")).unwrap();
    let run = sb
        .leakgate(&dir, &["scan", ".", "--format", "json"])
        .expect_ok("archives off");
    assert_eq!(json(&run)["summary"]["archives"], 0);
}

#[test]
fn a_jar_in_a_zip_is_opened_and_a_stored_entry_is_reported_once() {
    let sb = Sandbox::new();
    let dir = folder(&sb);
    let k = key(2);
    let jar = zip(&[
        ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
        ("config/app.properties", &app_env(&k)),
    ]);
    let outer = zip(&[("lib/b.jar", &jar)]);
    write_bytes(&dir, "a.zip", &outer);
    // A GitHub token in a stored (uncompressed) entry is plain in the zip's
    // own bytes too; it is reported at the entry only.
    let gh = secret(format!(
        "ghp_{}",
        leakgate::rules::testgen::token("crc32", 30, 5)
    ));
    let stored = zip_with(
        &[("deploy/token.txt", format!("token: {gh}\n").as_bytes())],
        zip::CompressionMethod::Stored,
    );
    write_bytes(&dir, "stored.zip", &stored);

    let run = sb
        .leakgate(&dir, &["scan", ".", "--color", "never"])
        .expect_found("scan");
    run.assert_hides(&k);
    run.assert_hides(&gh);
    assert!(
        run.stdout
            .contains("a.zip!lib/b.jar!config/app.properties:2:"),
        "{}",
        run.stdout
    );
    let mut got = places(&json(
        &sb.leakgate(&dir, &["scan", ".", "--format", "json"]),
    ));
    got.sort();
    assert_eq!(
        got,
        [
            ("a.zip!lib/b.jar!config/app.properties".to_string(), 2),
            ("stored.zip!deploy/token.txt".to_string(), 1),
        ]
    );
}

#[test]
fn tar_tar_gz_plain_gz_and_tar_zst_are_opened() {
    let sb = Sandbox::new();
    let dir = folder(&sb);
    let k = key(3);
    let env = app_env(&k);
    let t = tar(&[("config/app.env", &env)]);
    write_bytes(&dir, "bundle.tar", &t);
    write_bytes(&dir, "bundle.tar.gz", &gzip(&t));
    write_bytes(&dir, "bundle.tgz", &gzip(&t));
    write_bytes(&dir, "app.env.gz", &gzip(&env));
    let zst =
        ruzstd::encoding::compress_to_vec(&t[..], ruzstd::encoding::CompressionLevel::Fastest);
    write_bytes(&dir, "bundle.tar.zst", &zst);

    let run = sb
        .leakgate(&dir, &["scan", ".", "--color", "never"])
        .expect_found("scan");
    run.assert_hides(&k);
    for place in [
        "bundle.tar!config/app.env:2:",
        "bundle.tar.gz!config/app.env:2:",
        "bundle.tgz!config/app.env:2:",
        "app.env.gz!app.env:2:",
        "bundle.tar.zst!config/app.env:2:",
    ] {
        assert!(run.stdout.contains(place), "{place}:\n{}", run.stdout);
    }
    let doc = json(&sb.leakgate(&dir, &["scan", ".", "--format", "json"]));
    assert_eq!(places(&doc).len(), 5, "{doc}");
}

#[test]
fn pre_commit_blocks_a_key_in_a_zip_and_not_the_same_key_again() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let k = key(4);
    let env = app_env(&k);
    write_bytes(&repo, "bundle.zip", &zip(&[("config/app.env", &env)]));
    sb.git(&repo, &["add", "bundle.zip"]).expect_ok("add");
    let before = sb.settled_snapshot(&repo);
    let run = sb.commit(&repo, "bundle").expect_blocked("a key in a zip");
    assert!(
        run.stderr.contains("bundle.zip!config/app.env:2:"),
        "{}",
        run.stderr
    );
    assert_eq!(
        sb.settled_snapshot(&repo),
        before,
        "index and tree untouched"
    );
    sb.commit_unchecked(&repo, "bundle, past the hook");

    // The same zip with an unrelated entry added: the key was already there.
    write_bytes(
        &repo,
        "bundle.zip",
        &zip(&[
            ("config/app.env", &env),
            ("docs/notes.txt", b"release notes\n"),
        ]),
    );
    sb.git(&repo, &["add", "bundle.zip"]).expect_ok("add");
    sb.commit(&repo, "bundle with notes")
        .expect_ok("an old key in a changed zip is not new");

    // A new key in it is.
    let k2 = key(5);
    write_bytes(
        &repo,
        "bundle.zip",
        &zip(&[
            ("config/app.env", &env),
            ("config/other.env", &app_env(&k2)),
        ]),
    );
    sb.git(&repo, &["add", "bundle.zip"]).expect_ok("add");
    let run = sb.commit(&repo, "another key").expect_blocked("new key");
    assert!(
        run.stderr.contains("bundle.zip!config/other.env:2:")
            && !run.stderr.contains("bundle.zip!config/app.env"),
        "{}",
        run.stderr
    );
}

#[test]
fn history_scans_open_archives_in_commits() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let k = key(6);
    let t = tar(&[("config/app.env", &app_env(&k))]);
    write_bytes(&repo, "dist/bundle.tar.gz", &gzip(&t));
    let whole = zip(&[("a.txt", b"hello\n".repeat(100).as_slice())]);
    write_bytes(&repo, "dist/broken.zip", &whole[..whole.len() / 2]);
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "dist");
    let head = sb.head(&repo);

    for args in [
        &["scan", "--all", "--format", "json"][..],
        &["scan", "HEAD~1..HEAD", "--format", "json"][..],
    ] {
        let run = sb.leakgate(&repo, args).expect_found("history");
        let doc = json(&run);
        assert_eq!(
            places(&doc),
            [("dist/bundle.tar.gz!config/app.env".to_string(), 2)],
            "{args:?}"
        );
        assert_eq!(doc["findings"][0]["commit"], head.as_str());
        // A skipped archive is named by its path, even by `--all`, which
        // reads blobs before it knows where they are.
        let skipped = &doc["summary"]["skipped_files"];
        assert_eq!(skipped[0]["path"], "dist/broken.zip", "{args:?}: {skipped}");
        assert_eq!(skipped[0]["reason"], "corrupt archive");
    }
    let run = sb
        .leakgate(&repo, &["scan", "--all", "--color", "never"])
        .expect_found("history");
    assert!(
        run.stdout.contains("dist/bundle.tar.gz!config/app.env:2:"),
        "{}",
        run.stdout
    );
}

/// A zip whose one entry is 200 KB of text: past a 64 KiB `max_expanded`.
pub fn over_64k() -> Vec<u8> {
    let text = "line of filler text for the expansion limit\n".repeat(5000);
    zip(&[("inner/big.txt", text.as_bytes())])
}

pub const LOW_LIMIT: &str = "[scan.archives]\nmax_expanded = \"64 KiB\"\n";
const EXPANDS_PAST: &str =
    "big.zip!inner/big.txt: expands past 64 KiB (the [scan.archives] max_expanded limit); raise it in .leakgate.toml or remove the file";

#[test]
fn an_archive_past_the_expanded_limit_fails_closed_in_files_stdin_hooks_and_history() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(&repo, ".leakgate.toml", LOW_LIMIT);
    sb.git(&repo, &["add", ".leakgate.toml"]).expect_ok("add");
    sb.commit(&repo, "limits").expect_ok("commit config");
    write_bytes(&repo, "big.zip", &over_64k());

    // A folder scan.
    let run = sb
        .leakgate(&repo, &["scan", "big.zip"])
        .expect_code(2, "file scan");
    assert!(run.stderr.contains(EXPANDS_PAST), "{}", run.all());
    // JSON too: no report that would pass for clean.
    let run = sb
        .leakgate(&repo, &["scan", "big.zip", "--format", "json"])
        .expect_code(2, "file scan, json");
    assert!(run.stdout.is_empty(), "{}", run.stdout);

    // pre-commit: the hook blocks with git's way out.
    sb.git(&repo, &["add", "big.zip"]).expect_ok("add");
    let run = sb
        .commit(&repo, "big")
        .expect_unchecked(2, "pre-commit over the limit");
    assert!(run.stderr.contains(EXPANDS_PAST), "{}", run.stderr);
    assert!(
        run.stderr.contains("git commit --no-verify"),
        "{}",
        run.stderr
    );
    sb.commit_unchecked(&repo, "big, past the hook");

    // pre-push: the same.
    sb.remote(&repo, "origin.git");
    let run = sb
        .git(&repo, &["push", "-q", "origin", "main"])
        .expect_unchecked(2, "pre-push over the limit");
    assert!(run.stderr.contains(EXPANDS_PAST), "{}", run.stderr);

    // History, both ways.
    for args in [&["scan", "--all"][..], &["scan", "HEAD~1..HEAD"][..]] {
        let run = sb.leakgate(&repo, args).expect_code(2, "history");
        assert!(
            run.stderr
                .contains("big.zip!inner/big.txt: expands past 64 KiB"),
            "{args:?}: {}",
            run.all()
        );
    }
}

#[test]
fn a_real_zip_bomb_stops_at_the_ratio_limit_with_the_defaults() {
    let sb = Sandbox::new();
    let dir = folder(&sb);
    // 200 MiB of zeros, deflated to a few hundred KB.
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    w.start_file("zeros.bin", opts).unwrap();
    let mib = vec![0u8; 1 << 20];
    for _ in 0..200 {
        w.write_all(&mib).unwrap();
    }
    let bomb = w.finish().unwrap().into_inner();
    assert!(bomb.len() < 1 << 20, "{} bytes", bomb.len());
    write_bytes(&dir, "bomb.zip", &bomb);
    let run = sb
        .leakgate(&dir, &["scan", "."])
        .expect_code(2, "a zip bomb");
    assert!(
        run.stderr.contains(
            "bomb.zip!zeros.bin: expands more than 100:1 (the [scan.archives] max_ratio limit)"
        ),
        "{}",
        run.all()
    );
}

#[test]
fn the_entry_and_depth_limits_fail_closed() {
    let sb = Sandbox::new();
    let dir = folder(&sb);
    let k = key(7);
    let five: Vec<(String, Vec<u8>)> = (0..5)
        .map(|i| (format!("f{i}.txt"), b"x\n".to_vec()))
        .collect();
    let five: Vec<(&str, &[u8])> = five
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    write_bytes(&dir, "many.zip", &zip(&five));
    write(&dir, ".leakgate.toml", "[scan.archives]\nmax_entries = 3\n");
    let run = sb
        .leakgate(&dir, &["scan", "many.zip"])
        .expect_code(2, "entries");
    assert!(
        run.stderr.contains(
            "many.zip: holds more than 3 entries (the [scan.archives] max_entries limit)"
        ),
        "{}",
        run.all()
    );
    std::fs::remove_file(dir.join(".leakgate.toml")).unwrap();
    std::fs::remove_file(dir.join("many.zip")).unwrap();

    // Depth 3 is read; depth 4 is the limit.
    let env = app_env(&k);
    let d3 = zip(&[("l1.zip", &zip(&[("l2.zip", &zip(&[("app.env", &env)]))]))]);
    write_bytes(&dir, "d3.zip", &d3);
    let run = sb
        .leakgate(&dir, &["scan", "d3.zip", "--format", "json"])
        .expect_found("depth 3");
    assert_eq!(
        places(&json(&run)),
        [("d3.zip!l1.zip!l2.zip!app.env".to_string(), 2)]
    );
    write_bytes(&dir, "d4.zip", &zip(&[("d3.zip", &d3)]));
    let run = sb
        .leakgate(&dir, &["scan", "d4.zip"])
        .expect_code(2, "depth 4");
    assert!(
        run.stderr.contains(
            "d4.zip!d3.zip!l1.zip!l2.zip: archives nested deeper than 3 (the [scan.archives] max_depth limit)"
        ),
        "{}",
        run.all()
    );
    run.assert_hides(&k);
}

/// Sets the "encrypted" bit of every entry's flags, in the local and the
/// central headers: what an encrypted entry looks like to a reader.
fn mark_encrypted(zip: &mut [u8], name: &str) {
    let mut i = 0;
    while i + 46 < zip.len() {
        let (sig, flags_at, name_len_at, name_at) = match &zip[i..i + 4] {
            b"PK\x03\x04" => (true, 6, 26, 30),
            b"PK\x01\x02" => (true, 8, 28, 46),
            _ => (false, 0, 0, 0),
        };
        if sig {
            let n = u16::from_le_bytes([zip[i + name_len_at], zip[i + name_len_at + 1]]) as usize;
            if &zip[i + name_at..i + name_at + n] == name.as_bytes() {
                zip[i + flags_at] |= 1;
            }
        }
        i += 1;
    }
}

#[test]
fn corrupt_and_encrypted_archives_are_counted_as_skipped_with_their_reason() {
    let sb = Sandbox::new();
    let dir = folder(&sb);
    let k = key(8);
    let whole = zip(&[("a.txt", b"hello\n".repeat(100).as_slice())]);
    write_bytes(&dir, "cut.zip", &whole[..whole.len() / 2]);
    let mut enc = zip_with(
        &[
            ("secret.env", &app_env(&key(9))),
            ("open.env", &app_env(&k)),
        ],
        zip::CompressionMethod::Stored,
    );
    mark_encrypted(&mut enc, "secret.env");
    write_bytes(&dir, "locked.zip", &enc);

    let run = sb
        .leakgate(&dir, &["scan", ".", "--format", "json"])
        .expect_found("the open entry");
    let doc = json(&run);
    assert_eq!(places(&doc), [("locked.zip!open.env".to_string(), 2)]);
    let s = &doc["summary"];
    assert_eq!(s["skipped"]["corrupt_archive"], 1, "{s}");
    assert_eq!(s["skipped"]["encrypted"], 1, "{s}");
    let mut skipped: Vec<(String, String)> = s["skipped_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    skipped.sort();
    assert_eq!(
        skipped,
        [
            ("cut.zip".to_string(), "corrupt archive".to_string()),
            ("locked.zip!secret.env".to_string(), "encrypted".to_string()),
        ]
    );
    let run = sb
        .leakgate(&dir, &["scan", ".", "--color", "never"])
        .expect_found("human");
    assert!(
        run.stdout
            .contains("skipped 1 corrupt archive, 1 encrypted archive entry"),
        "{}",
        run.stdout
    );

    // Nothing found: the report does not call the corrupt archive clean.
    std::fs::remove_file(dir.join("locked.zip")).unwrap();
    let run = sb
        .leakgate(&dir, &["scan", ".", "--color", "never"])
        .expect_ok("only the corrupt zip");
    assert!(
        run.stdout.contains(
            "no secrets found in what was scanned; 1 file was not scanned (1 corrupt archive)"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn the_server_refuses_a_pushed_zip_with_a_key_naming_the_entry() {
    let sb = Sandbox::new();
    let (server, client) = sb.server_and_client();
    let k = key(10);
    write_bytes(
        &client,
        "release/app.war",
        &zip(&[("WEB-INF/classes/app.env", &app_env(&k))]),
    );
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "war")
        .expect_ok("commit (no client hook)");
    let before = sb.git(&server, &["rev-parse", "main"]).stdout;
    let run = sb
        .git(&client, &["push", "--no-verify", "origin", "main"])
        .expect_blocked("server refuses");
    run.assert_hides(&k);
    assert!(
        run.stderr
            .contains("release/app.war!WEB-INF/classes/app.env:2:"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.git(&server, &["rev-parse", "main"]).stdout, before);
}

#[test]
fn the_server_refuses_a_pushed_zip_bomb_naming_the_limit() {
    let sb = Sandbox::new();
    let (server, client) = sb.server_and_client();
    // 4 MiB of zeros deflate to a few KB: past 1 MiB, over 100:1.
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file("zeros.bin", opts).unwrap();
    w.write_all(&vec![0u8; 4 << 20]).unwrap();
    let bomb = w.finish().unwrap().into_inner();
    write_bytes(&client, "assets/app.zip", &bomb);
    sb.git(&client, &["add", "."]).expect_ok("add");
    sb.commit(&client, "bomb")
        .expect_ok("commit (no client hook)");
    let before = sb.git(&server, &["rev-parse", "main"]).stdout;
    let run = sb
        .git(&client, &["push", "--no-verify", "origin", "main"])
        .expect_unchecked(2, "the server refuses the push");
    assert!(
        run.stderr.contains(
            "assets/app.zip!zeros.bin: expands more than 100:1 (the [scan.archives] max_ratio limit)"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("remote rejected"), "{}", run.stderr);
    assert_eq!(sb.git(&server, &["rev-parse", "main"]).stdout, before);
}

#[test]
fn an_entry_is_allowed_by_the_place_the_report_prints() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let k = key(11);
    write_bytes(
        &repo,
        "bundle.zip",
        &zip(&[("config/app.env", &app_env(&k))]),
    );
    sb.git(&repo, &["add", "bundle.zip"]).expect_ok("add");
    let run = sb.commit(&repo, "bundle").expect_blocked("blocked");
    // The archive is what git unstages.
    assert!(
        run.stderr.contains("git rm --cached -- bundle.zip "),
        "{}",
        run.stderr
    );
    let place = allow_place_in(&run.stderr);
    assert_eq!(place, "'bundle.zip!config/app.env:2'", "{}", run.stderr);
    // The shell would take the quotes off.
    let place = place.replace('\'', "");
    sb.leakgate(
        &repo,
        &["allow", &place, "--reason", "revoked test fixture"],
    )
    .expect_ok("allow the entry");
    sb.git(&repo, &["add", ".leakgate-allow.toml"])
        .expect_ok("add the allowlist");
    sb.commit(&repo, "bundle, allowed")
        .expect_ok("the allowed entry no longer blocks");
}

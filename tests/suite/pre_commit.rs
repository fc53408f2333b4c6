//! The pre-commit hook, driven through the real `git commit` in temp repos.
//! (The sandbox's path contains a space, so every test also covers that.)

use crate::common::*;

#[test]
fn blocked_commit_explains_and_leaves_index_and_worktree_untouched() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let k = key(1);
    write(
        &repo,
        "config/app.env",
        &format!("# sms\nDEBUG=1\n{}", env_line(&k)),
    );
    sb.git(&repo, &["add", "config/app.env"]).expect_ok("add");
    let head = sb.head(&repo);
    let before = sb.settled_snapshot(&repo);

    let run = sb
        .commit(&repo, "add sms config")
        .expect_blocked("commit with a key");
    run.assert_hides(&k);
    let err = &run.stderr;
    assert!(err.contains("commit blocked"), "{err}");
    assert!(err.contains("config/app.env:3:24"), "{err}");
    assert!(err.contains("messagebird-access-key"), "{err}");
    assert!(
        err.contains(&format!("{}****", &k[..4])),
        "redacted key shown: {err}"
    );
    assert!(
        err.contains("why: assigned to a name that mentions MessageBird"),
        "{err}"
    );
    assert!(err.contains("git rm --cached -- config/app.env"), "{err}");
    assert!(
        err.contains("Developers -> API access"),
        "rotation steps: {err}"
    );
    assert!(err.contains("leakgate allow "), "{err}");
    assert!(err.contains("git commit --no-verify"), "{err}");

    assert_eq!(snapshot(&repo), before, "index or working tree changed");
    assert_eq!(sb.head(&repo), head, "a commit was made");
}

#[test]
fn modified_file_gets_restore_staged_advice() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let k = key(2);
    write(&repo, "settings.py", "DEBUG = True\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "settings").expect_ok("clean commit");
    write(
        &repo,
        "settings.py",
        &format!("DEBUG = True\nMESSAGEBIRD_KEY = '{k}'\n"),
    );
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb.commit(&repo, "key").expect_blocked("commit with a key");
    assert!(run.stderr.contains("settings.py:2:"), "{}", run.stderr);
    assert!(
        run.stderr.contains("git restore --staged -- settings.py"),
        "{}",
        run.stderr
    );
}

#[test]
fn clean_commit_passes_quietly() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(
        &repo,
        "app.py",
        "import os\nKEY = os.environ['MESSAGEBIRD_ACCESS_KEY']\n",
    );
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb.commit(&repo, "clean").expect_ok("clean commit");
    assert!(
        !run.stderr.contains("leakgate"),
        "a clean commit should be silent: {}",
        run.stderr
    );
}

#[test]
fn allowlisted_key_passes_and_the_allowlist_holds_no_secret() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let k = key(3);
    write(&repo, "tests/fixture.env", &env_line(&k));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb.commit(&repo, "fixture").expect_blocked("blocked first");
    // The hook names the place; `allow` fingerprints what is there.
    assert!(!run.stderr.contains("fingerprint:"), "{}", run.stderr);
    let place = allow_place_in(&run.stderr);
    assert_eq!(place, "tests/fixture.env:1");
    let json = sb.leakgate(&repo, &["scan", "--staged", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON report");
    let fp = doc["findings"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();

    let added = sb
        .leakgate(
            &repo,
            &["allow", &place, "--reason", "revoked key kept as a fixture"],
        )
        .expect_ok("leakgate allow");
    assert!(
        added.stdout.contains(&fp) && added.stdout.contains("messagebird-access-key"),
        "{}",
        added.stdout
    );
    let allow = std::fs::read_to_string(repo.join(".leakgate-allow.toml")).unwrap();
    assert!(
        allow.contains(&format!("fingerprint = \"{fp}\"\nrule = \"messagebird-access-key\"\nreason = \"revoked key kept as a fixture\"")),
        "{allow}"
    );
    assert!(!allow.contains(&k), "the allowlist holds the raw key");

    sb.git(&repo, &["add", ".leakgate-allow.toml"])
        .expect_ok("add allowlist");
    let run = sb.commit(&repo, "fixture").expect_ok("allowlisted commit");
    assert!(
        run.stderr.contains("1 allowed by the allowlist"),
        "{}",
        run.stderr
    );

    // The same fingerprint twice is refused, naming the existing entry,
    // whether it is given by place or by fingerprint.
    let at = format!(".leakgate-allow.toml:{}:", entry_line(&allow, &fp));
    for target in [&place, &fp] {
        let again = sb.leakgate(&repo, &["allow", target, "--reason", "x"]);
        assert_eq!(again.code, Some(2), "{}", again.all());
        assert!(again.stderr.contains(&at), "{}", again.stderr);
    }
}

#[test]
fn allowlist_by_path_glob_and_rule() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(
        &repo,
        ".leakgate-allow.toml",
        "[[allow]]\npath = \"docs/**\"\nrule = \"messagebird-access-key\"\nreason = \"documentation uses revoked keys\"\n",
    );
    write(&repo, "docs/setup.md", &env_line(&key(4)));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "docs").expect_ok("docs allowed by glob");

    write(&repo, "src/app.env", &env_line(&key(5)));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "app")
        .expect_blocked("outside the glob still blocks");
}

#[test]
fn expired_allowlist_entry_blocks_again_and_says_so() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let k = key(6);
    write(&repo, "fixture.env", &env_line(&k));
    sb.git(&repo, &["add", "fixture.env"]).expect_ok("add");
    let place = allow_place_in(&sb.commit(&repo, "f").expect_blocked("blocked").stderr);

    sb.leakgate(
        &repo,
        &[
            "allow",
            &place,
            "--reason",
            "temporary",
            "--expires",
            "2999-12-31",
        ],
    )
    .expect_ok("allow with expiry");
    // `allow` refuses a past date; one already in the file is how entries expire.
    let file = repo.join(".leakgate-allow.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("2999-12-31", "2020-01-31")).unwrap();
    let run = sb
        .commit(&repo, "f")
        .expect_blocked("expired entry must not apply");
    assert!(run.stderr.contains("2020-01-31"), "{}", run.stderr);
    assert!(run.stderr.contains("expired"), "{}", run.stderr);
    assert!(
        run.stderr.contains(".leakgate-allow.toml:"),
        "{}",
        run.stderr
    );

    // A future date applies.
    std::fs::remove_file(repo.join(".leakgate-allow.toml")).unwrap();
    sb.leakgate(
        &repo,
        &[
            "allow",
            &place,
            "--reason",
            "temporary",
            "--expires",
            "2999-12-31",
        ],
    )
    .expect_ok("allow");
    sb.commit(&repo, "f").expect_ok("entry not yet expired");
}

#[test]
fn a_key_only_in_the_working_tree_is_not_reported() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(&repo, "app.env", "DEBUG=1\n");
    sb.git(&repo, &["add", "app.env"]).expect_ok("add");
    // Added to the file after staging: not part of this commit.
    write(&repo, "app.env", &format!("DEBUG=1\n{}", env_line(&key(7))));
    sb.commit(&repo, "clean part")
        .expect_ok("only the staged blob counts");
}

#[test]
fn a_key_staged_then_removed_from_the_working_tree_is_reported() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(&repo, "app.env", &format!("DEBUG=1\n{}", env_line(&key(8))));
    sb.git(&repo, &["add", "app.env"]).expect_ok("add");
    write(&repo, "app.env", "DEBUG=1\n");
    let before = sb.settled_snapshot(&repo);
    sb.commit(&repo, "staged key")
        .expect_blocked("the staged blob has the key");
    assert_eq!(snapshot(&repo), before);
}

#[test]
fn commit_all_scans_the_temporary_index() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(&repo, "app.env", "DEBUG=1\n");
    sb.git(&repo, &["add", "app.env"]).expect_ok("add");
    sb.commit(&repo, "env").expect_ok("clean");
    write(&repo, "app.env", &format!("DEBUG=1\n{}", env_line(&key(9))));
    let before = sb.settled_snapshot(&repo);
    let run = sb
        .git(&repo, &["commit", "-a", "-m", "all"])
        .expect_blocked("commit -a with a key");
    assert!(run.stderr.contains("app.env:2:"), "{}", run.stderr);
    assert_eq!(
        snapshot(&repo),
        before,
        "commit -a must leave the real index alone"
    );
}

#[test]
fn commit_with_paths_scans_the_temporary_index() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(&repo, "a.env", "A=1\n");
    write(&repo, "b.env", "B=1\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "env").expect_ok("clean");
    write(&repo, "a.env", &format!("A=1\n{}", env_line(&key(10))));
    write(&repo, "b.env", "B=2\n");
    sb.git(&repo, &["commit", "-m", "a", "--", "a.env"])
        .expect_blocked("commit <path> with a key");
    sb.git(&repo, &["commit", "-q", "-m", "b", "--", "b.env"])
        .expect_ok("commit <clean path>");
}

#[test]
fn unborn_head_first_commit() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    sb.install(&repo).expect_ok("install");
    write(&repo, "app.env", &env_line(&key(11)));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb
        .commit(&repo, "first")
        .expect_blocked("first commit with a key");
    assert!(
        run.stderr.contains("git rm --cached -- app.env"),
        "{}",
        run.stderr
    );
    write(&repo, "app.env", "MESSAGEBIRD_ACCESS_KEY=\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "first").expect_ok("clean first commit");
}

#[test]
fn only_added_lines_count_but_the_whole_file_is_context() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let old = key(12);
    // A key already committed (past the hook) is history's problem, not this
    // commit's: editing another line must not re-report it.
    write(&repo, "app.env", &format!("{}DEBUG=1\n", env_line(&old)));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "old key");
    write(&repo, "app.env", &format!("{}DEBUG=0\n", env_line(&old)));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "edit another line")
        .expect_ok("existing key not reported again");

    // The provider's name on an unchanged line above the added key.
    write(&repo, "sms.yml", "messagebird:\n  originator: Acme\n");
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "yaml").expect_ok("clean");
    let k = key(13);
    write(
        &repo,
        "sms.yml",
        &format!("messagebird:\n  originator: Acme\n  access_key: {k}\n"),
    );
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb.commit(&repo, "nested").expect_blocked("nested key");
    assert!(run.stderr.contains("sms.yml:3:15"), "{}", run.stderr);
    assert!(
        run.stderr.contains("sits under `messagebird:` (line 1)"),
        "{}",
        run.stderr
    );
}

#[test]
fn binary_oversized_symlink_and_submodule_are_counted() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(
        &repo,
        ".leakgate.toml",
        "[scan]\nmax_file_size = \"1 KiB\"\n",
    );
    let k = key(14);
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(env_line(&k).as_bytes());
    write_bytes(&repo, "logo.png", &png);
    write(&repo, "dump.sql", &"-- filler\n".repeat(200));
    // A symlink whose target is outside the repository and holds a key.
    write(&sb.path("outside"), "secret.env", &env_line(&key(15)));
    std::os::unix::fs::symlink(sb.path("outside/secret.env"), repo.join("linked.env")).unwrap();
    // A submodule entry (a gitlink) added straight to the index.
    let sub_commit = sb.head(&repo);
    sb.git(
        &repo,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{sub_commit},vendor/lib"),
        ],
    )
    .expect_ok("gitlink");
    sb.git(
        &repo,
        &[
            "add",
            "logo.png",
            "dump.sql",
            "linked.env",
            ".leakgate.toml",
        ],
    )
    .expect_ok("add");

    let run = sb
        .commit(&repo, "assets")
        .expect_ok("nothing scannable holds a key");
    let err = &run.stderr;
    // The binary is searched for prefixed keys only (a MessageBird key
    // needs context), the large file in windows; links are not followed.
    assert!(
        err.contains("2 files were not scanned (1 submodule, 1 symlink)")
            && err.contains(
                "1 large file scanned in windows; 1 binary file searched for prefixed keys"
            ),
        "{err}"
    );
}

#[test]
fn utf16_and_crlf_files_are_scanned() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let k1 = key(16);
    let text = format!("DEBUG=1\r\n{}", env_line(&k1).replace('\n', "\r\n"));
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    write_bytes(&repo, "win.env", &utf16);
    let k2 = key(17);
    write(
        &repo,
        "crlf.env",
        &format!("A=1\r\nMESSAGEBIRD_KEY=\"{k2}\"\r\n"),
    );
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb
        .commit(&repo, "windows files")
        .expect_blocked("keys in utf-16 and crlf files");
    assert!(run.stderr.contains("win.env:2:24"), "{}", run.stderr);
    assert!(run.stderr.contains("crlf.env:2:18"), "{}", run.stderr);
    run.assert_hides(&k1);
    run.assert_hides(&k2);
}

#[test]
fn inline_marker_allows_a_line() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(
        &repo,
        "fixture.py",
        &format!(
            "MESSAGEBIRD_KEY = '{}'  # leakgate:allow revoked\n",
            key(18)
        ),
    );
    write(
        &repo,
        "fixture.json",
        &format!(
            "{{\n  \"_comment\": \"leakgate:allow revoked\",\n  \"messagebird_key\": \"{}\"\n}}\n",
            key(19)
        ),
    );
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb.commit(&repo, "fixtures").expect_ok("inline markers");
    assert!(run.stderr.contains("2 allowed inline"), "{}", run.stderr);
}

#[test]
fn malformed_allowlist_blocks_naming_file_line_and_field() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let allowlist = "[[allow]]\nfingerprint = \"0123456789abcdef\"\nreason = \"ok\"\n\n[[allow]]\nfingerprint = \"not-a-fingerprint\"\nreason = \"typo\"\n";
    write(&repo, ".leakgate-allow.toml", allowlist);
    write(&repo, "a.txt", "hello\n");
    sb.git(&repo, &["add", "a.txt"]).expect_ok("add");
    let run = sb
        .commit(&repo, "a")
        .expect_unchecked(2, "a broken allowlist must not be ignored");
    let err = &run.stderr;
    let at = entry_line(allowlist, "not-a-fingerprint");
    assert!(err.contains(&format!(".leakgate-allow.toml:{at}")), "{err}");
    assert!(err.contains("`fingerprint`"), "{err}");
    assert!(err.contains("git commit --no-verify"), "{err}");
}

#[test]
fn missing_binary_blocks_with_the_way_out() {
    let sb = Sandbox::new();
    let repo = sb.bare_init("r");
    let copy = sb.path("bin/leakgate");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::copy(BIN, &copy).unwrap();
    let script = project_root().join("install.sh");
    sb.run(
        &repo,
        "sh",
        &[
            script.to_str().unwrap(),
            "--bin",
            copy.to_str().unwrap(),
            ".",
        ],
    )
    .expect_ok("install");
    std::fs::remove_file(&copy).unwrap();
    write(&repo, "a.txt", "hello\n");
    sb.git(&repo, &["add", "a.txt"]).expect_ok("add");
    let run = sb.commit(&repo, "a").expect_code(1, "no binary, no commit");
    assert!(
        run.stderr.contains("leakgate binary was not found"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("git commit --no-verify"),
        "{}",
        run.stderr
    );
}

#[test]
fn scan_staged_by_hand_exits_1_and_prints_to_stdout() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let k = key(20);
    write(&repo, "a.env", &env_line(&k));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb.leakgate(&repo, &["scan", "--staged"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stdout.contains("a.env:1:24"), "{}", run.stdout);
    run.assert_hides(&k);
    let sub = repo.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    assert_eq!(
        sb.leakgate(&sub, &["scan", "--staged"]).code,
        Some(1),
        "works from a subdirectory"
    );
    let outside = sb.path("home");
    let run = sb.leakgate(&outside, &["scan", "--staged"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("not inside a git repository"),
        "{}",
        run.stderr
    );
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(&repo, "a.env", &env_line(&key(21)));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    const ESC: char = '\u{1b}';

    let piped = sb.leakgate(&repo, &["scan", "--staged"]);
    assert!(!piped.stdout.contains(ESC), "colour when piped");
    let forced = sb.leakgate(&repo, &["--color", "always", "scan", "--staged"]);
    assert!(forced.stdout.contains(ESC), "--color always");

    // A real terminal, through util-linux `script`.
    let script = which("script");
    let cmd = format!("'{BIN}' scan --staged");
    let tty = sb.run(
        &repo,
        script.to_str().unwrap(),
        &["-qec", &cmd, "/dev/null"],
    );
    assert!(
        tty.stdout.contains(ESC),
        "no colour on a terminal: {}",
        tty.stdout
    );
    let text = sb
        .output(
            sb.command(script.to_str().unwrap(), &repo)
                .args(["-qec", &cmd, "/dev/null"])
                .env("NO_COLOR", "1"),
        )
        .stdout;
    assert!(
        text.contains("a.env:1:24") && !text.contains(ESC),
        "NO_COLOR ignored: {text}"
    );
}

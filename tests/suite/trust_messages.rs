//! Issue 7, "messages that are wrong": what a user reads must be true.

use crate::common::*;

#[test]
fn baseline_lists_what_it_recorded_instead_of_pointing_elsewhere() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let old = key(1);
    write(
        &repo,
        "legacy.env",
        &format!("MESSAGEBIRD_ACCESS_KEY={old}\n"),
    );
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit_unchecked(&repo, "legacy");
    let run = sb.leakgate(&repo, &["baseline"]).expect_ok("baseline");
    run.assert_hides(&old);
    assert!(
        !run.stdout.contains("`leakgate scan --all` lists them"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("legacy.env:1  messagebird-access-key"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("listed above"), "{}", run.stdout);
}

#[test]
fn a_mistyped_path_is_not_called_a_bad_revision() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let run = sb.leakgate(&repo, &["scan", "src/mian.rs"]);
    assert_eq!(run.code, Some(2), "{}", run.all());
    assert!(!run.stderr.contains("bad revision"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("\"src/mian.rs\" is neither a file or folder here nor a revision"),
        "{}",
        run.stderr
    );
    // Outside a repository it cannot be a revision at all.
    let run = sb.leakgate(sb.dir.path(), &["scan", "nowhere.txt"]);
    assert_eq!(run.code, Some(2), "{}", run.all());
    assert!(
        run.stderr
            .contains("\"nowhere.txt\" is not a file or folder here"),
        "{}",
        run.stderr
    );
    // Real revisions still work.
    sb.leakgate(&repo, &["scan", "HEAD"])
        .expect_ok("a revision");
    sb.leakgate(&repo, &["scan", "HEAD~0..HEAD"])
        .expect_ok("a range");
}

/// The audit every test relies on must itself fail when a secret shows.
#[test]
#[should_panic(expected = "output audit: stdout shows a whole generated secret")]
fn the_output_audit_catches_a_printed_secret() {
    let sb = Sandbox::new();
    let k = key(99);
    sb.run(sb.dir.path(), "echo", &[&format!("here: {k}")]);
}

#[test]
#[should_panic(expected = "output audit: file")]
fn the_output_audit_catches_a_secret_in_a_written_file() {
    let sb = Sandbox::new();
    let k = key(98);
    write(sb.dir.path(), "r/.leakgate-allow.toml", &format!("# {k}\n"));
    sb.run(sb.dir.path(), "true", &[]);
}

#[test]
fn stdin_honours_the_size_limit_it_is_given() {
    let sb = Sandbox::new();
    let k = key(20);
    let input = format!("{}{}", "filler line\n".repeat(400), env_line(&k));
    let run = sb.output_with_stdin(
        sb.command(BIN, sb.dir.path())
            .args(["scan", "--max-file-size", "1 KiB", "-"]),
        input.as_bytes(),
    );
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(run.stdout.contains("<stdin>:401:24"), "{}", run.stdout);
    assert!(
        run.stdout.contains("1 large file scanned in windows")
            && run.stdout.contains("the size limit of 1.0 KiB"),
        "{}",
        run.stdout
    );
}

/// A leakgate that crashes (a panic exits 101) after printing what a real
/// block prints, installed as the hook's binary.
fn crashing_hook_repo(sb: &Sandbox) -> std::path::PathBuf {
    let fake = sb.path("bin/leakgate");
    write(
        sb.dir.path(),
        "bin/leakgate",
        "#!/bin/sh\necho 'leakgate: commit blocked: 1 secret in the staged changes' >&2\necho \"thread 'main' panicked\" >&2\nexit 101\n",
    );
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let repo = sb.bare_init("r");
    // install.sh hands over to the binary it is given, which here cannot
    // install anything: leakgate install records the fake as the hooks' binary.
    sb.leakgate(&repo, &["install", "--bin", fake.to_str().unwrap(), "."])
        .expect_ok("install");
    write(&repo, "a.txt", "a\n");
    sb.git(&repo, &["add", "a.txt"]).expect_ok("add");
    repo
}

/// A crash in the hook is not a block, whatever it printed first.
#[test]
#[should_panic(expected = "not blocked by a finding")]
fn a_crash_in_the_hook_does_not_count_as_blocked() {
    let sb = Sandbox::new();
    let repo = crashing_hook_repo(&sb);
    sb.commit(&repo, "a").expect_blocked("a crash");
}

/// ...and it is told apart by its exit code.
#[test]
fn a_crash_in_the_hook_shows_as_its_exit_code() {
    let sb = Sandbox::new();
    let repo = crashing_hook_repo(&sb);
    sb.commit(&repo, "a").expect_unchecked(101, "a crash");
}

/// A crash of leakgate run directly is not "found".
#[test]
#[should_panic(expected = "expected exit 1, got Some(101)")]
fn a_crash_is_not_a_finding() {
    let sb = Sandbox::new();
    sb.run(sb.dir.path(), "sh", &["-c", "exit 101"])
        .expect_found("a crash");
}

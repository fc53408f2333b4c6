//! Credentials in the files tools write (issue 15): a context can require
//! the file's path, so a format that looks like nothing else only under its
//! own name (a `.pgpass` line) is found there, in every kind of scan, and
//! nowhere else.

use crate::common::*;
use sha2::Digest;

/// A project rule for an invented tool whose credentials file, `.acmepass`,
/// holds `user:secret` lines: plain text that means something only there.
const CONFIG: &str = r#"
[[rule]]
id = "acme-pass"
provider = "Acme"
name = "Acme password file entry"
severity = "high"
secret = '[A-Za-z0-9]{16}'
keywords = [":"]
[[rule.context]]
kind = "pattern"
pattern = '(?m)^[a-z]+:{secret}$'
path = '(^|/)\.acmepass$'
why = "a password in an .acmepass file"
[rule.examples]
match = []
no_match = []
"#;

fn entry(seed: u64) -> (String, String) {
    let k = secret(leakgate::rules::testgen::token("alnum", 16, 7700 + seed));
    let line = format!("deploy:{k}\n");
    (k, line)
}

fn repo_with_rule(sb: &Sandbox) -> std::path::PathBuf {
    let repo = sb.repo("r");
    write(&repo, ".leakgate.toml", CONFIG);
    sb.git(&repo, &["add", ".leakgate.toml"]).expect_ok("add");
    sb.commit(&repo, "config").expect_ok("config commit");
    repo
}

#[test]
fn a_path_context_blocks_only_at_its_file_name() {
    let sb = Sandbox::new();
    let repo = repo_with_rule(&sb);
    let (k, line) = entry(1);

    write(&repo, "notes.txt", &line);
    sb.git(&repo, &["add", "notes.txt"]).expect_ok("add");
    sb.commit(&repo, "notes")
        .expect_ok("the same line elsewhere is nothing");

    write(&repo, "home/.acmepass", &line);
    sb.git(&repo, &["add", "home/.acmepass"]).expect_ok("add");
    let run = sb
        .commit(&repo, "creds")
        .expect_blocked("blocked at its name");
    assert!(run.stderr.contains("home/.acmepass:1:"), "{}", run.stderr);
    assert!(
        run.stderr.contains("a password in an .acmepass file"),
        "{}",
        run.stderr
    );
    run.assert_hides(&k);

    // Standard input has no path: nothing there either.
    let stdin = sb.leakgate_stdin(&repo, &["scan", "-"], line.as_bytes());
    assert_eq!(stdin.code, Some(0), "{}", stdin.all());
}

/// History scans find it where the blob sits at that name, even when the
/// same content entered history first under another name (the blob is read
/// once per kind of path, not once).
#[test]
fn history_scans_find_it_at_its_name_even_when_the_blob_came_first_elsewhere() {
    let sb = Sandbox::new();
    let repo = repo_with_rule(&sb);
    let (k, line) = entry(2);
    write(&repo, "notes.txt", &line);
    sb.git(&repo, &["add", "notes.txt"]).expect_ok("add");
    sb.commit_unchecked(&repo, "notes");
    write(&repo, ".acmepass", &line);
    sb.git(&repo, &["add", ".acmepass"]).expect_ok("add");
    sb.commit_unchecked(&repo, "the same content under the tool's name");

    for args in [
        &["scan", "--all", "--format", "json"][..],
        &["scan", "HEAD~2..HEAD", "--format", "json"][..],
    ] {
        let run = sb.leakgate(&repo, args);
        assert_eq!(run.code, Some(1), "{args:?}: {}", run.all());
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
        let found: Vec<(String, String)> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule_id"].as_str().unwrap().to_string(),
                    f["path"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            found,
            vec![("acme-pass".to_string(), ".acmepass".to_string())],
            "{args:?}: {}",
            run.stdout
        );
        run.assert_hides(&k);
    }
}

/// A `path` that is not a regex is a config error naming file, rule and
/// field, like every other field.
#[test]
fn a_bad_path_regex_is_an_error_naming_the_field() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    write(
        &repo,
        ".leakgate.toml",
        &CONFIG.replace(r"(^|/)\.acmepass$", r"(^|/)\.acmepass($"),
    );
    let run = sb.leakgate_stdin(&repo, &["scan", "-"], b"x\n");
    assert_eq!(run.code, Some(2), "{}", run.all());
    assert!(run.stderr.contains(".leakgate.toml"), "{}", run.stderr);
    assert!(run.stderr.contains("acme-pass"), "{}", run.stderr);
    assert!(run.stderr.contains("context[0].path"), "{}", run.stderr);
}

/// A file that holds nothing but a key is found by its name alone: a Rails
/// master key blocks in config/master.key, in history too, and the same 32
/// hex characters anywhere else are nothing.
#[test]
fn a_rails_master_key_is_found_by_its_file_name_alone() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let k = secret(leakgate::rules::testgen::token("hex", 32, 7801));

    write(&repo, "notes/key.txt", &format!("{k}\n"));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "notes")
        .expect_ok("32 hex characters elsewhere are nothing");

    write(&repo, "config/master.key", &format!("{k}\n"));
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb
        .commit(&repo, "key")
        .expect_blocked("blocked by its name");
    assert!(
        run.stderr.contains("config/master.key:1:1"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("rails-master-key-file"),
        "{}",
        run.stderr
    );
    run.assert_hides(&k);

    sb.commit_unchecked(&repo, "key");
    let all = sb.leakgate(&repo, &["scan", "--all"]);
    assert_eq!(all.code, Some(1), "{}", all.all());
    assert!(
        all.stdout.contains("config/master.key:1:1"),
        "{}",
        all.stdout
    );
    assert!(!all.stdout.contains("notes/key.txt"), "{}", all.stdout);
}

/// A keystore is binary and no line of it means anything: it is reported
/// once, at its start, by its name, in the hook and in history; the Android
/// debug keystore that project templates commit is not.
#[test]
fn a_binary_keystore_is_reported_once_as_a_file() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let mut jks = vec![0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2];
    jks.extend((0..600u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    write_bytes(&repo, "android/app/debug.keystore", &jks);
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "debug keystore")
        .expect_ok("the debug keystore is not a finding");

    // A name is not enough: a note, an empty placeholder, a Git LFS
    // pointer at a keystore's name are not keystores.
    write(
        &repo,
        "signing/README.jks",
        "ask ops for the upload keystore\n",
    );
    write(&repo, "signing/empty.jks", "");
    write(
        &repo,
        "signing/lfs.keystore",
        "version https://git-lfs.github.com/spec/v1\nsize 2413\n",
    );
    sb.git(&repo, &["add", "."]).expect_ok("add");
    sb.commit(&repo, "keystore look-alikes")
        .expect_ok("files named like keystores without a keystore's bytes");

    write_bytes(&repo, "signing/release.jks", &jks);
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb
        .commit(&repo, "release keystore")
        .expect_blocked("a release keystore blocks");
    assert!(
        run.stderr.contains("1 secret in the staged changes"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stderr.matches("signing/release.jks:1:1").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("[java-keystore-file, high]"),
        "{}",
        run.stderr
    );
    // No line of a binary to show, no key to delete from it: the file
    // stays out of the repository.
    assert!(
        run.stderr.contains("(the whole file is the credential)")
            && run.stderr.contains("sha256: "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("git rm --cached -- signing/release.jks")
            && run
                .stderr
                .contains("printf '%s\\n' /signing/release.jks >> .gitignore"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("delete it from the file"),
        "{}",
        run.stderr
    );

    sb.commit_unchecked(&repo, "release keystore");
    let all = sb.leakgate(&repo, &["scan", "--all", "--format", "json"]);
    assert_eq!(all.code, Some(1), "{}", all.all());
    let doc: serde_json::Value = serde_json::from_str(&all.stdout).expect("JSON");
    let paths: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, vec!["signing/release.jks"], "{}", all.stdout);
    // What stands for the key is the digest of the file's bytes (what
    // `sha256sum` prints), shown redacted like any key.
    let digest: String = sha2::Sha256::digest(&jks)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let shown = doc["findings"][0]["redacted"].as_str().unwrap();
    let head = shown.trim_end_matches('*');
    assert!(
        head.len() >= 4 && digest.starts_with(head),
        "{shown} vs {digest}"
    );
}

/// A project's whole-file rule may confirm the file by its first bytes; a
/// `magic` on another kind of context, or one that is not a regex, is an
/// error naming the field.
#[test]
fn a_magic_is_checked_like_every_field() {
    let sb = Sandbox::new();
    let repo = sb.repo("r");
    let rule = |context: &str| {
        format!(
            r#"
[[rule]]
id = "acme-vault"
provider = "Acme"
name = "Acme vault file"
severity = "high"
secret = '.+'
[[rule.context]]
{context}
why = "an Acme vault"
[rule.examples]
match = []
no_match = []
"#
        )
    };
    write(
        &repo,
        ".leakgate.toml",
        &rule("kind = \"file\"\npath = '\\.avault$'\nmagic = '\\AAV\\x00['"),
    );
    let run = sb.leakgate_stdin(&repo, &["scan", "-"], b"x\n");
    assert_eq!(run.code, Some(2), "{}", run.all());
    assert!(run.stderr.contains("context[0].magic"), "{}", run.stderr);

    write(
        &repo,
        ".leakgate.toml",
        &rule("kind = \"pattern\"\npattern = 'v={secret}'\nmagic = '\\AAV'"),
    );
    let run = sb.leakgate_stdin(&repo, &["scan", "-"], b"x\n");
    assert_eq!(run.code, Some(2), "{}", run.all());
    assert!(run.stderr.contains("context[0].magic"), "{}", run.stderr);
    assert!(
        run.stderr.contains("only for kind = \"file\""),
        "{}",
        run.stderr
    );

    // A good one: the signature decides between two files of one name.
    write(
        &repo,
        ".leakgate.toml",
        &rule("kind = \"file\"\npath = '\\.avault$'\nmagic = '\\AAV\\x00\\x01'"),
    );
    write_bytes(&repo, "a.avault", b"AV\x00\x01\x9f\x00\x13 secret store");
    write_bytes(&repo, "b.avault", b"AV\x00\x02\x9f\x00\x13 other format");
    let run = sb.leakgate(&repo, &["scan", "--format", "json", "."]);
    assert_eq!(run.code, Some(1), "{}", run.all());
    assert!(run.stdout.contains("a.avault"), "{}", run.stdout);
    assert!(!run.stdout.contains("b.avault"), "{}", run.stdout);
}

/// One file of each family issue 15 names, as its tool writes it (the
/// random parts generated here): staged together, each blocks the commit
/// under its own rule at the line that holds the secret; the same files as
/// they are usually shared (placeholders, environment references, empty
/// fields, no password saved) commit cleanly.
#[test]
fn each_family_of_credential_files_blocks_and_its_placeholders_do_not() {
    use leakgate::rules::testgen::expand;
    // (path, with a secret, the rule, its line, as usually shared)
    let cases: &[(&str, &str, &str, usize, &str)] = &[
        (
            "home/.bashrc",
            "# ~/.bashrc\nalias ll='ls -alF'\nexport DEPLOY_PASSWORD=<<alnum:20>>\n",
            "shell-rc-exported-secret",
            3,
            "# ~/.bashrc\nalias ll='ls -alF'\nexport DEPLOY_PASSWORD=\"$(pass show deploy)\"\n",
        ),
        (
            ".env",
            "APP_ENV=production\nDB_CONNECTION=mysql\nDB_USERNAME=shop\nDB_PASSWORD=<<alnum:18>>\n",
            "laravel-env-password",
            4,
            "APP_ENV=production\nDB_CONNECTION=mysql\nDB_USERNAME=shop\nDB_PASSWORD=\n",
        ),
        (
            "ci/.netrc",
            "machine ftp.acme.io\n  login deploy\n  password <<alnum:16>>\n",
            "netrc-password",
            3,
            "machine ftp.acme.io\n  login deploy\n",
        ),
        (
            "FileZilla/sitemanager.xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FileZilla3 version=\"3.66.4\">\n<Servers>\n<Server>\n<Host>ftp.acme.io</Host>\n<User>deploy</User>\n<Pass encoding=\"base64\"><<base64:20>></Pass>\n<Logontype>1</Logontype>\n</Server>\n</Servers>\n</FileZilla3>\n",
            "filezilla-saved-password",
            7,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FileZilla3 version=\"3.66.4\">\n<Servers>\n<Server>\n<Host>ftp.acme.io</Host>\n<User>deploy</User>\n<Logontype>2</Logontype>\n</Server>\n</Servers>\n</FileZilla3>\n",
        ),
        (
            "wp-config.php",
            "<?php\ndefine( 'DB_NAME', 'wordpress' );\ndefine( 'DB_USER', 'wp' );\ndefine( 'DB_PASSWORD', '<<alnum:16>>' );\n",
            "wordpress-db-password",
            4,
            "<?php\ndefine( 'DB_NAME', 'database_name_here' );\ndefine( 'DB_USER', 'username_here' );\ndefine( 'DB_PASSWORD', 'password_here' );\n",
        ),
        (
            "db/dump.sql",
            "-- MySQL dump\nINSERT INTO `users` VALUES (1,'admin','admin@acme.io','$2y$10$<<alnum:53>>');\n",
            "sql-dump-crypt-password-hash",
            2,
            "-- MySQL dump\nINSERT INTO `users` VALUES (1,'admin','admin@acme.io','');\n",
        ),
        (
            ".idea/WebServers.xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project version=\"4\">\n  <component name=\"WebServers\">\n    <option name=\"servers\">\n      <webServer id=\"w1\" name=\"prod\">\n        <fileTransfer host=\"ftp.acme.io\" port=\"21\" password=\"df<<hex:2>>df<<hex:2>>df<<hex:2>>df<<hex:2>>df<<hex:2>>df<<hex:2>>df<<hex:2>>df<<hex:2>>\" />\n      </webServer>\n    </option>\n  </component>\n</project>\n",
            "jetbrains-webservers-password",
            6,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project version=\"4\">\n  <component name=\"WebServers\">\n    <option name=\"servers\">\n      <webServer id=\"w1\" name=\"prod\">\n        <fileTransfer host=\"ftp.acme.io\" port=\"21\" />\n      </webServer>\n    </option>\n  </component>\n</project>\n",
        ),
        (
            "etc/vsftpd/virtual_users.txt",
            "deploy\n<<alnum:14>>\n",
            "vsftpd-virtual-users-password",
            2,
            "tom\nfoo\n",
        ),
        (
            "profile/logins.json",
            "{\"nextId\":2,\"logins\":[{\"id\":1,\"hostname\":\"https://accounts.acme.io\",\"encryptedUsername\":\"MDoEEPgAAAAAAAAAAAAAAAAAAAEwFAYIKoZIhvcNAwcECA<<base64:32>>\",\"encryptedPassword\":\"MDoEEPgAAAAAAAAAAAAAAAAAAAEwFAYIKoZIhvcNAwcECA<<base64:32>>\",\"encType\":1}],\"version\":3}\n",
            "firefox-logins-json",
            1,
            "{\"nextId\":1,\"logins\":[],\"potentiallyVulnerablePasswords\":[],\"version\":3}\n",
        ),
    ];
    let sb = Sandbox::new();
    let repo = sb.repo("leaky");
    for (n, (path, text, ..)) in cases.iter().enumerate() {
        write(&repo, path, &expand(text, 9100 + n as u64));
    }
    // A binary password database among them: known by name and bytes.
    let mut key4 = b"SQLite format 3\0".to_vec();
    key4.extend((0..400u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8));
    write_bytes(&repo, "profile/key4.db", &key4);
    sb.git(&repo, &["add", "."]).expect_ok("add");
    let run = sb
        .commit(&repo, "a home directory, committed")
        .expect_blocked("every family's file blocks");
    for (path, _, rule, line, _) in cases {
        let place = format!("{path}:{line}:");
        let hit = run
            .stderr
            .lines()
            .any(|l| l.trim_start().starts_with(&place) && l.contains(&format!("[{rule},")));
        assert!(hit, "{rule} at {place}\n{}", run.stderr);
    }
    assert!(
        run.stderr
            .lines()
            .any(|l| l.trim_start().starts_with("profile/key4.db:1:1")
                && l.contains("[firefox-key-database-file,")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!(
            "{} secrets in the staged changes",
            cases.len() + 1
        )),
        "{}",
        run.stderr
    );

    let clean = sb.repo("shared");
    for (path, .., shared) in cases {
        write(&clean, path, shared);
    }
    write(&clean, "profile/key4.db", "see the team vault\n");
    sb.git(&clean, &["add", "."]).expect_ok("add");
    sb.commit(&clean, "the same files, as shared")
        .expect_ok("placeholders, empty fields and references are not findings");
}

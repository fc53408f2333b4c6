//! Issue 14, CLI conventions: shell completions and manual pages generated
//! from the parser itself, and a `--version` that names the commit it was
//! built from.

use std::fs;

use crate::common::*;

/// A bash completion script that bash accepts, and that completes
/// `leakgate sc<TAB>` to `scan` and `leakgate scan --sta<TAB>` to `--staged`.
#[test]
fn bash_completion_completes_commands_and_options() {
    let sb = Sandbox::new();
    let script = sb
        .leakgate(&sb.path(""), &["completions", "bash"])
        .expect_ok("completions bash")
        .stdout;
    let path = sb.path("leakgate.bash");
    fs::write(&path, &script).unwrap();
    let complete = |words: &str, cword: usize| -> String {
        let program = format!(
            "source '{}'; COMP_WORDS=({words}); COMP_CWORD={cword}; \
             COMP_LINE='{words}'; COMP_POINT=${{#COMP_LINE}}; \
             _leakgate leakgate \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            path.display()
        );
        sb.run(&sb.path(""), "bash", &["-c", &program])
            .expect_ok("bash completing")
            .stdout
    };
    let commands = complete("leakgate sc", 1);
    assert!(
        commands.lines().any(|l| l == "scan"),
        "`leakgate sc<TAB>` offers scan:\n{commands}"
    );
    let options = complete("leakgate scan --sta", 2);
    assert!(
        options.lines().any(|l| l == "--staged"),
        "`leakgate scan --sta<TAB>` offers --staged:\n{options}"
    );
    let shells = complete("leakgate completions ", 2);
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        assert!(
            shells.split_whitespace().any(|w| w == shell),
            "`leakgate completions <TAB>` offers {shell}:\n{shells}"
        );
    }
}

/// Every shell clap supports gets a script in that shell's own form, naming
/// the commands; an unknown shell is a usage error that lists the choices.
#[test]
fn completions_for_every_shell() {
    let sb = Sandbox::new();
    for (shell, marker) in [
        ("zsh", "#compdef leakgate"),
        ("fish", "complete -c leakgate"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[leakgate]"),
    ] {
        let out = sb
            .leakgate(&sb.path(""), &["completions", shell])
            .expect_ok(shell)
            .stdout;
        assert!(out.contains(marker), "{shell} script has {marker:?}");
        for word in ["scan", "baseline", "whole-versions"] {
            assert!(out.contains(word), "{shell} script completes {word}");
        }
    }
    let bad = sb
        .leakgate(&sb.path(""), &["completions", "tcsh"])
        .expect_code(2, "an unknown shell");
    assert!(
        bad.stderr.contains("tcsh") && bad.stderr.contains("powershell"),
        "names the bad value and the choices:\n{}",
        bad.stderr
    );
}

/// `leakgate man` prints a roff page; `--dir` writes one per command, each
/// with its own options.
#[test]
fn manual_pages_for_the_binary_and_each_command() {
    let sb = Sandbox::new();
    let page = sb.leakgate(&sb.path(""), &["man"]).expect_ok("man").stdout;
    assert!(page.contains(".TH leakgate 1"), "a section-1 page:\n{page}");
    for word in [".SH NAME", ".SH SYNOPSIS", "scan", "baseline"] {
        assert!(page.contains(word), "the page has {word}");
    }
    let dir = sb.path("man1");
    sb.leakgate(&sb.path(""), &["man", "--dir", dir.to_str().unwrap()])
        .expect_ok("man --dir");
    let scan = fs::read_to_string(dir.join("leakgate-scan.1")).expect("leakgate-scan.1 written");
    assert!(scan.contains(".TH leakgate-scan 1"), "{scan}");
    for option in ["staged", "whole", "allow", "missing"] {
        assert!(scan.contains(option), "leakgate-scan.1 documents {option}");
    }
    assert!(
        dir.join("leakgate.1").exists(),
        "the top page is written too"
    );
    assert!(dir.join("leakgate-hook-pre-commit.1").exists());
}

/// `--version` names the commit and date the binary was built from, and the
/// build id (the hash of the sources install.sh compares).
#[test]
fn version_names_the_commit_it_was_built_from() {
    let sb = Sandbox::new();
    let version = sb
        .leakgate(&sb.path(""), &["--version"])
        .expect_ok("--version")
        .stdout;
    let head = sb
        .git(
            &project_root(),
            &["log", "-1", "--format=%h %cs", "--abbrev=12"],
        )
        .expect_ok("git log")
        .stdout;
    assert!(
        version.contains(&format!("(commit {}", head.trim())),
        "--version names HEAD ({}) and its date:\n{version}",
        head.trim()
    );
    assert!(version.contains(", build "), "and the build id:\n{version}");
}

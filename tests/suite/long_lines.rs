//! Issue 16: one long line is read as its statements would be on lines of
//! their own. A minified bundle holds thousands of statements on one line;
//! each value's enclosing keys must come from its own statement, not from
//! everything the line said before it (which also made the line cost
//! quadratic time: bench/linear.py measures that).

use std::collections::BTreeSet;

use crate::common::*;

/// About 2 MB of minified-style statements: words in most values (in
/// statements that name `token`, `secret` and MessageBird), a MessageBird
/// key under a `messagebird` object now and then (a finding either way),
/// and as often a key-shaped value under a name of its own statement that
/// names nothing (`var r={access_key:…}`: no finding either way; read with
/// the whole line before it as its enclosing key, it was one).
fn statements(keys: &[String], loose: &[String]) -> Vec<String> {
    let words = ["loading", "en-US", "primary", "is-open", "default"];
    let mut out = Vec::new();
    let mut size = 0;
    let mut i = 0usize;
    while size < 2_000_000 {
        let s = match (i % 500, i / 500) {
            (250, k) if k < keys.len() => {
                format!("var c{i}={{messagebird:{{access_key:\"{}\"}}}};", keys[k])
            }
            (100, k) if k < loose.len() => format!("var r{i}={{access_key:\"{}\"}};", loose[k]),
            (n, _) => format!(
                "var v{i}={{token:t.secret?\"{}\":b,sms:\"messagebird\",count:{n}}};",
                words[n % 5]
            ),
        };
        size += s.len();
        out.push(s);
        i += 1;
    }
    out
}

fn found(sb: &Sandbox, file: &str) -> BTreeSet<(String, String)> {
    let run = sb.leakgate(sb.dir.path(), &["scan", "--format", "json", file]);
    assert!(matches!(run.code, Some(0 | 1)), "{}", run.all());
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON report");
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["fingerprint"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_two_megabyte_line_finds_what_the_same_statements_on_lines_find() {
    let sb = Sandbox::new();
    let keys: Vec<String> = (0..6).map(|i| key(700 + i)).collect();
    let loose: Vec<String> = (0..6).map(|i| key(800 + i)).collect();
    let stmts = statements(&keys, &loose);
    write(sb.dir.path(), "one-line.min.js", &(stmts.concat() + "\n"));
    write(sb.dir.path(), "split.js", &(stmts.join("\n") + "\n"));

    let split = found(&sb, "split.js");
    let one_line = found(&sb, "one-line.min.js");
    let messagebird = |s: &BTreeSet<(String, String)>| {
        s.iter()
            .filter(|(rule, _)| rule == "messagebird-access-key")
            .count()
    };
    assert_eq!(messagebird(&split), keys.len(), "{split:?}");
    assert_eq!(
        one_line, split,
        "the one-line form finds what the split form finds"
    );
}

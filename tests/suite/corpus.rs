//! The detection corpus: generated at run time by bench/corpus.py (so no
//! live-looking key is committed), scored by `leakgate rules eval`.

use crate::common::*;

#[test]
fn catalog_meets_its_precision_and_recall_targets() {
    let sb = Sandbox::new();
    let out = sb.path("corpus");
    let summary = corpus(&sb, &out);
    let cases: usize = summary.split_whitespace().next().unwrap().parse().unwrap();
    assert!(cases >= 600, "{summary}");

    let run = sb.leakgate(
        &sb.path("home"),
        &[
            "rules",
            "eval",
            out.to_str().unwrap(),
            "--min-precision",
            "0.99",
            "--min-recall",
            "0.97",
        ],
    );
    assert_eq!(run.code, Some(0), "targets missed:\n{}", run.stdout);
    // Every MessageBird case right.
    let mb = run
        .stdout
        .lines()
        .find(|l| l.starts_with("MessageBird "))
        .expect("a MessageBird row");
    let cols: Vec<&str> = mb.split_whitespace().collect();
    assert_eq!((cols[3], cols[4]), ("0", "0"), "MessageBird FP/FN: {mb}");
    assert!(
        !run.stdout.contains(": missed: MessageBird"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("messagebird-access-key at"),
        "{}",
        run.stdout
    );
}

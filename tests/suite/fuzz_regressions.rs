//! Replays the fuzz targets' saved inputs on stable: every crash input under
//! `fuzz/regressions/<target>/` and the minimized corpus under
//! `fuzz/corpus/<target>/`, through the same harness the cargo-fuzz targets
//! call (`fuzz/harness.rs`). A panic on any input fails the test, naming the
//! file.

use crate::harness;

use std::path::Path;

#[test]
fn saved_fuzz_inputs_do_not_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut failures = Vec::new();
    let mut count = 0;
    for (target, run) in harness::TARGETS {
        for dir in ["regressions", "corpus"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
                continue;
            };
            let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
            paths.sort();
            for path in paths {
                if !path.is_file() || path.file_name().is_some_and(|n| n == "README.md") {
                    continue;
                }
                let data = std::fs::read(&path).unwrap();
                count += 1;
                if std::panic::catch_unwind(|| run(&data)).is_err() {
                    failures.push(path.display().to_string());
                }
            }
        }
    }
    assert!(count > 0, "no fuzz inputs found under {}", root.display());
    assert!(
        failures.is_empty(),
        "{} of {count} fuzz inputs panic:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Writes engine seeds made at run time: every built-in rule's examples,
/// expanded with generated tokens (so they hold key-shaped values and must
/// never be committed). Used before a fuzzing session:
/// `LEAKGATE_FUZZ_SEEDS=fuzz/generated-seeds/engine cargo test --test suite write_engine_seeds -- --ignored`
#[test]
#[ignore = "writes fuzz seeds; run by hand"]
fn write_engine_seeds() {
    let dir = std::env::var_os("LEAKGATE_FUZZ_SEEDS")
        .expect("set LEAKGATE_FUZZ_SEEDS to the folder to write the seeds to");
    std::fs::create_dir_all(&dir).unwrap();
    let catalog = leakgate::rules::Catalog::builtin().unwrap();
    let mut n = 0;
    for (ri, rule) in catalog.rules.iter().enumerate() {
        let examples = rule.examples.matching.iter();
        for (k, t) in examples.chain(&rule.examples.no_match).enumerate() {
            let text = leakgate::rules::testgen::expand(t, (ri * 1000 + k) as u64);
            std::fs::write(Path::new(&dir).join(format!("{}-{k}", rule.id)), text).unwrap();
            n += 1;
        }
    }
    assert!(n > 0);
}

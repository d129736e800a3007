//! The official YAML test suite against gwlint's loader.
//!
//! Reads `../shared/conformance/yaml-test-suite` (never copied into the repository):
//! error cases must fail with a located finding, `in.json` cases must load (every
//! document) to the expected values, and cases with neither must load. Features
//! gwlint refuses on purpose are listed with the reason; the list must be exact (a
//! listed case that starts passing fails the test too).

#![allow(clippy::print_stdout)]

use gwlint::load::{yaml, LoadLimits};
use gwlint::source::SourceFile;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Valid YAML that gwlint refuses on purpose, with the reason.
const REFUSED: &[(&str, &str)] = &[
    ("4FJ6", "complex key: a mapping or sequence used as a key has no JSON form, so gwlint reports parse/complex-key"),
    ("6BFJ", "complex key: a mapping or sequence used as a key has no JSON form, so gwlint reports parse/complex-key"),
    ("6PBE", "complex key: a mapping or sequence used as a key has no JSON form, so gwlint reports parse/complex-key"),
    ("9MMW", "complex key: a mapping or sequence used as a key has no JSON form, so gwlint reports parse/complex-key"),
    ("KK5P", "complex key: a mapping or sequence used as a key has no JSON form, so gwlint reports parse/complex-key"),
    ("LX3P", "complex key: a mapping or sequence used as a key has no JSON form, so gwlint reports parse/complex-key"),
    ("M2N8-00", "complex key: a mapping or sequence used as a key has no JSON form, so gwlint reports parse/complex-key"),
    ("M2N8-01", "complex key: a mapping or sequence used as a key has no JSON form, so gwlint reports parse/complex-key"),
    ("M5DY", "complex key: a mapping or sequence used as a key has no JSON form, so gwlint reports parse/complex-key"),
    ("Q9WF", "complex key: a mapping or sequence used as a key has no JSON form, so gwlint reports parse/complex-key"),
    ("RZP5", "complex key: a mapping or sequence used as a key has no JSON form, so gwlint reports parse/complex-key"),
    ("SBG9", "complex key: a mapping or sequence used as a key has no JSON form, so gwlint reports parse/complex-key"),
    ("V9D5", "complex key: a mapping or sequence used as a key has no JSON form, so gwlint reports parse/complex-key"),
    ("X38W", "complex key: a mapping or sequence used as a key has no JSON form, so gwlint reports parse/complex-key"),
    ("XW4D", "complex key: a mapping or sequence used as a key has no JSON form, so gwlint reports parse/complex-key"),
];

fn suite_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/yaml-test-suite");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("GWLINT_REQUIRE_CONFORMANCE").as_deref() != Ok("1"),
        "../shared/conformance is required (GWLINT_REQUIRE_CONFORMANCE=1) but missing"
    );
    println!("skipped: ../shared/conformance not found");
    None
}

/// Compare JSON values, numbers by value.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// What happened to one case.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Pass,
    Fail(String),
}

fn run_case(dir: &Path) -> Outcome {
    let input = dir.join("in.yaml");
    let Ok(text) = std::fs::read_to_string(&input) else {
        return Outcome::Fail("in.yaml is not UTF-8".into());
    };
    let source = Arc::new(SourceFile::new(input, text));
    let output = yaml::parse(&source, &LoadLimits::default());
    if dir.join("error").exists() {
        return match output
            .findings
            .iter()
            .find(|f| f.severity == gwlint::finding::Severity::Error)
        {
            Some(f) if output.failed && f.location.span.start.line >= 1 => Outcome::Pass,
            _ => Outcome::Fail("accepted invalid YAML".into()),
        };
    }
    if output.failed {
        let why = output
            .findings
            .first()
            .map(|f| f.message.clone())
            .unwrap_or_default();
        return Outcome::Fail(format!("rejected: {why}"));
    }
    let Ok(expected_text) = std::fs::read_to_string(dir.join("in.json")) else {
        return Outcome::Pass;
    };
    let expected: Vec<Value> = serde_json::Deserializer::from_str(&expected_text)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .expect("in.json is a JSON stream");
    let got: Vec<Value> = output.documents.into_iter().map(|d| d.value).collect();
    if got.len() == expected.len() && got.iter().zip(&expected).all(|(a, b)| same(a, b)) {
        Outcome::Pass
    } else {
        Outcome::Fail(format!("expected {expected:?}, got {got:?}"))
    }
}

#[test]
fn yaml_test_suite() {
    let Some(suite) = suite_dir() else {
        return;
    };
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&suite)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let listed = |id: &str| {
        REFUSED
            .iter()
            .find(|(case, _)| *case == id)
            .map(|(_, why)| *why)
    };
    let (mut passed, mut unexpected, mut stale) = (0, Vec::new(), Vec::new());
    for case in &cases {
        let id = case.file_name().unwrap().to_string_lossy().into_owned();
        match (run_case(case), listed(&id)) {
            (Outcome::Pass, None) => passed += 1,
            (Outcome::Pass, Some(_)) => stale.push(id),
            (Outcome::Fail(_), Some(_)) => {}
            (Outcome::Fail(why), None) => unexpected.push(format!(
                "{id}: {}",
                why.chars().take(300).collect::<String>()
            )),
        }
    }
    println!(
        "yaml-test-suite: {passed} passed, {} expected refusals",
        REFUSED.len()
    );
    assert!(
        unexpected.is_empty(),
        "{} unexpected failures:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    assert!(stale.is_empty(), "listed cases that now pass: {stale:?}");
    assert_eq!(passed + REFUSED.len(), cases.len());
}

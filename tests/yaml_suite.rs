//! The official YAML test suite against gwlint's loader.
//!
//! Reads `fixtures/conformance/yaml-test-suite` (vendored, MIT):
//! error cases must fail with a located finding, `in.json` cases must load (every
//! document) to the expected values, and cases with neither must load. Each case runs
//! on its own thread, so a panic or a hang is reported against its case id. Cases that
//! gwlint handles differently on purpose, or that the underlying parser gets wrong, are
//! listed in [`EXCEPTIONS`] with the reason; the list must be exact (a listed case
//! that starts passing fails the test too).

#![allow(clippy::print_stdout)]

mod common;

use gwlint::finding::Severity;
use gwlint::load::{yaml, LoadLimits};
use gwlint::source::SourceFile;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// Why a case is allowed to differ from the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Valid YAML that gwlint refuses on purpose; it must fail with the named rule.
    Refusal(&'static str),
    /// `<<` merge-key support (ADC users rely on it) changes the expected value.
    MergeKey,
    /// saphyr-parser accepts invalid or rejects valid input, beyond our layer's reach.
    ParserLimitation,
}

/// A listed case: id, kind, reason.
type Exception = (&'static str, Kind, &'static str);

const COMPLEX_KEY: &str = "complex key: a mapping or sequence used as a key has no JSON \
                           form, so gwlint reports parse/complex-key";

/// Every case allowed to fail, with the reason. No suite input uses `<<`, and
/// saphyr-parser passes every case once our layer scopes anchors to their document, so
/// only deliberate refusals remain.
const EXCEPTIONS: &[Exception] = &[
    ("4FJ6", Kind::Refusal("parse/complex-key"), COMPLEX_KEY),
    ("6BFJ", Kind::Refusal("parse/complex-key"), COMPLEX_KEY),
    ("6PBE", Kind::Refusal("parse/complex-key"), COMPLEX_KEY),
    ("9MMW", Kind::Refusal("parse/complex-key"), COMPLEX_KEY),
    ("KK5P", Kind::Refusal("parse/complex-key"), COMPLEX_KEY),
    ("LX3P", Kind::Refusal("parse/complex-key"), COMPLEX_KEY),
    ("M2N8-00", Kind::Refusal("parse/complex-key"), COMPLEX_KEY),
    ("M2N8-01", Kind::Refusal("parse/complex-key"), COMPLEX_KEY),
    ("M5DY", Kind::Refusal("parse/complex-key"), COMPLEX_KEY),
    ("Q9WF", Kind::Refusal("parse/complex-key"), COMPLEX_KEY),
    ("RZP5", Kind::Refusal("parse/complex-key"), COMPLEX_KEY),
    ("SBG9", Kind::Refusal("parse/complex-key"), COMPLEX_KEY),
    ("V9D5", Kind::Refusal("parse/complex-key"), COMPLEX_KEY),
    ("X38W", Kind::Refusal("parse/complex-key"), COMPLEX_KEY),
    ("XW4D", Kind::Refusal("parse/complex-key"), COMPLEX_KEY),
];

/// Longest a single case may take before it counts as a hang.
const CASE_TIMEOUT: Duration = Duration::from_secs(20);

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
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Pass,
    /// Loading failed with this rule and message where the suite expects success.
    Rejected {
        rule: String,
        message: String,
    },
    /// Any other difference from the suite.
    Wrong(String),
}

fn run_case(dir: &Path) -> Outcome {
    let input = dir.join("in.yaml");
    let Ok(text) = std::fs::read_to_string(&input) else {
        return Outcome::Wrong("in.yaml is not UTF-8".into());
    };
    let source = Arc::new(SourceFile::new(input, text));
    let output = yaml::parse(&source, &LoadLimits::default());
    if dir.join("error").exists() {
        return expect_refused(&output);
    }
    if output.failed {
        let first = output
            .findings
            .iter()
            .find(|f| f.severity == Severity::Error);
        return Outcome::Rejected {
            rule: first.map(|f| f.rule.to_string()).unwrap_or_default(),
            message: first.map(|f| f.message.clone()).unwrap_or_default(),
        };
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
        Outcome::Wrong(format!("expected {expected:?}, got {got:?}"))
    }
}

/// An error case passes when loading failed with a located error and no documents.
fn expect_refused(output: &gwlint::load::ParseOutput) -> Outcome {
    let located = output.findings.iter().any(|f| {
        let at = f.location.span.start;
        f.severity == Severity::Error
            && f.rule.starts_with("parse/")
            && at.line >= 1
            && at.column >= 1
    });
    match (output.failed, located, output.documents.is_empty()) {
        (true, true, true) => Outcome::Pass,
        (false, _, _) => Outcome::Wrong("accepted invalid YAML".into()),
        (true, false, _) => Outcome::Wrong("failed without a located parse error".into()),
        (true, true, false) => Outcome::Wrong("failed but still returned documents".into()),
    }
}

/// Run a case on its own thread: a panic or a hang becomes an outcome, not a crash.
fn run_guarded(dir: PathBuf) -> Outcome {
    let (send, receive) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let outcome = run_case(&dir);
        let _ = send.send(outcome);
    });
    match receive.recv_timeout(CASE_TIMEOUT) {
        Ok(outcome) => {
            let _ = worker.join();
            outcome
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            Outcome::Wrong(format!("no result within {CASE_TIMEOUT:?} (hang)"))
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => Outcome::Wrong("panicked".into()),
    }
}

/// Whether an outcome is what a listed exception allows.
fn allowed(outcome: &Outcome, kind: Kind) -> bool {
    match (outcome, kind) {
        (Outcome::Rejected { rule, .. }, Kind::Refusal(expected)) => rule == expected,
        (Outcome::Pass, _) | (_, Kind::Refusal(_)) => false,
        (_, Kind::MergeKey | Kind::ParserLimitation) => true,
    }
}

fn describe(outcome: &Outcome) -> String {
    let text = match outcome {
        Outcome::Pass => "passed".to_owned(),
        Outcome::Rejected { rule, message } => format!("rejected ({rule}): {message}"),
        Outcome::Wrong(why) => why.clone(),
    };
    text.chars().take(300).collect()
}

fn case_dirs(suite: &Path) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(suite)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("in.yaml").is_file())
        .collect();
    cases.sort();
    cases
}

#[test]
fn exception_list_has_no_repeats() {
    let mut ids: Vec<&str> = EXCEPTIONS.iter().map(|(id, _, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), EXCEPTIONS.len());
}

#[test]
fn yaml_test_suite() {
    let suite = common::fixture("conformance/yaml-test-suite");
    let cases = case_dirs(&suite);
    assert!(
        cases.len() > 300,
        "only {} cases found in {suite:?}",
        cases.len()
    );
    let mut passed = 0;
    let mut problems = Vec::new();
    let mut ids = Vec::new();
    for case in cases {
        let id = case.file_name().unwrap().to_string_lossy().into_owned();
        let outcome = run_guarded(case);
        match EXCEPTIONS.iter().find(|(case, _, _)| *case == id) {
            None if outcome == Outcome::Pass => passed += 1,
            None => problems.push(format!("{id}: {}", describe(&outcome))),
            Some((_, kind, _)) if allowed(&outcome, *kind) => {}
            Some((_, kind, why)) => problems.push(format!(
                "{id} is listed as {kind:?} ({why}) but {}",
                describe(&outcome)
            )),
        }
        ids.push(id);
    }
    let missing: Vec<&str> = EXCEPTIONS
        .iter()
        .map(|(id, _, _)| *id)
        .filter(|id| !ids.iter().any(|s| s == id))
        .collect();
    let count = |wanted: fn(Kind) -> bool| EXCEPTIONS.iter().filter(|e| wanted(e.1)).count();
    println!(
        "yaml-test-suite: {passed} passed, {} expected refusals, {} known parser limitations",
        count(|k| matches!(k, Kind::Refusal(_))),
        count(|k| k == Kind::ParserLimitation),
    );
    let merge_key = count(|k| k == Kind::MergeKey);
    if merge_key > 0 {
        println!("yaml-test-suite: {merge_key} values differ because of `<<` merge keys");
    }
    assert!(
        problems.is_empty(),
        "{} cases differ from the suite:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(
        missing.is_empty(),
        "listed cases not in the suite: {missing:?}"
    );
}

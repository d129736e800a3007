//! One fixture tree per finding kind, checked by the real binary; the human and
//! JSON outputs are snapshot-tested (insta), and key positions are asserted exactly.
//! The human report is asked for every finding (`--show-info --max-per-rule 0`), so
//! that info findings' rendering is covered too; `tests/human_report.rs` covers what it
//! leaves out by default.

#![allow(clippy::print_stdout)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

/// Run `gwlint check <dir> --no-config` from the crate root.
fn run(dir: &str, format: &str) -> (i32, String) {
    let output = Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "check",
            dir,
            "--no-config",
            "--no-builtin-policies",
            "--color",
            "never",
            "--show-info",
            "--max-per-rule",
            "0",
            "--format",
            format,
        ])
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
    )
}

fn cases() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/findings");
    let mut names: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "config-unknown-key")
        .collect();
    names.sort();
    names
}

#[test]
fn every_finding_fixture_matches_its_snapshots() {
    for case in cases() {
        let dir = format!("fixtures/findings/{case}");
        let (code, human) = run(&dir, "human");
        let (json_code, json) = run(&dir, "json");
        assert_eq!(code, json_code, "{case}: exit code differs between formats");
        assert!(code == 0 || code == 1, "{case}: exit code {code}");
        insta::assert_snapshot!(format!("{case}-human"), human);
        insta::assert_snapshot!(format!("{case}-json"), json);
    }
}

/// The findings of a case as `(rule, line, column, end_line, end_column)`.
fn positions(case: &str) -> Vec<(String, u64, u64, u64, u64)> {
    let (_, json) = run(&format!("fixtures/findings/{case}"), "json");
    let report: Value = serde_json::from_str(&json).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["end_line"].as_u64().unwrap(),
                f["end_column"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn has(found: &[(String, u64, u64, u64, u64)], rule: &str, at: (u64, u64, u64, u64)) -> bool {
    found
        .iter()
        .any(|f| f.0 == rule && (f.1, f.2, f.3, f.4) == at)
}

#[test]
fn duplicate_key_points_at_second_key_and_shows_first() {
    let (_, json) = run("fixtures/findings/parse-duplicate-key", "json");
    let report: Value = serde_json::from_str(&json).unwrap();
    let finding = &report["findings"][0];
    assert_eq!(finding["rule"], "parse/duplicate-key");
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(7), Some(5))
    );
    assert_eq!(
        (finding["end_line"].as_u64(), finding["end_column"].as_u64()),
        (Some(7), Some(16))
    );
    let first = &finding["related"][0];
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(3), Some(5))
    );
    assert_eq!(first["message"], "first defined here");
}

#[test]
fn yaml11_values_are_warned_at_the_value() {
    let found = positions("parse-yaml11");
    assert!(
        has(&found, "parse/yaml11-boolean", (4, 16, 4, 19)),
        "{found:?}"
    );
    assert!(
        has(&found, "parse/leading-zero-number", (9, 19, 9, 23)),
        "{found:?}"
    );
    assert!(
        has(&found, "parse/yaml11-boolean", (5, 13, 5, 15)),
        "{found:?}"
    );
}

#[test]
fn syntax_error_is_located_and_other_files_are_still_checked() {
    let found = positions("parse-syntax");
    assert!(
        found.iter().any(|f| f.0 == "parse/syntax" && f.1 == 4),
        "{found:?}"
    );
    assert!(
        found.iter().any(|f| f.0 == "schema/route"),
        "fine.yaml must still be checked: {found:?}"
    );
}

#[test]
fn duplicates_across_files_point_at_the_second_definition() {
    let (_, json) = run("fixtures/findings/ref-duplicates", "json");
    let report: Value = serde_json::from_str(&json).unwrap();
    let service = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "ref/duplicate-service")
        .unwrap();
    assert_eq!(service["file"], "fixtures/findings/ref-duplicates/b.yaml");
    assert_eq!(
        (service["line"].as_u64(), service["column"].as_u64()),
        (Some(2), Some(11))
    );
    assert_eq!(
        service["related"][0]["file"],
        "fixtures/findings/ref-duplicates/a.yaml"
    );
    assert_eq!(service["related"][0]["line"].as_u64(), Some(2));
}

#[test]
fn merge_keys_are_expanded() {
    let found = positions("parse-merge-key");
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn oversized_file_is_a_finding_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.yaml"), "services: []\n".repeat(100)).unwrap();
    std::fs::write(dir.path().join("small.yaml"), "services: []\n").unwrap();
    let output = Command::cargo_bin("gwlint")
        .unwrap()
        .args([
            "check",
            "--no-config",
            "--no-builtin-policies",
            "--format",
            "json",
            "--max-file-size",
            "100",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["files"], 2);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["rule"], "parse/file-too-large");
}

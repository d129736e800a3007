//! Every output format on the same findings: snapshots, and validation by the
//! thing that consumes each format (SARIF schema, XML parser, GitHub's escaping).

#![allow(clippy::print_stdout)]

mod common;

use assert_cmd::Command;
use common::{fixture, git, git_repository};
use serde_json::Value;
use std::path::Path;

const TREE: &str = "fixtures/report/env";

fn gwlint() -> Command {
    let mut cmd = Command::cargo_bin("gwlint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_STEP_SUMMARY");
    cmd
}

fn run_format(format: &str) -> (i32, String) {
    let output = gwlint()
        .args([
            "check",
            TREE,
            "--no-config",
            "--no-builtin-policies",
            "--color",
            "never",
            "--format",
            format,
        ])
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

#[test]
fn every_format_has_the_same_exit_code_and_a_snapshot() {
    for format in ["human", "json", "sarif", "github", "junit"] {
        let (code, out) = run_format(format);
        assert_eq!(code, 1, "{format}");
        insta::assert_snapshot!(format!("report-{format}"), out);
    }
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let schema_file = fixture("schemas/sarif-2.1.0.json");
    let mut schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_file).unwrap()).unwrap();
    // The official schema's `language` patterns end in a stray `]`, which ECMA-262
    // reads as a literal but Rust's regex engines reject; use the pattern they intend.
    let fixed = replace_strings(
        &mut schema,
        "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
        "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$",
    );
    assert_eq!(fixed, 2);
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let (_, out) = run_format("sarif");
    let log: Value = serde_json::from_str(&out).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    let result = results
        .iter()
        .find(|r| r["ruleId"] == "ref/duplicate-service")
        .unwrap();
    assert_eq!(result["level"], "error");
    assert_eq!(
        result["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        4
    );
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        10
    );
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startColumn"],
        11
    );
    assert!(result["partialFingerprints"]["gwlint/v1"].is_string());
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.iter().any(|r| r["id"] == "ref/duplicate-service"));
}

/// Replace every string equal to `from` in a JSON value; returns how many.
fn replace_strings(value: &mut Value, from: &str, to: &str) -> usize {
    match value {
        Value::String(s) if s == from => {
            to.clone_into(s);
            1
        }
        Value::Array(items) => items.iter_mut().map(|i| replace_strings(i, from, to)).sum(),
        Value::Object(map) => map.values_mut().map(|v| replace_strings(v, from, to)).sum(),
        _ => 0,
    }
}

#[test]
fn sarif_fingerprints_ignore_lines_above() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(TREE)
            .join("services.yaml"),
    )
    .unwrap();
    let fingerprints = |content: &str| {
        std::fs::write(dir.path().join("services.yaml"), content).unwrap();
        let output = gwlint()
            .args([
                "check",
                "--no-config",
                "--no-builtin-policies",
                "--format",
                "sarif",
            ])
            .arg(dir.path())
            .output()
            .unwrap();
        let log: Value = serde_json::from_slice(&output.stdout).unwrap();
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["gwlint/v1"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect::<Vec<_>>()
    };
    let before = fingerprints(&text);
    let after = fingerprints(&format!("# a new comment line\n\n{text}"));
    assert_eq!(before, after);
}

#[test]
fn github_annotations_are_escaped() {
    let (_, out) = run_format("github");
    let duplicate = out
        .lines()
        .find(|l| l.contains("ref/duplicate-service"))
        .unwrap();
    assert!(
        duplicate.starts_with("::error file=fixtures/report/env/services.yaml,line=10,col=11,endLine=10,endColumn=17,title=ref/duplicate-service::"),
        "{duplicate}"
    );
    // An unknown plugin is an error: APISIX refuses it.
    let unknown = out
        .lines()
        .find(|l| l.contains("title=schema/unknown-plugin::"))
        .unwrap();
    assert!(unknown.starts_with("::error "), "{unknown}");
}

#[test]
fn github_job_summary_is_written_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    gwlint()
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args([
            "check",
            TREE,
            "--no-config",
            "--no-builtin-policies",
            "--format",
            "github",
        ])
        .assert()
        .code(1);
    let text = std::fs::read_to_string(summary).unwrap();
    assert!(
        text.contains("| error | `ref/duplicate-service` |"),
        "{text}"
    );
}

#[test]
fn junit_is_well_formed_xml_with_a_suite_per_environment() {
    let (_, out) = run_format("junit");
    let mut reader = quick_xml::Reader::from_str(&out);
    let (mut suites, mut cases, mut failures) = (0, 0, 0);
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                let name = e.name();
                match name.as_ref() {
                    "testsuite" => suites += 1,
                    "testcase" => cases += 1,
                    "failure" => failures += 1,
                    _ => {}
                }
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    // Two errors in the one file: the duplicate service and the unknown plugin.
    assert_eq!((suites, cases, failures), (1, 1, 2));
}

#[test]
fn several_formats_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("out.sarif");
    let output = gwlint()
        .args([
            "check",
            TREE,
            "--no-config",
            "--no-builtin-policies",
            "--format",
            "github",
            "--format",
            "sarif",
            "--output",
        ])
        .arg(&sarif)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let annotations = String::from_utf8(output.stdout).unwrap();
    assert!(
        annotations.lines().all(|l| l.starts_with("::")),
        "{annotations}"
    );
    assert!(annotations.contains("::error file="), "{annotations}");
    let log: Value = serde_json::from_str(&std::fs::read_to_string(sarif).unwrap()).unwrap();
    assert_eq!(log["version"], "2.1.0");
}

#[test]
fn fail_on_thresholds() {
    let tree = "fixtures/findings/parse-yaml11";
    gwlint()
        .args(["check", tree, "--no-config", "--no-builtin-policies"])
        .assert()
        .code(0);
    gwlint()
        .args([
            "check",
            tree,
            "--no-config",
            "--no-builtin-policies",
            "--fail-on",
            "warning",
        ])
        .assert()
        .code(1);
    gwlint()
        .args([
            "check",
            TREE,
            "--no-config",
            "--no-builtin-policies",
            "--fail-on",
            "never",
        ])
        .assert()
        .code(0);
}

#[test]
fn baseline_accepts_old_findings_and_fails_on_new_ones() {
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join("env");
    std::fs::create_dir(&env).unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(TREE)
        .join("services.yaml");
    std::fs::copy(&source, env.join("services.yaml")).unwrap();
    let baseline = dir.path().join("baseline.json");
    gwlint()
        .args(["baseline", "write"])
        .arg(&baseline)
        .arg(&env)
        .args(["--no-config", "--no-builtin-policies"])
        .assert()
        .code(0);
    gwlint()
        .args([
            "check",
            "--no-config",
            "--no-builtin-policies",
            "--baseline",
        ])
        .arg(&baseline)
        .arg(&env)
        .assert()
        .code(0);
    // An edit above the findings keeps them in the baseline.
    let text = std::fs::read_to_string(&source).unwrap();
    std::fs::write(env.join("services.yaml"), format!("# moved down\n{text}")).unwrap();
    gwlint()
        .args([
            "check",
            "--no-config",
            "--no-builtin-policies",
            "--baseline",
        ])
        .arg(&baseline)
        .arg(&env)
        .assert()
        .code(0);
    // A new finding fails the run.
    std::fs::write(
        env.join("more.yaml"),
        "services:\n  - name: billing\n    name: billing-2\n",
    )
    .unwrap();
    let output = gwlint()
        .args([
            "check",
            "--no-config",
            "--no-builtin-policies",
            "--format",
            "json",
            "--baseline",
        ])
        .arg(&baseline)
        .arg(&env)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["baseline"] == true));
    assert!(findings.iter().any(|f| f["baseline"].is_null()));
}

#[test]
fn changed_since_reports_only_changed_files() {
    let dir = git_repository();
    let repo = dir.path();
    std::fs::create_dir(repo.join("env")).unwrap();
    std::fs::write(
        repo.join("env/old.yaml"),
        "services:\n  - name: a\n    name: a2\n",
    )
    .unwrap();
    git(repo, &["add", "."]);
    git(repo, &["commit", "-qm", "one"]);
    std::fs::write(
        repo.join("env/new.yaml"),
        "services:\n  - name: b\n    name: b2\n",
    )
    .unwrap();
    let mut cmd = Command::cargo_bin("gwlint").unwrap();
    let output = cmd
        .current_dir(repo)
        .args([
            "check",
            "env",
            "--no-config",
            "--no-builtin-policies",
            "--format",
            "json",
            "--changed-since",
            "HEAD",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let files: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(!files.is_empty());
    assert!(files.iter().all(|f| *f == "env/new.yaml"), "{files:?}");
}

#[test]
fn schema_command_prints_a_json_schema_per_format() {
    for format in ["adc", "standalone"] {
        let output = gwlint()
            .args(["schema", "--format", format])
            .output()
            .unwrap();
        assert!(output.status.success());
        let schema: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert!(jsonschema::validator_for(&schema).is_ok(), "{format}");
        assert!(schema["$defs"]["gwlint-plugins"]["properties"].is_object());
    }
}

#[test]
fn completions_and_version() {
    let output = gwlint().args(["completions", "bash"]).output().unwrap();
    assert!(String::from_utf8(output.stdout).unwrap().contains("gwlint"));
    gwlint()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicates::str::contains(env!("CARGO_PKG_VERSION")));
    for sub in [
        "check",
        "rules",
        "explain",
        "inspect",
        "baseline",
        "schema",
        "completions",
    ] {
        gwlint().args([sub, "--help"]).assert().success();
    }
}

#[test]
fn action_metadata_is_valid_and_uses_every_input() {
    let schema_file = fixture("schemas/github-action.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_file).unwrap()).unwrap();
    let action_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml");
    let text = std::fs::read_to_string(&action_path).unwrap();
    let loaded = gwlint::load::parse_text(
        &action_path,
        text.clone(),
        &gwlint::load::LoadLimits::default(),
    );
    let action = loaded.document.unwrap().value;
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&action)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    for input in action["inputs"].as_object().unwrap().keys() {
        assert!(
            text.contains(&format!("inputs.{input} }}}}")),
            "input `{input}` is never used"
        );
    }
    assert_eq!(action["runs"]["using"], "composite");
}

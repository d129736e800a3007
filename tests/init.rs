//! `gwlint init` end to end: on a copy of `fixtures/init/tree` (an ADC `staging/`,
//! a standalone `production/`, `${VAR}` placeholders, a custom plugin, and YAML that
//! is not gateway configuration: a workflow, Helm values, a compose file, a
//! kustomization inside `staging/`, a `node_modules` folder), the written config is
//! the snapshot, `gwlint check` then has no config, undeclared-variable or
//! unknown-plugin finding, a second `init` refuses, and `init --baseline` makes the
//! check pass.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

fn gwlint(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("gwlint").unwrap();
    cmd.current_dir(dir).env_remove("NO_COLOR");
    cmd
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of the fixture tree, with a `node_modules` folder (not kept in the
/// repository) at its root and inside `staging/`.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&common::fixture("init/tree"), dir.path());
    for folder in ["node_modules/left-pad", "staging/node_modules/tool"] {
        let path = dir.path().join(folder);
        std::fs::create_dir_all(&path).unwrap();
        std::fs::write(path.join("package.json"), "{\"name\": \"x\"}\n").unwrap();
    }
    dir
}

/// `gwlint check --format json` in `dir`: its exit code and findings.
fn check(dir: &Path, args: &[&str]) -> (i32, Value) {
    let output = gwlint(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap(), report)
}

fn rules(report: &Value) -> Vec<&str> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect()
}

#[test]
fn init_writes_a_config_that_check_accepts() {
    let dir = tree();
    let root = dir.path();

    // Without a config, the tree's placeholders and custom plugin are findings.
    let (_, bare) = check(root, &["--no-config", "staging", "production"]);
    let bare_rules = rules(&bare);
    assert!(bare_rules.contains(&"policy/undeclared-variable"));
    assert!(bare_rules.contains(&"schema/unknown-plugin"));

    let assert = gwlint(root).arg("init").assert().code(0);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    insta::assert_snapshot!("init-summary", stderr);
    let written = std::fs::read_to_string(root.join(".gwlint.yaml")).unwrap();
    insta::assert_snapshot!("init-config", written);

    let (code, report) = check(root, &[]);
    let found = rules(&report);
    assert!(
        !found.iter().any(|rule| rule.starts_with("config/")
            || *rule == "policy/undeclared-variable"
            || *rule == "schema/unknown-plugin"),
        "{report:#}"
    );
    // What is left is the tree's own findings, all in the two environments' gateway
    // files (nothing from the ignored kustomization or node_modules).
    let files: std::collections::BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        ["production/apisix.yaml", "staging/orders.yaml"].into()
    );
    assert_eq!(report["summary"]["files"], 3);
    assert_eq!(code, 1, "the tree has error findings: {report:#}");

    // A second init refuses and leaves the file as it was.
    gwlint(root)
        .arg("init")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: .gwlint.yaml already exists; gwlint init does not overwrite it",
        ))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(
        std::fs::read_to_string(root.join(".gwlint.yaml")).unwrap(),
        written
    );

    // --stdout prints the same file and writes nothing.
    gwlint(root)
        .args(["init", "--stdout"])
        .assert()
        .code(0)
        .stdout(written.clone());

    // A first adoption: the findings of today go into the baseline, and check passes.
    gwlint(root)
        .args(["init", "--force", "--baseline"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(format!(
            "wrote {} finding(s) to .gwlint-baseline.json",
            found.len()
        )));
    let with_baseline = std::fs::read_to_string(root.join(".gwlint.yaml")).unwrap();
    assert_eq!(
        with_baseline,
        written.replace(
            "# Accepted findings (`gwlint baseline write FILE`): `gwlint check` then fails only\n\
             # on new ones.\n\
             # baseline: .gwlint-baseline.json\n",
            "# Findings accepted when gwlint was adopted: `gwlint check` and `gwlint apply`\n\
             # report them as baseline findings and fail only on new ones.\n\
             baseline: .gwlint-baseline.json\n",
        )
    );
    let baseline: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join(".gwlint-baseline.json")).unwrap())
            .unwrap();
    assert_eq!(baseline["findings"].as_array().unwrap().len(), found.len());
    let (code, report) = check(root, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(rules(&report), found, "the same findings, now accepted");

    // The baseline file is not overwritten either.
    std::fs::remove_file(root.join(".gwlint.yaml")).unwrap();
    gwlint(root)
        .args(["init", "--baseline"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: .gwlint-baseline.json already exists",
        ));
    assert!(!root.join(".gwlint.yaml").exists());
}

#[test]
fn init_of_another_folder_writes_there_and_checks_from_there() {
    let outer = tempfile::tempdir().unwrap();
    let gateway = outer.path().join("gateway");
    std::fs::create_dir(&gateway).unwrap();
    copy_tree(&common::fixture("init/tree"), &gateway);
    gwlint(outer.path())
        .args(["init", "gateway", "--baseline=accepted.json"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("gwlint init: scanned gateway\n"))
        .stderr(predicate::str::contains("wrote gateway/.gwlint.yaml\n"))
        .stderr(predicate::str::contains("to gateway/accepted.json:"));
    let config = std::fs::read_to_string(gateway.join(".gwlint.yaml")).unwrap();
    assert!(config.contains("\n    path: staging\n"), "{config}");
    assert!(config.contains("\nbaseline: accepted.json\n"), "{config}");
    // The baseline names files as `check` run in gateway/ shows them.
    let (code, report) = check(&gateway, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert!(!rules(&report).is_empty());
}

#[test]
fn init_without_gateway_configuration_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".github/workflows")).unwrap();
    std::fs::write(
        dir.path().join(".github/workflows/ci.yml"),
        "on: push\njobs: {}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("values.yaml"), "replicaCount: 1\n").unwrap();
    gwlint(dir.path())
        .arg("init")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: no gateway configuration found under .",
        ))
        .stderr(predicate::str::contains(
            "skipped: values.yaml (not gateway configuration)",
        ));
    assert!(!dir.path().join(".gwlint.yaml").exists());
}

#[test]
fn init_help_has_examples() {
    gwlint(Path::new(env!("CARGO_MANIFEST_DIR")))
        .args(["init", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("gwlint init --baseline"))
        .stdout(predicate::str::contains("--stdout"))
        .stdout(predicate::str::contains("[alias: --dry-run]"));
}

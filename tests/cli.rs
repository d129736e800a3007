//! End-to-end runs of the built binary: exit codes, config handling, README commands.

use assert_cmd::Command;
use predicates::prelude::*;

fn gwlint() -> Command {
    let mut cmd = Command::cargo_bin("gwlint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR");
    cmd
}

#[test]
fn readme_example_tree_passes() {
    gwlint()
        .args([
            "check",
            "--config",
            "fixtures/example/.gwlint.yaml",
            "fixtures/example/staging",
            "fixtures/example/production",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 errors"))
        .stdout(predicate::str::contains("undeclared-variable").not());
}

#[test]
fn config_file_declares_the_environments() {
    gwlint()
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/example"))
        .args(["check", "--format", "json"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"files\": 5"));
}

#[test]
fn findings_exit_with_one() {
    gwlint()
        .args(["check", "fixtures/findings/schema-resource", "--no-config"])
        .assert()
        .code(1);
}

#[test]
fn warnings_only_exit_with_zero() {
    gwlint()
        .args([
            "check",
            "fixtures/findings/parse-yaml11",
            "--no-config",
            "--no-builtin-policies",
            "--quiet",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("parse/yaml11-boolean"))
        .stdout(predicate::str::contains("errors,").not());
}

#[test]
fn missing_path_exits_with_two() {
    gwlint()
        .args(["check", "no/such/folder", "--no-config"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no/such/folder: no such file or directory",
        ));
}

#[test]
fn bad_flag_exits_with_two() {
    gwlint().args(["check", "--no-such-flag"]).assert().code(2);
}

#[test]
fn conflicting_flags_exit_with_two() {
    gwlint()
        .args(["check", ".", "--config", "x.yaml", "--no-config"])
        .assert()
        .code(2);
}

#[test]
fn unknown_config_keys_are_located_findings() {
    gwlint()
        .current_dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/findings/config-unknown-key"
        ))
        .args(["check", "--format", "json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("unknown config key `fromat`"))
        .stdout(predicate::str::contains("\"line\": 4"))
        .stdout(predicate::str::contains("unknown config key `severity`"));
}

#[test]
fn invalid_config_value_exits_with_two_and_names_the_position() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".gwlint.yaml"),
        "environments:\n  dev: [1, 2]\n",
    )
    .unwrap();
    let mut cmd = Command::cargo_bin("gwlint").unwrap();
    cmd.current_dir(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            ".gwlint.yaml:2:8: invalid config file",
        ));
}

#[test]
fn unknown_env_exits_with_two() {
    gwlint()
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/example"))
        .args(["check", "--env", "qa"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown environment `qa`"));
}

#[test]
fn timings_go_to_stderr() {
    gwlint()
        .args(["check", "fixtures/example/staging", "--quiet", "--timings"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("timing: walk"))
        .stderr(predicate::str::contains("timing: parse"))
        .stderr(predicate::str::contains("timing: schema"))
        .stderr(predicate::str::contains("timing: model"))
        .stderr(predicate::str::contains("timing: policy"))
        .stderr(predicate::str::contains(
            "policy-timing: policy/route-needs-auth ",
        ))
        .stderr(predicate::str::contains(
            "policy-timing: policy/ssl-certificate-validity ",
        ))
        // The built-in rules ran as their Rust twins: no input document was built.
        .stderr(predicate::str::contains("policy-timing: input ").not());
    gwlint()
        .args(["check", "fixtures/example/staging", "--quiet", "--timings"])
        .arg("--rego-builtins")
        .assert()
        .code(0)
        .stderr(predicate::str::contains("policy-timing: input "))
        .stderr(predicate::str::contains(
            "policy-timing: policy/route-needs-auth ",
        ));
}

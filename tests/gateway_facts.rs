//! What the gateway refuses is not a policy: dangling references
//! (`ref/dangling-<kind>`) and SSL certificates or keys APISIX cannot use
//! (`schema/ssl-certificate`) are reported with the built-in policies left out and
//! with every policy switched off, and the rule ids they replaced
//! (`policy/dangling-reference`, `policy/ssl-certificate`) still work in rule
//! settings and suppressions, with a note.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const DANGLING: &str = "fixtures/findings/ref-dangling";
const SSL: &str = "fixtures/findings/schema-ssl-certificate";

fn gwlint() -> Command {
    let mut cmd = Command::cargo_bin("gwlint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR");
    cmd
}

/// `gwlint check` with `args`, as JSON.
fn check(args: &[&str]) -> Value {
    let output = gwlint()
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// `(rule, line, column, end_line, end_column)` of each finding of `list`.
fn positions(report: &Value, list: &str) -> Vec<(String, u64, u64, u64, u64)> {
    report[list]
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

fn at(
    rule: &str,
    line: u64,
    column: u64,
    end_line: u64,
    end_column: u64,
) -> (String, u64, u64, u64, u64) {
    (rule.to_owned(), line, column, end_line, end_column)
}

fn expected_dangling() -> Vec<(String, u64, u64, u64, u64)> {
    vec![
        at("ref/dangling-service", 15, 17, 15, 26),
        at("ref/dangling-upstream", 16, 18, 16, 34),
        at("ref/dangling-plugin-config", 17, 23, 17, 36),
        at("ref/dangling-upstream", 29, 18, 29, 19),
        at("ref/dangling-ssl", 46, 23, 46, 34),
        at("ref/dangling-consumer-group", 57, 15, 57, 23),
        at("ref/dangling-consumer", 58, 9, 58, 32),
    ]
}

fn expected_ssl() -> Vec<(String, u64, u64, u64, u64)> {
    vec![
        at("schema/ssl-certificate", 10, 11, 13, 36),
        at("schema/ssl-certificate", 66, 11, 73, 39),
        at("schema/ssl-certificate", 88, 14, 88, 108),
        at("schema/ssl-certificate", 91, 11, 93, 75),
    ]
}

#[test]
fn dangling_references_and_bad_certificates_are_reported_without_builtin_policies() {
    let report = check(&["--no-config", "--no-builtin-policies", DANGLING]);
    assert_eq!(positions(&report, "findings"), expected_dangling());
    assert_eq!(
        positions(&report, "suppressed"),
        [at("ref/dangling-service", 21, 17, 21, 23)],
        "`# gwlint-ignore policy/dangling-reference` still suppresses"
    );
    let report = check(&["--no-config", "--no-builtin-policies", SSL]);
    assert_eq!(positions(&report, "findings"), expected_ssl());
    assert_eq!(
        positions(&report, "suppressed"),
        [at("schema/ssl-certificate", 117, 14, 117, 83)],
        "`# gwlint-ignore ssl-certificate` still suppresses"
    );
}

/// A config file beside a copy of `fixture`, with `rules`; the copy's path.
fn with_config(dir: &Path, fixture: &str, rules: &str) -> std::path::PathBuf {
    let env = dir.join("env");
    std::fs::create_dir_all(&env).unwrap();
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture)).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, env.join(path.file_name().unwrap())).unwrap();
    }
    std::fs::write(dir.join(".gwlint.yaml"), format!("rules:\n{rules}")).unwrap();
    env
}

fn run_with_config(dir: &Path, env: &Path) -> Value {
    let config = dir.join(".gwlint.yaml");
    check(&["--config", config.to_str().unwrap(), env.to_str().unwrap()])
}

#[test]
fn turning_every_policy_off_does_not_hide_them() {
    let registry = gwlint()
        .args(["rules", "--format", "json", "--no-config"])
        .output()
        .unwrap();
    let registry: Value = serde_json::from_slice(&registry.stdout).unwrap();
    let off = registry
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .filter(|id| id.starts_with("policy/"))
        .fold(String::new(), |mut off, id| {
            off.push_str("  ");
            off.push_str(id);
            off.push_str(": off\n");
            off
        });
    for (fixture, expected) in [(DANGLING, expected_dangling()), (SSL, expected_ssl())] {
        let dir = tempfile::tempdir().unwrap();
        let env = with_config(dir.path(), fixture, &off);
        let report = run_with_config(dir.path(), &env);
        let found: Vec<_> = positions(&report, "findings")
            .into_iter()
            .filter(|f| !f.0.starts_with("policy/") && f.0 != "config/renamed-rule")
            .collect();
        assert_eq!(found, expected, "{fixture}");
        assert!(
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| !f["rule"].as_str().unwrap().starts_with("policy/")),
            "{report:#}"
        );
    }
}

#[test]
fn old_ids_in_rule_settings_apply_to_the_new_ids_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let env = with_config(
        dir.path(),
        DANGLING,
        "  dangling-reference: warning\n  ref/dangling-ssl: off\n",
    );
    let report = run_with_config(dir.path(), &env);
    let findings = report["findings"].as_array().unwrap();
    let dangling: Vec<&Value> = findings
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("ref/dangling-"))
        .collect();
    assert_eq!(dangling.len(), expected_dangling().len() - 1, "{report:#}");
    assert!(
        dangling.iter().all(|f| f["severity"] == "warning"),
        "{report:#}"
    );
    assert!(dangling.iter().all(|f| f["rule"] != "ref/dangling-ssl"));
    let note: Vec<&Value> = findings
        .iter()
        .filter(|f| f["rule"] == "config/renamed-rule")
        .collect();
    assert_eq!(note.len(), 1, "{report:#}");
    assert_eq!(note[0]["severity"], "info");
    assert_eq!(
        (note[0]["line"].as_u64(), note[0]["column"].as_u64()),
        (Some(2), Some(3))
    );
    assert!(
        note[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("rule `policy/dangling-reference` was renamed: this setting applies to `ref/dangling-service`"),
        "{}",
        note[0]["message"]
    );

    let dir = tempfile::tempdir().unwrap();
    let env = with_config(dir.path(), SSL, "  policy/ssl-certificate: off\n");
    let report = run_with_config(dir.path(), &env);
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    // The rule is off, so the old id's suppression in the file matches nothing.
    assert_eq!(
        rules,
        ["config/renamed-rule", "suppress/unused"],
        "{report:#}"
    );
}

#[test]
fn explain_of_an_old_id_says_where_it_went() {
    for (old, new) in [
        ("policy/dangling-reference", "ref/dangling-plugin-config"),
        ("dangling-reference", "ref/dangling-consumer-group"),
        ("ssl-certificate", "schema/ssl-certificate"),
        ("policy/ssl-certificate", "policy/ssl-certificate-validity"),
    ] {
        let output = gwlint()
            .args(["explain", old, "--no-config"])
            .output()
            .unwrap();
        assert!(output.status.success());
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.contains("renamed"), "{text}");
        assert!(text.contains(&format!("- {new} ")), "{old}: {text}");
    }
    for new in [
        "ref/dangling-service",
        "schema/ssl-certificate",
        "ssl-certificate-validity",
    ] {
        gwlint()
            .args(["explain", new, "--no-config"])
            .assert()
            .success();
    }
}

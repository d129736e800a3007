//! The default rules on clean configuration (issue 19): a realistic production tree
//! whose upstreams are Services of the cluster gives no error and no warning, the
//! example trees are clean, and an ADC service defined in two files gives exactly
//! one finding, the duplicate, whichever file sorts first. Each check runs with the
//! Rust twins and with the Rego definitions (`--rego-builtins`).

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `gwlint check --format json ARGS` from the crate root, with and without
/// `--rego-builtins`: the exit code and report of each (they must agree).
fn check(args: &[&str]) -> (i32, Value) {
    let mut runs = Vec::new();
    for rego in [false, true] {
        let mut cmd = Command::cargo_bin("gwlint").unwrap();
        cmd.current_dir(root())
            .args(["check", "--format", "json"])
            .args(args);
        if rego {
            cmd.arg("--rego-builtins");
        }
        let output = cmd.output().unwrap();
        let code = output.status.code().unwrap_or(-1);
        let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!("{e}: {}", String::from_utf8_lossy(&output.stderr));
        });
        runs.push((code, report));
    }
    assert_eq!(runs[0], runs[1], "twins and Rego rules differ on {args:?}");
    runs.swap_remove(0)
}

/// The findings of a report as `(severity, rule, file name, line, column)`.
fn findings(report: &Value) -> Vec<(String, String, String, u64, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let file = f["file"].as_str().unwrap();
            let name = Path::new(file).file_name().unwrap().to_string_lossy();
            (
                f["severity"].as_str().unwrap().to_owned(),
                f["rule"].as_str().unwrap().to_owned(),
                name.into_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn info(rule: &str, file: &str, line: u64, column: u64) -> (String, String, String, u64, u64) {
    (
        "info".to_owned(),
        rule.to_owned(),
        file.to_owned(),
        line,
        column,
    )
}

#[test]
fn a_realistic_production_tree_with_in_cluster_upstreams_passes_the_gate() {
    let (code, report) = check(&["--no-config", "fixtures/realistic/production"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"]["errors"], 0);
    assert_eq!(report["summary"]["warnings"], 0);
    assert_eq!(report["summary"]["suppressed"], 1, "the public catalog");
    // What remains is advice: no upstream sets health checks, and in Kubernetes
    // the Service does that job.
    let checks = "policy/upstream-needs-health-checks";
    assert_eq!(
        findings(&report),
        [
            info(checks, "shop.yaml", 7, 7),
            info(checks, "shop.yaml", 34, 7),
            info(checks, "shop.yaml", 86, 7),
            info(checks, "shop.yaml", 116, 7),
            info(checks, "shop.yaml", 140, 7),
        ]
    );
}

/// The same tree with `internal_hosts: []`: every plain-HTTP upstream given by its
/// nodes leaves the trust boundary, so the gate fails on exactly those (the
/// traffic-split canary included). Kubernetes discovery (`search`, line 116) stays
/// internal, and the HTTPS upstream clean.
#[test]
fn without_internal_hosts_the_plain_http_upstreams_of_the_realistic_tree_fail() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join(".gwlint.yaml");
    std::fs::write(
        &config,
        "rules:\n  require-https-upstream: {params: {internal_hosts: []}}\n",
    )
    .unwrap();
    let (code, report) = check(&[
        "--config",
        config.to_str().unwrap(),
        "fixtures/realistic/production",
    ]);
    assert_eq!(code, 1);
    let errors: Vec<(String, String, u64, u64)> = findings(&report)
        .into_iter()
        .filter(|f| f.0 == "error")
        .map(|f| (f.1, f.2, f.3, f.4))
        .collect();
    let https = "policy/require-https-upstream".to_owned();
    let at = |line, column| (https.clone(), "shop.yaml".to_owned(), line, column);
    assert_eq!(errors, [at(7, 7), at(34, 7), at(71, 23), at(86, 7)]);
}

#[test]
fn the_example_trees_pass_the_gate() {
    let (code, report) = check(&[
        "--config",
        "fixtures/example/.gwlint.yaml",
        "fixtures/example",
    ]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["summary"]["errors"], 0);
    assert_eq!(report["summary"]["warnings"], 0);
}

/// `fixtures/duplicate-service/<first>.yaml` and `<second>.yaml` as `a.yaml` and
/// `b.yaml` of a `production` environment.
fn duplicate_pair(first: &str, second: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join("production");
    std::fs::create_dir(&env).unwrap();
    let fixture = |name: &str| root().join(format!("fixtures/duplicate-service/{name}.yaml"));
    std::fs::copy(fixture(first), env.join("a.yaml")).unwrap();
    std::fs::copy(fixture(second), env.join("b.yaml")).unwrap();
    (dir, env)
}

/// Service `orders` in two files, in both orders: the duplicate is the only
/// finding, at the second file's `name`, pointing at the first. With a stub copy,
/// the routes of the full definition keep its key-auth and limit-count whichever
/// file sorts first; with a full copy, the routes of one copy neither shadow nor
/// repeat the names of the other's.
#[test]
fn a_service_defined_twice_gives_one_finding_whichever_file_sorts_first() {
    for (first, second) in [
        ("orders", "stub"),
        ("stub", "orders"),
        ("orders", "copy"),
        ("copy", "orders"),
    ] {
        let (_dir, env) = duplicate_pair(first, second);
        let (code, report) = check(&["--no-config", env.to_str().unwrap()]);
        let case = format!("{first}.yaml then {second}.yaml");
        assert_eq!(code, 1, "{case}");
        let all = report["findings"].as_array().unwrap();
        assert_eq!(all.len(), 1, "{case}: {all:#?}");
        let finding = &all[0];
        assert_eq!(finding["rule"], "ref/duplicate-service", "{case}");
        assert_eq!(finding["severity"], "error", "{case}");
        // Shown relative to the current directory, as every path in the output.
        let a = gwlint::source::display_path(&env.join("a.yaml"));
        assert_eq!(
            finding["message"],
            format!("service `orders` is already defined in {a}"),
            "{case}"
        );
        assert_eq!(
            finding["file"],
            gwlint::source::display_path(&env.join("b.yaml")),
            "{case}"
        );
        assert_eq!(
            (finding["line"].as_u64(), finding["column"].as_u64()),
            (Some(2), Some(11))
        );
        let related = &finding["related"][0];
        assert_eq!(related["file"], a, "{case}");
        assert_eq!(
            (related["line"].as_u64(), related["column"].as_u64()),
            (Some(2), Some(11))
        );
    }
}

//! Every built-in policy rule: complete metadata and docs, a `_test.rego` beside it
//! (Rego rules), pass and fail fixture trees, and a snapshot of its findings on the
//! fail tree. Also a snapshot of every rule id, so adding or removing one shows in
//! review.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn gwlint() -> Command {
    let mut cmd = Command::cargo_bin("gwlint").unwrap();
    cmd.current_dir(root()).env_remove("NO_COLOR");
    cmd
}

/// Every rule of the registry, as JSON.
fn registry() -> Vec<Value> {
    let output = gwlint()
        .args(["rules", "--format", "json", "--no-config"])
        .output()
        .unwrap();
    assert!(output.status.success());
    serde_json::from_slice::<Value>(&output.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn policy_ids() -> Vec<String> {
    registry()
        .iter()
        .filter_map(|r| {
            r["id"]
                .as_str()
                .and_then(|id| id.strip_prefix("policy/"))
                .map(str::to_owned)
        })
        .filter(|id| id != "runtime-error")
        .collect()
}

#[test]
fn rule_ids_are_unique_and_listed() {
    let ids: Vec<String> = registry()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids, unique);
    insta::assert_snapshot!("rule-ids", ids.join("\n"));
}

#[test]
fn every_policy_rule_is_documented_tested_and_has_fixtures() {
    let rules = registry();
    for id in policy_ids() {
        let rule = rules
            .iter()
            .find(|r| r["id"] == format!("policy/{id}"))
            .unwrap();
        let description = rule["description"].as_str().unwrap();
        for section in [
            "## What it checks",
            "## Why it matters",
            "## Bad",
            "## Good",
        ] {
            assert!(
                description.contains(section),
                "{id}: description lacks `{section}`"
            );
        }
        assert!(!rule["help"].as_str().unwrap().is_empty(), "{id}: no help");
        let native = root().join(format!("policies/native/{id}.yaml")).is_file();
        let rego = root().join(format!("policies/{id}.rego"));
        assert!(
            native || rego.is_file(),
            "{id}: no policies/{id}.rego or policies/native/{id}.yaml"
        );
        if !native {
            assert!(
                root().join(format!("policies/{id}_test.rego")).is_file(),
                "{id}: no _test.rego"
            );
        }
        for kind in ["pass", "fail"] {
            assert!(
                root().join(format!("fixtures/rules/{id}/{kind}")).is_dir(),
                "{id}: no {kind} fixtures"
            );
        }
        gwlint()
            .args(["explain", &id, "--no-config"])
            .assert()
            .success();
    }
}

/// The environment folders of a fixture tree: the tree itself, or its subfolders
/// when it holds only folders (so an environment can be named, e.g. `production`).
fn environments(tree: &Path) -> Vec<PathBuf> {
    let entries: Vec<PathBuf> = std::fs::read_dir(tree)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    if entries.iter().all(|p| p.is_dir()) {
        let mut dirs = entries;
        dirs.sort();
        dirs
    } else {
        vec![tree.to_path_buf()]
    }
}

/// The findings of `rule` on a fixture tree.
fn findings_of(rule: &str, tree: &Path) -> Vec<Value> {
    let relative: Vec<String> = environments(tree)
        .iter()
        .map(|p| {
            p.strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let output = gwlint()
        .args(["check", "--no-config", "--format", "json"])
        .args(&relative)
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == format!("policy/{rule}"))
        .cloned()
        .collect()
}

#[test]
fn every_rule_passes_its_pass_tree_and_fails_its_fail_tree() {
    for id in policy_ids() {
        let base = root().join(format!("fixtures/rules/{id}"));
        let passing = findings_of(&id, &base.join("pass"));
        assert!(
            passing.is_empty(),
            "{id}: findings on the pass tree: {passing:#?}"
        );
        let failing = findings_of(&id, &base.join("fail"));
        assert!(!failing.is_empty(), "{id}: no finding on the fail tree");
        for finding in &failing {
            assert!(
                finding["unlocated"].is_null(),
                "{id}: unlocated finding {finding}"
            );
        }
        insta::assert_json_snapshot!(format!("rule-{id}"), failing);
    }
}

#[test]
fn the_policy_library_tests_pass() {
    let output = gwlint().args(["policy", "test"]).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(text.contains(" passed, 0 failed"), "{text}");
    assert!(!text.starts_with("0 passed"), "no policy test ran: {text}");
}

#[test]
fn protection_through_service_or_global_rule_counts_and_disabling_it_does_not() {
    let tree = root().join("fixtures/rules/route-needs-auth");
    assert!(findings_of("route-needs-auth", &tree.join("pass")).is_empty());
    let failing = findings_of("route-needs-auth", &tree.join("fail"));
    assert!(
        failing
            .iter()
            .any(|f| f["file"].as_str().unwrap().contains("disabled")),
        "the `_meta.disable` fixture must fail: {failing:#?}"
    );
}

#[test]
fn cors_star_with_credentials_is_one_finding_of_the_schema_stage() {
    // APISIX refuses `*` (also as allow_origins' default) with credentials, so it is
    // schema/cors alone; the policy reports only `**`, which APISIX accepts.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.yaml");
    for (origins, expected) in [
        ("", "schema/cors"),
        ("allow_origins: \"*\", ", "schema/cors"),
        (
            "allow_origins: \"**\", allow_methods: GET, allow_headers: X-A, ",
            "policy/cors-wildcard-credentials",
        ),
    ] {
        std::fs::write(
            &file,
            format!(
                "services:\n  - name: a\n    upstream: {{nodes: [{{host: a.svc, port: 80, weight: 1}}]}}\n    \
                 plugins:\n      cors: {{{origins}allow_credential: true}}\n    \
                 routes: [{{name: r, uris: [/a], plugins: {{key-auth: {{}}}}}}]\n"
            ),
        )
        .unwrap();
        let output = gwlint()
            .args(["check", "--no-config", "--format", "json"])
            .arg(&file)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let errors: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .map(|f| f["rule"].as_str().unwrap())
            .collect();
        assert_eq!(errors, [expected], "{origins}");
    }
}

#[test]
fn route_shadowing_judges_paths_as_the_backend_syncs_them() {
    // ADC's apisix backend drops a service's `path_prefix`: `/v1` + `/orders` is synced
    // as `/orders` and shadows the other service's `/orders`. The api7ee backend applies
    // the prefix, so the two routes differ.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("env")).unwrap();
    std::fs::write(
        dir.path().join("env/a.yaml"),
        "services:\n  - name: versioned\n    path_prefix: /v1\n    upstream: {nodes: [{host: a.svc, port: 80, weight: 1}]}\n    \
         routes:\n      - {name: orders-v1, uris: [/orders]}\n  - name: plain\n    upstream: {nodes: [{host: b.svc, port: 80, weight: 1}]}\n    \
         routes:\n      - {name: orders, uris: [/orders]}\n",
    )
    .unwrap();
    let shadowing = |backend: &str| -> Vec<(u64, u64)> {
        std::fs::write(
            dir.path().join(".gwlint.yaml"),
            format!("environments:\n  env: env\napply:\n  backend: {backend}\n"),
        )
        .unwrap();
        let output = gwlint()
            .current_dir(dir.path())
            .args(["check", "env", "--format", "json"])
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "policy/route-shadowing")
            .map(|f| (f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap()))
            .collect()
    };
    assert_eq!(shadowing("apisix"), [(10, 30)]);
    assert_eq!(shadowing("apisix-standalone"), [(10, 30)]);
    assert_eq!(shadowing("api7ee"), []);
}

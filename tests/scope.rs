//! What a run covers (`src/scope.rs`): where `.gwlint.yaml` is found, which environment
//! a file on the command line belongs to, which files are skipped, and how paths are
//! shown. Each test builds a small repository and runs the built binary in it.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

/// A two-environment repository below `gw/`, with its config file there, a CI
/// workflow outside the environments and a duplicate service across two files of
/// `staging`.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let files: &[(&str, &str)] = &[
        (
            "gw/.gwlint.yaml",
            "environments:\n  staging: staging\n  production: production\nrules:\n  policy/route-needs-auth: off\n  policy/route-needs-rate-limit: off\n  policy/route-needs-timeout: off\n",
        ),
        (
            "gw/staging/a.yaml",
            "services:\n  - name: orders\n    routes:\n      - name: list\n        uris: [/orders]\n",
        ),
        (
            "gw/staging/b.yaml",
            "services:\n  - name: orders\n    routes:\n      - name: get\n        uris: [/orders/x]\n",
        ),
        (
            "gw/production/c.yaml",
            "services:\n  - name: billing\n    routes:\n      - name: list\n        uris: [/billing]\n        bogus: 1\n",
        ),
        (
            ".github/workflows/ci.yml",
            "name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n",
        ),
        ("helm/values.yaml", "replicaCount: 2\nimage: {tag: v1}\n"),
    ];
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Run gwlint in `cwd` with JSON output; the exit code, the report and stderr.
fn run(cwd: &Path, args: &[&str]) -> (i32, Value, String) {
    let output = Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_STEP_SUMMARY")
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stderr}"));
    (output.status.code().unwrap(), report, stderr)
}

/// `(rule, file, line, column)` of every finding.
fn findings(report: &Value) -> Vec<(String, String, u64, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["file"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn finding(rule: &str, file: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (rule.to_owned(), file.to_owned(), line, column)
}

#[test]
fn a_file_in_a_declared_environment_is_checked_with_its_environment() {
    let repo = repository();
    // From the repository root: the config is found from the file upwards, the whole
    // environment is checked (the duplicate needs a.yaml), only b.yaml is reported.
    let (code, report, stderr) = run(repo.path(), &["gw/staging/b.yaml"]);
    assert_eq!(
        findings(&report),
        [finding("ref/duplicate-service", "gw/staging/b.yaml", 2, 11)],
        "{stderr}"
    );
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["files"], 2);
}

#[test]
fn files_outside_every_environment_are_skipped_with_a_note() {
    let repo = repository();
    let (code, report, stderr) = run(
        repo.path(),
        &[
            "--config",
            "gw/.gwlint.yaml",
            ".github/workflows/ci.yml",
            "helm/values.yaml",
        ],
    );
    assert_eq!(findings(&report), []);
    assert_eq!(report["summary"]["files"], 0);
    assert_eq!(code, 0);
    assert!(
        stderr.contains(
            "note: skipped .github/workflows/ci.yml: outside every environment declared in gw/.gwlint.yaml"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("note: skipped helm/values.yaml"),
        "{stderr}"
    );
}

#[test]
fn the_config_is_found_from_the_checked_path_not_only_the_current_directory() {
    let repo = repository();
    let elsewhere = tempfile::tempdir().unwrap();
    let production = repo.path().join("gw/production");
    let (code, report, stderr) = run(elsewhere.path(), &[production.to_str().unwrap()]);
    // The config's rule settings apply (route-needs-auth is off): only the schema error.
    let rules: Vec<String> = findings(&report).into_iter().map(|f| f.0).collect();
    assert_eq!(rules, ["schema/route"], "{stderr}");
    assert_eq!(code, 1);
    assert_eq!(report["findings"][0]["environment"], "production");
}

#[test]
fn paths_are_relative_to_the_current_directory_even_outside_it() {
    let repo = repository();
    let staging = repo.path().join("gw/staging");
    let (_, report, stderr) = run(&staging, &["--config", "../.gwlint.yaml"]);
    let files: Vec<String> = findings(&report).into_iter().map(|f| f.1).collect();
    assert_eq!(files, ["../production/c.yaml", "b.yaml"], "{stderr}");
}

#[test]
fn without_a_config_a_file_is_checked_alone() {
    let repo = repository();
    let (code, report, stderr) = run(repo.path(), &["--no-config", "gw/staging/b.yaml"]);
    // a.yaml is not read, so there is no duplicate; b.yaml's own routes still get the
    // built-in policies.
    assert!(
        findings(&report)
            .iter()
            .all(|f| f.1 == "gw/staging/b.yaml" && f.0 != "ref/duplicate-service"),
        "{stderr}"
    );
    assert_eq!(report["summary"]["files"], 1);
    assert_eq!(code, 1);
    // Two files of one folder are checked together, as one environment.
    let (_, report, _) = run(
        repo.path(),
        &["--no-config", "gw/staging/b.yaml", "gw/staging/a.yaml"],
    );
    assert_eq!(report["summary"]["files"], 2);
    assert!(findings(&report)
        .iter()
        .any(|f| f.0 == "ref/duplicate-service"));
}

#[test]
fn skip_non_gateway_leaves_out_workflows_without_a_config() {
    let repo = repository();
    let args = [
        "--no-config",
        "--no-builtin-policies",
        ".github/workflows/ci.yml",
        "gw/production/c.yaml",
    ];
    // Without the flag the workflow is checked as gateway configuration.
    let (_, report, _) = run(repo.path(), &args);
    assert!(findings(&report)
        .iter()
        .any(|f| f.1 == ".github/workflows/ci.yml"));
    let mut with_flag = vec!["--skip-non-gateway"];
    with_flag.extend(args);
    let (code, report, stderr) = run(repo.path(), &with_flag);
    assert_eq!(
        findings(&report),
        [finding("schema/route", "gw/production/c.yaml", 6, 9)],
        "{stderr}"
    );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("note: skipped .github/workflows/ci.yml: not gateway configuration: no top-level key (`name`, `on`, `jobs`) is a gateway resource"),
        "{stderr}"
    );
}

#[test]
fn a_part_of_an_environment_is_reported_for_that_part() {
    let repo = repository();
    std::fs::create_dir(repo.path().join("gw/staging/more")).unwrap();
    std::fs::write(
        repo.path().join("gw/staging/more/d.yaml"),
        "consumers:\n  - username: alice\n  - username: alice\n",
    )
    .unwrap();
    let (_, report, stderr) = run(repo.path(), &["gw/staging/more"]);
    assert_eq!(
        findings(&report),
        [finding(
            "ref/duplicate-consumer",
            "gw/staging/more/d.yaml",
            3,
            15
        )],
        "{stderr}"
    );
    assert_eq!(report["summary"]["files"], 3);
    // A folder holding the declared environments checks them.
    let (_, report, _) = run(repo.path(), &["gw"]);
    assert_eq!(report["summary"]["files"], 4);
    // A hidden file inside an environment is not part of it.
    std::fs::write(repo.path().join("gw/staging/.draft.yaml"), "bogus: 1\n").unwrap();
    let (code, report, stderr) = run(repo.path(), &["gw/staging/.draft.yaml"]);
    assert_eq!((code, findings(&report)), (0, vec![]));
    assert!(
        stderr.contains("not a configuration file of environment `staging`"),
        "{stderr}"
    );
}

#[test]
fn ignore_globs_hold_with_a_relative_config_path() {
    let repo = repository();
    let config = repo.path().join("gw/.gwlint.yaml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("ignore: [\"staging/drafts/**\"]\n");
    std::fs::write(&config, text).unwrap();
    std::fs::create_dir(repo.path().join("gw/staging/drafts")).unwrap();
    std::fs::write(repo.path().join("gw/staging/drafts/wip.yaml"), "bogus: 1\n").unwrap();
    for cwd in [repo.path().to_path_buf(), repo.path().join("gw")] {
        let config = if cwd.ends_with("gw") {
            ".gwlint.yaml"
        } else {
            "gw/.gwlint.yaml"
        };
        let (_, report, stderr) = run(&cwd, &["--config", config]);
        assert!(
            findings(&report).iter().all(|f| !f.1.contains("drafts")),
            "{stderr}"
        );
        assert_eq!(report["summary"]["files"], 3);
    }
}

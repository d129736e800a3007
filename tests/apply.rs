//! `gwlint apply`, `render` and `diff` end to end, with a stand-in `adc` program
//! placed on PATH: it records its arguments, its ADC_* environment and the bundle it
//! was given, can write a `diff.yaml` plan with deletes, and can fail on request.

mod common;

use assert_cmd::Command;
use common::{git, git_repository};
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const STAND_IN: &str = r#"#!/bin/sh
# Stand-in for the ADC CLI used by gwlint's tests.
verb="$1"
bundle="$3"
log="$STANDIN_LOG"
echo "$*" >> "$log/calls"
env | grep '^ADC_' | sort > "$log/env-$verb"
cp "$bundle" "$log/bundle-$verb.yaml"
echo "adc $verb: connected with token $ADC_TOKEN"
if [ "$verb" = diff ]; then
  {
    echo "- type: create"
    echo "  resourceType: route"
    i=0
    while [ "$i" -lt "${STANDIN_DELETES:-0}" ]; do
      echo "- type: delete"
      echo "  resourceType: service"
      i=$((i + 1))
    done
  } > diff.yaml
fi
if [ "${STANDIN_FAIL:-}" = "$verb" ]; then
  echo "adc $verb failed" >&2
  exit 3
fi
exit 0
"#;

struct StandIn {
    dir: tempfile::TempDir,
}

impl StandIn {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("bin")).unwrap();
        std::fs::create_dir(dir.path().join("log")).unwrap();
        let program = dir.path().join("bin/adc");
        std::fs::write(&program, STAND_IN).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        StandIn { dir }
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("log")
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.log().join("calls"))
            .map(|t| {
                t.lines()
                    .map(|l| l.split_whitespace().next().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn command(&self) -> Command {
        let mut cmd = Command::cargo_bin("gwlint").unwrap();
        let path = format!(
            "{}:{}",
            self.dir.path().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("PATH", path)
            .env("STANDIN_LOG", self.log())
            .env("ADC_TOKEN", "supersecret-token-123")
            .env("NO_COLOR", "1")
            .env_remove("STANDIN_DELETES")
            .env_remove("STANDIN_FAIL")
            .env_remove("PARTNER_PORTAL_KEY");
        cmd
    }
}

fn production() -> &'static str {
    "fixtures/example/production"
}

#[test]
fn clean_apply_runs_diff_then_sync_with_the_rendered_bundle() {
    let adc = StandIn::new();
    let record = adc.dir.path().join("record.json");
    let output = adc
        .command()
        .args(["apply", production(), "--no-config", "--record"])
        .arg(&record)
        .env("ADC_SERVER", "https://admin.example.com:9180")
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(adc.calls(), ["diff", "sync"]);
    assert!(
        stdout.contains("gwlint: plan: 1 create, 0 update, 0 delete"),
        "{stdout}"
    );
    let rendered = Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["render", production(), "--no-config"])
        .output()
        .unwrap();
    let bundle = std::fs::read_to_string(adc.log().join("bundle-sync.yaml")).unwrap();
    assert_eq!(bundle, String::from_utf8(rendered.stdout).unwrap());
    let env = std::fs::read_to_string(adc.log().join("env-sync")).unwrap();
    assert!(
        env.contains("ADC_TOKEN=supersecret-token-123"),
        "the token reaches adc: {env}"
    );
    let record: Value = serde_json::from_str(&std::fs::read_to_string(record).unwrap()).unwrap();
    assert_eq!(record["environment"], "production");
    assert_eq!(record["engine"], "adc");
    assert_eq!(record["counts"]["services"], 1);
    assert_eq!(record["counts"]["routes"], 3);
    assert_eq!(record["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn the_token_is_never_printed() {
    let adc = StandIn::new();
    let output = adc
        .command()
        .args(["apply", production(), "--no-config"])
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!all.contains("supersecret-token-123"), "{all}");
    assert!(all.contains("connected with token ***"), "{all}");
}

#[test]
fn dry_run_only_plans() {
    let adc = StandIn::new();
    adc.command()
        .args(["apply", production(), "--no-config", "--dry-run"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("gwlint: plan:"));
    assert_eq!(adc.calls(), ["diff"]);
}

#[test]
fn failing_findings_stop_the_hand_off() {
    let adc = StandIn::new();
    adc.command()
        .args(["apply", "fixtures/findings/ref-duplicates", "--no-config"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("ref/duplicate-service"))
        .stderr(predicate::str::contains(
            "gwlint: refusing to apply: the environment has failing findings; nothing was handed off",
        ));
    assert!(adc.calls().is_empty(), "adc must not be called");
}

#[test]
fn the_delete_guard_refuses_deletes_in_production() {
    let adc = StandIn::new();
    adc.command()
        .args(["apply", production(), "--no-config"])
        .env("STANDIN_DELETES", "2")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "plan deletes 2 resource(s), over the limit of 0",
        ));
    assert_eq!(adc.calls(), ["diff"]);
    adc.command()
        .args(["apply", production(), "--no-config", "--allow-deletes"])
        .env("STANDIN_DELETES", "2")
        .assert()
        .code(0);
    assert_eq!(adc.calls(), ["diff", "diff", "sync"]);
}

#[test]
fn engine_failure_decides_the_exit_code() {
    let adc = StandIn::new();
    adc.command()
        .args(["apply", production(), "--no-config"])
        .env("STANDIN_FAIL", "sync")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("adc sync failed"));
}

#[test]
fn an_unset_variable_is_an_error_at_its_position() {
    let adc = StandIn::new();
    adc.command()
        .args(["apply", "fixtures/example/staging", "--no-config"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "variable `PARTNER_PORTAL_KEY` is not set",
        ))
        .stderr(predicate::str::contains(
            "fixtures/example/staging/consumers.yaml:14:16",
        ));
    assert!(adc.calls().is_empty());
    adc.command()
        .args(["apply", "fixtures/example/staging", "--no-config"])
        .env("PARTNER_PORTAL_KEY", "resolved-key")
        .assert()
        .code(0);
    let bundle = std::fs::read_to_string(adc.log().join("bundle-sync.yaml")).unwrap();
    assert!(bundle.contains("key: \"resolved-key\""), "{bundle}");
    assert!(
        bundle.contains("key: \"$env://MOBILE_APP_KEY\""),
        "$env:// is left for the gateway"
    );
}

#[test]
fn a_missing_adc_is_a_clear_error() {
    let mut cmd = Command::cargo_bin("gwlint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PATH", "/nonexistent")
        .args(["apply", production(), "--no-config"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("(`adc`) was not found on PATH"))
        .stderr(predicate::str::contains("install"));
}

#[test]
fn standalone_render_matches_the_golden_file_and_passes_its_own_check() {
    let golden =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/apply/production.apisix.yaml");
    let output = Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "render",
            production(),
            "--no-config",
            "--engine",
            "standalone",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let rendered = String::from_utf8(output.stdout).unwrap();
    if std::env::var("GWLINT_UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::write(&golden, &rendered).unwrap();
    }
    assert_eq!(
        rendered,
        std::fs::read_to_string(&golden).unwrap(),
        "rendered standalone file changed"
    );
    assert!(rendered.ends_with("#END\n"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("apisix.yaml"), &rendered).unwrap();
    Command::cargo_bin("gwlint")
        .unwrap()
        .args([
            "check",
            "--no-config",
            "--no-builtin-policies",
            "--file-format",
            "standalone",
        ])
        .arg(dir.path())
        .assert()
        .code(0);
}

#[test]
fn rendering_is_deterministic() {
    let render = || {
        Command::cargo_bin("gwlint")
            .unwrap()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["render", "fixtures/example/production", "--no-config"])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(render(), render());
}

#[test]
fn standalone_apply_writes_atomically_with_a_backup_and_dry_run_diffs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("apisix.yaml");
    std::fs::write(&out, "routes: []\n#END\n").unwrap();
    let mut cmd = Command::cargo_bin("gwlint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "apply",
            production(),
            "--no-config",
            "--engine",
            "standalone",
            "--dry-run",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("-routes: []"))
        .stdout(predicate::str::contains("+#END").not());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "routes: []\n#END\n");
    let mut cmd = Command::cargo_bin("gwlint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "apply",
            production(),
            "--no-config",
            "--engine",
            "standalone",
            "--backup",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("apisix.yaml.bak")).unwrap(),
        "routes: []\n#END\n"
    );
    assert!(std::fs::read_to_string(&out).unwrap().ends_with("#END\n"));
}

#[test]
fn rollback_applies_the_environment_as_it_was() {
    let repo = git_repository();
    let root = repo.path();
    std::fs::create_dir(root.join("env")).unwrap();
    let version = |n: u16| {
        format!("services:\n  - name: orders\n    upstream:\n      scheme: https\n      nodes:\n        - host: v{n}.svc\n          port: 443\n          weight: 1\n    routes:\n      - name: list\n        uris: [/orders]\n")
    };
    std::fs::write(root.join("env/orders.yaml"), version(1)).unwrap();
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "v1"]);
    std::fs::write(root.join("env/orders.yaml"), version(2)).unwrap();
    git(root, &["commit", "-qam", "v2"]);
    let out = root.join("apisix.yaml");
    let mut cmd = Command::cargo_bin("gwlint").unwrap();
    cmd.current_dir(root)
        .args([
            "apply",
            "env",
            "--no-config",
            "--no-builtin-policies",
            "--engine",
            "standalone",
            "--rev",
            "HEAD~1",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"revision\":\"HEAD~1\""));
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(
        written.contains("v1.svc") && !written.contains("v2.svc"),
        "{written}"
    );
}

#[test]
fn promotion_diff_lists_differences_by_name() {
    let output = Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "diff",
            "fixtures/example/staging",
            "fixtures/example/production",
            "--no-config",
            "--format",
            "json",
            "--ignore",
            "hosts",
            "--ignore",
            "nodes",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let differences = report["differences"].as_array().unwrap();
    let has = |kind: &str, name: &str, change: &str| {
        differences
            .iter()
            .any(|d| d["kind"] == kind && d["name"] == name && d["change"] == change)
    };
    assert!(has("consumer", "partner_portal", "only_in_left"));
    assert!(has("ssl", "orders.example.com", "only_in_right"));
    assert!(has("service", "orders", "plugin_differs"));
    assert!(has("route", "orders/create-order", "plugin_only_in_left"));
    assert!(
        !differences.iter().any(|d| d["detail"] == "hosts"),
        "hosts is ignored"
    );
}

//! `gwlint apply`, `render` and `diff` end to end, with a stand-in `adc` program
//! placed on PATH: it records its arguments, its ADC_* environment and the bundle it
//! was given, can write a `diff.yaml` plan with deletes, and can fail on request.

mod common;

use assert_cmd::Command;
use common::{git, git_repository, StandIn};
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

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
  n=$(( $(cat "$log/diff-count" 2>/dev/null || echo 0) + 1 ))
  echo "$n" > "$log/diff-count"
  {
    if [ -n "${STANDIN_EMPTY:-}" ]; then echo "[]"; fi
    if [ -z "${STANDIN_EMPTY:-}" ]; then
      echo "- type: create"
      echo "  resourceType: route"
      echo "  resourceName: list-orders"
    fi
    if [ "${STANDIN_CHANGE_ON_DIFF:-}" = "$n" ]; then
      echo "- type: delete"
      echo "  resourceType: route"
      echo "  resourceName: added-by-someone-else"
    fi
    i=0
    while [ "$i" -lt "${STANDIN_DELETES:-0}" ]; do
      echo "- type: delete"
      echo "  resourceType: service"
      i=$((i + 1))
    done
  } > diff.yaml
fi
if [ "$verb" = sync ] && [ -z "${STANDIN_SYNC_QUIET:-}" ]; then
  # What ADC 0.28 prints at --verbose 1 for each change (signale's start/success
  # lines), with the colour escapes chalk adds on a terminal in one of them.
  printf '[ADC] \342\200\272 \342\226\266  start     Create route: "list-orders"\n'
  printf '\033[32m[ADC] \342\200\272 \342\234\224  success\033[39m   Create route: "list-orders"\n'
  i=0
  while [ "$i" -lt "${STANDIN_DELETES:-0}" ]; do
    echo '[ADC] › ✔  success   Delete service: ""'
    i=$((i + 1))
  done
  if [ -n "${STANDIN_CHANGE_ON_SYNC:-}" ]; then
    echo '[ADC] › ✔  success   Delete route: "added-by-someone-else"'
  fi
fi
if [ "${STANDIN_HANG:-}" = "$verb" ]; then
  sleep 30 &
  trap 'echo "$verb got a signal" >> "$log/signals"; kill $!; exit 130' INT TERM
  echo "$PWD" > "$log/workdir"
  wait $!
fi
if [ "${STANDIN_FAIL:-}" = "$verb" ]; then
  echo "adc $verb failed" >&2
  exit 3
fi
exit 0
"#;

impl StandIn {
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
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("PATH", self.path())
            .env("STANDIN_LOG", self.log())
            .env("ADC_TOKEN", "supersecret-token-123")
            .env("NO_COLOR", "1")
            .env_remove("STANDIN_DELETES")
            .env_remove("STANDIN_FAIL")
            .env_remove("STANDIN_EMPTY")
            .env_remove("STANDIN_HANG")
            .env_remove("STANDIN_CHANGE_ON_DIFF")
            .env_remove("STANDIN_CHANGE_ON_SYNC")
            .env_remove("STANDIN_SYNC_QUIET")
            .env_remove("PARTNER_PORTAL_KEY");
        cmd
    }
}

fn production() -> &'static str {
    "fixtures/example/production"
}

#[test]
fn clean_apply_runs_diff_then_sync_with_the_rendered_bundle() {
    let adc = StandIn::new(STAND_IN);
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
    assert_eq!(adc.calls(), ["diff", "diff", "sync"]);
    assert!(
        stdout.contains("gwlint: plan: 1 create, 0 update, 0 delete"),
        "{stdout}"
    );
    assert!(
        stdout.contains("gwlint: adc sync did what the plan said (1 change(s))"),
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
    let adc = StandIn::new(STAND_IN);
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
    let adc = StandIn::new(STAND_IN);
    adc.command()
        .args(["apply", production(), "--no-config", "--dry-run"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("gwlint: plan:"));
    assert_eq!(adc.calls(), ["diff"]);
}

#[test]
fn failing_findings_stop_the_hand_off() {
    let adc = StandIn::new(STAND_IN);
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
    let adc = StandIn::new(STAND_IN);
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
    // The refused run's diff, then the plan and the check right before sync.
    assert_eq!(adc.calls(), ["diff", "diff", "diff", "sync"]);
}

#[test]
fn engine_failure_decides_the_exit_code() {
    let adc = StandIn::new(STAND_IN);
    adc.command()
        .args(["apply", production(), "--no-config"])
        .env("STANDIN_FAIL", "sync")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("adc sync failed"))
        .stdout(predicate::str::contains(
            "gwlint: adc sync failed (adc exited with 3)",
        ));
}

#[test]
fn the_guard_holds_for_what_sync_does() {
    // Someone adds a route between the plan and the sync: the second diff sees that
    // sync would delete it, and nothing is synced.
    let adc = StandIn::new(STAND_IN);
    let output = adc
        .command()
        .args(["apply", "fixtures/example/staging", "--no-config"])
        .env("PARTNER_PORTAL_KEY", "k")
        .env("STANDIN_CHANGE_ON_DIFF", "2")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("refusing to sync: the gateway changed after the plan was made; sync would now do: 1 create, 0 update, 1 delete"),
        "{stdout}"
    );
    assert!(
        stdout.contains("delete route `added-by-someone-else`"),
        "{stdout}"
    );
    assert_eq!(adc.calls(), ["diff", "diff"]);
    // Someone adds a route after the second diff, before sync's own: sync deletes it,
    // says so, and gwlint compares what sync reported with the plan and exits 1.
    let adc = StandIn::new(STAND_IN);
    let output = adc
        .command()
        .args(["apply", "fixtures/example/staging", "--no-config"])
        .env("PARTNER_PORTAL_KEY", "k")
        .env("STANDIN_CHANGE_ON_SYNC", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "gwlint: WARNING: adc sync did not do what the guarded plan said; it also did: \
             delete route `added-by-someone-else` (the gateway changed between the last diff and sync's own)"
        ),
        "{stdout}"
    );
    assert_eq!(adc.calls(), ["diff", "diff", "sync"]);
    // sync runs at ADC's verbosity 1, where it reports each change.
    let calls = std::fs::read_to_string(adc.log().join("calls")).unwrap();
    assert!(
        calls.lines().last().unwrap().ends_with("--verbose 1"),
        "{calls}"
    );
    // A sync that reports nothing cannot be confirmed: said, and exit 1.
    let adc = StandIn::new(STAND_IN);
    let output = adc
        .command()
        .args(["apply", "fixtures/example/staging", "--no-config"])
        .env("PARTNER_PORTAL_KEY", "k")
        .env("STANDIN_SYNC_QUIET", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("adc sync exited 0 but reported none of the plan's 1 change(s)"),
        "{stdout}"
    );
    // A failed sync says how much of the plan it reported done.
    let adc = StandIn::new(STAND_IN);
    let output = adc
        .command()
        .args(["apply", "fixtures/example/staging", "--no-config"])
        .env("PARTNER_PORTAL_KEY", "k")
        .env("STANDIN_FAIL", "sync")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("adc sync reported 1 of the plan's 1 change(s) done before it ended"),
        "{stdout}"
    );
    // An empty plan is not synced at all.
    let adc = StandIn::new(STAND_IN);
    adc.command()
        .args(["apply", production(), "--no-config"])
        .env("STANDIN_EMPTY", "1")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "the gateway already matches `production`: nothing to sync",
        ));
    assert_eq!(adc.calls(), ["diff"]);
}

#[test]
fn an_unset_variable_is_an_error_at_its_position() {
    let adc = StandIn::new(STAND_IN);
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
    // The differing field below a plugin's configuration is named (its value never).
    let limit = differences
        .iter()
        .find(|d| d["name"] == "orders" && d["detail"] == "limit-count")
        .unwrap();
    assert_eq!(limit["paths"], serde_json::json!(["count"]));
    // An unnamed upstream is named by the service whose upstream it is.
    assert!(has("upstream", "service:orders", "field_differs"));
    assert!(
        !differences.iter().any(|d| d["detail"] == "hosts"),
        "hosts is ignored"
    );
}

#[test]
fn the_baseline_of_the_config_file_is_the_gate_s_too() {
    let adc = StandIn::new(STAND_IN);
    let tree = tempfile::tempdir().unwrap();
    let staging = tree.path().join("staging");
    std::fs::create_dir(&staging).unwrap();
    for file in ["orders.yaml", "consumers.yaml", "kustomization.yaml"] {
        std::fs::copy(
            common::fixture("init/tree/staging").join(file),
            staging.join(file),
        )
        .unwrap();
    }
    // A route without authentication: an error the baseline then accepts.
    std::fs::write(
        staging.join("open.yaml"),
        "services:\n  - name: open\n    routes:\n      - name: all\n        uris: [/open]\n",
    )
    .unwrap();
    adc.command()
        .current_dir(tree.path())
        .args(["init", "--baseline"])
        .assert()
        .code(0);
    let apply = || {
        let mut cmd = adc.command();
        cmd.current_dir(tree.path())
            .args(["apply", "staging", "--dry-run"])
            .env("ORDERS_HOST", "orders.internal.example.com")
            .env("DEPLOY_ENV", "staging")
            .env("PARTNER_PORTAL_KEY", "partner-key");
        cmd
    };
    apply()
        .assert()
        .code(0)
        .stdout(predicate::str::contains("gwlint: plan:"));
    assert_eq!(adc.calls(), ["diff"]);
    // Without `baseline:` in the config, the same findings stop the hand-off.
    let config = tree.path().join(".gwlint.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains("\nbaseline: .gwlint-baseline.json\n"),
        "{text}"
    );
    std::fs::write(
        &config,
        text.replace("\nbaseline: .gwlint-baseline.json\n", "\n"),
    )
    .unwrap();
    apply()
        .assert()
        .code(1)
        .stderr(predicate::str::contains("refusing to apply"));
    assert_eq!(adc.calls(), ["diff"]);
}

/// A config file in a new folder that points the apply settings at `settings`
/// (YAML lines below `apply:`), for `fixtures/example/production`.
fn config_with(settings: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let production = Path::new(env!("CARGO_MANIFEST_DIR")).join(production());
    std::fs::create_dir(dir.path().join("certs")).unwrap();
    std::fs::write(dir.path().join("certs/ca.pem"), "not read by the stand-in").unwrap();
    std::fs::write(
        dir.path().join(".gwlint.yaml"),
        format!(
            "environments:\n  production: {}\napply:\n{settings}",
            production.display()
        ),
    )
    .unwrap();
    dir
}

#[test]
fn tls_skip_verify_reaches_adc_only_when_true() {
    for (setting, inherited, expected) in [
        ("  tls_skip_verify: false\n", Some("false"), None),
        ("  tls_skip_verify: false\n", None, None),
        ("  server: https://gw:9180\n", Some("1"), None),
        (
            "  tls_skip_verify: true\n",
            None,
            Some("ADC_TLS_SKIP_VERIFY=true"),
        ),
    ] {
        let adc = StandIn::new(STAND_IN);
        let config = config_with(setting);
        let mut command = adc.command();
        command.args([
            "apply",
            "production",
            "--dry-run",
            "--config",
            config.path().join(".gwlint.yaml").to_str().unwrap(),
        ]);
        match inherited {
            Some(value) => command.env("ADC_TLS_SKIP_VERIFY", value),
            None => command.env_remove("ADC_TLS_SKIP_VERIFY"),
        };
        command.assert().code(0);
        let env = std::fs::read_to_string(adc.log().join("env-diff")).unwrap();
        let skip: Vec<&str> = env
            .lines()
            .filter(|l| l.starts_with("ADC_TLS_SKIP_VERIFY"))
            .collect();
        assert_eq!(skip, expected.into_iter().collect::<Vec<_>>(), "{setting}");
    }
}

#[test]
fn adc_gets_only_the_token_gwlint_chose() {
    let adc = StandIn::new(STAND_IN);
    let config = config_with("  token_env: GW_ADMIN_TOKEN\n");
    let output = adc
        .command()
        .args([
            "apply",
            "production",
            "--dry-run",
            "--config",
            config.path().join(".gwlint.yaml").to_str().unwrap(),
        ])
        // ADC_TOKEN (set by the stand-in's command) is another token.
        .env("GW_ADMIN_TOKEN", "chosen-token-456")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let env = std::fs::read_to_string(adc.log().join("env-diff")).unwrap();
    assert!(env.contains("ADC_TOKEN=chosen-token-456"), "{env}");
    assert!(!env.contains("supersecret-token-123"), "{env}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("connected with token ***"), "{stdout}");
    assert!(!stdout.contains("chosen-token-456"));
    // Without a token: none reaches adc, even an exported ADC_TOKEN.
    let adc = StandIn::new(STAND_IN);
    adc.command()
        .args([
            "apply",
            "production",
            "--dry-run",
            "--config",
            config.path().join(".gwlint.yaml").to_str().unwrap(),
        ])
        .env_remove("GW_ADMIN_TOKEN")
        .assert()
        .code(0);
    let env = std::fs::read_to_string(adc.log().join("env-diff")).unwrap();
    assert!(!env.contains("ADC_TOKEN"), "{env}");
}

#[test]
fn config_paths_are_resolved_against_the_config_folder() {
    let adc = StandIn::new(STAND_IN);
    let config = config_with("  ca_cert_file: certs/ca.pem\n");
    // `--config` relative to the current directory, which is the config's parent.
    let mut command = adc.command();
    command.current_dir(config.path().parent().unwrap()).args([
        "apply",
        "production",
        "--dry-run",
        "--config",
        &format!(
            "{}/.gwlint.yaml",
            config.path().file_name().unwrap().to_string_lossy()
        ),
    ]);
    command.assert().code(0);
    let env = std::fs::read_to_string(adc.log().join("env-diff")).unwrap();
    let expected = config.path().join("certs/ca.pem");
    assert!(
        env.contains(&format!("ADC_CA_CERT_FILE={}", expected.display())),
        "{env}"
    );
}

#[test]
fn adc_receives_a_bundle_its_own_substitution_leaves_as_resolved() {
    let adc = StandIn::new(STAND_IN);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("orders.yaml"),
        "services:\n  - name: orders\n    description: 'tenant \\${TENANT}, suffix ${API_SUFFIX}'\n    routes:\n      - name: list\n        uris: [/orders]\n",
    )
    .unwrap();
    adc.command()
        .args([
            "apply",
            dir.path().to_str().unwrap(),
            "--no-config",
            "--no-builtin-policies",
        ])
        .env("API_SUFFIX", "v1-${HOME}")
        .assert()
        .code(0);
    let path = adc.log().join("bundle-sync.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let bundle = gwlint::load::parse_text(&path, text, &gwlint::load::LoadLimits::default())
        .document
        .unwrap()
        .value;
    // ADC turns `\${X}` into `${X}` and substitutes every other `${X}`: both values
    // reach the gateway as gwlint resolved them (`tenant ${TENANT}, suffix v1-${HOME}`).
    assert_eq!(
        bundle["services"][0]["description"],
        r"tenant \${TENANT}, suffix v1-\${HOME}"
    );
}

/// Start `gwlint apply` with a stand-in whose sync hangs until signalled, send
/// `signal` (to gwlint's process group, or to gwlint alone), and return the exit code
/// and stdout once gwlint has ended.
#[cfg(unix)]
fn interrupt_sync(signal: &str, to_group: bool) -> (StandIn, Option<i32>, String) {
    use std::os::unix::process::CommandExt;
    let adc = StandIn::new(STAND_IN);
    let path = format!(
        "{}:{}",
        adc.dir.path().join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gwlint"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["apply", production(), "--no-config"])
        .env("PATH", path)
        .env("STANDIN_LOG", adc.log())
        .env("ADC_TOKEN", "supersecret-token-123")
        .env("STANDIN_HANG", "sync")
        .env_remove("STANDIN_DELETES")
        .env_remove("STANDIN_FAIL")
        .process_group(0)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while !adc.log().join("workdir").exists() {
        assert!(started.elapsed().as_secs() < 60, "adc sync never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let target = if to_group {
        format!("-{}", child.id())
    } else {
        child.id().to_string()
    };
    let sent = std::process::Command::new("kill")
        .args([&format!("-{signal}"), "--", &target])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = child.wait().unwrap();
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut stdout).unwrap();
    (adc, status.code(), stdout)
}

#[cfg(unix)]
#[test]
fn an_interrupt_reaches_adc_and_removes_the_bundle() {
    for (signal, to_group, name) in [("INT", true, "SIGINT"), ("TERM", false, "SIGTERM")] {
        let (adc, code, stdout) = interrupt_sync(signal, to_group);
        assert_eq!(code, Some(1), "{stdout}");
        assert!(
            stdout.contains(&format!(
                "interrupted by {name} during sync; adc was stopped"
            )),
            "{stdout}"
        );
        // adc got the signal once, and gwlint waited for it.
        let signals = std::fs::read_to_string(adc.log().join("signals")).unwrap();
        assert_eq!(signals, "sync got a signal\n", "{name}");
        let workdir = std::fs::read_to_string(adc.log().join("workdir")).unwrap();
        assert!(
            !Path::new(workdir.trim()).exists(),
            "the private folder with the bundle is left: {workdir}"
        );
    }
}

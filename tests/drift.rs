//! `gwlint drift` end to end: against a stand-in `adc` on PATH that writes the plan
//! it is given (ADC's `diff.yaml` events, with field diffs and secret values), against
//! a deployed standalone `apisix.yaml` on disk, and against a stand-in Admin API of an
//! API-driven standalone APISIX on a loopback port.

mod common;

use assert_cmd::Command;
use common::{located as findings, StandIn};
use gwlint::model::sha1_id;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

/// The stand-in `adc`: records its call, its working folder and its ADC_* variables,
/// prints the token it got (gwlint must mask it), copies `$STANDIN_PLAN` to the
/// `diff.yaml` ADC writes, or fails as ADC does when the gateway cannot be reached.
const STAND_IN: &str = r#"#!/bin/sh
log="$STANDIN_LOG"
echo "$*" >> "$log/calls"
echo "$PWD" > "$log/workdir"
env | grep '^ADC_' | sort > "$log/env-$1"
echo "adc $1: connected with token $ADC_TOKEN"
if [ -n "${STANDIN_UNREACHABLE:-}" ]; then
  echo "Error: connect ECONNREFUSED 127.0.0.1:9180 (token $ADC_TOKEN)" >&2
  exit 1
fi
cp "$STANDIN_PLAN" diff.yaml
exit 0
"#;

const TOKEN: &str = "supersecret-token-123";

/// Secret values the plans and deployed files hold; never printed.
const SECRETS: [&str; 4] = [
    "hunter2-gateway-key",
    "hunter2-git-key",
    "p4ssw0rd-by-hand",
    "deployed-secret-key",
];

impl StandIn {
    /// `gwlint` with the stand-in on PATH writing `plan`, in the repository's folder,
    /// with the token set.
    fn command(&self, plan: &str) -> Command {
        let plan_file = self.dir.path().join("plan.yaml");
        std::fs::write(&plan_file, plan).unwrap();
        let mut command = Command::cargo_bin("gwlint").unwrap();
        command
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("PATH", self.path())
            .env("STANDIN_LOG", self.log())
            .env("STANDIN_PLAN", &plan_file)
            .env("ADC_TOKEN", TOKEN)
            .env("NO_COLOR", "1")
            .env_remove("STANDIN_UNREACHABLE")
            .env_remove("GITHUB_STEP_SUMMARY");
        command
    }

    /// `gwlint drift production --no-config ARGS` with the stand-in writing `plan`.
    fn drift(&self, plan: &str, args: &[&str]) -> std::process::Output {
        self.command(plan)
            .args(["drift", "fixtures/example/production", "--no-config"])
            .args(args)
            .output()
            .unwrap()
    }
}

/// A plan in which someone changed a route's uris, rotated a consumer's key by hand,
/// added a route with a basic-auth password, and removed the SSL.
fn drifted_plan() -> String {
    let service = sha1_id("orders");
    let route = sha1_id("orders.list-orders");
    format!(
        r"- type: update
  resourceType: route
  resourceId: {route}
  resourceName: list-orders
  parentId: {service}
  oldValue: {{name: list-orders, uris: [/api/orders/v0]}}
  newValue: {{name: list-orders, uris: [/api/orders]}}
  diff:
    - kind: E
      path: [uris, 0]
      lhs: /api/orders/v0
      rhs: /api/orders
- type: update
  resourceType: consumer
  resourceId: mobile_app
  resourceName: mobile_app
  oldValue: {{username: mobile_app, plugins: {{key-auth: {{key: hunter2-gateway-key}}}}}}
  newValue: {{username: mobile_app, plugins: {{key-auth: {{key: hunter2-git-key}}}}}}
  diff:
    - kind: E
      path: [plugins, key-auth, key]
      lhs: hunter2-gateway-key
      rhs: hunter2-git-key
    - kind: E
      path: [plugins, limit-count, count]
      lhs: 10
      rhs: 20
- type: delete
  resourceType: route
  resourceId: {added}
  resourceName: debug-by-hand
  parentId: {service}
  oldValue: {{name: debug-by-hand, uris: [/debug], plugins: {{basic-auth: {{password: p4ssw0rd-by-hand}}}}}}
- type: create
  resourceType: ssl
  resourceId: {ssl}
  resourceName: orders.example.com
  newValue: {{snis: [orders.example.com]}}
",
        added = sha1_id("orders.debug-by-hand"),
        ssl = sha1_id("orders.example.com"),
    )
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_no_secret(all: &str) {
    for secret in SECRETS.iter().chain(&[TOKEN]) {
        assert!(!all.contains(secret), "`{secret}` was printed:\n{all}");
    }
}

#[test]
fn adc_drift_is_one_finding_per_resource_at_its_definition() {
    let adc = StandIn::new(STAND_IN);
    let output = adc.drift(&drifted_plan(), &["--format", "json"]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    let orders = "fixtures/example/production/orders.yaml";
    let edge = "fixtures/example/production/edge.yaml";
    let folder = "fixtures/example/production";
    assert_eq!(
        findings(&stdout),
        [
            (
                "drift/added-on-gateway".to_owned(),
                folder.to_owned(),
                1,
                1,
                "route `debug-by-hand` is on the gateway but not in Git: it was added by hand, or its definition was removed from Git without a sync".to_owned()
            ),
            (
                "drift/missing-on-gateway".to_owned(),
                edge.to_owned(),
                2,
                5,
                "ssl `orders.example.com` is in Git but missing on the gateway: it was removed by hand, or Git was never synced".to_owned()
            ),
            (
                "drift/changed-on-gateway".to_owned(),
                edge.to_owned(),
                17,
                5,
                "consumer `mobile_app` differs on the gateway from Git: `plugins.key-auth.key` (a secret), `plugins.limit-count.count`".to_owned()
            ),
            (
                "drift/changed-on-gateway".to_owned(),
                orders.to_owned(),
                41,
                9,
                "route `list-orders` differs on the gateway from Git: `uris[0]`".to_owned()
            ),
        ]
    );
    // adc's log is on stderr, token masked; stdout is the report alone.
    assert!(
        stderr.contains("adc diff: connected with token ***"),
        "{stderr}"
    );
    assert_no_secret(&format!("{stdout}{stderr}"));
    // Read-only: adc was asked for a diff and nothing else, in a private folder that
    // is gone, with the token gwlint chose.
    let calls = std::fs::read_to_string(adc.log().join("calls")).unwrap();
    assert_eq!(calls.lines().count(), 1, "{calls}");
    assert!(calls.starts_with("diff -f "), "{calls}");
    let workdir = std::fs::read_to_string(adc.log().join("workdir")).unwrap();
    assert!(!Path::new(workdir.trim()).exists(), "{workdir} was left");
    let env = std::fs::read_to_string(adc.log().join("env-diff")).unwrap();
    assert!(env.contains(&format!("ADC_TOKEN={TOKEN}")), "{env}");
}

#[test]
fn no_drift_is_exit_0_and_an_empty_report() {
    let adc = StandIn::new(STAND_IN);
    let output = adc.drift("[]\n", &["--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(findings(&text(&output.stdout)).is_empty());
    let human = adc.drift("[]\n", &[]);
    assert_eq!(human.status.code(), Some(0));
    assert_eq!(
        text(&human.stdout),
        "0 errors, 0 warnings in 2 files (1 environment)\n"
    );
}

#[test]
fn every_output_format_carries_the_drift_and_no_secret() {
    let adc = StandIn::new(STAND_IN);
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("drift.sarif");
    let junit = dir.path().join("drift.xml");
    let json = dir.path().join("drift.json");
    let summary = dir.path().join("summary.md");
    let output = adc
        .command(&drifted_plan())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["drift", "fixtures/example/production", "--no-config"])
        .args(["--format", "human", "--format", "github"])
        .args(["--format", "sarif", "--output"])
        .arg(&sarif)
        .args(["--format", "junit", "--output"])
        .arg(&junit)
        .args(["--format", "json", "--output"])
        .arg(&json)
        .output()
        .unwrap();
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{stdout}{}",
        text(&output.stderr)
    );
    // Human: each finding with its rule and place.
    assert!(
        stdout.contains("route `list-orders` differs on the gateway from Git: `uris[0]`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("fixtures/example/production/orders.yaml:41:9"),
        "{stdout}"
    );
    // GitHub annotations at the definitions.
    assert!(
        stdout.contains("::error file=fixtures/example/production/orders.yaml,line=41,col=9,"),
        "{stdout}"
    );
    assert!(
        stdout.contains("title=drift/changed-on-gateway"),
        "{stdout}"
    );
    // SARIF: results with the rule metadata of the drift rules.
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let run = &sarif["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in [
        "drift/added-on-gateway",
        "drift/changed-on-gateway",
        "drift/missing-on-gateway",
    ] {
        assert!(rules.contains(&id), "{rules:?}");
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    let route = results
        .iter()
        .find(|r| {
            r["message"]["text"]
                .as_str()
                .unwrap()
                .contains("list-orders")
        })
        .unwrap();
    let place = &route["locations"][0]["physicalLocation"];
    assert_eq!(
        place["artifactLocation"]["uri"],
        "fixtures/example/production/orders.yaml"
    );
    assert_eq!(place["region"]["startLine"], 41);
    assert_eq!(place["region"]["startColumn"], 9);
    // JUnit: one failure per drifted resource.
    let junit_text = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(junit_text.matches("<failure").count(), 4, "{junit_text}");
    assert!(
        junit_text.contains("drift/missing-on-gateway"),
        "{junit_text}"
    );
    // JSON to a file: the same four findings as on stdout.
    assert_eq!(findings(&std::fs::read_to_string(&json).unwrap()).len(), 4);
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(summary.contains("drift/changed-on-gateway"), "{summary}");
    let everything = format!(
        "{stdout}{}{}{junit_text}{}{summary}",
        text(&output.stderr),
        serde_json::to_string(&sarif).unwrap(),
        std::fs::read_to_string(&json).unwrap()
    );
    assert_no_secret(&everything);
}

#[test]
fn an_unreachable_gateway_is_exit_2_with_a_clear_message() {
    let adc = StandIn::new(STAND_IN);
    let output = adc
        .command(&drifted_plan())
        .env("STANDIN_UNREACHABLE", "1")
        .args(["drift", "fixtures/example/production", "--no-config"])
        .args(["--format", "json"])
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stdout.is_empty(),
        "no report without a comparison: {stdout}"
    );
    assert!(
        stderr.contains(
            "error: cannot compare `production` with the gateway: adc diff failed (exit 1)"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("Error: connect ECONNREFUSED 127.0.0.1:9180 (token ***)"),
        "adc's own reason is shown, token masked: {stderr}"
    );
    assert_no_secret(&format!("{stdout}{stderr}"));
    let workdir = std::fs::read_to_string(adc.log().join("workdir")).unwrap();
    assert!(!Path::new(workdir.trim()).exists(), "{workdir} was left");
}

#[test]
fn rule_settings_decide_severity_and_the_exit_code() {
    let adc = StandIn::new(STAND_IN);
    let dir = tempfile::tempdir().unwrap();
    let production = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/example/production");
    let config = dir.path().join(".gwlint.yaml");
    std::fs::write(
        &config,
        format!(
            "environments:\n  production: {}\nrules:\n  drift/added-on-gateway: warning\n  drift/changed-on-gateway: off\n  drift/missing-on-gateway: warning\n",
            production.display()
        ),
    )
    .unwrap();
    let output = adc
        .command(&drifted_plan())
        .args(["drift", "production", "--config"])
        .arg(&config)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        text(&output.stderr)
    );
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let severities: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(
        severities,
        [
            ("drift/added-on-gateway", "warning"),
            ("drift/missing-on-gateway", "warning")
        ]
    );
}

#[test]
fn failing_findings_in_git_stop_the_comparison() {
    let adc = StandIn::new(STAND_IN);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.yaml"),
        "services:\n  - name: s\n    routes:\n      - name: r\n        uris: [/x]\n        plugins:\n          no-such-plugin: {}\n",
    )
    .unwrap();
    let output = adc
        .command("[]\n")
        .arg("drift")
        .arg(dir.path())
        .arg("--no-config")
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("schema/unknown-plugin"), "{stderr}");
    assert!(
        stderr.contains("the environment in Git has failing findings"),
        "{stderr}"
    );
    assert!(!adc.log().join("calls").exists(), "adc was not run");
}

/// The standalone rendering of the production example, as `gwlint render` writes it.
fn rendered_standalone() -> String {
    let output = Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "render",
            "fixtures/example/production",
            "--no-config",
            "--engine",
            "standalone",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    text(&output.stdout)
}

fn standalone_drift(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("ADC_TOKEN", TOKEN)
        .args([
            "drift",
            "fixtures/example/production",
            "--no-config",
            "--engine",
            "standalone",
        ])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn standalone_drift_compares_with_the_deployed_file() {
    let dir = tempfile::tempdir().unwrap();
    let deployed = dir.path().join("apisix.yaml");
    let rendered = rendered_standalone();
    std::fs::write(&deployed, &rendered).unwrap();
    let same = standalone_drift(&["--out", deployed.to_str().unwrap(), "--format", "json"]);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stderr));
    assert!(findings(&text(&same.stdout)).is_empty());
    // By hand: a route's methods changed, the consumer's credential key replaced, a
    // debug route added, the SSL removed; and APISIX's defaults written out, which is
    // no drift.
    let edited = rendered
        .replacen("      - \"POST\"\n", "      - \"POST\"\n      - \"PATCH\"\n", 1)
        .replace("$env://MOBILE_APP_KEY", "deployed-secret-key")
        .replace(
            "routes:\n",
            "routes:\n  - id: \"by-hand\"\n    name: \"debug\"\n    uri: \"/debug\"\n    priority: 0\n",
        )
        .replace("    type: \"roundrobin\"\n", "    type: \"roundrobin\"\n    hash_on: \"vars\"\n");
    let edited = cut_list(&edited, "ssls:");
    std::fs::write(&deployed, &edited).unwrap();
    let output = standalone_drift(&["--out", deployed.to_str().unwrap(), "--format", "json"]);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    let orders = "fixtures/example/production/orders.yaml";
    let edge = "fixtures/example/production/edge.yaml";
    assert_eq!(
        findings(&stdout),
        [
            (
                "drift/added-on-gateway".to_owned(),
                "fixtures/example/production".to_owned(),
                1,
                1,
                "route `debug` is on the gateway but not in Git: it was added by hand, or its definition was removed from Git without a sync".to_owned()
            ),
            (
                "drift/missing-on-gateway".to_owned(),
                edge.to_owned(),
                2,
                5,
                "ssl `orders.example.com` is in Git but missing on the gateway: it was removed by hand, or Git was never synced".to_owned()
            ),
            (
                "drift/changed-on-gateway".to_owned(),
                edge.to_owned(),
                19,
                9,
                "credential `primary` differs on the gateway from Git: `plugins.key-auth.key` (a secret)".to_owned()
            ),
            (
                "drift/changed-on-gateway".to_owned(),
                orders.to_owned(),
                45,
                9,
                "route `create-order` differs on the gateway from Git: `methods`".to_owned()
            ),
        ]
    );
    assert_no_secret(&format!("{stdout}{stderr}"));
}

/// `text` without the top-level list `key` (the key line and its indented items).
fn cut_list(text: &str, key: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if line == key {
            skipping = true;
            continue;
        }
        if skipping && (line.starts_with(' ') || line.starts_with('-')) {
            continue;
        }
        skipping = false;
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[test]
fn a_missing_deployed_file_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("apisix.yaml");
    let output = standalone_drift(&["--out", missing.to_str().unwrap()]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "error: cannot compare `production` with the gateway: cannot read the deployed file {}",
            missing.display()
        )),
        "{stderr}"
    );
    let nothing = standalone_drift(&[]);
    assert_eq!(nothing.status.code(), Some(2));
    assert!(
        text(&nothing.stderr)
            .contains("the standalone engine compares with the deployed file or the Admin API"),
        "{}",
        text(&nothing.stderr)
    );
}

/// A stand-in Admin API: answers each of `answers` (status, body) to one request in
/// turn on a loopback port, and hands back the requests' heads.
fn admin_api(answers: Vec<(u16, String)>) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let mut heads = Vec::new();
        for (status, body) in answers {
            let (mut stream, _) = listener.accept().unwrap();
            stream
                .set_read_timeout(Some(std::time::Duration::from_secs(10)))
                .unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            heads.push(head);
            let answer = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(answer.as_bytes()).unwrap();
            let _ = stream.flush();
            let _ = reader.read(&mut [0; 1]);
        }
        heads
    });
    (address, server)
}

/// A config file for the production example with `apply:` settings.
fn config_with(settings: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let production = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/example/production");
    std::fs::write(
        dir.path().join(".gwlint.yaml"),
        format!(
            "environments:\n  production: {}\napply:\n  engine: standalone\n{settings}",
            production.display()
        ),
    )
    .unwrap();
    dir
}

fn drift_with_config(config: &Path, token_env: &str) -> std::process::Output {
    Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env(token_env, TOKEN)
        // The stand-in Admin API is on this machine: no proxy in between.
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .args(["drift", "production", "--format", "json", "--config"])
        .arg(config.join(".gwlint.yaml"))
        .output()
        .unwrap()
}

#[test]
fn standalone_drift_reads_the_admin_api() {
    // What API-driven standalone APISIX answers: versions, bookkeeping and defaults
    // besides the configuration, one route's plugin changed by hand.
    let rendered: Value = {
        let text = rendered_standalone();
        let loaded = gwlint::load::parse_text(
            Path::new("apisix.yaml"),
            text,
            &gwlint::load::LoadLimits::default(),
        );
        loaded.document.unwrap().value
    };
    let mut live = rendered.clone();
    for item in live["routes"].as_array_mut().unwrap() {
        item["modifiedIndex"] = 3.into();
        item["priority"] = 0.into();
    }
    live["routes"][0]["plugins"] = serde_json::json!({"basic-auth": {"hide_credentials": false}});
    live["routes_conf_version"] = 3.into();
    live["X-Digest"] = "abc".into();
    let (server, answered) = admin_api(vec![(200, live.to_string())]);
    let config = config_with(&format!("  server: {server}\n  token_env: GATEWAY_KEY\n"));
    let output = drift_with_config(config.path(), "GATEWAY_KEY");
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert_eq!(
        findings(&stdout),
        [(
            "drift/changed-on-gateway".to_owned(),
            "fixtures/example/production/orders.yaml".to_owned(),
            49,
            9,
            "route `order-by-id` differs on the gateway from Git: `plugins`".to_owned()
        )]
    );
    let heads = answered.join().unwrap();
    let head = heads[0].to_ascii_lowercase();
    assert!(
        head.starts_with("get /apisix/admin/configs http/1.1\r\n"),
        "{head}"
    );
    assert!(head.contains(&format!("x-api-key: {TOKEN}\r\n")), "{head}");
    assert_no_secret(&format!("{stdout}{stderr}"));
}

#[test]
fn an_admin_api_that_cannot_be_reached_or_refuses_is_exit_2() {
    // A port nothing listens on: bound, then closed.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let config = config_with(&format!("  server: http://{closed}\n"));
    let output = drift_with_config(config.path(), "ADC_TOKEN");
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(text(&output.stdout).is_empty());
    assert!(
        stderr.contains(&format!(
            "error: cannot compare `production` with the gateway: cannot reach http://{closed}/apisix/admin/configs"
        )),
        "{stderr}"
    );
    let (server, answered) = admin_api(vec![(
        401,
        r#"{"error_msg":"failed to check token"}"#.to_owned(),
    )]);
    let config = config_with(&format!("  server: {server}\n"));
    let output = drift_with_config(config.path(), "ADC_TOKEN");
    let stderr = text(&output.stderr);
    answered.join().unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "error: cannot compare `production` with the gateway: {server}/apisix/admin/configs answered HTTP 401: failed to check token (check the token in `ADC_TOKEN`)"
        )),
        "{stderr}"
    );
    assert_no_secret(&stderr);
}

//! Verdicts that follow what APISIX and ADC really do: the APISIX version checked
//! against, the enabled plugin lists, ADC's coercion and placeholders, empty files in
//! ADC environments. Each test writes a small tree and runs the built binary.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

/// Run `gwlint check --format json` on `dir` and return the exit code and the report.
fn check(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let output = Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(dir)
        .args(["check", ".", "--format", "json", "--no-builtin-policies"])
        .args(extra)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output.status.code().unwrap_or(-1), report)
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// `(rule, severity, line, column, message)` of every finding.
fn findings(report: &Value) -> Vec<(String, String, u64, u64, String)> {
    report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["severity"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_u64().unwrap_or_default(),
                f["column"].as_u64().unwrap_or_default(),
                f["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The one finding of `report`, as `(rule, severity, line, column, message)`.
fn only(report: &Value) -> (String, String, u64, u64, String) {
    let mut found = findings(report);
    assert_eq!(found.len(), 1, "{found:?}");
    found.remove(0)
}

const ROUTE_WITH: &str = "services:\n  - name: s\n    upstream:\n      nodes:\n        - host: a.example\n          port: 80\n          weight: 1\n    routes:\n      - name: r\n        uris: [/a]\n        plugins:\n";

#[test]
fn a_plugin_only_the_newer_version_has_names_that_version() {
    let dir = tempfile::tempdir().unwrap();
    // ai-proxy-multi is in APISIX 3.18, not in 3.2.
    write(
        dir.path(),
        "adc.yaml",
        &format!("{ROUTE_WITH}          ai-proxy-multi:\n            instances: []\n"),
    );
    write(dir.path(), ".gwlint.yaml", "apisix_version: \"3.2\"\n");
    let (code, report) = check(dir.path(), &[]);
    assert_eq!(code, 1);
    let (rule, severity, line, column, message) = only(&report);
    assert_eq!(
        (rule.as_str(), severity.as_str(), line, column),
        ("schema/unknown-plugin", "error", 12, 11)
    );
    assert!(
        message.contains("APISIX 3.2.2 does not have it (APISIX 3.18 does)"),
        "{message}"
    );
}

#[test]
fn a_field_only_the_newer_version_has_is_a_warning_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    // limit-count's `window_type` came after 3.2; APISIX 3.2 ignores it.
    write(
        dir.path(),
        "adc.yaml",
        &format!("{ROUTE_WITH}          limit-count:\n            count: 10\n            time_window: 60\n            window_type: sliding\n"),
    );
    write(dir.path(), ".gwlint.yaml", "apisix_version: \"3.2\"\n");
    let (code, report) = check(dir.path(), &[]);
    assert_eq!(code, 0, "{report}");
    let (rule, severity, line, column, message) = only(&report);
    assert_eq!(
        (rule.as_str(), severity.as_str(), line, column),
        ("compat/version-field", "warning", 15, 13)
    );
    assert!(
        message.contains("not in APISIX 3.2.2, which ignores it: APISIX 3.18 has it"),
        "{message}"
    );
    // The same file under the latest version is clean.
    write(dir.path(), ".gwlint.yaml", "apisix_version: latest\n");
    let (code, report) = check(dir.path(), &[]);
    assert_eq!((code, findings(&report).len()), (0, 0), "{report}");
}

#[test]
fn path_prefix_is_ignored_by_the_apisix_backends() {
    let dir = tempfile::tempdir().unwrap();
    let service = "services:\n  - name: orders\n    path_prefix: /api\n    strip_path_prefix: true\n    upstream:\n      nodes:\n        - host: a.example\n          port: 80\n          weight: 1\n    routes:\n      - name: r\n        uris: [/orders]\n";
    write(dir.path(), "adc.yaml", service);
    // ADC's default backend is apisix.
    let (code, report) = check(dir.path(), &["--no-config"]);
    assert_eq!(code, 0, "{report}");
    let found = findings(&report);
    let places: Vec<(&str, &str, u64, u64)> = found
        .iter()
        .map(|f| (f.0.as_str(), f.1.as_str(), f.2, f.3))
        .collect();
    assert_eq!(
        places,
        [
            ("compat/backend-ignores-field", "warning", 3, 5),
            ("compat/backend-ignores-field", "warning", 4, 5)
        ]
    );
    assert!(
        found[0]
            .4
            .contains("`apisix` backend ignores `path_prefix`"),
        "{found:?}"
    );
    // The api7ee backend applies them.
    write(dir.path(), ".gwlint.yaml", "apply:\n  backend: api7ee\n");
    let (code, report) = check(dir.path(), &[]);
    assert_eq!((code, findings(&report).len()), (0, 0), "{report}");
}

/// An ADC tree whose upstream port and consumer name are placeholders.
const PLACEHOLDERS: &str = "services:\n  - name: s\n    upstream:\n      nodes:\n        - host: a.example\n          port: \"${UP_PORT}\"\n          weight: 1\nconsumers:\n  - username: team_${TEAM}\n";

#[test]
fn placeholders_are_judged_as_the_example_values_the_environment_declares() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("prod")).unwrap();
    write(&dir.path().join("prod"), "adc.yaml", PLACEHOLDERS);
    // Examples that fit: clean (no quoted-number note for a placeholder).
    write(
        dir.path(),
        ".gwlint.yaml",
        "environments:\n  prod:\n    path: prod\n    variables: {UP_PORT: 8080, TEAM: payments}\n",
    );
    let (code, report) = check(dir.path(), &[]);
    assert_eq!((code, findings(&report).len()), (0, 0), "{report}");
    // Examples that do not: each placeholder is judged as its value, at its place.
    write(
        dir.path(),
        ".gwlint.yaml",
        "environments:\n  prod:\n    path: prod\n    variables: {UP_PORT: 99999, TEAM: \"pay ments\"}\n",
    );
    let (code, report) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{report}");
    let places: Vec<(String, u64, u64)> = findings(&report)
        .into_iter()
        .map(|f| (f.0, f.2, f.3))
        .collect();
    assert_eq!(
        places,
        [
            ("schema/upstream".to_owned(), 6, 17),
            ("schema/consumer".to_owned(), 9, 15)
        ]
    );
    // Without examples only the shape is judged: clean.
    write(
        dir.path(),
        ".gwlint.yaml",
        "environments:\n  prod:\n    path: prod\n    variables: [UP_PORT, TEAM]\n",
    );
    let (code, report) = check(dir.path(), &[]);
    assert_eq!((code, findings(&report).len()), (0, 0), "{report}");
}

#[test]
fn render_substitutes_first_then_checks_and_standalone_always_resolves() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "adc.yaml", PLACEHOLDERS);
    let render = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = Command::cargo_bin("gwlint").unwrap();
        cmd.current_dir(dir.path())
            .args(["render", ".", "--no-config"])
            .args(args)
            .env_remove("UP_PORT")
            .env_remove("TEAM");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    // The ADC bundle keeps placeholders for ADC by default.
    let kept = render(&[], &[]);
    assert_eq!(kept.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&kept.stdout).contains("${UP_PORT}"));
    // A resolved value is checked: port 99999 is refused before anything is written.
    let bad = render(
        &["--resolve-variables"],
        &[("UP_PORT", "99999"), ("TEAM", "payments")],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(bad.stdout.is_empty(), "a refused render writes no document");
    let text = String::from_utf8_lossy(&bad.stderr);
    assert!(
        text.contains("schema/upstream") && text.contains("adc.yaml:6:17"),
        "{text}"
    );
    // The standalone engine resolves without being asked, and an unset variable stops it.
    let unset = render(&["--engine", "standalone"], &[("UP_PORT", "8080")]);
    assert_eq!(unset.status.code(), Some(1));
    assert!(
        unset.stdout.is_empty(),
        "a refused render writes no document"
    );
    let text = String::from_utf8_lossy(&unset.stderr);
    assert!(
        text.contains("apply/unset-variable") && text.contains("`TEAM`"),
        "{text}"
    );
    let good = render(
        &["--engine", "standalone"],
        &[("UP_PORT", "8080"), ("TEAM", "payments")],
    );
    assert_eq!(
        good.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    let text = String::from_utf8_lossy(&good.stdout);
    assert!(
        text.contains("team_payments") && !text.contains("${"),
        "{text}"
    );
}

#[test]
fn custom_plugins_and_plugin_schemas_keep_working() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("schemas")).unwrap();
    write(
        &dir.path().join("schemas"),
        "company-audit.json",
        r#"{"name": "company-audit", "priority": 100, "type": "logger",
            "schema": {"type": "object", "properties": {"endpoint": {"type": "string"}},
                       "required": ["endpoint"]}}"#,
    );
    std::fs::create_dir(dir.path().join("prod")).unwrap();
    write(
        &dir.path().join("prod"),
        "adc.yaml",
        &format!("{ROUTE_WITH}          company-audit: {{}}\n          legacy-hook: {{}}\n          key-auth: {{}}\n"),
    );
    write(
        dir.path(),
        ".gwlint.yaml",
        "environments:\n  prod: prod\ncustom_plugins: [legacy-hook]\nplugin_schemas: [schemas]\nenabled_plugins: [key-auth]\n",
    );
    let (code, report) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{report}");
    // The user's schema applies (and its plugin counts as available); the declared
    // custom plugin is accepted without a schema.
    let (rule, _, line, column, message) = only(&report);
    assert_eq!(
        (rule.as_str(), line, column),
        ("schema/company-audit", 12, 11)
    );
    assert!(message.contains("`endpoint`"), "{message}");
}

#[test]
fn limit_count_groups_must_agree() {
    let dir = tempfile::tempdir().unwrap();
    let route = |name: &str, count: u32, extra: &str| {
        format!("      - name: {name}\n        uris: [/{name}]\n        plugins:\n          limit-count:\n            count: {count}\n            time_window: 60\n            group: shared\n{extra}")
    };
    let file = format!(
        "services:\n  - name: s\n    upstream:\n      nodes:\n        - host: a.example\n          port: 80\n          weight: 1\n    routes:\n{}{}{}",
        route("a", 10, ""),
        // Defaults filled in: the same group as the first.
        route("b", 10, "            policy: local\n"),
        route("c", 20, "")
    );
    write(dir.path(), "adc.yaml", &file);
    let (code, report) = check(dir.path(), &["--no-config"]);
    assert_eq!(code, 1, "{report}");
    let (rule, severity, line, column, message) = only(&report);
    assert_eq!(
        (rule.as_str(), severity.as_str(), line, column),
        ("schema/limit-count", "error", 30, 20)
    );
    assert!(
        message.contains("group `shared` has another `count`"),
        "{message}"
    );
    assert_eq!(report["findings"][0]["related"][0]["line"], 15, "{report}");
}

#[test]
fn file_logger_needs_a_path_here_or_in_its_metadata() {
    // t/plugin/file-logger.t TEST 1: no path anywhere is refused.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "adc.yaml",
        &format!("{ROUTE_WITH}          file-logger:\n            include_req_body: true\n"),
    );
    let (code, report) = check(dir.path(), &["--no-config"]);
    assert_eq!(code, 1, "{report}");
    let (rule, _, line, column, message) = only(&report);
    assert_eq!(
        (rule.as_str(), line, column),
        ("schema/file-logger", 12, 11)
    );
    assert!(
        message.starts_with("property \"path\" is not set"),
        "{message}"
    );
    // The environment's plugin metadata gives it.
    write(
        dir.path(),
        "metadata.yaml",
        "plugin_metadata:\n  file-logger:\n    path: logs/file.log\n",
    );
    let (code, report) = check(dir.path(), &["--no-config"]);
    assert_eq!((code, findings(&report).len()), (0, 0), "{report}");
}

#[test]
fn typos_are_errors_with_a_suggestion_from_every_plugin() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "adc.yaml",
        &format!(
            "{ROUTE_WITH}          limit-cuont: {{}}\n          serverless-post-functon: {{}}\n          tcp-loger: {{}}\n"
        ),
    );
    let (code, report) = check(dir.path(), &["--no-config"]);
    assert_eq!(code, 1);
    let messages: Vec<String> = findings(&report).into_iter().map(|f| f.4).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(
        messages[0].ends_with("did you mean `limit-count`?"),
        "{messages:?}"
    );
    assert!(
        messages[1].ends_with("did you mean `serverless-post-function`?"),
        "{messages:?}"
    );
    assert!(
        messages[2].ends_with("did you mean `tcp-logger`?"),
        "{messages:?}"
    );
}

#[test]
fn plugins_left_out_of_enabled_plugins_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "adc.yaml",
        &format!("{ROUTE_WITH}          key-auth: {{}}\n          zipkin:\n            endpoint: http://z:9411/api/v2/spans\n            sample_ratio: 1\n"),
    );
    write(dir.path(), ".gwlint.yaml", "enabled_plugins: [key-auth]\n");
    let (code, report) = check(dir.path(), &[]);
    assert_eq!(code, 1);
    let (_, _, line, column, message) = only(&report);
    assert_eq!((line, column), (13, 11));
    assert!(message.contains("`zipkin` is not enabled"), "{message}");
}

#[test]
fn unknown_apisix_version_cannot_run() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "adc.yaml", "services: []\n");
    write(dir.path(), ".gwlint.yaml", "apisix_version: \"2.15\"\n");
    let output = Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "."])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("3.2.2, 3.18.0"), "{stderr}");
}

#[test]
fn adc_coerces_quoted_numbers_and_placeholders_are_not_judged_by_type() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "adc.yaml",
        "services:\n  - name: s\n    upstream:\n      nodes:\n        - host: a.example\n          port: \"443\"\n          weight: \"${WEIGHT}\"\nconsumers:\n  - username: TEST_${NAME}\n",
    );
    let (code, report) = check(dir.path(), &["--no-config"]);
    assert_eq!(code, 0, "{report}");
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (
            found[0].0.as_str(),
            found[0].1.as_str(),
            found[0].2,
            found[0].3
        ),
        ("compat/quoted-number", "info", 6, 17)
    );
    // A standalone file is read as written: a string port stays an error.
    let standalone = tempfile::tempdir().unwrap();
    write(
        standalone.path(),
        "apisix.yaml",
        "upstreams:\n  - id: u\n    nodes:\n      - host: a.example\n        port: \"443\"\n        weight: 1\n#END\n",
    );
    let (code, report) = check(standalone.path(), &["--no-config"]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(findings(&report)[0].0, "schema/upstream");
}

#[test]
fn an_empty_file_in_an_adc_environment_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "adc.yaml", "services: []\n");
    write(dir.path(), "empty.yaml", "# nothing here yet\n");
    let (code, report) = check(dir.path(), &["--no-config"]);
    assert_eq!(code, 1);
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (
            found[0].0.as_str(),
            found[0].1.as_str(),
            found[0].2,
            found[0].3
        ),
        ("parse/empty-file", "error", 1, 1)
    );
    assert!(found[0].4.contains("adc sync"), "{found:?}");
}

#[test]
fn a_standalone_plugin_without_a_value_is_enabled_with_an_empty_configuration() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "apisix.yaml",
        "routes:\n  - uri: /a\n    plugins:\n      key-auth:\n    upstream:\n      nodes:\n        \"127.0.0.1:1980\": 1\n      type: none\n      scheme: kafka\n#END\n",
    );
    let (code, report) = check(dir.path(), &["--no-config"]);
    assert_eq!(code, 0, "{report}");
}

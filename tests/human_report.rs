//! The human report on many findings: infos counted but not shown unless asked for,
//! at most `--max-per-rule` findings of a rule with one line counting the rest,
//! `--statistics`; the machine formats keep every finding whatever these flags say.
//! The tree is `fixtures/report/many`: 23 infos of one rule, 5 warnings of another,
//! one error.

use assert_cmd::Command;
use serde_json::Value;

const TREE: &str = "fixtures/report/many";

fn gwlint() -> Command {
    let mut cmd = Command::cargo_bin("gwlint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_STEP_SUMMARY");
    cmd
}

/// `gwlint check TREE --no-config --color never ARGS...`: exit code, stdout, stderr.
fn check(args: &[&str]) -> (i32, String, String) {
    let output = gwlint()
        .args(["check", TREE, "--no-config", "--color", "never"])
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// How many findings of `rule` a human report shows (each opens with its rule id on
/// a line of its own).
fn shown(report: &str, rule: &str) -> usize {
    report.lines().filter(|line| *line == rule).count()
}

#[test]
fn infos_are_counted_but_not_shown_by_default() {
    let (code, out, err) = check(&[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(shown(&out, "policy/route-needs-timeout"), 0);
    assert_eq!(shown(&out, "policy/plaintext-credential"), 5);
    assert_eq!(shown(&out, "schema/route"), 1);
    assert!(!out.contains("more"), "nothing is cut at the default limit");
    insta::assert_snapshot!("many-default", out);
}

#[test]
fn show_info_shows_them_up_to_the_default_limit_of_twenty() {
    let (code, out, _) = check(&["--show-info"]);
    assert_eq!(code, 1);
    assert_eq!(shown(&out, "policy/route-needs-timeout"), 20);
    assert_eq!(shown(&out, "policy/plaintext-credential"), 5);
    assert_eq!(shown(&out, "schema/route"), 1);
    assert!(out.ends_with(
        "… and 3 more policy/route-needs-timeout findings (info) not shown; --max-per-rule 0 shows all\n\
         \n\
         1 error, 5 warnings, 23 infos in 2 files (1 environment)\n"
    ));
    // The first twenty in report order: routes 01 to 12, `no-uris`, then 13 to 19.
    assert!(out.contains("route `route-19` has no timeout"), "{out}");
    assert!(!out.contains("route `route-20` has no timeout"), "{out}");
}

#[test]
fn max_per_rule_zero_shows_every_finding() {
    let (_, out, _) = check(&["--show-info", "--max-per-rule", "0"]);
    assert_eq!(shown(&out, "policy/route-needs-timeout"), 23);
    assert!(!out.contains("… and"), "{out}");
    assert!(out.ends_with("\n\n1 error, 5 warnings, 23 infos in 2 files (1 environment)\n"));
}

#[test]
fn a_rule_past_the_limit_is_summarised_in_one_line_and_other_rules_still_show() {
    let (code, out, _) = check(&["--max-per-rule", "2"]);
    assert_eq!(code, 1, "the exit code counts every finding");
    assert_eq!(shown(&out, "policy/plaintext-credential"), 2);
    assert_eq!(
        shown(&out, "schema/route"),
        1,
        "the error of another rule shows"
    );
    insta::assert_snapshot!("many-max-per-rule-2", out);
}

#[test]
fn lines_for_cut_rules_list_errors_first_then_by_rule() {
    let (_, out, _) = check(&["--show-info", "--max-per-rule", "1"]);
    let cut: Vec<&str> = out.lines().filter(|l| l.starts_with("… and")).collect();
    assert_eq!(
        cut,
        [
            "… and 4 more policy/plaintext-credential findings (warning) not shown; --max-per-rule 0 shows all",
            "… and 22 more policy/route-needs-timeout findings (info) not shown; --max-per-rule 0 shows all",
        ]
    );
}

#[test]
fn show_info_with_a_limit() {
    let (_, out, _) = check(&["--show-info", "--max-per-rule", "2"]);
    assert_eq!(shown(&out, "policy/route-needs-timeout"), 2);
    insta::assert_snapshot!("many-show-info-max-per-rule-2", out);
}

#[test]
fn statistics_follow_the_findings() {
    let (_, out, _) = check(&["--max-per-rule", "1", "--statistics"]);
    insta::assert_snapshot!("many-statistics", out);
    assert!(out.ends_with(
        "\n23  policy/route-needs-timeout   info     Route needs a timeout\n \
         5  policy/plaintext-credential  warning  Credential written as a literal\n \
         1  schema/route                 error    Invalid route\n\
         \n\
         1 error, 5 warnings, 23 infos (not shown; --show-info shows them) in 2 files (1 environment)\n"
    ));
}

#[test]
fn quiet_keeps_the_findings_and_the_cut_lines_and_drops_the_summary() {
    let (code, out, _) = check(&["--quiet", "--max-per-rule", "2", "--statistics"]);
    assert_eq!(code, 1);
    assert_eq!(shown(&out, "policy/plaintext-credential"), 2);
    assert!(out.contains(
        "\n… and 3 more policy/plaintext-credential findings (warning) not shown; --max-per-rule 0 shows all\n"
    ));
    assert!(out.contains("\n 1  schema/route                 error    Invalid route\n"));
    assert!(!out.contains("infos"), "no summary line: {out}");
    assert!(!out.contains(" in 2 files"), "no summary line: {out}");
}

#[test]
fn machine_formats_keep_every_finding_whatever_the_human_flags() {
    let flags = ["--max-per-rule", "1"];
    let (_, json, _) = check(&[&flags[..], &["--format", "json"]].concat());
    let report: Value = serde_json::from_str(&json).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 29);
    assert_eq!(
        findings
            .iter()
            .filter(|f| f["rule"] == "policy/route-needs-timeout" && f["severity"] == "info")
            .count(),
        23
    );
    assert_eq!(report["summary"]["infos"], 23);

    let (_, sarif, _) = check(&[&flags[..], &["--format", "sarif"]].concat());
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 29);

    let (_, github, _) = check(&[&flags[..], &["--format", "github"]].concat());
    assert_eq!(
        github
            .lines()
            .filter(|l| l.starts_with("::notice ") && l.contains("route-needs-timeout"))
            .count(),
        23,
        "{github}"
    );
    assert_eq!(
        github
            .lines()
            .filter(|l| l.starts_with("::warning "))
            .count(),
        5
    );

    let (_, junit, _) = check(&[&flags[..], &["--format", "junit"]].concat());
    assert_eq!(
        junit.matches("policy/route-needs-timeout").count(),
        23,
        "{junit}"
    );
}

#[test]
fn statistics_without_a_human_report_go_to_stderr() {
    let (code, out, err) = check(&["--format", "json", "--statistics"]);
    assert_eq!(code, 1);
    let _: Value = serde_json::from_str(&out).expect("stdout stays JSON");
    assert_eq!(
        err,
        "23  policy/route-needs-timeout   info     Route needs a timeout\n \
         5  policy/plaintext-credential  warning  Credential written as a literal\n \
         1  schema/route                 error    Invalid route\n"
    );
}

#[test]
fn counts_and_exit_code_include_the_findings_not_shown() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        format!("{}/{TREE}/consumers.yaml", env!("CARGO_MANIFEST_DIR")),
        dir.path().join("consumers.yaml"),
    )
    .unwrap();
    let output = gwlint()
        .args(["check", "--no-config", "--color", "never"])
        .arg(dir.path())
        .args(["--max-per-rule", "1", "--fail-on", "warning"])
        .output()
        .unwrap();
    let out = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert_eq!(shown(&out, "policy/plaintext-credential"), 1);
    assert!(
        out.ends_with("\n0 errors, 5 warnings in 1 file (1 environment)\n"),
        "{out}"
    );
}

#[test]
fn new_findings_are_shown_before_accepted_ones_of_the_same_rule() {
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join("env");
    std::fs::create_dir(&env).unwrap();
    let consumers = std::fs::read_to_string(format!(
        "{}/{TREE}/consumers.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    std::fs::write(env.join("consumers.yaml"), &consumers).unwrap();
    let baseline = dir.path().join("baseline.json");
    gwlint()
        .current_dir(dir.path())
        .args(["baseline", "write", "baseline.json", "env", "--no-config"])
        .assert()
        .code(0);
    // A sixth consumer, last in report order: the only finding the baseline lacks.
    std::fs::write(
        env.join("consumers.yaml"),
        format!(
            "{consumers}  - username: zoe\n    credentials:\n      - name: key\n        type: key-auth\n        config:\n          key: literal-key-of-zoe\n"
        ),
    )
    .unwrap();
    let output = gwlint()
        .current_dir(dir.path())
        .args(["check", "env", "--no-config", "--color", "never"])
        .arg("--baseline")
        .arg(&baseline)
        .args(["--max-per-rule", "2"])
        .output()
        .unwrap();
    let out = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "warnings do not fail: {out}");
    assert_eq!(shown(&out, "policy/plaintext-credential"), 2, "{out}");
    assert!(
        out.contains("consumer `zoe` has a literal `key` (key-auth)"),
        "the new finding is shown: {out}"
    );
    assert!(
        out.contains("consumer `alice` has a literal `key` (key-auth)"),
        "then the first accepted one: {out}"
    );
    assert!(out.ends_with(
        "… and 4 more policy/plaintext-credential findings (warning) not shown; --max-per-rule 0 shows all\n\
         \n\
         0 errors, 6 warnings, 5 in the baseline in 1 file (1 environment)\n"
    ), "{out}");
}

//! Commands whose product is a document keep stdout to that document: `render`,
//! `inspect`, `schema` and `completions` write the document alone to stdout (nothing
//! at all when they refuse) and the findings and refusals to stderr, so that
//! `gwlint render ENV > bundle.yaml` never writes a report into the bundle.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn gwlint() -> Command {
    let mut cmd = Command::cargo_bin("gwlint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("PARTNER_PORTAL_KEY");
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let output = gwlint().args(args).output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// Parse YAML with gwlint's own reader, requiring one document and no finding.
fn parse_yaml(text: &str) -> Value {
    let file = gwlint::load::parse_text(
        Path::new("rendered.yaml"),
        text.to_owned(),
        &gwlint::load::LoadLimits::default(),
    );
    assert!(
        file.findings.is_empty(),
        "the output is not clean YAML: {:?}\n{text}",
        file.findings
            .iter()
            .map(|f| (&f.rule, &f.message))
            .collect::<Vec<_>>()
    );
    file.document.expect("one YAML document").value
}

#[test]
fn render_refused_writes_nothing_to_stdout_and_the_findings_to_stderr() {
    let out = run(&["render", "fixtures/findings/ref-duplicates", "--no-config"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stdout, "", "a refused render writes no document");
    assert!(
        out.stderr.contains("ref/duplicate-service"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(
            "service `orders` is already defined in fixtures/findings/ref-duplicates/a.yaml \
             (fixtures/\n  │ findings/ref-duplicates/b.yaml:2:11)"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.ends_with(
            "4 errors, 2 warnings, 2 infos (not shown; --show-info shows them) in 2 files (1 environment)\n\
             gwlint: refusing to render: the environment has failing findings; nothing was rendered\n"
        ),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains('\u{1b}'),
        "stderr is not a terminal: no colours"
    );
}

#[test]
fn render_refused_with_output_creates_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle.yaml");
    let output = gwlint()
        .args([
            "render",
            "fixtures/findings/ref-duplicates",
            "--no-config",
            "-o",
        ])
        .arg(&bundle)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("refusing to render"));
    assert!(!bundle.exists(), "a refused render writes no file");
}

#[test]
fn render_with_warnings_writes_the_document_to_stdout_and_the_warnings_to_stderr() {
    let out = run(&["render", "fixtures/example/staging", "--no-config"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let bundle = parse_yaml(&out.stdout);
    assert_eq!(bundle["services"][0]["name"], "orders", "{}", out.stdout);
    assert!(
        !out.stdout.contains("undeclared-variable"),
        "no finding in the document"
    );
    assert!(
        out.stderr.starts_with("policy/undeclared-variable\n"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("(fixtures/example/staging/consumers.yaml:14:16)"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .ends_with("\n0 errors, 1 warning in 3 files (1 environment)\n"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("refusing"), "{}", out.stderr);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bundle.yaml");
    let output = gwlint()
        .args([
            "render",
            "fixtures/example/staging",
            "--no-config",
            "--output",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(
        output.stdout.is_empty(),
        "with --output, stdout stays empty"
    );
    assert_eq!(String::from_utf8(output.stderr).unwrap(), out.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), out.stdout);
}

#[test]
fn render_of_a_clean_environment_writes_nothing_to_stderr() {
    let out = run(&["render", "fixtures/example/production", "--no-config"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stderr, "");
    let bundle = parse_yaml(&out.stdout);
    assert_eq!(bundle["services"][0]["routes"].as_array().unwrap().len(), 3);
}

#[test]
fn render_reads_the_human_report_flags() {
    let out = run(&[
        "render",
        "fixtures/report/many",
        "--no-config",
        "--max-per-rule",
        "2",
        "--statistics",
    ]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr
            .matches("\npolicy/plaintext-credential\n")
            .count()
            + 1,
        2,
        "the first finding opens the report, one more follows:\n{}",
        out.stderr
    );
    assert!(out.stderr.contains(
        "\n… and 3 more policy/plaintext-credential findings (warning) not shown; --max-per-rule 0 shows all\n"
    ));
    assert!(out
        .stderr
        .contains("\n23  policy/route-needs-timeout   info     Route needs a timeout\n"));
}

#[test]
fn inspect_writes_the_input_document_to_stdout_and_the_findings_to_stderr() {
    let out = run(&["inspect", "fixtures/example/staging", "--no-config"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let input: Value = serde_json::from_str(&out.stdout).expect("stdout is one JSON document");
    assert_eq!(input["environment"], "staging", "{}", out.stdout);
    assert!(out.stderr.starts_with("policy/undeclared-variable\n"));
    assert!(out
        .stderr
        .contains("(fixtures/example/staging/consumers.yaml:14:16)"));
    assert!(out
        .stderr
        .ends_with("\n0 errors, 1 warning in 3 files (1 environment)\n"));
}

#[test]
fn inspect_of_a_broken_environment_still_writes_only_json_to_stdout() {
    let out = run(&["inspect", "fixtures/findings/parse-syntax", "--no-config"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let _: Value = serde_json::from_str(&out.stdout).expect("stdout is one JSON document");
    assert!(out.stderr.starts_with("parse/syntax\n"), "{}", out.stderr);
    assert!(!out.stdout.contains("parse/syntax"));
}

#[test]
fn inspect_of_a_clean_environment_writes_nothing_to_stderr() {
    let out = run(&["inspect", "fixtures/example/production", "--no-config"]);
    assert_eq!(out.code, 0);
    assert_eq!(out.stderr, "");
    let _: Value = serde_json::from_str(&out.stdout).unwrap();
}

#[test]
fn schema_writes_only_json() {
    for format in ["adc", "standalone"] {
        let out = run(&["schema", "--format", format]);
        assert_eq!(out.code, 0, "{format}");
        assert_eq!(out.stderr, "", "{format}");
        let schema: Value = serde_json::from_str(&out.stdout).expect("stdout is one JSON document");
        assert!(schema["$schema"].is_string(), "{format}: {schema}");
    }
}

#[test]
fn completions_write_only_the_script() {
    for (shell, marker) in [
        ("bash", "complete -F _gwlint"),
        ("zsh", "#compdef gwlint"),
        ("fish", "complete -c gwlint"),
    ] {
        let out = run(&["completions", shell]);
        assert_eq!(out.code, 0, "{shell}");
        assert_eq!(out.stderr, "", "{shell}");
        assert!(out.stdout.contains(marker), "{shell}: {}", out.stdout);
        assert!(out.stdout.contains("max-per-rule"), "{shell}");
    }
}

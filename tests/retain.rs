//! `gwlint check` keeps only findings ([`Retain::Findings`]): it checks environments one
//! after another and frees each one's model and documents before reading the next.
//! These tests show that this gives exactly the findings of a run that keeps
//! everything, and that it really frees what it says it frees.

use gwlint::check::{CheckOptions, Outcome, Retain, Session};
use std::path::Path;

/// A service whose route has no authentication and no rate limit, plus a schema
/// error (a port out of range), so each environment has schema, model-free and
/// policy findings.
fn service(name: &str, port: u32) -> String {
    format!(
        "services:
  - name: {name}
    upstream:
      nodes:
        - host: {name}.internal
          port: {port}
          weight: 1
    routes:
      - name: list
        uris: [/{name}]
      - name: list
        uris: [/{name}/again]
"
    )
}

/// Two environments of two files each, declared in `.gwlint.yaml`.
fn tree(root: &Path) {
    std::fs::write(
        root.join(".gwlint.yaml"),
        "environments:\n  staging:\n    path: staging\n  production:\n    path: production\n",
    )
    .unwrap();
    for (env, port) in [("staging", 8080), ("production", 70000)] {
        let dir = root.join(env);
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("orders.yaml"), service("orders", port)).unwrap();
        std::fs::write(dir.join("users.yaml"), service("users", 9090)).unwrap();
    }
}

fn run(root: &Path, retain: Retain) -> Outcome {
    let mut session = Session::new(&CheckOptions {
        paths: vec![root.to_path_buf()],
        config_file: Some(root.join(".gwlint.yaml")),
        ..CheckOptions::default()
    })
    .unwrap();
    session.retain = retain;
    session.run()
}

/// Every finding as a line: environment, rule, file, place and message.
fn lines(outcome: &Outcome) -> Vec<String> {
    outcome
        .findings()
        .iter()
        .map(|f| {
            let start = f.location.span.start;
            let end = f.location.span.end;
            format!(
                "{} {} {}:{}:{}-{}:{} {}",
                f.environment.as_deref().unwrap_or("-"),
                f.rule,
                f.file(),
                start.line,
                start.column,
                end.line,
                end.column,
                f.message
            )
        })
        .collect()
}

#[test]
fn one_environment_at_a_time_gives_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    let everything = run(dir.path(), Retain::Everything);
    let findings_only = run(dir.path(), Retain::Findings);
    let expected = lines(&everything);
    assert_eq!(lines(&findings_only), expected);
    for env in ["staging", "production"] {
        assert!(
            expected
                .iter()
                .any(|l| l.starts_with(&format!("{env} policy/"))),
            "{env} has policy findings: {expected:#?}"
        );
    }
    assert!(
        expected
            .iter()
            .any(|l| l.starts_with("production schema/upstream")),
        "{expected:#?}"
    );
    assert_eq!(everything.file_count(), 4);
    assert_eq!(findings_only.file_count(), 4);
}

#[test]
fn an_environment_is_freed_before_the_next_is_read() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    let outcome = run(dir.path(), Retain::Findings);
    let [staging, production] = outcome.environments.as_slice() else {
        panic!("two environments");
    };
    // The first environment keeps only its name, file names and findings.
    assert_eq!(staging.name, "staging");
    assert_eq!(staging.model.files.len(), 2);
    assert!(staging.model.routes.is_empty() && staging.model.services.is_empty());
    assert!(staging.checked.is_empty());
    assert!(!staging.findings.is_empty());
    // The last one is left as it is: the process ends right after the report.
    assert_eq!(production.model.routes.len(), 4);
    assert_eq!(production.checked.len(), 2);

    // A run that keeps everything keeps every environment's model and documents.
    let everything = run(dir.path(), Retain::Everything);
    for report in &everything.environments {
        assert_eq!(report.model.routes.len(), 4, "{}", report.name);
        assert_eq!(report.checked.len(), 2, "{}", report.name);
    }
}

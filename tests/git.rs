//! gwlint's use of git (`src/git.rs`): file names git would quote are read exactly
//! (NUL-separated listings), and a revision can never be read as an option.

mod common;

use assert_cmd::Command;
use common::{git, git_repository};
use std::path::Path;

const GOOD: &str =
    "services:\n  - name: orders\n    routes:\n      - name: list\n        uris: [/orders]\n";
const BAD: &str =
    "services:\n  - name: cafe\n    routes:\n      - name: list\n        uris: /cafe\n";

fn gwlint(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("gwlint").unwrap();
    cmd.current_dir(dir).env_remove("NO_COLOR");
    cmd
}

/// A repository whose second commit adds files with names git quotes.
fn repository() -> tempfile::TempDir {
    let dir = git_repository();
    let env = dir.path().join("env");
    std::fs::create_dir(&env).unwrap();
    std::fs::write(env.join("orders.yaml"), GOOD).unwrap();
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "one"]);
    std::fs::write(env.join("café.yaml"), BAD).unwrap();
    std::fs::write(
        env.join("tab\there.yaml"),
        "consumers:\n  - username: tab\n",
    )
    .unwrap();
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-qm", "two"]);
    dir
}

#[test]
fn changed_since_reads_non_ascii_names() {
    let repo = repository();
    let output = gwlint(repo.path())
        .args([
            "check",
            "env",
            "--no-config",
            "--no-builtin-policies",
            "--format",
            "json",
            "--changed-since",
            "HEAD~1",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let files: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["env/café.yaml"]);
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_revision_keeps_every_file_whatever_its_name() {
    let repo = repository();
    let files = gwlint::git::files_at("HEAD", &repo.path().join("env")).unwrap();
    let names: Vec<String> = files
        .iter()
        .map(|(path, _)| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["café.yaml", "orders.yaml", "tab\there.yaml"]);
    assert_eq!(files[0].1, BAD);
    // The rendered bundle of that revision has the service of café.yaml.
    let output = gwlint(repo.path())
        .args([
            "render",
            "env",
            "--no-config",
            "--no-builtin-policies",
            "--rev",
            "HEAD~1",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let bundle = String::from_utf8(output.stdout).unwrap();
    assert!(
        bundle.contains("orders") && !bundle.contains("cafe"),
        "{bundle}"
    );
}

#[test]
fn a_revision_is_never_an_option() {
    let repo = repository();
    let victim = repo.path().join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    for revision in [
        format!("--changed-since=--output={}", victim.display()),
        "--changed-since=-p".to_owned(),
    ] {
        let output = gwlint(repo.path())
            .args(["check", "env", "--no-config", &revision])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{revision}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("is not a revision"), "{stderr}");
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
    let output = gwlint(repo.path())
        .args(["render", "env", "--no-config", "--rev", "--output=x"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(!repo.path().join("x").exists());
    // An unknown revision is a clear error too.
    let output = gwlint(repo.path())
        .args(["check", "env", "--no-config", "--changed-since", "nope"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("does not know the revision `nope`"));
}

//! Helpers shared by the integration tests. Not every test crate uses every helper.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Run git in `dir` and require success.
pub fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// A new git repository with an identity for commits.
pub fn git_repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["config", "user.email", "t@example.com"]);
    git(dir.path(), &["config", "user.name", "t"]);
    dir
}

/// A path below `fixtures/` of the repository (the vendored conformance corpora and
/// third-party schemas). The corpora are part of the repository, so a missing path is
/// a test failure, never a skip.
pub fn fixture(path: &str) -> PathBuf {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path);
    assert!(
        full.exists(),
        "fixtures/{path} is missing from the repository"
    );
    full
}

/// A stand-in for a program (the ADC CLI): `bin/adc` holding a shell script, and a
/// `log` folder the script may write what it saw into. The tests that use it add the
/// methods they need.
pub struct StandIn {
    /// The folder holding `bin/` and `log/`.
    pub dir: tempfile::TempDir,
}

impl StandIn {
    /// A new stand-in `adc` running `script`.
    pub fn new(script: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("bin")).unwrap();
        std::fs::create_dir(dir.path().join("log")).unwrap();
        let program = dir.path().join("bin/adc");
        std::fs::write(&program, script).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        StandIn { dir }
    }

    /// The folder the script writes its log into.
    pub fn log(&self) -> PathBuf {
        self.dir.path().join("log")
    }

    /// `PATH` with the stand-in first.
    pub fn path(&self) -> String {
        format!(
            "{}:{}",
            self.dir.path().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }
}

/// `(rule, file, line, column, message)` of each finding of a JSON report.
pub fn located(json: &str) -> Vec<(String, String, u64, u64, String)> {
    let report: serde_json::Value = serde_json::from_str(json).unwrap();
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
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

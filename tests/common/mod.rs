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

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

/// A path below `../shared` (the corpora and schemas beside the checkout), or `None`
/// with a "skipped" line when it is missing; with `GWLINT_REQUIRE_CONFORMANCE=1`
/// (as in CI) a missing path fails the test instead.
pub fn shared(path: &str) -> Option<PathBuf> {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(path);
    if full.exists() {
        return Some(full);
    }
    assert!(
        std::env::var("GWLINT_REQUIRE_CONFORMANCE").as_deref() != Ok("1"),
        "../shared/{path} is required (GWLINT_REQUIRE_CONFORMANCE=1) but missing"
    );
    let mut stdout = std::io::stdout();
    let _ = std::io::Write::write_all(
        &mut stdout,
        format!("skipped: ../shared/{path} not found\n").as_bytes(),
    );
    None
}

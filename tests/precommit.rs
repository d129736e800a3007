//! The real `pre-commit` running this repository's hook (`.pre-commit-hooks.yaml`)
//! on a good and a bad tree. Needs the `pre-commit` program: `.ci/run` installs it
//! in a virtualenv and names it in `GWLINT_PRE_COMMIT`; elsewhere the test skips
//! (and fails when `GWLINT_REQUIRE_PRE_COMMIT=1`).

#![allow(clippy::print_stdout)]

mod common;

use common::{git, git_repository};
use std::path::{Path, PathBuf};
use std::process::Command;

fn pre_commit() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("GWLINT_PRE_COMMIT") {
        return Some(PathBuf::from(path));
    }
    assert!(
        std::env::var("GWLINT_REQUIRE_PRE_COMMIT").as_deref() != Ok("1"),
        "GWLINT_PRE_COMMIT must name the pre-commit program"
    );
    println!("skipped: set GWLINT_PRE_COMMIT to a pre-commit executable to run this test");
    None
}

/// A git repository with one environment folder holding `files`.
fn repository(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = git_repository();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    git(dir.path(), &["add", "."]);
    dir
}

/// Run the hook of this checkout on every file of `repo` with `pre-commit try-repo`.
fn run_hook(program: &Path, repo: &Path) -> (bool, String) {
    let crate_root = env!("CARGO_MANIFEST_DIR");
    let home = Path::new(crate_root).join("target/pre-commit-home");
    let output = Command::new(program)
        .args(["try-repo", crate_root, "gwlint", "--all-files", "--verbose"])
        .current_dir(repo)
        .env("PRE_COMMIT_HOME", &home)
        .env(
            "CARGO_TARGET_DIR",
            Path::new(crate_root).join("target/pre-commit-build"),
        )
        // pre-commit builds the hook with `cargo install` (the release profile). This
        // test checks the hook's wiring, not its speed: unoptimised, the build takes
        // minutes less.
        .env("CARGO_PROFILE_RELEASE_LTO", "off")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

const GOOD: &str = "services:
  - name: orders
    upstream:
      scheme: https
      nodes:
        - host: orders.svc
          port: 443
          weight: 1
    plugins:
      key-auth: {}
      limit-count:
        count: 100
        time_window: 60
    routes:
      - name: list
        uris: [/orders]
";
const BAD: &str = "services:\n  - name: orders\n    name: again\n";

#[test]
fn hook_passes_a_good_tree_and_fails_a_bad_one() {
    let Some(program) = pre_commit() else {
        return;
    };
    let good = repository(&[("staging/orders.yaml", GOOD)]);
    let (ok, text) = run_hook(&program, good.path());
    assert!(ok, "good tree failed:\n{text}");

    let bad = repository(&[("staging/orders.yaml", GOOD), ("staging/broken.yaml", BAD)]);
    let (ok, text) = run_hook(&program, bad.path());
    assert!(!ok, "bad tree passed:\n{text}");
    assert!(text.contains("parse/duplicate-key"), "{text}");
    assert!(text.contains("staging/broken.yaml"), "{text}");
}

//! The real `pre-commit` running this repository's hook (`.pre-commit-hooks.yaml`)
//! on good and bad trees. Needs the `pre-commit` program: `GWLINT_PRE_COMMIT` or the
//! first `pre-commit` on `PATH` when the tests are built (see build.rs). Without it the
//! hook tests are reported as ignored, with that reason; `.ci/run` installs pre-commit
//! and sets `GWLINT_REQUIRE_PRE_COMMIT=1`, which makes its absence a failure.

#![allow(clippy::print_stdout)]

mod common;

use common::{git, git_repository};
use std::path::Path;
use std::process::Command;

/// The `pre-commit` program found when the tests were built.
#[cfg(gwlint_has_pre_commit)]
fn pre_commit() -> &'static Path {
    Path::new(env!("GWLINT_PRE_COMMIT_PROGRAM"))
}

#[cfg(not(gwlint_has_pre_commit))]
fn pre_commit() -> &'static Path {
    unreachable!("the hook tests are ignored without pre-commit")
}

#[test]
fn pre_commit_is_there_when_required() {
    let found = option_env!("GWLINT_PRE_COMMIT_PROGRAM");
    if std::env::var("GWLINT_REQUIRE_PRE_COMMIT").as_deref() == Ok("1") {
        assert!(
            found.is_some(),
            "GWLINT_REQUIRE_PRE_COMMIT=1 but no pre-commit was found when the tests were built: set GWLINT_PRE_COMMIT"
        );
    }
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

/// One hook run at a time: the runs share pre-commit's cache and the build folder.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Run the hook of this checkout on every file of `repo` with `pre-commit try-repo`.
fn run_hook(program: &Path, repo: &Path) -> (bool, String) {
    let _one_at_a_time = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
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
#[cfg_attr(
    not(gwlint_has_pre_commit),
    ignore = "needs pre-commit: set GWLINT_PRE_COMMIT or put pre-commit on PATH"
)]
fn hook_passes_a_good_tree_and_fails_a_bad_one() {
    let program = pre_commit();
    let good = repository(&[("staging/orders.yaml", GOOD)]);
    let (ok, text) = run_hook(program, good.path());
    assert!(ok, "good tree failed:\n{text}");

    let bad = repository(&[("staging/orders.yaml", GOOD), ("staging/broken.yaml", BAD)]);
    let (ok, text) = run_hook(program, bad.path());
    assert!(!ok, "bad tree passed:\n{text}");
    assert!(text.contains("parse/duplicate-key"), "{text}");
    assert!(text.contains("staging/broken.yaml"), "{text}");
}

const WORKFLOW: &str = "name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n";

#[test]
#[cfg_attr(
    not(gwlint_has_pre_commit),
    ignore = "needs pre-commit: set GWLINT_PRE_COMMIT or put pre-commit on PATH"
)]
fn hook_checks_only_gateway_configuration() {
    let program = pre_commit();
    // Without a config file: the workflow and Helm values are not gateway
    // configuration (no top-level key names a resource) and are skipped.
    let plain = repository(&[
        ("staging/orders.yaml", GOOD),
        (".github/workflows/ci.yml", WORKFLOW),
        ("charts/gw/values.yaml", "replicaCount: 2\n"),
    ]);
    let (ok, text) = run_hook(program, plain.path());
    assert!(ok, "a workflow file failed the hook:\n{text}");
    assert!(
        text.contains("note: skipped .github/workflows/ci.yml"),
        "{text}"
    );
    // With a config file: only files of the declared environments are checked, even
    // a broken YAML file elsewhere.
    let configured = repository(&[
        (".gwlint.yaml", "environments:\n  staging: staging\n"),
        ("staging/orders.yaml", GOOD),
        (".github/workflows/ci.yml", WORKFLOW),
        ("charts/gw/values.yaml", "a: [unclosed\n"),
    ]);
    let (ok, text) = run_hook(program, configured.path());
    assert!(
        ok,
        "files outside the environments failed the hook:\n{text}"
    );
    assert!(
        text.contains("note: skipped charts/gw/values.yaml: outside every environment declared in .gwlint.yaml"),
        "{text}"
    );
}

//! `gwlint lsp` under pytest-lsp (from the Python package index), a test client that validates every message
//! against the LSP 3.17 specification: `tests/lsp/test_gwlint_lsp.py`, run with the
//! Python named by `GWLINT_PYTEST_LSP_PYTHON` when the tests are built (see build.rs).
//! Without it the test is reported as ignored; `.ci/run` installs pytest-lsp and sets
//! `GWLINT_REQUIRE_PYTEST_LSP=1`, which makes its absence a failure.

use std::path::Path;
use std::process::Command;

/// The Python with pytest-lsp found when the tests were built.
#[cfg(gwlint_has_pytest_lsp)]
fn python() -> &'static Path {
    Path::new(env!("GWLINT_PYTEST_LSP_PYTHON_PROGRAM"))
}

#[cfg(not(gwlint_has_pytest_lsp))]
fn python() -> &'static Path {
    unreachable!("the pytest-lsp tests are ignored without pytest-lsp")
}

#[test]
fn pytest_lsp_is_there_when_required() {
    let found = option_env!("GWLINT_PYTEST_LSP_PYTHON_PROGRAM");
    if std::env::var("GWLINT_REQUIRE_PYTEST_LSP").as_deref() == Ok("1") {
        assert!(
            found.is_some(),
            "GWLINT_REQUIRE_PYTEST_LSP=1 but no Python with pytest-lsp was named when the tests were built: set GWLINT_PYTEST_LSP_PYTHON"
        );
    }
}

#[test]
#[cfg_attr(
    not(gwlint_has_pytest_lsp),
    ignore = "needs pytest-lsp: set GWLINT_PYTEST_LSP_PYTHON to a Python that has it"
)]
fn pytest_lsp_drives_the_server() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(python())
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/lsp/"])
        .current_dir(root)
        .env("GWLINT_BIN", env!("CARGO_BIN_EXE_gwlint"))
        // Nothing is written into the work tree.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("the Python runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "pytest-lsp failed:\n{text}");
    assert!(text.contains("2 passed"), "{text}");
}

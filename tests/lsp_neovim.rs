//! `gwlint lsp` under headless Neovim's own LSP client (`vim.lsp`):
//! `tests/lsp/neovim.lua` opens the fixture environment, edits a file and asserts the
//! diagnostics (exact ranges), a completion list and a hover. Needs `nvim` (0.7 or
//! later): `GWLINT_NEOVIM` or the first `nvim` on `PATH` when the tests are built (see
//! build.rs). Without it the test is reported as ignored; `.ci/run` installs Neovim
//! and sets `GWLINT_REQUIRE_NEOVIM=1`, which makes its absence a failure.

use std::path::Path;
use std::process::Command;

/// The Neovim found when the tests were built.
#[cfg(gwlint_has_neovim)]
fn neovim() -> &'static Path {
    Path::new(env!("GWLINT_NEOVIM_PROGRAM"))
}

#[cfg(not(gwlint_has_neovim))]
fn neovim() -> &'static Path {
    unreachable!("the Neovim test is ignored without Neovim")
}

#[test]
fn neovim_is_there_when_required() {
    let found = option_env!("GWLINT_NEOVIM_PROGRAM");
    if std::env::var("GWLINT_REQUIRE_NEOVIM").as_deref() == Ok("1") {
        assert!(
            found.is_some(),
            "GWLINT_REQUIRE_NEOVIM=1 but no nvim was found when the tests were built: set GWLINT_NEOVIM"
        );
    }
}

#[test]
#[cfg_attr(
    not(gwlint_has_neovim),
    ignore = "needs Neovim: set GWLINT_NEOVIM or put nvim on PATH"
)]
fn neovim_drives_the_server() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let home = tempfile::tempdir().unwrap();
    let output = Command::new(neovim())
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-n"])
        .args(["-c", "luafile tests/lsp/neovim.lua"])
        .current_dir(root)
        .env("GWLINT_BIN", env!("CARGO_BIN_EXE_gwlint"))
        .env("GWLINT_FIXTURE", root.join("fixtures/lsp"))
        // Neovim's LSP log and state go to a folder of the test's own.
        .env("XDG_STATE_HOME", home.path())
        .env("XDG_CACHE_HOME", home.path())
        .env("XDG_DATA_HOME", home.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("nvim runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "Neovim's checks failed:\n{text}");
    assert!(text.contains("neovim: all assertions hold"), "{text}");
}

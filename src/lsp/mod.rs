//! `gwlint lsp`: a Language Server Protocol (3.17) server over stdio.
//!
//! - Diagnostics: when a YAML or JSON file is opened, changed or saved, the
//!   environment that contains it (scoped as by `gwlint check`, `.gwlint.yaml`
//!   included) is checked with the unsaved text of every open document in place of
//!   the file on disk; every file of the environment gets its findings (or an empty
//!   list). Checks run on a worker thread, debounced; a newer edit makes a running
//!   check stale, and stale results are never published ([`server`]).
//! - Only changed files are parsed again: each file's parsed and schema-checked form
//!   is cached by its text or modification time ([`diagnostics`]).
//! - Completion and hover from the schemas of the project's APISIX version
//!   ([`completion`], [`hover`], [`schema_nav`]); hover on a finding shows
//!   `gwlint explain` of its rule.
//! - Code actions: a `gwlint-ignore` comment above a finding's node, and the "did you
//!   mean" fix ([`actions`]).
//!
//! Positions: LSP columns count UTF-16 code units ([`position`]). A panic inside a
//! handler is caught, answered as an error and logged; the server goes on.

pub mod actions;
pub mod completion;
pub mod context;
pub mod diagnostics;
pub mod documents;
pub mod hover;
pub mod position;
pub mod schema_nav;
pub mod server;

pub use server::{serve, Ended, Options};

/// Serve an editor over stdin and stdout until it shuts down or goes away.
///
/// # Errors
/// A protocol error (the client broke the handshake, or the connection after an
/// orderly shutdown).
pub fn run_stdio(options: Options) -> Result<Ended, String> {
    install_panic_hook();
    let (connection, io_threads) = lsp_server::Connection::stdio();
    let ended = serve(&connection, options)?;
    drop(connection);
    let joined = io_threads.join();
    match ended {
        Ended::Shutdown => joined.map_err(|e| e.to_string())?,
        // Standard input ended mid-message or without `exit`: the reader's error says
        // only that; the client is gone, which is all there is to say.
        Ended::Disconnected => drop(joined),
    }
    Ok(ended)
}

/// Replace gwlint's crash hook, which ends the process, with one that only notes
/// the panic on stderr: the server catches panics of its handlers and goes on.
fn install_panic_hook() {
    crate::crash::on_panic(|place| {
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("gwlint lsp: a handler panicked{place}; the server goes on\n").as_bytes(),
        );
    });
}

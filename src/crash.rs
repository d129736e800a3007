//! The last line of defence: a panic anywhere in gwlint, on any thread, becomes a short
//! request for a bug report and exit code 2 (the tool could not run), instead of Rust's
//! default message and exit code 101. Every input problem is meant to be a finding, so
//! tests check that no input reaches this hook.

use crate::commands::EXIT_TOOL_ERROR;
use std::io::Write;

/// The first line a crash prints; tests check that no input reaches it.
pub const CRASH_MESSAGE: &str =
    "gwlint crashed: this is a bug in gwlint, not in your configuration";

/// Replace the panic hook for the rest of the process: print where the panic happened
/// and how to report it, then exit with [`EXIT_TOOL_ERROR`] at once, whichever thread
/// panicked, so no half-written report is taken for a result. The one exception is a
/// thread that evaluates a user's policy ([`crate::policy::guard`]): a panic inside the
/// Rego engine there unwinds to the guard, which reports it as the rule's failure.
pub fn install_panic_hook() {
    on_panic(|place| {
        let _ = writeln!(
            std::io::stderr(),
            "{CRASH_MESSAGE}{place}.\nPlease report it with the command you ran and, if you can, the file that triggers it."
        );
        std::process::exit(i32::from(EXIT_TOOL_ERROR));
    });
}

/// Replace the panic hook with one that calls `report` with where the panic happened
/// (` at FILE:LINE`, or nothing when that is unknown), except on a thread that
/// evaluates a user's policy, whose panic the guard reports as the rule's failure.
pub fn on_panic(report: impl Fn(&str) + Send + Sync + 'static) {
    std::panic::set_hook(Box::new(move |info| {
        if crate::policy::guard::on_evaluation_thread() {
            return;
        }
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        report(&place);
    }));
}

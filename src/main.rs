//! The `gwlint` binary: parse arguments, run the subcommand, map the outcome to an
//! exit code (0 clean, 1 findings, 2 could not run).

use clap::{CommandFactory, FromArgMatches};
use gwlint::cli::{self, BaselineCommand, Cli, Command, PolicyCommand};
use gwlint::commands;
use gwlint::error::ToolError;
use std::io::Write;
use std::process::ExitCode;

/// mimalloc: gwlint allocates many small values from several threads, where it is
/// markedly faster than the system allocator. Every allocation and deallocation is
/// first counted by `gwlint::policy::guard`, which holds the evaluation of a user's
/// policy to its memory and stack limits (on other threads it only reads one
/// thread-local).
#[global_allocator]
static ALLOCATOR: Counted = Counted;

/// mimalloc, with the policy guard's counting in front.
struct Counted;

// SAFETY: every method hands its arguments unchanged to mimalloc's, which upholds the
// `GlobalAlloc` contract; the guard's `charge` and `refund` allocate nothing, never
// unwind, and either return or never return (an evaluation over its limits sleeps
// for good before mimalloc is called).
#[allow(unsafe_code)]
unsafe impl std::alloc::GlobalAlloc for Counted {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        gwlint::policy::guard::charge(layout.size());
        // SAFETY: as the caller's contract for `alloc`.
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        gwlint::policy::guard::charge(layout.size());
        // SAFETY: as the caller's contract for `alloc_zeroed`.
        unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        gwlint::policy::guard::refund(layout.size());
        // SAFETY: as the caller's contract for `dealloc`.
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        gwlint::policy::guard::charge(new_size);
        gwlint::policy::guard::refund(layout.size());
        // SAFETY: as the caller's contract for `realloc`.
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
    }
}

/// Keep the memory gwlint frees for its own later use while the files are read,
/// instead of mimalloc's default of handing it back to the system 10 ms after it is
/// freed. A check frees each file's values right after reading them and allocates
/// the next file's straight after; memory handed back has to be faulted in and zeroed
/// by the kernel again. At 100k routes this saves about a quarter of the page faults
/// and a fifth of the system time (BENCHMARKS.md). Once every file is read
/// (`gwlint::memory::files_read`), freed memory goes back at once: the policy stage's
/// results and the report's buffers are freed once, not reused, and kept they cost
/// about 30 MiB of the peak with 100k findings. `MIMALLOC_PURGE_DELAY`, when set,
/// still decides.
fn keep_freed_memory() {
    if set_purge_delay(-1) {
        gwlint::memory::on_files_read(|| {
            set_purge_delay(0);
        });
    }
}

/// Set mimalloc's `purge_delay` (milliseconds; -1: never hand memory back), unless
/// the user set `MIMALLOC_PURGE_DELAY` or the option is unknown; whether it was set.
#[allow(unsafe_code)]
fn set_purge_delay(value: std::ffi::c_long) -> bool {
    extern "C" {
        fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    }
    let Some(option) = option_env!("GWLINT_MI_PURGE_DELAY_OPTION") else {
        return false;
    };
    let (Ok(option), None) = (
        option.parse::<std::ffi::c_int>(),
        std::env::var_os("MIMALLOC_PURGE_DELAY"),
    ) else {
        return false;
    };
    // SAFETY: `mi_option_set` of the linked mimalloc accepts any option and value at
    // any time; build.rs took the option's number from the header it was built from.
    unsafe { mi_option_set(option, value) };
    true
}

fn main() -> ExitCode {
    keep_freed_memory();
    gwlint::crash::install_panic_hook();
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let result = match &cli.command {
        Command::Check(args) => matches
            .subcommand_matches("check")
            .ok_or_else(|| ToolError::new("internal: no check arguments"))
            .and_then(|m| cli::output_targets(args, m).map_err(ToolError::new))
            .and_then(|outputs| commands::check(args, &outputs)),
        Command::Rules(args) => commands::rules(args),
        Command::Explain(args) => commands::explain(args),
        Command::Inspect(args) => commands::inspect(args),
        Command::Policy(PolicyCommand::Test(args)) => commands::policy_test(args),
        Command::Baseline(BaselineCommand::Write(args)) => commands::baseline_write(args),
        Command::Schema(args) => commands::schema(args),
        Command::Completions(args) => commands::completions(args),
        Command::Lsp(args) => commands::lsp(args),
        Command::Apply(args) => commands::apply(args),
        Command::Render(args) => commands::render(args),
        Command::Diff(args) => commands::diff(args),
        Command::Drift(args) => matches
            .subcommand_matches("drift")
            .ok_or_else(|| ToolError::new("internal: no drift arguments"))
            .and_then(|m| {
                cli::output_targets_of(&args.format, &args.output, m).map_err(ToolError::new)
            })
            .and_then(|outputs| commands::drift(args, &outputs)),
        Command::Init(args) => commands::init(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "error: {error}");
            ExitCode::from(commands::EXIT_TOOL_ERROR)
        }
    }
}

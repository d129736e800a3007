//! The `gwlint` binary: parse arguments, run the subcommand, map the outcome to an
//! exit code (0 clean, 1 findings, 2 could not run).

use clap::{CommandFactory, FromArgMatches};
use gwlint::cli::{self, BaselineCommand, Cli, Command, PolicyCommand};
use gwlint::commands;
use gwlint::error::ToolError;
use std::io::Write;
use std::process::ExitCode;

/// mimalloc: gwlint allocates many small values from several threads, where it is
/// markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The first line a crash prints; tests check that no input reaches it.
const CRASH: &str = "gwlint crashed: this is a bug in gwlint, not in your configuration";

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let _ = writeln!(
            std::io::stderr(),
            "{CRASH}{place}.\nPlease report it with the command you ran and, if you can, the file that triggers it."
        );
        std::process::exit(2);
    }));
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
        Command::Apply(args) => commands::apply(args),
        Command::Render(args) => commands::render(args),
        Command::Diff(args) => commands::diff(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "error: {error}");
            ExitCode::from(2)
        }
    }
}

//! The `gwlint` binary: parse arguments, run the subcommand, map the outcome to an
//! exit code (0 clean, 1 findings, 2 could not run).

use clap::Parser;
use gwlint::cli::{Cli, Command, PolicyCommand};
use gwlint::commands;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Check(args) => commands::check(args),
        Command::Rules(args) => commands::rules(args),
        Command::Explain(args) => commands::explain(args),
        Command::Inspect(args) => commands::inspect(args),
        Command::Policy(PolicyCommand::Test(args)) => commands::policy_test(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "error: {error}");
            ExitCode::from(2)
        }
    }
}

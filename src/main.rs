//! The `gwlint` binary: parse arguments, call the library, map the outcome to an
//! exit code (0 clean, 1 findings, 2 could not run).

use clap::Parser;
use gwlint::check::{self, CheckOptions, Outcome};
use gwlint::cli::{CheckArgs, Cli, ColorChoice, Command};
use gwlint::error::ToolError;
use gwlint::finding::Severity;
use gwlint::report::{self, HumanStyle};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => run_check(&args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "error: {error}");
            ExitCode::from(2)
        }
    }
}

fn run_check(args: &CheckArgs) -> Result<ExitCode, ToolError> {
    let max_file_size = match &args.max_file_size {
        Some(text) => Some(
            gwlint::config::parse_size(text)
                .ok_or_else(|| ToolError::new(format!("--max-file-size: `{text}` is not a size such as 10MiB")))?,
        ),
        None => None,
    };
    let options = CheckOptions {
        paths: args.paths.clone(),
        config_file: args.config.clone(),
        no_config: args.no_config,
        format: args.file_format.map(Into::into),
        max_file_size,
        follow_symlinks: args.follow_symlinks,
        only_environments: args.environments.clone(),
    };
    let mut outcome = check::run(&options)?;
    let style = HumanStyle {
        color: use_color(args.color),
        quiet: args.quiet,
    };
    let started = std::time::Instant::now();
    let mut stdout = std::io::stdout().lock();
    let written = report::write(&outcome, args.format, style, &mut stdout).and_then(|()| stdout.flush());
    match written {
        // A closed pipe (`gwlint check | head`) is not a failure of the check.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(exit_code(&outcome)),
        Err(e) => return Err(ToolError::new(format!("cannot write the report: {e}"))),
        Ok(()) => {}
    }
    outcome.timings.push(("report", started.elapsed()));
    if args.timings {
        print_timings(&outcome);
    }
    Ok(exit_code(&outcome))
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal(),
    }
}

fn print_timings(outcome: &Outcome) {
    let mut stderr = std::io::stderr().lock();
    for (stage, duration) in &outcome.timings {
        let _ = writeln!(stderr, "timing: {stage} {:.3}", duration.as_secs_f64() * 1000.0);
    }
}

fn exit_code(outcome: &Outcome) -> ExitCode {
    if outcome.count(Severity::Error) > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

//! Command-line interface: flags and subcommands, no logic.
//!
//! `main` turns these into library calls; everything here is clap derive
//! definitions with help texts and examples.

use crate::format::Format;
use crate::report::OutputFormat;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const CHECK_EXAMPLES: &str = "\
Examples:
  gwlint check staging/                  check one environment folder
  gwlint check .                         check every environment declared in .gwlint.yaml
  gwlint check staging/ --format json    machine-readable output
  gwlint check conf/apisix.yaml          check one APISIX standalone file

Exit codes: 0 no error findings, 1 error findings, 2 gwlint could not run.";

/// Safe GitOps for Apache APISIX: check declarative gateway configuration offline.
#[derive(Debug, Parser)]
#[command(name = "gwlint", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check environments (folders of ADC or APISIX standalone YAML/JSON files).
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
}

/// Arguments of `gwlint check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Environment folders or files. Default: the environments in .gwlint.yaml.
    pub paths: Vec<PathBuf>,
    /// Use this config file instead of searching for .gwlint.yaml upwards.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore any .gwlint.yaml.
    #[arg(long)]
    pub no_config: bool,
    /// Only check these environments of the config file (repeatable).
    #[arg(long = "env", value_name = "NAME")]
    pub environments: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
    /// Treat every file as this format instead of detecting it.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub file_format: Option<FileFormat>,
    /// Largest file to read, e.g. `10MiB` (default 10 MiB).
    #[arg(long, value_name = "SIZE")]
    pub max_file_size: Option<String>,
    /// Follow symbolic links while walking (loops are detected).
    #[arg(long)]
    pub follow_symlinks: bool,
    /// Print only the findings, without the summary line.
    #[arg(long, short)]
    pub quiet: bool,
    /// When to use colours in the human format.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Print the wall time of each stage to stderr (`timing: <stage> <ms>`).
    #[arg(long)]
    pub timings: bool,
}

/// A configuration file format, as a flag value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FileFormat {
    /// ADC declarative format.
    Adc,
    /// APISIX standalone format.
    Standalone,
}

impl From<FileFormat> for Format {
    fn from(value: FileFormat) -> Self {
        match value {
            FileFormat::Adc => Format::Adc,
            FileFormat::Standalone => Format::Standalone,
        }
    }
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

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
  gwlint check staging/orders.yaml       pre-commit mode: check the whole environment, report this file
  gwlint check . --changed-since origin/main
  gwlint check . --format github --format sarif --output gwlint.sarif
  gwlint check . --baseline .gwlint-baseline.json --fail-on warning
  gwlint check . --statistics            findings per rule, most first, after the report
  gwlint check . --show-info --max-per-rule 0
                                         every finding, infos included (human format)

The human format shows errors and warnings, at most 20 of one rule (--max-per-rule),
and counts infos in its summary line; json, sarif, github and junit carry every finding.

Exit codes: 0 no failing findings, 1 failing findings (see --fail-on), 2 gwlint could not run.";

const BASELINE_EXAMPLES: &str = "\
Examples:
  gwlint baseline write .gwlint-baseline.json          accept today's findings
  gwlint check . --baseline .gwlint-baseline.json      fail only on new ones";

const SCHEMA_EXAMPLES: &str = "\
Examples:
  gwlint schema > adc.schema.json                      for yaml-language-server
  gwlint schema --format standalone > apisix.schema.json";

const APPLY_EXAMPLES: &str = "\
Examples:
  gwlint apply production/ --dry-run        check, render, show the plan (adc diff), change nothing
  gwlint apply production/                  check, render, hand off to adc sync
  gwlint apply production/ --rev HEAD~1     roll back: the environment as it was at that revision
  gwlint apply staging/ --engine standalone --out /etc/apisix/apisix.yaml

Backend settings come from `apply:` in .gwlint.yaml and ADC's environment variables
(ADC_BACKEND, ADC_SERVER, ADC_TOKEN, ...). The token is never printed. The check's findings,
and a refusal because of them, are reported on stderr; stdout is the hand-off's log.
Exit codes: 0 applied, 1 refused (findings, deletes) or the engine failed, 2 could not run.";

const RENDER_EXAMPLES: &str = "\
Examples:
  gwlint render production/ -o bundle.yaml             one ADC file for other pipelines (ArgoCD)
  gwlint render production/ > bundle.yaml              the same: stdout holds the document alone
  gwlint render staging/ --engine standalone -o apisix.yaml
  gwlint render . --manifests --engine standalone   a ConfigMap of apisix.yaml (the ArgoCD plugin)
  gwlint render . --manifests --secret gw-adc       a ConfigMap of the bundle and a Job running adc sync

Findings are reported on stderr. With failing findings nothing is rendered (stdout stays
empty, no file is written) and the exit code is 1.";

const DRIFT_EXAMPLES: &str = "\
Examples:
  gwlint drift production                   does the live gateway still match Git? (adc diff)
  gwlint drift production --format github  annotations on the definitions that drifted
  gwlint drift staging --engine standalone --out /etc/apisix/apisix.yaml
  gwlint drift production --format sarif --output drift.sarif

Read-only: nothing is written to the gateway. The environment is checked first (failing
findings stop the comparison, exit 2). adc's output goes to stderr; stdout is the report.
Exit codes: 0 no drift, 1 drift, 2 the engine or the gateway could not be reached (or gwlint
could not run).";

const DIFF_EXAMPLES: &str = "\
Examples:
  gwlint diff staging/ production/
  gwlint diff staging production --format json --ignore hosts --ignore nodes";

const INIT_EXAMPLES: &str = "\
Examples:
  gwlint init                            scan this folder, write .gwlint.yaml here
  gwlint init gateway/                   scan gateway/, write gateway/.gwlint.yaml
  gwlint init --stdout                   print the file instead of writing it
  gwlint init --baseline                 also accept today's findings (.gwlint-baseline.json)

A folder that directly holds ADC or APISIX standalone files becomes an environment (its
subfolders are part of it); hidden folders, node_modules and target are not scanned, and
files that are not gateway configuration (workflows, Helm values) are left out.
Exit codes: 0 written, 2 nothing found, the file exists (see --force) or it cannot be written.";

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  gwlint completions bash > /etc/bash_completion.d/gwlint
  gwlint completions zsh > ~/.zfunc/_gwlint";

/// Safe `GitOps` for Apache APISIX: check declarative gateway configuration offline.
#[derive(Debug, Parser)]
#[command(name = "gwlint", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

const RULES_EXAMPLES: &str = "\
Examples:
  gwlint rules                           table of every rule
  gwlint rules --format json             the same, as JSON";

const EXPLAIN_EXAMPLES: &str = "\
Examples:
  gwlint explain policy/route-needs-auth
  gwlint explain route-needs-auth        policy ids may be given without `policy/`
  gwlint explain schema/limit-count";

const INSPECT_EXAMPLES: &str = "\
Examples:
  gwlint inspect staging/                the input document policies see for staging/
  gwlint inspect production              a declared environment, by name

stdout holds the JSON document alone; the environment's findings are reported on stderr.";

const POLICY_TEST_EXAMPLES: &str = "\
Examples:
  gwlint policy test                     run the built-in library's _test.rego files
  gwlint policy test my-policies/        also run the tests of your policies
  gwlint policy test --coverage --threshold 80";

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check environments (folders of ADC or APISIX standalone YAML/JSON files).
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// List every rule gwlint can report.
    #[command(after_help = RULES_EXAMPLES)]
    Rules(RulesArgs),
    /// Print a rule's documentation.
    #[command(after_help = EXPLAIN_EXAMPLES)]
    Explain(ExplainArgs),
    /// Print the input document policies see for an environment (JSON).
    #[command(after_help = INSPECT_EXAMPLES)]
    Inspect(InspectArgs),
    /// Work with policies.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Work with baselines (accepted findings).
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Print the JSON Schema of a file format (for editors such as yaml-language-server).
    #[command(after_help = SCHEMA_EXAMPLES)]
    Schema(SchemaArgs),
    /// Print shell completions.
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),
    /// Check an environment and hand it to the sync engine (adc sync, or an APISIX standalone file).
    #[command(after_help = APPLY_EXAMPLES)]
    Apply(ApplyArgs),
    /// Render an environment into the one document a sync engine takes.
    #[command(after_help = RENDER_EXAMPLES)]
    Render(RenderArgs),
    /// Compare two environments (resources and plugin configurations) before promoting.
    #[command(after_help = DIFF_EXAMPLES)]
    Diff(DiffArgs),
    /// Compare the live gateway with the environment in Git (read-only): what was
    /// added, changed or removed on the gateway by hand.
    #[command(after_help = DRIFT_EXAMPLES)]
    Drift(DriftArgs),
    /// Write a first .gwlint.yaml for an existing tree: its environments, their formats
    /// and ${VAR}s, custom plugins, and commented defaults.
    #[command(after_help = INIT_EXAMPLES)]
    Init(InitArgs),
}

/// Arguments of `gwlint init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The tree to scan; .gwlint.yaml is written there.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Print the config file to stdout instead of writing it (nothing is written).
    #[arg(long, visible_alias = "dry-run")]
    pub stdout: bool,
    /// Replace an existing .gwlint.yaml (and baseline file).
    #[arg(long)]
    pub force: bool,
    /// Also record today's findings in a baseline file (relative to the tree; default
    /// .gwlint-baseline.json) and point the config at it, so that `gwlint check` fails
    /// only on new findings.
    #[arg(
        long,
        value_name = "FILE",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = crate::init::DEFAULT_BASELINE,
        conflicts_with = "stdout"
    )]
    pub baseline: Option<PathBuf>,
}

/// The engine that takes a rendered environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineArg {
    /// The ADC CLI (`adc diff` / `adc sync`).
    Adc,
    /// An APISIX standalone `apisix.yaml` file.
    Standalone,
}

/// Arguments of `gwlint apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The environment: a folder, or a name declared in .gwlint.yaml.
    pub environment: String,
    /// Check, render and show the plan (adc diff, or a unified diff); change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The engine (default: `apply.engine` in .gwlint.yaml, else adc).
    #[arg(long, value_enum)]
    pub engine: Option<EngineArg>,
    /// Apply the environment as it was at this git revision (rollback).
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
    /// Let a sync delete more resources than `apply.max_deletes`.
    #[arg(long)]
    pub allow_deletes: bool,
    /// Standalone engine: the apisix.yaml to write (default: `apply.out`).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Standalone engine: keep the previous file as `<file>.bak`.
    #[arg(long)]
    pub backup: bool,
    /// Also write the record of what was applied to this file (JSON).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Accept the findings recorded in this baseline file (default: `baseline` in .gwlint.yaml).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Config and policies.
    #[command(flatten)]
    pub sources: SourceArgs,
    /// How the report of the findings (on stderr) reads.
    #[command(flatten)]
    pub human: HumanArgs,
}

/// Arguments of `gwlint render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The environment: a folder, or a name declared in .gwlint.yaml.
    pub environment: String,
    /// Write to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Render for this engine: an ADC bundle or an APISIX standalone file.
    #[arg(long, value_enum, default_value = "adc")]
    pub engine: EngineArg,
    /// Render the environment as it was at this git revision.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
    /// Replace `${VAR}` placeholders from the environment before the check (default:
    /// keep them for ADC; always done with `--engine standalone`).
    #[arg(long)]
    pub resolve_variables: bool,
    /// Print Kubernetes manifests instead of the document (the Argo CD plugin's
    /// `generate`): a `ConfigMap` holding the standalone apisix.yaml, or (adc) a
    /// `ConfigMap` holding the bundle and a `Job` that runs `adc sync` on it.
    #[arg(long)]
    pub manifests: bool,
    /// Manifests: the base of the resources' names (default: `ARGOCD_APP_NAME`, else
    /// the environment's name).
    #[arg(long, value_name = "NAME", requires = "manifests")]
    pub name: Option<String>,
    /// Manifests, adc engine: the ADC image the Job runs.
    #[arg(long, value_name = "IMAGE", requires = "manifests")]
    pub adc_image: Option<String>,
    /// Manifests, adc engine: the Secret whose keys the Job gets as environment
    /// variables (`ADC_TOKEN`, the values of `${VAR}` placeholders); default NAME-adc.
    #[arg(long, value_name = "SECRET", requires = "manifests")]
    pub secret: Option<String>,
    /// Config and policies.
    #[command(flatten)]
    pub sources: SourceArgs,
    /// How the report of the findings (on stderr) reads.
    #[command(flatten)]
    pub human: HumanArgs,
}

/// Arguments of `gwlint drift`.
#[derive(Debug, Args)]
pub struct DriftArgs {
    /// The environment: a folder, or a name declared in .gwlint.yaml.
    pub environment: String,
    /// The engine (default: `apply.engine` in .gwlint.yaml, else adc).
    #[arg(long, value_enum)]
    pub engine: Option<EngineArg>,
    /// Standalone engine: the deployed apisix.yaml (default: `apply.out`; with
    /// `apply.server` the Admin API's configuration is read instead).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Compare the environment as it was at this git revision.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
    /// Output format; repeatable, each optionally followed by `--output FILE`.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Vec<OutputFormat>,
    /// Write the preceding `--format` to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Vec<PathBuf>,
    /// Config and policies.
    #[command(flatten)]
    pub sources: SourceArgs,
    /// How the human report reads.
    #[command(flatten)]
    pub human: HumanArgs,
    /// When to use colours in the human format.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
}

/// Arguments of `gwlint diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The environment being promoted from (folder or declared name).
    pub left: String,
    /// The environment being promoted to (folder or declared name).
    pub right: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: ListFormat,
    /// Also ignore these fields (repeatable), besides `diff.ignore` in .gwlint.yaml.
    #[arg(long = "ignore", value_name = "FIELD")]
    pub ignore: Vec<String>,
    /// Config and policies.
    #[command(flatten)]
    pub sources: SourceArgs,
}

/// `gwlint baseline ...` subcommands.
#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Record the current findings' fingerprints in FILE.
    #[command(after_help = BASELINE_EXAMPLES)]
    Write(BaselineWriteArgs),
}

/// Arguments of `gwlint baseline write`.
#[derive(Debug, Args)]
pub struct BaselineWriteArgs {
    /// The baseline file to write.
    pub file: PathBuf,
    /// Environment folders. Default: the environments in .gwlint.yaml.
    pub paths: Vec<PathBuf>,
    /// Config and policies.
    #[command(flatten)]
    pub sources: SourceArgs,
}

/// Arguments of `gwlint schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which file format.
    #[arg(long, value_enum, default_value = "adc")]
    pub format: FileFormat,
}

/// Arguments of `gwlint completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

/// `gwlint policy ...` subcommands.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Run the `_test.rego` files of the built-in and user policies.
    #[command(after_help = POLICY_TEST_EXAMPLES)]
    Test(PolicyTestArgs),
}

/// Where the config file and policies come from (shared by several subcommands).
#[derive(Debug, Args, Clone, Default)]
pub struct SourceArgs {
    /// Use this config file instead of searching for .gwlint.yaml upwards.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore any .gwlint.yaml.
    #[arg(long)]
    pub no_config: bool,
    /// Add the Rego policies of this folder (repeatable).
    #[arg(long = "policy", value_name = "DIR")]
    pub policy_dirs: Vec<PathBuf>,
    /// Add this JSON/YAML document to the policies' `data` (repeatable).
    #[arg(long = "data", value_name = "FILE")]
    pub data_files: Vec<PathBuf>,
    /// Leave the built-in policy library out.
    #[arg(long)]
    pub no_builtin_policies: bool,
    /// Run the built-in rules' Rego on regorus instead of their Rust twins (same
    /// findings, slower; to check the twins against their definition).
    #[arg(long, conflicts_with = "no_builtin_policies")]
    pub rego_builtins: bool,
}

/// How the human report reads (shared by the commands that print one). The other
/// formats always carry every finding.
#[derive(Debug, Args, Clone, Copy)]
pub struct HumanArgs {
    /// Human format: also show info findings (by default they are only counted in the
    /// summary line).
    #[arg(long)]
    pub show_info: bool,
    /// Human format: show at most N findings of one rule (per severity), then one line
    /// counting the rest; 0 shows them all.
    #[arg(long, value_name = "N", default_value_t = crate::report::DEFAULT_MAX_PER_RULE)]
    pub max_per_rule: usize,
    /// Print the number of findings of each rule, most first (in the human report, else
    /// on stderr).
    #[arg(long)]
    pub statistics: bool,
}

/// Arguments of `gwlint rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: ListFormat,
    /// Config and policies.
    #[command(flatten)]
    pub sources: SourceArgs,
}

/// Arguments of `gwlint explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule id.
    pub rule: String,
    /// Config and policies.
    #[command(flatten)]
    pub sources: SourceArgs,
}

/// Arguments of `gwlint inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// An environment folder, or the name of an environment in .gwlint.yaml.
    pub environment: String,
    /// Config and policies.
    #[command(flatten)]
    pub sources: SourceArgs,
    /// Print secret values (keys, passwords, private keys) as written instead of `***`.
    #[arg(long)]
    pub show_secrets: bool,
    /// How the report of the findings (on stderr) reads.
    #[command(flatten)]
    pub human: HumanArgs,
}

/// Arguments of `gwlint policy test`.
#[derive(Debug, Args)]
pub struct PolicyTestArgs {
    /// Folders of user policies whose tests run too.
    pub dirs: Vec<PathBuf>,
    /// Report line coverage of the rule files.
    #[arg(long)]
    pub coverage: bool,
    /// With --coverage: fail when a rule file's coverage is below this percentage.
    #[arg(long, value_name = "PERCENT", requires = "coverage")]
    pub threshold: Option<f64>,
    /// Leave the built-in policy library out.
    #[arg(long)]
    pub no_builtin_policies: bool,
}

/// How `gwlint check` finds and reads files.
#[derive(Debug, Args)]
pub struct FileArgs {
    /// Treat every file as this format instead of detecting it.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub file_format: Option<FileFormat>,
    /// Largest file to read, e.g. `10MiB` (default 10 MiB; at most 4 GiB minus one byte).
    #[arg(long, value_name = "SIZE")]
    pub max_file_size: Option<String>,
    /// Follow symbolic links while walking (loops are detected).
    #[arg(long)]
    pub follow_symlinks: bool,
    /// Skip a file given without declared environments when no top-level key names a
    /// gateway resource (CI workflows, Helm values); the pre-commit hook passes it.
    #[arg(long)]
    pub skip_non_gateway: bool,
}

/// Arguments of `gwlint check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Environment folders or files. Default: the environments in .gwlint.yaml.
    pub paths: Vec<PathBuf>,
    /// Config and policies.
    #[command(flatten)]
    pub sources: SourceArgs,
    /// Only check these environments of the config file (repeatable).
    #[arg(long = "env", value_name = "NAME")]
    pub environments: Vec<String>,
    /// Output format; repeatable, each optionally followed by `--output FILE`.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Vec<OutputFormat>,
    /// Write the preceding `--format` to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output: Vec<PathBuf>,
    /// Which findings fail the run (exit 1).
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: FailOn,
    /// Accept the findings recorded in this baseline file; fail only on new ones (default:
    /// `baseline` in .gwlint.yaml).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Report only findings in files changed in git since this revision.
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,
    /// Which files are read, and how.
    #[command(flatten)]
    pub files: FileArgs,
    /// Print only the findings (and the lines counting those not shown), without the
    /// summary line.
    #[arg(long, short)]
    pub quiet: bool,
    /// How the human report reads.
    #[command(flatten)]
    pub human: HumanArgs,
    /// When to use colours in the human format.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Print the wall time of each stage to stderr (`timing: <stage> <ms>`).
    #[arg(long)]
    pub timings: bool,
}

/// Output format of listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A table.
    Human,
    /// JSON.
    Json,
}

/// Which findings make `gwlint check` exit with 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Error findings (default).
    Error,
    /// Warning and error findings.
    Warning,
    /// Never fail because of findings.
    Never,
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

/// Pair each `--output FILE` with the `--format` given before it; formats without
/// an output go to stdout.
///
/// # Errors
/// A message when an `--output` has no `--format` before it, or two follow one format.
pub fn output_targets(
    args: &CheckArgs,
    matches: &clap::ArgMatches,
) -> Result<Vec<(OutputFormat, Option<PathBuf>)>, String> {
    output_targets_of(&args.format, &args.output, matches)
}

/// [`output_targets`] of any command with `--format` and `--output` (`drift`).
///
/// # Errors
/// As [`output_targets`].
pub fn output_targets_of(
    formats: &[OutputFormat],
    outputs: &[PathBuf],
    matches: &clap::ArgMatches,
) -> Result<Vec<(OutputFormat, Option<PathBuf>)>, String> {
    let format_at: Vec<usize> = matches
        .indices_of("format")
        .map(Iterator::collect)
        .unwrap_or_default();
    let output_at: Vec<usize> = matches
        .indices_of("output")
        .map(Iterator::collect)
        .unwrap_or_default();
    let explicit = matches.value_source("format") == Some(clap::parser::ValueSource::CommandLine);
    let mut targets: Vec<(OutputFormat, Option<PathBuf>)> =
        formats.iter().map(|f| (*f, None)).collect();
    for (output, index) in outputs.iter().zip(output_at) {
        let owner = format_at
            .iter()
            .rposition(|&at| at < index)
            .filter(|_| explicit)
            .ok_or_else(|| {
                format!(
                    "--output {} must follow the --format it is for",
                    output.display()
                )
            })?;
        if targets[owner].1.replace(output.clone()).is_some() {
            return Err(format!(
                "two --output files for one --format (at {})",
                output.display()
            ));
        }
    }
    Ok(targets)
}

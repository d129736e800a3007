//! The check pipeline: config → walk → read → parse → schema → model → findings.
//!
//! Owns the order of the stages and their timing, nothing else. Files are read,
//! parsed and validated in parallel (rayon), each independently, so one bad file
//! never stops the others; then each environment's files are merged into its model,
//! whose findings (duplicates across files) are added. Every finding is tagged with
//! its environment and the list is sorted, so output does not depend on threads.
//! `gwlint check`, which keeps only findings ([`Retain::Findings`]), runs the
//! environments one after another and frees each one's documents and model before
//! reading the next, so memory grows with the largest environment, not the tree.

use crate::config::{self, ApplyConfig, Config};
use crate::discover::{self, IgnoreSet, WalkOptions};
use crate::error::ToolError;
use crate::finding::{sort_findings, Finding, Location, Severity};
use crate::format::{self, Detected, Format};
use crate::load::{self, LoadLimits, LoadedFile};
use crate::model::{self, Environment, FilePart};
use crate::policy::{self, PolicySet, PolicySources, RuleSettings};
use crate::schema::{self, SchemaOptions, SchemaSet};
use crate::scope::{self, Scope};
use crate::suppress::{self, Suppressed};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Paths given on the command line (folders, or files).
    pub paths: Vec<PathBuf>,
    /// `--config FILE`.
    pub config_file: Option<PathBuf>,
    /// `--no-config`: ignore any `.gwlint.yaml`.
    pub no_config: bool,
    /// `--format-of-files`: force a file format.
    pub format: Option<Format>,
    /// `--max-file-size`.
    pub max_file_size: Option<u64>,
    /// `--follow-symlinks`.
    pub follow_symlinks: bool,
    /// `--env NAME` (repeatable): only these declared environments.
    pub only_environments: Vec<String>,
    /// `--policy DIR` (repeatable): user policy folders.
    pub policy_dirs: Vec<PathBuf>,
    /// `--data FILE` (repeatable): data documents for policies.
    pub data_files: Vec<PathBuf>,
    /// Whether and how the built-in rules run (`--no-builtin-policies`,
    /// `--rego-builtins`).
    pub builtin_rules: BuiltinRules,
    /// Report only findings in these files (`--changed-since`).
    pub report_only: Option<Vec<PathBuf>>,
    /// Skip a file given without a declared environment when it names no gateway
    /// resource at its top level (`--skip-non-gateway`, the pre-commit hook).
    pub skip_non_gateway: bool,
}

/// Whether and how the built-in policy library runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BuiltinRules {
    /// Built-in rules on, each Rego rule with a Rust twin run as the twin.
    #[default]
    Twins,
    /// Built-in rules on, every Rego rule run on regorus (`--rego-builtins`).
    Rego,
    /// No built-in rules (`--no-builtin-policies`).
    Off,
}

/// Everything a check needs that does not change between files.
#[derive(Debug)]
pub struct Checker {
    /// Compiled schemas.
    pub schemas: SchemaSet,
    /// Schema-stage settings.
    pub schema_options: SchemaOptions,
    /// Compiled policies.
    pub policies: PolicySet,
}

/// One file after its own checks.
#[derive(Debug)]
pub struct CheckedFile {
    /// The file, its document and its findings so far.
    pub file: LoadedFile,
    /// Its format, when it has a document.
    pub format: Option<Format>,
}

/// The result of checking one environment.
#[derive(Debug)]
pub struct EnvironmentReport {
    /// The environment's name.
    pub name: String,
    /// Its merged model.
    pub model: Environment,
    /// Its findings, in report order.
    pub findings: Vec<Finding>,
    /// How many files were checked.
    pub files: usize,
    /// Findings silenced by `gwlint-ignore` comments.
    pub suppressed: Vec<Suppressed>,
    /// The checked files with their documents (findings moved to `findings`).
    pub checked: Vec<CheckedFile>,
    /// Time spent building the policy input and in each rule (see
    /// [`policy::eval::Evaluation::timings`]).
    pub policy_timings: Vec<(String, std::time::Duration)>,
}

impl EnvironmentReport {
    /// Free the model's resources and the documents, keeping what the reporters of
    /// `gwlint check` need (findings, file names and counts). Both cores free them.
    fn release(&mut self) {
        let mut model = std::mem::take(&mut self.model);
        let checked = std::mem::take(&mut self.checked);
        self.model.name = std::mem::take(&mut model.name);
        self.model.files = std::mem::take(&mut model.files);
        rayon::join(
            || checked.into_par_iter().for_each(drop),
            || model.routes.into_par_iter().for_each(drop),
        );
    }
}

/// The result of a whole run.
#[derive(Debug, Default)]
pub struct Outcome {
    /// One report per environment, in the order they were declared or given.
    pub environments: Vec<EnvironmentReport>,
    /// Findings about the config file and the walk that belong to no environment.
    pub general_findings: Vec<Finding>,
    /// Wall time of each stage.
    pub timings: Vec<(&'static str, Duration)>,
    /// Fingerprints of accepted findings (`--baseline`).
    pub baseline: HashSet<String>,
    /// When set (files given, or `--changed-since`), only findings in these files are reported.
    pub report_only: Option<HashSet<String>>,
}

impl Outcome {
    /// Every reported finding, sorted.
    #[must_use]
    pub fn findings(&self) -> Vec<&Finding> {
        // Room for every finding at once: a list grown by doubling would briefly hold
        // three times as many references.
        let total = self.general_findings.len()
            + self
                .environments
                .iter()
                .map(|e| e.findings.len())
                .sum::<usize>();
        let mut all: Vec<&Finding> = Vec::with_capacity(total);
        all.extend(self.reported());
        all.sort_by(|a, b| a.report_order(b));
        all
    }

    /// Every reported finding, in no particular order (for counting).
    fn reported(&self) -> impl Iterator<Item = &Finding> {
        self.general_findings
            .iter()
            .chain(self.environments.iter().flat_map(|e| &e.findings))
            .filter(|f| self.is_reported(f))
    }

    /// Whether a finding is in the reported files.
    fn is_reported(&self, finding: &Finding) -> bool {
        self.report_only
            .as_ref()
            .is_none_or(|files| files.contains(finding.file()))
    }

    /// Whether a finding is accepted by the baseline.
    #[must_use]
    pub fn is_baseline(&self, finding: &Finding) -> bool {
        !self.baseline.is_empty()
            && self
                .baseline
                .contains(&crate::baseline::fingerprint(finding))
    }

    /// Reported findings that are not in the baseline, at or above a severity.
    #[must_use]
    pub fn new_findings_at_least(&self, severity: Severity) -> usize {
        self.reported()
            .filter(|f| f.severity >= severity && !self.is_baseline(f))
            .count()
    }

    /// Number of files checked.
    #[must_use]
    pub fn file_count(&self) -> usize {
        self.environments.iter().map(|e| e.files).sum()
    }

    /// Every suppressed finding in the reported files.
    #[must_use]
    pub fn suppressed(&self) -> Vec<&Suppressed> {
        self.environments
            .iter()
            .flat_map(|e| &e.suppressed)
            .filter(|s| self.is_reported(&s.finding))
            .collect()
    }

    /// Number of findings of a severity.
    #[must_use]
    pub fn count(&self, severity: Severity) -> usize {
        self.reported().filter(|f| f.severity == severity).count()
    }
}

pub use crate::scope::{Skipped, Target};

/// Everything prepared for a run: config, environments, compiled schemas and policies.
#[derive(Debug)]
pub struct Session {
    /// The config file's settings.
    pub config: Config,
    /// The environments to check.
    pub targets: Vec<Target>,
    /// Paths on the command line that are not checked, and why (see [`crate::scope`]).
    pub skipped: Vec<Skipped>,
    /// Compiled schemas and policies.
    pub checker: Checker,
    /// What each environment's report keeps besides its findings.
    pub retain: Retain,
    /// Substitute ADC files' `${VAR}` placeholders from the process environment
    /// before they are checked (`render --resolve-variables`, `render --engine
    /// standalone`, `apply`): the check then judges what the engine receives, and an
    /// unset variable is an `apply/unset-variable` error.
    pub resolve_variables: bool,
    limits: LoadLimits,
    walk_options: WalkOptions,
    forced_format: Option<Format>,
    report_only: Option<HashSet<String>>,
    /// How long reading the config and compiling schemas and policies took.
    setup: std::time::Duration,
}

/// What an environment's report keeps once its findings are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retain {
    /// The model and the checked files with their documents (for `inspect`, `apply`,
    /// `promote` and the policy input).
    Everything,
    /// What the reporters need: findings, file names and counts. The model takes the
    /// document values instead of copying them, and an environment's model and
    /// documents are freed before the next environment is read (the last one's stay
    /// until the outcome is dropped); sources stay with the findings that point into
    /// them.
    Findings,
}

/// Run a check.
///
/// # Errors
/// A [`ToolError`] when the run cannot happen: a bad config file, a path that does
/// not exist, an unknown `--env`, or a schema or policy that does not compile.
pub fn run(options: &CheckOptions) -> Result<Outcome, ToolError> {
    Ok(Session::new(options)?.run())
}

impl Session {
    /// Read the config, decide the environments and compile schemas and policies.
    ///
    /// # Errors
    /// As [`run`].
    pub fn new(options: &CheckOptions) -> Result<Self, ToolError> {
        let started = Instant::now();
        let config = load_config(options)?;
        let walk_options = WalkOptions {
            follow_symlinks: options.follow_symlinks || config.follow_symlinks,
            ignore: IgnoreSet::new(&config.ignore, config_base(&config)).map_err(ToolError::new)?,
        };
        let scope = scope::resolve(
            scope::Request {
                paths: &options.paths,
                only_environments: &options.only_environments,
                skip_non_gateway: options.skip_non_gateway,
            },
            &config,
            &walk_options,
        )?;
        let checker = Checker::from_config(&config, options)?;
        let limits = LoadLimits {
            max_file_bytes: options
                .max_file_size
                .or(config.max_file_size)
                .unwrap_or(LoadLimits::default().max_file_bytes),
            ..LoadLimits::default()
        };
        Ok(Session {
            report_only: report_only(options, &scope),
            config,
            targets: scope.targets,
            skipped: scope.skipped,
            checker,
            limits,
            walk_options,
            forced_format: options.format,
            retain: Retain::Everything,
            resolve_variables: false,
            setup: started.elapsed(),
        })
    }

    /// What an environment's placeholders stand for while its files are checked.
    fn substitution<'a>(&self, target: &'a Target) -> Substitution<'a> {
        if self.resolve_variables {
            Substitution::Environment
        } else {
            Substitution::Examples(&target.variable_examples)
        }
    }

    /// Check one environment from files already in memory (e.g. read from git).
    #[must_use]
    pub fn check_files(&self, target: &Target, files: Vec<LoadedFile>) -> Outcome {
        let checked: Vec<CheckedFile> = files
            .into_par_iter()
            .map(|file| {
                self.checker.check_file_with(
                    file,
                    self.forced_format.or(target.format),
                    &self.substitution(target),
                )
            })
            .collect();
        let mut checked = checked;
        let keep_values = self.retain == Retain::Everything;
        let (model, findings) = model::build(&target.name, &mut checked, keep_values);
        Outcome {
            environments: vec![self
                .checker
                .finish_environment(target, model, findings, checked)],
            general_findings: self.config.findings.clone(),
            ..Outcome::default()
        }
    }

    /// Check every environment.
    ///
    /// With [`Retain::Everything`] all environments go through each stage together.
    /// With [`Retain::Findings`] they go one after another, and each environment's
    /// documents and model are freed before the next environment is read, so memory
    /// is bounded by the largest environment rather than by the whole tree.
    #[must_use]
    pub fn run(&self) -> Outcome {
        let mut outcome = Outcome {
            general_findings: self.config.findings.clone(),
            report_only: self.report_only.clone(),
            ..Outcome::default()
        };
        outcome.timings.push(("setup", self.setup));
        let mut clock = Clock::new();
        let walked: Vec<(usize, PathBuf)> =
            walk_targets(&self.targets, &self.walk_options, &mut outcome);
        clock.lap("walk", &mut outcome);
        let batches: Vec<Range<usize>> = match self.retain {
            Retain::Everything => std::iter::once(0..self.targets.len()).collect(),
            Retain::Findings => (0..self.targets.len()).map(|i| i..i + 1).collect(),
        };
        for batch in batches {
            // With one environment per batch, the last report is the previous one.
            if let (Retain::Findings, Some(previous)) =
                (self.retain, outcome.environments.last_mut())
            {
                previous.release();
            }
            let files: Vec<&(usize, PathBuf)> = walked
                .iter()
                .filter(|(target, _)| batch.contains(target))
                .collect();
            let reports = self.check_batch(batch, &files, &mut clock, &mut outcome);
            outcome.environments.extend(reports);
        }
        sort_findings(&mut outcome.general_findings);
        outcome
    }

    /// Run every stage on the environments of `batch` (indices into the targets),
    /// whose files are `walked`.
    fn check_batch(
        &self,
        batch: Range<usize>,
        walked: &[&(usize, PathBuf)],
        clock: &mut Clock,
        outcome: &mut Outcome,
    ) -> Vec<EnvironmentReport> {
        let (checker, limits) = (&self.checker, &self.limits);
        let targets = &self.targets[batch.clone()];
        let texts: Vec<Result<String, Box<LoadedFile>>> = walked
            .par_iter()
            .map(|(_, path)| load::read_file(path, limits))
            .collect();
        clock.lap("read", outcome);
        // Each file is parsed, validated and taken apart for the model in one go. With
        // `Retain::Findings` the model takes the file's values, so only the files in
        // the workers' hands exist as `serde_json` values.
        let keep_values = self.retain == Retain::Everything;
        let staged: Vec<((CheckedFile, FilePart), StageTimes)> = texts
            .into_par_iter()
            .zip(walked.par_iter())
            .map(|(text, (index, path))| {
                let mut times = StageTimes::start();
                let loaded = match text {
                    Ok(text) => load::parse_text(path, text, limits),
                    Err(unreadable) => *unreadable,
                };
                times.end("parse");
                let target = &self.targets[*index];
                let format = self.forced_format.or(target.format);
                let mut file = checker.check_file_with(loaded, format, &self.substitution(target));
                times.end("schema");
                let part = FilePart::of(&mut file, keep_values);
                times.end("model");
                ((file, part), times)
            })
            .collect();
        let (validated, times): (Vec<(CheckedFile, FilePart)>, Vec<StageTimes>) =
            staged.into_iter().unzip();
        clock.split(&StageTimes::total(&times), outcome);
        crate::memory::files_read();
        let modelled: Vec<(Environment, Vec<Finding>, Vec<CheckedFile>)> =
            group_by_target(targets, batch.start, walked, validated)
                .into_par_iter()
                .map(|(name, files)| {
                    let (files, parts): (Vec<CheckedFile>, Vec<FilePart>) =
                        files.into_iter().unzip();
                    let (model, findings) = model::assemble(&name, &files, parts);
                    (model, findings, files)
                })
                .collect();
        clock.lap("model", outcome);
        let reports = modelled
            .into_par_iter()
            .zip(targets)
            .map(|((model, findings, files), target)| {
                checker.finish_environment(target, model, findings, files)
            })
            .collect();
        clock.lap("policy", outcome);
        reports
    }
}

/// The display paths of the files findings are limited to: the files the scope
/// narrows to (files, or parts of environments, on the command line) and
/// `report_only` (`--changed-since`).
fn report_only(options: &CheckOptions, scope: &Scope) -> Option<HashSet<String>> {
    if scope.report_only.is_none() && options.report_only.is_none() {
        return None;
    }
    Some(
        scope
            .report_only
            .iter()
            .flatten()
            .chain(options.report_only.iter().flatten())
            .map(|p| crate::source::display_path(p))
            .collect(),
    )
}

/// Measures the wall time of consecutive stages.
struct Clock(Instant);

impl Clock {
    fn new() -> Self {
        Clock(Instant::now())
    }

    /// End a stage; a stage that runs once per batch of environments adds up.
    fn lap(&mut self, stage: &'static str, outcome: &mut Outcome) {
        let now = Instant::now();
        let took = now - self.0;
        add_timing(outcome, stage, took);
        self.0 = now;
    }

    /// End stages that ran together, file by file: the wall time is shared among
    /// them in proportion to the time the workers spent in each.
    fn split(&mut self, spent: &[(&'static str, Duration)], outcome: &mut Outcome) {
        let now = Instant::now();
        let wall = (now - self.0).as_secs_f64();
        let busy: f64 = spent.iter().map(|(_, d)| d.as_secs_f64()).sum();
        for (stage, took) in spent {
            // With nothing measured (no files), the stages took no time.
            let share = if busy > 0.0 {
                took.as_secs_f64() / busy
            } else {
                0.0
            };
            add_timing(outcome, stage, Duration::from_secs_f64(wall * share));
        }
        self.0 = now;
    }
}

fn add_timing(outcome: &mut Outcome, stage: &'static str, took: Duration) {
    match outcome.timings.iter_mut().find(|(name, _)| *name == stage) {
        Some((_, total)) => *total += took,
        None => outcome.timings.push((stage, took)),
    }
}

/// The stages each file goes through in one pass, in order.
const FILE_STAGES: [&str; 3] = ["parse", "schema", "model"];

/// The time one worker spent on each of [`FILE_STAGES`] for one file.
struct StageTimes {
    last: Instant,
    spent: [Duration; 3],
    done: usize,
}

impl StageTimes {
    fn start() -> Self {
        StageTimes {
            last: Instant::now(),
            spent: [Duration::ZERO; 3],
            done: 0,
        }
    }

    /// End `stage` (the next of [`FILE_STAGES`]); the one after it starts now.
    fn end(&mut self, stage: &'static str) {
        debug_assert_eq!(FILE_STAGES.get(self.done), Some(&stage));
        let now = Instant::now();
        if let Some(spent) = self.spent.get_mut(self.done) {
            *spent = now - self.last;
        }
        self.done += 1;
        self.last = now;
    }

    /// The time spent on each of [`FILE_STAGES`] over all files.
    fn total(all: &[StageTimes]) -> Vec<(&'static str, Duration)> {
        FILE_STAGES
            .iter()
            .enumerate()
            .map(|(i, stage)| (*stage, all.iter().map(|t| t.spent[i]).sum()))
            .collect()
    }
}

/// Read the config file the options point to (or find one from the checked paths
/// upwards, then from the current directory), or defaults.
///
/// # Errors
/// A [`ToolError`] for a missing or invalid config file.
pub fn load_config(options: &CheckOptions) -> Result<Config, ToolError> {
    if let Some(file) = &options.config_file {
        return match std::fs::metadata(file) {
            Err(_) => Err(ToolError::new(format!(
                "{}: config file not found",
                file.display()
            ))),
            Ok(metadata) if !metadata.is_file() => Err(ToolError::new(format!(
                "{}: cannot read config file: {}",
                file.display(),
                crate::regular::not_regular(metadata.file_type())
            ))),
            Ok(_) => config::read(file),
        };
    }
    if options.no_config {
        return Ok(Config::default());
    }
    let cwd = std::env::current_dir()
        .map_err(|e| ToolError::new(format!("cannot read the current directory: {e}")))?;
    match scope::find_config(&options.paths, &cwd)? {
        Some(file) => config::read(&file),
        None => Ok(Config::default()),
    }
}

/// The folder ignore globs are relative to: the config file's, absolute like the
/// environment paths read from it.
fn config_base(config: &Config) -> Vec<PathBuf> {
    config
        .file
        .as_ref()
        .map(|f| std::path::absolute(f).unwrap_or_else(|_| f.clone()))
        .and_then(|f| f.parent().map(Path::to_path_buf))
        .map(|p| vec![p])
        .unwrap_or_default()
}

fn walk_targets(
    targets: &[Target],
    options: &WalkOptions,
    outcome: &mut Outcome,
) -> Vec<(usize, PathBuf)> {
    let mut files = Vec::new();
    for (index, target) in targets.iter().enumerate() {
        for root in &target.roots {
            let found = discover::walk(root, options);
            files.extend(found.files.into_iter().map(|f| (index, f)));
            outcome.general_findings.extend(found.findings);
        }
    }
    files
}

/// The checked files of `targets` (the targets from index `first` on), grouped by
/// target in target order.
fn group_by_target<T>(
    targets: &[Target],
    first: usize,
    walked: &[&(usize, PathBuf)],
    checked: Vec<T>,
) -> Vec<(String, Vec<T>)> {
    // Each group's list reserved exactly: with tens of thousands of files, lists grown
    // by doubling would hold up to twice the room beside the list being taken apart.
    let mut sizes = vec![0usize; targets.len()];
    for (target, _) in walked.iter().take(checked.len()) {
        sizes[*target - first] += 1;
    }
    let mut groups: Vec<(String, Vec<T>)> = targets
        .iter()
        .zip(sizes)
        .map(|(t, size)| (t.name.clone(), Vec::with_capacity(size)))
        .collect();
    for ((target, _), file) in walked.iter().zip(checked) {
        groups[*target - first].1.push(file);
    }
    groups
}

impl Checker {
    /// A checker with the built-in schemas and policies plus what the config file and
    /// the command line add.
    ///
    /// # Errors
    /// A [`ToolError`] when a plugin schema or a policy cannot be read or compiled.
    pub fn from_config(config: &Config, options: &CheckOptions) -> Result<Self, ToolError> {
        let dirs: Vec<&Path> = config.plugin_schemas.iter().map(PathBuf::as_path).collect();
        let sources = PolicySources {
            dirs: config
                .policies
                .iter()
                .chain(&options.policy_dirs)
                .cloned()
                .collect(),
            data: config
                .data
                .iter()
                .chain(&options.data_files)
                .cloned()
                .collect(),
            no_builtin: options.builtin_rules == BuiltinRules::Off,
            limits: config.policy_limits,
        };
        // Schemas and policies compile independently: side by side.
        let (schemas, policies) = rayon::join(
            || {
                let version = config
                    .apisix_version
                    .unwrap_or_else(crate::schema::plugins::default_version);
                let mut schemas = SchemaSet::load_version(version, &dirs)
                    .map_err(|e| ToolError::new(format!("cannot load plugin schemas: {e}")))?;
                schemas.plugins.limit_to(
                    config.enabled_plugins.clone(),
                    config.enabled_stream_plugins.clone(),
                );
                Ok::<_, ToolError>(schemas)
            },
            || PolicySet::load(&sources),
        );
        Ok(Checker {
            schemas: schemas?,
            schema_options: SchemaOptions {
                custom_plugins: config.custom_plugins.clone(),
            },
            policies: {
                let mut policies = policies?;
                policies.rego_builtins = options.builtin_rules == BuiltinRules::Rego;
                policies
            },
        })
    }

    /// Check one environment's loaded files with default rule settings (used by tests).
    #[must_use]
    pub fn check_environment(
        &self,
        name: &str,
        files: Vec<LoadedFile>,
        forced: Option<Format>,
    ) -> EnvironmentReport {
        let checked: Vec<CheckedFile> = files
            .into_par_iter()
            .map(|file| self.check_file(file, forced))
            .collect();
        let mut checked = checked;
        let (model, findings) = model::build(name, &mut checked, true);
        let target = Target {
            name: name.to_owned(),
            roots: Vec::new(),
            format: forced,
            rules: RuleSettings::default(),
            apply: ApplyConfig::default(),
            variable_examples: std::collections::BTreeMap::new(),
        };
        self.finish_environment(&target, model, findings, checked)
    }

    /// Run the policies on a built model, apply the rule settings and collect the
    /// environment's findings.
    #[must_use]
    pub fn finish_environment(
        &self,
        target: &Target,
        mut model: Environment,
        model_findings: Vec<Finding>,
        mut files: Vec<CheckedFile>,
    ) -> EnvironmentReport {
        model::backend::paths_as_synced(&mut model, target.apply.backend.as_deref());
        let file_count = files.len();
        let adc = files.iter().any(|c| c.format == Some(Format::Adc));
        let mut file_findings: Vec<Finding> = files
            .iter_mut()
            .flat_map(|c| std::mem::take(&mut c.file.findings))
            .collect();
        let documents = model::Documents::new(&files);
        let mut environment_findings =
            model::backend::ignored_fields(&model, target.apply.backend.as_deref(), &documents);
        environment_findings.extend(schema::environment::check(
            &model,
            &self.schemas,
            &documents,
        ));
        if adc {
            // ADC reads every file of the environment and stops at an empty one.
            for finding in file_findings
                .iter_mut()
                .filter(|f| f.rule == "parse/empty-file")
            {
                finding.severity = Severity::Error;
                finding.message = "file holds no document: ADC 0.28 refuses to load it (\"expected a \
                                   document, but the input is empty\"), so `adc sync` of this environment fails"
                    .into();
            }
        }
        // One list, filled and filtered in place: with a finding on every route, each
        // copy of the list would be tens of megabytes. The policies' results become
        // findings rule by rule, as each rule's are ready.
        let mut findings: Vec<Finding> = Vec::with_capacity(
            file_findings.len() + model_findings.len() + environment_findings.len(),
        );
        findings.extend(file_findings);
        findings.extend(model_findings);
        findings.extend(environment_findings);
        let policy_timings =
            policy::evaluate_into(&self.policies, &model, &target.rules, &mut |results| {
                policy::locate_into(&mut findings, results, &documents);
            });
        let (suppressions, comment_findings) = suppress::collect(&files);
        findings.retain(|f| target.rules.enabled(&f.rule));
        for finding in &mut findings {
            finding.severity = target.rules.severity(&finding.rule, finding.severity);
        }
        let (mut findings, mut suppressed) = if suppressions.is_empty() {
            (findings, Vec::new())
        } else {
            suppress::apply(findings, &suppressions)
        };
        findings.extend(comment_findings);
        // One copy of the name, shared by every finding.
        let environment = crate::finding::Text::from(&target.name);
        for finding in findings
            .iter_mut()
            .chain(suppressed.iter_mut().map(|s| &mut s.finding))
        {
            finding.environment = Some(environment.clone());
        }
        sort_findings(&mut findings);
        suppressed.sort_by(|a, b| a.finding.report_order(&b.finding));
        EnvironmentReport {
            name: target.name.clone(),
            model,
            findings,
            files: file_count,
            suppressed,
            checked: files,
            policy_timings,
        }
    }

    /// Detect a file's format and validate it.
    #[must_use]
    pub fn check_file(&self, file: LoadedFile, forced: Option<Format>) -> CheckedFile {
        self.check_file_with(file, forced, &Substitution::Examples(&BTreeMap::new()))
    }

    /// Detect a file's format, substitute its placeholders as `substitution` says
    /// (ADC files only), and validate it.
    #[must_use]
    pub fn check_file_with(
        &self,
        mut file: LoadedFile,
        forced: Option<Format>,
        substitution: &Substitution<'_>,
    ) -> CheckedFile {
        let Some(document) = &file.document else {
            file.source
                .set_redactions(crate::secrets::secret_spans_in_lines(&file.source));
            return CheckedFile { file, format: None };
        };
        file.source
            .set_redactions(crate::secrets::secret_spans(document));
        let format = match forced {
            Some(format) => format,
            None => match format::detect(&file.source.path, &document.value) {
                Detected::Format(format) => format,
                Detected::Mixed {
                    adc_key,
                    standalone_key,
                } => {
                    let finding = mixed_format(&file, &adc_key, &standalone_key);
                    file.findings.push(finding);
                    return CheckedFile { file, format: None };
                }
            },
        };
        let findings = match (format, substitution) {
            (Format::Adc, Substitution::Environment) => {
                let lookup = |name: &str| std::env::var(name).ok();
                let mut resolved = document.clone();
                let mut findings = crate::variables::resolve(&file.source, &mut resolved, &lookup);
                findings.extend(schema::validate_document(
                    &self.schemas,
                    &self.schema_options,
                    format,
                    &file.source,
                    &resolved,
                ));
                file.document = Some(resolved);
                findings
            }
            (Format::Adc, Substitution::Examples(examples)) if !examples.is_empty() => {
                let judged = crate::variables::with_examples(&document.value, examples);
                let mut findings = schema::validate_value(
                    &self.schemas,
                    &self.schema_options,
                    format,
                    &file.source,
                    document,
                    judged.as_ref().unwrap_or(&document.value),
                );
                // Say where a value the file does not show came from.
                for finding in &mut findings {
                    let written = document.value.pointer(&finding.location.pointer);
                    if written
                        .and_then(serde_json::Value::as_str)
                        .is_some_and(|t| t.contains("${"))
                        && judged
                            .as_ref()
                            .and_then(|j| j.pointer(&finding.location.pointer))
                            != written
                    {
                        finding.message.push_str(
                            " (with the example values of the environment's `variables`)",
                        );
                    }
                }
                findings
            }
            _ => schema::validate_document(
                &self.schemas,
                &self.schema_options,
                format,
                &file.source,
                document,
            ),
        };
        file.findings.extend(findings);
        CheckedFile {
            file,
            format: Some(format),
        }
    }
}

/// What an ADC file's `${VAR}` placeholders stand for while it is checked.
#[derive(Debug, Clone, Copy)]
pub enum Substitution<'a> {
    /// Placeholders stay; a value whose placeholders all have example values is
    /// judged as what it becomes with them, any other only by its shape.
    Examples(&'a BTreeMap<String, String>),
    /// Placeholders are replaced in the document by the process environment's
    /// values before the check (an unset variable is an error).
    Environment,
}

/// The finding for a file that mixes ADC and standalone top-level keys.
fn mixed_format(file: &LoadedFile, adc_key: &str, standalone_key: &str) -> Finding {
    let at = |key: &str| {
        let pointer = crate::load::document::join_pointer("", key);
        let span = file
            .document
            .as_ref()
            .map(|d| d.locate(&pointer))
            .map(|l| l.key_span.unwrap_or(l.span))
            .unwrap_or_default();
        Location {
            source: file.source.clone(),
            span,
            pointer,
        }
    };
    Finding::new(
        "schema/mixed-format",
        Severity::Error,
        format!("file mixes ADC (`{adc_key}`) and APISIX standalone (`{standalone_key}`) top-level keys; it was not validated"),
        "keep ADC files and standalone files apart, or set `format` for this environment in .gwlint.yaml",
        at(standalone_key),
    )
    .with_related("ADC key here", at(adc_key))
}

#[cfg(test)]
mod tests {
    use super::{Clock, Outcome, StageTimes};
    use std::time::{Duration, Instant};

    #[test]
    fn stages_run_together_share_the_wall_time_by_the_time_spent_in_each() {
        let mut outcome = Outcome::default();
        let started = Instant::now()
            .checked_sub(Duration::from_millis(400))
            .unwrap();
        let mut clock = Clock(started);
        let spent = [
            ("parse", Duration::from_millis(300)),
            ("schema", Duration::from_millis(100)),
            ("model", Duration::ZERO),
        ];
        clock.split(&spent, &mut outcome);
        let took =
            |outcome: &Outcome, stage| outcome.timings.iter().find(|(s, _)| *s == stage).unwrap().1;
        let parse = took(&outcome, "parse").as_secs_f64();
        let schema = took(&outcome, "schema").as_secs_f64();
        assert!(parse + schema >= 0.4, "the whole wall time is shared");
        assert!((parse / schema - 3.0).abs() < 1e-6);
        assert_eq!(took(&outcome, "model"), Duration::ZERO);
        clock.split(&spent, &mut outcome);
        assert!(
            took(&outcome, "parse").as_secs_f64() > parse,
            "a second batch adds up"
        );
    }

    #[test]
    fn every_file_stage_is_timed_even_with_no_files() {
        let total = StageTimes::total(&[]);
        let stages: Vec<&str> = total.iter().map(|(s, _)| *s).collect();
        assert_eq!(stages, ["parse", "schema", "model"]);
        assert!(total.iter().all(|(_, d)| d.is_zero()));
    }
}

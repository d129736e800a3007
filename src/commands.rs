//! The subcommands: each turns parsed arguments into library calls and output.
//!
//! Only this module and `main` write to stdout/stderr. Each command returns the
//! process exit code (0 clean, 1 findings or failures, 2 is reserved for errors
//! returned as [`ToolError`]).

use crate::apply;
use crate::check::{self, BuiltinRules, CheckOptions, Outcome, Session};
use crate::cli::{
    ApplyArgs, BaselineWriteArgs, CheckArgs, ColorChoice, CompletionsArgs, DiffArgs, DriftArgs,
    EngineArg, ExplainArgs, FailOn, HumanArgs, InitArgs, InspectArgs, ListFormat, PolicyTestArgs,
    RenderArgs, RulesArgs, SchemaArgs, SourceArgs,
};
use crate::error::ToolError;
use crate::finding::Severity;
use crate::policy::{self, PolicySet, PolicySources};
use crate::report::{self, HumanStyle, OutputFormat};
use crate::rules::{self, RuleInfo};
use std::io::{IsTerminal, Write};

/// Exit code: no error findings.
pub const EXIT_OK: u8 = 0;
/// Exit code: error findings, or failed tests.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: the tool could not run (bad arguments, unreadable config, a crash).
pub const EXIT_TOOL_ERROR: u8 = 2;

fn options_from_sources(sources: &SourceArgs) -> CheckOptions {
    CheckOptions {
        config_file: sources.config.clone(),
        no_config: sources.no_config,
        policy_dirs: sources.policy_dirs.clone(),
        data_files: sources.data_files.clone(),
        builtin_rules: if sources.no_builtin_policies {
            BuiltinRules::Off
        } else if sources.rego_builtins {
            BuiltinRules::Rego
        } else {
            BuiltinRules::Twins
        },
        ..CheckOptions::default()
    }
}

/// How much output is gathered before it is written to stdout or stderr.
const OUTPUT_BUFFER: usize = 64 * 1024;

/// Write to stdout through one buffer flushed at the end (stdout itself is
/// line-buffered: a report of many lines would otherwise be one write per line),
/// treating a closed pipe as success.
fn emit(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), ToolError> {
    let mut stdout = std::io::BufWriter::with_capacity(OUTPUT_BUFFER, std::io::stdout().lock());
    match write(&mut stdout).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(ToolError::new(format!("cannot write output: {e}")))
        }
        _ => Ok(()),
    }
}

/// Write to stderr (buffered: a report of many findings is written in large pieces),
/// treating a closed pipe as success.
fn emit_to_stderr(
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), ToolError> {
    let mut stderr = std::io::BufWriter::with_capacity(OUTPUT_BUFFER, std::io::stderr().lock());
    match write(&mut stderr).and_then(|()| stderr.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(ToolError::new(format!("cannot write to stderr: {e}")))
        }
        _ => Ok(()),
    }
}

/// `gwlint check`.
///
/// # Errors
/// A [`ToolError`] when the check cannot run.
pub fn check(
    args: &CheckArgs,
    outputs: &[(OutputFormat, Option<std::path::PathBuf>)],
) -> Result<u8, ToolError> {
    let max_file_size = match &args.files.max_file_size {
        Some(text) => {
            let bytes = crate::config::parse_size(text).ok_or_else(|| {
                ToolError::new(format!(
                    "--max-file-size: `{text}` is not a size such as 10MiB"
                ))
            })?;
            let bytes = crate::config::within_file_size_cap(bytes).map_err(|message| {
                ToolError::new(format!("--max-file-size: `{text}`: {message}"))
            })?;
            Some(bytes)
        }
        None => None,
    };
    let report_only = match &args.changed_since {
        Some(revision) => Some(crate::git::changed_files(revision)?),
        None => None,
    };
    let options = CheckOptions {
        paths: args.paths.clone(),
        format: args.files.file_format.map(Into::into),
        max_file_size,
        follow_symlinks: args.files.follow_symlinks,
        only_environments: args.environments.clone(),
        report_only,
        skip_non_gateway: args.files.skip_non_gateway,
        ..options_from_sources(&args.sources)
    };
    let mut session = Session::new(&options)?;
    if !args.quiet {
        print_skipped(&session);
    }
    session.retain = check::Retain::Findings;
    let mut outcome = session.run();
    if let Some(file) = args.baseline.as_ref().or(session.config.baseline.as_ref()) {
        outcome.baseline = crate::baseline::read(file)?;
    }
    let style = HumanStyle {
        quiet: args.quiet,
        ..human_style(args.human, use_color(args.color, &std::io::stdout()))
    };
    let started = std::time::Instant::now();
    write_reports(&outcome, &session, outputs, style)?;
    outcome.timings.push(("report", started.elapsed()));
    if args.timings {
        print_timings(&outcome);
    }
    let code = exit_code(&outcome, args.fail_on);
    // The process ends right after this; freeing the documents, models and findings
    // one allocation at a time would only add to the run's wall time.
    std::mem::forget(outcome);
    Ok(code)
}

/// Write the report of `outcome` in each of `outputs` (a file, or stdout), the
/// statistics on stderr when no human report carries them, and the GitHub job
/// summary when the github format is written and `GITHUB_STEP_SUMMARY` names a file.
fn write_reports(
    outcome: &Outcome,
    session: &Session,
    outputs: &[(OutputFormat, Option<std::path::PathBuf>)],
    style: HumanStyle,
) -> Result<(), ToolError> {
    let rules = rules::registry_for(
        &session.checker.schemas,
        &session.checker.policies,
        &outcome.findings(),
    );
    for (format, file) in outputs {
        match file {
            None => emit(|out| report::write(outcome, *format, style, &rules, out))?,
            Some(path) => write_file(path, |out| {
                report::write(
                    outcome,
                    *format,
                    HumanStyle {
                        color: false,
                        ..style
                    },
                    &rules,
                    out,
                )
            })?,
        }
    }
    if style.statistics && !outputs.iter().any(|(f, _)| *f == OutputFormat::Human) {
        // No human report to carry the statistics: stderr, so that stdout stays the
        // machine-readable report.
        let findings = outcome.findings();
        emit_to_stderr(|out| report::human::write_statistics(&findings, &rules, out))?;
    }
    if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY")
        .filter(|_| outputs.iter().any(|(f, _)| *f == OutputFormat::Github))
    {
        append_summary(
            std::path::Path::new(&summary),
            &report::github::summary_markdown(outcome),
        )?;
    }
    Ok(())
}

/// Say on stderr which paths of the command line are not checked, and why.
fn print_skipped(session: &Session) {
    let mut stderr = std::io::stderr().lock();
    for skipped in &session.skipped {
        let _ = writeln!(
            stderr,
            "note: skipped {}: {}",
            crate::report::printable(&crate::source::display_path(&skipped.path)),
            skipped.reason
        );
    }
}

/// Write a report to a file, creating it.
fn write_file(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), ToolError> {
    // `--output reports/gwlint.sarif`: the folder is made as needed.
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .map_err(|e| ToolError::new(format!("{}: cannot create: {e}", folder.display())))?;
    }
    let file = std::fs::File::create(path)
        .map_err(|e| ToolError::new(format!("{}: cannot create: {e}", path.display())))?;
    let mut out = std::io::BufWriter::with_capacity(OUTPUT_BUFFER, file);
    write(&mut out)
        .and_then(|()| out.flush())
        .map_err(|e| ToolError::new(format!("{}: cannot write: {e}", path.display())))
}

/// Append the job summary to the file GitHub names in `GITHUB_STEP_SUMMARY`.
fn append_summary(path: &std::path::Path, markdown: &str) -> Result<(), ToolError> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| {
            ToolError::new(format!(
                "{}: cannot open the job summary: {e}",
                path.display()
            ))
        })?;
    file.write_all(markdown.as_bytes()).map_err(|e| {
        ToolError::new(format!(
            "{}: cannot write the job summary: {e}",
            path.display()
        ))
    })
}

/// Whether to colour what goes to `stream` (stdout or stderr).
fn use_color(choice: ColorChoice, stream: &impl IsTerminal) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && stream.is_terminal()
        }
    }
}

/// The human report's style from its flags.
fn human_style(human: HumanArgs, color: bool) -> HumanStyle {
    HumanStyle {
        color,
        quiet: false,
        least_shown: if human.show_info {
            Severity::Info
        } else {
            Severity::Warning
        },
        max_per_rule: human.max_per_rule,
        statistics: human.statistics,
    }
}

/// `timing: <stage> <ms>` for each stage, then `policy-timing: <rule> <ms>` for the
/// policy input and each rule (summed over environments, largest first).
fn print_timings(outcome: &Outcome) {
    let mut stderr = std::io::stderr().lock();
    for (stage, duration) in &outcome.timings {
        let _ = writeln!(
            stderr,
            "timing: {stage} {:.3}",
            duration.as_secs_f64() * 1000.0
        );
    }
    let mut rules: std::collections::BTreeMap<&str, std::time::Duration> =
        std::collections::BTreeMap::new();
    for (rule, duration) in outcome.environments.iter().flat_map(|e| &e.policy_timings) {
        *rules.entry(rule).or_default() += *duration;
    }
    let mut rules: Vec<_> = rules.into_iter().collect();
    rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    for (rule, duration) in rules {
        let _ = writeln!(
            stderr,
            "policy-timing: {rule} {:.3}",
            duration.as_secs_f64() * 1000.0
        );
    }
}

/// 1 when a reported finding that is not in the baseline reaches the `--fail-on`
/// severity, else 0.
fn exit_code(outcome: &Outcome, fail_on: FailOn) -> u8 {
    let threshold = match fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Never => return EXIT_OK,
    };
    if outcome.new_findings_at_least(threshold) > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// `gwlint baseline write FILE`.
///
/// # Errors
/// A [`ToolError`] when the check cannot run or the file cannot be written.
pub fn baseline_write(args: &BaselineWriteArgs) -> Result<u8, ToolError> {
    let options = CheckOptions {
        paths: args.paths.clone(),
        ..options_from_sources(&args.sources)
    };
    let outcome = check::run(&options)?;
    let document = crate::baseline::document(&outcome);
    write_file(&args.file, |out| {
        serde_json::to_writer_pretty(&mut *out, &document)?;
        writeln!(out)
    })?;
    let _ = writeln!(
        std::io::stderr(),
        "wrote {} finding(s) to {}",
        outcome.findings().len(),
        args.file.display()
    );
    Ok(EXIT_OK)
}

/// `gwlint schema`.
///
/// # Errors
/// A [`ToolError`] when the built-in schemas cannot be loaded.
pub fn schema(args: &SchemaArgs) -> Result<u8, ToolError> {
    let schemas = crate::schema::SchemaSet::load(&[]).map_err(ToolError::new)?;
    let document = crate::schema::editor::editor_schema(&schemas, args.format.into());
    emit(|out| {
        serde_json::to_writer_pretty(&mut *out, &document)?;
        writeln!(out)
    })?;
    Ok(EXIT_OK)
}

/// `gwlint completions SHELL`.
///
/// # Errors
/// A [`ToolError`] when stdout cannot be written.
pub fn completions(args: &CompletionsArgs) -> Result<u8, ToolError> {
    let mut command = <crate::cli::Cli as clap::CommandFactory>::command();
    // clap_complete panics when its writer fails (a full disk, say), so the script is
    // written to memory first and then to stdout, where a failure is an error.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "gwlint", &mut script);
    emit(|out| out.write_all(&script))?;
    Ok(EXIT_OK)
}

/// The rule registry for the given sources.
fn registry(sources: &SourceArgs) -> Result<Vec<RuleInfo>, ToolError> {
    let options = options_from_sources(sources);
    let config = check::load_config(&options)?;
    let checker = check::Checker::from_config(&config, &options)?;
    Ok(rules::registry(&checker.schemas, &checker.policies))
}

/// `gwlint rules`.
///
/// # Errors
/// A [`ToolError`] when schemas or policies cannot be loaded.
pub fn rules(args: &RulesArgs) -> Result<u8, ToolError> {
    let registry = registry(&args.sources)?;
    emit(|out| match args.format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &registry)?;
            writeln!(out)
        }
        ListFormat::Human => {
            let width = registry.iter().map(|r| r.id.len()).max().unwrap_or(0);
            for rule in &registry {
                writeln!(
                    out,
                    "{:width$}  {:7}  {}",
                    rule.id,
                    rule.severity.as_str(),
                    rule.title
                )?;
            }
            writeln!(out, "\n{} rules", registry.len())
        }
    })?;
    Ok(EXIT_OK)
}

/// `gwlint lsp`: serve one editor over stdio until it shuts down.
///
/// # Errors
/// A [`ToolError`] when the client breaks the protocol.
pub fn lsp(args: &crate::cli::LspArgs) -> Result<u8, ToolError> {
    let ended = crate::lsp::run_stdio(crate::lsp::Options {
        debounce: std::time::Duration::from_millis(args.debounce_ms),
    })
    .map_err(|e| ToolError::new(format!("gwlint lsp: {e}")))?;
    Ok(match ended {
        crate::lsp::Ended::Shutdown => EXIT_OK,
        crate::lsp::Ended::Disconnected => {
            let _ = writeln!(
                std::io::stderr(),
                "gwlint lsp: the editor closed the connection without shutting the server down"
            );
            EXIT_FINDINGS
        }
    })
}

/// `gwlint explain RULE`.
///
/// # Errors
/// A [`ToolError`] for an unknown rule id.
pub fn explain(args: &ExplainArgs) -> Result<u8, ToolError> {
    let registry = registry(&args.sources)?;
    let text = explain_text(&registry, &args.rule)?;
    emit(|out| out.write_all(text.as_bytes()))?;
    Ok(EXIT_OK)
}

/// What `gwlint explain RULE` prints, from a rule registry ([`crate::rules::registry`]):
/// the rule's title, default severity, origin, documentation and help, or for a
/// renamed id the ids that replaced it. Also the hover text of `gwlint lsp`.
///
/// # Errors
/// A [`ToolError`] for an unknown rule id.
pub fn explain_text(
    registry: &[crate::rules::RuleInfo],
    rule_id: &str,
) -> Result<String, ToolError> {
    use std::fmt::Write as _;
    let wanted = crate::policy::settings::full_id(rule_id);
    let mut out = String::new();
    if let (Some(new_ids), Some(note)) = (
        crate::renamed::renamed(&wanted),
        crate::renamed::renamed_note(&wanted),
    ) {
        let _ = writeln!(out, "# {wanted}: renamed\n");
        let _ = writeln!(out, "{note}\n");
        let _ = writeln!(out, "New rule ids:");
        for id in new_ids {
            let _ = writeln!(out, "- {id} (`gwlint explain {id}`)");
        }
        let _ = writeln!(
            out,
            "\nA `.gwlint.yaml` rule setting or a `gwlint-ignore` comment naming `{wanted}` still applies to the new ids \
             (deprecated: old ids will stop working in a later release)."
        );
        return Ok(out);
    }
    let rule = registry
        .iter()
        .find(|r| r.id == wanted || r.id == rule_id)
        .ok_or_else(|| {
            ToolError::new(format!("unknown rule `{rule_id}`"))
                .with_help("`gwlint rules` lists every rule id")
        })?;
    let _ = writeln!(out, "# {}: {}\n", rule.id, rule.title);
    let _ = writeln!(
        out,
        "Default severity: {}. Defined by: {}.\n",
        rule.severity, rule.source
    );
    let _ = writeln!(out, "{}\n", rule.description.trim_end());
    let _ = writeln!(out, "Help: {}", rule.help);
    Ok(out)
}

/// `gwlint inspect ENV`.
///
/// # Errors
/// A [`ToolError`] when the environment cannot be found or loaded.
pub fn inspect(args: &InspectArgs) -> Result<u8, ToolError> {
    let mut options = options_from_sources(&args.sources);
    let as_path = std::path::PathBuf::from(&args.environment);
    if as_path.exists() {
        options.paths = vec![as_path];
    } else {
        options.only_environments = vec![args.environment.clone()];
    }
    let session = Session::new(&options)?;
    let outcome = session.run();
    let (Some(report), Some(target)) = (outcome.environments.first(), session.targets.first())
    else {
        return Err(ToolError::new(format!(
            "no environment `{}`",
            args.environment
        )));
    };
    let input = policy::input_document(&session.checker.policies, &report.model, &target.rules);
    // The findings go to stderr: stdout is the document alone.
    report_to_stderr(&outcome, &session, args.human, None)?;
    let mut input = serde_json::to_value(&input)
        .map_err(|e| ToolError::new(format!("cannot convert the policy input: {e}")))?;
    if !args.show_secrets {
        crate::secrets::mask_input(&mut input);
    }
    emit(|out| {
        serde_json::to_writer_pretty(&mut *out, &input)?;
        writeln!(out)
    })?;
    Ok(EXIT_OK)
}

/// `gwlint policy test`.
///
/// # Errors
/// A [`ToolError`] when a policy cannot be compiled.
pub fn policy_test(args: &PolicyTestArgs) -> Result<u8, ToolError> {
    let set = PolicySet::load(&PolicySources {
        dirs: args.dirs.clone(),
        data: Vec::new(),
        no_builtin: args.no_builtin_policies,
        ..PolicySources::default()
    })?;
    let (outcomes, coverage) = policy::testing::run(&set, args.coverage)?;
    let failed = outcomes.iter().filter(|o| !o.passed).count();
    let mut below = Vec::new();
    emit(|out| {
        for outcome in &outcomes {
            let status = if outcome.passed { "PASS" } else { "FAIL" };
            write!(out, "{status} {} {}", outcome.file, outcome.name)?;
            match &outcome.failure {
                Some(why) => writeln!(out, ": {why}")?,
                None => writeln!(out)?,
            }
        }
        for file in &coverage {
            writeln!(
                out,
                "coverage {:5.1}% {} ({} of {} lines)",
                file.percent(),
                file.file,
                file.covered,
                file.covered + file.not_covered
            )?;
            if args.threshold.is_some_and(|t| file.percent() < t) {
                below.push(file.file.clone());
            }
        }
        writeln!(out, "{} passed, {failed} failed", outcomes.len() - failed)
    })?;
    if !below.is_empty() {
        let _ = writeln!(
            std::io::stderr(),
            "coverage below the threshold: {}",
            below.join(", ")
        );
    }
    Ok(if failed > 0 || !below.is_empty() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

fn session_for(environment: &str, sources: &SourceArgs) -> Result<Session, ToolError> {
    let mut options = options_from_sources(sources);
    let as_path = std::path::PathBuf::from(environment);
    if as_path.exists() {
        options.paths = vec![as_path];
    } else {
        options.only_environments = vec![environment.to_owned()];
    }
    let session = Session::new(&options)?;
    print_skipped(&session);
    Ok(session)
}

fn engine_of(arg: Option<EngineArg>, configured: Option<&str>) -> apply::Engine {
    match (arg, configured) {
        (Some(EngineArg::Standalone), _) | (None, Some("standalone")) => apply::Engine::Standalone,
        _ => apply::Engine::Adc,
    }
}

/// Report the findings of a command whose stdout is its product (a rendered document,
/// the policy input, the hand-off's log) on stderr, in the human format, followed by
/// `last_line` when given. Nothing is written when there are no findings and no last
/// line.
fn report_to_stderr(
    outcome: &Outcome,
    session: &Session,
    human: HumanArgs,
    last_line: Option<&str>,
) -> Result<(), ToolError> {
    let findings = outcome.findings();
    if findings.is_empty() && last_line.is_none() {
        return Ok(());
    }
    let rules = rules::registry_for(
        &session.checker.schemas,
        &session.checker.policies,
        &findings,
    );
    let style = human_style(human, use_color(ColorChoice::Auto, &std::io::stderr()));
    emit_to_stderr(|out| {
        report::write(outcome, OutputFormat::Human, style, &rules, out)?;
        match last_line {
            Some(line) => writeln!(out, "{line}"),
            None => Ok(()),
        }
    })
}

/// Report the findings that blocked a hand-off on stderr, and say so. Returns the exit
/// code (1).
fn print_refusal(
    outcome: &Outcome,
    session: &Session,
    human: HumanArgs,
    verb: &str,
) -> Result<u8, ToolError> {
    report_to_stderr(
        outcome,
        session,
        human,
        Some(&format!(
            "gwlint: refusing to {verb}: the environment has failing findings; nothing was {}",
            if verb == "render" {
                "rendered"
            } else {
                "handed off"
            }
        )),
    )?;
    Ok(EXIT_FINDINGS)
}

/// `gwlint apply ENV`.
///
/// # Errors
/// A [`ToolError`] when the check or the engine cannot run.
pub fn apply(args: &ApplyArgs) -> Result<u8, ToolError> {
    let mut session = session_for(&args.environment, &args.sources)?;
    // What is handed off has its placeholders resolved: check that.
    session.resolve_variables = true;
    let request = apply::ApplyRequest {
        engine: None,
        dry_run: args.dry_run,
        revision: args.rev.clone(),
        allow_deletes: args.allow_deletes,
        out: args.out.clone(),
        backup: args.backup,
        record: args.record.clone(),
        baseline: args
            .baseline
            .clone()
            .or_else(|| session.config.baseline.clone()),
    };
    let checked = match apply::gate(&session, &request)? {
        Ok(checked) => checked,
        Err(outcome) => return print_refusal(&outcome, &session, args.human, "apply"),
    };
    report_to_stderr(&checked.outcome, &session, args.human, None)?;
    let engine = engine_of(args.engine, checked.target.apply.engine.as_deref());
    let (mut document, mut text) = apply::render_for(&checked.files, engine)?;
    if engine == apply::Engine::Adc {
        // ADC substitutes `${NAME}` once more: hand it a bundle that pass leaves as is.
        document = apply::render::escape_for_adc(&document);
        text = apply::render::adc_text(&document);
    }
    let mut stdout = std::io::stdout().lock();
    let code = apply::hand_off(&checked, engine, &text, &request, &mut stdout)?;
    let record = apply::record(&checked, engine, &document, &text, &request, code);
    let shown = serde_json::to_string(&record).unwrap_or_default();
    let _ = writeln!(stdout, "gwlint: record {shown}");
    if let Some(path) = &args.record {
        write_file(path, |out| {
            serde_json::to_writer_pretty(&mut *out, &record)?;
            writeln!(out)
        })?;
    }
    Ok(code)
}

/// `gwlint render ENV`.
///
/// # Errors
/// A [`ToolError`] when the check cannot run or the output cannot be written.
pub fn render(args: &RenderArgs) -> Result<u8, ToolError> {
    let mut session = session_for(&args.environment, &args.sources)?;
    // A standalone file goes to APISIX as written: nothing downstream would resolve
    // an ADC placeholder, so the standalone engine always resolves (as `apply`).
    session.resolve_variables =
        args.resolve_variables || matches!(args.engine, EngineArg::Standalone);
    let request = apply::ApplyRequest {
        revision: args.rev.clone(),
        ..apply::ApplyRequest::default()
    };
    let checked = match apply::gate(&session, &request)? {
        Ok(checked) => checked,
        Err(outcome) => return print_refusal(&outcome, &session, args.human, "render"),
    };
    report_to_stderr(&checked.outcome, &session, args.human, None)?;
    let engine = engine_of(Some(args.engine), None);
    let (_, mut text) = apply::render_for(&checked.files, engine)?;
    if args.manifests {
        let options = apply::manifests::ManifestOptions {
            name: args
                .name
                .clone()
                .or_else(|| {
                    std::env::var("ARGOCD_APP_NAME")
                        .ok()
                        .filter(|n| !n.is_empty())
                })
                .unwrap_or_else(|| checked.target.name.clone()),
            adc_image: args
                .adc_image
                .clone()
                .unwrap_or_else(|| apply::manifests::DEFAULT_ADC_IMAGE.to_owned()),
            secret: args.secret.clone(),
        };
        text = apply::manifests::manifests(engine, &text, &checked.target.apply, &options)?;
    }
    match &args.output {
        Some(path) => apply::standalone::write_atomically(path, &text, false)?,
        None => emit(|out| out.write_all(text.as_bytes()))?,
    }
    Ok(EXIT_OK)
}

/// `gwlint diff LEFT RIGHT`.
///
/// # Errors
/// A [`ToolError`] when either environment cannot be loaded.
pub fn diff(args: &DiffArgs) -> Result<u8, ToolError> {
    let left = session_for(&args.left, &args.sources)?;
    let right = session_for(&args.right, &args.sources)?;
    let (left_outcome, right_outcome) = (left.run(), right.run());
    let (Some(l), Some(r)) = (
        left_outcome.environments.first(),
        right_outcome.environments.first(),
    ) else {
        return Err(ToolError::new("diff needs two environments"));
    };
    let ignore: Vec<String> = left
        .config
        .diff_ignore
        .iter()
        .chain(&args.ignore)
        .cloned()
        .collect();
    let differences = crate::promote::compare(&l.model, &r.model, &ignore);
    emit(|out| match args.format {
        ListFormat::Json => {
            let document = serde_json::json!({"left": l.name, "right": r.name, "ignored": ignore, "differences": differences});
            serde_json::to_writer_pretty(&mut *out, &document)?;
            writeln!(out)
        }
        ListFormat::Human => {
            out.write_all(crate::promote::to_text(&l.name, &r.name, &differences).as_bytes())
        }
    })?;
    Ok(EXIT_OK)
}

/// `gwlint drift ENV`.
///
/// # Errors
/// A [`ToolError`] (exit 2) when the environment cannot be checked or rendered, or
/// the engine or the gateway cannot be reached.
pub fn drift(
    args: &DriftArgs,
    outputs: &[(OutputFormat, Option<std::path::PathBuf>)],
) -> Result<u8, ToolError> {
    use apply::drift::{self, Comparison, Deployed};
    let mut session = session_for(&args.environment, &args.sources)?;
    // Compared with the gateway: what `apply` would hand off, placeholders resolved.
    session.resolve_variables = true;
    let request = apply::ApplyRequest {
        revision: args.rev.clone(),
        ..apply::ApplyRequest::default()
    };
    let checked = match apply::gate(&session, &request)? {
        Ok(checked) => checked,
        Err(outcome) => {
            report_to_stderr(&outcome, &session, args.human, None)?;
            return Err(ToolError::new(format!(
                "cannot compare `{}` with the gateway: the environment in Git has failing findings",
                args.environment
            ))
            .with_help("fix them first (`gwlint check`): drift compares what `gwlint apply` would hand off"));
        }
    };
    let engine = engine_of(args.engine, checked.target.apply.engine.as_deref());
    let (document, _) = apply::render_for(&checked.files, engine)?;
    let comparison = match engine {
        apply::Engine::Adc => {
            // As `apply` hands it to adc (see there).
            let text = apply::render::adc_text(&apply::render::escape_for_adc(&document));
            // adc's output is a log: stderr, so that stdout is the report alone.
            drift::with_adc(&checked, &text, &mut std::io::stderr())?
        }
        apply::Engine::Standalone => {
            let deployed = Deployed::of(&checked, args.out.as_deref())?;
            drift::with_standalone(&document, &deployed, &checked, &session.checker.schemas)?
        }
    };
    let drifts = match comparison {
        Comparison::Drifts(drifts) => drifts,
        Comparison::Unavailable(why) => {
            return Err(ToolError::new(format!(
                "cannot compare `{}` with the gateway: {why}",
                checked.target.name
            )))
        }
    };
    let findings = drift::findings(&drifts, &checked, &checked.target.rules);
    // The report holds the drift alone: the check's own findings were shown by
    // `gwlint check`, and only failing ones stop a comparison.
    let mut outcome = checked.outcome;
    outcome.general_findings.clear();
    outcome.baseline.clear();
    if let Some(report) = outcome.environments.first_mut() {
        report.findings = findings;
        report.suppressed.clear();
    }
    let style = human_style(args.human, use_color(args.color, &std::io::stdout()));
    write_reports(&outcome, &session, outputs, style)?;
    Ok(if outcome.new_findings_at_least(Severity::Error) > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// `gwlint init [DIR]`.
///
/// Runs in DIR, as if started there: a baseline's fingerprints name files relative to
/// the current folder, so the one written here matches what `gwlint check` run in DIR
/// (where it finds the config file) reports.
///
/// # Errors
/// A [`ToolError`] when DIR holds no gateway configuration, when the config file (or
/// the baseline file) exists and `--force` is not given, or when a file cannot be
/// written.
pub fn init(args: &InitArgs) -> Result<u8, ToolError> {
    let shown = args.dir.display().to_string();
    std::env::set_current_dir(&args.dir)
        .map_err(|e| ToolError::new(format!("{shown}: cannot enter: {e}")))?;
    let here = std::env::current_dir()
        .map_err(|e| ToolError::new(format!("cannot read the current directory: {e}")))?;
    if crate::source::display_path(&here.join(crate::config::FILE_NAME)) != crate::config::FILE_NAME
    {
        return Err(ToolError::new(
            "internal: file paths were fixed before `init` entered its folder",
        ));
    }
    let config_file = std::path::Path::new(crate::config::FILE_NAME);
    let in_dir = |path: &std::path::Path| {
        if args.dir == std::path::Path::new(".") {
            path.display().to_string()
        } else {
            args.dir.join(path).display().to_string()
        }
    };
    if !args.stdout && !args.force {
        if let Some(existing) = std::iter::once(config_file)
            .chain(args.baseline.as_deref())
            .find(|p| p.exists())
        {
            return Err(ToolError::new(format!(
                "{} already exists; gwlint init does not overwrite it",
                in_dir(existing)
            ))
            .with_help("pass --force to replace it, or --stdout to see what init would write"));
        }
    }
    let mut scan = crate::init::scan(std::path::Path::new("."))?;
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "gwlint init: scanned {shown}");
    let _ = stderr.write_all(crate::init::summary(&scan).as_bytes());
    if scan.environments.is_empty() {
        return Err(
            ToolError::new(format!("no gateway configuration found under {shown}")).with_help(
                "gwlint init looks for folders of ADC or APISIX standalone YAML/JSON files; \
             write .gwlint.yaml by hand for anything else (README: Configuration)",
            ),
        );
    }
    let baseline = args
        .baseline
        .as_ref()
        .map(|p| p.to_string_lossy().replace('\\', "/"));
    if let (Some(file), Some(true)) = (&baseline, args.baseline.as_ref().map(|p| p.is_relative())) {
        // Where `check` would read the baseline as a configuration file, it is ignored.
        scan.ignore_written(file.trim_start_matches("./"));
    }
    let text = crate::init::render(&scan, baseline.as_deref());
    if args.stdout {
        emit(|out| out.write_all(text.as_bytes()))?;
        return Ok(EXIT_OK);
    }
    write_new(config_file, &text, args.force)
        .map_err(|e| ToolError::new(format!("{}: cannot write: {e}", in_dir(config_file))))?;
    let _ = writeln!(stderr, "wrote {}", in_dir(config_file));
    let Some(baseline) = &args.baseline else {
        return Ok(EXIT_OK);
    };
    let recorded = check::run(&CheckOptions {
        config_file: Some(config_file.to_path_buf()),
        ..CheckOptions::default()
    })
    .map(|outcome| {
        let document = crate::baseline::document(&outcome);
        let count = outcome.findings().len();
        std::mem::forget(outcome);
        (document, count)
    })
    .and_then(|(document, count)| {
        let mut text = serde_json::to_string_pretty(&document)
            .map_err(|e| ToolError::new(format!("internal: {e}")))?;
        text.push('\n');
        write_new(baseline, &text, args.force)
            .map_err(|e| ToolError::new(format!("{}: cannot write: {e}", in_dir(baseline))))?;
        Ok(count)
    });
    match recorded {
        Ok(count) => {
            let _ = writeln!(
                stderr,
                "wrote {count} finding(s) to {}: `gwlint check` now fails only on new ones",
                in_dir(baseline)
            );
            Ok(EXIT_OK)
        }
        Err(error) => {
            // The config points at the baseline: without one, it would not load.
            let _ = std::fs::remove_file(config_file);
            Err(error.with_help(format!(
                "{} was not kept; run gwlint init again without --baseline",
                in_dir(config_file)
            )))
        }
    }
}

/// Write `text` to a new file, or over an existing one when `replace`.
fn write_new(path: &std::path::Path, text: &str, replace: bool) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if replace {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

//! `gwlint apply` and `gwlint render`: the checked hand-off to a sync engine.
//!
//! Owns the order of the hand-off and nothing of the engines' work: check the
//! environment with the same config, policies and baseline as `check` (any failing
//! finding stops here and nothing is handed off), resolve `${VAR}` placeholders
//! (an unset variable is an error at its position), render the one document the
//! engine takes, then hand it to ADC (`adc diff` / `adc sync`, with the delete
//! guard) or write the standalone `apisix.yaml` atomically, and record what was
//! applied. With `--rev` the environment is read from git as of that revision.

pub mod adc;
pub mod admin;
pub mod drift;
pub mod interrupt;
pub mod manifests;
pub mod render;
pub mod standalone;
pub mod yaml_out;

use crate::check::{CheckedFile, Outcome, Session, Target};
use crate::error::ToolError;
use crate::finding::Severity;
use crate::format::Format;
use crate::load::{parse_text, LoadedFile};
use serde_json::{json, Value};
use sha2::Digest;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Which engine takes the rendered document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The ADC CLI (`adc sync`).
    Adc,
    /// A file-driven APISIX standalone `apisix.yaml`.
    Standalone,
}

impl Engine {
    /// The engine's name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Adc => "adc",
            Engine::Standalone => "standalone",
        }
    }
}

/// What `apply` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct ApplyRequest {
    /// The engine (default: the config's, else `adc`).
    pub engine: Option<Engine>,
    /// Show the plan, change nothing.
    pub dry_run: bool,
    /// Read the environment from git as of this revision.
    pub revision: Option<String>,
    /// Allow a sync to delete more than `max_deletes` resources.
    pub allow_deletes: bool,
    /// Standalone: the file to write (overrides the config's `apply.out`).
    pub out: Option<PathBuf>,
    /// Standalone: keep the previous file as `.bak`.
    pub backup: bool,
    /// Write the record of what was applied to this file (JSON).
    pub record: Option<PathBuf>,
    /// Accepted findings.
    pub baseline: Option<PathBuf>,
}

/// An environment that passed the gate: its files, resolved and ready to render.
pub struct Checked {
    /// The environment.
    pub target: Target,
    /// Its files' documents (placeholders resolved when the session resolves them).
    pub files: Vec<CheckedFile>,
    /// The check's outcome (warnings and infos to show).
    pub outcome: Outcome,
}

impl Checked {
    /// The environment's folder (its first root; `.` when it has none).
    #[must_use]
    pub fn folder(&self) -> PathBuf {
        self.target
            .roots
            .first()
            .cloned()
            .unwrap_or_else(|| PathBuf::from("."))
    }
}

/// Check one environment (from disk or a git revision) and stop on failing findings.
///
/// # Errors
/// `Ok(Err(outcome))` when findings block the hand-off; `Err` when the check cannot run.
pub fn gate(
    session: &Session,
    request: &ApplyRequest,
) -> Result<Result<Checked, Outcome>, ToolError> {
    let target = session
        .targets
        .first()
        .cloned()
        .ok_or_else(|| ToolError::new("apply takes exactly one environment"))?;
    if session.targets.len() > 1 {
        return Err(ToolError::new(
            "apply takes exactly one environment; give one folder or `--env NAME`",
        ));
    }
    let mut outcome = match &request.revision {
        Some(revision) => {
            let root = target
                .roots
                .first()
                .cloned()
                .unwrap_or_else(|| PathBuf::from("."));
            let files: Vec<LoadedFile> = crate::git::files_at(revision, &root)?
                .into_iter()
                .map(|(path, text)| parse_text(&path, text, &crate::load::LoadLimits::default()))
                .collect();
            session.check_files(&target, files)
        }
        None => session.run(),
    };
    if let Some(file) = &request.baseline {
        outcome.baseline = crate::baseline::read(file)?;
    }
    if outcome.new_findings_at_least(Severity::Error) > 0 {
        return Ok(Err(outcome));
    }
    let files = std::mem::take(&mut outcome.environments[0].checked);
    Ok(Ok(Checked {
        target,
        files,
        outcome,
    }))
}

/// The rendered document for an engine, and its text.
///
/// # Errors
/// A [`ToolError`] when the environment's format cannot go to that engine.
pub fn render_for(files: &[CheckedFile], engine: Engine) -> Result<(Value, String), ToolError> {
    let format = single_format(files)?;
    let documents: Vec<&Value> = files
        .iter()
        .filter_map(|f| f.file.document.as_ref())
        .map(|d| &d.value)
        .collect();
    match (format, engine) {
        (Format::Adc, Engine::Adc) => {
            let bundle = render::adc_bundle(&documents);
            let text = render::adc_text(&bundle);
            Ok((bundle, text))
        }
        (Format::Adc, Engine::Standalone) => {
            let document = render::standalone_from_adc(&render::adc_bundle(&documents));
            let text = render::standalone_text(&document);
            Ok((document, text))
        }
        (Format::Standalone, Engine::Standalone) => {
            let document = render::standalone_merge(&documents);
            let text = render::standalone_text(&document);
            Ok((document, text))
        }
        (Format::Standalone, Engine::Adc) => Err(ToolError::new(
            "this environment is in APISIX standalone format; the adc engine takes ADC files",
        )
        .with_help("use `--engine standalone`")),
    }
}

/// The one format of an environment's files (ADC when it has none).
fn single_format(files: &[CheckedFile]) -> Result<Format, ToolError> {
    let mut formats = files.iter().filter_map(|f| f.format);
    let first = formats.next().unwrap_or(Format::Adc);
    if formats.any(|f| f != first) {
        return Err(ToolError::new(
            "the environment mixes ADC and standalone files; render one format",
        ));
    }
    Ok(first)
}

/// Hand a rendered document to its engine. Returns the exit code.
///
/// # Errors
/// A [`ToolError`] when the engine cannot be run or the file cannot be written.
pub fn hand_off(
    checked: &Checked,
    engine: Engine,
    text: &str,
    request: &ApplyRequest,
    out: &mut dyn Write,
) -> Result<u8, ToolError> {
    match engine {
        Engine::Adc => hand_off_to_adc(checked, text, request, out),
        Engine::Standalone => hand_off_to_file(checked, text, request, out),
    }
}

fn hand_off_to_adc(
    checked: &Checked,
    text: &str,
    request: &ApplyRequest,
    out: &mut dyn Write,
) -> Result<u8, ToolError> {
    let settings = &checked.target.apply;
    let staged = Staged::new(settings, text)?;
    let io = |e: std::io::Error| ToolError::new(format!("cannot write output: {e}"));
    writeln!(out, "gwlint: adc diff ({})", checked.target.name).map_err(io)?;
    let plan = match plan_of(&staged, out)? {
        Ok(plan) => plan,
        Err(code) => return Ok(code),
    };
    writeln!(out, "gwlint: plan: {}", plan.summary()).map_err(io)?;
    if request.dry_run {
        return Ok(0);
    }
    if plan.is_empty() {
        writeln!(
            out,
            "gwlint: the gateway already matches `{}`: nothing to sync",
            checked.target.name
        )
        .map_err(io)?;
        return Ok(0);
    }
    let limit = settings
        .max_deletes
        .unwrap_or_else(|| default_max_deletes(&checked.target.name));
    let deletes = plan.total("delete") as u64;
    if deletes > limit && !request.allow_deletes {
        writeln!(
            out,
            "gwlint: refusing to sync: the plan deletes {deletes} resource(s), over the limit of {limit} for `{}`; \
             nothing was applied (pass --allow-deletes after reviewing the plan, or raise `apply.max_deletes`)",
            checked.target.name
        )
        .map_err(io)?;
        return Ok(1);
    }
    // `adc sync` diffs again: the gateway may have changed since the plan was shown
    // and guarded. A second diff right before sync must give the same plan, so sync
    // does what was guarded; what remains is the time between this diff and sync's.
    writeln!(out, "gwlint: adc diff again, right before sync").map_err(io)?;
    let again = match plan_of(&staged, out)? {
        Ok(plan) => plan,
        Err(code) => return Ok(code),
    };
    if again != plan {
        let mut changes = again.missing_from(&plan);
        changes.extend(
            plan.missing_from(&again)
                .into_iter()
                .map(|e| format!("no longer: {e}")),
        );
        writeln!(
            out,
            "gwlint: refusing to sync: the gateway changed after the plan was made; sync would now do: {} ({}); \
             nothing was applied: run apply again to see and guard the new plan",
            again.summary(),
            changes.join(", ")
        )
        .map_err(io)?;
        return Ok(1);
    }
    let guard = &staged.guard;
    if let Some(code) = stopped(guard, "before sync", out) {
        return Ok(code);
    }
    writeln!(out, "gwlint: adc sync ({})", checked.target.name).map_err(io)?;
    let ran = staged
        .adc
        .run("sync", &staged.bundle, staged.workdir.path(), guard, out)?;
    if let Some(code) = stopped(guard, "during sync; adc was stopped", out) {
        say_done(&plan, &ran.reported, out);
        return Ok(code);
    }
    if ran.code != Some(0) {
        say_done(&plan, &ran.reported, out);
        return Ok(engine_exit("sync", ran.code, out));
    }
    Ok(compare_sync(&plan, &ran.reported, out))
}

/// After a failed or stopped sync: how much of the plan adc reported done.
fn say_done(plan: &adc::Plan, reported: &[adc::Change], out: &mut dyn Write) {
    let (_, not_done) = adc::compare_with_plan(plan, reported);
    let _ = writeln!(
        out,
        "gwlint: adc sync reported {} of the plan's {} change(s) done before it ended",
        plan.events.len() - not_done.len(),
        plan.events.len()
    );
}

/// After a successful sync: what adc reported done must be the guarded plan, change
/// for change. Any difference (a change made on the gateway between the last diff and
/// sync's own, or output gwlint cannot read) is said loudly and exits 1.
fn compare_sync(plan: &adc::Plan, reported: &[adc::Change], out: &mut dyn Write) -> u8 {
    let (unplanned, not_done) = adc::compare_with_plan(plan, reported);
    if unplanned.is_empty() && not_done.is_empty() {
        let _ = writeln!(
            out,
            "gwlint: adc sync did what the plan said ({} change(s))",
            plan.events.len()
        );
        return 0;
    }
    let list = |changes: &[adc::Change]| {
        changes
            .iter()
            .map(|(kind, resource, name)| format!("{kind} {resource} `{name}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if reported.is_empty() {
        let _ = writeln!(
            out,
            "gwlint: WARNING: adc sync exited 0 but reported none of the plan's {} change(s), so gwlint \
             cannot confirm it did what the plan said; compare the gateway with `gwlint drift`",
            plan.events.len()
        );
        return 1;
    }
    let mut said = String::from("gwlint: WARNING: adc sync did not do what the guarded plan said");
    if !unplanned.is_empty() {
        said.push_str(&format!(
            "; it also did: {} (the gateway changed between the last diff and sync's own)",
            list(&unplanned)
        ));
    }
    if !not_done.is_empty() {
        said.push_str(&format!("; it did not report: {}", list(&not_done)));
    }
    said.push_str("; review the gateway (`gwlint drift`) and the changes above");
    let _ = writeln!(out, "{said}");
    1
}

/// A rendered bundle ready for adc: in a private folder, with the signal handling
/// that forwards a signal to adc. The folder (declared first, so dropped first) is
/// removed before the signal handling is given up.
struct Staged {
    /// The private folder adc runs in; it holds the bundle and adc's plan.
    workdir: tempfile::TempDir,
    /// Installed before the bundle exists.
    guard: interrupt::Guard,
    /// The bundle file.
    bundle: PathBuf,
    /// The adc program and its settings.
    adc: adc::Adc,
}

/// What one `adc diff` gave.
enum DiffRun {
    /// adc succeeded: the events of its plan.
    Events(Vec<adc::DiffEvent>),
    /// A signal arrived (said on the output).
    Stopped,
    /// adc failed: its exit code, `None` when a signal ended it.
    Failed(Option<i32>),
}

impl Staged {
    /// Find adc, catch signals, and write `text` into a new private folder.
    fn new(settings: &crate::config::ApplyConfig, text: &str) -> Result<Staged, ToolError> {
        let adc = adc::Adc::locate(settings)?;
        let guard = interrupt::Guard::install()
            .map_err(|e| ToolError::new(format!("cannot catch signals: {e}")))?;
        let workdir = private_dir()?;
        let bundle = workdir.path().join("bundle.yaml");
        write_private(&bundle, text)?;
        Ok(Staged {
            workdir,
            guard,
            bundle,
            adc,
        })
    }

    /// Run `adc diff` (its output to `out`, token masked) and read the plan it wrote;
    /// the plan file is removed.
    fn diff(&self, out: &mut dyn Write) -> Result<DiffRun, ToolError> {
        if stopped(&self.guard, "before adc diff", out).is_some() {
            return Ok(DiffRun::Stopped);
        }
        let workdir = self.workdir.path();
        let code = self
            .adc
            .run("diff", &self.bundle, workdir, &self.guard, out)?
            .code;
        if stopped(&self.guard, "during adc diff; adc was stopped", out).is_some() {
            return Ok(DiffRun::Stopped);
        }
        if code != Some(0) {
            return Ok(DiffRun::Failed(code));
        }
        let plan_file = workdir.join("diff.yaml");
        let events = adc::read_events(&plan_file);
        let _ = std::fs::remove_file(&plan_file);
        events.map(DiffRun::Events)
    }
}

/// `Some(1)` when a signal has arrived: said on `out`, and nothing more runs.
fn stopped(guard: &interrupt::Guard, when: &str, out: &mut dyn Write) -> Option<u8> {
    let signal = guard.interrupted()?;
    let _ = writeln!(
        out,
        "gwlint: interrupted by {} {when}; the bundle is removed",
        interrupt::name(signal)
    );
    Some(1)
}

/// Run `adc diff` and read its plan; `Err(exit code)` when adc failed or was stopped.
fn plan_of(staged: &Staged, out: &mut dyn Write) -> Result<Result<adc::Plan, u8>, ToolError> {
    Ok(match staged.diff(out)? {
        DiffRun::Events(events) => Ok(adc::Plan::of(events)),
        DiffRun::Stopped => Err(1),
        DiffRun::Failed(code) => {
            let exit = engine_exit("diff", code, out);
            let _ = writeln!(out, "gwlint: nothing was applied");
            Err(exit)
        }
    })
}

/// gwlint's exit code for adc's: 0 when adc succeeded, else 1 (the engine failed;
/// `apply --help` documents 0, 1 and 2), saying what adc returned.
fn engine_exit(verb: &str, code: Option<i32>, out: &mut dyn Write) -> u8 {
    match code {
        Some(0) => 0,
        Some(code) => {
            let _ = writeln!(out, "gwlint: adc {verb} failed (adc exited with {code})");
            1
        }
        None => {
            let _ = writeln!(out, "gwlint: adc {verb} failed (adc was ended by a signal)");
            1
        }
    }
}

/// Production environments refuse deletes unless configured; others allow them.
fn default_max_deletes(environment: &str) -> u64 {
    if matches!(environment, "production" | "prod") {
        0
    } else {
        u64::MAX
    }
}

fn hand_off_to_file(
    checked: &Checked,
    text: &str,
    request: &ApplyRequest,
    out: &mut dyn Write,
) -> Result<u8, ToolError> {
    let path = request
        .out
        .clone()
        .or_else(|| checked.target.apply.out.clone())
        .ok_or_else(|| {
            ToolError::new("the standalone engine needs a file: --out PATH or `apply.out`")
        })?;
    let io = |e: std::io::Error| ToolError::new(format!("cannot write output: {e}"));
    if request.dry_run {
        let diff = standalone::unified_diff(&path, text, &resolved_variables(&checked.files));
        if diff.is_empty() {
            writeln!(out, "gwlint: {} is up to date", path.display()).map_err(io)?;
        } else {
            out.write_all(diff.as_bytes()).map_err(io)?;
        }
        return Ok(0);
    }
    let backup = request.backup || checked.target.apply.backup == Some(true);
    standalone::write_atomically(&path, text, backup)?;
    writeln!(out, "gwlint: wrote {}", path.display()).map_err(io)?;
    Ok(0)
}

/// The `${NAME}` placeholders of the environment's files and the values they were
/// resolved to (from the process environment), for masking what is shown.
fn resolved_variables(files: &[CheckedFile]) -> Vec<(String, String)> {
    let names = std::cell::RefCell::new(std::collections::BTreeSet::new());
    for file in files {
        let _ = crate::variables::substitute(&file.file.source.text, &|name| {
            names.borrow_mut().insert(name.to_owned());
            None
        });
    }
    names
        .into_inner()
        .into_iter()
        .filter_map(|name| std::env::var(&name).ok().map(|value| (name, value)))
        .collect()
}

/// The record of an apply: what, from which commit, how, and a digest of it.
#[must_use]
pub fn record(
    checked: &Checked,
    engine: Engine,
    document: &Value,
    text: &str,
    request: &ApplyRequest,
    exit: u8,
) -> Value {
    let folder = checked.folder();
    let revision = request.revision.as_deref().unwrap_or("HEAD");
    let git = crate::git::commit_of(&folder, revision);
    json!({
        "environment": checked.target.name,
        "engine": engine.as_str(),
        "dry_run": request.dry_run,
        "revision": request.revision,
        "commit": git.as_ref().map(|(c, _)| c),
        "dirty": git.as_ref().map(|(_, d)| request.revision.is_none() && *d),
        "sha256": format!("{:x}", sha2::Sha256::digest(text.as_bytes())),
        "counts": counts(document),
        "time": now_rfc3339(),
        "exit_code": exit,
    })
}

/// Number of objects per resource type in a rendered document.
fn counts(document: &Value) -> Value {
    let mut counts = serde_json::Map::new();
    for (key, value) in document.as_object().into_iter().flatten() {
        let n = match value {
            Value::Array(items) => items.len(),
            Value::Object(map) => map.len(),
            _ => continue,
        };
        counts.insert(key.clone(), json!(n));
        if key == "services" {
            let routes: usize = value
                .as_array()
                .into_iter()
                .flatten()
                .map(|s| {
                    s.get("routes")
                        .and_then(Value::as_array)
                        .map_or(0, Vec::len)
                })
                .sum();
            if routes > 0 {
                counts.insert("routes".into(), json!(routes));
            }
        }
    }
    Value::Object(counts)
}

/// The current time as `YYYY-MM-DDTHH:MM:SSZ`.
#[must_use]
pub fn now_rfc3339() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    let rest = seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = u32::try_from(day_of_year - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A temporary folder only this user can read (the bundle may hold secrets).
fn private_dir() -> Result<tempfile::TempDir, ToolError> {
    let dir = tempfile::Builder::new()
        .prefix("gwlint-apply-")
        .tempdir()
        .map_err(|e| ToolError::new(format!("cannot create a temporary folder: {e}")))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700));
    }
    Ok(dir)
}

fn write_private(path: &Path, text: &str) -> Result<(), ToolError> {
    std::fs::write(path, text)
        .map_err(|e| ToolError::new(format!("{}: cannot write: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_417), (2025, 11, 25));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn engine_exit_codes_map_to_the_documented_ones() {
        let mut said = Vec::new();
        assert_eq!(engine_exit("sync", Some(0), &mut said), 0);
        assert_eq!(engine_exit("sync", Some(3), &mut said), 1);
        assert_eq!(engine_exit("sync", Some(127), &mut said), 1);
        assert_eq!(engine_exit("diff", None, &mut said), 1);
        assert_eq!(
            String::from_utf8(said).unwrap(),
            "gwlint: adc sync failed (adc exited with 3)\n\
             gwlint: adc sync failed (adc exited with 127)\n\
             gwlint: adc diff failed (adc was ended by a signal)\n"
        );
    }
}

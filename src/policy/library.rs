//! The set of policies of a run: built-in, user-supplied and native rules.
//!
//! Owns loading (embedded library, `--policy DIR` folders, `--data FILE`), reading
//! each module's package, metadata and result rules, and compiling everything into
//! one prepared regorus engine, once per run. A policy that does not parse is a
//! tool error naming the file, line and column.

use super::metadata::{self, RuleMeta};
use super::native::{NativeCheck, NATIVE_RULES};
use crate::error::ToolError;
use crate::finding::Severity;
use rayon::prelude::*;
use regorus::rvm::Program;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The embedded `policies/` tree: `(relative path, text)`.
const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_policies.rs"));

/// The default of [`PolicySet::vm_min_routes`]. Measured on the benchmark corpus:
/// with 500 routes per environment the interpreter is faster (67 ms against 80 ms
/// for the whole 1,000-route check, compilation included); with 5,000 the virtual
/// machine is (394 ms against 453 ms for 10,000 routes).
pub const VM_MIN_ROUTES: usize = 1_000;

/// Result sets a policy module may define, with the severity each implies when the
/// module has no metadata.
pub const RESULT_RULES: &[(&str, Severity)] = &[
    ("deny", Severity::Error),
    ("violation", Severity::Error),
    ("warn", Severity::Warning),
    ("info", Severity::Info),
];

/// One Rego file.
#[derive(Debug, Clone)]
pub struct PolicyModule {
    /// Where it comes from (`policies/route-needs-auth.rego` for built-ins).
    pub path: String,
    /// Its source.
    pub text: String,
    /// Its package, without `data.` (`gwlint.rules.route_needs_auth`).
    pub package: String,
    /// Its metadata header, if any.
    pub meta: Option<RuleMeta>,
    /// The result sets it declares (`deny`, `warn`, ...).
    pub result_rules: Vec<&'static str>,
    /// Whether it is a `_test.rego` file.
    pub is_test: bool,
    /// Whether it ships with gwlint.
    pub builtin: bool,
}

impl PolicyModule {
    /// The rule id of this module's findings from `rule` (`deny`, ...): the metadata id,
    /// or `<package>.<rule>` for user policies without metadata.
    #[must_use]
    pub fn rule_id(&self, rule: &str) -> String {
        match &self.meta {
            Some(meta) => meta.id.clone(),
            None => format!("{}.{rule}", self.package),
        }
    }
}

/// A rule written in Rust, with its metadata.
#[derive(Debug, Clone)]
pub struct NativeRule {
    /// Its metadata (from `policies/native/<id>.yaml`).
    pub meta: RuleMeta,
    /// The check.
    pub check: NativeCheck,
}

/// Every policy of a run, compiled.
#[derive(Clone)]
pub struct PolicySet {
    /// Rego modules (rules, libraries and tests).
    pub modules: Vec<PolicyModule>,
    /// Native rules.
    pub natives: Vec<NativeRule>,
    /// An engine with every module and the data loaded, prepared once: compiled
    /// while loading when user policies or data are given (so their errors stop the
    /// run at once), otherwise on first use (see [`PolicySet::compiled`]); a check
    /// whose built-in rules all run as Rust twins never needs it.
    compiled: std::sync::OnceLock<Result<Compiled, ToolError>>,
    /// The data files, for a compile on first use.
    data_files: Vec<PathBuf>,
    /// The result rules of the built-in rule modules compiled for regorus' virtual
    /// machine, by `data.<package>.<rule>`, compiled on first use (see
    /// [`PolicySet::programs`]).
    programs: std::sync::OnceLock<std::collections::HashMap<String, Arc<Program>>>,
    /// Environments with at least this many routes run the built-in rules on the
    /// virtual machine; smaller ones on the interpreter, which needs no compilation
    /// (the compile takes longer than the interpreter needs for a few hundred
    /// routes, and small trees are what a commit hook checks).
    pub vm_min_routes: usize,
    /// Run the built-in rules' Rego even where a Rust twin exists
    /// (`--rego-builtins`; see [`super::fast`]).
    pub rego_builtins: bool,
    /// The limits of each evaluation of a user's rule (`policy_limits`).
    pub limits: super::guard::Limits,
    /// User rules stopped at a limit, by entry point, with why and where: they are not
    /// run again in other environments.
    stopped: Arc<std::sync::Mutex<std::collections::HashMap<String, String>>>,
}

/// The regorus engine of a policy set and its `data` document.
#[derive(Clone)]
pub struct Compiled {
    /// Every module and the data loaded, prepared once; cloned per thread.
    pub engine: regorus::Engine,
    /// The `data` document (the `--data` files), for the virtual machine.
    pub data: regorus::Value,
}

impl std::fmt::Debug for PolicySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicySet")
            .field("modules", &self.modules.len())
            .field("natives", &self.natives.len())
            .finish_non_exhaustive()
    }
}

/// Where policies come from.
#[derive(Debug, Clone, Default)]
pub struct PolicySources {
    /// Folders of user `.rego` files (searched recursively).
    pub dirs: Vec<PathBuf>,
    /// JSON or YAML data files merged into `data`.
    pub data: Vec<PathBuf>,
    /// Leave the built-in library out.
    pub no_builtin: bool,
    /// The limits of compiling the policies and of each evaluation of a user's rule.
    pub limits: super::guard::Limits,
}

impl PolicySet {
    /// Load and compile the built-in library and the given sources.
    ///
    /// # Errors
    /// A [`ToolError`] naming the file (and position) of a policy, metadata or data
    /// file that cannot be read or compiled.
    pub fn load(sources: &PolicySources) -> Result<Self, ToolError> {
        let mut modules = Vec::new();
        let mut natives = Vec::new();
        if !sources.no_builtin {
            for (relative, text) in BUILTIN {
                let path = format!("policies/{relative}");
                if Path::new(relative).extension().is_some_and(|e| e == "rego") {
                    modules.push(module(&path, text, true)?);
                } else if let Some(stem) = relative
                    .strip_prefix("native/")
                    .and_then(|r| r.strip_suffix(".yaml"))
                {
                    natives.push(native(&path, stem, text)?);
                }
            }
        }
        for dir in &sources.dirs {
            for path in rego_files(dir)? {
                let text = crate::regular::read_to_string(&path).map_err(|e| {
                    ToolError::new(format!("{}: cannot read policy: {e}", path.display()))
                })?;
                modules.push(module(&crate::source::display_path(&path), &text, false)?);
            }
        }
        let set = PolicySet {
            modules,
            natives,
            compiled: std::sync::OnceLock::new(),
            data_files: sources.data.clone(),
            programs: std::sync::OnceLock::new(),
            vm_min_routes: VM_MIN_ROUTES,
            rego_builtins: false,
            limits: sources.limits,
            stopped: Arc::default(),
        };
        if set.modules.iter().any(|m| !m.builtin) || !set.data_files.is_empty() {
            set.compiled()?;
        }
        Ok(set)
    }

    /// The compiled engine and data, compiled on the first call.
    ///
    /// # Errors
    /// A [`ToolError`] when a module or data file does not compile (reported by
    /// [`PolicySet::load`] for user policies and data; the built-in library is
    /// tested to compile).
    pub fn compiled(&self) -> Result<&Compiled, ToolError> {
        self.compiled
            .get_or_init(|| {
                // Under the limits of an evaluation: regorus' parser takes time
                // exponential in how deep brackets nest (20 levels: 2 s), and a user's
                // data file is read here.
                let (modules, data_files) = (self.modules.clone(), self.data_files.clone());
                let engine = super::guard::run(self.limits, move |meter| {
                    meter.measure(|| compile(&modules, &data_files))
                })
                .map_err(|stop| ToolError::new(format!("cannot compile the policies: {stop}")))??;
                let data = engine.get_data();
                Ok(Compiled { engine, data })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The virtual-machine programs of the built-in result rules, compiled on the
    /// first call. User policies, and a rule the compiler does not support, are
    /// missing here and run on the interpreter (`engine`).
    pub fn programs(&self) -> &std::collections::HashMap<String, Arc<Program>> {
        self.programs.get_or_init(|| match self.compiled() {
            Ok(compiled) => compile_programs(&compiled.engine, &self.modules),
            // The interpreter reports the error for each rule.
            Err(_) => std::collections::HashMap::new(),
        })
    }

    /// Why the rule `entry` was stopped at a limit in another environment, if it was.
    #[must_use]
    pub fn earlier_stop(&self, entry: &str) -> Option<String> {
        self.stopped
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(entry)
            .cloned()
    }

    /// Remember that the rule `entry` was stopped at a limit in `environment`.
    pub fn record_stop(&self, entry: &str, environment: &str, why: &str) {
        self.stopped
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(entry.to_owned())
            .or_insert_with(|| format!("not run: in environment `{environment}` it {why}"));
    }

    /// The modules that produce findings (not tests, not pure libraries).
    pub fn rule_modules(&self) -> impl Iterator<Item = &PolicyModule> {
        self.modules
            .iter()
            .filter(|m| !m.is_test && !m.result_rules.is_empty())
    }
}

/// Read a Rego module's package, metadata and result rules.
fn module(path: &str, text: &str, builtin: bool) -> Result<PolicyModule, ToolError> {
    let package = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("package "))
        .map(|p| p.trim().to_owned())
        .ok_or_else(|| ToolError::new(format!("{path}: policy has no `package` line")))?;
    let meta = match metadata::metadata_block(text) {
        Some(yaml) => Some(
            metadata::parse(path, &yaml)
                .map_err(|e| ToolError::new(format!("{path}: invalid METADATA: {e}")))?,
        ),
        None if builtin && !path.ends_with("_test.rego") && !path.contains("/lib/") => {
            return Err(ToolError::new(format!(
                "{path}: built-in policy without METADATA"
            )));
        }
        None => None,
    };
    Ok(PolicyModule {
        path: path.to_owned(),
        text: text.to_owned(),
        package,
        meta,
        result_rules: declared_result_rules(text),
        is_test: path.ends_with("_test.rego"),
        builtin,
    })
}

/// Which of `deny`/`violation`/`warn`/`info` a module defines (rule heads at the
/// start of a line).
fn declared_result_rules(text: &str) -> Vec<&'static str> {
    RESULT_RULES
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| {
            text.lines().any(|line| {
                line.strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with([' ', '[', '{', '\t']) || rest.is_empty())
            })
        })
        .collect()
}

fn native(path: &str, stem: &str, text: &str) -> Result<NativeRule, ToolError> {
    let meta = metadata::parse(path, text).map_err(|e| ToolError::new(format!("{path}: {e}")))?;
    let check = NATIVE_RULES
        .iter()
        .find(|(id, _)| *id == stem)
        .map(|(_, check)| *check)
        .ok_or_else(|| ToolError::new(format!("{path}: no native rule `{stem}` is compiled in")))?;
    Ok(NativeRule { meta, check })
}

/// Every `.rego` file below a folder (or the file itself), sorted. A path that is
/// neither a folder nor a regular file is refused; the files found are read with
/// [`crate::regular`], which refuses any that is not a regular file.
fn rego_files(dir: &Path) -> Result<Vec<PathBuf>, ToolError> {
    let Ok(metadata) = std::fs::metadata(dir) else {
        return Err(ToolError::new(format!(
            "{}: policy folder not found",
            dir.display()
        )));
    };
    if !metadata.is_dir() {
        return if metadata.is_file() {
            Ok(vec![dir.to_path_buf()])
        } else {
            Err(ToolError::new(format!(
                "{}: cannot read policy: {}",
                dir.display(),
                crate::regular::not_regular(metadata.file_type())
            )))
        };
    }
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(walkdir::DirEntry::into_path)
        .filter(|p| p.extension().is_some_and(|e| e == "rego"))
        .collect();
    files.sort();
    Ok(files)
}

/// One engine with every module (tests included, so `policy test` can use it) and
/// the data, prepared by a first evaluation.
fn compile(modules: &[PolicyModule], data: &[PathBuf]) -> Result<regorus::Engine, ToolError> {
    let mut engine = regorus::Engine::new();
    engine.set_rego_v0(false);
    for module in modules {
        engine
            .add_policy(module.path.clone(), module.text.clone())
            .map_err(|e| ToolError::new(format!("cannot compile policy: {e}")))?;
    }
    engine
        .add_data(builtin_data()?)
        .map_err(|e| ToolError::new(format!("cannot add gwlint's built-in data: {e}")))?;
    for file in data {
        engine
            .add_data(read_data(file)?)
            .map_err(|e| ToolError::new(format!("{}: cannot add data: {e}", file.display())))?;
    }
    engine.set_input(regorus::Value::new_object());
    // Preparing once here means every per-thread clone starts ready. A query that
    // reads no rule prepares the engine without running any policy (a user's rule
    // runs only under the limits of `super::guard`).
    let _ = engine.eval_query("true".to_owned(), false);
    Ok(engine)
}

/// The data gwlint gives every policy: `data.gwlint_builtin.encrypt_fields`, the
/// fields each APISIX plugin stores encrypted (dotted paths, from the generated
/// schemas of every shipped version), by plugin name.
fn builtin_data() -> Result<regorus::Value, ToolError> {
    let table: serde_json::Map<String, serde_json::Value> = crate::secrets::encrypt_field_table()
        .iter()
        .map(|(plugin, fields)| ((*plugin).to_owned(), serde_json::json!(fields)))
        .collect();
    let data = serde_json::json!({"gwlint_builtin": {"encrypt_fields": table}});
    regorus::Value::from_json_str(&data.to_string())
        .map_err(|e| ToolError::new(format!("built-in policy data: {e}")))
}

/// The entry point of one result rule: `data.<package>.<rule>`.
#[must_use]
pub fn entry_point(module: &PolicyModule, rule: &str) -> String {
    format!("data.{}.{rule}", module.package)
}

/// Compile every result rule of the built-in rule modules for regorus' virtual
/// machine, in parallel. A rule that fails to compile (a construct the compiler does
/// not support) is left out and runs on the interpreter.
///
/// User policies are not compiled: regorus' compiler overflows the stack on a rule
/// that depends on itself (which the interpreter reports as a run-time error), and
/// a user's policy must never crash the run. The built-in library is free of
/// recursion, and the test suite runs every fixture through the virtual machine.
fn compile_programs(
    engine: &regorus::Engine,
    modules: &[PolicyModule],
) -> std::collections::HashMap<String, Arc<Program>> {
    let entry_points: Vec<String> = modules
        .iter()
        .filter(|m| m.builtin && !m.is_test)
        .flat_map(|m| m.result_rules.iter().map(|rule| entry_point(m, rule)))
        .collect();
    entry_points
        .into_par_iter()
        .map_init(
            || engine.clone(),
            |engine, entry| {
                let compiled = engine
                    .compile_with_entrypoint(&entry.as_str().into())
                    .ok()?;
                let program = regorus::languages::rego::compiler::Compiler::compile_from_policy(
                    &compiled,
                    &[entry.as_str()],
                )
                .ok()?;
                Some((entry, program))
            },
        )
        .flatten()
        .collect()
}

/// A data file (JSON, or YAML read with gwlint's loader).
fn read_data(path: &Path) -> Result<regorus::Value, ToolError> {
    let loaded = crate::load::load_file(path, &crate::load::LoadLimits::default());
    if let Some(error) = loaded
        .findings
        .iter()
        .find(|f| f.severity == Severity::Error)
    {
        return Err(ToolError::new(format!(
            "{}:{}:{}: invalid data file: {}",
            error.file(),
            error.location.span.start.line,
            error.location.span.start.column,
            error.message
        )));
    }
    let value: Value = loaded.document.map_or(Value::Null, |d| d.value);
    Ok(regorus::Value::from(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_rules_are_found_at_line_start() {
        let text = "package x\nimport rego.v1\ndeny contains m if { m := 1 }\nwarn[m] { m := 2 }\ndenying := 1\n";
        assert_eq!(declared_result_rules(text), ["deny", "warn"]);
    }

    #[test]
    fn builtin_library_loads_and_compiles() {
        let set = PolicySet::load(&PolicySources::default()).unwrap();
        for module in set.rule_modules() {
            assert!(module.meta.is_some(), "{} lacks metadata", module.path);
        }
    }

    #[test]
    fn the_builtin_library_alone_compiles_on_first_use() {
        let set = PolicySet::load(&PolicySources::default()).unwrap();
        assert!(set.compiled.get().is_none(), "compiled while loading");
        assert!(set.compiled().is_ok());
        assert!(set.compiled.get().is_some());
    }

    #[test]
    fn user_policies_compile_while_loading() {
        let dir = tempfile::tempdir().unwrap();
        let policy = dir.path().join("broken.rego");
        std::fs::write(&policy, "package broken\n\ndeny contains msg if {\n").unwrap();
        let sources = PolicySources {
            dirs: vec![dir.path().to_path_buf()],
            ..PolicySources::default()
        };
        let error = PolicySet::load(&sources).unwrap_err();
        assert!(error.to_string().contains("broken.rego"), "{error}");
        std::fs::write(&policy, "package fine\n\ndeny contains \"no\" if false\n").unwrap();
        let set = PolicySet::load(&sources).unwrap();
        assert!(
            set.compiled.get().is_some(),
            "user policies not compiled while loading"
        );
    }

    #[test]
    fn every_builtin_result_rule_runs_on_the_virtual_machine() {
        let set = PolicySet::load(&PolicySources::default()).unwrap();
        let mut count = 0;
        for module in set.rule_modules() {
            for rule in &module.result_rules {
                let entry = entry_point(module, rule);
                assert!(
                    set.programs().contains_key(&entry),
                    "{entry} did not compile"
                );
                count += 1;
            }
        }
        assert!(count >= 10, "{count}");
    }
}

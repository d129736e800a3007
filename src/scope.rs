//! What a run covers: which config file applies, which environments are checked, and
//! which of the files given on the command line are skipped.
//!
//! - The config file is looked for from each checked path upwards, then from the
//!   current directory.
//! - With environments declared in it, a file on the command line belongs to the
//!   environment that contains it (the whole environment is checked, findings are
//!   reported for that file); a file outside every declared environment, or one its
//!   environment's walk leaves out (hidden, ignored), is skipped with a note, never
//!   checked as gateway configuration. A folder is a declared environment, a part of
//!   one (reported for that part), holds declared environments (those are checked),
//!   or else is checked as an environment of its own.
//! - Without declared environments, a folder is an environment and the files given
//!   are checked alone (the files of one folder together), nothing beside them.

use crate::config::{self, ApplyConfig, Config};
use crate::discover::{self, WalkOptions};
use crate::error::ToolError;
use crate::format::Format;
use crate::policy::{RuleSetting, RuleSettings};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// An environment to check: its name, roots and settings.
#[derive(Debug, Clone)]
pub struct Target {
    /// The environment's name.
    pub name: String,
    /// Folders (or files) that hold its configuration.
    pub roots: Vec<PathBuf>,
    /// Format forced for its files.
    pub format: Option<Format>,
    /// Rule settings (global, overridden by the environment's own).
    pub rules: RuleSettings,
    /// Apply settings (global, overridden by the environment's own).
    pub apply: ApplyConfig,
    /// Example values of its declared variables (`variables: {NAME: example}`).
    pub variable_examples: BTreeMap<String, String>,
}

/// A path given on the command line that is not checked, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The path as given.
    pub path: PathBuf,
    /// Why it is not checked.
    pub reason: String,
}

/// The environments of a run, what was skipped, and the files findings are limited to.
#[derive(Debug, Default)]
pub struct Scope {
    /// The environments to check, in the order given (or declared).
    pub targets: Vec<Target>,
    /// Paths on the command line that are not checked.
    pub skipped: Vec<Skipped>,
    /// When paths narrower than an environment were given: the files findings are
    /// reported for (the others are checked, for cross-file rules, but not reported).
    pub report_only: Option<Vec<PathBuf>>,
}

/// What the user asked to check.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Paths on the command line.
    pub paths: &'a [PathBuf],
    /// `--env NAME`: only these declared environments.
    pub only_environments: &'a [String],
    /// Skip a file given without a declared environment when its top level names no
    /// gateway resource (the pre-commit hook's `--skip-non-gateway`).
    pub skip_non_gateway: bool,
}

/// The config file for `paths`: the nearest `.gwlint.yaml` at or above the first
/// path that has one, else at or above `cwd`.
///
/// # Errors
/// When two paths lie under different config files.
pub fn find_config(paths: &[PathBuf], cwd: &Path) -> Result<Option<PathBuf>, ToolError> {
    let mut found: Option<(PathBuf, &PathBuf)> = None;
    for path in paths {
        let Ok(absolute) = path.canonicalize() else {
            continue;
        };
        let folder = if absolute.is_dir() {
            absolute.as_path()
        } else {
            absolute.parent().unwrap_or(&absolute)
        };
        let Some(file) = config::discover(folder) else {
            continue;
        };
        match &found {
            None => found = Some((file, path)),
            Some((first, first_path)) if *first != file => {
                return Err(ToolError::new(format!(
                    "{} and {} are governed by different config files ({} and {})",
                    first_path.display(),
                    path.display(),
                    first.display(),
                    file.display()
                ))
                .with_help("check them in separate runs, or name one with --config"));
            }
            Some(_) => {}
        }
    }
    Ok(found
        .map(|(file, _)| file)
        .or_else(|| config::discover(cwd)))
}

/// Decide the environments of a run.
///
/// # Errors
/// A path that does not exist, an unknown `--env`, or nothing to check.
pub fn resolve(
    request: Request<'_>,
    config: &Config,
    walk: &WalkOptions,
) -> Result<Scope, ToolError> {
    for path in request.paths {
        if std::fs::symlink_metadata(path).is_err() {
            return Err(ToolError::new(format!(
                "{}: no such file or directory",
                path.display()
            )));
        }
    }
    if let Some(unknown) = request
        .only_environments
        .iter()
        .find(|name| !config.environments.iter().any(|e| &e.name == *name))
    {
        return Err(ToolError::new(format!("unknown environment `{unknown}`"))
            .with_help("--env takes a name declared under `environments` in .gwlint.yaml"));
    }
    let declared: Vec<Target> = config
        .environments
        .iter()
        .filter(|e| {
            request.only_environments.is_empty() || request.only_environments.contains(&e.name)
        })
        .map(|e| Target {
            name: e.name.clone(),
            roots: vec![e.path.clone()],
            format: e.format.or(config.format),
            rules: environment_rules(config, &e.rules, &e.variables),
            apply: config.apply.overridden_by(&e.apply),
            variable_examples: e.variable_examples.clone(),
        })
        .collect();
    let config_dir = config.file.as_ref().and_then(|f| f.parent());
    let wants_all = request.paths.is_empty()
        || request
            .paths
            .iter()
            .any(|p| config_dir.is_some_and(|dir| same_path(p, dir)));
    if !declared.is_empty() && wants_all {
        return Ok(Scope {
            targets: declared,
            ..Scope::default()
        });
    }
    if request.paths.is_empty() {
        return Err(ToolError::new("nothing to check").with_help(
            "give one or more environment folders (`gwlint check staging/`), or declare `environments` in .gwlint.yaml",
        ));
    }
    let mut chosen = Chosen::default();
    let mut loose: Vec<PathBuf> = Vec::new();
    for path in request.paths {
        if path.is_dir() {
            chosen.folder(path, &declared, config);
        } else if config.environments.is_empty() {
            loose.push(path.clone());
        } else {
            chosen.file(path, &declared, config, walk);
        }
    }
    let mut scope = Scope {
        targets: chosen.targets,
        skipped: chosen.skipped,
        report_only: None,
    };
    loose_files(request, config, loose, &mut scope);
    if chosen.narrowed {
        let mut files = Vec::new();
        for part in chosen.report {
            if part.is_dir() {
                files.extend(discover::walk(&part, walk).files);
            } else {
                files.push(part);
            }
        }
        scope.report_only = Some(files);
    }
    Ok(scope)
}

/// The environments chosen for the paths given, with environments declared.
#[derive(Default)]
struct Chosen {
    targets: Vec<Target>,
    skipped: Vec<Skipped>,
    /// The folders and files given (what is reported when `narrowed`).
    report: Vec<PathBuf>,
    /// Whether a path narrower than its environment was given.
    narrowed: bool,
}

impl Chosen {
    /// A folder: a declared environment, a part of one, the parent of some, or an
    /// environment of its own.
    fn folder(&mut self, path: &Path, declared: &[Target], config: &Config) {
        if let Some(target) = declared.iter().find(|t| same_path(&t.roots[0], path)) {
            add(&mut self.targets, target.clone());
            self.report.push(path.to_path_buf());
        } else if let Some(target) = declared.iter().find(|t| contains(&t.roots[0], path)) {
            add(&mut self.targets, target.clone());
            self.report.push(path.to_path_buf());
            self.narrowed = true;
        } else {
            let inside: Vec<&Target> = declared
                .iter()
                .filter(|t| contains(path, &t.roots[0]))
                .collect();
            if inside.is_empty() {
                let target = ad_hoc(config, environment_name(path), vec![path.to_path_buf()]);
                add(&mut self.targets, target);
                self.report.push(path.to_path_buf());
            }
            for target in inside {
                add(&mut self.targets, target.clone());
                self.report.push(target.roots[0].clone());
            }
        }
    }

    /// A file: it belongs to the declared environment that contains it, or is skipped.
    fn file(&mut self, path: &Path, declared: &[Target], config: &Config, walk: &WalkOptions) {
        let skip = |reason: String| Skipped {
            path: path.to_path_buf(),
            reason,
        };
        let Some(environment) = config.environments.iter().find(|e| contains(&e.path, path)) else {
            let file = config
                .file
                .as_deref()
                .map_or_else(|| config::FILE_NAME.to_owned(), crate::source::display_path);
            self.skipped.push(skip(format!(
                "outside every environment declared in {file}"
            )));
            return;
        };
        if !discover::is_walked(&environment.path, path, walk) {
            self.skipped.push(skip(format!(
                "not a configuration file of environment `{}` (hidden, ignored, or not .yaml/.yml/.json)",
                environment.name
            )));
            return;
        }
        match declared.iter().find(|t| t.name == environment.name) {
            Some(target) => {
                add(&mut self.targets, target.clone());
                self.report.push(path.to_path_buf());
                self.narrowed = true;
            }
            None => self.skipped.push(skip(format!(
                "environment `{}` is not selected by --env",
                environment.name
            ))),
        }
    }
}

/// Files given without declared environments: each folder's files form one
/// environment of just those files; with `skip_non_gateway`, a file whose top level
/// names no gateway resource is skipped.
fn loose_files(request: Request<'_>, config: &Config, loose: Vec<PathBuf>, scope: &mut Scope) {
    let mut by_folder: Vec<(PathBuf, Vec<PathBuf>)> = Vec::new();
    for file in loose {
        if request.skip_non_gateway {
            if let Some(reason) = not_gateway_configuration(&file) {
                scope.skipped.push(Skipped { path: file, reason });
                continue;
            }
        }
        let folder = parent_folder(&file);
        match by_folder.iter_mut().find(|(f, _)| same_path(f, &folder)) {
            Some((_, files)) => {
                if !files.iter().any(|f| same_path(f, &file)) {
                    files.push(file);
                }
            }
            None => by_folder.push((folder, vec![file])),
        }
    }
    for (folder, files) in by_folder {
        scope
            .targets
            .push(ad_hoc(config, environment_name(&folder), files));
    }
}

/// Why a file is not gateway configuration, if it is not: its top level is a mapping
/// none of whose keys is a resource of either format (a CI workflow, Helm values).
/// A file that does not parse is left to the check, which reports why.
fn not_gateway_configuration(file: &Path) -> Option<String> {
    let loaded = crate::load::load_file(file, &crate::load::LoadLimits::default());
    let document = loaded.document?;
    let serde_json::Value::Object(root) = &document.value else {
        return None;
    };
    if root.is_empty() || root.keys().any(|k| crate::format::is_top_level_key(k)) {
        return None;
    }
    let keys: Vec<String> = root.keys().take(3).map(|k| format!("`{k}`")).collect();
    Some(format!(
        "not gateway configuration: no top-level key ({}{}) is a gateway resource",
        keys.join(", "),
        if root.len() > 3 { ", ..." } else { "" }
    ))
}

/// Add a target unless one with the same roots is there.
fn add(targets: &mut Vec<Target>, target: Target) {
    let known = targets.iter().any(|t| {
        t.roots.len() == target.roots.len()
            && t.roots
                .iter()
                .zip(&target.roots)
                .all(|(a, b)| same_path(a, b))
    });
    if !known {
        targets.push(target);
    }
}

/// An environment that is not declared: global settings only.
fn ad_hoc(config: &Config, name: String, roots: Vec<PathBuf>) -> Target {
    Target {
        name,
        roots,
        format: config.format,
        rules: config.rules.clone(),
        apply: config.apply.clone(),
        variable_examples: BTreeMap::new(),
    }
}

/// The folder a file is in (`.` for a bare file name).
fn parent_folder(file: &Path) -> PathBuf {
    match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Whether `path` lies at or below the folder `root`.
fn contains(root: &Path, path: &Path) -> bool {
    match (root.canonicalize(), path.canonicalize()) {
        (Ok(root), Ok(path)) => path.starts_with(root),
        _ => false,
    }
}

/// An environment's rule settings: the global ones, its own over them, and its
/// declared variables as the `undeclared-variable` rule's parameter.
fn environment_rules(config: &Config, own: &RuleSettings, variables: &[String]) -> RuleSettings {
    let mut settings = config.rules.overridden_by(own);
    if !variables.is_empty() {
        let declared = RuleSetting {
            params: serde_json::Map::from_iter([(
                "declared".to_owned(),
                serde_json::json!(variables),
            )]),
            ..RuleSetting::default()
        };
        let extra = RuleSettings::new(BTreeMap::from([(
            "undeclared-variable".to_owned(),
            declared,
        )]));
        settings = settings.overridden_by(&extra);
    }
    settings
}

/// Whether two paths name the same file or folder.
#[must_use]
pub fn same_path(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The name of an environment given as a folder: its name (`envs/staging/` →
/// `staging`).
fn environment_name(folder: &Path) -> String {
    let absolute = folder
        .canonicalize()
        .or_else(|_| std::path::absolute(folder))
        .unwrap_or_else(|_| folder.to_path_buf());
    absolute.file_name().map_or_else(
        || crate::source::display_path(folder),
        |n| n.to_string_lossy().into_owned(),
    )
}

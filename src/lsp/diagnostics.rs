//! Checking the environment of an edited file, with the open documents' unsaved text
//! in place of the files on disk, and turning its findings into LSP diagnostics.
//!
//! The scoping is `gwlint check`'s (src/scope.rs): the `.gwlint.yaml` that governs the
//! file, the declared environment that contains it, or else its folder as an
//! environment of its own. Compiled schemas and policies are kept per config file
//! ([`Project`]), and every file's parsed and schema-checked form is kept, keyed by its
//! text (open documents) or its modification time and size (files on disk), so an edit
//! re-parses only the edited document; the model and the policies then run on the
//! whole environment, as they must for cross-file rules.

use super::position::range_of;
use crate::check::{CheckOptions, CheckedFile, Checker, Substitution};
use crate::config::Config;
use crate::discover::{self, IgnoreSet, WalkOptions};
use crate::error::ToolError;
use crate::finding::{Finding, Severity};
use crate::format::Format;
use crate::load::{self, LoadLimits, LoadedFile};
use crate::scope::{self, Target};
use lsp_types::Range;
use rayon::prelude::*;
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

/// What one config file (or none) sets up: its settings and compiled checker.
#[derive(Debug)]
pub struct Project {
    /// The config file, when there is one.
    pub config_file: Option<PathBuf>,
    /// Its modification time when read.
    stamp: Option<SystemTime>,
    /// Its settings.
    pub config: Config,
    /// Compiled schemas and policies.
    pub checker: Checker,
    walk: WalkOptions,
    limits: LoadLimits,
    /// The editor schema of each format (built on first use, for completion and hover).
    editor: [OnceLock<serde_json::Value>; 2],
    /// Every rule, for `gwlint explain` on hover (built on first use).
    rules: OnceLock<Vec<crate::rules::RuleInfo>>,
}

impl Project {
    /// The editor schema of a format ([`crate::schema::editor::editor_schema`]).
    pub fn editor_schema(&self, format: Format) -> &serde_json::Value {
        let slot = match format {
            Format::Adc => &self.editor[0],
            Format::Standalone => &self.editor[1],
        };
        slot.get_or_init(|| {
            let mut schema = crate::schema::editor::editor_schema(&self.checker.schemas, format);
            // Plugin maps written as a shared definition (`$defs/plugins`) lead to the
            // plugins' own schemas too.
            if let Some(defs) = schema
                .get_mut("$defs")
                .and_then(serde_json::Value::as_object_mut)
            {
                if defs.contains_key("gwlint-plugins") {
                    if let Some(plugins) = defs.get_mut("plugins") {
                        let description = plugins.get("description").cloned();
                        *plugins = serde_json::json!({"$ref": "#/$defs/gwlint-plugins"});
                        if let Some(description) = description {
                            plugins["description"] = description;
                        }
                    }
                }
            }
            schema
        })
    }

    /// What `gwlint explain RULE` prints, for this project's rules.
    #[must_use]
    pub fn explain(&self, rule: &str) -> Option<String> {
        let rules = self
            .rules
            .get_or_init(|| crate::rules::registry(&self.checker.schemas, &self.checker.policies));
        crate::commands::explain_text(rules, rule).ok()
    }

    /// The environment a file belongs to, as `gwlint check FILE` chooses it (the
    /// file's folder when no environment is declared); `None` when the file is outside
    /// every declared environment or left out by the walk.
    #[must_use]
    pub fn target_of(&self, file: &Path) -> Option<Target> {
        let asked = if self.config.environments.is_empty() {
            file.parent()?.to_path_buf()
        } else {
            file.to_path_buf()
        };
        let scope = scope::resolve(
            scope::Request {
                paths: &[asked],
                only_environments: &[],
                skip_non_gateway: false,
            },
            &self.config,
            &self.walk,
        )
        .ok()?;
        scope.targets.into_iter().next()
    }
}

/// The projects, by config file; shared by the check worker and the request handlers.
#[derive(Debug, Default)]
pub struct Projects {
    by_config: Mutex<HashMap<Option<PathBuf>, Arc<Project>>>,
}

impl Projects {
    /// The project governing `file`: the config file `gwlint check FILE` would read,
    /// compiled once and again when it changes.
    ///
    /// # Errors
    /// A config file that cannot be read, or schemas or policies that do not compile.
    pub fn for_file(&self, file: &Path) -> Result<Arc<Project>, ToolError> {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
        let config_file = scope::find_config(&[file.to_path_buf()], &cwd)?;
        let stamp = config_file
            .as_ref()
            .and_then(|f| std::fs::metadata(f).ok())
            .and_then(|m| m.modified().ok());
        if let Some(project) = self
            .by_config
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&config_file)
        {
            if project.stamp == stamp {
                return Ok(project.clone());
            }
        }
        let options = CheckOptions {
            config_file: config_file.clone(),
            no_config: config_file.is_none(),
            ..CheckOptions::default()
        };
        let config = crate::check::load_config(&options)?;
        let base = config
            .file
            .as_ref()
            .map(|f| std::path::absolute(f).unwrap_or_else(|_| f.clone()))
            .and_then(|f| f.parent().map(Path::to_path_buf))
            .map(|p| vec![p])
            .unwrap_or_default();
        let walk = WalkOptions {
            follow_symlinks: config.follow_symlinks,
            ignore: IgnoreSet::new(&config.ignore, base).map_err(ToolError::new)?,
        };
        let checker = Checker::from_config(&config, &options)?;
        let limits = LoadLimits {
            max_file_bytes: config
                .max_file_size
                .unwrap_or(LoadLimits::default().max_file_bytes),
            ..LoadLimits::default()
        };
        let project = Arc::new(Project {
            config_file: config_file.clone(),
            stamp,
            config,
            checker,
            walk,
            limits,
            editor: [OnceLock::new(), OnceLock::new()],
            rules: OnceLock::new(),
        });
        self.by_config
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(config_file, project.clone());
        Ok(project)
    }
}

/// What a file's cached form was made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stamp {
    /// An open document's text (its hash and length).
    Text(u64, usize),
    /// A file on disk (its modification time and size).
    Disk(Option<SystemTime>, u64),
}

/// One file, parsed and schema-checked for one environment.
#[derive(Debug)]
struct Cached {
    stamp: Stamp,
    /// The environment settings it was checked with.
    target: u64,
    checked: CheckedFile,
}

/// One diagnostic as published, with what code actions and hover need.
#[derive(Debug, Clone)]
pub struct Published {
    /// The finding.
    pub finding: Finding,
    /// Its range.
    pub range: Range,
    /// The range of the key of the finding's node, when it is a mapping value.
    pub key_range: Option<Range>,
}

/// The diagnostics of one check: every file of the environment, with its findings
/// (an empty list clears a file's earlier diagnostics).
#[derive(Debug, Default)]
pub struct Checked {
    /// The environment's name.
    pub environment: String,
    /// Each file's diagnostics.
    pub files: BTreeMap<PathBuf, Vec<Published>>,
}

/// The check engine: the projects and every file's cached checked form.
#[derive(Debug)]
pub struct Engine {
    /// The projects (shared with the request handlers).
    pub projects: Arc<Projects>,
    files: HashMap<PathBuf, Cached>,
    /// The files each environment last published diagnostics for.
    published: HashMap<String, HashSet<PathBuf>>,
    /// How many files the last check parsed (for tests and the benchmark).
    pub last_parsed: usize,
}

impl Engine {
    /// An engine with no cache yet.
    #[must_use]
    pub fn new(projects: Arc<Projects>) -> Self {
        Engine {
            projects,
            files: HashMap::new(),
            published: HashMap::new(),
            last_parsed: 0,
        }
    }

    /// Check the environment of `file`, reading open documents from `overlay`.
    /// `cancelled` is asked between stages: when it says so, the check stops and
    /// returns `None`, as it does for a file in no environment.
    ///
    /// # Errors
    /// When the project cannot be set up (an invalid config file, a bad schema).
    pub fn check(
        &mut self,
        file: &Path,
        overlay: &HashMap<PathBuf, Arc<String>>,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Option<Checked>, ToolError> {
        let project = self.projects.for_file(file)?;
        let Some(target) = project.target_of(file) else {
            return Ok(None);
        };
        let mut paths = Vec::new();
        let mut general = project.config.findings.clone();
        for root in &target.roots {
            let found = discover::walk(root, &project.walk);
            paths.extend(found.files);
            general.extend(found.findings);
        }
        self.refresh(&project, &target, &paths, overlay);
        if cancelled() {
            return Ok(None);
        }
        let mut files: Vec<CheckedFile> = paths
            .par_iter()
            .filter_map(|path| self.files.get(path).map(|c| duplicate(&c.checked)))
            .collect();
        let (model, model_findings) = crate::model::build(&target.name, &mut files, false);
        if cancelled() {
            return Ok(None);
        }
        let report = project
            .checker
            .finish_environment(&target, model, model_findings, files);
        let mut result = Checked {
            environment: target.name.clone(),
            files: paths.iter().map(|p| (p.clone(), Vec::new())).collect(),
        };
        let documents: HashMap<&Path, &load::Document> = report
            .checked
            .iter()
            .filter_map(|c| Some((c.file.source.path.as_path(), c.file.document.as_ref()?)))
            .collect();
        for finding in report.findings.iter().chain(&general) {
            let source = &finding.location.source;
            let key_range = documents
                .get(source.path.as_path())
                .and_then(|d| d.locate(&finding.location.pointer).key_span)
                .filter(|_| !finding.location.pointer.is_empty())
                .map(|span| range_of(source, span));
            result
                .files
                .entry(source.path.clone())
                .or_default()
                .push(Published {
                    finding: finding.clone(),
                    range: range_of(source, finding.location.span),
                    key_range,
                });
        }
        let key = format!("{:?}\0{}", project.config_file, target.name);
        let before = self.published.insert(
            key,
            result.files.keys().cloned().collect::<HashSet<PathBuf>>(),
        );
        for gone in before.into_iter().flatten() {
            result.files.entry(gone).or_default();
        }
        drop(report);
        Ok(Some(result))
    }

    /// Bring the cached checked form of every file of `paths` up to date: parse and
    /// check again the files whose text (or modification time and size) changed.
    fn refresh(
        &mut self,
        project: &Project,
        target: &Target,
        paths: &[PathBuf],
        overlay: &HashMap<PathBuf, Arc<String>>,
    ) {
        let target_key = target_key(project, target);
        let stamps: Vec<Stamp> = paths
            .par_iter()
            .map(|path| match overlay.get(path) {
                Some(text) => Stamp::Text(hash_text(text), text.len()),
                None => std::fs::metadata(path).map_or(Stamp::Disk(None, 0), |m| {
                    Stamp::Disk(m.modified().ok(), m.len())
                }),
            })
            .collect();
        let stale: Vec<(usize, &PathBuf)> = paths
            .iter()
            .enumerate()
            .filter(|(i, path)| {
                self.files
                    .get(*path)
                    .is_none_or(|c| c.stamp != stamps[*i] || c.target != target_key)
            })
            .collect();
        self.last_parsed = stale.len();
        let substitution = Substitution::Examples(&target.variable_examples);
        let fresh: Vec<(PathBuf, CheckedFile)> = stale
            .par_iter()
            .map(|(_, path)| {
                let loaded = match overlay.get(*path) {
                    Some(text) => load::parse_text(path, text.as_str().to_owned(), &project.limits),
                    None => load::load_file(path, &project.limits),
                };
                let checked = project
                    .checker
                    .check_file_with(loaded, target.format, &substitution);
                ((*path).clone(), checked)
            })
            .collect();
        for ((index, _), (path, checked)) in stale.iter().zip(fresh) {
            self.files.insert(
                path,
                Cached {
                    stamp: stamps[*index],
                    target: target_key,
                    checked,
                },
            );
        }
        // Files of this environment that are gone (deleted, renamed, now ignored) leave
        // the cache: it holds the current files of the environments checked, no more.
        if self.files.len() > paths.len() {
            let current: HashSet<&PathBuf> = paths.iter().collect();
            self.files
                .retain(|path, cached| cached.target != target_key || current.contains(path));
        }
    }

    /// How many files' checked forms are cached.
    #[must_use]
    pub fn cached_files(&self) -> usize {
        self.files.len()
    }
}

/// The settings a file's own check depends on: the environment's name, format and
/// variable examples, and the project.
fn target_key(project: &Project, target: &Target) -> u64 {
    let mut hasher = DefaultHasher::new();
    project.config_file.hash(&mut hasher);
    target.name.hash(&mut hasher);
    target.format.map(Format::as_str).hash(&mut hasher);
    target.variable_examples.hash(&mut hasher);
    std::ptr::from_ref(project).hash(&mut hasher);
    hasher.finish()
}

fn hash_text(text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// A copy of a cached checked file for one check (the model takes the values of its
/// document; the source is shared).
fn duplicate(checked: &CheckedFile) -> CheckedFile {
    CheckedFile {
        file: LoadedFile {
            source: checked.file.source.clone(),
            document: checked.file.document.clone(),
            findings: checked.file.findings.clone(),
        },
        format: checked.format,
    }
}

/// The LSP severity of a finding's.
#[must_use]
pub fn severity(severity: Severity) -> lsp_types::DiagnosticSeverity {
    match severity {
        Severity::Error => lsp_types::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp_types::DiagnosticSeverity::WARNING,
        Severity::Info => lsp_types::DiagnosticSeverity::INFORMATION,
    }
}

/// The LSP diagnostic of a published finding.
#[must_use]
pub fn diagnostic(published: &Published) -> lsp_types::Diagnostic {
    let finding = &published.finding;
    let related: Vec<lsp_types::DiagnosticRelatedInformation> = finding
        .related
        .iter()
        .filter_map(|r| {
            Some(lsp_types::DiagnosticRelatedInformation {
                location: lsp_types::Location {
                    uri: super::documents::path_to_uri(&r.location.source.path)?,
                    range: range_of(&r.location.source, r.location.span),
                },
                message: str::to_owned(&r.message),
            })
        })
        .collect();
    let mut message = str::to_owned(&finding.message);
    if !finding.help.is_empty() {
        message.push_str("\nhelp: ");
        message.push_str(&finding.help);
    }
    lsp_types::Diagnostic {
        range: published.range,
        severity: Some(severity(finding.severity)),
        code: Some(lsp_types::NumberOrString::String(str::to_owned(
            &finding.rule,
        ))),
        code_description: None,
        source: Some("gwlint".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

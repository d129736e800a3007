//! `gwlint init`: a first `.gwlint.yaml` for a tree that already holds gateway
//! configuration.
//!
//! [`scan`] walks the tree (hidden folders, `node_modules` and `target` left out),
//! parses every YAML/JSON file with the loader `check` uses and keeps those whose top
//! level has a key of the ADC or APISIX standalone file schema holding a value of that
//! key's shape (a docker-compose `services:` mapping, a workflow or Helm values do
//! not). Each folder that directly holds such a file belongs to an environment: the
//! nearest folder above it named like one (`staging`, `prod`, ...), else the folder
//! itself with resource-kind folders (`services/`, `routes/`) taken off; an
//! environment inside another one is part of it. Each file's format is detected as
//! `check` detects it; its `${VAR}` placeholders are read with
//! [`crate::variables`], and its plugins are looked up in the latest shipped APISIX
//! version with the schema stage's own lookup. [`render`] turns the scan into a commented config file: environments with
//! their format and variables, the plugins that version does not have as
//! `custom_plugins`, `ignore` globs for the other files inside environment folders,
//! and commented defaults for the rest.

use crate::error::ToolError;
use crate::format::{self, Detected, Format};
use crate::load::document::join_pointer;
use crate::load::{self, Document, LoadLimits, Syntax};
use crate::schema::{self, SchemaSet, UnknownPluginUse};
use crate::source::SourceFile;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use walkdir::WalkDir;

/// Folders the scan does not enter besides hidden ones: dependencies and build output.
pub const SKIPPED_FOLDERS: &[&str] = &["node_modules", "target"];

/// The baseline file `gwlint init --baseline` writes when given no name.
pub const DEFAULT_BASELINE: &str = ".gwlint-baseline.json";

/// Where something was first seen: a file (relative to the scanned root, `/`
/// separated) and a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The file.
    pub file: String,
    /// Its 1-based line.
    pub line: u32,
}

impl std::fmt::Display for Seen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// The format of an environment's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvironmentFormat {
    /// Every file reads as this format.
    Single(Format),
    /// The files read as different formats (or one mixes both): detected per file.
    PerFile,
}

/// A folder of gateway configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundEnvironment {
    /// Its name in the config file.
    pub name: String,
    /// Its folder relative to the scanned root (`.` for the root itself).
    pub path: String,
    /// The format of its files.
    pub format: EnvironmentFormat,
    /// Its gateway files, relative to the root.
    pub files: Vec<String>,
    /// The `${VAR}` names its files use, each with its first use.
    pub variables: BTreeMap<String, Seen>,
}

/// Why a plugin the files use is or is not declared as a custom plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginVerdict {
    /// No shipped APISIX version has it and no plugin name is close: a custom plugin.
    Custom,
    /// Close to a plugin of the selected version: maybe a typo, not declared.
    CloseTo(String),
    /// Another shipped APISIX version has it: not declared (select that version).
    OtherVersion(&'static str),
}

/// A plugin the files use that the selected APISIX version does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundPlugin {
    /// Its name.
    pub name: String,
    /// Its first use.
    pub seen: Seen,
    /// Whether it is declared.
    pub verdict: PluginVerdict,
}

/// A path inside an environment folder that `check` would read but that is not
/// gateway configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredPath {
    /// The path relative to the root (`/` separated).
    pub path: String,
    /// Whether it is a whole folder (`node_modules`, `target`).
    pub folder: bool,
}

impl IgnoredPath {
    /// The `ignore:` glob that matches it (relative to the config file's folder).
    #[must_use]
    pub fn glob(&self) -> String {
        let escaped = globset::escape(&self.path);
        if self.folder {
            format!("{escaped}/**")
        } else {
            escaped
        }
    }
}

/// What the scan of a tree found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// The environments, sorted by path.
    pub environments: Vec<FoundEnvironment>,
    /// Plugins the selected APISIX version does not have, by name.
    pub plugins: Vec<FoundPlugin>,
    /// The APISIX version plugins were looked up in.
    pub apisix_version: &'static str,
    /// YAML/JSON files and skipped folders inside environments that are not gateway
    /// configuration (written as `ignore` globs).
    pub ignored: Vec<IgnoredPath>,
    /// YAML/JSON files outside every environment that are not gateway configuration.
    pub not_gateway: Vec<String>,
    /// Files that could not be parsed as one document (syntax errors, several
    /// documents, empty, unreadable): `check` reports those inside an environment.
    pub unparsed: Vec<String>,
}

impl Scan {
    /// Note a file gwlint writes into the tree (the baseline file): when it lies in an
    /// environment folder where `check` would read it, it is ignored there.
    pub fn ignore_written(&mut self, path: &str) {
        let hidden = path.split('/').any(|part| part.starts_with('.'));
        let inside = self
            .environments
            .iter()
            .any(|environment| is_within(path, &environment.path));
        if inside && !hidden && !self.ignored.iter().any(|i| i.path == path) {
            self.ignored.push(IgnoredPath {
                path: path.to_owned(),
                folder: false,
            });
            self.ignored.sort_by(|a, b| a.path.cmp(&b.path));
        }
    }
}

/// What a file turned out to be.
enum Kind {
    /// Gateway configuration, with its document when it holds exactly one.
    Gateway(Option<Box<Document>>, Arc<SourceFile>),
    /// Parsed, but no document looks like gateway configuration.
    Other,
    /// Not parsed.
    Unparsed,
}

/// The top-level keys of the two file schemas and the shape of their values.
struct GatewayKeys {
    /// Keys whose value is a list of objects.
    lists: BTreeSet<String>,
    /// Keys whose value is an object keyed by plugin name (ADC's `global_rules`).
    maps: BTreeSet<String>,
    /// Standalone keys that also have a `<key>_conf_version` number.
    versioned: BTreeSet<String>,
}

impl GatewayKeys {
    /// Read from the embedded ADC and standalone file schemas.
    fn from_schemas() -> Result<Self, ToolError> {
        let mut keys = GatewayKeys {
            lists: BTreeSet::new(),
            maps: BTreeSet::new(),
            versioned: BTreeSet::new(),
        };
        for (name, text) in [
            ("adc", schema::ADC_SCHEMA),
            ("standalone", schema::STANDALONE_SCHEMA),
        ] {
            let schema: Value = serde_json::from_str(text).map_err(|e| {
                ToolError::new(format!("internal: the built-in {name} schema: {e}"))
            })?;
            for (key, property) in crate::value::entries(schema.get("properties")) {
                if property.get("type").and_then(Value::as_str) == Some("array") {
                    keys.lists.insert(key.clone());
                    if name == "standalone" {
                        // The schema's patternProperties: `(<list>)_conf_version`.
                        keys.versioned.insert(key.clone());
                    }
                } else {
                    keys.maps.insert(key.clone());
                }
            }
        }
        Ok(keys)
    }

    /// Whether a document's top level has a gateway key holding a value of its shape.
    fn looks_like_gateway(&self, value: &Value) -> bool {
        let Value::Object(root) = value else {
            return false;
        };
        root.iter().any(|(key, item)| match item {
            Value::Array(items) => self.lists.contains(key) && items.iter().all(Value::is_object),
            Value::Object(_) => self.maps.contains(key),
            Value::Number(_) => key
                .strip_suffix("_conf_version")
                .is_some_and(|list| self.versioned.contains(list)),
            _ => false,
        })
    }
}

/// `path` relative to `root`, `/` separated (`.` for the root).
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let text = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    if text.is_empty() {
        ".".to_owned()
    } else {
        text
    }
}

/// The folder part of a relative file path (`.` for a file of the root).
fn folder_of(file: &str) -> &str {
    file.rsplit_once('/').map_or(".", |(folder, _)| folder)
}

/// Folder names that name an environment (`staging`, `prod`, ...).
const ENVIRONMENT_NAMES: &[&str] = &[
    "dev",
    "develop",
    "development",
    "test",
    "testing",
    "qa",
    "uat",
    "int",
    "integration",
    "stage",
    "staging",
    "preprod",
    "pre-prod",
    "preproduction",
    "pre-production",
    "prod",
    "production",
    "live",
    "sandbox",
    "demo",
    "perf",
    "canary",
    "local",
];

/// Folder names that hold one kind of resource of an environment split by kind
/// (`staging/services/`, `staging/routes/`).
const RESOURCE_FOLDERS: &[&str] = &[
    "services",
    "routes",
    "upstreams",
    "consumers",
    "consumer_groups",
    "consumer-groups",
    "credentials",
    "ssls",
    "ssl",
    "certificates",
    "certs",
    "plugins",
    "plugin_configs",
    "plugin-configs",
    "global_rules",
    "global-rules",
    "plugin_metadata",
    "plugin-metadata",
    "stream_routes",
    "stream-routes",
    "protos",
    "secrets",
];

/// The environment folder of a folder that directly holds gateway files: the nearest
/// folder above it (or itself) named like an environment (`envs/staging/routes` →
/// `envs/staging`); else, the folder with the resource-kind folders it lies in taken
/// off (`gateway/services` → `gateway`). The folders of one environment split by
/// resource kind are then one environment, not one each.
fn environment_folder(folder: &str) -> &str {
    if folder == "." {
        return folder;
    }
    let mut end = folder.len();
    let mut rest = folder;
    loop {
        let name = rest.rsplit('/').next().unwrap_or(rest);
        if ENVIRONMENT_NAMES.contains(&name.to_ascii_lowercase().as_str()) {
            return &folder[..end];
        }
        match rest.rsplit_once('/') {
            Some((parent, _)) => {
                end = parent.len();
                rest = parent;
            }
            None => break,
        }
    }
    let mut folder = folder;
    loop {
        let (parent, name) = folder.rsplit_once('/').unwrap_or((".", folder));
        if !RESOURCE_FOLDERS.contains(&name.to_ascii_lowercase().as_str()) {
            return folder;
        }
        folder = parent;
        if folder == "." {
            return folder;
        }
    }
}

/// Whether relative path `path` is `folder` or lies below it.
fn is_within(path: &str, folder: &str) -> bool {
    folder == "."
        || path == folder
        || path
            .strip_prefix(folder)
            .is_some_and(|rest| rest.starts_with('/'))
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.'))
}

/// Scan a tree.
///
/// # Errors
/// A [`ToolError`] when the root cannot be read or the built-in schemas cannot be
/// loaded.
pub fn scan(root: &Path) -> Result<Scan, ToolError> {
    if !root.is_dir() {
        return Err(ToolError::new(format!(
            "{}: not a folder",
            crate::source::display_path(root)
        )));
    }
    let keys = GatewayKeys::from_schemas()?;
    let limits = LoadLimits::default();
    let mut files: Vec<(String, Kind)> = Vec::new();
    let mut skipped_folders: Vec<String> = Vec::new();
    let mut walker = WalkDir::new(root).sort_by_file_name().into_iter();
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) if error.depth() == 0 => {
                return Err(ToolError::new(format!(
                    "{}: cannot read: {error}",
                    crate::source::display_path(root)
                )))
            }
            // An unreadable folder below the root: `check` reports it if it matters.
            Err(_) => continue,
        };
        if entry.depth() == 0 {
            continue;
        }
        let name = entry.file_name();
        if entry.file_type().is_dir() {
            if is_hidden(name) {
                walker.skip_current_dir();
            } else if name.to_str().is_some_and(|n| SKIPPED_FOLDERS.contains(&n)) {
                skipped_folders.push(relative(root, entry.path()));
                walker.skip_current_dir();
            }
            continue;
        }
        if !entry.file_type().is_file()
            || is_hidden(name)
            || !crate::discover::is_config_file(entry.path())
        {
            continue;
        }
        let kind = classify(entry.path(), &keys, &limits);
        files.push((relative(root, entry.path()), kind));
    }
    let set = SchemaSet::load(&[])
        .map_err(|e| ToolError::new(format!("cannot load plugin schemas: {e}")))?;
    Ok(assemble(root, files, &skipped_folders, &set))
}

/// Read and parse one file and decide what it is.
fn classify(path: &Path, keys: &GatewayKeys, limits: &LoadLimits) -> Kind {
    let Ok(text) = load::read_file(path, limits) else {
        return Kind::Unparsed;
    };
    let source = Arc::new(SourceFile::new(path.to_path_buf(), text));
    let output = match Syntax::of(path) {
        Syntax::Yaml => load::yaml::parse(&source, limits),
        Syntax::Json => load::json::parse(&source, limits),
    };
    if output.failed || output.documents.is_empty() {
        return Kind::Unparsed;
    }
    if !output
        .documents
        .iter()
        .any(|d| keys.looks_like_gateway(&d.value))
    {
        return Kind::Other;
    }
    let mut documents = output.documents;
    // A file of several documents is still gateway configuration (which `check`
    // refuses); only a single document is read for variables and plugins.
    let single = (documents.len() == 1).then(|| Box::new(documents.remove(0)));
    Kind::Gateway(single, source)
}

/// Group the classified files into environments and collect what they use.
fn assemble(
    root: &Path,
    files: Vec<(String, Kind)>,
    skipped_folders: &[String],
    set: &SchemaSet,
) -> Scan {
    let candidates: BTreeSet<&str> = files
        .iter()
        .filter(|(_, kind)| matches!(kind, Kind::Gateway(..)))
        .map(|(file, _)| environment_folder(folder_of(file)))
        .collect();
    // A folder inside another environment folder is part of it: `check` walks
    // environment folders recursively.
    let folders: Vec<String> = candidates
        .iter()
        .filter(|folder| {
            !candidates
                .iter()
                .any(|other| other != *folder && is_within(folder, other))
        })
        .map(|folder| (*folder).to_owned())
        .collect();
    let names = environment_names(root, &folders);
    let mut environments: Vec<FoundEnvironment> = folders
        .iter()
        .zip(names)
        .map(|(path, name)| FoundEnvironment {
            name,
            path: path.clone(),
            format: EnvironmentFormat::PerFile,
            files: Vec::new(),
            variables: BTreeMap::new(),
        })
        .collect();
    let environment_of = |path: &str| folders.iter().position(|folder| is_within(path, folder));
    let mut scan = Scan {
        apisix_version: set.plugins.version(),
        ..Scan::default()
    };
    let mut formats: Vec<Vec<Option<Format>>> = vec![Vec::new(); folders.len()];
    let mut plugins: BTreeMap<String, FoundPlugin> = BTreeMap::new();
    for (file, kind) in files {
        match kind {
            Kind::Gateway(document, source) => {
                let Some(index) = environment_of(&file) else {
                    continue;
                };
                let environment = &mut environments[index];
                let Some(document) = document else {
                    environment.files.push(file.clone());
                    scan.unparsed.push(file);
                    continue;
                };
                let detected = format::detect(&source.path, &document.value);
                let format = match detected {
                    Detected::Format(format) => Some(format),
                    Detected::Mixed { .. } => None,
                };
                if !formats[index].contains(&format) {
                    formats[index].push(format);
                }
                variables_of(&document, &file, &mut environment.variables);
                if let Some(format) = format {
                    for used in schema::unknown_plugins(set, format, &document.value) {
                        let seen = Seen {
                            file: file.clone(),
                            line: name_line(&document, &used),
                        };
                        plugins
                            .entry(used.name.clone())
                            .or_insert_with(|| found_plugin(used, seen));
                    }
                }
                environment.files.push(file);
            }
            Kind::Other => match environment_of(&file) {
                Some(_) => scan.ignored.push(IgnoredPath {
                    path: file,
                    folder: false,
                }),
                None => scan.not_gateway.push(file),
            },
            Kind::Unparsed => scan.unparsed.push(file),
        }
    }
    for folder in skipped_folders {
        if environment_of(folder).is_some() {
            scan.ignored.push(IgnoredPath {
                path: folder.clone(),
                folder: true,
            });
        }
    }
    scan.ignored.sort_by(|a, b| a.path.cmp(&b.path));
    for (environment, formats) in environments.iter_mut().zip(formats) {
        let mut formats = formats.into_iter();
        environment.format = match (formats.next(), formats.next()) {
            (Some(Some(format)), None) => EnvironmentFormat::Single(format),
            _ => EnvironmentFormat::PerFile,
        };
    }
    scan.environments = environments;
    scan.plugins = plugins.into_values().collect();
    scan
}

fn found_plugin(used: UnknownPluginUse, seen: Seen) -> FoundPlugin {
    let verdict = match (used.other_version, used.suggestion) {
        (Some(version), _) => PluginVerdict::OtherVersion(version),
        (None, Some(close)) => PluginVerdict::CloseTo(close),
        (None, None) => PluginVerdict::Custom,
    };
    FoundPlugin {
        name: used.name,
        seen,
        verdict,
    }
}

/// The line where a plugin use names the plugin.
fn name_line(document: &Document, used: &UnknownPluginUse) -> u32 {
    let located = document.locate(&used.pointer);
    let span = if used.name_is_key {
        located.key_span.unwrap_or(located.span)
    } else {
        located.span
    };
    span.start.line
}

/// Add the `${VAR}` names of a document's string values, each with its first use.
fn variables_of(document: &Document, file: &str, found: &mut BTreeMap<String, Seen>) {
    let mut uses: Vec<(String, String)> = Vec::new();
    strings(&document.value, "", &mut |pointer, text| {
        if text.contains("${") {
            // Every placeholder comes back unset: those are the names it uses.
            let (_, names) = crate::variables::substitute(text, &|_| None);
            uses.extend(names.into_iter().map(|name| (name, pointer.to_owned())));
        }
    });
    for (name, pointer) in uses {
        found.entry(name).or_insert_with(|| Seen {
            file: file.to_owned(),
            line: document.locate(&pointer).span.start.line,
        });
    }
}

/// Call `visit` with the pointer and text of every string value, in document order.
fn strings(value: &Value, pointer: &str, visit: &mut dyn FnMut(&str, &str)) {
    match value {
        Value::String(text) => visit(pointer, text),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                strings(item, &format!("{pointer}/{i}"), visit);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                strings(item, &join_pointer(pointer, key), visit);
            }
        }
        _ => {}
    }
}

/// Environment names: each folder's own name, its whole path where two folders
/// share a name, and the root folder's name (or `default`) for the root.
fn environment_names(root: &Path, folders: &[String]) -> Vec<String> {
    let root_name = std::path::absolute(root)
        .ok()
        .and_then(|p| {
            p.components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .collect::<PathBuf>()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "default".to_owned());
    let short = |folder: &str| -> String {
        if folder == "." {
            root_name.clone()
        } else {
            folder.rsplit('/').next().unwrap_or(folder).to_owned()
        }
    };
    folders
        .iter()
        .map(|folder| {
            let name = short(folder);
            let shared = folders.iter().filter(|other| short(other) == name).count() > 1;
            if shared && folder != "." {
                folder.clone()
            } else {
                name
            }
        })
        .collect()
}

/// A YAML scalar for `text`: plain when it reads back as the same string, else
/// double-quoted (JSON string syntax, which YAML reads the same way).
fn scalar(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && !text.starts_with('-')
        && crate::load::yaml::resolve_plain(text).is_none()
        // YAML 1.1 booleans and numbers (`1_000`, `0b1`), and the core schema's
        // infinity and not-a-number, which other readers of the file take as such.
        && !crate::load::yaml::reads_differently_in_yaml11(text)
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off" | ".inf" | ".nan"
        );
    if plain {
        text.to_owned()
    } else {
        serde_json::Value::String(text.to_owned()).to_string()
    }
}

/// Text for a comment: control characters (a newline in a file name) as `?`.
fn comment(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// The commented config file for a scan; `baseline` names the baseline file the
/// config points at.
#[must_use]
pub fn render(scan: &Scan, baseline: Option<&str>) -> String {
    let mut out = String::new();
    let line = |out: &mut String, text: &str| {
        out.push_str(text);
        out.push('\n');
    };
    line(
        &mut out,
        "# gwlint configuration, written by `gwlint init` for the files it found.",
    );
    line(
        &mut out,
        "# Every key is described in the README (\"Configuration: .gwlint.yaml\");",
    );
    line(
        &mut out,
        "# `gwlint check` run in this folder checks every environment below.",
    );
    line(&mut out, "");
    render_environments(scan, &mut out);
    render_plugins(scan, &mut out);
    render_ignore(scan, &mut out);
    let version = crate::schema::plugins::release_line(scan.apisix_version);
    let _ = write!(
        out,
        "# The APISIX release your gateway runs: its plugins and their schemas apply\n\
         # (default: the latest gwlint knows, {version}).\n\
         # apisix_version: \"{version}\"\n\
         # enabled_plugins: [key-auth, limit-count]   # APISIX config.yaml `plugins`: others are refused (default: all)\n\n",
    );
    match baseline {
        Some(file) => {
            let _ = write!(
                out,
                "# Findings accepted when gwlint was adopted: `gwlint check` and `gwlint apply`\n\
                 # report them as baseline findings and fail only on new ones.\n\
                 baseline: {}\n\n",
                scalar(file)
            );
        }
        None => out.push_str(
            "# Accepted findings (`gwlint baseline write FILE`): `gwlint check` then fails only\n\
             # on new ones.\n\
             # baseline: .gwlint-baseline.json\n\n",
        ),
    }
    out.push_str(
        "# Rule settings for every environment (`gwlint rules` lists the rules): off, error,\n\
         # warning, info or {enabled, severity, params}; an environment can override them\n\
         # under its own `rules:`.\n\
         # rules:\n\
         #   route-needs-timeout: warning\n\
         #   route-needs-auth: {params: {auth_plugins: [key-auth, openid-connect]}}\n\n",
    );
    out.push_str(
        "# How `gwlint apply` hands an environment off; an environment can override any of\n\
         # these under its own `apply:`. Values shown are the defaults or examples.\n\
         # apply:\n\
         #   engine: adc                       # adc (`adc sync`) or standalone (write apisix.yaml)\n\
         #   adc: /usr/local/bin/adc           # the adc program (default: `adc` on PATH)\n\
         #   backend: apisix                   # ADC_BACKEND: apisix, api7ee or apisix-standalone\n\
         #   server: http://127.0.0.1:9180     # ADC_SERVER: the Admin API\n\
         #   token_env: ADC_TOKEN              # the variable holding the Admin API token (never printed)\n\
         #   gateway_group: default            # API7 EE gateway group\n\
         #   ca_cert_file: certs/ca.pem        # CA of the Admin API's certificate\n\
         #   tls_client_cert_file: certs/client.pem   # mutual TLS\n\
         #   tls_client_key_file: certs/client.key\n\
         #   tls_skip_verify: false\n\
         #   label_selector: {team: commerce}  # sync only resources with these labels\n\
         #   max_deletes: 0                    # deletes a sync may make without --allow-deletes\n\
         #                                     # (default: 0 for production/prod, no limit elsewhere)\n\
         #   out: /usr/local/apisix/conf/apisix.yaml   # standalone engine: the file to write\n\
         #   backup: false                     # standalone engine: keep the old file as <out>.bak\n",
    );
    out
}

fn render_environments(scan: &Scan, out: &mut String) {
    out.push_str(
        "# One entry per folder of gateway configuration (its subfolders included).\n\
         # `variables` lists the ${VAR}s its files use, which the deployment provides: give\n\
         # one an example value (`PORT: 8080`) to have the checks judge a placeholder as\n\
         # that value; without one, only the placeholder's shape is checked.\n\
         environments:\n",
    );
    for environment in &scan.environments {
        let _ = writeln!(out, "  {}:", scalar(&environment.name));
        let _ = writeln!(out, "    path: {}", scalar(&environment.path));
        match environment.format {
            EnvironmentFormat::Single(format) => {
                let _ = writeln!(
                    out,
                    "    format: {}{}# every file here reads as {}",
                    format.as_str(),
                    " ".repeat(12usize.saturating_sub(format.as_str().len())),
                    match format {
                        Format::Adc => "ADC",
                        Format::Standalone => "APISIX standalone",
                    }
                );
            }
            EnvironmentFormat::PerFile => out.push_str(
                "    # format: not set, detected per file (the files here are not all of one format)\n",
            ),
        }
        if !environment.variables.is_empty() {
            out.push_str("    variables:\n");
            let width = environment
                .variables
                .keys()
                .map(|name| scalar(name).len())
                .max()
                .unwrap_or(0);
            for (name, seen) in &environment.variables {
                let key = format!("{}:", scalar(name));
                let _ = writeln!(
                    out,
                    "      {key:width$}  # used at {}",
                    comment(&seen.to_string()),
                    width = width + 1
                );
            }
        }
        if environment.format == EnvironmentFormat::Single(Format::Standalone) {
            for text in [
                "# apply:                        # the adc engine takes ADC files only",
                "#   engine: standalone",
                "#   out: /usr/local/apisix/conf/apisix.yaml",
            ] {
                let _ = writeln!(out, "    {text}");
            }
        }
    }
    out.push('\n');
}

fn render_plugins(scan: &Scan, out: &mut String) {
    if scan.plugins.is_empty() {
        return;
    }
    let custom: Vec<&FoundPlugin> = scan
        .plugins
        .iter()
        .filter(|p| p.verdict == PluginVerdict::Custom)
        .collect();
    let version = crate::schema::plugins::release_line(scan.apisix_version);
    let _ = writeln!(
        out,
        "# Plugins the files use that APISIX {version} does not have, accepted without a\n\
         # schema (`plugin_schemas: [folder]` gives their schemas, to have them checked).\n\
         # Names that look like a typo or belong to another APISIX release are left\n\
         # commented: `gwlint check` reports them until you decide."
    );
    if custom.is_empty() {
        out.push_str("# custom_plugins:\n");
    } else {
        out.push_str("custom_plugins:\n");
    }
    let width = scan
        .plugins
        .iter()
        .map(|p| scalar(&p.name).len())
        .max()
        .unwrap_or(0);
    for plugin in &scan.plugins {
        let name = scalar(&plugin.name);
        let seen = comment(&plugin.seen.to_string());
        let _ = match &plugin.verdict {
            PluginVerdict::Custom => writeln!(out, "  - {name:width$}  # {seen}"),
            PluginVerdict::CloseTo(close) => writeln!(
                out,
                "#  - {name:width$}  # {seen}: close to `{}`, a typo?",
                comment(close)
            ),
            PluginVerdict::OtherVersion(other) => writeln!(
                out,
                "#  - {name:width$}  # {seen}: a plugin of APISIX {}; set apisix_version instead",
                crate::schema::plugins::release_line(other)
            ),
        };
    }
    out.push('\n');
}

fn render_ignore(scan: &Scan, out: &mut String) {
    if scan.ignored.is_empty() {
        out.push_str(
            "# Globs of paths to skip, relative to this folder or to an environment.\n\
             # ignore: [\"**/drafts/**\"]\n\n",
        );
        return;
    }
    out.push_str(
        "# Paths inside environment folders that are not gateway configuration (globs,\n\
         # relative to this folder or to an environment).\n\
         ignore:\n",
    );
    for path in &scan.ignored {
        let why = if path.folder {
            "  # dependencies or build output"
        } else {
            ""
        };
        let _ = writeln!(out, "  - {}{why}", scalar(&path.glob()));
    }
    out.push('\n');
}

/// A short account of the scan for the terminal, one line per item.
#[must_use]
pub fn summary(scan: &Scan) -> String {
    let mut out = String::new();
    for environment in &scan.environments {
        let format = match environment.format {
            EnvironmentFormat::Single(format) => format.as_str(),
            EnvironmentFormat::PerFile => "format per file",
        };
        let _ = writeln!(
            out,
            "environment {}: {}/ ({format}, {} file(s), {} variable(s))",
            comment(&environment.name),
            comment(environment.path.trim_end_matches('/')),
            environment.files.len(),
            environment.variables.len()
        );
    }
    for plugin in &scan.plugins {
        let what = match &plugin.verdict {
            PluginVerdict::Custom => "declared as a custom plugin".to_owned(),
            PluginVerdict::CloseTo(close) => {
                format!("not declared: close to `{}`", comment(close))
            }
            PluginVerdict::OtherVersion(other) => format!(
                "not declared: a plugin of APISIX {}",
                crate::schema::plugins::release_line(other)
            ),
        };
        let _ = writeln!(
            out,
            "plugin {} ({}): {what}",
            comment(&plugin.name),
            comment(&plugin.seen.to_string())
        );
    }
    for path in &scan.ignored {
        let _ = writeln!(
            out,
            "ignored: {} (inside an environment, not gateway configuration)",
            comment(&path.glob())
        );
    }
    for file in &scan.not_gateway {
        let _ = writeln!(
            out,
            "skipped: {} (not gateway configuration)",
            comment(file)
        );
    }
    for file in &scan.unparsed {
        let _ = writeln!(
            out,
            "not read: {} (not one YAML/JSON document; `gwlint check` reports it if it is in an environment)",
            comment(file)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    const ADC: &str = "services:\n  - name: a\n    upstream:\n      nodes: [{host: \"${HOST}\", port: 80, weight: 1}]\n    routes: [{name: r, uris: [/a]}]\n";
    const STANDALONE: &str = "routes:\n  - id: 1\n    uri: /a\n    plugins:\n      acme-audit: {}\n    host: \"${UP}.example.com\"\n    upstream: {nodes: {\"a:80\": 1}, type: roundrobin}\n#END\n";

    #[test]
    fn an_environment_split_by_resource_kind_is_one_environment() {
        for (folder, expected) in [
            ("staging/services", "staging"),
            ("envs/Production/routes/eu", "envs/Production"),
            ("prod/team-a", "prod"),
            ("gateway/services", "gateway"),
            ("gateway/ssl/certs", "gateway"),
            ("services", "."),
            ("routes/v1", "routes/v1"),
            ("team-a", "team-a"),
            (".", "."),
        ] {
            assert_eq!(environment_folder(folder), expected, "{folder}");
        }
        let dir = tree(&[
            ("staging/services/a.yaml", ADC),
            ("staging/consumers/c.yaml", "consumers: []\n"),
            ("gateway/production/services/a.yaml", ADC),
            ("gateway/production/routes/b.yaml", "consumers: []\n"),
            ("edge/upstreams/u.yaml", ADC),
        ]);
        let scan = scan(dir.path()).unwrap();
        let found: Vec<(&str, &str)> = scan
            .environments
            .iter()
            .map(|e| (e.name.as_str(), e.path.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("edge", "edge"),
                ("production", "gateway/production"),
                ("staging", "staging")
            ]
        );
    }

    #[test]
    fn gateway_files_make_environments_and_other_files_do_not() {
        let dir = tree(&[
            ("envs/staging/a.yaml", ADC),
            ("envs/staging/sub/b.yaml", "consumers: []\n"),
            (
                "envs/staging/values.yaml",
                "replicaCount: 2\nimage: {tag: x}\n",
            ),
            ("envs/production/apisix.yaml", STANDALONE),
            ("docker-compose.yml", "services:\n  web: {image: nginx}\n"),
            (
                "apisix/config.yaml",
                "plugins: [key-auth]\ndeployment: {role: data_plane}\n",
            ),
            (".github/workflows/ci.yml", "on: push\njobs: {}\n"),
            ("node_modules/x/services.json", "{\"services\": []}"),
            ("envs/staging/node_modules/y.json", "{}"),
            ("broken.yaml", "a: [\n"),
        ]);
        let scan = scan(dir.path()).unwrap();
        let found: Vec<(&str, &str, EnvironmentFormat, Vec<&str>)> = scan
            .environments
            .iter()
            .map(|e| {
                (
                    e.name.as_str(),
                    e.path.as_str(),
                    e.format,
                    e.variables.keys().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                (
                    "production",
                    "envs/production",
                    EnvironmentFormat::Single(Format::Standalone),
                    vec!["UP"]
                ),
                (
                    "staging",
                    "envs/staging",
                    EnvironmentFormat::Single(Format::Adc),
                    vec!["HOST"]
                ),
            ]
        );
        assert_eq!(
            scan.environments[1].files,
            ["envs/staging/a.yaml", "envs/staging/sub/b.yaml"]
        );
        assert_eq!(
            scan.environments[1].variables["HOST"],
            Seen {
                file: "envs/staging/a.yaml".into(),
                line: 4
            }
        );
        assert_eq!(
            scan.ignored,
            [
                IgnoredPath {
                    path: "envs/staging/node_modules".into(),
                    folder: true
                },
                IgnoredPath {
                    path: "envs/staging/values.yaml".into(),
                    folder: false
                },
            ]
        );
        assert_eq!(
            scan.not_gateway,
            ["apisix/config.yaml", "docker-compose.yml"]
        );
        assert_eq!(scan.unparsed, ["broken.yaml"]);
        assert_eq!(
            scan.plugins,
            [FoundPlugin {
                name: "acme-audit".into(),
                seen: Seen {
                    file: "envs/production/apisix.yaml".into(),
                    line: 5
                },
                verdict: PluginVerdict::Custom
            }]
        );
    }

    #[test]
    fn a_folder_with_both_formats_is_detected_per_file_and_typos_are_not_declared() {
        let dir = tree(&[
            (
                "a.yaml",
                "services: [{name: s, plugins: {proxy-rewrit: {}}}]\n",
            ),
            ("b.yaml", "routes: [{uri: /x}]\n"),
        ]);
        let scan = scan(dir.path()).unwrap();
        assert_eq!(scan.environments.len(), 1);
        assert_eq!(scan.environments[0].path, ".");
        assert_eq!(scan.environments[0].format, EnvironmentFormat::PerFile);
        assert_eq!(
            scan.plugins[0].verdict,
            PluginVerdict::CloseTo("proxy-rewrite".into())
        );
        let text = render(&scan, None);
        assert!(text.contains("# custom_plugins:\n#  - proxy-rewrit  # a.yaml:1: close to `proxy-rewrite`, a typo?\n"), "{text}");
        assert!(text.contains("    # format: not set"), "{text}");
    }

    #[test]
    fn a_written_file_is_ignored_only_where_check_would_read_it() {
        let mut scan = Scan {
            environments: vec![FoundEnvironment {
                name: "gw".into(),
                path: ".".into(),
                format: EnvironmentFormat::Single(Format::Adc),
                files: vec!["a.yaml".into()],
                variables: BTreeMap::new(),
            }],
            ..Scan::default()
        };
        scan.ignore_written(".gwlint-baseline.json");
        scan.ignore_written("ci/.cache/baseline.json");
        assert!(scan.ignored.is_empty());
        scan.ignore_written("ci/baseline.json");
        scan.ignore_written("ci/baseline.json");
        assert_eq!(
            scan.ignored,
            [IgnoredPath {
                path: "ci/baseline.json".into(),
                folder: false
            }]
        );
        scan.environments[0].path = "staging".into();
        scan.ignored.clear();
        scan.ignore_written("baseline.json");
        assert!(scan.ignored.is_empty());
    }

    #[test]
    fn folders_that_share_a_name_are_named_by_their_path() {
        let names = environment_names(
            Path::new("/srv/gw"),
            &["a/staging".into(), "b/staging".into(), "prod".into()],
        );
        assert_eq!(names, ["a/staging", "b/staging", "prod"]);
        assert_eq!(
            environment_names(Path::new("/srv/gw"), &[".".into()]),
            ["gw"]
        );
    }

    #[test]
    fn scalars_are_quoted_when_yaml_would_read_them_otherwise() {
        assert_eq!(scalar("staging"), "staging");
        assert_eq!(scalar("envs/staging-eu"), "envs/staging-eu");
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("123"), "\"123\"");
        assert_eq!(scalar("null"), "\"null\"");
        assert_eq!(scalar("a b: c"), "\"a b: c\"");
        assert_eq!(scalar("-x"), "\"-x\"");
        assert_eq!(scalar(".gwlint-baseline.json"), ".gwlint-baseline.json");
        assert_eq!(scalar(".5"), "\".5\"");
        assert_eq!(scalar(".inf"), "\".inf\"");
        assert_eq!(scalar(""), "\"\"");
        assert_eq!(scalar("off"), "\"off\"");
        assert_eq!(scalar("1_000"), "\"1_000\"");
        assert_eq!(scalar("0b1"), "\"0b1\"");
        assert_eq!(scalar("v1_0"), "v1_0");
    }

    #[test]
    fn ignore_globs_escape_the_path() {
        let file = IgnoredPath {
            path: "envs/[old]/x*.yaml".into(),
            folder: false,
        };
        assert_eq!(file.glob(), "envs/[[]old[]]/x[*].yaml");
        let folder = IgnoredPath {
            path: "envs/node_modules".into(),
            folder: true,
        };
        assert_eq!(folder.glob(), "envs/node_modules/**");
    }

    /// The rendered file reads back as the config the scan describes.
    #[test]
    fn rendered_config_reads_back() {
        let dir = tree(&[
            ("staging/a.yaml", ADC),
            ("staging/notes.json", "{\"todo\": [1]}"),
            ("production/apisix.yaml", STANDALONE),
        ]);
        let scan = scan(dir.path()).unwrap();
        let path = dir.path().join(crate::config::FILE_NAME);
        std::fs::write(&path, render(&scan, Some(DEFAULT_BASELINE))).unwrap();
        let config = crate::config::read(&path).unwrap();
        assert!(config.findings.is_empty(), "{:?}", config.findings);
        let environments: Vec<(String, PathBuf, Option<Format>, Vec<String>)> = config
            .environments
            .iter()
            .map(|e| {
                (
                    e.name.clone(),
                    e.path.clone(),
                    e.format,
                    e.variables.clone(),
                )
            })
            .collect();
        assert_eq!(
            environments,
            [
                (
                    "production".to_owned(),
                    dir.path().join("production"),
                    Some(Format::Standalone),
                    vec!["UP".to_owned()]
                ),
                (
                    "staging".to_owned(),
                    dir.path().join("staging"),
                    Some(Format::Adc),
                    vec!["HOST".to_owned()]
                ),
            ]
        );
        assert!(config
            .environments
            .iter()
            .all(|e| e.variable_examples.is_empty()));
        assert_eq!(
            config.custom_plugins,
            BTreeSet::from(["acme-audit".to_owned()])
        );
        assert_eq!(config.ignore, ["staging/notes.json"]);
        assert_eq!(config.baseline, Some(dir.path().join(DEFAULT_BASELINE)));
        assert_eq!(config.apply, crate::config::ApplyConfig::default());
        assert!(config.apisix_version.is_none());
    }

    /// Every `apply:` key the config knows is shown (commented) with a value it accepts.
    #[test]
    fn commented_apply_section_holds_every_key_and_reads_back() {
        let text = render(&Scan::default(), None);
        let start = text.find("# apply:\n").unwrap();
        let section: String = text[start..]
            .lines()
            .map(|l| l.strip_prefix("# ").unwrap_or(l.trim_start_matches('#')))
            .collect::<Vec<_>>()
            .join("\n");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(crate::config::FILE_NAME);
        std::fs::write(&path, section).unwrap();
        let config = crate::config::read(&path).unwrap();
        assert!(config.findings.is_empty(), "{:?}", config.findings);
        let apply = config.apply;
        assert_eq!(apply.engine.as_deref(), Some("adc"));
        assert_eq!(apply.adc, Some(PathBuf::from("/usr/local/bin/adc")));
        assert_eq!(apply.backend.as_deref(), Some("apisix"));
        assert_eq!(apply.server.as_deref(), Some("http://127.0.0.1:9180"));
        assert_eq!(apply.token_env.as_deref(), Some("ADC_TOKEN"));
        assert_eq!(apply.gateway_group.as_deref(), Some("default"));
        assert!(apply.ca_cert_file.is_some());
        assert!(apply.tls_client_cert_file.is_some());
        assert!(apply.tls_client_key_file.is_some());
        assert_eq!(apply.tls_skip_verify, Some(false));
        assert_eq!(
            apply.label_selector,
            [("team".to_owned(), "commerce".to_owned())]
        );
        assert_eq!(apply.max_deletes, Some(0));
        assert_eq!(
            apply.out,
            Some(PathBuf::from("/usr/local/apisix/conf/apisix.yaml"))
        );
        assert_eq!(apply.backup, Some(false));
    }
}

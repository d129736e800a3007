//! The `.gwlint.yaml` config file.
//!
//! Found by walking up from the current directory (or given with `--config`), it
//! declares environments (name → folder, with an optional format), ignore globs, the
//! file-size cap and custom plugins. It is read with the same span-keeping loader
//! as configuration files: unknown keys become `config/unknown-key` findings that
//! point at the key, and a value of the wrong type is a tool error naming the file,
//! line and column.

use crate::error::ToolError;
use crate::finding::{Finding, Location, Severity};
use crate::format::Format;
use crate::load::{self, Document, LoadLimits, LoadedFile};
use crate::policy::{RuleSetting, RuleSettings};
use crate::source::Source;
use serde_json::Value;
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The config file's name.
pub const FILE_NAME: &str = ".gwlint.yaml";

/// Keys the config file understands at the top level.
const TOP_KEYS: &[&str] = &[
    "environments",
    "rules",
    "policies",
    "data",
    "ignore",
    "format",
    "max_file_size",
    "custom_plugins",
    "plugin_schemas",
    "apisix_version",
    "enabled_plugins",
    "enabled_stream_plugins",
    "follow_symlinks",
    "apply",
    "diff",
    "baseline",
    "policy_limits",
];
/// Keys of the `policy_limits:` section.
const POLICY_LIMIT_KEYS: &[&str] = &["time", "memory"];
/// Keys of an environment entry written as a mapping.
const ENV_KEYS: &[&str] = &["path", "format", "rules", "variables", "apply"];
/// Keys of an `apply:` section.
const APPLY_KEYS: &[&str] = &[
    "engine",
    "adc",
    "backend",
    "server",
    "token_env",
    "gateway_group",
    "ca_cert_file",
    "tls_client_cert_file",
    "tls_client_key_file",
    "tls_skip_verify",
    "label_selector",
    "max_deletes",
    "out",
    "backup",
];
/// Keys of the `diff:` section.
const DIFF_KEYS: &[&str] = &["ignore"];
/// Keys of a rule setting written as a mapping.
const RULE_KEYS: &[&str] = &["enabled", "severity", "params"];

/// One declared environment.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvironmentConfig {
    /// Its name.
    pub name: String,
    /// Its folder, resolved against the config file's folder.
    pub path: PathBuf,
    /// Its format, when set (otherwise detected per file).
    pub format: Option<Format>,
    /// Rule settings for this environment (over the global ones).
    pub rules: RuleSettings,
    /// Variables (`${VAR}`) the deployment of this environment provides.
    pub variables: Vec<String>,
    /// Example values of some of them (`variables: {NAME: example}`): a placeholder
    /// whose variables all have one is checked as the value it becomes.
    pub variable_examples: BTreeMap<String, String>,
    /// Apply settings for this environment (over the global ones).
    pub apply: ApplyConfig,
}

/// How `gwlint apply` hands an environment off. Every field is optional so that an
/// environment's section can override the global one field by field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyConfig {
    /// `adc` or `standalone`.
    pub engine: Option<String>,
    /// Path of the `adc` executable (default: `adc` on PATH).
    pub adc: Option<PathBuf>,
    /// ADC backend (`apisix`, `api7ee`, `apisix-standalone`).
    pub backend: Option<String>,
    /// Admin API address(es).
    pub server: Option<String>,
    /// Name of the environment variable holding the token (default `ADC_TOKEN`).
    pub token_env: Option<String>,
    /// API7 EE gateway group.
    pub gateway_group: Option<String>,
    /// CA certificate file for the Admin API.
    pub ca_cert_file: Option<PathBuf>,
    /// Client certificate for mutual TLS.
    pub tls_client_cert_file: Option<PathBuf>,
    /// Client key for mutual TLS.
    pub tls_client_key_file: Option<PathBuf>,
    /// Skip TLS verification of the Admin API.
    pub tls_skip_verify: Option<bool>,
    /// ADC label selector (`key=value` pairs).
    pub label_selector: Vec<(String, String)>,
    /// Most deletes a sync may make without `--allow-deletes`.
    pub max_deletes: Option<u64>,
    /// Standalone engine: the `apisix.yaml` to write.
    pub out: Option<PathBuf>,
    /// Standalone engine: keep the previous file as `<out>.bak`.
    pub backup: Option<bool>,
}

impl ApplyConfig {
    /// `self` with every field `more` sets replaced.
    #[must_use]
    pub fn overridden_by(&self, more: &ApplyConfig) -> ApplyConfig {
        ApplyConfig {
            engine: more.engine.clone().or_else(|| self.engine.clone()),
            adc: more.adc.clone().or_else(|| self.adc.clone()),
            backend: more.backend.clone().or_else(|| self.backend.clone()),
            server: more.server.clone().or_else(|| self.server.clone()),
            token_env: more.token_env.clone().or_else(|| self.token_env.clone()),
            gateway_group: more
                .gateway_group
                .clone()
                .or_else(|| self.gateway_group.clone()),
            ca_cert_file: more
                .ca_cert_file
                .clone()
                .or_else(|| self.ca_cert_file.clone()),
            tls_client_cert_file: more
                .tls_client_cert_file
                .clone()
                .or_else(|| self.tls_client_cert_file.clone()),
            tls_client_key_file: more
                .tls_client_key_file
                .clone()
                .or_else(|| self.tls_client_key_file.clone()),
            tls_skip_verify: more.tls_skip_verify.or(self.tls_skip_verify),
            label_selector: if more.label_selector.is_empty() {
                self.label_selector.clone()
            } else {
                more.label_selector.clone()
            },
            max_deletes: more.max_deletes.or(self.max_deletes),
            out: more.out.clone().or_else(|| self.out.clone()),
            backup: more.backup.or(self.backup),
        }
    }
}

/// The settings of a run, from the config file or defaults.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The config file, when there is one.
    pub file: Option<PathBuf>,
    /// Declared environments, in file order.
    pub environments: Vec<EnvironmentConfig>,
    /// Glob patterns of paths to skip (relative to the config folder or an environment).
    pub ignore: Vec<String>,
    /// Format for all environments, when set.
    pub format: Option<Format>,
    /// Largest file read, in bytes.
    pub max_file_size: Option<u64>,
    /// Plugin names accepted without a schema.
    pub custom_plugins: BTreeSet<String>,
    /// Folders of user-supplied plugin schemas.
    pub plugin_schemas: Vec<PathBuf>,
    /// The shipped APISIX version whose schemas apply (`apisix_version`, resolved;
    /// `None`: the latest shipped release).
    pub apisix_version: Option<&'static str>,
    /// The HTTP plugins the gateway enables (APISIX config.yaml's `plugins`), when
    /// given: other plugins are refused.
    pub enabled_plugins: Option<BTreeSet<String>>,
    /// The stream plugins the gateway enables (config.yaml's `stream_plugins`).
    pub enabled_stream_plugins: Option<BTreeSet<String>>,
    /// Whether the walk follows symbolic links.
    pub follow_symlinks: bool,
    /// Rule settings for every environment.
    pub rules: RuleSettings,
    /// Folders of user policies.
    pub policies: Vec<PathBuf>,
    /// Data files for policies.
    pub data: Vec<PathBuf>,
    /// Apply settings for every environment.
    pub apply: ApplyConfig,
    /// Fields the promotion diff ignores (environment-specific, e.g. `hosts`, `nodes`).
    pub diff_ignore: Vec<String>,
    /// The baseline file `check` and `apply` read when `--baseline` is not given.
    pub baseline: Option<PathBuf>,
    /// The limits of each evaluation of a user's policy rule (`policy_limits`).
    pub policy_limits: crate::policy::guard::Limits,
    /// Findings about the config file itself (unknown keys).
    pub findings: Vec<Finding>,
}

/// Find `.gwlint.yaml` in `start` or the nearest ancestor folder.
#[must_use]
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// Read and validate a config file.
///
/// # Errors
/// A [`ToolError`] naming the file and position when it cannot be read or parsed,
/// or when a value has the wrong type.
pub fn read(path: &Path) -> Result<Config, ToolError> {
    let loaded = load::load_file(path, &LoadLimits::default());
    if let Some(error) = loaded
        .findings
        .iter()
        .find(|f| f.severity == Severity::Error)
    {
        return Err(ToolError::new(format!(
            "{}:{}:{}: invalid config file: {}",
            error.file(),
            error.location.span.start.line,
            error.location.span.start.column,
            error.message
        )));
    }
    // Paths in the file are relative to its folder, made absolute here: `apply.adc`,
    // `ca_cert_file` and the client certificate are handed to ADC, which does not run
    // in this directory, and `--config sub/.gwlint.yaml` must not make them relative
    // to an empty folder.
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let base = absolute.parent().unwrap_or(Path::new(".")).to_path_buf();
    let mut config = Config {
        file: Some(path.to_path_buf()),
        ..Config::default()
    };
    if let Some(document) = &loaded.document {
        let reader = Reader {
            loaded: &loaded,
            document,
            base: &base,
        };
        reader.fill(&mut config)?;
    }
    Ok(config)
}

/// Reads typed values out of the config document, with positions for errors.
struct Reader<'a> {
    loaded: &'a LoadedFile,
    document: &'a Document,
    base: &'a Path,
}

impl Reader<'_> {
    fn source(&self) -> &Source {
        &self.loaded.source
    }

    fn fill(&self, config: &mut Config) -> Result<(), ToolError> {
        let root = match &self.document.value {
            Value::Object(map) => map,
            Value::Null => return Ok(()),
            _ => return Err(self.error("", "the config file must be a mapping")),
        };
        config
            .findings
            .extend(self.unknown_keys("", &self.document.value, TOP_KEYS));
        for (key, value) in root {
            let pointer = format!("/{key}");
            match key.as_str() {
                "environments" => config.environments = self.environments(value)?,
                "ignore" => config.ignore = self.string_list(&pointer, value)?,
                "format" => config.format = Some(self.format(&pointer, value)?),
                "max_file_size" => {
                    let bytes = self.size(&pointer, value)?;
                    let bytes = within_file_size_cap(bytes)
                        .map_err(|message| self.error(&pointer, &message))?;
                    config.max_file_size = Some(bytes);
                }
                "custom_plugins" => {
                    config.custom_plugins =
                        self.string_list(&pointer, value)?.into_iter().collect();
                }
                "plugin_schemas" => config.plugin_schemas = self.paths(&pointer, value)?,
                "apisix_version" => {
                    let wanted = match value {
                        Value::String(text) => text.clone(),
                        // `apisix_version: 3.2` reads as a number in YAML.
                        Value::Number(number) => number.to_string(),
                        _ => {
                            return Err(self
                                .error(&pointer, "expected a version such as `3.2` or `latest`"))
                        }
                    };
                    config.apisix_version = Some(
                        crate::schema::plugins::resolve_version(&wanted)
                            .map_err(|message| self.error(&pointer, &message))?,
                    );
                }
                "enabled_plugins" => {
                    config.enabled_plugins =
                        Some(self.string_list(&pointer, value)?.into_iter().collect());
                }
                "enabled_stream_plugins" => {
                    config.enabled_stream_plugins =
                        Some(self.string_list(&pointer, value)?.into_iter().collect());
                }
                "rules" => config.rules = self.rules(&pointer, value)?,
                "apply" => config.apply = self.apply(&pointer, value)?,
                "diff" => {
                    if let Some(ignore) = value.get("ignore") {
                        config.diff_ignore =
                            self.string_list(&format!("{pointer}/ignore"), ignore)?;
                    }
                }
                "baseline" => {
                    let file = value.as_str().ok_or_else(|| {
                        self.error(&pointer, "expected the path of a baseline file")
                    })?;
                    config.baseline = Some(self.base.join(file));
                }
                "policy_limits" => config.policy_limits = self.policy_limits(&pointer, value)?,
                "policies" => config.policies = self.paths(&pointer, value)?,
                "data" => config.data = self.paths(&pointer, value)?,
                "follow_symlinks" => {
                    config.follow_symlinks = value
                        .as_bool()
                        .ok_or_else(|| self.error(&pointer, "expected true or false"))?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn environments(&self, value: &Value) -> Result<Vec<EnvironmentConfig>, ToolError> {
        let Value::Object(map) = value else {
            return Err(self.error(
                "/environments",
                "expected a mapping of environment name to folder",
            ));
        };
        map.iter()
            .map(|(name, entry)| self.environment(name, entry))
            .collect()
    }

    fn environment(&self, name: &str, entry: &Value) -> Result<EnvironmentConfig, ToolError> {
        let pointer = crate::load::document::join_pointer("/environments", name);
        let mut environment = EnvironmentConfig {
            name: name.to_owned(),
            path: PathBuf::new(),
            format: None,
            rules: RuleSettings::default(),
            variables: Vec::new(),
            variable_examples: BTreeMap::new(),
            apply: ApplyConfig::default(),
        };
        match entry {
            Value::String(path) => environment.path = self.base.join(path),
            Value::Object(fields) => {
                let path = fields
                    .get("path")
                    .and_then(Value::as_str)
                    .ok_or_else(|| self.error(&pointer, "an environment needs `path`"))?;
                environment.path = self.base.join(path);
                if let Some(f) = fields.get("format") {
                    environment.format = Some(self.format(&format!("{pointer}/format"), f)?);
                }
                if let Some(rules) = fields.get("rules") {
                    environment.rules = self.rules(&format!("{pointer}/rules"), rules)?;
                }
                if let Some(apply) = fields.get("apply") {
                    environment.apply = self.apply(&format!("{pointer}/apply"), apply)?;
                }
                if let Some(variables) = fields.get("variables") {
                    let at = format!("{pointer}/variables");
                    if let Value::Object(map) = variables {
                        for (name, example) in map {
                            environment.variables.push(name.clone());
                            let example = match example {
                                Value::Null => continue,
                                Value::String(text) => text.clone(),
                                Value::Number(_) | Value::Bool(_) => example.to_string(),
                                _ => {
                                    return Err(self.error(
                                        &crate::load::document::join_pointer(&at, name),
                                        "an example value is a string, a number or a boolean",
                                    ))
                                }
                            };
                            environment.variable_examples.insert(name.clone(), example);
                        }
                    } else {
                        environment.variables = self.string_list(&at, variables)?;
                    }
                }
            }
            _ => return Err(self.error(&pointer, "expected a folder or a mapping with `path`")),
        }
        Ok(environment)
    }

    /// A `policy_limits:` section: `time` in seconds (`90`, `90s`, `2m`), `memory` a
    /// size; each above zero.
    fn policy_limits(
        &self,
        pointer: &str,
        value: &Value,
    ) -> Result<crate::policy::guard::Limits, ToolError> {
        let Value::Object(fields) = value else {
            return Err(self.error(pointer, "expected a mapping with `time` and/or `memory`"));
        };
        let mut limits = crate::policy::guard::Limits::default();
        if let Some(time) = fields.get("time") {
            let at = format!("{pointer}/time");
            let seconds = match time {
                Value::Number(n) => n.as_f64(),
                Value::String(text) => parse_seconds(text),
                _ => None,
            }
            .filter(|s| s.is_finite() && *s > 0.0 && *s <= 1e9)
            .ok_or_else(|| {
                self.error(
                    &at,
                    "expected a time above zero such as `60`, `90s` or `2m`",
                )
            })?;
            limits.time = std::time::Duration::from_secs_f64(seconds);
        }
        if let Some(memory) = fields.get("memory") {
            let at = format!("{pointer}/memory");
            limits.memory = self.size(&at, memory)?;
            if limits.memory == 0 {
                return Err(self.error(&at, "expected a size above zero such as `1GiB`"));
            }
        }
        Ok(limits)
    }

    /// An `apply:` section.
    fn apply(&self, pointer: &str, value: &Value) -> Result<ApplyConfig, ToolError> {
        let Value::Object(fields) = value else {
            return Err(self.error(pointer, "expected a mapping of apply settings"));
        };
        let at = |key: &str| format!("{pointer}/{key}");
        let string = |key: &str| -> Result<Option<String>, ToolError> {
            fields
                .get(key)
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| self.error(&at(key), "expected a string"))
                })
                .transpose()
        };
        let path = |key: &str| -> Result<Option<PathBuf>, ToolError> {
            Ok(string(key)?.map(|p| self.base.join(p)))
        };
        let boolean = |key: &str| -> Result<Option<bool>, ToolError> {
            fields
                .get(key)
                .map(|v| {
                    v.as_bool()
                        .ok_or_else(|| self.error(&at(key), "expected true or false"))
                })
                .transpose()
        };
        let engine = string("engine")?;
        if let Some(name) = &engine {
            if name != "adc" && name != "standalone" {
                return Err(self.error(&at("engine"), "expected `adc` or `standalone`"));
            }
        }
        let label_selector = match fields.get("label_selector") {
            None => Vec::new(),
            Some(Value::Object(labels)) => labels
                .iter()
                .map(|(k, v)| {
                    crate::value::id_string(v)
                        .map(|v| (k.clone(), v))
                        .ok_or_else(|| {
                            self.error(&at("label_selector"), "label values must be strings")
                        })
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(self.error(
                    &at("label_selector"),
                    "expected a mapping of label to value",
                ))
            }
        };
        let max_deletes = fields
            .get("max_deletes")
            .map(|v| {
                v.as_u64()
                    .ok_or_else(|| self.error(&at("max_deletes"), "expected a whole number"))
            })
            .transpose()?;
        Ok(ApplyConfig {
            engine,
            adc: path("adc")?,
            backend: string("backend")?,
            server: string("server")?,
            token_env: string("token_env")?,
            gateway_group: string("gateway_group")?,
            ca_cert_file: path("ca_cert_file")?,
            tls_client_cert_file: path("tls_client_cert_file")?,
            tls_client_key_file: path("tls_client_key_file")?,
            tls_skip_verify: boolean("tls_skip_verify")?,
            label_selector,
            max_deletes,
            out: path("out")?,
            backup: boolean("backup")?,
        })
    }

    /// `rules:`: rule id → `off`/`false`, a severity name, or `{enabled, severity, params}`.
    fn rules(&self, pointer: &str, value: &Value) -> Result<RuleSettings, ToolError> {
        let Value::Object(map) = value else {
            return Err(self.error(pointer, "expected a mapping of rule id to settings"));
        };
        let mut rules = BTreeMap::new();
        for (id, setting) in map {
            let rule_pointer = crate::load::document::join_pointer(pointer, id);
            rules.insert(id.clone(), self.rule_setting(&rule_pointer, setting)?);
        }
        Ok(RuleSettings::new(rules))
    }

    fn rule_setting(&self, pointer: &str, value: &Value) -> Result<RuleSetting, ToolError> {
        let mut setting = RuleSetting::default();
        match value {
            Value::Bool(enabled) => setting.enabled = Some(*enabled),
            Value::String(word) if word == "off" => setting.enabled = Some(false),
            Value::String(word) if word == "on" => setting.enabled = Some(true),
            Value::String(word) => setting.severity = Some(self.severity(pointer, word)?),
            Value::Object(fields) => {
                if let Some(enabled) = fields.get("enabled") {
                    setting.enabled = Some(enabled.as_bool().ok_or_else(|| {
                        self.error(&format!("{pointer}/enabled"), "expected true or false")
                    })?);
                }
                if let Some(severity) = fields.get("severity") {
                    let name = severity.as_str().unwrap_or_default();
                    setting.severity = Some(self.severity(&format!("{pointer}/severity"), name)?);
                }
                if let Some(params) = fields.get("params") {
                    setting.params = params.as_object().cloned().ok_or_else(|| {
                        self.error(&format!("{pointer}/params"), "expected a mapping")
                    })?;
                }
            }
            _ => return Err(self.error(
                pointer,
                "expected `off`, a severity (error, warning, info) or {enabled, severity, params}",
            )),
        }
        Ok(setting)
    }

    fn severity(&self, pointer: &str, name: &str) -> Result<Severity, ToolError> {
        Severity::parse(name)
            .ok_or_else(|| self.error(pointer, "expected a severity: error, warning or info"))
    }

    fn paths(&self, pointer: &str, value: &Value) -> Result<Vec<PathBuf>, ToolError> {
        Ok(self
            .string_list(pointer, value)?
            .into_iter()
            .map(|p| self.base.join(p))
            .collect())
    }

    fn format(&self, pointer: &str, value: &Value) -> Result<Format, ToolError> {
        value
            .as_str()
            .and_then(Format::parse)
            .ok_or_else(|| self.error(pointer, "expected `adc` or `standalone`"))
    }

    fn size(&self, pointer: &str, value: &Value) -> Result<u64, ToolError> {
        let parsed = match value {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => parse_size(s),
            _ => None,
        };
        parsed.ok_or_else(|| {
            self.error(
                pointer,
                "expected a size such as 10485760, `512KiB` or `10MiB`",
            )
        })
    }

    fn string_list(&self, pointer: &str, value: &Value) -> Result<Vec<String>, ToolError> {
        let Value::Array(items) = value else {
            return Err(self.error(pointer, "expected a list of strings"));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| self.error(&format!("{pointer}/{i}"), "expected a string"))
            })
            .collect()
    }

    /// `config/unknown-key` findings for keys of the mapping at `pointer` not in `known`,
    /// and recursively for environment entries.
    fn unknown_keys(&self, pointer: &str, value: &Value, known: &[&str]) -> Vec<Finding> {
        let Value::Object(map) = value else {
            return Vec::new();
        };
        let mut findings = Vec::new();
        for (key, child) in map {
            let child_pointer = crate::load::document::join_pointer(pointer, key);
            if !known.contains(&key.as_str()) {
                findings.push(self.unknown_key(&child_pointer, key, known));
            } else if key == "environments" {
                for (name, entry) in child.as_object().into_iter().flatten() {
                    let entry_pointer = crate::load::document::join_pointer(&child_pointer, name);
                    findings.extend(self.unknown_keys(&entry_pointer, entry, ENV_KEYS));
                }
            } else if key == "rules" {
                findings.extend(self.unknown_rule_keys(&child_pointer, child));
            } else if key == "apply" {
                findings.extend(self.unknown_keys(&child_pointer, child, APPLY_KEYS));
            } else if key == "diff" {
                findings.extend(self.unknown_keys(&child_pointer, child, DIFF_KEYS));
            } else if key == "policy_limits" {
                findings.extend(self.unknown_keys(&child_pointer, child, POLICY_LIMIT_KEYS));
            }
        }
        findings
    }

    /// Unknown keys inside each `rules:` entry written as a mapping, and a
    /// `config/renamed-rule` finding for each renamed rule id.
    fn unknown_rule_keys(&self, pointer: &str, rules: &Value) -> Vec<Finding> {
        let entries = rules.as_object().into_iter().flatten();
        let mut findings: Vec<Finding> = entries
            .clone()
            .filter(|(_, setting)| setting.is_object())
            .flat_map(|(id, setting)| {
                let rule_pointer = crate::load::document::join_pointer(pointer, id);
                self.unknown_keys(&rule_pointer, setting, RULE_KEYS)
            })
            .collect();
        for (id, _) in entries {
            let full = crate::policy::settings::full_id(id);
            if let Some(new_ids) = crate::renamed::renamed(&full) {
                let rule_pointer = crate::load::document::join_pointer(pointer, id);
                findings.push(self.renamed_rule(&rule_pointer, &full, new_ids));
            }
        }
        findings
    }

    /// The finding for a rule setting that names a renamed rule id.
    fn renamed_rule(&self, pointer: &str, id: &str, new_ids: &[&str]) -> Finding {
        let located = self.document.locate(pointer);
        Finding::new(
            "config/renamed-rule",
            Severity::Info,
            format!(
                "rule `{id}` was renamed: this setting applies to `{}` (deprecated: old ids will stop working)",
                new_ids.join("`, `")
            ),
            format!("write the new rule ids instead; `gwlint explain {id}` says where the rule went"),
            Location {
                source: self.source().clone(),
                span: located.key_span.unwrap_or(located.span),
                pointer: pointer.to_owned(),
            },
        )
    }

    fn unknown_key(&self, pointer: &str, key: &str, known: &[&str]) -> Finding {
        let located = self.document.locate(pointer);
        Finding::new(
            "config/unknown-key",
            Severity::Error,
            format!("unknown config key `{key}`"),
            format!("known keys here: {}", known.join(", ")),
            Location {
                source: self.source().clone(),
                span: located.key_span.unwrap_or(located.span),
                pointer: pointer.to_owned(),
            },
        )
    }

    fn error(&self, pointer: &str, message: &str) -> ToolError {
        let at = self.document.locate(pointer).span.start;
        ToolError::new(format!(
            "{}:{}:{}: invalid config file: {message}",
            self.source().display,
            at.line,
            at.column
        ))
    }
}

/// The largest `max_file_size` (`--max-file-size`): 4 GiB minus one byte. Positions in a
/// file (byte and character offsets, lines, columns) are 32-bit numbers, which address
/// no further.
pub const MAX_FILE_SIZE_CAP: u64 = u32::MAX as u64;

/// A `max_file_size` in bytes, refused above [`MAX_FILE_SIZE_CAP`].
///
/// # Errors
/// A message naming the cap.
pub fn within_file_size_cap(bytes: u64) -> Result<u64, String> {
    if bytes > MAX_FILE_SIZE_CAP {
        return Err(format!(
            "{bytes} bytes is over the largest file size gwlint can read, {MAX_FILE_SIZE_CAP} \
             bytes (4 GiB minus one byte): positions in a file are 32-bit numbers"
        ));
    }
    Ok(bytes)
}

/// Parse `90`, `90s`, `1.5m` as seconds.
fn parse_seconds(text: &str) -> Option<f64> {
    let text = text.trim();
    let (number, factor) = if let Some(minutes) = text.strip_suffix('m') {
        (minutes, 60.0)
    } else {
        (text.strip_suffix('s').unwrap_or(text), 1.0)
    };
    number.trim().parse::<f64>().ok().map(|n| n * factor)
}

/// Parse `1024`, `512KiB`, `10MiB`, `1GiB` (also `KB`/`MB`/`GB` as binary units).
#[must_use]
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let number: u64 = digits.parse().ok()?;
    let factor = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1024,
        "m" | "mb" | "mib" => 1024 * 1024,
        "g" | "gb" | "gib" => 1024 * 1024 * 1024,
        _ => return None,
    };
    number.checked_mul(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!(parse_size("1024"), Some(1024));
        assert_eq!(parse_size("10MiB"), Some(10 * 1024 * 1024));
        assert_eq!(parse_size("512 KiB"), Some(512 * 1024));
        assert_eq!(parse_size("ten"), None);
        assert_eq!(parse_size("5XB"), None);
    }

    #[test]
    fn policy_limits_are_read_with_their_units() {
        let dir = tempfile::tempdir().unwrap();
        let read_text = |text: &str| {
            let path = dir.path().join(FILE_NAME);
            std::fs::write(&path, text).unwrap();
            read(&path)
        };
        let config = read_text("policy_limits:\n  time: 1.5m\n  memory: 512MiB\n").unwrap();
        assert_eq!(
            config.policy_limits,
            crate::policy::guard::Limits {
                time: std::time::Duration::from_secs(90),
                memory: 512 << 20
            }
        );
        let config = read_text("policy_limits: {time: 5}\n").unwrap();
        assert_eq!(config.policy_limits.time, std::time::Duration::from_secs(5));
        assert_eq!(config.policy_limits.memory, 1 << 30);
        assert_eq!(parse_seconds("90s"), Some(90.0));
        let error = read_text("policy_limits:\n  time: 0s\n").unwrap_err();
        assert!(
            error.to_string().ends_with(
                ":2:9: invalid config file: expected a time above zero such as `60`, `90s` or `2m`"
            ),
            "{error}"
        );
        let error = read_text("policy_limits:\n  memory: 0\n").unwrap_err();
        assert!(error.to_string().contains(":2:11: "), "{error}");
        let config = read_text("policy_limits:\n  stack: 1GiB\n").unwrap();
        assert_eq!(config.findings[0].rule, "config/unknown-key");
        assert_eq!(config.findings[0].location.span.start.line, 2);
    }

    #[test]
    fn discovers_config_in_ancestor() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "environments: {}\n").unwrap();
        let nested = dir.path().join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        assert_eq!(discover(&nested), Some(dir.path().join(FILE_NAME)));
    }
}

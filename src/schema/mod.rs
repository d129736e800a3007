//! Schema validation: JSON Schema plus the checks APISIX and ADC run in code.
//!
//! Owns the embedded schemas (ADC file, APISIX standalone file, one per plugin),
//! compiled once per run and fully offline, and the validation of one file's
//! document: the file schema first, then every plugin configuration against its
//! plugin's schema (route, consumer or metadata flavour), then the imperative
//! checks of [`checks`] on every object that passed its schema, and the
//! certificates and keys of every SSL object ([`certificate`]). Rule ids are
//! `schema/<resource>` (`schema/route`, `schema/upstream`, ...) and
//! `schema/<plugin>` (`schema/limit-count`), plus `schema/unknown-plugin` and
//! `schema/ssl-certificate`.

mod adc_values;
pub mod certificate;
pub mod checks;
pub mod editor;
pub mod environment;
mod locate;
pub mod plugins;
mod sites;

use crate::finding::{Finding, Severity};
use crate::format::Format;
use crate::load::document::join_pointer;
use crate::load::Document;
use crate::source::Source;
use checks::{Issue, IssueKind, SchemaKind, Target};
use locate::Site;
pub use plugins::{Lookup, Plugin, PluginKind, PluginRegistry};
use serde_json::Value;
use sites::{NameAt, PluginUse, ResourceSite};
use std::collections::BTreeSet;
use std::path::Path;

/// The ADC declarative file schema.
pub const ADC_SCHEMA: &str = include_str!("defs/adc.json");
/// The APISIX standalone file schema.
pub const STANDALONE_SCHEMA: &str = include_str!("defs/standalone.json");

/// A schema together with its compiled validator.
pub struct Compiled {
    /// The schema document (read for `x-messages` and field names).
    pub schema: Value,
    validator: jsonschema::Validator,
    /// Whether defaults change its verdict: it has defaults and keywords that read
    /// other fields (`if`, `oneOf`, `anyOf`, `not`, `dependencies`, ...).
    pub fills_defaults: bool,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled").finish_non_exhaustive()
    }
}

impl Compiled {
    /// Compile a schema with format validation on and no remote references.
    ///
    /// # Errors
    /// Returns the validator's message when the schema is invalid.
    pub fn new(schema: Value) -> Result<Self, String> {
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .map_err(|e| e.to_string())?;
        let fills_defaults = defaults_matter(&schema, 0);
        Ok(Compiled {
            schema,
            validator,
            fills_defaults,
        })
    }

    /// Whether `value` is valid.
    #[must_use]
    pub fn is_valid(&self, value: &Value) -> bool {
        self.validator.is_valid(value)
    }
}

/// Whether filling in defaults can change `schema`'s verdict: some object schema
/// has a property with a `default` that a keyword reading other fields of the same
/// object names (`oneOf`, `anyOf`, `allOf`, `not`, `dependencies`, `if`). Most plugin
/// schemas' defaults are read by nothing, and their configurations are validated
/// as written, without a copy. (The plugin registry already rewrites the usual
/// `if` on a defaulted field so that it needs no filling.)
fn defaults_matter(schema: &Value, depth: usize) -> bool {
    let Value::Object(map) = schema else {
        return match schema {
            Value::Array(items) => items.iter().any(|s| defaults_matter(s, depth)),
            _ => false,
        };
    };
    if depth > 64 {
        return false;
    }
    let defaulted: Vec<&str> = map
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| {
            p.iter()
                .filter(|(_, s)| s.get("default").is_some())
                .map(|(k, _)| k.as_str())
                .collect()
        })
        .unwrap_or_default();
    // `if` is left out: the registry rewrites it (see above).
    let conditional = [
        "oneOf",
        "anyOf",
        "allOf",
        "not",
        "dependencies",
        "then",
        "else",
    ];
    if !defaulted.is_empty()
        && conditional
            .iter()
            .filter_map(|k| map.get(*k))
            .any(|s| names_any(s, &defaulted, 0))
    {
        return true;
    }
    map.values().any(|s| defaults_matter(s, depth + 1))
}

/// Whether a same-instance subschema names one of `fields`: in `required`, as a
/// `properties` or `dependencies` key, through `oneOf`/`anyOf`/`allOf`/`not` and
/// `then`/`else`.
fn names_any(schema: &Value, fields: &[&str], depth: usize) -> bool {
    if depth > 64 {
        return false;
    }
    match schema {
        Value::Array(items) => items.iter().any(|s| names_any(s, fields, depth + 1)),
        Value::Object(map) => {
            let keyed = |key: &str| {
                map.get(key)
                    .and_then(Value::as_object)
                    .is_some_and(|o| o.keys().any(|k| fields.contains(&k.as_str())))
            };
            let required = map
                .get("required")
                .and_then(Value::as_array)
                .is_some_and(|r| {
                    r.iter()
                        .any(|k| k.as_str().is_some_and(|k| fields.contains(&k)))
                });
            required
                || keyed("properties")
                || keyed("dependencies")
                || [
                    "oneOf",
                    "anyOf",
                    "allOf",
                    "not",
                    "then",
                    "else",
                    "dependencies",
                ]
                .iter()
                .filter_map(|k| map.get(*k))
                .any(|s| names_any(s, fields, depth + 1))
        }
        _ => false,
    }
}

/// `conf` with the defaults of `schema`'s properties filled in where a field is
/// missing, recursively through present objects and array items, as APISIX's
/// validator leaves a configuration it checked.
#[must_use]
pub fn with_defaults(schema: &Value, conf: &Value) -> Value {
    let mut conf = conf.clone();
    fill_defaults(schema, &mut conf, 0);
    conf
}

fn fill_defaults(schema: &Value, conf: &mut Value, depth: usize) {
    if depth > 32 {
        return;
    }
    match conf {
        Value::Object(fields) => {
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                return;
            };
            for (key, property) in properties {
                match fields.get_mut(key) {
                    Some(value) => fill_defaults(property, value, depth + 1),
                    None => {
                        if let Some(default) = property.get("default") {
                            fields.insert(key.clone(), default.clone());
                        }
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items").filter(|s| s.is_object()) {
                for item in items {
                    fill_defaults(item_schema, item, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// Every schema a run needs, compiled.
#[derive(Debug)]
pub struct SchemaSet {
    adc: Compiled,
    standalone: Compiled,
    /// The known plugins.
    pub plugins: PluginRegistry,
}

/// Settings that change what the schema stage reports.
#[derive(Debug, Clone, Default)]
pub struct SchemaOptions {
    /// Plugin names that are valid without a schema (custom plugins).
    pub custom_plugins: BTreeSet<String>,
}

impl SchemaSet {
    /// The built-in schemas of the latest shipped APISIX version, plus the plugin
    /// schemas in `plugin_dirs`.
    ///
    /// # Errors
    /// Returns a message naming the schema file that could not be read or compiled.
    pub fn load(plugin_dirs: &[&Path]) -> Result<Self, String> {
        Self::load_version(plugins::default_version(), plugin_dirs)
    }

    /// The built-in schemas of one shipped APISIX version (see
    /// [`plugins::resolve_version`]), plus the plugin schemas in `plugin_dirs`.
    ///
    /// # Errors
    /// Returns a message naming the schema file that could not be read or compiled.
    pub fn load_version(version: &str, plugin_dirs: &[&Path]) -> Result<Self, String> {
        // The file schemas and the plugins compile independently: side by side.
        let ((adc, standalone), plugins) = rayon::join(
            || {
                rayon::join(
                    || compile_embedded("adc.json", ADC_SCHEMA),
                    || compile_embedded("standalone.json", STANDALONE_SCHEMA),
                )
            },
            || {
                let mut plugins = PluginRegistry::for_version(version)?;
                for dir in plugin_dirs {
                    plugins.add_dir(dir)?;
                }
                Ok::<_, String>(plugins)
            },
        );
        Ok(SchemaSet {
            adc: adc?,
            standalone: standalone?,
            plugins: plugins?,
        })
    }

    /// The file schema of a format.
    #[must_use]
    pub fn file_schema(&self, format: Format) -> &Compiled {
        match format {
            Format::Adc => &self.adc,
            Format::Standalone => &self.standalone,
        }
    }
}

fn compile_embedded(name: &str, text: &str) -> Result<Compiled, String> {
    let schema: Value =
        serde_json::from_str(text).map_err(|e| format!("built-in schema {name}: {e}"))?;
    Compiled::new(schema).map_err(|e| format!("built-in schema {name}: {e}"))
}

/// Validate one file's document in the given format.
#[must_use]
pub fn validate_document(
    set: &SchemaSet,
    options: &SchemaOptions,
    format: Format,
    source: &Source,
    document: &Document,
) -> Vec<Finding> {
    validate_value(set, options, format, source, document, &document.value)
}

/// Validate `value`, which stands for `document`'s own value (the same shape, with
/// placeholders filled by example values), locating findings in `document`.
#[must_use]
pub fn validate_value(
    set: &SchemaSet,
    options: &SchemaOptions,
    format: Format,
    source: &Source,
    document: &Document,
    value: &Value,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let root = Site {
        source,
        document,
        base: "",
    };
    // ADC coerces quoted numbers of some resource fields before it validates.
    let view = match format {
        Format::Adc => adc_values::adc_view(value),
        Format::Standalone => None,
    };
    let value = view.as_ref().map_or(value, |v| &v.value);
    let unresolved: &[String] = view.as_ref().map_or(&[], |v| &v.unresolved);
    let file_schema = set.file_schema(format);
    let mut failed_pointers = Vec::new();
    // Most files pass: `is_valid` stops early and builds no errors, so the errors
    // are collected only for a file that fails.
    let errors = (!file_schema.validator.is_valid(value))
        .then(|| file_schema.validator.iter_errors(value))
        .into_iter()
        .flatten();
    for error in errors {
        let pointer = error.instance_path().as_str().to_owned();
        if is_unresolved_reference_error(format, &error) || unresolved.contains(&pointer) {
            continue;
        }
        let kind = sites::resource_kind_at(format, value, &pointer);
        let rule = format!("schema/{kind}");
        let help = resource_help(format, kind);
        findings.extend(locate::findings_for_error(
            &error,
            file_schema,
            &rule,
            &help,
            &root,
        ));
        failed_pointers.push(pointer);
    }
    if let Some(view) = &view {
        for pointer in &view.coerced {
            // A placeholder is always a string: only a number written in quotes is
            // worth a note.
            let written = document.value.pointer(pointer).and_then(Value::as_str);
            if written.is_some_and(|text| !is_unresolved(format, text))
                && !failed_pointers.iter().any(|p| p == pointer)
            {
                findings.push(quoted_number(document, pointer, &root));
            }
        }
    }
    for site in sites::resources(format, value) {
        if !failed_pointers.iter().any(|p| p.starts_with(&site.pointer)) {
            findings.extend(resource_checks(format, &site, &root));
        }
        if site.kind == "ssl" {
            findings.extend(certificate_checks(&site, &root));
        }
    }
    let listed = match format {
        Format::Standalone => FileList::of(value),
        Format::Adc => FileList::default(),
    };
    for use_ in sites::plugins(format, value) {
        findings.extend(check_plugin_use(
            set, options, format, &listed, &use_, &root,
        ));
    }
    findings
}

/// A standalone file's own plugin lists (`plugins:` and `stream_plugins:`): when a
/// file has one, APISIX loads only the plugins it names.
#[derive(Debug, Default)]
struct FileList<'a> {
    http: Option<BTreeSet<&'a str>>,
    stream: Option<BTreeSet<&'a str>>,
}

impl<'a> FileList<'a> {
    fn of(root: &'a Value) -> Self {
        let names = |list: &'a Value, stream: bool| -> BTreeSet<&'a str> {
            list.as_array()
                .into_iter()
                .flatten()
                .filter(|item| {
                    item.get("stream").and_then(Value::as_bool).unwrap_or(false) == stream
                })
                .filter_map(|item| item.get("name").and_then(Value::as_str))
                .collect()
        };
        let http = root.get("plugins").filter(|l| l.is_array());
        let stream = root.get("stream_plugins").filter(|l| l.is_array());
        FileList {
            http: http.map(|list| names(list, false)),
            stream: match (stream, http) {
                (Some(list), _) => Some(names(list, false)),
                (None, Some(list)) => Some(names(list, true)).filter(|s| !s.is_empty()),
                (None, None) => None,
            },
        }
    }

    fn allows(&self, name: &str, kind: PluginKind) -> bool {
        let list = match kind {
            PluginKind::Http => &self.http,
            PluginKind::Stream => &self.stream,
        };
        list.as_ref().is_none_or(|names| names.contains(name))
    }
}

/// The info finding of a quoted number that ADC 0.2x coerces.
fn quoted_number(document: &Document, pointer: &str, root: &Site<'_>) -> Finding {
    let text = document
        .value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default();
    Finding::new(
        "compat/quoted-number",
        Severity::Info,
        format!(
            "`{text:?}` is a string: ADC 0.2x reads it as a number and syncs it, the Rust rewrite of ADC refuses it"
        ),
        "write the number without quotes",
        root.value_at(pointer),
    )
}

/// Run the imperative checks of one resource.
fn resource_checks(format: Format, site: &ResourceSite<'_>, root: &Site<'_>) -> Vec<Finding> {
    let mut issues = Vec::new();
    match format {
        Format::Adc => checks::adc_resource_check(site.kind, site.value, &mut issues),
        Format::Standalone => checks::standalone_resource_check(site.list, site.value, &mut issues),
    }
    // Values resolved later cannot be judged here.
    issues.retain(|issue| {
        !site
            .value
            .pointer(&issue.pointer)
            .and_then(Value::as_str)
            .is_some_and(|text| is_unresolved(format, text))
    });
    if issues.is_empty() {
        // Most resources pass: their rule and help texts are not built.
        return Vec::new();
    }
    let rule = format!("schema/{}", sites::rule_name(site.kind));
    let help = resource_help(format, sites::rule_name(site.kind));
    issues_to_findings(issues, &rule, &help, &site.pointer, root)
}

/// The `schema/ssl-certificate` findings of one SSL object: certificates, keys and
/// client CAs APISIX cannot use. They are checked even when the object failed its
/// schema: a certificate that does not parse is worth knowing either way.
fn certificate_checks(site: &ResourceSite<'_>, root: &Site<'_>) -> Vec<Finding> {
    let Ok(body) = crate::model::Body::from_value(site.value) else {
        return Vec::new();
    };
    let issues: Vec<Issue> = certificate::problems(body.json(), None)
        .into_iter()
        .map(|problem| {
            let pointer = problem
                .path
                .iter()
                .fold(String::new(), |p, key| join_pointer(&p, key));
            Issue::value(pointer, problem.message)
        })
        .collect();
    if issues.is_empty() {
        return Vec::new();
    }
    issues_to_findings(
        issues,
        "schema/ssl-certificate",
        "fix the PEM text, or pair the certificate with its own private key; `gwlint explain schema/ssl-certificate` describes the checks",
        &site.pointer,
        root,
    )
}

/// Validate one plugin use: its schema, or an unknown-plugin error.
fn check_plugin_use(
    set: &SchemaSet,
    options: &SchemaOptions,
    format: Format,
    listed: &FileList<'_>,
    use_: &PluginUse<'_>,
    root: &Site<'_>,
) -> Vec<Finding> {
    let (kind, lookup) = plugin_lookup(set, use_);
    match lookup {
        Lookup::Known(plugin) if listed.allows(use_.name, kind) => {
            let mut findings = check_plugin_conf(plugin, format, use_, root);
            if plugin.name == "multi-auth" && findings.is_empty() {
                findings.extend(multi_auth_plugins(set, format, use_, root));
            }
            findings.extend(other_version_fields(set, plugin, use_, root));
            findings
        }
        Lookup::Known(_) => vec![unknown_plugin(set, &Lookup::NotEnabled, kind, use_, root)],
        _ if options.custom_plugins.contains(use_.name) => Vec::new(),
        lookup => {
            let mut finding = unknown_plugin(set, &lookup, kind, use_, root);
            if use_.kind == SchemaKind::Metadata && format == Format::Standalone {
                // APISIX's standalone loader keeps metadata of a plugin it does not
                // have and never reads it (t/config-center-yaml): not a refusal. The
                // Admin API, which ADC syncs through, refuses it
                // (t/admin/plugin-metadata.t TEST 7).
                finding.severity = Severity::Warning;
                finding
                    .message
                    .push_str(" (APISIX ignores metadata of a plugin it does not have)");
            }
            vec![finding]
        }
    }
}

/// The kind of a plugin use and what the registry knows of its name.
fn plugin_lookup<'s>(set: &'s SchemaSet, use_: &PluginUse<'_>) -> (PluginKind, Lookup<'s>) {
    let kind = if sites::is_stream_plugin(&use_.pointer) {
        PluginKind::Stream
    } else {
        PluginKind::Http
    };
    let lookup = set.plugins.lookup(use_.name, kind);
    if use_.kind == SchemaKind::Metadata && !matches!(lookup, Lookup::Known(_)) {
        // Metadata names a plugin of either kind (mqtt-proxy is a stream plugin).
        let stream = set.plugins.lookup(use_.name, PluginKind::Stream);
        if matches!(stream, Lookup::Known(_)) {
            return (PluginKind::Stream, stream);
        }
    }
    (kind, lookup)
}

/// A plugin a document uses that the selected APISIX version does not have: what
/// the schema stage reports as `schema/unknown-plugin` unless `custom_plugins`
/// declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPluginUse {
    /// The plugin's name.
    pub name: String,
    /// Whether it is used as an HTTP or a stream plugin.
    pub kind: PluginKind,
    /// The JSON pointer of the text naming it: the key of its configuration, or the
    /// value that names it (a credential's `type`).
    pub pointer: String,
    /// Whether the name is the key at `pointer` (else the value there).
    pub name_is_key: bool,
    /// The newest other shipped APISIX version that has it, if any.
    pub other_version: Option<&'static str>,
    /// A plugin of the selected version close enough to be a typo of it.
    pub suggestion: Option<String>,
}

/// Every use in a document of a plugin the selected APISIX version does not have
/// (a plugin it has but a plugin list leaves out is not one: `custom_plugins` does
/// not make it available), in document order.
#[must_use]
pub fn unknown_plugins(set: &SchemaSet, format: Format, root: &Value) -> Vec<UnknownPluginUse> {
    sites::plugins(format, root)
        .iter()
        .filter_map(|use_| {
            let (kind, lookup) = plugin_lookup(set, use_);
            let other_version = match lookup {
                Lookup::Known(_) | Lookup::NotEnabled => return None,
                Lookup::OtherVersion(version) => Some(version),
                Lookup::Unknown => None,
            };
            let (pointer, name_is_key) = match &use_.name_at {
                NameAt::Key => (use_.pointer.clone(), true),
                NameAt::Value(pointer) => (pointer.clone(), false),
            };
            Some(UnknownPluginUse {
                name: use_.name.to_owned(),
                kind,
                pointer,
                name_is_key,
                other_version,
                suggestion: set.plugins.suggest(use_.name, kind).map(str::to_owned),
            })
        })
        .collect()
}

/// Which schema of `plugin` a configuration of `kind` is checked against, by its
/// name in the generated plugin file, and that schema compiled (APISIX checks a
/// consumer's plugin against its consumer schema when it has one).
fn schema_for(plugin: &Plugin, kind: SchemaKind) -> Option<(&'static str, &Compiled)> {
    match kind {
        SchemaKind::Consumer => Some(match &plugin.consumer_schema {
            Some(consumer) => ("consumer_schema", consumer),
            None => ("schema", &plugin.schema),
        }),
        SchemaKind::Metadata => plugin
            .metadata_schema
            .as_ref()
            .map(|metadata| ("metadata_schema", metadata)),
        SchemaKind::Plugin => Some(("schema", &plugin.schema)),
    }
}

/// Top-level fields of a plugin configuration that the selected APISIX version's
/// schema does not know but another shipped version's does: the selected version
/// ignores them (or refuses them, when its schema allows no other fields).
fn other_version_fields(
    set: &SchemaSet,
    plugin: &Plugin,
    use_: &PluginUse<'_>,
    root: &Site<'_>,
) -> Vec<Finding> {
    let (Some(conf), Some((which, _))) = (use_.conf.as_object(), schema_for(plugin, use_.kind))
    else {
        return Vec::new();
    };
    let elsewhere = set.plugins.fields_elsewhere(plugin, which);
    if elsewhere.is_empty() {
        return Vec::new();
    }
    let version = set.plugins.version();
    conf.keys()
        .filter_map(|field| {
            let (_, other) = elsewhere.iter().find(|(f, _)| f == field)?;
            Some(Finding::new(
                "compat/version-field",
                Severity::Warning,
                format!(
                    "field `{field}` of `{}` is not in APISIX {version}, which ignores it: APISIX {} has it",
                    plugin.name,
                    plugins::release_line(other)
                ),
                "check `apisix_version` in .gwlint.yaml against the APISIX your gateway runs, or remove the field",
                root.key_at(&join_pointer(&use_.pointer, field)),
            ))
        })
        .collect()
}

/// multi-auth checks each of its `auth_plugins` (`{name: configuration}`) against
/// that plugin's schema (t/plugin/multi-auth.t TEST 8 to 10).
fn multi_auth_plugins(
    set: &SchemaSet,
    format: Format,
    use_: &PluginUse<'_>,
    root: &Site<'_>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let Some(entries) = use_.conf.get("auth_plugins").and_then(Value::as_array) else {
        return findings;
    };
    for (i, entry) in entries.iter().enumerate() {
        let Some(map) = entry.as_object() else {
            continue;
        };
        for (name, conf) in map {
            if let Lookup::Known(plugin) = set.plugins.lookup(name, PluginKind::Http) {
                let nested = PluginUse {
                    name,
                    conf: std::borrow::Cow::Borrowed(conf),
                    pointer: join_pointer(&format!("{}/auth_plugins/{i}", use_.pointer), name),
                    kind: SchemaKind::Plugin,
                    name_at: NameAt::Key,
                };
                findings.extend(check_plugin_conf(plugin, format, &nested, root));
            }
        }
    }
    findings
}

/// Validate one plugin configuration, then run the plugin's imperative check.
fn check_plugin_conf(
    plugin: &Plugin,
    format: Format,
    use_: &PluginUse<'_>,
    root: &Site<'_>,
) -> Vec<Finding> {
    let (kind, pointer) = (use_.kind, use_.pointer.as_str());
    let Some((_, compiled)) = schema_for(plugin, kind) else {
        return Vec::new();
    };
    let empty;
    let conf = match use_.conf.as_ref() {
        // `key-auth:` with no value: APISIX enables the plugin with an empty
        // configuration (t/config-center-yaml/plugin.t).
        Value::Null => {
            empty = Value::Object(serde_json::Map::new());
            &empty
        }
        conf if conf.is_object() => conf,
        // The file schema already says a plugin configuration must be an object.
        _ => return Vec::new(),
    };
    // APISIX's validator fills in defaults before it evaluates `if`, `oneOf`,
    // `dependencies` and the plugin's own checks: so does gwlint, where it matters.
    let filled;
    let conf = if compiled.fills_defaults {
        filled = with_defaults(&compiled.schema, conf);
        &filled
    } else {
        conf
    };
    // Most configurations pass: the rule and help texts are built only for a failure.
    let texts = || (format!("schema/{}", plugin.name), plugin_help(plugin, kind));
    let errors: Vec<_> = if compiled.validator.is_valid(conf) {
        Vec::new()
    } else {
        compiled
            .validator
            .iter_errors(conf)
            .filter(|e| !is_unresolved_reference_error(format, e))
            .collect()
    };
    if !errors.is_empty() {
        let (rule, help) = texts();
        let site = Site {
            source: root.source,
            document: root.document,
            base: pointer,
        };
        let findings: Vec<Finding> = errors
            .iter()
            .flat_map(|e| locate::findings_for_error(e, compiled, &rule, &help, &site))
            .collect();
        if !findings.is_empty() {
            return findings;
        }
    }
    let mut issues = Vec::new();
    if let Some(check) = checks::plugin_check(&plugin.name) {
        check(conf, kind, &mut issues);
    }
    if format == Format::Standalone {
        if let Some(check) = checks::standalone_plugin_check(&plugin.name) {
            check(conf, kind, &mut issues);
        }
    }
    // Values resolved later cannot be judged here.
    issues.retain(|issue| {
        !conf
            .pointer(&issue.pointer)
            .and_then(Value::as_str)
            .is_some_and(|text| is_unresolved(format, text))
    });
    if issues.is_empty() {
        return Vec::new();
    }
    let (rule, help) = texts();
    issues_to_findings(issues, &rule, &help, pointer, root)
}

/// A schema error about a value resolved later: only its type can be judged offline.
fn is_unresolved_reference_error(format: Format, error: &jsonschema::ValidationError<'_>) -> bool {
    error
        .instance()
        .as_str()
        .is_some_and(|s| is_unresolved(format, s))
        && !matches!(
            error.kind(),
            jsonschema::error::ValidationErrorKind::Type { .. }
        )
}

/// Whether a string is resolved after gwlint looks at it: APISIX resolves
/// `$secret://` and `$env://` before it checks a configuration; ADC substitutes
/// `${NAME}` before it lints ADC files; APISIX substitutes `${{NAME}}` in standalone
/// files. Other `${...}` text (nginx variables in standalone files) is literal.
#[must_use]
pub fn is_unresolved(format: Format, text: &str) -> bool {
    let prefix = text
        .get(..7)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if text.starts_with("$secret://") || prefix == "$env://" {
        return true;
    }
    match format {
        Format::Adc => has_adc_placeholder(text),
        Format::Standalone => text.contains("${{"),
    }
}

/// Whether text holds an ADC placeholder `${NAME}` (`NAME` of letters, digits, `_`).
fn has_adc_placeholder(text: &str) -> bool {
    text.match_indices("${").any(|(at, _)| {
        let rest = &text[at + 2..];
        let name = rest.len()
            - rest
                .trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_')
                .len();
        name > 0 && rest[name..].starts_with('}')
    })
}

fn unknown_plugin(
    set: &SchemaSet,
    lookup: &Lookup<'_>,
    kind: PluginKind,
    use_: &PluginUse<'_>,
    root: &Site<'_>,
) -> Finding {
    let name = use_.name;
    let version = set.plugins.version();
    let what = match kind {
        PluginKind::Http => "plugin",
        PluginKind::Stream => "stream plugin",
    };
    let mut message = match lookup {
        Lookup::NotEnabled => format!(
            "{what} `{name}` is not enabled: it is not in the enabled plugin list (`enabled_plugins` \
             in .gwlint.yaml, or the file's own `plugins` list), so APISIX refuses it"
        ),
        Lookup::OtherVersion(other) => format!(
            "unknown {what} `{name}`: APISIX {version} does not have it (APISIX {} does)",
            plugins::release_line(other)
        ),
        _ => format!("unknown {what} `{name}` (APISIX {version} has no such plugin)"),
    };
    if !matches!(lookup, Lookup::NotEnabled) {
        if let Some(close) = set.plugins.suggest(name, kind) {
            message.push_str(&format!("; did you mean `{close}`?"));
        }
    }
    let help = match lookup {
        Lookup::NotEnabled => "add the plugin to `enabled_plugins` in .gwlint.yaml (APISIX's config.yaml \
             `plugins` list) or to the standalone file's `plugins` list, or remove it here"
            .to_owned(),
        Lookup::OtherVersion(_) => format!(
            "APISIX {version} is the version gwlint checks against (`apisix_version` in .gwlint.yaml); \
             use a plugin this version has, or select the version your gateway runs"
        ),
        _ => "check the plugin name; for a custom plugin add it to `custom_plugins` in .gwlint.yaml, \
             or give its schema with `plugin_schemas`"
            .to_owned(),
    };
    Finding::new(
        "schema/unknown-plugin",
        Severity::Error,
        message,
        help,
        match &use_.name_at {
            NameAt::Key => root.key_at(&use_.pointer),
            NameAt::Value(pointer) => root.value_at(pointer),
        },
    )
}

/// Turn imperative-check issues (relative to `base`) into findings.
/// The rule of a regex too large for gwlint to judge.
pub const REGEX_TOO_LARGE: &str = "limit/regex-too-large";
const REGEX_TOO_LARGE_HELP: &str =
    "check that APISIX accepts the pattern (or write it with fewer repeated groups)";

fn issues_to_findings(
    issues: Vec<Issue>,
    rule: &str,
    help: &str,
    base: &str,
    root: &Site<'_>,
) -> Vec<Finding> {
    issues
        .into_iter()
        .map(|issue| {
            let pointer = format!("{base}{}", issue.pointer);
            let location = match issue.target {
                Target::Value => root.value_at(&pointer),
                Target::Key => root.key_at(&pointer),
            };
            match issue.kind {
                IssueKind::Refused => {
                    Finding::new(rule, Severity::Error, issue.message, help, location)
                }
                IssueKind::RegexTooLarge => Finding::new(
                    REGEX_TOO_LARGE,
                    Severity::Warning,
                    issue.message,
                    REGEX_TOO_LARGE_HELP,
                    location,
                ),
            }
        })
        .collect()
}

fn resource_help(format: Format, kind: &str) -> String {
    let what = match format {
        Format::Adc => "ADC's declarative format",
        Format::Standalone => "APISIX's standalone format",
    };
    format!(
        "fix this {} so it follows {what}; `gwlint explain schema/{kind}` describes it",
        kind.replace('-', " ")
    )
}

fn plugin_help(plugin: &Plugin, kind: SchemaKind) -> String {
    let which = match kind {
        SchemaKind::Plugin => "configuration",
        SchemaKind::Consumer => "consumer configuration",
        SchemaKind::Metadata => "plugin metadata",
    };
    format!(
        "fix the `{}` {which} as APISIX's plugin schema requires; `gwlint explain schema/{}` lists its fields",
        plugin.name, plugin.name
    )
}

/// Pointer of one plugin's configuration inside a `plugins` object.
#[must_use]
pub fn plugin_pointer(plugins_pointer: &str, name: &str) -> String {
    join_pointer(plugins_pointer, name)
}

//! The plugin registry: every plugin of the selected APISIX version, compiled on use.
//!
//! The built-in plugins are APISIX's own: `schemas/apisix/<version>/` holds the
//! schemas `tools/apisix-schemas` extracts from APISIX's Lua source (every HTTP and
//! stream plugin, with consumer and metadata schemas, priority and `encrypt_fields`),
//! embedded at build time for each shipped version. One version is selected per run
//! (`apisix_version` in .gwlint.yaml, the latest release by default); a plugin is
//! parsed and compiled only when a configuration first uses it. A user directory of
//! plugin files adds or replaces plugins. APISIX's `_meta` object is injected into
//! each schema, as APISIX does.

use super::Compiled;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;

/// One embedded APISIX version: `(version, manifest.json, resources.json, HTTP
/// plugins, stream plugins)`, plugins as `(name, JSON text)` sorted by name.
type VersionData = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [(&'static str, &'static str)],
);

/// The embedded APISIX versions, sorted by folder name.
const APISIX: &[VersionData] = include!(concat!(env!("OUT_DIR"), "/builtin_apisix.rs"));

/// The `_meta` object schema APISIX adds to every plugin, when a version's
/// resources do not give it.
const PLUGIN_META: &str = include_str!("defs/plugin-meta.json");

/// The dialect gwlint reads APISIX's schemas in (APISIX's Lua validator follows
/// drafts 4 to 7; its schemas use draft 6+ keywords such as numeric
/// `exclusiveMinimum` and draft 7's `dependencies`).
const APISIX_DIALECT: &str = "http://json-schema.org/draft-07/schema#";

/// The APISIX versions gwlint ships schemas for, oldest first.
#[must_use]
pub fn versions() -> Vec<&'static str> {
    let mut versions: Vec<&'static str> = APISIX.iter().map(|v| v.0).collect();
    versions.sort_by_key(|v| version_key(v));
    versions
}

/// The version used when the configuration names none: the latest shipped release.
#[must_use]
pub fn default_version() -> &'static str {
    versions().last().copied().unwrap_or("none")
}

/// The resource schemas of a shipped version (its `resources.json`: `route`,
/// `upstream`, `ssl`, ... as APISIX checks them), `None` for a version not shipped.
#[must_use]
pub fn resources(version: &str) -> Option<Value> {
    let data = APISIX.iter().find(|v| v.0 == version)?;
    serde_json::from_str(data.2).ok()
}

/// The shipped version that `wanted` names: an exact version (`3.2.2`), a release
/// line (`3.2`: its newest shipped patch release) or `latest`.
///
/// # Errors
/// A message listing the shipped versions when none matches.
pub fn resolve_version(wanted: &str) -> Result<&'static str, String> {
    let wanted = wanted.trim().trim_start_matches('v');
    let all = versions();
    if wanted == "latest" {
        return Ok(default_version());
    }
    let matching = all.iter().rev().find(|v| {
        **v == wanted
            || v.strip_prefix(wanted)
                .is_some_and(|rest| rest.starts_with('.'))
    });
    matching.copied().ok_or_else(|| {
        format!(
            "apisix_version `{wanted}` is not one gwlint has schemas for; it knows {} (or `latest`)",
            all.join(", ")
        )
    })
}

/// Numeric sort key of a dotted version.
fn version_key(version: &str) -> Vec<u64> {
    version
        .split('.')
        .map(|part| part.parse().unwrap_or(0))
        .collect()
}

/// The release line of a version (`3.2.2` → `3.2`), as messages name it.
#[must_use]
pub fn release_line(version: &str) -> &str {
    match version.match_indices('.').nth(1) {
        Some((at, _)) => &version[..at],
        None => version,
    }
}

/// Whether a plugin runs on HTTP routes or on stream routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PluginKind {
    /// An HTTP plugin (routes, services, consumers, global rules, ...).
    Http,
    /// A stream (L4) plugin, on stream routes.
    Stream,
}

/// One plugin's schemas and facts.
#[derive(Debug)]
pub struct Plugin {
    /// The plugin name (`limit-count`).
    pub name: String,
    /// HTTP or stream.
    pub kind: PluginKind,
    /// Execution priority (higher runs first).
    pub priority: i64,
    /// Category: APISIX's plugin `type` (`auth`), or `other`.
    pub category: String,
    /// Whether APISIX treats it as an authentication plugin (usable in credentials).
    pub auth: bool,
    /// Schema of its configuration on a route, service, plugin config or global rule.
    pub schema: Compiled,
    /// Schema of its consumer/credential configuration (auth plugins).
    pub consumer_schema: Option<Compiled>,
    /// Schema of its `plugin_metadata`.
    pub metadata_schema: Option<Compiled>,
    /// For its `schema`, `consumer_schema` and `metadata_schema`: the top-level
    /// fields that only other shipped versions have, with the newest such version
    /// (computed on first need).
    elsewhere: [OnceLock<Vec<(String, &'static str)>>; 3],
}

/// Where a plugin's definition comes from.
#[derive(Debug)]
enum Origin {
    /// An embedded generated file.
    Builtin(&'static str),
    /// A user-supplied plugin file, already parsed.
    User(String, Value),
}

/// A plugin known by name, compiled on first use.
#[derive(Debug)]
struct Entry {
    origin: Origin,
    compiled: OnceLock<Result<Plugin, String>>,
}

impl Entry {
    fn new(origin: Origin) -> Self {
        Entry {
            origin,
            compiled: OnceLock::new(),
        }
    }
}

/// What the registry knows of a plugin name.
#[derive(Debug)]
pub enum Lookup<'a> {
    /// A plugin of the selected version that is available.
    Known(&'a Plugin),
    /// A plugin of the selected version left out of the enabled plugin list.
    NotEnabled,
    /// Not in the selected version; the newest other shipped version that has it.
    OtherVersion(&'static str),
    /// No version has it.
    Unknown,
}

/// All known plugins of one APISIX version, by name.
#[derive(Debug)]
pub struct PluginRegistry {
    version: &'static str,
    meta: Value,
    http: BTreeMap<String, Entry>,
    stream: BTreeMap<String, Entry>,
    /// When set, only these HTTP plugins count as available (APISIX's `plugins`).
    enabled: Option<BTreeSet<String>>,
    /// When set, only these stream plugins count as available.
    enabled_stream: Option<BTreeSet<String>>,
}

impl Default for PluginRegistry {
    fn default() -> Self {
        PluginRegistry {
            version: default_version(),
            meta: serde_json::from_str(PLUGIN_META).unwrap_or(Value::Null),
            http: BTreeMap::new(),
            stream: BTreeMap::new(),
            enabled: None,
            enabled_stream: None,
        }
    }
}

impl PluginRegistry {
    /// The plugins of the latest shipped APISIX version.
    ///
    /// # Errors
    /// Returns a message when no version is shipped (a build problem).
    pub fn builtin() -> Result<Self, String> {
        Self::for_version(default_version())
    }

    /// The plugins of one shipped APISIX version (as [`resolve_version`] names it).
    ///
    /// # Errors
    /// Returns a message when the version is not shipped or its resources file is
    /// malformed.
    pub fn for_version(version: &str) -> Result<Self, String> {
        let data = APISIX
            .iter()
            .find(|v| v.0 == version)
            .ok_or_else(|| format!("no built-in schemas for APISIX {version}"))?;
        let resources: Value = serde_json::from_str(data.2)
            .map_err(|e| format!("built-in APISIX {version} resources.json: {e}"))?;
        let meta = resources
            .get("plugin_injected_schema")
            .and_then(|s| s.pointer("/properties/_meta"))
            .cloned()
            .map_or_else(|| serde_json::from_str(PLUGIN_META), Ok)
            .map_err(|e| e.to_string())?;
        let entries = |list: &'static [(&'static str, &'static str)]| {
            list.iter()
                .map(|(name, text)| ((*name).to_owned(), Entry::new(Origin::Builtin(text))))
                .collect()
        };
        Ok(PluginRegistry {
            version: data.0,
            meta,
            http: entries(data.3),
            stream: entries(data.4),
            enabled: None,
            enabled_stream: None,
        })
    }

    /// The APISIX version whose plugins these are.
    #[must_use]
    pub fn version(&self) -> &'static str {
        self.version
    }

    /// Limit the available plugins to `http` (and `stream`, when given): APISIX's
    /// `plugins` and `stream_plugins` lists of config.yaml, or a standalone file's.
    pub fn limit_to(&mut self, http: Option<BTreeSet<String>>, stream: Option<BTreeSet<String>>) {
        if http.is_some() {
            self.enabled = http;
        }
        if stream.is_some() {
            self.enabled_stream = stream;
        }
    }

    /// Add every `*.json` plugin file of a directory (user-supplied schemas).
    ///
    /// # Errors
    /// Returns a message naming the file when a file cannot be read or is not a valid
    /// plugin schema file.
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), String> {
        let entries =
            std::fs::read_dir(dir).map_err(|e| format!("{}: cannot read: {e}", dir.display()))?;
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        for path in paths {
            let text = crate::regular::read_to_string(&path)
                .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
            let origin = path.display().to_string();
            let file: Value =
                serde_json::from_str(&text).map_err(|e| format!("{origin}: invalid JSON: {e}"))?;
            // A user's file is compiled now, so a mistake in it stops the run early.
            let plugin =
                plugin_from_file(&file, &self.meta).map_err(|e| format!("{origin}: {e}"))?;
            let entry = Entry::new(Origin::User(origin, file));
            let name = plugin.name.clone();
            let kind = plugin.kind;
            let _ = entry.compiled.set(Ok(plugin));
            match kind {
                PluginKind::Http => self.http.insert(name, entry),
                PluginKind::Stream => self.stream.insert(name, entry),
            };
        }
        Ok(())
    }

    fn map(&self, kind: PluginKind) -> &BTreeMap<String, Entry> {
        match kind {
            PluginKind::Http => &self.http,
            PluginKind::Stream => &self.stream,
        }
    }

    fn compiled<'a>(&self, entry: &'a Entry) -> Option<&'a Plugin> {
        entry
            .compiled
            .get_or_init(|| match &entry.origin {
                Origin::Builtin(text) => {
                    let file: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
                    plugin_from_file(&file, &self.meta)
                }
                Origin::User(origin, file) => {
                    plugin_from_file(file, &self.meta).map_err(|e| format!("{origin}: {e}"))
                }
            })
            .as_ref()
            .ok()
    }

    /// The plugin called `name` (available or not): the HTTP plugin, or the stream
    /// plugin when no HTTP plugin has the name (`mqtt-proxy`).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Plugin> {
        self.http
            .get(name)
            .or_else(|| self.stream.get(name))
            .and_then(|e| self.compiled(e))
    }

    /// What the registry knows of plugin `name` of the given kind.
    #[must_use]
    pub fn lookup(&self, name: &str, kind: PluginKind) -> Lookup<'_> {
        if let Some(entry) = self.map(kind).get(name) {
            let enabled = match kind {
                PluginKind::Http => &self.enabled,
                PluginKind::Stream => &self.enabled_stream,
            };
            // A user's own plugin file is available whatever the list says.
            let listed = matches!(entry.origin, Origin::User(..))
                || enabled.as_ref().is_none_or(|list| list.contains(name));
            if !listed {
                return Lookup::NotEnabled;
            }
            return match self.compiled(entry) {
                Some(plugin) => Lookup::Known(plugin),
                None => Lookup::Unknown,
            };
        }
        let mut others: Vec<&VersionData> = APISIX.iter().filter(|v| v.0 != self.version).collect();
        others.sort_by_key(|v| std::cmp::Reverse(version_key(v.0)));
        others
            .iter()
            .find(|v| {
                let list = match kind {
                    PluginKind::Http => v.3,
                    PluginKind::Stream => v.4,
                };
                list.binary_search_by(|(n, _)| (*n).cmp(name)).is_ok()
            })
            .map_or(Lookup::Unknown, |v| Lookup::OtherVersion(v.0))
    }

    /// The top-level fields of `plugin`'s schema `which` (`schema`,
    /// `consumer_schema` or `metadata_schema`) that this version's schema does not
    /// have but another shipped version's does, each with the newest such version.
    /// Read from the other versions' embedded files once per plugin and schema; empty
    /// for most (the latest version has nearly every field).
    pub fn fields_elsewhere<'p>(
        &self,
        plugin: &'p Plugin,
        which: &str,
    ) -> &'p [(String, &'static str)] {
        let (slot, compiled) = match which {
            "consumer_schema" => (0, plugin.consumer_schema.as_ref()),
            "metadata_schema" => (1, plugin.metadata_schema.as_ref()),
            _ => (2, Some(&plugin.schema)),
        };
        plugin.elsewhere[slot].get_or_init(|| {
            let known = compiled
                .and_then(|c| c.schema.get("properties"))
                .and_then(Value::as_object);
            let mut others: Vec<&VersionData> =
                APISIX.iter().filter(|v| v.0 != self.version).collect();
            others.sort_by_key(|v| std::cmp::Reverse(version_key(v.0)));
            let mut found: Vec<(String, &'static str)> = Vec::new();
            for data in others {
                let list = match plugin.kind {
                    PluginKind::Http => data.3,
                    PluginKind::Stream => data.4,
                };
                let Ok(at) = list.binary_search_by(|(n, _)| (*n).cmp(plugin.name.as_str())) else {
                    continue;
                };
                let Ok(file) = serde_json::from_str::<Value>(list[at].1) else {
                    continue;
                };
                let fields = file
                    .get(which)
                    .and_then(|s| s.get("properties"))
                    .and_then(Value::as_object);
                for field in fields.into_iter().flat_map(|f| f.keys()) {
                    let new = known.is_none_or(|k| !k.contains_key(field))
                        && !found.iter().any(|(f, _)| f == field);
                    if new {
                        found.push((field.clone(), data.0));
                    }
                }
            }
            found
        })
    }

    /// Every plugin name of this version, HTTP and stream, sorted, each once.
    #[must_use]
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .http
            .keys()
            .chain(self.stream.keys())
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Every HTTP plugin, sorted by name (compiles each: for listings, not checks).
    pub fn iter(&self) -> impl Iterator<Item = &Plugin> {
        self.http.values().filter_map(|e| self.compiled(e))
    }

    /// The available plugin name closest to `name`, if it is close enough to be a
    /// typo.
    #[must_use]
    pub fn suggest(&self, name: &str, kind: PluginKind) -> Option<&str> {
        let enabled = match kind {
            PluginKind::Http => &self.enabled,
            PluginKind::Stream => &self.enabled_stream,
        };
        self.map(kind)
            .keys()
            .filter(|known| enabled.as_ref().is_none_or(|list| list.contains(*known)))
            .map(|known| (edit_distance(name, known), known))
            .filter(|(d, known)| *d <= 2.max(known.len() / 5))
            .min()
            .map(|(_, known)| known.as_str())
    }
}

/// Build a [`Plugin`] from a plugin file: the generated form `{name, kind,
/// priority, type?, encrypt_fields?, schema, consumer_schema?, metadata_schema?}`
/// or a user's `{name, priority, type, auth, schema, ...}`.
fn plugin_from_file(file: &Value, meta: &Value) -> Result<Plugin, String> {
    let name = file
        .get("name")
        .and_then(Value::as_str)
        .ok_or("missing string field `name`")?;
    let schema = file.get("schema").ok_or("missing field `schema`")?;
    let compile_optional = |field: &str| {
        file.get(field)
            .filter(|s| s.is_object())
            .map(|s| compile_with_meta(s, None).map_err(|e| format!("`{field}`: {e}")))
            .transpose()
    };
    let category = file.get("type").and_then(Value::as_str).unwrap_or("other");
    Ok(Plugin {
        name: name.to_owned(),
        kind: match file.get("kind").and_then(Value::as_str) {
            Some("stream") => PluginKind::Stream,
            _ => PluginKind::Http,
        },
        priority: file.get("priority").and_then(Value::as_i64).unwrap_or(0),
        category: category.to_owned(),
        auth: file
            .get("auth")
            .and_then(Value::as_bool)
            .unwrap_or(category == "auth"),
        schema: compile_with_meta(schema, Some(meta)).map_err(|e| format!("`schema`: {e}"))?,
        consumer_schema: compile_optional("consumer_schema")?,
        metadata_schema: compile_optional("metadata_schema")?,
        elsewhere: Default::default(),
    })
}

/// Compile a plugin schema in APISIX's dialect, after adding APISIX's `_meta`
/// property to it (when `meta` is given).
fn compile_with_meta(schema: &Value, meta: Option<&Value>) -> Result<Compiled, String> {
    let mut schema = schema.clone();
    if let Value::Object(object) = &mut schema {
        if !object.contains_key("$schema") {
            object.insert("$schema".to_owned(), Value::from(APISIX_DIALECT));
        }
        if let Some(meta) = meta {
            let properties = object
                .entry("properties")
                .or_insert_with(|| Value::Object(serde_json::Map::new()));
            if let Value::Object(properties) = properties {
                properties.insert("_meta".to_owned(), meta.clone());
            }
        }
    }
    adapt_dialect(&mut schema);
    require_defaulted_if_fields(&mut schema, 0);
    Compiled::new(schema)
}

/// APISIX's validator fills in a missing field's default before it evaluates an
/// `if` on that field; a JSON Schema validator lets an absent field pass
/// `properties`. Where the default does not meet the `if`'s condition on the field
/// (limit-req's `policy: local` against `enum: [redis, redis-cluster]`), the field
/// is added to the `if`'s `required`, so an absent field fails the `if` as its
/// default would, and the configuration needs no copy with defaults filled in.
/// `then` / `else` chains and `allOf` branches apply to the same object and see the
/// same defaults.
fn require_defaulted_if_fields(schema: &mut Value, depth: usize) {
    if depth > 64 {
        return;
    }
    let Value::Object(map) = schema else {
        if let Value::Array(items) = schema {
            for item in items {
                require_defaulted_if_fields(item, depth + 1);
            }
        }
        return;
    };
    let defaults: Vec<(String, Value)> = map
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| {
            p.iter()
                .filter_map(|(k, s)| Some((k.clone(), s.get("default")?.clone())))
                .collect()
        })
        .unwrap_or_default();
    if !defaults.is_empty() {
        rewrite_ifs(map, &defaults, 0);
    }
    map.values_mut()
        .for_each(|s| require_defaulted_if_fields(s, depth + 1));
}

/// Add to every `if` of `map` (and of its same-object branches) the defaulted fields
/// whose default fails the `if`'s condition on them.
fn rewrite_ifs(
    map: &mut serde_json::Map<String, Value>,
    defaults: &[(String, Value)],
    depth: usize,
) {
    if depth > 64 {
        return;
    }
    if let Some(Value::Object(condition)) = map.get_mut("if") {
        let failing: Vec<String> = condition
            .get("properties")
            .and_then(Value::as_object)
            .map(|properties| {
                defaults
                    .iter()
                    .filter(|(field, default)| {
                        properties.get(field).is_some_and(|rule| {
                            jsonschema::validator_for(rule).is_ok_and(|v| !v.is_valid(default))
                        })
                    })
                    .map(|(field, _)| field.clone())
                    .collect()
            })
            .unwrap_or_default();
        if !failing.is_empty() {
            let required = condition
                .entry("required")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(required) = required {
                for field in failing {
                    if !required.iter().any(|r| r.as_str() == Some(&field)) {
                        required.push(Value::String(field));
                    }
                }
            }
        }
    }
    for branch in ["then", "else"] {
        if let Some(Value::Object(inner)) = map.get_mut(branch) {
            rewrite_ifs(inner, defaults, depth + 1);
        }
    }
    if let Some(Value::Array(all)) = map.get_mut("allOf") {
        for item in all {
            if let Value::Object(inner) = item {
                rewrite_ifs(inner, defaults, depth + 1);
            }
        }
    }
}

/// Rewrite what APISIX's Lua validator reads differently from a draft-7 validator:
/// draft 4's boolean `exclusiveMinimum`/`exclusiveMaximum` (beside `minimum` /
/// `maximum`) become their numeric draft-6 form, and the PCRE anchors `\A`, `\z`
/// and `\Z` of patterns (APISIX matches with PCRE) become `^` and `$`, which mean
/// the same in a pattern without the multi-line flag.
fn adapt_dialect(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            if let Some(Value::String(pattern)) = object.get_mut("pattern") {
                if pattern.contains('\\') {
                    *pattern = pcre_anchors(pattern);
                }
            }
            for (bound, exclusive) in [
                ("minimum", "exclusiveMinimum"),
                ("maximum", "exclusiveMaximum"),
            ] {
                if let Some(Value::Bool(flag)) = object.get(exclusive) {
                    let flag = *flag;
                    object.remove(exclusive);
                    if flag {
                        if let Some(limit) = object.remove(bound) {
                            object.insert(exclusive.to_owned(), limit);
                        }
                    }
                }
            }
            object.values_mut().for_each(adapt_dialect);
        }
        Value::Array(items) => items.iter_mut().for_each(adapt_dialect),
        _ => {}
    }
}

/// `pattern` with PCRE's `\A`, `\z` and `\Z` written as `^` and `$`.
fn pcre_anchors(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('A') => out.push('^'),
            Some('z' | 'Z') => out.push('$'),
            Some(next) => {
                out.push('\\');
                out.push(next);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Edit distance between two short strings, counting a swap of two neighbouring
/// characters as one edit (`limit-cuont` is one edit from `limit-count`, two from
/// `limit-conn`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the optimal-string-alignment table.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for i in 0..a.len() {
        let mut current = vec![i + 1; b.len() + 1];
        for j in 0..b.len() {
            let substitution = previous[j] + usize::from(a[i] != b[j]);
            let mut best = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
            if i > 0 && j > 0 && a[i] == b[j - 1] && a[i - 1] == b[j] {
                best = best.min(before[j - 1] + 1);
            }
            current[j + 1] = best;
        }
        before = std::mem::replace(&mut previous, current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("limit-count", "limit-count"), 0);
        assert_eq!(edit_distance("limit-cont", "limit-count"), 1);
        assert_eq!(edit_distance("key_auth", "key-auth"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("limit-cuont", "limit-count"), 1);
        assert_eq!(edit_distance("limit-cuont", "limit-conn"), 2);
    }

    #[test]
    fn every_builtin_plugin_of_every_version_compiles() {
        for version in versions() {
            let registry = PluginRegistry::for_version(version).unwrap();
            for entry in registry.http.values().chain(registry.stream.values()) {
                let result = entry.compiled.get_or_init(|| {
                    let Origin::Builtin(text) = entry.origin else {
                        unreachable!("built-in registry")
                    };
                    let file: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
                    plugin_from_file(&file, &registry.meta)
                });
                let plugin = result
                    .as_ref()
                    .unwrap_or_else(|e| panic!("APISIX {version}: {e}"));
                assert!(plugin.schema.schema.pointer("/properties/_meta").is_some());
            }
        }
    }

    #[test]
    fn versions_resolve_by_line_and_exact_number() {
        let latest = default_version();
        assert_eq!(resolve_version("latest").unwrap(), latest);
        assert_eq!(resolve_version("3.2").unwrap(), "3.2.2");
        assert_eq!(resolve_version("3.2.2").unwrap(), "3.2.2");
        assert_eq!(resolve_version("3.18").unwrap(), "3.18.0");
        let error = resolve_version("2.15").unwrap_err();
        assert!(error.contains("3.2.2, 3.18.0"), "{error}");
        // `3.1` must not match `3.18.0`.
        assert!(resolve_version("3.1").is_err());
        assert_eq!(release_line("3.2.2"), "3.2");
    }

    #[test]
    fn pcre_anchors_become_ecma_anchors() {
        assert_eq!(pcre_anchors(r"\A[\w]+\z"), r"^[\w]+$");
        assert_eq!(pcre_anchors(r"a\\Ab\Z"), r"a\\Ab$");
    }

    #[test]
    fn an_if_on_a_defaulted_field_reads_the_default() {
        let registry = PluginRegistry::for_version("3.18.0").unwrap();
        let limit_req = registry.get("limit-req").unwrap();
        // The `if` on `policy` is rewritten: no copy with defaults is needed.
        assert!(!limit_req.schema.fills_defaults);
        let local = json!({"rate": 1, "burst": 0, "key": "remote_addr"});
        assert!(limit_req.schema.is_valid(&local));
        let redis = json!({"rate": 1, "burst": 0, "key": "remote_addr", "policy": "redis"});
        assert!(!limit_req.schema.is_valid(&redis));
        let mut schema = json!({"properties": {"policy": {"default": "local"}},
            "if": {"properties": {"policy": {"enum": ["redis"]}}}, "then": {"required": ["host"]},
            "else": {"if": {"properties": {"policy": {"enum": ["local"]}}}}});
        require_defaulted_if_fields(&mut schema, 0);
        assert_eq!(schema.pointer("/if/required"), Some(&json!(["policy"])));
        // The default meets the nested condition: nothing to add there.
        assert_eq!(schema.pointer("/else/if/required"), None);
    }

    #[test]
    fn draft4_exclusive_bounds_become_numeric() {
        let mut schema = json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true,
            "maximum": 10, "exclusiveMaximum": false});
        adapt_dialect(&mut schema);
        assert_eq!(
            schema,
            json!({"type": "integer", "exclusiveMinimum": 0, "maximum": 10})
        );
    }
}

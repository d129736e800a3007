//! The plugin registry: every plugin gwlint knows, with its compiled schemas.
//!
//! Built-in plugins come from `src/schema/plugins/*.json`, embedded at build time; a
//! user directory of the same files adds or replaces plugins. Each plugin has a
//! schema for routes/services/global rules, and optionally a consumer schema (auth
//! plugins) and a metadata schema. APISIX's `_meta` object is injected into each.

use super::Compiled;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The embedded plugin files: `(file stem, JSON text)`.
const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_plugins.rs"));

/// The `_meta` object schema APISIX adds to every plugin.
const PLUGIN_META: &str = include_str!("defs/plugin-meta.json");

/// One plugin's schemas and facts.
#[derive(Debug)]
pub struct Plugin {
    /// The plugin name (`limit-count`).
    pub name: String,
    /// Execution priority (higher runs first).
    pub priority: i64,
    /// Category (`auth`, `traffic`, `security`, ...).
    pub category: String,
    /// Whether APISIX treats it as an authentication plugin (usable in credentials).
    pub auth: bool,
    /// Schema of its configuration on a route, service, plugin config or global rule.
    pub schema: Compiled,
    /// Schema of its consumer/credential configuration (auth plugins).
    pub consumer_schema: Option<Compiled>,
    /// Schema of its `plugin_metadata`.
    pub metadata_schema: Option<Compiled>,
}

/// All known plugins, by name.
#[derive(Debug, Default)]
pub struct PluginRegistry {
    plugins: BTreeMap<String, Plugin>,
}

impl PluginRegistry {
    /// The plugins shipped with gwlint.
    ///
    /// # Errors
    /// Returns a message naming the file when an embedded schema is malformed (a bug
    /// that the test suite catches).
    pub fn builtin() -> Result<Self, String> {
        use rayon::prelude::*;
        // Each plugin compiles on its own: in parallel, then added in order.
        let plugins: Vec<Plugin> = BUILTIN
            .par_iter()
            .map(|(stem, text)| {
                plugin_from_json(&format!("built-in plugin schema {stem}.json"), text)
            })
            .collect::<Result<_, String>>()?;
        let mut registry = PluginRegistry::default();
        for plugin in plugins {
            registry.add(plugin);
        }
        Ok(registry)
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
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
            self.add_json(&path.display().to_string(), &text)?;
        }
        Ok(())
    }

    /// Add one plugin from its JSON file text.
    fn add_json(&mut self, origin: &str, text: &str) -> Result<(), String> {
        self.add(plugin_from_json(origin, text)?);
        Ok(())
    }

    /// Add one plugin (over any of the same name).
    fn add(&mut self, plugin: Plugin) {
        self.plugins.insert(plugin.name.clone(), plugin);
    }

    /// The plugin called `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Plugin> {
        self.plugins.get(name)
    }

    /// Every plugin, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &Plugin> {
        self.plugins.values()
    }

    /// The known plugin name closest to `name`, if it is close enough to be a typo.
    #[must_use]
    pub fn suggest(&self, name: &str) -> Option<&str> {
        self.plugins
            .keys()
            .map(|known| (edit_distance(name, known), known))
            .filter(|(d, known)| *d <= 2.max(known.len() / 5))
            .min()
            .map(|(_, known)| known.as_str())
    }
}

/// Build a [`Plugin`] from the text of a plugin file; errors name `origin`.
fn plugin_from_json(origin: &str, text: &str) -> Result<Plugin, String> {
    let file: Value =
        serde_json::from_str(text).map_err(|e| format!("{origin}: invalid JSON: {e}"))?;
    plugin_from_file(&file).map_err(|e| format!("{origin}: {e}"))
}

/// Build a [`Plugin`] from a plugin file: `{name, priority, type, auth, schema,
/// consumer_schema?, metadata_schema?}`.
fn plugin_from_file(file: &Value) -> Result<Plugin, String> {
    let name = file
        .get("name")
        .and_then(Value::as_str)
        .ok_or("missing string field `name`")?;
    let schema = file.get("schema").ok_or("missing field `schema`")?;
    let compile_optional = |field: &str| {
        file.get(field)
            .map(|s| compile_with_meta(s).map_err(|e| format!("`{field}`: {e}")))
            .transpose()
    };
    Ok(Plugin {
        name: name.to_owned(),
        priority: file.get("priority").and_then(Value::as_i64).unwrap_or(0),
        category: file
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("other")
            .to_owned(),
        auth: file.get("auth").and_then(Value::as_bool).unwrap_or(false),
        schema: compile_with_meta(schema).map_err(|e| format!("`schema`: {e}"))?,
        consumer_schema: compile_optional("consumer_schema")?,
        metadata_schema: compile_optional("metadata_schema")?,
    })
}

/// Compile a plugin schema after adding APISIX's `_meta` property to it.
fn compile_with_meta(schema: &Value) -> Result<Compiled, String> {
    let mut schema = schema.clone();
    if let Value::Object(object) = &mut schema {
        let meta: Value = serde_json::from_str(PLUGIN_META).map_err(|e| e.to_string())?;
        let properties = object
            .entry("properties")
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
        if let Value::Object(properties) = properties {
            properties.insert("_meta".to_owned(), meta);
        }
    }
    Compiled::new(schema)
}

/// Levenshtein distance between two short strings.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("limit-count", "limit-count"), 0);
        assert_eq!(edit_distance("limit-cont", "limit-count"), 1);
        assert_eq!(edit_distance("key_auth", "key-auth"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn every_builtin_plugin_file_compiles() {
        let registry = PluginRegistry::builtin().unwrap();
        assert_eq!(registry.iter().count(), BUILTIN.len());
        for plugin in registry.iter() {
            assert!(plugin.schema.schema.pointer("/properties/_meta").is_some());
        }
    }
}

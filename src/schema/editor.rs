//! The schema `gwlint schema` prints for editors (yaml-language-server, VS Code).
//!
//! It is the file schema gwlint validates with, with every `plugins` object (and
//! ADC's `global_rules`) expanded to the known plugins' own schemas, so editors
//! complete and check plugin fields too. Plugin schemas' local `$defs` are hoisted
//! to the root under prefixed names so their references stay valid.

use super::SchemaSet;
use crate::format::Format;
use serde_json::{json, Map, Value};

/// The name of the shared plugins definition added to the schema.
const PLUGINS_DEF: &str = "gwlint-plugins";

/// The editor schema of a file format.
#[must_use]
pub fn editor_schema(set: &SchemaSet, format: Format) -> Value {
    let mut schema = set.file_schema(format).schema.clone();
    let mut hoisted = Map::new();
    let mut plugins = Map::new();
    for plugin in set.plugins.iter() {
        let mut plugin_schema = plugin.schema.schema.clone();
        hoist_defs(&plugin.name, &mut plugin_schema, &mut hoisted);
        plugins.insert(plugin.name.clone(), plugin_schema);
    }
    let plugins_def = json!({
        "description": "Plugin configurations, by plugin name",
        "type": "object",
        "properties": plugins,
        "additionalProperties": {"type": "object"},
    });
    let reference = json!({"$ref": format!("#/$defs/{PLUGINS_DEF}")});
    replace_plugin_maps(&mut schema, &reference, format);
    if let Value::Object(root) = &mut schema {
        let defs = root
            .entry("$defs")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(defs) = defs {
            defs.insert(PLUGINS_DEF.to_owned(), plugins_def);
            defs.extend(hoisted);
        }
        root.insert(
            "title".into(),
            json!(format!("gwlint {} file", format.as_str())),
        );
    }
    schema
}

/// Move a plugin schema's `$defs` into `hoisted` as `<plugin>-<name>` and rewrite
/// its references; drop its `$schema`.
fn hoist_defs(plugin: &str, schema: &mut Value, hoisted: &mut Map<String, Value>) {
    let Value::Object(object) = schema else {
        return;
    };
    object.remove("$schema");
    if let Some(Value::Object(defs)) = object.remove("$defs") {
        for (name, mut def) in defs {
            rewrite_refs(plugin, &mut def);
            hoisted.insert(format!("{plugin}-{name}"), def);
        }
    }
    rewrite_refs(plugin, schema);
}

fn rewrite_refs(plugin: &str, value: &mut Value) {
    match value {
        Value::Object(object) => {
            for (key, child) in object.iter_mut() {
                match (key.as_str(), &*child) {
                    ("$ref", Value::String(target)) if target.starts_with("#/$defs/") => {
                        let name = &target["#/$defs/".len()..];
                        *child = Value::String(format!("#/$defs/{plugin}-{name}"));
                    }
                    _ => rewrite_refs(plugin, child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| rewrite_refs(plugin, i)),
        _ => {}
    }
}

/// Point every `plugins` property (and ADC's `global_rules`) at the plugins definition.
fn replace_plugin_maps(value: &mut Value, reference: &Value, format: Format) {
    match value {
        Value::Object(object) => {
            if let Some(Value::Object(properties)) = object.get_mut("properties") {
                for (name, property) in properties.iter_mut() {
                    let is_map =
                        name == "plugins" || (name == "global_rules" && format == Format::Adc);
                    if is_map && property.get("type") == Some(&json!("object")) {
                        *property = reference.clone();
                    }
                }
            }
            for child in object.values_mut() {
                replace_plugin_maps(child, reference, format);
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|i| replace_plugin_maps(i, reference, format)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_schemas_compile_and_validate_the_example() {
        let set = SchemaSet::load(&[]).unwrap();
        for format in [Format::Adc, Format::Standalone] {
            let schema = editor_schema(&set, format);
            let validator = jsonschema::validator_for(&schema).unwrap();
            if format == Format::Adc {
                let example = json!({"services": [{"name": "a", "plugins": {"key-auth": {}}}]});
                assert!(validator.is_valid(&example));
            }
        }
    }
}

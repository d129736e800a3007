//! What APISIX checks across an environment's plugin configurations when it loads
//! them, beyond each configuration on its own:
//! - limit-count configurations that share a `group` share one counter, so APISIX
//!   refuses a configuration whose limit fields differ from the first one it loaded
//!   for that group ("group conf mismatched", apisix/plugins/limit-count/init.lua).
//!   The fields compared are the schema's own (and the Redis policy's), after
//!   defaults are filled in; the later configuration is reported, with the first as
//!   related information.
//! - file-logger needs a `path` in its configuration or in its plugin metadata
//!   (apisix/plugins/file-logger.lua `get_configured_path`).

use super::SchemaSet;
use crate::finding::{Finding, Severity};
use crate::load::document::join_pointer;
use crate::model::{Documents, Environment, Resource};
use serde_json::Value;
use std::collections::BTreeSet;

/// The findings of every check of this module, from one pass over the
/// environment's plugin configurations.
#[must_use]
pub fn check(env: &Environment, set: &SchemaSet, documents: &Documents<'_>) -> Vec<Finding> {
    let routes = env.routes.iter().map(|r| &r.resource);
    let mut grouped: Vec<(&Resource, Value)> = Vec::new();
    let mut pathless: Vec<&Resource> = Vec::new();
    let resources = env
        .services
        .iter()
        .chain(routes)
        .chain(&env.plugin_configs)
        .chain(&env.global_rules)
        .chain(&env.consumers)
        .chain(&env.consumer_groups);
    for obj in resources {
        let Some(plugins) = obj.plugins() else {
            continue;
        };
        for (name, conf) in plugins.iter() {
            match name {
                "limit-count"
                    if conf
                        .get("group")
                        .is_some_and(crate::model::JsonRef::is_string) =>
                {
                    grouped.push((obj, conf.to_value()));
                }
                "file-logger" if conf.is_object() && conf.get("path").is_none() => {
                    pathless.push(obj);
                }
                _ => {}
            }
        }
    }
    let mut findings = limit_count_groups(&grouped, set, documents);
    findings.extend(file_logger_paths(env, &pathless, documents));
    findings
}

/// The `schema/limit-count` findings of limit-count groups whose configurations
/// differ, among the `grouped` configurations (in environment order).
fn limit_count_groups(
    grouped: &[(&Resource, Value)],
    set: &SchemaSet,
    documents: &Documents<'_>,
) -> Vec<Finding> {
    if grouped.len() < 2 {
        return Vec::new();
    }
    let Some(plugin) = set.plugins.get("limit-count") else {
        return Vec::new();
    };
    let schema = &plugin.schema.schema;
    let mut fields = BTreeSet::new();
    schema_fields(schema, &mut fields, 0);
    fields.remove("_meta");
    let mut first: Vec<(&str, &Resource, Value)> = Vec::new();
    let mut findings = Vec::new();
    for (obj, conf) in grouped {
        let filled = super::with_defaults(schema, conf);
        let group = conf
            .get("group")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some((_, first_obj, first_conf)) = first.iter().find(|(g, _, _)| *g == group) else {
            first.push((group, obj, filled));
            continue;
        };
        let Some(field) = fields
            .iter()
            .find(|f| filled.get(f.as_str()) != first_conf.get(f.as_str()))
        else {
            continue;
        };
        let at = |obj: &Resource| {
            let pointer = join_pointer(&obj.plugin_pointer("limit-count"), "group");
            documents.locate(&obj.origin.source, &pointer)
        };
        findings.push(
            Finding::new(
                "schema/limit-count",
                Severity::Error,
                format!(
                    "group conf mismatched: limit-count group `{group}` has another `{field}` where it \
                     is first configured, and APISIX refuses a group whose configurations differ"
                ),
                "give every limit-count configuration of a group the same limits, or use another group",
                at(obj),
            )
            .with_related("the group's first configuration", at(first_obj)),
        );
    }
    findings
}

/// The file-logger configurations without `path` (`pathless`) when the
/// environment's file-logger plugin metadata gives none either: APISIX refuses them
/// ("property \"path\" is not set in either the plugin conf or the metadata").
/// Reported at the plugin's name.
fn file_logger_paths(
    env: &Environment,
    pathless: &[&Resource],
    documents: &Documents<'_>,
) -> Vec<Finding> {
    let metadata_path = env.plugin_metadata.iter().any(|m| {
        m.id == "file-logger"
            && m.body
                .json()
                .get("path")
                .is_some_and(crate::model::JsonRef::is_string)
    });
    if metadata_path {
        return Vec::new();
    }
    pathless
        .iter()
        .map(|obj| {
            Finding::new(
                "schema/file-logger",
                Severity::Error,
                "property \"path\" is not set in either the plugin conf or the metadata: APISIX refuses a \
                 file-logger without a file to write to",
                "set `path` here, or in the file-logger plugin metadata of the environment",
                documents.locate_key(&obj.origin.source, &obj.plugin_pointer("file-logger")),
            )
        })
        .collect()
}

/// Every property name of `schema`'s object and of its `if`/`then`/`else` and
/// `allOf`/`oneOf`/`anyOf` branches (the Redis policies' fields live in `then`).
fn schema_fields(schema: &Value, out: &mut BTreeSet<String>, depth: usize) {
    if depth > 16 {
        return;
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        out.extend(properties.keys().cloned());
    }
    for branch in ["then", "else"] {
        if let Some(inner) = schema.get(branch) {
            schema_fields(inner, out, depth + 1);
        }
    }
    for list in ["allOf", "oneOf", "anyOf"] {
        for inner in schema
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            schema_fields(inner, out, depth + 1);
        }
    }
}

//! Where resources and plugin configurations sit in each file format.
//!
//! Both formats hold the same kinds of objects in different places: ADC nests routes
//! and upstreams inside services and credentials inside consumers; standalone lists
//! everything at the top level. This module walks a document and names each
//! resource and each plugin use with its JSON pointer, so validation and rule ids
//! are the same whatever the format.

use super::checks::SchemaKind;
use crate::format::Format;
use crate::load::document::{item_pointer, join_pointer, pointer_tokens};
use crate::value::items;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// A resource object in a document.
#[derive(Debug)]
pub struct ResourceSite<'a> {
    /// The top-level list it belongs to in standalone files (`routes`), or the ADC
    /// collection key (`services`, `routes`, `upstream`, ...).
    pub list: &'static str,
    /// Its kind: `service`, `route`, `stream_route`, `upstream`, `ssl`, `consumer`,
    /// `credential`, `consumer_group`, `global_rule`, `plugin_config`, `proto`,
    /// `plugin_metadata`, `secret`.
    pub kind: &'static str,
    /// Pointer to the object.
    pub pointer: String,
    /// The object.
    pub value: &'a Value,
}

/// One plugin configuration in a document.
#[derive(Debug)]
pub struct PluginUse<'a> {
    /// The plugin name.
    pub name: &'a str,
    /// Its configuration.
    pub conf: Cow<'a, Value>,
    /// Pointer to the configuration (or, for standalone plugin metadata, the item).
    pub pointer: String,
    /// Which schema of the plugin applies.
    pub kind: SchemaKind,
    /// Where the text that names the plugin is written.
    pub name_at: NameAt,
}

/// Where the text that names a plugin is written.
#[derive(Debug)]
pub enum NameAt {
    /// The key of its configuration, an entry of a `plugins` object.
    Key,
    /// The value at this pointer: a credential's `type`, a metadata item's `id`.
    Value(String),
}

/// Whether the plugin use at `pointer` is on a stream route (a stream plugin).
#[must_use]
pub fn is_stream_plugin(pointer: &str) -> bool {
    pointer.contains("/stream_routes/")
}

/// The rule-id form of a kind (`stream_route` → `stream-route`).
#[must_use]
pub fn rule_name(kind: &str) -> &'static str {
    match kind {
        "service" => "service",
        "route" => "route",
        "stream_route" => "stream-route",
        "upstream" => "upstream",
        "ssl" => "ssl",
        "consumer" => "consumer",
        "credential" => "credential",
        "consumer_group" => "consumer-group",
        "global_rule" => "global-rule",
        "plugin_config" => "plugin-config",
        "plugin_metadata" => "plugin-metadata",
        "proto" => "proto",
        "secret" => "secret",
        "plugin_list" => "plugin-list",
        _ => "file",
    }
}

/// The rule-id kind of the resource that contains `pointer`.
#[must_use]
pub fn resource_kind_at(format: Format, root: &Value, pointer: &str) -> &'static str {
    let tokens: Vec<String> = pointer_tokens(pointer).map(String::from).collect();
    let kind = match format {
        Format::Adc => adc_kind(&tokens),
        Format::Standalone => standalone_kind(root, &tokens),
    };
    rule_name(kind)
}

fn adc_kind(tokens: &[String]) -> &'static str {
    let t: Vec<&str> = tokens.iter().map(String::as_str).collect();
    match t.as_slice() {
        ["services", _, "routes", _, ..] => "route",
        ["services", _, "stream_routes", _, ..] => "stream_route",
        ["services", _, "upstream", ..] | ["services", _, "upstreams", _, ..] => "upstream",
        ["services", _, ..] => "service",
        ["ssls", _, ..] => "ssl",
        ["consumers", _, "credentials", _, ..] => "credential",
        ["consumers", _, ..] => "consumer",
        ["consumer_groups", _, ..] => "consumer_group",
        ["global_rules", ..] => "global_rule",
        ["plugin_metadata", ..] => "plugin_metadata",
        _ => "file",
    }
}

fn standalone_kind(root: &Value, tokens: &[String]) -> &'static str {
    let t: Vec<&str> = tokens.iter().map(String::as_str).collect();
    match t.as_slice() {
        ["routes" | "services" | "stream_routes", _, "upstream", ..] => "upstream",
        ["consumers", index, ..] => {
            let item = root
                .get("consumers")
                .and_then(|c| c.get(index.parse::<usize>().unwrap_or(usize::MAX)));
            if item.is_some_and(crate::format::is_credential) {
                "credential"
            } else {
                "consumer"
            }
        }
        [list, _, ..] => standalone_list_kind(list),
        _ => "file",
    }
}

/// The kind of the items of a standalone top-level list.
fn standalone_list_kind(list: &str) -> &'static str {
    match list {
        "routes" => "route",
        "services" => "service",
        "upstreams" => "upstream",
        "consumers" => "consumer",
        "consumer_groups" => "consumer_group",
        "ssls" => "ssl",
        "global_rules" => "global_rule",
        "plugin_configs" => "plugin_config",
        "plugin_metadata" => "plugin_metadata",
        "protos" => "proto",
        "stream_routes" => "stream_route",
        "secrets" => "secret",
        "plugins" => "plugin_list",
        _ => "file",
    }
}

/// Every resource object of a document.
#[must_use]
pub fn resources(format: Format, root: &Value) -> Vec<ResourceSite<'_>> {
    let mut out = Vec::new();
    match format {
        Format::Adc => adc_resources(root, &mut out),
        Format::Standalone => standalone_resources(root, &mut out),
    }
    out
}

fn adc_resources<'a>(root: &'a Value, out: &mut Vec<ResourceSite<'a>>) {
    for (i, service) in items(root.get("services")) {
        let base = item_pointer("", "services", i);
        out.push(site("services", "service", base.clone(), service));
        if let Some(upstream) = service.get("upstream").filter(|u| u.is_object()) {
            out.push(site(
                "upstream",
                "upstream",
                format!("{base}/upstream"),
                upstream,
            ));
        }
        for (list, kind) in [
            ("upstreams", "upstream"),
            ("routes", "route"),
            ("stream_routes", "stream_route"),
        ] {
            for (j, item) in items(service.get(list)) {
                out.push(site(list, kind, item_pointer(&base, list, j), item));
            }
        }
    }
    for (i, ssl) in items(root.get("ssls")) {
        out.push(site("ssls", "ssl", item_pointer("", "ssls", i), ssl));
    }
    for (i, consumer) in items(root.get("consumers")) {
        let base = item_pointer("", "consumers", i);
        out.push(site("consumers", "consumer", base.clone(), consumer));
        for (j, credential) in items(consumer.get("credentials")) {
            out.push(site(
                "credentials",
                "credential",
                item_pointer(&base, "credentials", j),
                credential,
            ));
        }
    }
}

fn standalone_resources<'a>(root: &'a Value, out: &mut Vec<ResourceSite<'a>>) {
    let Some(object) = root.as_object() else {
        return;
    };
    for (list, value) in object {
        let list: &'static str = static_list_name(list);
        let kind = standalone_list_kind(list);
        if kind == "file" {
            continue;
        }
        for (i, item) in items(Some(value)) {
            let kind = if list == "consumers" && crate::format::is_credential(item) {
                "credential"
            } else {
                kind
            };
            out.push(site(list, kind, item_pointer("", list, i), item));
        }
    }
}

/// The `'static` name of a known standalone list key (unknown keys map to `""`).
fn static_list_name(list: &str) -> &'static str {
    const LISTS: &[&str] = &[
        "routes",
        "services",
        "upstreams",
        "consumers",
        "consumer_groups",
        "ssls",
        "global_rules",
        "plugin_configs",
        "plugin_metadata",
        "protos",
        "stream_routes",
        "secrets",
        "plugins",
    ];
    LISTS.iter().find(|l| **l == list).copied().unwrap_or("")
}

fn site<'a>(
    list: &'static str,
    kind: &'static str,
    pointer: String,
    value: &'a Value,
) -> ResourceSite<'a> {
    ResourceSite {
        list,
        kind,
        pointer,
        value,
    }
}

/// Every plugin configuration of a document.
#[must_use]
pub fn plugins(format: Format, root: &Value) -> Vec<PluginUse<'_>> {
    let mut out = Vec::new();
    match format {
        Format::Adc => adc_plugins(root, &mut out),
        Format::Standalone => standalone_plugins(root, &mut out),
    }
    out
}

/// Add the entries of a `plugins` object (or any plugin-keyed map).
fn plugin_map<'a>(
    map: Option<&'a Value>,
    pointer: &str,
    kind: SchemaKind,
    out: &mut Vec<PluginUse<'a>>,
) {
    let Some(map) = map.and_then(Value::as_object) else {
        return;
    };
    for (name, conf) in map {
        out.push(PluginUse {
            name,
            conf: Cow::Borrowed(conf),
            name_at: NameAt::Key,
            pointer: join_pointer(pointer, name),
            kind,
        });
    }
}

fn adc_plugins<'a>(root: &'a Value, out: &mut Vec<PluginUse<'a>>) {
    for (i, service) in items(root.get("services")) {
        let base = item_pointer("", "services", i);
        plugin_map(
            service.get("plugins"),
            &format!("{base}/plugins"),
            SchemaKind::Plugin,
            out,
        );
        for list in ["routes", "stream_routes"] {
            for (j, route) in items(service.get(list)) {
                let mut pointer = item_pointer(&base, list, j);
                pointer.push_str("/plugins");
                plugin_map(route.get("plugins"), &pointer, SchemaKind::Plugin, out);
            }
        }
    }
    for (i, consumer) in items(root.get("consumers")) {
        let base = item_pointer("", "consumers", i);
        plugin_map(
            consumer.get("plugins"),
            &format!("{base}/plugins"),
            SchemaKind::Consumer,
            out,
        );
        for (j, credential) in items(consumer.get("credentials")) {
            adc_credential(credential, &item_pointer(&base, "credentials", j), out);
        }
    }
    for (i, group) in items(root.get("consumer_groups")) {
        plugin_map(
            group.get("plugins"),
            &(item_pointer("", "consumer_groups", i) + "/plugins"),
            SchemaKind::Plugin,
            out,
        );
    }
    plugin_map(
        root.get("global_rules"),
        "/global_rules",
        SchemaKind::Plugin,
        out,
    );
    plugin_map(
        root.get("plugin_metadata"),
        "/plugin_metadata",
        SchemaKind::Metadata,
        out,
    );
}

/// An ADC credential `{type, config}` is the consumer configuration of plugin `type`.
fn adc_credential<'a>(credential: &'a Value, pointer: &str, out: &mut Vec<PluginUse<'a>>) {
    let (Some(name), Some(conf)) = (
        credential.get("type").and_then(Value::as_str),
        credential.get("config").filter(|c| c.is_object()),
    ) else {
        return;
    };
    out.push(PluginUse {
        name,
        conf: Cow::Borrowed(conf),
        pointer: format!("{pointer}/config"),
        kind: SchemaKind::Consumer,
        name_at: NameAt::Value(format!("{pointer}/type")),
    });
}

fn standalone_plugins<'a>(root: &'a Value, out: &mut Vec<PluginUse<'a>>) {
    for list in [
        "routes",
        "services",
        "plugin_configs",
        "global_rules",
        "consumer_groups",
        "stream_routes",
    ] {
        for (i, item) in items(root.get(list)) {
            plugin_map(
                item.get("plugins"),
                &(item_pointer("", list, i) + "/plugins"),
                SchemaKind::Plugin,
                out,
            );
        }
    }
    for (i, consumer) in items(root.get("consumers")) {
        plugin_map(
            consumer.get("plugins"),
            &(item_pointer("", "consumers", i) + "/plugins"),
            SchemaKind::Consumer,
            out,
        );
    }
    for (i, item) in items(root.get("plugin_metadata")) {
        if let Some(name) = item.get("id").and_then(Value::as_str) {
            out.push(PluginUse {
                name,
                conf: Cow::Owned(metadata_conf(item)),
                pointer: item_pointer("", "plugin_metadata", i),
                kind: SchemaKind::Metadata,
                name_at: NameAt::Value(item_pointer("", "plugin_metadata", i) + "/id"),
            });
        }
    }
}

/// A standalone plugin-metadata item without its bookkeeping fields.
fn metadata_conf(item: &Value) -> Value {
    let mut conf: Map<String, Value> = item.as_object().cloned().unwrap_or_default();
    conf.remove("id");
    conf.remove("modifiedIndex");
    Value::Object(conf)
}

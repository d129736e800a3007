//! Adding an APISIX standalone file to the model.
//!
//! Standalone files list every resource at the top level and link them by id
//! (`service_id`, `upstream_id`, `plugin_config_id`). Items without an id get
//! `arr_<index>`, as APISIX assigns them; credentials are `consumers` items whose id
//! reads `<username>/credentials/<id>`.

use super::compact::Builder;
use super::{origin, Environment, Resource, Route};
use crate::format::is_credential;
use crate::format::Format;
use crate::load::document::item_pointer;
use crate::load::Document;
use crate::source::Source;
use crate::value::{id_string, remove_items, strings, text};
use serde_json::Value;

/// Add every resource of one standalone file. `root` is the file's value, taken
/// apart item by item; each item's body goes to `builder`; `document` locates them.
pub fn add_file(
    env: &mut Environment,
    builder: &mut Builder,
    source: &Source,
    document: &Document,
    mut root: Value,
) {
    let mut new = |kind: &'static str, list: &str, index: usize, item: Value| {
        let id = item
            .get("id")
            .and_then(id_string)
            .unwrap_or_else(|| format!("arr_{index}"));
        let name = text(&item, "name").or_else(|| text(&item, "username"));
        Resource {
            kind,
            id,
            name,
            body: builder.body(&item),
            origin: origin(source, document, item_pointer("", list, index)),
            format: Format::Standalone,
        }
    };
    for (i, item) in remove_items(&mut root, "routes") {
        let route = route(item, |item| new("route", "routes", i, item));
        env.routes.push(Box::new(route));
    }
    for (i, item) in remove_items(&mut root, "consumers") {
        let credential = is_credential(&item);
        let username = text(&item, "username");
        let mut resource = new("consumer", "consumers", i, item);
        if credential {
            resource.kind = "credential";
            env.credentials.push(resource);
        } else {
            if let Some(username) = username {
                resource.id = username;
            }
            env.consumers.push(resource);
        }
    }
    for (list, kind, target) in LISTS {
        for (i, item) in remove_items(&mut root, list) {
            let resource = new(kind, list, i, item);
            target(env).push(resource);
        }
    }
}

/// Where the items of each other standalone list go in the model.
type ListTarget = fn(&mut Environment) -> &mut Vec<Resource>;

/// Standalone lists other than routes and consumers: `(list, kind, model list)`.
const LISTS: [(&str, &str, ListTarget); 8] = [
    ("services", "service", |e| &mut e.services),
    ("upstreams", "upstream", |e| &mut e.upstreams),
    ("consumer_groups", "consumer_group", |e| {
        &mut e.consumer_groups
    }),
    ("ssls", "ssl", |e| &mut e.ssls),
    ("global_rules", "global_rule", |e| &mut e.global_rules),
    ("plugin_configs", "plugin_config", |e| &mut e.plugin_configs),
    ("plugin_metadata", "plugin_metadata", |e| {
        &mut e.plugin_metadata
    }),
    ("stream_routes", "stream_route", |e| &mut e.stream_routes),
];

/// A standalone route with its links (read from its body `item`, which `new` then
/// makes its resource).
fn route(item: Value, new: impl FnOnce(Value) -> Resource) -> Route {
    let one_or_many = |one: &str, many: &str| {
        let mut values = strings(item.get(many));
        if let Some(single) = item.get(one).and_then(Value::as_str) {
            values.insert(0, single.to_owned());
        }
        values
    };
    Route {
        service_id: item.get("service_id").and_then(id_string).map(Into::into),
        upstream_id: item.get("upstream_id").and_then(id_string).map(Into::into),
        plugin_config_id: item
            .get("plugin_config_id")
            .and_then(id_string)
            .map(Into::into),
        paths: one_or_many("uri", "uris").into(),
        path_prefix_len: 0,
        hosts: one_or_many("host", "hosts").into(),
        methods: strings(item.get("methods")).into(),
        effective_plugins: Vec::new(),
        resource: new(item),
    }
}

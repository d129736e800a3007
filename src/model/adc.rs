//! Adding an ADC declarative file to the model.
//!
//! ADC nests routes, stream routes and upstreams in services and credentials in
//! consumers; here they become flat model resources with ADC's derived ids
//! (`sha1(name)`, `sha1("<service>.<route>")`, the service id for an inline
//! upstream, `sha1(snis joined by ",")`, ...) and links to their parents.

use super::compact::Builder;
use super::effective::locate_own;
use super::{origin_at, sha1_id, Environment, Resource, Route};
use crate::format::Format;
use crate::load::document::{item_pointer, join_pointer};
use crate::load::span_tree::NodeRef;
use crate::load::Document;
use crate::source::Source;
use crate::value::{id_string, remove_entries, remove_items, strings, text};
use serde_json::{Map, Value};

/// Add every resource of one ADC file. `root` is the file's value, taken apart
/// piece by piece; each piece's body goes to `builder`; `document` locates them.
pub fn add_file(
    env: &mut Environment,
    builder: &mut Builder,
    source: &Source,
    document: &Document,
    mut root: Value,
) {
    let mut new = |kind: &'static str,
                   (pointer, node): (String, Option<NodeRef<'_>>),
                   id: String,
                   name: Option<String>,
                   body: Value| Resource {
        kind,
        id,
        name,
        body: builder.body(&body),
        origin: origin_at(source, document, node, pointer),
        format: Format::Adc,
    };
    let services = document.spans.root().child("services");
    for (i, service) in remove_items(&mut root, "services") {
        let node = services.and_then(|list| list.item(i));
        add_service(env, &mut new, document, (i, node), service);
    }
    for (i, ssl) in remove_items(&mut root, "ssls") {
        let mut snis = strings(ssl.get("snis"));
        let explicit = ssl.get("id").and_then(id_string);
        let id = explicit.unwrap_or_else(|| sha1_id(&snis.join(",")));
        snis.sort();
        env.ssls.push(new(
            "ssl",
            (item_pointer("", "ssls", i), None),
            id,
            Some(snis.join(",")),
            ssl,
        ));
    }
    for (i, consumer) in remove_items(&mut root, "consumers") {
        add_consumer(env, &mut new, i, consumer);
    }
    for (i, group) in remove_items(&mut root, "consumer_groups") {
        let name = text(&group, "name");
        let id = group
            .get("id")
            .and_then(id_string)
            .or_else(|| name.clone())
            .unwrap_or_default();
        env.consumer_groups.push(new(
            "consumer_group",
            (item_pointer("", "consumer_groups", i), None),
            id,
            name,
            group,
        ));
    }
    for (plugin, config) in remove_entries(&mut root, "global_rules") {
        let pointer = crate::load::document::join_pointer("/global_rules", &plugin);
        let mut plugins = Map::new();
        plugins.insert(plugin.clone(), config);
        let body = serde_json::json!({ "id": plugin, "plugins": plugins });
        env.global_rules.push(new(
            "global_rule",
            (pointer, None),
            plugin.clone(),
            Some(plugin.clone()),
            body,
        ));
    }
    for (plugin, config) in remove_entries(&mut root, "plugin_metadata") {
        let pointer = crate::load::document::join_pointer("/plugin_metadata", &plugin);
        env.plugin_metadata.push(new(
            "plugin_metadata",
            (pointer, None),
            plugin.clone(),
            Some(plugin),
            config,
        ));
    }
}

/// Where a resource is written: its pointer, and its node when the walk found it.
type Place<'d> = (String, Option<NodeRef<'d>>);

type NewResource<'a, 'd> =
    dyn FnMut(&'static str, Place<'d>, String, Option<String>, Value) -> Resource + 'a;

/// Add a service and its children; the children are moved out of `service`, and
/// what remains is the service's own body.
fn add_service<'d>(
    env: &mut Environment,
    new: &mut NewResource<'_, 'd>,
    document: &'d Document,
    (index, node): (usize, Option<NodeRef<'d>>),
    mut service: Value,
) {
    let base = item_pointer("", "services", index);
    let list = |name: &str| node.and_then(|service| service.child(name));
    let (upstreams, routes) = (list("upstreams"), list("routes"));
    let name = text(&service, "name").unwrap_or_default();
    let id = service
        .get("id")
        .and_then(id_string)
        .unwrap_or_else(|| sha1_id(&name));
    let upstream_id = service
        .as_object_mut()
        .and_then(|map| map.shift_remove("upstream"))
        .filter(Value::is_object)
        .map(|upstream| {
            env.upstreams.push(new(
                "upstream",
                (format!("{base}/upstream"), None),
                id.clone(),
                text(&upstream, "name"),
                upstream,
            ));
            id.clone()
        });
    for (j, upstream) in remove_items(&mut service, "upstreams") {
        let upstream_name = text(&upstream, "name").unwrap_or_default();
        let upstream_key = upstream
            .get("id")
            .and_then(id_string)
            .unwrap_or_else(|| sha1_id(&[name.as_str(), ".", &upstream_name].concat()));
        env.upstreams.push(new(
            "upstream",
            (
                item_pointer(&base, "upstreams", j),
                upstreams.and_then(|list| list.item(j)),
            ),
            upstream_key,
            Some(upstream_name),
            upstream,
        ));
    }
    let prefix = text(&service, "path_prefix").unwrap_or_default();
    let service_hosts = strings(service.get("hosts"));
    // Every route of the service holds the same ids.
    let shared_id: std::sync::Arc<str> = id.as_str().into();
    let shared_upstream: Option<std::sync::Arc<str>> = upstream_id.as_deref().map(Into::into);
    for (j, route) in remove_items(&mut service, "routes") {
        let route_name = text(&route, "name").unwrap_or_default();
        let route_id = route
            .get("id")
            .and_then(id_string)
            .unwrap_or_else(|| sha1_id(&[name.as_str(), ".", &route_name].concat()));
        let hosts = match strings(route.get("hosts")) {
            own if !own.is_empty() => own,
            _ => service_hosts.clone(),
        };
        let paths = strings(route.get("uris"))
            .into_iter()
            .map(|u| [prefix.as_str(), &u].concat())
            .collect();
        let methods = strings(route.get("methods"));
        let (pointer, node) = (
            item_pointer(&base, "routes", j),
            routes.and_then(|list| list.item(j)),
        );
        let own_plugins = match (node, route.get("plugins").and_then(Value::as_object)) {
            (Some(_), Some(plugins)) => {
                let at = |name: &str| {
                    let plugin = join_pointer(&(pointer.clone() + "/plugins"), name);
                    document.locate(&plugin).span.start
                };
                locate_own(node, plugins.keys().map(String::as_str), at)
            }
            _ => Vec::new(),
        };
        env.routes.push(Box::new(Route {
            resource: new("route", (pointer, node), route_id, Some(route_name), route),
            service_id: Some(shared_id.clone()),
            upstream_id: shared_upstream.clone(),
            plugin_config_id: None,
            paths,
            path_prefix_len: u32::try_from(prefix.len()).unwrap_or(u32::MAX),
            hosts: hosts.into(),
            methods: methods.into(),
            effective_plugins: own_plugins,
        }));
    }
    for (j, stream) in remove_items(&mut service, "stream_routes") {
        let stream_name = text(&stream, "name").unwrap_or_default();
        let stream_id = stream
            .get("id")
            .and_then(id_string)
            .unwrap_or_else(|| sha1_id(&[name.as_str(), ".", &stream_name].concat()));
        env.stream_routes.push(new(
            "stream_route",
            (item_pointer(&base, "stream_routes", j), None),
            stream_id,
            Some(stream_name),
            stream,
        ));
    }
    env.services
        .push(new("service", (base, node), id, Some(name), service));
}

/// Add a consumer and its credentials (moved out of `consumer`).
fn add_consumer(
    env: &mut Environment,
    new: &mut NewResource<'_, '_>,
    index: usize,
    mut consumer: Value,
) {
    let base = item_pointer("", "consumers", index);
    let username = text(&consumer, "username").unwrap_or_default();
    for (j, mut credential) in remove_items(&mut consumer, "credentials") {
        let name = text(&credential, "name").unwrap_or_default();
        let id = credential
            .get("id")
            .and_then(id_string)
            .unwrap_or_else(|| sha1_id(&format!("{username}.{name}")));
        if let Value::Object(object) = &mut credential {
            object.insert("consumer".into(), Value::String(username.clone()));
        }
        env.credentials.push(new(
            "credential",
            (item_pointer(&base, "credentials", j), None),
            id,
            Some(name),
            credential,
        ));
    }
    env.consumers.push(new(
        "consumer",
        (base, None),
        username.clone(),
        Some(username),
        consumer,
    ));
}

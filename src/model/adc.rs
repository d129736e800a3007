//! Adding an ADC declarative file to the model.
//!
//! ADC nests routes, stream routes and upstreams in services and credentials in
//! consumers; here they become flat model resources with ADC's derived ids
//! (`sha1(name)`, `sha1("<service>.<route>")`, the service id for an inline
//! upstream, `sha1(snis joined by ",")`, ...) and links to their parents.

use super::{origin, sha1_id, Environment, Resource, Route};
use crate::format::Format;
use crate::load::Document;
use crate::source::Source;
use crate::value::{entries, id_string, items, strings, text, without};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Keys of a service that hold children rather than service settings.
const SERVICE_CHILDREN: &[&str] = &["routes", "stream_routes", "upstream", "upstreams"];

/// Add every resource of one ADC file.
pub fn add_file(env: &mut Environment, source: &Source, document: &Document) {
    let root = &document.value;
    let new =
        |kind: &'static str, pointer: String, id: String, name: Option<String>, body: Value| {
            Resource {
                kind,
                id,
                name,
                body,
                origin: origin(source, document, pointer),
                format: Format::Adc,
            }
        };
    for (i, service) in items(root.get("services")) {
        add_service(env, &new, i, service);
    }
    for (i, ssl) in items(root.get("ssls")) {
        let mut snis = strings(ssl.get("snis"));
        let explicit = ssl.get("id").and_then(id_string);
        let id = explicit.unwrap_or_else(|| sha1_id(&snis.join(",")));
        snis.sort();
        env.ssls.push(new(
            "ssl",
            format!("/ssls/{i}"),
            id,
            Some(snis.join(",")),
            ssl.clone(),
        ));
    }
    for (i, consumer) in items(root.get("consumers")) {
        add_consumer(env, &new, i, consumer);
    }
    for (i, group) in items(root.get("consumer_groups")) {
        let name = text(group, "name");
        let id = group
            .get("id")
            .and_then(id_string)
            .or_else(|| name.clone())
            .unwrap_or_default();
        env.consumer_groups.push(new(
            "consumer_group",
            format!("/consumer_groups/{i}"),
            id,
            name,
            group.clone(),
        ));
    }
    for (plugin, config) in entries(root.get("global_rules")) {
        let pointer = crate::load::document::join_pointer("/global_rules", plugin);
        let mut plugins = Map::new();
        plugins.insert(plugin.clone(), config.clone());
        let body = serde_json::json!({ "id": plugin, "plugins": plugins });
        env.global_rules.push(new(
            "global_rule",
            pointer,
            plugin.clone(),
            Some(plugin.clone()),
            body,
        ));
    }
    for (plugin, config) in entries(root.get("plugin_metadata")) {
        let pointer = crate::load::document::join_pointer("/plugin_metadata", plugin);
        env.plugin_metadata.push(new(
            "plugin_metadata",
            pointer,
            plugin.clone(),
            Some(plugin.clone()),
            config.clone(),
        ));
    }
}

type NewResource<'a> = dyn Fn(&'static str, String, String, Option<String>, Value) -> Resource + 'a;

fn add_service(env: &mut Environment, new: &NewResource<'_>, index: usize, service: &Value) {
    let base = format!("/services/{index}");
    let name = text(service, "name").unwrap_or_default();
    let id = service
        .get("id")
        .and_then(id_string)
        .unwrap_or_else(|| sha1_id(&name));
    let upstream_id = service
        .get("upstream")
        .filter(|u| u.is_object())
        .map(|upstream| {
            env.upstreams.push(new(
                "upstream",
                format!("{base}/upstream"),
                id.clone(),
                text(upstream, "name"),
                upstream.clone(),
            ));
            id.clone()
        });
    for (j, upstream) in items(service.get("upstreams")) {
        let upstream_name = text(upstream, "name").unwrap_or_default();
        let upstream_key = upstream
            .get("id")
            .and_then(id_string)
            .unwrap_or_else(|| sha1_id(&format!("{name}.{upstream_name}")));
        env.upstreams.push(new(
            "upstream",
            format!("{base}/upstreams/{j}"),
            upstream_key,
            Some(upstream_name),
            upstream.clone(),
        ));
    }
    let prefix = text(service, "path_prefix").unwrap_or_default();
    let service_hosts = strings(service.get("hosts"));
    for (j, route) in items(service.get("routes")) {
        let route_name = text(route, "name").unwrap_or_default();
        let route_id = route
            .get("id")
            .and_then(id_string)
            .unwrap_or_else(|| sha1_id(&format!("{name}.{route_name}")));
        let hosts = match strings(route.get("hosts")) {
            own if !own.is_empty() => own,
            _ => service_hosts.clone(),
        };
        env.routes.push(Route {
            resource: new(
                "route",
                format!("{base}/routes/{j}"),
                route_id,
                Some(route_name),
                route.clone(),
            ),
            service_id: Some(id.clone()),
            upstream_id: upstream_id.clone(),
            plugin_config_id: None,
            paths: strings(route.get("uris"))
                .into_iter()
                .map(|u| format!("{prefix}{u}"))
                .collect(),
            hosts,
            methods: strings(route.get("methods")),
            effective_plugins: BTreeMap::new(),
        });
    }
    for (j, stream) in items(service.get("stream_routes")) {
        let stream_name = text(stream, "name").unwrap_or_default();
        let stream_id = stream
            .get("id")
            .and_then(id_string)
            .unwrap_or_else(|| sha1_id(&format!("{name}.{stream_name}")));
        env.stream_routes.push(new(
            "stream_route",
            format!("{base}/stream_routes/{j}"),
            stream_id,
            Some(stream_name),
            stream.clone(),
        ));
    }
    let body = without(service, SERVICE_CHILDREN);
    env.services
        .push(new("service", base, id, Some(name), body));
}

fn add_consumer(env: &mut Environment, new: &NewResource<'_>, index: usize, consumer: &Value) {
    let base = format!("/consumers/{index}");
    let username = text(consumer, "username").unwrap_or_default();
    for (j, credential) in items(consumer.get("credentials")) {
        let name = text(credential, "name").unwrap_or_default();
        let id = credential
            .get("id")
            .and_then(id_string)
            .unwrap_or_else(|| sha1_id(&format!("{username}.{name}")));
        let mut body = credential.clone();
        if let Value::Object(object) = &mut body {
            object.insert("consumer".into(), Value::String(username.clone()));
        }
        env.credentials.push(new(
            "credential",
            format!("{base}/credentials/{j}"),
            id,
            Some(name),
            body,
        ));
    }
    let body = without(consumer, &["credentials"]);
    env.consumers.push(new(
        "consumer",
        base,
        username.clone(),
        Some(username),
        body,
    ));
}

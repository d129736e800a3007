//! Rendering an environment into the one document a sync engine takes.
//!
//! - ADC bundle: the environment's ADC files merged as `adc -f a -f b` merges them
//!   (lists concatenated, `global_rules` and `plugin_metadata` maps joined), sorted
//!   (resources by name, keys alphabetically) so the same input gives the same bytes.
//! - APISIX standalone `apisix.yaml`: ADC resources mapped to APISIX objects the way
//!   ADC's standalone backend maps them (service → service + upstream with the
//!   service id, routes with `service_id` and `status: 1`, credentials as consumer
//!   entries `<username>/credentials/<id>`, global rules and plugin metadata with the
//!   plugin name as id, label arrays as JSON strings), ending with `#END`.

use super::yaml_out::to_yaml;
use crate::model::sha1_id;
use crate::value::{entries, id_string, items, text};
use serde_json::{json, Map, Value};

/// ADC's top-level list keys.
const ADC_LISTS: &[&str] = &["services", "ssls", "consumers", "consumer_groups"];
/// ADC's top-level map keys.
const ADC_MAPS: &[&str] = &["global_rules", "plugin_metadata"];

/// Merge ADC documents into one bundle (sorted, keys in canonical order).
#[must_use]
pub fn adc_bundle(documents: &[&Value]) -> Value {
    let mut bundle = Map::new();
    for key in ADC_LISTS {
        let mut list: Vec<Value> = documents
            .iter()
            .flat_map(|d| {
                d.get(*key)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            })
            .collect();
        list.sort_by_key(adc_sort_key);
        for item in &mut list {
            sort_children(item);
        }
        if !list.is_empty() {
            bundle.insert((*key).to_owned(), Value::Array(list));
        }
    }
    for key in ADC_MAPS {
        let mut map = Map::new();
        for document in documents {
            for (name, config) in document
                .get(*key)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                map.insert(name.clone(), config.clone());
            }
        }
        if !map.is_empty() {
            bundle.insert((*key).to_owned(), Value::Object(map));
        }
    }
    canonical(Value::Object(bundle))
}

/// Sort key of an ADC list item: name, username, or joined SNIs.
fn adc_sort_key(item: &Value) -> String {
    text(item, "name")
        .or_else(|| text(item, "username"))
        .or_else(|| {
            item.get("snis").and_then(Value::as_array).map(|s| {
                s.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(",")
            })
        })
        .unwrap_or_default()
}

/// Sort the nested lists of a service or consumer by name.
fn sort_children(item: &mut Value) {
    for key in ["routes", "stream_routes", "upstreams", "credentials"] {
        if let Some(Value::Array(list)) = item.get_mut(key) {
            list.sort_by_key(adc_sort_key);
        }
    }
}

/// A copy with every object's keys in alphabetical order.
#[must_use]
pub fn canonical(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, canonical(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        other => other,
    }
}

/// The YAML text of an ADC bundle.
#[must_use]
pub fn adc_text(bundle: &Value) -> String {
    to_yaml(bundle)
}

/// The text of a standalone file: YAML ending with the `#END` marker APISIX requires.
#[must_use]
pub fn standalone_text(document: &Value) -> String {
    let mut text = to_yaml(document);
    text.push_str("#END\n");
    text
}

/// Merge standalone documents (lists concatenated, items sorted by id).
#[must_use]
pub fn standalone_merge(documents: &[&Value]) -> Value {
    let mut merged: Map<String, Value> = Map::new();
    for document in documents {
        for (key, value) in document.as_object().into_iter().flatten() {
            match (merged.get_mut(key), value) {
                (Some(Value::Array(list)), Value::Array(more)) => list.extend(more.iter().cloned()),
                _ => {
                    merged.insert(key.clone(), value.clone());
                }
            }
        }
    }
    for list in merged.values_mut() {
        if let Value::Array(items) = list {
            items.sort_by_key(|i| {
                i.get("id")
                    .and_then(id_string)
                    .or_else(|| text(i, "username"))
                    .unwrap_or_default()
            });
        }
    }
    canonical(Value::Object(merged))
}

/// Map an ADC bundle to an APISIX standalone document.
#[must_use]
pub fn standalone_from_adc(bundle: &Value) -> Value {
    let mut out = Standalone::default();
    for (_, service) in items(bundle.get("services")) {
        out.service(service);
    }
    for (_, consumer) in items(bundle.get("consumers")) {
        out.consumer(consumer);
    }
    for (_, ssl) in items(bundle.get("ssls")) {
        out.ssl(ssl);
    }
    for (plugin, config) in entries(bundle.get("global_rules")) {
        out.global_rules
            .push(json!({"id": plugin, "plugins": {plugin: config}}));
    }
    for (plugin, config) in entries(bundle.get("plugin_metadata")) {
        let mut item = config.as_object().cloned().unwrap_or_default();
        item.insert("id".into(), json!(plugin));
        out.plugin_metadata.push(Value::Object(item));
    }
    out.into_document()
}

/// The lists of a standalone document under construction.
#[derive(Default)]
struct Standalone {
    routes: Vec<Value>,
    services: Vec<Value>,
    upstreams: Vec<Value>,
    stream_routes: Vec<Value>,
    consumers: Vec<Value>,
    ssls: Vec<Value>,
    global_rules: Vec<Value>,
    plugin_metadata: Vec<Value>,
}

impl Standalone {
    fn service(&mut self, service: &Value) {
        let name = text(service, "name").unwrap_or_default();
        let id = service
            .get("id")
            .and_then(id_string)
            .unwrap_or_else(|| sha1_id(&name));
        let mut out = common(service, &id);
        copy(service, &mut out, &["plugins", "hosts", "enable_websocket"]);
        if let Some(upstream) = service.get("upstream").filter(|u| u.is_object()) {
            self.upstreams.push(upstream_object(upstream, &id, None));
            out.insert("upstream_id".into(), json!(id));
        }
        for (_, upstream) in items(service.get("upstreams")) {
            let upstream_name = text(upstream, "name").unwrap_or_default();
            let upstream_id = upstream
                .get("id")
                .and_then(id_string)
                .unwrap_or_else(|| sha1_id(&format!("{name}.{upstream_name}")));
            self.upstreams
                .push(upstream_object(upstream, &upstream_id, Some(&id)));
        }
        // ADC's apisix-standalone backend (v0.28 operator.ts) writes a route's `uris` as
        // they are: `path_prefix` and `strip_path_prefix` only mean something to the
        // api7ee backend (gwlint check warns, compat/backend-ignores-field).
        for (_, route) in items(service.get("routes")) {
            self.routes.push(route_object(route, &name, &id));
        }
        for (_, stream) in items(service.get("stream_routes")) {
            let stream_name = text(stream, "name").unwrap_or_default();
            let stream_id = stream
                .get("id")
                .and_then(id_string)
                .unwrap_or_else(|| sha1_id(&format!("{name}.{stream_name}")));
            let mut object = common(stream, &stream_id);
            copy(
                stream,
                &mut object,
                &[
                    "plugins",
                    "remote_addr",
                    "server_addr",
                    "server_port",
                    "sni",
                ],
            );
            object.insert("service_id".into(), json!(id));
            self.stream_routes.push(Value::Object(object));
        }
        self.services.push(Value::Object(out));
    }

    fn consumer(&mut self, consumer: &Value) {
        let username = text(consumer, "username").unwrap_or_default();
        let mut out = Map::new();
        out.insert("username".into(), json!(username));
        copy_renamed(consumer, &mut out, "description", "desc");
        copy_labels(consumer, &mut out);
        copy(consumer, &mut out, &["plugins"]);
        self.consumers.push(Value::Object(out));
        for (_, credential) in items(consumer.get("credentials")) {
            let name = text(credential, "name").unwrap_or_default();
            let id = credential
                .get("id")
                .and_then(id_string)
                .unwrap_or_else(|| sha1_id(&format!("{username}.{name}")));
            let mut entry = Map::new();
            entry.insert("id".into(), json!(format!("{username}/credentials/{id}")));
            entry.insert("name".into(), json!(name));
            copy_renamed(credential, &mut entry, "description", "desc");
            copy_labels(credential, &mut entry);
            if let (Some(kind), Some(config)) = (text(credential, "type"), credential.get("config"))
            {
                entry.insert("plugins".into(), json!({ kind: config }));
            }
            self.consumers.push(Value::Object(entry));
        }
    }

    fn ssl(&mut self, ssl: &Value) {
        let snis: Vec<String> = crate::value::strings(ssl.get("snis"));
        let id = ssl
            .get("id")
            .and_then(id_string)
            .unwrap_or_else(|| sha1_id(&snis.join(",")));
        let mut out = Map::new();
        out.insert("id".into(), json!(id));
        copy_labels(ssl, &mut out);
        copy(ssl, &mut out, &["type", "snis", "client", "ssl_protocols"]);
        let pairs: Vec<&Value> = ssl
            .get("certificates")
            .and_then(Value::as_array)
            .map(|c| c.iter().collect())
            .unwrap_or_default();
        if let Some((first, rest)) = pairs.split_first() {
            out.insert(
                "cert".into(),
                first.get("certificate").cloned().unwrap_or(Value::Null),
            );
            out.insert(
                "key".into(),
                first.get("key").cloned().unwrap_or(Value::Null),
            );
            if !rest.is_empty() {
                out.insert(
                    "certs".into(),
                    rest.iter()
                        .map(|p| p.get("certificate").cloned().unwrap_or(Value::Null))
                        .collect(),
                );
                out.insert(
                    "keys".into(),
                    rest.iter()
                        .map(|p| p.get("key").cloned().unwrap_or(Value::Null))
                        .collect(),
                );
            }
        }
        self.ssls.push(Value::Object(out));
    }

    fn into_document(self) -> Value {
        let mut document = Map::new();
        let lists = [
            ("consumers", self.consumers),
            ("global_rules", self.global_rules),
            ("plugin_metadata", self.plugin_metadata),
            ("routes", self.routes),
            ("services", self.services),
            ("ssls", self.ssls),
            ("stream_routes", self.stream_routes),
            ("upstreams", self.upstreams),
        ];
        for (key, mut list) in lists {
            if list.is_empty() {
                continue;
            }
            list.sort_by_key(|i| {
                i.get("id")
                    .and_then(id_string)
                    .or_else(|| text(i, "username"))
                    .unwrap_or_default()
            });
            document.insert(key.to_owned(), Value::Array(list));
        }
        canonical(Value::Object(document))
    }
}

/// `id`, `name`, `desc` and string labels of a resource.
fn common(source: &Value, id: &str) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("id".into(), json!(id));
    copy(source, &mut out, &["name"]);
    copy_renamed(source, &mut out, "description", "desc");
    copy_labels(source, &mut out);
    out
}

fn copy(source: &Value, out: &mut Map<String, Value>, keys: &[&str]) {
    for key in keys {
        if let Some(value) = source.get(*key) {
            out.insert((*key).to_owned(), value.clone());
        }
    }
}

fn copy_renamed(source: &Value, out: &mut Map<String, Value>, from: &str, to: &str) {
    if let Some(value) = source.get(from) {
        out.insert(to.to_owned(), value.clone());
    }
}

/// Labels with array values written as JSON strings, as APISIX wants strings.
fn copy_labels(source: &Value, out: &mut Map<String, Value>) {
    let Some(labels) = source.get("labels").and_then(Value::as_object) else {
        return;
    };
    let converted: Map<String, Value> = labels
        .iter()
        .map(|(k, v)| match v {
            Value::Array(_) => (k.clone(), Value::String(v.to_string())),
            other => (k.clone(), other.clone()),
        })
        .collect();
    out.insert("labels".into(), Value::Object(converted));
}

/// An APISIX upstream from an ADC one (`service_id` labels named upstreams).
fn upstream_object(upstream: &Value, id: &str, service_id: Option<&str>) -> Value {
    let mut out = common(upstream, id);
    copy(
        upstream,
        &mut out,
        &[
            "type",
            "hash_on",
            "key",
            "nodes",
            "scheme",
            "retries",
            "retry_timeout",
            "timeout",
            "tls",
            "keepalive_pool",
            "pass_host",
            "upstream_host",
            "service_name",
            "discovery_type",
            "discovery_args",
            "checks",
        ],
    );
    if let Some(service) = service_id {
        let labels = out
            .entry("labels")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(labels) = labels {
            labels.insert("__ADC_UPSTREAM_SERVICE_ID".into(), json!(service));
        }
    }
    Value::Object(out)
}

/// An APISIX route from an ADC route of service `service`, as ADC's
/// apisix-standalone backend writes it (`uris` as written).
fn route_object(route: &Value, service: &str, service_id: &str) -> Value {
    let name = text(route, "name").unwrap_or_default();
    let id = route
        .get("id")
        .and_then(id_string)
        .unwrap_or_else(|| sha1_id(&format!("{service}.{name}")));
    let mut out = common(route, &id);
    copy(
        route,
        &mut out,
        &[
            "hosts",
            "methods",
            "priority",
            "timeout",
            "vars",
            "enable_websocket",
            "remote_addrs",
            "plugins",
            "filter_func",
            "uris",
        ],
    );
    out.insert("service_id".into(), json!(service_id));
    out.insert("status".into(), json!(1));
    Value::Object(out)
}

/// The bundle as `adc sync` must receive it after gwlint resolved its placeholders:
/// ADC substitutes `${NAME}` in every string value again (and turns `\${NAME}` into a
/// literal `${NAME}`), so each `${NAME}` left in a value, written as an escaped
/// placeholder in the source or brought in by a resolved value, is escaped once
/// more. ADC's one pass then leaves every value as gwlint resolved it, as a direct
/// `adc sync` of the source files would.
#[must_use]
pub fn escape_for_adc(value: &Value) -> Value {
    match value {
        Value::String(text) => Value::String(escape_placeholders(text)),
        Value::Array(items) => Value::Array(items.iter().map(escape_for_adc).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), escape_for_adc(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `${NAME}` (NAME of ASCII letters, digits and `_`, as ADC's `\w+`) → `\${NAME}`.
fn escape_placeholders(text: &str) -> String {
    if !text.contains("${") {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let name_len = after
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if name_len > 0 && after.as_bytes().get(name_len) == Some(&b'}') {
            out.push('\\');
        }
        out.push_str("${");
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {

    /// ADC's substitution of one string value (`recursiveReplaceEnvVars` in
    /// apps/cli/src/command/utils.ts of api7/adc): `\${NAME}` is kept as a literal
    /// `${NAME}`, every other `${NAME}` becomes the variable's value or nothing.
    fn adc_substitute(text: &str, env: &[(&str, &str)]) -> String {
        let marker = "\u{0}ESC\u{0}";
        let placeholder = regex::Regex::new(r"\$\{(\w+)\}").unwrap();
        let escaped = regex::Regex::new(r"\\\$\{(\w+)\}").unwrap();
        let hidden = escaped.replace_all(text, format!("{marker}$1{marker}").as_str());
        let replaced = placeholder.replace_all(&hidden, |c: &regex::Captures<'_>| {
            env.iter()
                .find(|(k, _)| *k == &c[1])
                .map_or(String::new(), |(_, v)| (*v).to_owned())
        });
        let restore = regex::Regex::new(&format!("{marker}(\\w+){marker}")).unwrap();
        restore.replace_all(&replaced, "$${$1}").into_owned()
    }

    #[test]
    fn adc_leaves_escaped_values_as_gwlint_resolved_them() {
        let env = [("HOME", "/root"), ("TENANT", "acme")];
        for resolved in [
            "v1-${HOME}",
            "${TENANT}",
            "plain",
            "a ${ not a placeholder",
            "${}",
            "\\${TENANT}",
            "${A}${B}-${C_1}",
            "$${TENANT}}",
        ] {
            let escaped = escape_placeholders(resolved);
            assert_eq!(
                adc_substitute(&escaped, &env),
                resolved,
                "{resolved:?} -> {escaped:?}"
            );
        }
        // Without the escape, ADC would substitute again.
        assert_eq!(adc_substitute("v1-${HOME}", &env), "v1-/root");
    }
    use super::*;

    #[test]
    fn maps_an_adc_service_to_standalone_objects() {
        let bundle = json!({
            "services": [{
                "name": "orders", "description": "d", "labels": {"team": ["a", "b"]},
                "path_prefix": "/api",
                "upstream": {"nodes": [{"host": "h", "port": 80, "weight": 1}]},
                "routes": [{"name": "list", "uris": ["/orders"], "methods": ["GET"]}]
            }],
            "consumers": [{"username": "alice", "credentials": [{"name": "k", "type": "key-auth", "config": {"key": "x"}}]}],
            "global_rules": {"prometheus": {}}
        });
        let out = standalone_from_adc(&bundle);
        let service_id = sha1_id("orders");
        assert_eq!(out["services"][0]["id"], json!(service_id));
        assert_eq!(out["services"][0]["upstream_id"], json!(service_id));
        assert_eq!(out["services"][0]["desc"], "d");
        assert_eq!(out["services"][0]["labels"]["team"], "[\"a\",\"b\"]");
        assert_eq!(out["upstreams"][0]["id"], json!(service_id));
        assert_eq!(out["routes"][0]["id"], json!(sha1_id("orders.list")));
        // As ADC's apisix-standalone backend: `path_prefix` is not applied.
        assert_eq!(out["routes"][0]["uris"], json!(["/orders"]));
        assert_eq!(out["routes"][0]["service_id"], json!(service_id));
        assert_eq!(out["routes"][0]["status"], 1);
        let credential_id = format!("alice/credentials/{}", sha1_id("alice.k"));
        assert!(out["consumers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == json!(credential_id)));
        assert_eq!(
            out["global_rules"][0],
            json!({"id": "prometheus", "plugins": {"prometheus": {}}})
        );
        assert!(standalone_text(&out).ends_with("#END\n"));
    }

    #[test]
    fn bundle_is_sorted_and_merged() {
        let a = json!({"services": [{"name": "b"}], "global_rules": {"x": {}}});
        let b = json!({"services": [{"name": "a"}], "global_rules": {"w": {}}});
        let bundle = adc_bundle(&[&a, &b]);
        assert_eq!(bundle["services"], json!([{"name": "a"}, {"name": "b"}]));
        assert_eq!(
            bundle["global_rules"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["w", "x"]
        );
        assert_eq!(adc_text(&bundle), adc_text(&adc_bundle(&[&a, &b])));
    }
}

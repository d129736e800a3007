//! The input document a policy sees, built directly as a regorus value.
//!
//! Owns the shape documented in `policies/README.md` (what `gwlint inspect` prints):
//! `environment`, `params`, `files` and one list per resource kind, each object with
//! `kind`, `id`, `name`, `config`, `origin` and `format`, routes with their links,
//! paths, hosts, methods and `effective_plugins`. The value is built once per
//! environment without an intermediate JSON tree. An effective plugin that many routes
//! inherit (from a service or a global rule) is one shared value whose `config` is the
//! carrier's own converted configuration, and repeated object keys and file names
//! share one string, so the input grows with what is written, not with routes times
//! inherited plugins.

use crate::model::{
    EffectivePlugin, EffectiveView, Environment, JsonRef, Kind, Origin, Resource, Route,
};
use regorus::Value;
use std::collections::{BTreeMap, HashMap};

/// Build the input document of an environment.
#[must_use]
pub fn build(env: &Environment, params: &serde_json::Map<String, serde_json::Value>) -> Value {
    let mut builder = Builder::default();
    let mut document = BTreeMap::new();
    document.insert(builder.text("environment"), Value::from(env.name.as_str()));
    let params = crate::model::Body::from_value(&serde_json::Value::Object(params.clone()))
        .map_or(Value::Undefined, |params| builder.json(params.json()));
    document.insert(builder.text("params"), params);
    let files = env
        .files
        .iter()
        .map(|f| builder.text(f))
        .collect::<Vec<Value>>();
    document.insert(builder.text("files"), Value::from(files));
    // Services, plugin configs and global rules come before the routes, which share
    // their converted plugins and hosts.
    let lists = [
        ("services", &env.services),
        ("plugin_configs", &env.plugin_configs),
        ("global_rules", &env.global_rules),
        ("stream_routes", &env.stream_routes),
        ("upstreams", &env.upstreams),
        ("consumers", &env.consumers),
        ("credentials", &env.credentials),
        ("consumer_groups", &env.consumer_groups),
        ("ssls", &env.ssls),
        ("plugin_metadata", &env.plugin_metadata),
    ];
    for (list, resources) in lists {
        let items = resources
            .iter()
            .map(|r| builder.object(r))
            .collect::<Vec<Value>>();
        document.insert(builder.text(list), Value::from(items));
    }
    let routes = env
        .routes
        .iter()
        .map(|r| builder.route(r))
        .collect::<Vec<Value>>();
    document.insert(builder.text("routes"), Value::from(routes));
    Value::from(document)
}

/// Conversion state: shared strings, converted carriers and effective plugins.
#[derive(Default)]
struct Builder {
    /// Object keys, file names and ids, one string each.
    strings: HashMap<String, Value>,
    /// The converted configuration of each plugin of services, plugin configs and
    /// global rules, by where it is written (the file's source and the pointer):
    /// the effective plugins that routes inherit share it. (Not by id: an ADC
    /// service defined twice has two copies with one id.)
    carried: HashMap<(usize, String), Value>,
    /// Effective plugins already built, by the model's shared plugin.
    plugins: HashMap<*const EffectivePlugin, Value>,
    /// The converted `config.hosts` of services, by id (routes without their own
    /// hosts share their service's).
    service_hosts: HashMap<String, Value>,
}

impl Builder {
    /// A shared string.
    fn text(&mut self, text: &str) -> Value {
        if let Some(value) = self.strings.get(text) {
            return value.clone();
        }
        let value = Value::from(text);
        self.strings.insert(text.to_owned(), value.clone());
        value
    }

    /// A JSON value as a regorus value (object keys shared).
    fn json(&mut self, value: JsonRef<'_>) -> Value {
        match value.kind() {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::from(b),
            Kind::Number(n) => number(n),
            Kind::String(s) => Value::from(s),
            Kind::Array(items) => {
                Value::from(items.iter().map(|i| self.json(i)).collect::<Vec<_>>())
            }
            Kind::Object(map) => Value::from(
                map.iter()
                    .map(|(k, v)| (self.text(k), self.json(v)))
                    .collect::<BTreeMap<_, _>>(),
            ),
        }
    }

    /// A model object other than a route. The converted plugins of services, plugin
    /// configs and global rules, and the hosts of services, are remembered for the
    /// routes that inherit them.
    fn object(&mut self, resource: &Resource) -> Value {
        let config = self.json(resource.body.json());
        if resource.kind == "service" && config["hosts"] != Value::Undefined {
            self.service_hosts
                .insert(resource.id.clone(), config["hosts"].clone());
        }
        let carrier = matches!(resource.kind, "service" | "plugin_config" | "global_rule");
        if let (true, Value::Object(plugins)) = (carrier, &config["plugins"]) {
            let source = source_address(&resource.origin);
            for (name, plugin) in plugins.iter() {
                if let Value::String(name) = name {
                    let pointer = resource.plugin_pointer(name);
                    self.carried.insert((source, pointer), plugin.clone());
                }
            }
        }
        Value::from(self.resource(resource, config))
    }

    /// The fields every model object has.
    fn resource(&mut self, resource: &Resource, config: Value) -> BTreeMap<Value, Value> {
        let mut object = BTreeMap::new();
        object.insert(self.text("kind"), self.text(resource.kind));
        object.insert(self.text("id"), Value::from(resource.id.as_str()));
        if let Some(name) = &resource.name {
            object.insert(self.text("name"), Value::from(name.as_str()));
        }
        object.insert(self.text("config"), config);
        let origin = self.origin(&resource.origin);
        object.insert(self.text("origin"), origin);
        object.insert(self.text("format"), self.text(resource.format.as_str()));
        object
    }

    fn origin(&mut self, origin: &Origin) -> Value {
        let mut object = BTreeMap::new();
        object.insert(self.text("file"), self.text(origin.file()));
        object.insert(self.text("pointer"), Value::from(origin.pointer.as_str()));
        object.insert(self.text("line"), Value::from(origin.line));
        object.insert(self.text("column"), Value::from(origin.column));
        Value::from(object)
    }

    fn route(&mut self, route: &Route) -> Value {
        let config = self.json(route.resource.body.json());
        let own_plugins = config["plugins"].clone();
        let service_hosts = route
            .service_id
            .as_deref()
            .and_then(|id| self.service_hosts.get(id))
            .cloned()
            .unwrap_or(Value::Undefined);
        let lists = [
            (
                "paths",
                &route.paths,
                [config["uris"].clone(), Value::Undefined],
            ),
            (
                "hosts",
                &route.hosts,
                [config["hosts"].clone(), service_hosts],
            ),
            (
                "methods",
                &route.methods,
                [config["methods"].clone(), Value::Undefined],
            ),
        ];
        let mut object = self.resource(&route.resource, config);
        let links = [
            ("service_id", &route.service_id),
            ("upstream_id", &route.upstream_id),
            ("plugin_config_id", &route.plugin_config_id),
        ];
        for (field, link) in links {
            if let Some(id) = link {
                // Shared by every route of a service: one string.
                object.insert(self.text(field), self.text(id));
            }
        }
        for (field, items, written) in lists {
            object.insert(self.text(field), list(items, &written));
        }
        let effective = route
            .effective()
            .map(|plugin| {
                let name = self.text(plugin.name);
                (name, self.effective(&plugin, &own_plugins))
            })
            .collect::<BTreeMap<_, _>>();
        object.insert(self.text("effective_plugins"), Value::from(effective));
        Value::from(object)
    }

    /// An effective plugin: `{config, level, from, origin}`, built once per carried
    /// plugin. Its `config` is the carrier's converted configuration (`own` for the
    /// route's own plugins).
    fn effective(&mut self, plugin: &EffectiveView<'_>, own: &Value) -> Value {
        let shared = plugin.shared.map(std::ptr::from_ref);
        if let Some(value) = shared.and_then(|key| self.plugins.get(&key)) {
            return value.clone();
        }
        let carried = match shared {
            Some(_) => {
                let at = (
                    source_address(&plugin.origin),
                    plugin.origin.pointer.clone(),
                );
                self.carried.get(&at).cloned().unwrap_or(Value::Undefined)
            }
            None => own[plugin.name].clone(),
        };
        let config = match carried {
            Value::Undefined => self.json(plugin.config),
            config => config,
        };
        let mut object = BTreeMap::new();
        object.insert(self.text("config"), config);
        object.insert(self.text("level"), self.text(plugin.level));
        object.insert(self.text("from"), Value::from(plugin.from));
        let origin = self.origin(&plugin.origin);
        object.insert(self.text("origin"), origin);
        let value = Value::from(object);
        if let Some(key) = shared {
            self.plugins.insert(key, value.clone());
        }
        value
    }
}

/// The identity of the file an object is written in, within a run.
fn source_address(origin: &Origin) -> usize {
    std::sync::Arc::as_ptr(&origin.source) as usize
}

/// A list of strings, sharing an already converted array that holds exactly these
/// strings (the route's own `uris`, `hosts` or `methods`, or its service's `hosts`).
fn list(items: &[String], written: &[Value]) -> Value {
    let same = |value: &Value| match value {
        Value::Array(array) => {
            array.len() == items.len()
                && array
                    .iter()
                    .zip(items)
                    .all(|(v, i)| matches!(v, Value::String(s) if **s == **i))
        }
        _ => false,
    };
    if let Some(shared) = written.iter().find(|v| same(v)) {
        return shared.clone();
    }
    Value::from(
        items
            .iter()
            .map(|i| Value::from(i.as_str()))
            .collect::<Vec<Value>>(),
    )
}

/// A JSON number as a regorus number (integers exactly, others as `f64`).
fn number(n: &serde_json::Number) -> Value {
    if let Some(i) = n.as_i64() {
        Value::from(i)
    } else if let Some(u) = n.as_u64() {
        Value::from(u)
    } else {
        Value::from(n.as_f64().unwrap_or(f64::NAN))
    }
}

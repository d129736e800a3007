//! Effective plugins: which plugins actually run for each route.
//!
//! A route runs its own plugins, its plugin config's, its service's and the global
//! rules'. For one plugin the most specific level wins (route, then plugin config,
//! then service); a winner with `_meta.disable: true` switches the plugin off for
//! the route. Global rules run independently of the route, so an enabled global
//! rule plugin applies unless the route's own levels already provide it.
//!
//! Each carried plugin is built once (with its located origin) and shared by every
//! route that inherits it.

use super::{address, parent_pointer, JsonRef};
use super::{Documents, Effective, EffectivePlugin, Environment, Origin, Resource, Route};
use crate::format::Format;
use crate::load::span_tree::NodeRef;
use crate::source::Position;
use foldhash::HashMap;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The plugins a resource carries, each built once and shared by every route that
/// inherits it.
type Carried = Vec<Arc<EffectivePlugin>>;

/// Fill in every route's effective plugins (and its upstream through its service).
///
/// A route's service is, for an ADC route, the service it is written in (a
/// service defined twice keeps both copies, each with its own routes); for a
/// standalone route, the first service its `service_id` names.
pub fn resolve(env: &mut Environment, documents: &Documents<'_>) {
    let services: Vec<(&Resource, Carried)> = env
        .services
        .iter()
        .map(|s| (s, carried("service", s, documents)))
        .collect();
    let mut by_id: HashMap<&str, &(&Resource, Carried)> = HashMap::default();
    let mut written_at: HashMap<(usize, &str), &(&Resource, Carried)> = HashMap::default();
    for entry in &services {
        let service = entry.0;
        by_id.entry(service.id.as_str()).or_insert(entry);
        if service.format == Format::Adc {
            let at = (
                address(&service.origin.source),
                service.origin.pointer.as_str(),
            );
            written_at.insert(at, entry);
        }
    }
    let service_of = |route: &Route| {
        let resource = &route.resource;
        if resource.format == Format::Adc {
            let parent = parent_pointer(&resource.origin.pointer);
            if let Some(entry) = written_at.get(&(address(&resource.origin.source), parent)) {
                return Some(*entry);
            }
        }
        route
            .service_id
            .as_deref()
            .and_then(|id| by_id.get(id).copied())
    };
    let configs: HashMap<&str, Carried> = env
        .plugin_configs
        .iter()
        .map(|c| (c.id.as_str(), carried("plugin_config", c, documents)))
        .collect();
    let mut global = BTreeMap::new();
    for rule in &env.global_rules {
        for plugin in carried("global_rule", rule, documents) {
            global.insert(plugin.name.clone(), plugin);
        }
    }
    global.retain(|_, plugin| !is_disabled(plugin.config.json()));
    env.routes.par_iter_mut().for_each(|route| {
        // Own plugins the model already located (see [`locate_own`]).
        let located = std::mem::take(&mut route.effective_plugins);
        let service = service_of(route);
        let config = route
            .plugin_config_id
            .as_deref()
            .and_then(|id| configs.get(id));
        let effective = {
            let route: &Route = route;
            let mut levels: BTreeMap<&str, Effective> = BTreeMap::new();
            for plugin in service.map(|(_, p)| p).into_iter().chain(config).flatten() {
                levels.insert(&plugin.name, Effective::Inherited(plugin.clone()));
            }
            if located.is_empty() {
                own_plugins(route, documents, &mut levels);
            } else {
                own_located(route, located, &mut levels);
            }
            levels.retain(|_, plugin| !is_disabled(route.config_of(plugin)));
            for (name, plugin) in &global {
                levels
                    .entry(name)
                    .or_insert_with(|| Effective::Inherited(plugin.clone()));
            }
            levels.into_values().collect::<Vec<_>>()
        };
        route.effective_plugins = effective;
        if route.upstream_id.is_none() {
            route.upstream_id = service
                .and_then(|(s, _)| s.body.json().get("upstream_id").and_then(JsonRef::as_id))
                .map(Into::into);
        }
    });
}

/// A route's own plugins, named by `names`, with where each configuration is
/// written: a child of the `plugins` mapping of the route's `node`, or where
/// `locate` puts the plugin's pointer. The model locates an ADC route's plugins
/// while its document is at hand and keeps them in `effective_plugins` until
/// [`resolve`] merges them with the inherited ones.
pub fn locate_own<'n>(
    node: Option<NodeRef<'_>>,
    names: impl Iterator<Item = &'n str>,
    locate: impl Fn(&str) -> Position,
) -> Vec<Effective> {
    let written = node.and_then(|route| route.child("plugins"));
    names
        .map(|name| {
            let start = written
                .and_then(|plugins| plugins.child(name))
                .map_or_else(|| locate(name), |node| node.span().start);
            Effective::Own {
                name: name.into(),
                line: start.line,
                column: start.column,
            }
        })
        .collect()
}

/// Add a route's own plugins located by [`locate_own`] (over any inherited ones
/// of the same name).
fn own_located<'a>(
    route: &'a Route,
    located: Vec<Effective>,
    levels: &mut BTreeMap<&'a str, Effective>,
) {
    let Some(plugins) = route.resource.plugins() else {
        return;
    };
    // They were located in the order of the keys; a key out of place (never, as
    // the body is the same object) is looked up instead.
    let mut keys = plugins.keys();
    for plugin in located {
        let name = match keys.next() {
            Some(name) if name == plugin.name() => Some(name),
            _ => plugins.keys().find(|name| *name == plugin.name()),
        };
        if let Some(name) = name {
            levels.insert(name, plugin);
        }
    }
}

/// Add a route's own plugins (over any inherited ones of the same name), each with
/// where its configuration is written.
fn own_plugins<'a>(
    route: &'a Route,
    documents: &Documents<'_>,
    levels: &mut BTreeMap<&'a str, Effective>,
) {
    let Some(plugins) = route.resource.plugins() else {
        return;
    };
    let resource = &route.resource;
    let source = &resource.origin.source;
    let located = locate_own(
        documents.node(source, &resource.origin.pointer),
        plugins.keys(),
        |name| {
            documents
                .locate(source, &resource.plugin_pointer(name))
                .span
                .start
        },
    );
    own_located(route, located, levels);
}

/// The plugins a resource carries at `level`, with where each is written.
fn carried(level: &'static str, resource: &Resource, documents: &Documents<'_>) -> Carried {
    let Some(plugins) = resource.plugins() else {
        return Vec::new();
    };
    let mut carried = Vec::with_capacity(plugins.len());
    for (name, config) in plugins.iter() {
        let pointer = resource.plugin_pointer(name);
        let location = documents.locate(&resource.origin.source, &pointer);
        let origin = Origin {
            pointer,
            line: location.span.start.line,
            column: location.span.start.column,
            source: resource.origin.source.clone(),
        };
        let Some(config) = resource.body.at(config) else {
            continue;
        };
        carried.push(Arc::new(EffectivePlugin {
            name: name.to_owned(),
            config,
            level,
            from: resource.id.clone(),
            origin,
        }));
    }
    carried
}

/// Whether a plugin configuration is switched off with `_meta.disable: true`.
fn is_disabled(config: JsonRef<'_>) -> bool {
    config
        .get("_meta")
        .and_then(|meta| meta.get("disable"))
        .and_then(JsonRef::as_bool)
        == Some(true)
}

#[cfg(test)]
mod tests {
    use crate::format::Format;
    use crate::model::of_text;

    const FILE: &str = "services:
  - name: orders
    plugins:
      key-auth: {}
    routes:
      - name: list
        uris: [/orders]
        plugins:
          a/b~c: {}
global_rules:
  prometheus: {}
";

    /// Service `orders` twice in one file: the first copy with key-auth, the second
    /// with jwt-auth switched off and limit-count.
    const TWICE: &str = "services:
  - name: orders
    plugins:
      key-auth: {}
    routes:
      - name: list
        uris: [/a]
  - name: orders
    upstream_id: other
    plugins:
      limit-count: {count: 1, time_window: 1}
      jwt-auth:
        _meta: {disable: true}
    routes:
      - name: list
        uris: [/b]
";

    #[test]
    fn each_route_of_a_service_defined_twice_inherits_from_its_own_copy() {
        let env = of_text("f.yaml", TWICE, Format::Adc);
        assert_eq!(env.services.len(), 2, "both copies stay in the model");
        assert_eq!(env.services[0].id, env.services[1].id);
        let seen: Vec<(String, Vec<(&str, String)>)> = env
            .routes
            .iter()
            .map(|route| {
                let plugins = route
                    .effective()
                    .map(|p| (p.name, p.origin.pointer.clone()))
                    .collect();
                (route.resource.origin.pointer.clone(), plugins)
            })
            .collect();
        assert_eq!(
            seen,
            [
                (
                    "/services/0/routes/0".to_owned(),
                    vec![("key-auth", "/services/0/plugins/key-auth".to_owned())]
                ),
                (
                    "/services/1/routes/0".to_owned(),
                    vec![("limit-count", "/services/1/plugins/limit-count".to_owned())]
                ),
            ]
        );
        let upstreams: Vec<Option<&str>> = env
            .routes
            .iter()
            .map(|r| r.upstream_id.as_deref())
            .collect();
        assert_eq!(upstreams, [None, Some("other")]);
    }

    #[test]
    fn own_inherited_and_global_plugins_are_located_with_escaped_pointers() {
        let env = of_text("f.yaml", FILE, Format::Adc);
        let route = &env.routes[0];
        let seen: Vec<(String, &str, String, u32, u32)> = route
            .effective()
            .map(|p| {
                let origin = p.origin;
                (
                    p.name.to_owned(),
                    p.level,
                    origin.pointer.clone(),
                    origin.line,
                    origin.column,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (
                    "a/b~c".into(),
                    "route",
                    "/services/0/routes/0/plugins/a~1b~0c".into(),
                    9,
                    18
                ),
                (
                    "key-auth".into(),
                    "service",
                    "/services/0/plugins/key-auth".into(),
                    4,
                    17
                ),
                (
                    "prometheus".into(),
                    "global_rule",
                    "/global_rules/prometheus".into(),
                    11,
                    15
                ),
            ]
        );
    }
}

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

use super::{Documents, EffectivePlugin, Environment, Origin, Resource};
use crate::load::document::join_pointer;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The plugins a resource carries, each built once and shared by every route that
/// inherits it.
type Carried = Vec<(String, Arc<EffectivePlugin>)>;

/// Fill in every route's effective plugins (and its upstream through its service).
pub fn resolve(env: &mut Environment, documents: &Documents<'_>) {
    let services: HashMap<&str, (&Resource, Carried)> = env
        .services
        .iter()
        .map(|s| (s.id.as_str(), (s, carried("service", s, documents))))
        .collect();
    let configs: HashMap<&str, Carried> = env
        .plugin_configs
        .iter()
        .map(|c| (c.id.as_str(), carried("plugin_config", c, documents)))
        .collect();
    let mut global = BTreeMap::new();
    for rule in &env.global_rules {
        global.extend(carried("global_rule", rule, documents));
    }
    global.retain(|_, p: &mut Arc<EffectivePlugin>| !p.config.as_ref().is_some_and(is_disabled));
    let mut resolved = Vec::with_capacity(env.routes.len());
    for route in &env.routes {
        let mut levels: BTreeMap<String, Arc<EffectivePlugin>> = BTreeMap::new();
        let service = route.service_id.as_deref().and_then(|id| services.get(id));
        if let Some((_, plugins)) = service {
            levels.extend(plugins.iter().cloned());
        }
        if let Some(plugins) = route
            .plugin_config_id
            .as_deref()
            .and_then(|id| configs.get(id))
        {
            levels.extend(plugins.iter().cloned());
        }
        levels.extend(carried("route", &route.resource, documents));
        levels.retain(|name, p| !is_disabled(route.effective_config(name, p)));
        for (name, plugin) in &global {
            if !levels.contains_key(name) {
                levels.insert(name.clone(), plugin.clone());
            }
        }
        let upstream = route.upstream_id.clone().or_else(|| {
            service.and_then(|(s, _)| s.body.get("upstream_id").and_then(crate::value::id_string))
        });
        resolved.push((levels, upstream));
    }
    for (route, (effective, upstream)) in env.routes.iter_mut().zip(resolved) {
        route.effective_plugins = effective;
        if route.upstream_id.is_none() {
            route.upstream_id = upstream;
        }
    }
}

/// The plugins a resource carries at `level`, with where each is written.
fn carried(level: &'static str, resource: &Resource, documents: &Documents<'_>) -> Carried {
    let Some(plugins) = resource.body.get("plugins").and_then(Value::as_object) else {
        return Vec::new();
    };
    let base = if level == "global_rule" && resource.format == crate::format::Format::Adc {
        // ADC global rules are written as `global_rules: {<plugin>: conf}`.
        resource
            .origin
            .pointer
            .rsplit_once('/')
            .map_or(String::new(), |(p, _)| p.to_owned())
    } else {
        format!("{}/plugins", resource.origin.pointer)
    };
    let mut carried = Vec::with_capacity(plugins.len());
    for (name, config) in plugins {
        let pointer = join_pointer(&base, name);
        let location = documents.locate(&resource.origin.source, &pointer);
        let origin = Origin {
            file: resource.origin.file.clone(),
            pointer,
            line: location.span.start.line,
            column: location.span.start.column,
            source: resource.origin.source.clone(),
        };
        carried.push((
            name.clone(),
            Arc::new(EffectivePlugin {
                // A route's own plugin stays in the route's body: not copied.
                config: (level != "route").then(|| config.clone()),
                level,
                from: resource.id.clone(),
                origin,
            }),
        ));
    }
    carried
}

/// Whether a plugin configuration is switched off with `_meta.disable: true`.
fn is_disabled(config: &Value) -> bool {
    config.pointer("/_meta/disable").and_then(Value::as_bool) == Some(true)
}

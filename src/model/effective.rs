//! Effective plugins: which plugins actually run for each route.
//!
//! A route runs its own plugins, its plugin config's, its service's and the global
//! rules'. For one plugin the most specific level wins (route, then plugin config,
//! then service); a winner with `_meta.disable: true` switches the plugin off for
//! the route. Global rules run independently of the route, so an enabled global
//! rule plugin applies unless the route's own levels already provide it.

use super::{Documents, EffectivePlugin, Environment, Origin, Resource};
use crate::load::document::join_pointer;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// Fill in every route's effective plugins (and its upstream through its service).
pub fn resolve(env: &mut Environment, documents: &Documents<'_>) {
    let services: HashMap<&str, &Resource> =
        env.services.iter().map(|s| (s.id.as_str(), s)).collect();
    let configs: HashMap<&str, &Resource> = env
        .plugin_configs
        .iter()
        .map(|c| (c.id.as_str(), c))
        .collect();
    let mut global = BTreeMap::new();
    for rule in &env.global_rules {
        collect("global_rule", rule, &mut global, documents);
    }
    let global: BTreeMap<String, EffectivePlugin> = global
        .into_iter()
        .filter(|(_, p)| !is_disabled(&p.config))
        .collect();
    let mut resolved = Vec::with_capacity(env.routes.len());
    for route in &env.routes {
        let mut levels = BTreeMap::new();
        let service = route.service_id.as_deref().and_then(|id| services.get(id));
        if let Some(service) = service {
            collect("service", service, &mut levels, documents);
        }
        if let Some(config) = route
            .plugin_config_id
            .as_deref()
            .and_then(|id| configs.get(id))
        {
            collect("plugin_config", config, &mut levels, documents);
        }
        collect("route", &route.resource, &mut levels, documents);
        let mut effective: BTreeMap<String, EffectivePlugin> = levels
            .into_iter()
            .filter(|(_, p)| !is_disabled(&p.config))
            .collect();
        for (name, plugin) in &global {
            effective
                .entry(name.clone())
                .or_insert_with(|| plugin.clone());
        }
        let upstream = route.upstream_id.clone().or_else(|| {
            service.and_then(|s| s.body.get("upstream_id").and_then(crate::value::id_string))
        });
        resolved.push((effective, upstream));
    }
    for (route, (effective, upstream)) in env.routes.iter_mut().zip(resolved) {
        route.effective_plugins = effective;
        if route.upstream_id.is_none() {
            route.upstream_id = upstream;
        }
    }
}

/// Insert a resource's plugins, replacing less specific levels.
fn collect(
    level: &'static str,
    resource: &Resource,
    into: &mut BTreeMap<String, EffectivePlugin>,
    documents: &Documents<'_>,
) {
    let Some(plugins) = resource.body.get("plugins").and_then(Value::as_object) else {
        return;
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
        into.insert(
            name.clone(),
            EffectivePlugin {
                config: config.clone(),
                level,
                from: resource.id.clone(),
                origin,
            },
        );
    }
}

/// Whether a plugin configuration is switched off with `_meta.disable: true`.
fn is_disabled(config: &Value) -> bool {
    config.pointer("/_meta/disable").and_then(Value::as_bool) == Some(true)
}

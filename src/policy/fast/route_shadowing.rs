//! `route-shadowing` (`policies/route-shadowing.rego`): two routes that match the
//! same requests (a common path, the same hosts and match conditions, overlapping
//! methods); the later one in document order is reported, pointing at the first.

use super::common::{first_by_id, get, label, order, result, truthy, RouteServices};
use crate::model::{Environment, JsonRef, Kind, Route};
use crate::policy::PolicyResult;
use foldhash::HashMap;
use foldhash::HashMapExt as _;
use serde_json::Value;
use std::collections::hash_map::Entry;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The route fields that narrow what it matches besides hosts, paths and methods.
const MATCH_FIELDS: &[&str] = &["vars", "remote_addrs", "remote_addr", "filter_func"];

pub fn check(env: &Environment, _params: &Value, out: &mut Vec<PolicyResult>) {
    let routes = &env.routes;
    let services = RouteServices::new(env);
    // The first route of each path, and the routes of every path that more than
    // one route lists (most paths have one route: they get no list of their own).
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(routes.len());
    let mut shared: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, route) in routes.iter().enumerate() {
        for path in &route.paths {
            match first.entry(path) {
                Entry::Vacant(slot) => {
                    slot.insert(i);
                }
                Entry::Occupied(slot) => shared
                    .entry(path)
                    .or_insert_with(|| vec![*slot.get()])
                    .push(i),
            }
        }
    }
    // (shadowed route, the first route it overlaps), found once per pair.
    let mut pairs = BTreeSet::new();
    for mut same_path in shared.into_values() {
        same_path.dedup();
        if same_path.len() < 2 {
            continue;
        }
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        for k in same_path {
            by_key.entry(match_key(&routes[k])).or_default().push(k);
        }
        for mut group in by_key.into_values().filter(|g| g.len() > 1) {
            group.sort_by(|&a, &b| {
                order(&routes[a].resource.origin)
                    .cmp(&order(&routes[b].resource.origin))
                    .then(a.cmp(&b))
            });
            for (p, &k) in group.iter().enumerate().skip(1) {
                let methods = &routes[k].methods;
                if let Some(&first) = group[..p].iter().find(|&&e| {
                    methods_overlap(&routes[e].methods, methods)
                        && !services.copies(&routes[e].resource, &routes[k].resource)
                }) {
                    pairs.insert((k, first));
                }
            }
        }
    }
    let services = first_by_id(&env.services);
    // `route `list` of service `orders``, or `route `list`` without a service.
    let describe = |route: &Route| match route.service_id.as_deref().and_then(|id| services.get(id))
    {
        Some(service) => format!(
            "route `{}` of service `{}`",
            label(&route.resource),
            label(service)
        ),
        None => format!("route `{}`", label(&route.resource)),
    };
    for (k, first) in pairs {
        let (route, first) = (&routes[k], &routes[first]);
        let mut finding = result(
            format!(
                "{} matches the same requests as {} (same hosts, a common path, overlapping methods): only one of them receives traffic",
                describe(route),
                describe(first)
            ),
            &route.resource.origin,
            vec![paths_field(route).into()],
        );
        finding.related.push(result(
            format!("{} is defined here", describe(first)),
            &first.resource.origin,
            vec![paths_field(first).into()],
        ));
        out.push(finding);
    }
}

/// What two routes on a common path must share to match the same requests: their
/// hosts (lower case, sorted) and the other match fields, as one canonical text.
fn match_key(route: &Route) -> String {
    let mut hosts: Vec<String> = route.hosts.iter().map(|h| h.to_lowercase()).collect();
    hosts.sort();
    let mut key = serde_json::to_string(&hosts).unwrap_or_default();
    for field in MATCH_FIELDS {
        if let Some(value) = route.resource.body.json().get(field) {
            let _ = write!(key, "|{field}=");
            canonical(value, &mut key);
        }
    }
    key
}

/// A value as JSON text with object keys sorted, so equal values give equal text.
fn canonical(value: JsonRef<'_>, out: &mut String) {
    match value.kind() {
        Kind::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(key).unwrap_or_default());
                out.push(':');
                canonical(item, out);
            }
            out.push('}');
        }
        Kind::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        _ => out.push_str(&value.to_string()),
    }
}

/// Methods overlap when either route matches every method or they share one.
fn methods_overlap(a: &[String], b: &[String]) -> bool {
    a.is_empty() || b.is_empty() || a.iter().any(|m| b.contains(m))
}

/// The field that holds a route's paths: `uri` when it has no `uris`.
fn paths_field(route: &Route) -> &'static str {
    let body = route.resource.body.json();
    if !truthy(get(body, &["uris"])) && truthy(get(body, &["uri"])) {
        "uri"
    } else {
        "uris"
    }
}

//! `duplicate-route-name` (`policies/duplicate-route-name.rego`): two routes of one
//! service with the same name.

use super::common::{order, result, RouteServices};
use crate::model::{Environment, Resource, Route};
use crate::policy::PolicyResult;
use foldhash::{HashMap, HashMapExt};
use serde_json::Value;
use std::collections::hash_map::Entry;

pub fn check(env: &Environment, _params: &Value, out: &mut Vec<PolicyResult>) {
    // The first route (in written order) of each service and name, and every other
    // route that shares a service and name with an earlier one.
    let mut first: HashMap<Key<'_>, &Route> = HashMap::with_capacity(env.routes.len());
    let mut repeated: Vec<&Route> = Vec::new();
    for route in &env.routes {
        let Some(name) = route.resource.name.as_deref().filter(|n| !n.is_empty()) else {
            continue;
        };
        match first.entry((route.service_id.as_deref(), name)) {
            Entry::Vacant(slot) => {
                slot.insert(route);
            }
            Entry::Occupied(mut slot) => {
                let earlier = if written_before(route, slot.get()) {
                    slot.insert(route)
                } else {
                    route
                };
                repeated.push(earlier);
            }
        }
    }
    if repeated.is_empty() {
        return;
    }
    // Each group of routes that share a service and name, in written order.
    let mut groups: HashMap<Key<'_>, Vec<&Route>> = HashMap::new();
    for route in repeated {
        groups
            .entry(key(route))
            .or_insert_with(|| vec![first[&key(route)]])
            .push(route);
    }
    let services = RouteServices::new(env);
    for mut group in groups.into_values() {
        group.sort_by(|a, b| order(&a.resource.origin).cmp(&order(&b.resource.origin)));
        for (p, route) in group.iter().enumerate().skip(1) {
            // The first earlier route, but not one of another copy of a service
            // defined twice.
            let Some(first) = group[..p]
                .iter()
                .find(|e| !services.copies(&e.resource, &route.resource))
            else {
                continue;
            };
            out.push(finding(&route.resource, &first.resource));
        }
    }
}

/// A route's service and name.
type Key<'a> = (Option<&'a str>, &'a str);

fn key(route: &Route) -> Key<'_> {
    (
        route.service_id.as_deref(),
        route.resource.name.as_deref().unwrap_or_default(),
    )
}

/// The finding about `route`, which reuses the name of `first`.
fn finding(route: &Resource, first: &Resource) -> PolicyResult {
    let name = route.name.as_deref().unwrap_or_default();
    let mut finding = result(
        format!("route name `{name}` is already used by another route of the same service"),
        &route.origin,
        vec!["name".into()],
    );
    finding.related.push(result(
        format!("the first route named `{name}`"),
        &first.origin,
        vec!["name".into()],
    ));
    finding
}

/// Whether route `a` is written before route `b` (file, then place in the file).
fn written_before(a: &Route, b: &Route) -> bool {
    order(&a.resource.origin) < order(&b.resource.origin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Format;

    /// Three routes named `list` in `orders`, one in `users`, one `get` in `orders`.
    const FILE: &str = "services:
  - name: orders
    routes:
      - name: list
        uris: [/a]
      - name: get
        uris: [/b]
      - name: list
        uris: [/c]
      - name: list
        uris: [/d]
  - name: users
    routes:
      - name: list
        uris: [/e]
";

    #[test]
    fn every_later_route_points_at_the_first_of_its_service_and_name() {
        let env = crate::model::of_text("f.yaml", FILE, Format::Adc);
        let mut out = Vec::new();
        check(&env, &Value::Null, &mut out);
        let seen: Vec<(String, String, String)> = out
            .iter()
            .map(|r| {
                let at = r.at.clone().unwrap_or_default().1;
                let first = r.related[0].at.clone().unwrap_or_default().1;
                (r.msg.clone(), at, first)
            })
            .collect();
        let message = "route name `list` is already used by another route of the same service";
        assert_eq!(
            seen,
            [
                (
                    message.to_owned(),
                    "/services/0/routes/2".to_owned(),
                    "/services/0/routes/0".to_owned()
                ),
                (
                    message.to_owned(),
                    "/services/0/routes/3".to_owned(),
                    "/services/0/routes/0".to_owned()
                ),
            ]
        );
        assert_eq!(out[0].related[0].msg, "the first route named `list`");
        assert!(out.iter().all(|r| r.field == ["name"]));
    }
}

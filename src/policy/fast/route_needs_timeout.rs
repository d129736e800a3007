//! `route-needs-timeout` (`policies/route-needs-timeout.rego`): a route without a
//! `timeout` whose upstream has none either.

use super::common::{get, label, result, truthy};
use crate::model::{Environment, JsonRef, Route};
use crate::policy::plan::Plan;
use foldhash::HashSet;
use serde_json::Value;

pub fn plan<'a>(env: &'a Environment, _params: &'a Value) -> Plan<'a> {
    let upstreams: HashSet<&str> = env
        .upstreams
        .iter()
        .filter(|u| is_object(get(u.body.json(), &["timeout"])))
        .map(|u| u.id.as_str())
        .collect();
    let services: HashSet<&str> = env
        .services
        .iter()
        .filter(|s| is_object(get(s.body.json(), &["upstream", "timeout"])))
        .map(|s| s.id.as_str())
        .collect();
    Plan::per_route(move |route, out| {
        let resource = &route.resource;
        if is_object(get(resource.body.json(), &["timeout"]))
            || upstream_timeout(route, &upstreams, &services)
        {
            return;
        }
        out.push(result(
            format!(
                "route `{}` has no timeout, and neither has its upstream: APISIX waits 60 s per phase",
                label(resource)
            ),
            &resource.origin,
            vec!["timeout".into()],
        ));
    })
}

fn is_object(value: Option<JsonRef<'_>>) -> bool {
    value.is_some_and(JsonRef::is_object)
}

/// Whether the route's upstream (inline, by id, or its service's inline one) sets a
/// timeout.
fn upstream_timeout(route: &Route, upstreams: &HashSet<&str>, services: &HashSet<&str>) -> bool {
    let body = route.resource.body.json();
    if is_object(get(body, &["upstream", "timeout"])) {
        return true;
    }
    if truthy(get(body, &["upstream"])) {
        return false;
    }
    if route
        .upstream_id
        .as_deref()
        .is_some_and(|id| upstreams.contains(id))
    {
        return true;
    }
    !truthy(get(body, &["upstream_id"]))
        && route
            .service_id
            .as_deref()
            .is_some_and(|id| services.contains(id))
}

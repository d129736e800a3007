//! `route-needs-timeout` (`policies/route-needs-timeout.rego`): a route without a
//! `timeout` whose upstream has none either.

use super::common::{get, is_adc, label, result, truthy};
use crate::model::{parent_pointer, Environment, JsonRef, Resource, Route};
use crate::policy::plan::Plan;
use foldhash::{HashMap, HashSet};
use serde_json::Value;

pub fn plan<'a>(env: &'a Environment, _params: &'a Value) -> Plan<'a> {
    let upstreams = Upstreams::new(env);
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

/// The model's upstreams, as the timeout of a route's upstream is looked up.
struct Upstreams<'a> {
    /// The ids of upstreams that set a timeout.
    with_timeout: HashSet<&'a str>,
    /// Ids that two or more upstreams share: the inline upstreams of the copies of
    /// an ADC service defined twice.
    shared: HashSet<&'a str>,
    /// ADC upstreams by file and pointer (only when some id is shared).
    adc_at: HashMap<(&'a str, &'a str), &'a Resource>,
}

impl<'a> Upstreams<'a> {
    fn new(env: &'a Environment) -> Self {
        let mut seen = HashSet::default();
        let mut shared = HashSet::default();
        for upstream in &env.upstreams {
            if !seen.insert(upstream.id.as_str()) {
                shared.insert(upstream.id.as_str());
            }
        }
        let adc_at = if shared.is_empty() {
            HashMap::default()
        } else {
            env.upstreams
                .iter()
                .filter(|u| is_adc(u))
                .map(|u| ((u.origin.file(), u.origin.pointer.as_str()), u))
                .collect()
        };
        Upstreams {
            with_timeout: env
                .upstreams
                .iter()
                .filter(|u| is_object(get(u.body.json(), &["timeout"])))
                .map(|u| u.id.as_str())
                .collect(),
            shared,
            adc_at,
        }
    }

    /// Whether the upstream `id` of `route` sets a timeout. A shared id is the
    /// upstream written in the ADC service the route is written in.
    fn timeout(&self, route: &Route, id: &str) -> bool {
        if !self.shared.contains(id) {
            return self.with_timeout.contains(id);
        }
        let resource = &route.resource;
        if !is_adc(resource) {
            return false;
        }
        let pointer = [parent_pointer(&resource.origin.pointer), "/upstream"].concat();
        self.adc_at
            .get(&(resource.origin.file(), pointer.as_str()))
            .is_some_and(|u| u.id == id && is_object(get(u.body.json(), &["timeout"])))
    }
}

/// Whether the route's upstream (inline, by id, or its service's inline one) sets a
/// timeout.
fn upstream_timeout(route: &Route, upstreams: &Upstreams<'_>, services: &HashSet<&str>) -> bool {
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
        .is_some_and(|id| upstreams.timeout(route, id))
    {
        return true;
    }
    !truthy(get(body, &["upstream_id"]))
        && route
            .service_id
            .as_deref()
            .is_some_and(|id| services.contains(id))
}

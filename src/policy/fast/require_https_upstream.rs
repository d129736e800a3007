//! `require-https-upstream` (`policies/require-https-upstream.rego`): in the
//! environments it names, an upstream whose `scheme` is plaintext, or missing
//! (APISIX defaults to `http`).

use super::common::{
    first_by_id, get, id_text, inline_site, is_adc, string_set, truthy, upstream_sites_but_routes,
    UpstreamSite,
};
use crate::model::{Environment, JsonRef, Kind, Resource};
use crate::policy::plan::Plan;
use crate::policy::PolicyResult;
use foldhash::{HashMap, HashSet};
use serde_json::Value;

pub fn plan<'a>(env: &'a Environment, params: &'a Value) -> Plan<'a> {
    let environments = string_set(params, "environments", &["production", "prod"]);
    if !environments.contains(&env.name) {
        return Plan::default();
    }
    let plaintext = std::sync::Arc::new(string_set(params, "plaintext_schemes", &["http", "grpc"]));
    let in_routes = plaintext.clone();
    // A route's inline upstream is never one that only stream routes use.
    Plan::per_route(move |route, out| {
        if let Some(site) = inline_site(&route.resource) {
            check_site(&site, &env.name, &in_routes, || false, out);
        }
    })
    .then(move |out| {
        let mut stream_only = None;
        for site in upstream_sites_but_routes(env) {
            let covered = || {
                stream_only
                    .get_or_insert_with(|| StreamOnly::new(env))
                    .covers(&site)
            };
            check_site(&site, &env.name, &plaintext, covered, out);
        }
    })
}

/// Report the upstream at `site` when its scheme is plaintext, or missing and not
/// `covered` (only used by stream routes, which have no scheme).
fn check_site(
    site: &UpstreamSite<'_>,
    env: &str,
    plaintext: &HashSet<String>,
    covered: impl FnOnce() -> bool,
    out: &mut Vec<PolicyResult>,
) {
    let message = match site.config.get("scheme").map(JsonRef::kind) {
        Some(Kind::String(scheme)) if plaintext.contains(scheme) => format!(
            "{} uses `scheme: {scheme}` in environment `{env}`: traffic to its nodes is not encrypted",
            site.what
        ),
        None if site.config.is_object() && plaintext.contains("http") && !covered() => format!(
            "{} has no `scheme`, so APISIX uses plain `http` to its nodes in environment `{env}`",
            site.what
        ),
        _ => return,
    };
    out.push(super::common::result(
        message,
        site.origin,
        site.field(&["scheme"]),
    ));
}

struct StreamOnly {
    /// Upstreams of HTTP routes.
    http: HashSet<String>,
    /// Upstreams of stream routes.
    stream: HashSet<String>,
}

impl StreamOnly {
    fn new(env: &Environment) -> Self {
        let http = env
            .routes
            .iter()
            .filter_map(|r| r.upstream_id.clone())
            .collect();
        let services = first_by_id(&env.services);
        let adc_services: HashMap<(&str, &str), &str> = env
            .services
            .iter()
            .filter(|s| is_adc(s))
            .map(|s| ((s.origin.file(), s.origin.pointer.as_str()), s.id.as_str()))
            .collect();
        let stream = env
            .stream_routes
            .iter()
            .filter_map(|sr| stream_route_upstream(sr, &services, &adc_services))
            .collect();
        StreamOnly { http, stream }
    }

    fn covers(&self, site: &UpstreamSite<'_>) -> bool {
        match site.owner {
            "stream_route" => true,
            "upstream" => site
                .id
                .is_some_and(|id| self.stream.contains(id) && !self.http.contains(id)),
            _ => false,
        }
    }
}

/// The upstream a stream route sends its traffic to, by id.
fn stream_route_upstream(
    stream_route: &Resource,
    services: &HashMap<&str, &Resource>,
    adc_services: &HashMap<(&str, &str), &str>,
) -> Option<String> {
    let body = stream_route.body.json();
    if is_adc(stream_route) {
        // An ADC stream route is written inside its service: `/services/N/stream_routes/M`.
        let pointer = &stream_route.origin.pointer;
        let parts: Vec<&str> = pointer.split('/').collect();
        let parent = parts[..parts.len().saturating_sub(2)].join("/");
        let key = (stream_route.origin.file(), parent.as_str());
        return adc_services.get(&key).map(|id| (*id).to_owned());
    }
    if truthy(get(body, &["upstream_id"])) {
        return get(body, &["upstream_id"]).and_then(id_text);
    }
    if truthy(get(body, &["upstream"])) || !truthy(get(body, &["service_id"])) {
        return None;
    }
    let service = services.get(id_text(get(body, &["service_id"])?)?.as_str())?;
    id_text(get(service.body.json(), &["upstream_id"])?)
}

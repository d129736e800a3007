//! `upstream-needs-health-checks` (`policies/upstream-needs-health-checks.rego`):
//! an upstream without active or passive health checks.

use super::common::{get, inline_site, result, truthy, upstream_sites_but_routes, UpstreamSite};
use crate::model::{Environment, JsonRef};
use crate::policy::plan::Plan;
use crate::policy::PolicyResult;
use serde_json::Value;

pub fn plan<'a>(env: &'a Environment, params: &'a Value) -> Plan<'a> {
    let check_discovery = params.get("check_discovery") != Some(&Value::Bool(false));
    Plan::per_route(move |route, out| {
        if let Some(site) = inline_site(&route.resource) {
            check_site(&site, check_discovery, out);
        }
    })
    .then(move |out| {
        for site in upstream_sites_but_routes(env) {
            check_site(&site, check_discovery, out);
        }
    })
}

/// Report the upstream at `site` when it has no health checks.
fn check_site(site: &UpstreamSite<'_>, check_discovery: bool, out: &mut Vec<PolicyResult>) {
    let has_checks = site
        .config
        .get("checks")
        .and_then(JsonRef::as_object)
        .is_some_and(|c| !c.is_empty());
    let exempt = !check_discovery && truthy(get(site.config, &["discovery_type"]));
    if has_checks || exempt {
        return;
    }
    out.push(result(
        format!(
            "{} has no health checks: a failed node keeps receiving traffic",
            site.what
        ),
        site.origin,
        site.field(&["checks"]),
    ));
}

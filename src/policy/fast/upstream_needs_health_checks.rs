//! `upstream-needs-health-checks` (`policies/upstream-needs-health-checks.rego`):
//! an upstream without active or passive health checks.

use super::common::{get, result, truthy, upstream_sites};
use crate::model::{Environment, JsonRef};
use crate::policy::PolicyResult;
use serde_json::Value;

pub fn check(env: &Environment, params: &Value, out: &mut Vec<PolicyResult>) {
    let check_discovery = params.get("check_discovery") != Some(&Value::Bool(false));
    for site in upstream_sites(env) {
        let has_checks = site
            .config
            .get("checks")
            .and_then(JsonRef::as_object)
            .is_some_and(|c| !c.is_empty());
        let exempt = !check_discovery && truthy(get(site.config, &["discovery_type"]));
        if has_checks || exempt {
            continue;
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
}

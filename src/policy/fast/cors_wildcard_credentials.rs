//! `cors-wildcard-credentials` (`policies/cors-wildcard-credentials.rego`): `cors`
//! with `allow_credential: true` and `allow_origins: "**"` (any origin reflected).

use super::common::{get, label, plugin_at, result_at, spaced, switched_off_conf};
use crate::model::{Environment, JsonRef, Kind, Resource};
use crate::policy::plan::Plan;
use crate::policy::PolicyResult;
use serde_json::Value;

pub fn plan<'a>(env: &'a Environment, _params: &'a Value) -> Plan<'a> {
    Plan::per_route(|route, out| check_carrier(&route.resource, out)).then(move |out| {
        let carriers = env
            .services
            .iter()
            .chain(&env.plugin_configs)
            .chain(&env.global_rules)
            .chain(&env.consumers)
            .chain(&env.consumer_groups)
            .chain(&env.stream_routes);
        for obj in carriers {
            check_carrier(obj, out);
        }
    })
}

/// Report `cors` on `obj` when it allows credentials from any origin.
fn check_carrier(obj: &Resource, out: &mut Vec<PolicyResult>) {
    let Some(conf) = get(obj.body.json(), &["plugins", "cors"]) else {
        return;
    };
    let credential = conf.get("allow_credential").and_then(JsonRef::as_bool);
    if credential != Some(true) || switched_off_conf(conf) {
        return;
    }
    let Some(problem) = problem(conf.get("allow_origins")) else {
        return;
    };
    let at = plugin_at(obj, "cors");
    out.push(result_at(
        format!("cors on {} `{}` {problem}", spaced(obj.kind), label(obj)),
        (&at.0, &at.1),
        vec!["allow_origins".into()],
    ));
}

/// What is wrong with these `allow_origins` next to `allow_credential: true`, if
/// anything this rule reports: `**`, which APISIX accepts and which reflects any
/// origin. `*` (also as the default) APISIX refuses: that is `schema/cors`.
fn problem(origins: Option<JsonRef<'_>>) -> Option<&'static str> {
    match origins.map(JsonRef::kind) {
        Some(Kind::String("**")) => Some(
            "sets `allow_credential: true` with `allow_origins: \"**\"`, which reflects any origin with credentials",
        ),
        _ => None,
    }
}

//! `cors-wildcard-credentials` (`policies/cors-wildcard-credentials.rego`): `cors`
//! with `allow_credential: true` and any origin allowed.

use super::common::{get, label, plugin_at, result_at, spaced, switched_off_conf};
use crate::model::{Environment, JsonRef, Kind};
use crate::policy::PolicyResult;
use serde_json::Value;

pub fn check(env: &Environment, _params: &Value, out: &mut Vec<PolicyResult>) {
    let carriers = env
        .routes
        .iter()
        .map(|r| &r.resource)
        .chain(&env.services)
        .chain(&env.plugin_configs)
        .chain(&env.global_rules)
        .chain(&env.consumers)
        .chain(&env.consumer_groups)
        .chain(&env.stream_routes);
    for obj in carriers {
        let Some(conf) = get(obj.body.json(), &["plugins", "cors"]) else {
            continue;
        };
        let credential = conf.get("allow_credential").and_then(JsonRef::as_bool);
        if credential != Some(true) || switched_off_conf(conf) {
            continue;
        }
        let Some(problem) = problem(conf.get("allow_origins")) else {
            continue;
        };
        let at = plugin_at(obj, "cors");
        out.push(result_at(
            format!("cors on {} `{}` {problem}", spaced(obj.kind), label(obj)),
            (&at.0, &at.1),
            vec!["allow_origins".into()],
        ));
    }
}

/// What is wrong with these `allow_origins` next to `allow_credential: true`, if
/// anything.
fn problem(origins: Option<JsonRef<'_>>) -> Option<&'static str> {
    match origins.map(JsonRef::kind) {
        None | Some(Kind::Null) => {
            Some("sets `allow_credential: true` without `allow_origins`, whose default is `*`")
        }
        Some(Kind::String("*")) => {
            Some("sets `allow_credential: true` with `allow_origins: \"*\"`")
        }
        Some(Kind::String("**")) => Some(
            "sets `allow_credential: true` with `allow_origins: \"**\"`, which reflects any origin with credentials",
        ),
        _ => None,
    }
}

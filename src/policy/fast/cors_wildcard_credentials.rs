//! `cors-wildcard-credentials` (`policies/cors-wildcard-credentials.rego`): `cors`
//! with `allow_credential: true` and any origin allowed.

use super::common::{get, label, plugin_at, result_at, spaced, switched_off_conf};
use crate::model::Environment;
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
        let Some(conf) = get(&obj.body, &["plugins", "cors"]) else {
            continue;
        };
        if conf.get("allow_credential") != Some(&Value::Bool(true)) || switched_off_conf(conf) {
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
fn problem(origins: Option<&Value>) -> Option<&'static str> {
    match origins {
        None | Some(Value::Null) => {
            Some("sets `allow_credential: true` without `allow_origins`, whose default is `*`")
        }
        Some(Value::String(s)) if s == "*" => {
            Some("sets `allow_credential: true` with `allow_origins: \"*\"`")
        }
        Some(Value::String(s)) if s == "**" => Some(
            "sets `allow_credential: true` with `allow_origins: \"**\"`, which reflects any origin with credentials",
        ),
        _ => None,
    }
}

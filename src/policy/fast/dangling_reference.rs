//! `dangling-reference` (`policies/dangling-reference.rego`): in standalone files,
//! an id that names no object of the environment.

use super::common::{get, id_text, label, path, result};
use crate::format::Format;
use crate::model::{Environment, Resource};
use crate::policy::PolicyResult;
use serde_json::Value;
use std::collections::HashSet;

/// A list of objects, as the rule names it: `(list, singular)`.
type List = (&'static str, &'static str);

const ROUTES: List = ("routes", "route");
const SERVICES: List = ("services", "service");
const STREAM_ROUTES: List = ("stream_routes", "stream route");
const CONSUMERS: List = ("consumers", "consumer");
const UPSTREAMS: List = ("upstreams", "upstream");
const CONSUMER_GROUPS: List = ("consumer_groups", "consumer group");
const PLUGIN_CONFIGS: List = ("plugin_configs", "plugin config");
const SSLS: List = ("ssls", "SSL");

/// `(referring list, field path, referred list)`.
const REFERENCES: &[(List, &[&str], List)] = &[
    (ROUTES, &["service_id"], SERVICES),
    (ROUTES, &["upstream_id"], UPSTREAMS),
    (ROUTES, &["plugin_config_id"], PLUGIN_CONFIGS),
    (SERVICES, &["upstream_id"], UPSTREAMS),
    (STREAM_ROUTES, &["service_id"], SERVICES),
    (STREAM_ROUTES, &["upstream_id"], UPSTREAMS),
    (CONSUMERS, &["group_id"], CONSUMER_GROUPS),
    (UPSTREAMS, &["tls", "client_cert_id"], SSLS),
];

pub fn check(env: &Environment, _params: &Value, out: &mut Vec<PolicyResult>) {
    for (from, field, to) in REFERENCES {
        let ids: HashSet<&str> = objects(env, to.0).map(|o| o.id.as_str()).collect();
        for obj in objects(env, from.0).filter(|o| o.format == Format::Standalone) {
            let Some(id) = get(obj.body.json(), field).and_then(id_text) else {
                continue;
            };
            if ids.contains(id.as_str()) {
                continue;
            }
            out.push(result(
                format!(
                    "{} `{}` refers to {} `{id}` (`{}`), which does not exist",
                    from.1,
                    label(obj),
                    to.1,
                    field.join(".")
                ),
                &obj.origin,
                path(field),
            ));
        }
    }
    let consumers: HashSet<&str> = env.consumers.iter().map(|c| c.id.as_str()).collect();
    for credential in env
        .credentials
        .iter()
        .filter(|c| c.format == Format::Standalone)
    {
        let Some(id) = get(credential.body.json(), &["id"]).and_then(id_text) else {
            continue;
        };
        let parts: Vec<&str> = id.split("/credentials/").collect();
        if let [username, _] = parts[..] {
            if !consumers.contains(username) {
                out.push(result(
                    format!(
                        "credential `{id}` belongs to consumer `{username}`, which does not exist"
                    ),
                    &credential.origin,
                    vec!["id".into()],
                ));
            }
        }
    }
}

/// The objects of a model list, by its input name.
fn objects<'a>(env: &'a Environment, list: &str) -> Box<dyn Iterator<Item = &'a Resource> + 'a> {
    match list {
        "routes" => Box::new(env.routes.iter().map(|r| &r.resource)),
        "services" => Box::new(env.services.iter()),
        "stream_routes" => Box::new(env.stream_routes.iter()),
        "consumers" => Box::new(env.consumers.iter()),
        "upstreams" => Box::new(env.upstreams.iter()),
        "consumer_groups" => Box::new(env.consumer_groups.iter()),
        "plugin_configs" => Box::new(env.plugin_configs.iter()),
        "ssls" => Box::new(env.ssls.iter()),
        _ => Box::new(std::iter::empty()),
    }
}

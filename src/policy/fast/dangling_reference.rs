//! `dangling-reference` (`policies/dangling-reference.rego`): in standalone files,
//! an id that names no object of the environment.

use super::common::{get, id_text, label, path, result};
use crate::format::Format;
use crate::model::{Environment, Resource};
use crate::policy::plan::Plan;
use crate::policy::PolicyResult;
use foldhash::HashSet;
use serde_json::Value;

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

pub fn plan<'a>(env: &'a Environment, _params: &'a Value) -> Plan<'a> {
    let (from_routes, from_others): (Vec<_>, Vec<_>) =
        REFERENCES.iter().partition(|(from, _, _)| *from == ROUTES);
    let route_targets: Vec<(&[&str], List, HashSet<&str>)> = from_routes
        .into_iter()
        .map(|&(_, field, to)| (field, to, ids(env, to.0)))
        .collect();
    Plan::per_route(move |route, out| {
        let obj = &route.resource;
        if obj.format != Format::Standalone {
            return;
        }
        for (field, to, ids) in &route_targets {
            check_reference(obj, (ROUTES, field, *to), ids, out);
        }
    })
    .then(move |out| {
        for &(from, field, to) in from_others {
            let ids = ids(env, to.0);
            for obj in objects(env, from.0).filter(|o| o.format == Format::Standalone) {
                check_reference(obj, (from, field, to), &ids, out);
            }
        }
        check_credentials(env, out);
    })
}

/// The ids of the objects of `list`.
fn ids<'a>(env: &'a Environment, list: &str) -> HashSet<&'a str> {
    objects(env, list).map(|o| o.id.as_str()).collect()
}

/// Report `obj`'s reference at `field`, when it names no object of `ids`.
fn check_reference(
    obj: &Resource,
    (from, field, to): (List, &[&str], List),
    ids: &HashSet<&str>,
    out: &mut Vec<PolicyResult>,
) {
    let Some(id) = get(obj.body.json(), field).and_then(id_text) else {
        return;
    };
    if ids.contains(id.as_str()) {
        return;
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

/// Report standalone credentials whose id names a consumer that does not exist.
fn check_credentials(env: &Environment, out: &mut Vec<PolicyResult>) {
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

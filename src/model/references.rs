//! References between resources: an id that names no resource of the environment.
//!
//! In APISIX standalone files resources refer to each other by id (a route's
//! `service_id`, `upstream_id` and `plugin_config_id`, a service's `upstream_id`, a
//! stream route's `service_id` and `upstream_id`, a consumer's `group_id`, an
//! upstream's `tls.client_cert_id`, and the `<username>` of a credential id
//! `<username>/credentials/<id>`). Each reference must name a resource of the
//! merged environment; one that does not is a `ref/dangling-<kind>` finding, `kind`
//! being what it should name. APISIX's Admin API refuses such an object (`failed to
//! fetch service info by service id [...]`). ADC files nest resources instead of
//! referring to them, so only standalone objects are checked.
//!
//! This is a fact about the gateway, not a policy: it runs whatever policies are
//! enabled. The routes, which can number 100,000, are checked in parallel, with
//! one set lookup per reference they hold.

use super::{Documents, Environment, JsonRef, Resource};
use crate::finding::{Finding, Severity};
use crate::format::Format;
use crate::load::document::join_pointer;
use foldhash::HashSet;
use rayon::prelude::*;

/// What a reference names: the rule's kind (`ref/dangling-<kind>`) and the
/// resource as prose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// The kind in the rule id.
    pub kind: &'static str,
    /// The resource as messages name it.
    pub noun: &'static str,
}

const SERVICE: Target = Target {
    kind: "service",
    noun: "service",
};
const UPSTREAM: Target = Target {
    kind: "upstream",
    noun: "upstream",
};
const PLUGIN_CONFIG: Target = Target {
    kind: "plugin-config",
    noun: "plugin config",
};
const CONSUMER_GROUP: Target = Target {
    kind: "consumer-group",
    noun: "consumer group",
};
const SSL: Target = Target {
    kind: "ssl",
    noun: "SSL",
};
const CONSUMER: Target = Target {
    kind: "consumer",
    noun: "consumer",
};

/// Every kind of resource a reference can name, with the fields that refer to it
/// (for `gwlint explain`).
pub const TARGETS: &[(Target, &str)] = &[
    (
        SERVICE,
        "a route's or stream route's `service_id` names no service",
    ),
    (
        UPSTREAM,
        "a route's, service's or stream route's `upstream_id` names no upstream",
    ),
    (
        PLUGIN_CONFIG,
        "a route's `plugin_config_id` names no plugin config",
    ),
    (
        CONSUMER_GROUP,
        "a consumer's `group_id` names no consumer group",
    ),
    (
        SSL,
        "an upstream's `tls.client_cert_id` names no SSL object",
    ),
    (
        CONSUMER,
        "the `<username>` of a credential id `<username>/credentials/<id>` names no consumer",
    ),
];

/// The references of routes: `(field path, target)`.
const ROUTE_REFERENCES: &[(&[&str], Target)] = &[
    (&["service_id"], SERVICE),
    (&["upstream_id"], UPSTREAM),
    (&["plugin_config_id"], PLUGIN_CONFIG),
];

/// The references of the other resources.
fn other_references(env: &Environment) -> [(&[Resource], &'static str, &[&str], Target); 5] {
    [
        (&env.services, "service", &["upstream_id"], UPSTREAM),
        (&env.stream_routes, "stream route", &["service_id"], SERVICE),
        (
            &env.stream_routes,
            "stream route",
            &["upstream_id"],
            UPSTREAM,
        ),
        (&env.consumers, "consumer", &["group_id"], CONSUMER_GROUP),
        (&env.upstreams, "upstream", &["tls", "client_cert_id"], SSL),
    ]
}

/// The ids of each kind of resource a reference can name.
struct Ids<'a> {
    services: HashSet<&'a str>,
    upstreams: HashSet<&'a str>,
    plugin_configs: HashSet<&'a str>,
    consumer_groups: HashSet<&'a str>,
    ssls: HashSet<&'a str>,
    consumers: HashSet<&'a str>,
}

impl<'a> Ids<'a> {
    fn of(env: &'a Environment) -> Self {
        let ids = |list: &'a [Resource]| list.iter().map(|r| r.id.as_str()).collect();
        Ids {
            services: ids(&env.services),
            upstreams: ids(&env.upstreams),
            plugin_configs: ids(&env.plugin_configs),
            consumer_groups: ids(&env.consumer_groups),
            ssls: ids(&env.ssls),
            consumers: ids(&env.consumers),
        }
    }

    fn of_target(&self, target: Target) -> &HashSet<&'a str> {
        match target.kind {
            "service" => &self.services,
            "upstream" => &self.upstreams,
            "plugin-config" => &self.plugin_configs,
            "consumer-group" => &self.consumer_groups,
            "ssl" => &self.ssls,
            _ => &self.consumers,
        }
    }
}

/// Every reference of the environment's standalone objects that names no resource,
/// in model order (routes first).
#[must_use]
pub fn dangling(env: &Environment, documents: &Documents<'_>) -> Vec<Finding> {
    let ids = Ids::of(env);
    let mut findings: Vec<Finding> = env
        .routes
        .par_iter()
        .filter(|route| route.resource.format == Format::Standalone)
        .flat_map_iter(|route| {
            ROUTE_REFERENCES.iter().filter_map(|&(field, target)| {
                check(&route.resource, "route", field, target, &ids, documents)
            })
        })
        .collect();
    for (list, noun, field, target) in other_references(env) {
        findings.extend(
            list.iter()
                .filter(|r| r.format == Format::Standalone)
                .filter_map(|r| check(r, noun, field, target, &ids, documents)),
        );
    }
    findings.extend(credentials(env, &ids, documents));
    findings
}

/// The finding for `resource`'s reference at `field`, when it names nothing.
fn check(
    resource: &Resource,
    noun: &str,
    field: &[&str],
    target: Target,
    ids: &Ids<'_>,
    documents: &Documents<'_>,
) -> Option<Finding> {
    let value = field
        .iter()
        .try_fold(resource.body.json(), |v, key| v.get(key))?;
    let id = JsonRef::as_id(value)?;
    if ids.of_target(target).contains(id.as_str()) {
        return None;
    }
    let message = format!(
        "{noun} `{}` refers to {} `{id}` (`{}`), which does not exist",
        label(resource),
        target.noun,
        field.join(".")
    );
    Some(finding(target, message, resource, field, documents))
}

/// Standalone credentials whose id names a consumer that does not exist.
fn credentials(env: &Environment, ids: &Ids<'_>, documents: &Documents<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for credential in env
        .credentials
        .iter()
        .filter(|c| c.format == Format::Standalone)
    {
        let Some(id) = credential.body.json().get("id").and_then(JsonRef::as_id) else {
            continue;
        };
        let parts: Vec<&str> = id.split("/credentials/").collect();
        if let [username, _] = parts[..] {
            if !ids.consumers.contains(username) {
                let message = format!(
                    "credential `{id}` belongs to consumer `{username}`, which does not exist"
                );
                findings.push(finding(CONSUMER, message, credential, &["id"], documents));
            }
        }
    }
    findings
}

fn finding(
    target: Target,
    message: String,
    resource: &Resource,
    field: &[&str],
    documents: &Documents<'_>,
) -> Finding {
    let pointer = field
        .iter()
        .fold(resource.origin.pointer.clone(), |p, key| {
            join_pointer(&p, key)
        });
    Finding::new(
        format!("ref/dangling-{}", target.kind),
        Severity::Error,
        message,
        help(target),
        documents.locate(&resource.origin.source, &pointer),
    )
}

/// How to fix a dangling reference to a `target`.
#[must_use]
pub fn help(target: Target) -> String {
    format!(
        "point the reference at the id of an existing {0}, or add the missing {0}: APISIX refuses a reference to a missing {0}",
        target.noun
    )
}

/// A resource as messages name it: its name, or its id.
fn label(resource: &Resource) -> &str {
    match resource.name.as_deref() {
        Some(name) if !name.is_empty() => name,
        _ => &resource.id,
    }
}

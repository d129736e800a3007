//! Merging an environment's files: one definition per merge key.
//!
//! ADC merges `-f` files by key (services by name, consumers by username, SSLs by
//! their SNIs, global rules and plugin metadata by plugin name) and refuses a key
//! defined twice; standalone resources are keyed by id. Every later definition is a
//! `ref/duplicate-<kind>` finding that shows both places, and the first definition
//! stays in the model, the later ones are left out. ADC services are the exception:
//! each definition keeps the routes, stream routes and upstreams written in it (as
//! ADC nests them), so every copy stays in the model and each route keeps the
//! service it is written in, whichever file sorts first. The duplicate is then the
//! only finding about the copies: rules look a route's service up by where the
//! route is written, not by the id both copies share.

use super::{Documents, Environment, Resource};
use crate::finding::{Finding, Severity};
use crate::format::Format;
use foldhash::HashMap;
use foldhash::HashMapExt as _;

/// Remove duplicate definitions from the model and report them.
pub fn deduplicate(env: &mut Environment, documents: &Documents<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    findings.extend(dedup_list(
        "service",
        &mut env.services,
        |r| r,
        by_name_or_id,
        |r| r.format == Format::Adc,
        documents,
    ));
    let mut run = |kind: &str, list: &mut Vec<Resource>, key: fn(&Resource) -> Option<String>| {
        findings.extend(dedup_list(kind, list, |r| r, key, |_| false, documents));
    };
    run("consumer", &mut env.consumers, |r| Some(r.id.clone()));
    run("ssl", &mut env.ssls, by_name_or_id);
    run("global-rule", &mut env.global_rules, |r| Some(r.id.clone()));
    run("plugin-metadata", &mut env.plugin_metadata, |r| {
        Some(r.id.clone())
    });
    run("upstream", &mut env.upstreams, standalone_id);
    run("plugin-config", &mut env.plugin_configs, standalone_id);
    run("consumer-group", &mut env.consumer_groups, standalone_id);
    run("credential", &mut env.credentials, standalone_id);
    run("stream-route", &mut env.stream_routes, standalone_id);
    findings.extend(dedup_list(
        "route",
        &mut env.routes,
        |r| &r.resource,
        standalone_id,
        |_| false,
        documents,
    ));
    findings
}

/// ADC services and SSLs merge by name (SNIs for SSLs); standalone ones by id.
fn by_name_or_id(resource: &Resource) -> Option<String> {
    match resource.format {
        Format::Adc => resource.name.clone(),
        Format::Standalone => Some(resource.id.clone()),
    }
}

/// Standalone resources are unique by id; ADC children are checked elsewhere.
fn standalone_id(resource: &Resource) -> Option<String> {
    (resource.format == Format::Standalone).then(|| resource.id.clone())
}

/// Keep the first item of each key; report the others, and leave them out unless
/// `stays` says a later definition stays in the model. `resource` reaches an
/// item's resource (the item itself, or a route's).
fn dedup_list<T>(
    kind: &str,
    list: &mut Vec<T>,
    resource: fn(&T) -> &Resource,
    key: fn(&Resource) -> Option<String>,
    stays: fn(&Resource) -> bool,
    documents: &Documents<'_>,
) -> Vec<Finding> {
    let mut first: HashMap<String, usize> = HashMap::new();
    let mut findings = Vec::new();
    let mut keep = Vec::with_capacity(list.len());
    for (index, item) in list.iter().enumerate() {
        let Some(k) = key(resource(item)) else {
            keep.push(true);
            continue;
        };
        if let Some(&earlier) = first.get(&k) {
            let earlier = resource(&list[earlier]);
            findings.push(duplicate(kind, &k, earlier, resource(item), documents));
            keep.push(stays(resource(item)));
        } else {
            first.insert(k, index);
            keep.push(true);
        }
    }
    let mut flags = keep.into_iter();
    list.retain(|_| flags.next().unwrap_or(true));
    findings
}

fn duplicate(
    kind: &str,
    key: &str,
    first: &Resource,
    second: &Resource,
    documents: &Documents<'_>,
) -> Finding {
    let field = key_field(kind, second.format);
    let at = |r: &Resource| {
        let pointer = format!("{}{field}", r.origin.pointer);
        documents.locate(&r.origin.source, &pointer)
    };
    let what = kind.replace('-', " ");
    let message = if first.origin.file() == second.origin.file() {
        format!("{what} `{key}` is defined twice in this file")
    } else {
        format!(
            "{what} `{key}` is already defined in {}",
            first.origin.file()
        )
    };
    Finding::new(
        format!("ref/duplicate-{kind}"),
        Severity::Error,
        message,
        format!(
            "keep one definition of this {what}: ADC refuses to merge files that define it twice"
        ),
        at(second),
    )
    .with_related("first defined here", at(first))
}

/// The field that holds a resource's merge key (where the finding points).
fn key_field(kind: &str, format: Format) -> &'static str {
    match (kind, format) {
        ("service", Format::Adc) => "/name",
        ("consumer", _) => "/username",
        ("ssl", Format::Adc) => "/snis",
        ("global-rule" | "plugin-metadata", Format::Adc) => "",
        _ => "/id",
    }
}

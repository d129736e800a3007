//! `gwlint diff A B`: what differs between two environments, for promotion reviews.
//!
//! Compares two environment models resource by resource, matched by name (routes
//! by service and route name, consumers by username, SSLs by SNIs, global rules and
//! plugin metadata by plugin name): resources only in one environment, and, for
//! resources in both, plugins present on one side only or configured differently
//! and other fields that differ. Fields the config marks as environment-specific
//! (`diff.ignore`, e.g. `hosts`, `nodes`) are left out of the comparison.

use crate::model::{Environment, Resource};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// Resource kind (`service`, `route`, ...).
    pub kind: String,
    /// The resource's name (`service/route` for routes).
    pub name: String,
    /// `only_in_left`, `only_in_right`, `plugin_only_in_left`, `plugin_only_in_right`,
    /// `plugin_differs` or `field_differs`.
    pub change: String,
    /// The plugin or field concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Compare two environments, ignoring the named fields anywhere in a resource.
#[must_use]
pub fn compare(left: &Environment, right: &Environment, ignore: &[String]) -> Vec<Difference> {
    let mut out = Vec::new();
    let service_names = |env: &Environment| -> BTreeMap<String, String> {
        env.services
            .iter()
            .map(|s| (s.id.clone(), s.name.clone().unwrap_or_default()))
            .collect()
    };
    let (left_services, right_services) = (service_names(left), service_names(right));
    let route_key = |services: &BTreeMap<String, String>, r: &crate::model::Route| {
        let service = r
            .service_id
            .as_ref()
            .and_then(|id| services.get(id))
            .cloned()
            .unwrap_or_default();
        format!(
            "{service}/{}",
            r.resource
                .name
                .clone()
                .unwrap_or_else(|| r.resource.id.clone())
        )
    };
    let pairs: [(&str, Keyed<'_>, Keyed<'_>); 7] = [
        ("service", keyed(&left.services), keyed(&right.services)),
        (
            "route",
            left.routes
                .iter()
                .map(|r| (route_key(&left_services, r), &r.resource))
                .collect(),
            right
                .routes
                .iter()
                .map(|r| (route_key(&right_services, r), &r.resource))
                .collect(),
        ),
        ("upstream", keyed(&left.upstreams), keyed(&right.upstreams)),
        ("consumer", keyed(&left.consumers), keyed(&right.consumers)),
        ("ssl", keyed(&left.ssls), keyed(&right.ssls)),
        (
            "global_rule",
            keyed(&left.global_rules),
            keyed(&right.global_rules),
        ),
        (
            "plugin_metadata",
            keyed(&left.plugin_metadata),
            keyed(&right.plugin_metadata),
        ),
    ];
    for (kind, l, r) in pairs {
        compare_kind(kind, &l, &r, ignore, &mut out);
    }
    out
}

/// Resources with the name they are matched by.
type Keyed<'a> = Vec<(String, &'a Resource)>;

/// Resources keyed by name (or id when they have none).
fn keyed(resources: &[Resource]) -> Keyed<'_> {
    resources
        .iter()
        .map(|r| (r.name.clone().unwrap_or_else(|| r.id.clone()), r))
        .collect()
}

/// The first resource of each name (an ADC service defined twice is in the model
/// twice, with its routes; `gwlint check` reports the duplicate).
fn first_by_name<'a>(side: &'a [(String, &'a Resource)]) -> BTreeMap<&'a str, &'a Resource> {
    let mut map = BTreeMap::new();
    for (name, resource) in side {
        map.entry(name.as_str()).or_insert(*resource);
    }
    map
}

fn compare_kind(
    kind: &str,
    left: &[(String, &Resource)],
    right: &[(String, &Resource)],
    ignore: &[String],
    out: &mut Vec<Difference>,
) {
    let (l, r) = (first_by_name(left), first_by_name(right));
    let difference = |name: &str, change: &str, detail: Option<String>| Difference {
        kind: kind.to_owned(),
        name: name.to_owned(),
        change: change.to_owned(),
        detail,
    };
    for (name, resource) in &l {
        match r.get(name) {
            None => out.push(difference(name, "only_in_left", None)),
            Some(other) => {
                let (left, right) = (
                    resource.body.json().to_value(),
                    other.body.json().to_value(),
                );
                for (change, detail) in compare_bodies(&left, &right, ignore) {
                    out.push(difference(name, &change, Some(detail)));
                }
            }
        }
    }
    for name in r.keys().filter(|name| !l.contains_key(*name)) {
        out.push(difference(name, "only_in_right", None));
    }
}

/// Differences between two bodies: plugin by plugin, then other top-level fields.
fn compare_bodies(left: &Value, right: &Value, ignore: &[String]) -> Vec<(String, String)> {
    let (left, right) = (strip(left, ignore), strip(right, ignore));
    let mut out = Vec::new();
    let plugins = |v: &Value| {
        v.get("plugins")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let (lp, rp) = (plugins(&left), plugins(&right));
    for (name, config) in &lp {
        match rp.get(name) {
            None => out.push(("plugin_only_in_left".into(), name.clone())),
            Some(other) if other != config => out.push(("plugin_differs".into(), name.clone())),
            Some(_) => {}
        }
    }
    for name in rp.keys().filter(|n| !lp.contains_key(*n)) {
        out.push(("plugin_only_in_right".into(), name.clone()));
    }
    let fields = |v: &Value| -> Map<String, Value> {
        v.as_object()
            .map(|o| {
                o.iter()
                    .filter(|(k, _)| *k != "plugins")
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (lf, rf) = (fields(&left), fields(&right));
    let mut names: Vec<&String> = lf.keys().chain(rf.keys()).collect();
    names.sort();
    names.dedup();
    for name in names {
        if lf.get(name) != rf.get(name) {
            out.push(("field_differs".into(), name.clone()));
        }
    }
    out
}

/// A copy without the ignored field names, at any depth.
fn strip(value: &Value, ignore: &[String]) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !ignore.contains(k))
                .map(|(k, v)| (k.clone(), strip(v, ignore)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|i| strip(i, ignore)).collect()),
        other => other.clone(),
    }
}

/// The differences as text, one per line.
#[must_use]
pub fn to_text(left: &str, right: &str, differences: &[Difference]) -> String {
    if differences.is_empty() {
        return format!("{left} and {right} have the same resources and plugin configurations\n");
    }
    let mut text = String::new();
    for d in differences {
        let line = match d.change.as_str() {
            "only_in_left" => format!("{} `{}`: only in {left}", d.kind, d.name),
            "only_in_right" => format!("{} `{}`: only in {right}", d.kind, d.name),
            "plugin_only_in_left" => format!(
                "{} `{}`: plugin `{}` only in {left}",
                d.kind,
                d.name,
                d.detail.as_deref().unwrap_or("")
            ),
            "plugin_only_in_right" => format!(
                "{} `{}`: plugin `{}` only in {right}",
                d.kind,
                d.name,
                d.detail.as_deref().unwrap_or("")
            ),
            "plugin_differs" => format!(
                "{} `{}`: plugin `{}` is configured differently",
                d.kind,
                d.name,
                d.detail.as_deref().unwrap_or("")
            ),
            _ => format!(
                "{} `{}`: `{}` differs",
                d.kind,
                d.name,
                d.detail.as_deref().unwrap_or("")
            ),
        };
        text.push_str(&line);
        text.push('\n');
    }
    text.push_str(&format!(
        "{} difference(s) between {left} and {right}\n",
        differences.len()
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Format;
    use crate::model::of_text;

    #[test]
    fn a_service_defined_twice_is_compared_by_its_first_definition() {
        let twice = "services:
  - name: orders
    desc: first
  - name: orders
    desc: second
";
        let once = "services:
  - name: orders
    desc: first
";
        let left = of_text("left.yaml", twice, Format::Adc);
        let right = of_text("right.yaml", once, Format::Adc);
        assert_eq!(left.services.len(), 2);
        assert_eq!(compare(&left, &right, &[]), []);
    }
}

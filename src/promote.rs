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
    /// For `plugin_differs` and `field_differs`: the paths below the plugin's
    /// configuration or the field whose values differ (`session.secret`,
    /// `nodes[0].port`), the values themselves never (they may be secrets). Empty when
    /// the whole value differs (e.g. another type).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
}

/// At most this many differing paths are kept per difference.
const MAX_PATHS: usize = 20;

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
            .as_deref()
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
        ("upstream", upstreams(left), upstreams(right)),
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

/// Upstreams keyed by name; an unnamed one by the services that use it
/// (`service:orders`), as an ADC inline upstream or by `upstream_id`; by id otherwise.
fn upstreams(env: &Environment) -> Keyed<'_> {
    env.upstreams
        .iter()
        .map(|upstream| {
            if let Some(name) = &upstream.name {
                return (name.clone(), upstream);
            }
            let mut users: Vec<&str> = env
                .services
                .iter()
                .filter(|s| {
                    (s.format == crate::format::Format::Adc && s.id == upstream.id)
                        || s.body
                            .json()
                            .get("upstream_id")
                            .map(crate::model::compact::JsonRef::to_value)
                            .is_some_and(|id| id_text(&id) == upstream.id)
                })
                .map(|s| s.name.as_deref().unwrap_or(&s.id))
                .collect();
            users.sort_unstable();
            users.dedup();
            if users.is_empty() {
                (upstream.id.clone(), upstream)
            } else {
                (format!("service:{}", users.join(",")), upstream)
            }
        })
        .collect()
}

/// An id as text: a string as it is, a number in decimal.
fn id_text(id: &Value) -> String {
    match id {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

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
        paths: Vec::new(),
    };
    for (name, resource) in &l {
        match r.get(name) {
            None => out.push(difference(name, "only_in_left", None)),
            Some(other) => {
                let (left, right) = (
                    resource.body.json().to_value(),
                    other.body.json().to_value(),
                );
                for (change, detail, paths) in compare_bodies(&left, &right, ignore) {
                    out.push(Difference {
                        paths,
                        ..difference(name, &change, Some(detail))
                    });
                }
            }
        }
    }
    for name in r.keys().filter(|name| !l.contains_key(*name)) {
        out.push(difference(name, "only_in_right", None));
    }
}

/// The paths below two values at which they differ (`a.b`, `list[2]`), at most
/// [`MAX_PATHS`]; none when the values themselves differ at the top (another type, a
/// scalar, lists of different lengths).
#[must_use]
pub fn differing_paths(left: &Value, right: &Value) -> Vec<String> {
    let mut paths = Vec::new();
    walk_differences(left, right, String::new(), &mut paths);
    paths.retain(|p| !p.is_empty());
    paths
}

fn walk_differences(left: &Value, right: &Value, at: String, out: &mut Vec<String>) {
    if left == right || out.len() >= MAX_PATHS {
        return;
    }
    match (left, right) {
        (Value::Object(l), Value::Object(r)) => {
            let mut keys: Vec<&String> = l.keys().chain(r.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let path = if at.is_empty() {
                    key.clone()
                } else {
                    format!("{at}.{key}")
                };
                match (l.get(key), r.get(key)) {
                    (Some(a), Some(b)) => walk_differences(a, b, path, out),
                    _ => out.push(path),
                }
                if out.len() >= MAX_PATHS {
                    return;
                }
            }
        }
        (Value::Array(l), Value::Array(r)) if l.len() == r.len() => {
            for (index, (a, b)) in l.iter().zip(r).enumerate() {
                walk_differences(a, b, format!("{at}[{index}]"), out);
                if out.len() >= MAX_PATHS {
                    return;
                }
            }
        }
        _ => out.push(at),
    }
}

/// Differences between two bodies: plugin by plugin, then other top-level fields;
/// each with the plugin or field, and the paths below it that differ.
fn compare_bodies(
    left: &Value,
    right: &Value,
    ignore: &[String],
) -> Vec<(String, String, Vec<String>)> {
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
            None => out.push(("plugin_only_in_left".into(), name.clone(), Vec::new())),
            Some(other) if other != config => out.push((
                "plugin_differs".into(),
                name.clone(),
                differing_paths(config, other),
            )),
            Some(_) => {}
        }
    }
    for name in rp.keys().filter(|n| !lp.contains_key(*n)) {
        out.push(("plugin_only_in_right".into(), name.clone(), Vec::new()));
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
            let paths = match (lf.get(name), rf.get(name)) {
                (Some(a), Some(b)) => differing_paths(a, b),
                _ => Vec::new(),
            };
            out.push(("field_differs".into(), name.clone(), paths));
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

/// The paths as text (" at" and each path in backticks); nothing without paths.
fn paths_text(paths: &[String]) -> String {
    if paths.is_empty() {
        return String::new();
    }
    let listed: Vec<String> = paths.iter().map(|p| format!("`{p}`")).collect();
    let more = if paths.len() >= MAX_PATHS {
        ", ..."
    } else {
        ""
    };
    format!(" at {}{more}", listed.join(", "))
}

/// The differences as text, one per line.
#[must_use]
pub fn to_text(left: &str, right: &str, differences: &[Difference]) -> String {
    if differences.is_empty() {
        return format!("{left} and {right} have the same resources and plugin configurations\n");
    }
    let mut text = String::new();
    for d in differences {
        let what = match d.name.strip_prefix("service:") {
            Some(services) if d.kind == "upstream" => {
                format!("upstream of service `{}`", services.replace(',', "`, `"))
            }
            _ => format!("{} `{}`", d.kind, d.name),
        };
        let line = match d.change.as_str() {
            "only_in_left" => format!("{what}: only in {left}"),
            "only_in_right" => format!("{what}: only in {right}"),
            "plugin_only_in_left" => format!(
                "{what}: plugin `{}` only in {left}",
                d.detail.as_deref().unwrap_or("")
            ),
            "plugin_only_in_right" => format!(
                "{what}: plugin `{}` only in {right}",
                d.detail.as_deref().unwrap_or("")
            ),
            "plugin_differs" => format!(
                "{what}: plugin `{}` is configured differently{}",
                d.detail.as_deref().unwrap_or(""),
                paths_text(&d.paths)
            ),
            _ => format!(
                "{what}: `{}` differs{}",
                d.detail.as_deref().unwrap_or(""),
                paths_text(&d.paths)
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
    use serde_json::json;

    #[test]
    fn differing_paths_name_the_leaves_not_the_values() {
        let left = json!({"client_id": "a", "session": {"secret": "x", "cookie": {"lifetime": 3600}}, "scopes": ["openid", "email"]});
        let right = json!({"client_id": "a", "session": {"secret": "y", "cookie": {"lifetime": 3600}}, "scopes": ["openid", "profile"], "bearer_only": true});
        assert_eq!(
            differing_paths(&left, &right),
            ["bearer_only", "scopes[1]", "session.secret"]
        );
        // Lists of different lengths, and values of different types, differ as a whole.
        assert_eq!(
            differing_paths(&json!({"n": [1]}), &json!({"n": [1, 2]})),
            ["n"]
        );
        assert!(differing_paths(&json!(1), &json!("1")).is_empty());
        let many_left: Map<String, Value> =
            (0..50).map(|i| (format!("k{i:02}"), json!(i))).collect();
        let many_right: Map<String, Value> = (0..50)
            .map(|i| (format!("k{i:02}"), json!(-i - 1)))
            .collect();
        assert_eq!(
            differing_paths(&Value::Object(many_left), &Value::Object(many_right)).len(),
            MAX_PATHS
        );
    }

    #[test]
    fn text_names_fields_and_the_service_of_an_unnamed_upstream() {
        let differences = [
            Difference {
                kind: "service".into(),
                name: "orders".into(),
                change: "plugin_differs".into(),
                detail: Some("openid-connect".into()),
                paths: vec!["client_secret".into(), "session.secret".into()],
            },
            Difference {
                kind: "upstream".into(),
                name: "service:orders".into(),
                change: "field_differs".into(),
                detail: Some("nodes".into()),
                paths: vec!["[0].port".into()],
            },
        ];
        assert_eq!(
            to_text("staging", "production", &differences),
            "service `orders`: plugin `openid-connect` is configured differently at `client_secret`, `session.secret`\n\
             upstream of service `orders`: `nodes` differs at `[0].port`\n\
             2 difference(s) between staging and production\n"
        );
    }

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

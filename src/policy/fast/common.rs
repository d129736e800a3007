//! What the Rego library `gwlint.lib` gives the built-in rules, for their Rust
//! twins: labels, plugin locations, upstream sites, string leaves, `${VAR}`
//! placeholders and rule parameters, with the same meaning as in
//! `policies/lib/gwlint.rego`.

use crate::format::Format;
use crate::model::{parent_pointer, Environment, JsonRef, Kind, Origin, Resource, Route};
use crate::policy::PolicyResult;
use foldhash::HashMapExt as _;
use foldhash::{HashMap, HashSet};
use serde_json::Value;
use std::collections::BTreeSet;

/// How a finding names a model object: its name, else its id (`lib.label`).
pub fn label(resource: &Resource) -> &str {
    match resource.name.as_deref() {
        Some(name) if !name.is_empty() => name,
        _ => &resource.id,
    }
}

/// A kind as prose: `plugin_config` → `plugin config`.
pub fn spaced(kind: &str) -> String {
    kind.replace('_', " ")
}

/// A result about the object at `at` (file and pointer), at `field` below it.
pub fn result_at(msg: String, at: (&str, &str), field: Vec<String>) -> PolicyResult {
    PolicyResult {
        msg,
        at: Some((at.0.to_owned(), at.1.to_owned())),
        field,
        related: Vec::new(),
        id: None,
    }
}

/// A result about the object written at `origin`.
pub fn result(msg: String, origin: &Origin, field: Vec<String>) -> PolicyResult {
    result_at(msg, (origin.file(), &origin.pointer), field)
}

/// A field path of keys.
pub fn path(keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| (*k).to_owned()).collect()
}

/// The value at `keys` below `value`, through objects only.
pub fn get<'a>(value: JsonRef<'a>, keys: &[&str]) -> Option<JsonRef<'a>> {
    keys.iter().try_fold(value, |v, key| v.get(key))
}

/// Whether a Rego reference to this value succeeds as a condition: defined and not
/// `false`.
pub fn truthy(value: Option<JsonRef<'_>>) -> bool {
    value.is_some_and(|value| value.as_bool() != Some(false))
}

/// Whether a plugin configuration switches itself off (`_meta.disable: true`).
pub fn switched_off_conf(conf: JsonRef<'_>) -> bool {
    get(conf, &["_meta", "disable"]).and_then(JsonRef::as_bool) == Some(true)
}

/// Whether the object was written in an ADC file.
pub fn is_adc(resource: &Resource) -> bool {
    resource.format == Format::Adc
}

/// An ADC global rule: one plugin written as `global_rules: {<plugin>: conf}`.
pub fn is_adc_global_rule(resource: &Resource) -> bool {
    resource.kind == "global_rule" && is_adc(resource)
}

/// Where the configuration of plugin `name` of `obj` is written (`lib.plugin_at`):
/// file and pointer.
pub fn plugin_at(obj: &Resource, name: &str) -> (String, String) {
    (obj.origin.file().to_owned(), obj.plugin_pointer(name))
}

/// Where `path` inside `obj`'s configuration is written (`lib.config_location`):
/// ADC global rules drop their synthetic `plugins/<name>` prefix.
pub fn config_field(obj: &Resource, path: Vec<String>) -> Vec<String> {
    if is_adc_global_rule(obj) && path.len() >= 2 && path[0] == "plugins" {
        return path[2..].to_vec();
    }
    path
}

/// An id written in a standalone file: a string, or a number such as `id: 1`.
pub fn id_text(value: JsonRef<'_>) -> Option<String> {
    value.as_id()
}

/// `{id: object}` where the first object of an id wins (`lib.first_by_id`).
pub fn first_by_id(resources: &[Resource]) -> HashMap<&str, &Resource> {
    let mut by_id = HashMap::with_capacity(resources.len());
    for resource in resources {
        by_id.entry(resource.id.as_str()).or_insert(resource);
    }
    by_id
}

/// Where routes belong (`lib.route_service`, `lib.duplicate_copies`): an ADC route
/// to the service it is written in, a standalone route to the first service its
/// `service_id` names. An ADC service defined twice stays in the model twice, with
/// the same id, so ADC services are found by where they are written.
pub struct RouteServices<'a> {
    by_id: HashMap<&'a str, &'a Resource>,
    /// ADC services by file and pointer.
    written_at: HashMap<(&'a str, &'a str), &'a Resource>,
    /// Whether two ADC services share a name (`ref/duplicate-service`).
    copies: bool,
}

impl<'a> RouteServices<'a> {
    pub fn new(env: &'a Environment) -> Self {
        let mut written_at = HashMap::new();
        let mut names = HashSet::default();
        let mut copies = false;
        for service in env.services.iter().filter(|s| is_adc(s)) {
            written_at.insert(
                (service.origin.file(), service.origin.pointer.as_str()),
                service,
            );
            copies |= !names.insert(service.name.as_deref());
        }
        RouteServices {
            by_id: first_by_id(&env.services),
            written_at,
            copies,
        }
    }

    /// The service `route` belongs to.
    pub fn of(&self, route: &Route) -> Option<&'a Resource> {
        let resource = &route.resource;
        if is_adc(resource) {
            return self.parent(resource);
        }
        route
            .service_id
            .as_deref()
            .and_then(|id| self.by_id.get(id).copied())
    }

    /// The ADC service an ADC object (route, stream route) is written in.
    fn parent(&self, obj: &Resource) -> Option<&'a Resource> {
        let at = (obj.origin.file(), parent_pointer(&obj.origin.pointer));
        self.written_at.get(&at).copied()
    }

    /// Whether `a` and `b` are ADC objects written in two different services of the
    /// same name: two copies of a service defined twice, whose contents are not
    /// compared with each other.
    pub fn copies(&self, a: &Resource, b: &Resource) -> bool {
        if !self.copies || !is_adc(a) || !is_adc(b) {
            return false;
        }
        match (self.parent(a), self.parent(b)) {
            (Some(x), Some(y)) => !std::ptr::eq(x, y) && x.name.is_some() && x.name == y.name,
            _ => false,
        }
    }
}

/// A rule parameter that is a list: the set of its strings, or `default` when the
/// parameters do not give it.
pub fn string_set(params: &Value, name: &str, default: &[&str]) -> HashSet<String> {
    match params.get(name) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => default.iter().map(|s| (*s).to_owned()).collect(),
    }
}

/// A key or an index in a path below a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

impl Step<'_> {
    pub fn text(self) -> String {
        match self {
            Step::Key(key) => key.to_owned(),
            Step::Index(i) => i.to_string(),
        }
    }
}

/// How deep `lib.string_leaves` looks (Rego has no recursion).
pub const LEAF_DEPTH: usize = 16;

/// Every string below `value` (objects and arrays, at most 16 levels deep) with its
/// path (`lib.string_leaves`).
pub fn string_leaves<'a>(value: JsonRef<'a>, mut visit: impl FnMut(&[Step<'a>], &'a str)) {
    let mut path = Vec::new();
    walk(value, &mut path, &mut visit);
}

fn walk<'a>(
    value: JsonRef<'a>,
    path: &mut Vec<Step<'a>>,
    visit: &mut impl FnMut(&[Step<'a>], &'a str),
) {
    if path.len() == LEAF_DEPTH {
        return;
    }
    let mut child = |path: &mut Vec<Step<'a>>, step, child: JsonRef<'a>| {
        path.push(step);
        match child.kind() {
            Kind::String(s) => visit(path, s),
            Kind::Object(_) | Kind::Array(_) => walk(child, path, visit),
            _ => {}
        }
        path.pop();
    };
    match value.kind() {
        Kind::Object(map) => {
            for (key, item) in map.iter() {
                child(path, Step::Key(key), item);
            }
        }
        Kind::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                child(path, Step::Index(i), item);
            }
        }
        _ => {}
    }
}

/// The names of the `${VAR}` placeholders in `text` (ASCII word characters), not
/// counting escaped `\${VAR}` (`lib.placeholders`).
pub fn placeholders(text: &str) -> BTreeSet<&str> {
    let bytes = text.as_bytes();
    let mut names = BTreeSet::new();
    let mut i = 0;
    while i < bytes.len() {
        let escaped = bytes[i] == b'\\';
        let start = if escaped { i + 1 } else { i };
        match placeholder_at(bytes, start) {
            Some(end) => {
                if !escaped {
                    names.insert(&text[start + 2..end - 1]);
                }
                i = end;
            }
            None => i += 1,
        }
    }
    names
}

/// The end (after `}`) of a `${NAME}` starting at `start`.
fn placeholder_at(bytes: &[u8], start: usize) -> Option<usize> {
    let rest = bytes.get(start..)?.strip_prefix(b"${")?;
    let name = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    (name > 0 && rest.get(name) == Some(&b'}')).then_some(start + 2 + name + 1)
}

/// Whether a string is resolved elsewhere instead of being a literal: `$env://`,
/// `$secret://`, or holding a `${VAR}` placeholder (`lib.is_reference`).
pub fn is_reference(text: &str) -> bool {
    text.starts_with("$env://")
        || text.starts_with("$secret://")
        || (text.contains("${") && !placeholders(text).is_empty())
}

/// The sort key of a model object: document order (`lib.order`).
pub fn order(origin: &Origin) -> (&str, u32, u32, &str) {
    (origin.file(), origin.line, origin.column, &origin.pointer)
}

/// An upstream configuration and where it is written (`lib.upstream_sites`).
pub struct UpstreamSite<'a> {
    /// The upstream's configuration.
    pub config: JsonRef<'a>,
    /// The object it is written in.
    pub origin: &'a Origin,
    /// Its field path below `origin`.
    pub prefix: &'static [&'static str],
    /// How a finding names it.
    pub what: String,
    /// The model upstream's id; `None` inline.
    pub id: Option<&'a str>,
    /// `upstream`, or the kind that holds it inline.
    pub owner: &'static str,
}

impl UpstreamSite<'_> {
    /// A field path below the upstream.
    pub fn field(&self, keys: &[&str]) -> Vec<String> {
        path(self.prefix).into_iter().chain(path(keys)).collect()
    }
}

/// The model's upstreams and the inline `upstream` of services and stream routes:
/// every upstream site but those of routes (see [`inline_site`]).
pub fn upstream_sites_but_routes(env: &Environment) -> Vec<UpstreamSite<'_>> {
    let services = first_by_id(&env.services);
    let mut sites: Vec<UpstreamSite<'_>> = env
        .upstreams
        .iter()
        .map(|u| UpstreamSite {
            config: u.body.json(),
            origin: &u.origin,
            prefix: &[],
            what: upstream_name(u, &services),
            id: Some(&u.id),
            owner: "upstream",
        })
        .collect();
    sites.extend(
        env.services
            .iter()
            .chain(&env.stream_routes)
            .filter_map(inline_site),
    );
    sites
}

/// The inline `upstream` of a route, service or stream route, if it has one.
pub fn inline_site(obj: &Resource) -> Option<UpstreamSite<'_>> {
    let config = obj.body.json().get("upstream").filter(|c| c.is_object())?;
    Some(UpstreamSite {
        config,
        origin: &obj.origin,
        prefix: &["upstream"],
        what: format!(
            "the inline upstream of {} `{}`",
            spaced(obj.kind),
            label(obj)
        ),
        id: None,
        owner: obj.kind,
    })
}

/// How a finding names a model upstream: its name; an ADC inline upstream by its
/// service; else its id.
fn upstream_name(upstream: &Resource, services: &HashMap<&str, &Resource>) -> String {
    match upstream.name.as_deref() {
        Some(name) if !name.is_empty() => format!("upstream `{name}`"),
        _ => match services.get(upstream.id.as_str()) {
            Some(service) if is_adc(upstream) => {
                format!("the upstream of service `{}`", label(service))
            }
            _ => format!("upstream `{}`", upstream.id),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_skip_escaped_and_dotted_names() {
        assert_eq!(
            placeholders("${A}-${B_2}").into_iter().collect::<Vec<_>>(),
            ["A", "B_2"]
        );
        assert_eq!(
            placeholders("\\${A}${B}").into_iter().collect::<Vec<_>>(),
            ["B"]
        );
        assert!(placeholders("${a.b} ${} $A {A} ${").is_empty());
        assert_eq!(placeholders("$${A}").into_iter().collect::<Vec<_>>(), ["A"]);
    }

    #[test]
    fn references() {
        assert!(is_reference("$env://X"));
        assert!(is_reference("$secret://vault/a/b"));
        assert!(is_reference("Bearer ${TOKEN}"));
        assert!(!is_reference("plain"));
        assert!(!is_reference("\\${ESCAPED}"));
        assert!(!is_reference("env://X"));
    }

    #[test]
    fn string_leaves_list_paths_of_strings_to_sixteen_levels() {
        let compact = |value| crate::model::Body::from_value(&value).unwrap();
        let value = compact(serde_json::json!({"a": "x", "b": [1, {"c": "y"}], "d": true}));
        let mut leaves = Vec::new();
        string_leaves(value.json(), |path, s| leaves.push((path.to_vec(), s)));
        assert_eq!(
            leaves,
            [
                (vec![Step::Key("a")], "x"),
                (vec![Step::Key("b"), Step::Index(1), Step::Key("c")], "y")
            ]
        );
        let mut deep = serde_json::json!("bottom");
        for _ in 0..16 {
            deep = serde_json::json!([deep]);
        }
        let mut count = 0;
        let deeper = compact(serde_json::json!([deep]));
        string_leaves(compact(deep).json(), |_, _| count += 1);
        assert_eq!(count, 1);
        string_leaves(deeper.json(), |_, _| count += 1);
        assert_eq!(count, 1);
    }
}

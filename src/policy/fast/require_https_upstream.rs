//! `require-https-upstream` (`policies/require-https-upstream.rego`): in the
//! environments it names, an upstream whose `scheme` is plaintext, or missing
//! (APISIX defaults to `http`), unless every destination of the upstream is an
//! internal host (`internal_hosts`). The upstreams written in `traffic-split` rules
//! are checked too.

use super::common::{
    first_by_id, get, id_text, inline_site, is_adc, label, plugin_at, result_at, spaced,
    string_set, switched_off_conf, truthy, upstream_sites_but_routes, UpstreamSite,
};
use crate::model::{parent_pointer, Environment, JsonRef, Kind, Resource};
use crate::policy::plan::Plan;
use crate::policy::PolicyResult;
use foldhash::{HashMap, HashSet};
use serde_json::Value;
use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::Arc;

/// The default of the `internal_hosts` parameter (as in the rule's metadata).
const DEFAULT_INTERNAL_HOSTS: &[&str] = &[
    ".svc",
    ".svc.cluster.local",
    ".cluster.local",
    ".internal",
    "localhost",
    "127.0.0.0/8",
    "::1/128",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "fc00::/7",
];

pub fn plan<'a>(env: &'a Environment, params: &'a Value) -> Plan<'a> {
    let environments = string_set(params, "environments", &["production", "prod"]);
    if !environments.contains(&env.name) {
        return Plan::default();
    }
    let rule = Arc::new(Rule {
        env: &env.name,
        plaintext: string_set(params, "plaintext_schemes", &["http", "grpc"]),
        internal: InternalHosts::new(params.get("internal_hosts")),
    });
    let in_routes = rule.clone();
    // A route's inline upstream is never one that only stream routes use.
    Plan::per_route(move |route, out| {
        if let Some(site) = inline_site(&route.resource) {
            in_routes.check_site(&site, || false, out);
        }
        in_routes.check_traffic_split(&route.resource, out);
    })
    .then(move |out| {
        let mut stream_only = None;
        for site in upstream_sites_but_routes(env) {
            let covered = || {
                stream_only
                    .get_or_insert_with(|| StreamOnly::new(env))
                    .covers(&site)
            };
            rule.check_site(&site, covered, out);
        }
        let carriers = env
            .services
            .iter()
            .chain(&env.plugin_configs)
            .chain(&env.global_rules)
            .chain(&env.consumers)
            .chain(&env.consumer_groups);
        for obj in carriers {
            rule.check_traffic_split(obj, out);
        }
    })
}

/// The rule's parameters for one environment.
struct Rule<'a> {
    env: &'a str,
    plaintext: HashSet<String>,
    internal: InternalHosts,
}

impl Rule<'_> {
    /// Report the upstream at `site` (see [`Rule::message`]).
    fn check_site(
        &self,
        site: &UpstreamSite<'_>,
        covered: impl FnOnce() -> bool,
        out: &mut Vec<PolicyResult>,
    ) {
        if let Some(message) = self.message(site.config, || site.what.clone(), covered) {
            out.push(result_at(
                message,
                (site.origin.file(), &site.origin.pointer),
                site.field(&["scheme"]),
            ));
        }
    }

    /// Report each upstream written in the `traffic-split` rules of `obj`
    /// (`rules[i].weighted_upstreams[j].upstream`), unless the plugin is switched off.
    fn check_traffic_split(&self, obj: &Resource, out: &mut Vec<PolicyResult>) {
        let Some(conf) = get(obj.body.json(), &["plugins", "traffic-split"]) else {
            return;
        };
        if switched_off_conf(conf) {
            return;
        }
        let Some(rules) = conf.get("rules").and_then(JsonRef::as_array) else {
            return;
        };
        for (i, split_rule) in rules.iter().enumerate() {
            let Some(weighted) = split_rule
                .get("weighted_upstreams")
                .and_then(JsonRef::as_array)
            else {
                continue;
            };
            for (j, upstream) in weighted.iter().enumerate() {
                let Some(upstream) = upstream.get("upstream").filter(|u| u.is_object()) else {
                    continue;
                };
                let what = || {
                    format!(
                        "the `traffic-split` upstream `rules[{i}].weighted_upstreams[{j}].upstream` of {} `{}`",
                        spaced(obj.kind),
                        label(obj)
                    )
                };
                if let Some(message) = self.message(upstream, what, || false) {
                    let at = plugin_at(obj, "traffic-split");
                    let field = [
                        "rules".to_owned(),
                        i.to_string(),
                        "weighted_upstreams".to_owned(),
                        j.to_string(),
                        "upstream".to_owned(),
                        "scheme".to_owned(),
                    ];
                    out.push(result_at(message, (&at.0, &at.1), field.to_vec()));
                }
            }
        }
    }

    /// The finding's message about the upstream `config`, named by `what`, when its
    /// scheme is plaintext, or missing and not `covered` (only used by stream
    /// routes, which have no scheme), and not all its destinations are internal.
    fn message(
        &self,
        config: JsonRef<'_>,
        what: impl FnOnce() -> String,
        covered: impl FnOnce() -> bool,
    ) -> Option<String> {
        let env = self.env;
        let explicit = match config.get("scheme").map(JsonRef::kind) {
            Some(Kind::String(scheme)) if self.plaintext.contains(scheme) => Some(scheme),
            None if config.is_object() && self.plaintext.contains("http") => None,
            _ => return None,
        };
        let outside = match self.internal.judge(config) {
            Verdict::Internal => return None,
            Verdict::External(outside) => outside,
        };
        if explicit.is_none() && covered() {
            return None;
        }
        let note = outside.map_or_else(String::new, |host| {
            format!(" (`{host}` is not an internal host)")
        });
        Some(match explicit {
            Some(scheme) => format!(
                "{} uses `scheme: {scheme}` in environment `{env}`: traffic to its nodes is not encrypted{note}",
                what()
            ),
            None => format!(
                "{} has no `scheme`, so APISIX uses plain `http` to its nodes in environment `{env}`{note}",
                what()
            ),
        })
    }
}

/// Whether an upstream stays inside the trust boundary.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// Every destination is internal.
    Internal,
    /// Not: with the first (by name) destination that is not internal, when one can
    /// be named.
    External(Option<String>),
}

/// The `internal_hosts` parameter, read once per environment: host names (a leading
/// dot: a suffix; otherwise the name and its subdomains) and IP ranges.
struct InternalHosts {
    names: Vec<String>,
    ranges: Vec<(IpAddr, u8)>,
}

impl InternalHosts {
    /// The entries of the parameter as the Rego rule reads them: the strings of a
    /// list, the default when it is not given, and none when it is anything else.
    fn new(param: Option<&Value>) -> Self {
        let entries: Vec<String> = match param {
            None => DEFAULT_INTERNAL_HOSTS
                .iter()
                .map(|e| normalized(e).into_owned())
                .collect(),
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(|e| normalized(e).into_owned())
                .collect(),
            Some(_) => Vec::new(),
        };
        let mut hosts = InternalHosts {
            names: Vec::new(),
            ranges: Vec::new(),
        };
        for entry in entries {
            match range(&entry) {
                Some(range) => hosts.ranges.push(range),
                None if !entry.is_empty() => hosts.names.push(entry),
                None => {}
            }
        }
        hosts.names.sort_unstable();
        hosts.names.dedup();
        hosts
    }

    /// Whether every destination of `upstream` is internal.
    fn judge(&self, upstream: JsonRef<'_>) -> Verdict {
        let discovery = upstream.get("discovery_type").and_then(JsonRef::as_str);
        if discovery == Some("kubernetes") {
            return Verdict::Internal;
        }
        let mut count = 0;
        let mut all_internal = true;
        let mut outside: Option<Cow<'_, str>> = None;
        let mut visit = |host: Cow<'_, str>| {
            count += 1;
            if self.contains(&host) {
                return;
            }
            all_internal = false;
            if !host.is_empty() && outside.as_deref().is_none_or(|o| *host < *o) {
                outside = Some(Cow::Owned(host.into_owned()));
            }
        };
        if discovery.is_some() {
            if let Some(name) = upstream.get("service_name").and_then(JsonRef::as_str) {
                visit(normalized(address_host(name)));
            }
        } else {
            match upstream.get("nodes").map(JsonRef::kind) {
                Some(Kind::Array(nodes)) => {
                    for node in nodes.iter() {
                        let host = node.get("host").and_then(JsonRef::as_str);
                        visit(host.map_or(Cow::Borrowed(""), |h| normalized(unbracketed(h))));
                    }
                }
                Some(Kind::Object(nodes)) => {
                    for address in nodes.keys() {
                        visit(normalized(address_host(address)));
                    }
                }
                _ => {}
            }
        }
        if count > 0 && all_internal {
            Verdict::Internal
        } else {
            Verdict::External(outside.map(Cow::into_owned))
        }
    }

    /// Whether a normalized destination host is internal: an IP address in one of
    /// the ranges, or a name matching one of the names.
    fn contains(&self, host: &str) -> bool {
        if host.is_empty() {
            return false;
        }
        if let Ok(address) = host.parse::<IpAddr>() {
            return self
                .ranges
                .iter()
                .any(|&(network, prefix)| in_range(address, network, prefix));
        }
        self.names.iter().any(|name| {
            if name.starts_with('.') {
                host.ends_with(name.as_str())
            } else {
                host == name
                    || host
                        .strip_suffix(name.as_str())
                        .is_some_and(|rest| rest.ends_with('.'))
            }
        })
    }
}

/// A host or entry as compared: without one trailing dot, lower case.
fn normalized(host: &str) -> Cow<'_, str> {
    let host = host.strip_suffix('.').unwrap_or(host);
    if host
        .bytes()
        .any(|b| !b.is_ascii() || b.is_ascii_uppercase())
    {
        Cow::Owned(host.to_lowercase())
    } else {
        Cow::Borrowed(host)
    }
}

/// A node's `host` without the brackets of `[IPv6]`.
fn unbracketed(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// The host of a node address `host`, `host:port`, `[IPv6]` or `[IPv6]:port`:
/// what precedes the last `:` outside brackets; `""` when a bracket is not closed.
fn address_host(address: &str) -> &str {
    if let Some(rest) = address.strip_prefix('[') {
        return rest.find(']').map_or("", |end| &rest[..end]);
    }
    address
        .rfind(':')
        .map_or(address, |colon| &address[..colon])
}

/// An entry of `internal_hosts` as an IP range: a CIDR range with a plain decimal
/// prefix length (`10.0.0.0/8`, not `10.0.0.0/08`), or an address standing for
/// itself.
fn range(entry: &str) -> Option<(IpAddr, u8)> {
    let Some((address, prefix)) = entry.split_once('/') else {
        return entry.parse::<IpAddr>().ok().map(|address| {
            let whole = if address.is_ipv4() { 32 } else { 128 };
            (address, whole)
        });
    };
    let plain = !prefix.is_empty()
        && prefix.len() <= 3
        && prefix.bytes().all(|b| b.is_ascii_digit())
        && (prefix == "0" || !prefix.starts_with('0'));
    if address.is_empty() || !plain {
        return None;
    }
    let prefix: u8 = prefix.parse().ok()?;
    let address = address.parse::<IpAddr>().ok()?;
    let most = if address.is_ipv4() { 32 } else { 128 };
    (prefix <= most).then_some((address, prefix))
}

/// Whether `address` is inside `network/prefix` (of the same family).
fn in_range(address: IpAddr, network: IpAddr, prefix: u8) -> bool {
    let (address, network, bits) = match (address, network) {
        (IpAddr::V4(a), IpAddr::V4(n)) => (u128::from(a.to_bits()), u128::from(n.to_bits()), 32),
        (IpAddr::V6(a), IpAddr::V6(n)) => (a.to_bits(), n.to_bits(), 128),
        _ => return false,
    };
    let shift = bits - u32::from(prefix);
    shift >= bits || (address >> shift) == (network >> shift)
}

/// Which upstreams only stream routes use.
struct StreamOnly<'a> {
    /// Upstreams of HTTP routes.
    http: HashSet<&'a str>,
    /// Upstreams of stream routes.
    stream: HashSet<String>,
    /// ADC services (file and pointer) with HTTP routes written in them.
    adc_http: HashSet<(&'a str, &'a str)>,
    /// ADC services with stream routes written in them.
    adc_stream: HashSet<(&'a str, &'a str)>,
}

impl<'a> StreamOnly<'a> {
    fn new(env: &'a Environment) -> Self {
        let mut http = HashSet::default();
        let mut adc_http = HashSet::default();
        for route in &env.routes {
            if let Some(id) = &route.upstream_id {
                http.insert(&**id);
            }
            if is_adc(&route.resource) {
                adc_http.insert(written_in(&route.resource));
            }
        }
        let services = first_by_id(&env.services);
        let adc_services: HashMap<(&str, &str), &str> = env
            .services
            .iter()
            .filter(|s| is_adc(s))
            .map(|s| ((s.origin.file(), s.origin.pointer.as_str()), s.id.as_str()))
            .collect();
        let stream = env
            .stream_routes
            .iter()
            .filter_map(|sr| stream_route_upstream(sr, &services, &adc_services))
            .collect();
        let adc_stream = env
            .stream_routes
            .iter()
            .filter(|sr| is_adc(sr))
            .map(written_in)
            .collect();
        StreamOnly {
            http,
            stream,
            adc_http,
            adc_stream,
        }
    }

    fn covers(&self, site: &UpstreamSite<'_>) -> bool {
        match site.owner {
            "stream_route" => true,
            "upstream" => match adc_inline_service(&site.origin.pointer) {
                // The inline upstream of an ADC service is used by what is written
                // in that service.
                Some(service) => {
                    let service = (site.origin.file(), service);
                    self.adc_stream.contains(&service) && !self.adc_http.contains(&service)
                }
                None => site
                    .id
                    .is_some_and(|id| self.stream.contains(id) && !self.http.contains(id)),
            },
            _ => false,
        }
    }
}

/// The ADC service (file and pointer) an ADC route or stream route is written in.
fn written_in(obj: &Resource) -> (&str, &str) {
    (obj.origin.file(), parent_pointer(&obj.origin.pointer))
}

/// The service pointer `/services/N` of an ADC service's inline upstream written at
/// `/services/N/upstream`.
fn adc_inline_service(pointer: &str) -> Option<&str> {
    let service = pointer.strip_suffix("/upstream")?;
    let index = service.strip_prefix("/services/")?;
    (!index.is_empty() && index.bytes().all(|b| b.is_ascii_digit())).then_some(service)
}

/// The upstream a stream route sends its traffic to, by id.
fn stream_route_upstream(
    stream_route: &Resource,
    services: &HashMap<&str, &Resource>,
    adc_services: &HashMap<(&str, &str), &str>,
) -> Option<String> {
    let body = stream_route.body.json();
    if is_adc(stream_route) {
        // An ADC stream route is written inside its service: `/services/N/stream_routes/M`.
        let pointer = &stream_route.origin.pointer;
        let parts: Vec<&str> = pointer.split('/').collect();
        let parent = parts[..parts.len().saturating_sub(2)].join("/");
        let key = (stream_route.origin.file(), parent.as_str());
        return adc_services.get(&key).map(|id| (*id).to_owned());
    }
    if truthy(get(body, &["upstream_id"])) {
        return get(body, &["upstream_id"]).and_then(id_text);
    }
    if truthy(get(body, &["upstream"])) || !truthy(get(body, &["service_id"])) {
        return None;
    }
    let service = services.get(id_text(get(body, &["service_id"])?)?.as_str())?;
    id_text(get(service.body.json(), &["upstream_id"])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_internal_hosts_are_the_metadata_default() {
        let rego = include_str!("../../../policies/require-https-upstream.rego");
        let block = crate::policy::metadata::metadata_block(rego).unwrap();
        let meta = crate::policy::metadata::parse("require-https-upstream", &block).unwrap();
        assert_eq!(
            meta.params["internal_hosts"],
            serde_json::json!(DEFAULT_INTERNAL_HOSTS)
        );
    }

    #[test]
    fn addresses_are_split_into_host_and_port_as_written() {
        assert_eq!(address_host("orders.svc:8080"), "orders.svc");
        assert_eq!(address_host("orders.svc"), "orders.svc");
        assert_eq!(address_host("[fd00::1]:80"), "fd00::1");
        assert_eq!(address_host("[::1]"), "::1");
        assert_eq!(address_host("[::1:80"), "");
        assert_eq!(address_host("2001:db8::1:80"), "2001:db8::1");
        assert_eq!(unbracketed("[::1]"), "::1");
        assert_eq!(unbracketed("[::1"), "[::1");
        assert_eq!(normalized("Orders.SVC."), "orders.svc");
    }

    #[test]
    fn ranges_need_a_plain_prefix_that_fits_the_family() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(range("10.0.0.0/8"), Some((ip("10.0.0.0"), 8)));
        assert_eq!(range("10.1.2.3"), Some((ip("10.1.2.3"), 32)));
        assert_eq!(range("::1"), Some((ip("::1"), 128)));
        assert_eq!(range("fc00::/7"), Some((ip("fc00::"), 7)));
        for bad in [
            "10.0.0.0/08",
            "10.0.0.0/33",
            "::/129",
            "/8",
            "10.0.0.0/",
            "10.0.0.0/+8",
            ".svc",
        ] {
            assert_eq!(range(bad), None, "{bad}");
        }
        assert!(in_range(ip("172.31.255.255"), ip("172.16.0.0"), 12));
        assert!(!in_range(ip("172.32.0.0"), ip("172.16.0.0"), 12));
        assert!(in_range(ip("8.8.8.8"), ip("0.0.0.0"), 0));
        assert!(!in_range(ip("::ffff:10.0.0.1"), ip("10.0.0.0"), 8));
        assert!(in_range(ip("fdff::1"), ip("fc00::"), 7));
        assert!(!in_range(ip("fe00::1"), ip("fc00::"), 7));
    }

    #[test]
    fn an_upstream_is_internal_when_every_destination_is() {
        let hosts = InternalHosts::new(None);
        let judge = |value: serde_json::Value| {
            let body = crate::model::Body::from_value(&value).unwrap();
            hosts.judge(body.json())
        };
        let node = |host: &str| serde_json::json!({"host": host, "port": 80, "weight": 1});
        assert_eq!(
            judge(serde_json::json!({"nodes": [node("a.svc"), node("10.0.0.1")]})),
            Verdict::Internal
        );
        assert_eq!(
            judge(
                serde_json::json!({"nodes": [node("a.svc"), node("z.example"), node("b.example")]})
            ),
            Verdict::External(Some("b.example".into()))
        );
        assert_eq!(
            judge(serde_json::json!({"nodes": []})),
            Verdict::External(None)
        );
        assert_eq!(
            judge(serde_json::json!({"nodes": [{"port": 80}]})),
            Verdict::External(None)
        );
        assert_eq!(
            judge(serde_json::json!({"discovery_type": "kubernetes", "service_name": "ns/a:http"})),
            Verdict::Internal
        );
        assert_eq!(
            judge(serde_json::json!({"discovery_type": "consul", "service_name": "Orders"})),
            Verdict::External(Some("orders".into()))
        );
        let custom = InternalHosts::new(Some(&serde_json::json!(["payments", "", 7])));
        assert!(custom.contains("orders.payments"));
        assert!(custom.contains("payments"));
        assert!(!custom.contains("xpayments"));
        assert!(!custom.contains("10.0.0.1"));
        for not_a_list in [
            serde_json::json!("x"),
            serde_json::json!({"a": "x"}),
            Value::Null,
        ] {
            assert!(!InternalHosts::new(Some(&not_a_list)).contains("x"));
        }
    }
}

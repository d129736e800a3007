//! `invalid-cidr`: every value of an IP allow/deny list must be an IPv4 or IPv6
//! address, or a CIDR range whose prefix fits the address family.
//!
//! APISIX checks these lists with `core.ip.validate_cidr_or_ip` when a plugin or
//! route is loaded; a bad entry makes the whole object fail to load. Host bits set
//! under the prefix (`10.0.0.1/8`) are accepted, as APISIX accepts them.
//!
//! Lists checked, each where it is written (a resource's own `plugins`, not the
//! route's effective plugins, so each value is reported once):
//! - `ip-restriction`: `whitelist`, `blacklist`;
//! - `real-ip`: `trusted_addresses`;
//! - routes: `remote_addrs` (both formats) and `remote_addr` (standalone);
//! - stream routes: `remote_addr`, `server_addr`.

use crate::model::{Environment, JsonRef, Resource};
use crate::policy::plan::Plan;
use crate::policy::PolicyResult;
use serde_json::Value;

/// Plugins that take IP lists, and the fields that hold them.
const PLUGIN_LISTS: &[(&str, &[&str])] = &[
    ("ip-restriction", &["whitelist", "blacklist"]),
    ("real-ip", &["trusted_addresses"]),
];

/// Check every IP list of the environment: each route's in the route pass, the
/// other resources' after it.
pub fn plan<'a>(env: &'a Environment, _params: &'a Value) -> Plan<'a> {
    Plan::per_route(|route, out| {
        let resource = &route.resource;
        check_list(resource, &["remote_addrs"], out);
        check_single(resource, "remote_addr", out);
        check_plugins(resource, out);
    })
    .then(move |out| {
        for stream in &env.stream_routes {
            check_single(stream, "remote_addr", out);
            check_single(stream, "server_addr", out);
            check_plugins(stream, out);
        }
        let others = env
            .services
            .iter()
            .chain(&env.global_rules)
            .chain(&env.plugin_configs)
            .chain(&env.consumers)
            .chain(&env.consumer_groups);
        for resource in others {
            check_plugins(resource, out);
        }
    })
}

/// The IP lists of a resource's own plugins.
fn check_plugins(resource: &Resource, out: &mut Vec<PolicyResult>) {
    let Some(plugins) = resource.plugins() else {
        return;
    };
    // An ADC global rule is one plugin written at `/global_rules/<plugin>`: its
    // origin is the plugin configuration itself.
    let adc_global_rule =
        resource.kind == "global_rule" && resource.format == crate::format::Format::Adc;
    for (plugin, fields) in PLUGIN_LISTS {
        let Some(config) = plugins.get(plugin) else {
            continue;
        };
        for field in *fields {
            if adc_global_rule {
                check_list_in(resource, config, &[field], out);
            } else {
                check_list_in(resource, config, &["plugins", plugin, field], out);
            }
        }
    }
}

/// A list field of the resource's body, at `path` below it.
fn check_list(resource: &Resource, path: &[&str], out: &mut Vec<PolicyResult>) {
    check_list_in(resource, resource.body.json(), path, out);
}

/// A list in `container` (the body itself or a plugin configuration), whose last
/// `path` token is the list's key; `path` is the list's place below the resource.
fn check_list_in(
    resource: &Resource,
    container: JsonRef<'_>,
    path: &[&str],
    out: &mut Vec<PolicyResult>,
) {
    let Some(key) = path.last() else {
        return;
    };
    let Some(values) = container.get(key).and_then(JsonRef::as_array) else {
        return;
    };
    for (i, value) in values.iter().enumerate() {
        let Some(text) = value.as_str() else {
            continue;
        };
        if let Err(problem) = validate(text) {
            let index = i.to_string();
            let mut field: Vec<&str> = path.to_vec();
            field.push(&index);
            out.push(located(resource, text, &problem, &field));
        }
    }
}

/// A single-address field of the resource's body.
fn check_single(resource: &Resource, key: &str, out: &mut Vec<PolicyResult>) {
    let Some(text) = resource.body.json().get(key).and_then(JsonRef::as_str) else {
        return;
    };
    if let Err(problem) = validate(text) {
        out.push(located(resource, text, &problem, &[key]));
    }
}

fn located(resource: &Resource, text: &str, problem: &str, field: &[&str]) -> PolicyResult {
    let msg = if text.is_empty() {
        format!("an empty string is not an IP address or CIDR range ({problem})")
    } else {
        format!("`{text}` is not a valid IP address or CIDR range: {problem}")
    };
    PolicyResult::at_origin(msg, resource.origin.file(), &resource.origin.pointer, field)
}

/// Whether `text` is an IPv4/IPv6 address or CIDR range as APISIX accepts it; the
/// error says what is wrong. Values resolved elsewhere (`$env://`, `${VAR}`) pass.
fn validate(text: &str) -> Result<(), String> {
    if crate::secrets::is_reference(text) {
        return Ok(());
    }
    crate::netaddr::validate(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Format;

    fn env(name: &str, text: &str, format: Format) -> Environment {
        crate::model::of_text(name, text, format)
    }

    /// `(pointer, field)` of each result.
    fn places(env: &Environment) -> Vec<(String, String)> {
        let out = plan(env, &Value::Null).run(&env.routes);
        out.iter()
            .map(|r| (r.at.clone().unwrap_or_default().1, r.field.join("/")))
            .collect()
    }

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(p, f)| ((*p).to_owned(), (*f).to_owned()))
            .collect()
    }

    #[test]
    fn accepts_addresses_and_ranges() {
        for good in [
            "10.0.0.1",
            "10.0.0.0/8",
            "10.0.0.1/8",
            "0.0.0.0/0",
            "192.168.1.0/32",
            "::1",
            "::/0",
            "2001:db8::/32",
            "2001:db8::1/128",
            "::ffff:10.0.0.1",
            "fe80::1/64",
            "$env://TRUSTED",
            "${TRUSTED_RANGE}",
        ] {
            assert_eq!(validate(good), Ok(()), "{good}");
        }
    }

    #[test]
    fn rejects_bad_values_with_a_reason() {
        let cases = [
            ("10.0.0.0/33", "IPv4 prefix length 33 is over 32"),
            ("::1/129", "IPv6 prefix length 129 is over 128"),
            (
                "300.1.1.1",
                "it is not a valid IPv4 address (four numbers from 0 to 255)",
            ),
            ("1.2.3", "it is not a valid IPv4 address"),
            (
                "300.1.1.1/8",
                "the address `300.1.1.1` is not a valid IPv4 address",
            ),
            ("host.example/24", "the address `host.example` is neither"),
            ("", "empty"),
            ("10.0.0.0/", "prefix length `` is not a number"),
            ("10.0.0.0/abc", "prefix length `abc` is not a number"),
            ("10.0.0.0/-1", "prefix length `-1`"),
            ("10.0.0.0/1000", "prefix length `1000`"),
            ("/24", "address before `/` is missing"),
            ("localhost", "it is neither an IPv4 nor an IPv6 address"),
            (" 10.0.0.1", "neither an IPv4 nor an IPv6 address"),
            ("10.0.0.1/24/8", "prefix length `24/8`"),
            ("fe80::1%eth0", "neither an IPv4 nor an IPv6 address"),
            ("2001:db8::g", "neither an IPv4 nor an IPv6 address"),
        ];
        for (bad, reason) in cases {
            let error = validate(bad).expect_err(bad);
            assert!(error.contains(reason), "{bad}: {error}");
        }
    }

    #[test]
    fn adc_plugins_and_route_addresses_are_reported_where_written() {
        let text = r"
services:
  - name: orders
    plugins:
      ip-restriction:
        whitelist: [10.0.0.0/8, 10.0.0.0/33]
    routes:
      - name: list
        uris: [/orders]
        remote_addrs: [192.168.0.1, 300.1.1.1]
        plugins:
          real-ip:
            source: http_x_forwarded_for
            trusted_addresses: ['::1/129', '10.1.1.1/24']
          key-auth: {}
global_rules:
  ip-restriction:
    blacklist: ['', 1.2.3.4]
";
        let found = places(&env("a.yaml", text, Format::Adc));
        let expected = [
            ("/services/0/routes/0", "remote_addrs/1"),
            (
                "/services/0/routes/0",
                "plugins/real-ip/trusted_addresses/0",
            ),
            ("/services/0", "plugins/ip-restriction/whitelist/1"),
            ("/global_rules/ip-restriction", "blacklist/0"),
        ];
        assert_eq!(found, owned(&expected));
    }

    #[test]
    fn standalone_resources_are_all_checked() {
        let text = r"
routes:
  - id: r1
    uri: /a
    remote_addr: 10.0.0.0/40
    plugin_config_id: pc
  - id: r2
    uri: /b
    remote_addrs: [::1, '2001:db8::/200']
stream_routes:
  - id: s1
    remote_addr: 127.0.0.1
    server_addr: 1.1.1.1.1
    plugins:
      ip-restriction:
        whitelist: [10.0.0.0/8]
services:
  - id: s
    plugins:
      ip-restriction:
        blacklist: [8.8.8.8/33]
plugin_configs:
  - id: pc
    plugins:
      ip-restriction:
        whitelist: [bad]
global_rules:
  - id: g
    plugins:
      real-ip:
        source: arg_realip
        trusted_addresses: [10.0.0.0/8, 10.0.0.999]
consumers:
  - username: alice
    plugins:
      ip-restriction:
        whitelist: [10.0.0.0/99]
#END
";
        let found = places(&env("apisix.yaml", text, Format::Standalone));
        let expected = [
            ("/routes/0", "remote_addr"),
            ("/routes/1", "remote_addrs/1"),
            ("/stream_routes/0", "server_addr"),
            ("/services/0", "plugins/ip-restriction/blacklist/0"),
            ("/global_rules/0", "plugins/real-ip/trusted_addresses/1"),
            ("/plugin_configs/0", "plugins/ip-restriction/whitelist/0"),
            ("/consumers/0", "plugins/ip-restriction/whitelist/0"),
        ];
        assert_eq!(found, owned(&expected));
    }

    #[test]
    fn messages_name_the_value_and_the_problem() {
        let text = "services:\n  - name: s\n    plugins:\n      ip-restriction:\n        whitelist: [10.0.0.0/33, '']\n";
        let env = env("a.yaml", text, Format::Adc);
        let out = plan(&env, &Value::Null).run(&env.routes);
        let messages: Vec<&str> = out.iter().map(|r| r.msg.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`10.0.0.0/33` is not a valid IP address or CIDR range: IPv4 prefix length 33 is over 32",
                "an empty string is not an IP address or CIDR range (the value is empty)",
            ]
        );
    }

    #[test]
    fn non_string_entries_and_other_plugins_are_left_alone() {
        let text = "services:\n  - name: s\n    plugins:\n      ip-restriction:\n        whitelist: [1, null]\n      cors:\n        whitelist: [nonsense]\n";
        assert!(places(&env("a.yaml", text, Format::Adc)).is_empty());
    }
}

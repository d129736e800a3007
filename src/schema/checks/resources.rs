//! Imperative resource checks: APISIX standalone resources and ADC refinements.
//!
//! APISIX's Admin checkers (`apisix/upstream.lua`, `admin/routes.lua`, `ssl.lua`,
//! `admin/credentials.lua`, the stream router) run after a resource's schema
//! passes. Their Rust equivalents live here: upstream balancing and node rules,
//! route `vars` expressions and `filter_func`, strict IP/CIDR parsing, SSL
//! cert/key pairing and credential plugins. ADC files are handed to APISIX, so
//! their upstreams and routes get the same upstream and route rules.

use super::{lua_code, Issue};
use crate::load::document::join_pointer;
use crate::netaddr::is_ip_or_cidr;
use serde_json::{Map, Value};
use std::net::Ipv6Addr;

/// Balancers APISIX ships (`apisix/balancer/*.lua`).
#[cfg(test)]
const BALANCERS: [&str; 4] = ["roundrobin", "chash", "ewma", "least_conn"];
/// The values of an upstream's `hash_on`.
const HASH_ON: [&str; 5] = ["vars", "header", "cookie", "consumer", "vars_combinations"];
/// Variables a `chash` upstream with `hash_on: vars` may hash on (besides `arg_*`).
const HASH_VARS: [&str; 10] = [
    "uri",
    "server_name",
    "server_addr",
    "request_uri",
    "remote_port",
    "remote_addr",
    "query_string",
    "host",
    "hostname",
    "mqtt_client_id",
];
/// Plugins whose module type is `auth`: the only ones a credential may hold.
const AUTH_PLUGINS: [&str; 9] = [
    "basic-auth",
    "hmac-auth",
    "jwt-auth",
    "key-auth",
    "jwe-decrypt",
    "ldap-auth",
    "ldap-auth-advanced",
    "multi-auth",
    "wolf-rbac",
];
/// Whether `name` is one of APISIX's auth plugins.
pub(super) fn is_auth_plugin(name: &str) -> bool {
    AUTH_PLUGINS.contains(&name)
}

/// Comparison operators of lua-resty-expr.
const EXPR_OPERATORS: [&str; 11] = [
    "==", "~=", ">", ">=", "<", "<=", "~~", "~*", "in", "has", "ipmatch",
];
/// Logical operators of lua-resty-expr.
const EXPR_LOGIC: [&str; 4] = ["AND", "OR", "!AND", "!OR"];

/// Checks APISIX runs in code on a standalone-format resource of `kind`
/// (`routes`, `upstreams`, `services`, `ssls`, ...).
pub fn standalone_resource_check(kind: &str, object: &Value, out: &mut Vec<Issue>) {
    match kind {
        "routes" => {
            check_route_expressions(object, out);
            check_route_addresses(object, out);
            check_inline_upstream(object, Upstream::standalone(), out);
        }
        "services" => check_inline_upstream(object, Upstream::standalone(), out),
        "stream_routes" => {
            check_stream_addresses(object, out);
            check_inline_upstream(object, Upstream::standalone().stream(), out);
        }
        "upstreams" => check_upstream(object, "", Upstream::standalone(), out),
        "ssls" => check_ssl(object, out),
        "consumers" if crate::format::is_credential(object) => {
            check_credential_plugins(object, out);
        }
        _ => {}
    }
}

/// ADC refinements that JSON Schema cannot express, on a resource of `kind`
/// (`service`, `route`, `upstream`, `ssl`, `consumer`, ...).
pub fn adc_resource_check(kind: &str, object: &Value, out: &mut Vec<Issue>) {
    check_adc_hosts(kind, object, out);
    match kind {
        "upstream" => {
            check_hash_on(object, out);
            check_upstream(object, "", Upstream::adc(), out);
        }
        "route" => {
            check_route_expressions(object, out);
            check_route_addresses(object, out);
        }
        "stream_route" => check_stream_addresses(object, out),
        "consumer" => check_adc_username(object, out),
        _ => {}
    }
}

/// ADC takes any non-empty host string; APISIX's `host_def` pattern rejects the
/// rest when the configuration is synced.
fn check_adc_hosts(kind: &str, object: &Value, out: &mut Vec<Issue>) {
    // Fields as key paths (walked with `get`: this runs for every resource).
    let lists: &[&str] = match kind {
        "service" | "route" => &["hosts"],
        "ssl" => &["snis"],
        _ => &[],
    };
    let singles: &[&[&str]] = match kind {
        "stream_route" => &[&["sni"]],
        "upstream" => &[&["upstream_host"], &["checks", "active", "host"]],
        _ => &[],
    };
    for path in singles {
        let value = path.iter().try_fold(object, |value, key| value.get(key));
        host_issue(value, || format!("/{}", path.join("/")), out);
    }
    for list in lists {
        let hosts = object.get(list).and_then(Value::as_array);
        for (i, host) in hosts.into_iter().flatten().enumerate() {
            host_issue(Some(host), || format!("/{list}/{i}"), out);
        }
    }
    if kind == "upstream" {
        let nodes = object.get("nodes").and_then(Value::as_array);
        for (i, node) in nodes.into_iter().flatten().enumerate() {
            host_issue(node.get("host"), || format!("/nodes/{i}/host"), out);
        }
    }
}

/// An issue when `value` is a host APISIX rejects; `pointer` names its place.
fn host_issue(value: Option<&Value>, pointer: impl FnOnce() -> String, out: &mut Vec<Issue>) {
    let Some(host) = value.and_then(Value::as_str) else {
        return;
    };
    if !is_apisix_host(host) {
        out.push(Issue::value(
            pointer(),
            format!(
                "`{host}` is not a host APISIX accepts: `*`, or letters, digits, `-`, `.`, `_`, `[`, `]` \
                 and `:` with at most one leading `*`"
            ),
        ));
    }
}

/// APISIX's `host_def`: `^\*$|^\*?[0-9a-zA-Z-._\[\]:]+$`.
fn is_apisix_host(host: &str) -> bool {
    let rest = host.strip_prefix('*').unwrap_or(host);
    host == "*"
        || (!rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._[]:".contains(&b)))
}

/// APISIX keys consumers by a username of letters, digits, `_` and `-`.
fn check_adc_username(consumer: &Value, out: &mut Vec<Issue>) {
    let Some(username) = consumer.get("username").and_then(Value::as_str) else {
        return;
    };
    let valid = username.len() <= 256
        && username
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !valid {
        out.push(Issue::value(
            "/username",
            format!(
                "APISIX rejects the username `{username}`: at most 256 letters, digits, `_` and `-`"
            ),
        ));
    }
}

/// How an upstream is checked.
#[derive(Debug, Clone, Copy)]
struct Upstream {
    /// Whether it serves HTTP (the `pass_host` rule applies only there).
    http: bool,
    /// Whether PEM strings are checked (ADC passes them through unchecked).
    pem: bool,
}

impl Upstream {
    fn standalone() -> Self {
        Upstream {
            http: true,
            pem: true,
        }
    }

    fn adc() -> Self {
        Upstream {
            http: true,
            pem: false,
        }
    }

    fn stream(self) -> Self {
        Upstream {
            http: false,
            ..self
        }
    }
}

/// The upstream checks on a resource's inline `upstream`.
fn check_inline_upstream(object: &Value, how: Upstream, out: &mut Vec<Issue>) {
    if let Some(upstream) = object.get("upstream").filter(|u| u.is_object()) {
        check_upstream(upstream, "/upstream", how, out);
    }
}

/// `check_upstream_conf`: `pass_host`, nodes, chash key and TLS. The balancer
/// `type` is any string: APISIX accepts every value when the upstream is written
/// (`type: none` beside `scheme: kafka` is normal; t/admin/upstream*.t,
/// t/config-center-yaml) and loads the balancer only when traffic arrives.
fn check_upstream(upstream: &Value, base: &str, how: Upstream, out: &mut Vec<Issue>) {
    if how.http {
        check_pass_host(upstream, base, out);
    }
    check_nodes(upstream, base, out);
    check_chash_key(upstream, base, out);
    if how.pem {
        check_upstream_tls(upstream, base, out);
    }
}

/// ADC leaves `hash_on` a free string; APISIX only accepts its enum.
fn check_hash_on(upstream: &Value, out: &mut Vec<Issue>) {
    let Some(hash_on) = upstream.get("hash_on").and_then(Value::as_str) else {
        return;
    };
    if !HASH_ON.contains(&hash_on) {
        out.push(Issue::value(
            "/hash_on",
            format!("invalid hash_on type `{hash_on}`; APISIX accepts vars, header, cookie, consumer and vars_combinations"),
        ));
    }
}

fn check_pass_host(upstream: &Value, base: &str, out: &mut Vec<Issue>) {
    if upstream.get("pass_host").and_then(Value::as_str) != Some("rewrite") {
        return;
    }
    let host = upstream.get("upstream_host");
    if host.and_then(Value::as_str).is_none_or(str::is_empty) {
        let pointer = if host.is_some() {
            "/upstream_host"
        } else {
            "/pass_host"
        };
        out.push(Issue::value(
            format!("{base}{pointer}"),
            "`upstream_host` can't be empty when `pass_host` is `rewrite`",
        ));
    }
}

fn check_nodes(upstream: &Value, base: &str, out: &mut Vec<Issue>) {
    match upstream.get("nodes") {
        Some(Value::Array(nodes)) => check_node_list(nodes, base, out),
        Some(Value::Object(nodes)) => check_node_map(nodes, base, out),
        _ => {}
    }
}

/// List-form nodes: an IPv6 host must be written in brackets.
fn check_node_list(nodes: &[Value], base: &str, out: &mut Vec<Issue>) {
    for (i, node) in nodes.iter().enumerate() {
        let Some(host) = node.get("host").and_then(Value::as_str) else {
            continue;
        };
        if host.parse::<Ipv6Addr>().is_ok() {
            out.push(Issue::value(
                format!("{base}/nodes/{i}/host"),
                format!("IPv6 address must be enclosed with '[' and ']' (write `[{host}]`)"),
            ));
        }
    }
}

/// Map-form nodes (`"host:port": weight`): a port must be 1 to 65535.
fn check_node_map(nodes: &Map<String, Value>, base: &str, out: &mut Vec<Issue>) {
    let nodes_pointer = format!("{base}/nodes");
    for address in nodes.keys() {
        let Some(port) = address_port(address).and_then(lua_number) else {
            continue;
        };
        if !(1.0..=65535.0).contains(&port) {
            out.push(Issue::key(
                join_pointer(&nodes_pointer, address),
                format!("invalid port {port} in node `{address}`; a port is 1 to 65535"),
            ));
        }
    }
}

/// The port text of a `host:port` node key, as APISIX's `parse_addr` splits it.
fn address_port(address: &str) -> Option<&str> {
    if address.starts_with('[') {
        if address.ends_with(']') {
            return None;
        }
        let colon = address.rfind(':')?;
        return address[..colon]
            .ends_with(']')
            .then(|| &address[colon + 1..]);
    }
    let first_dot = address.find('.');
    let second_colon = address.match_indices(':').nth(1).map(|(i, _)| i);
    if let (Some(colon), dot) = (second_colon, first_dot) {
        if dot.is_none_or(|d| d > colon) {
            return None;
        }
    }
    address.rfind(':').map(|colon| &address[colon + 1..])
}

/// Lua's `tonumber` on a decimal or hexadecimal integer (other forms are left alone).
fn lua_number(text: &str) -> Option<f64> {
    let text = text.trim();
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        return u64::from_str_radix(hex, 16).ok().map(u64_to_f64);
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<f64>().ok()
}

#[allow(clippy::cast_precision_loss)]
fn u64_to_f64(n: u64) -> f64 {
    n as f64
}

/// A `chash` upstream needs a `key` (unless it hashes on the consumer) that fits
/// its `hash_on`.
fn check_chash_key(upstream: &Value, base: &str, out: &mut Vec<Issue>) {
    if upstream.get("type").and_then(Value::as_str) != Some("chash") {
        return;
    }
    let hash_on = upstream
        .get("hash_on")
        .and_then(Value::as_str)
        .unwrap_or("vars");
    let Some(key) = upstream.get("key").and_then(Value::as_str) else {
        if hash_on != "consumer" {
            out.push(Issue::value(
                format!("{base}/type"),
                "missing key: a `chash` upstream needs `key` unless `hash_on` is `consumer`",
            ));
        }
        return;
    };
    let problem = match hash_on {
        "vars" if !is_hash_var(key) => Some(
            "is not a variable chash can hash on with `hash_on: vars` (uri, server_name, server_addr, \
             request_uri, remote_port, remote_addr, query_string, host, hostname, mqtt_client_id or arg_*)",
        ),
        "header" | "cookie" if !is_header_name(key) => {
            Some("is not a valid header or cookie name (letters, digits, `-` and `_` only)")
        }
        _ => None,
    };
    if let Some(problem) = problem {
        out.push(Issue::value(
            format!("{base}/key"),
            format!("`key` `{key}` {problem}"),
        ));
    }
}

/// APISIX's `upstream_hash_vars_schema` (its `arg_` range is `[0-9a-zA-z_-]`).
pub(super) fn is_hash_var(key: &str) -> bool {
    if HASH_VARS.contains(&key) {
        return true;
    }
    key.strip_prefix("arg_").is_some_and(|name| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'z').contains(&b) || b == b'-' || b == b'_')
    })
}

pub(super) fn is_header_name(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `tls.client_cert` and `tls.client_key` must be PEM (APISIX parses them).
fn check_upstream_tls(upstream: &Value, base: &str, out: &mut Vec<Issue>) {
    let Some(tls) = upstream.get("tls") else {
        return;
    };
    let tls_pointer = format!("{base}/tls");
    pem_issue(
        tls.get("client_cert"),
        &format!("{tls_pointer}/client_cert"),
        Pem::Certificate,
        out,
    );
    pem_issue(
        tls.get("client_key"),
        &format!("{tls_pointer}/client_key"),
        Pem::PrivateKey,
        out,
    );
}

/// What a PEM string should hold.
#[derive(Debug, Clone, Copy)]
enum Pem {
    Certificate,
    PrivateKey,
}

/// Report a string that is neither PEM of the expected kind nor a secret reference.
fn pem_issue(value: Option<&Value>, pointer: &str, kind: Pem, out: &mut Vec<Issue>) {
    let Some(text) = value.and_then(Value::as_str) else {
        return;
    };
    if is_secret_reference(text) {
        return;
    }
    let (label, what) = match kind {
        Pem::Certificate => (
            "CERTIFICATE-----",
            "a PEM certificate (`-----BEGIN CERTIFICATE-----`)",
        ),
        Pem::PrivateKey => (
            "PRIVATE KEY-----",
            "a PEM private key (`-----BEGIN ... PRIVATE KEY-----`)",
        ),
    };
    let is_pem = text.contains("-----BEGIN ") && text.contains(label) && text.contains("-----END ");
    if !is_pem {
        out.push(Issue::value(
            pointer,
            format!("is not {what}; APISIX fails to parse it"),
        ));
    }
}

/// APISIX's `is_secret_ref`: `$secret://...`, or `$env://...` in any case.
fn is_secret_reference(text: &str) -> bool {
    text.starts_with("$secret://")
        || text
            .get(..7)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case("$env://"))
}

/// `vars` must compile as a lua-resty-expr expression; `filter_func` must load
/// as a Lua function.
fn check_route_expressions(route: &Value, out: &mut Vec<Issue>) {
    if let Some(vars) = route.get("vars") {
        if let Err(problem) = check_expression(vars).and_then(|()| check_post_arg_paths(vars)) {
            out.push(Issue::value(
                "/vars",
                format!("failed to validate the 'vars' expression: {problem}"),
            ));
        }
    }
    if let Some(func) = route.get("filter_func").and_then(Value::as_str) {
        if let Err(problem) = check_lua_function(func) {
            out.push(Issue::value(
                "/filter_func",
                format!("failed to load 'filter_func': {problem}"),
            ));
        }
    }
}

/// Whether `rule` compiles as a lua-resty-expr (v1.3) expression, as APISIX
/// compiles route `vars` and plugin `_meta.filter`.
///
/// # Errors
/// The compiler's message, e.g. `invalid operator '='`.
pub(super) fn check_expression(rule: &Value) -> Result<(), String> {
    let Some(items) = rule.as_array() else {
        return Err("an expression must be a list".into());
    };
    let Some(first) = items.first() else {
        return Ok(());
    };
    if !first.is_array() && !logic_operator(first) {
        return Err("rule should be wrapped inside brackets".into());
    }
    compile_rule(rule)
}

/// `compile`: a list of rules, a logical operator with its operands, or one comparison.
fn compile_rule(rule: &Value) -> Result<(), String> {
    let Some(items) = rule.as_array().filter(|items| !items.is_empty()) else {
        return Err(if rule.is_array() {
            "rule too short"
        } else {
            "invalid expression"
        }
        .into());
    };
    if items.first().is_some_and(Value::is_array) {
        return items.iter().try_for_each(compile_rule);
    }
    if items.first().is_some_and(logic_operator) {
        if items.len() <= 2 {
            return Err("rule too short".into());
        }
        return items.iter().skip(1).try_for_each(compile_rule);
    }
    compile_comparison(items)
}

fn logic_operator(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|s| EXPR_LOGIC.contains(&s.to_ascii_uppercase().as_str()))
}

/// `compile_expr`: `[left, op, right]`, `[left, "!", op, right]` or the legacy `[left, right]`.
fn compile_comparison(items: &[Value]) -> Result<(), String> {
    let (left, op, right) = if items.len() == 4 {
        if items.get(1).and_then(Value::as_str) != Some("!") {
            return Err("bad 'not' expression".into());
        }
        (items.first(), items.get(2), items.get(3))
    } else {
        (items.first(), items.get(1), items.get(2))
    };
    let op_text = match op {
        None => None,
        Some(Value::String(s)) => Some(s.to_lowercase()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(_) => return Err("invalid expression".into()),
    };
    let known =
        |text: &Option<String>| text.as_deref().is_some_and(|t| EXPR_OPERATORS.contains(&t));
    let (op_text, right) = if right.is_none() && !known(&op_text) {
        // The legacy form `[left, right]` compares with `==`.
        if op.is_none() {
            return Err("invalid expression".into());
        }
        (Some("==".to_owned()), op)
    } else {
        (op_text, right)
    };
    let Some(op_text) = op_text.filter(|_| left.is_some()) else {
        return Err("invalid expression".into());
    };
    if !EXPR_OPERATORS.contains(&op_text.as_str()) {
        return Err(format!("invalid operator '{op_text}'"));
    }
    if op_text == "ipmatch" {
        return check_ipmatch_operand(right);
    }
    Ok(())
}

/// `ipmatch` needs one address or a non-empty list of addresses/CIDRs.
fn check_ipmatch_operand(right: Option<&Value>) -> Result<(), String> {
    let addresses: Vec<&Value> = match right {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(Value::String(s)) if !s.is_empty() => right.into_iter().collect(),
        _ => Vec::new(),
    };
    if addresses.is_empty() {
        return Err("invalid ip address".into());
    }
    for address in addresses {
        match address.as_str() {
            Some(text) if is_ip_or_cidr(text) => {}
            _ => return Err(format!("invalid ip address: {address}")),
        }
    }
    Ok(())
}

/// APISIX parses the `JSONPath` of every `post_arg.<path>` comparison in `vars`.
fn check_post_arg_paths(node: &Value) -> Result<(), String> {
    let Some(items) = node.as_array() else {
        return Ok(());
    };
    let post_arg = items
        .first()
        .and_then(Value::as_str)
        .and_then(|left| left.strip_prefix("post_arg."))
        .filter(|_| items.len() >= 3);
    match post_arg {
        Some(path) => check_json_path(path)
            .map_err(|problem| format!("invalid expression: JSONPath `{path}` {problem}")),
        None => items.iter().try_for_each(check_post_arg_paths),
    }
}

/// A `JSONPath` below `$.`: names joined by `.` or `..`, and `[...]` subscripts
/// (`*`, indexes, slices, unions, quoted names, `?(...)` filters).
fn check_json_path(path: &str) -> Result<(), String> {
    let mut rest = path;
    let mut first = true;
    while first || !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let end = subscript_end(after).ok_or("has an unclosed or nested `[`")?;
            check_subscript(after.get(..end).unwrap_or_default())?;
            rest = after.get(end + 1..).unwrap_or_default();
        } else {
            let after = if first {
                rest
            } else {
                rest.strip_prefix("..")
                    .or_else(|| rest.strip_prefix('.'))
                    .ok_or("has text where `.` or `[` is expected")?
            };
            let len = after.find(['.', '[']).unwrap_or(after.len());
            let name = after.get(..len).unwrap_or_default();
            if !is_json_path_name(name) {
                return Err(format!("has an invalid name `{name}`"));
            }
            rest = after.get(len..).unwrap_or_default();
        }
        first = false;
    }
    Ok(())
}

fn is_json_path_name(name: &str) -> bool {
    name == "*"
        || (!name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || "_-$@".contains(c)))
}

/// The index of the `]` closing a subscript (quotes and parentheses skipped).
fn subscript_end(text: &str) -> Option<usize> {
    let mut quote = None;
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth = depth.checked_sub(1)?,
            (None, ']') if depth == 0 => return Some(i),
            (None, '[') if depth == 0 => return None,
            _ => {}
        }
    }
    None
}

/// One subscript: `*`, a quoted name, a filter/script, a slice or a union of indexes.
fn check_subscript(inner: &str) -> Result<(), String> {
    let inner = inner.trim();
    let quoted = inner.len() >= 2
        && ((inner.starts_with('\'') && inner.ends_with('\''))
            || (inner.starts_with('"') && inner.ends_with('"')));
    let expression = inner.starts_with("?(") || inner.starts_with('(');
    let slice = inner.contains(':')
        && inner.split(':').count() <= 3
        && inner
            .split(':')
            .all(|part| part.trim().is_empty() || is_integer(part));
    let union = inner.split(',').all(is_integer);
    if inner == "*" || quoted || expression || slice || union {
        Ok(())
    } else {
        Err(format!("has an invalid subscript `[{inner}]`"))
    }
}

fn is_integer(text: &str) -> bool {
    let text = text.trim();
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `source` compiles as `loadstring("return " .. source)` does and the
/// chunk can give back a function (a literal of another type cannot). The code is
/// parsed as `LuaJIT` syntax; a syntax error names its line.
fn check_lua_function(source: &str) -> Result<(), String> {
    match lua_code::judge(&format!("return {source}")) {
        lua_code::Verdict::SyntaxError(error) => Err(error),
        lua_code::Verdict::Parses(lua_code::Returned::Other(type_name)) => Err(format!(
            "'filter_func' should be a function, not a {type_name}"
        )),
        lua_code::Verdict::Parses(_) | lua_code::Verdict::Unjudged => Ok(()),
    }
}

/// APISIX's route schema lets loose IPv6 CIDRs through (`::1/129`); they never match.
fn check_route_addresses(route: &Value, out: &mut Vec<Issue>) {
    if let Some(address) = route.get("remote_addr").and_then(Value::as_str) {
        address_issue(address, "/remote_addr", out);
    }
    if let Some(list) = route.get("remote_addrs").and_then(Value::as_array) {
        for (i, address) in list.iter().enumerate() {
            if let Some(address) = address.as_str() {
                address_issue(address, &format!("/remote_addrs/{i}"), out);
            }
        }
    }
}

fn address_issue(address: &str, pointer: &str, out: &mut Vec<Issue>) {
    if !is_ip_or_cidr(address) {
        out.push(Issue::value(
            pointer,
            format!("invalid IP or CIDR `{address}` (gwlint parses addresses strictly; APISIX's pattern lets it through but it can never match)"),
        ));
    }
}

/// The stream router validates `remote_addr` and `server_addr` with `validate_cidr_or_ip`.
fn check_stream_addresses(route: &Value, out: &mut Vec<Issue>) {
    for field in ["remote_addr", "server_addr"] {
        if let Some(address) = route.get(field).and_then(Value::as_str) {
            if !is_ip_or_cidr(address) {
                out.push(Issue::value(
                    format!("/{field}"),
                    format!("invalid {field}: `{address}` is not an IP address or CIDR range"),
                ));
            }
        }
    }
}

/// `ssl.lua`: every extra certificate needs its key, and PEM strings must parse.
fn check_ssl(ssl: &Value, out: &mut Vec<Issue>) {
    pem_issue(ssl.get("cert"), "/cert", Pem::Certificate, out);
    pem_issue(ssl.get("key"), "/key", Pem::PrivateKey, out);
    if let Some(client) = ssl.get("client") {
        pem_issue(client.get("ca"), "/client/ca", Pem::Certificate, out);
    }
    for (field, kind) in [("certs", Pem::Certificate), ("keys", Pem::PrivateKey)] {
        for (i, item) in ssl
            .get(field)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            pem_issue(Some(item), &format!("/{field}/{i}"), kind, out);
        }
    }
    if ssl.get("type").and_then(Value::as_str) == Some("client") {
        return;
    }
    let count = |field: &str| ssl.get(field).and_then(Value::as_array).map_or(0, Vec::len);
    let (certs, keys) = (count("certs"), count("keys"));
    if certs != keys {
        let pointer = if ssl.get("keys").is_some() {
            "/keys"
        } else {
            "/certs"
        };
        out.push(Issue::value(
            pointer,
            format!("mismatched number of certs and keys ({certs} certs, {keys} keys)"),
        ));
    }
}

/// A credential may only hold an auth plugin.
fn check_credential_plugins(credential: &Value, out: &mut Vec<Issue>) {
    let Some(plugins) = credential.get("plugins").and_then(Value::as_object) else {
        return;
    };
    for name in plugins.keys() {
        if !AUTH_PLUGINS.contains(&name.as_str()) {
            out.push(Issue::key(
                join_pointer("/plugins", name),
                format!("only supports auth type plugins in consumer credential; `{name}` is not an auth plugin"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::checks::testing::pointers;
    use serde_json::json;

    fn standalone(kind: &str, object: &Value) -> Vec<Issue> {
        let mut out = Vec::new();
        standalone_resource_check(kind, object, &mut out);
        out
    }

    fn adc(kind: &str, object: &Value) -> Vec<Issue> {
        let mut out = Vec::new();
        adc_resource_check(kind, object, &mut out);
        out
    }

    fn pem(label: &str) -> String {
        format!(
            "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
            "A".repeat(120)
        )
    }

    #[test]
    fn chash_needs_a_key_unless_hashing_on_the_consumer() {
        let missing = json!({"nodes": {"127.0.0.1:80": 1}, "type": "chash", "hash_on": "header"});
        let issues = standalone("upstreams", &missing);
        assert_eq!(pointers(&issues), ["/type"]);
        assert!(issues[0].message.starts_with("missing key"));
        let consumer =
            json!({"nodes": {"127.0.0.1:80": 1}, "type": "chash", "hash_on": "consumer"});
        assert!(standalone("upstreams", &consumer).is_empty());
        let keyed = json!({"nodes": {"127.0.0.1:80": 1}, "type": "chash", "key": "remote_addr"});
        assert!(standalone("upstreams", &keyed).is_empty());
    }

    #[test]
    fn chash_key_must_fit_hash_on() {
        let bad_var = json!({"nodes": {"a:1": 1}, "type": "chash", "key": "not_support"});
        assert_eq!(pointers(&standalone("upstreams", &bad_var)), ["/key"]);
        let arg = json!({"nodes": {"a:1": 1}, "type": "chash", "key": "arg_device_id"});
        assert!(standalone("upstreams", &arg).is_empty());
        let bad_header =
            json!({"nodes": {"a:1": 1}, "type": "chash", "hash_on": "cookie", "key": "$#^@"});
        assert_eq!(pointers(&standalone("upstreams", &bad_header)), ["/key"]);
        let header =
            json!({"nodes": {"a:1": 1}, "type": "chash", "hash_on": "header", "key": "x_user-id"});
        assert!(standalone("upstreams", &header).is_empty());
        let combination = json!({"nodes": {"a:1": 1}, "type": "chash", "hash_on": "vars_combinations", "key": "$a $b"});
        assert!(standalone("upstreams", &combination).is_empty());
    }

    #[test]
    fn pass_host_rewrite_needs_upstream_host() {
        let empty = json!({"nodes": {"a:80": 1}, "pass_host": "rewrite", "upstream_host": ""});
        assert_eq!(
            pointers(&standalone("upstreams", &empty)),
            ["/upstream_host"]
        );
        let absent = json!({"nodes": {"a:80": 1}, "pass_host": "rewrite"});
        assert_eq!(pointers(&standalone("upstreams", &absent)), ["/pass_host"]);
        let set =
            json!({"nodes": {"a:80": 1}, "pass_host": "rewrite", "upstream_host": "example.com"});
        assert!(standalone("upstreams", &set).is_empty());
        let stream = json!({"upstream": {"nodes": {"a:80": 1}, "pass_host": "rewrite"}});
        assert!(standalone("stream_routes", &stream).is_empty());
    }

    #[test]
    fn ipv6_node_hosts_must_be_bracketed() {
        let bare = json!({"nodes": [{"host": "::1", "port": 80, "weight": 1}]});
        assert_eq!(pointers(&standalone("upstreams", &bare)), ["/nodes/0/host"]);
        let bracketed = json!({"nodes": [{"host": "[::1]", "port": 80, "weight": 1}, {"host": "a.b", "weight": 1}]});
        assert!(standalone("upstreams", &bracketed).is_empty());
        let in_adc = json!({"nodes": [{"host": "fe80::1", "port": 80, "weight": 1}]});
        assert_eq!(pointers(&adc("upstream", &in_adc)), ["/nodes/0/host"]);
    }

    #[test]
    fn map_node_ports_are_1_to_65535() {
        let bad = json!({"nodes": {"127.0.0.1:0": 1, "a.com:65536": 1, "[::1]:70000": 1, "x/y:99999": 1}});
        let issues = standalone("upstreams", &bad);
        assert_eq!(
            pointers(&issues),
            [
                "/nodes/127.0.0.1:0",
                "/nodes/a.com:65536",
                "/nodes/[::1]:70000",
                "/nodes/x~1y:99999"
            ]
        );
        assert!(issues.iter().all(|i| i.target == super::super::Target::Key));
        let good = json!({"nodes": {"127.0.0.1:8080": 1, "a.com": 1, "[::1]": 1, "::1": 1, "[::1]:443": 1, "h:x": 1}});
        assert!(standalone("upstreams", &good).is_empty());
    }

    #[test]
    fn any_balancer_type_is_accepted_as_apisix_accepts_it() {
        let kafka = json!({"nodes": {"a:9092": 1}, "type": "none", "scheme": "kafka"});
        assert!(standalone("upstreams", &kafka).is_empty());
        let unknown = json!({"nodes": {"a:1": 1}, "type": "random"});
        assert!(standalone("upstreams", &unknown).is_empty());
        for balancer in BALANCERS {
            let key = if balancer == "chash" {
                json!("uri")
            } else {
                Value::Null
            };
            let upstream = json!({"nodes": {"a:1": 1}, "type": balancer, "key": key});
            assert!(standalone("upstreams", &upstream).is_empty(), "{balancer}");
        }
    }

    #[test]
    fn inline_upstreams_of_routes_and_services_are_checked() {
        let route = json!({"uri": "/", "upstream": {"nodes": {"a:1": 1}, "type": "chash"}});
        assert_eq!(pointers(&standalone("routes", &route)), ["/upstream/type"]);
        let service =
            json!({"upstream": {"nodes": {"a:1": 1}, "type": "chash", "hash_on": "cookie"}});
        assert_eq!(
            pointers(&standalone("services", &service)),
            ["/upstream/type"]
        );
        let fine = json!({"upstream": {"nodes": {"a:1": 1}, "type": "roundrobin"}});
        assert!(standalone("services", &fine).is_empty());
    }

    #[test]
    fn adc_hash_on_must_be_one_apisix_knows() {
        let bad = json!({"nodes": [], "hash_on": "query"});
        assert_eq!(pointers(&adc("upstream", &bad)), ["/hash_on"]);
        let good = json!({"nodes": [], "hash_on": "vars", "type": "chash", "key": "uri"});
        assert!(adc("upstream", &good).is_empty());
    }

    #[test]
    fn adc_hosts_must_be_hosts_apisix_accepts() {
        let service = json!({"name": "s", "hosts": ["*.a.com", "a.*.com"]});
        assert_eq!(pointers(&adc("service", &service)), ["/hosts/1"]);
        let route = json!({"name": "r", "uris": ["/"], "hosts": ["*", "x y"]});
        assert_eq!(pointers(&adc("route", &route)), ["/hosts/1"]);
        let ssl = json!({"snis": ["ok.com", "bad/sni"], "certificates": []});
        assert_eq!(pointers(&adc("ssl", &ssl)), ["/snis/1"]);
        let stream = json!({"name": "s", "sni": "**.a"});
        assert_eq!(pointers(&adc("stream_route", &stream)), ["/sni"]);
        let upstream = json!({
            "nodes": [{"host": "httpbin.org", "port": 80, "weight": 1}, {"host": "a b", "port": 80, "weight": 1}],
            "upstream_host": "h_1.example", "checks": {"active": {"host": "bad host"}}
        });
        assert_eq!(
            pointers(&adc("upstream", &upstream)),
            ["/checks/active/host", "/nodes/1/host"]
        );
    }

    #[test]
    fn adc_usernames_must_suit_apisix() {
        assert_eq!(
            pointers(&adc("consumer", &json!({"username": "john.doe"}))),
            ["/username"]
        );
        assert!(adc("consumer", &json!({"username": "demo-user_1"})).is_empty());
    }

    #[test]
    fn adc_upstream_tls_strings_are_not_parsed() {
        let upstream = json!({"nodes": [], "tls": {"client_cert": "0000", "client_key": "0000"}});
        assert!(adc("upstream", &upstream).is_empty());
    }

    #[test]
    fn standalone_upstream_tls_must_be_pem() {
        let bad = json!({"nodes": {"a:1": 1}, "tls": {"client_cert": "x".repeat(130), "client_key": pem("PRIVATE KEY")}});
        assert_eq!(
            pointers(&standalone("upstreams", &bad)),
            ["/tls/client_cert"]
        );
        let good = json!({"nodes": {"a:1": 1}, "tls": {"client_cert": pem("CERTIFICATE"), "client_key": pem("RSA PRIVATE KEY")}});
        assert!(standalone("upstreams", &good).is_empty());
    }

    #[test]
    fn vars_must_compile() {
        let bad_operator = json!({"uri": "/", "vars": [["remote_addr", "=", "127.0.0.1"]]});
        let issues = standalone("routes", &bad_operator);
        assert_eq!(pointers(&issues), ["/vars"]);
        assert!(issues[0].message.contains("invalid operator '='"));
        let good = json!({"uri": "/", "vars": [["arg_name", "==", "json"], ["arg_age", ">", 18], ["arg_x", "!", "~~", "a"]]});
        assert!(standalone("routes", &good).is_empty());
        let nested = json!({"name": "r", "uris": ["/"], "vars": ["AND", ["arg_v", "==", "v2"], ["OR", ["a", "==", "b"], ["c", "==", "d"]]]});
        assert!(adc("route", &nested).is_empty());
        let bad_path = json!({"uri": "/", "vars": [[["post_arg.messages[.content[*].type", "has", "image_url"]]]});
        assert_eq!(pointers(&standalone("routes", &bad_path)), ["/vars"]);
        let path = json!({"uri": "/", "vars": [[["post_arg.messages[*].content[*].type", "has", "image_url"]]]});
        assert!(standalone("routes", &path).is_empty());
    }

    #[test]
    fn json_paths_of_post_args() {
        for good in [
            "model.name",
            "a[0]",
            "a[-1:]",
            "a[0,2]",
            "a['x y']",
            "a[?(@.b == 'c')]",
            "a..b",
            "a[*].b",
        ] {
            assert!(check_json_path(good).is_ok(), "{good}");
        }
        for bad in ["", "a[", "a[]", "a[x]", "a.", "a[0]b", "a b", "a[[0]]"] {
            assert!(check_json_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn expression_compiler_matches_lua_resty_expr() {
        let ok = |v: Value| check_expression(&v).is_ok();
        assert!(ok(json!([])));
        assert!(ok(json!([["arg_name", "json"]])));
        assert!(ok(json!([[
            "remote_addr",
            "ipmatch",
            ["127.0.0.1", "10.0.0.0/8"]
        ]])));
        assert!(ok(json!([["remote_addr", "IN", ["a", "b"]]])));
        assert_eq!(
            check_expression(&json!(["arg_name", "==", "x"])).unwrap_err(),
            "rule should be wrapped inside brackets"
        );
        assert_eq!(
            check_expression(&json!(["AND", ["a", "==", "b"]])).unwrap_err(),
            "rule too short"
        );
        assert_eq!(
            check_expression(&json!([["a", "x", "==", "b"]])).unwrap_err(),
            "bad 'not' expression"
        );
        assert_eq!(
            check_expression(&json!([["a"]])).unwrap_err(),
            "invalid expression"
        );
        assert_eq!(
            check_expression(&json!([[]])).unwrap_err(),
            "rule too short"
        );
        assert_eq!(
            check_expression(&json!([["a", "*=", "b"]])).unwrap_err(),
            "invalid operator '*='"
        );
        assert!(check_expression(&json!([["remote_addr", "ipmatch", ["::1/129"]]])).is_err());
        assert!(check_expression(&json!([["remote_addr", "ipmatch", []]])).is_err());
        assert!(check_expression(&json!({"a": 1})).is_err());
    }

    #[test]
    fn filter_func_must_be_a_complete_function() {
        let truncated = json!({"uri": "/", "filter_func": "function(vars) "});
        assert_eq!(
            pointers(&standalone("routes", &truncated)),
            ["/filter_func"]
        );
        let good =
            json!({"uri": "/", "filter_func": "function(vars) return vars.arg_name == 'json' end"});
        assert!(standalone("routes", &good).is_empty());
        let check = |s: &str| check_lua_function(s).is_ok();
        assert!(check("function(v)\n  if v.a then return true end -- done\n  for i = 1, 2 do end\n  return \"end\" .. [[ end ]]\nend"));
        assert!(check(
            "function(v) repeat local x = 1 until x end --[[ trailing ]]"
        ));
        assert!(!check("function(v) return 1 end end"));
        assert!(!check("function(v) return 1 end; x"));
        assert!(!check("function(v) return 'open end"));
        assert!(!check("local f = function() end"));
    }

    #[test]
    fn route_addresses_are_parsed_strictly() {
        let bad =
            json!({"uri": "/", "remote_addrs": ["::1/16", "::1/129", "10.0.0.0/33", "1.1.1.1"]});
        assert_eq!(
            pointers(&standalone("routes", &bad)),
            ["/remote_addrs/1", "/remote_addrs/2"]
        );
        let single = json!({"uri": "/", "remote_addr": "fe80::/200"});
        assert_eq!(pointers(&standalone("routes", &single)), ["/remote_addr"]);
        let adc_route = json!({"name": "r", "uris": ["/"], "remote_addrs": ["192.168.0.0/16", "::/0", "1.2.3"]});
        assert_eq!(pointers(&adc("route", &adc_route)), ["/remote_addrs/2"]);
    }

    #[test]
    fn stream_route_addresses_must_be_ip_or_cidr() {
        let bad = json!({"remote_addr": "localhost", "server_addr": "::1/129"});
        assert_eq!(
            pointers(&standalone("stream_routes", &bad)),
            ["/remote_addr", "/server_addr"]
        );
        assert_eq!(
            pointers(&adc("stream_route", &bad)),
            ["/remote_addr", "/server_addr"]
        );
        let good = json!({"remote_addr": "127.0.0.1", "server_addr": "::1"});
        assert!(standalone("stream_routes", &good).is_empty());
    }

    #[test]
    fn ssl_certs_and_keys_must_pair_up() {
        let cert = pem("CERTIFICATE");
        let key = pem("PRIVATE KEY");
        let mismatched =
            json!({"sni": "a.com", "cert": cert, "key": key, "certs": [cert, cert], "keys": [key]});
        let issues = standalone("ssls", &mismatched);
        assert_eq!(pointers(&issues), ["/keys"]);
        assert!(issues[0]
            .message
            .starts_with("mismatched number of certs and keys"));
        let paired =
            json!({"sni": "a.com", "cert": cert, "key": key, "certs": [cert], "keys": [key]});
        assert!(standalone("ssls", &paired).is_empty());
        let client = json!({"type": "client", "cert": cert, "key": key, "certs": [cert]});
        assert!(standalone("ssls", &client).is_empty());
    }

    #[test]
    fn ssl_strings_must_be_pem_or_secret_references() {
        let swapped =
            json!({"sni": "a.com", "cert": pem("PRIVATE KEY"), "key": pem("CERTIFICATE")});
        assert_eq!(pointers(&standalone("ssls", &swapped)), ["/cert", "/key"]);
        let reference = format!("$secret://vault/{}", "a".repeat(130));
        let referenced = json!({"sni": "a.com", "cert": reference, "key": "$ENV://SSL_KEY"});
        assert!(standalone("ssls", &referenced).is_empty());
    }

    #[test]
    fn credentials_hold_only_auth_plugins() {
        let bad = json!({"id": "jack/credentials/a", "plugins": {"limit-count": {}}});
        let issues = standalone("consumers", &bad);
        assert_eq!(pointers(&issues), ["/plugins/limit-count"]);
        assert_eq!(issues[0].target, super::super::Target::Key);
        let good = json!({"id": "jack/credentials/a", "plugins": {"key-auth": {"key": "k"}}});
        assert!(standalone("consumers", &good).is_empty());
        let consumer = json!({"username": "jack", "plugins": {"limit-count": {}}});
        assert!(standalone("consumers", &consumer).is_empty());
    }

    #[test]
    fn ip_or_cidr_parsing() {
        for good in [
            "1.2.3.4",
            "10.0.0.0/8",
            "0.0.0.0/0",
            "::",
            "::1/128",
            "fe80::/10",
            "::ffff:1.2.3.4",
        ] {
            assert!(is_ip_or_cidr(good), "{good}");
        }
        for bad in [
            "",
            "/16",
            "1.2.3.4/33",
            "::1/129",
            "1.2.3",
            "a::b::c",
            "1.2.3.4/",
            "1.2.3.4/+8",
            "::1/-1",
        ] {
            assert!(!is_ip_or_cidr(bad), "{bad}");
        }
    }

    #[test]
    fn never_panics_on_odd_values() {
        let odd = [
            json!(null),
            json!(1),
            json!("x"),
            json!([1, 2]),
            json!({"nodes": "x", "upstream": 3, "vars": "x"}),
        ];
        for value in &odd {
            for kind in [
                "routes",
                "services",
                "stream_routes",
                "upstreams",
                "ssls",
                "consumers",
                "protos",
            ] {
                let _ = standalone(kind, value);
            }
            for kind in [
                "service",
                "route",
                "stream_route",
                "upstream",
                "ssl",
                "consumer",
                "credential",
            ] {
                let _ = adc(kind, value);
            }
        }
        assert!(check_lua_function("function() x = [==[ ]=] end").is_err());
        assert!(check_lua_function("function() --[[ unterminated").is_err());
        assert_eq!(address_port("[::1"), None);
        assert_eq!(lua_number("0x1F"), Some(31.0));
    }
}

//! Imperative plugin checks: auth plugins (see the parent module).
//!
//! What jwt-auth and openid-connect check in Lua besides their schema: jwt-auth's
//! consumer credential needs the key material its algorithm uses and a decodable
//! base64 secret; openid-connect needs a session unless it only validates bearer
//! tokens, a client secret unless the flow in use authenticates otherwise, its
//! PAR and `DPoP` options under `par`/`dpop` only, a `DPoP` JWK that fits the signing
//! algorithm, and one client-assertion algorithm family per configuration.
//!
//! openid-connect's `claim_schema` must also compile in APISIX's Lua JSON Schema
//! library; [`lua_schema_errors`] finds what certainly stops that compilation
//! (request-validation uses it too).
//!
//! key-auth, basic-auth and hmac-auth have no check here: APISIX checks them with
//! their schemas only. Not checked here because it needs more than the
//! configuration itself: comparing a PEM private key (`dpop.private_key`,
//! `client_rsa_private_key`) with the JWK or algorithm it must match.

use super::{Issue, PluginCheck, SchemaKind};
use crate::load::document::join_pointer;
use crate::secrets::is_reference;
use serde_json::Value;

/// The check for plugin `name`, if this group has one.
pub(super) fn lookup(name: &str) -> Option<PluginCheck> {
    match name {
        "jwt-auth" => Some(jwt_auth),
        "openid-connect" => Some(openid_connect),
        _ => None,
    }
}

/// jwt-auth (consumer credential): HS* algorithms need `secret`, a base64 secret
/// must decode, the others need `public_key`.
fn jwt_auth(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>) {
    if kind != SchemaKind::Consumer {
        return;
    }
    // APISIX fills in the default algorithm before this check runs.
    let algorithm = conf
        .get("algorithm")
        .and_then(Value::as_str)
        .unwrap_or("HS256");
    let at_algorithm = if conf.get("algorithm").is_some() {
        "/algorithm"
    } else {
        ""
    };
    let is_hs = algorithm.starts_with("HS");
    let secret = conf.get("secret").and_then(Value::as_str);
    if is_hs && secret.is_none() {
        out.push(Issue::value(
            at_algorithm,
            "property \"secret\" is required when using HS based algorithms",
        ));
    }
    if conf.get("base64_secret") == Some(&Value::Bool(true)) {
        if let Some(secret) = secret {
            if !is_reference(secret) && !nginx_base64_decodes(secret) {
                out.push(Issue::value(
                    "/secret",
                    "base64_secret required but the secret is not in base64 format",
                ));
            }
        }
    }
    if !is_hs && conf.get("public_key").and_then(Value::as_str).is_none() {
        out.push(Issue::value(at_algorithm, "missing valid public key"));
    }
}

/// Whether nginx's `ngx_decode_base64` (behind `ngx.decode_base64`) accepts `text`:
/// everything before the first `=` must be base64 alphabet, and that part cannot be
/// one character past a multiple of four. What follows the first `=` is ignored.
fn nginx_base64_decodes(text: &str) -> bool {
    let body = text.split('=').next().unwrap_or_default();
    body.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        && body.len() % 4 != 1
}

/// The flat lua-resty-openidc option names that openid-connect reserves for its
/// `par` and `dpop` objects, with the field to use instead.
const RESERVED_FLAT_OPTIONS: &[(&str, &str)] = &[
    ("use_par", "par.enabled"),
    ("pushed_authorization_request_endpoint", "par.endpoint"),
    (
        "pushed_authorization_request_endpoint_auth_method",
        "par.endpoint_auth_method",
    ),
    ("use_dpop", "dpop.enabled"),
    ("dpop_signing_alg", "dpop.signing_alg"),
    ("dpop_private_key", "dpop.private_key"),
    ("dpop_public_jwk", "dpop.public_jwk"),
];

/// openid-connect: session, client secret, reserved flat options, `DPoP` key shape,
/// client-assertion algorithm and PAR authentication method.
fn openid_connect(conf: &Value, _kind: SchemaKind, out: &mut Vec<Issue>) {
    let bearer_only = is_true(conf, "bearer_only");
    if !bearer_only && conf.get("session").is_none() {
        out.push(Issue::value(
            "",
            "property \"session.secret\" is required when \"bearer_only\" is false",
        ));
    }
    if !client_secret_optional(conf, bearer_only) && conf.get("client_secret").is_none() {
        out.push(Issue::value("", "property \"client_secret\" is required"));
    }
    for (name, owner) in RESERVED_FLAT_OPTIONS {
        if conf.get(*name).is_some_and(|v| !v.is_null()) {
            out.push(Issue::key(
                format!("/{name}"),
                format!("property \"{name}\" is not allowed, use \"{owner}\" instead"),
            ));
        }
    }
    if let Some(dpop) = conf.get("dpop") {
        check_dpop_jwk(dpop, out);
    }
    check_client_assertion_alg(conf, bearer_only, out);
    check_par_auth_method(conf, bearer_only, out);
    if let Some(schema) = conf.get("claim_schema").filter(|s| s.is_object()) {
        lua_schema_errors(schema, "/claim_schema", "check claim_schema failed: ", out);
    }
}

/// Whether `conf[key]` is `true`.
fn is_true(conf: &Value, key: &str) -> bool {
    conf.get(key) == Some(&Value::Bool(true))
}

/// Whether `conf[key]` is set (Lua truthiness: present, not null, not `false`).
fn is_set(conf: &Value, key: &str) -> bool {
    !matches!(conf.get(key), None | Some(Value::Null | Value::Bool(false)))
}

/// A string field, or its APISIX default.
fn str_or<'a>(conf: &'a Value, key: &str, default: &'a str) -> &'a str {
    conf.get(key).and_then(Value::as_str).unwrap_or(default)
}

/// Whether the flow in use authenticates without `client_secret`: local JWT
/// verification or a signed-JWT introspection call for bearer tokens; a signed-JWT
/// token call or PKCE for the authorization code flow.
fn client_secret_optional(conf: &Value, bearer_only: bool) -> bool {
    if bearer_only {
        is_set(conf, "public_key")
            || is_set(conf, "use_jwks")
            || str_or(conf, "introspection_endpoint_auth_method", "") == "private_key_jwt"
    } else {
        str_or(conf, "token_endpoint_auth_method", "") == "private_key_jwt"
            || is_set(conf, "use_pkce")
    }
}

/// The credential a client authentication method needs, if any (unknown methods
/// need none that APISIX checks).
fn auth_method_credential(method: &str) -> Option<&'static str> {
    match method {
        "private_key_jwt" => Some("client_rsa_private_key"),
        "client_secret_jwt" => Some("client_secret"),
        _ => None,
    }
}

/// With `DPoP` enabled, the public JWK has the members its key type needs, as
/// non-empty strings, and its key type (and curve) fits `signing_alg`.
fn check_dpop_jwk(dpop: &Value, out: &mut Vec<Issue>) {
    if !is_true(dpop, "enabled") {
        return;
    }
    let Some(jwk) = dpop.get("public_jwk") else {
        return;
    };
    let kty = jwk.get("kty");
    let required: &[&str] = match kty.and_then(Value::as_str) {
        Some("EC") => &["crv", "x", "y"],
        Some("RSA") => &["e", "n"],
        _ => {
            let shown = match kty {
                Some(Value::String(s)) => s.clone(),
                None | Some(Value::Null) => "nil".to_owned(),
                Some(other) => other.to_string(),
            };
            out.push(Issue::value(
                "/dpop/public_jwk/kty",
                format!("property \"dpop.public_jwk\" validation failed: kty \"{shown}\" is not supported"),
            ));
            return;
        }
    };
    let kty = kty.and_then(Value::as_str).unwrap_or_default();
    for member in required {
        match jwk.get(*member) {
            None | Some(Value::Null) => {
                out.push(Issue::value(
                    "/dpop/public_jwk",
                    format!(
                        "property \"dpop.public_jwk\" validation failed: kty \"{kty}\" requires {}",
                        required.join(", ")
                    ),
                ));
                return;
            }
            Some(Value::String(s)) if !s.is_empty() => {}
            Some(_) => {
                out.push(Issue::value(
                    format!("/dpop/public_jwk/{member}"),
                    format!(
                        "property \"dpop.public_jwk\" validation failed: \"{member}\" must be a non-empty string"
                    ),
                ));
                return;
            }
        }
    }
    let alg = str_or(dpop, "signing_alg", "ES256");
    let (want_kty, want_crv) = match alg {
        "ES256" => ("EC", Some("P-256")),
        "RS256" | "PS256" => ("RSA", None),
        _ => return,
    };
    let at_alg = if dpop.get("signing_alg").is_some() {
        "/dpop/signing_alg"
    } else {
        "/dpop/public_jwk/kty"
    };
    if kty != want_kty {
        out.push(Issue::value(
            at_alg,
            format!("property \"dpop.signing_alg\" \"{alg}\" requires an {want_kty} \"dpop.public_jwk\""),
        ));
    } else if let Some(crv) = want_crv {
        let got = str_or(jwk, "crv", "nil");
        if got != crv {
            out.push(Issue::value(
                "/dpop/public_jwk/crv",
                format!(
                    "property \"dpop.signing_alg\" \"{alg}\" requires \"dpop.public_jwk\" crv \"{crv}\", got \"{got}\""
                ),
            ));
        }
    }
}

/// The client authentication methods the configuration can reach, each with the
/// field that selects it: the introspection call (bearer tokens without local
/// verification), and for the authorization code flow the token call (while its
/// credential is there) and an explicit PAR method.
fn reachable_auth_methods(conf: &Value, bearer_only: bool) -> Vec<(&'static str, String)> {
    let mut reachable = Vec::new();
    let verifies_locally = is_set(conf, "public_key") || is_set(conf, "use_jwks");
    if !verifies_locally && (bearer_only || is_set(conf, "introspection_endpoint")) {
        reachable.push((
            "introspection_endpoint_auth_method",
            str_or(
                conf,
                "introspection_endpoint_auth_method",
                "client_secret_basic",
            )
            .to_owned(),
        ));
    }
    if !bearer_only {
        let method = str_or(conf, "token_endpoint_auth_method", "client_secret_basic");
        let usable = auth_method_credential(method).is_none_or(|c| is_set(conf, c));
        if usable {
            reachable.push(("token_endpoint_auth_method", method.to_owned()));
        }
        if let Some(par) = conf.get("par").filter(|p| is_true(p, "enabled")) {
            if let Some(method) = par.get("endpoint_auth_method").and_then(Value::as_str) {
                reachable.push(("par.endpoint_auth_method", method.to_owned()));
            }
        }
    }
    reachable
}

/// `client_jwt_assertion_alg` is one algorithm: the reachable methods cannot need
/// both a symmetric and an asymmetric one, and the algorithm must be of the family
/// they need.
fn check_client_assertion_alg(conf: &Value, bearer_only: bool, out: &mut Vec<Issue>) {
    let Some(alg) = conf.get("client_jwt_assertion_alg").and_then(Value::as_str) else {
        return;
    };
    let reachable = reachable_auth_methods(conf, bearer_only);
    let selected_by = |method: &str| {
        reachable
            .iter()
            .find(|(_, m)| m == method)
            .map(|(name, _)| *name)
    };
    let asymmetric_by = selected_by("private_key_jwt");
    let symmetric_by = selected_by("client_secret_jwt");
    let pointer = "/client_jwt_assertion_alg";
    let is_symmetric = alg.starts_with("HS");
    match (asymmetric_by, symmetric_by) {
        (Some(asymmetric), Some(symmetric)) => out.push(Issue::value(
            pointer,
            format!(
                "property \"client_jwt_assertion_alg\" is a single algorithm, but \"{asymmetric}\" \
                 selects private_key_jwt and \"{symmetric}\" selects client_secret_jwt"
            ),
        )),
        (Some(by), None) if is_symmetric => out.push(Issue::value(
            pointer,
            format!(
                "property \"client_jwt_assertion_alg\" \"{alg}\" is symmetric and cannot be used \
                 with the private_key_jwt selected by \"{by}\""
            ),
        )),
        (None, Some(by)) if !is_symmetric => out.push(Issue::value(
            pointer,
            format!(
                "property \"client_jwt_assertion_alg\" \"{alg}\" is asymmetric and cannot be used \
                 with the client_secret_jwt selected by \"{by}\""
            ),
        )),
        _ => {}
    }
}

/// An explicit PAR authentication method needs its credential: the PAR request
/// fails outright without it.
fn check_par_auth_method(conf: &Value, bearer_only: bool, out: &mut Vec<Issue>) {
    if bearer_only {
        return;
    }
    let Some(par) = conf.get("par").filter(|p| is_true(p, "enabled")) else {
        return;
    };
    let Some(method) = par.get("endpoint_auth_method").and_then(Value::as_str) else {
        return;
    };
    if let Some(credential) = auth_method_credential(method) {
        if !is_set(conf, credential) {
            out.push(Issue::value(
                "/par/endpoint_auth_method",
                format!(
                    "property \"par.endpoint_auth_method\" \"{method}\" requires \"{credential}\" \
                     when \"par.enabled\" is true"
                ),
            ));
        }
    }
}

/// The type names APISIX's Lua JSON Schema library knows (`table` and `function`
/// are its own).
const LUA_SCHEMA_TYPES: &[&str] = &[
    "object", "array", "table", "integer", "string", "boolean", "number", "null", "function",
];

/// Count keywords the library writes into its generated code as integers.
const LUA_SCHEMA_COUNTS: &[&str] = &[
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
];

/// How deep nested schemas are followed (the loaders cap nesting lower).
const LUA_SCHEMA_MAX_DEPTH: usize = 256;

/// Report what certainly stops APISIX's Lua JSON Schema library (api7/jsonschema,
/// behind `core.schema.valid`) from compiling a user-supplied `schema` found at
/// `pointer`: unknown type names, keywords of the wrong JSON type, an empty `enum`
/// or `anyOf`, a number where a schema belongs, a non-fragment `$id`, and a local
/// `$ref` that points nowhere. Messages start with `prefix`. Nulls are left alone:
/// the YAML and JSON loaders of APISIX read them differently.
pub(super) fn lua_schema_errors(schema: &Value, pointer: &str, prefix: &str, out: &mut Vec<Issue>) {
    let mut check = LuaSchemaCheck {
        root: schema,
        has_ids: has_schema_ids(schema, 0),
        prefix,
        out,
    };
    check.ids(schema, pointer, 0);
    check.schema(schema, pointer, 0);
}

/// One run of [`lua_schema_errors`].
struct LuaSchemaCheck<'a> {
    root: &'a Value,
    /// Whether any `id`/`$id` can change how references resolve.
    has_ids: bool,
    prefix: &'a str,
    out: &'a mut Vec<Issue>,
}

impl LuaSchemaCheck<'_> {
    fn report(&mut self, pointer: String, message: &str) {
        self.out
            .push(Issue::value(pointer, format!("{}{message}", self.prefix)));
    }

    /// Every object the library walks when it stores the schema: a `$id` must be
    /// a fragment (`#name`).
    fn ids(&mut self, node: &Value, pointer: &str, depth: usize) {
        if depth > LUA_SCHEMA_MAX_DEPTH {
            return;
        }
        match node {
            Value::Object(map) => {
                if let Some(Value::String(id)) = map.get("$id") {
                    if !id.contains('#') {
                        self.report(
                            join_pointer(pointer, "$id"),
                            &format!("only location independent $id is supported, got \"{id}\""),
                        );
                    }
                }
                for (key, value) in map {
                    if key != "enum" && !key.starts_with('_') {
                        self.ids(value, &join_pointer(pointer, key), depth + 1);
                    }
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    self.ids(item, &format!("{pointer}/{index}"), depth + 1);
                }
            }
            _ => {}
        }
    }

    /// One schema and the schemas the library compiles from it. Booleans compile,
    /// and so do strings (the library reads them as empty schemas); numbers do not.
    fn schema(&mut self, schema: &Value, pointer: &str, depth: usize) {
        if depth > LUA_SCHEMA_MAX_DEPTH {
            return;
        }
        let map = match schema {
            Value::Object(map) => map,
            Value::Number(_) => {
                self.report(
                    pointer.to_owned(),
                    "a schema must be an object or a boolean, got a number",
                );
                return;
            }
            _ => return,
        };
        let at = |key: &str| join_pointer(pointer, key);
        // The library compiles the target of a reference instead of its siblings.
        match map.get("$ref") {
            Some(Value::String(reference)) => return self.reference(reference, &at("$ref")),
            Some(reference) if is_lua_truthy(reference) => return,
            _ => {}
        }
        if let Some(kind) = map.get("type") {
            self.type_keyword(kind, &at("type"));
        }
        for (key, value) in map {
            self.keyword_shape(key, value, &at(key));
        }
        self.subschemas(map, pointer, depth);
    }

    /// `type`: a known name or an array of known names.
    fn type_keyword(&mut self, kind: &Value, pointer: &str) {
        match kind {
            Value::String(name) if !LUA_SCHEMA_TYPES.contains(&name.as_str()) => {
                self.report(pointer.to_owned(), &format!("invalid JSON type: {name}"));
            }
            Value::Array(names) => {
                for (index, name) in names.iter().enumerate().filter(|(_, n)| !n.is_null()) {
                    let known = name.as_str().is_some_and(|n| LUA_SCHEMA_TYPES.contains(&n));
                    if !known {
                        let shown = name
                            .as_str()
                            .map_or_else(|| name.to_string(), str::to_owned);
                        self.report(
                            format!("{pointer}/{index}"),
                            &format!("invalid JSON type: {shown}"),
                        );
                    }
                }
            }
            Value::Number(_) | Value::Bool(_) => {
                let got = if kind.is_number() {
                    "number"
                } else {
                    "boolean"
                };
                self.report(
                    pointer.to_owned(),
                    &format!("invalid \"type\" type: got {got}"),
                );
            }
            _ => {}
        }
    }

    /// Keywords the library iterates or formats: their value must be of the JSON
    /// type it expects whenever it is set (Lua truthiness: not `false`).
    fn keyword_shape(&mut self, key: &str, value: &Value, pointer: &str) {
        let scalar = matches!(
            value,
            Value::String(_) | Value::Number(_) | Value::Bool(true)
        );
        match key {
            // Generated as `if not (<one test per item>) then`: no items is a syntax error.
            "enum" | "anyOf" => {
                let empty = match value {
                    Value::Array(items) => items.is_empty(),
                    Value::Object(_) => true,
                    _ => false,
                };
                if scalar || empty {
                    self.report(
                        pointer.to_owned(),
                        &format!("\"{key}\" must be a non-empty array"),
                    );
                }
            }
            "allOf" | "oneOf" | "required" if scalar => {
                self.report(pointer.to_owned(), &format!("\"{key}\" must be an array"));
            }
            "properties" | "patternProperties" if scalar => {
                self.report(pointer.to_owned(), &format!("\"{key}\" must be an object"));
            }
            _ if LUA_SCHEMA_COUNTS.contains(&key)
                && matches!(
                    value,
                    Value::Bool(true) | Value::Array(_) | Value::Object(_)
                ) =>
            {
                self.report(pointer.to_owned(), &format!("\"{key}\" must be a number"));
            }
            _ => {}
        }
    }

    /// The nested schemas the library compiles.
    fn subschemas(&mut self, map: &serde_json::Map<String, Value>, pointer: &str, depth: usize) {
        let at = |key: &str| join_pointer(pointer, key);
        for key in ["properties", "patternProperties", "dependencies"] {
            if let Some(Value::Object(members)) = map.get(key) {
                let base = at(key);
                for (name, member) in members {
                    // Array dependencies list property names, not schemas.
                    if key != "dependencies" || member.is_object() {
                        self.schema(member, &join_pointer(&base, name), depth + 1);
                    }
                }
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(members)) = map.get(key) {
                self.schema_list(members, &at(key), depth);
            }
        }
        match map.get("items") {
            Some(Value::Array(members)) if !members.is_empty() => {
                self.schema_list(members, &at("items"), depth);
                if let Some(extra @ Value::Object(_)) = map.get("additionalItems") {
                    self.schema(extra, &at("additionalItems"), depth + 1);
                }
            }
            Some(items) => self.schema(items, &at("items"), depth + 1),
            None => {}
        }
        if let Some(extra @ Value::Object(_)) = map.get("additionalProperties") {
            self.schema(extra, &at("additionalProperties"), depth + 1);
        }
        for key in ["not", "contains"] {
            if let Some(sub) = map.get(key) {
                self.schema(sub, &at(key), depth + 1);
            }
        }
        if let Some(condition) = map.get("if").filter(|c| is_lua_truthy(c)) {
            self.schema(condition, &at("if"), depth + 1);
            for key in ["then", "else"] {
                if let Some(branch) = map.get(key) {
                    self.schema(branch, &at(key), depth + 1);
                }
            }
        }
    }

    fn schema_list(&mut self, members: &[Value], pointer: &str, depth: usize) {
        for (index, member) in members.iter().enumerate() {
            self.schema(member, &format!("{pointer}/{index}"), depth + 1);
        }
    }

    /// A `$ref` the library cannot resolve: a `#/...` pointer to nothing in the
    /// root schema, or (with no ids to register other documents) any reference
    /// outside it. Pointers the library reads differently (percent escapes,
    /// numeric-looking names) are not judged.
    fn reference(&mut self, reference: &str, pointer: &str) {
        if self.has_ids {
            return;
        }
        let Some(fragment) = reference.strip_prefix('#') else {
            if !reference.starts_with("root:") {
                self.report(
                    pointer.to_owned(),
                    &format!("an external resolver is required to fetch {reference}"),
                );
            }
            return;
        };
        if !fragment.starts_with('/') || fragment.contains('%') {
            return;
        }
        if resolve_lua_fragment(self.root, fragment) == Some(false) {
            self.report(
                pointer.to_owned(),
                &format!("reference not found: #{fragment}"),
            );
        }
    }
}

/// Whether a JSON-pointer fragment resolves in `root` the way the library walks
/// it (empty parts are skipped, digits index arrays); `None` when the walk
/// meets a part the library would read differently from JSON Pointer.
fn resolve_lua_fragment(root: &Value, fragment: &str) -> Option<bool> {
    let mut node = root;
    for part in fragment.split('/').filter(|p| !p.is_empty()) {
        let part = part.replace("~1", "/").replace("~0", "~");
        let digits = part.bytes().all(|b| b.is_ascii_digit());
        let next = match node {
            Value::Array(items) if digits => part.parse::<usize>().ok().and_then(|i| items.get(i)),
            Value::Object(map) if !looks_numeric(&part) => map.get(&part),
            Value::Object(_) | Value::Array(_) => return None,
            _ => None,
        };
        match next {
            Some(found) => node = found,
            None => return Some(false),
        }
    }
    Some(true)
}

/// Whether Lua's `tonumber` might read `part` as a number (then the library
/// looks it up as a numeric key).
fn looks_numeric(part: &str) -> bool {
    part.trim_start()
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'))
}

/// Whether Lua treats a decoded JSON value as true (everything but `false`;
/// `null` is left out as unknown).
fn is_lua_truthy(value: &Value) -> bool {
    !matches!(value, Value::Bool(false) | Value::Null)
}

/// Whether any object in `node` has a string `id` or `$id` (either can register
/// documents that references resolve against).
fn has_schema_ids(node: &Value, depth: usize) -> bool {
    if depth > LUA_SCHEMA_MAX_DEPTH {
        return true;
    }
    match node {
        Value::Object(map) => {
            ["id", "$id"]
                .iter()
                .any(|key| map.get(*key).is_some_and(Value::is_string))
                || map.values().any(|v| has_schema_ids(v, depth + 1))
        }
        Value::Array(items) => items.iter().any(|v| has_schema_ids(v, depth + 1)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(name: &str, conf: &Value, kind: SchemaKind) -> Vec<Issue> {
        let check = lookup(name).expect("plugin has a check");
        let mut out = Vec::new();
        check(conf, kind, &mut out);
        out
    }

    fn messages(issues: &[Issue]) -> Vec<&str> {
        issues.iter().map(|i| i.message.as_str()).collect()
    }

    #[test]
    fn lookup_maps_only_plugins_with_checks() {
        assert!(lookup("jwt-auth").is_some());
        assert!(lookup("openid-connect").is_some());
        for name in ["key-auth", "basic-auth", "hmac-auth", "limit-count"] {
            assert!(lookup(name).is_none(), "{name}");
        }
    }

    #[test]
    fn jwt_auth_hs_needs_secret() {
        let ok = json!({"key": "k", "secret": "s", "algorithm": "HS512"});
        assert!(run("jwt-auth", &ok, SchemaKind::Consumer).is_empty());
        let issues = run("jwt-auth", &json!({"key": "k"}), SchemaKind::Consumer);
        assert_eq!(
            messages(&issues),
            ["property \"secret\" is required when using HS based algorithms"]
        );
        assert_eq!(issues[0].pointer, "");
        let issues = run(
            "jwt-auth",
            &json!({"key": "k", "algorithm": "HS256"}),
            SchemaKind::Consumer,
        );
        assert_eq!(issues[0].pointer, "/algorithm");
    }

    #[test]
    fn jwt_auth_route_conf_is_not_a_credential() {
        assert!(run("jwt-auth", &json!({"key": "k"}), SchemaKind::Plugin).is_empty());
    }

    #[test]
    fn jwt_auth_asymmetric_needs_public_key() {
        let ok = json!({"key": "k", "algorithm": "RS256", "public_key": "pem"});
        assert!(run("jwt-auth", &ok, SchemaKind::Consumer).is_empty());
        let bad = json!({"key": "k", "algorithm": "ES256", "secret": "s"});
        assert_eq!(
            messages(&run("jwt-auth", &bad, SchemaKind::Consumer)),
            ["missing valid public key"]
        );
    }

    #[test]
    fn jwt_auth_base64_secret_must_decode() {
        for secret in [
            "fo4XKdZ1xSrIZyms4q2BwPrW5lMpls9qqy5tiAk2esc=",
            "YWJj",
            "YWI",
            "$secret://vault/jwt/secret",
        ] {
            let conf = json!({"key": "k", "secret": secret, "base64_secret": true});
            assert!(
                run("jwt-auth", &conf, SchemaKind::Consumer).is_empty(),
                "{secret}"
            );
        }
        for secret in ["{^c0j4&]2!=J=", "a", "abcde", "ab cd"] {
            let conf = json!({"key": "k", "secret": secret, "base64_secret": true});
            let issues = run("jwt-auth", &conf, SchemaKind::Consumer);
            assert_eq!(issues.len(), 1, "{secret}");
            assert_eq!(issues[0].pointer, "/secret");
        }
    }

    fn oidc(extra: &Value) -> Value {
        let mut conf = json!({
            "client_id": "a",
            "client_secret": "b",
            "discovery": "https://idp/.well-known/openid-configuration",
            "session": {"secret": "0123456789abcdef"}
        });
        if let (Some(map), Some(extra)) = (conf.as_object_mut(), extra.as_object()) {
            for (k, v) in extra {
                if v.is_null() {
                    map.remove(k);
                } else {
                    map.insert(k.clone(), v.clone());
                }
            }
        }
        conf
    }

    fn oidc_messages(extra: &Value) -> Vec<String> {
        run("openid-connect", &oidc(extra), SchemaKind::Plugin)
            .into_iter()
            .map(|i| i.message)
            .collect()
    }

    #[test]
    fn openid_connect_needs_session_unless_bearer_only() {
        assert!(oidc_messages(&json!({})).is_empty());
        assert_eq!(
            oidc_messages(&json!({"session": null})),
            ["property \"session.secret\" is required when \"bearer_only\" is false"]
        );
        assert!(oidc_messages(&json!({"session": null, "bearer_only": true})).is_empty());
    }

    #[test]
    fn openid_connect_client_secret_rules() {
        let no_secret = |extra: Value| {
            let mut extra = extra;
            extra["client_secret"] = Value::Null;
            oidc_messages(&extra)
        };
        let required = ["property \"client_secret\" is required"];
        assert_eq!(no_secret(json!({})), required);
        assert!(no_secret(json!({"use_pkce": true})).is_empty());
        assert!(no_secret(
            json!({"token_endpoint_auth_method": "private_key_jwt", "client_rsa_private_key": "k"})
        )
        .is_empty());
        assert!(no_secret(json!({"bearer_only": true, "use_jwks": true})).is_empty());
        assert!(no_secret(json!({"bearer_only": true, "public_key": "k"})).is_empty());
        assert_eq!(
            no_secret(json!({"bearer_only": true, "introspection_endpoint": "https://i"})),
            required
        );
        assert_eq!(
            no_secret(
                json!({"bearer_only": true, "token_endpoint_auth_method": "private_key_jwt"})
            ),
            required
        );
        assert_eq!(
            no_secret(json!({"introspection_endpoint_auth_method": "private_key_jwt"})),
            required
        );
    }

    #[test]
    fn openid_connect_refuses_flat_par_and_dpop_options() {
        let issues = run(
            "openid-connect",
            &oidc(&json!({"use_dpop": true, "pushed_authorization_request_endpoint": "https://p"})),
            SchemaKind::Plugin,
        );
        assert_eq!(
            messages(&issues),
            [
                "property \"pushed_authorization_request_endpoint\" is not allowed, use \"par.endpoint\" instead",
                "property \"use_dpop\" is not allowed, use \"dpop.enabled\" instead",
            ]
        );
        assert_eq!(issues[1].pointer, "/use_dpop");
    }

    #[test]
    fn openid_connect_checks_the_dpop_jwk() {
        let ec = json!({"kty": "EC", "crv": "P-256", "x": "x", "y": "y"});
        let rsa = json!({"kty": "RSA", "e": "AQAB", "n": "n"});
        let dpop = |jwk: &Value, alg: &str| {
            oidc_messages(&json!({"dpop": {
                "enabled": true, "signing_alg": alg, "private_key": "pem", "public_jwk": jwk
            }}))
        };
        assert!(dpop(&ec, "ES256").is_empty());
        assert!(dpop(&rsa, "PS256").is_empty());
        assert_eq!(
            dpop(&rsa, "ES256"),
            ["property \"dpop.signing_alg\" \"ES256\" requires an EC \"dpop.public_jwk\""]
        );
        assert_eq!(
            dpop(&json!({"kty": "OKP"}), "ES256"),
            ["property \"dpop.public_jwk\" validation failed: kty \"OKP\" is not supported"]
        );
        assert_eq!(
            dpop(&json!({"kty": "RSA", "e": "AQAB"}), "RS256"),
            ["property \"dpop.public_jwk\" validation failed: kty \"RSA\" requires e, n"]
        );
        assert_eq!(
            dpop(&json!({"kty": "RSA", "e": "", "n": "n"}), "RS256"),
            ["property \"dpop.public_jwk\" validation failed: \"e\" must be a non-empty string"]
        );
        assert_eq!(
            dpop(&json!({"kty": "EC", "crv": "P-384", "x": "x", "y": "y"}), "ES256"),
            ["property \"dpop.signing_alg\" \"ES256\" requires \"dpop.public_jwk\" crv \"P-256\", got \"P-384\""]
        );
        // Staged key material is not judged while DPoP is off.
        assert!(oidc_messages(&json!({"dpop": {"public_jwk": {"kty": "OKP"}}})).is_empty());
    }

    #[test]
    fn openid_connect_client_assertion_alg_family() {
        let private_jwt = json!({
            "token_endpoint_auth_method": "private_key_jwt",
            "client_rsa_private_key": "k",
        });
        let mut ok = private_jwt.clone();
        ok["client_jwt_assertion_alg"] = json!("RS256");
        assert!(oidc_messages(&ok).is_empty());
        let mut symmetric = private_jwt.clone();
        symmetric["client_jwt_assertion_alg"] = json!("HS256");
        assert_eq!(oidc_messages(&symmetric).len(), 1);
        let mut both = private_jwt;
        both["introspection_endpoint"] = json!("https://i");
        both["introspection_endpoint_auth_method"] = json!("client_secret_jwt");
        both["client_jwt_assertion_alg"] = json!("RS256");
        let messages = oidc_messages(&both);
        assert_eq!(messages.len(), 1);
        assert!(
            messages[0].contains("is a single algorithm"),
            "{messages:?}"
        );
        // Without an algorithm the library picks one per method.
        both["client_jwt_assertion_alg"] = Value::Null;
        assert!(oidc_messages(&both).is_empty());
        // bearer_only with local verification reaches no endpoint.
        let bearer = json!({
            "bearer_only": true, "public_key": "k", "session": null,
            "introspection_endpoint_auth_method": "private_key_jwt",
            "token_endpoint_auth_method": "client_secret_jwt",
            "client_jwt_assertion_alg": "RS256",
        });
        assert!(oidc_messages(&bearer).is_empty());
    }

    #[test]
    fn openid_connect_par_method_needs_its_credential() {
        let par = json!({"par": {"enabled": true, "endpoint_auth_method": "private_key_jwt"}});
        assert_eq!(
            oidc_messages(&par),
            ["property \"par.endpoint_auth_method\" \"private_key_jwt\" requires \"client_rsa_private_key\" when \"par.enabled\" is true"]
        );
        let mut ok = par.clone();
        ok["client_rsa_private_key"] = json!("k");
        assert!(oidc_messages(&ok).is_empty());
        assert!(oidc_messages(&json!({"par": {"enabled": true}})).is_empty());
    }

    #[test]
    fn openid_connect_claim_schema_must_compile() {
        let ok =
            json!({"claim_schema": {"type": "object", "properties": {"sub": {"type": "string"}}}});
        assert!(oidc_messages(&ok).is_empty());
        let issues = run(
            "openid-connect",
            &oidc(&json!({"claim_schema": {"type": "test"}})),
            SchemaKind::Plugin,
        );
        assert_eq!(pointers(&issues), ["/claim_schema/type"]);
        assert_eq!(
            issues[0].message,
            "check claim_schema failed: invalid JSON type: test"
        );
    }

    fn lua_errors(schema: &Value) -> Vec<Issue> {
        let mut out = Vec::new();
        lua_schema_errors(schema, "/s", "", &mut out);
        out
    }

    fn pointers(issues: &[Issue]) -> Vec<&str> {
        issues.iter().map(|i| i.pointer.as_str()).collect()
    }

    #[test]
    fn lua_schema_accepts_what_the_library_compiles() {
        for schema in [
            json!({}),
            json!({"type": ["string", "null", "table", "function"], "enum": ["a", 1, true, {"x": 1}]}),
            json!({"properties": {"a": "anything", "b": true, "id": {"type": "integer"}}}),
            json!({"items": [], "additionalItems": 5, "additionalProperties": 5}),
            json!({"type": {}, "enum": false, "not": false, "required": {}}),
            json!({"$ref": "#/definitions/a", "type": "ignored", "definitions": {"a": {}}}),
            json!({"allOf": [{"$ref": "#/definitions/a/properties/x"}], "definitions": {"a": {"properties": {"x": {}}}}}),
            json!({"items": {"$ref": "#/items/0"}}),
            json!({"$id": "#anchor", "minLength": 1, "maxItems": "3"}),
            json!({"then": {"type": "bogus"}}),
            json!({"dependencies": {"a": ["b"], "c": {"required": ["d"]}}}),
            json!({"_comment": {"$id": "not walked"}, "enum": [{"$id": "not walked"}]}),
            json!({"id": "http://example.com/s", "$ref": "other.json"}),
        ] {
            assert!(lua_errors(&schema).is_empty(), "{schema}");
        }
    }

    #[test]
    fn lua_schema_reports_what_the_library_refuses() {
        let cases = [
            (
                json!({"type": "test"}),
                "/s/type",
                "invalid JSON type: test",
            ),
            (
                json!({"type": ["string", 5]}),
                "/s/type/1",
                "invalid JSON type: 5",
            ),
            (
                json!({"type": 5}),
                "/s/type",
                "invalid \"type\" type: got number",
            ),
            (
                json!({"properties": {"a": {"enum": "x"}}}),
                "/s/properties/a/enum",
                "\"enum\" must be a non-empty array",
            ),
            (
                json!({"enum": []}),
                "/s/enum",
                "\"enum\" must be a non-empty array",
            ),
            (
                json!({"anyOf": {}}),
                "/s/anyOf",
                "\"anyOf\" must be a non-empty array",
            ),
            (
                json!({"required": "a"}),
                "/s/required",
                "\"required\" must be an array",
            ),
            (
                json!({"properties": "a"}),
                "/s/properties",
                "\"properties\" must be an object",
            ),
            (
                json!({"minLength": true}),
                "/s/minLength",
                "\"minLength\" must be a number",
            ),
            (
                json!({"items": 5}),
                "/s/items",
                "a schema must be an object or a boolean, got a number",
            ),
            (
                json!({"if": {}, "else": {"type": "x"}}),
                "/s/else/type",
                "invalid JSON type: x",
            ),
            (
                json!({"oneOf": [{}, {"not": {"type": "y"}}]}),
                "/s/oneOf/1/not/type",
                "invalid JSON type: y",
            ),
            (
                json!({"properties": {"a/b": {"$id": "http://x"}}}),
                "/s/properties/a~1b/$id",
                "only location independent $id is supported, got \"http://x\"",
            ),
            (
                json!({"$ref": "#/definitions/missing"}),
                "/s/$ref",
                "reference not found: #/definitions/missing",
            ),
            (
                json!({"items": {"$ref": "other.json"}}),
                "/s/items/$ref",
                "an external resolver is required to fetch other.json",
            ),
        ];
        for (schema, pointer, message) in cases {
            let issues = lua_errors(&schema);
            assert_eq!(pointers(&issues), [pointer], "{schema}");
            assert_eq!(issues[0].message, message, "{schema}");
        }
    }
}

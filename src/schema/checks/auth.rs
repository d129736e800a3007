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
//! Key material: with `private_key_jwt`, `client_rsa_private_key` must be a private
//! key of the type (and curve) `client_jwt_assertion_alg` signs with; with `DPoP`,
//! `dpop.private_key` must be the private half of `dpop.public_jwk`. Keys are read
//! with the ssl-certificate rule's parser; secret references and values that are
//! not PEM (keyring-encrypted) are left alone.
//!
//! key-auth, basic-auth and hmac-auth have no check here: APISIX checks them with
//! their schemas only.

use super::lua_schema::lua_schema_errors;
use super::{Issue, PluginCheck, SchemaKind};
use crate::schema::certificate::{private_key_jwk, PrivateKeyJwk};
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
        return;
    }
    if let Some(crv) = want_crv {
        let got = str_or(jwk, "crv", "nil");
        if got != crv {
            out.push(Issue::value(
                "/dpop/public_jwk/crv",
                format!(
                    "property \"dpop.signing_alg\" \"{alg}\" requires \"dpop.public_jwk\" crv \"{crv}\", got \"{got}\""
                ),
            ));
            return;
        }
    }
    check_dpop_key_pair(dpop, jwk, required, out);
}

/// The `DPoP` proof is signed with `private_key` and advertises `public_jwk`: both
/// must be one key pair (compared as the JWK derived from the private key).
fn check_dpop_key_pair(dpop: &Value, jwk: &Value, required: &[&str], out: &mut Vec<Issue>) {
    let Some(derived) = derive_jwk(dpop, "private_key", "dpop.private_key", out) else {
        return;
    };
    let derived_member = |member: &str| match member {
        "kty" => Some(derived.kty.to_owned()),
        "crv" => derived.crv.map(str::to_owned),
        _ => derived
            .members
            .iter()
            .find(|(name, _)| *name == member)
            .map(|(_, value)| value.clone()),
    };
    for member in std::iter::once(&"kty").chain(required) {
        let Some(value) = derived_member(member) else {
            // A member not derived here (a curve whose key has no public point).
            return;
        };
        if jwk.get(*member).and_then(Value::as_str) != Some(value.as_str()) {
            out.push(Issue::value(
                "/dpop/public_jwk",
                format!(
                    "property \"dpop.public_jwk\" is not the public key of \"dpop.private_key\": {member} is \"{value}\""
                ),
            ));
            return;
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
        (Some(_), None) => check_client_assertion_key(conf, alg, out),
        _ => {}
    }
}

/// The key type (and curve) `client_rsa_private_key` must have to sign with
/// `client_jwt_assertion_alg` (resty.jwt picks the signer from the algorithm).
fn client_assertion_key_type(alg: &str) -> Option<(&'static str, Option<&'static str>)> {
    match alg {
        "RS256" | "RS512" => Some(("RSA", None)),
        "ES256" => Some(("EC", Some("P-256"))),
        "ES512" => Some(("EC", Some("P-521"))),
        _ => None,
    }
}

/// A private key field in PEM form, which is the form gwlint can read (a secret
/// reference resolves later; other text may be a keyring-encrypted value).
fn pem_private_key<'a>(conf: &'a Value, key: &str) -> Option<&'a str> {
    conf.get(key)
        .and_then(Value::as_str)
        .filter(|text| !is_reference(text) && text.contains("-----BEGIN"))
}

/// The public JWK of the PEM key in `conf[key]`, or an issue about the key.
fn derive_jwk(conf: &Value, key: &str, field: &str, out: &mut Vec<Issue>) -> Option<PrivateKeyJwk> {
    let text = pem_private_key(conf, key)?;
    match private_key_jwk(text) {
        Ok(jwk) => jwk,
        Err(problem) => {
            out.push(Issue::value(
                format!("/{}", field.replace('.', "/")),
                format!("property \"{field}\" is not a valid key: {problem}"),
            ));
            None
        }
    }
}

/// With `private_key_jwt`, `client_rsa_private_key` parses and has the key type
/// and curve `client_jwt_assertion_alg` signs with.
fn check_client_assertion_key(conf: &Value, alg: &str, out: &mut Vec<Issue>) {
    let Some((kty, crv)) = client_assertion_key_type(alg) else {
        return;
    };
    let field = "client_rsa_private_key";
    let Some(jwk) = derive_jwk(conf, field, field, out) else {
        return;
    };
    let pointer = "/client_rsa_private_key";
    if jwk.kty != kty {
        out.push(Issue::value(
            pointer,
            format!(
                "property \"client_jwt_assertion_alg\" \"{alg}\" requires an {kty} \"{field}\""
            ),
        ));
    } else if let Some(crv) = crv.filter(|crv| jwk.crv != Some(*crv)) {
        out.push(Issue::value(
            pointer,
            format!(
                "property \"client_jwt_assertion_alg\" \"{alg}\" requires a \"{field}\" on curve \"{crv}\", got \"{}\"",
                jwk.crv.unwrap_or("nil")
            ),
        ));
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

/// jwe-decrypt's consumer `secret` must be 32 bytes (after base64url decoding when
/// `is_base64_encoded`) unless APISIX stores it encrypted in etcd: never in a
/// standalone file, whose configuration APISIX reads as written
/// (t/plugin/jwe-decrypt.t TEST 4 and 5).
pub(super) fn jwe_decrypt_standalone(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>) {
    if kind != SchemaKind::Consumer {
        return;
    }
    let Some(secret) = conf.get("secret").and_then(Value::as_str) else {
        return;
    };
    if is_reference(secret) {
        return;
    }
    if conf.get("is_base64_encoded").and_then(Value::as_bool) == Some(true) {
        let decoded =
            data_encoding::BASE64URL_NOPAD.decode(secret.trim_end_matches('=').as_bytes());
        if decoded.map_or(true, |bytes| bytes.len() != 32) {
            out.push(Issue::value(
                "/secret",
                "the secret length after base64 decode should be 32 chars",
            ));
        }
    } else if secret.len() != 32 {
        out.push(Issue::value(
            "/secret",
            "the secret length should be 32 chars",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::checks::testing::{messages, run_as as run};
    use serde_json::json;

    #[test]
    fn lookup_maps_only_plugins_with_checks() {
        assert!(lookup("jwt-auth").is_some());
        assert!(lookup("openid-connect").is_some());
        for name in ["key-auth", "basic-auth", "hmac-auth", "limit-count"] {
            assert!(lookup(name).is_none(), "{name}");
        }
    }

    #[test]
    fn jwe_decrypt_secret_is_32_bytes_in_standalone_files() {
        // t/plugin/jwe-decrypt.t TEST 4 and 5.
        let check = |conf: &Value| {
            let mut out = Vec::new();
            jwe_decrypt_standalone(conf, SchemaKind::Consumer, &mut out);
            out
        };
        let long = check(&json!({"key": "k", "secret": "x".repeat(33)}));
        assert_eq!(messages(&long), ["the secret length should be 32 chars"]);
        assert_eq!(long[0].pointer, "/secret");
        let base64 = check(&json!({"key": "k", "secret": "eHh4", "is_base64_encoded": true}));
        assert_eq!(
            messages(&base64),
            ["the secret length after base64 decode should be 32 chars"]
        );
        assert!(check(&json!({"key": "k", "secret": "x".repeat(32)})).is_empty());
        assert!(check(&json!({"key": "k", "secret": "$env://JWE"})).is_empty());
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

    macro_rules! pem {
        ($name:literal) => {
            include_str!(concat!(
                "../../../fixtures/rules/ssl-certificate-validity/pem/",
                $name
            ))
        };
    }

    #[test]
    fn openid_connect_client_assertion_key_fits_the_algorithm() {
        // t/plugin/openid-connect.t TEST 80: "requires an EC \"client_rsa_private_key\"";
        // the curve check has no APISIX test.
        let conf = |alg: &str, key: &str| {
            json!({
                "token_endpoint_auth_method": "private_key_jwt",
                "client_rsa_private_key": key,
                "client_jwt_assertion_alg": alg,
            })
        };
        assert!(oidc_messages(&conf("RS256", pem!("rsa.key"))).is_empty());
        assert!(oidc_messages(&conf("RS512", pem!("rsa-pkcs1.key"))).is_empty());
        assert!(oidc_messages(&conf("ES256", pem!("ec256.key"))).is_empty());
        let issues = run(
            "openid-connect",
            &oidc(&conf("ES256", pem!("rsa.key"))),
            SchemaKind::Plugin,
        );
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].pointer, "/client_rsa_private_key");
        assert_eq!(
            issues[0].message,
            "property \"client_jwt_assertion_alg\" \"ES256\" requires an EC \"client_rsa_private_key\""
        );
        assert_eq!(
            oidc_messages(&conf("ES512", pem!("ec384.key"))),
            ["property \"client_jwt_assertion_alg\" \"ES512\" requires a \"client_rsa_private_key\" on curve \"P-521\", got \"P-384\""]
        );
        assert_eq!(
            oidc_messages(&conf("RS256", pem!("rsa.crt"))),
            ["property \"client_rsa_private_key\" is not a valid key: private key is not PEM: no `-----BEGIN ... PRIVATE KEY-----` block"]
        );
        // Secret references and non-PEM (keyring-encrypted) values are not read.
        assert!(oidc_messages(&conf("ES256", "$secret://vault/oidc/key")).is_empty());
        assert!(oidc_messages(&conf("ES256", "c29tZSBjaXBoZXJ0ZXh0")).is_empty());
    }

    #[test]
    fn openid_connect_dpop_private_key_matches_the_jwk() {
        // t/plugin/openid-connect.t TEST 76 (kty) and TEST 79 (x, crv).
        let derived = private_key_jwk(pem!("ec256.key")).unwrap().unwrap();
        let mut jwk = json!({"kty": "EC", "crv": "P-256"});
        for (name, value) in &derived.members {
            jwk[*name] = json!(value);
        }
        let dpop = |jwk: &Value, key: &str| {
            oidc_messages(&json!({"dpop": {
                "enabled": true, "signing_alg": "ES256", "private_key": key, "public_jwk": jwk
            }}))
        };
        assert!(dpop(&jwk, pem!("ec256.key")).is_empty());
        let mut other = jwk.clone();
        other["x"] = json!("AAAA");
        let messages = dpop(&other, pem!("ec256.key"));
        assert_eq!(messages.len(), 1);
        assert!(
            messages[0].starts_with("property \"dpop.public_jwk\" is not the public key of \"dpop.private_key\": x is \""),
            "{messages:?}"
        );
        assert_eq!(
            dpop(&jwk, pem!("rsa.key")),
            ["property \"dpop.public_jwk\" is not the public key of \"dpop.private_key\": kty is \"RSA\""]
        );
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
        let pointers: Vec<&str> = issues.iter().map(|i| i.pointer.as_str()).collect();
        assert_eq!(pointers, ["/claim_schema/type"]);
        assert_eq!(
            issues[0].message,
            "check claim_schema failed: invalid JSON type: test"
        );
    }
}

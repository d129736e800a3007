//! `route-needs-auth` (`policies/route-needs-auth.rego`): every route runs an
//! authentication plugin, counting what it inherits.

use super::common::string_set;
use crate::model::Environment;
use crate::policy::plan::Plan;
use serde_json::Value;

/// The `auth_plugins` default of the rule's metadata.
const DEFAULT_AUTH_PLUGINS: &[&str] = &[
    "key-auth",
    "jwt-auth",
    "basic-auth",
    "hmac-auth",
    "openid-connect",
    "ldap-auth",
    "wolf-rbac",
    "authz-keycloak",
    "authz-casdoor",
    "multi-auth",
    "forward-auth",
    "cas-auth",
    "jwe-decrypt",
];

pub fn plan<'a>(env: &'a Environment, params: &'a Value) -> Plan<'a> {
    let names = string_set(params, "auth_plugins", DEFAULT_AUTH_PLUGINS);
    super::protection::plan(env, names, "authentication")
}

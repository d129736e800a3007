//! `route-needs-rate-limit` (`policies/route-needs-rate-limit.rego`): every route
//! runs a rate-limiting plugin, counting what it inherits.

use super::common::string_set;
use crate::model::Environment;
use crate::policy::plan::Plan;
use serde_json::Value;

/// The `rate_limit_plugins` default of the rule's metadata.
const DEFAULT_RATE_LIMIT_PLUGINS: &[&str] =
    &["limit-count", "limit-req", "limit-conn", "ai-rate-limiting"];

pub fn plan<'a>(env: &'a Environment, params: &'a Value) -> Plan<'a> {
    let names = string_set(params, "rate_limit_plugins", DEFAULT_RATE_LIMIT_PLUGINS);
    super::protection::plan(env, names, "rate-limiting")
}

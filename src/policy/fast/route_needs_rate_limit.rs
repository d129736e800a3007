//! `route-needs-rate-limit` (`policies/route-needs-rate-limit.rego`): every route
//! runs a rate-limiting plugin, counting what it inherits.

use super::common::string_set;
use crate::model::Environment;
use crate::policy::PolicyResult;
use serde_json::Value;

/// The `rate_limit_plugins` default of the rule's metadata.
const DEFAULT_RATE_LIMIT_PLUGINS: &[&str] =
    &["limit-count", "limit-req", "limit-conn", "ai-rate-limiting"];

pub fn check(env: &Environment, params: &Value, out: &mut Vec<PolicyResult>) {
    let names = string_set(params, "rate_limit_plugins", DEFAULT_RATE_LIMIT_PLUGINS);
    super::protection::check(env, &names, "rate-limiting", out);
}

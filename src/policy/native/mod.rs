//! Built-in rules written in Rust, for checks that are easier or much faster in Rust
//! than in Rego (certificate parsing, CIDR arithmetic). They share the registry,
//! ids, metadata and result shape of the Rego rules: each has a metadata file
//! `policies/native/<id>.yaml` and reports [`PolicyResult`]s.

mod cidr;
mod ssl;

use super::PolicyResult;
use crate::model::Environment;
use serde_json::Value;

/// A rule implemented in Rust: `(id, check)`; `params` are the rule's parameters
/// (metadata defaults merged with the config file's).
pub type NativeCheck = fn(env: &Environment, params: &Value, out: &mut Vec<PolicyResult>);

/// Every native rule, by id.
pub const NATIVE_RULES: &[(&str, NativeCheck)] = &[
    ("ssl-certificate", ssl::check),
    ("invalid-cidr", cidr::check),
];

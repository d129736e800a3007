//! Imperative resource checks: APISIX standalone resources and ADC refinements.

use super::Issue;
use serde_json::Value;

/// Checks APISIX runs in code on a standalone-format resource of `kind`
/// (`routes`, `upstreams`, `services`, `ssls`, ...).
pub fn standalone_resource_check(kind: &str, object: &Value, out: &mut Vec<Issue>) {
    let _ = (kind, object, out);
}

/// ADC refinements that JSON Schema cannot express, on a resource of `kind`
/// (`service`, `route`, `upstream`, `ssl`, `consumer`, ...).
pub fn adc_resource_check(kind: &str, object: &Value, out: &mut Vec<Issue>) {
    let _ = (kind, object, out);
}

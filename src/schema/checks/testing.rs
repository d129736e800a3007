//! Helpers of the checks' unit tests: run a plugin's check through the same
//! dispatch the schema stage uses, and list what it found.

use super::{plugin_check, Issue, SchemaKind};
use serde_json::Value;

/// The issues of plugin `name`'s check on `conf` as the given kind of configuration.
pub(super) fn run_as(name: &str, conf: &Value, kind: SchemaKind) -> Vec<Issue> {
    let check = plugin_check(name).expect("plugin has a check");
    let mut out = Vec::new();
    check(conf, kind, &mut out);
    out
}

/// The issues of plugin `name`'s check on `conf` on a route.
pub(super) fn run(name: &str, conf: &Value) -> Vec<Issue> {
    run_as(name, conf, SchemaKind::Plugin)
}

/// The pointers of `issues`, in order.
pub(super) fn pointers(issues: &[Issue]) -> Vec<&str> {
    issues.iter().map(|i| i.pointer.as_str()).collect()
}

/// The messages of `issues`, in order.
pub(super) fn messages(issues: &[Issue]) -> Vec<&str> {
    issues.iter().map(|i| i.message.as_str()).collect()
}

/// `(pointer, message)` of `issues`, in order.
pub(super) fn found(issues: &[Issue]) -> Vec<(&str, &str)> {
    issues
        .iter()
        .map(|i| (i.pointer.as_str(), i.message.as_str()))
        .collect()
}

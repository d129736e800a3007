//! Imperative plugin checks: traffic plugins (see the parent module).
//!
//! limit-count checks in Lua that `rules` is not mixed with `count`/`time_window`
//! or `group`, that rule keys are unique (they would share one counter), and that a
//! Redis `sync_interval` is at least 0.1 s and shorter than the window.
//!
//! limit-req and limit-conn have no check here: APISIX checks them with their
//! schemas only. Not checked here: limit-count's "group conf mismatched" (every
//! configuration sharing a `group` must be identical, which APISIX judges against
//! the configurations it has already loaded) and "group is not supported" (only
//! inside the workflow plugin).

use super::{Issue, PluginCheck, SchemaKind};
use serde_json::Value;
use std::collections::HashSet;

/// The check for plugin `name`, if this group has one.
pub(super) fn lookup(name: &str) -> Option<PluginCheck> {
    match name {
        "limit-count" => Some(limit_count),
        _ => None,
    }
}

/// limit-count's `sync_interval` value meaning "sync on every request".
const NO_DELAYED_SYNC: f64 = -1.0;

/// limit-count: exclusive options, Redis sync interval and unique rule keys.
fn limit_count(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>) {
    if kind == SchemaKind::Metadata {
        return;
    }
    let has = |key: &str| conf.get(key).is_some_and(|v| !v.is_null());
    if has("rules") {
        for key in ["count", "time_window"] {
            if has(key) {
                out.push(Issue::key(
                    format!("/{key}"),
                    "count/time_window and rules cannot be specified at the same time",
                ));
            }
        }
        if has("group") {
            out.push(Issue::key(
                "/group",
                "group and rules cannot be specified at the same time",
            ));
        }
    }
    check_sync_interval(conf, out);
    if let Some(rules) = conf.get("rules").and_then(Value::as_array) {
        let mut seen = HashSet::new();
        for (index, rule) in rules.iter().enumerate() {
            let Some(key) = rule.get("key").and_then(Value::as_str) else {
                continue;
            };
            // The rule, not its key: identical keys stay identical whatever a
            // `${VAR}` in them resolves to, so the finding holds for placeholders too.
            if !seen.insert(key) {
                out.push(Issue::value(
                    format!("/rules/{index}"),
                    format!("duplicate key '{key}' in rules"),
                ));
            }
        }
    }
}

/// With a Redis policy, a delayed sync must be at least 0.1 s apart and shorter
/// than a numeric `time_window`.
fn check_sync_interval(conf: &Value, out: &mut Vec<Issue>) {
    let policy = conf
        .get("policy")
        .and_then(Value::as_str)
        .unwrap_or("local");
    if !matches!(policy, "redis" | "redis-cluster" | "redis-sentinel") {
        return;
    }
    let Some(interval) = conf.get("sync_interval").and_then(Value::as_f64) else {
        return;
    };
    #[allow(clippy::float_cmp)] // -1 is an exact sentinel, not a computed value
    if interval == NO_DELAYED_SYNC {
        return;
    }
    let pointer = "/sync_interval";
    if interval < 0.1 {
        out.push(Issue::value(
            pointer,
            "sync_interval should not be smaller than 0.1",
        ));
        return;
    }
    if let Some(window) = conf.get("time_window").and_then(Value::as_f64) {
        if interval >= window {
            out.push(Issue::value(
                pointer,
                format!("sync_interval should be smaller than time_window ({window} s)"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(conf: &Value) -> Vec<Issue> {
        let mut out = Vec::new();
        limit_count(conf, SchemaKind::Plugin, &mut out);
        out
    }

    fn messages(issues: &[Issue]) -> Vec<&str> {
        issues.iter().map(|i| i.message.as_str()).collect()
    }

    #[test]
    fn lookup_maps_only_limit_count() {
        assert!(lookup("limit-count").is_some());
        assert!(lookup("limit-req").is_none());
        assert!(lookup("limit-conn").is_none());
    }

    #[test]
    fn plain_count_passes() {
        assert!(run(&json!({"count": 2, "time_window": 60})).is_empty());
        assert!(run(&json!({"count": 2, "time_window": 60, "group": "g"})).is_empty());
    }

    #[test]
    fn rules_exclude_count_and_group() {
        let rules = json!([{"count": 1, "time_window": 10, "key": "a"}]);
        assert!(run(&json!({"rules": rules})).is_empty());
        let issues = run(&json!({"rules": rules, "count": 2}));
        assert_eq!(
            messages(&issues),
            ["count/time_window and rules cannot be specified at the same time"]
        );
        assert_eq!(issues[0].pointer, "/count");
        let issues = run(&json!({"rules": rules, "group": "g"}));
        assert_eq!(
            messages(&issues),
            ["group and rules cannot be specified at the same time"]
        );
    }

    #[test]
    fn rule_keys_are_unique() {
        let ok = json!({"rules": [
            {"count": 2, "time_window": 2, "key": "${remote_addr}_2s"},
            {"count": 3, "time_window": 5, "key": "${remote_addr}_5s"},
        ]});
        assert!(run(&ok).is_empty());
        let bad = json!({"rules": [
            {"count": 5, "time_window": 10, "key": "${http_company}"},
            {"count": 8, "time_window": 20, "key": "${http_company}"},
        ]});
        let issues = run(&bad);
        assert_eq!(
            messages(&issues),
            ["duplicate key '${http_company}' in rules"]
        );
        assert_eq!(issues[0].pointer, "/rules/1");
    }

    #[test]
    fn redis_sync_interval_bounds() {
        let conf = |interval: f64, policy: &str| json!({"count": 2, "time_window": 5, "policy": policy, "sync_interval": interval});
        assert!(run(&conf(0.2, "redis-sentinel")).is_empty());
        assert!(run(&conf(-1.0, "redis")).is_empty());
        assert!(run(&conf(0.01, "local")).is_empty());
        assert_eq!(
            messages(&run(&conf(0.05, "redis"))),
            ["sync_interval should not be smaller than 0.1"]
        );
        assert_eq!(run(&conf(5.0, "redis-cluster")).len(), 1);
        // A variable time window cannot be compared.
        let variable =
            json!({"count": 2, "time_window": "$http_w", "policy": "redis", "sync_interval": 9});
        assert!(run(&variable).is_empty());
    }
}

//! Imperative plugin checks: traffic plugins (see the parent module).
//!
//! limit-count checks in Lua that `rules` is not mixed with `count`/`time_window`
//! or `group`, that rule keys are unique (they would share one counter), and that a
//! Redis `sync_interval` is at least 0.1 s and shorter than the window.
//!
//! graphql-limit-count runs limit-count's check. traffic-split (its stream twin
//! too) and chaitin-waf compile each `match[].vars` as a lua-resty-expr
//! expression; traffic-label compiles each rule's `match` and allows only
//! `set_headers` (checked as proxy-rewrite checks its headers) beside `weight` in an
//! action; workflow compiles each rule's `case` and checks its actions: `return`
//! needs an HTTP status `code`, `limit-count` may not use `group`, other names are
//! refused.
//!
//! limit-req and limit-conn have no check here: APISIX checks them with their
//! schemas only. Not checked here: limit-count's "group conf mismatched" (every
//! configuration sharing a `group` must be identical, which APISIX judges against
//! the configurations it has already loaded) and "group is not supported" (only
//! inside the workflow plugin).

use super::resources::check_expression;
use super::{Issue, PluginCheck, SchemaKind};
use serde_json::Value;
use std::collections::HashSet;

/// The check for plugin `name`, if this group has one.
pub(super) fn lookup(name: &str) -> Option<PluginCheck> {
    match name {
        "limit-count" | "graphql-limit-count" => Some(limit_count),
        "traffic-split" | "chaitin-waf" => Some(match_vars),
        "traffic-label" => Some(traffic_label),
        "workflow" => Some(workflow),
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

/// The `vars` of each `match` entry compile: traffic-split's `rules[].match[]`,
/// chaitin-waf's `match[]`.
fn match_vars(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>) {
    if kind == SchemaKind::Metadata {
        return;
    }
    let mut check_list = |matches: Option<&Value>, base: &str| {
        for (index, entry) in matches
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            // lua-resty-expr takes a missing `vars` as an empty expression.
            let Some(vars) = entry.get("vars") else {
                continue;
            };
            if let Err(problem) = check_expression(vars) {
                out.push(Issue::value(
                    format!("{base}/match/{index}/vars"),
                    format!("failed to validate the 'vars' expression: {problem}"),
                ));
            }
        }
    };
    if let Some(rules) = conf.get("rules").and_then(Value::as_array) {
        for (index, rule) in rules.iter().enumerate() {
            check_list(rule.get("match"), &format!("/rules/{index}"));
        }
    } else {
        check_list(conf.get("match"), "");
    }
}

/// traffic-label: each rule's `match` compiles; an action holds `weight` and
/// `set_headers` only, and its headers pass proxy-rewrite's header check.
fn traffic_label(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>) {
    if kind == SchemaKind::Metadata {
        return;
    }
    let rules = conf.get("rules").and_then(Value::as_array);
    for (index, rule) in rules.into_iter().flatten().enumerate() {
        if let Some(expression) = rule.get("match") {
            if let Err(problem) = check_expression(expression) {
                out.push(Issue::value(
                    format!("/rules/{index}/match"),
                    format!("failed to validate the 'match' expression: {problem}"),
                ));
            }
        }
        let actions = rule.get("actions").and_then(Value::as_array);
        for (at, action) in actions.into_iter().flatten().enumerate() {
            let Some(action) = action.as_object() else {
                continue;
            };
            let base = format!("/rules/{index}/actions/{at}");
            for (name, value) in action {
                match name.as_str() {
                    "weight" => {}
                    "set_headers" => {
                        let mut issues = Vec::new();
                        super::transform::check_request_headers(value, &mut issues);
                        let at = format!("{base}/set_headers");
                        out.extend(issues.into_iter().map(|issue| {
                            issue.nested(&at, "failed to validate the 'set_headers' action: ")
                        }));
                    }
                    other => out.push(Issue::key(
                        format!("{base}/{}", crate::load::document::escape_token(other)),
                        format!("not supported action: {other}"),
                    )),
                }
            }
        }
    }
}

/// workflow: each rule's `case` compiles and each action is one workflow knows.
///
/// APISIX 3.2 refuses a `case` that does not compile. APISIX 3.18 tests the wrong
/// variable and accepts it, and the rule then matches every request (its
/// expression is missing when the request is evaluated): reported either way.
fn workflow(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>) {
    if kind == SchemaKind::Metadata {
        return;
    }
    let rules = conf.get("rules").and_then(Value::as_array);
    for (index, rule) in rules.into_iter().flatten().enumerate() {
        if let Some(case) = rule.get("case") {
            if let Err(problem) = check_expression(case) {
                out.push(Issue::value(
                    format!("/rules/{index}/case"),
                    format!(
                        "failed to validate the 'case' expression: {problem} (APISIX 3.18 \
                         accepts it and then runs this rule's action on every request)"
                    ),
                ));
            }
        }
        let actions = rule.get("actions").and_then(Value::as_array);
        for (at, action) in actions.into_iter().flatten().enumerate() {
            let base = format!("/rules/{index}/actions/{at}");
            let Some(items) = action.as_array() else {
                continue;
            };
            let name = items.first().and_then(Value::as_str);
            let action_conf = items.get(1);
            let mut issues = Vec::new();
            match name {
                Some("return") => check_return_action(action_conf, &mut issues),
                Some("limit-count") => {
                    if let Some(action_conf) = action_conf.filter(|c| c.is_object()) {
                        if action_conf.get("group").is_some_and(|g| !g.is_null()) {
                            issues.push(Issue::key("/group", "group is not supported"));
                        }
                        limit_count(action_conf, SchemaKind::Plugin, &mut issues);
                    }
                }
                Some(other) if other != "limit-conn" => out.push(Issue::value(
                    format!("{base}/0"),
                    format!("unsupported action: {other}"),
                )),
                // limit-conn's action is checked with its schema only.
                Some(_) | None => {}
            }
            let name = name.unwrap_or_default();
            let (at, context) = (
                format!("{base}/1"),
                format!("failed to validate the '{name}' action: "),
            );
            out.extend(issues.into_iter().map(|issue| issue.nested(&at, &context)));
        }
    }
}

/// workflow's `return` action: `{"code": <100..599>}`.
fn check_return_action(conf: Option<&Value>, out: &mut Vec<Issue>) {
    let Some(conf) = conf.filter(|c| c.is_object()) else {
        out.push(Issue::value("", "wrong type: expected object"));
        return;
    };
    match conf.get("code") {
        None => out.push(Issue::value("", "property \"code\" is required")),
        Some(code) if code.as_i64().is_some_and(|c| (100..=599).contains(&c)) => {}
        Some(code) if code.is_i64() || code.is_u64() => out.push(Issue::value(
            "/code",
            "property \"code\" validation failed: expected an HTTP status from 100 to 599",
        )),
        Some(_) => out.push(Issue::value(
            "/code",
            "property \"code\" validation failed: wrong type: expected integer",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::checks::testing::{found, messages, run as testing_run};
    use serde_json::json;

    fn run(conf: &Value) -> Vec<Issue> {
        let mut out = Vec::new();
        limit_count(conf, SchemaKind::Plugin, &mut out);
        out
    }

    #[test]
    fn traffic_split_match_vars_compile() {
        // t/plugin/traffic-split.t TEST 3: "invalid operator '123'".
        let conf = json!({"rules": [{"match": [{"vars": [["arg_name", 123, "jack"]]}],
            "weighted_upstreams": [{"weight": 1}]}]});
        assert_eq!(
            found(&testing_run("traffic-split", &conf)),
            [(
                "/rules/0/match/0/vars",
                "failed to validate the 'vars' expression: invalid operator '123'"
            )]
        );
        let ok = json!({"rules": [{"match": [{"vars": [["arg_name", "==", "jack"]]}]}]});
        assert!(testing_run("traffic-split", &ok).is_empty());
    }

    #[test]
    fn chaitin_waf_match_vars_compile() {
        // chaitin-waf.lua's check_schema; its .t files have no bad expression.
        let conf = json!({"match": [{"vars": [["http_waf", "<>", "x"]]}]});
        assert_eq!(
            found(&testing_run("chaitin-waf", &conf)),
            [(
                "/match/0/vars",
                "failed to validate the 'vars' expression: invalid operator '<>'"
            )]
        );
    }

    #[test]
    fn traffic_label_actions() {
        // t/plugin/traffic-label.t TEST 1: "not supported action: add_headers".
        let conf = json!({"rules": [{"match": [["uri", "==", "/a"]],
            "actions": [{"add_headers": {"X-A": "1"}, "weight": 1}, {"set_headers": {"X-B": "2"}}]}]});
        let issues = testing_run("traffic-label", &conf);
        assert_eq!(
            found(&issues),
            [(
                "/rules/0/actions/0/add_headers",
                "not supported action: add_headers"
            )]
        );
        let bad_match =
            json!({"rules": [{"match": [["uri", "=", "/a"]], "actions": [{"weight": 1}]}]});
        assert_eq!(
            found(&testing_run("traffic-label", &bad_match)),
            [(
                "/rules/0/match",
                "failed to validate the 'match' expression: invalid operator '='"
            )]
        );
    }

    #[test]
    fn workflow_actions_and_case() {
        // t/plugin/workflow.t TEST 1 (return code, unsupported action) and TEST 14 (group).
        let conf = json!({"rules": [
            {"case": [["uri", "==", "/a"]], "actions": [["return", {}]]},
            {"actions": [["fake", {}]]},
            {"actions": [["limit-count", {"count": 1, "time_window": 1, "group": "g"}]]},
            {"case": [["uri", "=", "/a"]], "actions": [["return", {"code": 403}]]},
        ]});
        let issues = testing_run("workflow", &conf);
        let pointers: Vec<&str> = issues.iter().map(|i| i.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/rules/0/actions/0/1",
                "/rules/1/actions/0/0",
                "/rules/2/actions/0/1/group",
                "/rules/3/case"
            ]
        );
        assert_eq!(
            issues[0].message,
            "failed to validate the 'return' action: property \"code\" is required"
        );
        assert_eq!(issues[1].message, "unsupported action: fake");
        assert_eq!(
            issues[2].message,
            "failed to validate the 'limit-count' action: group is not supported"
        );
    }

    #[test]
    fn graphql_limit_count_shares_the_check() {
        let conf = json!({"rules": [{"count": 1, "time_window": 10, "key": "a"}], "count": 2});
        assert_eq!(testing_run("graphql-limit-count", &conf).len(), 1);
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

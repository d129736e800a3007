//! Imperative plugin checks: logging plugins (see the parent module).
//!
//! http-logger and kafka-logger compile `include_req_body_expr` and
//! `include_resp_body_expr` as lua-resty-expr expressions. prometheus has no
//! imperative check. The loggers' HTTPS and `ssl_verify` / `tls.verify` hints are
//! log warnings in APISIX, not refusals, and are left out.

use super::resources::check_expression;
use super::{Issue, PluginCheck, SchemaKind};
use serde_json::Value;

/// The check for plugin `name`, if this group has one.
pub(super) fn lookup(name: &str) -> Option<PluginCheck> {
    match name {
        "http-logger" | "kafka-logger" => Some(body_expressions),
        _ => None,
    }
}

/// The body-logging conditions compile (`log-util.check_log_schema`).
fn body_expressions(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>) {
    if kind == SchemaKind::Metadata {
        return;
    }
    for field in ["include_req_body_expr", "include_resp_body_expr"] {
        let Some(expression) = conf.get(field) else {
            continue;
        };
        if let Err(problem) = check_expression(expression) {
            out.push(Issue::value(
                format!("/{field}"),
                format!("failed to validate the '{field}' expression: {problem}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(conf: &Value, kind: SchemaKind) -> Vec<Issue> {
        let mut out = Vec::new();
        body_expressions(conf, kind, &mut out);
        out
    }

    #[test]
    fn lookup_maps_the_loggers() {
        assert!(lookup("http-logger").is_some());
        assert!(lookup("kafka-logger").is_some());
        assert!(lookup("prometheus").is_none());
    }

    #[test]
    fn valid_body_expressions_pass() {
        let conf = json!({
            "include_req_body_expr": [["arg_log", "==", "yes"]],
            "include_resp_body_expr": [["OR", ["status", "==", 500], ["status", "==", 502]]]
        });
        assert!(run(&conf, SchemaKind::Plugin).is_empty());
    }

    #[test]
    fn invalid_operators_are_refused() {
        let conf = json!({
            "include_req_body_expr": [["bar", "<>", "foo"]],
            "include_resp_body_expr": [["bar", "<!>", "foo"]]
        });
        let issues = run(&conf, SchemaKind::Plugin);
        let pointers: Vec<&str> = issues.iter().map(|i| i.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/include_req_body_expr", "/include_resp_body_expr"]
        );
        assert!(issues[0].message.contains("invalid operator '<>'"));
    }

    #[test]
    fn metadata_is_not_checked() {
        let conf = json!({"include_req_body_expr": [["bar", "<>", "foo"]]});
        assert!(run(&conf, SchemaKind::Metadata).is_empty());
    }
}

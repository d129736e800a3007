//! Imperative plugin checks: logging plugins (see the parent module).
//!
//! The loggers that call `log-util.check_log_schema` (http-logger, kafka-logger,
//! loggly, loki-logger, rocketmq-logger, tencent-cloud-cls) compile
//! `include_req_body_expr` and `include_resp_body_expr` as lua-resty-expr
//! expressions; file-logger compiles its `match`. file-logger's "path is not set in
//! either the plugin conf or the metadata" needs the plugin metadata, another
//! resource, and is not checked here. prometheus has no
//! imperative check. The loggers' HTTPS and `ssl_verify` / `tls.verify` hints are
//! log warnings in APISIX, not refusals, and are left out.

use super::resources::check_expression;
use super::{Issue, PluginCheck, SchemaKind};
use serde_json::Value;

/// The check for plugin `name`, if this group has one.
pub(super) fn lookup(name: &str) -> Option<PluginCheck> {
    match name {
        "http-logger" | "kafka-logger" | "loggly" | "loki-logger" | "rocketmq-logger"
        | "tencent-cloud-cls" => Some(body_expressions),
        "file-logger" => Some(file_logger),
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

/// file-logger: `match` compiles as a lua-resty-expr expression.
fn file_logger(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>) {
    if kind == SchemaKind::Metadata {
        return;
    }
    if let Some(expression) = conf.get("match") {
        if let Err(problem) = check_expression(expression) {
            out.push(Issue::value(
                "/match",
                format!("failed to validate the 'match' expression: {problem}"),
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
    fn file_logger_match_compiles() {
        // t/plugin/file-logger2.t TEST 8 sets a valid `match`; file-logger.lua's
        // check_schema refuses one that does not compile.
        let mut out = Vec::new();
        let ok = json!({"path": "file-with-match.log", "match": [[["arg_name", "==", "jack"]]]});
        file_logger(&ok, SchemaKind::Plugin, &mut out);
        assert!(out.is_empty(), "{out:?}");
        file_logger(
            &json!({"match": [["arg_name", "=", "jack"]]}),
            SchemaKind::Plugin,
            &mut out,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].pointer, "/match");
        assert_eq!(
            out[0].message,
            "failed to validate the 'match' expression: invalid operator '='"
        );
    }

    #[test]
    fn every_log_util_logger_is_checked() {
        for name in [
            "loggly",
            "loki-logger",
            "rocketmq-logger",
            "tencent-cloud-cls",
        ] {
            assert!(lookup(name).is_some(), "{name}");
        }
    }

    #[test]
    fn metadata_is_not_checked() {
        let conf = json!({"include_req_body_expr": [["bar", "<>", "foo"]]});
        assert!(run(&conf, SchemaKind::Metadata).is_empty());
    }
}

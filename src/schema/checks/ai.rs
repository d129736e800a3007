//! Imperative plugin checks: AI plugins (see the parent module).
//!
//! What the AI plugins check in Lua once their schema passes (APISIX 3.18):
//! ai-proxy and ai-proxy-multi decode a GCP `service_account_json` and require
//! what each provider needs (vertex-ai a project and region or an endpoint,
//! bedrock a region and AWS credentials); ai-proxy-multi also parses instance
//! endpoints, its `chash` balancer key and its semantic-routing options;
//! ai-request-rewrite needs `override.endpoint` for the openai-compatible provider;
//! ai-prompt-guard compiles its patterns with PCRE; ai-rate-limiting compiles its
//! `cost_expr` as Lua (`load("return " .. cost_expr)`).
//!
//! ai-proxy's "provider is not supported" (`require` of the provider module) is
//! covered by the schema's provider enum. ai-cache and ai-rag only log warnings.

use super::lua_code::syntax_error;
use super::security::pattern_issue;
use super::{resources, Issue, PluginCheck, SchemaKind};
use crate::secrets::is_reference;
use serde_json::Value;

/// The check for plugin `name`, if this group has one.
pub(super) fn lookup(name: &str) -> Option<PluginCheck> {
    match name {
        "ai-proxy" => Some(ai_proxy),
        "ai-proxy-multi" => Some(ai_proxy_multi),
        "ai-request-rewrite" => Some(ai_request_rewrite),
        "ai-prompt-guard" => Some(ai_prompt_guard),
        "ai-rate-limiting" => Some(ai_rate_limiting),
        _ => None,
    }
}

fn str_at<'a>(conf: &'a Value, pointer: &str) -> Option<&'a str> {
    conf.pointer(pointer).and_then(Value::as_str)
}

/// Lua truthiness of the value at `pointer`.
fn is_set(conf: &Value, pointer: &str) -> bool {
    !matches!(
        conf.pointer(pointer),
        None | Some(Value::Null | Value::Bool(false))
    )
}

/// ai-proxy: the GCP service account JSON decodes; provider requirements.
fn ai_proxy(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>) {
    if kind == SchemaKind::Metadata {
        return;
    }
    check_provider(conf, "", "", out);
}

/// A provider instance (ai-proxy's configuration itself, or one of
/// ai-proxy-multi's `instances`) at `base`; `prefix` starts each message.
fn check_provider(instance: &Value, base: &str, prefix: &str, out: &mut Vec<Issue>) {
    let at = |pointer: &str| format!("{base}{pointer}");
    if let Some(json) = str_at(instance, "/auth/gcp/service_account_json") {
        if !is_reference(json) {
            if let Some(error) = super::json_syntax_error(json) {
                out.push(Issue::value(
                    at("/auth/gcp/service_account_json"),
                    format!("invalid gcp service_account_json: {error}"),
                ));
            }
        }
    }
    let vertex_target = is_set(instance, "/override/endpoint")
        || (is_set(instance, "/provider_conf/project_id")
            && is_set(instance, "/provider_conf/region"));
    match str_at(instance, "/provider") {
        Some("vertex-ai") if !vertex_target => {
            out.push(Issue::value(
                at("/provider"),
                format!(
                    "{prefix}vertex-ai requires either provider_conf (project_id + region) or override.endpoint"
                ),
            ));
        }
        Some("bedrock") => {
            if !is_set(instance, "/provider_conf/region") {
                out.push(Issue::value(
                    at("/provider"),
                    format!("{prefix}bedrock requires provider_conf.region"),
                ));
            } else if !is_set(instance, "/auth/aws") {
                out.push(Issue::value(
                    at("/provider"),
                    format!("{prefix}bedrock requires auth.aws"),
                ));
            }
        }
        _ => {}
    }
}

/// ai-proxy-multi's `endpoint_regex` (a Lua pattern): `http` or `https`, `://`, and
/// a host of at least one character other than `:` and `/`.
fn is_endpoint(text: &str) -> bool {
    text.strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| c != ':' && c != '/')
}

/// ai-proxy-multi: each instance as ai-proxy, endpoints, the chash balancer and the
/// semantic-routing options.
fn ai_proxy_multi(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>) {
    if kind == SchemaKind::Metadata {
        return;
    }
    let instances = conf
        .get("instances")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (index, instance) in instances.iter().enumerate() {
        let base = format!("/instances/{index}");
        if let Some(endpoint) = str_at(instance, "/override/endpoint") {
            if !is_reference(endpoint) && !is_endpoint(endpoint) {
                out.push(Issue::value(
                    format!("{base}/override/endpoint"),
                    "invalid endpoint: expected http:// or https:// and a host",
                ));
            }
        }
        let name = str_at(instance, "/name").unwrap_or("?");
        check_provider(instance, &base, &format!("instance '{name}': "), out);
    }
    match str_at(conf, "/balancer/algorithm") {
        Some("chash") => check_chash(conf, out),
        Some("semantic") => check_semantic(conf, instances, out),
        _ => {}
    }
}

/// A `chash` balancer needs `hash_on`, and a `key` that fits it.
fn check_chash(conf: &Value, out: &mut Vec<Issue>) {
    let Some(hash_on) = str_at(conf, "/balancer/hash_on") else {
        out.push(Issue::value(
            "/balancer/algorithm",
            "must configure `hash_on` when balancer algorithm is chash",
        ));
        return;
    };
    let Some(key) = str_at(conf, "/balancer/key") else {
        if hash_on != "consumer" {
            out.push(Issue::value(
                "/balancer/hash_on",
                "must configure `hash_key` when balancer `hash_on` is not set to cookie",
            ));
        }
        return;
    };
    let fits = match hash_on {
        "vars" => resources::is_hash_var(key),
        "header" | "cookie" => resources::is_header_name(key),
        "consumer" | "vars_combinations" => true,
        other => {
            out.push(Issue::value(
                "/balancer/hash_on",
                format!("type is chash, err: invalid hash_on type {other}"),
            ));
            return;
        }
    };
    if !fits {
        out.push(Issue::value(
            "/balancer/key",
            format!("invalid configuration: `key` `{key}` does not fit `hash_on` `{hash_on}`"),
        ));
    }
}

/// The semantic balancer: embeddings configured, a usable embeddings endpoint,
/// examples on every instance, and a fallback that names an instance.
fn check_semantic(conf: &Value, instances: &[Value], out: &mut Vec<Issue>) {
    let Some(embeddings) = conf
        .pointer("/semantic_opts/embeddings")
        .filter(|e| !e.is_null())
    else {
        out.push(Issue::value(
            "/balancer/algorithm",
            "must configure `semantic_opts.embeddings` when balancer algorithm is semantic",
        ));
        return;
    };
    let endpoint = str_at(embeddings, "/endpoint").filter(|e| !is_reference(e));
    if let Some(endpoint) = endpoint {
        if !is_endpoint(endpoint) {
            out.push(Issue::value(
                "/semantic_opts/embeddings/endpoint",
                "invalid `semantic_opts.embeddings.endpoint`",
            ));
            return;
        }
    }
    if str_at(embeddings, "/provider") == Some("azure-openai") {
        match endpoint {
            None if !is_set(embeddings, "/endpoint") => out.push(Issue::value(
                "/semantic_opts/embeddings",
                "must configure `semantic_opts.embeddings.endpoint` when embeddings provider is azure-openai",
            )),
            Some(endpoint) if url_path_is_empty(endpoint) => out.push(Issue::value(
                "/semantic_opts/embeddings/endpoint",
                "`semantic_opts.embeddings.endpoint` for azure-openai must include the full deployment path",
            )),
            _ => {}
        }
    }
    let fallback = str_at(conf, "/semantic_opts/fallback");
    for (index, instance) in instances.iter().enumerate() {
        let has_example = instance
            .get("examples")
            .and_then(Value::as_array)
            .is_some_and(|examples| {
                examples
                    .iter()
                    .any(|e| e.as_str().is_some_and(|s| !s.is_empty()))
            });
        if !has_example {
            let name = str_at(instance, "/name").unwrap_or("?");
            out.push(Issue::value(
                format!("/instances/{index}"),
                format!("instance '{name}': must configure non-empty `examples` for the semantic algorithm"),
            ));
        }
    }
    if let Some(fallback) = fallback {
        let known = instances
            .iter()
            .any(|instance| str_at(instance, "/name") == Some(fallback));
        if !known {
            out.push(Issue::value(
                "/semantic_opts/fallback",
                format!("`semantic_opts.fallback` names unknown instance '{fallback}'"),
            ));
        }
    }
}

/// Whether a URL has no path beyond `/` (query and fragment aside).
fn url_path_is_empty(url: &str) -> bool {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path_start = after_scheme.find(['/', '?', '#']);
    match path_start {
        None => true,
        Some(start) => {
            let rest = after_scheme.get(start..).unwrap_or_default();
            let path = rest.split(['?', '#']).next().unwrap_or_default();
            path.is_empty() || path == "/"
        }
    }
}

/// ai-request-rewrite: the openai-compatible provider needs `override.endpoint`.
fn ai_request_rewrite(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>) {
    if kind == SchemaKind::Metadata {
        return;
    }
    if str_at(conf, "/provider") == Some("openai-compatible") && !is_set(conf, "/override/endpoint")
    {
        out.push(Issue::value(
            "/provider",
            "override.endpoint is required for openai-compatible provider",
        ));
    }
}

/// ai-prompt-guard: every allow and deny pattern compiles (`ngx.re`, options `jou`).
fn ai_prompt_guard(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>) {
    if kind == SchemaKind::Metadata {
        return;
    }
    for (list, what) in [
        ("allow_patterns", "allow_pattern"),
        ("deny_patterns", "deny_pattern"),
    ] {
        let patterns = conf
            .get(list)
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for (index, pattern) in patterns.enumerate() {
            let Some(pattern) = pattern.as_str().filter(|p| !is_reference(p)) else {
                continue;
            };
            out.extend(pattern_issue(
                pattern,
                || format!("/{list}/{index}"),
                |error| format!("invalid {what}: {pattern}: {error}"),
            ));
        }
    }
}

/// ai-rate-limiting: with the expression strategy, `cost_expr` is set and compiles
/// as the Lua expression of `return <cost_expr>`.
fn ai_rate_limiting(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>) {
    if kind == SchemaKind::Metadata || str_at(conf, "/limit_strategy") != Some("expression") {
        return;
    }
    match str_at(conf, "/cost_expr") {
        None | Some("") => out.push(Issue::value(
            if conf.get("cost_expr").is_some() {
                "/cost_expr"
            } else {
                "/limit_strategy"
            },
            "cost_expr is required when limit_strategy is 'expression'",
        )),
        Some(expression) => {
            if let Some(error) = syntax_error(&format!("return {expression}")) {
                out.push(Issue::value(
                    "/cost_expr",
                    format!("invalid cost_expr: {error}"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::checks::testing::{found, run};
    use serde_json::json;

    #[test]
    fn rate_limiting_cost_expr() {
        // t/plugin/ai-rate-limiting-expression.t TEST 1.
        let conf = |cost: Option<&str>| {
            let mut c = json!({"limit": 100, "time_window": 60, "limit_strategy": "expression"});
            if let Some(cost) = cost {
                c["cost_expr"] = json!(cost);
            }
            c
        };
        let required = "cost_expr is required when limit_strategy is 'expression'";
        assert_eq!(
            found(&run("ai-rate-limiting", &conf(None))),
            [("/limit_strategy", required)]
        );
        assert_eq!(
            found(&run("ai-rate-limiting", &conf(Some("")))),
            [("/cost_expr", required)]
        );
        let issues = run("ai-rate-limiting", &conf(Some("invalid $$$ syntax %%%")));
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].pointer, "/cost_expr");
        assert!(
            issues[0].message.starts_with("invalid cost_expr: line 1: "),
            "{}",
            issues[0].message
        );
        for good in [
            "input_tokens + output_tokens",
            "(input_tokens - cache_read_input_tokens) + cache_creation_input_tokens * 1.25 + output_tokens",
        ] {
            assert!(run("ai-rate-limiting", &conf(Some(good))).is_empty(), "{good}");
        }
    }

    #[test]
    fn prompt_guard_patterns_compile() {
        // t/plugin/ai-prompt-guard.t TEST 1: deny pattern "(abc" fails validation.
        let conf = json!({"allow_patterns": ["^hello"], "deny_patterns": ["(abc"]});
        let issues = run("ai-prompt-guard", &conf);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].pointer, "/deny_patterns/0");
        assert!(
            issues[0].message.starts_with("invalid deny_pattern: (abc"),
            "{}",
            issues[0].message
        );
    }

    #[test]
    fn request_rewrite_openai_compatible_needs_endpoint() {
        // t/plugin/ai-request-rewrite2.t TEST 2.
        let conf =
            json!({"prompt": "p", "provider": "openai-compatible", "auth": {"header": {"a": "b"}}});
        assert_eq!(
            found(&run("ai-request-rewrite", &conf)),
            [(
                "/provider",
                "override.endpoint is required for openai-compatible provider"
            )]
        );
        let mut ok = conf.clone();
        ok["override"] = json!({"endpoint": "http://localhost:6724/v1/chat/completions"});
        assert!(run("ai-request-rewrite", &ok).is_empty());
    }

    #[test]
    fn proxy_provider_requirements() {
        // No APISIX test shows these messages; from ai-proxy/schema.lua's
        // validate_provider_requirements.
        let vertex = json!({"provider": "vertex-ai", "auth": {"gcp": {}}});
        assert_eq!(
            found(&run("ai-proxy", &vertex)),
            [("/provider", "vertex-ai requires either provider_conf (project_id + region) or override.endpoint")]
        );
        let bedrock = json!({"provider": "bedrock", "provider_conf": {"region": "us-east-1"}});
        assert_eq!(
            found(&run("ai-proxy", &bedrock)),
            [("/provider", "bedrock requires auth.aws")]
        );
        let bad_json = json!({"provider": "vertex-ai", "override": {"endpoint": "https://x"},
            "auth": {"gcp": {"service_account_json": "{not json"}}});
        let issues = run("ai-proxy", &bad_json);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].pointer, "/auth/gcp/service_account_json");
    }

    #[test]
    fn proxy_multi_instances_and_balancer() {
        // t/plugin/ai-proxy-multi.t TEST 15 ("invalid endpoint"); the chash messages
        // have no APISIX test.
        let conf = json!({
            "instances": [
                {"name": "a", "provider": "openai", "weight": 1, "override": {"endpoint": "localhost:6724"}},
                {"name": "b", "provider": "openai", "weight": 1},
            ],
            "balancer": {"algorithm": "chash", "hash_on": "header"},
        });
        assert_eq!(
            found(&run("ai-proxy-multi", &conf)),
            [
                (
                    "/instances/0/override/endpoint",
                    "invalid endpoint: expected http:// or https:// and a host"
                ),
                (
                    "/balancer/hash_on",
                    "must configure `hash_key` when balancer `hash_on` is not set to cookie"
                ),
            ]
        );
    }

    #[test]
    fn proxy_multi_semantic_options() {
        // t/plugin/ai-proxy-semantic-schema.t TEST 2 (examples), 4 (fallback), 8 (path).
        let conf = json!({
            "instances": [
                {"name": "a", "provider": "openai", "weight": 1, "examples": ["hi"]},
                {"name": "b", "provider": "openai", "weight": 1, "examples": [""]},
            ],
            "balancer": {"algorithm": "semantic"},
            "semantic_opts": {"embeddings": {"provider": "azure-openai",
                "endpoint": "https://r.openai.azure.com/"}, "fallback": "c"},
        });
        let issues = run("ai-proxy-multi", &conf);
        let pointers: Vec<&str> = issues.iter().map(|i| i.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/semantic_opts/embeddings/endpoint",
                "/instances/1",
                "/semantic_opts/fallback"
            ]
        );
        assert!(url_path_is_empty("https://r.openai.azure.com?x=1"));
        assert!(!url_path_is_empty(
            "https://r/openai/deployments/d/embeddings?api-version=1"
        ));
    }
}

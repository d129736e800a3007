//! Imperative plugin checks: plugins that run Lua code from their configuration
//! (see the parent module).
//!
//! serverless-pre-function and serverless-post-function `loadstring` each of their
//! `functions`, run the chunk and want a function back; exit-transformer `load`s
//! each of its `functions` (the chunk itself is called later, so only its syntax is
//! checked). The code is parsed as `LuaJIT` syntax ([`super::lua_code`]); a syntax
//! error names its line inside the string. What a chunk returns is judged only when
//! its text shows it (`return function ... end`, a literal, or no `return` at all).
//!
//! Not checked here: an error raised while APISIX runs a serverless chunk at check
//! time (`pcall error: ...`), which needs a Lua runtime with APISIX's modules.

use super::lua_code::{judge, Returned, Verdict};
use super::{Issue, PluginCheck, SchemaKind};
use serde_json::Value;

/// The check for plugin `name`, if this group has one.
pub(super) fn lookup(name: &str) -> Option<PluginCheck> {
    match name {
        "serverless-pre-function" | "serverless-post-function" => Some(serverless),
        "exit-transformer" => Some(exit_transformer),
        _ => None,
    }
}

/// The string entries of `conf.functions`, with their index.
fn functions(conf: &Value) -> impl Iterator<Item = (usize, &str)> {
    conf.get("functions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(index, code)| Some((index, code.as_str()?)))
}

/// serverless-*-function: every function compiles and its chunk returns a function.
fn serverless(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>) {
    if kind == SchemaKind::Metadata {
        return;
    }
    for (index, code) in functions(conf) {
        let pointer = format!("/functions/{index}");
        match judge(code) {
            Verdict::SyntaxError(error) => out.push(Issue::value(
                pointer,
                format!("function {index} does not compile: {error}"),
            )),
            Verdict::Parses(Returned::Other(type_name)) => out.push(Issue::value(
                pointer,
                format!(
                    "function {index}: only accept Lua function, the input code type is \
                     {type_name} (write `return function(conf, ctx) ... end`)"
                ),
            )),
            Verdict::Parses(Returned::Function | Returned::Unknown) | Verdict::Unjudged => {}
        }
    }
}

/// exit-transformer: every function compiles as a Lua chunk.
fn exit_transformer(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>) {
    if kind == SchemaKind::Metadata {
        return;
    }
    for (index, code) in functions(conf) {
        if let Verdict::SyntaxError(error) = judge(code) {
            out.push(Issue::value(
                format!("/functions/{index}"),
                format!("function {index} does not compile: {error}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(name: &str, conf: &Value) -> Vec<Issue> {
        let check = lookup(name).expect("plugin has a check");
        let mut out = Vec::new();
        check(conf, SchemaKind::Plugin, &mut out);
        out
    }

    #[test]
    fn lookup_maps_the_code_plugins() {
        for name in [
            "serverless-pre-function",
            "serverless-post-function",
            "exit-transformer",
        ] {
            assert!(lookup(name).is_some(), "{name}");
        }
        assert!(lookup("proxy-rewrite").is_none());
    }

    #[test]
    fn serverless_functions_that_return_a_function_pass() {
        // t/plugin/serverless.t TEST 15 and TEST 17 (functions, closure).
        let conf = json!({"phase": "rewrite", "functions": [
            "return function() ngx.log(ngx.ERR, 'one'); end",
            "local count = 1; return function() count = count + 1; ngx.say(count) end",
        ]});
        assert!(run("serverless-pre-function", &conf).is_empty());
    }

    #[test]
    fn serverless_code_must_return_a_function() {
        // t/plugin/serverless.t TEST 5: "only accept Lua function, the input code type is nil".
        let issues = run(
            "serverless-post-function",
            &json!({"functions": ["local a = 123;"]}),
        );
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].pointer, "/functions/0");
        assert!(
            issues[0]
                .message
                .starts_with("function 0: only accept Lua function, the input code type is nil"),
            "{}",
            issues[0].message
        );
    }

    #[test]
    fn serverless_code_must_compile() {
        // t/plugin/serverless.t TEST 6: `a` fails with "'=' expected near '<eof>'".
        let issues = run("serverless-pre-function", &json!({"functions": ["a"]}));
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].pointer, "/functions/0");
        assert!(
            issues[0]
                .message
                .starts_with("function 0 does not compile: line 1: "),
            "{}",
            issues[0].message
        );
        // The line inside the string is named.
        let issues = run(
            "serverless-pre-function",
            &json!({"functions": [
                "return function() end",
                "return function(conf, ctx)\n  local x = 1\n  if x then = end\nend",
            ]}),
        );
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].pointer, "/functions/1");
        assert!(
            issues[0]
                .message
                .starts_with("function 1 does not compile: line 3: "),
            "{}",
            issues[0].message
        );
    }

    #[test]
    fn exit_transformer_functions_must_compile() {
        // t/plugin/exit-transformer.t TEST 1 ("unexpected symbol") and TEST 2.
        let bad = json!({"functions": [
            "return (function(code, body, header) if code == then return 405 end return code, body, header end)(...)"
        ]});
        let issues = run("exit-transformer", &bad);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].pointer, "/functions/0");
        assert!(
            issues[0]
                .message
                .starts_with("function 0 does not compile: line 1: "),
            "{}",
            issues[0].message
        );
        let good = json!({"functions": [
            "return (function(code, body, header) if code == 404 then return 405 end return code, body, header end)(...)"
        ]});
        assert!(run("exit-transformer", &good).is_empty());
    }
}

//! GraphQL queries APISIX parses when it loads a plugin.
//!
//! degraphql parses its `query` with graphql-lua (`graphql.parse`) in
//! `check_schema` and refuses a query that does not parse ("failed to parse query:
//! Syntax error near line N"), or one with more than one definition and no
//! `operation_name`. gwlint parses with `apollo-parser` (the GraphQL parser of
//! apollo-rs, error-resilient and maintained). One of its complaints is not
//! reported: an empty selection set (`query {}`), which graphql-lua's grammar may
//! take, so gwlint never refuses what APISIX could accept.

use super::{Issue, SchemaKind};
use serde_json::Value;

/// Most tokens a query is read to (a query is at most 1,024 characters).
const TOKEN_LIMIT: usize = 4096;

/// degraphql (t/plugin/degraphql.t TEST 9).
pub(super) fn degraphql(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>) {
    if kind != SchemaKind::Plugin {
        return;
    }
    let Some(query) = conf.get("query").and_then(Value::as_str) else {
        return;
    };
    let tree = apollo_parser::Parser::new(query)
        .token_limit(TOKEN_LIMIT)
        .recursion_limit(256)
        .parse();
    let error = tree
        .errors()
        .find(|e| !e.message().starts_with("expected at least one Selection"));
    if let Some(error) = error {
        let line = 1 + query[..error.index().min(query.len())]
            .bytes()
            .filter(|b| *b == b'\n')
            .count();
        out.push(Issue::value(
            "/query",
            format!(
                "failed to parse query: Syntax error near line {line} ({})",
                error.message()
            ),
        ));
        return;
    }
    if tree.document().definitions().count() > 1 && conf.get("operation_name").is_none() {
        out.push(Issue::value(
            "/query",
            "operation_name is required if multiple operations are present in the query",
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::schema::checks::testing::{messages, run};
    use serde_json::json;

    #[test]
    fn degraphql_queries_parse_and_name_one_of_several_operations() {
        // t/plugin/degraphql.t TEST 9, cases 2 and 4.
        assert_eq!(
            messages(&run("degraphql", &json!({"query": "uery {}"}))),
            ["failed to parse query: Syntax error near line 1 (expected definition)"]
        );
        let two = "query persons($name: String!) {\n  persons(filter: { name: $name }) { id }\n}query githubAccount($name: String!) {\n  persons(filter: { name: $name }) { id }\n}";
        assert_eq!(
            messages(&run("degraphql", &json!({"query": two}))),
            ["operation_name is required if multiple operations are present in the query"]
        );
        assert!(run(
            "degraphql",
            &json!({"query": two, "operation_name": "persons"})
        )
        .is_empty());
        // TEST 14, and a query graphql-lua may take although it selects nothing.
        for fine in ["{\n  persons {\n    id\n    name\n  }\n}\n", "query {}"] {
            assert!(
                run("degraphql", &json!({"query": fine})).is_empty(),
                "{fine}"
            );
        }
        let late = run("degraphql", &json!({"query": "{\n  a {\n    b\n"}));
        assert!(
            messages(&late)[0].starts_with("failed to parse query: Syntax error near line 4"),
            "{late:?}"
        );
    }
}

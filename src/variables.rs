//! ADC `${VAR}` placeholders: resolved from the environment before `apply`,
//! `render --engine standalone` and `render --resolve-variables` check and render an
//! environment, and filled with the example values the config declares while
//! `check` judges a value.
//!
//! Like ADC: the pattern is `${NAME}` with `NAME` of letters, digits and `_`, applied
//! to string values (never keys) after parsing, and `\${NAME}` stays a literal
//! `${NAME}`. Unlike ADC, which substitutes an empty string for an unset variable, an
//! unset variable is an error naming the file, line and column where it is used.
//! `$env://` and `$secret://` references are left for the gateway.

use crate::finding::{Finding, Location, Severity};
use crate::load::document::join_pointer;
use crate::load::Document;
use crate::source::Source;
use serde_json::Value;

/// Resolve every placeholder of a document in place with `lookup`; unset variables
/// come back as findings.
pub fn resolve(
    source: &Source,
    document: &mut Document,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Vec<Finding> {
    let mut missing = Vec::new();
    let mut value = std::mem::take(&mut document.value);
    walk(&mut value, "", lookup, &mut missing);
    document.value = value;
    missing
        .into_iter()
        .map(|(pointer, name)| {
            let span = document.locate(&pointer).span;
            Finding::new(
                "apply/unset-variable",
                Severity::Error,
                format!("variable `{name}` is not set; ADC would silently use an empty string"),
                format!("export {name} in the environment that runs `gwlint apply`"),
                Location {
                    source: source.clone(),
                    span,
                    pointer,
                },
            )
        })
        .collect()
}

fn walk(
    value: &mut Value,
    pointer: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    missing: &mut Vec<(String, String)>,
) {
    match value {
        Value::String(text) if text.contains("${") => {
            let (resolved, unset) = substitute(text, lookup);
            missing.extend(unset.into_iter().map(|name| (pointer.to_owned(), name)));
            *text = resolved;
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                walk(item, &format!("{pointer}/{i}"), lookup, missing);
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                walk(item, &join_pointer(pointer, key), lookup, missing);
            }
        }
        _ => {}
    }
}

/// The document `value` with the placeholders of every string whose variables all
/// have an example value replaced by them (other strings stay as written), or
/// `None` when no string changes.
#[must_use]
pub fn with_examples(
    value: &Value,
    examples: &std::collections::BTreeMap<String, String>,
) -> Option<Value> {
    let lookup = |name: &str| examples.get(name).cloned();
    let mut changed = false;
    let judged = fill(value, &lookup, &mut changed);
    changed.then_some(judged)
}

fn fill(value: &Value, lookup: &dyn Fn(&str) -> Option<String>, changed: &mut bool) -> Value {
    match value {
        Value::String(text) if text.contains("${") => {
            let (resolved, unset) = substitute(text, lookup);
            if unset.is_empty() && resolved != *text {
                *changed = true;
                Value::String(resolved)
            } else {
                value.clone()
            }
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| fill(v, lookup, changed)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), fill(v, lookup, changed)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Substitute placeholders in one string; returns the result and the unset names.
#[must_use]
pub fn substitute(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut unset = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let escaped = rest[..start].ends_with('\\');
        let after = &rest[start + 2..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let closed = after[name_len..].starts_with('}') && name_len > 0;
        if !closed {
            out.push_str(&rest[..start + 2]);
            rest = after;
            continue;
        }
        let name = &after[..name_len];
        if escaped {
            out.push_str(&rest[..start - 1]);
            out.push_str("${");
            out.push_str(name);
            out.push('}');
        } else {
            out.push_str(&rest[..start]);
            match lookup(name) {
                Some(value) => out.push_str(&value),
                None => unset.push(name.to_owned()),
            }
        }
        rest = &after[name_len + 1..];
    }
    out.push_str(rest);
    (out, unset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        (name == "KEY").then(|| "secret".to_owned())
    }

    #[test]
    fn examples_fill_only_strings_whose_variables_all_have_one() {
        let examples = std::collections::BTreeMap::from([("PORT".to_owned(), "8080".to_owned())]);
        let value = serde_json::json!({"a": "${PORT}", "b": "${PORT}-${OTHER}", "c": ["x"]});
        let judged = with_examples(&value, &examples).unwrap();
        assert_eq!(
            judged,
            serde_json::json!({"a": "8080", "b": "${PORT}-${OTHER}", "c": ["x"]})
        );
        assert!(with_examples(&serde_json::json!({"a": "${OTHER}"}), &examples).is_none());
    }

    #[test]
    fn substitutes_like_adc() {
        assert_eq!(
            substitute("a-${KEY}-b", &env),
            ("a-secret-b".into(), vec![])
        );
        assert_eq!(substitute("\\${KEY}", &env), ("${KEY}".into(), vec![]));
        assert_eq!(
            substitute("${http_x.limit}", &env),
            ("${http_x.limit}".into(), vec![])
        );
        assert_eq!(
            substitute("$env://KEY", &env),
            ("$env://KEY".into(), vec![])
        );
        assert_eq!(
            substitute("${MISSING}", &env),
            (String::new(), vec!["MISSING".to_owned()])
        );
        assert_eq!(substitute("${", &env), ("${".into(), vec![]));
    }
}

//! Walking the editor schema ([`crate::schema::editor::editor_schema`]: the file
//! schema with every plugin's own schema under `plugins`) along a path of keys and
//! items, and describing a schema for completion and hover.

use super::context::Step;
use serde_json::Value;
use std::fmt::Write as _;

/// Every schema that applies at `path` below `root` (`$ref`s followed, the branches
/// of `allOf`, `anyOf`, `oneOf` and `if`/`then`/`else` included).
#[must_use]
pub fn at_path<'a>(root: &'a Value, path: &[Step]) -> Vec<&'a Value> {
    let mut current = Vec::new();
    expand(root, root, &mut current, 0);
    for step in path {
        let mut next = Vec::new();
        for schema in current {
            for child in children(root, schema, step) {
                expand(root, child, &mut next, 0);
            }
        }
        current = next;
        if current.is_empty() {
            break;
        }
    }
    current
}

/// A schema of `root` with its references followed and its combinators' branches.
#[must_use]
pub fn expanded<'a>(root: &'a Value, schema: &'a Value) -> Vec<&'a Value> {
    let mut out = Vec::new();
    expand(root, schema, &mut out, 0);
    out
}

/// A schema with its references followed and its combinators' branches.
fn expand<'a>(root: &'a Value, schema: &'a Value, out: &mut Vec<&'a Value>, depth: usize) {
    if depth > 16 || out.iter().any(|s| std::ptr::eq(*s, schema)) {
        return;
    }
    let Some(object) = schema.as_object() else {
        return;
    };
    out.push(schema);
    if let Some(target) = object.get("$ref").and_then(Value::as_str) {
        if let Some(found) = target.strip_prefix('#').and_then(|p| root.pointer(p)) {
            expand(root, found, out, depth + 1);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for branch in object
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            expand(root, branch, out, depth + 1);
        }
    }
    for key in ["then", "else"] {
        if let Some(branch) = object.get(key) {
            expand(root, branch, out, depth + 1);
        }
    }
}

/// The schemas of one step below `schema`.
fn children<'a>(root: &'a Value, schema: &'a Value, step: &Step) -> Vec<&'a Value> {
    let _ = root;
    let mut found = Vec::new();
    match step {
        Step::Key(key) => {
            if let Some(child) = schema.get("properties").and_then(|p| p.get(key)) {
                found.push(child);
            } else {
                for (pattern, child) in schema
                    .get("patternProperties")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    if regex::Regex::new(pattern).is_ok_and(|r| r.is_match(key)) {
                        found.push(child);
                    }
                }
                if let Some(child) = schema.get("additionalProperties").filter(|a| a.is_object()) {
                    found.push(child);
                }
            }
        }
        Step::Item => {
            match schema.get("items") {
                Some(Value::Array(items)) => found.extend(items),
                Some(items @ Value::Object(_)) => found.push(items),
                _ => {}
            }
            if let Some(Value::Array(items)) = schema.get("prefixItems") {
                found.extend(items);
            }
        }
    }
    found
}

/// The properties the schemas name, in order, each once, with its schema.
#[must_use]
pub fn properties<'a>(schemas: &[&'a Value]) -> Vec<(&'a str, &'a Value)> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for schema in schemas {
        for (name, child) in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if seen.insert(name.as_str()) {
                out.push((name.as_str(), child));
            }
        }
    }
    out
}

/// The first value of `keyword` among the schemas.
fn first<'a>(schemas: &[&'a Value], keyword: &str) -> Option<&'a Value> {
    schemas.iter().find_map(|s| s.get(keyword))
}

/// The type(s) the schemas allow, as written (`string`, `integer | string`).
#[must_use]
pub fn type_of(schemas: &[&Value]) -> Option<String> {
    let mut types: Vec<String> = Vec::new();
    for schema in schemas {
        match schema.get("type") {
            Some(Value::String(t)) => types.push(t.clone()),
            Some(Value::Array(list)) => {
                types.extend(list.iter().filter_map(Value::as_str).map(str::to_owned));
            }
            _ => {}
        }
    }
    types.dedup();
    let mut unique = Vec::new();
    for t in types {
        if !unique.contains(&t) {
            unique.push(t);
        }
    }
    (!unique.is_empty()).then(|| unique.join(" | "))
}

/// The values an `enum` (or `const`) of the schemas allows.
#[must_use]
pub fn enum_values(schemas: &[&Value]) -> Vec<Value> {
    let mut values = Vec::new();
    for schema in schemas {
        for value in schema
            .get("enum")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if !values.contains(value) {
                values.push(value.clone());
            }
        }
        if let Some(value) = schema.get("const") {
            if !values.contains(value) {
                values.push(value.clone());
            }
        }
    }
    values
}

/// A Markdown description of the schemas of a field: description, type, default,
/// allowed values and constraints.
#[must_use]
pub fn describe(name: &str, schemas: &[&Value]) -> String {
    let mut text = format!("**`{name}`**");
    if let Some(t) = type_of(schemas) {
        let _ = write!(text, ": `{t}`");
    }
    text.push_str("\n\n");
    if let Some(description) = first(schemas, "description").and_then(Value::as_str) {
        text.push_str(description.trim());
        text.push_str("\n\n");
    }
    let mut facts = Vec::new();
    if let Some(default) = first(schemas, "default") {
        facts.push(format!("default: `{default}`"));
    }
    let values = enum_values(schemas);
    if !values.is_empty() {
        let list: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
        facts.push(format!("one of: {}", list.join(", ")));
    }
    for (keyword, label) in [
        ("minimum", "minimum"),
        ("exclusiveMinimum", "greater than"),
        ("maximum", "maximum"),
        ("exclusiveMaximum", "less than"),
        ("minLength", "min length"),
        ("maxLength", "max length"),
        ("minItems", "min items"),
        ("maxItems", "max items"),
        ("pattern", "pattern"),
        ("format", "format"),
    ] {
        if let Some(value) = first(schemas, keyword) {
            facts.push(format!(
                "{label}: `{}`",
                value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_owned)
            ));
        }
    }
    let required: Vec<&str> = schemas
        .iter()
        .filter_map(|s| s.get("required").and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if !required.is_empty() {
        let list: Vec<String> = required.iter().map(|r| format!("`{r}`")).collect();
        facts.push(format!("required fields: {}", list.join(", ")));
    }
    for fact in facts {
        let _ = writeln!(text, "- {fact}");
    }
    text.trim_end().to_owned()
}

//! What APISIX's Lua JSON Schema library refuses in schemas users write.
//!
//! Plugins such as request-validation and openid-connect take JSON Schemas from the
//! configuration (`header_schema`, `body_schema`, `claim_schema`) and compile them
//! with APISIX's Lua JSON Schema library when the route loads. This module reports
//! what will certainly make that compilation fail: unknown type names, keywords of
//! the wrong JSON type, empty `enum`/`anyOf`, numeric-looking property names,
//! dangling or external `$ref`s and `$ref` cycles (which hang APISIX).

use super::Issue;
use crate::load::document::join_pointer;
use serde_json::Value;

/// The type names APISIX's Lua JSON Schema library knows (`table` and `function`
/// are its own).
const LUA_SCHEMA_TYPES: &[&str] = &[
    "object", "array", "table", "integer", "string", "boolean", "number", "null", "function",
];

/// Count keywords the library writes into its generated code as integers.
const LUA_SCHEMA_COUNTS: &[&str] = &[
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
];

/// How deep nested schemas are followed (the loaders cap nesting lower).
const LUA_SCHEMA_MAX_DEPTH: usize = 256;

/// Report what certainly stops APISIX's Lua JSON Schema library (api7/jsonschema,
/// behind `core.schema.valid`) from compiling a user-supplied `schema` found at
/// `pointer`: unknown type names, keywords of the wrong JSON type, an empty `enum`
/// or `anyOf`, a number where a schema belongs, a property name the library reads
/// as an array index, a bad `id` or `$id`, and a local `$ref` that points nowhere.
/// Messages start with `prefix`. Nulls are left alone: the YAML and JSON loaders of
/// APISIX read them differently.
pub(super) fn lua_schema_errors(schema: &Value, pointer: &str, prefix: &str, out: &mut Vec<Issue>) {
    let mut anchors = Vec::new();
    let mut check = LuaSchemaCheck {
        root: schema,
        has_ids: has_string_key(schema, "id", 0),
        anchors: Vec::new(),
        prefix,
        out,
    };
    if let Some(Value::String(id)) = schema.get("id") {
        if id
            .split_once('#')
            .is_some_and(|(_, fragment)| !fragment.is_empty())
        {
            check.report(
                join_pointer(pointer, "id"),
                "schema ids should not have fragments",
            );
        }
    }
    check.ids(schema, pointer, 0, &mut anchors);
    check.anchors = anchors;
    check.schema(schema, pointer, 0);
}

/// One run of [`lua_schema_errors`].
struct LuaSchemaCheck<'a> {
    root: &'a Value,
    /// Whether any `id` can make references resolve against another document.
    has_ids: bool,
    /// The fragments of the `$id`s, which references may name.
    anchors: Vec<String>,
    prefix: &'a str,
    out: &'a mut Vec<Issue>,
}

impl LuaSchemaCheck<'_> {
    fn report(&mut self, pointer: String, message: &str) {
        self.out
            .push(Issue::value(pointer, format!("{}{message}", self.prefix)));
    }

    /// Every object the library walks when it stores the schema: a `$id` must be
    /// a fragment (`#name`).
    fn ids(&mut self, node: &Value, pointer: &str, depth: usize, anchors: &mut Vec<String>) {
        if depth > LUA_SCHEMA_MAX_DEPTH {
            return;
        }
        match node {
            Value::Object(map) => {
                if let Some(Value::String(id)) = map.get("$id") {
                    if let Some((_, fragment)) = id.split_once('#') {
                        anchors.push(fragment.to_owned());
                    } else {
                        self.report(
                            join_pointer(pointer, "$id"),
                            &format!("only location independent $id is supported, got \"{id}\""),
                        );
                    }
                }
                for (key, value) in map {
                    if key != "enum" && !key.starts_with('_') {
                        self.ids(value, &join_pointer(pointer, key), depth + 1, anchors);
                    }
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    self.ids(item, &format!("{pointer}/{index}"), depth + 1, anchors);
                }
            }
            _ => {}
        }
    }

    /// One schema and the schemas the library compiles from it. Booleans compile,
    /// and so do strings (the library reads them as empty schemas); numbers do not.
    fn schema(&mut self, schema: &Value, pointer: &str, depth: usize) {
        if depth > LUA_SCHEMA_MAX_DEPTH {
            return;
        }
        let map = match schema {
            Value::Object(map) => map,
            Value::Number(_) => {
                self.report(
                    pointer.to_owned(),
                    "a schema must be an object or a boolean, got a number",
                );
                return;
            }
            _ => return,
        };
        let at = |key: &str| join_pointer(pointer, key);
        // The library compiles the target of a reference instead of its siblings.
        match map.get("$ref") {
            Some(Value::String(reference)) => return self.reference(reference, &at("$ref")),
            Some(reference) if is_lua_truthy(reference) => return,
            _ => {}
        }
        if let Some(kind) = map.get("type") {
            self.type_keyword(kind, &at("type"));
        }
        for (key, value) in map {
            self.keyword_shape(key, value, &at(key));
        }
        self.subschemas(map, pointer, depth);
    }

    /// `type`: a known name or an array of known names.
    fn type_keyword(&mut self, kind: &Value, pointer: &str) {
        match kind {
            Value::String(name) if !LUA_SCHEMA_TYPES.contains(&name.as_str()) => {
                self.report(pointer.to_owned(), &format!("invalid JSON type: {name}"));
            }
            Value::Array(names) => {
                for (index, name) in names.iter().enumerate().filter(|(_, n)| !n.is_null()) {
                    let known = name.as_str().is_some_and(|n| LUA_SCHEMA_TYPES.contains(&n));
                    if !known {
                        let shown = name
                            .as_str()
                            .map_or_else(|| name.to_string(), str::to_owned);
                        self.report(
                            format!("{pointer}/{index}"),
                            &format!("invalid JSON type: {shown}"),
                        );
                    }
                }
            }
            Value::Number(_) | Value::Bool(_) => {
                let got = if kind.is_number() {
                    "number"
                } else {
                    "boolean"
                };
                self.report(
                    pointer.to_owned(),
                    &format!("invalid \"type\" type: got {got}"),
                );
            }
            _ => {}
        }
    }

    /// Keywords the library iterates or formats: their value must be of the JSON
    /// type it expects whenever it is set (Lua truthiness: not `false`).
    fn keyword_shape(&mut self, key: &str, value: &Value, pointer: &str) {
        let scalar = matches!(
            value,
            Value::String(_) | Value::Number(_) | Value::Bool(true)
        );
        match key {
            // Generated as `if not (<one test per item>) then`: no items is a syntax error.
            "enum" | "anyOf" => {
                let empty = match value {
                    Value::Array(items) => items.is_empty(),
                    Value::Object(_) => true,
                    _ => false,
                };
                if scalar || empty {
                    self.report(
                        pointer.to_owned(),
                        &format!("\"{key}\" must be a non-empty array"),
                    );
                }
            }
            "allOf" | "oneOf" | "required" if scalar => {
                self.report(pointer.to_owned(), &format!("\"{key}\" must be an array"));
            }
            "properties" | "patternProperties" if scalar => {
                self.report(pointer.to_owned(), &format!("\"{key}\" must be an object"));
            }
            _ if LUA_SCHEMA_COUNTS.contains(&key) && !formats_as_integer(value) => {
                self.report(pointer.to_owned(), &format!("\"{key}\" must be a number"));
            }
            _ => {}
        }
    }

    /// The nested schemas the library compiles.
    fn subschemas(&mut self, map: &serde_json::Map<String, Value>, pointer: &str, depth: usize) {
        let at = |key: &str| join_pointer(pointer, key);
        for key in ["properties", "patternProperties", "dependencies"] {
            if let Some(Value::Object(members)) = map.get(key) {
                let base = at(key);
                for (name, member) in members {
                    let at_member = join_pointer(&base, name);
                    if lua_reads_as_number(name) {
                        self.report(
                            at_member,
                            &format!(
                                "failed to find schema by node: the name \"{name}\" is read as a number"
                            ),
                        );
                        continue;
                    }
                    // Array dependencies list property names, not schemas.
                    if key != "dependencies" || !member.is_array() {
                        self.schema(member, &at_member, depth + 1);
                    }
                }
            }
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(members)) = map.get(key) {
                self.schema_list(members, &at(key), depth);
            }
        }
        match map.get("items") {
            Some(Value::Array(members)) if !members.is_empty() => {
                self.schema_list(members, &at("items"), depth);
                if let Some(extra @ Value::Object(_)) = map.get("additionalItems") {
                    self.schema(extra, &at("additionalItems"), depth + 1);
                }
            }
            Some(items) => self.schema(items, &at("items"), depth + 1),
            None => {}
        }
        if let Some(extra @ Value::Object(_)) = map.get("additionalProperties") {
            self.schema(extra, &at("additionalProperties"), depth + 1);
        }
        for key in ["not", "contains"] {
            if let Some(sub) = map.get(key) {
                self.schema(sub, &at(key), depth + 1);
            }
        }
        if let Some(condition) = map.get("if").filter(|c| is_lua_truthy(c)) {
            self.schema(condition, &at("if"), depth + 1);
            for key in ["then", "else"] {
                if let Some(branch) = map.get(key) {
                    self.schema(branch, &at(key), depth + 1);
                }
            }
        }
    }

    fn schema_list(&mut self, members: &[Value], pointer: &str, depth: usize) {
        for (index, member) in members.iter().enumerate() {
            self.schema(member, &format!("{pointer}/{index}"), depth + 1);
        }
    }

    /// A `$ref` the library cannot resolve: (with no `id` to register other
    /// documents) a fragment that is neither a `$id` anchor nor a path to something
    /// in the root schema, or any reference outside it. Paths the library reads
    /// differently from JSON Pointer (percent escapes, numeric-looking names) are
    /// not judged.
    fn reference(&mut self, reference: &str, pointer: &str) {
        if self.has_ids {
            return;
        }
        let Some(fragment) = reference.strip_prefix('#') else {
            if !reference.starts_with("root:") {
                self.report(
                    pointer.to_owned(),
                    &format!("an external resolver is required to fetch {reference}"),
                );
            }
            return;
        };
        if fragment.contains('%') || self.anchors.iter().any(|a| a == fragment) {
            return;
        }
        match lua_fragment_target(self.root, fragment) {
            FragmentTarget::Missing => self.report(
                pointer.to_owned(),
                &format!("reference not found: #{fragment}"),
            ),
            FragmentTarget::Found(_) if self.loops_forever(fragment) => self.report(
                pointer.to_owned(),
                &format!(
                    "reference cycle: #{fragment} leads back to itself (resolving it never ends)"
                ),
            ),
            _ => {}
        }
    }

    /// Whether following `$ref`s from `fragment` comes back to a fragment already
    /// followed: the library resolves a chain of references in a loop.
    fn loops_forever(&self, fragment: &str) -> bool {
        let mut seen = vec![fragment_path(fragment)];
        let mut current = fragment.to_owned();
        for _ in 0..LUA_SCHEMA_MAX_DEPTH {
            let FragmentTarget::Found(target) = lua_fragment_target(self.root, &current) else {
                return false;
            };
            let Some(Value::String(next)) = target.get("$ref") else {
                return false;
            };
            let Some(next) = next.strip_prefix('#') else {
                return false;
            };
            if next.contains('%') || self.anchors.iter().any(|a| a == next) {
                return false;
            }
            let path = fragment_path(next);
            if seen.contains(&path) {
                return true;
            }
            seen.push(path);
            current = next.to_owned();
        }
        false
    }
}

/// The parts of a fragment as the library splits it (empty parts are skipped).
fn fragment_path(fragment: &str) -> Vec<&str> {
    fragment.split('/').filter(|p| !p.is_empty()).collect()
}

/// What a `$ref` fragment names in the root schema.
enum FragmentTarget<'v> {
    /// This value.
    Found(&'v Value),
    /// Nothing: the library fails with "reference not found".
    Missing,
    /// Not judged: the library reads a part differently from JSON Pointer.
    Unjudged,
}

/// What a fragment names in `root` when the library walks it as a path split on
/// `/` (empty parts are skipped, digits index arrays).
fn lua_fragment_target<'v>(root: &'v Value, fragment: &str) -> FragmentTarget<'v> {
    let mut node = root;
    for part in fragment_path(fragment) {
        let part = part.replace("~1", "/").replace("~0", "~");
        let digits = part.bytes().all(|b| b.is_ascii_digit());
        let next = match node {
            Value::Array(items) if digits => part.parse::<usize>().ok().and_then(|i| items.get(i)),
            Value::Object(map) if !looks_numeric(&part) => map.get(&part),
            // Lua finds string-library functions on strings (`"x".len`).
            Value::Object(_) | Value::Array(_) | Value::String(_) => {
                return FragmentTarget::Unjudged
            }
            Value::Number(_) | Value::Bool(_) | Value::Null => None,
        };
        match next {
            Some(found) => node = found,
            None => return FragmentTarget::Missing,
        }
    }
    FragmentTarget::Found(node)
}

/// Whether Lua's `tonumber` might read `part` as a number (then the library
/// looks it up as a numeric key).
fn looks_numeric(part: &str) -> bool {
    part.trim_start()
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'))
}

/// Whether Lua treats a decoded JSON value as true (everything but `false`;
/// `null` is left out as unknown).
fn is_lua_truthy(value: &Value) -> bool {
    !matches!(value, Value::Bool(false) | Value::Null)
}

/// Whether any object in `node` has a string under `key` (too deep counts as yes).
fn has_string_key(node: &Value, key: &str, depth: usize) -> bool {
    if depth > LUA_SCHEMA_MAX_DEPTH {
        return true;
    }
    match node {
        Value::Object(map) => {
            map.get(key).is_some_and(Value::is_string)
                || map.values().any(|v| has_string_key(v, key, depth + 1))
        }
        Value::Array(items) => items.iter().any(|v| has_string_key(v, key, depth + 1)),
        _ => false,
    }
}

/// Whether Lua's `string.format("%d", value)` accepts a count keyword's value: a
/// number, `false` (the keyword is then unset) or a string Lua reads as a number
/// (only decimal strings are judged; hexadecimal ones are accepted).
fn formats_as_integer(value: &Value) -> bool {
    match value {
        Value::Number(_) | Value::Bool(false) | Value::Null => true,
        Value::String(text) => {
            let text = text.trim();
            let digits = text.trim_start_matches(['-', '+']);
            digits.starts_with("0x") || digits.starts_with("0X") || text.parse::<f64>().is_ok()
        }
        Value::Bool(true) | Value::Array(_) | Value::Object(_) => false,
    }
}

/// Whether Lua's `tonumber` certainly reads a property name as a number (the
/// library then looks the schema up by a numeric key and fails).
fn lua_reads_as_number(name: &str) -> bool {
    let digits = name.strip_prefix('-').unwrap_or(name);
    digits.starts_with(|c: char| c.is_ascii_digit())
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && name.parse::<f64>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::checks::testing::pointers;
    use serde_json::json;

    fn lua_errors(schema: &Value) -> Vec<Issue> {
        let mut out = Vec::new();
        lua_schema_errors(schema, "/s", "", &mut out);
        out
    }

    #[test]
    fn lua_schema_accepts_what_the_library_compiles() {
        for schema in [
            json!({}),
            json!({"type": ["string", "null", "table", "function"], "enum": ["a", 1, true, {"x": 1}]}),
            json!({"properties": {"a": "anything", "b": true, "id": {"type": "integer"}}}),
            json!({"items": [], "additionalItems": 5, "additionalProperties": 5}),
            json!({"type": {}, "enum": false, "not": false, "required": {}}),
            json!({"$ref": "#/definitions/a", "type": "ignored", "definitions": {"a": {}}}),
            json!({"allOf": [{"$ref": "#/definitions/a/properties/x"}], "definitions": {"a": {"properties": {"x": {}}}}}),
            json!({"items": {"$ref": "#/items/0"}}),
            json!({"$id": "#anchor", "minLength": 1, "maxItems": "3"}),
            json!({"then": {"type": "bogus"}}),
            json!({"dependencies": {"a": ["b"], "c": {"required": ["d"]}}}),
            json!({"_comment": {"$id": "not walked"}, "enum": [{"$id": "not walked"}]}),
            json!({"id": "http://example.com/s", "$ref": "other.json"}),
            json!({"id": "http://example.com/s#", "maxLength": " 3 ", "minItems": "0x3"}),
            json!({"$id": "#x", "items": {"$ref": "#x"}}),
            json!({"$ref": "#definitions//a", "definitions": {"a": {"$ref": "#/definitions/b"}, "b": {}}}),
            json!({"properties": {"child": {"$ref": "#"}, "+1": {}, " 1": {}}}),
        ] {
            assert!(lua_errors(&schema).is_empty(), "{schema}");
        }
    }

    /// Each schema gets exactly one issue, at `pointer`, saying `message`.
    fn assert_one_lua_error(cases: &[(Value, &str, &str)]) {
        for (schema, pointer, message) in cases {
            let issues = lua_errors(schema);
            assert_eq!(pointers(&issues), [*pointer], "{schema}");
            assert_eq!(issues[0].message, *message, "{schema}");
        }
    }

    #[test]
    fn lua_schema_refuses_keywords_of_the_wrong_shape() {
        assert_one_lua_error(&[
            (
                json!({"type": "test"}),
                "/s/type",
                "invalid JSON type: test",
            ),
            (
                json!({"type": ["string", 5]}),
                "/s/type/1",
                "invalid JSON type: 5",
            ),
            (
                json!({"type": 5}),
                "/s/type",
                "invalid \"type\" type: got number",
            ),
            (
                json!({"properties": {"a": {"enum": "x"}}}),
                "/s/properties/a/enum",
                "\"enum\" must be a non-empty array",
            ),
            (
                json!({"enum": []}),
                "/s/enum",
                "\"enum\" must be a non-empty array",
            ),
            (
                json!({"anyOf": {}}),
                "/s/anyOf",
                "\"anyOf\" must be a non-empty array",
            ),
            (
                json!({"required": "a"}),
                "/s/required",
                "\"required\" must be an array",
            ),
            (
                json!({"properties": "a"}),
                "/s/properties",
                "\"properties\" must be an object",
            ),
            (
                json!({"minLength": true}),
                "/s/minLength",
                "\"minLength\" must be a number",
            ),
            (
                json!({"maxLength": "x"}),
                "/s/maxLength",
                "\"maxLength\" must be a number",
            ),
            (
                json!({"items": 5}),
                "/s/items",
                "a schema must be an object or a boolean, got a number",
            ),
            (
                json!({"dependencies": {"a": 5}}),
                "/s/dependencies/a",
                "a schema must be an object or a boolean, got a number",
            ),
            (
                json!({"if": {}, "else": {"type": "x"}}),
                "/s/else/type",
                "invalid JSON type: x",
            ),
            (
                json!({"oneOf": [{}, {"not": {"type": "y"}}]}),
                "/s/oneOf/1/not/type",
                "invalid JSON type: y",
            ),
            (
                json!({"properties": {"200": {}}}),
                "/s/properties/200",
                "failed to find schema by node: the name \"200\" is read as a number",
            ),
        ]);
    }

    #[test]
    fn lua_schema_refuses_bad_ids_and_references() {
        let cycle = json!({
            "$ref": "#/definitions/a",
            "definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#//definitions/a"}}
        });
        assert_one_lua_error(&[
            (
                json!({"id": "#a"}),
                "/s/id",
                "schema ids should not have fragments",
            ),
            (
                json!({"properties": {"a/b": {"$id": "http://x"}}}),
                "/s/properties/a~1b/$id",
                "only location independent $id is supported, got \"http://x\"",
            ),
            (
                json!({"$ref": "#/definitions/missing"}),
                "/s/$ref",
                "reference not found: #/definitions/missing",
            ),
            (
                json!({"items": {"$ref": "other.json"}}),
                "/s/items/$ref",
                "an external resolver is required to fetch other.json",
            ),
            (
                json!({"$ref": "#"}),
                "/s/$ref",
                "reference cycle: # leads back to itself (resolving it never ends)",
            ),
            (
                cycle,
                "/s/$ref",
                "reference cycle: #/definitions/a leads back to itself (resolving it never ends)",
            ),
        ]);
    }
}

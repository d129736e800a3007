//! Small readers for `serde_json::Value` used by every stage that walks documents.

use serde_json::Value;

/// The object items of a list, with their indexes (non-objects are skipped).
pub fn items(value: Option<&Value>) -> impl Iterator<Item = (usize, &Value)> {
    value
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter(|(_, v)| v.is_object())
}

/// The entries of a map whose values are objects.
pub fn entries(value: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
    value
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, v)| v.is_object())
}

/// Remove `key` from an object and return the object items of the list it held,
/// with their indexes (non-objects are skipped, other values dropped).
pub fn remove_items(object: &mut Value, key: &str) -> Vec<(usize, Value)> {
    match object.as_object_mut().and_then(|map| map.shift_remove(key)) {
        Some(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .filter(|(_, v)| v.is_object())
            .collect(),
        _ => Vec::new(),
    }
}

/// Remove `key` from an object and return the entries of the map it held whose
/// values are objects.
pub fn remove_entries(object: &mut Value, key: &str) -> Vec<(String, Value)> {
    match object.as_object_mut().and_then(|map| map.shift_remove(key)) {
        Some(Value::Object(map)) => map.into_iter().filter(|(_, v)| v.is_object()).collect(),
        _ => Vec::new(),
    }
}

/// A string field of an object.
#[must_use]
pub fn text(object: &Value, key: &str) -> Option<String> {
    object.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// The strings of a string-list value (other items are skipped).
#[must_use]
pub fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// A JSON value as an id string (`"a"` → `a`, `1` → `1`).
#[must_use]
pub fn id_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A copy of an object without some keys.
#[must_use]
pub fn without(object: &Value, keys: &[&str]) -> Value {
    match object {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !keys.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

//! What ADC does to an ADC file's values before it validates them.
//!
//! ADC 0.2x (the TypeScript CLI users run) replaces `${NAME}` placeholders in every
//! string with the environment variable's value (`\${NAME}` stays literal), then
//! validates with zod, whose `z.coerce.number()` turns the numeric strings of some
//! resource fields (ports, weights, timeouts, health-check counters, retries, ...)
//! into numbers. Plugin configurations are not coerced: they go to APISIX as written.
//! This module gives the schema stage the document as ADC sees it: quoted numbers
//! of coerced fields become numbers (each one noted, so gwlint can say that the
//! Rust rewrite of ADC refuses them), and placeholders of coerced fields whose value
//! is not known are remembered, so their type is not judged.

use serde_json::{Map, Number, Value};

/// Whether ADC 0.28 reads a resource field with `z.coerce.number()`
/// (libs/sdk/src/core/schema.ts of api7/adc v0.28.0): timeouts, node
/// port/weight/priority, health-check counters and intervals, retries, keepalive
/// pool sizes, route priority, SSL client depth. `http_statuses` lists hold coerced
/// items.
fn is_coerced(key: &str) -> bool {
    matches!(
        key,
        "concurrency"
            | "connect"
            | "depth"
            | "http_failures"
            | "idle_timeout"
            | "interval"
            | "port"
            | "priority"
            | "read"
            | "requests"
            | "retries"
            | "retry_timeout"
            | "send"
            | "size"
            | "successes"
            | "tcp_failures"
            | "timeout"
            | "timeouts"
            | "weight"
    )
}

/// Whether ADC passes a key's value on without coercing (plugin configurations and
/// free data).
fn is_opaque(key: &str) -> bool {
    matches!(
        key,
        "plugins"
            | "global_rules"
            | "plugin_metadata"
            | "labels"
            | "vars"
            | "filter_func"
            | "metadata"
    )
}

/// The document as ADC validates it, when anything differs from the file.
#[derive(Debug, Default)]
pub struct AdcView {
    /// The document with coerced numbers.
    pub value: Value,
    /// Pointers of quoted numbers that ADC 0.2x coerces (the file wrote a string).
    pub coerced: Vec<String>,
    /// Pointers of coerced fields that hold a placeholder: their type cannot be
    /// judged offline.
    pub unresolved: Vec<String>,
}

/// The document as ADC sees it, or `None` when it is the file's own value (no
/// coerced field holds a string: most files).
#[must_use]
pub fn adc_view(value: &Value) -> Option<AdcView> {
    if !has_coerced_string(value) {
        return None;
    }
    let mut view = AdcView::default();
    let mut changed = false;
    let walked = walk(value, "", &mut view, &mut changed);
    (changed || !view.unresolved.is_empty()).then(|| AdcView {
        value: walked,
        ..view
    })
}

/// Whether any coerced field holds a string (a scan that allocates nothing).
fn has_coerced_string(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(key, item)| {
            if is_opaque(key) {
                false
            } else if is_coerced(key) {
                item.is_string() || has_coerced_string(item)
            } else if key == "http_statuses" {
                item.as_array()
                    .is_some_and(|items| items.iter().any(Value::is_string))
            } else {
                has_coerced_string(item)
            }
        }),
        Value::Array(items) => items.iter().any(has_coerced_string),
        _ => false,
    }
}

fn walk(value: &Value, pointer: &str, view: &mut AdcView, changed: &mut bool) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (key, item) in map {
                let at = crate::load::document::join_pointer(pointer, key);
                let item = if is_opaque(key) {
                    item.clone()
                } else if is_coerced(key) {
                    coerce(item, &at, view, changed)
                } else if key == "http_statuses" {
                    match item {
                        Value::Array(items) => Value::Array(
                            items
                                .iter()
                                .enumerate()
                                .map(|(i, v)| coerce(v, &format!("{at}/{i}"), view, changed))
                                .collect(),
                        ),
                        other => other.clone(),
                    }
                } else {
                    walk(item, &at, view, changed)
                };
                out.insert(key.clone(), item);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| walk(v, &format!("{pointer}/{i}"), view, changed))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A coerced field's value as zod's `z.coerce.number()` leaves it.
fn coerce(value: &Value, pointer: &str, view: &mut AdcView, changed: &mut bool) -> Value {
    let Value::String(text) = value else {
        return walk(value, pointer, view, changed);
    };
    if super::is_unresolved(crate::format::Format::Adc, text) {
        view.unresolved.push(pointer.to_owned());
        return value.clone();
    }
    match js_number(text) {
        Some(number) => {
            view.coerced.push(pointer.to_owned());
            *changed = true;
            Value::Number(number)
        }
        None => value.clone(),
    }
}

/// The number JavaScript's `Number(text)` gives for a decimal string, when it is a
/// finite number (`" 443 "` → 443, `"1e3"` → 1000, `"0x1f"` and `""` → none: gwlint
/// does not rely on those corners).
fn js_number(text: &str) -> Option<Number> {
    let trimmed = text.trim();
    if trimmed.is_empty()
        || !trimmed
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    {
        return None;
    }
    let parsed: f64 = trimmed.parse().ok()?;
    if !parsed.is_finite() {
        return None;
    }
    if parsed.fract() == 0.0 && parsed.abs() < 9_007_199_254_740_992.0 {
        #[allow(clippy::cast_possible_truncation)]
        return Some(Number::from(parsed as i64));
    }
    Number::from_f64(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quoted_numbers_of_coerced_fields_become_numbers() {
        let file = json!({"services": [{"name": "s", "upstream": {
            "nodes": [{"host": "a", "port": "443", "weight": "100"}],
            "retries": "${RETRIES}"},
            "plugins": {"limit-count": {"count": "10"}}}]});
        let view = adc_view(&file).unwrap();
        assert_eq!(
            view.value.pointer("/services/0/upstream/nodes/0/port"),
            Some(&json!(443))
        );
        assert_eq!(
            view.coerced,
            [
                "/services/0/upstream/nodes/0/port",
                "/services/0/upstream/nodes/0/weight"
            ]
        );
        assert_eq!(view.unresolved, ["/services/0/upstream/retries"]);
        // Plugin configurations go to APISIX as written.
        assert_eq!(
            view.value.pointer("/services/0/plugins/limit-count/count"),
            Some(&json!("10"))
        );
    }

    #[test]
    fn files_without_strings_in_coerced_fields_are_left_alone() {
        let file = json!({"services": [{"name": "s", "upstream": {
            "nodes": [{"host": "a", "port": 443, "weight": 1}]}}]});
        assert!(adc_view(&file).is_none());
        assert!(
            adc_view(&json!({"services": [{"upstream": {"nodes": [{"port": "443.1x"}]}}]}))
                .is_none()
        );
    }

    #[test]
    fn js_numbers() {
        assert_eq!(js_number(" 443 "), Some(Number::from(443)));
        assert_eq!(js_number("1e3"), Some(Number::from(1000)));
        assert_eq!(js_number("443.1").map(|n| n.as_f64()), Some(Some(443.1)));
        assert_eq!(js_number(""), None);
        assert_eq!(js_number("abc"), None);
    }
}

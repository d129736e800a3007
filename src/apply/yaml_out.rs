//! A small deterministic YAML writer for JSON values.
//!
//! Block mappings and sequences, keys in the order given, every string
//! double-quoted with JSON escapes (valid YAML 1.2, never re-typed by a reader:
//! `"on"`, `"0755"` and `"1.0"` stay strings). Used for rendered bundles, which must
//! be byte-identical for the same input.

use serde_json::Value;
use std::fmt::Write as _;

/// Render a value as a YAML document (ending with a newline).
#[must_use]
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => write_seq(&mut out, items, 0),
        scalar => {
            out.push_str(&inline(scalar));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, level: usize) {
    out.extend(std::iter::repeat_n("  ", level));
}

fn write_map(out: &mut String, map: &serde_json::Map<String, Value>, level: usize) {
    for (key, value) in map {
        indent(out, level);
        out.push_str(&key_text(key));
        out.push(':');
        write_child(out, value, level);
    }
}

fn write_seq(out: &mut String, items: &[Value], level: usize) {
    for item in items {
        indent(out, level);
        out.push('-');
        match item {
            Value::Object(map) if !map.is_empty() => {
                // The first entry shares the dash's line; the rest align under it.
                let mut first = true;
                for (key, value) in map {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        indent(out, level + 1);
                    }
                    out.push_str(&key_text(key));
                    out.push(':');
                    write_child(out, value, level + 1);
                }
            }
            other => write_child(out, other, level),
        }
    }
}

/// Write what follows `key:` or `-`: an inline scalar or a nested block.
fn write_child(out: &mut String, value: &Value, level: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_map(out, map, level + 1);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_seq(out, items, level + 1);
        }
        scalar => {
            let _ = writeln!(out, " {}", inline(scalar));
        }
    }
}

/// A scalar or empty collection on one line.
fn inline(value: &Value) -> String {
    match value {
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        other => other.to_string(),
    }
}

/// Keys are written plain when they cannot be mistaken for anything else.
fn key_text(key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && crate::load::yaml::resolve_plain(key).is_none()
        && !matches!(
            key.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off"
        );
    if plain {
        key.to_owned()
    } else {
        Value::String(key.to_owned()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{parse_text, LoadLimits};
    use serde_json::json;

    #[test]
    fn round_trips_through_the_loader() {
        let value = json!({
            "services": [{"name": "a", "routes": [{"uris": ["/x"], "n": 1}], "empty": {}, "list": []}],
            "on": "yes", "0755": "0755", "weird key": "line\nbreak \"q\"", "f": 1.5, "b": true, "z": null,
            "nested": [[1, 2], [{"k": "v"}]]
        });
        let text = to_yaml(&value);
        let loaded = parse_text(
            std::path::Path::new("x.yaml"),
            text.clone(),
            &LoadLimits::default(),
        );
        assert!(loaded.findings.is_empty(), "{:?}\n{text}", loaded.findings);
        assert_eq!(loaded.document.unwrap().value, value, "{text}");
    }

    #[test]
    fn output_is_block_style() {
        let text = to_yaml(&json!({"services": [{"name": "a", "hosts": ["h"]}]}));
        assert_eq!(
            text,
            "services:\n  - name: \"a\"\n    hosts:\n      - \"h\"\n"
        );
    }
}

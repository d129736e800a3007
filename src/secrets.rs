//! Keeping credentials out of every output.
//!
//! Names the fields that hold secrets (`key`, `secret`, `password`, private keys,
//! tokens, ...) and finds the spans of their literal values in a document, so the
//! human report can mask them in source snippets and messages never quote them.
//! References (`$env://`, `$secret://`, `${VAR}`) are not secrets and stay visible.

use crate::load::span_tree::NodeRef;
use crate::load::Document;
use crate::source::Span;
use serde_json::Value;

/// Field names whose values are secrets.
const SECRET_FIELDS: &[&str] = &[
    "key",
    "secret",
    "password",
    "secret_key",
    "private_key",
    "client_secret",
    "client_key",
    "token",
    "access_token",
    "refresh_token",
    "auth_header",
    "redis_password",
    "keys",
    "client_rsa_private_key",
];

/// Whether a field name holds a secret.
#[must_use]
pub fn is_secret_field(name: &str) -> bool {
    SECRET_FIELDS.contains(&name)
}

/// Whether a string is a reference resolved elsewhere, not a secret itself.
#[must_use]
pub fn is_reference(text: &str) -> bool {
    text.starts_with("$env://") || text.starts_with("$secret://") || text.contains("${")
}

/// Whether the last token of a JSON pointer names a secret field (or an item of one).
#[must_use]
pub fn is_secret_pointer(pointer: &str) -> bool {
    let mut tokens = pointer.rsplit('/');
    let last = tokens.next().unwrap_or_default();
    is_secret_field(last)
        || (last.parse::<usize>().is_ok() && tokens.next().is_some_and(is_secret_field))
}

/// The spans of literal secret values in a document.
#[must_use]
pub fn secret_spans(document: &Document) -> Vec<Span> {
    let mut spans = Vec::new();
    // Only a value under a secret field's key is a secret: most files have none.
    if !document.spans.any_key(is_secret_field) {
        return spans;
    }
    collect(&document.value, document.spans.root(), false, &mut spans);
    spans
}

fn collect(value: &Value, node: NodeRef<'_>, secret: bool, out: &mut Vec<Span>) {
    match value {
        Value::String(text) if secret && !is_reference(text) => out.push(node.span()),
        Value::Object(map) => {
            // The spans list the keys in the map's order; a key found out of place
            // (never, for a parsed document) is looked up instead.
            let mut values = map.iter();
            for (key, child_node) in node.keyed() {
                let child = match values.next() {
                    Some((written, child)) if written == key => Some(child),
                    _ => map.get(key),
                };
                if let Some(child) = child {
                    collect(child, child_node, is_secret_field(key), out);
                }
            }
        }
        Value::Array(items) => {
            for (item, child) in items.iter().zip(node.items()) {
                collect(item, child, secret, out);
            }
        }
        _ => {}
    }
}

/// Secret values found line by line, for files that did not parse (so a syntax
/// error's snippet cannot show a neighbouring secret): `<secret field>: value`.
#[must_use]
pub fn secret_spans_in_lines(source: &crate::source::SourceFile) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut offset = 0;
    for line in source.text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let body = content.trim_start().trim_start_matches("- ").trim_start();
        let field_start = content.len() - body.len();
        if let Some((field, value)) = body.split_once(':') {
            let field = field.trim().trim_matches(['"', '\'']);
            let value_trimmed = value.trim();
            if is_secret_field(field) && !value_trimmed.is_empty() && !is_reference(value_trimmed) {
                let value_start = offset + field_start + body.len() - value.trim_start().len();
                let value_end = offset + content.trim_end().len();
                if value_end > value_start {
                    spans.push(Span::new(
                        source.position_of_byte(value_start),
                        source.position_of_byte(value_end),
                    ));
                }
            }
        }
        offset += line.len();
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{parse_text, LoadLimits};

    #[test]
    fn finds_literal_secrets_but_not_references() {
        let text = "consumers:\n  - username: a\n    credentials:\n      - config:\n          key: hunter2\n          password: $env://PW\n          keys: [k1, \"${K2}\"]\n";
        let loaded = parse_text(
            std::path::Path::new("x.yaml"),
            text.into(),
            &LoadLimits::default(),
        );
        let spans = secret_spans(&loaded.document.unwrap());
        let shown: Vec<(u32, u32)> = spans
            .iter()
            .map(|s| (s.start.line, s.start.column))
            .collect();
        assert_eq!(shown, [(5, 16), (7, 18)]);
    }

    #[test]
    fn finds_secrets_line_by_line_in_broken_files() {
        let source = crate::source::SourceFile::new(
            "x.yaml".into(),
            "a:\n  key: hunter2\n  - password: 'pw'\n  token: $env://T\n[".into(),
        );
        let spans: Vec<(u32, u32, u32)> = secret_spans_in_lines(&source)
            .iter()
            .map(|s| (s.start.line, s.start.column, s.end.column))
            .collect();
        assert_eq!(spans, [(2, 8, 15), (3, 15, 19)]);
    }

    #[test]
    fn secret_pointers() {
        assert!(is_secret_pointer("/consumers/0/credentials/0/config/key"));
        assert!(is_secret_pointer("/ssls/0/keys/1"));
        assert!(!is_secret_pointer("/services/0/name"));
    }
}

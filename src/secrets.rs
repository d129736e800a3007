//! Keeping credentials out of every output.
//!
//! Knows the fields that hold secrets and finds the spans of their literal values in
//! a document, so the human report can mask them in source snippets and messages
//! never quote them. Inside a plugin's configuration a secret is what APISIX itself
//! stores encrypted: the plugin's `encrypt_fields` (read from the generated schemas
//! of every shipped version: openid-connect's `client_secret`, the loggers'
//! credentials, redis passwords, ...), plus the unmistakable names (`password`,
//! `client_secret`, private keys, tokens) for plugins gwlint has no schema for.
//! Elsewhere (SSL keys, upstream client keys, secret managers) field names decide.
//! A field merely called `key` in a plugin that does not encrypt it (limit-req's
//! `key: remote_addr`) is not a secret. References (`$env://`, `$secret://`,
//! `${VAR}`) are not secrets and stay visible.

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

/// The fields each plugin's schemas mark `encrypt_fields` (dotted paths; an array
/// on the way is passed through), of every shipped APISIX version.
const ENCRYPT_FIELDS: &[(&str, &[&str])] = include!(concat!(env!("OUT_DIR"), "/encrypt_fields.rs"));

/// Whether a field name holds a secret (outside plugin configurations).
#[must_use]
pub fn is_secret_field(name: &str) -> bool {
    SECRET_FIELDS.contains(&name)
}

/// Whether a field name is a secret in any plugin configuration whatever the
/// plugin: the names of [`SECRET_FIELDS`] that are never anything else.
fn is_plugin_secret_name(name: &str) -> bool {
    name != "key" && name != "keys" && is_secret_field(name)
}

/// The `encrypt_fields` of a plugin, when its schemas have any.
#[must_use]
pub fn encrypt_fields(plugin: &str) -> &'static [&'static str] {
    ENCRYPT_FIELDS
        .binary_search_by(|(name, _)| (*name).cmp(plugin))
        .map_or(&[], |at| ENCRYPT_FIELDS[at].1)
}

/// Whether the value at `path` (field names, array indexes left out) of a
/// `plugin`'s configuration is a secret: it is, or is inside, one of the plugin's
/// `encrypt_fields`, or its own name is an unmistakable secret name.
#[must_use]
pub fn is_plugin_secret(plugin: &str, path: &[&str]) -> bool {
    path.last().is_some_and(|name| is_plugin_secret_name(name)) || is_encrypted(plugin, path)
}

/// Every plugin with `encrypt_fields`, and its fields (dotted paths), by name.
#[must_use]
pub fn encrypt_field_table() -> &'static [(&'static str, &'static [&'static str])] {
    ENCRYPT_FIELDS
}

/// Whether the value at `path` (field names, array indexes left out) of a
/// `plugin`'s configuration is, or is inside, one of the plugin's `encrypt_fields`.
#[must_use]
pub fn is_encrypted(plugin: &str, path: &[&str]) -> bool {
    matches_fields(encrypt_fields(plugin), &path.iter().copied())
}

/// Whether `path` (field names) is, or is inside, one of the dotted `fields`.
fn matches_fields<'p>(fields: &[&str], path: &(impl Iterator<Item = &'p str> + Clone)) -> bool {
    fields.iter().any(|field| {
        let mut parts = field.split('.');
        let mut steps = 0;
        for step in path.clone() {
            match parts.next() {
                Some(part) if part == step => steps += 1,
                Some(_) => return false,
                None => return true,
            }
        }
        steps > 0 && parts.next().is_none()
    })
}

/// Whether any key could name a secret (a quick test before a document is walked,
/// asked of every key of every file: a binary search in the field names of every
/// plugin's `encrypt_fields`, collected once).
fn may_be_secret_key(key: &str) -> bool {
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let mut names: Vec<&'static str> = ENCRYPT_FIELDS
            .iter()
            .flat_map(|(_, fields)| fields.iter().flat_map(|f| f.split('.')))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    });
    is_secret_field(key) || names.binary_search(&key).is_ok()
}

/// Whether a string is a reference resolved elsewhere, not a secret itself.
#[must_use]
pub fn is_reference(text: &str) -> bool {
    text.starts_with("$env://") || text.starts_with("$secret://") || text.contains("${")
}

/// Whether the value at a JSON pointer is a secret: inside a plugin configuration
/// (`.../plugins/<name>/...`, ADC's `global_rules` or `plugin_metadata`), by the
/// plugin's `encrypt_fields`; elsewhere when its last field names a secret.
#[must_use]
pub fn is_secret_pointer(pointer: &str) -> bool {
    let tokens: Vec<&str> = pointer.split('/').skip(1).collect();
    if let Some(at) = tokens
        .iter()
        .rposition(|t| matches!(*t, "plugins" | "global_rules" | "plugin_metadata"))
    {
        if let Some(plugin) = tokens.get(at + 1) {
            let path: Vec<&str> = tokens[at + 2..]
                .iter()
                .copied()
                .filter(|t| t.parse::<usize>().is_err())
                .collect();
            return is_plugin_secret(plugin, &path);
        }
    }
    let mut tokens = pointer.rsplit('/');
    let last = tokens.next().unwrap_or_default();
    is_secret_field(last)
        || (last.parse::<usize>().is_ok() && tokens.next().is_some_and(is_secret_field))
}

/// What a masked secret value is replaced with.
pub const MASK: &str = "***";

/// Mask the literal secrets of a policy input document (`gwlint inspect`): in the
/// `config` of every object with an `origin.pointer` (resources, effective plugins),
/// each value whose pointer in its file is a secret ([`is_secret_pointer`]) becomes
/// [`MASK`], whatever its type; references (`$env://`, `${VAR}`) stay. Returns how
/// many values were masked.
pub fn mask_input(document: &mut Value) -> usize {
    match document {
        Value::Object(map) => {
            let base = map
                .get("origin")
                .and_then(|o| o.get("pointer"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            let mut masked = 0;
            for (key, child) in map.iter_mut() {
                masked += match (&base, key.as_str()) {
                    (Some(pointer), "config") => mask_at(child, pointer),
                    _ => mask_input(child),
                };
            }
            masked
        }
        Value::Array(items) => items.iter_mut().map(mask_input).sum(),
        _ => 0,
    }
}

/// Mask the secrets of a configuration value found at `pointer` of its file.
fn mask_at(value: &mut Value, pointer: &str) -> usize {
    match value {
        Value::Object(map) => map
            .iter_mut()
            .map(|(key, child)| mask_at(child, &crate::load::document::join_pointer(pointer, key)))
            .sum(),
        Value::Array(items) => items
            .iter_mut()
            .enumerate()
            .map(|(i, child)| mask_at(child, &format!("{pointer}/{i}")))
            .sum(),
        Value::Null => 0,
        Value::String(text) if is_reference(text) => 0,
        leaf => {
            if is_secret_pointer(pointer) {
                *leaf = Value::String(MASK.to_owned());
                1
            } else {
                0
            }
        }
    }
}

/// The spans of literal secret values in a document.
#[must_use]
pub fn secret_spans(document: &Document) -> Vec<Span> {
    let mut spans = Vec::new();
    // Only a value under a secret field's key is a secret: most files have none.
    if !document.spans.any_key(may_be_secret_key) {
        return spans;
    }
    let mut walk = Walk {
        out: &mut spans,
        path: Vec::new(),
    };
    walk.value(
        &document.value,
        document.spans.root(),
        Context::Resource(false),
    );
    spans
}

/// Where a value sits, for deciding whether it is a secret.
#[derive(Clone, Copy)]
enum Context {
    /// A resource field; `true` when under a secret field's name.
    Resource(bool),
    /// A map of plugin name to configuration (`plugins`, ADC's `global_rules` and
    /// `plugin_metadata`).
    PluginMap,
    /// Inside a plugin's configuration: the plugin's `encrypt_fields`, where its
    /// field path starts in the walk's path, and whether the value is already inside
    /// a secret.
    Plugin(&'static [&'static str], usize, bool),
}

/// A walk of a document that collects the spans of literal secrets.
struct Walk<'a, 'o> {
    out: &'o mut Vec<Span>,
    /// Field names from the root (array indexes left out).
    path: Vec<&'a str>,
}

impl<'a> Walk<'a, '_> {
    fn value(&mut self, value: &'a Value, node: NodeRef<'a>, context: Context) {
        match value {
            Value::String(text) => {
                let secret = match context {
                    Context::Resource(secret) | Context::Plugin(_, _, secret) => secret,
                    Context::PluginMap => false,
                };
                if secret && !is_reference(text) {
                    self.out.push(node.span());
                }
            }
            // `client_secret: 12345`: a secret whatever its type.
            Value::Number(_) | Value::Bool(_) => {
                if matches!(
                    context,
                    Context::Resource(true) | Context::Plugin(_, _, true)
                ) {
                    self.out.push(node.span());
                }
            }
            Value::Object(map) => {
                // An ADC credential: its `config` is the configuration of its `type`.
                let credential_type = match context {
                    Context::Resource(_) => map.get("type").and_then(Value::as_str),
                    _ => None,
                };
                // The spans list the keys in the map's order; a key found out of place
                // (never, for a parsed document) is looked up instead.
                let mut values = map.iter();
                for (key, child_node) in node.keyed() {
                    let child = match values.next() {
                        Some((written, child)) if written == key => Some((written, child)),
                        _ => map.get_key_value(key),
                    };
                    let Some((key, child)) = child else {
                        continue;
                    };
                    let inner = self.inner(context, key, child, credential_type);
                    self.path.push(key);
                    self.value(child, child_node, inner);
                    self.path.pop();
                }
            }
            Value::Array(items) => {
                for (item, child) in items.iter().zip(node.items()) {
                    self.value(item, child, context);
                }
            }
            Value::Null => {}
        }
    }

    /// The context of the value under `key` of an object in `context`.
    fn inner(
        &self,
        context: Context,
        key: &'a str,
        child: &Value,
        credential_type: Option<&'a str>,
    ) -> Context {
        let start = self.path.len() + 1;
        match (context, credential_type) {
            (Context::Resource(_), _)
                if matches!(key, "plugins" | "global_rules" | "plugin_metadata")
                    && child.is_object() =>
            {
                Context::PluginMap
            }
            (Context::Resource(_), Some(plugin)) if key == "config" => {
                Context::Plugin(encrypt_fields(plugin), start, false)
            }
            (Context::Resource(_), _) => Context::Resource(is_secret_field(key)),
            (Context::PluginMap, _) => Context::Plugin(encrypt_fields(key), start, false),
            (Context::Plugin(fields, from, secret), _) => {
                // Most plugins encrypt nothing: no path is built for their fields.
                let encrypted = !secret
                    && !fields.is_empty()
                    && matches_fields(fields, &self.path[from..].iter().copied().chain([key]));
                Context::Plugin(
                    fields,
                    from,
                    secret || is_plugin_secret_name(key) || encrypted,
                )
            }
        }
    }
}

/// Secret values found line by line, for files that did not parse (so a syntax
/// error's snippet cannot show a neighbouring secret): `<secret field>: value`, the
/// lines of a block scalar under a secret field (`key: |` and the more indented lines
/// after it), and every line from `-----BEGIN ... PRIVATE KEY-----` to its `-----END`.
#[must_use]
pub fn secret_spans_in_lines(source: &crate::source::SourceFile) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut offset = 0;
    // The indentation of a secret field whose block scalar is being read.
    let mut block_under: Option<usize> = None;
    let mut in_private_key = false;
    let whole_line = |start: usize, line: &str, spans: &mut Vec<Span>| {
        let content = line.trim_end_matches(['\n', '\r']);
        let first = content.len() - content.trim_start().len();
        if content.trim().is_empty() {
            return;
        }
        spans.push(Span::new(
            source.position_of_byte(start + first),
            source.position_of_byte(start + content.trim_end().len()),
        ));
    };
    for line in source.text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let indent = content.len() - content.trim_start().len();
        if let Some(field_indent) = block_under {
            if content.trim().is_empty() || indent > field_indent {
                whole_line(offset, line, &mut spans);
                offset += line.len();
                continue;
            }
            block_under = None;
        }
        if in_private_key || (content.contains("-----BEGIN") && content.contains("PRIVATE KEY")) {
            in_private_key = !content.contains("-----END");
            whole_line(offset, line, &mut spans);
            offset += line.len();
            continue;
        }
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
                if value_trimmed.starts_with(['|', '>']) {
                    block_under = Some(indent);
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
    fn lines_of_a_block_scalar_key_are_secret_when_the_file_does_not_parse() {
        let text = "ssls:\n  - snis: [a.example.com]\n    key: |\n      -----BEGIN PRIVATE KEY-----\n      MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n\n      AAECAwQF\n      -----END PRIVATE KEY-----\n    cert: [unclosed\n    other: visible\n";
        let source = crate::source::SourceFile::new("x.yaml".into(), text.into());
        let shown: Vec<u32> = secret_spans_in_lines(&source)
            .iter()
            .map(|s| s.start.line)
            .collect();
        assert_eq!(shown, [3, 4, 5, 7, 8]);
        // A PEM private key written without a secret field name.
        let text = "x: \"\n  -----BEGIN EC PRIVATE KEY-----\n  AAAA\n  -----END EC PRIVATE KEY-----\n  [\n";
        let source = crate::source::SourceFile::new("x.yaml".into(), text.into());
        let shown: Vec<u32> = secret_spans_in_lines(&source)
            .iter()
            .map(|s| s.start.line)
            .collect();
        assert_eq!(shown, [2, 3, 4]);
    }

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
    fn plugin_secrets_follow_encrypt_fields() {
        let text = "routes:\n  - uri: /a\n    plugins:\n      limit-req:\n        key: remote_addr\n        redis_password: hunter2\n      openid-connect:\n        client_id: c\n        client_secret: s3cret\n        session:\n          secret: abcdefghijklmnop\n      kafka-logger:\n        brokers:\n          - host: k\n            sasl_config:\n              password: pw\nconsumers:\n  - username: u\n    credentials:\n      - type: key-auth\n        config:\n          key: k1\n";
        let loaded = parse_text(
            std::path::Path::new("x.yaml"),
            text.into(),
            &LoadLimits::default(),
        );
        let spans = secret_spans(&loaded.document.unwrap());
        let lines: Vec<u32> = spans.iter().map(|s| s.start.line).collect();
        // limit-req's `key` (line 5) is not a secret; its redis password is.
        assert_eq!(lines, [6, 9, 11, 16, 22]);
        assert!(is_secret_pointer(
            "/routes/0/plugins/openid-connect/session/secret"
        ));
        assert!(is_secret_pointer(
            "/routes/0/plugins/kafka-logger/brokers/0/sasl_config/password"
        ));
        assert!(!is_secret_pointer("/routes/0/plugins/limit-req/key"));
        assert!(is_secret_pointer(
            "/routes/0/plugins/elasticsearch-logger/headers/X-Token"
        ));
        assert!(is_secret_pointer(
            "/routes/0/plugins/my-custom/client_secret"
        ));
        assert!(!is_secret_pointer("/routes/0/plugins/my-custom/key"));
    }

    #[test]
    fn secret_pointers() {
        assert!(is_secret_pointer("/consumers/0/credentials/0/config/key"));
        assert!(is_secret_pointer("/ssls/0/keys/1"));
        assert!(!is_secret_pointer("/services/0/name"));
    }
}

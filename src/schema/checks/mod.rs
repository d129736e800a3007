//! Checks that APISIX and ADC enforce in code rather than in JSON Schema.
//!
//! APISIX runs imperative Lua checks after a plugin's or resource's schema passes
//! (mutual exclusions, regex compilation, consistency rules); ADC adds zod
//! refinements. This module holds their Rust equivalents. Each check reads one
//! configuration object and reports [`Issue`]s with pointers relative to it; the
//! schema stage turns them into located findings. Checks assume the object already
//! passed its JSON Schema, but must never panic on any input.

mod ai;
mod auth;
mod graphql;
mod jsonpath;
mod logging;
mod lua_code;
mod lua_schema;
mod patterns;
mod resources;
mod security;
mod serverless;
#[cfg(test)]
mod testing;
mod traffic;
mod transform;

pub use resources::{adc_resource_check, standalone_resource_check};

use serde_json::Value;

/// What a check found, relative to the object it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// JSON pointer relative to the checked object (`""` is the object itself).
    pub pointer: String,
    /// The problem, as one short lowercase clause.
    pub message: String,
    /// Which part of the node the finding should underline.
    pub target: Target,
    /// Whether APISIX refuses the value, or gwlint could not judge it.
    pub kind: IssueKind,
}

/// What an issue says about the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueKind {
    /// APISIX refuses it (a finding of the plugin's or resource's `schema/` rule).
    Refused,
    /// A regex too large for gwlint to judge (`limit/regex-too-large`, a warning).
    RegexTooLarge,
}

/// What part of the named node a finding points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The value at the pointer (a bad value).
    Value,
    /// The key under which the value is written (an unknown or forbidden key).
    Key,
}

impl Issue {
    /// An issue about the value at `pointer`.
    pub fn value(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Issue {
            pointer: pointer.into(),
            message: message.into(),
            target: Target::Value,
            kind: IssueKind::Refused,
        }
    }

    /// This issue of a configuration nested at `at` in the checked object, its message
    /// introduced by `context` when APISIX refuses the value (a regex too large to
    /// judge keeps its own message).
    #[must_use]
    pub fn nested(self, at: &str, context: &str) -> Self {
        let message = match self.kind {
            IssueKind::Refused => format!("{context}{}", self.message),
            IssueKind::RegexTooLarge => self.message,
        };
        Issue {
            pointer: format!("{at}{}", self.pointer),
            message,
            ..self
        }
    }

    /// A regex at `pointer` too large for gwlint to judge.
    pub fn regex_too_large(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Issue {
            kind: IssueKind::RegexTooLarge,
            ..Issue::value(pointer, message)
        }
    }

    /// An issue about the key at `pointer`.
    pub fn key(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Issue {
            pointer: pointer.into(),
            message: message.into(),
            target: Target::Key,
            kind: IssueKind::Refused,
        }
    }
}

/// Which of a plugin's schemas a configuration is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaKind {
    /// The plugin on a route, service, plugin config or global rule.
    Plugin,
    /// An auth plugin's consumer (credential) configuration.
    Consumer,
    /// The plugin's `plugin_metadata`.
    Metadata,
}

/// An imperative plugin check.
pub type PluginCheck = fn(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>);

/// The imperative check of a plugin, if it has one.
#[must_use]
pub fn plugin_check(name: &str) -> Option<PluginCheck> {
    auth::lookup(name)
        .or_else(|| traffic::lookup(name))
        .or_else(|| security::lookup(name))
        .or_else(|| transform::lookup(name))
        .or_else(|| logging::lookup(name))
        .or_else(|| serverless::lookup(name))
        .or_else(|| ai::lookup(name))
        .or_else(|| (name == "degraphql").then_some(graphql::degraphql as PluginCheck))
}

/// The extra check of a plugin in a standalone file, where APISIX reads the
/// configuration as written (no Admin API, no encryption in etcd).
#[must_use]
pub fn standalone_plugin_check(name: &str) -> Option<PluginCheck> {
    match name {
        "jwe-decrypt" => Some(auth::jwe_decrypt_standalone),
        _ => None,
    }
}

/// The error of decoding `text` as JSON the way APISIX's cjson does, if any:
/// nesting past `serde_json`'s limit (128 levels) is not judged, since cjson reads
/// 1,000 levels.
pub(super) fn json_syntax_error(text: &str) -> Option<String> {
    match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Ok(_) => None,
        Err(error) => {
            let error = error.to_string();
            (!error.contains("recursion limit")).then_some(error)
        }
    }
}

/// APISIX's `invalid ip address` check on the list at `key`: every string entry
/// must be an IP address or a CIDR range (references resolved later are skipped).
pub(super) fn check_ip_list(conf: &Value, key: &str, out: &mut Vec<Issue>) {
    let Some(entries) = conf.get(key).and_then(Value::as_array) else {
        return;
    };
    for (index, text) in entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| Some((i, e.as_str()?)))
    {
        if !crate::secrets::is_reference(text) && !crate::netaddr::is_ip_or_cidr(text) {
            out.push(Issue::value(
                format!("/{key}/{index}"),
                format!("invalid ip address: {text}"),
            ));
        }
    }
}

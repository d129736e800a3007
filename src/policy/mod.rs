//! Policies: Rego rules (regorus) and native Rust rules over the environment model.
//!
//! Owns the policy library (built-in, user folders, data), its metadata, the
//! evaluation of every enabled rule on an environment's model and the mapping of
//! results to located findings (`policy/<id>`). The contract between gwlint and a
//! policy (input shape, result shape, metadata) is documented in
//! `policies/README.md`.

pub mod eval;
mod fast;
pub mod guard;
mod input;
pub mod library;
mod locate;
pub mod metadata;
pub mod native;
pub mod plan;
pub mod settings;
pub mod testing;

pub use eval::{evaluate, evaluate_into, input_document};
pub use library::{PolicySet, PolicySources};
pub use locate::{findings, locate_into, locate_result};
pub use settings::{RuleSetting, RuleSettings};

use serde_json::Value;

/// What a policy rule reported, before it is located: the Rego result contract.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PolicyResult {
    /// The message.
    pub msg: String,
    /// The file (as shown to users, i.e. a model `origin.file()`) and JSON pointer of the
    /// object the finding is about; `None` for an unlocated finding.
    pub at: Option<(String, String)>,
    /// A path below `at` (keys, and indexes as decimal strings).
    pub field: Vec<String>,
    /// Other places to show, each with its own message.
    pub related: Vec<PolicyResult>,
    /// A rule id overriding the rule's own.
    pub id: Option<String>,
}

impl PolicyResult {
    /// A located result about the model object with this `origin` (its `file` and
    /// `pointer`), at `field` below it.
    #[must_use]
    pub fn at_origin(msg: impl Into<String>, file: &str, pointer: &str, field: &[&str]) -> Self {
        PolicyResult {
            msg: msg.into(),
            at: Some((file.to_owned(), pointer.to_owned())),
            field: field.iter().map(|s| (*s).to_owned()).collect(),
            related: Vec::new(),
            id: None,
        }
    }

    /// Parse a Rego result element: a string, or an object `{msg, at, field, related, id}`.
    #[must_use]
    pub fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::String(msg) => Some(PolicyResult {
                msg: msg.clone(),
                ..PolicyResult::default()
            }),
            Value::Object(object) => {
                let msg = object.get("msg").and_then(Value::as_str)?.to_owned();
                let at = object.get("at").and_then(|at| {
                    Some((
                        at.get("file")?.as_str()?.to_owned(),
                        at.get("pointer")?.as_str()?.to_owned(),
                    ))
                });
                let field = match object.get("field") {
                    Some(Value::String(path)) => path
                        .split('/')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    Some(Value::Array(items)) => items
                        .iter()
                        .filter_map(|i| match i {
                            Value::String(s) => Some(s.clone()),
                            Value::Number(n) => Some(n.to_string()),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let related = object
                    .get("related")
                    .and_then(Value::as_array)
                    .map(|items| items.iter().filter_map(PolicyResult::from_value).collect())
                    .unwrap_or_default();
                Some(PolicyResult {
                    msg,
                    at,
                    field,
                    related,
                    id: object.get("id").and_then(Value::as_str).map(str::to_owned),
                })
            }
            _ => None,
        }
    }
}

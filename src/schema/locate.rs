//! From a JSON Schema error to a located finding.
//!
//! The validator reports an instance path (a JSON pointer into the validated value)
//! and a schema path (a pointer into the schema). This module turns that pair into a
//! finding on the right piece of text: an unknown key underlines the key, a missing
//! field the object that lacks it, anything else the offending value. Messages come
//! from the schema's `x-messages` when it has one for the failed keyword; otherwise
//! they are written here, short and without dumping whole objects.

use super::Compiled;
use crate::finding::{Finding, Location, Severity};
use crate::load::document::join_pointer;
use crate::load::Document;
use crate::source::Source;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::ValidationError;
use serde_json::Value;
use std::fmt::Write as _;

/// What a finding is about, before it is located.
pub struct Site<'a> {
    /// The file.
    pub source: &'a Source,
    /// Its document.
    pub document: &'a Document,
    /// Pointer of the validated value inside the document.
    pub base: &'a str,
}

impl Site<'_> {
    /// A location on the value at `pointer` (or its nearest existing ancestor).
    #[must_use]
    pub fn value_at(&self, pointer: &str) -> Location {
        let located = self.document.locate(pointer);
        Location {
            source: self.source.clone(),
            span: located.span,
            pointer: pointer.to_owned(),
        }
    }

    /// A location on the key the value at `pointer` is written under, falling back to
    /// the value itself.
    #[must_use]
    pub fn key_at(&self, pointer: &str) -> Location {
        let located = self.document.locate(pointer);
        let span = match located.key_span {
            Some(key) if located.exact => key,
            _ => located.span,
        };
        Location {
            source: self.source.clone(),
            span,
            pointer: pointer.to_owned(),
        }
    }

    /// A location on the object at `pointer`: its key when it has one (that is where
    /// people look for "this object"), else the object itself.
    #[must_use]
    pub fn object_at(&self, pointer: &str) -> Location {
        self.key_at(pointer)
    }
}

/// Turn one validation error into findings (several for several unknown keys).
pub fn findings_for_error(
    error: &ValidationError<'_>,
    compiled: &Compiled,
    rule: &str,
    help: &str,
    site: &Site<'_>,
) -> Vec<Finding> {
    let pointer = format!("{}{}", site.base, error.instance_path().as_str());
    let custom = custom_message(compiled, error);
    let finding = |message: String, location: Location| {
        Finding::new(rule, Severity::Error, message, help, location)
    };
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => unexpected
            .iter()
            .map(|key| {
                let key_pointer = join_pointer(&pointer, key);
                let message = custom
                    .clone()
                    .unwrap_or_else(|| unknown_field_message(compiled, error, key));
                finding(message, site.key_at(&key_pointer))
            })
            .collect(),
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            let message = custom.unwrap_or_else(|| format!("missing required field `{name}`"));
            vec![finding(message, site.object_at(&pointer))]
        }
        kind => {
            let message = custom.unwrap_or_else(|| {
                if crate::secrets::is_secret_pointer(&pointer) {
                    describe_secret(kind, error.instance())
                } else {
                    describe(kind, error.instance())
                }
            });
            vec![finding(message, site.value_at(&pointer))]
        }
    }
}

/// The schema's own message for the failed keyword, from `x-messages` beside it.
fn custom_message(compiled: &Compiled, error: &ValidationError<'_>) -> Option<String> {
    let path = error.schema_path().as_str();
    let (parent, keyword) = path.rsplit_once('/')?;
    compiled
        .schema
        .pointer(parent)?
        .get("x-messages")?
        .get(keyword)?
        .as_str()
        .map(str::to_owned)
}

/// "unknown field `x`", with the closest allowed field as a suggestion.
fn unknown_field_message(compiled: &Compiled, error: &ValidationError<'_>, key: &str) -> String {
    let mut message = format!("unknown field `{key}`");
    let path = error.schema_path().as_str();
    let parent = path.rsplit_once('/').map_or("", |(p, _)| p);
    let allowed: Vec<&str> = compiled
        .schema
        .pointer(parent)
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default();
    if let Some(close) = closest(key, &allowed) {
        let _ = write!(message, "; did you mean `{close}`?");
    }
    message
}

/// The allowed name closest to `key`, if it looks like a typo of it.
fn closest<'a>(key: &str, allowed: &[&'a str]) -> Option<&'a str> {
    allowed
        .iter()
        .filter(|a| !a.starts_with('_'))
        .map(|a| (strsim(key, a), *a))
        .filter(|(d, a)| *d <= 2.max(a.len() / 4))
        .min()
        .map(|(_, a)| a)
}

/// Edit distance, ignoring the difference between `-` and `_`.
fn strsim(a: &str, b: &str) -> usize {
    let norm = |s: &str| s.replace('-', "_").to_ascii_lowercase();
    let (a, b) = (norm(a), norm(b));
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            current[j + 1] = (previous[j] + usize::from(ca != *cb))
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// A short message for a failed keyword.
fn describe(kind: &ValidationErrorKind, instance: &Value) -> String {
    let shown = short(instance);
    match kind {
        ValidationErrorKind::Type { kind } => {
            format!("expected {}, found {}", type_names(kind), type_of(instance))
        }
        ValidationErrorKind::Enum { options } => {
            format!("{shown} is not one of {}", list_values(options))
        }
        ValidationErrorKind::Constant { expected_value } => {
            format!("expected {}, found {shown}", short(expected_value))
        }
        ValidationErrorKind::Minimum { limit } => {
            format!("{shown} is less than the minimum {limit}")
        }
        ValidationErrorKind::Maximum { limit } => {
            format!("{shown} is greater than the maximum {limit}")
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            format!("{shown} must be greater than {limit}")
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            format!("{shown} must be less than {limit}")
        }
        ValidationErrorKind::MinLength { limit } => {
            format!("string is shorter than {limit} character{}", plural(*limit))
        }
        ValidationErrorKind::MaxLength { limit } => {
            format!("string is longer than {limit} character{}", plural(*limit))
        }
        ValidationErrorKind::MinItems { limit } => {
            format!("list needs at least {limit} item{}", plural(*limit))
        }
        ValidationErrorKind::MaxItems { limit } => {
            format!("list allows at most {limit} item{}", plural(*limit))
        }
        ValidationErrorKind::MinProperties { limit } => {
            format!("object needs at least {limit} field{}", plural(*limit))
        }
        ValidationErrorKind::MaxProperties { limit } => {
            format!("object allows at most {limit} field{}", plural(*limit))
        }
        ValidationErrorKind::UniqueItems => "list items must be unique".into(),
        ValidationErrorKind::Pattern { pattern } => {
            format!("{shown} does not match the pattern `{pattern}`")
        }
        ValidationErrorKind::Format { format } => format!("{shown} is not a valid {format}"),
        ValidationErrorKind::MultipleOf { .. } => format!("{shown} is not an allowed multiple"),
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            alternatives_message(context)
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            "matches more than one of the allowed forms; exactly one is required".into()
        }
        ValidationErrorKind::Not { .. } => "has a combination of fields that is not allowed".into(),
        ValidationErrorKind::FalseSchema => "is not allowed here".into(),
        ValidationErrorKind::Contains => "list has no item of the required form".into(),
        other => other_message(other),
    }
}

/// A message about a secret value that never quotes it.
fn describe_secret(kind: &ValidationErrorKind, instance: &Value) -> String {
    match kind {
        ValidationErrorKind::Type { kind } => {
            let found = match instance {
                Value::Null => "null",
                Value::Bool(_) => "a boolean",
                Value::Number(_) => "a number",
                Value::String(_) => "a string",
                Value::Array(_) => "a list",
                Value::Object(_) => "an object",
            };
            format!(
                "expected {}, found {found} (value not shown)",
                type_names(kind)
            )
        }
        other => describe(other, &Value::String("(value not shown)".into())),
    }
}

/// For anyOf/oneOf with no matching branch: name the closest branch's first problem.
fn alternatives_message(context: &[Vec<ValidationError<'static>>]) -> String {
    let closest = context
        .iter()
        .filter(|branch| !branch.is_empty())
        .min_by_key(|branch| branch.len());
    match closest.and_then(|branch| branch.first()) {
        Some(first) => {
            let inner = match first.kind() {
                ValidationErrorKind::Required { property } => {
                    format!(
                        "missing required field `{}`",
                        property.as_str().unwrap_or_default()
                    )
                }
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    format!("unknown field `{}`", unexpected.join("`, `"))
                }
                kind => describe(kind, first.instance()),
            };
            let at = first.instance_path().as_str();
            if at.is_empty() {
                format!("matches none of the allowed forms (closest: {inner})")
            } else {
                format!("matches none of the allowed forms (closest: {inner} at `{at}`)")
            }
        }
        None => "matches none of the allowed forms".into(),
    }
}

fn other_message(kind: &ValidationErrorKind) -> String {
    match kind {
        ValidationErrorKind::PropertyNames { .. } => "has a field name that is not allowed".into(),
        ValidationErrorKind::AdditionalItems { limit } => {
            format!("list allows at most {limit} item{}", plural(*limit as u64))
        }
        ValidationErrorKind::Custom { message, .. } => message.clone(),
        _ => "is not valid here".into(),
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A value shown in a message: scalars in full (strings quoted, long ones cut),
/// collections by kind.
fn short(value: &Value) -> String {
    match value {
        Value::String(s) if s.chars().count() > 60 => {
            let head: String = s.chars().take(57).collect();
            format!("\"{head}...\"")
        }
        Value::Array(_) => "the list".into(),
        Value::Object(_) => "the object".into(),
        other => other.to_string(),
    }
}

fn list_values(options: &Value) -> String {
    match options {
        Value::Array(items) => items.iter().map(short).collect::<Vec<_>>().join(", "),
        other => short(other),
    }
}

fn type_of(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(_) => "boolean".into(),
        Value::Number(n) if n.is_f64() => format!("number {n}"),
        Value::Number(n) => format!("integer {n}"),
        Value::String(s) => format!("string {}", short(&Value::String(s.clone()))),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn type_names(kind: &TypeKind) -> String {
    let name = |t: &jsonschema::JsonType| match t.to_string().as_str() {
        "array" => "a list".to_owned(),
        "object" => "an object".to_owned(),
        "integer" => "an integer".to_owned(),
        other => format!("a {other}"),
    };
    match kind {
        TypeKind::Single(t) => name(t),
        TypeKind::Multiple(set) => set
            .iter()
            .map(|t| name(&t))
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

//! The one finding type every stage produces.
//!
//! Loader, schema, reference checks and (later) policies all report [`Finding`]s:
//! values, never errors. A finding names its rule, severity, message and help, and
//! where it is: file, span and JSON pointer, plus optional related places ("first
//! defined here"). Reporters only read findings; they never compute positions.
//!
//! A run may hold hundreds of thousands of findings (the first run on a large tree),
//! so the texts many findings share (rule id, help, environment) are [`Text`]s: a
//! `&'static str` or one reference-counted copy, never a copy per finding. The file
//! is the shared [`Source`].

use crate::source::{Source, Span};
use serde::Serialize;
use std::borrow::{Borrow, Cow};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// An immutable text shared by many findings: one reference-counted copy that clones
/// share (converting a `&str` or a `String` makes that copy; cloning a `Text` never
/// copies the text). Reads as a `&str`: it derefs to one, and compares, orders,
/// hashes, prints and serializes as its text. Two words, against a `String`'s three.
#[derive(Clone, Default)]
pub struct Text(Arc<str>);

impl Text {
    /// The text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Text(text.into())
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        Text(text.into())
    }
}

impl From<&String> for Text {
    fn from(text: &String) -> Self {
        Text(text.as_str().into())
    }
}

impl From<Arc<str>> for Text {
    fn from(text: Arc<str>) -> Self {
        Text(text)
    }
}

impl From<Cow<'_, str>> for Text {
    fn from(text: Cow<'_, str>) -> Self {
        match text {
            Cow::Borrowed(text) => text.into(),
            Cow::Owned(text) => text.into(),
        }
    }
}

impl From<Text> for String {
    fn from(text: Text) -> Self {
        text.as_str().to_owned()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational: never fails a run.
    Info,
    /// Likely a mistake; fails only with `--fail-on warning`.
    Warning,
    /// Invalid configuration: fails the run.
    Error,
}

impl Severity {
    /// The lowercase name used in every output format.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parse a severity name (`error`, `warning`, `info`).
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "info" | "note" => Some(Severity::Info),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place in a source file.
#[derive(Debug, Clone)]
pub struct Location {
    /// The file.
    pub source: Source,
    /// The range inside it.
    pub span: Span,
    /// JSON pointer of the node inside the file's document (empty for the root or
    /// for problems that are not about a node).
    pub pointer: String,
}

/// A secondary place shown with a finding, e.g. "first defined here".
#[derive(Debug, Clone)]
pub struct Related {
    /// What this place is.
    pub message: String,
    /// Where it is.
    pub location: Location,
}

/// One problem found in the configuration.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Rule id, namespaced by the stage that raised it (`parse/duplicate-key`,
    /// `schema/limit-count`, `ref/duplicate-service`, ...).
    pub rule: Text,
    /// How serious it is.
    pub severity: Severity,
    /// The problem, in one short clause.
    pub message: String,
    /// How to fix it.
    pub help: Text,
    /// Where it is.
    pub location: Location,
    /// Other places involved.
    pub related: Vec<Related>,
    /// The environment the file belongs to, when known.
    pub environment: Option<Text>,
    /// Whether the finding has no real place (a policy result that named none); it is
    /// then reported at the start of the environment's first file.
    pub unlocated: bool,
}

impl Finding {
    /// A finding with no related places and no environment yet.
    pub fn new(
        rule: impl Into<Text>,
        severity: Severity,
        message: impl Into<String>,
        help: impl Into<Text>,
        location: Location,
    ) -> Self {
        Finding {
            rule: rule.into(),
            severity,
            message: message.into(),
            help: help.into(),
            location,
            related: Vec::new(),
            environment: None,
            unlocated: false,
        }
    }

    /// Add a related place.
    #[must_use]
    pub fn with_related(mut self, message: impl Into<String>, location: Location) -> Self {
        self.related.push(Related {
            message: message.into(),
            location,
        });
        self
    }

    /// The file the finding is in, as shown to users.
    #[must_use]
    pub fn file(&self) -> &str {
        &self.location.source.display
    }

    /// Order used by every reporter: file, line, column, rule, then message.
    #[must_use]
    pub fn report_order(&self, other: &Finding) -> Ordering {
        let a = &self.location;
        let b = &other.location;
        // Findings of one file share its source: no need to compare the names.
        let file = if Arc::ptr_eq(&a.source, &b.source) {
            Ordering::Equal
        } else {
            a.source.display.cmp(&b.source.display)
        };
        file.then(a.span.start.line.cmp(&b.span.start.line))
            .then(a.span.start.column.cmp(&b.span.start.column))
            .then_with(|| self.rule.cmp(&other.rule))
            .then_with(|| self.message.cmp(&other.message))
            .then_with(|| a.pointer.cmp(&b.pointer))
    }
}

/// Sort findings into report order and drop exact duplicates.
pub fn sort_findings(findings: &mut Vec<Finding>) {
    findings.sort_by(Finding::report_order);
    findings.dedup_by(|a, b| {
        a.report_order(b) == Ordering::Equal
            && a.severity == b.severity
            && a.environment == b.environment
    });
}

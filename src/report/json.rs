//! The JSON report: `{"version":1,"summary":{...},"findings":[...]}`.
//!
//! Stable, documented field names; `file` is relative to the current directory;
//! findings in report order. `related` lists secondary places (e.g. the first
//! definition of a duplicate).
//!
//! The report is streamed: each finding is serialized straight to the writer, so
//! writing 100,000 findings needs no more memory than writing one.

use crate::check::Outcome;
use crate::finding::{Finding, Location, Severity};
use crate::suppress::Suppressed;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;
use std::io::{self, Write};

/// Write the JSON report followed by a newline.
///
/// # Errors
/// Any error of the writer.
pub fn write(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let findings = outcome.findings();
    let suppressed = outcome.suppressed();
    let report = Report {
        version: 1,
        summary: Summary {
            files: outcome.file_count(),
            errors: outcome.count(Severity::Error),
            warnings: outcome.count(Severity::Warning),
            infos: outcome.count(Severity::Info),
            suppressed: suppressed.len(),
        },
        findings: Findings {
            outcome,
            findings: &findings,
        },
        suppressed: SuppressedList(&suppressed),
    };
    super::serialize_pretty(&report, out)?;
    writeln!(out)
}

/// One finding as JSON (as the report writes it, without `baseline`).
#[must_use]
pub fn finding_json(finding: &Finding) -> Value {
    serde_json::to_value(FindingJson {
        finding,
        baseline: false,
        reason: None,
    })
    .unwrap_or(Value::Null)
}

/// The whole report, in the order its keys are written.
#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    summary: Summary,
    findings: Findings<'a>,
    suppressed: SuppressedList<'a>,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    suppressed: usize,
}

/// The reported findings, each marked when the baseline accepts it.
struct Findings<'a> {
    outcome: &'a Outcome,
    findings: &'a [&'a Finding],
}

impl Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let check_baseline = !self.outcome.baseline.is_empty();
        let mut seq = serializer.serialize_seq(Some(self.findings.len()))?;
        for finding in self.findings {
            seq.serialize_element(&FindingJson {
                finding,
                baseline: check_baseline && self.outcome.is_baseline(finding),
                reason: None,
            })?;
        }
        seq.end()
    }
}

/// The suppressed findings, each with its reason.
struct SuppressedList<'a>(&'a [&'a Suppressed]);

impl Serialize for SuppressedList<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for suppressed in self.0 {
            seq.serialize_element(&FindingJson {
                finding: &suppressed.finding,
                baseline: false,
                reason: Some(&suppressed.reason),
            })?;
        }
        seq.end()
    }
}

/// One finding: rule, severity, message, help, its place, environment, `unlocated`
/// when set, related places, then `baseline` or `reason` when given.
struct FindingJson<'a> {
    finding: &'a Finding,
    baseline: bool,
    reason: Option<&'a str>,
}

impl Serialize for FindingJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let finding = self.finding;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("rule", &finding.rule)?;
        map.serialize_entry("severity", finding.severity.as_str())?;
        map.serialize_entry("message", &finding.message)?;
        map.serialize_entry("help", &finding.help)?;
        location_entries(&mut map, &finding.location)?;
        map.serialize_entry("environment", &finding.environment)?;
        if finding.unlocated {
            map.serialize_entry("unlocated", &true)?;
        }
        map.serialize_entry("related", &RelatedList(finding))?;
        if self.baseline {
            map.serialize_entry("baseline", &true)?;
        }
        if let Some(reason) = self.reason {
            map.serialize_entry("reason", reason)?;
        }
        map.end()
    }
}

/// A finding's related places, each with its message last.
struct RelatedList<'a>(&'a Finding);

impl Serialize for RelatedList<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.related.len()))?;
        for related in &self.0.related {
            seq.serialize_element(&RelatedJson(related))?;
        }
        seq.end()
    }
}

struct RelatedJson<'a>(&'a crate::finding::Related);

impl Serialize for RelatedJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        location_entries(&mut map, &self.0.location)?;
        map.serialize_entry("message", &self.0.message)?;
        map.end()
    }
}

/// `file`, `line`, `column`, `end_line`, `end_column` and `pointer` of a place.
fn location_entries<M: SerializeMap>(map: &mut M, location: &Location) -> Result<(), M::Error> {
    map.serialize_entry("file", &location.source.display)?;
    map.serialize_entry("line", &location.span.start.line)?;
    map.serialize_entry("column", &location.span.start.column)?;
    map.serialize_entry("end_line", &location.span.end.line)?;
    map.serialize_entry("end_column", &location.span.end.column)?;
    map.serialize_entry("pointer", &location.pointer)
}

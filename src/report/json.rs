//! The JSON report: `{"version":1,"summary":{...},"findings":[...]}`.
//!
//! Stable, documented field names; `file` is relative to the current directory;
//! findings in report order. `related` lists secondary places (e.g. the first
//! definition of a duplicate).
//!
//! The report is streamed: the findings are written by hand ([`super::pretty`]),
//! exactly as `serde_json` would pretty-print them, in chunks rendered on every core
//! ([`super::chunked`]), so writing 100,000 findings needs memory for a few hundred
//! findings' bytes, not for the document.

use super::pretty::{Escaped, Pretty};
use crate::check::Outcome;
use crate::finding::{Finding, Location, Severity};
use serde_json::Value;
use std::io::{self, Write};

/// Write the JSON report followed by a newline.
///
/// # Errors
/// Any error of the writer.
pub fn write(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let findings = outcome.findings();
    let suppressed = outcome.suppressed();
    let check_baseline = !outcome.baseline.is_empty();
    let mut head = Vec::new();
    let mut p = Pretty::at(&mut head, 0, true);
    p.open_object();
    p.key("version");
    p.number(1);
    p.key("summary");
    p.open_object();
    for (key, count) in [
        ("files", outcome.file_count()),
        ("errors", outcome.count(Severity::Error)),
        ("warnings", outcome.count(Severity::Warning)),
        ("infos", outcome.count(Severity::Info)),
        ("suppressed", suppressed.len()),
    ] {
        p.key(key);
        p.number(count as u64);
    }
    p.close_object();
    p.key("findings");
    p.open_array();
    out.write_all(&head)?;
    // The findings, rendered on every core; each one is an item of the array, two
    // levels deep.
    super::chunked::write_in_order(&findings, out, |index, chunk, buffer| {
        let mut p = Pretty::at(buffer, 2, index == 0);
        let mut shared = SharedTexts::default();
        for finding in chunk {
            p.item();
            let baseline = check_baseline && outcome.is_baseline(finding);
            write_finding(&mut p, &mut shared, finding, baseline, None);
        }
    })?;
    let mut tail = Vec::new();
    let mut p = Pretty::at(&mut tail, 2, findings.is_empty());
    p.close_array();
    p.key("suppressed");
    p.open_array();
    let mut shared = SharedTexts::default();
    for suppressed in &suppressed {
        p.item();
        write_finding(
            &mut p,
            &mut shared,
            &suppressed.finding,
            false,
            Some(&suppressed.reason),
        );
    }
    p.close_array();
    p.close_object();
    tail.push(b'\n');
    out.write_all(&tail)
}

/// The escaped texts last written for the fields findings in a row usually share.
#[derive(Default)]
struct SharedTexts {
    rule: Escaped,
    help: Escaped,
    file: Escaped,
    environment: Escaped,
}

/// One finding: rule, severity, message, help, its place, environment, `unlocated`
/// when set, related places, then `baseline` or `reason` when given.
fn write_finding(
    p: &mut Pretty<'_>,
    shared: &mut SharedTexts,
    finding: &Finding,
    baseline: bool,
    reason: Option<&str>,
) {
    p.open_object();
    p.key("rule");
    p.shared(&finding.rule, &mut shared.rule);
    p.key("severity");
    p.plain(finding.severity.as_str());
    p.key("message");
    p.string(&finding.message);
    p.key("help");
    p.shared(&finding.help, &mut shared.help);
    write_location(p, &finding.location, &mut shared.file);
    p.key("environment");
    match &finding.environment {
        Some(environment) => p.shared(environment, &mut shared.environment),
        None => p.null(),
    }
    if finding.unlocated {
        p.key("unlocated");
        p.boolean(true);
    }
    p.key("related");
    p.open_array();
    for related in &finding.related {
        p.item();
        p.open_object();
        write_location(p, &related.location, &mut shared.file);
        p.key("message");
        p.string(&related.message);
        p.close_object();
    }
    p.close_array();
    if baseline {
        p.key("baseline");
        p.boolean(true);
    }
    if let Some(reason) = reason {
        p.key("reason");
        p.string(reason);
    }
    p.close_object();
}

/// `file`, `line`, `column`, `end_line`, `end_column` and `pointer` of a place.
fn write_location(p: &mut Pretty<'_>, location: &Location, file: &mut Escaped) {
    p.key("file");
    p.shared(&location.source.display, file);
    for (key, number) in [
        ("line", location.span.start.line),
        ("column", location.span.start.column),
        ("end_line", location.span.end.line),
        ("end_column", location.span.end.column),
    ] {
        p.key(key);
        p.number(u64::from(number));
    }
    p.key("pointer");
    p.string(&location.pointer);
}

/// One finding as JSON (as the report writes it, without `baseline`).
#[must_use]
pub fn finding_json(finding: &Finding) -> Value {
    let mut bytes = Vec::new();
    write_finding(
        &mut Pretty::at(&mut bytes, 0, true),
        &mut SharedTexts::default(),
        finding,
        false,
        None,
    );
    serde_json::from_slice(&bytes).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    //! The report as `serde_json` writes it from these types, which is what the
    //! report was before it was written by hand: the hand-written one must not
    //! differ from it by a byte.

    use super::*;
    use crate::suppress::Suppressed;
    use serde::ser::{SerializeMap, SerializeSeq};
    use serde::{Serialize, Serializer};

    /// The report, written by `serde_json`.
    pub(crate) fn by_serde(outcome: &Outcome) -> Vec<u8> {
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
        let mut out = serde_json::to_vec_pretty(&report).unwrap();
        out.push(b'\n');
        out
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

    #[test]
    fn the_report_is_what_serde_json_writes() {
        for outcome in crate::report::testing::outcomes() {
            let mut out = Vec::new();
            write(&outcome, &mut out).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(by_serde(&outcome)).unwrap()
            );
        }
    }

    #[test]
    fn one_finding_as_a_value_is_what_serde_json_makes_of_it() {
        for outcome in crate::report::testing::outcomes() {
            for finding in outcome.findings() {
                let value = serde_json::to_value(FindingJson {
                    finding,
                    baseline: false,
                    reason: None,
                })
                .unwrap();
                assert_eq!(finding_json(finding), value);
            }
        }
    }
}

//! SARIF 2.1.0 for code scanning: one run, the tool driver with every rule, one
//! result per finding with its region and a stable fingerprint.

use crate::check::Outcome;
use crate::finding::{Finding, Severity};
use crate::rules::RuleInfo;
use serde_json::{json, Value};
use std::io::{self, Write};

/// The SARIF schema URI written in reports.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Write the SARIF log.
///
/// # Errors
/// Any error of the writer.
pub fn write(outcome: &Outcome, rules: &[RuleInfo], out: &mut dyn Write) -> io::Result<()> {
    let findings = outcome.findings();
    let used: Vec<&RuleInfo> = rules
        .iter()
        .filter(|r| findings.iter().any(|f| f.rule == r.id))
        .chain(
            rules
                .iter()
                .filter(|r| !findings.iter().any(|f| f.rule == r.id)),
        )
        .collect();
    let index_of = |id: &str| used.iter().position(|r| r.id == id);
    let results: Vec<Value> = findings
        .iter()
        .map(|f| result(f, index_of(&f.rule), outcome))
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "gwlint",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": used.iter().map(|r| rule(r)).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// SARIF level of a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule(info: &RuleInfo) -> Value {
    json!({
        "id": info.id,
        "name": rule_name(&info.id),
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": first_paragraph(&info.description)},
        "help": {"text": info.help, "markdown": format!("{}\n\n{}", info.description.trim_end(), info.help)},
        "defaultConfiguration": {"level": level(info.severity)},
    })
}

/// `policy/route-needs-auth` → `RouteNeedsAuth` (SARIF names are identifiers).
fn rule_name(id: &str) -> String {
    id.split(['/', '-', '.', '_'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut chars = p.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn first_paragraph(text: &str) -> String {
    let paragraph: Vec<&str> = text
        .lines()
        .skip_while(|l| l.trim().is_empty() || l.starts_with('#'))
        .take_while(|l| !l.trim().is_empty())
        .collect();
    if paragraph.is_empty() {
        text.trim().to_owned()
    } else {
        paragraph.join(" ")
    }
}

fn result(finding: &Finding, rule_index: Option<usize>, outcome: &Outcome) -> Value {
    let mut value = json!({
        "ruleId": finding.rule,
        "level": level(finding.severity),
        "message": {"text": finding.message},
        "locations": [location(finding)],
        "partialFingerprints": {"gwlint/v1": crate::baseline::fingerprint(finding)},
    });
    if let Some(index) = rule_index {
        value["ruleIndex"] = json!(index);
    }
    if !finding.related.is_empty() {
        value["relatedLocations"] = Value::Array(
            finding
                .related
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut place = physical(&r.location.source.display, r.location.span);
                    place["id"] = json!(i);
                    place["message"] = json!({"text": r.message});
                    place
                })
                .collect(),
        );
    }
    if outcome.is_baseline(finding) {
        value["baselineState"] = json!("unchanged");
    }
    value
}

fn location(finding: &Finding) -> Value {
    let mut place = physical(finding.file(), finding.location.span);
    if !finding.location.pointer.is_empty() {
        place["logicalLocations"] =
            json!([{"fullyQualifiedName": finding.location.pointer, "kind": "object"}]);
    }
    place
}

fn physical(file: &str, span: crate::source::Span) -> Value {
    let end_column = if span.end == span.start {
        span.start.column + 1
    } else {
        span.end.column
    };
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": file, "uriBaseId": "%SRCROOT%"},
            "region": {
                "startLine": span.start.line,
                "startColumn": span.start.column,
                "endLine": span.end.line.max(span.start.line),
                "endColumn": end_column.max(1),
            }
        }
    })
}

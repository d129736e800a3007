//! The JSON report: `{"version":1,"summary":{...},"findings":[...]}`.
//!
//! Stable, documented field names; `file` is relative to the current directory;
//! findings in report order. `related` lists secondary places (e.g. the first
//! definition of a duplicate).

use crate::check::Outcome;
use crate::finding::{Finding, Location, Severity};
use serde_json::{json, Value};
use std::io::{self, Write};

/// Write the JSON report followed by a newline.
///
/// # Errors
/// Any error of the writer.
pub fn write(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    let report = json!({
        "version": 1,
        "summary": {
            "files": outcome.file_count(),
            "errors": outcome.count(Severity::Error),
            "warnings": outcome.count(Severity::Warning),
            "infos": outcome.count(Severity::Info),
            "suppressed": outcome.suppressed().len(),
        },
        "findings": outcome.findings().into_iter().map(|f| {
            let mut value = finding_json(f);
            if outcome.is_baseline(f) {
                value["baseline"] = json!(true);
            }
            value
        }).collect::<Vec<_>>(),
        "suppressed": outcome.suppressed().into_iter().map(|s| {
            let mut value = finding_json(&s.finding);
            if let Value::Object(map) = &mut value {
                map.insert("reason".into(), json!(s.reason));
            }
            value
        }).collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}

/// One finding as JSON.
#[must_use]
pub fn finding_json(finding: &Finding) -> Value {
    let mut value = location_json(&finding.location);
    if let Value::Object(map) = &mut value {
        let mut ordered = serde_json::Map::new();
        ordered.insert("rule".into(), json!(finding.rule));
        ordered.insert("severity".into(), json!(finding.severity.as_str()));
        ordered.insert("message".into(), json!(finding.message));
        ordered.insert("help".into(), json!(finding.help));
        ordered.append(map);
        ordered.insert("environment".into(), json!(finding.environment));
        if finding.unlocated {
            ordered.insert("unlocated".into(), json!(true));
        }
        ordered.insert(
            "related".into(),
            Value::Array(
                finding
                    .related
                    .iter()
                    .map(|r| {
                        let mut place = location_json(&r.location);
                        if let Value::Object(m) = &mut place {
                            m.insert("message".into(), json!(r.message));
                        }
                        place
                    })
                    .collect(),
            ),
        );
        return Value::Object(ordered);
    }
    value
}

fn location_json(location: &Location) -> Value {
    json!({
        "file": location.source.display,
        "line": location.span.start.line,
        "column": location.span.start.column,
        "end_line": location.span.end.line,
        "end_column": location.span.end.column,
        "pointer": location.pointer,
    })
}

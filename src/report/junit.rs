//! `JUnit` XML: one `testsuite` per environment, one `testcase` per file, a `failure`
//! per error finding (warnings and infos go to the case's `system-out`).

use super::printable;
use crate::check::Outcome;
use crate::finding::{Finding, Severity};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Write the `JUnit` report.
///
/// # Errors
/// Any error of the writer.
pub fn write(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    let failures_total: usize = outcome.count(Severity::Error);
    writeln!(
        out,
        r#"<testsuites name="gwlint" tests="{}" failures="{failures_total}">"#,
        outcome.file_count()
    )?;
    for env in &outcome.environments {
        let mut by_file: BTreeMap<&str, Vec<&Finding>> = env
            .model
            .files
            .iter()
            .map(|f| (f.as_str(), Vec::new()))
            .collect();
        for finding in &env.findings {
            by_file.entry(finding.file()).or_default().push(finding);
        }
        let failures = env
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{failures}" errors="0" skipped="0">"#,
            xml(&env.name),
            by_file.len()
        )?;
        for (file, findings) in by_file {
            write_case(out, &env.name, file, &findings)?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

fn write_case(out: &mut dyn Write, env: &str, file: &str, findings: &[&Finding]) -> io::Result<()> {
    write!(
        out,
        r#"    <testcase classname="{}" name="{}" file="{}""#,
        xml(env),
        xml(file),
        xml(file)
    )?;
    if findings.is_empty() {
        return writeln!(out, "/>");
    }
    writeln!(out, ">")?;
    for finding in findings.iter().filter(|f| f.severity == Severity::Error) {
        writeln!(
            out,
            r#"      <failure message="{}" type="{}">{}</failure>"#,
            xml(&finding.message),
            xml(&finding.rule),
            xml(&describe(finding))
        )?;
    }
    let others: Vec<String> = findings
        .iter()
        .filter(|f| f.severity != Severity::Error)
        .map(|f| describe(f))
        .collect();
    if !others.is_empty() {
        writeln!(
            out,
            "      <system-out>{}</system-out>",
            xml(&others.join("\n"))
        )?;
    }
    writeln!(out, "    </testcase>")
}

fn describe(finding: &Finding) -> String {
    let start = finding.location.span.start;
    format!(
        "{}:{}:{}: {} [{}] {}\nhelp: {}",
        finding.file(),
        start.line,
        start.column,
        finding.severity,
        finding.rule,
        finding.message,
        finding.help
    )
}

/// Escape text for XML attributes and content. Characters XML 1.0 forbids, and those
/// unsafe to show in a CI log, are written as escapes such as `\u{1b}` ([`printable`]).
#[must_use]
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in printable(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\u{fffe}' | '\u{ffff}' => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_xml() {
        assert_eq!(
            xml("a<b>&\"c'\u{1}\u{ffff}\r\n"),
            "a&lt;b&gt;&amp;&quot;c&apos;\\u{1}\\u{ffff}\\u{d}&#10;"
        );
    }
}

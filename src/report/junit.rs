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
    write_head(outcome, out)?;
    for env in &outcome.environments {
        let (by_file, failures) = cases_of(env);
        write_suite_head(out, &env.name, by_file.len(), failures)?;
        // The cases, rendered on every core, written in order; a chunk holds about as
        // many findings as the other formats' chunks.
        let cases: Vec<(&str, Vec<&Finding>)> = by_file.into_iter().collect();
        let per_case = env.findings.len().div_ceil(cases.len().max(1)).max(1);
        let per_chunk = super::chunked::CHUNK / per_case;
        super::chunked::write_in_chunks(&cases, per_chunk, out, |_, chunk, buffer| {
            for (file, findings) in chunk {
                // Writing to a Vec cannot fail.
                let _ = write_case(buffer, &env.name, file, findings);
            }
        })?;
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

/// The XML declaration and the opening `testsuites` element.
fn write_head(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="gwlint" tests="{}" failures="{}">"#,
        outcome.file_count(),
        outcome.count(Severity::Error)
    )
}

/// The opening `testsuite` element of an environment.
fn write_suite_head(
    out: &mut dyn Write,
    env: &str,
    cases: usize,
    failures: usize,
) -> io::Result<()> {
    writeln!(
        out,
        r#"  <testsuite name="{}" tests="{cases}" failures="{failures}" errors="0" skipped="0">"#,
        xml(env)
    )
}

/// An environment's test cases: every file checked, with its findings (none for a
/// clean file), by name; and how many of its findings are errors.
fn cases_of(env: &crate::check::EnvironmentReport) -> (BTreeMap<&str, Vec<&Finding>>, usize) {
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
    (by_file, failures)
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
        out.write_all(br#"      <failure message=""#)?;
        write_xml(out, &finding.message)?;
        out.write_all(br#"" type=""#)?;
        write_xml(out, &finding.rule)?;
        out.write_all(br#"">"#)?;
        write_description(out, finding)?;
        out.write_all(b"</failure>\n")?;
    }
    let mut others = findings.iter().filter(|f| f.severity != Severity::Error);
    if let Some(first) = others.next() {
        // One line per finding, escaped as one text: the line breaks become `&#10;`.
        out.write_all(b"      <system-out>")?;
        write_description(out, first)?;
        for finding in others {
            out.write_all(b"&#10;")?;
            write_description(out, finding)?;
        }
        out.write_all(b"</system-out>\n")?;
    }
    writeln!(out, "    </testcase>")
}

/// `file:line:column: severity [rule] message`, a line break and `help: ...`, escaped
/// as [`xml`] escapes it.
fn write_description(out: &mut dyn Write, finding: &Finding) -> io::Result<()> {
    let start = finding.location.span.start;
    write_xml(out, finding.file())?;
    write!(
        out,
        ":{}:{}: {} [",
        start.line, start.column, finding.severity
    )?;
    write_xml(out, &finding.rule)?;
    out.write_all(b"] ")?;
    write_xml(out, &finding.message)?;
    out.write_all(b"&#10;help: ")?;
    write_xml(out, &finding.help)
}

/// Escape text for XML attributes and content. Characters XML 1.0 forbids, and those
/// unsafe to show in a CI log, are written as escapes such as `\u{1b}` ([`printable`]).
#[must_use]
pub fn xml(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    // Writing to a Vec cannot fail, and escaping keeps UTF-8 text UTF-8.
    let _ = write_xml(&mut out, text);
    String::from_utf8_lossy(&out).into_owned()
}

/// Write `text` escaped as [`xml`] escapes it. Each character is escaped on its own,
/// so texts escaped one after the other read as their concatenation escaped.
fn write_xml(out: &mut dyn Write, text: &str) -> io::Result<()> {
    let text = printable(text);
    let bytes = text.as_bytes();
    let mut written = 0;
    // Byte by byte: every character escaped is ASCII but U+FFFE and U+FFFF, whose
    // UTF-8 starts with 0xEF (no other character's bytes hold these sequences).
    for (index, byte) in bytes.iter().enumerate() {
        let (escaped, length) = match byte {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            b'\'' => ("&apos;", 1),
            b'\n' => ("&#10;", 1),
            0xef => match bytes.get(index + 1..index + 3) {
                Some([0xbf, 0xbe]) => ("\\u{fffe}", 3),
                Some([0xbf, 0xbf]) => ("\\u{ffff}", 3),
                _ => continue,
            },
            _ => continue,
        };
        out.write_all(&bytes[written..index])?;
        out.write_all(escaped.as_bytes())?;
        written = index + length;
    }
    out.write_all(&bytes[written..])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The report as written one case after the other, on one thread.
    fn sequential(outcome: &Outcome) -> String {
        let mut out = Vec::new();
        write_head(outcome, &mut out).unwrap();
        for env in &outcome.environments {
            let (by_file, failures) = cases_of(env);
            write_suite_head(&mut out, &env.name, by_file.len(), failures).unwrap();
            for (file, findings) in by_file {
                write_case(&mut out, &env.name, file, &findings).unwrap();
            }
            writeln!(out, "  </testsuite>").unwrap();
        }
        writeln!(out, "</testsuites>").unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn cases_rendered_apart_read_as_written_one_after_the_other() {
        for outcome in crate::report::testing::outcomes() {
            let mut out = Vec::new();
            write(&outcome, &mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), sequential(&outcome));
        }
    }

    #[test]
    fn escapes_xml() {
        assert_eq!(
            xml("a<b>&\"c'\u{1}\u{ffff}\r\n"),
            "a&lt;b&gt;&amp;&quot;c&apos;\\u{1}\\u{ffff}\\u{d}&#10;"
        );
        assert_eq!(
            xml("\u{fffe}x\u{fffd}\u{effe}\u{ffff}"),
            "\\u{fffe}x\u{fffd}\u{effe}\\u{ffff}"
        );
    }
}

//! GitHub Actions workflow commands (`::error file=...::message`) and, when
//! `GITHUB_STEP_SUMMARY` is set, a Markdown summary table for the job.

use super::{printable, printable_name};
use crate::check::Outcome;
use crate::finding::{Finding, Severity};
use std::io::{self, Write};

/// Write one annotation per finding.
///
/// # Errors
/// Any error of the writer.
pub fn write(outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    // Rendered on every core, in chunks, written in order.
    super::chunked::write_in_order(&outcome.findings(), out, |_, chunk, buffer| {
        for finding in chunk {
            // Writing to a Vec cannot fail.
            let _ = write_annotation(finding, buffer);
            buffer.push(b'\n');
        }
    })
}

/// One workflow command.
#[must_use]
pub fn annotation(finding: &Finding) -> String {
    let mut line = Vec::new();
    // Writing to a Vec cannot fail, and the annotation is made of UTF-8 text.
    let _ = write_annotation(finding, &mut line);
    String::from_utf8_lossy(&line).into_owned()
}

/// Write one workflow command, without a line break.
fn write_annotation(finding: &Finding, out: &mut dyn Write) -> io::Result<()> {
    let command = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let span = finding.location.span;
    // The file name, the message and the help are made printable (a name with a
    // control character could not be annotated anyway), then escaped as GitHub requires.
    write!(out, "::{command} file=")?;
    write_escaped(out, &printable_name(finding.file()), true)?;
    write!(
        out,
        ",line={},col={},endLine={},endColumn={},title=",
        span.start.line,
        span.start.column,
        span.end.line.max(span.start.line),
        span.end.column.max(span.start.column),
    )?;
    write_escaped(out, &finding.rule, true)?;
    out.write_all(b"::")?;
    write_escaped(out, &printable(&finding.message), false)?;
    out.write_all(b" (help: ")?;
    write_escaped(out, &printable(&finding.help), false)?;
    out.write_all(b")")
}

/// Write `text` escaped as data (`%`, CR and LF), or as a property value (also `:`
/// and `,`).
fn write_escaped(out: &mut dyn Write, text: &str, property: bool) -> io::Result<()> {
    let escape = |b: u8| match b {
        b'%' => Some("%25"),
        b'\r' => Some("%0D"),
        b'\n' => Some("%0A"),
        b':' if property => Some("%3A"),
        b',' if property => Some("%2C"),
        _ => None,
    };
    let bytes = text.as_bytes();
    let mut written = 0;
    for (index, byte) in bytes.iter().enumerate() {
        if let Some(escaped) = escape(*byte) {
            out.write_all(&bytes[written..index])?;
            out.write_all(escaped.as_bytes())?;
            written = index + 1;
        }
    }
    out.write_all(&bytes[written..])
}

/// Escape a message: `%`, CR and LF.
#[must_use]
pub fn escape_data(text: &str) -> String {
    escaped(text, false)
}

/// Escape a property value: as data, plus `:` and `,`.
#[must_use]
pub fn escape_property(text: &str) -> String {
    escaped(text, true)
}

fn escaped(text: &str, property: bool) -> String {
    let mut out = Vec::with_capacity(text.len());
    // Writing to a Vec cannot fail, and escaping keeps UTF-8 text UTF-8.
    let _ = write_escaped(&mut out, text, property);
    String::from_utf8_lossy(&out).into_owned()
}

/// The job summary: counts and a table of findings (Markdown).
#[must_use]
pub fn summary_markdown(outcome: &Outcome) -> String {
    let mut text = format!(
        "## gwlint\n\n{} error(s), {} warning(s), {} info(s) in {} file(s)\n\n",
        outcome.count(Severity::Error),
        outcome.count(Severity::Warning),
        outcome.count(Severity::Info),
        outcome.file_count()
    );
    let findings = outcome.findings();
    if findings.is_empty() {
        text.push_str("No findings.\n");
        return text;
    }
    text.push_str("| severity | rule | location | message |\n|---|---|---|---|\n");
    for f in findings {
        text.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            f.severity,
            markdown_cell(&format!("`{}`", f.rule)),
            markdown_cell(&format!(
                "`{}:{}:{}`",
                printable_name(f.file()),
                f.location.span.start.line,
                f.location.span.start.column
            )),
            markdown_cell(&f.message)
        ));
    }
    text
}

/// Text for one cell of the summary table, shown as written. Messages quote the
/// configuration between backticks: those code spans stay (Markdown and HTML inside one
/// are shown as text); outside them, HTML, links, emphasis and the table's `|` are escaped.
/// Text with an odd number of backticks (a quoted value holding one) is escaped whole.
fn markdown_cell(text: &str) -> String {
    let text = printable(text);
    let spans_pair_up = text.matches('`').count().is_multiple_of(2);
    let mut cell = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' if spans_pair_up => {
                in_code = !in_code;
                cell.push(c);
            }
            '\n' => cell.push(' '),
            '|' => cell.push_str("\\|"),
            _ if in_code => cell.push(c),
            '&' => cell.push_str("&amp;"),
            '<' => cell.push_str("&lt;"),
            '>' => cell.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '!' | '#' => {
                cell.push('\\');
                cell.push(c);
            }
            _ => cell.push(c),
        }
    }
    cell
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_annotation_a_line_in_report_order() {
        for outcome in crate::report::testing::outcomes() {
            let mut out = Vec::new();
            write(&outcome, &mut out).unwrap();
            let lines: String = outcome
                .findings()
                .iter()
                .map(|f| annotation(f) + "\n")
                .collect();
            assert_eq!(String::from_utf8(out).unwrap(), lines);
        }
    }

    #[test]
    fn escapes_as_github_requires() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn summary_cells_show_markdown_and_html_as_written() {
        assert_eq!(
            markdown_cell("route `[x](https://e.test)|` <b>*a*_ [y](z)\x1b\n"),
            "route `[x](https://e.test)\\|` &lt;b&gt;\\*a\\*\\_ \\[y\\](z)\\\\u{1b} "
        );
        assert_eq!(markdown_cell("odd ` [l](u)"), "odd \\` \\[l\\](u)");
    }
}

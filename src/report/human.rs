//! The human report: miette diagnostics with the source snippet and a label under
//! the exact node, then a summary line.
//!
//! Without colour (not a terminal, `--color never`, `NO_COLOR`) the output is plain
//! text that stays readable in CI logs.

use super::{printable, HumanStyle};
use crate::check::Outcome;
use crate::finding::{Finding, Severity};
use crate::source::Source;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;
use std::io::{self, Write};

/// Write every finding and, unless quiet, a summary line.
///
/// # Errors
/// Any error of the writer.
pub fn write(outcome: &Outcome, style: HumanStyle, out: &mut dyn Write) -> io::Result<()> {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        .without_syntax_highlighting();
    for finding in outcome.findings() {
        let mut rendered = String::new();
        let mut diagnostic = Rendered::new(finding);
        if outcome.is_baseline(finding) {
            diagnostic.heading.push_str(" (baseline)");
        }
        if handler.render_report(&mut rendered, &diagnostic).is_err() {
            rendered = plain(finding);
        }
        writeln!(out, "{}", rendered.trim_end())?;
        writeln!(out)?;
    }
    if !style.quiet {
        writeln!(out, "{}", summary(outcome))?;
    }
    Ok(())
}

/// `2 errors, 1 warning in 5 files (2 environments)`.
#[must_use]
pub fn summary(outcome: &Outcome) -> String {
    let count = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut parts = vec![
        count(outcome.count(Severity::Error), "error"),
        count(outcome.count(Severity::Warning), "warning"),
    ];
    let infos = outcome.count(Severity::Info);
    if infos > 0 {
        parts.push(count(infos, "info"));
    }
    let suppressed = outcome.suppressed().len();
    if suppressed > 0 {
        parts.push(format!("{suppressed} suppressed"));
    }
    let baseline = outcome
        .findings()
        .into_iter()
        .filter(|f| outcome.is_baseline(f))
        .count();
    if baseline > 0 {
        parts.push(format!("{baseline} in the baseline"));
    }
    format!(
        "{} in {} ({})",
        parts.join(", "),
        count(outcome.file_count(), "file"),
        count(outcome.environments.len(), "environment")
    )
}

/// A one-line rendering, used if the graphical one fails.
fn plain(finding: &Finding) -> String {
    let start = finding.location.span.start;
    format!(
        "{}:{}:{}: {} [{}] {}",
        printable(finding.file()),
        start.line,
        start.column,
        finding.severity,
        printable(&finding.rule),
        printable(&finding.message)
    )
}

/// The longest line a snippet shows. A finding on a longer line (minified JSON, a
/// generated file), or next to one, is shown by its position only: miette cannot
/// pad a label past column 65,535, and no terminal shows such a line usefully.
const LONGEST_SHOWN_LINE: usize = 4096;

/// A finding as a miette diagnostic over its file's text.
struct Rendered<'a> {
    finding: &'a Finding,
    text: FileText,
    heading: String,
    related: Vec<Rendered<'a>>,
    /// Whether the snippet is shown (every labelled line and its neighbours fit).
    snippet: bool,
}

impl<'a> Rendered<'a> {
    fn new(finding: &'a Finding) -> Self {
        let start = finding.location.span.start;
        let place = if finding.unlocated {
            " (unlocated)"
        } else {
            ""
        };
        let heading = format!(
            "{} ({}:{}:{}){place}",
            printable(&finding.message),
            printable(finding.file()),
            start.line,
            start.column
        );
        let related = finding
            .related
            .iter()
            .filter(|r| !std::sync::Arc::ptr_eq(&r.location.source, &finding.location.source))
            .map(|r| {
                Rendered {
                    finding,
                    text: FileText(r.location.source.clone()),
                    heading: format!(
                        "{} ({}:{}:{})",
                        printable(&r.message),
                        printable(&r.location.source.display),
                        r.location.span.start.line,
                        r.location.span.start.column
                    ),
                    related: Vec::new(),
                    snippet: true,
                }
                .fitted()
            })
            .collect();
        Rendered {
            finding,
            text: FileText(finding.location.source.clone()),
            heading,
            related,
            snippet: true,
        }
        .fitted()
    }

    /// The same diagnostic, without its snippet when a line it would show is longer
    /// than [`LONGEST_SHOWN_LINE`].
    fn fitted(mut self) -> Self {
        let source = &self.text.0;
        let fits = self.labelled().all(|(_, span)| {
            (span.start.line.saturating_sub(1)..=span.end.line.saturating_add(1))
                .all(|line| line == 0 || source.line_text(line).len() <= LONGEST_SHOWN_LINE)
        });
        if !fits {
            self.snippet = false;
            self.heading.push_str(" (the line is too long to show)");
        }
        self
    }

    /// What this diagnostic labels in its file: the finding itself (no message: it is
    /// the primary label), when this is the finding's file, then its related places in
    /// the same file with their messages.
    fn labelled(&self) -> impl Iterator<Item = (Option<&str>, crate::source::Span)> + '_ {
        let source = &self.text.0;
        let own = self
            .is_primary()
            .then_some((None, self.finding.location.span));
        own.into_iter().chain(
            self.finding
                .related
                .iter()
                .filter(move |r| std::sync::Arc::ptr_eq(&r.location.source, source))
                .map(|r| (Some(r.message.as_str()), r.location.span)),
        )
    }

    fn is_primary(&self) -> bool {
        std::sync::Arc::ptr_eq(&self.text.0, &self.finding.location.source)
    }
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.heading)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.heading)
    }
}

impl std::error::Error for Rendered<'_> {}

impl Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.is_primary()
            .then(|| Box::new(printable(&self.finding.rule)) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        if !self.is_primary() {
            return Some(miette::Severity::Advice);
        }
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        (self.is_primary() && !self.finding.help.is_empty())
            .then(|| Box::new(printable(&self.finding.help)) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        (self.snippet && !self.text.0.text.is_empty()).then_some(&self.text as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if !self.snippet || self.text.0.text.is_empty() {
            return None;
        }
        let source = &self.text.0;
        let labels = self.labelled().map(|(message, span)| {
            let span = span_of(source.byte_range(span));
            match message {
                None => LabeledSpan::new_primary_with_span(Some("here".into()), span),
                Some(message) => {
                    LabeledSpan::new_with_span(Some(printable(message).into_owned()), span)
                }
            }
        });
        Some(Box::new(labels))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

fn span_of(range: std::ops::Range<usize>) -> SourceSpan {
    SourceSpan::new(range.start.into(), range.end - range.start)
}

/// A file's text as miette source code, named by its display path.
struct FileText(Source);

impl SourceCode for FileText {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner =
            self.0
                .shown_text()
                .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            printable(&self.0.display).into_owned(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

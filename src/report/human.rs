//! The human report: miette diagnostics with the source snippet and a label under
//! the exact node, then a summary line.
//!
//! Made to stay readable on large trees: info findings are counted in the summary
//! line but not shown unless asked for, and once one rule (at one severity) has shown
//! [`HumanStyle::max_per_rule`] findings its others are counted in one line instead.
//! Findings left out are never rendered, so a report of 100,000 findings costs about
//! what one of a few dozen does. The exit code and every count still include them, and
//! the other formats write every finding.
//!
//! Without colour (not a terminal, `--color never`, `NO_COLOR`) the output is plain
//! text that stays readable in CI logs.

use super::{printable, printable_name, HumanStyle};
use crate::check::Outcome;
use crate::finding::{Finding, Severity};
use crate::rules::RuleInfo;
use crate::source::Source;
use foldhash::HashMap;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};

/// Write the findings the style shows, a line for each rule whose findings were cut
/// short, the statistics when asked for, and, unless quiet, a summary line.
///
/// # Errors
/// Any error of the writer.
pub fn write(
    outcome: &Outcome,
    style: HumanStyle,
    rules: &[RuleInfo],
    out: &mut dyn Write,
) -> io::Result<()> {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        .without_syntax_highlighting();
    let findings = outcome.findings();
    let in_baseline: Vec<bool> = if outcome.baseline.is_empty() {
        vec![false; findings.len()]
    } else {
        findings.iter().map(|f| outcome.is_baseline(f)).collect()
    };
    let selection = select(&findings, &in_baseline, style);
    for (finding, baseline) in findings
        .iter()
        .zip(&in_baseline)
        .zip(&selection.shown)
        .filter_map(|(pair, shown)| shown.then_some(pair))
    {
        let mut rendered = String::new();
        let mut diagnostic = Rendered::new(finding);
        if *baseline {
            diagnostic.heading.push_str(" (baseline)");
        }
        if handler.render_report(&mut rendered, &diagnostic).is_err() {
            rendered = plain(finding);
        }
        writeln!(out, "{}", rendered.trim_end())?;
        writeln!(out)?;
    }
    if !selection.left_out.is_empty() {
        for ((severity, rule), count) in &selection.left_out {
            writeln!(
                out,
                "… and {} more {} finding{} ({}) not shown; --max-per-rule 0 shows all",
                thousands(*count),
                printable(rule),
                if *count == 1 { "" } else { "s" },
                severity.0
            )?;
        }
        writeln!(out)?;
    }
    if style.statistics {
        write_statistics(&findings, rules, out)?;
        writeln!(out)?;
    }
    if !style.quiet {
        writeln!(out, "{}", summary(outcome, style.least_shown))?;
    }
    Ok(())
}

/// Which findings the report shows, and how many of each rule it leaves out.
struct Selection<'a> {
    /// Per finding (in report order), whether it is shown.
    shown: Vec<bool>,
    /// Findings left out by the per-rule limit, by severity (errors first) and rule.
    left_out: BTreeMap<(Reverse<Severity>, &'a str), usize>,
}

/// Pick the findings to show: infos only when asked for, and at most
/// `max_per_rule` of each rule and severity, the first in report order. Findings that
/// are not in the baseline are picked first, so that a new finding is not hidden
/// behind accepted ones of the same rule.
fn select<'a>(findings: &[&'a Finding], in_baseline: &[bool], style: HumanStyle) -> Selection<'a> {
    let wanted = |f: &Finding| f.severity >= style.least_shown;
    let mut shown = vec![false; findings.len()];
    let mut left_out = BTreeMap::new();
    if style.max_per_rule == 0 {
        for (shown, finding) in shown.iter_mut().zip(findings) {
            *shown = wanted(finding);
        }
        return Selection { shown, left_out };
    }
    let mut taken: HashMap<(&str, Severity), usize> = HashMap::default();
    for baseline_pass in [false, true] {
        for (index, finding) in findings.iter().enumerate() {
            if in_baseline[index] != baseline_pass || !wanted(finding) {
                continue;
            }
            let taken = taken
                .entry((finding.rule.as_str(), finding.severity))
                .or_default();
            if *taken < style.max_per_rule {
                *taken += 1;
                shown[index] = true;
            } else {
                *left_out
                    .entry((Reverse(finding.severity), finding.rule.as_str()))
                    .or_default() += 1;
            }
        }
    }
    Selection { shown, left_out }
}

/// The statistics: for each rule and severity, how many findings it reported (all of
/// them, shown or not, infos and accepted ones included), most first, with the rule's
/// title. Like `ruff --statistics` and `flake8 --statistics`.
///
/// # Errors
/// Any error of the writer.
pub fn write_statistics(
    findings: &[&Finding],
    rules: &[RuleInfo],
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut counts: HashMap<(&str, Severity), usize> = HashMap::default();
    for finding in findings {
        *counts
            .entry((finding.rule.as_str(), finding.severity))
            .or_default() += 1;
    }
    let mut rows: Vec<((&str, Severity), usize)> = counts.into_iter().collect();
    rows.sort_by(|((rule_a, severity_a), a), ((rule_b, severity_b), b)| {
        b.cmp(a)
            .then(rule_a.cmp(rule_b))
            .then(severity_b.cmp(severity_a))
    });
    let titles: HashMap<&str, &str> = rules
        .iter()
        .map(|r| (r.id.as_str(), r.title.as_str()))
        .collect();
    let rows: Vec<(String, std::borrow::Cow<'_, str>, Severity, &str)> = rows
        .into_iter()
        .map(|((rule, severity), count)| {
            let title = titles.get(rule).copied().unwrap_or("");
            (thousands(count), printable(rule), severity, title)
        })
        .collect();
    let count_width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let rule_width = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    for (count, rule, severity, title) in &rows {
        let line = format!(
            "{count:>count_width$}  {rule:rule_width$}  {:7}  {}",
            severity.as_str(),
            printable(title)
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// `2 errors, 1 warning in 5 files (2 environments)`; infos are counted with a hint to
/// show them when they are less severe than `least_shown`.
#[must_use]
pub fn summary(outcome: &Outcome, least_shown: Severity) -> String {
    let count =
        |n: usize, word: &str| format!("{} {word}{}", thousands(n), if n == 1 { "" } else { "s" });
    let mut parts = vec![
        count(outcome.count(Severity::Error), "error"),
        count(outcome.count(Severity::Warning), "warning"),
    ];
    let infos = outcome.count(Severity::Info);
    if infos > 0 {
        let mut part = count(infos, "info");
        if least_shown > Severity::Info {
            part.push_str(" (not shown; --show-info shows them)");
        }
        parts.push(part);
    }
    let suppressed = outcome.suppressed().len();
    if suppressed > 0 {
        parts.push(format!("{} suppressed", thousands(suppressed)));
    }
    let baseline = if outcome.baseline.is_empty() {
        0
    } else {
        outcome
            .findings()
            .into_iter()
            .filter(|f| outcome.is_baseline(f))
            .count()
    };
    if baseline > 0 {
        parts.push(format!("{} in the baseline", thousands(baseline)));
    }
    format!(
        "{} in {} ({})",
        parts.join(", "),
        count(outcome.file_count(), "file"),
        count(outcome.environments.len(), "environment")
    )
}

/// A count with a comma between groups of three digits: `102,030`.
#[must_use]
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// A one-line rendering, used if the graphical one fails.
fn plain(finding: &Finding) -> String {
    let start = finding.location.span.start;
    format!(
        "{}:{}:{}: {} [{}] {}",
        printable_name(finding.file()),
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
            printable_name(finding.file()),
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
                        printable_name(&r.location.source.display),
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
            printable_name(&self.0.display).into_owned(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(99_980), "99,980");
        assert_eq!(thousands(102_030), "102,030");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}

//! Rendering findings.
//!
//! Owns every output format; each reporter reads findings and writes to a
//! `&mut dyn Write`, nothing else. Positions are already in the findings, so a
//! reporter never computes one.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use crate::check::Outcome;
use crate::rules::RuleInfo;
use std::borrow::Cow;
use std::io::{self, Write};

/// `text` (a message or help, which may quote the configuration) with each character
/// that [`crate::source::is_unsafe_to_show`], and carriage returns, written as an escape
/// such as `\u{1b}`, for the formats people read on a terminal or in a CI log. Line
/// breaks and tabs stay.
#[must_use]
pub fn printable(text: &str) -> Cow<'_, str> {
    let unsafe_to_show = |c: char| c == '\r' || crate::source::is_unsafe_to_show(c);
    if !text.chars().any(unsafe_to_show) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_to_show(c) {
            shown.extend(c.escape_unicode());
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Annotated source snippets for people (default).
    Human,
    /// Machine-readable JSON (`{"version":1,...}`).
    Json,
    /// SARIF 2.1.0 (GitHub code scanning and other SARIF consumers).
    Sarif,
    /// GitHub Actions annotations (workflow commands).
    Github,
    /// `JUnit` XML (one suite per environment, one case per file).
    Junit,
}

/// How the human format looks.
#[derive(Debug, Clone, Copy, Default)]
pub struct HumanStyle {
    /// Use colours.
    pub color: bool,
    /// Print only findings, no summary line.
    pub quiet: bool,
}

/// Write the outcome in a format; `rules` describes the rules (for SARIF).
///
/// # Errors
/// Any error of the writer.
pub fn write(
    outcome: &Outcome,
    format: OutputFormat,
    style: HumanStyle,
    rules: &[RuleInfo],
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        OutputFormat::Human => human::write(outcome, style, out),
        OutputFormat::Json => json::write(outcome, out),
        OutputFormat::Sarif => sarif::write(outcome, rules, out),
        OutputFormat::Github => github::write(outcome, out),
        OutputFormat::Junit => junit::write(outcome, out),
    }
}

//! Rendering findings.
//!
//! Owns every output format; each reporter reads findings and writes to a
//! `&mut dyn Write`, nothing else. Positions are already in the findings, so a
//! reporter never computes one.

pub mod chunked;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
mod pretty;
pub mod sarif;
#[cfg(test)]
mod testing;

use crate::check::Outcome;
use crate::finding::Severity;
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
    // Most texts are printable ASCII, tabs and line breaks: told apart a byte at a
    // time, without decoding characters (every report line passes here).
    if text.bytes().fold(true, |shown, b| shown & shown_as_is(b)) {
        return Cow::Borrowed(text);
    }
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

/// Whether an ASCII byte is a character [`printable`] keeps as it is (a byte of a
/// longer UTF-8 character is not).
fn shown_as_is(byte: u8) -> bool {
    matches!(byte, b' '..=b'~' | b'\n' | b'\t')
}

/// A file name as shown in a report: as [`printable`], and line breaks and tabs
/// escaped too (`\u{a}`), so a name cannot break a report's lines or a workflow
/// command.
#[must_use]
pub fn printable_name(name: &str) -> Cow<'_, str> {
    if !name.contains(['\n', '\t']) {
        return printable(name);
    }
    let mut shown = String::with_capacity(name.len() + 8);
    for c in name.chars() {
        if matches!(c, '\n' | '\t') {
            shown.extend(c.escape_unicode());
        } else {
            shown.push_str(&printable(c.encode_utf8(&mut [0; 4])));
        }
    }
    Cow::Owned(shown)
}

/// Write `value` as pretty JSON, streamed. The serializer writes each token on its own
/// (indentation, quotes, keys): it gets a buffer of its own type, whose writes are
/// inlined, and that buffer hands `out` large pieces (which a buffered `out` passes
/// on without copying them again).
///
/// # Errors
/// Any error of the writer.
pub fn serialize_pretty(value: &impl serde::Serialize, out: &mut dyn Write) -> io::Result<()> {
    let mut buffered = io::BufWriter::with_capacity(64 * 1024, out);
    value.serialize(&mut serde_json::Serializer::pretty(&mut buffered))?;
    buffered.flush()
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

/// How the human format looks. Only the human format reads these; the other formats
/// write every finding.
#[derive(Debug, Clone, Copy)]
pub struct HumanStyle {
    /// Use colours.
    pub color: bool,
    /// Print only findings (and the lines counting the ones not shown), no summary line.
    pub quiet: bool,
    /// The least severe findings shown: [`Severity::Warning`] by default (infos are
    /// only counted in the summary line), [`Severity::Info`] to show them too.
    pub least_shown: Severity,
    /// Show at most this many findings of one rule and severity; the rest are counted
    /// in one line. 0 shows every finding.
    pub max_per_rule: usize,
    /// After the findings, print how many findings each rule reported.
    pub statistics: bool,
}

/// How many findings of one rule and severity the human format shows by default.
pub const DEFAULT_MAX_PER_RULE: usize = 20;

impl Default for HumanStyle {
    /// The command line's defaults: no colour, a summary line, infos counted but not
    /// shown, at most [`DEFAULT_MAX_PER_RULE`] findings of a rule, no statistics.
    fn default() -> Self {
        HumanStyle {
            color: false,
            quiet: false,
            least_shown: Severity::Warning,
            max_per_rule: DEFAULT_MAX_PER_RULE,
            statistics: false,
        }
    }
}

/// Write the outcome in a format; `rules` describes the rules (for SARIF, and the
/// titles of the human format's statistics).
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
        OutputFormat::Human => human::write(outcome, style, rules, out),
        OutputFormat::Json => json::write(outcome, out),
        OutputFormat::Sarif => sarif::write(outcome, rules, out),
        OutputFormat::Github => github::write(outcome, out),
        OutputFormat::Junit => junit::write(outcome, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_keeps_what_is_safe_and_escapes_the_rest() {
        for text in ["", "plain ASCII ~ text\twith\nbreaks", "é 🦀 \u{fffe}"] {
            assert!(matches!(printable(text), Cow::Borrowed(t) if t == text));
        }
        assert_eq!(
            printable("a\rb\u{1b}c\u{7f}d\u{9f}\u{202e}e"),
            "a\\u{d}b\\u{1b}c\\u{7f}d\\u{9f}\\u{202e}e"
        );
        // Every character below U+0100, the fast way or not, as the character test says.
        for c in (0..=0xffu32).filter_map(char::from_u32) {
            let text = c.to_string();
            let escaped = c == '\r' || crate::source::is_unsafe_to_show(c);
            assert_eq!(printable(&text) != text.as_str(), escaped, "{c:?}");
        }
    }
}

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
use std::io::{self, Write};

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

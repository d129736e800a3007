//! From policy results to located findings.
//!
//! A result names an object by its model `origin` (file and pointer) and a field
//! below it; this module finds that node's span in the environment's documents,
//! falling back to the nearest existing ancestor. Results without a place are
//! reported at the environment's first file and flagged as unlocated.

use super::eval::{Batch, RuleResult};
use super::PolicyResult;
use crate::finding::{Finding, Location, Severity, Text};
use crate::load::document::escape_token;
use crate::model::Documents;
use crate::source::Source;
use rayon::prelude::*;

/// Turn rule results into findings.
#[must_use]
pub fn findings(results: Vec<RuleResult>, documents: &Documents<'_>) -> Vec<Finding> {
    let mut findings = Vec::with_capacity(results.len());
    locate_into(&mut findings, results, documents);
    findings
}

/// How many results a rayon task locates at least.
const PER_TASK: usize = 512;

/// Turn rule results into findings appended to `findings`, in order (no list of their
/// own to copy over: a run may have a hundred thousand of them). The results are
/// located on every core.
pub fn locate_into(
    findings: &mut Vec<Finding>,
    results: impl Into<Batch>,
    documents: &Documents<'_>,
) {
    let results = results.into();
    // Exactly: with amortized growth, a hundred thousand findings could be given room
    // for twice as many.
    findings.reserve_exact(results.len());
    match results {
        Batch::Rule {
            rule,
            severity,
            help,
            results,
        } => findings.par_extend(results.into_par_iter().with_min_len(PER_TASK).map_init(
            Places::default,
            |places, result| {
                let (location, located) = places.place(&result, documents);
                finding(
                    rule.clone(),
                    severity,
                    help.clone(),
                    result,
                    location,
                    located,
                    places,
                    documents,
                )
            },
        )),
        Batch::Mixed(results) => {
            findings.par_extend(results.into_par_iter().with_min_len(PER_TASK).map_init(
                Places::default,
                |places, r| {
                    let (location, located) = places.place(&r.result, documents);
                    finding(
                        r.rule, r.severity, r.help, r.result, location, located, places, documents,
                    )
                },
            ));
        }
    }
}

/// Turn one rule result into a finding.
#[must_use]
pub fn locate_result(r: RuleResult, documents: &Documents<'_>) -> Finding {
    let mut places = Places::default();
    let (location, located) = places.place(&r.result, documents);
    finding(
        r.rule,
        r.severity,
        r.help,
        r.result,
        location,
        located,
        &mut places,
        documents,
    )
}

/// The finding of a result at `location` (`located`: the result named it).
#[allow(clippy::too_many_arguments)]
fn finding(
    rule: Text,
    severity: Severity,
    help: Text,
    result: PolicyResult,
    location: Location,
    located: bool,
    places: &mut Places,
    documents: &Documents<'_>,
) -> Finding {
    // A finding lives until the report: its message at its exact size, not with the
    // room `format!` left (about 70 bytes of a typical one).
    let mut message = result.msg;
    crate::memory::fit_string(&mut message);
    let mut finding = Finding::new(rule, severity, message, help, location);
    finding.unlocated = !located;
    for related in result.related {
        let (where_, _) = places.place(&related, documents);
        finding = finding.with_related(related.msg, where_);
    }
    finding
}

/// Finds the places of results, remembering the last file looked up by name: the
/// results of a rule come file by file.
#[derive(Default)]
struct Places {
    last: Option<(String, Source)>,
}

impl Places {
    /// The location of a result, and whether it named one.
    fn place(&mut self, result: &PolicyResult, documents: &Documents<'_>) -> (Location, bool) {
        let found = result.at.as_ref().and_then(|(file, pointer)| {
            let source = self.source_named(file, documents)?;
            if result.field.is_empty() {
                return Some(documents.locate(&source, pointer));
            }
            let mut full = String::with_capacity(
                pointer.len() + result.field.iter().map(|t| t.len() + 1).sum::<usize>(),
            );
            full.push_str(pointer);
            for token in &result.field {
                full.push('/');
                full.push_str(&escape_token(token));
            }
            Some(documents.locate(&source, &full))
        });
        match found {
            Some(location) => (location, true),
            None => (documents.first_file_location(), false),
        }
    }

    fn source_named(&mut self, file: &str, documents: &Documents<'_>) -> Option<Source> {
        if let Some((name, source)) = &self.last {
            if name == file {
                return Some(source.clone());
            }
        }
        let source = documents.source_named(file)?;
        self.last = Some((file.to_owned(), source.clone()));
        Some(source)
    }
}

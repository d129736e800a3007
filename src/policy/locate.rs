//! From policy results to located findings.
//!
//! A result names an object by its model `origin` (file and pointer) and a field
//! below it; this module finds that node's span in the environment's documents,
//! falling back to the nearest existing ancestor. Results without a place are
//! reported at the environment's first file and flagged as unlocated.

use super::eval::RuleResult;
use super::PolicyResult;
use crate::finding::{Finding, Location};
use crate::load::document::join_pointer;
use crate::model::Documents;

/// Turn rule results into findings.
#[must_use]
pub fn findings(results: Vec<RuleResult>, documents: &Documents<'_>) -> Vec<Finding> {
    let mut findings = Vec::with_capacity(results.len());
    locate_into(&mut findings, results, documents);
    findings
}

/// Turn rule results into findings appended to `findings` (no list of their own to
/// copy over: a run may have a hundred thousand of them).
pub fn locate_into<I>(findings: &mut Vec<Finding>, results: I, documents: &Documents<'_>)
where
    I: IntoIterator<Item = RuleResult>,
    I::IntoIter: ExactSizeIterator,
{
    let results = results.into_iter();
    // Exactly: with amortized growth, a hundred thousand findings could be given room
    // for twice as many.
    findings.reserve_exact(results.len());
    findings.extend(results.map(|r| locate_result(r, documents)));
}

/// Turn one rule result into a finding.
#[must_use]
pub fn locate_result(r: RuleResult, documents: &Documents<'_>) -> Finding {
    let (location, located) = place(&r.result, documents);
    let places: Vec<Location> = r
        .result
        .related
        .iter()
        .map(|related| place(related, documents).0)
        .collect();
    let mut finding = Finding::new(r.rule, r.severity, r.result.msg, r.help, location);
    finding.unlocated = !located;
    for (related, where_) in r.result.related.into_iter().zip(places) {
        finding = finding.with_related(related.msg, where_);
    }
    finding
}

/// The location of a result, and whether it named one.
fn place(result: &PolicyResult, documents: &Documents<'_>) -> (Location, bool) {
    let found = result.at.as_ref().and_then(|(file, pointer)| {
        let source = documents.source_named(file)?;
        let pointer = result
            .field
            .iter()
            .fold(pointer.clone(), |p, token| join_pointer(&p, token));
        Some(documents.locate(&source, &pointer))
    });
    match found {
        Some(location) => (location, true),
        None => (documents.first_file_location(), false),
    }
}

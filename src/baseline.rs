//! Baselines: accept today's findings, fail only on new ones.
//!
//! A finding's fingerprint hashes its rule, file, JSON pointer and message, not its
//! line, so edits above a finding do not change it. `gwlint baseline write FILE`
//! records the fingerprints of the current findings; `gwlint check --baseline FILE`
//! reports findings found there as baseline findings that do not fail the run.

use crate::check::Outcome;
use crate::error::ToolError;
use crate::finding::Finding;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::path::Path;

/// The stable fingerprint of a finding (hex SHA-1 of rule, file, pointer, message).
#[must_use]
pub fn fingerprint(finding: &Finding) -> String {
    let mut hasher = sha1_smol::Sha1::new();
    for part in [
        &finding.rule,
        finding.file(),
        &finding.location.pointer,
        &finding.message,
    ] {
        hasher.update(part.as_bytes());
        hasher.update(&[0]);
    }
    hasher.digest().to_string()
}

/// The baseline document for an outcome.
#[must_use]
pub fn document(outcome: &Outcome) -> Value {
    let findings: Vec<Value> = outcome
        .findings()
        .into_iter()
        .map(|f| {
            json!({
                "fingerprint": fingerprint(f),
                "rule": f.rule,
                "file": f.file(),
                "pointer": f.location.pointer,
                "message": f.message,
            })
        })
        .collect();
    json!({"version": 1, "tool": "gwlint", "findings": findings})
}

/// Read the fingerprints of a baseline file.
///
/// # Errors
/// A [`ToolError`] when the file cannot be read or is not a gwlint baseline.
pub fn read(path: &Path) -> Result<HashSet<String>, ToolError> {
    let text = crate::regular::read_to_string(path)
        .map_err(|e| ToolError::new(format!("{}: cannot read baseline: {e}", path.display())))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        ToolError::new(format!(
            "{}:{}:{}: invalid baseline: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    let findings = value
        .get("findings")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ToolError::new(format!(
                "{}: not a gwlint baseline (no `findings` list)",
                path.display()
            ))
        })?;
    Ok(findings
        .iter()
        .filter_map(|f| {
            f.get("fingerprint")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect())
}

//! Rule metadata: the `# METADATA` header of a Rego rule, or a native rule's YAML.
//!
//! regorus has no `rego.metadata.*`, so gwlint reads the header itself: the comment
//! lines after `# METADATA`, without their `# ` prefix, form a YAML document with
//! `title`, `description` and `custom: {id, severity, help, params}`.

use crate::finding::Severity;
use crate::load::{parse_text, LoadLimits};
use serde_json::Value;
use std::path::Path;

/// What gwlint knows about a policy rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleMeta {
    /// The rule id without the `policy/` namespace (`route-needs-auth`).
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Markdown documentation (what it checks, why, bad and good examples).
    pub description: String,
    /// Default severity.
    pub severity: Severity,
    /// How to fix a finding.
    pub help: String,
    /// Default parameters.
    pub params: Value,
}

/// The YAML text of a Rego file's `# METADATA` block, if it has one.
#[must_use]
pub fn metadata_block(rego: &str) -> Option<String> {
    let mut lines = rego.lines().skip_while(|l| l.trim() != "# METADATA");
    lines.next()?;
    let block: Vec<&str> = lines
        .take_while(|l| l.starts_with('#'))
        .map(|l| l.strip_prefix("# ").unwrap_or(l.trim_start_matches('#')))
        .collect();
    Some(block.join("\n"))
}

/// Parse metadata YAML (from a Rego header or a native rule's file).
///
/// # Errors
/// A message saying which field is missing or malformed.
pub fn parse(origin: &str, yaml: &str) -> Result<RuleMeta, String> {
    let loaded = parse_text(Path::new(origin), yaml.to_owned(), &LoadLimits::default());
    if let Some(error) = loaded
        .findings
        .iter()
        .find(|f| f.severity == Severity::Error)
    {
        return Err(format!(
            "metadata line {}: {}",
            error.location.span.start.line, error.message
        ));
    }
    let document = loaded.document.ok_or("empty metadata")?.value;
    let custom = document.get("custom").cloned().unwrap_or(Value::Null);
    let text = |value: &Value, key: &str| -> Result<String, String> {
        value
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("metadata needs a string `{key}`"))
    };
    let severity_name = text(&custom, "severity")?;
    Ok(RuleMeta {
        id: text(&custom, "id")?,
        title: text(&document, "title")?,
        description: text(&document, "description")?,
        severity: Severity::parse(&severity_name)
            .ok_or_else(|| format!("unknown severity `{severity_name}`"))?,
        help: text(&custom, "help")?,
        params: custom
            .get("params")
            .cloned()
            .unwrap_or_else(|| Value::Object(serde_json::Map::new())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const REGO: &str = "# METADATA\n# title: T\n# description: |\n#   ## What it checks\n#   x\n# custom:\n#   id: my-rule\n#   severity: warning\n#   help: fix it\n#   params:\n#     n: 3\npackage a\n";

    #[test]
    fn reads_the_header() {
        let yaml = metadata_block(REGO).unwrap();
        let meta = parse("a.rego", &yaml).unwrap();
        assert_eq!(meta.id, "my-rule");
        assert_eq!(meta.title, "T");
        assert_eq!(meta.severity, Severity::Warning);
        assert_eq!(meta.description, "## What it checks\nx\n");
        assert_eq!(meta.params["n"], 3);
    }

    #[test]
    fn missing_fields_are_named() {
        let err = parse("a.rego", "title: T\ndescription: d\ncustom:\n  id: x\n").unwrap_err();
        assert!(err.contains("severity"), "{err}");
        assert_eq!(metadata_block("package a\n"), None);
    }
}

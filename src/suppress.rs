//! Inline suppressions: `# gwlint-ignore RULE[, RULE...]: reason`.
//!
//! A comment alone on its line applies to the node on the next line with content; a
//! comment at the end of a line applies to the node on that line. It suppresses the
//! named rules for that node and everything below it. The reason is mandatory (a
//! comment without one suppresses nothing and is itself an error), suppressed
//! findings are kept for the report, and a suppression that matched nothing is a
//! `suppress/unused` warning. A renamed rule id (`policy/dangling-reference`) still
//! suppresses the findings of the ids that replaced it, for now.

use crate::check::CheckedFile;
use crate::finding::{Finding, Location, Severity};
use crate::policy::settings::full_id;
use crate::source::{Source, Span};

/// The marker that starts a suppression comment.
const MARKER: &str = "gwlint-ignore";

/// One suppression comment.
#[derive(Debug, Clone)]
pub struct Suppression {
    /// Full rule ids it names.
    pub rules: Vec<String>,
    /// Why the findings are accepted.
    pub reason: String,
    /// The node it applies to (with everything below it).
    pub pointer: String,
    /// Where the comment is.
    pub comment: Location,
}

/// A finding that a suppression silenced, with the reason given.
#[derive(Debug, Clone)]
pub struct Suppressed {
    /// The finding.
    pub finding: Finding,
    /// The suppression's reason.
    pub reason: String,
}

/// Collect the suppression comments of an environment's files; comments without a
/// reason come back as findings.
#[must_use]
pub fn collect(files: &[CheckedFile]) -> (Vec<Suppression>, Vec<Finding>) {
    let mut suppressions = Vec::new();
    let mut findings = Vec::new();
    for checked in files {
        let Some(document) = &checked.file.document else {
            continue;
        };
        let source = &checked.file.source;
        if !source.text.contains(MARKER) {
            continue;
        }
        for comment in comments(source) {
            let target_line = if comment.alone {
                next_content_line(source, comment.line)
            } else {
                Some(comment.line)
            };
            let pointer = target_line.and_then(|line| document.pointer_at_line(line));
            match (parse(&comment.text), pointer) {
                (Some((rules, reason)), Some(pointer)) if !reason.is_empty() => {
                    suppressions.push(Suppression {
                        rules,
                        reason,
                        pointer,
                        comment: comment.location.clone(),
                    });
                }
                (Some(_), Some(_)) | (None, _) => findings.push(Finding::new(
                    "suppress/missing-reason",
                    Severity::Error,
                    "suppression without a rule id and a reason; it suppresses nothing",
                    "write `# gwlint-ignore RULE-ID: why this is accepted`",
                    comment.location.clone(),
                )),
                (Some(_), None) => findings.push(Finding::new(
                    "suppress/unused",
                    Severity::Warning,
                    "suppression comment is not next to any configuration node",
                    "put the comment on the line above the node, or at the end of its line",
                    comment.location.clone(),
                )),
            }
        }
    }
    (suppressions, findings)
}

/// Split findings into kept and suppressed, adding a warning for each suppression
/// that matched nothing.
#[must_use]
pub fn apply(
    findings: Vec<Finding>,
    suppressions: &[Suppression],
) -> (Vec<Finding>, Vec<Suppressed>) {
    let mut used = vec![false; suppressions.len()];
    let mut kept = Vec::with_capacity(findings.len());
    let mut suppressed = Vec::new();
    for finding in findings {
        let matching = suppressions.iter().position(|s| matches(s, &finding));
        match matching {
            Some(index) => {
                used[index] = true;
                suppressed.push(Suppressed {
                    reason: suppressions[index].reason.clone(),
                    finding,
                });
            }
            None => kept.push(finding),
        }
    }
    for (suppression, _) in suppressions.iter().zip(&used).filter(|(_, used)| !**used) {
        kept.push(Finding::new(
            "suppress/unused",
            Severity::Warning,
            format!(
                "suppression of `{}` matched no finding",
                suppression.rules.join("`, `")
            ),
            "remove the comment: the problem is gone or the rule id is wrong",
            suppression.comment.clone(),
        ));
    }
    (kept, suppressed)
}

fn matches(suppression: &Suppression, finding: &Finding) -> bool {
    let same_file = std::sync::Arc::ptr_eq(&suppression.comment.source, &finding.location.source);
    let under = finding
        .location
        .pointer
        .strip_prefix(&suppression.pointer)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    same_file
        && under
        && suppression
            .rules
            .iter()
            .any(|rule| names(rule, &finding.rule))
}

/// Whether a suppression's rule id names `finding_rule`: the same id, or a renamed
/// id that `finding_rule` replaced (`policy/dangling-reference` names
/// `ref/dangling-service`; deprecated, see [`crate::renamed::RENAMED`]).
fn names(rule: &str, finding_rule: &str) -> bool {
    rule == finding_rule
        || crate::renamed::renamed(rule).is_some_and(|new| new.contains(&finding_rule))
}

/// `RULE[, RULE]: reason` after the marker → full rule ids and the reason.
fn parse(text: &str) -> Option<(Vec<String>, String)> {
    let rest = text.trim_start().strip_prefix(MARKER)?.trim();
    let (rules, reason) = rest
        .split_once(':')
        .map_or((rest, ""), |(r, why)| (r, why.trim()));
    let rules: Vec<String> = rules
        .split([',', ' '])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(full_id)
        .collect();
    if rules.is_empty() {
        return None;
    }
    Some((rules, reason.to_owned()))
}

/// A YAML comment holding the marker.
struct Comment {
    line: u32,
    alone: bool,
    text: String,
    location: Location,
}

/// Every comment that mentions the marker.
fn comments(source: &Source) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (index, line) in source.text.split_inclusive('\n').enumerate() {
        if let Some(hash) = comment_start(line) {
            let body = line[hash + 1..].trim_end();
            if body.trim_start().starts_with(MARKER) {
                let start = source.position_of_byte(offset + hash);
                let end = source.position_of_byte(offset + hash + 1 + body.len());
                out.push(Comment {
                    line: u32::try_from(index + 1).unwrap_or(u32::MAX),
                    alone: line[..hash].trim().is_empty(),
                    text: body.to_owned(),
                    location: Location {
                        source: source.clone(),
                        span: Span::new(start, end),
                        pointer: String::new(),
                    },
                });
            }
        }
        offset += line.len();
    }
    out
}

/// The byte index of the `#` that starts a comment on this line (at the start, or
/// after white space, and outside quotes).
fn comment_start(line: &str) -> Option<usize> {
    let mut in_single = false;
    let mut in_double = false;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !in_double => in_single = !in_single,
            '"' if !in_single && previous != '\\' => in_double = !in_double,
            '#' if !in_single && !in_double && previous.is_whitespace() => return Some(i),
            _ => {}
        }
        previous = c;
    }
    None
}

/// The first line after `line` that holds something other than a comment.
fn next_content_line(source: &Source, line: u32) -> Option<u32> {
    (line + 1..=u32::try_from(source.line_count()).unwrap_or(u32::MAX)).find(|l| {
        let text = source.line_text(*l).trim();
        !text.is_empty() && !text.starts_with('#')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules_and_reason() {
        let (rules, reason) =
            parse(" gwlint-ignore route-needs-auth, schema/limit-count: public health check")
                .unwrap();
        assert_eq!(rules, ["policy/route-needs-auth", "schema/limit-count"]);
        assert_eq!(reason, "public health check");
        assert_eq!(parse(" gwlint-ignore route-needs-auth").unwrap().1, "");
        assert!(parse(" gwlint-ignore : why").is_none());
    }

    #[test]
    fn finds_comments_outside_quotes() {
        assert_eq!(comment_start("a: b # c"), Some(5));
        assert_eq!(comment_start("# c"), Some(0));
        assert_eq!(comment_start("a: \"b # c\""), None);
        assert_eq!(comment_start("a: b#c"), None);
    }
}

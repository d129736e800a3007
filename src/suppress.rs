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
use crate::load::document::join_pointer;
use crate::load::span_tree::NodeRef;
use crate::policy::settings::full_id;
use crate::source::{Source, SourceFile, Span};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

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
///
/// Linear in the size of each file with comments: the comments are found in one pass
/// over the text, and the nodes they apply to in one walk over the document.
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
        let comments = comments(source);
        let targets = target_lines(source, &comments);
        let mut wanted: Vec<u32> = targets.iter().flatten().copied().collect();
        wanted.sort_unstable();
        wanted.dedup();
        let pointers = pointers_at_lines(document.spans.root(), &wanted);
        for (comment, target_line) in comments.into_iter().zip(targets) {
            let pointer = target_line.and_then(|line| pointers.get(&line).cloned());
            match (parse(&comment.text), pointer) {
                (Some((rules, reason)), Some(pointer)) if !reason.is_empty() => {
                    suppressions.push(Suppression {
                        rules,
                        reason,
                        pointer,
                        comment: comment.location,
                    });
                }
                (Some(_), Some(_)) | (None, _) => findings.push(Finding::new(
                    "suppress/missing-reason",
                    Severity::Error,
                    "suppression without a rule id and a reason; it suppresses nothing",
                    "write `# gwlint-ignore RULE-ID: why this is accepted`",
                    comment.location,
                )),
                (Some(_), None) => findings.push(Finding::new(
                    "suppress/unused",
                    Severity::Warning,
                    "suppression comment is not next to any configuration node",
                    "put the comment on the line above the node, or at the end of its line",
                    comment.location,
                )),
            }
        }
    }
    (suppressions, findings)
}

/// The line each comment applies to: its own line for a comment after a node, the
/// next line with content for a comment alone on its line. The comments come in line
/// order, so a run of comment lines shares one search for the line after it.
fn target_lines(source: &Source, comments: &[Comment]) -> Vec<Option<u32>> {
    let mut found: Option<(u32, Option<u32>)> = None;
    comments
        .iter()
        .map(|comment| {
            if !comment.alone {
                return Some(comment.line);
            }
            match found {
                // The last search started above this comment and went past it
                // over comment and blank lines only: its answer holds here too.
                Some((from, next))
                    if from <= comment.line && next.is_none_or(|n| n > comment.line) =>
                {
                    next
                }
                _ => {
                    let next = next_content_line(source, comment.line);
                    found = Some((comment.line, next));
                    next
                }
            }
        })
        .collect()
}

/// The pointer of the node each of `lines` (sorted, without repeats) applies to: on
/// each level, the first mapping entry whose key or sequence item that starts on the
/// line, else the node below the first entry or item whose text spans the line. One
/// walk over the document for all the lines.
fn pointers_at_lines(root: NodeRef<'_>, lines: &[u32]) -> HashMap<u32, String> {
    let mut found = HashMap::with_capacity(lines.len());
    if !lines.is_empty() {
        let mut pending: BTreeSet<u32> = lines.iter().copied().collect();
        resolve_lines(root, "", &mut pending, &mut found);
    }
    found
}

/// Resolve the lines of `pending` that `node`'s children hold, removing them.
fn resolve_lines(
    node: NodeRef<'_>,
    pointer: &str,
    pending: &mut BTreeSet<u32>,
    found: &mut HashMap<u32, String>,
) {
    let children = node
        .entries()
        .map(|entry| (Some(entry.key), entry.key_span.start.line, entry.value))
        .chain(node.items().map(|item| (None, item.start_line(), item)));
    for (index, (key, start_line, child)) in children.enumerate() {
        if pending.is_empty() {
            return;
        }
        let child_pointer = || match key {
            Some(key) => join_pointer(pointer, key),
            None => format!("{pointer}/{index}"),
        };
        if pending.remove(&start_line) {
            found.insert(start_line, child_pointer());
        }
        let span = child.span();
        let mut inside: BTreeSet<u32> = pending
            .range(span.start.line..=span.end.line)
            .copied()
            .collect();
        if inside.is_empty() {
            continue;
        }
        resolve_lines(child, &child_pointer(), &mut inside, found);
        for line in pending
            .range(span.start.line..=span.end.line)
            .copied()
            .collect::<Vec<_>>()
        {
            if found.contains_key(&line) {
                pending.remove(&line);
            }
        }
    }
}

/// Split findings into kept and suppressed, adding a warning for each suppression
/// that matched nothing. A finding is suppressed by the first suppression (in the
/// order given) of its file whose node holds it and that names its rule; the
/// suppressions are looked up by file and node, so the cost grows with the findings'
/// pointer depth, not with the number of suppressions.
#[must_use]
pub fn apply(
    findings: Vec<Finding>,
    suppressions: &[Suppression],
) -> (Vec<Finding>, Vec<Suppressed>) {
    let mut by_node: HashMap<(*const SourceFile, &str), Vec<usize>> = HashMap::new();
    for (index, suppression) in suppressions.iter().enumerate() {
        let file = Arc::as_ptr(&suppression.comment.source);
        by_node
            .entry((file, suppression.pointer.as_str()))
            .or_default()
            .push(index);
    }
    let mut used = vec![false; suppressions.len()];
    let mut kept = Vec::with_capacity(findings.len());
    let mut suppressed = Vec::new();
    for finding in findings {
        let file = Arc::as_ptr(&finding.location.source);
        let matching = if by_node.is_empty() {
            None
        } else {
            node_and_ancestors(&finding.location.pointer)
                .filter_map(|node| by_node.get(&(file, node)))
                .filter_map(|indexes| {
                    indexes
                        .iter()
                        .copied()
                        .find(|&i| matches(&suppressions[i], &finding))
                })
                .min()
        };
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

/// A pointer and each of its ancestors, up to the whole document: `/a/0/b`, `/a/0`, `/a`, and the empty pointer.
fn node_and_ancestors(pointer: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(pointer), |node| {
        (!node.is_empty()).then(|| node.rfind('/').map_or("", |at| &node[..at]))
    })
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
        if line.contains(MARKER) {
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

    /// The one walk for many lines finds, for every line of these files, the node the
    /// walk for that line alone finds.
    #[test]
    fn one_walk_finds_what_each_lines_walk_finds() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for file in [
            "fixtures/findings/suppressions/services.yaml",
            "fixtures/hostile/merge-keys.yaml",
            "fixtures/hostile/huge-single-line.json",
            "fixtures/example/staging/orders.yaml",
            "fixtures/example/production/edge.yaml",
        ] {
            let loaded =
                crate::load::load_file(&root.join(file), &crate::load::LoadLimits::default());
            let document = loaded.document.expect(file);
            let lines: Vec<u32> =
                (1..=u32::try_from(loaded.source.line_count()).unwrap() + 1).collect();
            let found = pointers_at_lines(document.spans.root(), &lines);
            for line in lines {
                assert_eq!(
                    found.get(&line).cloned(),
                    document.pointer_at_line(line),
                    "{file}:{line}"
                );
            }
        }
    }

    /// Stacked comments all apply to the line after the stack; a comment after a node
    /// applies to its own line.
    #[test]
    fn stacked_comments_share_the_next_content_line() {
        let text = "a:\n  # gwlint-ignore x: 1\n\n  # gwlint-ignore y: 2\n  # other\n  b: 1 # gwlint-ignore z: 3\n  # gwlint-ignore w: 4\n  c: 2\n# gwlint-ignore v: 5\n";
        let source: Source = Arc::new(SourceFile::new("t.yaml".into(), text.to_owned()));
        let comments = comments(&source);
        let lines: Vec<u32> = comments.iter().map(|c| c.line).collect();
        assert_eq!(lines, [2, 4, 6, 7, 9]);
        assert_eq!(
            target_lines(&source, &comments),
            [Some(6), Some(6), Some(6), Some(8), None]
        );
        for comment in comments.iter().filter(|c| c.alone) {
            assert_eq!(
                target_lines(&source, std::slice::from_ref(comment)),
                [next_content_line(&source, comment.line)]
            );
        }
        let (start, end) = (
            comments[2].location.span.start,
            comments[2].location.span.end,
        );
        assert_eq!((start.line, start.column, start.offset), (6, 8, 67));
        assert_eq!((end.line, end.column), (6, 28));
    }

    #[test]
    fn finds_comments_outside_quotes() {
        assert_eq!(comment_start("a: b # c"), Some(5));
        assert_eq!(comment_start("# c"), Some(0));
        assert_eq!(comment_start("a: \"b # c\""), None);
        assert_eq!(comment_start("a: b#c"), None);
    }
}

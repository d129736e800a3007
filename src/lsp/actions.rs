//! Code actions on published findings: a `# gwlint-ignore RULE: <reason>` line above
//! the finding's node (YAML; see src/suppress.rs), and the "did you mean" fix of an
//! unknown plugin or field, which replaces the key with the suggested name.

use super::diagnostics::{diagnostic, Published};
use super::documents::uri_to_path;
use super::position::{byte_offset, line_of};
use super::server::{lock_published, State};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Position, Range, TextEdit,
    WorkspaceEdit,
};
use std::collections::HashMap;

/// The name a finding's message suggests (`...; did you mean `X`?`).
#[must_use]
pub fn suggestion(message: &str) -> Option<&str> {
    let start = message.find("; did you mean `")? + "; did you mean `".len();
    let rest = &message[start..];
    let end = rest.find("`?")?;
    Some(&rest[..end])
}

/// Whether two ranges overlap (touching counts).
fn overlaps(a: &Range, b: &Range) -> bool {
    let key = |p: &Position| (p.line, p.character);
    key(&a.start) <= key(&b.end) && key(&b.start) <= key(&a.end)
}

/// Answer `textDocument/codeAction`.
#[must_use]
pub fn actions(state: &State, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
    let uri = &params.text_document.uri;
    let Some(path) = uri_to_path(uri) else {
        return Vec::new();
    };
    let Some(text) = state
        .documents
        .get(&path)
        .map(|d| d.text.clone())
        .or_else(|| std::fs::read_to_string(&path).ok().map(std::sync::Arc::new))
    else {
        return Vec::new();
    };
    let yaml = crate::load::Syntax::of(&path) == crate::load::Syntax::Yaml;
    let findings: Vec<Published> = lock_published(state)
        .get(&path)
        .map(|list| {
            list.iter()
                .filter(|p| overlaps(&p.range, &params.range))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let edit = |edits: Vec<TextEdit>| WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    };
    let mut actions = Vec::new();
    for published in &findings {
        let finding = &published.finding;
        if let Some(name) = suggestion(&finding.message) {
            let range = published.key_range.unwrap_or(published.range);
            let start = byte_offset(&text, range.start);
            let end = byte_offset(&text, range.end).max(start);
            let written = &text[start..end];
            let quote = written
                .chars()
                .next()
                .filter(|c| *c == '"' || *c == '\'')
                .map(String::from)
                .unwrap_or_default();
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Replace with `{name}`"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic(published)]),
                edit: Some(edit(vec![TextEdit::new(
                    range,
                    format!("{quote}{name}{quote}"),
                )])),
                is_preferred: Some(true),
                ..CodeAction::default()
            }));
        }
        if yaml {
            let line = published.range.start.line;
            let written = line_of(&text, line);
            let indent: String = written
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Ignore `{}` here (gwlint-ignore)", finding.rule),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic(published)]),
                edit: Some(edit(vec![TextEdit::new(
                    Range::new(Position::new(line, 0), Position::new(line, 0)),
                    format!("{indent}# gwlint-ignore {}: <reason>\n", finding.rule),
                )])),
                ..CodeAction::default()
            }));
        }
    }
    actions
}

#[cfg(test)]
mod tests {
    use super::suggestion;

    #[test]
    fn suggestions_are_read_from_messages() {
        assert_eq!(
            suggestion("unknown plugin `limit-cont` (APISIX 3.18 has no such plugin); did you mean `limit-count`?"),
            Some("limit-count")
        );
        assert_eq!(suggestion("unknown field `x`"), None);
    }
}

//! Hover: a plugin's or field's schema (description, type, default, allowed values,
//! constraints), and on a finding's range the documentation `gwlint explain` prints
//! for its rule.

use super::completion::{in_plugin_map, At};
use super::context::Step;
use super::documents::uri_to_path;
use super::schema_nav::{self, describe};
use super::server::State;
use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};
use std::fmt::Write as _;

/// Answer `textDocument/hover`; `None` (null) where there is nothing to say.
#[must_use]
pub fn hover(state: &State, params: &HoverParams) -> Option<Hover> {
    let position = &params.text_document_position_params;
    let at = At::find(state, &position.text_document.uri, position.position)?;
    let mut sections: Vec<String> = Vec::new();
    if let Some(cursor) = Some(at.cursor()).filter(|c| !c.on_value && !c.key.is_empty()) {
        let root = at.project.editor_schema(at.format);
        let mut path = cursor.parent.clone();
        path.push(Step::Key(cursor.key.clone()));
        let schemas = schema_nav::at_path(root, &path);
        let plugin = in_plugin_map(&cursor.parent)
            .then(|| at.project.checker.schemas.plugins.get(&cursor.key))
            .flatten();
        if let Some(plugin) = plugin {
            let mut text = format!(
                "**plugin `{}`** (APISIX {}): category `{}`, priority {}{}\n\n",
                plugin.name,
                at.project.checker.schemas.plugins.version(),
                plugin.category,
                plugin.priority,
                if plugin.auth { ", authentication" } else { "" }
            );
            let fields = schema_nav::properties(&schemas);
            text.push_str(
                describe(&plugin.name, &schemas)
                    .split_once("\n\n")
                    .map_or("", |(_, rest)| rest),
            );
            if !fields.is_empty() {
                let names: Vec<String> = fields.iter().map(|(n, _)| format!("`{n}`")).collect();
                let _ = write!(text, "\n\nFields: {}", names.join(", "));
            }
            sections.push(text.trim().to_owned());
        } else if !schemas.is_empty() {
            sections.push(describe(&cursor.key, &schemas));
        }
    }
    let path = uri_to_path(&position.text_document.uri)?;
    let published = super::server::published_at(state, &path, position.position);
    let mut explained = std::collections::BTreeSet::new();
    for item in published {
        let rule = str::to_owned(&item.finding.rule);
        if explained.insert(rule.clone()) {
            if let Some(text) = at.project.explain(&rule) {
                sections.push(text.trim_end().to_owned());
            }
        }
    }
    if sections.is_empty() {
        return None;
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: sections.join("\n\n---\n\n"),
        }),
        range: None,
    })
}

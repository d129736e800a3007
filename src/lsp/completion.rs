//! Completion from the schemas of the project's APISIX version: plugin names under
//! `plugins`, a plugin's fields inside its configuration, resource fields, and the
//! values a field's `enum` (or boolean type) allows.

use super::context::{self, Cursor, Step};
use super::diagnostics::Project;
use super::documents::uri_to_path;
use super::position::{byte_offset, position_of};
use super::schema_nav::{self, describe, enum_values, properties, type_of};
use super::server::State;
use crate::format::{Detected, Format};
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, Documentation,
    MarkupContent, MarkupKind, Range, TextEdit,
};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;

/// A position in a document, with what the handlers need around it.
pub struct At {
    /// The file.
    pub path: PathBuf,
    /// Its text (the open document's, else the file's).
    pub text: Arc<String>,
    /// The byte offset of the position.
    pub offset: usize,
    /// The project governing the file.
    pub project: Arc<Project>,
    /// The file's format.
    pub format: Format,
    /// Whether it is JSON.
    pub json: bool,
}

impl At {
    /// The document at an LSP position; `None` for a document that is neither open
    /// nor readable, or not a `file:` URI.
    #[must_use]
    pub fn find(state: &State, uri: &lsp_types::Uri, position: lsp_types::Position) -> Option<At> {
        let path = uri_to_path(uri)?;
        let text = match state.documents.get(&path) {
            Some(doc) => doc.text.clone(),
            None => Arc::new(std::fs::read_to_string(&path).ok()?),
        };
        let project = state.projects.for_file(&path).ok()?;
        let json = crate::load::Syntax::of(&path) == crate::load::Syntax::Json;
        let format = project
            .target_of(&path)
            .and_then(|t| t.format)
            .unwrap_or_else(|| format_of(&path, &text));
        Some(At {
            offset: byte_offset(&text, position),
            path,
            text,
            project,
            format,
            json,
        })
    }

    /// The cursor at the position.
    #[must_use]
    pub fn cursor(&self) -> Cursor {
        context::cursor(&self.text, self.offset, self.json)
    }

    /// The LSP range of a byte range of the text.
    #[must_use]
    pub fn range(&self, bytes: &std::ops::Range<usize>) -> Range {
        Range::new(
            position_of(&self.text, bytes.start),
            position_of(&self.text, bytes.end),
        )
    }
}

/// A file's format as `gwlint check` detects it from its parsed document; while the
/// text does not parse, from its top-level keys.
fn format_of(path: &std::path::Path, text: &str) -> Format {
    let loaded =
        crate::load::parse_text(path, text.to_owned(), &crate::load::LoadLimits::default());
    let value = if let Some(document) = loaded.document {
        document.value
    } else {
        let keys: serde_json::Map<String, Value> = text
            .lines()
            .filter(|l| !l.starts_with([' ', '\t', '#', '-']))
            .filter_map(|l| l.split_once(':'))
            .map(|(k, _)| (k.trim().trim_matches('"').to_owned(), Value::Null))
            .collect();
        Value::Object(keys)
    };
    match crate::format::detect(path, &value) {
        Detected::Format(format) => format,
        Detected::Mixed { .. } => Format::Adc,
    }
}

/// Whether a path's parent is a plugin map (`.../plugins`).
#[must_use]
pub fn in_plugin_map(parent: &[Step]) -> bool {
    matches!(parent.last(), Some(Step::Key(k)) if k == "plugins" || k == "stream_plugins")
        && parent.len() > 1
        || matches!(parent, [Step::Key(k)] if k == "global_rules")
}

/// Answer `textDocument/completion`.
#[must_use]
pub fn complete(state: &State, params: &CompletionParams) -> Option<CompletionResponse> {
    let position = &params.text_document_position;
    let at = At::find(state, &position.text_document.uri, position.position)?;
    let cursor = at.cursor();
    let root = at.project.editor_schema(at.format);
    let replace = at.range(&cursor.word);
    let items =
        if cursor.on_value {
            let mut path = cursor.parent.clone();
            path.push(Step::Key(cursor.key.clone()));
            let schemas = schema_nav::at_path(root, &path);
            let mut values = enum_values(&schemas);
            if values.is_empty() && type_of(&schemas).is_some_and(|t| t.contains("boolean")) {
                values = vec![Value::Bool(true), Value::Bool(false)];
            }
            values
                .into_iter()
                .map(|value| {
                    let text = match &value {
                        Value::String(s) if at.json && cursor.word.is_empty() => format!("\"{s}\""),
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    CompletionItem {
                        label: text.clone(),
                        kind: Some(CompletionItemKind::ENUM_MEMBER),
                        text_edit: Some(lsp_types::CompletionTextEdit::Edit(TextEdit::new(
                            replace, text,
                        ))),
                        ..CompletionItem::default()
                    }
                })
                .collect()
        } else {
            let schemas = schema_nav::at_path(root, &cursor.parent);
            let plugins = in_plugin_map(&cursor.parent);
            // In JSON, a key typed inside its quotes is replaced without them.
            let quote = at.json && cursor.word.is_empty();
            properties(&schemas)
                .into_iter()
                .filter(|(name, _)| !name.starts_with('_') || *name == "_meta")
                .map(|(name, schema)| {
                    let expanded = schema_nav::expanded(root, schema);
                    let detail =
                        if plugins {
                            at.project.checker.schemas.plugins.get(name).map(|p| {
                                format!("plugin ({}, priority {})", p.category, p.priority)
                            })
                        } else {
                            type_of(&expanded)
                        };
                    let new_text = if quote {
                        format!("\"{name}\"")
                    } else {
                        name.to_owned()
                    };
                    CompletionItem {
                        label: name.to_owned(),
                        kind: Some(if plugins {
                            CompletionItemKind::MODULE
                        } else {
                            CompletionItemKind::FIELD
                        }),
                        detail,
                        documentation: Some(Documentation::MarkupContent(MarkupContent {
                            kind: MarkupKind::Markdown,
                            value: describe(name, &expanded),
                        })),
                        filter_text: Some(name.to_owned()),
                        text_edit: Some(lsp_types::CompletionTextEdit::Edit(TextEdit::new(
                            replace, new_text,
                        ))),
                        ..CompletionItem::default()
                    }
                })
                .collect()
        };
    Some(CompletionResponse::List(lsp_types::CompletionList {
        is_incomplete: false,
        items,
    }))
}

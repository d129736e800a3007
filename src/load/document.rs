//! A parsed document: a `serde_json::Value` plus a tree of source spans.
//!
//! The span tree mirrors the value: every node has the span of its text, and every
//! mapping entry also has the span of its key. Lookups go by JSON pointer and fall
//! back to the nearest existing ancestor, so any stage can turn "this pointer" into
//! "this line and column" without knowing whether the file was YAML or JSON.

use super::span_tree::{NodeRef, SpanTree};
use crate::source::Span;
use serde_json::Value;

/// One document of a file.
#[derive(Debug, Clone)]
pub struct Document {
    /// The data, typed as YAML 1.2 core schema / JSON.
    pub value: Value,
    /// Where each node of `value` is written.
    pub spans: SpanTree,
}

/// The span of one node and of its children, as the loaders build them (stored in
/// the compact [`SpanTree`] once the document is complete).
#[derive(Debug, Clone, Default)]
pub struct SpanNode {
    /// The node's own text (for collections: from the first to the last character).
    pub span: Span,
    /// Spans of the children, in the same shape as the value.
    pub children: SpanChildren,
}

/// Children of a span node.
#[derive(Debug, Clone, Default)]
pub enum SpanChildren {
    /// A scalar.
    #[default]
    Leaf,
    /// A sequence: one node per item, in order.
    Seq(Vec<SpanNode>),
    /// A mapping: one entry per key, in the order of the keys of the value's map
    /// (the keys themselves are the map's).
    Map(Vec<MapEntrySpan>),
}

/// Where one mapping entry is written.
#[derive(Debug, Clone)]
pub struct MapEntrySpan {
    /// The key's text.
    pub key_span: Span,
    /// The value's spans.
    pub value: SpanNode,
}

/// The result of locating a JSON pointer in a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    /// The span of the node the pointer names, or of its nearest existing ancestor.
    pub span: Span,
    /// The span of the key the node is written under, when it is a mapping value.
    pub key_span: Option<Span>,
    /// Whether the pointer itself exists (false: `span` is an ancestor's).
    pub exact: bool,
}

impl SpanNode {
    /// A leaf node.
    #[must_use]
    pub fn leaf(span: Span) -> Self {
        SpanNode {
            span,
            children: SpanChildren::Leaf,
        }
    }

    /// Number of nodes in this subtree.
    #[must_use]
    pub fn count(&self) -> usize {
        1 + match &self.children {
            SpanChildren::Leaf => 0,
            SpanChildren::Seq(items) => items.iter().map(SpanNode::count).sum(),
            SpanChildren::Map(entries) => entries.iter().map(|e| 1 + e.value.count()).sum(),
        }
    }
}

impl Document {
    /// A document from the loader's value and span tree.
    #[must_use]
    pub fn new(value: Value, spans: &SpanNode) -> Self {
        Document {
            spans: SpanTree::new(spans, &value),
            value,
        }
    }

    /// The span node a JSON pointer names, when it exists.
    #[must_use]
    pub fn node(&self, pointer: &str) -> Option<NodeRef<'_>> {
        pointer_tokens(pointer).try_fold(self.spans.root(), |node, token| node.child(&token))
    }

    /// Locate a JSON pointer (`""` is the root, `/services/0/name` a field).
    #[must_use]
    pub fn locate(&self, pointer: &str) -> Located {
        let mut node = self.spans.root();
        let mut parent = None;
        let mut exact = true;
        for token in pointer_tokens(pointer) {
            let Some(child) = node.child(&token) else {
                exact = false;
                break;
            };
            parent = Some(node);
            node = child;
        }
        Located {
            span: node.span(),
            key_span: parent.and_then(|parent| node.key_span(parent)),
            exact,
        }
    }

    /// The pointer of the outermost node written on `line` (a mapping entry whose key,
    /// or a sequence item which, starts there), if any.
    #[must_use]
    pub fn pointer_at_line(&self, line: u32) -> Option<String> {
        node_at_line(self.spans.root(), "", line)
    }
}

fn node_at_line(node: NodeRef<'_>, pointer: &str, line: u32) -> Option<String> {
    let contains = |n: NodeRef<'_>| {
        let span = n.span();
        span.start.line <= line && line <= span.end.line
    };
    if let Some(found) = node.entries().find_map(|entry| {
        let child = join_pointer(pointer, entry.key);
        if entry.key_span.start.line == line {
            Some(child)
        } else if contains(entry.value) {
            node_at_line(entry.value, &child, line)
        } else {
            None
        }
    }) {
        return Some(found);
    }
    node.items().enumerate().find_map(|(i, item)| {
        let child = format!("{pointer}/{i}");
        if item.start_line() == line {
            Some(child)
        } else if contains(item) {
            node_at_line(item, &child, line)
        } else {
            None
        }
    })
}

/// Split a JSON pointer into unescaped tokens (borrowed unless a token has an escape).
pub fn pointer_tokens(pointer: &str) -> impl Iterator<Item = std::borrow::Cow<'_, str>> + '_ {
    pointer.split('/').skip(1).map(|t| {
        if t.contains('~') {
            std::borrow::Cow::Owned(t.replace("~1", "/").replace("~0", "~"))
        } else {
            std::borrow::Cow::Borrowed(t)
        }
    })
}

/// Escape one token for a JSON pointer (borrowed when nothing needs escaping).
#[must_use]
pub fn escape_token(token: &str) -> std::borrow::Cow<'_, str> {
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1").into()
    } else {
        token.into()
    }
}

/// `{pointer}/{list}/{index}`: the pointer of an item of the list `list` (a key
/// that needs no escaping) under `pointer`. Built without the formatting machinery:
/// it runs for every resource of every file.
#[must_use]
pub fn item_pointer(pointer: &str, list: &str, index: usize) -> String {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = index;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let mut out = String::with_capacity(pointer.len() + list.len() + 2 + digits.len() - at);
    out.push_str(pointer);
    out.push('/');
    out.push_str(list);
    out.push('/');
    out.extend(digits[at..].iter().map(|&digit| char::from(digit)));
    out
}

/// Append a token to a JSON pointer.
#[must_use]
pub fn join_pointer(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    out.push_str(&escape_token(token));
    out
}

#[cfg(test)]
mod tests {
    use super::{item_pointer, join_pointer};

    #[test]
    fn item_pointers_spell_the_index_in_decimal() {
        assert_eq!(item_pointer("", "services", 0), "/services/0");
        assert_eq!(
            item_pointer("/services/7", "routes", 1_234_567_890),
            "/services/7/routes/1234567890"
        );
        assert_eq!(
            item_pointer("", "ssls", usize::MAX),
            format!("/ssls/{}", usize::MAX)
        );
        assert_eq!(join_pointer("/plugins", "a/b~c"), "/plugins/a~1b~0c");
    }
}

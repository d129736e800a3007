//! The stored form of a document's spans: compact, built once per document from the
//! loader's [`SpanNode`] tree.
//!
//! A whole environment's documents stay in memory until the last finding is
//! located, so their spans are kept small: every node is one fixed-size record in a
//! flat array (children contiguous), keys live in one string per document, and each
//! position is a character offset only. Lines and columns come back from a table of
//! line starts built from the loader's own positions, so they are exactly what the
//! parser reported; a position that the table cannot reproduce (none in practice) is
//! kept whole beside it.
//!
//! Once the tree is [shared](SpanTree::share) with the file's source (an ASCII text,
//! where character and byte offsets agree), a key written as it reads (plain, or in
//! double quotes with nothing escaped) is read back from the text at its span, and
//! the source's own line table serves when it is the same: only the other keys and
//! tables are stored.

use super::document::{SpanChildren, SpanNode};
use crate::source::{Position, Source, Span};
use serde_json::Value;
use std::collections::HashMap;

/// The spans of one document.
#[derive(Debug, Clone, Default)]
pub struct SpanTree {
    /// Node 0 is the root; a node's children are `first..first + len`.
    nodes: Vec<Packed>,
    /// Mapping keys, one after the other: every key, or once shared, those the
    /// source's text does not give back.
    keys: String,
    /// Where each node's key is in `keys` (byte offset, length), by node; empty once
    /// shared.
    key_at: Vec<(u32, u32)>,
    /// Once shared: the keys in `keys` (those the text does not give back), by node.
    aside: HashMap<u32, (u32, u32)>,
    /// The character offset at which each line starts (index: line − 1), as the
    /// loader's positions give it; lines holding no position have the next known
    /// line's start. Empty when shared and the source's table is the same.
    line_starts: Vec<u32>,
    /// Positions the line table does not reproduce, by node and [`Which`].
    whole: HashMap<(u32, Which), Position>,
    /// The file's source, once shared: the text keys are read from.
    source: Option<Source>,
    /// Whether the line table is the source's.
    source_lines: bool,
}

/// How much a tree will hold: its nodes below the root, and the bytes of its keys.
#[derive(Debug, Clone, Copy, Default)]
pub struct TreeSize {
    /// Mapping entries and sequence items, at every depth.
    pub nodes: usize,
    /// The bytes of all mapping keys.
    pub key_bytes: usize,
}

/// One node: its span, and for an entry of a mapping the key's span (24 bytes: a
/// large environment holds millions).
#[derive(Debug, Clone, Copy, Default)]
struct Packed {
    start: u32,
    end: u32,
    key_start: u32,
    key_end: u32,
    first: u32,
    /// The number of children (low 29 bits), whether the key is written in double
    /// quotes (bit 29, once shared) and the [`Kind`] (bits 30 and 31).
    len_kind: u32,
}

const LEN_BITS: u32 = 29;
const LEN_MASK: u32 = (1 << LEN_BITS) - 1;
const QUOTED: u32 = 1 << LEN_BITS;

impl Packed {
    fn len(&self) -> u32 {
        self.len_kind & LEN_MASK
    }

    fn kind(&self) -> Kind {
        match self.len_kind >> 30 {
            1 => Kind::Seq,
            2 => Kind::Map,
            _ => Kind::Leaf,
        }
    }

    /// Set the kind and the number of children (a file the loader's limits admit
    /// has far fewer than 2²⁹ nodes; more would be counted short).
    fn set(&mut self, kind: Kind, len: usize) {
        let kind = match kind {
            Kind::Leaf => 0,
            Kind::Seq => 1,
            Kind::Map => 2,
        };
        self.len_kind = (kind << 30) | to_u32(len).min(LEN_MASK);
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Kind {
    #[default]
    Leaf,
    Seq,
    Map,
}

/// Which position of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Which {
    Start,
    End,
    KeyStart,
    KeyEnd,
}

impl SpanTree {
    /// The compact form of a loader tree.
    #[must_use]
    pub fn new(root: &SpanNode, value: &Value) -> Self {
        let mut tree = SpanTree::default();
        let mut lines = Some(LineTable::default());
        tree.nodes.push(Packed::default());
        tree.key_at.push((0, 0));
        tree.pack(0, root, value, None, &mut lines);
        // The tree lives as long as its environment: give back what growing left over.
        crate::memory::fit(&mut tree.nodes);
        crate::memory::fit(&mut tree.key_at);
        crate::memory::fit_string(&mut tree.keys);
        if let Some(mut starts) = lines.and_then(LineTable::finish) {
            crate::memory::fit(&mut starts);
            tree.line_starts = starts;
        } else {
            // The positions disagree about where lines start: keep them all whole.
            tree.whole.clear();
            tree.keep_whole(0, root, None);
        }
        tree
    }

    /// The compact form of a loader tree whose positions all lie on the lines that
    /// start at `line_starts` (character offsets, one per line, in order), as a
    /// reader that numbers lines itself guarantees: the table is taken as it is,
    /// not rebuilt from the positions.
    ///
    /// `size` is what the tree will hold, as the loader counted it, so that the
    /// node list and the keys are allocated once (a wrong count only costs growth).
    #[must_use]
    pub fn with_line_starts(
        root: &SpanNode,
        value: &Value,
        line_starts: Vec<u32>,
        size: TreeSize,
    ) -> Self {
        let mut tree = SpanTree {
            line_starts: {
                let mut starts = line_starts;
                crate::memory::fit(&mut starts);
                starts
            },
            nodes: Vec::with_capacity(size.nodes + 1),
            key_at: Vec::with_capacity(size.nodes + 1),
            keys: String::with_capacity(size.key_bytes),
            ..SpanTree::default()
        };
        tree.nodes.push(Packed::default());
        tree.key_at.push((0, 0));
        tree.pack(0, root, value, None, &mut None);
        crate::memory::fit(&mut tree.nodes);
        crate::memory::fit(&mut tree.key_at);
        crate::memory::fit_string(&mut tree.keys);
        debug_assert!(
            tree.gives_back(0, root, None),
            "a position is not on the lines it was said to be on"
        );
        tree
    }

    /// Whether every position of the subtree at `index` comes back as written.
    fn gives_back(&self, index: u32, node: &SpanNode, key_span: Option<Span>) -> bool {
        let at = NodeRef { tree: self, index };
        let first = self.nodes[index as usize].first;
        at.span() == node.span
            && key_span.is_none_or(|span| at.written_key_span() == span)
            && match &node.children {
                SpanChildren::Leaf => true,
                SpanChildren::Seq(items) => (first..)
                    .zip(items)
                    .all(|(i, item)| self.gives_back(i, item, None)),
                SpanChildren::Map(entries) => (first..)
                    .zip(entries)
                    .all(|(i, e)| self.gives_back(i, &e.value, Some(e.key_span))),
            }
    }

    /// Store every position of the subtree at `index` whole.
    fn keep_whole(&mut self, index: u32, node: &SpanNode, key_span: Option<Span>) {
        self.whole.insert((index, Which::Start), node.span.start);
        self.whole.insert((index, Which::End), node.span.end);
        if let Some(span) = key_span {
            self.whole.insert((index, Which::KeyStart), span.start);
            self.whole.insert((index, Which::KeyEnd), span.end);
        }
        let first = self.nodes[index as usize].first;
        match &node.children {
            SpanChildren::Leaf => {}
            SpanChildren::Seq(items) => {
                for (i, item) in (first..).zip(items) {
                    self.keep_whole(i, item, None);
                }
            }
            SpanChildren::Map(entries) => {
                for (i, entry) in (first..).zip(entries) {
                    self.keep_whole(i, &entry.value, Some(entry.key_span));
                }
            }
        }
    }

    /// Note one position: in the line table, or whole when it disagrees with an
    /// earlier position of its line (nothing to note when the lines are known).
    #[inline]
    fn record(
        &mut self,
        lines: &mut Option<LineTable>,
        node: u32,
        which: Which,
        position: Position,
    ) {
        if let Some(lines) = lines {
            if !lines.record(position) {
                self.whole.insert((node, which), position);
            }
        }
    }

    /// Fill node `index` from `node` (with its mapping key), then its children; the
    /// keys of a mapping's entries are those of `value`, the node's value.
    fn pack(
        &mut self,
        index: usize,
        node: &SpanNode,
        value: &Value,
        key: Option<(&str, Span)>,
        lines: &mut Option<LineTable>,
    ) {
        let id = to_u32(index);
        let mut packed = Packed {
            start: node.span.start.offset,
            end: node.span.end.offset,
            ..Packed::default()
        };
        self.record(lines, id, Which::Start, node.span.start);
        self.record(lines, id, Which::End, node.span.end);
        if let Some((text, span)) = key {
            self.key_at[index] = (to_u32(self.keys.len()), to_u32(text.len()));
            self.keys.push_str(text);
            packed.key_start = span.start.offset;
            packed.key_end = span.end.offset;
            self.record(lines, id, Which::KeyStart, span.start);
            self.record(lines, id, Which::KeyEnd, span.end);
        }
        let first = self.nodes.len();
        match &node.children {
            SpanChildren::Leaf => {}
            SpanChildren::Seq(items) => {
                packed.set(Kind::Seq, items.len());
                self.nodes.resize(first + items.len(), Packed::default());
                self.key_at.resize(first + items.len(), (0, 0));
                let values = value.as_array().map_or(&[][..], Vec::as_slice);
                debug_assert_eq!(values.len(), items.len(), "a sequence's spans and items");
                for (i, item) in items.iter().enumerate() {
                    let item_value = values.get(i).unwrap_or(&Value::Null);
                    self.pack(first + i, item, item_value, None, lines);
                }
            }
            SpanChildren::Map(entries) => {
                packed.set(Kind::Map, entries.len());
                self.nodes.resize(first + entries.len(), Packed::default());
                self.key_at.resize(first + entries.len(), (0, 0));
                let mut pairs = value.as_object().into_iter().flatten();
                debug_assert_eq!(
                    value.as_object().map_or(0, serde_json::Map::len),
                    entries.len(),
                    "a mapping's spans and entries"
                );
                for (i, entry) in entries.iter().enumerate() {
                    let (key, entry_value) = pairs
                        .next()
                        .map_or(("", &Value::Null), |(key, value)| (key.as_str(), value));
                    let key = Some((key, entry.key_span));
                    self.pack(first + i, &entry.value, entry_value, key, lines);
                }
            }
        }
        packed.first = to_u32(first);
        self.nodes[index] = packed;
    }

    /// Read keys and, when it is the same, the line table from the file's `source`
    /// from now on, and drop the copies: a no-op unless the text is ASCII (the tree's
    /// offsets count characters, the text's bytes).
    pub fn share(&mut self, source: &Source) {
        let text = source.text.as_bytes();
        if self.source.is_some() || !text.is_ascii() {
            return;
        }
        let mut aside = HashMap::new();
        let mut keys = String::new();
        for (index, (packed, &(at, len))) in self.nodes.iter_mut().zip(&self.key_at).enumerate() {
            let key = &self.keys[at as usize..(at + len) as usize];
            let written = text
                .get(packed.key_start as usize..packed.key_end as usize)
                .unwrap_or_default();
            if written == key.as_bytes() {
                continue;
            }
            if written.len() == key.len() + 2
                && written.first() == Some(&b'"')
                && written.last() == Some(&b'"')
                && &written[1..=key.len()] == key.as_bytes()
            {
                packed.len_kind |= QUOTED;
                continue;
            }
            aside.insert(to_u32(index), (to_u32(keys.len()), len));
            keys.push_str(key);
        }
        crate::memory::fit_string(&mut keys);
        self.keys = keys;
        self.aside = aside;
        self.key_at = Vec::new();
        // The source's table also starts the line after a final line break, where a
        // reader that numbers only the lines its positions are on stops: the same
        // table as far as every position of the tree goes.
        let theirs = source.line_starts();
        let last = self
            .nodes
            .iter()
            .map(|p| p.start.max(p.end).max(p.key_start).max(p.key_end))
            .max()
            .unwrap_or(0);
        if !self.line_starts.is_empty()
            && theirs.starts_with(&self.line_starts)
            && theirs
                .get(self.line_starts.len())
                .is_none_or(|&next| last < next)
        {
            self.line_starts = Vec::new();
            self.source_lines = true;
        }
        self.source = Some(source.clone());
    }

    /// The line table in use.
    fn lines(&self) -> &[u32] {
        match &self.source {
            Some(source) if self.source_lines => source.line_starts(),
            _ => &self.line_starts,
        }
    }

    /// The key of node `index` (empty for a node that is not a mapping entry).
    fn key(&self, index: u32) -> &str {
        let Some(source) = &self.source else {
            let (at, len) = self.key_at[index as usize];
            return &self.keys[at as usize..(at + len) as usize];
        };
        if let Some(&(at, len)) = self.aside.get(&index) {
            return &self.keys[at as usize..(at + len) as usize];
        }
        let packed = &self.nodes[index as usize];
        let (mut start, mut end) = (packed.key_start as usize, packed.key_end as usize);
        if packed.len_kind & QUOTED != 0 {
            (start, end) = (start + 1, end - 1);
        }
        source.text.get(start..end).unwrap_or_default()
    }

    /// The position at a character offset, from the line table.
    fn rebuild(&self, offset: u32) -> Option<Position> {
        let lines = self.lines();
        let line = lines.partition_point(|&start| start <= offset);
        let start = *lines.get(line.checked_sub(1)?)?;
        Some(Position {
            offset,
            line: to_u32(line),
            column: offset - start + 1,
        })
    }

    fn position(&self, node: u32, which: Which, offset: u32) -> Position {
        if !self.whole.is_empty() {
            if let Some(position) = self.whole.get(&(node, which)) {
                return *position;
            }
        }
        self.rebuild(offset).unwrap_or_default()
    }

    /// Whether any mapping key of the document passes `test` (one pass over the
    /// nodes, in no particular order).
    pub fn any_key(&self, mut test: impl FnMut(&str) -> bool) -> bool {
        // Entries of sequences and the root have no key text; neither has an empty
        // key, which no test here looks for.
        (0..to_u32(self.nodes.len())).any(|index| {
            let key = self.key(index);
            !key.is_empty() && test(key)
        })
    }

    /// How many nodes the document has (the root included): an upper bound for any
    /// copy of its values.
    #[must_use]
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The root node.
    #[must_use]
    pub fn root(&self) -> NodeRef<'_> {
        NodeRef {
            tree: self,
            index: 0,
        }
    }
}

/// The line table, built from the positions as they are packed: for each line with
/// a position on it, where the line starts (`offset − column + 1`, as the first
/// position seen on the line says).
#[derive(Default)]
struct LineTable {
    starts: Vec<u32>,
    /// The largest offset of a position on each line.
    last: Vec<u32>,
}

impl LineTable {
    /// Record a position; `false` when it cannot be rebuilt from the table (no line
    /// or column, or another start for its line).
    fn record(&mut self, position: Position) -> bool {
        let (Some(line), Some(before)) = (
            (position.line as usize).checked_sub(1),
            position.column.checked_sub(1),
        ) else {
            return false;
        };
        let Some(start) = position.offset.checked_sub(before) else {
            return false;
        };
        if line >= self.starts.len() {
            self.starts.resize(line + 1, u32::MAX);
            self.last.resize(line + 1, 0);
        }
        if self.starts[line] == u32::MAX {
            self.starts[line] = start;
        } else if self.starts[line] != start {
            return false;
        }
        self.last[line] = self.last[line].max(position.offset);
        true
    }

    /// The finished table: lines holding no position take the next known line's
    /// start. `None` when the table would not give every recorded position back
    /// (it decreases somewhere, or a line starts before a position of the line
    /// above it ends), which consistent positions never do.
    fn finish(self) -> Option<Vec<u32>> {
        let LineTable { mut starts, last } = self;
        let mut next = u32::MAX;
        for line in (0..starts.len()).rev() {
            if starts[line] == u32::MAX {
                starts[line] = next;
            } else {
                if next <= last[line] {
                    return None;
                }
                next = starts[line];
            }
        }
        starts.is_sorted().then_some(starts)
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A node of a [`SpanTree`].
#[derive(Debug, Clone, Copy)]
pub struct NodeRef<'a> {
    tree: &'a SpanTree,
    index: u32,
}

/// A mapping entry of a [`SpanTree`].
#[derive(Debug, Clone, Copy)]
pub struct EntryRef<'a> {
    /// The key, as it appears in the value.
    pub key: &'a str,
    /// The key's text.
    pub key_span: Span,
    /// The value's node.
    pub value: NodeRef<'a>,
}

impl<'a> NodeRef<'a> {
    fn packed(&self) -> &'a Packed {
        &self.tree.nodes[self.index as usize]
    }

    /// The node's own text (for collections: from the first to the last character).
    #[must_use]
    pub fn span(&self) -> Span {
        let packed = self.packed();
        Span::new(
            self.tree.position(self.index, Which::Start, packed.start),
            self.tree.position(self.index, Which::End, packed.end),
        )
    }

    /// The line the node starts on.
    #[must_use]
    pub fn start_line(&self) -> u32 {
        self.span().start.line
    }

    fn children(&self) -> impl DoubleEndedIterator<Item = NodeRef<'a>> + 'a {
        let packed = self.packed();
        let tree = self.tree;
        (packed.first..packed.first + packed.len()).map(move |index| NodeRef { tree, index })
    }

    /// The items of a sequence (nothing for other nodes).
    pub fn items(&self) -> impl Iterator<Item = NodeRef<'a>> + 'a {
        let is_seq = self.packed().kind() == Kind::Seq;
        self.children().filter(move |_| is_seq)
    }

    /// The entries of a mapping, in written order (nothing for other nodes).
    pub fn entries(&self) -> impl Iterator<Item = EntryRef<'a>> + 'a {
        let is_map = self.packed().kind() == Kind::Map;
        self.children()
            .filter(move |_| is_map)
            .map(NodeRef::as_entry)
    }

    /// The keys and value nodes of a mapping, in written order, without their
    /// spans (nothing for other nodes).
    pub fn keyed(&self) -> impl Iterator<Item = (&'a str, NodeRef<'a>)> + 'a {
        let is_map = self.packed().kind() == Kind::Map;
        self.children()
            .filter(move |_| is_map)
            .map(|child| (child.key(), child))
    }

    fn key(&self) -> &'a str {
        self.tree.key(self.index)
    }

    fn as_entry(self) -> EntryRef<'a> {
        EntryRef {
            key: self.key(),
            key_span: self.written_key_span(),
            value: self,
        }
    }

    fn written_key_span(&self) -> Span {
        let packed = self.packed();
        Span::new(
            self.tree
                .position(self.index, Which::KeyStart, packed.key_start),
            self.tree
                .position(self.index, Which::KeyEnd, packed.key_end),
        )
    }

    /// The span of the key this node is written under in `parent`, when `parent` is
    /// a mapping.
    #[must_use]
    pub fn key_span(&self, parent: NodeRef<'a>) -> Option<Span> {
        (parent.packed().kind() == Kind::Map).then(|| self.written_key_span())
    }

    /// Item `index` of a sequence (nothing for other nodes).
    #[must_use]
    pub fn item(&self, index: usize) -> Option<NodeRef<'a>> {
        let packed = self.packed();
        let index = u32::try_from(index).ok()?;
        (packed.kind() == Kind::Seq && index < packed.len()).then(|| NodeRef {
            tree: self.tree,
            index: packed.first + index,
        })
    }

    /// The child for one pointer token (for a key written twice, the last entry).
    #[must_use]
    pub fn child(&self, token: &str) -> Option<NodeRef<'a>> {
        match self.packed().kind() {
            Kind::Leaf => None,
            Kind::Seq => {
                let i: u32 = token.parse().ok()?;
                let packed = self.packed();
                (i < packed.len()).then(|| NodeRef {
                    tree: self.tree,
                    index: packed.first + i,
                })
            }
            Kind::Map => self.children().rev().find(|child| child.key() == token),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(offset: u32, line: u32, column: u32) -> Position {
        Position {
            offset,
            line,
            column,
        }
    }

    fn leaf(start: Position, end: Position) -> SpanNode {
        SpanNode::leaf(Span::new(start, end))
    }

    #[test]
    fn positions_come_back_exactly() {
        // a: [x, y]\nb: 1   (line 2 starts at offset 10)
        let root = SpanNode {
            span: Span::new(pos(0, 1, 1), pos(14, 2, 5)),
            children: SpanChildren::Map(vec![
                super::super::document::MapEntrySpan {
                    key_span: Span::new(pos(0, 1, 1), pos(1, 1, 2)),
                    value: SpanNode {
                        span: Span::new(pos(3, 1, 4), pos(9, 1, 10)),
                        children: SpanChildren::Seq(vec![
                            leaf(pos(4, 1, 5), pos(5, 1, 6)),
                            leaf(pos(7, 1, 8), pos(8, 1, 9)),
                        ]),
                    },
                },
                super::super::document::MapEntrySpan {
                    key_span: Span::new(pos(10, 2, 1), pos(11, 2, 2)),
                    value: leaf(pos(13, 2, 4), pos(14, 2, 5)),
                },
            ]),
        };
        let tree = SpanTree::new(&root, &serde_json::json!({"a": ["x", "y"], "b": 1}));
        assert!(tree.whole.is_empty());
        assert!(tree.any_key(|key| key == "b"));
        assert!(!tree.any_key(|key| key == "x" || key.is_empty()));
        let root_ref = tree.root();
        assert_eq!(root_ref.span(), root.span);
        let entries: Vec<EntryRef<'_>> = root_ref.entries().collect();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].key, "b");
        assert_eq!(entries[1].key_span, Span::new(pos(10, 2, 1), pos(11, 2, 2)));
        assert_eq!(
            entries[1].value.span(),
            Span::new(pos(13, 2, 4), pos(14, 2, 5))
        );
        let a = root_ref.child("a").unwrap();
        assert_eq!(
            a.key_span(root_ref),
            Some(Span::new(pos(0, 1, 1), pos(1, 1, 2)))
        );
        let items: Vec<Span> = a.items().map(|i| i.span()).collect();
        assert_eq!(items[1], Span::new(pos(7, 1, 8), pos(8, 1, 9)));
        assert!(a.child("2").is_none());
        assert_eq!(a.item(1).map(|item| item.span()), Some(items[1]));
        assert!(a.item(2).is_none() && root_ref.item(0).is_none());
        assert!(a.entries().next().is_none());
        let keyed: Vec<(&str, Span)> = root_ref.keyed().map(|(k, n)| (k, n.span())).collect();
        assert_eq!(
            keyed,
            [
                ("a", Span::new(pos(3, 1, 4), pos(9, 1, 10))),
                ("b", Span::new(pos(13, 2, 4), pos(14, 2, 5)))
            ]
        );
        assert!(a.keyed().next().is_none());
    }

    #[test]
    fn positions_the_table_cannot_give_are_kept_whole() {
        // Two positions on line 1 that disagree on where the line starts.
        let root = SpanNode {
            span: Span::new(pos(0, 1, 1), pos(9, 1, 3)),
            children: SpanChildren::Seq(vec![leaf(Position::default(), Position::default())]),
        };
        let tree = SpanTree::new(&root, &serde_json::json!([1]));
        assert_eq!(tree.root().span(), root.span);
        let item = tree.root().items().next().unwrap();
        assert_eq!(item.span(), Span::default());
    }

    #[test]
    fn a_table_that_would_decrease_keeps_every_position_whole() {
        // Line 2 would start before line 1.
        let root = SpanNode {
            span: Span::new(pos(10, 1, 1), pos(6, 2, 2)),
            children: SpanChildren::Seq(vec![leaf(pos(11, 1, 2), pos(12, 1, 3))]),
        };
        let tree = SpanTree::new(&root, &serde_json::json!([1]));
        assert!(tree.line_starts.is_empty());
        assert_eq!(tree.root().span(), root.span);
        let item = tree.root().items().next().unwrap();
        assert_eq!(item.span(), Span::new(pos(11, 1, 2), pos(12, 1, 3)));
    }

    /// Every key and position of a parsed document, in written order.
    fn walk(node: NodeRef<'_>, out: &mut Vec<(String, Span, Option<Span>)>) {
        for entry in node.entries() {
            out.push((
                entry.key.to_owned(),
                entry.value.span(),
                Some(entry.key_span),
            ));
            walk(entry.value, out);
        }
        for item in node.items() {
            out.push((String::new(), item.span(), None));
            walk(item, out);
        }
    }

    fn shared_and_not(path: &str, text: &str) -> (SpanTree, SpanTree) {
        let loaded = crate::load::parse_text(
            std::path::Path::new(path),
            text.to_owned(),
            &crate::load::LoadLimits::default(),
        );
        let shared = loaded.document.expect("one document").spans;
        let source =
            std::sync::Arc::new(crate::source::SourceFile::new(path.into(), text.to_owned()));
        let output = match crate::load::Syntax::of(std::path::Path::new(path)) {
            crate::load::Syntax::Yaml => {
                crate::load::yaml::parse(&source, &crate::load::LoadLimits::default())
            }
            crate::load::Syntax::Json => {
                crate::load::json::parse(&source, &crate::load::LoadLimits::default())
            }
        };
        let own = output
            .documents
            .into_iter()
            .next()
            .expect("one document")
            .spans;
        (shared, own)
    }

    #[test]
    fn a_shared_tree_reads_keys_and_lines_from_the_text() {
        let text = "plain: 1\n\"quoted\": [a, b]\n\"esc\\taped\": {x: y}\n'single': 2\n";
        let (shared, own) = shared_and_not("a.yaml", text);
        assert!(shared.source.is_some() && own.source.is_none());
        // Only the keys the text does not give back as written are stored.
        let aside: Vec<&str> = shared
            .aside
            .values()
            .map(|&(at, len)| &shared.keys[at as usize..(at + len) as usize])
            .collect();
        assert_eq!(shared.aside.len(), 2, "{aside:?}");
        assert!(aside.contains(&"esc\taped") && aside.contains(&"single"));
        assert!(shared.source_lines && shared.line_starts.is_empty());
        let (mut a, mut b) = (Vec::new(), Vec::new());
        walk(shared.root(), &mut a);
        walk(own.root(), &mut b);
        assert_eq!(a, b);
        assert_eq!(a[0].0, "plain");
        assert_eq!(a[1].0, "quoted");
        assert!(shared.any_key(|k| k == "esc\taped") && shared.any_key(|k| k == "single"));
        assert_eq!(
            shared
                .root()
                .child("quoted")
                .and_then(|q| q.item(1))
                .map(|n| n.span()),
            own.root()
                .child("quoted")
                .and_then(|q| q.item(1))
                .map(|n| n.span())
        );
    }

    #[test]
    fn a_tree_the_slower_reader_built_gives_the_same_keys_and_positions() {
        // A complex key: read by the event parser, whose line table is rebuilt.
        let text = "plain: 1\n? complex\n: [a, b]\n\"q\": 2\n";
        let (shared, own) = shared_and_not("a.yaml", text);
        assert!(shared.source.is_some() && shared.aside.is_empty());
        let (mut a, mut b) = (Vec::new(), Vec::new());
        walk(shared.root(), &mut a);
        walk(own.root(), &mut b);
        assert_eq!(a, b);
        assert_eq!(a[1].0, "complex");
    }

    #[test]
    fn json_keys_in_quotes_come_from_the_text_too() {
        let text = "{\"name\": \"x\", \"a\\u0062\": [1, {\"deep\": true}]}\n";
        let (shared, own) = shared_and_not("a.json", text);
        assert_eq!(shared.aside.len(), 1);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        walk(shared.root(), &mut a);
        walk(own.root(), &mut b);
        assert_eq!(a, b);
        assert!(shared.root().child("ab").is_some());
    }

    #[test]
    fn a_text_that_is_not_ascii_keeps_its_own_keys() {
        let text = "name: café\nroutes:\n  - uri: /\n";
        let (shared, own) = shared_and_not("a.yaml", text);
        assert!(shared.source.is_none() && !shared.key_at.is_empty());
        let (mut a, mut b) = (Vec::new(), Vec::new());
        walk(shared.root(), &mut a);
        walk(own.root(), &mut b);
        assert_eq!(a, b);
    }

    #[test]
    fn a_line_table_unlike_the_sources_is_kept() {
        // A lone carriage return breaks a YAML line but not the source's table.
        let text = "a: 1\rb: 2\n";
        let (shared, own) = shared_and_not("a.yaml", text);
        assert!(shared.source.is_some() && !shared.source_lines);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        walk(shared.root(), &mut a);
        walk(own.root(), &mut b);
        assert_eq!(a, b);
    }
}

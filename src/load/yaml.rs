//! YAML → [`Document`]s with a span for every node.
//!
//! Builds values from saphyr-parser's event stream (`serde_yaml` has no positions and is
//! deprecated upstream). Owns YAML 1.2 core-schema typing, anchors and aliases (with
//! an expansion budget against alias bombs), `<<` merge keys, a nesting cap, and the
//! YAML-specific findings: duplicate keys, YAML 1.1 booleans, leading-zero numbers,
//! complex keys and syntax errors. Multi-document streams are returned whole; the
//! caller decides what more than one document means. Files in plain block style are
//! read by [`super::yaml_fast`], which gives the same events faster; everything else
//! goes to saphyr-parser.

use super::document::{Document, MapEntrySpan, SpanChildren, SpanNode};
use super::span_tree::{SpanTree, TreeSize};
use super::{LoadLimits, ParseOutput};
use crate::finding::{Finding, Location, Severity};
use crate::source::{to_u32, Position, Source, Span};
use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span as YamlSpan, Tag};
use serde_json::{Map, Number, Value};
use std::collections::HashMap;
use std::hash::BuildHasher as _;

/// Parse every document of a YAML stream.
#[must_use]
pub fn parse(source: &Source, limits: &LoadLimits) -> ParseOutput {
    let mut builder = Builder::new(source, limits);
    if let Some(at) = first_non_printable(&source.text) {
        builder.fail(non_printable(source, at));
        return builder.finish();
    }
    // The fast reader numbers lines as the source does: the spans take the
    // source's table instead of rebuilding one from their positions.
    builder.line_starts = source
        .text
        .ends_with('\n')
        .then(|| source.line_starts().to_vec());
    let fast = super::yaml_fast::read(&source.text, |event, span| builder.event(event, span));
    if matches!(fast, super::yaml_fast::Outcome::Done) {
        return builder.finish();
    }
    // Outside the fast reader's subset, or stopped by a limit: start again with the
    // full parser, so every message and position is saphyr's.
    let mut builder = Builder::new(source, limits);
    let mut parser = Parser::new_from_str(&source.text);
    loop {
        match parser.next_event() {
            None => break,
            Some(Ok((event, span))) => {
                if let Err(stop) = builder.event(event, span) {
                    builder.fail(stop);
                    break;
                }
            }
            Some(Err(err)) => {
                let pos = position(*err.marker());
                // The scanner has its own nesting limit for flow collections.
                let stop = if err.info().contains("recursion limit") {
                    Stop {
                        rule: "parse/too-deep",
                        message: format!(
                            "nesting too deep ({}); the file is not loaded",
                            err.info()
                        ),
                        help: "gateway configuration never needs this depth; flatten the structure"
                            .into(),
                        span: one_char(source, pos),
                    }
                } else if let Some(tab) = err
                    .info()
                    .contains("tab")
                    .then(|| indenting_tab(source, pos))
                    .flatten()
                {
                    Stop {
                        rule: "parse/syntax",
                        message: format!(
                            "invalid YAML: a tab indents this line; YAML indents with spaces only ({})",
                            err.info()
                        ),
                        help: "replace the tab with spaces".into(),
                        span: one_char(source, tab),
                    }
                } else {
                    Stop {
                        rule: "parse/syntax",
                        message: format!("invalid YAML: {}", err.info()),
                        help: "fix the YAML syntax at this position".into(),
                        span: one_char(source, pos),
                    }
                };
                builder.fail(stop);
                break;
            }
        }
    }
    builder.finish()
}

/// A problem that ends the parse of a file.
struct Stop {
    rule: &'static str,
    message: String,
    help: String,
    span: Span,
}

/// A node that has been completely built.
struct Node {
    value: Value,
    spans: SpanNode,
    /// Whether it is a plain `<<` scalar (a merge key when used as a key).
    merge_key: bool,
}

/// A collection under construction.
enum Frame {
    Seq {
        start: Span,
        anchor: usize,
        /// Where the last child written so far ends.
        last_end: Option<Position>,
        items: Vec<Value>,
        spans: Vec<SpanNode>,
    },
    Map {
        start: Span,
        anchor: usize,
        /// Where the last key or value written so far ends.
        last_end: Option<Position>,
        /// Keys and values in written order, one pair per key (a repeated key's
        /// value replaces the first one's); the map is built with its exact size
        /// when the mapping ends (an environment keeps every map until the end).
        pairs: Vec<(String, Value)>,
        /// The spans of the pairs, side by side with them.
        entries: Vec<MapEntrySpan>,
        /// Where each key is among the pairs, once there are many of them.
        index: KeyIndex,
        key: Option<PendingKey>,
        merges: Vec<Node>,
    },
}

/// Finds a key among the pairs of a mapping under construction, to report a
/// duplicate: a linear search while the mapping is small (most are), then a hash
/// table of positions, so a mapping of n keys costs O(n) instead of O(n²).
#[derive(Default)]
struct KeyIndex {
    /// Positions in the pairs, hashed by their key; empty until the mapping has
    /// [`KeyIndex::FROM`] keys.
    table: hashbrown::HashTable<usize>,
}

impl KeyIndex {
    /// The number of keys from which the table is kept.
    const FROM: usize = 16;

    /// Where `key` is among `pairs`.
    fn position(
        &self,
        pairs: &[(String, Value)],
        key: &str,
        hasher: &foldhash::fast::RandomState,
    ) -> Option<usize> {
        if pairs.len() < Self::FROM {
            return pairs.iter().position(|(written, _)| written == key);
        }
        self.table
            .find(hasher.hash_one(key), |&at| pairs[at].0 == key)
            .copied()
    }

    /// Take note of the pair just pushed last onto `pairs`.
    fn pushed(&mut self, pairs: &[(String, Value)], hasher: &foldhash::fast::RandomState) {
        let hash = |at: &usize| hasher.hash_one(pairs[*at].0.as_str());
        match pairs.len() {
            n if n < Self::FROM => {}
            n if n == Self::FROM => {
                self.table.reserve(n, hash);
                for at in 0..n {
                    self.table.insert_unique(hash(&at), at, hash);
                }
            }
            n => {
                self.table.insert_unique(hash(&(n - 1)), n - 1, hash);
            }
        }
    }
}

/// A key waiting for its value.
struct PendingKey {
    text: String,
    span: Span,
    merge: bool,
}

/// An anchored node kept for aliases.
struct Anchored {
    value: Value,
    spans: SpanNode,
    /// Nodes in the subtree, charged to the alias budget on every use.
    nodes: usize,
    /// Nesting depth of the subtree (a scalar is 0), checked against the cap on use.
    depth: usize,
}

struct Builder<'a> {
    source: &'a Source,
    limits: &'a LoadLimits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    expanded: usize,
    documents: Vec<Document>,
    findings: Vec<Finding>,
    failed: bool,
    /// Emptied lists of closed collections, reused by the next ones opened so
    /// their growth is paid once per file rather than once per collection.
    spare_items: Vec<Vec<Value>>,
    spare_pairs: Vec<Vec<(String, Value)>>,
    spare_spans: Vec<Vec<SpanNode>>,
    spare_entries: Vec<Vec<MapEntrySpan>>,
    /// Where each line starts, when the reader's positions are known to lie on
    /// these lines; taken by the first document.
    line_starts: Option<Vec<u32>>,
    /// What the current document's spans will hold, so they are allocated once.
    size: TreeSize,
    /// Hashes the keys of large mappings (seeded per process).
    hasher: foldhash::fast::RandomState,
}

impl<'a> Builder<'a> {
    fn new(source: &'a Source, limits: &'a LoadLimits) -> Self {
        Builder {
            source,
            limits,
            stack: Vec::new(),
            anchors: HashMap::new(),
            expanded: 0,
            documents: Vec::new(),
            findings: Vec::new(),
            failed: false,
            spare_items: Vec::new(),
            spare_pairs: Vec::new(),
            spare_spans: Vec::new(),
            spare_entries: Vec::new(),
            line_starts: None,
            size: TreeSize::default(),
            hasher: foldhash::fast::RandomState::default(),
        }
    }

    fn finish(self) -> ParseOutput {
        ParseOutput {
            documents: if self.failed {
                Vec::new()
            } else {
                self.documents
            },
            findings: self.findings,
            failed: self.failed,
        }
    }

    fn fail(&mut self, stop: Stop) {
        self.failed = true;
        let finding = Finding::new(
            stop.rule,
            Severity::Error,
            stop.message,
            stop.help,
            self.location(stop.span, String::new()),
        );
        self.findings.push(finding);
    }

    fn location(&self, span: Span, pointer: String) -> Location {
        Location {
            source: self.source.clone(),
            span,
            pointer,
        }
    }

    fn warn(&mut self, rule: &str, message: String, help: &str, span: Span) {
        let pointer = self.current_pointer();
        let finding = Finding::new(
            rule,
            Severity::Warning,
            message,
            help,
            self.location(span, pointer),
        );
        self.findings.push(finding);
    }

    /// JSON pointer of the node being completed, from the open collections.
    fn current_pointer(&self) -> String {
        let mut pointer = String::new();
        for frame in &self.stack {
            match frame {
                Frame::Seq { items, .. } => {
                    pointer.push('/');
                    pointer.push_str(&items.len().to_string());
                }
                Frame::Map { key: Some(k), .. } => {
                    pointer = super::document::join_pointer(&pointer, &k.text);
                }
                Frame::Map { key: None, .. } => {}
            }
        }
        pointer
    }

    fn event(&mut self, event: Event<'_>, span: YamlSpan) -> Result<(), Stop> {
        let span = convert_span(span);
        match event {
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => Ok(()),
            Event::DocumentStart(_) => {
                // Anchors are scoped to their document.
                self.anchors.clear();
                self.size = TreeSize::default();
                Ok(())
            }
            Event::Scalar(text, style, anchor, tag) => {
                let node = self.scalar(&text, style, tag.as_deref(), span);
                self.remember(anchor, &node);
                self.complete(node)
            }
            Event::Alias(id) => {
                let node = self.alias(id, span)?;
                self.complete(node)
            }
            Event::SequenceStart(anchor, _) => {
                let items = self.spare_items.pop().unwrap_or_default();
                let spans = self.spare_spans.pop().unwrap_or_default();
                self.open(Frame::Seq {
                    start: span,
                    anchor,
                    last_end: None,
                    items,
                    spans,
                })
            }
            Event::MappingStart(anchor, _) => {
                let pairs = self.spare_pairs.pop().unwrap_or_default();
                let entries = self.spare_entries.pop().unwrap_or_default();
                self.open(Frame::Map {
                    start: span,
                    anchor,
                    last_end: None,
                    pairs,
                    entries,
                    index: KeyIndex::default(),
                    key: None,
                    merges: Vec::new(),
                })
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let (node, anchor) = self.close(frame, span);
                self.remember(anchor, &node);
                self.complete(node)
            }
        }
    }

    fn open(&mut self, frame: Frame) -> Result<(), Stop> {
        if self.stack.len() >= self.limits.max_depth {
            let span = match &frame {
                Frame::Seq { start, .. } | Frame::Map { start, .. } => *start,
            };
            return Err(self.too_deep(span));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn too_deep(&self, span: Span) -> Stop {
        Stop {
            rule: "parse/too-deep",
            message: format!(
                "nesting deeper than {} levels; the file is not loaded",
                self.limits.max_depth
            ),
            help: "gateway configuration never needs this depth; flatten the structure".into(),
            span,
        }
    }

    fn close(&mut self, frame: Frame, end: Span) -> (Node, usize) {
        match frame {
            Frame::Seq {
                start,
                anchor,
                last_end,
                mut items,
                mut spans,
            } => {
                // Allocated at its exact length (an environment may keep every
                // value until the end); the list goes back for reuse.
                let value = Value::Array(take_exact(&mut items));
                self.spare_items.push(items);
                let children = SpanChildren::Seq(take_exact(&mut spans));
                self.spare_spans.push(spans);
                let span = collection_span(start, end, last_end);
                let node = Node {
                    value,
                    spans: SpanNode { span, children },
                    merge_key: false,
                };
                (node, anchor)
            }
            Frame::Map {
                start,
                anchor,
                last_end,
                mut pairs,
                mut entries,
                merges,
                ..
            } => {
                // Every key once, in written order.
                let mut map = Map::with_capacity(pairs.len());
                for (key, value) in pairs.drain(..) {
                    map.insert(key, value);
                }
                self.spare_pairs.push(pairs);
                for merged in merges {
                    apply_merge(&mut map, &mut entries, merged);
                }
                let children = SpanChildren::Map(take_exact(&mut entries));
                self.spare_entries.push(entries);
                let span = collection_span(start, end, last_end);
                let node = Node {
                    value: Value::Object(map),
                    spans: SpanNode { span, children },
                    merge_key: false,
                };
                (node, anchor)
            }
        }
    }

    /// Attach a completed node to the open collection, or finish a document.
    fn complete(&mut self, node: Node) -> Result<(), Stop> {
        let Some(frame) = self.stack.last_mut() else {
            let document = match self.line_starts.take() {
                Some(starts) => Document {
                    spans: SpanTree::with_line_starts(
                        &node.spans,
                        &node.value,
                        starts,
                        std::mem::take(&mut self.size),
                    ),
                    value: node.value,
                },
                None => Document::new(node.value, &node.spans),
            };
            self.documents.push(document);
            return Ok(());
        };
        match frame {
            Frame::Seq {
                items,
                spans,
                last_end,
                ..
            } => {
                *last_end = Some(node.spans.span.end);
                self.size.nodes += 1;
                items.push(node.value);
                spans.push(node.spans);
                Ok(())
            }
            Frame::Map { key, last_end, .. } => match key.take() {
                None => {
                    *last_end = Some(node.spans.span.end);
                    self.set_key(node)
                }
                Some(pending) => {
                    *last_end = Some(node.spans.span.end);
                    self.insert(pending, node);
                    Ok(())
                }
            },
        }
    }

    fn set_key(&mut self, node: Node) -> Result<(), Stop> {
        let text = match node.value {
            Value::String(s) => s,
            Value::Null => String::new(),
            ref scalar @ (Value::Bool(_) | Value::Number(_)) => scalar_text(scalar),
            Value::Array(_) | Value::Object(_) => {
                return Err(Stop {
                    rule: "parse/complex-key",
                    message: "a mapping key is itself a mapping or sequence".into(),
                    help: "use a plain string key; complex keys have no JSON form".into(),
                    span: node.spans.span,
                })
            }
        };
        if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
            *key = Some(PendingKey {
                text,
                span: node.spans.span,
                merge: node.merge_key,
            });
        }
        Ok(())
    }

    fn insert(&mut self, pending: PendingKey, node: Node) {
        if pending.merge && matches!(node.value, Value::Object(_) | Value::Array(_)) {
            if let Some(Frame::Map { merges, .. }) = self.stack.last_mut() {
                merges.push(node);
            }
            return;
        }
        let duplicate = match self.stack.last() {
            Some(Frame::Map {
                pairs,
                entries,
                index,
                ..
            }) => index
                .position(pairs, &pending.text, &self.hasher)
                .map(|at| (at, entries[at].key_span)),
            _ => None,
        };
        if let Some((_, first)) = duplicate {
            self.duplicate_key(&pending, first);
        }
        if let Some(Frame::Map {
            pairs,
            entries,
            index,
            ..
        }) = self.stack.last_mut()
        {
            let entry = MapEntrySpan {
                key_span: pending.span,
                value: node.spans,
            };
            // The last value wins and keeps the first one's place, so the pairs and
            // the entries stay side by side, one per key.
            if let Some((at, _)) = duplicate {
                entries[at] = entry;
                pairs[at].1 = node.value;
            } else {
                self.size.nodes += 1;
                self.size.key_bytes += pending.text.len();
                entries.push(entry);
                pairs.push((pending.text, node.value));
                index.pushed(pairs, &self.hasher);
            }
        }
    }

    fn duplicate_key(&mut self, pending: &PendingKey, first: Span) {
        let pointer = self.current_pointer();
        let pointer = super::document::join_pointer(&pointer, &pending.text);
        let finding = Finding::new(
            "parse/duplicate-key",
            Severity::Error,
            format!("duplicate mapping key `{}`", pending.text),
            "remove one of the two entries; YAML forbids duplicate keys and loaders \
             disagree on which one wins",
            self.location(pending.span, pointer.clone()),
        )
        .with_related("first defined here", self.location(first, pointer));
        self.findings.push(finding);
    }

    /// Keep an anchored node for its aliases (anchor 0: the node has none).
    #[inline]
    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor != 0 {
            self.keep_anchored(anchor, node);
        }
    }

    #[cold]
    fn keep_anchored(&mut self, anchor: usize, node: &Node) {
        self.anchors.insert(
            anchor,
            Anchored {
                value: node.value.clone(),
                spans: node.spans.clone(),
                nodes: node.spans.count(),
                depth: depth(&node.spans),
            },
        );
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<Node, Stop> {
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(Stop {
                rule: "parse/syntax",
                message: "alias to an unknown anchor".into(),
                help: "define the anchor (`&name`) before using it".into(),
                span,
            });
        };
        if self.stack.len() + anchored.depth > self.limits.max_depth {
            return Err(self.too_deep(span));
        }
        self.expanded += anchored.nodes;
        if self.expanded > self.limits.max_alias_nodes {
            return Err(Stop {
                rule: "parse/alias-budget",
                message: format!(
                    "aliases expand to more than {} nodes; the file is not loaded",
                    self.limits.max_alias_nodes
                ),
                help: "this looks like an alias bomb (\"billion laughs\"); write the data out \
                       or use fewer nested aliases"
                    .into(),
                span,
            });
        }
        let mut spans = anchored.spans.clone();
        spans.span = span;
        Ok(Node {
            value: anchored.value.clone(),
            spans,
            merge_key: false,
        })
    }

    fn scalar(&mut self, text: &str, style: ScalarStyle, tag: Option<&Tag>, span: Span) -> Node {
        let plain = style == ScalarStyle::Plain;
        let value = match tag {
            None if plain => {
                self.check_yaml11(text, span);
                resolve_plain(text).unwrap_or_else(|| Value::String(text.to_owned()))
            }
            Some(tag) if tag.is_yaml_core_schema() && tag.suffix != "str" => {
                resolve_plain(text).unwrap_or_else(|| Value::String(text.to_owned()))
            }
            Some(_) | None => Value::String(text.to_owned()),
        };
        // A block scalar's span runs on to where the next token starts; end it at its
        // last character instead, so labels and masks stay on the value.
        let span = if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            trim_trailing_space(self.source, span)
        } else {
            span
        };
        Node {
            value,
            spans: SpanNode::leaf(span),
            merge_key: plain && tag.is_none() && text == "<<",
        }
    }

    /// Warn about plain scalars whose meaning changed between YAML 1.1 and 1.2.
    fn check_yaml11(&mut self, text: &str, span: Span) {
        let is_key = matches!(self.stack.last(), Some(Frame::Map { key: None, .. }));
        if is_key {
            return;
        }
        if is_yaml11_bool(text) {
            let meaning = if matches!(text.as_bytes()[0], b'y' | b'Y' | b'o' | b'O')
                && !text.eq_ignore_ascii_case("off")
            {
                "true"
            } else {
                "false"
            };
            self.warn(
                "parse/yaml11-boolean",
                format!(
                    "`{text}` is the string \"{text}\" in YAML 1.2 but the boolean {meaning} in YAML 1.1"
                ),
                "write `true`/`false` for a boolean, or quote the value for a string",
                span,
            );
        } else if is_leading_zero_number(text) {
            self.warn(
                "parse/leading-zero-number",
                format!(
                    "`{text}` is the decimal number {} in YAML 1.2 but may be read as octal by YAML 1.1 tools",
                    text.trim_start_matches(['+', '-']).trim_start_matches('0')
                ),
                "drop the leading zero, or quote the value if it is a string (e.g. a zip code)",
                span,
            );
        }
    }
}

/// Nesting depth of a span tree: 0 for a scalar, 1 for a flat collection.
/// The elements of `list`, moved into a list of their exact length; `list` is left
/// empty with its room, for reuse.
fn take_exact<T>(list: &mut Vec<T>) -> Vec<T> {
    let mut exact = Vec::with_capacity(list.len());
    exact.append(list);
    exact
}

fn depth(node: &SpanNode) -> usize {
    match &node.children {
        SpanChildren::Leaf => 0,
        SpanChildren::Seq(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        SpanChildren::Map(entries) => {
            1 + entries.iter().map(|e| depth(&e.value)).max().unwrap_or(0)
        }
    }
}

/// Merge a `<<` value into a mapping: keys already present win, and among several
/// merged mappings the earlier one wins.
fn apply_merge(map: &mut Map<String, Value>, entries: &mut Vec<MapEntrySpan>, merged: Node) {
    let sources: Vec<(Value, SpanNode)> = match merged.value {
        Value::Object(_) => vec![(merged.value, merged.spans)],
        Value::Array(items) => {
            let spans = match merged.spans.children {
                SpanChildren::Seq(s) => s,
                _ => Vec::new(),
            };
            items.into_iter().zip(spans).collect()
        }
        _ => Vec::new(),
    };
    for (value, spans) in sources {
        let (Value::Object(source_map), SpanChildren::Map(source_entries)) =
            (value, spans.children)
        else {
            continue;
        };
        // A mapping's entries are its map's keys, in order.
        for ((key, value), entry) in source_map.into_iter().zip(source_entries) {
            if map.contains_key(&key) {
                continue;
            }
            entries.push(entry);
            map.insert(key, value);
        }
    }
}

/// Resolve a plain scalar with the YAML 1.2 core schema; `None` means "a string".
#[must_use]
pub fn resolve_plain(text: &str) -> Option<Value> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    if let Some(n) = resolve_int(text) {
        return Some(n);
    }
    resolve_float(text)
}

fn resolve_int(text: &str) -> Option<Value> {
    if let Some(oct) = text.strip_prefix("0o") {
        return radix_int(oct, 8);
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return radix_int(hex, 16);
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let unsigned = text.strip_prefix('+').unwrap_or(text);
    if let Ok(i) = unsigned.parse::<i64>() {
        return Some(Value::Number(i.into()));
    }
    if let Ok(u) = unsigned.parse::<u64>() {
        return Some(Value::Number(u.into()));
    }
    unsigned
        .parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map(Value::Number)
}

fn radix_int(digits: &str, radix: u32) -> Option<Value> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix)
        .ok()
        .map(|u| Value::Number(u.into()))
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`, plus `.inf`
/// and `.nan`, which JSON cannot hold and so stay strings.
fn resolve_float(text: &str) -> Option<Value> {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int_part, frac_part) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], Some(&mantissa[i + 1..])),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match frac_part {
        None => !int_part.is_empty() && all_digits(int_part),
        Some(frac) if int_part.is_empty() => !frac.is_empty() && all_digits(frac),
        Some(frac) => all_digits(int_part) && all_digits(frac),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let digits = e.strip_prefix(['-', '+']).unwrap_or(e);
        !digits.is_empty() && all_digits(digits)
    });
    if !(mantissa_ok && exponent_ok) {
        return None;
    }
    text.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map(Value::Number)
}

fn is_yaml11_bool(text: &str) -> bool {
    matches!(
        text,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    )
}

fn is_leading_zero_number(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The text a non-string scalar key stands for.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

fn position(marker: Marker) -> Position {
    Position {
        offset: to_u32(marker.index()),
        line: to_u32(marker.line().max(1)),
        column: to_u32(marker.col() + 1),
    }
}

fn convert_span(span: YamlSpan) -> Span {
    Span::new(position(span.start), position(span.end))
}

/// The byte offset of the first character YAML does not allow in a stream: control
/// characters other than tab and line ends, DEL, the C1 controls but NEL, and U+FFFE and
/// U+FFFF (YAML 1.2, `c-printable`). libyaml (APISIX) and js-yaml (ADC) refuse such a
/// file, and on a terminal such characters can hide or rewrite what is shown.
fn first_non_printable(text: &str) -> Option<usize> {
    const CHUNK: usize = 64;
    // A byte that is, or may start, a character outside `c-printable`.
    let suspect = |b: u8| {
        (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f || b == 0xc2 || b == 0xef
    };
    let bytes = text.as_bytes();
    let mut chunk_start = 0;
    for chunk in bytes.chunks(CHUNK) {
        // No early exit inside a chunk, so the test runs on many bytes at once.
        if chunk.iter().fold(false, |any, &b| any | suspect(b)) {
            for (i, &b) in chunk.iter().enumerate() {
                let at = chunk_start + i;
                if suspect(b) && text.is_char_boundary(at) {
                    let c = text[at..].chars().next().unwrap_or(' ');
                    if !is_yaml_printable(c) {
                        return Some(at);
                    }
                }
            }
        }
        chunk_start += chunk.len();
    }
    None
}

/// YAML 1.2 `c-printable` (the BOM, U+FEFF, is printable).
fn is_yaml_printable(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n'
            | '\r'
            | ' '..='~'
            | '\u{85}'
            | '\u{a0}'..='\u{d7ff}'
            | '\u{e000}'..='\u{fffd}'
            | '\u{10000}'..
    )
}

fn non_printable(source: &Source, at: usize) -> Stop {
    let c = source.text[at..].chars().next().unwrap_or(' ');
    let kind = if c.is_control() {
        "a control character"
    } else {
        "a non-character"
    };
    Stop {
        rule: "parse/syntax",
        message: format!(
            "invalid YAML: U+{:04X}, {kind}, is not allowed in a YAML file; the file is not loaded",
            u32::from(c)
        ),
        help: "remove it; in a double-quoted string, write it as an escape such as `\\x1b`".into(),
        span: one_char(source, source.position_of_byte(at)),
    }
}

/// A span covering one character at `pos` (or nothing at the end of the file).
/// The tab a tab error is about: the first tab in the indentation of the error's
/// line or of the line after it (saphyr reports such an error where the scalar or
/// the block it interrupts starts, often the line before the tab).
fn indenting_tab(source: &Source, pos: Position) -> Option<Position> {
    let first_line = pos.line;
    (first_line..=first_line + 1)
        .filter(|line| (*line as usize) <= source.line_count())
        .find_map(|line| {
            let text = source.line_text(line);
            let indent = text.len() - text.trim_start_matches([' ', '\t']).len();
            let column = text[..indent].find('\t')?;
            let start = source.byte_offset(Position {
                offset: 0,
                line,
                column: 1,
            });
            Some(source.position_of_byte(start + column))
        })
}

fn one_char(source: &Source, pos: Position) -> Span {
    let byte = source.byte_offset(pos);
    match source.text[byte..].chars().next() {
        Some(c) if c != '\n' && c != '\r' => Span::new(
            pos,
            Position {
                offset: pos.offset + 1,
                line: pos.line,
                column: pos.column + 1,
            },
        ),
        _ => Span::point(pos),
    }
}

/// `span` without the white space at its end.
fn trim_trailing_space(source: &Source, span: Span) -> Span {
    let range = source.byte_range(span);
    let kept = source.text[range.clone()].trim_end().len();
    Span::new(span.start, source.position_of_byte(range.start + kept))
}

/// The span of a collection: from its start event to its end event, or to the end of
/// its last child when the end event is empty (block collections end where the next
/// token starts, which may be lines later).
fn collection_span(start: Span, end: Span, last_child_end: Option<Position>) -> Span {
    let end_pos = if end.end > end.start {
        end.end
    } else {
        last_child_end.map_or(start.end, |c| c.max(start.end))
    };
    Span::new(start.start, end_pos.max(start.start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::span_tree::NodeRef;
    use crate::source::SourceFile;
    use serde_json::json;
    use std::sync::Arc;

    fn run_with(text: &str, limits: &LoadLimits) -> ParseOutput {
        let source = Arc::new(SourceFile::new("x.yaml".into(), text.into()));
        parse(&source, limits)
    }

    fn run(text: &str) -> ParseOutput {
        run_with(text, &LoadLimits::default())
    }

    /// `(start line, start column, end line, end column)` of a span.
    fn lc(span: Span) -> (u32, u32, u32, u32) {
        (
            span.start.line,
            span.start.column,
            span.end.line,
            span.end.column,
        )
    }

    fn rules(output: &ParseOutput) -> Vec<&str> {
        output.findings.iter().map(|f| f.rule.as_str()).collect()
    }

    const ADC: &str = "\
services:
  - name: é-svc
    upstream:
      nodes:
        - host: 10.0.0.1
          port: 80
    routes: [a, b]

consumers: []
";

    #[test]
    fn a_node_is_found_by_pointer_only_where_it_exists() {
        let output = run(ADC);
        let document = &output.documents[0];
        let port = document.node("/services/0/upstream/nodes/0/port").unwrap();
        assert_eq!(lc(port.span()), (6, 17, 6, 19));
        assert_eq!(
            port.span(),
            document.locate("/services/0/upstream/nodes/0/port").span
        );
        let route = document.node("/services/0/routes/1").unwrap();
        assert_eq!(lc(route.span()), (7, 17, 7, 18));
        assert!(document.node("/services/0/upstream/nodes/1").is_none());
        assert!(document.node("/services/0/hosts").is_none());
        assert_eq!(document.node("").unwrap().span(), document.locate("").span);
    }

    #[test]
    fn spans_of_a_nested_field() {
        let output = run(ADC);
        let document = &output.documents[0];
        let port = document.locate("/services/0/upstream/nodes/0/port");
        assert!(port.exact);
        assert_eq!(lc(port.key_span.unwrap()), (6, 11, 6, 15));
        assert_eq!(lc(port.span), (6, 17, 6, 19));
        // Columns count characters: `é` is one column although it is two bytes.
        let name = document.locate("/services/0/name");
        assert_eq!(lc(name.span), (2, 11, 2, 16));
        assert_eq!(name.span.start.offset, 20);
    }

    #[test]
    fn spans_of_sequence_items_and_collections() {
        let output = run(ADC);
        let document = &output.documents[0];
        // A block sequence runs from its first `-` to the end of its last item.
        assert_eq!(lc(document.locate("/services").span), (2, 3, 7, 19));
        // A block mapping runs from its first key to the end of its last value.
        assert_eq!(lc(document.locate("/services/0").span), (2, 5, 7, 19));
        assert_eq!(
            lc(document.locate("/services/0/upstream/nodes/0").span),
            (5, 11, 6, 19)
        );
        // A flow collection runs from its opening to its closing bracket.
        assert_eq!(
            lc(document.locate("/services/0/routes").span),
            (7, 13, 7, 19)
        );
        assert_eq!(
            lc(document.locate("/services/0/routes/1").span),
            (7, 17, 7, 18)
        );
        assert_eq!(lc(document.spans.root().span()), (1, 1, 9, 14));
    }

    fn check_positions(source: &SourceFile, node: NodeRef<'_>) {
        let mut spans = vec![node.span()];
        node.items().for_each(|i| check_positions(source, i));
        for entry in node.entries() {
            spans.push(entry.key_span);
            check_positions(source, entry.value);
        }
        for pos in spans.iter().flat_map(|s| [s.start, s.end]) {
            assert_eq!(source.position_of_byte(source.byte_offset(pos)), pos);
        }
    }

    #[test]
    fn positions_agree_with_the_source_file() {
        let text = format!("{ADC}extra: {{ü: \"😀é\", n: [1, 'x']}}\r\nlast: |\r\n  ü\r\n");
        let source = Arc::new(SourceFile::new("x.yaml".into(), text));
        let output = parse(&source, &LoadLimits::default());
        assert!(!output.failed);
        check_positions(&source, output.documents[0].spans.root());
    }

    #[test]
    fn block_scalar_span_ends_at_its_last_character() {
        let output = run("a: |\n  one\n  two\n\n\nb: 1\n");
        // saphyr starts a block scalar at its content, after the `|` header line.
        let located = output.documents[0].locate("/a");
        assert_eq!(lc(located.span), (2, 3, 3, 6));
    }

    #[test]
    fn duplicate_keys_point_at_both_places() {
        let output = run("a: 1\nb:\n  c: 2\n  c: 3\n");
        let finding = &output.findings[0];
        assert_eq!(finding.rule, "parse/duplicate-key");
        assert_eq!(finding.severity, Severity::Error);
        assert_eq!(lc(finding.location.span), (4, 3, 4, 4));
        assert_eq!(finding.location.pointer, "/b/c");
        assert_eq!(finding.related[0].message, "first defined here");
        assert_eq!(lc(finding.related[0].location.span), (3, 3, 3, 4));
        let document = &output.documents[0];
        assert_eq!(document.value, json!({"a": 1, "b": {"c": 3}}));
        assert_eq!(lc(document.locate("/b/c").span), (4, 6, 4, 7));
    }

    #[test]
    fn a_duplicate_keeps_the_first_place_and_the_mapping_covers_it() {
        let output = run("a: 1\nb: 2\na: 3\n");
        let document = &output.documents[0];
        let keys: Vec<&str> = document.spans.root().entries().map(|e| e.key).collect();
        assert_eq!(keys, ["a", "b"]);
        assert_eq!(lc(document.spans.root().span()), (1, 1, 3, 5));
    }

    #[test]
    fn duplicates_are_found_in_large_mappings_in_written_order() {
        // 40 keys: past the size from which key positions are kept in a table.
        let mut text: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
        text.push_str("k3: again\nk39: last\nk40: new\n");
        let output = run(&text);
        let found: Vec<(&str, u32, u32, &str)> = output
            .findings
            .iter()
            .map(|f| {
                (
                    f.rule.as_str(),
                    f.location.span.start.line,
                    f.related[0].location.span.start.line,
                    f.location.pointer.as_str(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("parse/duplicate-key", 41, 4, "/k3"),
                ("parse/duplicate-key", 42, 40, "/k39"),
            ]
        );
        let document = &output.documents[0];
        let keys: Vec<&str> = document.spans.root().entries().map(|e| e.key).collect();
        let expected: Vec<String> = (0..=40).map(|i| format!("k{i}")).collect();
        assert_eq!(keys, expected);
        let value_keys: Vec<&String> = document.value.as_object().unwrap().keys().collect();
        assert_eq!(value_keys, expected.iter().collect::<Vec<_>>());
        assert_eq!(document.value["k3"], json!("again"));
        assert_eq!(document.value["k39"], json!("last"));
        assert_eq!(lc(document.locate("/k3").span), (41, 5, 41, 10));
    }

    #[test]
    fn billion_laughs_stops_fast() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..10 {
            let prev = char::from(b'a' + level - 1);
            let name = char::from(b'a' + level);
            let aliases = vec![format!("*{prev}"); 10].join(", ");
            text.push_str(&format!("{name}: &{name} [{aliases}]\n"));
        }
        let started = std::time::Instant::now();
        let output = run(&text);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert!(output.failed && output.documents.is_empty());
        assert_eq!(rules(&output), ["parse/alias-budget"]);
        // Each alias on line 5 costs 11 111 nodes: the 100 000-node budget trips there.
        assert_eq!(output.findings[0].location.span.start.line, 5);
    }

    #[test]
    fn depth_cap_stops_at_the_collection_that_is_too_deep() {
        let limits = LoadLimits {
            max_depth: 3,
            ..LoadLimits::default()
        };
        assert!(!run_with("a:\n  b:\n    c: 1\n", &limits).failed);
        let output = run_with("a:\n  b:\n    c:\n      d: 1\n", &limits);
        assert!(output.failed);
        assert_eq!(rules(&output), ["parse/too-deep"]);
        assert_eq!(output.findings[0].location.span.start.line, 4);
    }

    #[test]
    fn depth_cap_applies_to_aliased_collections() {
        let limits = LoadLimits {
            max_depth: 3,
            ..LoadLimits::default()
        };
        let output = run_with("x: &x [1]\ny: [*x]\n", &limits);
        assert!(!output.failed);
        let output = run_with("x: &x [1]\ny: [[*x]]\n", &limits);
        assert_eq!(rules(&output), ["parse/too-deep"]);
        assert_eq!(lc(output.findings[0].location.span), (2, 6, 2, 8));
    }

    #[test]
    fn yaml11_booleans_and_leading_zeros_warn_on_values_only() {
        let output = run("on: yes\nb: \"no\"\nc: [Off, true]\nzip: 01234\nport: 0\n");
        assert!(!output.failed);
        assert_eq!(
            output.documents[0].value,
            json!({"on": "yes", "b": "no", "c": ["Off", true], "zip": 1234, "port": 0})
        );
        let found: Vec<(&str, u32, u32, &str)> = output
            .findings
            .iter()
            .map(|f| {
                let at = f.location.span.start;
                (
                    f.rule.as_str(),
                    at.line,
                    at.column,
                    f.location.pointer.as_str(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("parse/yaml11-boolean", 1, 5, "/on"),
                ("parse/yaml11-boolean", 3, 5, "/c/0"),
                ("parse/leading-zero-number", 4, 6, "/zip"),
            ]
        );
        assert!(output.findings[0].message.contains("boolean true"));
        assert!(output.findings[1].message.contains("boolean false"));
        assert!(output.findings[2].message.contains("decimal number 1234"));
    }

    #[test]
    fn merge_keys_fill_in_and_explicit_keys_win() {
        let text = "\
base: &base {timeout: 5, retries: 2, scheme: http}
extra: &extra {retries: 9, pass_host: node}
svc:
  scheme: https
  <<: [*base, *extra]
  name: s
";
        let output = run(text);
        assert!(!output.failed, "{:?}", output.findings);
        let svc = &output.documents[0].value["svc"];
        assert_eq!(
            svc,
            &json!({"scheme": "https", "name": "s", "timeout": 5, "retries": 2, "pass_host": "node"})
        );
        // Merged fields point at where they are written in the anchored mapping.
        let retries = output.documents[0].locate("/svc/retries");
        assert!(retries.exact);
        assert_eq!(lc(retries.span), (1, 35, 1, 36));
        let scheme = output.documents[0].locate("/svc/scheme");
        assert_eq!(lc(scheme.span), (4, 11, 4, 16));
    }

    #[test]
    fn a_quoted_merge_key_is_an_ordinary_key() {
        let output = run("a: &a {x: 1}\nb:\n  \"<<\": *a\n");
        assert_eq!(output.documents[0].value["b"], json!({"<<": {"x": 1}}));
    }

    #[test]
    fn anchors_do_not_cross_documents() {
        let output = run("--- &a x\n--- *a\n");
        assert!(output.failed);
        assert_eq!(rules(&output), ["parse/syntax"]);
        assert_eq!(output.findings[0].location.span.start.line, 2);
    }

    #[test]
    fn every_document_of_a_stream_is_returned() {
        let output = run("a: 1\n---\n- 2\n...\n--- x\n");
        let values: Vec<&Value> = output.documents.iter().map(|d| &d.value).collect();
        assert_eq!(values, [&json!({"a": 1}), &json!([2]), &json!("x")]);
        assert!(run("# only a comment\n").documents.is_empty());
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let text = "[~, null, '', TRUE, False, 0o17, 0x1F, +12, -3, 1.5, .5, 1e3, .inf, .NaN, \
                    '1', !!str 2, !!int '3', 18446744073709551615, 1_000, 0b1, yes]";
        let output = run(text);
        assert_eq!(
            output.documents[0].value,
            json!([
                null,
                null,
                "",
                true,
                false,
                15,
                31,
                12,
                -3,
                1.5,
                0.5,
                1000.0,
                ".inf",
                ".NaN",
                "1",
                "2",
                3,
                18_446_744_073_709_551_615_u64,
                "1_000",
                "0b1",
                "yes"
            ])
        );
    }

    #[test]
    fn complex_keys_and_syntax_errors_are_located() {
        let output = run("? [a, b]\n: c\n");
        assert_eq!(rules(&output), ["parse/complex-key"]);
        assert_eq!(lc(output.findings[0].location.span), (1, 3, 1, 9));
        let output = run("a: 1\n b: 2\n");
        assert!(output.failed && output.documents.is_empty());
        assert_eq!(rules(&output), ["parse/syntax"]);
        assert_eq!(output.findings[0].location.span.start.line, 2);
    }

    #[test]
    fn a_tab_is_reported_at_the_tab() {
        // saphyr reports these where the scalar before the tab starts (2:11, 4:15);
        // the finding is at the tab itself.
        for (text, at) in [
            ("services:\n  - name: a\n\troutes: []\n", (3, 1, 3, 2)),
            (
                "services:\n  - name: a\n    routes:\n      - name: r\n  \t    uris: [/a]\n",
                (5, 3, 5, 4),
            ),
            ("services:\n\t- name: tabs\n", (2, 1, 2, 2)),
        ] {
            let output = run(text);
            assert_eq!(rules(&output), ["parse/syntax"], "{text:?}");
            assert_eq!(lc(output.findings[0].location.span), at, "{text:?}");
            assert!(output.findings[0]
                .message
                .contains("a tab indents this line"));
        }
    }
}

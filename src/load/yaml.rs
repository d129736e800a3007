//! YAML → [`Document`]s with a span for every node.
//!
//! Builds values from saphyr-parser's event stream (`serde_yaml` has no positions and is
//! deprecated upstream). Owns YAML 1.2 core-schema typing, anchors and aliases (with
//! an expansion budget against alias bombs), `<<` merge keys, tags, a nesting cap, and
//! the YAML-specific findings: duplicate keys, YAML 1.1 booleans and numbers,
//! leading-zero numbers, numbers the gateway cannot hold, merge keys that merge
//! nothing, unresolved tags, complex keys and syntax errors. Multi-document streams
//! are returned whole; the caller decides what more than one document means. Files in
//! plain block style are read by [`super::yaml_fast`], which gives the same events
//! faster; everything else goes to saphyr-parser.
//!
//! The gateway reads YAML with two loaders: APISIX reads standalone files with lyaml
//! (libyaml, YAML 1.1 typing) and ADC with js-yaml (YAML 1.2 core schema, plus merge
//! keys and a few YAML 1.1 types). gwlint types values as YAML 1.2 does, and where the
//! loaders, or JSON, disagree with that, it says so where the value is written:
//!
//! | Written | gwlint's value | Finding | Why |
//! |---|---|---|---|
//! | `yes`, `on`, `n` | string | `parse/yaml11-boolean` (warning) | booleans in YAML 1.1 (lyaml) |
//! | `0755` | 755 | `parse/leading-zero-number` (warning) | octal 493 in YAML 1.1 |
//! | `0b101`, `1_000`, `+0x1F`, `12:30`, `1_000.5` | string | `parse/yaml11-number` (warning) | numbers in YAML 1.1 (lyaml; js-yaml reads `0b101`) |
//! | `0o17` | 15 | `parse/yaml11-number` (warning) | the string "0o17" in YAML 1.1 |
//! | `.inf`, `-.Inf`, `.nan`, `1e400` | the text, as a string | `parse/number-out-of-range` (error) | JSON has no infinity or NaN (JavaScript writes them as null) |
//! | an integer a 64-bit float rounds (`99999999999999999999`, 17 hex digits, beyond 2^53) | the integer if it fits 64 bits, else the nearest float | `parse/imprecise-number` (warning) | `LuaJIT` and JavaScript numbers are 64-bit floats |
//! | `!!int abc`, `!!bool yes`, `!!map x` | string | `parse/tag` (error) | content that does not fit its tag; js-yaml and lyaml refuse it |
//! | `!custom x`, `!!binary ...`, `!!set {..}` | as if untagged | `parse/tag` (error) | lyaml ignores such tags, js-yaml refuses or converts them |
//! | `<<: 5`, `<<: [*a, 5]` | the scalar left out | `parse/merge-key` (error) | js-yaml and lyaml refuse the file |
//! | two `<<` keys in a mapping | both merged, earlier first | `parse/duplicate-key` (error) | a duplicate key (eemeli/yaml and ruamel.yaml refuse it) |
//! | `a:\tb` (a tab after a key's `:`) | `{a: b}` | none | YAML 1.2, libyaml, js-yaml read it so; saphyr-parser refuses it, see [`Repair`] |
//! | `[x -, y]` | `["x -", "y"]` | none | as above |
//! | `k: \|` block scalar ending the file on a line of just its indentation | `"a\n"` | none | saphyr-parser adds a line break there, which gwlint takes out |
//! | a block scalar whose last content line ends the file without a line break | ends with a line break | none | as js-yaml (ADC) and eemeli/yaml; libyaml and ruamel.yaml leave it out |
//! | `! 12` (the non-specific tag) | `"12"` | none | YAML 1.2, js-yaml and eemeli/yaml; libyaml (lyaml) and ruamel.yaml read 12 |
//! | `{a: -}` (a lone `-` before a flow indicator) | refused, `parse/syntax` | | YAML 1.2, js-yaml and eemeli/yaml refuse it; libyaml and ruamel.yaml read "-" |
//!
//! Keys are always strings: a numeric key the gateway cannot hold is kept as written,
//! without a finding. `tests/yaml_diff.rs` holds the loader to ruamel.yaml (a YAML 1.2
//! parser) on generated gateway-shaped documents, allowing only these differences.

use super::document::{Document, MapEntrySpan, SpanChildren, SpanNode};
use super::number::{self, Written};
use super::span_tree::{SpanTree, TreeSize};
use super::{LoadLimits, ParseOutput};
use crate::finding::{Finding, Location, Severity};
use crate::source::{to_u32, Position, Source, Span};
use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span as YamlSpan, Tag};
use serde_json::{Map, Value};
use std::borrow::Cow;
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
    let stopped = read_full(&mut builder, &source.text);
    if stopped.is_some_and(|info| Repair::answers(&info)) {
        if let Some(output) = read_repaired(source, limits) {
            return output;
        }
    }
    builder.finish()
}

/// Feed saphyr-parser's events for `text` (the source's text, or a repaired copy
/// with the same characters at the same places but for a few ASCII ones) to
/// `builder`. Returns saphyr's message when it stopped at an error, which the
/// builder has reported.
fn read_full(builder: &mut Builder<'_>, text: &str) -> Option<String> {
    let source = builder.source;
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_event() {
            None => return None,
            Some(Ok((event, span))) => {
                if let Err(stop) = builder.event(event, span) {
                    builder.fail(stop);
                    return None;
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
                return Some(err.info().to_owned());
            }
        }
    }
}

/// Read a file saphyr-parser rejected although YAML 1.2 (and libyaml, js-yaml and
/// eemeli/yaml) accept it: saphyr reads a repaired copy in which each place it
/// stumbles on holds a character it takes the same way (see [`Repair`]). Repairs
/// that land inside a quoted or block scalar (where the character is content) are
/// undone and the copy read again; `None` when the file still fails for a reason
/// the repairs address, so the original error stands.
fn read_repaired(source: &Source, limits: &LoadLimits) -> Option<ParseOutput> {
    let mut repairs = Repair::find(&source.text);
    if repairs.is_empty() {
        return None;
    }
    // Each round undoes every repair found misplaced; the ones left are separation or
    // plain-scalar characters, so a second round finds none.
    for _round in 0..2 {
        let mut text = source.text.as_bytes().to_vec();
        for repair in &repairs {
            text[repair.at] = repair.kind.replacement();
        }
        let text = String::from_utf8(text).ok()?;
        let mut builder = Builder::new(source, limits);
        builder.repairs.clone_from(&repairs);
        let stopped = read_full(&mut builder, &text);
        let mut undo = std::mem::take(&mut builder.undo);
        if undo.is_empty() {
            if stopped.is_some_and(|info| Repair::answers(&info)) {
                return None;
            }
            return Some(builder.finish());
        }
        undo.sort_unstable();
        repairs.retain(|repair| undo.binary_search(&repair.at).is_err());
    }
    None
}

/// A character saphyr-parser 0.3 rejects where YAML 1.2 allows it, and what saphyr is
/// given instead (ASCII for ASCII, so every position stays the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Repair {
    /// Byte offset in the source.
    at: usize,
    kind: RepairKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RepairKind {
    /// A tab right after the `:` of an implicit key (`a:\tb`), given as a space:
    /// separation white space either way. A `:` that starts its line (the value of an
    /// explicit `? key`) is left alone: libyaml refuses a tab there, and so does
    /// APISIX.
    TabAfterColon,
    /// A `-` after white space and before a flow indicator (`[x -, y]`), given as a
    /// letter: saphyr takes it for the start of a new plain scalar where it continues
    /// one. The value read gets its `-` back.
    DashBeforeFlowIndicator,
}

impl RepairKind {
    fn replacement(self) -> u8 {
        match self {
            RepairKind::TabAfterColon => b' ',
            RepairKind::DashBeforeFlowIndicator => b'a',
        }
    }
}

impl Repair {
    /// Whether saphyr's error `info` is one of the false rejections repaired.
    fn answers(info: &str) -> bool {
        info == "':' must be followed by a valid YAML whitespace"
            || info == "plain scalar cannot start with '-' followed by ,[]{}"
    }

    /// Every place in `text` a repair may be needed, in order.
    fn find(text: &str) -> Vec<Repair> {
        let bytes = text.as_bytes();
        let mut repairs = Vec::new();
        let mut line_start = 0;
        for (at, &byte) in bytes.iter().enumerate() {
            match byte {
                b'\n' | b'\r' => line_start = at + 1,
                b'\t' if at > 0 && bytes[at - 1] == b':' => {
                    let before = &bytes[line_start..at - 1];
                    if before.iter().any(|b| !matches!(b, b' ' | b'\t')) {
                        repairs.push(Repair {
                            at,
                            kind: RepairKind::TabAfterColon,
                        });
                    }
                }
                b'-' if at > 0
                    && matches!(bytes[at - 1], b' ' | b'\t' | b'\n' | b'\r')
                    && matches!(bytes.get(at + 1), Some(b',' | b'[' | b']' | b'{' | b'}')) =>
                {
                    repairs.push(Repair {
                        at,
                        kind: RepairKind::DashBeforeFlowIndicator,
                    });
                }
                _ => {}
            }
        }
        repairs
    }
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
        /// Where the first `<<` merge key is written.
        first_merge_key: Option<Span>,
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
    /// The characters replaced in the text saphyr reads (see [`read_repaired`]),
    /// in order.
    repairs: Vec<Repair>,
    /// The repairs found inside quoted or block scalars, to undo.
    undo: Vec<usize>,
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
            repairs: Vec::new(),
            undo: Vec::new(),
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
        self.report(rule, Severity::Warning, message, help, span);
    }

    /// A finding about the node being completed, at `span`.
    fn report(&mut self, rule: &str, severity: Severity, message: String, help: &str, span: Span) {
        let pointer = self.current_pointer();
        let finding = Finding::new(rule, severity, message, help, self.location(span, pointer));
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
            Event::SequenceStart(anchor, tag) => {
                self.check_collection_tag(tag.as_deref(), "seq", span);
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
            Event::MappingStart(anchor, tag) => {
                self.check_collection_tag(tag.as_deref(), "map", span);
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
                    first_merge_key: None,
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
        if pending.merge {
            self.merge(&pending, node);
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

    /// A `<<` merge key and its value: a mapping, or a list of mappings, merged when
    /// the mapping ends. Anything else is `parse/merge-key` (and left out), as in
    /// ruamel.yaml, libyaml's lyaml (APISIX) and js-yaml (ADC), which refuse the file;
    /// a second `<<` in one mapping is a duplicate key, although both are merged.
    fn merge(&mut self, pending: &PendingKey, node: Node) {
        let first = match self.stack.last_mut() {
            Some(Frame::Map {
                first_merge_key, ..
            }) => *first_merge_key.get_or_insert(pending.span),
            _ => pending.span,
        };
        if first != pending.span {
            self.duplicate_key(pending, first);
        }
        match (&node.value, &node.spans.children) {
            (Value::Object(_), _) => {}
            (Value::Array(items), SpanChildren::Seq(spans)) => {
                let misfits: Vec<(Span, &'static str)> = items
                    .iter()
                    .zip(spans)
                    .filter(|(item, _)| !item.is_object())
                    .map(|(item, spans)| (spans.span, kind_of(item)))
                    .collect();
                for (span, kind) in misfits {
                    self.report(
                        "parse/merge-key",
                        Severity::Error,
                        format!(
                            "a `<<` merge list holds mappings only; this is {kind}, which is \
                             left out"
                        ),
                        MERGE_HELP,
                        span,
                    );
                }
            }
            (value, _) => {
                let kind = kind_of(value);
                self.report(
                    "parse/merge-key",
                    Severity::Error,
                    format!(
                        "a `<<` merge key takes a mapping or a list of mappings; this is \
                         {kind}, so nothing is merged"
                    ),
                    MERGE_HELP,
                    node.spans.span,
                );
                return;
            }
        }
        if let Some(Frame::Map { merges, .. }) = self.stack.last_mut() {
            merges.push(node);
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
            let open = self.stack.iter().any(|frame| match frame {
                Frame::Seq { anchor, .. } | Frame::Map { anchor, .. } => *anchor == id,
            });
            let (message, help) = if open {
                (
                    "alias to a collection from inside it: a cycle, which JSON cannot hold",
                    "write the data out, or alias a collection that does not contain the alias",
                )
            } else {
                (
                    "alias to an unknown anchor",
                    "define the anchor (`&name`) before using it",
                )
            };
            return Err(Stop {
                rule: "parse/syntax",
                message: message.into(),
                help: help.into(),
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
        let block = matches!(style, ScalarStyle::Literal | ScalarStyle::Folded);
        let mut text = Cow::Borrowed(text);
        if !self.repairs.is_empty() {
            if let Some(restored) = self.check_repairs(&text, plain, span) {
                text = Cow::Owned(restored);
            }
        }
        if block && text.ends_with('\n') && self.ends_on_its_indentation(span) {
            text.to_mut().pop();
        }
        // A block scalar's span runs on to where the next token starts; end it at its
        // last character instead, so labels and masks stay on the value.
        let span = if block {
            trim_trailing_space(self.source, span)
        } else {
            span
        };
        let is_key = matches!(self.stack.last(), Some(Frame::Map { key: None, .. }));
        let value = match tag {
            None if plain => self.plain(&text, span, is_key),
            None => Value::String(text.to_string()),
            Some(tag) => self.tagged(&text, plain, tag, span, is_key),
        };
        Node {
            value,
            spans: SpanNode::leaf(span),
            merge_key: plain && tag.is_none() && text == "<<",
        }
    }

    /// An untagged plain scalar, typed by the YAML 1.2 core schema.
    fn plain(&mut self, text: &str, span: Span, is_key: bool) -> Value {
        let resolved = resolve_core(text);
        if !is_key {
            self.check_yaml11(text, span, resolved.is_some());
        }
        match resolved {
            None => Value::String(text.to_owned()),
            Some(Resolved::Value(value)) => value,
            Some(Resolved::Number(written)) => self.number(written, text, span, is_key),
        }
    }

    /// A number as written: kept, with a finding when the gateway cannot hold it as
    /// written (see [`super::number`]). A key stays the text written.
    fn number(&mut self, written: Written, text: &str, span: Span, is_key: bool) -> Value {
        if is_key && !matches!(written, Written::Exact(_)) {
            return Value::String(text.to_owned());
        }
        let (value, finding) = number::judge(written, text);
        if let Some(f) = finding {
            self.report(f.rule, f.severity, f.message, f.help, span);
        }
        value
    }

    /// A scalar with a tag: the YAML 1.2 core schema's tags are resolved (content
    /// that does not fit its tag is `parse/tag`, read as a string); any other tag is
    /// `parse/tag`, and the scalar is read as if it had none, as APISIX's lyaml
    /// reads it (ADC's js-yaml refuses tags it does not know).
    fn tagged(&mut self, text: &str, plain: bool, tag: &Tag, span: Span, is_key: bool) -> Value {
        let name = format!("{}{}", tag.handle, tag.suffix);
        let core = name.strip_prefix(CORE_TAG_PREFIX);
        let fits = match core {
            // `!` alone (non-specific): a string, whatever it looks like.
            _ if name == "!" => Some(Value::String(text.to_owned())),
            Some("str") => Some(Value::String(text.to_owned())),
            Some("int") => {
                resolve_int(text).map(|written| self.number(written, text, span, is_key))
            }
            Some("float") => {
                resolve_float(text).map(|written| self.number(written, text, span, is_key))
            }
            Some("bool") => match text {
                "true" | "True" | "TRUE" => Some(Value::Bool(true)),
                "false" | "False" | "FALSE" => Some(Value::Bool(false)),
                _ => None,
            },
            Some("null") => {
                matches!(text, "" | "~" | "null" | "Null" | "NULL").then_some(Value::Null)
            }
            Some("map" | "seq") => {
                let message = format!(
                    "the tag `{}` is for a collection, and this is a scalar; gwlint reads it \
                     as the string \"{}\"",
                    shown_tag(&name),
                    text
                );
                self.report("parse/tag", Severity::Error, message, TAG_HELP, span);
                return Value::String(text.to_owned());
            }
            _ => {
                self.unknown_tag(&name, span);
                return if plain {
                    self.plain(text, span, is_key)
                } else {
                    Value::String(text.to_owned())
                };
            }
        };
        fits.unwrap_or_else(|| {
            let message = format!(
                "`{}` is not a valid `{}` in the YAML 1.2 core schema; gwlint reads it as \
                 the string \"{}\"",
                text,
                shown_tag(&name),
                text
            );
            self.report("parse/tag", Severity::Error, message, TAG_HELP, span);
            Value::String(text.to_owned())
        })
    }

    /// A tag outside the core schema on a node.
    fn unknown_tag(&mut self, name: &str, span: Span) {
        let message = format!(
            "gwlint does not resolve the tag `{}` (only the YAML 1.2 core schema's `!!str`, \
             `!!int`, `!!float`, `!!bool`, `!!null`, `!!seq` and `!!map`); the node is read \
             as if it had no tag, as APISIX's lyaml reads it, while ADC's js-yaml refuses \
             unknown tags or converts the value",
            shown_tag(name)
        );
        self.report("parse/tag", Severity::Error, message, TAG_HELP, span);
    }

    /// Check the tag of a collection starting at `span` (`kind` is `seq` or `map`).
    fn check_collection_tag(&mut self, tag: Option<&Tag>, kind: &str, span: Span) {
        let Some(tag) = tag else {
            return;
        };
        let name = format!("{}{}", tag.handle, tag.suffix);
        match name.strip_prefix(CORE_TAG_PREFIX) {
            _ if name == "!" => {}
            Some(core) if core == kind => {}
            Some(other @ ("seq" | "map" | "str" | "int" | "float" | "bool" | "null")) => {
                let what = if kind == "seq" { "sequence" } else { "mapping" };
                let message = format!(
                    "the tag `!!{other}` does not fit a {what}; gwlint reads the {what} as if \
                     it had no tag"
                );
                self.report("parse/tag", Severity::Error, message, TAG_HELP, span);
            }
            _ => self.unknown_tag(&name, span),
        }
    }

    /// When the text saphyr reads was repaired, check the repairs inside this
    /// scalar (at `span`): a repair inside a quoted or block scalar is content and
    /// must be undone, and so must a `-` repaired at the start of a plain scalar (it
    /// starts one there, which YAML refuses in a flow collection). In a plain scalar
    /// the `-` is put back into the value, which is returned.
    fn check_repairs(&mut self, value: &str, plain: bool, span: Span) -> Option<String> {
        let range = self.source.byte_range(span);
        let first = self.repairs.partition_point(|r| r.at < range.start);
        let inside: Vec<Repair> = self.repairs[first..]
            .iter()
            .take_while(|r| r.at < range.end)
            .copied()
            .collect();
        if inside.is_empty() {
            return None;
        }
        if !plain {
            self.undo.extend(inside.iter().map(|r| r.at));
            return None;
        }
        let written = &self.source.text[range.clone()];
        let content_start = range.start + plain_content_start(written, value);
        self.undo.extend(
            inside
                .iter()
                .filter(|r| r.kind != RepairKind::DashBeforeFlowIndicator || r.at == content_start)
                .map(|r| r.at),
        );
        Some(restore_plain(value, written))
    }

    /// Whether a block scalar at `span` ends the file on a last line that holds just
    /// its indentation, without a line break. saphyr-parser 0.3 reads that line as one
    /// more line break (`k: |\n  a\n  ` gives `"a\n\n"`); YAML 1.2, libyaml, js-yaml,
    /// eemeli/yaml and ruamel.yaml read `"a\n"`, as with a line break after `a` only.
    fn ends_on_its_indentation(&self, span: Span) -> bool {
        let text = &self.source.text;
        if text.ends_with(['\n', '\r']) || self.source.byte_offset(span.end) != text.len() {
            return false;
        }
        let start = self.source.byte_offset(span.start);
        // A block scalar without content lines starts at its `|` or `>` header.
        if matches!(text.as_bytes().get(start), Some(b'|' | b'>')) {
            return false;
        }
        let last_line = &text[text.rfind(['\n', '\r']).map_or(0, |at| at + 1)..];
        let indentation = (span.start.column as usize).saturating_sub(1);
        indentation > 0 && last_line.len() == indentation && last_line.bytes().all(|b| b == b' ')
    }

    /// Warn about plain scalars whose meaning changed between YAML 1.1 and 1.2.
    /// `typed` says whether YAML 1.2 reads `text` as other than a string.
    fn check_yaml11(&mut self, text: &str, span: Span, typed: bool) {
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
        } else if let Some((message, help)) = yaml11_number(text, typed) {
            self.warn("parse/yaml11-number", message, help, span);
        }
    }
}

/// A plain scalar that YAML 1.1 (APISIX's lyaml) and YAML 1.2 read differently for
/// its number form: the message and help of `parse/yaml11-number`. YAML 1.1 reads
/// `0b101`, `1_000`, `+0x1F`, `12:30` (base 60) and `1_000.5` as numbers, which are
/// strings in YAML 1.2; `0o17` is a number in YAML 1.2 only.
/// `typed` says whether YAML 1.2 reads `text` as other than a string.
fn yaml11_number(text: &str, typed: bool) -> Option<(String, &'static str)> {
    // Every number starts so; most scalars are words and stop here.
    let first = *text.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    if typed {
        // A YAML 1.2 octal (`0o17`), which YAML 1.1 has not.
        text.strip_prefix("0o")?;
        let value = resolve_plain(text)?;
        return Some((
            format!(
                "`{text}` is the number {value} in YAML 1.2 but the string \"{text}\" in YAML 1.1"
            ),
            "write the number in decimal, or quote the value for a string",
        ));
    }
    let meaning = yaml11_number_value(text)?;
    Some((
        format!(
            "`{text}` is the string \"{text}\" in YAML 1.2 but the number {meaning} in YAML 1.1"
        ),
        "write the number as YAML 1.2 reads it (no `_`, no `0b`, no `:`, no sign before \
         `0x`), or quote the value for a string",
    ))
}

/// The number YAML 1.1's int and float forms read `text` as, written out.
fn yaml11_number_value(text: &str) -> Option<String> {
    let (sign, body) = match text.as_bytes().first()? {
        b'-' => ("-", &text[1..]),
        b'+' => ("", &text[1..]),
        _ => ("", text),
    };
    let integer = |digits: &str, radix: u32| -> Option<String> {
        let mut value: Option<u128> = Some(0);
        let mut any = false;
        for c in digits.chars() {
            if c == '_' {
                continue;
            }
            let digit = c.to_digit(radix)?;
            any = true;
            value = value
                .and_then(|v| v.checked_mul(u128::from(radix)))
                .and_then(|v| v.checked_add(u128::from(digit)));
        }
        any.then(|| value.map_or_else(|| "beyond 128 bits".into(), |v| format!("{sign}{v}")))
    };
    if let Some(binary) = body.strip_prefix("0b") {
        return integer(binary, 2);
    }
    if let Some(hex) = body.strip_prefix("0x") {
        return integer(hex, 16);
    }
    if body.contains(':') {
        return sexagesimal(body).map(|value| format!("{sign}{value}"));
    }
    let plain_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    if body.len() > 1
        && body.starts_with('0')
        && body.bytes().all(|b| matches!(b, b'0'..=b'7' | b'_'))
    {
        return integer(&body[1..], 8);
    }
    if body.starts_with(|c: char| c.is_ascii_digit() && c != '0') && plain_digits(body) {
        return integer(body, 10);
    }
    // Floats: YAML 1.1 allows `_` among the digits.
    let without = body.replace('_', "");
    let float_like = body.contains('.')
        && body.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && !without.is_empty();
    match resolve_float(&without) {
        Some(Written::Exact(number)) if float_like => Some(format!("{sign}{number}")),
        _ => None,
    }
}

/// A YAML 1.1 base-60 number (`190:20:30`, `12:30.5`), written out.
fn sexagesimal(body: &str) -> Option<String> {
    let mut parts = body.split(':');
    let first = parts.next()?;
    let rest: Vec<&str> = parts.collect();
    let (last, fraction) = match rest.last()?.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (*rest.last()?, None),
    };
    let head_ok = first.starts_with(|c: char| c.is_ascii_digit())
        && first.bytes().all(|b| b.is_ascii_digit() || b == b'_')
        && (fraction.is_some() || !first.starts_with('0'));
    let sixty = |part: &str| {
        let bytes = part.as_bytes();
        match bytes {
            [d] => d.is_ascii_digit(),
            [t, d] => (b'0'..=b'5').contains(t) && d.is_ascii_digit(),
            _ => false,
        }
    };
    let middle = &rest[..rest.len() - 1];
    if !head_ok
        || !middle.iter().all(|part| sixty(part))
        || !sixty(last)
        || fraction.is_some_and(|f| !f.bytes().all(|b| b.is_ascii_digit() || b == b'_'))
    {
        return None;
    }
    let mut value: u128 = first.replace('_', "").parse().ok()?;
    for part in middle.iter().chain([&last]) {
        value = value.checked_mul(60)?.checked_add(part.parse().ok()?)?;
    }
    Some(match fraction {
        None => value.to_string(),
        Some(fraction) => {
            let fraction = fraction.replace('_', "");
            format!(
                "{value}.{}",
                if fraction.is_empty() { "0" } else { &fraction }
            )
        }
    })
}

const MERGE_HELP: &str = "merge mappings only (`<<: *base` or `<<: [*a, *b]`); ADC's \
     js-yaml and APISIX's lyaml refuse anything else";

/// What a value is, for a message: "a mapping", "a string", ...
fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
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

/// What a plain scalar stands for in the YAML 1.2 core schema, when not a string.
enum Resolved {
    /// Null or a boolean.
    Value(Value),
    /// A number, and whether the gateway can hold it as written.
    Number(Written),
}

/// Resolve a plain scalar with the YAML 1.2 core schema; `None` means "a string".
/// Infinity and not-a-number (`.inf`, `.nan`, `1e400`), which JSON cannot hold, come
/// back as their text, the value gwlint keeps for them (with `parse/number-out-of-range`).
#[must_use]
pub fn resolve_plain(text: &str) -> Option<Value> {
    resolve_core(text).map(|resolved| match resolved {
        Resolved::Value(value) => value,
        Resolved::Number(Written::Exact(number) | Written::Inexact { value: number, .. }) => {
            Value::Number(number)
        }
        Resolved::Number(Written::NonFinite) => Value::String(text.to_owned()),
    })
}

fn resolve_core(text: &str) -> Option<Resolved> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Resolved::Value(Value::Null)),
        "true" | "True" | "TRUE" => return Some(Resolved::Value(Value::Bool(true))),
        "false" | "False" | "FALSE" => return Some(Resolved::Value(Value::Bool(false))),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    resolve_int(text)
        .or_else(|| resolve_float(text))
        .map(Resolved::Number)
}

/// `[-+]? [0-9]+ | 0o [0-7]+ | 0x [0-9a-fA-F]+`.
fn resolve_int(text: &str) -> Option<Written> {
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
    Some(number::decimal_integer(text))
}

fn radix_int(digits: &str, radix: u32) -> Option<Written> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    Some(number::radix_integer(digits, radix))
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`, plus
/// `[-+]? \.inf` and `\.nan` in their three spellings.
fn resolve_float(text: &str) -> Option<Written> {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    if matches!(body, ".inf" | ".Inf" | ".INF") || matches!(text, ".nan" | ".NaN" | ".NAN") {
        return Some(Written::NonFinite);
    }
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
    (mantissa_ok && exponent_ok).then(|| number::float(text))
}

/// The namespace of the YAML core schema's tags (`!!int` is `tag:yaml.org,2002:int`).
const CORE_TAG_PREFIX: &str = "tag:yaml.org,2002:";

const TAG_HELP: &str = "remove the tag, or write a value of the tagged type; gwlint, like the \
     gateway, reads configuration with the YAML 1.2 core schema's tags only";

/// A tag as it is usually written: `!!int`, `!local`, or `!<verbatim>`.
fn shown_tag(name: &str) -> String {
    if let Some(core) = name.strip_prefix(CORE_TAG_PREFIX) {
        format!("!!{core}")
    } else if name.starts_with('!') {
        name.to_owned()
    } else {
        format!("!<{name}>")
    }
}

/// YAML's white space and line breaks, which folding turns into other white space.
fn is_white(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// The byte offset, in `written` (a plain scalar's span: properties, then its
/// text), of the first character of `value`. Folding changes only white space, so the
/// value's other characters are the last ones of `written`, in order.
fn plain_content_start(written: &str, value: &str) -> usize {
    let count = value.chars().filter(|c| !is_white(*c)).count();
    written
        .char_indices()
        .rev()
        .filter(|(_, c)| !is_white(*c))
        .nth(count.saturating_sub(1))
        .map_or(0, |(at, _)| at)
}

/// `value`, read from the repaired copy, with each character other than white space
/// taken from `written` (the scalar in the source), which holds the same ones at
/// the end.
fn restore_plain(value: &str, written: &str) -> String {
    let mut originals = written.chars().rev().filter(|c| !is_white(*c));
    let mut chars: Vec<char> = value.chars().collect();
    for c in chars.iter_mut().rev() {
        if !is_white(*c) {
            if let Some(original) = originals.next() {
                *c = original;
            }
        }
    }
    chars.into_iter().collect()
}

/// Whether a plain scalar written as `text` is read differently by YAML 1.1 (APISIX's
/// lyaml) and YAML 1.2: a 1.1 boolean word, a number with a leading zero, or a number
/// form only one of the two has (the scalars `parse/yaml11-boolean`,
/// `parse/leading-zero-number` and `parse/yaml11-number` warn about).
#[must_use]
pub fn reads_differently_in_yaml11(text: &str) -> bool {
    is_yaml11_bool(text)
        || is_leading_zero_number(text)
        || yaml11_number(text, resolve_core(text).is_some()).is_some()
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
        let mut text = String::new();
        for i in 0..40 {
            text.push_str(&format!("k{i}: {i}\n"));
        }
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
        // Each value the gateway reads differently is a finding (tested below).
        assert_eq!(
            rules(&output),
            [
                "parse/yaml11-number",
                "parse/number-out-of-range",
                "parse/number-out-of-range",
                "parse/imprecise-number",
                "parse/yaml11-number",
                "parse/yaml11-number",
                "parse/yaml11-boolean"
            ]
        );
    }

    /// `(rule, severity, start line, start column, end line, end column, pointer)` of
    /// every finding.
    fn located(output: &ParseOutput) -> Vec<(&str, Severity, u32, u32, u32, u32, &str)> {
        output
            .findings
            .iter()
            .map(|f| {
                let (l1, c1, l2, c2) = lc(f.location.span);
                (
                    f.rule.as_str(),
                    f.severity,
                    l1,
                    c1,
                    l2,
                    c2,
                    f.location.pointer.as_str(),
                )
            })
            .collect()
    }

    #[test]
    fn a_block_scalar_ending_the_file_on_its_indentation_keeps_one_line_break() {
        // saphyr-parser 0.3 read the last line, of just the indentation and without a
        // line break, as one more line break: "a\n\n".
        for (text, value) in [
            ("k: |\n  a\n  ", "a\n"),
            ("k: |+\n  a\n  ", "a\n"),
            ("k: >\n  a\n  ", "a\n"),
            ("k: >\n  a\n  b\n  ", "a b\n"),
            ("k: |-\n  a\n  ", "a"),
            ("k: |+\n  a\n\n  ", "a\n\n"),
            ("k: |\n  a\n\n\n  ", "a\n"),
            ("k: |4\n      a\n    ", "  a\n"),
            ("- |\n  a\n  ", "a\n"),
            ("--- |\n a\n ", "a\n"),
            // Unchanged: a shorter last line, a line break, or content on the last line.
            ("k: |\n  a\n ", "a\n"),
            ("k: |\n  a\n  \n", "a\n"),
            ("k: |\n  a\n     ", "a\n   \n"),
            ("k: |+\n  ", "\n"),
        ] {
            let output = run(text);
            assert!(!output.failed, "{text:?}");
            let document = &output.documents[0].value;
            let got = document
                .get("k")
                .or_else(|| document.get(0))
                .unwrap_or(document);
            assert_eq!(got, &json!(value), "{text:?}");
        }
        // The value's span still ends at its last character.
        let output = run("k: |\n  a\n  ");
        assert_eq!(lc(output.documents[0].locate("/k").span), (2, 3, 2, 4));
    }

    #[test]
    fn numbers_the_gateway_cannot_hold_are_located_findings() {
        let text = "a: .inf\nb: [-.Inf, .NaN, 1e400]\nc: 99999999999999999999\n\
                    d: 0x1FFFFFFFFFFFFFFFF\ne: 9007199254740993\nf: 9007199254740992\n\
                    g: 100000000000000000000\n99999999999999999999: key\n";
        let output = run(text);
        assert!(!output.failed);
        assert_eq!(
            located(&output),
            [
                (
                    "parse/number-out-of-range",
                    Severity::Error,
                    1,
                    4,
                    1,
                    8,
                    "/a"
                ),
                (
                    "parse/number-out-of-range",
                    Severity::Error,
                    2,
                    5,
                    2,
                    10,
                    "/b/0"
                ),
                (
                    "parse/number-out-of-range",
                    Severity::Error,
                    2,
                    12,
                    2,
                    16,
                    "/b/1"
                ),
                (
                    "parse/number-out-of-range",
                    Severity::Error,
                    2,
                    18,
                    2,
                    23,
                    "/b/2"
                ),
                (
                    "parse/imprecise-number",
                    Severity::Warning,
                    3,
                    4,
                    3,
                    24,
                    "/c"
                ),
                (
                    "parse/imprecise-number",
                    Severity::Warning,
                    4,
                    4,
                    4,
                    23,
                    "/d"
                ),
                (
                    "parse/imprecise-number",
                    Severity::Warning,
                    5,
                    4,
                    5,
                    20,
                    "/e"
                ),
            ]
        );
        assert!(output.findings[0]
            .message
            .starts_with("`.inf` is infinity, which JSON"));
        assert!(output.findings[4]
            .message
            .ends_with("the gateway reads 100000000000000000000"));
        let value = &output.documents[0].value;
        assert_eq!(value["a"], json!(".inf"));
        assert_eq!(value["b"], json!(["-.Inf", ".NaN", "1e400"]));
        assert_eq!(value["c"].as_f64(), Some(1e20));
        assert_eq!(value["d"].as_f64(), Some(36_893_488_147_419_103_232.0));
        assert_eq!(value["e"], json!(9_007_199_254_740_993_u64));
        assert_eq!(value["f"], json!(9_007_199_254_740_992_u64));
        assert_eq!(value["g"].as_f64(), Some(1e20));
        // A key stays the text written.
        assert_eq!(value["99999999999999999999"], json!("key"));
    }

    #[test]
    fn yaml11_only_numbers_warn_at_the_value() {
        let output = run(
            "a: [0b101, 1_000, 12:30, +0x1F]\nb: 0o17\nc: 1_000.5\nd: 190:20:30.15\n\
                          e: [1.2.3, 12:60, 1e5, 0x1F, 0_17]\n1_000: key\n",
        );
        let found: Vec<(u32, u32, &str, &str)> = output
            .findings
            .iter()
            .map(|f| {
                let at = f.location.span.start;
                (
                    at.line,
                    at.column,
                    f.location.pointer.as_str(),
                    f.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                (1, 5, "/a/0", "`0b101` is the string \"0b101\" in YAML 1.2 but the number 5 in YAML 1.1"),
                (1, 12, "/a/1", "`1_000` is the string \"1_000\" in YAML 1.2 but the number 1000 in YAML 1.1"),
                (1, 19, "/a/2", "`12:30` is the string \"12:30\" in YAML 1.2 but the number 750 in YAML 1.1"),
                (1, 26, "/a/3", "`+0x1F` is the string \"+0x1F\" in YAML 1.2 but the number 31 in YAML 1.1"),
                (2, 4, "/b", "`0o17` is the number 15 in YAML 1.2 but the string \"0o17\" in YAML 1.1"),
                (3, 4, "/c", "`1_000.5` is the string \"1_000.5\" in YAML 1.2 but the number 1000.5 in YAML 1.1"),
                (4, 4, "/d", "`190:20:30.15` is the string \"190:20:30.15\" in YAML 1.2 but the number 685230.15 in YAML 1.1"),
                (5, 30, "/e/4", "`0_17` is the string \"0_17\" in YAML 1.2 but the number 15 in YAML 1.1"),
            ]
        );
        assert!(output
            .findings
            .iter()
            .all(|f| f.rule == "parse/yaml11-number" && f.severity == Severity::Warning));
        let value = &output.documents[0].value;
        assert_eq!(value["a"], json!(["0b101", "1_000", "12:30", "+0x1F"]));
        assert_eq!(value["b"], json!(15));
        assert_eq!(value["e"], json!(["1.2.3", "12:60", 100_000.0, 31, "0_17"]));
    }

    #[test]
    fn merge_keys_that_merge_nothing_are_findings() {
        let output = run("<<: 5\nx: 1\n");
        assert_eq!(
            located(&output),
            [("parse/merge-key", Severity::Error, 1, 5, 1, 6, "")]
        );
        assert!(output.findings[0].message.contains("this is a number"));
        assert_eq!(output.documents[0].value, json!({"x": 1}));

        let output = run("a: {<<: [{b: 1}, 5, [2]], c: 3}\n");
        assert_eq!(
            located(&output),
            [
                ("parse/merge-key", Severity::Error, 1, 18, 1, 19, "/a"),
                ("parse/merge-key", Severity::Error, 1, 21, 1, 24, "/a"),
            ]
        );
        assert!(output.findings[1].message.contains("this is a list"));
        assert_eq!(output.documents[0].value, json!({"a": {"c": 3, "b": 1}}));

        let output = run("x: &x {a: 1}\ny: &y {b: 2, a: 0}\nz:\n  <<: *x\n  c: 3\n  <<: *y\n");
        assert_eq!(
            located(&output),
            [("parse/duplicate-key", Severity::Error, 6, 3, 6, 5, "/z/<<")]
        );
        assert_eq!(
            lc(output.findings[0].related[0].location.span),
            (4, 3, 4, 5)
        );
        // Both are merged, the earlier first; explicit keys win.
        assert_eq!(
            output.documents[0].value["z"],
            json!({"c": 3, "a": 1, "b": 2})
        );
    }

    #[test]
    fn tags_gwlint_does_not_resolve_are_findings() {
        let text = "a: !custom x\nb: !!binary aGVsbG8=\nc: !!int abc\nd: !!int '3'\n\
                    e: [!!float 1, !!bool yes, !!null '', ! 12, !!str 5, !!map x]\n\
                    f: !!seq {x: 1}\ng: !local [1]\nh: !!map {y: 2}\n";
        let output = run(text);
        assert!(!output.failed);
        assert_eq!(
            located(&output),
            [
                ("parse/tag", Severity::Error, 1, 4, 1, 13, "/a"),
                ("parse/tag", Severity::Error, 2, 4, 2, 21, "/b"),
                ("parse/tag", Severity::Error, 3, 4, 3, 13, "/c"),
                ("parse/tag", Severity::Error, 5, 16, 5, 26, "/e/1"),
                ("parse/tag", Severity::Error, 5, 54, 5, 61, "/e/5"),
                ("parse/tag", Severity::Error, 6, 4, 6, 11, "/f"),
                ("parse/tag", Severity::Error, 7, 4, 7, 12, "/g"),
            ]
        );
        assert!(output.findings[0]
            .message
            .starts_with("gwlint does not resolve the tag `!custom`"));
        assert!(output.findings[1].message.contains("`!!binary`"));
        assert!(output.findings[2]
            .message
            .starts_with("`abc` is not a valid `!!int`"));
        assert!(output.findings[5]
            .message
            .starts_with("the tag `!!seq` does not fit a mapping"));
        assert_eq!(
            output.documents[0].value,
            json!({
                "a": "x", "b": "aGVsbG8=", "c": "abc", "d": 3,
                "e": [1.0, "yes", null, "12", "5", "x"],
                "f": {"x": 1}, "g": [1], "h": {"y": 2}
            })
        );
    }

    #[test]
    fn saphyrs_false_rejections_are_read_as_yaml_reads_them() {
        // A tab after a key's `:` (saphyr: "':' must be followed by a valid YAML
        // whitespace") and a plain `x -` in a flow sequence (saphyr: "plain scalar
        // cannot start with '-' followed by ,[]{}"), as libyaml, js-yaml and eemeli/yaml
        // read them; spans are those of the file.
        let text = "a:\tb\nm: [x -, y]\nq: \"k:\\tv\"\nr: 'k:\tv'\nl: |\n  k:\tv\n\
                    f: {k:\tv, w: x -}\ns:\n  - z:\t1\nw: [x\n  -, y]\n";
        let output = run(text);
        assert!(!output.failed, "{:?}", output.findings);
        assert_eq!(
            rules(&output),
            ["parse/yaml11-boolean", "parse/yaml11-boolean"]
        );
        let document = &output.documents[0];
        assert_eq!(
            document.value,
            json!({
                "a": "b", "m": ["x -", "y"], "q": "k:\tv", "r": "k:\tv", "l": "k:\tv\n",
                "f": {"k": "v", "w": "x -"}, "s": [{"z": 1}], "w": ["x -", "y"]
            })
        );
        assert_eq!(lc(document.locate("/a").span), (1, 4, 1, 5));
        assert_eq!(lc(document.locate("/m/0").span), (2, 5, 2, 8));
        assert_eq!(lc(document.locate("/f/w").span), (7, 14, 7, 17));
        assert_eq!(lc(document.locate("/w/0").span), (10, 5, 11, 4));
        // What YAML 1.2 (or libyaml, APISIX's parser) refuses stays refused: a tab
        // after the `:` of an explicit key's value, a lone `-` in a flow sequence.
        for (text, at) in [("? a\n:\tb\n", (2, 3)), ("a: [-, y]\n", (1, 5))] {
            let output = run(text);
            assert!(output.failed, "{text:?}");
            assert_eq!(rules(&output), ["parse/syntax"], "{text:?}");
            let start = output.findings[0].location.span.start;
            assert_eq!((start.line, start.column), at, "{text:?}");
        }
    }

    #[test]
    fn an_alias_inside_its_own_anchor_is_a_cycle() {
        let output = run("a: &a\n  b: *a\n");
        assert!(output.failed);
        assert_eq!(rules(&output), ["parse/syntax"]);
        assert_eq!(lc(output.findings[0].location.span), (2, 6, 2, 8));
        assert!(
            output.findings[0].message.contains("cycle"),
            "{}",
            output.findings[0].message
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

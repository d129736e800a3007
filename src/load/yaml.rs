//! YAML → [`Document`]s with a span for every node.
//!
//! Builds values from saphyr-parser's event stream (`serde_yaml` has no positions and is
//! deprecated upstream). Owns YAML 1.2 core-schema typing, anchors and aliases (with
//! an expansion budget against alias bombs), `<<` merge keys, a nesting cap, and the
//! YAML-specific findings: duplicate keys, YAML 1.1 booleans, leading-zero numbers,
//! complex keys and syntax errors. Multi-document streams are returned whole; the
//! caller decides what more than one document means.

use super::document::{Document, MapEntrySpan, SpanChildren, SpanNode};
use super::{LoadLimits, ParseOutput};
use crate::finding::{Finding, Location, Severity};
use crate::source::{to_u32, Position, Source, Span};
use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span as YamlSpan, Tag};
use serde_json::{Map, Number, Value};
use std::collections::HashMap;

/// Parse every document of a YAML stream.
#[must_use]
pub fn parse(source: &Source, limits: &LoadLimits) -> ParseOutput {
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
        items: Vec<Value>,
        spans: Vec<SpanNode>,
    },
    Map {
        start: Span,
        anchor: usize,
        map: Map<String, Value>,
        entries: Vec<MapEntrySpan>,
        key: Option<PendingKey>,
        merges: Vec<Node>,
    },
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
    nodes: usize,
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
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd => Ok(()),
            Event::Scalar(text, style, anchor, tag) => {
                let node = self.scalar(&text, style, tag.as_deref(), span);
                self.remember(anchor, &node);
                self.complete(node)
            }
            Event::Alias(id) => {
                let node = self.alias(id, span)?;
                self.complete(node)
            }
            Event::SequenceStart(anchor, _) => self.open(Frame::Seq {
                start: span,
                anchor,
                items: Vec::new(),
                spans: Vec::new(),
            }),
            Event::MappingStart(anchor, _) => self.open(Frame::Map {
                start: span,
                anchor,
                map: Map::new(),
                entries: Vec::new(),
                key: None,
                merges: Vec::new(),
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let (node, anchor) = Self::close(frame, span);
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
            return Err(Stop {
                rule: "parse/too-deep",
                message: format!(
                    "nesting deeper than {} levels; the file is not loaded",
                    self.limits.max_depth
                ),
                help: "gateway configuration never needs this depth; flatten the structure".into(),
                span,
            });
        }
        self.stack.push(frame);
        Ok(())
    }

    fn close(frame: Frame, end: Span) -> (Node, usize) {
        match frame {
            Frame::Seq {
                start,
                anchor,
                items,
                spans,
            } => {
                let span = collection_span(start, end, spans.last().map(|s| s.span));
                let node = Node {
                    value: Value::Array(items),
                    spans: SpanNode {
                        span,
                        children: SpanChildren::Seq(spans),
                    },
                    merge_key: false,
                };
                (node, anchor)
            }
            Frame::Map {
                start,
                anchor,
                mut map,
                mut entries,
                merges,
                ..
            } => {
                let last = entries.last().map(|e| e.value.span);
                for merged in merges {
                    apply_merge(&mut map, &mut entries, merged);
                }
                let span = collection_span(start, end, last);
                let node = Node {
                    value: Value::Object(map),
                    spans: SpanNode {
                        span,
                        children: SpanChildren::Map(entries),
                    },
                    merge_key: false,
                };
                (node, anchor)
            }
        }
    }

    /// Attach a completed node to the open collection, or finish a document.
    fn complete(&mut self, node: Node) -> Result<(), Stop> {
        let Some(frame) = self.stack.last_mut() else {
            self.documents.push(Document {
                value: node.value,
                spans: node.spans,
            });
            return Ok(());
        };
        match frame {
            Frame::Seq { items, spans, .. } => {
                items.push(node.value);
                spans.push(node.spans);
                Ok(())
            }
            Frame::Map { key, .. } => match key.take() {
                None => self.set_key(&node),
                Some(pending) => {
                    self.insert(pending, node);
                    Ok(())
                }
            },
        }
    }

    fn set_key(&mut self, node: &Node) -> Result<(), Stop> {
        let text = match &node.value {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            Value::Bool(_) | Value::Number(_) => scalar_text(&node.value),
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
            Some(Frame::Map { entries, .. }) => entries
                .iter()
                .find(|e| *e.key == *pending.text)
                .map(|e| e.key_span),
            _ => None,
        };
        if let Some(first) = duplicate {
            self.duplicate_key(&pending, first);
        }
        if let Some(Frame::Map { map, entries, .. }) = self.stack.last_mut() {
            entries.retain(|e| *e.key != *pending.text);
            entries.push(MapEntrySpan {
                key: pending.text.clone().into_boxed_str(),
                key_span: pending.span,
                value: node.spans,
            });
            map.insert(pending.text, node.value);
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

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor == 0 {
            return;
        }
        self.anchors.insert(
            anchor,
            Anchored {
                value: node.value.clone(),
                spans: node.spans.clone(),
                nodes: node.spans.count(),
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
        let mut source_entries = source_entries.into_iter();
        for (key, value) in source_map {
            let entry = source_entries.find(|e| *e.key == *key);
            if map.contains_key(&key) {
                continue;
            }
            if let Some(entry) = entry {
                entries.push(entry);
            }
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

/// A span covering one character at `pos` (or nothing at the end of the file).
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

/// The span of a collection: from its start event to its end event, or to its last
/// child when the end event is empty (block collections end where the next token
/// starts, which may be lines later).
fn collection_span(start: Span, end: Span, last_child: Option<Span>) -> Span {
    let end_pos = if end.end > end.start {
        end.end
    } else {
        last_child.map_or(start.end, |c| c.end.max(start.end))
    };
    Span::new(start.start, end_pos.max(start.start))
}

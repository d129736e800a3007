//! JSON → [`Document`] with a span for every node.
//!
//! A strict RFC 8259 parser written for positions: it builds the value and the span
//! tree in one pass over the bytes, tracking line and column (in characters) as it
//! goes. It reports the first syntax error at its exact position (`parse/syntax`),
//! duplicate keys like the YAML loader (`parse/duplicate-key`, both places), and
//! stops at the nesting cap (`parse/too-deep`). Numbers are classified by
//! [`super::number`]: an integer a 64-bit float rounds (JSON allows any number of
//! digits) is kept with `parse/imprecise-number`, one beyond the largest double
//! (`1e400`) is kept as its text with `parse/number-out-of-range`, as in YAML.
//! Whitespace-only input is a stream of
//! zero documents. JSON pointers are built only when a finding needs one, so a clean
//! file costs no allocation beyond its values, keys and spans.

use super::document::{join_pointer, Document, MapEntrySpan, SpanChildren, SpanNode};
use super::number;
use super::{LoadLimits, ParseOutput};
use crate::finding::{Finding, Location, Severity};
use crate::source::{to_u32, Position, Source, Span};
use serde_json::{Map, Value};

/// Parse a JSON file.
#[must_use]
pub fn parse(source: &Source, limits: &LoadLimits) -> ParseOutput {
    let mut parser = Parser {
        bytes: source.text.as_bytes(),
        index: 0,
        at: Position::START,
        source,
        limits,
        depth: 0,
        findings: Vec::new(),
    };
    if parser.bytes.starts_with(BYTE_ORDER_MARK) {
        // RFC 8259 §8.1: a parser may ignore a leading byte order mark.
        parser.bump_n(BYTE_ORDER_MARK.len());
    }
    parser.skip_whitespace();
    if parser.index == parser.bytes.len() {
        return ParseOutput::default();
    }
    let result = parser.value(&Path::Root).and_then(|(value, spans)| {
        parser.skip_whitespace();
        if parser.index < parser.bytes.len() {
            Err(parser.error("unexpected content after the JSON value"))
        } else {
            Ok(Document::new(value, &spans))
        }
    });
    let mut findings = parser.findings;
    match result {
        Ok(document) => ParseOutput {
            documents: vec![document],
            findings,
            failed: false,
        },
        Err(stop) => {
            findings.push(Finding::new(
                stop.rule,
                Severity::Error,
                stop.message,
                stop.help,
                Location {
                    source: source.clone(),
                    span: stop.span,
                    pointer: String::new(),
                },
            ));
            ParseOutput {
                documents: Vec::new(),
                findings,
                failed: true,
            }
        }
    }
}

/// U+FEFF in UTF-8.
const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// Where the value being parsed sits: a chain of pointer tokens up to the root, turned
/// into a JSON pointer only when a finding needs one.
#[derive(Clone, Copy)]
enum Path<'p> {
    Root,
    Key(&'p Path<'p>, &'p str),
    Index(&'p Path<'p>, usize),
}

impl Path<'_> {
    fn pointer(&self) -> String {
        match self {
            Path::Root => String::new(),
            Path::Key(parent, key) => join_pointer(&parent.pointer(), key),
            Path::Index(parent, index) => format!("{}/{index}", parent.pointer()),
        }
    }
}

/// Why parsing stopped.
struct Stop {
    rule: &'static str,
    message: String,
    help: &'static str,
    span: Span,
}

struct Parser<'a> {
    bytes: &'a [u8],
    index: usize,
    /// The position of `bytes[index]`.
    at: Position,
    source: &'a Source,
    limits: &'a LoadLimits,
    depth: usize,
    findings: Vec<Finding>,
}

type Parsed = Result<(Value, SpanNode), Stop>;

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.index).copied()
    }

    /// Step over one byte, keeping the position in characters.
    fn bump(&mut self) {
        let Some(&byte) = self.bytes.get(self.index) else {
            return;
        };
        self.index += 1;
        if byte == b'\n' {
            self.at.line += 1;
            self.at.column = 1;
            self.at.offset += 1;
        } else if byte & 0xC0 != 0x80 {
            self.at.column += 1;
            self.at.offset += 1;
        }
    }

    fn bump_n(&mut self, count: usize) {
        for _ in 0..count {
            self.bump();
        }
    }

    /// Step over `count` bytes known to hold no line break, in one go.
    fn advance_within_line(&mut self, count: usize) {
        let end = (self.index + count).min(self.bytes.len());
        let chars = self.bytes[self.index..end]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count();
        self.index = end;
        self.at.column += to_u32(chars);
        self.at.offset += to_u32(chars);
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.bump();
        }
    }

    /// A syntax error at the current position (one character wide).
    fn error(&self, message: impl Into<String>) -> Stop {
        let end = if self.index < self.bytes.len() {
            Position {
                offset: self.at.offset + 1,
                line: self.at.line,
                column: self.at.column + 1,
            }
        } else {
            self.at
        };
        syntax_error(Span::new(self.at, end), message)
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<(), Stop> {
        if self.peek() == Some(byte) {
            self.bump();
            Ok(())
        } else {
            Err(self.error(format!("expected {what}")))
        }
    }

    fn value(&mut self, path: &Path<'_>) -> Parsed {
        match self.peek() {
            Some(b'{') => self.object(path),
            Some(b'[') => self.array(path),
            Some(b'"') => {
                let start = self.at;
                let text = self.string()?;
                Ok((
                    Value::String(text),
                    SpanNode::leaf(Span::new(start, self.at)),
                ))
            }
            Some(b'-' | b'0'..=b'9') => self.number(path),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(_) => {
                Err(self
                    .error("expected a value (object, array, string, number, true, false or null)"))
            }
            None => Err(self.error("unexpected end of file, expected a value")),
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Parsed {
        let start = self.at;
        if !self.bytes[self.index..].starts_with(word.as_bytes()) {
            return Err(self.error(format!("expected `{word}`")));
        }
        self.advance_within_line(word.len());
        Ok((value, SpanNode::leaf(Span::new(start, self.at))))
    }

    fn enter(&mut self) -> Result<(), Stop> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            let mut stop = self.error("");
            stop.rule = "parse/too-deep";
            stop.message = format!(
                "nesting deeper than {} levels; the file is not loaded",
                self.limits.max_depth
            );
            stop.help = "gateway configuration never needs this depth; flatten the structure";
            return Err(stop);
        }
        Ok(())
    }

    fn array(&mut self, path: &Path<'_>) -> Parsed {
        self.enter()?;
        let start = self.at;
        self.bump();
        let mut items = Vec::new();
        let mut spans = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.bump();
        } else {
            loop {
                self.skip_whitespace();
                let (item, span) = self.value(&Path::Index(path, items.len()))?;
                items.push(item);
                spans.push(span);
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => {
                        self.bump();
                        self.skip_whitespace();
                        if self.peek() == Some(b']') {
                            return Err(self.error("trailing comma before `]`"));
                        }
                    }
                    Some(b']') => {
                        self.bump();
                        break;
                    }
                    _ => return Err(self.error("expected `,` or `]` after array item")),
                }
            }
        }
        self.depth -= 1;
        let node = SpanNode {
            span: Span::new(start, self.at),
            children: SpanChildren::Seq(spans),
        };
        items.shrink_to_fit();
        Ok((Value::Array(items), node))
    }

    fn object(&mut self, path: &Path<'_>) -> Parsed {
        self.enter()?;
        let start = self.at;
        self.bump();
        let mut map = Map::new();
        let mut entries: Vec<MapEntrySpan> = Vec::new();
        // Where each key is among the entries, built at the first duplicate (the map
        // finds a key but not its place): a clean object costs nothing more.
        let mut places: Option<foldhash::HashMap<String, usize>> = None;
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.bump();
        } else {
            loop {
                self.skip_whitespace();
                if self.peek() != Some(b'"') {
                    return Err(self.error("expected a string key (JSON keys are double-quoted)"));
                }
                let key_start = self.at;
                let key = self.string()?;
                let key_span = Span::new(key_start, self.at);
                self.skip_whitespace();
                self.expect(b':', "`:` after object key")?;
                self.skip_whitespace();
                let child = Path::Key(path, &key);
                let (value, spans) = self.value(&child)?;
                let entry = MapEntrySpan {
                    key_span,
                    value: spans,
                };
                // The entries are the map's keys, in order: the last value wins and
                // keeps the first one's place, as in `map`.
                let repeated = map.contains_key(&key).then(|| {
                    let places = places.get_or_insert_with(|| {
                        map.keys()
                            .enumerate()
                            .map(|(at, written)| (written.clone(), at))
                            .collect()
                    });
                    places[&key]
                });
                if let Some(at) = repeated {
                    let first = entries[at].key_span;
                    self.duplicate(&key, key_span, first, &child);
                    entries[at] = entry;
                } else {
                    if let Some(places) = &mut places {
                        places.insert(key.clone(), entries.len());
                    }
                    entries.push(entry);
                }
                map.insert(key, value);
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => {
                        self.bump();
                        self.skip_whitespace();
                        if self.peek() == Some(b'}') {
                            return Err(self.error("trailing comma before `}`"));
                        }
                    }
                    Some(b'}') => {
                        self.bump();
                        break;
                    }
                    _ => return Err(self.error("expected `,` or `}` after object member")),
                }
            }
        }
        self.depth -= 1;
        let node = SpanNode {
            span: Span::new(start, self.at),
            children: SpanChildren::Map(entries),
        };
        // An environment keeps every map until the end: no spare capacity.
        let mut fitted = Map::with_capacity(map.len());
        fitted.extend(map);
        Ok((Value::Object(fitted), node))
    }

    /// A finding about the value at `path`, covering `span`.
    fn report(
        &mut self,
        rule: &str,
        severity: Severity,
        message: String,
        help: &str,
        span: Span,
        path: &Path<'_>,
    ) {
        let location = Location {
            source: self.source.clone(),
            span,
            pointer: path.pointer(),
        };
        self.findings
            .push(Finding::new(rule, severity, message, help, location));
    }

    fn duplicate(&mut self, key: &str, span: Span, first: Span, path: &Path<'_>) {
        let pointer = path.pointer();
        let location = |span: Span| Location {
            source: self.source.clone(),
            span,
            pointer: pointer.clone(),
        };
        let finding = Finding::new(
            "parse/duplicate-key",
            Severity::Error,
            format!("duplicate mapping key `{key}`"),
            "remove one of the two entries; JSON parsers disagree on which one wins",
            location(span),
        )
        .with_related("first defined here", location(first));
        self.findings.push(finding);
    }

    /// A string literal (the cursor is on its opening quote).
    fn string(&mut self) -> Result<String, Stop> {
        self.bump();
        let mut out = String::new();
        loop {
            let run_start = self.index;
            let run = self.bytes[run_start..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(self.bytes.len() - run_start);
            self.advance_within_line(run);
            out.push_str(&self.source.text[run_start..self.index]);
            match self.peek() {
                Some(b'"') => {
                    self.bump();
                    return Ok(out);
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(_) => {
                    return Err(self.error(
                        "control character in string (write it as an escape such as `\\n`)",
                    ))
                }
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), Stop> {
        let start = self.at;
        self.bump();
        let Some(kind) = self.peek() else {
            return Err(self.error("unterminated escape"));
        };
        let simple = match kind {
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            b'/' => Some('/'),
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{c}'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            b'u' => None,
            _ => {
                return Err(self.error(
                    "invalid escape (JSON allows `\\\"`, `\\\\`, `\\/`, `\\b`, `\\f`, `\\n`, `\\r`, `\\t`, `\\uXXXX`)",
                ))
            }
        };
        self.bump();
        if let Some(c) = simple {
            out.push(c);
            return Ok(());
        }
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if !self.bytes[self.index..].starts_with(b"\\u") {
                return Err(syntax_error(
                    Span::new(start, self.at),
                    "lone high surrogate: `\\uD800`-`\\uDBFF` must be followed by a low surrogate escape",
                ));
            }
            self.advance_within_line(2);
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(syntax_error(
                    Span::new(start, self.at),
                    "high surrogate not followed by a low surrogate (`\\uDC00`-`\\uDFFF`)",
                ));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else if (0xDC00..0xE000).contains(&first) {
            return Err(syntax_error(
                Span::new(start, self.at),
                "lone low surrogate: `\\uDC00`-`\\uDFFF` must follow a high surrogate escape",
            ));
        } else {
            first
        };
        out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, Stop> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or_else(|| self.error("expected four hex digits after `\\u`"))?;
            code = code * 16 + digit;
            self.bump();
        }
        Ok(code)
    }

    fn number(&mut self, path: &Path<'_>) -> Parsed {
        let start = self.at;
        let begin = self.index;
        if self.peek() == Some(b'-') {
            self.bump();
        }
        match self.peek() {
            Some(b'0') => {
                self.bump();
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return Err(self.error("leading zeros are not allowed in JSON numbers"));
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("expected a digit")),
        }
        let mut float = false;
        if self.peek() == Some(b'.') {
            float = true;
            self.bump();
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("expected a digit after `.`"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            float = true;
            self.bump();
            if let Some(b'+' | b'-') = self.peek() {
                self.bump();
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("expected a digit in the exponent"));
            }
            self.digits();
        }
        let text = &self.source.text[begin..self.index];
        let span = Span::new(start, self.at);
        let written = if float {
            number::float(text)
        } else {
            number::decimal_integer(text)
        };
        let (value, finding) = number::judge(written, text);
        if let Some(f) = finding {
            self.report(f.rule, f.severity, f.message, f.help, span, path);
        }
        Ok((value, SpanNode::leaf(span)))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.bump();
        }
    }
}

/// A syntax error covering `span`.
fn syntax_error(span: Span, message: impl Into<String>) -> Stop {
    Stop {
        rule: "parse/syntax",
        message: format!("invalid JSON: {}", message.into()),
        help: "fix the JSON syntax at this position",
        span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::span_tree::NodeRef;
    use crate::source::SourceFile;
    use serde_json::json;
    use std::sync::Arc;

    fn run_with(text: &str, limits: &LoadLimits) -> ParseOutput {
        let source = Arc::new(SourceFile::new("x.json".into(), text.into()));
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

    /// The one finding of a failed parse: rule, line, column and message.
    fn failure(text: &str) -> (String, u32, u32, String) {
        let output = run(text);
        assert!(output.failed, "{text:?} should fail");
        assert!(output.documents.is_empty());
        assert_eq!(output.findings.len(), 1, "{:?}", output.findings);
        let f = &output.findings[0];
        assert_eq!(f.severity, Severity::Error);
        let at = f.location.span.start;
        (f.rule.to_string(), at.line, at.column, f.message.clone())
    }

    /// Assert that `text` fails with `parse/syntax` at `line:column` with a message
    /// containing `words`.
    fn syntax_error_at(text: &str, line: u32, column: u32, words: &str) {
        let (rule, l, c, message) = failure(text);
        assert_eq!(
            (rule.as_str(), l, c),
            ("parse/syntax", line, column),
            "{text:?}: {message}"
        );
        assert!(message.contains(words), "{text:?}: {message}");
    }

    #[test]
    fn spans_of_keys_values_and_collections() {
        let output = run("{\n  \"é\": [1, {\"k\": \"v\"}],\n  \"n\": -1.5e3\n}");
        let document = &output.documents[0];
        let located = document.locate("/é/1/k");
        assert_eq!(lc(located.span), (2, 18, 2, 21));
        assert_eq!(lc(located.key_span.unwrap()), (2, 13, 2, 16));
        assert_eq!(lc(document.locate("/é").span), (2, 8, 2, 23));
        assert_eq!(lc(document.locate("/é/0").span), (2, 9, 2, 10));
        let number = document.locate("/n");
        assert_eq!(lc(number.key_span.unwrap()), (3, 3, 3, 6));
        assert_eq!(lc(number.span), (3, 8, 3, 14));
        assert_eq!(document.value["n"], json!(-1500.0));
        assert_eq!(lc(document.spans.root().span()), (1, 1, 4, 2));
    }

    #[test]
    fn columns_and_offsets_count_characters() {
        // `é` is 2 bytes, `😀` 4 bytes, and each one column; escapes count as written.
        let output = run("{\"😀é\": \"\\u00e9x\", \"b\": true}");
        let document = &output.documents[0];
        let b = document.locate("/b");
        assert_eq!(lc(b.key_span.unwrap()), (1, 19, 1, 22));
        assert_eq!(lc(b.span), (1, 24, 1, 28));
        assert_eq!((b.span.start.offset, b.span.end.offset), (23, 27));
        assert_eq!(document.value, json!({"😀é": "éx", "b": true}));
    }

    fn every_span(node: NodeRef<'_>, out: &mut Vec<Span>) {
        out.push(node.span());
        node.items().for_each(|item| every_span(item, out));
        for entry in node.entries() {
            out.push(entry.key_span);
            every_span(entry.value, out);
        }
    }

    #[test]
    fn positions_agree_with_the_source_file() {
        let text =
            "{\"añ\": [\"ü\\u00fc😀\", 1.5e-3,\r\n\t{\"k\": [null, \"é\"]}],\n \"b\":\ttrue}";
        let source = Arc::new(SourceFile::new("x.json".into(), text.into()));
        let output = parse(&source, &LoadLimits::default());
        let mut spans = Vec::new();
        every_span(output.documents[0].spans.root(), &mut spans);
        assert_eq!(spans.len(), 12);
        for span in spans {
            for pos in [span.start, span.end] {
                assert_eq!(source.position_of_byte(source.byte_offset(pos)), pos);
            }
        }
    }

    #[test]
    fn crlf_line_breaks_and_a_byte_order_mark() {
        let output = run("\u{feff}{\r\n\"a\": null\r\n}\r\n");
        let located = output.documents[0].locate("/a");
        assert_eq!(lc(located.span), (2, 6, 2, 10));
        assert_eq!(output.documents[0].value, json!({"a": null}));
    }

    #[test]
    fn numbers_keep_their_kind() {
        let output = run(
            "[1, -2, 0, -0, 9223372036854775807, -9223372036854775808, 9223372036854775808, \
             18446744073709551615, 18446744073709551616, -9223372036854775809, 1.0, 1e2, \
             2.5E-3, 123456789012345678901234567890]",
        );
        let v = &output.documents[0].value;
        for i in 0..6 {
            assert!(v[i].is_i64(), "{i}: {}", v[i]);
        }
        assert_eq!(v[5], json!(i64::MIN));
        assert!(v[6].is_u64() && v[7].is_u64());
        assert_eq!(v[7], json!(u64::MAX));
        for i in 8..14 {
            assert!(v[i].is_f64(), "{i}: {}", v[i]);
        }
        assert_eq!(v[12], json!(0.0025));
        assert_eq!(v[13].as_f64(), Some(1.234_567_890_123_456_8e29));
    }

    #[test]
    fn structural_errors_are_located() {
        syntax_error_at("{\"a\": 1,}", 1, 9, "trailing comma before `}`");
        syntax_error_at("[1,\n 2,\n]", 3, 1, "trailing comma before `]`");
        syntax_error_at("[1 2]", 1, 4, "expected `,` or `]` after array item");
        syntax_error_at(
            "{\"a\": 1 \"b\": 2}",
            1,
            9,
            "expected `,` or `}` after object member",
        );
        syntax_error_at("{\"a\" 1}", 1, 6, "expected `:` after object key");
        syntax_error_at("{'a': 1}", 1, 2, "JSON keys are double-quoted");
        syntax_error_at("{a: 1}", 1, 2, "JSON keys are double-quoted");
        syntax_error_at("['a']", 1, 2, "expected a value");
        syntax_error_at("// c\n{}", 1, 1, "expected a value");
        syntax_error_at("{\"a\": 1 /* c */}", 1, 9, "expected `,` or `}`");
        syntax_error_at("{} x", 1, 4, "unexpected content after the JSON value");
        syntax_error_at("{}\n{}", 2, 1, "unexpected content after the JSON value");
        syntax_error_at("[1,", 1, 4, "unexpected end of file");
        syntax_error_at("{\"a\": [", 1, 8, "unexpected end of file");
        syntax_error_at("{\"a\": 1", 1, 8, "expected `,` or `}`");
        syntax_error_at("[tru]", 1, 2, "expected `true`");
        syntax_error_at("[nul", 1, 2, "expected `null`");
    }

    #[test]
    fn string_errors_are_located() {
        syntax_error_at("\"abc", 1, 5, "unterminated string");
        syntax_error_at("[\"a\nb\"]", 1, 4, "control character in string");
        syntax_error_at("\"a\tb\"", 1, 3, "control character in string");
        syntax_error_at("\"\\x\"", 1, 3, "invalid escape");
        syntax_error_at("\"\\", 1, 3, "unterminated escape");
        syntax_error_at("\"\\u12G4\"", 1, 6, "four hex digits");
        syntax_error_at("\"ab\\ud800\"", 1, 4, "lone high surrogate");
        syntax_error_at(
            "\"\\ud800\\u0041\"",
            1,
            2,
            "not followed by a low surrogate",
        );
        syntax_error_at("\"\\udc00\"", 1, 2, "lone low surrogate");
    }

    #[test]
    fn number_errors_are_located() {
        syntax_error_at("[01]", 1, 3, "leading zeros");
        syntax_error_at("[-01]", 1, 4, "leading zeros");
        syntax_error_at("[NaN]", 1, 2, "expected a value");
        syntax_error_at("[Infinity]", 1, 2, "expected a value");
        syntax_error_at("[-Infinity]", 1, 3, "expected a digit");
        syntax_error_at("[+1]", 1, 2, "expected a value");
        syntax_error_at("[.5]", 1, 2, "expected a value");
        syntax_error_at("[1.]", 1, 4, "expected a digit after `.`");
        syntax_error_at("[1e]", 1, 4, "expected a digit in the exponent");
        syntax_error_at("[0x10]", 1, 3, "expected `,` or `]`");
    }

    #[test]
    fn numbers_json_allows_but_the_gateway_cannot_hold_are_findings() {
        let many = "1".repeat(400);
        let text = format!(
            "{{\"a\": [1e400, -1E+999, 99999999999999999999, {many}, 9007199254740993, \
             9007199254740992, 1e20, 0.1]}}"
        );
        let output = run(&text);
        assert!(!output.failed);
        let found: Vec<(&str, Severity, u32, &str)> = output
            .findings
            .iter()
            .map(|f| {
                (
                    f.rule.as_str(),
                    f.severity,
                    f.location.span.start.column,
                    f.location.pointer.as_str(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("parse/number-out-of-range", Severity::Error, 8, "/a/0"),
                ("parse/number-out-of-range", Severity::Error, 15, "/a/1"),
                ("parse/imprecise-number", Severity::Warning, 24, "/a/2"),
                ("parse/number-out-of-range", Severity::Error, 46, "/a/3"),
                ("parse/imprecise-number", Severity::Warning, 448, "/a/4"),
            ]
        );
        assert_eq!(lc(output.findings[0].location.span), (1, 8, 1, 13));
        assert!(output.findings[2]
            .message
            .ends_with("the gateway reads 100000000000000000000"));
        let values = &output.documents[0].value["a"];
        assert_eq!(values[0], json!("1e400"));
        assert_eq!(values[1], json!("-1E+999"));
        assert_eq!(values[2].as_f64(), Some(1e20));
        assert_eq!(values[3], json!(many));
        assert_eq!(values[4], json!(9_007_199_254_740_993_u64));
        assert_eq!(values[5], json!(9_007_199_254_740_992_u64));
        assert_eq!(values[6].as_f64(), Some(1e20));
        assert_eq!(values[7], json!(0.1));
    }

    #[test]
    fn escapes_and_surrogate_pairs() {
        let output = run(r#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\u0000""#);
        assert_eq!(
            output.documents[0].value,
            json!("a\"\\/\u{8}\u{c}\n\r\té😀\u{0}")
        );
    }

    #[test]
    fn duplicate_keys_show_both_places() {
        let output = run("{\"x\": [{\"a\": 1,\n \"b\": 0, \"a\": 2}]}");
        assert!(!output.failed);
        assert_eq!(output.documents[0].value, json!({"x": [{"a": 2, "b": 0}]}));
        assert_eq!(output.findings.len(), 1);
        let finding = &output.findings[0];
        assert_eq!(finding.rule, "parse/duplicate-key");
        assert_eq!(finding.severity, Severity::Error);
        assert_eq!(finding.location.pointer, "/x/0/a");
        assert_eq!(lc(finding.location.span), (2, 10, 2, 13));
        assert_eq!(finding.related[0].message, "first defined here");
        assert_eq!(lc(finding.related[0].location.span), (1, 9, 1, 12));
        // The winning value is the one located, in the first key's place.
        let document = &output.documents[0];
        assert_eq!(lc(document.locate("/x/0/a").span), (2, 15, 2, 16));
        let first = document.spans.root().child("x").unwrap().items().next();
        let keys: Vec<&str> = first
            .into_iter()
            .flat_map(|m| m.entries())
            .map(|e| e.key)
            .collect();
        assert_eq!(keys, ["a", "b"]);
    }

    #[test]
    fn a_syntax_error_after_a_duplicate_keeps_both_findings() {
        let output = run("{\"a\": 1, \"a\": 2,}");
        assert!(output.failed && output.documents.is_empty());
        let rules: Vec<&str> = output.findings.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(rules, ["parse/duplicate-key", "parse/syntax"]);
    }

    #[test]
    fn depth_cap_stops_at_the_first_bracket_too_deep() {
        let limits = LoadLimits {
            max_depth: 3,
            ..LoadLimits::default()
        };
        assert!(!run_with("[{\"a\": [1]}]", &limits).failed);
        let output = run_with("[{\"a\": [[1]]}]", &limits);
        assert!(output.failed);
        assert_eq!(output.findings[0].rule, "parse/too-deep");
        assert_eq!(lc(output.findings[0].location.span), (1, 9, 1, 10));
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let (rule, line, column, _) = failure(&deep);
        assert_eq!((rule.as_str(), line, column), ("parse/too-deep", 1, 129));
    }

    #[test]
    fn empty_and_blank_input_hold_no_document() {
        for text in ["", "  \n\t\r\n", "\u{feff}"] {
            let output = run(text);
            assert!(!output.failed && output.documents.is_empty() && output.findings.is_empty());
        }
    }

    #[test]
    fn scalars_at_the_top_level() {
        for (text, value) in [
            ("1", json!(1)),
            (" \"s\" ", json!("s")),
            ("null", json!(null)),
            ("false\n", json!(false)),
        ] {
            let output = run(text);
            assert_eq!(output.documents[0].value, value, "{text:?}");
        }
    }
}

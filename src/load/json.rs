//! JSON → [`Document`] with a span for every node.
//!
//! A strict RFC 8259 parser written for positions: it builds the value and the span
//! tree in one pass over the bytes, tracking line and column (in characters) as it
//! goes. It reports the first syntax error at its exact position (`parse/syntax`),
//! duplicate keys like the YAML loader (`parse/duplicate-key`, both places), and
//! stops at the nesting cap (`parse/too-deep`). Whitespace-only input is a stream of
//! zero documents.

use super::document::{join_pointer, Document, MapEntrySpan, SpanChildren, SpanNode};
use super::{LoadLimits, ParseOutput};
use crate::finding::{Finding, Location, Severity};
use crate::source::{Position, Source, Span};
use serde_json::{Map, Number, Value};

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
    parser.skip_whitespace();
    if parser.index == parser.bytes.len() {
        return ParseOutput::default();
    }
    let result = parser.value("").and_then(|(value, spans)| {
        parser.skip_whitespace();
        if parser.index < parser.bytes.len() {
            Err(parser.error("unexpected content after the JSON value"))
        } else {
            Ok(Document { value, spans })
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
        Stop {
            rule: "parse/syntax",
            message: format!("invalid JSON: {}", message.into()),
            help: "fix the JSON syntax at this position",
            span: Span::new(self.at, end),
        }
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<(), Stop> {
        if self.peek() == Some(byte) {
            self.bump();
            Ok(())
        } else {
            Err(self.error(format!("expected {what}")))
        }
    }

    fn value(&mut self, pointer: &str) -> Parsed {
        match self.peek() {
            Some(b'{') => self.object(pointer),
            Some(b'[') => self.array(pointer),
            Some(b'"') => {
                let start = self.at;
                let text = self.string()?;
                Ok((
                    Value::String(text),
                    SpanNode::leaf(Span::new(start, self.at)),
                ))
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
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
        for _ in 0..word.len() {
            self.bump();
        }
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

    fn array(&mut self, pointer: &str) -> Parsed {
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
                let (item, span) = self.value(&format!("{pointer}/{}", items.len()))?;
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
        Ok((Value::Array(items), node))
    }

    fn object(&mut self, pointer: &str) -> Parsed {
        self.enter()?;
        let start = self.at;
        self.bump();
        let mut map = Map::new();
        let mut entries: Vec<MapEntrySpan> = Vec::new();
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
                let child_pointer = join_pointer(pointer, &key);
                let (value, spans) = self.value(&child_pointer)?;
                if map.contains_key(&key) {
                    self.duplicate(&key, key_span, &entries, &child_pointer);
                    entries.retain(|e| *e.key != *key);
                }
                entries.push(MapEntrySpan {
                    key: key.clone().into_boxed_str(),
                    key_span,
                    value: spans,
                });
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
        Ok((Value::Object(map), node))
    }

    fn duplicate(&mut self, key: &str, span: Span, entries: &[MapEntrySpan], pointer: &str) {
        let location = |span: Span| Location {
            source: self.source.clone(),
            span,
            pointer: pointer.to_owned(),
        };
        let mut finding = Finding::new(
            "parse/duplicate-key",
            Severity::Error,
            format!("duplicate mapping key `{key}`"),
            "remove one of the two entries; JSON parsers disagree on which one wins",
            location(span),
        );
        if let Some(first) = entries.iter().find(|e| &*e.key == key) {
            finding = finding.with_related("first defined here", location(first.key_span));
        }
        self.findings.push(finding);
    }

    /// A string literal (the cursor is on its opening quote).
    fn string(&mut self) -> Result<String, Stop> {
        self.bump();
        let mut out = String::new();
        loop {
            let run_start = self.index;
            while let Some(byte) = self.peek() {
                if byte == b'"' || byte == b'\\' || byte < 0x20 {
                    break;
                }
                self.bump();
            }
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
            _ => return Err(self.error("invalid escape")),
        };
        self.bump();
        if let Some(c) = simple {
            out.push(c);
            return Ok(());
        }
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if !self.bytes[self.index..].starts_with(b"\\u") {
                return Err(self.error("lone high surrogate in `\\u` escape"));
            }
            self.bump();
            self.bump();
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.error("high surrogate not followed by a low surrogate"));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else if (0xDC00..0xE000).contains(&first) {
            return Err(self.error("lone low surrogate in `\\u` escape"));
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

    fn number(&mut self) -> Parsed {
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
        let number = if float { None } else { integer(text) };
        let Some(number) = number.or_else(|| text.parse::<f64>().ok().and_then(Number::from_f64))
        else {
            return Err(self.error("number out of range"));
        };
        Ok((
            Value::Number(number),
            SpanNode::leaf(Span::new(start, self.at)),
        ))
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.bump();
        }
    }
}

/// An integer as i64, else u64.
fn integer(text: &str) -> Option<Number> {
    text.parse::<i64>()
        .map(Number::from)
        .ok()
        .or_else(|| text.parse::<u64>().map(Number::from).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use std::sync::Arc;

    fn run(text: &str) -> ParseOutput {
        let source = Arc::new(SourceFile::new("x.json".into(), text.into()));
        parse(&source, &LoadLimits::default())
    }

    fn error_at(text: &str) -> (String, u32, u32) {
        let output = run(text);
        assert!(output.failed, "{text} should fail");
        let f = &output.findings[0];
        (
            f.rule.clone(),
            f.location.span.start.line,
            f.location.span.start.column,
        )
    }

    #[test]
    fn spans_of_keys_values_and_collections() {
        let output = run("{\n  \"é\": [1, {\"k\": \"v\"}],\n  \"n\": -1.5e3\n}");
        let document = &output.documents[0];
        let located = document.locate("/é/1/k");
        assert_eq!(
            (located.span.start.line, located.span.start.column),
            (2, 18)
        );
        let key = located.key_span.unwrap();
        assert_eq!((key.start.column, key.end.column), (13, 16));
        let array = document.locate("/é").span;
        assert_eq!(
            (array.start.line, array.start.column, array.end.column),
            (2, 8, 23)
        );
        assert_eq!(document.value["n"], serde_json::json!(-1500.0));
        let root = document.spans.span;
        assert_eq!((root.end.line, root.end.column), (4, 2));
    }

    #[test]
    fn numbers_keep_their_kind() {
        let output = run("[1, -2, 18446744073709551615, 1.0, 1e2, 123456789012345678901234567890]");
        let v = &output.documents[0].value;
        assert!(v[0].is_i64() && v[1].is_i64() && v[2].is_u64());
        assert!(v[3].is_f64() && v[4].is_f64() && v[5].is_f64());
    }

    #[test]
    fn syntax_errors_are_located() {
        assert_eq!(error_at("{\"a\": 1,}"), ("parse/syntax".into(), 1, 9));
        assert_eq!(error_at("[1 2]"), ("parse/syntax".into(), 1, 4));
        assert_eq!(error_at("{'a': 1}"), ("parse/syntax".into(), 1, 2));
        assert_eq!(error_at("// c\n{}"), ("parse/syntax".into(), 1, 1));
        assert_eq!(error_at("{} x"), ("parse/syntax".into(), 1, 4));
        assert_eq!(error_at("\"abc"), ("parse/syntax".into(), 1, 5));
        assert_eq!(error_at("\"a\tb\""), ("parse/syntax".into(), 1, 3));
        assert_eq!(error_at("[01]"), ("parse/syntax".into(), 1, 3));
        assert_eq!(error_at("[NaN]"), ("parse/syntax".into(), 1, 2));
        assert_eq!(error_at("\"\\ud800\""), ("parse/syntax".into(), 1, 8));
        assert_eq!(error_at("[1,\n 2,\n]"), ("parse/syntax".into(), 3, 1));
    }

    #[test]
    fn escapes_and_surrogate_pairs() {
        let output = run(r#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00""#);
        assert_eq!(
            output.documents[0].value,
            serde_json::json!("a\"\\/\u{8}\u{c}\n\r\té😀")
        );
    }

    #[test]
    fn duplicate_keys_show_both_places() {
        let output = run("{\"a\": 1,\n \"a\": 2}");
        assert!(!output.failed);
        assert_eq!(output.documents[0].value["a"], 2);
        let finding = &output.findings[0];
        assert_eq!(finding.rule, "parse/duplicate-key");
        assert_eq!(
            (
                finding.location.span.start.line,
                finding.location.span.start.column
            ),
            (2, 2)
        );
        assert_eq!(finding.related[0].location.span.start.column, 2);
        assert_eq!(finding.related[0].location.span.start.line, 1);
    }

    #[test]
    fn depth_cap_and_empty_input() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(error_at(&deep).0, "parse/too-deep");
        let empty = run("  \n");
        assert!(!empty.failed && empty.documents.is_empty());
    }
}

//! A fast reader for the plain block YAML that gateway trees are written in.
//!
//! Most configuration files use a small part of YAML: block mappings and sequences,
//! one-line plain and quoted scalars, one-line flow sequences such as
//! `methods: [GET, HEAD]`, comments. For a file that uses nothing else this reader
//! produces the events, spans included, that saphyr-parser produces for it, with
//! about a quarter of saphyr's instructions (bench corpus, callgrind). At the first
//! thing outside that subset (anchors, tags, block scalars, escapes, multi-line
//! scalars, flow mappings, several documents, tabs, non-ASCII text, ...) it gives up, and the caller reads the file with
//! saphyr-parser instead; it never reports an error of its own. Tests hold it to
//! saphyr's events on every YAML file of the repository and the YAML test suite.

use saphyr_parser::{Event, Marker, ScalarStyle, Span};
use std::borrow::Cow;

/// How reading ended: every event delivered, the file outside the subset, or the
/// receiver asking to stop.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome<E> {
    /// Every event was delivered.
    Done,
    /// The file needs the full parser; events delivered so far must be discarded.
    Unsupported,
    /// The receiver returned this error.
    Stopped(E),
}

/// Feed `text`'s events to `receive`, as saphyr-parser would produce them.
pub fn read<'a, E>(
    text: &'a str,
    receive: impl FnMut(Event<'a>, Span) -> Result<(), E>,
) -> Outcome<E> {
    if !is_printable_ascii(text) || ends_in_unterminated_blank_line(text) {
        return Outcome::Unsupported;
    }
    let mut reader = Reader {
        text,
        lines: line_ranges(text),
        receive,
        depth: 0,
    };
    match reader.stream() {
        Ok(()) => Outcome::Done,
        Err(Halt::Unsupported) => Outcome::Unsupported,
        Err(Halt::Stopped(error)) => Outcome::Stopped(*error),
    }
}

/// Why reading stopped early: the file is outside the subset, or the receiver
/// returned this error (boxed, so the results passed up every level stay small).
enum Halt<E> {
    Unsupported,
    Stopped(Box<E>),
}

type Step<E> = Result<(), Halt<E>>;
type Read<E> = Result<Option<Next>, Halt<E>>;

/// The byte range of each line, without its line break.
fn line_ranges(text: &str) -> Vec<(usize, usize)> {
    let mut lines = Vec::new();
    let mut start = 0;
    for at in memchr::memchr_iter(b'\n', text.as_bytes()) {
        lines.push((start, at));
        start = at + 1;
    }
    if start < text.len() {
        lines.push((start, text.len()));
    }
    lines
}

/// Where the next token is: a line and the column of its first character.
#[derive(Clone, Copy)]
struct Next {
    line: usize,
    column: usize,
}

/// One file being read: its lines, where the events go, and how deep it is.
struct Reader<'a, F> {
    text: &'a str,
    lines: Vec<(usize, usize)>,
    receive: F,
    /// Collections open around the current one.
    depth: usize,
}

/// Deeper nesting is left to the full parser (and its receiver's depth cap).
const MAX_DEPTH: usize = 128;

/// How a scalar is written.
struct Scalar<'a> {
    value: &'a str,
    style: ScalarStyle,
    /// Columns of its first character and one past its last (quotes included).
    start: usize,
    end: usize,
}

impl<'a, F, E> Reader<'a, F>
where
    F: FnMut(Event<'a>, Span) -> Result<(), E>,
{
    fn emit(&mut self, event: Event<'a>, span: Span) -> Step<E> {
        (self.receive)(event, span).map_err(|error| Halt::Stopped(Box::new(error)))
    }

    fn line(&self, line: usize) -> &'a str {
        let (start, end) = self.lines[line];
        &self.text[start..end]
    }

    /// saphyr's marker for a column of a line. The text is ASCII, so its character
    /// index is the byte offset.
    fn marker(&self, line: usize, column: usize) -> Marker {
        Marker::new(self.lines[line].0 + column, line + 1, column)
    }

    /// Where the stream ends, as saphyr marks it (a last line without a line break
    /// counts as ended).
    fn end_marker(&self) -> Marker {
        Marker::new(self.text.len(), self.lines.len() + 1, 0)
    }

    fn point(marker: Marker) -> Span {
        Span::new(marker, marker)
    }

    fn span(&self, line: usize, start: usize, end: usize) -> Span {
        Span::new(self.marker(line, start), self.marker(line, end))
    }

    /// The marker of the next token, or of the end of the stream.
    fn next_marker(&self, next: Option<Next>) -> Marker {
        next.map_or_else(|| self.end_marker(), |n| self.marker(n.line, n.column))
    }

    /// The first line at or after `from` with something other than blanks and a
    /// comment, and the column where that starts.
    fn next_token(&self, from: usize) -> Option<Next> {
        (from..self.lines.len()).find_map(|line| {
            let text = self.line(line);
            let column = count_spaces(text);
            match text.as_bytes().get(column) {
                None | Some(b'#') => None,
                Some(_) => Some(Next { line, column }),
            }
        })
    }

    fn stream(&mut self) -> Step<E> {
        let origin = Marker::new(0, 1, 0);
        self.emit(Event::StreamStart, Self::point(origin))?;
        let Some(first) = self.next_token(0) else {
            return Err(Halt::Unsupported);
        };
        let at = self.marker(first.line, first.column);
        self.emit(Event::DocumentStart(false), Self::point(at))?;
        let after = self.block_node(first, false)?;
        if after.is_some() {
            return Err(Halt::Unsupported);
        }
        let end = Self::point(self.end_marker());
        self.emit(Event::DocumentEnd, end)?;
        self.emit(Event::StreamEnd, end)
    }

    /// A mapping or sequence starting at `at`; returns where the next token after
    /// it is.
    fn block_node(&mut self, at: Next, indentless: bool) -> Read<E> {
        let rest = &self.line(at.line)[at.column..];
        if is_entry_indicator(rest) {
            self.nested(|reader| reader.block_sequence(at, indentless))
        } else if let Some(key) = self.key_end(at) {
            self.nested(|reader| reader.block_mapping(at, key))
        } else {
            Err(Halt::Unsupported)
        }
    }

    /// Read one collection inside the current one, within the depth limit.
    fn nested(&mut self, read: impl FnOnce(&mut Self) -> Read<E>) -> Read<E> {
        if self.depth >= MAX_DEPTH {
            return Err(Halt::Unsupported);
        }
        self.depth += 1;
        let next = read(self);
        self.depth -= 1;
        next
    }

    fn block_sequence(&mut self, at: Next, indentless: bool) -> Read<E> {
        let indent = at.column;
        // Where an item's content starts on its line, after `-` and blanks.
        let content_of = |line: &str| indent + 1 + count_spaces(&line[indent + 1..]);
        // saphyr starts an indentless sequence at its first item's content.
        let start = if indentless {
            let content = content_of(self.line(at.line));
            if content == indent + 1 {
                return Err(Halt::Unsupported);
            }
            self.marker(at.line, content)
        } else {
            self.marker(at.line, indent)
        };
        self.emit(Event::SequenceStart(0, None), Self::point(start))?;
        let mut item = at;
        loop {
            let line = self.line(item.line);
            let content = content_of(line);
            let next = if content == indent + 1 {
                // `-` alone on its line: the item is on the lines below, or empty.
                if line.len() > indent + 1 {
                    return Err(Halt::Unsupported);
                }
                let below = self.next_token(item.line + 1);
                match below {
                    Some(n) if n.column > indent => self.block_node(n, false)?,
                    _ => {
                        let empty = self.marker(item.line, indent + 1);
                        self.emit(scalar_event("", ScalarStyle::Plain), Self::point(empty))?;
                        below
                    }
                }
            } else {
                if content >= line.len() {
                    return Err(Halt::Unsupported);
                }
                let here = Next {
                    line: item.line,
                    column: content,
                };
                if is_entry_indicator(&line[content..]) {
                    return Err(Halt::Unsupported);
                }
                if let Some(key) = self.key_end(here) {
                    self.nested(|reader| reader.block_mapping(here, key))?
                } else {
                    self.inline_value(here)?;
                    self.after_inline(item.line, indent)?
                }
            };
            match next {
                Some(n)
                    if n.column == indent && is_entry_indicator(&self.line(n.line)[indent..]) =>
                {
                    item = n;
                }
                // Deeper than the items, or (for a sequence that is not the value of
                // a mapping entry at its own indentation) level with them but no item.
                Some(n) if n.column > indent || (n.column == indent && !indentless) => {
                    return Err(Halt::Unsupported);
                }
                _ => {
                    let end = self.next_marker(next);
                    self.emit(Event::SequenceEnd, Self::point(end))?;
                    return Ok(next);
                }
            }
        }
    }

    /// A block mapping whose first key, at `at`, is `first_key`.
    fn block_mapping(&mut self, at: Next, first_key: Scalar<'a>) -> Read<E> {
        let indent = at.column;
        let start = self.marker(at.line, indent);
        self.emit(Event::MappingStart(0, None), Self::point(start))?;
        let mut entry = at;
        let mut key = first_key;
        loop {
            self.emit_scalar(entry.line, &key)?;
            // `key_end` checked that a `:` follows the key.
            let colon = key.end;
            let line = self.line(entry.line);
            let value = colon + 1 + count_spaces(&line[colon + 1..]);
            // `key_end` checked that a blank or the end of the line follows the `:`,
            // so a `#` here starts a comment.
            let rest_is_empty = value >= line.len() || line.as_bytes()[value] == b'#';
            let next = if rest_is_empty {
                let below = self.next_token(entry.line + 1);
                match below {
                    Some(n) if n.column > indent => self.block_node(n, false)?,
                    Some(n)
                        if n.column == indent
                            && is_entry_indicator(&self.line(n.line)[indent..]) =>
                    {
                        self.block_node(n, true)?
                    }
                    _ => {
                        let empty = self.marker(entry.line, colon);
                        self.emit(scalar_event("", ScalarStyle::Plain), Self::point(empty))?;
                        below
                    }
                }
            } else {
                self.inline_value(Next {
                    line: entry.line,
                    column: value,
                })?;
                self.after_inline(entry.line, indent)?
            };
            match next {
                Some(n) if n.column == indent => {
                    if is_entry_indicator(&self.line(n.line)[indent..]) {
                        return Err(Halt::Unsupported);
                    }
                    key = self.key_end(n).ok_or(Halt::Unsupported)?;
                    entry = n;
                }
                Some(n) if n.column > indent => return Err(Halt::Unsupported),
                _ => {
                    let end = self.next_marker(next);
                    self.emit(Event::MappingEnd, Self::point(end))?;
                    return Ok(next);
                }
            }
        }
    }

    /// The next token after a value written on `line`, which must not be more
    /// indented than the collection it belongs to (that would continue the value).
    fn after_inline(&self, line: usize, indent: usize) -> Read<E> {
        let next = self.next_token(line + 1);
        match next {
            Some(n) if n.column > indent => Err(Halt::Unsupported),
            _ => Ok(next),
        }
    }

    /// The key written at `at`, when the line holds `key:` followed by a space or
    /// the end of the line.
    fn key_end(&self, at: Next) -> Option<Scalar<'a>> {
        let line = self.line(at.line);
        let rest = &line[at.column..];
        let key = match rest.as_bytes().first()? {
            b'"' | b'\'' => quoted(rest, at.column)?,
            _ => {
                let colon = plain_key_length(rest.as_bytes())?;
                let text = &rest[..colon];
                Scalar {
                    value: text,
                    style: ScalarStyle::Plain,
                    start: at.column,
                    end: at.column + colon,
                }
            }
        };
        if key.end - key.start > 1024 {
            return None;
        }
        let after = &line[key.end..];
        let mut bytes = after.bytes();
        (bytes.next() == Some(b':') && matches!(bytes.next(), None | Some(b' '))).then_some(key)
    }

    /// The span saphyr gives the closing bracket at `column`: to the end of the
    /// line, over the blanks and comment after it (which must be all that follows).
    fn closing(&self, line: usize, column: usize) -> Result<Span, Halt<E>> {
        let text = self.line(line);
        if !ends_cleanly(&text[column + 1..]) {
            return Err(Halt::Unsupported);
        }
        Ok(self.span(line, column, text.len()))
    }

    fn emit_scalar(&mut self, line: usize, scalar: &Scalar<'a>) -> Step<E> {
        let span = self.span(line, scalar.start, scalar.end);
        self.emit(scalar_event(scalar.value, scalar.style), span)
    }

    /// A value written after `key: ` or `- `, up to the end of its line (only
    /// blanks and a comment may follow it).
    fn inline_value(&mut self, at: Next) -> Step<E> {
        let line = self.line(at.line);
        let rest = &line[at.column..];
        match rest.as_bytes()[0] {
            b'[' => self.flow_sequence(at),
            b'{' => {
                if !rest.starts_with("{}") {
                    return Err(Halt::Unsupported);
                }
                let close = self.closing(at.line, at.column + 1)?;
                let open = self.span(at.line, at.column, at.column + 1);
                self.emit(Event::MappingStart(0, None), open)?;
                self.emit(Event::MappingEnd, close)
            }
            b'"' | b'\'' => {
                let mut scalar = quoted(rest, at.column).ok_or(Halt::Unsupported)?;
                if !ends_cleanly(&line[scalar.end..]) {
                    return Err(Halt::Unsupported);
                }
                // saphyr ends a quoted scalar where the next token starts: over the
                // blanks and comment after it, at the end of the line.
                scalar.end = line.len();
                self.emit_scalar(at.line, &scalar)
            }
            _ => {
                let text = plain_value(rest).ok_or(Halt::Unsupported)?;
                let scalar = Scalar {
                    value: text,
                    style: ScalarStyle::Plain,
                    start: at.column,
                    end: at.column + text.len(),
                };
                self.emit_scalar(at.line, &scalar)
            }
        }
    }

    /// `[a, "b", c]` on one line, with only blanks and a comment after it.
    fn flow_sequence(&mut self, at: Next) -> Step<E> {
        let line = self.line(at.line);
        // The `[` token runs on over the blanks after it, as in saphyr.
        let mut column = at.column + 1;
        column += count_spaces(&line[column..]);
        let open = self.span(at.line, at.column, column);
        self.emit(Event::SequenceStart(0, None), open)?;
        if line[column..].starts_with(']') {
            return self.emit(Event::SequenceEnd, self.closing(at.line, column)?);
        }
        loop {
            let rest = &line[column..];
            let scalar = match rest.as_bytes().first() {
                Some(b'"' | b'\'') => {
                    let mut scalar = quoted(rest, column).ok_or(Halt::Unsupported)?;
                    // Here too the scalar runs on over the blanks after it.
                    scalar.end += count_spaces(&line[scalar.end..]);
                    scalar
                }
                Some(_) => {
                    let length = rest.find([',', ']']).ok_or(Halt::Unsupported)?;
                    let text = rest[..length].trim_end_matches(' ');
                    if !is_flow_plain(text) {
                        return Err(Halt::Unsupported);
                    }
                    Scalar {
                        value: text,
                        style: ScalarStyle::Plain,
                        start: column,
                        end: column + text.len(),
                    }
                }
                None => return Err(Halt::Unsupported),
            };
            self.emit_scalar(at.line, &scalar)?;
            column = scalar.end + count_spaces(&line[scalar.end..]);
            match line.as_bytes().get(column) {
                Some(b',') => {
                    column += 1;
                    column += count_spaces(&line[column..]);
                    if matches!(line.as_bytes().get(column), None | Some(b']' | b',')) {
                        return Err(Halt::Unsupported);
                    }
                }
                Some(b']') => {
                    return self.emit(Event::SequenceEnd, self.closing(at.line, column)?);
                }
                _ => return Err(Halt::Unsupported),
            }
        }
    }
}

/// Only printable ASCII and line feeds (no tabs, carriage returns or other
/// control characters, no multi-byte characters). One pass without early exit, so
/// the compiler can check many bytes at a time.
fn is_printable_ascii(text: &str) -> bool {
    let outside = |b: u8| (b < b' ' && b != b'\n') || b >= 0x7f;
    text.bytes().fold(0u8, |bad, b| bad | u8::from(outside(b))) == 0
}

/// A last line without a line break that holds only blanks or a comment: saphyr
/// ends the collections open there at two different places, which the fast reader
/// does not follow.
fn ends_in_unterminated_blank_line(text: &str) -> bool {
    if text.ends_with('\n') {
        return false;
    }
    let last = text.rsplit('\n').next().unwrap_or_default();
    matches!(
        last.trim_start_matches(' ').bytes().next(),
        None | Some(b'#')
    )
}

fn scalar_event(value: &str, style: ScalarStyle) -> Event<'_> {
    Event::Scalar(Cow::Borrowed(value), style, 0, None)
}

/// The blanks `text` starts with (bytes, not characters: the text is ASCII, and
/// a byte loop is several times cheaper than a `char` pattern on every line).
#[inline]
fn count_spaces(text: &str) -> usize {
    text.bytes().take_while(|&byte| byte == b' ').count()
}

/// `-` followed by a space or the end of the line.
fn is_entry_indicator(rest: &str) -> bool {
    let bytes = rest.as_bytes();
    bytes.first() == Some(&b'-') && matches!(bytes.get(1), None | Some(b' '))
}

/// Nothing but blanks and a comment.
fn ends_cleanly(rest: &str) -> bool {
    let spaces = count_spaces(rest);
    spaces == rest.len() || (spaces > 0 && rest.as_bytes()[spaces] == b'#')
}

/// A one-line quoted scalar without escapes at the start of `rest` (at `column`).
fn quoted(rest: &str, column: usize) -> Option<Scalar<'_>> {
    let quote = rest.as_bytes()[0];
    let inner = &rest[1..];
    let close = inner.find(char::from(quote))?;
    let value = &inner[..close];
    let escaped = if quote == b'"' {
        value.contains('\\')
    } else {
        inner[close + 1..].starts_with('\'')
    };
    if escaped {
        return None;
    }
    let style = if quote == b'"' {
        ScalarStyle::DoubleQuoted
    } else {
        ScalarStyle::SingleQuoted
    };
    Some(Scalar {
        value,
        style,
        start: column,
        end: column + close + 2,
    })
}

/// Characters that change the meaning of a plain scalar's first character.
const INDICATORS: &[u8] = b"-?:,[]{}#&*!|>'\"%@`";

/// A plain key the fast reader can take: no indicator first, no flow or quote
/// characters, no comment, no blank at either end.
/// The length of the plain key `line` starts with (the text before its first `:`),
/// when the fast reader can take it: not empty, no indicator first, no blank
/// last, and none of the bytes of [`KEY_STOPS`]. One pass over the bytes: keys are
/// read on every line of every file.
#[inline]
fn plain_key_length(line: &[u8]) -> Option<usize> {
    let mut colon = None;
    for (at, &byte) in line.iter().enumerate() {
        if byte == b':' {
            colon = Some(at);
            break;
        }
        if KEY_STOPS[usize::from(byte)] {
            return None;
        }
    }
    let key = &line[..colon?];
    match (key.first(), key.last()) {
        (Some(first), Some(last)) if !INDICATORS.contains(first) && *last != b' ' => {
            Some(key.len())
        }
        _ => None,
    }
}

/// The bytes a plain key the fast reader takes may not hold.
const KEY_STOPS: [bool; 256] = {
    let mut stops = [false; 256];
    let mut at = 0;
    let listed = b"[]{},\"'#";
    while at < listed.len() {
        stops[listed[at] as usize] = true;
        at += 1;
    }
    stops
};

/// A plain value up to its comment, when the fast reader can take it: no indicator
/// first, no `: ` inside, no `:` at the end.
#[inline]
fn plain_value(rest: &str) -> Option<&str> {
    let bytes = rest.as_bytes();
    let first = *bytes.first()?;
    // `-` may start a plain scalar when no blank follows it (`-1`).
    let negative = first == b'-' && bytes.get(1).is_some_and(|b| !matches!(b, b' ' | b','));
    if INDICATORS.contains(&first) && !negative {
        return None;
    }
    // One pass up to the comment (a `#` after a blank), watching for `: ` (a `: `
    // that reaches into the blanks before the comment leaves a `:` at the end).
    let mut end = bytes.len();
    let mut mapping_value = false;
    for (at, pair) in bytes.windows(2).enumerate() {
        match pair {
            b" #" => {
                end = at;
                break;
            }
            b": " => mapping_value = true,
            _ => {}
        }
    }
    let text = rest[..end].trim_end_matches(' ');
    if mapping_value || text.ends_with(':') {
        return None;
    }
    Some(text)
}

/// A plain item of a one-line flow sequence the fast reader can take (saphyr
/// rejects some items that end in an indicator, such as `[x -]`).
fn is_flow_plain(text: &str) -> bool {
    let bytes = text.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            !INDICATORS.contains(first)
                && !matches!(last, b'-' | b'?' | b':')
                && !bytes
                    .iter()
                    .any(|b| matches!(b, b'[' | b']' | b'{' | b'}' | b'#' | b':' | b'"' | b'\''))
        }
        _ => false,
    }
}

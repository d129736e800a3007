//! Positions between gwlint and LSP clients.
//!
//! gwlint's [`Span`]s count lines from 1 and columns in characters; LSP counts both
//! from 0 and columns in UTF-16 code units (the protocol's default encoding). These
//! functions convert between the two and to and from byte offsets of a text.

use crate::source::{Position as SourcePosition, SourceFile, Span};
use lsp_types::{Position, Range};

/// The text of line `line` (0-based) of `text`, without its line break.
#[must_use]
pub fn line_of(text: &str, line: u32) -> &str {
    let line = text.split('\n').nth(line as usize).unwrap_or_default();
    line.strip_suffix('\r').unwrap_or(line)
}

/// UTF-16 length of the first `chars` characters of `line`.
#[must_use]
pub fn utf16_of_chars(line: &str, chars: usize) -> u32 {
    line.chars()
        .take(chars)
        .map(|c| crate::source::to_u32(c.len_utf16()))
        .sum()
}

/// The LSP position of a gwlint position of `source`.
#[must_use]
pub fn to_lsp(source: &SourceFile, at: SourcePosition) -> Position {
    let line = at.line.saturating_sub(1);
    let text = source.line_text(at.line.max(1));
    Position {
        line,
        character: utf16_of_chars(text, at.column.saturating_sub(1) as usize),
    }
}

/// The LSP range of a span of `source`.
#[must_use]
pub fn range_of(source: &SourceFile, span: Span) -> Range {
    Range {
        start: to_lsp(source, span.start),
        end: to_lsp(source, span.end),
    }
}

/// The byte offset in `text` of an LSP position; a position past the end of its line
/// is the line's end, a line past the end of the text is the text's end.
#[must_use]
pub fn byte_offset(text: &str, at: Position) -> usize {
    let mut start = 0;
    for _ in 0..at.line {
        match memchr::memchr(b'\n', &text.as_bytes()[start..]) {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let rest = &text[start..];
    let line = rest.split('\n').next().unwrap_or_default();
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut units = 0;
    for (i, c) in line.char_indices() {
        if units >= at.character {
            return start + i;
        }
        units += crate::source::to_u32(c.len_utf16());
    }
    start + line.len()
}

/// The LSP position of a byte offset of `text` (clamped to the text, and back to a
/// character boundary).
#[must_use]
pub fn position_of(text: &str, byte: usize) -> Position {
    let mut byte = byte.min(text.len());
    while !text.is_char_boundary(byte) {
        byte -= 1;
    }
    let before = &text[..byte];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = memchr::memchr_iter(b'\n', before.as_bytes()).count();
    Position {
        line: crate::source::to_u32(line),
        character: before[line_start..]
            .chars()
            .map(|c| crate::source::to_u32(c.len_utf16()))
            .sum(),
    }
}

/// Whether `at` lies in `range` (ends included, so a cursor just after a word counts).
#[must_use]
pub fn contains(range: &Range, at: Position) -> bool {
    let key = |p: &Position| (p.line, p.character);
    key(&range.start) <= key(&at) && key(&at) <= key(&range.end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use std::path::PathBuf;

    #[test]
    fn columns_count_utf16_units() {
        // `é` is one unit, the emoji two; the node after them starts at unit 7.
        let text = "a: é😀 x\nb: 1\n".to_owned();
        let source = SourceFile::new(PathBuf::from("t.yaml"), text.clone());
        let byte = text.find('x').unwrap();
        let at = source.position_of_byte(byte);
        assert_eq!(to_lsp(&source, at), Position::new(0, 7));
        assert_eq!(byte_offset(&text, Position::new(0, 7)), byte);
        assert_eq!(position_of(&text, byte), Position::new(0, 7));
        assert_eq!(
            byte_offset(&text, Position::new(1, 0)),
            text.find('b').unwrap()
        );
        assert_eq!(
            byte_offset(&text, Position::new(0, 99)),
            text.find('\n').unwrap()
        );
        assert_eq!(byte_offset(&text, Position::new(9, 0)), text.len());
    }

    #[test]
    fn crlf_lines_end_before_the_carriage_return() {
        let text = "ab\r\ncd";
        assert_eq!(line_of(text, 0), "ab");
        assert_eq!(byte_offset(text, Position::new(0, 10)), 2);
        assert_eq!(byte_offset(text, Position::new(1, 1)), 5);
    }
}

//! Source files and positions.
//!
//! Owns the text of every loaded file and the mapping between character offsets, byte
//! offsets and 1-based line/column pairs. Every finding points into a [`SourceFile`]
//! through a [`Span`]; nothing else in the crate does position arithmetic.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A position in a source file: 1-based line and column (columns count characters),
/// plus the character offset from the start of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Position {
    /// Character offset from the start of the file (0-based).
    pub offset: u32,
    /// Line, 1-based.
    pub line: u32,
    /// Column in characters, 1-based.
    pub column: u32,
}

impl Position {
    /// The position at the very start of a file.
    pub const START: Position = Position {
        offset: 0,
        line: 1,
        column: 1,
    };
}

/// A half-open range `[start, end)` of a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    /// First character of the range.
    pub start: Position,
    /// One past the last character of the range.
    pub end: Position,
}

impl Span {
    /// A span from `start` to `end`.
    #[must_use]
    pub fn new(start: Position, end: Position) -> Self {
        Span { start, end }
    }

    /// An empty span at `pos`.
    #[must_use]
    pub fn point(pos: Position) -> Self {
        Span {
            start: pos,
            end: pos,
        }
    }

    /// The smallest span covering both `self` and `other`.
    #[must_use]
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A file that was read: its path as given, its path for display, and its text.
#[derive(Debug)]
pub struct SourceFile {
    /// The path used to read the file.
    pub path: PathBuf,
    /// The path shown to users: relative to the current directory when possible.
    pub display: String,
    /// The file's text (empty when the file could not be read as UTF-8 text).
    pub text: String,
    /// Byte offset at which each line starts.
    line_starts: Vec<u32>,
    /// Character offset at which each line starts, built on first use; empty when the
    /// text is ASCII (where characters are bytes).
    line_chars: std::sync::OnceLock<Vec<u32>>,
    /// Spans of secret values to mask when the text is shown.
    redactions: std::sync::OnceLock<Vec<Span>>,
    /// The text with secrets masked, built on first use.
    shown: std::sync::OnceLock<String>,
}

/// Shared handle to a source file.
pub type Source = Arc<SourceFile>;

impl SourceFile {
    /// A source file from its path and text.
    #[must_use]
    pub fn new(path: PathBuf, text: String) -> Self {
        let display = display_path(&path);
        // Counted first: the table stays as long as the source, at its exact size.
        let mut line_starts =
            Vec::with_capacity(1 + memchr::memchr_iter(b'\n', text.as_bytes()).count());
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| to_u32(i + 1)));
        SourceFile {
            path,
            display,
            text,
            line_starts,
            line_chars: std::sync::OnceLock::new(),
            redactions: std::sync::OnceLock::new(),
            shown: std::sync::OnceLock::new(),
        }
    }

    /// The byte offset at which each line starts.
    #[must_use]
    pub fn line_starts(&self) -> &[u32] {
        &self.line_starts
    }

    /// Number of lines in the file (an empty file has one empty line).
    #[must_use]
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The text of a 1-based line, without its line terminator.
    #[must_use]
    pub fn line_text(&self, line: u32) -> &str {
        let idx = line.saturating_sub(1) as usize;
        let Some(&start) = self.line_starts.get(idx) else {
            return "";
        };
        let end = self
            .line_starts
            .get(idx + 1)
            .map_or(self.text.len(), |&e| e as usize);
        self.text[start as usize..end].trim_end_matches(['\n', '\r'])
    }

    /// Byte offset of a position (line and column are authoritative; the character
    /// offset is not needed, so positions built from either source agree).
    #[must_use]
    pub fn byte_offset(&self, pos: Position) -> usize {
        let idx = pos.line.saturating_sub(1) as usize;
        let Some(&start) = self.line_starts.get(idx) else {
            return self.text.len();
        };
        let line = &self.text[start as usize..];
        let skip = pos.column.saturating_sub(1) as usize;
        let within = line.char_indices().nth(skip).map_or(line.len(), |(i, _)| i);
        start as usize + within
    }

    /// The position of a byte offset. Takes a binary search and a count of the
    /// characters before it on its line: callers that place many positions in a large
    /// file (suppression comments, secrets) stay linear.
    #[must_use]
    pub fn position_of_byte(&self, byte: usize) -> Position {
        let byte = byte.min(self.text.len());
        let idx = match self.line_starts.binary_search(&to_u32(byte)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[idx] as usize;
        let column = self.text[start..byte].chars().count();
        let line_chars = self.line_chars.get_or_init(|| {
            if self.text.is_ascii() {
                return Vec::new();
            }
            let mut chars = 0;
            let mut starts = Vec::with_capacity(self.line_starts.len());
            for line in self.text.split_inclusive('\n') {
                starts.push(to_u32(chars));
                chars += line.chars().count();
            }
            if starts.len() < self.line_starts.len() {
                // The text ends with a line break: the empty last line.
                starts.push(to_u32(chars));
            }
            starts
        });
        let line_offset = line_chars.get(idx).map_or(start, |&c| c as usize);
        Position {
            offset: to_u32(line_offset + column),
            line: to_u32(idx + 1),
            column: to_u32(column + 1),
        }
    }

    /// Record the spans of secret values (once; later calls are ignored).
    pub fn set_redactions(&self, spans: Vec<Span>) {
        let _ = self.redactions.set(spans);
    }

    /// The text to show people: every byte of a secret value replaced by `*`, and every
    /// character that [`is_unsafe_to_show`] by a placeholder of the same length, so lines
    /// and byte offsets stay where they were. Redactions must be recorded before the first
    /// call.
    #[must_use]
    pub fn shown_text(&self) -> &str {
        self.shown.get_or_init(|| {
            let spans = self.redactions.get().map(Vec::as_slice).unwrap_or_default();
            let mut ranges: Vec<std::ops::Range<usize>> =
                spans.iter().map(|s| self.byte_range(*s)).collect();
            ranges.sort_by_key(|r| r.start);
            let mut shown = String::with_capacity(self.text.len());
            let mut at = 0;
            for range in ranges {
                if range.start < at {
                    continue;
                }
                shown.push_str(&self.text[at..range.start]);
                for c in self.text[range.clone()].chars() {
                    if c == '\n' || c == '\r' {
                        shown.push(c);
                    } else {
                        shown.extend(std::iter::repeat_n('*', c.len_utf8()));
                    }
                }
                at = range.end;
            }
            shown.push_str(&self.text[at..]);
            with_placeholders(shown)
        })
    }

    /// Byte range of a span.
    #[must_use]
    pub fn byte_range(&self, span: Span) -> std::ops::Range<usize> {
        let start = self.byte_offset(span.start);
        let end = self.byte_offset(span.end).max(start);
        start..end
    }
}

/// Convert a length or offset to `u32`, saturating (files are capped far below 4 GiB).
#[must_use]
pub fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The path shown for `path`: always relative to the current directory (`../prod/a.yaml`
/// for a file beside it), absolute only when no relative path exists (another drive);
/// `.` and `..` are resolved lexically and separators are `/`, so the same file is
/// always shown the same way however it was reached.
#[must_use]
pub fn display_path(path: &Path) -> String {
    let cwd = working_directory();
    let absolute = match cwd {
        Some(cwd) if path.is_relative() && !path.as_os_str().is_empty() => {
            normalize(&cwd.join(path))
        }
        _ => normalize(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())),
    };
    let shown = cwd
        .and_then(|cwd| relative_to(&absolute, cwd))
        .unwrap_or(absolute);
    shown.to_string_lossy().replace('\\', "/")
}

/// `path` relative to the folder `base` (both absolute and normalized), with `..` for
/// each of `base`'s names that `path` does not share; `None` when they share no root.
fn relative_to(path: &Path, base: &Path) -> Option<PathBuf> {
    let mut path_parts = path.components().peekable();
    let mut base_parts = base.components().peekable();
    let mut shared = 0;
    while let (Some(a), Some(b)) = (path_parts.peek(), base_parts.peek()) {
        if a != b {
            break;
        }
        path_parts.next();
        base_parts.next();
        shared += 1;
    }
    if shared == 0 {
        return None;
    }
    let mut relative: PathBuf = base_parts
        .map(|_| std::path::Component::ParentDir)
        .collect();
    relative.extend(path_parts);
    if relative.as_os_str().is_empty() {
        relative.push(".");
    }
    Some(relative)
}

/// The current directory, normalized, asked of the system once: gwlint never
/// changes it, and every file's display path starts from it.
fn working_directory() -> Option<&'static Path> {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().ok().map(|c| normalize(&c)))
        .as_deref()
}

/// Resolve `.` and `..` components without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Whether showing `c` as it is, on a terminal or in a CI log, could change what is shown
/// around it: control characters other than tab and line ends (terminal escape sequences
/// start with ESC, a carriage return overwrites its line), and the Unicode controls that
/// reorder text ("Trojan Source").
#[must_use]
pub fn is_unsafe_to_show(c: char) -> bool {
    matches!(
        c,
        '\0'..='\x08'
            | '\x0b'
            | '\x0c'
            | '\x0e'..='\x1f'
            | '\x7f'..='\u{9f}'
            | '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// `text` with each character that [`is_unsafe_to_show`] replaced by U+FFFD when it takes
/// three bytes and by `?` for each of its bytes otherwise.
fn with_placeholders(text: String) -> String {
    if !text.chars().any(is_unsafe_to_show) {
        return text;
    }
    text.chars()
        .flat_map(|c| {
            let (placeholder, count) = match (is_unsafe_to_show(c), c.len_utf8()) {
                (false, _) => (c, 1),
                (true, 3) => ('\u{fffd}', 1),
                (true, bytes) => ('?', bytes),
            };
            std::iter::repeat_n(placeholder, count)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{relative_to, Position, SourceFile};
    use std::path::{Path, PathBuf};

    /// Positions of every character boundary, in ASCII and non-ASCII text, with and
    /// without a final line break, agree with counting from the start of the file.
    #[test]
    fn positions_of_bytes_agree_with_counting() {
        for text in [
            "a: 1\nbb: [x, y]\n",
            "ä: ö\n\n  – ≠ 😀 x\r\nlast",
            "😀\n",
            "",
            "\n\n",
        ] {
            let file = SourceFile::new(PathBuf::from("t.yaml"), text.to_owned());
            for (byte, _) in text.char_indices().chain([(text.len(), ' ')]) {
                let before = &text[..byte];
                let line_start = before.rfind('\n').map_or(0, |i| i + 1);
                let expected = Position {
                    offset: u32::try_from(before.chars().count()).unwrap(),
                    line: u32::try_from(before.matches('\n').count() + 1).unwrap(),
                    column: u32::try_from(text[line_start..byte].chars().count() + 1).unwrap(),
                };
                assert_eq!(file.position_of_byte(byte), expected, "{text:?} at {byte}");
            }
        }
    }

    #[test]
    fn paths_are_relative_to_the_base_with_parent_steps() {
        let base = Path::new("/repo/gw/staging");
        assert_eq!(
            relative_to(Path::new("/repo/gw/production/a.yaml"), base),
            Some(PathBuf::from("../production/a.yaml"))
        );
        assert_eq!(
            relative_to(Path::new("/repo/gw/staging/b.yaml"), base),
            Some(PathBuf::from("b.yaml"))
        );
        assert_eq!(relative_to(base, base), Some(PathBuf::from(".")));
        assert_eq!(
            relative_to(Path::new("/tmp/x.yaml"), base),
            Some(PathBuf::from("../../../tmp/x.yaml"))
        );
    }
}

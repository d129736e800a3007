//! Reading and parsing configuration files.
//!
//! Owns everything between a path on disk and a list of [`Document`]s with spans:
//! size cap, binary and encoding checks, BOM handling, choosing the YAML or JSON
//! parser, and the file-level findings (`parse/...`). Files are independent, so the
//! caller runs [`load_file`] in parallel; a bad file yields findings and never stops
//! the others.

pub mod document;
pub mod json;
pub mod number;
pub mod span_tree;
pub mod yaml;
pub mod yaml_fast;

pub use document::{Document, Located, SpanNode};

use crate::finding::{Finding, Location, Severity};
use crate::source::{Position, Source, SourceFile, Span};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// Limits that protect the loader from hostile input.
#[derive(Debug, Clone)]
pub struct LoadLimits {
    /// Largest file read, in bytes.
    pub max_file_bytes: u64,
    /// Deepest nesting of collections.
    pub max_depth: usize,
    /// Most nodes that alias expansion may create in one file.
    pub max_alias_nodes: usize,
}

impl Default for LoadLimits {
    fn default() -> Self {
        LoadLimits {
            max_file_bytes: 10 * 1024 * 1024,
            max_depth: 128,
            max_alias_nodes: 100_000,
        }
    }
}

/// What parsing one file's text produced.
#[derive(Debug, Default)]
pub struct ParseOutput {
    /// The documents, in order (empty when parsing failed).
    pub documents: Vec<Document>,
    /// Findings raised while parsing (syntax errors, duplicate keys, warnings).
    pub findings: Vec<Finding>,
    /// Whether parsing stopped on an error.
    pub failed: bool,
}

/// A file after loading: its source, its single document (if any) and findings.
#[derive(Debug)]
pub struct LoadedFile {
    /// The file's text and path.
    pub source: Source,
    /// The document, when the file parsed and held exactly one.
    pub document: Option<Document>,
    /// Findings about the file itself.
    pub findings: Vec<Finding>,
}

/// The syntax a file is parsed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// YAML 1.2.
    Yaml,
    /// JSON (RFC 8259).
    Json,
}

impl Syntax {
    /// The syntax for a path, from its extension (`.json` is JSON, all else YAML).
    #[must_use]
    pub fn of(path: &Path) -> Syntax {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("json") => Syntax::Json,
            _ => Syntax::Yaml,
        }
    }
}

/// Read and parse one file. Never fails: problems become findings.
#[must_use]
pub fn load_file(path: &Path, limits: &LoadLimits) -> LoadedFile {
    match read_file(path, limits) {
        Ok(text) => parse_text(path, text, limits),
        Err(unreadable) => *unreadable,
    }
}

/// Read a file as text within the limits; a file that cannot be used comes back
/// as a [`LoadedFile`] holding only the finding that says why.
///
/// # Errors
/// The unreadable, oversized, binary or non-UTF-8 file, as a finding.
pub fn read_file(path: &Path, limits: &LoadLimits) -> Result<String, Box<LoadedFile>> {
    read_text(path, limits).map_err(|problem| {
        let source = Arc::new(SourceFile::new(path.to_path_buf(), String::new()));
        let finding = Finding::new(
            problem.rule,
            Severity::Error,
            problem.message,
            problem.help,
            Location {
                source: source.clone(),
                span: Span::point(problem.at.unwrap_or(Position::START)),
                pointer: String::new(),
            },
        );
        Box::new(LoadedFile {
            source,
            document: None,
            findings: vec![finding],
        })
    })
}

/// Parse text already in memory as the file at `path` (used for files read from git
/// and by tests).
#[must_use]
pub fn parse_text(path: &Path, text: String, limits: &LoadLimits) -> LoadedFile {
    let syntax = Syntax::of(path);
    let source: Source = Arc::new(SourceFile::new(path.to_path_buf(), text));
    let mut output = match syntax {
        Syntax::Yaml => yaml::parse(&source, limits),
        Syntax::Json => json::parse(&source, limits),
    };
    for document in &mut output.documents {
        document.spans.share(&source);
    }
    let mut loaded = single_document(source, output);
    redact_secret_values(&mut loaded.findings);
    loaded
}

/// A parse finding about a value (a YAML 1.1 boolean, a leading-zero number, ...)
/// quotes it, or a value derived from it: when the value is a secret (its pointer
/// names one, see [`crate::secrets::is_secret_pointer`]), the message says what is
/// wrong without it.
fn redact_secret_values(findings: &mut [Finding]) {
    for finding in findings {
        let pointer = &finding.location.pointer;
        if pointer.is_empty() || !crate::secrets::is_secret_pointer(pointer) {
            continue;
        }
        let source = &finding.location.source;
        let raw = &source.text[source.byte_range(finding.location.span)];
        let raw = raw.trim_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace());
        if !raw.is_empty() && finding.message.contains(raw) {
            finding.message = format!(
                "{}: this value is a secret, so it is not quoted here",
                crate::rules::title_of(&finding.rule).unwrap_or("a problem with this value")
            );
        }
    }
}

/// Reduce a stream to its one document, with findings for none or several.
fn single_document(source: Source, output: ParseOutput) -> LoadedFile {
    let ParseOutput {
        mut documents,
        mut findings,
        failed,
    } = output;
    let at_start = Location {
        source: source.clone(),
        span: Span::point(Position::START),
        pointer: String::new(),
    };
    if !failed && documents.is_empty() {
        findings.push(Finding::new(
            "parse/empty-file",
            Severity::Info,
            "file holds no document; it adds nothing to the environment",
            "remove the file, or add configuration to it",
            at_start,
        ));
    } else if documents.len() > 1 {
        let second = documents[1].spans.root().span();
        findings.push(Finding::new(
            "parse/multi-document",
            Severity::Error,
            format!(
                "file holds {} YAML documents; ADC and APISIX read only one",
                documents.len()
            ),
            "split the documents into separate files, or remove the `---` separators",
            Location {
                source: source.clone(),
                span: second,
                pointer: String::new(),
            },
        ));
        documents.clear();
    }
    LoadedFile {
        source,
        document: documents.pop(),
        findings,
    }
}

struct ReadProblem {
    rule: &'static str,
    message: String,
    help: String,
    /// Where in the file the problem is, when it is about a place.
    at: Option<Position>,
}

/// Read a file as UTF-8 text within the size cap, without a byte order mark.
fn read_text(path: &Path, limits: &LoadLimits) -> Result<String, ReadProblem> {
    // Only a regular file: a named pipe would make the read wait forever.
    let file = crate::regular::open(path).map_err(|e| unreadable(&e))?;
    let size = file.metadata().map_or(0, |m| m.len());
    if size > limits.max_file_bytes {
        return Err(too_large(size, limits.max_file_bytes));
    }
    let size = usize::try_from(size).unwrap_or(0);
    let bytes = read_bytes(file, size, limits.max_file_bytes).map_err(|e| unreadable(&e))?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(too_large(bytes.len() as u64, limits.max_file_bytes));
    }
    decode(bytes)
}

/// Read at most `limit` + 1 bytes of `file`, whose size was `size` when asked. The
/// buffer holds that size plus one byte, so a file that kept its size takes one read
/// for its bytes and one to see its end (`read_to_end` on a capped reader reads in
/// 8 KiB steps: three reads for a file over 8 KiB).
fn read_bytes(mut file: std::fs::File, size: usize, limit: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = vec![0u8; size + 1];
    let mut filled = 0;
    while filled < bytes.len() {
        match file.read(&mut bytes[filled..]) {
            Ok(0) => {
                bytes.truncate(filled);
                return Ok(bytes);
            }
            Ok(read) => filled += read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    // The file grew after its size was read: take the rest as it comes, to the cap.
    let rest = (limit + 1).saturating_sub(filled as u64);
    file.take(rest).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Turn bytes into text: refuse binary data and invalid UTF-8, drop a UTF-8 BOM.
fn decode(mut bytes: Vec<u8>) -> Result<String, ReadProblem> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    if bytes.contains(&0) {
        return Err(ReadProblem {
            rule: "parse/binary-file",
            message: "file contains NUL bytes; it looks binary, not YAML or JSON".into(),
            help: "remove the file from the configuration tree or add it to `ignore`".into(),
            at: None,
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let valid = String::from_utf8_lossy(&e.as_bytes()[..at]);
        let line = valid.matches('\n').count() + 1;
        let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ReadProblem {
            rule: "parse/invalid-utf8",
            message: format!(
                "file is not valid UTF-8: bad byte at line {line}, column {column} (offset {at})"
            ),
            help: "save the file as UTF-8".into(),
            at: Some(Position {
                offset: crate::source::to_u32(valid.chars().count()),
                line: crate::source::to_u32(line),
                column: crate::source::to_u32(column),
            }),
        }
    })
}

fn unreadable(err: &std::io::Error) -> ReadProblem {
    ReadProblem {
        rule: "parse/unreadable",
        message: format!("cannot read file: {err}"),
        help: if err.kind() == std::io::ErrorKind::InvalidInput {
            "replace it with a regular file, or remove it from the tree or `ignore` it".into()
        } else {
            "check the file's permissions".into()
        },
        at: None,
    }
}

fn too_large(size: u64, cap: u64) -> ReadProblem {
    ReadProblem {
        rule: "parse/file-too-large",
        message: format!("file is {size} bytes, over the {cap}-byte limit; it was not parsed"),
        help: "split the file, or raise `max_file_size` in .gwlint.yaml".into(),
        at: None,
    }
}

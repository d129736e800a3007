//! The documents the client has open: their text as edited (not yet saved), by path,
//! and the conversion between `file:` URIs and paths.

use lsp_types::Uri;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

/// One open document.
#[derive(Debug, Clone)]
pub struct OpenDocument {
    /// The URI the client names it by.
    pub uri: Uri,
    /// Its current text.
    pub text: Arc<String>,
    /// The client's version number of that text.
    pub version: i32,
}

/// The open documents, by path.
#[derive(Debug, Default)]
pub struct Documents {
    open: HashMap<PathBuf, OpenDocument>,
}

impl Documents {
    /// Record a document's (new) text.
    pub fn set(&mut self, path: PathBuf, uri: Uri, text: String, version: i32) {
        self.open.insert(
            path,
            OpenDocument {
                uri,
                text: Arc::new(text),
                version,
            },
        );
    }

    /// Forget a closed document.
    pub fn close(&mut self, path: &Path) {
        self.open.remove(path);
    }

    /// An open document.
    #[must_use]
    pub fn get(&self, path: &Path) -> Option<&OpenDocument> {
        self.open.get(path)
    }

    /// The text of every open document, by path: what a check reads instead of the
    /// files on disk.
    #[must_use]
    pub fn overlay(&self) -> HashMap<PathBuf, Arc<String>> {
        self.open
            .iter()
            .map(|(path, doc)| (path.clone(), doc.text.clone()))
            .collect()
    }
}

/// The path of a `file:` URI (percent-decoded), or `None` for another scheme.
#[must_use]
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let text = uri.as_str();
    let rest = text.strip_prefix("file://")?;
    // `file:///path` or `file://localhost/path`.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let mut bytes = Vec::with_capacity(rest.len());
    let raw = rest.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%' && i + 2 < raw.len() {
            let hex = std::str::from_utf8(&raw[i + 1..i + 3]).ok();
            if let Some(byte) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                bytes.push(byte);
                i += 3;
                continue;
            }
        }
        bytes.push(raw[i]);
        i += 1;
    }
    String::from_utf8(bytes).ok().map(PathBuf::from)
}

/// The `file:` URI of an absolute path (bytes outside the unreserved set and `/`
/// percent-encoded).
#[must_use]
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let text = path.to_str()?;
    let mut uri = String::from("file://");
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    Uri::from_str(&uri).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_paths_round_trip() {
        let path = Path::new("/tmp/my env/é.yaml");
        let uri = path_to_uri(path).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/my%20env/%C3%A9.yaml");
        assert_eq!(uri_to_path(&uri).unwrap(), path);
        let other = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(uri_to_path(&other), None);
    }
}

//! Compact JSON: how the model keeps the bodies of resources.
//!
//! The model keeps every resource's body until the environment's policies have run.
//! As `serde_json::Value` trees (an ordered map of owned keys per object, a heap
//! string per key and per text) they take about three times the room of this
//! form: one file's values in one [`Compact`] arena of 16-byte nodes, the children
//! of each array or object side by side, every key and text in one buffer, numbers
//! in one list. A [`Body`] is a shared arena and one of its nodes; [`JsonRef`]
//! reads it as a `serde_json::Value` is read, and serializes to the same JSON.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Number, Value};
use std::fmt;
use std::sync::Arc;

/// The values of one document: read-only once built.
#[derive(Default)]
pub struct Compact {
    nodes: Vec<Node>,
    /// The keys of object entries: an object's keys are side by side here, in the
    /// order of its children.
    keys: Vec<Text>,
    text: String,
    numbers: Vec<Number>,
}

/// A slice of [`Compact::text`].
#[derive(Clone, Copy)]
struct Text {
    start: u32,
    len: u32,
}

/// One value. The children of an array or object are `len` nodes from `first`.
#[derive(Clone, Copy)]
enum Node {
    Null,
    Bool(bool),
    Number(u32),
    String(Text),
    Array { first: u32, len: u32 },
    Object { first: u32, len: u32, keys: u32 },
}

/// Nothing, for reads that find no value.
static EMPTY: Compact = Compact {
    nodes: Vec::new(),
    keys: Vec::new(),
    text: String::new(),
    numbers: Vec::new(),
};

/// The document holds more than 2³² nodes, keys or bytes of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge;

/// Builds the [`Compact`] document of one file from the `serde_json` values of
/// its resources. The bodies it hands out are numbered in the document being
/// built; [`Body::settle`] points them at the finished one.
pub struct Builder {
    doc: Compact,
    too_large: bool,
    /// What bodies point at until they are settled.
    unfinished: Arc<Compact>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            doc: Compact::default(),
            too_large: false,
            unfinished: Arc::new(Compact::default()),
        }
    }
}

impl Builder {
    /// An empty document.
    #[must_use]
    pub fn new() -> Self {
        Builder::default()
    }

    /// An empty document with room for `nodes` values (and as many object keys):
    /// a file's node count bounds the values taken from it, so they are placed
    /// without the lists growing.
    #[must_use]
    pub fn with_capacity(nodes: usize) -> Self {
        let mut builder = Builder::default();
        builder.doc.nodes.reserve_exact(nodes);
        builder.doc.keys.reserve_exact(nodes);
        builder
    }

    /// Add `value` to the document; the body to settle once it is finished.
    pub fn body(&mut self, value: &Value) -> Body {
        let start = self.doc.text.len();
        let node = self.add(value).unwrap_or_else(|TooLarge| {
            self.too_large = true;
            0
        });
        let mut body = Body::new(self.unfinished.clone(), node);
        body.text = count(start).unwrap_or(0)..count(self.doc.text.len()).unwrap_or(u32::MAX);
        body
    }

    /// The finished document.
    ///
    /// # Errors
    /// [`TooLarge`] when it holds more than 2³² nodes, keys or bytes of text.
    pub fn finish(mut self) -> Result<Arc<Compact>, TooLarge> {
        if self.too_large {
            return Err(TooLarge);
        }
        crate::memory::fit(&mut self.doc.nodes);
        crate::memory::fit(&mut self.doc.keys);
        crate::memory::fit_string(&mut self.doc.text);
        crate::memory::fit(&mut self.doc.numbers);
        Ok(Arc::new(self.doc))
    }

    fn add(&mut self, value: &Value) -> Result<u32, TooLarge> {
        let node = self.slots(1)?;
        self.fill(node, value)?;
        Ok(node)
    }

    /// Fill the reserved slot `node` with `value`; the children of a collection
    /// get slots side by side, then are filled one by one.
    fn fill(&mut self, node: u32, value: &Value) -> Result<(), TooLarge> {
        let filled = match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => {
                let at = count(self.doc.numbers.len())?;
                self.doc.numbers.push(n.clone());
                Node::Number(at)
            }
            Value::String(s) => Node::String(self.text(s)?),
            Value::Array(items) => {
                let len = count(items.len())?;
                let first = self.slots(len)?;
                for (i, item) in (first..).zip(items) {
                    self.fill(i, item)?;
                }
                Node::Array { first, len }
            }
            Value::Object(map) => {
                let len = count(map.len())?;
                let first = self.slots(len)?;
                let keys = count(self.doc.keys.len())?;
                for key in map.keys() {
                    let key = self.text(key)?;
                    self.doc.keys.push(key);
                }
                for (i, child) in (first..).zip(map.values()) {
                    self.fill(i, child)?;
                }
                Node::Object { first, len, keys }
            }
        };
        self.doc.nodes[index(node)] = filled;
        Ok(())
    }

    /// Reserve `len` nodes side by side; returns the first.
    fn slots(&mut self, len: u32) -> Result<u32, TooLarge> {
        let first = count(self.doc.nodes.len())?;
        let end = self.doc.nodes.len() + index(len);
        count(end)?;
        self.doc.nodes.resize(end, Node::Null);
        Ok(first)
    }

    fn text(&mut self, text: &str) -> Result<Text, TooLarge> {
        let start = count(self.doc.text.len())?;
        let len = count(text.len())?;
        count(self.doc.text.len() + text.len())?;
        self.doc.text.push_str(text);
        Ok(Text { start, len })
    }
}

impl Compact {
    fn slice(&self, text: Text) -> &str {
        &self.text[index(text.start)..index(text.start) + index(text.len)]
    }
}

/// A length or position as a 32-bit index.
fn count(n: usize) -> Result<u32, TooLarge> {
    u32::try_from(n).map_err(|_| TooLarge)
}

/// A 32-bit index as a position.
fn index(n: u32) -> usize {
    n as usize
}

/// A value of a compact document, shared: the body of a model resource.
#[derive(Clone)]
pub struct Body {
    doc: Arc<Compact>,
    node: u32,
    /// The part of the document's text that holds this body's keys and strings
    /// (a body is added in one piece); the whole text when that is not known.
    text: std::ops::Range<u32>,
}

impl Body {
    /// Node `node` of `doc`.
    #[must_use]
    fn new(doc: Arc<Compact>, node: u32) -> Self {
        Body {
            doc,
            node,
            text: 0..u32::MAX,
        }
    }

    /// Whether `needle` may occur in a key or string of this body: `false` means
    /// that none holds it (a quick test before walking the body).
    #[must_use]
    pub fn may_contain(&self, needle: &str) -> bool {
        let text = &self.doc.text;
        let end = text.len().min(index(self.text.end));
        let start = end.min(index(self.text.start));
        memchr::memmem::find(&text.as_bytes()[start..end], needle.as_bytes()).is_some()
    }

    /// A body of its own, copied from `value`.
    ///
    /// # Errors
    /// [`TooLarge`] when the value has more than 2³² nodes, keys or bytes of text.
    pub fn from_value(value: &Value) -> Result<Self, TooLarge> {
        let mut builder = Builder::new();
        let mut body = builder.body(value);
        body.settle(&builder.finish()?);
        Ok(body)
    }

    /// Point a body handed out by a [`Builder`] at its finished document.
    pub fn settle(&mut self, doc: &Arc<Compact>) {
        self.doc = doc.clone();
    }

    /// Read it.
    #[must_use]
    pub fn json(&self) -> JsonRef<'_> {
        JsonRef {
            doc: &self.doc,
            node: self.node,
        }
    }

    /// Another node of the same document.
    #[must_use]
    pub fn at(&self, value: JsonRef<'_>) -> Option<Body> {
        std::ptr::eq(value.doc, Arc::as_ptr(&self.doc))
            .then(|| Body::new(self.doc.clone(), value.node))
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.json(), f)
    }
}

impl Serialize for Body {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.json().serialize(serializer)
    }
}

/// A read of one value of a compact document.
#[derive(Clone, Copy)]
pub struct JsonRef<'a> {
    doc: &'a Compact,
    node: u32,
}

/// What a value is, for matching.
#[derive(Clone, Copy)]
pub enum Kind<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as `serde_json` reads it.
    Number(&'a Number),
    /// A string.
    String(&'a str),
    /// An array.
    Array(Array<'a>),
    /// An object.
    Object(Object<'a>),
}

/// The items of an array.
#[derive(Clone, Copy)]
pub struct Array<'a> {
    doc: &'a Compact,
    first: u32,
    len: u32,
}

/// The entries of an object, in written order.
#[derive(Clone, Copy)]
pub struct Object<'a> {
    doc: &'a Compact,
    first: u32,
    len: u32,
    keys: u32,
}

impl<'a> JsonRef<'a> {
    /// `null`: what reads of missing values give.
    pub const NULL: JsonRef<'static> = JsonRef {
        doc: &EMPTY,
        node: 0,
    };

    /// What the value is.
    #[must_use]
    pub fn kind(self) -> Kind<'a> {
        let doc = self.doc;
        match doc
            .nodes
            .get(index(self.node))
            .copied()
            .unwrap_or(Node::Null)
        {
            Node::Null => Kind::Null,
            Node::Bool(b) => Kind::Bool(b),
            Node::Number(n) => Kind::Number(&doc.numbers[index(n)]),
            Node::String(text) => Kind::String(doc.slice(text)),
            Node::Array { first, len } => Kind::Array(Array { doc, first, len }),
            Node::Object { first, len, keys } => Kind::Object(Object {
                doc,
                first,
                len,
                keys,
            }),
        }
    }

    /// The value of `key`, when this is an object that has it.
    #[must_use]
    pub fn get(self, key: &str) -> Option<JsonRef<'a>> {
        self.as_object()?.get(key)
    }

    /// The value at a JSON pointer (`/a/0/b`), as `serde_json::Value::pointer`.
    #[must_use]
    pub fn pointer(self, pointer: &str) -> Option<JsonRef<'a>> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        rest.split('/')
            .map(|token| token.replace("~1", "/").replace("~0", "~"))
            .try_fold(self, |value, token| match value.kind() {
                Kind::Object(object) => object.get(&token),
                Kind::Array(array) => token.parse().ok().and_then(|i| array.get(i)),
                _ => None,
            })
    }

    /// The items, when this is an array.
    #[must_use]
    pub fn as_array(self) -> Option<Array<'a>> {
        match self.kind() {
            Kind::Array(array) => Some(array),
            _ => None,
        }
    }

    /// The entries, when this is an object.
    #[must_use]
    pub fn as_object(self) -> Option<Object<'a>> {
        match self.kind() {
            Kind::Object(object) => Some(object),
            _ => None,
        }
    }

    /// The text, when this is a string.
    #[must_use]
    pub fn as_str(self) -> Option<&'a str> {
        match self.kind() {
            Kind::String(text) => Some(text),
            _ => None,
        }
    }

    /// The boolean, when this is one.
    #[must_use]
    pub fn as_bool(self) -> Option<bool> {
        match self.kind() {
            Kind::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The number, when this is one.
    #[must_use]
    pub fn as_number(self) -> Option<&'a Number> {
        match self.kind() {
            Kind::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The number as `u64`, when it is a non-negative integer.
    #[must_use]
    pub fn as_u64(self) -> Option<u64> {
        self.as_number()?.as_u64()
    }

    /// The number as `i64`, when it is an integer that fits.
    #[must_use]
    pub fn as_i64(self) -> Option<i64> {
        self.as_number()?.as_i64()
    }

    /// The number as `f64`.
    #[must_use]
    pub fn as_f64(self) -> Option<f64> {
        self.as_number()?.as_f64()
    }

    /// Whether it is `null`.
    #[must_use]
    pub fn is_null(self) -> bool {
        matches!(self.kind(), Kind::Null)
    }

    /// Whether it is an object.
    #[must_use]
    pub fn is_object(self) -> bool {
        matches!(self.kind(), Kind::Object(_))
    }

    /// Whether it is an array.
    #[must_use]
    pub fn is_array(self) -> bool {
        matches!(self.kind(), Kind::Array(_))
    }

    /// Whether it is a string.
    #[must_use]
    pub fn is_string(self) -> bool {
        matches!(self.kind(), Kind::String(_))
    }

    /// A string or number as an id (`"a"` → `a`, `1` → `1`).
    #[must_use]
    pub fn as_id(self) -> Option<String> {
        match self.kind() {
            Kind::String(text) => Some(text.to_owned()),
            Kind::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A `serde_json::Value` copy.
    #[must_use]
    pub fn to_value(self) -> Value {
        match self.kind() {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(b),
            Kind::Number(n) => Value::Number(n.clone()),
            Kind::String(text) => Value::String(text.to_owned()),
            Kind::Array(array) => Value::Array(array.iter().map(JsonRef::to_value).collect()),
            Kind::Object(object) => Value::Object(
                object
                    .iter()
                    .map(|(key, value)| (key.to_owned(), value.to_value()))
                    .collect(),
            ),
        }
    }
}

/// Equal as `serde_json::Value`s are: objects compare without regard to order.
impl PartialEq for JsonRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self.kind(), other.kind()) {
            (Kind::Null, Kind::Null) => true,
            (Kind::Bool(a), Kind::Bool(b)) => a == b,
            (Kind::Number(a), Kind::Number(b)) => a == b,
            (Kind::String(a), Kind::String(b)) => a == b,
            (Kind::Array(a), Kind::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x == y)
            }
            (Kind::Object(a), Kind::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(key, value)| b.get(key).is_some_and(|other| other == value))
            }
            _ => false,
        }
    }
}

impl fmt::Display for JsonRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

impl fmt::Debug for JsonRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for JsonRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.kind() {
            Kind::Null => serializer.serialize_unit(),
            Kind::Bool(b) => serializer.serialize_bool(b),
            Kind::Number(n) => n.serialize(serializer),
            Kind::String(text) => serializer.serialize_str(text),
            Kind::Array(array) => {
                let mut seq = serializer.serialize_seq(Some(array.len()))?;
                for item in array.iter() {
                    seq.serialize_element(&item)?;
                }
                seq.end()
            }
            Kind::Object(object) => {
                let mut map = serializer.serialize_map(Some(object.len()))?;
                for (key, value) in object.iter() {
                    map.serialize_entry(key, &value)?;
                }
                map.end()
            }
        }
    }
}

impl<'a> Array<'a> {
    /// How many items.
    #[must_use]
    pub fn len(self) -> usize {
        index(self.len)
    }

    /// Whether it has no items.
    #[must_use]
    pub fn is_empty(self) -> bool {
        self.len == 0
    }

    /// Item `i`.
    #[must_use]
    pub fn get(self, i: usize) -> Option<JsonRef<'a>> {
        let i = u32::try_from(i).ok().filter(|&i| i < self.len)?;
        Some(JsonRef {
            doc: self.doc,
            node: self.first + i,
        })
    }

    /// The items, in order.
    #[must_use]
    pub fn iter(self) -> impl DoubleEndedIterator<Item = JsonRef<'a>> + ExactSizeIterator + Clone {
        let doc = self.doc;
        (self.first..self.first + self.len).map(move |node| JsonRef { doc, node })
    }
}

impl<'a> Object<'a> {
    /// How many entries.
    #[must_use]
    pub fn len(self) -> usize {
        index(self.len)
    }

    /// Whether it has no entries.
    #[must_use]
    pub fn is_empty(self) -> bool {
        self.len == 0
    }

    /// The value of `key`.
    #[must_use]
    pub fn get(self, key: &str) -> Option<JsonRef<'a>> {
        let doc = self.doc;
        let keys = &doc.keys[index(self.keys)..index(self.keys) + index(self.len)];
        // Lengths first: most keys differ in length, and those need no text.
        let at = keys
            .iter()
            .position(|name| index(name.len) == key.len() && doc.slice(*name) == key)?;
        Some(JsonRef {
            doc,
            node: self.first + count(at).ok()?,
        })
    }

    /// Whether it has `key`.
    #[must_use]
    pub fn contains_key(self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The keys, in written order.
    #[must_use]
    pub fn keys(self) -> impl DoubleEndedIterator<Item = &'a str> + ExactSizeIterator + Clone {
        self.iter().map(|(key, _)| key)
    }

    /// The entries, in written order.
    #[must_use]
    pub fn iter(
        self,
    ) -> impl DoubleEndedIterator<Item = (&'a str, JsonRef<'a>)> + ExactSizeIterator + Clone {
        let doc = self.doc;
        (0..self.len).map(move |i| {
            let key = doc.slice(doc.keys[index(self.keys + i)]);
            (
                key,
                JsonRef {
                    doc,
                    node: self.first + i,
                },
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(value: &Value) -> Body {
        Body::from_value(value).expect("small")
    }

    #[test]
    fn serializes_to_the_json_of_the_value_it_was_built_from() {
        let value = json!({
            "name": "orders",
            "uris": ["/a", "/b/*"],
            "plugins": {"key-auth": {}, "limit-count": {"count": 10, "time_window": 1.5}},
            "labels": {"z": "last", "a": "first"},
            "empty": [],
            "n": -3,
            "big": 18_446_744_073_709_551_615_u64,
            "flag": false,
            "nothing": null,
            "text": "line\n\"quoted\" é 😀",
        });
        let compact = body(&value);
        assert_eq!(
            serde_json::to_string(&compact).unwrap(),
            serde_json::to_string(&value).unwrap()
        );
        assert_eq!(compact.json().to_value(), value);
        assert_eq!(format!("{compact:?}"), value.to_string());
    }

    #[test]
    fn reads_like_a_serde_json_value() {
        let compact = body(&json!({"a": {"b": [1, "two", true, null]}, "c~/d": 2}));
        let json = compact.json();
        let b = json.get("a").and_then(|a| a.get("b")).unwrap();
        assert_eq!(b.as_array().map(Array::len), Some(4));
        assert_eq!(b.as_array().unwrap().get(0).unwrap().as_u64(), Some(1));
        assert_eq!(
            json.pointer("/a/b/1").and_then(JsonRef::as_str),
            Some("two")
        );
        assert_eq!(
            json.pointer("/a/b/2").and_then(JsonRef::as_bool),
            Some(true)
        );
        assert!(json.pointer("/a/b/3").unwrap().is_null());
        assert!(json.pointer("/a/b/4").is_none());
        assert_eq!(json.pointer("/c~0~1d").and_then(JsonRef::as_i64), Some(2));
        assert_eq!(json.pointer(""), Some(json));
        assert!(json.get("missing").is_none());
        assert!(b.get("a").is_none());
        assert!(JsonRef::NULL.is_null());
        assert!(JsonRef::NULL.get("a").is_none());
        let keys: Vec<&str> = json.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["a", "c~/d"]);
    }

    #[test]
    fn equality_is_serde_json_s() {
        let a = body(&json!({"x": 1, "y": [1, 2]}));
        let b = body(&json!({"y": [1, 2], "x": 1}));
        let c = body(&json!({"y": [2, 1], "x": 1}));
        let d = body(&json!({"x": 1.0, "y": [1, 2]}));
        assert_eq!(a.json(), b.json());
        assert_ne!(a.json(), c.json());
        assert_ne!(a.json(), d.json(), "1 and 1.0 differ for serde_json too");
    }

    #[test]
    fn bodies_of_one_builder_share_its_document_once_settled() {
        let mut builder = Builder::new();
        let mut first = builder.body(&json!({"name": "a", "uris": ["/a"]}));
        let mut second = builder.body(&json!(["x", {"y": null}]));
        let doc = builder.finish().unwrap();
        first.settle(&doc);
        second.settle(&doc);
        assert_eq!(
            first.json().to_value(),
            json!({"name": "a", "uris": ["/a"]})
        );
        assert_eq!(second.json().to_value(), json!(["x", {"y": null}]));
        assert!(first.at(second.json()).is_some());
    }

    #[test]
    fn indexes_past_32_bits_are_refused() {
        assert_eq!(count(u32::MAX as usize), Ok(u32::MAX));
        assert_eq!(count(u32::MAX as usize + 1), Err(TooLarge));
    }

    #[test]
    fn a_body_may_contain_only_the_texts_written_for_it() {
        let mut builder = Builder::new();
        let mut first = builder.body(&json!({"name": "a", "key": "${SECRET}"}));
        let mut second = builder.body(&json!({"plugins": {"cors": {"origin": "*"}}}));
        let doc = builder.finish().unwrap();
        first.settle(&doc);
        second.settle(&doc);
        assert!(first.may_contain("${"));
        assert!(first.may_contain("name"), "keys count too");
        assert!(!second.may_contain("${"));
        assert!(second.may_contain("cors"));
        let inner = second.at(second.json().get("plugins").unwrap()).unwrap();
        assert!(
            inner.may_contain("${"),
            "a part of a body knows only its document"
        );
    }

    #[test]
    fn a_body_points_into_its_own_document_only() {
        let a = body(&json!({"x": {"y": 1}}));
        let b = body(&json!({"x": {"y": 1}}));
        let inner = a.json().get("x").unwrap();
        assert_eq!(
            a.at(inner).map(|x| x.json().to_value()),
            Some(json!({"y": 1}))
        );
        assert!(b.at(inner).is_none());
    }
}

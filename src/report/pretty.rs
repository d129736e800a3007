//! Pretty JSON written by hand, byte for byte as `serde_json`'s pretty printer writes
//! it (two spaces a level, `"key": value`, `[]` and `{}` when empty), for the reports
//! of many findings: a finding is written straight into a buffer, with its keys as
//! constant bytes, and can be written at any depth, so that chunks of findings can be
//! rendered apart (see [`super::chunked`]).
//!
//! Strings are escaped by `serde_json` itself. [`Pretty::shared`] keeps the escaped
//! form of the last text it wrote for a field: findings in a row usually share their
//! rule, help, file and environment, which are then escaped once.

/// A comma, a line break and the indentation of the first levels.
const BREAK: &[u8; 34] = b",\n                                ";

/// Writes JSON values into a buffer, tracking the depth and whether the current
/// object or array has a value yet (as `serde_json::ser::PrettyFormatter` does).
pub struct Pretty<'b> {
    out: &'b mut Vec<u8>,
    level: usize,
    first: bool,
}

impl<'b> Pretty<'b> {
    /// A writer whose next key or item is at depth `level` (the depth of the object or
    /// array it is in, plus one), `first` when that object or array has no value yet.
    pub fn at(out: &'b mut Vec<u8>, level: usize, first: bool) -> Self {
        Pretty { out, level, first }
    }

    /// The line break and indentation before a key or an item, after a comma unless
    /// it is the first.
    fn separate(&mut self) {
        // `,`, the line break and the indentation in one copy, when deep enough.
        let start = usize::from(self.first);
        if let Some(bytes) = BREAK.get(start..2 + 2 * self.level) {
            self.out.extend_from_slice(bytes);
        } else {
            self.out.extend_from_slice(&BREAK[start..2]);
            self.indent(self.level);
        }
        self.first = false;
    }

    fn indent(&mut self, level: usize) {
        for _ in 0..level {
            self.out.extend_from_slice(b"  ");
        }
    }

    /// `"name": ` (the name needs no escape), ready for the value.
    pub fn key(&mut self, name: &str) {
        self.separate();
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\": ");
    }

    /// Ready for the next item of an array.
    pub fn item(&mut self) {
        self.separate();
    }

    /// `{` (after a key or an item).
    pub fn open_object(&mut self) {
        self.open(b'{');
    }

    /// `}`, on a line of its own unless the object is empty.
    pub fn close_object(&mut self) {
        self.close(b'}');
    }

    /// `[` (after a key or an item).
    pub fn open_array(&mut self) {
        self.open(b'[');
    }

    /// `]`, on a line of its own unless the array is empty.
    pub fn close_array(&mut self) {
        self.close(b']');
    }

    fn open(&mut self, bracket: u8) {
        self.out.push(bracket);
        self.level += 1;
        self.first = true;
    }

    fn close(&mut self, bracket: u8) {
        self.level -= 1;
        if !self.first {
            self.out.push(b'\n');
            self.indent(self.level);
        }
        self.out.push(bracket);
        self.first = false;
    }

    /// A string, escaped.
    pub fn string(&mut self, text: &str) {
        escape(self.out, text);
    }

    /// A string that needs no escape (a constant such as `"error"`).
    pub fn plain(&mut self, text: &str) {
        self.out.push(b'"');
        self.out.extend_from_slice(text.as_bytes());
        self.out.push(b'"');
    }

    /// A string, escaped once for as long as the same text (the same bytes in
    /// memory) comes back to `last`.
    pub fn shared(&mut self, text: &str, last: &mut Escaped) {
        let address = (text.as_ptr() as usize, text.len());
        if last.address != Some(address) {
            last.bytes.clear();
            escape(&mut last.bytes, text);
            last.address = Some(address);
        }
        self.out.extend_from_slice(&last.bytes);
    }

    /// A whole number.
    pub fn number(&mut self, number: u64) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut rest = number;
        loop {
            at -= 1;
            // The remainder of a division by 10 is a digit.
            digits[at] = b'0' + u8::try_from(rest % 10).unwrap_or(0);
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        self.out.extend_from_slice(&digits[at..]);
    }

    /// `true` or `false`.
    pub fn boolean(&mut self, value: bool) {
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
    }

    /// `null`.
    pub fn null(&mut self) {
        self.out.extend_from_slice(b"null");
    }

    /// Any JSON value (a small one: its strings are escaped each time).
    pub fn value(&mut self, value: &serde_json::Value) {
        match value {
            serde_json::Value::Null => self.null(),
            serde_json::Value::Bool(b) => self.boolean(*b),
            serde_json::Value::Number(n) => self.out.extend_from_slice(n.to_string().as_bytes()),
            serde_json::Value::String(s) => self.string(s),
            serde_json::Value::Array(items) => {
                self.open_array();
                for item in items {
                    self.item();
                    self.value(item);
                }
                self.close_array();
            }
            serde_json::Value::Object(map) => {
                self.open_object();
                for (key, item) in map {
                    self.key_escaped(key);
                    self.value(item);
                }
                self.close_object();
            }
        }
    }

    /// `"name": ` for any name, escaped.
    fn key_escaped(&mut self, name: &str) {
        self.separate();
        escape(self.out, name);
        self.out.extend_from_slice(b": ");
    }
}

/// The escaped form of the last text written for one field (see [`Pretty::shared`]).
/// The texts must outlive it: a text is known by where its bytes are.
#[derive(Default)]
pub struct Escaped {
    address: Option<(usize, usize)>,
    bytes: Vec<u8>,
}

/// `text` as a JSON string, escaped by `serde_json`.
fn escape(out: &mut Vec<u8>, text: &str) {
    // Writing to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, text);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `value` written with [`Pretty`] at the top level.
    fn by_hand(value: &serde_json::Value) -> String {
        fn write(p: &mut Pretty<'_>, value: &serde_json::Value, last: &mut Escaped) {
            match value {
                serde_json::Value::Null => p.null(),
                serde_json::Value::Bool(b) => p.boolean(*b),
                serde_json::Value::Number(n) => p.number(n.as_u64().unwrap()),
                serde_json::Value::String(s) => p.shared(s, last),
                serde_json::Value::Array(items) => {
                    p.open_array();
                    for item in items {
                        p.item();
                        write(p, item, last);
                    }
                    p.close_array();
                }
                serde_json::Value::Object(map) => {
                    p.open_object();
                    for (key, item) in map {
                        p.key(key);
                        write(p, item, last);
                    }
                    p.close_object();
                }
            }
        }
        let mut out = Vec::new();
        write(
            &mut Pretty::at(&mut out, 0, true),
            value,
            &mut Escaped::default(),
        );
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn writes_what_serde_json_pretty_writes() {
        let mut value = json!({
            "version": 1,
            "empty": [],
            "nothing": {},
            "list": [0, 18_446_744_073_709_551_615_u64, {"a": null, "b": [true, false]}, [[]]],
            "text": "quote \" backslash \\ control \u{1} \u{1f} tab \t line \n del \u{7f} é 🦀",
            "same": "quote \" backslash \\ control \u{1} \u{1f} tab \t line \n del \u{7f} é 🦀",
            "nested": {"deeper": {"deepest": ["x", "y"]}},
            "key \" \n": -1.5
        });
        let expected = serde_json::to_string_pretty(&value).unwrap();
        let mut out = Vec::new();
        Pretty::at(&mut out, 0, true).value(&value);
        assert_eq!(String::from_utf8(out).unwrap(), expected);
        // Numbers and keys aside, [`Pretty::shared`] writes what [`Pretty::value`] does.
        value.as_object_mut().unwrap().remove("key \" \n");
        let expected = serde_json::to_string_pretty(&value).unwrap();
        assert_eq!(by_hand(&value), expected);
    }

    #[test]
    fn a_shared_text_is_escaped_again_when_another_text_comes() {
        let (a, b) = (String::from("a\""), String::from("b\n"));
        let mut out = Vec::new();
        let mut last = Escaped::default();
        let mut p = Pretty::at(&mut out, 0, true);
        for text in [&a, &a, &b, &a] {
            p.shared(text, &mut last);
        }
        assert_eq!(String::from_utf8(out).unwrap(), r#""a\"""a\"""b\n""a\"""#);
    }

    #[test]
    fn deep_values_are_indented_as_serde_json_indents_them() {
        let mut value = json!(["bottom", {"k": []}]);
        for depth in 0..40 {
            value = if depth % 2 == 0 {
                json!({"key": value, "n": depth})
            } else {
                json!([value, depth])
            };
        }
        let mut out = Vec::new();
        Pretty::at(&mut out, 0, true).value(&value);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            serde_json::to_string_pretty(&value).unwrap()
        );
    }

    #[test]
    fn starts_at_any_depth() {
        let mut out = Vec::new();
        let mut p = Pretty::at(&mut out, 2, false);
        p.item();
        p.open_object();
        p.key("k");
        p.string("v");
        p.close_object();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            ",\n    {\n      \"k\": \"v\"\n    }"
        );
    }
}

//! The `JSONPath` expressions APISIX parses with lua-jsonpath (`jsonpath` 1.0 rock,
//! MIT): a recognizer of its PEG grammar, written from the grammar's rules.
//!
//! The grammar (`jsonpath.lua`, `jsonpath_grammer`): an optional `$` root, then
//! children `.name`, `..name`, `.*`, `.0`, `[...]` and `..[...]`; a subscript is `*`,
//! a union of slices, quoted names and indexes, a script `(expr)`, a slice
//! `start:end:step` or a filter `?(expr)`; expressions are string, number and boolean
//! literals, `@.a.b`, `@['a']` and `@.length`, with SQL-like operators in six levels
//! of precedence. Like `jsonpath.parse`, the whole text must match: a PEG tries its
//! alternatives in order and repeats greedily, and so does this recognizer.

/// Deeper nesting than this is not judged (no finding).
const MAX_DEPTH: usize = 128;

/// `jsonpath.parse`'s error for `text`, if it refuses it: `invalid expression
/// "<text>"` when nothing matches, `... near "<rest>"` when a prefix does.
pub(super) fn parse_error(text: &str) -> Option<String> {
    let mut parser = Peg {
        s: text.as_bytes(),
        depth: 0,
        too_deep: false,
    };
    let end = parser.jsonpath(0);
    if parser.too_deep {
        return None;
    }
    match end {
        None => Some(format!("invalid expression \"{text}\"")),
        Some(end) if end == text.len() => None,
        Some(end) => Some(format!(
            "invalid expression \"{text}\" near \"{}\"",
            String::from_utf8_lossy(&text.as_bytes()[end..])
        )),
    }
}

/// A recognizer over bytes: each rule takes a position and gives the position after
/// its match, or `None`.
struct Peg<'a> {
    s: &'a [u8],
    depth: usize,
    too_deep: bool,
}

impl Peg<'_> {
    fn byte(&self, at: usize) -> Option<u8> {
        self.s.get(at).copied()
    }

    fn lit(&self, at: usize, text: &str) -> Option<usize> {
        self.s[at.min(self.s.len())..]
            .starts_with(text.as_bytes())
            .then_some(at + text.len())
    }

    fn anycase(&self, at: usize, text: &str) -> Option<usize> {
        let end = at + text.len();
        let slice = self.s.get(at..end)?;
        slice.eq_ignore_ascii_case(text.as_bytes()).then_some(end)
    }

    fn class(&self, at: usize, test: impl Fn(u8) -> bool) -> Option<usize> {
        self.byte(at).filter(|b| test(*b)).map(|_| at + 1)
    }

    fn many(&self, mut at: usize, test: impl Fn(u8) -> bool) -> usize {
        while self.byte(at).is_some_and(&test) {
            at += 1;
        }
        at
    }

    fn space(&self, at: usize) -> usize {
        self.many(at, |b| matches!(b, b' ' | b'\t' | b'\n'))
    }

    fn digits(&self, at: usize) -> Option<usize> {
        let end = self.many(at, |b| b.is_ascii_digit());
        (end > at).then_some(end)
    }

    fn sign(&self, at: usize) -> usize {
        self.class(at, |b| b == b'+' || b == b'-').unwrap_or(at)
    }

    fn ident(&self, at: usize) -> Option<usize> {
        let at = self.class(at, |b| b.is_ascii_alphabetic() || b == b'_')?;
        Some(self.many(at, |b| b.is_ascii_alphanumeric() || b == b'_'))
    }

    /// `opt_space JSONPATH opt_space`.
    fn jsonpath(&mut self, at: usize) -> Option<usize> {
        let at = self.space(at);
        let mut at = self.child_1(at)?;
        while let Some(next) = self.child_n(at) {
            at = next;
        }
        Some(self.space(at))
    }

    fn child_1(&mut self, at: usize) -> Option<usize> {
        if let Some(root) = self.lit(at, "$") {
            if let Some(end) = self
                .lit(root, "..")
                .or_else(|| self.lit(root, "."))
                .and_then(|after| self.child_name(after))
            {
                return Some(end);
            }
            if let Some(end) = self.child_subscript(root) {
                return Some(end);
            }
            return Some(root);
        }
        self.child_subscript(at).or_else(|| self.child_name(at))
    }

    fn child_n(&mut self, at: usize) -> Option<usize> {
        if let Some(end) = self
            .lit(at, "..")
            .or_else(|| self.lit(at, "."))
            .and_then(|after| self.child_name(after))
        {
            return Some(end);
        }
        if let Some(end) = self
            .lit(at, "..")
            .and_then(|after| self.child_subscript(after))
        {
            return Some(end);
        }
        self.child_subscript(at)
    }

    fn child_name(&self, at: usize) -> Option<usize> {
        self.child_index(at)
            .or_else(|| self.ident(at).map(|end| self.space(end)))
            .or_else(|| self.lit(at, "*"))
    }

    fn child_index(&self, at: usize) -> Option<usize> {
        let end = self.digits(self.sign(at))?;
        Some(self.space(end))
    }

    fn child_subscript(&mut self, at: usize) -> Option<usize> {
        let at = self.lit(at, "[")?;
        let at = self
            .lit(at, "*")
            .or_else(|| self.child_union(at))
            .or_else(|| self.child_slice(at))
            .or_else(|| self.child_filter(at))?;
        self.lit(at, "]")
    }

    fn child_union(&mut self, at: usize) -> Option<usize> {
        if let Some(mut end) = self.union_expr(at) {
            while let Some(next) = self
                .lit(end, ",")
                .map(|after| self.space(after))
                .and_then(|after| self.union_expr(after))
            {
                end = next;
            }
            return Some(end);
        }
        let at = self.lit(at, "(")?;
        let at = self.expr(self.space(at))?;
        self.lit(at, ")")
    }

    fn union_expr(&mut self, at: usize) -> Option<usize> {
        self.child_slice(at)
            .or_else(|| self.string_literal(at))
            .or_else(|| self.child_index(at))
    }

    fn child_slice(&self, at: usize) -> Option<usize> {
        let at = self.child_index(at).unwrap_or(at);
        let at = self.colon(at)?;
        let at = self.child_index(at).unwrap_or(at);
        Some(
            self.colon(at)
                .and_then(|after| self.child_index(after))
                .unwrap_or(at),
        )
    }

    fn colon(&self, at: usize) -> Option<usize> {
        self.lit(at, ":").map(|after| self.space(after))
    }

    fn child_filter(&mut self, at: usize) -> Option<usize> {
        let at = self.lit(at, "?(")?;
        let at = self.expr(self.space(at))?;
        self.lit(at, ")")
    }

    /// `EXPR`: six levels of binary operators over `FACT`, lowest first.
    fn expr(&mut self, at: usize) -> Option<usize> {
        self.level(at, 1)
    }

    fn level(&mut self, at: usize, level: u8) -> Option<usize> {
        if level > 6 {
            return self.fact(at);
        }
        let mut end = self.level(at, level + 1)?;
        while let Some(next) = self
            .operator(end, level)
            .and_then(|after| self.level(after, level + 1))
        {
            end = next;
        }
        Some(end)
    }

    fn operator(&self, at: usize, level: u8) -> Option<usize> {
        let end = match level {
            6 => self.class(at, |b| matches!(b, b'*' | b'/' | b'%')),
            5 => self.class(at, |b| b == b'+' || b == b'-'),
            4 => self
                .lit(at, "<=")
                .or_else(|| self.lit(at, ">="))
                .or_else(|| self.class(at, |b| b == b'<' || b == b'>')),
            3 => self
                .lit(at, "==")
                .or_else(|| self.lit(at, "="))
                .or_else(|| self.lit(at, "!="))
                .or_else(|| self.lit(at, "<>")),
            2 => self.anycase(at, "AND").or_else(|| self.lit(at, "&&")),
            _ => self.anycase(at, "OR").or_else(|| self.lit(at, "||")),
        }?;
        Some(self.space(end))
    }

    fn fact(&mut self, at: usize) -> Option<usize> {
        if let Some(end) = self
            .string_literal(at)
            .or_else(|| self.number_literal(at))
            .or_else(|| self.boolean_literal(at))
            .or_else(|| self.var_length(at))
            .or_else(|| self.var(at))
        {
            return Some(end);
        }
        let inner = self.lit(at, "(").map(|after| self.space(after))?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.too_deep = true;
            return None;
        }
        let end = self.expr(inner);
        self.depth -= 1;
        end.and_then(|end| self.lit(end, ")"))
            .map(|end| self.space(end))
    }

    fn string_literal(&self, at: usize) -> Option<usize> {
        let quote = self.class(at, |b| b == b'\'' || b == b'"')?;
        let delimiter = self.s[at];
        let mut end = quote;
        loop {
            match self.byte(end)? {
                b'\\' => end += 2,
                b if b == delimiter => break,
                _ => end += 1,
            }
        }
        Some(self.space(end + 1))
    }

    fn number_literal(&self, at: usize) -> Option<usize> {
        let hex = self
            .lit(at, "0")
            .and_then(|after| self.class(after, |b| b == b'x' || b == b'X'))
            .and_then(|after| {
                let end = self.many(after, |b| b.is_ascii_hexdigit());
                (end > after).then_some(end)
            });
        let end = hex.or_else(|| self.number_rat(at))?;
        Some(self.space(end))
    }

    fn number_rat(&self, at: usize) -> Option<usize> {
        let at = self.sign(at);
        let mantissa = self
            .digits(at)
            .and_then(|end| self.lit(end, "."))
            .map(|end| self.many(end, |b| b.is_ascii_digit()))
            .or_else(|| self.digits(self.lit(at, ".").unwrap_or(at)))?;
        let exponent = self
            .class(mantissa, |b| b == b'e' || b == b'E')
            .and_then(|after| self.digits(self.sign(after)));
        Some(exponent.unwrap_or(mantissa))
    }

    fn boolean_literal(&self, at: usize) -> Option<usize> {
        let end = self
            .anycase(at, "true")
            .or_else(|| self.anycase(at, "false"))?;
        Some(self.space(end))
    }

    fn var_length(&self, at: usize) -> Option<usize> {
        let end = self.lit(at, "@.length")?;
        Some(self.space(end))
    }

    fn var(&self, at: usize) -> Option<usize> {
        let at = self.lit(at, "@")?;
        let dotted = self
            .lit(at, ".")
            .and_then(|after| self.ident(after))
            .map(|mut end| {
                while let Some(next) = self.lit(end, ".").and_then(|after| self.ident(after)) {
                    end = next;
                }
                end
            });
        let end = dotted.or_else(|| {
            let inner = self.lit(at, "[").map(|after| self.space(after))?;
            let inner = self.string_literal(inner)?;
            self.lit(inner, "]")
        })?;
        Some(self.space(end))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_error;

    #[test]
    fn accepts_what_lua_jsonpath_parses() {
        for path in [
            "team",
            "$",
            "$..team",
            "$.orgs..team",
            "$..name",
            "$.store.book[*].author",
            "$..book[2]",
            "$..book[-1:]",
            "$..book[0,1]",
            "$..book[:2]",
            "$..book[?(@.isbn)]",
            "$..book[?(@.price < 10)]",
            "$..book[?(@.price<10 && @.category=='fiction')]",
            "$..book[(@.length-1)]",
            "$['store']['book'][0]",
            "$.store.*",
            " $..team ",
        ] {
            assert_eq!(parse_error(path), None, "{path}");
        }
    }

    #[test]
    fn refuses_what_it_does_not() {
        // t/plugin/acl.t TEST 53.
        assert_eq!(
            parse_error("$..([invalid").as_deref(),
            Some("invalid expression \"$..([invalid\" near \"..([invalid\"")
        );
        assert_eq!(parse_error("").as_deref(), Some("invalid expression \"\""));
        for path in [
            "$.a[",
            "$.a]",
            "$['a",
            "$..book[?(@.price <)]",
            "$.a b",
            "$.-",
        ] {
            assert!(parse_error(path).is_some(), "{path}");
        }
    }

    /// Every expression of `fixtures/conformance/lua-jsonpath/cases.json` gets the
    /// verdict and message lua-jsonpath itself gave (tools/lua-jsonpath-cases).
    #[test]
    fn agrees_with_lua_jsonpath_on_its_recorded_verdicts() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/conformance/lua-jsonpath/cases.json"
        );
        let text = std::fs::read_to_string(path).expect("recorded cases");
        let cases: Vec<(String, Option<String>)> = serde_json::from_str(&text).unwrap();
        assert!(cases.len() > 1000, "{}", cases.len());
        let accepted = cases.iter().filter(|(_, e)| e.is_none()).count();
        assert!(accepted > 500 && accepted < cases.len() - 500, "{accepted}");
        for (case, expected) in &cases {
            assert_eq!(&parse_error(case), expected, "{case:?}");
        }
    }

    #[test]
    fn deep_nesting_is_not_judged() {
        let deep = format!("$[?({}1{})]", "(".repeat(500), ")".repeat(500));
        assert_eq!(parse_error(&deep), None);
    }
}

//! Imperative plugin checks: transform plugins (see the parent module).
//!
//! What proxy-rewrite, response-rewrite, redirect, fault-injection, real-ip and
//! proxy-cache check in Lua once their schema passes: regexes and `ngx.re.sub`
//! replacement templates compile, old-style header maps use legal names and values,
//! base64 bodies decode, `vars` compile as lua-resty-expr expressions, trusted
//! addresses parse as IP/CIDR, and `$request_method` stays out of cache keys.
//!
//! mocking's `content_type` must be one it can produce, and oas-validator's
//! `spec` must be JSON.
//!
//! api-breaker, request-id and gzip have no imperative checks in APISIX;
//! serverless-pre-function's Lua code is checked in `serverless.rs`.

use super::patterns::{self, Verdict};
use super::resources::check_expression;
use super::{check_ip_list, Issue, PluginCheck, SchemaKind};
use crate::load::document::escape_token;
use crate::secrets::is_reference;
use serde_json::{Map, Value};

/// The check for plugin `name`, if this group has one.
pub(super) fn lookup(name: &str) -> Option<PluginCheck> {
    match name {
        "proxy-rewrite" => Some(proxy_rewrite),
        "response-rewrite" => Some(response_rewrite),
        "redirect" => Some(redirect),
        "fault-injection" => Some(fault_injection),
        "real-ip" => Some(real_ip),
        "proxy-cache" => Some(proxy_cache),
        "mocking" => Some(mocking),
        "oas-validator" => Some(oas_validator),
        _ => None,
    }
}

/// proxy-rewrite: `regex_uri` pairs compile, old-form header names and values are legal.
fn proxy_rewrite(conf: &Value, _kind: SchemaKind, out: &mut Vec<Issue>) {
    if let Some(list) = conf.get("regex_uri").and_then(Value::as_array) {
        check_regex_uri_pairs(list, out);
    }
    if let Some(headers) = conf.get("headers") {
        let mut issues = Vec::new();
        check_request_headers(headers, &mut issues);
        out.extend(issues.into_iter().map(|issue| Issue {
            pointer: format!("/headers{}", issue.pointer),
            ..issue
        }));
    }
}

/// proxy-rewrite's check of a `headers` value (also traffic-label's `set_headers`):
/// in the old flat form, legal names and values. Pointers are relative to `headers`.
pub(super) fn check_request_headers(headers: &Value, out: &mut Vec<Issue>) {
    if let Some(map) = old_form_map(headers) {
        for (field, value) in map {
            let pointer = format!("/{}", escape_token(field));
            if let Some(issue) = request_header_issue(field, value, pointer) {
                out.push(issue);
            }
        }
    }
}

/// response-rewrite: old-form header names, the base64 body, `vars` and filter regexes.
fn response_rewrite(conf: &Value, _kind: SchemaKind, out: &mut Vec<Issue>) {
    check_response_headers(conf, out);
    check_base64_body(conf, out);
    if let Some(vars) = conf.get("vars") {
        if let Err(problem) = check_expression(vars) {
            out.push(Issue::value(
                "/vars",
                format!("failed to validate the 'vars' expression: {problem}"),
            ));
        }
    }
    if let Some(filters) = conf.get("filters").and_then(Value::as_array) {
        for (index, filter) in filters.iter().enumerate() {
            check_filter(filter, index, out);
        }
    }
}

/// response-rewrite's `headers`: an object (the schema's second branch has no type,
/// but the Lua check iterates it), and in the old form non-empty names with string
/// or number values.
fn check_response_headers(conf: &Value, out: &mut Vec<Issue>) {
    match conf.get("headers") {
        Some(Value::Object(_)) | None => {}
        Some(_) => out.push(Issue::value("/headers", "headers must be an object")),
    }
    for (field, value) in old_form_headers(conf).into_iter().flatten() {
        let pointer = format!("/headers/{}", escape_token(field));
        if let Some(issue) = header_shape_issue(field, value, &pointer) {
            out.push(issue);
        }
    }
}

/// redirect: `regex_uri` compiles; `http_to_https` excludes `append_query_string`.
fn redirect(conf: &Value, _kind: SchemaKind, out: &mut Vec<Issue>) {
    if let Some([pattern, template]) = conf
        .get("regex_uri")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        check_substitution(pattern, template, "/regex_uri/0", "/regex_uri/1", out);
    }
    let is_true = |key: &str| conf.get(key) == Some(&Value::Bool(true));
    if is_true("http_to_https") && is_true("append_query_string") {
        out.push(Issue::key(
            "/append_query_string",
            "only one of `http_to_https` and `append_query_string` can be configured",
        ));
    }
}

/// fault-injection: each `abort.vars` / `delay.vars` item compiles as an expression.
fn fault_injection(conf: &Value, _kind: SchemaKind, out: &mut Vec<Issue>) {
    for section in ["abort", "delay"] {
        let Some(vars) = conf
            .pointer(&format!("/{section}/vars"))
            .and_then(Value::as_array)
        else {
            continue;
        };
        for (index, expression) in vars.iter().enumerate() {
            if let Err(problem) = check_expression(expression) {
                out.push(Issue::value(
                    format!("/{section}/vars/{index}"),
                    format!("invalid vars expression: {problem}"),
                ));
            }
        }
    }
}

/// real-ip: every trusted address is an IP address or a CIDR range with a valid prefix.
fn real_ip(conf: &Value, _kind: SchemaKind, out: &mut Vec<Issue>) {
    check_ip_list(conf, "trusted_addresses", out);
}

/// proxy-cache: `$request_method` cannot be part of the cache key.
fn proxy_cache(conf: &Value, _kind: SchemaKind, out: &mut Vec<Issue>) {
    let Some(keys) = conf.get("cache_key").and_then(Value::as_array) else {
        return;
    };
    for (index, key) in keys.iter().enumerate() {
        if key.as_str() == Some("$request_method") {
            out.push(Issue::value(
                format!("/cache_key/{index}"),
                "cache_key variable $request_method unsupported (the method is not known when the cache is looked up)",
            ));
        }
    }
}

/// The media types mocking can answer with.
const MOCKING_TYPES: &[&str] = &[
    "application/xml",
    "application/json",
    "text/plain",
    "text/html",
    "text/xml",
];

/// mocking: the media type of `content_type` is one it supports. APISIX matches
/// `([ -~]*);([ -~]*)` and takes the first group, so the type is what comes before
/// the last `;` of the first printable-ASCII run that has one; with no `;` it is
/// the whole value.
fn mocking(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>) {
    if kind == SchemaKind::Metadata {
        return;
    }
    // The schema's default, "application/json;charset=utf8", is supported.
    let Some(content_type) = conf.get("content_type").and_then(Value::as_str) else {
        return;
    };
    let media_type = content_type
        .split(|c: char| !(' '..='~').contains(&c))
        .find_map(|run| run.rfind(';').map(|at| run.get(..at).unwrap_or_default()))
        .unwrap_or(content_type);
    if !MOCKING_TYPES.contains(&media_type) {
        out.push(Issue::value(
            "/content_type",
            format!(
                "unsupported content type! `{media_type}` is not one of {}",
                MOCKING_TYPES.join(", ")
            ),
        ));
    }
}

/// oas-validator: `spec` is a JSON document.
fn oas_validator(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>) {
    if kind == SchemaKind::Metadata {
        return;
    }
    let Some(spec) = conf.get("spec").and_then(Value::as_str) else {
        return;
    };
    if is_reference(spec) {
        return;
    }
    if let Some(error) = super::json_syntax_error(spec) {
        out.push(Issue::value(
            "/spec",
            format!("invalid JSON string provided, err: {error}"),
        ));
    }
}

/// Check `[regex, template, regex, template, ...]` as proxy-rewrite does.
fn check_regex_uri_pairs(list: &[Value], out: &mut Vec<Issue>) {
    if !list.len().is_multiple_of(2) {
        out.push(Issue::value(
            "/regex_uri",
            "the length of regex_uri should be an even number (pairs of regex and template)",
        ));
        return;
    }
    for (pair_index, pair) in list.chunks_exact(2).enumerate() {
        if let [pattern, template] = pair {
            let at = pair_index * 2;
            let pattern_pointer = format!("/regex_uri/{at}");
            let template_pointer = format!("/regex_uri/{}", at + 1);
            check_substitution(pattern, template, &pattern_pointer, &template_pointer, out);
        }
    }
}

/// Check a `[regex, template]` pair the way `ngx.re.sub(uri, regex, template, "jo")`
/// compiles it. Secret references and placeholders resolve later and are skipped.
fn check_substitution(
    pattern: &Value,
    template: &Value,
    pattern_pointer: &str,
    template_pointer: &str,
    out: &mut Vec<Issue>,
) {
    let (Some(pattern), Some(template)) = (pattern.as_str(), template.as_str()) else {
        return;
    };
    if is_reference(pattern) {
        return;
    }
    match pcre::verdict(pattern, "jo") {
        Verdict::Fine => {}
        Verdict::Refused(error) => {
            out.push(Issue::value(
                pattern_pointer,
                format!("invalid regex_uri: regex does not compile: {error}"),
            ));
            return;
        }
        Verdict::TooLarge(items) => {
            out.push(patterns::too_large(pattern_pointer, items));
            return;
        }
    }
    if is_secret_reference(template) {
        return;
    }
    if let Some(error) = template_error(template) {
        out.push(Issue::value(
            template_pointer,
            format!("invalid regex_uri: {error}"),
        ));
    }
}

/// Whether a template is resolved before APISIX compiles it: a `$secret://` or
/// `$env://` reference, or a standalone `${{VAR}}` placeholder. (`${1}` is a capture.)
fn is_secret_reference(text: &str) -> bool {
    let scheme = |prefix: &str| {
        text.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    scheme("$secret://") || scheme("$env://") || text.contains("${{")
}

/// Why `ngx.re.sub` refuses a replacement template, if it does: every `$` must start
/// `$$` (a literal dollar), `$N` or `${N}` (capture numbers only).
fn template_error(template: &str) -> Option<&'static str> {
    let mut rest = template;
    while let Some(position) = rest.find('$') {
        let after = rest.get(position + 1..).unwrap_or_default();
        match capture_reference_len(after) {
            Ok(len) => rest = after.get(len..).unwrap_or_default(),
            Err(message) => return Some(message),
        }
    }
    None
}

/// How many bytes after a template's `$` belong to the reference, or why it is invalid.
fn capture_reference_len(after: &str) -> Result<usize, &'static str> {
    const NAMED: &str =
        "named captures are not supported in the replacement template; use `$1` or `${1}`";
    const INVALID: &str =
        "invalid capture reference in the replacement template; use `$1`, `${1}`, or `$$` for a dollar";
    let digit_count = |text: &str| text.bytes().take_while(u8::is_ascii_digit).count();
    let starts_name = |byte: u8| byte.is_ascii_alphabetic() || byte == b'_';
    match after.bytes().next() {
        Some(b'$') => Ok(1),
        Some(b'0'..=b'9') => Ok(digit_count(after)),
        Some(b'{') => {
            let inner = after.get(1..).unwrap_or_default();
            let digits = digit_count(inner);
            match (digits, inner.as_bytes().get(digits).copied()) {
                (1.., Some(b'}')) => Ok(digits + 2),
                (0, Some(byte)) if starts_name(byte) => Err(NAMED),
                _ => Err(INVALID),
            }
        }
        Some(byte) if starts_name(byte) => Err(NAMED),
        _ => Err(INVALID),
    }
}

/// The `headers` map when it is in the old flat form (`{name: value}`) rather than
/// `{add, set, remove}`, which is the form APISIX checks imperatively.
fn old_form_headers(conf: &Value) -> Option<&Map<String, Value>> {
    old_form_map(conf.get("headers")?)
}

/// A `headers` value when it is in the old flat form.
fn old_form_map(headers: &Value) -> Option<&Map<String, Value>> {
    let headers = headers.as_object()?;
    let is_table = |key: &str| matches!(headers.get(key), Some(Value::Object(_) | Value::Array(_)));
    let new_form = is_table("add") || is_table("set") || is_table("remove");
    (!new_form).then_some(headers)
}

/// What APISIX's proxy-rewrite refuses in one old-form request header.
fn request_header_issue(field: &str, value: &Value, pointer: String) -> Option<Issue> {
    if let Some(issue) = header_shape_issue(field, value, &pointer) {
        return Some(issue);
    }
    if !field.bytes().all(is_header_name_byte) {
        return Some(Issue::key(
            pointer,
            "invalid field character in header: names take printable ASCII other than `:` and space",
        ));
    }
    let value_is_clean = value
        .as_str()
        .is_none_or(|text| text.bytes().all(|b| (0x20..0x7f).contains(&b)));
    if !value_is_clean {
        return Some(Issue::value(
            pointer,
            "invalid value character in header: control characters (such as CR/LF) and non-ASCII are not allowed",
        ));
    }
    None
}

/// An empty header name, or a value that is neither a string nor a number.
fn header_shape_issue(field: &str, value: &Value, pointer: &str) -> Option<Issue> {
    if !(value.is_string() || value.is_number()) {
        return Some(Issue::value(
            pointer,
            "invalid type as header value: use a string or a number",
        ));
    }
    if field.is_empty() {
        return Some(Issue::key(
            pointer,
            "invalid field length in header: the name is empty",
        ));
    }
    None
}

/// A byte nginx accepts in a header name: `!` to `~`, except `:`.
fn is_header_name_byte(byte: u8) -> bool {
    (0x21..0x7f).contains(&byte) && byte != b':'
}

/// With `body_base64`, the body must be present and decode as base64.
fn check_base64_body(conf: &Value, out: &mut Vec<Issue>) {
    if conf.get("body_base64") != Some(&Value::Bool(true)) {
        return;
    }
    match conf.get("body").and_then(Value::as_str) {
        Some(body) if is_reference(body) || decodes_as_base64(body) => {}
        Some(_) => out.push(Issue::value("/body", "invalid base64 content")),
        None => out.push(Issue::key(
            "/body_base64",
            "invalid base64 content: `body_base64` is set but there is no `body`",
        )),
    }
}

/// Whether `ngx.decode_base64` accepts `text`: non-empty, only the standard alphabet
/// before the first `=` (everything after it is ignored), and not one character
/// too many for a whole byte.
fn decodes_as_base64(text: &str) -> bool {
    let data = text.split('=').next().unwrap_or_default();
    let alphabet = |b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
    !text.is_empty() && data.bytes().all(alphabet) && data.len() % 4 != 1
}

/// A response-rewrite filter: its regex options are known ngx.re flags, and its regex
/// compiles.
fn check_filter(filter: &Value, index: usize, out: &mut Vec<Issue>) {
    let Some(regex) = filter.get("regex").and_then(Value::as_str) else {
        return;
    };
    let options = filter
        .get("options")
        .and_then(Value::as_str)
        .unwrap_or("jo");
    if let Some(flag) = pcre::unknown_flag(options) {
        out.push(Issue::value(
            format!("/filters/{index}/options"),
            format!("regex \"{regex}\" validation failed: unknown flag \"{flag}\" (flags \"{options}\")"),
        ));
        return;
    }
    if is_reference(regex) {
        return;
    }
    let pointer = format!("/filters/{index}/regex");
    match pcre::verdict(regex, options) {
        Verdict::Fine => {}
        Verdict::Refused(error) => out.push(Issue::value(
            pointer,
            format!(
                "regex does not compile: {error} (APISIX accepts it, but the filter fails on every response)"
            ),
        )),
        Verdict::TooLarge(items) => out.push(patterns::too_large(pointer, items)),
    }
}

/// PCRE syntax checks, done with the `regex` crate.
///
/// ngx.re compiles patterns with PCRE. The `regex` crate reads most of that syntax,
/// so a pattern is translated where the two differ only in spelling (PCRE's literal
/// `{` when it does not start a quantifier, a literal `[` inside a class, escaped
/// punctuation) and then compiled. Constructs the crate lacks (look-around,
/// backreferences, atomic groups, possessive quantifiers, verbs, `\Q..\E`, extended
/// mode, ...) make the verdict unknown, and nothing is reported: a finding only
/// appears when the pattern is broken for both engines.
mod pcre {
    use super::super::patterns::{self, Memo, Verdict};

    /// The ngx.re option letters (`lua-resty-core`'s `parse_regex_opts`).
    const KNOWN_FLAGS: &str = "ojismuUxdaDJ";

    /// The first option letter ngx.re does not know, if any.
    pub(super) fn unknown_flag(options: &str) -> Option<char> {
        options.chars().find(|c| !KNOWN_FLAGS.contains(*c))
    }

    /// What PCRE makes of `pattern` under the ngx.re `options`, as far as gwlint can
    /// tell; judged once per run (see [`patterns`](super::super::patterns)).
    pub(super) fn verdict(pattern: &str, options: &str) -> Verdict {
        // Extended mode, duplicate names and JavaScript compatibility change the
        // syntax in ways the translation does not follow. The other options do not
        // change the syntax, so the verdict depends on the pattern alone.
        static VERDICTS: Memo = Memo::new();
        if options.contains(['x', 'D', 'J']) {
            return Verdict::Fine;
        }
        VERDICTS.verdict(pattern, judge)
    }

    /// What PCRE makes of `pattern`, judged afresh.
    pub(super) fn judge(pattern: &str) -> Verdict {
        let Some(translated) = Translator::new(pattern).run() else {
            return Verdict::Fine;
        };
        // Parsing is enough to find a syntax error; compiling the pattern (as
        // `regex::Regex::new` does) would cost far more.
        match patterns::parse(&translated) {
            Ok(hir) => patterns::size_verdict(&hir),
            Err(refusal) if refusal.needs_unicode => Verdict::Fine,
            Err(refusal) => Verdict::Refused(error_line(&refusal.message)),
        }
    }

    /// The `error: ...` line of a `regex` parse error, without the pattern diagram.
    fn error_line(message: &str) -> String {
        message
            .lines()
            .find_map(|line| line.strip_prefix("error: "))
            .or_else(|| message.lines().rev().find(|l| !l.trim().is_empty()))
            .unwrap_or(message)
            .trim()
            .to_owned()
    }

    /// Rewrites a PCRE pattern into `regex` syntax; `None` when the pattern uses a
    /// construct the crate cannot judge.
    struct Translator<'a> {
        rest: &'a str,
        out: String,
    }

    impl<'a> Translator<'a> {
        fn new(pattern: &'a str) -> Self {
            Translator {
                rest: pattern,
                out: String::with_capacity(pattern.len() + 8),
            }
        }

        fn run(mut self) -> Option<String> {
            while let Some(c) = self.next() {
                match c {
                    '\\' => self.escape(false)?,
                    '[' => self.class()?,
                    '(' => self.group()?,
                    '{' => self.brace()?,
                    '}' => self.out.push_str("\\}"),
                    '*' | '+' | '?' => {
                        self.out.push(c);
                        self.refuse_possessive()?;
                    }
                    _ => self.out.push(c),
                }
            }
            Some(self.out)
        }

        fn next(&mut self) -> Option<char> {
            let c = self.rest.chars().next()?;
            self.rest = self.rest.get(c.len_utf8()..).unwrap_or_default();
            Some(c)
        }

        fn peek(&self) -> Option<char> {
            self.rest.chars().next()
        }

        /// Move `len` bytes of the rest to the output unchanged.
        fn copy(&mut self, len: usize) {
            let (head, tail) = self.rest.split_at_checked(len).unwrap_or((self.rest, ""));
            self.out.push_str(head);
            self.rest = tail;
        }

        /// A `+` right after a quantifier makes it possessive, which the crate lacks.
        fn refuse_possessive(&self) -> Option<()> {
            (self.peek() != Some('+')).then_some(())
        }

        /// After `\`.
        fn escape(&mut self, in_class: bool) -> Option<()> {
            let Some(c) = self.next() else {
                // A trailing backslash: both engines refuse it.
                self.out.push('\\');
                return Some(());
            };
            match c {
                'd' | 'D' | 'w' | 'W' | 's' | 'S' | 't' | 'n' | 'r' | 'f' | 'a' | 'v' => {
                    self.out.push('\\');
                    self.out.push(c);
                }
                'b' if in_class => self.out.push_str("\\x08"),
                'b' | 'B' | 'A' | 'z' if !in_class => {
                    self.out.push('\\');
                    self.out.push(c);
                }
                'x' => self.hex_escape()?,
                c if c.is_ascii_alphanumeric() => return None,
                c => self
                    .out
                    .push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
            }
            Some(())
        }

        /// After `\x`: `\xhh` and `\x{h..}` read the same in both engines; PCRE's
        /// shorter forms (`\x`, `\xh`) are left unjudged.
        fn hex_escape(&mut self) -> Option<()> {
            let braced = self.rest.strip_prefix('{').and_then(|inner| {
                let digits = inner.bytes().take_while(u8::is_ascii_hexdigit).count();
                (digits > 0 && inner.as_bytes().get(digits) == Some(&b'}')).then_some(digits + 2)
            });
            let two_hex = self
                .rest
                .bytes()
                .take(2)
                .filter(u8::is_ascii_hexdigit)
                .count()
                == 2;
            let len = braced.or(two_hex.then_some(2))?;
            self.out.push_str("\\x");
            self.copy(len);
            Some(())
        }

        /// After `(`: plain and non-capturing groups, named groups and inline flags
        /// are shared syntax; other `(?` and `(*` forms are PCRE-only.
        fn group(&mut self) -> Option<()> {
            self.out.push('(');
            match self.peek() {
                Some('*') => None,
                Some('?') => {
                    self.next();
                    self.out.push('?');
                    self.group_kind()
                }
                _ => Some(()),
            }
        }

        /// After `(?`.
        fn group_kind(&mut self) -> Option<()> {
            let mut ahead = self.rest.chars();
            let first = ahead.next();
            let second = ahead.next();
            match (first, second) {
                (Some('<'), Some('=' | '!')) | (Some('P'), Some('=' | '>')) => None,
                (Some(':' | '<' | 'P'), _) => Some(()),
                (Some(c), _) if c.is_ascii_alphabetic() || c == '-' => self.inline_flags(),
                _ => None,
            }
        }

        /// `(?i)`, `(?s-m:...)`: the crate knows `imsxU`; other PCRE letters and repeated
        /// letters (`(?xx)`) are PCRE-only. Letters neither knows fail in both.
        fn inline_flags(&mut self) -> Option<()> {
            let len = self
                .rest
                .find(|c: char| !(c.is_ascii_alphabetic() || c == '-'))
                .unwrap_or(self.rest.len());
            let flags = self.rest.get(..len).unwrap_or_default();
            let pcre_only = flags.contains(['n', 'J', 'X', 'x']);
            let repeated = flags
                .char_indices()
                .any(|(i, c)| c != '-' && flags.get(i + 1..).is_some_and(|r| r.contains(c)));
            if pcre_only || repeated {
                return None;
            }
            self.copy(len);
            Some(())
        }

        /// After `{` outside a class: a quantifier `{n}`, `{n,}` or `{n,m}`, or else a
        /// literal brace for PCRE.
        fn brace(&mut self) -> Option<()> {
            let Some(len) = quantifier_len(self.rest) else {
                self.out.push_str("\\{");
                return Some(());
            };
            self.out.push('{');
            self.copy(len);
            self.refuse_possessive()
        }

        /// After `[`: a character class up to its closing `]`.
        fn class(&mut self) -> Option<()> {
            self.out.push('[');
            if self.peek() == Some('^') {
                self.next();
                self.out.push('^');
            }
            if self.peek() == Some(']') {
                self.next();
                self.out.push_str("\\]");
            }
            // A range next to a set (`[\\d-z]`, `[a-[:digit:]]`) is literal in PCRE1 and
            // an error in PCRE2 and the crate: left unjudged.
            let mut after_set = false;
            loop {
                let item_is_set = starts_with_set(self.rest);
                let Some(c) = self.next() else {
                    break;
                };
                match c {
                    ']' => {
                        self.out.push(']');
                        return Some(());
                    }
                    '-' if self.peek() != Some(']')
                        && (after_set
                            || starts_with_set(self.rest)
                            || self.peek() == Some('-')) =>
                    {
                        return None
                    }
                    '\\' => self.escape(true)?,
                    '[' => self.class_bracket()?,
                    '&' | '~' => {
                        self.out.push('\\');
                        self.out.push(c);
                    }
                    _ => self.out.push(c),
                }
                after_set = item_is_set;
            }
            // Unterminated: the crate reports it, as PCRE does.
            Some(())
        }

        /// A `[` inside a class: a POSIX class `[:name:]`, or a literal bracket.
        fn class_bracket(&mut self) -> Option<()> {
            match self.peek() {
                Some(':') => {
                    let len = posix_class_len(self.rest)?;
                    self.out.push('[');
                    self.copy(len);
                }
                Some('=' | '.') => return None,
                _ => self.out.push_str("\\["),
            }
            Some(())
        }
    }

    /// Whether a class item that is a set (`\\d`, `[:alpha:]`) starts `text`.
    fn starts_with_set(text: &str) -> bool {
        let mut chars = text.chars();
        matches!(
            (chars.next(), chars.next()),
            (
                Some('\\'),
                Some('d' | 'D' | 'w' | 'W' | 's' | 'S' | 'h' | 'H' | 'v' | 'V' | 'p' | 'P')
            ) | (Some('['), Some(':'))
        )
    }

    /// Length of `n}`, `n,}` or `n,m}` at the start of `text` (after a `{`).
    fn quantifier_len(text: &str) -> Option<usize> {
        let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
        let low = digits(text);
        if low == 0 {
            return None;
        }
        let after_low = text.get(low..)?;
        let len = match after_low.bytes().next()? {
            b'}' => low + 1,
            b',' => {
                let high = digits(after_low.get(1..)?);
                (after_low.as_bytes().get(1 + high) == Some(&b'}')).then_some(low + high + 2)?
            }
            _ => return None,
        };
        Some(len)
    }

    /// Length of `:name:]` at the start of `text`, when it is a well-formed POSIX class.
    fn posix_class_len(text: &str) -> Option<usize> {
        let body = text.strip_prefix(':')?;
        let body = body.strip_prefix('^').unwrap_or(body);
        let name = body.bytes().take_while(u8::is_ascii_lowercase).count();
        let end = text.len() - body.len() + name;
        (name > 0 && text.get(end..)?.starts_with(":]")).then_some(end + 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::checks::testing::pointers;
    use serde_json::json;

    fn run(check: PluginCheck, conf: &Value) -> Vec<Issue> {
        let mut out = Vec::new();
        check(conf, SchemaKind::Plugin, &mut out);
        out
    }

    /// Why PCRE refuses `pattern` under `options`, when gwlint can tell.
    fn compile_error(pattern: &str, options: &str) -> Option<String> {
        match pcre::verdict(pattern, options) {
            Verdict::Refused(error) => Some(error),
            Verdict::Fine | Verdict::TooLarge(_) => None,
        }
    }

    #[test]
    fn a_remembered_regex_verdict_is_the_verdict_judged_afresh() {
        for pattern in [
            "^/api/(.*)",
            "^/api/(.*",
            "a{2,1}",
            "[z-a]",
            "(?:ab){40000}",
        ] {
            let fresh = pcre::judge(pattern);
            assert_eq!(pcre::verdict(pattern, "jo"), fresh, "{pattern}");
            assert_eq!(pcre::verdict(pattern, "jo"), fresh, "{pattern}");
        }
        assert!(compile_error("^/api/(.*", "jo").is_some());
        assert!(compile_error("^/api/(.*)", "jo").is_none());
        // A remembered verdict does not outlive the options: extended mode is not judged.
        assert!(compile_error("^/api/(.*", "x").is_none());
    }

    /// A pattern whose repeated groups copy out past the limit is not judged; the
    /// finding says so instead of calling it valid or invalid. Repeated classes stay
    /// small, as in PCRE.
    #[test]
    fn regexes_too_large_to_judge_are_reported_as_such() {
        let issues = run(
            proxy_rewrite,
            &json!({"regex_uri": ["^/(?:abc){30000}", "/x", "\\w{1000}\\w{1000}", "/y"]}),
        );
        assert_eq!(pointers(&issues), ["/regex_uri/0"]);
        assert_eq!(issues[0].kind, super::super::IssueKind::RegexTooLarge);
        assert!(
            issues[0]
                .message
                .contains("it has 90002 items, more than the 65536"),
            "{}",
            issues[0].message
        );
        let filter = json!({"filters": [{"regex": "(ab|cd){30000}", "replace": "x"}]});
        let issues = run(response_rewrite, &filter);
        assert_eq!(pointers(&issues), ["/filters/0/regex"]);
        assert_eq!(issues[0].kind, super::super::IssueKind::RegexTooLarge);
    }

    #[test]
    fn lookup_maps_only_plugins_with_checks() {
        for name in [
            "proxy-rewrite",
            "response-rewrite",
            "redirect",
            "fault-injection",
            "real-ip",
            "proxy-cache",
        ] {
            assert!(lookup(name).is_some(), "{name}");
        }
        for name in [
            "gzip",
            "api-breaker",
            "request-id",
            "serverless-pre-function",
        ] {
            assert!(lookup(name).is_none(), "{name}");
        }
    }

    #[test]
    fn mocking_content_type_must_be_supported() {
        // t/plugin/mocking.t uses "text/plain" and the default; "unsupported content
        // type!" is mocking.lua's check_schema.
        let run = |content_type: &str| {
            let mut out = Vec::new();
            mocking(
                &json!({"content_type": content_type}),
                SchemaKind::Plugin,
                &mut out,
            );
            out
        };
        for ok in [
            "text/plain",
            "application/json;charset=utf8",
            "text/html; charset=utf-8",
        ] {
            assert!(run(ok).is_empty(), "{ok}");
        }
        let issues = run("application/octet-stream");
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].pointer, "/content_type");
        assert!(issues[0].message.starts_with("unsupported content type!"));
        // The type is what comes before the last `;`.
        assert_eq!(run("text/plain;a=b;c=d").len(), 1);
    }

    #[test]
    fn oas_validator_spec_must_be_json() {
        // t/plugin/oas-validator.t TEST 2: "invalid JSON string provided, err: ...".
        let mut out = Vec::new();
        oas_validator(
            &json!({"spec": "openapi: 3.0.0"}),
            SchemaKind::Plugin,
            &mut out,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].pointer, "/spec");
        assert!(out[0]
            .message
            .starts_with("invalid JSON string provided, err: "));
        out.clear();
        oas_validator(
            &json!({"spec": "{\"openapi\": \"3.0.0\"}"}),
            SchemaKind::Plugin,
            &mut out,
        );
        assert!(out.is_empty());
    }

    #[test]
    fn proxy_rewrite_accepts_valid_regex_uri_pairs() {
        let conf =
            json!({"regex_uri": ["^/api/(.*)/v(\\d+)", "/$1/${2}?x=$$", "^/a{2}/{id}$", "/b"]});
        assert!(run(proxy_rewrite, &conf).is_empty());
    }

    #[test]
    fn proxy_rewrite_refuses_odd_regex_uri() {
        let issues = run(proxy_rewrite, &json!({"regex_uri": ["^/a", "/b", "^/c"]}));
        assert_eq!(pointers(&issues), ["/regex_uri"]);
        assert!(issues[0].message.contains("even number"));
    }

    #[test]
    fn proxy_rewrite_refuses_a_broken_regex() {
        let issues = run(
            proxy_rewrite,
            &json!({"regex_uri": ["[^/test/(.*)", "/$1"]}),
        );
        assert_eq!(pointers(&issues), ["/regex_uri/0"]);
        assert!(issues[0].message.contains("does not compile"), "{issues:?}");
    }

    #[test]
    fn proxy_rewrite_refuses_a_broken_template() {
        let issues = run(
            proxy_rewrite,
            &json!({"regex_uri": ["^/test/(.*)", "/$`1"]}),
        );
        assert_eq!(pointers(&issues), ["/regex_uri/1"]);
        let named = run(
            proxy_rewrite,
            &json!({"regex_uri": ["^/(?<p>.*)", "/${p}"]}),
        );
        assert!(named[0].message.contains("named captures"), "{named:?}");
        for bad in ["/$", "/${1", "/${}", "/$arg_x"] {
            let issues = run(proxy_rewrite, &json!({"regex_uri": ["^/(.*)", bad]}));
            assert_eq!(pointers(&issues), ["/regex_uri/1"], "{bad}");
        }
    }

    #[test]
    fn proxy_rewrite_skips_secret_references() {
        let conf = json!({"regex_uri": ["$secret://vault/1/re", "/$`"]});
        assert!(run(proxy_rewrite, &conf).is_empty());
    }

    #[test]
    fn proxy_rewrite_checks_old_form_header_characters() {
        let good = json!({"headers": {"X-Api-Version": "v2", "X-Num": 3}});
        assert!(run(proxy_rewrite, &good).is_empty());
        let bad_name = run(proxy_rewrite, &json!({"headers": {"X-Api:Version": "v2"}}));
        assert_eq!(bad_name[0].target, super::super::Target::Key);
        assert!(bad_name[0].message.contains("invalid field character"));
        let bad_value = run(proxy_rewrite, &json!({"headers": {"X-Api": "v2\r\n"}}));
        assert_eq!(pointers(&bad_value), ["/headers/X-Api"]);
        assert!(bad_value[0].message.contains("invalid value character"));
    }

    #[test]
    fn proxy_rewrite_leaves_new_form_headers_to_the_schema() {
        let conf = json!({"headers": {"set": {"X-A": "a\nb"}, "remove": ["X-B"]}});
        assert!(run(proxy_rewrite, &conf).is_empty());
    }

    #[test]
    fn response_rewrite_refuses_an_empty_header_name() {
        assert!(run(response_rewrite, &json!({"headers": {"X-A": 1}})).is_empty());
        let issues = run(response_rewrite, &json!({"headers": {"": 2}}));
        assert_eq!(pointers(&issues), ["/headers/"]);
        assert!(issues[0].message.contains("invalid field length"));
    }

    #[test]
    fn response_rewrite_checks_base64_bodies() {
        for good in [
            "SGVsbG8=",
            "SGVsbG8",
            "YQ==ignored",
            "$secret://vault/1/body",
        ] {
            let conf = json!({"body": good, "body_base64": true});
            assert!(run(response_rewrite, &conf).is_empty(), "{good}");
        }
        assert!(run(response_rewrite, &json!({"body": "", "body_base64": false})).is_empty());
        for bad in ["1", "", "SGV*", "abcde"] {
            let issues = run(response_rewrite, &json!({"body": bad, "body_base64": true}));
            assert_eq!(pointers(&issues), ["/body"], "{bad}");
        }
        let missing = run(response_rewrite, &json!({"body_base64": true}));
        assert_eq!(pointers(&missing), ["/body_base64"]);
    }

    #[test]
    fn response_rewrite_checks_filter_flags_and_regexes() {
        let good = json!({"filters": [{"regex": "hel+o", "replace": "x", "options": "joi"}]});
        assert!(run(response_rewrite, &good).is_empty());
        let flag = run(
            response_rewrite,
            &json!({"filters": [{"regex": "hello", "replace": "x", "options": "h"}]}),
        );
        assert_eq!(pointers(&flag), ["/filters/0/options"]);
        assert!(flag[0].message.contains("unknown flag \"h\""));
        let broken = run(
            response_rewrite,
            &json!({"filters": [{"regex": "(ab", "replace": "x"}]}),
        );
        assert_eq!(pointers(&broken), ["/filters/0/regex"]);
    }

    #[test]
    fn response_rewrite_checks_vars() {
        let good = json!({"vars": [["status", "==", 200]]});
        assert!(run(response_rewrite, &good).is_empty());
        let issues = run(response_rewrite, &json!({"vars": [["status", "<>", 200]]}));
        assert_eq!(pointers(&issues), ["/vars"]);
        assert!(issues[0].message.contains("invalid operator '<>'"));
    }

    #[test]
    fn fault_injection_checks_each_vars_expression() {
        let good = json!({
            "abort": {"http_status": 403, "vars": [[["arg_name", "==", "jack"]]]},
            "delay": {"duration": 2, "vars": [[["arg_name", "==", "jack"], ["arg_age", "!", "<", 18]]]}
        });
        assert!(run(fault_injection, &good).is_empty());
        let bad = json!({"abort": {"http_status": 403, "vars": [[["a", "==", "b"]], ["arg_name", "!=", "jack"]]}});
        let issues = run(fault_injection, &bad);
        assert_eq!(pointers(&issues), ["/abort/vars/1"]);
        assert!(issues[0].message.contains("wrapped inside brackets"));
    }

    #[test]
    fn redirect_refuses_https_with_query_string() {
        assert!(run(redirect, &json!({"http_to_https": true})).is_empty());
        let issues = run(
            redirect,
            &json!({"http_to_https": true, "append_query_string": true}),
        );
        assert_eq!(pointers(&issues), ["/append_query_string"]);
        assert_eq!(issues[0].target, super::super::Target::Key);
    }

    #[test]
    fn redirect_checks_regex_uri() {
        let good = json!({"regex_uri": ["^/iresty/(.*)/(.*)", "/$1_$2"]});
        assert!(run(redirect, &good).is_empty());
        let issues = run(redirect, &json!({"regex_uri": ["(abc", "/x"]}));
        assert_eq!(pointers(&issues), ["/regex_uri/0"]);
    }

    #[test]
    fn real_ip_checks_address_prefixes() {
        let good =
            json!({"trusted_addresses": ["127.0.0.1", "10.0.0.0/8", "::1", "fe80::/10", "::/128"]});
        assert!(run(real_ip, &good).is_empty());
        let bad = json!({"trusted_addresses": ["1.2.3.4/33", "::1/129", "1:2:3:4:5:6:7:8:9/64", "1.2.3.4"]});
        let issues = run(real_ip, &bad);
        assert_eq!(
            pointers(&issues),
            [
                "/trusted_addresses/0",
                "/trusted_addresses/1",
                "/trusted_addresses/2"
            ]
        );
        assert!(issues[1].message.contains("::1/129"));
    }

    #[test]
    fn proxy_cache_refuses_request_method_in_cache_key() {
        assert!(run(proxy_cache, &json!({"cache_key": ["$host", "$uri"]})).is_empty());
        let issues = run(
            proxy_cache,
            &json!({"cache_key": ["$uri", "$request_method"]}),
        );
        assert_eq!(pointers(&issues), ["/cache_key/1"]);
    }

    #[test]
    fn pcre_translation_keeps_shared_syntax() {
        for valid in [
            "^/test/(.*)",
            "^/api/{id}$",
            "a{,3}",
            "x{2,5}?",
            "[]a]",
            "[^]a-z]",
            "[[:alpha:]_-]",
            "[a[b]",
            "[\\d-z]",
            "[\\w-]",
            "[a-[:digit:]]",
            "[&&~]",
            "(?i)abc",
            "(?<name>a)(?P<other>b)",
            "\\/\\.\\-\\_",
            "\\x41\\x{263A}",
            "é+",
        ] {
            assert_eq!(compile_error(valid, "jo"), None, "{valid}");
        }
    }

    #[test]
    fn pcre_translation_reports_shared_errors() {
        for invalid in [
            "[^/test/(.*)",
            "(abc",
            "abc)",
            "*a",
            "a{3,2}",
            "[z-a]",
            "\\",
            "(?z)",
        ] {
            assert!(compile_error(invalid, "jo").is_some(), "{invalid}");
        }
    }

    #[test]
    fn pcre_only_constructs_are_not_judged() {
        for unknown in [
            "a(?=b)",
            "(?<!a)b",
            "(a)\\1",
            "a++",
            "a{2}+",
            "(?>a)",
            "(*UTF)a",
            "\\Qa.b\\E",
            "\\h+",
            "(?J)(?<n>a)",
            "[[.a.]]",
        ] {
            assert_eq!(compile_error(unknown, "jo"), None, "{unknown}");
        }
        assert_eq!(compile_error("[unclosed # comment", "x"), None);
    }

    #[test]
    fn pcre_flags_follow_ngx_re() {
        assert_eq!(pcre::unknown_flag("joimsxuUdaDJ"), None);
        assert_eq!(pcre::unknown_flag("jog"), Some('g'));
    }
}

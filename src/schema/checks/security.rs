//! Imperative plugin checks: security plugins (see the parent module).
//!
//! What cors, ip-restriction, ua-restriction and request-validation check in Lua
//! once their schema passes: cors refuses `*` (the default of three options)
//! together with `allow_credential`, and its origin regexes must compile;
//! ip-restriction entries must parse as IP addresses or CIDR ranges (the schema's
//! IPv6 pattern is loose); ua-restriction patterns must compile;
//! request-validation's `header_schema` and `body_schema` must compile in APISIX's
//! Lua JSON Schema library (only what certainly fails there is reported).
//!
//! uri-blocker's `block_rules` must compile. ldap-auth-advanced refuses
//! `use_ldaps` with `use_starttls` and a `bind_dn` without `ldap_password`;
//! cas-auth refuses a `SameSite=None` cookie that is not `secure`; multi-auth
//! allows auth plugins only, and runs each one's imperative check on its
//! configuration (the schema of each inner configuration is not validated here:
//! that needs the plugin schemas, which the schema stage holds).
//!
//! referer-restriction, csrf and consumer-restriction have no check here: APISIX
//! checks them with their schemas only.

use super::lua_schema::lua_schema_errors;
use super::patterns::{self, Memo, Verdict};
use super::{check_ip_list, Issue, PluginCheck, SchemaKind};
use crate::load::document::escape_token;
use crate::secrets::is_reference;
use serde_json::Value;

/// The check for plugin `name`, if this group has one.
pub(super) fn lookup(name: &str) -> Option<PluginCheck> {
    match name {
        "cors" => Some(cors),
        "ip-restriction" => Some(ip_restriction),
        "ua-restriction" => Some(ua_restriction),
        "request-validation" => Some(request_validation),
        "uri-blocker" => Some(uri_blocker),
        "ldap-auth-advanced" => Some(ldap_auth_advanced),
        "cas-auth" => Some(cas_auth),
        "multi-auth" => Some(multi_auth),
        "acl" => Some(acl),
        _ => None,
    }
}

/// The cors options that may not be `*` with credentials, with their defaults.
const CORS_WILDCARD_OPTIONS: &[(&str, Option<&str>)] = &[
    ("allow_origins", Some("*")),
    ("allow_methods", Some("*")),
    ("allow_headers", Some("*")),
    ("expose_headers", None),
    ("timing_allow_origins", None),
];

/// cors: no `*` with `allow_credential`, and the regex lists compile.
fn cors(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>) {
    if kind == SchemaKind::Metadata {
        return;
    }
    if conf.get("allow_credential") == Some(&Value::Bool(true)) {
        // APISIX refuses the whole configuration once, whatever the number of `*`s:
        // one finding, at the first `*` written, naming the others.
        let mut written = Vec::new();
        let mut defaulted = Vec::new();
        for (option, default) in CORS_WILDCARD_OPTIONS {
            match conf.get(*option) {
                Some(Value::String(value)) if value == "*" => written.push(*option),
                None if *default == Some("*") => defaulted.push(format!("`{option}`")),
                _ => {}
            }
        }
        let defaults = |list: &[String]| {
            let verb = if list.len() == 1 {
                "defaults"
            } else {
                "default"
            };
            format!("{} {verb} to '*'", list.join(", "))
        };
        if let Some((first, others)) = written.split_first() {
            let mut message =
                format!("you can not set '*' for `{first}` when 'allow_credential' is true");
            if !others.is_empty() {
                let others: Vec<String> = others.iter().map(|o| format!("`{o}`")).collect();
                message.push_str(&format!("; {} set '*' too", others.join(", ")));
            }
            if !defaulted.is_empty() {
                message.push_str(&format!("; {}", defaults(&defaulted)));
            }
            out.push(Issue::value(format!("/{first}"), message));
        } else if !defaulted.is_empty() {
            out.push(Issue::value(
                "/allow_credential",
                format!(
                    "you can not set '*' for other option when 'allow_credential' is true: {}",
                    defaults(&defaulted)
                ),
            ));
        }
    }
    for list in ["allow_origins_by_regex", "timing_allow_origins_by_regex"] {
        check_regex_list(conf, list, out);
    }
}

/// ip-restriction: every listed entry is an IP address or a CIDR range.
fn ip_restriction(conf: &Value, _kind: SchemaKind, out: &mut Vec<Issue>) {
    check_ip_list(conf, "whitelist", out);
    check_ip_list(conf, "blacklist", out);
}

/// ua-restriction: the allow and deny patterns compile.
fn ua_restriction(conf: &Value, _kind: SchemaKind, out: &mut Vec<Issue>) {
    for list in ["allowlist", "denylist"] {
        check_regex_list(conf, list, out);
    }
}

/// request-validation: `header_schema` and `body_schema` compile in APISIX's Lua
/// JSON Schema library.
fn request_validation(conf: &Value, _kind: SchemaKind, out: &mut Vec<Issue>) {
    for field in ["header_schema", "body_schema"] {
        if let Some(schema) = conf.get(field).filter(|s| s.is_object()) {
            lua_schema_errors(schema, &format!("/{field}"), "invalid schema: ", out);
        }
    }
}

/// uri-blocker: every block rule compiles (`ngx.re`, option `j`).
fn uri_blocker(conf: &Value, _kind: SchemaKind, out: &mut Vec<Issue>) {
    check_regex_list(conf, "block_rules", out);
}

/// ldap-auth-advanced (route configuration): exclusive TLS modes, and a bind DN
/// needs its password.
fn ldap_auth_advanced(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>) {
    if kind != SchemaKind::Plugin {
        return;
    }
    let set = |key: &str| !matches!(conf.get(key), None | Some(Value::Null | Value::Bool(false)));
    if set("use_ldaps") && set("use_starttls") {
        out.push(Issue::key(
            "/use_starttls",
            "use_ldaps and use_starttls are mutually exclusive",
        ));
    }
    if set("bind_dn") && !set("ldap_password") {
        out.push(Issue::value(
            "/bind_dn",
            "ldap_password is required when bind_dn is set",
        ));
    }
}

/// cas-auth: a `SameSite=None` cookie must be `secure` (APISIX compares with
/// `false`, so only an explicit `secure: false` is refused).
fn cas_auth(conf: &Value, _kind: SchemaKind, out: &mut Vec<Issue>) {
    let Some(cookie) = conf.get("cookie") else {
        return;
    };
    if cookie.get("samesite").and_then(Value::as_str) == Some("None")
        && cookie.get("secure") == Some(&Value::Bool(false))
    {
        out.push(Issue::value(
            "/cookie/secure",
            "cookie.secure must be true when cookie.samesite is \"None\"",
        ));
    }
}

/// acl: `external_user_label_field` must parse as lua-jsonpath's `JSONPath`
/// (`jsonpath.parse`, t/plugin/acl.t TEST 53).
fn acl(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>) {
    if kind != SchemaKind::Plugin {
        return;
    }
    let Some(path) = conf
        .get("external_user_label_field")
        .and_then(Value::as_str)
    else {
        return;
    };
    if let Some(error) = super::jsonpath::parse_error(path) {
        out.push(Issue::value(
            "/external_user_label_field",
            format!("invalid external_user_label_field: {error}"),
        ));
    }
}

/// multi-auth: every entry of `auth_plugins` names auth plugins, and each
/// configuration passes that plugin's imperative check.
fn multi_auth(conf: &Value, kind: SchemaKind, out: &mut Vec<Issue>) {
    if kind != SchemaKind::Plugin {
        return;
    }
    let entries = conf.get("auth_plugins").and_then(Value::as_array);
    for (index, entry) in entries.into_iter().flatten().enumerate() {
        let Some(entry) = entry.as_object() else {
            continue;
        };
        for (name, inner) in entry {
            let pointer = format!("/auth_plugins/{index}/{}", escape_token(name));
            if !super::resources::is_auth_plugin(name) {
                out.push(Issue::key(
                    pointer,
                    format!("{name} plugin is not supported (multi-auth takes auth plugins only)"),
                ));
                continue;
            }
            let got = match inner {
                Value::String(_) => Some("string"),
                Value::Number(_) => Some("number"),
                Value::Bool(_) => Some("boolean"),
                Value::Array(_) => Some("array"),
                Value::Object(_) | Value::Null => None,
            };
            if let Some(got) = got {
                // t/plugin/multi-auth.t TEST 9.
                out.push(Issue::value(
                    pointer,
                    format!(
                        "plugin {name} check schema failed: wrong type: expected object, got {got}"
                    ),
                ));
                continue;
            }
            let Some(check) = super::plugin_check(name).filter(|_| inner.is_object()) else {
                continue;
            };
            let mut issues = Vec::new();
            check(inner, SchemaKind::Plugin, &mut issues);
            let context = format!("plugin {name} check schema failed: ");
            out.extend(
                issues
                    .into_iter()
                    .map(|issue| issue.nested(&pointer, &context)),
            );
        }
    }
}

/// Report every pattern of the list `conf[list]` that PCRE cannot compile, or that
/// is too large for gwlint to judge.
fn check_regex_list(conf: &Value, list: &str, out: &mut Vec<Issue>) {
    let Some(patterns) = conf.get(list).and_then(Value::as_array) else {
        return;
    };
    for (index, pattern) in patterns.iter().enumerate() {
        let Some(pattern) = pattern.as_str() else {
            continue;
        };
        if is_reference(pattern) {
            continue;
        }
        let pointer = || format!("/{list}/{index}");
        out.extend(pattern_issue(pattern, pointer, |error| {
            format!("invalid regex: {error}")
        }));
    }
}

/// The issue about `pattern`, if any: PCRE refuses it (the message worded by
/// `refused` from PCRE's reason), or it is too large for gwlint to judge.
pub(super) fn pattern_issue(
    pattern: &str,
    pointer: impl FnOnce() -> String,
    refused: impl FnOnce(&str) -> String,
) -> Option<Issue> {
    match pcre_verdict(pattern) {
        Verdict::Fine => None,
        Verdict::Refused(error) => Some(Issue::value(pointer(), refused(&error))),
        Verdict::TooLarge(items) => Some(patterns::too_large(pointer(), items)),
    }
}

/// What PCRE (behind `ngx.re`) makes of `pattern`, as far as gwlint can tell;
/// judged once per run (see [`patterns`]).
///
/// A pattern the `regex` crate parses (in ASCII mode, as PCRE reads it without UTF
/// mode) is taken as valid: its syntax is close to a subset of PCRE's. When the crate
/// refuses one, the refusal may only mean the pattern uses PCRE syntax the crate lacks
/// (look-around, backreferences, possessive quantifiers, ...) or a Unicode class, so
/// the pattern is then scanned for errors PCRE itself reports and only those count.
pub(super) fn pcre_verdict(pattern: &str) -> Verdict {
    static VERDICTS: Memo = Memo::new();
    VERDICTS.verdict(pattern, |pattern| match patterns::parse(pattern) {
        Ok(hir) => patterns::size_verdict(&hir),
        Err(_) => PcreScanner::new(pattern)
            .scan()
            .map_or_else(Verdict::Refused, |()| Verdict::Fine),
    })
}

/// A scan of a PCRE pattern (not in extended mode) for structural errors: an
/// unbalanced parenthesis, an unterminated character class, a range out of order,
/// a quantifier with nothing to repeat, bad `{n,m}` bounds, a trailing backslash.
struct PcreScanner<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    text: &'a str,
    /// Open groups.
    depth: usize,
    /// Whether the previous item can take a quantifier.
    repeatable: bool,
}

/// PCRE's largest `{n,m}` bound.
const PCRE_MAX_REPEAT: u32 = 65_535;

impl<'a> PcreScanner<'a> {
    fn new(text: &'a str) -> Self {
        PcreScanner {
            chars: text.char_indices().peekable(),
            text,
            depth: 0,
            repeatable: false,
        }
    }

    /// `Ok` when no certain error was found (including patterns that switch on
    /// extended mode, which are not judged).
    fn scan(mut self) -> Result<(), String> {
        while let Some((at, c)) = self.chars.next() {
            match c {
                '\\' => self.escape()?,
                '[' => self.class()?,
                '(' => {
                    if self.group_start(at)? {
                        return Ok(());
                    }
                }
                ')' => {
                    if self.depth == 0 {
                        return Err(format!("unmatched closing parenthesis at offset {at}"));
                    }
                    self.depth -= 1;
                    self.repeatable = true;
                }
                '|' => self.repeatable = false,
                '*' | '+' | '?' => self.quantifier(at)?,
                '{' => {
                    if !self.brace_quantifier(at)? {
                        self.repeatable = true;
                    }
                }
                _ => self.repeatable = true,
            }
        }
        if self.depth > 0 {
            return Err("missing closing parenthesis".to_owned());
        }
        Ok(())
    }

    /// After `\`: one escaped item. `\Q...\E` quotes literally.
    fn escape(&mut self) -> Result<(), String> {
        match self.chars.next() {
            None => Err("\\ at end of pattern".to_owned()),
            Some((_, 'Q')) => {
                // Everything up to `\E` (or the end) is literal.
                let mut previous_backslash = false;
                for (_, c) in self.chars.by_ref() {
                    if previous_backslash && c == 'E' {
                        break;
                    }
                    previous_backslash = c == '\\' && !previous_backslash;
                }
                self.repeatable = true;
                Ok(())
            }
            Some(_) => {
                self.repeatable = true;
                Ok(())
            }
        }
    }

    /// After `(`: a group opens, or a verb, option setting, comment, backreference
    /// or recursion is read whole. Returns `true` when the rest of the pattern cannot
    /// be judged: extended mode is turned on, or the `(?` form is one this scan does
    /// not know.
    fn group_start(&mut self, at: usize) -> Result<bool, String> {
        let rest = self.text.get(at + 1..).unwrap_or_default();
        self.repeatable = false;
        if rest.starts_with('*') {
            // A verb such as `(*UTF)` or `(*SKIP)`.
            return self
                .skip_past(')', "missing ) after (* verb")
                .map(|()| false);
        }
        let Some(after) = rest.strip_prefix('?') else {
            self.depth += 1;
            return Ok(false);
        };
        self.chars.next();
        let mut ahead = after.chars();
        match (ahead.next(), ahead.next()) {
            (Some('#'), _) => self
                .skip_past(')', "missing ) after (?# comment")
                .map(|()| false),
            (Some(':' | '=' | '!' | '>' | '|'), _) => {
                self.chars.next();
                self.depth += 1;
                Ok(false)
            }
            (Some('<'), Some('=' | '!')) => {
                self.chars.next();
                self.chars.next();
                self.depth += 1;
                Ok(false)
            }
            (Some('<'), _) | (Some('P'), Some('<')) => {
                self.skip_past('>', "syntax error in subpattern name (missing terminator?)")?;
                self.depth += 1;
                Ok(false)
            }
            (Some('\''), _) => {
                self.chars.next();
                self.skip_past(
                    '\'',
                    "syntax error in subpattern name (missing terminator?)",
                )?;
                self.depth += 1;
                Ok(false)
            }
            // Backreferences and recursions by name or number, callouts.
            (Some('P' | 'R' | '&' | '+' | 'C' | '0'..='9'), _) | (Some('-'), Some('0'..='9')) => {
                self.skip_past(')', "missing closing parenthesis")?;
                self.repeatable = true;
                Ok(false)
            }
            (Some(c), _) if c.is_ascii_alphabetic() || c == '-' || c == '^' || c == ')' => {
                let letters: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_alphabetic() || *c == '-' || *c == '^')
                    .collect();
                if letters.contains('x') {
                    return Ok(true);
                }
                match after.get(letters.len()..).and_then(|r| r.chars().next()) {
                    // `(?i)` changes options for the rest of the group.
                    Some(')') => self.skip_past(')', "").map(|()| false),
                    Some(':') => {
                        self.skip_past(':', "")?;
                        self.depth += 1;
                        Ok(false)
                    }
                    _ => Ok(true),
                }
            }
            // Conditionals and anything else are not judged.
            _ => Ok(true),
        }
    }

    /// Consume characters up to and including the first `end`; `missing` is the
    /// error when there is none.
    fn skip_past(&mut self, end: char, missing: &str) -> Result<(), String> {
        for (_, c) in self.chars.by_ref() {
            if c == end {
                return Ok(());
            }
        }
        Err(missing.to_owned())
    }

    /// After `*`, `+` or `?` outside a class.
    fn quantifier(&mut self, at: usize) -> Result<(), String> {
        if !self.repeatable {
            return Err(format!(
                "quantifier does not follow a repeatable item at offset {at}"
            ));
        }
        self.after_quantifier();
        Ok(())
    }

    /// A quantifier may be followed by `?` (lazy) or `+` (possessive); then the
    /// result cannot be quantified again.
    fn after_quantifier(&mut self) {
        if matches!(self.chars.peek(), Some((_, '?' | '+'))) {
            self.chars.next();
        }
        self.repeatable = false;
    }

    /// After `{`: a `{n}`, `{n,}` or `{n,m}` quantifier (`Ok(true)`), or a literal
    /// brace (`Ok(false)`).
    fn brace_quantifier(&mut self, at: usize) -> Result<bool, String> {
        let rest = self.text.get(at + 1..).unwrap_or_default();
        let Some(close) = rest.find('}') else {
            return Ok(false);
        };
        let body = rest.get(..close).unwrap_or_default();
        let (low, high) = match body.split_once(',') {
            Some((low, high)) => (low, Some(high)),
            None => (body, None),
        };
        let is_number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !is_number(low) || high.is_some_and(|h| !h.is_empty() && !is_number(h)) {
            return Ok(false);
        }
        if !self.repeatable {
            return Err(format!(
                "quantifier does not follow a repeatable item at offset {at}"
            ));
        }
        let parse = |s: &str| s.parse::<u32>().unwrap_or(u32::MAX);
        let low_value = parse(low);
        let high_value = high.filter(|h| !h.is_empty()).map(parse);
        if low_value > PCRE_MAX_REPEAT || high_value.is_some_and(|h| h > PCRE_MAX_REPEAT) {
            return Err(format!("number too big in {{}} quantifier at offset {at}"));
        }
        if high_value.is_some_and(|h| h < low_value) {
            return Err(format!(
                "numbers out of order in {{}} quantifier at offset {at}"
            ));
        }
        for _ in 0..=close {
            self.chars.next();
        }
        self.after_quantifier();
        Ok(true)
    }

    /// After `[`: a character class up to its closing `]`.
    fn class(&mut self) -> Result<(), String> {
        if matches!(self.chars.peek(), Some((_, '^'))) {
            self.chars.next();
        }
        // A `]` first in the class is literal.
        let mut previous: Option<char> = None;
        if matches!(self.chars.peek(), Some((_, ']'))) {
            self.chars.next();
            previous = Some(']');
        }
        while let Some((at, c)) = self.chars.next() {
            match c {
                ']' => {
                    self.repeatable = true;
                    return Ok(());
                }
                '\\' => {
                    self.escape()?;
                    previous = None;
                }
                '[' if matches!(self.chars.peek(), Some((_, ':' | '.' | '='))) => {
                    // `[:name:]` (or `[.x.]`, `[=x=]`) is one item when the first `]`
                    // after it closes it with the same delimiter; otherwise the `[` is
                    // a literal.
                    let rest = self.text.get(at + 1..).unwrap_or_default();
                    let delimiter = rest.chars().next().unwrap_or(':');
                    if let Some(end) = rest.get(1..).and_then(|r| r.find(']')) {
                        let item = rest.get(..=end + 1).unwrap_or_default();
                        if end > 0
                            && rest.get(end..).and_then(|r| r.chars().next()) == Some(delimiter)
                        {
                            for _ in item.chars() {
                                self.chars.next();
                            }
                        }
                    }
                    previous = None;
                }
                '-' => {
                    let Some(low) = previous else {
                        previous = Some('-');
                        continue;
                    };
                    match self.chars.peek().copied() {
                        Some((_, ']')) | None => previous = Some('-'),
                        Some((_, '\\' | '[')) => previous = None,
                        Some((_, high)) => {
                            self.chars.next();
                            if high < low {
                                return Err(format!(
                                    "range out of order in character class at offset {at}"
                                ));
                            }
                            previous = None;
                        }
                    }
                }
                c => previous = Some(c),
            }
        }
        Err("missing terminating ] for character class".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netaddr::is_ip_or_cidr;
    use crate::schema::checks::testing::{pointers, run};
    use serde_json::json;

    #[test]
    fn lookup_maps_only_plugins_with_checks() {
        for name in [
            "cors",
            "ip-restriction",
            "ua-restriction",
            "request-validation",
        ] {
            assert!(lookup(name).is_some(), "{name}");
        }
        for name in ["referer-restriction", "csrf", "consumer-restriction"] {
            assert!(lookup(name).is_none(), "{name}");
        }
    }

    #[test]
    fn uri_blocker_rules_compile() {
        // t/plugin/uri-blocker.t TEST 3: the second rule "^b(" is missing a `)`.
        let issues = run("uri-blocker", &json!({"block_rules": ["^a", "^b("]}));
        assert_eq!(pointers(&issues), ["/block_rules/1"]);
        assert!(
            issues[0].message.starts_with("invalid regex: "),
            "{}",
            issues[0].message
        );
        assert!(run("uri-blocker", &json!({"block_rules": ["^a", "^b"]})).is_empty());
    }

    #[test]
    fn ldap_auth_advanced_exclusions() {
        // t/plugin/ldap-auth-advanced.t TEST 4 and TEST 6.
        let base = json!({"ldap_uri": "ldap.example.com", "base_dn": "ou=users"});
        let mut both = base.clone();
        both["use_ldaps"] = json!(true);
        both["use_starttls"] = json!(true);
        let issues = run("ldap-auth-advanced", &both);
        assert_eq!(
            issues[0].message,
            "use_ldaps and use_starttls are mutually exclusive"
        );
        let mut bind = base.clone();
        bind["bind_dn"] = json!("cn=admin");
        let issues = run("ldap-auth-advanced", &bind);
        assert_eq!(pointers(&issues), ["/bind_dn"]);
        assert_eq!(
            issues[0].message,
            "ldap_password is required when bind_dn is set"
        );
        assert!(run("ldap-auth-advanced", &base).is_empty());
    }

    #[test]
    fn cas_auth_samesite_none_needs_secure() {
        // t/plugin/cas-auth.t TEST 8.
        let conf = json!({"idp_uri": "https://idp", "cas_callback_uri": "/cb", "logout_uri": "/out",
            "cookie": {"samesite": "None", "secure": false}});
        let issues = run("cas-auth", &conf);
        assert_eq!(pointers(&issues), ["/cookie/secure"]);
        assert_eq!(
            issues[0].message,
            "cookie.secure must be true when cookie.samesite is \"None\""
        );
    }

    #[test]
    fn acl_label_field_must_parse() {
        // t/plugin/acl.t TEST 53; TEST 23 to 31 use the others.
        let issues = run(
            "acl",
            &json!({"allow_labels": {"team": ["cloud"]}, "external_user_label_field": "$..([invalid"}),
        );
        assert_eq!(pointers(&issues), ["/external_user_label_field"]);
        assert_eq!(
            issues[0].message,
            "invalid external_user_label_field: invalid expression \"$..([invalid\" near \"..([invalid\""
        );
        for fine in ["team", "$..team", "$.orgs..team", "$..name"] {
            let conf =
                json!({"allow_labels": {"team": ["cloud"]}, "external_user_label_field": fine});
            assert!(run("acl", &conf).is_empty(), "{fine}");
        }
    }

    #[test]
    fn multi_auth_entries_are_objects() {
        // t/plugin/multi-auth.t TEST 9.
        let conf = json!({"auth_plugins": [{"basic-auth": {}}, {"basic-auth": "x"}]});
        let issues = run("multi-auth", &conf);
        assert_eq!(pointers(&issues), ["/auth_plugins/1/basic-auth"]);
        assert_eq!(
            issues[0].message,
            "plugin basic-auth check schema failed: wrong type: expected object, got string"
        );
    }

    #[test]
    fn multi_auth_takes_auth_plugins_and_checks_them() {
        // t/plugin/multi-auth.t: inner configurations fail as "plugin <name> check schema failed".
        let conf = json!({"auth_plugins": [
            {"basic-auth": {}},
            {"limit-count": {}},
            {"jwt-auth": {}},
        ]});
        let issues = run("multi-auth", &conf);
        assert_eq!(pointers(&issues), ["/auth_plugins/1/limit-count"]);
        assert_eq!(
            issues[0].message,
            "limit-count plugin is not supported (multi-auth takes auth plugins only)"
        );
    }

    #[test]
    fn cors_credentials_refuse_wildcards() {
        let ok = json!({
            "allow_origins": "http://a.com", "allow_methods": "GET", "allow_headers": "",
            "expose_headers": "", "allow_credential": true
        });
        assert!(run("cors", &ok).is_empty());
        let forced = json!({
            "allow_origins": "**", "allow_methods": "**", "allow_headers": "x",
            "allow_credential": true
        });
        assert!(run("cors", &forced).is_empty());
        assert!(run("cors", &json!({"allow_origins": "*"})).is_empty());

        let explicit = json!({
            "allow_origins": "http://a.com", "allow_methods": "GET", "allow_headers": "x",
            "expose_headers": "*", "allow_credential": true
        });
        assert_eq!(pointers(&run("cors", &explicit)), ["/expose_headers"]);
        // allow_origins, allow_methods and allow_headers default to `*`.
        let defaults = run("cors", &json!({"allow_credential": true}));
        assert_eq!(pointers(&defaults), ["/allow_credential"]);
        assert!(defaults[0]
            .message
            .ends_with("`allow_origins`, `allow_methods`, `allow_headers` default to '*'"));
        // Several `*`s, written and defaulted: one finding, at the first written one.
        let several = run(
            "cors",
            &json!({"allow_origins": "*", "allow_headers": "*", "allow_credential": true}),
        );
        assert_eq!(pointers(&several), ["/allow_origins"]);
        assert_eq!(
            several[0].message,
            "you can not set '*' for `allow_origins` when 'allow_credential' is true; \
             `allow_headers` set '*' too; `allow_methods` defaults to '*'"
        );
    }

    #[test]
    fn cors_regexes_must_compile() {
        let ok = json!({"allow_origins_by_regex": [".*\\.test.com$", "http://.*?\\.domain\\.com"]});
        assert!(run("cors", &ok).is_empty());
        let bad = json!({
            "allow_origins_by_regex": ["ok", "(unclosed"],
            "timing_allow_origins_by_regex": ["[z-a]"]
        });
        assert_eq!(
            pointers(&run("cors", &bad)),
            [
                "/allow_origins_by_regex/1",
                "/timing_allow_origins_by_regex/0"
            ]
        );
    }

    #[test]
    fn ip_restriction_checks_addresses() {
        let ok = json!({"whitelist": ["127.0.0.1", "10.0.0.0/8", "::1", "fe80::/10", "::1/128"]});
        assert!(run("ip-restriction", &ok).is_empty());
        let bad = json!({"blacklist": ["::1/129", "10.0.0.0/33", "1.2.3.4", ":/8"]});
        let issues = run("ip-restriction", &bad);
        assert_eq!(
            pointers(&issues),
            ["/blacklist/0", "/blacklist/1", "/blacklist/3"]
        );
        assert_eq!(issues[0].message, "invalid ip address: ::1/129");
    }

    #[test]
    fn request_validation_schemas_must_compile() {
        let ok = json!({
            "header_schema": {"type": "object", "required": ["test"]},
            "body_schema": {"type": "object", "properties": {"test": {"enum": ["a", "b"]}}}
        });
        assert!(run("request-validation", &ok).is_empty());
        let bad = json!({
            "header_schema": {"type": "test"},
            "body_schema": {"type": "string", "properties": {"test": {"enum": "test-enum"}}}
        });
        let issues = run("request-validation", &bad);
        assert_eq!(
            pointers(&issues),
            ["/header_schema/type", "/body_schema/properties/test/enum"]
        );
        assert_eq!(issues[0].message, "invalid schema: invalid JSON type: test");
    }

    #[test]
    fn ip_or_cidr() {
        for ok in [
            "0.0.0.0",
            "192.168.1.1/32",
            "::",
            "2001:db8::/32",
            "::ffff:1.2.3.4",
            "10.0.0.0/0",
        ] {
            assert!(is_ip_or_cidr(ok), "{ok}");
        }
        for bad in [
            "",
            "1.2.3",
            "256.1.1.1",
            "1.2.3.4/",
            "1.2.3.4/+1",
            "1.2.3.4/x",
            "::1/129",
            "gg::1",
            "1.2.3.4/99999999999",
        ] {
            assert!(!is_ip_or_cidr(bad), "{bad}");
        }
    }

    #[test]
    fn ua_restriction_patterns_compile() {
        let ok =
            json!({"allowlist": ["my-bot1", "(Baiduspider)", "(?<!curl)/\\d+", "a++b", "\\Q(\\E"]});
        assert!(run("ua-restriction", &ok).is_empty());
        let bad = json!({"denylist": ["[", "a)", "*x", "x{3,2}", "x\\"]});
        assert_eq!(run("ua-restriction", &bad).len(), 5);
    }

    #[test]
    fn pcre_scanner_judges_only_certain_errors() {
        // PCRE-only syntax the regex crate refuses.
        for ok in [
            "(?=a)b",
            "(a)\\1",
            "(?>a+)b",
            "a*+",
            "x{,3}",
            "[[:alpha:]-]",
            "[[:a]b-a]",
            "(?#comment)x",
            "(?x) ( a",
            "\\Q[\\E",
            "[]a]",
            "[a-]",
        ] {
            assert_eq!(pcre_verdict(ok), Verdict::Fine, "{ok}");
        }
        for bad in [
            "(a",
            "a)",
            "[abc",
            "+a",
            "a|*",
            "a{5,1}",
            "(?<=a)b{70000}",
            "(?#open",
            "[b-a]",
            "(?=x)[[:alpha:]z-a]",
            "(?=x)a**",
        ] {
            assert!(matches!(pcre_verdict(bad), Verdict::Refused(_)), "{bad}");
        }
    }

    #[test]
    fn pcre_scanner_never_panics() {
        let alphabet: Vec<char> = "()[]{}\\?*+|^$-:.=!<>#'PRQE0123,aé\u{1F600}xz"
            .chars()
            .collect();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            let mut pattern = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = usize::try_from(seed % 12).unwrap_or(0);
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let pick = usize::try_from(seed % alphabet.len() as u64).unwrap_or(0);
                pattern.push(alphabet[pick]);
            }
            let _ = PcreScanner::new(&pattern).scan();
            let _ = is_ip_or_cidr(&pattern);
        }
    }
}

//! Lua code that APISIX compiles with `loadstring` / `load` when it checks a
//! configuration: the serverless functions, exit-transformer's functions, a route's
//! `filter_func`, ai-rate-limiting's `cost_expr`.
//!
//! The code is parsed with `full_moon` in its `LuaJIT` mode (Lua 5.1 with `goto`,
//! labels and `LuaJIT`'s number suffixes; no Lua 5.3 operators, which `LuaJIT` refuses).
//! A syntax error is reported with its line inside the string. Where APISIX also
//! runs the chunk and wants a function back, [`chunk_return`] tells what the chunk
//! certainly returns when that can be seen without running it.
//!
//! The parser is recursive. Deep nesting could exhaust a worker's stack, so code
//! whose nesting bound is large is parsed on a thread of its own with a stack sized
//! for it, and code too deep for that is not judged (`LuaJIT` itself refuses more
//! than 200 syntax levels, so no working code comes near the limit).

use full_moon::ast::{Block, Expression, LastStmt, Stmt};
use full_moon::LuaVersion;

/// What a chunk returns, as far as its text shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Returned {
    /// A function expression (`return function(...) ... end`).
    Function,
    /// A value of this Lua type (`nil` when the chunk has no `return`).
    Other(&'static str),
    /// Something only running the chunk would tell (a call, a variable, ...).
    Unknown,
}

/// The verdict on one piece of code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict {
    /// It parses; what its main chunk returns.
    Parses(Returned),
    /// A syntax error: `line N: message`.
    SyntaxError(String),
    /// Too deeply nested to be parsed here.
    Unjudged,
}

/// Nesting bound below which the code is parsed on the calling thread.
const INLINE_DEPTH: usize = 150;
/// Nesting bound past which the code is not parsed at all.
const MAX_DEPTH: usize = 20_000;
/// Stack bytes given to the parser per level of the nesting bound on its own thread
/// (a debug build needs some 10 KiB per level; this leaves room).
const STACK_PER_LEVEL: usize = 32 * 1024;

/// Parse `source` as a Lua chunk (what `loadstring(source)` compiles).
pub(super) fn judge(source: &str) -> Verdict {
    let depth = nesting_bound(source);
    if depth <= INLINE_DEPTH {
        return parse(source);
    }
    if depth > MAX_DEPTH {
        return Verdict::Unjudged;
    }
    let owned = source.to_owned();
    std::thread::Builder::new()
        .name("gwlint-lua".into())
        .stack_size(1024 * 1024 + depth * STACK_PER_LEVEL)
        .spawn(move || parse(&owned))
        .ok()
        .and_then(|handle| handle.join().ok())
        .unwrap_or(Verdict::Unjudged)
}

/// The first syntax error of `source`, as `line N: message`.
pub(super) fn syntax_error(source: &str) -> Option<String> {
    match judge(source) {
        Verdict::SyntaxError(message) => Some(message),
        Verdict::Parses(_) | Verdict::Unjudged => None,
    }
}

fn parse(source: &str) -> Verdict {
    let mut source = std::borrow::Cow::Borrowed(source);
    // LuaJIT takes a lone `;` as an empty statement (`if x then; f(); end`, as in
    // APISIX's t/plugin/error-page.t); full_moon only takes one after a statement.
    // A `;` where full_moon stops is blanked (positions stay) and the code read again.
    for _ in 0..64 {
        match full_moon::parse_fallible(&source, LuaVersion::luajit()).into_result() {
            Ok(ast) => return Verdict::Parses(chunk_return(ast.nodes())),
            Err(errors) => {
                let Some(first) = errors.first() else {
                    return Verdict::Unjudged;
                };
                let at = first.range().0.bytes();
                if source.as_bytes().get(at) == Some(&b';') {
                    source.to_mut().replace_range(at..=at, " ");
                    continue;
                }
                let line = first.range().0.line();
                return Verdict::SyntaxError(format!("line {line}: {}", first.error_message()));
            }
        }
    }
    Verdict::Unjudged
}

/// What the main chunk `block` returns: the first value of its final `return`, or
/// `nil` when no `return` can be reached outside nested functions.
fn chunk_return(block: &Block) -> Returned {
    if let Some(LastStmt::Return(ret)) = block.last_stmt() {
        return match ret.returns().iter().next() {
            None => Returned::Other("nil"),
            Some(expression) => expression_type(expression),
        };
    }
    if block_may_return(block) {
        Returned::Unknown
    } else {
        Returned::Other("nil")
    }
}

/// The Lua type of `expression` when it is written as a literal.
fn expression_type(expression: &Expression) -> Returned {
    match expression {
        Expression::Function(_) => Returned::Function,
        Expression::Number(_) => Returned::Other("number"),
        Expression::String(_) => Returned::Other("string"),
        Expression::TableConstructor(_) => Returned::Other("table"),
        Expression::Symbol(token) => match token.token().to_string().as_str() {
            "nil" => Returned::Other("nil"),
            "true" | "false" => Returned::Other("boolean"),
            _ => Returned::Unknown,
        },
        Expression::Parentheses { expression, .. } => expression_type(expression),
        _ => Returned::Unknown,
    }
}

/// Whether a `return` appears in `block` or the blocks nested in its statements
/// (function bodies aside: their `return` leaves the function, not the chunk).
fn block_may_return(block: &Block) -> bool {
    if matches!(block.last_stmt(), Some(LastStmt::Return(_))) {
        return true;
    }
    block.stmts().any(|statement| match statement {
        Stmt::Do(inner) => block_may_return(inner.block()),
        Stmt::While(inner) => block_may_return(inner.block()),
        Stmt::Repeat(inner) => block_may_return(inner.block()),
        Stmt::NumericFor(inner) => block_may_return(inner.block()),
        Stmt::GenericFor(inner) => block_may_return(inner.block()),
        Stmt::If(inner) => {
            block_may_return(inner.block())
                || inner
                    .else_if()
                    .into_iter()
                    .flatten()
                    .any(|branch| block_may_return(branch.block()))
                || inner.else_block().is_some_and(block_may_return)
        }
        _ => false,
    })
}

/// An upper bound of how deep the parser recurses on `source`: every opening
/// bracket, block keyword and operator counts one level (closing ones are not
/// subtracted for operators, which the parser may chain recursively).
fn nesting_bound(source: &str) -> usize {
    let bytes = source.as_bytes();
    let mut open: usize = 0;
    let mut deepest: usize = 0;
    let mut operators: usize = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'(' | b'[' | b'{' => {
                open += 1;
                deepest = deepest.max(open);
            }
            b')' | b']' | b'}' => open = open.saturating_sub(1),
            b'-' | b'^' | b'#' | b'.' | b'~' | b'<' | b'>' | b'=' | b'+' | b'*' | b'/' | b'%' => {
                operators += 1;
            }
            b if b.is_ascii_alphabetic() => {
                let start = i;
                while bytes
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
                {
                    i += 1;
                }
                let word = bytes.get(start..i).unwrap_or_default();
                if matches!(
                    word,
                    b"function" | b"if" | b"do" | b"repeat" | b"not" | b"and" | b"or" | b"then"
                ) {
                    operators += 1;
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    deepest + operators
}

#[cfg(test)]
mod empty_statement_tests {
    use super::*;

    #[test]
    fn lone_semicolons_are_empty_statements_as_in_luajit() {
        // t/plugin/error-page.t TEST 2: APISIX accepts this function.
        let code = "return function() if ngx.var.x ~= nil then;ngx.exit(1);end;end";
        assert!(matches!(parse(code), Verdict::Parses(Returned::Function)));
        assert!(matches!(parse(";;return 1"), Verdict::Parses(_)));
        assert!(matches!(parse("if then ; end"), Verdict::SyntaxError(_)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luajit_syntax_parses() {
        for source in [
            "return function(conf, ctx) ngx.say(conf.body) end",
            "local core = require(\"apisix.core\")\nreturn function() core.log.warn('x') end",
            "return function() for i = 1, 3 do if i == 2 then goto continue end ::continue:: end end",
            "return function() local n = 0x10LL + 1ULL return n end",
            "local s = [==[ ]] ]==] return function() return s end",
        ] {
            assert!(
                matches!(judge(source), Verdict::Parses(Returned::Function)),
                "{source}: {:?}",
                judge(source)
            );
        }
    }

    #[test]
    fn lua53_operators_are_refused() {
        assert!(syntax_error("return function() return 7 // 2 end").is_some());
        assert!(syntax_error("return function() return 1 & 3 end").is_some());
    }

    #[test]
    fn syntax_errors_name_their_line() {
        let message = syntax_error("return function()\n  local x = = 1\nend").expect("error");
        assert!(message.starts_with("line 2: "), "{message}");
    }

    #[test]
    fn what_a_chunk_returns() {
        assert_eq!(
            judge("local x = 1"),
            Verdict::Parses(Returned::Other("nil"))
        );
        assert_eq!(
            judge("return 1"),
            Verdict::Parses(Returned::Other("number"))
        );
        assert_eq!(
            judge("return ('x')"),
            Verdict::Parses(Returned::Other("string"))
        );
        assert_eq!(
            judge("return {}"),
            Verdict::Parses(Returned::Other("table"))
        );
        assert_eq!(judge("return f()"), Verdict::Parses(Returned::Unknown));
        assert_eq!(
            judge("if a then return function() end end"),
            Verdict::Parses(Returned::Unknown)
        );
        // A `return` inside a function body does not return from the chunk.
        assert_eq!(
            judge("local function f() return 1 end"),
            Verdict::Parses(Returned::Other("nil"))
        );
    }

    #[test]
    fn deep_nesting_does_not_exhaust_the_stack() {
        let deep = format!("return {}1{}", "(".repeat(5_000), ")".repeat(5_000));
        assert!(matches!(judge(&deep), Verdict::Parses(_)));
        let chain = format!("return {}1", "a .. ".repeat(5_000));
        assert!(matches!(judge(&chain), Verdict::Parses(_)));
        let too_deep = "(".repeat(50_000);
        assert_eq!(judge(&too_deep), Verdict::Unjudged);
    }
}

//! Verdicts on the regular expressions of plugin configurations, reached once per
//! pattern and run.
//!
//! APISIX compiles these patterns with PCRE (`ngx.re`, without UTF mode unless the `u`
//! option is given, so `\w`, `\d` and `\s` are ASCII classes). gwlint judges their
//! syntax by parsing them with regex-syntax in the same ASCII mode, and never compiles
//! them: parsing takes time in proportion to the pattern's length, while compiling an
//! automaton (with Unicode classes, repeated) took up to 80 ms for a 16-byte pattern.
//! A construct that needs Unicode mode in the crate (`\p{L}`, a non-ASCII character in
//! a class) leaves the verdict to the caller's fallback.
//!
//! PCRE copies a repeated group out once per repetition when it compiles a pattern,
//! and refuses a compiled pattern over its size limit (64 KiB in a default build).
//! gwlint does not model PCRE's compiled size: a pattern that expands to more than
//! [`MAX_EXPANDED_ITEMS`] items is not judged, and is reported as
//! `limit/regex-too-large` (a warning: APISIX may accept it or refuse it).
//!
//! Verdicts are remembered for the whole run and shared by the threads that check
//! files in parallel: trees repeat their patterns (one per service, copied into each
//! of its routes), and each distinct pattern is judged once.

use super::Issue;
use regex_syntax::hir::{Hir, HirKind};
use std::collections::HashMap;
use std::sync::{OnceLock, PoisonError, RwLock};

/// The largest number of items a pattern may expand to and still be judged.
pub(crate) const MAX_EXPANDED_ITEMS: u64 = 65_536;

/// Past this many distinct patterns (or this many bytes of them), new verdicts are no
/// longer remembered, so a hostile tree cannot grow the memo without bound.
const MEMO_ENTRIES: usize = 1 << 16;
const MEMO_BYTES: usize = 64 << 20;

/// What gwlint concluded about a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict {
    /// It compiles, or gwlint cannot tell that it does not.
    Fine,
    /// PCRE refuses it, for this reason.
    Refused(String),
    /// It expands to at least this many items, more than gwlint judges.
    TooLarge(u64),
}

/// Verdicts remembered for one kind of judgement.
pub(super) struct Memo {
    verdicts: OnceLock<RwLock<Remembered>>,
}

#[derive(Default)]
struct Remembered {
    by_pattern: HashMap<Box<str>, Verdict>,
    bytes: usize,
    /// How many patterns were judged (not found in the memo); for tests.
    judged: usize,
}

impl Memo {
    /// An empty memo, for a `static`.
    pub(super) const fn new() -> Self {
        Memo {
            verdicts: OnceLock::new(),
        }
    }

    fn lock(&self) -> &RwLock<Remembered> {
        self.verdicts.get_or_init(RwLock::default)
    }

    /// The verdict on `pattern`: remembered, or reached by `judge` and remembered.
    /// Two threads meeting a new pattern at once may both judge it; they reach the
    /// same verdict.
    pub(super) fn verdict(&self, pattern: &str, judge: impl FnOnce(&str) -> Verdict) -> Verdict {
        let lock = self.lock();
        if let Some(verdict) = lock
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .by_pattern
            .get(pattern)
        {
            return verdict.clone();
        }
        let verdict = judge(pattern);
        let mut memo = lock.write().unwrap_or_else(PoisonError::into_inner);
        memo.judged += 1;
        if memo.by_pattern.len() < MEMO_ENTRIES && memo.bytes + pattern.len() <= MEMO_BYTES {
            memo.bytes += pattern.len();
            memo.by_pattern.insert(pattern.into(), verdict.clone());
        }
        verdict
    }

    /// How many patterns this memo judged afresh.
    #[cfg(test)]
    pub(super) fn judged(&self) -> usize {
        self.lock()
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .judged
    }
}

/// Why the crate's parser refused a pattern.
#[derive(Debug)]
pub(super) struct Refusal {
    /// The parser's message.
    pub message: String,
    /// Whether the refusal is only that ASCII mode lacks a construct (Unicode classes
    /// and properties), not about the pattern's syntax.
    pub needs_unicode: bool,
}

/// Parse `pattern` in ASCII mode (no Unicode classes, any byte for `.`), as PCRE
/// without UTF mode reads it.
pub(super) fn parse(pattern: &str) -> Result<Hir, Refusal> {
    use regex_syntax::hir::ErrorKind;
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .map_err(|error| Refusal {
            needs_unicode: matches!(
                &error,
                regex_syntax::Error::Translate(e) if matches!(
                    e.kind(),
                    ErrorKind::UnicodeNotAllowed
                        | ErrorKind::UnicodePropertyNotFound
                        | ErrorKind::UnicodePropertyValueNotFound
                        | ErrorKind::UnicodePerlClassNotFound
                        | ErrorKind::UnicodeCaseUnavailable
                )
            ),
            message: error.to_string(),
        })
}

/// [`Verdict::Fine`] for a parsed pattern within [`MAX_EXPANDED_ITEMS`], else
/// [`Verdict::TooLarge`].
pub(super) fn size_verdict(hir: &Hir) -> Verdict {
    let items = expanded_items(hir);
    if items > MAX_EXPANDED_ITEMS {
        Verdict::TooLarge(items)
    } else {
        Verdict::Fine
    }
}

/// How many items (characters, classes, assertions, group brackets) a pattern has once
/// every repeated group is copied out as PCRE compiles it. A repeated single character
/// or class stays one item (PCRE stores the count); a repeated group is copied as many
/// times as its upper bound, or its lower bound when it has none.
pub(super) fn expanded_items(hir: &Hir) -> u64 {
    match hir.kind() {
        HirKind::Empty | HirKind::Class(_) | HirKind::Look(_) => 1,
        HirKind::Literal(literal) => literal.0.len() as u64,
        HirKind::Capture(capture) => expanded_items(&capture.sub).saturating_add(2),
        HirKind::Concat(parts) => parts
            .iter()
            .fold(0u64, |sum, part| sum.saturating_add(expanded_items(part))),
        HirKind::Alternation(parts) => parts.iter().fold(parts.len() as u64, |sum, part| {
            sum.saturating_add(expanded_items(part))
        }),
        HirKind::Repetition(repetition) => {
            let sub = expanded_items(&repetition.sub);
            if is_single_item(&repetition.sub) {
                return sub.saturating_add(1);
            }
            let copies = repetition.max.unwrap_or(repetition.min).max(1);
            sub.saturating_mul(u64::from(copies))
        }
    }
}

/// A character, class or assertion: what PCRE repeats without copying.
fn is_single_item(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Class(_) | HirKind::Look(_) => true,
        HirKind::Literal(literal) => std::str::from_utf8(&literal.0)
            .map_or(literal.0.len() == 1, |text| text.chars().count() == 1),
        _ => false,
    }
}

/// The issue for a pattern too large to judge, at `pointer`.
pub(super) fn too_large(pointer: impl Into<String>, items: u64) -> Issue {
    Issue::regex_too_large(
        pointer,
        format!(
            "regex not judged: with its repeated groups copied out, as PCRE compiles them, it \
             has {} items, more than the {MAX_EXPANDED_ITEMS} gwlint judges; PCRE refuses a \
             compiled pattern over its size limit (64 KiB by default), so APISIX may refuse it",
            if items == u64::MAX {
                "too many to count".to_owned()
            } else {
                items.to_string()
            }
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(pattern: &str) -> u64 {
        expanded_items(&parse(pattern).unwrap())
    }

    #[test]
    fn repeated_groups_are_copied_out_and_single_items_are_not() {
        assert_eq!(items("abc"), 3);
        assert_eq!(items(r"\w{1000}\w{1000}"), 4);
        assert_eq!(items("[a-z]{5}x*"), 4);
        assert_eq!(items("(?:abc){1000}"), 3000);
        assert_eq!(items("(abc){2,}"), 10);
        assert_eq!(items("(abc)*"), 5);
        assert_eq!(items("(?:ab|cd){3}"), 18);
        assert_eq!(items("((((a{100}b){100}){100}){100})"), 5_020_202);
        assert_eq!(
            items("(?:(?:(?:(?:ab){65535}){65535}){65535}){65535}"),
            u64::MAX
        );
        assert_eq!(
            size_verdict(&parse("(?:abc){21845}").unwrap()),
            Verdict::Fine
        );
        assert_eq!(
            size_verdict(&parse("(?:abc){21846}").unwrap()),
            Verdict::TooLarge(65_538)
        );
    }

    #[test]
    fn ascii_mode_sets_aside_unicode_constructs_only() {
        for pattern in [r"\p{L}", "[é]", r"\pN", r"\p{Greek}"] {
            assert!(parse(pattern).unwrap_err().needs_unicode, "{pattern}");
        }
        for pattern in ["(a", "[z-a]", "a{2,1}", "*"] {
            assert!(!parse(pattern).unwrap_err().needs_unicode, "{pattern}");
        }
        for pattern in ["é+", r"\x{263A}", r"[\w\W]", "(?i)[a-z]", r"\xFF"] {
            assert!(parse(pattern).is_ok(), "{pattern}");
        }
    }

    /// Each distinct pattern is judged once, whichever thread meets it first.
    #[test]
    fn a_memo_judges_each_pattern_once_across_threads() {
        static MEMO: Memo = Memo::new();
        let judge = |pattern: &str| Verdict::Refused(pattern.to_owned());
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for i in 0..1000 {
                        let pattern = format!("p{}", i % 10);
                        assert_eq!(MEMO.verdict(&pattern, judge), Verdict::Refused(pattern));
                    }
                });
            }
        });
        // Threads meeting a new pattern at the same moment may both judge it.
        assert!((10..=40).contains(&MEMO.judged()), "{}", MEMO.judged());
        let before = MEMO.judged();
        for i in 0..10 {
            MEMO.verdict(&format!("p{i}"), |_| unreachable!("remembered"));
        }
        assert_eq!(MEMO.judged(), before);
    }
}

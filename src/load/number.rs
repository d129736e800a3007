//! Numbers as written in a file → JSON numbers, and what the gateway reads them as.
//!
//! APISIX (`LuaJIT`) and ADC (JavaScript) hold every number as a 64-bit float, and JSON,
//! the Admin API and etcd have no infinity or not-a-number. Both loaders classify a
//! number literal here: a value a double holds exactly is kept; an integer a double
//! rounds is kept (exactly when it fits 64 bits, else as the nearest double, which is
//! what the gateway gets) with the warning `parse/imprecise-number`; infinity,
//! not-a-number and numbers beyond the largest double are kept as the text written,
//! with the error `parse/number-out-of-range`. The type never changes silently.

use serde_json::Number;

/// What a number literal stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    /// A number a 64-bit float holds exactly (or any float literal: its rounding is
    /// what a float means).
    Exact(Number),
    /// An integer a 64-bit float cannot hold exactly. `value` is what gwlint keeps;
    /// `nearest` is the double the gateway reads, as a decimal integer.
    Inexact {
        /// The integer when it fits 64 bits, else the nearest double.
        value: Number,
        /// The nearest double, written out (`100000000000000000000`).
        nearest: String,
    },
    /// Infinity, not-a-number, or a number beyond the largest double (`1e400`).
    NonFinite,
}

/// 2^53: every integer up to it, and none beyond it but some, is exact in a double.
const EXACT_LIMIT: u64 = 1 << 53;

/// A decimal integer: an optional sign and ASCII digits (checked by the caller).
#[must_use]
pub fn decimal_integer(text: &str) -> Written {
    let unsigned = text.strip_prefix('+').unwrap_or(text);
    // Nearly every integer in a configuration is small: exact in a double.
    if let Ok(small) = unsigned.parse::<i64>() {
        if small.unsigned_abs() <= EXACT_LIMIT {
            return Written::Exact(small.into());
        }
    }
    let exact = unsigned
        .parse::<i64>()
        .map(Number::from)
        .ok()
        .or_else(|| unsigned.parse::<u64>().map(Number::from).ok());
    // Rust reads decimal text to the nearest double, as JavaScript and LuaJIT do.
    let Ok(nearest) = unsigned.parse::<f64>() else {
        return Written::NonFinite;
    };
    if !nearest.is_finite() {
        return Written::NonFinite;
    }
    let digits = unsigned.trim_start_matches('-').trim_start_matches('0');
    let nearest_text = format!("{nearest:.0}");
    let holds_exactly = nearest_text.trim_start_matches('-').trim_start_matches('0') == digits;
    classify(exact, nearest, nearest_text, holds_exactly)
}

/// An unsigned integer in base 8 or 16 (`digits` without the `0o`/`0x` prefix,
/// checked by the caller).
#[must_use]
pub fn radix_integer(digits: &str, radix: u32) -> Written {
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return Written::Exact(Number::from(0u64));
    }
    if let Ok(small) = u64::from_str_radix(significant, radix) {
        if small <= EXACT_LIMIT {
            return Written::Exact(small.into());
        }
    }
    let exact = u64::from_str_radix(significant, radix)
        .ok()
        .map(Number::from);
    // Integer-to-float conversion rounds to nearest, so within 128 bits the nearest
    // double is exact; beyond, folding the digits into a double comes within a
    // rounding step of it, which is close enough for a message about a number
    // nobody means.
    #[allow(clippy::cast_precision_loss, reason = "the rounding is the point")]
    let nearest = match u128::from_str_radix(significant, radix) {
        Ok(wide) => wide as f64,
        Err(_) => significant.chars().fold(0.0, |acc, digit| {
            acc * f64::from(radix) + f64::from(digit.to_digit(radix).unwrap_or(0))
        }),
    };
    if !nearest.is_finite() {
        return Written::NonFinite;
    }
    // A double holds an integer exactly when its significant bits (from the highest
    // one bit to the lowest) number at most 53.
    let bits_per_digit = if radix == 16 { 4 } else { 3 };
    let first = significant.chars().next().and_then(|c| c.to_digit(radix));
    let last_nonzero = significant
        .trim_end_matches('0')
        .chars()
        .last()
        .and_then(|c| c.to_digit(radix));
    let (Some(first), Some(last_nonzero)) = (first, last_nonzero) else {
        return Written::Exact(Number::from(0u64));
    };
    let length = significant.len() as u32;
    let trailing_zero_digits = (significant.len() - significant.trim_end_matches('0').len()) as u32;
    let highest_bit = (length - 1) * bits_per_digit + (32 - first.leading_zeros());
    let lowest_bit = trailing_zero_digits * bits_per_digit + last_nonzero.trailing_zeros();
    let holds_exactly = highest_bit - lowest_bit <= 53;
    classify(exact, nearest, format!("{nearest:.0}"), holds_exactly)
}

/// A float literal Rust's parser reads (`1.5`, `.5`, `1e400`, ...).
#[must_use]
pub fn float(text: &str) -> Written {
    let unsigned = text.strip_prefix('+').unwrap_or(text);
    match unsigned.parse::<f64>().ok().and_then(Number::from_f64) {
        Some(number) if number.as_f64().is_some_and(f64::is_finite) => Written::Exact(number),
        _ => Written::NonFinite,
    }
}

fn classify(exact: Option<Number>, nearest: f64, nearest_text: String, holds: bool) -> Written {
    let as_float = || Number::from_f64(nearest).unwrap_or_else(|| Number::from(0u64));
    if holds {
        Written::Exact(exact.unwrap_or_else(as_float))
    } else {
        Written::Inexact {
            value: exact.unwrap_or_else(as_float),
            nearest: nearest_text,
        }
    }
}

/// The finding a number as written gives: what both loaders report at the number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberFinding {
    /// `parse/imprecise-number` or `parse/number-out-of-range`.
    pub rule: &'static str,
    /// A warning for an imprecise number, an error for one out of range.
    pub severity: crate::finding::Severity,
    /// The message, quoting `text`.
    pub message: String,
    /// The rule's help.
    pub help: &'static str,
}

/// The value gwlint keeps for `written` (the number as `text` was written), and the
/// finding it gives when the gateway cannot hold it as written: an imprecise integer
/// is kept as gwlint read it, with a warning; infinity, not-a-number and numbers beyond
/// the largest double are kept as the string written, with an error.
#[must_use]
pub fn judge(written: Written, text: &str) -> (serde_json::Value, Option<NumberFinding>) {
    use crate::finding::Severity;
    use serde_json::Value;
    match written {
        Written::Exact(number) => (Value::Number(number), None),
        Written::Inexact { value, nearest } => (
            Value::Number(value),
            Some(NumberFinding {
                rule: "parse/imprecise-number",
                severity: Severity::Warning,
                message: imprecise_message(text, &nearest),
                help: IMPRECISE_HELP,
            }),
        ),
        Written::NonFinite => (
            Value::String(text.to_owned()),
            Some(NumberFinding {
                rule: "parse/number-out-of-range",
                severity: Severity::Error,
                message: out_of_range_message(text),
                help: OUT_OF_RANGE_HELP,
            }),
        ),
    }
}

/// The message of `parse/imprecise-number` for `text`.
#[must_use]
pub fn imprecise_message(text: &str, nearest: &str) -> String {
    format!(
        "`{text}` is more precise than a 64-bit floating-point number, which is how APISIX \
         (LuaJIT) and ADC (JavaScript) hold every number: the gateway reads {nearest}"
    )
}

/// The help of `parse/imprecise-number`.
pub const IMPRECISE_HELP: &str = "quote the value if it is an identifier; a number the gateway \
     reads exactly has at most 16 digits (up to 9007199254740992 is always exact)";

/// The message of `parse/number-out-of-range` for `text`, which `syntax` (YAML or
/// JSON) reads as infinity or not-a-number.
#[must_use]
pub fn out_of_range_message(text: &str) -> String {
    let what = if text.trim_start_matches(['-', '+']).starts_with('.') {
        let lower = text.to_ascii_lowercase();
        if lower.ends_with("nan") {
            "not-a-number"
        } else {
            "infinity"
        }
    } else {
        "beyond the largest 64-bit floating-point number (about 1.8e308), which makes it infinity"
    };
    format!(
        "`{text}` is {what}, which JSON (and so the Admin API and etcd) cannot hold; gwlint \
         reads it as the string \"{text}\""
    )
}

/// The help of `parse/number-out-of-range`.
pub const OUT_OF_RANGE_HELP: &str =
    "write a finite number, or quote the value if it is meant as a string";

#[cfg(test)]
mod tests {
    use super::*;

    fn inexact(text: &str) -> (Number, String) {
        match decimal_integer(text) {
            Written::Inexact { value, nearest } => (value, nearest),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn decimal_integers() {
        assert_eq!(decimal_integer("42"), Written::Exact(42.into()));
        assert_eq!(decimal_integer("+42"), Written::Exact(42.into()));
        assert_eq!(decimal_integer("-0"), Written::Exact(0.into()));
        assert_eq!(decimal_integer("007"), Written::Exact(7.into()));
        // 2^53 and 2^60 are exact in a double; 2^53 + 1 is not.
        assert_eq!(
            decimal_integer("9007199254740992"),
            Written::Exact(9_007_199_254_740_992_i64.into())
        );
        assert_eq!(
            decimal_integer("1152921504606846976"),
            Written::Exact(1_152_921_504_606_846_976_i64.into())
        );
        assert_eq!(
            inexact("9007199254740993"),
            (9_007_199_254_740_993_i64.into(), "9007199254740992".into())
        );
        assert_eq!(
            inexact("-9007199254740993"),
            (
                (-9_007_199_254_740_993_i64).into(),
                "-9007199254740992".into()
            )
        );
        assert_eq!(
            inexact("18446744073709551615"),
            (u64::MAX.into(), "18446744073709551616".into())
        );
        // Beyond 64 bits: the nearest double is the value kept.
        let (value, nearest) = inexact("99999999999999999999");
        assert_eq!(value.as_f64(), Some(1e20));
        assert!(value.is_f64());
        assert_eq!(nearest, "100000000000000000000");
        // 10^20 is exact in a double.
        assert_eq!(
            decimal_integer("100000000000000000000"),
            Written::Exact(Number::from_f64(1e20).unwrap())
        );
        assert_eq!(decimal_integer(&"9".repeat(400)), Written::NonFinite);
    }

    #[test]
    fn radix_integers() {
        assert_eq!(radix_integer("1F", 16), Written::Exact(31.into()));
        assert_eq!(radix_integer("17", 8), Written::Exact(15.into()));
        assert_eq!(radix_integer("000", 16), Written::Exact(0.into()));
        // 17 hex digits: 68 bits, all significant.
        match radix_integer("1FFFFFFFFFFFFFFFF", 16) {
            Written::Inexact { value, nearest } => {
                assert!(value.is_f64());
                assert_eq!(nearest, "36893488147419103232");
            }
            other => panic!("{other:?}"),
        }
        // 2^68: one significant bit.
        assert_eq!(
            radix_integer("100000000000000000", 16),
            Written::Exact(Number::from_f64(2f64.powi(68)).unwrap())
        );
        assert_eq!(
            radix_integer("20000000000000", 16),
            Written::Exact(9_007_199_254_740_992_u64.into())
        );
        assert!(matches!(
            radix_integer("20000000000001", 16),
            Written::Inexact { .. }
        ));
        assert!(matches!(
            radix_integer(&"F".repeat(32), 16),
            Written::Inexact { .. }
        ));
        assert!(matches!(
            radix_integer(&"7".repeat(60), 8),
            Written::Inexact { .. }
        ));
        assert_eq!(radix_integer(&"F".repeat(300), 16), Written::NonFinite);
    }

    #[test]
    fn floats() {
        assert_eq!(float("1.5"), Written::Exact(Number::from_f64(1.5).unwrap()));
        assert_eq!(float("+.5"), Written::Exact(Number::from_f64(0.5).unwrap()));
        assert_eq!(float("1e400"), Written::NonFinite);
        assert_eq!(float("-1e400"), Written::NonFinite);
        assert_eq!(
            float("1e-400"),
            Written::Exact(Number::from_f64(0.0).unwrap())
        );
    }

    #[test]
    fn messages_name_what_the_value_is() {
        assert!(out_of_range_message(".inf").contains("`.inf` is infinity"));
        assert!(out_of_range_message("-.Inf").contains("`-.Inf` is infinity"));
        assert!(out_of_range_message(".NaN").contains("is not-a-number"));
        assert!(out_of_range_message("1e400").contains("which makes it infinity"));
        assert!(
            imprecise_message("99999999999999999999", "100000000000000000000")
                .ends_with("the gateway reads 100000000000000000000")
        );
    }
}

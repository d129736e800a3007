//! Built-in rules written in Rust, for checks that are easier or much faster in Rust
//! than in Rego (certificate dates and names, CIDR arithmetic). They share the registry,
//! ids, metadata and result shape of the Rego rules: each has a metadata file
//! `policies/native/<id>.yaml` and reports [`PolicyResult`]s.

mod cidr;
mod ssl;

pub use super::plan::Check as NativeCheck;
#[cfg(test)]
pub(crate) use ssl::check as ssl_check;

/// Every native rule, by id.
pub const NATIVE_RULES: &[(&str, NativeCheck)] = &[
    ("ssl-certificate-validity", NativeCheck::Whole(ssl::check)),
    ("invalid-cidr", NativeCheck::Split(cidr::plan)),
];

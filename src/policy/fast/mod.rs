//! Rust twins of the built-in Rego rules: each reports exactly what its Rego file
//! reports, without building the engine's input document.
//!
//! The Rego file stays the rule's definition: its metadata, its documentation
//! (`gwlint explain`) and its unit tests (`gwlint policy test`) live there, and
//! `--rego-builtins` runs it instead of the twin. `tests/policy_input.rs` runs both
//! on every rule fixture and the example trees and requires the same results, so
//! the two cannot drift apart. The twins exist for speed: the engine needs every
//! route's configuration converted into its own value type (about 10 µs per route
//! at 100k routes) and then costs 1–3 µs per route for each rule; a twin reads the
//! model directly.

mod common;
mod cors_wildcard_credentials;
mod duplicate_route_name;
mod plaintext_credential;
mod protection;
mod require_https_upstream;
mod route_needs_auth;
mod route_needs_rate_limit;
mod route_needs_timeout;
mod route_shadowing;
mod undeclared_variable;
mod upstream_needs_health_checks;

use super::native::NativeCheck;

/// The built-in Rego rules that have a Rust twin, by rule id.
pub const TWINS: &[(&str, NativeCheck)] = &[
    (
        "cors-wildcard-credentials",
        NativeCheck::Split(cors_wildcard_credentials::plan),
    ),
    (
        "duplicate-route-name",
        NativeCheck::Whole(duplicate_route_name::check),
    ),
    (
        "plaintext-credential",
        NativeCheck::Split(plaintext_credential::plan),
    ),
    (
        "require-https-upstream",
        NativeCheck::Split(require_https_upstream::plan),
    ),
    (
        "route-needs-auth",
        NativeCheck::Split(route_needs_auth::plan),
    ),
    (
        "route-needs-rate-limit",
        NativeCheck::Split(route_needs_rate_limit::plan),
    ),
    (
        "route-needs-timeout",
        NativeCheck::Split(route_needs_timeout::plan),
    ),
    (
        "route-shadowing",
        NativeCheck::Whole(route_shadowing::check),
    ),
    (
        "undeclared-variable",
        NativeCheck::Split(undeclared_variable::plan),
    ),
    (
        "upstream-needs-health-checks",
        NativeCheck::Split(upstream_needs_health_checks::plan),
    ),
];

/// The twin of the built-in rule `id`, if it has one.
#[must_use]
pub fn twin(id: &str) -> Option<NativeCheck> {
    TWINS
        .iter()
        .find(|(twin, _)| *twin == id)
        .map(|(_, check)| *check)
}

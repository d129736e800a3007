//! Schema validation (wiring in progress).
pub mod checks;

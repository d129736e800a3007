//! gwlint: an offline checker and safe apply hand-off for APISIX gateway configuration.
//!
//! The crate is organised by stage: [`load`] turns files into documents with spans,
//! [`model`] merges an environment's documents, [`schema`] validates them, and
//! [`report`] renders [`finding::Finding`]s. [`check`] runs the stages in order.

#![forbid(unsafe_code)]

pub mod apply;
pub mod baseline;
pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod crash;
pub mod discover;
pub mod error;
pub mod finding;
pub mod format;
pub mod git;
pub mod init;
pub mod load;
pub mod lsp;
pub mod memory;
pub mod model;
pub mod netaddr;
pub mod policy;
pub mod promote;
pub mod regular;
pub mod renamed;
pub mod report;
pub mod rules;
pub mod schema;
pub mod scope;
pub mod secrets;
pub mod source;
pub mod suppress;
pub mod value;
pub mod variables;

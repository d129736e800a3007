//! Errors that stop gwlint from running (exit code 2).
//!
//! Findings are values; this type is only for "the tool could not run": bad flags,
//! an invalid config file, a path on the command line that does not exist, a schema
//! or policy that cannot be compiled. It names the file and, when known, the
//! position.

use std::fmt;

/// Why a run could not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolError {
    /// What went wrong, with the file (and `line:column`) it concerns.
    pub message: String,
    /// How to fix it, when there is something to say.
    pub help: Option<String>,
}

impl ToolError {
    /// An error with a message.
    pub fn new(message: impl Into<String>) -> Self {
        ToolError {
            message: message.into(),
            help: None,
        }
    }

    /// Add a hint.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ToolError {}

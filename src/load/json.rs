//! JSON → [`Document`] with spans (interim: JSON is parsed as YAML 1.2 flow).

use super::{LoadLimits, ParseOutput};
use crate::source::Source;

/// Parse a JSON file.
#[must_use]
pub fn parse(source: &Source, limits: &LoadLimits) -> ParseOutput {
    super::yaml::parse(source, limits)
}

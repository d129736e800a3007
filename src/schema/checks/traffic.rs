//! Imperative plugin checks: traffic plugins (see the parent module).

use super::PluginCheck;

/// The check for plugin `name`, if this group has one.
pub(super) fn lookup(name: &str) -> Option<PluginCheck> {
    match name {
        _ => None,
    }
}

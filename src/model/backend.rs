//! What ADC's backends do with an environment: fields a backend does not apply.
//!
//! ADC's services carry `path_prefix` and `strip_path_prefix`, but only its API7
//! Enterprise backend (`api7ee`) applies them; the `apisix` backend (ADC's default)
//! and `apisix-standalone` drop them when they translate a service, so the routes
//! answer on their own paths. A service that sets them under those backends gets a
//! `compat/backend-ignores-field` warning at the field, and its routes' paths are
//! judged (route shadowing) as the backend syncs them: without the prefix.

use super::{Documents, Environment};
use crate::finding::{Finding, Severity};
use crate::format::Format;
use crate::load::document::join_pointer;

/// ADC service fields only the API7 Enterprise backend applies.
const API7_ONLY_FIELDS: [&str; 2] = ["path_prefix", "strip_path_prefix"];

/// Whether `backend` (ADC's `--backend`; `None` is ADC's default, `apisix`) drops
/// the API7-only service fields.
fn drops_api7_fields(backend: Option<&str>) -> bool {
    matches!(backend.unwrap_or("apisix"), "apisix" | "apisix-standalone")
}

/// The routes' paths as `backend` syncs them: without their service's `path_prefix`
/// under the backends that drop it.
pub fn paths_as_synced(env: &mut Environment, backend: Option<&str>) {
    if !drops_api7_fields(backend) {
        return;
    }
    for route in &mut env.routes {
        let cut = std::mem::take(&mut route.path_prefix_len);
        if cut == 0 {
            continue;
        }
        for path in &mut route.paths {
            if path.is_char_boundary(cut as usize) {
                path.drain(..cut as usize);
            }
        }
    }
}

/// The warnings for fields that `backend` (ADC's `--backend`; `None` is ADC's
/// default, `apisix`) does not apply.
#[must_use]
pub fn ignored_fields(
    env: &Environment,
    backend: Option<&str>,
    documents: &Documents<'_>,
) -> Vec<Finding> {
    if !drops_api7_fields(backend) {
        return Vec::new();
    }
    let backend = backend.unwrap_or("apisix");
    let mut findings = Vec::new();
    for service in env.services.iter().filter(|s| s.format == Format::Adc) {
        let body = service.body.json();
        for field in API7_ONLY_FIELDS {
            if body.get(field).is_none() {
                continue;
            }
            let pointer = join_pointer(&service.origin.pointer, field);
            findings.push(Finding::new(
                "compat/backend-ignores-field",
                Severity::Warning,
                format!(
                    "ADC's `{backend}` backend ignores `{field}` (only the api7ee backend applies it): \
                     the routes of service `{}` are synced with their paths as written",
                    service.name.as_deref().unwrap_or(&service.id)
                ),
                "write the prefix into the routes' `uris`, or sync with the api7ee backend",
                documents.locate_key(&service.origin.source, &pointer),
            ));
        }
    }
    findings
}

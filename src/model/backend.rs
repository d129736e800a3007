//! What ADC's backends do with an environment: fields a backend does not apply.
//!
//! ADC's services carry `path_prefix` and `strip_path_prefix`, but only its API7
//! Enterprise backend (`api7ee`) applies them; the `apisix` backend (ADC's default)
//! and `apisix-standalone` drop them when they translate a service, so the routes
//! answer on their own paths. A service that sets them under those backends gets a
//! `compat/backend-ignores-field` warning at the field.

use super::{Documents, Environment};
use crate::finding::{Finding, Severity};
use crate::format::Format;
use crate::load::document::join_pointer;

/// ADC service fields only the API7 Enterprise backend applies.
const API7_ONLY_FIELDS: [&str; 2] = ["path_prefix", "strip_path_prefix"];

/// The warnings for fields that `backend` (ADC's `--backend`; `None` is ADC's
/// default, `apisix`) does not apply.
#[must_use]
pub fn ignored_fields(
    env: &Environment,
    backend: Option<&str>,
    documents: &Documents<'_>,
) -> Vec<Finding> {
    let backend = backend.unwrap_or("apisix");
    if !matches!(backend, "apisix" | "apisix-standalone") {
        return Vec::new();
    }
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

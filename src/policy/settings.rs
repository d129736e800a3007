//! Per-rule settings from the config file: enabled, severity, parameters.
//!
//! `rules:` at the top of `.gwlint.yaml` applies to every environment; an
//! environment's own `rules:` overrides it key by key. Rules are named by their full
//! id (`policy/route-needs-auth`, `schema/unknown-plugin`) or, for policies, by the
//! short id (`route-needs-auth`). Settings apply to every finding, whatever stage
//! raised it; policy parameters are merged over the rule's metadata defaults. A
//! renamed id (`policy/dangling-reference`) applies to the ids that replaced it.

use crate::finding::Severity;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The settings of one rule.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleSetting {
    /// `false` switches the rule off; `true` switches on a rule that is off by default.
    pub enabled: Option<bool>,
    /// Severity instead of the rule's default.
    pub severity: Option<Severity>,
    /// Parameters merged over the rule's defaults.
    pub params: Map<String, Value>,
}

/// Settings of every configured rule, keyed by the id as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleSettings {
    rules: BTreeMap<String, RuleSetting>,
}

impl RuleSettings {
    /// Settings from a map of id → setting; short policy ids (`route-needs-auth`)
    /// are stored under their full id (`policy/route-needs-auth`). The setting of a
    /// renamed id (`policy/dangling-reference`, see [`crate::renamed::RENAMED`]) is
    /// stored under each of its new ids, unless the map sets that id itself: old ids
    /// keep working for now (deprecated).
    #[must_use]
    pub fn new(rules: BTreeMap<String, RuleSetting>) -> Self {
        let mut rules: BTreeMap<String, RuleSetting> = rules
            .into_iter()
            .map(|(id, setting)| (full_id(&id), setting))
            .collect();
        let renamed: Vec<(&[&str], RuleSetting)> = rules
            .iter()
            .filter_map(|(id, setting)| Some((crate::renamed::renamed(id)?, setting.clone())))
            .collect();
        for (new_ids, setting) in renamed {
            for id in new_ids {
                rules
                    .entry((*id).to_owned())
                    .or_insert_with(|| setting.clone());
            }
        }
        RuleSettings { rules }
    }

    /// `self` overridden by `more` (an environment's settings over the global ones).
    #[must_use]
    pub fn overridden_by(&self, more: &RuleSettings) -> RuleSettings {
        let mut rules = self.rules.clone();
        for (id, setting) in &more.rules {
            let entry = rules.entry(id.clone()).or_default();
            if setting.enabled.is_some() {
                entry.enabled = setting.enabled;
            }
            if setting.severity.is_some() {
                entry.severity = setting.severity;
            }
            for (k, v) in &setting.params {
                entry.params.insert(k.clone(), v.clone());
            }
        }
        RuleSettings { rules }
    }

    /// The setting for a rule id (full, or short for policies).
    #[must_use]
    pub fn get(&self, rule: &str) -> Option<&RuleSetting> {
        self.rules.get(&full_id(rule))
    }

    /// Whether a rule runs.
    #[must_use]
    pub fn enabled(&self, rule: &str) -> bool {
        self.get(rule).and_then(|s| s.enabled).unwrap_or(true)
    }

    /// The severity of a rule's findings.
    #[must_use]
    pub fn severity(&self, rule: &str, default: Severity) -> Severity {
        self.get(rule).and_then(|s| s.severity).unwrap_or(default)
    }

    /// A rule's parameters: `defaults` with the configured ones merged over them.
    #[must_use]
    pub fn params(&self, rule: &str, defaults: &Value) -> Value {
        let mut params = defaults.as_object().cloned().unwrap_or_default();
        if let Some(setting) = self.get(rule) {
            for (k, v) in &setting.params {
                params.insert(k.clone(), v.clone());
            }
        }
        Value::Object(params)
    }

    /// Every configured id, in full form.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.rules.keys().map(String::as_str)
    }
}

/// The full id of a rule: ids without a namespace are policies.
#[must_use]
pub fn full_id(id: &str) -> String {
    if id.contains('/') {
        id.to_owned()
    } else {
        format!("policy/{id}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn environment_settings_override_global_ones() {
        let global = RuleSettings::new(BTreeMap::from([(
            "route-needs-rate-limit".to_owned(),
            RuleSetting {
                severity: Some(Severity::Error),
                params: json!({"a": 1, "b": 2}).as_object().cloned().unwrap(),
                ..RuleSetting::default()
            },
        )]));
        let staging = RuleSettings::new(BTreeMap::from([(
            "policy/route-needs-rate-limit".to_owned(),
            RuleSetting {
                severity: Some(Severity::Warning),
                ..RuleSetting::default()
            },
        )]));
        let merged = global.overridden_by(&staging);
        assert_eq!(
            merged.severity("policy/route-needs-rate-limit", Severity::Error),
            Severity::Warning
        );
        assert_eq!(
            merged.params("policy/route-needs-rate-limit", &json!({"a": 0, "c": 3})),
            json!({"a": 1, "b": 2, "c": 3})
        );
        assert!(merged.enabled("policy/anything"));
    }

    #[test]
    fn a_renamed_id_applies_to_its_new_ids_unless_they_are_set() {
        let settings = RuleSettings::new(BTreeMap::from([
            (
                "dangling-reference".to_owned(),
                RuleSetting {
                    severity: Some(Severity::Warning),
                    ..RuleSetting::default()
                },
            ),
            (
                "ref/dangling-upstream".to_owned(),
                RuleSetting {
                    enabled: Some(false),
                    ..RuleSetting::default()
                },
            ),
            (
                "policy/ssl-certificate".to_owned(),
                RuleSetting {
                    params: json!({"expiry_days": 60}).as_object().cloned().unwrap(),
                    ..RuleSetting::default()
                },
            ),
        ]));
        assert_eq!(
            settings.severity("ref/dangling-service", Severity::Error),
            Severity::Warning
        );
        assert!(settings.enabled("ref/dangling-service"));
        assert!(!settings.enabled("ref/dangling-upstream"));
        assert_eq!(
            settings.severity("ref/dangling-upstream", Severity::Error),
            Severity::Error,
            "the new id's own setting wins"
        );
        assert_eq!(
            settings.params(
                "policy/ssl-certificate-validity",
                &json!({"expiry_days": 30})
            ),
            json!({"expiry_days": 60})
        );
    }
}

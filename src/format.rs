//! The two file formats gwlint reads, and how a file's format is recognised.
//!
//! ADC's declarative format nests routes and upstreams inside services; APISIX's
//! standalone `apisix.yaml` lists every resource at the top level and links them by id.
//! Detection looks at a file's name, its top-level keys and their shapes; a file that
//! shows signs of both is reported by the caller.

use serde::Serialize;
use serde_json::Value;
use std::path::Path;

/// A configuration file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// ADC's declarative format (`adc sync -f`).
    Adc,
    /// APISIX's file-driven standalone format (`conf/apisix.yaml`).
    Standalone,
}

impl Format {
    /// The name used in the config file and on the command line.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Adc => "adc",
            Format::Standalone => "standalone",
        }
    }

    /// Parse a format name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "adc" => Some(Format::Adc),
            "standalone" | "apisix" | "apisix-standalone" => Some(Format::Standalone),
            _ => None,
        }
    }
}

/// Top-level keys that only standalone files have.
const STANDALONE_ONLY_KEYS: &[&str] = &[
    "routes",
    "upstreams",
    "plugin_configs",
    "protos",
    "stream_routes",
    "secrets",
    "plugins",
];

/// Top-level keys of either format that name gateway resources.
const RESOURCE_KEYS: &[&str] = &[
    "services",
    "consumers",
    "consumer_groups",
    "ssls",
    "global_rules",
    "plugin_metadata",
];

/// Whether a top-level key is one of either format's (`services`, `routes`,
/// `routes_conf_version`, ...): a file with none of them is not gateway configuration.
#[must_use]
pub fn is_top_level_key(key: &str) -> bool {
    RESOURCE_KEYS.contains(&key)
        || STANDALONE_ONLY_KEYS.contains(&key)
        || key.ends_with("_conf_version")
}

/// What detection concluded about one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detected {
    /// The file is in this format (or has nothing that says otherwise: ADC).
    Format(Format),
    /// The file has keys of both formats: the first ADC sign and the first standalone sign.
    Mixed {
        /// A top-level key that points to ADC.
        adc_key: String,
        /// A top-level key that points to standalone.
        standalone_key: String,
    },
}

/// Recognise the format of a parsed file from its name and top-level keys.
#[must_use]
pub fn detect(path: &Path, value: &Value) -> Detected {
    let Value::Object(root) = value else {
        return Detected::Format(Format::Adc);
    };
    let mut adc_sign: Option<String> = None;
    let mut standalone_sign: Option<String> = None;
    for (key, item) in root {
        match sign_of(key, item) {
            Some(Format::Adc) => {
                adc_sign.get_or_insert_with(|| key.clone());
            }
            Some(Format::Standalone) => {
                standalone_sign.get_or_insert_with(|| key.clone());
            }
            None => {}
        }
    }
    match (adc_sign, standalone_sign) {
        (Some(adc_key), Some(standalone_key)) => Detected::Mixed {
            adc_key,
            standalone_key,
        },
        (None, Some(_)) => Detected::Format(Format::Standalone),
        (None, None) if is_standalone_name(path) => Detected::Format(Format::Standalone),
        (Some(_) | None, None) => Detected::Format(Format::Adc),
    }
}

/// `apisix.yaml`, `apisix.yml` and `apisix.json` are standalone files by name.
fn is_standalone_name(path: &Path) -> bool {
    path.file_stem().and_then(|s| s.to_str()) == Some("apisix")
}

/// Which format a top-level key (with its value) belongs to, if it tells.
fn sign_of(key: &str, item: &Value) -> Option<Format> {
    if STANDALONE_ONLY_KEYS.contains(&key) || key.ends_with("_conf_version") {
        return Some(Format::Standalone);
    }
    match key {
        // A map keyed by plugin name in ADC, a list of `{id, ...}` in standalone.
        "global_rules" | "plugin_metadata" => match item {
            Value::Object(_) => Some(Format::Adc),
            Value::Array(_) => Some(Format::Standalone),
            _ => None,
        },
        "services" => items_sign(
            item,
            &["routes", "stream_routes", "upstreams", "path_prefix"],
            &["upstream_id", "desc", "enable_websocket", "script"],
        ),
        "consumers" => items_sign(item, &["credentials", "description"], &["desc", "group_id"]),
        "ssls" => items_sign(item, &["certificates"], &["cert", "key", "sni", "certs"]),
        _ => None,
    }
}

/// Look for keys typical of one format in the items of a list.
fn items_sign(list: &Value, adc_keys: &[&str], standalone_keys: &[&str]) -> Option<Format> {
    let Value::Array(items) = list else {
        return None;
    };
    let has_any = |keys: &[&str]| {
        items.iter().any(|item| {
            item.as_object()
                .is_some_and(|o| keys.iter().any(|k| o.contains_key(*k)))
        })
    };
    match (has_any(adc_keys), has_any(standalone_keys)) {
        (true, false) => Some(Format::Adc),
        (false, true) => Some(Format::Standalone),
        _ => None,
    }
}

/// Whether a standalone `consumers` item is a credential (`<user>/credentials/<id>`).
#[must_use]
pub fn is_credential(item: &Value) -> bool {
    item.get("id")
        .and_then(Value::as_str)
        .is_some_and(|id| id.contains("/credentials/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn detect_value(v: &Value) -> Detected {
        detect(Path::new("x.yaml"), v)
    }

    #[test]
    fn adc_by_nested_routes() {
        let v = json!({"services": [{"name": "a", "routes": []}]});
        assert_eq!(detect_value(&v), Detected::Format(Format::Adc));
    }

    #[test]
    fn standalone_by_top_level_routes() {
        let v = json!({"routes": [{"uri": "/"}]});
        assert_eq!(detect_value(&v), Detected::Format(Format::Standalone));
    }

    #[test]
    fn global_rules_shape_decides() {
        assert_eq!(
            detect_value(&json!({"global_rules": {"prometheus": {}}})),
            Detected::Format(Format::Adc)
        );
        assert_eq!(
            detect_value(&json!({"global_rules": [{"id": 1, "plugins": {}}]})),
            Detected::Format(Format::Standalone)
        );
    }

    #[test]
    fn mixed_names_both_keys() {
        let v = json!({"services": [{"name": "a", "routes": []}], "routes": []});
        assert_eq!(
            detect_value(&v),
            Detected::Mixed {
                adc_key: "services".into(),
                standalone_key: "routes".into()
            }
        );
    }

    #[test]
    fn file_name_apisix_is_standalone_when_keys_do_not_tell() {
        let v = json!({"consumers": [{"username": "a"}]});
        assert_eq!(
            detect(Path::new("conf/apisix.yaml"), &v),
            Detected::Format(Format::Standalone)
        );
        assert_eq!(detect_value(&v), Detected::Format(Format::Adc));
    }
}

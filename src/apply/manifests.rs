//! Kubernetes manifests of a rendered environment: `gwlint render --manifests`, what
//! the Argo CD plugin's `generate` prints (see `argocd/plugin.yaml`).
//!
//! - standalone engine: one `ConfigMap` holding the rendered `apisix.yaml`, for an
//!   APISIX in standalone mode that mounts it;
//! - adc engine: a `ConfigMap` holding the ADC bundle and a `Job` that runs
//!   `adc sync -f` on it, as an Argo CD `Sync` hook (re-created on every sync, after
//!   the `ConfigMap`: sync wave -1). The backend settings of `apply:` become the
//!   Job's ADC_* variables; the token (and the values of `${VAR}` placeholders ADC
//!   substitutes) come from a Secret the Job reads whole (`envFrom`), never from the
//!   manifests.
//!
//! No namespace is written: Argo CD puts the resources in the Application's
//! destination namespace. The output is deterministic: the same environment gives
//! byte-identical manifests, so Argo CD sees no change where there is none.

use super::Engine;
use crate::config::ApplyConfig;
use crate::error::ToolError;
use serde_json::{json, Value};
use sha2::Digest;

/// The ADC image the Job runs by default (ADC's own image; its entry point is the
/// `adc` command).
pub const DEFAULT_ADC_IMAGE: &str = "ghcr.io/api7/adc:0.28.0";

/// The most a `ConfigMap`'s data may hold (Kubernetes refuses more).
pub const CONFIG_MAP_LIMIT: usize = 1024 * 1024;

/// Where the Job mounts the bundle.
const BUNDLE_FOLDER: &str = "/etc/adc";

/// What the manifests are called and run.
#[derive(Debug, Clone)]
pub struct ManifestOptions {
    /// The base of the resources' names (made a valid Kubernetes name).
    pub name: String,
    /// The ADC image of the Job.
    pub adc_image: String,
    /// The Secret whose keys the Job gets as environment variables (default
    /// `<name>-adc`).
    pub secret: Option<String>,
}

/// The manifests for `text`, rendered for `engine`, as a YAML stream.
///
/// # Errors
/// A [`ToolError`] when the name cannot make a Kubernetes name, or the rendered
/// document does not fit a `ConfigMap`.
pub fn manifests(
    engine: Engine,
    text: &str,
    settings: &ApplyConfig,
    options: &ManifestOptions,
) -> Result<String, ToolError> {
    if text.len() > CONFIG_MAP_LIMIT {
        return Err(ToolError::new(format!(
            "the rendered document is {} bytes; a ConfigMap holds at most {CONFIG_MAP_LIMIT}",
            text.len()
        ))
        .with_help("split the gateway configuration into several Applications"));
    }
    // A Job's name is at most 63 characters; the longest suffix is `-adc-sync`.
    let name = kubernetes_name(&options.name, 63 - "-adc-sync".len())?;
    let digest = format!("{:x}", sha2::Sha256::digest(text.as_bytes()));
    let documents = match engine {
        Engine::Standalone => vec![config_map(
            &format!("{name}-apisix"),
            &name,
            "apisix-standalone-config",
            ("apisix.yaml", text),
            &digest,
            None,
        )],
        Engine::Adc => {
            let bundle = format!("{name}-adc");
            let secret = options
                .secret
                .clone()
                .unwrap_or_else(|| format!("{name}-adc"));
            vec![
                config_map(
                    &bundle,
                    &name,
                    "adc-bundle",
                    ("adc.yaml", text),
                    &digest,
                    Some("-1"),
                ),
                sync_job(&name, &bundle, &secret, &digest, settings, options),
            ]
        }
    };
    Ok(documents
        .iter()
        .map(super::yaml_out::to_yaml)
        .collect::<Vec<_>>()
        .join("---\n"))
}

/// `raw` as a Kubernetes (DNS-1123 label) name of at most `max` characters: lower
/// case, any other character than a letter, digit or `-` as `-`.
fn kubernetes_name(raw: &str, max: usize) -> Result<String, ToolError> {
    let mapped: String = raw
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut name: String = mapped.trim_matches('-').chars().take(max).collect();
    name.truncate(name.trim_end_matches('-').len());
    if name.is_empty() {
        return Err(ToolError::new(format!(
            "`{raw}` makes no Kubernetes name for the manifests"
        ))
        .with_help("give one with --name"));
    }
    Ok(name)
}

/// The labels of every resource of the manifests.
fn labels(part_of: &str, component: &str) -> Value {
    json!({
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/managed-by": "gwlint",
        "app.kubernetes.io/part-of": part_of,
    })
}

/// A `ConfigMap` holding one file.
fn config_map(
    name: &str,
    part_of: &str,
    component: &str,
    (file, text): (&str, &str),
    digest: &str,
    wave: Option<&str>,
) -> Value {
    let mut annotations = json!({ "gwlint/sha256": digest });
    if let Some(wave) = wave {
        annotations["argocd.argoproj.io/sync-wave"] = json!(wave);
    }
    json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": name,
            "labels": labels(part_of, component),
            "annotations": annotations,
        },
        "data": { file: text },
    })
}

/// The `Job` that runs `adc sync` on the bundle in `config_map`.
fn sync_job(
    name: &str,
    config_map: &str,
    secret: &str,
    digest: &str,
    settings: &ApplyConfig,
    options: &ManifestOptions,
) -> Value {
    let mut args = vec![
        json!("sync"),
        json!("-f"),
        json!(format!("{BUNDLE_FOLDER}/adc.yaml")),
    ];
    for (key, value) in &settings.label_selector {
        args.push(json!("--label-selector"));
        args.push(json!(format!("{key}={value}")));
    }
    let mut env = Vec::new();
    for (key, value) in [
        ("ADC_BACKEND", &settings.backend),
        ("ADC_SERVER", &settings.server),
        ("ADC_GATEWAY_GROUP", &settings.gateway_group),
    ] {
        if let Some(value) = value {
            env.push(json!({"name": key, "value": value}));
        }
    }
    // ADC turns verification off whenever the variable exists (see `adc.rs`).
    if settings.tls_skip_verify == Some(true) {
        env.push(json!({"name": "ADC_TLS_SKIP_VERIFY", "value": "true"}));
    }
    let labels = labels(name, "adc-sync");
    json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": format!("{name}-adc-sync"),
            "labels": labels,
            "annotations": {
                "argocd.argoproj.io/hook": "Sync",
                "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
                "gwlint/sha256": digest,
            },
        },
        "spec": {
            "backoffLimit": 0,
            "template": {
                "metadata": { "labels": labels },
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{
                        "name": "adc",
                        "image": options.adc_image,
                        "args": args,
                        "env": env,
                        "envFrom": [{ "secretRef": { "name": secret } }],
                        "volumeMounts": [{
                            "name": "bundle",
                            "mountPath": BUNDLE_FOLDER,
                            "readOnly": true,
                        }],
                    }],
                    "volumes": [{
                        "name": "bundle",
                        "configMap": { "name": config_map },
                    }],
                },
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_kubernetes_names() {
        assert_eq!(
            kubernetes_name("Prod_Gateway.eu", 54).unwrap(),
            "prod-gateway-eu"
        );
        assert_eq!(kubernetes_name("--a--", 54).unwrap(), "a");
        assert_eq!(kubernetes_name(&"x".repeat(80), 54).unwrap().len(), 54);
        assert_eq!(kubernetes_name("ab-cd", 3).unwrap(), "ab");
        assert!(kubernetes_name("__", 54).is_err());
    }

    #[test]
    fn a_document_over_the_config_map_limit_is_refused() {
        let options = ManifestOptions {
            name: "gw".into(),
            adc_image: DEFAULT_ADC_IMAGE.into(),
            secret: None,
        };
        let text = "x".repeat(CONFIG_MAP_LIMIT + 1);
        let error =
            manifests(Engine::Standalone, &text, &ApplyConfig::default(), &options).unwrap_err();
        assert!(
            error.message.contains("a ConfigMap holds at most 1048576"),
            "{}",
            error.message
        );
    }
}

//! `plaintext-credential` (`policies/plaintext-credential.rego`): a secret of a
//! credential, a consumer or any other resource's plugin written as a literal
//! instead of a reference. A secret is a field of the `secret_fields` parameter,
//! of `plugin_secret_fields`, or one the plugin stores encrypted (APISIX's
//! `encrypt_fields`, `data.gwlint_builtin.encrypt_fields` for the Rego twin). The
//! finding names the field, never the value.

use super::common::{
    config_field, is_adc, is_reference, label, result, string_leaves, string_set, Step,
};
use crate::model::{Environment, JsonRef, Resource};
use crate::policy::PolicyResult;
use foldhash::HashSet;
use foldhash::HashSetExt as _;
use serde_json::Value;

/// The `secret_fields` default of the rule's metadata.
const DEFAULT_SECRET_FIELDS: &[&str] = &[
    "password",
    "secret",
    "secret_key",
    "private_key",
    "client_secret",
    "client_key",
    "client_rsa_private_key",
    "token",
    "access_token",
    "refresh_token",
];

/// A plugin configuration that may hold secrets.
struct Site<'a> {
    obj: &'a Resource,
    plugin: &'a str,
    conf: JsonRef<'a>,
    /// An ADC credential's `config` (else a `plugins` entry).
    credential: bool,
}

impl Site<'_> {
    /// The field path of the configuration below its resource.
    fn prefix(&self) -> Vec<String> {
        if self.credential {
            vec!["config".into()]
        } else {
            vec!["plugins".into(), self.plugin.to_owned()]
        }
    }

    /// The resource as messages name it (built only for a finding).
    fn what(&self) -> String {
        if !self.credential {
            return format!("{} `{}`", self.obj.kind, label(self.obj));
        }
        let consumer = match self.obj.body.json().get("consumer") {
            Some(name) => name
                .as_str()
                .map_or_else(|| name.to_string(), str::to_owned),
            None => "?".into(),
        };
        format!("credential `{}` of consumer `{consumer}`", label(self.obj))
    }
}

pub fn check(env: &Environment, params: &Value, out: &mut Vec<PolicyResult>) {
    let secret_fields = string_set(params, "secret_fields", DEFAULT_SECRET_FIELDS);
    let default_plugin_fields = serde_json::json!({"key-auth": ["key"]});
    let plugin_fields = params
        .get("plugin_secret_fields")
        .unwrap_or(&default_plugin_fields);
    let encrypted_fields = params
        .get("encrypt_fields")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    for site in sites(env) {
        let plugin_secrets: HashSet<&str> = match plugin_fields.get(site.plugin) {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
            _ => HashSet::new(),
        };
        // Most plugins encrypt nothing: their strings are not looked up.
        let encrypted = if encrypted_fields {
            crate::secrets::encrypt_fields(site.plugin)
        } else {
            &[]
        };
        string_leaves(site.conf, |path, value| {
            let Some(field) = field_name(path) else {
                return;
            };
            let secret = secret_fields.contains(field)
                || plugin_secrets.contains(field)
                || (!encrypted.is_empty() && is_encrypted(site.plugin, path));
            if !secret || value.is_empty() || is_reference(value) {
                return;
            }
            let field_path = config_field(
                site.obj,
                site.prefix()
                    .into_iter()
                    .chain(path.iter().map(|s| s.text()))
                    .collect(),
            );
            out.push(result(
                format!(
                    "{} has a literal `{field}` ({}): write a reference such as `$env://...` or `$secret://...` instead",
                    site.what(),
                    site.plugin
                ),
                &site.obj.origin,
                field_path,
            ));
        });
    }
}

/// ADC credentials (`type` and `config`), and the plugins of credentials,
/// consumers, routes, services, plugin configs, global rules, consumer groups and
/// stream routes.
fn sites(env: &Environment) -> impl Iterator<Item = Site<'_>> {
    let credentials = env
        .credentials
        .iter()
        .filter(|c| is_adc(c))
        .filter_map(|credential| {
            let body = credential.body.json();
            Some(Site {
                obj: credential,
                plugin: body.get("type").and_then(JsonRef::as_str)?,
                conf: body.get("config").filter(|c| c.is_object())?,
                credential: true,
            })
        });
    let routes = env.routes.iter().map(|r| &r.resource);
    let plugins = env
        .credentials
        .iter()
        .chain(&env.consumers)
        .chain(routes)
        .chain(&env.services)
        .chain(&env.plugin_configs)
        .chain(&env.global_rules)
        .chain(&env.consumer_groups)
        .chain(&env.stream_routes)
        .filter_map(|obj| Some((obj, obj.plugins()?)))
        .flat_map(|(obj, plugins)| {
            plugins
                .iter()
                .filter(|(_, c)| c.is_object())
                .map(move |(plugin, conf)| Site {
                    obj,
                    plugin,
                    conf,
                    credential: false,
                })
        });
    credentials.chain(plugins)
}

/// Whether the string at `path` of `plugin`'s configuration is under one of the
/// fields the plugin stores encrypted (APISIX's `encrypt_fields`).
fn is_encrypted(plugin: &str, path: &[Step<'_>]) -> bool {
    let names: Vec<&str> = path
        .iter()
        .filter_map(|step| match step {
            Step::Key(key) => Some(*key),
            Step::Index(_) => None,
        })
        .collect();
    crate::secrets::is_encrypted(plugin, &names)
}

/// The name of the field a secret string is in: its key, or, for an item of a
/// list, the list's key.
fn field_name<'a>(path: &[Step<'a>]) -> Option<&'a str> {
    match path {
        [.., Step::Key(key)] | [.., Step::Key(key), Step::Index(_)] => Some(key),
        _ => None,
    }
}

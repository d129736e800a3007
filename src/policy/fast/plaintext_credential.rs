//! `plaintext-credential` (`policies/plaintext-credential.rego`): a secret of a
//! credential, a consumer or any other resource's plugin written as a literal
//! instead of a reference. A secret is a field of the `secret_fields` parameter,
//! of `plugin_secret_fields`, or one the plugin stores encrypted (APISIX's
//! `encrypt_fields`, `data.gwlint_builtin.encrypt_fields` for the Rego twin). The
//! finding names the field, never the value.

use super::common::{
    config_field, is_adc, is_reference, label, result, string_leaves, string_set, Step, LEAF_DEPTH,
};
use crate::model::{Environment, JsonRef, Resource};
use crate::policy::plan::Plan;
use crate::policy::PolicyResult;
use foldhash::HashSet;
use serde_json::Value;
use std::sync::Arc;

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

/// The rule's plan: the routes' own plugins in the route pass (they are most of the
/// work: 100,000 routes' configurations to walk), everything else after it.
pub fn plan<'a>(env: &'a Environment, params: &'a Value) -> Plan<'a> {
    let rule = Arc::new(Secrets::new(params));
    let in_routes = rule.clone();
    Plan::per_route(move |route, out| {
        for site in plugin_sites(&route.resource) {
            in_routes.check(&site, out);
        }
    })
    .then(move |out| {
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
        let plugins = env
            .credentials
            .iter()
            .chain(&env.consumers)
            .chain(&env.services)
            .chain(&env.plugin_configs)
            .chain(&env.global_rules)
            .chain(&env.consumer_groups)
            .chain(&env.stream_routes)
            .flat_map(plugin_sites);
        for site in credentials.chain(plugins) {
            rule.check(&site, out);
        }
    })
}

/// The rule's parameters.
struct Secrets<'a> {
    /// `secret_fields`: names that are secrets in any plugin.
    names: HashSet<String>,
    /// `plugin_secret_fields`: names that are secrets in one plugin.
    per_plugin: Option<&'a Value>,
    /// `encrypt_fields`: whether APISIX's encrypted fields count.
    encrypted: bool,
}

impl<'a> Secrets<'a> {
    fn new(params: &'a Value) -> Self {
        Secrets {
            names: string_set(params, "secret_fields", DEFAULT_SECRET_FIELDS),
            per_plugin: params.get("plugin_secret_fields"),
            encrypted: params
                .get("encrypt_fields")
                .and_then(Value::as_bool)
                .unwrap_or(true),
        }
    }

    /// The `plugin_secret_fields` of a plugin (default: key-auth's `key`): a few
    /// names, looked up one by one (most plugins have none, and asking costs nothing).
    fn plugin_secrets(&self, plugin: &str) -> Vec<&str> {
        match self.per_plugin {
            Some(fields) => match fields.get(plugin) {
                Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            },
            None if plugin == "key-auth" => vec!["key"],
            None => Vec::new(),
        }
    }

    /// Report every literal secret of one plugin configuration.
    fn check(&self, site: &Site<'_>, out: &mut Vec<PolicyResult>) {
        let plugin_secrets = self.plugin_secrets(site.plugin);
        // Most plugins encrypt nothing: their strings are not looked up.
        let encrypted = if self.encrypted {
            crate::secrets::encrypt_fields(site.plugin)
        } else {
            &[]
        };
        string_leaves(site.conf, |path, value| {
            let Some(field) = field_name(path) else {
                return;
            };
            let secret = self.names.contains(field)
                || plugin_secrets.contains(&field)
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

/// The configurations in a resource's own `plugins`.
fn plugin_sites(obj: &Resource) -> impl Iterator<Item = Site<'_>> {
    obj.plugins()
        .into_iter()
        .flat_map(crate::model::compact::Object::iter)
        .filter(|(_, conf)| conf.is_object())
        .map(move |(plugin, conf)| Site {
            obj,
            plugin,
            conf,
            credential: false,
        })
}

/// Whether the string at `path` of `plugin`'s configuration is under one of the
/// fields the plugin stores encrypted (APISIX's `encrypt_fields`).
fn is_encrypted(plugin: &str, path: &[Step<'_>]) -> bool {
    // A path is at most `LEAF_DEPTH` steps: its keys fit on the stack.
    let mut names = [""; LEAF_DEPTH];
    let mut count = 0;
    for step in path {
        if let (Step::Key(key), Some(slot)) = (step, names.get_mut(count)) {
            *slot = key;
            count += 1;
        }
    }
    crate::secrets::is_encrypted(plugin, &names[..count])
}

/// The name of the field a secret string is in: its key, or, for an item of a
/// list, the list's key.
fn field_name<'a>(path: &[Step<'a>]) -> Option<&'a str> {
    match path {
        [.., Step::Key(key)] | [.., Step::Key(key), Step::Index(_)] => Some(key),
        _ => None,
    }
}

//! `gwlint drift`: does the live gateway still match the environment in Git?
//!
//! Read-only. With the adc engine, ADC's own comparison decides: `adc diff` of the
//! rendered bundle (the same settings, token handling and private folder as
//! `apply`), whose plan lists what `adc sync` would create, update or delete. With
//! the standalone engine, the rendered `apisix.yaml` is compared resource by
//! resource with the deployed file (`apply.out`), or with the configuration the
//! Admin API of an API-driven standalone APISIX answers (`apply.server`); both
//! sides get the defaults APISIX fills in (resource and plugin schema defaults), so
//! a field written out with its default value is no drift.
//!
//! Each drifted resource becomes a finding: `drift/added-on-gateway` (on the
//! gateway, not in Git), `drift/changed-on-gateway` (different), or
//! `drift/missing-on-gateway` (in Git, not on the gateway). A finding is placed at
//! the resource's definition in Git when it has one, else at the environment's
//! folder, and names the fields that differ, never their values.

use super::{adc, admin, Checked};
use crate::error::ToolError;
use crate::finding::{Finding, Location, Severity};
use crate::model::{Documents, Environment, Resource};
use crate::policy::RuleSettings;
use crate::schema::SchemaSet;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

/// How a resource differs between the gateway and Git.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// On the gateway, not in Git.
    Added,
    /// In both, different.
    Changed,
    /// In Git, not on the gateway.
    Missing,
}

impl Change {
    /// The rule id of its findings.
    #[must_use]
    pub fn rule(self) -> &'static str {
        match self {
            Change::Added => "drift/added-on-gateway",
            Change::Changed => "drift/changed-on-gateway",
            Change::Missing => "drift/missing-on-gateway",
        }
    }
}

/// One resource that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// How it differs.
    pub change: Change,
    /// Its type, as the engine names it (`route`, `service`, `consumer_credential`, ...).
    pub resource_type: String,
    /// Its id.
    pub id: String,
    /// Its name (may be empty).
    pub name: String,
    /// The id of the resource it is nested in (a service's route), when known.
    pub parent: Option<String>,
    /// For a change: the paths of the fields that differ.
    pub fields: Vec<String>,
}

/// What a comparison found.
#[derive(Debug)]
pub enum Comparison {
    /// The differences (none: no drift).
    Drifts(Vec<Drift>),
    /// The engine or the gateway could not be reached; why.
    Unavailable(String),
}

impl Drift {
    /// The drift an event of ADC's plan stands for: `create` means missing on the
    /// gateway, `delete` added on it, `update` changed.
    fn from_event(event: adc::DiffEvent) -> Option<Drift> {
        let change = match event.kind.as_str() {
            "create" => Change::Missing,
            "delete" => Change::Added,
            // ADC drops these itself before writing the plan; they change nothing.
            "only_sub_events" => return None,
            _ => Change::Changed,
        };
        Some(Drift {
            change,
            resource_type: event.resource_type,
            id: event.resource_id,
            name: event.resource_name,
            parent: event.parent_id,
            fields: event.fields,
        })
    }
}

/// Compare with `adc diff`: `text` is the bundle `apply` would hand to `adc sync`.
/// adc's own output goes to `log` (token masked).
///
/// # Errors
/// A [`ToolError`] when adc is not installed or cannot be started.
pub fn with_adc(
    checked: &Checked,
    text: &str,
    log: &mut dyn Write,
) -> Result<Comparison, ToolError> {
    let staged = super::Staged::new(&checked.target.apply, text)?;
    let _ = writeln!(log, "gwlint: adc diff ({})", checked.target.name);
    Ok(match staged.diff(log)? {
        super::DiffRun::Events(events) => {
            Comparison::Drifts(events.into_iter().filter_map(Drift::from_event).collect())
        }
        super::DiffRun::Stopped => {
            Comparison::Unavailable("interrupted: the gateway was not compared".into())
        }
        super::DiffRun::Failed(code) => Comparison::Unavailable(format!(
            "adc diff failed ({}): the gateway could not be compared with Git; adc's output is above",
            code.map_or_else(|| "ended by a signal".to_owned(), |c| format!("exit {c}"))
        )),
    })
}

/// Where the standalone engine's running configuration is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deployed {
    /// The `apisix.yaml` APISIX reads.
    File(PathBuf),
    /// The Admin API of an APISIX in API-driven standalone mode.
    AdminApi(String),
}

impl Deployed {
    /// The Admin API when `apply.server` is set, else the file (`--out`, then
    /// `apply.out`).
    ///
    /// # Errors
    /// A [`ToolError`] when neither is configured.
    pub fn of(checked: &Checked, out: Option<&Path>) -> Result<Deployed, ToolError> {
        let settings = &checked.target.apply;
        if let Some(server) = &settings.server {
            return Ok(Deployed::AdminApi(server.clone()));
        }
        out.map(Path::to_path_buf)
            .or_else(|| settings.out.clone())
            .map(Deployed::File)
            .ok_or_else(|| {
                ToolError::new("the standalone engine compares with the deployed file or the Admin API")
                    .with_help("give --out PATH (or `apply.out`) for the apisix.yaml APISIX reads, or `apply.server` for an API-driven standalone APISIX")
            })
    }
}

/// Compare the rendered standalone document with what is deployed.
///
/// # Errors
/// A [`ToolError`] when the TLS settings cannot be read.
pub fn with_standalone(
    rendered: &Value,
    deployed: &Deployed,
    checked: &Checked,
    schemas: &SchemaSet,
) -> Result<Comparison, ToolError> {
    let live = match deployed {
        Deployed::AdminApi(server) => {
            match admin::fetch_configuration(&checked.target.apply, server)? {
                Ok(live) => live,
                Err(why) => return Ok(Comparison::Unavailable(why)),
            }
        }
        Deployed::File(path) => match read_deployed(path) {
            Ok(live) => live,
            Err(why) => return Ok(Comparison::Unavailable(why)),
        },
    };
    Ok(Comparison::Drifts(compare_standalone(
        rendered, &live, schemas,
    )))
}

/// The deployed `apisix.yaml` (or `.json`) as a value, or why it cannot be read.
fn read_deployed(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the deployed file {}: {e}", path.display()))?;
    let loaded = crate::load::parse_text(path, text, &crate::load::LoadLimits::default());
    let parsed = loaded
        .findings
        .iter()
        .all(|f| f.severity != Severity::Error);
    match loaded.document.map(|d| d.value) {
        Some(value @ Value::Object(_)) if parsed => Ok(value),
        Some(Value::Null) | None if parsed => Ok(Value::Object(serde_json::Map::new())),
        _ => Err(format!(
            "the deployed file {} is not a readable APISIX standalone file",
            path.display()
        )),
    }
}

/// Fields the gateway keeps about a resource that are no part of its configuration.
const BOOKKEEPING: [&str; 3] = ["modifiedIndex", "create_time", "update_time"];

/// The drifts between two standalone documents, list by list (`routes`, ...), items
/// matched by `id` (consumers by `username`, the `plugins` list by `name`).
#[must_use]
pub fn compare_standalone(git: &Value, live: &Value, schemas: &SchemaSet) -> Vec<Drift> {
    let resources = crate::schema::plugins::resources(schemas.plugins.version());
    let lists = |document: &Value| -> Vec<String> {
        document
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(_, v)| v.is_array())
            .map(|(k, _)| k.clone())
            .collect()
    };
    let mut keys = lists(git);
    keys.extend(lists(live));
    keys.sort();
    keys.dedup();
    let mut drifts = Vec::new();
    for list in keys {
        let items = |document: &Value| -> Vec<(String, Value)> {
            document
                .get(&list)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(i, item)| {
                    let key = item_key(item).unwrap_or_else(|| format!("#{i}"));
                    (key, normalized(&list, item, schemas, resources.as_ref()))
                })
                .collect()
        };
        let (ours, theirs) = (items(git), items(live));
        let resource_type = resource_type(&list);
        let drift = |change, key: &str, item: &Value, fields| Drift {
            change,
            resource_type: if is_credential_key(key) {
                "credential".into()
            } else {
                resource_type.clone()
            },
            id: key.to_owned(),
            name: crate::value::text(item, "name")
                .or_else(|| crate::value::text(item, "username"))
                .unwrap_or_else(|| crate::value::strings(item.get("snis")).join(",")),
            parent: None,
            fields,
        };
        let index = |items: &[(String, Value)]| -> std::collections::HashMap<String, usize> {
            items
                .iter()
                .enumerate()
                .map(|(i, (key, _))| (key.clone(), i))
                .collect()
        };
        let (in_git, on_gateway) = (index(&ours), index(&theirs));
        for (key, live_item) in &theirs {
            match in_git.get(key).map(|&i| &ours[i]) {
                None => drifts.push(drift(Change::Added, key, live_item, Vec::new())),
                Some((_, git_item)) if git_item != live_item => drifts.push(drift(
                    Change::Changed,
                    key,
                    git_item,
                    crate::promote::differing_paths(live_item, git_item),
                )),
                Some(_) => {}
            }
        }
        for (key, git_item) in &ours {
            if !on_gateway.contains_key(key) {
                drifts.push(drift(Change::Missing, key, git_item, Vec::new()));
            }
        }
    }
    drifts
}

/// Whether a `consumers` item key is a credential's (`<username>/credentials/<id>`).
fn is_credential_key(key: &str) -> bool {
    key.contains("/credentials/")
}

/// The key that identifies a standalone list item.
fn item_key(item: &Value) -> Option<String> {
    ["id", "username", "name"]
        .iter()
        .find_map(|k| item.get(*k).and_then(crate::value::id_string))
}

/// The resource type of a standalone list (`routes` → `route`).
fn resource_type(list: &str) -> String {
    match list {
        "plugin_metadata" => list.to_owned(),
        "plugins" => "plugin".to_owned(),
        _ => list.strip_suffix('s').unwrap_or(list).to_owned(),
    }
}

/// An item as APISIX holds it: without its bookkeeping fields, with the defaults
/// of its resource schema and of its plugins' schemas filled in.
fn normalized(list: &str, item: &Value, schemas: &SchemaSet, resources: Option<&Value>) -> Value {
    let mut item = item.clone();
    if let Value::Object(fields) = &mut item {
        for key in BOOKKEEPING {
            fields.shift_remove(key);
        }
    }
    let kind = resource_type(list);
    if let Some(schema) = resources.and_then(|r| r.get(&kind)) {
        item = crate::schema::with_defaults(schema, &item);
    }
    let consumer = list == "consumers";
    if list == "plugin_metadata" {
        let plugin = item_key(&item).unwrap_or_default();
        if let Some(schema) = schemas
            .plugins
            .get(&plugin)
            .and_then(|p| p.metadata_schema.as_ref())
        {
            item = crate::schema::with_defaults(&schema.schema, &item);
        }
    }
    if let Some(Value::Object(plugins)) = item.get_mut("plugins") {
        for (name, config) in plugins.iter_mut() {
            let Some(plugin) = schemas.plugins.get(name) else {
                continue;
            };
            let schema = match (&plugin.consumer_schema, consumer) {
                (Some(schema), true) => schema,
                _ => &plugin.schema,
            };
            *config = crate::schema::with_defaults(&schema.schema, config);
        }
    }
    item
}

/// The findings of `drifts`: each at its resource's definition in Git when there
/// is one, else at the environment's folder; with the severity the environment's
/// rule settings give, and none for a rule they turn off.
#[must_use]
pub fn findings(drifts: &[Drift], checked: &Checked, rules: &RuleSettings) -> Vec<Finding> {
    let empty = Environment::default();
    let model = checked
        .outcome
        .environments
        .first()
        .map_or(&empty, |e| &e.model);
    let documents = Documents::new(&checked.files);
    let folder = Location {
        source: std::sync::Arc::new(crate::source::SourceFile::new(
            checked.folder(),
            String::new(),
        )),
        span: crate::source::Span::point(crate::source::Position::START),
        pointer: String::new(),
    };
    let environment = crate::finding::Text::from(&checked.target.name);
    let mut findings: Vec<Finding> = drifts
        .iter()
        .filter(|drift| rules.enabled(drift.change.rule()))
        .map(|drift| {
            let definition = definition(model, drift);
            let location = definition.map_or_else(
                || folder.clone(),
                |resource| resource.origin.location(&documents),
            );
            let (message, help) = describe(drift, definition.is_some());
            let rule = drift.change.rule();
            let severity = rules.severity(rule, Severity::Error);
            let mut finding = Finding::new(rule, severity, message, help, location);
            finding.environment = Some(environment.clone());
            finding
        })
        .collect();
    crate::finding::sort_findings(&mut findings);
    findings
}

/// The message and help of a drift's finding.
fn describe(drift: &Drift, in_git: bool) -> (String, String) {
    let what = format!(
        "{} `{}`",
        drift.resource_type.replace('_', " "),
        if drift.name.is_empty() {
            &drift.id
        } else {
            &drift.name
        }
    );
    match drift.change {
        Change::Added => (
            format!("{what} is on the gateway but not in Git: it was added by hand, or its definition was removed from Git without a sync"),
            "write it into Git if it should stay; otherwise `gwlint apply` removes it".into(),
        ),
        Change::Missing => (
            format!("{what} is in Git but missing on the gateway: it was removed by hand, or Git was never synced"),
            "`gwlint apply` creates it again".into(),
        ),
        Change::Changed => {
            let place = if in_git { "" } else { " (its definition in Git was not found)" };
            let message = if drift.fields.is_empty() {
                format!("{what} differs on the gateway from Git{place}")
            } else {
                let fields: Vec<String> = drift.fields.iter().map(|f| shown_field(f)).collect();
                format!(
                    "{what} differs on the gateway from Git{place}: {}",
                    fields.join(", ")
                )
            };
            (
                message,
                "`gwlint apply` puts Git's version back; if the gateway's change should stay, write it into Git".into(),
            )
        }
    }
}

/// A changed field's path in backticks, marked when its value is a secret (values
/// are never shown).
fn shown_field(path: &str) -> String {
    let mut pointer = String::new();
    for part in path.split('.') {
        let mut tokens = part.split('[');
        let name = tokens.next().unwrap_or_default();
        let indices = tokens.map(|t| t.trim_end_matches(']'));
        for token in std::iter::once(name)
            .chain(indices)
            .filter(|t| !t.is_empty())
        {
            pointer.push('/');
            pointer.push_str(&crate::load::document::escape_token(token));
        }
    }
    if crate::secrets::is_secret_pointer(&pointer) {
        format!("`{path}` (a secret)")
    } else {
        format!("`{path}`")
    }
}

/// The resource of the model a drift is about, when Git defines it: by id, else by
/// name (and, for a route, its service).
fn definition<'a>(model: &'a Environment, drift: &Drift) -> Option<&'a Resource> {
    let routes = || {
        model.routes.iter().filter(|route| {
            drift
                .parent
                .as_ref()
                .is_none_or(|parent| route.service_id.as_deref() == Some(parent.as_str()))
        })
    };
    let candidates: Vec<&Resource> = match drift.resource_type.as_str() {
        "route" => routes().map(|r| &r.resource).collect(),
        "service" | "stream_service" => model.services.iter().collect(),
        "stream_route" => model.stream_routes.iter().collect(),
        "upstream" => model.upstreams.iter().collect(),
        "consumer" => model.consumers.iter().collect(),
        "consumer_credential" | "credential" => model.credentials.iter().collect(),
        "consumer_group" => model.consumer_groups.iter().collect(),
        "ssl" => model.ssls.iter().collect(),
        "global_rule" => model.global_rules.iter().collect(),
        "plugin_config" => model.plugin_configs.iter().collect(),
        "plugin_metadata" => model.plugin_metadata.iter().collect(),
        _ => Vec::new(),
    };
    let last = drift.id.rsplit('/').next().unwrap_or_default();
    candidates
        .iter()
        .find(|r| r.id == drift.id || (!last.is_empty() && r.id == last))
        .or_else(|| {
            candidates
                .iter()
                .find(|r| !drift.name.is_empty() && r.name.as_deref() == Some(drift.name.as_str()))
        })
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schemas() -> SchemaSet {
        SchemaSet::load(&[]).unwrap()
    }

    #[test]
    fn standalone_documents_differ_resource_by_resource() {
        let git = json!({
            "routes": [
                {"id": "r1", "uris": ["/a"], "plugins": {"key-auth": {}}},
                {"id": "r2", "uri": "/b"},
            ],
            "consumers": [{"username": "alice", "plugins": {"key-auth": {"key": "in-git"}}}],
        });
        let live = json!({
            "routes_conf_version": 3,
            "X-Digest": "abc",
            "routes": [
                {"id": "r1", "uris": ["/a", "/z"], "plugins": {"key-auth": {}}, "modifiedIndex": 7, "priority": 0, "status": 1},
                {"id": "r3", "uri": "/c"},
            ],
            "consumers": [{"username": "alice", "plugins": {"key-auth": {"key": "by-hand"}}}],
        });
        let drifts = compare_standalone(&git, &live, &schemas());
        let summary: Vec<(Change, &str, &str, Vec<String>)> = drifts
            .iter()
            .map(|d| {
                (
                    d.change,
                    d.resource_type.as_str(),
                    d.id.as_str(),
                    d.fields.clone(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    Change::Changed,
                    "consumer",
                    "alice",
                    vec!["plugins.key-auth.key".to_owned()]
                ),
                (Change::Changed, "route", "r1", vec!["uris".to_owned()]),
                (Change::Added, "route", "r3", vec![]),
                (Change::Missing, "route", "r2", vec![]),
            ]
        );
    }

    #[test]
    fn defaults_written_out_are_no_drift() {
        let git = json!({"upstreams": [{"id": "u", "nodes": {"a:80": 1}}]});
        let live = json!({"upstreams": [{"id": "u", "nodes": {"a:80": 1}, "type": "roundrobin", "scheme": "http", "pass_host": "pass", "hash_on": "vars"}]});
        assert_eq!(compare_standalone(&git, &live, &schemas()), []);
        let changed = json!({"upstreams": [{"id": "u", "nodes": {"a:80": 1}, "scheme": "https"}]});
        let drifts = compare_standalone(&git, &changed, &schemas());
        assert_eq!(drifts.len(), 1);
        assert_eq!(drifts[0].fields, ["scheme"]);
    }

    #[test]
    fn secret_fields_are_marked_and_other_fields_are_not() {
        assert_eq!(
            shown_field("plugins.key-auth.key"),
            "`plugins.key-auth.key` (a secret)"
        );
        assert_eq!(
            shown_field("plugins.limit-count.count"),
            "`plugins.limit-count.count`"
        );
        assert_eq!(shown_field("nodes[0].port"), "`nodes[0].port`");
    }
}

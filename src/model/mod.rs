//! The environment model: one normalized view of all files of an environment.
//!
//! Owns the merge of an environment's files (the way `adc sync -f a -f b` merges
//! them: services by name, consumers by username, SSLs by SNIs, global rules and
//! plugin metadata by plugin name; standalone resources by id), the resource ids
//! (derived as ADC derives them), and each route's *effective plugins*. ADC and
//! standalone files produce the same model; every object remembers where it was
//! written. Bodies are kept as compact JSON ([`compact`]), one arena per file, built
//! as soon as the file is checked ([`FilePart`]). Policies read this model;
//! duplicates found while merging (`ref/duplicate-*`) and references to resources
//! that do not exist (`ref/dangling-*`, [`references`]) are findings.

mod adc;
pub mod backend;
pub mod compact;
mod effective;
mod merge;
pub mod references;
mod standalone;

use crate::check::CheckedFile;
use crate::finding::{Finding, Location};
use crate::format::Format;
use crate::source::Source;
pub use compact::{Body, JsonRef, Kind};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Where a model object was written. It serializes as `file` (as shown to users),
/// `pointer`, `line` and `column`.
#[derive(Debug, Clone)]
pub struct Origin {
    /// JSON pointer of the object inside the file.
    pub pointer: String,
    /// 1-based line of the object.
    pub line: u32,
    /// 1-based column of the object.
    pub column: u32,
    /// The file's source, for locating fields of the object.
    pub source: Source,
}

impl Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut origin = serializer.serialize_struct("Origin", 4)?;
        origin.serialize_field("file", self.file())?;
        origin.serialize_field("pointer", &self.pointer)?;
        origin.serialize_field("line", &self.line)?;
        origin.serialize_field("column", &self.column)?;
        origin.end()
    }
}

impl Origin {
    /// The file, as shown to users.
    #[must_use]
    pub fn file(&self) -> &str {
        &self.source.display
    }

    /// The location of the object itself.
    #[must_use]
    pub fn location(&self, documents: &Documents<'_>) -> Location {
        documents.locate(&self.source, &self.pointer)
    }
}

/// The documents of an environment's files, for locating pointers.
pub struct Documents<'a> {
    files: &'a [CheckedFile],
    /// File index by the address of its source, and by its display path.
    /// (The address is kept as a number, so the index can be shared by threads.)
    by_source: std::collections::HashMap<usize, usize>,
    by_name: std::collections::HashMap<&'a str, usize>,
}

impl<'a> Documents<'a> {
    /// Wrap checked files.
    #[must_use]
    pub fn new(files: &'a [CheckedFile]) -> Self {
        let by_source = files
            .iter()
            .enumerate()
            .map(|(i, f)| (address(&f.file.source), i))
            .collect();
        let by_name = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.file.source.display.as_str(), i))
            .collect();
        Documents {
            files,
            by_source,
            by_name,
        }
    }

    /// The source of the file shown as `display`.
    #[must_use]
    pub fn source_named(&self, display: &str) -> Option<Source> {
        self.by_name
            .get(display)
            .map(|&i| self.files[i].file.source.clone())
    }

    /// The start of the environment's first file (for findings with no place).
    #[must_use]
    pub fn first_file_location(&self) -> Location {
        let source = self.files.first().map_or_else(
            || std::sync::Arc::new(crate::source::SourceFile::new(".".into(), String::new())),
            |f| f.file.source.clone(),
        );
        Location {
            source,
            span: crate::source::Span::point(crate::source::Position::START),
            pointer: String::new(),
        }
    }

    /// The span node of `pointer` in `source`, when the file was parsed and the
    /// pointer exists in it.
    #[must_use]
    pub fn node(
        &self,
        source: &Source,
        pointer: &str,
    ) -> Option<crate::load::span_tree::NodeRef<'a>> {
        let &i = self.by_source.get(&address(source))?;
        self.files[i].file.document.as_ref()?.node(pointer)
    }

    /// The location of the key of `pointer` in `source` (its value's when the key has
    /// no span of its own, as a sequence item; nearest existing ancestor when missing).
    #[must_use]
    pub fn locate_key(&self, source: &Source, pointer: &str) -> Location {
        self.located(source, pointer, true)
    }

    /// The location of `pointer` in `source` (nearest existing ancestor when missing).
    #[must_use]
    pub fn locate(&self, source: &Source, pointer: &str) -> Location {
        self.located(source, pointer, false)
    }

    fn located(&self, source: &Source, pointer: &str, key: bool) -> Location {
        let span = self
            .by_source
            .get(&address(source))
            .and_then(|&i| self.files[i].file.document.as_ref())
            .map(|d| d.locate(pointer))
            .map(|l| match l.key_span {
                Some(key_span) if key && l.exact => key_span,
                _ => l.span,
            })
            .unwrap_or_default();
        Location {
            source: source.clone(),
            span,
            pointer: pointer.to_owned(),
        }
    }
}

/// The address of a file's source: its identity within a run.
fn address(source: &Source) -> usize {
    std::sync::Arc::as_ptr(source) as usize
}

/// The pointer of the object whose list holds the object at `pointer`: the
/// service `/services/3` of the ADC route `/services/3/routes/0` (the pointer
/// without its last two tokens; `""` when it has fewer).
#[must_use]
pub fn parent_pointer(pointer: &str) -> &str {
    let mut slashes = pointer.rmatch_indices('/').map(|(i, _)| i);
    match (slashes.next(), slashes.next()) {
        (Some(_), Some(i)) => &pointer[..i],
        _ => "",
    }
}

/// A plugin configuration a route inherits from its plugin config, its service or a
/// global rule: built once, with its located origin, and shared by every route that
/// inherits it.
#[derive(Debug, Clone, Serialize)]
pub struct EffectivePlugin {
    /// The plugin's name.
    pub name: String,
    /// Its configuration, as the carrier writes it.
    pub config: Body,
    /// The level it comes from: `plugin_config`, `service` or `global_rule`.
    pub level: &'static str,
    /// The id of the object that carries it.
    pub from: String,
    /// Where the configuration is written.
    pub origin: Origin,
}

/// One plugin that runs for a route.
#[derive(Debug, Clone)]
pub enum Effective {
    /// One of the route's own plugins. Its configuration stays in the route's body
    /// (`plugins.<name>`) and its origin is the route's, at `plugins/<name>`; only
    /// where that is written is kept.
    Own {
        /// The plugin's name.
        name: Box<str>,
        /// 1-based line of its configuration.
        line: u32,
        /// 1-based column of its configuration.
        column: u32,
    },
    /// Inherited, shared with every route that inherits it.
    Inherited(std::sync::Arc<EffectivePlugin>),
}

impl Effective {
    /// The plugin's name.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Effective::Own { name, .. } => name,
            Effective::Inherited(plugin) => &plugin.name,
        }
    }
}

/// An effective plugin as its route sees it.
#[derive(Debug, Clone)]
pub struct EffectiveView<'a> {
    /// The plugin's name.
    pub name: &'a str,
    /// Its configuration.
    pub config: JsonRef<'a>,
    /// The level it comes from: `route`, `plugin_config`, `service` or `global_rule`.
    pub level: &'static str,
    /// The id of the object that carries it.
    pub from: &'a str,
    /// Where the configuration is written.
    pub origin: std::borrow::Cow<'a, Origin>,
    /// The shared plugin, when inherited (one per carrier and plugin).
    pub shared: Option<&'a EffectivePlugin>,
}

/// One resource of any kind: its id, name, body as written, and origin.
#[derive(Debug, Clone, Serialize)]
pub struct Resource {
    /// What it is: `service`, `route`, `upstream`, `consumer`, `credential`, `ssl`,
    /// `global_rule`, `plugin_config`, `plugin_metadata`, `stream_route`, `consumer_group`.
    pub kind: &'static str,
    /// The id (explicit, or derived as ADC / APISIX derive it).
    pub id: String,
    /// The name (`name`, or `username` for consumers), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The object as written (nested children removed for ADC services and consumers).
    #[serde(rename = "config")]
    pub body: Body,
    /// Where it is written.
    pub origin: Origin,
    /// The format of the file it comes from.
    pub format: Format,
}

impl Resource {
    /// Its own plugins (`plugins`), when it has an object of them.
    #[must_use]
    pub fn plugins(&self) -> Option<compact::Object<'_>> {
        self.body.json().get("plugins")?.as_object()
    }

    /// The JSON pointer of the configuration of its plugin `name`:
    /// `<pointer>/plugins/<name>`, except for an ADC global rule, which is written as
    /// `global_rules.<plugin>` and so is its own plugin's configuration.
    #[must_use]
    pub fn plugin_pointer(&self, name: &str) -> String {
        if self.kind == "global_rule" && self.format == Format::Adc {
            return self.origin.pointer.clone();
        }
        let name = crate::load::document::escape_token(name);
        format!("{}/plugins/{name}", self.origin.pointer)
    }
}

/// A route and what it is attached to.
#[derive(Debug, Clone)]
pub struct Route {
    /// The route itself.
    pub resource: Resource,
    /// The service it belongs to (shared by the routes of an ADC service).
    pub service_id: Option<Arc<str>>,
    /// The upstream its traffic goes to (its own, or its service's; shared).
    pub upstream_id: Option<Arc<str>>,
    /// Its plugin config, if any (standalone).
    pub plugin_config_id: Option<Arc<str>>,
    /// Full request paths, with the service's `path_prefix` applied (see
    /// [`backend::paths_as_synced`] for the backends that drop it).
    pub paths: Box<[String]>,
    /// Length of the service's `path_prefix` at the start of each of `paths` (ADC;
    /// 0 when there is none).
    pub path_prefix_len: u32,
    /// Hosts it matches (its own, or its service's).
    pub hosts: Box<[String]>,
    /// Methods it matches (empty: all).
    pub methods: Box<[String]>,
    /// Plugins that run for it, sorted by name: route ∪ plugin config ∪ service ∪
    /// global rules, with `_meta.disable: true` removing a plugin. Until
    /// [`effective::resolve`] runs, the route's own plugins, when the model
    /// located them as it read the file (see [`effective::locate_own`]).
    pub effective_plugins: Vec<Effective>,
}

impl Route {
    /// The configuration of one of its own plugins (`plugins.<name>`).
    #[must_use]
    pub fn own_plugin_config(&self, name: &str) -> JsonRef<'_> {
        self.resource
            .plugins()
            .and_then(|plugins| plugins.get(name))
            .unwrap_or(JsonRef::NULL)
    }

    /// The configuration of one of its effective plugins.
    #[must_use]
    pub fn config_of<'a>(&'a self, plugin: &'a Effective) -> JsonRef<'a> {
        match plugin {
            Effective::Own { name, .. } => self.own_plugin_config(name),
            Effective::Inherited(plugin) => plugin.config.json(),
        }
    }

    /// The names of the plugins that run for it, sorted.
    pub fn effective_names(&self) -> impl Iterator<Item = &str> {
        self.effective_plugins.iter().map(Effective::name)
    }

    /// The plugins that run for it, sorted by name, each with its configuration,
    /// level, carrier and origin.
    pub fn effective(&self) -> impl Iterator<Item = EffectiveView<'_>> {
        self.effective_plugins
            .iter()
            .map(|plugin| self.view(plugin))
    }

    /// One effective plugin as this route sees it.
    #[must_use]
    pub fn view<'a>(&'a self, plugin: &'a Effective) -> EffectiveView<'a> {
        match plugin {
            Effective::Own { name, line, column } => {
                let route = &self.resource.origin;
                EffectiveView {
                    name,
                    config: self.config_of(plugin),
                    level: "route",
                    from: &self.resource.id,
                    origin: std::borrow::Cow::Owned(Origin {
                        pointer: self.resource.plugin_pointer(name),
                        line: *line,
                        column: *column,
                        source: route.source.clone(),
                    }),
                    shared: None,
                }
            }
            Effective::Inherited(plugin) => EffectiveView {
                name: &plugin.name,
                config: plugin.config.json(),
                level: plugin.level,
                from: &plugin.from,
                origin: std::borrow::Cow::Borrowed(&plugin.origin),
                shared: Some(plugin),
            },
        }
    }
}

/// A route serializes as its resource's fields, its links, paths, hosts, methods
/// and effective plugins, each with its configuration.
impl Serialize for Route {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct RouteView<'a> {
            #[serde(flatten)]
            resource: &'a Resource,
            #[serde(skip_serializing_if = "Option::is_none")]
            service_id: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            upstream_id: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            plugin_config_id: Option<&'a str>,
            paths: &'a [String],
            hosts: &'a [String],
            methods: &'a [String],
            effective_plugins: BTreeMap<&'a str, PluginView<'a>>,
        }
        #[derive(Serialize)]
        struct PluginView<'a> {
            config: JsonRef<'a>,
            level: &'static str,
            from: &'a str,
            origin: std::borrow::Cow<'a, Origin>,
        }
        RouteView {
            resource: &self.resource,
            service_id: self.service_id.as_deref(),
            upstream_id: self.upstream_id.as_deref(),
            plugin_config_id: self.plugin_config_id.as_deref(),
            paths: &self.paths,
            hosts: &self.hosts,
            methods: &self.methods,
            effective_plugins: self
                .effective()
                .map(|plugin| {
                    let view = PluginView {
                        config: plugin.config,
                        level: plugin.level,
                        from: plugin.from,
                        origin: plugin.origin,
                    };
                    (plugin.name, view)
                })
                .collect(),
        }
        .serialize(serializer)
    }
}

/// The normalized model of one environment.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Environment {
    /// The environment's name.
    pub name: String,
    /// Its files, as shown to users.
    pub files: Vec<String>,
    /// Services. An ADC service defined twice (`ref/duplicate-service`) is here
    /// twice, each copy with the routes written in it (see `merge.rs`).
    pub services: Vec<Resource>,
    /// HTTP routes. Boxed: each file's routes are built in parallel and then joined
    /// (see [`build`]); the join moves pointers, so no route record is ever held twice.
    pub routes: Vec<Box<Route>>,
    /// Stream routes.
    pub stream_routes: Vec<Resource>,
    /// Upstreams (ADC inline upstreams get their service's id).
    pub upstreams: Vec<Resource>,
    /// Consumers (id = username).
    pub consumers: Vec<Resource>,
    /// Consumer credentials.
    pub credentials: Vec<Resource>,
    /// Consumer groups.
    pub consumer_groups: Vec<Resource>,
    /// SSL certificates.
    pub ssls: Vec<Resource>,
    /// Global rules (ADC: one per plugin, id = plugin name).
    pub global_rules: Vec<Resource>,
    /// Plugin configs (standalone).
    pub plugin_configs: Vec<Resource>,
    /// Plugin metadata (id = plugin name).
    pub plugin_metadata: Vec<Resource>,
}

/// Build the model of an environment from its checked files, with the findings of
/// the merge. With `keep_values` the model copies what it needs from the documents;
/// without, it takes the values out of them (their spans stay, for locating).
///
/// Each file becomes its own part of the model in parallel (see [`FilePart`]).
#[must_use]
pub fn build(
    name: &str,
    files: &mut [CheckedFile],
    keep_values: bool,
) -> (Environment, Vec<Finding>) {
    let parts = files
        .par_iter_mut()
        .map(|checked| FilePart::of(checked, keep_values))
        .collect();
    assemble(name, files, parts)
}

/// The model of an environment from its checked files and their parts (one per
/// file, in the same order), with the findings of the merge. The parts are joined
/// in file order, so the model does not depend on threads.
#[must_use]
pub fn assemble(
    name: &str,
    files: &[CheckedFile],
    parts: Vec<FilePart>,
) -> (Environment, Vec<Finding>) {
    let names = files
        .iter()
        .map(|f| f.file.source.display.clone())
        .collect();
    let mut findings = Vec::new();
    let mut parts: Vec<_> = parts
        .into_iter()
        .map(|part| {
            findings.extend(part.finding.map(|finding| *finding));
            part.resources
        })
        .collect();
    let mut env = Environment::joined(&mut parts, name, names);
    drop(parts);
    let documents = Documents::new(files);
    findings.extend(merge::deduplicate(&mut env, &documents));
    findings.extend(references::dangling(&env, &documents));
    effective::resolve(&mut env, &documents);
    (env, findings)
}

/// The resources one checked file adds to its environment's model, their bodies in
/// one compact document. A file can be taken apart as soon as it is checked, so the
/// `serde_json` values of an environment's files never all live at once.
///
/// Both fields are boxed: a part is a few pointers wide, so the lists of every file's
/// (checked file, part) pairs that the check moves between its stages stay small (with
/// the environment inline, each copy of such a list took over 700 bytes per file).
pub struct FilePart {
    resources: Box<Environment>,
    /// Why the file has no resources, when its values are too large to keep.
    finding: Option<Box<Finding>>,
}

impl FilePart {
    /// The part of `checked`: a copy of its values with `keep_values`, else its
    /// values themselves (taken out of its document, whose spans stay). A file whose
    /// values are too large for a compact document has no resources, and a finding.
    #[must_use]
    pub fn of(checked: &mut CheckedFile, keep_values: bool) -> FilePart {
        let mut resources = Box::<Environment>::default();
        resources.routes.reserve_exact(routes_written(checked));
        let (Some(document), Some(format)) = (checked.file.document.as_mut(), checked.format)
        else {
            return FilePart {
                resources,
                finding: None,
            };
        };
        let root = if keep_values {
            document.value.clone()
        } else {
            std::mem::take(&mut document.value)
        };
        let source = &checked.file.source;
        let mut builder = compact::Builder::with_capacity(document.spans.node_count());
        match format {
            Format::Adc => adc::add_file(&mut resources, &mut builder, source, document, root),
            Format::Standalone => {
                standalone::add_file(&mut resources, &mut builder, source, document, root);
            }
        }
        match builder.finish() {
            Ok(doc) => {
                resources.settle_bodies(&doc);
                FilePart {
                    resources,
                    finding: None,
                }
            }
            Err(compact::TooLarge) => FilePart {
                resources: Box::default(),
                finding: Some(Box::new(too_large(source))),
            },
        }
    }
}

/// The finding for a file whose values do not fit a compact document.
fn too_large(source: &Source) -> Finding {
    let location = Location {
        source: source.clone(),
        span: crate::source::Span::point(crate::source::Position::START),
        pointer: String::new(),
    };
    Finding::new(
        "parse/file-too-large",
        crate::finding::Severity::Error,
        "the file's values (with aliases expanded) hold more than 2^32 nodes, keys or bytes of text; it is not modelled",
        "split the file",
        location,
    )
}

impl Environment {
    /// The environment `name` of `files` holding the resources of `parts`, in order.
    fn joined(parts: &mut [Box<Environment>], name: &str, files: Vec<String>) -> Environment {
        fn join<T>(
            parts: &mut [Box<Environment>],
            list: fn(&mut Environment) -> &mut Vec<T>,
        ) -> Vec<T> {
            let mut all = Vec::with_capacity(parts.iter_mut().map(|p| list(p).len()).sum());
            for part in parts {
                all.append(list(part));
            }
            all
        }
        Environment {
            name: name.to_owned(),
            files,
            services: join(parts, |e| &mut e.services),
            routes: join(parts, |e| &mut e.routes),
            stream_routes: join(parts, |e| &mut e.stream_routes),
            upstreams: join(parts, |e| &mut e.upstreams),
            consumers: join(parts, |e| &mut e.consumers),
            credentials: join(parts, |e| &mut e.credentials),
            consumer_groups: join(parts, |e| &mut e.consumer_groups),
            ssls: join(parts, |e| &mut e.ssls),
            global_rules: join(parts, |e| &mut e.global_rules),
            plugin_configs: join(parts, |e| &mut e.plugin_configs),
            plugin_metadata: join(parts, |e| &mut e.plugin_metadata),
        }
    }

    /// Point every body at `doc`, the finished document of the one file this
    /// environment part was built from.
    fn settle_bodies(&mut self, doc: &std::sync::Arc<compact::Compact>) {
        let lists = [
            &mut self.services,
            &mut self.stream_routes,
            &mut self.upstreams,
            &mut self.consumers,
            &mut self.credentials,
            &mut self.consumer_groups,
            &mut self.ssls,
            &mut self.global_rules,
            &mut self.plugin_configs,
            &mut self.plugin_metadata,
        ];
        for resource in lists.into_iter().flatten() {
            resource.body.settle(doc);
        }
        for route in &mut self.routes {
            route.resource.body.settle(doc);
        }
    }
}

/// How many routes a checked file writes (its services' routes in ADC, its
/// `routes` in standalone), so its list is allocated once.
fn routes_written(checked: &CheckedFile) -> usize {
    let (Some(document), Some(format)) = (&checked.file.document, checked.format) else {
        return 0;
    };
    let length = |value: Option<&Value>| value.and_then(Value::as_array).map_or(0, Vec::len);
    match format {
        Format::Adc => document
            .value
            .get("services")
            .and_then(Value::as_array)
            .map_or(0, |services| {
                services.iter().map(|s| length(s.get("routes"))).sum()
            }),
        Format::Standalone => length(document.value.get("routes")),
    }
}

/// The model of one file of text, read as `format` (for unit tests of the rules).
#[cfg(test)]
#[must_use]
pub fn of_text(name: &str, text: &str, format: Format) -> Environment {
    let limits = crate::load::LoadLimits::default();
    let file = crate::load::parse_text(std::path::Path::new(name), text.to_owned(), &limits);
    let mut files = [CheckedFile {
        file,
        format: Some(format),
    }];
    build("test", &mut files, true).0
}

/// An origin for the object at `pointer` of `source`.
fn origin(source: &Source, document: &crate::load::Document, pointer: String) -> Origin {
    origin_at(source, document, None, pointer)
}

/// Where a resource is written, from its node when the caller has it at hand
/// (found while walking the document) or else from its pointer.
fn origin_at(
    source: &Source,
    document: &crate::load::Document,
    node: Option<crate::load::span_tree::NodeRef<'_>>,
    pointer: String,
) -> Origin {
    let start = node
        .map_or_else(|| document.locate(&pointer).span, |node| node.span())
        .start;
    let (line, column) = (start.line, start.column);
    Origin {
        pointer,
        line,
        column,
        source: source.clone(),
    }
}

/// ADC's derived id: the hex SHA-1 of `seed`.
#[must_use]
pub fn sha1_id(seed: &str) -> String {
    data_encoding::HEXLOWER.encode(&sha1_smol::Sha1::from(seed).digest().bytes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn parent_pointer_drops_the_list_and_the_index() {
        assert_eq!(
            super::parent_pointer("/services/3/routes/10"),
            "/services/3"
        );
        assert_eq!(
            super::parent_pointer("/services/0/stream_routes/2"),
            "/services/0"
        );
        assert_eq!(super::parent_pointer("/services/0"), "");
        assert_eq!(super::parent_pointer(""), "");
    }

    #[test]
    fn derived_ids_are_lowercase_hex_sha1() {
        assert_eq!(
            super::sha1_id("orders.list"),
            "802d797ea6c48ad232ec23aca916c895bd53573a"
        );
        assert_eq!(
            super::sha1_id(""),
            "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        );
    }
}

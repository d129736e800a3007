//! The rule registry: every rule id gwlint can report, with its documentation.
//!
//! One list feeds `gwlint rules`, `gwlint explain` and the reporters that describe
//! rules (SARIF). Rules come from four places: the fixed rules of the loader, config
//! and merge stages (declared here), one schema rule per resource kind, one per
//! known plugin, and the policy library (Rego metadata headers and native rules).
//! [`crate::renamed::RENAMED`] lists the ids that moved, and where.

use crate::finding::Severity;
use crate::policy::PolicySet;
use crate::schema::SchemaSet;
use serde::Serialize;
use serde_json::Value;

/// What gwlint knows about a rule.
#[derive(Debug, Clone, Serialize)]
pub struct RuleInfo {
    /// The full id (`parse/duplicate-key`, `schema/limit-count`, `policy/route-needs-auth`).
    pub id: String,
    /// One-line title.
    pub title: String,
    /// Default severity.
    pub severity: Severity,
    /// How to fix a finding of this rule.
    pub help: String,
    /// Markdown documentation.
    pub description: String,
    /// Where the rule is defined (`builtin`, a policy file, a plugin schema).
    pub source: String,
}

/// The title of a fixed rule (`parse/`, `schema/`, ... rules defined in this table).
#[must_use]
pub fn title_of(id: &str) -> Option<&'static str> {
    FIXED
        .iter()
        .find(|(rule, ..)| *rule == id)
        .map(|(_, _, title, ..)| *title)
}

/// Fixed rules: `(id, severity, title, help, description)`.
const FIXED: &[(&str, Severity, &str, &str, &str)] = &[
    ("parse/syntax", Severity::Error, "YAML or JSON syntax error", "fix the syntax at the reported position",
     "The file cannot be parsed. The finding points at the position where the parser stopped; the file is skipped and every other file is still checked."),
    ("parse/duplicate-key", Severity::Error, "Duplicate mapping key", "remove one of the two entries",
     "YAML and JSON forbid a key twice in one mapping, and loaders disagree on which value wins (ADC's TypeScript loader rejects the file). Both places are shown."),
    ("parse/yaml11-boolean", Severity::Warning, "YAML 1.1 boolean word", "write `true`/`false`, or quote the string",
     "`yes`, `no`, `on`, `off`, `y` and `n` are strings in YAML 1.2 (which gwlint and ADC's js-yaml read) but booleans in YAML 1.1, which APISIX reads standalone files with (lyaml, on libyaml). Write what you mean unambiguously."),
    ("parse/leading-zero-number", Severity::Warning, "Number with a leading zero", "drop the leading zero, or quote the value",
     "`0755` is the decimal 755 in YAML 1.2 but the octal 493 in YAML 1.1 tools (APISIX's lyaml among them)."),
    ("parse/yaml11-number", Severity::Warning, "Number YAML 1.1 reads differently", "write the number as YAML 1.2 reads it, or quote the string",
     "YAML 1.1, which APISIX reads standalone files with (lyaml), reads `0b101` (binary), `1_000` and `1_000.5` (underscores), `+0x1F` (signed hex) and `12:30` (base 60: 750) as numbers; YAML 1.2, which gwlint and ADC's js-yaml read, reads them as strings. `0o17` is the reverse: the number 15 in YAML 1.2, the string \"0o17\" in YAML 1.1. gwlint keeps the YAML 1.2 value and warns."),
    ("parse/imprecise-number", Severity::Warning, "Integer a 64-bit float rounds", "quote an identifier, or use a smaller number",
     "APISIX (LuaJIT) and ADC (JavaScript) hold every number as a 64-bit float, exact for integers up to 2^53 (9007199254740992). A larger integer that such a float cannot hold (`99999999999999999999`, `18446744073709551615`, a 17-digit hex number) reaches the gateway rounded; the message names the number it gets. gwlint keeps the integer when it fits 64 bits, else the nearest float, as the gateway does. In YAML and in JSON, which allows any number of digits."),
    ("parse/number-out-of-range", Severity::Error, "Infinity or not-a-number", "write a finite number, or quote a string",
     "`.inf`, `-.Inf` and `.nan` are floats in YAML, and a number beyond the largest 64-bit float (`1e400`, 400 digits) is infinity, in YAML and in JSON. JSON, and so the Admin API and etcd, cannot hold them (JavaScript, ADC's language, writes infinity into JSON as null). gwlint keeps the text written, as a string, and reports where it is; the rest of the file is checked."),
    ("parse/merge-key", Severity::Error, "Merge key that merges nothing", "merge mappings only (`<<: *base` or `<<: [*a, *b]`)",
     "A `<<` merge key takes a mapping, an alias to one, or a list of them. `<<: 5` or a scalar in `<<: [*base, 5]` is refused by ADC's js-yaml and APISIX's lyaml; gwlint leaves it out of the mapping and reports it. Two `<<` keys in one mapping are a `parse/duplicate-key` (both are merged, earlier first)."),
    ("parse/tag", Severity::Error, "YAML tag gwlint does not resolve", "remove the tag, or write a value of the tagged type",
     "gwlint resolves the YAML 1.2 core schema's tags only: `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!seq`, `!!map` (and `!`). Content that does not fit its tag (`!!int abc`) is read as a string; any other tag (`!custom`, `!!binary`, `!!timestamp`, `!!set`) is read as if it were not there, as APISIX's lyaml reads it, while ADC's js-yaml refuses unknown tags and converts `!!binary`."),
    ("parse/alias-budget", Severity::Error, "Alias expansion over budget", "write the data out, or use fewer nested aliases",
     "Aliases that expand to more than the budget of nodes (an alias bomb, \"billion laughs\") stop the file's parse in milliseconds instead of exhausting memory."),
    ("parse/too-deep", Severity::Error, "Nesting too deep", "flatten the structure",
     "Collections nested deeper than the cap (128 levels) are refused: no gateway configuration needs it, and it protects the checker."),
    ("parse/complex-key", Severity::Error, "Complex mapping key", "use a plain string key",
     "A mapping or sequence used as a key has no JSON form; ADC and APISIX cannot read it."),
    ("parse/multi-document", Severity::Error, "More than one YAML document", "split the documents into files",
     "ADC and APISIX read one document per file; the others would be silently ignored."),
    ("parse/empty-file", Severity::Info, "Empty file", "remove the file or add configuration",
     "The file holds no document (it is empty or only comments) and adds nothing to the environment. In an environment of ADC files it is an error: ADC 0.28 refuses to load an empty file (\"expected a document, but the input is empty\"), so `adc sync` fails."),
    ("parse/binary-file", Severity::Error, "Binary file", "remove it from the tree or ignore it",
     "The file contains NUL bytes; it is not YAML or JSON."),
    ("parse/invalid-utf8", Severity::Error, "Invalid UTF-8", "save the file as UTF-8", "The file is not valid UTF-8 text."),
    ("parse/file-too-large", Severity::Error, "File over the size limit", "split the file or raise `max_file_size`",
     "Files over the limit (10 MiB by default; `max_file_size` or `--max-file-size` raise it to at most 4 GiB minus one byte, since positions in a file are 32-bit numbers) are not parsed."),
    ("parse/unreadable", Severity::Error, "Unreadable path", "check the path and its permissions",
     "A file or folder could not be read (permissions, or it vanished during the walk), or a path given or found as a configuration file is not a regular file (a named pipe, socket or device: never opened, since reading a named pipe waits for a writer forever). gwlint reads regular files only, here and for `--data`, `--baseline`, `--config`, policies and plugin schemas (which stop the run with an error instead)."),
    ("parse/symlink-loop", Severity::Error, "Symbolic link loop", "remove the link that points back into its own folder",
     "While following symbolic links, a link pointed back to one of its own ancestors."),
    ("parse/symlink-skipped", Severity::Info, "Symbolic link not followed", "pass --follow-symlinks to check its target",
     "Symbolic links are not followed by default."),
    ("schema/mixed-format", Severity::Error, "File mixes ADC and standalone keys", "keep the formats in separate files",
     "A file has top-level keys of both ADC's format and APISIX's standalone format, so neither schema applies."),
    ("schema/unknown-plugin", Severity::Error, "Unknown plugin", "check the name, or declare it in `custom_plugins`",
     "APISIX refuses a plugin it does not have. gwlint knows every plugin of the selected APISIX version (`apisix_version`, the latest release by default; schemas extracted from APISIX's own source), so any other name is an error: a typo gets a suggestion from the full list, a plugin that only another shipped version has names that version, and a plugin left out of `enabled_plugins` (APISIX's config.yaml `plugins` list) or of a standalone file's `plugins` list is refused as APISIX refuses it. Custom plugins can be declared in .gwlint.yaml (`custom_plugins`) or given a schema with `plugin_schemas`."),
    ("compat/version-field", Severity::Warning, "Plugin field of another APISIX version", "match `apisix_version` to your gateway, or remove the field",
     "A plugin configuration has a field that the selected APISIX version's schema does not know while another shipped version's does (limit-count's `window_type` is in 3.18, not in 3.2): the selected version ignores it, or refuses it where the schema allows no other fields (then a `schema/<plugin>` error says so too). Usually `apisix_version` does not match the gateway."),
    ("compat/backend-ignores-field", Severity::Warning, "Field the ADC backend does not apply", "write the prefix into the routes' `uris`, or sync with the api7ee backend",
     "ADC services carry `path_prefix` and `strip_path_prefix`, but only ADC's API7 Enterprise backend (`api7ee`) applies them. The `apisix` backend (ADC's default, and `apply.backend` unset) and `apisix-standalone` drop them, so the routes answer on their own `uris`; `gwlint render --engine standalone` writes the routes the same way."),
    ("compat/quoted-number", Severity::Info, "Quoted number that ADC coerces", "write the number without quotes",
     "ADC 0.2x (the TypeScript CLI) turns the numeric strings of some resource fields (ports, weights, timeouts, health-check counters, retries, keepalive pool sizes, route priority) into numbers before it validates and syncs, so `port: \"443\"` works there. The Rust rewrite of ADC refuses it, and APISIX's own files (standalone) read it as a string, where it is an error."),
    ("config/unknown-key", Severity::Error, "Unknown key in .gwlint.yaml", "fix the key's spelling",
     "The config file has a key gwlint does not know; it was ignored."),
    ("suppress/missing-reason", Severity::Error, "Suppression without a reason", "write `# gwlint-ignore RULE: why`",
     "Every `gwlint-ignore` comment must say why the finding is accepted, so reviewers can judge it."),
    ("suppress/unused", Severity::Warning, "Suppression that suppresses nothing", "remove the stale comment",
     "A `gwlint-ignore` comment matched no finding: the problem was fixed or the rule id is wrong."),
    ("limit/regex-too-large", Severity::Warning, "Regex too large for gwlint to judge",
     "check that APISIX accepts the pattern, or write it with fewer repeated groups",
     "The regexes of plugin configurations (`proxy-rewrite` and `redirect` `regex_uri`, `response-rewrite` filters, `ua-restriction`, `cors`, `uri-blocker`, `ai-prompt-guard`) are checked for PCRE syntax errors. A pattern whose repeated groups, copied out once per repetition as PCRE compiles them, come to more than 65,536 items (characters, classes, assertions, group brackets; a repeated single character or class counts once) is not judged. PCRE refuses a compiled pattern over its size limit (64 KiB in a default build), so APISIX may refuse such a pattern, or accept it: gwlint cannot tell, hence a warning and not a `schema/` error (which means the gateway refuses the value). Each distinct pattern is judged once per run."),
    ("policy/runtime-error", Severity::Error, "Policy failed at run time", "fix the policy",
     "A policy rule raised an error while evaluating (a division by zero, a rule that depends on itself), or was stopped at a limit: each evaluation of a user's rule may run 5 minutes, hold 1 GiB and go 48 MiB deep into its stack (a function that calls itself), set with `policy_limits` in .gwlint.yaml. The other rules and files still report."),
    ("config/renamed-rule", Severity::Info, "Rule id that was renamed", "write the new rule ids instead of the old one",
     "A rule setting in .gwlint.yaml names a rule id that gwlint no longer reports because the rule moved (for example `policy/dangling-reference`, now `ref/dangling-<kind>`). The setting still applies to the new ids for now; this is deprecated, and old ids will stop working in a later release. `gwlint explain OLD-ID` says where a rule went."),
    ("drift/added-on-gateway", Severity::Error, "Resource on the gateway that Git does not have",
     "write it into Git if it should stay; otherwise `gwlint apply` removes it",
     "Reported by `gwlint drift`: the live gateway has a resource that the environment in Git does not define \
      (ADC's plan would delete it; for the standalone engine, it is in the deployed `apisix.yaml` or the Admin API's \
      configuration only). Someone added it by hand, or its definition was removed from Git and never synced. \
      The finding is placed at the environment's folder."),
    ("drift/changed-on-gateway", Severity::Error, "Resource that differs on the gateway from Git",
     "`gwlint apply` puts Git's version back; if the gateway's change should stay, write it into Git",
     "Reported by `gwlint drift`: a resource defined in Git is on the gateway too, but differently (someone changed a \
      route, an upstream or a plugin by hand, or Git changed and was not synced). The message names the fields that \
      differ (`plugins.limit-count.count`, `nodes[0].port`) and marks secret ones; values are never shown. The finding \
      is placed at the resource's definition in Git."),
    ("drift/missing-on-gateway", Severity::Error, "Resource in Git that the gateway does not have",
     "`gwlint apply` creates it again",
     "Reported by `gwlint drift`: a resource defined in Git is not on the gateway (ADC's plan would create it; for the \
      standalone engine, the deployed `apisix.yaml` or the Admin API's configuration lacks it). Someone removed it by \
      hand, or the environment was never synced since it was added. The finding is placed at its definition in Git."),
    ("schema/ssl-certificate", Severity::Error, "SSL certificate or key that APISIX cannot use",
     "fix the PEM text, or pair the certificate with its own private key",
     "For every SSL object, each certificate/key pair (ADC `certificates[]`; standalone `cert`/`key` and `certs`/`keys`) and `client.ca`:\n\n\
      - the certificate is PEM that parses as X.509 (every certificate of a chain);\n\
      - the private key is PEM (PKCS#8, PKCS#1 RSA or SEC1 EC) without a passphrase;\n\
      - the private key belongs to the certificate (RSA, EC P-256/P-384 and Ed25519 keys are compared; other curves when the key carries its public key).\n\n\
      APISIX refuses an SSL object whose certificate, key or client CA does not parse (`failed to parse cert`, `failed to parse key`). \
      It stores a key of another certificate without complaint (its own check has a TODO there), but OpenSSL then refuses the pair \
      and every TLS handshake for the object's SNIs fails, so the object can never work either. \
      `$secret://`, `$env://` and `${VAR}` values cannot be checked offline and are skipped, as are keys that do not start with `---` \
      (APISIX decrypts those with its `key_encrypt_salt` keyring). Messages never quote key material.\n\n\
      Expiry and SNI coverage are opinions about a certificate APISIX accepts: see `policy/ssl-certificate-validity`. \
      This rule replaces the parsing and key checks of the former `policy/ssl-certificate`."),
];

/// Kinds merged by key, with the key (the `ref/duplicate-<kind>` rules).
const DUPLICATES: &[(&str, &str)] = &[
    ("service", "by name in ADC, by id in standalone files"),
    ("consumer", "by username"),
    ("ssl", "by SNIs in ADC, by id in standalone files"),
    (
        "global-rule",
        "by plugin name in ADC, by id in standalone files",
    ),
    ("plugin-metadata", "by plugin name"),
    ("upstream", "by id, standalone files"),
    ("plugin-config", "by id, standalone files"),
    ("consumer-group", "by id, standalone files"),
    ("credential", "by id, standalone files"),
    ("stream-route", "by id, standalone files"),
    ("route", "by id, standalone files"),
];

/// Resource kinds validated by the schema stage, with a description.
const RESOURCES: &[(&str, &str)] = &[
    ("file", "the top level of a file (ADC: services, ssls, consumers, consumer_groups, global_rules, plugin_metadata)"),
    ("service", "a service (ADC: with its nested routes and upstreams)"),
    ("route", "an HTTP route"),
    ("stream-route", "a stream (L4) route"),
    ("upstream", "an upstream: nodes or service discovery, balancer, health checks, TLS"),
    ("ssl", "an SSL certificate object"),
    ("consumer", "a consumer"),
    ("credential", "a consumer credential"),
    ("consumer-group", "a consumer group"),
    ("global-rule", "a global rule"),
    ("plugin-config", "a plugin config (standalone)"),
    ("plugin-metadata", "plugin metadata"),
    ("proto", "a protobuf definition (standalone)"),
    ("secret", "a secret manager configuration (standalone)"),
    ("plugin-list", "the standalone `plugins` list"),
];

/// Every rule, sorted by id (every plugin of the selected APISIX version included).
#[must_use]
pub fn registry(schemas: &SchemaSet, policies: &PolicySet) -> Vec<RuleInfo> {
    registry_with_plugins(schemas, policies, |_| true)
}

/// The rules a report of `findings` describes: every rule but the plugin schema
/// rules, which are included only where a finding has one (a plugin rule's
/// documentation needs its compiled schema, and APISIX has over a hundred).
#[must_use]
pub fn registry_for(
    schemas: &SchemaSet,
    policies: &PolicySet,
    findings: &[&crate::finding::Finding],
) -> Vec<RuleInfo> {
    let used: std::collections::BTreeSet<&str> = findings
        .iter()
        .filter_map(|f| f.rule.strip_prefix("schema/"))
        .collect();
    registry_with_plugins(schemas, policies, |name| used.contains(name))
}

/// Every rule, with the plugin rules of the plugins `wanted` accepts.
fn registry_with_plugins(
    schemas: &SchemaSet,
    policies: &PolicySet,
    wanted: impl Fn(&str) -> bool,
) -> Vec<RuleInfo> {
    let mut rules: Vec<RuleInfo> = FIXED
        .iter()
        .map(|(id, severity, title, help, description)| RuleInfo {
            id: (*id).to_owned(),
            title: (*title).to_owned(),
            severity: *severity,
            help: (*help).to_owned(),
            description: (*description).to_owned(),
            source: "builtin".into(),
        })
        .collect();
    rules.extend(DUPLICATES.iter().map(|(kind, key)| RuleInfo {
        id: format!("ref/duplicate-{kind}"),
        title: format!("Duplicate {}", kind.replace('-', " ")),
        severity: Severity::Error,
        help: format!("keep one definition of this {}", kind.replace('-', " ")),
        description: format!(
            "Two definitions of one {} ({key}) in an environment. ADC merges an environment's files by key and refuses \
             a key defined twice (the TypeScript ADC silently keeps the last one within a file). Both places are shown.",
            kind.replace('-', " ")
        ),
        source: "builtin".into(),
    }));
    rules.extend(dangling_rules());
    rules.extend(RESOURCES.iter().map(|(kind, what)| RuleInfo {
        id: format!("schema/{kind}"),
        title: format!("Invalid {}", kind.replace('-', " ")),
        severity: Severity::Error,
        help: format!("fix {what} so it follows ADC's or APISIX's format"),
        description: format!(
            "Validates {what} against the JSON Schema of its file format (ADC declarative or APISIX standalone), \
             plus the checks ADC and APISIX run in code. Missing fields point at the object, unknown fields at the key, \
             bad values at the value."
        ),
        source: "builtin".into(),
    }));
    let plugins = schemas
        .plugins
        .names()
        .into_iter()
        .filter(|name| wanted(name))
        .filter_map(|name| schemas.plugins.get(name));
    rules.extend(plugins.map(|plugin| RuleInfo {
        id: format!("schema/{}", plugin.name),
        title: format!("Invalid `{}` plugin configuration", plugin.name),
        severity: Severity::Error,
        help: format!(
            "fix the `{}` configuration as APISIX's plugin schema requires",
            plugin.name
        ),
        description: plugin_description(plugin),
        source: "plugin schema".into(),
    }));
    for module in policies.rule_modules() {
        let Some(meta) = &module.meta else {
            for rule in &module.result_rules {
                rules.push(RuleInfo {
                    id: format!("policy/{}", module.rule_id(rule)),
                    title: format!("`{rule}` of policy package `{}`", module.package),
                    severity: crate::policy::library::RESULT_RULES
                        .iter()
                        .find(|(name, _)| name == rule)
                        .map_or(Severity::Error, |(_, s)| *s),
                    help: format!("see {}", module.path),
                    description: format!("User policy `{}` without metadata.", module.path),
                    source: module.path.clone(),
                });
            }
            continue;
        };
        rules.push(policy_info(meta, &module.path));
    }
    rules.extend(
        policies
            .natives
            .iter()
            .map(|n| policy_info(&n.meta, "native rule")),
    );
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    rules.dedup_by(|a, b| a.id == b.id);
    rules
}

/// The `ref/dangling-<kind>` rules, one per kind a reference can name.
fn dangling_rules() -> impl Iterator<Item = RuleInfo> {
    crate::model::references::TARGETS
            .iter()
            .map(|(target, what)| RuleInfo {
                id: format!("ref/dangling-{}", target.kind),
                title: format!("Reference to a missing {}", target.noun),
                severity: Severity::Error,
                help: crate::model::references::help(*target),
                description: format!(
                    "In an APISIX standalone file, {what} of the environment. APISIX's Admin API refuses such a reference \
                     (for a route's service: `failed to fetch service info by service id [...]`); a standalone `apisix.yaml` \
                     that holds one loads, and the {} is missing at request time (a missing upstream answers 502/503, a \
                     missing plugin config or consumer group drops the \
                     plugins, such as authentication or rate limits, the route relied on). Numeric ids (`id: 1`) match \
                     their string form. ADC files nest resources instead of referring to them, so they cannot dangle. \
                     Reported by the merge stage whether or not policies run; it replaces the former \
                     `policy/dangling-reference`.",
                    target.noun
                ),
                source: "builtin".into(),
            })
}

fn policy_info(meta: &crate::policy::metadata::RuleMeta, source: &str) -> RuleInfo {
    let mut description = meta.description.clone();
    if meta.params.as_object().is_some_and(|p| !p.is_empty()) {
        description.push_str("\n## Parameters (defaults)\n\n```json\n");
        description.push_str(&serde_json::to_string_pretty(&meta.params).unwrap_or_default());
        description.push_str("\n```\n");
    }
    RuleInfo {
        id: format!("policy/{}", meta.id),
        title: meta.title.clone(),
        severity: meta.severity,
        help: meta.help.clone(),
        description,
        source: source.to_owned(),
    }
}

/// A plugin rule's documentation: what it is and its fields.
fn plugin_description(plugin: &crate::schema::Plugin) -> String {
    let mut text = format!(
        "Validates the `{}` plugin ({} plugin, priority {}) against APISIX's schema, plus the checks APISIX runs in code.\n",
        plugin.name, plugin.category, plugin.priority
    );
    let fields = |schema: &Value| -> Vec<String> {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| {
                p.keys()
                    .filter(|k| *k != "_meta")
                    .map(|k| {
                        if required.contains(&k.as_str()) {
                            format!("`{k}` (required)")
                        } else {
                            format!("`{k}`")
                        }
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let list = fields(&plugin.schema.schema);
    if !list.is_empty() {
        text.push_str(&format!("\nFields: {}.\n", list.join(", ")));
    }
    if let Some(consumer) = &plugin.consumer_schema {
        text.push_str(&format!(
            "\nConsumer / credential fields: {}.\n",
            fields(&consumer.schema).join(", ")
        ));
    }
    text
}

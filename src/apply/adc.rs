//! The `adc` engine: hand the rendered bundle to the real ADC CLI.
//!
//! Runs `adc diff -f BUNDLE` (and, unless dry-run, `adc sync -f BUNDLE`) as a
//! subprocess in a private temporary folder, with the backend settings passed in
//! ADC's environment variables so the token never appears on a command line. ADC's
//! output is streamed through with the token masked. Before syncing, the plan ADC
//! writes (`diff.yaml`) is summarised and deletes beyond the limit are refused; the
//! plan and the bundle are removed afterwards (they can hold secrets).

use crate::config::ApplyConfig;
use crate::error::ToolError;
use crate::load::{parse_text, LoadLimits};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The environment variable holding the Admin API token, by default.
pub const DEFAULT_TOKEN_ENV: &str = "ADC_TOKEN";

/// What a plan will do: counts of create/update/delete by resource type, and the
/// events themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// `(event type, resource type)` → count.
    pub counts: BTreeMap<(String, String), usize>,
    /// Each event as `(type, resource type, resource id, resource name)`, sorted: two
    /// plans that do the same to the same resources are equal.
    pub events: Vec<(String, String, String, String)>,
}

impl Plan {
    /// Whether the plan changes nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The events of `self` that `other` lacks, as `delete route orders` lines.
    #[must_use]
    pub fn missing_from(&self, other: &Plan) -> Vec<String> {
        self.events
            .iter()
            .filter(|e| !other.events.contains(e))
            .map(|(kind, resource, id, name)| {
                let label = if name.is_empty() { id } else { name };
                format!("{kind} {resource} `{label}`")
            })
            .collect()
    }

    /// Number of events of one type (`create`, `update`, `delete`).
    #[must_use]
    pub fn total(&self, event: &str) -> usize {
        self.counts
            .iter()
            .filter(|((e, _), _)| e == event)
            .map(|(_, n)| n)
            .sum()
    }

    /// `2 create, 1 update, 0 delete (create: route 2; update: service 1)`.
    #[must_use]
    pub fn summary(&self) -> String {
        let details: Vec<String> = ["create", "update", "delete"]
            .iter()
            .filter(|event| self.total(event) > 0)
            .map(|event| {
                let per_type: Vec<String> = self
                    .counts
                    .iter()
                    .filter(|((e, _), _)| e == event)
                    .map(|((_, kind), n)| format!("{kind} {n}"))
                    .collect();
                format!("{event}: {}", per_type.join(", "))
            })
            .collect();
        let head = format!(
            "{} create, {} update, {} delete",
            self.total("create"),
            self.total("update"),
            self.total("delete")
        );
        if details.is_empty() {
            head
        } else {
            format!("{head} ({})", details.join("; "))
        }
    }
}

/// One event of the plan ADC wrote (`diff.yaml`): what `adc sync` would do to one
/// resource to make the gateway match the bundle.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffEvent {
    /// `create` (in the bundle, not on the gateway), `update` or `delete` (on the
    /// gateway, not in the bundle); `unknown` when ADC wrote none.
    pub kind: String,
    /// ADC's resource type (`route`, `service`, `consumer_credential`, ...); `unknown`
    /// when ADC wrote none.
    pub resource_type: String,
    /// The resource's id (as ADC derives it, or the gateway's).
    pub resource_id: String,
    /// The resource's name (`name`, a consumer's `username`, an SSL's SNIs).
    pub resource_name: String,
    /// For a resource nested in another (a service's route): the parent's id.
    pub parent_id: Option<String>,
    /// For an update: the paths of the fields that differ (`plugins.key-auth.key`,
    /// `nodes[0].port`), from the event's `diff` entries; never their values.
    pub fields: Vec<String>,
}

/// Read the events of the plan ADC wrote: a list of events with `type`,
/// `resourceType`, `resourceId`, `resourceName`, and for updates `diff`, a list of
/// changes each with a `path` (and, for a change inside a list, an `index`). The
/// changes' values (`lhs`, `rhs`, `oldValue`, `newValue`) are never read.
///
/// # Errors
/// A [`ToolError`] when the file is missing or not a list of events.
pub fn read_events(path: &Path) -> Result<Vec<DiffEvent>, ToolError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ToolError::new(format!(
            "adc diff wrote no readable plan at {}: {e}",
            path.display()
        ))
    })?;
    let loaded = parse_text(path, text, &LoadLimits::default());
    let events = match loaded.document.map(|d| d.value) {
        Some(Value::Array(events)) => events,
        Some(Value::Null) | None
            if loaded
                .findings
                .iter()
                .all(|f| f.severity != crate::finding::Severity::Error) =>
        {
            Vec::new()
        }
        _ => {
            return Err(ToolError::new(format!(
                "{}: not a list of diff events",
                path.display()
            )))
        }
    };
    let text = |event: &Value, key: &str| match event.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let or_unknown = |text: String| {
        if text.is_empty() {
            "unknown".into()
        } else {
            text
        }
    };
    Ok(events
        .iter()
        .map(|event| DiffEvent {
            kind: or_unknown(text(event, "type")),
            resource_type: or_unknown(text(event, "resourceType")),
            resource_id: text(event, "resourceId"),
            resource_name: text(event, "resourceName"),
            parent_id: Some(text(event, "parentId")).filter(|p| !p.is_empty()),
            fields: changed_fields(event.get("diff")),
        })
        .collect())
}

/// The field paths of an event's `diff` entries, in order, each once.
fn changed_fields(diff: Option<&Value>) -> Vec<String> {
    let mut fields: Vec<String> = Vec::new();
    for change in diff.and_then(Value::as_array).into_iter().flatten() {
        let mut path = String::new();
        let segments = change.get("path").and_then(Value::as_array);
        let index = change.get("index").filter(|i| i.is_u64());
        for segment in segments.into_iter().flatten().chain(index) {
            match segment {
                Value::Number(n) => path.push_str(&format!("[{n}]")),
                Value::String(s) if path.is_empty() => path.push_str(s),
                Value::String(s) => {
                    path.push('.');
                    path.push_str(s);
                }
                _ => {}
            }
        }
        if !path.is_empty() && !fields.contains(&path) {
            fields.push(path);
        }
    }
    fields
}

/// Read the plan ADC wrote (see [`read_events`]).
///
/// # Errors
/// A [`ToolError`] when the file is missing or not a list of events.
pub fn read_plan(path: &Path) -> Result<Plan, ToolError> {
    read_events(path).map(Plan::of)
}

impl Plan {
    /// The plan of a list of events.
    #[must_use]
    pub fn of(events: Vec<DiffEvent>) -> Plan {
        let mut plan = Plan::default();
        for event in events {
            *plan
                .counts
                .entry((event.kind.clone(), event.resource_type.clone()))
                .or_default() += 1;
            plan.events.push((
                event.kind,
                event.resource_type,
                event.resource_id,
                event.resource_name,
            ));
        }
        plan.events.sort();
        plan
    }
}

/// A configured `adc` invocation.
#[derive(Debug, Clone)]
pub struct Adc {
    program: PathBuf,
    settings: ApplyConfig,
    token: Option<String>,
}

impl Adc {
    /// Find the `adc` program and read the token from its environment variable.
    ///
    /// # Errors
    /// A [`ToolError`] saying how to install ADC when the program is not found.
    pub fn locate(settings: &ApplyConfig) -> Result<Self, ToolError> {
        let program = match &settings.adc {
            Some(path) => path.clone(),
            None => find_on_path("adc").ok_or_else(missing_adc)?,
        };
        if !program.is_file() {
            return Err(missing_adc().with_help(format!(
                "{} does not exist; install ADC or fix `apply.adc` in .gwlint.yaml",
                program.display()
            )));
        }
        let token_env = settings.token_env.as_deref().unwrap_or(DEFAULT_TOKEN_ENV);
        Ok(Adc {
            program,
            settings: settings.clone(),
            token: std::env::var(token_env).ok().filter(|t| !t.is_empty()),
        })
    }

    /// Run `adc <verb> -f <bundle>` in `workdir`, streaming its output (token masked)
    /// to `out`; returns ADC's exit code and the changes its output reported done.
    ///
    /// # Errors
    /// A [`ToolError`] when the program cannot be started.
    pub fn run(
        &self,
        verb: &str,
        bundle: &Path,
        workdir: &Path,
        guard: &super::interrupt::Guard,
        out: &mut dyn Write,
    ) -> Result<Ran, ToolError> {
        let mut command = Command::new(&self.program);
        command.arg(verb).arg("-f").arg(bundle).current_dir(workdir);
        if verb == "sync" {
            // ADC's default, made explicit: at level 1 sync says each change it made
            // (`Create route: "orders"`), which gwlint compares with the guarded plan.
            command.arg("--verbose").arg("1");
        }
        // Its own process group: a Ctrl-C reaches gwlint, which forwards it (once).
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        for (key, value) in &self.settings.label_selector {
            command
                .arg("--label-selector")
                .arg(format!("{key}={value}"));
        }
        self.set_environment(&mut command);
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .map_err(|e| ToolError::new(format!("cannot run {}: {e}", self.program.display())))?;
        guard.running(child.id());
        let stderr = child.stderr.take();
        let masks = self.masks();
        let error_masks = masks.clone();
        let forward_errors = std::thread::spawn(move || {
            let mut reported = Vec::new();
            if let Some(stderr) = stderr {
                let mut err = std::io::stderr();
                forward(stderr, &mut err, &error_masks, &mut reported);
            }
            reported
        });
        let mut reported = Vec::new();
        if let Some(stdout) = child.stdout.take() {
            forward(stdout, out, &masks, &mut reported);
        }
        reported.extend(forward_errors.join().unwrap_or_default());
        let status = child.wait().map_err(|e| {
            ToolError::new(format!("cannot wait for {}: {e}", self.program.display()))
        });
        guard.finished();
        let status = status?;
        Ok(Ran {
            code: status.code(),
            reported,
        })
    }

    /// Pass the backend settings in ADC's environment variables.
    fn set_environment(&self, command: &mut Command) {
        let s = &self.settings;
        let pairs: [(&str, Option<String>); 6] = [
            ("ADC_BACKEND", s.backend.clone()),
            ("ADC_SERVER", s.server.clone()),
            ("ADC_GATEWAY_GROUP", s.gateway_group.clone()),
            (
                "ADC_CA_CERT_FILE",
                s.ca_cert_file.as_ref().map(|p| p.display().to_string()),
            ),
            (
                "ADC_TLS_CLIENT_CERT_FILE",
                s.tls_client_cert_file
                    .as_ref()
                    .map(|p| p.display().to_string()),
            ),
            (
                "ADC_TLS_CLIENT_KEY_FILE",
                s.tls_client_key_file
                    .as_ref()
                    .map(|p| p.display().to_string()),
            ),
        ];
        for (key, value) in pairs {
            if let Some(value) = value {
                command.env(key, value);
            }
        }
        // ADC turns TLS verification off whenever `ADC_TLS_SKIP_VERIFY` exists, whatever
        // its value: it is set only for `tls_skip_verify: true`, and an inherited one is
        // removed otherwise.
        if s.tls_skip_verify == Some(true) {
            command.env("ADC_TLS_SKIP_VERIFY", "true");
        } else {
            command.env_remove("ADC_TLS_SKIP_VERIFY");
        }
        // adc gets the token gwlint chose (from `token_env`) and no other: an
        // `ADC_TOKEN` exported in the shell is not inherited.
        command.env_remove("ADC_TOKEN");
        if let Some(token) = &self.token {
            command.env("ADC_TOKEN", token);
        }
    }

    /// The byte strings masked in adc's output: the token and its base64 forms (an
    /// HTTP client's debug output may show it inside a basic-auth header).
    fn masks(&self) -> Vec<Vec<u8>> {
        let Some(token) = &self.token else {
            return Vec::new();
        };
        let mut masks = vec![token.as_bytes().to_vec()];
        for encoding in [
            &data_encoding::BASE64,
            &data_encoding::BASE64_NOPAD,
            &data_encoding::BASE64URL_NOPAD,
        ] {
            let encoded = encoding.encode(token.as_bytes()).into_bytes();
            if !masks.contains(&encoded) {
                masks.push(encoded);
            }
        }
        // Longest first, so a mask that contains another is replaced whole.
        masks.sort_by_key(|m| std::cmp::Reverse(m.len()));
        masks
    }
}

/// Copy a child's stream to `out` byte for byte, line by line, with each of `masks`
/// replaced by `***`. Output that is not UTF-8 is forwarded as it is. When `out` can no
/// longer be written (a closed pipe), the stream is still read to its end, so the
/// child is never stopped mid-way by a full or broken pipe. Each line that reports a
/// change done ([`reported_change`]) is added to `reported`.
fn forward(stream: impl Read, out: &mut dyn Write, masks: &[Vec<u8>], reported: &mut Vec<Change>) {
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    let mut writable = true;
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
        let shown = mask(&line, masks);
        if let Some(change) = reported_change(&shown) {
            reported.push(change);
        }
        if writable {
            writable = out.write_all(&shown).and_then(|()| out.flush()).is_ok();
        }
    }
}

/// One change to one resource: `(type, resource type, resource name)`, as
/// `("create", "route", "orders")`.
pub type Change = (String, String, String);

/// What one adc run gave: its exit code (`None` when a signal ended it) and the
/// changes its output said were done.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ran {
    /// adc's exit code.
    pub code: Option<i32>,
    /// Each change a line of its output reported done, in order.
    pub reported: Vec<Change>,
}

/// The change a line of `adc sync`'s output reports done, if it reports one.
///
/// At verbosity 1, ADC's APISIX backend logs each change as a task that starts and
/// succeeds, named `<Type> <resource type>: "<name>"` with the type capitalised
/// (`[ADC] › ✔  success   Delete route: "orders"`; ADC's
/// `libs/backend-apisix/src/operator.ts`, `generateTaskName`). Colour escapes are
/// ignored; the `start` line of the same task is not a change done.
#[must_use]
pub fn reported_change(line: &[u8]) -> Option<Change> {
    let text = String::from_utf8_lossy(line);
    let plain = strip_escapes(&text);
    let plain = plain.trim_end();
    let at = plain.find("success")?;
    let rest = plain[at + "success".len()..].trim_start();
    let (kind, rest) = rest.split_once(' ')?;
    let kind = match kind {
        "Create" => "create",
        "Update" => "update",
        "Delete" => "delete",
        _ => return None,
    };
    let (resource, name) = rest.split_once(": ")?;
    if resource.is_empty()
        || !resource
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'_')
    {
        return None;
    }
    let name = name.strip_prefix('"')?.strip_suffix('"')?;
    Some((kind.to_owned(), resource.to_owned(), name.to_owned()))
}

/// `text` without terminal escape sequences (`ESC [ ... letter`).
fn strip_escapes(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.clone().next() == Some('[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        plain.push(c);
    }
    plain
}

/// How what `adc sync` reported done differs from the guarded plan: the changes it
/// reported that the plan lacks, and the planned changes it did not report. Both empty
/// when sync did exactly what was planned.
#[must_use]
pub fn compare_with_plan(plan: &Plan, reported: &[Change]) -> (Vec<Change>, Vec<Change>) {
    let mut planned: Vec<Change> = plan
        .events
        .iter()
        .map(|(kind, resource, id, name)| {
            let label = if name.is_empty() { id } else { name };
            (kind.clone(), resource.clone(), label.clone())
        })
        .collect();
    let mut unplanned = Vec::new();
    for change in reported {
        if let Some(at) = planned.iter().position(|p| p == change) {
            planned.swap_remove(at);
        } else {
            unplanned.push(change.clone());
        }
    }
    planned.sort();
    (unplanned, planned)
}

/// `bytes` with every occurrence of each mask replaced by `***`.
fn mask(bytes: &[u8], masks: &[Vec<u8>]) -> Vec<u8> {
    let mut shown = bytes.to_vec();
    for secret in masks.iter().filter(|m| !m.is_empty()) {
        let mut out = Vec::with_capacity(shown.len());
        let mut rest = shown.as_slice();
        while let Some(at) = memchr::memmem::find(rest, secret) {
            out.extend_from_slice(&rest[..at]);
            out.extend_from_slice(b"***");
            rest = &rest[at + secret.len()..];
        }
        out.extend_from_slice(rest);
        shown = out;
    }
    shown
}

fn missing_adc() -> ToolError {
    ToolError::new("the ADC CLI (`adc`) was not found on PATH").with_help(
        "install it from ADC's GitHub releases (a single binary: unpack `adc` into a folder on PATH), \
         or set `apply.adc` in .gwlint.yaml to its path",
    )
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|candidate| candidate.is_file())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_output_lines_report_the_changes_done() {
        let change = |k: &str, r: &str, n: &str| Some((k.to_owned(), r.to_owned(), n.to_owned()));
        assert_eq!(
            reported_change("[ADC] › ✔  success   Create route: \"list-orders\"\n".as_bytes()),
            change("create", "route", "list-orders")
        );
        assert_eq!(
            reported_change(
                "\u{1b}[32m[ADC] › ✔  success\u{1b}[39m   Update consumer_credential: \"a \"b\"\""
                    .as_bytes()
            ),
            change("update", "consumer_credential", "a \"b\"")
        );
        assert_eq!(
            reported_change(b"[ADC] > success Delete service: \"\""),
            change("delete", "service", "")
        );
        // The task's start, ADC's own steps and other text are not changes done.
        for line in [
            "[ADC] › ▶  start     Create route: \"list-orders\"",
            "[ADC] › ✔  success   Sync configuration",
            "[ADC] › ✔  success   Create Route: \"x\"",
            "[ADC] › ✔  success   Create route: x",
            "[ADC] › ✖  error     Create route: \"x\"",
        ] {
            assert_eq!(reported_change(line.as_bytes()), None, "{line}");
        }
    }

    #[test]
    fn what_sync_reported_is_compared_with_the_plan_change_for_change() {
        let event = |kind: &str, resource: &str, id: &str, name: &str| DiffEvent {
            kind: kind.into(),
            resource_type: resource.into(),
            resource_id: id.into(),
            resource_name: name.into(),
            ..DiffEvent::default()
        };
        let plan = Plan::of(vec![
            event("create", "route", "r1", "orders"),
            event("create", "route", "r2", "orders"),
            event("delete", "service", "s1", ""),
        ]);
        let change = |k: &str, r: &str, n: &str| (k.to_owned(), r.to_owned(), n.to_owned());
        let done = vec![
            change("delete", "service", "s1"),
            change("create", "route", "orders"),
            change("create", "route", "orders"),
        ];
        assert_eq!(compare_with_plan(&plan, &done), (vec![], vec![]));
        // One of two same-named creates missing, and a delete nobody planned.
        let done = vec![
            change("create", "route", "orders"),
            change("delete", "route", "someone-elses"),
            change("delete", "service", "s1"),
        ];
        assert_eq!(
            compare_with_plan(&plan, &done),
            (
                vec![change("delete", "route", "someone-elses")],
                vec![change("create", "route", "orders")]
            )
        );
    }

    #[test]
    fn plan_counts_events_by_type() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("diff.yaml");
        std::fs::write(
            &path,
            "- type: create\n  resourceType: route\n- type: delete\n  resourceType: service\n- type: delete\n  resourceType: route\n",
        )
        .unwrap();
        let plan = read_plan(&path).unwrap();
        assert_eq!(
            (
                plan.total("create"),
                plan.total("update"),
                plan.total("delete")
            ),
            (1, 0, 2)
        );
        assert_eq!(
            plan.summary(),
            "1 create, 0 update, 2 delete (create: route 1; delete: route 1, service 1)"
        );
    }

    #[test]
    fn events_carry_the_changed_field_paths_and_never_the_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("diff.yaml");
        std::fs::write(
            &path,
            "- type: update\n  resourceType: consumer\n  resourceId: alice\n  resourceName: alice\n  diff:\n    - kind: E\n      path: [plugins, key-auth, key]\n      lhs: old-secret\n      rhs: new-secret\n    - kind: A\n      path: [uris]\n      index: 1\n      item: {kind: N, rhs: /x}\n    - kind: E\n      path: [nodes, 0, port]\n      lhs: 1\n      rhs: 2\n    - kind: E\n      path: [plugins, key-auth, key]\n  oldValue: {username: alice}\n- type: create\n  resourceType: route\n  resourceId: r1\n  resourceName: list\n  parentId: s1\n",
        )
        .unwrap();
        let events = read_events(&path).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(
            events[0].fields,
            ["plugins.key-auth.key", "uris[1]", "nodes[0].port"]
        );
        assert_eq!(events[0].parent_id, None);
        assert_eq!(
            (
                events[1].kind.as_str(),
                events[1].resource_type.as_str(),
                events[1].parent_id.as_deref()
            ),
            ("create", "route", Some("s1"))
        );
        assert!(events[1].fields.is_empty());
    }

    fn adc_with_token(token: &str) -> Adc {
        Adc {
            program: PathBuf::from("adc"),
            settings: ApplyConfig::default(),
            token: Some(token.to_owned()),
        }
    }

    #[test]
    fn forwarding_masks_the_token_and_its_base64_forms() {
        let adc = adc_with_token("s3cr3t-t0ken");
        let encoded = data_encoding::BASE64.encode(b"s3cr3t-t0ken");
        let mut out = Vec::new();
        let input = format!("using token s3cr3t-t0ken\nAuthorization: Basic {encoded}\nok\n");
        forward(input.as_bytes(), &mut out, &adc.masks(), &mut Vec::new());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "using token ***\nAuthorization: Basic ***\nok\n"
        );
    }

    #[test]
    fn forwarding_keeps_bytes_that_are_not_utf8() {
        let adc = adc_with_token("tok");
        let input: &[u8] = b"caf\xe9 tok\n\xff\xfe after\nlast line without end";
        let mut out = Vec::new();
        forward(input, &mut out, &adc.masks(), &mut Vec::new());
        assert_eq!(out, b"caf\xe9 ***\n\xff\xfe after\nlast line without end");
    }

    /// A writer that fails like a closed pipe after its first write.
    struct Closed(usize);

    impl Write for Closed {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += 1;
            if self.0 > 1 {
                return Err(std::io::ErrorKind::BrokenPipe.into());
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_output_still_drains_the_stream() {
        struct Counted<'a>(&'a [u8], &'a std::cell::Cell<usize>);
        impl Read for Counted<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(buf.len()).min(7);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                self.1.set(self.1.get() + n);
                Ok(n)
            }
        }
        let text = "line\n".repeat(1000);
        let read = std::cell::Cell::new(0);
        forward(
            Counted(text.as_bytes(), &read),
            &mut Closed(0),
            &[],
            &mut Vec::new(),
        );
        assert_eq!(read.get(), text.len());
    }
}

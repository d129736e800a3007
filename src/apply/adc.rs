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

/// What a plan will do: counts of create/update/delete by resource type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// `(event type, resource type)` → count.
    pub counts: BTreeMap<(String, String), usize>,
}

impl Plan {
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

/// Read the plan ADC wrote: a list of events with `type` and `resourceType`.
///
/// # Errors
/// A [`ToolError`] when the file is missing or not a list of events.
pub fn read_plan(path: &Path) -> Result<Plan, ToolError> {
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
    let mut plan = Plan::default();
    for event in events {
        let kind = event
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_owned();
        let resource = event
            .get("resourceType")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_owned();
        *plan.counts.entry((kind, resource)).or_default() += 1;
    }
    Ok(plan)
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
    /// to `out`; returns ADC's exit code.
    ///
    /// # Errors
    /// A [`ToolError`] when the program cannot be started.
    pub fn run(
        &self,
        verb: &str,
        bundle: &Path,
        workdir: &Path,
        out: &mut dyn Write,
    ) -> Result<i32, ToolError> {
        let mut command = Command::new(&self.program);
        command.arg(verb).arg("-f").arg(bundle).current_dir(workdir);
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
        let stderr = child.stderr.take();
        let token = self.token.clone();
        let forward_errors = std::thread::spawn(move || {
            if let Some(stderr) = stderr {
                let mut err = std::io::stderr();
                forward(stderr, &mut err, token.as_deref());
            }
        });
        if let Some(stdout) = child.stdout.take() {
            forward(stdout, out, self.token.as_deref());
        }
        let _ = forward_errors.join();
        let status = child.wait().map_err(|e| {
            ToolError::new(format!("cannot wait for {}: {e}", self.program.display()))
        })?;
        Ok(status.code().unwrap_or(1))
    }

    /// Pass the backend settings in ADC's environment variables.
    fn set_environment(&self, command: &mut Command) {
        let s = &self.settings;
        let pairs: [(&str, Option<String>); 7] = [
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
            (
                "ADC_TLS_SKIP_VERIFY",
                s.tls_skip_verify.map(|b| b.to_string()),
            ),
        ];
        for (key, value) in pairs {
            if let Some(value) = value {
                command.env(key, value);
            }
        }
        if let Some(token) = &self.token {
            command.env("ADC_TOKEN", token);
        }
    }
}

/// Copy lines from a child's stream to `out`, masking the token.
fn forward(stream: impl Read, out: &mut dyn Write, token: Option<&str>) {
    for line in BufReader::new(stream).lines().map_while(Result::ok) {
        let shown = match token {
            Some(token) => line.replace(token, "***"),
            None => line,
        };
        let _ = writeln!(out, "{shown}");
    }
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
    fn forwarding_masks_the_token() {
        let mut out = Vec::new();
        forward(
            "using token s3cr3t\nok\n".as_bytes(),
            &mut out,
            Some("s3cr3t"),
        );
        assert_eq!(String::from_utf8(out).unwrap(), "using token ***\nok\n");
    }
}

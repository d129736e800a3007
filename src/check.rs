//! The check pipeline for one environment: files → findings (+ model).
//!
//! Owns the order of the stages and nothing else: every loaded file is validated
//! on its own (format detection, schema, imperative checks) in parallel, then the
//! environment's files are merged into the model, whose own findings (duplicates
//! across files, references) are added. Findings are tagged with the environment.

use crate::finding::{Finding, Location, Severity};
use crate::format::{self, Detected, Format};
use crate::load::LoadedFile;
use crate::model::{self, Environment};
use crate::schema::{self, SchemaOptions, SchemaSet};
use rayon::prelude::*;

/// Everything a check needs that does not change between environments.
#[derive(Debug)]
pub struct Checker {
    /// Compiled schemas.
    pub schemas: SchemaSet,
    /// Schema-stage settings.
    pub schema_options: SchemaOptions,
}

/// One file after its own checks: the loaded file, its format and findings.
#[derive(Debug)]
pub struct CheckedFile {
    /// The file and its document.
    pub file: LoadedFile,
    /// Its format, when it has a document.
    pub format: Option<Format>,
}

/// The result of checking one environment.
#[derive(Debug)]
pub struct EnvironmentReport {
    /// The environment's name.
    pub name: String,
    /// Its merged model.
    pub model: Environment,
    /// Every finding, in report order.
    pub findings: Vec<Finding>,
    /// How many files were checked.
    pub files: usize,
}

impl Checker {
    /// Check one environment's loaded files. `forced` overrides format detection.
    #[must_use]
    pub fn check_environment(
        &self,
        name: &str,
        files: Vec<LoadedFile>,
        forced: Option<Format>,
    ) -> EnvironmentReport {
        let file_count = files.len();
        let mut checked: Vec<CheckedFile> = files
            .into_par_iter()
            .map(|file| self.check_file(file, forced))
            .collect();
        let (model, model_findings) = model::build(name, &checked);
        let mut findings: Vec<Finding> = checked
            .iter_mut()
            .flat_map(|c| std::mem::take(&mut c.file.findings))
            .chain(model_findings)
            .collect();
        for finding in &mut findings {
            finding.environment = Some(name.to_owned());
        }
        crate::finding::sort_findings(&mut findings);
        EnvironmentReport {
            name: name.to_owned(),
            model,
            findings,
            files: file_count,
        }
    }

    /// Detect a file's format and validate it.
    #[must_use]
    pub fn check_file(&self, mut file: LoadedFile, forced: Option<Format>) -> CheckedFile {
        let Some(document) = &file.document else {
            return CheckedFile { file, format: None };
        };
        let format = match forced {
            Some(format) => format,
            None => match format::detect(&file.source.path, &document.value) {
                Detected::Format(format) => format,
                Detected::Mixed {
                    adc_key,
                    standalone_key,
                } => {
                    let finding = mixed_format(&file, &adc_key, &standalone_key);
                    file.findings.push(finding);
                    return CheckedFile { file, format: None };
                }
            },
        };
        let findings = schema::validate_document(
            &self.schemas,
            &self.schema_options,
            format,
            &file.source,
            document,
        );
        file.findings.extend(findings);
        CheckedFile {
            file,
            format: Some(format),
        }
    }
}

/// The finding for a file that mixes ADC and standalone top-level keys.
fn mixed_format(file: &LoadedFile, adc_key: &str, standalone_key: &str) -> Finding {
    let at = |key: &str| {
        let pointer = crate::load::document::join_pointer("", key);
        let span = file
            .document
            .as_ref()
            .map(|d| d.locate(&pointer))
            .map(|l| l.key_span.unwrap_or(l.span))
            .unwrap_or_default();
        Location {
            source: file.source.clone(),
            span,
            pointer,
        }
    };
    Finding::new(
        "schema/mixed-format",
        Severity::Error,
        format!(
            "file mixes ADC (`{adc_key}`) and APISIX standalone (`{standalone_key}`) top-level keys; it was not validated"
        ),
        "keep ADC files and standalone files apart, or set `format` for this environment in .gwlint.yaml",
        at(standalone_key),
    )
    .with_related("ADC key here", at(adc_key))
}

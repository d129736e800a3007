//! Conformance with what APISIX and ADC themselves accept.
//!
//! Reads the external corpora in `../shared/conformance` (never copied into the
//! repository): APISIX's schema-check cases, ADC's lint cases and ADC's valid
//! examples. Every case runs through the real checker; the agreement table is
//! written to `fixtures/conformance-report.md`.

#![allow(clippy::print_stdout)]

mod common;

use gwlint::check::Checker;
use gwlint::finding::{Finding, Severity};
use gwlint::format::Format;
use gwlint::load::{parse_text, LoadLimits};
use gwlint::policy::{PolicySet, PolicySources};
use gwlint::schema::{SchemaOptions, SchemaSet};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Cases whose outcome depends on something a static checker cannot know, with the
/// reason. Keyed by `source` + ` :: ` + `block`.
const UNDECIDABLE: &[(&str, &str)] = &[(
    "t/admin/upstream4.t :: TEST 4: invalid string id",
    "the invalid id is in the Admin API URL (`PUT /apisix/admin/upstreams/<id>`), which the case does not carry; \
     its body is valid",
)];

/// A checker with the built-in schemas and no policies: conformance is about what
/// the gateway accepts, not about gwlint's opinions.
fn checker() -> Checker {
    Checker {
        schemas: SchemaSet::load(&[]).expect("built-in schemas compile"),
        schema_options: SchemaOptions::default(),
        policies: PolicySet::load(&PolicySources {
            no_builtin: true,
            ..PolicySources::default()
        })
        .expect("empty policy set"),
    }
}

/// Check one in-memory file as an environment of its own.
fn check_text(checker: &Checker, name: &str, text: String, format: Format) -> Vec<Finding> {
    let file = parse_text(Path::new(name), text, &LoadLimits::default());
    checker
        .check_environment("conformance", vec![file], Some(format))
        .findings
}

/// The errors of a case. A case is one object checked as APISIX checks it alone;
/// the resources it refers to by id live elsewhere in APISIX's tests, so a
/// `ref/dangling-*` finding (a reference to a resource the one-object environment
/// lacks) is not a disagreement.
fn errors(findings: &[Finding]) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error && !f.rule.starts_with("ref/dangling-"))
        .collect()
}

/// The standalone file an APISIX case stands for.
fn standalone_file(case: &Value) -> Value {
    let config = case["config"].clone();
    let plugin = case["plugin"].as_str().unwrap_or_default();
    match (
        case["kind"].as_str().unwrap_or_default(),
        case["schema_type"].as_str(),
    ) {
        ("plugin", Some("consumer")) => {
            json!({"consumers": [{"username": "conformance", "plugins": {plugin: config}}]})
        }
        ("plugin", Some("metadata")) => {
            let mut item = config.as_object().cloned().unwrap_or_default();
            item.insert("id".into(), json!(plugin));
            json!({"plugin_metadata": [item]})
        }
        ("plugin", _) => json!({"routes": [{"uri": "/conformance", "plugins": {plugin: config}}]}),
        (kind, _) => {
            let list = match kind {
                "route" => "routes",
                "upstream" => "upstreams",
                "service" => "services",
                "consumer" => "consumers",
                "consumer_group" => "consumer_groups",
                "global_rule" => "global_rules",
                "plugin_config" => "plugin_configs",
                "stream_route" => "stream_routes",
                other => panic!("unknown case kind {other}"),
            };
            json!({ list: [config] })
        }
    }
}

#[derive(Default)]
struct Tally {
    cases: usize,
    agree: usize,
    undecidable: usize,
}

struct Disagreement {
    group: String,
    case: String,
    expected_valid: bool,
    expected_error: String,
    got: String,
    reason: Option<&'static str>,
}

fn run_apisix(checker: &Checker, dir: &Path, report: &mut String) -> (usize, usize) {
    let text = std::fs::read_to_string(dir.join("apisix/cases.jsonl")).expect("cases.jsonl");
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut disagreements = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).expect("valid JSON line");
        let group = match case["plugin"].as_str() {
            Some(plugin) => plugin.to_owned(),
            None => format!("({})", case["kind"].as_str().unwrap_or_default()),
        };
        let key = format!(
            "{} :: {}",
            case["source"].as_str().unwrap_or_default(),
            case["block"].as_str().unwrap_or_default()
        );
        let file = serde_json::to_string_pretty(&standalone_file(&case)).unwrap_or_default();
        let findings = check_text(checker, "apisix.json", file, Format::Standalone);
        let found = errors(&findings);
        let expected_valid = case["valid"].as_bool().unwrap_or(true);
        let tally = tallies.entry(group.clone()).or_default();
        tally.cases += 1;
        if found.is_empty() == expected_valid {
            tally.agree += 1;
            continue;
        }
        let reason = UNDECIDABLE.iter().find(|(k, _)| *k == key).map(|(_, r)| *r);
        if reason.is_some() {
            tally.undecidable += 1;
        }
        disagreements.push(Disagreement {
            group,
            case: key,
            expected_valid,
            expected_error: case["expected_error"]
                .as_str()
                .or(case["expected_error_like"].as_str())
                .unwrap_or("")
                .to_owned(),
            got: found
                .iter()
                .map(|f| format!("{} {}: {}", f.rule, f.location.pointer, f.message))
                .collect::<Vec<_>>()
                .join("; "),
            reason,
        });
    }
    write_apisix_report(report, &tallies, &disagreements)
}

fn write_apisix_report(
    report: &mut String,
    tallies: &BTreeMap<String, Tally>,
    disagreements: &[Disagreement],
) -> (usize, usize) {
    let (mut cases, mut agree, mut undecidable) = (0, 0, 0);
    let _ = writeln!(report, "## APISIX schema cases (`apisix/cases.jsonl`)\n");
    let _ = writeln!(
        report,
        "| plugin / (resource) | cases | agree | undecidable | agreement (decidable) |"
    );
    let _ = writeln!(report, "|---|---:|---:|---:|---:|");
    for (group, t) in tallies {
        let _ = writeln!(
            report,
            "| {group} | {} | {} | {} | {} |",
            t.cases,
            t.agree,
            t.undecidable,
            percent(t.agree, t.cases - t.undecidable)
        );
        cases += t.cases;
        agree += t.agree;
        undecidable += t.undecidable;
    }
    let _ = writeln!(
        report,
        "| **all** | **{cases}** | **{agree}** | **{undecidable}** | **{}** |\n",
        percent(agree, cases - undecidable)
    );
    let _ = writeln!(report, "### Disagreements\n");
    if disagreements.is_empty() {
        let _ = writeln!(report, "None.\n");
    }
    for d in disagreements {
        let _ = writeln!(
            report,
            "- **{}** `{}`: APISIX says {}{}; gwlint says {}. Reason: {}",
            d.group,
            d.case,
            if d.expected_valid { "valid" } else { "invalid" },
            if d.expected_error.is_empty() {
                String::new()
            } else {
                format!(" (`{}`)", d.expected_error.replace('`', "'"))
            },
            if d.got.is_empty() {
                "valid".to_owned()
            } else {
                format!("invalid (`{}`)", d.got.replace('`', "'"))
            },
            d.reason.unwrap_or("not yet explained")
        );
    }
    report.push('\n');
    (agree, cases - undecidable)
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "n/a".into();
    }
    #[allow(clippy::cast_precision_loss)]
    let p = part as f64 * 100.0 / whole as f64;
    format!("{p:.1} %")
}

/// ADC lint cases where gwlint deliberately follows the Rust ADC rather than the
/// TypeScript ADC that the case's first line describes, with the reason.
const ADC_RUST_BEHAVIOUR: &[(&str, &str)] = &[(
    "06-valid-numeric-strings-coerced.yaml",
    "quoted numbers (`port: \"443\"`) are accepted by the TypeScript ADC (zod coercion) but rejected by the \
     Rust ADC (plain serde numbers); gwlint follows the Rust ADC: a number written as a string is an error",
)];

/// The outcome an ADC lint case states on its first line.
fn adc_expectation(text: &str) -> bool {
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("# expected:"),
        "case without expectation: {first}"
    );
    first.contains("VALID") && !first.contains("INVALID")
}

fn sorted_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("corpus folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .collect();
    files.sort();
    files
}

fn run_adc_lint(checker: &Checker, dir: &Path, report: &mut String) -> (usize, usize) {
    let _ = writeln!(report, "## ADC lint cases (`adc-lint/`)\n");
    let _ = writeln!(report, "| case | expected | gwlint | errors found |");
    let _ = writeln!(report, "|---|---|---|---|");
    let (mut agree, mut total) = (0, 0);
    for path in sorted_files(&dir.join("adc-lint")) {
        let text = std::fs::read_to_string(&path).expect("case file");
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let rust_rule = ADC_RUST_BEHAVIOUR.iter().find(|(case, _)| *case == name);
        let expected_valid = adc_expectation(&text) && rust_rule.is_none();
        let findings = check_text(checker, &name, text, Format::Adc);
        let found = errors(&findings);
        total += 1;
        let ok = found.is_empty() == expected_valid;
        agree += usize::from(ok);
        let shown: Vec<String> = found
            .iter()
            .map(|f| {
                format!(
                    "`{}` {}:{} {}",
                    f.rule,
                    f.location.span.start.line,
                    f.location.span.start.column,
                    f.message.replace('|', "\\|").replace('`', "'")
                )
            })
            .collect();
        let _ = writeln!(
            report,
            "| {name} | {}{} | {}{} | {} |",
            if expected_valid { "valid" } else { "invalid" },
            if rust_rule.is_some() {
                " (Rust ADC)"
            } else {
                ""
            },
            if found.is_empty() { "valid" } else { "invalid" },
            if ok { "" } else { " **(disagrees)**" },
            shown.join("<br>")
        );
    }
    let _ = writeln!(report, "\n**{agree}/{total}** agree.\n");
    for (case, reason) in ADC_RUST_BEHAVIOUR {
        let _ = writeln!(report, "- {case}: {reason}.");
    }
    report.push('\n');
    (agree, total)
}

fn run_adc_valid(checker: &Checker, dir: &Path, report: &mut String) -> Vec<String> {
    let _ = writeln!(report, "## ADC valid examples (`adc-valid/`)\n");
    let mut failures = Vec::new();
    for path in sorted_files(&dir.join("adc-valid")) {
        let text = std::fs::read_to_string(&path).expect("example file");
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let findings = check_text(checker, &name, text, Format::Adc);
        let found = errors(&findings);
        let warnings = findings.len() - found.len();
        let _ = writeln!(
            report,
            "- {name}: {} errors, {warnings} warnings/infos",
            found.len()
        );
        if !found.is_empty() {
            failures.push(format!(
                "{name}: {}",
                found
                    .iter()
                    .map(|f| format!("{} {}", f.location.pointer, f.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
    }
    report.push('\n');
    failures
}

#[test]
fn conformance_with_apisix_and_adc() {
    let dir = common::fixture("conformance");
    let checker = checker();
    let mut report = String::from(
        "# Conformance report\n\nGenerated by `cargo test --test conformance` from `../shared/conformance` \
         (not part of this repository). Do not edit by hand.\n\n",
    );
    let (apisix_agree, apisix_decidable) = run_apisix(&checker, &dir, &mut report);
    let (adc_agree, adc_total) = run_adc_lint(&checker, &dir, &mut report);
    let valid_failures = run_adc_valid(&checker, &dir, &mut report);
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/conformance-report.md");
    std::fs::write(&out, &report).expect("write conformance report");
    println!(
        "conformance: APISIX {apisix_agree}/{apisix_decidable} decidable cases agree, ADC lint {adc_agree}/{adc_total}, ADC valid examples with errors: {}",
        valid_failures.len()
    );
    assert!(
        valid_failures.is_empty(),
        "ADC valid examples with errors:\n{}",
        valid_failures.join("\n")
    );
    assert_eq!(
        adc_agree, adc_total,
        "ADC lint cases disagree; see fixtures/conformance-report.md"
    );
    assert!(
        apisix_agree * 100 >= apisix_decidable * 98,
        "APISIX agreement {apisix_agree}/{apisix_decidable} is below 98 %; see fixtures/conformance-report.md"
    );
}

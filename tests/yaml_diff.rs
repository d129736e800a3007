//! The YAML loader against a reference YAML 1.2 parser, ruamel.yaml, on generated
//! gateway-shaped documents (`yaml_diff/generator.rs`).
//!
//! Every document is loaded by gwlint and by ruamel.yaml (`yaml_diff/reference.py`,
//! run by the Python named in `GWLINT_RUAMEL_PYTHON` when the tests are built; see
//! build.rs). The values must be the same, but for the differences listed in
//! [`explained`] and [`reference_refusal_explained`]: each is a place where gwlint
//! reports a finding of a documented rule (src/load/yaml.rs tabulates them), or one
//! where ruamel.yaml departs from YAML 1.2 and the YAML loaders of the gateway. The
//! test runs 2,000 documents of a fixed seed; `GWLINT_YAML_DIFF_CASES` and
//! `GWLINT_YAML_DIFF_SEED` run more, or others (the first run was 24,000).
//! Without the reference the test is reported as ignored; `.ci/run` installs it and
//! sets `GWLINT_REQUIRE_RUAMEL=1`, which makes its absence a failure.

#![allow(clippy::print_stdout)]

#[path = "yaml_diff/generator.rs"]
mod generator;

use gwlint::finding::{Finding, Severity};
use gwlint::load::{yaml, LoadLimits, ParseOutput};
use gwlint::source::SourceFile;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// The Python with ruamel.yaml found when the tests were built.
#[cfg(gwlint_has_ruamel)]
fn reference_python() -> &'static Path {
    Path::new(env!("GWLINT_RUAMEL_PYTHON_PROGRAM"))
}

#[cfg(not(gwlint_has_ruamel))]
fn reference_python() -> &'static Path {
    unreachable!("the differential test is ignored without the reference")
}

#[test]
fn reference_is_there_when_required() {
    let found = option_env!("GWLINT_RUAMEL_PYTHON_PROGRAM");
    if std::env::var("GWLINT_REQUIRE_RUAMEL").as_deref() == Ok("1") {
        assert!(
            found.is_some(),
            "GWLINT_REQUIRE_RUAMEL=1 but no reference Python was found when the tests were built: set GWLINT_RUAMEL_PYTHON"
        );
    }
}

/// A value as the reference gives it (see reference.py).
#[derive(Debug, Clone, PartialEq)]
enum Ref {
    Null,
    Bool(bool),
    /// Decimal digits, exact.
    Int(String),
    /// `repr` of a Python float, or `inf`, `-inf`, `nan`.
    Float(String),
    Str(String),
    Bytes(String),
    Timestamp(String),
    Seq(Vec<Ref>),
    Map(Vec<(Ref, Ref)>),
    Other(String),
}

impl Ref {
    fn from_json(value: &Value) -> Ref {
        let Some(object) = value.as_object() else {
            return Ref::Null;
        };
        let (kind, inner) = object.iter().next().expect("a tagged value");
        let text = || inner.as_str().unwrap_or_default().to_owned();
        match kind.as_str() {
            "bool" => Ref::Bool(inner.as_bool().unwrap_or_default()),
            "int" => Ref::Int(text()),
            "float" => Ref::Float(text()),
            "str" => Ref::Str(text()),
            "bytes" => Ref::Bytes(text()),
            "timestamp" => Ref::Timestamp(text()),
            "seq" => Ref::Seq(
                inner
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(Ref::from_json)
                    .collect(),
            ),
            "map" => Ref::Map(
                inner
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|pair| (Ref::from_json(&pair[0]), Ref::from_json(&pair[1])))
                    .collect(),
            ),
            _ => Ref::Other(text()),
        }
    }

    /// The key gwlint makes of this key node (keys are strings in JSON).
    fn key_text(&self) -> String {
        match self {
            Ref::Null => String::new(),
            Ref::Bool(b) => b.to_string(),
            Ref::Int(s) | Ref::Float(s) | Ref::Str(s) | Ref::Timestamp(s) => s.clone(),
            other => format!("{other:?}"),
        }
    }
}

/// What the reference made of a document.
enum Loaded {
    Ok(Vec<Ref>),
    Error(String),
}

/// A place where the two values differ.
#[derive(Debug)]
struct Difference {
    pointer: String,
    ours: String,
    theirs: Ref,
}

fn compare(ours: &Value, theirs: &Ref, pointer: &str, out: &mut Vec<Difference>) {
    let same = match (ours, theirs) {
        (Value::Null, Ref::Null) => true,
        (Value::Bool(a), Ref::Bool(b)) => a == b,
        (Value::String(a), Ref::Str(b)) => a == b,
        (Value::Number(n), Ref::Int(digits)) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string() == *digits,
            (_, Some(u), _) => u.to_string() == *digits,
            // An integer beyond 64 bits that a double holds exactly.
            (_, _, Some(f)) => f.fract() == 0.0 && format!("{f:.0}") == *digits,
            _ => false,
        },
        (Value::Number(n), Ref::Float(repr)) => {
            n.is_f64() && repr.parse::<f64>().ok() == n.as_f64()
        }
        (Value::Array(items), Ref::Seq(theirs)) if items.len() == theirs.len() => {
            for (at, (a, b)) in items.iter().zip(theirs).enumerate() {
                compare(a, b, &format!("{pointer}/{at}"), out);
            }
            true
        }
        (Value::Object(map), Ref::Map(pairs)) => {
            let theirs: BTreeMap<String, &Ref> =
                pairs.iter().map(|(k, v)| (k.key_text(), v)).collect();
            let same_keys = map.len() == theirs.len()
                && map.keys().all(|key| theirs.contains_key(key.as_str()));
            if same_keys {
                for (key, value) in map {
                    let child = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                    compare(value, theirs[key.as_str()], &child, out);
                }
            }
            same_keys
        }
        _ => false,
    };
    if !same {
        out.push(Difference {
            pointer: pointer.to_owned(),
            ours: ours.to_string(),
            theirs: theirs.clone(),
        });
    }
}

/// Whether a difference is one of the documented ones: gwlint reports, at that
/// place, a finding of the rule that covers it (or, for a value reached through an
/// alias, where the anchored value is written), or ruamel.yaml departs there from
/// YAML 1.2 and from at least one of the gateway's loaders.
fn explained(difference: &Difference, findings: &[Finding], text: &str) -> bool {
    let ours = serde_json::from_str::<Value>(&difference.ours).unwrap_or(Value::Null);
    let ours_text = ours.as_str();
    let reported = |rule: &str| {
        findings.iter().any(|f| {
            f.rule == rule
                && (f.location.pointer == difference.pointer
                    || ours_text.is_some_and(|s| f.message.contains(&format!("`{s}`"))))
        })
    };
    // A node whose tag does not fit it, or is not resolved: gwlint's value is
    // documented with the finding (ruamel.yaml reads `!!null x` as null, `!!bool yes`
    // as true).
    if reported("parse/tag") {
        return true;
    }
    // `!!binary`, a tag gwlint does not resolve (reached here through an alias or a
    // merge: the finding is where the tag is written).
    if matches!(difference.theirs, Ref::Bytes(_)) {
        return findings
            .iter()
            .any(|f| f.rule == "parse/tag" && f.message.contains("`!!binary`"));
    }
    match (&difference.theirs, ours_text) {
        // `.inf`, `.nan`, `1e400`: JSON cannot hold them; gwlint keeps the text.
        (Ref::Float(repr), Some(_)) if matches!(repr.as_str(), "inf" | "-inf" | "nan") => {
            reported("parse/number-out-of-range")
        }
        // An integer a double rounds, beyond 64 bits: gwlint keeps the nearest double,
        // which is what the gateway reads (and the message names).
        (Ref::Int(_), None) => {
            let nearest = ours.as_f64().map(|f| format!("reads {f:.0}"));
            reported("parse/imprecise-number")
                || findings.iter().any(|f| {
                    f.rule == "parse/imprecise-number"
                        && nearest
                            .as_ref()
                            .is_some_and(|n| f.message.ends_with(n.as_str()))
                })
        }
        // ruamel.yaml reads `1_000`, `0b101` and `+0x1F` as numbers although its YAML 1.2
        // mode is on: YAML 1.1 forms, which gwlint keeps as strings and warns about.
        (Ref::Int(_) | Ref::Float(_), Some(_)) if reported("parse/yaml11-number") => true,
        // The non-specific tag `!` makes a scalar a string in YAML 1.2, as js-yaml
        // (ADC) and eemeli/yaml read it; ruamel.yaml and libyaml resolve it as if
        // untagged.
        (Ref::Int(_) | Ref::Float(_) | Ref::Bool(_) | Ref::Null, Some(s))
            if text.contains(&format!("! {s}")) =>
        {
            true
        }
        // ruamel.yaml resolves YAML 1.1 timestamps; the YAML 1.2 core schema (and
        // gwlint, and js-yaml's core use) has none, so the text stays a string.
        (Ref::Timestamp(_), Some(_)) => true,
        // A block scalar whose last content line ends the file without a line break:
        // saphyr-parser, js-yaml (ADC) and eemeli/yaml end the value with a line break,
        // YAML 1.2, libyaml (APISIX) and ruamel.yaml without one.
        (Ref::Str(theirs), Some(s)) => {
            !text.ends_with('\n') && s.strip_suffix('\n') == Some(theirs.as_str())
        }
        _ => false,
    }
}

/// Whether the reference's refusal of a document gwlint loads is documented: gwlint
/// reports the reason as an error, or ruamel.yaml refuses what YAML 1.2 allows.
fn reference_refusal_explained(error: &str, text: &str, ours: &ParseOutput) -> bool {
    let reported = |rules: &[&str]| {
        ours.findings
            .iter()
            .any(|f| f.severity == Severity::Error && rules.contains(&f.rule.as_str()))
    };
    if error.starts_with("DuplicateKeyError") {
        // Two `<<` keys are a duplicate too (js-yaml merges both silently).
        return reported(&["parse/duplicate-key"]);
    }
    if error.contains("for merging") || error.contains("merge") {
        return reported(&["parse/merge-key", "parse/duplicate-key"]);
    }
    // A tag gwlint does not resolve, or content that does not fit its tag.
    if error.contains("could not determine a constructor for the tag")
        || error.starts_with("ValueError")
        || error.contains("expected a mapping node")
        || error.contains("expected a sequence node")
    {
        return reported(&["parse/tag"]);
    }
    // ruamel.yaml refuses a tab after a key's `:`, which YAML 1.2, libyaml (APISIX),
    // js-yaml (ADC) and eemeli/yaml accept.
    if error.contains("found character '\\t' that cannot start any token") {
        return text.contains(":\t");
    }
    false
}

/// Run the reference on every text: one process per core, each on its share.
fn reference(texts: &[String]) -> Vec<Loaded> {
    let processes = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let share = texts.len().div_ceil(processes).max(1);
    std::thread::scope(|scope| {
        let runs: Vec<_> = texts
            .chunks(share)
            .map(|chunk| scope.spawn(move || reference_process(chunk)))
            .collect();
        runs.into_iter()
            .flat_map(|run| run.join().expect("the reference thread"))
            .collect()
    })
}

/// Run one reference process on `texts`.
fn reference_process(texts: &[String]) -> Vec<Loaded> {
    use std::io::Write as _;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/yaml_diff/reference.py");
    let mut child = std::process::Command::new(reference_python())
        .arg(&script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the reference Python starts");
    let input = serde_json::to_vec(texts).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().unwrap();
    let written = writer.join().unwrap();
    assert!(
        output.status.success(),
        "the reference failed (is ruamel.yaml installed for {}?): {}",
        reference_python().display(),
        String::from_utf8_lossy(&output.stderr)
    );
    written.unwrap();
    let results: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(results.len(), texts.len());
    results
        .iter()
        .map(|result| match (result.get("ok"), result.get("error")) {
            (Some(documents), _) => Loaded::Ok(
                documents
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(Ref::from_json)
                    .collect(),
            ),
            (_, Some(error)) => Loaded::Error(error.as_str().unwrap_or_default().to_owned()),
            _ => panic!("unexpected reference result {result}"),
        })
        .collect()
}

fn load(text: &str) -> ParseOutput {
    let source = Arc::new(SourceFile::new("generated.yaml".into(), text.to_owned()));
    yaml::parse(&source, &LoadLimits::default())
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().map_or(default, |v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name}={v} is not a number"))
    })
}

/// What one case came to.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Clone, Copy)]
enum Outcome {
    /// Both loaded the same values (some differences explained).
    Agreed,
    /// Both refused the document.
    BothRefused,
    /// The reference refused it for a documented reason.
    ReferenceRefused,
    /// gwlint refused it, as YAML 1.2 does, and the reference accepts it.
    ReferenceAccepted,
}

#[test]
#[cfg_attr(
    not(gwlint_has_ruamel),
    ignore = "needs ruamel.yaml: set GWLINT_RUAMEL_PYTHON to a Python that can import ruamel.yaml (.ci/run installs one)"
)]
fn the_loader_agrees_with_ruamel_yaml_on_generated_documents() {
    let cases = env_number("GWLINT_YAML_DIFF_CASES", 2000);
    let seed = env_number("GWLINT_YAML_DIFF_SEED", 20);
    let texts: Vec<String> = (0..cases)
        .map(|case| {
            generator::document(&mut generator::Rng::new(
                seed.wrapping_mul(1_000_003) ^ case,
            ))
        })
        .collect();
    if let Ok(folder) = std::env::var("GWLINT_YAML_DIFF_DUMP") {
        // The generated documents, to look at or to feed other parsers.
        std::fs::create_dir_all(&folder).unwrap();
        for (case, text) in texts.iter().enumerate() {
            std::fs::write(Path::new(&folder).join(format!("{case}.yaml")), text).unwrap();
        }
    }
    let references = reference(&texts);
    let mut outcomes: BTreeMap<Outcome, usize> = BTreeMap::new();
    let mut rules_seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut refusals: BTreeMap<String, usize> = BTreeMap::new();
    for (case, (text, theirs)) in texts.iter().zip(&references).enumerate() {
        let ours = load(text);
        if let Loaded::Error(error) = theirs {
            // The exception and its first line, without the places.
            let reason = error.split(" | ").take(2).collect::<Vec<_>>().join(" | ");
            *refusals.entry(reason).or_default() += 1;
        }
        for finding in &ours.findings {
            *rules_seen.entry(finding.rule.to_string()).or_default() += 1;
        }
        let verdict = judge(text, &ours, theirs);
        match verdict {
            Ok(outcome) => *outcomes.entry(outcome).or_default() += 1,
            Err(why) => failures.push(format!(
                "case {case} (seed {seed}): {why}\n--- document ---\n{text}\n--- gwlint ---\nvalues: {}\nfindings: {:#?}\n--- ruamel.yaml ---\n{}",
                ours.documents.iter().map(|d| d.value.to_string()).collect::<Vec<_>>().join(" | "),
                ours.findings.iter().map(|f| format!("{} {}:{} {} {}", f.rule, f.location.span.start.line, f.location.span.start.column, f.location.pointer, f.message)).collect::<Vec<_>>(),
                match theirs {
                    Loaded::Ok(documents) => format!("{documents:?}"),
                    Loaded::Error(error) => error.clone(),
                }
            )),
        }
    }
    println!(
        "{cases} documents: {outcomes:?}, {} failures",
        failures.len()
    );
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/yaml-diff-failures");
    let _ = std::fs::remove_dir_all(&folder);
    if !failures.is_empty() {
        // Every failing case in full, for a closer look.
        std::fs::create_dir_all(&folder).unwrap();
        for (at, failure) in failures.iter().enumerate() {
            std::fs::write(folder.join(format!("{at}.txt")), failure).unwrap();
        }
        println!("all failures: {}", folder.display());
    }
    println!("findings by rule: {rules_seen:?}");
    println!("reference refusals: {refusals:#?}");
    assert!(
        failures.is_empty(),
        "{} of {cases} documents differ from ruamel.yaml in ways not documented; the first ones:\n\n{}",
        failures.len(),
        failures.iter().take(5).cloned().collect::<Vec<_>>().join("\n\n")
    );
    // The run must compare values, not only refusals, and the generator must reach
    // every finding the comparison relies on.
    let agreed = outcomes.get(&Outcome::Agreed).copied().unwrap_or(0);
    assert!(
        agreed * 2 >= usize::try_from(cases).unwrap(),
        "{outcomes:?}"
    );
    if cases >= 2000 {
        for rule in [
            "parse/number-out-of-range",
            "parse/imprecise-number",
            "parse/yaml11-number",
            "parse/yaml11-boolean",
            "parse/merge-key",
            "parse/tag",
            "parse/duplicate-key",
        ] {
            assert!(
                rules_seen.contains_key(rule),
                "no document gave {rule}: {rules_seen:?}"
            );
        }
    }
}

/// Compare one document's two loads.
fn judge(text: &str, ours: &ParseOutput, theirs: &Loaded) -> Result<Outcome, String> {
    match (ours.failed, theirs) {
        (true, Loaded::Error(_)) => Ok(Outcome::BothRefused),
        (true, Loaded::Ok(_)) => {
            let error = ours
                .findings
                .last()
                .map(|f| f.message.as_str())
                .unwrap_or_default();
            // A `-` starting a plain scalar before a flow indicator (`{a: -, b: 1}`):
            // YAML 1.2, js-yaml (ADC) and eemeli/yaml refuse it; libyaml and
            // ruamel.yaml read the string "-".
            if error.ends_with("plain scalar cannot start with '-' followed by ,[]{}") {
                Ok(Outcome::ReferenceAccepted)
            } else {
                Err(format!(
                    "gwlint refused a document ruamel.yaml loads: {error}"
                ))
            }
        }
        (false, Loaded::Error(error)) => {
            if reference_refusal_explained(error, text, ours) {
                Ok(Outcome::ReferenceRefused)
            } else {
                Err(format!(
                    "ruamel.yaml refused a document gwlint loads: {error}"
                ))
            }
        }
        (false, Loaded::Ok(documents)) => {
            if documents.len() != ours.documents.len() {
                return Err(format!(
                    "{} documents, ruamel.yaml {}",
                    ours.documents.len(),
                    documents.len()
                ));
            }
            let mut differences = Vec::new();
            for (mine, reference) in ours.documents.iter().zip(documents) {
                compare(&mine.value, reference, "", &mut differences);
            }
            let unexplained: Vec<&Difference> = differences
                .iter()
                .filter(|d| !explained(d, &ours.findings, text))
                .collect();
            if unexplained.is_empty() {
                Ok(Outcome::Agreed)
            } else {
                Err(format!("values differ: {unexplained:#?}"))
            }
        }
    }
}

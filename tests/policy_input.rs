//! The input document policies see: its exact shape (what `gwlint inspect` prints),
//! and that the value gwlint builds for the engine says the same as the model.

use assert_cmd::Command;
use gwlint::check::{CheckOptions, Session};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn inspect_prints_the_documented_input_shape() {
    let output = Command::cargo_bin("gwlint")
        .unwrap()
        .current_dir(root())
        .args([
            "inspect",
            "--config",
            "fixtures/example/.gwlint.yaml",
            "fixtures/example/staging",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let input: Value = serde_json::from_slice(&output.stdout).unwrap();
    insta::assert_json_snapshot!("inspect_example_staging", input);
}

/// Every environment tree under a fixture folder (folders holding YAML/JSON files).
fn trees(dir: &Path) -> Vec<PathBuf> {
    let mut trees: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_dir())
        .map(walkdir::DirEntry::into_path)
        .filter(|d| {
            std::fs::read_dir(d)
                .unwrap()
                .filter_map(Result::ok)
                .any(|e| {
                    e.path()
                        .extension()
                        .is_some_and(|x| x == "yaml" || x == "json")
                })
        })
        .collect();
    trees.sort();
    trees
}

/// Every rule fixture tree and example tree checked on its own (no config file):
/// the tree, its session and the outcome.
fn checked_trees() -> Vec<(PathBuf, Session, gwlint::check::Outcome)> {
    let all: Vec<PathBuf> = trees(&root().join("fixtures/rules"))
        .into_iter()
        .chain(trees(&root().join("fixtures/example")))
        .chain(trees(&root().join("fixtures/twins")))
        .collect();
    assert!(all.len() >= 20, "{}", all.len());
    all.into_iter()
        .map(|tree| {
            let session = Session::new(&CheckOptions {
                paths: vec![tree.clone()],
                no_config: true,
                ..CheckOptions::default()
            })
            .unwrap();
            let outcome = session.run();
            (tree, session, outcome)
        })
        .collect()
}

/// The engine's input, built directly from the model, equals the model's own
/// serialization (each resource list, the files and the environment name) on every
/// rule fixture and the example trees, ADC and standalone.
#[test]
fn engine_input_equals_the_serialized_model() {
    for (tree, session, outcome) in checked_trees() {
        let report = &outcome.environments[0];
        let target = &session.targets[0];
        let input =
            gwlint::policy::input_document(&session.checker.policies, &report.model, &target.rules);
        let input: Value = serde_json::to_value(&input).unwrap();
        let Value::Object(mut model) = serde_json::to_value(&report.model).unwrap() else {
            panic!("model is not an object");
        };
        let name = model.shift_remove("name").unwrap();
        assert_eq!(input["environment"], name, "{}", tree.display());
        assert!(input["params"]["route-needs-auth"]["auth_plugins"].is_array());
        for (list, expected) in model {
            assert_eq!(input[&list], expected, "{}: {list}", tree.display());
        }
    }
}

/// The built-in rules run on regorus' virtual machine; on every rule fixture and
/// the example trees they report exactly what regorus' interpreter reports.
#[test]
fn virtual_machine_and_interpreter_agree_on_every_fixture() {
    for (tree, session, outcome) in checked_trees() {
        let (model, rules) = (&outcome.environments[0].model, &session.targets[0].rules);
        let mut on_vm = session.checker.policies.clone();
        on_vm.rego_builtins = true;
        on_vm.vm_min_routes = 0;
        assert!(!on_vm.programs().is_empty());
        let mut interpreted = on_vm.clone();
        interpreted.vm_min_routes = usize::MAX;
        let results = |set| {
            let mut out: Vec<String> = gwlint::policy::evaluate(set, model, rules)
                .results
                .iter()
                .map(|r| format!("{} {:?}", r.rule, r.result))
                .collect();
            out.sort();
            out
        };
        assert_eq!(results(&on_vm), results(&interpreted), "{}", tree.display());
    }
}

/// Every built-in Rego rule with a Rust twin reports, on every rule fixture and the
/// example trees, exactly what its Rego file reports on regorus (results, rule ids,
/// severities and help), so the twins cannot drift from their definition.
#[test]
fn rust_twins_and_rego_rules_agree_on_every_fixture() {
    let mut compared = 0;
    for (tree, session, outcome) in checked_trees() {
        let (model, rules) = (&outcome.environments[0].model, &session.targets[0].rules);
        let mut twins = session.checker.policies.clone();
        twins.rego_builtins = false;
        let mut rego = twins.clone();
        rego.rego_builtins = true;
        let results = |set| {
            let evaluation = gwlint::policy::evaluate(set, model, rules);
            let mut out: Vec<String> = evaluation
                .results
                .iter()
                .map(|r| format!("{} {:?} {} {:?}", r.rule, r.severity, r.help, r.result))
                .collect();
            out.sort();
            (out, evaluation.timings)
        };
        let (from_twins, twin_timings) = results(&twins);
        let (from_rego, rego_timings) = results(&rego);
        assert_eq!(from_twins, from_rego, "{}", tree.display());
        // The twins ran without an input document; the Rego rules with one.
        assert!(!twin_timings.iter().any(|(stage, _)| stage == "input"));
        assert!(rego_timings.iter().any(|(stage, _)| stage == "input"));
        compared += from_rego.len();
    }
    assert!(compared >= 70, "only {compared} results compared");
}

//! Fuzz a whole check of a single file with the built-in policies, as `gwlint check`
//! runs it: parse, format detection, schema, model, policies, suppressions, reports.
#![no_main]

use gwlint::check::Checker;
use gwlint::load::{parse_text, LoadLimits};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;

fn checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| {
        Checker::from_config(
            &gwlint::config::Config::default(),
            &gwlint::check::CheckOptions::default(),
        )
        .expect("built-in schemas and policies compile")
    })
}

fuzz_target!(|text: &str| {
    let file = parse_text(
        Path::new("apisix.yaml"),
        text.to_owned(),
        &LoadLimits::default(),
    );
    let report = checker().check_environment("fuzz", vec![file], None);
    let outcome = gwlint::check::Outcome {
        environments: vec![report],
        ..Default::default()
    };
    let rules = Vec::new();
    for format in [
        gwlint::report::OutputFormat::Human,
        gwlint::report::OutputFormat::Json,
        gwlint::report::OutputFormat::Sarif,
        gwlint::report::OutputFormat::Github,
        gwlint::report::OutputFormat::Junit,
    ] {
        let mut sink = Vec::new();
        let _ = gwlint::report::write(
            &outcome,
            format,
            // Every finding rendered, infos included, and the statistics.
            gwlint::report::HumanStyle {
                least_shown: gwlint::finding::Severity::Info,
                max_per_rule: 0,
                statistics: true,
                ..gwlint::report::HumanStyle::default()
            },
            &rules,
            &mut sink,
        );
    }
});

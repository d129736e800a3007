//! Fuzz the loader: bytes → YAML or JSON parse → model → schema, on one file.
#![no_main]

use gwlint::check::Checker;
use gwlint::load::{parse_text, LoadLimits};
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;

fn checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| {
        let mut checker = Checker::from_config(
            &gwlint::config::Config::default(),
            &gwlint::check::CheckOptions::default(),
        )
        .expect("built-in schemas and policies compile");
        checker.policies = gwlint::policy::PolicySet::load(&gwlint::policy::PolicySources {
            no_builtin: true,
            ..Default::default()
        })
        .expect("empty policy set");
        checker
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let name = if selector % 2 == 0 {
        "fuzz.yaml"
    } else {
        "fuzz.json"
    };
    let file = parse_text(Path::new(name), text.to_owned(), &LoadLimits::default());
    let _ = checker().check_environment("fuzz", vec![file], None);
});

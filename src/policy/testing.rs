//! `gwlint policy test`: the `_test.rego` runner regorus does not have.
//!
//! Finds `test_*` rules in every test module, evaluates each on a clone of the
//! prepared engine, under the limits of a user's rule ([`super::guard`]), and reports
//! pass or fail; with coverage on, measures which lines of the rule modules the tests
//! evaluated.

use super::library::PolicySet;

/// The outcome of one test rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    /// The test file.
    pub file: String,
    /// The test rule's name.
    pub name: String,
    /// Whether it evaluated to `true`.
    pub passed: bool,
    /// Why it failed (undefined, false, or the evaluation error).
    pub failure: Option<String>,
}

/// Coverage of one rule module.
#[derive(Debug, Clone, PartialEq)]
pub struct FileCoverage {
    /// The policy file.
    pub file: String,
    /// Lines evaluated.
    pub covered: usize,
    /// Lines that could have been evaluated but were not.
    pub not_covered: usize,
}

impl FileCoverage {
    /// Covered lines as a percentage of coverable lines.
    #[must_use]
    #[allow(clippy::cast_precision_loss)]
    pub fn percent(&self) -> f64 {
        let total = self.covered + self.not_covered;
        if total == 0 {
            100.0
        } else {
            self.covered as f64 * 100.0 / total as f64
        }
    }
}

/// The names of the `test_*` rules a module defines, in order, without repeats.
#[must_use]
pub fn test_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("test_") else {
            continue;
        };
        let tail: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let name = format!("test_{tail}");
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Run every test of the set; with `coverage`, also measure the rule modules.
///
/// # Errors
/// A [`ToolError`](crate::error::ToolError) when the policies do not compile.
pub fn run(
    set: &PolicySet,
    coverage: bool,
) -> Result<(Vec<TestOutcome>, Vec<FileCoverage>), crate::error::ToolError> {
    let fresh = || -> Result<regorus::Engine, crate::error::ToolError> {
        let mut engine = set.compiled()?.engine.clone();
        engine.set_enable_coverage(coverage);
        engine.set_input(regorus::Value::new_object());
        engine.set_execution_timer_config(super::guard::timer(&set.limits));
        Ok(engine)
    };
    let mut engine = Some(fresh()?);
    let limits = set.limits;
    let mut outcomes = Vec::new();
    for module in set.modules.iter().filter(|m| m.is_test) {
        for name in test_names(&module.text) {
            // Each test runs under the limits of a user's rule, on the engine that
            // gathers the coverage; a test that is stopped keeps it, and the next test
            // starts a fresh one (coverage is then counted from there).
            let rule = format!("data.{}.{name}", module.package);
            let mut moved = match engine.take() {
                Some(engine) => engine,
                None => fresh()?,
            };
            let outcome = super::guard::run(limits, move |meter| {
                let result = meter
                    .measure(|| moved.eval_rule(rule))
                    .map_err(|e| super::guard::describe(e.downcast_ref(), e.to_string(), &limits));
                (moved, result)
            });
            let result = match outcome {
                Ok((used, result)) => {
                    engine = Some(used);
                    result
                }
                Err(stop) => Err(stop.to_string()),
            };
            let failure = match result {
                Ok(value) if value == regorus::Value::from(true) => None,
                Ok(regorus::Value::Undefined) => Some("undefined".to_owned()),
                Ok(value) => Some(format!("evaluated to {value}")),
                Err(error) => Some(error),
            };
            outcomes.push(TestOutcome {
                file: module.path.clone(),
                name,
                passed: failure.is_none(),
                failure,
            });
        }
    }
    let files = match &engine {
        Some(engine) if coverage => coverage_of(set, engine),
        _ => Vec::new(),
    };
    Ok((outcomes, files))
}

fn coverage_of(set: &PolicySet, engine: &regorus::Engine) -> Vec<FileCoverage> {
    let Ok(report) = engine.get_coverage_report() else {
        return Vec::new();
    };
    report
        .files
        .iter()
        .filter(|f| set.rule_modules().any(|m| m.path == f.path))
        .map(|f| FileCoverage {
            file: f.path.clone(),
            covered: f.covered.len(),
            not_covered: f.not_covered.len(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_test_rule_names() {
        let text = "package x_test\ntest_ok if { true }\ntest_ok if { 1 == 1 }\ntest_other := true\n# test_comment\n";
        assert_eq!(test_names(text), ["test_ok", "test_other"]);
    }
}

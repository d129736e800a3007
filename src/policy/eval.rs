//! Evaluating policies on one environment's model.
//!
//! Builds the input document once (model + environment name + each rule's
//! parameters), then evaluates every enabled rule module in parallel. A built-in
//! result rule runs on regorus' virtual machine when the environment is large enough
//! to pay for compiling it ([`PolicySet::vm_min_routes`]); everything else runs on
//! the rayon worker's own clone of the prepared interpreter engine. Rules written in
//! Rust (native rules, and the Rust twins of built-in Rego rules) run on the model
//! itself: their checks of single routes in one route pass over the routes (see
//! [`super::plan`]), the rest of their work beside it; when every enabled rule is one
//! of them, no input document is built at all. A rule that fails at run time becomes a
//! `policy/runtime-error` result naming the rule; the others still run.

use super::fast::twin;
use super::library::{entry_point, PolicyModule, PolicySet, RESULT_RULES};
use super::metadata::RuleMeta;
use super::native::NativeCheck;
use super::plan::{route_pass, After, Plan, RouteCheck, Timed};
use super::settings::RuleSettings;
use super::PolicyResult;
use crate::finding::{Severity, Text};
use crate::model::Environment;
use rayon::prelude::*;
use serde_json::{Map, Value};
use std::time::{Duration, Instant};

/// One result of one rule, with the rule's id, severity and help.
#[derive(Debug, Clone)]
pub struct RuleResult {
    /// Full rule id (`policy/route-needs-auth`), shared by the rule's results.
    pub rule: Text,
    /// Severity after the config file's override.
    pub severity: Severity,
    /// The rule's help text, shared by the rule's results.
    pub help: Text,
    /// What the rule reported.
    pub result: PolicyResult,
}

/// The input document a policy sees for an environment (what `gwlint inspect` prints).
#[must_use]
pub fn input_document(
    set: &PolicySet,
    env: &Environment,
    settings: &RuleSettings,
) -> regorus::Value {
    super::input::build(env, &params(set, settings))
}

/// Each rule's parameters, by short id.
fn params(set: &PolicySet, settings: &RuleSettings) -> Map<String, Value> {
    let metas = set
        .modules
        .iter()
        .filter_map(|m| m.meta.as_ref())
        .chain(set.natives.iter().map(|n| &n.meta));
    metas
        .map(|meta| {
            let full = format!("policy/{}", meta.id);
            (meta.id.clone(), settings.params(&full, &meta.params))
        })
        .collect()
}

/// What evaluating the rules on one environment produced.
#[derive(Debug, Default)]
pub struct Evaluation {
    /// Every rule's results.
    pub results: Vec<RuleResult>,
    /// Time spent building the input (`input`) and in each rule module (`policy/<id>`,
    /// or the module's path for user policies without metadata), each measured on the
    /// thread that ran it.
    pub timings: Vec<(String, Duration)>,
}

/// Where [`evaluate_into`] hands each batch of results (one rule's, or one module's).
pub type ResultSink<'s> = dyn FnMut(Batch) + 's;

/// The results of one rule (which share its id, severity and help), or of one Rego
/// module (each with its own). Iterating gives them as [`RuleResult`]s, in order.
#[derive(Debug)]
pub enum Batch {
    /// One rule's results.
    Rule {
        /// The rule's full id, shared by its results.
        rule: Text,
        /// The rule's severity.
        severity: Severity,
        /// The rule's help, shared by its results.
        help: Text,
        /// What the rule reported.
        results: Vec<PolicyResult>,
    },
    /// Results of any rules.
    Mixed(Vec<RuleResult>),
}

impl Batch {
    /// How many results the batch holds.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Batch::Rule { results, .. } => results.len(),
            Batch::Mixed(results) => results.len(),
        }
    }

    /// Whether the batch holds no result.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<Vec<RuleResult>> for Batch {
    fn from(results: Vec<RuleResult>) -> Self {
        Batch::Mixed(results)
    }
}

impl IntoIterator for Batch {
    type Item = RuleResult;
    type IntoIter = BatchIter;

    fn into_iter(self) -> BatchIter {
        match self {
            Batch::Rule {
                rule,
                severity,
                help,
                results,
            } => BatchIter::Rule {
                rule,
                severity,
                help,
                results: results.into_iter(),
            },
            Batch::Mixed(results) => BatchIter::Mixed(results.into_iter()),
        }
    }
}

/// The results of a [`Batch`], in order.
#[derive(Debug)]
pub enum BatchIter {
    /// One rule's results.
    Rule {
        /// The rule's full id.
        rule: Text,
        /// Its severity.
        severity: Severity,
        /// Its help.
        help: Text,
        /// The results not given yet.
        results: std::vec::IntoIter<PolicyResult>,
    },
    /// Results of any rules.
    Mixed(std::vec::IntoIter<RuleResult>),
}

impl Iterator for BatchIter {
    type Item = RuleResult;

    fn next(&mut self) -> Option<RuleResult> {
        match self {
            BatchIter::Rule {
                rule,
                severity,
                help,
                results,
            } => results.next().map(|result| RuleResult {
                rule: rule.clone(),
                severity: *severity,
                help: help.clone(),
                result,
            }),
            BatchIter::Mixed(results) => results.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            BatchIter::Rule { results, .. } => results.size_hint(),
            BatchIter::Mixed(results) => results.size_hint(),
        }
    }
}

impl ExactSizeIterator for BatchIter {}

/// Evaluate every enabled rule on an environment.
#[must_use]
pub fn evaluate(set: &PolicySet, env: &Environment, settings: &RuleSettings) -> Evaluation {
    let mut results = Vec::new();
    let timings = evaluate_into(set, env, settings, &mut |batch| results.extend(batch));
    Evaluation { results, timings }
}

/// Evaluate every enabled rule on an environment, handing the results to `sink` in
/// the order [`evaluate`] lists them, one batch at a time (so that a caller can turn
/// them into findings without a list of every result first). Returns the timings
/// ([`Evaluation::timings`]).
pub fn evaluate_into(
    set: &PolicySet,
    env: &Environment,
    settings: &RuleSettings,
    sink: &mut ResultSink<'_>,
) -> Vec<(String, Duration)> {
    let mut modules: Vec<&PolicyModule> = Vec::new();
    let mut natives: Vec<(&RuleMeta, NativeCheck)> = Vec::new();
    for module in set.rule_modules() {
        let Some(meta) = &module.meta else {
            modules.push(module);
            continue;
        };
        if !settings.enabled(&format!("policy/{}", meta.id)) {
            continue;
        }
        match twin(&meta.id) {
            Some(check) if module.builtin && !set.rego_builtins => natives.push((meta, check)),
            _ => modules.push(module),
        }
    }
    natives.extend(
        set.natives
            .iter()
            .filter(|n| settings.enabled(&format!("policy/{}", n.meta.id)))
            .map(|n| (&n.meta, n.check)),
    );
    let params = params(set, settings);
    let mut evaluation = Evaluation::default();
    if !modules.is_empty() {
        evaluate_rego(set, env, settings, &modules, &params, &mut evaluation, sink);
    }
    evaluate_natives(env, settings, &natives, &params, &mut evaluation, sink);
    evaluation.timings
}

/// Run the rules written in Rust: each makes its plan, then the route pass and the
/// work after it run side by side. A rule's time is the sum of its three parts.
fn evaluate_natives(
    env: &Environment,
    settings: &RuleSettings,
    natives: &[(&RuleMeta, NativeCheck)],
    params: &Map<String, Value>,
    evaluation: &mut Evaluation,
    sink: &mut ResultSink<'_>,
) {
    let planned: Vec<(Plan<'_>, Duration)> = natives
        .par_iter()
        .map(|(meta, check)| {
            let started = Instant::now();
            let plan = check.plan(env, params.get(&meta.id).unwrap_or(&Value::Null));
            (plan, started.elapsed())
        })
        .collect();
    let mut route_checks = Vec::with_capacity(planned.len());
    let mut afters = Vec::with_capacity(planned.len());
    let mut took = Vec::with_capacity(planned.len());
    for (plan, planning) in planned {
        route_checks.push(plan.route);
        afters.push(plan.after);
        took.push(planning);
    }
    let checks: Vec<Option<&RouteCheck<'_>>> = route_checks.iter().map(Option::as_ref).collect();
    let (routes, after): (Vec<Timed>, Vec<Timed>) = rayon::join(
        || route_pass(&env.routes, &checks),
        || afters.into_par_iter().map(run_after).collect(),
    );
    let parts = routes.into_iter().zip(after).zip(took);
    for (((routes, after), planning), (meta, _)) in parts.zip(natives) {
        let spent = planning + routes.1 + after.1;
        let mut results = routes.0;
        results.extend(after.0);
        rule_results(meta, settings, results, sink);
        evaluation
            .timings
            .push((format!("policy/{}", meta.id), spent));
    }
}

/// Run a rule's work after the route pass, timed.
fn run_after(after: Option<After<'_>>) -> Timed {
    let started = Instant::now();
    let mut out = Vec::new();
    if let Some(after) = after {
        after(&mut out);
    }
    (out, started.elapsed())
}

/// Run the Rego modules on the environment's input document, in parallel.
fn evaluate_rego(
    set: &PolicySet,
    env: &Environment,
    settings: &RuleSettings,
    modules: &[&PolicyModule],
    params: &Map<String, Value>,
    evaluation: &mut Evaluation,
    sink: &mut ResultSink<'_>,
) {
    let started = Instant::now();
    let rego_input = super::input::build(env, params);
    evaluation.timings.push(("input".into(), started.elapsed()));
    let programs = (env.routes.len() >= set.vm_min_routes).then(|| set.programs());
    let per_module: Vec<(Vec<RuleResult>, (String, Duration))> = modules
        .par_iter()
        .map_init(
            || Runner {
                set,
                programs,
                input: &rego_input,
                environment: &env.name,
                engine: None,
            },
            |runner, module| {
                let started = Instant::now();
                let results = evaluate_module(runner, module, settings);
                (results, (module_label(module), started.elapsed()))
            },
        )
        .collect();
    // Free the input on another thread: the next stages need not wait for it.
    // When no thread can be started, it is freed here (the closure is dropped).
    let _ = std::thread::Builder::new().spawn(move || drop(rego_input));
    for (results, timing) in per_module {
        sink(Batch::Mixed(results));
        evaluation.timings.push(timing);
    }
}

/// A Rust rule's results as the rule's results, handed to `sink`. Like a Rego result
/// set, it reports each result once.
fn rule_results(
    meta: &RuleMeta,
    settings: &RuleSettings,
    mut out: Vec<PolicyResult>,
    sink: &mut ResultSink<'_>,
) {
    let rule = Text::from(format!("policy/{}", meta.id));
    let help = Text::from(&meta.help);
    drop_repeats(&mut out);
    let severity = settings.severity(&rule, meta.severity);
    sink(Batch::Rule {
        rule,
        severity,
        help,
        results: out,
    });
}

/// Drop each result equal to an earlier one, keeping the order. The results are
/// hashed on every core; only the table of hashes is filled in order.
fn drop_repeats(out: &mut Vec<PolicyResult>) {
    use std::hash::BuildHasher as _;
    if out.len() < 2 {
        return;
    }
    let state = foldhash::fast::RandomState::default();
    let hashes: Vec<u64> = out
        .par_iter()
        .with_min_len(1024)
        .map(|result| state.hash_one(result))
        .collect();
    let mut firsts: hashbrown::HashTable<usize> = hashbrown::HashTable::with_capacity(out.len());
    let mut repeats: Vec<usize> = Vec::new();
    for (index, &hash) in hashes.iter().enumerate() {
        let earlier = |first: &usize| hashes[*first] == hash && out[*first] == out[index];
        match firsts.entry(hash, earlier, |first| hashes[*first]) {
            hashbrown::hash_table::Entry::Occupied(_) => repeats.push(index),
            hashbrown::hash_table::Entry::Vacant(slot) => {
                slot.insert(index);
            }
        }
    }
    if repeats.is_empty() {
        return;
    }
    let mut repeats = repeats.into_iter().peekable();
    let mut index = 0;
    out.retain(|_| {
        let repeat = repeats.next_if_eq(&index).is_some();
        index += 1;
        !repeat
    });
}

/// How timings name a rule module: its rule id, or its path.
fn module_label(module: &PolicyModule) -> String {
    module
        .meta
        .as_ref()
        .map_or_else(|| module.path.clone(), |meta| format!("policy/{}", meta.id))
}

/// Runs result rules on one input: on the virtual machine when the rule compiled
/// for it, else on an interpreter engine cloned on first use.
struct Runner<'a> {
    set: &'a PolicySet,
    /// The virtual-machine programs, when this environment uses them.
    programs: Option<&'a std::collections::HashMap<String, std::sync::Arc<regorus::rvm::Program>>>,
    input: &'a regorus::Value,
    /// The environment's name, for a rule stopped at a limit.
    environment: &'a str,
    engine: Option<regorus::Engine>,
}

impl Runner<'_> {
    /// Evaluate a result rule. A user's rule (`guarded`) runs under the set's
    /// [`Limits`](super::guard::Limits), on a thread of its own (see [`super::guard`]).
    fn eval(&mut self, entry: &str, guarded: bool) -> Result<regorus::Value, String> {
        if guarded {
            return self.eval_guarded(entry);
        }
        if let Some(program) = self.programs.and_then(|p| p.get(entry)) {
            let mut vm = regorus::rvm::RegoVM::new();
            vm.load_program(program.clone());
            vm.set_max_instructions(usize::MAX);
            vm.set_strict_builtin_errors(true);
            let compiled = self.set.compiled().map_err(|e| e.to_string())?;
            vm.set_data(compiled.data.clone())
                .map_err(|e| e.to_string())?;
            vm.set_input(self.input.clone());
            return vm
                .execute_entry_point_by_index(0)
                .map_err(|e| e.to_string());
        }
        let engine = match self.engine.take() {
            Some(engine) => engine,
            None => self.fresh_engine()?,
        };
        let limits = &self.set.limits;
        self.engine
            .insert(engine)
            .eval_rule(entry.to_owned())
            .map_err(|e| super::guard::describe(e.downcast_ref(), e.to_string(), limits))
    }

    /// A clone of the prepared engine with this environment's input, and the time limit.
    fn fresh_engine(&self) -> Result<regorus::Engine, String> {
        let compiled = self.set.compiled().map_err(|e| e.to_string())?;
        let mut engine = compiled.engine.clone();
        engine.set_input(self.input.clone());
        engine.set_execution_timer_config(super::guard::timer(&self.set.limits));
        Ok(engine)
    }

    /// Evaluate on a thread of its own under the limits. The engine goes to the thread
    /// and comes back with the result; an evaluation that stopped keeps it, and the
    /// next one starts from a fresh clone. A rule stopped at a limit in one environment
    /// is not run again in the others: each stopped evaluation keeps the memory it held
    /// until gwlint exits.
    fn eval_guarded(&mut self, entry: &str) -> Result<regorus::Value, String> {
        if let Some(earlier) = self.set.earlier_stop(entry) {
            return Err(earlier);
        }
        let mut engine = match self.engine.take() {
            Some(engine) => engine,
            None => self.fresh_engine()?,
        };
        let limits = self.set.limits;
        let rule = entry.to_owned();
        let outcome = super::guard::run(limits, move |meter| {
            let result = meter.measure(|| engine.eval_rule(rule)).map_err(|e| {
                let limit = e.downcast_ref::<regorus::LimitError>().is_some();
                (
                    super::guard::describe(e.downcast_ref(), e.to_string(), &limits),
                    limit,
                )
            });
            (engine, result)
        });
        let (message, stopped) = match outcome {
            Ok((engine, result)) => {
                self.engine = Some(engine);
                match result {
                    Ok(value) => return Ok(value),
                    Err(error) => error,
                }
            }
            Err(stop) => (stop.to_string(), true),
        };
        if stopped {
            self.set.record_stop(entry, self.environment, &message);
        }
        Err(message)
    }
}

/// Evaluate the result sets of one module.
fn evaluate_module(
    runner: &mut Runner<'_>,
    module: &PolicyModule,
    settings: &RuleSettings,
) -> Vec<RuleResult> {
    let mut results = Vec::new();
    for rule_name in &module.result_rules {
        let base_rule = format!("policy/{}", module.rule_id(rule_name));
        if !settings.enabled(&base_rule) {
            continue;
        }
        let default_severity = module
            .meta
            .as_ref()
            .map_or_else(|| rule_severity(rule_name), |meta| meta.severity);
        let help = Text::from(module.meta.as_ref().map_or_else(
            || format!("see the policy in {}", module.path),
            |meta| meta.help.clone(),
        ));
        let shared_rule = Text::from(&base_rule);
        match runner.eval(&entry_point(module, rule_name), !module.builtin) {
            Ok(value) => {
                for result in results_of(&value) {
                    let rule = result.id.as_ref().map_or_else(
                        || shared_rule.clone(),
                        |id| Text::from(format!("policy/{id}")),
                    );
                    results.push(RuleResult {
                        severity: settings.severity(&rule, default_severity),
                        rule,
                        help: help.clone(),
                        result,
                    });
                }
            }
            Err(error) => results.push(runtime_error(&base_rule, module, &error)),
        }
    }
    results
}

fn rule_severity(rule_name: &str) -> Severity {
    RESULT_RULES
        .iter()
        .find(|(name, _)| *name == rule_name)
        .map_or(Severity::Error, |(_, severity)| *severity)
}

/// The elements of a result set (or of an array, or a single value).
fn results_of(value: &regorus::Value) -> Vec<PolicyResult> {
    if *value == regorus::Value::Undefined {
        return Vec::new();
    }
    let json: Value = serde_json::to_value(value).unwrap_or(Value::Null);
    match json {
        Value::Array(items) => items.iter().filter_map(PolicyResult::from_value).collect(),
        Value::Null => Vec::new(),
        other => PolicyResult::from_value(&other).into_iter().collect(),
    }
}

/// An engine error on one line: its non-empty lines joined, the snippet's caret
/// lines dropped.
fn one_line(error: &str) -> String {
    error
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.chars().all(|c| matches!(c, '|' | '^' | ' ')))
        .collect::<Vec<_>>()
        .join(" ")
}

fn runtime_error(rule: &str, module: &PolicyModule, error: &str) -> RuleResult {
    RuleResult {
        rule: "policy/runtime-error".into(),
        severity: Severity::Error,
        help: format!(
            "fix the policy in {}; the other rules still ran",
            module.path
        )
        .into(),
        result: PolicyResult {
            msg: format!("rule `{rule}` failed at run time: {}", one_line(error)),
            ..PolicyResult::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(msg: &str, pointer: &str, field: &[&str]) -> PolicyResult {
        PolicyResult::at_origin(msg, "f.yaml", pointer, field)
    }

    /// What [`drop_repeats`] keeps, found the plain way: each result not seen before.
    fn firsts(results: &[PolicyResult]) -> Vec<PolicyResult> {
        let mut seen = std::collections::HashSet::new();
        results
            .iter()
            .filter(|r| seen.insert(*r))
            .cloned()
            .collect()
    }

    #[test]
    fn repeated_results_are_dropped_and_the_first_of_each_kept_in_order() {
        let a = result("a", "/x", &["f"]);
        let b = result("a", "/x", &["g"]);
        let c = result("a", "/y", &["f"]);
        let mut d = result("a", "/x", &["f"]);
        d.related.push(result("r", "/z", &[]));
        let mut out = vec![
            a.clone(),
            b.clone(),
            a.clone(),
            c.clone(),
            d.clone(),
            b.clone(),
            d.clone(),
            a.clone(),
        ];
        drop_repeats(&mut out);
        assert_eq!(out, [a, b, c, d]);
        for mut out in [Vec::new(), vec![result("only", "", &[])]] {
            let before = out.clone();
            drop_repeats(&mut out);
            assert_eq!(out, before);
        }
    }

    #[test]
    fn many_results_with_repeats_keep_what_a_set_keeps() {
        let results: Vec<PolicyResult> = (0..10_000)
            .map(|i| {
                result(
                    &format!("m{}", (i * 7) % 3_001),
                    &format!("/{}", i % 3),
                    &[],
                )
            })
            .collect();
        let mut out = results.clone();
        drop_repeats(&mut out);
        assert_eq!(out, firsts(&results));
        assert!(out.len() < results.len());
        let distinct: Vec<PolicyResult> = (0..5_000)
            .map(|i| result(&format!("m{i}"), "/p", &[]))
            .collect();
        let mut out = distinct.clone();
        drop_repeats(&mut out);
        assert_eq!(out, distinct);
    }
}

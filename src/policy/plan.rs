//! How a rule written in Rust runs on an environment: whole, or split around the
//! route pass.
//!
//! An environment can hold 50,000 routes and more, far more than the caches hold.
//! A rule that walked every route on its own would bring each route back from
//! memory once per rule. A split rule instead gives [`Plan::route`], a check of one
//! route, and the evaluation runs every rule's route check on a few hundred routes
//! at a time ([`route_pass`]), while they are in cache. What a rule checks apart
//! from single routes (other resources, comparisons between routes) is its work
//! after the pass, which may run beside it.

use super::PolicyResult;
use crate::model::{Environment, Route};
use rayon::prelude::*;
use serde_json::Value;
use std::time::{Duration, Instant};

/// A check of one route; it reports into the list it is given.
pub type RouteCheck<'a> = Box<dyn Fn(&'a Route, &mut Vec<PolicyResult>) + Send + Sync + 'a>;

/// Work done once, after the route pass.
pub type After<'a> = Box<dyn FnOnce(&mut Vec<PolicyResult>) + Send + 'a>;

/// One rule's work on one environment.
#[derive(Default)]
pub struct Plan<'a> {
    /// The check of each route, run by the route pass in route order.
    pub route: Option<RouteCheck<'a>>,
    /// Everything else.
    pub after: Option<After<'a>>,
}

impl<'a> Plan<'a> {
    /// A rule that only checks routes one by one.
    #[must_use]
    pub fn per_route(check: impl Fn(&'a Route, &mut Vec<PolicyResult>) + Send + Sync + 'a) -> Self {
        Plan {
            route: Some(Box::new(check)),
            ..Plan::default()
        }
    }

    /// A rule that does all its work after the route pass.
    #[must_use]
    pub fn after(work: impl FnOnce(&mut Vec<PolicyResult>) + Send + 'a) -> Self {
        Plan {
            after: Some(Box::new(work)),
            ..Plan::default()
        }
    }

    /// This plan, with `work` to do after the route pass.
    #[must_use]
    pub fn then(self, work: impl FnOnce(&mut Vec<PolicyResult>) + Send + 'a) -> Self {
        Plan {
            after: Some(Box::new(work)),
            ..self
        }
    }

    /// Run the whole plan on one thread, the routes in order.
    #[must_use]
    pub fn run(self, routes: &'a [Box<Route>]) -> Vec<PolicyResult> {
        let mut out = Vec::new();
        if let Some(check) = &self.route {
            for route in routes {
                check(route, &mut out);
            }
        }
        if let Some(after) = self.after {
            after(&mut out);
        }
        out
    }
}

/// Results of a rule, with the time finding them took.
pub type Timed = (Vec<PolicyResult>, Duration);

/// A rule written in Rust.
#[derive(Debug, Clone, Copy)]
pub enum Check {
    /// A rule that reads the whole environment at once; `params` are its parameters
    /// (metadata defaults merged with the config file's).
    Whole(fn(env: &Environment, params: &Value, out: &mut Vec<PolicyResult>)),
    /// A rule split around the route pass.
    Split(for<'a> fn(env: &'a Environment, params: &'a Value) -> Plan<'a>),
}

impl Check {
    /// The rule's plan for `env`.
    #[must_use]
    pub fn plan<'a>(self, env: &'a Environment, params: &'a Value) -> Plan<'a> {
        match self {
            Check::Whole(check) => Plan::after(move |out| check(env, params, out)),
            Check::Split(plan) => plan(env, params),
        }
    }
}

/// How many routes the pass gives every rule at a time: few enough that what the
/// rules read of them stays in a core's cache.
const ROUTES_PER_STEP: usize = 256;

/// Run each rule's route check (`None`: the rule has none) on every route, in
/// parallel over steps of [`ROUTES_PER_STEP`] routes. Each rule's results come back
/// in route order, with the time its checks took.
#[must_use]
pub fn route_pass<'a>(routes: &'a [Box<Route>], checks: &[Option<&RouteCheck<'a>>]) -> Vec<Timed> {
    let steps: Vec<Vec<Timed>> = routes
        .par_chunks(ROUTES_PER_STEP)
        .map(|step| checks.iter().map(|check| run_step(step, *check)).collect())
        .collect();
    // Each rule's results in one list of the exact size: a rule that reports every
    // route has a hundred thousand of them, and a list grown by doubling would hold
    // up to twice that, and both copies while it grows.
    let mut per_rule: Vec<Timed> = (0..checks.len())
        .map(|rule| {
            let total = steps.iter().map(|step| step[rule].0.len()).sum();
            (Vec::with_capacity(total), Duration::ZERO)
        })
        .collect();
    for step in steps {
        for ((results, took), (found, spent)) in per_rule.iter_mut().zip(step) {
            results.extend(found);
            *took += spent;
        }
    }
    per_rule
}

/// One rule's check on one step of routes.
fn run_step<'a>(routes: &'a [Box<Route>], check: Option<&RouteCheck<'a>>) -> Timed {
    let Some(check) = check else {
        return (Vec::new(), Duration::ZERO);
    };
    let started = Instant::now();
    let mut out = Vec::new();
    for route in routes {
        check(route, &mut out);
    }
    (out, started.elapsed())
}

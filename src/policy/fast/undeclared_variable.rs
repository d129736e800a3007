//! `undeclared-variable` (`policies/undeclared-variable.rego`): a `${VAR}`
//! placeholder whose variable the environment's config does not declare.

use super::common::{
    config_field, is_adc, is_adc_global_rule, placeholders, result, string_leaves, string_set, Step,
};
use crate::model::{Environment, Resource};
use crate::policy::plan::Plan;
use crate::policy::PolicyResult;
use foldhash::HashSet;
use serde_json::Value;

pub fn plan<'a>(env: &'a Environment, params: &'a Value) -> Plan<'a> {
    let declared = string_set(params, "declared", &[]);
    let undeclared = Undeclared {
        declared,
        env: &env.name,
    };
    let others = std::sync::Arc::new(undeclared);
    let in_routes = others.clone();
    Plan::per_route(move |route, out| in_routes.check(&route.resource, out)).then(move |out| {
        let resources = env
            .services
            .iter()
            .chain(&env.stream_routes)
            .chain(&env.upstreams)
            .chain(&env.consumers)
            .chain(&env.credentials)
            .chain(&env.consumer_groups)
            .chain(&env.ssls)
            .chain(&env.global_rules)
            .chain(&env.plugin_configs)
            .chain(&env.plugin_metadata);
        for obj in resources {
            others.check(obj, out);
        }
    })
}

/// The variables an environment declares.
struct Undeclared<'a> {
    declared: HashSet<String>,
    env: &'a str,
}

impl Undeclared<'_> {
    /// Report each placeholder of `obj` that names an undeclared variable.
    fn check(&self, obj: &Resource, out: &mut Vec<PolicyResult>) {
        if !obj.body.may_contain("${") {
            return;
        }
        string_leaves(obj.body.json(), |path, text| {
            if !text.contains("${") || synthetic(obj, path) {
                return;
            }
            for name in placeholders(text) {
                if self.declared.contains(name) {
                    continue;
                }
                let field = config_field(obj, path.iter().map(|s| s.text()).collect());
                out.push(result(
                    format!("`${{{name}}}` is not a declared variable of environment `{}`; ADC replaces an unset variable with an empty string", self.env),
                    &obj.origin,
                    field,
                ));
            }
        });
    }
}

fn synthetic(obj: &Resource, path: &[Step<'_>]) -> bool {
    match path {
        [Step::Key("consumer")] => obj.kind == "credential" && is_adc(obj),
        [Step::Key("id")] => is_adc_global_rule(obj),
        _ => false,
    }
}

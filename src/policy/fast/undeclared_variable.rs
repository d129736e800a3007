//! `undeclared-variable` (`policies/undeclared-variable.rego`): a `${VAR}`
//! placeholder whose variable the environment's config does not declare.

use super::common::{
    config_field, is_adc, is_adc_global_rule, placeholders, result, string_leaves, string_set, Step,
};
use crate::model::{Environment, Resource};
use crate::policy::PolicyResult;
use serde_json::Value;

pub fn check(env: &Environment, params: &Value, out: &mut Vec<PolicyResult>) {
    let declared = string_set(params, "declared", &[]);
    let resources = env
        .services
        .iter()
        .chain(env.routes.iter().map(|r| &r.resource))
        .chain(&env.stream_routes)
        .chain(&env.upstreams)
        .chain(&env.consumers)
        .chain(&env.credentials)
        .chain(&env.consumer_groups)
        .chain(&env.ssls)
        .chain(&env.global_rules)
        .chain(&env.plugin_configs)
        .chain(&env.plugin_metadata);
    for obj in resources.filter(|obj| obj.body.may_contain("${")) {
        string_leaves(obj.body.json(), |path, text| {
            if !text.contains("${") || synthetic(obj, path) {
                return;
            }
            for name in placeholders(text) {
                if declared.contains(name) {
                    continue;
                }
                let field = config_field(obj, path.iter().map(|s| s.text()).collect());
                out.push(result(
                    format!("`${{{name}}}` is not a declared variable of environment `{}`; ADC replaces an unset variable with an empty string", env.name),
                    &obj.origin,
                    field,
                ));
            }
        });
    }
}

/// Fields the model adds to what is written: an ADC credential's `consumer`, an ADC
/// global rule's `id`.
fn synthetic(obj: &Resource, path: &[Step<'_>]) -> bool {
    match path {
        [Step::Key("consumer")] => obj.kind == "credential" && is_adc(obj),
        [Step::Key("id")] => is_adc_global_rule(obj),
        _ => false,
    }
}

//! `duplicate-route-name` (`policies/duplicate-route-name.rego`): two routes of one
//! service with the same name.

use super::common::{order, result};
use crate::model::{Environment, Route};
use crate::policy::PolicyResult;
use serde_json::Value;
use std::collections::HashMap;

pub fn check(env: &Environment, _params: &Value, out: &mut Vec<PolicyResult>) {
    let mut groups: HashMap<(Option<&str>, &str), Vec<&Route>> = HashMap::new();
    for route in &env.routes {
        if let Some(name) = route.resource.name.as_deref().filter(|n| !n.is_empty()) {
            groups
                .entry((route.service_id.as_deref(), name))
                .or_default()
                .push(route);
        }
    }
    for mut members in groups.into_values().filter(|g| g.len() > 1) {
        members.sort_by(|a, b| order(&a.resource.origin).cmp(&order(&b.resource.origin)));
        let first = &members[0].resource;
        let first_name = first.name.as_deref().unwrap_or_default();
        for route in &members[1..] {
            let route = &route.resource;
            let mut finding = result(
                format!(
                    "route name `{}` is already used by another route of the same service",
                    route.name.as_deref().unwrap_or_default()
                ),
                &route.origin,
                vec!["name".into()],
            );
            finding.related.push(result(
                format!("the first route named `{first_name}`"),
                &first.origin,
                vec!["name".into()],
            ));
            out.push(finding);
        }
    }
}

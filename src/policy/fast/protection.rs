//! What `route-needs-auth` and `route-needs-rate-limit` share: a route must run at
//! least one plugin of a set, looking at its effective plugins.

use super::common::{
    first_by_id, label, plugin_at, result, result_at, spaced, switched_off_conf, RouteServices,
};
use crate::model::{Environment, Resource, Route};
use crate::policy::plan::Plan;
use crate::policy::PolicyResult;
use foldhash::{HashMap, HashSet};

/// Report every route that runs none of `names`; `what` names the kind of plugin
/// (`authentication`, `rate-limiting`).
pub fn plan<'a>(env: &'a Environment, names: HashSet<String>, what: &'static str) -> Plan<'a> {
    let parents = Parents {
        services: RouteServices::new(env),
        plugin_configs: first_by_id(&env.plugin_configs),
        global_rules: &env.global_rules,
    };
    Plan::per_route(move |route, out| {
        if route.effective_names().any(|name| names.contains(name)) {
            return;
        }
        let resource = &route.resource;
        let finding = match switched_off_here(resource, &names) {
            None => {
                let mut finding = result(
                    format!("route `{}` runs no {what} plugin (none on the route, its plugin config, its service or a global rule)", label(resource)),
                    &resource.origin,
                    vec!["plugins".into()],
                );
                finding.related = parents.switched_off(route, &names);
                finding
            }
            Some(name) => result(
                format!("route `{}` switches off `{name}` with `_meta.disable` and runs no other {what} plugin", label(resource)),
                &resource.origin,
                vec!["plugins".into(), name.to_owned()],
            ),
        };
        out.push(finding);
    })
}

/// The first (by name) plugin of `names` the route itself switches off.
fn switched_off_here<'a>(route: &'a Resource, names: &HashSet<String>) -> Option<&'a str> {
    let plugins = route.plugins()?;
    plugins
        .iter()
        .filter(|(name, conf)| names.contains(*name) && switched_off_conf(*conf))
        .map(|(name, _)| name)
        .min()
}

/// Where a route inherits plugins from.
struct Parents<'a> {
    services: RouteServices<'a>,
    plugin_configs: HashMap<&'a str, &'a Resource>,
    global_rules: &'a [Resource],
}

impl Parents<'_> {
    /// Each plugin of `names` that the route's service, plugin config or a global
    /// rule switches off, as a related location (`lib.switched_off`).
    fn switched_off(&self, route: &Route, names: &HashSet<String>) -> Vec<PolicyResult> {
        let service = self.services.of(route);
        let plugin_config = lookup(route.plugin_config_id.as_deref(), &self.plugin_configs);
        let parents = service
            .into_iter()
            .chain(plugin_config)
            .chain(self.global_rules.iter());
        let mut related = Vec::new();
        for obj in parents {
            let Some(plugins) = obj.plugins() else {
                continue;
            };
            let mut switched: Vec<&str> = plugins
                .iter()
                .filter(|(name, conf)| names.contains(*name) && switched_off_conf(*conf))
                .map(|(name, _)| name)
                .collect();
            switched.sort_unstable();
            for name in switched {
                let at = plugin_at(obj, name);
                related.push(result_at(
                    format!(
                        "`{name}` is switched off here ({} `{}`)",
                        spaced(obj.kind),
                        label(obj)
                    ),
                    (&at.0, &at.1),
                    vec!["_meta".into(), "disable".into()],
                ));
            }
        }
        related
    }
}

/// The object an optional id names.
fn lookup<'a>(id: Option<&str>, objects: &HashMap<&str, &'a Resource>) -> Option<&'a Resource> {
    id.and_then(|id| objects.get(id).copied())
}

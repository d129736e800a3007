# METADATA
# title: Route needs a rate-limiting plugin
# description: |
#   ## What it checks
#   Every route must run at least one rate-limiting plugin (`limit-count`,
#   `limit-req`, `limit-conn`, `ai-rate-limiting` by default; the
#   `rate_limit_plugins` parameter). Like `route-needs-auth` it reads the route's
#   effective plugins, so a limit on the service, the plugin config or a global
#   rule counts, and `_meta.disable: true` switches one off. Limits configured on
#   consumers or consumer groups do not count: they only apply to requests that
#   already identified a consumer.
#   ## Why it matters
#   Without a limit, one client (or a bug in one) can exhaust the upstream and every
#   other route sharing it. Limits are cheap to add at the service level and are the
#   first line of defence against scraping and credential stuffing.
#   ## Severity
#   `warning`: a missing rate limit breaks nothing and exposes no data; it leaves
#   the upstream without protection against floods and abusive clients. Where rate
#   limiting happens in front of the gateway (a CDN, a WAF), switch the rule off.
#   ## Bad
#   ```yaml
#   services:
#     - name: orders
#       upstream:
#         nodes: [{host: orders.svc, port: 8080, weight: 100}]
#       routes:
#         - name: list-orders
#           uris: [/orders]
#   ```
#   ## Good
#   ```yaml
#   services:
#     - name: orders
#       upstream:
#         nodes: [{host: orders.svc, port: 8080, weight: 100}]
#       plugins:
#         limit-count:
#           count: 1000
#           time_window: 60
#       routes:
#         - name: list-orders
#           uris: [/orders]
#   ```
# custom:
#   id: route-needs-rate-limit
#   severity: warning
#   help: add a rate-limiting plugin (limit-count, limit-req, limit-conn) to the route, its service, or a global rule
#   params:
#     rate_limit_plugins: [limit-count, limit-req, limit-conn, ai-rate-limiting]
package gwlint.rules.route_needs_rate_limit

import rego.v1

import data.gwlint.lib

default_rate_limit_plugins := ["limit-count", "limit-req", "limit-conn", "ai-rate-limiting"]

rate_limit_plugins := {name | some name in lib.param("route-needs-rate-limit", "rate_limit_plugins", default_rate_limit_plugins)}

# The plugin set is read once, outside the loop over the routes, and the cheap test
# comes first: only a route that fails it is looked at further.
warn contains finding if {
	names := rate_limit_plugins
	some route in input.routes
	every name, _ in object.get(route, "effective_plugins", {}) { not name in names }
	not _switched_off_here(route)
	finding := {
		"msg": sprintf("route `%s` runs no rate-limiting plugin (none on the route, its plugin config, its service or a global rule)", [lib.label(route)]),
		"at": route.origin,
		"field": "plugins",
		"related": lib.switched_off(route, rate_limit_plugins),
	}
}

# The route itself switches off a plugin it would otherwise inherit: point there.
warn contains finding if {
	names := rate_limit_plugins
	some route in input.routes
	every name, _ in object.get(route, "effective_plugins", {}) { not name in names }
	name := _switched_off_here(route)
	finding := {
		"msg": sprintf("route `%s` switches off `%s` with `_meta.disable` and runs no other rate-limiting plugin", [lib.label(route), name]),
		"at": route.origin,
		"field": ["plugins", name],
	}
}

_switched_off_here(route) := sort(names)[0] if {
	names := {name |
		some name, conf in object.get(route, ["config", "plugins"], {})
		name in rate_limit_plugins
		object.get(conf, ["_meta", "disable"], false) == true
	}
	count(names) > 0
}

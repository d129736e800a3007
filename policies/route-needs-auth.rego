# METADATA
# title: Route needs an authentication plugin
# description: |
#   ## What it checks
#   Every route must run at least one authentication plugin. The check looks at the
#   route's *effective* plugins: its own, its plugin config's, its service's and the
#   global rules', with `_meta.disable: true` switching a plugin off. A route that
#   is protected only through its service or a global rule passes; a route whose
#   service disables its auth plugin does not. The list of plugins that count as
#   authentication is the `auth_plugins` parameter.
#   ## Why it matters
#   A route without authentication is open to anyone who can reach the gateway.
#   Auth is usually configured once on a service or a global rule, so a single route
#   placed in the wrong service, or a `_meta.disable` left over from debugging,
#   silently exposes an API. Public routes should be an explicit, reviewed exception
#   (suppress the finding with a reason, or configure `auth_plugins` for the
#   environment).
#   ## Severity
#   `error`: a route without authentication exposes its upstream to anyone who can
#   reach the gateway. A route that is public by design is the exception; say so
#   next to it with `# gwlint-ignore route-needs-auth: <reason>`, which keeps the
#   reason in review.
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
#         key-auth: {}
#       routes:
#         - name: list-orders
#           uris: [/orders]
#   ```
# custom:
#   id: route-needs-auth
#   severity: error
#   help: add an authentication plugin (e.g. key-auth, jwt-auth, openid-connect) to the route, its service, or a global rule
#   params:
#     auth_plugins:
#       - key-auth
#       - jwt-auth
#       - basic-auth
#       - hmac-auth
#       - openid-connect
#       - ldap-auth
#       - wolf-rbac
#       - authz-keycloak
#       - authz-casdoor
#       - multi-auth
#       - forward-auth
#       - cas-auth
#       - jwe-decrypt
package gwlint.rules.route_needs_auth

import rego.v1

import data.gwlint.lib

default_auth_plugins := [
	"key-auth", "jwt-auth", "basic-auth", "hmac-auth", "openid-connect", "ldap-auth", "wolf-rbac",
	"authz-keycloak", "authz-casdoor", "multi-auth", "forward-auth", "cas-auth", "jwe-decrypt",
]

auth_plugins := {name | some name in lib.param("route-needs-auth", "auth_plugins", default_auth_plugins)}

# The plugin set is read once, outside the loop over the routes, and the cheap test
# comes first: only a route that fails it is looked at further.
deny contains finding if {
	names := auth_plugins
	some route in input.routes
	every name, _ in object.get(route, "effective_plugins", {}) { not name in names }
	not _switched_off_here(route)
	finding := {
		"msg": sprintf("route `%s` runs no authentication plugin (none on the route, its plugin config, its service or a global rule)", [lib.label(route)]),
		"at": route.origin,
		"field": "plugins",
		"related": lib.switched_off(route, auth_plugins),
	}
}

# The route itself switches off a plugin it would otherwise inherit: point there.
deny contains finding if {
	names := auth_plugins
	some route in input.routes
	every name, _ in object.get(route, "effective_plugins", {}) { not name in names }
	name := _switched_off_here(route)
	finding := {
		"msg": sprintf("route `%s` switches off `%s` with `_meta.disable` and runs no other authentication plugin", [lib.label(route), name]),
		"at": route.origin,
		"field": ["plugins", name],
	}
}

_switched_off_here(route) := sort(names)[0] if {
	names := {name |
		some name, conf in object.get(route, ["config", "plugins"], {})
		name in auth_plugins
		object.get(conf, ["_meta", "disable"], false) == true
	}
	count(names) > 0
}

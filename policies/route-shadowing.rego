# METADATA
# title: Route shadowed by another route
# description: |
#   ## What it checks
#   Two routes of one environment must not match the same requests: the same set of
#   hosts (compared without case; no hosts means any host), a common path (after the
#   service's `path_prefix` when ADC's backend is `api7ee`, the only one that
#   applies it; `apply.backend` of the configuration) and overlapping methods (no
#   methods means all of them). Routes that differ in their other match conditions (`vars`,
#   `remote_addrs`, `filter_func`) are not compared. The later route (by file, then
#   position in the file) is reported, pointing at the first one. Paths are
#   compared as written: `/orders/*` and `/orders/1` are different paths. The
#   routes of two copies of an ADC service defined twice are not compared with
#   each other: the duplicate is reported as `ref/duplicate-service`.
#   ## Why it matters
#   APISIX sends a request to exactly one route. When two routes match the same
#   requests, one of them silently never receives traffic (which one depends on
#   `priority` and load order), so its plugins, such as a stricter rate limit or
#   an auth plugin, never run. This usually comes from copy-pasted routes or from
#   two services sharing hosts and prefixes.
#   ## Severity
#   `error`: one of the two routes never receives the requests they share, so the
#   configuration does not do what it says.
#   ## Bad
#   ```yaml
#   services:
#     - name: orders
#       hosts: [api.example.com]
#       routes:
#         - name: list-orders
#           uris: [/orders]
#           methods: [GET]
#         - name: orders-any
#           uris: [/orders]
#   ```
#   ## Good
#   ```yaml
#   services:
#     - name: orders
#       hosts: [api.example.com]
#       routes:
#         - name: list-orders
#           uris: [/orders]
#           methods: [GET]
#         - name: create-order
#           uris: [/orders]
#           methods: [POST]
#   ```
# custom:
#   id: route-shadowing
#   severity: error
#   help: merge the two routes, or make them differ in hosts, paths, methods or vars
#   params: {}
package gwlint.rules.route_shadowing

import rego.v1

import data.gwlint.lib

deny contains finding if {
	some same_path in lib.key_groups(_path_entries)
	some group in lib.key_groups([[_match_key(input.routes[k]), k] | some k in same_path])
	members := lib.routes_in_order(group)
	some p, member in members
	p > 0
	route := input.routes[member[1]]
	earlier := [k |
		some q in numbers.range(0, p - 1)
		k := members[q][1]
		_methods_overlap(input.routes[k].methods, route.methods)
		not lib.duplicate_copies(input.routes[k], route)
	]
	count(earlier) > 0
	first := input.routes[earlier[0]]
	finding := {
		"msg": sprintf("%s matches the same requests as %s (same hosts, a common path, overlapping methods): only one of them receives traffic", [_describe(route), _describe(first)]),
		"at": route.origin,
		"field": _paths_field(route),
		"related": [{
			"msg": sprintf("%s is defined here", [_describe(first)]),
			"at": first.origin,
			"field": _paths_field(first),
		}],
	}
}

# `route `list` of service `orders``, or `route `list`` for a route without a service.
# Two bodies rather than `else`: see "How rules run" in policies/README.md.
_describe(route) := sprintf("route `%s` of service `%s`", [lib.label(route), lib.label(service)]) if {
	service := lib.services_by_id[route.service_id]
}

_describe(route) := sprintf("route `%s`", [lib.label(route)]) if {
	not lib.services_by_id[route.service_id]
}

# One entry per route and path: `[path, route index]`. Routes can only shadow each
# other when they share a path, so the routes are first grouped by path (cheap, and
# nearly every group has one route); only within a group of two or more are the
# other match conditions compared: hosts without case or order, and the remaining
# match fields. Members of a group are compared in document order.
_path_entries := [[path, i] |
	some i, route in input.routes
	some path in route.paths
]

_match_key(route) := [
	sort([lower(h) | some h in route.hosts]),
	object.filter(route.config, ["vars", "remote_addrs", "remote_addr", "filter_func"]),
]

# No methods means every method.
_methods_overlap(a, _) if count(a) == 0

_methods_overlap(_, b) if count(b) == 0

_methods_overlap(a, b) if {
	some m in a
	m in b
}

_paths_field(route) := "uri" if {
	not route.config.uris
	route.config.uri
} else := "uris"

# METADATA
# title: Two routes of a service share a name
# description: |
#   ## What it checks
#   Route names must be unique within their service (routes with the same
#   `service_id`; standalone routes without a service form one group). The later
#   route (by file, then position in the file) is reported, pointing at the first.
#   When an ADC service is defined twice (`ref/duplicate-service`), the routes of
#   one copy are not compared with those of the other.
#   ## Why it matters
#   ADC derives a route's id from `<service name>.<route name>`, so two routes with
#   the same name in one service get the same id: one overwrites the other at sync
#   time and a route silently disappears. `adc lint` does not check this. In
#   standalone files the names only label routes, but duplicates still make logs,
#   metrics and dashboards ambiguous.
#   ## Severity
#   `error`: in ADC files one of the two routes overwrites the other at sync time
#   and a route silently disappears. In standalone files only the names collide;
#   lower the severity for such environments in `.gwlint.yaml` if that is all you
#   use.
#   ## Bad
#   ```yaml
#   services:
#     - name: orders
#       routes:
#         - name: orders
#           uris: [/orders]
#           methods: [GET]
#         - name: orders
#           uris: [/orders]
#           methods: [POST]
#   ```
#   ## Good
#   ```yaml
#   services:
#     - name: orders
#       routes:
#         - name: list-orders
#           uris: [/orders]
#           methods: [GET]
#         - name: create-order
#           uris: [/orders]
#           methods: [POST]
#   ```
# custom:
#   id: duplicate-route-name
#   severity: error
#   help: give each route of the service its own name
#   params: {}
package gwlint.rules.duplicate_route_name

import rego.v1

import data.gwlint.lib

deny contains finding if {
	some group in lib.key_groups(_entries)
	members := lib.routes_in_order(group)
	some p, member in members
	p > 0
	route := input.routes[member[1]]
	earlier := [k |
		some q in numbers.range(0, p - 1)
		k := members[q][1]
		not lib.duplicate_copies(input.routes[k], route)
	]
	count(earlier) > 0
	first := input.routes[earlier[0]]
	finding := {
		"msg": sprintf("route name `%s` is already used by another route of the same service", [route.name]),
		"at": route.origin,
		"field": "name",
		"related": [{"msg": sprintf("the first route named `%s`", [first.name]), "at": first.origin, "field": "name"}],
	}
}

# `[[service id, name], route index]` for every named route.
_entries := [[[object.get(route, "service_id", null), route.name], i] |
	some i, route in input.routes
	is_string(route.name)
	route.name != ""
]

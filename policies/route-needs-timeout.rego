# METADATA
# title: Route needs a timeout
# description: |
#   ## What it checks
#   Every route should set `timeout` (`connect`, `send`, `read`), either on the
#   route itself or on the upstream its traffic goes to (the service's upstream for
#   ADC, the one written in the service the route is written in; the route's
#   `upstream_id`, inline `upstream`, or its service's upstream in standalone
#   files).
#   ## Why it matters
#   Without a timeout APISIX waits 60 seconds for each phase of an upstream
#   request. A slow upstream then ties up connections for a minute per request and
#   clients retry on top of that. A timeout that fits the API makes failures fast
#   and visible.
#   ## Severity
#   `info`: APISIX's default of 60 seconds applies and works, and most routes of a
#   healthy repository rely on it; a louder severity would bury the findings that
#   matter.
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
#         timeout: {connect: 3, send: 5, read: 10}
#       routes:
#         - name: list-orders
#           uris: [/orders]
#   ```
# custom:
#   id: route-needs-timeout
#   severity: info
#   help: "set `timeout` (`connect`, `send`, `read`) on the route or on its upstream"
#   params: {}
package gwlint.rules.route_needs_timeout

import rego.v1

import data.gwlint.lib

info contains finding if {
	upstreams := _upstreams_with_timeout
	services := _services_with_inline_timeout
	some route in input.routes
	not is_object(route.config.timeout)
	not _upstream_timeout(route, upstreams, services)
	finding := {
		"msg": sprintf("route `%s` has no timeout, and neither has its upstream: APISIX waits 60 s per phase", [lib.label(route)]),
		"at": route.origin,
		"field": "timeout",
	}
}

# An inline upstream of a standalone route.
_upstream_timeout(route, _, _) if is_object(route.config.upstream.timeout)

# The upstream it resolves to (its own `upstream_id`, its service's, or an ADC
# service's inline upstream).
_upstream_timeout(route, upstreams, _) if {
	not route.config.upstream
	route.upstream_id in upstreams
	not route.upstream_id in _shared_upstream_ids
}

# An id that two upstreams share: the inline upstreams of the copies of an ADC
# service defined twice (`ref/duplicate-service`). An ADC route goes to the
# upstream of the copy it is written in.
_upstream_timeout(route, _, _) if {
	not route.config.upstream
	route.upstream_id in _shared_upstream_ids
	lib.is_adc(route)
	pointer := concat("", [lib.parent_pointer(route.origin.pointer), "/upstream"])
	some upstream in input.upstreams
	upstream.id == route.upstream_id
	upstream.origin.pointer == pointer
	upstream.origin.file == route.origin.file
	lib.is_adc(upstream)
	is_object(upstream.config.timeout)
}

# The inline upstream of its standalone service.
_upstream_timeout(route, _, services) if {
	not route.config.upstream
	not route.config.upstream_id
	route.service_id in services
}

_upstreams_with_timeout := {u.id | some u in object.get(input, "upstreams", []); is_object(u.config.timeout)}

_shared_upstream_ids := {upstreams[i].id |
	upstreams := object.get(input, "upstreams", [])
	some group in lib.key_groups([[u.id, j] | some j, u in upstreams])
	some i in group
}

_services_with_inline_timeout := {s.id |
	some s in object.get(input, "services", [])
	is_object(s.config.upstream.timeout)
}

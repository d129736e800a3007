package gwlint.rules.route_needs_timeout_test

import rego.v1

import data.gwlint.rules.route_needs_timeout

_timeout := {"connect": 3, "send": 5, "read": 10}

_route(config, upstream_id) := {
	"kind": "route", "id": "r1", "name": "list-orders", "format": "adc", "config": config,
	"origin": {"file": "staging/orders.yaml", "pointer": "/services/0/routes/0", "line": 20, "column": 9},
	"service_id": "svc", "upstream_id": upstream_id, "paths": ["/orders"], "hosts": [], "methods": [], "effective_plugins": {},
}

_upstream(config) := {
	"kind": "upstream", "id": "svc", "format": "adc", "config": config,
	"origin": {"file": "staging/orders.yaml", "pointer": "/services/0/upstream", "line": 4, "column": 7},
}

test_route_with_its_own_timeout_passes if {
	count(route_needs_timeout.info) == 0 with input as {
		"routes": [_route({"name": "list-orders", "uris": ["/orders"], "timeout": _timeout}, "svc")],
		"upstreams": [_upstream({"nodes": []})],
	}
}

test_route_whose_upstream_has_a_timeout_passes if {
	count(route_needs_timeout.info) == 0 with input as {
		"routes": [_route({"name": "list-orders", "uris": ["/orders"]}, "svc")],
		"upstreams": [_upstream({"nodes": [], "timeout": _timeout})],
	}
}

test_route_without_any_timeout_is_reported if {
	route_needs_timeout.info == {{
		"msg": "route `list-orders` has no timeout, and neither has its upstream: APISIX waits 60 s per phase",
		"at": {"file": "staging/orders.yaml", "pointer": "/services/0/routes/0", "line": 20, "column": 9},
		"field": "timeout",
	}} with input as {
		"routes": [_route({"name": "list-orders", "uris": ["/orders"]}, "svc")],
		"upstreams": [_upstream({"nodes": []})],
	}
}

test_route_without_upstream_is_reported if {
	route := object.remove(_route({"name": "list-orders", "uris": ["/orders"]}, null), ["upstream_id"])
	count(route_needs_timeout.info) == 1 with input as {"routes": [route]}
}

test_timeout_on_another_upstream_does_not_count if {
	other := object.union(_upstream({"nodes": [], "timeout": _timeout}), {"id": "other"})
	count(route_needs_timeout.info) == 1 with input as {
		"routes": [_route({"name": "list-orders", "uris": ["/orders"]}, "svc")],
		"upstreams": [_upstream({"nodes": []}), other],
	}
}

test_standalone_inline_upstream_timeouts_count if {
	inline := _route({"uri": "/orders", "upstream": {"nodes": {"a:1": 1}, "timeout": _timeout}}, null)
	count(route_needs_timeout.info) == 0 with input as {"routes": [inline]}
	service := {
		"kind": "service", "id": "s1", "format": "standalone", "config": {"id": "s1", "upstream": {"nodes": {"a:1": 1}, "timeout": _timeout}},
		"origin": {"file": "staging/apisix.yaml", "pointer": "/services/0", "line": 2, "column": 5},
	}
	via_service := object.union(_route({"uri": "/orders", "service_id": "s1"}, null), {"service_id": "s1"})
	count(route_needs_timeout.info) == 0 with input as {"routes": [via_service], "services": [service]}
}

test_route_inline_upstream_without_timeout_ignores_the_service_upstream if {
	route := _route({"uri": "/orders", "upstream": {"nodes": {"a:1": 1}}}, "svc")
	count(route_needs_timeout.info) == 1 with input as {"routes": [route], "upstreams": [_upstream({"nodes": [], "timeout": _timeout})]}
}

# Service `svc` defined twice, in a.yaml (upstream with a timeout) and b.yaml
# (without): both inline upstreams have the service's id, and each route goes to
# the upstream of the copy it is written in.
_in_file(obj, file) := object.union(obj, {"origin": object.union(obj.origin, {"file": file})})

test_a_route_of_a_service_defined_twice_goes_to_its_own_copy_of_the_upstream if {
	upstreams := [_in_file(_upstream({"nodes": [], "timeout": _timeout}), "a.yaml"), _in_file(_upstream({"nodes": []}), "b.yaml")]
	routes := [_in_file(_route({"name": "list-orders"}, "svc"), "a.yaml"), _in_file(_route({"name": "list-orders"}, "svc"), "b.yaml")]
	findings := route_needs_timeout.info with input as {"routes": routes, "upstreams": upstreams}
	{f.at.file | some f in findings} == {"b.yaml"}
}

package gwlint.rules.upstream_needs_health_checks_test

import rego.v1

import data.gwlint.rules.upstream_needs_health_checks

_origin := {"file": "staging/orders.yaml", "pointer": "/services/0/upstream", "line": 4, "column": 7}

_upstream(config) := {"kind": "upstream", "id": "u1", "name": "orders-pool", "format": "adc", "config": config, "origin": _origin}

_nodes := [{"host": "orders.svc", "port": 8080, "weight": 100}]

_active := {"active": {"http_path": "/healthz", "healthy": {"interval": 5, "successes": 2}}}

test_upstream_with_active_checks_passes if {
	count(upstream_needs_health_checks.info) == 0 with input as {"upstreams": [_upstream({"nodes": _nodes, "checks": _active})]}
}

test_upstream_without_checks_is_reported_at_checks if {
	# (the input is bound first: regorus evaluates `x == rule with input as f(rule)` to undefined)
	doc := {"upstreams": [_upstream({"nodes": _nodes})]}
	upstream_needs_health_checks.info == {{
		"msg": "upstream `orders-pool` has no health checks: a failed node keeps receiving traffic",
		"at": _origin,
		"field": ["checks"],
	}} with input as doc
}

test_empty_checks_object_counts_as_missing if {
	count(upstream_needs_health_checks.info) == 1 with input as {"upstreams": [_upstream({"nodes": _nodes, "checks": {}})]}
}

test_discovery_upstreams_are_checked_by_default if {
	config := {"discovery_type": "kubernetes", "service_name": "default/orders:http"}
	count(upstream_needs_health_checks.info) == 1 with input as {"upstreams": [_upstream(config)]}
}

test_check_discovery_false_skips_discovery_upstreams_only if {
	params := {"upstream-needs-health-checks": {"check_discovery": false}}
	discovered := {"discovery_type": "kubernetes", "service_name": "default/orders:http"}
	count(upstream_needs_health_checks.info) == 0 with input as {"params": params, "upstreams": [_upstream(discovered)]}
	count(upstream_needs_health_checks.info) == 1 with input as {"params": params, "upstreams": [_upstream({"nodes": _nodes})]}
}

test_inline_upstream_of_standalone_service_is_reported_below_upstream if {
	service := {
		"kind": "service", "id": "s1", "name": "orders", "format": "standalone",
		"config": {"id": "s1", "upstream": {"nodes": {"orders.svc:8080": 1}}},
		"origin": {"file": "staging/apisix.yaml", "pointer": "/services/0", "line": 2, "column": 5},
	}
	upstream_needs_health_checks.info == {{
		"msg": "the inline upstream of service `orders` has no health checks: a failed node keeps receiving traffic",
		"at": service.origin,
		"field": ["upstream", "checks"],
	}} with input as {"services": [service]}
}

test_unnamed_upstream_is_named_by_its_id if {
	upstream := object.remove(_upstream({"nodes": _nodes}), ["name"])
	some finding in upstream_needs_health_checks.info with input as {"upstreams": [upstream]}
	startswith(finding.msg, "upstream `u1` ")
}

package gwlint.rules.require_https_upstream_test

import rego.v1

import data.gwlint.rules.require_https_upstream

_origin(pointer) := {"file": "production/orders.yaml", "pointer": pointer, "line": 4, "column": 7}

_upstream(id, config) := {"kind": "upstream", "id": id, "format": "adc", "config": config, "origin": _origin("/services/0/upstream")}

_nodes := [{"host": "orders.svc", "port": 8443, "weight": 100}]

test_https_upstream_in_production_passes if {
	count(require_https_upstream.deny) == 0 with input as {
		"environment": "production",
		"upstreams": [_upstream("u1", {"scheme": "https", "nodes": _nodes}), _upstream("u2", {"scheme": "grpcs", "nodes": _nodes})],
	}
}

test_http_upstream_in_production_is_reported_at_scheme if {
	require_https_upstream.deny == {{
		"msg": "upstream `u1` uses `scheme: http` in environment `production`: traffic to its nodes is not encrypted",
		"at": _origin("/services/0/upstream"),
		"field": ["scheme"],
	}} with input as {"environment": "production", "upstreams": [_upstream("u1", {"scheme": "http", "nodes": _nodes})]}
}

test_missing_scheme_means_http if {
	require_https_upstream.deny == {{
		"msg": "upstream `u1` has no `scheme`, so APISIX uses plain `http` to its nodes in environment `prod`",
		"at": _origin("/services/0/upstream"),
		"field": ["scheme"],
	}} with input as {"environment": "prod", "upstreams": [_upstream("u1", {"nodes": _nodes})]}
}

test_plaintext_grpc_is_reported if {
	count(require_https_upstream.deny) == 1 with input as {"environment": "production", "upstreams": [_upstream("u1", {"scheme": "grpc", "nodes": _nodes})]}
}

test_other_environments_are_not_checked_by_default if {
	count(require_https_upstream.deny) == 0 with input as {"environment": "staging", "upstreams": [_upstream("u1", {"scheme": "http", "nodes": _nodes})]}
}

test_environments_parameter_enables_other_environments if {
	count(require_https_upstream.deny) == 1 with input as {
		"environment": "staging",
		"params": {"require-https-upstream": {"environments": ["staging", "production"]}},
		"upstreams": [_upstream("u1", {"scheme": "http", "nodes": _nodes})],
	}
}

test_inline_standalone_upstream_is_reported_below_upstream if {
	route := {
		"kind": "route", "id": "r1", "name": "orders", "format": "standalone",
		"config": {"uri": "/orders", "upstream": {"nodes": {"orders.svc:80": 1}}},
		"origin": {"file": "production/apisix.yaml", "pointer": "/routes/0", "line": 2, "column": 5},
		"paths": ["/orders"], "hosts": [], "methods": [], "effective_plugins": {},
	}
	findings := require_https_upstream.deny with input as {"environment": "production", "routes": [route]}
	{[f.at.pointer, f.field] | some f in findings} == {["/routes/0", ["upstream", "scheme"]]}
}

test_upstream_only_used_by_adc_stream_routes_needs_no_scheme if {
	stream := {
		"kind": "stream_route", "id": "s1", "name": "mqtt", "format": "adc", "config": {"name": "mqtt", "server_port": 1883},
		"origin": {"file": "production/mqtt.yaml", "pointer": "/services/0/stream_routes/0", "line": 9, "column": 9},
	}
	service := {
		"kind": "service", "id": "svc-mqtt", "name": "mqtt", "format": "adc", "config": {"name": "mqtt"},
		"origin": {"file": "production/mqtt.yaml", "pointer": "/services/0", "line": 2, "column": 5},
	}
	upstream := {
		"kind": "upstream", "id": "svc-mqtt", "format": "adc", "config": {"nodes": _nodes},
		"origin": {"file": "production/mqtt.yaml", "pointer": "/services/0/upstream", "line": 4, "column": 7},
	}
	count(require_https_upstream.deny) == 0 with input as {"environment": "production", "services": [service], "stream_routes": [stream], "upstreams": [upstream]}
}

test_upstream_shared_by_stream_and_http_routes_is_reported if {
	stream := {
		"kind": "stream_route", "id": "s1", "format": "standalone", "config": {"id": "s1", "upstream_id": 7},
		"origin": {"file": "production/apisix.yaml", "pointer": "/stream_routes/0", "line": 9, "column": 5},
	}
	route := {
		"kind": "route", "id": "r1", "format": "standalone", "config": {"id": "r1", "uri": "/x", "upstream_id": 7},
		"origin": {"file": "production/apisix.yaml", "pointer": "/routes/0", "line": 2, "column": 5},
		"upstream_id": "7", "paths": ["/x"], "hosts": [], "methods": [], "effective_plugins": {},
	}
	upstream := {
		"kind": "upstream", "id": "7", "format": "standalone", "config": {"id": 7, "nodes": {"a:1": 1}},
		"origin": {"file": "production/apisix.yaml", "pointer": "/upstreams/0", "line": 14, "column": 5},
	}
	count(require_https_upstream.deny) == 0 with input as {"environment": "production", "stream_routes": [stream], "upstreams": [upstream]}
	count(require_https_upstream.deny) == 1 with input as {"environment": "production", "stream_routes": [stream], "routes": [route], "upstreams": [upstream]}
}

test_explicit_http_on_a_stream_upstream_is_still_reported if {
	stream := {
		"kind": "stream_route", "id": "s1", "format": "standalone", "config": {"upstream": {"scheme": "http", "nodes": {"a:1": 1}}},
		"origin": {"file": "production/apisix.yaml", "pointer": "/stream_routes/0", "line": 9, "column": 5},
	}
	count(require_https_upstream.deny) == 1 with input as {"environment": "production", "stream_routes": [stream]}
}

test_upstream_of_a_standalone_stream_service_needs_no_scheme if {
	stream := {
		"kind": "stream_route", "id": "s1", "format": "standalone", "config": {"id": "s1", "service_id": "tcp"},
		"origin": {"file": "production/apisix.yaml", "pointer": "/stream_routes/0", "line": 9, "column": 5},
	}
	service := {
		"kind": "service", "id": "tcp", "format": "standalone", "config": {"id": "tcp", "upstream_id": 3},
		"origin": {"file": "production/apisix.yaml", "pointer": "/services/0", "line": 5, "column": 5},
	}
	upstream := {
		"kind": "upstream", "id": "3", "format": "standalone", "config": {"id": 3, "nodes": {"db:5432": 1}},
		"origin": {"file": "production/apisix.yaml", "pointer": "/upstreams/0", "line": 14, "column": 5},
	}
	count(require_https_upstream.deny) == 0 with input as {"environment": "production", "stream_routes": [stream], "services": [service], "upstreams": [upstream]}
	other := object.union(upstream, {"id": "4", "config": {"id": 4}})
	count(require_https_upstream.deny) == 1 with input as {"environment": "production", "stream_routes": [stream], "services": [service], "upstreams": [upstream, other]}
}

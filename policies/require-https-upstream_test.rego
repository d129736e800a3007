package gwlint.rules.require_https_upstream_test

import rego.v1

import data.gwlint.rules.require_https_upstream

_origin(pointer) := {"file": "production/orders.yaml", "pointer": pointer, "line": 4, "column": 7}

_upstream(id, config) := {"kind": "upstream", "id": id, "format": "adc", "config": config, "origin": _origin("/services/0/upstream")}

_nodes := [{"host": "orders.example.net", "port": 8443, "weight": 100}]

test_https_upstream_in_production_passes if {
	count(require_https_upstream.deny) == 0 with input as {
		"environment": "production",
		"upstreams": [_upstream("u1", {"scheme": "https", "nodes": _nodes}), _upstream("u2", {"scheme": "grpcs", "nodes": _nodes})],
	}
}

test_http_upstream_in_production_is_reported_at_scheme if {
	require_https_upstream.deny == {{
		"msg": "upstream `u1` uses `scheme: http` in environment `production`: traffic to its nodes is not encrypted (`orders.example.net` is not an internal host)",
		"at": _origin("/services/0/upstream"),
		"field": ["scheme"],
	}} with input as {"environment": "production", "upstreams": [_upstream("u1", {"scheme": "http", "nodes": _nodes})]}
}

test_missing_scheme_means_http if {
	require_https_upstream.deny == {{
		"msg": "upstream `u1` has no `scheme`, so APISIX uses plain `http` to its nodes in environment `prod` (`orders.example.net` is not an internal host)",
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
		"config": {"uri": "/orders", "upstream": {"nodes": {"orders.example.net:80": 1}}},
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

# Internal destinations: in-cluster names, loopback, RFC 1918 and IPv6 ULA addresses.

_deny_for(upstream) := findings if {
	findings := require_https_upstream.deny with input as {"environment": "production", "upstreams": [_upstream("u1", upstream)]}
}

_reported(upstream) if count(_deny_for(upstream)) == 1

_exempt(upstream) if count(_deny_for(upstream)) == 0

_at(host) := [{"host": host, "port": 8080, "weight": 1}]

test_in_cluster_names_are_internal if {
	every host in ["orders.svc", "orders.shop.svc", "orders.shop.svc.cluster.local", "db.cluster.local", "billing.internal", "localhost", "api.localhost", "ORDERS.SVC", "orders.shop.svc.cluster.local."] {
		_exempt({"nodes": _at(host)})
		_exempt({"scheme": "http", "nodes": _at(host)})
	}
}

test_names_match_whole_labels if {
	every host in ["mylocalhost", "svc", "orders.svc.example.com", "internal", "orders.svcx", "example.com"] {
		_reported({"nodes": _at(host)})
	}
}

test_private_and_loopback_addresses_are_internal if {
	every host in ["127.0.0.1", "127.255.0.9", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.254", "192.168.1.10", "::1", "[::1]", "fd00::10", "fc00::1", "FD12:3456::1"] {
		_exempt({"nodes": _at(host)})
	}
}

test_public_addresses_are_external if {
	every host in ["172.15.255.255", "172.32.0.1", "192.169.0.1", "11.0.0.1", "8.8.8.8", "2001:db8::1", "fe80::1", "::ffff:10.0.0.1", "::2"] {
		_reported({"nodes": _at(host)})
	}
}

test_every_node_must_be_internal if {
	_reported({"nodes": array.concat(_at("orders.svc"), _at("api.partner.example"))})
	_deny_for({"nodes": array.concat(_at("orders.svc"), _at("api.partner.example"))}) == {{
		"msg": "upstream `u1` has no `scheme`, so APISIX uses plain `http` to its nodes in environment `production` (`api.partner.example` is not an internal host)",
		"at": _origin("/services/0/upstream"),
		"field": ["scheme"],
	}}
}

test_the_first_external_host_by_name_is_named if {
	findings := _deny_for({"nodes": {"zeta.example:80": 1, "alpha.example:80": 1, "orders.svc:80": 1}})
	[f.msg | some f in findings] == ["upstream `u1` has no `scheme`, so APISIX uses plain `http` to its nodes in environment `production` (`alpha.example` is not an internal host)"]
}

test_node_maps_are_read_as_host_and_port if {
	_exempt({"nodes": {"orders.svc:8080": 1, "10.1.2.3:80": 2, "[fd00::1]:80": 1, "[::1]": 1, "localhost": 1}})
	_reported({"nodes": {"orders.svc:8080": 1, "[fd00::1:80": 1}})
	_reported({"nodes": {"orders.svc:8080": 1, "2001:db8::1:80": 1}})
}

test_an_upstream_without_nodes_is_reported if {
	_deny_for({"nodes": []}) == {{
		"msg": "upstream `u1` has no `scheme`, so APISIX uses plain `http` to its nodes in environment `production`",
		"at": _origin("/services/0/upstream"),
		"field": ["scheme"],
	}}
	_reported({"nodes": {}})
	_reported({"type": "roundrobin"})
	_reported({"nodes": [{"port": 80, "weight": 1}]})
	_reported({"nodes": [{"host": 10, "port": 80, "weight": 1}, {"host": "orders.svc", "port": 80, "weight": 1}]})
}

test_service_discovery if {
	_exempt({"discovery_type": "kubernetes", "service_name": "shop/orders:http"})
	_exempt({"discovery_type": "dns", "service_name": "orders.shop.svc.cluster.local:8080"})
	_reported({"discovery_type": "consul", "service_name": "orders"})
	_reported({"discovery_type": "dns", "service_name": "orders.example.com"})
	_reported({"discovery_type": "nacos"})
	# With discovery the nodes are not where the traffic goes.
	_reported({"discovery_type": "eureka", "service_name": "ORDERS", "nodes": _at("orders.svc")})
}

test_internal_hosts_parameter_replaces_the_list if {
	upstreams := [
		_upstream("names", {"nodes": _at("orders.payments")}),
		_upstream("range", {"nodes": _at("100.64.1.2")}),
		_upstream("address", {"nodes": _at("203.0.113.7")}),
		_upstream("v6", {"nodes": _at("2001:db8:1::5")}),
		_upstream("svc", {"nodes": _at("orders.svc")}),
		_upstream("private", {"nodes": _at("10.0.0.1")}),
	]
	params := {"require-https-upstream": {"internal_hosts": ["payments", "100.64.0.0/10", "203.0.113.7", "2001:DB8:1::/48", "10.0.0.0/08", "10.0.0.0/33", ""]}}
	findings := require_https_upstream.deny with input as {"environment": "production", "params": params, "upstreams": upstreams}
	{f.msg | some f in findings} == {
		"upstream `svc` has no `scheme`, so APISIX uses plain `http` to its nodes in environment `production` (`orders.svc` is not an internal host)",
		"upstream `private` has no `scheme`, so APISIX uses plain `http` to its nodes in environment `production` (`10.0.0.1` is not an internal host)",
	}
}

test_an_empty_internal_hosts_list_makes_every_host_external if {
	findings := require_https_upstream.deny with input as {
		"environment": "production",
		"params": {"require-https-upstream": {"internal_hosts": []}},
		"upstreams": [_upstream("u1", {"nodes": _at("orders.svc")}), _upstream("u2", {"nodes": _at("127.0.0.1")})],
	}
	count(findings) == 2
}

# traffic-split: the upstreams written in its rules.

_split_route(plugins) := {
	"kind": "route", "id": "r1", "name": "checkout", "format": "adc",
	"config": {"name": "checkout", "uris": ["/checkout"], "plugins": plugins},
	"origin": {"file": "production/shop.yaml", "pointer": "/services/0/routes/1", "line": 12, "column": 9},
	"paths": ["/checkout"], "hosts": [], "methods": [], "effective_plugins": {},
}

test_traffic_split_upstreams_are_checked_where_written if {
	split := {"rules": [{"weighted_upstreams": [
		{"upstream": {"type": "roundrobin", "nodes": _at("canary.example.net")}, "weight": 1},
		{"upstream_id": "u9", "weight": 1},
		{"weight": 3},
		{"upstream": {"scheme": "http", "nodes": {"canary.shop.svc:8080": 1}}, "weight": 1},
		{"upstream": {"scheme": "grpc", "nodes": _at("grpc.example.net")}, "weight": 1},
	]}]}
	findings := require_https_upstream.deny with input as {"environment": "production", "routes": [_split_route({"traffic-split": split})]}
	findings == {
		{
			"msg": "the `traffic-split` upstream `rules[0].weighted_upstreams[0].upstream` of route `checkout` has no `scheme`, so APISIX uses plain `http` to its nodes in environment `production` (`canary.example.net` is not an internal host)",
			"at": {"file": "production/shop.yaml", "pointer": "/services/0/routes/1/plugins/traffic-split"},
			"field": ["rules", 0, "weighted_upstreams", 0, "upstream", "scheme"],
		},
		{
			"msg": "the `traffic-split` upstream `rules[0].weighted_upstreams[4].upstream` of route `checkout` uses `scheme: grpc` in environment `production`: traffic to its nodes is not encrypted (`grpc.example.net` is not an internal host)",
			"at": {"file": "production/shop.yaml", "pointer": "/services/0/routes/1/plugins/traffic-split"},
			"field": ["rules", 0, "weighted_upstreams", 4, "upstream", "scheme"],
		},
	}
}

test_switched_off_traffic_split_is_not_checked if {
	split := {"_meta": {"disable": true}, "rules": [{"weighted_upstreams": [{"upstream": {"nodes": _at("canary.example.net")}}]}]}
	count(require_https_upstream.deny) == 0 with input as {"environment": "production", "routes": [_split_route({"traffic-split": split})]}
}

test_traffic_split_of_an_adc_global_rule_points_at_its_configuration if {
	rule := {
		"kind": "global_rule", "id": "traffic-split", "name": "traffic-split", "format": "adc",
		"config": {"id": "traffic-split", "plugins": {"traffic-split": {"rules": [{"weighted_upstreams": [{"upstream": {"nodes": _at("203.0.113.9")}}]}]}}},
		"origin": {"file": "production/global.yaml", "pointer": "/global_rules/traffic-split", "line": 2, "column": 3},
	}
	findings := require_https_upstream.deny with input as {"environment": "production", "global_rules": [rule]}
	[[f.at.pointer, f.field] | some f in findings] == [["/global_rules/traffic-split", ["rules", 0, "weighted_upstreams", 0, "upstream", "scheme"]]]
}

# Service `edge` defined twice: in a.yaml with a stream route only, in b.yaml with
# an HTTP route. Both inline upstreams have the service's id; each is judged by
# what is written in its own copy.
_edge(file) := {"kind": "service", "id": "svc-edge", "name": "edge", "format": "adc", "config": {"name": "edge"}, "origin": {"file": file, "pointer": "/services/0", "line": 2, "column": 5}}

_edge_upstream(file) := {"kind": "upstream", "id": "svc-edge", "format": "adc", "config": {"nodes": _nodes}, "origin": {"file": file, "pointer": "/services/0/upstream", "line": 4, "column": 7}}

test_copies_of_a_service_defined_twice_keep_their_own_routes if {
	stream := {"kind": "stream_route", "id": "s1", "name": "tcp", "format": "adc", "config": {"name": "tcp", "server_port": 9100}, "origin": {"file": "a.yaml", "pointer": "/services/0/stream_routes/0", "line": 9, "column": 9}}
	route := {
		"kind": "route", "id": "r1", "name": "web", "format": "adc", "config": {"name": "web", "uris": ["/"]},
		"origin": {"file": "b.yaml", "pointer": "/services/0/routes/0", "line": 9, "column": 9},
		"service_id": "svc-edge", "upstream_id": "svc-edge", "paths": ["/"], "hosts": [], "methods": [], "effective_plugins": {},
	}
	findings := require_https_upstream.deny with input as {
		"environment": "production",
		"services": [_edge("a.yaml"), _edge("b.yaml")],
		"upstreams": [_edge_upstream("a.yaml"), _edge_upstream("b.yaml")],
		"stream_routes": [stream],
		"routes": [route],
	}
	{f.at.file | some f in findings} == {"b.yaml"}
}

test_an_internal_hosts_parameter_that_is_not_a_list_holds_no_host if {
	every hosts in ["orders.svc", {"a": "orders.svc"}, null] {
		count(require_https_upstream.deny) == 1 with input as {
			"environment": "production",
			"params": {"require-https-upstream": {"internal_hosts": hosts}},
			"upstreams": [_upstream("u1", {"nodes": _at("orders.svc")})],
		}
	}
}

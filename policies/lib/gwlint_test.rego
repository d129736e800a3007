package gwlint.lib_test

import rego.v1

import data.gwlint.lib

test_param_reads_the_rule_parameter_or_the_default if {
	lib.param("r", "n", 3) == 3 with input as {}
	lib.param("r", "n", 3) == 5 with input as {"params": {"r": {"n": 5}}}
	lib.param("r", "n", 3) == 3 with input as {"params": {"other": {"n": 5}}}
}

test_label_prefers_the_name if {
	lib.label({"id": "1", "name": "orders"}) == "orders"
	lib.label({"id": "1"}) == "1"
	lib.label({"id": "1", "name": ""}) == "1"
}

test_pointer_token_escapes_tilde_then_slash if {
	lib.pointer_token("a/b~c") == "a~1b~0c"
}

test_plugin_at_points_at_the_written_plugin if {
	service := {"kind": "service", "format": "adc", "origin": {"file": "f.yaml", "pointer": "/services/0"}}
	lib.plugin_at(service, "my/plugin") == {"file": "f.yaml", "pointer": "/services/0/plugins/my~1plugin"}
	rule := {"kind": "global_rule", "format": "adc", "origin": {"file": "g.yaml", "pointer": "/global_rules/cors"}}
	lib.plugin_at(rule, "cors") == rule.origin
	standalone_rule := {"kind": "global_rule", "format": "standalone", "origin": {"file": "a.yaml", "pointer": "/global_rules/0"}}
	lib.plugin_at(standalone_rule, "cors").pointer == "/global_rules/0/plugins/cors"
}

test_config_location_maps_adc_global_rules if {
	rule := {"kind": "global_rule", "format": "adc", "origin": {"file": "g.yaml", "pointer": "/global_rules/cors"}}
	lib.config_location(rule, ["plugins", "cors", "allow_origins"]) == {"at": rule.origin, "field": ["allow_origins"]}
	route := {"kind": "route", "format": "adc", "origin": {"file": "r.yaml", "pointer": "/services/0/routes/0"}}
	lib.config_location(route, ["plugins", "cors", "allow_origins"]) == {"at": route.origin, "field": ["plugins", "cors", "allow_origins"]}
}

test_placeholders_skip_escaped_and_dotted_names if {
	lib.placeholders("${A}-${B_2}") == {"A", "B_2"}
	lib.placeholders("\\${A}${B}") == {"B"}
	lib.placeholders("${a.b} ${} $A {A}") == set()
}

test_is_reference if {
	lib.is_reference("$env://X")
	lib.is_reference("$secret://vault/a/b")
	lib.is_reference("Bearer ${TOKEN}")
	not lib.is_reference("plain")
	not lib.is_reference("\\${ESCAPED}")
	not lib.is_reference("env://X")
}

test_id_text_reads_numbers_and_strings if {
	lib.id_text(1) == "1"
	lib.id_text("a") == "a"
}

test_string_leaves_lists_paths_of_strings if {
	lib.string_leaves({"a": "x", "b": [1, {"c": "y"}], "d": true}) == {[["a"], "x"], [["b", 1, "c"], "y"]}
	lib.string_leaves({}) == set()
}

test_key_groups_returns_only_shared_keys if {
	groups := lib.key_groups([["k1", 0], ["k2", 1], ["k1", 2], ["k3", 3], ["k3", 3], ["k1", 4]])
	groups == [{0, 2, 4}]
	lib.key_groups([]) == []
}

test_routes_in_order_sorts_by_file_then_position if {
	routes := [
		{"origin": {"file": "b.yaml", "pointer": "/services/0/routes/0", "line": 1, "column": 1}},
		{"origin": {"file": "a.yaml", "pointer": "/services/10/routes/0", "line": 90, "column": 9}},
		{"origin": {"file": "a.yaml", "pointer": "/services/2/routes/0", "line": 12, "column": 9}},
	]
	[m[1] | some m in lib.routes_in_order({0, 1, 2})] == [2, 1, 0] with input as {"routes": routes}
}

test_upstream_sites_cover_model_and_inline_upstreams if {
	doc := {
		"upstreams": [{"kind": "upstream", "id": "u", "config": {}, "origin": {"file": "f", "pointer": "/upstreams/0"}}],
		"routes": [{"kind": "route", "id": "r", "config": {"upstream": {"scheme": "https"}}, "origin": {"file": "f", "pointer": "/routes/0"}}],
		"stream_routes": [{"kind": "stream_route", "id": "s", "config": {}, "origin": {"file": "f", "pointer": "/stream_routes/0"}}],
	}
	sites := lib.upstream_sites with input as doc
	{[s.origin.pointer, s.prefix, s.owner] | some s in sites} == {["/upstreams/0", [], "upstream"], ["/routes/0", ["upstream"], "route"]}
}

test_upstream_name_uses_the_name_then_the_service_then_the_id if {
	service := {"kind": "service", "id": "s1", "name": "orders", "format": "adc"}
	lib.upstream_name({"id": "u", "name": "replica"}) == "upstream `replica`"
	lib.upstream_name({"id": "s1", "format": "adc"}) == "the upstream of service `orders`" with input as {"services": [service]}
	lib.upstream_name({"id": "s1", "format": "standalone"}) == "upstream `s1`" with input as {"services": [service]}
	lib.upstream_name({"id": "x", "format": "adc"}) == "upstream `x`" with input as {"services": [service]}
}

test_first_by_id_keeps_the_first_of_a_duplicate_id if {
	objects := [{"id": "b", "n": 1}, {"id": "a", "n": 2}, {"id": "b", "n": 3}]
	lib.first_by_id(objects) == {"a": {"id": "a", "n": 2}, "b": {"id": "b", "n": 1}}
}

test_parent_pointer_drops_the_list_and_the_index if {
	lib.parent_pointer("/services/3/routes/10") == "/services/3"
	lib.parent_pointer("/services/0/stream_routes/2") == "/services/0"
	lib.parent_pointer("/services/0") == ""
	lib.parent_pointer("") == ""
}

# Two copies of ADC service `orders` (same id) and a standalone service.
_copies := [
	{"kind": "service", "id": "o", "name": "orders", "format": "adc", "config": {"name": "orders", "n": 1}, "origin": {"file": "b.yaml", "pointer": "/services/0"}},
	{"kind": "service", "id": "o", "name": "orders", "format": "adc", "config": {"name": "orders", "n": 2}, "origin": {"file": "a.yaml", "pointer": "/services/1"}},
	{"kind": "service", "id": "7", "format": "standalone", "config": {"id": 7}, "origin": {"file": "s.yaml", "pointer": "/services/0"}},
]

_route(file, pointer, format, service_id) := {"kind": "route", "format": format, "service_id": service_id, "origin": {"file": file, "pointer": pointer}}

test_an_adc_route_belongs_to_the_service_it_is_written_in if {
	lib.route_service(_route("a.yaml", "/services/1/routes/0", "adc", "o")).config.n == 2 with input as {"services": _copies}
	lib.route_service(_route("b.yaml", "/services/0/routes/4", "adc", "o")).config.n == 1 with input as {"services": _copies}
	lib.route_service(_route("s.yaml", "/routes/0", "standalone", "7")).id == "7" with input as {"services": _copies}
	lib.route_service(_route("s.yaml", "/routes/0", "standalone", "o")).config.n == 1 with input as {"services": _copies}
	not lib.route_service(_route("s.yaml", "/routes/0", "standalone", "8")) with input as {"services": _copies}
}

test_duplicate_copies_are_objects_of_two_services_of_one_name if {
	in_a := _route("a.yaml", "/services/1/routes/0", "adc", "o")
	in_b := _route("b.yaml", "/services/0/routes/0", "adc", "o")
	also_in_b := _route("b.yaml", "/services/0/routes/1", "adc", "o")
	lib.duplicate_copies(in_a, in_b) with input as {"services": _copies}
	not lib.duplicate_copies(in_b, also_in_b) with input as {"services": _copies}
	not lib.duplicate_copies(in_a, _route("s.yaml", "/routes/0", "standalone", "o")) with input as {"services": _copies}
	renamed := array.concat([object.union(_copies[0], {"name": "orders-v2"})], array.slice(_copies, 1, 3))
	not lib.duplicate_copies(in_a, in_b) with input as {"services": renamed}
}

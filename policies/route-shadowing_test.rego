package gwlint.rules.route_shadowing_test

import rego.v1

import data.gwlint.rules.route_shadowing

_route(n, paths, hosts, methods) := {
	"kind": "route", "id": sprintf("r%d", [n]), "name": sprintf("route-%d", [n]), "format": "adc",
	"config": {"name": sprintf("route-%d", [n]), "uris": paths},
	"origin": {"file": "staging/orders.yaml", "pointer": sprintf("/services/0/routes/%d", [n]), "line": 10 * (n + 1), "column": 9},
	"service_id": "svc", "paths": paths, "hosts": hosts, "methods": methods, "effective_plugins": {},
}

_pointers(findings) := {f.at.pointer | some f in findings}

test_distinct_methods_do_not_shadow if {
	count(route_shadowing.deny) == 0 with input as {"routes": [
		_route(0, ["/orders"], ["api.example.com"], ["GET"]),
		_route(1, ["/orders"], ["api.example.com"], ["POST"]),
	]}
}

test_same_path_and_method_is_reported_on_the_later_route if {
	first := _route(0, ["/orders"], ["api.example.com"], ["GET"])
	later := _route(1, ["/orders"], ["api.example.com"], ["GET", "HEAD"])
	route_shadowing.deny == {{
		"msg": "route `route-1` of service `orders` matches the same requests as route `route-0` of service `orders` (same hosts, a common path, overlapping methods): only one of them receives traffic",
		"at": later.origin,
		"field": "uris",
		"related": [{"msg": "route `route-0` of service `orders` is defined here", "at": first.origin, "field": "uris"}],
	}} with input as {"routes": [later, first], "services": [{"kind": "service", "id": "svc", "name": "orders"}]}
}

test_the_message_names_each_route_and_its_service if {
	first := object.union(_route(0, ["/orders"], [], []), {"service_id": "legacy"})
	later := _route(1, ["/orders"], [], [])
	alone := object.union(_route(2, ["/orders"], [], []), {"service_id": null})
	msgs := {f.msg | some f in route_shadowing.deny} with input as {
		"routes": [first, later, alone],
		"services": [{"kind": "service", "id": "svc", "name": "orders"}, {"kind": "service", "id": "legacy", "name": "legacy-orders"}],
	}
	msgs == {
		"route `route-1` of service `orders` matches the same requests as route `route-0` of service `legacy-orders` (same hosts, a common path, overlapping methods): only one of them receives traffic",
		"route `route-2` matches the same requests as route `route-0` of service `legacy-orders` (same hosts, a common path, overlapping methods): only one of them receives traffic",
	}
}

test_no_methods_overlaps_every_method if {
	findings := route_shadowing.deny with input as {"routes": [
		_route(0, ["/orders"], [], ["DELETE"]),
		_route(1, ["/orders"], [], []),
	]}
	_pointers(findings) == {"/services/0/routes/1"}
}

test_different_host_sets_do_not_shadow if {
	count(route_shadowing.deny) == 0 with input as {"routes": [
		_route(0, ["/orders"], ["a.example.com"], []),
		_route(1, ["/orders"], ["a.example.com", "b.example.com"], []),
		_route(2, ["/orders"], [], []),
	]}
}

test_host_sets_compare_without_order_and_case if {
	count(route_shadowing.deny) == 1 with input as {"routes": [
		_route(0, ["/orders"], ["a.example.com", "B.example.com"], []),
		_route(1, ["/orders"], ["b.example.com", "a.example.com"], []),
	]}
}

test_one_common_path_is_enough if {
	findings := route_shadowing.deny with input as {"routes": [
		_route(0, ["/a", "/b"], [], ["GET"]),
		_route(1, ["/c", "/b"], [], ["GET"]),
	]}
	_pointers(findings) == {"/services/0/routes/1"}
}

test_different_paths_do_not_shadow if {
	count(route_shadowing.deny) == 0 with input as {"routes": [
		_route(0, ["/orders/*"], [], []),
		_route(1, ["/orders/1"], [], []),
	]}
}

test_every_later_route_points_at_the_first if {
	findings := route_shadowing.deny with input as {"routes": [
		_route(2, ["/x"], [], []),
		_route(0, ["/x"], [], []),
		_route(1, ["/x"], [], []),
	]}
	{[f.at.pointer, f.related[0].at.pointer] | some f in findings} == {
		["/services/0/routes/1", "/services/0/routes/0"],
		["/services/0/routes/2", "/services/0/routes/0"],
	}
}

test_order_is_numeric_within_a_file if {
	early := object.union(_route(2, ["/x"], [], []), {"origin": {"file": "f.yaml", "pointer": "/services/2/routes/0", "line": 9, "column": 9}})
	late := object.union(_route(10, ["/x"], [], []), {"origin": {"file": "f.yaml", "pointer": "/services/10/routes/0", "line": 120, "column": 9}})
	findings := route_shadowing.deny with input as {"routes": [late, early]}
	_pointers(findings) == {"/services/10/routes/0"}
}

test_files_are_ordered_before_positions if {
	a := object.union(_route(0, ["/x"], [], []), {"origin": {"file": "a.yaml", "pointer": "/services/0/routes/0", "line": 90, "column": 9}})
	b := object.union(_route(1, ["/x"], [], []), {"origin": {"file": "b.yaml", "pointer": "/services/0/routes/0", "line": 3, "column": 9}})
	findings := route_shadowing.deny with input as {"routes": [b, a]}
	{f.at.file | some f in findings} == {"b.yaml"}
}

test_different_vars_do_not_shadow if {
	canary := object.union(_route(1, ["/orders"], [], []), {"config": {"uris": ["/orders"], "vars": [["http_x_canary", "==", "1"]]}})
	count(route_shadowing.deny) == 0 with input as {"routes": [_route(0, ["/orders"], [], []), canary]}
}

test_a_route_does_not_shadow_itself if {
	count(route_shadowing.deny) == 0 with input as {"routes": [_route(0, ["/x", "/x"], [], ["GET", "GET"])]}
}

test_standalone_route_points_at_uri if {
	a := object.union(object.remove(_route(0, ["/x"], [], []), ["config"]), {"format": "standalone", "config": {"uri": "/x"}})
	b := object.union(object.remove(_route(1, ["/x"], [], []), ["config"]), {"format": "standalone", "config": {"uri": "/x"}})
	{f.field | some f in route_shadowing.deny} == {"uri"} with input as {"routes": [a, b]}
}

# Service `orders` defined twice, in a.yaml and b.yaml: the routes of one copy are
# not compared with those of the other (`ref/duplicate-service` reports the copy).
_copy(file) := {"kind": "service", "id": "svc", "name": "orders", "format": "adc", "config": {"name": "orders"}, "origin": {"file": file, "pointer": "/services/0", "line": 2, "column": 5}}

_in(route, file) := object.union(route, {"origin": object.union(route.origin, {"file": file})})

test_the_copies_of_a_service_defined_twice_do_not_shadow_each_other if {
	first := _in(_route(0, ["/orders"], [], ["GET"]), "a.yaml")
	copied := _in(_route(0, ["/orders"], [], ["GET"]), "b.yaml")
	count(route_shadowing.deny) == 0 with input as {"services": [_copy("a.yaml"), _copy("b.yaml")], "routes": [first, copied]}
	# Within one copy, and against other services, routes still shadow.
	again := _in(_route(1, ["/orders"], [], []), "b.yaml")
	other := object.union(_in(_route(0, ["/orders"], [], ["GET"]), "c.yaml"), {"service_id": "other"})
	other_service := object.union(_copy("c.yaml"), {"id": "other", "name": "other"})
	findings := route_shadowing.deny with input as {"services": [_copy("a.yaml"), _copy("b.yaml"), other_service], "routes": [first, copied, again, other]}
	{[f.at.file, f.at.pointer, f.related[0].at.file] | some f in findings} == {
		["b.yaml", "/services/0/routes/1", "b.yaml"],
		["c.yaml", "/services/0/routes/0", "a.yaml"],
	}
}

package gwlint.rules.duplicate_route_name_test

import rego.v1

import data.gwlint.rules.duplicate_route_name

_route(n, service, name) := {
	"kind": "route", "id": sprintf("r%d", [n]), "name": name, "format": "adc",
	"config": {"name": name, "uris": [sprintf("/r%d", [n])]},
	"origin": {"file": "staging/orders.yaml", "pointer": sprintf("/services/0/routes/%d", [n]), "line": 10 * (n + 1), "column": 9},
	"service_id": service, "paths": [sprintf("/r%d", [n])], "hosts": [], "methods": [], "effective_plugins": {},
}

test_unique_names_pass if {
	count(duplicate_route_name.deny) == 0 with input as {"routes": [_route(0, "svc", "list-orders"), _route(1, "svc", "create-order")]}
}

test_same_name_in_one_service_is_reported_on_the_later_route if {
	first := _route(0, "svc", "orders")
	later := _route(1, "svc", "orders")
	duplicate_route_name.deny == {{
		"msg": "route name `orders` is already used by another route of the same service",
		"at": later.origin,
		"field": "name",
		"related": [{"msg": "the first route named `orders`", "at": first.origin, "field": "name"}],
	}} with input as {"routes": [later, first]}
}

test_same_name_in_different_services_passes if {
	count(duplicate_route_name.deny) == 0 with input as {"routes": [_route(0, "svc-a", "health"), _route(1, "svc-b", "health")]}
}

test_three_routes_with_one_name_give_two_findings_at_the_first if {
	findings := duplicate_route_name.deny with input as {"routes": [_route(0, "svc", "x"), _route(1, "svc", "x"), _route(2, "svc", "x")]}
	{[f.at.pointer, f.related[0].at.pointer] | some f in findings} == {
		["/services/0/routes/1", "/services/0/routes/0"],
		["/services/0/routes/2", "/services/0/routes/0"],
	}
}

test_routes_without_a_service_form_one_group if {
	a := object.remove(_route(0, "x", "orders"), ["service_id"])
	b := object.remove(_route(1, "x", "orders"), ["service_id"])
	c := _route(2, "svc", "orders")
	findings := duplicate_route_name.deny with input as {"routes": [a, b, c]}
	{f.at.pointer | some f in findings} == {"/services/0/routes/1"}
}

test_unnamed_routes_are_ignored if {
	a := object.remove(_route(0, "svc", "x"), ["name"])
	b := object.remove(_route(1, "svc", "x"), ["name"])
	count(duplicate_route_name.deny) == 0 with input as {"routes": [a, b]}
}

# Service `orders` defined twice, in a.yaml and b.yaml: a name used in both copies
# is not reported (`ref/duplicate-service` reports the copy); a name used twice in
# one copy still is, pointing at the first in that copy.
_copy(file) := {"kind": "service", "id": "svc", "name": "orders", "format": "adc", "config": {"name": "orders"}, "origin": {"file": file, "pointer": "/services/0", "line": 2, "column": 5}}

_in(route, file) := object.union(route, {"origin": object.union(route.origin, {"file": file})})

test_the_copies_of_a_service_defined_twice_share_their_names if {
	services := [_copy("a.yaml"), _copy("b.yaml")]
	in_a := _in(_route(0, "svc", "list"), "a.yaml")
	in_b := _in(_route(0, "svc", "list"), "b.yaml")
	count(duplicate_route_name.deny) == 0 with input as {"services": services, "routes": [in_b, in_a]}
	again_in_b := _in(_route(1, "svc", "list"), "b.yaml")
	findings := duplicate_route_name.deny with input as {"services": services, "routes": [in_b, in_a, again_in_b]}
	{[f.at.file, f.at.pointer, f.related[0].at.file, f.related[0].at.pointer] | some f in findings} == {["b.yaml", "/services/0/routes/1", "b.yaml", "/services/0/routes/0"]}
}

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

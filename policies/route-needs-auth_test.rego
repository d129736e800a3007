package gwlint.rules.route_needs_auth_test

import rego.v1

import data.gwlint.rules.route_needs_auth

_origin(n) := {"file": "prod/orders.yaml", "pointer": sprintf("/services/0/routes/%d", [n]), "line": 10 + n, "column": 9}

_plugin(level) := {"config": {}, "level": level, "from": "svc", "origin": {"file": "prod/orders.yaml", "pointer": "/services/0/plugins/x", "line": 5, "column": 7}}

_route(n, config_plugins, effective) := {
	"kind": "route", "id": sprintf("r%d", [n]), "name": sprintf("route-%d", [n]), "format": "adc",
	"config": {"name": sprintf("route-%d", [n]), "uris": ["/orders"], "plugins": config_plugins},
	"origin": _origin(n), "service_id": "svc", "paths": ["/orders"], "hosts": [], "methods": [],
	"effective_plugins": effective,
}

test_route_with_its_own_auth_plugin_passes if {
	count(route_needs_auth.deny) == 0 with input as {"routes": [_route(0, {"key-auth": {}}, {"key-auth": _plugin("route")})]}
}

test_route_protected_only_by_its_service_passes if {
	count(route_needs_auth.deny) == 0 with input as {"routes": [_route(0, {}, {"jwt-auth": _plugin("service")})]}
}

test_route_protected_only_by_a_global_rule_passes if {
	count(route_needs_auth.deny) == 0 with input as {"routes": [_route(0, {}, {"openid-connect": _plugin("global_rule")})]}
}

test_route_without_auth_is_reported_at_its_plugins if {
	route_needs_auth.deny == {{
		"msg": "route `route-0` runs no authentication plugin (none on the route, its plugin config, its service or a global rule)",
		"at": _origin(0),
		"field": "plugins",
		"related": [],
	}} with input as {"routes": [_route(0, {}, {"limit-count": _plugin("service")})]}
}

test_other_plugins_do_not_count_as_auth if {
	count(route_needs_auth.deny) == 1 with input as {"routes": [_route(0, {"prometheus": {}, "consumer-restriction": {}}, {
		"prometheus": _plugin("route"),
		"consumer-restriction": _plugin("route"),
	})]}
}

test_only_unprotected_routes_are_reported if {
	findings := route_needs_auth.deny with input as {"routes": [
		_route(0, {}, {"key-auth": _plugin("service")}),
		_route(1, {}, {}),
		_route(2, {}, {"basic-auth": _plugin("plugin_config")}),
	]}
	{f.at.pointer | some f in findings} == {"/services/0/routes/1"}
}

test_route_switching_off_inherited_auth_points_at_the_switch if {
	route_needs_auth.deny == {{
		"msg": "route `route-0` switches off `key-auth` with `_meta.disable` and runs no other authentication plugin",
		"at": _origin(0),
		"field": ["plugins", "key-auth"],
	}} with input as {"routes": [_route(0, {"key-auth": {"_meta": {"disable": true}}}, {})]}
}

test_switched_off_auth_is_fine_when_another_auth_runs if {
	count(route_needs_auth.deny) == 0 with input as {"routes": [_route(0, {"key-auth": {"_meta": {"disable": true}}}, {"jwt-auth": _plugin("service")})]}
}

test_auth_plugins_parameter_replaces_the_default_list if {
	params := {"route-needs-auth": {"auth_plugins": ["my-sso"]}}
	count(route_needs_auth.deny) == 0 with input as {"params": params, "routes": [_route(0, {}, {"my-sso": _plugin("service")})]}
	count(route_needs_auth.deny) == 1 with input as {"params": params, "routes": [_route(0, {}, {"key-auth": _plugin("service")})]}
}

test_unnamed_standalone_route_is_named_by_its_id if {
	route := {
		"kind": "route", "id": "1", "format": "standalone", "config": {"uri": "/x"},
		"origin": {"file": "apisix.yaml", "pointer": "/routes/0", "line": 2, "column": 5},
		"paths": ["/x"], "hosts": [], "methods": [], "effective_plugins": {},
	}
	some finding in route_needs_auth.deny with input as {"routes": [route]}
	contains(finding.msg, "route `1`")
}

test_no_routes_no_findings if {
	count(route_needs_auth.deny) == 0 with input as {"routes": []}
}

test_auth_switched_off_on_the_service_is_shown_as_related if {
	service := {
		"kind": "service", "id": "svc", "name": "orders", "format": "adc",
		"config": {"name": "orders", "plugins": {"key-auth": {"_meta": {"disable": true}}, "limit-count": {"count": 1, "time_window": 1}}},
		"origin": {"file": "prod/orders.yaml", "pointer": "/services/0", "line": 2, "column": 5},
	}
	doc := {"services": [service], "routes": [_route(0, {}, {"limit-count": _plugin("service")})]}
	some finding in route_needs_auth.deny with input as doc
	finding.related == [{
		"msg": "`key-auth` is switched off here (service `orders`)",
		"at": {"file": "prod/orders.yaml", "pointer": "/services/0/plugins/key-auth"},
		"field": ["_meta", "disable"],
	}]
}

test_auth_switched_off_in_a_global_rule_is_shown_as_related if {
	rule := {
		"kind": "global_rule", "id": "basic-auth", "name": "basic-auth", "format": "adc",
		"config": {"id": "basic-auth", "plugins": {"basic-auth": {"_meta": {"disable": true}}}},
		"origin": {"file": "prod/global.yaml", "pointer": "/global_rules/basic-auth", "line": 2, "column": 3},
	}
	route := object.remove(_route(0, {}, {}), ["service_id"])
	some finding in route_needs_auth.deny with input as {"global_rules": [rule], "routes": [route]}
	[r.at.pointer | some r in finding.related] == ["/global_rules/basic-auth"]
}

# Service `svc` defined twice: a.yaml switches key-auth off, b.yaml has no plugins.
# A route of b.yaml shows what its own service switches off (nothing), not what
# the other copy does.
_copy(file, plugins) := {"kind": "service", "id": "svc", "name": "orders", "format": "adc", "config": {"name": "orders", "plugins": plugins}, "origin": {"file": file, "pointer": "/services/0", "line": 2, "column": 5}}

test_a_route_of_a_service_defined_twice_shows_its_own_service if {
	services := [_copy("a.yaml", {"key-auth": {"_meta": {"disable": true}}}), _copy("b.yaml", {})]
	route := object.union(_route(0, {}, {}), {"origin": object.union(_origin(0), {"file": "b.yaml"})})
	[f.related | some f in route_needs_auth.deny] == [[]] with input as {"services": services, "routes": [route]}
	in_a := object.union(route, {"origin": object.union(_origin(0), {"file": "a.yaml"})})
	[[r.at.file, r.at.pointer] | some f in route_needs_auth.deny; some r in f.related] == [["a.yaml", "/services/0/plugins/key-auth"]] with input as {"services": services, "routes": [in_a]}
}

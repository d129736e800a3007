package gwlint.rules.route_needs_rate_limit_test

import rego.v1

import data.gwlint.rules.route_needs_rate_limit

_origin(n) := {"file": "prod/orders.yaml", "pointer": sprintf("/services/0/routes/%d", [n]), "line": 10 + n, "column": 9}

_plugin(level) := {"config": {"count": 10, "time_window": 60}, "level": level, "from": "svc", "origin": {"file": "prod/orders.yaml", "pointer": "/services/0/plugins/x", "line": 5, "column": 7}}

_route(n, config_plugins, effective) := {
	"kind": "route", "id": sprintf("r%d", [n]), "name": sprintf("route-%d", [n]), "format": "adc",
	"config": {"name": sprintf("route-%d", [n]), "uris": ["/orders"], "plugins": config_plugins},
	"origin": _origin(n), "service_id": "svc", "paths": ["/orders"], "hosts": [], "methods": [],
	"effective_plugins": effective,
}

test_route_with_its_own_limit_passes if {
	count(route_needs_rate_limit.warn) == 0 with input as {"routes": [_route(0, {"limit-req": {}}, {"limit-req": _plugin("route")})]}
}

test_limits_from_service_plugin_config_and_global_rules_count if {
	count(route_needs_rate_limit.warn) == 0 with input as {"routes": [
		_route(0, {}, {"limit-count": _plugin("service")}),
		_route(1, {}, {"limit-conn": _plugin("plugin_config")}),
		_route(2, {}, {"ai-rate-limiting": _plugin("global_rule")}),
	]}
}

test_route_without_limit_is_reported if {
	route_needs_rate_limit.warn == {{
		"msg": "route `route-0` runs no rate-limiting plugin (none on the route, its plugin config, its service or a global rule)",
		"at": _origin(0),
		"field": "plugins",
		"related": [],
	}} with input as {"routes": [_route(0, {}, {"key-auth": _plugin("service")})]}
}

test_route_switching_off_inherited_limit_points_at_the_switch if {
	route_needs_rate_limit.warn == {{
		"msg": "route `route-0` switches off `limit-count` with `_meta.disable` and runs no other rate-limiting plugin",
		"at": _origin(0),
		"field": ["plugins", "limit-count"],
	}} with input as {"routes": [_route(0, {"limit-count": {"_meta": {"disable": true}}}, {"key-auth": _plugin("service")})]}
}

test_rate_limit_plugins_parameter_replaces_the_default_list if {
	params := {"route-needs-rate-limit": {"rate_limit_plugins": ["traffic-split-quota"]}}
	count(route_needs_rate_limit.warn) == 1 with input as {"params": params, "routes": [_route(0, {}, {"limit-count": _plugin("service")})]}
	count(route_needs_rate_limit.warn) == 0 with input as {"params": params, "routes": [_route(0, {}, {"traffic-split-quota": _plugin("service")})]}
}

test_route_without_effective_plugins_field_is_reported if {
	route := object.remove(_route(0, {}, {}), ["effective_plugins"])
	count(route_needs_rate_limit.warn) == 1 with input as {"routes": [route]}
}

test_limit_switched_off_in_the_plugin_config_is_shown_as_related if {
	config := {
		"kind": "plugin_config", "id": "pc", "format": "standalone",
		"config": {"id": "pc", "plugins": {"limit-req": {"rate": 1, "burst": 1, "key": "remote_addr", "_meta": {"disable": true}}}},
		"origin": {"file": "prod/apisix.yaml", "pointer": "/plugin_configs/0", "line": 9, "column": 5},
	}
	route := object.union(_route(0, {}, {}), {"plugin_config_id": "pc"})
	some finding in route_needs_rate_limit.warn with input as {"plugin_configs": [config], "routes": [route]}
	[[r.at.pointer, r.field] | some r in finding.related] == [["/plugin_configs/0/plugins/limit-req", ["_meta", "disable"]]]
}

package gwlint.rules.undeclared_variable_test

import rego.v1

import data.gwlint.rules.undeclared_variable

_upstream(host) := {
	"kind": "upstream", "id": "svc", "format": "adc",
	"config": {"nodes": [{"host": host, "port": 8080, "weight": 100}]},
	"origin": {"file": "prod/orders.yaml", "pointer": "/services/0/upstream", "line": 4, "column": 7},
}

_declared(names) := {"undeclared-variable": {"declared": names}}

test_declared_variable_passes if {
	count(undeclared_variable.warn) == 0 with input as {"environment": "prod", "params": _declared(["ORDERS_HOST"]), "upstreams": [_upstream("${ORDERS_HOST}")]}
}

test_undeclared_variable_is_reported_at_its_string if {
	upstream := _upstream("${ORDER_HOST}")
	undeclared_variable.warn == {{
		"msg": "`${ORDER_HOST}` is not a declared variable of environment `prod`; ADC replaces an unset variable with an empty string",
		"at": upstream.origin,
		"field": ["nodes", 0, "host"],
	}} with input as {"environment": "prod", "params": _declared(["ORDERS_HOST"]), "upstreams": [upstream]}
}

test_without_declarations_every_placeholder_is_reported if {
	findings := undeclared_variable.warn with input as {"environment": "prod", "upstreams": [_upstream("${A}.${B}.example.com")]}
	count(findings) == 2
}

test_escaped_dotted_and_data_plane_references_are_ignored if {
	doc := {"environment": "prod", "upstreams": [
		_upstream("\\${ESCAPED}"),
		_upstream("${http_x_user.limit}"),
		_upstream("$env://HOST"),
		_upstream("$secret://vault/x/y"),
		_upstream("${}"),
	]}
	count(undeclared_variable.warn) == 0 with input as doc
}

test_escaped_next_to_real_placeholder if {
	findings := undeclared_variable.warn with input as {"environment": "prod", "upstreams": [_upstream("\\${KEEP}${REAL}")]}
	{f.msg | some f in findings} == {"`${REAL}` is not a declared variable of environment `prod`; ADC replaces an unset variable with an empty string"}
}

test_adjacent_placeholders_are_both_found if {
	findings := undeclared_variable.warn with input as {"environment": "prod", "upstreams": [_upstream("${A}${B}")]}
	count(findings) == 2
}

test_deeply_nested_strings_are_found if {
	route := {
		"kind": "route", "id": "r", "name": "r", "format": "adc",
		"config": {"plugins": {"proxy-rewrite": {"headers": {"set": {"X-Tenant": "${TENANT}"}}}}, "vars": [["http_x", "==", "${V}"]]},
		"origin": {"file": "prod/orders.yaml", "pointer": "/services/0/routes/0", "line": 9, "column": 9},
	}
	findings := undeclared_variable.warn with input as {"environment": "prod", "routes": [route]}
	{f.field | some f in findings} == {["plugins", "proxy-rewrite", "headers", "set", "X-Tenant"], ["vars", 0, 2]}
}

test_adc_global_rule_field_is_relative_to_the_plugin if {
	rule := {
		"kind": "global_rule", "id": "http-logger", "name": "http-logger", "format": "adc",
		"config": {"id": "http-logger", "plugins": {"http-logger": {"uri": "https://${LOG_HOST}/ingest"}}},
		"origin": {"file": "prod/global.yaml", "pointer": "/global_rules/http-logger", "line": 2, "column": 3},
	}
	findings := undeclared_variable.warn with input as {"environment": "prod", "global_rules": [rule]}
	{[f.at.pointer, f.field] | some f in findings} == {["/global_rules/http-logger", ["uri"]]}
}

test_model_fields_are_not_reported_twice if {
	credential := {
		"kind": "credential", "id": "c", "name": "primary", "format": "adc",
		"config": {"name": "primary", "type": "key-auth", "config": {"key": "$env://K"}, "consumer": "${TEAM}-app"},
		"origin": {"file": "prod/consumers.yaml", "pointer": "/consumers/0/credentials/0", "line": 4, "column": 9},
	}
	consumer := {
		"kind": "consumer", "id": "${TEAM}-app", "name": "${TEAM}-app", "format": "adc",
		"config": {"username": "${TEAM}-app"},
		"origin": {"file": "prod/consumers.yaml", "pointer": "/consumers/0", "line": 2, "column": 5},
	}
	findings := undeclared_variable.warn with input as {"environment": "prod", "consumers": [consumer], "credentials": [credential]}
	{[f.at.pointer, f.field] | some f in findings} == {["/consumers/0", ["username"]]}
}

test_all_resource_kinds_are_scanned if {
	doc := {"environment": "prod", "ssls": [{
		"kind": "ssl", "id": "s", "format": "adc", "config": {"snis": ["${SNI}"]},
		"origin": {"file": "prod/ssl.yaml", "pointer": "/ssls/0", "line": 2, "column": 5},
	}], "plugin_metadata": [{
		"kind": "plugin_metadata", "id": "http-logger", "format": "adc", "config": {"log_format": {"host": "${LOGHOST}"}},
		"origin": {"file": "prod/meta.yaml", "pointer": "/plugin_metadata/http-logger", "line": 2, "column": 3},
	}]}
	count(undeclared_variable.warn) == 2 with input as doc
}

# `value` nested `levels` objects deep: {"k": {"k": ... value}}.
_deep(value, levels) := json.unmarshal(concat("", [
	concat("", [`{"k":` | some _ in numbers.range(1, levels)]),
	json.marshal(value),
	concat("", ["}" | some _ in numbers.range(1, levels)]),
]))

test_strings_are_found_down_to_sixteen_levels if {
	upstream := {"kind": "upstream", "id": "u", "format": "adc", "origin": {"file": "f.yaml", "pointer": "/services/0/upstream", "line": 1, "column": 1}}
	at_16 := object.union(upstream, {"config": _deep("${DEEP}", 16)})
	at_17 := object.union(upstream, {"config": _deep("${DEEPER}", 17)})
	count(undeclared_variable.warn) == 1 with input as {"environment": "prod", "upstreams": [at_16]}
	count(undeclared_variable.warn) == 0 with input as {"environment": "prod", "upstreams": [at_17]}
}

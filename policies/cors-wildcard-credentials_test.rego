package gwlint.rules.cors_wildcard_credentials_test

import rego.v1

import data.gwlint.rules.cors_wildcard_credentials

_service(plugins) := {
	"kind": "service", "id": "svc", "name": "accounts", "format": "adc",
	"config": {"name": "accounts", "plugins": plugins},
	"origin": {"file": "prod/accounts.yaml", "pointer": "/services/0", "line": 2, "column": 5},
}

_service_cors_at := {"file": "prod/accounts.yaml", "pointer": "/services/0/plugins/cors"}

test_listed_origins_with_credentials_pass if {
	count(cors_wildcard_credentials.deny) == 0 with input as {"services": [_service({"cors": {
		"allow_credential": true,
		"allow_origins": "https://app.example.com,https://admin.example.com",
	}})]}
}

test_wildcard_without_credentials_passes if {
	count(cors_wildcard_credentials.deny) == 0 with input as {"services": [_service({"cors": {"allow_origins": "*"}})]}
	count(cors_wildcard_credentials.deny) == 0 with input as {"services": [_service({"cors": {"allow_origins": "*", "allow_credential": false}})]}
}

test_star_with_credentials_is_left_to_the_schema_stage if {
	# APISIX refuses `*` (also as allow_origins' default) with credentials: schema/cors.
	count(cors_wildcard_credentials.deny) == 0 with input as {"services": [_service({"cors": {"allow_credential": true, "allow_origins": "*"}})]}
	count(cors_wildcard_credentials.deny) == 0 with input as {"services": [_service({"cors": {"allow_credential": true}})]}
}

test_double_star_with_credentials_is_reported_at_allow_origins if {
	cors_wildcard_credentials.deny == {{
		"msg": "cors on service `accounts` sets `allow_credential: true` with `allow_origins: \"**\"`, which reflects any origin with credentials",
		"at": _service_cors_at,
		"field": ["allow_origins"],
	}} with input as {"services": [_service({"cors": {"allow_credential": true, "allow_origins": "**"}})]}
}

test_disabled_cors_is_skipped if {
	count(cors_wildcard_credentials.deny) == 0 with input as {"services": [_service({"cors": {"allow_credential": true, "allow_origins": "**", "_meta": {"disable": true}}})]}
}

test_adc_global_rule_is_reported_at_its_own_entry if {
	rule := {
		"kind": "global_rule", "id": "cors", "name": "cors", "format": "adc",
		"config": {"id": "cors", "plugins": {"cors": {"allow_credential": true, "allow_origins": "**"}}},
		"origin": {"file": "prod/global.yaml", "pointer": "/global_rules/cors", "line": 2, "column": 3},
	}
	findings := cors_wildcard_credentials.deny with input as {"global_rules": [rule]}
	{[f.at.pointer, f.field] | some f in findings} == {["/global_rules/cors", ["allow_origins"]]}
}

_route(n) := {
	"kind": "route", "id": sprintf("r%d", [n]), "name": sprintf("r%d", [n]), "format": "adc",
	"config": {"name": sprintf("r%d", [n]), "uris": ["/x"]},
	"origin": {"file": "prod/accounts.yaml", "pointer": sprintf("/services/0/routes/%d", [n]), "line": 9, "column": 9},
	"effective_plugins": {"cors": {"config": {"allow_credential": true, "allow_origins": "**"}, "level": "service", "from": "svc", "origin": {"file": "prod/accounts.yaml", "pointer": "/services/0/plugins/cors", "line": 5, "column": 9}}},
}

test_inherited_configuration_is_reported_once_where_written if {
	findings := cors_wildcard_credentials.deny with input as {"services": [_service({"cors": {"allow_credential": true, "allow_origins": "**"}})], "routes": [_route(0), _route(1), _route(2)]}
	{f.at.pointer | some f in findings} == {"/services/0/plugins/cors"}
	count(findings) == 1
}

test_route_and_plugin_config_cors_are_checked if {
	route := {
		"kind": "route", "id": "1", "format": "standalone", "config": {"uri": "/x", "plugins": {"cors": {"allow_credential": true, "allow_origins": "**"}}},
		"origin": {"file": "prod/apisix.yaml", "pointer": "/routes/0", "line": 2, "column": 5},
	}
	config := {
		"kind": "plugin_config", "id": "pc", "format": "standalone", "config": {"id": "pc", "plugins": {"cors": {"allow_credential": true, "allow_origins": "**"}}},
		"origin": {"file": "prod/apisix.yaml", "pointer": "/plugin_configs/0", "line": 12, "column": 5},
	}
	findings := cors_wildcard_credentials.deny with input as {"routes": [route], "plugin_configs": [config]}
	{f.at.pointer | some f in findings} == {"/routes/0/plugins/cors", "/plugin_configs/0/plugins/cors"}
}

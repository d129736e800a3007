package gwlint.rules.plaintext_credential_test

import rego.v1

import data.gwlint.rules.plaintext_credential

_credential(type, config) := {
	"kind": "credential", "id": "c1", "name": "primary", "format": "adc",
	"config": {"name": "primary", "type": type, "config": config, "consumer": "partner"},
	"origin": {"file": "prod/consumers.yaml", "pointer": "/consumers/0/credentials/0", "line": 5, "column": 9},
}

_consumer(plugins) := {
	"kind": "consumer", "id": "legacy", "name": "legacy", "format": "standalone",
	"config": {"username": "legacy", "plugins": plugins},
	"origin": {"file": "prod/apisix.yaml", "pointer": "/consumers/0", "line": 2, "column": 5},
}

test_references_pass if {
	count(plaintext_credential.warn) == 0 with input as {"credentials": [
		_credential("key-auth", {"key": "$env://PARTNER_KEY"}),
		_credential("basic-auth", {"username": "partner", "password": "$secret://vault/partner/password"}),
		_credential("hmac-auth", {"key_id": "partner", "secret_key": "${PARTNER_HMAC}"}),
		_credential("jwt-auth", {"key": "partner", "secret": "prefix-${JWT_SECRET}"}),
	]}
}

test_literal_key_is_reported_without_its_value if {
	credential := _credential("key-auth", {"key": "9f2c1e7a4b"})
	findings := plaintext_credential.warn with input as {"credentials": [credential]}
	findings == {{
		"msg": "credential `primary` of consumer `partner` has a literal `key` (key-auth): write a reference such as `$env://...` or `$secret://...` instead",
		"at": credential.origin,
		"field": ["config", "key"],
	}}
	every f in findings {
		not contains(json.marshal(f), "9f2c1e7a4b")
	}
}

test_jwt_key_is_an_identifier_not_a_secret if {
	count(plaintext_credential.warn) == 0 with input as {"credentials": [_credential("jwt-auth", {"key": "partner-app", "secret": "$env://JWT"})]}
	findings := plaintext_credential.warn with input as {"credentials": [_credential("jwt-auth", {"key": "partner-app", "secret": "hunter2hunter2"})]}
	{concat(".", f.field) | some f in findings} == {"config.secret"}
}

test_consumer_auth_plugins_are_checked if {
	consumer := _consumer({"basic-auth": {"username": "legacy", "password": "hunter2"}, "limit-count": {"count": 10, "time_window": 60, "key": "remote_addr"}})
	findings := plaintext_credential.warn with input as {"consumers": [consumer]}
	{[f.at.pointer, concat(".", f.field)] | some f in findings} == {["/consumers/0", "plugins.basic-auth.password"]}
}

test_standalone_credential_plugins_are_checked if {
	credential := {
		"kind": "credential", "id": "legacy/credentials/a", "format": "standalone",
		"config": {"id": "legacy/credentials/a", "plugins": {"key-auth": {"key": "abc123"}}},
		"origin": {"file": "prod/apisix.yaml", "pointer": "/consumers/1", "line": 6, "column": 5},
	}
	findings := plaintext_credential.warn with input as {"credentials": [credential]}
	{concat(".", f.field) | some f in findings} == {"plugins.key-auth.key"}
}

test_escaped_placeholder_is_a_literal if {
	count(plaintext_credential.warn) == 1 with input as {"credentials": [_credential("key-auth", {"key": "\\${NOT_A_VAR}"})]}
}

test_empty_and_non_string_values_are_skipped if {
	count(plaintext_credential.warn) == 0 with input as {"credentials": [
		_credential("basic-auth", {"username": "u", "password": ""}),
		_credential("hmac-auth", {"key_id": "k", "secret_key": 12345}),
	]}
}

test_nested_and_listed_secrets_are_found if {
	credential := _credential("openid-like", {"session": {"secret": "s3cr3t-s3cr3t-s3cr3t"}, "token": ["t1", "$env://T2"]})
	findings := plaintext_credential.warn with input as {"credentials": [credential]}
	{concat(".", [sprintf("%v", [p]) | some p in f.field]) | some f in findings} == {"config.session.secret", "config.token.0"}
}

test_secret_fields_parameter_replaces_the_default_list if {
	params := {"plaintext-credential": {"secret_fields": ["passphrase"], "plugin_secret_fields": {}, "encrypt_fields": false}}
	doc := {"params": params, "credentials": [_credential("custom-auth", {"passphrase": "x1", "password": "x2"}), _credential("key-auth", {"key": "x3"})]}
	findings := plaintext_credential.warn with input as doc
	{concat(".", f.field) | some f in findings} == {"config.passphrase"}
}

_route(plugins) := {
	"kind": "route", "id": "r1", "name": "orders", "format": "adc",
	"config": {"name": "orders", "uris": ["/orders"], "plugins": plugins},
	"origin": {"file": "prod/services.yaml", "pointer": "/services/0/routes/0", "line": 9, "column": 9},
}

test_every_plugin_by_its_encrypt_fields if {
	route := _route({
		"openid-connect": {"client_id": "app", "client_secret": "s3cr3t", "session": {"secret": "0123456789abcdef"}},
		"kafka-logger": {"brokers": [{"host": "k", "port": 9092, "sasl_config": {"user": "u", "password": "pw"}}]},
		"limit-req": {"rate": 1, "burst": 1, "key": "remote_addr"},
	})
	findings := plaintext_credential.warn with input as {"routes": [route]}
	{concat(".", [sprintf("%v", [s]) | some s in f.field]) | some f in findings} == {
		"plugins.openid-connect.client_secret",
		"plugins.openid-connect.session.secret",
		"plugins.kafka-logger.brokers.0.sasl_config.password",
	}
}

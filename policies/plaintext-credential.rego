# METADATA
# title: Credential written as a literal
# description: |
#   ## What it checks
#   Secret values must not be written into the configuration. The rule looks at
#   ADC credentials (`consumers[].credentials[].config`), standalone credentials, and
#   the plugins of consumers, routes, services, plugin configs, global rules,
#   consumer groups and stream routes (both formats). A string is a secret when its
#   field is in the `secret_fields` parameter (`password`, `secret`, `secret_key`,
#   `private_key`, `client_secret`, ...), in the plugin's `plugin_secret_fields`,
#   or is one the plugin stores encrypted: APISIX's `encrypt_fields` of every
#   plugin (openid-connect's `client_secret` and `session.secret`, the loggers'
#   passwords and auth headers, redis passwords, key-auth's `key`, ...), read from
#   the schemas gwlint extracts from APISIX (`data.gwlint_builtin.encrypt_fields`;
#   the `encrypt_fields: false` parameter turns this off). It is reported when it
#   is not a reference: `$env://NAME`, `$secret://...`, or a string containing a
#   `${VAR}` placeholder that ADC fills in at sync time. A field merely called
#   `key` is not a secret (limit-req's `key: remote_addr`, jwt-auth's consumer
#   `key`). Findings never show the value.
#   ## Why it matters
#   Configuration lives in git: a literal API key or password is readable by everyone
#   with access to the repository, its forks and its CI logs, stays in the history
#   after it is removed, and cannot be rotated without a commit. References keep the
#   secret in the environment or a secret manager.
#   ## Severity
#   `warning`: the literal is readable by everyone with access to the repository,
#   but it changes nothing the gateway does, and the rule cannot tell a real
#   secret from a placeholder or a test value. It does not fail the run by
#   default; `--fail-on warning`, or `severity: error` in `.gwlint.yaml` for
#   production, makes it.
#   ## Bad
#   ```yaml
#   consumers:
#     - username: partner
#       credentials:
#         - name: primary
#           type: key-auth
#           config:
#             key: 9f2c1e7a4b
#   ```
#   ## Good
#   ```yaml
#   consumers:
#     - username: partner
#       credentials:
#         - name: primary
#           type: key-auth
#           config:
#             key: $secret://vault/partner/key
#   ```
# custom:
#   id: plaintext-credential
#   severity: warning
#   help: replace the literal with `$env://NAME`, `$secret://<manager>/<id>/<key>`, or a `${VAR}` that ADC fills in at sync time
#   params:
#     secret_fields:
#       - password
#       - secret
#       - secret_key
#       - private_key
#       - client_secret
#       - client_key
#       - client_rsa_private_key
#       - token
#       - access_token
#       - refresh_token
#     plugin_secret_fields:
#       key-auth: [key]
#     encrypt_fields: true
package gwlint.rules.plaintext_credential

import rego.v1

import data.gwlint.lib

default_secret_fields := [
	"password", "secret", "secret_key", "private_key", "client_secret", "client_key",
	"client_rsa_private_key", "token", "access_token", "refresh_token",
]

secret_fields := {f | some f in lib.param("plaintext-credential", "secret_fields", default_secret_fields)}

plugin_secret_fields := lib.param("plaintext-credential", "plugin_secret_fields", {"key-auth": ["key"]})

warn contains finding if {
	some site in _sites
	some leaf in lib.string_leaves(site.conf)
	[path, value] := leaf
	field := _field_name(path)
	_is_secret(site.plugin, field, path)
	value != ""
	not lib.is_reference(value)
	location := lib.config_location(site.obj, array.concat(site.prefix, path))
	finding := {
		"msg": sprintf("%s has a literal `%s` (%s): write a reference such as `$env://...` or `$secret://...` instead", [site.what, field, site.plugin]),
		"at": location.at,
		"field": location.field,
	}
}

# `{"obj", "plugin", "conf", "prefix" (field path of conf below obj), "what"}`
_sites := array.concat(_adc_credential_sites, _plugin_sites)

_adc_credential_sites := [site |
	some c in object.get(input, "credentials", [])
	lib.is_adc(c)
	is_string(c.config.type)
	is_object(c.config.config)
	site := {
		"obj": c, "plugin": c.config.type, "conf": c.config.config, "prefix": ["config"],
		"what": sprintf("credential `%s` of consumer `%s`", [lib.label(c), object.get(c.config, "consumer", "?")]),
	}
]

_plugin_sites := [site |
	some list in ["credentials", "consumers", "routes", "services", "plugin_configs", "global_rules", "consumer_groups", "stream_routes"]
	some obj in object.get(input, list, [])
	some plugin, conf in object.get(obj, ["config", "plugins"], {})
	is_object(conf)
	site := {"obj": obj, "plugin": plugin, "conf": conf, "prefix": ["plugins", plugin], "what": sprintf("%s `%s`", [obj.kind, lib.label(obj)])}
]

# The key a string sits under (for an item of an array, the array's key).
_field_name(path) := path[count(path) - 1] if is_string(path[count(path) - 1])

_field_name(path) := path[count(path) - 2] if {
	is_number(path[count(path) - 1])
	count(path) >= 2
	is_string(path[count(path) - 2])
}

_is_secret(_, field, _) if field in secret_fields

_is_secret(plugin, field, _) if field in object.get(plugin_secret_fields, plugin, [])

# A field the plugin stores encrypted (APISIX's `encrypt_fields`, dotted paths that
# pass through arrays), or anything inside one.
_is_secret(plugin, _, path) if {
	lib.param("plaintext-credential", "encrypt_fields", true)
	names := [step | some step in path; is_string(step)]
	some field in object.get(data.gwlint_builtin.encrypt_fields, plugin, [])
	parts := split(field, ".")
	count(names) >= count(parts)
	array.slice(names, 0, count(parts)) == parts
}

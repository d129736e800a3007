# METADATA
# title: CORS must not allow credentials from any origin
# description: |
#   ## What it checks
#   Every `cors` plugin configuration (on routes, services, plugin configs, global
#   rules, consumers and consumer groups) with `allow_credential: true` and
#   `allow_origins: "**"`. APISIX accepts `**` with credentials and then reflects
#   any origin. Each configuration is reported once, where it is written, even
#   when many routes inherit it. Configurations switched off with
#   `_meta.disable: true` are skipped. `allow_origins: "*"` (or no
#   `allow_origins`, whose default is `*`) with credentials is not this rule's:
#   APISIX refuses it when it loads the configuration ("you can not set '*' for
#   other option when 'allow_credential' is true"), so the schema stage reports
#   it as `schema/cors`, once.
#   ## Why it matters
#   With credentials allowed for every origin, any web site a logged-in user visits
#   can call the API with the user's cookies or auth headers and read the answer.
#   ## Severity
#   `error`: `**` with credentials lets every web site read the API's answers
#   with the user's credentials: it exposes something.
#   ## Bad
#   ```yaml
#   services:
#     - name: accounts
#       plugins:
#         cors:
#           allow_credential: true
#           allow_origins: "**"
#           allow_methods: GET,POST
#           allow_headers: Authorization,Content-Type
#   ```
#   ## Good
#   ```yaml
#   services:
#     - name: accounts
#       plugins:
#         cors:
#           allow_credential: true
#           allow_origins: https://app.example.com
#           allow_methods: GET,POST
#           allow_headers: Authorization,Content-Type
#   ```
# custom:
#   id: cors-wildcard-credentials
#   severity: error
#   help: list the trusted origins in `allow_origins` (e.g. `https://app.example.com`), or drop `allow_credential`
#   params: {}
package gwlint.rules.cors_wildcard_credentials

import rego.v1

import data.gwlint.lib

deny contains finding if {
	wildcards := _wildcards
	some list in _carrier_lists
	some obj in input[list]
	conf := obj.config.plugins.cors
	conf.allow_credential == true
	origins := object.get(conf, "allow_origins", "*")
	origins in wildcards
	not conf._meta.disable == true
	message := _problem(origins)
	finding := {
		"msg": sprintf("cors on %s `%s` %s", [replace(obj.kind, "_", " "), lib.label(obj), message]),
		"at": lib.plugin_at(obj, "cors"),
		"field": ["allow_origins"],
	}
}

# The lists of objects that can carry plugins. (Kept in this package: on regorus'
# virtual machine, reading it from the library package costs about twice as much.)
_carrier_lists := ["routes", "services", "plugin_configs", "global_rules", "consumers", "consumer_groups", "stream_routes"]

# The `allow_origins` value that opens CORS to every origin and that APISIX accepts
# with credentials (`*` it refuses: that is `schema/cors`).
_wildcards := {"**"}

_problem("**") := "sets `allow_credential: true` with `allow_origins: \"**\"`, which reflects any origin with credentials"

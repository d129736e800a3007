# METADATA
# title: Variable placeholder not declared for the environment
# description: |
#   ## What it checks
#   Every `${VAR}` placeholder (ADC's syntax: letters, digits and `_` between the
#   braces) in a string value of any resource must name a variable declared for the
#   environment. gwlint fills the `declared` parameter from the environment's
#   `variables:` list in `.gwlint.yaml`; without one, every placeholder is reported.
#   Escaped placeholders (`\${VAR}`), dotted names such as `${http_x_user.limit}`
#   and data-plane references (`$env://`, `$secret://`) are not ADC variables and
#   are left alone.
#   ## Why it matters
#   ADC replaces an unset variable with an empty string without any warning, so a
#   typo in a variable name, or a variable that exists in staging but not in the
#   production pipeline, becomes an empty host, key or header at sync time.
#   Declaring each environment's variables turns that into a review-time finding.
#   ## Severity
#   `warning`: ADC turns an unset variable into an empty string, which breaks the
#   field it is in, but gwlint cannot see the variables the deployment sets;
#   declaring them in `.gwlint.yaml` makes the rule exact.
#   ## Bad
#   ```yaml
#   # .gwlint.yaml declares `variables: [ORDERS_HOST]` for production
#   services:
#     - name: orders
#       upstream:
#         nodes: [{host: "${ORDER_HOST}", port: 8080, weight: 100}]
#   ```
#   ## Good
#   ```yaml
#   services:
#     - name: orders
#       upstream:
#         nodes: [{host: "${ORDERS_HOST}", port: 8080, weight: 100}]
#   ```
# custom:
#   id: undeclared-variable
#   severity: warning
#   help: declare the variable in the environment's `variables` list in .gwlint.yaml, or fix its name
#   params:
#     declared: []
package gwlint.rules.undeclared_variable

import rego.v1

import data.gwlint.lib

declared := {v | some v in lib.param("undeclared-variable", "declared", [])}

warn contains finding if {
	some list in _resource_lists
	some obj in input[list]
	contains(json.marshal(obj.config), "${")
	some leaf in lib.string_leaves(obj.config)
	not _synthetic(obj, leaf[0])
	some name in lib.placeholders(leaf[1])
	not name in declared
	location := lib.config_location(obj, leaf[0])
	finding := {
		"msg": sprintf("`${%s}` is not a declared variable of environment `%s`; ADC replaces an unset variable with an empty string", [name, object.get(input, "environment", "?")]),
		"at": location.at,
		"field": location.field,
	}
}

# Every list of model objects that carry a `config`. (Kept in this package: on
# regorus' virtual machine, reading a rule of the library package in the loop costs
# about twice as much.)
_resource_lists := [
	"services", "routes", "stream_routes", "upstreams", "consumers", "credentials",
	"consumer_groups", "ssls", "global_rules", "plugin_configs", "plugin_metadata",
]

# Fields the model adds to ADC objects (not written in the file): a credential's
# `consumer` and a global rule's `id`.
_synthetic(obj, ["consumer"]) if {
	obj.kind == "credential"
	lib.is_adc(obj)
}

_synthetic(obj, ["id"]) if lib.adc_global_rule(obj)

# METADATA
# title: Reference to a resource that does not exist
# description: |
#   ## What it checks
#   In APISIX standalone files, resources refer to each other by id. Every reference
#   must name a resource of the environment: a route's `service_id`, `upstream_id`
#   and `plugin_config_id`; a service's `upstream_id`; a stream route's
#   `service_id` and `upstream_id`; a consumer's `group_id` (a consumer group); an
#   upstream's `tls.client_cert_id` (an SSL); and the `<username>` part of a
#   credential id `<username>/credentials/<id>` (a consumer). Numeric ids (`id: 1`)
#   match their string form. ADC files nest resources instead of referring to them,
#   so they cannot dangle.
#   ## Why it matters
#   The standalone loader does not check references (the Admin API would refuse
#   them). APISIX loads the file and the route fails at request time: a missing
#   upstream answers 502/503, a missing plugin config or consumer group silently
#   drops the plugins the route relied on, such as authentication or rate limits.
#   ## Bad
#   ```yaml
#   routes:
#     - id: orders
#       uri: /orders
#       upstream_id: orders-v2
#   upstreams:
#     - id: orders
#       nodes: {"orders.svc:8080": 1}
#   #END
#   ```
#   ## Good
#   ```yaml
#   routes:
#     - id: orders
#       uri: /orders
#       upstream_id: orders
#   upstreams:
#     - id: orders
#       nodes: {"orders.svc:8080": 1}
#   #END
#   ```
# custom:
#   id: dangling-reference
#   severity: error
#   help: point the reference at an existing resource id, or add the missing resource
#   params: {}
package gwlint.rules.dangling_reference

import rego.v1

import data.gwlint.lib

# `[referring list, field path, referenced list]`
references := [
	["routes", ["service_id"], "services"],
	["routes", ["upstream_id"], "upstreams"],
	["routes", ["plugin_config_id"], "plugin_configs"],
	["services", ["upstream_id"], "upstreams"],
	["stream_routes", ["service_id"], "services"],
	["stream_routes", ["upstream_id"], "upstreams"],
	["consumers", ["group_id"], "consumer_groups"],
	["upstreams", ["tls", "client_cert_id"], "ssls"],
]

_ids := {target: {x.id | some x in object.get(input, target, [])} |
	some ref in references
	target := ref[2]
}

_singular := {
	"routes": "route", "services": "service", "stream_routes": "stream route",
	"consumers": "consumer", "upstreams": "upstream", "consumer_groups": "consumer group",
	"plugin_configs": "plugin config", "ssls": "SSL",
}

deny contains finding if {
	some [list, path, target] in references
	some obj in object.get(input, list, [])
	obj.format == "standalone"
	value := object.get(obj.config, path, null)
	value != null
	id := lib.id_text(value)
	not id in _ids[target]
	finding := {
		"msg": sprintf("%s `%s` refers to %s `%s` (`%s`), which does not exist", [_singular[list], lib.label(obj), _singular[target], id, concat(".", path)]),
		"at": obj.origin,
		"field": path,
	}
}

deny contains finding if {
	some credential in object.get(input, "credentials", [])
	credential.format == "standalone"
	parts := split(lib.id_text(credential.config.id), "/credentials/")
	count(parts) == 2
	username := parts[0]
	not username in _consumer_ids
	finding := {
		"msg": sprintf("credential `%s` belongs to consumer `%s`, which does not exist", [lib.id_text(credential.config.id), username]),
		"at": credential.origin,
		"field": "id",
	}
}

_consumer_ids := {c.id | some c in object.get(input, "consumers", [])}

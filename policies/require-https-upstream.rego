# METADATA
# title: Upstreams in production use an encrypted scheme
# description: |
#   ## What it checks
#   In the environments named by the `environments` parameter (by default
#   `production` and `prod`), every upstream must talk to its nodes over an
#   encrypted scheme. An upstream whose `scheme` is `http` or `grpc` (the
#   `plaintext_schemes` parameter), or that has no `scheme` at all (APISIX then
#   uses `http`), is reported. Inline upstreams of standalone routes, services and
#   stream routes are checked too. An upstream without a `scheme` that only stream
#   routes use is left alone: the scheme of a layer-4 proxy is not HTTP.
#
#   To require HTTPS in other environments too, list them in `.gwlint.yaml`:
#   `rules: {policy/require-https-upstream: {params: {environments: [production, staging]}}}`.
#   ## Why it matters
#   Traffic between the gateway and the upstream crosses the network in clear
#   text: credentials the gateway forwards, session cookies and personal data can be
#   read or changed by anyone on the path. Production traffic should be encrypted
#   end to end.
#   ## Bad
#   ```yaml
#   # production/orders.yaml
#   services:
#     - name: orders
#       upstream:
#         nodes: [{host: orders.svc, port: 8080, weight: 100}]
#   ```
#   ## Good
#   ```yaml
#   # production/orders.yaml
#   services:
#     - name: orders
#       upstream:
#         scheme: https
#         nodes: [{host: orders.svc, port: 8443, weight: 100}]
#   ```
# custom:
#   id: require-https-upstream
#   severity: error
#   help: "set `scheme: https` (or `grpcs`) on the upstream and point it at the nodes' TLS port"
#   params:
#     environments: [production, prod]
#     plaintext_schemes: [http, grpc]
package gwlint.rules.require_https_upstream

import rego.v1

import data.gwlint.lib

environments := lib.param("require-https-upstream", "environments", ["production", "prod"])

plaintext_schemes := {s | some s in lib.param("require-https-upstream", "plaintext_schemes", ["http", "grpc"])}

deny contains finding if {
	input.environment in environments
	some site in lib.upstream_sites
	scheme := site.config.scheme
	scheme in plaintext_schemes
	finding := {
		"msg": sprintf("%s uses `scheme: %s` in environment `%s`: traffic to its nodes is not encrypted", [site.what, scheme, input.environment]),
		"at": site.origin,
		"field": lib.site_field(site, ["scheme"]),
	}
}

deny contains finding if {
	input.environment in environments
	"http" in plaintext_schemes
	some site in lib.upstream_sites
	not "scheme" in object.keys(site.config)
	not _stream_only(site)
	finding := {
		"msg": sprintf("%s has no `scheme`, so APISIX uses plain `http` to its nodes in environment `%s`", [site.what, input.environment]),
		"at": site.origin,
		"field": lib.site_field(site, ["scheme"]),
	}
}

# An upstream that only stream routes use (inline in a stream route, or referenced
# by stream routes and by no HTTP route).
_stream_only(site) if site.owner == "stream_route"

_stream_only(site) if {
	site.owner == "upstream"
	site.id in _stream_upstream_ids
	not site.id in _http_upstream_ids
}

_http_upstream_ids := {id | some route in input.routes; id := route.upstream_id}

_stream_upstream_ids := {id | some sr in object.get(input, "stream_routes", []); some id in _stream_route_upstreams(sr)}

# Standalone: its `upstream_id`, or its service's.
_stream_route_upstreams(sr) := {lib.id_text(sr.config.upstream_id)} if {
	not lib.is_adc(sr)
	sr.config.upstream_id
}

_stream_route_upstreams(sr) := {lib.id_text(lib.services_by_id[lib.id_text(sr.config.service_id)].config.upstream_id)} if {
	not lib.is_adc(sr)
	not sr.config.upstream_id
	not sr.config.upstream
	sr.config.service_id
}

# ADC: the inline upstream of the service the stream route is nested in (its id is
# the service's).
_stream_route_upstreams(sr) := {_adc_services[_parent(sr.origin)]} if lib.is_adc(sr)

_adc_services := {sprintf("%s#%s", [s.origin.file, s.origin.pointer]): s.id |
	some s in object.get(input, "services", [])
	lib.is_adc(s)
}

# `file#/services/3` for an object at `/services/3/stream_routes/0` of `file`.
_parent(origin) := sprintf("%s#%s", [origin.file, concat("/", array.slice(parts, 0, count(parts) - 2))]) if {
	parts := split(origin.pointer, "/")
}

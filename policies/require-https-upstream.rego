# METADATA
# title: Upstreams in production use an encrypted scheme
# description: |
#   ## What it checks
#   In the environments named by the `environments` parameter (by default
#   `production` and `prod`), every upstream that leaves the cluster must talk to
#   its nodes over an encrypted scheme. An upstream whose `scheme` is `http` or
#   `grpc` (the `plaintext_schemes` parameter), or that has no `scheme` at all
#   (APISIX then uses `http`), is reported. Inline upstreams of standalone routes,
#   services and stream routes are checked too, and so are the upstreams written
#   inside `traffic-split` rules (`rules[].weighted_upstreams[].upstream`, on
#   routes, services, plugin configs, global rules, consumers and consumer groups;
#   a weighted upstream given by `upstream_id` is checked where that upstream is
#   written). An upstream without a `scheme` that only stream routes use is left
#   alone: the scheme of a layer-4 proxy is not HTTP.
#
#   Traffic that stays inside the cluster is inside the trust boundary: an upstream
#   is not reported when **all** its destinations are internal hosts. Its
#   destinations are the hosts of its `nodes` (a list of `{host, port, weight}`, or
#   a map of `"host:port": weight` whose keys are `host`, `host:port`, `[IPv6]` or
#   `[IPv6]:port`); an upstream with one internal and one external node is
#   reported, and so is one without any node. With service discovery,
#   `discovery_type: kubernetes` is internal (its `service_name` names a Service
#   whose endpoints are pods of the cluster); for any other `discovery_type`
#   (`dns`, `consul`, `nacos`, `eureka`, ...) the host of `service_name` is the
#   destination.
#
#   The `internal_hosts` parameter lists what is internal; each entry is one of
#
#   - a CIDR range (`10.0.0.0/8`, `fc00::/7`) or an IP address (`10.1.2.3`,
#     `::1`): a node written as an IP address inside it is internal;
#   - a name starting with a dot (`.svc`): every host name ending with it
#     (`orders.svc`, `orders.shop.svc`) is internal;
#   - any other name (`localhost`): that host and its subdomains
#     (`localhost`, `api.localhost`) are internal.
#
#   Names compare without case and without a trailing dot. The default list holds
#   the in-cluster DNS names `.svc`, `.svc.cluster.local`, `.cluster.local`,
#   `.internal` and `localhost`, the loopback ranges `127.0.0.0/8` and `::1/128`,
#   the private IPv4 ranges of RFC 1918 (`10.0.0.0/8`, `172.16.0.0/12`,
#   `192.168.0.0/16`) and the IPv6 unique local range `fc00::/7`. A list in
#   `.gwlint.yaml` replaces the default: to add your namespace's short names, write
#   the defaults and your own, e.g.
#   `rules: {policy/require-https-upstream: {params: {internal_hosts: [.svc, .svc.cluster.local, .cluster.local, .internal, localhost, 127.0.0.0/8, "::1/128", 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, "fc00::/7", .payments]}}}`.
#   An empty list makes every node and `service_name` external (Kubernetes
#   discovery stays internal); so does a value that is not a list.
#
#   To require HTTPS in other environments too, list them in `.gwlint.yaml`:
#   `rules: {policy/require-https-upstream: {params: {environments: [production, staging]}}}`.
#   ## Why it matters
#   Traffic between the gateway and an upstream outside the cluster crosses
#   networks in clear text: credentials the gateway forwards, session cookies and
#   personal data can be read or changed by anyone on the path. Plain HTTP to a
#   Service of the cluster, behind the gateway, is how most Kubernetes deployments
#   run (the cluster network, or a service mesh, is the boundary), so it is not
#   reported.
#   ## Severity
#   `error`: clear text to a destination outside the trust boundary exposes the
#   traffic. Destinations inside it (`internal_hosts`) are not reported, so a tree
#   whose upstreams are Services of the cluster passes.
#   ## Bad
#   ```yaml
#   # production/payments.yaml
#   services:
#     - name: payments
#       upstream:
#         nodes: [{host: api.payments-partner.example, port: 80, weight: 100}]
#   ```
#   ## Good
#   ```yaml
#   # production/payments.yaml
#   services:
#     - name: payments
#       upstream:
#         scheme: https
#         nodes: [{host: api.payments-partner.example, port: 443, weight: 100}]
#     - name: orders               # a Service of the cluster: plain HTTP is fine
#       upstream:
#         nodes: [{host: orders.shop.svc, port: 8080, weight: 100}]
#   ```
# custom:
#   id: require-https-upstream
#   severity: error
#   help: "set `scheme: https` (or `grpcs`) on the upstream and point it at the nodes' TLS port; if the destination is inside the cluster, add it to the `internal_hosts` parameter"
#   params:
#     environments: [production, prod]
#     plaintext_schemes: [http, grpc]
#     internal_hosts:
#       - .svc
#       - .svc.cluster.local
#       - .cluster.local
#       - .internal
#       - localhost
#       - 127.0.0.0/8
#       - "::1/128"
#       - 10.0.0.0/8
#       - 172.16.0.0/12
#       - 192.168.0.0/16
#       - "fc00::/7"
package gwlint.rules.require_https_upstream

import rego.v1

import data.gwlint.lib

environments := lib.param("require-https-upstream", "environments", ["production", "prod"])

plaintext_schemes := {s | some s in lib.param("require-https-upstream", "plaintext_schemes", ["http", "grpc"])}

default_internal_hosts := [
	".svc", ".svc.cluster.local", ".cluster.local", ".internal", "localhost",
	"127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7",
]

deny contains finding if {
	input.environment in environments
	some site in _sites
	scheme := site.config.scheme
	scheme in plaintext_schemes
	not _internal(site.config)
	finding := {
		"msg": sprintf("%s uses `scheme: %s` in environment `%s`: traffic to its nodes is not encrypted%s", [site.what, scheme, input.environment, _outside_note(site.config)]),
		"at": site.origin,
		"field": lib.site_field(site, ["scheme"]),
	}
}

deny contains finding if {
	input.environment in environments
	"http" in plaintext_schemes
	some site in _sites
	not "scheme" in object.keys(site.config)
	not _stream_only(site)
	not _internal(site.config)
	finding := {
		"msg": sprintf("%s has no `scheme`, so APISIX uses plain `http` to its nodes in environment `%s`%s", [site.what, input.environment, _outside_note(site.config)]),
		"at": site.origin,
		"field": lib.site_field(site, ["scheme"]),
	}
}

# Every upstream site of the library, and the upstreams written in `traffic-split`
# rules.
_sites := array.concat(lib.upstream_sites, _split_sites)

# `rules[i].weighted_upstreams[j].upstream` of each enabled `traffic-split`, where
# it is written. (A weighted upstream with `upstream_id` names an upstream checked
# where it is written; one with neither goes to the route's own upstream.)
_split_sites := [site |
	some list in ["routes", "services", "plugin_configs", "global_rules", "consumers", "consumer_groups"]
	some obj in object.get(input, list, [])
	conf := obj.config.plugins["traffic-split"]
	not conf._meta.disable == true
	is_array(conf.rules)
	some i, rule in conf.rules
	is_array(rule.weighted_upstreams)
	some j, weighted in rule.weighted_upstreams
	is_object(weighted.upstream)
	site := {
		"config": weighted.upstream,
		"origin": lib.plugin_at(obj, "traffic-split"),
		"prefix": ["rules", i, "weighted_upstreams", j, "upstream"],
		"what": sprintf("the `traffic-split` upstream `rules[%d].weighted_upstreams[%d].upstream` of %s `%s`", [i, j, replace(obj.kind, "_", " "), lib.label(obj)]),
		"id": null,
		"owner": "traffic-split",
	}
]

# An upstream whose destinations are all internal: inside the trust boundary.
_internal(upstream) if upstream.discovery_type == "kubernetes"

_internal(upstream) if {
	destinations := _destinations(upstream)
	count(destinations) > 0
	every host in destinations {
		_internal_host(host)
	}
}

# The hosts an upstream sends traffic to, normalized: its nodes' (a list of
# `{host, ...}` or a map of `"host:port": weight`), or, with service discovery, the
# host of its `service_name`. A node without a host text is `""`, never internal.
_destinations(upstream) := [_node_host(node) | some node in upstream.nodes] if {
	not is_string(upstream.discovery_type)
	is_array(upstream.nodes)
}

_destinations(upstream) := [_normalized(_address_host(address)) | some address, _ in upstream.nodes] if {
	not is_string(upstream.discovery_type)
	is_object(upstream.nodes)
}

_destinations(upstream) := [_normalized(_address_host(upstream.service_name))] if {
	is_string(upstream.discovery_type)
	upstream.discovery_type != "kubernetes"
	is_string(upstream.service_name)
}

_node_host(node) := _normalized(_unbracketed(node.host)) if is_string(node.host)

_node_host(node) := "" if not is_string(node.host)

# The host of a node address `host`, `host:port`, `[IPv6]` or `[IPv6]:port`
# (without the brackets; what precedes the last `:` outside brackets); `""` when a
# bracket is not closed.
_address_host(address) := substring(address, 1, indexof(address, "]") - 1) if {
	startswith(address, "[")
	indexof(address, "]") > 1
}

_address_host(address) := "" if {
	startswith(address, "[")
	indexof(address, "]") <= 1
}

_address_host(address) := address if {
	not startswith(address, "[")
	not contains(address, ":")
}

_address_host(address) := concat(":", array.slice(parts, 0, count(parts) - 1)) if {
	not startswith(address, "[")
	parts := split(address, ":")
	count(parts) > 1
}

# A node's `host` without the brackets of `[IPv6]`.
_unbracketed(host) := trim_suffix(trim_prefix(host, "["), "]") if _bracketed(host)

_unbracketed(host) := host if not _bracketed(host)

_bracketed(host) if {
	startswith(host, "[")
	endswith(host, "]")
}

_normalized(host) := lower(trim_suffix(host, "."))

# ` (`host` is not an internal host)` naming the first external destination, or
# `""` when there is none to name (no nodes, no host).
_outside_note(upstream) := sprintf(" (`%s` is not an internal host)", [min(outside)]) if {
	outside := _outside(upstream)
	count(outside) > 0
}

_outside_note(upstream) := "" if count(_outside(upstream)) == 0

_outside(upstream) := {host |
	some host in _destinations(upstream)
	host != ""
	not _internal_host(host)
}

# A normalized destination host inside `internal_hosts`: an IP address in one of its
# ranges, or a name matching one of its names.
_internal_host(host) if {
	_is_ip(host)
	some range in _internal_ranges
	net.cidr_contains(range, host)
}

_internal_host(host) if {
	host != ""
	not _is_ip(host)
	some name in _internal_names
	_name_matches(host, name)
}

_name_matches(host, name) if {
	startswith(name, ".")
	endswith(host, name)
}

_name_matches(host, name) if {
	not startswith(name, ".")
	host == name
}

_name_matches(host, name) if {
	not startswith(name, ".")
	endswith(host, concat("", [".", name]))
}

# An IPv4 or IPv6 address (as Rust's `std::net` parses it).
_is_ip(text) if net.cidr_is_valid(concat("", [text, "/32"]))

# The strings of the `internal_hosts` list (anything but a list holds none).
_internal_entries := {_normalized(entry) |
	entries := lib.param("require-https-upstream", "internal_hosts", default_internal_hosts)
	is_array(entries)
	some entry in entries
	is_string(entry)
}

# The CIDR ranges of `internal_hosts`; an address stands for itself (`/32`, `/128`).
# A range must have a plain decimal prefix length (`/8`, not `/08`).
_internal_ranges := {range | some entry in _internal_entries; range := _range(entry)}

_internal_names := {entry |
	some entry in _internal_entries
	entry != ""
	not _range(entry)
}

_range(entry) := entry if {
	regex.match(`^[^/]+/(0|[1-9][0-9]?|1[01][0-9]|12[0-8])$`, entry)
	net.cidr_is_valid(entry)
}

_range(entry) := concat("", [entry, "/128"]) if {
	not contains(entry, "/")
	net.cidr_is_valid(concat("", [entry, "/128"]))
}

_range(entry) := concat("", [entry, "/32"]) if {
	not contains(entry, "/")
	not net.cidr_is_valid(concat("", [entry, "/128"]))
	net.cidr_is_valid(concat("", [entry, "/32"]))
}

# An upstream that only stream routes use (inline in a stream route, or referenced
# by stream routes and by no HTTP route).
_stream_only(site) if site.owner == "stream_route"

_stream_only(site) if {
	site.owner == "upstream"
	not _adc_inline_upstream(site)
	site.id in _stream_upstream_ids
	not site.id in _http_upstream_ids
}

# The inline upstream of an ADC service is used by what is written in that service
# (an ADC service defined twice keeps both copies, with the same id).
_stream_only(site) if {
	service := _adc_inline_upstream(site)
	service in _adc_stream_services
	not _written_in(service, input.routes)
}

# `[file, service pointer]` of the ADC service whose inline upstream the site is.
_adc_inline_upstream(site) := [site.origin.file, trim_suffix(site.origin.pointer, "/upstream")] if {
	site.owner == "upstream"
	regex.match(`^/services/[0-9]+/upstream$`, site.origin.pointer)
}

_adc_stream_services := {[sr.origin.file, lib.parent_pointer(sr.origin.pointer)] |
	some sr in object.get(input, "stream_routes", [])
	lib.is_adc(sr)
}

# Whether one of the ADC `objects` is written in `service` (`[file, pointer]`).
_written_in(service, objects) if {
	some obj in objects
	obj.origin.file == service[0]
	lib.is_adc(obj)
	lib.parent_pointer(obj.origin.pointer) == service[1]
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

# ADC: the inline upstream of the service the stream route is written in (its id
# is the service's).
_stream_route_upstreams(sr) := {lib.route_service(sr).id} if lib.is_adc(sr)

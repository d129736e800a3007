# METADATA
# title: Upstream needs health checks
# description: |
#   ## What it checks
#   Every upstream must configure `checks` (active health checks, optionally with
#   passive ones). This covers named and inline upstreams of ADC services and the
#   upstreams and inline upstreams of standalone files. Upstreams that use service
#   discovery (`discovery_type`) are checked too: the registry removes instances
#   late or not at all when an instance is up but failing, and APISIX's checks work
#   on discovered nodes as well. Set the parameter `check_discovery: false` to
#   leave discovery-based upstreams out.
#   ## Why it matters
#   Without health checks APISIX keeps sending requests to a node that is down until
#   each request times out, so one dead node turns into slow errors for a share of
#   all clients. Active checks take the node out of the balancer within seconds and
#   bring it back when it recovers.
#   ## Severity
#   `info`: most upstreams of a healthy Kubernetes repository are one Service
#   address, whose failed pods kube-proxy and readiness probes already take out,
#   so the rule fires on nearly all of them. Raise it to `warning` where upstreams
#   list several nodes of their own.
#   ## Bad
#   ```yaml
#   services:
#     - name: orders
#       upstream:
#         nodes: [{host: orders-1.svc, port: 8080, weight: 100}, {host: orders-2.svc, port: 8080, weight: 100}]
#   ```
#   ## Good
#   ```yaml
#   services:
#     - name: orders
#       upstream:
#         nodes: [{host: orders-1.svc, port: 8080, weight: 100}, {host: orders-2.svc, port: 8080, weight: 100}]
#         checks:
#           active:
#             http_path: /healthz
#             healthy: {interval: 5, successes: 2}
#             unhealthy: {interval: 5, http_failures: 3}
#   ```
# custom:
#   id: upstream-needs-health-checks
#   severity: info
#   help: add `checks.active` (and optionally `checks.passive`) to the upstream
#   params:
#     check_discovery: true
package gwlint.rules.upstream_needs_health_checks

import rego.v1

import data.gwlint.lib

check_discovery := lib.param("upstream-needs-health-checks", "check_discovery", true)

info contains finding if {
	some site in lib.upstream_sites
	not _has_checks(site.config)
	not _exempt(site.config)
	finding := {
		"msg": sprintf("%s has no health checks: a failed node keeps receiving traffic", [site.what]),
		"at": site.origin,
		"field": lib.site_field(site, ["checks"]),
	}
}

_has_checks(upstream) if {
	is_object(upstream.checks)
	count(upstream.checks) > 0
}

_exempt(upstream) if {
	check_discovery == false
	upstream.discovery_type
}

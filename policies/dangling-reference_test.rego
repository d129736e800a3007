package gwlint.rules.dangling_reference_test

import rego.v1

import data.gwlint.rules.dangling_reference

_obj(kind, index, config) := {
	"kind": kind, "id": _id_of(config, index), "format": "standalone", "config": config,
	"origin": {"file": "prod/apisix.yaml", "pointer": sprintf("/%ss/%d", [kind, index]), "line": index + 1, "column": 5},
}

_id_of(config, _) := sprintf("%v", [config.id])

_id_of(config, index) := sprintf("arr_%d", [index]) if not config.id

_complete := {
	"routes": [_obj("route", 0, {"id": "r1", "uri": "/a", "service_id": "s1", "upstream_id": 1, "plugin_config_id": "pc1"})],
	"services": [_obj("service", 0, {"id": "s1", "upstream_id": 1})],
	"upstreams": [_obj("upstream", 0, {"id": 1, "nodes": {"a:80": 1}, "tls": {"client_cert_id": "mtls"}})],
	"plugin_configs": [_obj("plugin_config", 0, {"id": "pc1", "plugins": {}})],
	"stream_routes": [_obj("stream_route", 0, {"id": "sr1", "service_id": "s1", "upstream_id": "1"})],
	"consumers": [_obj("consumer", 0, {"username": "jack", "group_id": "gold"})],
	"consumer_groups": [_obj("consumer_group", 0, {"id": "gold", "plugins": {}})],
	"ssls": [_obj("ssl", 0, {"id": "mtls", "type": "client"})],
	"credentials": [],
}

test_complete_references_pass if {
	doc := object.union(_complete, {"consumers": [object.union(_obj("consumer", 0, {"username": "jack", "group_id": "gold"}), {"id": "jack"})]})
	count(dangling_reference.deny) == 0 with input as doc
}

test_route_upstream_id_that_points_nowhere_is_reported if {
	route := _obj("route", 0, {"id": "r1", "uri": "/a", "upstream_id": "orders-v2"})
	dangling_reference.deny == {{
		"msg": "route `r1` refers to upstream `orders-v2` (`upstream_id`), which does not exist",
		"at": route.origin,
		"field": ["upstream_id"],
	}} with input as {"routes": [route], "upstreams": [_obj("upstream", 0, {"id": "orders"})]}
}

test_every_reference_kind_is_checked if {
	doc := {
		"routes": [_obj("route", 0, {"id": "r1", "uri": "/a", "service_id": "nos", "upstream_id": "nou", "plugin_config_id": "nopc"})],
		"services": [_obj("service", 0, {"id": "s1", "upstream_id": "nou"})],
		"upstreams": [_obj("upstream", 0, {"id": "u1", "tls": {"client_cert_id": "nossl"}})],
		"stream_routes": [_obj("stream_route", 0, {"id": "sr1", "service_id": "nos", "upstream_id": "nou"})],
		"consumers": [_obj("consumer", 0, {"username": "jack", "group_id": "nogroup"})],
	}
	findings := dangling_reference.deny with input as doc
	{[f.at.pointer, concat(".", f.field)] | some f in findings} == {
		["/routes/0", "service_id"], ["/routes/0", "upstream_id"], ["/routes/0", "plugin_config_id"],
		["/services/0", "upstream_id"], ["/upstreams/0", "tls.client_cert_id"],
		["/stream_routes/0", "service_id"], ["/stream_routes/0", "upstream_id"],
		["/consumers/0", "group_id"],
	}
}

test_numeric_ids_match_their_string_form if {
	doc := {
		"routes": [_obj("route", 0, {"id": 1, "uri": "/a", "upstream_id": 2})],
		"upstreams": [_obj("upstream", 0, {"id": 2, "nodes": {"a:80": 1}})],
	}
	count(dangling_reference.deny) == 0 with input as doc
}

test_adc_objects_are_not_checked if {
	route := object.union(_obj("route", 0, {"name": "r", "uris": ["/a"]}), {"format": "adc", "service_id": "gone", "upstream_id": "gone"})
	upstream := object.union(_obj("upstream", 0, {"nodes": [], "tls": {"client_cert_id": "managed-elsewhere"}}), {"format": "adc"})
	count(dangling_reference.deny) == 0 with input as {"routes": [route], "upstreams": [upstream]}
}

test_credential_of_missing_consumer_is_reported if {
	credential := object.union(_obj("consumer", 1, {"id": "jill/credentials/primary", "plugins": {"key-auth": {"key": "$env://K"}}}), {"kind": "credential"})
	doc := {"consumers": [object.union(_obj("consumer", 0, {"username": "jack"}), {"id": "jack"})], "credentials": [credential]}
	dangling_reference.deny == {{
		"msg": "credential `jill/credentials/primary` belongs to consumer `jill`, which does not exist",
		"at": credential.origin,
		"field": "id",
	}} with input as doc
}

test_credential_of_existing_consumer_passes if {
	credential := object.union(_obj("consumer", 1, {"id": "jack/credentials/primary", "plugins": {"key-auth": {"key": "$env://K"}}}), {"kind": "credential"})
	doc := {"consumers": [object.union(_obj("consumer", 0, {"username": "jack"}), {"id": "jack"})], "credentials": [credential]}
	count(dangling_reference.deny) == 0 with input as doc
}

# Helpers shared by the built-in rules (package `gwlint.lib`).
#
# The input document is described in policies/README.md. regorus is built without
# the `graph` feature, so `walk` is not available: `string_leaves` below walks a
# value to a fixed depth instead (Rego has no recursion).
package gwlint.lib

import rego.v1

# A rule parameter: `input.params[rule][name]`, or `default_value` when the config
# file and the metadata give none (e.g. in unit tests).
param(rule, name, default_value) := object.get(input, ["params", rule, name], default_value)

# How a finding names a model object: its name, else its id.
label(obj) := obj.name if {
	is_string(obj.name)
	obj.name != ""
} else := object.get(obj, "id", "?")

# A JSON pointer token for a key (RFC 6901: `~` → `~0`, then `/` → `~1`).
pointer_token(key) := replace(replace(key, "~", "~0"), "/", "~1")

# Whether an object was written in an ADC file.
is_adc(obj) if obj.format == "adc"

# The `at` of a plugin configuration written in `obj.config.plugins[name]`. ADC
# global rules are written as `global_rules: {<plugin>: conf}`: their origin is the
# plugin's configuration itself.
plugin_at(obj, _) := obj.origin if adc_global_rule(obj)

plugin_at(obj, name) := {
	"file": obj.origin.file,
	"pointer": concat("", [obj.origin.pointer, "/plugins/", pointer_token(name)]),
} if not adc_global_rule(obj)

adc_global_rule(obj) if {
	obj.kind == "global_rule"
	is_adc(obj)
}

# `{"at": ..., "field": [...]}` for `path` inside `obj.config`, mapping the
# synthetic `plugins/<name>` of ADC global rules back onto what is written.
config_location(obj, path) := {"at": obj.origin, "field": array.slice(path, 2, count(path))} if {
	adc_global_rule(obj)
	count(path) >= 2
	path[0] == "plugins"
} else := {"at": obj.origin, "field": path}


# Every upstream configuration, with where it is written: the model's upstreams and
# the inline `upstream` of standalone routes, services and stream routes.
# `{"config", "origin", "prefix" (field path of the upstream below origin), "what",
# "id" (model upstreams; null inline), "owner" (`upstream`, or the kind holding it inline)}`
upstream_sites := array.concat(
	[site |
		some u in object.get(input, "upstreams", [])
		site := {"config": u.config, "origin": u.origin, "prefix": [], "what": upstream_name(u), "id": u.id, "owner": "upstream"}
	],
	[site |
		some list in ["routes", "services", "stream_routes"]
		some obj in object.get(input, list, [])
		is_object(obj.config.upstream)
		site := {
			"config": obj.config.upstream,
			"origin": obj.origin,
			"prefix": ["upstream"],
			"what": sprintf("the inline upstream of %s `%s`", [replace(obj.kind, "_", " "), label(obj)]),
			"id": null,
			"owner": obj.kind,
		}
	],
)

# How a finding names a model upstream: its name; an ADC inline upstream (which has
# its service's id) by its service; else its id.
upstream_name(u) := sprintf("upstream `%s`", [u.name]) if {
	is_string(u.name)
	u.name != ""
} else := sprintf("the upstream of service `%s`", [label(services_by_id[u.id])]) if {
	is_adc(u)
	services_by_id[u.id]
} else := sprintf("upstream `%s`", [object.get(u, "id", "?")])

services_by_id := first_by_id(object.get(input, "services", []))

# The service a route belongs to: for an ADC route the service it is written in,
# for a standalone route the one its `service_id` names. (An ADC service defined
# twice, `ref/duplicate-service`, stays in the input twice, each copy with its own
# routes; both copies have the same id, so an ADC route's service is found by
# where the route is written.)
route_service(route) := adc_services_at[[route.origin.file, parent_pointer(route.origin.pointer)]] if is_adc(route)

route_service(route) := services_by_id[route.service_id] if not is_adc(route)

# ADC services by where they are written: `{[file, pointer]: service}`.
adc_services_at := {[s.origin.file, s.origin.pointer]: s |
	some s in object.get(input, "services", [])
	is_adc(s)
}

# The pointer of the object whose list holds the object at `pointer`: the service
# `/services/3` of the ADC route `/services/3/routes/0`.
parent_pointer(pointer) := concat("/", array.slice(parts, 0, count(parts) - 2)) if {
	parts := split(pointer, "/")
}

# Two ADC objects (routes, stream routes) written in two different services of the
# same name: two copies of a service defined twice. What one copy holds is not
# compared with what the other holds (the duplicate is the finding).
duplicate_copies(a, b) if {
	is_adc(a)
	is_adc(b)
	at_a := [a.origin.file, parent_pointer(a.origin.pointer)]
	at_b := [b.origin.file, parent_pointer(b.origin.pointer)]
	at_a != at_b
	adc_services_at[at_a].name == adc_services_at[at_b].name
}

plugin_configs_by_id := first_by_id(object.get(input, "plugin_configs", []))

# `{id: object}` for a list of model objects; when two objects share an id (a
# duplicate reported elsewhere) the first one wins instead of a conflict error.
first_by_id(objects) := {e[0]: objects[e[1]] |
	sorted := sort([[obj.id, i] | some i, obj in objects])
	some j, e in sorted
	not sorted[j - 1][0] == e[0]
}

# Where a route inherits plugins from, and a plugin in `names` is switched off
# with `_meta.disable: true`: related locations for a finding about the route.
switched_off(route, names) := [item |
	some obj in _plugin_parents(route)
	some name, conf in object.get(obj, ["config", "plugins"], {})
	name in names
	object.get(conf, ["_meta", "disable"], false) == true
	item := {
		"msg": sprintf("`%s` is switched off here (%s `%s`)", [name, replace(obj.kind, "_", " "), label(obj)]),
		"at": plugin_at(obj, name),
		"field": ["_meta", "disable"],
	}
]

_plugin_parents(route) := array.concat(
	array.concat(
		[service | service := route_service(route)],
		[config | config := plugin_configs_by_id[object.get(route, "plugin_config_id", null)]],
	),
	object.get(input, "global_rules", []),
)

# A field path below an upstream site.
site_field(site, path) := array.concat(site.prefix, path)

# An id written in a standalone file (a string, or a number such as `id: 1`).
id_text(x) := x if is_string(x)

id_text(x) := sprintf("%v", [x]) if is_number(x)

# `${VAR}` placeholders (ADC: `\$\{(\w+)\}`, ASCII word characters) that are not
# escaped as `\${VAR}`: the set of variable names in `s`.
placeholders(s) := {m[2] |
	contains(s, "${")
	some m in regex.find_all_string_submatch_n(`(\\?)\$\{([A-Za-z0-9_]+)\}`, s, -1)
	m[1] == ""
}

# Whether a string is resolved elsewhere instead of being a literal: an `$env://` or
# `$secret://` reference, or one containing a `${VAR}` placeholder.
is_reference(s) if startswith(s, "$env://")

is_reference(s) if startswith(s, "$secret://")

is_reference(s) if count(placeholders(s)) > 0

# The sort key of a model object: document order (file, then position in it).
order(obj) := [obj.origin.file, object.get(obj.origin, "line", 0), object.get(obj.origin, "column", 0), obj.origin.pointer]

# Groups of equal keys in O(n log n): `entries` is an array of `[key, index]`; the
# result is an array with, for each key that two or more different indexes share,
# the set of those indexes. Sorting puts equal keys next to each other, so rules
# compare only the members of one group instead of every pair of objects.
key_groups(entries) := groups if {
	sorted := sort(entries)
	starts := array.concat([j | some j, e in sorted; not sorted[j - 1][0] == e[0]], [count(sorted)])
	groups := [group |
		some g, start in starts
		end := starts[g + 1]
		end - start > 1
		group := {sorted[n][1] | some n in numbers.range(start, end - 1)}
		count(group) > 1
	]
}

# The members of a group of route indexes in document order: `[[order, index], ...]`.
routes_in_order(group) := sort({[order(input.routes[k]), k] | some k in group})

# Every string below `x` (objects and arrays, up to 16 levels deep), as
# `[path, string]` with the path an array of keys and indexes.
string_leaves(x) := {leaf |
	some level in _levels(x)
	some leaf in level
	is_string(leaf[1])
}

_levels(x) := [l1, l2, l3, l4, l5, l6, l7, l8, l9, l10, l11, l12, l13, l14, l15, l16] if {
	l1 := _children({[[], x]})
	l2 := _children(l1)
	l3 := _children(l2)
	l4 := _children(l3)
	l5 := _children(l4)
	l6 := _children(l5)
	l7 := _children(l6)
	l8 := _children(l7)
	l9 := _children(l8)
	l10 := _children(l9)
	l11 := _children(l10)
	l12 := _children(l11)
	l13 := _children(l12)
	l14 := _children(l13)
	l15 := _children(l14)
	l16 := _children(l15)
}

_children(nodes) := {[array.concat(node[0], [k]), child] |
	some node in nodes
	_is_container(node[1])
	some k, child in node[1]
}

_is_container(x) if is_object(x)

_is_container(x) if is_array(x)

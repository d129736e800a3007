-- Dump the JSON schemas of Apache APISIX plugins and resources.
--
-- Loads APISIX's own Lua modules under plain LuaJIT (no OpenResty) with small
-- stubs for the OpenResty runtime, then writes deterministic JSON. See README.md.
--
-- Usage:
--   luajit dump.lua run SRC_DIR OUT_DIR COMMIT
--       Dump everything from the APISIX source tree SRC_DIR into OUT_DIR.
--       Every plugin module is loaded in its own LuaJIT process (mode "one").
--   luajit dump.lua one SRC_DIR OUT_DIR KIND MODULE
--       Load one module; on success write OUT_DIR/<kind dir>/<name>.json.
--       Reports to stdout in lines starting with "\1" (read by "run").
--   luajit dump.lua resources SRC_DIR OUT_DIR
--       Write OUT_DIR/resources.json from apisix/schema_def.lua.

local MODE, SRC = arg[1], arg[2]

local function fail(msg)
    io.stderr:write("dump.lua: ", msg, "\n")
    os.exit(2)
end

if not MODE or not SRC then
    fail("usage: luajit dump.lua run|one|resources SRC_DIR OUT_DIR ...")
end

SRC = SRC:gsub("/+$", "")

local SCRIPT = arg[0]

local sort, concat, insert = table.sort, table.concat, table.insert

-- Protocol lines between the "one" child processes and the "run" driver.
local notes = {}

local function note(msg)
    notes[#notes + 1] = msg
end

-- Error messages and notes must not name the temporary source directory,
-- nor memory addresses: regeneration has to be byte-identical.
local function normalize(msg)
    msg = tostring(msg)
    local prefix = SRC .. "/"
    local i = 1
    while true do
        local s, e = msg:find(prefix, i, true)
        if not s then break end
        msg = msg:sub(1, s - 1) .. msg:sub(e + 1)
        i = s
    end
    msg = msg:gsub("0x%x+", "0x?")
    msg = msg:gsub("[\r\n\t]+", " ")
    return msg
end

---------------------------------------------------------------------------
-- JSON encoder: deterministic, with schema-aware empty-table decisions.
---------------------------------------------------------------------------

local cjson_ok, cjson = pcall(require, "cjson")
local NULL = cjson_ok and cjson.null or nil

-- Tables built by this tool that must be written as arrays / objects.
local array_mt = {__name = "array"}
local object_mt = {__name = "object"}

local function arr(t)
    return setmetatable(t or {}, array_mt)
end

local function obj(t)
    return setmetatable(t or {}, object_mt)
end

-- Stub objects are registered here (see below) so the encoder can refuse them.
local stub_names = setmetatable({}, {__mode = "k"})

local function is_sequence(t)
    local n = 0
    for k in pairs(t) do
        if type(k) ~= "number" or k < 1 or k % 1 ~= 0 then
            return false
        end
        n = n + 1
    end
    for i = 1, n do
        if t[i] == nil then
            return false
        end
    end
    return n > 0
end

local function encode_string(s)
    s = s:gsub('[%c"\\]', function(c)
        if c == '"' then return '\\"' end
        if c == "\\" then return "\\\\" end
        return string.format("\\u%04x", c:byte())
    end)
    return '"' .. s .. '"'
end

local function valid_utf8(s)
    local i, n = 1, #s
    while i <= n do
        local c = s:byte(i)
        local len
        if c < 0x80 then len = 1
        elseif c >= 0xC2 and c <= 0xDF then len = 2
        elseif c >= 0xE0 and c <= 0xEF then len = 3
        elseif c >= 0xF0 and c <= 0xF4 then len = 4
        else return false end
        for j = i + 1, i + len - 1 do
            local d = s:byte(j)
            if not d or d < 0x80 or d > 0xBF then return false end
        end
        i = i + len
    end
    return true
end

local function encode_number(x)
    if x ~= x or x == math.huge or x == -math.huge then
        return nil
    end
    if x == 0 then
        return "0"
    end
    if x % 1 == 0 and math.abs(x) < 2 ^ 63 then
        return string.format("%.0f", x)
    end
    for prec = 15, 17 do
        local s = string.format("%." .. prec .. "g", x)
        if tonumber(s) == x then
            return s
        end
    end
    return string.format("%.17g", x)
end

-- Keys whose value is a map from names to schemas.
local SCHEMA_MAP_KEYS = {
    properties = true, patternProperties = true, definitions = true,
    ["$defs"] = true,
}
-- Keys whose value is one schema.
local SCHEMA_KEYS = {
    additionalProperties = true, additionalItems = true, ["not"] = true,
    ["if"] = true, ["then"] = true, ["else"] = true, contains = true,
    propertyNames = true,
}
-- Keys whose value is a list of schemas.
local SCHEMA_LIST_KEYS = {anyOf = true, oneOf = true, allOf = true}
-- Keys whose value is a plain array.
local ARRAY_KEYS = {required = true, enum = true, type = true}

local function schema_is_array_typed(schema)
    local ty = schema.type
    if ty == "array" then
        return true
    end
    if type(ty) == "table" then
        local has_array, has_object = false, false
        for _, v in ipairs(ty) do
            if v == "array" then has_array = true end
            if v == "object" then has_object = true end
        end
        return has_array and not has_object
    end
    return false
end

-- role of a table: "schema", "schema_map", "schema_list", "deps", "data".
-- Returns the role of the value under key k of table t (whose role is role),
-- and whether an empty value there is an array.
local function child_role(role, t, k, v)
    if role == "schema" then
        if SCHEMA_MAP_KEYS[k] then return "schema_map", false end
        if k == "dependencies" then return "deps", false end
        if k == "items" then
            if type(v) == "table" and is_sequence(v) then
                return "schema_list", false
            end
            return "schema", false
        end
        if SCHEMA_KEYS[k] then return "schema", false end
        if SCHEMA_LIST_KEYS[k] then return "schema_list", true end
        if ARRAY_KEYS[k] then return "data", true end
        if k == "default" then return "data", schema_is_array_typed(t) end
        return "data", false
    elseif role == "schema_map" or role == "schema_list" then
        return "schema", false
    elseif role == "deps" then
        if type(v) == "table" and is_sequence(v) then
            return "data", true
        end
        return "schema", false
    end
    return "data", false
end

local encode_value

local function path_join(path, k)
    if type(k) == "number" then
        return path .. "[" .. k .. "]"
    end
    if path == "" then return tostring(k) end
    return path .. "." .. tostring(k)
end

-- Returns the encoded text, or nil when the value cannot be written
-- (a function, userdata, stub, non-finite number): the caller drops it.
encode_value = function(v, role, empty_is_array, path, indent, seen)
    local tv = type(v)
    if v == nil or (NULL ~= nil and v == NULL) then
        return "null"
    elseif tv == "boolean" then
        return v and "true" or "false"
    elseif tv == "number" then
        local s = encode_number(v)
        if not s then
            note(path .. ": non-finite number " .. tostring(v) .. " dropped")
        end
        return s
    elseif tv == "string" then
        if not valid_utf8(v) then
            note(path .. ": string is not valid UTF-8; written byte for byte")
        end
        return encode_string(v)
    elseif tv ~= "table" then
        note(path .. ": " .. tv .. " dropped")
        return nil
    end

    if stub_names[v] then
        note(path .. ": value comes from a stub (" .. stub_names[v] .. "), dropped")
        return nil
    end
    if seen[v] then
        note(path .. ": cyclic table dropped")
        return nil
    end

    local mt = getmetatable(v)
    local as_array
    if mt == array_mt then
        as_array = true
    elseif mt == object_mt then
        as_array = false
    elseif next(v) == nil then
        as_array = empty_is_array
    else
        as_array = is_sequence(v)
    end

    seen[v] = true
    local pad = string.rep("  ", indent + 1)
    local parts = {}
    if as_array then
        for i = 1, #v do
            local crole, cempty = child_role(role, v, i, v[i])
            local s = encode_value(v[i], crole, cempty, path_join(path, i), indent + 1, seen)
            if s then
                parts[#parts + 1] = pad .. s
            else
                note(path_join(path, i) .. ": array element dropped")
            end
        end
        seen[v] = nil
        if #parts == 0 then return "[]" end
        return "[\n" .. concat(parts, ",\n") .. "\n" .. string.rep("  ", indent) .. "]"
    end

    local keys = {}
    for k in pairs(v) do
        if type(k) ~= "string" then
            note(path .. ": non-string key " .. tostring(k) .. " written as a string")
        end
        keys[#keys + 1] = k
    end
    sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    for _, k in ipairs(keys) do
        local crole, cempty = child_role(role, v, k, v[k])
        local s = encode_value(v[k], crole, cempty, path_join(path, k), indent + 1, seen)
        if s then
            parts[#parts + 1] = pad .. encode_string(tostring(k)) .. ": " .. s
        end
    end
    seen[v] = nil
    if #parts == 0 then return "{}" end
    return "{\n" .. concat(parts, ",\n") .. "\n" .. string.rep("  ", indent) .. "}"
end

-- A document: an object built by this tool whose fields have known roles.
-- fields: list of {key, value, role}; role "schema" for JSON schemas.
local function encode_document(fields, path)
    sort(fields, function(a, b) return a[1] < b[1] end)
    local parts = {}
    for _, f in ipairs(fields) do
        local k, v, role = f[1], f[2], f[3] or "data"
        if v ~= nil then
            local s = encode_value(v, role, false, path_join(path, k), 1, {})
            if s then
                parts[#parts + 1] = "  " .. encode_string(k) .. ": " .. s
            else
                note(path_join(path, k) .. ": dropped")
            end
        end
    end
    return "{\n" .. concat(parts, ",\n") .. "\n}\n"
end

local function read_file(path)
    local f = io.open(path, "rb")
    if not f then return nil end
    local s = f:read("*a")
    f:close()
    return s
end

local function write_file(path, text)
    local f, err = io.open(path, "wb")
    if not f then fail(err) end
    f:write(text)
    f:close()
end

---------------------------------------------------------------------------
-- The stub runtime (modes "one" and "resources").
---------------------------------------------------------------------------

-- A stub is a table whose fields are stubs and which returns a stub when
-- called: enough for module bodies that only keep references to functions of
-- libraries they use later, at request time.
local stub_mt = {}
local stub_children = setmetatable({}, {__mode = "k"})

local function make_stub(name)
    local s = setmetatable({}, stub_mt)
    stub_names[s] = name
    return s
end

stub_mt.__index = function(t, k)
    local c = stub_children[t]
    if not c then
        c = {}
        stub_children[t] = c
    end
    local v = c[k]
    if v == nil then
        v = make_stub(stub_names[t] .. "." .. tostring(k))
        c[k] = v
    end
    return v
end
stub_mt.__call = function(t)
    return make_stub(stub_names[t] .. "()")
end
stub_mt.__tostring = function(t)
    return "stub:" .. stub_names[t]
end
stub_mt.__concat = function(a, b)
    return tostring(a) .. tostring(b)
end
local function stub_arith(a)
    local name = stub_names[a] or "?"
    error("arithmetic on stub " .. name, 2)
end
stub_mt.__add, stub_mt.__sub, stub_mt.__mul = stub_arith, stub_arith, stub_arith
stub_mt.__div, stub_mt.__mod, stub_mt.__unm = stub_arith, stub_arith, stub_arith
stub_mt.__pow = stub_arith

local function noop() end

-- A table with the given real fields; unknown fields are stubs.
local function partial(name, fields)
    local t = fields or {}
    return setmetatable(t, {
        __index = function(self, k)
            local v = make_stub(name .. "." .. tostring(k))
            rawset(self, k, v)
            return v
        end,
    })
end

local function setup_ngx(subsystem)
    local shared = setmetatable({}, {
        __index = function(self, k)
            local v = make_stub("ngx.shared." .. tostring(k))
            rawset(self, k, v)
            return v
        end,
    })

    -- No PCRE here: nothing matches, nothing is replaced. A call at load time
    -- is named in the notes.
    local re_noted = {}
    local function re_called(fname)
        if not re_noted[fname] then
            re_noted[fname] = true
            note("ngx.re." .. fname .. " called at load time (stub: no match)")
        end
    end
    local re = partial("ngx.re", {
        match = function() re_called("match") return nil end,
        find = function() re_called("find") return nil end,
        gmatch = function()
            re_called("gmatch")
            return function() return nil end
        end,
        sub = function(subject) re_called("sub") return subject, 0 end,
        gsub = function(subject) re_called("gsub") return subject, 0 end,
    })

    local ngx = {
        null = NULL,
        OK = 0, ERROR = -1, AGAIN = -2, DONE = -4, DECLINED = -5,
        STDERR = 0, EMERG = 1, ALERT = 2, CRIT = 3, ERR = 4, WARN = 5,
        NOTICE = 6, INFO = 7, DEBUG = 8,
        HTTP_GET = 2, HTTP_HEAD = 4, HTTP_POST = 8, HTTP_PUT = 16,
        HTTP_DELETE = 32, HTTP_MKCOL = 64, HTTP_COPY = 128, HTTP_MOVE = 256,
        HTTP_OPTIONS = 512, HTTP_PROPFIND = 1024, HTTP_PROPPATCH = 2048,
        HTTP_LOCK = 4096, HTTP_UNLOCK = 8192, HTTP_PATCH = 16384,
        HTTP_TRACE = 32768,
        HTTP_CONTINUE = 100, HTTP_SWITCHING_PROTOCOLS = 101, HTTP_OK = 200,
        HTTP_CREATED = 201, HTTP_ACCEPTED = 202, HTTP_NO_CONTENT = 204,
        HTTP_PARTIAL_CONTENT = 206, HTTP_SPECIAL_RESPONSE = 300,
        HTTP_MOVED_PERMANENTLY = 301, HTTP_MOVED_TEMPORARILY = 302,
        HTTP_SEE_OTHER = 303, HTTP_NOT_MODIFIED = 304,
        HTTP_TEMPORARY_REDIRECT = 307, HTTP_PERMANENT_REDIRECT = 308,
        HTTP_BAD_REQUEST = 400, HTTP_UNAUTHORIZED = 401,
        HTTP_PAYMENT_REQUIRED = 402, HTTP_FORBIDDEN = 403,
        HTTP_NOT_FOUND = 404, HTTP_NOT_ALLOWED = 405,
        HTTP_NOT_ACCEPTABLE = 406, HTTP_REQUEST_TIMEOUT = 408,
        HTTP_CONFLICT = 409, HTTP_GONE = 410, HTTP_UPGRADE_REQUIRED = 426,
        HTTP_TOO_MANY_REQUESTS = 429, HTTP_CLOSE = 444,
        HTTP_ILLEGAL = 451, HTTP_INTERNAL_SERVER_ERROR = 500,
        HTTP_METHOD_NOT_IMPLEMENTED = 501, HTTP_BAD_GATEWAY = 502,
        HTTP_SERVICE_UNAVAILABLE = 503, HTTP_GATEWAY_TIMEOUT = 504,
        HTTP_VERSION_NOT_SUPPORTED = 505, HTTP_INSUFFICIENT_STORAGE = 507,
        log = noop, say = noop, print = noop, flush = noop, exit = noop,
        sleep = noop, update_time = noop,
        now = function() return 1700000000 end,
        time = function() return 1700000000 end,
        today = function() return "2023-11-14" end,
        localtime = function() return "2023-11-14 22:13:20" end,
        utctime = function() return "2023-11-14 22:13:20" end,
        http_time = function() return "Tue, 14 Nov 2023 22:13:20 GMT" end,
        cookie_time = function() return "Tue, 14-Nov-23 22:13:20 GMT" end,
        get_phase = function() return "init" end,
        is_subrequest = false,
        md5 = function() return "d41d8cd98f00b204e9800998ecf8427e" end,
        crc32_short = function() return 0 end,
        crc32_long = function() return 0 end,
        encode_base64 = function(s) return s end,
        decode_base64 = function(s) return s end,
        escape_uri = function(s) return s end,
        unescape_uri = function(s) return s end,
        quote_sql_str = function(s) return "'" .. tostring(s) .. "'" end,
        re = re,
        shared = shared,
        ctx = {},
        var = {},
        header = {},
        arg = {},
        config = partial("ngx.config", {
            subsystem = subsystem,
            debug = false,
            nginx_version = 1025003,
            ngx_lua_version = 10025,
            nginx_configure = function() return "" end,
            prefix = function() return "/usr/local/apisix/" end,
        }),
        worker = partial("ngx.worker", {
            id = function() return 0 end,
            count = function() return 1 end,
            pid = function() return 1 end,
            exiting = function() return false end,
        }),
        timer = partial("ngx.timer", {
            at = function() return true end,
            every = function() return true end,
            running_count = function() return 0 end,
            pending_count = function() return 0 end,
        }),
    }
    _G.ngx = partial("ngx", ngx)
    return _G.ngx
end

-- OpenResty's LuaJIT has these; plain LuaJIT may not.
local function table_helpers()
    local helpers = {
        ["table.nkeys"] = function(t)
            local n = 0
            for _ in pairs(t) do n = n + 1 end
            return n
        end,
        ["table.isarray"] = function(t)
            if type(t) ~= "table" then return false end
            local n = #t
            for k in pairs(t) do
                if type(k) ~= "number" or k < 1 or k > n or k % 1 ~= 0 then
                    return false
                end
            end
            return true
        end,
        ["table.isempty"] = function(t) return next(t) == nil end,
        ["table.clone"] = function(t)
            local c = {}
            for k, v in pairs(t) do c[k] = v end
            return c
        end,
        ["table.new"] = function() return {} end,
        ["table.clear"] = function(t)
            for k in pairs(t) do t[k] = nil end
        end,
    }
    for name, fn in pairs(helpers) do
        local ok, real = pcall(require, name)
        package.loaded[name] = ok and real or fn
    end
end

-- Modules loaded from the APISIX tree for real (their tables build schemas
-- at load time). Other apisix.* modules are stubs.
local REAL_MODULES = {
    ["apisix.schema_def"] = true,
    ["apisix.core.schema"] = true,
    ["apisix.core.table"] = true,
    ["apisix.core.string"] = true,
    ["apisix.core.version"] = true,
    ["apisix.constants"] = true,
    ["apisix.utils.batch-processor-manager"] = true,
    ["apisix.utils.batch-processor"] = true,
    ["apisix.utils.redis-schema"] = true,
    ["apisix.utils.log-util"] = true,
}

local function is_real(name)
    return REAL_MODULES[name]
        or name:find("^apisix%.plugins%.") ~= nil
        or name:find("^apisix%.stream%.plugins%.") ~= nil
end

-- C modules taken from the system (lua-cjson).
local SYSTEM_MODULES = {cjson = true, ["cjson.safe"] = true}

local target_module -- the module being dumped: its errors are not hidden
local searchpath_template = SRC .. "/?.lua;" .. SRC .. "/?/init.lua"

local function searchpath(name)
    local file = name:gsub("%.", "/")
    for template in searchpath_template:gmatch("[^;]+") do
        local path = template:gsub("%?", file)
        local f = io.open(path, "rb")
        if f then
            f:close()
            return path
        end
    end
    return nil
end

local function apisix_searcher(name)
    if SYSTEM_MODULES[name] then
        return nil
    end
    if is_real(name) then
        local path = searchpath(name)
        if path then
            return function(...)
                -- Chunk names relative to the tree, so messages name
                -- apisix/plugins/x.lua and not the temporary directory.
                local text = assert(read_file(path))
                local chunk, err = loadstring(text, "@" .. path:sub(#SRC + 2))
                local ok, res
                if chunk then
                    ok, res = pcall(chunk, ...)
                else
                    ok, res = false, err
                end
                if ok then
                    return res
                end
                if name == target_module then
                    error(res, 0)
                end
                note("helper module " .. name .. " failed to load and was stubbed: "
                     .. normalize(res))
                return make_stub(name)
            end
        end
    end
    return function()
        return make_stub(name)
    end
end

-- pairs() in sorted key order. LuaJIT seeds its string hash per process, so
-- the order of pairs() changes from run to run, and APISIX builds some
-- arrays by iterating tables (proxy-rewrite's method enum, loggly's severity
-- enum). Sorted iteration is one of the orders APISIX may see, and the same
-- on every run.
local raw_next = next

local function key_less(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then
        return ta < tb
    end
    if ta == "number" or ta == "string" then
        return a < b
    end
    if ta == "boolean" then
        return (not a) and b
    end
    return false
end

local function sorted_pairs(t)
    local keys = {}
    local k = raw_next(t)
    while k ~= nil do
        keys[#keys + 1] = k
        k = raw_next(t, k)
    end
    sort(keys, key_less)
    local i = 0
    return function()
        i = i + 1
        local key = keys[i]
        if key == nil then
            return nil
        end
        return key, t[key]
    end, t, nil
end

-- kind: "http" or "stream", the nginx subsystem APISIX loads the module in.
local function setup_runtime(kind)
    _G.pairs = sorted_pairs
    package.path = searchpath_template
    -- lua-cjson only (SYSTEM_MODULES): no module of the current directory.
    package.cpath = package.cpath:gsub("%./%?%.so;?", "")
    table_helpers()
    local ngx = setup_ngx(kind == "stream" and "stream" or "http")
    package.loaded["ngx"] = ngx
    package.loaded["ngx.re"] = partial("ngx.re", {
        split = function(s) return {s} end,
        opt = noop,
    })
    insert(package.loaders, 2, apisix_searcher)

    -- OpenResty's lua-cjson accepts a number precision up to 16, Debian's up
    -- to 14 (zipkin sets 16 at load time).
    for _, name in ipairs({"cjson", "cjson.safe"}) do
        local ok, real = pcall(require, name)
        if ok then
            local function wrap(instance)
                return setmetatable({
                    encode_number_precision = function(p)
                        return instance.encode_number_precision(math.min(p, 14))
                    end,
                    new = function() return wrap(instance.new()) end,
                }, {__index = instance})
            end
            package.loaded[name] = wrap(real)
        end
    end

    -- apisix.core: the real schema, table, string and version modules; the
    -- rest (log, config, lrucache, utils, request, ...) are stubs.
    local core = make_stub("apisix.core")
    package.loaded["apisix.core"] = core
    local json = partial("apisix.core.json", {
        encode = cjson_ok and require("cjson.safe").encode or nil,
        decode = cjson_ok and require("cjson.safe").decode or nil,
        null = NULL,
        array_mt = {},
        empty_array = setmetatable({}, {}),
        delay_encode = function(v) return v end,
    })
    package.loaded["apisix.core.json"] = json
    rawset(core, "json", json)
    -- Which module each field is differs between versions (core.schema is
    -- apisix.schema_def in 3.2, apisix.core.schema over it later): read
    -- apisix/core.lua.
    local core_text = read_file(SRC .. "/apisix/core.lua") or ""
    for _, field in ipairs({"string", "table", "version", "schema"}) do
        local modname = core_text:match("\n%s*" .. field .. "%s*=%s*require%(\"([^\"]+)\"%)")
            or ("apisix.core." .. field)
        if not is_real(modname) then
            fail("apisix.core." .. field .. " is " .. modname .. ", which is not loaded for real")
        end
        rawset(core, field, require(modname))
    end
end

---------------------------------------------------------------------------
-- Mode "one": load one plugin module and write its JSON file.
---------------------------------------------------------------------------

local function report(kind, text)
    io.stdout:write("\1", kind, "\t", normalize(text or ""), "\n")
end

local function dump_one(out_dir, kind, modname)
    setup_runtime(kind)
    target_module = modname
    local ok, mod = pcall(require, modname)
    if not ok then
        report("ERROR", mod)
        return
    end
    if type(mod) ~= "table" or stub_names[mod] then
        report("NOTPLUGIN", "module returns " .. type(mod))
        return
    end
    local file_name = modname:match("([^.]+)$")
    if type(rawget(mod, "name")) ~= "string" or type(rawget(mod, "schema")) ~= "table" then
        report("NOTPLUGIN", "module table has no name and schema")
        return
    end
    local name = mod.name
    if name ~= file_name then
        note(kind .. " plugin module " .. modname .. " has name " .. name)
    end

    local dir = kind == "stream" and "stream-plugins" or "plugins"
    local path = dir .. "/" .. name .. ".json"
    local fields = {
        {"name", name},
        {"kind", kind},
        {"priority", mod.priority},
        {"version", mod.version},
        {"type", mod.type},
        {"scope", mod.scope},
        {"has_check_schema", type(mod.check_schema) == "function"},
        {"schema", mod.schema, "schema"},
        {"consumer_schema", mod.consumer_schema, "schema"},
        {"metadata_schema", mod.metadata_schema, "schema"},
    }
    -- APISIX keeps encrypt_fields inside each schema: schema.encrypt_fields
    -- for plugin confs of routes, services, ...; consumer_schema's for
    -- consumers (schema's when there is no consumer_schema); metadata_schema's
    -- for plugin metadata. They stay in the schemas and are copied out here.
    local function encrypt_fields(field, schema)
        if type(schema) ~= "table" or schema.encrypt_fields == nil then
            return
        end
        local ef = schema.encrypt_fields
        if type(ef) ~= "table" or stub_names[ef] then
            note(path .. ": " .. field .. " is a " .. type(ef) .. ", dropped")
            return
        end
        local list = arr()
        for i, v in ipairs(ef) do list[i] = v end
        fields[#fields + 1] = {field, list, "data"}
    end
    encrypt_fields("encrypt_fields", mod.schema)
    encrypt_fields("consumer_encrypt_fields", mod.consumer_schema)
    encrypt_fields("metadata_encrypt_fields", mod.metadata_schema)
    if rawget(mod, "encrypt_fields") ~= nil then
        note(path .. ": the module table itself has encrypt_fields, not dumped")
    end
    for _, f in ipairs(fields) do
        if f[2] ~= nil and type(f[2]) ~= "table" and f[3] == "schema" then
            note(path .. ": " .. f[1] .. " is a " .. type(f[2]) .. ", dropped")
            f[2] = nil
        end
    end
    local text = encode_document(fields, path)
    write_file(out_dir .. "/" .. path, text)
    report("PLUGIN", name)
end

---------------------------------------------------------------------------
-- Mode "resources": dump the JSON schemas of apisix/schema_def.lua.
---------------------------------------------------------------------------

local function is_json_schema(t)
    return type(t) == "table" and not stub_names[t]
        and (t.type ~= nil or t.properties ~= nil or t.anyOf ~= nil
             or t.oneOf ~= nil or t.allOf ~= nil or t["$ref"] ~= nil)
end

local function dump_resources(out_dir)
    setup_runtime("http")
    target_module = "apisix.schema_def"
    local schema_def = require("apisix.schema_def")
    local fields = {}
    local keys = {}
    for k in pairs(schema_def) do keys[#keys + 1] = k end
    sort(keys)
    for _, k in ipairs(keys) do
        local v = schema_def[k]
        if is_json_schema(v) then
            fields[#fields + 1] = {k, v, "schema"}
        elseif type(v) == "table" and not stub_names[v] then
            -- ip_def (a list of schemas), plugin_injected_schema (properties)
            local role = is_sequence(v) and "schema_list" or "schema_map"
            fields[#fields + 1] = {k, v, role}
            note("resources.json: apisix.schema_def." .. k .. " is not a JSON schema; dumped as "
                 .. (role == "schema_list" and "a list of schemas" or "a map of schemas"))
        else
            note("resources.json: apisix.schema_def." .. k .. " is a " .. type(v)
                 .. (type(v) == "table" and " that is not a JSON schema" or "")
                 .. ", not dumped")
        end
    end
    write_file(out_dir .. "/resources.json", encode_document(fields, "resources.json"))
    report("RESOURCES", "")
end

---------------------------------------------------------------------------
-- Mode "run": the driver.
---------------------------------------------------------------------------

local function file_exists(path)
    local f = io.open(path, "rb")
    if f then f:close() return true end
    return false
end


local function list_dir(dir)
    local names = {}
    local p = io.popen("ls -1 '" .. dir .. "' 2>/dev/null")
    for line in p:lines() do names[#names + 1] = line end
    p:close()
    sort(names)
    return names
end

local function shell_quote(s)
    return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- Module names apisix loads as plugins: apisix.plugins.<name> resolves to
-- <name>.lua or, failing that, <name>/init.lua.
local function plugin_modules(dir, prefix)
    local names, seen = {}, {}
    for _, entry in ipairs(list_dir(dir)) do
        local name = entry:match("^(.+)%.lua$")
        if name then
            seen[name] = true
        elseif file_exists(dir .. "/" .. entry .. "/init.lua") then
            name = entry
        end
        if name and not seen[name .. "/"] then
            seen[name .. "/"] = true
            names[#names + 1] = name
        end
    end
    sort(names)
    local modules = {}
    for _, name in ipairs(names) do
        modules[#modules + 1] = prefix .. name
    end
    return modules
end

-- The default plugin lists: apisix/cli/config.lua (3.x since 3.3), else
-- conf/config-default.yaml. Also the entries listed but commented out.
local function default_plugins()
    local enabled = {http = {}, stream = {}}
    local commented = {http = {}, stream = {}}
    local lua_conf = SRC .. "/apisix/cli/config.lua"
    local yaml_conf = SRC .. "/conf/config-default.yaml"
    local source
    if file_exists(lua_conf) then
        source = "apisix/cli/config.lua"
        local text = read_file(lua_conf)
        local chunk = assert(loadfile(lua_conf))
        setfenv(chunk, setmetatable({}, {__index = _G}))
        local conf = chunk()
        for _, n in ipairs(conf.plugins or {}) do insert(enabled.http, n) end
        for _, n in ipairs(conf.stream_plugins or {}) do insert(enabled.stream, n) end
        local block = text:match("\n  plugins = {(.-)\n  },")
        if block then
            for n in block:gmatch('\n%s*%-%-%s*"([%w_%-]+)",?%s*\n') do
                insert(commented.http, n)
            end
        end
        local sblock = text:match("\n  stream_plugins = {(.-)}")
        if sblock then
            for n in sblock:gmatch('%-%-%s*"([%w_%-]+)"') do
                insert(commented.stream, n)
            end
        end
    elseif file_exists(yaml_conf) then
        source = "conf/config-default.yaml"
        local section
        for line in io.lines(yaml_conf) do
            if line:match("^plugins:") then
                section = "http"
            elseif line:match("^stream_plugins:") then
                section = "stream"
            elseif line:match("^%S") then
                section = nil
            elseif section then
                local n = line:match("^%s+%-%s*([%w_%-]+)")
                if n then
                    insert(enabled[section], n)
                else
                    n = line:match("^%s+#%s*%-%s*([%w_%-]+)")
                    if n then insert(commented[section], n) end
                end
            end
        end
    end
    for _, k in ipairs({"http", "stream"}) do
        sort(enabled[k])
        sort(commented[k])
    end
    return enabled, commented, source
end

local function run_child(args)
    local cmd = "luajit " .. shell_quote(SCRIPT)
    for _, a in ipairs(args) do
        cmd = cmd .. " " .. shell_quote(a)
    end
    cmd = cmd .. " 2>&1"
    local p = io.popen(cmd)
    local res = {notes = {}}
    local other = {}
    for line in p:lines() do
        local kind, text = line:match("^\1(%u+)\t(.*)$")
        if kind == "NOTE" then
            insert(res.notes, text)
        elseif kind then
            res.kind, res.text = kind, text
        else
            insert(other, line)
        end
    end
    p:close()
    if not res.kind then
        res.kind = "ERROR"
        res.text = "child process failed: " .. normalize(concat(other, " | "))
    end
    return res
end

local function run(out_dir, commit)
    local version = (read_file(SRC .. "/apisix/core/version.lua") or "")
        :match('VERSION%s*=%s*"([^"]+)"')
    if not version then fail("no VERSION in apisix/core/version.lua") end

    local all_notes = {}
    local manifest_plugins = {http = arr(), stream = arr()}
    local not_loaded = arr()
    local loaded, total = 0, 0

    local res = run_child({"resources", SRC, out_dir})
    for _, n in ipairs(res.notes) do insert(all_notes, n) end
    if res.kind ~= "RESOURCES" then
        fail("resources: " .. tostring(res.text))
    end

    local sets = {
        {"http", plugin_modules(SRC .. "/apisix/plugins", "apisix.plugins.")},
        {"stream", plugin_modules(SRC .. "/apisix/stream/plugins", "apisix.stream.plugins.")},
    }
    for _, set in ipairs(sets) do
        local kind, modules = set[1], set[2]
        for _, modname in ipairs(modules) do
            total = total + 1
            io.stderr:write(kind, " ", modname, "\n")
            local r = run_child({"one", SRC, out_dir, kind, modname})
            for _, n in ipairs(r.notes) do insert(all_notes, modname .. ": " .. n) end
            if r.kind == "PLUGIN" then
                loaded = loaded + 1
                insert(manifest_plugins[kind], r.text)
            elseif r.kind == "NOTPLUGIN" then
                loaded = loaded + 1
                insert(all_notes, modname .. " loads but is not a plugin: " .. r.text)
            else
                insert(not_loaded, obj({module = modname, error = r.text}))
            end
        end
    end
    sort(manifest_plugins.http)
    sort(manifest_plugins.stream)

    local enabled, commented, source = default_plugins()
    if source then
        insert(all_notes, "default plugin lists read from " .. source)
        for _, k in ipairs({"http", "stream"}) do
            if #commented[k] > 0 then
                insert(all_notes, "listed but commented out in " .. source .. " (" .. k
                       .. "): " .. concat(commented[k], ", "))
            end
            local dumped = {}
            for _, n in ipairs(manifest_plugins[k]) do dumped[n] = true end
            for _, n in ipairs(enabled[k]) do
                if not dumped[n] then
                    insert(all_notes, "enabled by default but not dumped (" .. k .. "): " .. n)
                end
            end
        end
    else
        insert(all_notes, "no default plugin list found")
    end
    insert(all_notes, 1, string.format("%d of %d modules loaded", loaded, total))

    local manifest = {
        {"apisix_version", version},
        {"commit", commit},
        {"tool", "tools/apisix-schemas"},
        {"plugins", manifest_plugins.http},
        {"stream_plugins", manifest_plugins.stream},
        {"enabled_by_default", obj({http = arr(enabled.http), stream = arr(enabled.stream)})},
        {"not_loaded", not_loaded},
        {"notes", arr(all_notes)},
    }
    notes = {}
    local text = encode_document(manifest, "manifest.json")
    if #notes > 0 then
        fail("manifest: " .. concat(notes, "; "))
    end
    write_file(out_dir .. "/manifest.json", text)
    io.stderr:write(string.format("%s: %d of %d modules loaded, %d http and %d stream plugins\n",
        version, loaded, total, #manifest_plugins.http, #manifest_plugins.stream))
end

---------------------------------------------------------------------------

if MODE == "run" then
    local out_dir, commit = arg[3], arg[4]
    if not out_dir or not commit then
        fail("usage: luajit dump.lua run SRC_DIR OUT_DIR COMMIT")
    end
    run(out_dir, commit)
elseif MODE == "one" then
    local out_dir, kind, modname = arg[3], arg[4], arg[5]
    if not modname then
        fail("usage: luajit dump.lua one SRC_DIR OUT_DIR KIND MODULE")
    end
    dump_one(out_dir, kind, modname)
    for _, n in ipairs(notes) do report("NOTE", n) end
    io.stdout:flush()
    os.exit(0)
elseif MODE == "resources" then
    local out_dir = arg[3]
    dump_resources(out_dir)
    for _, n in ipairs(notes) do report("NOTE", n) end
    io.stdout:flush()
    os.exit(0)
else
    fail("unknown mode " .. MODE)
end

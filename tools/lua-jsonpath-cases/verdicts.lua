-- Record what lua-jsonpath's parse says of each expression.
-- usage: luajit verdicts.lua LUA_JSONPATH_DIR CASES.json > VERDICTS.json
-- LUA_JSONPATH_DIR holds jsonpath.lua (the `jsonpath` 1.0 rock APISIX depends on);
-- needs lpeg and cjson (Debian: lua-lpeg, lua-cjson). Output: [[expression, error or null], ...]
local dir, input = arg[1], arg[2]
package.path = dir .. "/?.lua;" .. package.path
local jp = require("jsonpath")
local cjson = require("cjson")
local file = assert(io.open(input))
local cases = cjson.decode(file:read("*a"))
file:close()
local out = {}
for _, expression in ipairs(cases) do
  local ok, result, err = pcall(jp.parse, expression)
  if not ok then
    out[#out + 1] = { expression, "ERROR: " .. tostring(result) }
  elseif result == nil then
    out[#out + 1] = { expression, err }
  else
    out[#out + 1] = { expression, cjson.null }
  end
end
print(cjson.encode(out))

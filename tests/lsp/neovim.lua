-- `gwlint lsp` driven by headless Neovim's own LSP client (vim.lsp, Neovim 0.7+),
-- run by tests/lsp_neovim.rs as
--   GWLINT_BIN=... GWLINT_FIXTURE=... nvim --headless -u NONE -c 'luafile tests/lsp/neovim.lua'
-- It opens fixtures/lsp/staging/orders.yaml, edits it, and asserts the diagnostics
-- (Neovim converts the UTF-16 columns to byte columns), a completion list and a
-- hover. Exits 0 when every assertion holds, else 1 with the failure on stderr.

local function fail(message)
  io.stderr:write('FAIL: ' .. message .. '\n')
  vim.cmd('cquit 1')
end

local function run()
  local bin = os.getenv('GWLINT_BIN')
  local fixture = os.getenv('GWLINT_FIXTURE')
  local file = fixture .. '/staging/orders.yaml'
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].filetype = 'yaml'
  local client_id = vim.lsp.start_client({
    name = 'gwlint',
    cmd = { bin, 'lsp', '--debounce-ms', '10' },
    root_dir = fixture,
  })
  if not client_id then
    return fail('the client did not start')
  end
  vim.lsp.buf_attach_client(buf, client_id)
  local ok = vim.wait(20000, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.code == 'policy/upstream-needs-health-checks' then
        return true
      end
    end
    return false
  end, 50)
  if not ok then
    return fail('no diagnostics for the opened file')
  end

  -- Edit: a label value that is not a string after non-ASCII text, and a typo.
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, {
    'services:',
    '  - name: orders',
    '    labels: {team: "é😀", owner: [1]}',
    '    upstream:',
    '      type: roundrobin',
    '      nodes:',
    '        - host: orders.svc',
    '          port: 8080',
    '          weight: 100',
    '    plugins:',
    '      limit-cont: {}',
  })
  local found
  ok = vim.wait(20000, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if d.code == 'schema/unknown-plugin' then
        found = vim.diagnostic.get(buf)
        return true
      end
    end
    return false
  end, 50)
  if not ok then
    return fail('no diagnostics after the edit')
  end
  local label, plugin
  for _, d in ipairs(found) do
    if d.code == 'schema/service' then label = d end
    if d.code == 'schema/unknown-plugin' then plugin = d end
  end
  if not label then return fail('no schema/service diagnostic') end
  -- Byte columns: `é` is 2 bytes, the emoji 4; `[1]` starts at byte 36.
  if label.lnum ~= 2 or label.col ~= 36 or label.end_col ~= 39 then
    return fail(string.format('schema/service at %d:%d-%d', label.lnum, label.col, label.end_col))
  end
  if label.severity ~= vim.diagnostic.severity.ERROR or label.source ~= 'gwlint' then
    return fail('schema/service severity or source')
  end
  if plugin.lnum ~= 10 or plugin.col ~= 6 or plugin.end_col ~= 16 then
    return fail(string.format('schema/unknown-plugin at %d:%d-%d', plugin.lnum, plugin.col, plugin.end_col))
  end

  -- Completion of plugin names under `plugins:`.
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = 10, character = 9 },
  }
  local responses = vim.lsp.buf_request_sync(buf, 'textDocument/completion', params, 20000)
  local labels = {}
  for _, response in pairs(responses or {}) do
    local result = response.result or {}
    for _, item in ipairs(result.items or result) do
      labels[item.label] = true
    end
  end
  if not (labels['limit-count'] and labels['limit-conn'] and labels['key-auth']) then
    return fail('completion: ' .. vim.inspect(vim.tbl_keys(labels)))
  end

  -- Hover on the unknown plugin: the rule's documentation.
  local hovers = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 20000)
  local text = ''
  for _, response in pairs(hovers or {}) do
    if response.result then text = response.result.contents.value end
  end
  if not text:find('# schema/unknown-plugin: ', 1, true) then
    return fail('hover: ' .. text)
  end
  vim.lsp.stop_client(client_id)
  io.stderr:write('neovim: all assertions hold\n')
  vim.cmd('qall!')
end

local ok, err = pcall(run)
if not ok then
  fail(tostring(err))
end

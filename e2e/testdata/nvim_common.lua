-- Helpers shared by the nvim-dap scripts of the e2e tests: a transcript
-- of what was seen ($DAPT_TRANSCRIPT, one JSON object a line), bounded
-- waits, and marker lines. Every wait is a vim.wait on a condition,
-- bounded by TIMEOUT.
local M = {}
M.TIMEOUT = 30000

local out = assert(io.open(os.getenv('DAPT_TRANSCRIPT'), 'w'))
function M.record(t)
  out:write(vim.json.encode(t), '\n')
  out:flush()
end

function M.close()
  out:close()
end

function M.wait_for(what, cond)
  if not vim.wait(M.TIMEOUT, cond, 10) then
    error('timed out waiting for ' .. what)
  end
end

-- find_line returns the line of the first occurrence of marker in file.
function M.find_line(file, marker)
  local n = 0
  for line in io.lines(file) do
    n = n + 1
    if line:find(marker, 1, true) then
      return n
    end
  end
  error(marker .. ' not in ' .. file)
end

-- request sends a request on session and waits for its answer.
function M.request(session, command, args)
  local done, err, body = false, nil, nil
  session:request(command, args, function(e, b)
    done, err, body = true, e, b
  end)
  M.wait_for(command .. ' response', function() return done end)
  if err then
    error(command .. ' failed: ' .. vim.inspect(err))
  end
  return body
end

-- run runs the script's body, records how it ended and leaves Neovim:
-- with an error status when the body failed.
function M.run(body)
  local ok, err = pcall(body)
  if not ok then
    M.record({ what = 'error', message = tostring(err) })
  end
  M.record({ what = 'done' })
  M.close()
  vim.cmd(ok and 'qa!' or 'cq!')
end

return M

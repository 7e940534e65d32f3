-- Drives dap-ptrace from nvim-dap in a headless Neovim, for TestNvimDapFork:
-- a program that forks, debugged with the README's configuration; each
-- child comes back as a child session that nvim-dap starts for the
-- adapter's startDebugging request. It writes what it saw to
-- $DAPT_TRANSCRIPT, one JSON object a line. Every wait is a vim.wait on a
-- condition, bounded by TIMEOUT.
local h = dofile(os.getenv('DAPT_COMMON'))
local record, wait_for, find_line, request = h.record, h.wait_for, h.find_line, h.request

local dap = require('dap')
dofile(os.getenv('DAPT_CONFIG'))

-- Every session's stops and exits, with the session they came from.
local stops, exits = {}, {}
dap.listeners.after.event_stopped['dapt'] = function(session, body)
  table.insert(stops, { session = session, body = body })
end
dap.listeners.after.event_exited['dapt'] = function(session, body)
  table.insert(exits, { child = session.parent ~= nil, code = body.exitCode })
end

local function stop_in(child)
  for i, s in ipairs(stops) do
    if (s.session.parent ~= nil) == child then
      table.remove(stops, i)
      return s
    end
  end
end

h.run(function()
  local program, source = os.getenv('DAPT_PROGRAM'), os.getenv('DAPT_SOURCE')
  vim.cmd('edit ' .. vim.fn.fnameescape(source))
  vim.api.nvim_win_set_cursor(0, { find_line(source, 'BP:work'), 0 })
  dap.set_breakpoint()
  dap.run(vim.tbl_extend('force', dap.configurations.c[1], { program = program }))

  -- The forked child stops at work, in a session of its own.
  local child
  wait_for('a stop in a child session', function()
    child = stop_in(true)
    return child ~= nil
  end)
  local st = request(child.session, 'stackTrace', { threadId = child.body.threadId, startFrame = 0, levels = 5 })
  record({ what = 'child-stopped', name = st.stackFrames[1].name, line = st.stackFrames[1].line,
    threadId = child.body.threadId })
  request(child.session, 'continue', { threadId = child.body.threadId })

  -- The parent, once its child ended, stops at its own call.
  local parent
  wait_for('the parent to stop', function()
    parent = stop_in(false)
    return parent ~= nil
  end)
  st = request(parent.session, 'stackTrace', { threadId = parent.body.threadId, startFrame = 0, levels = 5 })
  record({ what = 'parent-stopped', name = st.stackFrames[1].name, line = st.stackFrames[1].line })
  request(parent.session, 'continue', { threadId = parent.body.threadId })

  -- Each session reports its own exit, in its own time: the parent's and
  -- both children's (system()'s shell and the forked child).
  wait_for('every session to exit', function()
    local children, parent = 0, 0
    for _, e in ipairs(exits) do
      if e.child then
        children = children + 1
      else
        parent = parent + 1
      end
    end
    return children >= 2 and parent >= 1
  end)
  for _, e in ipairs(exits) do
    record({ what = e.child and 'child-exited' or 'parent-exited', code = e.code })
  end
end)

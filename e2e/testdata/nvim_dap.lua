-- Drives dap-ptrace from nvim-dap in a headless Neovim, for TestNvimDap.
-- It loads the README's nvim-dap configuration (extracted by the Go test),
-- uses nvim-dap's own API as a user's key mappings would, and writes what it
-- observed to $DAPT_TRANSCRIPT, one JSON object a line, for the Go test to
-- check. Every wait is a vim.wait on a condition, bounded by TIMEOUT.
local h = dofile(os.getenv('DAPT_COMMON'))
local record, wait_for, find_line = h.record, h.wait_for, h.find_line

-- request sends a request on the current session and waits for its answer.
local function request(command, args)
  return h.request(assert(require('dap').session(), 'no session for ' .. command), command, args)
end

local dap = require('dap')
dofile(os.getenv('DAPT_CONFIG'))

local events = { stopped = {}, output = {}, process = {}, exited = {}, terminated = 0 }
for _, ev in ipairs({ 'stopped', 'output', 'process', 'exited' }) do
  dap.listeners.after['event_' .. ev]['dapt'] = function(_, body)
    table.insert(events[ev], body)
  end
end
dap.listeners.after.event_terminated['dapt'] = function()
  events.terminated = events.terminated + 1
end

-- breakpoint_at puts nvim-dap's breakpoint on the marked line of a buffer,
-- as a user does with the cursor on it.
local function breakpoint_at(file, marker)
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  vim.api.nvim_win_set_cursor(0, { find_line(file, marker), 0 })
  dap.set_breakpoint()
end

local function top_frame(thread)
  local st = request('stackTrace', { threadId = thread, startFrame = 0, levels = 20 })
  return st.stackFrames[1], st.stackFrames
end

-- variables returns the frame's scope names and its arguments and locals
-- by name, as nvim-dap's scopes widget would fetch them.
local function variables(frame)
  local names, vars = {}, {}
  for _, s in ipairs(request('scopes', { frameId = frame.id }).scopes) do
    table.insert(names, s.name)
    if s.name == 'Arguments' or s.name == 'Locals' then
      for _, v in ipairs(request('variables', { variablesReference = s.variablesReference }).variables) do
        vars[v.name] = v.value
      end
    end
  end
  return names, vars
end

local function launch()
  local program, source = os.getenv('DAPT_PROGRAM'), os.getenv('DAPT_SOURCE')
  breakpoint_at(source, 'BP:scale')
  -- The README's launch configuration; the test gives what a user would
  -- type at the prompt, and the arguments and environment.
  local config = vim.tbl_extend('force', dap.configurations.c[1], {
    program = program,
    args = { '7' },
    env = { GREETING = 'hello from nvim' },
  })
  dap.run(config)
  wait_for('the stopped event', function() return #events.stopped >= 1 end)
  local stop = events.stopped[1]
  record({ what = 'stopped', reason = stop.reason, threadId = stop.threadId })
  record({ what = 'process', pid = events.process[1] and events.process[1].systemProcessId })

  local frame, frames = top_frame(stop.threadId)
  local names = {}
  for _, f in ipairs(frames) do
    table.insert(names, f.name)
  end
  record({ what = 'stack', frames = names, line = frame.line, path = frame.source and frame.source.path })

  local scope_names, vars = variables(frame)
  record({ what = 'scopes', names = scope_names, vars = vars })

  local before = #events.stopped
  dap.step_over()
  wait_for('the stop after next', function() return #events.stopped > before end)
  frame = top_frame(events.stopped[#events.stopped].threadId)
  local _, vars_after = variables(frame)
  record({ what = 'next', reason = events.stopped[#events.stopped].reason, line = frame.line, name = frame.name,
    vars = vars_after })

  dap.continue()
  wait_for('the terminated event', function() return events.terminated >= 1 end)
  local stdout = {}
  for _, o in ipairs(events.output) do
    if o.category == 'stdout' then
      table.insert(stdout, o.output)
    end
  end
  record({ what = 'exited', code = events.exited[1] and events.exited[1].exitCode, stdout = table.concat(stdout) })
  wait_for('nvim-dap to close the session', function() return dap.session() == nil end)
  record({ what = 'closed' })
end

local function attach()
  local pid, source = tonumber(os.getenv('DAPT_ATTACH_PID')), os.getenv('DAPT_ATTACH_SOURCE')
  dap.clear_breakpoints()
  breakpoint_at(source, 'BP:tick')
  events.stopped, events.terminated = {}, 0
  -- The README's attach configuration, with the process a user would pick.
  dap.run(vim.tbl_extend('force', dap.configurations.c[2], { pid = pid }))
  wait_for('the stopped event after attaching', function() return #events.stopped >= 1 end)
  local stop = events.stopped[1]
  local frame = top_frame(stop.threadId)
  record({ what = 'attached', reason = stop.reason, line = frame.line, name = frame.name })
  local done = false
  dap.disconnect({ terminateDebuggee = false }, function() done = true end)
  wait_for('the disconnect', function() return done end)
  dap.close()
  wait_for('nvim-dap to close the attach session', function() return dap.session() == nil end)
  record({ what = 'detached' })
end

h.run(function()
  launch()
  attach()
end)

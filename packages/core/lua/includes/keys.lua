--[[ keys.lua — key suffixes under a queue's base `{prefix:queue}:`.
Must agree with QueueKeys in src/keys.ts (a test checks it). Every key a
script builds shares the queue's hash tag, so one script touches one slot. ]]
-- An integer as a command argument. Passed as a Lua number, Redis turns it into a string
-- through "%.17g" float formatting, per argument: a measurable share of a batch's time when
-- it happens per task (times, attempt numbers). '%d' is cheap; a batch formats `now` once.
local function int(n) return string.format('%d', n) end
local function taskKey(base, id) return base .. 't:' .. id end
local function depsKey(base, id) return base .. 'deps:' .. id end
local function doneKey(base, state) return base .. 'done:' .. state end
local function windowKey(base, worker) return base .. 'win:' .. worker end
local function runningKey(base, worker) return base .. 'run:' .. worker end
-- A worker's inbox: the tasks a submit handed straight to it while it was idle (handoff.lua).
local function inboxKey(base, worker) return base .. 'inbox:' .. worker end
-- Set while an operator has paused the queue: no task of it starts anywhere (pauseQueue-2.lua).
local function pausedKey(base) return base .. 'paused' end
-- Flow control (flow.lua): a limit instance's running set, start log and held tasks.
local function flowRunKey(base, inst) return base .. 'fc:run:' .. inst end
local function flowLogKey(base, inst) return base .. 'fc:log:' .. inst end
local function flowHeldKey(base, inst) return base .. 'fc:held:' .. inst end
local function secondKey(base, now) return base .. 'sec:' .. int(math.floor(now / 1000)) end
local PRIORITY_BAND = 1e13
local function readyScore(priority, seq)
  -- A damaged stored priority (not 1-10) queues at the default 5 rather than failing the script.
  local p = tonumber(priority)
  if not p or p < 1 or p > 10 then p = 5 end
  -- '%d', not '%.0f': both print the whole number exactly (below 1e14), and '%d' is an integer
  -- conversion where '%.0f' is C's float formatting, several times dearer, per queued task.
  return string.format('%d', (10 - p) * PRIORITY_BAND + seq)
end
-- Variadic commands over long lists, in chunks that stay below Lua's unpack limit.
local function bulk(cmd, key, list)
  local n = #list
  local i = 1
  while i <= n do
    local j = math.min(i + 3999, n)
    redis.call(cmd, key, unpack(list, i, j))
    i = j + 1
  end
end

-- A task's group, from its stored spec (`d`): the encoder writes it last as "g", and a group holds
-- only letters, digits and `_ . : @ -` (src/task/codec.ts), so a pattern finds it without decoding.
local function groupOf(spec)
  if not spec then return nil end
  return string.match(spec, ',"g":"([%w_.:@-]+)"}$')
end
-- A task's type, from its stored spec: first, as "t" (src/task/codec.ts). A type with an escaped
-- character is decoded properly; nil when the spec is damaged.
local function typeOf(spec)
  if not spec then return nil end
  local t = string.match(spec, '^{"t":"([^"\\]*)"')
  if t then return t end
  local ok, d = pcall(cjson.decode, spec)
  if ok and type(d) == 'table' and type(d.t) == 'string' then return d.t end
  return nil
end

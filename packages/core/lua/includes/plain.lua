--[[ plain.lua — whether a queue uses none of its optional structures: no
pause, no limits, no task with a deadline, with dependents, or scheduled.
Such a queue (the common case) has none of those keys, and one EXISTS over
all of them answers what a worker's round would otherwise ask one key at a
time (EXISTS paused, HGETALL flow, ZCARD dl, SCARD parents, ZRANGE sched): at
low rates a round is a task, and each of those reads was a command per task.
A queue that uses any of them pays the one EXISTS more, then reads as before.
The answer is kept in the call's record (rec['?plain']: no counter or event
key starts with '?'). It holds for the whole call: a script that finds the
queue plain creates none of those keys (a round completes, starts and claims;
only submits, retries and operators make them). ]]
-- @include keys
-- @include call

-- One EXISTS over every optional structure's key: true when the queue has none.
local function queueIsPlain(base)
  return rcall('EXISTS', pausedKey(base), base .. 'flow', base .. 'dl', base .. 'parents', base .. 'sched') == 0
end

-- Keeps the answer in the call's record; a plain queue has no limits either, so flowState
-- (flow.lua) needs no HGETALL of its own.
local function rememberPlain(rec, plain)
  rec['?plain'] = plain
  if plain and rec.flow == nil then rec.flow = false end
end

local function plainQueue(rec, base)
  local plain = rec['?plain']
  if plain == nil then
    plain = queueIsPlain(base)
    rememberPlain(rec, plain)
  end
  return plain
end

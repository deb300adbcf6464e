--[[ handout.lua — what a worker receives for each task it claims or steals:
the task's stored fields, unless its deadline has passed, in which case it
ends `expired` here instead of being handed out. ]]
-- @include keys
-- @include record
-- @include lifecycle
local HANDOUT_WIDTH = 7 -- id, score, attempt, started, spec, payload, deadline

-- Handed out as text, a value per line (an inbox message, a round's reply: replyText), every
-- value must be one line. Ids, scores and numbers are; a spec and a payload are JSON, which dtps
-- writes without a raw newline. In a damaged stored value a newline becomes a carriage return:
-- between JSON's tokens both are whitespace, and inside a string both are refused, so the value
-- decodes (or fails to) as before, and one task's bad data cannot shift the lines of the tasks
-- after it.
local function oneLine(text)
  if string.find(text, '\n', 1, true) then return (string.gsub(text, '\n', '\r')) end
  return text
end

-- The HANDOUT_WIDTH values of one task, in their order, appended to `out`, every one a string:
-- table.concat writes a Lua number with C's '%.14g' float formatting, a few thousand
-- instructions each (and rounded from 1e14 on). `attempt`: the attempt number's text.
local function appendHandout(out, id, score, attempt, started, spec, payload, deadline)
  local n = #out -- once: `#` on a long table is not free
  out[n + 1] = id; out[n + 2] = score; out[n + 3] = attempt
  out[n + 4] = started and '1' or '0'; out[n + 5] = oneLine(spec); out[n + 6] = oneLine(payload)
  out[n + 7] = deadline and oneLine(deadline) or ''
end

-- A round's reply as one text, its values one a line (cycleTasks-6.lua: `out` as it builds it,
-- `nm` inbox messages from out[5] on). Redis replies with one bulk string instead of a few
-- hundred values (seven a claimed task), which costs Redis less to write and the worker far less
-- to read: its client decodes one value, and the text splits at once. An inbox message is
-- already such lines (handTo); each goes in after the number of tasks it holds, 0 for a
-- message that is no handoff (the '0' a stopping worker pushes to wake itself), which then
-- leaves its text out.
local function replyText(out, nm)
  for i = 5, 4 + nm do
    local message, lines, pos = out[i], 1, 1
    while true do
      local nl = string.find(message, '\n', pos, true)
      if not nl then break end
      lines, pos = lines + 1, nl + 1
    end
    if lines % HANDOUT_WIDTH == 0 then
      out[i] = int(lines / HANDOUT_WIDTH) .. '\n' .. message
    else
      out[i] = '0'
    end
  end
  return table.concat(out, '\n')
end

-- The same values as one task's inbox message, the lines table.concat would join, without a
-- table (a lone task handed off at submit: handoff.lua).
local function handoutText(id, score, attempt, started, spec, payload, deadline)
  return id .. '\n' .. score .. '\n' .. attempt .. '\n' .. (started and '1' or '0') .. '\n' .. oneLine(spec) .. '\n'
    .. oneLine(payload) .. '\n' .. (deadline and oneLine(deadline) or '')
end

-- A task whose stored data is damaged ends `failed` with reason `corrupt_task`
-- (quarantine) instead of being handed out: its key is not a hash (replaced by
-- the failed task's record), or its hash has no spec (a missing hash included).
-- What does not decode in a spec that is there, the worker finds and reports.
local function quarantine(rec, base, now, id, message, worker)
  local err = cjson.encode({ message = 'task ' .. id .. ': ' .. message, reason = 'corrupt_task', at = now })
  finish(rec, base, now, id, 'failed', 'corrupt_task', err, worker)
end

-- The stored fields a handout needs (an error reply, not a raise, when the key is not a hash).
-- `noDeadlines`: the queue is plain (plain.lua), so no task of it has a deadline, and the field
-- is not asked for (a field a hash lacks is a look through all of its fields).
local function readForHandout(base, id, tkey, noDeadlines)
  if noDeadlines then return redis.pcall('HMGET', tkey or taskKey(base, id), 'd', 'pl', 'a') end
  return redis.pcall('HMGET', tkey or taskKey(base, id), 'd', 'pl', 'a', 'dl')
end

-- A started task's new attempt number as an argument string. The first few as literals: a
-- claim starts hundreds of tasks, nearly all on an early attempt, and string.format per task
-- was a share of its Lua time.
local ATTEMPT_ARGS = { '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15', '16' }
ATTEMPT_ARGS[0] = '0' -- a reserved task's before its first attempt
local function attemptArgOf(attempt)
  return ATTEMPT_ARGS[attempt] or int(attempt)
end

-- Appends the task to `out` and returns true, or expires it and returns false. A started
-- task also returns its new attempt number as an argument string (for the running set).
-- `nowArg`: `now` as an argument string (see int in keys.lua).
-- `read`: what readForHandout returned, when the caller has read it already (flow.lua's
-- admission reads the spec first). `plain`: the queue is plain (see readForHandout).
local function handout(rec, base, now, out, id, score, started, worker, nowArg, read, plain)
  local tkey = taskKey(base, id)
  local f = read or readForHandout(base, id, tkey, plain)
  if f.err then
    local kind = redis.call('TYPE', tkey).ok
    redis.call('DEL', tkey)
    quarantine(rec, base, now, id, 'its key held a ' .. tostring(kind) .. ', not a hash; it was replaced by this record', worker)
    return false
  end
  if not f[1] then
    local missing = redis.call('EXISTS', tkey) == 0
    quarantine(rec, base, now, id, missing and 'its hash was missing' or 'its hash has no spec (field d)', worker)
    return false
  end
  local deadline = f[4] and tonumber(f[4]) -- most tasks have none: no call then
  if deadline and deadline <= now then
    finish(rec, base, now, id, 'expired', 'deadline', nil, worker)
    return false
  end
  local attempt = 0 -- most tasks are on their first attempt
  if f[3] and f[3] ~= '0' then
    attempt = tonumber(f[3])
    -- tonumber takes 'nan' and 'inf' too: only a whole count below 2^53 is an attempt count.
    if not attempt or attempt ~= attempt or attempt < 0 or attempt >= 2 ^ 53 or attempt % 1 ~= 0 then
      quarantine(rec, base, now, id, 'its attempt count (field a) is not a whole number: ' .. string.sub(f[3], 1, 40), worker)
      return false
    end
  end
  local attemptArg
  if started then
    attempt = attempt + 1
    attemptArg = attemptArgOf(attempt)
    redis.call('HSET', tkey, 's', 'running', 'a', attemptArg, 'w', worker, 'st', nowArg or int(now))
    appendHandout(out, id, score, attemptArg, true, f[1], f[2], f[4])
  else
    appendHandout(out, id, score, attemptArgOf(attempt), false, f[1], f[2], f[4])
  end
  return true, attemptArg
end

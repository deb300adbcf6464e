--[[ retryTask-1.lua — an operator retries a task that has ended: a new
attempt series (attempts back to 0; the error history is kept). The task
becomes queued, or pending if a dependency has not finished yet. Refused when
a dependency ended unsuccessfully or is gone (retry that one first), or when
the deadline has passed.

KEYS[1] task       {p:q}:t:<id>       hash
ARGV[1] base       `{p:q}:`
ARGV[2] now        ms since the epoch
ARGV[3] maxLen     approximate length cap of the event stream
ARGV[4] id         task id
Returns { 1, new state } when retried, or a refusal (the codes of
src/scripts/calls/error-codes.ts): { -1 } no such task; { -3, state } not
ended yet; { -5, dependency id, its state or '' } a dependency is not
succeeded and cannot be; { -6 } the deadline has passed; { -7 } its stored spec
cannot be read (a quarantined task: there is nothing to run again).
]]
-- @include keys
-- @include record
-- @include lifecycle
local rec = newRecord() -- this call's events and counters (see record.lua)

local base, now, maxLen, id = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local f = redis.call('HMGET', KEYS[1], 's', 'd', 'p', 'dl')
local state = f[1]
if not state then return { -1 } end
if not TERMINAL[state] then return { -3, state } end
local deadline = tonumber(f[4])
if deadline and deadline <= now then return { -6 } end
local decoded, spec = pcall(cjson.decode, f[2] or '')
if not decoded or type(spec) ~= 'table' then return { -7 } end
local waitingOn = {}
for _, dep in ipairs(spec.dp or {}) do
  local s = redis.call('HGET', taskKey(base, dep), 's')
  if s ~= 'succeeded' then
    if not s or TERMINAL[s] then return { -5, dep, s or '' } end
    waitingOn[#waitingOn + 1] = dep
  end
end
redis.call('ZREM', doneKey(base, state), id)
redis.call('HDEL', KEYS[1], 'r', 'e', 'rs', 'ft', 'st', 'w', 'pg')
redis.call('HSET', KEYS[1], 'a', 0)
if deadline then redis.call('ZADD', base .. 'dl', deadline, id) end
count(rec, 'operator_retries', 1)
local newState
if #waitingOn > 0 then
  for _, dep in ipairs(waitingOn) do
    redis.call('SADD', depsKey(base, dep), id)
    redis.call('SADD', base .. 'parents', dep)
  end
  redis.call('HSET', KEYS[1], 's', 'pending', 'wt', #waitingOn)
  redis.call('SADD', base .. 'pending', id)
  note(rec, 'pending', id, 'operator_retry', nil)
  newState = 'pending'
else
  enqueue(rec, base, id, f[3], 'operator_retry', nil)
  wake(base)
  newState = 'queued'
end
flush(rec, base, now, maxLen)
return { 1, newState }

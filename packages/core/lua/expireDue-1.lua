--[[ expireDue-1.lua — the deadline sweep: tasks past their deadline that have
not started (pending, scheduled, queued, reserved) end `expired` and their
dependents are cancelled. Running tasks are left to their worker, which
aborts them at the deadline (and to recovery, if the worker is dead).

KEYS[1] deadlines  {p:q}:dl           zset id → deadline (ms)
ARGV[1] base       `{p:q}:`
ARGV[2] now        ms since the epoch
ARGV[3] maxLen     approximate length cap of the event stream
ARGV[4] limit      entries to look at at most
Returns the number of tasks expired.
]]
-- @include keys
-- @include record
-- @include lifecycle
-- @include locate
local rec = newRecord() -- this call's events and counters (see record.lua)

local base, now, maxLen = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[4]))
if #due == 0 then return 0 end
bulk('ZREM', KEYS[1], due)
local expired = 0
for _, id in ipairs(due) do
  local state = redis.call('HGET', taskKey(base, id), 's')
  if state and not TERMINAL[state] and state ~= 'running' then
    takeOut(rec, base, now, id, state, nil)
    finish(rec, base, now, id, 'expired', 'deadline', nil, nil)
    expired = expired + 1
  end
end
flush(rec, base, now, maxLen)
return expired

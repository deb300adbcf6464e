--[[ startTasks-2.lua — a worker starts tasks from its window. A task that is
no longer in the window (stolen, handed back, recovered, cancelled) is not
started; one past its deadline ends expired. The deadline is read from the
deadline index (one ZMSCORE for the batch), not taken from the caller.

KEYS[1] window     {p:q}:win:<w>      zset id → readyScore
KEYS[2] running    {p:q}:run:<w>      zset id → attempt
ARGV[1] base       `{p:q}:`
ARGV[2] now        ms since the epoch
ARGV[3] maxLen     approximate length cap of the event stream
ARGV[4] worker     worker id
ARGV[5..]          2 values per task: id, attempt (the new attempt number)
Returns one code per task: 1 started, 0 not in the window, -1 expired.
]]
-- @include keys
-- @include record
-- @include lifecycle

local base, now, maxLen, worker = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local ids = {}
for o = 5, #ARGV, 2 do ids[#ids + 1] = ARGV[o] end
local present = redis.call('ZMSCORE', KEYS[1], unpack(ids))
local deadlines = redis.call('ZMSCORE', base .. 'dl', unpack(ids))
local out, taken, running, startedIds = {}, {}, {}, {}
for i, id in ipairs(ids) do
  local o = 5 + (i - 1) * 2
  if not present[i] then
    out[i] = 0
  else
    taken[#taken + 1] = id
    local deadline = tonumber(deadlines[i])
    if deadline and deadline <= now then
      finish(base, now, id, 'expired', 'deadline', nil, worker)
      out[i] = -1
    else
      redis.call('HSET', taskKey(base, id), 's', 'running', 'a', ARGV[o + 1], 'w', worker, 'st', now)
      running[#running + 1] = ARGV[o + 1]; running[#running + 1] = id
      startedIds[#startedIds + 1] = id
      out[i] = 1
    end
  end
end
if #taken > 0 then bulk('ZREM', KEYS[1], taken) end
if #running > 0 then
  bulk('ZADD', KEYS[2], running)
  note('running', table.concat(startedIds, ' '), nil, worker)
  count('started', #startedIds)
end
flush(base, now, maxLen)
return out

--[[ startTasks-2.lua — a worker starts tasks from its window. A task that is
no longer in the window (stolen, handed back, recovered, cancelled) is not
started; one past its deadline ends expired.

KEYS[1] window     {p:q}:win:<w>      zset id → readyScore
KEYS[2] running    {p:q}:run:<w>      zset id → attempt
ARGV[1] base       `{p:q}:`
ARGV[2] now        ms since the epoch
ARGV[3] maxLen     approximate length cap of the event stream
ARGV[4] worker     worker id
ARGV[5..]          3 values per task: id, attempt (the new attempt number), deadline ('' = none)
Returns one code per task: 1 started, 0 not in the window, -1 expired.
]]
-- @include keys
-- @include record
-- @include lifecycle

local base, now, maxLen, worker = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local ids = {}
for o = 5, #ARGV, 3 do ids[#ids + 1] = ARGV[o] end
local present = redis.call('ZMSCORE', KEYS[1], unpack(ids))
local out, taken, running, startedIds = {}, {}, {}, {}
for i, id in ipairs(ids) do
  local o = 5 + (i - 1) * 3
  if not present[i] then
    out[i] = 0
  else
    taken[#taken + 1] = id
    local deadline = tonumber(ARGV[o + 2])
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

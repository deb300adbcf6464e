--[[ completeTasks-2.lua — a worker reports tasks that succeeded. Fenced: a
task is accepted only if it is in this worker's running set with this very
attempt number; a refused report changes nothing but the `fenced` counter.
Stores the result, releases dependents, and keeps the succeeded set within
its retention count.

KEYS[1] running    {p:q}:run:<w>        zset id → attempt
KEYS[2] succeeded  {p:q}:done:succeeded zset id → finish time (ms)
ARGV[1] base       `{p:q}:`
ARGV[2] now        ms since the epoch
ARGV[3] maxLen     approximate length cap of the event stream
ARGV[4] worker     worker id
ARGV[5] keep       retention: most succeeded tasks to keep
ARGV[6..]          4 values per task: id, attempt, result JSON, end-to-end latency
                   in ms ('' = unknown), counted in the latency histogram
                   (`lat_le_<bound>`, `lat_sum_ms`) only when accepted
Returns one code per task: 1 accepted, 0 refused by the fence.
]]
-- @include keys
-- @include record
-- @include lifecycle
-- @include latency

local base, now, maxLen, worker = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local first = 6
local ids = {}
for o = first, #ARGV, 4 do ids[#ids + 1] = ARGV[o] end
local fence = redis.call('ZMSCORE', KEYS[1], unpack(ids))
local out, accepted, done, fenced = {}, {}, {}, 0
for i, id in ipairs(ids) do
  local o = first + (i - 1) * 4
  if fence[i] and tonumber(fence[i]) == tonumber(ARGV[o + 1]) then
    local latency = tonumber(ARGV[o + 3])
    if latency then
      count(latencyBucket(latency), 1)
      count('lat_sum_ms', latency)
    end
    redis.call('HSET', taskKey(base, id), 's', 'succeeded', 'r', ARGV[o + 2], 'ft', now)
    accepted[#accepted + 1] = id
    done[#done + 1] = now; done[#done + 1] = id
    out[i] = 1
  else
    fenced = fenced + 1
    out[i] = 0
  end
end
if #accepted > 0 then
  bulk('ZREM', KEYS[1], accepted)
  bulk('ZADD', KEYS[2], done)
  -- Ended tasks leave the deadline index (skipped, at O(1), when no task has a deadline).
  if redis.call('ZCARD', base .. 'dl') > 0 then bulk('ZREM', base .. 'dl', accepted) end
  note('succeeded', table.concat(accepted, ' '), nil, worker)
  count('succeeded', #accepted)
  local parents = redis.call('SMISMEMBER', base .. 'parents', unpack(accepted))
  for i, isParent in ipairs(parents) do
    if isParent == 1 then releaseDependents(base, now, accepted[i]) end
  end
  capDone(base, 'succeeded', tonumber(ARGV[5]), 1000)
end
if fenced > 0 then count('fenced', fenced) end
flush(base, now, maxLen)
return out

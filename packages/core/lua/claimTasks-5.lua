--[[ claimTasks-5.lua — a worker takes up to `max` tasks of one queue, in
priority order (FIFO within a priority). Due scheduled tasks are promoted
first. The first `start` tasks go straight to running (free slots); the rest
are reserved in the worker's window. A task past its deadline is expired
instead of handed out. Wakes the next blocked worker if work remains.
Work stealing: when the ready set cannot fill the claim and `steal` > 0, the
worker takes unstarted tasks from the back of the busiest peer's window (at
most half of that window, at most `steal`); they are counted as steals.

KEYS[1] ready      {p:q}:ready        zset id → readyScore
KEYS[2] scheduled  {p:q}:sched        zset id → run time (ms)
KEYS[3] window     {p:q}:win:<w>      zset id → readyScore (reserved)
KEYS[4] running    {p:q}:run:<w>      zset id → attempt (the fence)
KEYS[5] workers    {p:q}:workers      set of worker ids with tasks here
ARGV[1] base       `{p:q}:`
ARGV[2] now        ms since the epoch
ARGV[3] maxLen     approximate length cap of the event stream
ARGV[4] worker     worker id
ARGV[5] max        tasks to take at most
ARGV[6] start      how many of them to start at once
ARGV[7] promote    due scheduled tasks to promote at most
ARGV[8] steal      tasks to steal at most when the ready set runs dry (0: never)
Returns: { nextDue, stolen, then 7 values per task: id, readyScore, attempt,
  started (1/0), spec JSON, payload JSON, deadline ('' = none) }
  stolen: how many of the tasks were taken from a peer.
  nextDue: run time (ms) of the earliest scheduled task when the ready set
  ran dry, else -1 (the worker blocks until then at most).
]]
-- @include keys
-- @include record
-- @include lifecycle
-- @include handout

local base, now, maxLen, worker = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local max, start = tonumber(ARGV[5]), tonumber(ARGV[6])

promoteDue(base, now, tonumber(ARGV[7]))
local popped = redis.call('ZPOPMIN', KEYS[1], max)
local out = { -1, 0 }
local window, running, startedIds, reservedIds = {}, {}, {}, {}
local function take(list)
  for i = 1, #list, 2 do
    local id, score = list[i], list[i + 1]
    local startNow = #startedIds < start
    if handout(base, now, out, id, score, startNow, worker) then
      if startNow then
        running[#running + 1] = out[#out - 4]; running[#running + 1] = id
        startedIds[#startedIds + 1] = id
      else
        window[#window + 1] = score; window[#window + 1] = id
        reservedIds[#reservedIds + 1] = id
      end
    end
  end
end
take(popped)

-- Work stealing from the busiest peer's window, when the ready set ran dry.
local stealMax = tonumber(ARGV[8]) or 0
local stolen = 0
if stealMax > 0 and #popped < max * 2 then
  local victim, longest = nil, 0
  for _, peer in ipairs(redis.call('SMEMBERS', KEYS[5])) do
    if peer ~= worker then
      local len = redis.call('ZCARD', windowKey(base, peer))
      if len > longest then victim, longest = peer, len end
    end
  end
  if victim then
    local n = math.min(stealMax, max - #popped / 2, math.ceil(longest / 2))
    local taken = redis.call('ZPOPMAX', windowKey(base, victim), n)
    stolen = #taken / 2
    out[2] = stolen
    take(taken)
    count('steals', stolen)
    local ids = {}
    for i = 1, #taken, 2 do ids[#ids + 1] = taken[i] end
    note('stolen', table.concat(ids, ' '), 'stolen_from:' .. victim, worker)
  end
end
if #popped > 0 or stolen > 0 then redis.call('SADD', KEYS[5], worker) end
if #running > 0 then
  bulk('ZADD', KEYS[4], running)
  note('running', table.concat(startedIds, ' '), nil, worker)
  count('started', #startedIds)
end
if #window > 0 then
  bulk('ZADD', KEYS[3], window)
  note('reserved', table.concat(reservedIds, ' '), nil, worker)
end
if #popped + stolen * 2 < max * 2 then
  local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  if first[2] then out[1] = tonumber(first[2]) end
elseif redis.call('ZCARD', KEYS[1]) > 0 then
  wake(base)
end
flush(base, now, maxLen)
return out

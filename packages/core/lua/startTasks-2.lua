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
-- @include start

local base, now, maxLen, worker = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local ids, attempts = {}, {}
for o = 5, #ARGV, 2 do
  ids[#ids + 1] = ARGV[o]
  attempts[#attempts + 1] = ARGV[o + 1]
end
local out = startBatch(base, now, worker, KEYS[1], KEYS[2], ids, attempts)
flush(base, now, maxLen)
return out

--[[ promoteDue-1.lua — moves scheduled tasks whose time has come to the ready
set and wakes a worker. Workers do this themselves when they claim; the
coordinator calls it for queues that have no worker awake.

KEYS[1] scheduled  {p:q}:sched        zset id → run time (ms)
ARGV[1] base       `{p:q}:`
ARGV[2] now        ms since the epoch
ARGV[3] maxLen     approximate length cap of the event stream
ARGV[4] limit      tasks to promote at most
Returns the number of tasks promoted.
]]
-- @include keys
-- @include record
-- @include lifecycle
local rec = newRecord() -- this call's events and counters (see record.lua)

local base, now, maxLen = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local n = promoteDue(rec, base, now, tonumber(ARGV[4]))
if n > 0 then wake(base) end
flush(rec, base, now, maxLen)
return n

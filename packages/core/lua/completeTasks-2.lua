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
ARGV[6..]          4 values per task: id, attempt, result, latency
                   (the result's JSON; the end-to-end latency in ms, '' when
                   unknown, counted in the latency histogram — `lat_le_<bound>`,
                   `lat_sum_ms` — only when accepted)
Returns one code per task: 1 accepted, 0 refused by the fence.
]]
-- @include keys
-- @include record
-- @include lifecycle
-- @include latency
-- @include complete
local rec = newRecord() -- this call's events and counters (see record.lua)

local base, now, maxLen, worker = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local out = completeBatch(rec, base, now, worker, KEYS[1], KEYS[2], tonumber(ARGV[5]), ARGV, 6, (#ARGV - 5) / 4)
flush(rec, base, now, maxLen)
return out

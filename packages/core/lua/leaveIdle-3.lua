--[[ leaveIdle-3.lua — a worker that pauses or stops while registered idle
(see includes/handoff.lua) takes itself off the idle hash; the tasks a submit
had already handed to it (its inbox, and any it names because its blocking
read brought them in too late) go back to the ready set, unstarted.

KEYS[1] idle       {p:q}:idle         hash worker id → free slots
KEYS[2] inbox      {p:q}:inbox:<w>    list of handoff messages
KEYS[3] running    {p:q}:run:<w>      zset id → attempt (the fence)
ARGV[1] base       `{p:q}:`
ARGV[2] now        ms since the epoch
ARGV[3] maxLen     approximate length cap of the event stream
ARGV[4] worker     worker id
ARGV[5..]          2 values per task: id, attempt
                   (the tasks the worker received and will not run)
Returns the number of tasks put back in the ready set.
]]
-- @include keys
-- @include record
-- @include lifecycle
-- @include handout
-- @include inbox
local rec = newRecord() -- this call's events and counters (see record.lua)

local base, now, maxLen, worker = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local ids, attempts = {}, {}
for o = 5, #ARGV - 1, 2 do
  ids[#ids + 1] = ARGV[o]
  attempts[#attempts + 1] = ARGV[o + 1]
end
local back = takeBackHandoffs(rec, base, now, worker, ids, attempts)
flush(rec, base, now, maxLen)
return back

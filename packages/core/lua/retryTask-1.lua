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
-- @include operator
local rec = newRecord() -- this call's events and counters (see record.lua)

local base, now, maxLen, id = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local reply = retryOne(rec, base, now, id)
flush(rec, base, now, maxLen)
return reply

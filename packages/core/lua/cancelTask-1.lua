--[[ cancelTask-1.lua — an operator cancels a task that has not ended: it
leaves whatever structure holds it and ends `cancelled`; its pending
dependents are cancelled with reason `dependency_failed`, transitively. For a
running task the worker is named in the reply, so that it can be told to
abort; its late report is refused by the fence.

KEYS[1] task       {p:q}:t:<id>       hash
ARGV[1] base       `{p:q}:`
ARGV[2] now        ms since the epoch
ARGV[3] maxLen     approximate length cap of the event stream
ARGV[4] id         task id
ARGV[5] reason     why (default `cancelled`)
Returns { 1, previous state, worker or '' } when cancelled, { -1 } when there
is no such task, { -3, state } when it has already ended (the refusal codes
of src/scripts/calls/error-codes.ts).
]]
-- @include keys
-- @include record
-- @include lifecycle
-- @include locate
local rec = newRecord() -- this call's events and counters (see record.lua)

local base, now, maxLen, id = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local f = redis.call('HMGET', KEYS[1], 's', 'w')
local state, worker = f[1], f[2]
if not state then return { -1 } end
if TERMINAL[state] then return { -3, state } end
local was = takeOut(rec, base, now, id, state, worker)
finish(rec, base, now, id, 'cancelled', ARGV[5], nil, nil)
flush(rec, base, now, maxLen)
return { 1, was, was == 'running' and worker or '' }

--[[ submitPlain-2.lua — the fast path of submitTasks-6.lua for a batch of
plain tasks: no dependencies, idempotency key, run time or deadline (the
Submitter sends every other batch to submitTasks). Such a task cannot be
refused and always starts `queued`, so this script skips the planning pass,
builds no per-task tables, and writes one HSET per task, one ZADD, one XADD
and the counters for the whole batch; then hands tasks to idle workers, as
submitTasks does. A task submitted alone while nothing waits goes to an
idle worker without passing through the ready set (handOffNew). Same records
as submitTasks: the same hash fields, ready scores, event entry and counters.

KEYS[1] ready      {p:q}:ready      zset id → readyScore
KEYS[2] seq        {p:q}:seq        FIFO counter
ARGV[1] base       `{p:q}:`, the prefix of every key of the queue
ARGV[2] now        ms since the epoch
ARGV[3] maxLen     approximate length cap of the event stream
ARGV[4..]          4 values per task: id, priority, spec, payload
                   (priority 1-10; spec: JSON of the immutable fields; payload: JSON)
Returns the number of tasks written (all of them).
]]
-- @include keys
-- @include record
-- @include lifecycle
-- @include lanes
-- @include handout
-- @include handoff
local base, now, maxLen = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local FIELDS, FIRST = 4, 4
local n = (#ARGV - FIRST + 1) / FIELDS
local nobodyIdle = false
if n == 1 then
  local handed
  handed, nobodyIdle = handOffNew(base, now, ARGV[2], maxLen, KEYS[1], ARGV[FIRST], ARGV[FIRST + 1],
    ARGV[FIRST + 2], ARGV[FIRST + 3])
  -- Its events and counters are written (handoff.lua): no record needed.
  if handed then return 1 end
end
local rec = newRecord() -- this call's events and counters (see record.lua)
-- Plain tasks have no group; in a queue with lanes they take the lane '' (lanes.lua).
local laned = hasLanes(rec, base)
local seq = 0
if not laned then seq = redis.call('INCRBY', KEYS[2], n) - n end
local scores = {}
local ids = {}
local taskPrefix = taskKey(base, '')
-- Each priority's band, worked out once a call: a priority argument in arithmetic is a string
-- to number conversion per task.
local bands = {}
for i = 0, n - 1 do
  local o = FIRST + i * FIELDS
  local id, priority = ARGV[o], ARGV[o + 1]
  -- No attempt count (`a`) yet: a task that never ran has none, and every reader takes a missing
  -- one for 0 (handout.lua, the Inspector's codec). A field fewer is about 6 % of what Redis does
  -- for a submitted task (each field is a search and a growth of the new hash's listpack).
  redis.call('HSET', taskPrefix .. id, 's', 'queued', 'p', priority, 'd', ARGV[o + 2], 'pl', ARGV[o + 3])
  local band = bands[priority]
  if not band then
    band = (10 - priority) * PRIORITY_BAND
    bands[priority] = band
  end
  -- Same score as readyScore(), as a '%d' string: a Lua number would go through "%.17g".
  scores[2 * i + 1] = string.format('%d', band + (laned and nextSeq(rec, base, nil) or seq + i + 1))
  scores[2 * i + 2] = id
  ids[i + 1] = id
end
bulk('ZADD', KEYS[1], scores)
redis.call('XADD', base .. 'events', 'MAXLEN', '~', maxLen, '*', 's', 'queued', 'ids', table.concat(ids, ' '))
count(rec, 'submitted', n)
-- Idle workers get the new tasks at once (handoff.lua); the rest wake a worker to claim them.
if (nobodyIdle and 0 or handOff(rec, base, now)) < n then wake(base) end
flush(rec, base, now, maxLen)
return n

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
-- @include claim

local base, now, maxLen, worker = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local k = { ready = KEYS[1], scheduled = KEYS[2], window = KEYS[3], running = KEYS[4], workers = KEYS[5] }
local out = { -1, 0 }
local stolen, nextDue = claimBatch(base, now, worker, k, out, tonumber(ARGV[5]), tonumber(ARGV[6]),
  tonumber(ARGV[7]), tonumber(ARGV[8]) or 0)
out[1] = nextDue
out[2] = stolen
flush(base, now, maxLen)
return out

--[[ recoverWorker-3.lua — a worker was declared dead: its window goes back to
the ready set (keeping each task's place) and each running task counts a
failed attempt with reason `worker_lost` (so a task that kills its worker
cannot loop for ever: maxRetries applies) and, unless that was its last,
is queued again at once, ahead of its priority. Tasks a submit had handed
to it that it never took from its inbox (includes/inbox.lua) go back
unstarted: their attempt does not count. The worker's late reports are
refused by the fence afterwards, since it no longer holds the tasks.

KEYS[1] window     {p:q}:win:<w>      zset id → readyScore
KEYS[2] running    {p:q}:run:<w>      zset id → attempt
KEYS[3] workers    {p:q}:workers      set of worker ids with tasks here
ARGV[1] base       `{p:q}:`
ARGV[2] now        ms since the epoch
ARGV[3] maxLen     approximate length cap of the event stream
ARGV[4] worker     worker id of the dead worker
ARGV[5] seed       random seed for the backoff jitter
Returns { tasks requeued from the window or the inbox, running tasks recovered }.
]]
-- @include keys
-- @include record
-- @include lifecycle
-- @include attempt
-- @include handout
-- @include inbox
-- @include flow
local rec = newRecord() -- this call's events and counters (see record.lua)

local base, now, maxLen, worker = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
math.randomseed(tonumber(ARGV[5]))
local handedBack = takeBackHandoffs(rec, base, now, worker, {}, {})
local win = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local ready, ids = {}, {}
for i = 1, #win, 2 do
  ids[#ids + 1] = win[i]
  ready[#ready + 1] = win[i + 1]; ready[#ready + 1] = win[i]
end
if #ids > 0 then
  bulk('ZADD', base .. 'ready', ready)
  note(rec, 'queued', table.concat(ids, ' '), 'worker_lost', worker)
  wake(base)
end
local run = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
redis.call('DEL', KEYS[1], KEYS[2])
local lost = {}
for i = 1, #run, 2 do lost[#lost + 1] = run[i] end
flowLeave(rec, base, now, lost) -- its slots under caps are free again, before the retries queue them
for i = 1, #run, 2 do
  failAttempt(rec, base, now, run[i], tonumber(run[i + 1]), 'worker ' .. worker .. ' was lost', 'worker_lost', false, worker, true)
end
redis.call('SREM', KEYS[3], worker)
flush(rec, base, now, maxLen)
return { #ids + handedBack, #run / 2 }

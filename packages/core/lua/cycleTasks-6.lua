--[[ cycleTasks-6.lua — one round of a busy worker in one call: reports the
tasks that succeeded, starts tasks from its window, and claims more (see
complete.lua, start.lua and claim.lua; completions have the same rules,
fences and events as completeTasks). One script call a batch instead of
three, and one flush of events and counters: the stream gets one entry per
transition kind, whatever part of the round it came from.

KEYS[1] ready      {p:q}:ready          zset id → readyScore
KEYS[2] scheduled  {p:q}:sched          zset id → run time (ms)
KEYS[3] window     {p:q}:win:<w>        zset id → readyScore (reserved)
KEYS[4] running    {p:q}:run:<w>        zset id → attempt (the fence)
KEYS[5] workers    {p:q}:workers        set of worker ids with tasks here
KEYS[6] succeeded  {p:q}:done:succeeded zset id → finish time (ms)
ARGV[1] base       `{p:q}:`
ARGV[2] now        ms since the epoch
ARGV[3] maxLen     approximate length cap of the event stream
ARGV[4] worker     worker id
ARGV[5] keep       retention: most succeeded tasks to keep
ARGV[6] max        tasks to claim at most (0: no claim)
ARGV[7] start      how many of the claimed to start at once
ARGV[8] promote    due scheduled tasks to promote at most
ARGV[9] steal      tasks to steal at most when the ready set runs dry (0: never)
ARGV[10] nc        number of completions
ARGV[11] ns        number of starts
ARGV[12] leaveIdle '1': the worker may be registered idle (see
                   includes/handoff.lua): take it off and return its inbox
ARGV[13] registerIdle '1': when the claim cannot fill its free slots,
                   register the worker idle with the slots left
ARGV[14] idleTtl   how long a registration holds (ms): past it, a submit takes
                   the worker for gone and drops it (it re-registers sooner,
                   each time its blocking read times out)
ARGV[15..]         nc × 4 values per completion: id, attempt, result, latency
                   (as completeTasks), then ns × 2 values per start: id, attempt
                   (the new attempt number)
Returns one text, a value per line (includes/handout.lua, replyText): nextDue,
  stolen, registered (1 or 0), m, then per inbox message the number of tasks
  in it and its lines (7 a task), nc completion codes (1 accepted, 0 fenced),
  ns start codes (1 started, 0 not in the window, -1 expired), then 7 values
  per claimed task (includes/handout.lua). nextDue is -1 without a claim.
  A quiet round that returns no inbox message replies with one integer
  instead: 1 if its completion was accepted, plus 2 if the worker is now
  registered (includes/quietround.lua).
]]
-- @include keys
-- @include record
-- @include lifecycle
-- @include latency
-- @include handout
-- @include complete
-- @include start
-- @include claim
-- @include flow
-- @include plain
-- @include quietround
-- @include idle
local base, now, maxLen, worker = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local leaveIdle, mayRegister = ARGV[12] == '1', ARGV[13] == '1'
local first = 15
-- Woken some other way than through its inbox while registered idle: no longer idle, and
-- what a submit handed it meanwhile comes back with this reply (it is started already).
-- Tables only for the parts a round has (at low rates a round is one completion, a claim and a
-- registration, 500 times a second: each table is a share of Lua's garbage collection).
local nm, messages = 0, nil
if leaveIdle then
  redis.call('HDEL', base .. 'idle', worker)
  local inbox = inboxKey(base, worker)
  messages = redis.call('LRANGE', inbox, 0, -1)
  nm = #messages
  if nm > 0 then redis.call('DEL', inbox) end
end
-- One completion, a claim without stealing, no starts: at a low rate, most rounds. When the
-- claim comes back dry, quietRound writes the round without a record or tables (quietround.lua).
-- The counts are told from their digits (the client sends String(n)): no number to parse first.
local quiet = ARGV[10] == '1' and ARGV[11] == '0' and ARGV[9] == '0' and tonumber(ARGV[6]) > 0
local plain, popped
if quiet then
  local reply
  reply, plain, popped = quietRound(base, now, maxLen, worker, KEYS, ARGV, first, nm, messages)
  if reply then return reply end
end
local nc, ns = tonumber(ARGV[10]), tonumber(ARGV[11])
local rec = newRecord() -- this call's events and counters (see record.lua)
-- What quietRound found, kept as plainQueue would keep it (plain.lua): no second EXISTS.
if quiet then rememberPlain(rec, plain) end
local k = { ready = KEYS[1], scheduled = KEYS[2], window = KEYS[3], running = KEYS[4], workers = KEYS[5] }
local completed = completeBatch(rec, base, now, worker, KEYS[4], KEYS[6], tonumber(ARGV[5]), ARGV, first, nc)
local startCodes
if ns > 0 then
  local ids, attempts = {}, {}
  for o = first + nc * 4, first + nc * 4 + (ns - 1) * 2, 2 do
    ids[#ids + 1] = ARGV[o]
    attempts[#attempts + 1] = ARGV[o + 1]
  end
  startCodes = startBatch(rec, base, now, worker, KEYS[3], KEYS[4], ids, attempts)
end
-- Every value a string (the reply is their text: replyText): a number would be formatted as a
-- float.
local out = { '-1', '0', '0', int(nm) }
-- Placed by index: `#out` per value is a search of the table each time.
for i = 1, nm do out[4 + i] = messages[i] end
for i = 1, nc do out[4 + nm + i] = completed[i] == 1 and '1' or '0' end
for i = 1, ns do out[4 + nm + nc + i] = startCodes[i] end
local max = tonumber(ARGV[6])
if max > 0 then
  local start = tonumber(ARGV[7])
  local stolen, nextDue, claimStarted = claimBatch(rec, base, now, worker, k, out, max, start, tonumber(ARGV[8]),
    tonumber(ARGV[9]), popped)
  out[1] = nextDue == -1 and '-1' or int(nextDue)
  out[2] = int(stolen)
  -- A paused queue takes no registration: no submit may hand a task to a worker while it is
  -- paused; nor does a limited one: its tasks are handed out by the claim only (flow.lua).
  if mayRegister and claimStarted < start
    and (plainQueue(rec, base) or (redis.call('EXISTS', pausedKey(base)) == 0 and not flowState(rec, base))) then
    registerIdle(base, worker, int(start - claimStarted), now, ARGV[14])
    out[3] = '1'
  end
end
flush(rec, base, now, maxLen)
return replyText(out, nm)

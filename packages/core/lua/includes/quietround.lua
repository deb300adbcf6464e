--[[ quietround.lua — the round of a worker at a low rate, without the
general path's tables: it reports one task, its claim finds the ready set
empty, and it registers idle (cycleTasks-6.lua). At 500 tasks a second that is
most rounds, and each table, closure and string a call makes is a share of
Lua's garbage collection: this path makes almost none. It writes what the
general path writes (complete.lua, claim.lua, record.lua's flush), command for
command: the same fields, stream entries, counters and registration.
It applies only to a queue that uses none of its optional structures
(plain.lua) and whose ready set is empty; otherwise it writes nothing (what
its claim popped goes on to claimBatch) and the round takes the general
path. ]]
-- @include keys
-- @include call
-- @include record
-- @include lifecycle
-- @include latency
-- @include idle
-- @include plain
-- @include pop
-- @include handout

-- The dry claim's end (claim.lua: the ready set was empty): a worker that asks for it
-- registers idle with all the slots it would start (`start`, ARGV[7], sent as digits: a
-- registration of '0' free slots is none). Returns 1 if it registered, else 0.
local function registerAfterDryClaim(base, now, worker, args)
  local start = args[7]
  if start ~= '0' and args[13] == '1' then
    registerIdle(base, worker, start, now, args[14])
    return 1
  end
  return 0
end

-- The round's reply: with no inbox messages to return (nearly always), one integer — 1 when
-- the completion was accepted, plus 2 when the worker is now registered idle — instead of the
-- text cycleTasks returns (decodeCycleTasks reads both): Redis turns the table into text and
-- replies for some 4,000 instructions more (callgrind), 500 rounds a second.
local function quietReply(accepted, registered, nm, messages)
  if nm == 0 then return accepted + 2 * registered end
  local out = { '-1', '0', registered == 1 and '1' or '0', int(nm) }
  for i = 1, nm do out[4 + i] = messages[i] end
  out[5 + nm] = accepted == 1 and '1' or '0'
  return replyText(out, nm)
end

-- `nm`/`messages`: what leaving idle returned (cycleTasks-6.lua), `o`: the ARGV offset of the
-- completion (id, attempt, result, latency). Returns the round's reply (quietReply), or nil when
-- the queue is not plain or tasks are ready (nothing written but the claim's pop): then also
-- whether it is plain, as plainQueue would record it, and the tasks popped, which claimBatch
-- hands out. It formats no number but the registration's end: times and the latency are the
-- arguments as sent when they are whole numbers (timeArgs).
local function quietRound(base, now, maxLen, worker, keys, args, o, nm, messages)
  local plain = queueIsPlain(base)
  if not plain then return nil, false end
  -- The claim's pop, as claimBatch would make it: in a plain queue nothing the round does before
  -- its claim changes the ready set. What it got goes to claimBatch.
  local popped = popReady(keys[1], tonumber(args[6]), tonumber(args[7]))
  if #popped > 0 then return nil, true, popped end
  local id = args[o]
  local nowArg, sec = timeArgs(base, args[2], now)
  local totals = base .. 'totals'
  local fresh = false
  local accepted, registered
  -- The fence: attempt numbers are integers, written and read back as '%d' strings.
  if rcall('ZSCORE', keys[4], id) == args[o + 1] then
    local latencyText = args[o + 3]
    local latency = tonumber(latencyText)
    rcall('HSET', taskKey(base, id), 's', 'succeeded', 'r', args[o + 2], 'ft', nowArg)
    rcall('ZREM', keys[4], id)
    rcall('ZADD', keys[6], nowArg, id)
    capDone(base, 'succeeded', tonumber(args[5]), 1000, true)
    accepted = 1
    registered = registerAfterDryClaim(base, now, worker, args)
    addEvent(base .. 'events', maxLen, 'succeeded', id, nil, worker ~= '' and worker or nil)
    if latency then
      fresh = addCount(sec, totals, latencyBucket(latency), '1', 1)
      -- The client sends a whole number of ms (pushCompletions): as sent, it is what int() makes.
      if latency % 1 ~= 0 then latencyText = int(latency) end
      if addCount(sec, totals, 'lat_sum_ms', latencyText, latency) then fresh = true end
    end
    if addCount(sec, totals, 'succeeded', '1', 1) then fresh = true end
  else
    accepted = 0
    registered = registerAfterDryClaim(base, now, worker, args)
    fresh = addCount(sec, totals, 'fenced', '1', 1)
  end
  if fresh then expireSecond(sec) end
  return quietReply(accepted, registered, nm, messages)
end

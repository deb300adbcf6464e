--[[ submitTasks-6.lua — creates a batch of tasks in one queue.
For each task: an idempotency key already known returns the earlier task and
writes nothing (in debounce mode `replace` the earlier task, still waiting,
takes the new payload), unless the key no longer holds (dedup.lua: its time
to live passed, or in a debounce mode the earlier task has started): then the
key moves to the new task. Every dependency must exist in this queue (or
earlier in the batch); the task starts pending (waits for dependencies), cancelled (a
dependency already ended unsuccessfully), scheduled (runs later) or queued.
In atomic mode a batch with any refused task writes nothing at all.

KEYS[1] ready      {p:q}:ready      zset id → readyScore
KEYS[2] scheduled  {p:q}:sched      zset id → run time (ms)
KEYS[3] pending    {p:q}:pending    set of ids waiting for dependencies
KEYS[4] deadlines  {p:q}:dl         zset id → deadline (ms)
KEYS[5] idem       {p:q}:idem       hash idempotency key → id
KEYS[6] seq        {p:q}:seq        FIFO counter
ARGV[1] base       `{p:q}:`, the prefix of every key of the queue
ARGV[2] now        ms since the epoch
ARGV[3] maxLen     approximate length cap of the event stream
ARGV[4] atomic     '1': all or nothing; '0': each task on its own
ARGV[5..]          10 values per task: id, priority, runAt, deadline, idempotencyKey, dependsOn, spec, payload, dedupTtl, debounce
                   (priority 1-10; runAt ms, '' = now; deadline ms, '' = none;
                   idempotencyKey '' = none; dependsOn: ids separated by spaces,
                   '' = none; spec: JSON of the immutable fields; payload: JSON;
                   dedupTtl: ms the key holds, '' = until the task is deleted;
                   debounce: 'replace', 'drop' or '' = none; both only with a key)
Returns a flat array, 3 values per task, in order (refusal codes as in
src/scripts/calls/error-codes.ts):
   0, id, state         created
   1, earlierId, state  idempotency key seen before: the earlier task
   2, earlierId, state  debounce `replace`: the earlier, waiting task took this payload
  -4, dependencyId, ''  unknown dependency: nothing written for this task
  -2, '', ''            not written: another task of the atomic batch was refused
]]
-- @include keys
-- @include record
-- @include lifecycle
-- @include lanes
-- @include handout
-- @include handoff
-- @include dedup
local rec = newRecord() -- this call's events and counters (see record.lua)

local base, now, maxLen = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local atomic = ARGV[4] == '1'
local FIELDS, FIRST = 10, 5
local n = (#ARGV - FIRST + 1) / FIELDS

-- Phase 1: decide, without writing.
local out = {}
local plan = {}       -- per task: nil (refused) or a table
local batchIds = {}   -- ids created by this batch, for in-batch dependencies
local batchKeys = {}  -- idempotency keys of this batch → id
local replaces = {}   -- debounce `replace`: id, payload, id, payload… written in phase 2
local refused = false
for i = 0, n - 1 do
  local o = FIRST + i * FIELDS
  local id, ikey, deps = ARGV[o], ARGV[o + 4], ARGV[o + 5]
  local earlier, s = nil, nil
  if ikey ~= '' then earlier, s = keyHolder(base, KEYS[5], batchKeys[ikey], ikey, ARGV[o + 9], now) end
  if earlier then
    local code = 1
    if ARGV[o + 9] == 'replace' then
      code = 2
      replaces[#replaces + 1] = earlier; replaces[#replaces + 1] = ARGV[o + 7]
    end
    out[#out + 1] = code; out[#out + 1] = earlier; out[#out + 1] = s
  else
    local depList, unknown = {}, nil
    if deps ~= '' then
      for dep in string.gmatch(deps, '%S+') do
        if not batchIds[dep] and redis.call('EXISTS', taskKey(base, dep)) == 0 then unknown = dep; break end
        depList[#depList + 1] = dep
      end
    end
    if unknown then
      refused = true
      out[#out + 1] = -4; out[#out + 1] = unknown; out[#out + 1] = ''
    else
      plan[i] = { o = o, deps = depList }
      batchIds[id] = true
      if ikey ~= '' then batchKeys[ikey] = id end
      out[#out + 1] = 0; out[#out + 1] = id; out[#out + 1] = ''
    end
  end
end
if atomic and refused then
  for i = 0, n - 1 do
    if out[i * 3 + 1] == 0 or out[i * 3 + 1] == 2 then out[i * 3 + 1] = -2; out[i * 3 + 2] = ''; out[i * 3 + 3] = '' end
  end
  return out
end

-- Phase 2: write. One INCRBY reserves FIFO numbers for the whole batch, unless the queue has
-- lanes or this batch starts them (a task with a group): then each task takes its lane's next
-- number (lanes.lua).
local laned = false
for i = 0, n - 1 do
  if plan[i] and groupOf(ARGV[plan[i].o + 6]) then laned = true; break end
end
if not laned then laned = hasLanes(rec, base) end
local seq = 0
if not laned then seq = redis.call('INCRBY', KEYS[6], n) - n end
local ready, sched, deadlines, submitted = {}, {}, {}, 0
for i = 0, n - 1 do
  local p = plan[i]
  if p then
    local o = p.o
    local id, priority, runAt, deadline, ikey = ARGV[o], ARGV[o + 1], tonumber(ARGV[o + 2]), ARGV[o + 3], ARGV[o + 4]
    local tkey = taskKey(base, id)
    local waiting, failedDep = 0, false
    for _, dep in ipairs(p.deps) do
      local s = redis.call('HGET', taskKey(base, dep), 's')
      if s ~= 'succeeded' then
        if TERMINAL[s] then
          failedDep = true
        else
          waiting = waiting + 1
          redis.call('SADD', depsKey(base, dep), id)
          redis.call('SADD', base .. 'parents', dep)
        end
      end
    end
    -- No attempt count (`a`) yet: a task that never ran has none, read as 0 (submitPlain-2.lua).
    local fields = { 'HSET', tkey, 's', 'queued', 'p', priority, 'd', ARGV[o + 6], 'pl', ARGV[o + 7] }
    if deadline ~= '' then
      fields[#fields + 1] = 'dl'; fields[#fields + 1] = deadline
      deadlines[#deadlines + 1] = deadline; deadlines[#deadlines + 1] = id
    end
    if runAt then fields[#fields + 1] = 'ra'; fields[#fields + 1] = runAt end
    if ikey ~= '' then
      fields[#fields + 1] = 'ik'; fields[#fields + 1] = ikey
      if ARGV[o + 8] ~= '' then fields[#fields + 1] = 'ix'; fields[#fields + 1] = int(now + tonumber(ARGV[o + 8])) end
      redis.call('HSET', KEYS[5], ikey, id)
    end
    local state
    if failedDep then
      state = 'cancelled'
      redis.call(unpack(fields))
      finish(rec, base, now, id, 'cancelled', 'dependency_failed', nil, nil)
    elseif waiting > 0 then
      state = 'pending'
      fields[4] = 'pending'; fields[#fields + 1] = 'wt'; fields[#fields + 1] = waiting
      redis.call(unpack(fields))
      redis.call('SADD', KEYS[3], id)
      note(rec, 'pending', id, nil, nil)
    elseif runAt and runAt > now then
      state = 'scheduled'
      fields[4] = 'scheduled'
      redis.call(unpack(fields))
      sched[#sched + 1] = runAt; sched[#sched + 1] = id
      note(rec, 'scheduled', id, nil, nil)
    else
      state = 'queued'
      redis.call(unpack(fields))
      local place = laned and nextSeq(rec, base, groupOf(ARGV[o + 6])) or seq + i + 1
      ready[#ready + 1] = readyScore(priority, place); ready[#ready + 1] = id
      note(rec, 'queued', id, nil, nil)
    end
    submitted = submitted + 1
    out[i * 3 + 3] = state
  end
end
if #ready > 0 then bulk('ZADD', KEYS[1], ready) end
if #sched > 0 then bulk('ZADD', KEYS[2], sched) end
if #deadlines > 0 then bulk('ZADD', KEYS[4], deadlines) end
-- Debounce `replace`, after the writes above so that a task of this very batch takes its later payload too.
for r = 1, #replaces, 2 do redis.call('HSET', taskKey(base, replaces[r]), 'pl', replaces[r + 1]) end
-- Idle workers get the new tasks at once (handoff.lua); the rest wake a worker to claim them.
local handed = #ready > 0 and handOff(rec, base, now) or 0
if #ready / 2 > handed or #sched > 0 then wake(base) end
if submitted > 0 then count(rec, 'submitted', submitted) end
flush(rec, base, now, maxLen)
return out
